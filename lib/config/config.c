/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration file: its defaults, its sections (one table each,
 * cfg_table.h) and the loader that walks them into a struct config and,
 * for the policy sections, a compiled struct policy.
 */
#include "sw_config.h"
#include "cfg_policy.h"
#include "cfg_sections.h"
#include "cfg_yaml.h"
#include "policy.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CONFIG_MAX_PAIRS == POLICY_MAX_PAIRS, "a service policy names any pair");
_Static_assert(sizeof(struct config_timeouts) == FLOW_TO_MAX * sizeof(uint32_t) &&
				offsetof(struct config_timeouts, udp) ==
						FLOW_TO_OTHER * sizeof(uint32_t) &&
				offsetof(struct config_timeouts, closed) ==
						FLOW_TO_CLOSED * sizeof(uint32_t) &&
				offsetof(struct config_timeouts, half_closed) ==
						FLOW_TO_HALF_CLOSED * sizeof(uint32_t) &&
				offsetof(struct config_timeouts, idle) ==
						FLOW_TO_IDLE * sizeof(uint32_t),
		"the named timeouts alias lib/flow's list");

void
config_default(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->n_pairs = 1;
	snprintf(c->pairs[0].inside.name, CONFIG_PORT_NAME_LEN, "0");
	snprintf(c->pairs[0].outside.name, CONFIG_PORT_NAME_LEN, "1");
	c->workers = 0;
	c->dispatch = CONFIG_DISPATCH_AUTO;
	c->flows_per_worker = CONFIG_FLOWS_PER_WORKER;
	c->midstream = CONFIG_MIDSTREAM_DROP; /* like a firewall: no state, no entry */
	c->verify_ip4_csum = true;
#define _(e, key, dflt, cls) c->timeouts.s[FLOW_TO_##e] = dflt;
	FLOW_FOREACH_TIMEOUT(_)
#undef _
	c->rx_desc = 1024;
	c->tx_desc = 1024;
	c->tcp.max_in_flight = 16u << 20;
	c->tcp.buffer_per_worker = 128u << 20;
	c->tcp.ooo_segments = 1024;
	c->tcp.ooo_timeout = 4;
	c->metrics.interval = 15;
}

/* The whole file, in the order its sections are read (cfg_table.h). */
static const struct cfg_param root_params[] = {
		{.name = "wire", .type = CFG_MAP, .sub = &cfg_wire_table},
		{.name = "flows", .type = CFG_MAP, .sub = &cfg_flows_table},
		{.name = "tcp",
				.type = CFG_MAP,
				CFG_FIELD(struct config, tcp),
				.sub = &cfg_tcp_table},
		{.name = "metrics",
				.type = CFG_MAP,
				CFG_FIELD(struct config, metrics),
				.sub = &cfg_metrics_table},
		/* The policy: a reference is read after what it refers to. */
		{.name = "regex",
				.type = CFG_NAMED,
				.load = cfg_load_regex,
				.sub = &cfg_regex_table},
		{.name = "regex-classes", .type = CFG_NAMED, .load = cfg_load_regex_classes},
		{.name = "access-lists",
				.type = CFG_NAMED,
				.load = cfg_load_acls,
				.sub = &cfg_acl_entry_table},
		{.name = "class-maps",
				.type = CFG_NAMED,
				.load = cfg_load_cmaps,
				.sub = &cfg_cmap_table},
		{.name = "inspect-maps",
				.type = CFG_NAMED,
				.load = cfg_load_imaps,
				.sub = &cfg_imap_table},
		/* ip-inspect's switches are global; its bindings are classes. */
		{.name = "ip-inspect",
				.type = CFG_MAP,
				.load = cfg_load_ip_inspect,
				.sub = &cfg_ip_inspect_table},
		{.name = "policy-maps",
				.type = CFG_NAMED,
				.load = cfg_load_pmaps,
				.sub = &cfg_pmap_table},
		/* After wire: a service policy may name a port of a pair. */
		{.name = "service-policy",
				.type = CFG_MAP,
				.load = cfg_load_service,
				.sub = &cfg_service_table},
		{.name = "statics",
				.type = CFG_LIST,
				.load = cfg_load_statics,
				.sub = &cfg_static_table},
		{.name = "logging",
				.type = CFG_MAP,
				.load = cfg_load_logging,
				.sub = &cfg_logging_table},
		CFG_END,
};

const struct cfg_table cfg_root_table = {
		.path = "",
		.what = "the top level",
		.params = root_params,
};

int
config_load_string(const char *name, const char *text, size_t len, struct config *c, char *err,
		size_t errlen)
{
	struct cfg_doc d;
	struct config tmp = *c;
	struct ld l;
	struct cfg_walk w = {&d, &tmp, &l, NULL};
	struct policy *pol = NULL;
	yaml_node_t *root;
	int rc = -1;

	if (cfg_doc_parse(&d, name, text, len, err, errlen) != 0)
		return -1;
	root = cfg_root(&d);
	if (root == NULL) {
		/* An empty file is a valid file: every default applies. */
		rc = 0;
		goto out;
	}
	l = (struct ld){.d = &d, .c = &tmp, .root = root};
	if (cfg_walk_map(&w, root, &cfg_root_table) != 0 || cfg_policy_finish(&w, &pol) != 0) {
		cfg_policy_abort(&w);
		goto out;
	}
	if (pol != NULL) {
		if (c->policy != NULL)
			policy_free(c->policy);
		tmp.policy = pol;
	}
	*c = tmp;
	rc = 0;
out:
	cfg_doc_free(&d);
	return rc;
}

void
config_free(struct config *c)
{
	policy_free(c->policy);
	c->policy = NULL;
}

int
config_load(const char *path, struct config *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long len;
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
			len > (16L << 20)) {
		snprintf(err, errlen, "%s: cannot read (or larger than 16 MiB)", path);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)len + 1);
	if (text == NULL || fread(text, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, errlen, "%s: read failed", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	text[len] = '\0';
	rc = config_load_string(path, text, (size_t)len, c, err, errlen);
	free(text);
	return rc;
}
