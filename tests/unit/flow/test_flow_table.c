/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table operations: create's checks, insert / lookup / delete, bulk lookup
 * against single lookups, counters, a full table, the user area, overflow
 * chains and colliding hashes, walk and flush; flow_table_add_reclaim taking
 * the oldest closed entry of a full table or chain.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "flow.h"

#define SEC 1000000000ull

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Key number i: distinct for distinct i, TCP when i is even, IPv6 when i % 3 == 0. */
static void
key_of(struct flow_key *k, uint32_t i)
{
	uint8_t a[16] = {10, 0, 0, 0}, b[16] = {10, 255, 0, 0};
	uint8_t family = i % 3 == 0 ? 6 : 4;

	a[2] = (uint8_t)(i >> 16);
	a[3] = (uint8_t)(i >> 8);
	b[3] = (uint8_t)i;
	if (family == 6) {
		a[15] = 0x11;
		b[15] = 0x22;
	}
	flow_key_make(k, family, a, b, (uint16_t)(1024 + (i & 0x7fff)), 25,
			i % 2 == 0 ? FLOW_PROTO_TCP : FLOW_PROTO_UDP, (uint16_t)(i % 5));
}

static struct flow_table *
make_table(uint32_t capacity, uint32_t user_size)
{
	struct flow_table_params p;
	struct flow_table *t;

	flow_table_params_default(&p);
	p.capacity = capacity;
	p.user_size = user_size;
	t = flow_table_create(&p);
	cr_assert_not_null(t, "flow_table_create: %s", strerror(errno));
	return t;
}

static void
assert_consistent(const struct flow_table *t)
{
	const char *why;

	cr_assert_eq(flow_table_check(t, &why), 0, "flow_table_check: %s", why);
}

static struct flow_entry *
add_key(struct flow_table *t, uint32_t i, uint64_t now)
{
	struct flow_key k;

	key_of(&k, i);
	return flow_table_add(t, &k, flow_key_hash(&k), (int)(i & 1), now);
}

static struct flow_entry *
find_key(struct flow_table *t, uint32_t i)
{
	struct flow_key k;

	key_of(&k, i);
	return flow_table_lookup(t, &k, flow_key_hash(&k));
}

Test(flow_table, params_default)
{
	struct flow_table_params p;

	flow_table_params_default(&p);
	cr_assert_eq(p.capacity, 65536);
	cr_assert_eq(p.user_size, 0);
	cr_assert_eq(p.hz, SEC);
	cr_assert_eq(p.timeout_s[FLOW_TO_EMBRYONIC], 30);
	cr_assert_eq(p.timeout_s[FLOW_TO_IDLE], 3600);
	cr_assert_eq(p.timeout_s[FLOW_TO_HALF_CLOSED], 600);
	cr_assert_eq(p.timeout_s[FLOW_TO_CLOSED], 5);
	cr_assert_eq(p.timeout_s[FLOW_TO_OTHER], 120);
	cr_assert_str_eq(flow_timeout_name(FLOW_TO_HALF_CLOSED), "half-closed");
	cr_assert_str_eq(flow_timeout_name(FLOW_TO_MAX), "invalid");
}

Test(flow_table, create_rejects_bad_params)
{
	struct flow_table_params p;

	errno = 0;
	cr_assert_null(flow_table_create(NULL));
	cr_assert_eq(errno, EINVAL);

	flow_table_params_default(&p);
	p.capacity = 0;
	errno = 0;
	cr_assert_null(flow_table_create(&p));
	cr_assert_eq(errno, EINVAL);

	flow_table_params_default(&p);
	p.capacity = FLOW_TABLE_MAX_CAPACITY + 1;
	errno = 0;
	cr_assert_null(flow_table_create(&p));
	cr_assert_eq(errno, EINVAL);

	flow_table_params_default(&p);
	p.hz = 0;
	errno = 0;
	cr_assert_null(flow_table_create(&p));
	cr_assert_eq(errno, EINVAL);

	flow_table_params_default(&p);
	p.user_size = FLOW_TABLE_MAX_USER_SIZE + 1;
	errno = 0;
	cr_assert_null(flow_table_create(&p));
	cr_assert_eq(errno, EINVAL);

	flow_table_free(NULL);
}

