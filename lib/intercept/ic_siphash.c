/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (Aumasson, Bernstein, "SipHash: a fast short-input PRF",
 * 2012): 2 compression rounds per 8-byte word, 4 finalisation rounds.
 * Words are read little endian whatever the host, as the paper specifies,
 * so two boxes of different endianness share cookies.
 */
#include <string.h>

#include "intercept.h"

static inline uint64_t
rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v)); /* any alignment */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

#define SIPROUND(v0, v1, v2, v3) \
	do { \
		v0 += v1; \
		v1 = rotl(v1, 13); \
		v1 ^= v0; \
		v0 = rotl(v0, 32); \
		v2 += v3; \
		v3 = rotl(v3, 16); \
		v3 ^= v2; \
		v0 += v3; \
		v3 = rotl(v3, 21); \
		v3 ^= v0; \
		v2 += v1; \
		v1 = rotl(v1, 17); \
		v1 ^= v2; \
		v2 = rotl(v2, 32); \
	} while (0)

uint64_t
ic_siphash24(const uint64_t key[2], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v0 = key[0] ^ 0x736f6d6570736575ull; /* "somepseudorandomlygeneratedbytes" */
	uint64_t v1 = key[1] ^ 0x646f72616e646f6dull;
	uint64_t v2 = key[0] ^ 0x6c7967656e657261ull;
	uint64_t v3 = key[1] ^ 0x7465646279746573ull;
	uint64_t m, b = (uint64_t)len << 56;
	size_t left = len & 7, i;

	for (; len >= 8; len -= 8, p += 8) {
		m = load_le64(p);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* The last word: the tail bytes, then the length mod 256 in the top byte. */
	for (i = 0; i < left; i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
