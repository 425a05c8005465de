/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets out of lib/tcp: checksums of edited packets, the translation of
 * spliced connections, RSTs, the tick list. See egress.h. Runs on the
 * worker lcore; the only allocation is an mbuf for an RST.
 */
#include "egress.h"

#include <string.h>

#include <rte_branch_prediction.h>

#include "segment.h"
#include "splice.h"
#include "worker_state.h"

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
	uint16_t out = w->wire->peer[m->port];

	if (pkt_parse_ex(frame, rte_pktmbuf_data_len(m), false, &pi) != PKT_OK ||
			!(pi.flags & PKT_F_TCP))
		return;
	w->st.insp_edited_pkts++;
	if (w->mode != WK_MODE_OFFLINE && out < RTE_MAX_ETHPORTS &&
			w->wire->port_tx_tcp_cksum[out] && pi.n_vlan == 0) {
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
 * On a spliced connection the server's segments are translated into the
 * client's numbers first, and the server's SYN-ACK is not sent at all
 * (the client had the box's). An edited packet's checksum is recomputed
 * after the translation (which only adjusts it).
 */
void
egress_send(struct worker *w, const struct wk_flow *f, struct rte_mbuf *m, bool edited)
{
	if (unlikely(f->ic_state != WK_IC_NONE) && splice_egress(f, m) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (edited)
		fix_checksum(w, m);
	wk_send(w, m);
}

void
egress_apply(struct worker *w, const struct wk_flow *f, struct tcp_out *out)
{
	uint16_t i;

	for (i = 0; i < out->n; i++) {
		struct rte_mbuf *m = out->v[i].pkt;

		switch (out->v[i].act) {
		case TCP_ACT_FORWARD_EDITED:
			egress_send(w, f, m, true);
			break;
		case TCP_ACT_FORWARD:
			egress_send(w, f, m, false);
			break;
		default:
			w->st.insp_drop_pkts++;
			rte_pktmbuf_free(m);
			break;
		}
	}
	out->n = 0;
}

/* Ethernet and VLAN tags copied from m, a plain IP header. */
void
egress_rst(struct worker *w, struct wk_flow *f, const struct rte_mbuf *m, const struct pkt_info *pi,
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
	r = segment_new(w->wire->pool, m, pi, &s);
	if (r == NULL) {
		w->st.insp_rst_nombuf++;
		return;
	}
	/* As if it arrived with m (same direction) or against it: wk_send
	 * sends to the peer of r->port. */
	r->port = d == mdir ? m->port : w->wire->peer[m->port];
	w->st.insp_rst_sent++;
	egress_send(w, f, r, false);
}

void
egress_tick_add(struct worker *w, struct flow_entry *e)
{
	struct wk_flow *f = wk_flow_of(e);

	if (f->tick_slot != 0)
		return;
	if (w->insp.n_tick == WK_TICK_MAX) {
		/* Still timed out, when the connection's next segment comes. */
		w->st.insp_tick_full++;
		return;
	}
	w->insp.tick[w->insp.n_tick++] = e;
	f->tick_slot = w->insp.n_tick;
}

void
egress_tick_del(struct worker *w, struct wk_flow *f)
{
	uint32_t i = f->tick_slot - 1;
	struct flow_entry *last = w->insp.tick[--w->insp.n_tick];

	w->insp.tick[i] = last;
	wk_flow_of(last)->tick_slot = i + 1;
	f->tick_slot = 0;
}
