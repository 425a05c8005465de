/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_parse(): every header type, every malformation and its result, every
 * truncation of a few good frames.
 *
 * Frames are parsed from an exact-size heap copy, so under ASan a read one
 * byte past the end fails the test.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "frame_build.h"
#include "pkt.h"

static enum pkt_result
parse_len(const uint8_t *b, uint32_t len, bool verify, struct pkt_info *pi)
{
	uint8_t *copy = malloc(len != 0 ? len : 1);
	enum pkt_result r;

	cr_assert_not_null(copy);
	memcpy(copy, b, len);
	r = pkt_parse_ex(copy, len, verify, pi);
	free(copy);
	return r;
}

static enum pkt_result
parse(const struct fb_frame *f, struct pkt_info *pi)
{
	return parse_len(f->b, f->len, true, pi);
}

/* Build, parse, and expect r. */
static enum pkt_result
build_parse(const struct fb_spec *s, struct fb_frame *f, struct pkt_info *pi)
{
	fb_build(s, f);
	return parse(f, pi);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#define ASSERT_RESULT(got, want) \
	cr_assert_eq((got), (want), "got %s, want %s", pkt_result_name(got), pkt_result_name(want))

static const uint8_t v4src[4] = {192, 0, 2, 1};
static const uint8_t v4dst[4] = {198, 51, 100, 2};

/* Fields every parsed TCP segment of the builder carries. */
static void
check_tcp_common(const struct pkt_info *pi, const struct fb_frame *f, uint16_t payload_len)
{
	cr_assert(pi->flags & PKT_F_L4);
	cr_assert(pi->flags & PKT_F_TCP);
	cr_assert_eq(pi->l4_proto, 6);
	cr_assert_eq(pi->l3_off, f->l3_off);
	cr_assert_eq(pi->l4_off, f->l4_off);
	cr_assert_eq(pi->payload_off, f->payload_off);
	cr_assert_eq(pi->payload_len, payload_len);
	cr_assert_eq(pi->sport, FB_SPORT);
	cr_assert_eq(pi->dport, FB_DPORT);
	cr_assert_eq(pi->seq, FB_SEQ);
	cr_assert_eq(pi->ack, FB_ACK);
	cr_assert_eq(pi->win, FB_WIN);
	cr_assert_eq(pi->tcp_hlen, f->payload_off - f->l4_off);
}

Test(pkt_parse, ipv4_tcp)
{
	struct fb_spec s = {.ipv = 4,
			.proto = 6,
			.tcp_flags = PKT_TCP_ACK | PKT_TCP_PSH,
			.payload_len = 33};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	check_tcp_common(&pi, &f, 33);
	cr_assert_eq(pi.l3, PKT_L3_IPV4);
	cr_assert_eq(pi.ethertype, PKT_ETHERTYPE_IPV4);
	cr_assert_eq(pi.l3_off, 14);
	cr_assert_eq(pi.l4_off, 34);
	cr_assert_eq(pi.payload_off, 54);
	cr_assert_eq(pi.l3_len, 20 + 20 + 33);
	cr_assert_eq(pi.flags, PKT_F_L4 | PKT_F_TCP);
	cr_assert_eq(pi.n_vlan, 0);
	cr_assert_eq(pi.addr_len, 4);
	cr_assert_eq(pi.ttl_hlim, 64);
	cr_assert_arr_eq(pi.src, v4src, 4);
	cr_assert_arr_eq(pi.dst, v4dst, 4);
	cr_assert_eq(pi.tcp_flags, PKT_TCP_ACK | PKT_TCP_PSH);
	cr_assert_eq(pi.tcp_hlen, 20);
	cr_assert_eq(pi.opts.present, 0);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK, "pkt_parse agrees with pkt_parse_ex");
}

Test(pkt_parse, ipv4_options)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .ip4_opt_len = 12, .payload_len = 5};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	check_tcp_common(&pi, &f, 5);
	cr_assert_eq(pi.flags, PKT_F_IP_OPTS | PKT_F_L4 | PKT_F_TCP);
	cr_assert_eq(pi.l4_off, 14 + 32);
	cr_assert_eq(pi.l3_len, 32 + 20 + 5);

	/* The longest header, 60 bytes. */
	s.ip4_opt_len = 40;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l4_off, 14 + 60);
	cr_assert(pi.flags & PKT_F_IP_OPTS);
}

Test(pkt_parse, vlan_8021q)
{
	struct fb_spec s = {.ipv = 4,
			.proto = 6,
			.n_tags = 1,
			.tpid = {0x8100},
			.tci = {0xe07b},
			.payload_len = 10};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	check_tcp_common(&pi, &f, 10);
	cr_assert_eq(pi.n_vlan, 1);
	cr_assert_eq(pi.vlan_tci[0], 0xe07b);
	cr_assert_eq(pi.l3_off, 18);
	cr_assert_eq(pi.ethertype, PKT_ETHERTYPE_IPV4);
}

Test(pkt_parse, qinq_88a8)
{
	struct fb_spec s = {.ipv = 6,
			.proto = 6,
			.n_tags = 2,
			.tpid = {0x88a8, 0x8100},
			.tci = {0x0064, 0x20c8},
			.payload_len = 7};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	check_tcp_common(&pi, &f, 7);
	cr_assert_eq(pi.n_vlan, 2);
	cr_assert_eq(pi.vlan_tci[0], 0x0064);
	cr_assert_eq(pi.vlan_tci[1], 0x20c8);
	cr_assert_eq(pi.l3_off, 22);
	cr_assert_eq(pi.l3, PKT_L3_IPV6);
	cr_assert_eq(pi.ethertype, PKT_ETHERTYPE_IPV6);
}

