/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_FLOW_LIMIT_H
#define SMTPWALL_FLOW_LIMIT_H

/*
 * Connection-limit counters shared by every worker (ASA conn-max,
 * embryonic-conn-max, per-client-max, per-client-embryonic-max, legacy
 * static limits): the only shared, written state of the data path, so it
 * is plain C11 atomics, touched once per new connection, once when it is
 * established and once when it goes.
 *
 * Two kinds of counter:
 *  - exact: counter i of n_exact (one per class and limit, one per static);
 *  - hashed: per-client counters, indexed by a hash of (scope, address)
 *    into n_hashed cells. Clients whose hashes collide share a cell, so a
 *    collision can only make a limit stricter, never looser; with 2^20
 *    cells and thousands of active clients collisions are rare. No key is
 *    stored, nothing to delete, no lock: bounded memory whatever the
 *    traffic.
 *
 * acquire() admits only while the count is below the limit (fetch-add, and
 * undo on refusal), so concurrent workers never admit more than the limit.
 */

#include <stdbool.h>
#include <stdint.h>

struct flow_limits;

/*
 * Creates n_exact exact counters and n_hashed hashed ones (a power of two,
 * or 0). NULL + errno (EINVAL, ENOMEM).
 */
struct flow_limits *flow_limits_create(uint32_t n_exact, uint32_t n_hashed);
void flow_limits_free(struct flow_limits *l);

/* Index of the hashed cell of (scope, addr[0..len)), usable with acquire. */
uint32_t flow_limits_hashed(
		const struct flow_limits *l, uint32_t scope, const uint8_t *addr, unsigned int len);

/*
 * Takes one unit of counter idx when its count is below max (max 0 =
 * unlimited: always taken, still counted). *count gets the count before
 * this call (for the audit line "exceeded N/limit"). True when taken.
 */
bool flow_limits_acquire(struct flow_limits *l, uint32_t idx, uint32_t max, uint32_t *count);

/* Gives back a unit taken by acquire. */
void flow_limits_release(struct flow_limits *l, uint32_t idx);

/* Current count of counter idx. */
uint32_t flow_limits_count(const struct flow_limits *l, uint32_t idx);

/* Number of exact and hashed counters. */
uint32_t flow_limits_n_exact(const struct flow_limits *l);
uint32_t flow_limits_n_hashed(const struct flow_limits *l);

#endif /* SMTPWALL_FLOW_LIMIT_H */
