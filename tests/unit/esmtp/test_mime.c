/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MIME: multipart nesting, file names (plain, quoted, folded, RFC 2231
 * continuations and encodings), media types and transfer encodings.
 */
#include <stdarg.h>
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
			"Content-Disposition: attachment;\r\n filename*0=\"%s\";\r\n filename*1=%s\r\n",
			a, a);
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
			"Subject: x\r\n\r\nContent-Disposition: attachment; filename=\"%s\"\r\n.\r\n",
			bad);
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
	cr_assert_neq(other.bnd_key[0], 0);
	cr_assert_neq(other.bnd_key[1], pol.bnd_key[1]);
	cr_assert_lt(other.bnd_key[1], (UINT64_C(1) << 61) - 1);
	run_near_boundary("xyz", "xyz", &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	pol = other;
	run_near_boundary("xyz", "xyz", &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	/* A policy whose keys were never drawn (never compiled) still
	 * follows boundaries, with fixed keys. */
	memset(pol.bnd_key, 0, sizeof(pol.bnd_key));
	run_near_boundary("xyz", "xyz", &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	h_free(&r);
	run_near_boundary("xyz", "xyZ", &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD);
	h_free(&r);
}

/* --- Structure the filename rule must see through (issue 13 item 2) ---- */

static char big[262144];
static size_t big_len;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
put(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(big + big_len, sizeof(big) - big_len, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof(big) - big_len);
	big_len += (size_t)n;
}

/* Play the content in big[] (".\r\n" added) as one message. */
static void
run_big(struct h_run *r)
{
	struct h_step t[] = {OPEN, {ESMTP_DIR_C2S, NULL, 0}, S("250 ok\r\n")};

	put(".\r\n");
	t[9].data = (const uint8_t *)big;
	t[9].len = big_len;
	h_check(&pol, t, NSTEPS(t), r);
	big_len = 0;
}

/* Nothing reported but the banner, nothing dropped, no byte changed. */
static void
assert_untouched(const struct h_run *r)
{
	cr_assert_eq(r->verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(r), "mask-banner");
	cr_assert(memcmp(r->out[ESMTP_DIR_C2S], r->in[ESMTP_DIR_C2S], r->len[ESMTP_DIR_C2S]) == 0);
}

/* Passed untouched with events, the one with id logged alone (108005). */
static const struct esmtp_event *
assert_logged(const struct h_run *r, const char *events, unsigned int id)
{
	const struct esmtp_event *e = h_find(r, id, 0);

	cr_assert_eq(r->verdict, ESMTP_FORWARD);
	cr_assert_str_eq(h_events(r), events);
	cr_assert_not_null(e);
	cr_assert_eq(e->action, ESMTP_ACT_LOG);
	cr_assert_eq(e->audit, 108005);
	cr_assert(memcmp(r->out[ESMTP_DIR_C2S], r->in[ESMTP_DIR_C2S], r->len[ESMTP_DIR_C2S]) == 0);
	return e;
}

static void
assert_filename_drop(const struct h_run *r)
{
	const struct esmtp_event *e = h_find(r, ESMTP_EV_MIME_FILENAME_LENGTH, 0);

	cr_assert_eq(r->verdict, ESMTP_DROP_CONN);
	cr_assert_not_null(e, "no filename event: %s", h_events(r));
	cr_assert_eq(e->audit, 108004);
	cr_assert_eq(h_count(r, ESMTP_EV_MIME_UNFOLLOWABLE), 0);
}

static void
assert_unfollowable(const struct h_run *r, const char *why)
{
	const struct esmtp_event *e = h_find(r, ESMTP_EV_MIME_UNFOLLOWABLE, 0);

	cr_assert_eq(r->verdict, ESMTP_DROP_CONN);
	cr_assert_not_null(e, "no mime-unfollowable: %s", h_events(r));
	cr_assert_eq(e->action, ESMTP_ACT_DROP_CONN);
	cr_assert_eq(e->audit, 108004);
	cr_assert(e->value_len == strlen(why) && memcmp(e->value, why, e->value_len) == 0,
			"value '%.*s', want '%s'", (int)e->value_len, e->value, why);
}

/* An attachment part's header lines: a file name of n characters. */
static void
put_attachment(size_t n)
{
	char *name = name_of(n);

	put("Content-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n\r\nTVqQAAMAAAAEAAAA\r\n",
			name);
	free(name);
}

/* levels multiparts, each inside the last (boundaries b0, b1 ...), each
 * with a text part first; the innermost holds the attachment. */
static void
put_nested(unsigned int levels, size_t name_len)
{
	unsigned int i;

	put("From: a@b\r\nMIME-Version: 1.0\r\n");
	for (i = 0; i < levels; i++) {
		put("Content-Type: multipart/mixed; boundary=\"=_b%u_\"\r\n\r\n", i);
		put("preamble %u\r\n--=_b%u_\r\nContent-Type: text/plain\r\n\r\nlevel %u\r\n", i, i,
				i);
		put("--=_b%u_\r\n", i);
	}
	put_attachment(name_len);
	for (i = levels; i-- > 0;)
		put("--=_b%u_--\r\nepilogue %u\r\n", i, i);
}

Test(mime, nesting_8_levels_filename_checked)
{
	struct h_run r;

	put_nested(8, 256);
	run_big(&r);
	assert_filename_drop(&r);
	h_free(&r);
}

Test(mime, nesting_8_levels_legitimate_passes_untouched)
{
	struct h_run r;

	put_nested(8, 255);
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
}

Test(mime, nesting_9_levels_unfollowable)
{
	struct h_run r;

	put_nested(9, 12);
	run_big(&r);
	assert_unfollowable(&r, "multipart nesting 9");
	cr_assert_eq(h_count(&r, ESMTP_EV_MIME_UNFOLLOWABLE), 1);
	h_free(&r);
}

/* mime-unfollowable: log goes on (108005) and still follows what it can:
 * a file name after the too-deep multipart, at level 2, drops. */
Test(mime, unfollowable_log_goes_on)
{
	struct h_run r;

	esmtp_policy_set_event(&pol, ESMTP_EV_MIME_UNFOLLOWABLE, ESMTP_ACT_LOG, 1);
	put_nested(9, 12);
	run_big(&r);
	assert_logged(&r, "mask-banner,mime-unfollowable", ESMTP_EV_MIME_UNFOLLOWABLE);
	h_free(&r);

	put("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n");
	put("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nx\r\n");
	put("--o\r\n");
	put_attachment(300);
	put("--o--\r\n");
	run_big(&r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-unfollowable,mime-filename-length");
	h_free(&r);
}

/* An outer delimiter closes the inner multiparts (RFC 2046 readers do). */
Test(mime, outer_delimiter_closes_inner_levels)
{
	struct h_run r;

	put("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n");
	put("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n");
	put("Content-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n\r\nx\r\n");
	put("--a\r\n");
	put_attachment(256);
	put("--a--\r\n");
	run_big(&r);
	assert_filename_drop(&r);
	h_free(&r);
}

static char *
boundary_of(size_t n)
{
	char *b = malloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = "0123456789abcdefghijklmnopqrstuvwxyz'()+_,-./:=?"[i % 48];
	b[n] = '\0';
	return b;
}

static void
put_long_boundary(const char *b, size_t name_len)
{
	put("MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n", b);
	put("--%s\r\nContent-Type: text/plain\r\n\r\nhi\r\n--%s\r\n", b, b);
	put_attachment(name_len);
	put("--%s--\r\n", b);
}

/* A boundary near 998 bytes needs a header line over 998: a map without
 * the header-line-length rule (only the file name rule of the default). */
static void
only_filename_rule(void)
{
	esmtp_policy_clear_rules(&pol);
	esmtp_policy_add_gt(&pol, ESMTP_CRIT_MIME_FILENAME_LENGTH, 255, ESMTP_ACT_DROP_CONN, 1);
}

static void
check_long_boundary(size_t len)
{
	char *b = boundary_of(len);
	const struct esmtp_event *e;
	struct h_run r;

	put_long_boundary(b, 256);
	run_big(&r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN, "boundary of %zu", len);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-boundary-length,mime-filename-length");
	h_free(&r);

	/* The legitimate counterpart: reported (RFC 2046 says at most 70),
	 * logged, passed untouched. */
	put_long_boundary(b, 255);
	run_big(&r);
	e = assert_logged(&r, "mask-banner,mime-boundary-length", ESMTP_EV_MIME_BOUNDARY_LENGTH);
	cr_assert_eq((size_t)atoi(e->value), len);
	h_free(&r);
	free(b);
}

Test(mime, boundary_71_to_900_followed)
{
	check_long_boundary(71);
	check_long_boundary(200);
	check_long_boundary(900);
}

Test(mime, boundary_998_followed)
{
	only_filename_rule();
	check_long_boundary(997);
	check_long_boundary(998);
}

Test(mime, boundary_70_passes_without_report)
{
	char *b = boundary_of(70);
	struct h_run r;

	put_long_boundary(b, 255);
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
	free(b);
}

Test(mime, boundary_999_unfollowable)
{
	char *b = boundary_of(999);
	struct h_run r;

	only_filename_rule();
	put_long_boundary(b, 12);
	run_big(&r);
	assert_unfollowable(&r, "boundary length 999");
	h_free(&r);
	free(b);
}

/* A 300-byte boundary against lines differing in one byte, a byte shorter
 * or longer, or with its close "--" one byte off. */
Test(mime, long_boundary_every_byte_counts)
{
	static const struct {
		const char *tail;
		int verdict;
	} tails[] = {
			{"x", ESMTP_FORWARD}, /* one byte long */
			{"-", ESMTP_FORWARD},
			{" \t ", ESMTP_DROP_CONN}, /* blanks after a delimiter are padding */
	};
	char *b = boundary_of(300), line[310];
	struct h_run r;
	size_t i;

	run_near_boundary(b, b, &r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN, "the exact boundary starts the part");
	h_free(&r);
	for (i = 0; i < 300; i += (i < 4 || i > 295) ? 1 : 37) {
		memcpy(line, b, 301);
		line[i] = line[i] == 'Z' ? 'Y' : 'Z';
		run_near_boundary(b, line, &r);
		cr_assert_eq(r.verdict, ESMTP_FORWARD, "byte %zu changed: not the boundary", i);
		h_free(&r);
	}
	memcpy(line, b, 301);
	line[299] = '\0';
	run_near_boundary(b, line, &r);
	cr_assert_eq(r.verdict, ESMTP_FORWARD, "one byte short");
	h_free(&r);
	for (i = 0; i < NSTEPS(tails); i++) {
		snprintf(line, sizeof(line), "%s%s", b, tails[i].tail);
		run_near_boundary(b, line, &r);
		cr_assert_eq(r.verdict, tails[i].verdict, "'%s' after it", tails[i].tail);
		h_free(&r);
	}
	free(b);
}

/* Close delimiters: "--b--" ends the multipart, "--b- -" and "--b---" do not. */
Test(mime, close_delimiter_exact)
{
	static const char *const not_close[] = {"b- -", "b---", "b-", "b--x", "-b--"};
	struct h_run r;
	size_t i;

	put("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b-- \t\r\n");
	put("Content-Disposition: attachment; filename=\"%0300d\"\r\n\r\n", 0);
	run_big(&r);
	assert_untouched(&r); /* the epilogue is no header */
	h_free(&r);
	for (i = 0; i < NSTEPS(not_close); i++) {
		put("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--%s\r\n",
				not_close[i]);
		put("--b\r\nContent-Disposition: attachment; filename=\"%0300d\"\r\n\r\n--b--\r\n",
				0);
		run_big(&r);
		assert_filename_drop(&r);
		h_free(&r);
	}
}

/* A forwarded message (message/rfc822) with its own attachment. */
static void
put_rfc822(const char *inner_type_lines, size_t name_len)
{
	put("From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n");
	put("--outer\r\nContent-Type: text/plain\r\n\r\nsee the attached mail\r\n");
	put("--outer\r\nContent-Type: message/rfc822\r\n%s\r\n", inner_type_lines);
	put("From: c@d\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n");
	if (strcmp(inner_type_lines, "") != 0 || name_len == 0) {
		put("Content-Type: text/plain\r\n\r\nhello\r\n");
	} else {
		put("Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n");
		put("--inner\r\nContent-Type: text/plain\r\n\r\nhello\r\n--inner\r\n");
		put_attachment(name_len);
		put("--inner--\r\n");
	}
	put("--outer--\r\n");
}

Test(mime, rfc822_inner_multipart_filename_checked)
{
	struct h_run r;

	put_rfc822("", 256);
	run_big(&r);
	assert_filename_drop(&r);
	h_free(&r);
}

Test(mime, rfc822_legitimate_passes_untouched)
{
	struct h_run r;

	put_rfc822("", 255);
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
	put_rfc822("", 0);
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
}

/* The enclosed message's own header section names the file. */
Test(mime, rfc822_inner_header_filename_checked)
{
	char *bad = name_of(256);
	struct h_run r;

	put("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n");
	put("Content-Type: Message/RFC822; name=fwd.eml\r\n\r\n");
	put("Subject: x\r\nContent-Type: application/pdf;\r\n name=\"%s\"\r\n\r\nJVBERi0=\r\n",
			bad);
	put("--o--\r\n");
	run_big(&r);
	assert_filename_drop(&r);
	h_free(&r);
	free(bad);
}

/* Ends the message in big[] with a multipart "i" holding a 256-character
 * file name, and the close of "o"; plays it: the name must drop. */
static void
drops_with_inner_attachment(void)
{
	struct h_run r;

	put("Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n");
	put_attachment(256);
	put("--i--\r\n--o--\r\n");
	run_big(&r);
	assert_filename_drop(&r);
	h_free(&r);
}

/* message/rfc822 in message/rfc822 in a part: no level is spent on them. */
Test(mime, rfc822_chain_followed)
{
	int i;

	put("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n");
	for (i = 0; i < 20; i++)
		put("Content-Type: message/rfc822\r\n\r\nSubject: %d\r\n", i);
	drops_with_inner_attachment();
}

/* A message/rfc822 body as the whole message (top level). */
Test(mime, rfc822_top_level_followed)
{
	struct h_run r;

	put("Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n");
	put_attachment(256);
	run_big(&r);
	assert_filename_drop(&r);
	h_free(&r);
}

/* multipart/digest: a part without Content-Type is a message/rfc822. */
Test(mime, digest_parts_are_messages)
{
	struct h_run r;

	put("Content-Type: multipart/digest; boundary=d\r\n\r\n");
	put("--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n");
	put("--d\r\n\r\nSubject: two\r\n");
	put_attachment(256);
	put("--d--\r\n");
	run_big(&r);
	assert_filename_drop(&r);
	h_free(&r);

	/* ... but a typed part of a digest is what its type says. */
	put("Content-Type: multipart/digest; boundary=d\r\n\r\n");
	put("--d\r\nContent-Type: text/plain\r\n\r\n");
	put("Content-Disposition: attachment; filename=\"%0300d\"\r\n\r\n--d--\r\n", 0);
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
}

/* An enclosed message whose header section never ends: the enclosing
 * delimiter still ends the part, and a close delimiter the multipart. */
Test(mime, rfc822_without_empty_line)
{
	struct h_run r;

	put("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n");
	put("Content-Type: message/rfc822\r\n\r\nSubject: no body\r\n--o--\r\n");
	put("Content-Disposition: attachment; filename=\"%0300d\"\r\n\r\n", 0);
	run_big(&r);
	assert_untouched(&r); /* epilogue text, not a header */
	h_free(&r);

	put("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n");
	put("Content-Type: message/rfc822\r\n\r\nSubject: no body\r\n--o\r\n");
	drops_with_inner_attachment();
}

Test(mime, rfc822_encoded_unfollowable)
{
	struct h_run r;

	put("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n");
	put("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	put("U3ViamVjdDogeA0KDQo=\r\n--o--\r\n");
	run_big(&r);
	assert_unfollowable(&r, "encoded message/rfc822");
	h_free(&r);

	/* Labelled base64 but plain (Suricata's smtp-mime-encap-8649): with
	 * mime-unfollowable: log the message is still read as it stands. */
	esmtp_policy_set_event(&pol, ESMTP_EV_MIME_UNFOLLOWABLE, ESMTP_ACT_LOG, 1);
	put("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"innocent.txt\"\r\n\r\n"
	    "Subject: inner\r\n");
	put_attachment(256);
	run_big(&r);
	cr_assert_eq(r.verdict, ESMTP_DROP_CONN);
	cr_assert_str_eq(h_events(&r), "mask-banner,mime-unfollowable,mime-filename-length");
	h_free(&r);

	/* 7bit, 8bit and binary are identities: followed. */
	put("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n");
	put("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8BIT\r\n\r\n");
	put("Subject: x\r\n\r\nhi\r\n--o--\r\n");
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
}

/* Boundaries that readers disagree on, or that no delimiter can match. */
Test(mime, ambiguous_boundaries_unfollowable)
{
	static const struct {
		const char *ctype, *why;
	} cases[] = {
			{"multipart/mixed; boundary=a; boundary=b", "boundary given twice"},
			{"multipart/mixed; boundary=a\r\nContent-Type: multipart/mixed; boundary=b",
					"boundary given twice"},
			{"multipart/mixed; boundary*0=a; boundary*1=b",
					"boundary in RFC 2231 form"},
			{"multipart/mixed; boundary*=us-ascii''ab", "boundary in RFC 2231 form"},
			{"multipart/mixed; boundary=\"\"", "empty boundary"},
			{"multipart/mixed; boundary=\"ab \"", "boundary ends in a blank"},
			{"multipart/mixed", "multipart without boundary"},
			{"multipart/mixed; charset=x", "multipart without boundary"},
	};
	struct h_run r;
	size_t i;

	for (i = 0; i < NSTEPS(cases); i++) {
		put("Content-Type: %s\r\n\r\n--a\r\n\r\nx\r\n--a--\r\n", cases[i].ctype);
		run_big(&r);
		assert_unfollowable(&r, cases[i].why);
		h_free(&r);
	}
	/* The same boundary twice is no ambiguity. */
	put("Content-Type: multipart/mixed; boundary=a; boundary=\"a\"\r\n"
	    "Content-Type: multipart/mixed;\r\n boundary=a\r\n\r\n--a\r\n\r\nx\r\n--a--\r\n");
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
	/* Not multipart: a boundary parameter means nothing. */
	put("Content-Type: text/plain; boundary=a; boundary=b\r\n\r\n--a\r\n\r\nx\r\n");
	run_big(&r);
	assert_untouched(&r);
	h_free(&r);
}

/* The delimiter is compared as a hash of the whole line: a delimiter line
 * of every length from 1 to 80 bytes is found, whatever it holds. */
Test(mime, boundary_lengths_1_to_80)
{
	struct h_run r;
	size_t n;

	for (n = 1; n <= 80; n++) {
		char *b = boundary_of(n);

		put_long_boundary(b, 256);
		run_big(&r);
		cr_assert_eq(r.verdict, ESMTP_DROP_CONN, "boundary of %zu", n);
		h_free(&r);
		free(b);
	}
}
