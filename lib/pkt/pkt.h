/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/pkt: bounds-checked Ethernet / 802.1Q / QinQ / IPv4 / IPv6 / TCP / UDP
 * parsing and Internet checksums (full and RFC 1624 incremental).
 *
 * Pure C11: no DPDK include, no allocation. The parser never reads outside
 * [frame, frame + len); the caller hands it the contiguous first segment of
 * an mbuf (rte_pktmbuf_mtod / rte_pktmbuf_data_len).
 */
#ifndef SMTPWALL_PKT_H
#define SMTPWALL_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 802.1Q and QinQ (0x88a8 or 0x8100 outer, 0x8100 inner); a third tag is an error. */
#define PKT_MAX_VLAN 2
/* IPv6 extension headers walked before giving up (PKT_IP6_EXT_DEPTH). */
#define PKT_IP6_MAX_EXT 8

#define PKT_ETH_HLEN 14
#define PKT_ETHERTYPE_IPV4 0x0800
#define PKT_ETHERTYPE_ARP 0x0806
#define PKT_ETHERTYPE_VLAN 0x8100
#define PKT_ETHERTYPE_QINQ 0x88a8
#define PKT_ETHERTYPE_IPV6 0x86dd

/*
 * Parse results. X-macro: one place gives the enum and the names (counters are
 * indexed by the enum). X(NAME, "description"); OK first.
 */
#define PKT_FOREACH_RESULT(X) \
	X(OK, "ok") \
	X(TRUNC_ETH, "truncated ethernet header") \
	X(TRUNC_VLAN, "truncated vlan tag") \
	X(VLAN_DEPTH, "too many vlan tags") \
	X(TRUNC_IP4, "truncated ipv4 header") \
	X(IP4_VERSION, "ipv4 version not 4") \
	X(IP4_IHL, "ipv4 ihl below 5 or beyond the frame") \
	X(IP4_TOTLEN, "ipv4 total length below ihl or beyond the frame") \
	X(IP4_CSUM, "ipv4 header checksum wrong") \
	X(TRUNC_IP6, "truncated ipv6 header") \
	X(IP6_VERSION, "ipv6 version not 6") \
	X(IP6_PLEN, "ipv6 payload length beyond the frame") \
	X(IP6_EXT, "ipv6 extension header truncated or malformed") \
	X(IP6_EXT_DEPTH, "too many ipv6 extension headers") \
	X(TRUNC_TCP, "truncated tcp header") \
	X(TCP_DOFF, "tcp data offset below 5 or beyond the packet") \
	X(TCP_OPT, "tcp option malformed") \
	X(TRUNC_UDP, "truncated udp header") /* or a udp length that lies */

/* The X-macro expansion has no separator clang-format could see. */
/* clang-format off */
enum pkt_result {
#define PKT_RESULT_ENUM(name, str) PKT_##name,
	PKT_FOREACH_RESULT(PKT_RESULT_ENUM)
#undef PKT_RESULT_ENUM
	PKT_RESULT_MAX
};
/* clang-format on */

/**
 * The description column of PKT_FOREACH_RESULT ("truncated ethernet header").
 * Returns "unknown" for a value outside [0, PKT_RESULT_MAX).
 */
const char *pkt_result_str(enum pkt_result r);

/**
 * The name column in lower case ("trunc_eth"), for counter names.
 * Returns "unknown" for a value outside [0, PKT_RESULT_MAX).
 */
const char *pkt_result_name(enum pkt_result r);

enum pkt_l3 { PKT_L3_NONE = 0, PKT_L3_IPV4, PKT_L3_IPV6 };

#define PKT_F_FRAG 0x01 /* IPv4 MF or offset != 0, or an IPv6 fragment header */
#define PKT_F_FRAG_LATER 0x02 /* a non-first fragment: no L4 header here */
#define PKT_F_IP_OPTS 0x04 /* IPv4 options present */
#define PKT_F_L4 0x08 /* an L4 header (TCP or UDP) was parsed; ports valid */
#define PKT_F_TCP 0x10 /* TCP header parsed; seq/ack/flags/opts valid */

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10
#define PKT_TCP_URG 0x20
#define PKT_TCP_ECE 0x40
#define PKT_TCP_CWR 0x80

