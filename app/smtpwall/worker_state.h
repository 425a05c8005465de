/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_WORKER_STATE_H
#define SMTPWALL_WORKER_STATE_H

/*
 * One worker lcore's state: it owns queue q of every port (or a ring fed
 * by the dispatcher), its flow table, its timers and its counters, and
 * shares nothing on the hot path (DESIGN.md, the data path). The struct
 * reads as the list of the parts it owns; each feature's part is used by
 * the file named beside it. The worker's entry points: worker.h.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "addrwatch.h"
#include "admit.h"
#include "conns.h"
#include "sw_config.h"
#include "counters.h"
#include "esmtp.h"
#include "flow.h"
#include "intercept.h"
#include "sw_log.h"
#include "nbrcache.h"
#include "tcp.h"
#include "tsclock.h"
#include "txq.h"
#include "wiring.h"

#define WK_BURST 32
#define WK_TICK_MAX 1024 /* connections whose queued segments can time out */
#define WK_MAX_PORTS (2 * CONFIG_MAX_PAIRS) /* ports of one worker: every port of every pair */

enum wk_mode {
	WK_MODE_PORTS, /* polls queue q of every port, transmits on queue q */
	WK_MODE_RINGS, /* fed by the dispatcher, hands frames back to it */
	WK_MODE_OFFLINE, /* fed and drained by the offline capture loop */
};

/* Where the offline mode sends what would have left the box. */
typedef void (*wk_sink_fn)(void *arg, struct rte_mbuf *m, uint16_t out_port);

struct pgen;

/* Audit records to the control lcore (records.c). */
struct wk_audit {
	struct log_ring *log;
	struct log_limiter log_limit; /* inspection events */
	struct log_limiter limit_log_limit; /* 2010xx: connection limits */
	struct log_limiter noconn_log_limit; /* 106015: segments of no connection */
	struct log_limiter debug_log_limit; /* debug esmtp lines */
};

/* Inspection: lib/tcp and lib/esmtp of this worker (inspect.c, verdict.c, egress.c). */
struct wk_inspect {
	struct tcp_ctx *tcp; /* lib/tcp pools and counters */
	struct esmtp_counters ecnt;
	/* Connections with out-of-order segments queued (lib/tcp's timer). */
	uint32_t n_tick;
	struct flow_entry *tick[WK_TICK_MAX];
	/* Scratch of the inspection path, too big for the stack. */
	struct tcp_out tout;
	struct esmtp_result eres;
};

/* TCP Intercept (splice.c): cookie keys, derived at first use from the
 * wiring's master secret, and the start/stop notices. */
struct wk_intercept {
	struct ic_secrets keys;
	bool ready;
	bool active; /* cookies sent lately: a start notice went out */
	uint64_t last_ns; /* when the last cookie was sent */
	uint64_t start_ns, start_sent, start_ok; /* at the start notice */
};

struct worker {
	struct wk_stats st; /* counters (counters.h): first, its own cache lines */

	/* Who it is, what it is wired to: read-only once it runs. */
	unsigned int id;
	enum wk_mode mode;
	uint16_t queue;
	uint64_t hz; /* ticks per second of `now` */
	const struct wiring *wire;

	/* Frames in and out. */
	unsigned int n_ports;
	uint16_t ports[WK_MAX_PORTS];
	struct txq *txq[WK_MAX_PORTS]; /* indexed like ports[] */
	uint8_t port_idx[RTE_MAX_ETHPORTS]; /* port id -> index in ports[] */
	struct rte_ring *in_ring, *out_ring; /* software dispatch */
	wk_sink_fn sink; /* offline */
	void *sink_arg;
	uint32_t idle_sleep_us;

	/* Time: the burst being processed, the expiry sweep. */
	uint64_t now;
	uint64_t next_expire;
	uint64_t expire_every;

	/* Connections: the flow table, and how frames are met. */
	struct flow_table *ft;
	struct flow_entry *reclaimed; /* the closed entry a new connection last took (NULL: none) */
	bool verify_ip4_csum;
	bool verify_tcp_csum;
	bool midstream_drop;
	bool flushing; /* worker_flush_flows: no packet leaves any more */

	/* Policy: the generation new connections take (pgen.h). */
	struct pgen *gen;
	volatile uint32_t gen_seen; /* its id, for the control lcore's reaping */

	struct wk_audit audit; /* records.c */
	struct wk_inspect insp; /* inspect.c, verdict.c, egress.c */
	struct admit_worker admit; /* admission.c, lib/admit: IOS half-open connections */
	struct wk_intercept ic; /* splice.c */
	/* `show conn` requests from the telemetry thread (conns.h). */
	struct conns_req conns __rte_cache_aligned;
	struct nbr_cache nbr; /* clear conn ... reset: the ends' MACs (nbrcache.h) */
	struct addr_seen cap_seen; /* capture: the address, as this worker last read it */
} __rte_cache_aligned;

/*
 * Nanoseconds of the burst being processed: wk_now_ns on a fixed base
 * (durations, rate limits), wk_wall_ns on the real clock, re-synced every
 * second (record times). Offline both are the capture's time.
 */
static inline uint64_t
wk_now_ns(const struct worker *w)
{
	return w->mode == WK_MODE_OFFLINE ? w->now : audit_tsc_to_ns(w->now);
}

static inline uint64_t
wk_wall_ns(const struct worker *w)
{
	return w->mode == WK_MODE_OFFLINE ? w->now : audit_tsc_to_wall_ns(w->now);
}

/* Sends m out of the peer of its input port (m->port). */
static inline void
wk_send(struct worker *w, struct rte_mbuf *m)
{
	uint16_t out = w->wire->peer[m->port];

	w->st.tx_pkts++;
	w->st.tx_bytes += rte_pktmbuf_pkt_len(m);
	switch (w->mode) {
	case WK_MODE_PORTS:
		txq_send(w->txq[w->port_idx[out]], m);
		break;
	case WK_MODE_RINGS:
		/* The dispatcher transmits; it reads the output port from m->port. */
		m->port = out;
		if (unlikely(rte_ring_sp_enqueue(w->out_ring, m) != 0)) {
			w->st.tx_pkts--;
			w->st.tx_bytes -= rte_pktmbuf_pkt_len(m);
			w->st.tx_drop++;
			rte_pktmbuf_free(m);
		}
		break;
	case WK_MODE_OFFLINE:
		w->sink(w->sink_arg, m, out);
		break;
	}
}

#endif /* SMTPWALL_WORKER_STATE_H */
