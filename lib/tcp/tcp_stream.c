/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stream of one direction: out-of-order queue, in-order delivery to the
 * inspector, held packets and the carry of undecided bytes, edits applied to
 * packets and logged, retransmissions compared and replayed, verdicts.
 *
 * Per direction, in sequence space:
 *
 *      una        fwd        dec          next            queued...
 *   ----|----------|----------|-------------|-----  ...  [ ]  [  ]
 *       | forwarded, not acked| undecided   | not received in order
 *       |<------- ring: raw copy of inspected bytes ------>|
 *                             |<-- carry -->|
 *
 * una <= fwd <= dec <= next (fwd may be next + 1 once the FIN is out).
 * A packet is held while it carries a byte at or above dec; it leaves when
 * dec passes its end. The ring (raw inspected bytes from una to next, and
 * the edit log) exists while una < next; the carry while dec < next.
 */
#include <stdbool.h>
#include <string.h>

#include "tcp_priv.h"

enum push_res { PUSH_OK, PUSH_DROP_PACKET, PUSH_DROP_CONN, PUSH_RESET, PUSH_BYPASS };

/* ---------------------------------------------------------------------- */
/* Lists                                                                    */

static void
held_append(struct tcp_ctx *x, struct tcp_half *h, uint32_t i)
{
	struct tcp_slot *s = tcp_slot_at(x, i);

	s->next = 0;
	if (h->held_tail != 0)
		tcp_slot_at(x, h->held_tail)->next = i;
	else
		h->held_head = i;
	h->held_tail = i;
	h->held_n++;
	x->st.held_segs++;
	x->st.held_bytes += s->len;
}

/* Unlinks i (whose predecessor is prev, 0 for the head) from the held list. */
static void
held_unlink(struct tcp_ctx *x, struct tcp_half *h, uint32_t prev, uint32_t i)
{
	struct tcp_slot *s = tcp_slot_at(x, i);

	if (prev == 0)
		h->held_head = s->next;
	else
		tcp_slot_at(x, prev)->next = s->next;
	if (h->held_tail == i)
		h->held_tail = prev;
	s->next = 0;
	h->held_n--;
	x->st.held_segs--;
	x->st.held_bytes -= s->len;
}

static int
held_contains(struct tcp_ctx *x, const struct tcp_half *h, uint32_t i, uint32_t *prev)
{
	uint32_t p = 0, k;

	for (k = h->held_head; k != 0; p = k, k = tcp_slot_at(x, k)->next)
		if (k == i) {
			*prev = p;
			return 1;
		}
	return 0;
}

static void
ooo_pop(struct tcp_ctx *x, struct tcp_half *h, uint32_t prev, uint32_t i)
{
	struct tcp_slot *s = tcp_slot_at(x, i);

	if (prev == 0)
		h->ooo_head = s->next;
	else
		tcp_slot_at(x, prev)->next = s->next;
	s->next = 0;
	h->ooo_n--;
	h->ooo_bytes -= s->len;
	x->st.ooo_segs--;
	x->st.ooo_bytes -= s->len;
}

/* Whether held packets cover [a, b) (walked in list order, which is seq order
 * for originals). */
static int
held_covers(struct tcp_ctx *x, const struct tcp_half *h, uint32_t a, uint32_t b)
{
	uint32_t k;

	for (k = h->held_head; k != 0 && TCP_SEQ_LT(a, b); k = tcp_slot_at(x, k)->next) {
		const struct tcp_slot *s = tcp_slot_at(x, k);

		if (TCP_SEQ_LEQ(s->seq, a) && TCP_SEQ_GT(s->seq + s->len, a))
			a = s->seq + s->len;
	}
	return TCP_SEQ_GEQ(a, b);
}

/* Emits slot i and returns it to the pool (it is in no list). */
static void
slot_out(struct tcp_ctx *x, struct tcp_half *h, uint32_t i, int as_drop,
	enum tcp_drop_reason reason, struct tcp_out *out)
{
	struct tcp_slot *s = tcp_slot_at(x, i);

	if (as_drop) {
		tcp_emit(x, out, s->pkt, TCP_ACT_DROP, reason);
	} else {
		tcp_emit(x, out, s->pkt, s->edited ? TCP_ACT_FORWARD_EDITED : TCP_ACT_FORWARD,
			TCP_DROP_NONE);
		if (s->fin && (h->flags & TCP_H_FIN_IN))
			h->flags |= TCP_H_FIN_FWD;
	}
	tcp_slot_put(x, i);
}

/* ---------------------------------------------------------------------- */
/* Ring of inspected bytes and edit log                                     */

