/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/flow limits: exact under concurrency, unlimited, hashed per-client. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>

#include "flow_limit.h"

Test(flow_limit, admits_exactly_max_then_refuses)
{
	struct flow_limits *l = flow_limits_create(4, 0);
	uint32_t before = 99;
	unsigned int i;

	cr_assert_not_null(l);
	for (i = 0; i < 50; i++)
		cr_assert(flow_limits_acquire(l, 2, 50, &before));
	cr_assert_eq(before, 49);
	cr_assert_not(flow_limits_acquire(l, 2, 50, &before), "the 51st must be refused");
	cr_assert_eq(before, 50, "the refusal reports the count it saw");
	cr_assert_eq(flow_limits_count(l, 2), 50, "a refusal leaves the count unchanged");
	flow_limits_release(l, 2);
	cr_assert(flow_limits_acquire(l, 2, 50, NULL), "a release makes room again");
	cr_assert_eq(flow_limits_count(l, 1), 0, "other counters untouched");
	flow_limits_free(l);
}

Test(flow_limit, zero_means_unlimited_but_counted)
{
	struct flow_limits *l = flow_limits_create(1, 0);
	unsigned int i;

	for (i = 0; i < 100000; i++)
		cr_assert(flow_limits_acquire(l, 0, 0, NULL));
	cr_assert_eq(flow_limits_count(l, 0), 100000);
	flow_limits_free(l);
}

Test(flow_limit, bad_sizes_and_indexes)
{
	struct flow_limits *l;

	cr_assert_null(flow_limits_create(1, 3), "hashed size must be a power of two");
	l = flow_limits_create(1, 8);
	cr_assert(flow_limits_acquire(l, 9, 1, NULL), "an index beyond the table is not limited");
	cr_assert_eq(flow_limits_count(l, 9), 0);
	flow_limits_release(l, 9);
	flow_limits_free(l);
}

Test(flow_limit, hashed_cells_spread_and_separate_scopes)
{
	struct flow_limits *l = flow_limits_create(10, 1u << 20);
	uint8_t a[4] = {198, 18, 0, 1}, b[4] = {198, 18, 0, 2};
	uint32_t ia = flow_limits_hashed(l, 1, a, 4), ib = flow_limits_hashed(l, 1, b, 4);
	uint32_t ia2 = flow_limits_hashed(l, 2, a, 4);
	unsigned int i, collisions = 0;
	static uint8_t seen[1u << 20];

	cr_assert_geq(ia, 10, "hashed cells come after the exact ones");
	cr_assert_lt(ia, 10 + (1u << 20));
	cr_assert_neq(ia, ib);
	cr_assert_neq(ia, ia2, "the same client in two classes has two counters");
	cr_assert_eq(ia, flow_limits_hashed(l, 1, a, 4), "deterministic");
	for (i = 0; i < 10000; i++) {
		uint8_t x[16] = {0x20, 0x01, 0x0d, 0xb8};
		uint32_t c;

		x[12] = (uint8_t)(i >> 8);
		x[13] = (uint8_t)i;
		c = flow_limits_hashed(l, 7, x, 16) - 10;
		collisions += seen[c];
		seen[c] = 1;
	}
	cr_assert_lt(collisions, 200, "10000 clients in 2^20 cells: %u collisions", collisions);
	flow_limits_free(l);
}

#define THREADS 2
#define ROUNDS 200000

struct race {
	struct flow_limits *l;
	atomic_uint admitted_now;
	atomic_uint max_seen;
	atomic_uint refused;
};

static void *
racer(void *arg)
{
	struct race *r = arg;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		if (flow_limits_acquire(r->l, 0, 8, NULL)) {
			unsigned int now = atomic_fetch_add(&r->admitted_now, 1) + 1;
			unsigned int m = atomic_load(&r->max_seen);

			while (now > m && !atomic_compare_exchange_weak(&r->max_seen, &m, now))
				;
			atomic_fetch_sub(&r->admitted_now, 1);
			flow_limits_release(r->l, 0);
		} else {
			atomic_fetch_add(&r->refused, 1);
		}
	}
	return NULL;
}

Test(flow_limit, concurrent_workers_never_exceed_the_limit)
{
	struct race r = {.l = flow_limits_create(1, 0)};
	pthread_t t[THREADS];
	unsigned int i;

	/* Pre-load 6 of 8: the racers fight over the last 2 places. */
	for (i = 0; i < 6; i++)
		flow_limits_acquire(r.l, 0, 8, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, racer, &r);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	cr_assert_leq(atomic_load(&r.max_seen), 2, "more than the limit held at once");
	cr_assert_eq(flow_limits_count(r.l, 0), 6, "every acquire released");
	flow_limits_free(r.l);
}
