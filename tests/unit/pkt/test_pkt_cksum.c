/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksums: real frames whose checksums tshark calls good, reference sums,
 * UDP's zero rule, and RFC 1624 incremental updates against full recomputes.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "frame_build.h"
#include "pkt.h"

/* suricata-verify/tests/smtp-startssl/input.pcap frame 1: SYN, MSS/SACKOK/TS/WS. */
static const uint8_t syn_v4[] = {0xa0, 0x36, 0x9f, 0x4c, 0x4c, 0x28, 0xd8, 0xcb, 0x8a, 0xed, 0xa1,
		0x46, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0xd8, 0x52, 0x40, 0x00, 0x40, 0x06, 0x4d,
		0x39, 0x0a, 0x10, 0x01, 0x0b, 0x8e, 0xfa, 0x7b, 0x1b, 0x87, 0x4a, 0x00, 0x19, 0x2e,
		0xdd, 0xb2, 0x7b, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x2c, 0x58, 0x00,
		0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xad, 0x41, 0xf5, 0x88, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};

/* smtp-startssl frame 6: "EHLO desktop.unx.ca\r\n" (21 bytes, odd). */
static const uint8_t ehlo_v4[] = {0xa0, 0x36, 0x9f, 0x4c, 0x4c, 0x28, 0xd8, 0xcb, 0x8a, 0xed, 0xa1,
		0x46, 0x08, 0x00, 0x45, 0x00, 0x00, 0x49, 0xd8, 0x55, 0x40, 0x00, 0x40, 0x06, 0x4d,
		0x29, 0x0a, 0x10, 0x01, 0x0b, 0x8e, 0xfa, 0x7b, 0x1b, 0x87, 0x4a, 0x00, 0x19, 0x2e,
		0xdd, 0xb2, 0x7c, 0xe7, 0xc1, 0x56, 0x90, 0x80, 0x18, 0x01, 0xf6, 0x4c, 0x71, 0x00,
		0x00, 0x01, 0x01, 0x08, 0x0a, 0xad, 0x41, 0xf5, 0xa3, 0x52, 0x6c, 0x4d, 0xf5, 0x45,
		0x48, 0x4c, 0x4f, 0x20, 0x64, 0x65, 0x73, 0x6b, 0x74, 0x6f, 0x70, 0x2e, 0x75, 0x6e,
		0x78, 0x2e, 0x63, 0x61, 0x0d, 0x0a};

/* smtp-startssl frame 10: "STARTTLS\r\n". */
static const uint8_t starttls_v4[] = {0xa0, 0x36, 0x9f, 0x4c, 0x4c, 0x28, 0xd8, 0xcb, 0x8a, 0xed,
		0xa1, 0x46, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3e, 0xd8, 0x57, 0x40, 0x00, 0x40, 0x06,
		0x4d, 0x32, 0x0a, 0x10, 0x01, 0x0b, 0x8e, 0xfa, 0x7b, 0x1b, 0x87, 0x4a, 0x00, 0x19,
		0x2e, 0xdd, 0xb2, 0x91, 0xe7, 0xc1, 0x57, 0x28, 0x80, 0x18, 0x01, 0xf5, 0x32, 0x2a,
		0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0xad, 0x41, 0xf5, 0xa3, 0x52, 0x6c, 0x4d, 0xf5,
		0x53, 0x54, 0x41, 0x52, 0x54, 0x54, 0x4c, 0x53, 0x0d, 0x0a};

