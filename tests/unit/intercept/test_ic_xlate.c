/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ic_xlate: seq/ack across 2^32, SACK blocks (1..4, with timestamps, at an
 * odd offset), window rescaling both ways with its clamp and the SYN
 * exception, IPv4 and IPv6. After every rewrite the frame must parse to
 * exactly the pkt_info ic_xlate left, and its checksum must equal a full
 * recompute (or stay wrong when it was wrong).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "frame_build.h"
#include "intercept.h"

#define NONE IC_WSCALE_NONE

/* TCP options: [NOP NOP TS] then [NOP NOP | NOP] SACK with n blocks, EOL-padded to 4. */
static uint8_t
sack_opts(uint8_t *o, int ts, unsigned int n, int odd, uint32_t left0)
{
	uint8_t len = 0;
	unsigned int i;

	if (ts) {
		memcpy(o, "\x01\x01\x08\x0a\x11\x22\x33\x44\x55\x66\x77\x88", 12);
		len = 12;
	}
	if (n != 0) {
		o[len++] = 1;
		if (!odd)
			o[len++] = 1;
		o[len++] = PKT_TCPOPT_SACK;
		o[len++] = (uint8_t)(2 + 8 * n);
		for (i = 0; i < n; i++) {
			pkt_store32(o + len, left0 + 0x1000u * i);
			pkt_store32(o + len + 4, left0 + 0x1000u * i + 0x800u);
			len += 8;
		}
	}
	while (len % 4 != 0)
		o[len++] = 0;
	return len;
}

static void
make(struct fb_spec *sp, struct fb_frame *f, struct pkt_info *pi)
{
	fb_build(sp, f);
	cr_assert_eq(pkt_parse(f->b, f->len, pi), PKT_OK);
	cr_assert(pi->flags & PKT_F_TCP);
}

/* Set seq/ack/window in the frame, checksum fixed, and parse again. */
static void
set_fields(struct fb_frame *f, struct pkt_info *pi, uint32_t seq, uint32_t ack, uint16_t win)
{
	uint8_t *th = f->b + pi->l4_off;

	pkt_store32(th + 4, seq);
	pkt_store32(th + 8, ack);
	pkt_store16(th + 14, win);
	pkt_l4_cksum_set(f->b, pi);
	cr_assert_eq(pkt_parse(f->b, f->len, pi), PKT_OK);
}

/* The frame parses to exactly pi, and its checksum is the one a full pass stores. */
static void
check_consistent(const struct fb_frame *f, const struct pkt_info *pi)
{
	struct pkt_info again;

	cr_assert_eq(pkt_parse(f->b, f->len, &again), PKT_OK);
	cr_assert_eq(memcmp(&again, pi, sizeof(again)), 0, "pkt_info differs from a re-parse");
	cr_assert(pkt_l4_cksum_ok(f->b, pi));
	cr_assert_eq(pkt_load16(f->b + pi->l4_off + 16), pkt_l4_cksum(f->b, pi));
}

Test(ic_xlate, seq_ack_wrap)
{
	struct fb_spec sp = {.ipv = 4, .proto = 6, .tcp_flags = PKT_TCP_ACK, .payload_len = 7};
	struct fb_frame f;
	struct pkt_info pi;

	make(&sp, &f, &pi);
	set_fields(&f, &pi, 0xfffffff0u, 0xffffff00u, 1000);
	ic_xlate(f.b, &pi, 0x20, 0x200, 0, NONE, NONE);
	cr_assert_eq(pi.seq, 0x10);
	cr_assert_eq(pi.ack, 0x100);
	cr_assert_eq(pi.win, 1000);
	check_consistent(&f, &pi);
	/* And back down across zero: the inverse delta restores the frame. */
	ic_xlate(f.b, &pi, (uint32_t)-0x20, (uint32_t)-0x200, 0, NONE, NONE);
	cr_assert_eq(pi.seq, 0xfffffff0u);
	cr_assert_eq(pi.ack, 0xffffff00u);
	check_consistent(&f, &pi);
}

Test(ic_xlate, ack_only_with_ack_flag)
{
	struct fb_spec sp = {.ipv = 4, .proto = 6, .tcp_flags = PKT_TCP_SYN};
	struct fb_frame f;
	struct pkt_info pi;

	make(&sp, &f, &pi);
	ic_xlate(f.b, &pi, 1, 0x1000, 0, NONE, NONE);
	cr_assert_eq(pi.seq, FB_SEQ + 1);
	cr_assert_eq(pi.ack, FB_ACK, "no ACK flag: the ack field is left alone");
	check_consistent(&f, &pi);
	/* RST without ACK too. */
	sp.tcp_flags = PKT_TCP_RST;
	make(&sp, &f, &pi);
	ic_xlate(f.b, &pi, 5, 5, 5, NONE, NONE);
	cr_assert_eq(pi.ack, FB_ACK);
	check_consistent(&f, &pi);
}

