/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show running-config`: the compiled policy written back in ASA syntax,
 * defaults included (the built-in maps, class timeouts left to the global
 * ones are not printed, as the ASA leaves them out). Regex patterns are
 * compiled and not kept: their names are printed.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy_priv.h"

static void
put_addr(struct out *o, const struct policy_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (a->family == 0) {
		policy_put(o, " any");
		return;
	}
	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, s, sizeof(s));
	if (a->plen == (a->family == 4 ? 32 : 128))
		policy_put(o, " host %s", s);
	else if (a->family == 4) {
		uint32_t m = a->plen == 0 ? 0 : htonl(~0u << (32 - a->plen));
		char ms[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &m, ms, sizeof(ms));
		policy_put(o, " %s %s", s, ms);
	} else {
		policy_put(o, " %s/%u", s, a->plen);
	}
}

static void
put_ports(struct out *o, const struct policy_ports *r)
{
	if (r->lo == 0 && r->hi == 65535)
		return;
	if (r->lo == r->hi)
		policy_put(o, " eq %u", r->lo);
	else if (r->lo == 0)
		policy_put(o, " lt %u", r->hi + 1u);
	else if (r->hi == 65535)
		policy_put(o, " gt %u", r->lo - 1u);
	else
		policy_put(o, " range %u %u", r->lo, r->hi);
}

static void
put_acls(struct out *o, const struct policy *p)
{
	unsigned int a, i;

	for (a = 0; a < p->n_acls; a++) {
		const struct policy_acl *l = &p->acls[a];

		for (i = 0; i < l->n; i++) {
			const struct policy_ace *e = &p->aces[l->first + i];
			bool l4 = e->proto == 6 || e->proto == 17;

			policy_put(o, "access-list %s extended %s %s", l->name,
					e->permit ? "permit" : "deny", policy_proto_name(e->proto));
			put_addr(o, &e->src);
			if (l4)
				put_ports(o, &e->sport);
			put_addr(o, &e->dst);
			if (l4)
				put_ports(o, &e->dport);
			policy_put(o, "\n");
		}
	}
}

static void
put_regex(struct out *o, const struct policy *p)
{
	unsigned int i, j;

	for (i = 0; i < p->n_regex; i++)
		policy_put(o, "regex %s (compiled: %u positions)\n", p->regex[i].name,
				p->regex[i].n_pos);
	for (i = 0; i < p->n_rxclass; i++) {
		policy_put(o, "class-map type regex match-any %s\n", p->rxclass[i].name);
		for (j = 0; j < p->rxclass[i].n; j++)
			policy_put(o, " match regex %s\n", p->regex[p->rxclass[i].members[j]].name);
	}
}

static void
put_cmaps(struct out *o, const struct policy *p)
{
	unsigned int i;

	for (i = 0; i < p->n_cmaps; i++) {
		const struct policy_cmap *c = &p->cmaps[i];

		if (c->synthetic)
			continue;
		policy_put(o, "class-map %s\n", c->name);
		if (c->m.any)
			policy_put(o, " match any\n");
		if (c->m.default_inspection)
			policy_put(o, " match default-inspection-traffic\n");
		if (c->m.acl != POLICY_NONE)
			policy_put(o, " match access-list %s\n", p->acls[c->m.acl].name);
		if (c->m.proto != 0) {
			policy_put(o, " match port %s", policy_proto_name(c->m.proto));
			if (c->m.ports.lo == c->m.ports.hi)
				policy_put(o, " eq %u\n", c->m.ports.lo);
			else
				policy_put(o, " range %u %u\n", c->m.ports.lo, c->m.ports.hi);
		}
	}
}

static void
put_imap(struct out *o, const struct policy_imap *m)
{
	const struct esmtp_policy *e = &m->esmtp;
	unsigned int i;

	policy_put(o, "policy-map type inspect esmtp %s\n parameters\n", m->name);
	if (e->mask_banner)
		policy_put(o, "  mask-banner%s\n",
				e->mask_banner == ESMTP_BANNER_NEUTRAL ? " neutral" : "");
	if (e->special_char)
		policy_put(o, "  special-character action %s\n",
				esmtp_action_name(e->ev[ESMTP_EV_ADDR_SPECIAL].action));
	if (e->relay_domain[0] != '\0')
		policy_put(o, "  mail-relay %s action %s\n", e->relay_domain,
				esmtp_action_name(e->ev[ESMTP_EV_MAIL_RELAY].action));
	if (e->allow_tls)
		policy_put(o, "  allow-tls%s\n",
				e->ev[ESMTP_EV_TLS_STARTED].log ? " action log" : "");
	if (e->chunking)
		policy_put(o, "  chunking\n");
	if (e->max_data != 0)
		policy_put(o, "  max-data %llu\n", (unsigned long long)e->max_data);
	for (i = 0; i < e->n_rules; i++)
		policy_put(o, " match %s\n  %s\n", m->label[i], m->act_label[i]);
}

static void
put_class(struct out *o, const struct policy *p, const struct policy_class *c)
{
	unsigned int i;

	policy_put(o, " class %s\n", c->name);
	if (c->has_inspect && c->inspect == POLICY_INSPECT_NONE)
		policy_put(o, "  no inspect esmtp\n");
	else if (c->has_inspect && c->imap != POLICY_NONE && !c->ios)
		policy_put(o, "  inspect %s %s\n", policy_inspect_name(c->inspect),
				p->imaps[c->imap].name);
	else if (c->has_inspect)
		policy_put(o, "  inspect %s\n", policy_inspect_name(c->inspect));
	for (i = 0; i < POLICY_LIMIT_MAX; i++)
		if (c->limits[i] != 0)
			policy_put(o, "  set connection %s %u\n", policy_limit_name(i),
					c->limits[i]);
	if (c->limits[POLICY_LIMIT_EMBRYONIC_CONN_MAX] != 0 ||
			c->limits[POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX] != 0)
		policy_put(o, "  set connection embryonic-action %s\n",
				c->emb_action == POLICY_EMB_DROP ? "drop" : "intercept");
	for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
		if (c->timeouts[i] != POLICY_TIMEOUT_UNSET)
			policy_put(o, "  set connection timeout %s %u:%02u:%02u\n",
					policy_timeout_name(i), c->timeouts[i] / 3600,
					c->timeouts[i] / 60 % 60, c->timeouts[i] % 60);
}

static void
put_statics(struct out *o, const struct policy *p)
{
	unsigned int i;

	for (i = 0; i < p->n_statics; i++) {
		const struct policy_static *s = &p->statics[i];
		char r[INET6_ADDRSTRLEN], m[INET6_ADDRSTRLEN];

		inet_ntop(s->family == 4 ? AF_INET : AF_INET6, s->real, r, sizeof(r));
		inet_ntop(s->family == 4 ? AF_INET : AF_INET6, s->mapped, m, sizeof(m));
		policy_put(o, "static (%s,%s) %s %s/%u tcp %u %u udp %u\n", s->real_if,
				s->mapped_if, m, r, s->plen, s->tcp_max_conns, s->tcp_em_limit,
				s->udp_max_conns);
	}
}

static void
put_ios(struct out *o, const struct policy *p)
{
	const struct policy_ios *i = &p->ios;

	if (!i->configured)
		return;
	policy_put(o,
			"ip inspect max-incomplete high %u\nip inspect max-incomplete low %u\n"
			"ip inspect one-minute high %u\nip inspect one-minute low %u\n"
			"ip inspect tcp max-incomplete host %u block-time %u\n%s%s%s",
			i->max_incomplete_high, i->max_incomplete_low, i->one_minute_high,
			i->one_minute_low, i->host_max_incomplete, i->host_block_time,
			i->alert ? "" : "ip inspect alert-off\n",
			i->audit_trail ? "ip inspect audit-trail\n" : "",
			i->intercept ? "ip inspect max-incomplete intercept\n" : "");
}

static void
put_logging(struct out *o, const struct policy *p)
{
	const struct policy_logging *l = &p->logging;
	unsigned int i;

	policy_put(o, "logging %s", policy_log_dest_name(l->dest));
	if (l->dest == POLICY_LOG_FILE)
		policy_put(o, " %s", l->file);
	policy_put(o, "\nlogging trap %u\nlogging facility %u\n", l->level, 16u + l->facility);
	if (l->rate != 0)
		policy_put(o, "logging rate-limit %u %u\n", l->rate, l->interval);
	for (i = 0; i < l->n_msg_limits; i++)
		policy_put(o, "logging rate-limit %u %u message %u\n", l->msg_limits[i].rate,
				l->msg_limits[i].interval, l->msg_limits[i].msgid);
	if (l->device_id[0] != '\0')
		policy_put(o, "logging device-id string %s\n", l->device_id);
	for (i = 0; i < l->n_hosts; i++) {
		const struct policy_log_host *h = &l->hosts[i];
		char a[64];

		inet_ntop(h->addr.family == 4 ? AF_INET : AF_INET6, h->addr.addr, a, sizeof(a));
		policy_put(o, "logging host %s %u/%u%s\n", a, h->proto ? 6u : 17u, h->port,
				h->format ? " format rfc5424" : "");
	}
}

int
policy_format_running_config(const struct policy *p, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	unsigned int i, j;

	if (buf != NULL && len != 0)
		buf[0] = '\0';
	put_logging(&o, p);
	policy_put(&o, "!\n");
	put_regex(&o, p);
	put_acls(&o, p);
	put_statics(&o, p);
	policy_put(&o, "!\n");
	put_cmaps(&o, p);
	policy_put(&o, "!\n");
	for (i = 0; i < p->n_imaps; i++)
		if (!p->imaps[i].synthetic)
			put_imap(&o, &p->imaps[i]);
	policy_put(&o, "!\n");
	for (i = 0; i < p->n_pmaps; i++) {
		const struct policy_pmap *pm = &p->pmaps[i];

		if (pm->synthetic || i == p->ios_pmap)
			continue;
		policy_put(&o, "policy-map %s\n", pm->name);
		for (j = 0; j < pm->n; j++)
			put_class(&o, p, &pm->classes[j]);
	}
	policy_put(&o, "!\n");
	if (p->global_pmap != POLICY_NONE)
		policy_put(&o, "service-policy %s global\n", p->pmaps[p->global_pmap].name);
	for (i = 0; i < POLICY_MAX_PAIRS; i++)
		if (p->pair_pmap[i] != POLICY_NONE && p->pair_pmap[i] != p->global_pmap)
			policy_put(&o, "service-policy %s interface pair %u\n",
					p->pmaps[p->pair_pmap[i]].name, i);
	if (p->ios_pmap != POLICY_NONE) {
		const struct policy_pmap *pm = &p->pmaps[p->ios_pmap];

		policy_put(&o, "!\n");
		put_ios(&o, p);
		for (j = 0; j < pm->n; j++) {
			const struct policy_class *c = &pm->classes[j];

			policy_put(&o, "ip inspect name %s %s%s%s", p->imaps[c->imap].name,
					policy_inspect_name(c->inspect),
					c->alert ? " alert on" : " alert off",
					c->audit_trail ? " audit-trail on" : "");
			if (p->imaps[c->imap].esmtp.max_data != 0)
				policy_put(&o, " max-data %llu",
						(unsigned long long)p->imaps[c->imap]
								.esmtp.max_data);
			if (c->timeouts[POLICY_TIMEOUT_IDLE] != POLICY_TIMEOUT_UNSET)
				policy_put(&o, " timeout %u", c->timeouts[POLICY_TIMEOUT_IDLE]);
			policy_put(&o, " (class %s)\n", c->name);
		}
	}
	return (int)o.need;
}

unsigned int
policy_chain_get(
		const struct policy *p, unsigned int pair, const struct policy_class *const **chain)
{
	if (pair >= POLICY_MAX_PAIRS)
		pair = 0;
	*chain = p->chain[pair];
	return p->chain_len[pair];
}

const char *
policy_cmap_describe(const struct policy *p, unsigned int cmap, char *buf, size_t len)
{
	const struct policy_cmap *c = cmap < p->n_cmaps ? &p->cmaps[cmap] : NULL;
	struct out o = {buf, len, 0};

	if (len != 0)
		buf[0] = '\0';
	if (c == NULL)
		return buf;
	if (c->m.any)
		policy_put(&o, "match any; ");
	if (c->m.default_inspection)
		policy_put(&o, "match default-inspection-traffic (tcp/25); ");
	if (c->m.acl != POLICY_NONE)
		policy_put(&o, "match access-list %s; ", p->acls[c->m.acl].name);
	if (c->m.proto != 0)
		policy_put(&o, "match port %s %u-%u; ", policy_proto_name(c->m.proto),
				c->m.ports.lo, c->m.ports.hi);
	if (c->m.side != POLICY_SIDE_ANY)
		policy_put(&o, "entering by the %s side; ",
				c->m.side == POLICY_SIDE_INSIDE ? "inside" : "outside");
	if (o.need >= 2 && o.need < len)
		buf[o.need - 2] = '\0';
	return buf;
}