Test(pkt_parse, qinq_8100_outer)
{
	struct fb_spec s = {.ipv = 4,
			.proto = 6,
			.n_tags = 2,
			.tpid = {0x8100, 0x8100},
			.tci = {0x0fff, 0x0001},
			.payload_len = 0};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	check_tcp_common(&pi, &f, 0);
	cr_assert_eq(pi.n_vlan, 2);
	cr_assert_eq(pi.vlan_tci[0], 0x0fff);
	cr_assert_eq(pi.vlan_tci[1], 0x0001);
	cr_assert_eq(pi.l3_off, 22);
}

Test(pkt_parse, vlan_depth)
{
	struct fb_spec s = {.ipv = 4,
			.proto = 6,
			.n_tags = 3,
			.tpid = {0x88a8, 0x8100, 0x8100},
			.tci = {1, 2, 3}};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_VLAN_DEPTH);
	cr_assert_eq(pi.n_vlan, 2);
	cr_assert_eq(pi.vlan_tci[1], 2);
	cr_assert_eq(pi.l3, PKT_L3_NONE);
	/* The third TPID alone decides: even with the frame cut right after it. */
	ASSERT_RESULT(parse_len(f.b, 24, true, &pi), PKT_VLAN_DEPTH);
}

Test(pkt_parse, trunc_vlan)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .n_tags = 2, .tpid = {0x88a8, 0x8100}};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	ASSERT_RESULT(parse_len(f.b, 14, true, &pi), PKT_TRUNC_VLAN);
	ASSERT_RESULT(parse_len(f.b, 17, true, &pi), PKT_TRUNC_VLAN);
	ASSERT_RESULT(parse_len(f.b, 21, true, &pi), PKT_TRUNC_VLAN);
	cr_assert_eq(pi.n_vlan, 1);
	ASSERT_RESULT(parse_len(f.b, 22, true, &pi), PKT_TRUNC_IP4);
}

Test(pkt_parse, ipv6_tcp)
{
	static const uint8_t opts[] = {1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6};
	struct fb_spec s = {.ipv = 6,
			.proto = 6,
			.tcp_opts = opts,
			.tcp_opts_len = 12,
			.payload_len = 100};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	check_tcp_common(&pi, &f, 100);
	cr_assert_eq(pi.l3, PKT_L3_IPV6);
	cr_assert_eq(pi.addr_len, 16);
	cr_assert_eq(pi.ttl_hlim, 63);
	cr_assert_arr_eq(pi.src, f.b + 14 + 8, 16);
	cr_assert_arr_eq(pi.dst, f.b + 14 + 24, 16);
	cr_assert_eq(pi.src[15], 1);
	cr_assert_eq(pi.dst[15], 2);
	cr_assert_eq(pi.l4_off, 54);
	cr_assert_eq(pi.l3_len, 40 + 32 + 100);
	cr_assert_eq(pi.flags, PKT_F_L4 | PKT_F_TCP);
	cr_assert_eq(pi.opts.present, PKT_OPT_TS);
	cr_assert_eq(pi.opts.ts_val, 5);
	cr_assert_eq(pi.opts.ts_ecr, 6);
	cr_assert_eq(pi.ip6_final_dst_off, 0);
}

Test(pkt_parse, ipv6_ext_chain)
{
	struct fb_spec s = {.ipv = 6,
			.proto = 6,
			.n_ext = 3,
			.ext_type = {0, 43, 60},
			.ext_len = {8, 24, 16},
			.rh_type = 4,
			.rh_left = 0,
			.payload_len = 9};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	check_tcp_common(&pi, &f, 9);
	cr_assert_eq(pi.l4_off, 14 + 40 + 8 + 24 + 16);
	cr_assert_eq(pi.l3_len, 40 + 48 + 20 + 9);
	cr_assert_eq(pi.flags, PKT_F_L4 | PKT_F_TCP);
	cr_assert_eq(pi.ip6_final_dst_off, 0, "no segments left: the header's dst is final");
}

Test(pkt_parse, ipv6_ah_esp_nonext)
{
	struct fb_spec s = {.ipv = 6,
			.proto = 17,
			.n_ext = 2,
			.ext_type = {51, 60},
			.ext_len = {24, 8},
			.payload_len = 4};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l4_proto, 17);
	cr_assert_eq(pi.l4_off, 14 + 40 + 24 + 8);
	cr_assert_eq(pi.payload_len, 4);
	cr_assert_eq(pi.flags, PKT_F_L4);

	s = (struct fb_spec){.ipv = 6,
			.proto = 50,
			.n_ext = 1,
			.ext_type = {0},
			.ext_len = {8},
			.payload_len = 30};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l4_proto, 50);
	cr_assert_eq(pi.l4_off, 14 + 48);
	cr_assert_eq(pi.payload_off, pi.l4_off);
	cr_assert_eq(pi.payload_len, 30);
	cr_assert_eq(pi.flags, 0);

	s = (struct fb_spec){.ipv = 6, .proto = 59};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l4_proto, 59);
	cr_assert_eq(pi.payload_len, 0);
	cr_assert_eq(pi.flags, 0);
}

Test(pkt_parse, ipv6_routing_final_dst)
{
	/* SRH with two segments, one left: Segment List[0] is the final destination. */
	struct fb_spec s = {.ipv = 6,
			.proto = 6,
			.n_ext = 1,
			.ext_type = {43},
			.ext_len = {40},
			.rh_type = 4,
			.rh_left = 1,
			.payload_len = 3};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.ip6_final_dst_off, 14 + 40 + 8);
	cr_assert_eq(pi.ip6_final_dst_off, f.final_dst_off);
	cr_assert(pkt_l4_cksum_ok(f.b, &pi), "checksum taken over the final destination");

	/* Deprecated type 0: the last address. */
	s.rh_type = 0;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.ip6_final_dst_off, 14 + 40 + 8 + 16);
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));

	/* RPL (type 3) compresses addresses: left alone. */
	s.rh_type = 3;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.ip6_final_dst_off, 0);
}

