/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rss against the verification vectors Microsoft publishes for RSS
 * ("Verifying the RSS Hash Calculation": the 40-byte default key, IPv4 and
 * IPv6 with and without ports), the table form against the bit-by-bit
 * reference, and the symmetry of smtpwall's key.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rss.h"

static const uint8_t ms_key[RSS_KEY_LEN] = {
		0x6d,
		0x5a,
		0x56,
		0xda,
		0x25,
		0x5b,
		0x0e,
		0xc2,
		0x41,
		0x67,
		0x25,
		0x3d,
		0x43,
		0xa3,
		0x8f,
		0xb0,
		0xd0,
		0xca,
		0x2b,
		0xcb,
		0xae,
		0x7b,
		0x30,
		0xb4,
		0x77,
		0xcb,
		0x2d,
		0xa3,
		0x80,
		0x30,
		0xf2,
		0x0c,
		0x6a,
		0x42,
		0xb7,
		0x3b,
		0xbe,
		0xac,
		0x01,
		0xfa,
};

struct vec {
	const char *dst, *src;
	uint16_t dport, sport;
	uint32_t ip_only, with_ports;
};

/* Destination, source, ports as in the published table; input order is
 * source address, destination address, source port, destination port. */
static const struct vec v4[] = {
		{"161.142.100.80", "66.9.149.187", 1766, 2794, 0x323e8fc2, 0x51ccc178},
		{"65.69.140.83", "199.92.111.2", 4739, 14230, 0xd718262a, 0xc626b0ea},
		{"12.22.207.184", "24.19.198.95", 38024, 12898, 0xd2d0a5de, 0x5c2b394a},
		{"209.142.163.6", "38.27.205.30", 2217, 48228, 0x82989176, 0xafc7327f},
		{"202.188.127.2", "153.39.163.191", 1303, 44251, 0x5d1809c5, 0x10e828a2},
};

static const struct vec v6[] = {
		{"3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794, 0x2cc18cd5, 0x40207d3d},
		{"ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230, 0x0f0c461c, 0xdde51bbf},
		{"fe80::200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 38024, 44251,
				0x4b61e985, 0x02d1feef},
};

static struct rss_ctx ms, sym;

static void
setup(void)
{
	rss_ctx_init(&ms, ms_key);
	rss_ctx_init(&sym, rss_sym_key);
}

TestSuite(rss, .init = setup);

Test(rss, microsoft_ipv4_vectors)
{
	size_t i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		uint8_t in[12];

		cr_assert_eq(inet_pton(AF_INET, v4[i].src, in), 1);
		cr_assert_eq(inet_pton(AF_INET, v4[i].dst, in + 4), 1);
		cr_assert_eq(rss_toeplitz(ms_key, sizeof(ms_key), in, 8), v4[i].ip_only,
				"vector %zu, addresses only", i);
		cr_assert_eq(rss_hash(&ms, in, 8), v4[i].ip_only);
		cr_assert_eq(rss_hash_v4(&ms, in, in + 4, v4[i].sport, v4[i].dport),
				v4[i].with_ports, "vector %zu, with ports", i);
	}
}

Test(rss, microsoft_ipv6_vectors)
{
	size_t i;

	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		uint8_t in[36];

		cr_assert_eq(inet_pton(AF_INET6, v6[i].src, in), 1);
		cr_assert_eq(inet_pton(AF_INET6, v6[i].dst, in + 16), 1);
		cr_assert_eq(rss_toeplitz(ms_key, sizeof(ms_key), in, 32), v6[i].ip_only,
				"vector %zu, addresses only", i);
		cr_assert_eq(rss_hash_v6(&ms, in, in + 16, v6[i].sport, v6[i].dport),
				v6[i].with_ports, "vector %zu, with ports", i);
	}
}

