/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counter aggregation, printing and DPDK telemetry. Runs on the control
 * lcore or the telemetry thread, never on the data path: it reads the
 * workers' blocks without locks (64-bit loads are atomic on the platforms
 * we build for; a sum may be a few frames behind, never torn).
 */
#include "stats.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "app.h"
#include "audit.h"
#include "audit_remote.h"
#include "ctl.h"
#include "dispatch.h"
#include "esmtp.h"
#include "flow.h"
#include "pgen.h"
#include "policy.h"
#include "tcp.h"
#include "worker_state.h"

void
stats_sum(struct wk_stats *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < app.n_workers; i++)
		if (app.workers[i] != NULL)
			wk_stats_add(out, &app.workers[i]->st);
	if (app.dispatcher != NULL)
		wk_stats_add(out, &app.dispatcher->st);
}

void
tcp_sum(struct tcp_stats *out)
{
	unsigned int i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < app.n_workers; i++) {
		const struct tcp_stats *s;

		if (app.workers[i] == NULL || app.workers[i]->insp.tcp == NULL)
			continue;
		s = tcp_ctx_stats(app.workers[i]->insp.tcp);
		for (j = 0; j < TCP_CTR_MAX; j++)
			out->ctr[j] += s->ctr[j];
		for (j = 0; j < TCP_DROP_MAX; j++)
			out->drops[j] += s->drops[j];
		out->held_segs += s->held_segs;
		out->held_bytes += s->held_bytes;
		out->ooo_segs += s->ooo_segs;
		out->ooo_bytes += s->ooo_bytes;
	}
}

void
esmtp_sum(struct esmtp_counters *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < app.n_workers; i++)
		if (app.workers[i] != NULL)
			esmtp_counters_merge(out, &app.workers[i]->insp.ecnt);
}

static void
print_inspection(FILE *f)
{
	struct tcp_stats ts;
	struct esmtp_counters ec;
	unsigned int i;

	tcp_sum(&ts);
	esmtp_sum(&ec);
	if (ts.ctr[TCP_CTR_SEG_IN] == 0)
		return;
	fprintf(f, "  tcp (inspected connections):\n");
	for (i = 0; i < TCP_CTR_MAX; i++)
		if (ts.ctr[i] != 0)
			fprintf(f, "    %-40s %14" PRIu64 "\n", tcp_counter_str(i), ts.ctr[i]);
	for (i = 1; i < TCP_DROP_MAX; i++)
		if (ts.drops[i] != 0)
			fprintf(f, "    drop: %-34s %14" PRIu64 "\n", tcp_drop_reason_str(i),
					ts.drops[i]);
	fprintf(f,
			"    now held %" PRIu64 " packets (%" PRIu64 " bytes), queued %" PRIu64
			" (%" PRIu64 " bytes)\n",
			ts.held_segs, ts.held_bytes, ts.ooo_segs, ts.ooo_bytes);
	fprintf(f,
			"  esmtp: %" PRIu64 " pushes, %" PRIu64 "/%" PRIu64
			" bytes c2s/s2c, %" PRIu64 " edits (%" PRIu64 " bytes)\n",
			ec.pushes, ec.bytes[0], ec.bytes[1], ec.edits, ec.edited_bytes);
	for (i = 0; i < ESMTP_EV_MAX; i++)
		if (ec.events[i] != 0)
			fprintf(f, "    event %-32s %14" PRIu64 "\n", esmtp_event_name(i),
					ec.events[i]);
	for (i = 1; i < ESMTP_VERDICT_MAX; i++)
		if (ec.verdicts[i] != 0)
			fprintf(f, "    verdict %-30s %14" PRIu64 "\n", esmtp_verdict_name(i),
					ec.verdicts[i]);
}

void
flows_sum(struct flow_table_stats *out)
{
	struct flow_table_stats s;
	unsigned int i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < app.n_workers; i++) {
		if (app.workers[i] == NULL || app.workers[i]->ft == NULL)
			continue;
		flow_table_stats_get(app.workers[i]->ft, &s);
		out->lookups += s.lookups;
		out->hits += s.hits;
		out->misses += s.misses;
		out->adds += s.adds;
		out->dels += s.dels;
		out->expired += s.expired;
		out->reclaimed += s.reclaimed;
		out->table_full += s.table_full;
		out->bucket_full += s.bucket_full;
		out->count += s.count;
		for (j = 0; j < FLOW_ST_MAX; j++)
			out->by_state[j] += s.by_state[j];
	}
}

