/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_NBRCACHE_H
#define SMTPWALL_NBRCACHE_H

/*
 * A worker's neighbour cache, for the RSTs of `clear conn ... reset`
 * (ctl_reset.c): an RST needs the MAC each end's frames carry. Filled from
 * the first frame of each new connection (the slow path): a frame from S
 * to D says that frames to S carry S's source MAC and frames to D its
 * destination MAC. Written and read by its worker only; a slot taken by
 * another address is unknown, never wrong. The MAC last seen behind each
 * port stands in for an address the cache lost (a router on each side:
 * the MAC of every address behind it); a wrong guess reaches a host the IP
 * header is not for, which drops it.
 */

#include <stdint.h>
#include <string.h>

#include <rte_config.h>
#include <rte_mbuf.h>

#include "pkt.h"

#define NBR_SLOTS 1024 /* a power of two */

struct nbr_slot {
	uint8_t addr[16];
	uint16_t vlan;
	uint8_t family; /* 0: empty */
	uint8_t mac[6];
};

struct nbr_cache {
	struct nbr_slot slot[NBR_SLOTS];
	/* The source MAC of the last new connection's first frame that came
	 * in by a port (its neighbour); all zero: none yet. */
	uint8_t port_mac[RTE_MAX_ETHPORTS][6];
};

static inline uint32_t
nbr_slot_of(const uint8_t *addr, uint8_t family, uint16_t vlan)
{
	uint32_t h = 2166136261u ^ vlan;
	unsigned int i, n = family == 4 ? 4 : 16;

	for (i = 0; i < n; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h & (NBR_SLOTS - 1);
}

static inline void
nbr_put(struct nbr_cache *c, const uint8_t *addr, uint8_t family, uint16_t vlan, const uint8_t *mac)
{
	struct nbr_slot *n = &c->slot[nbr_slot_of(addr, family, vlan)];

	memcpy(n->addr, addr, family == 4 ? 4 : 16);
	n->vlan = vlan;
	n->family = family;
	memcpy(n->mac, mac, 6);
}

/* A new connection's first frame m (parsed as pi). */
static inline void
nbr_learn(struct nbr_cache *c, const struct rte_mbuf *m, const struct pkt_info *pi)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t family = pi->l3 == PKT_L3_IPV4 ? 4 : 6;
	uint16_t vlan = pi->n_vlan != 0 ? (uint16_t)(pi->vlan_tci[0] & 0xfff) : 0;

	if (pi->l3 == PKT_L3_NONE)
		return;
	nbr_put(c, pi->src, family, vlan, eth + 6);
	nbr_put(c, pi->dst, family, vlan, eth);
	if (m->port < RTE_MAX_ETHPORTS)
		memcpy(c->port_mac[m->port], eth + 6, 6);
}

/* The MAC frames to addr carry, or NULL when the cache does not know it. */
static inline const uint8_t *
nbr_get(const struct nbr_cache *c, const uint8_t *addr, uint8_t family, uint16_t vlan)
{
	const struct nbr_slot *n = &c->slot[nbr_slot_of(addr, family, vlan)];

	if (n->family != family || n->vlan != vlan ||
			memcmp(n->addr, addr, family == 4 ? 4 : 16) != 0)
		return NULL;
	return n->mac;
}

/* The MAC last seen behind a port, or NULL. */
static inline const uint8_t *
nbr_port_mac(const struct nbr_cache *c, uint16_t port)
{
	static const uint8_t none[6];

	if (port >= RTE_MAX_ETHPORTS || memcmp(c->port_mac[port], none, 6) == 0)
		return NULL;
	return c->port_mac[port];
}

#endif /* SMTPWALL_NBRCACHE_H */
