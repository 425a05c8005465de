/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_EAL_ARGS_H
#define SMTPWALL_EAL_ARGS_H

/*
 * Sane EAL defaults for a machine without hugepages or NICs: the user's
 * EAL arguments (argv[1] up to "--") are kept, and what they leave out is
 * added. Plain C: nothing here needs the EAL to run.
 */

#include <stdbool.h>
#include <stddef.h>

#define EAL_ARGS_MAX 64

struct eal_args {
	int argc;
	char *argv[EAL_ARGS_MAX];
	char lcores[64];
	bool lcores_given; /* the user chose the lcores (-l, -c, --lcores) */
};

/*
 * Workers when nobody chose a number (no -w, wire.workers, -l): every CPU
 * but one for the control lcore and one for the dispatcher, at least 1.
 */
unsigned int eal_args_default_workers(void);

/*
 * Builds the EAL argument vector from argv[1..sep): adds --no-huge and
 * -m 1024 when the machine has no free hugepages, and --file-prefix
 * smtpwall. Live: without -l/-c/--lcores, the lcores are derived from the
 * workers, *workers (0: eal_args_default_workers(), which is stored back)
 * plus the main and the dispatcher lcore, floating over every CPU.
 * Offline: one lcore, no PCI scan, and without --file-prefix nothing the
 * live instance holds (--no-shconf --no-telemetry: no lock, no socket).
 */
void eal_args_build(struct eal_args *ea, int sep, char **argv, bool offline, unsigned int *workers);

/* True when the EAL arguments name devices (-a/--allow, --vdev). */
bool eal_args_name_devices(int sep, char **argv);

/*
 * True when no port called name can come out of these EAL arguments on
 * this machine, with the reason in why: a PCI address that is not on the
 * machine, not allowed (-a), blocked (-b) or under --no-pci; any other
 * device name that no --vdev or -a gives. False when it may exist (port
 * ids, names that hold a present PCI address): EAL decides those.
 */
bool eal_args_port_absent(int sep, char **argv, const char *name, char *why, size_t len);

#endif /* SMTPWALL_EAL_ARGS_H */
