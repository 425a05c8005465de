/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Microbenchmark of lib/esmtp (not a test: it prints numbers).
 *
 * Two transcripts, pushed in 1448-byte segments (a TCP MSS) the way the
 * TCP layer will push them, with the ASA default policy:
 *  - command-heavy: 200 ESMTP sessions each with banner, EHLO reply,
 *    pipelined MAIL + 20 RCPT, a 3-line DATA, QUIT;
 *  - DATA-heavy: one session carrying a 16 MB MIME message (text part and
 *    base64 attachments, 76-column lines);
 *  - MIME-structure: a 4 MB message, 3 multiparts nested with 70-byte
 *    boundaries, a part every 20 lines, and every body line a 76-byte line
 *    starting with "--" (the worst case of delimiter hashing).
 * Prints bytes/s and cycles/byte (TSC on x86-64, else ns/byte).
 *
 * Usage: bench_esmtp [seconds per transcript, default 2]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esmtp.h"
#include "bench_clock.h"

#define SEG 1448

struct step {
	int dir;
	uint32_t off, len; /* in buf */
};

struct transcript {
	const char *name;
	uint8_t *buf;
	size_t len, cap;
	struct step *steps;
	size_t n, cap_steps;
	int sessions; /* esmtp_init() before each session start step */
	size_t *starts;
};

static void
add(struct transcript *t, int dir, const void *p, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2;
		t->buf = realloc(t->buf, t->cap);
	}
	if (t->n == t->cap_steps) {
		t->cap_steps = t->cap_steps ? t->cap_steps * 2 : 1024;
		t->steps = realloc(t->steps, t->cap_steps * sizeof(*t->steps));
	}
	if (t->buf == NULL || t->steps == NULL) {
		perror("realloc");
		exit(1);
	}
	memcpy(t->buf + t->len, p, n);
	t->steps[t->n].dir = dir;
	t->steps[t->n].off = (uint32_t)t->len;
	t->steps[t->n].len = (uint32_t)n;
	t->n++;
	t->len += n;
}

static void
adds(struct transcript *t, int dir, const char *s)
{
	add(t, dir, s, strlen(s));
}

