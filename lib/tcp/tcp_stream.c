/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stream of one direction: in-order delivery to the inspector, held
 * packets and the carry of undecided bytes, edits applied to packets and
 * logged, retransmissions compared and replayed, verdicts. The out-of-order
 * queue is tcp_ooo.c, the retransmission store and edit log tcp_rtx.c.
 *
 * Per direction, in sequence space:
 *
 *      una        fwd        dec          next            queued...
 *   ----|----------|----------|-------------|-----  ...  [ ]  [  ]
 *       | forwarded, not acked| undecided   | not received in order
 *       |<-- store: raw copy of inspected bytes -->|
 *                             |<-- carry -->|
 *
 * una <= fwd <= dec <= next (fwd may be next + 1 once the FIN is out).
 * A packet is held while it carries a byte at or above dec; it leaves when
 * dec passes its end. The store (raw inspected bytes from una to next)
 * exists while una < next, the edit log while edits are not acknowledged,
 * the carry while dec < next.
 */
#include <stdbool.h>
#include <string.h>

#include "tcp_priv.h"

enum push_res { PUSH_OK, PUSH_DROP_PACKET, PUSH_DROP_CONN, PUSH_RESET, PUSH_BYPASS };

/* ---------------------------------------------------------------------- */
/* Lists                                                                    */

/* Appends i (the list is short: at most held_max_segs, mostly empty). */
static void
held_append(struct tcp_ctx *x, struct tcp_half *h, uint32_t i)
{
	struct tcp_slot *s = tcp_slot_at(x, i);
	uint32_t *link = &h->held_head;

	while (*link != 0)
		link = &tcp_slot_at(x, *link)->next;
	s->next = 0;
	*link = i;
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
			tcp_slot_out(x, h, k, 0, TCP_DROP_NONE, out);
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
		tcp_slot_out(x, h, i, as_drop, reason, out);
	}
	tcp_ooo_release(x, h, as_drop, reason, out);
	if (h->carry != 0) {
		tcp_carry_put(x, h->carry);
		h->carry = 0;
	}
	tcp_rtx_release(x, h, 1);
	tcp_elog_release(x, h);
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
		tcp_slot_out(x, h, i, 1, TCP_DROP_CONN, out);
	tcp_conn_set_verdict(x, c, v, out);
}

