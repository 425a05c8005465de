/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builder for the lib/pkt tests. Deliberately simple and independent
 * of lib/pkt: byte stores and a word-at-a-time checksum, so the tests compare
 * the library against something written another way.
 */
#include <string.h>

#include "frame_build.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint16_t
fb_ref_sum(const uint8_t *p, size_t len, uint16_t sum)
{
	uint32_t s = sum;
	size_t i;

	for (i = 0; i < len; i++) {
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
		if (s > 0xffff)
			s = (s & 0xffff) + 1;
	}
	return (uint16_t)s;
}

uint64_t
fb_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t
upper_len(const struct fb_spec *s)
{
	switch (s->proto) {
	case 6:
		return 20u + s->tcp_opts_len + s->payload_len;
	case 17:
		return 8u + s->payload_len;
	default:
		return s->payload_len;
	}
}

static uint32_t
add_upper(const struct fb_spec *s, struct fb_frame *f, uint32_t off)
{
	uint8_t *p = f->b + off;
	uint32_t hlen = 0, i;

	f->l4_off = off;
	if (s->proto == 6) {
		hlen = 20u + s->tcp_opts_len;
		put16(p, FB_SPORT);
		put16(p + 2, FB_DPORT);
		put32(p + 4, FB_SEQ);
		put32(p + 8, FB_ACK);
		p[12] = (uint8_t)((hlen / 4) << 4);
		p[13] = s->tcp_flags;
		put16(p + 14, FB_WIN);
		put16(p + 16, 0);
		put16(p + 18, 0);
		if (s->tcp_opts_len != 0)
			memcpy(p + 20, s->tcp_opts, s->tcp_opts_len);
	} else if (s->proto == 17) {
		hlen = 8;
		put16(p, FB_SPORT);
		put16(p + 2, 53);
		put16(p + 4, (uint16_t)(8 + s->payload_len));
		put16(p + 6, 0);
	}
	f->payload_off = off + hlen;
	for (i = 0; i < s->payload_len; i++)
		p[hlen + i] = s->payload != NULL ? s->payload[i] : (uint8_t)(i * 7 + 3);
	return off + hlen + s->payload_len;
}

static uint32_t
add_ipv4(const struct fb_spec *s, struct fb_frame *f, uint32_t off)
{
	uint8_t *ip = f->b + off;
	uint32_t ihl = 20u + s->ip4_opt_len, i;

	f->l3_off = off;
	ip[0] = (uint8_t)(0x40 | ihl / 4);
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(ihl + upper_len(s)));
	put16(ip + 4, 0x1234);
	put16(ip + 6, s->ip4_frag);
	ip[8] = 64;
	ip[9] = s->proto;
	put16(ip + 10, 0);
	put32(ip + 12, FB_SRC4);
	put32(ip + 16, FB_DST4);
	/* Options: NOPs then an EOL, which any option walker accepts. */
	for (i = 20; i < ihl; i++)
		ip[i] = i + 1 == ihl ? 0 : 1;
	return add_upper(s, f, off + ihl);
}

