/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_EGRESS_H
#define SMTPWALL_EGRESS_H

/*
 * Packets leaving the box on an inspected (or intercepted) connection:
 * what lib/tcp releases, with the TCP checksum of edited packets fixed
 * (the NIC's offload where the output port has it), server segments of a
 * spliced connection translated into the client's numbers, the RSTs of a
 * reset verdict; and the tick list of connections whose lib/tcp timer may
 * release packets later.
 */

#include <stdbool.h>

#include <rte_mbuf.h>

#include "flowstate.h"
#include "pkt.h"
#include "tcp.h"

struct worker;

/* m of f leaves the box; edited: its payload changed. Takes ownership of m. */
void egress_send(struct worker *w, const struct wk_flow *f, struct rte_mbuf *m, bool edited);

/* Sends, or drops (counted), each packet lib/tcp released in out; empties out. */
void egress_apply(struct worker *w, const struct wk_flow *f, struct tcp_out *out);

/*
 * An RST travelling in lib/tcp direction d, built from the headers of m
 * (which travels in direction mdir), with the sequence numbers lib/tcp
 * holds so that the receiver accepts it.
 */
void egress_rst(struct worker *w, struct wk_flow *f, const struct rte_mbuf *m,
		const struct pkt_info *pi, int mdir, int d);

/* Puts the flow on the worker's tick list (inspect_tick visits it), once. */
void egress_tick_add(struct worker *w, struct flow_entry *e);
/* Takes it off (it is on it: f->tick_slot != 0). */
void egress_tick_del(struct worker *w, struct wk_flow *f);

#endif /* SMTPWALL_EGRESS_H */
