/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `statics` section: each an ASA `static` line (read by lib/policy's
 * command-text parser) or a mapping (the table below).
 */
#include <string.h>

#include "cfg_policy.h"

/* The mapping form being read (the walk's target). */
struct static_def {
	struct policy_static s;
	struct policy_addr real;
	unsigned int plen;
};

static int
static_real(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct static_def *sd = w->target;
	char why[WHY_LEN] = "";

	if (cfg_expect(w->d, x, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if (policy_parse_addr(sval(x), &sd->real, why, sizeof(why)) != 0 || sd->real.family == 0)
		return cfg_error(w->d, x, "%s",
				why[0] ? why : "the real address must be an address");
	sd->s.family = sd->real.family;
	sd->plen = sd->real.plen;
	memcpy(sd->s.real, sd->real.addr, 16);
	return 0;
}

static int
static_mapped(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct static_def *sd = w->target;
	struct policy_addr mapped;

	if (cfg_expect(w->d, x, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if (policy_parse_host(sval(x), &mapped) != 0 || mapped.family != sd->real.family)
		return cfg_error(w->d, x, "the mapped address must be a %s host address",
				sd->real.family == 4 ? "IPv4" : "IPv6");
	memcpy(sd->s.mapped, mapped.addr, 16);
	return 0;
}

static int
static_netmask(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct static_def *sd = w->target;

	if (cfg_expect(w->d, x, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if (sd->real.family != 4 || policy_parse_netmask(sval(x), &sd->plen) != 0)
		return cfg_error(w->d, x, "netmask needs a contiguous IPv4 mask");
	return 0;
}

static int
static_prefix(struct cfg_walk *w, yaml_node_t *m)
{
	struct static_def *sd = w->target;
	char why[WHY_LEN] = "";

	if (policy_static_prefix(&sd->s, &sd->real, sd->plen, why, sizeof(why)) != 0)
		return cfg_error(w->d, m, "%s", why);
	return 0;
}

static int
udp_refused(struct cfg_walk *w, yaml_node_t *x)
{
	const struct static_def *sd = w->target;

	if (sd->s.udp_max_conns != 0)
		return cfg_error(w->d, cfg_map_get(w->d, x, "max-conns"), POLICY_STATIC_UDP_REFUSED,
				sd->s.udp_max_conns);
	return 0;
}

static const struct cfg_param tcp_params[] = {
		{
				.name = "max-conns",
				.type = CFG_U32,
				.max = POLICY_CONN_LIMIT_MAX,
				.def = "0",
				.help = "0: unlimited",
				CFG_FIELD(struct static_def, s.tcp_max_conns),
		},
		{
				.name = "embryonic-limit",
				.type = CFG_U32,
				.max = POLICY_CONN_LIMIT_MAX,
				.def = "0",
				.help = "0: unlimited",
				CFG_FIELD(struct static_def, s.tcp_em_limit),
		},
		CFG_END,
};
static const struct cfg_table tcp_table = {
		.path = "statics[].tcp",
		.what = "tcp",
		.params = tcp_params,
};

static const struct cfg_param udp_params[] = {
		{
				.name = "max-conns",
				.type = CFG_U32,
				.max = POLICY_CONN_LIMIT_MAX,
				.def = "0",
				.help = "only 0 (smtpwall does not count UDP)",
				CFG_FIELD(struct static_def, s.udp_max_conns),
				.after = udp_refused,
		},
		CFG_END,
};
static const struct cfg_table udp_table = {
		.path = "statics[].udp",
		.what = "udp",
		.params = udp_params,
};

static const struct cfg_param static_params[] = {
		{
				.name = "real-interface",
				.type = CFG_STRING,
				.def = "inside",
				CFG_FIELD(struct static_def, s.real_if),
		},
		{
				.name = "mapped-interface",
				.type = CFG_STRING,
				.def = "outside",
				CFG_FIELD(struct static_def, s.mapped_if),
		},
		{
				.name = "real",
				.type = CFG_OTHER,
				.def = "required",
				.help = "the address or prefix matched against the destination",
				.load = static_real,
				.missing = "a static needs a real address",
		},
		{
				.name = "mapped",
				.type = CFG_OTHER,
				.def = "none",
				.help = "a host address, for messages only (no NAT)",
				.load = static_mapped,
		},
		{
				.name = "netmask",
				.type = CFG_OTHER,
				.def = "a host",
				.help = "a contiguous IPv4 mask",
				.load = static_netmask,
				.after = static_prefix,
		},
		{.name = "tcp", .type = CFG_MAP, .def = "unlimited", .sub = &tcp_table},
		{.name = "udp", .type = CFG_MAP, .def = "unlimited", .sub = &udp_table},
		CFG_END,
};

const struct cfg_table cfg_static_table = {
		.path = "statics[]",
		.what = "a static",
		.params = static_params,
};

static int
load_static(struct cfg_walk *w, yaml_node_t *e, struct policy_static *s)
{
	struct static_def sd;
	struct cfg_walk sw = {w->d, &sd, w->ctx, NULL};
	char why[CFG_MSG_LEN] = "";

	if (e->type == YAML_SCALAR_NODE) {
		if (e->data.scalar.length >= 256)
			return cfg_error(w->d, e, "static line too long");
		if (policy_parse_static(sval(e), s, why, sizeof(why)) != 0)
			return cfg_error(w->d, e, "%s", why);
		return 0;
	}
	if (e->type != YAML_MAPPING_NODE)
		return cfg_error(w->d, e, "a static is a line or a mapping");
	memset(&sd, 0, sizeof(sd));
	strcpy(sd.s.real_if, "inside");
	strcpy(sd.s.mapped_if, "outside");
	if (cfg_walk_map(&sw, e, &cfg_static_table) != 0)
		return -1;
	*s = sd.s;
	return 0;
}

int
cfg_load_statics(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	struct ld *l = cfg_ld(w);
	yaml_node_item_t *it;

	if (l == NULL || cfg_expect(w->d, v, YAML_SEQUENCE_NODE, p->name) != 0)
		return -1;
	FOR_ITEMS(it, v)
	{
		yaml_node_t *e = node_of(w->d, *it);
		struct policy_static s;

		memset(&s, 0, sizeof(s));
		if (load_static(w, e, &s) != 0)
			return -1;
		if (policy_static_add(l->p, &s) < 0)
			return cfg_error(w->d, e, "more than %d statics", POLICY_MAX_STATICS);
	}
	return 0;
}
