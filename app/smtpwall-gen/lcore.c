/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The poll loop of one generator lcore: receive on queue q of both ports,
 * check, send what the loop allows, flush, time out. Only lcore 0 of a
 * single-lcore run prints per-interval reports (several lcores would
 * interleave them; their sum is printed at the end).
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "lcore.h"

#define BURST 32

volatile bool gen_quit;

int
gen_lcore_tx(void *arg, enum gen_side from, const uint8_t *frame, uint32_t len)
{
	struct gen_lcore *l = arg;
	struct port_txb *q = &l->txq[from];
	struct rte_mbuf *m;

	/* Room first: no mbuf is taken for a frame the ring would refuse. */
	if (q->n == PORT_TXB_MAX && port_txb_flush(q) == 0)
		return -1;
	m = rte_pktmbuf_alloc(l->pool);
	if (m == NULL)
		return -1;
	memcpy(rte_pktmbuf_mtod(m, void *), frame, len);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return port_txb_put(q, m); /* cannot fail: there is room */
}

static uint16_t
rx_side(struct gen_lcore *l, enum gen_side at, uint64_t now)
{
	struct rte_mbuf *m[BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(l->ports[at], (uint16_t)l->q, m, BURST);
	for (i = 0; i < n; i++) {
		if (m[i]->nb_segs == 1)
			gen_engine_rx(l->e, at, rte_pktmbuf_mtod(m[i], const uint8_t *),
					m[i]->data_len, now);
		else
			gen_engine_ctr(l->e)->err_parse++; /* frames we built are never chained */
	}
	if (n > 0)
		rte_pktmbuf_free_bulk(m, n);
	return n;
}

int
gen_lcore_run(void *arg)
{
	struct gen_lcore *l = arg;
	const struct gen_cfg *cfg = &l->cfg;
	struct gen_engine *e = l->e;
	uint64_t hz = rte_get_tsc_hz(), now, next_stats, next_expire;
	struct gen_ctr prev;
	bool time_up = false;
	double last_stats = 0;
	bool report = l->nq == 1 && cfg->stats_s > 0 && !cfg->quiet;

	memset(&prev, 0, sizeof(prev));
	port_txb_init(&l->txq[GEN_C], l->ports[GEN_C], (uint16_t)l->q);
	port_txb_init(&l->txq[GEN_S], l->ports[GEN_S], (uint16_t)l->q);
	l->start = rte_rdtsc();
	l->warm = cfg->warmup <= 0;
	l->t_warm = l->start + (uint64_t)(cfg->warmup * (double)hz);
	next_stats = l->start + (uint64_t)(cfg->stats_s * (double)hz);
	next_expire = l->start;
	for (;;) {
		bool may_start;
		uint64_t moved;

		now = rte_rdtsc();
		moved = rx_side(l, GEN_S, now);
		moved += rx_side(l, GEN_C, now);
		if (!time_up &&
				(gen_quit ||
						(cfg->duration > 0 &&
								now - l->start >=
										(uint64_t)(cfg->duration *
												(double)hz)))) {
			time_up = true;
			l->t_end = now;
			l->end = *gen_engine_ctr(e);
		}
		may_start = !time_up &&
				(cfg->sessions == 0 ||
						gen_engine_ctr(e)->sess_started < cfg->sessions);
		moved += gen_engine_poll(e, now, may_start,
				!time_up && (may_start || gen_engine_active(e) > 0));
		port_txb_flush(&l->txq[GEN_C]);
		port_txb_flush(&l->txq[GEN_S]);
		if (now >= next_expire) {
			gen_engine_expire(e, now);
			next_expire = now + hz / 100;
		}
		if (moved != 0) {
			uint64_t d = rte_rdtsc() - now;

			/* A round over 1 ms was descheduled, not busy (a shared
			 * machine): as smtpwall's busy_cycles leaves it out. */
			if (d < hz / 1000)
				l->busy_cycles += d;
		}
		if (!l->warm && now >= l->t_warm) {
			l->warm = true;
			l->base = *gen_engine_ctr(e);
			memset(gen_engine_lat(e), 0, sizeof(struct gen_lat));
			l->t_warm = now;
		}
		if (report && now >= next_stats) {
			double t = (double)(now - l->start) / (double)hz;

			printf("[%7.1fs] ", t);
			gen_stats_interval(gen_engine_ctr(e), &prev, t - last_stats,
					gen_engine_active(e));
			prev = *gen_engine_ctr(e);
			last_stats = t;
			next_stats = now + (uint64_t)(cfg->stats_s * (double)hz);
		}
		if (!may_start && gen_engine_active(e) == 0 && l->txq[GEN_C].n == 0 &&
				l->txq[GEN_S].n == 0 &&
				(gen_engine_udp_inflight(e) == 0 || !time_up)) {
			if (!time_up) {
				time_up = true;
				l->t_end = now;
				l->end = *gen_engine_ctr(e);
				continue; /* one more round: UDP stops, its frames come back */
			}
			break;
		}
	}
	if (!l->warm) {
		l->t_warm = l->start;
		memset(&l->base, 0, sizeof(l->base));
	}
	if (l->t_end == 0)
		l->t_end = now;
	l->t_stop = now;
	return 0;
}