/* zeek/testing/btest/Traces/communityid/ipv6.pcap frame 4: IPv6 220 banner (51 bytes). */
static const uint8_t banner_v6[] = {0x68, 0xa3, 0xc4, 0xf9, 0x49, 0xf6, 0x54, 0x75, 0xd0, 0xc9,
		0x0b, 0x81, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x47, 0x06, 0x38, 0x26, 0x07,
		0xf8, 0xb0, 0x40, 0x0c, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1a,
		0x20, 0x01, 0x04, 0x70, 0xe5, 0xbf, 0xde, 0xad, 0x49, 0x57, 0x21, 0x74, 0xe8, 0x2c,
		0x48, 0x87, 0x00, 0x19, 0xf9, 0xc7, 0x95, 0x63, 0x97, 0x9d, 0x03, 0xa0, 0x88, 0x31,
		0x50, 0x18, 0x01, 0x50, 0xe6, 0x87, 0x00, 0x00, 0x32, 0x32, 0x30, 0x20, 0x6d, 0x78,
		0x2e, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x20, 0x45, 0x53,
		0x4d, 0x54, 0x50, 0x20, 0x6d, 0x31, 0x37, 0x73, 0x69, 0x31, 0x30, 0x35, 0x31, 0x35,
		0x39, 0x33, 0x76, 0x63, 0x6b, 0x2e, 0x32, 0x20, 0x2d, 0x20, 0x67, 0x73, 0x6d, 0x74,
		0x70, 0x0d, 0x0a};

/* nDPI/tests/cfgs/default/pcap/smtp-starttls.pcap frame 44: "STARTTLS\r\n", IPv6 in VLAN 125. */
static const uint8_t starttls_vlan_v6[] = {0xb4, 0x0c, 0x25, 0x05, 0x8e, 0x13, 0x00, 0x0c, 0x29,
		0xc1, 0x34, 0xdc, 0x81, 0x00, 0x00, 0x7d, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00,
		0x1e, 0x06, 0x40, 0x20, 0x03, 0x00, 0xde, 0x20, 0x16, 0x01, 0x25, 0xfc, 0x36, 0x83,
		0x17, 0x4e, 0x86, 0xcb, 0x72, 0x20, 0x03, 0x00, 0xde, 0x20, 0x16, 0x01, 0x20, 0x00,
		0x00, 0x00, 0x00, 0x0a, 0x08, 0x00, 0x53, 0x1d, 0x8a, 0x00, 0x19, 0x5a, 0x05, 0xf4,
		0xef, 0x5c, 0xc9, 0x9f, 0xf7, 0x50, 0x18, 0x40, 0x7b, 0x9b, 0xc0, 0x00, 0x00, 0x53,
		0x54, 0x41, 0x52, 0x54, 0x54, 0x4c, 0x53, 0x0d, 0x0a};

/* arkime/tests/pcap/arkime_synthetic.pcap frame 221: DNS query over UDP. */
static const uint8_t dns_v4[] = {0x94, 0x2a, 0x6f, 0xee, 0x8c, 0x83, 0x6a, 0x70, 0xc5, 0xaf, 0xf1,
		0xf9, 0x08, 0x00, 0x45, 0x00, 0x00, 0x39, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x64,
		0x4f, 0x0a, 0x00, 0x01, 0x64, 0x0a, 0x00, 0x01, 0x01, 0x30, 0x39, 0x00, 0x35, 0x00,
		0x25, 0xd7, 0x2f, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00,
		0x00, 0x01, 0x00, 0x01};

/* suricata-verify/tests/smtp-long-command/input.pcap frame 8: ACK with TS and one SACK block. */
static const uint8_t sack_v4[] = {0x58, 0x96, 0x1d, 0xf2, 0x11, 0x15, 0x7a, 0x93, 0x37, 0x1d, 0xcf,
		0x2d, 0x08, 0x00, 0x45, 0x00, 0x00, 0x40, 0x1f, 0x30, 0x40, 0x00, 0x33, 0x06, 0x81,
		0xc9, 0x53, 0xd7, 0xee, 0x1b, 0xc0, 0xa8, 0xa4, 0x23, 0x00, 0x19, 0xe6, 0xd8, 0x23,
		0xf6, 0x2b, 0xb2, 0x49, 0xa3, 0x98, 0xcc, 0xb0, 0x10, 0x03, 0xfb, 0x3f, 0xb6, 0x00,
		0x00, 0x01, 0x01, 0x08, 0x0a, 0xa2, 0x7a, 0x6b, 0xa9, 0xa4, 0xc9, 0xb6, 0x46, 0x01,
		0x01, 0x05, 0x0a, 0x49, 0xa3, 0x9d, 0xd4, 0x49, 0xa3, 0xa2, 0xdc};

