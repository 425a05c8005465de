/* SPDX-License-Identifier: BSD-3-Clause */
#include "wire.h"

#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include "app.h"
#include "eal_args.h"
#include "port.h"

#define DEFAULT_TAP0 "net_tap0,iface=smtpw-in"
#define DEFAULT_TAP1 "net_tap1,iface=smtpw-out"

_Static_assert(APP_MAX_WORKERS == CONFIG_MAX_WORKERS, "wire.workers fits the worker arrays");

/* One line naming where the port was named: the file's key or -p. */
static void
port_missing(const struct config_port *p, const char *why)
{
	if (p->at.line != 0)
		fprintf(stderr, "%s:%u:%u: wire.pairs: port '%s' does not exist: %s\n",
				app.config_path, p->at.line, p->at.col, p->name, why);
	else if (app.cfg.pairs_given)
		fprintf(stderr, "smtpwall: -p: port '%s' does not exist: %s\n", p->name, why);
	else
		fprintf(stderr,
				"smtpwall: port '%s' of the default pair 0/1 does not exist: %s; "
				"name the ports with -p or wire.pairs\n",
				p->name, why);
}

int
wire_check_names(int sep, char **argv)
{
	char why[128];
	unsigned int i, j;

	if (!app.cfg.pairs_given)
		return 0;
	for (i = 0; i < app.cfg.n_pairs; i++) {
		const struct config_port *names[2] = {
				&app.cfg.pairs[i].inside, &app.cfg.pairs[i].outside};

		for (j = 0; j < 2; j++) {
			if (eal_args_port_absent(sep, argv, names[j]->name, why, sizeof(why))) {
				port_missing(names[j], why);
				return -1;
			}
		}
	}
	return 0;
}

/* The default wire: two TAP ports, only when nothing names a port. */
static int
default_wire(int sep, char **argv)
{
	struct config_pair *p = &app.cfg.pairs[0];

	if (eal_args_name_devices(sep, argv)) {
		fprintf(stderr,
				"smtpwall: none of the devices the EAL arguments name (-a, --vdev) "
				"came up as a port; the default TAP wire is only for a command line "
				"that names none\n");
		return -1;
	}
	printf("smtpwall: no port named; creating the default wire %s <-> %s\n", DEFAULT_TAP0,
			DEFAULT_TAP1);
	if (rte_dev_probe(DEFAULT_TAP0) != 0 || rte_dev_probe(DEFAULT_TAP1) != 0) {
		fprintf(stderr, "smtpwall: cannot create the default TAP ports\n");
		return -1;
	}
	memset(p, 0, sizeof(*p));
	snprintf(p->inside.name, CONFIG_PORT_NAME_LEN, "net_tap0");
	snprintf(p->outside.name, CONFIG_PORT_NAME_LEN, "net_tap1");
	app.cfg.n_pairs = 1;
	return 0;
}

int
wire_resolve_ports(int sep, char **argv)
{
	char why[256];
	unsigned int i, j;

	if (!app.cfg.pairs_given && rte_eth_dev_count_avail() == 0 && default_wire(sep, argv) != 0)
		return -1;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		app.peer[i] = APP_NO_PORT;
	app.n_ports = 0;
	for (i = 0; i < app.cfg.n_pairs; i++) {
		const struct config_port *names[2] = {
				&app.cfg.pairs[i].inside, &app.cfg.pairs[i].outside};
		uint16_t id[2];

		for (j = 0; j < 2; j++) {
			if (port_lookup(names[j]->name, &id[j]) != 0) {
				port_list(why, sizeof(why));
				port_missing(names[j], why);
				return -1;
			}
			if (app.peer[id[j]] != APP_NO_PORT) {
				fprintf(stderr, "smtpwall: port %u is in two pairs\n", id[j]);
				return -1;
			}
		}
		if (id[0] == id[1]) {
			fprintf(stderr, "smtpwall: a pair needs two different ports\n");
			return -1;
		}
		app.peer[id[0]] = id[1];
		app.peer[id[1]] = id[0];
		app.port_inside[id[0]] = true;
		app.port_pair[id[0]] = (uint8_t)i;
		app.port_pair[id[1]] = (uint8_t)i;
		for (j = 0; j < 2; j++) {
			app.ports[app.n_ports] = id[j];
			if (port_probe(id[j], &app.caps[app.n_ports]) != 0)
				return -1;
			app.port_tx_tcp_cksum[id[j]] = app.caps[app.n_ports].tx_tcp_cksum &&
					app.caps[app.n_ports].tx_ip_cksum;
			app.n_ports++;
		}
	}
	return 0;
}

