/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP Intercept in the worker: cookie SYN-ACKs, opening the server side
 * of a validated client, splicing and translating. See splice.h. It
 * calls nothing above it: what it releases (a SYN for the server, the
 * held client segments) goes back to its caller, which passes it on.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "flowstate.h"
#include "records.h"
#include "segment.h"
#include "splice.h"
#include "worker_state.h"

/* The worker's cookie keys, for the time of the burst. */
static void
secrets(struct worker *w)
{
	uint64_t now = wk_now_ns(w);

	if (unlikely(!w->ic.ready)) {
		ic_secrets_init(&w->ic.keys, w->wire->ic_master, now);
		w->ic.ready = true;
	} else {
		ic_secrets_update(&w->ic.keys, now);
	}
}

/* What a SYN offers, as a cookie can carry it. */
static void
syn_opts(const struct pkt_info *pi, struct ic_opts *o)
{
	o->mss = (pi->opts.present & PKT_OPT_MSS) ? pi->opts.mss : 0;
	o->wscale = (pi->opts.present & PKT_OPT_WSCALE) ? RTE_MIN(pi->opts.wscale, 14)
							: IC_WSCALE_NONE;
	o->sack_ok = (pi->opts.present & PKT_OPT_SACKOK) ? 1 : 0;
}

/* The options the cookie of a client's first ACK carries: 0, or -1 when invalid. */
static int
cookie_of(struct worker *w, const struct pkt_info *pi, struct ic_opts *o)
{
	struct ic_tuple t;

	secrets(w);
	ic_tuple_from_pkt(&t, pi);
	return ic_cookie_check(&w->ic.keys, &t, pi->seq - 1, pi->ack - 1, o);
}

/*
 * Rewrites m (parsed as pi) into the segment s answering it and sends it
 * back out of in_port. Takes ownership of m; false when it could not.
 */
static bool
answer(struct worker *w, struct rte_mbuf *m, const struct pkt_info *pi,
		const struct pkt_tcp_spec *s, uint16_t in_port)
{
	if (segment_rewrite(m, pi, s) != 0) {
		rte_pktmbuf_free(m);
		return false;
	}
	/* wk_send sends to the peer of m->port: back where m came in. */
	m->port = w->wire->peer[in_port];
	wk_send(w, m);
	return true;
}

/*
 * Intercept notices: one when a worker starts answering SYNs for a server
 * after a quiet spell, one when it has been quiet for SPLICE_QUIET_S
 * again. Bounded by construction (at most one pair per quiet period).
 */
static void
notice_start(struct worker *w, const struct pkt_info *pi, uint64_t now)
{
	char a[INET6_ADDRSTRLEN], text[LOG_TEXT_MAX];
	int n;

	w->ic.active = true;
	w->ic.start_ns = now;
	w->ic.start_sent = w->st.ic_cookie_sent;
	w->ic.start_ok = w->st.ic_cookie_ok;
	inet_ntop(pi->addr_len == 4 ? AF_INET : AF_INET6, pi->dst, a, sizeof(a));
	n = snprintf(text, sizeof(text),
			"%%SMTPWALL-4-INTERCEPT_START: TCP Intercept started on worker %u: embryonic "
			"limit crossed for %s/%u, new connections are answered with SYN cookies",
			w->id, a, pi->dport);
	if (n > 0)
		rec_text(w, 4, text, RTE_MIN((size_t)n, sizeof(text) - 1));
}

void
splice_tick(struct worker *w)
{
	char text[LOG_TEXT_MAX];
	uint64_t now = wk_now_ns(w);
	int n;

	if (now - w->ic.last_ns < SPLICE_QUIET_S * 1000000000ull)
		return;
	w->ic.active = false;
	n = snprintf(text, sizeof(text),
			"%%SMTPWALL-4-INTERCEPT_STOP: TCP Intercept stopped on worker %u after %llu s: "
			"%llu SYN cookies sent, %llu returned valid",
			w->id,
			(unsigned long long)((w->ic.last_ns - w->ic.start_ns) / 1000000000ull),
			(unsigned long long)(w->st.ic_cookie_sent - w->ic.start_sent),
			(unsigned long long)(w->st.ic_cookie_ok - w->ic.start_ok));
	if (n > 0)
		rec_text(w, 4, text, RTE_MIN((size_t)n, sizeof(text) - 1));
}

