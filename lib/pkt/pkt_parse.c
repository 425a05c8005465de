/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parser: Ethernet, 802.1Q / QinQ, IPv4, IPv6 (+ extension headers),
 * TCP (+ options), UDP.
 *
 * Every read is preceded by a bounds check against the frame length or, for
 * anything inside the IP packet, against the end the IP length fields give
 * (so Ethernet padding is never taken for TCP payload). Offsets are kept in
 * 32-bit locals: with the frame length clamped to 65535, no sum of an offset
 * and a header length can wrap, and every stored offset fits 16 bits.
 *
 * The common case (untagged IPv4, 20-byte header, TCP with no options or
 * with the NOP NOP timestamp Linux sends) runs straight through with one
 * predictable branch per layer; tags, IPv4 options, fragments, extension
 * headers and odd TCP options live in separate functions.
 */
#include <string.h>

#include "pkt.h"
#include "sw_common.h"

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_DSTOPTS_ 60

#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8

#define IP4_MF 0x2000
#define IP4_OFFMASK 0x1fff
#define IP6_OFFMASK 0xfff8

/* NOP, NOP, kind 8, length 10: the option block of nearly every Linux segment. */
#define TCP_NOP_NOP_TS 0x0101080aU

static const char *const result_str[PKT_RESULT_MAX] = {
#define PKT_RESULT_STR(name, str) [PKT_##name] = str,
		PKT_FOREACH_RESULT(PKT_RESULT_STR)
#undef PKT_RESULT_STR
};

static const char *const result_upper[PKT_RESULT_MAX] = {
#define PKT_RESULT_UPPER(name, str) [PKT_##name] = #name,
		PKT_FOREACH_RESULT(PKT_RESULT_UPPER)
#undef PKT_RESULT_UPPER
};

/* Sized by the longest name, so the lower-case copies need no length to be kept by hand. */
union result_name_sizes {
#define PKT_RESULT_SIZE(name, str) char n_##name[sizeof(#name)];
	PKT_FOREACH_RESULT(PKT_RESULT_SIZE)
#undef PKT_RESULT_SIZE
};

static char result_lower[PKT_RESULT_MAX][sizeof(union result_name_sizes)];

/*
 * The preprocessor cannot lower-case, and writing the names twice would let
 * the two lists drift apart; so the counter names are derived once at load
 * time (like DPDK's RTE_INIT), before any lcore can ask for them.
 */
static void result_names_init(void) __attribute__((constructor));

