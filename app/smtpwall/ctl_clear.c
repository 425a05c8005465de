/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `clear service-policy` and `clear conn address A [port P] [reset|silent]`.
 *
 * Per-class counters are written by the workers only: clearing them takes
 * a baseline of the current generation that `show service-policy`
 * subtracts. A connection is ended by the worker that owns it, through the
 * `show conn` request slot (conns.h; ctl_reset.c does the worker's part).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "app.h"
#include "ctl.h"
#include "pgen.h"
#include "showconn.h"
#include "worker_state.h"

/* ------------------------------------------------------------------ */
/* clear service-policy                                                */

static pthread_mutex_t sp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint32_t gen; /* 0: no baseline */
	unsigned int n;
	struct policy_class_counters *base;
} sp_base;

void
ctl_sp_baseline_sub(const struct pgen *g, struct policy_class_counters *sum)
{
	size_t i, n;

	pthread_mutex_lock(&sp_lock);
	if (sp_base.gen == g->id && sp_base.base != NULL) {
		uint64_t *s = (uint64_t *)sum;
		const uint64_t *b = (const uint64_t *)sp_base.base;

		n = (size_t)sp_base.n * sizeof(*sum) / sizeof(uint64_t);
		for (i = 0; i < n; i++)
			s[i] -= b[i];
	}
	pthread_mutex_unlock(&sp_lock);
}

_Static_assert(sizeof(struct policy_class_counters) % sizeof(uint64_t) == 0,
		"policy_class_counters: 64-bit counters only (subtracted as an array)");

/* /smtpwall/clear_service_policy: counts start again from 0. */
static int
tel_clear_service_policy(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct policy_class_counters *now;
	struct pgen *g;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	g = pgen_reader_enter();
	if (g == NULL) {
		pgen_reader_exit();
		return -ENOENT;
	}
	now = calloc(g->n_classes ? g->n_classes : 1, sizeof(*now));
	if (now == NULL) {
		pgen_reader_exit();
		return -ENOMEM;
	}
	pgen_sum(g, app.n_workers, now);
	pthread_mutex_lock(&sp_lock);
	free(sp_base.base);
	sp_base.base = now;
	sp_base.n = g->n_classes;
	sp_base.gen = g->id;
	pthread_mutex_unlock(&sp_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "cleared", "service-policy");
	rte_tel_data_add_dict_u64(d, "generation", g->id);
	pgen_reader_exit();
	return 0;
}

/* ------------------------------------------------------------------ */
/* clear conn: the telemetry side                                      */

/* "ADDR[,PORT][,reset|,silent]" */
static int
parse_clear(const char *params, struct conn_filter *flt)
{
	char buf[128], *save = NULL, *tok;
	int i = 0;

	memset(flt, 0, sizeof(*flt));
	flt->action = CONN_ACT_CLEAR_SILENT;
	if (params == NULL || strlen(params) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, params);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save), i++) {
		char *end;

		if (i == 0) {
			if (inet_pton(AF_INET, tok, flt->addr) == 1)
				flt->family = 4;
			else if (inet_pton(AF_INET6, tok, flt->addr) == 1)
				flt->family = 6;
			else
				return -EINVAL;
		} else if (strcmp(tok, "reset") == 0) {
			flt->action = CONN_ACT_CLEAR_RESET;
		} else if (strcmp(tok, "silent") == 0) {
			flt->action = CONN_ACT_CLEAR_SILENT;
		} else {
			unsigned long p = strtoul(tok, &end, 10);

			if (*end != '\0' || p == 0 || p > 65535 || flt->has_port)
				return -EINVAL;
			flt->port = (uint16_t)p;
			flt->has_port = 1;
		}
	}
	return flt->family != 0 ? 0 : -EINVAL;
}

/* /smtpwall/clear_conn,ADDR[,PORT][,reset|silent]: the rows of the
 * connections ended, then a summary line. */
static int
tel_clear_conn(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct conn_filter flt;
	struct conns_sum sum;
	char line[RTE_TEL_MAX_STRING_LEN];

	RTE_SET_USED(cmd);
	if (parse_clear(params, &flt) != 0)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	conns_ask(&flt, d, &sum);
	snprintf(line, sizeof(line), "%" PRIu64 " connection(s) cleared%s", sum.matched,
			sum.silent != 0 ? " (some workers did not answer)" : "");
	rte_tel_data_add_array_string(d, line);
	if (flt.action == CONN_ACT_CLEAR_RESET && sum.rst_unknown == 0)
		snprintf(line, sizeof(line), "%" PRIu64 " RST(s) sent", sum.rst_sent);
	else if (flt.action == CONN_ACT_CLEAR_RESET)
		snprintf(line, sizeof(line),
				"%" PRIu64 " RST(s) sent; %" PRIu64
				" connection(s) ended silently: not inspected (sequence numbers unknown) "
				"or no MAC known",
				sum.rst_sent, sum.rst_unknown);
	else
		snprintf(line, sizeof(line), "no RST sent (silent)");
	rte_tel_data_add_array_string(d, line);
	return 0;
}

int
ctl_clear_register(void)
{
	int rc = 0;

	rc |= rte_telemetry_register_cmd("/smtpwall/clear_service_policy", tel_clear_service_policy,
			"clear service-policy: hit counts start again. No parameters");
	rc |= rte_telemetry_register_cmd("/smtpwall/clear_conn", tel_clear_conn,
			"clear conn: end connections. Parameters: address[,port][,reset|silent]");
	return rc == 0 ? 0 : -EINVAL;
}
