/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Expiry under a fake clock (each timeout to the tick, touch, 0 = never, the
 * budget, draining a full table, lateness when the app sweeps every
 * millisecond) and the TCP state machine.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "flow.h"

#define SEC 1000000000ull
#define MS 1000000ull

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

static void
key_of(struct flow_key *k, uint32_t i, uint8_t proto)
{
	uint8_t a[4] = {192, 168, 0, 0}, b[4] = {10, 0, 0, 25};

	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
	flow_key_make(k, 4, a, b, (uint16_t)(30000 + (i >> 16)), 25, proto, 0);
}

static struct flow_table *
make_table(uint32_t capacity, uint64_t hz, const uint32_t *timeouts)
{
	struct flow_table_params p;
	struct flow_table *t;

	flow_table_params_default(&p);
	p.capacity = capacity;
	p.hz = hz;
	if (timeouts != NULL)
		memcpy(p.timeout_s, timeouts, sizeof(p.timeout_s));
	t = flow_table_create(&p);
	cr_assert_not_null(t, "flow_table_create: %s", strerror(errno));
	return t;
}

static struct flow_entry *
add(struct flow_table *t, uint32_t i, uint8_t proto, uint64_t now)
{
	struct flow_key k;
	struct flow_entry *e;

	key_of(&k, i, proto);
	e = flow_table_add(t, &k, flow_key_hash(&k), 0, now);
	cr_assert_not_null(e);
	return e;
}

static void
assert_consistent(const struct flow_table *t)
{
	const char *why;

	cr_assert_eq(flow_table_check(t, &why), 0, "flow_table_check: %s", why);
}

/* What the expire callback saw. */
struct seen {
	uint64_t now;
	unsigned int n;
	uint64_t late_max;
	struct flow_entry *last;
};

static void
seen_cb(struct flow_entry *e, void *arg)
{
	struct seen *s = arg;

	cr_assert(e->deadline <= s->now, "expired early: deadline %llu now %llu",
			(unsigned long long)e->deadline, (unsigned long long)s->now);
	if (s->now - e->deadline > s->late_max)
		s->late_max = s->now - e->deadline;
	s->n++;
	s->last = e;
}

static unsigned int
expire(struct flow_table *t, uint64_t now, unsigned int budget, struct seen *s)
{
	unsigned int n;

	s->now = now;
	s->n = 0;
	n = flow_table_expire(t, now, budget, seen_cb, s);
	cr_assert_eq(n, s->n, "returned %u, called back %u", n, s->n);
	cr_assert_leq(n, budget);
	return n;
}

/*
 * Brings a fresh TCP entry to `state` at t0 (by real packets), then checks it
 * survives until deadline - 1 tick and expires at the deadline, with the app
 * sweeping every `step` ticks (0: a single call at each of the two instants).
 */
