/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_AUDIT_H
#define SMTPWALL_AUDIT_H

/*
 * The audit trail: workers push fixed-size records into their own ring
 * (lib/log); the control lcore drains every ring, formats ASA-style lines
 * and writes them to stdout, a file, or syslog(3). The data path never
 * formats, never writes and never waits.
 */

#include <stdint.h>

#include "log.h"

/* "-" (stdout, the default), "syslog", or a file path (appended). 0 or -1. */
int audit_open(const char *spec);
void audit_close(void);

struct policy_logging;
/*
 * Applies the policy's logging section: destination (unless the command
 * line named one), trap level, default and per-message rate limits
 * (ASA `logging rate-limit`). Called at start and on reload. 0 or -1.
 */
int audit_configure(const struct policy_logging *lg, int cli_dest);

/* Writes every record waiting in the workers' rings; returns how many. */
unsigned int audit_drain(void);

/* Records written and records lost (rings full), over all workers. */
uint64_t audit_written(void);
uint64_t audit_ring_dropped(void);
/* Records dropped by the level or a per-message rate limit. */
uint64_t audit_filtered(void);

/* Wall-clock nanoseconds for a TSC value of this run (for record times). */
uint64_t audit_tsc_to_ns(uint64_t tsc);
/* Call once before the lcores start. */
void audit_clock_init(void);

#endif /* SMTPWALL_AUDIT_H */
