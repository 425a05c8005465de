/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `inspect-maps` section (`policy-map type inspect esmtp NAME`):
 * parameters, anomalies and match rules (cfg_rule.c). Most parameters take
 * a short form (a scalar) or a mapping of an action and its options: one
 * walker reads both (cfg_walk_short).
 */
#include <string.h>
#include <strings.h>

#include "cfg_imap.h"

int
cfg_get_action(struct cfg_doc *d, yaml_node_t *v, const char *const *allowed,
		enum esmtp_action *out)
{
	unsigned int i, a;

	if (cfg_expect(d, v, YAML_SCALAR_NODE, "an action") != 0)
		return -1;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(sval(v), allowed[i]) == 0)
			break;
	if (allowed[i] == NULL)
		return cfg_get_enum(d, v, allowed, &a);
	for (a = 0; a < ESMTP_ACT_MAX; a++)
		if (strcmp(esmtp_action_name(a), sval(v)) == 0) {
			*out = (enum esmtp_action)a;
			return 0;
		}
	return cfg_error(d, v, "'%s' is not an action", sval(v));
}

/* The target of a short-form value: an action and what goes with it. */
struct act_opts {
	enum esmtp_action act;
	bool log, on;
	uint32_t bytes;
	yaml_node_t *domain;
};

/* An action among p->names. */
static int
load_action(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	return cfg_get_action(w->d, v, p->names, cfg_field(w, p));
}

#define ACTION(list, dflt) \
	{ \
		.name = "action", .type = CFG_ENUM, .names = list, .def = dflt, \
		.off = offsetof(struct act_opts, act), .load = load_action, \
	}
#define LOG_FLAG(dflt) \
	{ \
		.name = "log", .type = CFG_BOOL, .def = dflt, CFG_FIELD(struct act_opts, log), \
	}

static const char *const drop_log[] = {"drop-connection", "log", NULL};
static const char *const sc_actions[] = {"drop-connection", "log", "mask", NULL};
static const char *const md_actions[] = {"drop-connection", "reset", "log", NULL};
static const char *const ev_actions[] = {"drop-connection", "reset", "log", "mask", "none", NULL};

/* mail-relay: DOMAIN | false | {domain: D or [D...], action} */
static const struct cfg_param relay_params[] = {
		ACTION(drop_log, "drop-connection"),
		{
				.name = "domain",
				.type = CFG_OTHER,
				.def = "required",
				.help = "the local domain, or a list of them",
				.off = offsetof(struct act_opts, domain),
				.load = cfg_take_node,
				.missing = "mail-relay needs a domain",
		},
		CFG_END,
};
static const struct cfg_table relay_table = {
		.path = "inspect-maps.NAME.parameters.mail-relay",
		.what = "mail-relay",
		.params = relay_params,
		.scalar = &relay_params[1],
};

/* special-character: BOOL | {enabled, action} */
static const struct cfg_param sc_params[] = {
		ACTION(sc_actions, "mask"),
		{
				.name = "enabled",
				.type = CFG_BOOL,
				.def = "true",
				CFG_FIELD(struct act_opts, on),
		},
		CFG_END,
};
static const struct cfg_table sc_table = {
		.path = "inspect-maps.NAME.parameters.special-character",
		.what = "special-character",
		.params = sc_params,
		.scalar = &sc_params[1],
};

/* allow-tls: BOOL | {log} */
static const struct cfg_param tls_on = {
		.name = "allow-tls",
		.type = CFG_BOOL,
		CFG_FIELD(struct act_opts, on),
};
static const struct cfg_param tls_params[] = {LOG_FLAG("false"), CFG_END};
static const struct cfg_table tls_table = {
		.path = "inspect-maps.NAME.parameters.allow-tls",
		.what = "allow-tls",
		.params = tls_params,
		.scalar = &tls_on,
};

