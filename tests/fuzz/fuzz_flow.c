/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/flow: the input is a configuration byte and a sequence
 * of operations (add, add reclaiming a closed entry, lookup, bulk lookup,
 * delete, TCP flags, touch, state, pickup, clock steps, expire) on a 64-entry
 * table, mirrored in a shadow model. Any disagreement, or a broken table
 * invariant (flow_table_check), aborts.
 *
 * Configuration byte: bits 0-1 clock rate (1 kHz, 1 GHz, 2.5 GHz, 1 Hz),
 * bits 2-3 timeouts (default, short, some never, all never), bit 4 a user
 * area, bits 5-6 hash (real, 4 buckets, one bucket, one hash for all), bit 7
 * a clock starting near 2^40 instead of 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 64
#define NKEYS 160
#define BMASK 15 /* the table's main buckets - 1: one per 4 entries of CAP */

struct shadow {
	struct flow_table *t;
	struct flow_key key[NKEYS];
	uint32_t hash[NKEYS];
	struct flow_entry *e[NKEYS];
	uint64_t deadline[NKEYS];
	uint64_t closed[NKEYS]; /* `closes` when the key last became CLOSED */
	uint64_t closes;
	uint64_t to_ticks[FLOW_TO_MAX];
	uint64_t now;
	uint32_t count;
	unsigned int cb_calls;
	int user;
	/*
	 * What the next reclaim must take: the key closed first (victim), or,
	 * when the new key's chain is full, a closed key of that chain (bucket)
	 * with the chain's earliest closed deadline (ties: any).
	 */
	int victim;
	int chain_full;
	uint32_t bucket;
	uint64_t chain_min;
};

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

static const uint32_t timeout_sets[4][FLOW_TO_MAX] = {
		{30, 3600, 600, 5, 120},
		{1, 4, 3, 1, 2},
		{2, 0, 5, 1, 0},
		{0, 0, 0, 0, 0},
};
static const uint64_t clock_rates[4] = {1000, 1000000000ull, 2500000000ull, 1};

struct cursor {
	const uint8_t *p;
	size_t left;
};

static int
next(struct cursor *c, uint8_t *b)
{
	if (c->left == 0)
		return 0;
	*b = *c->p++;
	c->left--;
	return 1;
}

static uint64_t
expected_deadline(const struct shadow *s, enum flow_state st)
{
	uint64_t to = s->to_ticks[flow_state_timeout(st)];

	if (to == 0 || s->now > FLOW_DEADLINE_NEVER - 1 - to)
		return FLOW_DEADLINE_NEVER;
	return s->now + to;
}

static int
key_id(const struct shadow *s, const struct flow_entry *e)
{
	int i;

	for (i = 0; i < NKEYS; i++)
		if (s->e[i] == e)
			return i;
	return -1;
}

static void
expire_cb(struct flow_entry *e, void *arg)
{
	struct shadow *s = arg;
	int id = key_id(s, e);

	CHECK(id >= 0);
	CHECK(e->deadline <= s->now);
	CHECK(e->deadline == s->deadline[id]);
	if (s->user) {
		uint32_t v;

		memcpy(&v, flow_entry_user(e), sizeof(v));
		CHECK(v == (uint32_t)id);
	}
	s->e[id] = NULL;
	s->count--;
	s->cb_calls++;
}

static void
reclaim_cb(struct flow_entry *e, void *arg)
{
	struct shadow *s = arg;
	int id = key_id(s, e);

	CHECK(id >= 0);
	CHECK(e->state == FLOW_ST_CLOSED);
	if (s->chain_full)
		CHECK((s->hash[id] & BMASK) == s->bucket && e->deadline == s->chain_min);
	else
		CHECK(id == s->victim);
	s->victim = -1;
	s->chain_full = 0;
	s->e[id] = NULL;
	s->count--;
}

/* Sets what flow_table_add_reclaim of key id must take (victim -1: nothing). */
static void
expect_reclaim(struct shadow *s, uint32_t id)
{
	uint32_t in_chain = 0;
	int i, found = 0;

	s->victim = -1;
	s->chain_full = 0;
	s->bucket = s->hash[id] & BMASK;
	for (i = 0; i < NKEYS; i++) {
		if (s->e[i] == NULL || (s->hash[i] & BMASK) != s->bucket)
			continue;
		in_chain++;
		if (s->e[i]->state == FLOW_ST_CLOSED && (!found || s->deadline[i] < s->chain_min)) {
			s->chain_min = s->deadline[i];
			found = 1;
		}
	}
	if (in_chain == CAP) { /* FLOW_BUCKET_SLOTS x 8 buckets: a full chain */
		s->chain_full = found;
		s->victim = found ? 0 : -1; /* 0: any of the chain, reclaim_cb checks */
		return;
	}
	if (s->count < CAP)
		return;
	for (i = 0; i < NKEYS; i++)
		if (s->e[i] != NULL && s->e[i]->state == FLOW_ST_CLOSED &&
				(s->victim < 0 || s->closed[i] < s->closed[s->victim]))
			s->victim = i;
}

