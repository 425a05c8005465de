/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_DISPATCH_H
#define SMTPWALL_DISPATCH_H

/*
 * Software dispatch, for ports without (symmetric) RSS: one lcore reads
 * queue 0 of every port, sends each frame to the worker chosen by the
 * symmetric flow hash (both directions of a connection meet on one
 * worker), and transmits what the workers hand back.
 */

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "app.h"
#include "counters.h"
#include "txq.h"

struct dispatcher {
	struct wk_stats st;
	unsigned int n_workers;
	struct rte_ring *to_worker[APP_MAX_WORKERS];
	struct rte_ring *from_worker[APP_MAX_WORKERS];
	unsigned int n_ports;
	uint16_t ports[APP_MAX_PORTS];
	struct txq *txq[APP_MAX_PORTS];
	uint8_t port_idx[RTE_MAX_ETHPORTS];
	uint32_t idle_sleep_us;
} __rte_cache_aligned;

/* Creates the dispatcher and the rings of every worker (ring_size each). */
struct dispatcher *dispatcher_create(unsigned int ring_size, int socket);
void dispatcher_free(struct dispatcher *d);
int dispatcher_main(void *arg);

/* The worker a frame belongs to: symmetric in its addresses and ports. */
uint32_t dispatch_hash(const uint8_t *frame, uint32_t len);

#endif /* SMTPWALL_DISPATCH_H */