Test(flow_table, insert_lookup_delete)
{
	struct flow_table *t = make_table(1024, 0);
	struct flow_table_stats st;
	struct flow_entry *e;
	struct flow_key k;
	uint32_t i;

	for (i = 0; i < 1000; i++) {
		e = add_key(t, i, 5 * SEC);
		cr_assert_not_null(e, "add %u", i);
		key_of(&k, i);
		cr_assert(memcmp(&e->key, &k, sizeof(k)) == 0);
		cr_assert_eq(e->hash, flow_key_hash(&k));
		cr_assert_eq(e->state, i % 2 == 0 ? FLOW_ST_NEW : FLOW_ST_OTHER);
		cr_assert_eq(e->init_dir, i & 1);
		cr_assert_eq(e->created, 5 * SEC);
		cr_assert_eq(e->deadline, 5 * SEC + (i % 2 == 0 ? 30 : 120) * SEC);
		cr_assert(e->fin_seen == 0 && e->flags == 0 && e->pkts[0] == 0 && e->bytes[1] == 0);
	}
	cr_assert_eq(flow_table_count(t), 1000);
	assert_consistent(t);

	for (i = 0; i < 1000; i++) {
		e = find_key(t, i);
		cr_assert_not_null(e, "lookup %u", i);
		key_of(&k, i);
		cr_assert(memcmp(&e->key, &k, sizeof(k)) == 0);
	}
	for (i = 1000; i < 3000; i++)
		cr_assert_null(find_key(t, i), "phantom %u", i);

	flow_table_stats_get(t, &st);
	cr_assert_eq(st.adds, 1000);
	cr_assert_eq(st.lookups, 3000);
	cr_assert_eq(st.hits, 1000);
	cr_assert_eq(st.misses, 2000);
	cr_assert_eq(st.count, 1000);
	cr_assert_eq(st.by_state[FLOW_ST_NEW], 500);
	cr_assert_eq(st.by_state[FLOW_ST_OTHER], 500);

	/* Delete every third, then everything must still be where it should. */
	for (i = 0; i < 1000; i += 3)
		flow_table_del(t, find_key(t, i));
	assert_consistent(t);
	for (i = 0; i < 1000; i++) {
		if (i % 3 == 0)
			cr_assert_null(find_key(t, i), "found %u after delete", i);
		else
			cr_assert_not_null(find_key(t, i), "lost %u", i);
	}
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.dels, 334);
	cr_assert_eq(st.count, 666);
	cr_assert_eq(st.by_state[FLOW_ST_NEW] + st.by_state[FLOW_ST_OTHER], 666);

	/* Deleting a freed entry is ignored. */
	e = find_key(t, 1);
	flow_table_del(t, e);
	flow_table_del(t, e);
	flow_table_del(t, NULL);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.dels, 335);
	cr_assert_eq(st.count, 665);

	/* Re-add the deleted ones. */
	for (i = 0; i < 1000; i += 3)
		cr_assert_not_null(add_key(t, i, 6 * SEC));
	cr_assert_not_null(add_key(t, 1, 6 * SEC));
	cr_assert_eq(flow_table_count(t), 1000);
	for (i = 0; i < 1000; i++)
		cr_assert_not_null(find_key(t, i));
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_table, bulk_equals_single)
{
	struct flow_table *t = make_table(4096, 64);
	struct flow_key keys[200];
	uint32_t hashes[200];
	struct flow_entry *out[200];
	struct flow_table_stats st;
	uint64_t seed = 42;
	unsigned int round, i, n, hits;

	for (i = 0; i < 4000; i += 2)
		cr_assert_not_null(add_key(t, i, 0));
	for (round = 0; round < 2000; round++) {
		n = round < 1000 ? 64 : (unsigned int)(rnd(&seed) % 201);
		for (i = 0; i < n; i++) {
			key_of(&keys[i], (uint32_t)(rnd(&seed) % 4000)); /* about half hit */
			hashes[i] = flow_key_hash(&keys[i]);
			out[i] = (struct flow_entry *)&seed; /* must be overwritten */
		}
		flow_table_lookup_bulk(t, keys, hashes, n, out);
		for (i = 0; i < n; i++)
			cr_assert_eq(out[i], flow_table_lookup(t, &keys[i], hashes[i]),
					"round %u key %u", round, i);
	}

	/* Counters: a bulk of 64 counts 64 lookups. */
	for (i = 0; i < 64; i++) {
		key_of(&keys[i], i);
		hashes[i] = flow_key_hash(&keys[i]);
	}
	flow_table_stats_get(t, &st);
	hits = (unsigned int)st.hits;
	flow_table_lookup_bulk(t, keys, hashes, 64, out);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.hits - hits, 32);
	flow_table_lookup_bulk(t, keys, hashes, 0, out);
	flow_table_free(t);
}