void
splice_answer_syn(struct worker *w, struct rte_mbuf *m, const struct pkt_info *pi, uint16_t in_port)
{
	struct pkt_tcp_spec s;
	struct ic_tuple t;
	struct ic_opts in, g;
	uint16_t mss_max = pi->addr_len == 4 ? 1460 : 1440;

	secrets(w);
	if (unlikely(!w->ic.active))
		notice_start(w, pi, wk_now_ns(w));
	w->ic.last_ns = wk_now_ns(w);
	ic_tuple_from_pkt(&t, pi);
	syn_opts(pi, &in);
	memset(&s, 0, sizeof(s));
	s.seq = ic_cookie_make(&w->ic.keys, &t, pi->seq, &in, &g);
	s.ack = pi->seq + 1;
	s.flags = PKT_TCP_SYN | PKT_TCP_ACK;
	s.reverse = 1;
	/* The server's MSS is unknown until it answers: mirror the client's
	 * (paths are mostly symmetric), within an Ethernet MTU. */
	s.mss = RTE_MIN(g.mss != 0 ? g.mss : 536, mss_max);
	/* A window of what the box holds while the server side opens. */
	s.win = (uint16_t)RTE_MIN(65535u, (unsigned int)WK_IC_HELD * s.mss);
	s.wscale = g.wscale != IC_WSCALE_NONE ? SPLICE_WSCALE : PKT_BUILD_NO_WSCALE;
	s.sack_ok = g.sack_ok;
	if (answer(w, m, pi, &s, in_port))
		w->st.ic_cookie_sent++;
}

int
splice_check_ack(struct worker *w, const struct pkt_info *pi, struct ic_opts *o)
{
	if ((pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_RST | PKT_TCP_FIN | PKT_TCP_ACK)) !=
			PKT_TCP_ACK)
		return -1;
	if (cookie_of(w, pi, o) != 0) {
		w->st.ic_cookie_bad++;
		return -1;
	}
	w->st.ic_cookie_ok++;
	return 0;
}

