/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/admit: every limit (ASA conn-max, embryonic-conn-max, per-client-max,
 * per-client-embryonic-max, static max_conns and em_limit), every IOS
 * threshold (max-incomplete high/low, one-minute high/low, max-incomplete
 * host with and without block-time), the aggressive-mode transitions, the
 * intercept decisions and every release. One worker, a fake clock.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "admit.h"

#define NCONN 64
#define MIN_NS (60ull * 1000000000u)

static struct admit *a;
static struct admit_worker aw;
static struct admit_counters cnt;
static struct admit_conn conns[NCONN];
static struct admit_conn *deleted[NCONN];
static unsigned int n_deleted;

/* What the app does with a deleted half-open connection: its units go
 * back to the generation that admitted it, the connection is dropped. */
static void
on_delete(void *arg, struct admit_conn *c)
{
	cr_assert_eq(arg, &aw);
	admit_release(a, c, ADMIT_U_ALL);
	deleted[n_deleted++] = c;
}

static void
setup_with(uint32_t n_classes, uint32_t n_statics, const struct admit_ios *ios)
{
	struct admit_params p = {
			.n_classes = n_classes,
			.n_statics = n_statics,
			.client_cells = ADMIT_CLIENT_CELLS,
	};
	unsigned int i;

	if (ios != NULL)
		p.ios = *ios;
	a = admit_create(&p);
	cr_assert_not_null(a);
	memset(&aw, 0, sizeof(aw));
	memset(&cnt, 0, sizeof(cnt));
	admit_worker_init(&aw, &cnt, on_delete, &aw);
	for (i = 0; i < NCONN; i++)
		admit_conn_init(&conns[i]);
	n_deleted = 0;
}

static void
teardown_admit(void)
{
	admit_free(a);
	a = NULL;
}

static const uint8_t client1[4] = {10, 0, 0, 1}, client2[4] = {10, 0, 0, 2};
static const uint8_t server1[4] = {192, 0, 2, 25}, server2[4] = {192, 0, 2, 26};

static struct admit_req
req(const struct admit_class *cl, const struct admit_static *st, const uint8_t *src,
		const uint8_t *dst)
{
	return (struct admit_req){
			.cls = cl,
			.stat = st,
			.addr_len = 4,
			.src = src,
			.dst = dst,
	};
}

static enum admit_verdict
try_conn(unsigned int i, const struct admit_req *r, struct admit_result *res)
{
	struct admit_result dummy;

	return admit_new(a, &aw, &conns[i], r, res != NULL ? res : &dummy);
}

/* ------------------------------------------------------------------ */
/* ASA class limits                                                     */

Test(admit_class, conn_max_admits_exactly_then_refuses_and_release_makes_room)
{
	struct admit_class cl = {.id = 1, .limits = {[ADMIT_CONN_MAX] = 3}};
	struct admit_req r = req(&cl, NULL, client1, server1);
	struct admit_result res;
	unsigned int i;

	setup_with(2, 0, NULL);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(try_conn(i, &r, NULL), ADMIT_OK);
		cr_assert_eq(conns[i].lim, ADMIT_U_CLASS, "holds the class unit only");
		cr_assert_eq(conns[i].class_id, 1);
	}
	cr_assert_eq(admit_count_class(a, 1, false), 3);
	cr_assert_eq(try_conn(3, &r, &res), ADMIT_REFUSE);
	cr_assert_eq(res.which, ADMIT_CONN_MAX);
	cr_assert_eq(res.count, 3, "the count it saw");
	cr_assert_eq(res.limit, 3);
	cr_assert_eq(conns[3].lim, 0, "a refused connection holds nothing");
	cr_assert_eq(cnt.limit_drop, 1);
	cr_assert_eq(cnt.limit_static_drop, 0);
	cr_assert_eq(admit_count_class(a, 0, false), 0, "other classes untouched");

	admit_release(a, &conns[0], ADMIT_U_ALL);
	cr_assert_eq(conns[0].lim, 0);
	cr_assert_eq(admit_count_class(a, 1, false), 2);
	cr_assert_eq(try_conn(3, &r, NULL), ADMIT_OK, "a release makes room");
	teardown_admit();
}

