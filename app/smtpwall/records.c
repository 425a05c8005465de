/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The audit records of the data path: inspector events (1080xx), limits
 * (2010xx), the IOS audit trail (session start and stop, with the bytes
 * each side sent). A worker fills a record and pushes it into its own
 * ring; the control lcore formats and writes (audit.c).
 */
#include "records.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pgen.h"
#include "policy.h"
#include "worker_state.h"

static const char *
action_phrase(uint8_t action)
{
	switch (action) {
	case ESMTP_ACT_DROP_CONN:
		return "Dropped connection for";
	case ESMTP_ACT_RESET:
		return "Reset connection for";
	case ESMTP_ACT_MASK:
		return "Masked header flags for";
	default:
		return "Dropped";
	}
}

static void
conn_of(const struct worker *w, const struct wk_flow *f, struct log_conn *c)
{
	const struct flow_entry *e = wk_entry_of(f);
	const struct flow_key *k = &e->key;
	bool a_is_client = e->init_dir == 0;
	bool client_inside = w->wire->port_inside[f->init_port];

	memset(c, 0, sizeof(*c));
	c->family = k->family;
	memcpy(c->src, a_is_client ? k->addr_a : k->addr_b, 16);
	memcpy(c->dst, a_is_client ? k->addr_b : k->addr_a, 16);
	c->sport = a_is_client ? k->port_a : k->port_b;
	c->dport = a_is_client ? k->port_b : k->port_a;
	strcpy(c->src_if, client_inside ? "inside" : "outside");
	strcpy(c->dst_if, client_inside ? "outside" : "inside");
}

/*
 * Starts an audit record of this moment, unless the worker's limiter (may
 * be NULL) says too many; then fill it and rec_push() it.
 */
bool
rec_begin(struct worker *w, struct log_limiter *lim, uint32_t msgid, uint8_t severity,
		struct log_rec *r)
{
	if (lim != NULL && !log_limiter_allow(lim, wk_now_ns(w))) {
		w->st.audit_suppressed++;
		return false;
	}
	memset(r, 0, sizeof(*r));
	r->msgid = msgid;
	r->severity = severity;
	r->ts_ns = wk_wall_ns(w); /* the real clock, so lines match the MTAs' logs */
	return true;
}

/* Hands a record to the control lcore; a full ring is counted. */
void
rec_push(struct worker *w, const struct log_rec *r)
{
	if (!log_ring_push(w->audit.log, r))
		w->st.audit_ring_full++;
}

void
rec_text(struct worker *w, uint8_t severity, const char *text, size_t len)
{
	struct log_rec r;

	rec_begin(w, NULL, LOG_RAW, severity, &r);
	log_rec_set_text(&r, text, len, NULL, 0);
	rec_push(w, &r);
}

void
rec_debug(struct worker *w, const struct wk_flow *f, int c2s, const char *what, const uint8_t *line,
		size_t len)
{
	struct log_conn c;
	struct log_rec r;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], text[LOG_TEXT_MAX], l[100];
	size_t i, n = 0;
	int k;

	if (!rec_begin(w, &w->audit.debug_log_limit, LOG_RAW, 7, &r))
		return;
	/* The line as it came, without its end, unprintable bytes as '.'. */
	for (i = 0; line != NULL && i < len && n + 1 < sizeof(l); i++)
		if (line[i] != '\r' && line[i] != '\n')
			l[n++] = line[i] >= 0x20 && line[i] < 0x7f ? (char)line[i] : '.';
	l[n] = '\0';
	conn_of(w, f, &c);
	inet_ntop(c.family == 6 ? AF_INET6 : AF_INET, c.src, a, sizeof(a));
	inet_ntop(c.family == 6 ? AF_INET6 : AF_INET, c.dst, b, sizeof(b));
	k = snprintf(text, sizeof(text), "%%SMTPWALL-7-DEBUG_ESMTP: %s:%u -> %s:%u %s: %s%s%s", a,
			c.sport, b, c.dport, c2s ? "client" : "server", what, n ? ": " : "", l);
	if (k < 0)
		return;
	log_rec_set_text(
			&r, text, (size_t)k < sizeof(text) ? (size_t)k : sizeof(text) - 1, NULL, 0);
	rec_push(w, &r);
}

void
rec_event(struct worker *w, struct wk_flow *f, const struct esmtp_event *ev)
{
	struct log_rec r;
	char text[96];
	size_t n;

	if (!(ev->flags & ESMTP_EVF_LOG) || ev->audit == 0 || !f->alert ||
			!rec_begin(w, &w->audit.log_limit, ev->audit, log_severity(ev->audit), &r))
		return;
	r.response = ev->dir == ESMTP_DIR_S2C;
	conn_of(w, f, &r.conn);
	switch (ev->audit) {
	case LOG_ASA_108002:
	case LOG_ASA_108003:
		log_rec_set_text(&r, ev->value, ev->value_len, NULL, 0);
		break;
	case LOG_ASA_108006:
		/* value: "declared actual", 64-bit sizes */
		log_rec_set_numbers(&r, ev->value, ev->value_len);
		break;
	case LOG_ASA_108007:
		break;
	default: {
		const char *cls = "ESMTP Classification";
		char head[64];

		if (ev->rule != ESMTP_RULE_NONE && f->gen != NULL) {
			/* ASA: "matched Class 2: cmd RCPT count gt 100" */
			n = (size_t)snprintf(text, sizeof(text), "matched Class %u: %s",
					(unsigned int)ev->rule + 1,
					policy_rule_label(f->gen->policy, f->imap, ev->rule));
		} else {
			cls = "ESMTP Parameter";
			n = (size_t)snprintf(text, sizeof(text), "%s: %.*s",
					esmtp_event_name(ev->id), (int)ev->value_len, ev->value);
		}
		if (n >= sizeof(text))
			n = sizeof(text) - 1;
		if (ev->audit == LOG_ASA_108005)
			snprintf(head, sizeof(head), "%s", cls);
		else
			snprintf(head, sizeof(head), "%s: %s", cls, action_phrase(ev->action));
		log_rec_set_text(&r, head, strlen(head), text, n);
		break;
	}
	}
	rec_push(w, &r);
}