static void
ring_write(struct tcp_ctx *x, const struct tcp_half *h, uint32_t seq, const uint8_t *p, uint32_t n)
{
	uint8_t *r = tcp_ring_at(x, h->ring);
	uint32_t pos = seq & x->ring_mask;
	uint32_t first = x->p.ring_size - pos;

	if (first > n)
		first = n;
	memcpy(r + pos, p, first);
	if (n > first)
		memcpy(r, p + first, n - first);
}

static int
ring_cmp(struct tcp_ctx *x, const struct tcp_half *h, uint32_t seq, const uint8_t *p, uint32_t n)
{
	const uint8_t *r = tcp_ring_at(x, h->ring);
	uint32_t pos = seq & x->ring_mask;
	uint32_t first = x->p.ring_size - pos;

	if (first > n)
		first = n;
	if (memcmp(r + pos, p, first) != 0)
		return 1;
	return n > first && memcmp(r, p + first, n - first) != 0;
}

static void
elog_prune(struct tcp_ctx *x, struct tcp_half *h)
{
	struct tcp_ring *r = &x->rings[h->ring];

	while (r->n > 0) {
		const struct tcp_elog *e = tcp_elog_at(x, h->ring, r->head);

		if (TCP_SEQ_GT(e->seq + e->len, h->una))
			break;
		r->head = r->head + 1 == x->p.edit_log ? 0 : r->head + 1;
		r->n--;
	}
}

static void
elog_add(struct tcp_ctx *x, struct tcp_half *h, uint32_t seq, uint16_t len, uint8_t fill)
{
	struct tcp_ring *r = &x->rings[h->ring];
	struct tcp_elog *e;

	if (r->n > 0) {
		uint32_t last = (r->head + r->n - 1) % x->p.edit_log;

		e = tcp_elog_at(x, h->ring, last);
		/* Edits come in sequence order: merge a run of one fill. */
		if (e->seq + e->len == seq && e->fill == fill && (uint32_t)e->len + len <= 0xffff) {
			e->len = (uint16_t)(e->len + len);
			return;
		}
	}
	if (r->n == x->p.edit_log)
		elog_prune(x, h);
	if (r->n == x->p.edit_log) {
		/* Retransmissions of these bytes can no longer be edited: refuse them. */
		tcp_ctr(x, TCP_CTR_EDIT_LOG_FULL);
		if (!(h->flags & TCP_H_ELOG_LOST)) {
			h->lost_lo = seq;
			h->lost_hi = seq + len;
		} else if (TCP_SEQ_GT(seq + len, h->lost_hi)) {
			h->lost_hi = seq + len;
		}
		h->flags |= TCP_H_ELOG_LOST;
		return;
	}
	e = tcp_elog_at(x, h->ring, (r->head + r->n) % x->p.edit_log);
	e->seq = seq;
	e->len = len;
	e->fill = fill;
	r->n++;
}

/* Applies the logged edits covering [a, b) to slot s. Returns 1 if any. */
static int
elog_apply(struct tcp_ctx *x, const struct tcp_half *h, struct tcp_slot *s, uint32_t a, uint32_t b)
{
	const struct tcp_ring *r = &x->rings[h->ring];
	uint32_t k;
	int hit = 0;

	for (k = 0; k < r->n; k++) {
		const struct tcp_elog *e = tcp_elog_at(x, h->ring, (r->head + k) % x->p.edit_log);
		uint32_t lo = e->seq, hi = e->seq + e->len;

		if (TCP_SEQ_LT(lo, a))
			lo = a;
		if (TCP_SEQ_GT(hi, b))
			hi = b;
		if (TCP_SEQ_LT(lo, hi)) {
			memset(s->payload + (lo - s->seq), e->fill, hi - lo);
			hit = 1;
		}
	}
	return hit;
}

/* ---------------------------------------------------------------------- */
/* Releases and verdicts                                                    */

/* fwd: every byte below was forwarded at least once. */
static void
update_fwd(struct tcp_ctx *x, struct tcp_half *h)
{
	uint32_t base = h->dec;
	uint32_t k;

	for (k = h->held_head; k != 0; k = tcp_slot_at(x, k)->next) {
		uint32_t sq = tcp_slot_at(x, k)->seq;

		if (TCP_SEQ_LT(sq, base))
			base = sq;
	}
	if ((h->flags & TCP_H_FIN_FWD) && base == h->fin_seq)
		base = h->fin_seq + 1;
	if (TCP_SEQ_GT(base, h->fwd))
		h->fwd = base;
}

