/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The re-synced audit clock and the shared token bucket: the two pieces of
 * lib/log that several threads write. C11 atomics only; the seqlock's
 * fences follow Boehm, "Can seqlocks get along with programming language
 * memory models?" (2012).
 */
#include "sw_log.h"

#include <string.h>

#define NS_PER_S 1000000000ull

void
log_clock_init(struct log_clock *c, uint64_t hz, uint64_t tsc, uint64_t ns)
{
	memset(c, 0, sizeof(*c));
	atomic_init(&c->seq, 0);
	atomic_init(&c->tsc0, tsc);
	atomic_init(&c->ns0, ns);
	c->hz = hz;
}

void
log_clock_sync(struct log_clock *c, uint64_t tsc, uint64_t ns)
{
	uint32_t s = atomic_load_explicit(&c->seq, memory_order_relaxed);

	atomic_store_explicit(&c->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&c->tsc0, tsc, memory_order_relaxed);
	atomic_store_explicit(&c->ns0, ns, memory_order_relaxed);
	atomic_store_explicit(&c->seq, s + 2, memory_order_release);
}

/* ns in d ticks; split so that hours at GHz rates cannot overflow. */
static uint64_t
ticks_ns(uint64_t d, uint64_t hz)
{
	return d / hz * NS_PER_S + (d % hz) * NS_PER_S / hz;
}

uint64_t
log_clock_ns(const struct log_clock *c, uint64_t tsc)
{
	uint64_t t0, n0;
	uint32_t s1, s2;

	do {
		s1 = atomic_load_explicit(&c->seq, memory_order_acquire);
		t0 = atomic_load_explicit(&c->tsc0, memory_order_relaxed);
		n0 = atomic_load_explicit(&c->ns0, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&c->seq, memory_order_relaxed);
	} while ((s1 & 1) != 0 || s1 != s2);
	if (c->hz == 0)
		return n0;
	/* A worker's burst may have started just before the last sync. */
	if (tsc < t0) {
		uint64_t back = ticks_ns(t0 - tsc, c->hz);

		return back < n0 ? n0 - back : 0;
	}
	return n0 + ticks_ns(tsc - t0, c->hz);
}

void
log_shared_limiter_init(
		struct log_shared_limiter *l, uint32_t rate, uint64_t period_ns, uint32_t burst)
{
	memset(l, 0, sizeof(*l));
	atomic_init(&l->tat, 0);
	if (rate == 0)
		return; /* unlimited */
	l->interval_ns = period_ns / rate ? period_ns / rate : 1;
	l->tolerance_ns = (uint64_t)((burst ? burst : rate) - 1) * l->interval_ns;
}

bool
log_shared_limiter_allow(struct log_shared_limiter *l, uint64_t now_ns)
{
	uint64_t tat = atomic_load_explicit(&l->tat, memory_order_relaxed);

	if (l->interval_ns == 0)
		return true;
	/* A token is due every interval; a burst may run `tolerance` ahead.
	 * Workers' clocks differ by a burst at most: max() absorbs that. */
	for (;;) {
		uint64_t base = tat > now_ns ? tat : now_ns;

		if (base - now_ns > l->tolerance_ns)
			return false;
		if (atomic_compare_exchange_weak_explicit(&l->tat, &tat, base + l->interval_ns,
				    memory_order_relaxed, memory_order_relaxed))
			return true;
	}
}
