/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_INSPECT_H
#define SMTPWALL_INSPECT_H

/*
 * The segments of inspected connections: each goes through lib/tcp
 * (in-order, held, queued, retransmissions), which calls the inspector
 * (verdict.c); what lib/tcp releases leaves through egress.c; a drop or
 * reset verdict ends the connection. Intercepted connections are
 * translated on the way in and opened with splice.c's help.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "flowstate.h"
#include "pkt.h"

struct worker;
struct ic_opts;

/*
 * A segment of a flow in mode INSPECT, BYPASS or DROPPED (or one TCP
 * Intercept is opening): takes ownership of m (forwards, holds, or frees
 * it). dir is the flow-key direction of m.
 */
void inspect_segment(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir, uint64_t now);

/* lib/tcp's half of inspect_segment, for segments TCP Intercept already handled. */
void inspect_segment_raw(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir, uint64_t now);

/*
 * Frees lib/tcp's state of f (what it held leaves or is dropped) but keeps
 * where each side's stream stood (the audit trail's stop record).
 */
void inspect_conn_release(struct worker *w, struct wk_flow *f);

/* Drops the connection now: lib/tcp state freed, later packets dropped. */
void inspect_flow_kill(struct worker *w, struct flow_entry *e);

/* A validated client's ACK m: TCP Intercept opens the server side. Takes
 * ownership of m. */
void inspect_splice_open(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir, const struct ic_opts *o);

/* The flow is going away (timeout, table flush): frees held packets,
 * gives back its limit units, writes its audit-trail stop record. */
void inspect_flow_free(struct worker *w, struct flow_entry *e);

/*
 * Runs lib/tcp's timer (out-of-order segments not filled in time) for the
 * connections that have segments queued, and TCP Intercept's: bounded work.
 */
void inspect_tick(struct worker *w, uint64_t now);

#endif /* SMTPWALL_INSPECT_H */
