/* SPDX-License-Identifier: BSD-3-Clause */
/* The `service-policy` section: the global policy-map and those of the pairs. */
#include <string.h>

#include "cfg_policy.h"

static int
pmap_ref(struct cfg_walk *w, yaml_node_t *v, unsigned int *out)
{
	struct ld *l = w->ctx;
	char name[POLICY_NAME_MAX];
	int i;

	if (cfg_get_name(w->d, v, name, "a policy-map") != 0)
		return -1;
	if (strcmp(name, "none") == 0) {
		*out = POLICY_NONE;
		return 0;
	}
	if ((i = policy_find_pmap(l->p, name)) < 0)
		return cfg_error(w->d, v, "unknown policy-map '%s'", name);
	*out = (unsigned int)i;
	return 0;
}

static int
global_pmap(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	unsigned int pm;

	(void)p;
	if (pmap_ref(w, x, &pm) != 0)
		return -1;
	policy_service_set(((struct ld *)w->ctx)->p, -1, pm);
	return 0;
}

/* One interface service policy (the walk's target). */
struct iface {
	uint32_t pair;
	yaml_node_t *entry;
};

static int
iface_which(struct cfg_walk *w, yaml_node_t *e)
{
	struct iface *f = w->target;

	f->entry = e;
	if ((cfg_map_get(w->d, e, "pair") == NULL) == (cfg_map_get(w->d, e, "interface") == NULL))
		return cfg_error(w->d, e, "give either pair (an index) or interface (a port name)");
	if (cfg_map_get(w->d, e, "policy-map") == NULL)
		return cfg_error(w->d, e, "an interface service policy needs a policy-map");
	return 0;
}

static int
iface_pair(struct cfg_walk *w, yaml_node_t *pn, const struct cfg_param *p)
{
	const struct ld *l = w->ctx;

	(void)p;
	return cfg_get_u32(w->d, pn, 0, l->c->n_pairs - 1, &((struct iface *)w->target)->pair);
}

static int
iface_port(struct cfg_walk *w, yaml_node_t *in, const struct cfg_param *p)
{
	const struct ld *l = w->ctx;
	unsigned int i;

	if (cfg_expect(w->d, in, YAML_SCALAR_NODE, p->name) != 0)
		return -1;
	for (i = 0; i < l->c->n_pairs; i++)
		if (strcmp(l->c->pairs[i].inside.name, sval(in)) == 0 ||
				strcmp(l->c->pairs[i].outside.name, sval(in)) == 0)
			break;
	if (i == l->c->n_pairs)
		return cfg_error(w->d, in, "'%s' is not a port of wire.pairs", sval(in));
	((struct iface *)w->target)->pair = i;
	return 0;
}

static int
iface_pmap(struct cfg_walk *w, yaml_node_t *pmn, const struct cfg_param *p)
{
	struct iface *f = w->target;
	unsigned int pm;

	(void)p;
	if (pmap_ref(w, pmn, &pm) != 0)
		return -1;
	if (policy_service_set(((struct ld *)w->ctx)->p, (int)f->pair, pm) != 0)
		return cfg_error(w->d, f->entry, "bad service policy");
	return 0;
}

static const struct cfg_param iface_params[] = {
		{
				.name = "pair",
				.type = CFG_U32,
				.def = "pair or interface",
				.help = "a pair index of wire.pairs (0..pairs - 1)",
				.load = iface_pair,
		},
		{
				.name = "interface",
				.type = CFG_OTHER,
				.def = "pair or interface",
				.help = "a port name of wire.pairs",
				.load = iface_port,
		},
		{
				.name = "policy-map",
				.type = CFG_OTHER,
				.def = "required",
				.help = "a policy-map, or none",
				.load = iface_pmap,
		},
		CFG_END,
};

static const struct cfg_table iface_table = {
		.path = "service-policy.interfaces[]",
		.what = "an interface service policy",
		.params = iface_params,
		.pre = iface_which,
};

static int
interfaces(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	yaml_node_item_t *it;

	(void)p;
	if (cfg_expect(w->d, x, YAML_SEQUENCE_NODE, "service-policy.interfaces") != 0)
		return -1;
	FOR_ITEMS(it, x)
	{
		struct iface f = {0, NULL};
		struct cfg_walk fw = {w->d, &f, w->ctx, NULL};

		if (cfg_walk_map(&fw, node_of(w->d, *it), &iface_table) != 0)
			return -1;
	}
	return 0;
}

static const struct cfg_param service_params[] = {
		{
				.name = "global",
				.type = CFG_OTHER,
				.def = "global_policy",
				.help = "a policy-map, or none",
				.load = global_pmap,
		},
		{
				.name = "interfaces",
				.type = CFG_LIST,
				.def = "none",
				.help = "{pair | interface, policy-map}",
				.load = interfaces,
				.sub = &iface_table,
		},
		CFG_END,
};

const struct cfg_table cfg_service_table = {
		.path = "service-policy",
		.what = "service-policy",
		.params = service_params,
};

int
cfg_load_service(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	(void)p;
	if (cfg_ld(w) == NULL)
		return -1;
	return cfg_walk_map(w, v, &cfg_service_table);
}
