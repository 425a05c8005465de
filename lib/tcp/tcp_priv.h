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

/* Edit log header of a ring block (the entries live in x->elog). */
struct tcp_ring {
	uint32_t head; /* oldest entry */
	uint32_t n; /* entries */
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

	uint8_t *ring_mem; /* (p.ring_blocks + 1) * p.ring_size */
	struct tcp_ring *rings; /* p.ring_blocks + 1 */
	struct tcp_elog *elog; /* (p.ring_blocks + 1) * p.edit_log */
	uint32_t *ring_free;
	uint32_t ring_nfree;
	uint32_t ring_mask;
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
tcp_ring_at(struct tcp_ctx *x, uint32_t i)
{
	return x->ring_mem + (size_t)i * x->p.ring_size;
}

static inline struct tcp_elog *
tcp_elog_at(struct tcp_ctx *x, uint32_t ring, uint32_t k)
{
	return &x->elog[(size_t)ring * x->p.edit_log + k];
}

/* Pools (tcp_ctx.c). The alloc calls return 0 when empty. */
uint32_t tcp_slot_alloc(struct tcp_ctx *x);
void tcp_slot_put(struct tcp_ctx *x, uint32_t i);
uint32_t tcp_carry_alloc(struct tcp_ctx *x);
void tcp_carry_put(struct tcp_ctx *x, uint32_t i);
uint32_t tcp_ring_alloc(struct tcp_ctx *x);
void tcp_ring_put(struct tcp_ctx *x, uint32_t i);

/* Output (tcp_ctx.c). */
void tcp_emit(struct tcp_ctx *x, struct tcp_out *out, void *pkt, enum tcp_act act,
	enum tcp_drop_reason reason);
void tcp_out_reset(const struct tcp_conn *c, struct tcp_out *out);

/* Stream (tcp_stream.c). */
void tcp_stream_data(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, uint64_t now,
	struct tcp_out *out);
void tcp_stream_acked(struct tcp_ctx *x, struct tcp_conn *c, int d);
void tcp_stream_release_all(struct tcp_ctx *x, struct tcp_conn *c, int as_drop,
	enum tcp_drop_reason reason, struct tcp_out *out);
void tcp_stream_expire(struct tcp_ctx *x, struct tcp_conn *c, uint64_t now, struct tcp_out *out);
void tcp_conn_set_verdict(
	struct tcp_ctx *x, struct tcp_conn *c, enum tcp_conn_verdict v, struct tcp_out *out);

#endif /* SMTPWALL_TCP_PRIV_H */