Test(pkt_parse, ipv6_fragments)
{
	struct fb_spec s = {.ipv = 6,
			.proto = 6,
			.n_ext = 1,
			.ext_type = {44},
			.ext_len = {8},
			.ip6_frag = 0x0001,
			.payload_len = 64};
	struct fb_frame f;
	struct pkt_info pi;

	/* First fragment (offset 0, M): TCP header parsed. */
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG | PKT_F_L4 | PKT_F_TCP);
	cr_assert_eq(pi.l4_off, 14 + 48);
	cr_assert_eq(pi.sport, FB_SPORT);
	cr_assert_eq(pi.payload_len, 64);

	/* Later fragment (offset 185*8): no L4. */
	s.ip6_frag = 185 << 3;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG | PKT_F_FRAG_LATER);
	cr_assert_eq(pi.l4_proto, 6);
	cr_assert_eq(pi.sport, 0);
	cr_assert_eq(pi.l4_off, 14 + 48);
	cr_assert_eq(pi.payload_off, 14 + 48);
	cr_assert_eq(pi.payload_len, 20 + 64);

	/* First fragment too short for the TCP header: OK, no L4. */
	s = (struct fb_spec){.ipv = 6,
			.proto = 6,
			.n_ext = 1,
			.ext_type = {44},
			.ext_len = {8},
			.ip6_frag = 1};
	fb_build(&s, &f);
	put16(f.b + 14 + 4, 8 + 12);
	ASSERT_RESULT(parse_len(f.b, 14 + 40 + 8 + 12, true, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG);

	/* Atomic fragment (offset 0, no M) is still marked. */
	s.ip6_frag = 0;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG | PKT_F_L4 | PKT_F_TCP);
}

Test(pkt_parse, ipv4_fragments)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .ip4_frag = 0x2000, .payload_len = 24};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG | PKT_F_L4 | PKT_F_TCP);
	check_tcp_common(&pi, &f, 24);

	/* Later fragment, MF clear (the last one). */
	s.ip4_frag = 0x0003;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG | PKT_F_FRAG_LATER);
	cr_assert_eq(pi.l4_proto, 6);
	cr_assert_eq(pi.l4_off, 34);
	cr_assert_eq(pi.payload_len, 44);
	cr_assert_eq(pi.sport, 0, "no L4 header was read");

	/* The top offset bit alone (offset 32768). */
	s.ip4_frag = 0x1000;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG | PKT_F_FRAG_LATER);

	/* DF alone is not a fragment. */
	s.ip4_frag = 0x4000;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_L4 | PKT_F_TCP);

	/* Tiny first fragment: 8 bytes of TCP, header not parsed, not an error. */
	s = (struct fb_spec){.ipv = 4, .proto = 6, .ip4_frag = 0x2000};
	fb_build(&s, &f);
	put16(f.b + 14 + 2, 28);
	put16(f.b + 14 + 10, 0);
	put16(f.b + 14 + 10, pkt_ipv4_hdr_cksum(f.b + 14));
	ASSERT_RESULT(parse_len(f.b, 42, true, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG);

	/* First fragment whose data offset runs past it: same. */
	s.tcp_opts_len = 0;
	fb_build(&s, &f);
	f.b[34 + 12] = 0xf0;
	ASSERT_RESULT(parse(&f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG);
	/* ...but a data offset below 5 is wrong in any fragment. */
	f.b[34 + 12] = 0x40;
	ASSERT_RESULT(parse(&f, &pi), PKT_TCP_DOFF);

	/* UDP first fragment: the UDP length covers the whole datagram, not checked. */
	s = (struct fb_spec){.ipv = 4, .proto = 17, .ip4_frag = 0x2000, .payload_len = 16};
	fb_build(&s, &f);
	put16(f.b + 34 + 4, 3000);
	ASSERT_RESULT(parse(&f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_FRAG | PKT_F_L4);
	cr_assert_eq(pi.payload_len, 16);
}

Test(pkt_parse, udp)
{
	struct fb_spec s = {.ipv = 4, .proto = 17, .payload_len = 29};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_L4);
	cr_assert_eq(pi.l4_proto, 17);
	cr_assert_eq(pi.sport, FB_SPORT);
	cr_assert_eq(pi.dport, 53);
	cr_assert_eq(pi.l4_off, 34);
	cr_assert_eq(pi.payload_off, 42);
	cr_assert_eq(pi.payload_len, 29);

	/* A UDP length shorter than the IP packet ends the datagram there. */
	put16(f.b + 34 + 4, 8 + 20);
	ASSERT_RESULT(parse(&f, &pi), PKT_OK);
	cr_assert_eq(pi.payload_len, 20);

	s.ipv = 6;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.flags, PKT_F_L4);
	cr_assert_eq(pi.l4_off, 54);
	cr_assert_eq(pi.payload_len, 29);
}

Test(pkt_parse, icmp)
{
	struct fb_spec s = {.ipv = 4, .proto = 1, .payload_len = 64};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l3, PKT_L3_IPV4);
	cr_assert_eq(pi.l4_proto, 1);
	cr_assert_eq(pi.flags, 0);
	cr_assert_eq(pi.l4_off, 34);
	cr_assert_eq(pi.payload_off, 34);
	cr_assert_eq(pi.payload_len, 64);
	cr_assert_eq(pi.sport, 0);

	s.ipv = 6;
	s.proto = 58;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l4_proto, 58);
	cr_assert_eq(pi.flags, 0);
	cr_assert_eq(pi.payload_len, 64);
}