static void
check_lifetime(uint64_t hz, uint64_t t0, enum flow_state state, uint32_t timeout_s, uint64_t step)
{
	struct flow_table *t = make_table(4096, hz, NULL);
	struct flow_entry *e =
			add(t, 1, state == FLOW_ST_OTHER ? FLOW_PROTO_UDP : FLOW_PROTO_TCP, t0);
	uint64_t deadline = t0 + (uint64_t)timeout_s * hz, now;
	struct seen s = {0};

	/* Background flows in other slots, so the sweep has company. */
	for (uint32_t i = 2; i < 300; i++)
		flow_tcp_track(t, add(t, i, FLOW_PROTO_TCP, t0), 0, FLOW_TCP_SYN, t0);
	if (state != FLOW_ST_NEW && state != FLOW_ST_OTHER)
		flow_tcp_track(t, e, 0, FLOW_TCP_SYN, t0);
	if (state >= FLOW_ST_ESTABLISHED && state != FLOW_ST_OTHER) {
		flow_tcp_track(t, e, 1, FLOW_TCP_SYN | FLOW_TCP_ACK, t0);
		flow_tcp_track(t, e, 0, FLOW_TCP_ACK, t0);
	}
	if (state == FLOW_ST_FIN_WAIT)
		flow_tcp_track(t, e, 0, FLOW_TCP_FIN | FLOW_TCP_ACK, t0);
	if (state == FLOW_ST_CLOSED)
		flow_tcp_track(t, e, 1, FLOW_TCP_RST, t0);
	cr_assert_eq(e->state, state, "got %s", flow_state_name((enum flow_state)e->state));
	cr_assert_eq(e->deadline, deadline);

	if (step != 0) {
		for (now = t0; now < deadline; now += step) {
			expire(t, now, 1000, &s);
			cr_assert_not_null(flow_table_lookup(t, &e->key, e->hash));
		}
	}
	expire(t, deadline - 1, 1000, &s);
	cr_assert_not_null(flow_table_lookup(t, &e->key, e->hash), "expired a tick early");
	expire(t, deadline, 1000, &s);
	cr_assert_null(flow_table_lookup(t, &e->key, e->hash), "not expired at its deadline");
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_expire, embryonic_30s)
{
	/* Not at 29 s, not a tick before 30 s, at 30 s; ns and TSC clocks, aligned or not. */
	check_lifetime(SEC, 1234567891ull, FLOW_ST_NEW, 30, SEC);
	check_lifetime(SEC, 0, FLOW_ST_SYN_SENT, 30, 0);
	check_lifetime(2500000000ull, 987654321987ull, FLOW_ST_SYN_SENT, 30, 3 * MS);
	check_lifetime(1000, 5, FLOW_ST_NEW, 30, 1);
}

Test(flow_expire, established_3600s)
{
	check_lifetime(SEC, 777777777ull, FLOW_ST_ESTABLISHED, 3600, 0);
	check_lifetime(SEC, 777777777ull, FLOW_ST_ESTABLISHED, 3600, 100 * MS);
	check_lifetime(3000000000ull, 1ull << 40, FLOW_ST_ESTABLISHED, 3600, 0);
}

Test(flow_expire, half_closed_600s)
{
	check_lifetime(SEC, 3 * SEC + 1, FLOW_ST_FIN_WAIT, 600, 0);
	check_lifetime(SEC, 3 * SEC + 1, FLOW_ST_FIN_WAIT, 600, 10 * MS);
}

Test(flow_expire, closed_5s)
{
	check_lifetime(SEC, 11 * SEC + 7, FLOW_ST_CLOSED, 5, 0);
	check_lifetime(SEC, 11 * SEC + 7, FLOW_ST_CLOSED, 5, MS);
}

Test(flow_expire, other_120s)
{
	check_lifetime(SEC, 42, FLOW_ST_OTHER, 120, 0);
	check_lifetime(SEC, 42, FLOW_ST_OTHER, 120, 250 * MS);
}

Test(flow_expire, deadline_moved_earlier)
{
	/*
	 * An established entry waits in the wheel an hour out; its RST after 100 s
	 * must bring the expiry to 105 s, not leave it to the old slot.
	 */
	struct flow_table *t = make_table(1024, SEC, NULL);
	struct flow_entry *e = add(t, 1, FLOW_PROTO_TCP, 0);
	struct seen s = {0};
	uint64_t now;

	flow_tcp_pickup(t, e, 0);
	for (now = 0; now <= 100 * SEC; now += 500 * MS)
		expire(t, now, 100, &s);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_RST, 100 * SEC), FLOW_ST_CLOSED);
	for (now = 100 * SEC; now < 105 * SEC; now += 10 * MS)
		cr_assert_eq(expire(t, now, 100, &s), 0);
	cr_assert_eq(expire(t, 105 * SEC, 100, &s), 1);
	flow_table_free(t);
}

