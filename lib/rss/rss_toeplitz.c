/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Toeplitz hash: for every set bit i of the input (most significant bit of
 * the first byte first), XOR in the 32 bits of the key that start at bit i.
 */
#include <string.h>

#include "rss.h"

/* 0x6d5a repeated: the hash of (a, b) equals that of (b, a). */
/* clang-format off */
const uint8_t rss_sym_key[RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};
/* clang-format on */

/* The 32 key bits starting at bit `bit` (0 = the first byte's top bit). */
static uint32_t
key_window(const uint8_t *key, size_t key_len, size_t bit)
{
	uint64_t w = 0;
	size_t byte = bit / 8, k;

	/* Five bytes cover any 32-bit window; bytes past the key read as 0. */
	for (k = 0; k < 5; k++)
		w = w << 8 | (byte + k < key_len ? key[byte + k] : 0);
	return (uint32_t)(w >> (8 - bit % 8));
}

uint32_t
rss_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len)
{
	uint32_t h = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++)
		for (b = 7; b >= 0; b--)
			if (data[i] >> b & 1)
				h ^= key_window(key, key_len, i * 8 + (size_t)(7 - b));
	return h;
}

void
rss_ctx_init(struct rss_ctx *c, const uint8_t *key)
{
	size_t i;
	unsigned int v;
	int b;

	/* Byte i with value v contributes the XOR of its set bits' windows. */
	for (i = 0; i < RSS_INPUT_MAX; i++)
		for (v = 0; v < 256; v++) {
			uint32_t h = 0;

			for (b = 7; b >= 0; b--)
				if (v >> b & 1)
					h ^= key_window(key, RSS_KEY_LEN, i * 8 + (size_t)(7 - b));
			c->tab[i][v] = h;
		}
}

uint32_t
rss_hash_v4(const struct rss_ctx *c, const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
		uint16_t dport)
{
	return rss_hash_tuple(c, 4, src, dst, 6, sport, dport);
}

uint32_t
rss_hash_v6(const struct rss_ctx *c, const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
		uint16_t dport)
{
	return rss_hash_tuple(c, 16, src, dst, 6, sport, dport);
}
