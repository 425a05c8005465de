/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The segment path up to the stream: connection verdicts, checksum, flag
 * combinations, handshake, RST (RFC 5961), the acknowledgement field and the
 * receiver's window. Data and FINs then go to tcp_stream.c.
 */
#include <string.h>

#include "tcp_priv.h"

static void
drop(struct tcp_ctx *x, struct tcp_out *out, struct tcp_seg *s, enum tcp_counter ctr,
		enum tcp_drop_reason reason)
{
	tcp_ctr(x, ctr);
	tcp_emit(x, out, s->pkt, TCP_ACT_DROP, reason);
}

/*
 * Flag combinations no stack sends: SYN with FIN or RST, FIN with RST, no
 * SYN/FIN/RST/ACK at all (a null scan or a bare PSH/URG), FIN or data without
 * ACK. A SYN without ACK and an RST without ACK are valid.
 */
static int
flags_bad(const struct tcp_seg *s)
{
	uint8_t f = s->flags;

	if ((f & TCP_F_SYN) && (f & (TCP_F_FIN | TCP_F_RST)))
		return 1;
	if ((f & TCP_F_FIN) && (f & TCP_F_RST))
		return 1;
	if ((f & (TCP_F_SYN | TCP_F_FIN | TCP_F_RST | TCP_F_ACK)) == 0)
		return 1;
	if (!(f & (TCP_F_ACK | TCP_F_SYN | TCP_F_RST)))
		return 1; /* FIN (or FIN+PSH/URG) without ACK */
	return 0;
}

static uint8_t
wshift(const struct tcp_conn *c, int d)
{
	uint8_t w = c->h[d].wscale;

	if (!c->ws_ok)
		return 0;
	return w > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : w;
}

static void
half_start(struct tcp_half *h, const struct tcp_seg *s)
{
	h->isn = s->seq;
	h->next = s->seq + 1;
	h->dec = h->next;
	h->una = h->next;
	h->fwd = h->next;
	h->snd_max = h->next;
	h->wend = h->next;
	h->win = s->win;
	h->wscale = s->wscale;
	h->flags = TCP_H_SYN;
}

/* A full segment's payload before the sender has sent one: 1,448 (Ethernet,
 * IPv4, timestamps) rounded down to 64 bytes, so IPv6 fits too. */
#define TCP_SEG_GUESS 1408u

/*
 * The most bytes !d's sender may have in flight: what the box holds per
 * direction, and a window behind one lost segment must fit the out-of-order
 * queue. It only grows (seg64 only grows), so the edge only moves forward.
 */
static uint32_t
window_max(const struct tcp_ctx *x, const struct tcp_conn *c, int d)
{
	uint32_t seg = c->h[!d].seg64 ? (uint32_t)c->h[!d].seg64 << 6 : TCP_SEG_GUESS;
	uint64_t segs = (uint64_t)x->p.ooo_max_segs * seg;
	uint32_t m = x->p.unacked_max;

	if (x->p.ooo_max_bytes < m)
		m = x->p.ooo_max_bytes;
	return segs < m ? (uint32_t)segs : m;
}

/*
 * Lowers the window field of s (from d, opening the window of !d's sender;
 * scaled by sh) to window_max and updates the TCP checksum incrementally
 * (RFC 1624, eqn. 3).
 */
static uint32_t
clamp_window(struct tcp_ctx *x, const struct tcp_conn *c, int d, struct tcp_seg *s, uint8_t sh)
{
	uint32_t wnd = (uint32_t)s->win << sh, max;
	uint16_t raw, old;
	uint32_t sum;
	uint8_t *th = s->th;

	if (th == NULL)
		return wnd;
	max = window_max(x, c, d);
	if (wnd <= max)
		return wnd;
	raw = (uint16_t)(max >> sh);
	old = (uint16_t)(th[14] << 8 | th[15]);
	sum = (uint16_t) ~(th[16] << 8 | th[17]);
	sum += (uint16_t)~old;
	sum += raw;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	th[14] = (uint8_t)(raw >> 8);
	th[15] = (uint8_t)raw;
	th[16] = (uint8_t)(~sum >> 8);
	th[17] = (uint8_t)~sum;
	s->win = raw;
	tcp_ctr(x, TCP_CTR_WIN_CLAMPED);
	return (uint32_t)raw << sh;
}