Test(admit_class, unlimited_takes_no_unit)
{
	struct admit_class cl = {.id = 0};
	struct admit_req r = req(&cl, NULL, client1, server1);
	unsigned int i;

	setup_with(1, 0, NULL);
	for (i = 0; i < NCONN; i++)
		cr_assert_eq(try_conn(i, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[0].lim, 0);
	cr_assert_eq(admit_count_class(a, 0, false), 0);
	cr_assert_eq(admit_count_class(a, 0, true), 0);
	teardown_admit();
}

Test(admit_class, embryonic_conn_max_intercepts_or_refuses)
{
	struct admit_class cl = {
			.id = 0, .intercept = true, .limits = {[ADMIT_EMBRYONIC_CONN_MAX] = 2}};
	struct admit_req r = req(&cl, NULL, client1, server1);
	struct admit_result res;

	setup_with(1, 0, NULL);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[1].lim, ADMIT_U_CLASS_EMB);
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_INTERCEPT, "a class that intercepts");
	cr_assert_eq(res.which, ADMIT_EMBRYONIC_CONN_MAX);
	cr_assert_eq(res.count, 2);
	cr_assert_eq(res.limit, 2);
	cr_assert_eq(cnt.limit_drop, 0, "an intercepted SYN is not a refusal");

	cl.intercept = false;
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_REFUSE, "a class that drops");
	cr_assert_eq(res.which, ADMIT_EMBRYONIC_CONN_MAX);
	cr_assert_eq(cnt.limit_drop, 1);

	/* Established: the embryonic unit goes back, the slot is free again. */
	cr_assert_eq(admit_settle_units(&conns[0], true, false), ADMIT_U_CLASS_EMB);
	admit_release(a, &conns[0], admit_settle_units(&conns[0], true, false));
	cr_assert_eq(conns[0].lim, 0);
	cr_assert_eq(admit_count_class(a, 0, true), 1);
	cr_assert_eq(try_conn(2, &r, NULL), ADMIT_OK);
	teardown_admit();
}

Test(admit_class, embryonic_at_or_over_conn_limit_is_capped_at_half)
{
	/* REFERENCE.md §0's `tcp 50 100`: embryonic 100 beside conn-max 50. */
	struct admit_class cl = {.id = 0,
			.intercept = true,
			.limits = {[ADMIT_CONN_MAX] = 4, [ADMIT_EMBRYONIC_CONN_MAX] = 8}};
	struct admit_req r = req(&cl, NULL, client1, server1);
	struct admit_result res;

	setup_with(1, 0, NULL);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[1].lim, ADMIT_U_CLASS | ADMIT_U_CLASS_EMB);
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_INTERCEPT, "enforced at 4 / 2");
	cr_assert_eq(res.limit, 8, "the audit line shows the configured limit");
	cr_assert_eq(res.count, 2);
	cr_assert_eq(admit_count_class(a, 0, false), 2, "the refused one gave its unit back");

	cr_assert_eq(admit_emb_cap(0, 50), 0, "unlimited stays unlimited");
	cr_assert_eq(admit_emb_cap(100, 0), 100, "no connection limit: as configured");
	cr_assert_eq(admit_emb_cap(49, 50), 49, "below the connection limit: as configured");
	cr_assert_eq(admit_emb_cap(50, 50), 25);
	cr_assert_eq(admit_emb_cap(100, 50), 25);
	cr_assert_eq(admit_emb_cap(5, 1), 1, "never 0 (that would be unlimited)");
	teardown_admit();
}

