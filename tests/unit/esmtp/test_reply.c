/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server replies: banner masking, EHLO keyword masking, reply syntax and
 * sequence validation.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

static struct esmtp_policy pol;

static void
setup(void)
{
	esmtp_policy_default(&pol);
}

TestSuite(reply, .init = setup);

Test(reply, banner_masked_single_line)
{
	static const struct h_step t[] = {S("220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 *******************************************\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner");
	cr_assert_eq(h_find(&r, ESMTP_EV_BANNER_MASKED, 0)->action, ESMTP_ACT_MASK);
	h_free(&r);
}

Test(reply, banner_masked_multi_line_exim)
{
	static const struct h_step t[] = {
			S("220-scoot-81.wizint.net ESMTP Exim 4.94.115 Thu, 04 Mar 2021 09:42:07 +0000\r\n"
			  "220 Spam disliked here\r\n"),
			C("EHLO vger.kernel.org\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1),
			"220-***********************************************************************\r\n"
			"220 ******************\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);
}

Test(reply, banner_not_masked_when_off)
{
	static const struct h_step t[] = {
			S("220 mx ESMTP\r\n"), C("HELO a\r\n"), S("250 mx hello\r\n")};
	struct h_run r;

	esmtp_policy_set_mask_banner(&pol, 0);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 mx ESMTP\r\n250 mx hello\r\n");
	cr_assert_str_eq(h_events(&r), "");
	h_free(&r);
}

/* Postfix's smtp_proto.c test: a greeting of nothing but these is a PIX. */
static int
postfix_sees_pix(const char *reply)
{
	return reply[strspn(reply, "20 *\t\n\r")] == '\0';
}

Test(reply, banner_neutral_single_line)
{
	static const struct h_step t[] = {S("220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n")};
	struct h_run r;

	esmtp_policy_set_mask_banner(&pol, ESMTP_BANNER_NEUTRAL);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 ESMTP                                      \r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner");
	cr_assert(!postfix_sees_pix(h_out(&r, 1)));
	h_free(&r);

	esmtp_policy_set_mask_banner(&pol, ESMTP_BANNER_MASK);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert(postfix_sees_pix(h_out(&r, 1)), "the ASA mask looks like a PIX");
	h_free(&r);
}

Test(reply, banner_neutral_multi_line_and_short)
{
	static const struct h_step t[] = {
			S("220-scoot-81.wizint.net ESMTP Exim 4.94.115\r\n220 Spam disliked here\r\n"),
			C("EHLO vger.kernel.org\r\n"),
			S("250-scoot-81.wizint.net Hello\r\n250 PIPELINING\r\n"),
	};
	static const struct h_step t2[] = {S("220 mx\r\n"), C("HELO a\r\n"), S("250 mx\r\n")};
	static const struct h_step t3[] = {S("220 m\rx.example ESMTP\r\n")};
	struct h_run r;

	esmtp_policy_set_mask_banner(&pol, ESMTP_BANNER_NEUTRAL);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1),
			"220-ESMTP                                  \r\n220                   \r\n"
			"250-scoot-81.wizint.net Hello\r\n250 PIPELINING\r\n");
	h_free(&r);
	/* shorter than "ESMTP": its start */
	h_check(&pol, t2, NSTEPS(t2), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 ES\r\n250 mx\r\n");
	h_free(&r);
	/* a bare CR stays and counts as a column */
	h_check(&pol, t3, NSTEPS(t3), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 E\rMTP            \r\n");
	h_free(&r);
}

Test(reply, only_the_greeting_is_masked)
{
	static const struct h_step t[] = {
			S("220 mx\r\n"), C("HELO a\r\n"), S("250 mx hello a\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 **\r\n250 mx hello a\r\n");
	h_free(&r);
}

Test(reply, long_banner_streams)
{
	static char banner[5100];
	struct h_step t[] = {{ESMTP_DIR_S2C, NULL, 0}};
	struct h_run r;
	size_t i;

	memcpy(banner, "220 ", 4);
	memset(banner + 4, 'b', 5032);
	memcpy(banner + 5036, "\r\n", 2);
	t[0].data = (const uint8_t *)banner;
	t[0].len = 5038;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.max_held, 0);
	for (i = 4; i < 5036; i++)
		cr_assert_eq(r.out[1][i], '*');
	cr_assert_eq(r.out[1][5036], '\r');
	h_free(&r);
}

/* Exchange 2003 EHLO reply (suricata-verify smtp-file-data-01). */
Test(reply, ehlo_exchange_keywords_masked)
{
	static const struct h_step t[] = {
			S("220 server-102e9f9.example.int Microsoft ESMTP MAIL Service, Version: "
			  "6.0.3790.1830\r\n"),
			C("EHLO client-1016363.example.int\r\n"),
			S("250- Hello \r\n250-TURN\r\n250-SIZE\r\n250-ETRN\r\n250-PIPELINING\r\n250-DSN\r\n"
			  "250-ENHANCEDSTATUSCODES\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250-VRFY\r\n"
			  "250-TLS\r\n250-STARTTLS\r\n250-X-EXPS GSSAPI NTLM LOGIN\r\n250-X-EXPS=LOGIN\r\n"
			  "250-AUTH GSSAPI NTLM LOGIN\r\n250-AUTH=LOGIN\r\n250-X-LINK2STATE\r\n"
			  "250-XEXCH50\r\n250 OK\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1) + 85,
			"250- Hello \r\n250-XXXX\r\n250-SIZE\r\n250-ETRN\r\n250-PIPELINING\r\n250-DSN\r\n"
			"250-ENHANCEDSTATUSCODES\r\n250-XXXXXXXXXX\r\n250-XXXXXXXX\r\n250-VRFY\r\n"
			"250-XXX\r\n250-XXXXXXXX\r\n250-XXXXXX GSSAPI NTLM LOGIN\r\n250-XXXXXX=LOGIN\r\n"
			"250-AUTH GSSAPI NTLM LOGIN\r\n250-AUTH=LOGIN\r\n250-XXXXXXXXXXXX\r\n"
			"250-XXXXXXX\r\n250 XX\r\n");
	/* TURN, BINARYMIME, CHUNKING, TLS, STARTTLS, X-EXPS x2, X-LINK2STATE,
	 * XEXCH50, OK */
	cr_assert_eq(h_count(&r, ESMTP_EV_EHLO_REPLY_PARAMETER), 10);
	cr_assert_eq(r.counters.rules[6], 7);
	h_free(&r);
}

/* Gmail (arkime smtp-starttls). */
Test(reply, ehlo_gmail_with_allow_tls_and_chunking)
{
	static const struct h_step t[] = {
			S("220 mx.google.com ESMTP s4si9696358qcc.63 - gsmtp\r\n"),
			C("EHLO xxxxxxxxxxxxx.xxx.com\r\n"),
			S("250-mx.google.com at your service, [10.000.000.01]\r\n250-SIZE 35882577\r\n"
			  "250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
			  "250 CHUNKING\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1) + 51,
			"250-mx.google.com at your service, [10.000.000.01]\r\n250-SIZE 35882577\r\n"
			"250-8BITMIME\r\n250-XXXXXXXX\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
			"250 XXXXXXXX\r\n");
	h_free(&r);

	esmtp_policy_set_allow_tls(&pol, 1, 1);
	esmtp_policy_set_chunking(&pol, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1) + 51,
			"250-mx.google.com at your service, [10.000.000.01]\r\n250-SIZE 35882577\r\n"
			"250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
			"250 CHUNKING\r\n");
	cr_assert_eq(h_count(&r, ESMTP_EV_EHLO_REPLY_PARAMETER), 0);
	h_free(&r);
}

Test(reply, ehlo_others_rule_removed_keeps_everything_but_starttls)
{
	static const struct h_step t[] = {
			S("220 x\r\n"),
			C("EHLO a\r\n"),
			S("250-x\r\n250-SMTPUTF8\r\n250-X-FOO bar\r\n250 STARTTLS\r\n"),
	};
	struct h_run r;

	esmtp_policy_clear_rules(&pol);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1),
			"220 *\r\n250-x\r\n250-SMTPUTF8\r\n250-X-FOO bar\r\n250 XXXXXXXX\r\n");
	h_free(&r);
}

Test(reply, ehlo_long_keyword_decided_without_end)
{
	static char reply[400];
	struct h_step t[] = {S("220 x\r\n"), C("EHLO a\r\n"), {ESMTP_DIR_S2C, NULL, 0}};
	struct h_run r;
	size_t i;

	memcpy(reply, "250-x\r\n250 ", 11);
	memset(reply + 11, 'K', 300);
	memcpy(reply + 311, "\r\n", 2);
	t[2].data = (const uint8_t *)reply;
	t[2].len = 313;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_leq(r.max_held, ESMTP_REPLY_HOLD_MAX);
	/* decided within the hold, masked to its end while it streams */
	for (i = 7 + 11; i < 7 + 11 + 300; i++)
		cr_assert_eq(r.out[1][i], 'X');
	cr_assert_eq(r.out[1][7 + 11 + 300], '\r');
	h_free(&r);
}

Test(reply, ehlo_keyword_log_rule)
{
	static const struct h_step t[] = {
			S("220 x\r\n"), C("EHLO a\r\n"), S("250-x\r\n250 8BITMIME\r\n")};
	struct esmtp_rule rule = {0};
	struct h_run r;

	rule.crit = ESMTP_CRIT_EHLO_REPLY_PARAMETER;
	rule.set = 1u << ESMTP_EHLO_8BITMIME;
	rule.action = ESMTP_ACT_LOG;
	rule.log = 1;
	esmtp_policy_add_rule(&pol, &rule);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 *\r\n250-x\r\n250 8BITMIME\r\n");
	cr_assert_eq(h_find(&r, ESMTP_EV_EHLO_REPLY_PARAMETER, 0)->audit, 108005);
	h_free(&r);
}

Test(reply, ehlo_error_reply_not_masked)
{
	static const struct h_step t[] = {
			S("220 x\r\n"), C("EHLO a\r\n"), S("550-x\r\n550 XFOO denied\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1), "220 *\r\n550-x\r\n550 XFOO denied\r\n");
	h_free(&r);
}

Test(reply, malformed_replies)
{
	static const struct h_step t[] = {S("220 x\r\n"), C("HELO a\r\n"), S("25O ok\r\n"),
			S("250 ok\r\n"), C("NOOP\r\n"), S("250\r\n"), C("NOOP\r\n"),
			S("250-a\r\n251 b\r\n"), C("NOOP\r\n"), S("250*x\r\n250 ok\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r),
			"mask-banner,reply-malformed,reply-malformed,reply-malformed,reply-malformed");
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(reply, unexpected_transitions)
{
	static const struct h_step t[] = {S("220 x\r\n"), S("250 unasked\r\n"), C("HELO a\r\n"),
			S("354 go\r\n"), C("NOOP\r\n"), S("334 eA==\r\n"), S("421 closing\r\n")};
	struct h_run r;
	const struct esmtp_event *e;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r),
			"mask-banner,unexpected-transition,unexpected-transition,unexpected-transition");
	e = h_find(&r, ESMTP_EV_REPLY_UNEXPECTED, 1);
	cr_assert_eq(e->value_len, 3);
	cr_assert(memcmp(e->value, "354", 3) == 0);
	/* 354 without DATA does not open DATA: NOOP is still a command */
	cr_assert_str_eq(h_out(&r, 0), "HELO a\r\nNOOP\r\n");
	h_free(&r);
}

Test(reply, unexpected_transition_drop_when_configured)
{
	static const struct h_step t[] = {S("220 x\r\n"), S("250 unasked\r\n")};
	struct h_run r;

	esmtp_policy_set_event(&pol, ESMTP_EV_REPLY_UNEXPECTED, ESMTP_ACT_RESET, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_RESET);
	h_free(&r);
}

Test(reply, invalid_recipients_count)
{
	static const struct h_step t[] = {S("220 x\r\n"), C("EHLO a\r\n"),
			S("250-x\r\n250 PIPELINING\r\n"),
			C("MAIL FROM:<a@b>\r\nRCPT TO:<x@b>\r\nRCPT TO:<y@b>\r\nRCPT TO:<z@b>\r\n"),
			S("250 ok\r\n550 no\r\n550 no\r\n250 ok\r\n")};
	struct h_run r;

	esmtp_policy_add_gt(&pol, ESMTP_CRIT_INVALID_RECIPIENTS_COUNT, 1, ESMTP_ACT_RESET, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_RESET);
	cr_assert_str_eq(h_events(&r), "mask-banner,invalid-recipients-count");
	h_free(&r);
}