/* TCP option kinds. */
#define PKT_TCPOPT_EOL 0
#define PKT_TCPOPT_NOP 1
#define PKT_TCPOPT_MSS 2
#define PKT_TCPOPT_WSCALE 3
#define PKT_TCPOPT_SACKOK 4
#define PKT_TCPOPT_SACK 5
#define PKT_TCPOPT_TS 8

#define PKT_OPT_MSS 0x01
#define PKT_OPT_WSCALE 0x02
#define PKT_OPT_SACKOK 0x04
#define PKT_OPT_TS 0x08
#define PKT_OPT_SACK 0x10

#define PKT_MAX_SACK 4

struct pkt_tcp_opts {
	uint8_t present; /* PKT_OPT_* bits */
	uint8_t wscale; /* as sent (not clamped to 14) */
	uint16_t mss;
	uint32_t ts_val, ts_ecr;
	uint8_t n_sack; /* SACK blocks (up to 4) */
	uint8_t sack_off; /* offset of the first SACK block from the TCP header start */
	uint32_t sack[PKT_MAX_SACK][2]; /* [i < n_sack]: [0] left, [1] right edge, host order */
};

/*
 * What pkt_parse() found. Everything is zero before parsing starts, and on an
 * error the fields filled so far stay valid (e.g. addresses for a log line).
 */
struct pkt_info {
	/* Offset of the IP header (for a non-IP frame: where L3 starts, after the tags). */
	uint16_t l3_off;
	/*
	 * Offset of the upper-layer header (after IPv4 options / IPv6 extension
	 * headers). Valid for any IP packet; for a non-first fragment it is where
	 * the fragment data starts.
	 */
	uint16_t l4_off;
	/*
	 * L4 payload: with PKT_F_L4 the bytes after the TCP/UDP header, lengths
	 * from the IP (and UDP) length fields, so Ethernet padding is excluded.
	 * Without PKT_F_L4 on an IP packet: the upper-layer bytes
	 * (payload_off == l4_off). 0 for a non-IP frame.
	 */
	uint16_t payload_off;
	uint16_t payload_len;
	uint16_t l3_len; /* IPv4 total length, or 40 + IPv6 payload length */
	/*
	 * IPv6 with a routing header that has segments left (types 0, 2, 4): offset
	 * of the final destination address, which the TCP/UDP pseudo-header uses
	 * (RFC 8200 8.1) and pkt_l4_cksum* honour. 0 otherwise (dst is final).
	 */
	uint16_t ip6_final_dst_off;
	uint16_t ethertype; /* innermost, host order */
	uint8_t l3; /* enum pkt_l3 */
	uint8_t l4_proto; /* IPPROTO of the upper layer (after IPv6 ext headers); 0 when none */
	uint8_t flags; /* PKT_F_* */
	uint8_t n_vlan;
	uint16_t vlan_tci[PKT_MAX_VLAN]; /* outer first, host order */
	uint8_t addr_len; /* 4 or 16 (0 when not IP) */
	uint8_t ttl_hlim;
	uint8_t src[16], dst[16]; /* network order bytes; IPv4 uses the first 4 */
	uint16_t sport, dport; /* host order */
	uint32_t seq, ack; /* host order */
	uint16_t win; /* host order, unscaled */
	uint8_t tcp_flags; /* PKT_TCP_* */
	uint8_t tcp_hlen; /* bytes */
	struct pkt_tcp_opts opts;
};

/* Zeroed for every frame and kept on the stack per burst: two cache lines at most. */
_Static_assert(sizeof(struct pkt_info) <= 128, "struct pkt_info grew past two cache lines");

