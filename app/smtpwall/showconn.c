/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show conn` on the telemetry thread: asks every worker (conns.h), waits
 * for their rows and prints them the ASA way.
 */
#include "showconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "app.h"
#include "conns.h"
#include "flowstate.h"
#include "worker_state.h"

#define CONNS_WAIT_MS 10000 /* a worker that has not answered by then is reported */

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;

static void
hms(char *buf, size_t len, uint64_t s)
{
	snprintf(buf, len, "%" PRIu64 ":%02u:%02u", s / 3600, (unsigned int)(s / 60 % 60),
			(unsigned int)(s % 60));
}

static const char *
proto_name(uint8_t proto, char *buf, size_t len)
{
	if (proto == FLOW_PROTO_TCP)
		return "TCP";
	if (proto == FLOW_PROTO_UDP)
		return "UDP";
	snprintf(buf, len, "IP-%u", proto);
	return buf;
}

static const char *
mode_name(const struct conn_row *r)
{
	if (r->ic_state != WK_IC_NONE)
		return r->mode == WK_FLOW_INSPECT ? "esmtp, intercepted" : "intercepted";
	switch (r->mode) {
	case WK_FLOW_INSPECT:
		return "esmtp";
	case WK_FLOW_BYPASS:
		return "bypassed (TLS)";
	case WK_FLOW_DROPPED:
		return "dropped by policy";
	default:
		return "not inspected";
	}
}

/*
 * Two lines per connection, the initiator first with the side it came from:
 *   TCP outside 198.18.0.1:40000 inside 198.18.0.2:25, established, esmtp
 *       uptime 0:00:12, timeout 0:59:48, bytes 1234 (client 500, server 734)
 */
static void
format_row(const struct worker *w, const struct conn_row *r, uint64_t now, char *l1, char *l2,
		size_t len)
{
	const uint8_t *ca = r->init_dir == 0 ? r->key.addr_a : r->key.addr_b;
	const uint8_t *sa = r->init_dir == 0 ? r->key.addr_b : r->key.addr_a;
	uint16_t cp = r->init_dir == 0 ? r->key.port_a : r->key.port_b;
	uint16_t sp = r->init_dir == 0 ? r->key.port_b : r->key.port_a;
	bool v6 = r->key.family == 6;
	bool in = r->init_port < RTE_MAX_ETHPORTS && app.port_inside[r->init_port];
	char c[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN], up[32], to[32], pb[16], vl[16];

	inet_ntop(v6 ? AF_INET6 : AF_INET, ca, c, sizeof(c));
	inet_ntop(v6 ? AF_INET6 : AF_INET, sa, s, sizeof(s));
	hms(up, sizeof(up), now > r->created ? (now - r->created) / w->hz : 0);
	if (r->deadline == FLOW_DEADLINE_NEVER)
		snprintf(to, sizeof(to), "never");
	else
		hms(to, sizeof(to), r->deadline > now ? (r->deadline - now) / w->hz : 0);
	vl[0] = '\0';
	if (r->key.vlan != 0)
		snprintf(vl, sizeof(vl), " vlan %u", r->key.vlan);
	/* At most 128 bytes a line (telemetry): mark a cut one with '+'. */
	if (snprintf(l1, len, "%s %s%s %s%s%s:%u %s %s%s%s:%u, %s, %s",
			    proto_name(r->key.proto, pb, sizeof(pb)), in ? "inside" : "outside", vl,
			    v6 ? "[" : "", c, v6 ? "]" : "", cp, in ? "outside" : "inside",
			    v6 ? "[" : "", s, v6 ? "]" : "", sp,
			    flow_state_name((enum flow_state)r->state), mode_name(r)) >= (int)len)
		l1[len - 2] = '+';
	snprintf(l2, len,
			"    uptime %s, timeout %s, bytes %" PRIu64 " (client %" PRIu64
			", server %" PRIu64 ")",
			up, to, r->bytes[0] + r->bytes[1], r->bytes[r->init_dir],
			r->bytes[!r->init_dir]);
}

static int
parse_filter(const char *params, struct conn_filter *flt, bool *count_only)
{
	memset(flt, 0, sizeof(*flt));
	*count_only = false;
	if (params == NULL || *params == '\0')
		return 0;
	if (strcmp(params, "count") == 0) {
		*count_only = true;
		return 0;
	}
	if (inet_pton(AF_INET, params, flt->addr) == 1)
		flt->family = 4;
	else if (inet_pton(AF_INET6, params, flt->addr) == 1)
		flt->family = 6;
	else
		return -EINVAL;
	return 0;
}

/* Asks every worker; returns a bit set of those that answered in time. */
static uint64_t
ask_workers(const struct conn_filter *flt)
{
	uint64_t waiting = 0, answered = 0;
	uint32_t want[APP_MAX_WORKERS];
	unsigned int i, ms;

	for (i = 0; i < app.n_workers; i++) {
		struct conns_req *c;

		if (app.workers[i] == NULL)
			continue;
		c = &app.workers[i]->conns;
		c->filter = *flt;
		want[i] = atomic_load_explicit(&c->asked, memory_order_relaxed) + 1;
		atomic_store_explicit(&c->asked, want[i], memory_order_release);
		waiting |= UINT64_C(1) << i;
	}
	for (ms = 0; waiting != 0 && ms < CONNS_WAIT_MS; ms++) {
		for (i = 0; i < app.n_workers; i++) {
			if (!(waiting & (UINT64_C(1) << i)))
				continue;
			if (atomic_load_explicit(&app.workers[i]->conns.answered,
					    memory_order_acquire) == want[i]) {
				waiting &= ~(UINT64_C(1) << i);
				answered |= UINT64_C(1) << i;
			}
		}
		if (waiting != 0)
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return answered;
}

/* /smtpwall/conns[,count|,ADDRESS]: ASA `show conn [count|address A]`. */
static int
tel_conns(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct conn_filter flt;
	bool count_only;
	uint64_t answered, matched = 0, listed = 0, now = rte_rdtsc();
	unsigned int i, j, silent = 0;
	char l1[RTE_TEL_MAX_STRING_LEN], l2[RTE_TEL_MAX_STRING_LEN];

	RTE_SET_USED(cmd);
	if (parse_filter(params, &flt, &count_only) != 0)
		return -EINVAL;
	pthread_mutex_lock(&conns_lock);
	answered = ask_workers(&flt);
	for (i = 0; i < app.n_workers; i++) {
		if (app.workers[i] == NULL)
			continue;
		if (answered & (UINT64_C(1) << i))
			matched += app.workers[i]->conns.matched;
		else
			silent++;
	}
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	snprintf(l1, sizeof(l1), "%" PRIu64 " in use%s", matched,
			silent != 0 ? " (some workers did not answer)" : "");
	rte_tel_data_add_array_string(d, l1);
	for (i = 0; i < app.n_workers && !count_only; i++) {
		const struct worker *w = app.workers[i];
		uint64_t t = w->mode == WK_MODE_OFFLINE ? w->now : now;

		if (!(answered & (UINT64_C(1) << i)))
			continue;
		for (j = 0; j < w->conns.n_rows && listed < CONNS_ROWS_MAX; j++) {
			format_row(w, &w->conns.rows[j], t, l1, l2, sizeof(l1));
			rte_tel_data_add_array_string(d, l1);
			rte_tel_data_add_array_string(d, l2);
			listed++;
		}
	}
	if (!count_only && listed < matched) {
		snprintf(l1, sizeof(l1),
				"(%" PRIu64 " more not listed: at most %u; filter by address)",
				matched - listed, CONNS_ROWS_MAX);
		rte_tel_data_add_array_string(d, l1);
	}
	pthread_mutex_unlock(&conns_lock);
	return 0;
}

#define CONNS_ASK_ROWS 40 /* rows conns_ask lists: room left in the reply */

void
conns_ask(const struct conn_filter *flt, struct rte_tel_data *d, struct conns_sum *sum)
{
	uint64_t answered, now = rte_rdtsc();
	unsigned int i, j, listed = 0;
	char l1[RTE_TEL_MAX_STRING_LEN], l2[RTE_TEL_MAX_STRING_LEN];

	memset(sum, 0, sizeof(*sum));
	pthread_mutex_lock(&conns_lock);
	answered = ask_workers(flt);
	for (i = 0; i < app.n_workers; i++) {
		const struct worker *w = app.workers[i];

		if (w == NULL)
			continue;
		if (!(answered & (UINT64_C(1) << i))) {
			sum->silent++;
			continue;
		}
		sum->matched += w->conns.matched;
		sum->rst_sent += w->conns.rst_sent;
		sum->rst_unknown += w->conns.rst_unknown;
		for (j = 0; j < w->conns.n_rows && listed < CONNS_ASK_ROWS; j++, listed++) {
			format_row(w, &w->conns.rows[j], w->mode == WK_MODE_OFFLINE ? w->now : now,
					l1, l2, sizeof(l1));
			rte_tel_data_add_array_string(d, l1);
			rte_tel_data_add_array_string(d, l2);
		}
	}
	pthread_mutex_unlock(&conns_lock);
}

int
conns_telemetry_register(void)
{
	return rte_telemetry_register_cmd("/smtpwall/conns", tel_conns,
			"show conn: the connections of every worker. Parameters: [count | address]");
}
