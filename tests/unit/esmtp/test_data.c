/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DATA and BDAT content: end of data, smuggling guard, dot-stuffing,
 * header/body line and total lengths, To count, SIZE=, max-data, BDAT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

static struct esmtp_policy pol;

static void
setup(void)
{
	esmtp_policy_default(&pol);
}

TestSuite(data, .init = setup);

#define OPEN \
	S("220 x\r\n"), C("HELO a\r\n"), S("250 ok\r\n"), C("MAIL FROM:<a@b>\r\n"), \
			S("250 ok\r\n"), C("RCPT TO:<c@d>\r\n"), S("250 ok\r\n"), C("DATA\r\n"), \
			S("354 go\r\n")
#define OPEN_IN "HELO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"

Test(data, content_is_not_x_ed)
{
	static const struct h_step t[] = {OPEN,
			C("XEXCH50 is not a command here\r\nSubject: hi\r\n\r\nQUIT\r\nAB\r\n.\r\n"),
			S("250 queued\r\n"), C("QUIT\r\n"), S("221 bye\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			OPEN_IN
			"XEXCH50 is not a command here\r\nSubject: hi\r\n\r\nQUIT\r\nAB\r\n.\r\n"
			"QUIT\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);
}

Test(data, end_of_data_then_commands_in_same_segment)
{
	static const struct h_step t[] = {OPEN, C("hi\r\n.\r\nZZZZ\r\n"), S("250 ok\r\n500 x\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), OPEN_IN "hi\r\n.\r\nXXXX\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-unknown,pipelining");
	h_free(&r);
}

Test(data, empty_message)
{
	static const struct h_step t[] = {OPEN, C(".\r\nNOOP\r\n"), S("250 ok\r\n250 ok\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), OPEN_IN ".\r\nNOOP\r\n");
	h_free(&r);
}

Test(data, smuggling_lf_dot_lf_does_not_end_data)
{
	/* <LF>.<LF> and <LF>.<CR><LF> would end DATA for a lenient server;
	 * for us the commands after them are still message content. */
	static const struct h_step t[] = {OPEN,
			C("Subject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@x>\r\nZZZZ\r\n"),
			C("more\n.\r\nRCPT TO:<v@x>\r\n"), C("\r\n.\r\nXXYY\r\n"),
			S("250 ok\r\n500 x\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			OPEN_IN
			"Subject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@x>\r\nZZZZ\r\nmore\n.\r\n"
			"RCPT TO:<v@x>\r\n\r\n.\r\nXXXX\r\n");
	cr_assert_str_eq(h_events(&r),
			"mask-banner,data-bare-lf,data-end-smuggling,cmd-unknown,pipelining");
	h_free(&r);
}

Test(data, smuggling_drop_when_configured)
{
	static const struct h_step t[] = {OPEN, C("x\r\n\n.\r\nMAIL FROM:<e@x>\r\n")};
	struct h_run r;

	esmtp_policy_set_event(&pol, ESMTP_EV_DATA_SMUGGLING, ESMTP_ACT_DROP_CONN, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,data-bare-lf,data-end-smuggling");
	h_free(&r);
}

/*
 * Servers that end lines at a bare CR (SMTP smuggling, the CR variants):
 * CR "." CR, CR "." LF, CR "." CR LF, CR LF "." CR and LF "." CR are a
 * would-be end of DATA; each is reported, in whatever segments it comes
 * (h_check plays every split), and the content is not changed.
 */
Test(data, smuggling_bare_cr_variants)
{
	static const char *const v[] = {"\r.\r", "\r.\n", "\r.\r\n", "\r\n.\r", "\n.\r"};
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char msg[128];
		struct h_step t[] = {OPEN, C(""), S("250 ok\r\n")};
		struct h_run r;

		snprintf(msg, sizeof(msg), "Subject: x\r\n\r\nbody%sMAIL FROM:<e@x>\r\n.\r\n",
				v[i]);
		t[NSTEPS(t) - 2].data = (const uint8_t *)msg;
		t[NSTEPS(t) - 2].len = strlen(msg);
		h_check(&pol, t, NSTEPS(t), &r);
		cr_assert_eq(h_count(&r, ESMTP_EV_DATA_SMUGGLING), 1, "variant %u", i);
		cr_assert(strstr(h_out(&r, 0), msg) != NULL, "variant %u: content changed", i);
		h_free(&r);
	}
}

Test(data, smuggling_bare_cr_drop_when_configured)
{
	static const struct h_step t[] = {OPEN, C("x\r\nbody\r.\rMAIL FROM:<e@x>\r\n")};
	struct h_run r;

	esmtp_policy_set_event(&pol, ESMTP_EV_DATA_SMUGGLING, ESMTP_ACT_DROP_CONN, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
}

/* Bare CRs and dots that no server takes for an end of DATA. */
Test(data, smuggling_bare_cr_not_an_end)
{
	static const struct h_step t[] = {
			OPEN, C("a\r.b\r\n..\rc\r\nd\r\r.x\r\n.\r\n"), S("250 ok\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(h_count(&r, ESMTP_EV_DATA_SMUGGLING), 0, "%s", h_events(&r));
	cr_assert_eq(h_count(&r, ESMTP_EV_DATA_BARE_CR), 1);
	h_free(&r);
}

Test(data, bare_cr_in_data)
{
	static const struct h_step t[] = {OPEN, C("a\rb\r\n.\r\n"), S("250 ok\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,data-bare-cr");
	h_free(&r);
}

Test(data, dot_stuffing_respected)
{
	static const struct h_step t[] = {
			OPEN, C("..\r\n.x\r\n...\r\n.\r\n"), S("250 ok\r\n"), C("NOOP\r\n")};
	struct h_run r;

	esmtp_policy_add_gt(&pol, ESMTP_CRIT_BODY_LENGTH, 1, ESMTP_ACT_LOG, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), OPEN_IN "..\r\n.x\r\n...\r\n.\r\nNOOP\r\n");
	/* headers: ".", "x", ".." unstuffed, no empty line: no body */
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);
}

static char *
line_of(size_t n, char fill, const char *prefix)
{
	char *b = malloc(n + 3);
	size_t p = strlen(prefix);

	memcpy(b, prefix, p);
	memset(b + p, fill, n - p);
	memcpy(b + n, "\r\n", 3);
	return b;
}

Test(data, header_line_998_passes_999_drops)
{
	char *ok = line_of(998, 'a', "X-Long: ");
	char *bad = line_of(999, 'a', "X-Long: ");
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, {ESMTP_DIR_C2S, NULL, 0},
			C("\r\nbody\r\n.\r\n")};
	struct h_run r;
	const struct esmtp_event *e;

	t[9].data = (const uint8_t *)ok;
	t[9].len = 1000;
	t[10].data = (const uint8_t *)bad;
	t[10].len = 1001;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 10);
	e = h_find(&r, ESMTP_EV_HEADER_LINE_LENGTH, 0);
	cr_assert_eq(e->rule, 3);
	cr_assert(e->value_len == 3 && memcmp(e->value, "999", 3) == 0);
	h_free(&r);
	free(ok);
	free(bad);
}

Test(data, body_line_999_logged_not_dropped)
{
	char *bad = line_of(1500, 'b', "");
	struct h_step t[] = {OPEN, C("Subject: x\r\n\r\n"), {ESMTP_DIR_C2S, NULL, 0},
			{ESMTP_DIR_C2S, NULL, 0}, C(".\r\n"), S("250 ok\r\n")};
	struct h_run r;
	const struct esmtp_event *e;

	t[10].data = (const uint8_t *)bad;
	t[10].len = 1502;
	t[11] = t[10];
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_eq(h_count(&r, ESMTP_EV_BODY_LINE_LENGTH), 2);
	e = h_find(&r, ESMTP_EV_BODY_LINE_LENGTH, 0);
	cr_assert_eq(e->audit, 108005);
	cr_assert_eq(e->rule, 2);
	h_free(&r);
	free(bad);
}

Test(data, header_line_length_counts_unfolded_lines_separately)
{
	static char buf[4000];
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};
	struct h_run r;
	size_t o = 0, i;

	o += (size_t)sprintf(buf, "Received: from x");
	for (i = 0; i < 30; i++)
		o += (size_t)sprintf(
				buf + o, "\r\n        by relay%02zu.example.com with ESMTP", i);
	o += (size_t)sprintf(buf + o, "\r\n\r\nbody\r\n.\r\n");
	t[9].data = (const uint8_t *)buf;
	t[9].len = o;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(data, header_total_length_and_to_count)
{
	static const struct h_step t[] = {OPEN,
			C("To: a@x, \"Doe, J\" <j@x>,\r\n  b@x\r\nTo: c@x (Cc, me)\r\nSubject: hello\r\n\r\n"
			  "To: not@header\r\n.\r\n"),
			S("250 ok\r\n")};
	struct h_run r;
	const struct esmtp_event *e;

	esmtp_policy_add_gt(&pol, ESMTP_CRIT_HEADER_TO_FIELDS_COUNT, 3, ESMTP_ACT_LOG, 1);
	esmtp_policy_add_gt(&pol, ESMTP_CRIT_HEADER_LENGTH, 50, ESMTP_ACT_LOG, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,header-to-fields-count,header-length");
	e = h_find(&r, ESMTP_EV_HEADER_TO_FIELDS_COUNT, 0);
	cr_assert(e->value_len == 1 && e->value[0] == '4');
	e = h_find(&r, ESMTP_EV_HEADER_LENGTH, 0);
	cr_assert(e->value_len == 2 && memcmp(e->value, "51", 2) == 0);
	h_free(&r);
}

Test(data, body_length_and_negated_rule)
{
	static const struct h_step t[] = {
			OPEN, C("S: x\r\n\r\n0123456789\r\n.\r\n"), S("250 ok\r\n")};
	struct esmtp_rule rule = {0};
	struct h_run r;

	esmtp_policy_add_gt(&pol, ESMTP_CRIT_BODY_LENGTH, 11, ESMTP_ACT_LOG, 1);
	rule.crit = ESMTP_CRIT_BODY_LENGTH;
	rule.negate = 1;
	rule.gt = 100;
	rule.action = ESMTP_ACT_LOG;
	esmtp_policy_add_rule(&pol, &rule);
	h_check(&pol, t, NSTEPS(t), &r);
	/* body = "0123456789\r\n" = 12 bytes: > 11, and not > 100 */
	cr_assert_str_eq(h_events(&r), "mask-banner,body-length,body-length");
	cr_assert_eq(h_find(&r, ESMTP_EV_BODY_LENGTH, 1)->rule, 8);
	cr_assert_eq(h_find(&r, ESMTP_EV_BODY_LENGTH, 1)->audit, 0);
	h_free(&r);
}

Test(data, size_declared_vs_actual_108006)
{
	static const struct h_step t[] = {S("220 x\r\n"), C("EHLO a\r\n"), S("250 SIZE 1000\r\n"),
			C("MAIL FROM:<a@b> SIZE=10\r\n"), S("250 ok\r\n"), C("RCPT TO:<c@d>\r\n"),
			S("250 ok\r\n"), C("DATA\r\n"), S("354 go\r\n"),
			C("S: x\r\n\r\n0123456789\r\n.\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<a@b> SIZE=20\r\n"), S("250 ok\r\n"), C("RCPT TO:<c@d>\r\n"),
			S("250 ok\r\n"), C("DATA\r\n"), S("354 go\r\n"),
			C("S: x\r\n\r\n0123456789\r\n.\r\n"), S("250 ok\r\n")};
	struct h_run r;
	const struct esmtp_event *e;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,size-exceeded");
	e = h_find(&r, ESMTP_EV_SIZE_EXCEEDED, 0);
	cr_assert_eq(e->audit, 108006);
	cr_assert_eq(e->value_len, 5);
	cr_assert(memcmp(e->value, "10 20", 5) == 0);
	h_free(&r);
}

Test(data, max_data_per_connection)
{
	static const struct h_step t[] = {OPEN, C("S: x\r\n\r\n0123456789\r\n.\r\n"),
			S("250 ok\r\n"), C("MAIL FROM:<a@b>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<c@d>\r\n"), S("250 ok\r\n"), C("DATA\r\n"), S("354 go\r\n"),
			C("S: x\r\n\r\n0123456789\r\n")};
	struct h_run r;

	esmtp_policy_set_max_data(&pol, 30, ESMTP_ACT_DROP_CONN);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 17);
	cr_assert_str_eq(h_events(&r), "mask-banner,max-data");
	h_free(&r);
}

Test(data, rejected_data_keeps_commands)
{
	static const struct h_step t[] = {S("220 x\r\n"), C("HELO a\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<a@b>\r\n"), S("250 ok\r\n"), C("DATA\r\n"),
			S("554 no valid recipients\r\n"), C("ZZZZ\r\n"), S("500 x\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), "HELO a\r\nMAIL FROM:<a@b>\r\nDATA\r\nXXXX\r\n");
	h_free(&r);
}

/* BDAT */

TestSuite(bdat, .init = setup);

#define BOPEN \
	S("220 x\r\n"), C("EHLO a\r\n"), S("250-x\r\n250-CHUNKING\r\n250 PIPELINING\r\n"), \
			C("MAIL FROM:<a@b>\r\n"), S("250 ok\r\n"), C("RCPT TO:<c@d>\r\n"), \
			S("250 ok\r\n")

Test(bdat, x_ed_and_masked_when_not_allowed)
{
	static const struct h_step t[] = {BOPEN, C("BDAT 5 LAST\r\n"), S("500 x\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1),
			"220 *\r\n250-x\r\n250-XXXXXXXX\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n500 x\r\n");
	cr_assert_str_eq(h_out(&r, 0),
			"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nXXXXXXXXXXX\r\n");
	h_free(&r);
}

Test(bdat, chunks_parsed_rules_apply_across_chunks)
{
	/* A header line split over two chunks, a MIME attachment whose name
	 * crosses a chunk boundary; the data contain "QUIT\r\n" and a line
	 * that would be an end marker in DATA: neither matters in BDAT. */
	static const struct h_step t[] = {BOPEN, C("BDAT 20\r\nSubject: chunked hea"),
			C("BDAT 11\r\nder\r\nQUIT\r\n"), C("BDAT 5\r\n\r\n.\r\n"),
			C("BDAT 0 LAST\r\n"), S("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"),
			C("NOOP\r\n"), S("250 ok\r\n")};
	struct h_run r;

	esmtp_policy_set_chunking(&pol, 1);
	esmtp_policy_add_gt(&pol, ESMTP_CRIT_HEADER_LINE_LENGTH, 20, ESMTP_ACT_LOG, 1);
	esmtp_policy_add_gt(&pol, ESMTP_CRIT_BODY_LENGTH, 2, ESMTP_ACT_LOG, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 20\r\nSubject: chunked hea"
			"BDAT 11\r\nder\r\nQUIT\r\nBDAT 5\r\n\r\n.\r\nBDAT 0 LAST\r\nNOOP\r\n");
	/* "Subject: chunked header" = 23 > 20; body ".\r\n" = 3 > 2 */
	cr_assert_str_eq(h_events(&r), "mask-banner,header-line-length,body-length");
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(bdat, last_chunk_ends_message_mid_line)
{
	static const struct h_step t[] = {BOPEN, C("BDAT 12 LAST\r\nS: x\r\n\r\nabc\r"),
			S("250 ok\r\n"), C("ZZZZ\r\n")};
	struct h_run r;

	esmtp_policy_set_chunking(&pol, 1);
	esmtp_policy_add_gt(&pol, ESMTP_CRIT_BODY_LENGTH, 2, ESMTP_ACT_LOG, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,body-length,data-bare-cr,cmd-unknown");
	h_free(&r);
}

Test(bdat, bad_size_drops)
{
	static const struct h_step t[] = {BOPEN, C("BDAT -5\r\n")};
	static const struct h_step t2[] = {BOPEN, C("BDAT 99999999999999999999999\r\n")};
	static const struct h_step t3[] = {BOPEN, C("BDAT 5 LASTX\r\n")};
	struct h_run r;

	esmtp_policy_set_chunking(&pol, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,bdat-bad");
	h_free(&r);
	h_check(&pol, t2, NSTEPS(t2), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	h_check(&pol, t3, NSTEPS(t3), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
}

Test(bdat, pipelined_chunks_and_next_mail)
{
	static const struct h_step t[] = {BOPEN,
			C("BDAT 6\r\nS: a\r\nBDAT 4 LAST\r\n\r\nb\nMAIL FROM:<x@y>\r\nRCPT TO:<z@y>\r\n"
			  "BDAT 3 LAST\r\nc\r\n"),
			S("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n")};
	struct h_run r;

	esmtp_policy_set_chunking(&pol, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner,data-bare-lf");
	h_free(&r);
}
