/* SPDX-License-Identifier: BSD-3-Clause */
/* The `ip-inspect` section (IOS CBAC): switches, thresholds, rules and bindings. */
#include <string.h>

#include "cfg_policy.h"

static int
low_not_above_high(struct cfg_walk *w, yaml_node_t *v)
{
	const uint32_t *hl = w->target; /* high, then low */

	if (hl[1] > hl[0])
		return cfg_error(w->d, v, "low (%u) must not exceed high (%u)", hl[1], hl[0]);
	return 0;
}

/* {high, low}: the two fields are adjacent in struct policy_ios. */
static const struct cfg_param high_low_params[] = {
		{.name = "high",
				.type = CFG_U32,
				.min = 1,
				.max = UINT32_MAX,
				.def = "500",
				.size = 4},
		{
				.name = "low",
				.type = CFG_U32,
				.min = 1,
				.max = UINT32_MAX,
				.def = "400",
				.off = sizeof(uint32_t),
				.size = 4,
				.after = low_not_above_high,
		},
		CFG_END,
};
static const struct cfg_table high_low_table = {
		.path = "ip-inspect.max-incomplete",
		.what = "thresholds",
		.params = high_low_params,
};
_Static_assert(offsetof(struct policy_ios, max_incomplete_low) ==
						offsetof(struct policy_ios, max_incomplete_high) +
								4 &&
				offsetof(struct policy_ios, one_minute_low) ==
						offsetof(struct policy_ios, one_minute_high) + 4,
		"high, then low");

static const struct cfg_param host_params[] = {
		{
				.name = "limit",
				.type = CFG_U32,
				.min = 1,
				.max = 250,
				.def = "50",
				CFG_FIELD(struct policy_ios, host_max_incomplete),
		},
		{
				.name = "block-time",
				.type = CFG_U32,
				.min = 0,
				.max = 35791,
				.def = "0",
				.help = "minutes; 0: delete the oldest half-open connection",
				CFG_FIELD(struct policy_ios, host_block_time),
		},
		CFG_END,
};
static const struct cfg_table host_table = {
		.path = "ip-inspect.tcp-max-incomplete-host",
		.what = "tcp-max-incomplete-host",
		.params = host_params,
};

static int
check_rule(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *r)
{
	static const char *const pk[] = {"smtp", "esmtp", NULL};
	struct cfg_doc *d = w->d;
	struct smtp_opts o;

	(void)k;
	if (cfg_expect(d, r, YAML_MAPPING_NODE, "an inspection rule") != 0 ||
			cfg_check_keys(d, r, pk) != 0)
		return -1;
	if (r->data.mapping.pairs.top == r->data.mapping.pairs.start)
		return cfg_error(d, r, "an inspection rule names smtp or esmtp");
	if (r->data.mapping.pairs.top - r->data.mapping.pairs.start > 1)
		return cfg_error(d, node_of(d, r->data.mapping.pairs.start[1].key),
				"smtp and esmtp inspection cannot be configured together");
	return cfg_load_smtp_opts(d, node_of(d, r->data.mapping.pairs.start->value), &o);
}

/* Checked now, so that an unbound name is still validated. */
static int
ios_names(struct cfg_walk *w, yaml_node_t *names, const struct cfg_param *p)
{
	(void)p;
	((struct ld *)w->ctx)->ios_names = names;
	return cfg_each_named(w, names, "ip-inspect.names", check_rule);
}

/* One binding (the walk's target). */
struct binding {
	yaml_node_t *names;
	char name[POLICY_NAME_MAX];
	yaml_node_t *rule;
	unsigned int side, dir, acl;
};

static int
bind_name(struct cfg_walk *w, yaml_node_t *nm, const struct cfg_param *p)
{
	struct binding *b = w->target;

	(void)p;
	if (cfg_get_name(w->d, nm, b->name, "an inspection rule") != 0)
		return -1;
	if ((b->rule = cfg_map_get(w->d, b->names, b->name)) == NULL)
		return cfg_error(w->d, nm, "unknown inspection rule '%s'", b->name);
	return 0;
}

static int
bind_acl(struct cfg_walk *w, yaml_node_t *y, const struct cfg_param *p)
{
	struct binding *b = w->target;
	struct ld *l = w->ctx;
	char an[POLICY_NAME_MAX];
	int a;

	if (cfg_get_name(w->d, y, an, p->name) != 0)
		return -1;
	if ((a = policy_find_acl(l->p, an)) < 0)
		return cfg_error(w->d, y, "unknown access-list '%s'", an);
	b->acl = (unsigned int)a;
	return 0;
}

static const char *const sides[] = {"inside", "outside", NULL};
static const char *const dirs[] = {"in", "out", NULL};