Test(ic_xlate, zero_deltas_change_nothing)
{
	struct fb_spec sp = {.ipv = 6, .proto = 6, .tcp_flags = PKT_TCP_ACK, .payload_len = 3};
	struct fb_frame f, before;
	struct pkt_info pi;

	make(&sp, &f, &pi);
	before = f;
	ic_xlate(f.b, &pi, 0, 0, 0, 7, 7);
	ic_xlate(f.b, &pi, 0, 0, 0, NONE, 0);
	ic_xlate(f.b, &pi, 0, 0, 0, 14, 200); /* both clamp to 14 */
	cr_assert_eq(memcmp(f.b, before.b, f.len), 0);
}

Test(ic_xlate, sack_blocks)
{
	struct fb_spec sp = {.proto = 6, .tcp_flags = PKT_TCP_ACK, .payload_len = 5};
	uint8_t opts[40];
	struct fb_frame f;
	struct pkt_info pi;
	unsigned int n, i;
	int ts, odd, v6;

	sp.tcp_opts = opts;
	for (v6 = 0; v6 < 2; v6++) {
		sp.ipv = v6 ? 6 : 4;
		for (ts = 0; ts < 2; ts++) {
			for (odd = 0; odd < 2; odd++) {
				for (n = 1; n <= (ts ? 3u : 4u); n++) {
					uint32_t left0 = 0xffffe800u; /* blocks straddle 2^32 */
					uint32_t d = 0x12345u;

					sp.tcp_opts_len = sack_opts(opts, ts, n, odd, left0);
					make(&sp, &f, &pi);
					cr_assert_eq(pi.opts.n_sack, n);
					cr_assert_eq(pi.opts.sack_off & 1, (unsigned int)odd);
					ic_xlate(f.b, &pi, 0x100, 0x200, d, NONE, NONE);
					for (i = 0; i < n; i++) {
						cr_assert_eq(pi.opts.sack[i][0],
								left0 + 0x1000u * i + d);
						cr_assert_eq(pi.opts.sack[i][1],
								left0 + 0x1000u * i + 0x800u + d);
					}
					if (ts)
						cr_assert_eq(pi.opts.ts_val, 0x11223344u,
								"timestamps untouched");
					cr_assert_eq(pi.seq, FB_SEQ + 0x100);
					cr_assert_eq(pi.ack, FB_ACK + 0x200);
					check_consistent(&f, &pi);
				}
			}
		}
	}
}

Test(ic_xlate, sack_delta_only)
{
	struct fb_spec sp = {.ipv = 4, .proto = 6, .tcp_flags = PKT_TCP_ACK};
	uint8_t opts[40];
	struct fb_frame f;
	struct pkt_info pi;

	sp.tcp_opts = opts;
	sp.tcp_opts_len = sack_opts(opts, 1, 2, 1, 100);
	make(&sp, &f, &pi);
	ic_xlate(f.b, &pi, 0, 0, (uint32_t)-200, NONE, NONE);
	cr_assert_eq(pi.opts.sack[0][0], (uint32_t)-100);
	cr_assert_eq(pi.seq, FB_SEQ);
	check_consistent(&f, &pi);
}

struct win_case {
	uint8_t flags, from, to;
	uint16_t win, want;
};

Test(ic_xlate, window_rescale)
{
	static const struct win_case cases[] = {
			{PKT_TCP_ACK, 7, 0, 1000, 65535}, /* 128000: clamped */
			{PKT_TCP_ACK, 7, 0, 511, 65408},
			{PKT_TCP_ACK, 7, 0, 512, 65535},
			{PKT_TCP_ACK, 0, 7, 65535, 511},
			{PKT_TCP_ACK, 0, 7, 127, 0}, /* rounds down, as the formula says */
			{PKT_TCP_ACK, 2, 5, 4000, 500},
			{PKT_TCP_ACK, 5, 2, 4000, 32000},
			{PKT_TCP_ACK, 14, 0, 1, 16384},
			{PKT_TCP_ACK, 0, 14, 65535, 3},
			{PKT_TCP_ACK, 20, 0, 1, 16384}, /* above 14: used as 14 */
			{PKT_TCP_ACK, 3, NONE, 100, 800}, /* none: 0 */
			{PKT_TCP_ACK, NONE, 3, 800, 100},
			{PKT_TCP_ACK, NONE, 0, 800, 800},
			{PKT_TCP_ACK, 6, 6, 1234, 1234},
			{0, 4, 0, 100, 1600}, /* a bare segment without ACK is scaled too */
			{PKT_TCP_SYN, 7, 0, 1000, 1000}, /* SYN: never scaled */
			{PKT_TCP_SYN | PKT_TCP_ACK, 0, 7, 65535, 65535},
	};
	struct fb_spec sp = {.proto = 6, .payload_len = 1};
	struct fb_frame f;
	struct pkt_info pi;
	unsigned int i;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		sp.ipv = v6 ? 6 : 4;
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const struct win_case *c = &cases[i];

			sp.tcp_flags = c->flags;
			make(&sp, &f, &pi);
			set_fields(&f, &pi, FB_SEQ, FB_ACK, c->win);
			ic_xlate(f.b, &pi, 0, 0, 0, c->from, c->to);
			cr_assert_eq(pi.win, c->want, "case %u: %u", i, pi.win);
			cr_assert_eq(pkt_load16(f.b + pi.l4_off + 14), c->want);
			check_consistent(&f, &pi);
		}
	}
}

