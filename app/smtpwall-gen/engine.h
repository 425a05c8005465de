/* SPDX-License-Identifier: BSD-3-Clause */
/* The engine's state, shared by engine.c (sending, timeouts) and rx.c (checks). */
#ifndef SMTPWALL_GEN_ENGINE_H
#define SMTPWALL_GEN_ENGINE_H

#include "gen.h"

#define GEN_UDP_FLOWS 64 /* UDP flows of one engine (its queue's) */

struct gen_engine {
	const struct gen_cfg *cfg;
	unsigned int q, nq; /* this engine's queue of nq */
	const struct rss_ctx *rss; /* NULL: one queue, every session */
	uint32_t udp_flow[GEN_UDP_FLOWS]; /* flow numbers that hash to q */
	uint64_t hz;
	gen_tx_fn tx;
	void *tx_arg;
	struct gen_session *sess; /* n_slots slots */
	/* concurrency sessions run; up to as many more, cut by the DUT, wait
	 * out cut_wait in slots of their own without holding the loop up. */
	uint32_t n_slots, n_cutwait;
	uint32_t *free_slots; /* stack */
	uint32_t n_free;
	uint32_t *ready; /* FIFO of slots that may have something to send */
	uint32_t ready_mask, ready_head, ready_tail;
	uint32_t active;
	uint64_t next_id;
	uint64_t rng;
	uint64_t timeout_tsc, cutwait_tsc;
	uint64_t udp_sent, udp_recv, udp_last_rx;
	uint64_t pace_t0; /* TSC of the first poll: the open-loop schedule starts there */
	struct gen_ctr ctr;
	struct gen_lat lat;
	uint8_t frame[GEN_FRAME_MAX];
	uint8_t payload[GEN_FRAME_MAX];
	uint8_t expect[GEN_FRAME_MAX];
};

/* A session slot may have something to send: queue it once. */
static inline void
engine_ready(struct gen_engine *e, struct gen_session *s)
{
	if (s->in_ready)
		return;
	s->in_ready = 1;
	e->ready[e->ready_tail++ & e->ready_mask] = s->slot;
}

/* The session is over (completed, cut, lost or failed): free its slot. */
void engine_session_end(struct gen_engine *e, struct gen_session *s);

/* Sessions that hold a place in the closed loop (cut ones waiting do not). */
static inline uint32_t
engine_running(const struct gen_engine *e)
{
	return e->active - e->n_cutwait;
}

#endif /* SMTPWALL_GEN_ENGINE_H */
