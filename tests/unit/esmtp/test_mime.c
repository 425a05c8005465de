/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MIME: multipart nesting, file names (plain, quoted, folded, RFC 2231
 * continuations and encodings), media types and transfer encodings.
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

TestSuite(mime, .init = setup);

#define OPEN \
	S("220 x\r\n"), C("HELO a\r\n"), S("250 ok\r\n"), C("MAIL FROM:<a@b>\r\n"), \
		S("250 ok\r\n"), C("RCPT TO:<c@d>\r\n"), S("250 ok\r\n"), C("DATA\r\n"), \
		S("354 go\r\n")

static char msgbuf[65536];

/* A multipart/mixed message with one attachment header block. */
static size_t
mk_msg(const char *part_headers)
{
	return (size_t)snprintf(msgbuf, sizeof(msgbuf),
		"From: a@b\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed;\r\n\tboundary=\"=_outer_\"\r\n\r\n"
		"preamble\r\n--=_outer_\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
		"--=_outer_\r\n%s\r\nQUJD\r\n--=_outer_--\r\nepilogue\r\n.\r\n",
		part_headers);
}

static void
run_msg(const char *part_headers, struct h_run *r)
{
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};

	t[9].data = (const uint8_t *)msgbuf;
	t[9].len = mk_msg(part_headers);
	h_check(&pol, t, NSTEPS(t), r);
}

static char *
name_of(size_t n)
{
	char *s = malloc(n + 1);

	memset(s, 'n', n);
	memcpy(s + n - 4, ".exe", 4);
	s[n] = '\0';
	return s;
}

Test(mime, filename_255_passes_256_drops)
{
	char *ok = name_of(255), *bad = name_of(256);
	static char hdr[1024];
	struct h_run r;
	const struct esmtp_event *e;

	snprintf(hdr, sizeof(hdr),
		"Content-Type: application/octet-stream\r\n"
		"Content-Disposition: attachment; filename=\"%s\"\r\n",
		ok);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner");
	h_free(&r);

	snprintf(hdr, sizeof(hdr),
		"Content-Type: application/octet-stream\r\n"
		"Content-Disposition: attachment; filename=\"%s\"\r\n",
		bad);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	e = h_find(&r, ESMTP_EV_MIME_FILENAME_LENGTH, 0);
	cr_assert_not_null(e);
	cr_assert_eq(e->rule, 5);
	cr_assert_eq(e->audit, 108004);
	cr_assert_eq(e->value_len, ESMTP_EVENT_VALUE);
	cr_assert(memcmp(e->value, bad, ESMTP_EVENT_VALUE) == 0);
	h_free(&r);
	free(ok);
	free(bad);
}

Test(mime, content_type_name_token_and_folded)
{
	char *bad = name_of(300);
	static char hdr[1024];
	struct h_run r;

	/* token value (no quotes), after a fold */
	snprintf(hdr, sizeof(hdr), "Content-Type: application/x-msdownload;\r\n name=%s\r\n", bad);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(h_count(&r, ESMTP_EV_MIME_FILENAME_LENGTH), 1);
	h_free(&r);
	free(bad);
}

Test(mime, quoted_name_folded_inside_quotes)
{
	static char hdr[2048];
	char *a = name_of(200), *b = name_of(100);
	struct h_run r;

	/* 200 + fold (CR LF removed, the blank kept) + 100 = 301 */
	snprintf(hdr, sizeof(hdr),
		"Content-Disposition: attachment;\r\n filename=\"%s\r\n %s\"\r\n", a, b);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	free(a);
	free(b);
}