/* suricata-verify/tests/smtp-rfc2231/input.pcap frame 150: RST, 6 bytes of Ethernet padding. */
static const uint8_t rst_padded_v4[] = {0x00, 0x50, 0x56, 0x91, 0x62, 0xd2, 0x00, 0x08, 0xe3, 0xff,
		0xfc, 0x28, 0x08, 0x00, 0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x3f, 0x06,
		0x0a, 0x10, 0x0a, 0x02, 0x0a, 0x9f, 0x0a, 0x02, 0x13, 0x1e, 0xaf, 0x5a, 0x00, 0x19,
		0xe5, 0xfa, 0xde, 0xc8, 0x00, 0x00, 0x00, 0x00, 0x50, 0x04, 0x00, 0x00, 0x09, 0xe9,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

struct real_frame {
	const char *name;
	const uint8_t *b;
	uint32_t len;
	uint8_t l3, l4_proto;
	uint16_t stored; /* the L4 checksum in the capture */
	uint16_t payload_len;
};

#define REAL(n, l3_, proto, csum, plen) \
	{ \
#n, n, sizeof(n), l3_, proto, csum, plen \
	}

static const struct real_frame real[] = {
		REAL(syn_v4, PKT_L3_IPV4, 6, 0x2c58, 0),
		REAL(ehlo_v4, PKT_L3_IPV4, 6, 0x4c71, 21),
		REAL(starttls_v4, PKT_L3_IPV4, 6, 0x322a, 10),
		REAL(banner_v6, PKT_L3_IPV6, 6, 0xe687, 51),
		REAL(starttls_vlan_v6, PKT_L3_IPV6, 6, 0x9bc0, 10),
		REAL(dns_v4, PKT_L3_IPV4, 17, 0xd72f, 29),
		REAL(sack_v4, PKT_L3_IPV4, 6, 0x3fb6, 0),
		REAL(rst_padded_v4, PKT_L3_IPV4, 6, 0x09e9, 0),
};

static uint16_t
csum_field(const struct pkt_info *pi)
{
	return (uint16_t)(pi->l4_off + (pi->l4_proto == 6 ? 16 : 6));
}

Test(pkt_cksum, real_frames)
{
	size_t i;

	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		const struct real_frame *r = &real[i];
		uint8_t b[256];
		struct pkt_info pi;

		memcpy(b, r->b, r->len);
		cr_assert_eq(pkt_parse(b, r->len, &pi), PKT_OK, "%s", r->name);
		cr_assert_eq(pi.l3, r->l3, "%s", r->name);
		cr_assert_eq(pi.l4_proto, r->l4_proto, "%s", r->name);
		cr_assert_eq(pi.payload_len, r->payload_len, "%s", r->name);
		cr_assert_eq(pkt_load16(b + csum_field(&pi)), r->stored, "%s", r->name);
		cr_assert(pkt_l4_cksum_ok(b, &pi), "%s", r->name);
		cr_assert_eq(pkt_l4_cksum(b, &pi), r->stored, "%s: %#x", r->name,
				pkt_l4_cksum(b, &pi));
		if (pi.l3 == PKT_L3_IPV4)
			cr_assert_eq(pkt_ipv4_hdr_cksum(b + pi.l3_off),
					pkt_load16(b + pi.l3_off + 10), "%s", r->name);

		/* One flipped bit anywhere in the segment (or the addresses) is caught. */
		b[r->len - 1 - (r->len - pi.payload_off - pi.payload_len)] ^= 0x20;
		cr_assert(!pkt_l4_cksum_ok(b, &pi), "%s", r->name);
		pkt_l4_cksum_set(b, &pi);
		cr_assert(pkt_l4_cksum_ok(b, &pi), "%s", r->name);
		cr_assert_neq(pkt_load16(b + csum_field(&pi)), r->stored, "%s", r->name);
		b[pi.l3_off + (pi.l3 == PKT_L3_IPV4 ? 12 : 8)] ^= 0x01;
		cr_assert(!pkt_l4_cksum_ok(b, &pi), "%s", r->name);
	}
}

