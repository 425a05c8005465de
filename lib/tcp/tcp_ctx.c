/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker context: parameters, pools (segment slots, carry blocks,
 * retransmission-store chunks, edit log blocks), counters and the out list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_priv.h"

static const char *const drop_str[TCP_DROP_MAX] = {
#define _(e, s) s,
		foreach_tcp_drop
#undef _
};

static const char *const ctr_str[TCP_CTR_MAX] = {
#define _(e, s) s,
		foreach_tcp_counter
#undef _
};

const char *
tcp_drop_reason_str(unsigned int r)
{
	return r < TCP_DROP_MAX ? drop_str[r] : "?";
}

const char *
tcp_counter_str(unsigned int c)
{
	return c < TCP_CTR_MAX ? ctr_str[c] : "?";
}

void
tcp_params_default(struct tcp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->hz = 1000000000ull;
	p->ooo_max_segs = 1024;
	p->ooo_max_bytes = 16u << 20;
	p->ooo_timeout_ms = 4000;
	p->held_max_segs = 64;
	p->slots = 16384;
	p->carry_blocks = 4096;
	p->unacked_max = 16u << 20;
	p->rtx_chunks = 65536;
	p->elog_blocks = 4096;
	p->edit_log = 256;
}

static int
params_ok(const struct tcp_params *p)
{
	if (p->hz == 0 || p->ooo_max_segs == 0 || p->ooo_max_segs > TCP_OOO_MAX)
		return 0;
	if (p->held_max_segs == 0 || p->held_max_segs > TCP_HELD_MAX)
		return 0;
	if (p->slots == 0 || p->slots > (1u << 26) || p->carry_blocks == 0 ||
			p->carry_blocks > (1u << 24))
		return 0;
	if (p->unacked_max < (64u << 10) || p->unacked_max > (1u << 30))
		return 0;
	if (p->rtx_chunks == 0 || p->rtx_chunks > (1u << 24))
		return 0;
	if (p->elog_blocks == 0 || p->elog_blocks > (1u << 24))
		return 0;
	if (p->edit_log == 0 || p->edit_log > 65536)
		return 0;
	if (p->ooo_timeout_ms == 0)
		return 0;
	return 1;
}

