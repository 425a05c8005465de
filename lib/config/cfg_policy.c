/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the policy sections share (cfg_policy.h): the policy being built,
 * names, NAME -> definition mappings, scalar-or-list values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_policy.h"

struct ld *
cfg_ld(struct cfg_walk *w)
{
	struct ld *l = w->ctx;

	if (l->p == NULL) {
		l->p = policy_new();
		if (l->p == NULL) {
			cfg_error(w->d, l->root, "out of memory");
			return NULL;
		}
	}
	return l;
}

int
cfg_policy_finish(struct cfg_walk *w, struct policy **out)
{
	struct ld *l = w->ctx;

	*out = NULL;
	if (l->p == NULL)
		return 0;
	if (policy_finalize(l->p) != 0) {
		cfg_error(w->d, l->root, "the policy does not compile");
		cfg_policy_abort(w);
		return -1;
	}
	*out = l->p;
	l->p = NULL;
	return 0;
}

void
cfg_policy_abort(struct cfg_walk *w)
{
	struct ld *l = w->ctx;

	policy_free(l->p);
	l->p = NULL;
}

int
cfg_get_name(struct cfg_doc *d, yaml_node_t *n, char *out, const char *what)
{
	if (cfg_expect(d, n, YAML_SCALAR_NODE, what) != 0)
		return -1;
	if (n->data.scalar.length == 0 || strlen(sval(n)) != n->data.scalar.length)
		return cfg_error(d, n, "%s must be a non-empty name", what);
	if (n->data.scalar.length >= POLICY_NAME_MAX)
		return cfg_error(d, n, "%s '%.40s...' is longer than %d characters", what, sval(n),
				POLICY_NAME_MAX - 1);
	memcpy(out, sval(n), n->data.scalar.length + 1);
	return 0;
}

/* A mapping of NAME -> definition: keys are unique names. */
static int
check_names(struct cfg_doc *d, yaml_node_t *map, const char *section)
{
	yaml_node_pair_t *pr, *q;
	char name[POLICY_NAME_MAX];

	if (cfg_expect(d, map, YAML_MAPPING_NODE, section) != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		yaml_node_t *k = node_of(d, pr->key);

		if (k == NULL)
			return cfg_error(d, map, "%s: bad key", section);
		if (cfg_get_name(d, k, name, "a name") != 0)
			return -1;
		for (q = map->data.mapping.pairs.start; q < pr; q++) {
			yaml_node_t *k2 = node_of(d, q->key);

			if (k2 != NULL && k2->type == YAML_SCALAR_NODE &&
					strcmp(sval(k2), name) == 0)
				return cfg_error(d, k, "duplicate name '%s' in %s", name, section);
		}
	}
	return 0;
}

int
cfg_each_named(struct cfg_walk *w, yaml_node_t *map, const char *section,
		int (*fn)(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v))
{
	yaml_node_pair_t *pr;

	if (check_names(w->d, map, section) != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		if (fn(w, node_of(w->d, pr->key), node_of(w->d, pr->value)) != 0)
			return -1;
	}
	return 0;
}

int
cfg_each_scalar(struct cfg_doc *d, yaml_node_t *n, const char *what,
		int (*fn)(struct cfg_doc *d, yaml_node_t *s, void *arg), void *arg)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE)
		return fn(d, n, arg);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_expect(d, n, YAML_SEQUENCE_NODE, what);
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		return cfg_error(d, n, "%s is empty", what);
	FOR_ITEMS(it, n)
	{
		yaml_node_t *s = node_of(d, *it);

		if (cfg_expect(d, s, YAML_SCALAR_NODE, what) != 0 || fn(d, s, arg) != 0)
			return -1;
	}
	return 0;
}
