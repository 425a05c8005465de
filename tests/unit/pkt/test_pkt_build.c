/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_build_tcp: every combination of IP version, tags, direction and
 * options parses back to what was asked, with checksums a reference sum
 * accepts; the template's IP options and extension headers are not copied;
 * a routing header's final destination is used; and a too-small buffer or a
 * template that is not TCP gives 0.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "frame_build.h"
#include "pkt.h"

static const uint8_t mac_dst[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t mac_src[6] = {0x02, 0, 0, 0, 0, 0x01};

static void
tmpl(struct fb_spec *sp, struct fb_frame *f, struct pkt_info *pi)
{
	fb_build(sp, f);
	cr_assert_eq(pkt_parse(f->b, f->len, pi), PKT_OK);
	cr_assert(pi->flags & PKT_F_TCP);
}

/* Checksums by the test's own naive sum: the IPv4 header and pseudo-header + segment. */
static void
ref_cksums_ok(const uint8_t *b, const struct pkt_info *pi)
{
	const uint8_t *ip = b + pi->l3_off;
	uint32_t seglen = (uint32_t)pi->payload_off + pi->payload_len - pi->l4_off;
	uint8_t ph[40];
	uint16_t sum;

	if (pi->l3 == PKT_L3_IPV4) {
		cr_assert_eq(fb_ref_sum(ip, 20, 0), 0xffff, "IPv4 header checksum");
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		pkt_store16(ph + 10, (uint16_t)seglen);
		sum = fb_ref_sum(ph, 12, 0);
	} else {
		memcpy(ph, ip + 8, 32);
		pkt_store32(ph + 32, seglen);
		pkt_store32(ph + 36, 6);
		sum = fb_ref_sum(ph, 40, 0);
	}
	cr_assert_eq(fb_ref_sum(b + pi->l4_off, seglen, sum), 0xffff, "TCP checksum");
}

Test(pkt_build, every_combination)
{
	struct fb_spec sp = {.proto = 6, .tcp_flags = PKT_TCP_SYN, .payload_len = 0};
	static const uint8_t syn_opts[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0};
	struct fb_frame f;
	struct pkt_info pi, o;
	uint8_t out[PKT_BUILD_TCP_MAX];
	unsigned int v6, tags, rev, opt;

	sp.tcp_opts = syn_opts;
	sp.tcp_opts_len = sizeof(syn_opts);
	sp.tpid[0] = 0x88a8;
	sp.tpid[1] = 0x8100;
	sp.tci[0] = 100;
	sp.tci[1] = 200;
	for (v6 = 0; v6 < 2; v6++)
		for (tags = 0; tags <= 2; tags++)
			for (rev = 0; rev < 2; rev++)
				for (opt = 0; opt < 8; opt++) {
					struct pkt_tcp_spec s = {
							.seq = 0xfedcba98u + opt,
							.ack = 0x01234567u + rev,
							.win = (uint16_t)(29200 + tags),
							.flags = PKT_TCP_SYN | PKT_TCP_ACK,
							.reverse = (uint8_t)rev,
							.mss = (opt & 1) ? 1460 : 0,
							.wscale = (opt & 2) ? (uint8_t)(7 + tags)
									    : PKT_BUILD_NO_WSCALE,
							.sack_ok = (opt & 4) != 0,
					};
					uint32_t optlen = 4u * __builtin_popcount(opt);
					uint32_t want = PKT_ETH_HLEN + 4 * tags + (v6 ? 40 : 20) +
							20 + optlen;
					uint16_t n;

					sp.ipv = v6 ? 6 : 4;
					sp.n_tags = (uint8_t)tags;
					tmpl(&sp, &f, &pi);
					memset(out, 0xcc, sizeof(out));
					n = pkt_build_tcp(out, sizeof(out), f.b, &pi, &s);
					cr_assert_eq(n, want, "v6 %u tags %u rev %u opt %u", v6,
							tags, rev, opt);
					cr_assert_eq(pkt_parse_ex(out, n, true, &o), PKT_OK);
					cr_assert(pkt_l4_cksum_ok(out, &o));
					ref_cksums_ok(out, &o);
					/* L2 */
					cr_assert_eq(memcmp(out, rev ? mac_src : mac_dst, 6), 0);
					cr_assert_eq(memcmp(out + 6, rev ? mac_dst : mac_src, 6),
							0);
					cr_assert_eq(o.n_vlan, tags);
					cr_assert_eq(memcmp(out + 12, f.b + 12, 4 * tags + 2), 0);
					/* L3 */
					cr_assert_eq(o.l3, v6 ? PKT_L3_IPV6 : PKT_L3_IPV4);
					cr_assert_eq(o.ttl_hlim, 64);
					cr_assert_eq(o.l4_off, o.l3_off + (v6 ? 40 : 20));
					cr_assert_eq(memcmp(o.src, rev ? pi.dst : pi.src, 16), 0);
					cr_assert_eq(memcmp(o.dst, rev ? pi.src : pi.dst, 16), 0);
					if (!v6) {
						cr_assert_eq(pkt_load16(out + o.l3_off + 4), 0,
								"ID 0");
						cr_assert_eq(pkt_load16(out + o.l3_off + 6), 0x4000,
								"DF");
						cr_assert_eq(out[o.l3_off + 1], 0);
					} else {
						cr_assert_eq(pkt_load32(out + o.l3_off),
								0x60000000u);
					}
					/* L4 */
					cr_assert_eq(o.sport, rev ? FB_DPORT : FB_SPORT);
					cr_assert_eq(o.dport, rev ? FB_SPORT : FB_DPORT);
					cr_assert_eq(o.seq, s.seq);
					cr_assert_eq(o.ack, s.ack);
					cr_assert_eq(o.tcp_flags, s.flags);
					cr_assert_eq(o.win, s.win);
					cr_assert_eq(o.tcp_hlen, 20 + optlen);
					cr_assert_eq(o.payload_len, 0);
					cr_assert_eq(pkt_load16(out + o.l4_off + 18), 0, "urgent");
					cr_assert_eq(o.opts.present,
							((opt & 1) ? PKT_OPT_MSS : 0) |
									((opt & 2) ? PKT_OPT_WSCALE
										   : 0) |
									((opt & 4) ? PKT_OPT_SACKOK
										   : 0));
					if (opt & 1)
						cr_assert_eq(o.opts.mss, 1460);
					if (opt & 2)
						cr_assert_eq(o.opts.wscale, 7 + tags);
				}
}

Test(pkt_build, largest_frame)
{
	struct fb_spec sp = {.ipv = 6, .proto = 6, .n_tags = 2, .tcp_flags = PKT_TCP_SYN};
	struct pkt_tcp_spec s = {.flags = PKT_TCP_SYN, .mss = 65535, .wscale = 14, .sack_ok = 1};
	struct fb_frame f;
	struct pkt_info pi, o;
	uint8_t out[PKT_BUILD_TCP_MAX + 1];

	sp.tpid[0] = sp.tpid[1] = 0x8100;
	tmpl(&sp, &f, &pi);
	cr_assert_eq(pkt_build_tcp(out, PKT_BUILD_TCP_MAX, f.b, &pi, &s), PKT_BUILD_TCP_MAX);
	cr_assert_eq(pkt_build_tcp(out, PKT_BUILD_TCP_MAX - 1, f.b, &pi, &s), 0);
	cr_assert_eq(pkt_parse(out, PKT_BUILD_TCP_MAX, &o), PKT_OK);
	cr_assert_eq(o.opts.mss, 65535);
	cr_assert_eq(o.opts.wscale, 14);
	cr_assert(pkt_l4_cksum_ok(out, &o));
}

Test(pkt_build, cap_exact)
{
	struct fb_spec sp = {.ipv = 4, .proto = 6, .tcp_flags = PKT_TCP_ACK, .payload_len = 100};
	struct pkt_tcp_spec s = {.flags = PKT_TCP_RST | PKT_TCP_ACK, .wscale = PKT_BUILD_NO_WSCALE};
	struct fb_frame f;
	struct pkt_info pi;
	uint8_t out[64];

	tmpl(&sp, &f, &pi);
	cr_assert_eq(pkt_build_tcp(out, 54, f.b, &pi, &s), 54);
	cr_assert_eq(pkt_build_tcp(out, 53, f.b, &pi, &s), 0);
	cr_assert_eq(pkt_build_tcp(out, 0, f.b, &pi, &s), 0);
}

Test(pkt_build, template_ip_options_and_ext_headers_dropped)
{
	struct fb_spec sp = {.ipv = 4, .proto = 6, .ip4_opt_len = 12, .tcp_flags = PKT_TCP_ACK};
	struct pkt_tcp_spec s = {.flags = PKT_TCP_ACK, .wscale = PKT_BUILD_NO_WSCALE};
	static const uint8_t ts_opts[] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
	struct fb_frame f;
	struct pkt_info pi, o;
	uint8_t out[PKT_BUILD_TCP_MAX];
	uint16_t n;

	sp.tcp_opts = ts_opts;
	sp.tcp_opts_len = sizeof(ts_opts);
	sp.payload_len = 20;
	tmpl(&sp, &f, &pi);
	n = pkt_build_tcp(out, sizeof(out), f.b, &pi, &s);
	cr_assert_eq(n, 54);
	cr_assert_eq(pkt_parse(out, n, &o), PKT_OK);
	cr_assert_eq(o.flags & PKT_F_IP_OPTS, 0);
	cr_assert_eq(o.opts.present, 0, "the template's timestamps are not copied");

	memset(&sp, 0, sizeof(sp));
	sp.ipv = 6;
	sp.proto = 6;
	sp.n_ext = 2;
	sp.ext_type[0] = 0; /* hop-by-hop */
	sp.ext_len[0] = 8;
	sp.ext_type[1] = 60; /* destination options */
	sp.ext_len[1] = 16;
	tmpl(&sp, &f, &pi);
	n = pkt_build_tcp(out, sizeof(out), f.b, &pi, &s);
	cr_assert_eq(n, 74);
	cr_assert_eq(pkt_parse(out, n, &o), PKT_OK);
	cr_assert_eq(out[o.l3_off + 6], 6, "next header: TCP right away");
	cr_assert_eq(o.l4_off, o.l3_off + 40);
	cr_assert(pkt_l4_cksum_ok(out, &o));
}

Test(pkt_build, ipv6_routing_final_destination)
{
	struct fb_spec sp = {.ipv = 6, .proto = 6, .tcp_flags = PKT_TCP_SYN, .n_ext = 1};
	struct pkt_tcp_spec s = {.flags = PKT_TCP_SYN | PKT_TCP_ACK, .wscale = PKT_BUILD_NO_WSCALE};
	struct fb_frame f;
	struct pkt_info pi, o;
	uint8_t out[PKT_BUILD_TCP_MAX];
	uint16_t n;

	sp.ext_type[0] = 43;
	sp.ext_len[0] = 56; /* three addresses */
	sp.rh_type = 0;
	sp.rh_left = 2;
	tmpl(&sp, &f, &pi);
	cr_assert_neq(pi.ip6_final_dst_off, 0);
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));

	s.reverse = 1;
	n = pkt_build_tcp(out, sizeof(out), f.b, &pi, &s);
	cr_assert_eq(pkt_parse(out, n, &o), PKT_OK);
	cr_assert_eq(memcmp(o.src, f.b + pi.ip6_final_dst_off, 16), 0, "answered from the final");
	cr_assert_eq(memcmp(o.dst, pi.src, 16), 0);
	cr_assert(pkt_l4_cksum_ok(out, &o));
	ref_cksums_ok(out, &o);

	s.reverse = 0;
	n = pkt_build_tcp(out, sizeof(out), f.b, &pi, &s);
	cr_assert_eq(pkt_parse(out, n, &o), PKT_OK);
	cr_assert_eq(memcmp(o.src, pi.src, 16), 0);
	cr_assert_eq(memcmp(o.dst, f.b + pi.ip6_final_dst_off, 16), 0);
	cr_assert(pkt_l4_cksum_ok(out, &o));
}

