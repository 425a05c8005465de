/* SPDX-License-Identifier: BSD-3-Clause */
/* The seqlock of a watched address (see addrwatch.h). */
#include "addrwatch.h"

void
addr_watch_set(struct addr_watch *t, uint8_t family, const uint8_t *addr)
{
	uint32_t s = atomic_load_explicit(&t->seq, memory_order_relaxed);

	atomic_store_explicit(&t->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	t->family = family;
	memset(t->addr, 0, sizeof(t->addr));
	if (family != 0)
		memcpy(t->addr, addr, family == 4 ? 4 : 16);
	atomic_store_explicit(&t->seq, s + 2, memory_order_release);
}

uint8_t
addr_watch_get(struct addr_watch *t, uint8_t addr[16])
{
	uint32_t s1, s2;
	uint8_t f;

	do {
		s1 = atomic_load_explicit(&t->seq, memory_order_acquire);
		f = t->family;
		memcpy(addr, t->addr, 16);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&t->seq, memory_order_relaxed);
	} while ((s1 & 1) || s1 != s2);
	return f;
}
