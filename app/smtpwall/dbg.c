/* SPDX-License-Identifier: BSD-3-Clause */
/* `debug esmtp`: the address, and the hook that turns decisions into lines. */
#include "dbg.h"

#include <stdatomic.h>
#include <string.h>

#include "records.h"

static struct {
	_Atomic uint32_t seq; /* odd while the telemetry thread writes */
	uint8_t family; /* 0: off */
	uint8_t addr[16];
} target;

/* The context of the push lib/esmtp is reading (one per worker lcore). */
static __thread struct worker *cur_w;
static __thread const struct wk_flow *cur_f;

void
dbg_esmtp_set(uint8_t family, const uint8_t *addr)
{
	uint32_t s = atomic_load_explicit(&target.seq, memory_order_relaxed);

	atomic_store_explicit(&target.seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	target.family = family;
	memset(target.addr, 0, sizeof(target.addr));
	if (family != 0)
		memcpy(target.addr, addr, family == 4 ? 4 : 16);
	atomic_store_explicit(&target.seq, s + 2, memory_order_release);
}

uint8_t
dbg_esmtp_get(uint8_t addr[16])
{
	uint32_t s1, s2;
	uint8_t f;

	do {
		s1 = atomic_load_explicit(&target.seq, memory_order_acquire);
		f = target.family;
		memcpy(addr, target.addr, 16);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&target.seq, memory_order_relaxed);
	} while ((s1 & 1) || s1 != s2);
	return f;
}

bool
dbg_esmtp_matches(const struct flow_key *k)
{
	uint8_t a[16];
	uint8_t f;
	size_t n;

	if (atomic_load_explicit(&target.seq, memory_order_relaxed) == 0)
		return false; /* never set: the common case, one load */
	f = dbg_esmtp_get(a);
	if (f == 0 || f != k->family)
		return false;
	n = f == 4 ? 4 : 16;
	return memcmp(k->addr_a, a, n) == 0 || memcmp(k->addr_b, a, n) == 0;
}

void
dbg_esmtp_enter(struct worker *w, const struct wk_flow *f)
{
	cur_w = w;
	cur_f = f;
}

void
dbg_trace(void *arg, enum esmtp_dir dir, const char *what, const uint8_t *line, size_t len)
{
	(void)arg;
	if (cur_w != NULL && cur_f != NULL)
		rec_debug(cur_w, cur_f, dir == ESMTP_DIR_C2S, what, line, len);
}