static void
command_heavy(struct transcript *t)
{
	char buf[4096];
	int s, i;
	size_t o;

	t->name = "command-heavy";
	for (s = 0; s < 200; s++) {
		adds(t, 1, "220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n");
		adds(t, 0, "EHLO client.example.org\r\n");
		adds(t, 1,
				"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
				"250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
				"250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
		o = (size_t)sprintf(buf, "MAIL FROM:<sender%d@example.org> SIZE=300\r\n", s);
		for (i = 0; i < 20; i++)
			o += (size_t)sprintf(buf + o, "RCPT TO:<user%d@example.com>\r\n", i);
		o += (size_t)sprintf(buf + o, "DATA\r\n");
		add(t, 0, buf, o);
		o = 0;
		for (i = 0; i < 21; i++)
			o += (size_t)sprintf(buf + o, "250 2.1.5 Ok\r\n");
		o += (size_t)sprintf(buf + o, "354 End data with <CR><LF>.<CR><LF>\r\n");
		add(t, 1, buf, o);
		adds(t, 0, "Subject: hi\r\nTo: user0@example.com\r\n\r\nHello.\r\n.\r\n");
		adds(t, 1, "250 2.0.0 Ok: queued as 1234ABCD\r\n");
		adds(t, 0, "NOOP\r\n");
		adds(t, 1, "250 2.0.0 Ok\r\n");
		adds(t, 0, "QUIT\r\n");
		adds(t, 1, "221 2.0.0 Bye\r\n");
	}
	t->sessions = 200;
}

/* One session up to the 354, for a message of one step. */
static void
mail_open(struct transcript *t)
{
	adds(t, 1, "220 mx.example.com ESMTP\r\n");
	adds(t, 0, "EHLO c\r\n");
	adds(t, 1, "250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
	adds(t, 0, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
	adds(t, 1, "250 ok\r\n250 ok\r\n354 go\r\n");
}

/* The message m[0..o) (freed), its 250, QUIT. */
static void
mail_close(struct transcript *t, char *m, size_t o)
{
	add(t, 0, m, o);
	adds(t, 1, "250 ok\r\n");
	adds(t, 0, "QUIT\r\n");
	adds(t, 1, "221 bye\r\n");
	free(m);
	t->sessions = 1;
}

static void
data_heavy(struct transcript *t)
{
	static const char b64[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t target = 16u << 20, i, k, part = 0;
	char line[80];
	char *m;
	size_t o = 0;

	t->name = "DATA-heavy";
	m = malloc(target + 65536);
	if (m == NULL)
		exit(1);
	mail_open(t);
	o += (size_t)sprintf(m + o,
			"From: a@example.org\r\nTo: b@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
			"Content-Type: multipart/mixed; boundary=\"=_b_\"\r\n\r\n--=_b_\r\n"
			"Content-Type: text/plain\r\n\r\n");
	for (i = 0; i < 2000; i++)
		o += (size_t)sprintf(
				m + o, "Line %zu of the text part, plain words and more.\r\n", i);
	while (o < target) {
		o += (size_t)sprintf(m + o,
				"--=_b_\r\nContent-Type: application/octet-stream; name=\"file%zu.bin\"\r\n"
				"Content-Transfer-Encoding: base64\r\n"
				"Content-Disposition: attachment; filename=\"file%zu.bin\"\r\n\r\n",
				part, part);
		for (i = 0; i < 20000 && o < target; i++) {
			for (k = 0; k < 76; k++)
				line[k] = b64[(i * 31 + k * 7 + part) & 63];
			memcpy(m + o, line, 76);
			o += 76;
			m[o++] = '\r';
			m[o++] = '\n';
		}
		part++;
	}
	o += (size_t)sprintf(m + o, "--=_b_--\r\n.\r\n");
	mail_close(t, m, o);
}

static void
mime_heavy(struct transcript *t)
{
	size_t target = 4u << 20, i, part = 0;
	char b[3][71];
	char *m;
	size_t o = 0;
	int l;

	t->name = "MIME-structure";
	m = malloc(target + 65536);
	if (m == NULL)
		exit(1);
	for (l = 0; l < 3; l++) {
		memset(b[l], 'a' + l, 70);
		b[l][70] = '\0';
	}
	mail_open(t);
	o += (size_t)sprintf(m + o, "From: a@example.org\r\nMIME-Version: 1.0\r\n");
	for (l = 0; l < 3; l++)
		o += (size_t)sprintf(m + o,
				"Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n",
				b[l], b[l]);
	while (o < target) {
		o += (size_t)sprintf(m + o,
				"Content-Type: text/plain\r\n"
				"Content-Disposition: attachment; filename=\"notes%zu.txt\"\r\n\r\n",
				part);
		for (i = 0; i < 20; i++)
			o += (size_t)sprintf(m + o, "--%.*s%06zu\r\n", 68, b[2], i);
		o += (size_t)sprintf(m + o, "--%s\r\n", b[2]);
		part++;
	}
	for (l = 2; l >= 0; l--)
		o += (size_t)sprintf(m + o, "--%s--\r\n", b[l]);
	o += (size_t)sprintf(m + o, ".\r\n");
	mail_close(t, m, o);
}

/* One pass over the transcript; returns bytes pushed. */
static uint64_t
one_pass(const struct transcript *t, const struct esmtp_policy *p, struct esmtp *s, uint64_t *edits,
		uint64_t *events)
{
	struct esmtp_result r;
	static uint8_t held[2][65536 + SEG];
	uint32_t hl[2] = {0, 0};
	uint64_t bytes = 0;
	size_t i;

	esmtp_init(s, p);
	for (i = 0; i < t->n; i++) {
		const struct step *st = &t->steps[i];
		uint32_t off = 0;

		/* a new session starts with the server greeting after a QUIT */
		if (i != 0 && st->dir == 1 && t->buf[st->off] == '2' &&
				t->buf[st->off + 1] == '2' && t->buf[st->off + 2] == '0' &&
				t->steps[i - 1].dir == 1) {
			esmtp_init(s, p);
			hl[0] = hl[1] = 0;
		}
		while (off < st->len) {
			uint32_t n = st->len - off < SEG ? st->len - off : SEG;
			int d = st->dir;
			const uint8_t *buf;
			uint32_t len;

			/* held bytes are re-presented with the new segment */
			if (hl[d] != 0) {
				memcpy(held[d] + hl[d], t->buf + st->off + off, n);
				buf = held[d];
				len = hl[d] + n;
			} else {
				buf = t->buf + st->off + off;
				len = n;
			}
			for (;;) {
				esmtp_push(s, (enum esmtp_dir)d, buf, len, &r);
				*edits += r.n_edits;
				*events += r.n_events;
				if (r.retry_other && hl[!d] != 0) {
					struct esmtp_result r2;

					esmtp_push(s, (enum esmtp_dir) !d, held[!d], hl[!d], &r2);
					memmove(held[!d], held[!d] + r2.consumed,
							hl[!d] - r2.consumed);
					hl[!d] -= r2.consumed;
				}
				if (!r.overflow && !r.retry_other)
					break;
				buf += r.consumed;
				len -= r.consumed;
			}
			memmove(held[d], buf + r.consumed, len - r.consumed);
			hl[d] = len - r.consumed;
			bytes += n;
			off += n;
		}
	}
	return bytes;
}

static void
run(const struct transcript *t, const struct esmtp_policy *p, double seconds)
{
	struct esmtp s;
	uint64_t bytes = 0, edits = 0, events = 0, t0, t1;
	double w0, w1;
	unsigned int passes = 0;

	one_pass(t, p, &s, &edits, &events); /* warm up */
	edits = events = 0;
	w0 = now_s();
	t0 = ticks();
	do {
		bytes += one_pass(t, p, &s, &edits, &events);
		passes++;
		w1 = now_s();
	} while (w1 - w0 < seconds);
	t1 = ticks();
	printf("%-14s %8.1f MB/s  %7.2f Gbit/s  %6.2f %s/byte  (%zu bytes x %u passes, "
	       "%.1f edits and %.1f events per pass)\n",
			t->name, (double)bytes / (w1 - w0) / 1e6,
			(double)bytes * 8 / (w1 - w0) / 1e9, (double)(t1 - t0) / (double)bytes,
#if defined(__x86_64__)
			"cycles",
#else
			"ns",
#endif
			t->len, passes, (double)edits / passes, (double)events / passes);
}

int
main(int argc, char **argv)
{
	struct esmtp_policy p;
	struct transcript a, b, c;
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	esmtp_policy_default(&p);
	command_heavy(&a);
	data_heavy(&b);
	mime_heavy(&c);
	printf("lib/esmtp microbenchmark, ASA default policy, %d-byte segments, "
	       "sizeof(struct esmtp) = %zu\n",
			SEG, sizeof(struct esmtp));
	run(&a, &p, seconds);
	run(&b, &p, seconds);
	run(&c, &p, seconds);
	free(a.buf);
	free(a.steps);
	free(b.buf);
	free(b.steps);
	free(c.buf);
	free(c.steps);
	return 0;
}
