/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's data path: rx burst → parse → bulk flow lookup → track →
 * forward to the peer port. The common case (a frame of a known flow) is
 * straight-line; new flows and malformed frames take the slow branches.
 */
#include "worker.h"

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "admission.h"
#include "capture.h"
#include "sw_config.h"
#include "ctl_reset.h"
#include "inspect.h"
#include "pgen.h"
#include "pkt.h"
#include "records.h"
#include "verdict.h"

#define WK_EXPIRE_BUDGET 64 /* entries per sweep: bounded work per loop */
#define WK_EXPIRE_HZ 1000 /* sweeps per second */
#define WK_IDLE_BEFORE_SLEEP 256
#define WK_LOG_RING 4096 /* audit records in flight per worker */
#define WK_PREEMPTED_MS 1 /* a burst this long was descheduled, not busy */
#define WK_AUDIT_RATE 200 /* audit records per second per worker (burst 400) */

static uint64_t wk_preempted = UINT64_MAX; /* WK_PREEMPTED_MS in TSC cycles */

/* Flow tables live in DPDK memory: hugepages on the worker's socket. */
static void *
flow_mem_alloc(size_t size, size_t align, int socket, void *arg)
{
	RTE_SET_USED(arg);
	return rte_zmalloc_socket("flow_table", size, (unsigned int)align, socket);
}

static void
flow_mem_free(void *ptr, void *arg)
{
	RTE_SET_USED(arg);
	rte_free(ptr);
}

static void
worker_flow_gone(struct flow_entry *e, void *arg)
{
	inspect_flow_free(arg, e);
}

/*
 * A new connection takes the place of a closed one (table or chain full):
 * the same cleanup as an expiry, and the burst loop is told, since a later
 * frame of this burst may have looked that entry up.
 */
static void
reclaimed_cb(struct flow_entry *e, void *arg)
{
	struct worker *w = arg;

	w->st.flow_reclaimed++;
	inspect_flow_free(w, e);
	w->reclaimed = e;
}

/* The worker's lib/tcp context, with the operator's bounds (`tcp:`):
 * windows are clamped to what the box holds in flight, the store is
 * shared by the worker's connections. 0 or -1. */
static int
tcp_create(struct worker *w, const struct config_tcp *ct)
{
	struct tcp_params p;

	tcp_params_default(&p);
	p.hz = w->hz;
	p.inspect = verdict_inspect;
	p.inspect_arg = w;
	p.unacked_max = (uint32_t)ct->max_in_flight;
	p.rtx_chunks = (uint32_t)(ct->buffer_per_worker / TCP_RTX_CHUNK);
	p.ooo_max_segs = ct->ooo_segments;
	p.ooo_max_bytes = p.unacked_max;
	p.ooo_timeout_ms = ct->ooo_timeout * 1000;
	/* Slots for held and queued packets: two full queues and room for
	 * every other connection's few. Carry blocks are needed only while
	 * a line is cut across segments; a pool running dry is counted. */
	p.slots = 16384 + 4 * ct->ooo_segments;
	p.carry_blocks = 4096;
	w->insp.tcp = tcp_ctx_create(&p);
	return w->insp.tcp != NULL ? 0 : -1;
}