Test(flow_expire, touch_postpones)
{
	struct flow_table *t = make_table(1024, SEC, NULL);
	struct flow_entry *e = add(t, 1, FLOW_PROTO_UDP, 0);
	struct seen s = {0};
	uint64_t now;

	/* A packet every 100 s for an hour: alive throughout, sweeping every 50 ms. */
	for (now = 0; now <= 3600 * SEC; now += 50 * MS) {
		if (now % (100 * SEC) == 0)
			flow_touch(t, e, now);
		cr_assert_eq(expire(t, now, 64, &s), 0, "expired at %llu", (unsigned long long)now);
	}
	cr_assert_eq(e->deadline, 3600 * SEC + 120 * SEC);
	cr_assert_eq(expire(t, 3720 * SEC - 1, 64, &s), 0);
	cr_assert_eq(expire(t, 3720 * SEC, 64, &s), 1);
	cr_assert_eq(s.last, e);

	/* The same without any sweep in between. */
	e = add(t, 2, FLOW_PROTO_UDP, 4000 * SEC);
	flow_touch(t, e, 4100 * SEC);
	cr_assert_eq(expire(t, 4200 * SEC, 64, &s), 0);
	cr_assert_eq(expire(t, 4220 * SEC, 64, &s), 1);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_expire, zero_timeout_never_expires)
{
	uint32_t to[FLOW_TO_MAX] = {0, 0, 0, 5, 0}; /* only CLOSING/CLOSED expire */
	struct flow_table *t = make_table(64, SEC, to);
	struct flow_entry *u = add(t, 1, FLOW_PROTO_UDP, 0);
	struct flow_entry *n = add(t, 2, FLOW_PROTO_TCP, 0);
	struct flow_entry *e = add(t, 3, FLOW_PROTO_TCP, 0);
	struct seen s = {0};
	uint64_t now;

	flow_tcp_pickup(t, e, 0);
	cr_assert_eq(u->deadline, FLOW_DEADLINE_NEVER);
	cr_assert_eq(n->deadline, FLOW_DEADLINE_NEVER);
	for (now = 0; now < 100000 * SEC; now += 997 * SEC)
		cr_assert_eq(expire(t, now, 64, &s), 0);
	cr_assert_eq(expire(t, UINT64_MAX - 1, 64, &s), 0);
	cr_assert_eq(flow_table_count(t), 3);
	assert_consistent(t);

	/* A state with a timeout again: expires by it. */
	flow_table_free(t);
	t = make_table(64, SEC, to);
	e = add(t, 3, FLOW_PROTO_TCP, 0);
	flow_tcp_pickup(t, e, 0);
	for (now = 0; now < 50 * SEC; now += SEC)
		expire(t, now, 64, &s);
	flow_tcp_track(t, e, 1, FLOW_TCP_RST, 50 * SEC);
	cr_assert_eq(expire(t, 55 * SEC - 1, 64, &s), 0);
	cr_assert_eq(expire(t, 55 * SEC, 64, &s), 1);
	flow_table_free(t);
}

