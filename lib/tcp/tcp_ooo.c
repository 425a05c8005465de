/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-order queue of one direction: segments that start beyond the
 * next byte the inspector expects wait here until the hole before them is
 * filled, or time out.
 *
 * Invariant: sorted by start, and ends never decrease (a queued segment whose
 * bytes a newer one carries as well gives way to it). After a loss the rest
 * of the sender's window arrives in order, each segment beyond every queued
 * byte: it is appended at the tail in constant time, with no byte compared.
 * A window of megabytes is a queue of thousands of segments, so nothing here
 * walks the queue per segment on that path.
 */
#include <string.h>

#include "tcp_priv.h"

/* Unlinks slot i, whose predecessor is prev (0: i is the head). */
static void
ooo_unlink(struct tcp_ctx *x, struct tcp_half *h, uint32_t prev, uint32_t i)
{
	struct tcp_slot *s = tcp_slot_at(x, i);

	if (prev == 0) {
		h->ooo_head = s->next;
		/* The new head inherits the bound: still no older arrival queued. */
		if (h->ooo_head != 0)
			tcp_slot_at(x, h->ooo_head)->tmin = s->tmin;
	} else {
		tcp_slot_at(x, prev)->next = s->next;
	}
	if (h->ooo_tail == i)
		h->ooo_tail = prev;
	s->next = 0;
	h->ooo_n--;
	h->ooo_bytes -= s->len;
	x->st.ooo_segs--;
	x->st.ooo_bytes -= s->len;
}

/* Links slot i after prev (0: as the head). */
static void
ooo_link(struct tcp_ctx *x, struct tcp_half *h, uint32_t prev, uint32_t i)
{
	struct tcp_slot *s = tcp_slot_at(x, i);

	if (prev == 0) {
		s->tmin = s->t;
		if (h->ooo_head != 0 && tcp_slot_at(x, h->ooo_head)->tmin < s->tmin)
			s->tmin = tcp_slot_at(x, h->ooo_head)->tmin;
		s->next = h->ooo_head;
		h->ooo_head = i;
	} else {
		struct tcp_slot *hd = tcp_slot_at(x, h->ooo_head);

		if (s->t < hd->tmin)
			hd->tmin = s->t;
		s->next = tcp_slot_at(x, prev)->next;
		tcp_slot_at(x, prev)->next = i;
	}
	if (s->next == 0)
		h->ooo_tail = i;
	h->ooo_n++;
	h->ooo_bytes += s->len;
	x->st.ooo_segs++;
	x->st.ooo_bytes += s->len;
	tcp_ctr(x, TCP_CTR_OOO_QUEUED);
}

uint32_t
tcp_ooo_pop(struct tcp_ctx *x, struct tcp_half *h)
{
	uint32_t i = h->ooo_head;

	if (i == 0 || TCP_SEQ_GT(tcp_slot_at(x, i)->seq, h->next))
		return 0;
	ooo_unlink(x, h, 0, i);
	tcp_ctr(x, TCP_CTR_OOO_RELEASED);
	return i;
}

/* q lies inside s and gives way to it (a FIN only s's own FIN replaces). */
static int
contained(const struct tcp_slot *q, const struct tcp_slot *s)
{
	uint32_t qe = q->seq + q->len, se = s->seq + s->len;

	return TCP_SEQ_GEQ(q->seq, s->seq) && TCP_SEQ_LEQ(qe, se) && !(q->fin && !s->fin);
}

