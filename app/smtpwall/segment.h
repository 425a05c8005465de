/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_SEGMENT_H
#define SMTPWALL_SEGMENT_H

/*
 * TCP segments the box sends itself (RSTs, cookie SYN-ACKs, SYNs to a
 * server), built by pkt_build_tcp from a packet of the connection: in a new
 * mbuf, or in the template's own mbuf (an answer that replaces it).
 */

#include <rte_mbuf.h>

#include "pkt.h"

/* A new mbuf from pool holding the segment; NULL when the pool is dry. */
struct rte_mbuf *segment_new(struct rte_mempool *pool, const struct rte_mbuf *tmpl,
		const struct pkt_info *pi, const struct pkt_tcp_spec *s);

/* Replaces the frame of m (parsed as pi) by the segment built from it: 0, or -1. */
int segment_rewrite(struct rte_mbuf *m, const struct pkt_info *pi, const struct pkt_tcp_spec *s);

#endif /* SMTPWALL_SEGMENT_H */
