/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/log: ASA message formats, the SPSC ring, the rate limiter. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "sw_log.h"

static void
conn4(struct log_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->family = 4;
	memcpy(c->src, (const uint8_t[]){198, 18, 0, 1}, 4);
	memcpy(c->dst, (const uint8_t[]){198, 18, 0, 2}, 4);
	c->sport = 53034;
	c->dport = 25;
	strcpy(c->src_if, "outside");
	strcpy(c->dst_if, "inside");
}

static struct log_rec
rec(uint32_t id)
{
	struct log_rec r;

	memset(&r, 0, sizeof(r));
	r.msgid = id;
	r.severity = log_severity(id);
	conn4(&r.conn);
	return r;
}

Test(log, format_108004_matches_asa_field_sample)
{
	struct log_rec r = rec(LOG_ASA_108004);
	const char *a = "ESMTP Classification: Dropped connection for";
	const char *b = "matched Class 2: cmd RCPT count gt 100";
	char buf[512];

	log_rec_set_text(&r, a, strlen(a), b, strlen(b));
	log_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf,
			"%ASA-4-108004: ESMTP Classification: Dropped connection for ESMTP "
			"Request from outside:198.18.0.1/53034 to inside:198.18.0.2/25; "
			"matched Class 2: cmd RCPT count gt 100");
}

Test(log, format_108005_log_only)
{
	struct log_rec r = rec(LOG_ASA_108005);
	char buf[512];

	log_rec_set_text(&r, "ESMTP Classification", 20, "matched Class 3: body line length gt 998",
			40);
	r.response = 0;
	log_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf,
			"%ASA-6-108005: ESMTP Classification:Received ESMTP Request from "
			"outside:198.18.0.1/53034 to inside:198.18.0.2/25; matched Class 3: "
			"body line length gt 998");
}

Test(log, format_108003_and_unprintable_address)
{
	struct log_rec r = rec(LOG_ASA_108003);
	char buf[512];

	log_rec_set_text(&r, "|/bin/sh\x01", 9, NULL, 0);
	log_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf,
			"%ASA-2-108003: Terminating ESMTP connection; malicious pattern "
			"detected in the mail address from outside:198.18.0.1/53034 to "
			"inside:198.18.0.2/25. Mail Address:|/bin/sh.");
}

Test(log, format_108002_out_in)
{
	struct log_rec r = rec(LOG_ASA_108002);
	char buf[512];

	log_rec_set_text(&r, "a b@x", 5, NULL, 0);
	log_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf,
			"%ASA-2-108002: SMTP replaced string: out 198.18.0.1 in 198.18.0.2 "
			"data: a b@x");
}

Test(log, format_108006_108007_ipv6_and_limits)
{
	struct log_rec r = rec(LOG_ASA_108006);
	char buf[512];

	r.n1 = 1000;
	r.n2 = 2048;
	log_format(&r, buf, sizeof(buf));
	cr_assert(strstr(buf,
				  "%ASA-7-108006: Detected ESMTP size violation from "
				  "outside:198.18.0.1/53034 to inside:198.18.0.2/25; declared size is: "
				  "1000, actual size is 2048") == buf);
	r = rec(LOG_ASA_108007);
	r.conn.family = 6;
	memset(r.conn.src, 0, 16);
	r.conn.src[0] = 0x20;
	r.conn.src[1] = 0x01;
	r.conn.src[15] = 1;
	memset(r.conn.dst, 0, 16);
	r.conn.dst[0] = 0x20;
	r.conn.dst[1] = 0x01;
	r.conn.dst[15] = 2;
	log_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf,
			"%ASA-6-108007: TLS started on ESMTP session between client "
			"outside:2001::1/53034 and server inside:2001::2/25");
	r = rec(LOG_ASA_201012);
	r.n1 = 51;
	r.n2 = 50;
	log_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf,
			"%ASA-6-201012: Per-client embryonic connection limit exceeded 51/50 "
			"for input packet from 198.18.0.1/53034 to 198.18.0.2/25 on interface "
			"outside");
}

