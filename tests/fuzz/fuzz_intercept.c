/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/intercept and pkt_build_tcp.
 *
 * Input: 16 header bytes, then one Ethernet frame.
 *   h[0..3] dseq, h[4..7] dack, h[8..11] dsack (little endian);
 *   h[12] ws_from, h[13] ws_to (0xff: none; anything else as given);
 *   h[14] bits 0-7: TCP flags of the built segments;
 *   h[15] bit 0: SACK-permitted in the built segments, bits 1-4 wscale
 *         (15: none).
 *
 * Invariants (abort() when broken):
 *  - ic_xlate changes only seq, ack, the SACK edges, the window and the
 *    checksum; the frame re-parses to exactly the pkt_info it left, which
 *    is the original one with the documented arithmetic applied; a valid
 *    TCP checksum stays valid and a wrong one wrong;
 *  - pkt_build_tcp from the frame, both ways, gives a frame that parses
 *    with what was asked and right checksums, and 0 for one byte less room;
 *  - a cookie made for the frame's tuple checks with the options it
 *    granted; a cookie taken from the input is accepted only if it is the
 *    one ic_cookie_make gives for what it encodes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intercept.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 16

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_intercept: %s:%d: invariant broken: %s\n", __FILE__, \
					__LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned int
ws_shift(uint8_t ws)
{
	return ws == IC_WSCALE_NONE ? 0 : ws > 14 ? 14 : ws;
}

/* What ic_xlate promises, computed the plain way. */
static void
expected_info(struct pkt_info *e, uint32_t dseq, uint32_t dack, uint32_t dsack, uint8_t wf,
		uint8_t wt)
{
	unsigned int i;

	e->seq += dseq;
	if (e->tcp_flags & PKT_TCP_ACK)
		e->ack += dack;
	if (e->opts.present & PKT_OPT_SACK)
		for (i = 0; i < e->opts.n_sack; i++) {
			e->opts.sack[i][0] += dsack;
			e->opts.sack[i][1] += dsack;
		}
	if (ws_shift(wf) != ws_shift(wt) && !(e->tcp_flags & PKT_TCP_SYN)) {
		uint32_t w = ((uint32_t)e->win << ws_shift(wf)) >> ws_shift(wt);

		e->win = w > 0xffff ? 0xffff : (uint16_t)w;
	}
}

/* Bytes ic_xlate may write: seq, ack, window, checksum, the SACK blocks. */
static int
may_change(const struct pkt_info *pi, uint32_t off)
{
	uint32_t th = pi->l4_off, s = th + pi->opts.sack_off;

	if (off >= th + 4 && off < th + 12)
		return 1;
	if (off >= th + 14 && off < th + 18)
		return 1;
	return (pi->opts.present & PKT_OPT_SACK) && off >= s && off < s + 8u * pi->opts.n_sack;
}

static void
check_xlate(const uint8_t *frame, uint32_t len, const struct pkt_info *pi, const uint8_t *h)
{
	uint32_t dseq = le32(h), dack = le32(h + 4), dsack = le32(h + 8), i;
	struct pkt_info x = *pi, e = *pi, again;
	uint8_t *b = malloc(len);
	int ok;

	if (b == NULL)
		return;
	memcpy(b, frame, len);
	ok = pkt_l4_cksum_ok(b, pi);
	ic_xlate(b, &x, dseq, dack, dsack, h[12], h[13]);
	expected_info(&e, dseq, dack, dsack, h[12], h[13]);
	CHECK(memcmp(&x, &e, sizeof(x)) == 0);
	CHECK(pkt_parse_ex(b, len, false, &again) == PKT_OK);
	CHECK(memcmp(&again, &x, sizeof(x)) == 0);
	CHECK(pkt_l4_cksum_ok(b, &x) == ok);
	for (i = 0; i < len; i++)
		CHECK(b[i] == frame[i] || may_change(pi, i));
	free(b);
}