Test(pkt_parse, arp_and_other_non_ip)
{
	struct fb_spec s = {.ipv = 0, .payload_len = 28};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l3, PKT_L3_NONE);
	cr_assert_eq(pi.ethertype, PKT_ETHERTYPE_ARP);
	cr_assert_eq(pi.l3_off, 14);
	cr_assert_eq(pi.addr_len, 0);
	cr_assert_eq(pi.l4_proto, 0);
	cr_assert_eq(pi.flags, 0);
	cr_assert_eq(pi.payload_len, 0);

	/* LLDP behind a tag. */
	s = (struct fb_spec){.ethertype = 0x88cc,
			.n_tags = 1,
			.tpid = {0x8100},
			.tci = {5},
			.payload_len = 40};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l3, PKT_L3_NONE);
	cr_assert_eq(pi.ethertype, 0x88cc);
	cr_assert_eq(pi.n_vlan, 1);
	cr_assert_eq(pi.l3_off, 18);

	/* An 802.3 length field, and a bare 14-byte header. */
	s = (struct fb_spec){.ethertype = 46, .payload_len = 46};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l3, PKT_L3_NONE);
	ASSERT_RESULT(parse_len(f.b, 14, true, &pi), PKT_OK);
}

Test(pkt_parse, ethernet_padding)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .tcp_flags = PKT_TCP_ACK, .pad = 6};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(f.len, 60);
	cr_assert_eq(pi.payload_len, 0, "padding is not payload");
	cr_assert_eq(pi.l3_len, 40);
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));

	/* Non-zero padding does not count either. */
	memset(f.b + 54, 0xee, 6);
	s.payload_len = 1;
	ASSERT_RESULT(parse(&f, &pi), PKT_OK);
	cr_assert_eq(pi.payload_len, 0);

	s = (struct fb_spec){.ipv = 4, .proto = 17, .payload_len = 2, .pad = 8};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.payload_len, 2);

	s = (struct fb_spec){.ipv = 6, .proto = 6, .payload_len = 3, .pad = 13};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.payload_len, 3);
}

Test(pkt_parse, tcp_options_syn)
{
	/* Linux SYN: MSS, SACKOK, TS, NOP, WS. */
	static const uint8_t opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0xad, 0x41, 0xf5, 0x88, 0, 0,
			0, 0, 1, 3, 3, 7};
	struct fb_spec s = {.ipv = 4,
			.proto = 6,
			.tcp_flags = PKT_TCP_SYN,
			.tcp_opts = opts,
			.tcp_opts_len = sizeof(opts)};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.tcp_hlen, 40);
	cr_assert_eq(pi.tcp_flags, PKT_TCP_SYN);
	cr_assert_eq(pi.opts.present, PKT_OPT_MSS | PKT_OPT_SACKOK | PKT_OPT_TS | PKT_OPT_WSCALE);
	cr_assert_eq(pi.opts.mss, 1460);
	cr_assert_eq(pi.opts.wscale, 7);
	cr_assert_eq(pi.opts.ts_val, 0xad41f588);
	cr_assert_eq(pi.opts.ts_ecr, 0);
	cr_assert_eq(pi.opts.n_sack, 0);
	cr_assert_eq(pi.payload_off, 34 + 40);
}

Test(pkt_parse, tcp_options_sack)
{
	/* NOP NOP TS, NOP NOP SACK x3. */
	static const uint8_t opts[] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 26, 0, 0, 0x10,
			0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0, 0x40, 0, 0xff, 0xff, 0xff, 0xf0, 0,
			0, 0, 0x10};
	struct fb_spec s = {.ipv = 4, .proto = 6, .tcp_opts = opts, .tcp_opts_len = sizeof(opts)};
	struct fb_frame f;
	struct pkt_info pi;

	cr_assert_eq(sizeof(opts), 40);
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.tcp_hlen, 60);
	cr_assert_eq(pi.opts.present, PKT_OPT_TS | PKT_OPT_SACK);
	cr_assert_eq(pi.opts.n_sack, 3);
	cr_assert_eq(pi.opts.sack_off, 20 + 16);
	cr_assert_eq(pi.opts.sack[0][0], 0x1000);
	cr_assert_eq(pi.opts.sack[0][1], 0x2000);
	cr_assert_eq(pi.opts.sack[1][0], 0x3000);
	cr_assert_eq(pi.opts.sack[1][1], 0x4000);
	cr_assert_eq(pi.opts.sack[2][0], 0xfffffff0);
	cr_assert_eq(pi.opts.sack[2][1], 0x10);
	cr_assert_eq(pkt_load32(f.b + pi.l4_off + pi.opts.sack_off), 0x1000);

	/* Four blocks: the most 40 bytes hold. */
	static const uint8_t four[] = {1, 1, 5, 34, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
			0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8};
	s.tcp_opts = four;
	s.tcp_opts_len = sizeof(four);
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.opts.present, PKT_OPT_SACK);
	cr_assert_eq(pi.opts.n_sack, 4);
	cr_assert_eq(pi.opts.sack_off, 24);
	cr_assert_eq(pi.opts.sack[3][0], 7);
	cr_assert_eq(pi.opts.sack[3][1], 8);
}

