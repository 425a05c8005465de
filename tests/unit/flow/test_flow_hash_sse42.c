/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built with -msse4.2: flow_key_hash's inline crc32 instruction path must give
 * exactly what the portable table path in the library gives, or code built
 * with and without SSE4.2 in one binary would disagree on every bucket.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "flow.h"

#ifndef __SSE4_2__
#error "this test must be built with -msse4.2"
#endif

Test(flow_hash_sse42, inline_equals_portable)
{
	uint64_t s = 0x0123456789abcdefULL;
	struct flow_key k;
	unsigned int i;
	size_t j;

	if (!__builtin_cpu_supports("sse4.2")) {
		cr_skip_test("CPU without SSE4.2");
		return;
	}
	for (i = 0; i < 1000000; i++) {
		uint8_t *p = (uint8_t *)&k;

		for (j = 0; j < sizeof(k); j++) {
			s ^= s >> 12;
			s ^= s << 25;
			s ^= s >> 27;
			p[j] = (uint8_t)((s * 0x2545f4914f6cdd1dULL) >> 56);
		}
		cr_assert_eq(flow_key_hash(&k), flow_key_hash_portable(&k), "key %u", i);
	}
	memset(&k, 0, sizeof(k));
	cr_assert_eq(flow_key_hash(&k), 0xe90651eeu);
}
