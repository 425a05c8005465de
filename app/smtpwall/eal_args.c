/* SPDX-License-Identifier: BSD-3-Clause */
#include "eal_args.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sw_config.h"

#define PCI_ADDR_LEN 32

static const char *const allow_opts[] = {"-a", "--allow", NULL};
static const char *const block_opts[] = {"-b", "--block", NULL};
static const char *const vdev_opts[] = {"--vdev", NULL};

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

/*
 * The value of the next option among names at or after *i ("-a X", "-aX",
 * "--allow X", "--allow=X"); *i moves past it. NULL when there is none.
 */
static const char *
next_value(int sep, char **argv, int *i, const char *const *names)
{
	for (; *i < sep; (*i)++) {
		const char *a = argv[*i];
		const char *const *n;

		for (n = names; *n != NULL; n++) {
			size_t l = strlen(*n);

			if (strncmp(a, *n, l) != 0)
				continue;
			if (a[l] == '\0' && *i + 1 < sep) {
				*i += 2;
				return argv[*i - 1];
			}
			if (a[l] != '\0' && (a[l] == '=' || (*n)[1] != '-')) {
				(*i)++;
				return a + l + (a[l] == '=');
			}
		}
	}
	return NULL;
}

/* Device argument "name,key=value..." names dev. */
static bool
same_dev(const char *arg, const char *dev)
{
	size_t l = strcspn(arg, ",");

	return strlen(dev) == l && strncmp(arg, dev, l) == 0;
}

static unsigned int
hex_run(const char *s, unsigned int max, unsigned long *v)
{
	unsigned int n = 0;

	*v = 0;
	while (n < max && isxdigit((unsigned char)s[n])) {
		*v = *v * 16 +
				(unsigned long)(isdigit((unsigned char)s[n])
								? s[n] - '0'
								: tolower((unsigned char)s[n]) -
										'a' + 10);
		n++;
	}
	return n;
}

/* A PCI address DDDD:BB:DD.F (EAL's device name) at s, written to out. */
static bool
pci_at(const char *s, char out[PCI_ADDR_LEN])
{
	unsigned long d, b, dv, f;
	unsigned int n = hex_run(s, 8, &d);

	if (n == 0 || s[n] != ':' || hex_run(s + n + 1, 2, &b) != 2 || s[n + 3] != ':' ||
			hex_run(s + n + 4, 2, &dv) != 2 || s[n + 6] != '.' ||
			hex_run(s + n + 7, 1, &f) != 1 || isxdigit((unsigned char)s[n + 8]))
		return false;
	snprintf(out, PCI_ADDR_LEN, "%04lx:%02lx:%02lx.%lx", d, b, dv, f);
	return true;
}

/* The PCI address a port name holds anywhere (a NIC, a representor of one). */
static bool
pci_in(const char *s, char out[PCI_ADDR_LEN])
{
	for (; *s != '\0'; s++)
		if (pci_at(s, out))
			return true;
	return false;
}

static bool
pci_listed(int sep, char **argv, const char *const *opts, const char *addr)
{
	char a[PCI_ADDR_LEN];
	const char *v;
	int i = 1;

	while ((v = next_value(sep, argv, &i, opts)) != NULL)
		if (pci_in(v, a) && strcmp(a, addr) == 0)
			return true;
	return false;
}

bool
eal_args_name_devices(int sep, char **argv)
{
	int i = 1;

	if (next_value(sep, argv, &i, allow_opts) != NULL)
		return true;
	i = 1;
	return next_value(sep, argv, &i, vdev_opts) != NULL;
}

bool
eal_args_port_absent(int sep, char **argv, const char *name, char *why, size_t len)
{
	static const char *const no_pci[] = {"--no-pci", NULL};
	char addr[PCI_ADDR_LEN], path[64 + PCI_ADDR_LEN];
	const char *v;
	int i = 1;

	if (*name != '\0' && name[strspn(name, "0123456789")] == '\0')
		return false; /* a port id: only EAL knows how many ports come up */
	if (!pci_in(name, addr)) {
		while ((v = next_value(sep, argv, &i, vdev_opts)) != NULL)
			if (same_dev(v, name))
				return false;
		i = 1;
		while ((v = next_value(sep, argv, &i, allow_opts)) != NULL)
			if (same_dev(v, name))
				return false;
		snprintf(why, len, "no --vdev or -a of the EAL arguments creates it");
		return true;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
	if (has_arg(sep, argv, no_pci))
		snprintf(why, len, "--no-pci is given");
	else if (has_arg(sep, argv, allow_opts) && !pci_listed(sep, argv, allow_opts, addr))
		snprintf(why, len, "PCI device %s is not in the -a list", addr);
	else if (pci_listed(sep, argv, block_opts, addr))
		snprintf(why, len, "PCI device %s is blocked by -b", addr);
	else if (access(path, F_OK) != 0)
		snprintf(why, len, "no PCI device %s on this machine", addr);
	else
		return false;
	return true;
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

unsigned int
eal_args_default_workers(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (ncpu <= 2)
		return 1;
	return ncpu - 2 > CONFIG_MAX_WORKERS ? CONFIG_MAX_WORKERS : (unsigned int)(ncpu - 2);
}

void
eal_args_build(struct eal_args *ea, int sep, char **argv, bool offline, unsigned int *workers)
{
	static const char *const huge[] = {"--no-huge", NULL};
	static const char *const mem[] = {"-m", "--socket-mem", NULL};
	static const char *const lcores[] = {"-l", "-c", "--lcores", NULL};
	static const char *const prefix[] = {"--file-prefix", "--in-memory", "--no-shconf", NULL};
	static const char *const pci[] = {"-a", "--allow", "-b", "--block", "--no-pci", NULL};
	static const char *const telemetry[] = {"--telemetry", "--no-telemetry", NULL};
	static char no_huge[] = "--no-huge", m[] = "-m", m_val[] = "1024";
	static char fp[] = "--file-prefix", fp_val[] = "smtpwall";
	static char lc[] = "--lcores", no_pci[] = "--no-pci";
	static char no_shconf[] = "--no-shconf", no_telemetry[] = "--no-telemetry";
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i;

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
	ea->lcores_given = has_arg(sep, argv, lcores);
	if (!ea->lcores_given) {
		/* Offline runs on the main lcore. Live: main + dispatcher +
		 * workers, floating over every CPU; on a small machine they
		 * share cores (set idle-sleep-us there). */
		if (offline) {
			snprintf(ea->lcores, sizeof(ea->lcores), "0@(0-%ld)",
					ncpu > 0 ? ncpu - 1 : 0);
		} else {
			if (*workers == 0)
				*workers = eal_args_default_workers();
			snprintf(ea->lcores, sizeof(ea->lcores), "(0-%u)@(0-%ld)", *workers + 1,
					ncpu > 0 ? ncpu - 1 : 0);
		}
		push(ea, lc);
		push(ea, ea->lcores);
	}
	/* Offline reads a file: no NIC to claim from a live instance. */
	if (offline && !has_arg(sep, argv, pci))
		push(ea, no_pci);
	if (!has_arg(sep, argv, prefix)) {
		/* A live instance holds the default prefix's lock and
		 * telemetry socket: an offline run shares neither. */
		if (offline) {
			push(ea, no_shconf);
			if (!has_arg(sep, argv, telemetry))
				push(ea, no_telemetry);
		}
		push(ea, fp);
		push(ea, fp_val);
	}
}
