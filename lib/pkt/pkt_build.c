/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segments the box sends itself: RSTs, and for TCP Intercept the
 * SYN-ACK to a client and the SYN to a server. Everything but L2 comes
 * from the spec and the template's addresses and ports; nothing of the
 * template's IP options, extension headers or TCP options is carried over.
 */
#include <string.h>

#include "pkt.h"

#define IPPROTO_TCP_ 6
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define TTL 64
#define ETH_ALEN 6

/* Options in a fixed order, each padded to 4 bytes: MSS; NOP WS; NOP NOP SACKOK. */
static uint32_t
put_opts(uint8_t *o, const struct pkt_tcp_spec *s)
{
	uint32_t n = 0;

	if (s->mss != 0) {
		o[n] = PKT_TCPOPT_MSS;
		o[n + 1] = 4;
		pkt_store16(o + n + 2, s->mss);
		n += 4;
	}
	if (s->wscale != PKT_BUILD_NO_WSCALE) {
		o[n] = PKT_TCPOPT_NOP;
		o[n + 1] = PKT_TCPOPT_WSCALE;
		o[n + 2] = 3;
		o[n + 3] = s->wscale;
		n += 4;
	}
	if (s->sack_ok) {
		o[n] = PKT_TCPOPT_NOP;
		o[n + 1] = PKT_TCPOPT_NOP;
		o[n + 2] = PKT_TCPOPT_SACKOK;
		o[n + 3] = 2;
		n += 4;
	}
	return n;
}

uint16_t
pkt_build_tcp(uint8_t *out, size_t cap, const uint8_t *tmpl, const struct pkt_info *pi,
		const struct pkt_tcp_spec *s)
{
	const uint8_t *src = pi->src;
	/* RFC 8200 8.1: the routing header's last stop is the peer that answers. */
	const uint8_t *dst = pi->ip6_final_dst_off != 0 ? tmpl + pi->ip6_final_dst_off : pi->dst;
	uint32_t l3len = pi->l3 == PKT_L3_IPV4 ? IP4_HLEN : IP6_HLEN;
	uint32_t alen = pi->l3 == PKT_L3_IPV4 ? 4 : 16;
	uint32_t optlen = (s->mss != 0 ? 4u : 0u) + (s->wscale != PKT_BUILD_NO_WSCALE ? 4u : 0u) +
			(s->sack_ok ? 4u : 0u);
	uint32_t tcplen = TCP_HLEN + optlen;
	uint32_t total = (uint32_t)pi->l3_off + l3len + tcplen;
	struct pkt_info o;
	uint8_t *ip, *th;

	if (!(pi->flags & PKT_F_TCP) || (pi->l3 != PKT_L3_IPV4 && pi->l3 != PKT_L3_IPV6) ||
			pi->l3_off < PKT_ETH_HLEN || total > cap)
		return 0;
	if (s->reverse) {
		const uint8_t *t = src;

		src = dst;
		dst = t;
	}
	/* L2: MACs, tags and the ethertype, which names the same IP version. */
	memcpy(out, tmpl, pi->l3_off);
	if (s->reverse) {
		memcpy(out, tmpl + ETH_ALEN, ETH_ALEN);
		memcpy(out + ETH_ALEN, tmpl, ETH_ALEN);
	}
	ip = out + pi->l3_off;
	memset(ip, 0, l3len + TCP_HLEN);
	if (pi->l3 == PKT_L3_IPV4) {
		ip[0] = 0x45;
		pkt_store16(ip + 2, (uint16_t)(IP4_HLEN + tcplen));
		ip[6] = 0x40; /* DF */
		ip[8] = TTL;
		ip[9] = IPPROTO_TCP_;
		memcpy(ip + 12, src, alen);
		memcpy(ip + 16, dst, alen);
	} else {
		ip[0] = 0x60;
		pkt_store16(ip + 4, (uint16_t)tcplen);
		ip[6] = IPPROTO_TCP_;
		ip[7] = TTL;
		memcpy(ip + 8, src, alen);
		memcpy(ip + 24, dst, alen);
	}
	th = ip + l3len;
	pkt_store16(th, s->reverse ? pi->dport : pi->sport);
	pkt_store16(th + 2, s->reverse ? pi->sport : pi->dport);
	pkt_store32(th + 4, s->seq);
	pkt_store32(th + 8, s->ack);
	th[12] = (uint8_t)((tcplen / 4) << 4);
	th[13] = s->flags;
	pkt_store16(th + 14, s->win);
	put_opts(th + TCP_HLEN, s);

	/* What the checksum helpers read, without parsing the frame again. */
	memset(&o, 0, sizeof(o));
	o.l3 = pi->l3;
	o.l3_off = pi->l3_off;
	o.l4_off = (uint16_t)(pi->l3_off + l3len);
	o.payload_off = (uint16_t)(o.l4_off + tcplen);
	o.l4_proto = IPPROTO_TCP_;
	o.flags = PKT_F_L4 | PKT_F_TCP;
	pkt_ipv4_cksum_set(out, &o);
	pkt_l4_cksum_set(out, &o);
	return (uint16_t)total;
}