static uint32_t
add_ipv6(const struct fb_spec *s, struct fb_frame *f, uint32_t off)
{
	uint8_t *ip = f->b + off;
	uint32_t p = off + 40, ext_total = 0, i, j;

	f->l3_off = off;
	for (i = 0; i < s->n_ext; i++)
		ext_total += s->ext_len[i];
	put32(ip, 0x60012345); /* version 6, a traffic class and a flow label */
	put16(ip + 4, (uint16_t)(ext_total + upper_len(s)));
	ip[6] = s->n_ext != 0 ? s->ext_type[0] : s->proto;
	ip[7] = 63;
	memset(ip + 8, 0, 32);
	put32(ip + 8, 0x20010db8);
	ip[23] = 1;
	put32(ip + 24, 0x20010db8);
	ip[39] = 2;
	f->final_dst_off = off + 24;
	for (i = 0; i < s->n_ext; i++) {
		uint8_t *e = f->b + p;
		uint8_t t = s->ext_type[i];
		uint16_t el = s->ext_len[i];

		f->ext_off[i] = p;
		memset(e, 0, el);
		e[0] = i + 1 < s->n_ext ? s->ext_type[i + 1] : s->proto;
		if (t == 51) {
			e[1] = (uint8_t)(el / 4 - 2);
		} else if (t == 44) {
			put16(e + 2, s->ip6_frag);
			put32(e + 4, 0xabcdef01);
		} else {
			e[1] = (uint8_t)(el / 8 - 1);
			if (t == 43) {
				uint32_t n = (el - 8u) / 16;

				e[2] = s->rh_type;
				e[3] = s->rh_left;
				for (j = 0; j < n; j++) {
					put32(e + 8 + 16 * j, 0x20010db8);
					e[8 + 16 * j + 4] = 0xee;
					e[8 + 16 * j + 15] = (uint8_t)(0x10 + j);
				}
				if (s->rh_left != 0 && n != 0)
					f->final_dst_off = p + 8 +
							(s->rh_type == 0 ? 16 * (n - 1) : 0);
			} else {
				/* Options area: a PadN covering it all. */
				if (el > 2) {
					e[2] = 1;
					e[3] = (uint8_t)(el - 4);
				}
			}
		}
		p += el;
	}
	return add_upper(s, f, p);
}

uint16_t
fb_ref_l4_cksum(const struct fb_spec *s, const struct fb_frame *f)
{
	const uint8_t *ip = f->b + f->l3_off;
	uint32_t l4len = upper_len(s);
	uint8_t ph[40];
	uint16_t sum;
	size_t phlen;
	uint8_t seg[FB_MAX];

	if (s->ipv == 4) {
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = s->proto;
		put16(ph + 10, (uint16_t)l4len);
		phlen = 12;
	} else {
		memcpy(ph, ip + 8, 16);
		memcpy(ph + 16, f->b + f->final_dst_off, 16);
		put32(ph + 32, l4len);
		put32(ph + 36, s->proto);
		phlen = 40;
	}
	memcpy(seg, f->b + f->l4_off, l4len);
	put16(seg + (s->proto == 6 ? 16 : 6), 0);
	sum = fb_ref_sum(ph, phlen, 0);
	sum = fb_ref_sum(seg, l4len, sum);
	sum = (uint16_t)~sum;
	if (sum == 0 && s->proto == 17)
		sum = 0xffff;
	return sum;
}

void
fb_fix_cksums(const struct fb_spec *s, struct fb_frame *f)
{
	uint8_t *ip = f->b + f->l3_off;

	if (s->ipv == 4) {
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~fb_ref_sum(ip, (ip[0] & 0xfu) * 4u, 0));
	}
	if (s->ipv != 0 && (s->proto == 6 || s->proto == 17))
		put16(f->b + f->l4_off + (s->proto == 6 ? 16 : 6), fb_ref_l4_cksum(s, f));
}

void
fb_build(const struct fb_spec *s, struct fb_frame *f)
{
	uint32_t off = 12, end, i;
	uint16_t et = s->ethertype;

	memset(f, 0, sizeof(*f));
	/* Locally administered MACs. */
	memcpy(f->b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	for (i = 0; i < s->n_tags; i++) {
		put16(f->b + off, s->tpid[i]);
		put16(f->b + off + 2, s->tci[i]);
		off += 4;
	}
	if (et == 0)
		et = s->ipv == 4 ? 0x0800 : s->ipv == 6 ? 0x86dd : 0x0806;
	put16(f->b + off, et);
	off += 2;
	if (s->ipv == 4) {
		end = add_ipv4(s, f, off);
	} else if (s->ipv == 6) {
		end = add_ipv6(s, f, off);
	} else {
		f->l3_off = off;
		for (i = 0; i < s->payload_len; i++)
			f->b[off + i] = (uint8_t)i;
		end = off + s->payload_len;
	}
	memset(f->b + end, 0, s->pad);
	f->len = end + s->pad;
	fb_fix_cksums(s, f);
}
