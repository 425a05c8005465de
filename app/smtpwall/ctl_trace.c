/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `packet-tracer inside tcp 198.18.0.1 40000 198.18.0.2 25`: what a new
 * connection would get from the running policy (lib/policy's
 * classification, the very call a worker makes for a SYN): the class that
 * decides inspection and the inspect map, the class whose limits and
 * timeouts apply, the static covering the server, and why — each class of
 * the chain in order, matched or not. Nothing is sent, no counter moves.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "app.h"
#include "ctl.h"
#include "pgen.h"
#include "policy.h"

struct text {
	char *buf;
	size_t len, used;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		char *nb;

		if (t->buf == NULL)
			return;
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < t->len - t->used)
			break;
		t->len = 2 * t->len + (size_t)n;
		nb = realloc(t->buf, t->len);
		if (nb == NULL)
			free(t->buf);
		t->buf = nb;
	}
	t->used += (size_t)n;
}

/* "inside,tcp,SRC,SPORT,DST,DPORT[,PAIR]" into k. */
static int
parse_trace(const char *params, struct policy_key *k)
{
	char buf[256], *tok[8], *save = NULL, *end;
	unsigned long v[3];
	int n = 0, proto, i;

	memset(k, 0, sizeof(*k));
	if (params == NULL || strlen(params) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, params);
	for (tok[n] = strtok_r(buf, ",", &save); tok[n] != NULL && n < 7;
			tok[++n] = strtok_r(NULL, ",", &save))
		;
	if (n != 6 && n != 7)
		return -EINVAL;
	if (strcmp(tok[0], "inside") == 0)
		k->side = POLICY_SIDE_INSIDE;
	else if (strcmp(tok[0], "outside") == 0)
		k->side = POLICY_SIDE_OUTSIDE;
	else
		return -EINVAL;
	proto = policy_parse_proto(tok[1]);
	if (proto != 6 && proto != 17)
		return -EINVAL;
	k->proto = (uint8_t)proto;
	for (i = 0; i < 3; i++) {
		const char *s = tok[i == 2 ? 6 : 3 + 2 * i];

		if (i == 2 && n == 6) {
			v[i] = 0;
			break;
		}
		v[i] = strtoul(s, &end, 10);
		if (*end != '\0' || *s == '\0' || v[i] > (i == 2 ? POLICY_MAX_PAIRS - 1 : 65535))
			return -EINVAL;
	}
	k->sport = (uint16_t)v[0];
	k->dport = (uint16_t)v[1];
	k->pair = (uint8_t)v[2];
	if (inet_pton(AF_INET, tok[2], k->src) == 1 && inet_pton(AF_INET, tok[4], k->dst) == 1)
		k->family = 4;
	else if (inet_pton(AF_INET6, tok[2], k->src) == 1 &&
			inet_pton(AF_INET6, tok[4], k->dst) == 1)
		k->family = 6;
	else
		return -EINVAL;
	return 0;
}

