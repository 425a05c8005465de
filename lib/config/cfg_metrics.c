/* SPDX-License-Identifier: BSD-3-Clause */
/* The `metrics` section: where Prometheus finds the counters. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_sections.h"

/* "ADDR:PORT" or "[V6ADDR]:PORT", a host address and a port 1..65535. */
static int
listen_addr(struct cfg_walk *w, yaml_node_t *x, const struct cfg_param *p)
{
	struct config_metrics *m = w->target;
	char host[64];
	const char *s, *colon;
	char *end;
	unsigned long port;
	size_t hl;

	(void)p;
	if (cfg_expect(w->d, x, YAML_SCALAR_NODE, "listen") != 0)
		return -1;
	s = (const char *)x->data.scalar.value;
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s || strlen(s) >= sizeof(m->listen))
		goto bad;
	if (s[0] == '[') {
		if (colon[-1] != ']')
			goto bad;
		hl = (size_t)(colon - s) - 2;
		memcpy(host, s + 1, hl);
	} else {
		hl = (size_t)(colon - s);
		memcpy(host, s, hl);
	}
	if (hl >= sizeof(host))
		goto bad;
	host[hl] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port == 0 || port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, m->addr) == 1)
		m->family = 4;
	else if (s[0] == '[' && inet_pton(AF_INET6, host, m->addr) == 1)
		m->family = 6;
	else
		goto bad;
	m->port = (uint16_t)port;
	snprintf(m->listen, sizeof(m->listen), "%s", s);
	return 0;
bad:
	return cfg_error(
			w->d, x, "listen '%s': ADDRESS:PORT, e.g. 127.0.0.1:9580 or [::1]:9580", s);
}

static const struct cfg_param metrics_params[] = {
		{
				.name = "listen",
				.type = CFG_OTHER,
				.def = "none",
				.help = "ADDRESS:PORT of the HTTP endpoint (GET /metrics); none: off",
				.load = listen_addr,
		},
		{
				.name = "textfile",
				.type = CFG_STRING,
				.def = "none",
				.help = "a file for node_exporter's textfile collector; none: off",
				CFG_FIELD(struct config_metrics, textfile),
		},
		{
				.name = "interval",
				.type = CFG_U32,
				.min = 1,
				.max = 3600,
				.def = "15",
				.help = "seconds between two writes of textfile",
				CFG_FIELD(struct config_metrics, interval),
		},
		CFG_END,
};

const struct cfg_table cfg_metrics_table = {
		.path = "metrics",
		.what = "metrics",
		.params = metrics_params,
};