Test(flow_expire, budget_bounds_each_call)
{
	struct flow_table *t = make_table(2048, SEC, NULL);
	struct seen s = {0};
	unsigned int total = 0, calls = 0, n;
	uint32_t i;

	for (i = 0; i < 1000; i++)
		add(t, i, FLOW_PROTO_TCP, (i % 10) * SEC);
	/* All due at 60 s: each call with budget 10 expires exactly 10. */
	for (;;) {
		n = expire(t, 60 * SEC, 10, &s);
		if (n == 0)
			break;
		cr_assert_eq(n, 10, "call %u expired %u", calls, n);
		total += n;
		calls++;
		cr_assert_eq(flow_table_count(t), 1000 - total);
	}
	cr_assert_eq(total, 1000);
	cr_assert_eq(calls, 100);
	cr_assert_eq(expire(t, 60 * SEC, 0, &s), 0);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_expire, full_table_drains_by_timeout_alone)
{
	struct flow_table *t = make_table(500, SEC, NULL);
	struct flow_table_stats st;
	struct seen s = {0};
	uint64_t seed = 99, now = 0;
	uint32_t i = 0;

	/* Fill it over 60 s with TCP (30 s) and UDP (120 s) flows. */
	while (flow_table_count(t) < 500) {
		now += (rnd(&seed) % 240) * MS;
		add(t, i, (i & 1) ? FLOW_PROTO_UDP : FLOW_PROTO_TCP, now);
		i++;
		expire(t, now, 16, &s);
	}
	cr_assert_null(flow_table_add(t, &(struct flow_key){.family = 4}, 0, 0, now));
	/* Then only time passes: sweep every 100 ms with a small budget. */
	while (flow_table_count(t) > 0) {
		now += 100 * MS;
		expire(t, now, 8, &s);
		cr_assert_lt(now, 1000 * SEC, "table did not drain");
	}
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.expired, st.adds);
	cr_assert_eq(st.table_full, 1);
	for (i = 0; i < 500; i++)
		add(t, 10000 + i, FLOW_PROTO_TCP, now);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_expire, sweeping_every_ms_is_never_late)
{
	/*
	 * Flows come and go for 200 s (adds, touches, state changes); the app
	 * sweeps every millisecond with a budget that suffices: no entry may
	 * outlive its deadline by more than the sweep interval.
	 */
	struct flow_table *t =
			make_table(8192, SEC, (const uint32_t[FLOW_TO_MAX]){3, 20, 10, 1, 5});
	struct flow_entry *live[8192];
	struct flow_table_stats st;
	struct seen s = {0};
	uint64_t seed = 1, now;
	uint32_t id = 0, i;

	for (now = SEC; now < 200 * SEC; now += MS) {
		for (i = 0; i < 4; i++) {
			struct flow_entry *e =
					add(t, id, id % 3 ? FLOW_PROTO_TCP : FLOW_PROTO_UDP, now);

			live[id % 8192] = e;
			id++;
			if (flow_table_count(t) > 7000)
				break;
		}
		for (i = 0; i < 8; i++) {
			struct flow_entry *e = live[rnd(&seed) % (id < 8192 ? id : 8192)];
			static const uint8_t fl[] = {FLOW_TCP_SYN, FLOW_TCP_SYN | FLOW_TCP_ACK,
					FLOW_TCP_ACK, FLOW_TCP_FIN | FLOW_TCP_ACK, FLOW_TCP_RST,
					FLOW_TCP_ACK};

			if (e == NULL || !flow_table_lookup(t, &e->key, e->hash))
				continue;
			if (e->state == FLOW_ST_OTHER)
				flow_touch(t, e, now);
			else
				flow_tcp_track(t, e, (int)(rnd(&seed) & 1),
						fl[rnd(&seed) % sizeof(fl)], now);
		}
		expire(t, now, 100000, &s);
		cr_assert_leq(s.late_max, 0, "an entry expired %llu ns late",
				(unsigned long long)s.late_max);
		if (id % 8192 < 4)
			memset(live, 0, sizeof(live));
		if (now % (10 * SEC) == 0)
			assert_consistent(t);
	}
	flow_table_stats_get(t, &st);
	cr_assert_gt(st.expired, 100000, "only %llu expired", (unsigned long long)st.expired);
	cr_assert_gt(st.relinked, 1000);
	cr_assert_gt(st.by_state[FLOW_ST_ESTABLISHED], 0);
	cr_log_info("adds %llu expired %llu relinked %llu live %u", (unsigned long long)st.adds,
			(unsigned long long)st.expired, (unsigned long long)st.relinked, st.count);
	flow_table_free(t);
}

/* An expire callback that deletes another entry and adds a new one each time. */
struct churn {
	struct flow_table *t;
	uint64_t now;
	uint32_t next_id;
	unsigned int calls, deleted;
};