Test(pkt_cksum, real_frame_fields)
{
	struct pkt_info pi;

	cr_assert_eq(pkt_parse(sack_v4, sizeof(sack_v4), &pi), PKT_OK);
	cr_assert_eq(pi.opts.present, PKT_OPT_TS | PKT_OPT_SACK);
	cr_assert_eq(pi.opts.n_sack, 1);
	cr_assert_eq(pi.opts.sack_off, 36);
	cr_assert_eq(pi.opts.sack[0][0], 0x49a39dd4);
	cr_assert_eq(pi.opts.sack[0][1], 0x49a3a2dc);
	cr_assert_eq(pi.opts.ts_val, 0xa27a6ba9);

	cr_assert_eq(pkt_parse(syn_v4, sizeof(syn_v4), &pi), PKT_OK);
	cr_assert_eq(pi.opts.mss, 1460);
	cr_assert_eq(pi.opts.wscale, 7);
	cr_assert_eq(pi.sport, 34634);
	cr_assert_eq(pi.dport, 25);
	cr_assert_eq(pi.tcp_flags, PKT_TCP_SYN);

	cr_assert_eq(pkt_parse(starttls_vlan_v6, sizeof(starttls_vlan_v6), &pi), PKT_OK);
	cr_assert_eq(pi.n_vlan, 1);
	cr_assert_eq(pi.vlan_tci[0], 125);
	cr_assert_eq(pi.l4_off, 58);
	cr_assert_eq(pi.dport, 25);

	cr_assert_eq(pkt_parse(rst_padded_v4, sizeof(rst_padded_v4), &pi), PKT_OK);
	cr_assert_eq(pi.tcp_flags, PKT_TCP_RST);
	cr_assert_eq(pi.payload_off + pi.payload_len, 54, "the 6 padding bytes are not payload");
}

Test(pkt_cksum, ipv4_header_vector)
{
	/* The usual textbook header: checksum 0xb861. */
	uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
			0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	/* With 4 bytes of options (router alert). */
	uint8_t ipo[24] = {0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0x00, 0x00,
			0x0a, 0x00, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00};

	cr_assert_eq(pkt_ipv4_hdr_cksum(ip), 0xb861);
	ip[10] = 0xff; /* the field is taken as zero whatever it holds */
	cr_assert_eq(pkt_ipv4_hdr_cksum(ip), 0xb861);
	cr_assert_eq(pkt_ipv4_hdr_cksum(ipo), (uint16_t)~fb_ref_sum(ipo, 24, 0));
	/* IHL below 5 is read as 5. */
	ip[0] = 0x43;
	ip[10] = 0xb8;
	cr_assert_eq(pkt_ipv4_hdr_cksum(ip),
			(uint16_t)~fb_ref_sum(ip, 10, fb_ref_sum(ip + 12, 8, 0)));
}

Test(pkt_cksum, ipv4_cksum_set)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .ip4_opt_len = 8, .payload_len = 3};
	struct fb_frame f;
	struct pkt_info pi;
	uint16_t good;

	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	good = pkt_load16(f.b + 24);
	pkt_store16(f.b + 24, 0x1234);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_IP4_CSUM);
	pkt_ipv4_cksum_set(f.b, &pi);
	cr_assert_eq(pkt_load16(f.b + 24), good);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	/* TTL decrement, incrementally, as a router would. */
	pkt_store16(f.b + 24,
			pkt_cksum_adjust16(good, pkt_load16(f.b + 22),
					(uint16_t)(pkt_load16(f.b + 22) - 0x100)));
	f.b[22]--;
	cr_assert_eq(pkt_load16(f.b + 24), pkt_ipv4_hdr_cksum(f.b + 14));

	/* Not IPv4: untouched. */
	s.ipv = 6;
	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	{
		uint8_t copy[FB_MAX];

		memcpy(copy, f.b, f.len);
		pkt_ipv4_cksum_set(f.b, &pi);
		cr_assert_arr_eq(copy, f.b, f.len);
	}
}

