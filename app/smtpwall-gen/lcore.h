/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One generator lcore: queue q of both ports, its own engine (its share of
 * the sessions, disjoint from the other lcores'), its own counters on its
 * own cache lines, summed by main.c at the end.
 */
#ifndef SMTPWALL_GEN_LCORE_H
#define SMTPWALL_GEN_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "gen.h"
#include "port.h"

struct gen_lcore {
	unsigned int q, nq;
	struct gen_cfg cfg; /* this lcore's share */
	const uint16_t *ports; /* client side, server side */
	struct rte_mempool *pool;
	struct port_txb txq[2]; /* drivers/port.h: refuses when full, never drops */
	struct gen_engine *e;
	struct gen_ctr base, end; /* at the end of warm-up, at the end of sending */
	uint64_t start, t_warm, t_end, t_stop; /* TSC */
	uint64_t busy_cycles; /* on polls that moved frames */
	bool warm;
	int failures;
} __rte_cache_aligned;

/* Runs the closed (or open) loop of one lcore until its share is done or
 * *quit; arg: struct gen_lcore *. Returns 0. */
int gen_lcore_run(void *arg);

/* The engine's tx callback (arg: struct gen_lcore *): queues the frame on
 * the lcore's TX queue of that side; -1 when the port takes no more. */
int gen_lcore_tx(void *arg, enum gen_side from, const uint8_t *frame, uint32_t len);

extern volatile bool gen_quit;

#endif /* SMTPWALL_GEN_LCORE_H */