static void
churn_cb(struct flow_entry *e, void *arg)
{
	struct churn *c = arg;
	struct flow_key k;
	struct flow_entry *o;

	cr_assert_leq(e->deadline, c->now);
	c->calls++;
	/* Delete the entry of the next key number, if live (it may be due too). */
	key_of(&k, c->calls * 7 % 400, FLOW_PROTO_TCP);
	o = flow_table_lookup(c->t, &k, flow_key_hash(&k));
	if (o != NULL && o != e) {
		flow_table_del(c->t, o);
		c->deleted++;
	}
	key_of(&k, c->next_id++, FLOW_PROTO_UDP);
	cr_assert_not_null(flow_table_add(c->t, &k, flow_key_hash(&k), 0, c->now));
}

Test(flow_expire, callback_may_change_the_table)
{
	struct flow_table *t = make_table(2048, SEC, NULL);
	struct churn c = {.t = t, .next_id = 1000};
	struct flow_table_stats st;
	unsigned int n, total = 0;
	uint32_t i;

	for (i = 0; i < 400; i++)
		add(t, i, FLOW_PROTO_TCP, i * 10 * MS);
	c.now = 40 * SEC;
	/* A call may spend its budget on moving entries, not expiring them: just keep calling. */
	for (i = 0; i < 200; i++) {
		n = flow_table_expire(t, c.now, 16, churn_cb, &c);
		cr_assert_leq(n, 16);
		total += n;
	}
	/* Every TCP entry went, by expiry or by the callback's deletes; the UDP ones stay. */
	cr_assert_eq(total + c.deleted, 400);
	cr_assert_eq(c.calls, total);
	cr_assert_eq(flow_table_count(t), total);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.by_state[FLOW_ST_OTHER], total);
	assert_consistent(t);
	flow_table_free(t);
}

Test(flow_expire, clock_at_the_end_of_time)
{
	struct flow_table *t = make_table(64, SEC, NULL);

	add(t, 1, FLOW_PROTO_TCP, 0);
	cr_assert_eq(flow_table_expire(t, UINT64_MAX, 64, NULL, NULL), 1);
	cr_assert_eq(flow_table_expire(t, UINT64_MAX, 64, NULL, NULL), 0);
	add(t, 2, FLOW_PROTO_UDP, UINT64_MAX - 10);
	cr_assert_eq(flow_table_expire(t, UINT64_MAX, 64, NULL, NULL), 0);
	assert_consistent(t);
	flow_table_free(t);
}

/* ---------------------------------------------------------------------- */
/* TCP state machine                                                       */

static void
assert_state(struct flow_table *t, struct flow_entry *e, enum flow_state s, uint64_t deadline)
{
	struct flow_table_stats st;

	cr_assert_eq(e->state, s, "state %s, want %s", flow_state_name((enum flow_state)e->state),
			flow_state_name(s));
	cr_assert_eq(e->deadline, deadline, "deadline %llu, want %llu",
			(unsigned long long)e->deadline, (unsigned long long)deadline);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.by_state[s], 1);
}