Test(mime, quoted_escapes_count_once)
{
	static char hdr[1024];
	char name[600];
	size_t i, o = 0;
	struct h_run r;

	/* 250 characters, 10 of them escaped: 260 bytes on the wire, 250 decoded */
	for (i = 0; i < 250; i++) {
		if (i % 25 == 0)
			name[o++] = '\\';
		name[o++] = 'q';
	}
	name[o] = '\0';
	snprintf(hdr, sizeof(hdr), "Content-Disposition: attachment; filename=\"%s\"\r\n", name);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(mime, rfc2231_continuations_joined)
{
	static char hdr[2048];
	char *a = name_of(100);
	struct h_run r;

	/* 3 pieces of 100 = 300 > 255, though each piece is short */
	snprintf(hdr, sizeof(hdr),
		"Content-Disposition: attachment;\r\n filename*0=\"%s\";\r\n filename*1=%s;\r\n"
		" filename*2=\"%s\"\r\n",
		a, a, a);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_eq(h_count(&r, ESMTP_EV_MIME_FILENAME_LENGTH), 1);
	h_free(&r);

	/* 2 pieces of 100: 200, fine */
	snprintf(hdr, sizeof(hdr),
		"Content-Disposition: attachment;\r\n filename*0=\"%s\";\r\n filename*1=%s\r\n", a,
		a);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
	free(a);
}

Test(mime, rfc2231_extended_percent_decoding)
{
	static char hdr[2048];
	char enc[1024];
	size_t i, o = 0;
	struct h_run r;

	/* 250 decoded bytes, written as %E2%82%AC... : 750 bytes on the wire */
	for (i = 0; i < 250; i++)
		o += (size_t)sprintf(enc + o, "%%%02X", (unsigned int)(0x80 + i % 64));
	snprintf(hdr, sizeof(hdr), "Content-Disposition: attachment;\r\n filename*=utf-8'en'%s\r\n",
		enc);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);

	/* charset'lang' is not part of the name; 256 decoded bytes drop */
	o = 0;
	for (i = 0; i < 128; i++)
		o += (size_t)sprintf(enc + o, "%%41b");
	snprintf(hdr, sizeof(hdr),
		"Content-Disposition: attachment;\r\n filename*0*=us-ascii'en'%s;\r\n"
		" filename*1*=%%42\r\n",
		enc);
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
}

Test(mime, filename_outside_multipart_headers_is_checked)
{
	/* single-part message with a file name in the top header */
	char *bad = name_of(400);
	static char msg[1024];
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}};
	struct h_run r;

	t[9].len = (size_t)snprintf(msg, sizeof(msg),
		"Content-Type: application/pdf; name=\"%s\"\r\n\r\nJVBERi0=\r\n.\r\n", bad);
	t[9].data = (const uint8_t *)msg;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	free(bad);
}

Test(mime, filename_in_body_text_is_not_a_header)
{
	char *bad = name_of(400);
	static char msg[1024];
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};
	struct h_run r;

	t[9].len = (size_t)snprintf(msg, sizeof(msg),
		"Subject: x\r\n\r\nContent-Disposition: attachment; filename=\"%s\"\r\n.\r\n", bad);
	t[9].data = (const uint8_t *)msg;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
	free(bad);
}

Test(mime, nested_multipart_inner_filename)
{
	char *bad = name_of(300);
	static char msg[4096];
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};
	struct h_run r;

	t[9].len = (size_t)snprintf(msg, sizeof(msg),
		"Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
		"--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
		"--inner\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		"--inner\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--inner--\r\n"
		"--outer\r\nContent-Type: application/zip\r\n"
		"Content-Disposition: attachment; filename=\"%s\"\r\n\r\nUEsDBA==\r\n"
		"--outer--\r\n.\r\n",
		bad);
	t[9].data = (const uint8_t *)msg;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	free(bad);
}

Test(mime, boundary_lookalike_does_not_start_a_part)
{
	char *bad = name_of(300);
	static char msg[4096];
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};
	struct h_run r;

	/* "--outerX" is not "--outer": the following lines are body */
	t[9].len = (size_t)snprintf(msg, sizeof(msg),
		"Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
		"--outer\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		"--outerX\r\nContent-Disposition: attachment; filename=\"%s\"\r\n\r\n"
		"--outer--  \r\n.\r\n",
		bad);
	t[9].data = (const uint8_t *)msg;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
	free(bad);
}

Test(mime, depth_beyond_stack_is_reported)
{
	static const struct h_step t[] = {OPEN,
		C("Content-Type: multipart/mixed; boundary=a\r\n\r\n"
		  "--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
		  "--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
		  "--c\r\nContent-Type: multipart/mixed; boundary=d\r\n\r\n"
		  "--d\r\n\r\nx\r\n--d--\r\n--c--\r\n--b--\r\n--a--\r\n.\r\n"),
		S("250 ok\r\n")};
	struct h_run r;
	const struct esmtp_event *e;

	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-depth");
	e = h_find(&r, ESMTP_EV_MIME_DEPTH, 0);
	cr_assert(e->value_len == 1 && e->value[0] == 'd');
	h_free(&r);
}

