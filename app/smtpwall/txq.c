/* SPDX-License-Identifier: BSD-3-Clause */
#include "txq.h"

#include <string.h>

#include <rte_malloc.h>

static void
txq_unsent(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	txq_backlog_add(userdata, unsent, count);
}

struct txq *
txq_new(uint16_t port, uint16_t queue, uint64_t *drop, uint64_t *queued, int socket)
{
	struct txq *q = rte_zmalloc_socket("txq", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);

	if (q == NULL)
		return NULL;
	q->buf = rte_zmalloc_socket("txb", RTE_ETH_TX_BUFFER_SIZE(TXQ_BURST), 0, socket);
	if (q->buf == NULL) {
		rte_free(q);
		return NULL;
	}
	q->port = port;
	q->queue = queue;
	q->drop = drop;
	q->queued = queued;
	rte_eth_tx_buffer_init(q->buf, TXQ_BURST);
	rte_eth_tx_buffer_set_err_callback(q->buf, txq_unsent, q);
	return q;
}

void
txq_free(struct txq *q)
{
	if (q == NULL)
		return;
	rte_pktmbuf_free_bulk(q->backlog, q->n_backlog);
	rte_free(q->buf);
	rte_free(q);
}

void
txq_backlog_add(struct txq *q, struct rte_mbuf **m, uint16_t n)
{
	uint16_t room = (uint16_t)(TXQ_BACKLOG - q->n_backlog);
	uint16_t take = n < room ? n : room;

	memcpy(&q->backlog[q->n_backlog], m, take * sizeof(*m));
	q->n_backlog = (uint16_t)(q->n_backlog + take);
	if (q->queued != NULL)
		*q->queued += take;
	if (take < n) {
		rte_pktmbuf_free_bulk(&m[take], n - take);
		if (q->drop != NULL)
			*q->drop += n - take;
	}
}

void
txq_flush(struct txq *q)
{
	if (unlikely(q->n_backlog != 0)) {
		uint16_t sent = rte_eth_tx_burst(q->port, q->queue, q->backlog, q->n_backlog);

		if (sent != 0) {
			memmove(q->backlog, &q->backlog[sent],
					(size_t)(q->n_backlog - sent) * sizeof(q->backlog[0]));
			q->n_backlog = (uint16_t)(q->n_backlog - sent);
		}
		if (q->n_backlog != 0)
			return; /* the buffer holds nothing older: it can wait */
	}
	rte_eth_tx_buffer_flush(q->port, q->queue, q->buf);
}