/* Releases every held packet whose bytes are all decided, in list order. */
static void
release_decided(struct tcp_ctx *x, struct tcp_half *h, struct tcp_out *out)
{
	uint32_t prev = 0, k = h->held_head;

	while (k != 0) {
		struct tcp_slot *s = tcp_slot_at(x, k);
		uint32_t nx = s->next;

		if (TCP_SEQ_LEQ(s->seq + s->len, h->dec)) {
			held_unlink(x, h, prev, k);
			slot_out(x, h, k, 0, TCP_DROP_NONE, out);
		} else {
			prev = k;
		}
		k = nx;
	}
	update_fwd(x, h);
}

static void
half_release(struct tcp_ctx *x, struct tcp_half *h, int as_drop, enum tcp_drop_reason reason,
	struct tcp_out *out)
{
	while (h->held_head != 0) {
		uint32_t i = h->held_head;

		held_unlink(x, h, 0, i);
		slot_out(x, h, i, as_drop, reason, out);
	}
	while (h->ooo_head != 0) {
		uint32_t i = h->ooo_head;

		ooo_pop(x, h, 0, i);
		slot_out(x, h, i, as_drop, reason, out);
	}
	if (h->carry != 0) {
		tcp_carry_put(x, h->carry);
		h->carry = 0;
	}
	if (h->ring != 0) {
		tcp_ring_put(x, h->ring);
		h->ring = 0;
	}
}

void
tcp_stream_release_all(struct tcp_ctx *x, struct tcp_conn *c, int as_drop,
	enum tcp_drop_reason reason, struct tcp_out *out)
{
	half_release(x, &c->h[0], as_drop, reason, out);
	half_release(x, &c->h[1], as_drop, reason, out);
}

void
tcp_conn_set_verdict(
	struct tcp_ctx *x, struct tcp_conn *c, enum tcp_conn_verdict v, struct tcp_out *out)
{
	if (c->verdict != TCP_CONN_OK)
		return;
	c->verdict = (uint8_t)v;
	out->conn_verdict = (uint8_t)v;
	if (v == TCP_CONN_BYPASS) {
		/* Held and queued packets leave as they are (edits applied so far). */
		tcp_ctr(x, TCP_CTR_BYPASSED);
		tcp_stream_release_all(x, c, 0, TCP_DROP_NONE, out);
	} else {
		tcp_ctr(x, TCP_CTR_CONN_DROPPED);
		tcp_stream_release_all(x, c, 1, TCP_DROP_CONN, out);
	}
}

/* Drops the connection; slot i (0: none) is the packet at hand, in no list. */
static void
conn_kill(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_half *h, uint32_t i,
	enum tcp_conn_verdict v, struct tcp_out *out)
{
	if (i != 0)
		slot_out(x, h, i, 1, TCP_DROP_CONN, out);
	tcp_conn_set_verdict(x, c, v, out);
}

void
tcp_stream_acked(struct tcp_ctx *x, struct tcp_conn *c, int d)
{
	struct tcp_half *h = &c->h[d];

	if ((h->flags & TCP_H_ELOG_LOST) && TCP_SEQ_GEQ(h->una, h->lost_hi))
		h->flags &= (uint8_t)~TCP_H_ELOG_LOST;
	if (h->ring != 0) {
		if (TCP_SEQ_GEQ(h->una, h->next)) {
			/* Everything inspected is acknowledged: the ring goes back. */
			tcp_ring_put(x, h->ring);
			h->ring = 0;
		} else {
			elog_prune(x, h);
		}
	}
	if ((h->flags & TCP_H_FIN_FWD) && h->una == h->fin_seq + 1)
		h->flags |= TCP_H_FIN_ACKED;
}

/* ---------------------------------------------------------------------- */
/* The inspector                                                            */

/* Applies one decided edit [seq, seq + len) to every held packet covering it. */
static void
edit_apply(struct tcp_ctx *x, struct tcp_half *h, uint32_t seq, uint16_t len, uint8_t fill)
{
	uint32_t k;

	tcp_ctr(x, TCP_CTR_EDITS);
	tcp_ctr_add(x, TCP_CTR_EDIT_BYTES, len);
	for (k = h->held_head; k != 0; k = tcp_slot_at(x, k)->next) {
		struct tcp_slot *s = tcp_slot_at(x, k);
		uint32_t lo = seq, hi = seq + len;

		if (TCP_SEQ_LT(lo, s->seq))
			lo = s->seq;
		if (TCP_SEQ_GT(hi, s->seq + s->len))
			hi = s->seq + s->len;
		if (TCP_SEQ_LT(lo, hi)) {
			memset(s->payload + (lo - s->seq), fill, hi - lo);
			s->edited = 1;
		}
	}
	elog_add(x, h, seq, len, fill);
}