Test(flow_table, full_table)
{
	struct flow_table *t = make_table(100, 0);
	struct flow_table_stats st;
	struct flow_entry *e[100];
	uint32_t i;

	for (i = 0; i < 100; i++)
		cr_assert_not_null(e[i] = add_key(t, i, 0), "add %u", i);
	cr_assert_null(add_key(t, 100, 0));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.table_full, 1);
	cr_assert_eq(st.bucket_full, 0);
	cr_assert_eq(st.count, 100);
	cr_assert_null(find_key(t, 100));

	/* After a delete one add fits again, and only one. */
	flow_table_del(t, e[50]);
	cr_assert_not_null(add_key(t, 100, 0));
	cr_assert_null(add_key(t, 101, 0));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.table_full, 2);

	/* After expiry (TCP 30 s, UDP 120 s) the whole table is free again. */
	cr_assert_eq(flow_table_expire(t, 120 * SEC, 1000, NULL, NULL), 100);
	cr_assert_eq(flow_table_count(t), 0);
	for (i = 200; i < 300; i++)
		cr_assert_not_null(add_key(t, i, 200 * SEC));
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_table, capacity_one)
{
	struct flow_table *t = make_table(1, 0);

	cr_assert_not_null(add_key(t, 7, 0));
	cr_assert_null(add_key(t, 8, 0));
	cr_assert_not_null(find_key(t, 7));
	flow_table_del(t, find_key(t, 7));
	cr_assert_not_null(add_key(t, 8, 0));
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_table, user_area)
{
	struct flow_table *t = make_table(16, 200);
	struct flow_entry *e, *f;
	uint8_t *u;
	size_t i;

	e = add_key(t, 1, 0);
	u = flow_entry_user(e);
	cr_assert_eq((uintptr_t)u % 64, 0);
	cr_assert_eq((uintptr_t)e % 64, 0);
	for (i = 0; i < 200; i++)
		cr_assert_eq(u[i], 0);
	memset(u, 0xee, 200);
	e->flags = FLOW_F_APP3;
	e->pkts[1] = 9;
	f = add_key(t, 2, 0);
	cr_assert_geq((uintptr_t)f - (uintptr_t)e, 128 + 200, "user areas overlap");
	cr_assert_eq(((uint8_t *)flow_entry_user(f))[0], 0);
	cr_assert_eq(((uint8_t *)flow_entry_user(f))[199], 0);
	/* Freed and reused: zero again. */
	flow_table_del(t, f);
	flow_table_del(t, e);
	e = add_key(t, 3, 0);
	f = add_key(t, 4, 0);
	cr_assert(e->flags == 0 && e->pkts[1] == 0 && f->flags == 0 && f->pkts[1] == 0);
	for (i = 0; i < 200; i++) {
		cr_assert_eq(((uint8_t *)flow_entry_user(e))[i], 0);
		cr_assert_eq(((uint8_t *)flow_entry_user(f))[i], 0);
	}
	flow_table_free(t);
}

/* Keys that all land in main bucket 0 of a table with `nb` buckets. */
static uint32_t
colliding_keys(uint32_t *ids, uint32_t want, uint32_t nb)
{
	uint32_t i, n = 0;
	struct flow_key k;

	for (i = 0; n < want; i++) {
		key_of(&k, i);
		if ((flow_key_hash(&k) & (nb - 1)) == 0)
			ids[n++] = i;
	}
	return n;
}

Test(flow_table, overflow_chains)
{
	/* capacity 256: 64 main buckets; 70 keys of bucket 0 need 8 chained buckets. */
	struct flow_table *t = make_table(256, 0);
	struct flow_table_stats st;
	uint32_t ids[70], order[64];
	uint64_t seed = 7;
	uint32_t i, j;

	colliding_keys(ids, 70, 64);
	for (i = 0; i < 64; i++)
		cr_assert_not_null(add_key(t, ids[i], 0), "add %u", i);
	assert_consistent(t);
	/* The 65th key of one bucket is refused: the chain bound. */
	cr_assert_null(add_key(t, ids[64], 0));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.bucket_full, 1);
	cr_assert_eq(st.table_full, 0);
	/* Other buckets still take keys. */
	for (i = 0;; i++) {
		struct flow_key k;

		key_of(&k, i);
		if ((flow_key_hash(&k) & 63) != 0)
			break;
	}
	cr_assert_not_null(add_key(t, i, 0));
	flow_table_del(t, find_key(t, i));

	for (i = 0; i < 64; i++)
		cr_assert_not_null(find_key(t, ids[i]));
	/* Delete in random order; the rest stays findable, the chain shrinks. */
	for (i = 0; i < 64; i++)
		order[i] = ids[i];
	for (i = 63; i > 0; i--) {
		j = (uint32_t)(rnd(&seed) % (i + 1));
		uint32_t x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (i = 0; i < 64; i++) {
		flow_table_del(t, find_key(t, order[i]));
		for (j = i + 1; j < 64; j++)
			cr_assert_not_null(find_key(t, order[j]), "lost after %u deletes", i + 1);
		cr_assert_null(find_key(t, order[i]));
		assert_consistent(t);
	}
	flow_table_free(t);
}