/* a - b in ones' complement arithmetic. */
static uint16_t
oc_diff(uint16_t a, uint16_t b)
{
	return pkt_cksum_fold((uint32_t)a + (uint16_t)~b);
}

Test(ic_xlate, wrong_checksum_stays_wrong)
{
	struct fb_spec sp = {.ipv = 4, .proto = 6, .tcp_flags = PKT_TCP_ACK, .payload_len = 9};
	uint8_t opts[40];
	struct fb_frame f;
	struct pkt_info pi;
	uint16_t bad, err;
	int v6;

	sp.tcp_opts = opts;
	sp.tcp_opts_len = sack_opts(opts, 1, 3, 1, 7);
	for (v6 = 0; v6 < 2; v6++) {
		sp.ipv = v6 ? 6 : 4;
		make(&sp, &f, &pi);
		bad = (uint16_t)(pkt_load16(f.b + pi.l4_off + 16) + 0x0101);
		pkt_store16(f.b + pi.l4_off + 16, bad);
		cr_assert(!pkt_l4_cksum_ok(f.b, &pi));
		err = oc_diff(bad, pkt_l4_cksum(f.b, &pi));
		ic_xlate(f.b, &pi, 0xabcdef01u, 0x10203040u, 0x55555555u, 0, 9);
		cr_assert(!pkt_l4_cksum_ok(f.b, &pi));
		/* Off by the same amount as before. */
		cr_assert_eq(oc_diff(pkt_load16(f.b + pi.l4_off + 16), pkt_l4_cksum(f.b, &pi)),
				err);
	}
}

Test(ic_xlate, ipv6_tagged_and_routed)
{
	struct fb_spec sp = {.ipv = 6, .proto = 6, .tcp_flags = PKT_TCP_ACK, .payload_len = 33};
	uint8_t opts[40];
	struct fb_frame f;
	struct pkt_info pi;

	sp.n_tags = 2;
	sp.tpid[0] = 0x88a8;
	sp.tpid[1] = 0x8100;
	sp.tci[0] = 10;
	sp.tci[1] = 20;
	sp.n_ext = 1;
	sp.ext_type[0] = 43;
	sp.ext_len[0] = 40;
	sp.rh_type = 4;
	sp.rh_left = 1;
	sp.tcp_opts = opts;
	sp.tcp_opts_len = sack_opts(opts, 0, 4, 0, 0x7fffffffu);
	make(&sp, &f, &pi);
	cr_assert_neq(pi.ip6_final_dst_off, 0);
	ic_xlate(f.b, &pi, 0x80000000u, 0x80000000u, 0x80000001u, 2, 1);
	cr_assert_eq(pi.win, 0xffff);
	cr_assert_eq(pi.opts.sack[0][0], 0);
	check_consistent(&f, &pi);
}

Test(ic_xlate, not_tcp_is_left_alone)
{
	struct fb_spec sp = {.ipv = 4, .proto = 17, .payload_len = 12};
	struct fb_frame f, before;
	struct pkt_info pi;

	fb_build(&sp, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	before = f;
	ic_xlate(f.b, &pi, 1, 2, 3, 0, 7);
	cr_assert_eq(memcmp(f.b, before.b, f.len), 0);
}

/* Random frames and deltas: always the full recompute's checksum and a consistent pi. */
Test(ic_xlate, random)
{
	struct fb_spec sp = {.proto = 6};
	uint8_t opts[40];
	struct fb_frame f;
	struct pkt_info pi;
	uint64_t rng = 42;
	unsigned int i;

	sp.tcp_opts = opts;
	for (i = 0; i < 3000; i++) {
		uint64_t r = fb_rand(&rng), r2 = fb_rand(&rng);
		int ts = (int)(r & 1);
		unsigned int n = (unsigned int)(r >> 1) % (ts ? 4 : 5);

		sp.ipv = (r >> 4) & 1 ? 6 : 4;
		sp.n_tags = (uint8_t)((r >> 5) % 3);
		sp.tpid[0] = sp.tpid[1] = 0x8100;
		sp.tcp_flags = (uint8_t)(r >> 8);
		sp.payload_len = (uint16_t)((r >> 16) % 200);
		sp.tcp_opts_len = sack_opts(opts, ts, n, (int)(r >> 24) & 1, (uint32_t)r2);
		make(&sp, &f, &pi);
		set_fields(&f, &pi, (uint32_t)(r2 >> 32), (uint32_t)r, (uint16_t)(r >> 40));
		ic_xlate(f.b, &pi, (uint32_t)fb_rand(&rng), (uint32_t)fb_rand(&rng),
				(uint32_t)fb_rand(&rng), (uint8_t)((r >> 48) % 16),
				(uint8_t)((r >> 56) % 16));
		check_consistent(&f, &pi);
	}
}