/* Some port cannot give each of n workers its own symmetric RSS queue. */
static bool
ports_need_sw(unsigned int n)
{
	bool need = false;
	unsigned int i;

	for (i = 0; i < app.n_ports; i++)
		need |= port_needs_sw_dispatch(&app.caps[i], n);
	return need;
}

/* dispatch queue: every port must have a queue pair per worker. */
static int
ports_short_of_queues(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < app.n_ports; i++)
		if (app.caps[i].max_rxq < n || app.caps[i].max_txq < n) {
			fprintf(stderr,
					"smtpwall: dispatch queue: port %u (%s) has %u RX / %u TX queues, "
					"%u workers need %u of each\n",
					app.ports[i], app.caps[i].driver, app.caps[i].max_rxq,
					app.caps[i].max_txq, n, n);
			return -1;
		}
	return 0;
}

int
wire_choose_workers(unsigned int lcores_free)
{
	bool derived = app.cfg.workers == 0, need_sw;
	unsigned int w = derived ? lcores_free : app.cfg.workers, need;

	if (derived) {
		/* As many workers as the lcores hold, one fewer when the
		 * dispatcher needs one of them. */
		if (w > APP_MAX_WORKERS)
			w = APP_MAX_WORKERS;
		if (w > 1 && app.cfg.dispatch != CONFIG_DISPATCH_QUEUE &&
				(app.cfg.dispatch == CONFIG_DISPATCH_SOFTWARE || ports_need_sw(w)))
			w--;
		if (w == 0) {
			fprintf(stderr,
					"smtpwall: -l/-c/--lcores gives only the main lcore; "
					"smtpwall needs one more for a worker (e.g. -l 0-1)\n");
			return -1;
		}
	}
	app.cfg.workers = app.n_workers = w;
	need_sw = ports_need_sw(w);
	if (app.cfg.dispatch == CONFIG_DISPATCH_RSS && need_sw) {
		fprintf(stderr,
				"smtpwall: dispatch rss: a port cannot give %u workers symmetric "
				"RSS queues\n",
				w);
		return -1;
	}
	if (app.cfg.dispatch == CONFIG_DISPATCH_QUEUE && ports_short_of_queues(w) != 0)
		return -1;
	app.software_dispatch = w > 1 && app.cfg.dispatch != CONFIG_DISPATCH_QUEUE &&
			(app.cfg.dispatch == CONFIG_DISPATCH_SOFTWARE || need_sw);
	app.rxq_check = w > 1 && !app.software_dispatch;
	need = w + (app.software_dispatch ? 1 : 0);
	if (need > lcores_free) {
		char src[CONFIG_ERR_LEN];

		if (app.cfg.workers_at.line != 0)
			snprintf(src, sizeof(src), "%s:%u:%u: wire.workers", app.config_path,
					app.cfg.workers_at.line, app.cfg.workers_at.col);
		else
			snprintf(src, sizeof(src), "smtpwall: -w");
		fprintf(stderr,
				"%s: %u worker(s)%s need %u lcores with the main one, -l/-c/--lcores "
				"gives %u: give -l 0-%u (or --lcores '(0-%u)@(CPUS)') or fewer workers\n",
				src, w, app.software_dispatch ? " and a dispatcher" : "", need + 1,
				lcores_free + 1, need, need);
		return -1;
	}
	return 0;
}