/*
 * One push of [dec, dec + blen) (buf) to the inspector. On FORWARD and
 * BYPASS the edits are applied and dec moves by consumed; *ovf says to push
 * the rest again at once. DROP_PACKET, DROP_CONN and RESET change nothing.
 */
static enum push_res repush_other(struct tcp_ctx *x, struct tcp_conn *c, int od);
static enum push_res push_any(struct tcp_ctx *x, struct tcp_conn *c, int d, const uint8_t *buf,
	uint32_t blen, int *ovf, int follow_retry);

static enum push_res
push(struct tcp_ctx *x, struct tcp_conn *c, int d, const uint8_t *buf, uint32_t blen, int *ovf)
{
	return push_any(x, c, d, buf, blen, ovf, 1);
}

static enum push_res
push_one(struct tcp_ctx *x, struct tcp_conn *c, int d, const uint8_t *buf, uint32_t blen, int *ovf)
{
	return push_any(x, c, d, buf, blen, ovf, 0);
}

static enum push_res
push_any(struct tcp_ctx *x, struct tcp_conn *c, int d, const uint8_t *buf, uint32_t blen, int *ovf,
	int follow_retry)
{
	struct tcp_half *h = &c->h[d];
	struct tcp_insp_result r;
	uint32_t k;

	r.consumed = 0;
	r.verdict = TCP_INSP_FORWARD;
	r.n_edits = 0;
	r.overflow = 0;
	r.retry_other = 0;
	if (x->p.inspect != NULL)
		x->p.inspect(x->p.inspect_arg, c, d, buf, blen, &r);
	else
		r.consumed = blen;
	tcp_ctr(x, TCP_CTR_PUSHES);
	if (r.consumed > blen) {
		tcp_ctr(x, TCP_CTR_BAD_RESULT);
		r.consumed = blen;
	}
	if (r.n_edits > TCP_INSP_MAX_EDITS) {
		tcp_ctr(x, TCP_CTR_BAD_RESULT);
		r.n_edits = TCP_INSP_MAX_EDITS;
	}
	/* An overflow that decided nothing would loop: take it as a plain hold. */
	*ovf = r.overflow && r.consumed > 0;
	if (r.overflow && r.consumed == 0)
		tcp_ctr(x, TCP_CTR_BAD_RESULT);
	switch (r.verdict) {
	case TCP_INSP_FORWARD:
	case TCP_INSP_BYPASS:
		break;
	case TCP_INSP_DROP_PACKET:
		tcp_ctr(x, TCP_CTR_INSP_DROP_PACKET);
		return PUSH_DROP_PACKET;
	case TCP_INSP_RESET:
		tcp_ctr(x, TCP_CTR_INSP_RESET);
		return PUSH_RESET;
	case TCP_INSP_DROP_CONN:
		tcp_ctr(x, TCP_CTR_INSP_DROP_CONN);
		return PUSH_DROP_CONN;
	default:
		/* Fail closed on a verdict we do not know. */
		tcp_ctr(x, TCP_CTR_BAD_RESULT);
		tcp_ctr(x, TCP_CTR_INSP_DROP_CONN);
		return PUSH_DROP_CONN;
	}
	for (k = 0; k < r.n_edits; k++) {
		const struct tcp_insp_edit *e = &r.edits[k];
		uint32_t len = e->len;

		/* Edits only touch decided bytes of this push. */
		if (e->off >= r.consumed || len > r.consumed - e->off) {
			tcp_ctr(x, TCP_CTR_BAD_RESULT);
			if (e->off >= r.consumed)
				continue;
			len = r.consumed - e->off;
		}
		if (len != 0)
			edit_apply(x, h, h->dec + e->off, (uint16_t)len, e->fill);
	}
	h->dec += r.consumed;
	if (r.retry_other && r.verdict == TCP_INSP_FORWARD && follow_retry) {
		enum push_res v;

		tcp_ctr(x, TCP_CTR_RETRY_OTHER);
		v = repush_other(x, c, d ^ 1);
		if (v != PUSH_OK)
			return v;
		/* The rest of this direction goes on at once, like an overflow. */
		*ovf = h->dec != h->next || *ovf;
	}
	return r.verdict == TCP_INSP_BYPASS ? PUSH_BYPASS : PUSH_OK;
}

/*
 * The inspector asked for the undecided bytes of direction od again (they
 * sit in its carry): push them, no new bytes, until they are decided or the
 * inspector holds them again. The packets they decide are released by
 * process() (rel_other), which has the out list.
 */
