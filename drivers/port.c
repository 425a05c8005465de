/* SPDX-License-Identifier: BSD-3-Clause */
#include "port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "rss.h"

#define PORT_RSS_HF \
	(RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV6_TCP | \
			RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP | \
			RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6)

/* Virtual devices whose queues are not chosen by a flow hash we control. */
static const char *const no_flow_rss_drivers[] = {
		"net_tap",
		"net_pcap",
		"net_ring",
		"net_null",
		"net_memif",
		"net_af_packet",
		"net_virtio_user",
		"net_vhost",
		NULL,
};

int
port_lookup(const char *name, uint16_t *port)
{
	char *end;
	unsigned long id;

	if (rte_eth_dev_get_port_by_name(name, port) == 0)
		return 0;
	id = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0' && id < RTE_MAX_ETHPORTS &&
			rte_eth_dev_is_valid_port((uint16_t)id)) {
		*port = (uint16_t)id;
		return 0;
	}
	return -ENODEV;
}

void
port_list(char *buf, size_t len)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	unsigned int i = 0;
	uint16_t port;
	size_t n;

	n = (size_t)snprintf(buf, len, "EAL has %u port(s)", rte_eth_dev_count_avail());
	RTE_ETH_FOREACH_DEV(port)
	{
		if (n >= len || rte_eth_dev_get_name_by_port(port, name) != 0)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s %u %s", i++ ? "," : ":", port, name);
	}
}

int
port_probe(uint16_t port, struct port_caps *caps)
{
	struct rte_eth_dev_info info;
	const char *const *d;
	int rc;

	memset(caps, 0, sizeof(*caps));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	snprintf(caps->driver, sizeof(caps->driver), "%s", info.driver_name);
	caps->max_rxq = info.max_rx_queues;
	caps->max_txq = info.max_tx_queues;
	caps->rss = (info.flow_type_rss_offloads &
				    (RTE_ETH_RSS_NONFRAG_IPV4_TCP |
						    RTE_ETH_RSS_NONFRAG_IPV6_TCP)) != 0 &&
			info.hash_key_size == RSS_KEY_LEN;
	for (d = no_flow_rss_drivers; *d != NULL; d++)
		if (strcmp(info.driver_name, *d) == 0)
			caps->rss = false;
	caps->rx_ip_cksum = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) != 0;
	caps->rx_l4_cksum = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) != 0;
	caps->tx_ip_cksum = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	caps->tx_tcp_cksum = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0;
	return 0;
}

bool
port_needs_sw_dispatch(const struct port_caps *caps, unsigned int nq)
{
	if (nq <= 1)
		return false;
	return !caps->rss || caps->max_rxq < nq || caps->max_txq < nq;
}

/*
 * The redirection table filled as lib/rss's rss_queue() assumes (entry i:
 * queue (i % RSS_RETA_SIZE) % nq), so that software (a worker checking a
 * new connection's queue, the generator) agrees with the NIC. Most NICs
 * start that way; setting it makes it so.
 */
static void
port_reta_round_robin(uint16_t port, uint16_t nq)
{
	struct rte_eth_rss_reta_entry64 reta[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_dev_info info;
	unsigned int i;
	int rc;

	if (rte_eth_dev_info_get(port, &info) != 0 || info.reta_size == 0)
		return;
	if (info.reta_size % RSS_RETA_SIZE != 0 || info.reta_size > RTE_ETH_RSS_RETA_SIZE_512) {
		RTE_LOG(WARNING, USER1,
				"port %u: redirection table of %u entries: left as the driver set it\n",
				port, info.reta_size);
		return;
	}
	memset(reta, 0, sizeof(reta));
	for (i = 0; i < info.reta_size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
				(uint16_t)((i % RSS_RETA_SIZE) % nq);
	}
	rc = rte_eth_dev_rss_reta_update(port, reta, info.reta_size);
	if (rc != 0 && rc != -ENOTSUP)
		RTE_LOG(WARNING, USER1, "port %u: redirection table: %s\n", port,
				rte_strerror(-rc));
}

int
port_setup(uint16_t port, uint16_t nq_rx, uint16_t nq_tx, uint16_t rx_desc, uint16_t tx_desc,
		struct rte_mempool *mp, bool rss, const struct port_caps *caps)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t q, nrx = rx_desc, ntx = tx_desc;
	int rc, socket = rte_eth_dev_socket_id(port);

	memset(&conf, 0, sizeof(conf));
	if (rss && nq_rx > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)(uintptr_t)rss_sym_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = RSS_KEY_LEN;
		rc = rte_eth_dev_info_get(port, &info);
		if (rc != 0)
			return rc;
		conf.rx_adv_conf.rss_conf.rss_hf = PORT_RSS_HF & info.flow_type_rss_offloads;
	}
	/* Ask the NIC for checksum status on RX and checksum fill on TX where
	 * it has them; the workers fall back to software otherwise. */
	if (caps->rx_ip_cksum)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	if (caps->rx_l4_cksum)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	if (caps->tx_ip_cksum)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if (caps->tx_tcp_cksum)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;

	rc = rte_eth_dev_configure(port, nq_rx, nq_tx, &conf);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "port %u: configure %u/%u queues failed: %s\n", port, nq_rx,
				nq_tx, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc != 0)
		return rc;
	for (q = 0; q < nq_rx; q++) {
		rc = rte_eth_rx_queue_setup(
				port, q, nrx, socket < 0 ? 0 : (unsigned int)socket, NULL, mp);
		if (rc != 0) {
			RTE_LOG(ERR, USER1, "port %u: rx queue %u: %s\n", port, q,
					rte_strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < nq_tx; q++) {
		rc = rte_eth_tx_queue_setup(
				port, q, ntx, socket < 0 ? 0 : (unsigned int)socket, NULL);
		if (rc != 0) {
			RTE_LOG(ERR, USER1, "port %u: tx queue %u: %s\n", port, q,
					rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "port %u: start failed: %s\n", port, rte_strerror(-rc));
		return rc;
	}
	if (rss && nq_rx > 1)
		port_reta_round_robin(port, nq_rx);
	/* Some vdevs (pcap files) have no promiscuous mode; that is fine. */
	rc = rte_eth_promiscuous_enable(port);
	if (rc != 0 && rc != -ENOTSUP)
		RTE_LOG(WARNING, USER1, "port %u: promiscuous mode: %s\n", port, rte_strerror(-rc));
	return 0;
}

void
port_txb_init(struct port_txb *b, uint16_t port, uint16_t queue)
{
	b->port = port;
	b->queue = queue;
	b->n = 0;
}

uint16_t
port_txb_flush(struct port_txb *b)
{
	uint16_t sent;

	if (b->n == 0)
		return 0;
	sent = rte_eth_tx_burst(b->port, b->queue, b->m, b->n);
	if (sent < b->n)
		memmove(b->m, b->m + sent, (size_t)(b->n - sent) * sizeof(b->m[0]));
	b->n = (uint16_t)(b->n - sent);
	return sent;
}

void
port_txb_drop(struct port_txb *b)
{
	if (b->n > 0)
		rte_pktmbuf_free_bulk(b->m, b->n);
	b->n = 0;
}