Test(admit_class, per_client_max_counts_each_client_apart)
{
	struct admit_class cl = {.id = 0, .limits = {[ADMIT_PER_CLIENT_MAX] = 2}};
	struct admit_req r1 = req(&cl, NULL, client1, server1);
	struct admit_req r2 = req(&cl, NULL, client2, server1);
	struct admit_result res;

	setup_with(1, 0, NULL);
	cr_assert_eq(try_conn(0, &r1, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r1, NULL), ADMIT_OK);
	cr_assert_eq(conns[1].lim, ADMIT_U_CLIENT);
	cr_assert_eq(admit_count_client(a, &conns[1], false), 2);
	cr_assert_eq(try_conn(2, &r1, &res), ADMIT_REFUSE);
	cr_assert_eq(res.which, ADMIT_PER_CLIENT_MAX);
	cr_assert_eq(res.limit, 2);
	cr_assert_eq(try_conn(3, &r2, NULL), ADMIT_OK, "another client has its own count");
	cr_assert_eq(cnt.limit_drop, 1);
	admit_release(a, &conns[0], ADMIT_U_ALL);
	cr_assert_eq(try_conn(2, &r1, NULL), ADMIT_OK);
	teardown_admit();
}

Test(admit_class, per_client_embryonic_max_intercepts_and_settles)
{
	struct admit_class cl = {.id = 0,
			.intercept = true,
			.limits = {[ADMIT_PER_CLIENT_EMBRYONIC_MAX] = 1}};
	struct admit_req r1 = req(&cl, NULL, client1, server1);
	struct admit_req r2 = req(&cl, NULL, client2, server1);
	struct admit_result res;

	setup_with(1, 0, NULL);
	cr_assert_eq(try_conn(0, &r1, NULL), ADMIT_OK);
	cr_assert_eq(conns[0].lim, ADMIT_U_CLIENT_EMB);
	cr_assert_eq(try_conn(1, &r1, &res), ADMIT_INTERCEPT);
	cr_assert_eq(res.which, ADMIT_PER_CLIENT_EMBRYONIC_MAX);
	cr_assert_eq(try_conn(2, &r2, NULL), ADMIT_OK, "another client is not held back");
	cl.intercept = false;
	cr_assert_eq(try_conn(1, &r1, &res), ADMIT_REFUSE);
	cr_assert_eq(cnt.limit_drop, 1);
	/* Closed before it was established: everything goes. */
	cr_assert_eq(admit_settle_units(&conns[0], false, true), ADMIT_U_CLIENT_EMB);
	cr_assert_eq(admit_settle_units(&conns[0], false, false), 0, "embryonic: nothing yet");
	admit_release(a, &conns[0], admit_settle_units(&conns[0], false, true));
	cr_assert_eq(try_conn(1, &r1, NULL), ADMIT_OK);
	teardown_admit();
}

Test(admit_class, validated_client_skips_embryonic_limits_only)
{
	struct admit_class cl = {.id = 0,
			.intercept = true,
			.limits = {[ADMIT_CONN_MAX] = 2, [ADMIT_EMBRYONIC_CONN_MAX] = 1}};
	struct admit_req r = req(&cl, NULL, client1, server1);
	struct admit_result res;

	setup_with(1, 0, NULL);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_INTERCEPT);
	r.validated = true;
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK, "its cookie came back");
	cr_assert_eq(conns[1].lim, ADMIT_U_CLASS, "no embryonic unit");
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_REFUSE, "conn-max still applies");
	cr_assert_eq(res.which, ADMIT_CONN_MAX);
	teardown_admit();
}

Test(admit_class, refusal_gives_back_units_taken_before_it)
{
	struct admit_class cl = {
			.id = 0, .limits = {[ADMIT_CONN_MAX] = 10, [ADMIT_PER_CLIENT_MAX] = 1}};
	struct admit_req r = req(&cl, NULL, client1, server1);

	setup_with(1, 0, NULL);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(admit_count_class(a, 0, false), 1);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_REFUSE);
	cr_assert_eq(admit_count_class(a, 0, false), 1, "the class unit it took went back");
	cr_assert_eq(conns[1].lim, 0);
	teardown_admit();
}

