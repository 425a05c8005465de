/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics (see metrics.h): the formatter, a small HTTP/1.0
 * endpoint polled by the control loop, the textfile writer. Off the data
 * path: everything here reads the counters the workers publish.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"
#include "audit.h"
#include "esmtp.h"
#include "flow.h"
#include "pgen.h"
#include "policy.h"
#include "stats.h"
#include "tcp.h"
#include "tsclock.h"

#define HTTP_CLIENTS 4 /* scrapes served at once; more wait in the backlog */
#define HTTP_REQ_MAX 2048 /* request bytes read; a longer request is refused */
#define HTTP_TIMEOUT_NS 5000000000ull /* a client that stalls this long is closed */

/* ------------------------------------------------------------------ */
/* The text                                                            */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void __attribute__((format(printf, 2, 3))) put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->len)
			break;
		char *np = realloc(b->p, b->cap * 2 + (size_t)n);

		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n;
	}
	b->len += (size_t)n;
}

/* A label value: backslash, double quote and line feed escaped. */
static const char *
esc(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < len; in++) {
		if (*in == '\\' || *in == '"') {
			out[o++] = '\\';
			out[o++] = *in;
		} else if (*in == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
	return out;
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	char h[256];

	esc(help, h, sizeof(h));
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, h, name, type);
}

static const char *const tcp_drop_ids[] = {
#define _(e, s) #e,
		foreach_tcp_drop
#undef _
};

/* "BAD_CSUM" -> "bad_csum" */
static const char *
lower(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
	out[i] = '\0';
	return out;
}

static void
put_worker_counters(struct buf *b)
{
	struct wk_stats s;
	char name[96];
	unsigned int i;

	stats_sum(&s);
	for (i = 0; i < WK_CNT_MAX; i++) {
		snprintf(name, sizeof(name), "smtpwall_%s_total", wk_counter_names[i]);
		family(b, name, "counter", wk_counter_help[i]);
		put(b, "%s %" PRIu64 "\n", name, wk_stats_get(&s, i));
	}
	family(b, "smtpwall_malformed_drops_total", "counter",
			"frames dropped as malformed, by reason (smtpwall-ctl show asp drop)");
	for (i = 1; i < PKT_RESULT_MAX; i++)
		put(b, "smtpwall_malformed_drops_total{reason=\"%s\"} %" PRIu64 "\n",
				pkt_result_name((enum pkt_result)i), s.drop_reason[i]);
}

static void
put_inspection(struct buf *b)
{
	struct tcp_stats ts;
	struct esmtp_counters ec;
	char l[160], id[32];
	unsigned int i;

	tcp_sum(&ts);
	esmtp_sum(&ec);
	family(b, "smtpwall_tcp_events_total", "counter",
			"lib/tcp counters of the inspected connections");
	for (i = 0; i < TCP_CTR_MAX; i++)
		put(b, "smtpwall_tcp_events_total{event=\"%s\"} %" PRIu64 "\n",
				esc(tcp_counter_str(i), l, sizeof(l)), ts.ctr[i]);
	family(b, "smtpwall_tcp_drops_total", "counter", "segments lib/tcp dropped, by reason");
	for (i = 1; i < TCP_DROP_MAX; i++)
		put(b, "smtpwall_tcp_drops_total{reason=\"%s\",description=\"%s\"} %" PRIu64 "\n",
				lower(tcp_drop_ids[i], id, sizeof(id)),
				esc(tcp_drop_reason_str(i), l, sizeof(l)), ts.drops[i]);
	family(b, "smtpwall_tcp_held_segments", "gauge",
			"segments held back while a line is cut across segments");
	put(b, "smtpwall_tcp_held_segments %" PRIu64 "\n", ts.held_segs);
	family(b, "smtpwall_tcp_ooo_segments", "gauge", "segments in out-of-order queues");
	put(b, "smtpwall_tcp_ooo_segments %" PRIu64 "\n", ts.ooo_segs);
	family(b, "smtpwall_esmtp_bytes_total", "counter", "bytes the ESMTP inspector read");
	put(b, "smtpwall_esmtp_bytes_total{direction=\"client\"} %" PRIu64 "\n", ec.bytes[0]);
	put(b, "smtpwall_esmtp_bytes_total{direction=\"server\"} %" PRIu64 "\n", ec.bytes[1]);
	family(b, "smtpwall_esmtp_edits_total", "counter", "edits (masks) the inspector made");
	put(b, "smtpwall_esmtp_edits_total %" PRIu64 "\n", ec.edits);
	family(b, "smtpwall_esmtp_events_total", "counter",
			"ESMTP parameter and anomaly events, by name");
	for (i = 0; i < ESMTP_EV_MAX; i++)
		put(b, "smtpwall_esmtp_events_total{event=\"%s\"} %" PRIu64 "\n",
				esmtp_event_name(i), ec.events[i]);
	family(b, "smtpwall_esmtp_verdicts_total", "counter", "inspector verdicts, by verdict");
	for (i = 1; i < ESMTP_VERDICT_MAX; i++)
		put(b, "smtpwall_esmtp_verdicts_total{verdict=\"%s\"} %" PRIu64 "\n",
				esmtp_verdict_name(i), ec.verdicts[i]);
}