/* max-data: BYTES | {bytes, action} */
static const struct cfg_param md_params[] = {
		ACTION(md_actions, "drop-connection"),
		{
				.name = "bytes",
				.type = CFG_U32,
				.min = 0,
				.max = UINT32_MAX,
				.def = "required",
				CFG_FIELD(struct act_opts, bytes),
				.missing = "max-data needs bytes",
		},
		CFG_END,
};
static const struct cfg_table md_table = {
		.path = "inspect-maps.NAME.parameters.max-data",
		.what = "max-data",
		.params = md_params,
		.scalar = &md_params[1],
		.short_unless_map = true,
};

/* An anomaly: ACTION | {action, log} */
static const struct cfg_param ev_params[] = {
		ACTION(ev_actions, "as docs/inspection.md lists"),
		LOG_FLAG("as docs/inspection.md lists"),
		CFG_END,
};
static const struct cfg_table ev_table = {
		.path = "inspect-maps.NAME.anomalies.EVENT",
		.what = "an event",
		.params = ev_params,
		.scalar = &ev_params[0],
};

static struct esmtp_policy *
imap_esmtp(const struct cfg_walk *w)
{
	const struct imap_ref *r = w->target;

	return policy_imap_mut(((struct ld *)w->ctx)->p, r->imap);
}

static int
param_mode(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	uint64_t u;

	if (cfg_read(w, x, p, &u) != 0)
		return -1;
	esmtp_policy_set_mode(imap_esmtp(w), u ? ESMTP_MODE_SMTP : ESMTP_MODE_ESMTP);
	return 0;
}