/* ------------------------------------------------------------------ */
/* Legacy statics                                                       */

Test(admit_static, max_conns_refuses_and_counts_as_static)
{
	struct admit_static st = {.id = 1, .max_conns = 2};
	struct admit_req r = req(NULL, &st, client1, server1);
	struct admit_result res;

	setup_with(0, 2, NULL);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[0].stat, 1);
	cr_assert_eq(conns[0].class_id, ADMIT_NO_CLASS);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK);
	cr_assert_eq(admit_count_static(a, 1, false), 2);
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_REFUSE);
	cr_assert_eq(res.which, ADMIT_W_STATIC);
	cr_assert_eq(res.count, 2);
	cr_assert_eq(res.limit, 2);
	cr_assert_eq(cnt.limit_drop, 1);
	cr_assert_eq(cnt.limit_static_drop, 1);
	admit_release(a, &conns[1], ADMIT_U_ALL);
	cr_assert_eq(admit_count_static(a, 1, false), 1);
	teardown_admit();
}

Test(admit_static, em_limit_always_intercepts)
{
	struct admit_static st = {.id = 0, .em_limit = 1};
	struct admit_req r = req(NULL, &st, client1, server1);
	struct admit_result res;

	setup_with(0, 1, NULL);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[0].lim, ADMIT_U_STATIC_EMB);
	cr_assert_eq(try_conn(1, &r, &res), ADMIT_INTERCEPT, "ASA proxies statics' embryonic");
	cr_assert_eq(res.which, ADMIT_W_STATIC_EMB);
	cr_assert_eq(cnt.limit_drop + cnt.limit_static_drop, 0);
	admit_release(a, &conns[0], admit_settle_units(&conns[0], true, false));
	cr_assert_eq(admit_count_static(a, 0, true), 0);
	teardown_admit();
}

Test(admit_static, lower_of_class_and_static_wins)
{
	struct admit_class cl = {.id = 0, .limits = {[ADMIT_CONN_MAX] = 5}};
	struct admit_static st = {.id = 0, .max_conns = 2};
	struct admit_req r = req(&cl, &st, client1, server1);
	struct admit_result res;

	setup_with(1, 1, NULL);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[1].lim, ADMIT_U_CLASS | ADMIT_U_STATIC);
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_REFUSE);
	cr_assert_eq(res.which, ADMIT_W_STATIC, "the static's 2 is the lower");
	cr_assert_eq(admit_count_class(a, 0, false), 2, "its class unit went back");
	st.max_conns = 10;
	cl.limits[ADMIT_CONN_MAX] = 2;
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_REFUSE);
	cr_assert_eq(res.which, ADMIT_CONN_MAX, "now the class's 2 is");
	cr_assert_eq(cnt.limit_static_drop, 1);
	cr_assert_eq(cnt.limit_drop, 2);
	teardown_admit();
}

/* ------------------------------------------------------------------ */
/* Intercept decisions                                                  */

Test(admit_intercept, may_intercept)
{
	struct admit_class cl = {.id = 0, .intercept = true};
	struct admit_static st = {.id = 0, .max_conns = 5};
	struct admit_ios ios = {.configured = true, .intercept = true};
	struct admit_req r = req(&cl, NULL, client1, server1);

	setup_with(1, 1, NULL);
	cr_assert_not(admit_may_intercept(a, &r), "no embryonic limit: never a cookie");
	cl.limits[ADMIT_EMBRYONIC_CONN_MAX] = 3;
	cr_assert(admit_may_intercept(a, &r));
	cl.limits[ADMIT_EMBRYONIC_CONN_MAX] = 0;
	cl.limits[ADMIT_PER_CLIENT_EMBRYONIC_MAX] = 3;
	cr_assert(admit_may_intercept(a, &r));
	cl.intercept = false;
	cr_assert_not(admit_may_intercept(a, &r), "a class that drops");
	r.stat = &st;
	cr_assert_not(admit_may_intercept(a, &r), "a static without em_limit");
	st.em_limit = 1;
	cr_assert(admit_may_intercept(a, &r));
	r.stat = NULL;
	r.ios = true;
	cr_assert_not(admit_may_intercept(a, &r), "IOS without intercept");
	teardown_admit();

	setup_with(1, 1, &ios);
	cr_assert(admit_may_intercept(a, &r), "IOS binding with intercept: true");
	r.ios = false;
	cr_assert_not(admit_may_intercept(a, &r), "not an IOS binding");
	teardown_admit();
}

