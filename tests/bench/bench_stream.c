/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Microbenchmark of the per-byte path of one worker without the EAL:
 * lib/tcp (handshake, in-order reassembly, held packets, retransmission
 * store, ACKs, FINs) with lib/esmtp as its inspector, the way the app wires
 * them (app/smtpwall/inspect.c: push, map the verdict, copy the edits).
 * Not a test: it prints numbers.
 *
 * Two workloads, both with the ASA default policy, 1448-byte segments and
 * an ACK from the receiver every second data segment:
 *  - peer-like: 100 sessions of about 80 KB each (banner, EHLO, pipelined
 *    MAIL/RCPT/DATA, a MIME message with a text part and a base64
 *    attachment, QUIT, FINs), like ../shared/peer's capture;
 *  - large-DATA: one session carrying a 16 MB MIME message.
 * Each runs twice: lib/tcp alone (no inspector: the bridge-like floor of
 * reassembly) and lib/tcp + lib/esmtp.  Prints cycles per payload byte and
 * per segment: the thread's CPU time at the TSC rate on x86-64 (time spent
 * descheduled on a shared machine does not count), else ns.  Every packet must leave forwarded;
 * the benchmark stops with an error otherwise.
 *
 * Usage: bench_stream [seconds per row, default 2; 0: one pass] [ROW]
 * ROW (peer, peer-tcp, large, large-tcp) runs that row alone, e.g. under
 * valgrind --tool=callgrind --toggle-collect=one_pass.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esmtp.h"
#include "tcp.h"
#include "bench_clock.h"

#define MSS 1448

/* One packet of the workload; payload at buf[off, off + len). */
struct pkt {
	uint32_t seq, ack, off, len;
	uint8_t flags, dir, wscale;
	uint8_t sess_start; /* a new connection starts with this packet */
};

struct load {
	const char *name;
	uint8_t *orig, *work; /* payload bytes: pristine and per-pass copy */
	size_t len, cap;
	struct pkt *p;
	size_t n, cap_p;
	uint64_t payload; /* payload bytes per pass */
	/* builder state of the current session */
	uint32_t nxt[2];
	unsigned int unacked[2]; /* data segments of d since the last ACK from !d */
};

/* The per-flow struct of the app, reduced to what the path touches. */
struct flow {
	struct tcp_conn tcp;
	struct esmtp esmtp;
};

struct bench {
	struct tcp_ctx *x;
	struct flow f;
	struct esmtp_policy pol;
	struct esmtp_result er;
	struct esmtp_counters ecnt;
	struct tcp_out out;
	uint64_t fwd, edited, dropped;
};

static void *
grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = need * 2;
	p = realloc(p, *cap * elem);
	if (p == NULL) {
		perror("realloc");
		exit(1);
	}
	return p;
}

static struct pkt *
pkt_add(struct load *l, int dir, uint8_t flags, const void *data, uint32_t n)
{
	struct pkt *p;

	l->p = grow(l->p, &l->cap_p, l->n + 1, sizeof(*l->p));
	l->orig = grow(l->orig, &l->cap, l->len + n, 1);
	p = &l->p[l->n++];
	memset(p, 0, sizeof(*p));
	p->dir = (uint8_t)dir;
	p->flags = flags;
	p->seq = l->nxt[dir];
	p->ack = l->nxt[!dir];
	p->off = (uint32_t)l->len;
	p->len = n;
	p->wscale = TCP_WSCALE_NONE;
	if (n != 0)
		memcpy(l->orig + l->len, data, n);
	l->len += n;
	l->nxt[dir] += n;
	l->payload += n;
	return p;
}

static void
session_open(struct load *l)
{
	struct pkt *p;

	l->nxt[0] = 1000;
	l->nxt[1] = 5000000;
	l->unacked[0] = l->unacked[1] = 0;
	p = pkt_add(l, 0, TCP_F_SYN, NULL, 0);
	p->ack = 0;
	p->wscale = 7;
	p->sess_start = 1;
	l->nxt[0]++;
	p = pkt_add(l, 1, TCP_F_SYN | TCP_F_ACK, NULL, 0);
	p->wscale = 7;
	l->nxt[1]++;
	pkt_add(l, 0, TCP_F_ACK, NULL, 0);
}

/* What dir sends: MSS segments, the receiver ACKs every second one. */
static void
say(struct load *l, int dir, const void *data, size_t n)
{
	const uint8_t *b = data;

	while (n > 0) {
		uint32_t k = n < MSS ? (uint32_t)n : MSS;

		pkt_add(l, dir, TCP_F_ACK | TCP_F_PSH, b, k);
		b += k;
		n -= k;
		if (++l->unacked[dir] == 2) {
			pkt_add(l, !dir, TCP_F_ACK, NULL, 0);
			l->unacked[dir] = 0;
		}
	}
	if (l->unacked[dir] != 0) {
		pkt_add(l, !dir, TCP_F_ACK, NULL, 0);
		l->unacked[dir] = 0;
	}
}

