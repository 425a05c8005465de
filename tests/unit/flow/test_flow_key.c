/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The symmetric key and its hash: both directions give one key and one hash,
 * the ordering rule, VLAN separation, zeroed padding, and a hash that spreads
 * in its low bits (the app picks a worker with it).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "flow.h"

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void
rnd_bytes(uint64_t *s, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(s);
}

static void
check_symmetric(uint8_t family, uint64_t seed, unsigned int rounds)
{
	size_t alen = family == 4 ? 4 : 16;
	unsigned int r;

	for (r = 0; r < rounds; r++) {
		uint8_t src[16], dst[16];
		struct flow_key k1, k2;
		uint16_t sp, dp, vlan;
		uint8_t proto;
		int d1, d2;

		rnd_bytes(&seed, src, alen);
		rnd_bytes(&seed, dst, alen);
		/* Now and then share the address, or the port, or both. */
		if (r % 7 == 0)
			memcpy(dst, src, alen);
		sp = (uint16_t)rnd(&seed);
		dp = r % 5 == 0 ? sp : (uint16_t)rnd(&seed);
		vlan = (uint16_t)(rnd(&seed) & 0xfff);
		proto = r & 1 ? FLOW_PROTO_TCP : FLOW_PROTO_UDP;

		d1 = flow_key_make(&k1, family, src, dst, sp, dp, proto, vlan);
		d2 = flow_key_make(&k2, family, dst, src, dp, sp, proto, vlan);
		cr_assert(d1 == 0 || d1 == 1);
		cr_assert(memcmp(&k1, &k2, sizeof(k1)) == 0, "round %u: keys differ", r);
		if (memcmp(src, dst, alen) == 0 && sp == dp)
			cr_assert(d1 == 0 && d2 == 0,
					"an endpoint talking to itself is 'a' both ways");
		else
			cr_assert(d1 != d2, "round %u: directions %d %d not opposite", r, d1, d2);
		cr_assert(flow_key_hash(&k1) == flow_key_hash(&k2));
		cr_assert(flow_key_hash(&k1) == flow_key_hash_portable(&k1));
		/* The 'a' end is the lower (address, port). */
		cr_assert(memcmp(k1.addr_a, k1.addr_b, alen) < 0 ||
				(memcmp(k1.addr_a, k1.addr_b, alen) == 0 &&
						k1.port_a <= k1.port_b));
		cr_assert(memcmp(d1 == 0 ? k1.addr_a : k1.addr_b, src, alen) == 0);
		cr_assert((d1 == 0 ? k1.port_a : k1.port_b) == sp);
		cr_assert(k1.family == family && k1.proto == proto && k1.vlan == vlan);
	}
}

Test(flow_key, symmetric_ipv4)
{
	check_symmetric(4, 0x1234567887654321ULL, 100000);
}

Test(flow_key, symmetric_ipv6)
{
	check_symmetric(6, 0xdeadbeefcafef00dULL, 100000);
}

Test(flow_key, ipv4_unused_bytes_zero)
{
	const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	struct flow_key k;
	size_t i;

	memset(&k, 0xa5, sizeof(k));
	cr_assert_eq(flow_key_make(&k, 4, b, a, 25, 40000, FLOW_PROTO_TCP, 0), 1);
	for (i = 4; i < 16; i++) {
		cr_assert_eq(k.addr_a[i], 0);
		cr_assert_eq(k.addr_b[i], 0);
	}
	cr_assert(memcmp(k.addr_a, a, 4) == 0 && memcmp(k.addr_b, b, 4) == 0);
	cr_assert_eq(k.port_a, 40000);
	cr_assert_eq(k.port_b, 25);
}

Test(flow_key, equal_addresses_order_by_port)
{
	const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct flow_key k1, k2;

	cr_assert_eq(flow_key_make(&k1, 6, a, a, 80, 25, FLOW_PROTO_TCP, 0), 1);
	cr_assert_eq(k1.port_a, 25);
	cr_assert_eq(k1.port_b, 80);
	cr_assert_eq(flow_key_make(&k2, 6, a, a, 25, 80, FLOW_PROTO_TCP, 0), 0);
	cr_assert(memcmp(&k1, &k2, sizeof(k1)) == 0);
}

Test(flow_key, vlans_separate)
{
	const uint8_t a[4] = {192, 0, 2, 1}, b[4] = {198, 51, 100, 7};
	struct flow_key k0, k1, k2;

	flow_key_make(&k0, 4, a, b, 1025, 25, FLOW_PROTO_TCP, 0);
	flow_key_make(&k1, 4, a, b, 1025, 25, FLOW_PROTO_TCP, 100);
	flow_key_make(&k2, 4, b, a, 25, 1025, FLOW_PROTO_TCP, 101);
	cr_assert(memcmp(&k0, &k1, sizeof(k0)) != 0);
	cr_assert(memcmp(&k1, &k2, sizeof(k1)) != 0);
	cr_assert_neq(flow_key_hash(&k0), flow_key_hash(&k1));
	cr_assert_neq(flow_key_hash(&k1), flow_key_hash(&k2));
	/* Only the 12-bit VLAN id counts (PCP and DEI bits are not part of the flow). */
	flow_key_make(&k2, 4, a, b, 1025, 25, FLOW_PROTO_TCP, 0xe000 | 100);
	cr_assert(memcmp(&k1, &k2, sizeof(k1)) == 0);
}