/* ------------------------------------------------------------------ */
/* IOS thresholds                                                       */

static struct admit_req
ios_req(const uint8_t *dst, uint64_t now)
{
	struct admit_req r = req(NULL, NULL, client1, dst);

	r.ios = true;
	r.now_ns = now;
	return r;
}

Test(admit_ios, not_configured_or_not_a_binding_holds_nothing)
{
	struct admit_ios ios = {.configured = false, .max_incomplete_high = 1};
	struct admit_req r = ios_req(server1, 0);

	setup_with(0, 0, &ios);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[1].lim, 0);
	teardown_admit();

	ios.configured = true;
	setup_with(0, 0, &ios);
	r.ios = false;
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[0].lim, 0, "IOS thresholds only for ip inspect bindings");
	r.ios = true;
	r.validated = true;
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[1].lim, 0, "nor for validated clients");
	teardown_admit();
}

Test(admit_ios, max_incomplete_high_turns_aggressive_and_deletes_oldest)
{
	struct admit_ios ios = {
			.configured = true, .max_incomplete_high = 3, .max_incomplete_low = 1};
	struct admit_req r = ios_req(server1, 0);
	unsigned int i;

	setup_with(0, 0, &ios);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(try_conn(i, &r, NULL), ADMIT_OK);
		cr_assert_eq(conns[i].lim, ADMIT_U_IOS_EMB);
		cr_assert_neq(conns[i].ho_seq, 0, "remembered as half-open");
	}
	cr_assert_not(admit_ios_aggressive(a));
	cr_assert_eq(admit_count_ios(a), 3);

	/* The 4th is over high: aggressive, and the oldest half-open goes. */
	cr_assert_eq(try_conn(3, &r, NULL), ADMIT_OK);
	cr_assert(admit_ios_aggressive(a));
	cr_assert_eq(cnt.ios_aggressive_on, 1);
	cr_assert_eq(n_deleted, 1);
	cr_assert_eq(deleted[0], &conns[0], "the oldest");
	cr_assert_eq(conns[0].lim, 0, "its units went back");
	cr_assert_eq(conns[0].ho_seq, 0);
	cr_assert_eq(cnt.ios_deleted, 1);
	cr_assert_eq(admit_count_ios(a), 3);

	/* Still aggressive: each newcomer deletes the next oldest. */
	cr_assert_eq(try_conn(4, &r, NULL), ADMIT_OK);
	cr_assert_eq(deleted[1], &conns[1]);
	cr_assert_eq(cnt.ios_aggressive_on, 1, "entered once");

	/* An established connection is no longer half-open: not deleted. */
	admit_release(a, &conns[2], admit_settle_units(&conns[2], true, false));
	cr_assert_eq(try_conn(5, &r, NULL), ADMIT_OK);
	cr_assert_eq(deleted[2], &conns[3], "conns[2] grew up: skipped");

	/* A release that leaves the count over low: still aggressive (the
	 * deletions above released at 3). Down to low: aggressive mode ends. */
	cr_assert_eq(admit_count_ios(a), 2);
	admit_release(a, &conns[4], ADMIT_U_ALL);
	cr_assert_eq(admit_count_ios(a), 1);
	cr_assert_not(admit_ios_aggressive(a), "at low: calm again");
	cr_assert_eq(try_conn(6, &r, NULL), ADMIT_OK);
	cr_assert_eq(n_deleted, 3, "nothing deleted once calm");
	teardown_admit();
}

