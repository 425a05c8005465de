/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_WIRING_H
#define SMTPWALL_WIRING_H

/*
 * What the data path needs to know of the box, handed to each worker at
 * creation and read-only from then on: the ports and their pairs, the
 * mbuf pool of the segments the box sends itself, the cookie secret, the
 * stop flag. The data path reads this, never the process-wide struct app
 * (app.h), which belongs to the control plane.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_config.h>

#include "rss.h"

struct rte_mempool;
struct config;

struct wiring {
	const struct config *cfg; /* the settings the worker is made with */
	struct rte_mempool *pool; /* mbufs for RSTs, cookie SYN-ACKs, SYNs */
	const volatile bool *quit; /* set by SIGINT/SIGTERM: the loops end */
	bool no_inspect; /* --no-inspect: a plain bridge */
	bool verify_tcp_csum; /* check TCP checksums the NIC did not */
	uint8_t ic_master[16]; /* TCP Intercept master secret */
	uint16_t peer[RTE_MAX_ETHPORTS]; /* the other port of its pair */
	bool port_inside[RTE_MAX_ETHPORTS]; /* the inside port of its pair */
	bool port_tx_tcp_cksum[RTE_MAX_ETHPORTS]; /* the NIC fills TCP checksums */
	uint8_t port_pair[RTE_MAX_ETHPORTS]; /* pair index of a port */
	/* Several workers, no dispatcher: a new connection's symmetric RSS
	 * hash must name the queue it came in on (NULL: no check). */
	const struct rss_ctx *rss;
	uint16_t n_queues; /* queues of every port, with rss */
};

/*
 * The wiring as the control plane has set it up so far (struct app):
 * called by worker_create, after the ports are resolved. The pointer stays
 * valid for the life of the process.
 */
const struct wiring *wiring_get(void);

#endif /* SMTPWALL_WIRING_H */
