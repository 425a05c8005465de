/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_FLOWSTATE_H
#define SMTPWALL_FLOWSTATE_H

/*
 * The app's per-flow state: the user area of a lib/flow entry. What each
 * feature keeps of a connection, in one struct: lib/tcp's connection,
 * lib/esmtp's inspector, lib/admit's units, TCP Intercept's splice.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "admit.h"
#include "esmtp.h"
#include "flow.h"
#include "tcp.h"

struct pgen;

#define WK_NO_CLASS 0xffff
#define WK_IC_HELD 4 /* client segments held while an intercepted server side opens */

/* Per-flow state, the flow entry's user area (its entry: wk_entry_of). Its
 * size decides memory per connection: the table rounds it up to 64 bytes,
 * so keep it at or under 512 (a 640-byte entry: 10M connections in about
 * 6.8 GB, docs/benchmarks.md). */
struct wk_flow {
	struct tcp_conn tcp; /* first: lib/tcp's callback finds us by container_of */
	struct pgen *gen; /* policy generation it was classified with, or NULL */
	struct admit_conn adm; /* limit units held, the class and static whose limits apply */
	uint32_t tick_slot; /* 1 + index in the worker's tick list, 0 when not in it */
	uint16_t class_insp; /* class that decided inspection (counters), or WK_NO_CLASS */
	uint16_t imap; /* inspect map index (audit labels) */
	uint16_t init_port; /* port the initiator's packets arrive on */
	uint8_t mode; /* enum wk_flow_mode */
	uint8_t alert; /* log inspection events (IOS alert) */
	uint8_t audit_trail; /* IOS audit-trail: session start/stop records */
	uint8_t own_timeouts; /* adm.class_id sets timeouts; else the table's apply */
	/* TCP Intercept (splice.c): a connection whose client completed a
	 * cookie handshake with the box. */
	uint8_t ic_state; /* enum wk_ic_state */
	uint8_t ic_nheld; /* client segments held while the server side opens */
	uint8_t ic_cli_ws; /* window scale the client offered, or IC_WSCALE_NONE */
	uint8_t ic_ws[4]; /* window rescaling: client->server from, to; server->client from, to */
	uint8_t ic_tries; /* SYNs to the server sent again */
	uint32_t ic_delta; /* server ISN - cookie: the client sees server numbers minus this */
	struct rte_mbuf *ic_held[WK_IC_HELD];
	struct esmtp esmtp;
};

enum wk_ic_state {
	WK_IC_NONE = 0,
	WK_IC_CONNECTING, /* cookie valid, SYN sent to the server, client held */
	WK_IC_SPLICED, /* both sides up: every segment is translated */
};

enum wk_flow_mode {
	WK_FLOW_FORWARD = 0, /* not inspected: forwarded untouched */
	WK_FLOW_INSPECT, /* through lib/tcp and lib/esmtp */
	WK_FLOW_BYPASS, /* was inspected, now forwarded untouched (allowed STARTTLS) */
	WK_FLOW_DROPPED, /* verdict drop/reset: every later packet is dropped */
};

_Static_assert(sizeof(struct wk_flow) <= 512,
		"struct wk_flow past 512 B costs 64 B more per connection");

/* The flow entry a wk_flow belongs to. */
static inline struct flow_entry *
wk_entry_of(const struct wk_flow *f)
{
	return flow_entry_of_user(f);
}

static inline struct wk_flow *
wk_flow_of(struct flow_entry *e)
{
	return flow_entry_user(e);
}

/* The lib/tcp direction of a packet of flow-key direction key_dir: 0 from
 * the initiator (the client). */
static inline int
wk_tcp_dir(const struct flow_entry *e, int key_dir)
{
	return key_dir == e->init_dir ? 0 : 1;
}

#endif /* SMTPWALL_FLOWSTATE_H */