Test(mime, filetype_glob_and_encoding_rules)
{
	static char hdr[512];
	struct esmtp_rule rule = {0};
	struct h_run r;

	rule.crit = ESMTP_CRIT_MIME_FILETYPE_REGEX;
	rule.glob = "application/x-*";
	rule.action = ESMTP_ACT_LOG;
	rule.log = 1;
	esmtp_policy_add_rule(&pol, &rule);
	memset(&rule, 0, sizeof(rule));
	rule.crit = ESMTP_CRIT_MIME_ENCODING;
	rule.set = (1u << ESMTP_ENC_OTHERS) | (1u << ESMTP_ENC_BINARY);
	rule.action = ESMTP_ACT_DROP_CONN;
	rule.log = 1;
	esmtp_policy_add_rule(&pol, &rule);

	snprintf(hdr, sizeof(hdr),
		"Content-Type: Application/X-MSDownload; name=a.exe\r\n"
		"Content-Transfer-Encoding: base64\r\n");
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-filetype-regex");
	cr_assert_eq(h_find(&r, ESMTP_EV_MIME_FILETYPE_REGEX, 0)->value_len, 24);
	h_free(&r);

	snprintf(hdr, sizeof(hdr),
		"Content-Type: text/plain\r\nContent-Transfer-Encoding:  x-uuencode (old)\r\n");
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-encoding");
	cr_assert_eq(h_find(&r, ESMTP_EV_MIME_ENCODING, 0)->value_len, 10);
	h_free(&r);

	snprintf(hdr, sizeof(hdr), "Content-Transfer-Encoding: BINARY\r\n");
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);

	snprintf(hdr, sizeof(hdr), "Content-Transfer-Encoding: Quoted-Printable\r\n");
	run_msg(hdr, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

Test(mime, long_boundary_is_reported)
{
	static char msg[512];
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};
	struct h_run r;
	char b[80];

	memset(b, 'b', 71);
	b[71] = '\0';
	t[9].len = (size_t)snprintf(msg, sizeof(msg),
		"Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n\r\nx\r\n.\r\n", b,
		b);
	t[9].data = (const uint8_t *)msg;
	h_check(&pol, t, NSTEPS(t), &r);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-depth");
	h_free(&r);
}

/* The part after a "--" line starts only when the line is the boundary:
 * boundaries are compared as keyed hashes, so check a 70-byte one (the
 * RFC 2046 maximum) against a line that differs in each byte in turn. */
static void
run_near_boundary(const char *b, const char *line, struct h_run *r)
{
	char *bad = name_of(300);
	static char msg[4096];
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};

	t[9].len = (size_t)snprintf(msg, sizeof(msg),
		"Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
		"--%s\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		"--%s\r\nContent-Disposition: attachment; filename=\"%s\"\r\n\r\n"
		"--%s--\r\n.\r\n",
		b, b, line, bad, b);
	t[9].data = (const uint8_t *)msg;
	h_check(&pol, t, NSTEPS(t), r);
	free(bad);
}

Test(mime, boundary_70_bytes_every_byte_counts)
{
	char b[71], line[71];
	struct h_run r;
	int i;

	for (i = 0; i < 70; i++)
		b[i] = (char)('a' + i % 26);
	b[70] = '\0';
	run_near_boundary(b, b, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN, "the exact boundary starts the part");
	h_free(&r);
	for (i = 0; i < 70; i++) {
		memcpy(line, b, sizeof(line));
		line[i] = 'Z';
		run_near_boundary(b, line, &r);
		cr_assert_eq(r.verdict, ESMTP_FORWARD, "byte %d changed: not the boundary", i);
		h_free(&r);
	}
	/* Shorter and longer lines with the same prefix are not it either. */
	memcpy(line, b, sizeof(line));
	line[69] = '\0';
	run_near_boundary(b, line, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

/* Each policy draws its own key; a connection hashes with its policy's,
 * so two policies agree on every boundary. */
Test(mime, boundary_hash_keys_differ_per_policy)
{
	struct esmtp_policy other;
	struct h_run r;

	esmtp_policy_default(&other);
	cr_assert_neq(other.bnd_key, 0);
	cr_assert_neq(other.bnd_key, pol.bnd_key);
	cr_assert_lt(other.bnd_key, (UINT64_C(1) << 61) - 1);
	run_near_boundary("xyz", "xyz", &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	pol = other;
	run_near_boundary("xyz", "xyz", &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
}
