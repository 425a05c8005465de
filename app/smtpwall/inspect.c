/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inspection glue: classification of new connections, lib/tcp in and out,
 * the lib/esmtp callback, checksums of edited packets, RSTs; the audit
 * records themselves are made in records.c. Runs on the worker lcore; the
 * only allocation is an mbuf for an RST.
 */
#include "inspect.h"

#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "app.h"
#include "pgen.h"
#include "policy.h"
#include "records.h"
#include "segment.h"
#include "splice.h"
#include "worker.h"

#define WK_AUDIT_RATE 200 /* audit records per second per worker (burst 400) */

static inline struct wk_flow *
wk_flow_of(struct flow_entry *e)
{
	return flow_entry_user(e);
}

/* The lib/tcp direction of a packet: 0 from the initiator (the client). */
static inline int
tcp_dir(const struct flow_entry *e, int key_dir)
{
	return key_dir == e->init_dir ? 0 : 1;
}

void
inspect_audit_text(struct worker *w, uint8_t severity, const char *text, size_t len)
{
	struct log_rec r;

	rec_begin(w, NULL, LOG_RAW, severity, &r);
	log_rec_set_text(&r, text, len, NULL, 0);
	rec_push(w, &r);
}

/* ------------------------------------------------------------------ */
/* The inspector callback (called by lib/tcp)                           */

/*
 * ASA `rate-limit N`: a rule whose action is rate-limit lets N matching
 * messages a second through the box (one bucket for all workers); past
 * that the connection is dropped (the sender's MTA retries later), counted
 * as a drop of that rule.
 */
static void
rate_limit(struct worker *w, struct wk_flow *f, struct esmtp_result *er)
{
	unsigned int i;

	for (i = 0; i < er->n_events; i++) {
		const struct esmtp_event *ev = &er->events[i];

		if (ev->action != ESMTP_ACT_RATE_LIMIT || ev->rule == ESMTP_RULE_NONE ||
			f->imap >= f->gen->n_imaps || ev->rule >= ESMTP_MAX_RULES)
			continue;
		if (log_shared_limiter_allow(pgen_rate(f->gen, f->imap, ev->rule), wk_now_ns(w)))
			continue;
		w->st.insp_rate_limited++;
		if (er->verdict == ESMTP_FORWARD || er->verdict == ESMTP_DROP_PACKET)
			er->verdict = ESMTP_DROP_CONN;
	}
}

static void
insp_cb(void *arg, struct tcp_conn *c, int dir, const uint8_t *buf, uint32_t len,
	struct tcp_insp_result *r)
{
	struct worker *w = arg;
	struct wk_flow *f = (struct wk_flow *)((char *)c - offsetof(struct wk_flow, tcp));
	struct esmtp_result *er = &w->eres;
	unsigned int i;

	esmtp_push(&f->esmtp, dir == 0 ? ESMTP_DIR_C2S : ESMTP_DIR_S2C, buf, len, er);
	if (unlikely(er->n_events != 0) && f->gen != NULL)
		rate_limit(w, f, er);
	esmtp_counters_add(&w->ecnt, dir == 0 ? ESMTP_DIR_C2S : ESMTP_DIR_S2C, len, er);
	if (f->gen != NULL && f->class_insp != WK_NO_CLASS)
		policy_counters_account(&f->gen->cnt[w->id][f->class_insp], er);
	for (i = 0; i < er->n_events; i++)
		rec_event(w, f, &er->events[i]);

	/* Verdict and edits are lib/insp's on both sides: passed on as they are. */
	r->consumed = er->consumed;
	r->verdict = (uint8_t)er->verdict;
	r->overflow = er->overflow;
	r->retry_other = er->retry_other;
	r->n_edits = er->n_edits;
	memcpy(r->edits, er->edits, er->n_edits * sizeof(r->edits[0]));
}

int
inspect_worker_init(struct worker *w)
{
	struct tcp_params p;

	const struct config_tcp *ct = &app.cfg.tcp;

	tcp_params_default(&p);
	p.hz = w->hz;
	p.inspect = insp_cb;
	p.inspect_arg = w;
	/* The operator's bounds (`tcp:`): windows are clamped to what the box
	 * holds in flight, the store is shared by the worker's connections. */
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
	w->tcp = tcp_ctx_create(&p);
	if (w->tcp == NULL)
		return -1;
	log_limiter_init(&w->log_limit, WK_AUDIT_RATE, 1000000000ull, WK_AUDIT_RATE * 2);
	/* 2010xx lines come in floods (a SYN flood is one per SYN): ASA
	 * rate-limits them; 10 per second, bursts of 20, per worker. */
	log_limiter_init(&w->limit_log_limit, 10, 1000000000ull, 20);
	return 0;
}

void
inspect_worker_fini(struct worker *w)
{
	tcp_ctx_free(w->tcp);
	w->tcp = NULL;
}

/* ------------------------------------------------------------------ */
/* Packets out of lib/tcp                                               */

