/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `policy-maps` section (NAME -> classes, each `class` + inspect,
 * no-inspect, set-connection) and `service-policy`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfg_policy.h"

_Static_assert(POLICY_TIMEOUT_EMBRYONIC == 0 && (int)POLICY_TIMEOUT_MAX <= (int)FLOW_TO_MAX,
		"the class timeouts come first in lib/flow's list");

/* ---------------------------------------------------------------------- */
/* inspect: {smtp: ...} and IOS rules                                     */

static const struct cfg_param smtp_params[] = {
		{
				.name = "alert",
				.type = CFG_BOOL,
				.def = "the global switch",
				CFG_FIELD(struct smtp_opts, alert),
		},
		{
				.name = "audit-trail",
				.type = CFG_BOOL,
				.def = "the global switch",
				CFG_FIELD(struct smtp_opts, audit_trail),
		},
		{
				.name = "max-data",
				.type = CFG_U32,
				.min = 0,
				.max = UINT32_MAX,
				.def = "0",
				.help = "bytes per connection, then drop-connection; 0: no limit",
				CFG_FIELD(struct smtp_opts, max_data),
		},
		{
				.name = "timeout",
				.type = CFG_DURATION,
				.def = "flows.timeouts.idle",
				.help = "idle",
				CFG_FIELD(struct smtp_opts, timeout),
		},
		CFG_END,
};

static const struct cfg_table smtp_table = {
		.path = "policy-maps.NAME[].inspect.smtp",
		.what = "inspection options",
		.params = smtp_params,
};

int
cfg_load_smtp_opts(struct cfg_doc *d, yaml_node_t *v, struct smtp_opts *o)
{
	struct cfg_walk w = {d, o, NULL, NULL};
	bool b;

	o->alert = o->audit_trail = -1;
	o->max_data = 0;
	o->timeout = POLICY_TIMEOUT_UNSET;
	if (v->type == YAML_SCALAR_NODE) {
		if (cfg_get_bool(d, v, &b) != 0)
			return -1;
		if (!b)
			return cfg_error(d, v, "use no-inspect to turn inspection off");
		return 0;
	}
	return cfg_walk_map(&w, v, &smtp_table);
}

/* ---------------------------------------------------------------------- */
/* A class of a policy-map                                                 */

struct class_def {
	struct policy_class c;
	const char *pmap_name;
	char name[POLICY_NAME_MAX]; /* of the class-map */
	char label[POLICY_NAME_MAX];
};

static int
class_inspect(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	static const char *const keys[] = {"esmtp", "smtp", NULL};
	struct class_def *cd = w->target;
	struct policy_class *c = &cd->c;
	struct ld *l = w->ctx;
	struct cfg_doc *d = w->d;
	yaml_node_t *es, *sm;
	char name[POLICY_NAME_MAX];
	struct smtp_opts o;
	int i;

	c->has_inspect = 1;
	if (v->type == YAML_SCALAR_NODE) {
		/* `inspect esmtp` alone: _default_esmtp_map; `inspect smtp`. */
		if (strcmp(sval(v), "esmtp") == 0) {
			c->inspect = POLICY_INSPECT_ESMTP;
			c->imap = (uint16_t)policy_find_imap(l->p, "_default_esmtp_map");
			return 0;
		}
		if (strcmp(sval(v), "smtp") != 0)
			return cfg_error(d, v, "'%s' is not an inspection (esmtp, smtp)", sval(v));
		c->inspect = POLICY_INSPECT_SMTP;
		i = policy_imap_add_smtp(l->p, cd->label, POLICY_INSPECT_SMTP, -1, 0);
		if (i < 0)
			return cfg_error(d, v, "more than %d inspect maps", POLICY_MAX_IMAPS);
		c->imap = (uint16_t)i;
		return 0;
	}
	if (cfg_expect(d, v, YAML_MAPPING_NODE, p->name) != 0)
		return -1;
	if (v->data.mapping.pairs.start == v->data.mapping.pairs.top)
		return cfg_error(d, v, "inspect: name esmtp or smtp");
	if (cfg_check_keys(d, v, keys) != 0)
		return -1;
	es = cfg_map_get(d, v, "esmtp");
	sm = cfg_map_get(d, v, "smtp");
	if (es != NULL && sm != NULL)
		/* IOS: "SMTP and ESMTP inspection cannot be configured together". */
		return cfg_error(d, node_of(d, v->data.mapping.pairs.start[1].key),
				"smtp and esmtp inspection cannot be configured on the same class");
	if (es != NULL) {
		c->inspect = POLICY_INSPECT_ESMTP;
		if (es->type == YAML_SCALAR_NODE &&
				(strcmp(sval(es), "true") == 0 || strcmp(sval(es), "yes") == 0)) {
			c->imap = (uint16_t)policy_find_imap(l->p, "_default_esmtp_map");
			return 0;
		}
		if (cfg_get_name(d, es, name, "an inspect map") != 0)
			return -1;
		if ((i = policy_find_imap(l->p, name)) < 0)
			return cfg_error(d, es, "unknown inspect map '%s'", name);
		c->imap = (uint16_t)i;
		return 0;
	}
	if (cfg_load_smtp_opts(d, sm, &o) != 0)
		return -1;
	c->inspect = POLICY_INSPECT_SMTP;
	i = policy_imap_add_smtp(l->p, cd->label, POLICY_INSPECT_SMTP, o.alert, o.max_data);
	if (i < 0)
		return cfg_error(d, sm, "more than %d inspect maps", POLICY_MAX_IMAPS);
	c->imap = (uint16_t)i;
	c->alert = o.alert < 0 ? 0xff : (uint8_t)o.alert;
	c->audit_trail = o.audit_trail < 0 ? 0xff : (uint8_t)o.audit_trail;
	if (o.timeout != POLICY_TIMEOUT_UNSET) {
		c->timeouts[POLICY_TIMEOUT_IDLE] = o.timeout;
		c->has_conn = 1;
	}
	return 0;
}

