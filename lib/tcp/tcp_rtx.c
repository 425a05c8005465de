/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The retransmission store and the edit log of one direction.
 *
 * Store: the raw bytes [una, next) in chunks of TCP_RTX_CHUNK bytes aligned on
 * sequence numbers (a chunk's base is a multiple of TCP_RTX_CHUNK), kept as a
 * ring of chunk indices: h->rtx_tail holds the newest bytes, its next the
 * oldest. Appending and giving back what the peer acknowledged cost O(1) per
 * chunk; finding an old byte (a retransmission) walks from the oldest chunk,
 * which is where retransmissions start.
 *
 * Edit log: the edits applied to bytes not yet acknowledged, in sequence
 * order (runs of one fill merged), in one block per direction. An edit that
 * leaves the log (acknowledged, pushed out by a newer one when the log is
 * full, or never logged because the pool was empty) is forgotten:
 * h->forget_hi moves past it, and the stream refuses every later copy that
 * starts below forget_hi.
 */
#include <string.h>

#include "tcp_priv.h"

#define CHUNK_MASK ((uint32_t)TCP_RTX_CHUNK - 1u)

static inline uint32_t
chunk_base(uint32_t seq)
{
	return seq & ~CHUNK_MASK;
}

/* The chunk holding seq, or 0 when the store has none. */
static uint32_t
rtx_find(struct tcp_ctx *x, const struct tcp_half *h, uint32_t seq)
{
	uint32_t base = chunk_base(seq);
	uint32_t t = h->rtx_tail, i;

	if (t == 0)
		return 0;
	if (x->rtx[t].base == base)
		return t;
	for (i = x->rtx[t].next; i != t; i = x->rtx[i].next)
		if (x->rtx[i].base == base)
			return i;
	return 0;
}

/*
 * Makes room for the bytes [h->next, end): appends the chunks they need.
 * Returns the chunk holding h->next, or 0 (nothing taken) when the pool has
 * too few free chunks.
 */
uint32_t
tcp_rtx_reserve(struct tcp_ctx *x, struct tcp_half *h, uint32_t end)
{
	uint32_t last = chunk_base(end - 1);
	uint32_t from, need, first = 0, k;

	if (h->rtx_tail == 0) {
		from = chunk_base(h->next);
	} else {
		uint32_t tb = x->rtx[h->rtx_tail].base;

		if (TCP_SEQ_LEQ(last, tb))
			return rtx_find(x, h, h->next);
		from = tb + TCP_RTX_CHUNK;
		/* In order, next is mostly in the tail: no walk of the ring. */
		if (tb == chunk_base(h->next))
			first = h->rtx_tail;
	}
	need = (last - from) / TCP_RTX_CHUNK + 1;
	if (need > x->rtx_nfree) {
		tcp_ctr(x, TCP_CTR_RTX_POOL_EMPTY);
		return 0;
	}
	for (k = 0; k < need; k++) {
		uint32_t c = tcp_rtx_alloc(x);

		x->rtx[c].base = from + k * TCP_RTX_CHUNK;
		if (h->rtx_tail == 0) {
			x->rtx[c].next = c;
		} else {
			x->rtx[c].next = x->rtx[h->rtx_tail].next;
			x->rtx[h->rtx_tail].next = c;
		}
		h->rtx_tail = c;
		if (x->rtx[c].base == chunk_base(h->next))
			first = c;
	}
	return first != 0 ? first : rtx_find(x, h, h->next);
}

void
tcp_rtx_write(struct tcp_ctx *x, uint32_t c, uint32_t seq, const uint8_t *p, uint32_t n)
{
	while (n > 0 && c != 0) {
		uint32_t off = seq & CHUNK_MASK;
		uint32_t k = TCP_RTX_CHUNK - off;

		if (k > n)
			k = n;
		memcpy(tcp_rtx_at(x, c) + off, p, k);
		seq += k;
		p += k;
		n -= k;
		c = x->rtx[c].next;
	}
}

int
tcp_rtx_cmp(struct tcp_ctx *x, const struct tcp_half *h, uint32_t seq, const uint8_t *p, uint32_t n)
{
	uint32_t c = rtx_find(x, h, seq);

	while (n > 0) {
		uint32_t off = seq & CHUNK_MASK;
		uint32_t k = TCP_RTX_CHUNK - off;

		/* A byte the store does not hold cannot be vouched for. */
		if (c == 0 || x->rtx[c].base != chunk_base(seq))
			return 1;
		if (k > n)
			k = n;
		if (memcmp(tcp_rtx_at(x, c) + off, p, k) != 0)
			return 1;
		seq += k;
		p += k;
		n -= k;
		c = x->rtx[c].next;
	}
	return 0;
}

void
tcp_rtx_release(struct tcp_ctx *x, struct tcp_half *h, int all)
{
	uint32_t t = h->rtx_tail;

	if (t == 0)
		return;
	if (all || TCP_SEQ_GEQ(h->una, h->next)) {
		uint32_t i = x->rtx[t].next;

		while (i != t) {
			uint32_t nx = x->rtx[i].next;

			tcp_rtx_put(x, i);
			i = nx;
		}
		tcp_rtx_put(x, t);
		h->rtx_tail = 0;
		return;
	}
	/* The oldest chunks the peer has acknowledged entirely. */
	for (;;) {
		uint32_t hd = x->rtx[t].next;

		if (hd == t || TCP_SEQ_GT(x->rtx[hd].base + TCP_RTX_CHUNK, h->una))
			break;
		x->rtx[t].next = x->rtx[hd].next;
		tcp_rtx_put(x, hd);
	}
}

/* ---------------------------------------------------------------------- */
/* Edit log                                                                 */

static void
forget(struct tcp_half *h, uint32_t end)
{
	if (!(h->flags & TCP_H_FORGOT) || TCP_SEQ_GT(end, h->forget_hi))
		h->forget_hi = end;
	h->flags |= TCP_H_FORGOT;
}

static inline uint32_t
elog_slot(const struct tcp_ctx *x, uint32_t k)
{
	return k >= x->p.edit_log ? k - x->p.edit_log : k;
}

void
tcp_elog_prune(struct tcp_ctx *x, struct tcp_half *h)
{
	struct tcp_elog_hdr *r;

	if (h->elog == 0)
		return;
	r = &x->elog_hdr[h->elog];
	while (r->n > 0) {
		const struct tcp_elog *e = tcp_elog_at(x, h->elog, r->head);

		if (TCP_SEQ_GT(e->seq + e->len, h->una))
			break;
		/* Acknowledged: a later copy of these bytes is refused. */
		forget(h, e->seq + e->len);
		r->head = elog_slot(x, r->head + 1);
		r->n--;
	}
	if (r->n == 0)
		tcp_elog_release(x, h);
}

void
tcp_elog_add(struct tcp_ctx *x, struct tcp_half *h, uint32_t seq, uint16_t len, uint8_t fill)
{
	struct tcp_elog_hdr *r;
	struct tcp_elog *e;

	if (h->elog == 0) {
		h->elog = tcp_elog_alloc(x);
		if (h->elog == 0) {
			tcp_ctr(x, TCP_CTR_ELOG_POOL_EMPTY);
			forget(h, seq + len);
			return;
		}
	}
	r = &x->elog_hdr[h->elog];
	if (r->n > 0) {
		e = tcp_elog_at(x, h->elog, elog_slot(x, r->head + r->n - 1));
		/* Edits come in sequence order: merge a run of one fill. */
		if (e->seq + e->len == seq && e->fill == fill && (uint32_t)e->len + len <= 0xffff) {
			e->len = (uint16_t)(e->len + len);
			return;
		}
	}
	if (r->n == x->p.edit_log) {
		/* The oldest edit makes room: copies of bytes up to its end can
		 * no longer be edited and are refused. Retransmissions start at
		 * the oldest bytes, so the newest edits are the ones to keep. */
		tcp_ctr(x, TCP_CTR_EDIT_LOG_FULL);
		e = tcp_elog_at(x, h->elog, r->head);
		forget(h, e->seq + e->len);
		r->head = elog_slot(x, r->head + 1);
		r->n--;
	}
	e = tcp_elog_at(x, h->elog, elog_slot(x, r->head + r->n));
	e->seq = seq;
	e->len = len;
	e->fill = fill;
	r->n++;
}

int
tcp_elog_apply(struct tcp_ctx *x, const struct tcp_half *h, uint8_t *payload, uint32_t seq,
		uint32_t a, uint32_t b)
{
	const struct tcp_elog_hdr *r;
	uint32_t k;
	int hit = 0;

	if (h->elog == 0)
		return 0;
	r = &x->elog_hdr[h->elog];
	for (k = 0; k < r->n; k++) {
		const struct tcp_elog *e = tcp_elog_at(x, h->elog, elog_slot(x, r->head + k));
		uint32_t lo = e->seq, hi = e->seq + e->len;

		if (TCP_SEQ_LT(lo, a))
			lo = a;
		if (TCP_SEQ_GT(hi, b))
			hi = b;
		if (TCP_SEQ_LT(lo, hi)) {
			memset(payload + (lo - seq), e->fill, hi - lo);
			hit = 1;
		}
	}
	return hit;
}

void
tcp_elog_release(struct tcp_ctx *x, struct tcp_half *h)
{
	if (h->elog != 0) {
		tcp_elog_put(x, h->elog);
		h->elog = 0;
	}
}
