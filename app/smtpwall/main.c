/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall: an inline ESMTP-inspecting bridge. This file is the control
 * plane: arguments, configuration, port bring-up, lcore launch, signals,
 * counters. The data path is in worker.c and dispatch.c.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "app.h"
#include "audit.h"
#include "ctl.h"
#include "dispatch.h"
#include "eal_args.h"
#include "metrics.h"
#include "eal_runtime.h"
#include "offline.h"
#include "pgen.h"
#include "policy.h"
#include "port.h"
#include "reload.h"
#include "stats.h"
#include "showconn.h"
#include "wire.h"
#include "worker.h"

#ifndef SMTPWALL_DEFAULT_CONFIG
#define SMTPWALL_DEFAULT_CONFIG "/etc/smtpwall/smtpwall.yaml"
#endif

#define MBUF_CACHE 256
#define RING_SIZE 4096

struct app app;
volatile bool app_quit;

static unsigned int ports_started; /* app.ports[0..n) were started */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_request();
	else
		app_quit = true;
}

static uint32_t
min_gen_seen(void)
{
	uint32_t m = UINT32_MAX;
	unsigned int i;

	for (i = 0; i < app.n_workers; i++)
		if (app.workers[i] != NULL && app.workers[i]->gen_seen < m)
			m = app.workers[i]->gen_seen;
	return m;
}

static void
usage(void)
{
	printf("Usage: smtpwall [EAL options] -- [options]\n"
	       "  -c, --config FILE     configuration (YAML); see docs/configuration.md; without\n"
	       "                        it " SMTPWALL_DEFAULT_CONFIG " if it exists, else the\n"
	       "                        built-in defaults\n"
	       "  -p, --pairs LIST      port pairs IN/OUT[,IN/OUT...] (inside/outside) by device\n"
	       "                        name or port id; IN:OUT when names have no colon\n"
	       "                        (overrides wire.pairs)\n"
	       "  -w, --workers N       worker lcores (overrides wire.workers)\n"
	       "      --dispatch MODE   auto | rss | software | queue\n"
	       "      --idle-sleep US   sleep US microseconds after idle polls (0: pure polling)\n"
	       "      --midstream MODE  pickup | drop: TCP connections seen without a handshake\n"
	       "  -r, --read FILE       offline: read frames from a pcap capture...\n"
	       "  -o, --write FILE      ...and write what would leave the box to this capture\n"
	       "  -s, --stats SECONDS   print counters every SECONDS\n"
	       "      --audit DEST      audit trail (ASA syslog lines): - (stdout), syslog, or a file\n"
	       "      --no-inspect      forward everything uninspected (a plain bridge)\n"
	       "      --no-tcp-checksum do not verify TCP checksums of inspected connections\n"
	       "      --cookie-secret HEX  TCP Intercept master secret (32 hex digits; boxes\n"
	       "                        sharing it accept each other's SYN cookies; default random)\n"
	       "      --ctl-group GROUP smtpwall-ctl for this group's members too (default: root)\n"
	       "      --check           validate the configuration and the ports it names, and exit\n"
	       "  -h, --help            this text (before or after --)\n"
	       "      --version         smtpwall's and DPDK's versions (before or after --)\n"
	       "EAL options are DPDK's: smtpwall --eal-help lists them. smtpwall adds what they\n"
	       "leave out: --no-huge without hugepages, lcores for the workers, --file-prefix\n"
	       "smtpwall. When nothing names a port (-p, wire.pairs, -a, --vdev) and none\n"
	       "exists, it creates the default wire of two TAP ports (smtpw-in, smtpw-out).\n"
	       "Counters: smtpwall-ctl show counters. See docs/operations.md.\n");
}

static void
version(void)
{
	printf("smtpwall %s (%s)\n", SMTPWALL_VERSION, rte_version());
}

/* What EAL shows after its own options (smtpwall --eal-help). */
static void
eal_usage_hook(const char *prog)
{
	RTE_SET_USED(prog);
	printf("smtpwall's own options come after --: smtpwall --help\n");
}

