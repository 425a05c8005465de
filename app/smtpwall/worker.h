/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_WORKER_H
#define SMTPWALL_WORKER_H

/*
 * One worker lcore: it owns queue q of every port (or a ring fed by the
 * dispatcher), its flow table, its timers and its counters, and shares
 * nothing on the hot path (DESIGN.md, the data path).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app.h"
#include "conns.h"
#include "esmtp.h"
#include "flow.h"
#include "intercept.h"
#include "log.h"
#include "rss.h"
#include "tcp.h"
#include "txq.h"
#include "stats.h"

#define WK_BURST 32
#define WK_TICK_MAX 1024 /* connections whose queued segments can time out */
#define WK_HO_MAX 4096 /* IOS half-open connections remembered, oldest first */

/* An IOS half-open connection of this worker (seq tells a reused entry). */
struct wk_half_open {
	struct flow_entry *e;
	uint32_t seq;
	uint32_t cell; /* IOS per-host cell of its server */
};

enum wk_mode {
	WK_MODE_PORTS, /* polls queue q of every port, transmits on queue q */
	WK_MODE_RINGS, /* fed by the dispatcher, hands frames back to it */
	WK_MODE_OFFLINE, /* fed and drained by the offline capture loop */
};

/* Where the offline mode sends what would have left the box. */
typedef void (*wk_sink_fn)(void *arg, struct rte_mbuf *m, uint16_t out_port);

struct worker {
	struct wk_stats st; /* first: its own cache lines */
	unsigned int id;
	enum wk_mode mode;
	uint16_t queue;
	uint16_t n_queues; /* queues of every port, when rss is set */
	const struct rss_ctx *rss; /* set: check new connections' queue (app.rxq_check) */
	unsigned int n_ports;
	uint16_t ports[APP_MAX_PORTS];
	struct txq *txq[APP_MAX_PORTS]; /* indexed like ports[] */
	uint8_t port_idx[RTE_MAX_ETHPORTS]; /* port id -> index in ports[] */
	struct rte_ring *in_ring, *out_ring; /* software dispatch */
	wk_sink_fn sink;
	void *sink_arg;

	struct flow_table *ft;
	struct log_ring *log; /* audit records to the control lcore */
	struct log_limiter log_limit;
	struct tcp_ctx *tcp; /* lib/tcp pools and counters of this worker */
	struct pgen *gen; /* policy generation for new connections */
	volatile uint32_t gen_seen; /* its id, for the control lcore's reaping */
	struct log_limiter limit_log_limit;
	struct esmtp_counters ecnt;
	uint64_t now; /* ticks of the burst being processed */
	uint64_t hz; /* ticks per second of `now` */
	uint64_t next_expire; /* tick of the next expiry sweep */
	uint64_t expire_every;
	struct flow_entry *reclaimed; /* the closed entry a new connection last took (NULL: none) */
	bool verify_ip4_csum;
	bool verify_tcp_csum;
	bool midstream_drop;
	uint32_t idle_sleep_us;
	/* IOS: this worker's half-open connections, oldest first (a ring). */
	uint32_t ho_head, ho_n, ho_seq;
	struct wk_half_open ho[WK_HO_MAX];
	/* Connections with out-of-order segments queued (lib/tcp's timer). */
	uint32_t n_tick;
	struct flow_entry *tick[WK_TICK_MAX];
	/* TCP Intercept: cookie keys, derived at first use from app.ic_master. */
	struct ic_secrets ic;
	bool ic_ready;
	bool ic_active; /* cookies sent lately: a start notice went out */
	uint64_t ic_last_ns; /* when the last cookie was sent */
	uint64_t ic_start_ns, ic_start_sent, ic_start_ok; /* at the start notice */
	bool flushing; /* worker_flush_flows: no packet leaves any more */
	/* Scratch of the inspection path, too big for the stack. */
	struct tcp_out tout;
	struct esmtp_result eres;
	/* `show conn` requests from the telemetry thread (conns.h). */
	struct conns_req conns __rte_cache_aligned;
} __rte_cache_aligned;

/*
 * Allocates a worker for the given mode; the flow table uses hz ticks per
 * second (TSC for live ports, nanoseconds offline). NULL on failure.
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

/*
 * Nanoseconds of the burst being processed: wk_now_ns on a fixed base
 * (durations, rate limits), wk_wall_ns on the real clock, re-synced every
 * second (record times). Offline both are the capture's time.
 */
uint64_t wk_now_ns(const struct worker *w);
uint64_t wk_wall_ns(const struct worker *w);

/* Sends m out of the peer of its input port (m->port). */
static inline void
wk_send(struct worker *w, struct rte_mbuf *m)
{
	uint16_t out = app.peer[m->port];

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

#endif /* SMTPWALL_WORKER_H */
