/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names, the ASA text of match rules and actions, per-class counters and
 * the `show service-policy inspect esmtp` layout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy_priv.h"

#define NAME(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) ? tab[i] : "?")

static const char *const inspect_names[] = {
#define _(e, s) s,
		foreach_policy_inspect
#undef _
};

static const char *const limit_names[] = {
#define _(e, s, id) s,
		foreach_policy_limit
#undef _
};

static const uint32_t limit_ids[] = {
#define _(e, s, id) id,
		foreach_policy_limit
#undef _
};

static const char *const log_dest_names[] = {
#define _(e, s) s,
		foreach_policy_log_dest
#undef _
};

const char *
policy_inspect_name(unsigned int inspect)
{
	return NAME(inspect_names, inspect);
}

const char *
policy_limit_name(unsigned int limit)
{
	return NAME(limit_names, limit);
}

uint32_t
policy_limit_msgid(unsigned int limit)
{
	return limit < POLICY_LIMIT_MAX ? limit_ids[limit] : 0;
}

const char *
policy_timeout_name(unsigned int timeout)
{
	return timeout < POLICY_TIMEOUT_MAX ? flow_timeout_name((enum flow_timeout)timeout) : "?";
}

const char *
policy_log_dest_name(unsigned int dest)
{
	return NAME(log_dest_names, dest);
}

/* The criterion as the ASA CLI spells it (a switch, so that a criterion
 * added to lib/esmtp without a text here shows up as its YAML key). */
static const char *
crit_asa(unsigned int crit)
{
	switch (crit) {
	case ESMTP_CRIT_CMD_LINE_LENGTH:
		return "cmd line length";
	case ESMTP_CRIT_CMD_RCPT_COUNT:
		return "cmd RCPT count";
	case ESMTP_CRIT_CMD_VERB:
		return "cmd verb";
	case ESMTP_CRIT_BODY_LINE_LENGTH:
		return "body line length";
	case ESMTP_CRIT_BODY_LENGTH:
		return "body length";
	case ESMTP_CRIT_HEADER_LINE_LENGTH:
		return "header line length";
	case ESMTP_CRIT_HEADER_LENGTH:
		return "header length";
	case ESMTP_CRIT_HEADER_TO_FIELDS_COUNT:
		return "header to-fields count";
	case ESMTP_CRIT_INVALID_RECIPIENTS_COUNT:
		return "invalid-recipients count";
	case ESMTP_CRIT_SENDER_ADDRESS_LENGTH:
		return "sender-address length";
	case ESMTP_CRIT_SENDER_ADDRESS_REGEX:
		return "sender-address regex";
	case ESMTP_CRIT_MIME_FILENAME_LENGTH:
		return "MIME filename length";
	case ESMTP_CRIT_MIME_FILETYPE_REGEX:
		return "MIME filetype regex";
	case ESMTP_CRIT_MIME_ENCODING:
		return "MIME encoding";
	case ESMTP_CRIT_EHLO_REPLY_PARAMETER:
		return "ehlo-reply-parameter";
	default:
		return esmtp_crit_name(crit);
	}
}

/* Appends to buf[*used..len) (truncating). */
static void app(char *buf, size_t len, size_t *used, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));