static void
check_build(const uint8_t *frame, const struct pkt_info *pi, const uint8_t *h, int rev)
{
	struct pkt_tcp_spec s = {
			.seq = le32(h) ^ le32(h + 8),
			.ack = le32(h + 4),
			.win = (uint16_t)(h[12] << 8 | h[13]),
			.flags = h[14],
			.reverse = (uint8_t)rev,
			.mss = (uint16_t)(le32(h + 8) >> 16),
			.wscale = ((h[15] >> 1) & 0xf) == 15 ? PKT_BUILD_NO_WSCALE
							     : (h[15] >> 1) & 0xf,
			.sack_ok = h[15] & 1,
	};
	uint8_t *out = malloc(PKT_BUILD_TCP_MAX);
	const uint8_t *dst = pi->ip6_final_dst_off != 0 ? frame + pi->ip6_final_dst_off : pi->dst;
	struct pkt_info o;
	uint16_t n;

	if (out == NULL)
		return;
	n = pkt_build_tcp(out, PKT_BUILD_TCP_MAX, frame, pi, &s);
	CHECK(n != 0 && n <= PKT_BUILD_TCP_MAX);
	CHECK(pkt_build_tcp(out, n - 1u, frame, pi, &s) == 0);
	n = pkt_build_tcp(out, n, frame, pi, &s);
	CHECK(pkt_parse_ex(out, n, true, &o) == PKT_OK);
	CHECK(o.flags == (PKT_F_L4 | PKT_F_TCP) && o.payload_len == 0);
	CHECK(o.l3 == pi->l3 && o.n_vlan == pi->n_vlan && o.l3_off == pi->l3_off);
	CHECK(memcmp(o.src, rev ? dst : pi->src, pi->addr_len) == 0);
	CHECK(memcmp(o.dst, rev ? pi->src : dst, pi->addr_len) == 0);
	CHECK(o.sport == (rev ? pi->dport : pi->sport) && o.dport == (rev ? pi->sport : pi->dport));
	CHECK(o.seq == s.seq && o.ack == s.ack && o.win == s.win && o.tcp_flags == s.flags);
	CHECK(!!(o.opts.present & PKT_OPT_MSS) == (s.mss != 0));
	CHECK(!(o.opts.present & PKT_OPT_MSS) || o.opts.mss == s.mss);
	CHECK(!!(o.opts.present & PKT_OPT_WSCALE) == (s.wscale != PKT_BUILD_NO_WSCALE));
	CHECK(!!(o.opts.present & PKT_OPT_SACKOK) == s.sack_ok);
	CHECK(pkt_l4_cksum_ok(out, &o));
	free(out);
}

static void
check_cookies(const struct pkt_info *pi, const uint8_t *h)
{
	static const uint8_t master[16] = "smtpwall-fuzzkey";
	struct ic_secrets s;
	struct ic_tuple t;
	struct ic_opts in, g, out;
	uint32_t isn = le32(h), c;

	ic_secrets_init(&s, master, (uint64_t)le32(h + 4) * 1000000000ull);
	ic_tuple_from_pkt(&t, pi);
	in.mss = pi->opts.present & PKT_OPT_MSS ? pi->opts.mss : 0;
	in.wscale = pi->opts.present & PKT_OPT_WSCALE ? pi->opts.wscale : IC_WSCALE_NONE;
	in.sack_ok = (pi->opts.present & PKT_OPT_SACKOK) != 0;
	c = ic_cookie_make(&s, &t, isn, &in, &g);
	CHECK(ic_cookie_check(&s, &t, isn, c, &out) == 0);
	CHECK(out.mss == g.mss && out.wscale == g.wscale && out.sack_ok == g.sack_ok);
	CHECK(g.wscale == IC_WSCALE_NONE || g.wscale <= 14);

	/* A guessed cookie passes with about 2^-23: then it must be the genuine one. */
	c = le32(h + 8);
	if (ic_cookie_check(&s, &t, isn, c, &out) == 0) {
		if (((c >> 8) & 1) == (s.epoch & 1))
			CHECK(ic_cookie_make(&s, &t, isn, &out, NULL) == c);
	}
	ic_secrets_update(&s, (uint64_t)le32(h + 4) * 1000000000ull + IC_EPOCH_NS * 2);
	CHECK(ic_cookie_check(&s, &t, isn, ic_cookie_make(&s, &t, isn, &in, NULL), NULL) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *h = data, *frame = data + HDR;
	uint32_t len;
	struct pkt_info pi;
	uint8_t *copy;

	if (size < HDR)
		return 0;
	len = size - HDR > UINT16_MAX ? UINT16_MAX : (uint32_t)(size - HDR);
	/* A copy of exactly the frame, so ASan sees any read past it. */
	copy = malloc(len ? len : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, frame, len);
	if (pkt_parse_ex(copy, len, false, &pi) == PKT_OK && (pi.flags & PKT_F_TCP)) {
		check_xlate(copy, len, &pi, h);
		check_build(copy, &pi, h, 0);
		check_build(copy, &pi, h, 1);
		check_cookies(&pi, h);
	} else {
		/* Whatever parsed: the pure-state calls must still be harmless. */
		struct pkt_tcp_spec s = {.wscale = PKT_BUILD_NO_WSCALE};
		uint8_t out[PKT_BUILD_TCP_MAX];

		CHECK(pkt_build_tcp(out, sizeof(out), copy, &pi, &s) == 0);
		ic_xlate(copy, &pi, 1, 1, 1, 0, 7);
		CHECK(memcmp(copy, frame, len) == 0);
	}
	free(copy);
	return 0;
}
