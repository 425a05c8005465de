/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_APP_H
#define SMTPWALL_APP_H

/*
 * The appliance's process-wide state: what the control lcore set up before
 * launching the data path. Read-only once the lcores run, except `quit`.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "sw_config.h"
#include "port.h"

#define APP_MAX_WORKERS 64
#define APP_MAX_PORTS (2 * CONFIG_MAX_PAIRS)
#define APP_NO_PORT UINT16_MAX

struct worker;
struct dispatcher;

struct app {
	struct config cfg;
	bool offline;
	const char *read_path, *write_path;
	const char *audit_spec; /* "-", "syslog" or a file */
	unsigned int stats_period_s;

	unsigned int n_ports;
	uint16_t ports[APP_MAX_PORTS]; /* every port of every pair */
	struct port_caps caps[APP_MAX_PORTS];
	uint16_t peer[RTE_MAX_ETHPORTS]; /* the other port of its pair */
	bool port_inside[RTE_MAX_ETHPORTS]; /* the inside port of its pair */
	bool port_tx_tcp_cksum[RTE_MAX_ETHPORTS]; /* the NIC fills TCP checksums */
	bool software_dispatch;
	/* Workers poll their own queue and check that a new connection's
	 * symmetric RSS hash names that queue (several workers, no dispatcher). */
	bool rxq_check;
	struct rss_ctx *rss; /* the symmetric key's tables, for rxq_check */

	/* Inspection: the policy lives in pgen_current (pgen.h). */
	const char *config_path;
	bool no_inspect; /* --no-inspect: a plain bridge */
	uint64_t reloads, reloads_failed;
	bool verify_tcp_csum;
	/* TCP Intercept master secret (--cookie-secret, or random at start). */
	uint8_t ic_master[16];
	bool ic_master_set;
	uint8_t port_pair[RTE_MAX_ETHPORTS]; /* pair index of a port */

	unsigned int n_workers;
	struct worker *workers[APP_MAX_WORKERS];
	struct dispatcher *dispatcher;
	struct rte_mempool *pool;
	uint64_t started_tsc;
	bool ctl_group_set; /* --ctl-group: smtpwall-ctl for this group too */
	gid_t ctl_gid;
};

extern struct app app;
/* Set by SIGINT/SIGTERM; every loop polls it. */
extern volatile bool app_quit;

#endif /* SMTPWALL_APP_H */
