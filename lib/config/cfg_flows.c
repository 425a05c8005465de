/* SPDX-License-Identifier: BSD-3-Clause */
/* The `flows` section (flow table, midstream, timeouts) and the `tcp` section. */
#include "cfg_sections.h"

static const char *const midstream_names[] = {"pickup", "drop", NULL};

/* flows.timeouts: lib/flow's one list of timeouts. */
static const struct cfg_param timeout_params[] = {
#define _(e, key, dflt, cls) \
	{ \
			.name = key, \
			.type = CFG_DURATION, \
			.def = #dflt, \
			CFG_FIELD(struct config_timeouts, s[FLOW_TO_##e]), \
	},
		FLOW_FOREACH_TIMEOUT(_)
#undef _
				CFG_END,
};

static const struct cfg_table timeouts_table = {
		.path = "flows.timeouts",
		.what = "flows.timeouts",
		.params = timeout_params,
};

static const struct cfg_param flows_params[] = {
		{
				.name = "max-per-worker",
				.type = CFG_U32,
				.min = 16,
				.max = 64u << 20,
				.def = "131072",
				CFG_FIELD(struct config, flows_per_worker),
		},
		{
				.name = "midstream",
				.type = CFG_ENUM,
				.names = midstream_names,
				.def = "drop",
				CFG_FIELD(struct config, midstream),
		},
		{
				.name = "timeouts",
				.type = CFG_MAP,
				CFG_FIELD(struct config, timeouts),
				.sub = &timeouts_table,
		},
		CFG_END,
};

const struct cfg_table cfg_flows_table = {
		.path = "flows",
		.what = "flows",
		.params = flows_params,
};

static int
ooo_timeout(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	uint64_t s;

	if (cfg_read(w, v, p, &s) != 0)
		return -1;
	if (s < p->min || s > p->max)
		return cfg_error(w->d, v, "out-of-order-timeout must be 1 s to 1 h");
	cfg_store(w, p, s);
	return 0;
}

static const struct cfg_param tcp_params[] = {
		{
				.name = "max-in-flight",
				.type = CFG_SIZE,
				.min = CONFIG_TCP_IN_FLIGHT_MIN,
				.max = CONFIG_TCP_IN_FLIGHT_MAX,
				.def = "16m",
				CFG_FIELD(struct config_tcp, max_in_flight),
		},
		{
				.name = "buffer-per-worker",
				.type = CFG_SIZE,
				.min = CONFIG_TCP_BUFFER_MIN,
				.max = CONFIG_TCP_BUFFER_MAX,
				.def = "128m",
				CFG_FIELD(struct config_tcp, buffer_per_worker),
		},
		{
				.name = "out-of-order-segments",
				.type = CFG_U32,
				.min = 1,
				.max = CONFIG_TCP_OOO_MAX,
				.def = "1024",
				CFG_FIELD(struct config_tcp, ooo_segments),
		},
		{
				.name = "out-of-order-timeout",
				.type = CFG_DURATION,
				.min = 1,
				.max = 3600,
				.def = "4",
				CFG_FIELD(struct config_tcp, ooo_timeout),
				.load = ooo_timeout,
		},
		CFG_END,
};

const struct cfg_table cfg_tcp_table = {
		.path = "tcp",
		.what = "tcp",
		.params = tcp_params,
};