Test(flow_key, protocols_and_families_separate)
{
	const uint8_t a[16] = {1, 2, 3, 4}, b[16] = {5, 6, 7, 8};
	struct flow_key k4, k6, ku;

	flow_key_make(&k4, 4, a, b, 1, 2, FLOW_PROTO_TCP, 0);
	flow_key_make(&k6, 6, a, b, 1, 2, FLOW_PROTO_TCP, 0);
	flow_key_make(&ku, 4, a, b, 1, 2, FLOW_PROTO_UDP, 0);
	cr_assert(memcmp(&k4, &k6, sizeof(k4)) != 0);
	cr_assert(memcmp(&k4, &ku, sizeof(k4)) != 0);
}

Test(flow_key, bad_family)
{
	const uint8_t a[16] = {1}, b[16] = {2};
	struct flow_key k, zero;

	memset(&zero, 0, sizeof(zero));
	memset(&k, 0xff, sizeof(k));
	cr_assert_eq(flow_key_make(&k, 5, a, b, 1, 2, FLOW_PROTO_TCP, 0), -EINVAL);
	cr_assert(memcmp(&k, &zero, sizeof(k)) == 0);
}

/* Buckets of `hash % n`, within 10 % of fair for a structured key set. */
static void
check_spread(const char *what, const uint32_t *h, unsigned int count, unsigned int n)
{
	unsigned int hist[64] = {0};
	unsigned int i;

	for (i = 0; i < count; i++)
		hist[h[i] % n]++;
	for (i = 0; i < n; i++)
		cr_assert(hist[i] > count / n * 9 / 10 && hist[i] < count / n * 11 / 10,
				"%s: bucket %u of %u holds %u of %u", what, i, n, hist[i], count);
}

Test(flow_key, hash_spreads_in_low_bits)
{
	static uint32_t h[65536];
	const uint8_t cli[4] = {10, 1, 2, 3}, srv[4] = {10, 9, 9, 9};
	const unsigned int ns[] = {2, 3, 4, 6, 8, 12, 16, 64};
	struct flow_key k;
	unsigned int i, j;

	/* One client, one server, every source port: only 16 key bits change. */
	for (i = 0; i < 65536; i++) {
		flow_key_make(&k, 4, cli, srv, (uint16_t)i, 25, FLOW_PROTO_TCP, 0);
		h[i] = flow_key_hash(&k);
	}
	for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++)
		check_spread("sequential ports", h, 65536, ns[j]);

	/* Sequential client addresses, fixed ports. */
	for (i = 0; i < 65536; i++) {
		uint8_t c[4] = {172, 16, (uint8_t)(i >> 8), (uint8_t)i};

		flow_key_make(&k, 4, c, srv, 40000, 25, FLOW_PROTO_TCP, 0);
		h[i] = flow_key_hash(&k);
	}
	for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++)
		check_spread("sequential addresses", h, 65536, ns[j]);

	/* Every VLAN of one tuple (4096 keys): fewer keys, same rule for 8 workers. */
	for (i = 0; i < 4096; i++) {
		flow_key_make(&k, 4, cli, srv, 40000, 25, FLOW_PROTO_TCP, (uint16_t)i);
		h[i] = flow_key_hash(&k);
	}
	check_spread("vlans", h, 4096, 4);
}

Test(flow_key, hash_is_stable)
{
	const uint8_t a[4] = {192, 0, 2, 1}, b[4] = {198, 51, 100, 7};
	struct flow_key k;
	struct flow_key zero;

	/*
	 * The value is part of the contract with software dispatch: pin it, so a
	 * change to the hash is a deliberate one (CRC32C seed 0x9e3779b9, murmur3 mix).
	 */
	memset(&zero, 0, sizeof(zero));
	flow_key_make(&k, 4, a, b, 40000, 25, FLOW_PROTO_TCP, 0);
	cr_assert_eq(flow_key_hash(&k), flow_key_hash_portable(&k));
	cr_assert_eq(flow_key_hash_portable(&zero), flow_key_hash(&zero));
	/* Reference values from a bit-at-a-time CRC32C written separately (Python). */
	cr_assert_eq(flow_key_hash(&zero), 0xe90651eeu);
	cr_assert_eq(flow_key_hash(&k), 0x15017949u);
}
