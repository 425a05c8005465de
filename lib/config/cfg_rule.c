/* SPDX-License-Identifier: BSD-3-Clause */
/* Match rules of an inspect map: `match [not] CRITERION ...` and its action. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "cfg_imap.h"

/* A rule being read (the walk's target). */
struct rule_def {
	struct esmtp_rule r;
	unsigned int crit, rx;
	bool rx_class, have_action;
	enum esmtp_action act;
	unsigned int imap;
	yaml_node_t *crit_key;
};

struct set_arg {
	unsigned int n;
	const char *(*name)(unsigned int);
	const char *what;
	uint32_t set;
};

static int
set_member(struct cfg_doc *d, yaml_node_t *s, void *arg)
{
	struct set_arg *a = arg;
	unsigned int i;

	for (i = 0; i < a->n; i++)
		if (strcasecmp(a->name(i), sval(s)) == 0) {
			a->set |= 1u << i;
			return 0;
		}
	return cfg_error(d, s, "unknown %s '%s'", a->what, sval(s));
}

static int
crit_kind(unsigned int crit)
{
	switch (crit) {
	case ESMTP_CRIT_CMD_VERB:
	case ESMTP_CRIT_MIME_ENCODING:
	case ESMTP_CRIT_EHLO_REPLY_PARAMETER:
		return 1; /* set */
	case ESMTP_CRIT_SENDER_ADDRESS_REGEX:
	case ESMTP_CRIT_MIME_FILETYPE_REGEX:
		return 2; /* regex */
	default:
		return 0; /* numeric */
	}
}

/* A numeric criterion: N or {gt: N} */
static const struct cfg_param gt_params[] = {
		{
				.name = "gt",
				.type = CFG_U32,
				.min = 0,
				.max = UINT32_MAX - 1,
				.def = "required",
				.help = "fires when the value becomes greater",
				CFG_FIELD(struct esmtp_rule, gt),
				.missing = "%s needs gt",
		},
		CFG_END,
};
static const struct cfg_table gt_table = {
		.path = "inspect-maps.NAME.rules[].match.NUMERIC",
		.what = "a threshold",
		.params = gt_params,
		.scalar = &gt_params[0],
		.short_unless_map = true,
};

static int
crit_set(struct cfg_doc *d, struct rule_def *rd, yaml_node_t *ck, yaml_node_t *cv)
{
	struct set_arg a = {0, NULL, NULL, 0};

	if (rd->crit == ESMTP_CRIT_CMD_VERB) {
		a.n = ESMTP_VERB_MAX;
		a.name = esmtp_verb_name;
		a.what = "verb";
	} else if (rd->crit == ESMTP_CRIT_MIME_ENCODING) {
		a.n = ESMTP_ENC_MAX;
		a.name = esmtp_encoding_name;
		a.what = "MIME encoding";
	} else {
		a.n = ESMTP_EHLO_MAX;
		a.name = esmtp_ehlo_name;
		a.what = "EHLO keyword";
	}
	if (cfg_each_scalar(d, cv, sval(ck), set_member, &a) != 0)
		return -1;
	rd->r.set = a.set;
	return 0;
}

static int
crit_regex(struct cfg_walk *w, struct rule_def *rd, yaml_node_t *cv)
{
	static const char *const rx_keys[] = {"regex", "class", NULL};
	struct cfg_doc *d = w->d;
	struct ld *l = w->ctx;
	char name[POLICY_NAME_MAX];
	yaml_node_t *x = cv;
	int i;

	if (cv->type == YAML_MAPPING_NODE) {
		if (cfg_check_keys(d, cv, rx_keys) != 0)
			return -1;
		if (cv->data.mapping.pairs.top - cv->data.mapping.pairs.start != 1)
			return cfg_error(d, cv, "give either regex or class");
		x = cfg_map_get(d, cv, "class");
		rd->rx_class = x != NULL;
		if (x == NULL)
			x = cfg_map_get(d, cv, "regex");
	}
	if (cfg_get_name(d, x, name, "a regex name") != 0)
		return -1;
	i = rd->rx_class ? policy_find_regex_class(l->p, name) : policy_find_regex(l->p, name);
	if (i < 0)
		return cfg_error(d, x, "unknown regex%s '%s'", rd->rx_class ? " class" : "", name);
	rd->rx = (unsigned int)i;
	return 0;
}

