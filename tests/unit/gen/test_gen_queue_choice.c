/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-gen's queue choice for every lcore count up to 16 (issue 15 asks
 * for 14 workers): the sessions and UDP flows an lcore may pick hash, in
 * both directions, to its queue by lib/rss's bit-by-bit Toeplitz reference
 * with smtpwall's symmetric key and a 128-entry round-robin table; every
 * queue has sessions and UDP flows (an engine searches for them: one with
 * none would search forever); the session ids are partitioned; the UDP
 * flows reuse 65,536 tuples (a DUT's flow table holds them).
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "gen.h"
#include "pkt.h"
#include "rss.h"

static struct rss_ctx rss;

static void
setup(void)
{
	rss_ctx_init(&rss, rss_sym_key);
}

/* The NIC's queue for a frame from src to dst, by the reference hash. */
static unsigned int
nic_queue(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, unsigned int nq)
{
	uint8_t in[12];

	pkt_store32(in, src);
	pkt_store32(in + 4, dst);
	pkt_store16(in + 8, sport);
	pkt_store16(in + 10, dport);
	return rss_queue(rss_toeplitz(rss_sym_key, RSS_KEY_LEN, in, sizeof(in)), nq);
}

static void
expect_both_ways(const struct gen_tuple *t, unsigned int q, unsigned int nq, uint64_t n)
{
	cr_expect_eq(nic_queue(t->cip, t->sip, t->cport, t->sport, nq), q,
			"%llu client->server: not on queue %u of %u", (unsigned long long)n, q, nq);
	cr_expect_eq(nic_queue(t->sip, t->cip, t->sport, t->cport, nq), q,
			"%llu server->client: not on queue %u of %u", (unsigned long long)n, q, nq);
}

#define N_IDS 20000
#define N_UDP 65536

Test(gen_queue_choice, every_lcore_count_to_16, .init = setup)
{
	static uint32_t per_q[16];
	unsigned int nq, q;

	for (nq = 2; nq <= 16; nq++) {
		uint64_t id;
		uint32_t f;

		memset(per_q, 0, sizeof(per_q));
		for (id = 0; id < N_IDS; id++) {
			struct gen_tuple t;

			q = gen_queue_of_session(&rss, id, nq);
			cr_assert_lt(q, nq);
			gen_tuple_of(id, &t);
			expect_both_ways(&t, q, nq, id);
			per_q[q]++;
		}
		for (q = 0; q < nq; q++)
			cr_expect(per_q[q] * 3 > N_IDS / nq * 2 && per_q[q] * 3 < N_IDS / nq * 4,
					"%u lcores: queue %u has %u of %u sessions", nq, q,
					per_q[q], N_IDS);
		memset(per_q, 0, sizeof(per_q));
		for (f = 0; f < N_UDP; f++) {
			struct gen_tuple t;

			q = gen_queue_of_udp(&rss, f, nq);
			cr_assert_lt(q, nq);
			if (f % 97 == 0) {
				gen_udp_tuple_of(f, &t);
				expect_both_ways(&t, q, nq, f);
			}
			per_q[q]++;
		}
		for (q = 0; q < nq; q++)
			cr_expect_geq(per_q[q], 256, "%u lcores: queue %u has %u UDP flows", nq, q,
					per_q[q]);
	}
}

Test(gen_queue_choice, udp_flows_reuse_65536_tuples)
{
	struct gen_tuple a, b;
	uint32_t f;

	for (f = 0; f < 70000; f += 7) {
		gen_udp_tuple_of(f, &a);
		gen_udp_tuple_of(f + 65536, &b);
		cr_expect(a.cip == b.cip && a.cport == b.cport && a.sip == b.sip &&
						a.sport == b.sport,
				"flow %u and %u differ", f, f + 65536);
	}
}
