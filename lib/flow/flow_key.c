/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The symmetric flow key and its hash.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "flow.h"
#include "flow_crc32c_tab.h"

int
flow_key_make(struct flow_key *k, uint8_t family, const uint8_t *src, const uint8_t *dst,
		uint16_t sport, uint16_t dport, uint8_t proto, uint16_t vlan)
{
	size_t alen;
	int c, dir;

	/* The key is compared and hashed as 40 raw bytes: every unused byte must be zero. */
	memset(k, 0, sizeof(*k));
	if (family == 4) {
		/* Fixed-size copies and one integer compare (memcmp order of
		 * 4 network-order bytes is their big-endian value's order). */
		uint32_t s4 = (uint32_t)src[0] << 24 | (uint32_t)src[1] << 16 |
				(uint32_t)src[2] << 8 | src[3];
		uint32_t d4 = (uint32_t)dst[0] << 24 | (uint32_t)dst[1] << 16 |
				(uint32_t)dst[2] << 8 | dst[3];

		dir = s4 > d4 || (s4 == d4 && sport > dport);
		memcpy(k->addr_a, dir ? dst : src, 4);
		memcpy(k->addr_b, dir ? src : dst, 4);
		k->port_a = dir ? dport : sport;
		k->port_b = dir ? sport : dport;
		k->vlan = vlan & 0xfff;
		k->proto = proto;
		k->family = 4;
		return dir;
	}
	if (family == 6)
		alen = 16;
	else
		return -EINVAL;

	c = memcmp(src, dst, alen);
	dir = c > 0 || (c == 0 && sport > dport);
	if (dir == 0) {
		memcpy(k->addr_a, src, alen);
		memcpy(k->addr_b, dst, alen);
		k->port_a = sport;
		k->port_b = dport;
	} else {
		memcpy(k->addr_a, dst, alen);
		memcpy(k->addr_b, src, alen);
		k->port_a = dport;
		k->port_b = sport;
	}
	k->vlan = vlan & 0xfff;
	k->proto = proto;
	k->family = family;
	return dir;
}

/*
 * One 8-byte step of CRC32C, slicing by 8: the same value as the SSE4.2
 * crc32q instruction on a little-endian host (the word's bytes in memory
 * order).
 */
static inline uint32_t
crc32c_u64(uint32_t crc, uint64_t v)
{
	uint64_t x = v ^ crc;

	return flow_crc32c_tab[7][x & 0xff] ^ flow_crc32c_tab[6][(x >> 8) & 0xff] ^
			flow_crc32c_tab[5][(x >> 16) & 0xff] ^
			flow_crc32c_tab[4][(x >> 24) & 0xff] ^
			flow_crc32c_tab[3][(x >> 32) & 0xff] ^
			flow_crc32c_tab[2][(x >> 40) & 0xff] ^
			flow_crc32c_tab[1][(x >> 48) & 0xff] ^ flow_crc32c_tab[0][x >> 56];
}

uint32_t
flow_key_hash_portable(const struct flow_key *k)
{
	uint64_t w[5];
	uint32_t c = FLOW_HASH_SEED;

	memcpy(w, k, sizeof(w));
	c = crc32c_u64(c, w[0]);
	c = crc32c_u64(c, w[1]);
	c = crc32c_u64(c, w[2]);
	c = crc32c_u64(c, w[3]);
	c = crc32c_u64(c, w[4]);
	return flow_hash_mix(c);
}
