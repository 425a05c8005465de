/* SPDX-License-Identifier: BSD-3-Clause */
#include "eal_args.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool
has_arg(int argc, char **argv, const char *const *names)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *const *n;

		for (n = names; *n != NULL; n++) {
			size_t l = strlen(*n);

			if (strncmp(argv[i], *n, l) == 0 &&
				(argv[i][l] == '\0' || argv[i][l] == '=' || (*n)[1] != '-'))
				return true;
		}
	}
	return false;
}

static unsigned long
free_hugepages(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %lu", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void
push(struct eal_args *ea, char *s)
{
	if (ea->argc < EAL_ARGS_MAX - 1)
		ea->argv[ea->argc++] = s;
	ea->argv[ea->argc] = NULL;
}

int
eal_args_build(struct eal_args *ea, int argc, char **argv, unsigned int workers)
{
	static const char *const huge[] = {"--no-huge", NULL};
	static const char *const mem[] = {"-m", "--socket-mem", NULL};
	static const char *const lcores[] = {"-l", "-c", "--lcores", NULL};
	static const char *const prefix[] = {"--file-prefix", "--in-memory", NULL};
	static char no_huge[] = "--no-huge", m[] = "-m", m_val[] = "1024";
	static char fp[] = "--file-prefix", fp_val[] = "smtpwall";
	static char lc[] = "--lcores";
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int sep, i;

	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	ea->argc = 0;
	push(ea, argv[0]);
	for (i = 1; i < sep; i++)
		push(ea, argv[i]);
	if (!has_arg(sep, argv, huge) && free_hugepages() == 0) {
		push(ea, no_huge);
		if (!has_arg(sep, argv, mem)) {
			push(ea, m);
			push(ea, m_val);
		}
	}
	if (!has_arg(sep, argv, lcores)) {
		/* main + dispatcher + workers, floating over every CPU: on a small
		 * machine the lcores share cores (set idle-sleep-us there). */
		snprintf(ea->lcores, sizeof(ea->lcores), "(0-%u)@(0-%ld)", workers + 1,
			ncpu > 0 ? ncpu - 1 : 0);
		push(ea, lc);
		push(ea, ea->lcores);
	}
	if (!has_arg(sep, argv, prefix)) {
		push(ea, fp);
		push(ea, fp_val);
	}
	return sep;
}
