/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Expiry: a hashed timing wheel with lazy re-arm.
 *
 * Time is cut into slots of 2^shift ticks (about a millisecond); absolute
 * slot s lives in wheel[s & wmask]. Each slot is a circular doubly linked list
 * of entry indices, so taking an entry out is O(1).
 *
 * Touching an entry on every packet only writes its deadline: the entry stays
 * in the slot where it was, which the sweep reaches no later than the new
 * deadline, and the sweep then moves it on (re-arm) instead of expiring it.
 * Only a deadline moving *earlier* than the slot's next visit (a state change
 * to a shorter timeout) re-links the entry at once. Deadlines beyond one lap
 * are met once per lap and left in place.
 *
 * Invariant: every entry in the wheel is visited by the sweep no later than
 * its deadline's slot (or, after the clock jumped by more than a lap, within
 * the lap the sweep catches up over). The sweep's position is `cur`; within
 * slot cur it walks from `scan_pos`, and a budget-limited call stops there and
 * the next call resumes. Entries added to slot cur while a pass is under way
 * go to the list's tail, after the cursor, so the pass still sees them.
 *
 * Slot cur == the current slot is only partly in the past: its entries not yet
 * due stay, and cur_min (a lower bound of their deadlines) lets later calls
 * in the same slot skip it until one of them is due.
 */
#include <errno.h>
#include <stdint.h>

#include "flow.h"
#include "flow_private.h"

/* About 1024 slots per second; a lap of 256..65536 slots (0.13 s .. 34 s at 1e9 Hz). */
#define FLOW_TIMER_SLOTS_PER_S 1024
#define FLOW_TIMER_MIN_SLOTS 256u
#define FLOW_TIMER_MAX_SLOTS 65536u

int
flow_timer_init(struct flow_table *t, uint64_t hz)
{
	uint64_t per = hz / FLOW_TIMER_SLOTS_PER_S;
	uint32_t slots = FLOW_TIMER_MIN_SLOTS;
	unsigned int shift = 0;
	uint32_t i;

	/* Power-of-two slot width so the slot of a tick is a shift. */
	while (per >> (shift + 1) != 0)
		shift++;
	/* A bigger table gets a longer lap: fewer re-arm visits of long-lived entries. */
	while (slots < t->capacity && slots < FLOW_TIMER_MAX_SLOTS)
		slots <<= 1;

	t->wheel = flow_mem_zalloc(&t->mem, (size_t)slots * sizeof(*t->wheel));
	if (t->wheel == NULL)
		return -ENOMEM;
	for (i = 0; i < slots; i++)
		t->wheel[i] = FLOW_NIL;
	t->wmask = slots - 1;
	t->shift = shift;
	t->cur = 0;
	t->cur_min = 0;
	t->scan_pos = FLOW_NIL;
	t->scan_active = 0;
	return 0;
}

void
flow_timer_fini(struct flow_table *t)
{
	flow_mem_free(&t->mem, t->wheel);
	t->wheel = NULL;
}

static inline uint32_t
cur_idx(const struct flow_table *t)
{
	return (uint32_t)t->cur & t->wmask;
}

/* Appends e to slot list idx. */
static void
tm_insert_tail(struct flow_table *t, uint32_t idx, struct flow_entry *e)
{
	uint32_t *head = &t->wheel[idx];
	uint32_t i = e->priv.self;

	if (*head == FLOW_NIL) {
		*head = i;
		e->priv.tm_prev = i;
		e->priv.tm_next = i;
	} else {
		struct flow_entry *h = flow_entry_at(t, *head);
		struct flow_entry *tail = flow_entry_at(t, h->priv.tm_prev);

		e->priv.tm_prev = h->priv.tm_prev;
		e->priv.tm_next = *head;
		tail->priv.tm_next = i;
		h->priv.tm_prev = i;
	}
	e->priv.tm_slot = idx;
	if (idx == cur_idx(t)) {
		if (e->deadline < t->cur_min)
			t->cur_min = e->deadline;
		/* A pass that had reached the end of the list must still see e. */
		if (t->scan_active && t->scan_pos == FLOW_NIL)
			t->scan_pos = i;
	}
}

void
flow_timer_unlink(struct flow_table *t, struct flow_entry *e)
{
	uint32_t idx = e->priv.tm_slot;
	uint32_t i = e->priv.self;
	uint32_t *head;

	if (idx == FLOW_TM_NONE)
		return;
	head = &t->wheel[idx];
	/* The sweep was about to visit e: it goes on with e's successor. */
	if (t->scan_pos == i)
		t->scan_pos = e->priv.tm_next == *head ? FLOW_NIL : e->priv.tm_next;
	if (e->priv.tm_next == i) {
		*head = FLOW_NIL;
	} else {
		flow_entry_at(t, e->priv.tm_prev)->priv.tm_next = e->priv.tm_next;
		flow_entry_at(t, e->priv.tm_next)->priv.tm_prev = e->priv.tm_prev;
		if (*head == i)
			*head = e->priv.tm_next;
	}
	e->priv.tm_slot = FLOW_TM_NONE;
}

