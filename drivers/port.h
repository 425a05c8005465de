/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_PORT_H
#define SMTPWALL_PORT_H

/*
 * Port bring-up for real NICs and vdevs: queue setup, symmetric RSS,
 * offload probing, and the decision whether a port needs software dispatch.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/* What a port can do, read once from rte_eth_dev_info_get(). */
struct port_caps {
	char driver[32];
	uint16_t max_rxq, max_txq;
	bool rss; /* can hash IPv4/IPv6 TCP with a key we set */
	bool rx_ip_cksum; /* reports IPv4 header checksum status in ol_flags */
	bool rx_l4_cksum; /* reports TCP/UDP checksum status in ol_flags */
	bool tx_ip_cksum; /* can fill the IPv4 header checksum */
	bool tx_tcp_cksum;
};

/* Fills caps for a port; 0 or -errno. */
int port_probe(uint16_t port, struct port_caps *caps);

/*
 * True when the port cannot give each of nq workers its own RX queue with
 * symmetric RSS: no RSS, too few queues, or a virtual device whose queues
 * are not hashed by flow (tap, pcap, ring, null, memif, af_packet).
 */
bool port_needs_sw_dispatch(const struct port_caps *caps, unsigned int nq);

/*
 * Configures nq_rx RX and nq_tx TX queues (RSS with the symmetric key when
 * rss and nq_rx > 1), sets promiscuous mode (a bump in the wire forwards
 * frames for any MAC) and starts the port. 0 or -errno; a message on error.
 */
int port_setup(uint16_t port, uint16_t nq_rx, uint16_t nq_tx, uint16_t rx_desc, uint16_t tx_desc,
		struct rte_mempool *mp, bool rss, const struct port_caps *caps);

/* "EAL has 2 port(s): 0 net_tap0, 1 net_tap1" into buf, for an error line. */
void port_list(char *buf, size_t len);

/* Resolves a port given by device name or numeric id; -ENODEV if none. */
int port_lookup(const char *name, uint16_t *port);

/*
 * A TX burst buffer of one (port, queue) for a sender that can wait, such
 * as the traffic generator: port_txb_put refuses a frame (-1) when the
 * buffer is full and the ring takes nothing, and the caller tries again
 * later; nothing is dropped and the order is kept. (The appliance's
 * workers cannot wait: app/smtpwall/txq.c backs its buffer with a backlog.)
 */
#define PORT_TXB_MAX 64

struct port_txb {
	uint16_t port, queue;
	uint16_t n;
	struct rte_mbuf *m[PORT_TXB_MAX];
};

void port_txb_init(struct port_txb *b, uint16_t port, uint16_t queue);

/* Hands the buffered frames to the ring; those it refuses stay, in order.
 * Returns the number sent. */
uint16_t port_txb_flush(struct port_txb *b);

/* Frees what is still buffered (at the end of a run). */
void port_txb_drop(struct port_txb *b);

/* Buffers m; flushes a full buffer first. 0, or -1 when there is no room. */
static inline int
port_txb_put(struct port_txb *b, struct rte_mbuf *m)
{
	if (b->n == PORT_TXB_MAX) {
		port_txb_flush(b);
		if (b->n == PORT_TXB_MAX)
			return -1;
	}
	b->m[b->n++] = m;
	return 0;
}

#endif /* SMTPWALL_PORT_H */
