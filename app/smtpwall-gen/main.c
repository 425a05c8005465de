/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-gen: EAL and port bring-up, the poll loop, the reports. One lcore
 * (the main one) drives both ports: receive, check, send what the closed
 * loop allows, flush. The sessions live in engine.c, the checks in rx.c.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "gen.h"

#define BURST 32
#define TXB 64
#define NB_DESC 1024
#define NB_MBUF 16383
#define LINK_WAIT_S 15

struct txq {
	uint16_t port;
	uint16_t n;
	struct rte_mbuf *m[TXB];
};

struct tx_ctx {
	struct rte_mempool *pool;
	struct txq q[2];
};

static volatile bool quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = true;
}

static void
txq_flush(struct txq *q)
{
	uint16_t sent;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(q->port, 0, q->m, q->n);
	if (sent < q->n)
		memmove(q->m, q->m + sent, (size_t)(q->n - sent) * sizeof(q->m[0]));
	q->n = (uint16_t)(q->n - sent);
}

/* The engine's tx callback: refuses (-1) when the port does not take frames. */
static int
tx_port(void *arg, enum gen_side from, const uint8_t *frame, uint32_t len)
{
	struct tx_ctx *ctx = arg;
	struct txq *q = &ctx->q[from];
	struct rte_mbuf *m;

	if (q->n == TXB) {
		txq_flush(q);
		if (q->n == TXB)
			return -1;
	}
	m = rte_pktmbuf_alloc(ctx->pool);
	if (m == NULL)
		return -1;
	memcpy(rte_pktmbuf_mtod(m, void *), frame, len);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	q->m[q->n++] = m;
	return 0;
}

static int
port_of(const char *name, uint16_t *port)
{
	const char *p;

	for (p = name; *p != '\0' && isdigit((unsigned char)*p); p++)
		;
	if (*p == '\0' && p != name) {
		*port = (uint16_t)atoi(name);
		return rte_eth_dev_is_valid_port(*port) ? 0 : -1;
	}
	return rte_eth_dev_get_port_by_name(name, port);
}

