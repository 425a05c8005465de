/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A million random operations (add, add reclaiming the oldest closed entry,
 * lookup, bulk lookup, delete, TCP flags, touch, state change, clock steps
 * small and huge, expire with random budgets) against a brute-force model: a
 * plain array indexed by key number holding presence, entry, expected
 * deadline and when it closed. They must agree at every step; the table's own
 * invariants are checked now and then.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "flow.h"

#define NKEYS 3000
#define CAP 1024
#define OPS 1000000

struct model_key {
	struct flow_key key;
	uint32_t hash;
	struct flow_entry *e; /* NULL when absent */
	uint64_t deadline;
	uint64_t closed; /* m->closes when it last became CLOSED */
};

struct model {
	struct flow_table *t;
	struct model_key k[NKEYS];
	uint64_t to_ticks[FLOW_TO_MAX];
	uint64_t now;
	uint32_t count;
	unsigned int cb_calls;
	uint64_t closes; /* entries set CLOSED so far: the model's close order */
	int victim; /* the key flow_table_add_reclaim must take next, -1: none */
};

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

static uint64_t
expected_deadline(const struct model *m, enum flow_state s, uint64_t now)
{
	uint64_t to = m->to_ticks[flow_state_timeout(s)];

	return to == 0 ? FLOW_DEADLINE_NEVER : now + to;
}

static void
expire_cb(struct flow_entry *e, void *arg)
{
	struct model *m = arg;
	uint32_t id;

	memcpy(&id, flow_entry_user(e), sizeof(id));
	cr_assert_lt(id, NKEYS);
	cr_assert_eq(m->k[id].e, e, "expired an entry the model does not have");
	cr_assert_eq(e->deadline, m->k[id].deadline);
	cr_assert_leq(e->deadline, m->now, "expired before its deadline");
	m->k[id].e = NULL;
	m->count--;
	m->cb_calls++;
}

static void
reclaim_cb(struct flow_entry *e, void *arg)
{
	struct model *m = arg;
	uint32_t id;

	memcpy(&id, flow_entry_user(e), sizeof(id));
	cr_assert_eq((int)id, m->victim, "reclaimed key %u, the oldest closed is %d", id,
			m->victim);
	cr_assert_eq(m->k[id].e, e);
	m->k[id].e = NULL;
	m->count--;
	m->victim = -1;
}

/* The live key that closed first, or -1. */
static int
oldest_closed(const struct model *m)
{
	int i, best = -1;

	for (i = 0; i < NKEYS; i++)
		if (m->k[i].e != NULL && m->k[i].e->state == FLOW_ST_CLOSED &&
				(best < 0 || m->k[i].closed < m->k[best].closed))
			best = i;
	return best;
}

static void
check_all(struct model *m, int structure)
{
	struct flow_table_stats st;
	uint32_t i, n = 0;
	const char *why;

	for (i = 0; i < NKEYS; i++) {
		struct flow_entry *e = flow_table_lookup(m->t, &m->k[i].key, m->k[i].hash);

		cr_assert_eq(e, m->k[i].e, "key %u: table %p model %p", i, (void *)e,
				(void *)m->k[i].e);
		if (e != NULL) {
			n++;
			cr_assert_eq(e->deadline, m->k[i].deadline, "key %u deadline", i);
		}
	}
	cr_assert_eq(n, m->count);
	flow_table_stats_get(m->t, &st);
	cr_assert_eq(st.count, m->count);
	cr_assert_eq(st.adds - st.dels - st.expired - st.reclaimed, m->count);
	if (structure)
		cr_assert_eq(flow_table_check(m->t, &why), 0, "flow_table_check: %s", why);
}