Test(flow_table, same_hash_different_keys)
{
	/* The table takes any hash: give 40 keys one hash, so buckets and signatures all match. */
	struct flow_table *t = make_table(64, 0);
	struct flow_key k[40];
	struct flow_entry *e[40], *out[40];
	uint32_t h[40];
	uint32_t i;

	for (i = 0; i < 40; i++) {
		key_of(&k[i], i);
		h[i] = 0xabcd0000u;
		e[i] = flow_table_add(t, &k[i], h[i], 0, 0);
		cr_assert_not_null(e[i]);
	}
	for (i = 0; i < 40; i++)
		cr_assert_eq(flow_table_lookup(t, &k[i], h[i]), e[i]);
	flow_table_lookup_bulk(t, k, h, 40, out);
	for (i = 0; i < 40; i++)
		cr_assert_eq(out[i], e[i]);
	for (i = 0; i < 40; i += 2)
		flow_table_del(t, e[i]);
	for (i = 0; i < 40; i++)
		cr_assert_eq(flow_table_lookup(t, &k[i], h[i]), i % 2 ? e[i] : NULL);
	assert_consistent(t);
	flow_table_free(t);
}

static void
count_cb(struct flow_entry *e, void *arg)
{
	(void)e;
	(*(unsigned int *)arg)++;
}

Test(flow_table, walk_and_flush)
{
	struct flow_table *t = make_table(512, 8);
	struct flow_table_stats st;
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < 300; i++)
		add_key(t, i, 0);
	flow_table_walk(t, count_cb, &n);
	cr_assert_eq(n, 300);
	cr_assert_eq(flow_table_count(t), 300);
	n = 0;
	flow_table_flush(t, count_cb, &n);
	cr_assert_eq(n, 300);
	cr_assert_eq(flow_table_count(t), 0);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.dels, 300);
	for (i = 0; i < FLOW_ST_MAX; i++)
		cr_assert_eq(st.by_state[i], 0);
	assert_consistent(t);
	for (i = 0; i < 512; i++)
		cr_assert_not_null(add_key(t, i, 0));
	flow_table_free(t);
}

/* The sliced walk sees every live entry exactly once, whatever the slice. */
static void
mark_cb(struct flow_entry *e, void *arg)
{
	uint8_t *seen = arg;

	seen[e->key.port_a]++;
}

Test(flow_table, walk_in_slices)
{
	static const uint32_t slices[] = {1, 7, 64, 500, 512, 100000};
	struct flow_table *t = make_table(512, 8);
	struct flow_entry *e[300];
	uint8_t seen[65536];
	unsigned int j;
	uint32_t i, at, steps;

	for (i = 0; i < 300; i++)
		e[i] = add_key(t, i, 0);
	for (i = 0; i < 300; i += 3)
		flow_table_del(t, e[i]);
	cr_assert_eq(flow_table_capacity(t), 512);
	for (j = 0; j < sizeof(slices) / sizeof(slices[0]); j++) {
		memset(seen, 0, sizeof(seen));
		for (at = 0, steps = 0; at < flow_table_capacity(t); steps++)
			at = flow_table_walk_slice(t, at, slices[j], mark_cb, seen);
		cr_assert_eq(at, 512);
		cr_assert_eq(steps, (512 + slices[j] - 1) / slices[j], "slice %u", slices[j]);
		for (i = 0; i < 300; i++)
			cr_assert_eq(seen[1024 + i], i % 3 ? 1 : 0, "entry %u, slice %u", i,
					slices[j]);
	}
	cr_assert_eq(flow_table_walk_slice(t, 512, 10, mark_cb, seen), 512);
	cr_assert_eq(flow_table_walk_slice(t, 9999, 10, mark_cb, seen), 512);
	flow_table_free(t);
}

struct alloc_count {
	int allocs, frees, socket;
	size_t bytes;
};

static void *
test_alloc(size_t size, size_t align, int socket, void *arg)
{
	struct alloc_count *c = arg;

	cr_assert_geq(align, 64);
	cr_assert_eq(align & (align - 1), 0);
	cr_assert_eq(size % align, 0);
	c->allocs++;
	c->bytes += size;
	c->socket = socket;
	return aligned_alloc(align, size);
}

static void
test_free(void *p, void *arg)
{
	struct alloc_count *c = arg;

	c->frees++;
	free(p);
}