/**
 * Parse one Ethernet frame (IPv4 header checksum verified).
 *
 * Non-IP frames (ARP, LLDP, 802.3 length frames...) return PKT_OK with
 * l3 == PKT_L3_NONE. IP fragments return PKT_OK with PKT_F_FRAG set; a first
 * fragment has its TCP/UDP header parsed when the fragment holds all of it
 * (otherwise no PKT_F_L4 and still PKT_OK). Any other L4 protocol (ICMP, ESP,
 * IPv6 no-next-header...): PKT_OK, l4_proto set, no PKT_F_L4.
 *
 * Frames longer than 65535 bytes are parsed as if they ended there (offsets
 * are 16 bits; the IP length fields then decide).
 *
 * Details a caller may meet:
 * - 0x8100 and 0x88a8 are both taken as tags at either position (a frame
 *   called non-IP would pass uninspected); a third tag is PKT_VLAN_DEPTH.
 * - Everything past the IP header is bounded by the IP length fields, not the
 *   frame: a TCP/UDP header reaching into Ethernet padding is an error.
 * - IPv6: hop-by-hop options anywhere but first, or a second fragment header,
 *   is PKT_IP6_EXT. Jumbograms are not supported (payload length 0 is 0).
 * - UDP: a length above the IP payload (or below 8) is PKT_TRUNC_UDP; below
 *   it, the datagram ends where the UDP length says.
 * - TCP options: unknown kinds are skipped by their length; a repeated known
 *   option overwrites the earlier one. On PKT_TCP_OPT the options before the
 *   bad one are filled in.
 * - PKT_F_L4 / PKT_F_TCP are only set when the L4 header parsed in full; on an
 *   L4 error the ports (and seq/ack/flags) may still be filled in.
 *
 * @param frame  First byte of the Ethernet header.
 * @param len    Bytes readable at frame; nothing beyond is read.
 * @param pi     Filled in (zeroed first).
 * @return PKT_OK, or why the frame is malformed; fields parsed so far are valid.
 */
enum pkt_result pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *pi);

/**
 * pkt_parse(), with a switch for verifying the IPv4 header checksum (turn it
 * off when the NIC verified it: RTE_MBUF_F_RX_IP_CKSUM_GOOD).
 */
enum pkt_result
pkt_parse_ex(const uint8_t *frame, uint32_t len, bool verify_ip4_csum, struct pkt_info *pi);

/*
 * Byte access. Big-endian (network order) loads and stores at any alignment.
 *
 * Checksum convention: a 16-bit checksum is handled as the numeric value of
 * its two bytes read big-endian (pkt_load16 / pkt_store16), independent of the
 * host order.
 */

/** Big-endian 16-bit load from any alignment. */
static inline uint16_t
pkt_load16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

/** Big-endian 16-bit store to any alignment. */
static inline void
pkt_store16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/** Big-endian 32-bit load from any alignment. */
static inline uint32_t
pkt_load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/** Big-endian 32-bit store to any alignment. */
static inline void
pkt_store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * Ones' complement partial sum of buf, as big-endian 16-bit words (an odd
 * tail byte is padded with a zero low byte), added to sum.
 *
 * The result is at most 0x1fffe whatever sum was, so calls chain: every
 * buffer but the last of a chain must have an even length (or the words
 * shift). Reads 8 bytes at a time.
 */
uint32_t pkt_cksum_partial(const void *buf, size_t len, uint32_t sum);

/** Fold a partial sum to 16 bits and complement it: the value to store. */
uint16_t pkt_cksum_finish(uint32_t sum);

/** Fold a partial sum to 16 bits without complementing it. */
uint16_t pkt_cksum_fold(uint32_t sum);

/**
 * IPv4 header checksum computed with its own field taken as zero: the value
 * to store at ip + 10. The header length comes from the IHL field (taken as 5
 * when below); the caller guarantees those bytes are readable.
 */
uint16_t pkt_ipv4_hdr_cksum(const uint8_t *ip);

/**
 * Partial sum of the TCP/UDP pseudo-header (IPv4 or IPv6 by pi->l3) for the
 * segment pi describes: addresses, protocol, L4 length
 * (payload_off + payload_len - l4_off).
 */
uint32_t pkt_l4_pseudo_sum(const uint8_t *frame, const struct pkt_info *pi);

/**
 * The folded, uncomplemented pseudo-header sum: what a NIC with TCP/UDP
 * checksum offload wants in the checksum field (store with pkt_store16), as
 * rte_ipv4_phdr_cksum / rte_ipv6_phdr_cksum give.
 */
uint16_t pkt_l4_phdr_cksum(const uint8_t *frame, const struct pkt_info *pi);