static int
parse_pairs(const char *s, struct config *c)
{
	char buf[CONFIG_MAX_PAIRS * 2 * CONFIG_PORT_NAME_LEN];
	char *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	c->n_pairs = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		/* PCI names hold colons: "IN/OUT" always works, "IN:OUT" when
		 * the names themselves have none (port ids, vdev names). */
		char *colon = strchr(tok, '/');
		struct config_pair *p;

		if (colon == NULL && strchr(tok, ':') == strrchr(tok, ':'))
			colon = strchr(tok, ':');
		if (colon == NULL || c->n_pairs == CONFIG_MAX_PAIRS)
			return -1;
		*colon = '\0';
		p = &c->pairs[c->n_pairs++];
		memset(p, 0, sizeof(*p)); /* named here, not in the file */
		if (strlen(tok) >= CONFIG_PORT_NAME_LEN ||
				strlen(colon + 1) >= CONFIG_PORT_NAME_LEN || *tok == '\0' ||
				colon[1] == '\0')
			return -1;
		strcpy(p->inside.name, tok);
		strcpy(p->outside.name, colon + 1);
	}
	c->pairs_given = c->n_pairs != 0;
	return c->n_pairs ? 0 : -1;
}

/* 32 hex digits into 16 bytes. */
static int
parse_secret(const char *s, uint8_t out[16])
{
	unsigned int i;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		char h[3] = {s[2 * i], s[2 * i + 1], '\0'};
		char *end;

		out[i] = (uint8_t)strtoul(h, &end, 16);
		if (*end != '\0' || !isxdigit((unsigned char)h[0]))
			return -1;
	}
	return 0;
}

