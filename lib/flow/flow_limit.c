/* SPDX-License-Identifier: BSD-3-Clause */
#include "flow_limit.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct flow_limits {
	uint32_t n_exact;
	uint32_t n_hashed; /* power of two */
	/* Counters live on their own cache lines from this point. */
	_Alignas(64) _Atomic uint32_t c[];
};

struct flow_limits *
flow_limits_create(uint32_t n_exact, uint32_t n_hashed)
{
	struct flow_limits *l;
	uint64_t n = (uint64_t)n_exact + n_hashed;
	size_t size;

	if ((n_hashed & (n_hashed - 1)) != 0 || n > (1u << 28)) {
		errno = EINVAL;
		return NULL;
	}
	size = sizeof(*l) + (size_t)n * sizeof(_Atomic uint32_t);
	size = (size + 63) & ~(size_t)63;
	l = aligned_alloc(64, size);
	if (l == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(l, 0, size);
	l->n_exact = n_exact;
	l->n_hashed = n_hashed;
	return l;
}

void
flow_limits_free(struct flow_limits *l)
{
	free(l);
}

uint32_t
flow_limits_hashed(
		const struct flow_limits *l, uint32_t scope, const uint8_t *addr, unsigned int len)
{
	/* FNV-1a over scope and address, then a murmur3 finaliser so that the
	 * low bits (the cell) depend on every input byte. */
	uint32_t h = 2166136261u;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		h ^= (scope >> (8 * i)) & 0xff;
		h *= 16777619u;
	}
	for (i = 0; i < len; i++) {
		h ^= addr[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return l->n_exact + (l->n_hashed ? (h & (l->n_hashed - 1)) : 0);
}

bool
flow_limits_acquire(struct flow_limits *l, uint32_t idx, uint32_t max, uint32_t *count)
{
	uint32_t before;

	if (idx >= l->n_exact + l->n_hashed)
		return true;
	before = atomic_fetch_add_explicit(&l->c[idx], 1, memory_order_relaxed);
	if (count != NULL)
		*count = before;
	if (max != 0 && before >= max) {
		atomic_fetch_sub_explicit(&l->c[idx], 1, memory_order_relaxed);
		return false;
	}
	return true;
}

void
flow_limits_release(struct flow_limits *l, uint32_t idx)
{
	if (idx < l->n_exact + l->n_hashed)
		atomic_fetch_sub_explicit(&l->c[idx], 1, memory_order_relaxed);
}

uint32_t
flow_limits_count(const struct flow_limits *l, uint32_t idx)
{
	if (idx >= l->n_exact + l->n_hashed)
		return 0;
	return atomic_load_explicit(&l->c[idx], memory_order_relaxed);
}

uint32_t
flow_limits_n_exact(const struct flow_limits *l)
{
	return l->n_exact;
}

uint32_t
flow_limits_n_hashed(const struct flow_limits *l)
{
	return l->n_hashed;
}