static void
run(uint64_t hz, const uint32_t *timeouts, uint64_t seed)
{
	static const uint8_t flags[] = {FLOW_TCP_SYN, FLOW_TCP_SYN | FLOW_TCP_ACK, FLOW_TCP_ACK,
			FLOW_TCP_ACK | FLOW_TCP_PSH, FLOW_TCP_FIN | FLOW_TCP_ACK, FLOW_TCP_FIN,
			FLOW_TCP_RST, FLOW_TCP_RST | FLOW_TCP_ACK, 0};
	struct flow_table_params p;
	struct model *m = calloc(1, sizeof(*m));
	struct flow_table_stats st;
	unsigned long op;
	uint32_t i;

	cr_assert_not_null(m);
	flow_table_params_default(&p);
	p.capacity = CAP;
	p.user_size = sizeof(uint32_t);
	p.hz = hz;
	p.reclaim_cb = reclaim_cb;
	p.reclaim_arg = m;
	memcpy(p.timeout_s, timeouts, sizeof(p.timeout_s));
	m->victim = -1;
	m->t = flow_table_create(&p);
	cr_assert_not_null(m->t, "create: %s", strerror(errno));
	for (i = 0; i < FLOW_TO_MAX; i++)
		m->to_ticks[i] = (uint64_t)timeouts[i] * hz;
	m->now = rnd(&seed) % (1000 * hz);
	for (i = 0; i < NKEYS; i++) {
		uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8}, b[16] = {192, 0, 2, 0};
		uint8_t family = i % 4 == 0 ? 6 : 4;

		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		if (family == 4)
			memcpy(a, (const uint8_t[]){10, 20, (uint8_t)(i >> 8), (uint8_t)i}, 4);
		b[3] = (uint8_t)(i % 7);
		flow_key_make(&m->k[i].key, family, i % 2 ? a : b, i % 2 ? b : a,
				(uint16_t)(1024 + i % 13), 25,
				i % 3 ? FLOW_PROTO_TCP : FLOW_PROTO_UDP, (uint16_t)(i % 3));
		m->k[i].hash = flow_key_hash(&m->k[i].key);
	}

	for (op = 0; op < OPS; op++) {
		uint32_t r = (uint32_t)(rnd(&seed) % 1000);
		uint32_t id = (uint32_t)(rnd(&seed) % NKEYS);
		struct model_key *k = &m->k[id];
		struct flow_entry *e;

		if (r < 300) { /* add (after a lookup, as the app does), or add reclaiming */
			int reclaim = r < 150;

			e = flow_table_lookup(m->t, &k->key, k->hash);
			cr_assert_eq(e, k->e);
			if (e != NULL)
				continue;
			m->victim = m->count == CAP && reclaim ? oldest_closed(m) : -1;
			if (reclaim)
				e = flow_table_add_reclaim(
						m->t, &k->key, k->hash, (int)(id & 1), m->now);
			else
				e = flow_table_add(m->t, &k->key, k->hash, (int)(id & 1), m->now);
			if (m->count == CAP) {
				cr_assert_null(e, "added beyond capacity");
				cr_assert_eq(m->victim, -1, "refused with a closed entry to take");
				continue;
			}
			cr_assert_not_null(e, "add refused below capacity (%u)", m->count);
			memcpy(flow_entry_user(e), &id, sizeof(id));
			k->e = e;
			k->deadline = expected_deadline(m,
					k->key.proto == FLOW_PROTO_TCP ? FLOW_ST_NEW
								       : FLOW_ST_OTHER,
					m->now);
			cr_assert_eq(e->deadline, k->deadline);
			m->count++;
		} else if (r < 450) { /* lookup */
			cr_assert_eq(flow_table_lookup(m->t, &k->key, k->hash), k->e);
		} else if (r < 500) { /* bulk lookup */
			struct flow_key keys[FLOW_BULK_MAX];
			uint32_t hashes[FLOW_BULK_MAX], ids[FLOW_BULK_MAX];
			struct flow_entry *out[FLOW_BULK_MAX];
			unsigned int j, n = 1 + (unsigned int)(rnd(&seed) % FLOW_BULK_MAX);

			for (j = 0; j < n; j++) {
				ids[j] = (uint32_t)(rnd(&seed) % NKEYS);
				keys[j] = m->k[ids[j]].key;
				hashes[j] = m->k[ids[j]].hash;
			}
			flow_table_lookup_bulk(m->t, keys, hashes, n, out);
			for (j = 0; j < n; j++)
				cr_assert_eq(out[j], m->k[ids[j]].e, "bulk %u", j);
		} else if (r < 600) { /* delete */
			if (k->e == NULL)
				continue;
			flow_table_del(m->t, k->e);
			cr_assert_null(flow_table_lookup(m->t, &k->key, k->hash));
			k->e = NULL;
			m->count--;
		} else if (r < 750) { /* a packet: TCP flags, or a touch */
			enum flow_state before, after;

			if ((e = k->e) == NULL)
				continue;
			before = (enum flow_state)e->state;
			if (before == FLOW_ST_OTHER || rnd(&seed) % 4 == 0) {
				flow_touch(m->t, e, m->now);
				k->deadline = expected_deadline(m, before, m->now);
			} else {
				uint8_t f = flags[rnd(&seed) % sizeof(flags)];

				after = flow_tcp_track(m->t, e, (int)(rnd(&seed) & 1), f, m->now);
				cr_assert_eq(after, e->state);
				if (after == FLOW_ST_CLOSED && before != FLOW_ST_CLOSED)
					k->closed = ++m->closes;
				if (f & FLOW_TCP_RST)
					cr_assert_eq(after, FLOW_ST_CLOSED);
				if (!(before == FLOW_ST_CLOSED && after == FLOW_ST_CLOSED))
					k->deadline = expected_deadline(m, after, m->now);
			}
			cr_assert_eq(e->deadline, k->deadline);
		} else if (r < 780) { /* the app forces a state */
			enum flow_state s = (enum flow_state)(rnd(&seed) % FLOW_ST_MAX);

			if ((e = k->e) == NULL)
				continue;
			flow_set_state(m->t, e, s, m->now);
			k->deadline = expected_deadline(m, s, m->now);
			if (s == FLOW_ST_CLOSED)
				k->closed = ++m->closes; /* closed again: the young end */
		} else if (r < 900) { /* time passes */
			uint64_t d = rnd(&seed) % 100000;

			if (d < 99900)
				m->now += rnd(&seed) % (hz / 100); /* up to 10 ms */
			else if (d < 99995)
				m->now += rnd(&seed) % (10 * hz);
			else
				m->now += rnd(&seed) %
						(5000 * hz); /* many laps: the table drains */
		} else { /* expire with a random budget */
			unsigned int budget = (unsigned int)(rnd(&seed) % 70), n;
			uint32_t before = m->count;

			m->cb_calls = 0;
			n = flow_table_expire(m->t, m->now, budget, expire_cb, m);
			cr_assert_leq(n, budget);
			cr_assert_eq(n, m->cb_calls);
			cr_assert_eq(m->count, before - n);
		}

		if (op % 997 == 0) {
			/* A budget above twice the live count: nothing due may remain. */
			m->cb_calls = 0;
			flow_table_expire(m->t, m->now, 2 * CAP + 1, expire_cb, m);
			for (i = 0; i < NKEYS; i++)
				cr_assert(m->k[i].e == NULL || m->k[i].deadline > m->now,
						"op %lu: key %u due at %llu still live at %llu", op,
						i, (unsigned long long)m->k[i].deadline,
						(unsigned long long)m->now);
		}
		if (op % 20011 == 0)
			check_all(m, op % 100003 < 20011);
	}
	check_all(m, 1);
	flow_table_stats_get(m->t, &st);
	cr_log_info("hz %llu: adds %llu dels %llu expired %llu reclaimed %llu relinked %llu full %llu",
			(unsigned long long)hz, (unsigned long long)st.adds,
			(unsigned long long)st.dels, (unsigned long long)st.expired,
			(unsigned long long)st.reclaimed, (unsigned long long)st.relinked,
			(unsigned long long)st.table_full);
	cr_assert_gt(st.expired, 10000);
	cr_assert_gt(st.dels, 10000);
	cr_assert_gt(st.table_full, 0);
	cr_assert_gt(st.reclaimed, 100);
	cr_assert_eq(st.bucket_full, 0);
	flow_table_free(m->t);
	free(m);
}

Test(flow_stress, ns_clock_short_timeouts)
{
	run(1000000000ull, (const uint32_t[FLOW_TO_MAX]){2, 40, 10, 1, 5}, 1);
}

Test(flow_stress, ns_clock_with_never)
{
	run(1000000000ull, (const uint32_t[FLOW_TO_MAX]){3, 0, 20, 1, 0}, 2);
}

Test(flow_stress, ms_clock_default_timeouts)
{
	run(1000, (const uint32_t[FLOW_TO_MAX]){30, 3600, 600, 5, 120}, 3);
}

Test(flow_stress, tsc_clock)
{
	run(2400000000ull, (const uint32_t[FLOW_TO_MAX]){4, 60, 30, 2, 8}, 4);
}