static void
handshake(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, struct tcp_out *out)
{
	int d = s->dir;

	if (s->len != 0) {
		drop(x, out, s, TCP_CTR_HS_SYN_DATA, TCP_DROP_HANDSHAKE);
		return;
	}
	if (!(s->flags & TCP_F_ACK)) {
		/* SYN: only from the initiator (no simultaneous open). */
		if (d != 0) {
			drop(x, out, s, TCP_CTR_HS_UNEXPECTED, TCP_DROP_HANDSHAKE);
		} else if (c->state == TCP_ST_NONE) {
			half_start(&c->h[0], s);
			c->state = TCP_ST_SYN_SENT;
			tcp_ctr(x, TCP_CTR_SYN);
			tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
		} else if (s->seq == c->h[0].isn) {
			tcp_ctr(x, TCP_CTR_HS_RETRANS);
			tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
		} else {
			drop(x, out, s, TCP_CTR_HS_UNEXPECTED, TCP_DROP_HANDSHAKE);
		}
		return;
	}
	/* SYN-ACK: only from the responder, after the SYN, acking the ISN. */
	if (d != 1) {
		drop(x, out, s, TCP_CTR_HS_UNEXPECTED, TCP_DROP_HANDSHAKE);
		return;
	}
	if (c->state == TCP_ST_NONE) {
		drop(x, out, s, TCP_CTR_NO_HANDSHAKE, TCP_DROP_NO_HANDSHAKE);
		return;
	}
	if (s->ack != c->h[0].isn + 1) {
		drop(x, out, s, TCP_CTR_HS_SYNACK_ACK, TCP_DROP_HANDSHAKE);
		return;
	}
	if (c->state == TCP_ST_SYN_SENT) {
		struct tcp_half *h0 = &c->h[0];

		half_start(&c->h[1], s);
		c->ws_ok = h0->wscale != TCP_WSCALE_NONE && s->wscale != TCP_WSCALE_NONE;
		/* The SYN-ACK's window is never scaled (RFC 7323). */
		h0->wend = s->ack + clamp_window(x, c, 1, s, 0);
		h0->flags |= TCP_H_ACKED;
		c->state = TCP_ST_SYN_RCVD;
		tcp_ctr(x, TCP_CTR_SYNACK);
		tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
		return;
	}
	if (s->seq == c->h[1].isn) {
		tcp_ctr(x, TCP_CTR_HS_RETRANS);
		tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
		return;
	}
	drop(x, out, s, TCP_CTR_HS_UNEXPECTED, TCP_DROP_HANDSHAKE);
}

static void
rst_accept(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, struct tcp_out *out)
{
	tcp_ctr(x, TCP_CTR_RST_ACCEPTED);
	tcp_ctr(x, TCP_CTR_CLOSED);
	/* Undecided bytes never leave: the connection is gone anyway. */
	tcp_stream_release_all(x, c, 1, TCP_DROP_CLOSED, out);
	c->state = TCP_ST_CLOSED;
	c->closed = 1;
	out->closed = 1;
	tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
}

/*
 * RFC 5961 section 3: an RST is accepted only at the exact next sequence the
 * receiver expects. Which one the receiver has depends on what it got, so
 * the sender's next byte in order, its highest byte and the forwarded edge
 * all count as exact. In window but not exact: the receiver would send a
 * challenge ACK; we drop it (a genuine sender answers the challenge).
 */
static void
rst(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, struct tcp_out *out)
{
	const struct tcp_half *h = &c->h[s->dir];
	uint32_t right;

	if (c->state == TCP_ST_SYN_SENT) {
		/* RFC 793: an RST answering a SYN is valid if it acks the SYN. */
		if ((s->dir == 1 && (s->flags & TCP_F_ACK) && s->ack == c->h[0].isn + 1) ||
				(s->dir == 0 && s->seq == c->h[0].next))
			rst_accept(x, c, s, out);
		else
			drop(x, out, s, TCP_CTR_RST_WINDOW, TCP_DROP_RST_WINDOW);
		return;
	}
	if (s->seq == h->fwd || s->seq == h->next || s->seq == h->snd_max) {
		rst_accept(x, c, s, out);
		return;
	}
	right = (h->flags & TCP_H_ACKED) ? h->wend : h->una + TCP_GENEROUS_WIN;
	if (TCP_SEQ_GEQ(s->seq, h->una) && TCP_SEQ_LT(s->seq, right))
		drop(x, out, s, TCP_CTR_RST_CHALLENGE, TCP_DROP_RST_CHALLENGE);
	else
		drop(x, out, s, TCP_CTR_RST_WINDOW, TCP_DROP_RST_WINDOW);
}