void
tcp_stream_acked(struct tcp_ctx *x, struct tcp_conn *c, int d)
{
	struct tcp_half *h = &c->h[d];

	tcp_rtx_release(x, h, 0);
	tcp_elog_prune(x, h);
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
	tcp_elog_add(x, h, seq, len, fill);
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
	r.verdict = INSP_FORWARD;
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
	if (r.n_edits > INSP_MAX_EDITS) {
		tcp_ctr(x, TCP_CTR_BAD_RESULT);
		r.n_edits = INSP_MAX_EDITS;
	}
	/* An overflow that decided nothing would loop: take it as a plain hold. */
	*ovf = r.overflow && r.consumed > 0;
	if (r.overflow && r.consumed == 0)
		tcp_ctr(x, TCP_CTR_BAD_RESULT);
	switch (r.verdict) {
	case INSP_FORWARD:
	case INSP_BYPASS:
		break;
	case INSP_DROP_PACKET:
		tcp_ctr(x, TCP_CTR_INSP_DROP_PACKET);
		return PUSH_DROP_PACKET;
	case INSP_RESET:
		tcp_ctr(x, TCP_CTR_INSP_RESET);
		return PUSH_RESET;
	case INSP_DROP_CONN:
		tcp_ctr(x, TCP_CTR_INSP_DROP_CONN);
		return PUSH_DROP_CONN;
	default:
		/* Fail closed on a verdict we do not know. */
		tcp_ctr(x, TCP_CTR_BAD_RESULT);
		tcp_ctr(x, TCP_CTR_INSP_DROP_CONN);
		return PUSH_DROP_CONN;
	}
	for (k = 0; k < r.n_edits; k++) {
		const struct insp_edit *e = &r.edits[k];
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
	if (r.retry_other && r.verdict == INSP_FORWARD && follow_retry) {
		enum push_res v;

		tcp_ctr(x, TCP_CTR_RETRY_OTHER);
		v = repush_other(x, c, d ^ 1);
		if (v != PUSH_OK)
			return v;
		/* The rest of this direction goes on at once, like an overflow. */
		*ovf = h->dec != h->next || *ovf;
	}
	return r.verdict == INSP_BYPASS ? PUSH_BYPASS : PUSH_OK;
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
	uint32_t prev, ck;

	if (TCP_SEQ_LT(s->seq, olde)) {
		uint32_t a = TCP_SEQ_GT(s->seq, h->una) ? s->seq : h->una;
		uint32_t b = TCP_SEQ_LT(olde, h->dec) ? olde : h->dec;

		tcp_ctr(x, TCP_CTR_RETRANS);
		if (tcp_forgotten(h, s->seq)) {
			/* It may carry a byte whose edit is no longer known. */
			tcp_ctr(x, TCP_CTR_EDIT_LOG_LOST);
			tcp_slot_out(x, h, i, 1, TCP_DROP_EDIT_LOG_LOST, out);
			return;
		}
		if (TCP_SEQ_LT(a, olde)) {
			tcp_ctr_add(x, TCP_CTR_RETRANS_BYTES, olde - a);
			if (tcp_rtx_cmp(x, h, a, s->payload + (a - s->seq), olde - a) != 0) {
				/* ASA check-retransmission: inconsistent bytes. */
				tcp_ctr(x, TCP_CTR_EVASION);
				conn_kill(x, c, h, i, TCP_CONN_DROP, out);
				return;
			}
		}
		/* Its decided bytes, acknowledged ones too, leave as edited. */
		if (TCP_SEQ_LT(s->seq, b) && tcp_elog_apply(x, h, s->payload, s->seq, s->seq, b)) {
			s->edited = 1;
			tcp_ctr(x, TCP_CTR_RETRANS_EDITED);
		}
	}
	if (TCP_SEQ_LEQ(end, h->next)) {
		/* Nothing new, but maybe the FIN. */
		int fin_new = s->fin && !(h->flags & TCP_H_FIN_IN);

		fin_check(x, h, s);
		if (TCP_SEQ_LEQ(end, h->dec)) {
			tcp_slot_out(x, h, i, 0, TCP_DROP_NONE, out);
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
			tcp_slot_out(x, h, i, 1, TCP_DROP_HELD_DUP, out);
		}
		return;
	}
	/* New bytes: kept until acknowledged, within the clamped window. */
	if (end - h->una > x->p.unacked_max) {
		tcp_ctr(x, TCP_CTR_UNACKED_CAP);
		tcp_slot_out(x, h, i, 1, TCP_DROP_UNACKED_CAP, out);
		return;
	}
	ck = tcp_rtx_reserve(x, h, end);
	if (ck == 0) {
		tcp_slot_out(x, h, i, 1, TCP_DROP_RTX_POOL, out);
		return;
	}
	tcp_rtx_write(x, ck, h->next, s->payload + (h->next - s->seq), end - h->next);
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
			tcp_slot_out(x, h, i, 1, TCP_DROP_INSPECT, out);
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
	uint32_t i;

	while (c->verdict == TCP_CONN_OK && (i = tcp_ooo_pop(x, h)) != 0)
		process(x, c, d, i, out);
}

void
tcp_stream_expire(struct tcp_ctx *x, struct tcp_conn *c, uint64_t now, struct tcp_out *out)
{
	tcp_ooo_expire(x, &c->h[0], now, out);
	tcp_ooo_expire(x, &c->h[1], now, out);
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
		switch (tcp_ooo_insert(x, h, i, out)) {
		case TCP_OOO_QUEUED:
			sender_learn(h, end, fin);
			break;
		case TCP_OOO_EVASION:
			/* Other bytes than a queued copy of the same range. */
			tcp_ctr(x, TCP_CTR_EVASION);
			conn_kill(x, c, h, i, TCP_CONN_DROP, out);
			break;
		default:
			break;
		}
		return;
	}
	sender_learn(h, end, fin);
	process(x, c, d, i, out);
	drain(x, c, d, out);
}
