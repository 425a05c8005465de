/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table operations: create's checks, insert / lookup / delete, bulk lookup
 * against single lookups, counters, a full table, the user area, overflow
 * chains and colliding hashes, walk and flush.
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
			cr_assert_eq(
				seen[1024 + i], i % 3 ? 1 : 0, "entry %u, slice %u", i, slices[j]);
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