Test(pkt_cksum, ipv6_tcp_and_udp)
{
	struct fb_spec s = {.ipv = 6,
			.proto = 6,
			.n_ext = 2,
			.ext_type = {0, 60},
			.ext_len = {8, 16},
			.payload_len = 77};
	struct fb_frame f;
	struct pkt_info pi;

	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	cr_assert_eq(pkt_l4_cksum(f.b, &pi), fb_ref_l4_cksum(&s, &f));
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));
	s.proto = 17;
	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	cr_assert_eq(pkt_l4_cksum(f.b, &pi), fb_ref_l4_cksum(&s, &f));
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));
	/* IPv6 UDP may not go without a checksum (RFC 8200). */
	pkt_store16(f.b + pi.l4_off + 6, 0);
	cr_assert(!pkt_l4_cksum_ok(f.b, &pi));
}

Test(pkt_cksum, udp_zero)
{
	struct fb_spec s = {.ipv = 4, .proto = 17, .payload_len = 10};
	struct fb_frame f;
	struct pkt_info pi;
	uint16_t c;

	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	/* 0 over IPv4: no checksum, accepted whatever the data. */
	pkt_store16(f.b + 34 + 6, 0);
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));
	f.b[pi.payload_off] ^= 0xff;
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));

	/* Make the data sum to 0xffff: put the checksum value into a zero payload word. */
	memset(f.b + pi.payload_off, 0, 10);
	c = pkt_l4_cksum(f.b, &pi);
	cr_assert_neq(c, 0xffff);
	pkt_store16(f.b + pi.payload_off + 4, c);
	cr_assert_eq(pkt_l4_cksum(f.b, &pi), 0xffff, "a computed 0 is sent as 0xffff");
	pkt_l4_cksum_set(f.b, &pi);
	cr_assert_eq(pkt_load16(f.b + 34 + 6), 0xffff);
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));
	cr_assert_eq(fb_ref_l4_cksum(&s, &f), 0xffff);

	/* TCP keeps a computed 0 as 0. */
	s = (struct fb_spec){.ipv = 4, .proto = 6, .payload_len = 10};
	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	memset(f.b + pi.payload_off, 0, 10);
	c = pkt_l4_cksum(f.b, &pi);
	pkt_store16(f.b + pi.payload_off + 4, c);
	cr_assert_eq(pkt_l4_cksum(f.b, &pi), 0);
	pkt_l4_cksum_set(f.b, &pi);
	cr_assert(pkt_l4_cksum_ok(f.b, &pi));
}

Test(pkt_cksum, no_l4)
{
	struct fb_spec s = {.ipv = 4, .proto = 1, .payload_len = 8};
	struct fb_frame f;
	struct pkt_info pi;
	uint8_t copy[FB_MAX];

	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	cr_assert_eq(pkt_l4_cksum(f.b, &pi), 0);
	cr_assert(!pkt_l4_cksum_ok(f.b, &pi));
	memcpy(copy, f.b, f.len);
	pkt_l4_cksum_set(f.b, &pi);
	cr_assert_arr_eq(copy, f.b, f.len);
}

Test(pkt_cksum, pseudo_header)
{
	struct fb_spec s = {.ipv = 4, .proto = 6, .payload_len = 15};
	struct fb_frame f;
	struct pkt_info pi;
	uint8_t ph[40];
	uint32_t l4len;

	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	l4len = 35;
	memcpy(ph, f.b + 26, 8);
	ph[8] = 0;
	ph[9] = 6;
	pkt_store16(ph + 10, (uint16_t)l4len);
	cr_assert_eq(pkt_l4_phdr_cksum(f.b, &pi), fb_ref_sum(ph, 12, 0));
	cr_assert_eq(pkt_cksum_fold(pkt_l4_pseudo_sum(f.b, &pi)), fb_ref_sum(ph, 12, 0));

	s.ipv = 6;
	fb_build(&s, &f);
	cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
	memcpy(ph, f.b + 22, 32);
	pkt_store32(ph + 32, l4len);
	pkt_store32(ph + 36, 6);
	cr_assert_eq(pkt_l4_phdr_cksum(f.b, &pi), fb_ref_sum(ph, 40, 0));

	/* What a NIC does with the pseudo sum in the field gives the full checksum. */
	pkt_store16(f.b + pi.l4_off + 16, pkt_l4_phdr_cksum(f.b, &pi));
	cr_assert_eq((uint16_t)~fb_ref_sum(f.b + pi.l4_off, l4len, 0), fb_ref_l4_cksum(&s, &f));
}