Test(flow_table, app_allocator)
{
	struct alloc_count c = {0};
	struct flow_table_params p;
	struct flow_table *t;
	uint32_t i;

	flow_table_params_default(&p);
	p.capacity = 100000;
	p.user_size = 100;
	p.socket = 1;
	p.mem_alloc = test_alloc;
	p.mem_arg = &c;
	errno = 0;
	cr_assert_null(flow_table_create(&p), "mem_alloc without mem_free");
	cr_assert_eq(errno, EINVAL);
	p.mem_free = test_free;
	t = flow_table_create(&p);
	cr_assert_not_null(t);
	cr_assert_eq(c.socket, 1);
	cr_assert_geq(c.bytes, 100000ull * (128 + 128));
	for (i = 0; i < 100000; i++)
		cr_assert_not_null(add_key(t, i, 0));
	assert_consistent(t);
	flow_table_free(t);
	cr_assert_gt(c.allocs, 0);
	cr_assert_eq(c.allocs, c.frees);
}

static void *
failing_alloc(size_t size, size_t align, int socket, void *arg)
{
	struct alloc_count *c = arg;

	(void)socket;
	if (c->allocs == 3)
		return NULL; /* the fourth allocation fails */
	c->allocs++;
	c->bytes += size;
	return aligned_alloc(align, size);
}

Test(flow_table, out_of_memory_frees_what_it_took)
{
	struct alloc_count c = {0};
	struct flow_table_params p;

	flow_table_params_default(&p);
	p.mem_alloc = failing_alloc;
	p.mem_free = test_free;
	p.mem_arg = &c;
	errno = 0;
	cr_assert_null(flow_table_create(&p));
	cr_assert_eq(errno, ENOMEM);
	cr_assert_eq(c.allocs, 3);
	cr_assert_eq(c.frees, 3);
}

Test(flow_table, huge_timeouts_saturate_to_never)
{
	struct flow_table_params p;
	struct flow_table *t;
	struct flow_entry *e;

	flow_table_params_default(&p);
	p.capacity = 4;
	p.hz = 10000000000ull; /* 10 GHz */
	p.timeout_s[FLOW_TO_OTHER] = UINT32_MAX; /* 4.3e19 ticks: past 2^64 */
	t = flow_table_create(&p);
	cr_assert_not_null(t);
	e = add_key(t, 1, 5); /* odd: UDP */
	cr_assert_eq(e->state, FLOW_ST_OTHER);
	cr_assert_eq(e->deadline, FLOW_DEADLINE_NEVER);
	e = add_key(t, 2, UINT64_MAX - 5); /* TCP, 30 s past a clock about to wrap */
	cr_assert_eq(e->deadline, FLOW_DEADLINE_NEVER);
	assert_consistent(t);
	flow_table_free(t);
}

/* ------------------------------------------------------------------------ */
/* flow_table_add_reclaim: closed entries make room for new connections      */

struct reclaimed {
	struct flow_table *t;
	uint32_t ids[64]; /* key numbers, in the order the callback saw them */
	unsigned int n;
	int del_in_cb; /* the callback deletes the entry itself */
};

static void
reclaim_cb(struct flow_entry *e, void *arg)
{
	struct reclaimed *r = arg;
	uint32_t id;

	/* Called before the entry goes: still closed, still findable, user area intact. */
	cr_assert_eq(e->state, FLOW_ST_CLOSED);
	memcpy(&id, flow_entry_user(e), sizeof(id));
	cr_assert_eq(flow_table_lookup(r->t, &e->key, e->hash), e,
			"key %u not in the table during its callback", id);
	cr_assert_lt(r->n, 64);
	r->ids[r->n++] = id;
	if (r->del_in_cb)
		flow_table_del(r->t, e);
}

static struct flow_table *
make_reclaim_table(uint32_t capacity, struct reclaimed *r)
{
	struct flow_table_params p;

	flow_table_params_default(&p);
	p.capacity = capacity;
	p.user_size = sizeof(uint32_t);
	p.reclaim_cb = reclaim_cb;
	p.reclaim_arg = r;
	memset(r, 0, sizeof(*r));
	r->t = flow_table_create(&p);
	cr_assert_not_null(r->t, "flow_table_create: %s", strerror(errno));
	return r->t;
}

/* The callback has seen exactly n entries, key numbers want[0..n-1] in that order. */
static void
assert_took(const struct reclaimed *r, unsigned int n, const uint32_t *want)
{
	unsigned int i;

	cr_assert_eq(r->n, n, "%u entries reclaimed, want %u", r->n, n);
	for (i = 0; i < n; i++)
		cr_assert_eq(r->ids[i], want[i], "reclaimed %u-th: key %u, want %u", i, r->ids[i],
				want[i]);
}

/* Adds key number i (reclaiming if `reclaim`) and writes i into its user area. */
static struct flow_entry *
add_id(struct flow_table *t, uint32_t i, uint64_t now, int reclaim)
{
	struct flow_key k;
	struct flow_entry *e;

	key_of(&k, i);
	e = reclaim ? flow_table_add_reclaim(t, &k, flow_key_hash(&k), 0, now)
		    : flow_table_add(t, &k, flow_key_hash(&k), 0, now);
	if (e != NULL) {
		cr_assert_eq(*(uint32_t *)flow_entry_user(e), 0, "user area not zeroed");
		memcpy(flow_entry_user(e), &i, sizeof(i));
	}
	return e;
}

