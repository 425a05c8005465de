/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CTL_H
#define SMTPWALL_CTL_H

/*
 * The ASA-like control plane behind smtpwall-ctl: `show asp drop`,
 * `show version`, `show running-config`, `clear service-policy`,
 * `clear conn`, `packet-tracer` (telemetry commands; the telemetry thread
 * runs them, never a worker). Clearing a counter takes a baseline that is
 * subtracted on read: only workers write their counters.
 */

#include <stdint.h>
#include <sys/types.h>

#include <limits.h>

#include <rte_telemetry.h>

struct pgen;
struct policy_class_counters;

/*
 * A text of '\n'-separated lines as a telemetry array, from line `from`:
 * each element is ' ' + a line, or '+' + the rest of a line too long for
 * one element; when the reply is full, a last element "~N" tells
 * smtpwall-ctl to ask again from line N.
 */
void ctl_text_reply(struct rte_tel_data *d, const char *text, unsigned long from);

/* The configuration file was (re)loaded as generation gen: hashes it. */
void ctl_config_loaded(const char *path, uint32_t gen);

/* `show service-policy` after `clear service-policy`: sum -= the baseline
 * taken for generation g (n_classes sets), when there is one. */
void ctl_sp_baseline_sub(const struct pgen *g, struct policy_class_counters *sum);

/*
 * --ctl-group: the group's id (0, or -1 with a line on stderr), and, after
 * rte_eal_init, the telemetry socket and its directory given to it.
 */
int ctl_group_lookup(const char *name, gid_t *gid);
int ctl_group_apply(gid_t gid);

/* Registers the commands of ctl_show.c, ctl_clear.c and ctl_trace.c. 0 or -errno. */
int ctl_show_register(void);
int ctl_clear_register(void);
int ctl_trace_register(void);
int ctl_debug_register(void); /* ctl_debug.c: debug esmtp */
int ctl_capture_register(void); /* ctl_capture.c: capture ADDRESS FILE */

/* capture: the control loop moves captured frames to the file; at exit
 * the file is closed and the rings freed (the workers have stopped). */
void capture_poll(void);
void capture_close(void);

#endif /* SMTPWALL_CTL_H */