Test(rss, tables_equal_the_reference)
{
	uint8_t in[RSS_INPUT_MAX];
	int k;

	srand(7);
	for (k = 0; k < 20000; k++) {
		size_t len = (size_t)(rand() % (RSS_INPUT_MAX + 1)), j;

		for (j = 0; j < len; j++)
			in[j] = (uint8_t)rand();
		cr_assert_eq(rss_hash(&ms, in, len), rss_toeplitz(ms_key, RSS_KEY_LEN, in, len));
		cr_assert_eq(rss_hash(&sym, in, len),
				rss_toeplitz(rss_sym_key, RSS_KEY_LEN, in, len));
	}
}

/* Both directions of a connection hash alike, so they meet on one queue;
 * the tags of a VLAN are not in the input, so tagged or not is the same. */
Test(rss, symmetric_key_both_directions)
{
	uint8_t a4[4], b4[4], a6[16], b6[16];
	int k;

	srand(11);
	for (k = 0; k < 20000; k++) {
		uint16_t pa = (uint16_t)rand(), pb = (uint16_t)rand();
		size_t j;
		uint32_t h;

		for (j = 0; j < 4; j++) {
			a4[j] = (uint8_t)rand();
			b4[j] = (uint8_t)rand();
		}
		for (j = 0; j < 16; j++) {
			a6[j] = (uint8_t)rand();
			b6[j] = (uint8_t)rand();
		}
		h = rss_hash_v4(&sym, a4, b4, pa, pb);
		cr_assert_eq(h, rss_hash_v4(&sym, b4, a4, pb, pa));
		cr_assert_eq(rss_queue(h, 14), rss_queue(rss_hash_v4(&sym, b4, a4, pb, pa), 14));
		cr_assert_eq(rss_hash_v6(&sym, a6, b6, pa, pb), rss_hash_v6(&sym, b6, a6, pb, pa));
	}
}

/* The default key is not symmetric: the property is the key's, not luck. */
Test(rss, microsoft_key_is_not_symmetric)
{
	uint8_t a[4] = {66, 9, 149, 187}, b[4] = {161, 142, 100, 80};

	cr_assert_neq(rss_hash_v4(&ms, a, b, 2794, 1766), rss_hash_v4(&ms, b, a, 1766, 2794));
}

/* Round-robin redirection table: every queue gets a fair share of hashes. */
Test(rss, queues_are_balanced)
{
	unsigned int nq, q, count[16];
	uint32_t h;

	for (nq = 1; nq <= 16; nq++) {
		memset(count, 0, sizeof(count));
		for (h = 0; h < 128 * 64; h++)
			count[rss_queue(h, nq)]++;
		for (q = 0; q < nq; q++)
			cr_assert_geq(count[q], 128 * 64 / nq - 64 * 2, "nq %u queue %u", nq, q);
	}
}

/* The NIC's input by protocol: ports for TCP and UDP, addresses alone for
 * anything else (Microsoft's vectors give both hashes). */
Test(rss, tuple_by_protocol)
{
	size_t i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		uint8_t in[8];

		cr_assert_eq(inet_pton(AF_INET, v4[i].src, in), 1);
		cr_assert_eq(inet_pton(AF_INET, v4[i].dst, in + 4), 1);
		cr_assert_eq(rss_hash_tuple(&ms, 4, in, in + 4, 6, v4[i].sport, v4[i].dport),
				v4[i].with_ports);
		cr_assert_eq(rss_hash_tuple(&ms, 4, in, in + 4, 17, v4[i].sport, v4[i].dport),
				v4[i].with_ports);
		cr_assert_eq(rss_hash_tuple(&ms, 4, in, in + 4, 1, v4[i].sport, v4[i].dport),
				v4[i].ip_only);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		uint8_t in[32];

		cr_assert_eq(inet_pton(AF_INET6, v6[i].src, in), 1);
		cr_assert_eq(inet_pton(AF_INET6, v6[i].dst, in + 16), 1);
		cr_assert_eq(rss_hash_tuple(&ms, 16, in, in + 16, 6, v6[i].sport, v6[i].dport),
				v6[i].with_ports);
		cr_assert_eq(rss_hash_tuple(&ms, 16, in, in + 16, 58, v6[i].sport, v6[i].dport),
				v6[i].ip_only);
	}
}
