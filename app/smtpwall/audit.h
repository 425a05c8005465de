/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_AUDIT_H
#define SMTPWALL_AUDIT_H

/*
 * The audit trail: workers push fixed-size records into their own ring
 * (lib/log); the control lcore drains every ring, formats ASA-style lines
 * and writes them to stdout, a file, or syslog(3). The data path never
 * formats, never writes and never waits.
 *
 * A destination is opened and proven before it replaces the old one: at
 * start an unusable one is an error; on reload (and SIGHUP, logrotate) the
 * old one stays until the new one works.
 */

#include <stddef.h>
#include <stdint.h>

#include "sw_log.h"
#include "tsclock.h" /* audit_clock_init, the clock of the records */

struct policy_logging;

/*
 * The command line's destination ("-", "syslog" or a file; NULL: the
 * configuration's), opened now to prove it. 0, or -1 with a line on stderr.
 */
int audit_open(const char *spec);
void audit_close(void);

/*
 * Opens the destination lg (or the command line's) names, afresh (a file
 * logrotate renamed is created again), without touching the current one.
 * 0, or -1 with the reason in err.
 */
int audit_prepare(const struct policy_logging *lg, char *err, size_t len);
/* Writes what is pending to the old destination, closes it, switches to
 * the prepared one and applies lg's level and rate limits. */
void audit_commit(const struct policy_logging *lg);
/* Closes a prepared destination that will not be used. */
void audit_abort(void);
/* Opens the current destination again (SIGHUP with a refused file). 0 or -1 + err. */
int audit_reopen(char *err, size_t len);

/* Writes every record waiting in the workers' rings; returns how many.
 * Re-syncs the audit clock once a second (control lcore). */
unsigned int audit_drain(void);

/* Records written and records lost (rings full), over all workers. */
uint64_t audit_written(void);
uint64_t audit_ring_dropped(void);
/* Records dropped by the level or a per-message rate limit. */
uint64_t audit_filtered(void);
/* Lines the destination refused (file write errors: a full disk). */
uint64_t audit_write_errors(void);

#endif /* SMTPWALL_AUDIT_H */