Test(pkt_build, not_a_tcp_template)
{
	struct fb_spec sp = {.ipv = 4, .proto = 17, .payload_len = 4};
	struct pkt_tcp_spec s = {.flags = PKT_TCP_RST, .wscale = PKT_BUILD_NO_WSCALE};
	struct fb_frame f;
	struct pkt_info pi;
	uint8_t out[PKT_BUILD_TCP_MAX];

	fb_build(&sp, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	cr_assert_eq(pkt_build_tcp(out, sizeof(out), f.b, &pi, &s), 0, "UDP");
	sp.ipv = 0;
	fb_build(&sp, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	cr_assert_eq(pkt_build_tcp(out, sizeof(out), f.b, &pi, &s), 0, "ARP");
	sp.ipv = 4;
	sp.proto = 6;
	sp.ip4_frag = 0x0010; /* a later fragment: no TCP header */
	fb_build(&sp, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	cr_assert_eq(pkt_build_tcp(out, sizeof(out), f.b, &pi, &s), 0, "later fragment");
}

/* The RST the app hand-builds today (inspect.c send_rst), byte for byte. */
Test(pkt_build, rst_as_the_app_builds_it)
{
	struct fb_spec sp = {.ipv = 4,
			.proto = 6,
			.tcp_flags = PKT_TCP_ACK,
			.payload_len = 30,
			.n_tags = 1};
	struct pkt_tcp_spec s = {.seq = 0x01020304u,
			.ack = 0xa0b0c0d0u,
			.flags = PKT_TCP_RST | PKT_TCP_ACK,
			.reverse = 1,
			.wscale = PKT_BUILD_NO_WSCALE};
	struct fb_frame f;
	struct pkt_info pi;
	uint8_t out[PKT_BUILD_TCP_MAX], want[PKT_BUILD_TCP_MAX];
	uint8_t *ip = want + 18, *th = want + 38;
	uint16_t n;

	sp.tpid[0] = 0x8100;
	sp.tci[0] = 7;
	tmpl(&sp, &f, &pi);
	memset(want, 0, sizeof(want));
	memcpy(want, f.b + 6, 6);
	memcpy(want + 6, f.b, 6);
	memcpy(want + 12, f.b + 12, 6);
	ip[0] = 0x45;
	pkt_store16(ip + 2, 40);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	pkt_store32(ip + 12, FB_DST4);
	pkt_store32(ip + 16, FB_SRC4);
	pkt_store16(ip + 10, (uint16_t)~fb_ref_sum(ip, 20, 0));
	pkt_store16(th, FB_DPORT);
	pkt_store16(th + 2, FB_SPORT);
	pkt_store32(th + 4, s.seq);
	pkt_store32(th + 8, s.ack);
	th[12] = 0x50;
	th[13] = PKT_TCP_RST | PKT_TCP_ACK;
	{
		uint8_t ph[12];

		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		pkt_store16(ph + 10, 20);
		pkt_store16(th + 16, (uint16_t)~fb_ref_sum(th, 20, fb_ref_sum(ph, 12, 0)));
	}
	n = pkt_build_tcp(out, sizeof(out), f.b, &pi, &s);
	cr_assert_eq(n, 58);
	cr_assert_eq(memcmp(out, want, n), 0);
}

/* Building into a buffer that held something else leaves no stale byte. */
Test(pkt_build, dirty_buffer)
{
	struct fb_spec sp = {.ipv = 6, .proto = 6, .tcp_flags = PKT_TCP_ACK};
	struct pkt_tcp_spec s = {.flags = PKT_TCP_ACK, .mss = 1400, .wscale = 3, .sack_ok = 1};
	struct fb_frame f;
	struct pkt_info pi;
	uint8_t a[PKT_BUILD_TCP_MAX], b[PKT_BUILD_TCP_MAX];
	uint16_t n;

	tmpl(&sp, &f, &pi);
	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	n = pkt_build_tcp(a, sizeof(a), f.b, &pi, &s);
	cr_assert_eq(pkt_build_tcp(b, sizeof(b), f.b, &pi, &s), n);
	cr_assert_eq(memcmp(a, b, n), 0);
}
