/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rss: the Toeplitz hash that NICs use for Receive Side Scaling, and the
 * symmetric key smtpwall programs into them, so that software (the traffic
 * generator, a worker checking where a new flow landed) picks the same queue
 * a NIC would. Pure C11, no DPDK.
 *
 * Symmetry: with a key that repeats a 16-bit pattern (0x6d5a here), the hash
 * of (src, dst, sport, dport) equals the hash of (dst, src, dport, sport):
 * both directions of a connection land on one queue, so one worker sees the
 * whole conversation (DESIGN.md, data path point 1).
 */
#ifndef SMTPWALL_RSS_H
#define SMTPWALL_RSS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of an RSS key (40, as most NICs take). */
#define RSS_KEY_LEN 40
/** Longest hash input: IPv6 addresses and ports (16 + 16 + 2 + 2). */
#define RSS_INPUT_MAX 36
/** Entries of the redirection table rss_queue assumes (filled round-robin). */
#define RSS_RETA_SIZE 128

/** The symmetric key: 0x6d, 0x5a repeated (Woo and Park, 2012). */
extern const uint8_t rss_sym_key[RSS_KEY_LEN];

/**
 * Toeplitz hash of data[0..len) under key (key_len >= len + 4), bit by bit:
 * the reference (Microsoft's "RSS hashing" definition).
 */
uint32_t rss_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len);

/** A key expanded into per-byte tables: the same hash in one lookup per byte. */
struct rss_ctx {
	uint32_t tab[RSS_INPUT_MAX][256];
};

/** Expands key (RSS_KEY_LEN bytes) into c. */
void rss_ctx_init(struct rss_ctx *c, const uint8_t *key);

/** The hash of data[0..len) (len <= RSS_INPUT_MAX) with c's key. */
static inline uint32_t
rss_hash(const struct rss_ctx *c, const uint8_t *data, size_t len)
{
	uint32_t h = 0;
	size_t i;

	for (i = 0; i < len; i++)
		h ^= c->tab[i][data[i]];
	return h;
}

/**
 * The NIC's input for TCP/UDP over IPv4: source and destination address and
 * port, as they sit in the headers (network order). Returns the hash.
 */
uint32_t rss_hash_v4(const struct rss_ctx *c, const uint8_t src[4], const uint8_t dst[4],
		uint16_t sport, uint16_t dport);

/** The same over IPv6. */
uint32_t rss_hash_v6(const struct rss_ctx *c, const uint8_t src[16], const uint8_t dst[16],
		uint16_t sport, uint16_t dport);

/**
 * The hash a NIC computes for an IP packet (addr_len 4 or 16) under the
 * hash types drivers/port.c asks for: addresses and ports (host order) for
 * TCP (6) and UDP (17), addresses alone for any other protocol.
 */
uint32_t rss_hash_tuple(const struct rss_ctx *c, unsigned int addr_len, const uint8_t *src,
		const uint8_t *dst, uint8_t l4_proto, uint16_t sport, uint16_t dport);

/**
 * The queue of a hash among nq queues (nq >= 1), as a NIC whose redirection
 * table of RSS_RETA_SIZE entries is filled round-robin (DPDK's default):
 * entry hash % RSS_RETA_SIZE holds queue entry % nq.
 */
static inline unsigned int
rss_queue(uint32_t hash, unsigned int nq)
{
	return (hash % RSS_RETA_SIZE) % nq;
}

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_RSS_H */
