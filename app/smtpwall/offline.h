/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_OFFLINE_H
#define SMTPWALL_OFFLINE_H

/*
 * Offline mode (DESIGN.md §7): a capture holding both directions of many
 * connections goes through the same worker code in capture order, and what
 * would have left the box is written to another capture. Capture time
 * drives the timers, so a replay expires flows as the wire would have.
 */

/*
 * -1 (and one line) when out is the capture in is (the same name, or the
 * same file by another name): writing would truncate the input first.
 */
int offline_check_paths(const char *in, const char *out);

/* Runs app.read_path → app.write_path with one worker. 0 or -1. */
int offline_run(void);

#endif /* SMTPWALL_OFFLINE_H */
