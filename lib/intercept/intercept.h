/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_INTERCEPT_H
#define SMTPWALL_INTERCEPT_H

/*
 * TCP Intercept (ASA, REFERENCE.md §1.8): once an embryonic limit is
 * crossed, the box answers a SYN itself with a SYN cookie and keeps no
 * state; only a client that returns the cookie in its ACK gets a
 * connection to the server, whose sequence numbers then differ from the
 * ones the client saw by a constant that every packet is translated by.
 *
 * This library holds the stateless parts: keyed cookies with rotating
 * secrets (SipHash-2-4), and the in-place translation of a segment's
 * sequence numbers, SACK blocks and window. Pure C, no DPDK.
 *
 * A cookie (the ISN of the box's SYN-ACK), most significant bit first:
 *   [31..9]  23 bits of SipHash-2-4(key of the epoch, tuple, client ISN,
 *            the 9 low bits)
 *   [8]      epoch parity: which of the two live keys made it
 *   [7..5]   MSS class (ic_mss_table)
 *   [4..1]   window scale 0..14, 15 when the client offered none
 *   [0]      SACK permitted
 * Keys are derived from a 128-bit master secret per epoch of
 * IC_EPOCH_NS, so a cookie validates for one to two epochs, and boxes that
 * share the master secret accept each other's cookies.
 */

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IC_EPOCH_NS (64ull * 1000000000ull)
#define IC_WSCALE_NONE 0xff
#define IC_MSS_CLASSES 8

/* MSS values a cookie can carry, ascending: {536, 1200, 1300, 1360, 1400,
 * 1440, 1460, 8960}. A client's MSS is rounded down to the largest class
 * not above it (below the first, or 0 for no option: the first, 536). */
extern const uint16_t ic_mss_table[IC_MSS_CLASSES];

/* A connection as its client opened it (client -> server). */
struct ic_tuple {
	uint8_t family; /* 4 or 6 */
	uint8_t src[16], dst[16]; /* network order; IPv4 in the first 4 bytes */
	uint16_t sport, dport; /* host order */
};

/* What a handshake negotiates, and a cookie remembers. */
struct ic_opts {
	uint16_t mss; /* 0: the client sent none */
	uint8_t wscale; /* 0..14, or IC_WSCALE_NONE */
	uint8_t sack_ok; /* 0 or 1 */
};

/* The master secret and the keys of the current and previous epochs. */
struct ic_secrets {
	uint64_t master[2];
	uint64_t epoch; /* epoch number of k[0] (now_ns / IC_EPOCH_NS) */
	uint64_t k[2][2]; /* [0]: epoch `epoch`, [1]: epoch `epoch - 1` */
};

/* SipHash-2-4 (Aumasson, Bernstein) of data under key (k0, k1). */
uint64_t ic_siphash24(const uint64_t key[2], const void *data, size_t len);

/* Sets the master secret (16 bytes, little endian halves) and derives
 * the keys for the epoch of now_ns. */
void ic_secrets_init(struct ic_secrets *s, const uint8_t master[16], uint64_t now_ns);

/* Derives new keys when now_ns lies in a later epoch; a compare otherwise.
 * Time going backwards keeps the keys. */
void ic_secrets_update(struct ic_secrets *s, uint64_t now_ns);

/*
 * The cookie for a SYN with sequence number isn and options `in` (what the
 * client offered). *granted gets what the cookie encodes and the SYN-ACK
 * must offer: the MSS class, wscale clamped to 14 (IC_WSCALE_NONE stays
 * none), SACK as 0 or 1. granted may be NULL, or the same struct as in.
 * A random cookie checks with a probability of 2^-23.
 */
uint32_t ic_cookie_make(const struct ic_secrets *s, const struct ic_tuple *t, uint32_t isn,
		const struct ic_opts *in, struct ic_opts *granted);

/*
 * Checks the ACK that completes a cookie handshake: isn = its seq - 1,
 * cookie = its ack - 1. Accepts cookies of the current and the previous
 * epoch (one SipHash either way: the parity bit names the key). Returns 0
 * and the options in *out (what *granted was; out may be NULL), or -1.
 */
int ic_cookie_check(const struct ic_secrets *s, const struct ic_tuple *t, uint32_t isn,
		uint32_t cookie, struct ic_opts *out);

/* Fills t from a parsed TCP packet sent by the client (src = client).
 * The whole struct is written (unused address bytes zero); dst is pi->dst
 * as parsed, so the SYN and the ACK of one client give the same tuple. */
void ic_tuple_from_pkt(struct ic_tuple *t, const struct pkt_info *pi);

/*
 * Rewrites the TCP header of a parsed frame in place: seq += dseq;
 * ack += dack when ACK is set; both edges of every SACK block += dsack;
 * the window, when ws_from != ws_to and the segment is not a SYN, becomes
 * min(65535, (win << ws_from) >> ws_to) (ws_* IC_WSCALE_NONE count as 0,
 * above 14 as 14; the result rounds down, so a tiny window can become 0).
 * ws_from is the shift the segment's sender applied, ws_to the one its
 * receiver will apply. SACK blocks acknowledge the receiver's own numbers,
 * so dsack is normally dack. A zero delta leaves its field untouched; a
 * frame without PKT_F_TCP is left alone. Old values are read from the
 * frame, not pi. The TCP checksum is updated incrementally (a valid one
 * stays valid, a wrong one stays wrong). pi's seq/ack/win/opts.sack are
 * updated too.
 */
void ic_xlate(uint8_t *frame, struct pkt_info *pi, uint32_t dseq, uint32_t dack, uint32_t dsack,
		uint8_t ws_from, uint8_t ws_to);

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_INTERCEPT_H */