static void
app(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

static void
set_names(char *buf, size_t len, size_t *used, uint32_t set, const char *(*name)(unsigned int))
{
	unsigned int b;

	for (b = 0; b < 32; b++)
		if (set & (1u << b))
			app(buf, len, used, " %s", name(b));
}

void
policy_rule_labels(struct policy *p, unsigned int imap, unsigned int rule)
{
	struct policy_imap *m = &p->imaps[imap];
	const struct esmtp_rule *r = &m->esmtp.rules[rule];
	char *l = m->label[rule];
	char *a = m->act_label[rule];
	size_t used = 0;

	l[0] = '\0';
	app(l, POLICY_LABEL_MAX, &used, "%s%s", r->negate ? "not " : "", crit_asa(r->crit));
	switch (r->crit) {
	case ESMTP_CRIT_CMD_VERB:
		set_names(l, POLICY_LABEL_MAX, &used, r->set, esmtp_verb_name);
		break;
	case ESMTP_CRIT_MIME_ENCODING:
		set_names(l, POLICY_LABEL_MAX, &used, r->set, esmtp_encoding_name);
		break;
	case ESMTP_CRIT_EHLO_REPLY_PARAMETER:
		set_names(l, POLICY_LABEL_MAX, &used, r->set, esmtp_ehlo_name);
		break;
	case ESMTP_CRIT_SENDER_ADDRESS_REGEX:
	case ESMTP_CRIT_MIME_FILETYPE_REGEX:
		app(l, POLICY_LABEL_MAX, &used, " %s%s", m->rx_class[rule] ? "class " : "",
				m->rx_name[rule]);
		break;
	default:
		app(l, POLICY_LABEL_MAX, &used, " gt %u", r->gt);
		break;
	}
	used = 0;
	a[0] = '\0';
	app(a, POLICY_ACT_LABEL_MAX, &used, "%s", esmtp_action_name(r->action));
	if (r->action == ESMTP_ACT_RATE_LIMIT)
		app(a, POLICY_ACT_LABEL_MAX, &used, " %u", r->rate);
	if (r->log && r->action != ESMTP_ACT_LOG)
		app(a, POLICY_ACT_LABEL_MAX, &used, " log");
}

const char *
policy_rule_label(const struct policy *p, unsigned int imap, unsigned int rule)
{
	if (imap >= p->n_imaps || rule >= p->imaps[imap].esmtp.n_rules)
		return "?";
	return p->imaps[imap].label[rule];
}

const char *
policy_rule_action_label(const struct policy *p, unsigned int imap, unsigned int rule)
{
	if (imap >= p->n_imaps || rule >= p->imaps[imap].esmtp.n_rules)
		return "?";
	return p->imaps[imap].act_label[rule];
}

void
policy_counters_account(struct policy_class_counters *c, const struct esmtp_result *r)
{
	unsigned int i;

	c->packets++;
	if (r->verdict == ESMTP_DROP_PACKET || r->verdict == ESMTP_DROP_CONN)
		c->drop++;
	else if (r->verdict == ESMTP_RESET)
		c->reset_drop++;
	for (i = 0; i < r->n_events && i < ESMTP_MAX_EVENTS; i++) {
		const struct esmtp_event *e = &r->events[i];

		if (e->id < ESMTP_EV_MAX)
			c->events[e->id]++;
		if (e->rule < ESMTP_MAX_RULES)
			c->rules[e->rule]++;
	}
}

void
policy_counters_merge(struct policy_class_counters *dst, const struct policy_class_counters *src,
		unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		uint64_t *d = (uint64_t *)&dst[i];
		const uint64_t *s = (const uint64_t *)&src[i];

		/* Nothing but uint64_t fields. */
		for (k = 0; k < sizeof(dst[i]) / sizeof(uint64_t); k++)
			d[k] += s[k];
	}
}

_Static_assert(sizeof(struct policy_class_counters) % sizeof(uint64_t) == 0,
		"counters are uint64_t only");

void
policy_put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->need < o->len ? o->buf + o->need : NULL,
			o->need < o->len ? o->len - o->need : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->need += (size_t)n;
}

static const struct policy_class_counters zero_counters;

static void
put_inspect(struct out *o, const struct policy *p, const struct policy_class *c,
		const struct policy_class_counters *k)
{
	const struct policy_imap *m = &p->imaps[c->imap];
	const struct esmtp_policy *e = &m->esmtp;
	unsigned int i;

	if (c->ios)
		policy_put(o, "      Inspect: %s (ip inspect name %s %s), packet %llu, drop %llu, reset-drop %llu\n",
				policy_inspect_name(c->inspect), m->name,
				policy_inspect_name(c->inspect), (unsigned long long)k->packets,
				(unsigned long long)k->drop, (unsigned long long)k->reset_drop);
	else
		policy_put(o, "      Inspect: %s %s, packet %llu, drop %llu, reset-drop %llu\n",
				policy_inspect_name(c->inspect), m->name,
				(unsigned long long)k->packets, (unsigned long long)k->drop,
				(unsigned long long)k->reset_drop);
	if (e->mask_banner)
		policy_put(o, "        mask-banner%s, count %llu\n",
				e->mask_banner == ESMTP_BANNER_NEUTRAL ? " neutral" : "",
				(unsigned long long)k->events[ESMTP_EV_BANNER_MASKED]);
	if (e->special_char)
		policy_put(o, "        special-character action %s, count %llu\n",
				esmtp_action_name(e->ev[ESMTP_EV_ADDR_SPECIAL].action),
				(unsigned long long)k->events[ESMTP_EV_ADDR_SPECIAL]);
	if (e->relay_domain[0] != '\0')
		policy_put(o, "        mail-relay %s action %s, count %llu\n", e->relay_domain,
				esmtp_action_name(e->ev[ESMTP_EV_MAIL_RELAY].action),
				(unsigned long long)k->events[ESMTP_EV_MAIL_RELAY]);
	if (e->allow_tls)
		policy_put(o, "        allow-tls%s, count %llu\n",
				e->ev[ESMTP_EV_TLS_STARTED].log ? " action log" : "",
				(unsigned long long)k->events[ESMTP_EV_TLS_STARTED]);
	if (e->max_data != 0)
		policy_put(o, "        max-data %llu, count %llu\n",
				(unsigned long long)e->max_data,
				(unsigned long long)k->events[ESMTP_EV_MAX_DATA]);
	for (i = 0; i < e->n_rules; i++) {
		char match[POLICY_LABEL_MAX + 8];

		snprintf(match, sizeof(match), "match %s", m->label[i]);
		policy_put(o, "        %-38s %s, packet %llu\n", match, m->act_label[i],
				(unsigned long long)k->rules[i]);
	}
}

