/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client commands: verb allow-list, X-out, short commands, line length,
 * RCPT count, addresses, line termination, SASL, pipelining, STARTTLS.
 * Every transcript runs whole, byte by byte and at every split point.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

static struct esmtp_policy pol;

static void
setup(void)
{
	esmtp_policy_default(&pol);
}

TestSuite(cmd, .init = setup);

#define GREET S("220 mx ESMTP\r\n")
#define GREET_MASKED "220 *********\r\n"

Test(cmd, allowed_verbs_pass_untouched)
{
	static const struct h_step t[] = {
			GREET,
			C("HELO a\r\n"),
			S("250 ok\r\n"),
			C("helo b\r\n"),
			S("250 ok\r\n"),
			C("NOOP\r\n"),
			S("250 ok\r\n"),
			C("RSET\r\n"),
			S("250 ok\r\n"),
			C("VRFY x\r\n"),
			S("252 ok\r\n"),
			C("HELP\r\n"),
			S("214 ok\r\n"),
			C("ETRN x\r\n"),
			S("250 ok\r\n"),
			C("SEND FROM:<a@b>\r\n"),
			S("250 ok\r\n"),
			C("SOML FROM:<a@b>\r\n"),
			S("250 ok\r\n"),
			C("SAML FROM:<a@b>\r\n"),
			S("250 ok\r\n"),
			C("QUIT\r\n"),
			S("221 bye\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"HELO a\r\nhelo b\r\nNOOP\r\nRSET\r\nVRFY x\r\nHELP\r\nETRN x\r\n"
			"SEND FROM:<a@b>\r\nSOML FROM:<a@b>\r\nSAML FROM:<a@b>\r\nQUIT\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner");
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(cmd, unknown_verbs_x_out_whole_line)
{
	static const struct h_step t[] = {
			GREET,
			C("XEXCH50 1 2\r\n"),
			S("500 unknown\r\n"),
			C("EXPN staff\r\n"),
			S("500 unknown\r\n"),
			C("ATRN\r\n"),
			S("500 unknown\r\n"),
			C("VERB\r\n"),
			S("500 unknown\r\n"),
			C("ONEX\r\n"),
			S("500 unknown\r\n"),
			C("CHUNKING\r\n"),
			S("500 unknown\r\n"),
			C("STARTTLS\r\n"),
			S("500 unknown\r\n"),
			C("BDAT 10 LAST\r\n"),
			S("500 unknown\r\n"),
			C("MAILX FROM:<a>\r\n"),
			S("500 unknown\r\n"),
			C("NOOP\r\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;
	const struct esmtp_event *e;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"XXXXXXXXXXX\r\nXXXXXXXXXX\r\nXXXX\r\nXXXX\r\nXXXX\r\nXXXXXXXX\r\nXXXXXXXX\r\n"
			"XXXXXXXXXXXX\r\nXXXXXXXXXXXXXX\r\nNOOP\r\n");
	cr_assert_eq(h_count(&r, ESMTP_EV_CMD_UNKNOWN), 9);
	e = h_find(&r, ESMTP_EV_CMD_UNKNOWN, 0);
	cr_assert_eq(e->value_len, 7);
	cr_assert(memcmp(e->value, "XEXCH50", 7) == 0);
	cr_assert_eq(e->action, ESMTP_ACT_MASK);
	cr_assert_eq(e->audit, 0); /* counted, not logged, by default */
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(cmd, garbage_and_binary_x_out)
{
	static const struct h_step t[] = {
			GREET,
			C("\x01\x02\xff\xfe junk\r\n"),
			S("500 unknown\r\n"),
			C("GET / HTTP/1.0\r\n"),
			S("500 unknown\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), "XXXXXXXXX\r\nXXXXXXXXXXXXXX\r\n");
	h_free(&r);
}

Test(cmd, short_commands_x_out)
{
	static const struct h_step t[] = {
			GREET,
			C("HI\r\n"),
			S("500 x\r\n"),
			C("Q\r\n"),
			S("500 x\r\n"),
			C("HEL x\r\n"),
			S("500 x\r\n"),
			C("\r\n"),
			S("500 x\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), "XX\r\nX\r\nXXXXX\r\n\r\n");
	cr_assert_eq(h_count(&r, ESMTP_EV_CMD_SHORT), 4);
	h_free(&r);
}

Test(cmd, verb_split_across_segments_is_held)
{
	struct esmtp s;
	struct esmtp_result r;
	static const uint8_t a[] = "XEX";
	static const uint8_t b[] = "XEXCH50\r\n";
	static const uint8_t m[] = "MAI";
	static const uint8_t m2[] = "MAIL FROM:<a@b";
	static const uint8_t m3[] = "MAIL FROM:<a@b> SIZE=10\r\n";

	esmtp_init(&s, &pol);
	esmtp_push(&s, ESMTP_DIR_S2C, (const uint8_t *)"220 x\r\n", 7, &r);
	/* Telnet-style: never forward half a bad verb. */
	esmtp_push(&s, ESMTP_DIR_C2S, a, 3, &r);
	cr_assert_eq(r.consumed, 0);
	cr_assert_eq(r.n_edits, 0);
	cr_assert_eq(r.overflow, 0);
	esmtp_push(&s, ESMTP_DIR_C2S, b, 9, &r);
	cr_assert_eq(r.consumed, 9);
	cr_assert_eq(r.n_edits, 1);
	cr_assert_eq(r.edits[0].off, 0);
	cr_assert_eq(r.edits[0].len, 7);
	cr_assert_eq(r.edits[0].fill, 'X');
	esmtp_push(&s, ESMTP_DIR_S2C, (const uint8_t *)"500 x\r\n", 7, &r);
	/* MAIL: held until the address is complete, then streams. */
	esmtp_push(&s, ESMTP_DIR_C2S, m, 3, &r);
	cr_assert_eq(r.consumed, 0);
	esmtp_push(&s, ESMTP_DIR_C2S, m2, sizeof(m2) - 1, &r);
	cr_assert_eq(r.consumed, 0);
	esmtp_push(&s, ESMTP_DIR_C2S, m3, 16, &r);
	cr_assert_eq(r.consumed, 16);
	esmtp_push(&s, ESMTP_DIR_C2S, m3 + 16, sizeof(m3) - 17, &r);
	cr_assert_eq(r.consumed, sizeof(m3) - 17);
	cr_assert_eq(s.size_decl, 10);
}

Test(cmd, hold_is_bounded)
{
	struct esmtp s;
	struct esmtp_result r;
	uint8_t line[600];

	esmtp_init(&s, &pol);
	esmtp_push(&s, ESMTP_DIR_S2C, (const uint8_t *)"220 x\r\n", 7, &r);
	/* A verb that never ends is decided at ESMTP_VERB_HOLD bytes. */
	memset(line, 'A', sizeof(line));
	esmtp_push(&s, ESMTP_DIR_C2S, line, ESMTP_VERB_HOLD - 1, &r);
	cr_assert_eq(r.consumed, 0);
	esmtp_push(&s, ESMTP_DIR_C2S, line, ESMTP_VERB_HOLD, &r);
	cr_assert_eq(r.consumed, ESMTP_VERB_HOLD);
	cr_assert_eq(r.edits[0].len, ESMTP_VERB_HOLD);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	/* 513th byte: drop-connection, no CR LF needed. */
	esmtp_push(&s, ESMTP_DIR_C2S, line, 512 - ESMTP_VERB_HOLD, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	esmtp_push(&s, ESMTP_DIR_C2S, line, 1, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.events[0].id, ESMTP_EV_CMD_LINE_LENGTH);
	cr_assert_eq(r.events[0].rule, 0);
	cr_assert_eq(r.events[0].audit, 108004);
	cr_assert_eq(r.events[0].value_len, 3);
	cr_assert(memcmp(r.events[0].value, "513", 3) == 0);
	/* sticky, both directions */
	esmtp_push(&s, ESMTP_DIR_S2C, line, 5, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.consumed, 5);
	cr_assert_eq(r.n_events, 0);
}

Test(cmd, mail_hold_bounded_at_514)
{
	struct esmtp s;
	struct esmtp_result r;
	uint8_t line[600];

	esmtp_init(&s, &pol);
	esmtp_push(&s, ESMTP_DIR_S2C, (const uint8_t *)"220 x\r\n", 7, &r);
	memcpy(line, "MAIL FROM:<", 11);
	memset(line + 11, 'a', sizeof(line) - 11);
	esmtp_push(&s, ESMTP_DIR_C2S, line, ESMTP_HOLD_MAX - 1, &r);
	cr_assert_eq(r.consumed, 0);
	esmtp_push(&s, ESMTP_DIR_C2S, line, ESMTP_HOLD_MAX, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	/* the address is already longer than 320 */
	cr_assert_eq(r.events[0].id, ESMTP_EV_SENDER_ADDRESS_LENGTH);
}

Test(cmd, line_length_512_passes_513_drops)
{
	static char ok[512 + 3], bad[513 + 3];
	struct h_step t[] = {
			GREET,
			{ESMTP_DIR_C2S, NULL, 0},
			S("250 ok\r\n"),
			{ESMTP_DIR_C2S, NULL, 0},
			S("250 ok\r\n"),
	};
	struct h_run r;

	memcpy(ok, "NOOP ", 5);
	memset(ok + 5, 'a', 507);
	memcpy(ok + 512, "\r\n", 3);
	memcpy(bad, "NOOP ", 5);
	memset(bad + 5, 'a', 508);
	memcpy(bad + 513, "\r\n", 3);
	t[1].data = (const uint8_t *)ok;
	t[1].len = 514;
	t[3].data = (const uint8_t *)bad;
	t[3].len = 515;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 3);
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-line-length");
	h_free(&r);
}

Test(cmd, x_out_line_still_length_checked)
{
	static char bad[600];
	struct h_step t[] = {GREET, {ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;

	memcpy(bad, "XUNKNOWN ", 9);
	memset(bad + 9, 'b', 520);
	memcpy(bad + 529, "\r\n", 2);
	t[1].data = (const uint8_t *)bad;
	t[1].len = 531;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-unknown,cmd-line-length");
	h_free(&r);
}

static size_t
build_rcpts(char *buf, unsigned int n)
{
	size_t o = 0;
	unsigned int i;

	o += (size_t)sprintf(buf + o, "MAIL FROM:<a@b.c>\r\n");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "RCPT TO:<u%u@b.c>\r\n", i);
	return o;
}

Test(cmd, rcpt_100_passes_101_drops)
{
	static char buf[8192];
	struct h_step t[] = {GREET, C("EHLO x\r\n"), S("250-mx\r\n250 PIPELINING\r\n"),
			{ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;
	const struct esmtp_event *e;

	t[3].data = (const uint8_t *)buf;
	t[3].len = build_rcpts(buf, 100);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_eq(h_count(&r, ESMTP_EV_CMD_RCPT_COUNT), 0);
	h_free(&r);

	t[3].len = build_rcpts(buf, 101);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	e = h_find(&r, ESMTP_EV_CMD_RCPT_COUNT, 0);
	cr_assert_not_null(e);
	cr_assert_eq(e->rule, 1);
	cr_assert_eq(e->value_len, 3);
	cr_assert(memcmp(e->value, "101", 3) == 0);
	h_free(&r);
}

Test(cmd, rcpt_count_is_per_transaction)
{
	static char buf[16384];
	struct h_step t[] = {GREET, C("EHLO x\r\n"), S("250-mx\r\n250 PIPELINING\r\n"),
			{ESMTP_DIR_C2S, NULL, 0}, C("RSET\r\n"), {ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;

	t[3].data = (const uint8_t *)buf;
	t[3].len = build_rcpts(buf, 80);
	t[5].data = (const uint8_t *)buf;
	t[5].len = t[3].len;
	h_run(&pol, t, NSTEPS(t), H_WHOLE, 0, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(cmd, sender_320_passes_321_drops)
{
	static char ok[400], bad[400];
	struct h_step t[] = {
			GREET, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n"), {ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;
	const struct esmtp_event *e;

	memcpy(ok, "MAIL FROM:<", 11);
	memset(ok + 11, 'a', 320);
	memcpy(ok + 331, "> SIZE=5\r\n", 10);
	memcpy(bad, "MAIL FROM:<", 11);
	memset(bad + 11, 'a', 321);
	memcpy(bad + 332, ">\r\n", 3);
	t[1].data = (const uint8_t *)ok;
	t[1].len = 341;
	t[3].data = (const uint8_t *)bad;
	t[3].len = 335;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 3);
	e = h_find(&r, ESMTP_EV_SENDER_ADDRESS_LENGTH, 0);
	cr_assert_not_null(e);
	cr_assert_eq(e->rule, 4);
	cr_assert_str_eq(h_events(&r), "mask-banner,sender-address-length");
	h_free(&r);
}

Test(cmd, pipe_in_address_terminates_108003)
{
	static const struct h_step t[] = {
			GREET,
			C("HELO a\r\n"),
			S("250 ok\r\n"),
			C("MAIL FROM:<a@b>\r\n"),
			S("250 ok\r\n"),
			C("RCPT TO:<|/bin/sh@x>\r\n"),
			S("250 ok\r\n"),
	};
	static const struct h_step t2[] = {
			GREET,
			C("HELO a\r\n"),
			S("250 ok\r\n"),
			C("MAIL FROM:<a|b@c>\r\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;
	const struct esmtp_event *e;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	e = h_find(&r, ESMTP_EV_ADDR_PIPE, 0);
	cr_assert_not_null(e);
	cr_assert_eq(e->audit, 108003);
	cr_assert_eq(e->value_len, 10);
	cr_assert(memcmp(e->value, "|/bin/sh@x", 10) == 0);
	h_free(&r);
	h_check(&pol, t2, NSTEPS(t2), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 3);
	h_free(&r);
}

Test(cmd, pipe_outside_address_is_fine)
{
	static const struct h_step t[] = {
			GREET,
			C("HELO a|b\r\n"),
			S("250 ok\r\n"),
			C("MAIL FROM:<a@b> X=|\r\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(cmd, special_characters_off_by_default)
{
	static const struct h_step t[] = {
			GREET,
			C("HELO a\r\n"),
			S("250 ok\r\n"),
			C("MAIL FROM:<a;b(c)@d>\r\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), "HELO a\r\nMAIL FROM:<a;b(c)@d>\r\n");
	h_free(&r);
}

Test(cmd, special_characters_replaced_108002)
{
	static const struct h_step t[] = {
			GREET,
			C("HELO a\r\n"),
			S("250 ok\r\n"),
			C("MAIL FROM:<a;b(c)@d\\e> SIZE=1\r\n"),
			S("250 ok\r\n"),
			C("RCPT TO:<x,y\"@z>\r\n"),
			S("250 ok\r\n"),
			C("RCPT TO:<ok@z>\r\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;
	const struct esmtp_event *e;

	esmtp_policy_set_special_char(&pol, 1, ESMTP_ACT_MASK);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"HELO a\r\nMAIL FROM:<a b c @d e> SIZE=1\r\nRCPT TO:<x y @z>\r\nRCPT TO:<ok@z>\r\n");
	cr_assert_eq(h_count(&r, ESMTP_EV_ADDR_SPECIAL), 2);
	e = h_find(&r, ESMTP_EV_ADDR_SPECIAL, 0);
	cr_assert_eq(e->audit, 108002);
	cr_assert_eq(e->value_len, 10);
	cr_assert(memcmp(e->value, "a;b(c)@d\\e", 10) == 0);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(cmd, special_characters_drop_action)
{
	static const struct h_step t[] = {
			GREET,
			C("HELO a\r\n"),
			S("250 ok\r\n"),
			C("MAIL FROM:<a;b@d>\r\n"),
	};
	struct h_run r;

	esmtp_policy_set_special_char(&pol, 1, ESMTP_ACT_DROP_CONN);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(h_find(&r, ESMTP_EV_ADDR_SPECIAL, 0)->audit, 108002);
	h_free(&r);
}

Test(cmd, many_special_characters_overflow_edits)
{
	static char line[256];
	struct h_step t[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"), {ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;
	size_t o, i;
	char want[256];

	esmtp_policy_set_special_char(&pol, 1, ESMTP_ACT_MASK);
	o = (size_t)sprintf(line, "MAIL FROM:<");
	for (i = 0; i < 40; i++)
		line[o++] = (i & 1) ? 'a' : ';';
	o += (size_t)sprintf(line + o, "@d>\r\n");
	t[3].data = (const uint8_t *)line;
	t[3].len = o;
	memcpy(want, "HELO a\r\n", 8);
	memcpy(want + 8, line, o);
	for (i = 0; i < o; i++)
		if (want[8 + i] == ';')
			want[8 + i] = ' ';
	want[8 + o] = '\0';
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), want);
	h_free(&r);
}

Test(cmd, bare_lf_and_bare_cr_in_commands)
{
	static const struct h_step t[] = {
			GREET,
			C("HELO a\n"),
			S("250 ok\r\n"),
			C("NOOP x\ry\r\n"),
			S("250 ok\r\n"),
			C("NOOP\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;
	const struct esmtp_event *e;

	h_check(&pol, t, NSTEPS(t), &r);
	/* once per connection each, log by default */
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-bare-lf,cmd-bare-cr");
	e = h_find(&r, ESMTP_EV_CMD_BARE_LF, 0);
	cr_assert_eq(e->audit, 108005);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(cmd, bare_lf_drop_when_configured)
{
	static const struct h_step t[] = {GREET, C("HELO a\n")};
	struct h_run r;

	esmtp_policy_set_event(&pol, ESMTP_EV_CMD_BARE_LF, ESMTP_ACT_DROP_CONN, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(h_find(&r, ESMTP_EV_CMD_BARE_LF, 0)->audit, 108004);
	h_free(&r);
}

Test(cmd, auth_login_sasl_lines_not_x_ed)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250-mx\r\n250 AUTH LOGIN PLAIN\r\n"),
			C("AUTH LOGIN\r\n"),
			S("334 VXNlcm5hbWU6\r\n"),
			C("dXNlcm5hbWUuY29t\r\n"),
			S("334 UGFzc3dvcmQ6\r\n"),
			C("cGFzc3dvcmQ=\r\n"),
			S("235 2.7.0 Authentication successful\r\n"),
			C("XBAD\r\n"),
			S("500 x\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"EHLO a\r\nAUTH LOGIN\r\ndXNlcm5hbWUuY29t\r\ncGFzc3dvcmQ=\r\nXXXX\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-unknown");
	h_free(&r);
}

Test(cmd, auth_plain_and_cancel)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250-mx\r\n250 AUTH PLAIN\r\n"),
			C("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"),
			S("235 ok\r\n"),
			C("AUTH PLAIN\r\n"),
			S("334 \r\n"),
			C("*\r\n"),
			S("501 cancelled\r\n"),
			C("QUIT\r\n"),
			S("221 bye\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"EHLO a\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\nAUTH PLAIN\r\n*\r\nQUIT\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);
}

Test(cmd, long_sasl_line_not_length_checked)
{
	static char sasl[2000];
	struct h_step t[] = {GREET, C("EHLO a\r\n"), S("250 AUTH GSSAPI\r\n"), C("AUTH GSSAPI\r\n"),
			S("334 \r\n"), {ESMTP_DIR_C2S, NULL, 0}, S("235 ok\r\n")};
	struct h_run r;

	memset(sasl, 'Q', 1500);
	memcpy(sasl + 1500, "\r\n", 2);
	t[5].data = (const uint8_t *)sasl;
	t[5].len = 1502;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);
}

/* An AUTH line of n bytes before CR LF: "AUTH XOAUTH2 " and a token. */
static size_t
auth_line(char *buf, size_t n)
{
	memcpy(buf, "AUTH XOAUTH2 ", 13);
	memset(buf + 13, 'd', n - 13);
	memcpy(buf + n, "\r\n", 2);
	return n + 2;
}

/* RFC 4954 4: 12,288 octets are allowed; the ASA's 512 rule does not apply. */
Test(cmd, auth_initial_response_up_to_12288_passes)
{
	static char line[12300];
	struct h_step t[] = {GREET, C("EHLO a\r\n"), S("250 AUTH XOAUTH2\r\n"),
			{ESMTP_DIR_C2S, NULL, 0}, S("235 ok\r\n"), C("QUIT\r\n"), S("221 bye\r\n")};
	struct h_run r;

	t[3].data = (const uint8_t *)line;
	t[3].len = auth_line(line, 12288);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner");
	cr_assert_eq(memcmp(r.out[0] + 8, line, t[3].len), 0, "the AUTH line was changed");
	h_free(&r);
}

Test(cmd, auth_line_over_12288_drops)
{
	static char line[13400];
	struct h_step t[] = {GREET, C("EHLO a\r\n"), S("250 AUTH XOAUTH2\r\n"),
			{ESMTP_DIR_C2S, NULL, 0}, S("235 ok\r\n")};
	struct h_run r;
	const struct esmtp_event *e;

	t[3].data = (const uint8_t *)line;
	t[3].len = auth_line(line, 13312);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,auth-line-length");
	e = h_find(&r, ESMTP_EV_AUTH_LINE_LENGTH, 0);
	cr_assert_eq(e->audit, 108004);
	cr_assert_eq(e->value_len, 5);
	cr_assert_eq(memcmp(e->value, "12289", 5), 0);
	h_free(&r);
}

Test(cmd, sasl_response_over_12288_drops)
{
	static char sasl[13400];
	struct h_step t[] = {GREET, C("EHLO a\r\n"), S("250 AUTH LOGIN\r\n"), C("AUTH LOGIN\r\n"),
			S("334 VXNlcm5hbWU6\r\n"), C("dXNlcg==\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
			{ESMTP_DIR_C2S, NULL, 0}, S("235 ok\r\n")};
	struct h_run r;

	memset(sasl, 'Q', 13000);
	memcpy(sasl + 13000, "\r\n", 2);
	t[7].data = (const uint8_t *)sasl;
	t[7].len = 13002;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,auth-line-length");
	h_free(&r);
}

/* auth-line-length 512 is the ASA's behaviour; other commands keep the
 * cmd-line-length rule whatever the AUTH limit. */
Test(cmd, auth_line_limit_is_configurable)
{
	static char line[700];
	struct h_step t[] = {GREET, C("EHLO a\r\n"), S("250 AUTH XOAUTH2\r\n"),
			{ESMTP_DIR_C2S, NULL, 0}, S("235 ok\r\n")};
	struct h_run r;

	t[3].data = (const uint8_t *)line;
	t[3].len = auth_line(line, 600);
	esmtp_policy_set_auth_line_max(&pol, 512);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,auth-line-length");
	h_free(&r);

	esmtp_policy_set_auth_line_max(&pol, 0); /* back to the default */
	cr_assert_eq(pol.auth_line_max, ESMTP_AUTH_LINE_MAX);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);

	memcpy(line, "NOOP", 4); /* not AUTH: the 512 rule */
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-line-length");
	h_free(&r);
}

Test(cmd, pipelining_allowed_when_advertised)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250-mx\r\n250 PIPELINING\r\n"),
			C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\n"),
			S("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
			C("Subject: x\r\n\r\nhi\r\n.\r\n"),
			S("250 queued\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);
}

Test(cmd, pipelining_not_advertised_is_anomaly)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250-mx\r\n250 SIZE 100\r\n"),
			C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
			S("250 ok\r\n250 ok\r\n"),
	};
	struct h_run r;
	const struct esmtp_event *e;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,pipelining");
	e = h_find(&r, ESMTP_EV_PIPELINING, 0);
	cr_assert_eq(e->value_len, 4);
	cr_assert(memcmp(e->value, "RCPT", 4) == 0);
	h_free(&r);
}

Test(cmd, pipelining_masked_keyword_does_not_count)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250-mx\r\n250 PIPELINING\r\n"),
			C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
			S("250 ok\r\n250 ok\r\n"),
	};
	struct esmtp_rule rule = {0};
	struct h_run r;

	rule.crit = ESMTP_CRIT_EHLO_REPLY_PARAMETER;
	rule.set = 1u << ESMTP_EHLO_PIPELINING;
	rule.action = ESMTP_ACT_MASK;
	esmtp_policy_add_rule(&pol, &rule);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1),
			"220 ********\r\n250-mx\r\n250 XXXXXXXXXX\r\n250 ok\r\n250 ok\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner,ehlo-reply-parameter,pipelining");
	h_free(&r);
}

Test(cmd, pipelining_after_group_ender)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\nMAIL FROM:<a@b>\r\n"),
			S("250-mx\r\n250 PIPELINING\r\n250 ok\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,pipelining");
	h_free(&r);
}

Test(cmd, client_talks_before_greeting)
{
	static const struct h_step t[] = {C("EHLO a\r\n"), GREET, S("250 ok\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "early-talker,mask-banner");
	h_free(&r);
}

Test(cmd, starttls_stripped_by_default)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250-mx\r\n250-STARTTLS\r\n250 SIZE\r\n"),
			C("STARTTLS\r\n"),
			S("500 unknown command\r\n"),
			C("QUIT\r\n"),
	};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 1),
			"220 ********\r\n250-mx\r\n250-XXXXXXXX\r\n250 SIZE\r\n500 unknown command\r\n");
	cr_assert_str_eq(h_out(&r, 0), "EHLO a\r\nXXXXXXXX\r\nQUIT\r\n");
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(cmd, allow_tls_bypass_108007)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250-mx\r\n250-STARTTLS\r\n250 SIZE\r\n"),
			C("STARTTLS\r\n"),
			S("220 2.0.0 Ready to start TLS\r\n"),
			C("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
			S("\x16\x03\x03\x00\x5d"),
	};
	struct h_run r;
	const struct esmtp_event *e;

	esmtp_policy_set_allow_tls(&pol, 1, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_BYPASS);
	cr_assert_eq(r.stop_step, 4);
	cr_assert_str_eq(h_out(&r, 1),
			"220 ********\r\n250-mx\r\n250-STARTTLS\r\n250 SIZE\r\n"
			"220 2.0.0 Ready to start TLS\r\n\x16\x03\x03\x00\x5d");
	e = h_find(&r, ESMTP_EV_TLS_STARTED, 0);
	cr_assert_not_null(e);
	cr_assert_eq(e->audit, 108007);
	cr_assert_eq(e->action, ESMTP_ACT_BYPASS);
	h_free(&r);
}

Test(cmd, allow_tls_refused_goes_on)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250 STARTTLS\r\n"),
			C("STARTTLS\r\n"),
			S("454 TLS not available\r\n"),
			C("MAIL FROM:<a@b>\r\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;

	esmtp_policy_set_allow_tls(&pol, 1, 0);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);
}

Test(cmd, starttls_injection_drops)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("250 STARTTLS\r\n"),
			C("STARTTLS\r\nRSET\r\n"),
			S("220 go ahead\r\n"),
	};
	struct h_run r;

	esmtp_policy_set_allow_tls(&pol, 1, 1);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 3);
	cr_assert_str_eq(h_events(&r), "mask-banner,starttls-injection");
	h_free(&r);
}

Test(cmd, smtp_mode_allows_rfc821_seven_only)
{
	static const struct h_step t[] = {
			GREET,
			C("EHLO a\r\n"),
			S("500 x\r\n"),
			C("HELO a\r\n"),
			S("250 ok\r\n"),
			C("VRFY x\r\n"),
			S("500 x\r\n"),
			C("MAIL FROM:<a@b>\r\n"),
			S("250 ok\r\n"),
	};
	struct h_run r;

	esmtp_policy_set_mode(&pol, ESMTP_MODE_SMTP);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), "XXXXXX\r\nHELO a\r\nXXXXXX\r\nMAIL FROM:<a@b>\r\n");
	h_free(&r);
}

Test(cmd, verb_allowed_by_policy)
{
	static const struct h_step t[] = {GREET, C("EXPN list\r\n"), S("250 ok\r\n"),
			C("VRFY x\r\n"), S("252 ok\r\n")};
	struct h_run r;

	esmtp_policy_set_verb(&pol, ESMTP_VERB_EXPN, 1);
	esmtp_policy_set_verb(&pol, ESMTP_VERB_VRFY, 0);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), "EXPN list\r\nXXXXXX\r\n");
	h_free(&r);
}

Test(cmd, cmd_verb_rule_mask_and_log)
{
	static const struct h_step t[] = {
			GREET, C("VRFY root\r\n"), S("500 x\r\n"), C("HELP\r\n"), S("214 ok\r\n")};
	struct esmtp_rule rule = {0};
	struct h_run r;
	const struct esmtp_event *e;

	rule.crit = ESMTP_CRIT_CMD_VERB;
	rule.set = 1u << ESMTP_VERB_VRFY;
	rule.action = ESMTP_ACT_MASK;
	rule.log = 1;
	cr_assert_eq(esmtp_policy_add_rule(&pol, &rule), 7);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_out(&r, 0), "XXXXXXXXX\r\nHELP\r\n");
	e = h_find(&r, ESMTP_EV_CMD_VERB, 0);
	cr_assert_eq(e->rule, 7);
	cr_assert_eq(e->audit, 108004);
	cr_assert_eq(r.counters.rules[7], 1);
	h_free(&r);
}

static int
match_spammer(void *arg, const uint8_t *s, size_t n)
{
	(void)arg;
	return n >= 8 && memcmp(s + n - 8, "@spam.ex", 8) == 0;
}

Test(cmd, sender_regex_glob_and_callback)
{
	static const struct h_step t[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<User1@Cisco.com>\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<bob@spam.ex>\r\n"), S("250 ok\r\n")};
	struct esmtp_rule rule = {0};
	struct h_run r;
	const struct esmtp_event *e;

	rule.crit = ESMTP_CRIT_SENDER_ADDRESS_REGEX;
	rule.glob = "user1@cisco.com";
	rule.action = ESMTP_ACT_LOG;
	rule.log = 1;
	esmtp_policy_add_rule(&pol, &rule);
	rule.glob = NULL;
	rule.match = match_spammer;
	rule.action = ESMTP_ACT_DROP_CONN;
	esmtp_policy_add_rule(&pol, &rule);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 5);
	cr_assert_eq(h_count(&r, ESMTP_EV_SENDER_ADDRESS_REGEX), 2);
	e = h_find(&r, ESMTP_EV_SENDER_ADDRESS_REGEX, 0);
	cr_assert_eq(e->rule, 7);
	cr_assert_eq(e->audit, 108005);
	cr_assert_eq(e->value_len, 15);
	h_free(&r);
}

Test(cmd, mail_relay_domain)
{
	static const struct h_step t[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<a@x.org>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<b@Example.COM>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<c@mail.example.com>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<postmaster>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<d@badexample.com>\r\n"), S("250 ok\r\n")};
	struct h_run r;

	cr_assert_eq(esmtp_policy_set_mail_relay(&pol, "example.com", ESMTP_ACT_DROP_CONN), 0);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(r.stop_step, 11);
	cr_assert_eq(h_count(&r, ESMTP_EV_MAIL_RELAY), 1);
	h_free(&r);
}

Test(cmd, mail_relay_domain_list)
{
	static const struct h_step t[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<a@x.org>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<b@example.com>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<c@Other.ORG>\r\n"), S("250 ok\r\n"),
			C("RCPT TO:<d@third.net>\r\n"), S("250 ok\r\n")};
	struct h_run r;

	cr_assert_eq(esmtp_policy_set_mail_relay(
				     &pol, "example.com,other.org", ESMTP_ACT_DROP_CONN),
			0);
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN, "third.net is in neither local domain");
	cr_assert_eq(r.stop_step, 9);
	cr_assert_eq(h_count(&r, ESMTP_EV_MAIL_RELAY), 1);
	h_free(&r);
}

Test(cmd, rcpt_bare_address_and_no_colon)
{
	static const struct h_step t[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:a|b@c SIZE=3\r\n"), S("250 ok\r\n")};
	static const struct h_step t2[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"), C("MAIL x\r\n"),
			S("501 syntax\r\n"), C("RCPT\r\n"), S("501 syntax\r\n")};
	struct h_run r;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	h_check(&pol, t2, NSTEPS(t2), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_out(&r, 0), "HELO a\r\nMAIL x\r\nRCPT\r\n");
	h_free(&r);
}

Test(cmd, overflow_many_unknown_commands_in_one_push)
{
	static char buf[4096];
	struct h_step t[] = {GREET, {ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;
	size_t o = 0, i;

	for (i = 0; i < 60; i++)
		o += (size_t)sprintf(buf + o, "ZZZZ %zu\r\n", i);
	t[1].data = (const uint8_t *)buf;
	t[1].len = o;
	h_run(&pol, t, NSTEPS(t), H_WHOLE, 0, &r);
	cr_assert_eq(h_count(&r, ESMTP_EV_CMD_UNKNOWN), 60);
	cr_assert_eq(r.decided[0], o);
	for (i = 0; i < o; i++)
		cr_assert(r.out[0][i] == 'X' || r.out[0][i] == '\r' || r.out[0][i] == '\n');
	h_free(&r);
}

static char trace_buf[4096];

static void
trace_fn(void *arg, enum esmtp_dir dir, const char *what, const uint8_t *line, size_t len)
{
	size_t o = strlen(trace_buf);

	(void)arg;
	(void)line;
	(void)len;
	snprintf(trace_buf + o, sizeof(trace_buf) - o, "%c:%s;", dir == ESMTP_DIR_C2S ? 'c' : 's',
			what);
}

Test(cmd, trace_hook)
{
	static const struct h_step t[] = {
			GREET, C("HELO a\r\n"), S("250 ok\r\n"), C("XYZZ\r\n"), S("500 x\r\n")};
	struct h_run r;

	trace_buf[0] = '\0';
	esmtp_policy_set_trace(&pol, trace_fn, NULL);
	h_run(&pol, t, NSTEPS(t), H_WHOLE | H_TRACE, 0, &r);
	cr_assert_str_eq(trace_buf, "s:reply 220;c:cmd allow;s:reply 250;c:cmd x-out;s:reply 500;");
	h_free(&r);
	/* A connection whose trace is off costs the hook nothing. */
	trace_buf[0] = '\0';
	h_run(&pol, t, NSTEPS(t), H_WHOLE, 0, &r);
	cr_assert_str_eq(trace_buf, "", "traced without esmtp_set_trace: %s", trace_buf);
	h_free(&r);
	esmtp_policy_set_trace(&pol, NULL, NULL);
}

Test(cmd, blind_pipelining_after_data_is_held_until_the_answer)
{
	/* DATA accepted: the held lines are content (not X-ed) */
	static const struct h_step ok[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: x\r\n\r\nXEXCH50\r\n.\r\n"),
			S("250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n")};
	/* DATA refused: the same lines are commands for the server, so X-ed */
	static const struct h_step no[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"),
			C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nXEXCH50\r\n"),
			S("250 ok\r\n550 no\r\n554 no valid recipients\r\n500 x\r\n")};
	struct h_run r;

	h_check(&pol, ok, NSTEPS(ok), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"HELO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
			"Subject: x\r\n\r\nXEXCH50\r\n.\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner,pipelining,pipelining");
	cr_assert_eq(r.retries, 1);
	h_free(&r);
	h_check(&pol, no, NSTEPS(no), &r);
	cr_assert_str_eq(h_out(&r, 0),
			"HELO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
			"XXXXXXX\r\n");
	cr_assert_str_eq(h_events(&r), "mask-banner,pipelining,pipelining,cmd-unknown");
	h_free(&r);
}

Test(cmd, held_after_data_bounded)
{
	static char buf[1024];
	struct h_step t[] = {GREET, C("HELO a\r\n"), S("250 ok\r\n"), C("DATA\r\n"),
			{ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;

	memset(buf, 'Z', 600);
	t[4].data = (const uint8_t *)buf;
	t[4].len = 600;
	h_check(&pol, t, NSTEPS(t), &r);
	/* no answer within 514 bytes: taken as a command (and too long) */
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,cmd-unknown,pipelining,cmd-line-length");
	h_free(&r);
}