Test(pkt_parse, tcp_options_other)
{
	/* Unknown kind 30 skipped by length, EOL ends the walk (garbage after it ignored). */
	static const uint8_t opts[] = {30, 6, 9, 9, 9, 9, 3, 3, 2, 0, 0xff, 0xff};
	struct fb_spec s = {.ipv = 4, .proto = 6, .tcp_opts = opts, .tcp_opts_len = sizeof(opts)};
	struct fb_frame f;
	struct pkt_info pi;

	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.opts.present, PKT_OPT_WSCALE);
	cr_assert_eq(pi.opts.wscale, 2);

	/* Only NOPs. */
	static const uint8_t nops[] = {1, 1, 1, 1};
	s.tcp_opts = nops;
	s.tcp_opts_len = 4;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.opts.present, 0);

	/* 12 bytes that look like the NOP NOP TS fast path but are not. */
	static const uint8_t near[] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
	static const uint8_t notts[] = {1, 1, 2, 4, 0x05, 0xb4, 1, 1, 1, 1, 1, 0};
	s.tcp_opts = near;
	s.tcp_opts_len = 12;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.opts.present, PKT_OPT_TS);
	cr_assert_eq(pi.opts.ts_val, 1);
	cr_assert_eq(pi.opts.ts_ecr, 2);
	s.tcp_opts = notts;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.opts.present, PKT_OPT_MSS);
	cr_assert_eq(pi.opts.mss, 1460);
}

/* Malformed frames: one test per result, each from a good frame with one thing broken. */

Test(pkt_malformed, trunc_eth)
{
	struct fb_spec s = {.ipv = 4, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;
	uint32_t l;

	fb_build(&s, &f);
	for (l = 0; l < 14; l++)
		ASSERT_RESULT(parse_len(f.b, l, true, &pi), PKT_TRUNC_ETH);
	cr_assert_eq(pi.l3, PKT_L3_NONE);
	ASSERT_RESULT(pkt_parse(NULL, 0, &pi), PKT_TRUNC_ETH);
}

Test(pkt_malformed, trunc_ip4)
{
	struct fb_spec s = {.ipv = 4, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;
	uint32_t l;

	fb_build(&s, &f);
	for (l = 14; l < 34; l++)
		ASSERT_RESULT(parse_len(f.b, l, true, &pi), PKT_TRUNC_IP4);
	cr_assert_eq(pi.l3, PKT_L3_IPV4);
	cr_assert_eq(pi.ethertype, PKT_ETHERTYPE_IPV4);
}

Test(pkt_malformed, ip4_version)
{
	struct fb_spec s = {.ipv = 4, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	f.b[14] = 0x65;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_VERSION);
	/* An IPv6 packet behind the IPv4 ethertype. */
	s.ipv = 6;
	fb_build(&s, &f);
	put16(f.b + 12, 0x0800);
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_VERSION);
}

Test(pkt_malformed, ip4_ihl)
{
	struct fb_spec s = {.ipv = 4, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	f.b[14] = 0x44;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_IHL);
	f.b[14] = 0x40;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_IHL);
	/* 60-byte header in a 40-byte packet of a 54-byte frame. */
	f.b[14] = 0x4f;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_IHL);
	cr_assert_arr_eq(pi.src, v4src, 4, "addresses kept for the log line");
	/* The frame ends one byte inside the options: IHL, not a later check. */
	s.ip4_opt_len = 8;
	fb_build(&s, &f);
	ASSERT_RESULT(parse_len(f.b, 14 + 28, false, &pi), PKT_IP4_TOTLEN);
	ASSERT_RESULT(parse_len(f.b, 14 + 27, false, &pi), PKT_IP4_IHL);
	ASSERT_RESULT(parse_len(f.b, 14 + 20, false, &pi), PKT_IP4_IHL);
	s.ip4_opt_len = 0;
	/* IHL 15 with the frame long enough: then the total length is wrong instead. */
	s.payload_len = 30;
	fb_build(&s, &f);
	f.b[14] = 0x4f;
	put16(f.b + 16, 50);
	ASSERT_RESULT(parse_len(f.b, f.len, false, &pi), PKT_IP4_TOTLEN);
}

Test(pkt_malformed, ip4_totlen)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .ip4_opt_len = 8};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	put16(f.b + 16, 27); /* below IHL (28) */
	ASSERT_RESULT(parse_len(f.b, f.len, false, &pi), PKT_IP4_TOTLEN);
	put16(f.b + 16, (uint16_t)(f.len - 14 + 1)); /* one past the frame */
	ASSERT_RESULT(parse_len(f.b, f.len, false, &pi), PKT_IP4_TOTLEN);
	put16(f.b + 16, 0xffff);
	ASSERT_RESULT(parse_len(f.b, f.len, false, &pi), PKT_IP4_TOTLEN);
	put16(f.b + 16, (uint16_t)(f.len - 14)); /* exactly the frame */
	ASSERT_RESULT(parse_len(f.b, f.len, false, &pi), PKT_OK);
	put16(f.b + 16, 28); /* header only: TCP does not fit */
	ASSERT_RESULT(parse_len(f.b, f.len, false, &pi), PKT_TRUNC_TCP);
}

Test(pkt_malformed, ip4_csum)
{
	struct fb_spec s = {.ipv = 4, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	f.b[14 + 10] ^= 0x01;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_CSUM);
	cr_assert_eq(pi.l3_len, 40);
	ASSERT_RESULT(parse_len(f.b, f.len, false, &pi), PKT_OK);
	cr_assert(pi.flags & PKT_F_TCP);
	/* A header byte changed without fixing the checksum; with options (the slow path). */
	s.ip4_opt_len = 4;
	fb_build(&s, &f);
	ASSERT_RESULT(parse(&f, &pi), PKT_OK);
	f.b[14 + 8]--;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_CSUM);
	f.b[14 + 8]++;
	f.b[14 + 21] = 0x44;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP4_CSUM);
}