Test(pkt_cksum, partial_matches_reference)
{
	static uint8_t buf[1100];
	uint64_t rng = 42;
	size_t i, len, start;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)fb_rand(&rng);
	/* Every length to 300 at every alignment modulo 8, and some long ones. */
	for (start = 0; start < 8; start++)
		for (len = 0; len <= 300; len++)
			cr_assert_eq(pkt_cksum_fold(pkt_cksum_partial(buf + start, len, 0)),
					fb_ref_sum(buf + start, len, 0), "start %zu len %zu", start,
					len);
	for (len = 1024; len < 1090; len++)
		cr_assert_eq(pkt_cksum_fold(pkt_cksum_partial(buf + 3, len, 0)),
				fb_ref_sum(buf + 3, len, 0));
	/* All 0xff: the sum must come out as 0xffff, never 0. */
	memset(buf, 0xff, sizeof(buf));
	for (len = 2; len < 100; len += 2)
		cr_assert_eq(pkt_cksum_fold(pkt_cksum_partial(buf, len, 0)), 0xffff);
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(pkt_cksum_partial(buf, 64, 0), 0);
	cr_assert_eq(pkt_cksum_finish(0), 0xffff);
	/* An odd tail byte is the high byte of its word. */
	buf[0] = 0x12;
	cr_assert_eq(pkt_cksum_partial(buf, 1, 0), 0x1200);
	buf[1] = 0x34;
	buf[2] = 0x56;
	cr_assert_eq(pkt_cksum_partial(buf, 3, 0), 0x1234 + 0x5600);
}

Test(pkt_cksum, partial_chains)
{
	static uint8_t buf[600];
	uint64_t rng = 7;
	size_t i, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)fb_rand(&rng);
	for (cut = 0; cut <= sizeof(buf); cut += 2) {
		uint32_t s = pkt_cksum_partial(buf, cut, 0);

		s = pkt_cksum_partial(buf + cut, sizeof(buf) - cut, s);
		cr_assert_eq(pkt_cksum_fold(s), fb_ref_sum(buf, sizeof(buf), 0), "cut %zu", cut);
	}
	/* Any incoming sum, even 0xffffffff, is folded in, not overflowed. */
	cr_assert_eq(pkt_cksum_fold(pkt_cksum_partial(buf, 0, 0xffffffff)), 0xffff);
	cr_assert_lt(pkt_cksum_partial(buf, sizeof(buf), 0xffffffff), 0x1ffff);
	cr_assert_eq(pkt_cksum_fold(pkt_cksum_partial(buf, 100, 0x12345678)),
			fb_ref_sum(buf, 100, pkt_cksum_fold(0x12345678)));
	cr_assert_eq(pkt_cksum_fold(0x0001fffe), 0xffff);
	cr_assert_eq(pkt_cksum_fold(0x00010000), 0x0001);
	cr_assert_eq(pkt_cksum_finish(0x0000ffff), 0);
}

