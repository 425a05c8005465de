/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Real-world dialogues (public captures, see gen_transcripts.py): Postfix,
 * Exim, Exchange, Gmail; AUTH LOGIN; PIPELINING bursts; BDAT; and a 10 MB
 * message with attachments generated here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "transcripts.h"

static struct esmtp_policy pol;

static void
setup(void)
{
	esmtp_policy_default(&pol);
}

TestSuite(real, .init = setup);

#define CHECK(name, r) h_check(&pol, tr_##name, NSTEPS(tr_##name), r)

/* Lines of dir that the inspector changed, joined with '|'. */
static const char *
changed(const struct h_run *r, int dir)
{
	static char buf[8192];
	size_t i, ls = 0, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->len[dir]; i++) {
		if (r->in[dir][i] != '\n')
			continue;
		if (memcmp(r->in[dir] + ls, r->out[dir] + ls, i - ls) != 0 && o + (i - ls) < 8000) {
			memcpy(buf + o, r->out[dir] + ls, i - ls - 1);
			o += i - ls - 1;
			buf[o++] = '|';
			buf[o] = '\0';
		}
		ls = i + 1;
	}
	return buf;
}

Test(real, postfix_blind_pipelining_data)
{
	struct h_run r;

	/* Postfix; the client sends DATA and the message before 354 */
	CHECK(pipelining, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner,ehlo-reply-parameter");
	cr_assert_str_eq(changed(&r, 1),
			"220 ***************************************|250 XXXXXXXX|");
	cr_assert_str_eq(changed(&r, 0), "");
	cr_assert_geq(r.retries, 1);
	h_free(&r);
}

Test(real, exim_multiline_banner_auth_login)
{
	struct h_run r;

	CHECK(exim_auth_login, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner,ehlo-reply-parameter");
	cr_assert_str_eq(changed(&r, 1),
			"220-***************************************************************************|"
			"220-*********************************************************************|"
			"220 *******************|250-XXXXXXXX|");
	/* AUTH LOGIN exchange and the 14 kB message go through untouched */
	cr_assert_str_eq(changed(&r, 0), "");
	h_free(&r);
}

Test(real, exim_bdat_pipeline_chunking_off_like_asa)
{
	struct h_run r;
	const struct esmtp_event *e;

	CHECK(exim_bdat_pipeline, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	e = h_find(&r, ESMTP_EV_CMD_UNKNOWN, 0);
	cr_assert(e->value_len == 4 && memcmp(e->value, "BDAT", 4) == 0);
	cr_assert_eq(h_find(&r, ESMTP_EV_EHLO_REPLY_PARAMETER, 1)->value_len, 8); /* CHUNKING */
	h_free(&r);
}

Test(real, exim_bdat_pipeline_chunking_on)
{
	struct h_run r;

	esmtp_policy_set_chunking(&pol, 1);
	CHECK(exim_bdat_pipeline, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	/* SIZE=4333 then 4404 bytes sent: 108006, logged; PIPE_CONNECT,
	 * STARTTLS, PRDR, SMTPUTF8 masked */
	cr_assert_str_eq(h_events(&r),
			"mask-banner,ehlo-reply-parameter,ehlo-reply-parameter,ehlo-reply-parameter,"
			"ehlo-reply-parameter,size-exceeded,size-exceeded");
	cr_assert_eq(h_find(&r, ESMTP_EV_SIZE_EXCEEDED, 0)->audit, 108006);
	cr_assert_str_eq(changed(&r, 0), "");
	h_free(&r);
}

Test(real, bdat_multipart_chunked)
{
	struct h_run r;

	esmtp_policy_set_chunking(&pol, 1);
	CHECK(bdat_chunked, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	/* STARTTLS (no allow-tls) and SMTPUTF8 (others) masked */
	cr_assert_str_eq(h_events(&r), "mask-banner,ehlo-reply-parameter,ehlo-reply-parameter");
	cr_assert_str_eq(changed(&r, 0), "");
	h_free(&r);
}

Test(real, exchange_2010_pipelining_and_timeout)
{
	struct h_run r;

	CHECK(exchange_multi_addr, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	/* X-ANONYMOUSTLS, X-EXPS, XEXCH50, XSHADOW masked; STARTTLS,
	 * BINARYMIME, CHUNKING masked by the built-ins; the final 451 is
	 * unsolicited (server timeout). */
	cr_assert_str_eq(h_events(&r),
			"mask-banner,ehlo-reply-parameter,ehlo-reply-parameter,ehlo-reply-parameter,"
			"ehlo-reply-parameter,ehlo-reply-parameter,ehlo-reply-parameter,"
			"ehlo-reply-parameter,unexpected-transition");
	cr_assert_str_eq(changed(&r, 0), "");
	h_free(&r);
}

Test(real, exchange_2003_long_body_line_logged)
{
	struct h_run r;
	const struct esmtp_event *e;

	CHECK(exchange_file_data, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	e = h_find(&r, ESMTP_EV_BODY_LINE_LENGTH, 0);
	cr_assert_not_null(e);
	cr_assert_eq(e->audit, 108005);
	cr_assert_eq(h_count(&r, ESMTP_EV_BODY_LINE_LENGTH), 1);
	h_free(&r);
}

Test(real, gmail_starttls_stripped_by_default)
{
	struct h_run r;

	CHECK(gmail_starttls, &r);
	cr_assert_str_eq(changed(&r, 1),
			"220 *********************************************|250-XXXXXXXX|250 XXXXXXXX|");
	/* the client still tried STARTTLS: X-ed, the server says 220 to
	 * nothing known, the TLS bytes that follow are garbage commands */
	cr_assert_eq(h_find(&r, ESMTP_EV_CMD_UNKNOWN, 0)->value_len, 8);
	h_free(&r);
}

Test(real, gmail_starttls_allowed_bypass)
{
	struct h_run r;

	esmtp_policy_set_allow_tls(&pol, 1, 1);
	esmtp_policy_set_chunking(&pol, 1);
	CHECK(gmail_starttls, &r);
	cr_assert_eq(r.verdict, ESMTP_BYPASS);
	cr_assert_str_eq(h_events(&r), "mask-banner,allow-tls");
	cr_assert_str_eq(changed(&r, 1), "220 *********************************************|");
	h_free(&r);
}

Test(real, ndpi_30_recipients_pass)
{
	struct h_run r;

	CHECK(ndpi_30_rcpt, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);

	/* with a limit of 29 the 30th recipient drops */
	pol.rules[1].gt = 29;
	esmtp_policy_compile(&pol);
	CHECK(ndpi_30_rcpt, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-rcpt-count");
	h_free(&r);
}

Test(real, long_filename_280_drops)
{
	struct h_run r;

	CHECK(long_filename, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-filename-length");
	h_free(&r);
}

Test(real, long_command_4097_drops)
{
	struct h_run r;

	CHECK(long_command, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 1);
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-line-length");
	h_free(&r);
}

/* A 10 MB message: text part, three base64 attachments, nested parts. */
static size_t
big_message(char **out, int long_name)
{
	size_t cap = 11u << 20, o = 0, i, part;
	char *m = malloc(cap);
	static const char b64[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	cr_assert_not_null(m);
	o += (size_t)sprintf(m + o,
			"From: \"Sender\" <sender@example.com>\r\nTo: a@example.com, b@example.com\r\n"
			"Subject: quarterly report\r\nMIME-Version: 1.0\r\n"
			"Content-Type: multipart/mixed;\r\n boundary=\"----=_Part_0_1234.5678\"\r\n\r\n"
			"This is a multi-part message in MIME format.\r\n"
			"------=_Part_0_1234.5678\r\n"
			"Content-Type: multipart/alternative; boundary=\"alt-boundary\"\r\n\r\n"
			"--alt-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n"
			"..a dot-stuffed line\r\n--alt-boundary\r\nContent-Type: text/html\r\n\r\n"
			"<p>Hello</p>\r\n--alt-boundary--\r\n");
	for (part = 0; part < 3; part++) {
		o += (size_t)sprintf(m + o,
				"------=_Part_0_1234.5678\r\nContent-Type: application/pdf;\r\n"
				" name=\"report-%zu.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
				"Content-Disposition: attachment;\r\n filename*0=\"report-%zu-%s\";\r\n"
				" filename*1=\".pdf\"\r\n\r\n",
				part, part, long_name && part == 2 ? "%s" : "q3");
		if (long_name && part == 2) {
			/* replace the %s placeholder with 300 characters */
			o -= 27;
			memset(m + o, 'L', 300);
			o += 300;
			o += (size_t)sprintf(m + o, "\";\r\n filename*1=\".pdf\"\r\n\r\n");
		}
		for (i = 0; i < 43000; i++) {
			size_t k;

			for (k = 0; k < 76; k++)
				m[o + k] = b64[(i * 7 + k * 13 + part) & 63];
			o += 76;
			m[o++] = '\r';
			m[o++] = '\n';
		}
	}
	o += (size_t)sprintf(m + o, "------=_Part_0_1234.5678--\r\n.\r\n");
	cr_assert_lt(o, cap);
	*out = m;
	return o;
}

Test(real, ten_megabyte_message_with_attachments, .timeout = 240)
{
	char *msg;
	struct h_step t[] = {
			S("220 mx.example.com ESMTP Postfix\r\n"),
			C("EHLO client.example.org\r\n"),
			S("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 20480000\r\n250-8BITMIME\r\n"
			  "250 DSN\r\n"),
			C("MAIL FROM:<sender@example.com> SIZE=10500000\r\nRCPT TO:<a@example.com>\r\n"
			  "RCPT TO:<b@example.com>\r\nDATA\r\n"),
			S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"),
			{ESMTP_DIR_C2S, NULL, 0},
			S("250 2.0.0 Ok: queued as 4F2B1C\r\n"),
			C("QUIT\r\n"),
			S("221 2.0.0 Bye\r\n"),
	};
	struct h_run r;

	t[5].len = big_message(&msg, 0);
	t[5].data = (const uint8_t *)msg;
	cr_assert_gt(t[5].len, 10000000);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner");
	cr_assert(memcmp(r.in[0], r.out[0], r.len[0]) == 0);
	h_free(&r);
	free(msg);

	/* the same with a 300-character continued file name in part 3 */
	t[5].len = big_message(&msg, 1);
	t[5].data = (const uint8_t *)msg;
	h_run(&pol, t, NSTEPS(t), H_WHOLE, 0, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-filename-length");
	h_free(&r);
	free(msg);
}