/*
 * Each lcore's busy share since start: cycles on polls that found frames
 * over the cycles elapsed. Whoever is near 100 % is the bottleneck (the
 * dispatcher, when it is there and the workers are not).
 */
static void
print_busy(FILE *f)
{
	double el = (double)(rte_rdtsc() - app.started_tsc);
	unsigned int i;

	if (app.started_tsc == 0 || el <= 0)
		return;
	fprintf(f, "  busy share of its lcore:");
	for (i = 0; i < app.n_workers; i++)
		if (app.workers[i] != NULL)
			fprintf(f, " worker %u %.1f %%", i,
					100.0 * (double)app.workers[i]->st.busy_cycles / el);
	if (app.dispatcher != NULL)
		fprintf(f, ", dispatcher %.1f %%",
				100.0 * (double)app.dispatcher->st.dispatch_busy_cycles / el);
	fprintf(f, "\n");
}

void
stats_print(FILE *f, const char *title)
{
	struct wk_stats s;
	struct flow_table_stats fs;
	unsigned int i;

	stats_sum(&s);
	flows_sum(&fs);
	fprintf(f, "=== %s ===\n", title);
	for (i = 0; i < WK_CNT_MAX; i++) {
		uint64_t v = wk_stats_get(&s, i);

		if (v != 0 || i <= WK_CNT_tx_drop)
			fprintf(f, "  %-16s %20" PRIu64 "  %s\n", wk_counter_names[i], v,
					wk_counter_help[i]);
	}
	for (i = 1; i < PKT_RESULT_MAX; i++)
		if (s.drop_reason[i] != 0)
			fprintf(f, "  drop %-22s %14" PRIu64 "  %s\n",
					pkt_result_name((enum pkt_result)i), s.drop_reason[i],
					pkt_result_str((enum pkt_result)i));
	print_inspection(f);
	fprintf(f,
			"  audit: %" PRIu64 " records written, %" PRIu64
			" filtered (level, rate limits), %" PRIu64 " lost (rings full), %" PRIu64
			" not written (destination errors)\n",
			audit_written(), audit_filtered(), audit_ring_dropped(),
			audit_write_errors());
	audit_remote_report(f, "  ");
	fprintf(f, "  flows: %u live", fs.count);
	for (i = 0; i < FLOW_ST_MAX; i++)
		if (fs.by_state[i] != 0)
			fprintf(f, ", %s %u", flow_state_name((enum flow_state)i), fs.by_state[i]);
	fprintf(f,
			"; %" PRIu64 " created, %" PRIu64 " expired, %" PRIu64
			" reclaimed, %" PRIu64 " table-full, %" PRIu64 " chain-full\n",
			fs.adds, fs.expired, fs.reclaimed, fs.table_full, fs.bucket_full);
	if (!app.offline) {
		print_busy(f);
		for (i = 0; i < app.n_ports; i++) {
			struct rte_eth_stats es;

			if (rte_eth_stats_get(app.ports[i], &es) != 0)
				continue;
			fprintf(f,
					"  port %u (%s): rx %" PRIu64 " tx %" PRIu64
					" missed %" PRIu64 " rx-errors %" PRIu64
					" tx-errors %" PRIu64 " no-mbuf %" PRIu64 "\n",
					app.ports[i], app.caps[i].driver, es.ipackets, es.opackets,
					es.imissed, es.ierrors, es.oerrors, es.rx_nombuf);
		}
	}
	fflush(f);
}

static void
tel_add_counters(struct rte_tel_data *d, const struct wk_stats *s)
{
	unsigned int i;

	for (i = 0; i < WK_CNT_MAX; i++)
		rte_tel_data_add_dict_u64(d, wk_counter_names[i], wk_stats_get(s, i));
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wk_stats s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	stats_sum(&s);
	rte_tel_data_start_dict(d);
	tel_add_counters(d, &s);
	rte_tel_data_add_dict_u64(d, "workers", app.n_workers);
	rte_tel_data_add_dict_u64(
			d, "uptime_s", (rte_rdtsc() - app.started_tsc) / rte_get_tsc_hz());
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wk_stats s;
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	stats_sum(&s);
	rte_tel_data_start_dict(d);
	for (i = 1; i < PKT_RESULT_MAX; i++)
		rte_tel_data_add_dict_u64(d, pkt_result_name((enum pkt_result)i), s.drop_reason[i]);
	return 0;
}