/* A bypassed connection: forward, and only follow RST and FINs for `closed`. */
static void
bypassed(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, struct tcp_out *out)
{
	struct tcp_half *h = &c->h[s->dir & 1];
	struct tcp_half *o = &c->h[!(s->dir & 1)];

	if (s->flags & TCP_F_RST)
		c->closed = 1;
	if (s->flags & TCP_F_FIN) {
		h->flags |= TCP_H_FIN_SEEN;
		h->fin_seq = s->seq + s->len;
	}
	if ((s->flags & TCP_F_ACK) && (o->flags & TCP_H_FIN_SEEN) && s->ack == o->fin_seq + 1)
		o->flags |= TCP_H_FIN_ACKED;
	if ((h->flags & TCP_H_FIN_ACKED) && (o->flags & TCP_H_FIN_ACKED))
		c->closed = 1;
	out->closed = c->closed;
	tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
}

/* A copy of bytes the receiver has acknowledged (see window_ok). */
static void
acked_copy(struct tcp_ctx *x, struct tcp_half *h, struct tcp_seg *s, struct tcp_out *out)
{
	if (s->len == 1 && s->seq == h->una - 1 && !(s->flags & TCP_F_FIN))
		tcp_ctr(x, TCP_CTR_KEEPALIVE);
	else
		tcp_ctr(x, TCP_CTR_RETRANS_ACKED);
	if (tcp_forgotten(h, s->seq)) {
		drop(x, out, s, TCP_CTR_EDIT_LOG_LOST, TCP_DROP_EDIT_LOG_LOST);
		return;
	}
	if (tcp_elog_apply(x, h, s->payload, s->seq, s->seq, s->seq + s->len)) {
		tcp_ctr(x, TCP_CTR_RETRANS_ACKED_EDITED);
		tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD_EDITED, TCP_DROP_NONE);
		return;
	}
	tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
}

/*
 * The window check of a segment from sender h. Returns 1 to go on, 0 when
 * the segment was dealt with (dropped, or forwarded as it is).
 */
static int
window_ok(struct tcp_ctx *x, struct tcp_half *h, struct tcp_seg *s, struct tcp_out *out)
{
	uint32_t len1 = s->len + ((s->flags & TCP_F_FIN) ? 1 : 0);
	uint32_t left = h->una;
	uint32_t right = (h->flags & TCP_H_ACKED) ? h->wend : h->una + TCP_GENEROUS_WIN;
	uint32_t end = s->seq + len1;

	if (len1 == 0) {
		/* A bare ACK: keepalives use una - 1. */
		if (TCP_SEQ_LT(s->seq, left - 1)) {
			drop(x, out, s, TCP_CTR_WINDOW_LEFT, TCP_DROP_WINDOW);
			return 0;
		}
		if (TCP_SEQ_GT(s->seq, right)) {
			drop(x, out, s, TCP_CTR_WINDOW_RIGHT, TCP_DROP_WINDOW);
			return 0;
		}
		return 1;
	}
	if (TCP_SEQ_LEQ(end, left)) {
		/*
		 * Bytes the receiver has acknowledged: it discards them and
		 * re-ACKs, which a sender whose ACK got lost beyond us needs.
		 * Not inspected again, but they leave only as the first copy
		 * left: with its logged edits, or not at all once an edit of
		 * theirs is forgotten (a tap or a careless receiver behind the
		 * box must never see what was masked). The same from before
		 * the ISN or far behind is dropped.
		 */
		if (TCP_SEQ_GT(s->seq, h->isn) && left - s->seq <= TCP_GENEROUS_WIN) {
			acked_copy(x, h, s, out);
			return 0;
		}
		drop(x, out, s, TCP_CTR_WINDOW_LEFT, TCP_DROP_WINDOW);
		return 0;
	}
	/* One byte at the right edge is a zero-window probe. */
	if (TCP_SEQ_GEQ(s->seq, right) && !(s->seq == right && len1 == 1)) {
		drop(x, out, s, TCP_CTR_WINDOW_RIGHT, TCP_DROP_WINDOW);
		return 0;
	}
	return 1;
}