static const struct cfg_param bind_params[] = {
		{
				.name = "name",
				.type = CFG_OTHER,
				.def = "required",
				.help = "a rule of names",
				.load = bind_name,
				.missing = "a binding needs the name of an inspection rule",
		},
		{
				.name = "interface",
				.type = CFG_ENUM,
				.names = sides,
				.def = "outside",
				CFG_FIELD(struct binding, side),
		},
		{
				.name = "direction",
				.type = CFG_ENUM,
				.names = dirs,
				.def = "in",
				CFG_FIELD(struct binding, dir),
		},
		{
				.name = "access-list",
				.type = CFG_OTHER,
				.def = "all TCP/25",
				.help = "an access-list: the connections it permits",
				.load = bind_acl,
		},
		CFG_END,
};
static const struct cfg_table bind_table = {
		.path = "ip-inspect.bindings[]",
		.what = "a binding",
		.params = bind_params,
};

static int
ios_bindings(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct ld *l = w->ctx;
	yaml_node_item_t *it;

	(void)p;
	if (cfg_expect(w->d, x, YAML_SEQUENCE_NODE, "ip-inspect.bindings") != 0)
		return -1;
	FOR_ITEMS(it, x)
	{
		yaml_node_t *e = node_of(w->d, *it), *rk;
		struct binding b = {.names = l->ios_names,
				.side = POLICY_SIDE_OUTSIDE,
				.acl = POLICY_NONE};
		struct cfg_walk bw = {w->d, &b, w->ctx, NULL};
		struct smtp_opts o;
		int rc;

		if (cfg_walk_map(&bw, e, &bind_table) != 0)
			return -1;
		/* `ip inspect X in` on an interface inspects what enters it;
		 * `out`, what leaves it, i.e. enters the other port. */
		if (b.dir == 1)
			b.side ^= 1;
		rk = node_of(w->d, b.rule->data.mapping.pairs.start->key);
		if (cfg_load_smtp_opts(w->d, node_of(w->d, b.rule->data.mapping.pairs.start->value),
				    &o) != 0)
			return -1;
		rc = policy_ios_bind(l->p, b.name,
				strcmp(sval(rk), "smtp") == 0 ? POLICY_INSPECT_SMTP
							      : POLICY_INSPECT_ESMTP,
				b.acl, (enum policy_side)b.side, o.alert, o.audit_trail, o.max_data,
				o.timeout);
		if (rc < 0)
			return cfg_error(w->d, e, "too many IOS bindings");
	}
	return 0;
}

static const struct cfg_param ios_params[] = {
		{
				.name = "alert",
				.type = CFG_BOOL,
				.def = "on",
				.help = "ip inspect alert-off -> off",
				CFG_FIELD(struct policy_ios, alert),
		},
		{
				.name = "audit-trail",
				.type = CFG_BOOL,
				.def = "off",
				.help = "ip inspect audit-trail -> on",
				CFG_FIELD(struct policy_ios, audit_trail),
		},
		{
				.name = "intercept",
				.type = CFG_BOOL,
				.def = "false",
				.help = "SYN cookies instead of deleting half-open sessions (smtpwall)",
				CFG_FIELD(struct policy_ios, intercept),
		},
		{
				.name = "max-incomplete",
				.type = CFG_MAP,
				.def = "500/400",
				.help = "{high, low}: half-open connections",
				.off = offsetof(struct policy_ios, max_incomplete_high),
				.sub = &high_low_table,
		},
		{
				.name = "one-minute",
				.type = CFG_MAP,
				.def = "500/400",
				.help = "{high, low}: new half-open connections a minute",
				.off = offsetof(struct policy_ios, one_minute_high),
				.sub = &high_low_table,
		},
		{
				.name = "tcp-max-incomplete-host",
				.type = CFG_MAP,
				.def = "50, block-time 0",
				.help = "{limit, block-time}",
				.sub = &host_table,
		},
		{
				.name = "names",
				.type = CFG_NAMED,
				.def = "none",
				.help = "NAME: {smtp | esmtp: true | {alert, audit-trail, max-data, timeout}}",
				.load = ios_names,
		},
		{
				.name = "bindings",
				.type = CFG_LIST,
				.def = "none",
				.help = "{name, interface, direction, access-list}",
				.load = ios_bindings,
				.sub = &bind_table,
		},
		CFG_END,
};

static int
ios_configured(struct cfg_walk *w, yaml_node_t *v)
{
	(void)v;
	((struct policy_ios *)w->target)->configured = 1;
	((struct ld *)w->ctx)->ios_names = NULL;
	return 0;
}

const struct cfg_table cfg_ip_inspect_table = {
		.path = "ip-inspect",
		.what = "ip-inspect",
		.params = ios_params,
		.pre = ios_configured,
};

int
cfg_load_ip_inspect(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	struct ld *l = cfg_ld(w);
	struct cfg_walk iw;

	(void)p;
	if (l == NULL)
		return -1;
	iw = (struct cfg_walk){w->d, policy_ios_mut(l->p), l, NULL};
	return cfg_walk_map(&iw, v, &cfg_ip_inspect_table);
}
