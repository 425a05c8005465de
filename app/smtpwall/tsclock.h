/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_TSCLOCK_H
#define SMTPWALL_TSCLOCK_H

/*
 * The clocks of the data path (live ports: the TSC). audit_tsc_to_ns
 * counts on one fixed base (durations, rate limits: never steps);
 * audit_tsc_to_wall_ns on a base the control lcore re-syncs with the real
 * clock once a second (record times match the MTAs' logs). Readers are
 * lock-free (lib/log's seqlock clock).
 */

#include <stdint.h>

uint64_t audit_tsc_to_ns(uint64_t tsc);
uint64_t audit_tsc_to_wall_ns(uint64_t tsc);
/* Call once before the lcores start. */
void audit_clock_init(void);
/* Takes a new wall-clock base now. */
void audit_clock_sync(void);
/* Re-syncs when a second has passed since the last (control lcore). */
void audit_clock_poll(void);

#endif /* SMTPWALL_TSCLOCK_H */
