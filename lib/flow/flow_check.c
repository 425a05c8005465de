/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_table_check: a slow, allocating self-check of every structural
 * invariant of a table, for tests, fuzzing and debug builds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "flow.h"
#include "flow_private.h"

#define CHECK(cond, msg) \
	do { \
		if (!(cond)) { \
			*why = (msg); \
			rc = -EFAULT; \
			goto out; \
		} \
	} while (0)

int
flow_table_check(const struct flow_table *t, const char **why)
{
	const char *dummy;
	uint8_t *seen; /* per entry: 1 bucket, 2 wheel, 4 at or after the cursor, 8 closed list */
	uint32_t i, b, n, nb = t->bmask + 1, ci = (uint32_t)t->cur & t->wmask;
	uint32_t by_state[FLOW_ST_MAX] = {0};
	uint32_t live = 0, ext_used = 0;
	int rc = 0;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	seen = calloc(t->capacity, 1);
	if (seen == NULL) {
		*why = "out of memory";
		return -ENOMEM;
	}

	/* Buckets: packed chains, every pair names a live entry of this bucket, once. */
	for (b = 0; b < nb; b++) {
		const struct flow_bucket *mb = &t->buckets[b], *k;
		uint32_t chain = 0;

		for (k = mb; k != NULL; k = k->next == FLOW_NIL ? NULL : &t->ext[k->next]) {
			CHECK(k->count <= FLOW_BUCKET_SLOTS, "bucket count above 8");
			CHECK(k->next == FLOW_NIL || k->count == FLOW_BUCKET_SLOTS,
					"bucket with room before the end of its chain");
			CHECK(k == mb || k->count > 0, "empty overflow bucket left in a chain");
			CHECK(k->next == FLOW_NIL || k->next < t->n_ext,
					"overflow index out of range");
			for (n = 0; n < k->count; n++) {
				const struct flow_entry *e;

				CHECK(k->idx[n] < t->capacity,
						"bucket names an entry out of range");
				e = flow_entry_at(t, k->idx[n]);
				CHECK(e->priv.live, "bucket names a free entry");
				CHECK((e->hash & t->bmask) == b, "entry in the wrong bucket");
				CHECK(k->sig[n] == (uint16_t)(e->hash >> 16), "wrong signature");
				CHECK(!(seen[k->idx[n]] & 1), "entry in two bucket slots");
				seen[k->idx[n]] |= 1;
			}
			if (k != mb)
				chain++;
			CHECK(chain <= FLOW_BUCKET_MAX_EXT, "chain longer than allowed");
		}
		CHECK(chain == mb->n_ext, "main bucket's overflow count wrong");
		ext_used += chain;
	}
	for (i = t->ext_free, n = 0; i != FLOW_NIL; i = t->ext[i].next) {
		CHECK(i < t->n_ext && n < t->n_ext, "overflow free list broken");
		n++;
	}
	CHECK(n + ext_used == t->n_ext, "overflow buckets lost");

	/* Entries: live ones hashed, counted; free ones on the free list. */
	for (i = 0; i < t->fresh; i++) {
		const struct flow_entry *e = flow_entry_at(t, i);

		CHECK(e->priv.self == i, "entry index wrong");
		if (!e->priv.live)
			continue;
		live++;
		CHECK(seen[i] & 1, "live entry missing from its bucket");
		CHECK(e->state < FLOW_ST_MAX, "state out of range");
		by_state[e->state]++;
	}
	CHECK(live == t->st.count, "count wrong");
	for (n = 0; n < FLOW_ST_MAX; n++)
		CHECK(by_state[n] == t->st.by_state[n], "by_state wrong");
	for (i = t->free_head, n = 0; i != FLOW_NIL; i = flow_entry_at(t, i)->priv.tm_next) {
		CHECK(i < t->fresh && n < t->capacity, "free list broken");
		CHECK(!flow_entry_at(t, i)->priv.live, "live entry on the free list");
		n++;
	}
	CHECK(t->fresh <= t->capacity, "fresh index past the table");
	CHECK(n + live == t->fresh, "entries lost from the free list");

	/* Wheel: consistent circular lists of live entries. */
	for (b = 0; b <= t->wmask; b++) {
		uint32_t h = t->wheel[b], prev, after = 0;

		if (h == FLOW_NIL)
			continue;
		CHECK(h < t->capacity, "wheel head out of range");
		prev = flow_entry_at(t, h)->priv.tm_prev;
		i = h;
		n = 0;
		do {
			const struct flow_entry *e;

			CHECK(i < t->capacity && n < t->capacity, "wheel list broken");
			e = flow_entry_at(t, i);
			CHECK(e->priv.live, "free entry in the wheel");
			CHECK(e->priv.tm_slot == b, "entry's slot is not the list it is in");
			CHECK(e->priv.tm_prev == prev, "wheel back link wrong");
			CHECK(!(seen[i] & 2), "entry in the wheel twice");
			if (b == ci && t->scan_active && i == t->scan_pos)
				after = 1;
			seen[i] |= (uint8_t)(2 | (after << 2));
			prev = i;
			i = e->priv.tm_next;
			n++;
		} while (i != h);
	}
	/*
	 * Closed entries: cl_next maps the live CLOSED entries onto themselves
	 * and cl_prev undoes it (a permutation); from the head it runs through
	 * all of them before it comes back (one circular list).
	 */
	for (i = 0, n = 0; i < t->fresh; i++) {
		const struct flow_entry *e = flow_entry_at(t, i), *nx;

		if (!e->priv.live || e->state != FLOW_ST_CLOSED)
			continue;
		CHECK(e->priv.cl_next < t->capacity, "closed list link out of range");
		nx = flow_entry_at(t, e->priv.cl_next);
		CHECK(nx->priv.live && nx->state == FLOW_ST_CLOSED,
				"closed list links to an entry that is not closed");
		CHECK(nx->priv.cl_prev == i, "closed list back link wrong");
		n++;
	}
	CHECK((n == 0) == (t->closed_head == FLOW_NIL), "closed list head wrong");
	for (i = t->closed_head, b = 0; b < n; b++) {
		CHECK(i < t->capacity && flow_entry_at(t, i)->state == FLOW_ST_CLOSED,
				"closed list head is not closed");
		i = flow_entry_at(t, i)->priv.cl_next;
		CHECK(i != t->closed_head || b + 1 == n,
				"closed entry missing from the closed list");
	}

	CHECK(!t->scan_active || t->scan_pos == FLOW_NIL ||
					(t->scan_pos < t->capacity && (seen[t->scan_pos] & 4)),
			"sweep cursor not in the current slot");

	/* Timing: the sweep meets every entry no later than its deadline's slot. */
	for (i = 0; i < t->fresh; i++) {
		const struct flow_entry *e = flow_entry_at(t, i);
		uint64_t ds, visit;
		uint32_t where;

		if (!e->priv.live)
			continue;
		CHECK(!(seen[i] & 2) == (e->priv.tm_slot == FLOW_TM_NONE), "tm_slot wrong");
		if (e->deadline == FLOW_DEADLINE_NEVER)
			continue;
		CHECK(seen[i] & 2, "entry with a deadline missing from the wheel");
		where = e->priv.tm_slot;
		ds = e->deadline >> t->shift;
		if (where == ci) {
			/*
			 * Seen by the running pass, or due in a later lap, or the slot
			 * is rescanned once cur_min is due.
			 */
			CHECK((seen[i] & 4) || ds > t->cur + t->wmask || t->cur_min <= e->deadline,
					"current slot's lower bound above an entry's deadline");
			continue;
		}
		visit = t->cur + ((where - ci) & t->wmask);
		CHECK(visit <= ds || ds <= t->last_slot,
				"entry waits in a slot visited after its deadline");
	}
out:
	free(seen);
	return rc;
}
