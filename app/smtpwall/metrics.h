/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_METRICS_H
#define SMTPWALL_METRICS_H

/*
 * Metrics for Prometheus (text exposition format 0.0.4): every counter of
 * /smtpwall/stats, lib/tcp's and lib/esmtp's counters, the drop reasons,
 * the audit trail's counters, the flow table by state and the per-class
 * and per-rule counts of `show service-policy`. Served on the control
 * lcore by a small HTTP endpoint (GET /metrics) and/or written to a file
 * for node_exporter's textfile collector (atomically: a temporary file
 * renamed). Both off unless configured (the `metrics` section).
 */

#include <stddef.h>

struct config_metrics;

/* The exposition text in a malloc'ed buffer (its length in *len), or NULL. */
char *metrics_format(size_t *len);

/* Opens the listening socket of cm->listen (if any). 0, or -1 with one
 * line on stderr. */
int metrics_open(const struct config_metrics *cm);

/* Control loop: serves waiting HTTP clients (non-blocking) and writes the
 * text file when its interval has passed. */
void metrics_poll(void);

/* Writes the text file once more (the final counters) and closes all. */
void metrics_close(void);

#endif /* SMTPWALL_METRICS_H */