static void
put_flows_audit_ports(struct buf *b)
{
	struct flow_table_stats fs;
	unsigned int i;

	flows_sum(&fs);
	family(b, "smtpwall_flows", "gauge", "live flow-table entries, by state");
	for (i = 0; i < FLOW_ST_MAX; i++)
		put(b, "smtpwall_flows{state=\"%s\"} %u\n", flow_state_name((enum flow_state)i),
				fs.by_state[i]);
	family(b, "smtpwall_audit_records_total", "counter", "audit records, by outcome");
	put(b, "smtpwall_audit_records_total{outcome=\"written\"} %" PRIu64 "\n", audit_written());
	put(b, "smtpwall_audit_records_total{outcome=\"filtered\"} %" PRIu64 "\n",
			audit_filtered());
	put(b, "smtpwall_audit_records_total{outcome=\"lost\"} %" PRIu64 "\n",
			audit_ring_dropped());
	put(b, "smtpwall_audit_records_total{outcome=\"write_error\"} %" PRIu64 "\n",
			audit_write_errors());
	if (app.offline)
		return;
	family(b, "smtpwall_port_frames_total", "counter", "frames of each port, by direction");
	for (i = 0; i < app.n_ports; i++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(app.ports[i], &es) != 0)
			continue;
		put(b, "smtpwall_port_frames_total{port=\"%u\",direction=\"rx\"} %" PRIu64 "\n",
				app.ports[i], es.ipackets);
		put(b, "smtpwall_port_frames_total{port=\"%u\",direction=\"tx\"} %" PRIu64 "\n",
				app.ports[i], es.opackets);
		put(b, "smtpwall_port_frames_total{port=\"%u\",direction=\"missed\"} %" PRIu64 "\n",
				app.ports[i], es.imissed);
	}
}