/*
 * Recomputes the TCP checksum of a packet whose payload lib/tcp edited
 * (same-length edits: nothing else changes). The NIC does it where the
 * output port can; software otherwise (vdevs, rings, offline).
 */
static void
fix_checksum(struct worker *w, struct rte_mbuf *m)
{
	struct pkt_info pi;
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t out = app.peer[m->port];

	if (pkt_parse_ex(frame, rte_pktmbuf_data_len(m), false, &pi) != PKT_OK ||
		!(pi.flags & PKT_F_TCP))
		return;
	w->st.insp_edited_pkts++;
	if (w->mode != WK_MODE_OFFLINE && out < RTE_MAX_ETHPORTS && app.port_tx_tcp_cksum[out] &&
		pi.n_vlan == 0) {
		/* Offload: the field holds the pseudo-header sum, the NIC adds the
		 * segment. The IPv4 header is unchanged, so its checksum stays. */
		uint32_t sum = 0;
		uint16_t l4len = (uint16_t)(pi.l3_len - (pi.l4_off - pi.l3_off));
		uint8_t ph[4] = {0, IPPROTO_TCP, (uint8_t)(l4len >> 8), (uint8_t)l4len};

		m->l2_len = pi.l3_off;
		m->l3_len = (uint16_t)(pi.l4_off - pi.l3_off);
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM |
			(pi.l3 == PKT_L3_IPV4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
		sum = pkt_cksum_partial(pi.src, pi.addr_len, sum);
		sum = pkt_cksum_partial(pi.dst, pi.addr_len, sum);
		sum = pkt_cksum_partial(ph, sizeof(ph), sum);
		/* Stored uncomplemented: the NIC complements the final sum. */
		pkt_store16(frame + pi.l4_off + 16, (uint16_t)~pkt_cksum_finish(sum));
		w->st.insp_cksum_offload++;
		return;
	}
	pkt_l4_cksum_set(frame, &pi);
}

/*
 * A packet of f leaves the box. On a spliced connection the server's
 * segments are translated into the client's numbers first, and the
 * server's SYN-ACK is not sent at all (the client had the box's).
 * edited: the payload changed, the checksum is recomputed (after the
 * translation, which only adjusts it).
 */
static void
egress(struct worker *w, const struct wk_flow *f, struct rte_mbuf *m, bool edited)
{
	if (unlikely(f->ic_state != WK_IC_NONE) && splice_egress(f, m) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (edited)
		fix_checksum(w, m);
	wk_send(w, m);
}

static void
apply_out(struct worker *w, const struct wk_flow *f, struct tcp_out *out)
{
	uint16_t i;

	for (i = 0; i < out->n; i++) {
		struct rte_mbuf *m = out->v[i].pkt;

		switch (out->v[i].act) {
		case TCP_ACT_FORWARD_EDITED:
			egress(w, f, m, true);
			break;
		case TCP_ACT_FORWARD:
			egress(w, f, m, false);
			break;
		default:
			w->st.insp_drop_pkts++;
			rte_pktmbuf_free(m);
			break;
		}
	}
	out->n = 0;
}

/*
 * An RST travelling in lib/tcp direction d, built from the headers of m
 * (which travels in direction mdir): Ethernet and VLAN tags copied, a plain
 * IP header, seq/ack from lib/tcp so that the receiver accepts it.
 */
static void
send_rst(struct worker *w, struct wk_flow *f, const struct rte_mbuf *m, const struct pkt_info *pi,
	int mdir, int d)
{
	struct pkt_tcp_spec s;
	struct rte_mbuf *r;

	memset(&s, 0, sizeof(s));
	if (tcp_conn_rst_seq(&f->tcp, d, &s.seq, &s.ack) != 0)
		return;
	s.flags = PKT_TCP_RST | PKT_TCP_ACK;
	s.reverse = d != mdir;
	s.wscale = PKT_BUILD_NO_WSCALE;
	r = segment_new(m, pi, &s);
	if (r == NULL) {
		w->st.insp_rst_nombuf++;
		return;
	}
	/* As if it arrived with m (same direction) or against it: wk_send
	 * sends to the peer of r->port. */
	r->port = d == mdir ? m->port : app.peer[m->port];
	w->st.insp_rst_sent++;
	egress(w, f, r, false);
}

static bool
tcp_csum_ok(const struct worker *w, const struct rte_mbuf *m, const struct pkt_info *pi)
{
	uint64_t fl = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (!w->verify_tcp_csum)
		return true;
	if (fl == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	if (fl == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	return pkt_l4_cksum_ok(rte_pktmbuf_mtod(m, const uint8_t *), pi);
}

/*
 * Frees lib/tcp's state of f (what it held leaves or is dropped) but keeps
 * where each side's stream stood: the IOS audit trail's stop record counts
 * the bytes each side sent whatever ended inspection (drop, reset, bypass).
 */
static void
conn_release(struct worker *w, struct wk_flow *f)
{
	const struct tcp_half h0 = f->tcp.h[0], h1 = f->tcp.h[1];

	tcp_conn_free(w->tcp, &f->tcp, &w->tout);
	apply_out(w, f, &w->tout);
	f->tcp.h[0].isn = h0.isn;
	f->tcp.h[0].next = h0.next;
	f->tcp.h[0].flags = h0.flags & TCP_H_SYN;
	f->tcp.h[1].isn = h1.isn;
	f->tcp.h[1].next = h1.next;
	f->tcp.h[1].flags = h1.flags & TCP_H_SYN;
}

/* A bypassed connection's bytes still count for its stop record: the
 * highest sequence each side sent (retransmissions count once). */
static void
bypass_count(struct wk_flow *f, int d, const struct pkt_info *pi)
{
	struct tcp_half *h = &f->tcp.h[d];
	uint32_t end = pi->seq + pi->payload_len;

	if ((h->flags & TCP_H_SYN) && pi->payload_len != 0 && (int32_t)(end - h->next) > 0)
		h->next = end;
}

static void
flow_verdict(
	struct worker *w, struct flow_entry *e, struct wk_flow *f, uint8_t verdict, uint64_t now)
{
	switch (verdict) {
	case TCP_CONN_DROP:
	case TCP_CONN_RESET:
		conn_release(w, f);
		f->mode = WK_FLOW_DROPPED;
		/* Later packets are dropped until the entry lingers out. */
		flow_set_state(w->ft, e, FLOW_ST_CLOSED, now);
		if (verdict == TCP_CONN_RESET)
			w->st.insp_conn_reset++;
		else
			w->st.insp_conn_dropped++;
		break;
	case TCP_CONN_BYPASS:
		conn_release(w, f);
		f->mode = WK_FLOW_BYPASS;
		w->st.insp_conn_bypassed++;
		break;
	default:
		break;
	}
}

void
inspect_flow_kill(struct worker *w, struct flow_entry *e)
{
	struct wk_flow *f = wk_flow_of(e);

	if (f->mode == WK_FLOW_INSPECT)
		conn_release(w, f);
	f->mode = WK_FLOW_DROPPED;
	flow_set_state(w->ft, e, FLOW_ST_CLOSED, w->now);
}

static void
tick_add(struct worker *w, struct flow_entry *e, struct wk_flow *f)
{
	if (w->n_tick == WK_TICK_MAX) {
		/* Still timed out, when the connection's next segment comes. */
		w->st.insp_tick_full++;
		return;
	}
	w->tick[w->n_tick++] = e;
	f->tick_slot = w->n_tick;
}

static void
tick_del(struct worker *w, struct wk_flow *f)
{
	uint32_t i = f->tick_slot - 1;
	struct flow_entry *last = w->tick[--w->n_tick];

	w->tick[i] = last;
	wk_flow_of(last)->tick_slot = i + 1;
	f->tick_slot = 0;
}

void
inspect_tick_add(struct worker *w, struct flow_entry *e)
{
	struct wk_flow *f = wk_flow_of(e);

	if (f->tick_slot == 0)
		tick_add(w, e, f);
}

void
inspect_tick(struct worker *w, uint64_t now)
{
	uint32_t i = 0;

	if (unlikely(w->ic_active))
		splice_tick(w);

	while (i < w->n_tick) {
		struct flow_entry *e = w->tick[i];
		struct wk_flow *f = wk_flow_of(e);

		if (unlikely(f->ic_state == WK_IC_CONNECTING)) {
			/* TCP Intercept: the SYN to the server may need sending again. */
			splice_retransmit(w, e);
			i++;
			continue;
		}
		if (f->mode == WK_FLOW_INSPECT && tcp_conn_deadline(w->tcp, &f->tcp) <= now) {
			tcp_conn_tick(w->tcp, &f->tcp, now, &w->tout);
			apply_out(w, f, &w->tout);
		}
		if (f->mode != WK_FLOW_INSPECT || tcp_conn_deadline(w->tcp, &f->tcp) == UINT64_MAX)
			tick_del(w, f); /* the last one moved here: look at i again */
		else
			i++;
	}
}

void
inspect_segment(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
	const struct pkt_info *pi, int dir, uint64_t now)
{
	struct wk_flow *f = wk_flow_of(e);
	struct pkt_info xpi;

	if (unlikely(f->ic_state != WK_IC_NONE)) {
		if (f->ic_state == WK_IC_CONNECTING) {
			splice_connecting(w, e, m, pi, dir, now);
			return;
		}
		if (tcp_dir(e, dir) == 0) {
			/* Into the server's numbers before anything looks at it. */
			xpi = *pi;
			splice_c2s(f, m, &xpi);
			pi = &xpi;
		}
	}
	inspect_segment_raw(w, e, m, pi, dir, now);
}

void
inspect_segment_raw(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
	const struct pkt_info *pi, int dir, uint64_t now)
{
	struct wk_flow *f = wk_flow_of(e);
	struct tcp_seg seg;
	struct tcp_out *out = &w->tout;
	int d = tcp_dir(e, dir);

	if (unlikely(f->mode == WK_FLOW_DROPPED)) {
		w->st.insp_drop_pkts++;
		rte_pktmbuf_free(m);
		return;
	}
	if (f->mode == WK_FLOW_BYPASS) {
		if (unlikely(f->audit_trail))
			bypass_count(f, d, pi);
		egress(w, f, m, false);
		return;
	}
	seg.pkt = m;
	seg.payload = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->payload_off);
	seg.th = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l4_off);
	seg.len = pi->payload_len;
	seg.seq = pi->seq;
	seg.ack = pi->ack;
	seg.win = pi->win;
	seg.flags = pi->tcp_flags;
	seg.dir = (uint8_t)d;
	seg.wscale = (pi->opts.present & PKT_OPT_WSCALE) ? pi->opts.wscale : TCP_WSCALE_NONE;
	seg.csum_ok = tcp_csum_ok(w, m, pi);
	tcp_input(w->tcp, &f->tcp, &seg, now, out);

	if (unlikely(out->conn_verdict == TCP_CONN_RESET)) {
		/* RSTs first, while lib/tcp still knows the sequence numbers. */
		send_rst(w, f, m, pi, d, 0);
		send_rst(w, f, m, pi, d, 1);
	}
	apply_out(w, f, out);
	if (unlikely(out->conn_verdict != TCP_CONN_OK))
		flow_verdict(w, e, f, out->conn_verdict, now);
	else if (unlikely(out->closed))
		flow_set_state(w->ft, e, FLOW_ST_CLOSED, now);
	else if (unlikely(f->tick_slot == 0) && tcp_conn_deadline(w->tcp, &f->tcp) != UINT64_MAX)
		tick_add(w, e, f);
}

/* ------------------------------------------------------------------ */
/* New and dying flows                                                  */

static void
release_limits(struct wk_flow *f, uint8_t which)
{
	struct pgen *g = f->gen;
	uint8_t held = f->lim & which;

	if (g == NULL || held == 0)
		return;
	if (held & WK_LIM_CLASS)
		flow_limits_release(g->limits, pgen_class_idx(f->class_conn, 0));
	if (held & WK_LIM_CLASS_EMB)
		flow_limits_release(g->limits, pgen_class_idx(f->class_conn, 1));
	if (held & WK_LIM_CLIENT)
		flow_limits_release(g->limits, f->client_idx);
	if (held & WK_LIM_CLIENT_EMB)
		flow_limits_release(g->limits, f->client_emb_idx);
	if (held & WK_LIM_STATIC)
		flow_limits_release(g->limits, pgen_static_idx(g, (unsigned int)f->stat, 0));
	if (held & WK_LIM_STATIC_EMB)
		flow_limits_release(g->limits, pgen_static_idx(g, (unsigned int)f->stat, 1));
	if (held & WK_LIM_IOS_HOST)
		flow_limits_release(g->limits, f->ios_host_idx);
	if (held & WK_LIM_IOS_EMB) {
		const struct policy_ios *ios = policy_ios_get(g->policy);

		flow_limits_release(g->limits, pgen_ios_idx(g));
		/* IOS: below max-incomplete low, stop being aggressive. */
		if (atomic_load_explicit(&g->ios_aggressive, memory_order_relaxed) &&
			flow_limits_count(g->limits, pgen_ios_idx(g)) <= ios->max_incomplete_low)
			atomic_store_explicit(&g->ios_aggressive, false, memory_order_relaxed);
	}
	f->lim &= (uint8_t)~held;
}

#define HO_ANY UINT32_MAX

static int
ho_valid(const struct wk_half_open *h)
{
	const struct wk_flow *f = wk_flow_of(h->e);

	return f->ho_seq == h->seq && (f->lim & WK_LIM_IOS_EMB);
}

/* Remembers a new IOS half-open connection (the oldest is forgotten when full). */
static void
ho_push(struct worker *w, struct flow_entry *e, struct wk_flow *f, uint32_t cell)
{
	uint32_t i;

	if (w->ho_n == WK_HO_MAX) {
		w->ho_head = (w->ho_head + 1) % WK_HO_MAX;
		w->ho_n--;
	}
	i = (w->ho_head + w->ho_n) % WK_HO_MAX;
	w->ho_seq = w->ho_seq + 1 ? w->ho_seq + 1 : 1;
	w->ho[i] = (struct wk_half_open){e, w->ho_seq, cell};
	f->ho_seq = w->ho_seq;
	w->ho_n++;
}

/*
 * IOS deletes a half-open session: later packets of it are dropped, its
 * state and limit units go. The entry itself lingers (closed) so that a
 * packet of it later in this burst finds it.
 */
static void
ho_delete(struct worker *w, struct flow_entry *e)
{
	struct wk_flow *f = wk_flow_of(e);

	release_limits(f, 0xff);
	if (f->mode == WK_FLOW_INSPECT)
		conn_release(w, f);
	f->mode = WK_FLOW_DROPPED;
	f->ho_seq = 0;
	flow_set_state(w->ft, e, FLOW_ST_CLOSED, w->now);
	w->st.ios_deleted++;
}

/*
 * Deletes this worker's oldest half-open connection (to host `cell`, or
 * any); all of them to that host when `all`. Returns how many it deleted.
 */
static unsigned int
ho_delete_oldest(struct worker *w, uint32_t cell, int all)
{
	unsigned int k, n = 0;

	/* Stale entries at the head go first: keeps the scans short. */
	while (w->ho_n != 0 && !ho_valid(&w->ho[w->ho_head])) {
		w->ho_head = (w->ho_head + 1) % WK_HO_MAX;
		w->ho_n--;
	}
	for (k = 0; k < w->ho_n; k++) {
		struct wk_half_open *h = &w->ho[(w->ho_head + k) % WK_HO_MAX];

		if (!ho_valid(h) || (cell != HO_ANY && h->cell != cell))
			continue;
		ho_delete(w, h->e);
		n++;
		if (!all)
			break;
	}
	return n;
}

/*
 * IOS CBAC thresholds for connections of an `ip inspect` binding:
 *  - one-minute high/low: over `high` new half-open connections in a
 *    minute, the same aggressive mode, until a minute with fewer than `low`;
 *  - max-incomplete high/low: over `high` half-open connections the
 *    firewall turns aggressive until the count falls to `low`: each new
 *    connection request deletes the oldest half-open session (a worker
 *    reaches only its own flows; with none, the newcomer is refused);
 *  - tcp max-incomplete host N block-time M: over N half-open connections
 *    to one host, the new one is refused, and with M > 0 the host is
 *    blocked for M minutes.
 * Returns 0 to admit (units taken), -1 to refuse (counted), 1 to answer with
 * a SYN cookie (`intercept: true`, over max-incomplete or the host limit).
 */
static int
admit_ios(struct worker *w, struct wk_flow *f, const struct pkt_info *pi)
{
	struct pgen *g = f->gen;
	const struct policy_ios *ios = policy_ios_get(g->policy);
	uint64_t now = wk_now_ns(w);
	uint32_t cell, count = 0;
	uint8_t alen = pi->addr_len == 4 ? 4 : 16;

	if (!ios->configured)
		return 0;
	cell = flow_limits_hashed(g->limits, PGEN_SCOPE_IOS_HOST, pi->dst, alen);
	if (ios->host_block_time &&
		atomic_load_explicit(&g->host_block_until[cell & (PGEN_HOST_CELLS - 1)],
			memory_order_relaxed) > now) {
		w->st.ios_host_blocked++;
		return -1;
	}
	if (ios->one_minute_high) {
		/* one-minute high/low: the rate of new half-open connections. A
		 * new window decides from the last one's count whether to calm
		 * down; workers race on the roll-over, which only blurs the
		 * edge of a minute. */
		uint64_t minute = now / (60ull * 1000000000u);
		uint64_t cur = atomic_load_explicit(&g->ios_minute, memory_order_relaxed);

		if (minute != cur && atomic_compare_exchange_strong(&g->ios_minute, &cur, minute)) {
			unsigned int last = atomic_exchange(&g->ios_minute_count, 0);

			if (last < ios->one_minute_low || minute != cur + 1)
				atomic_store(&g->ios_rate_aggressive, false);
		}
		if (atomic_fetch_add(&g->ios_minute_count, 1) + 1 > ios->one_minute_high &&
			!atomic_exchange(&g->ios_rate_aggressive, true))
			w->st.ios_aggressive_on++;
	}
	flow_limits_acquire(g->limits, pgen_ios_idx(g), 0, &count);
	f->lim |= WK_LIM_IOS_EMB;
	if (ios->max_incomplete_high && count + 1 > ios->max_incomplete_high &&
		!atomic_exchange_explicit(&g->ios_aggressive, true, memory_order_relaxed))
		w->st.ios_aggressive_on++;
	if (atomic_load_explicit(&g->ios_aggressive, memory_order_relaxed) ||
		atomic_load_explicit(&g->ios_rate_aggressive, memory_order_relaxed)) {
		/* `intercept: true`: the newcomer gets a SYN cookie and the
		 * half-open sessions stay. */
		if (ios->intercept)
			return 1;
		/* Aggressive: each new connection request deletes the oldest
		 * half-open session (of this worker; none here: refused). */
		if (ho_delete_oldest(w, HO_ANY, 0) == 0) {
			w->st.ios_aggressive_drop++;
			return -1;
		}
	}
	if (ios->host_max_incomplete) {
		if (!flow_limits_acquire(g->limits, cell, ios->host_max_incomplete, &count)) {
			if (ios->intercept)
				return 1;
			if (ios->host_block_time) {
				/* block-time > 0: delete the host's half-open sessions
				 * and block new ones for block-time minutes. */
				ho_delete_oldest(w, cell, 1);
				atomic_store_explicit(
					&g->host_block_until[cell & (PGEN_HOST_CELLS - 1)],
					now + (uint64_t)ios->host_block_time * 60u * 1000000000u,
					memory_order_relaxed);
				w->st.ios_host_drop++;
				return -1;
			}
			/* block-time 0: the oldest half-open session to the host goes. */
			if (ho_delete_oldest(w, cell, 0) == 0 ||
				!flow_limits_acquire(
					g->limits, cell, ios->host_max_incomplete, &count)) {
				w->st.ios_host_drop++;
				return -1;
			}
		}
		f->ios_host_idx = cell;
		f->lim |= WK_LIM_IOS_HOST;
	}
	ho_push(w, wk_entry_of(f), f, cell);
	return 0;
}

struct limit_step {
	uint8_t bit;
	uint32_t idx, max, msgid;
	int limit; /* enum policy_limit, or -1 for statics */
	uint32_t shown; /* the configured limit, for the audit line (max may be emb_cap's) */
};

/*
 * The embryonic limit that applies beside a connection limit. Embryonic
 * connections hold connection units too: at or above the connection
 * limit (REFERENCE.md §0's `tcp 50 100`), a flood's half-open connections
 * would take every unit before the embryonic limit is ever crossed and
 * lock legitimate clients out. The box then intercepts from half the
 * connection limit, which leaves the other half to validated clients.
 */
static uint32_t
emb_cap(uint32_t emb, uint32_t conn)
{
	if (emb == 0 || conn == 0 || emb < conn)
		return emb;
	return conn / 2 != 0 ? conn / 2 : 1;
}

/*
 * One limit to check: `configured` is what the operator set (and what the
 * audit line shows); an embryonic one is enforced at emb_cap() of it and
 * the connection limit beside it (`conn`, 0 for a connection limit).
 */
static struct limit_step
limit_step(uint8_t bit, uint32_t idx, uint32_t configured, uint32_t conn, int limit)
{
	bool emb = (bit & WK_LIM_EMB_ALL) != 0;

	return (struct limit_step){
		.bit = bit,
		.idx = idx,
		.max = emb ? emb_cap(configured, conn) : configured,
		.msgid = limit >= 0 ? policy_limit_msgid((unsigned int)limit)
			: emb       ? LOG_ASA_201010
				    : LOG_ASA_201009,
		.limit = limit,
		.shown = configured,
	};
}

#define ADMIT_OK 0
#define ADMIT_REFUSE (-1)
#define ADMIT_INTERCEPT 1

/*
 * Takes one unit of every limit that applies to a new connection, the
 * lower limit winning where a static and a class both apply (each is
 * checked). Returns ADMIT_OK, or after giving back what it took, counting
 * and logging the limit that refused (ASA 201009..201013): ADMIT_INTERCEPT
 * when it was an embryonic limit of a class that intercepts (or a static:
 * ASA proxies them all), ADMIT_REFUSE otherwise. A validated client (its
 * cookie came back) is past the embryonic stage: only the connection
 * limits apply.
 */
static int
admit(struct worker *w, struct wk_flow *f, const struct policy_match *m, const struct pkt_info *pi,
	uint16_t in_port, bool validated)
{
	struct pgen *g = f->gen;
	const struct policy_class *c = m->conn;
	uint32_t count = 0;
	struct limit_step steps[6];
	unsigned int n = 0, i;

	if (c != NULL) {
		uint8_t alen = pi->addr_len == 4 ? 4 : 16;
		const uint32_t *lim = c->limits;

		f->client_idx = flow_limits_hashed(g->limits, 2u * c->id, pi->src, alen);
		f->client_emb_idx = flow_limits_hashed(g->limits, 2u * c->id + 1, pi->src, alen);
		steps[n++] = limit_step(WK_LIM_CLASS, pgen_class_idx(c->id, 0),
			lim[POLICY_LIMIT_CONN_MAX], 0, POLICY_LIMIT_CONN_MAX);
		steps[n++] = limit_step(WK_LIM_CLASS_EMB, pgen_class_idx(c->id, 1),
			lim[POLICY_LIMIT_EMBRYONIC_CONN_MAX], lim[POLICY_LIMIT_CONN_MAX],
			POLICY_LIMIT_EMBRYONIC_CONN_MAX);
		steps[n++] = limit_step(WK_LIM_CLIENT, f->client_idx,
			lim[POLICY_LIMIT_PER_CLIENT_MAX], 0, POLICY_LIMIT_PER_CLIENT_MAX);
		steps[n++] = limit_step(WK_LIM_CLIENT_EMB, f->client_emb_idx,
			lim[POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX],
			lim[POLICY_LIMIT_PER_CLIENT_MAX], POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX);
	}
	if (m->stat != NULL) {
		steps[n++] = limit_step(WK_LIM_STATIC, pgen_static_idx(g, m->stat->id, 0),
			m->stat->tcp_max_conns, 0, -1);
		steps[n++] = limit_step(WK_LIM_STATIC_EMB, pgen_static_idx(g, m->stat->id, 1),
			m->stat->tcp_em_limit, m->stat->tcp_max_conns, -1);
	}
	for (i = 0; i < n; i++) {
		/* Unlimited counters are still counted only where a limit could
		 * later matter; skip them to keep the SYN path short. */
		if (steps[i].max == 0 || (validated && (steps[i].bit & WK_LIM_EMB_ALL)))
			continue;
		if (!flow_limits_acquire(g->limits, steps[i].idx, steps[i].max, &count)) {
			release_limits(f, 0xff);
			rec_limit(w, pi, in_port, steps[i].msgid, count, steps[i].shown);
			if ((steps[i].bit & WK_LIM_EMB_ALL) &&
				(steps[i].limit < 0 || c->emb_action == POLICY_EMB_INTERCEPT)) {
				if (c != NULL)
					g->cnt[w->id][c->id].intercepts++;
				return ADMIT_INTERCEPT;
			}
			if (steps[i].limit >= 0 && c != NULL)
				g->cnt[w->id][c->id].limit_drops[steps[i].limit]++;
			else
				w->st.limit_static_drop++;
			w->st.limit_drop++;
			return ADMIT_REFUSE;
		}
		f->lim |= steps[i].bit;
	}
	/* IOS thresholds apply to the connections of an `ip inspect` rule. */
	if (!validated && ((m->inspect != NULL && m->inspect->ios) || (c != NULL && c->ios))) {
		int rc = admit_ios(w, f, pi);

		if (rc != 0) {
			release_limits(f, 0xff);
			if (rc > 0)
				return ADMIT_INTERCEPT;
			w->st.limit_drop++;
			return ADMIT_REFUSE;
		}
	}
	return ADMIT_OK;
}

/*
 * A connection the policy matched (m): its generation, class, limits and
 * inspection. validated: the client returned a SYN cookie.
 */
static int
flow_setup(struct worker *w, struct wk_flow *f, const struct policy_match *m,
	const struct pkt_info *pi, uint16_t in_port, bool validated)
{
	struct pgen *g = w->gen;
	int rc;

	f->gen = g;
	g->flows[w->id].n++;
	if (m->conn != NULL) {
		unsigned int i;

		f->class_conn = m->conn->id;
		for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
			if (m->conn->timeouts[i] != POLICY_TIMEOUT_UNSET)
				f->own_timeouts = 1;
	}
	if (m->stat != NULL)
		f->stat = (int16_t)m->stat->id;
	rc = admit(w, f, m, pi, in_port, validated);
	if (rc != ADMIT_OK) {
		g->flows[w->id].n--;
		f->gen = NULL;
		return rc;
	}
	if (m->inspect != NULL) {
		f->class_insp = m->inspect->id;
		g->cnt[w->id][m->inspect->id].conns++;
	}
	if (m->esmtp == NULL)
		return ADMIT_OK;
	f->mode = WK_FLOW_INSPECT;
	f->imap = m->inspect != NULL ? m->inspect->imap : 0;
	f->alert = m->inspect != NULL ? m->inspect->alert : 1;
	f->audit_trail = m->inspect != NULL && m->inspect->audit_trail;
	if (f->audit_trail)
		rec_session(w, f, 0);
	tcp_conn_init(&f->tcp);
	esmtp_init(&f->esmtp, m->esmtp); /* the inspect map: f->esmtp keeps it */
	w->st.insp_conns++;
	return ADMIT_OK;
}

/* Whether SYNs of this match may have been answered with cookies. */
static bool
intercepts(const struct pgen *g, const struct policy_match *m)
{
	const struct policy_class *c = m->conn;

	if (m->stat != NULL && m->stat->tcp_em_limit != 0)
		return true;
	if (((m->inspect != NULL && m->inspect->ios) || (c != NULL && c->ios)) &&
		policy_ios_get(g->policy)->intercept)
		return true;
	return c != NULL && c->emb_action == POLICY_EMB_INTERCEPT &&
		(c->limits[POLICY_LIMIT_EMBRYONIC_CONN_MAX] != 0 ||
			c->limits[POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX] != 0);
}

enum inspect_new
inspect_flow_new(struct worker *w, struct flow_entry *e, struct rte_mbuf *pkt,
	const struct pkt_info *pi, int dir)
{
	struct wk_flow *f = wk_flow_of(e);
	bool syn = (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
	uint16_t in_port = pkt->port;
	struct pgen *g = w->gen;
	struct policy_match m;
	struct policy_key k;
	struct ic_opts o;

	f->init_port = in_port;
	f->mode = WK_FLOW_FORWARD;
	f->class_insp = WK_NO_CLASS;
	f->class_conn = WK_NO_CLASS;
	f->stat = -1;
	if (!(pi->flags & PKT_F_TCP) || g == NULL || app.no_inspect)
		return INSPECT_NEW_OK;
	memset(&k, 0, sizeof(k));
	k.family = pi->addr_len == 4 ? 4 : 6;
	k.proto = IPPROTO_TCP;
	k.pair = app.port_pair[in_port];
	k.side = app.port_inside[in_port] ? POLICY_SIDE_INSIDE : POLICY_SIDE_OUTSIDE;
	k.sport = pi->sport;
	k.dport = pi->dport;
	memcpy(k.src, pi->src, pi->addr_len);
	memcpy(k.dst, pi->dst, pi->addr_len);
	policy_classify(g->policy, &k, &m);
	if (syn) {
		switch (flow_setup(w, f, &m, pi, in_port, false)) {
		case ADMIT_OK:
			return INSPECT_NEW_OK;
		case ADMIT_INTERCEPT:
			splice_answer_syn(w, pkt, pi, in_port);
			return INSPECT_NEW_CONSUMED;
		default:
			return INSPECT_NEW_REFUSED;
		}
	}
	if (intercepts(g, &m) && splice_check_ack(w, pi, &o) == 0) {
		/* A client that came back with its cookie: open the server side. */
		if (flow_setup(w, f, &m, pi, in_port, true) != ADMIT_OK) {
			/* It believes it is connected: tell it it is not. */
			w->st.ic_conn_limit++;
			splice_reset_client(w, pkt);
			return INSPECT_NEW_CONSUMED;
		}
		if (f->mode == WK_FLOW_FORWARD)
			f->mode = WK_FLOW_BYPASS; /* uninspected, but translated */
		splice_open(w, e, pkt, pi, dir, &o);
		return INSPECT_NEW_SPLICED;
	}
	/* A connection we did not see open. Where it would be inspected
	 * (either way round), like a firewall: drop, unless told to pick it
	 * up (uninspected). */
	if (m.esmtp == NULL) {
		memcpy(k.src, pi->dst, pi->addr_len);
		memcpy(k.dst, pi->src, pi->addr_len);
		k.sport = pi->dport;
		k.dport = pi->sport;
		k.side = k.side == POLICY_SIDE_INSIDE ? POLICY_SIDE_OUTSIDE : POLICY_SIDE_INSIDE;
		policy_classify(g->policy, &k, &m);
	}
	if (m.esmtp == NULL)
		return INSPECT_NEW_OK;
	if (w->midstream_drop)
		return INSPECT_NEW_DROP;
	w->st.insp_midstream++;
	return INSPECT_NEW_OK;
}

void
inspect_flow_timeout(struct worker *w, struct flow_entry *e, uint64_t now)
{
	const struct wk_flow *f = wk_flow_of(e);
	/* Looked up, not stored: 8 bytes less per connection, and a flow
	 * keeps its policy generation (f->gen) for its whole life. */
	const uint32_t *t = policy_class_get(f->gen->policy, f->class_conn)->timeouts;
	uint32_t s;

	switch (e->state) {
	case FLOW_ST_NEW:
	case FLOW_ST_SYN_SENT:
	case FLOW_ST_SYN_RCVD:
		s = t[POLICY_TIMEOUT_EMBRYONIC];
		break;
	case FLOW_ST_ESTABLISHED:
		s = t[POLICY_TIMEOUT_IDLE];
		break;
	case FLOW_ST_FIN_WAIT:
		s = t[POLICY_TIMEOUT_HALF_CLOSED];
		break;
	default:
		return; /* closing, closed: the table's linger */
	}
	if (s == POLICY_TIMEOUT_UNSET)
		return;
	flow_set_deadline(w->ft, e, s == 0 ? FLOW_DEADLINE_NEVER : now + (uint64_t)s * w->hz);
}

void
inspect_flow_settle(struct worker *w, struct flow_entry *e, uint8_t units)
{
	RTE_SET_USED(w);
	release_limits(wk_flow_of(e), units);
}

void
inspect_flow_free(struct worker *w, struct flow_entry *e)
{
	struct wk_flow *f = wk_flow_of(e);

	if (f->audit_trail && f->gen != NULL) {
		/* Before lib/tcp forgets how many bytes went each way. */
		rec_session(w, f, 1);
		f->audit_trail = 0;
	}
	if (unlikely(f->ic_state != WK_IC_NONE)) {
		if (f->ic_state == WK_IC_CONNECTING && !w->flushing)
			w->st.ic_srv_timeout++;
		splice_free(w, f, !w->flushing);
	}
	if (f->mode == WK_FLOW_INSPECT) {
		tcp_conn_free(w->tcp, &f->tcp, &w->tout);
		apply_out(w, f, &w->tout);
	}
	if (f->tick_slot != 0)
		tick_del(w, f);
	f->mode = WK_FLOW_FORWARD;
	if (f->gen != NULL) {
		release_limits(f, 0xff);
		f->gen->flows[w->id].n--;
		f->gen = NULL;
	}
}
