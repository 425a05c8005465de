/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame building: Ethernet + IPv4 + TCP/UDP with correct checksums (lib/pkt's
 * helpers, so the generator and the DUT agree on one implementation that
 * the unit tests cover). Pure C: the pcap mode builds without the EAL.
 */
#include <string.h>

#include "gen.h"
#include "pkt.h"

/* Locally administered MACs; the DUT is a bridge and does not care. */
static const uint8_t mac_c[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_s[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

static uint32_t
put_eth_ip(uint8_t *f, enum gen_side from, uint32_t src, uint32_t dst, uint8_t proto,
		uint16_t ip_id, uint32_t l4_len)
{
	uint8_t *ip = f + PKT_ETH_HLEN;

	memcpy(f, from == GEN_C ? mac_s : mac_c, 6);
	memcpy(f + 6, from == GEN_C ? mac_c : mac_s, 6);
	pkt_store16(f + 12, PKT_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	ip[1] = 0;
	pkt_store16(ip + 2, (uint16_t)(20 + l4_len));
	pkt_store16(ip + 4, ip_id);
	pkt_store16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = proto;
	pkt_store16(ip + 10, 0);
	pkt_store32(ip + 12, src);
	pkt_store32(ip + 16, dst);
	pkt_store16(ip + 10, pkt_ipv4_hdr_cksum(ip));
	return PKT_ETH_HLEN + 20;
}

/* Pseudo-header + L4 checksum over [l4, l4 + l4_len). */
static uint16_t
l4_cksum(const uint8_t *ip, const uint8_t *l4, uint32_t l4_len, uint8_t proto)
{
	uint8_t ph[12];
	uint32_t sum;

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = proto;
	pkt_store16(ph + 10, (uint16_t)l4_len);
	sum = pkt_cksum_partial(ph, sizeof(ph), 0);
	sum = pkt_cksum_partial(l4, l4_len, sum);
	return pkt_cksum_finish(sum);
}

uint32_t
gen_build_tcp(uint8_t *frame, const struct gen_tuple *t, enum gen_side from, uint16_t ip_id,
		uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload, uint32_t len)
{
	uint32_t off;
	uint8_t *tcp;

	off = from == GEN_C ? put_eth_ip(frame, from, t->cip, t->sip, 6, ip_id, 20 + len)
			    : put_eth_ip(frame, from, t->sip, t->cip, 6, ip_id, 20 + len);
	tcp = frame + off;
	pkt_store16(tcp, from == GEN_C ? t->cport : t->sport);
	pkt_store16(tcp + 2, from == GEN_C ? t->sport : t->cport);
	pkt_store32(tcp + 4, seq);
	pkt_store32(tcp + 8, (flags & PKT_TCP_ACK) ? ack : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	pkt_store16(tcp + 14, 65535);
	pkt_store16(tcp + 16, 0);
	pkt_store16(tcp + 18, 0);
	if (len > 0)
		memcpy(tcp + 20, payload, len);
	pkt_store16(tcp + 16, l4_cksum(frame + PKT_ETH_HLEN, tcp, 20 + len, 6));
	return off + 20 + len;
}

void
gen_udp_tuple_of(uint32_t flow, struct gen_tuple *t)
{
	t->cip = 0x0B000000u | (flow & 0xFFFF); /* 11/8 */
	t->sip = 0xC0000264u; /* 192.0.2.100 */
	/* 65,536 tuples, reused (a DUT's flow table holds them all). The port
	 * follows the address's upper bits: were it the low ones (as it was),
	 * the two would cancel in the symmetric hash, which XORs the 16-bit
	 * words, leaving 64 hash values: with 14 queues queue 1 got no UDP flow
	 * and engine q = 1 searched for one forever. */
	t->cport = (uint16_t)(1024 + ((flow >> 6) & 0x3FF));
	t->sport = 5001;
}

uint32_t
gen_build_udp(uint8_t *frame, uint32_t flow, enum gen_side from, uint64_t tsc, uint64_t counter)
{
	struct gen_tuple t;
	uint32_t cip, sip, off;
	uint16_t cport, sport, c;
	uint8_t *udp;

	gen_udp_tuple_of(flow, &t);
	cip = t.cip;
	sip = t.sip;
	cport = t.cport;
	sport = t.sport;

	/* 60 bytes: 14 + 20 + 8 + 18 payload (tsc, counter, 2 pad). */
	off = from == GEN_C ? put_eth_ip(frame, from, cip, sip, 17, 0, 26)
			    : put_eth_ip(frame, from, sip, cip, 17, 0, 26);
	udp = frame + off;
	pkt_store16(udp, from == GEN_C ? cport : sport);
	pkt_store16(udp + 2, from == GEN_C ? sport : cport);
	pkt_store16(udp + 4, 26);
	pkt_store16(udp + 6, 0);
	memcpy(udp + 8, &tsc, 8);
	memcpy(udp + 16, &counter, 8);
	udp[24] = udp[25] = 0;
	c = l4_cksum(frame + PKT_ETH_HLEN, udp, 26, 17);
	pkt_store16(udp + 6, c == 0 ? 0xffff : c);
	return off + 26;
}