Test(admit_ios, aggressive_with_nothing_to_delete_refuses)
{
	struct admit_ios ios = {
			.configured = true, .max_incomplete_high = 1, .max_incomplete_low = 0};
	struct admit_req r = ios_req(server1, 0);
	struct admit_result res;

	setup_with(0, 0, &ios);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	/* The only half-open one grows up: nothing of this worker to delete. */
	admit_release(a, &conns[0], ADMIT_U_EMB_ALL);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK, "1 half-open: not over high");
	admit_release(a, &conns[1], ADMIT_U_EMB_ALL);
	cr_assert_eq(try_conn(2, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(3, &r, NULL), ADMIT_OK, "over high: deletes conns[2]");
	cr_assert_eq(deleted[0], &conns[2]);
	cr_assert(admit_ios_aggressive(a));
	admit_release(a, &conns[3], ADMIT_U_EMB_ALL);
	cr_assert_not(admit_ios_aggressive(a), "0 is at low");
	cr_assert_eq(try_conn(4, &r, NULL), ADMIT_OK);
	/* Aggressive again, and conns[4] is the only half-open: deleted. Then
	 * the next finds nothing at all. */
	cr_assert_eq(try_conn(5, &r, NULL), ADMIT_OK);
	cr_assert_eq(deleted[1], &conns[4]);
	admit_release(a, &conns[5], ADMIT_U_EMB_ALL); /* grew up; count 0, calm */
	cr_assert_eq(try_conn(6, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(7, &r, NULL), ADMIT_OK); /* deletes conns[6] */
	conns[7].ho_seq = 0; /* forgotten by the ring (as if it had wrapped) */
	cr_assert_eq(try_conn(8, &r, &res), ADMIT_REFUSE, "aggressive, none to delete");
	cr_assert_eq(res.which, ADMIT_W_IOS);
	cr_assert_eq(cnt.ios_aggressive_drop, 1);
	cr_assert_eq(cnt.limit_drop, 1);
	cr_assert_eq(conns[8].lim, 0, "a refused one holds nothing");
	teardown_admit();
}

Test(admit_ios, max_incomplete_with_intercept_answers_with_cookies)
{
	struct admit_ios ios = {.configured = true,
			.intercept = true,
			.max_incomplete_high = 2,
			.max_incomplete_low = 1};
	struct admit_req r = ios_req(server1, 0);
	struct admit_result res;

	setup_with(0, 0, &ios);
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(2, &r, &res), ADMIT_INTERCEPT);
	cr_assert_eq(res.which, ADMIT_W_IOS);
	cr_assert_eq(n_deleted, 0, "the half-open sessions stay");
	cr_assert_eq(conns[2].lim, 0);
	cr_assert_eq(admit_count_ios(a), 2);
	cr_assert_eq(cnt.limit_drop, 0);
	cr_assert_eq(try_conn(2, &r, NULL), ADMIT_INTERCEPT, "aggressive until low");
	admit_release(a, &conns[0], ADMIT_U_ALL);
	cr_assert_not(admit_ios_aggressive(a));
	cr_assert_eq(try_conn(2, &r, NULL), ADMIT_OK);
	teardown_admit();
}

