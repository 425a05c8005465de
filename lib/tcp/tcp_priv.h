/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp internals: the per-worker pools and the helpers shared by
 * tcp_input.c (validation, handshake, window, RST) and tcp_stream.c
 * (reassembly, held packets, carry, edits, retransmissions, verdicts).
 */
#ifndef SMTPWALL_TCP_PRIV_H
#define SMTPWALL_TCP_PRIV_H

#include <stdint.h>

#include "tcp.h"

/* A window for data seen before the peer's first ACK (1 GiB). */
#define TCP_GENEROUS_WIN (1u << 30)
/* RFC 7323: shift counts above 14 are taken as 14. */
#define TCP_WSCALE_MAX 14

/* One held or queued packet. Index 0 of the pool is never used (0 = none). */
struct tcp_slot {
	void *pkt;
	uint8_t *payload;
	uint64_t t; /* arrival tick (out-of-order expiry) */
	/* Queue head only: no queued segment arrived before this tick (a lower
	 * bound, exact after an expiry walk), so a walk is due only then. */
	uint64_t tmin;
	uint32_t seq;
	uint32_t len;
	uint32_t next; /* list link (slot index, 0 = end) */
	uint8_t fin; /* the segment carries a FIN (at seq + len) */
	uint8_t edited; /* payload changed: FORWARD_EDITED */
	uint8_t pad[2];
};

/* One logged edit of a direction, in absolute sequence numbers. */
struct tcp_elog {
	uint32_t seq;
	uint16_t len;
	uint8_t fill;
	uint8_t pad;
};

/* Edit log header of a block (the entries live in x->elog). */
struct tcp_elog_hdr {
	uint32_t head; /* oldest entry */
	uint32_t n; /* entries */
};

/* A retransmission-store chunk: bytes [base, base + TCP_RTX_CHUNK). */
struct tcp_rtx_meta {
	uint32_t next; /* next chunk of the direction (the tail's is the first) */
	uint32_t base; /* sequence of its first byte, a multiple of TCP_RTX_CHUNK */
};

struct tcp_ctx {
	struct tcp_params p;
	uint64_t ooo_timeout; /* ticks */
	struct tcp_stats st;

	struct tcp_slot *slots; /* p.slots + 1 */
	uint32_t slot_free; /* free list head (0 = empty) */

	uint8_t *carry_mem; /* (p.carry_blocks + 1) * TCP_CARRY_SIZE */
	uint32_t *carry_free; /* stack of free block indices */
	uint32_t carry_nfree;
	uint16_t *carry_len; /* bytes used in each carry block */

	uint8_t *rtx_mem; /* (p.rtx_chunks + 1) * TCP_RTX_CHUNK */
	struct tcp_rtx_meta *rtx; /* p.rtx_chunks + 1 */
	uint32_t *rtx_free; /* stack of free chunk indices */
	uint32_t rtx_nfree;

	struct tcp_elog_hdr *elog_hdr; /* p.elog_blocks + 1 */
	struct tcp_elog *elog; /* (p.elog_blocks + 1) * p.edit_log */
	uint32_t *elog_free;
	uint32_t elog_nfree;
};

static inline void
tcp_ctr(struct tcp_ctx *x, enum tcp_counter c)
{
	x->st.ctr[c]++;
}

static inline void
tcp_ctr_add(struct tcp_ctx *x, enum tcp_counter c, uint64_t n)
{
	x->st.ctr[c] += n;
}

static inline struct tcp_slot *
tcp_slot_at(struct tcp_ctx *x, uint32_t i)
{
	return &x->slots[i];
}

static inline uint8_t *
tcp_carry_at(struct tcp_ctx *x, uint32_t i)
{
	return x->carry_mem + (size_t)i * TCP_CARRY_SIZE;
}

static inline uint8_t *
tcp_rtx_at(struct tcp_ctx *x, uint32_t i)
{
	return x->rtx_mem + (size_t)i * TCP_RTX_CHUNK;
}

static inline struct tcp_elog *
tcp_elog_at(struct tcp_ctx *x, uint32_t blk, uint32_t k)
{
	return &x->elog[(size_t)blk * x->p.edit_log + k];
}