static void
put_conn(struct out *o, const struct policy_class *c, const struct policy_class_counters *k)
{
	unsigned int i;
	uint64_t drops = 0;
	int any = 0;

	for (i = 0; i < POLICY_LIMIT_MAX; i++)
		if (c->limits[i] != 0)
			any = 1;
	if (any) {
		policy_put(o, "      Set connection policy:");
		for (i = 0; i < POLICY_LIMIT_MAX; i++) {
			if (c->limits[i] != 0)
				policy_put(o, " %s %u", policy_limit_name(i), c->limits[i]);
			drops += k->limit_drops[i];
		}
		if (c->limits[POLICY_LIMIT_EMBRYONIC_CONN_MAX] != 0 ||
				c->limits[POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX] != 0)
			policy_put(o, " embryonic-action %s",
					c->emb_action == POLICY_EMB_DROP ? "drop" : "intercept");
		policy_put(o, "\n        connections %llu, drop %llu, intercept %llu\n",
				(unsigned long long)k->conns, (unsigned long long)drops,
				(unsigned long long)k->intercepts);
	}
	any = 0;
	for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
		if (c->timeouts[i] != POLICY_TIMEOUT_UNSET)
			any = 1;
	if (any) {
		policy_put(o, "      Set connection timeout policy:");
		for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
			if (c->timeouts[i] != POLICY_TIMEOUT_UNSET)
				policy_put(o, " %s %u:%02u:%02u", policy_timeout_name(i),
						c->timeouts[i] / 3600, c->timeouts[i] / 60 % 60,
						c->timeouts[i] % 60);
		policy_put(o, "\n");
	}
}

static void
put_pmap(struct out *o, const struct policy *p, unsigned int pmap,
		const struct policy_class_counters *c, bool inspect_only)
{
	const struct policy_pmap *pm = &p->pmaps[pmap];
	unsigned int i;

	policy_put(o, "  Service-policy: %s\n", pm->name);
	for (i = 0; i < pm->n; i++) {
		const struct policy_class *cl = &pm->classes[i];
		const struct policy_class_counters *k = c != NULL ? &c[cl->id] : &zero_counters;
		bool insp = cl->has_inspect && cl->inspect != POLICY_INSPECT_NONE;

		if (inspect_only && !insp)
			continue;
		policy_put(o, "    Class-map: %s\n", cl->name);
		if (insp)
			put_inspect(o, p, cl, k);
		else if (cl->has_inspect)
			policy_put(o, "      No inspection (no-inspect esmtp), connections %llu\n",
					(unsigned long long)k->conns);
		if (!inspect_only && cl->has_conn)
			put_conn(o, cl, k);
	}
}

int
policy_format_service_policy(const struct policy *p, const struct policy_class_counters *c,
		bool inspect_only, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	unsigned int i;

	if (buf != NULL && len != 0)
		buf[0] = '\0';
	if (p->ios_pmap != POLICY_NONE) {
		policy_put(&o, "IOS inspection (ip inspect):\n");
		put_pmap(&o, p, p->ios_pmap, c, inspect_only);
		policy_put(&o, "\n");
	}
	if (p->global_pmap != POLICY_NONE) {
		policy_put(&o, "Global policy:\n");
		put_pmap(&o, p, p->global_pmap, c, inspect_only);
	}
	for (i = 0; i < POLICY_MAX_PAIRS; i++) {
		if (p->pair_pmap[i] == POLICY_NONE || p->pair_pmap[i] == p->global_pmap)
			continue;
		policy_put(&o, "\nInterface pair %u:\n", i);
		put_pmap(&o, p, p->pair_pmap[i], c, inspect_only);
	}
	return (int)o.need;
}