struct tcp_ctx *
tcp_ctx_create(const struct tcp_params *p)
{
	struct tcp_ctx *x;
	uint32_t i;

	if (p == NULL || !params_ok(p)) {
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	x->p = *p;
	/* Ticks of the out-of-order timeout, without overflowing for big hz. */
	x->ooo_timeout = p->hz / 1000 * p->ooo_timeout_ms + p->hz % 1000 * p->ooo_timeout_ms / 1000;
	x->slots = calloc((size_t)p->slots + 1, sizeof(*x->slots));
	x->carry_mem = malloc(((size_t)p->carry_blocks + 1) * TCP_CARRY_SIZE);
	x->carry_free = malloc((size_t)p->carry_blocks * sizeof(uint32_t));
	x->carry_len = calloc((size_t)p->carry_blocks + 1, sizeof(uint16_t));
	/* Touched only as used: the pools are address space until traffic needs them. */
	x->rtx_mem = malloc(((size_t)p->rtx_chunks + 1) * TCP_RTX_CHUNK);
	x->rtx = calloc((size_t)p->rtx_chunks + 1, sizeof(*x->rtx));
	x->rtx_free = malloc((size_t)p->rtx_chunks * sizeof(uint32_t));
	x->elog_hdr = calloc((size_t)p->elog_blocks + 1, sizeof(*x->elog_hdr));
	x->elog = malloc(((size_t)p->elog_blocks + 1) * p->edit_log * sizeof(*x->elog));
	x->elog_free = malloc((size_t)p->elog_blocks * sizeof(uint32_t));
	if (x->slots == NULL || x->carry_mem == NULL || x->carry_free == NULL ||
			x->carry_len == NULL || x->rtx_mem == NULL || x->rtx == NULL ||
			x->rtx_free == NULL || x->elog_hdr == NULL || x->elog == NULL ||
			x->elog_free == NULL) {
		tcp_ctx_free(x);
		errno = ENOMEM;
		return NULL;
	}
	/* Free lists: lowest index first out, so runs are reproducible. */
	for (i = 1; i <= p->slots; i++)
		x->slots[i].next = i < p->slots ? i + 1 : 0;
	x->slot_free = 1;
	for (i = 0; i < p->carry_blocks; i++)
		x->carry_free[i] = p->carry_blocks - i;
	x->carry_nfree = p->carry_blocks;
	for (i = 0; i < p->rtx_chunks; i++)
		x->rtx_free[i] = p->rtx_chunks - i;
	x->rtx_nfree = p->rtx_chunks;
	for (i = 0; i < p->elog_blocks; i++)
		x->elog_free[i] = p->elog_blocks - i;
	x->elog_nfree = p->elog_blocks;
	return x;
}

void
tcp_ctx_free(struct tcp_ctx *x)
{
	if (x == NULL)
		return;
	free(x->slots);
	free(x->carry_mem);
	free(x->carry_free);
	free(x->carry_len);
	free(x->rtx_mem);
	free(x->rtx);
	free(x->rtx_free);
	free(x->elog_hdr);
	free(x->elog);
	free(x->elog_free);
	free(x);
}

const struct tcp_stats *
tcp_ctx_stats(const struct tcp_ctx *x)
{
	return &x->st;
}

const struct tcp_params *
tcp_ctx_params(const struct tcp_ctx *x)
{
	return &x->p;
}

uint32_t
tcp_slot_alloc(struct tcp_ctx *x)
{
	uint32_t i = x->slot_free;

	if (i == 0) {
		tcp_ctr(x, TCP_CTR_SLOT_POOL_EMPTY);
		return 0;
	}
	x->slot_free = x->slots[i].next;
	memset(&x->slots[i], 0, sizeof(x->slots[i]));
	x->st.slots_used++;
	return i;
}

void
tcp_slot_put(struct tcp_ctx *x, uint32_t i)
{
	x->slots[i].pkt = NULL;
	x->slots[i].payload = NULL;
	x->slots[i].next = x->slot_free;
	x->slot_free = i;
	x->st.slots_used--;
}

uint32_t
tcp_carry_alloc(struct tcp_ctx *x)
{
	uint32_t i;

	if (x->carry_nfree == 0) {
		tcp_ctr(x, TCP_CTR_CARRY_POOL_EMPTY);
		return 0;
	}
	i = x->carry_free[--x->carry_nfree];
	x->carry_len[i] = 0;
	x->st.carry_used++;
	tcp_ctr(x, TCP_CTR_CARRY_ALLOC);
	return i;
}

void
tcp_carry_put(struct tcp_ctx *x, uint32_t i)
{
	x->carry_len[i] = 0;
	x->carry_free[x->carry_nfree++] = i;
	x->st.carry_used--;
}

uint32_t
tcp_rtx_alloc(struct tcp_ctx *x)
{
	uint32_t i;

	if (x->rtx_nfree == 0) {
		tcp_ctr(x, TCP_CTR_RTX_POOL_EMPTY);
		return 0;
	}
	i = x->rtx_free[--x->rtx_nfree];
	x->st.rtx_used++;
	tcp_ctr(x, TCP_CTR_RTX_CHUNKS);
	return i;
}

void
tcp_rtx_put(struct tcp_ctx *x, uint32_t i)
{
	x->rtx_free[x->rtx_nfree++] = i;
	x->st.rtx_used--;
}

uint32_t
tcp_elog_alloc(struct tcp_ctx *x)
{
	uint32_t i;

	if (x->elog_nfree == 0)
		return 0;
	i = x->elog_free[--x->elog_nfree];
	x->elog_hdr[i].head = 0;
	x->elog_hdr[i].n = 0;
	x->st.elog_used++;
	return i;
}

void
tcp_elog_put(struct tcp_ctx *x, uint32_t i)
{
	x->elog_free[x->elog_nfree++] = i;
	x->st.elog_used--;
}

void
tcp_out_reset(const struct tcp_conn *c, struct tcp_out *out)
{
	out->n = 0;
	out->conn_verdict = c->verdict;
	out->closed = c->closed;
}

void
tcp_emit(struct tcp_ctx *x, struct tcp_out *out, void *pkt, enum tcp_act act,
		enum tcp_drop_reason reason)
{
	if (out->n >= TCP_OUT_MAX) {
		/* Cannot happen: a connection owns at most TCP_OUT_MAX - 1 packets. */
		tcp_ctr(x, TCP_CTR_OUT_OVERFLOW);
		return;
	}
	out->v[out->n].pkt = pkt;
	out->v[out->n].act = (uint8_t)act;
	out->v[out->n].reason = act == TCP_ACT_DROP ? (uint8_t)reason : (uint8_t)TCP_DROP_NONE;
	out->n++;
	switch (act) {
	case TCP_ACT_FORWARD:
		tcp_ctr(x, TCP_CTR_SEG_FORWARD);
		break;
	case TCP_ACT_FORWARD_EDITED:
		tcp_ctr(x, TCP_CTR_SEG_FORWARD_EDITED);
		break;
	default:
		tcp_ctr(x, TCP_CTR_SEG_DROP);
		x->st.drops[reason < TCP_DROP_MAX ? reason : TCP_DROP_NONE]++;
		break;
	}
}

void
tcp_slot_out(struct tcp_ctx *x, struct tcp_half *h, uint32_t i, int as_drop,
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
