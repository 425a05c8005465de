/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_ADDRWATCH_H
#define SMTPWALL_ADDRWATCH_H

/*
 * One address the operator watches (debug esmtp, capture), set by the
 * telemetry thread and read by the workers: a seqlock, so a reader never
 * sees half an IPv6 address. Workers keep a copy (struct addr_seen) and
 * look at the seqlock again only when its sequence moved.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct addr_watch {
	_Atomic uint32_t seq; /* odd while written; 0: never set */
	uint8_t family; /* 0: off, 4 or 6 */
	uint8_t addr[16];
};

/* A reader's copy. */
struct addr_seen {
	uint32_t seq;
	uint8_t family;
	uint8_t addr[16];
};

/* Sets the address (family 4 or 6) or turns the watch off (family 0). */
void addr_watch_set(struct addr_watch *t, uint8_t family, const uint8_t *addr);

/* The address now (its family, 0: off). */
uint8_t addr_watch_get(struct addr_watch *t, uint8_t addr[16]);

/* Refreshes s when t changed; whether the watch is on. One load when not. */
static inline bool
addr_watch_sync(struct addr_watch *t, struct addr_seen *s)
{
	uint32_t q = atomic_load_explicit(&t->seq, memory_order_relaxed);

	if (q != s->seq && !(q & 1)) {
		s->family = addr_watch_get(t, s->addr);
		s->seq = q;
	}
	return s->family != 0;
}

/* Whether a or b (addresses of family) is the watched one of s. */
static inline bool
addr_seen_match(const struct addr_seen *s, uint8_t family, const uint8_t *a, const uint8_t *b)
{
	size_t n = family == 4 ? 4 : 16;

	return s->family == family && (memcmp(a, s->addr, n) == 0 || memcmp(b, s->addr, n) == 0);
}

#endif /* SMTPWALL_ADDRWATCH_H */
