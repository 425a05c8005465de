/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-gen: EAL and port bring-up (drivers/port.c), one lcore per queue
 * of both ports (every lcore EAL was given, the main one included), and the
 * report summed over them. The loop of one lcore is lcore.c, the sessions
 * engine.c, the checks rx.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "gen.h"
#include "eal_runtime.h"
#include "lcore.h"
#include "port.h"
#include "rss.h"

#define NB_DESC 1024
#define NB_MBUF_PER_Q 16383
#define LINK_WAIT_S 15

/*
 * Queue q of both ports for lcore q. The lcores choose their flows for TX;
 * on RX a NIC must bring each flow back to its lcore's queue: symmetric RSS
 * with smtpwall's key and the round-robin table (port_setup), where the port
 * has RSS (memif maps queue q to queue q itself).
 */
static int
gen_port_setup(uint16_t port, struct rte_mempool *pool, unsigned int nq)
{
	struct port_caps caps;

	if (port_probe(port, &caps) != 0)
		return -1;
	if (caps.max_rxq < nq || caps.max_txq < nq) {
		fprintf(stderr, "smtpwall-gen: port %u (%s) has %u RX / %u TX queues, %u lcores need %u\n",
				port, caps.driver, caps.max_rxq, caps.max_txq, nq, nq);
		return -1;
	}
	return port_setup(
			port, (uint16_t)nq, (uint16_t)nq, NB_DESC, NB_DESC, pool, caps.rss, &caps);
}

static void
on_signal(int sig)
{
	(void)sig;
	gen_quit = true;
}

static bool
links_up(const uint16_t *ports)
{
	struct rte_eth_link l0, l1;

	memset(&l0, 0, sizeof(l0));
	memset(&l1, 0, sizeof(l1));
	rte_eth_link_get_nowait(ports[0], &l0);
	rte_eth_link_get_nowait(ports[1], &l1);
	return l0.link_status == RTE_ETH_LINK_UP && l1.link_status == RTE_ETH_LINK_UP;
}

/* Lcore q's share of n (the first n % nq lcores take one more). */
static uint64_t
share(uint64_t n, unsigned int q, unsigned int nq)
{
	return n / nq + (q < n % nq ? 1 : 0);
}

/* The lcores' shares of the run: sessions, concurrency, UDP, rates. */
static void
split_cfg(const struct gen_cfg *cfg, struct gen_lcore *l, unsigned int q, unsigned int nq)
{
	l->cfg = *cfg;
	l->q = q;
	l->nq = nq;
	if (nq == 1)
		return;
	l->cfg.concurrency = (uint32_t)share(cfg->concurrency, q, nq);
	if (l->cfg.concurrency == 0)
		l->cfg.concurrency = 1;
	if (cfg->sessions != 0)
		l->cfg.sessions = share(cfg->sessions, q, nq);
	l->cfg.udp_inflight = (uint32_t)share(cfg->udp_inflight, q, nq);
	l->cfg.rate = cfg->rate / nq;
	l->cfg.udp_rate = cfg->udp_rate / nq;
	l->cfg.seed = cfg->seed + q;
}

/*
 * Sums the lcores: counters, latency, the measured window (from the
 * latest warm-up end to the earliest end of sending: every lcore was
 * sending throughout), and the busiest lcore's busy share.
 */
static int
report(const struct gen_cfg *cfg, struct gen_lcore *lc, unsigned int nq)
{
	struct gen_ctr tot, base, end;
	static struct gen_lat lat;
	uint64_t hz = rte_get_tsc_hz(), t_warm = 0, t_end = UINT64_MAX, t0 = UINT64_MAX, t1 = 0;
	double busy_max = 0;
	unsigned int q;
	int failures = 0;

	memset(&tot, 0, sizeof(tot));
	memset(&base, 0, sizeof(base));
	memset(&end, 0, sizeof(end));
	memset(&lat, 0, sizeof(lat));
	for (q = 0; q < nq; q++) {
		struct gen_lcore *l = &lc[q];
		double b = l->t_stop > l->start
				? (double)l->busy_cycles / (double)(l->t_stop - l->start)
				: 0;

		gen_ctr_add(&tot, gen_engine_ctr(l->e));
		gen_ctr_add(&base, &l->base);
		gen_ctr_add(&end, &l->end);
		gen_lat_add_all(&lat, gen_engine_lat(l->e));
		t_warm = RTE_MAX(t_warm, l->t_warm);
		t_end = RTE_MIN(t_end, l->t_end);
		t0 = RTE_MIN(t0, l->start);
		t1 = RTE_MAX(t1, l->t_stop);
		busy_max = RTE_MAX(busy_max, b);
		if (nq > 1)
			printf("smtpwall-gen: lcore %u (queue %u): %" PRIu64 " sessions, %" PRIu64
			       " frames sent, busy %.1f %%\n",
					q, q, gen_engine_ctr(l->e)->sess_started,
					gen_engine_ctr(l->e)->tx_pkts, 100.0 * b);
	}
	if (t_end < t_warm)
		t_end = t_warm;
	printf("smtpwall-gen: %.2f s in all, rates over %.2f s, %u lcore(s)\n",
			(double)(t1 - t0) / (double)hz, (double)(t_end - t_warm) / (double)hz, nq);
	gen_stats_final(cfg, &tot, &lat, &base, &end, (double)(t_end - t_warm) / (double)hz,
			busy_max);
	if (cfg->lat_out != NULL && gen_lat_write(&lat, cfg->lat_out) != 0) {
		fprintf(stderr, "smtpwall-gen: cannot write %s\n", cfg->lat_out);
		failures++;
	}
	if (cfg->check)
		failures += gen_stats_check(cfg, &tot);
	return failures;
}

