/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Microbenchmark of TCP Intercept's per-SYN work (not a test: it prints
 * numbers), on one core:
 *  - cookies made: ic_cookie_make (one SipHash-2-4 over the tuple);
 *  - cookies checked: ic_cookie_check of valid cookies;
 *  - SYN-ACKs built: from a parsed template SYN, ic_tuple_from_pkt +
 *    ic_cookie_make + pkt_build_tcp (reversed, MSS + WS + SACK-permitted,
 *    both checksums), IPv4 and IPv6.
 * Prints operations/s and cycles/op (TSC on x86-64, else ns/op).
 *
 * Usage: bench_cookie [seconds per case, default 1]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intercept.h"
#include "pkt.h"
#include "bench_clock.h"

#define BATCH 4096
#define NTUPLES 1024

struct bench {
	struct ic_secrets s;
	struct ic_tuple t[NTUPLES];
	uint32_t isn[NTUPLES], cookie[NTUPLES];
	uint8_t syn[2][128];
	uint32_t syn_len[2];
	struct pkt_info syn_pi[2];
	volatile uint64_t sink;
};

typedef uint64_t (*batch_fn)(struct bench *b, unsigned int v6);

static uint64_t
batch_make(struct bench *b, unsigned int v6)
{
	struct ic_opts in = {.mss = 1460, .wscale = 7, .sack_ok = 1}, g;
	uint64_t acc = 0;
	unsigned int i;

	(void)v6;
	for (i = 0; i < BATCH; i++) {
		unsigned int k = i % NTUPLES;

		acc += ic_cookie_make(&b->s, &b->t[k], b->isn[k] + i, &in, &g);
	}
	return acc;
}

static uint64_t
batch_check(struct bench *b, unsigned int v6)
{
	struct ic_opts out;
	uint64_t acc = 0;
	unsigned int i;

	(void)v6;
	for (i = 0; i < BATCH; i++) {
		unsigned int k = i % NTUPLES;

		acc += (uint64_t)ic_cookie_check(&b->s, &b->t[k], b->isn[k], b->cookie[k], &out) +
				out.mss;
	}
	return acc;
}

static uint64_t
batch_synack(struct bench *b, unsigned int v6)
{
	uint8_t out[PKT_BUILD_TCP_MAX];
	const struct pkt_info *pi = &b->syn_pi[v6];
	struct ic_opts in = {.mss = pi->opts.mss, .wscale = pi->opts.wscale, .sack_ok = 1}, g;
	struct pkt_tcp_spec sp = {.win = 65535, .flags = PKT_TCP_SYN | PKT_TCP_ACK, .reverse = 1};
	struct ic_tuple t;
	uint64_t acc = 0;
	unsigned int i;

	for (i = 0; i < BATCH; i++) {
		ic_tuple_from_pkt(&t, pi);
		t.sport = (uint16_t)i; /* a new client each time, as a flood looks */
		sp.seq = ic_cookie_make(&b->s, &t, pi->seq + i, &in, &g);
		sp.ack = pi->seq + i + 1;
		sp.mss = g.mss;
		sp.wscale = g.wscale == IC_WSCALE_NONE ? PKT_BUILD_NO_WSCALE : g.wscale;
		sp.sack_ok = g.sack_ok;
		acc += pkt_build_tcp(out, sizeof(out), b->syn[v6], pi, &sp);
		acc += out[PKT_ETH_HLEN + 20 + 16];
	}
	return acc;
}

static void
run(struct bench *b, const char *name, batch_fn fn, unsigned int v6, double seconds)
{
	uint64_t ops = 0, t0, t1, acc = 0;
	double w0, w1;

	acc += fn(b, v6); /* warm up */
	w0 = now_s();
	t0 = ticks();
	do {
		acc += fn(b, v6);
		ops += BATCH;
		w1 = now_s();
	} while (w1 - w0 < seconds);
	t1 = ticks();
	b->sink = acc;
	printf("%-22s %8.2f Mops/s  %7.1f %s/op\n", name, (double)ops / (w1 - w0) / 1e6,
			(double)(t1 - t0) / (double)ops,
#if defined(__x86_64__)
			"cycles"
#else
			"ns"
#endif
	);
}

/* A client SYN as Linux sends it: MSS 1460, SACK-permitted, timestamps, WS 7. */
static void
make_syn(struct bench *b, unsigned int v6)
{
	static const uint8_t opts[20] = {
			2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
	uint8_t *f = b->syn[v6], *ip = f + PKT_ETH_HLEN, *th;
	uint32_t l3 = v6 ? 40 : 20;

	memset(f, 0, sizeof(b->syn[v6]));
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	pkt_store16(f + 12, v6 ? PKT_ETHERTYPE_IPV6 : PKT_ETHERTYPE_IPV4);
	if (v6) {
		ip[0] = 0x60;
		pkt_store16(ip + 4, 40);
		ip[6] = 6;
		ip[7] = 64;
		pkt_store32(ip + 8, 0x20010db8);
		ip[23] = 1;
		pkt_store32(ip + 24, 0x20010db8);
		ip[39] = 2;
	} else {
		ip[0] = 0x45;
		pkt_store16(ip + 2, 60);
		ip[8] = 64;
		ip[9] = 6;
		pkt_store32(ip + 12, 0xc0000201);
		pkt_store32(ip + 16, 0xc6336402);
	}
	th = ip + l3;
	pkt_store16(th, 40000);
	pkt_store16(th + 2, 25);
	pkt_store32(th + 4, 0x11223344);
	th[12] = 10 << 4;
	th[13] = PKT_TCP_SYN;
	pkt_store16(th + 14, 64240);
	memcpy(th + 20, opts, sizeof(opts));
	b->syn_len[v6] = PKT_ETH_HLEN + l3 + 40;
	if (pkt_parse_ex(f, b->syn_len[v6], false, &b->syn_pi[v6]) != PKT_OK) {
		fprintf(stderr, "template SYN does not parse\n");
		exit(1);
	}
	pkt_ipv4_cksum_set(f, &b->syn_pi[v6]);
	pkt_l4_cksum_set(f, &b->syn_pi[v6]);
}

int
main(int argc, char **argv)
{
	static const uint8_t master[16] = "bench-master-key";
	struct ic_opts in = {.mss = 1460, .wscale = 7, .sack_ok = 1};
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	struct bench *b = calloc(1, sizeof(*b));
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned int i;

	if (b == NULL)
		return 1;
	ic_secrets_init(&b->s, master, 1000 * IC_EPOCH_NS);
	/* Half IPv4, half IPv6 tuples, as a mixed flood. */
	for (i = 0; i < NTUPLES; i++) {
		struct ic_tuple *t = &b->t[i];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t->family = (i & 1) ? 6 : 4;
		memcpy(t->src, &x, 8);
		memcpy(t->dst, "\xc6\x33\x64\x02", 4);
		t->sport = (uint16_t)(x >> 48);
		t->dport = 25;
		b->isn[i] = (uint32_t)(x >> 16);
		b->cookie[i] = ic_cookie_make(&b->s, t, b->isn[i], &in, NULL);
	}
	make_syn(b, 0);
	make_syn(b, 1);
	printf("lib/intercept microbenchmark, one core, %.1f s per case\n", seconds);
	run(b, "cookie make (v4/v6)", batch_make, 0, seconds);
	run(b, "cookie check (v4/v6)", batch_check, 0, seconds);
	run(b, "SYN-ACK build IPv4", batch_synack, 0, seconds);
	run(b, "SYN-ACK build IPv6", batch_synack, 1, seconds);
	free(b);
	return 0;
}
