/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What came back through the DUT: every frame is parsed (lib/pkt), its
 * checksums verified, matched to its session by the IP id (the session's
 * slot) and 5-tuple, and compared with the step the session expects next:
 * side, flags, sequence and acknowledgement numbers, and the payload byte
 * for byte as the default policy must leave it (banner '*', STARTTLS and
 * unknown verbs X). So a benchmark run is also a correctness run.
 *
 * With several lcores a frame must come back on the queue of its flow (the
 * queue this engine polls): one that does not is counted (err_queue), not
 * matched. An RST from the DUT (its IP id is not a slot) is matched by its
 * addresses: it confirms the cut of a session waiting out its violation.
 */
#include <string.h>

#include "engine.h"
#include "pkt.h"
#include "rss.h"

static void
lat_add_tsc(struct gen_engine *e, uint64_t now, uint64_t sent)
{
	if (now >= sent)
		gen_lat_add(&e->lat, (uint64_t)((double)(now - sent) * 1e9 / (double)e->hz));
}

static void
rx_udp(struct gen_engine *e, const uint8_t *frame, const struct pkt_info *pi, uint64_t now)
{
	uint64_t tsc;

	if (pi->payload_len != 18 || (pi->sport != 5001 && pi->dport != 5001)) {
		e->ctr.err_udp++;
		return;
	}
	memcpy(&tsc, frame + pi->payload_off, 8);
	e->ctr.udp_rx++;
	if (e->udp_recv < e->udp_sent)
		e->udp_recv++;
	e->udp_last_rx = now;
	lat_add_tsc(e, now, tsc);
}

/* A session whose traffic came back wrong: counted, and given up. */
static void
fail(struct gen_engine *e, struct gen_session *s, uint64_t *ctr)
{
	(*ctr)++;
	e->ctr.sess_failed++;
	engine_session_end(e, s);
}

/*
 * An RST the DUT sent (a reset action): the cut of the session, if it waits
 * out one. Rare (cut sessions of a resetting policy): a scan of the slots.
 */
static void
rx_rst(struct gen_engine *e, const struct pkt_info *pi)
{
	bool from_server = pi->sport == 25;
	uint32_t src = pkt_load32(pi->src), dst = pkt_load32(pi->dst), i;
	struct gen_tuple t;
	uint64_t id;

	t.cip = from_server ? dst : src;
	t.sip = from_server ? src : dst;
	t.cport = from_server ? pi->dport : pi->sport;
	t.sport = from_server ? pi->sport : pi->dport;
	if (gen_tuple_id(&t, &id) != 0) {
		e->ctr.err_stray++;
		return;
	}
	for (i = 0; i < e->n_slots; i++) {
		struct gen_session *s = &e->sess[i];

		if (s->state == GEN_SS_FREE || s->id != id)
			continue;
		if (s->state == GEN_SS_CUTWAIT) {
			s->state = GEN_SS_CUTDONE;
			e->ctr.sess_cut++;
			e->ctr.cut_rst++;
		} else if (s->state == GEN_SS_ACTIVE) {
			fail(e, s, &e->ctr.err_order); /* reset where nothing violated */
		}
		return; /* CUTDONE: the other direction's RST */
	}
	e->ctr.err_stray++;
}

