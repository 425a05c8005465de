/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_RELOAD_H
#define SMTPWALL_RELOAD_H

/*
 * Loading the configuration's policy, at start and on reload. SIGHUP and
 * `smtpwall-ctl reload` (telemetry) ask; the control lcore reloads; the
 * telemetry caller waits for the outcome and gets it: the new generation,
 * or the refusal with its file:line:column text. A refused file changes
 * nothing: the policy and the audit destination stay (the destination is
 * still reopened, for logrotate).
 */

#include <stdint.h>

#include "sw_config.h"

/*
 * Start: publishes c's policy (taking it out of c) as the first generation
 * and opens its audit destination. 0, or -1 with a line on stderr.
 */
int reload_start(struct config *c);

/* Asks for a reload; async-signal-safe. Returns the request's number. */
uint64_t reload_request(void);

/* Control lcore, every loop: performs a requested reload. */
void reload_poll(void);

/* /smtpwall/reload. 0 or a negative errno. */
int reload_telemetry_register(void);

#endif /* SMTPWALL_RELOAD_H */