/* Pools (tcp_ctx.c). The alloc calls return 0 when empty. */
uint32_t tcp_slot_alloc(struct tcp_ctx *x);
void tcp_slot_put(struct tcp_ctx *x, uint32_t i);
uint32_t tcp_carry_alloc(struct tcp_ctx *x);
void tcp_carry_put(struct tcp_ctx *x, uint32_t i);
uint32_t tcp_rtx_alloc(struct tcp_ctx *x);
void tcp_rtx_put(struct tcp_ctx *x, uint32_t i);
uint32_t tcp_elog_alloc(struct tcp_ctx *x);
void tcp_elog_put(struct tcp_ctx *x, uint32_t i);

/* Retransmission store and edit log of one direction (tcp_rtx.c). */
uint32_t tcp_rtx_reserve(struct tcp_ctx *x, struct tcp_half *h, uint32_t end);
void tcp_rtx_write(struct tcp_ctx *x, uint32_t c, uint32_t seq, const uint8_t *p, uint32_t n);
int tcp_rtx_cmp(struct tcp_ctx *x, const struct tcp_half *h, uint32_t seq, const uint8_t *p,
		uint32_t n);
void tcp_rtx_release(struct tcp_ctx *x, struct tcp_half *h, int all);
void tcp_elog_add(struct tcp_ctx *x, struct tcp_half *h, uint32_t seq, uint16_t len, uint8_t fill);
int tcp_elog_apply(struct tcp_ctx *x, const struct tcp_half *h, uint8_t *payload, uint32_t seq,
		uint32_t a, uint32_t b);
void tcp_elog_prune(struct tcp_ctx *x, struct tcp_half *h);
void tcp_elog_release(struct tcp_ctx *x, struct tcp_half *h);

/* Whether a copy of [seq, ...) may carry a byte whose edit is forgotten. */
static inline int
tcp_forgotten(const struct tcp_half *h, uint32_t seq)
{
	return (h->flags & TCP_H_FORGOT) && TCP_SEQ_LT(seq, h->forget_hi);
}

/* Output (tcp_ctx.c). */
void tcp_emit(struct tcp_ctx *x, struct tcp_out *out, void *pkt, enum tcp_act act,
		enum tcp_drop_reason reason);
void tcp_out_reset(const struct tcp_conn *c, struct tcp_out *out);
/* Emits slot i of direction h (in no list) and returns it to the pool. */
void tcp_slot_out(struct tcp_ctx *x, struct tcp_half *h, uint32_t i, int as_drop,
		enum tcp_drop_reason reason, struct tcp_out *out);

/* Out-of-order queue of one direction (tcp_ooo.c). */
enum tcp_ooo_res {
	TCP_OOO_QUEUED, /* the slot is queued */
	TCP_OOO_REFUSED, /* the slot was emitted as a drop (full, duplicate) */
	TCP_OOO_EVASION, /* other bytes than a queued segment's: the slot is untouched */
};
enum tcp_ooo_res
tcp_ooo_insert(struct tcp_ctx *x, struct tcp_half *h, uint32_t i, struct tcp_out *out);
/* Unlinks and returns the head if it starts at or below h->next, else 0. */
uint32_t tcp_ooo_pop(struct tcp_ctx *x, struct tcp_half *h);
void tcp_ooo_expire(struct tcp_ctx *x, struct tcp_half *h, uint64_t now, struct tcp_out *out);
void tcp_ooo_release(struct tcp_ctx *x, struct tcp_half *h, int as_drop,
		enum tcp_drop_reason reason, struct tcp_out *out);

/* Stream (tcp_stream.c). tcp_conn.c calls these. */
void tcp_stream_data(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, uint64_t now,
		struct tcp_out *out);
void tcp_stream_acked(struct tcp_ctx *x, struct tcp_conn *c, int d);
void tcp_stream_release_all(struct tcp_ctx *x, struct tcp_conn *c, int as_drop,
		enum tcp_drop_reason reason, struct tcp_out *out);
void tcp_stream_expire(struct tcp_ctx *x, struct tcp_conn *c, uint64_t now, struct tcp_out *out);
void tcp_conn_set_verdict(struct tcp_ctx *x, struct tcp_conn *c, enum tcp_conn_verdict v,
		struct tcp_out *out);

#endif /* SMTPWALL_TCP_PRIV_H */
