/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `access-lists` section: NAME -> entries, each an ASA line (read by
 * lib/policy's command-text parser) or a mapping (the table below).
 */
#include <string.h>

#include "cfg_policy.h"

static const char *const ace_actions[] = {"deny", "permit", NULL};

static int
ace_proto(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	int proto;

	if (cfg_expect(w->d, v, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if ((proto = policy_parse_proto(sval(v))) < 0)
		return cfg_error(w->d, v,
				"'%s' is not a protocol (ip, tcp, udp, icmp, icmp6 or 0..255)",
				sval(v));
	cfg_store(w, p, (uint64_t)proto);
	return 0;
}

static int
ace_addr(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	char why[WHY_LEN] = "";

	if (cfg_expect(w->d, v, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if (policy_parse_addr(sval(v), cfg_field(w, p), why, sizeof(why)) != 0)
		return cfg_error(w->d, v, "%s", why);
	return 0;
}

static int
ace_ports(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	const struct policy_ace *e = w->target;
	char why[WHY_LEN] = "";

	if (cfg_expect(w->d, v, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	if (e->proto != 6 && e->proto != 17)
		return cfg_error(w->d, v, "ports are only for tcp and udp entries");
	if (policy_parse_ports(sval(v), cfg_field(w, p), why, sizeof(why)) != 0)
		return cfg_error(w->d, v, "%s", why);
	return 0;
}

static int
ace_families(struct cfg_walk *w, yaml_node_t *m)
{
	const struct policy_ace *e = w->target;

	if (e->src.family != 0 && e->dst.family != 0 && e->src.family != e->dst.family)
		return cfg_error(w->d, m, "source and destination are of different IP versions");
	return 0;
}

static const struct cfg_param ace_params[] = {
		{
				.name = "action",
				.type = CFG_ENUM,
				.names = ace_actions,
				.def = "required",
				CFG_FIELD(struct policy_ace, permit),
				.missing = "an access-list entry needs an action (permit or deny)",
		},
		{
				.name = "protocol",
				.type = CFG_OTHER,
				.def = "ip",
				.help = "ip (any), tcp, udp, icmp, icmp6, or 0-255",
				CFG_FIELD(struct policy_ace, proto),
				.load = ace_proto,
		},
		{
				.name = "source",
				.type = CFG_OTHER,
				.def = "any",
				.help = "any, any4, any6, host A, A, A/len, A MASK",
				CFG_FIELD(struct policy_ace, src),
				.load = ace_addr,
		},
		{
				.name = "destination",
				.type = CFG_OTHER,
				.def = "any",
				.help = "as source",
				CFG_FIELD(struct policy_ace, dst),
				.load = ace_addr,
		},
		{
				.name = "source-port",
				.type = CFG_OTHER,
				.def = "any",
				.help = "any, N, eq N, range A B, lt N, gt N (tcp and udp)",
				CFG_FIELD(struct policy_ace, sport),
				.load = ace_ports,
		},
		{
				.name = "destination-port",
				.type = CFG_OTHER,
				.def = "any",
				.help = "as source-port",
				CFG_FIELD(struct policy_ace, dport),
				.load = ace_ports,
				.after = ace_families,
		},
		CFG_END,
};

const struct cfg_table cfg_acl_entry_table = {
		.path = "access-lists.NAME[]",
		.what = "an access-list entry",
		.params = ace_params,
};

static int
load_ace(struct cfg_walk *w, yaml_node_t *e, struct policy_ace *ace)
{
	struct cfg_walk aw = {w->d, ace, w->ctx, NULL};
	char why[WHY_LEN] = "";

	if (e->type == YAML_SCALAR_NODE) {
		if (policy_parse_ace(sval(e), ace, why, sizeof(why)) != 0)
			return cfg_error(w->d, e, "%s", why);
		return ace_families(&aw, e);
	}
	if (e->type != YAML_MAPPING_NODE)
		return cfg_error(w->d, e,
				"an access-list entry is a line ('permit tcp any host A eq 25') or a mapping");
	memset(ace, 0, sizeof(*ace));
	ace->sport.hi = ace->dport.hi = 65535;
	return cfg_walk_map(&aw, e, &cfg_acl_entry_table);
}

static int
acl_one(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v)
{
	struct ld *l = w->ctx;
	yaml_node_item_t *it;
	int acl;

	if (cfg_expect(w->d, v, YAML_SEQUENCE_NODE, "an access-list") != 0)
		return -1;
	if ((acl = policy_acl_add(l->p, sval(k))) < 0)
		return cfg_error(w->d, k, "more than %d access-lists", POLICY_MAX_ACLS);
	FOR_ITEMS(it, v)
	{
		yaml_node_t *e = node_of(w->d, *it);
		struct policy_ace ace;

		if (load_ace(w, e, &ace) != 0)
			return -1;
		if (policy_ace_add(l->p, (unsigned int)acl, &ace) < 0)
			return cfg_error(w->d, e, "more than %d access-list entries in all",
					POLICY_MAX_ACES);
	}
	return 0;
}

int
cfg_load_acls(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	(void)p;
	if (cfg_ld(w) == NULL)
		return -1;
	return cfg_each_named(w, v, "access-lists", acl_one);
}