static enum push_res
repush_other(struct tcp_ctx *x, struct tcp_conn *c, int od)
{
	struct tcp_half *h = &c->h[od];
	unsigned int rounds = 0;

	while (h->dec != h->next && h->carry != 0 && rounds++ < TCP_CARRY_SIZE) {
		uint8_t *cb = tcp_carry_at(x, h->carry);
		uint32_t before = h->dec;
		enum push_res v;
		int ovf = 0;

		/* A retry from this push would come back here: not followed. */
		v = push_one(x, c, od, cb, h->next - h->dec, &ovf);
		if (v != PUSH_OK)
			return v;
		if (h->dec != before)
			memmove(cb, cb + (h->dec - before), h->next - h->dec);
		if (h->dec == h->next) {
			tcp_carry_put(x, h->carry);
			h->carry = 0;
		}
		if (h->dec != before)
			c->rel_other |= (uint8_t)(1u << od);
		if (!ovf)
			break;
	}
	return PUSH_OK;
}

/* Moves the undecided bytes [dec, next), all inside slot s, to a new carry. */
static enum push_res
to_carry(struct tcp_ctx *x, struct tcp_half *h, const struct tcp_slot *s)
{
	uint32_t rest = h->next - h->dec;

	if (rest > TCP_CARRY_SIZE) {
		tcp_ctr(x, TCP_CTR_CARRY_FULL);
		return PUSH_DROP_CONN;
	}
	h->carry = tcp_carry_alloc(x);
	if (h->carry == 0)
		return PUSH_DROP_CONN;
	memcpy(tcp_carry_at(x, h->carry), s->payload + (h->dec - s->seq), rest);
	return PUSH_OK;
}

/*
 * Gives the inspector the new bytes [next, end) of slot i (already in the
 * held list), after the undecided ones. Returns PUSH_OK when the direction
 * goes on (bytes still undecided sit in the carry), or the verdict to apply.
 * PUSH_DROP_CONN also stands for a carry that cannot hold the undecided bytes.
 *
 * DROP_PACKET undoes only the push that got it: the bytes that push added
 * are given back (next moves back), bytes an earlier push showed the
 * inspector as undecided stay undecided (in the carry), since the inspector
 * expects them first in its next push.
 */
static enum push_res
deliver(struct tcp_ctx *x, struct tcp_conn *c, int d, uint32_t i)
{
	struct tcp_half *h = &c->h[d];
	struct tcp_slot *s = tcp_slot_at(x, i);
	uint32_t end = s->seq + s->len;
	uint32_t shown; /* next before the failing push added bytes */
	enum push_res v;
	int ovf;

	for (;;) {
		if (h->dec == h->next) {
			/* Nothing undecided: push the payload itself, no copy. */
			uint32_t n = end - h->next;
			int first = 1;

			if (n == 0)
				return PUSH_OK;
			shown = h->next;
			ring_write(x, h, h->next, s->payload + (h->next - s->seq), n);
			h->next = end;
			tcp_ctr_add(x, TCP_CTR_BYTES_DELIVERED, n);
			do {
				v = push(x, c, d, s->payload + (h->dec - s->seq), h->next - h->dec,
					&ovf);
				if (v != PUSH_OK) {
					if (!first)
						shown = h->next;
					goto verdict;
				}
				first = 0;
			} while (ovf && h->dec != h->next);
			if (h->dec != h->next)
				return to_carry(x, h, s);
			return PUSH_OK;
		} else {
			/* Undecided bytes in the carry: append what fits, push the carry. */
			uint8_t *cb = tcp_carry_at(x, h->carry);
			uint32_t clen = h->next - h->dec;
			uint32_t take = end - h->next;
			uint32_t before = h->dec;

			if (take > TCP_CARRY_SIZE - clen)
				take = TCP_CARRY_SIZE - clen;
			shown = h->next;
			if (take != 0) {
				const uint8_t *p = s->payload + (h->next - s->seq);

				memcpy(cb + clen, p, take);
				ring_write(x, h, h->next, p, take);
				h->next += take;
				tcp_ctr_add(x, TCP_CTR_BYTES_DELIVERED, take);
			}
			v = push(x, c, d, cb, h->next - h->dec, &ovf);
			if (v != PUSH_OK)
				goto verdict;
			if (h->dec != before)
				memmove(cb, cb + (h->dec - before), h->next - h->dec);
			if (h->dec == h->next) {
				tcp_carry_put(x, h->carry);
				h->carry = 0;
				continue;
			}
			if (ovf)
				continue;
			if (h->next == end)
				return PUSH_OK;
			if (take == 0 && h->dec == before) {
				/* A full carry and still undecided: over the bound. */
				tcp_ctr(x, TCP_CTR_CARRY_FULL);
				return PUSH_DROP_CONN;
			}
		}
	}
verdict:
	if (v == PUSH_DROP_PACKET) {
		tcp_ctr_add(x, TCP_CTR_BYTES_DELIVERED, (uint64_t)0 - (h->next - shown));
		h->next = shown;
		if (h->dec == h->next) {
			if (h->carry != 0) {
				tcp_carry_put(x, h->carry);
				h->carry = 0;
			}
		} else if (h->carry == 0) {
			/* Direct push refused after an overflow: keep what was shown. */
			if (to_carry(x, h, s) != PUSH_OK)
				return PUSH_DROP_CONN;
		}
	}
	return v;
}

