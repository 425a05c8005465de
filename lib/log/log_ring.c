/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SPSC ring and token bucket. The ring's head and tail live on their own
 * cache lines so producer and consumer do not share a written line; the
 * release/acquire pairs publish the record copy before the index moves.
 */
#include "sw_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct log_ring *
log_ring_create(uint32_t size)
{
	struct log_ring *r;

	if (size < 2 || (size & (size - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	r = aligned_alloc(64, sizeof(*r));
	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->slots = calloc(size, sizeof(*r->slots));
	if (r->slots == NULL) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->mask = size - 1;
	return r;
}

void
log_ring_free(struct log_ring *r)
{
	if (r == NULL)
		return;
	free(r->slots);
	free(r);
}

bool
log_ring_push(struct log_ring *r, const struct log_rec *rec)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask) {
		r->dropped++;
		return false;
	}
	r->slots[head & r->mask] = *rec;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

bool
log_ring_pop(struct log_ring *r, struct log_rec *out)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	if (head == tail)
		return false;
	*out = r->slots[tail & r->mask];
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return true;
}

uint32_t
log_ring_count(const struct log_ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
			atomic_load_explicit(&r->tail, memory_order_acquire);
}

void
log_limiter_init(struct log_limiter *l, uint32_t rate, uint64_t period_ns, uint32_t burst)
{
	memset(l, 0, sizeof(*l));
	l->rate = rate;
	l->period_ns = period_ns ? period_ns : 1;
	l->burst = burst ? burst : (rate ? rate : 1);
	l->tokens_x = (uint64_t)l->burst * l->period_ns;
}

bool
log_limiter_allow(struct log_limiter *l, uint64_t now_ns)
{
	uint64_t cap, one;

	if (l->rate == 0)
		return true;
	/* Tokens are kept multiplied by period_ns: one token = period_ns, and
	 * each elapsed ns adds `rate` of them; integers only, no drift. */
	one = l->period_ns;
	cap = (uint64_t)l->burst * one;
	if (now_ns > l->last_ns) {
		uint64_t elapsed = now_ns - l->last_ns;
		uint64_t add;

		/* A long silence refills the bucket; clamp before multiplying. */
		if (elapsed > cap)
			elapsed = cap;
		add = elapsed * l->rate;

		l->tokens_x = (add > cap - l->tokens_x) ? cap : l->tokens_x + add;
	}
	l->last_ns = now_ns;
	if (l->tokens_x >= one) {
		l->tokens_x -= one;
		return true;
	}
	l->suppressed++;
	return false;
}
