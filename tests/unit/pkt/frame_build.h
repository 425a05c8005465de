/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper: builds Ethernet frames layer by layer, with checksums from a
 * naive reference implementation (not lib/pkt's), and records where each
 * layer starts so a test can break one field.
 */
#ifndef SMTPWALL_TEST_FRAME_BUILD_H
#define SMTPWALL_TEST_FRAME_BUILD_H

#include <stddef.h>
#include <stdint.h>

#define FB_MAX 4096
#define FB_MAX_EXT 12

#define FB_SRC4 0xc0000201u /* 192.0.2.1 */
#define FB_DST4 0xc6336402u /* 198.51.100.2 */
#define FB_SPORT 40000
#define FB_DPORT 25
#define FB_SEQ 0x11223344u
#define FB_ACK 0x55667788u
#define FB_WIN 0xfaf0

struct fb_spec {
	uint8_t n_tags;
	uint16_t tpid[3];
	uint16_t tci[3];
	uint16_t ethertype; /* after the tags; 0: from ipv */
	uint8_t ipv; /* 4 or 6; 0: non-IP (ethertype, then payload_len raw bytes) */
	uint8_t ip4_opt_len; /* multiple of 4, up to 40 */
	uint16_t ip4_frag; /* IPv4 flags + fragment offset field */
	uint8_t proto; /* upper layer: 6, 17, 1, 58, ... */
	uint8_t n_ext; /* IPv6 extension headers, in order */
	uint8_t ext_type[FB_MAX_EXT];
	uint16_t ext_len[FB_MAX_EXT]; /* bytes: multiple of 8 (AH: of 4); fragment: 8 */
	uint16_t ip6_frag; /* fragment header offset + M field */
	uint8_t rh_type, rh_left; /* routing header type, segments left */
	const uint8_t *tcp_opts;
	uint8_t tcp_opts_len; /* multiple of 4 */
	uint8_t tcp_flags;
	uint16_t payload_len;
	const uint8_t *payload; /* NULL: a pattern */
	uint16_t pad; /* Ethernet padding after the IP packet */
};

struct fb_frame {
	uint8_t b[FB_MAX];
	uint32_t len;
	uint32_t l3_off; /* IP header */
	uint32_t l4_off; /* upper layer */
	uint32_t payload_off; /* after the TCP/UDP header */
	uint32_t ext_off[FB_MAX_EXT];
	uint32_t final_dst_off; /* IPv6: the address the pseudo-header uses */
};

/* Build s into f (checksums right). */
void fb_build(const struct fb_spec *s, struct fb_frame *f);

/* Recompute the IPv4 header and TCP/UDP checksums of a frame fb_build made. */
void fb_fix_cksums(const struct fb_spec *s, struct fb_frame *f);

/* Naive RFC 1071 sum, one big-endian word at a time with end-around carry. */
uint16_t fb_ref_sum(const uint8_t *p, size_t len, uint16_t sum);

/* The TCP/UDP checksum the reference computes for f, with its field taken as zero. */
uint16_t fb_ref_l4_cksum(const struct fb_spec *s, const struct fb_frame *f);

/* xorshift64*: deterministic random numbers for property tests. */
uint64_t fb_rand(uint64_t *state);

#endif
