/* SPDX-License-Identifier: BSD-3-Clause */
/* The `logging` section: where the audit trail goes, its level and rate limits. */
#include <string.h>

#include "cfg_policy.h"

static const char *const dests[] = {
#define _(e, s) s,
		foreach_policy_log_dest
#undef _
				NULL};
static const char *const levels[] = {"emergencies", "alerts", "critical", "errors", "warnings",
		"notifications", "informational", "debugging", NULL};
static const char *const facilities[] = {"local0", "local1", "local2", "local3", "local4", "local5",
		"local6", "local7", NULL};

/* {rate, interval}: the fields are adjacent in policy_logging and policy_msg_limit. */
static const struct cfg_param rate_params[] = {
		{
				.name = "rate",
				.type = CFG_U32,
				.min = 0,
				.max = 1000000,
				.def = "0",
				.help = "records per interval; 0: unlimited",
				.size = 4,
		},
		{
				.name = "interval",
				.type = CFG_U32,
				.min = 1,
				.max = 86400,
				.def = "1",
				.help = "seconds",
				.off = 4,
				.size = 4,
		},
		CFG_END,
};
static const struct cfg_table rate_table = {
		.path = "logging.rate-limit",
		.what = "a rate limit",
		.params = rate_params,
};
_Static_assert(offsetof(struct policy_logging, interval) ==
						offsetof(struct policy_logging, rate) + 4 &&
				offsetof(struct policy_msg_limit, interval) ==
						offsetof(struct policy_msg_limit, rate) + 4,
		"rate, then interval");

static int
file_given(struct cfg_walk *w, yaml_node_t *v)
{
	const struct policy_logging *g = w->target;

	if (g->dest == POLICY_LOG_FILE && g->file[0] == '\0')
		return cfg_error(w->d, cfg_map_get(w->d, v, "destination"),
				"destination file needs file: PATH");
	return 0;
}

/* A level name or 0..7 */
static int
log_level(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	uint32_t lv;
	unsigned int u;

	if (x->type == YAML_SCALAR_NODE && sval(x)[0] >= '0' && sval(x)[0] <= '9') {
		if (cfg_get_u32(w->d, x, 0, 7, &lv) != 0)
			return -1;
		u = lv;
	} else if (cfg_get_enum(w->d, x, p->names, &u) != 0) {
		return -1;
	}
	cfg_store(w, p, u);
	return 0;
}

static int
msg_unique(struct cfg_walk *w, yaml_node_t *e)
{
	const struct policy_msg_limit *ml = w->target;
	const struct policy_logging *g = w->ctx;
	unsigned int i;

	for (i = 0; i < g->n_msg_limits; i++)
		if (g->msg_limits[i].msgid == ml->msgid)
			return cfg_error(w->d, cfg_map_get(w->d, e, "message"),
					"message %u is already limited", ml->msgid);
	return 0;
}

static const struct cfg_param msg_params[] = {
		{
				.name = "message",
				.type = CFG_U32,
				.min = 100000,
				.max = 999999,
				.def = "required",
				.help = "an ASA message id",
				CFG_FIELD(struct policy_msg_limit, msgid),
				.missing = "a message rate limit needs a message id",
				.after = msg_unique,
		},
		{
				.name = "rate",
				.type = CFG_U32,
				.min = 0,
				.max = 1000000,
				.def = "0",
				CFG_FIELD(struct policy_msg_limit, rate),
		},
		{
				.name = "interval",
				.type = CFG_U32,
				.min = 1,
				.max = 86400,
				.def = "1",
				CFG_FIELD(struct policy_msg_limit, interval),
		},
		CFG_END,
};
static const struct cfg_table msg_table = {
		.path = "logging.message-rate-limits[]",
		.what = "a message rate limit",
		.params = msg_params,
};

static int
msg_limits(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct policy_logging *g = w->target;
	yaml_node_item_t *it;

	if (cfg_expect(w->d, x, YAML_SEQUENCE_NODE, p->name) != 0)
		return -1;
	g->n_msg_limits = 0;
	FOR_ITEMS(it, x)
	{
		yaml_node_t *e = node_of(w->d, *it);
		struct policy_msg_limit *ml;
		struct cfg_walk mw;

		if (g->n_msg_limits == POLICY_MAX_MSG_LIMITS)
			return cfg_error(w->d, e, "more than %d message rate limits",
					POLICY_MAX_MSG_LIMITS);
		ml = &g->msg_limits[g->n_msg_limits];
		mw = (struct cfg_walk){w->d, ml, g, NULL};
		/* msg_unique sees the earlier ones only: the new one is not counted yet */
		if (cfg_expect(w->d, e, YAML_MAPPING_NODE, msg_table.what) != 0 ||
				cfg_check_table_keys(w->d, e, &msg_table) != 0)
			return -1;
		ml->rate = 0;
		ml->interval = 1;
		if (cfg_walk_map(&mw, e, &msg_table) != 0)
			return -1;
		g->n_msg_limits++;
	}
	return 0;
}

static const char *const host_protos[] = {"udp", "tcp", NULL};
static const char *const host_formats[] = {"rfc3164", "rfc5424", NULL};

static int
host_addr(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct policy_log_host *h = w->target;
	char why[128] = "";

	(void)p;
	if (cfg_expect(w->d, x, YAML_SCALAR_NODE, "address") != 0)
		return -1;
	if (policy_parse_addr(sval(x), &h->addr, why, sizeof(why)) != 0 || h->addr.family == 0 ||
			h->addr.plen != (h->addr.family == 4 ? 32 : 128))
		return cfg_error(w->d, x, "address '%s': a host address (IPv4 or IPv6), not %s",
				sval(x), why[0] != '\0' ? why : "a prefix or any");
	return 0;
}

