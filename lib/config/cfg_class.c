/* SPDX-License-Identifier: BSD-3-Clause */
/* The `class-maps` section: NAME -> {description, match}. */
#include <errno.h>
#include <string.h>

#include "cfg_policy.h"

static int
match_acl(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct policy_cmatch *m = w->target;
	struct ld *l = w->ctx;
	char name[POLICY_NAME_MAX];
	int acl;

	if (cfg_get_name(w->d, x, name, p->name) != 0)
		return -1;
	if ((acl = policy_find_acl(l->p, name)) < 0)
		return cfg_error(w->d, x, "unknown access-list '%s'", name);
	m->acl = (uint16_t)acl;
	return 0;
}

/* "tcp eq 25", "tcp range 25 587", "udp 53" (lib/policy's command text) */
static int
match_port(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	struct policy_cmatch *m = w->target;
	char why[WHY_LEN] = "";

	if (cfg_expect(w->d, v, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if (v->data.scalar.length >= 64)
		return cfg_error(w->d, v, "port condition too long");
	if (policy_parse_port_match(sval(v), &m->proto, &m->ports, why, sizeof(why)) != 0)
		return cfg_error(w->d, v, "%s", why);
	return 0;
}

static int
match_not_empty(struct cfg_walk *w, yaml_node_t *v)
{
	if (v->data.mapping.pairs.start == v->data.mapping.pairs.top)
		return cfg_error(w->d, v, "empty match");
	return 0;
}

static int
any_alone(struct cfg_walk *w, yaml_node_t *v)
{
	const struct policy_cmatch *m = w->target;

	if (m->any && v->data.mapping.pairs.top - v->data.mapping.pairs.start > 1)
		return cfg_error(w->d, cfg_map_get(w->d, v, "any"),
				"'any' cannot be combined with another match");
	return 0;
}

static const struct cfg_param match_params[] = {
		{
				.name = "access-list",
				.type = CFG_OTHER,
				.def = "none",
				.help = "an access-list name: its permit entries",
				.load = match_acl,
		},
		{
				.name = "port",
				.type = CFG_OTHER,
				.def = "none",
				.help = "tcp|udp eq N, range A B, lt N, gt N",
				.load = match_port,
		},
		{
				.name = "default-inspection-traffic",
				.type = CFG_BOOL,
				.def = "false",
				.help = "TCP/25",
				CFG_FIELD(struct policy_cmatch, default_inspection),
		},
		{
				.name = "any",
				.type = CFG_BOOL,
				.def = "false",
				.help = "every connection; alone",
				CFG_FIELD(struct policy_cmatch, any),
				.after = any_alone,
		},
		CFG_END,
};

static const struct cfg_table match_table = {
		.path = "class-maps.NAME.match",
		.what = "match",
		.params = match_params,
		.pre = match_not_empty,
};

static int
load_match(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	struct policy_cmatch *m = w->target;
	struct cfg_walk mw = {w->d, m, w->ctx, NULL};

	(void)p;
	if (v->type == YAML_SCALAR_NODE) {
		if (strcmp(sval(v), "any") == 0)
			m->any = 1;
		else if (strcmp(sval(v), "default-inspection-traffic") == 0)
			m->default_inspection = 1;
		else
			return cfg_error(w->d, v,
					"'%s' is not a match (any, default-inspection-traffic, or a mapping)",
					sval(v));
		return 0;
	}
	return cfg_walk_map(&mw, v, &match_table);
}

static const struct cfg_param cmap_params[] = {
		{.name = "description", .type = CFG_TEXT, .def = "none", .help = "free text"},
		{
				.name = "match",
				.type = CFG_MAP,
				.def = "required",
				.help = "any, default-inspection-traffic, or a mapping",
				.load = load_match,
				.sub = &match_table,
				.missing = "class-map '%s' needs a match",
		},
		CFG_END,
};

const struct cfg_table cfg_cmap_table = {
		.path = "class-maps.NAME",
		.what = "a class-map",
		.params = cmap_params,
};

static int
cmap_one(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v)
{
	struct ld *l = w->ctx;
	struct policy_cmatch m;
	struct cfg_walk cw = {w->d, &m, w->ctx, sval(k)};
	int rc;

	memset(&m, 0, sizeof(m));
	m.acl = POLICY_NONE;
	m.side = POLICY_SIDE_ANY;
	if (cfg_walk_map(&cw, v, &cfg_cmap_table) != 0)
		return -1;
	rc = policy_cmap_add(l->p, sval(k), &m);
	if (rc == -ENOSPC)
		return cfg_error(w->d, k, "more than %d class-maps", POLICY_MAX_CMAPS);
	if (rc < 0)
		return cfg_error(w->d, k, "class-map '%s' cannot be defined", sval(k));
	return 0;
}

int
cfg_load_cmaps(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	(void)p;
	if (cfg_ld(w) == NULL)
		return -1;
	return cfg_each_named(w, v, "class-maps", cmap_one);
}