static int
port_setup(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(
			port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc == 0)
		rte_eth_promiscuous_enable(port); /* a vdev may refuse; frames are ours anyway */
	return rc;
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

static void
rx_side(struct gen_engine *e, uint16_t port, enum gen_side at, uint64_t now)
{
	struct rte_mbuf *m[BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(port, 0, m, BURST);
	for (i = 0; i < n; i++) {
		if (m[i]->nb_segs == 1)
			gen_engine_rx(e, at, rte_pktmbuf_mtod(m[i], const uint8_t *),
				m[i]->data_len, now);
		else
			gen_engine_ctr(e)->err_parse++; /* frames we built are never chained */
	}
	if (n > 0)
		rte_pktmbuf_free_bulk(m, n);
}

static int
run(const struct gen_cfg *cfg, const uint16_t *ports, struct rte_mempool *pool)
{
	struct tx_ctx ctx = {.pool = pool, .q = {{.port = ports[0]}, {.port = ports[1]}}};
	uint64_t hz = rte_get_tsc_hz(), start, now, next_stats, next_expire, t_warm, t_end = 0;
	struct gen_ctr prev, base, end;
	struct gen_engine *e;
	bool time_up = false, warm = cfg->warmup <= 0;
	int failures = 0;
	double last_stats;

	memset(&end, 0, sizeof(end));

	e = gen_engine_create(cfg, hz, tx_port, &ctx);
	if (e == NULL) {
		fprintf(stderr, "smtpwall-gen: engine: %s\n", strerror(errno));
		return 2;
	}
	memset(&prev, 0, sizeof(prev));
	memset(&base, 0, sizeof(base));
	start = rte_rdtsc();
	t_warm = start + (uint64_t)(cfg->warmup * (double)hz);
	next_stats = start + (uint64_t)(cfg->stats_s * (double)hz);
	next_expire = start;
	last_stats = 0;
	for (;;) {
		bool may_start;

		now = rte_rdtsc();
		rx_side(e, ports[1], GEN_S, now);
		rx_side(e, ports[0], GEN_C, now);
		if (!time_up &&
			(quit ||
				(cfg->duration > 0 &&
					now - start >= (uint64_t)(cfg->duration * (double)hz)))) {
			time_up = true;
			t_end = now;
			end = *gen_engine_ctr(e);
		}
		may_start = !time_up &&
			(cfg->sessions == 0 || gen_engine_ctr(e)->sess_started < cfg->sessions);
		gen_engine_poll(
			e, now, may_start, !time_up && (may_start || gen_engine_active(e) > 0));
		txq_flush(&ctx.q[0]);
		txq_flush(&ctx.q[1]);
		if (now >= next_expire) {
			gen_engine_expire(e, now);
			next_expire = now + hz / 100;
		}
		if (!warm && now >= t_warm) {
			warm = true;
			base = *gen_engine_ctr(e);
			memset(gen_engine_lat(e), 0, sizeof(struct gen_lat));
			t_warm = now;
		}
		if (cfg->stats_s > 0 && !cfg->quiet && now >= next_stats) {
			double t = (double)(now - start) / (double)hz;

			printf("[%7.1fs] ", t);
			gen_stats_interval(
				gen_engine_ctr(e), &prev, t - last_stats, gen_engine_active(e));
			prev = *gen_engine_ctr(e);
			last_stats = t;
			next_stats = now + (uint64_t)(cfg->stats_s * (double)hz);
		}
		if (!may_start && gen_engine_active(e) == 0 && ctx.q[0].n == 0 && ctx.q[1].n == 0 &&
			(gen_engine_udp_inflight(e) == 0 || !time_up)) {
			if (!time_up) {
				time_up = true;
				t_end = now;
				end = *gen_engine_ctr(e);
				continue; /* one more round: UDP stops, its frames come back */
			}
			break;
		}
	}
	if (!warm) {
		t_warm = start;
		memset(&base, 0, sizeof(base));
	}
	if (t_end == 0)
		t_end = now;
	/* The rates cover [warm-up end, end of sending]; the counts cover the whole run. */
	printf("smtpwall-gen: %.2f s in all, rates over %.2f s\n",
		(double)(now - start) / (double)hz, (double)(t_end - t_warm) / (double)hz);
	gen_stats_final(cfg, gen_engine_ctr(e), gen_engine_lat(e), &base, &end,
		(double)(t_end - t_warm) / (double)hz);
	if (cfg->lat_out != NULL && gen_lat_write(gen_engine_lat(e), cfg->lat_out) != 0) {
		fprintf(stderr, "smtpwall-gen: cannot write %s\n", cfg->lat_out);
		failures++;
	}
	if (cfg->check)
		failures += gen_stats_check(cfg, gen_engine_ctr(e));
	gen_engine_free(e);
	return failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct gen_cfg cfg;
	struct rte_mempool *pool;
	uint16_t ports[2];
	uint64_t t0;
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
	argv[n] = argv[0];
	rc = gen_args_parse(&cfg, argc - n, argv + n);
	if (rc != 0) {
		rte_eal_cleanup();
		return rc > 0 ? 0 : 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (gen_session_init() != 0)
		return 2;
	if (port_of(cfg.port_c, &ports[0]) != 0 || port_of(cfg.port_s, &ports[1]) != 0 ||
		ports[0] == ports[1]) {
		fprintf(stderr, "smtpwall-gen: ports %s/%s: not two existing ports (%u ports)\n",
			cfg.port_c, cfg.port_s, rte_eth_dev_count_avail());
		rte_eal_cleanup();
		return 2;
	}
	pool = rte_pktmbuf_pool_create(
		"gen_pool", NB_MBUF, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL || port_setup(ports[0], pool) != 0 || port_setup(ports[1], pool) != 0) {
		fprintf(stderr, "smtpwall-gen: port setup failed: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 2;
	}
	t0 = rte_rdtsc();
	while (!links_up(ports) && !quit && rte_rdtsc() - t0 < LINK_WAIT_S * rte_get_tsc_hz())
		rte_delay_ms(10);
	if (!links_up(ports)) {
		fprintf(stderr, "smtpwall-gen: links not up after %d s (is the DUT running?)\n",
			LINK_WAIT_S);
		rc = 2;
		goto out;
	}
	printf("smtpwall-gen: client side port %u, server side port %u; %u sessions in flight\n",
		ports[0], ports[1], cfg.concurrency);
	fflush(stdout);
	rc = run(&cfg, ports, pool);
out:
	rte_eth_dev_stop(ports[0]);
	rte_eth_dev_stop(ports[1]);
	rte_eth_dev_close(ports[0]);
	rte_eth_dev_close(ports[1]);
	rte_eal_cleanup();
	return rc;
}
