/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_STATS_H
#define SMTPWALL_STATS_H

/*
 * Counter aggregation, printing and DPDK telemetry (control lcore and the
 * telemetry thread; the counters themselves: counters.h).
 */

#include <stdio.h>

#include "counters.h"

/* Sums all workers (and the dispatcher's block) into out. */
void stats_sum(struct wk_stats *out);
struct tcp_stats;
struct esmtp_counters;
/* Sums lib/tcp and lib/esmtp counters of all workers. */
void tcp_sum(struct tcp_stats *out);
void esmtp_sum(struct esmtp_counters *out);
struct flow_table_stats;
/* Sums the flow tables of all workers. */
void flows_sum(struct flow_table_stats *out);
/* Prints non-zero counters, drop reasons, and flow table state. */
void stats_print(FILE *f, const char *title);
/* Registers /smtpwall/... telemetry commands. 0 or -errno. */
int stats_telemetry_register(void);

#endif /* SMTPWALL_STATS_H */