struct worker *
worker_create(unsigned int id, enum wk_mode mode, uint64_t hz, int socket)
{
	const struct wiring *wr = wiring_get();
	const struct config *cfg = wr->cfg;
	struct flow_table_params fp;
	struct worker *w;

	w = rte_zmalloc_socket("worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL)
		return NULL;
	w->id = id;
	w->mode = mode;
	w->queue = (uint16_t)id;
	w->hz = hz;
	w->expire_every = hz / WK_EXPIRE_HZ ? hz / WK_EXPIRE_HZ : 1;
	w->wire = wr;
	w->verify_ip4_csum = cfg->verify_ip4_csum;
	w->midstream_drop = cfg->midstream == CONFIG_MIDSTREAM_DROP;
	w->verify_tcp_csum = wr->verify_tcp_csum;
	w->idle_sleep_us = cfg->idle_sleep_us;
	wk_preempted = rte_get_tsc_hz() / 1000 * WK_PREEMPTED_MS;

	flow_table_params_default(&fp);
	fp.capacity = cfg->flows_per_worker;
	fp.user_size = sizeof(struct wk_flow);
	fp.hz = hz;
	fp.socket = socket;
	if (mode == WK_MODE_OFFLINE) {
		/* A capture pays for the entries it uses (libc memory, touched
		 * as taken), not for a table sized for a live box. */
		fp.lazy_entries = 1;
	} else {
		fp.mem_alloc = flow_mem_alloc;
		fp.mem_free = flow_mem_free;
		fp.mem_zeroed = 1; /* rte_zmalloc_socket */
	}
	memcpy(fp.timeout_s, cfg->timeouts.s, sizeof(fp.timeout_s)); /* one list, one order */
	fp.reclaim_cb = reclaimed_cb;
	fp.reclaim_arg = w;
	w->ft = flow_table_create(&fp);
	w->audit.log = log_ring_create(WK_LOG_RING);
	if (w->ft == NULL || w->audit.log == NULL || tcp_create(w, &cfg->tcp) != 0) {
		tcp_ctx_free(w->insp.tcp);
		flow_table_free(w->ft);
		log_ring_free(w->audit.log);
		rte_free(w);
		return NULL;
	}
	log_limiter_init(&w->audit.log_limit, WK_AUDIT_RATE, 1000000000ull, WK_AUDIT_RATE * 2);
	/* 2010xx lines come in floods (a SYN flood is one per SYN): ASA
	 * rate-limits them; 10 per second, bursts of 20, per worker. */
	log_limiter_init(&w->audit.limit_log_limit, 10, 1000000000ull, 20);
	/* 106015 too: every stray segment of a scan or of a box restart. */
	log_limiter_init(&w->audit.noconn_log_limit, 10, 1000000000ull, 20);
	/* debug esmtp: a few sessions' worth a second, never a flood. */
	log_limiter_init(&w->audit.debug_log_limit, 100, 1000000000ull, 200);
	admission_worker_init(w);
	memset(w->port_idx, 0xff, sizeof(w->port_idx));
	return w;
}

void
worker_free(struct worker *w)
{
	unsigned int i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n_ports; i++)
		txq_free(w->txq[i]);
	/* Free held packets before the pools that track them. */
	flow_table_flush(w->ft, worker_flow_gone, w);
	tcp_ctx_free(w->insp.tcp);
	flow_table_free(w->ft);
	log_ring_free(w->audit.log);
	rte_free(w);
}

static void
expired_cb(struct flow_entry *e, void *arg)
{
	struct worker *w = arg;

	w->st.flow_expired++;
	inspect_flow_free(w, e);
}

void
worker_flush_flows(struct worker *w)
{
	w->flushing = true;
	flow_table_flush(w->ft, worker_flow_gone, w);
}

void
worker_load_gen(struct worker *w)
{
	struct pgen *g = atomic_load_explicit(&pgen_current, memory_order_acquire);

	w->gen = g;
	w->gen_seen = g != NULL ? g->id : 0;
}

void
worker_expire(struct worker *w, uint64_t now)
{
	if (likely(now < w->next_expire))
		return;
	w->next_expire = now + w->expire_every;
	w->now = now; /* what expiry sends or logs happens now */
	flow_table_expire(w->ft, now, WK_EXPIRE_BUDGET, expired_cb, w);
	if (w->insp.n_tick != 0 || w->ic.active)
		inspect_tick(w, now);
}

void
worker_flush(struct worker *w)
{
	unsigned int i;

	if (w->mode != WK_MODE_PORTS)
		return;
	for (i = 0; i < w->n_ports; i++)
		txq_flush(w->txq[i]);
}