Test(pkt_malformed, trunc_ip6)
{
	struct fb_spec s = {.ipv = 6, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;
	uint32_t l;

	fb_build(&s, &f);
	for (l = 14; l < 54; l++)
		ASSERT_RESULT(parse_len(f.b, l, true, &pi), PKT_TRUNC_IP6);
	cr_assert_eq(pi.l3, PKT_L3_IPV6);
}

Test(pkt_malformed, ip6_version)
{
	struct fb_spec s = {.ipv = 6, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	f.b[14] = 0x40;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP6_VERSION);
}

Test(pkt_malformed, ip6_plen)
{
	struct fb_spec s = {.ipv = 6, .proto = 6, .payload_len = 10};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	put16(f.b + 18, 31);
	ASSERT_RESULT(parse(&f, &pi), PKT_IP6_PLEN);
	cr_assert_eq(pi.src[15], 1, "addresses kept");
	put16(f.b + 18, 0xffff);
	ASSERT_RESULT(parse(&f, &pi), PKT_IP6_PLEN);
	put16(f.b + 18, 19); /* fits, but TCP does not */
	ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_TCP);
}

Test(pkt_malformed, ip6_ext)
{
	struct fb_spec s = {
			.ipv = 6, .proto = 6, .n_ext = 2, .ext_type = {0, 60}, .ext_len = {8, 16}};
	struct fb_frame f;
	struct pkt_info pi;

	/* Length byte runs the destination options past the packet. */
	fb_build(&s, &f);
	f.b[f.ext_off[1] + 1] = 4;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP6_EXT);
	/* Packet ends inside the first 8 bytes of an extension header. */
	s = (struct fb_spec){.ipv = 6, .proto = 59, .n_ext = 1, .ext_type = {60}, .ext_len = {8}};
	fb_build(&s, &f);
	put16(f.b + 18, 7);
	ASSERT_RESULT(parse(&f, &pi), PKT_IP6_EXT);
	/* Each kind of extension header, with 0 to 7 of its bytes in packet and frame. */
	{
		static const uint8_t types[] = {0, 43, 44, 51, 60};
		size_t t;
		uint16_t n;

		for (t = 0; t < sizeof(types); t++) {
			s = (struct fb_spec){.ipv = 6,
					.proto = 6,
					.n_ext = 1,
					.ext_type = {types[t]},
					.ext_len = {types[t] == 51 ? 12 : 8}};
			fb_build(&s, &f);
			for (n = 0; n < 8; n++) {
				put16(f.b + 18, n);
				ASSERT_RESULT(parse_len(f.b, 54u + n, true, &pi), PKT_IP6_EXT);
			}
		}
	}
	/* Hop-by-hop anywhere but first. */
	s = (struct fb_spec){
			.ipv = 6, .proto = 6, .n_ext = 2, .ext_type = {60, 0}, .ext_len = {8, 8}};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_IP6_EXT);
	/* Two fragment headers. */
	s = (struct fb_spec){
			.ipv = 6, .proto = 6, .n_ext = 2, .ext_type = {44, 44}, .ext_len = {8, 8}};
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_IP6_EXT);
	/* AH length beyond the packet. */
	s = (struct fb_spec){.ipv = 6, .proto = 6, .n_ext = 1, .ext_type = {51}, .ext_len = {16}};
	fb_build(&s, &f);
	ASSERT_RESULT(parse(&f, &pi), PKT_OK);
	f.b[f.ext_off[0] + 1] = 20;
	ASSERT_RESULT(parse(&f, &pi), PKT_IP6_EXT);
}

Test(pkt_malformed, ip6_ext_depth)
{
	struct fb_spec s = {.ipv = 6, .proto = 6, .n_ext = PKT_IP6_MAX_EXT};
	struct fb_frame f;
	struct pkt_info pi;
	int i;

	for (i = 0; i < FB_MAX_EXT; i++) {
		s.ext_type[i] = 60;
		s.ext_len[i] = 8;
	}
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_OK);
	cr_assert_eq(pi.l4_off, 14 + 40 + 8 * PKT_IP6_MAX_EXT);
	s.n_ext = PKT_IP6_MAX_EXT + 1;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_IP6_EXT_DEPTH);
	s.ext_type[0] = 0;
	s.n_ext = FB_MAX_EXT;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_IP6_EXT_DEPTH);
}

Test(pkt_malformed, trunc_tcp)
{
	struct fb_spec s = {.ipv = 4, .proto = 6};
	struct fb_frame f;
	struct pkt_info pi;
	uint32_t l;

	fb_build(&s, &f);
	/* The frame cut inside the TCP header makes the IP length lie: IP4_TOTLEN. */
	ASSERT_RESULT(parse_len(f.b, 40, true, &pi), PKT_IP4_TOTLEN);
	/* The IP packet itself too short for a TCP header, frame intact (header must be in the packet). */
	for (l = 20; l < 40; l++) {
		put16(f.b + 16, (uint16_t)l);
		put16(f.b + 24, 0);
		put16(f.b + 24, pkt_ipv4_hdr_cksum(f.b + 14));
		ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_TCP);
		cr_assert_eq(pi.flags & PKT_F_L4, 0);
	}
	s.ipv = 6;
	fb_build(&s, &f);
	put16(f.b + 18, 12);
	ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_TCP);
}