/* Counters and structure; with `full`, every key's lookup too (slow with colliding hashes). */
static void
check_table(struct shadow *s, int full)
{
	struct flow_table_stats st;
	const char *why;
	uint32_t sum = 0;
	int i;

	if (flow_table_check(s->t, &why) != 0) {
		fprintf(stderr, "flow_table_check: %s\n", why);
		abort();
	}
	flow_table_stats_get(s->t, &st);
	CHECK(st.count == s->count);
	CHECK(flow_table_count(s->t) == s->count);
	CHECK(st.adds - st.dels - st.expired - st.reclaimed == s->count);
	CHECK(st.bucket_full == 0); /* a 64-key chain holds the whole table */
	for (i = 0; i < FLOW_ST_MAX; i++)
		sum += st.by_state[i];
	CHECK(sum == s->count);
	for (i = 0; full && i < NKEYS; i++) {
		struct flow_entry *e = flow_table_lookup(s->t, &s->key[i], s->hash[i]);

		CHECK(e == s->e[i]);
		CHECK(e == NULL || e->deadline == s->deadline[i]);
	}
}

static void
init_keys(struct shadow *s, unsigned int hash_mode)
{
	int i;

	for (i = 0; i < NKEYS; i++) {
		uint8_t a[16] = {10, 0, 0, (uint8_t)i}, b[16] = {10, 0, 1, (uint8_t)(i * 7)};
		uint32_t h;

		if (i % 5 == 0) {
			a[0] = b[0] = 0xfe;
			a[1] = b[1] = 0x80;
			a[15] = (uint8_t)i;
		}
		flow_key_make(&s->key[i], i % 5 == 0 ? 6 : 4, a, b, (uint16_t)(1000 + i % 3),
				(uint16_t)(25 + i % 2),
				i % 4 == 3 ? FLOW_PROTO_UDP : FLOW_PROTO_TCP, (uint16_t)(i % 2));
		h = flow_key_hash(&s->key[i]);
		switch (hash_mode) {
		case 1:
			h &= 0xffff0003u; /* few buckets */
			break;
		case 2:
			h &= 0x0303u << 8; /* one bucket, few signatures */
			break;
		case 3:
			h = 0x5a5a0000u; /* one hash for all */
			break;
		default:
			break;
		}
		s->hash[i] = h;
	}
}

