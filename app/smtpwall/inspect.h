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
struct pgen;

/* Limit units a connection holds (struct wk_flow.lim). */
#define WK_LIM_CLASS 0x01 /* class conn-max */
#define WK_LIM_CLASS_EMB 0x02 /* class embryonic-conn-max */
#define WK_LIM_CLIENT 0x04 /* per-client-max */
#define WK_LIM_CLIENT_EMB 0x08 /* per-client-embryonic-max */
#define WK_LIM_STATIC 0x10 /* static max_conns */
#define WK_LIM_STATIC_EMB 0x20 /* static em_limit */
#define WK_LIM_IOS_EMB 0x40 /* IOS max-incomplete (global half-open) */
#define WK_LIM_IOS_HOST 0x80 /* IOS tcp max-incomplete host */
#define WK_LIM_EMB_ALL \
	(WK_LIM_CLASS_EMB | WK_LIM_CLIENT_EMB | WK_LIM_STATIC_EMB | WK_LIM_IOS_EMB | \
		WK_LIM_IOS_HOST)
#define WK_NO_CLASS 0xffff
#define WK_IC_HELD 4 /* client segments held while an intercepted server side opens */

/* Per-flow state, the flow entry's user area (its entry: wk_entry_of). Its
 * size decides memory per connection: the table rounds it up to 64 bytes,
 * so keep it at or under 512 (a 640-byte entry: 10M connections in about
 * 6.8 GB, docs/benchmarks.md). */
struct wk_flow {
	struct tcp_conn tcp; /* first: lib/tcp's callback finds us by container_of */
	struct pgen *gen; /* policy generation it was classified with, or NULL */
	uint32_t client_idx; /* per-client limit cell (conns; +1 scope for embryonic) */
	uint32_t client_emb_idx;
	uint32_t ios_host_idx; /* IOS per-host half-open cell */
	uint32_t tick_slot; /* 1 + index in the worker's tick list, 0 when not in it */
	uint32_t ho_seq; /* its entry in the worker's IOS half-open ring, 0: none */
	uint16_t class_insp; /* class that decided inspection (counters), or WK_NO_CLASS */
	uint16_t class_conn; /* class whose limits apply, or WK_NO_CLASS */
	uint16_t imap; /* inspect map index (audit labels) */
	int16_t stat; /* static covering the server, or -1 */
	uint16_t init_port; /* port the initiator's packets arrive on */
	uint8_t mode; /* enum wk_flow_mode */
	uint8_t lim; /* WK_LIM_* units held */
	uint8_t alert; /* log inspection events (IOS alert) */
	uint8_t audit_trail; /* IOS audit-trail: session start/stop records */
	/* TCP Intercept (splice.c): a connection whose client completed a
	 * cookie handshake with the box. */
	uint8_t ic_state; /* enum wk_ic_state */
	uint8_t ic_nheld; /* client segments held while the server side opens */
	uint8_t ic_cli_ws; /* window scale the client offered, or IC_WSCALE_NONE */
	uint8_t ic_ws[4]; /* window rescaling: client->server from, to; server->client from, to */
	uint8_t ic_tries; /* SYNs to the server sent again */
	uint8_t own_timeouts; /* class_conn sets timeouts; else the table's apply */
	uint8_t pad[1];
	uint32_t ic_delta; /* server ISN - cookie: the client sees server numbers minus this */
	struct rte_mbuf *ic_held[WK_IC_HELD];
	struct esmtp esmtp;
};

enum wk_ic_state {
	WK_IC_NONE = 0,
	WK_IC_CONNECTING, /* cookie valid, SYN sent to the server, client held */
	WK_IC_SPLICED, /* both sides up: every segment is translated */
};

_Static_assert(
	sizeof(struct wk_flow) <= 512, "struct wk_flow past 512 B costs 64 B more per connection");

/* The flow entry a wk_flow belongs to. */
static inline struct flow_entry *
wk_entry_of(const struct wk_flow *f)
{
	return flow_entry_of_user(f);
}

enum wk_flow_mode {
	WK_FLOW_FORWARD = 0, /* not inspected: forwarded untouched */
	WK_FLOW_INSPECT, /* through lib/tcp and lib/esmtp */
	WK_FLOW_BYPASS, /* was inspected, now forwarded untouched (allowed STARTTLS) */
	WK_FLOW_DROPPED, /* verdict drop/reset: every later packet is dropped */
};

/* Creates the worker's lib/tcp context; 0 or -1. */
int inspect_worker_init(struct worker *w);
void inspect_worker_fini(struct worker *w);

enum inspect_new {
	INSPECT_NEW_OK = 0, /* go on: track and forward m */
	INSPECT_NEW_DROP, /* drop m, delete the entry (midstream: drop) */
	INSPECT_NEW_REFUSED, /* a connection limit refused it (counted): drop m, delete the entry */
	INSPECT_NEW_CONSUMED, /* m was answered with a SYN cookie: delete the entry */
	INSPECT_NEW_SPLICED, /* m returned a valid cookie and is held: keep the entry */
};

/*
 * A new flow (m, of flow-key direction dir, arrived on m->port): decides
 * whether it is inspected, applies the connection limits and TCP
 * Intercept. Takes ownership of m only when it returns CONSUMED or SPLICED.
 */
enum inspect_new inspect_flow_new(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
	const struct pkt_info *pi, int dir);

/* lib/tcp's half of inspect_segment, for segments TCP Intercept already handled. */
void inspect_segment_raw(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
	const struct pkt_info *pi, int dir, uint64_t now);

/* A free-text audit record (LOG_RAW), not rate-limited: callers are. */
void inspect_audit_text(struct worker *w, uint8_t severity, const char *text, size_t len);

/* Puts the flow on the worker's tick list (inspect_tick visits it). */
void inspect_tick_add(struct worker *w, struct flow_entry *e);

/* Drops the connection now: lib/tcp state freed, later packets dropped. */
void inspect_flow_kill(struct worker *w, struct flow_entry *e);

/*
 * A segment of a flow in mode INSPECT, BYPASS or DROPPED: takes ownership of m
 * (forwards, holds, or frees it). dir is the flow-key direction of m.
 */
void inspect_segment(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
	const struct pkt_info *pi, int dir, uint64_t now);

/* The flow is going away (timeout, table flush): frees held packets,
 * gives back its limit units. */
void inspect_flow_free(struct worker *w, struct flow_entry *e);

/*
 * The limit units a connection can give back in its state: its embryonic
 * ones once it left the embryonic states, all of them once closed (RST, or
 * both FINs acknowledged: a closed connection lingers a few seconds but no
 * longer counts). Inline: the worker asks on every packet of a limited
 * connection and calls inspect_flow_settle only when there is something.
 */
static inline uint8_t
inspect_settle_units(const struct wk_flow *f, const struct flow_entry *e)
{
	if (e->state == FLOW_ST_CLOSED)
		return f->lim;
	return e->state >= FLOW_ST_ESTABLISHED ? (uint8_t)(f->lim & WK_LIM_EMB_ALL) : 0;
}

/* Gives back the limit units inspect_settle_units names. */
void inspect_flow_settle(struct worker *w, struct flow_entry *e, uint8_t units);

/*
 * Runs lib/tcp's timer (out-of-order segments not filled in time) for the
 * connections that have segments queued; bounded work.
 */
void inspect_tick(struct worker *w, uint64_t now);

/* Applies the class's own timeout of the flow's current state. */
void inspect_flow_timeout(struct worker *w, struct flow_entry *e, uint64_t now);

#endif /* SMTPWALL_INSPECT_H */