static int
tel_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct flow_table_stats fs;
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	flows_sum(&fs);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "live", fs.count);
	rte_tel_data_add_dict_u64(d, "created", fs.adds);
	rte_tel_data_add_dict_u64(d, "expired", fs.expired);
	rte_tel_data_add_dict_u64(d, "deleted", fs.dels);
	rte_tel_data_add_dict_u64(d, "reclaimed", fs.reclaimed);
	rte_tel_data_add_dict_u64(d, "table_full", fs.table_full);
	rte_tel_data_add_dict_u64(d, "chain_full", fs.bucket_full);
	rte_tel_data_add_dict_u64(d, "lookups", fs.lookups);
	rte_tel_data_add_dict_u64(d, "hits", fs.hits);
	for (i = 0; i < FLOW_ST_MAX; i++)
		rte_tel_data_add_dict_u64(d, flow_state_name((enum flow_state)i), fs.by_state[i]);
	return 0;
}

/* /smtpwall/worker,N: one worker's counters (N from 0). */
static int
tel_worker(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned long id;
	char *end;

	RTE_SET_USED(cmd);
	if (params == NULL || *params == '\0')
		return -EINVAL;
	id = strtoul(params, &end, 10);
	if (*end != '\0' || id >= app.n_workers || app.workers[id] == NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	tel_add_counters(d, &app.workers[id]->st);
	rte_tel_data_add_dict_u64(d, "flows", flow_table_count(app.workers[id]->ft));
	return 0;
}

/*
 * /smtpwall/service_policy[,inspect]: ASA's `show service-policy [inspect
 * esmtp]`, one line per array element (smtpwall-ctl prints them).
 */
static int
tel_service_policy(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct pgen *g;
	struct policy_class_counters *sum;
	bool inspect_only = params != NULL && strcmp(params, "inspect") == 0;
	char *text, *line, *save = NULL;
	int len;

	RTE_SET_USED(cmd);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	g = pgen_reader_enter();
	if (g == NULL) {
		pgen_reader_exit();
		return 0;
	}
	sum = calloc(g->n_classes ? g->n_classes : 1, sizeof(*sum));
	if (sum == NULL) {
		pgen_reader_exit();
		return -ENOMEM;
	}
	pgen_sum(g, app.n_workers, sum);
	ctl_sp_baseline_sub(g, sum); /* clear service-policy */
	len = policy_format_service_policy(g->policy, sum, inspect_only, NULL, 0);
	text = malloc((size_t)len + 1);
	if (text == NULL) {
		free(sum);
		pgen_reader_exit();
		return -ENOMEM;
	}
	policy_format_service_policy(g->policy, sum, inspect_only, text, (size_t)len + 1);
	pgen_reader_exit();
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (rte_tel_data_add_array_string(d, line) != 0)
			break;
	free(text);
	free(sum);
	return 0;
}

int
stats_telemetry_register(void)
{
	int rc = 0;

	rc |= rte_telemetry_register_cmd("/smtpwall/service_policy", tel_service_policy,
			"show service-policy, one line per element. Parameters: [inspect]");

	rc |= rte_telemetry_register_cmd("/smtpwall/stats", tel_stats,
			"Counters summed over all workers. No parameters");
	rc |= rte_telemetry_register_cmd("/smtpwall/drops", tel_drops,
			"Malformed frames dropped, by reason. No parameters");
	rc |= rte_telemetry_register_cmd("/smtpwall/flows", tel_flows,
			"Flow tables summed over all workers. No parameters");
	rc |= rte_telemetry_register_cmd("/smtpwall/worker", tel_worker,
			"One worker's counters. Parameters: int worker_id");
	return rc == 0 ? 0 : -EINVAL; /* names: letters, digits, '_' and '/' only */
}