Test(pkt_malformed, tcp_doff)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .payload_len = 8};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	f.b[34 + 12] = 0x40;
	ASSERT_RESULT(parse(&f, &pi), PKT_TCP_DOFF);
	cr_assert_eq(pi.sport, FB_SPORT, "ports kept");
	f.b[34 + 12] = 0x00;
	ASSERT_RESULT(parse(&f, &pi), PKT_TCP_DOFF);
	/* 28 bytes of header fit the packet's 28 bytes exactly; 32 do not. */
	f.b[34 + 12] = 0x70;
	ASSERT_RESULT(parse(&f, &pi), PKT_TCP_OPT);
	f.b[34 + 12] = 0x80;
	ASSERT_RESULT(parse(&f, &pi), PKT_TCP_DOFF);
	/* Beyond the packet but inside the frame (padding): still wrong. */
	s.pad = 20;
	s.payload_len = 0;
	fb_build(&s, &f);
	f.b[34 + 12] = 0x60;
	ASSERT_RESULT(parse(&f, &pi), PKT_TCP_DOFF);
}

Test(pkt_malformed, tcp_opt)
{
	static const uint8_t bad[][8] = {
			{2, 0, 0, 0, 0, 0, 0, 0}, /* length 0 */
			{2, 1, 0, 0, 0, 0, 0, 0}, /* length 1 */
			{30, 9, 0, 0, 0, 0, 0, 0}, /* past the header */
			{1, 1, 1, 1, 1, 1, 1, 30}, /* no room for the length byte */
			{2, 3, 5, 1, 1, 1, 1, 0}, /* MSS length 3 */
			{2, 5, 5, 0xb4, 0, 1, 1, 0}, /* MSS length 5 */
			{3, 4, 7, 1, 0, 0, 0, 0}, /* WS length 4 */
			{3, 2, 1, 1, 0, 0, 0, 0}, /* WS length 2 */
			{4, 3, 0, 0, 0, 0, 0, 0}, /* SACKOK length 3 */
			{5, 8, 0, 0, 0, 0, 0, 0}, /* SACK length 8 (no block) */
			{5, 2, 0, 0, 0, 0, 0, 0}, /* SACK length 2 */
			{8, 8, 0, 0, 0, 0, 0, 0}, /* TS length 8 */
			{30, 0, 0, 0, 0, 0, 0,
					0}, /* unknown kind, length 0 (would never advance) */
			{30, 1, 0, 0, 0, 0, 0, 0}, /* unknown kind, length 1 */
			{1, 1, 30, 7, 0, 0, 0, 0}, /* unknown kind, one byte past the header */
	};
	struct fb_spec s = {.ipv = 4, .proto = 6, .tcp_opts_len = 8};
	struct fb_frame f;
	struct pkt_info pi;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.tcp_opts = bad[i];
		ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_TCP_OPT);
		cr_assert_eq(pi.flags & PKT_F_L4, 0, "case %zu", i);
	}
	/* SACK of 12 bytes (10 + 2 stray) and TS of 11 in 12 bytes of options. */
	static const uint8_t sack11[] = {5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0};
	static const uint8_t ts11[] = {8, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0};
	s.tcp_opts_len = 12;
	s.tcp_opts = sack11;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_TCP_OPT);
	s.tcp_opts = ts11;
	ASSERT_RESULT(build_parse(&s, &f, &pi), PKT_TCP_OPT);
}

Test(pkt_malformed, trunc_udp)
{
	struct fb_spec s = {.ipv = 4, .proto = 17, .payload_len = 12};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	put16(f.b + 34 + 4, 21); /* one past the IP packet */
	ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_UDP);
	cr_assert_eq(pi.sport, FB_SPORT);
	put16(f.b + 34 + 4, 7); /* below the header */
	ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_UDP);
	put16(f.b + 34 + 4, 0);
	ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_UDP);
	put16(f.b + 34 + 4, 8); /* header only */
	ASSERT_RESULT(parse(&f, &pi), PKT_OK);
	cr_assert_eq(pi.payload_len, 0);
	/* IP packet shorter than a UDP header. */
	put16(f.b + 16, 27);
	put16(f.b + 24, 0);
	put16(f.b + 24, pkt_ipv4_hdr_cksum(f.b + 14));
	ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_UDP);
	/* UDP over IPv6 with a length past the padding-free end. */
	s.ipv = 6;
	fb_build(&s, &f);
	put16(f.b + 54 + 4, 100);
	ASSERT_RESULT(parse(&f, &pi), PKT_TRUNC_UDP);
}

Test(pkt_malformed, huge_frame_clamped)
{
	static uint8_t big[70000];
	struct fb_spec s = {.ipv = 4, .proto = 6, .payload_len = 100};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	memcpy(big, f.b, f.len);
	ASSERT_RESULT(pkt_parse(big, sizeof(big), &pi), PKT_OK);
	cr_assert_eq(pi.payload_len, 100);
	/* An IPv4 total length that would end past 65535: an error, not a wrapped offset. */
	put16(big + 16, 0xfff8);
	put16(big + 24, 0);
	put16(big + 24, pkt_ipv4_hdr_cksum(big + 14));
	ASSERT_RESULT(pkt_parse(big, sizeof(big), &pi), PKT_IP4_TOTLEN);
	put16(big + 16, 0xffff - 14);
	put16(big + 24, 0);
	put16(big + 24, pkt_ipv4_hdr_cksum(big + 14));
	ASSERT_RESULT(pkt_parse(big, sizeof(big), &pi), PKT_OK);
	cr_assert_eq(pi.payload_off + pi.payload_len, 0xffff);
}

