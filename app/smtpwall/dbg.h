/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_DBG_H
#define SMTPWALL_DBG_H

/*
 * `debug esmtp ADDRESS` (IOS `debug ip inspect smtp`): the inspector's
 * decisions on the new connections with ADDRESS at one end, as debug lines
 * in the audit trail (%SMTPWALL-7-DEBUG_ESMTP, at most 100 a second per
 * worker). lib/esmtp calls the hook (dbg_trace, installed on every inspect
 * map) only for connections whose trace is on, so a box that debugs
 * nothing pays nothing. The telemetry thread sets the address (a seqlock:
 * workers read it when a connection starts).
 */

#include <stdbool.h>
#include <stdint.h>

#include "esmtp.h"
#include "flow.h"

struct worker;
struct wk_flow;

/* Sets the address (family 4 or 6), or turns debugging off (family 0). */
void dbg_esmtp_set(uint8_t family, const uint8_t *addr);
/* The address debugged now: its family (0: none) into *addr. */
uint8_t dbg_esmtp_get(uint8_t addr[16]);

/* A new inspected connection of key k: whether it is to be traced. */
bool dbg_esmtp_matches(const struct flow_key *k);

/* Before lib/esmtp reads a push of f on worker w (the hook's context). */
void dbg_esmtp_enter(struct worker *w, const struct wk_flow *f);

/* The hook (esmtp_trace_fn); arg unused. */
void dbg_trace(void *arg, enum esmtp_dir dir, const char *what, const uint8_t *line, size_t len);

#endif /* SMTPWALL_DBG_H */
