/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CFG_POLICY_H
#define SMTPWALL_CFG_POLICY_H

/*
 * Loader of the policy sections of the configuration file (regex,
 * regex-classes, access-lists, class-maps, inspect-maps, policy-maps,
 * service-policy, statics, ip-inspect, logging) into a compiled struct
 * policy.  Private to lib/config.
 */

#include <stdbool.h>

#include "cfg_yaml.h"
#include "config.h"

/* The top-level keys this loader owns (NULL-terminated). */
extern const char *const cfg_policy_keys[];

/* Does the document's root mapping hold any policy key? */
bool cfg_policy_present(struct cfg_doc *d, yaml_node_t *root);

/*
 * Builds and finalizes a policy from root's policy sections; c gives the
 * port names a service policy may refer to.  0 and *out, or -1 with the
 * error recorded in d (file:line:column).
 */
int
cfg_policy_load(struct cfg_doc *d, yaml_node_t *root, const struct config *c, struct policy **out);

#endif /* SMTPWALL_CFG_POLICY_H */