static int
no_inspect_item(struct cfg_doc *d, yaml_node_t *s, void *arg)
{
	(void)arg;
	if (strcmp(sval(s), "esmtp") != 0 && strcmp(sval(s), "smtp") != 0)
		return cfg_error(d, s, "'%s' is not an inspection (esmtp, smtp)", sval(s));
	return 0;
}

static int
class_no_inspect(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	struct class_def *cd = w->target;

	if (cfg_each_scalar(w->d, v, p->name, no_inspect_item, NULL) != 0)
		return -1;
	cd->c.has_inspect = 1;
	cd->c.inspect = POLICY_INSPECT_NONE;
	return 0;
}

/* A class timeout: 0 or at least the list's class minimum (ASA: embryonic 0:0:5, half-closed 0:0:30). */
static int
class_timeout(struct cfg_walk *w, yaml_node_t *t, const struct cfg_param *p)
{
	uint64_t s;

	if (cfg_read(w, t, p, &s) != 0)
		return -1;
	if (s != 0 && s < p->min)
		return cfg_error(w->d, t, "%s timeout must be 0 or at least %u:%02u:%02u", p->name,
				(unsigned int)p->min / 3600, (unsigned int)p->min / 60 % 60,
				(unsigned int)p->min % 60);
	cfg_store(w, p, s);
	return 0;
}

/* The class timeouts: lib/flow's list up to the first without a class minimum. */
static const struct cfg_param timeout_params[] = {
#define _(e, key, dflt, cls) \
	{ \
			.name = (cls) >= 0 ? key : NULL, \
			.type = CFG_DURATION, \
			.min = (cls) > 0 ? (uint64_t)(cls) : 0, \
			.def = "flows.timeouts." key, \
			.off = offsetof(struct class_def, c.timeouts) + \
					FLOW_TO_##e * sizeof(uint32_t), \
			.size = sizeof(uint32_t), \
			.load = class_timeout, \
	},
		FLOW_FOREACH_TIMEOUT(_)
#undef _
				CFG_END,
};

static const struct cfg_table timeout_table = {
		.path = "policy-maps.NAME[].set-connection.timeout",
		.what = "timeout",
		.params = timeout_params,
};

static int
emb_action(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct class_def *cd = w->target;

	(void)p;
	/* ASA always intercepts; drop is for servers behind their own SYN cookies. */
	if (x->type != YAML_SCALAR_NODE ||
			(strcmp(sval(x), "intercept") != 0 && strcmp(sval(x), "drop") != 0))
		return cfg_error(w->d, x, "embryonic-action must be intercept or drop");
	cd->c.emb_action = strcmp(sval(x), "drop") == 0 ? POLICY_EMB_DROP : POLICY_EMB_INTERCEPT;
	return 0;
}

static const char *const emb_actions[] = {"intercept", "drop", NULL};

static const struct cfg_param conn_params[] = {
#define _(e, key, msgid) \
	{ \
			.name = key, \
			.type = CFG_U32, \
			.max = POLICY_CONN_LIMIT_MAX, \
			.def = "0", \
			.help = "0: unlimited", \
			.off = offsetof(struct class_def, c.limits) + \
					POLICY_LIMIT_##e * sizeof(uint32_t), \
			.size = sizeof(uint32_t), \
	},
		foreach_policy_limit
#undef _
		{
				.name = "embryonic-action",
				.type = CFG_ENUM,
				.names = emb_actions,
				.def = "intercept",
				.help = "over an embryonic limit: SYN cookies (intercept.md) or drop",
				.load = emb_action,
		},
		{
				.name = "timeout",
				.type = CFG_MAP,
				.def = "flows.timeouts",
				.sub = &timeout_table,
		},
		CFG_END,
};

static int
conn_given(struct cfg_walk *w, yaml_node_t *v)
{
	struct class_def *cd = w->target;

	(void)v;
	cd->c.has_conn = 1;
	return 0;
}

static const struct cfg_table conn_table = {
		.path = "policy-maps.NAME[].set-connection",
		.what = "set-connection",
		.params = conn_params,
		.pre = conn_given,
};

