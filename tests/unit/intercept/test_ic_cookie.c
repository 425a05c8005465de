/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies: what a cookie grants and gives back for every MSS class,
 * window scale and SACK setting, over IPv4 and IPv6; the epoch rules
 * (previous epoch valid, older not, time going backwards); and that any
 * change to what the MAC covers, or a random guess, is refused.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "frame_build.h"
#include "intercept.h"

static const uint8_t master_a[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
		0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

/* Somewhere inside epoch 1000 (an even one), not at its start. */
#define T0 (1000 * IC_EPOCH_NS + 12345)

static void
tuple4(struct ic_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = 4;
	memcpy(t->src, "\xc0\x00\x02\x01", 4);
	memcpy(t->dst, "\xc6\x33\x64\x02", 4);
	t->sport = 40000;
	t->dport = 25;
}

static void
tuple6(struct ic_tuple *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->family = 6;
	for (i = 0; i < 16; i++) {
		t->src[i] = (uint8_t)(0x20 + i);
		t->dst[i] = (uint8_t)(0x80 + i);
	}
	t->sport = 65535;
	t->dport = 587;
}

static void
tuple_n(struct ic_tuple *t, int v6)
{
	if (v6)
		tuple6(t);
	else
		tuple4(t);
}

/* Make a cookie for in, check it, and return what came back. */
static void
round_trip(const struct ic_secrets *s, const struct ic_tuple *t, uint32_t isn,
		const struct ic_opts *in, struct ic_opts *granted)
{
	struct ic_opts back;
	uint32_t c = ic_cookie_make(s, t, isn, in, granted);

	memset(&back, 0xa5, sizeof(back));
	cr_assert_eq(ic_cookie_check(s, t, isn, c, &back), 0, "mss %u ws %u sack %u", in->mss,
			in->wscale, in->sack_ok);
	cr_assert_eq(back.mss, granted->mss);
	cr_assert_eq(back.wscale, granted->wscale);
	cr_assert_eq(back.sack_ok, granted->sack_ok);
	cr_assert_eq((c >> 8) & 1, s->epoch & 1, "the parity bit names the epoch");
}

Test(ic_cookie, mss_table_ascending)
{
	unsigned int i;

	cr_assert_eq(ic_mss_table[0], 536);
	for (i = 1; i < IC_MSS_CLASSES; i++)
		cr_assert_gt(ic_mss_table[i], ic_mss_table[i - 1]);
}

Test(ic_cookie, every_mss_class)
{
	struct ic_secrets s;
	struct ic_tuple t;
	struct ic_opts in = {.wscale = 7, .sack_ok = 1}, g;
	unsigned int c;
	int v6;

	ic_secrets_init(&s, master_a, T0);
	for (v6 = 0; v6 < 2; v6++) {
		tuple_n(&t, v6);
		for (c = 0; c < IC_MSS_CLASSES; c++) {
			uint16_t next = c + 1 < IC_MSS_CLASSES ? ic_mss_table[c + 1] : 65535;

			/* Exactly the class, one above it, and just below the next one. */
			in.mss = ic_mss_table[c];
			round_trip(&s, &t, 0x12345678u + c, &in, &g);
			cr_assert_eq(g.mss, ic_mss_table[c]);
			in.mss = (uint16_t)(ic_mss_table[c] + 1);
			round_trip(&s, &t, 0x12345678u + c, &in, &g);
			cr_assert_eq(g.mss, ic_mss_table[c]);
			in.mss = (uint16_t)(next - 1);
			round_trip(&s, &t, 0x12345678u + c, &in, &g);
			cr_assert_eq(g.mss, c + 1 < IC_MSS_CLASSES ? ic_mss_table[c] : 8960);
		}
	}
}

Test(ic_cookie, mss_below_first_and_none)
{
	static const uint16_t low[] = {0, 1, 88, 535};
	struct ic_secrets s;
	struct ic_tuple t;
	struct ic_opts in = {.wscale = IC_WSCALE_NONE}, g;
	unsigned int i;

	ic_secrets_init(&s, master_a, T0);
	tuple4(&t);
	for (i = 0; i < sizeof(low) / sizeof(low[0]); i++) {
		in.mss = low[i];
		round_trip(&s, &t, 1, &in, &g);
		cr_assert_eq(g.mss, 536, "mss %u", low[i]);
	}
	in.mss = 65535;
	round_trip(&s, &t, 1, &in, &g);
	cr_assert_eq(g.mss, 8960);
}

Test(ic_cookie, wscale_and_sack)
{
	struct ic_secrets s;
	struct ic_tuple t;
	struct ic_opts in = {.mss = 1460}, g;
	unsigned int ws, sack;
	int v6;

	ic_secrets_init(&s, master_a, T0);
	for (v6 = 0; v6 < 2; v6++) {
		tuple_n(&t, v6);
		for (sack = 0; sack < 3; sack++) {
			in.sack_ok = (uint8_t)sack;
			for (ws = 0; ws <= 0xff; ws++) {
				in.wscale = (uint8_t)ws;
				round_trip(&s, &t, 0xfffffffeu, &in, &g);
				if (ws == IC_WSCALE_NONE)
					cr_assert_eq(g.wscale, IC_WSCALE_NONE);
				else
					cr_assert_eq(g.wscale, ws > 14 ? 14 : ws, "ws %u", ws);
				cr_assert_eq(g.sack_ok, sack != 0);
				cr_assert_eq(g.mss, 1460);
			}
		}
	}
}

Test(ic_cookie, granted_may_be_null)
{
	struct ic_secrets s;
	struct ic_tuple t;
	struct ic_opts in = {.mss = 1400, .wscale = 3, .sack_ok = 1}, g;

	ic_secrets_init(&s, master_a, T0);
	tuple4(&t);
	cr_assert_eq(ic_cookie_make(&s, &t, 9, &in, NULL), ic_cookie_make(&s, &t, 9, &in, &g));
	cr_assert_eq(ic_cookie_check(&s, &t, 9, ic_cookie_make(&s, &t, 9, &in, NULL), NULL), 0);
}

Test(ic_cookie, epochs)
{
	struct ic_secrets s;
	struct ic_tuple t;
	struct ic_opts in = {.mss = 1460, .wscale = 7, .sack_ok = 1}, out;
	uint32_t c0, c1;

	ic_secrets_init(&s, master_a, T0);
	cr_assert_eq(s.epoch, 1000);
	tuple4(&t);
	c0 = ic_cookie_make(&s, &t, 77, &in, NULL);

	/* Later in the same epoch: a compare, nothing changes. */
	ic_secrets_update(&s, T0 + IC_EPOCH_NS / 2);
	cr_assert_eq(s.epoch, 1000);
	cr_assert_eq(ic_cookie_check(&s, &t, 77, c0, &out), 0);

	/* Next epoch: the previous key still checks, a new cookie has the other parity. */
	ic_secrets_update(&s, T0 + IC_EPOCH_NS);
	cr_assert_eq(s.epoch, 1001);
	cr_assert_eq(ic_cookie_check(&s, &t, 77, c0, &out), 0);
	cr_assert_eq(out.mss, 1460);
	c1 = ic_cookie_make(&s, &t, 77, &in, NULL);
	cr_assert_neq((c0 >> 8) & 1, (c1 >> 8) & 1);
	cr_assert_eq(ic_cookie_check(&s, &t, 77, c1, &out), 0);

	/* Two epochs old: refused (same parity as the current key, which does not fit). */
	ic_secrets_update(&s, T0 + 2 * IC_EPOCH_NS);
	cr_assert_eq(ic_cookie_check(&s, &t, 77, c0, &out), -1);
	cr_assert_eq(ic_cookie_check(&s, &t, 77, c1, &out), 0);
	ic_secrets_update(&s, T0 + 3 * IC_EPOCH_NS);
	cr_assert_eq(ic_cookie_check(&s, &t, 77, c1, &out), -1);
}

Test(ic_cookie, jump_over_epochs)
{
	struct ic_secrets s, fresh;
	struct ic_tuple t;
	struct ic_opts in = {.mss = 536, .wscale = IC_WSCALE_NONE};
	uint32_t c0;

	ic_secrets_init(&s, master_a, T0);
	tuple6(&t);
	c0 = ic_cookie_make(&s, &t, 5, &in, NULL);
	/* Idle for five epochs: both keys are new, and the same as a fresh box's. */
	ic_secrets_update(&s, T0 + 5 * IC_EPOCH_NS);
	cr_assert_eq(s.epoch, 1005);
	cr_assert_eq(ic_cookie_check(&s, &t, 5, c0, NULL), -1);
	ic_secrets_init(&fresh, master_a, T0 + 5 * IC_EPOCH_NS);
	cr_assert_eq(memcmp(s.k, fresh.k, sizeof(s.k)), 0);
	/* And stepping one epoch at a time gets there too. */
	ic_secrets_init(&fresh, master_a, T0);
	ic_secrets_update(&fresh, T0 + 1 * IC_EPOCH_NS);
	ic_secrets_update(&fresh, T0 + 2 * IC_EPOCH_NS);
	ic_secrets_update(&fresh, T0 + 4 * IC_EPOCH_NS);
	ic_secrets_update(&fresh, T0 + 5 * IC_EPOCH_NS);
	cr_assert_eq(memcmp(s.k, fresh.k, sizeof(s.k)), 0);
}

Test(ic_cookie, shared_master_two_boxes)
{
	struct ic_secrets a, b;
	struct ic_tuple t;
	struct ic_opts in = {.mss = 1440, .wscale = 9, .sack_ok = 1}, out;
	uint32_t c;

	/* b started an epoch later: a's cookie of the previous epoch is still good on b. */
	ic_secrets_init(&a, master_a, T0);
	ic_secrets_init(&b, master_a, T0 + IC_EPOCH_NS);
	tuple4(&t);
	c = ic_cookie_make(&a, &t, 0xdeadbeef, &in, NULL);
	cr_assert_eq(ic_cookie_check(&b, &t, 0xdeadbeef, c, &out), 0);
	cr_assert_eq(out.mss, 1440);
	cr_assert_eq(out.wscale, 9);
}

Test(ic_cookie, time_going_backwards)
{
	struct ic_secrets s, before;
	struct ic_tuple t;
	struct ic_opts in = {.mss = 1460, .wscale = 7, .sack_ok = 1};
	uint32_t c;

	ic_secrets_init(&s, master_a, T0);
	tuple4(&t);
	c = ic_cookie_make(&s, &t, 1234, &in, NULL);
	before = s;
	ic_secrets_update(&s, T0 - IC_EPOCH_NS);
	ic_secrets_update(&s, 0);
	cr_assert_eq(memcmp(&s, &before, sizeof(s)), 0);
	cr_assert_eq(ic_cookie_check(&s, &t, 1234, c, NULL), 0);
	/* Epoch 0 (a clock at zero) works too: the previous key is that of "epoch -1". */
	ic_secrets_init(&s, master_a, 0);
	cr_assert_eq(s.epoch, 0);
	c = ic_cookie_make(&s, &t, 1, &in, NULL);
	cr_assert_eq(ic_cookie_check(&s, &t, 1, c, NULL), 0);
	ic_secrets_update(&s, IC_EPOCH_NS);
	cr_assert_eq(ic_cookie_check(&s, &t, 1, c, NULL), 0);
}

Test(ic_cookie, different_master_refuses)
{
	struct ic_secrets a, b;
	struct ic_tuple t;
	struct ic_opts in = {.mss = 1460, .wscale = 7, .sack_ok = 1};
	uint8_t m2[16];
	unsigned int bit;
	uint32_t c;

	ic_secrets_init(&a, master_a, T0);
	tuple4(&t);
	c = ic_cookie_make(&a, &t, 42, &in, NULL);
	for (bit = 0; bit < 128; bit++) {
		memcpy(m2, master_a, 16);
		m2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ic_secrets_init(&b, m2, T0);
		cr_assert_eq(ic_cookie_check(&b, &t, 42, c, NULL), -1, "master bit %u", bit);
	}
}

/* Every single-bit change of what the MAC covers is refused. */
Test(ic_cookie, tampering)
{
	struct ic_secrets s;
	struct ic_tuple t, x;
	struct ic_opts in = {.mss = 1460, .wscale = 7, .sack_ok = 1};
	uint32_t isn = 0x80000001u, c;
	unsigned int i, bit;
	int v6;

	ic_secrets_init(&s, master_a, T0);
	for (v6 = 0; v6 < 2; v6++) {
		tuple_n(&t, v6);
		c = ic_cookie_make(&s, &t, isn, &in, NULL);
		cr_assert_eq(ic_cookie_check(&s, &t, isn, c, NULL), 0);
		/* All 32 bits of the cookie, the 9 state bits included. */
		for (bit = 0; bit < 32; bit++)
			cr_assert_eq(ic_cookie_check(&s, &t, isn, c ^ (1u << bit), NULL), -1,
					"cookie bit %u", bit);
		for (bit = 0; bit < 32; bit++)
			cr_assert_eq(ic_cookie_check(&s, &t, isn ^ (1u << bit), c, NULL), -1,
					"isn bit %u", bit);
		cr_assert_eq(ic_cookie_check(&s, &t, isn + 1, c, NULL), -1);
		for (i = 0; i < (v6 ? 16u : 4u); i++) {
			for (bit = 0; bit < 8; bit++) {
				x = t;
				x.src[i] ^= (uint8_t)(1u << bit);
				cr_assert_eq(ic_cookie_check(&s, &x, isn, c, NULL), -1, "src %u",
						i);
				x = t;
				x.dst[i] ^= (uint8_t)(1u << bit);
				cr_assert_eq(ic_cookie_check(&s, &x, isn, c, NULL), -1, "dst %u",
						i);
			}
		}
		for (bit = 0; bit < 16; bit++) {
			x = t;
			x.sport ^= (uint16_t)(1u << bit);
			cr_assert_eq(ic_cookie_check(&s, &x, isn, c, NULL), -1, "sport %u", bit);
			x = t;
			x.dport ^= (uint16_t)(1u << bit);
			cr_assert_eq(ic_cookie_check(&s, &x, isn, c, NULL), -1, "dport %u", bit);
		}
		/* Swapped direction (the server's view) and the other family. */
		x = t;
		memcpy(x.src, t.dst, 16);
		memcpy(x.dst, t.src, 16);
		x.sport = t.dport;
		x.dport = t.sport;
		cr_assert_eq(ic_cookie_check(&s, &x, isn, c, NULL), -1);
		x = t;
		x.family = v6 ? 4 : 6;
		cr_assert_eq(ic_cookie_check(&s, &x, isn, c, NULL), -1);
	}
}

/* Forgery: 2^20 random guesses; about 2^-23 each gets through (0.125 expected). */
Test(ic_cookie, random_cookies_refused, .timeout = 60)
{
	struct ic_secrets s;
	struct ic_tuple t;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	unsigned int i, ok = 0;

	ic_secrets_init(&s, master_a, T0);
	for (i = 0; i < (1u << 20); i++) {
		uint64_t r = fb_rand(&rng);

		tuple_n(&t, (int)(r & 1));
		memcpy(t.src, &r, 8);
		t.sport = (uint16_t)(r >> 48);
		if (ic_cookie_check(&s, &t, (uint32_t)(r >> 16), (uint32_t)fb_rand(&rng), NULL) ==
				0)
			ok++;
	}
	cr_assert_lt(ok, 5, "%u of 2^20 random cookies accepted", ok);
}

Test(ic_cookie, tuple_from_pkt)
{
	struct fb_spec sp = {.ipv = 4, .proto = 6, .tcp_flags = PKT_TCP_SYN};
	struct fb_frame f;
	struct pkt_info pi;
	struct ic_tuple t;

	fb_build(&sp, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	memset(&t, 0xee, sizeof(t));
	ic_tuple_from_pkt(&t, &pi);
	cr_assert_eq(t.family, 4);
	cr_assert_eq(pkt_load32(t.src), FB_SRC4);
	cr_assert_eq(pkt_load32(t.dst), FB_DST4);
	cr_assert_eq(t.src[4], 0, "the rest of an IPv4 address is zero");
	cr_assert_eq(t.sport, FB_SPORT);
	cr_assert_eq(t.dport, FB_DPORT);

	sp.ipv = 6;
	sp.n_tags = 1;
	sp.tpid[0] = 0x8100;
	fb_build(&sp, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	ic_tuple_from_pkt(&t, &pi);
	cr_assert_eq(t.family, 6);
	cr_assert_eq(memcmp(t.src, f.b + f.l3_off + 8, 16), 0);
	cr_assert_eq(memcmp(t.dst, f.b + f.l3_off + 24, 16), 0);
	cr_assert_eq(t.sport, FB_SPORT);
}
