/* SPDX-License-Identifier: BSD-3-Clause */
#include "app.h"
#include "dispatch.h"
#include "worker_state.h"

#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_mbuf.h>

#include "flow.h"
#include "pkt.h"

uint32_t
dispatch_hash(const uint8_t *frame, uint32_t len)
{
	struct pkt_info pi;
	struct flow_key k;

	/* Frames that are not L4 (ARP, fragments, malformed) all go to worker
	 * 0: their order is kept and the worker counts what is wrong. */
	if (pkt_parse_ex(frame, len, false, &pi) != PKT_OK || !(pi.flags & PKT_F_L4) ||
			(pi.flags & PKT_F_FRAG))
		return 0;
	flow_key_make(&k, pi.addr_len == 4 ? 4 : 6, pi.src, pi.dst, pi.sport, pi.dport, pi.l4_proto,
			pi.n_vlan ? (uint16_t)(pi.vlan_tci[0] & 0xfff) : 0);
	return flow_key_hash(&k);
}

struct dispatcher *
dispatcher_create(unsigned int ring_size, int socket)
{
	struct dispatcher *d;
	unsigned int i;
	char name[RTE_RING_NAMESIZE];

	d = rte_zmalloc_socket("dispatcher", sizeof(*d), RTE_CACHE_LINE_SIZE, socket);
	if (d == NULL)
		return NULL;
	d->n_workers = app.n_workers;
	d->idle_sleep_us = app.cfg.idle_sleep_us;
	for (i = 0; i < d->n_workers; i++) {
		snprintf(name, sizeof(name), "sw_to_w%u", i);
		d->to_worker[i] = rte_ring_create(
				name, ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "sw_from_w%u", i);
		d->from_worker[i] = rte_ring_create(
				name, ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (d->to_worker[i] == NULL || d->from_worker[i] == NULL) {
			dispatcher_free(d);
			return NULL;
		}
	}
	return d;
}

void
dispatcher_free(struct dispatcher *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n_workers; i++) {
		rte_ring_free(d->to_worker[i]);
		rte_ring_free(d->from_worker[i]);
	}
	for (i = 0; i < d->n_ports; i++)
		txq_free(d->txq[i]);
	rte_free(d);
}

/* Hands worker wi what was gathered for it; a full ring drops (counted). */
static void
stage_flush(struct dispatcher *d, unsigned int wi)
{
	unsigned int n = d->n_stage[wi], sent;

	sent = rte_ring_sp_enqueue_burst(d->to_worker[wi], (void **)d->stage[wi], n, NULL);
	if (unlikely(sent < n)) {
		d->st.dispatch_drop += n - sent;
		rte_pktmbuf_free_bulk(&d->stage[wi][sent], n - sent);
	}
	d->n_stage[wi] = 0;
}

/* Reads every port once; returns how many frames it handed out. */
static unsigned int
dispatch_rx(struct dispatcher *d)
{
	struct rte_mbuf *pkts[WK_BURST];
	unsigned int p, i, total = 0;

	for (p = 0; p < d->n_ports; p++) {
		uint16_t n = rte_eth_rx_burst(d->ports[p], 0, pkts, WK_BURST);

		if (n == 0)
			continue;
		total += n;
		/* The headers the hash reads, for the whole burst at once. */
		for (i = 0; i < n; i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		for (i = 0; i < n; i++) {
			uint32_t h = dispatch_hash(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
					rte_pktmbuf_data_len(pkts[i]));
			unsigned int wi = h % d->n_workers;

			d->stage[wi][d->n_stage[wi]++] = pkts[i];
			if (unlikely(d->n_stage[wi] == DISPATCH_STAGE))
				stage_flush(d, wi);
		}
	}
	if (total != 0)
		for (i = 0; i < d->n_workers; i++)
			if (d->n_stage[i] != 0)
				stage_flush(d, i);
	return total;
}

static unsigned int
dispatch_tx(struct dispatcher *d)
{
	struct rte_mbuf *pkts[WK_BURST];
	unsigned int w, i, total = 0;

	for (w = 0; w < d->n_workers; w++) {
		unsigned int n = rte_ring_sc_dequeue_burst(
				d->from_worker[w], (void **)pkts, WK_BURST, NULL);

		for (i = 0; i < n; i++) {
			uint16_t out = pkts[i]->port;

			txq_send(d->txq[d->port_idx[out]], pkts[i]);
		}
		total += n;
	}
	for (i = 0; i < d->n_ports; i++)
		txq_flush(d->txq[i]);
	return total;
}

int
dispatcher_main(void *arg)
{
	struct dispatcher *d = arg;
	unsigned int idle = 0;

	while (likely(!app_quit)) {
		uint64_t t0 = rte_rdtsc();
		unsigned int got = dispatch_rx(d);

		got += dispatch_tx(d);
		d->st.dispatch_polls++;
		if (got != 0)
			d->st.dispatch_busy_cycles += rte_rdtsc() - t0;
		if (got == 0) {
			d->st.dispatch_idle_polls++;
			if (d->idle_sleep_us && ++idle > 256)
				rte_delay_us_sleep(d->idle_sleep_us);
		} else {
			idle = 0;
		}
	}
	return 0;
}
