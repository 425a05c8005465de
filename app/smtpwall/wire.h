/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_WIRE_H
#define SMTPWALL_WIRE_H

/*
 * The wire: the ports the pairs name (the default TAP wire only when
 * nothing names a port), and how many workers, with or without a
 * dispatcher, the lcores EAL has can run. A refusal is one line on stderr
 * naming what the operator wrote: -p or -w, or the file:line:column of
 * the wire.pairs or wire.workers key.
 */

/*
 * Before EAL: -1 (and the line) when a port of -p or wire.pairs cannot
 * come out of the EAL arguments argv[1..sep) on this machine.
 */
int wire_check_names(int sep, char **argv);

/*
 * After EAL: resolves every pair's ports (or creates the default wire),
 * fills app's port tables and probes each port's capabilities. 0 or -1.
 */
int wire_resolve_ports(int sep, char **argv);

/*
 * After the ports: the number of workers (app.cfg.workers, or when 0 as
 * many as the lcores_free lcores EAL has besides the main one can run) and
 * whether a software dispatcher is needed; -1 when they do not fit.
 */
int wire_choose_workers(unsigned int lcores_free);

#endif /* SMTPWALL_WIRE_H */
