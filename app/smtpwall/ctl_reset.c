/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `clear conn` on the worker that owns the connections (between bursts):
 * an RST to each end, built from the flow's key, the MACs its first frame
 * carried and lib/tcp's sequence numbers; then the flow is freed as an
 * expiry would free it.
 */
#include "ctl_reset.h"

#include <string.h>

#include <rte_mbuf.h>

#include "conns.h"
#include "flowstate.h"
#include "inspect.h"
#include "nbrcache.h"
#include "pkt.h"
#include "wiring.h"
#include "worker_state.h"

/* ------------------------------------------------------------------ */
/* clear conn: the worker side                                         */

/*
 * A template frame of the connection in its initiator's direction (what
 * pkt_build_tcp copies L2 from and swaps for the other end): Ethernet with
 * the ends' MACs from the neighbour cache, the outer VLAN tag, a plain IP
 * and TCP header. Its length, or 0 (a MAC unknown).
 */
static uint32_t
template_frame(const struct worker *w, const struct flow_entry *e, const struct wk_flow *f,
		uint8_t *t, size_t cap)
{
	const struct flow_key *k = &e->key;
	int id = e->init_dir; /* key direction of the initiator: 0 is a -> b */
	const uint8_t *src = id == 0 ? k->addr_a : k->addr_b;
	const uint8_t *dst = id == 0 ? k->addr_b : k->addr_a;
	uint16_t sp = id == 0 ? k->port_a : k->port_b, dp = id == 0 ? k->port_b : k->port_a;
	const uint8_t *smac = nbr_get(&w->nbr, src, k->family, k->vlan);
	const uint8_t *dmac = nbr_get(&w->nbr, dst, k->family, k->vlan);

	/* The initiator's frames come in by init_port, the responder's by its peer. */
	if (smac == NULL)
		smac = nbr_port_mac(&w->nbr, f->init_port);
	if (dmac == NULL && f->init_port < RTE_MAX_ETHPORTS)
		dmac = nbr_port_mac(&w->nbr, w->wire->peer[f->init_port]);
	uint32_t o = 12, ipl = k->family == 4 ? 20 : 40;

	if (cap < 14 + 4 + ipl + 20 || smac == NULL || dmac == NULL)
		return 0;
	memset(t, 0, 14 + 4 + ipl + 20);
	memcpy(t, dmac, 6);
	memcpy(t + 6, smac, 6);
	if (k->vlan != 0) {
		pkt_store16(t + o, PKT_ETHERTYPE_VLAN);
		pkt_store16(t + o + 2, k->vlan);
		o += 4;
	}
	pkt_store16(t + o, k->family == 4 ? PKT_ETHERTYPE_IPV4 : PKT_ETHERTYPE_IPV6);
	o += 2;
	if (k->family == 4) {
		t[o] = 0x45;
		pkt_store16(t + o + 2, 40);
		t[o + 8] = 64;
		t[o + 9] = FLOW_PROTO_TCP;
		memcpy(t + o + 12, src, 4);
		memcpy(t + o + 16, dst, 4);
		pkt_store16(t + o + 10, pkt_ipv4_hdr_cksum(t + o));
	} else {
		t[o] = 0x60;
		pkt_store16(t + o + 4, 20);
		t[o + 6] = FLOW_PROTO_TCP;
		t[o + 7] = 64;
		memcpy(t + o + 8, src, 16);
		memcpy(t + o + 24, dst, 16);
	}
	o += ipl;
	pkt_store16(t + o, sp);
	pkt_store16(t + o + 2, dp);
	t[o + 12] = 5 << 4;
	t[o + 13] = PKT_TCP_ACK;
	return o + 20;
}

/*
 * Sequence and ACK of an RST travelling in lib/tcp direction d (0: to the
 * responder): lib/tcp's for an inspected connection; for a bypassed one
 * what each side sent last. -1 when unknown (not inspected: the box does
 * not follow its sequence numbers).
 */
static int
rst_seq(const struct wk_flow *f, int d, uint32_t *seq, uint32_t *ack)
{
	if (f->ic_state != WK_IC_NONE)
		return -1; /* spliced: two sequence spaces, not worth the risk */
	if (f->mode == WK_FLOW_INSPECT)
		return tcp_conn_rst_seq(&f->tcp, d, seq, ack);
	if (f->mode == WK_FLOW_BYPASS && (f->tcp.h[d].flags & TCP_H_SYN) &&
			(f->tcp.h[!d].flags & TCP_H_SYN)) {
		*seq = f->tcp.h[d].next;
		*ack = f->tcp.h[!d].next;
		return 0;
	}
	return -1;
}

/* Sends an RST to both ends of e; how many went out. */
static unsigned int
send_resets(struct worker *w, const struct flow_entry *e, const struct wk_flow *f)
{
	uint8_t t[PKT_BUILD_TCP_MAX];
	struct pkt_info pi;
	uint32_t len = template_frame(w, e, f, t, sizeof(t));
	unsigned int d, sent = 0;

	if (len == 0 || pkt_parse_ex(t, len, false, &pi) != PKT_OK)
		return 0;
	for (d = 0; d < 2; d++) {
		struct pkt_tcp_spec s;
		struct rte_mbuf *r;
		uint8_t *p;
		uint16_t n;

		memset(&s, 0, sizeof(s));
		if (rst_seq(f, (int)d, &s.seq, &s.ack) != 0)
			continue;
		s.flags = PKT_TCP_RST | PKT_TCP_ACK;
		s.reverse = (uint8_t)d;
		s.wscale = PKT_BUILD_NO_WSCALE;
		r = rte_pktmbuf_alloc(w->wire->pool);
		p = r != NULL ? (uint8_t *)rte_pktmbuf_append(r, PKT_BUILD_TCP_MAX) : NULL;
		n = p != NULL ? pkt_build_tcp(p, PKT_BUILD_TCP_MAX, t, &pi, &s) : 0;
		if (n == 0) {
			if (r == NULL)
				w->st.insp_rst_nombuf++;
			rte_pktmbuf_free(r);
			continue;
		}
		rte_pktmbuf_trim(r, (uint16_t)(PKT_BUILD_TCP_MAX - n));
		/* wk_send sends to the peer of r->port: to the responder, as if
		 * it arrived where the initiator's frames do. */
		r->port = d == 0 ? f->init_port : w->wire->peer[f->init_port];
		w->st.insp_rst_sent++;
		wk_send(w, r);
		sent++;
	}
	return sent;
}

void
ctl_clear_flows(void *arg, struct conns_req *c)
{
	struct worker *w = arg;
	uint32_t i;

	for (i = 0; i < c->n_kill; i++) {
		struct flow_entry *e = c->kill[i];
		struct wk_flow *f = flow_entry_user(e);

		if (c->wfilter.action == CONN_ACT_CLEAR_RESET && e->state != FLOW_ST_CLOSED &&
				e->key.proto == FLOW_PROTO_TCP) {
			unsigned int n = send_resets(w, e, f);

			c->rst_sent += n;
			if (n == 0)
				c->rst_unknown++;
		}
		inspect_flow_free(w, e);
		flow_table_del(w->ft, e);
		w->st.conn_cleared++;
	}
	c->n_kill = 0;
}
