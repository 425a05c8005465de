/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_INSPECT_H
#define SMTPWALL_INSPECT_H

/*
 * The glue between the worker, lib/tcp and lib/esmtp: a new connection is
 * classified once; every segment of an inspected connection goes through
 * lib/tcp (in-order, held, queued, retransmissions), which calls the ESMTP
 * inspector; the packets lib/tcp releases are checksummed and forwarded,
 * dropped, or answered with RSTs. Events become counters and audit records.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "esmtp.h"
#include "flow.h"
#include "pkt.h"
#include "tcp.h"

struct worker;

/* Per-flow state, the flow entry's user area. */
struct wk_flow {
	struct tcp_conn tcp;      /* first: lib/tcp's callback finds us by container_of */
	struct flow_entry *entry; /* back pointer (addresses, ports for audit lines) */
	const struct esmtp_policy *policy; /* the inspect map of this connection */
	uint16_t init_port;       /* port the initiator's packets arrive on */
	uint8_t mode;             /* enum wk_flow_mode */
	uint8_t pad[5];
	struct esmtp esmtp;
};

enum wk_flow_mode {
	WK_FLOW_FORWARD = 0, /* not inspected: forwarded untouched */
	WK_FLOW_INSPECT,     /* through lib/tcp and lib/esmtp */
	WK_FLOW_BYPASS,      /* was inspected, now forwarded untouched (allowed STARTTLS) */
	WK_FLOW_DROPPED,     /* verdict drop/reset: every later packet is dropped */
};

/* Creates the worker's lib/tcp context; 0 or -1. */
int inspect_worker_init(struct worker *w);
void inspect_worker_fini(struct worker *w);

/*
 * A new flow: decides whether it is inspected. Returns 0 to go on, -1 when
 * the packet must be dropped (an unknown TCP connection on an inspected
 * port with midstream: drop).
 */
int inspect_flow_new(struct worker *w, struct flow_entry *e, const struct pkt_info *pi,
	uint16_t in_port);

/*
 * A segment of a flow in mode INSPECT, BYPASS or DROPPED: takes ownership of m
 * (forwards, holds, or frees it). dir is the flow-key direction of m.
 */
void inspect_segment(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
	const struct pkt_info *pi, int dir, uint64_t now);

/* The flow is going away (timeout, table flush): frees held packets. */
void inspect_flow_free(struct worker *w, struct flow_entry *e);

#endif /* SMTPWALL_INSPECT_H */