Test(admit_ios, one_minute_high_low)
{
	struct admit_ios ios = {.configured = true, .one_minute_high = 3, .one_minute_low = 2};
	struct admit_req r;
	uint64_t t = 10 * MIN_NS;
	unsigned int i, k = 0;

	setup_with(0, 0, &ios);
	/* Minute 10: 3 new half-open, at high: calm. */
	r = ios_req(server1, t);
	for (i = 0; i < 3; i++)
		cr_assert_eq(try_conn(k++, &r, NULL), ADMIT_OK);
	cr_assert_not(admit_ios_aggressive(a));
	/* The 4th in the same minute: over high, aggressive (the oldest goes). */
	cr_assert_eq(try_conn(k++, &r, NULL), ADMIT_OK);
	cr_assert(admit_ios_aggressive(a));
	cr_assert_eq(cnt.ios_aggressive_on, 1);
	cr_assert_eq(n_deleted, 1);

	/* Minute 11 after a minute of 4 (not under low): still aggressive. */
	r = ios_req(server1, t + MIN_NS);
	cr_assert_eq(try_conn(k++, &r, NULL), ADMIT_OK);
	cr_assert(admit_ios_aggressive(a));
	cr_assert_eq(n_deleted, 2);
	/* Minute 12 after a minute of 1 (under low): calm. */
	r = ios_req(server1, t + 2 * MIN_NS);
	cr_assert_eq(try_conn(k++, &r, NULL), ADMIT_OK);
	cr_assert_not(admit_ios_aggressive(a));
	cr_assert_eq(n_deleted, 2);

	/* Over high again, then a minute skipped entirely: calm. */
	for (i = 0; i < 3; i++)
		cr_assert_eq(try_conn(k++, &r, NULL), ADMIT_OK);
	cr_assert(admit_ios_aggressive(a));
	cr_assert_eq(cnt.ios_aggressive_on, 2);
	r = ios_req(server1, t + 4 * MIN_NS);
	cr_assert_eq(try_conn(k++, &r, NULL), ADMIT_OK);
	cr_assert_not(admit_ios_aggressive(a), "no new half-open for a whole minute");
	teardown_admit();
}