/* Issue 13: sizes past 4 GiB were cut to 32 bits (5000000000 printed as 705032704). */
Test(log, format_108006_sizes_are_64_bit)
{
	struct log_rec r = rec(LOG_ASA_108006);
	const char *v = "5000000000 6442450944";
	char buf[512];

	log_rec_set_numbers(&r, v, strlen(v));
	cr_assert_eq(r.n1, 5000000000ull);
	cr_assert_eq(r.n2, 6442450944ull);
	log_format(&r, buf, sizeof(buf));
	cr_assert(strstr(buf, "declared size is: 5000000000, actual size is 6442450944") != NULL,
			"%s", buf);
	log_rec_set_numbers(&r, "99999999999999999999 7", 22);
	cr_assert_eq(r.n1, UINT64_MAX, "a number past 64 bits saturates");
	cr_assert_eq(r.n2, 7);
	log_rec_set_numbers(&r, "12", 2);
	cr_assert(r.n1 == 12 && r.n2 == 0);
}

Test(log, format_truncates_safely)
{
	struct log_rec r = rec(LOG_ASA_108004);
	char big[400], buf[64];
	int n;

	memset(big, 'A', sizeof(big));
	log_rec_set_text(&r, big, sizeof(big), big, sizeof(big));
	cr_assert_leq(r.text_len, LOG_TEXT_MAX - 1);
	n = log_format(&r, buf, sizeof(buf));
	cr_assert_gt(n, 63, "snprintf semantics: the full length is returned");
	cr_assert_eq(strlen(buf), 63);
}

Test(log, ring_fifo_full_and_counts)
{
	struct log_ring *ring = log_ring_create(8);
	struct log_rec r = rec(LOG_ASA_108004), out;
	unsigned int i;

	cr_assert_not_null(ring);
	cr_assert_null(log_ring_create(6), "size must be a power of two");
	for (i = 0; i < 8; i++) {
		r.n1 = i;
		cr_assert(log_ring_push(ring, &r));
	}
	cr_assert_not(log_ring_push(ring, &r), "ninth push into 8 slots");
	cr_assert_eq(ring->dropped, 1);
	cr_assert_eq(log_ring_count(ring), 8);
	for (i = 0; i < 8; i++) {
		cr_assert(log_ring_pop(ring, &out));
		cr_assert_eq(out.n1, i);
	}
	cr_assert_not(log_ring_pop(ring, &out));
	log_ring_free(ring);
}

#define SPSC_N 50000u

static void *
producer(void *arg)
{
	struct log_ring *ring = arg;
	struct log_rec r;
	uint32_t i = 0;

	memset(&r, 0, sizeof(r));
	while (i < SPSC_N) {
		r.n1 = i;
		r.n2 = ~i;
		if (log_ring_push(ring, &r))
			i++;
	}
	return NULL;
}

Test(log, ring_spsc_threads_keep_order_and_content)
{
	struct log_ring *ring = log_ring_create(64);
	struct log_rec out;
	pthread_t t;
	uint32_t expect = 0;

	cr_assert_eq(pthread_create(&t, NULL, producer, ring), 0);
	while (expect < SPSC_N) {
		if (!log_ring_pop(ring, &out))
			continue;
		cr_assert_eq(out.n1, expect);
		cr_assert_eq(out.n2, ~expect, "a record must never be read half-written");
		expect++;
	}
	pthread_join(t, NULL);
	log_ring_free(ring);
}

Test(log, limiter_one_per_ten_seconds)
{
	struct log_limiter l;
	const uint64_t s = 1000000000ull;

	log_limiter_init(&l, 1, 10 * s, 1);
	cr_assert(log_limiter_allow(&l, 100 * s));
	cr_assert_not(log_limiter_allow(&l, 100 * s + 1));
	cr_assert_not(log_limiter_allow(&l, 109 * s));
	cr_assert(log_limiter_allow(&l, 110 * s + 1));
	cr_assert_eq(l.suppressed, 2);
	log_limiter_init(&l, 0, s, 0);
	for (int i = 0; i < 1000; i++)
		cr_assert(log_limiter_allow(&l, 0), "rate 0 is unlimited");
}

Test(log, limiter_rate_over_time)
{
	struct log_limiter l;
	const uint64_t s = 1000000000ull;
	unsigned int allowed = 0, t;

	log_limiter_init(&l, 100, s, 10);
	for (t = 0; t < 10000; t++) /* 10 s, one attempt per ms */
		allowed += log_limiter_allow(&l, 5 * s + (uint64_t)t * 1000000u);
	cr_assert(allowed >= 1000 && allowed <= 1010, "allowed %u", allowed);
}

Test(log, raw_records_print_their_text)
{
	struct log_rec r = rec(LOG_RAW);
	const char *t = "%FW-6-SESS_AUDIT_TRAIL_START: Start smtp session";
	char buf[256];

	log_rec_set_text(&r, t, strlen(t), NULL, 0);
	log_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, t);
}