void
splice_reset_client(struct worker *w, struct rte_mbuf *h)
{
	struct pkt_tcp_spec s;
	struct pkt_info hp;

	if (pkt_parse_ex(rte_pktmbuf_mtod(h, const uint8_t *), rte_pktmbuf_data_len(h), false,
			    &hp) != PKT_OK ||
			!(hp.flags & PKT_F_TCP)) {
		rte_pktmbuf_free(h);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.seq = hp.ack;
	s.ack = hp.seq + hp.payload_len;
	s.flags = PKT_TCP_RST | PKT_TCP_ACK;
	s.reverse = 1;
	s.wscale = PKT_BUILD_NO_WSCALE;
	if (answer(w, h, &hp, &s, h->port))
		w->st.insp_rst_sent++;
}

void
splice_free(struct worker *w, struct wk_flow *f, bool reset_client_side)
{
	uint8_t i = 0;

	if (f->ic_state == WK_IC_CONNECTING && reset_client_side && f->ic_nheld != 0) {
		/* The client thinks it is connected: tell it it is not. */
		splice_reset_client(w, f->ic_held[0]);
		f->ic_held[0] = NULL;
		i = 1;
	}
	for (; i < f->ic_nheld; i++) {
		rte_pktmbuf_free(f->ic_held[i]);
		f->ic_held[i] = NULL;
	}
	f->ic_nheld = 0;
	f->ic_state = WK_IC_NONE;
}

/*
 * The SYN the client would have sent the server (its ISN and the options
 * the cookie carried), built from m, a segment the client sent, and
 * parsed into spi. NULL when no mbuf.
 */
static struct rte_mbuf *
server_syn(struct worker *w, const struct rte_mbuf *m, const struct pkt_info *pi,
		const struct ic_opts *o, struct pkt_info *spi)
{
	struct pkt_tcp_spec s;
	struct rte_mbuf *syn;

	memset(&s, 0, sizeof(s));
	s.seq = pi->seq - 1;
	s.flags = PKT_TCP_SYN;
	s.win = (uint16_t)RTE_MIN(
			65535u, (uint32_t)pi->win << (o->wscale != IC_WSCALE_NONE ? o->wscale : 0));
	s.mss = o->mss;
	s.wscale = o->wscale != IC_WSCALE_NONE ? o->wscale : PKT_BUILD_NO_WSCALE;
	s.sack_ok = o->sack_ok;
	syn = segment_new(w->wire->pool, m, pi, &s);
	if (syn == NULL ||
			pkt_parse_ex(rte_pktmbuf_mtod(syn, const uint8_t *),
					rte_pktmbuf_data_len(syn), false, spi) != PKT_OK) {
		rte_pktmbuf_free(syn);
		w->st.ic_nombuf++;
		return NULL;
	}
	/* It travels as the client's: in on the client's port, out to the server. */
	syn->port = m->port;
	return syn;
}

struct rte_mbuf *
splice_open(struct worker *w, struct flow_entry *e, struct rte_mbuf *m, const struct pkt_info *pi,
		int dir, const struct ic_opts *o, struct pkt_info *spi)
{
	struct wk_flow *f = flow_entry_user(e);
	struct rte_mbuf *syn;

	f->ic_state = WK_IC_CONNECTING;
	f->ic_cli_ws = o->wscale;
	f->ic_tries = 0;
	f->ic_held[0] = m;
	f->ic_nheld = 1;
	e->init_dir = (uint8_t)dir;
	flow_set_state(w->ft, e, FLOW_ST_SYN_SENT, w->now);
	syn = server_syn(w, m, pi, o, spi);
	if (syn == NULL)
		splice_free(w, f, true); /* the client is reset */
	return syn;
}

struct rte_mbuf *
splice_retransmit(struct worker *w, struct flow_entry *e, struct pkt_info *spi)
{
	struct wk_flow *f = flow_entry_user(e);
	struct pkt_info hp;
	struct ic_opts o;
	struct rte_mbuf *h = f->ic_held[0], *syn;

	if (f->ic_tries >= SPLICE_SYN_RETRIES ||
			w->now < e->created + w->hz * ((2ull << f->ic_tries) - 1))
		return NULL;
	f->ic_tries++;
	/* The options again from the cookie the held ACK carries. */
	if (pkt_parse_ex(rte_pktmbuf_mtod(h, const uint8_t *), rte_pktmbuf_data_len(h), false,
			    &hp) != PKT_OK ||
			cookie_of(w, &hp, &o) != 0)
		return NULL;
	syn = server_syn(w, h, &hp, &o, spi);
	if (syn != NULL)
		w->st.ic_syn_retx++;
	return syn;
}

/* The server accepted (m: its SYN-ACK): the translation from now on. */
static void
splice_accept(struct wk_flow *f, const struct pkt_info *pi, uint32_t cookie)
{
	uint8_t srv_ws = (pi->opts.present & PKT_OPT_WSCALE) ? RTE_MIN(pi->opts.wscale, 14)
							     : IC_WSCALE_NONE;
	bool cli_scaled = f->ic_cli_ws != IC_WSCALE_NONE;
	bool srv_scaled = cli_scaled && srv_ws != IC_WSCALE_NONE;

	f->ic_delta = pi->seq - cookie;
	/* The client scales as it told the box; the server as the two agreed. */
	f->ic_ws[0] = cli_scaled ? f->ic_cli_ws : 0;
	f->ic_ws[1] = srv_scaled ? f->ic_cli_ws : 0;
	f->ic_ws[2] = srv_scaled ? srv_ws : 0;
	f->ic_ws[3] = cli_scaled ? SPLICE_WSCALE : 0;
}

unsigned int
splice_take_held(struct worker *w, struct flow_entry *e, struct rte_mbuf **held, uint64_t now)
{
	struct wk_flow *f = flow_entry_user(e);
	unsigned int i, n = f->ic_nheld;

	f->ic_state = WK_IC_SPLICED;
	f->ic_nheld = 0;
	flow_set_state(w->ft, e, FLOW_ST_ESTABLISHED, now);
	w->st.ic_spliced++;
	for (i = 0; i < n; i++) {
		held[i] = f->ic_held[i];
		f->ic_held[i] = NULL;
	}
	return n;
}

enum splice_step
splice_connecting(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir)
{
	struct wk_flow *f = flow_entry_user(e);
	struct pkt_info hp;
	uint32_t isn;

	if (dir == e->init_dir) {
		/* The client, before the server answered: held, in order. */
		if (pi->tcp_flags & PKT_TCP_RST) {
			rte_pktmbuf_free(m);
			splice_free(w, f, false);
			return SPLICE_KILL;
		}
		if (!(pi->tcp_flags & PKT_TCP_SYN) && f->ic_nheld < WK_IC_HELD) {
			f->ic_held[f->ic_nheld++] = m;
			return SPLICE_DONE;
		}
		w->st.ic_held_full++;
		rte_pktmbuf_free(m);
		return SPLICE_DONE;
	}
	/* The server. The first held segment is the ACK that carried the cookie. */
	if (pkt_parse_ex(rte_pktmbuf_mtod(f->ic_held[0], const uint8_t *),
			    rte_pktmbuf_data_len(f->ic_held[0]), false, &hp) != PKT_OK) {
		rte_pktmbuf_free(m);
		splice_free(w, f, true);
		return SPLICE_KILL;
	}
	isn = hp.seq - 1;
	if (pi->tcp_flags & PKT_TCP_RST) {
		w->st.ic_srv_refused++;
		rte_pktmbuf_free(m);
		splice_free(w, f, true);
		return SPLICE_KILL;
	}
	if ((pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) != (PKT_TCP_SYN | PKT_TCP_ACK) ||
			pi->ack != isn + 1) {
		w->st.insp_drop_pkts++;
		rte_pktmbuf_free(m);
		return SPLICE_DONE;
	}
	splice_accept(f, pi, hp.ack - 1);
	return SPLICE_ACCEPTED;
}

void
splice_c2s(const struct wk_flow *f, struct rte_mbuf *m, struct pkt_info *pi)
{
	if (!(pi->flags & PKT_F_TCP))
		return;
	ic_xlate(rte_pktmbuf_mtod(m, uint8_t *), pi, 0, f->ic_delta, f->ic_delta, f->ic_ws[0],
			f->ic_ws[1]);
}

int
splice_egress(const struct wk_flow *f, struct rte_mbuf *m)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct flow_key k;
	struct pkt_info pi;
	int dir;

	if (pkt_parse_ex(frame, rte_pktmbuf_data_len(m), false, &pi) != PKT_OK ||
			!(pi.flags & PKT_F_TCP))
		return 0;
	dir = flow_key_make(&k, pi.addr_len == 4 ? 4 : 6, pi.src, pi.dst, pi.sport, pi.dport,
			pi.l4_proto, pi.n_vlan ? (uint16_t)(pi.vlan_tci[0] & 0xfff) : 0);
	if (dir == wk_entry_of(f)->init_dir)
		return 0; /* the client's: already in the server's numbers */
	if (f->ic_state == WK_IC_CONNECTING)
		return -1; /* the server's SYN-ACK: the client had the box's */
	ic_xlate(frame, &pi, (uint32_t)0 - f->ic_delta, 0, 0, f->ic_ws[2], f->ic_ws[3]);
	return 0;
}
