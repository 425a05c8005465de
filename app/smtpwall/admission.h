/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_ADMISSION_H
#define SMTPWALL_ADMISSION_H

/*
 * New connections: classified once by the policy (lib/policy), admitted
 * or not by the connection limits (lib/admit: ASA MPF and static limits,
 * IOS thresholds), answered with a SYN cookie where a limit says so, and
 * given their class's timeouts. The EAL-side of TCP Intercept (mbufs,
 * cookies) is splice.c's.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "flowstate.h"
#include "pkt.h"

struct worker;

/* Gives this worker's lib/admit part its counters and its callback. */
void admission_worker_init(struct worker *w);

enum admission {
	ADMISSION_OK = 0, /* go on: track and forward m */
	ADMISSION_DROP, /* drop m, delete the entry (midstream: drop) */
	ADMISSION_REFUSED, /* a connection limit refused it (counted): drop m, delete the entry */
	ADMISSION_CONSUMED, /* m was answered with a SYN cookie: delete the entry */
	ADMISSION_SPLICED, /* m returned a valid cookie and is held: keep the entry */
};

/*
 * A new flow (m, of flow-key direction dir, arrived on m->port): decides
 * whether it is inspected, applies the connection limits and TCP
 * Intercept. Takes ownership of m only when it returns CONSUMED or SPLICED.
 */
enum admission admission_flow_new(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir);

/*
 * The limit units a connection can give back in its state (lib/admit):
 * inline, the worker asks on every packet of a limited connection and
 * calls admission_settle only when there is something.
 */
static inline uint8_t
admission_settle_units(const struct wk_flow *f, const struct flow_entry *e)
{
	return admit_settle_units(
			&f->adm, e->state >= FLOW_ST_ESTABLISHED, e->state == FLOW_ST_CLOSED);
}

/* Gives back the limit units admission_settle_units names. */
void admission_settle(struct worker *w, struct flow_entry *e, uint8_t units);

/* Applies the class's own timeout of the flow's current state. */
void admission_flow_timeout(struct worker *w, struct flow_entry *e, uint64_t now);

#endif /* SMTPWALL_ADMISSION_H */