/* true (the ASA's '*'), false, or neutral (beyond ASA) */
static int
param_banner(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct esmtp_policy *e = imap_esmtp(w);
	bool b;

	if (cfg_expect(w->d, x, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if (strcasecmp(sval(x), "neutral") == 0)
		esmtp_policy_set_mask_banner(e, ESMTP_BANNER_NEUTRAL);
	else if (cfg_bool_word(sval(x), &b))
		esmtp_policy_set_mask_banner(e, b ? ESMTP_BANNER_MASK : ESMTP_BANNER_KEEP);
	else
		return cfg_error(w->d, x, "'%s' is not one of: true, false, neutral", sval(x));
	return 0;
}

static int
param_auth_line(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	uint64_t u;

	if (cfg_read(w, x, p, &u) != 0)
		return -1;
	esmtp_policy_set_auth_line_max(imap_esmtp(w), (uint32_t)u);
	return 0;
}

/* A domain, or several kept as a comma-separated list. */
static int
relay_domains(struct cfg_doc *d, yaml_node_t *y, char *dom, size_t len)
{
	yaml_node_item_t *it;
	size_t used = 0;

	if (y->type != YAML_SEQUENCE_NODE)
		return cfg_get_str(d, y, dom, len);
	dom[0] = '\0';
	FOR_ITEMS(it, y)
	{
		yaml_node_t *item = node_of(d, *it);
		char one[64];
		size_t ol;

		if (cfg_get_str(d, item, one, sizeof(one)) != 0)
			return -1;
		ol = strlen(one);
		if (strchr(one, ',') != NULL || used + ol + 2 > len)
			return cfg_error(d, item, "bad or too many mail-relay domains");
		if (used != 0)
			dom[used++] = ',';
		memcpy(dom + used, one, ol + 1);
		used += ol;
	}
	if (used == 0)
		return cfg_error(d, y, "mail-relay domain list is empty");
	return 0;
}

static int
param_relay(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct esmtp_policy *e = imap_esmtp(w);
	struct act_opts a = {.act = ESMTP_ACT_DROP_CONN};
	struct cfg_walk aw = {w->d, &a, w->ctx, NULL};
	char dom[sizeof(e->relay_domain)];

	/* `false` is ASA's `no mail-relay`; any other scalar a domain. */
	if (x->type == YAML_SCALAR_NODE &&
			(strcasecmp(sval(x), "false") == 0 || strcasecmp(sval(x), "no") == 0 ||
					strcasecmp(sval(x), "off") == 0))
		return 0;
	if (cfg_walk_short(&aw, x, p->sub) != 0 || relay_domains(w->d, a.domain, dom, sizeof(dom)))
		return -1;
	if (esmtp_policy_set_mail_relay(e, dom, a.act) != 0)
		return cfg_error(w->d, a.domain, "bad mail-relay domain");
	return 0;
}

static int
param_special(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct esmtp_policy *e = imap_esmtp(w);
	struct act_opts a = {
			.act = (enum esmtp_action)e->ev[ESMTP_EV_ADDR_SPECIAL].action,
			.on = true,
	};
	struct cfg_walk aw = {w->d, &a, w->ctx, NULL};

	if (cfg_walk_short(&aw, x, p->sub) != 0)
		return -1;
	esmtp_policy_set_special_char(e, a.on, a.act);
	return 0;
}

static int
param_tls(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct act_opts a = {.on = true, .log = false};
	struct cfg_walk aw = {w->d, &a, w->ctx, NULL};

	if (cfg_walk_short(&aw, x, p->sub) != 0)
		return -1;
	esmtp_policy_set_allow_tls(imap_esmtp(w), a.on, a.log);
	return 0;
}

static int
param_chunking(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	uint64_t b;

	if (cfg_read(w, x, p, &b) != 0)
		return -1;
	esmtp_policy_set_chunking(imap_esmtp(w), b != 0);
	return 0;
}

static int
param_max_data(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct act_opts a = {.act = ESMTP_ACT_DROP_CONN};
	struct cfg_walk aw = {w->d, &a, w->ctx, NULL};

	if (cfg_walk_short(&aw, x, p->sub) != 0)
		return -1;
	esmtp_policy_set_max_data(imap_esmtp(w), a.bytes, a.act);
	return 0;
}

static int
verb_list(struct cfg_walk *w, yaml_node_t *y, const struct cfg_param *p)
{
	struct esmtp_policy *e = imap_esmtp(w);
	bool allow = strcmp(p->name, "allow") == 0;
	yaml_node_item_t *it;
	unsigned int u;

	if (cfg_expect(w->d, y, YAML_SEQUENCE_NODE, "a list of verbs") != 0)
		return -1;
	FOR_ITEMS(it, y)
	{
		yaml_node_t *s = node_of(w->d, *it);

		if (cfg_expect(w->d, s, YAML_SCALAR_NODE, "a verb") != 0)
			return -1;
		for (u = 0; u < ESMTP_VERB_MAX; u++)
			if (strcasecmp(esmtp_verb_name(u), sval(s)) == 0)
				break;
		if (u == ESMTP_VERB_MAX)
			return cfg_error(w->d, s, "unknown verb '%s'", sval(s));
		esmtp_policy_set_verb(e, (enum esmtp_verb)u, allow);
	}
	return 0;
}

static const struct cfg_param verbs_params[] = {
		{
				.name = "allow",
				.type = CFG_LIST,
				.def = "none",
				.help = "verbs added to the mode's set",
				.load = verb_list,
		},
		{
				.name = "deny",
				.type = CFG_LIST,
				.def = "none",
				.help = "verbs removed from it",
				.load = verb_list,
		},
		CFG_END,
};
static const struct cfg_table verbs_table = {
		.path = "inspect-maps.NAME.parameters.verbs",
		.what = "verbs",
		.params = verbs_params,
};

static const char *const modes[] = {"esmtp", "smtp", NULL};

/* In the order they are read (of two errors, the first here is reported). */
static const struct cfg_param params_params[] = {
		{
				.name = "mode",
				.type = CFG_ENUM,
				.names = modes,
				.def = "esmtp",
				.load = param_mode,
		},
		{
				.name = "mask-banner",
				.type = CFG_OTHER,
				.def = "false",
				.help = "bool, or neutral",
				.load = param_banner,
		},
		{
				.name = "auth-line-length",
				.type = CFG_U32,
				.min = 1,
				.max = 1u << 20,
				.def = "12288",
				.load = param_auth_line,
		},
		{
				.name = "mail-relay",
				.type = CFG_OTHER,
				.def = "false",
				.help = "a domain, false, or {domain, action}",
				.load = param_relay,
				.sub = &relay_table,
		},
		{
				.name = "special-character",
				.type = CFG_OTHER,
				.def = "false",
				.help = "bool, or {enabled, action}",
				.load = param_special,
				.sub = &sc_table,
		},
		{
				.name = "allow-tls",
				.type = CFG_OTHER,
				.def = "false",
				.help = "bool, or {log}",
				.load = param_tls,
				.sub = &tls_table,
		},
		{
				.name = "chunking",
				.type = CFG_BOOL,
				.def = "false",
				.load = param_chunking,
		},
		{
				.name = "max-data",
				.type = CFG_OTHER,
				.def = "0",
				.help = "bytes, or {bytes, action}",
				.load = param_max_data,
				.sub = &md_table,
		},
		{
				.name = "verbs",
				.type = CFG_MAP,
				.def = "none",
				.help = "{allow: [...], deny: [...]}",
				.sub = &verbs_table,
		},
		CFG_END,
};
static const struct cfg_table params_table = {
		.path = "inspect-maps.NAME.parameters",
		.what = "parameters",
		.params = params_params,
};

/* anomalies: {EVENT: ACTION | {action: A, log: B}} for the non-criterion events. */
static int
load_anomalies(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct cfg_doc *d = w->d;
	struct esmtp_policy *e = imap_esmtp(w);
	yaml_node_pair_t *pr;
	unsigned int u;

	(void)p;
	if (cfg_expect(d, x, YAML_MAPPING_NODE, "anomalies") != 0)
		return -1;
	FOR_PAIRS(pr, x)
	{
		yaml_node_t *k = node_of(d, pr->key), *ev = node_of(d, pr->value);
		struct act_opts a;
		struct cfg_walk aw = {d, &a, w->ctx, NULL};

		if (cfg_expect(d, k, YAML_SCALAR_NODE, "an event name") != 0)
			return -1;
		/* The criteria are rules (`rules:`); the other events are
		 * parameters and anomalies. */
		for (u = ESMTP_CRIT_MAX; u < ESMTP_EV_MAX; u++)
			if (strcmp(esmtp_event_name(u), sval(k)) == 0)
				break;
		if (u == ESMTP_EV_MAX)
			return cfg_error(d, k, "unknown event '%s'", sval(k));
		a.act = (enum esmtp_action)e->ev[u].action;
		a.log = e->ev[u].log;
		if (cfg_walk_short(&aw, ev, &ev_table) != 0)
			return -1;
		esmtp_policy_set_event(e, (enum esmtp_event_id)u, a.act, a.log);
	}
	return 0;
}

static const struct cfg_param imap_params[] = {
		{.name = "description", .type = CFG_TEXT, .def = "none", .help = "free text"},
		{
				.name = "parameters",
				.type = CFG_MAP,
				.def = "none set",
				.help = "the table below",
				.sub = &params_table,
		},
		{
				.name = "anomalies",
				.type = CFG_OTHER,
				.def = "as docs/inspection.md lists",
				.help = "EVENT: ACTION or {action, log}",
				.load = load_anomalies,
				.sub = &ev_table,
		},
		{
				.name = "rules",
				.type = CFG_LIST,
				.def = "none",
				.help = "match rules, in order",
				.load = cfg_load_rules,
				.sub = &cfg_rule_table,
		},
		CFG_END,
};

const struct cfg_table cfg_imap_table = {
		.path = "inspect-maps.NAME",
		.what = "an inspect map",
		.params = imap_params,
};

static int
imap_one(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v)
{
	struct ld *l = w->ctx;
	struct imap_ref r;
	struct cfg_walk iw = {w->d, &r, w->ctx, sval(k)};
	int imap;

	/* The keys first: a map is added only when its keys are known. */
	if (cfg_expect(w->d, v, YAML_MAPPING_NODE, cfg_imap_table.what) != 0 ||
			cfg_check_table_keys(w->d, v, &cfg_imap_table) != 0)
		return -1;
	if ((imap = policy_imap_add(l->p, sval(k))) < 0)
		return cfg_error(w->d, k, "more than %d inspect maps", POLICY_MAX_IMAPS);
	r.imap = (unsigned int)imap;
	return cfg_walk_map(&iw, v, &cfg_imap_table);
}

int
cfg_load_imaps(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	(void)p;
	if (cfg_ld(w) == NULL)
		return -1;
	return cfg_each_named(w, v, "inspect-maps", imap_one);
}
