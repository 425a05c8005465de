/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CTL_RESET_H
#define SMTPWALL_CTL_RESET_H

/*
 * `clear conn`, the worker's part: frees the connections its `show conn`
 * walk (conns.c) collected in c->kill, after sending an RST to each end
 * when the request asks for it and the box knows their sequence numbers.
 *
 * An RST needs the MAC each end's frames carry: every worker keeps a small
 * neighbour cache (address and VLAN -> MAC), filled from the first frame
 * of each new connection (the slow path): a frame from S to D says that
 * frames to S carry S's source MAC and frames to D its destination MAC.
 * Written and read by its worker only; a slot taken by another address is
 * unknown, never wrong. Then the MACs last seen behind each port stand in
 * (a router on each side: the MAC of every address behind it); a wrong
 * guess reaches a host the IP header is not for, which drops it.
 */

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "app.h"
#include "pkt.h"

#define CTL_NBR_SLOTS 1024 /* per worker: a power of two */

struct ctl_nbr {
	uint8_t addr[16];
	uint16_t vlan;
	uint8_t family; /* 0: empty */
	uint8_t mac[6];
};

extern struct ctl_nbr ctl_nbr[APP_MAX_WORKERS][CTL_NBR_SLOTS];
/* The source MAC of the last new connection's first frame that came in by
 * a port (its neighbour), per worker; all zero: none yet. */
extern uint8_t ctl_port_mac[APP_MAX_WORKERS][RTE_MAX_ETHPORTS][6];

static inline uint32_t
ctl_nbr_slot(const uint8_t *addr, uint8_t family, uint16_t vlan)
{
	uint32_t h = 2166136261u ^ vlan;
	unsigned int i, n = family == 4 ? 4 : 16;

	for (i = 0; i < n; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h & (CTL_NBR_SLOTS - 1);
}

static inline void
ctl_nbr_put(
	unsigned int wid, const uint8_t *addr, uint8_t family, uint16_t vlan, const uint8_t *mac)
{
	struct ctl_nbr *n = &ctl_nbr[wid][ctl_nbr_slot(addr, family, vlan)];

	memcpy(n->addr, addr, family == 4 ? 4 : 16);
	n->vlan = vlan;
	n->family = family;
	memcpy(n->mac, mac, 6);
}

/* A new connection's first frame m (parsed as pi) on worker wid. */
static inline void
ctl_flow_learn(unsigned int wid, const struct rte_mbuf *m, const struct pkt_info *pi)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t family = pi->l3 == PKT_L3_IPV4 ? 4 : 6;
	uint16_t vlan = pi->n_vlan != 0 ? (uint16_t)(pi->vlan_tci[0] & 0xfff) : 0;

	if (pi->l3 == PKT_L3_NONE || wid >= APP_MAX_WORKERS)
		return;
	ctl_nbr_put(wid, pi->src, family, vlan, eth + 6);
	ctl_nbr_put(wid, pi->dst, family, vlan, eth);
	if (m->port < RTE_MAX_ETHPORTS)
		memcpy(ctl_port_mac[wid][m->port], eth + 6, 6);
}

struct worker;
struct conns_req;

void ctl_clear_flows(struct worker *w, struct conns_req *c);

#endif /* SMTPWALL_CTL_RESET_H */
