/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_TXQ_H
#define SMTPWALL_TXQ_H

/*
 * One TX queue of one port as a worker (or the dispatcher) uses it: DPDK's
 * TX buffer for bursts, plus a bounded backlog for the frames a full NIC
 * ring (or a busy TAP device) refused, retried at the next flush before
 * anything newer, so a momentary stall neither loses nor reorders frames.
 * Only a backlog overflow drops (counted).
 */

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define TXQ_BURST 32
#define TXQ_BACKLOG 1024

struct txq {
	uint16_t port, queue;
	uint16_t n_backlog;
	uint64_t *drop; /* bumped for each frame the backlog cannot take */
	uint64_t *queued; /* bumped for each frame that went to the backlog */
	struct rte_eth_dev_tx_buffer *buf;
	struct rte_mbuf *backlog[TXQ_BACKLOG];
};

/* A queue of (port, queue); counters may be NULL. NULL on failure. */
struct txq *txq_new(uint16_t port, uint16_t queue, uint64_t *drop, uint64_t *queued, int socket);
void txq_free(struct txq *q);

/* Adds to the backlog (the buffer's error callback uses it too). */
void txq_backlog_add(struct txq *q, struct rte_mbuf **m, uint16_t n);

/* Sends the backlog, then the buffer. */
void txq_flush(struct txq *q);

static inline void
txq_send(struct txq *q, struct rte_mbuf *m)
{
	if (unlikely(q->n_backlog != 0)) {
		/* Older frames wait: keep the order. */
		txq_backlog_add(q, &m, 1);
		return;
	}
	rte_eth_tx_buffer(q->port, q->queue, q->buf, m);
}

#endif /* SMTPWALL_TXQ_H */