/* Key number i goes through a handshake and a FIN close (or an RST) at `now`. */
static void
close_id(struct flow_table *t, uint32_t i, uint64_t now, int rst)
{
	struct flow_entry *e = find_key(t, i);

	cr_assert_not_null(e, "key %u", i);
	flow_tcp_track(t, e, 0, FLOW_TCP_SYN, now);
	flow_tcp_track(t, e, 1, FLOW_TCP_SYN | FLOW_TCP_ACK, now);
	flow_tcp_track(t, e, 0, FLOW_TCP_ACK, now);
	if (rst) {
		flow_tcp_track(t, e, 1, FLOW_TCP_RST, now);
	} else {
		flow_tcp_track(t, e, 0, FLOW_TCP_FIN | FLOW_TCP_ACK, now);
		flow_tcp_track(t, e, 1, FLOW_TCP_FIN | FLOW_TCP_ACK, now);
		flow_tcp_track(t, e, 0, FLOW_TCP_ACK, now);
	}
	cr_assert_eq(e->state, FLOW_ST_CLOSED, "key %u", i);
}

Test(flow_reclaim, full_of_closed_takes_the_oldest_closed)
{
	/* 64 TCP connections (even key numbers) close in an order unrelated to
	 * their slots; new connections take their places oldest-closed first. */
	struct reclaimed r;
	struct flow_table *t = make_reclaim_table(64, &r);
	struct flow_table_stats st;
	uint32_t order[64], i, j;
	uint64_t seed = 5;

	for (i = 0; i < 64; i++) {
		cr_assert_not_null(add_id(t, 2 * i, 0, 0));
		order[i] = 2 * i;
	}
	for (i = 63; i > 0; i--) {
		uint32_t x;

		j = (uint32_t)(rnd(&seed) % (i + 1));
		x = order[i];
		order[i] = order[j];
		order[j] = x;
	}
	for (i = 0; i < 64; i++)
		close_id(t, order[i], (1 + i) * SEC / 100, i % 3 == 0);
	assert_consistent(t);

	/* flow_table_add never evicts. */
	cr_assert_null(add_id(t, 1000, SEC, 0));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.table_full, 1);
	cr_assert_eq(r.n, 0);

	for (i = 0; i < 10; i++) {
		struct flow_entry *e = add_id(t, 1000 + 2 * i, SEC, 1);

		cr_assert_not_null(e, "new connection %u refused by a table of closed ones", i);
		cr_assert_eq(e->state, FLOW_ST_NEW);
		assert_took(&r, i + 1, order); /* in close order */
		cr_assert_null(find_key(t, order[i]));
		cr_assert_eq(find_key(t, 1000 + 2 * i), e);
		assert_consistent(t);
	}
	for (i = 10; i < 64; i++)
		cr_assert_not_null(find_key(t, order[i]), "closed key %u lost", order[i]);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.reclaimed, 10);
	cr_assert_eq(st.table_full, 1);
	cr_assert_eq(st.count, 64);
	cr_assert_eq(st.by_state[FLOW_ST_CLOSED], 54);
	cr_assert_eq(st.adds - st.dels - st.expired - st.reclaimed, st.count);
	flow_table_free(t);
}