/* Returns 0 to run, 1 to exit successfully (--help, --version), 2 for --check, -1 on error. */
static int
parse_args(int argc, char **argv)
{
	enum {
		OPT_DISPATCH = 256,
		OPT_IDLE,
		OPT_MIDSTREAM,
		OPT_CHECK,
		OPT_AUDIT,
		OPT_NO_INSPECT,
		OPT_NO_TCP_CSUM,
		OPT_COOKIE_SECRET,
		OPT_VERSION,
		OPT_CTL_GROUP,
	};
	static const struct option opts[] = {
			{"config", required_argument, NULL, 'c'},
			{"pairs", required_argument, NULL, 'p'},
			{"workers", required_argument, NULL, 'w'},
			{"dispatch", required_argument, NULL, OPT_DISPATCH},
			{"idle-sleep", required_argument, NULL, OPT_IDLE},
			{"midstream", required_argument, NULL, OPT_MIDSTREAM},
			{"read", required_argument, NULL, 'r'},
			{"write", required_argument, NULL, 'o'},
			{"stats", required_argument, NULL, 's'},
			{"check", no_argument, NULL, OPT_CHECK},
			{"audit", required_argument, NULL, OPT_AUDIT},
			{"no-inspect", no_argument, NULL, OPT_NO_INSPECT},
			{"no-tcp-checksum", no_argument, NULL, OPT_NO_TCP_CSUM},
			{"cookie-secret", required_argument, NULL, OPT_COOKIE_SECRET},
			{"help", no_argument, NULL, 'h'},
			{"version", no_argument, NULL, OPT_VERSION},
			{"ctl-group", required_argument, NULL, OPT_CTL_GROUP},
			{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *pairs = NULL;
	long workers = -1, idle = -1;
	int dispatch = -1, midstream = -1, check = 0, no_tcp_csum = 0, opt;
	char err[CONFIG_ERR_LEN];

	optind = 1;
	opterr = 0; /* one line of our own, naming the program */
	while ((opt = getopt_long(argc, argv, "c:p:w:r:o:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			pairs = optarg;
			break;
		case 'w':
			workers = strtol(optarg, NULL, 10);
			if (workers < 1 || workers > APP_MAX_WORKERS) {
				fprintf(stderr, "smtpwall: --workers must be 1..%d\n",
						APP_MAX_WORKERS);
				return -1;
			}
			break;
		case OPT_DISPATCH:
			dispatch = !strcmp(optarg, "auto")            ? CONFIG_DISPATCH_AUTO
					: !strcmp(optarg, "rss")      ? CONFIG_DISPATCH_RSS
					: !strcmp(optarg, "software") ? CONFIG_DISPATCH_SOFTWARE
					: !strcmp(optarg, "queue")    ? CONFIG_DISPATCH_QUEUE
								      : -2;
			if (dispatch == -2) {
				fprintf(stderr, "smtpwall: --dispatch auto|rss|software|queue\n");
				return -1;
			}
			break;
		case OPT_IDLE:
			idle = strtol(optarg, NULL, 10);
			if (idle < 0 || idle > 100000) {
				fprintf(stderr, "smtpwall: --idle-sleep must be 0..100000\n");
				return -1;
			}
			break;
		case OPT_MIDSTREAM:
			midstream = !strcmp(optarg, "pickup")     ? CONFIG_MIDSTREAM_PICKUP
					: !strcmp(optarg, "drop") ? CONFIG_MIDSTREAM_DROP
								  : -2;
			if (midstream == -2) {
				fprintf(stderr, "smtpwall: --midstream pickup|drop\n");
				return -1;
			}
			break;
		case 'r':
			app.read_path = optarg;
			break;
		case 'o':
			app.write_path = optarg;
			break;
		case 's':
			app.stats_period_s = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case OPT_AUDIT:
			app.audit_spec = optarg;
			break;
		case OPT_NO_INSPECT:
			app.no_inspect = true;
			break;
		case OPT_NO_TCP_CSUM:
			no_tcp_csum = 1;
			break;
		case OPT_COOKIE_SECRET:
			if (parse_secret(optarg, app.ic_master) != 0) {
				fprintf(stderr, "smtpwall: --cookie-secret takes 32 hex digits\n");
				return -1;
			}
			app.ic_master_set = true;
			break;
		case 'h':
			usage();
			return 1;
		case OPT_VERSION:
			version();
			return 1;
		case OPT_CTL_GROUP:
			if (ctl_group_lookup(optarg, &app.ctl_gid) != 0)
				return -1;
			app.ctl_group_set = true;
			break;
		default:
			fprintf(stderr, "smtpwall: bad option or missing value: '%s' (smtpwall --help)\n",
					argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "smtpwall: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	config_default(&app.cfg);
	if (config_path == NULL && access(SMTPWALL_DEFAULT_CONFIG, F_OK) == 0)
		config_path = SMTPWALL_DEFAULT_CONFIG; /* an installed appliance's policy */
	if (config_path != NULL && config_load(config_path, &app.cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (pairs != NULL && parse_pairs(pairs, &app.cfg) != 0) {
		fprintf(stderr, "smtpwall: --pairs: expected IN/OUT[,IN/OUT...]\n");
		return -1;
	}
	if (workers > 0) {
		app.cfg.workers = (unsigned int)workers;
		app.cfg.workers_at = (struct config_pos){0, 0};
	}
	if (dispatch >= 0)
		app.cfg.dispatch = (enum config_dispatch)dispatch;
	if (idle >= 0)
		app.cfg.idle_sleep_us = (uint32_t)idle;
	if (midstream >= 0)
		app.cfg.midstream = (enum config_midstream)midstream;
	if ((app.read_path == NULL) != (app.write_path == NULL)) {
		fprintf(stderr, "smtpwall: --read and --write go together\n");
		return -1;
	}
	app.offline = app.read_path != NULL;
	if (app.offline && offline_check_paths(app.read_path, app.write_path) != 0)
		return -1;
	app.config_path = config_path;
	app.verify_tcp_csum = !no_tcp_csum;
	if (check)
		return 2;
	/* SYN cookies are only as good as the secret: the kernel's RNG. */
	if (!app.ic_master_set &&
			getrandom(app.ic_master, sizeof(app.ic_master), 0) !=
					(ssize_t)sizeof(app.ic_master)) {
		fprintf(stderr, "smtpwall: getrandom: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int
setup_data_path(void)
{
	unsigned int i, p, nq, n_mbufs;
	int socket = (int)rte_socket_id();
	uint64_t hz = rte_get_tsc_hz();

	nq = app.software_dispatch ? 1 : app.n_workers;
	n_mbufs = app.cfg.mbufs;
	if (n_mbufs == 0)
		n_mbufs = app.n_ports * nq * (app.cfg.rx_desc + app.cfg.tx_desc + WK_BURST) +
				(app.n_workers + 2) * MBUF_CACHE * 2 +
				(app.software_dispatch ? app.n_workers * 2 * RING_SIZE : 0) + 4096 +
				/* Early segments wait in out-of-order queues: room for two
			 * full ones per worker (a window behind one lost segment). */
				app.n_workers * 2 * app.cfg.tcp.ooo_segments;
	app.pool = rte_pktmbuf_pool_create(
			"mbufs", n_mbufs, MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (app.pool == NULL) {
		fprintf(stderr, "smtpwall: mbuf pool of %u: %s\n", n_mbufs,
				rte_strerror(rte_errno));
		return -1;
	}
	for (i = 0; i < app.n_ports; i++, ports_started++)
		if (port_setup(app.ports[i], (uint16_t)nq, (uint16_t)nq, app.cfg.rx_desc,
				    app.cfg.tx_desc, app.pool,
				    !app.software_dispatch && app.caps[i].rss, &app.caps[i]) != 0)
			return -1;

	if (app.rxq_check) {
		app.rss = rte_zmalloc_socket("rss", sizeof(*app.rss), RTE_CACHE_LINE_SIZE, socket);
		if (app.rss == NULL) {
			fprintf(stderr, "smtpwall: RSS tables: out of memory\n");
			return -1;
		}
		rss_ctx_init(app.rss, rss_sym_key);
	}
	for (i = 0; i < app.n_workers; i++) {
		struct worker *w = worker_create(i,
				app.software_dispatch ? WK_MODE_RINGS : WK_MODE_PORTS, hz, socket);

		if (w == NULL) {
			fprintf(stderr, "smtpwall: worker %u: out of memory (flow table of %u)\n",
					i, app.cfg.flows_per_worker);
			return -1;
		}
		app.workers[i] = w;
		if (app.software_dispatch)
			continue;
		w->n_ports = app.n_ports;
		for (p = 0; p < app.n_ports; p++) {
			w->ports[p] = app.ports[p];
			w->port_idx[app.ports[p]] = (uint8_t)p;
			w->txq[p] = txq_new(app.ports[p], w->queue, &w->st.tx_drop,
					&w->st.tx_backlog, socket);
			if (w->txq[p] == NULL)
				return -1;
		}
	}
	if (app.software_dispatch) {
		struct dispatcher *d = dispatcher_create(RING_SIZE, socket);

		if (d == NULL) {
			fprintf(stderr, "smtpwall: dispatcher rings: %s\n",
					rte_strerror(rte_errno));
			return -1;
		}
		app.dispatcher = d;
		memset(d->port_idx, 0xff, sizeof(d->port_idx));
		d->n_ports = app.n_ports;
		for (p = 0; p < app.n_ports; p++) {
			d->ports[p] = app.ports[p];
			d->port_idx[app.ports[p]] = (uint8_t)p;
			d->txq[p] = txq_new(
					app.ports[p], 0, &d->st.tx_drop, &d->st.tx_backlog, socket);
			if (d->txq[p] == NULL)
				return -1;
		}
		for (i = 0; i < app.n_workers; i++) {
			app.workers[i]->in_ring = d->to_worker[i];
			app.workers[i]->out_ring = d->from_worker[i];
		}
	}
	return 0;
}

static int
launch(void)
{
	unsigned int lcore, next = 0;
	bool dispatcher_launched = !app.software_dispatch;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (!dispatcher_launched) {
			rte_eal_remote_launch(dispatcher_main, app.dispatcher, lcore);
			dispatcher_launched = true;
			printf("smtpwall: lcore %u: software dispatcher\n", lcore);
			continue;
		}
		if (next == app.n_workers)
			break;
		printf("smtpwall: lcore %u: worker %u\n", lcore, next);
		rte_eal_remote_launch(worker_main, app.workers[next++], lcore);
	}
	return next == app.n_workers ? 0 : -1;
}

static void
teardown(void)
{
	unsigned int i;

	for (i = 0; i < app.n_ports; i++) {
		if (i < ports_started) /* no "already stopped" noise after an error line */
			rte_eth_dev_stop(app.ports[i]);
		rte_eth_dev_close(app.ports[i]);
	}
	for (i = 0; i < app.n_workers; i++)
		worker_free(app.workers[i]);
	dispatcher_free(app.dispatcher);
	rte_free(app.rss);
	/* The mbuf pool is not freed: DPDK zeroes what it frees (so that a
	 * later rte_zmalloc need not), a write over every mbuf (64 MB offline)
	 * just before the process and its memory go. */
}

static int
run_live(int sep, char **argv)
{
	uint64_t hz = rte_get_tsc_hz(), next_print;
	unsigned int i;

	if (wire_resolve_ports(sep, argv) != 0 || wire_choose_workers(rte_lcore_count() - 1) != 0 ||
			setup_data_path() != 0)
		return -1;
	if (reload_start(&app.cfg) != 0)
		return -1;
	printf("smtpwall: %u port pair(s), %u worker(s), %s dispatch\n", app.cfg.n_pairs,
			app.n_workers,
			app.software_dispatch                ? "software"
					: app.n_workers == 1 ? "no"
					: app.cfg.dispatch == CONFIG_DISPATCH_QUEUE
					? "queue-per-worker"
					: "RSS");
	printf("smtpwall: policy %s\n",
			app.config_path ? app.config_path
					: "built in (no -c, no " SMTPWALL_DEFAULT_CONFIG ")");
	for (i = 0; i < app.n_ports; i++)
		printf("smtpwall: port %u (%s) -> port %u%s\n", app.ports[i], app.caps[i].driver,
				app.peer[app.ports[i]], i % 2 == 0 ? " [inside]" : " [outside]");
	if (stats_telemetry_register() != 0 || conns_telemetry_register() != 0 ||
			reload_telemetry_register() != 0 || ctl_show_register() != 0 ||
			ctl_clear_register() != 0 || ctl_trace_register() != 0 ||
			ctl_debug_register() != 0 || ctl_capture_register() != 0)
		fprintf(stderr, "smtpwall: telemetry commands not registered\n");
	app.started_tsc = rte_rdtsc();
	if (launch() != 0) {
		app_quit = true;
		rte_eal_mp_wait_lcore();
		return -1;
	}
	printf("smtpwall: forwarding; Ctrl-C to stop\n");
	fflush(stdout);
	next_print = rte_rdtsc() + (uint64_t)app.stats_period_s * hz;
	while (!app_quit) {
		usleep(10000);
		audit_drain();
		metrics_poll();
		capture_poll();
		reload_poll();
		pgen_reap(app.n_workers, min_gen_seen());
		if (app.stats_period_s && rte_rdtsc() >= next_print) {
			stats_print(stdout, "counters");
			next_print = rte_rdtsc() + (uint64_t)app.stats_period_s * hz;
		}
	}
	rte_eal_mp_wait_lcore();
	audit_drain();
	stats_print(stdout, "final counters");
	return 0;
}

static int
run_offline(void)
{
	int rc;

	/* Captures hold frames a NIC never delivers in one buffer (GRO/TSO
	 * on the capturing host): offline mbufs take the largest IP packet. */
	app.pool = rte_pktmbuf_pool_create("mbufs", app.cfg.mbufs ? app.cfg.mbufs : 1024, 32, 0,
			UINT16_MAX, (int)rte_socket_id());
	if (app.pool == NULL) {
		fprintf(stderr, "smtpwall: mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	app.n_workers = 1;
	if (reload_start(&app.cfg) != 0)
		return -1;
	rc = offline_run();
	stats_print(stdout, "offline counters");
	return rc;
}

/*
 * smtpwall's own words before "--", where EAL would take them: --help and
 * -h, --version, and --eal-help for EAL's help. -1 when there is none.
 */
static int
early_words(int sep, char **argv)
{
	int i;

	for (i = 1; i < sep; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			version();
			return 0;
		}
		if (!strcmp(argv[i], "--eal-help")) {
			static char help_opt[] = "--help";
			char *help[] = {argv[0], help_opt, NULL};

			rte_set_application_usage_hook(eal_usage_hook);
			return rte_eal_init(2, help) < 0 ? 1 : 0;
		}
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct eal_args ea;
	int sep, rc;

	/* Under journald or a pipe, errors and other lines keep their order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	rc = early_words(sep, argv);
	if (rc >= 0)
		return rc;
	/* The app arguments first (no EAL needed): the worker count sizes the
	 * lcores, the ports named are checked before EAL claims any device. */
	rc = sep < argc ? parse_args(argc - sep, argv + sep) : parse_args(1, argv);
	if ((rc == 0 || rc == 2) && !app.offline && wire_check_names(sep, argv) != 0)
		rc = -1;
	if (rc == 2)
		printf("%s: OK\n", app.config_path ? app.config_path : "(defaults)");
	if (rc != 0) {
		config_free(&app.cfg);
		return rc < 0 ? 1 : 0;
	}
	eal_args_build(&ea, sep, argv, app.offline, &app.cfg.workers);
	rc = rte_eal_init(ea.argc, ea.argv);
	if (rc < 0) {
		fprintf(stderr, "smtpwall: EAL init failed: %s\n",
				rte_errno ? rte_strerror(rte_errno) : "see EAL's lines above");
		config_free(&app.cfg);
		return 1;
	}
	eal_runtime_dir_note(ea.argc, ea.argv);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (app.ctl_group_set && !app.offline && ctl_group_apply(app.ctl_gid) != 0) {
		rte_eal_cleanup();
		return 1;
	}
	audit_clock_init();
	if (audit_open(app.audit_spec) != 0 || metrics_open(&app.cfg.metrics) != 0) {
		audit_close();
		rte_eal_cleanup();
		eal_runtime_dir_remove();
		return 1;
	}

	rc = app.offline ? run_offline() : run_live(sep, argv);
	if (rc != 0)
		app_quit = true;
	rte_eal_mp_wait_lcore();
	for (sep = 0; sep < (int)app.n_workers; sep++)
		if (app.workers[sep] != NULL)
			worker_flush_flows(app.workers[sep]);
	audit_close();
	metrics_close();
	capture_close();
	teardown();
	pgen_free_all();
	config_free(&app.cfg);
	rte_eal_cleanup();
	eal_runtime_dir_remove();
	return rc == 0 ? 0 : 1;
}
