/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_EAL_ARGS_H
#define SMTPWALL_EAL_ARGS_H

/*
 * Sane EAL defaults for a machine without hugepages or NICs: the user's
 * EAL arguments are kept, and what they leave out is added.
 */

#define EAL_ARGS_MAX 64

struct eal_args {
	int argc;
	char *argv[EAL_ARGS_MAX];
	char lcores[64];
};

/*
 * Builds the EAL argument vector from argv up to "--": adds --no-huge and
 * -m 1024 when the machine has no free hugepages, a lcore set of
 * 2 + workers lcores floating over all CPUs when no -l/-c/--lcores is given,
 * and --file-prefix smtpwall. Returns the index of "--" in argv (or argc).
 */
int eal_args_build(struct eal_args *ea, int argc, char **argv, unsigned int workers);

#endif /* SMTPWALL_EAL_ARGS_H */