static void
says(struct load *l, int dir, const char *s)
{
	say(l, dir, s, strlen(s));
}

static void
session_close(struct load *l)
{
	pkt_add(l, 0, TCP_F_FIN | TCP_F_ACK, NULL, 0);
	l->nxt[0]++;
	pkt_add(l, 1, TCP_F_FIN | TCP_F_ACK, NULL, 0);
	l->nxt[1]++;
	pkt_add(l, 0, TCP_F_ACK, NULL, 0);
}

/* A MIME message of about size bytes, dot-terminated, in m (malloc'ed). */
static size_t
message(char **out, size_t size, unsigned int seed)
{
	static const char b64[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *m = malloc(size + 8192);
	size_t o = 0, i, k;

	if (m == NULL)
		exit(1);
	o += (size_t)sprintf(m + o,
			"Received: from client.example.org (client.example.org [192.0.2.%u])\r\n"
			"\tby mx.example.com (Postfix) with ESMTP id 4F2A1%05u\r\n"
			"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.com>\r\n"
			"Subject: report %u\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\n"
			"Message-ID: <%u.bench@example.org>\r\nMIME-Version: 1.0\r\n"
			"Content-Type: multipart/mixed; boundary=\"=_part_%u_\"\r\n\r\n"
			"This is a multi-part message in MIME format.\r\n\r\n"
			"--=_part_%u_\r\nContent-Type: text/plain; charset=utf-8\r\n"
			"Content-Transfer-Encoding: 8bit\r\n\r\n",
			seed % 250, seed, seed, seed, seed, seed);
	for (i = 0; i < 40; i++)
		o += (size_t)sprintf(m + o,
				"Line %zu of the text part: plain words, some numbers %zu, and more.\r\n",
				i, i * seed);
	o += (size_t)sprintf(m + o,
			"\r\n--=_part_%u_\r\nContent-Type: application/pdf; name=\"report%u.pdf\"\r\n"
			"Content-Transfer-Encoding: base64\r\n"
			"Content-Disposition: attachment; filename=\"report%u.pdf\"\r\n\r\n",
			seed, seed, seed);
	for (i = 0; o < size; i++) {
		for (k = 0; k < 76; k++)
			m[o + k] = b64[(i * 31 + k * 7 + seed) & 63];
		o += 76;
		m[o++] = '\r';
		m[o++] = '\n';
	}
	o += (size_t)sprintf(m + o, "\r\n--=_part_%u_--\r\n.\r\n", seed);
	*out = m;
	return o;
}

static void
session(struct load *l, size_t size, unsigned int seed)
{
	char buf[512], *m;
	size_t n;

	session_open(l);
	says(l, 1, "220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n");
	says(l, 0, "EHLO client.example.org\r\n");
	says(l, 1,
			"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
			"250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
			"250-DSN\r\n250 SMTPUTF8\r\n");
	n = (size_t)sprintf(buf,
			"MAIL FROM:<alice%u@example.org> SIZE=%zu\r\nRCPT TO:<bob@example.com>\r\n"
			"RCPT TO:<carol@example.com>\r\nDATA\r\n",
			seed, size + 4096);
	say(l, 0, buf, n);
	says(l, 1,
			"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
			"354 End data with <CR><LF>.<CR><LF>\r\n");
	n = message(&m, size, seed);
	say(l, 0, m, n);
	free(m);
	says(l, 1, "250 2.0.0 Ok: queued as 4F2A1\r\n");
	says(l, 0, "QUIT\r\n");
	says(l, 1, "221 2.0.0 Bye\r\n");
	session_close(l);
}

static void
insp_cb(void *arg, struct tcp_conn *c, int dir, const uint8_t *buf, uint32_t len,
		struct tcp_insp_result *r)
{
	struct bench *b = arg;
	struct flow *f = (struct flow *)((char *)c - offsetof(struct flow, tcp));
	struct esmtp_result *er = &b->er;
	enum esmtp_dir ed = dir == 0 ? ESMTP_DIR_C2S : ESMTP_DIR_S2C;

	esmtp_push(&f->esmtp, ed, buf, len, er);
	esmtp_counters_add(&b->ecnt, ed, len, er);
	/* Verdict and edits are lib/insp's on both sides: passed on as they are. */
	r->consumed = er->consumed;
	r->verdict = (uint8_t)er->verdict;
	r->overflow = er->overflow;
	r->retry_other = er->retry_other;
	r->n_edits = er->n_edits;
	memcpy(r->edits, er->edits, er->n_edits * sizeof(r->edits[0]));
}

static void
take(struct bench *b)
{
	uint16_t k;

	for (k = 0; k < b->out.n; k++) {
		if (b->out.v[k].act == TCP_ACT_FORWARD)
			b->fwd++;
		else if (b->out.v[k].act == TCP_ACT_FORWARD_EDITED)
			b->edited++;
		else
			b->dropped++;
	}
}

/* Not inlined: callgrind --toggle-collect=one_pass counts just this. */
static __attribute__((noinline)) void
one_pass(struct bench *b, struct load *l)
{
	struct tcp_seg sg;
	uint64_t now = 1000;
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct pkt *p = &l->p[i];

		if (p->sess_start) {
			tcp_conn_free(b->x, &b->f.tcp, &b->out);
			take(b);
			tcp_conn_init(&b->f.tcp);
			esmtp_init(&b->f.esmtp, &b->pol);
		}
		sg.pkt = p;
		sg.payload = l->work + p->off;
		sg.th = NULL;
		sg.len = p->len;
		sg.seq = p->seq;
		sg.ack = p->ack;
		sg.win = 65535;
		sg.flags = p->flags;
		sg.dir = p->dir;
		sg.wscale = p->wscale;
		sg.csum_ok = 1;
		tcp_input(b->x, &b->f.tcp, &sg, now, &b->out);
		take(b);
		now += 1000;
	}
	tcp_conn_free(b->x, &b->f.tcp, &b->out);
	take(b);
}

