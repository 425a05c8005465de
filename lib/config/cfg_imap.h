/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CFG_IMAP_H
#define SMTPWALL_CFG_IMAP_H

/* Inspect maps: what cfg_inspect_map.c and cfg_rule.c share. Private to lib/config. */

#include "cfg_policy.h"

/* The walk target while an inspect map is read. */
struct imap_ref {
	unsigned int imap;
};

/* One of the allowed action names -> the esmtp action. */
int cfg_get_action(struct cfg_doc *d, yaml_node_t *v, const char *const *allowed,
		enum esmtp_action *out);
/* rules: [...] of an inspect map (the walk's target is its struct imap_ref). */
int cfg_load_rules(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p);
extern const struct cfg_table cfg_rule_table;

#endif /* SMTPWALL_CFG_IMAP_H */
