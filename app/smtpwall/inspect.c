/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segments of inspected connections through lib/tcp; the verdicts that
 * end a connection; the tick list's timers; a flow's end. See inspect.h.
 * Runs on the worker lcore, allocates nothing.
 */
#include "inspect.h"

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "admit.h"
#include "egress.h"
#include "pgen.h"
#include "records.h"
#include "splice.h"
#include "worker_state.h"

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

void
inspect_conn_release(struct worker *w, struct wk_flow *f)
{
	const struct tcp_half h0 = f->tcp.h[0], h1 = f->tcp.h[1];

	/* The IOS audit trail's stop record counts the bytes each side sent
	 * whatever ended inspection (drop, reset, bypass). */
	tcp_conn_free(w->insp.tcp, &f->tcp, &w->insp.tout);
	egress_apply(w, f, &w->insp.tout);
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
flow_verdict(struct worker *w, struct flow_entry *e, struct wk_flow *f, uint8_t verdict,
		uint64_t now)
{
	switch (verdict) {
	case TCP_CONN_DROP:
	case TCP_CONN_RESET:
		inspect_conn_release(w, f);
		f->mode = WK_FLOW_DROPPED;
		/* Later packets are dropped until the entry lingers out. */
		flow_set_state(w->ft, e, FLOW_ST_CLOSED, now);
		if (verdict == TCP_CONN_RESET)
			w->st.insp_conn_reset++;
		else
			w->st.insp_conn_dropped++;
		break;
	case TCP_CONN_BYPASS:
		inspect_conn_release(w, f);
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
		inspect_conn_release(w, f);
	f->mode = WK_FLOW_DROPPED;
	flow_set_state(w->ft, e, FLOW_ST_CLOSED, w->now);
}

/* ------------------------------------------------------------------ */
/* TCP Intercept: what the splice releases goes on through lib/tcp      */

/* A SYN for the server (splice_open, splice_retransmit): as the client's. */
static void
splice_syn_out(struct worker *w, struct flow_entry *e, struct rte_mbuf *syn,
		const struct pkt_info *spi)
{
	inspect_segment_raw(w, e, syn, spi, e->init_dir, w->now);
}

void
inspect_splice_open(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir, const struct ic_opts *o)
{
	struct pkt_info spi;
	struct rte_mbuf *syn = splice_open(w, e, m, pi, dir, o, &spi);

	if (syn == NULL) {
		inspect_flow_kill(w, e);
		return;
	}
	splice_syn_out(w, e, syn, &spi);
	if (wk_flow_of(e)->ic_state == WK_IC_CONNECTING)
		egress_tick_add(w, e); /* for splice_retransmit */
}

/* The server accepted (m: its SYN-ACK): then the held client segments. */
static void
splice_accepted(struct worker *w, struct flow_entry *e, struct wk_flow *f, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir, uint64_t now)
{
	struct rte_mbuf *held[WK_IC_HELD];
	unsigned int i, n;

	/* lib/tcp learns the server's ISN from it; the client never sees it
	 * (it had the box's SYN-ACK): the way out drops it while connecting. */
	if (f->mode == WK_FLOW_INSPECT)
		inspect_segment_raw(w, e, m, pi, dir, now);
	else
		rte_pktmbuf_free(m);
	if (f->ic_state != WK_IC_CONNECTING || f->mode == WK_FLOW_DROPPED)
		return;
	n = splice_take_held(w, e, held, now);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *h = held[i];
		struct pkt_info hp;

		if (f->mode == WK_FLOW_DROPPED ||
				pkt_parse_ex(rte_pktmbuf_mtod(h, const uint8_t *),
						rte_pktmbuf_data_len(h), false, &hp) != PKT_OK) {
			rte_pktmbuf_free(h);
			continue;
		}
		splice_c2s(f, h, &hp);
		inspect_segment_raw(w, e, h, &hp, e->init_dir, now);
	}
}

/* ------------------------------------------------------------------ */
/* Segments                                                             */

void
inspect_tick(struct worker *w, uint64_t now)
{
	uint32_t i = 0;

	if (unlikely(w->ic.active))
		splice_tick(w);

	while (i < w->insp.n_tick) {
		struct flow_entry *e = w->insp.tick[i];
		struct wk_flow *f = wk_flow_of(e);

		if (unlikely(f->ic_state == WK_IC_CONNECTING)) {
			/* TCP Intercept: the SYN to the server may need sending again. */
			struct pkt_info spi;
			struct rte_mbuf *syn = splice_retransmit(w, e, &spi);

			if (syn != NULL)
				splice_syn_out(w, e, syn, &spi);
			i++;
			continue;
		}
		if (f->mode == WK_FLOW_INSPECT && tcp_conn_deadline(w->insp.tcp, &f->tcp) <= now) {
			tcp_conn_tick(w->insp.tcp, &f->tcp, now, &w->insp.tout);
			egress_apply(w, f, &w->insp.tout);
		}
		if (f->mode != WK_FLOW_INSPECT ||
				tcp_conn_deadline(w->insp.tcp, &f->tcp) == UINT64_MAX)
			egress_tick_del(w, f); /* the last one moved here: look at i again */
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
			switch (splice_connecting(w, e, m, pi, dir)) {
			case SPLICE_KILL:
				inspect_flow_kill(w, e);
				break;
			case SPLICE_ACCEPTED:
				splice_accepted(w, e, f, m, pi, dir, now);
				break;
			default:
				break;
			}
			return;
		}
		if (wk_tcp_dir(e, dir) == 0) {
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
	struct tcp_out *out = &w->insp.tout;
	int d = wk_tcp_dir(e, dir);

	if (unlikely(f->mode == WK_FLOW_DROPPED)) {
		w->st.insp_drop_pkts++;
		rte_pktmbuf_free(m);
		return;
	}
	if (f->mode == WK_FLOW_BYPASS) {
		if (unlikely(f->audit_trail))
			bypass_count(f, d, pi);
		egress_send(w, f, m, false);
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
	tcp_input(w->insp.tcp, &f->tcp, &seg, now, out);

	if (unlikely(out->conn_verdict == TCP_CONN_RESET)) {
		/* RSTs first, while lib/tcp still knows the sequence numbers. */
		egress_rst(w, f, m, pi, d, 0);
		egress_rst(w, f, m, pi, d, 1);
	}
	egress_apply(w, f, out);
	if (unlikely(out->conn_verdict != TCP_CONN_OK))
		flow_verdict(w, e, f, out->conn_verdict, now);
	else if (unlikely(out->closed))
		flow_set_state(w->ft, e, FLOW_ST_CLOSED, now);
	else if (unlikely(f->tick_slot == 0) &&
			tcp_conn_deadline(w->insp.tcp, &f->tcp) != UINT64_MAX)
		egress_tick_add(w, e);
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
		tcp_conn_free(w->insp.tcp, &f->tcp, &w->insp.tout);
		egress_apply(w, f, &w->insp.tout);
	}
	if (f->tick_slot != 0)
		egress_tick_del(w, f);
	f->mode = WK_FLOW_FORWARD;
	if (f->gen != NULL) {
		admit_release(f->gen->adm, &f->adm, ADMIT_U_ALL);
		f->gen->wk[w->id].flows--;
		f->gen = NULL;
	}
}