static void
put_hms(struct text *t, uint32_t s)
{
	if (s == 0)
		put(t, "never");
	else
		put(t, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
}

static const char *
class_where(const struct policy_class *c)
{
	static __thread char where[POLICY_NAME_MAX * 2 + 32];

	snprintf(where, sizeof(where), "%s%s, class %s", c->ios ? "ip inspect, " : "policy-map ",
			c->ios ? c->imap_name : c->pmap_name, c->name);
	return where;
}

static void
trace(struct text *t, const struct policy *p, const struct policy_key *k)
{
	const struct policy_class *const *chain;
	struct policy_match m;
	unsigned int i, n, phase = 1;
	char why[512];
	static const char *const to_names[] = {"embryonic", "idle", "half-closed"};
	const uint32_t global_to[] = {app.cfg.timeouts.embryonic, app.cfg.timeouts.idle,
			app.cfg.timeouts.half_closed};

	policy_classify(p, k, &m);
	n = policy_chain_get(p, k->pair, &chain);
	put(t, "Phase: %u\nType: CLASSIFY\nSubtype: class-map walk (port pair %u, %u classes)\n",
			phase++, k->pair, n);
	put(t, "Result: ALLOW\nAdditional Information:\n");
	for (i = 0; i < n; i++) {
		const struct policy_class *c = chain[i];
		bool hit = policy_cmap_match(p, c->cmap, k);

		policy_cmap_describe(p, c->cmap, why, sizeof(why));
		put(t, " %s %s: %s (%s)%s%s\n", hit ? "+" : "-", class_where(c),
				hit ? "matches" : "no match", why,
				c == m.inspect ? "; decides inspection" : "",
				c == m.conn ? "; decides connection settings" : "");
	}
	put(t, "\nPhase: %u\nType: INSPECT\n", phase++);
	if (app.no_inspect) {
		put(t,
				"Subtype: none\nResult: ALLOW\nAdditional Information:\n"
				" smtpwall runs with --no-inspect: every connection is forwarded untouched\n");
	} else if (m.inspect == NULL) {
		put(t,
				"Subtype: none\nResult: ALLOW\nAdditional Information:\n"
				" no class that decides inspection matches: forwarded untouched\n");
	} else if (m.esmtp == NULL) {
		put(t, "Subtype: none\nResult: ALLOW\nConfig:\n %s\n  %s\n", class_where(m.inspect),
				m.inspect->inspect == POLICY_INSPECT_NONE ? "no inspect esmtp"
									  : "inspect (not TCP)");
		put(t, "Additional Information:\n forwarded untouched\n");
	} else {
		put(t, "Subtype: %s\nResult: ALLOW\nConfig:\n %s\n  inspect %s %s\n",
				policy_inspect_name(m.inspect->inspect), class_where(m.inspect),
				policy_inspect_name(m.inspect->inspect), m.inspect->imap_name);
		put(t,
				"Additional Information:\n inspect map %s: lib/tcp reassembly and the ESMTP "
				"inspector see every segment\n",
				m.inspect->imap_name);
	}
	put(t,
			"\nPhase: %u\nType: CONN-SETTINGS\nSubtype: connection limits and timeouts\n"
			"Result: ALLOW\n",
			phase++);
	if (m.conn != NULL)
		put(t, "Config:\n %s\n", class_where(m.conn));
	put(t, "Additional Information:\n");
	for (i = 0; i < POLICY_LIMIT_MAX; i++) {
		uint32_t v = m.conn != NULL ? m.conn->limits[i] : 0;

		put(t, " %s ", policy_limit_name(i));
		if (v == 0)
			put(t, "unlimited\n");
		else
			put(t, "%u (over it: %%ASA-%u)\n", v, policy_limit_msgid(i));
	}
	if (m.conn != NULL &&
			(m.conn->limits[POLICY_LIMIT_EMBRYONIC_CONN_MAX] != 0 ||
					m.conn->limits[POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX] != 0))
		put(t, " embryonic limit crossed: %s\n",
				m.conn->emb_action == POLICY_EMB_DROP
						? "the SYN is dropped"
						: "TCP Intercept (SYN cookies)");
	for (i = 0; i < POLICY_TIMEOUT_MAX && i < 3; i++) {
		bool own = m.conn != NULL && m.conn->timeouts[i] != POLICY_TIMEOUT_UNSET;

		put(t, " timeout %s ", to_names[i]);
		put_hms(t, own ? m.conn->timeouts[i] : global_to[i]);
		put(t, " (%s)\n", own ? "the class's" : "global timeouts");
	}
	if (m.stat != NULL) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(m.stat->family == 4 ? AF_INET : AF_INET6, m.stat->real, a, sizeof(a));
		put(t,
				"\nPhase: %u\nType: STATIC\nSubtype: legacy static limits\nResult: ALLOW\n"
				"Config:\n static (%s,%s) %s/%u tcp %u %u\n",
				phase++, m.stat->real_if, m.stat->mapped_if, a, m.stat->plen,
				m.stat->tcp_max_conns, m.stat->tcp_em_limit);
	}
	put(t, "\nResult:\ninput-interface: %s (port pair %u)\n",
			k->side == POLICY_SIDE_INSIDE ? "inside" : "outside", k->pair);
	put(t, "class: %s\ninspect map: %s\nconnection settings: %s\n",
			m.inspect != NULL ? m.inspect->name : "(none)",
			m.esmtp != NULL && !app.no_inspect ? m.inspect->imap_name
							   : "(none: not inspected)",
			m.conn != NULL ? m.conn->name : "(none: global timeouts, no limits)");
	put(t, "Action: allow%s\n",
			m.esmtp != NULL && !app.no_inspect ? " (inspected)"
							   : " (forwarded untouched)");
}

/* /smtpwall/packet_tracer,inside|outside,tcp|udp,SRC,SPORT,DST,DPORT[,PAIR][,@LINE] */
static int
tel_packet_tracer(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct policy_key k;
	struct text t = {malloc(4096), 4096, 0};
	struct pgen *g;
	char key[256];
	const char *at = params != NULL ? strstr(params, ",@") : NULL;
	unsigned long from = 0;

	RTE_SET_USED(cmd);
	if (t.buf == NULL)
		return -ENOMEM;
	if (at != NULL && params != NULL && (size_t)(at - params) < sizeof(key)) {
		/* ",@N": smtpwall-ctl asks for the rest from line N. */
		snprintf(key, sizeof(key), "%.*s", (int)(at - params), params);
		from = strtoul(at + 2, NULL, 10);
		params = key;
	}
	if (parse_trace(params, &k) != 0) {
		free(t.buf);
		return -EINVAL;
	}
	g = pgen_reader_enter();
	if (g != NULL)
		trace(&t, g->policy, &k);
	pgen_reader_exit();
	if (t.buf == NULL)
		return -ENOMEM;
	put(&t, "%s", ""); /* NUL-terminated even when empty */
	ctl_text_reply(d, t.buf, from);
	free(t.buf);
	return 0;
}

int
ctl_trace_register(void)
{
	return rte_telemetry_register_cmd("/smtpwall/packet_tracer", tel_packet_tracer,
			"packet-tracer: what a new connection gets. Parameters: "
			"inside|outside,tcp|udp,src,sport,dst,dport[,pair]");
}