/* A random TCP frame (IPv4 or IPv6, random payload and option block). */
static void
random_tcp(uint64_t *rng, struct fb_spec *s, struct fb_frame *f, uint8_t *payload, uint8_t *opts)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->ipv = fb_rand(rng) & 1 ? 4 : 6;
	s->proto = 6;
	s->payload_len = (uint16_t)(1 + fb_rand(rng) % 1460);
	for (i = 0; i < s->payload_len; i++)
		payload[i] = (uint8_t)fb_rand(rng);
	s->payload = payload;
	s->tcp_opts_len = (uint8_t)(4 * (fb_rand(rng) % 11));
	for (i = 0; i < s->tcp_opts_len; i++)
		opts[i] = 1;
	s->tcp_opts = opts;
	s->tcp_flags = PKT_TCP_ACK | PKT_TCP_PSH;
	fb_build(s, f);
	/* Random sequence numbers, addresses' low bytes and window, checksums redone. */
	pkt_store32(f->b + f->l4_off + 4, (uint32_t)fb_rand(rng));
	pkt_store32(f->b + f->l4_off + 8, (uint32_t)fb_rand(rng));
	pkt_store16(f->b + f->l4_off + 14, (uint16_t)fb_rand(rng));
	f->b[f->l3_off + (s->ipv == 4 ? 15 : 23)] = (uint8_t)fb_rand(rng);
	fb_fix_cksums(s, f);
}

Test(pkt_cksum_incremental, payload_edits)
{
	static uint8_t payload[1500], opts[40];
	uint64_t rng = 0x5eed;
	struct fb_spec s;
	struct fb_frame f;
	struct pkt_info pi;
	int it, odd = 0, even = 0;

	for (it = 0; it < 5000; it++) {
		uint8_t old[64], new_[64];
		uint16_t csum, want;
		size_t off, len, k, edits = 1 + fb_rand(&rng) % 3, e;

		random_tcp(&rng, &s, &f, payload, opts);
		cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
		cr_assert(pkt_l4_cksum_ok(f.b, &pi));
		csum = pkt_load16(f.b + pi.l4_off + 16);
		for (e = 0; e < edits; e++) {
			off = fb_rand(&rng) % pi.payload_len;
			len = 1 + fb_rand(&rng) % 64;
			if (off + len > pi.payload_len)
				len = pi.payload_len - off;
			memcpy(old, f.b + pi.payload_off + off, len);
			for (k = 0; k < len; k++) {
				/* SMTP-style rewrites (X, space, *) and random bytes. */
				switch (fb_rand(&rng) % 4) {
				case 0:
					new_[k] = 'X';
					break;
				case 1:
					new_[k] = ' ';
					break;
				case 2:
					new_[k] = old[k];
					break;
				default:
					new_[k] = (uint8_t)fb_rand(&rng);
				}
			}
			memcpy(f.b + pi.payload_off + off, new_, len);
			/* Parity counts from the TCP header start (the pseudo-header is even). */
			csum = pkt_cksum_adjust(
					csum, old, new_, len, pi.payload_off - pi.l4_off + off);
			if ((pi.payload_off - pi.l4_off + off) & 1)
				odd++;
			else
				even++;
		}
		pkt_store16(f.b + pi.l4_off + 16, csum);
		want = pkt_l4_cksum(f.b, &pi);
		cr_assert_eq(csum, want, "iteration %d: incremental %#x, full %#x", it, csum, want);
		cr_assert_eq(want, fb_ref_l4_cksum(&s, &f));
		cr_assert(pkt_l4_cksum_ok(f.b, &pi));
	}
	cr_assert_gt(odd, 1000);
	cr_assert_gt(even, 1000);
}