/* ---------------------------------------------------------------------- */
/* One segment at or below next                                             */

static void
fin_check(struct tcp_ctx *x, struct tcp_half *h, const struct tcp_slot *s)
{
	if (s->fin && !(h->flags & TCP_H_FIN_IN) && TCP_SEQ_GEQ(h->next, s->seq + s->len)) {
		h->flags |= TCP_H_FIN_IN;
		tcp_ctr(x, TCP_CTR_FIN);
	}
}

/*
 * Slot i (in no list) starts at or below next: compare its old bytes with
 * what was inspected and give them the logged edits, then deliver its new
 * bytes. It is released, held, or dropped.
 */
static void
process(struct tcp_ctx *x, struct tcp_conn *c, int d, uint32_t i, struct tcp_out *out)
{
	struct tcp_half *h = &c->h[d];
	struct tcp_slot *s = tcp_slot_at(x, i);
	uint32_t end = s->seq + s->len;
	uint32_t olde = TCP_SEQ_LT(end, h->next) ? end : h->next;
	enum push_res v;
	uint32_t prev;

	if (TCP_SEQ_LT(s->seq, olde)) {
		uint32_t a = TCP_SEQ_GT(s->seq, h->una) ? s->seq : h->una;

		tcp_ctr(x, TCP_CTR_RETRANS);
		if (TCP_SEQ_LT(a, olde)) {
			uint32_t b = TCP_SEQ_LT(olde, h->dec) ? olde : h->dec;

			if ((h->flags & TCP_H_ELOG_LOST) && TCP_SEQ_LT(a, h->lost_hi) &&
				TCP_SEQ_GT(olde, h->lost_lo)) {
				tcp_ctr(x, TCP_CTR_EDIT_LOG_LOST);
				slot_out(x, h, i, 1, TCP_DROP_EDIT_LOG_LOST, out);
				return;
			}
			tcp_ctr_add(x, TCP_CTR_RETRANS_BYTES, olde - a);
			if (ring_cmp(x, h, a, s->payload + (a - s->seq), olde - a) != 0) {
				/* ASA check-retransmission: inconsistent bytes. */
				tcp_ctr(x, TCP_CTR_EVASION);
				conn_kill(x, c, h, i, TCP_CONN_DROP, out);
				return;
			}
			if (TCP_SEQ_LT(a, b) && elog_apply(x, h, s, a, b)) {
				s->edited = 1;
				tcp_ctr(x, TCP_CTR_RETRANS_EDITED);
			}
		}
	}
	if (TCP_SEQ_LEQ(end, h->next)) {
		/* Nothing new, but maybe the FIN. */
		int fin_new = s->fin && !(h->flags & TCP_H_FIN_IN);

		fin_check(x, h, s);
		if (TCP_SEQ_LEQ(end, h->dec)) {
			slot_out(x, h, i, 0, TCP_DROP_NONE, out);
			update_fwd(x, h);
		} else if (fin_new) {
			/* The FIN waits behind the undecided bytes. */
			held_append(x, h, i);
			if (h->held_n > x->p.held_max_segs) {
				tcp_ctr(x, TCP_CTR_HELD_FULL);
				conn_kill(x, c, h, 0, TCP_CONN_DROP, out);
			}
		} else if ((TCP_SEQ_LT(s->seq, h->dec) || !held_covers(x, h, h->dec, end)) &&
			h->held_n < x->p.held_max_segs / 2 + 1) {
			/*
			 * Decided bytes (the receiver may miss them) and undecided
			 * ones: held, the latter get their edits later. Only while
			 * the held list is half empty, so copies never crowd out
			 * the originals.
			 */
			held_append(x, h, i);
			tcp_ctr(x, TCP_CTR_HELD_SEGS);
			tcp_ctr_add(x, TCP_CTR_HELD_BYTES, s->len);
		} else {
			/* Only a copy of bytes whose original is held: that one goes. */
			tcp_ctr(x, TCP_CTR_HELD_DUP);
			slot_out(x, h, i, 1, TCP_DROP_HELD_DUP, out);
		}
		return;
	}
	/* New bytes: the ring must take them (the unacknowledged cap). */
	if (end - h->una > x->p.ring_size) {
		tcp_ctr(x, TCP_CTR_UNACKED_CAP);
		slot_out(x, h, i, 1, TCP_DROP_UNACKED_CAP, out);
		return;
	}
	if (h->ring == 0) {
		h->ring = tcp_ring_alloc(x);
		if (h->ring == 0) {
			slot_out(x, h, i, 1, TCP_DROP_RING_POOL, out);
			return;
		}
	}
	held_append(x, h, i);
	v = deliver(x, c, d, i);
	if (c->rel_other & (1u << (d ^ 1))) {
		/* A retry decided held bytes of the other direction: out they go. */
		c->rel_other = 0;
		release_decided(x, &c->h[d ^ 1], out);
		update_fwd(x, &c->h[d ^ 1]);
	}
	switch (v) {
	case PUSH_OK:
		break;
	case PUSH_DROP_PACKET:
		if (held_contains(x, h, i, &prev)) {
			held_unlink(x, h, prev, i);
			slot_out(x, h, i, 1, TCP_DROP_INSPECT, out);
		}
		release_decided(x, h, out);
		return;
	case PUSH_BYPASS:
		fin_check(x, h, s);
		tcp_conn_set_verdict(x, c, TCP_CONN_BYPASS, out);
		return;
	case PUSH_RESET:
		conn_kill(x, c, h, 0, TCP_CONN_RESET, out);
		return;
	default:
		conn_kill(x, c, h, 0, TCP_CONN_DROP, out);
		return;
	}
	fin_check(x, h, s);
	if (held_contains(x, h, i, &prev) && TCP_SEQ_GT(end, h->dec)) {
		tcp_ctr(x, TCP_CTR_HELD_SEGS);
		tcp_ctr_add(x, TCP_CTR_HELD_BYTES, s->len);
	}
	release_decided(x, h, out);
	if (h->held_n > x->p.held_max_segs) {
		tcp_ctr(x, TCP_CTR_HELD_FULL);
		conn_kill(x, c, h, 0, TCP_CONN_DROP, out);
	}
}