/* One lcore per queue: engines, launch, wait, report. */
static int
run(const struct gen_cfg *cfg, const uint16_t *ports, struct rte_mempool *pool, unsigned int nq)
{
	static struct rss_ctx rss;
	struct gen_lcore *lc;
	unsigned int q, lcore;
	int failures = 0;

	rss_ctx_init(&rss, rss_sym_key);
	lc = rte_zmalloc("gen_lcores", sizeof(*lc) * nq, RTE_CACHE_LINE_SIZE);
	if (lc == NULL)
		return 2;
	for (q = 0; q < nq; q++) {
		split_cfg(cfg, &lc[q], q, nq);
		lc[q].ports = ports;
		lc[q].pool = pool;
		lc[q].e = gen_engine_create(&lc[q].cfg, rte_get_tsc_hz(), gen_lcore_tx, &lc[q], q,
				nq, nq > 1 ? &rss : NULL);
		if (lc[q].e == NULL) {
			fprintf(stderr, "smtpwall-gen: engine %u: %s\n", q, strerror(errno));
			failures = 2;
			goto out;
		}
	}
	q = 1;
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (q < nq)
			rte_eal_remote_launch(gen_lcore_run, &lc[q++], lcore);
	}
	gen_lcore_run(&lc[0]);
	rte_eal_mp_wait_lcore();
	failures = report(cfg, lc, nq) ? 1 : 0;
out:
	for (q = 0; q < nq; q++)
		gen_engine_free(lc[q].e);
	rte_free(lc);
	return failures;
}

int
main(int argc, char **argv)
{
	struct gen_cfg cfg;
	struct rte_mempool *pool;
	uint16_t ports[2];
	uint64_t t0;
	unsigned int nq;
	int n, rc;

	/* The pcap mode needs no EAL: look for --pcap after "--". */
	for (n = 1; n < argc; n++)
		if (strcmp(argv[n], "--") == 0)
			break;
	if (n < argc) {
		int i;

		for (i = n + 1; i < argc; i++)
			if (strcmp(argv[i], "--pcap") == 0) {
				argv[n] = argv[0];
				rc = gen_args_parse(&cfg, argc - n, argv + n);
				if (rc != 0)
					return rc > 0 ? 0 : 2;
				return gen_pcap_run(&cfg);
			}
	}
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "smtpwall-gen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	eal_runtime_dir_note(argc, argv);
	argv[n] = argv[0];
	rc = gen_args_parse(&cfg, argc - n, argv + n);
	if (rc != 0) {
		rte_eal_cleanup();
		eal_runtime_dir_remove();
		return rc > 0 ? 0 : 2;
	}
	nq = rte_lcore_count();
	if (nq > RSS_RETA_SIZE) {
		/* Past the table's entries a queue has no flow at all. */
		fprintf(stderr, "smtpwall-gen: %u lcores: one queue each needs 1..%u lcores\n", nq,
				RSS_RETA_SIZE);
		rte_eal_cleanup();
		eal_runtime_dir_remove();
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (gen_session_init() != 0)
		return 2;
	if (port_lookup(cfg.port_c, &ports[0]) != 0 || port_lookup(cfg.port_s, &ports[1]) != 0 ||
			ports[0] == ports[1]) {
		fprintf(stderr, "smtpwall-gen: ports %s/%s: not two existing ports (%u ports)\n",
				cfg.port_c, cfg.port_s, rte_eth_dev_count_avail());
		rte_eal_cleanup();
		eal_runtime_dir_remove();
		return 2;
	}
	pool = rte_pktmbuf_pool_create("gen_pool", NB_MBUF_PER_Q * nq, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL || gen_port_setup(ports[0], pool, nq) != 0 ||
			gen_port_setup(ports[1], pool, nq) != 0) {
		fprintf(stderr, "smtpwall-gen: port setup failed: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		eal_runtime_dir_remove();
		return 2;
	}
	t0 = rte_rdtsc();
	while (!links_up(ports) && !gen_quit && rte_rdtsc() - t0 < LINK_WAIT_S * rte_get_tsc_hz())
		rte_delay_ms(10);
	if (!links_up(ports)) {
		fprintf(stderr, "smtpwall-gen: links not up after %d s (is the DUT running?)\n",
				LINK_WAIT_S);
		rc = 2;
		goto out;
	}
	printf("smtpwall-gen: client side port %u, server side port %u; %u sessions in flight; "
	       "%u lcore(s), one queue each\n",
			ports[0], ports[1], cfg.concurrency, nq);
	fflush(stdout);
	rc = run(&cfg, ports, pool, nq);
	/* DPDK 22.11's memif server unmaps the rings when its client leaves,
	 * under the server's polling lcore, which then may fault: --hold
	 * lets the DUT stop first, and then the generator. */
	fflush(stdout);
	while (cfg.hold && !gen_quit)
		rte_delay_ms(10);
out:
	rte_eth_dev_stop(ports[0]);
	rte_eth_dev_stop(ports[1]);
	rte_eth_dev_close(ports[0]);
	rte_eth_dev_close(ports[1]);
	rte_eal_cleanup();
	eal_runtime_dir_remove();
	return rc;
}