Test(pkt_result, names)
{
	int r;

	cr_assert_str_eq(pkt_result_str(PKT_OK), "ok");
	cr_assert_str_eq(pkt_result_name(PKT_OK), "ok");
	cr_assert_str_eq(pkt_result_name(PKT_TRUNC_ETH), "trunc_eth");
	cr_assert_str_eq(pkt_result_str(PKT_TRUNC_ETH), "truncated ethernet header");
	cr_assert_str_eq(pkt_result_name(PKT_IP6_EXT_DEPTH), "ip6_ext_depth");
	cr_assert_str_eq(pkt_result_name(PKT_TRUNC_UDP), "trunc_udp");
	cr_assert_str_eq(pkt_result_str(PKT_IP4_CSUM), "ipv4 header checksum wrong");
	cr_assert_str_eq(pkt_result_name(PKT_RESULT_MAX), "unknown");
	cr_assert_str_eq(pkt_result_str((enum pkt_result) - 1), "unknown");
	cr_assert_eq(PKT_OK, 0);
	for (r = 0; r < PKT_RESULT_MAX; r++) {
		const char *n = pkt_result_name((enum pkt_result)r);
		int j;

		cr_assert_gt(strlen(n), 1);
		cr_assert_gt(strlen(pkt_result_str((enum pkt_result)r)), 1);
		for (j = 0; n[j] != '\0'; j++)
			cr_assert((n[j] >= 'a' && n[j] <= 'z') || (n[j] >= '0' && n[j] <= '9') ||
							n[j] == '_',
					"%s", n);
	}
}

/*
 * Every prefix of a good frame: no crash, no read past the prefix (ASan),
 * and an IP frame cut anywhere inside its IP packet is an error, never OK.
 * Cuts in the Ethernet padding give the same answer as the whole frame.
 */
static void
truncate_all(const struct fb_spec *s)
{
	struct fb_frame f;
	struct pkt_info pi, whole;
	uint32_t l, ip_end;

	fb_build(s, &f);
	ASSERT_RESULT(parse(&f, &whole), PKT_OK);
	ip_end = whole.l3 == PKT_L3_NONE ? whole.l3_off : (uint32_t)whole.l3_off + whole.l3_len;
	for (l = 0; l < f.len; l++) {
		enum pkt_result r = parse_len(f.b, l, true, &pi);

		cr_assert_lt(r, PKT_RESULT_MAX);
		if (l < 14)
			ASSERT_RESULT(r, PKT_TRUNC_ETH);
		else if (l < ip_end)
			cr_assert_neq(r, PKT_OK, "cut at %u of %u returned ok", l, f.len);
		else
			cr_assert(r == PKT_OK && memcmp(&pi, &whole, sizeof(pi)) == 0,
					"cut at %u in padding changed the result", l);
	}
}

Test(pkt_truncate, every_length)
{
	static const uint8_t syn_opts[] = {
			2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7};
	static const uint8_t sack[] = {1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
	const struct fb_spec specs[] = {
			{.ipv = 4, .proto = 6, .payload_len = 20},
			{.ipv = 4, .proto = 6, .tcp_opts = syn_opts, .tcp_opts_len = 20, .pad = 4},
			{.ipv = 4,
					.proto = 17,
					.payload_len = 5,
					.ip4_opt_len = 8,
					.n_tags = 1,
					.tpid = {0x8100}},
			{.ipv = 6,
					.proto = 6,
					.tcp_opts = sack,
					.tcp_opts_len = 20,
					.n_tags = 2,
					.tpid = {0x88a8, 0x8100},
					.payload_len = 3},
			{.ipv = 6,
					.proto = 6,
					.n_ext = 4,
					.ext_type = {0, 43, 44, 60},
					.ext_len = {8, 24, 8, 16},
					.payload_len = 2,
					.pad = 7},
			{.ipv = 6,
					.proto = 17,
					.n_ext = 1,
					.ext_type = {51},
					.ext_len = {12},
					.payload_len = 1},
			{.ipv = 4, .proto = 1, .payload_len = 8},
			{.ipv = 0, .payload_len = 28},
	};
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		truncate_all(&specs[i]);
}

/*
 * Random corruption of good frames: whatever the result, the offsets the
 * parser reports stay inside the frame and agree with each other.
 */
Test(pkt_truncate, random_corruption)
{
	static const uint8_t ts[] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
	const struct fb_spec specs[] = {
			{.ipv = 4,
					.proto = 6,
					.payload_len = 30,
					.tcp_opts = ts,
					.tcp_opts_len = 12},
			{.ipv = 6,
					.proto = 6,
					.n_ext = 2,
					.ext_type = {0, 44},
					.ext_len = {8, 8},
					.payload_len = 9},
			{.ipv = 4, .proto = 17, .payload_len = 9, .n_tags = 1, .tpid = {0x8100}},
	};
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	struct fb_frame f;
	struct pkt_info pi;
	int it, k;

	for (it = 0; it < 20000; it++) {
		const struct fb_spec *s = &specs[it % 3];
		uint32_t len;
		enum pkt_result r;

		fb_build(s, &f);
		for (k = 0; k < 1 + it % 4; k++)
			f.b[fb_rand(&rng) % f.len] = (uint8_t)fb_rand(&rng);
		len = (uint32_t)(fb_rand(&rng) % (f.len + 1));
		r = parse_len(f.b, len, it & 1, &pi);
		cr_assert_lt(r, PKT_RESULT_MAX);
		if (r == PKT_OK && (pi.flags & PKT_F_L4)) {
			cr_assert_leq((uint32_t)pi.l3_off + pi.l3_len, len);
			cr_assert_lt(pi.l4_off, pi.payload_off);
			cr_assert_leq(pi.payload_off + pi.payload_len, pi.l3_off + pi.l3_len);
			(void)pkt_l4_cksum(f.b, &pi);
		}
	}
}