/* Links e (in no slot) where the sweep meets it by its deadline's slot. */
static void
tm_link(struct flow_table *t, struct flow_entry *e)
{
	uint64_t ds = e->deadline >> t->shift;

	/* A deadline whose slot the sweep already left (a clock that went back) waits in slot cur. */
	if (ds < t->cur)
		ds = t->cur;
	tm_insert_tail(t, (uint32_t)ds & t->wmask, e);
}

void
flow_timer_set(struct flow_table *t, struct flow_entry *e, uint64_t deadline)
{
	uint32_t where = e->priv.tm_slot;
	uint32_t ci = cur_idx(t);
	uint64_t ds, visit;

	e->deadline = deadline;
	if (deadline == FLOW_DEADLINE_NEVER)
		return; /* dropped from the wheel when the sweep meets it */
	if (where == FLOW_TM_NONE) {
		tm_link(t, e);
		return;
	}
	/*
	 * The slot's next visit: within the coming lap for another slot; for slot
	 * cur, possibly not before a lap (a pass may already have gone past e).
	 */
	ds = deadline >> t->shift;
	if (where == ci)
		visit = t->cur + t->wmask + 1;
	else
		visit = t->cur + ((where - ci) & t->wmask);
	if (ds >= visit)
		return; /* lazy: the sweep re-arms it when it gets there */
	flow_timer_unlink(t, e);
	tm_link(t, e);
}

void
flow_set_deadline(struct flow_table *t, struct flow_entry *e, uint64_t deadline)
{
	flow_timer_set(t, e, deadline);
}

void
flow_touch(struct flow_table *t, struct flow_entry *e, uint64_t now)
{
	flow_timer_set(t, e, flow_deadline(t, (enum flow_state)e->state, now));
}

/*
 * Visits the entry at the sweep's cursor and moves the cursor on. Returns 1
 * when the entry was expired and freed.
 */
static unsigned int
sweep_visit(struct flow_table *t, uint64_t now, flow_expire_cb cb, void *arg)
{
	uint32_t ci = cur_idx(t);
	struct flow_entry *e = flow_entry_at(t, t->scan_pos);
	uint64_t d = e->deadline;
	uint32_t to;

	t->scan_pos = e->priv.tm_next == t->wheel[ci] ? FLOW_NIL : e->priv.tm_next;
	if (d == FLOW_DEADLINE_NEVER) {
		flow_timer_unlink(t, e);
		return 0;
	}
	if (d <= now) {
		flow_timer_unlink(t, e);
		if (cb != NULL)
			cb(e, arg);
		if (!e->priv.live)
			return 0; /* the callback deleted it (counted as a del) */
		flow_entry_release(t, e);
		t->st.expired++;
		return 1;
	}
	to = (uint32_t)(d >> t->shift) & t->wmask;
	if (to == ci) {
		/* A later lap of this slot, or later in the current slot: stays. */
		if (d < t->cur_min)
			t->cur_min = d;
		return 0;
	}
	flow_timer_unlink(t, e);
	tm_insert_tail(t, to, e);
	t->st.relinked++;
	return 0;
}

unsigned int
flow_table_expire(struct flow_table *t, uint64_t now, unsigned int budget, flow_expire_cb cb,
		void *arg)
{
	uint64_t now_slot, lap = (uint64_t)t->wmask + 1;
	unsigned int work = 0, n = 0;

	/* FLOW_DEADLINE_NEVER is never due, and cur_min's "nothing" must stay above now. */
	if (now == FLOW_DEADLINE_NEVER)
		now--;
	now_slot = now >> t->shift;

	if (now_slot > t->last_slot)
		t->last_slot = now_slot;

	while (work < budget) {
		if (!t->scan_active) {
			if (t->cur > now_slot)
				break; /* the clock went back: nothing can be due before cur */
			if (now_slot - t->cur >= lap) {
				/* A lap from here reaches every slot: skipping older ones loses nothing. */
				t->cur = now_slot - lap + 1;
				t->cur_min = 0;
			}
			if (t->cur == now_slot && now < t->cur_min)
				break; /* the current slot holds nothing due yet */
			t->scan_active = 1;
			t->cur_min = UINT64_MAX;
			t->scan_pos = t->wheel[cur_idx(t)];
		}
		while (t->scan_pos != FLOW_NIL && work < budget) {
			work++;
			n += sweep_visit(t, now, cb, arg);
		}
		if (t->scan_pos != FLOW_NIL)
			break; /* out of budget: the next call resumes at scan_pos */
		t->scan_active = 0;
		/*
		 * Entries the pass kept because they were not due when a previous
		 * call visited them may be due by now: go over the slot again
		 * rather than leave them a lap behind.
		 */
		if (t->cur_min <= now)
			continue;
		if (t->cur >= now_slot)
			break; /* the current slot: cur_min now bounds what stays in it */
		t->cur++;
		t->cur_min = 0;
	}
	return n;
}