Test(flow_reclaim, no_closed_entry_refuses_and_counts)
{
	struct reclaimed r;
	struct flow_table *t = make_reclaim_table(16, &r);
	struct flow_table_stats st;
	struct flow_entry *e;
	uint32_t i;

	/* Embryonic, established, half-closed, closing: none may go. */
	for (i = 0; i < 16; i++)
		cr_assert_not_null(add_id(t, 2 * i, 0, 1));
	for (i = 0; i < 12; i++) {
		e = find_key(t, 2 * i);
		flow_tcp_track(t, e, 0, FLOW_TCP_SYN, 0);
		flow_tcp_track(t, e, 1, FLOW_TCP_SYN | FLOW_TCP_ACK, 0);
		flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 0);
		if (i >= 4)
			flow_tcp_track(t, e, 0, FLOW_TCP_FIN, 0);
		if (i >= 8)
			flow_tcp_track(t, e, 1, FLOW_TCP_FIN, 0);
	}
	cr_assert_null(add_id(t, 100, SEC, 1));
	cr_assert_null(add_id(t, 102, SEC, 1));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.table_full, 2);
	cr_assert_eq(st.reclaimed, 0);
	cr_assert_eq(st.count, 16);
	cr_assert_eq(r.n, 0);
	for (i = 0; i < 16; i++)
		cr_assert_not_null(find_key(t, 2 * i));

	/* One closes: exactly one new connection fits, the next is refused. */
	close_id(t, 30, SEC, 1);
	cr_assert_not_null(add_id(t, 100, 2 * SEC, 1));
	assert_took(&r, 1, (const uint32_t[]){30});
	cr_assert_null(add_id(t, 102, 2 * SEC, 1));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.table_full, 3);
	cr_assert_eq(st.reclaimed, 1);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_reclaim, closing_again_or_reopening_moves_the_entry)
{
	struct reclaimed r;
	struct flow_table *t = make_reclaim_table(8, &r);
	uint32_t i;

	for (i = 0; i < 8; i++)
		cr_assert_not_null(add_id(t, 2 * i, 0, 0));
	for (i = 0; i < 4; i++)
		close_id(t, 2 * i, i * SEC, 0); /* close order: 0 2 4 6 */
	/* The app closes 0 again (its linger starts again): the young end. */
	flow_set_state(t, find_key(t, 0), FLOW_ST_CLOSED, 5 * SEC);
	/* 2 leaves CLOSED: it is no longer the table's to take. */
	flow_set_state(t, find_key(t, 2), FLOW_ST_ESTABLISHED, 5 * SEC);
	assert_consistent(t);
	for (i = 0; i < 3; i++)
		cr_assert_not_null(add_id(t, 100 + 2 * i, 6 * SEC, 1));
	assert_took(&r, 3, (const uint32_t[]){4, 6, 0});
	cr_assert_null(add_id(t, 200, 6 * SEC, 1));
	cr_assert_not_null(find_key(t, 2));
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_reclaim, expired_and_deleted_closed_entries_leave_the_order)
{
	struct reclaimed r;
	struct flow_table *t = make_reclaim_table(32, &r);
	struct flow_table_stats st;
	uint32_t i;

	for (i = 0; i < 32; i++)
		cr_assert_not_null(add_id(t, 2 * i, 0, 0));
	for (i = 0; i < 8; i++)
		close_id(t, 2 * i, i * SEC, 0); /* closed 0..7 s: linger to 5..12 s */
	flow_table_del(t, find_key(t, 10)); /* closed 5th */
	/* At 6.5 s the first two (deadlines 5, 6 s) have expired. */
	cr_assert_eq(flow_table_expire(t, 6500 * SEC / 1000, 1000, NULL, NULL), 2);
	assert_consistent(t);
	cr_assert_not_null(add_id(t, 100, 7 * SEC, 1)); /* a free slot (the delete): no reclaim */
	cr_assert_eq(r.n, 0);
	cr_assert_not_null(add_id(t, 102, 7 * SEC, 1)); /* a free slot (an expiry) */
	cr_assert_not_null(add_id(t, 104, 7 * SEC, 1));
	cr_assert_eq(r.n, 0);
	for (i = 0; i < 4; i++)
		cr_assert_not_null(add_id(t, 106 + 2 * i, 7 * SEC, 1));
	assert_took(&r, 4, (const uint32_t[]){4, 6, 8, 12});
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.expired, 2);
	cr_assert_eq(st.dels, 1);
	cr_assert_eq(st.reclaimed, 4);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_reclaim, full_chain_takes_its_own_oldest_closed)
{
	/* capacity 256: 64 main buckets; 64 keys of bucket 0 fill its chain. */
	struct reclaimed r;
	struct flow_table *t = make_reclaim_table(256, &r);
	struct flow_table_stats st;
	uint32_t ids[66], other, i;
	struct flow_key k;

	colliding_keys(ids, 66, 64);
	for (other = 0;; other++) {
		key_of(&k, other);
		if ((flow_key_hash(&k) & 63) != 0)
			break;
	}
	cr_assert_not_null(add_id(t, other, 0, 0));
	for (i = 0; i < 64; i++)
		cr_assert_not_null(add_id(t, ids[i], 0, 0));
	/* No closed key in the chain: refused, even with a closed entry elsewhere. */
	flow_set_state(t, find_key(t, other), FLOW_ST_CLOSED, SEC);
	cr_assert_null(add_id(t, ids[64], 2 * SEC, 1));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.bucket_full, 1);
	cr_assert_eq(st.reclaimed, 0);
	cr_assert_eq(r.n, 0);
	cr_assert_not_null(find_key(t, other), "a closed entry of another chain went for nothing");

	/* Two of the chain close (the later first in the chain's order): the
	 * chain gives up the one closed first, not the table's oldest. */
	flow_set_state(t, find_key(t, ids[3]), FLOW_ST_CLOSED, 4 * SEC);
	flow_set_state(t, find_key(t, ids[40]), FLOW_ST_CLOSED, 3 * SEC);
	cr_assert_not_null(add_id(t, ids[64], 5 * SEC, 1));
	assert_took(&r, 1, (const uint32_t[]){ids[40]});
	cr_assert_not_null(add_id(t, ids[65], 5 * SEC, 1));
	assert_took(&r, 2, (const uint32_t[]){ids[40], ids[3]});
	cr_assert_not_null(find_key(t, other));
	cr_assert_null(add_id(t, ids[40], 6 * SEC, 1));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.reclaimed, 2);
	cr_assert_eq(st.bucket_full, 2);
	cr_assert_eq(st.table_full, 0);
	for (i = 0; i < 66; i++)
		cr_assert_eq(find_key(t, ids[i]) != NULL, i != 3 && i != 40, "key %u", i);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_reclaim, full_table_and_full_chain_take_one_entry)
{
	/* Capacity 64 with one hash for every key: the table and the chain are
	 * full at once; one closed entry makes room for both. */
	struct reclaimed r;
	struct flow_table *t = make_reclaim_table(64, &r);
	struct flow_entry *e[65];
	struct flow_key k[65];
	struct flow_table_stats st;
	uint32_t i;

	for (i = 0; i < 65; i++)
		key_of(&k[i], i);
	for (i = 0; i < 64; i++) {
		e[i] = flow_table_add(t, &k[i], 0x12340000u, 0, 0);
		cr_assert_not_null(e[i]);
		memcpy(flow_entry_user(e[i]), &i, sizeof(i));
	}
	flow_set_state(t, e[9], FLOW_ST_CLOSED, SEC);
	flow_set_state(t, e[7], FLOW_ST_CLOSED, 2 * SEC);
	cr_assert_not_null(flow_table_add_reclaim(t, &k[64], 0x12340000u, 0, 3 * SEC));
	assert_took(&r, 1, (const uint32_t[]){9});
	cr_assert_eq(flow_table_lookup(t, &k[7], 0x12340000u), e[7]);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.reclaimed, 1);
	cr_assert_eq(st.count, 64);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_reclaim, callback_that_deletes_the_entry)
{
	struct reclaimed r;
	struct flow_table *t = make_reclaim_table(4, &r);
	struct flow_table_stats st;
	uint32_t i;

	r.del_in_cb = 1;
	for (i = 0; i < 4; i++)
		cr_assert_not_null(add_id(t, 2 * i, 0, 0));
	close_id(t, 4, SEC, 1);
	cr_assert_not_null(add_id(t, 100, 2 * SEC, 1));
	cr_assert_eq(r.n, 1);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.reclaimed, 0); /* the callback's delete counts as a delete */
	cr_assert_eq(st.dels, 1);
	cr_assert_eq(st.count, 4);
	assert_consistent(t);
	flow_table_free(t);
}

