/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-gen on several lcores: engine q of nq sends only frames whose
 * addresses and ports hash (symmetric Toeplitz key, both directions) to
 * queue q, as a NIC's RSS would put them; the engines' sessions are
 * disjoint and together cover what one engine would run.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "gen.h"
#include "pkt.h"
#include "rss.h"

#define NQ 4
#define PER_ENGINE 400

static struct rss_ctx rss;

struct sink {
	unsigned int q, frames, wrong;
	uint32_t seen[8192]; /* client address << 16 | client port, from SYNs */
	unsigned int n_seen;
};

static int
sink_tx(void *arg, enum gen_side from, const uint8_t *frame, uint32_t len)
{
	struct sink *k = arg;
	struct pkt_info pi;

	(void)from;
	cr_assert_eq(pkt_parse_ex(frame, len, false, &pi), PKT_OK);
	k->frames++;
	if (rss_queue(rss_hash_tuple(&rss, pi.addr_len, pi.src, pi.dst, pi.l4_proto, pi.sport,
				      pi.dport),
			    NQ) != k->q)
		k->wrong++;
	if ((pi.flags & PKT_F_TCP) && (pi.tcp_flags & PKT_TCP_SYN) &&
			!(pi.tcp_flags & PKT_TCP_ACK) && k->n_seen < 8192)
		k->seen[k->n_seen++] =
				(uint32_t)pi.src[3] << 24 | (uint32_t)pi.src[2] << 16 | pi.sport;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

Test(gen, every_lcore_sends_on_its_own_queue)
{
	static struct sink sk[NQ];
	static uint32_t all[NQ * 8192];
	struct gen_cfg cfg;
	unsigned int q, n_all = 0, i;

	cr_assert_eq(gen_session_init(), 0);
	rss_ctx_init(&rss, rss_sym_key);
	memset(&cfg, 0, sizeof(cfg));
	cfg.concurrency = 64;
	cfg.window = 4;
	cfg.weight[GEN_T_SHORT] = 1;
	cfg.weight_sum = 1;
	cfg.rcpt_max = 1;
	cfg.body.kind = GEN_DIST_FIXED;
	cfg.body.a = 100;
	cfg.udp_inflight = 8;
	cfg.sessions = PER_ENGINE;
	cfg.timeout_ms = 1000;
	for (q = 0; q < NQ; q++) {
		struct gen_engine *e;
		uint64_t now;

		sk[q].q = q;
		e = gen_engine_create(&cfg, 1000000000ull, sink_tx, &sk[q], q, NQ, &rss);
		cr_assert_not_null(e);
		/* Nothing comes back: every poll may start sessions and send the
		 * first step of each (SYNs), and UDP frames. */
		for (now = 1; now < 100; now++)
			gen_engine_poll(e, now, true, true);
		cr_assert_eq(gen_engine_ctr(e)->sess_started, 64, "engine %u", q);
		cr_assert_gt(gen_engine_ctr(e)->udp_tx, 0);
		gen_engine_free(e);
		cr_assert_gt(sk[q].frames, 64);
		cr_assert_eq(sk[q].wrong, 0, "engine %u: %u frames hash to another queue", q,
				sk[q].wrong);
		for (i = 0; i < sk[q].n_seen; i++)
			all[n_all++] = sk[q].seen[i];
	}
	/* Disjoint: no client address and port twice across the engines. */
	qsort(all, n_all, sizeof(all[0]), cmp_u32);
	for (i = 1; i < n_all; i++)
		cr_assert_neq(all[i], all[i - 1], "a session on two lcores");
	/* Both directions of a session hash alike (the key's symmetry). */
	for (i = 0; i < 1000; i++) {
		struct gen_tuple t;
		uint8_t c[4], s[4];

		gen_tuple_of(i, &t);
		pkt_store32(c, t.cip);
		pkt_store32(s, t.sip);
		cr_assert_eq(rss_hash_tuple(&rss, 4, c, s, 6, t.cport, t.sport),
				rss_hash_tuple(&rss, 4, s, c, 6, t.sport, t.cport));
		cr_assert_eq(gen_queue_of_session(&rss, i, NQ),
				rss_queue(rss_hash_tuple(&rss, 4, s, c, 6, t.sport, t.cport), NQ));
	}
}
