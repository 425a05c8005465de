/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_RECORDS_H
#define SMTPWALL_RECORDS_H

/*
 * Audit records made on a worker (verdict.c, admission.c, inspect.c,
 * splice.c): filled here,
 * pushed into the worker's log ring, never formatted or written on the
 * data path. Every one is counted when it cannot go (worker rate limit:
 * audit_suppressed; ring full: audit_ring_full).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esmtp.h"
#include "flowstate.h"
#include "sw_log.h"
#include "pkt.h"

struct worker;

/*
 * Starts a record of this moment (the real clock), unless the worker's
 * limiter (may be NULL) says too many; then fill it and rec_push() it.
 */
bool rec_begin(struct worker *w, struct log_limiter *lim, uint32_t msgid, uint8_t severity,
		struct log_rec *r);
/* Hands a record to the control lcore; a full ring is counted. */
void rec_push(struct worker *w, const struct log_rec *r);

/* A free-text record (LOG_RAW), not rate-limited: callers are. */
void rec_text(struct worker *w, uint8_t severity, const char *text, size_t len);

/* An inspector event of f that asks to be logged (108002..108007). */
void rec_event(struct worker *w, struct wk_flow *f, const struct esmtp_event *ev);

/* A limit refused (or intercepted) the packet pi: count is the units held,
 * limit the configured one (ASA 201009..201013). Rate-limited. */
void rec_limit(struct worker *w, const struct pkt_info *pi, uint16_t in_port, uint32_t msgid,
		uint32_t count, uint32_t limit);

/* IOS `audit-trail on`: the session's start record, or its stop record
 * with the payload bytes each side sent. */
/* ASA 106015 "Deny TCP (no connection)" for a segment of an unknown
 * connection that midstream: drop refused (rate-limited, 10/s a worker). */
void rec_noconn(struct worker *w, const struct pkt_info *pi, uint16_t in_port);

/* `debug esmtp`: one inspector decision of a traced connection (what, and
 * the line it is about, if any) as a debug line, rate-limited. */
void rec_debug(struct worker *w, const struct wk_flow *f, int c2s, const char *what,
		const uint8_t *line, size_t len);

void rec_session(struct worker *w, struct wk_flow *f, int stop);

#endif /* SMTPWALL_RECORDS_H */
