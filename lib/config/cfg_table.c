/* SPDX-License-Identifier: BSD-3-Clause */
/* The table walker (cfg_table.h). */
#include "cfg_table.h"

#include <string.h>

#define CFG_MAX_KEYS 24

void *
cfg_field(const struct cfg_walk *w, const struct cfg_param *p)
{
	return (char *)w->target + p->off;
}

void
cfg_store(const struct cfg_walk *w, const struct cfg_param *p, uint64_t u)
{
	void *f = cfg_field(w, p);

	switch (p->size) {
	case 1:
		*(uint8_t *)f = (uint8_t)u;
		break;
	case 2:
		*(uint16_t *)f = (uint16_t)u;
		break;
	case 4:
		*(uint32_t *)f = (uint32_t)u;
		break;
	default:
		*(uint64_t *)f = u;
		break;
	}
}

int
cfg_take_node(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	*(yaml_node_t **)cfg_field(w, p) = v;
	return 0;
}

int
cfg_read(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p, uint64_t *out)
{
	uint32_t u;
	unsigned int e;
	bool b;

	switch (p->type) {
	case CFG_U32:
		if (cfg_get_u32(w->d, v, (uint32_t)p->min, (uint32_t)p->max, &u) != 0)
			return -1;
		*out = u;
		return 0;
	case CFG_SIZE:
		return cfg_get_size(w->d, v, p->min, p->max, out);
	case CFG_DURATION:
		if (cfg_get_duration(w->d, v, &u) != 0)
			return -1;
		*out = u;
		return 0;
	case CFG_BOOL:
		if (cfg_get_bool(w->d, v, &b) != 0)
			return -1;
		*out = b;
		return 0;
	case CFG_ENUM:
		if (cfg_get_enum(w->d, v, p->names, &e) != 0)
			return -1;
		*out = e;
		return 0;
	default:
		return cfg_error(w->d, v, "%s cannot be read", p->name);
	}
}

int
cfg_walk_param(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	uint64_t u;

	if (p->load != NULL)
		return p->load(w, v, p);
	switch (p->type) {
	case CFG_TEXT:
		return 0;
	case CFG_STRING:
		return cfg_get_str(w->d, v, cfg_field(w, p), p->size);
	case CFG_MAP: {
		struct cfg_walk sub = *w;

		sub.target = cfg_field(w, p);
		return cfg_walk_map(&sub, v, p->sub);
	}
	default:
		if (cfg_read(w, v, p, &u) != 0)
			return -1;
		cfg_store(w, p, u);
		return 0;
	}
}

int
cfg_check_table_keys(struct cfg_doc *d, yaml_node_t *map, const struct cfg_table *t)
{
	const char *keys[CFG_MAX_KEYS + 1];
	const struct cfg_param *p;
	unsigned int n = 0;

	for (p = t->params; p->name != NULL && n < CFG_MAX_KEYS; p++)
		keys[n++] = p->name;
	keys[n] = NULL;
	return cfg_check_keys(d, map, keys);
}

int
cfg_walk_map(struct cfg_walk *w, yaml_node_t *map, const struct cfg_table *t)
{
	const struct cfg_param *p;

	if (cfg_expect(w->d, map, YAML_MAPPING_NODE, t->what) != 0 ||
			cfg_check_table_keys(w->d, map, t) != 0)
		return -1;
	if (t->pre != NULL && t->pre(w, map) != 0)
		return -1;
	for (p = t->params; p->name != NULL; p++) {
		yaml_node_t *v = cfg_map_get(w->d, map, p->name);

		if (v == NULL && p->missing != NULL)
			return cfg_error(w->d, map, p->missing, w->obj);
		if (v != NULL && cfg_walk_param(w, v, p) != 0)
			return -1;
		if (p->after != NULL && p->after(w, map) != 0)
			return -1;
	}
	return 0;
}

int
cfg_walk_short(struct cfg_walk *w, yaml_node_t *v, const struct cfg_table *t)
{
	bool as_scalar = t->short_unless_map ? v->type != YAML_MAPPING_NODE
					     : v->type == YAML_SCALAR_NODE;

	if (as_scalar)
		return cfg_walk_param(w, v, t->scalar);
	return cfg_walk_map(w, v, t);
}