static void
op_expire(struct shadow *s, unsigned int budget)
{
	uint32_t before = s->count;
	unsigned int n;
	int i;

	s->cb_calls = 0;
	n = flow_table_expire(s->t, s->now, budget, expire_cb, s);
	CHECK(n <= budget);
	CHECK(n == s->cb_calls);
	CHECK(s->count == before - n);
	if (budget > 2 * before) {
		/* A budget above twice the live entries leaves nothing due. */
		for (i = 0; i < NKEYS; i++)
			CHECK(s->e[i] == NULL || s->deadline[i] > s->now);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flow_table_params p;
	struct cursor c = {data, size};
	struct shadow *s;
	uint8_t cfg, op, a, b;
	int i;

	if (!next(&c, &cfg))
		return 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return 0;
	flow_table_params_default(&p);
	p.capacity = CAP;
	p.hz = clock_rates[cfg & 3];
	memcpy(p.timeout_s, timeout_sets[(cfg >> 2) & 3], sizeof(p.timeout_s));
	s->user = (cfg >> 4) & 1;
	p.user_size = s->user ? 24 : 0;
	p.reclaim_cb = reclaim_cb;
	p.reclaim_arg = s;
	s->victim = -1;
	s->t = flow_table_create(&p);
	CHECK(s->t != NULL);
	for (i = 0; i < FLOW_TO_MAX; i++)
		s->to_ticks[i] = (uint64_t)p.timeout_s[i] * p.hz;
	s->now = cfg & 0x80 ? (1ull << 40) - 12345 : 0;
	init_keys(s, (cfg >> 5) & 3);

	while (next(&c, &op)) {
		uint32_t id;
		struct flow_entry *e;

		if (!next(&c, &a))
			break;
		id = a % NKEYS;
		e = s->e[id];
		switch (op % 12) {
		case 0: /* add after a lookup */
		case 1: /* the same, reclaiming a closed entry if full */
			CHECK(flow_table_lookup(s->t, &s->key[id], s->hash[id]) == e);
			if (e != NULL)
				break;
			if (op % 12 == 1) {
				expect_reclaim(s, id);
				e = flow_table_add_reclaim(
						s->t, &s->key[id], s->hash[id], op >> 7, s->now);
			} else {
				s->victim = -1;
				s->chain_full = 0;
				e = flow_table_add(s->t, &s->key[id], s->hash[id], op >> 7, s->now);
			}
			if (s->count == CAP) {
				CHECK(e == NULL);
				CHECK(s->victim == -1); /* refused only with nothing to take */
				break;
			}
			CHECK(s->victim == -1 && !s->chain_full); /* taken, when it had to be */
			CHECK(e != NULL);
			CHECK(e->init_dir == (op >> 7));
			if (s->user) {
				uint32_t v = id;

				CHECK(((uint8_t *)flow_entry_user(e))[23] == 0);
				memcpy(flow_entry_user(e), &v, sizeof(v));
			}
			s->e[id] = e;
			s->deadline[id] = expected_deadline(s, (enum flow_state)e->state);
			CHECK(e->deadline == s->deadline[id]);
			s->count++;
			break;
		case 2: /* lookup */
			CHECK(flow_table_lookup(s->t, &s->key[id], s->hash[id]) == e);
			break;
		case 3: /* delete */
			if (e == NULL)
				break;
			flow_table_del(s->t, e);
			flow_table_del(s->t, e); /* twice: ignored */
			CHECK(flow_table_lookup(s->t, &s->key[id], s->hash[id]) == NULL);
			s->e[id] = NULL;
			s->count--;
			break;
		case 4: /* a TCP packet */
		case 5: {
			enum flow_state before, after;

			if (!next(&c, &b))
				goto out;
			if (e == NULL)
				break;
			before = (enum flow_state)e->state;
			after = flow_tcp_track(s->t, e, op >> 7, b, s->now);
			CHECK(after == e->state);
			if (after == FLOW_ST_CLOSED && before != FLOW_ST_CLOSED)
				s->closed[id] = ++s->closes;
			CHECK(before != FLOW_ST_OTHER || after == FLOW_ST_OTHER);
			CHECK(!(b & FLOW_TCP_RST) || before == FLOW_ST_OTHER ||
					after == FLOW_ST_CLOSED);
			if (!(before == FLOW_ST_CLOSED && after == FLOW_ST_CLOSED))
				s->deadline[id] = expected_deadline(s, after);
			CHECK(e->deadline == s->deadline[id]);
			break;
		}
		case 6: /* touch */
			if (e == NULL)
				break;
			flow_touch(s->t, e, s->now);
			s->deadline[id] = expected_deadline(s, (enum flow_state)e->state);
			CHECK(e->deadline == s->deadline[id]);
			break;
		case 7: /* the clock: a = amount, op's top bits the unit */
			switch (op >> 6) {
			case 0:
				s->now += a; /* ticks */
				break;
			case 1:
				s->now += (uint64_t)a * (p.hz / 100 + 1); /* ~10 ms */
				break;
			case 2:
				s->now += (uint64_t)a * p.hz / 4; /* 0.25 s */
				break;
			default:
				s->now += (uint64_t)a * p.hz * 60; /* minutes: laps */
				break;
			}
			break;
		case 8: /* expire with a budget */
			op_expire(s, op & 0x80 ? 2 * CAP + 1 : a % 20);
			break;
		case 9: /* the app sets a state, or picks up a midstream flow */
			if (e == NULL)
				break;
			if (op & 0x80) {
				enum flow_state before = (enum flow_state)e->state;

				/* Only embryonic states are picked up; others keep their deadline. */
				if (flow_tcp_pickup(s->t, e, s->now) == before)
					break;
				CHECK(e->state == FLOW_ST_ESTABLISHED);
			} else {
				flow_set_state(s->t, e, (enum flow_state)(op >> 4 & 7), s->now);
				if ((op >> 4 & 7) == FLOW_ST_CLOSED)
					s->closed[id] = ++s->closes; /* again: the young end */
			}
			s->deadline[id] = expected_deadline(s, (enum flow_state)e->state);
			CHECK(e->deadline == s->deadline[id]);
			break;
		case 10: { /* bulk lookup of a..a+n */
			struct flow_key keys[FLOW_BULK_MAX];
			uint32_t hashes[FLOW_BULK_MAX];
			struct flow_entry *out[FLOW_BULK_MAX];
			unsigned int j, n = 1 + (op >> 4) * 4;

			for (j = 0; j < n; j++) {
				keys[j] = s->key[(id + j * 3) % NKEYS];
				hashes[j] = s->hash[(id + j * 3) % NKEYS];
			}
			flow_table_lookup_bulk(s->t, keys, hashes, n, out);
			for (j = 0; j < n; j++)
				CHECK(out[j] == s->e[(id + j * 3) % NKEYS]);
			break;
		}
		default:
			check_table(s, 0);
			break;
		}
	}
out:
	check_table(s, 1);
	op_expire(s, 2 * CAP + 1);
	check_table(s, 1);
	flow_table_free(s->t);
	free(s);
	return 0;
}