/* The ACK of a segment from d acknowledges o's bytes and opens o's window. */
static void
take_ack(struct tcp_ctx *x, struct tcp_conn *c, int d, struct tcp_seg *s)
{
	struct tcp_half *o = &c->h[!d];
	uint32_t ack = s->ack;
	uint32_t wend = ack + clamp_window(x, c, d, s, wshift(c, d));

	c->h[d].win = s->win;
	if (!(o->flags & TCP_H_ACKED) || TCP_SEQ_GT(wend, o->wend))
		o->wend = wend;
	o->flags |= TCP_H_ACKED;
	/* Never past what left the box: bytes held are not acknowledgeable. */
	if (TCP_SEQ_GT(ack, o->fwd))
		ack = o->fwd;
	if (TCP_SEQ_GT(ack, o->una)) {
		o->una = ack;
		tcp_stream_acked(x, c, !d);
	}
}

void
tcp_input(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, uint64_t now,
		struct tcp_out *out)
{
	int d;

	tcp_out_reset(c, out);
	tcp_ctr(x, TCP_CTR_SEG_IN);
	s->dir &= 1;
	d = s->dir;
	if (c->verdict == TCP_CONN_DROP || c->verdict == TCP_CONN_RESET) {
		tcp_emit(x, out, s->pkt, TCP_ACT_DROP, TCP_DROP_CONN);
		return;
	}
	if (c->verdict == TCP_CONN_BYPASS) {
		bypassed(x, c, s, out);
		return;
	}
	if (!s->csum_ok) {
		drop(x, out, s, TCP_CTR_BAD_CSUM, TCP_DROP_BAD_CSUM);
		return;
	}
	if (c->state == TCP_ST_CLOSED) {
		tcp_emit(x, out, s->pkt, TCP_ACT_DROP, TCP_DROP_CLOSED);
		return;
	}
	if (flags_bad(s)) {
		drop(x, out, s, TCP_CTR_HS_BAD_FLAGS, TCP_DROP_BAD_FLAGS);
		return;
	}
	if (s->flags & TCP_F_SYN) {
		handshake(x, c, s, out);
		return;
	}
	if (c->state == TCP_ST_NONE || (c->state == TCP_ST_SYN_SENT && !(s->flags & TCP_F_RST))) {
		drop(x, out, s, TCP_CTR_NO_HANDSHAKE, TCP_DROP_NO_HANDSHAKE);
		return;
	}
	if (s->flags & TCP_F_RST) {
		rst(x, c, s, out);
		return;
	}
	if (!(s->flags & TCP_F_ACK)) {
		drop(x, out, s, TCP_CTR_NO_ACK, TCP_DROP_BAD_FLAGS);
		return;
	}
	if (c->state == TCP_ST_SYN_RCVD && d == 0 && s->ack != c->h[1].isn + 1) {
		drop(x, out, s, TCP_CTR_HS_ACK, TCP_DROP_HANDSHAKE);
		return;
	}
	if (TCP_SEQ_GT(s->ack, c->h[!d].snd_max)) {
		drop(x, out, s, TCP_CTR_BAD_ACK, TCP_DROP_BAD_ACK);
		return;
	}
	if (!window_ok(x, &c->h[d], s, out))
		return;
	if (s->len >> 6 > c->h[d].seg64)
		c->h[d].seg64 = s->len >= 255u << 6 ? 255 : (uint8_t)(s->len >> 6);
	if (c->state == TCP_ST_SYN_RCVD && d == 0) {
		c->state = TCP_ST_EST;
		tcp_ctr(x, TCP_CTR_ESTABLISHED);
	}
	take_ack(x, c, d, s);
	if (s->len == 0 && !(s->flags & TCP_F_FIN))
		tcp_emit(x, out, s->pkt, TCP_ACT_FORWARD, TCP_DROP_NONE);
	else
		tcp_stream_data(x, c, s, now, out);
	if (!c->closed && (c->h[0].flags & TCP_H_FIN_ACKED) && (c->h[1].flags & TCP_H_FIN_ACKED)) {
		c->closed = 1;
		tcp_ctr(x, TCP_CTR_CLOSED);
	}
	out->conn_verdict = c->verdict;
	out->closed = c->closed;
}
