/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_DISPATCH_H
#define SMTPWALL_DISPATCH_H

/*
 * Software dispatch, for ports without (symmetric) RSS: one lcore reads
 * queue 0 of every port, sends each frame to the worker chosen by the
 * symmetric flow hash (both directions of a connection meet on one
 * worker), and transmits what the workers hand back.
 *
 * Its cost per frame must not grow with the workers: a round reads every
 * port, gathers each worker's frames, and hands them over in one enqueue
 * per worker (with many workers, per-port bursts split into enqueues of a
 * few frames each, and ring operations dominated). Its busy cycles are
 * counted apart (dispatch_busy_cycles): near 100 % of its lcore while the
 * workers idle, it is the bottleneck.
 */

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "app.h"
#include "counters.h"
#include "txq.h"

/* Frames gathered for one worker before one enqueue (all ports, one round). */
#define DISPATCH_STAGE 128

struct dispatcher {
	struct wk_stats st;
	unsigned int n_workers;
	uint16_t n_stage[APP_MAX_WORKERS];
	struct rte_mbuf *stage[APP_MAX_WORKERS][DISPATCH_STAGE];
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