/* The port's default follows the protocol: 514/udp, 601/tcp (RFC 6587). */
static int
host_port(struct cfg_walk *w, yaml_node_t *e)
{
	struct policy_log_host *h = w->target;

	if (cfg_map_get(w->d, e, "port") == NULL)
		h->port = h->proto ? 601 : 514;
	return 0;
}

static const struct cfg_param host_params[] = {
		{
				.name = "address",
				.type = CFG_OTHER,
				.def = "required",
				.help = "the server's IPv4 or IPv6 address",
				.load = host_addr,
				.missing = "a logging host needs an address",
		},
		{
				.name = "protocol",
				.type = CFG_ENUM,
				.names = host_protos,
				.def = "udp",
				CFG_FIELD(struct policy_log_host, proto),
		},
		{
				.name = "port",
				.type = CFG_U32,
				.min = 1,
				.max = 65535,
				.def = "514 (udp), 601 (tcp)",
				CFG_FIELD(struct policy_log_host, port),
				.after = host_port,
		},
		{
				.name = "format",
				.type = CFG_ENUM,
				.names = host_formats,
				.def = "rfc5424",
				.help = "rfc3164: BSD syslog; rfc5424: with year, UTC time and zone",
				CFG_FIELD(struct policy_log_host, format),
		},
		CFG_END,
};
static const struct cfg_table host_table = {
		.path = "logging.hosts[]",
		.what = "a logging host",
		.params = host_params,
};

static int
log_hosts(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct policy_logging *g = w->target;
	yaml_node_item_t *it;

	if (cfg_expect(w->d, x, YAML_SEQUENCE_NODE, p->name) != 0)
		return -1;
	g->n_hosts = 0;
	FOR_ITEMS(it, x)
	{
		yaml_node_t *e = node_of(w->d, *it);
		struct policy_log_host *h;
		struct cfg_walk hw;

		if (g->n_hosts == POLICY_MAX_LOG_HOSTS)
			return cfg_error(w->d, e, "more than %d logging hosts",
					POLICY_MAX_LOG_HOSTS);
		h = &g->hosts[g->n_hosts];
		memset(h, 0, sizeof(*h));
		h->format = 1;
		hw = (struct cfg_walk){w->d, h, g, NULL};
		if (cfg_expect(w->d, e, YAML_MAPPING_NODE, host_table.what) != 0 ||
				cfg_check_table_keys(w->d, e, &host_table) != 0 ||
				cfg_walk_map(&hw, e, &host_table) != 0)
			return -1;
		g->n_hosts++;
	}
	return 0;
}

/* RFC 5424's HOSTNAME: printable US-ASCII, no space. */
static int
device_id_ok(struct cfg_walk *w, yaml_node_t *v)
{
	const struct policy_logging *g = w->target;
	const char *c;

	for (c = g->device_id; *c != '\0'; c++)
		if (*c <= ' ' || *c > '~')
			return cfg_error(w->d, cfg_map_get(w->d, v, "device-id"),
					"device-id: printable ASCII without spaces (it is syslog's HOSTNAME)");
	return 0;
}

static const struct cfg_param logging_params[] = {
		{
				.name = "destination",
				.type = CFG_ENUM,
				.names = dests,
				.def = "stdout",
				CFG_FIELD(struct policy_logging, dest),
		},
		{
				.name = "file",
				.type = CFG_STRING,
				.def = "none",
				.help = "the path, for destination file",
				CFG_FIELD(struct policy_logging, file),
				.after = file_given,
		},
		{
				.name = "facility",
				.type = CFG_ENUM,
				.names = facilities,
				.def = "local4",
				CFG_FIELD(struct policy_logging, facility),
		},
		{
				.name = "level",
				.type = CFG_ENUM,
				.names = levels,
				.def = "7",
				.help = "an ASA trap level, or 0..7",
				CFG_FIELD(struct policy_logging, level),
				.load = log_level,
		},
		{
				.name = "rate-limit",
				.type = CFG_MAP,
				.def = "unlimited",
				.help = "all messages: {rate, interval}",
				.off = offsetof(struct policy_logging, rate),
				.sub = &rate_table,
		},
		{
				.name = "message-rate-limits",
				.type = CFG_LIST,
				.def = "201012: 1 per 10 s",
				.help = "{message, rate, interval}",
				.load = msg_limits,
				.sub = &msg_table,
		},
		{
				.name = "hosts",
				.type = CFG_LIST,
				.def = "none",
				.help = "remote syslog servers: {address, protocol, port, format}",
				.load = log_hosts,
				.sub = &host_table,
		},
		{
				.name = "device-id",
				.type = CFG_STRING,
				.def = "the host name",
				.help = "HOSTNAME of remote records (ASA logging device-id string)",
				CFG_FIELD(struct policy_logging, device_id),
				.after = device_id_ok,
		},
		CFG_END,
};

const struct cfg_table cfg_logging_table = {
		.path = "logging",
		.what = "logging",
		.params = logging_params,
};

int
cfg_load_logging(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	struct ld *l = cfg_ld(w);
	struct cfg_walk gw;

	(void)p;
	if (l == NULL)
		return -1;
	gw = (struct cfg_walk){w->d, policy_logging_mut(l->p), l, NULL};
	return cfg_walk_map(&gw, v, &cfg_logging_table);
}