/* match: {CRITERION: VALUE}, exactly one */
static int
rule_match(struct cfg_walk *w, yaml_node_t *m, const struct cfg_param *p)
{
	struct rule_def *rd = w->target;
	struct cfg_doc *d = w->d;
	yaml_node_t *ck, *cv;
	unsigned int crit;

	if (cfg_expect(d, m, YAML_MAPPING_NODE, p->name) != 0)
		return -1;
	if (m->data.mapping.pairs.top - m->data.mapping.pairs.start != 1)
		return cfg_error(d, m, "a rule matches exactly one criterion");
	ck = node_of(d, m->data.mapping.pairs.start->key);
	cv = node_of(d, m->data.mapping.pairs.start->value);
	if (cfg_expect(d, ck, YAML_SCALAR_NODE, "a criterion") != 0)
		return -1;
	for (crit = 0; crit < ESMTP_CRIT_MAX; crit++)
		if (strcmp(esmtp_crit_name(crit), sval(ck)) == 0)
			break;
	if (crit == ESMTP_CRIT_MAX)
		return cfg_error(d, ck, "unknown criterion '%s' (see docs/configuration.md)",
				sval(ck));
	rd->crit = crit;
	rd->r.crit = (uint8_t)crit;
	rd->crit_key = ck;
	switch (crit_kind(crit)) {
	case 0: {
		struct cfg_walk gw = {d, &rd->r, w->ctx, sval(ck)};

		return cfg_walk_short(&gw, cv, &gt_table);
	}
	case 1:
		return crit_set(d, rd, ck, cv);
	default:
		return crit_regex(w, rd, cv);
	}
}

static const char *const rule_actions[] = {
		"drop-connection", "reset", "log", "mask", "rate-limit", NULL};

static int
rule_action(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	static const char *const rate_keys[] = {"rate-limit", NULL};
	struct rule_def *rd = w->target;
	struct cfg_doc *d = w->d;

	rd->have_action = true;
	if (x->type == YAML_MAPPING_NODE) {
		yaml_node_t *rate;

		if (cfg_check_keys(d, x, rate_keys) != 0)
			return -1;
		if ((rate = cfg_map_get(d, x, "rate-limit")) == NULL)
			return cfg_error(d, x, "empty action");
		if (cfg_get_u32(d, rate, 1, 1000000, &rd->r.rate) != 0)
			return -1;
		rd->act = ESMTP_ACT_RATE_LIMIT;
	} else {
		if (cfg_get_action(d, x, p->names, &rd->act) != 0)
			return -1;
		if (rd->act == ESMTP_ACT_RATE_LIMIT)
			return cfg_error(d, x, "rate-limit needs a rate: {rate-limit: N}");
	}
	/* ASA: mask only where a portion can be masked out. */
	if (rd->act == ESMTP_ACT_MASK && rd->crit != ESMTP_CRIT_CMD_VERB &&
			rd->crit != ESMTP_CRIT_EHLO_REPLY_PARAMETER)
		return cfg_error(d, x,
				"action 'mask' is only valid for cmd-verb and ehlo-reply-parameter");
	return 0;
}

static const struct cfg_param rule_params[] = {
		{.name = "description", .type = CFG_TEXT, .def = "none", .help = "free text"},
		{
				.name = "match",
				.type = CFG_OTHER,
				.def = "required",
				.help = "{CRITERION: VALUE}, one criterion",
				.load = rule_match,
				.sub = &gt_table,
				.missing = "a rule needs a match",
		},
		{
				.name = "not",
				.type = CFG_BOOL,
				.def = "false",
				.help = "match not",
				.off = offsetof(struct rule_def, r.negate),
				.size = 1,
		},
		{
				.name = "action",
				.type = CFG_OTHER,
				.names = rule_actions,
				.def = "log",
				.help = "drop-connection, reset, log, mask, or {rate-limit: N}",
				.load = rule_action,
		},
		{
				.name = "log",
				.type = CFG_BOOL,
				.def = "false",
				.help = "also log (108004)",
				.off = offsetof(struct rule_def, r.log),
				.size = 1,
		},
		CFG_END,
};

const struct cfg_table cfg_rule_table = {
		.path = "inspect-maps.NAME.rules[]",
		.what = "a match rule",
		.params = rule_params,
};

static int
load_rule(struct cfg_walk *w, unsigned int imap, yaml_node_t *rn)
{
	struct ld *l = w->ctx;
	struct rule_def rd;
	struct cfg_walk rw = {w->d, &rd, w->ctx, NULL};
	int rc;

	memset(&rd, 0, sizeof(rd));
	rd.act = ESMTP_ACT_LOG;
	if (cfg_walk_map(&rw, rn, &cfg_rule_table) != 0)
		return -1;
	if (!rd.have_action && !rd.r.log)
		return cfg_error(w->d, rn,
				"a rule needs an action (drop-connection, reset, log, mask, {rate-limit: N}) or log: true");
	if (rd.act == ESMTP_ACT_LOG)
		rd.r.log = 1;
	rd.r.action = (uint8_t)rd.act;
	rc = policy_imap_add_rule(l->p, imap, &rd.r, rd.rx, rd.rx_class);
	if (rc == -ENOSPC)
		return cfg_error(w->d, rn, "more than %d match rules in one inspect map",
				ESMTP_MAX_RULES);
	if (rc < 0)
		return cfg_error(w->d, rn, "bad match rule");
	return 0;
}

int
cfg_load_rules(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	const struct imap_ref *r = w->target;
	yaml_node_item_t *it;

	if (cfg_expect(w->d, x, YAML_SEQUENCE_NODE, p->name) != 0)
		return -1;
	FOR_ITEMS(it, x)
	{
		if (load_rule(w, r->imap, node_of(w->d, *it)) != 0)
			return -1;
	}
	return 0;
}