/* Takes queued segments that are now in order. */
static void
drain(struct tcp_ctx *x, struct tcp_conn *c, int d, struct tcp_out *out)
{
	struct tcp_half *h = &c->h[d];

	while (c->verdict == TCP_CONN_OK && h->ooo_head != 0 &&
		TCP_SEQ_LEQ(tcp_slot_at(x, h->ooo_head)->seq, h->next)) {
		uint32_t i = h->ooo_head;

		ooo_pop(x, h, 0, i);
		tcp_ctr(x, TCP_CTR_OOO_RELEASED);
		process(x, c, d, i, out);
	}
}

/*
 * Slot i starts beyond next: queue it. Overlaps with queued segments must
 * hold the same bytes; a segment whose bytes are all queued already is a
 * duplicate.
 */
static bool
ooo_insert(struct tcp_ctx *x, struct tcp_conn *c, int d, uint32_t i, struct tcp_out *out)
{
	struct tcp_half *h = &c->h[d];
	struct tcp_slot *s = tcp_slot_at(x, i);
	uint32_t end = s->seq + s->len;
	uint32_t cover = s->seq, prev = 0, k;
	int fin_dup = 0;

	for (k = h->ooo_head; k != 0; k = tcp_slot_at(x, k)->next) {
		const struct tcp_slot *q = tcp_slot_at(x, k);
		uint32_t qe = q->seq + q->len;
		uint32_t lo = TCP_SEQ_GT(q->seq, s->seq) ? q->seq : s->seq;
		uint32_t hi = TCP_SEQ_LT(qe, end) ? qe : end;

		if (TCP_SEQ_LT(lo, hi) &&
			memcmp(q->payload + (lo - q->seq), s->payload + (lo - s->seq), hi - lo) !=
				0) {
			tcp_ctr(x, TCP_CTR_EVASION);
			conn_kill(x, c, h, i, TCP_CONN_DROP, out);
			return false;
		}
		if (TCP_SEQ_LEQ(q->seq, cover) && TCP_SEQ_GT(qe, cover))
			cover = qe;
		if (q->fin)
			fin_dup = 1;
		if (TCP_SEQ_LEQ(q->seq, s->seq))
			prev = k;
	}
	if (TCP_SEQ_GEQ(cover, end) && (s->len != 0 || fin_dup) && (!s->fin || fin_dup)) {
		tcp_ctr(x, TCP_CTR_OOO_DUP);
		slot_out(x, h, i, 1, TCP_DROP_OOO_DUP, out);
		return false;
	}
	if (h->ooo_n >= x->p.ooo_max_segs) {
		tcp_ctr(x, TCP_CTR_OOO_FULL);
		slot_out(x, h, i, 1, TCP_DROP_OOO_FULL, out);
		return false;
	}
	if (h->ooo_bytes + s->len > x->p.ooo_max_bytes) {
		tcp_ctr(x, TCP_CTR_OOO_BYTES);
		slot_out(x, h, i, 1, TCP_DROP_OOO_BYTES, out);
		return false;
	}
	if (prev == 0) {
		s->next = h->ooo_head;
		h->ooo_head = i;
	} else {
		s->next = tcp_slot_at(x, prev)->next;
		tcp_slot_at(x, prev)->next = i;
	}
	h->ooo_n++;
	h->ooo_bytes += s->len;
	x->st.ooo_segs++;
	x->st.ooo_bytes += s->len;
	tcp_ctr(x, TCP_CTR_OOO_QUEUED);
	return true;
}