static void
run(struct load *l, int inspect, double seconds)
{
	struct tcp_params tp;
	struct bench *b = calloc(1, sizeof(*b));
	uint64_t t = 0, t0, passes = 0;
	double w0, w = 0, c0, cpu = 0, hz, cyc;

	if (b == NULL)
		exit(1);
	esmtp_policy_default(&b->pol);
	tcp_params_default(&tp);
	tp.hz = 1000000000;
	tp.rtx_chunks = 16384;
	if (inspect) {
		tp.inspect = insp_cb;
		tp.inspect_arg = b;
	}
	b->x = tcp_ctx_create(&tp);
	if (b->x == NULL) {
		perror("tcp_ctx_create");
		exit(1);
	}
	tcp_conn_init(&b->f.tcp);
	do {
		/* The masked banner and keywords are edited in place: start
		 * from the pristine bytes each pass (not timed). */
		memcpy(l->work, l->orig, l->len);
		b->fwd = b->edited = b->dropped = 0;
		w0 = now_s();
		c0 = cpu_s();
		t0 = ticks();
		one_pass(b, l);
		t += ticks() - t0;
		cpu += cpu_s() - c0;
		w += now_s() - w0;
		passes++;
	} while (w < seconds);
	if (b->dropped != 0 || b->fwd + b->edited != l->n) {
		fprintf(stderr, "%s: %zu packets, %llu forwarded, %llu edited, %llu dropped\n",
				l->name, l->n, (unsigned long long)b->fwd,
				(unsigned long long)b->edited, (unsigned long long)b->dropped);
		exit(1);
	}
	/* Cycles of CPU time at the TSC rate: what a busy machine takes
	 * from us while we wait does not count. */
	hz = (double)t / w;
	cyc = cpu * hz;
	printf("%-11s %-10s %6.2f %s/byte %7.0f %s/segment %7.1f MB/s of CPU  "
	       "(%llu bytes, %zu segments, %llu edited, x %llu passes, %.0f%% on CPU)\n",
			l->name, inspect ? "tcp+esmtp" : "tcp only",
			cyc / (double)(l->payload * passes),
#if defined(__x86_64__)
			"cycles", cyc / (double)(l->n * passes), "cycles",
#else
			"ns", cyc / (double)(l->n * passes), "ns",
#endif
			(double)(l->payload * passes) / cpu / 1e6, (unsigned long long)l->payload,
			l->n, (unsigned long long)b->edited, (unsigned long long)passes,
			100.0 * cpu / w);
	tcp_ctx_free(b->x);
	free(b);
}

static void
load_done(struct load *l)
{
	l->work = malloc(l->len);
	if (l->work == NULL)
		exit(1);
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	const char *row = argc > 2 ? argv[2] : NULL;
	struct load peer, large;
	unsigned int s;

	memset(&peer, 0, sizeof(peer));
	memset(&large, 0, sizeof(large));
	peer.name = "peer-like";
	for (s = 0; s < 100; s++)
		session(&peer, 40000 + (s * 7919) % 80000, s);
	load_done(&peer);
	large.name = "large-DATA";
	session(&large, 16u << 20, 1);
	load_done(&large);
	printf("lib/tcp + lib/esmtp stream benchmark, ASA default policy, %d-byte segments, "
	       "ACK every 2nd segment\n",
			MSS);
	if (row == NULL || strcmp(row, "peer-tcp") == 0)
		run(&peer, 0, seconds);
	if (row == NULL || strcmp(row, "peer") == 0)
		run(&peer, 1, seconds);
	if (row == NULL || strcmp(row, "large-tcp") == 0)
		run(&large, 0, seconds);
	if (row == NULL || strcmp(row, "large") == 0)
		run(&large, 1, seconds);
	free(peer.orig);
	free(peer.work);
	free(peer.p);
	free(large.orig);
	free(large.work);
	free(large.p);
	return 0;
}