/**
 * TCP or UDP checksum over pseudo-header + segment with the checksum field
 * taken as zero: the value to store (a UDP result of 0 is given as 0xffff).
 * IPv4 and IPv6 alike. Needs pi from pkt_parse() with PKT_F_L4 set (returns 0
 * otherwise). Meaningless on a fragment (PKT_F_FRAG): the segment is not all here.
 */
uint16_t pkt_l4_cksum(const uint8_t *frame, const struct pkt_info *pi);

/**
 * Verify the stored TCP/UDP checksum (one pass over the segment). A UDP
 * checksum of 0 over IPv4 means "none" and is accepted; over IPv6 it is
 * rejected (RFC 8200). False when PKT_F_L4 is not set.
 */
bool pkt_l4_cksum_ok(const uint8_t *frame, const struct pkt_info *pi);

/** Recompute the TCP/UDP checksum in full and store it. No-op without PKT_F_L4. */
void pkt_l4_cksum_set(uint8_t *frame, const struct pkt_info *pi);

/** Recompute the IPv4 header checksum in full and store it. No-op unless IPv4. */
void pkt_ipv4_cksum_set(uint8_t *frame, const struct pkt_info *pi);

/**
 * RFC 1624 eqn. 3 incremental update: HC' = ~(~HC + ~m + m') summed over the
 * changed bytes.
 *
 * @param cksum  The stored checksum (big-endian value, pkt_load16).
 * @param old    The len bytes before the edit.
 * @param new_   The len bytes after it (same length: edits keep lengths).
 * @param off    Offset of the edit in the checksummed data; only its parity
 *               matters (odd: the first byte is the low byte of a word).
 * @return The checksum to store. Equal to a full recompute when cksum came
 * from one. UDP: do not adjust a 0 ("none") checksum, and store a 0 result as
 * 0xffff.
 */
uint16_t
pkt_cksum_adjust(uint16_t cksum, const uint8_t *old, const uint8_t *new_, size_t len, size_t off);

/** pkt_cksum_adjust for one aligned 16-bit field (e.g. a port or the window). */
uint16_t pkt_cksum_adjust16(uint16_t cksum, uint16_t old, uint16_t new_);

/** pkt_cksum_adjust for one aligned 32-bit field (e.g. seq, ack, an IPv4 address). */
uint16_t pkt_cksum_adjust32(uint16_t cksum, uint32_t old, uint32_t new_);

/* ------------------------------------------------------------------ */
/* Building TCP segments the box sends itself (RSTs, SYN-ACKs, SYNs)    */

#define PKT_BUILD_NO_WSCALE 0xff

/* What pkt_build_tcp writes besides what it copies from the template. */
struct pkt_tcp_spec {
	uint32_t seq, ack; /* host order */
	uint16_t win; /* host order, as written */
	uint8_t flags; /* PKT_TCP_* */
	uint8_t reverse; /* 1: an answer to the template (MACs, addresses, ports swapped) */
	uint16_t mss; /* MSS option, 0: none */
	uint8_t wscale; /* window-scale option, PKT_BUILD_NO_WSCALE: none */
	uint8_t sack_ok; /* SACK-permitted option */
};

/*
 * Builds into out (cap bytes) a TCP segment without payload that follows
 * (or, with reverse, answers) the parsed TCP frame tmpl: the L2 header and
 * VLAN tags are copied (MACs swapped when reversed), then a plain IPv4
 * header (no options, TTL 64, DF, ID 0) or IPv6 header (no extension
 * headers, hop limit 64, flow label 0), ports swapped when reversed, the
 * given seq/ack/flags/window and options (MSS; NOP + window scale;
 * NOP + NOP + SACK-permitted; in that order), IPv4 and TCP checksums set.
 * Returns the frame length, or 0 when cap is too small or tmpl is not a
 * TCP frame. For IPv6 with a routing header, the destination written is
 * the final one. out must not overlap tmpl.
 */
uint16_t pkt_build_tcp(uint8_t *out, size_t cap, const uint8_t *tmpl, const struct pkt_info *pi,
		const struct pkt_tcp_spec *s);

/* The largest frame pkt_build_tcp can write (two tags, IPv6, 12 option bytes). */
#define PKT_BUILD_TCP_MAX (PKT_ETH_HLEN + 4 * PKT_MAX_VLAN + 40 + 20 + 12)

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_PKT_H */
