/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The input a NIC hashes for a packet under the hash types smtpwall asks for
 * (drivers/port.c): addresses and ports for TCP and UDP, addresses alone for
 * other IP packets.
 */
#include "rss.h"

#include <string.h>

uint32_t
rss_hash_tuple(const struct rss_ctx *c, unsigned int addr_len, const uint8_t *src,
		const uint8_t *dst, uint8_t l4_proto, uint16_t sport, uint16_t dport)
{
	uint8_t in[RSS_INPUT_MAX];
	size_t n = 2 * (size_t)addr_len;

	memcpy(in, src, addr_len);
	memcpy(in + addr_len, dst, addr_len);
	if (l4_proto == 6 || l4_proto == 17) {
		in[n] = (uint8_t)(sport >> 8);
		in[n + 1] = (uint8_t)sport;
		in[n + 2] = (uint8_t)(dport >> 8);
		in[n + 3] = (uint8_t)dport;
		n += 4;
	}
	return rss_hash(c, in, n);
}