static int
class_ref(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct class_def *cd = w->target;
	struct ld *l = w->ctx;
	int cm;

	(void)p;
	if (cfg_get_name(w->d, x, cd->name, "a class-map") != 0)
		return -1;
	if ((cm = policy_find_cmap(l->p, cd->name)) < 0)
		return cfg_error(w->d, x, "unknown class-map '%s'", cd->name);
	cd->c.cmap = (uint16_t)cm;
	snprintf(cd->label, sizeof(cd->label), "%.30s/%.30s", cd->pmap_name, cd->name);
	return 0;
}

static int
inspect_or_not(struct cfg_walk *w, yaml_node_t *cn)
{
	yaml_node_t *noins = cfg_map_get(w->d, cn, "no-inspect");

	if (cfg_map_get(w->d, cn, "inspect") != NULL && noins != NULL)
		return cfg_error(w->d, noins, "a class cannot both inspect and no-inspect");
	return 0;
}

static const struct cfg_param class_params[] = {
		{
				.name = "class",
				.type = CFG_OTHER,
				.def = "required",
				.help = "a class-map",
				.load = class_ref,
				.missing = "a policy-map entry needs a class",
				.after = inspect_or_not,
		},
		{.name = "description", .type = CFG_TEXT, .def = "none", .help = "free text"},
		{
				.name = "inspect",
				.type = CFG_OTHER,
				.def = "none",
				.help = "esmtp, smtp, {esmtp: MAP}, {smtp: true | {alert, audit-trail, max-data, "
					"timeout}}",
				.load = class_inspect,
				.sub = &smtp_table,
		},
		{
				.name = "no-inspect",
				.type = CFG_OTHER,
				.def = "none",
				.help = "esmtp, smtp or a list: not inspected",
				.load = class_no_inspect,
		},
		{
				.name = "set-connection",
				.type = CFG_MAP,
				.def = "none",
				.help = "limits and timeouts",
				.sub = &conn_table,
		},
		CFG_END,
};

static const struct cfg_table class_table = {
		.path = "policy-maps.NAME[]",
		.what = "a class",
		.params = class_params,
};

static int
load_class(struct cfg_walk *w, unsigned int pmap, const char *pmap_name, yaml_node_t *cn)
{
	struct ld *l = w->ctx;
	struct class_def cd;
	struct cfg_walk cw = {w->d, &cd, w->ctx, NULL};
	unsigned int i;
	int rc;

	memset(&cd, 0, sizeof(cd));
	cd.pmap_name = pmap_name;
	cd.c.alert = 1;
	cd.c.imap = POLICY_NONE;
	for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
		cd.c.timeouts[i] = POLICY_TIMEOUT_UNSET;
	if (cfg_walk_map(&cw, cn, &class_table) != 0)
		return -1;
	rc = policy_pmap_class_add(l->p, pmap, &cd.c);
	if (rc == -EEXIST)
		return cfg_error(w->d, cn, "class '%s' is already in policy-map '%s'", cd.name,
				pmap_name);
	if (rc == -ENOSPC)
		return cfg_error(w->d, cn, "more than %d classes in one policy-map",
				POLICY_MAX_PMAP_CLASSES);
	if (rc < 0)
		return cfg_error(w->d, cn, "bad class");
	return 0;
}

static const struct cfg_param pmap_params[] = {
		{.name = "description", .type = CFG_TEXT, .def = "none", .help = "free text"},
		{
				.name = "classes",
				.type = CFG_LIST,
				.def = "required",
				.help = "the classes, in order",
				.load = cfg_take_node,
				.sub = &class_table,
				.missing = "policy-map '%s' needs classes",
		},
		CFG_END,
};

/* NAME: [classes] or NAME: {description, classes} */
const struct cfg_table cfg_pmap_table = {
		.path = "policy-maps.NAME",
		.what = "a policy-map",
		.params = pmap_params,
};

static int
pmap_one(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v)
{
	struct ld *l = w->ctx;
	yaml_node_t *cl = v;
	struct cfg_walk pw = {w->d, &cl, w->ctx, sval(k)};
	yaml_node_item_t *it;
	int pm;

	if (v->type == YAML_MAPPING_NODE && cfg_walk_map(&pw, v, &cfg_pmap_table) != 0)
		return -1;
	if (cfg_expect(w->d, cl, YAML_SEQUENCE_NODE, "classes") != 0)
		return -1;
	if ((pm = policy_pmap_add(l->p, sval(k))) < 0)
		return cfg_error(w->d, k, "more than %d policy-maps", POLICY_MAX_PMAPS - 1);
	FOR_ITEMS(it, cl)
	{
		if (load_class(w, (unsigned int)pm, sval(k), node_of(w->d, *it)) != 0)
			return -1;
	}
	return 0;
}

int
cfg_load_pmaps(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	(void)p;
	if (cfg_ld(w) == NULL)
		return -1;
	return cfg_each_named(w, v, "policy-maps", pmap_one);
}