/* The connection of a packet, client = sender (for limit audit lines). */
static void
conn_from_pkt(const struct worker *w, const struct pkt_info *pi, uint16_t in_port,
		struct log_conn *c)
{
	bool inside = w->wire->port_inside[in_port];

	memset(c, 0, sizeof(*c));
	c->family = pi->addr_len == 4 ? 4 : 6;
	memcpy(c->src, pi->src, pi->addr_len);
	memcpy(c->dst, pi->dst, pi->addr_len);
	c->sport = pi->sport;
	c->dport = pi->dport;
	strcpy(c->src_if, inside ? "inside" : "outside");
	strcpy(c->dst_if, inside ? "outside" : "inside");
}

void
rec_limit(struct worker *w, const struct pkt_info *pi, uint16_t in_port, uint32_t msgid,
		uint32_t count, uint32_t limit)
{
	struct log_rec r;

	if (!rec_begin(w, &w->audit.limit_log_limit, msgid, log_severity(msgid), &r))
		return;
	r.n1 = count + 1;
	r.n2 = limit;
	conn_from_pkt(w, pi, in_port, &r.conn);
	rec_push(w, &r);
}

void
rec_noconn(struct worker *w, const struct pkt_info *pi, uint16_t in_port)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {{PKT_TCP_SYN, "SYN"}, {PKT_TCP_RST, "RST"}, {PKT_TCP_FIN, "FIN"},
			{PKT_TCP_PSH, "PSH"}, {PKT_TCP_ACK, "ACK"}, {PKT_TCP_URG, "URG"}};
	char flags[32];
	size_t n = 0;
	unsigned int i;
	struct log_rec r;

	if (!rec_begin(w, &w->audit.noconn_log_limit, LOG_ASA_106015, log_severity(LOG_ASA_106015),
			    &r))
		return;
	flags[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (pi->tcp_flags & names[i].bit)
			n += (size_t)snprintf(flags + n, sizeof(flags) - n, "%s%s", n ? " " : "",
					names[i].name);
	conn_from_pkt(w, pi, in_port, &r.conn);
	log_rec_set_text(&r, n ? flags : "none", n ? n : 4, NULL, 0);
	rec_push(w, &r);
}

/*
 * IOS `audit-trail on`: one record when a session starts and one when it
 * ends, with the bytes each side sent (%FW-6-SESS_AUDIT_TRAIL...).
 */
/* Payload bytes a side sent, as far as they were inspected in order. */
static uint64_t
stream_bytes(const struct wk_flow *f, int d)
{
	const struct tcp_half *h = &f->tcp.h[d];

	if (!(h->flags & TCP_H_SYN))
		return 0;
	return (uint32_t)(h->next - h->isn - 1);
}

void
rec_session(struct worker *w, struct wk_flow *f, int stop)
{
	struct log_conn c;
	struct log_rec r;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], text[LOG_TEXT_MAX];
	const char *proto = f->imap < f->gen->n_imaps &&
					policy_imap_esmtp(f->gen->policy, f->imap) != NULL &&
					policy_imap_esmtp(f->gen->policy, f->imap)->mode ==
							ESMTP_MODE_SMTP
			? "smtp"
			: "esmtp";
	int n;

	conn_of(w, f, &c);
	inet_ntop(c.family == 6 ? AF_INET6 : AF_INET, c.src, a, sizeof(a));
	inet_ntop(c.family == 6 ? AF_INET6 : AF_INET, c.dst, b, sizeof(b));
	if (stop)
		n = snprintf(text, sizeof(text),
				"%%FW-6-SESS_AUDIT_TRAIL: Stop %s session: initiator (%s:%u) sent %llu "
				"bytes -- responder (%s:%u) sent %llu bytes",
				proto, a, c.sport, (unsigned long long)stream_bytes(f, 0), b,
				c.dport, (unsigned long long)stream_bytes(f, 1));
	else
		n = snprintf(text, sizeof(text),
				"%%FW-6-SESS_AUDIT_TRAIL_START: Start %s session: initiator (%s:%u) -- "
				"responder (%s:%u)",
				proto, a, c.sport, b, c.dport);
	rec_begin(w, NULL, LOG_RAW, 6, &r);
	r.conn = c;
	log_rec_set_text(&r, text, n > 0 && (size_t)n < sizeof(text) ? (size_t)n : strlen(text),
			NULL, 0);
	rec_push(w, &r);
}