Test(admit_ios, host_max_incomplete_block_time_zero_deletes_oldest_to_host)
{
	struct admit_ios ios = {.configured = true, .host_max_incomplete = 2};
	struct admit_req r1 = ios_req(server1, 0), r2 = ios_req(server2, 0);

	setup_with(0, 0, &ios);
	cr_assert_eq(try_conn(0, &r2, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r1, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(2, &r1, NULL), ADMIT_OK);
	cr_assert_eq(conns[2].lim, ADMIT_U_IOS_EMB | ADMIT_U_IOS_HOST);
	cr_assert_eq(admit_count_host(a, &conns[2]), 2);
	cr_assert_eq(try_conn(3, &r1, NULL), ADMIT_OK, "over the host limit: its oldest goes");
	cr_assert_eq(n_deleted, 1);
	cr_assert_eq(deleted[0], &conns[1], "the oldest to that host, not conns[0]");
	cr_assert_eq(admit_count_host(a, &conns[3]), 2);
	cr_assert_eq(cnt.ios_deleted, 1);
	cr_assert_eq(cnt.ios_host_drop, 0);
	/* Established ones are not half-open: none to delete, refused. */
	admit_release(a, &conns[2], ADMIT_U_EMB_ALL);
	admit_release(a, &conns[3], ADMIT_U_EMB_ALL);
	cr_assert_eq(try_conn(4, &r1, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(5, &r1, NULL), ADMIT_OK);
	conns[4].ho_seq = conns[5].ho_seq = 0; /* forgotten by the ring */
	cr_assert_eq(try_conn(6, &r1, NULL), ADMIT_REFUSE);
	cr_assert_eq(cnt.ios_host_drop, 1);
	cr_assert_eq(cnt.limit_drop, 1);
	cr_assert_eq(admit_count_ios(a), 3, "its global unit went back");
	teardown_admit();
}

Test(admit_ios, host_max_incomplete_block_time_blocks_the_host)
{
	struct admit_ios ios = {.configured = true, .host_max_incomplete = 2, .host_block_time = 2};
	struct admit_req r1 = ios_req(server1, MIN_NS), r2 = ios_req(server2, MIN_NS);
	struct admit_result res;

	setup_with(0, 0, &ios);
	cr_assert_eq(try_conn(0, &r1, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r2, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(2, &r1, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(3, &r1, &res), ADMIT_REFUSE, "over: refused");
	cr_assert_eq(res.which, ADMIT_W_IOS);
	cr_assert_eq(n_deleted, 2, "every half-open one to the host went");
	cr_assert_eq(deleted[0], &conns[0]);
	cr_assert_eq(deleted[1], &conns[2]);
	cr_assert_eq(cnt.ios_host_drop, 1);
	cr_assert_eq(cnt.ios_deleted, 2);

	/* Blocked for 2 minutes, other hosts not. */
	r1.now_ns = 3 * MIN_NS - 1;
	cr_assert_eq(try_conn(3, &r1, NULL), ADMIT_REFUSE);
	cr_assert_eq(cnt.ios_host_blocked, 1);
	cr_assert_eq(conns[3].lim, 0);
	r2.now_ns = 2 * MIN_NS;
	cr_assert_eq(try_conn(4, &r2, NULL), ADMIT_OK);
	r1.now_ns = 3 * MIN_NS;
	cr_assert_eq(try_conn(3, &r1, NULL), ADMIT_OK, "block-time over");
	cr_assert_eq(cnt.limit_drop, 2);
	teardown_admit();
}

Test(admit_ios, host_max_incomplete_with_intercept)
{
	struct admit_ios ios = {.configured = true,
			.intercept = true,
			.host_max_incomplete = 1,
			.host_block_time = 5};
	struct admit_req r1 = ios_req(server1, 0);

	setup_with(0, 0, &ios);
	cr_assert_eq(try_conn(0, &r1, NULL), ADMIT_OK);
	cr_assert_eq(try_conn(1, &r1, NULL), ADMIT_INTERCEPT);
	cr_assert_eq(n_deleted, 0);
	cr_assert_eq(cnt.ios_host_drop + cnt.ios_host_blocked, 0, "no block with intercept");
	cr_assert_eq(try_conn(1, &r1, NULL), ADMIT_INTERCEPT);
	admit_release(a, &conns[0], ADMIT_U_EMB_ALL);
	cr_assert_eq(try_conn(1, &r1, NULL), ADMIT_OK);
	teardown_admit();
}

Test(admit_ios, class_limits_and_ios_together)
{
	struct admit_ios ios = {.configured = true, .max_incomplete_high = 100};
	struct admit_class cl = {.id = 0, .limits = {[ADMIT_CONN_MAX] = 1}};
	struct admit_req r = ios_req(server1, 0);

	setup_with(1, 0, &ios);
	r.cls = &cl;
	cr_assert_eq(try_conn(0, &r, NULL), ADMIT_OK);
	cr_assert_eq(conns[0].lim, ADMIT_U_CLASS | ADMIT_U_IOS_EMB);
	cr_assert_eq(try_conn(1, &r, NULL), ADMIT_REFUSE, "the class refuses first");
	cr_assert_eq(admit_count_ios(a), 1, "no IOS unit for a refused one");
	admit_release(a, &conns[0], ADMIT_U_ALL);
	cr_assert_eq(admit_count_ios(a), 0);
	cr_assert_eq(admit_count_class(a, 0, false), 0);
	teardown_admit();
}

Test(admit_ios, ring_forgets_the_oldest_when_full)
{
	static struct admit_conn many[ADMIT_HO_MAX + 1];
	struct admit_ios ios = {.configured = true};
	struct admit_req r = ios_req(server1, 0);
	struct admit_result res;
	unsigned int i;

	setup_with(0, 0, &ios);
	for (i = 0; i <= ADMIT_HO_MAX; i++) {
		admit_conn_init(&many[i]);
		cr_assert_eq(admit_new(a, &aw, &many[i], &r, &res), ADMIT_OK);
	}
	cr_assert_eq(aw.ho_n, ADMIT_HO_MAX);
	cr_assert_eq(aw.ho[aw.ho_head].c, &many[1], "the first one was forgotten");
	teardown_admit();
}

Test(admit_create, bad_params)
{
	struct admit_params p = {.n_classes = 1, .client_cells = 3};

	cr_assert_null(admit_create(NULL));
	cr_assert_null(admit_create(&p), "hashed cells must be a power of two");
}