/*
 * Lazy entries (the offline mode): nothing is linked or touched at create;
 * entries are taken in index order, freed ones come back first, the table
 * is full at capacity and consistent throughout. The memory of entries
 * never taken is filled with garbage first: nothing may read it.
 */
static void *
garbage_alloc(size_t size, size_t align, int socket, void *arg)
{
	void *p = aligned_alloc(align, size);

	(void)socket;
	(void)arg;
	if (p != NULL)
		memset(p, 0xa5, size);
	return p;
}

static void
garbage_free(void *p, void *arg)
{
	(void)arg;
	free(p);
}

Test(flow_table, lazy_entries)
{
	struct flow_table_params p;
	struct flow_table *t;
	struct flow_table_stats st;
	struct flow_entry *e[100];
	unsigned int n = 0;
	uint32_t i;

	flow_table_params_default(&p);
	p.capacity = 100;
	p.user_size = 16;
	p.lazy_entries = 1;
	p.mem_alloc = garbage_alloc;
	p.mem_free = garbage_free;
	t = flow_table_create(&p);
	cr_assert_not_null(t);
	assert_consistent(t);
	flow_table_walk(t, count_cb, &n);
	cr_assert_eq(n, 0);
	for (i = 0; i < 10; i++) {
		cr_assert_not_null(e[i] = add_key(t, i, 0), "add %u", i);
		cr_assert_eq(e[i]->priv.self, i, "taken in index order");
	}
	assert_consistent(t);
	/* A freed entry is reused before a fresh one is touched. */
	flow_table_del(t, e[4]);
	cr_assert_eq(add_key(t, 50, 0), e[4]);
	for (i = 10; i < 100; i++)
		cr_assert_not_null(e[i] = add_key(t, i, 0), "add %u", i);
	cr_assert_null(add_key(t, 100, 0));
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.table_full, 1);
	assert_consistent(t);
	flow_table_flush(t, count_cb, &n);
	cr_assert_eq(n, 100);
	for (i = 200; i < 300; i++)
		cr_assert_not_null(add_key(t, i, 0));
	assert_consistent(t);
	flow_table_free(t);
}
