/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show asp drop` (and `clear asp drop`), `show version`,
 * `show running-config`: read-only views the telemetry thread builds from
 * the workers' counters, the ports and the current policy generation.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include "app.h"
#include "ctl.h"
#include "esmtp.h"
#include "pgen.h"
#include "stats.h"
#include "policy.h"
#include "tcp.h"
#include "worker_state.h"

#define CTL_CHUNK 120 /* bytes of a line per telemetry string (they hold 127) */
#define CTL_PAGE 100 /* strings per reply: 100 x 128 B fits DPDK's 16 KiB */

void
ctl_text_reply(struct rte_tel_data *d, const char *text, unsigned long from)
{
	unsigned long line = 0;
	unsigned int n = 0;
	const char *p = text;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	while (*p != '\0') {
		const char *end = strchr(p, '\n');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p), off = 0;
		unsigned int need;

		/* A line longer than a whole reply is cut (no text here has one). */
		if (len > (size_t)(CTL_PAGE - 1) * CTL_CHUNK)
			len = (size_t)(CTL_PAGE - 1) * CTL_CHUNK;
		need = len == 0 ? 1 : (unsigned int)((len + CTL_CHUNK - 1) / CTL_CHUNK);

		if (line >= from) {
			char s[CTL_CHUNK + 2];

			if (n + need + 1 > CTL_PAGE) {
				snprintf(s, sizeof(s), "~%lu", line);
				rte_tel_data_add_array_string(d, s);
				return;
			}
			do {
				size_t k = len - off < CTL_CHUNK ? len - off : CTL_CHUNK;

				s[0] = off == 0 ? ' ' : '+';
				memcpy(s + 1, p + off, k);
				s[k + 1] = '\0';
				rte_tel_data_add_array_string(d, s);
				n++;
				off += k;
			} while (off < len);
		}
		line++;
		p = end != NULL ? end + 1 : p + strlen(p);
	}
}

static void put(char **buf, size_t *len, size_t *used, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));

static void
put(char **buf, size_t *len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	char *nb;
	int n;

	for (;;) {
		if (*buf == NULL)
			return;
		va_start(ap, fmt);
		n = vsnprintf(*buf + *used, *len - *used, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < *len - *used)
			break;
		*len = 2 * *len + (size_t)n;
		nb = realloc(*buf, *len);
		if (nb == NULL)
			free(*buf);
		*buf = nb;
	}
	*used += (size_t)n;
}

/* ------------------------------------------------------------------ */
/* show asp drop                                                       */

/* What `clear asp drop` saw: later reads subtract it. */
struct asp_counts {
	struct wk_stats s;
	struct tcp_stats t;
	struct esmtp_counters e;
	uint64_t rx_missed, rx_errors;
};

static pthread_mutex_t asp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct asp_counts asp_base;
static time_t asp_cleared; /* 0: never */

static void
asp_read(struct asp_counts *c)
{
	unsigned int i;

	stats_sum(&c->s);
	tcp_sum(&c->t);
	esmtp_sum(&c->e);
	c->rx_missed = c->rx_errors = 0;
	for (i = 0; i < app.n_ports && !app.offline; i++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(app.ports[i], &es) == 0) {
			c->rx_missed += es.imissed;
			c->rx_errors += es.ierrors;
		}
	}
}

static const char *const tcp_drop_ids[] = {
#define _(e, s) #e,
		foreach_tcp_drop
#undef _
};

/* "BAD_CSUM" -> "bad-csum" (ASA keywords are lower case with hyphens). */
static void
keyword(char *out, size_t len, const char *prefix, const char *id)
{
	size_t o = strlen(prefix);

	snprintf(out, len, "%s", prefix);
	for (; *id != '\0' && o + 1 < len; id++)
		out[o++] = *id == '_' ? '-' : (char)tolower((unsigned char)*id);
	out[o] = '\0';
}

/* "  Description (keyword)          count", ASA's layout; zero lines left out. */
static void
asp_line(char **buf, size_t *len, size_t *used, const char *desc, const char *kw, uint64_t v)
{
	char left[160];

	if (v == 0)
		return;
	snprintf(left, sizeof(left), "%s (%s)", desc, kw);
	/* Sentence case, protocol names as they are spelt. */
	if (strncmp(left, "ipv", 3) == 0)
		memcpy(left, "IPv", 3);
	else if (strncmp(left, "tcp ", 4) == 0 || strncmp(left, "udp ", 4) == 0)
		for (int i = 0; i < 3; i++)
			left[i] = (char)toupper((unsigned char)left[i]);
	else
		left[0] = (char)toupper((unsigned char)left[0]);
	put(buf, len, used, "  %-66s %10" PRIu64 "\n", left, v);
}

#define D(field) (now.s.field - asp_base.s.field)
#define DA(field) (now.s.adm.field - asp_base.s.adm.field)

static char *
asp_format(void)
{
	struct asp_counts now;
	size_t len = 8192, used = 0;
	char *buf = malloc(len), kw[64], cleared[64];
	unsigned int i;
	time_t when;

	if (buf == NULL)
		return NULL;
	pthread_mutex_lock(&asp_lock);
	asp_read(&now);
	when = asp_cleared;
	if (when == 0) {
		snprintf(cleared, sizeof(cleared), "Never");
	} else {
		struct tm tm;

		gmtime_r(&when, &tm);
		strftime(cleared, sizeof(cleared), "%H:%M:%S UTC %b %d %Y", &tm);
	}
	put(&buf, &len, &used, "Frame drop:\n");
	for (i = 1; i < PKT_RESULT_MAX; i++) {
		keyword(kw, sizeof(kw), "", pkt_result_name((enum pkt_result)i));
		asp_line(&buf, &len, &used, pkt_result_str((enum pkt_result)i), kw,
				now.s.drop_reason[i] - asp_base.s.drop_reason[i]);
	}
	for (i = 1; i < TCP_DROP_MAX; i++) {
		keyword(kw, sizeof(kw), "tcp-", tcp_drop_ids[i]);
		asp_line(&buf, &len, &used, tcp_drop_reason_str(i), kw,
				now.t.drops[i] - asp_base.t.drops[i]);
	}
	asp_line(&buf, &len, &used, "chained mbuf that could not be linearised", "nonlinear",
			D(nonlinear));
	asp_line(&buf, &len, &used, "TCP fragment while inspection is on", "ip-frag-tcp",
			D(ip_frag_tcp_drop));
	asp_line(&buf, &len, &used, "TCP segment of an unknown connection (midstream: drop)",
			"midstream-drop", D(midstream_drop));
	asp_line(&buf, &len, &used, "TCP segment of an unknown connection, flow table full",
			"flow-full-midstream", D(flow_full_midstream));
	asp_line(&buf, &len, &used, "worker ring full (software dispatch)", "dispatch-drop",
			D(dispatch_drop));
	asp_line(&buf, &len, &used, "TX queue and its backlog full", "tx-drop", D(tx_drop));
	asp_line(&buf, &len, &used, "no mbuf to receive a frame", "rx-nombuf", D(rx_nombuf));
	asp_line(&buf, &len, &used, "NIC RX queue overflow", "rx-missed",
			now.rx_missed - asp_base.rx_missed);
	asp_line(&buf, &len, &used, "NIC RX errors", "rx-errors",
			now.rx_errors - asp_base.rx_errors);
	asp_line(&buf, &len, &used, "TCP Intercept: ACK with a wrong or old cookie",
			"intercept-bad-cookie", D(ic_cookie_bad));
	asp_line(&buf, &len, &used, "TCP Intercept: client segment while the server side opens",
			"intercept-held-full", D(ic_held_full));
	put(&buf, &len, &used, "\nLast clearing: %s\n\nFlow drop:\n", cleared);
	asp_line(&buf, &len, &used, "new connection, flow table full", "flow-full", D(flow_full));
	asp_line(&buf, &len, &used, "connection limit exceeded", "conn-limit", DA(limit_drop));
	asp_line(&buf, &len, &used, "... of which a legacy static limit", "conn-limit-static",
			DA(limit_static_drop));
	asp_line(&buf, &len, &used, "IOS max-incomplete: half-open refused (aggressive)",
			"ios-max-incomplete", DA(ios_aggressive_drop));
	asp_line(&buf, &len, &used, "IOS tcp max-incomplete host", "ios-host-max-incomplete",
			DA(ios_host_drop));
	asp_line(&buf, &len, &used, "IOS host blocked (block-time)", "ios-host-blocked",
			DA(ios_host_blocked));
	asp_line(&buf, &len, &used, "IOS oldest half-open deleted", "ios-half-open-deleted",
			DA(ios_deleted));
	asp_line(&buf, &len, &used, "inspection verdict: drop-connection", "inspect-drop",
			D(insp_conn_dropped));
	asp_line(&buf, &len, &used, "inspection verdict: reset", "inspect-reset",
			D(insp_conn_reset));
	asp_line(&buf, &len, &used, "inspection: rate-limit exceeded", "inspect-rate-limit",
			D(insp_rate_limited));
	asp_line(&buf, &len, &used, "TCP Intercept: server refused", "intercept-server-refused",
			D(ic_srv_refused));
	asp_line(&buf, &len, &used, "TCP Intercept: server never answered",
			"intercept-server-timeout", D(ic_srv_timeout));
	asp_line(&buf, &len, &used, "TCP Intercept: connection limit", "intercept-conn-limit",
			D(ic_conn_limit));
	asp_line(&buf, &len, &used, "connection ended by clear conn", "conn-cleared",
			D(conn_cleared));
	for (i = 1; i < ESMTP_VERDICT_MAX; i++) {
		char desc[64];

		if (i == ESMTP_BYPASS)
			continue;
		keyword(kw, sizeof(kw), "esmtp-", esmtp_verdict_name(i));
		snprintf(desc, sizeof(desc), "ESMTP inspector answered %s", esmtp_verdict_name(i));
		asp_line(&buf, &len, &used, desc, kw, now.e.verdicts[i] - asp_base.e.verdicts[i]);
	}
	put(&buf, &len, &used, "\nLast clearing: %s\n", cleared);
	pthread_mutex_unlock(&asp_lock);
	return buf;
}

#undef D

/* A formatted text (malloc'ed, or NULL) as a paged reply from line params. */
static int
paged(char *text, const char *params, struct rte_tel_data *d)
{
	if (text == NULL)
		return -ENOMEM;
	ctl_text_reply(d, text, params != NULL ? strtoul(params, NULL, 10) : 0);
	free(text);
	return 0;
}

/* /smtpwall/asp_drop[,LINE]: ASA `show asp drop`. */
static int
tel_asp_drop(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return paged(asp_format(), params, d);
}

/* /smtpwall/clear_asp_drop: the counters stay, a baseline moves. */
static int
tel_clear_asp_drop(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	pthread_mutex_lock(&asp_lock);
	asp_read(&asp_base);
	asp_cleared = time(NULL);
	pthread_mutex_unlock(&asp_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "cleared", "asp drop");
	return 0;
}

/* ------------------------------------------------------------------ */
/* show version                                                        */

static char *
version_format(void)
{
	size_t len = 4096, used = 0;
	char *buf = malloc(len), started[64];
	uint64_t up = (rte_rdtsc() - app.started_tsc) / rte_get_tsc_hz();
	time_t t0 = time(NULL) - (time_t)up;
	struct pgen *g;
	struct tm tm;
	unsigned int i;

	gmtime_r(&t0, &tm);
	strftime(started, sizeof(started), "%H:%M:%S UTC %b %d %Y", &tm);
	put(&buf, &len, &used, "smtpwall Version %s\n", SMTPWALL_VERSION);
	put(&buf, &len, &used, "%s\n", rte_version());
	put(&buf, &len, &used,
			"Up %" PRIu64 " days %" PRIu64 " hours %" PRIu64 " mins %" PRIu64
			" secs (started %s)\n",
			up / 86400, up / 3600 % 24, up / 60 % 60, up % 60, started);
	put(&buf, &len, &used, "Workers: %u, %s dispatch\n", app.n_workers,
			app.software_dispatch ? "software" : "RSS/queue");
	g = pgen_reader_enter();
	put(&buf, &len, &used,
			"Configuration: %s, policy generation %u (%" PRIu64 " reloads, %" PRIu64
			" refused)\n",
			app.config_path ? app.config_path : "(none: built-in defaults)",
			g != NULL ? g->id : 0, app.reloads, app.reloads_failed);
	pgen_reader_exit();
	put(&buf, &len, &used, "Inspection: %s\n", app.no_inspect ? "off (--no-inspect)" : "on");
	put(&buf, &len, &used, "\nHardware ports:\n");
	for (i = 0; i < app.n_ports; i++) {
		uint16_t pid = app.ports[i];
		char name[RTE_ETH_NAME_MAX_LEN] = "?";
		struct rte_eth_link link;
		struct rte_ether_addr mac;
		char macs[RTE_ETHER_ADDR_FMT_SIZE] = "?";

		rte_eth_dev_get_name_by_port(pid, name);
		if (rte_eth_macaddr_get(pid, &mac) == 0)
			rte_ether_format_addr(macs, sizeof(macs), &mac);
		memset(&link, 0, sizeof(link));
		rte_eth_link_get_nowait(pid, &link);
		put(&buf, &len, &used,
				" %u: %s, driver %s, %s of pair %u (peer port %u), MAC %s, link %s",
				pid, name, app.caps[i].driver,
				app.port_inside[pid] ? "inside" : "outside", app.port_pair[pid],
				app.peer[pid], macs, link.link_status ? "up" : "down");
		if (link.link_status && link.link_speed != RTE_ETH_SPEED_NUM_NONE &&
				link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
			put(&buf, &len, &used, " %u Mbps", link.link_speed);
		put(&buf, &len, &used, "\n");
	}
	return buf;
}

static int
tel_version(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return paged(version_format(), params, d);
}

/* ------------------------------------------------------------------ */
/* show running-config                                                 */

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint32_t gen;
	uint64_t hash, size;
	int err; /* errno reading the file back, 0 */
} cfg_seen;

/* FNV-1a, 64 bits: a fingerprint to compare with `smtpwall-ctl`'s own. */
static void
fnv1a(uint64_t *h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= p[i];
		*h *= UINT64_C(0x100000001b3);
	}
}

void
ctl_config_loaded(const char *path, uint32_t gen)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325), size = 0;
	uint8_t chunk[4096];
	int err = 0;
	FILE *f;

	if (path == NULL)
		return;
	f = fopen(path, "rb");
	if (f == NULL) {
		err = errno;
	} else {
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			fnv1a(&h, chunk, n);
			size += n;
		}
		if (ferror(f))
			err = EIO;
		fclose(f);
	}
	pthread_mutex_lock(&cfg_lock);
	cfg_seen.gen = gen;
	cfg_seen.hash = h;
	cfg_seen.size = size;
	cfg_seen.err = err;
	pthread_mutex_unlock(&cfg_lock);
}

static void
put_secs(char **buf, size_t *len, size_t *used, const char *what, uint32_t s)
{
	put(buf, len, used, " %s %u:%02u:%02u", what, s / 3600, s / 60 % 60, s % 60);
}

static char *
running_format(void)
{
	size_t len = 16384, used = 0;
	char *buf = malloc(len);
	const struct config *c = &app.cfg;
	struct pgen *g;
	int n;

	pthread_mutex_lock(&cfg_lock);
	put(&buf, &len, &used, ": Saved\n: smtpwall %s\n", SMTPWALL_VERSION);
	if (app.config_path == NULL)
		put(&buf, &len, &used, ": no configuration file: the built-in defaults\n");
	else if (cfg_seen.err != 0)
		put(&buf, &len, &used, ": file %s, generation %u: not read back (%s)\n",
				app.config_path, cfg_seen.gen, strerror(cfg_seen.err));
	else
		put(&buf, &len, &used,
				": file %s, generation %u, %" PRIu64 " bytes, fnv1a-64 %016" PRIx64
				"\n",
				app.config_path, cfg_seen.gen, cfg_seen.size, cfg_seen.hash);
	pthread_mutex_unlock(&cfg_lock);
	put(&buf, &len, &used, ": effective settings after defaults follow\n!\n");
	/* What a reload does not change (docs/configuration.md: wire, flows, tcp). */
	put(&buf, &len, &used, "timeout");
	put_secs(&buf, &len, &used, "conn", c->timeouts.idle);
	put_secs(&buf, &len, &used, "half-closed", c->timeouts.half_closed);
	put_secs(&buf, &len, &used, "embryonic", c->timeouts.embryonic);
	put_secs(&buf, &len, &used, "udp", c->timeouts.udp);
	put_secs(&buf, &len, &used, "closed", c->timeouts.closed);
	put(&buf, &len, &used,
			"\nflows per-worker %u midstream %s\n"
			"tcp max-in-flight %" PRIu64 " buffer-per-worker %" PRIu64
			" out-of-order-segments %u out-of-order-timeout %u\n"
			"wire workers %u dispatch %s ip-checksum %s tcp-checksum %s\n!\n",
			c->flows_per_worker,
			c->midstream == CONFIG_MIDSTREAM_DROP ? "drop" : "pickup",
			c->tcp.max_in_flight, c->tcp.buffer_per_worker, c->tcp.ooo_segments,
			c->tcp.ooo_timeout, app.n_workers,
			app.software_dispatch ? "software" : "rss",
			c->verify_ip4_csum ? "verify" : "off",
			app.verify_tcp_csum ? "verify" : "off");
	g = pgen_reader_enter();
	if (g != NULL && buf != NULL) {
		n = policy_format_running_config(g->policy, NULL, 0);
		if (used + (size_t)n + 1 > len) {
			char *nb = realloc(buf, used + (size_t)n + 64);

			if (nb == NULL)
				free(buf);
			buf = nb;
			len = used + (size_t)n + 64;
		}
		if (buf != NULL) {
			policy_format_running_config(g->policy, buf + used, len - used);
			used += (size_t)n;
		}
	}
	pgen_reader_exit();
	put(&buf, &len, &used, ": end\n");
	return buf;
}

static int
tel_running_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return paged(running_format(), params, d);
}

int
ctl_show_register(void)
{
	int rc = 0;

	rc |= rte_telemetry_register_cmd("/smtpwall/asp_drop", tel_asp_drop,
			"show asp drop: every drop reason since start or clear. Parameters: [first line]");
	rc |= rte_telemetry_register_cmd("/smtpwall/clear_asp_drop", tel_clear_asp_drop,
			"clear asp drop: counting starts again. No parameters");
	rc |= rte_telemetry_register_cmd("/smtpwall/version", tel_version,
			"show version: versions, uptime, workers, ports. Parameters: [first line]");
	rc |= rte_telemetry_register_cmd("/smtpwall/running_config", tel_running_config,
			"show running-config: file, generation, hash, effective policy. Parameters: "
			"[first line]");
	return rc == 0 ? 0 : -EINVAL;
}