Test(pkt_cksum_incremental, header_fields)
{
	static uint8_t payload[1500], opts[40];
	uint64_t rng = 0xfeed;
	struct fb_spec s;
	struct fb_frame f;
	struct pkt_info pi;
	int it;

	for (it = 0; it < 5000; it++) {
		uint8_t *th;
		uint32_t seq, ack, nseq, nack;
		uint16_t csum, win, nwin;

		random_tcp(&rng, &s, &f, payload, opts);
		cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
		th = f.b + pi.l4_off;
		csum = pkt_load16(th + 16);
		/* Seq / ack shifted, as a sequence-number randomiser would. */
		seq = pkt_load32(th + 4);
		ack = pkt_load32(th + 8);
		nseq = seq + (uint32_t)fb_rand(&rng);
		nack = it % 7 == 0 ? ack : (uint32_t)fb_rand(&rng);
		pkt_store32(th + 4, nseq);
		pkt_store32(th + 8, nack);
		csum = pkt_cksum_adjust32(csum, seq, nseq);
		csum = pkt_cksum_adjust32(csum, ack, nack);
		/* Window and a port. */
		win = pkt_load16(th + 14);
		nwin = (uint16_t)fb_rand(&rng);
		pkt_store16(th + 14, nwin);
		csum = pkt_cksum_adjust16(csum, win, nwin);
		pkt_store16(th + 2, 587);
		csum = pkt_cksum_adjust16(csum, FB_DPORT, 587);
		pkt_store16(th + 16, csum);
		cr_assert_eq(csum, pkt_l4_cksum(f.b, &pi), "iteration %d", it);
	}
	/* A field rewritten to itself leaves the checksum alone. */
	cr_assert_eq(pkt_cksum_adjust16(0x1234, 0xabcd, 0xabcd), 0x1234);
	cr_assert_eq(pkt_cksum_adjust32(0x1234, 0xdeadbeef, 0xdeadbeef), 0x1234);
}

Test(pkt_cksum_incremental, adjust_forms_agree)
{
	uint64_t rng = 99;
	int it;

	for (it = 0; it < 20000; it++) {
		uint16_t c = (uint16_t)fb_rand(&rng);
		uint32_t o = (uint32_t)fb_rand(&rng), n = (uint32_t)fb_rand(&rng);
		uint8_t ob[4], nb[4];

		if (c == 0xffff)
			continue;
		pkt_store32(ob, o);
		pkt_store32(nb, n);
		cr_assert_eq(pkt_cksum_adjust32(c, o, n), pkt_cksum_adjust(c, ob, nb, 4, 0));
		cr_assert_eq(pkt_cksum_adjust16(c, (uint16_t)o, (uint16_t)n),
				pkt_cksum_adjust(c, ob + 2, nb + 2, 2, 2));
		/* Two bytes at an odd offset straddle two words: bytes 1 and 2 of a 4-byte run. */
		{
			uint8_t mixed[4] = {ob[0], nb[1], nb[2], ob[3]};

			cr_assert_eq(pkt_cksum_adjust(c, ob + 1, nb + 1, 2, 1),
					pkt_cksum_adjust(c, ob, mixed, 4, 0));
			cr_assert_eq(pkt_cksum_adjust(c, ob + 1, nb + 1, 2, 3),
					pkt_cksum_adjust(c, ob, mixed, 4, 0),
					"only the parity of off counts");
		}
	}
	cr_assert_eq(pkt_cksum_adjust(0x1234, (const uint8_t *)"a", (const uint8_t *)"b", 0, 0),
			0x1234);
}

Test(pkt_cksum_incremental, every_offset_small_frame)
{
	/* Every (offset, length) pair over a small odd-length payload, IPv4 and IPv6. */
	struct fb_spec s = {.ipv = 4, .proto = 6, .payload_len = 37};
	struct fb_frame f;
	struct pkt_info pi;
	int v;

	for (v = 0; v < 2; v++) {
		size_t off, len;

		s.ipv = v == 0 ? 4 : 6;
		for (off = 0; off < 37; off++) {
			for (len = 1; off + len <= 37; len++) {
				uint8_t old[37], new_[37];
				uint16_t csum;

				fb_build(&s, &f);
				cr_assert_eq(pkt_parse(f.b, f.len, &pi), PKT_OK);
				memcpy(old, f.b + pi.payload_off + off, len);
				memset(new_, 'X', len);
				memcpy(f.b + pi.payload_off + off, new_, len);
				csum = pkt_cksum_adjust(pkt_load16(f.b + pi.l4_off + 16), old, new_,
						len, pi.payload_off - pi.l4_off + off);
				cr_assert_eq(csum, pkt_l4_cksum(f.b, &pi), "v%d off %zu len %zu",
						s.ipv, off, len);
			}
		}
	}
}