Test(flow_tcp, handshake_and_close)
{
	struct flow_table *t = make_table(64, SEC, NULL);
	struct flow_entry *e = add(t, 1, FLOW_PROTO_TCP, 0);

	assert_state(t, e, FLOW_ST_NEW, 30 * SEC);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_SYN, 1 * SEC), FLOW_ST_SYN_SENT);
	assert_state(t, e, FLOW_ST_SYN_SENT, 31 * SEC);
	cr_assert_eq(e->init_dir, 0);
	/* A retransmitted SYN stays and refreshes. */
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_SYN, 2 * SEC), FLOW_ST_SYN_SENT);
	assert_state(t, e, FLOW_ST_SYN_SENT, 32 * SEC);
	/* An ACK from the initiator before the SYN-ACK changes nothing. */
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 2 * SEC), FLOW_ST_SYN_SENT);
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_SYN | FLOW_TCP_ACK, 3 * SEC),
			FLOW_ST_SYN_RCVD);
	assert_state(t, e, FLOW_ST_SYN_RCVD, 33 * SEC);
	/* The responder's own ACK does not complete the handshake. */
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_ACK, 3 * SEC), FLOW_ST_SYN_RCVD);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 4 * SEC), FLOW_ST_ESTABLISHED);
	assert_state(t, e, FLOW_ST_ESTABLISHED, 3604 * SEC);
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_ACK | FLOW_TCP_PSH, 5 * SEC),
			FLOW_ST_ESTABLISHED);
	assert_state(t, e, FLOW_ST_ESTABLISHED, 3605 * SEC);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_FIN | FLOW_TCP_ACK, 6 * SEC),
			FLOW_ST_FIN_WAIT);
	assert_state(t, e, FLOW_ST_FIN_WAIT, 606 * SEC);
	cr_assert_eq(e->fin_seen, 1);
	/* Data and ACKs from the other side: still half-closed. */
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_ACK, 7 * SEC), FLOW_ST_FIN_WAIT);
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_FIN | FLOW_TCP_ACK, 8 * SEC),
			FLOW_ST_CLOSING);
	assert_state(t, e, FLOW_ST_CLOSING, 13 * SEC);
	cr_assert_eq(e->fin_seen, 3);
	/* The second FIN's own sender ACKing does not close; the other side's final ACK does. */
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_ACK, 9 * SEC), FLOW_ST_CLOSING);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 10 * SEC), FLOW_ST_CLOSED);
	assert_state(t, e, FLOW_ST_CLOSED, 15 * SEC);
	/* Packets after the close do not extend the linger, and a SYN does not reopen. */
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 12 * SEC), FLOW_ST_CLOSED);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_SYN, 13 * SEC), FLOW_ST_CLOSED);
	assert_state(t, e, FLOW_ST_CLOSED, 15 * SEC);
	cr_assert_eq(flow_table_expire(t, 15 * SEC, 8, NULL, NULL), 1);
	flow_table_free(t);
}

Test(flow_tcp, rst_from_every_state)
{
	static const enum flow_state from[] = {FLOW_ST_NEW, FLOW_ST_SYN_SENT, FLOW_ST_SYN_RCVD,
			FLOW_ST_ESTABLISHED, FLOW_ST_FIN_WAIT, FLOW_ST_CLOSING, FLOW_ST_CLOSED};
	struct flow_table *t = make_table(64, SEC, NULL);
	size_t i;

	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		struct flow_entry *e = add(t, (uint32_t)i, FLOW_PROTO_TCP, 0);

		flow_set_state(t, e, from[i], 0);
		cr_assert_eq(e->state, from[i]);
		cr_assert_eq(flow_tcp_track(t, e, (int)(i & 1), FLOW_TCP_RST | FLOW_TCP_ACK, SEC),
				FLOW_ST_CLOSED);
		cr_assert_eq(e->deadline, from[i] == FLOW_ST_CLOSED ? 5 * SEC : 6 * SEC);
		flow_table_del(t, e);
	}
	flow_table_free(t);
}

Test(flow_tcp, missed_syn_and_simultaneous_open)
{
	struct flow_table *t = make_table(64, SEC, NULL);
	struct flow_entry *e = add(t, 1, FLOW_PROTO_TCP, 0);

	/* First packet seen is the SYN-ACK from direction 1: the initiator is direction 0. */
	e->init_dir = 1;
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_SYN | FLOW_TCP_ACK, 0), FLOW_ST_SYN_RCVD);
	cr_assert_eq(e->init_dir, 0);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 0), FLOW_ST_ESTABLISHED);

	/* Initiator in direction 1. */
	e = add(t, 2, FLOW_PROTO_TCP, 0);
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_SYN, 0), FLOW_ST_SYN_SENT);
	cr_assert_eq(e->init_dir, 1);
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_SYN | FLOW_TCP_ACK, 0), FLOW_ST_SYN_SENT);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_SYN | FLOW_TCP_ACK, 0), FLOW_ST_SYN_RCVD);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 0), FLOW_ST_SYN_RCVD);
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_ACK, 0), FLOW_ST_ESTABLISHED);

	/* Simultaneous open: SYN both ways. */
	e = add(t, 3, FLOW_PROTO_TCP, 0);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_SYN, 0), FLOW_ST_SYN_SENT);
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_SYN, 0), FLOW_ST_SYN_RCVD);

	/* ACK+FIN completing the handshake: established, then half-closed. */
	e = add(t, 4, FLOW_PROTO_TCP, 0);
	flow_tcp_track(t, e, 0, FLOW_TCP_SYN, 0);
	flow_tcp_track(t, e, 1, FLOW_TCP_SYN | FLOW_TCP_ACK, 0);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK | FLOW_TCP_FIN, 0), FLOW_ST_FIN_WAIT);
	/* Simultaneous close: FINs cross, either final ACK closes. */
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_ACK | FLOW_TCP_FIN, 0), FLOW_ST_CLOSING);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK | FLOW_TCP_FIN, 0), FLOW_ST_CLOSING);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_ACK, 0), FLOW_ST_CLOSED);
	flow_table_free(t);
}

