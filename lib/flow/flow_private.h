/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/flow internals shared by flow_table.c, flow_timer.c, flow_tcp.c and
 * flow_closed.c. Not installed, not for the app.
 */
#ifndef SMTPWALL_FLOW_PRIVATE_H
#define SMTPWALL_FLOW_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define FLOW_NIL UINT32_MAX /* no entry / no bucket */
#define FLOW_TM_NONE UINT32_MAX /* priv.tm_slot of an entry in no wheel slot */

/*
 * Hash buckets: one cache line holding 8 (16-bit signature, entry index)
 * pairs, kept packed (slots 0..count-1 used) so a lookup stops at count and
 * only the last bucket of a chain has room. A full bucket chains to overflow
 * buckets from a preallocated pool; deletes move the chain's last pair into
 * the hole, so a chain of L keys uses exactly ceil(L / 8) buckets and a pool of
 * capacity / 8 + 1 overflow buckets can never run out.
 */
#define FLOW_BUCKET_SLOTS 8
/* Overflow buckets one chain may grow: 1 + 7 buckets = 64 keys (see flow_table_add). */
#define FLOW_BUCKET_MAX_EXT 7

struct flow_bucket {
	_Alignas(64) uint16_t sig[FLOW_BUCKET_SLOTS]; /* hash >> 16 */
	uint32_t idx[FLOW_BUCKET_SLOTS]; /* entry index */
	uint32_t next; /* overflow bucket index, or FLOW_NIL */
	uint8_t count; /* used slots */
	uint8_t n_ext; /* in a main bucket: overflow buckets chained */
	uint8_t pad[10];
};
_Static_assert(sizeof(struct flow_bucket) == 64, "a bucket is one cache line");

/* The allocator of a table (flow_table_params.mem_*), used at create and free only. */
struct flow_mem {
	void *(*alloc)(size_t size, size_t align, int socket, void *arg);
	void (*free)(void *ptr, void *arg);
	void *arg;
	int socket;
	int zeroed; /* alloc returns zeroed memory */
};

/* Zeroed memory aligned to 64 bytes (2 MiB, on huge pages if possible, for big arrays). */
void *flow_mem_zalloc(const struct flow_mem *m, size_t size);
void *flow_mem_raw(const struct flow_mem *m, size_t size);
void flow_mem_free(const struct flow_mem *m, void *p);

struct flow_table {
	/* Lookup. */
	struct flow_bucket *buckets; /* main buckets, bmask + 1 of them */
	struct flow_bucket *ext; /* overflow pool */
	uint8_t *entries; /* capacity entries of `stride` bytes */
	uint32_t bmask;
	uint32_t stride;

	/* Allocation. */
	uint32_t capacity;
	uint32_t user_size;
	uint32_t n_ext; /* overflow pool size */
	uint32_t free_head; /* free entries, linked through priv.tm_next */
	/* Entries [fresh, capacity) were never handed out and are not linked
	 * (lazy_entries): not touched yet. capacity when not lazy. */
	uint32_t fresh;
	uint32_t ext_free; /* free overflow buckets, linked through next */

	/* Timer wheel (flow_timer.c). */
	uint32_t *wheel; /* slot heads: circular lists by entry index, FLOW_NIL if empty */
	uint32_t wmask; /* wheel slots - 1 */
	unsigned int shift; /* a slot spans 2^shift ticks */
	uint64_t cur; /* absolute slot (tick >> shift) the sweep is at */
	uint64_t cur_min; /* lower bound of the deadlines in slot cur (0: unknown) */
	uint32_t scan_pos; /* next entry of slot cur the sweep visits, or FLOW_NIL */
	uint8_t scan_active; /* a sweep pass over slot cur is under way */
	uint64_t last_slot; /* latest slot an expire call was given (for flow_table_check) */
	uint64_t st_ticks[FLOW_ST_MAX]; /* timeout of each state in ticks, 0 = never */

	/* Closed entries in close order (flow_closed.c): head is the oldest. */
	uint32_t closed_head; /* circular list through priv.cl_prev/cl_next, FLOW_NIL if empty */
	flow_expire_cb reclaim_cb; /* params.reclaim_cb */
	void *reclaim_arg;

	struct flow_table_stats st; /* count and by_state included */
	struct flow_mem mem;
};

static inline struct flow_entry *
flow_entry_at(const struct flow_table *t, uint32_t i)
{
	return (struct flow_entry *)(void *)(t->entries + (size_t)i * t->stride);
}

/* now + the timeout of state s, saturating; FLOW_DEADLINE_NEVER for a 0 timeout. */
static inline uint64_t
flow_deadline(const struct flow_table *t, enum flow_state s, uint64_t now)
{
	uint64_t to = t->st_ticks[s];

	if (to == 0 || now > FLOW_DEADLINE_NEVER - 1 - to)
		return FLOW_DEADLINE_NEVER;
	return now + to;
}

/* Timer wheel (flow_timer.c). */
int flow_timer_init(struct flow_table *t, uint64_t hz);
void flow_timer_fini(struct flow_table *t);
/* Sets e->deadline and puts e where the sweep will find it in time. */
void flow_timer_set(struct flow_table *t, struct flow_entry *e, uint64_t deadline);
/* Takes e out of the wheel (O(1)). */
void flow_timer_unlink(struct flow_table *t, struct flow_entry *e);

/* Table (flow_table.c): frees a live entry already out of the wheel. */
void flow_entry_release(struct flow_table *t, struct flow_entry *e);

/* Closed entries (flow_closed.c): e (live, state CLOSED) goes to the young end. */
void flow_closed_push(struct flow_table *t, struct flow_entry *e);
/* Takes e (live, state CLOSED) out of the closed entries (O(1)). */
void flow_closed_unlink(struct flow_table *t, struct flow_entry *e);

#endif /* SMTPWALL_FLOW_PRIVATE_H */
