/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker context: parameters, pools (segment slots, carry blocks,
 * retransmission rings with their edit logs), counters, the out list, and the
 * per-connection calls that are not on the segment path (free, tick, RST).
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
	p->ooo_max_segs = 16;
	p->ooo_max_bytes = 1u << 20;
	p->ooo_timeout_ms = 4000;
	p->held_max_segs = 64;
	p->slots = 16384;
	p->carry_blocks = 4096;
	p->ring_size = 64u << 10;
	p->ring_blocks = 1024;
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
	if (p->ring_size < (16u << 10) || p->ring_size > (16u << 20) ||
		(p->ring_size & (p->ring_size - 1)) != 0)
		return 0;
	if (p->ring_blocks == 0 || p->ring_blocks > (1u << 20))
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
	x->ring_mem = malloc(((size_t)p->ring_blocks + 1) * p->ring_size);
	x->rings = calloc((size_t)p->ring_blocks + 1, sizeof(*x->rings));
	x->elog = malloc(((size_t)p->ring_blocks + 1) * p->edit_log * sizeof(*x->elog));
	x->ring_free = malloc((size_t)p->ring_blocks * sizeof(uint32_t));
	if (x->slots == NULL || x->carry_mem == NULL || x->carry_free == NULL ||
		x->carry_len == NULL || x->ring_mem == NULL || x->rings == NULL ||
		x->elog == NULL || x->ring_free == NULL) {
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
	for (i = 0; i < p->ring_blocks; i++)
		x->ring_free[i] = p->ring_blocks - i;
	x->ring_nfree = p->ring_blocks;
	x->ring_mask = p->ring_size - 1;
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
	free(x->ring_mem);
	free(x->rings);
	free(x->elog);
	free(x->ring_free);
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
tcp_ring_alloc(struct tcp_ctx *x)
{
	uint32_t i;

	if (x->ring_nfree == 0) {
		tcp_ctr(x, TCP_CTR_RING_POOL_EMPTY);
		return 0;
	}
	i = x->ring_free[--x->ring_nfree];
	x->rings[i].head = 0;
	x->rings[i].n = 0;
	x->st.rings_used++;
	tcp_ctr(x, TCP_CTR_RING_ALLOC);
	return i;
}

void
tcp_ring_put(struct tcp_ctx *x, uint32_t i)
{
	x->ring_free[x->ring_nfree++] = i;
	x->st.rings_used--;
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
tcp_conn_init(struct tcp_conn *c)
{
	memset(c, 0, sizeof(*c));
}

void
tcp_conn_free(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_out *out)
{
	tcp_out_reset(c, out);
	tcp_stream_release_all(x, c, 1, TCP_DROP_FREED, out);
	tcp_conn_init(c);
}

void
tcp_conn_tick(struct tcp_ctx *x, struct tcp_conn *c, uint64_t now, struct tcp_out *out)
{
	tcp_out_reset(c, out);
	tcp_stream_expire(x, c, now, out);
}

uint64_t
tcp_conn_deadline(const struct tcp_ctx *x, const struct tcp_conn *c)
{
	uint64_t best = UINT64_MAX;
	int d;

	for (d = 0; d < 2; d++) {
		uint32_t i;

		for (i = c->h[d].ooo_head; i != 0; i = x->slots[i].next) {
			uint64_t t = x->slots[i].t + x->ooo_timeout;

			if (t < best)
				best = t;
		}
	}
	return best;
}

int
tcp_conn_rst_seq(const struct tcp_conn *c, int dir, uint32_t *seq, uint32_t *ack)
{
	if (dir != 0 && dir != 1)
		return -EINVAL;
	if (!(c->h[dir].flags & TCP_H_SYN))
		return -EINVAL;
	*seq = c->h[dir].fwd;
	*ack = (c->h[!dir].flags & TCP_H_SYN) ? c->h[!dir].fwd : 0;
	return 0;
}

unsigned int
tcp_conn_held(const struct tcp_conn *c)
{
	return (unsigned int)c->h[0].held_n + c->h[0].ooo_n + c->h[1].held_n + c->h[1].ooo_n;
}