static void
rx_tcp(struct gen_engine *e, enum gen_side at, const uint8_t *frame, const struct pkt_info *pi,
		uint64_t now)
{
	const uint8_t *ip = frame + pi->l3_off;
	uint16_t slot = pkt_load16(ip + 4);
	uint32_t src = pkt_load32(pi->src), dst = pkt_load32(pi->dst);
	struct gen_session *s;
	struct gen_tuple t;
	struct gen_step st;
	enum gen_side from, peer;
	uint32_t len, i;
	bool masked;

	if (pi->tcp_flags & PKT_TCP_RST) {
		rx_rst(e, pi);
		return;
	}
	if (slot >= e->n_slots || e->sess[slot].state == GEN_SS_FREE) {
		e->ctr.err_stray++;
		return;
	}
	s = &e->sess[slot];
	gen_tuple_of(s->id, &t);
	if (src == t.cip && dst == t.sip && pi->sport == t.cport && pi->dport == t.sport) {
		from = GEN_C;
	} else if (src == t.sip && dst == t.cip && pi->sport == t.sport && pi->dport == t.cport) {
		from = GEN_S;
	} else {
		e->ctr.err_stray++; /* an old session's frame, or a mangled one */
		return;
	}
	peer = from == GEN_C ? GEN_S : GEN_C;
	if (at == from) {
		fail(e, s, &e->ctr.err_port); /* came back on the side that sent it */
		return;
	}
	i = s->next_recv;
	if (i >= s->next_send) {
		fail(e, s, &e->ctr.err_order); /* nothing of this session is out */
		return;
	}
	gen_session_step(s, i, &st);
	if (st.side != from || pi->tcp_flags != st.tcp_flags || pi->seq != s->rcv_seq[from] ||
			((st.tcp_flags & PKT_TCP_ACK) && pi->ack != s->snd_seq[peer])) {
		fail(e, s, &e->ctr.err_order);
		return;
	}
	masked = !e->cfg->plain && st.expect != GEN_X_SAME && st.expect != GEN_X_CUT;
	len = gen_session_payload(s, &st, e->expect, masked);
	if (pi->payload_len != len || memcmp(frame + pi->payload_off, e->expect, len) != 0) {
		if (masked && pi->payload_len == len &&
				gen_session_payload(s, &st, e->expect, false) == len &&
				memcmp(frame + pi->payload_off, e->expect, len) == 0)
			fail(e, s, &e->ctr.err_unmasked); /* the DUT let it through as sent */
		else
			fail(e, s, &e->ctr.err_payload);
		return;
	}
	lat_add_tsc(e, now, s->t_sent[i % GEN_WMAX]);
	if (masked) {
		if (st.expect == GEN_X_BANNER)
			e->ctr.banner_masked++;
		else if (st.expect == GEN_X_STARTTLS)
			e->ctr.starttls_masked++;
		else
			e->ctr.verb_masked++;
	}
	if (st.expect == GEN_X_CUT) {
		if (e->cfg->plain)
			e->ctr.sess_cut++; /* plain DUT or pcap: the session ends here */
		else
			fail(e, s, &e->ctr.err_not_cut);
		if (e->cfg->plain)
			engine_session_end(e, s);
		return;
	}
	s->rcv_seq[from] += len + ((st.tcp_flags & (PKT_TCP_SYN | PKT_TCP_FIN)) ? 1 : 0);
	s->next_recv++;
	s->inflight--;
	if (s->next_recv == s->n_steps) {
		e->ctr.sess_completed++;
		e->ctr.completed[s->tmpl]++;
		engine_session_end(e, s);
		return;
	}
	if (s->next_send < s->n_steps)
		engine_ready(e, s);
}

void
gen_engine_rx(struct gen_engine *e, enum gen_side at, const uint8_t *frame, uint32_t len,
		uint64_t now)
{
	struct pkt_info pi;

	e->ctr.rx_pkts++;
	e->ctr.rx_bytes += len;
	if (pkt_parse(frame, len, &pi) != PKT_OK || pi.l3 != PKT_L3_IPV4 ||
			!(pi.flags & PKT_F_L4)) {
		e->ctr.err_parse++;
		return;
	}
	if (!pkt_l4_cksum_ok(frame, &pi)) {
		e->ctr.err_csum++;
		return;
	}
	if (e->rss != NULL &&
			rss_queue(rss_hash_tuple(e->rss, pi.addr_len, pi.src, pi.dst, pi.l4_proto,
						  pi.sport, pi.dport),
					e->nq) != e->q) {
		e->ctr.err_queue++; /* the DUT moved the flow to another queue */
		return;
	}
	if (pi.l4_proto == 17)
		rx_udp(e, frame, &pi, now);
	else
		rx_tcp(e, at, frame, &pi, now);
}
