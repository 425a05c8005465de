/* SPDX-License-Identifier: BSD-3-Clause */
/* The `regex` and `regex-classes` sections. */
#include <errno.h>
#include <string.h>

#include "cfg_policy.h"

struct regex_def {
	yaml_node_t *pattern;
	bool icase;
};

static const struct cfg_param regex_params[] = {
		{
				.name = "pattern",
				.type = CFG_OTHER,
				.def = "required",
				.help = "the regex (docs/configuration.md, Regex syntax)",
				.off = offsetof(struct regex_def, pattern),
				.load = cfg_take_node,
				.missing = "regex '%s' needs a pattern",
		},
		{
				.name = "ignore-case",
				.type = CFG_BOOL,
				.def = "false",
				.help = "letters match both cases",
				CFG_FIELD(struct regex_def, icase),
		},
		CFG_END,
};

/* NAME: PATTERN, or NAME: {pattern, ignore-case} */
const struct cfg_table cfg_regex_table = {
		.path = "regex.NAME",
		.what = "a regex",
		.params = regex_params,
		.scalar = &regex_params[0],
		.short_unless_map = true,
};

static int
regex_one(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v)
{
	struct cfg_doc *d = w->d;
	struct regex_def def = {NULL, false};
	struct cfg_walk rw = {d, &def, w->ctx, sval(k)};
	struct ld *l = w->ctx;
	yaml_node_t *pat;
	char why[WHY_LEN] = "";
	int rc;

	if (cfg_walk_short(&rw, v, &cfg_regex_table) != 0)
		return -1;
	pat = def.pattern;
	if (cfg_expect(d, pat, YAML_SCALAR_NODE, "a regex pattern") != 0)
		return -1;
	if (pat->data.scalar.length == 0 || strlen(sval(pat)) != pat->data.scalar.length)
		return cfg_error(d, pat, "regex '%s': empty pattern", sval(k));
	rc = policy_regex_add(l->p, sval(k), sval(pat), def.icase, why, sizeof(why));
	if (rc == -ENOSPC)
		return cfg_error(d, k, "more than %d regexes", POLICY_MAX_REGEX);
	if (rc < 0)
		return cfg_error(d, pat, "regex '%s': %s", sval(k), why[0] ? why : "invalid");
	return 0;
}

int
cfg_load_regex(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	(void)p;
	if (cfg_ld(w) == NULL)
		return -1;
	return cfg_each_named(w, v, "regex", regex_one);
}

struct rxc_arg {
	struct ld *l;
	unsigned int cls;
};

static int
rxc_member(struct cfg_doc *d, yaml_node_t *s, void *arg)
{
	struct rxc_arg *a = arg;
	int r = policy_find_regex(a->l->p, sval(s));

	if (r < 0)
		return cfg_error(d, s, "unknown regex '%s'", sval(s));
	if (policy_regex_class_member(a->l->p, a->cls, (unsigned int)r) != 0)
		return cfg_error(d, s, "more than %d regexes in one regex class",
				POLICY_REGEX_CLASS_MAX);
	return 0;
}

static int
regex_class_one(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v)
{
	struct ld *l = w->ctx;
	struct rxc_arg a = {l, 0};
	int rc = policy_regex_class_add(l->p, sval(k));

	if (rc < 0)
		return cfg_error(w->d, k, "more than %d regex classes", POLICY_MAX_REGEX_CLASSES);
	a.cls = (unsigned int)rc;
	return cfg_each_scalar(w->d, v, "a regex class (list of regex names)", rxc_member, &a);
}

int
cfg_load_regex_classes(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	(void)p;
	if (cfg_ld(w) == NULL)
		return -1;
	return cfg_each_named(w, v, "regex-classes", regex_class_one);
}