/* show service-policy's counts: per class, and hits per inspect-map rule. */
static void
put_service_policy(struct buf *b)
{
	struct policy_class_counters *sum;
	struct pgen *g = pgen_reader_enter();
	char cls[96], pm[96], rule[160], act[96];
	unsigned int i, r;

	if (g == NULL || g->n_classes == 0) {
		pgen_reader_exit();
		return;
	}
	sum = calloc(g->n_classes, sizeof(*sum));
	if (sum == NULL) {
		pgen_reader_exit();
		b->oom = true;
		return;
	}
	pgen_sum(g, app.n_workers, sum);
	family(b, "smtpwall_class_connections_total", "counter",
			"connections classified into a class (show service-policy)");
	for (i = 0; i < g->n_classes; i++) {
		const struct policy_class *c = policy_class_get(g->policy, i);

		put(b, "smtpwall_class_connections_total{policy_map=\"%s\",class=\"%s\"} %" PRIu64 "\n",
				esc(c->pmap_name, pm, sizeof(pm)), esc(c->name, cls, sizeof(cls)),
				sum[i].conns);
	}
	family(b, "smtpwall_class_inspected_total", "counter",
			"inspected segments of a class, by outcome (packet, drop, reset-drop)");
	for (i = 0; i < g->n_classes; i++) {
		const struct policy_class *c = policy_class_get(g->policy, i);

		if (c->esmtp == NULL)
			continue;
		esc(c->pmap_name, pm, sizeof(pm));
		esc(c->name, cls, sizeof(cls));
		put(b,
				"smtpwall_class_inspected_total{policy_map=\"%s\",class=\"%s\",outcome="
				"\"packet\"} %" PRIu64 "\n"
				"smtpwall_class_inspected_total{policy_map=\"%s\",class=\"%s\",outcome="
				"\"drop\"} %" PRIu64 "\n"
				"smtpwall_class_inspected_total{policy_map=\"%s\",class=\"%s\",outcome="
				"\"reset_drop\"} %" PRIu64 "\n",
				pm, cls, sum[i].packets, pm, cls, sum[i].drop, pm, cls,
				sum[i].reset_drop);
	}
	family(b, "smtpwall_rule_hits_total", "counter",
			"hits of an inspect-map match rule in a class (show service-policy inspect esmtp)");
	for (i = 0; i < g->n_classes; i++) {
		const struct policy_class *c = policy_class_get(g->policy, i);

		if (c->esmtp == NULL)
			continue;
		esc(c->pmap_name, pm, sizeof(pm));
		esc(c->name, cls, sizeof(cls));
		for (r = 0; r < c->esmtp->n_rules && r < ESMTP_MAX_RULES; r++)
			put(b,
					"smtpwall_rule_hits_total{policy_map=\"%s\",class=\"%s\","
					"inspect_map=\"%s\",rule=\"%s\",action=\"%s\"} %" PRIu64
					"\n",
					pm, cls, c->imap_name,
					esc(policy_rule_label(g->policy, c->imap, r), rule,
							sizeof(rule)),
					esc(policy_rule_action_label(g->policy, c->imap, r), act,
							sizeof(act)),
					sum[i].rules[r]);
	}
	family(b, "smtpwall_policy_generation", "gauge",
			"the configuration generation new connections take (reloads + 1)");
	put(b, "smtpwall_policy_generation %u\n", g->id);
	pgen_reader_exit();
	free(sum);
}