void
tcp_stream_expire(struct tcp_ctx *x, struct tcp_conn *c, uint64_t now, struct tcp_out *out)
{
	int d;

	for (d = 0; d < 2; d++) {
		struct tcp_half *h = &c->h[d];
		uint32_t prev = 0, k = h->ooo_head;

		while (k != 0) {
			struct tcp_slot *s = tcp_slot_at(x, k);
			uint32_t nx = s->next;

			if (now >= s->t && now - s->t >= x->ooo_timeout) {
				/* A FIN that never got in order is forgotten with it. */
				if (s->fin && (h->flags & TCP_H_FIN_SEEN) &&
					h->fin_seq == s->seq + s->len)
					h->flags &= (uint8_t)~TCP_H_FIN_SEEN;
				ooo_pop(x, h, prev, k);
				tcp_ctr(x, TCP_CTR_OOO_TIMEOUT);
				slot_out(x, h, k, 1, TCP_DROP_OOO_TIMEOUT, out);
			} else {
				prev = k;
			}
			k = nx;
		}
	}
}

/* A taken segment ends at end (+ FIN): the sender's FIN and highest sequence. */
static void
sender_learn(struct tcp_half *h, uint32_t end, int fin)
{
	if (fin && !(h->flags & TCP_H_FIN_SEEN)) {
		h->flags |= TCP_H_FIN_SEEN;
		h->fin_seq = end;
	}
	if (TCP_SEQ_GT(end + fin, h->snd_max))
		h->snd_max = end + fin;
}

void
tcp_stream_data(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *sg, uint64_t now,
	struct tcp_out *out)
{
	int d = sg->dir;
	struct tcp_half *h = &c->h[d];
	uint32_t end = sg->seq + sg->len;
	int fin = (sg->flags & TCP_F_FIN) != 0;
	struct tcp_slot *s;
	uint32_t i;

	if (h->flags & TCP_H_FIN_SEEN) {
		if (fin && end != h->fin_seq) {
			tcp_ctr(x, TCP_CTR_BAD_FIN);
			tcp_emit(x, out, sg->pkt, TCP_ACT_DROP, TCP_DROP_BAD_FIN);
			return;
		}
		if (TCP_SEQ_GT(end, h->fin_seq)) {
			tcp_ctr(x, TCP_CTR_AFTER_FIN);
			tcp_emit(x, out, sg->pkt, TCP_ACT_DROP, TCP_DROP_AFTER_FIN);
			return;
		}
	} else if (fin && TCP_SEQ_LT(end, h->snd_max)) {
		/* A FIN below data already seen. */
		tcp_ctr(x, TCP_CTR_BAD_FIN);
		tcp_emit(x, out, sg->pkt, TCP_ACT_DROP, TCP_DROP_BAD_FIN);
		return;
	}
	tcp_stream_expire(x, c, now, out);
	i = tcp_slot_alloc(x);
	if (i == 0) {
		tcp_emit(x, out, sg->pkt, TCP_ACT_DROP, TCP_DROP_SLOT_POOL);
		return;
	}
	s = tcp_slot_at(x, i);
	s->pkt = sg->pkt;
	s->payload = sg->payload;
	s->seq = sg->seq;
	s->len = sg->len;
	s->fin = (uint8_t)fin;
	s->t = now;
	/* What the segment says of the sender (its FIN, the highest sequence)
	 * counts only once it is taken: a dropped one (queue full) must not
	 * make later RSTs acceptable or later data "after the FIN". */
	if (TCP_SEQ_GT(s->seq, h->next)) {
		if (ooo_insert(x, c, d, i, out))
			sender_learn(h, end, fin);
		return;
	}
	sender_learn(h, end, fin);
	process(x, c, d, i, out);
	drain(x, c, d, out);
}