Test(flow_tcp, midstream_pickup)
{
	struct flow_table *t = make_table(64, SEC, NULL);
	struct flow_entry *e = add(t, 1, FLOW_PROTO_TCP, 0);
	struct flow_table_stats st;

	/* Data without a SYN: stays NEW (embryonic) until the caller picks it up. */
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_ACK | FLOW_TCP_PSH, SEC), FLOW_ST_NEW);
	cr_assert_eq(e->deadline, 31 * SEC);
	/* A stray FIN is recorded but buys no half-closed timeout. */
	cr_assert_eq(flow_tcp_track(t, e, 1, FLOW_TCP_FIN | FLOW_TCP_ACK, SEC), FLOW_ST_NEW);
	cr_assert_eq(e->fin_seen, 2);
	cr_assert_eq(flow_tcp_pickup(t, e, 2 * SEC), FLOW_ST_ESTABLISHED);
	cr_assert_eq(e->deadline, 3602 * SEC);
	flow_table_stats_get(t, &st);
	cr_assert_eq(st.by_state[FLOW_ST_ESTABLISHED], 1);
	cr_assert_eq(st.by_state[FLOW_ST_NEW], 0);
	/* Pickup leaves later states alone. */
	flow_tcp_track(t, e, 0, FLOW_TCP_FIN, 3 * SEC);
	cr_assert_eq(e->state, FLOW_ST_CLOSING);
	cr_assert_eq(flow_tcp_pickup(t, e, 4 * SEC), FLOW_ST_CLOSING);
	flow_table_free(t);
}

Test(flow_tcp, non_tcp_is_only_touched)
{
	struct flow_table *t = make_table(64, SEC, NULL);
	struct flow_entry *e = add(t, 1, FLOW_PROTO_UDP, 0);

	cr_assert_eq(e->state, FLOW_ST_OTHER);
	cr_assert_eq(flow_tcp_track(t, e, 0, FLOW_TCP_RST, 10 * SEC), FLOW_ST_OTHER);
	cr_assert_eq(e->deadline, 130 * SEC);
	flow_set_state(t, e, FLOW_ST_MAX, 0); /* ignored */
	cr_assert_eq(e->state, FLOW_ST_OTHER);
	flow_table_free(t);
}

Test(flow_tcp, names)
{
	cr_assert_str_eq(flow_state_name(FLOW_ST_NEW), "new");
	cr_assert_str_eq(flow_state_name(FLOW_ST_ESTABLISHED), "established");
	cr_assert_str_eq(flow_state_name(FLOW_ST_OTHER), "other");
	cr_assert_str_eq(flow_state_name(FLOW_ST_MAX), "invalid");
	cr_assert_eq(flow_state_timeout(FLOW_ST_SYN_RCVD), FLOW_TO_EMBRYONIC);
	cr_assert_eq(flow_state_timeout(FLOW_ST_FIN_WAIT), FLOW_TO_HALF_CLOSED);
	cr_assert_eq(flow_state_timeout(FLOW_ST_CLOSING), FLOW_TO_CLOSED);
}