char *
metrics_format(size_t *len)
{
	struct buf b = {.cap = 65536};

	b.p = malloc(b.cap);
	if (b.p == NULL)
		return NULL;
	b.p[0] = '\0';
	family(&b, "smtpwall_up", "gauge", "1: smtpwall runs and answers");
	put(&b, "smtpwall_up 1\n");
	family(&b, "smtpwall_workers", "gauge", "worker lcores");
	put(&b, "smtpwall_workers %u\n", app.n_workers);
	put_worker_counters(&b);
	put_inspection(&b);
	put_flows_audit_ports(&b);
	put_service_policy(&b);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* ------------------------------------------------------------------ */
/* The HTTP endpoint and the text file                                 */

struct client {
	int fd; /* -1: free */
	uint64_t since;
	size_t got; /* request bytes read */
	char req[HTTP_REQ_MAX];
	char *out; /* the answer being written */
	size_t out_len, out_off;
};

static int listen_fd = -1;
static struct client clients[HTTP_CLIENTS];
static char textfile[256];
static uint64_t textfile_every, textfile_next;

int
metrics_open(const struct config_metrics *cm)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;
	unsigned int i;

	for (i = 0; i < HTTP_CLIENTS; i++)
		clients[i].fd = -1;
	snprintf(textfile, sizeof(textfile), "%s", cm->textfile);
	textfile_every = (uint64_t)cm->interval * 1000000000u;
	textfile_next = 0;
	if (cm->listen[0] == '\0')
		return 0;
	memset(&ss, 0, sizeof(ss));
	if (cm->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(cm->port);
		memcpy(&s4->sin_addr, cm->addr, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(cm->port);
		memcpy(&s6->sin6_addr, cm->addr, 16);
		sl = sizeof(*s6);
	}
	listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 ||
			setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			bind(listen_fd, (struct sockaddr *)&ss, sl) != 0 ||
			listen(listen_fd, 16) != 0) {
		fprintf(stderr, "smtpwall: metrics.listen %s: %s\n", cm->listen, strerror(errno));
		if (listen_fd >= 0)
			close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	printf("smtpwall: metrics on http://%s/metrics\n", cm->listen);
	return 0;
}

static void
client_close(struct client *c)
{
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* The request is read: the answer, by its first line. */
static void
client_answer(struct client *c)
{
	static const char nf[] = "not found: GET /metrics\n";
	char head[256], *body = NULL;
	size_t blen = 0;
	int status = 200, hl;

	if (strncmp(c->req, "GET /metrics ", 13) == 0 ||
			strncmp(c->req, "GET /metrics?", 13) == 0) {
		body = metrics_format(&blen);
		if (body == NULL)
			status = 500;
	} else {
		status = strncmp(c->req, "GET ", 4) == 0 ? 404 : 405;
	}
	if (body == NULL) {
		blen = sizeof(nf) - 1;
		body = malloc(blen);
		if (body == NULL) {
			client_close(c);
			return;
		}
		memcpy(body, nf, blen);
	}
	hl = snprintf(head, sizeof(head),
			"HTTP/1.0 %d %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
			"Content-Length: %zu\r\nConnection: close\r\n\r\n",
			status,
			status == 200                   ? "OK"
					: status == 404 ? "Not Found"
							: "Error",
			blen);
	c->out = malloc((size_t)hl + blen);
	if (c->out == NULL) {
		free(body);
		client_close(c);
		return;
	}
	memcpy(c->out, head, (size_t)hl);
	memcpy(c->out + hl, body, blen);
	free(body);
	c->out_len = (size_t)hl + blen;
	c->out_off = 0;
}

static void
client_poll(struct client *c, uint64_t now)
{
	ssize_t n;

	if (now - c->since > HTTP_TIMEOUT_NS) {
		client_close(c);
		return;
	}
	if (c->out == NULL) {
		n = recv(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			client_close(c);
			return;
		}
		if (n > 0)
			c->got += (size_t)n;
		c->req[c->got] = '\0';
		if (strstr(c->req, "\r\n\r\n") == NULL && strstr(c->req, "\n\n") == NULL) {
			if (c->got == sizeof(c->req) - 1)
				client_close(c); /* no end of headers in 2 KB */
			return;
		}
		client_answer(c);
		if (c->fd < 0)
			return;
	}
	n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		client_close(c);
		return;
	}
	if (n > 0)
		c->out_off += (size_t)n;
	if (c->out_off == c->out_len)
		client_close(c);
}

/* Writes the text to textfile.tmp, then renames it over textfile. */
static void
textfile_write(void)
{
	char tmp[300];
	size_t len;
	char *text = metrics_format(&len);
	FILE *f;

	if (text == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", textfile);
	f = fopen(tmp, "w");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0 ||
			rename(tmp, textfile) != 0) {
		static bool told;

		if (!told)
			fprintf(stderr, "smtpwall: metrics.textfile %s: %s\n", textfile,
					strerror(errno));
		told = true;
	}
	free(text);
}

void
metrics_poll(void)
{
	uint64_t now = audit_tsc_to_ns(rte_rdtsc());
	unsigned int i;

	for (i = 0; i < HTTP_CLIENTS && listen_fd >= 0; i++) {
		if (clients[i].fd < 0) {
			int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd < 0)
				continue;
			clients[i].fd = fd;
			clients[i].since = now;
		}
		client_poll(&clients[i], now);
	}
	if (textfile[0] != '\0' && now >= textfile_next) {
		textfile_write();
		textfile_next = now + textfile_every;
	}
}

void
metrics_close(void)
{
	unsigned int i;

	if (textfile[0] != '\0')
		textfile_write();
	for (i = 0; i < HTTP_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
}