enum tcp_ooo_res
tcp_ooo_insert(struct tcp_ctx *x, struct tcp_half *h, uint32_t i, struct tcp_out *out)
{
	struct tcp_slot *s = tcp_slot_at(x, i);
	uint32_t end = s->seq + s->len;
	uint32_t cover = s->seq, prev = 0, k, p, n_in = 0, bytes_in = 0;
	int fin_dup = 0;

	if (h->ooo_tail != 0) {
		const struct tcp_slot *t = tcp_slot_at(x, h->ooo_tail);

		/* Beyond every queued byte (ends never decrease): append. */
		if (TCP_SEQ_GEQ(s->seq, t->seq + t->len) && !t->fin) {
			if (h->ooo_n >= x->p.ooo_max_segs) {
				tcp_ctr(x, TCP_CTR_OOO_FULL);
				tcp_slot_out(x, h, i, 1, TCP_DROP_OOO_FULL, out);
				return TCP_OOO_REFUSED;
			}
			if (h->ooo_bytes + s->len > x->p.ooo_max_bytes) {
				tcp_ctr(x, TCP_CTR_OOO_BYTES);
				tcp_slot_out(x, h, i, 1, TCP_DROP_OOO_BYTES, out);
				return TCP_OOO_REFUSED;
			}
			ooo_link(x, h, h->ooo_tail, i);
			return TCP_OOO_QUEUED;
		}
	}
	for (k = h->ooo_head; k != 0; k = tcp_slot_at(x, k)->next) {
		const struct tcp_slot *q = tcp_slot_at(x, k);
		uint32_t qe = q->seq + q->len;
		uint32_t lo = TCP_SEQ_GT(q->seq, s->seq) ? q->seq : s->seq;
		uint32_t hi = TCP_SEQ_LT(qe, end) ? qe : end;

		if (TCP_SEQ_LT(lo, hi) &&
				memcmp(q->payload + (lo - q->seq), s->payload + (lo - s->seq),
						hi - lo) != 0)
			return TCP_OOO_EVASION;
		if (TCP_SEQ_LEQ(q->seq, cover) && TCP_SEQ_GT(qe, cover))
			cover = qe;
		if (q->fin)
			fin_dup = 1;
		if (contained(q, s)) {
			n_in++;
			bytes_in += q->len;
		}
	}
	if (TCP_SEQ_GEQ(cover, end) && (s->len != 0 || fin_dup) && (!s->fin || fin_dup)) {
		tcp_ctr(x, TCP_CTR_OOO_DUP);
		tcp_slot_out(x, h, i, 1, TCP_DROP_OOO_DUP, out);
		return TCP_OOO_REFUSED;
	}
	if (h->ooo_n - n_in >= x->p.ooo_max_segs) {
		tcp_ctr(x, TCP_CTR_OOO_FULL);
		tcp_slot_out(x, h, i, 1, TCP_DROP_OOO_FULL, out);
		return TCP_OOO_REFUSED;
	}
	if (h->ooo_bytes - bytes_in + s->len > x->p.ooo_max_bytes) {
		tcp_ctr(x, TCP_CTR_OOO_BYTES);
		tcp_slot_out(x, h, i, 1, TCP_DROP_OOO_BYTES, out);
		return TCP_OOO_REFUSED;
	}
	/* The segments s carries whole go (same bytes: compared above); s takes
	 * the place after the last one that starts at or before it. */
	p = 0;
	k = h->ooo_head;
	while (k != 0) {
		struct tcp_slot *q = tcp_slot_at(x, k);
		uint32_t nx = q->next;

		if (contained(q, s)) {
			if (q->t < s->t)
				s->t = q->t;
			ooo_unlink(x, h, p, k);
			tcp_ctr(x, TCP_CTR_OOO_DUP);
			tcp_slot_out(x, h, k, 1, TCP_DROP_OOO_DUP, out);
		} else {
			if (TCP_SEQ_LEQ(q->seq, s->seq))
				prev = k;
			p = k;
		}
		k = nx;
	}
	ooo_link(x, h, prev, i);
	return TCP_OOO_QUEUED;
}

void
tcp_ooo_expire(struct tcp_ctx *x, struct tcp_half *h, uint64_t now, struct tcp_out *out)
{
	uint32_t prev = 0, k = h->ooo_head;
	uint64_t tmin = UINT64_MAX;

	if (k == 0 || now < tcp_slot_at(x, k)->tmin ||
			now - tcp_slot_at(x, k)->tmin < x->ooo_timeout)
		return;
	while (k != 0) {
		struct tcp_slot *s = tcp_slot_at(x, k);
		uint32_t nx = s->next;

		if (now >= s->t && now - s->t >= x->ooo_timeout) {
			/* A FIN that never got in order is forgotten with it. */
			if (s->fin && (h->flags & TCP_H_FIN_SEEN) && h->fin_seq == s->seq + s->len)
				h->flags &= (uint8_t)~TCP_H_FIN_SEEN;
			ooo_unlink(x, h, prev, k);
			tcp_ctr(x, TCP_CTR_OOO_TIMEOUT);
			tcp_slot_out(x, h, k, 1, TCP_DROP_OOO_TIMEOUT, out);
		} else {
			if (s->t < tmin)
				tmin = s->t;
			prev = k;
		}
		k = nx;
	}
	/* Exact again: the next walk is due when the oldest left expires. */
	if (h->ooo_head != 0)
		tcp_slot_at(x, h->ooo_head)->tmin = tmin;
}

void
tcp_ooo_release(struct tcp_ctx *x, struct tcp_half *h, int as_drop, enum tcp_drop_reason reason,
		struct tcp_out *out)
{
	while (h->ooo_head != 0) {
		uint32_t i = h->ooo_head;

		ooo_unlink(x, h, 0, i);
		tcp_slot_out(x, h, i, as_drop, reason, out);
	}
}