static inline void
wk_drop(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

/*
 * Slow path: a frame of a connection we have no entry for. NULL when m
 * must be dropped, or (*consumed) when TCP Intercept answered or held it.
 */
static struct flow_entry *
flow_miss(struct worker *w, struct rte_mbuf *m, const struct flow_key *k, uint32_t hash, int dir,
		const struct pkt_info *pi, uint64_t now, bool *consumed)
{
	struct flow_entry *e;
	bool opening;
	enum admission rc;

	/* An earlier frame of this burst may have created it. */
	e = flow_table_lookup(w->ft, k, hash);
	if (e != NULL)
		return e;
	/*
	 * Unknown here: on another worker's queue it may be that worker's
	 * connection (a sender or a NIC that does not keep a flow on one
	 * queue). Never inspected by the wrong worker: counted and dropped.
	 */
	if (w->mode == WK_MODE_PORTS && w->wire->rss != NULL &&
			rss_queue(rss_hash_tuple(w->wire->rss, pi->addr_len, pi->src, pi->dst,
						  pi->l4_proto, pi->sport, pi->dport),
					w->wire->n_queues) != w->queue) {
		w->st.wrong_queue++;
		return NULL;
	}
	/*
	 * A connection opening (a SYN, or a first datagram) may take the place
	 * of a closed connection when the table is full, as if closed ones were
	 * freed at once (ASA); a stray segment of an unknown connection may not,
	 * or late ACKs of reclaimed connections would reclaim more.
	 */
	opening = pi->l4_proto != IPPROTO_TCP ||
			(pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
	e = opening ? flow_table_add_reclaim(w->ft, k, hash, dir, now)
		    : flow_table_add(w->ft, k, hash, dir, now);
	if (unlikely(e == NULL)) {
		if (opening)
			w->st.flow_full++;
		else
			w->st.flow_full_midstream++;
		return NULL;
	}
	rc = admission_flow_new(w, e, m, pi, dir);
	if (rc == ADMISSION_CONSUMED) {
		/* Answered with a SYN cookie: no state stays. */
		flow_table_del(w->ft, e);
		*consumed = true;
		return NULL;
	}
	if (rc == ADMISSION_DROP || rc == ADMISSION_REFUSED) {
		/* Unknown connection on an inspected port, like a firewall; or
		 * over a limit (counted there). */
		flow_table_del(w->ft, e);
		if (rc == ADMISSION_DROP) {
			w->st.midstream_drop++;
			rec_noconn(w, pi, m->port); /* ASA 106015, rate-limited */
		}
		return NULL;
	}
	if (rc == ADMISSION_SPLICED) {
		/* Held by TCP Intercept while the server side opens. */
		*consumed = true;
		w->st.flow_new++;
		return NULL;
	}
	w->st.flow_new++;
	nbr_learn(&w->nbr, m, pi); /* clear conn ... reset: the ends' MACs */
	if (pi->l4_proto == IPPROTO_TCP && !(pi->tcp_flags & PKT_TCP_SYN)) {
		flow_tcp_pickup(w->ft, e, now);
		w->st.flow_midstream++;
	}
	return e;
}

/*
 * Frames j..nk-1 of the burst whose bulk lookup found the entry a new
 * connection has just taken look again: their connection is gone (or, the
 * slot reused, it would be another's).
 */
static void
burst_forget(struct worker *w, struct flow_entry **entries, const struct flow_key *keys,
		const uint32_t *hashes, uint16_t j, uint16_t nk)
{
	for (; j < nk; j++)
		if (entries[j] == w->reclaimed)
			entries[j] = flow_table_lookup(w->ft, &keys[j], hashes[j]);
	w->reclaimed = NULL;
}

void
worker_process_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	struct pkt_info pi[WK_BURST];
	struct flow_key keys[WK_BURST];
	uint32_t hashes[WK_BURST];
	struct flow_entry *entries[WK_BURST];
	uint8_t kidx[WK_BURST], kdir[WK_BURST];
	uint16_t i, nk = 0;
	uint64_t t0 = rte_rdtsc();
	struct cap_ring *cap = cap_burst(w->id, &w->cap_seen);

	RTE_ASSERT(n <= WK_BURST);
	w->now = now;
	for (i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct pkt_info *p = &pi[i];
		enum pkt_result r;

		w->st.rx_pkts++;
		w->st.rx_bytes += rte_pktmbuf_pkt_len(m);
		if (unlikely(!rte_pktmbuf_is_contiguous(m)) && rte_pktmbuf_linearize(m) != 0) {
			w->st.nonlinear++;
			wk_drop(m);
			pkts[i] = NULL;
			continue;
		}
		r = pkt_parse_ex(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				w->verify_ip4_csum &&
						(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) !=
								RTE_MBUF_F_RX_IP_CKSUM_GOOD,
				p);
		if (unlikely(r != PKT_OK)) {
			/* A firewall drops what it cannot parse, and says why. */
			w->st.malformed++;
			w->st.drop_reason[r]++;
			wk_drop(m);
			pkts[i] = NULL;
			continue;
		}
		if (p->n_vlan)
			w->st.vlan++;
		if (p->l3 == PKT_L3_NONE) {
			w->st.non_ip++;
			continue;
		}
		if (unlikely(cap != NULL))
			cap_frame(cap, &w->cap_seen, m, p, wk_wall_ns(w)); /* capture ADDRESS */
		if (p->l3 == PKT_L3_IPV4)
			w->st.ipv4++;
		else
			w->st.ipv6++;
		if (unlikely(p->flags & PKT_F_FRAG)) {
			w->st.ip_frag++;
			/* TCP in fragments would reach the server uninspected: a
			 * firewall that inspects drops them (TCP sets DF and
			 * avoids fragmenting; hosts fall back to smaller segments
			 * via PMTU discovery). Other protocols pass. */
			if (p->l4_proto == IPPROTO_TCP && !w->wire->no_inspect) {
				w->st.ip_frag_tcp_drop++;
				wk_drop(m);
				pkts[i] = NULL;
			}
			continue;
		}
		if (p->flags & PKT_F_TCP)
			w->st.tcp++;
		else if (p->l4_proto == IPPROTO_UDP)
			w->st.udp++;
		if (!(p->flags & PKT_F_L4)) {
			w->st.other_l4++;
			continue;
		}
		kdir[nk] = (uint8_t)flow_key_make(&keys[nk], p->addr_len == 4 ? 4 : 6, p->src,
				p->dst, p->sport, p->dport, p->l4_proto,
				p->n_vlan ? (uint16_t)(p->vlan_tci[0] & 0xfff) : 0);
		hashes[nk] = flow_key_hash(&keys[nk]);
		kidx[nk] = (uint8_t)i;
		nk++;
	}

	if (nk != 0)
		flow_table_lookup_bulk(w->ft, keys, hashes, nk, entries);

	for (i = 0; i < nk; i++) {
		struct rte_mbuf *m = pkts[kidx[i]];
		const struct pkt_info *p = &pi[kidx[i]];
		struct flow_entry *e = entries[i];

		if (unlikely(e != NULL && e->state == FLOW_ST_CLOSED && (p->flags & PKT_F_TCP) &&
				    (p->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN)) {
			/* A new connection reusing the 5-tuple of a closed one
			 * (lingering): the old state goes, the new one starts. */
			inspect_flow_free(w, e);
			flow_table_del(w->ft, e);
			w->st.flow_reused++;
			e = NULL;
		}
		if (unlikely(e == NULL)) {
			bool consumed = false;

			e = flow_miss(w, m, &keys[i], hashes[i], kdir[i], p, now, &consumed);
			if (unlikely(w->reclaimed != NULL))
				burst_forget(w, entries, keys, hashes, (uint16_t)(i + 1), nk);
			if (e == NULL) {
				if (!consumed)
					wk_drop(m);
				pkts[kidx[i]] = NULL;
				continue;
			}
		}
		e->pkts[kdir[i]]++;
		e->bytes[kdir[i]] += rte_pktmbuf_pkt_len(m);
		if (p->flags & PKT_F_TCP) {
			struct wk_flow *f = flow_entry_user(e);

			flow_tcp_track(w->ft, e, kdir[i], p->tcp_flags, now);
			if (unlikely(f->own_timeouts))
				admission_flow_timeout(w, e, now);
			if (f->mode != WK_FLOW_FORWARD) {
				/* lib/tcp decides when (and whether) it leaves. */
				inspect_segment(w, e, m, p, kdir[i], now);
				pkts[kidx[i]] = NULL;
			}
			/* Limit units go back as the connection grows up or ends
			 * (the state may have moved in lib/tcp's hands too). */
			if (unlikely(f->adm.lim != 0)) {
				uint8_t units = admission_settle_units(f, e);

				if (units != 0)
					admission_settle(w, e, units);
			}
		} else {
			flow_touch(w->ft, e, now);
		}
	}

	for (i = 0; i < n; i++)
		if (pkts[i] != NULL)
			wk_send(w, pkts[i]);
	t0 = rte_rdtsc() - t0;
	/* A burst that took longer than WK_PREEMPTED was descheduled midway
	 * (a shared core): counted apart, not as cycles of work. */
	if (unlikely(t0 > wk_preempted))
		w->st.busy_preempted++;
	else
		w->st.busy_cycles += t0;
}

static int
worker_loop_ports(struct worker *w)
{
	struct rte_mbuf *pkts[WK_BURST];
	unsigned int idle = 0;

	while (likely(!*w->wire->quit)) {
		uint64_t now = rte_rdtsc();
		unsigned int i, got = 0;

		worker_load_gen(w);
		for (i = 0; i < w->n_ports; i++) {
			uint16_t n = rte_eth_rx_burst(w->ports[i], w->queue, pkts, WK_BURST);

			if (n != 0) {
				worker_process_burst(w, pkts, n, now);
				got += n;
			}
		}
		worker_flush(w);
		worker_expire(w, now);
		conns_poll(w->ft, &w->conns, ctl_clear_flows, w);
		w->st.polls++;
		if (got == 0) {
			w->st.idle_polls++;
			if (w->idle_sleep_us && ++idle > WK_IDLE_BEFORE_SLEEP)
				rte_delay_us_sleep(w->idle_sleep_us);
		} else {
			idle = 0;
		}
	}
	return 0;
}

static int
worker_loop_rings(struct worker *w)
{
	struct rte_mbuf *pkts[WK_BURST];
	unsigned int idle = 0;

	while (likely(!*w->wire->quit)) {
		uint64_t now = rte_rdtsc();
		unsigned int n;

		worker_load_gen(w);
		n = rte_ring_sc_dequeue_burst(w->in_ring, (void **)pkts, WK_BURST, NULL);

		if (n != 0) {
			worker_process_burst(w, pkts, (uint16_t)n, now);
			idle = 0;
		} else {
			w->st.idle_polls++;
			if (w->idle_sleep_us && ++idle > WK_IDLE_BEFORE_SLEEP)
				rte_delay_us_sleep(w->idle_sleep_us);
		}
		worker_expire(w, now);
		conns_poll(w->ft, &w->conns, ctl_clear_flows, w);
		w->st.polls++;
	}
	return 0;
}

int
worker_main(void *arg)
{
	struct worker *w = arg;

	w->next_expire = rte_rdtsc() + w->expire_every;
	if (w->mode == WK_MODE_RINGS)
		return worker_loop_rings(w);
	return worker_loop_ports(w);
}
