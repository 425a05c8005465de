/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_WORKER_H
#define SMTPWALL_WORKER_H

/*
 * One worker lcore's entry points: creation, the poll loop, one burst of
 * frames, the timers. What it owns: worker_state.h.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "worker_state.h"

/*
 * Allocates a worker for the given mode; the flow table uses hz ticks per
 * second (TSC for live ports, nanoseconds offline). Its wiring is the
 * control plane's as set up so far (wiring_get). NULL on failure.
 */
struct worker *worker_create(unsigned int id, enum wk_mode mode, uint64_t hz, int socket);
void worker_free(struct worker *w);

/* The lcore entry point (arg: struct worker *). */
int worker_main(void *arg);

/*
 * Processes n frames that arrived (m->port is the input port): parse,
 * flow lookup in bulk, track, forward to the peer port or drop. Takes
 * ownership of every mbuf.
 */
void worker_process_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n, uint64_t now);

/* Frees every flow (at exit, lcores stopped): held packets, limits, and
 * the audit-trail stop records of connections still open. */
void worker_flush_flows(struct worker *w);

/* Loads the current policy generation (once per loop). */
void worker_load_gen(struct worker *w);

/* Runs the timer sweep if due (a bounded number of entries). */
void worker_expire(struct worker *w, uint64_t now);

/* Flushes buffered TX (ports mode). */
void worker_flush(struct worker *w);

#endif /* SMTPWALL_WORKER_H */