static void
result_names_init(void)
{
	unsigned int i, j;

	for (i = 0; i < PKT_RESULT_MAX; i++) {
		for (j = 0; result_upper[i][j] != '\0'; j++) {
			char c = result_upper[i][j];

			result_lower[i][j] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		result_lower[i][j] = '\0';
	}
}

const char *
pkt_result_str(enum pkt_result r)
{
	if ((unsigned int)r >= PKT_RESULT_MAX)
		return "unknown";
	return result_str[r];
}

const char *
pkt_result_name(enum pkt_result r)
{
	if ((unsigned int)r >= PKT_RESULT_MAX)
		return "unknown";
	return result_lower[r];
}

/*
 * TCP options past the fixed header. Unknown kinds are skipped by their
 * length; a known kind with the wrong length is an error because whoever
 * reads it next (the TCP layer, the receiver) would read a different field
 * than the sender meant. A repeated option overwrites the earlier one.
 */
static enum pkt_result
parse_tcp_opts(const uint8_t *th, uint32_t hlen, struct pkt_tcp_opts *o)
{
	uint32_t i = TCP_HLEN;

	while (i < hlen) {
		uint8_t kind = th[i];
		uint32_t olen, n, k;

		if (kind == PKT_TCPOPT_EOL)
			break;
		if (kind == PKT_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return PKT_TCP_OPT; /* no room for the length byte */
		olen = th[i + 1];
		if (olen < 2 || i + olen > hlen)
			return PKT_TCP_OPT;
		switch (kind) {
		case PKT_TCPOPT_MSS:
			if (olen != 4)
				return PKT_TCP_OPT;
			o->mss = pkt_load16(th + i + 2);
			o->present |= PKT_OPT_MSS;
			break;
		case PKT_TCPOPT_WSCALE:
			if (olen != 3)
				return PKT_TCP_OPT;
			o->wscale = th[i + 2];
			o->present |= PKT_OPT_WSCALE;
			break;
		case PKT_TCPOPT_SACKOK:
			if (olen != 2)
				return PKT_TCP_OPT;
			o->present |= PKT_OPT_SACKOK;
			break;
		case PKT_TCPOPT_SACK:
			/* 40 bytes of option space hold at most 4 blocks: n <= 4 follows. */
			if (olen < 10 || (olen - 2) % 8 != 0)
				return PKT_TCP_OPT;
			n = (olen - 2) / 8;
			for (k = 0; k < n; k++) {
				o->sack[k][0] = pkt_load32(th + i + 2 + 8 * k);
				o->sack[k][1] = pkt_load32(th + i + 6 + 8 * k);
			}
			o->n_sack = (uint8_t)n;
			o->sack_off = (uint8_t)(i + 2);
			o->present |= PKT_OPT_SACK;
			break;
		case PKT_TCPOPT_TS:
			if (olen != 10)
				return PKT_TCP_OPT;
			o->ts_val = pkt_load32(th + i + 2);
			o->ts_ecr = pkt_load32(th + i + 6);
			o->present |= PKT_OPT_TS;
			break;
		default:
			break;
		}
		i += olen;
	}
	return PKT_OK;
}

/*
 * TCP header at off, inside an IP packet that ends at end. In a first
 * fragment a header the fragment does not hold whole is not an error (the
 * rest is in the next fragment), just not parsed.
 */
static inline enum pkt_result
parse_tcp(const uint8_t *frame, uint32_t off, uint32_t end, bool frag, struct pkt_info *pi)
{
	const uint8_t *th = frame + off;
	uint32_t hlen;

	if (unlikely(off + TCP_HLEN > end))
		return frag ? PKT_OK : PKT_TRUNC_TCP;
	pi->sport = pkt_load16(th);
	pi->dport = pkt_load16(th + 2);
	pi->seq = pkt_load32(th + 4);
	pi->ack = pkt_load32(th + 8);
	pi->tcp_flags = th[13];
	pi->win = pkt_load16(th + 14);
	hlen = (uint32_t)(th[12] >> 4) * 4;
	pi->tcp_hlen = (uint8_t)hlen;
	if (unlikely(hlen < TCP_HLEN))
		return PKT_TCP_DOFF;
	if (unlikely(off + hlen > end))
		return frag ? PKT_OK : PKT_TCP_DOFF;
	if (hlen != TCP_HLEN) {
		if (likely(hlen == TCP_HLEN + 12 && pkt_load32(th + TCP_HLEN) == TCP_NOP_NOP_TS)) {
			pi->opts.ts_val = pkt_load32(th + TCP_HLEN + 4);
			pi->opts.ts_ecr = pkt_load32(th + TCP_HLEN + 8);
			pi->opts.present = PKT_OPT_TS;
		} else {
			enum pkt_result r = parse_tcp_opts(th, hlen, &pi->opts);

			if (r != PKT_OK)
				return r;
		}
	}
	pi->payload_off = (uint16_t)(off + hlen);
	pi->payload_len = (uint16_t)(end - off - hlen);
	pi->flags |= PKT_F_L4 | PKT_F_TCP;
	return PKT_OK;
}

/*
 * UDP header at off. The UDP length must fit the IP packet; when it is
 * shorter, the datagram ends there (trailing bytes are not payload, as in
 * Linux). A first fragment holds only part of the datagram, so its UDP
 * length cannot be checked.
 */
static enum pkt_result
parse_udp(const uint8_t *frame, uint32_t off, uint32_t end, bool frag, struct pkt_info *pi)
{
	const uint8_t *uh = frame + off;
	uint32_t ulen;

	if (off + UDP_HLEN > end)
		return frag ? PKT_OK : PKT_TRUNC_UDP;
	pi->sport = pkt_load16(uh);
	pi->dport = pkt_load16(uh + 2);
	if (!frag) {
		ulen = pkt_load16(uh + 4);
		if (ulen < UDP_HLEN || off + ulen > end)
			return PKT_TRUNC_UDP;
		end = off + ulen;
	}
	pi->payload_off = (uint16_t)(off + UDP_HLEN);
	pi->payload_len = (uint16_t)(end - off - UDP_HLEN);
	pi->flags |= PKT_F_L4;
	return PKT_OK;
}

/* Upper layer at off; l4_proto is set. Other protocols keep the whole rest as payload. */
static inline enum pkt_result
parse_l4(const uint8_t *frame, uint32_t off, uint32_t end, bool frag, struct pkt_info *pi)
{
	pi->l4_off = (uint16_t)off;
	pi->payload_off = (uint16_t)off;
	pi->payload_len = (uint16_t)(end - off);
	if (likely(pi->l4_proto == IPPROTO_TCP_))
		return parse_tcp(frame, off, end, frag, pi);
	if (pi->l4_proto == IPPROTO_UDP_)
		return parse_udp(frame, off, end, frag, pi);
	return PKT_OK;
}

/*
 * A 20-byte IPv4 header sums as five big-endian 32-bit words: folding a sum
 * of 32-bit words gives the same ones' complement sum as 16-bit words, with
 * no loop and no call.
 */
static inline bool
ip4_hdr20_ok(const uint8_t *ip)
{
	uint64_t s = (uint64_t)pkt_load32(ip) + pkt_load32(ip + 4) + pkt_load32(ip + 8) +
			pkt_load32(ip + 12) + pkt_load32(ip + 16);

	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static inline enum pkt_result
parse_ipv4(const uint8_t *frame, uint32_t len, uint32_t off, bool verify_csum, struct pkt_info *pi)
{
	const uint8_t *ip = frame + off;
	uint32_t ihl, totlen, end;
	uint16_t frag;

	pi->l3 = PKT_L3_IPV4;
	if (unlikely(off + IP4_HLEN > len))
		return PKT_TRUNC_IP4;
	if (unlikely((ip[0] >> 4) != 4))
		return PKT_IP4_VERSION;
	/* The fixed header is here: addresses are worth having even if the rest is bad. */
	pi->addr_len = 4;
	pi->ttl_hlim = ip[8];
	pi->l4_proto = ip[9];
	memcpy(pi->src, ip + 12, 4);
	memcpy(pi->dst, ip + 16, 4);
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	if (unlikely(ihl < IP4_HLEN || off + ihl > len))
		return PKT_IP4_IHL;
	totlen = pkt_load16(ip + 2);
	if (unlikely(totlen < ihl || off + totlen > len))
		return PKT_IP4_TOTLEN;
	pi->l3_len = (uint16_t)totlen;
	if (verify_csum) {
		bool ok = likely(ihl == IP4_HLEN)
				? ip4_hdr20_ok(ip)
				: pkt_cksum_fold(pkt_cksum_partial(ip, ihl, 0)) == 0xffff;

		if (unlikely(!ok))
			return PKT_IP4_CSUM;
	}
	end = off + totlen;
	off += ihl;
	if (unlikely(ihl != IP4_HLEN))
		pi->flags |= PKT_F_IP_OPTS;
	frag = pkt_load16(ip + 6);
	if (unlikely(frag & (IP4_MF | IP4_OFFMASK))) {
		pi->flags |= PKT_F_FRAG;
		if (frag & IP4_OFFMASK) {
			pi->flags |= PKT_F_FRAG_LATER;
			pi->l4_off = (uint16_t)off;
			pi->payload_off = (uint16_t)off;
			pi->payload_len = (uint16_t)(end - off);
			return PKT_OK;
		}
		return parse_l4(frame, off, end, true, pi);
	}
	return parse_l4(frame, off, end, false, pi);
}

/*
 * RFC 8200 8.1: with a routing header that still has segments to visit, the
 * pseudo-header takes the final destination, not the header's. Types 2
 * (Mobile IPv6) and 4 (SRH, Segment List[0]) keep it first in the address
 * list; the deprecated type 0 keeps it last. Other types are left alone.
 */
static void
ip6_routing_final_dst(const uint8_t *frame, uint32_t p, uint32_t hlen, struct pkt_info *pi)
{
	const uint8_t *rh = frame + p;
	uint32_t n_addr = (hlen - 8) / 16;

	if (rh[3] == 0 || n_addr == 0) /* segments left */
		return;
	switch (rh[2]) {
	case 0:
		pi->ip6_final_dst_off = (uint16_t)(p + 8 + 16 * (n_addr - 1));
		break;
	case 2:
	case 4:
		pi->ip6_final_dst_off = (uint16_t)(p + 8);
		break;
	default:
		break;
	}
}

/*
 * Walk IPv6 extension headers from p (next header nh) to the upper layer.
 * Hop-by-hop options are only valid right after the fixed header; a second
 * fragment header is malformed too.
 */
static enum pkt_result
parse_ipv6_ext(const uint8_t *frame, uint32_t p, uint32_t end, uint8_t nh, struct pkt_info *pi)
{
	bool frag = false;
	uint32_t n, hlen;

	for (n = 0;; n++) {
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_FRAGMENT_:
		case IPPROTO_AH_:
			break;
		default:
			pi->l4_proto = nh;
			return parse_l4(frame, p, end, frag, pi);
		}
		if (n == PKT_IP6_MAX_EXT)
			return PKT_IP6_EXT_DEPTH;
		if (p + 8 > end)
			return PKT_IP6_EXT;
		switch (nh) {
		case IPPROTO_FRAGMENT_:
			if (frag)
				return PKT_IP6_EXT;
			frag = true;
			pi->flags |= PKT_F_FRAG;
			hlen = 8;
			if (pkt_load16(frame + p + 2) & IP6_OFFMASK) {
				pi->flags |= PKT_F_FRAG_LATER;
				pi->l4_proto = frame[p];
				pi->l4_off = (uint16_t)(p + hlen);
				pi->payload_off = (uint16_t)(p + hlen);
				pi->payload_len = (uint16_t)(end - p - hlen);
				return PKT_OK;
			}
			break;
		case IPPROTO_AH_:
			hlen = ((uint32_t)frame[p + 1] + 2) * 4;
			break;
		case IPPROTO_HOPOPTS_:
			if (n != 0)
				return PKT_IP6_EXT;
			/* fallthrough */
		default:
			hlen = ((uint32_t)frame[p + 1] + 1) * 8;
			break;
		}
		if (p + hlen > end)
			return PKT_IP6_EXT;
		if (nh == IPPROTO_ROUTING_)
			ip6_routing_final_dst(frame, p, hlen, pi);
		nh = frame[p];
		p += hlen;
	}
}

static enum pkt_result
parse_ipv6(const uint8_t *frame, uint32_t len, uint32_t off, struct pkt_info *pi)
{
	const uint8_t *ip = frame + off;
	uint32_t end;

	pi->l3 = PKT_L3_IPV6;
	if (unlikely(off + IP6_HLEN > len))
		return PKT_TRUNC_IP6;
	if (unlikely((ip[0] >> 4) != 6))
		return PKT_IP6_VERSION;
	pi->addr_len = 16;
	pi->ttl_hlim = ip[7];
	memcpy(pi->src, ip + 8, 16);
	memcpy(pi->dst, ip + 24, 16);
	/* A jumbogram (payload length 0 + hop-by-hop option) cannot fit 65535 bytes: not handled. */
	end = off + IP6_HLEN + pkt_load16(ip + 4);
	if (unlikely(end > len))
		return PKT_IP6_PLEN;
	pi->l3_len = (uint16_t)(end - off);
	if (likely(ip[6] == IPPROTO_TCP_)) {
		pi->l4_proto = IPPROTO_TCP_;
		return parse_l4(frame, off + IP6_HLEN, end, false, pi);
	}
	return parse_ipv6_ext(frame, off + IP6_HLEN, end, ip[6], pi);
}

/*
 * 802.1Q / QinQ tags. Both TPIDs are accepted at either position: a frame
 * the parser called non-IP would be forwarded uninspected, so being lenient
 * here is the safe side.
 */
static enum pkt_result
parse_vlan(const uint8_t *frame, uint32_t len, uint32_t *off, uint16_t *ethertype,
		struct pkt_info *pi)
{
	uint32_t o = *off;
	uint16_t et = *ethertype;

	do {
		if (pi->n_vlan == PKT_MAX_VLAN)
			return PKT_VLAN_DEPTH;
		if (o + 4 > len)
			return PKT_TRUNC_VLAN;
		pi->vlan_tci[pi->n_vlan++] = pkt_load16(frame + o);
		et = pkt_load16(frame + o + 2);
		o += 4;
	} while (et == PKT_ETHERTYPE_VLAN || et == PKT_ETHERTYPE_QINQ);
	*off = o;
	*ethertype = et;
	return PKT_OK;
}

enum pkt_result
pkt_parse_ex(const uint8_t *frame, uint32_t len, bool verify_ip4_csum, struct pkt_info *pi)
{
	uint32_t off = PKT_ETH_HLEN;
	uint16_t et;

	/*
	 * Two constant-size memsets: GCC turns one of 120 bytes into "rep stos"
	 * (tens of cycles to start) for generic x86-64, these into 8 vector stores.
	 */
	memset(pi, 0, 64);
	memset((uint8_t *)pi + 64, 0, sizeof(*pi) - 64);
	if (unlikely(len < PKT_ETH_HLEN))
		return PKT_TRUNC_ETH;
	if (unlikely(len > UINT16_MAX))
		len = UINT16_MAX;
	et = pkt_load16(frame + 12);
	if (unlikely(et == PKT_ETHERTYPE_VLAN || et == PKT_ETHERTYPE_QINQ)) {
		enum pkt_result r = parse_vlan(frame, len, &off, &et, pi);

		if (r != PKT_OK)
			return r;
	}
	pi->ethertype = et;
	pi->l3_off = (uint16_t)off;
	if (likely(et == PKT_ETHERTYPE_IPV4))
		return parse_ipv4(frame, len, off, verify_ip4_csum, pi);
	if (et == PKT_ETHERTYPE_IPV6)
		return parse_ipv6(frame, len, off, pi);
	return PKT_OK;
}

enum pkt_result
pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *pi)
{
	return pkt_parse_ex(frame, len, true, pi);
}
