/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CFG_POLICY_H
#define SMTPWALL_CFG_POLICY_H

/*
 * The policy sections of the configuration file (regex, regex-classes,
 * access-lists, class-maps, inspect-maps, ip-inspect, policy-maps,
 * service-policy, statics, logging), ASA Modular Policy Framework and IOS
 * CBAC in YAML (docs/configuration.md). They are keys of cfg_root_table in
 * that order, so a reference is resolved (or refused, with the referring
 * node's position) the moment it is read. Every object goes straight into
 * a struct policy through lib/policy's builders; nothing points into the
 * YAML document. Private to lib/config.
 */

#include <stdbool.h>

#include "cfg_table.h"
#include "cfg_yaml.h"
#include "sw_config.h"
#include "policy.h"

#define WHY_LEN 160

/* The policy being built (the walk's ctx), created by the first policy section. */
struct ld {
	struct cfg_doc *d;
	struct policy *p; /* NULL until a policy section is read */
	const struct config *c; /* the wire: a service policy names its ports */
	yaml_node_t *root;
	yaml_node_t *ios_names; /* ip-inspect.names, for its bindings */
};

#define FOR_PAIRS(pr, map) \
	for (pr = (map)->data.mapping.pairs.start; pr < (map)->data.mapping.pairs.top; pr++)
#define FOR_ITEMS(it, seq) \
	for (it = (seq)->data.sequence.items.start; it < (seq)->data.sequence.items.top; it++)

static inline yaml_node_t *
node_of(struct cfg_doc *d, int idx)
{
	return yaml_document_get_node(&d->doc, idx);
}

static inline const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* The policy of a walk, created on first use; NULL (error recorded) when out of memory. */
struct ld *cfg_ld(struct cfg_walk *w);
/* A scalar that names something: non-empty, shorter than POLICY_NAME_MAX. */
int cfg_get_name(struct cfg_doc *d, yaml_node_t *n, char *out, const char *what);
/* A mapping of NAME -> definition: calls fn on each, names checked unique first. */
int cfg_each_named(struct cfg_walk *w, yaml_node_t *map, const char *section,
		int (*fn)(struct cfg_walk *w, yaml_node_t *k, yaml_node_t *v));
/* Calls fn on n (a scalar) or on each scalar of n (a non-empty list). */
int cfg_each_scalar(struct cfg_doc *d, yaml_node_t *n, const char *what,
		int (*fn)(struct cfg_doc *d, yaml_node_t *s, void *arg), void *arg);

/* `inspect: {smtp: ...}` and an IOS rule's options (cfg_policy_map.c). */
struct smtp_opts {
	int alert, audit_trail; /* -1: the IOS global switch */
	uint32_t max_data;
	uint32_t timeout; /* POLICY_TIMEOUT_UNSET */
};
int cfg_load_smtp_opts(struct cfg_doc *d, yaml_node_t *v, struct smtp_opts *o);

/* The section readers (cfg_param.load of cfg_root_table) and their tables. */
#define CFG_SECTION(name) \
	int cfg_load_##name(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
CFG_SECTION(regex);
CFG_SECTION(regex_classes);
CFG_SECTION(acls);
CFG_SECTION(cmaps);
CFG_SECTION(imaps);
CFG_SECTION(ip_inspect);
CFG_SECTION(pmaps);
CFG_SECTION(service);
CFG_SECTION(statics);
CFG_SECTION(logging);
#undef CFG_SECTION
extern const struct cfg_table cfg_regex_table, cfg_acl_entry_table, cfg_cmap_table, cfg_imap_table,
		cfg_ip_inspect_table, cfg_pmap_table, cfg_service_table, cfg_static_table,
		cfg_logging_table;

/* After the last section: resolves and freezes the policy (NULL when none was read). */
int cfg_policy_finish(struct cfg_walk *w, struct policy **out);
/* Frees the policy of a walk that failed. */
void cfg_policy_abort(struct cfg_walk *w);

#endif /* SMTPWALL_CFG_POLICY_H */
