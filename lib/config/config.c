/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance's own settings (wire, workers, flow table, timeouts).
 * The inspection policy sections are read by cfg_policy.c (into lib/policy);
 * this file knows the keys below and those, and refuses every other one.
 */
#include "config.h"
#include "cfg_policy.h"
#include "cfg_yaml.h"
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CONFIG_MAX_PAIRS == POLICY_MAX_PAIRS, "a service policy names any pair");

static const char *const dispatch_names[] = {"auto", "rss", "software", "queue", NULL};
static const char *const midstream_names[] = {"pickup", "drop", NULL};

const char *
config_dispatch_name(enum config_dispatch d)
{
	return (unsigned int)d < 4 ? dispatch_names[d] : "?";
}

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
	c->timeouts.embryonic = 30;
	c->timeouts.idle = 3600;
	c->timeouts.half_closed = 600;
	c->timeouts.closed = 5;
	c->timeouts.udp = 120;
	c->rx_desc = 1024;
	c->tx_desc = 1024;
	c->tcp.max_in_flight = 16u << 20;
	c->tcp.buffer_per_worker = 128u << 20;
	c->tcp.ooo_segments = 1024;
	c->tcp.ooo_timeout = 4;
}

static struct config_pos
pos_of(const yaml_node_t *n)
{
	return (struct config_pos){
		.line = (unsigned int)n->start_mark.line + 1,
		.col = (unsigned int)n->start_mark.column + 1,
	};
}

static int
load_port(struct cfg_doc *d, yaml_node_t *n, struct config_port *p)
{
	p->at = pos_of(n);
	return cfg_get_str(d, n, p->name, sizeof(p->name));
}

static int
load_pairs(struct cfg_doc *d, yaml_node_t *seq, struct config *c)
{
	static const char *const keys[] = {"inside", "outside", NULL};
	yaml_node_item_t *it;

	if (cfg_expect(d, seq, YAML_SEQUENCE_NODE, "wire.pairs") != 0)
		return -1;
	c->n_pairs = 0;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *pair = yaml_document_get_node(&d->doc, *it);
		yaml_node_t *in, *out;
		struct config_pair *p;
		unsigned int i;

		if (c->n_pairs == CONFIG_MAX_PAIRS)
			return cfg_error(d, pair, "more than %d port pairs", CONFIG_MAX_PAIRS);
		if (cfg_expect(d, pair, YAML_MAPPING_NODE, "a port pair") != 0 ||
			cfg_check_keys(d, pair, keys) != 0)
			return -1;
		in = cfg_map_get(d, pair, "inside");
		out = cfg_map_get(d, pair, "outside");
		if (in == NULL || out == NULL)
			return cfg_error(d, pair, "a port pair needs both 'inside' and 'outside'");
		p = &c->pairs[c->n_pairs];
		if (load_port(d, in, &p->inside) != 0 || load_port(d, out, &p->outside) != 0)
			return -1;
		if (strcmp(p->inside.name, p->outside.name) == 0)
			return cfg_error(d, out, "port '%s' cannot be both inside and outside",
				p->inside.name);
		/* A port belongs to one pair: a frame has exactly one way out. */
		for (i = 0; i < c->n_pairs; i++) {
			const struct config_pair *q = &c->pairs[i];
			const char *names[2] = {p->inside.name, p->outside.name};
			unsigned int j;

			for (j = 0; j < 2; j++)
				if (strcmp(names[j], q->inside.name) == 0 ||
					strcmp(names[j], q->outside.name) == 0)
					return cfg_error(d, j ? out : in,
						"port '%s' is already in another pair", names[j]);
		}
		c->n_pairs++;
	}
	if (c->n_pairs == 0)
		return cfg_error(d, seq, "wire.pairs is empty");
	c->pairs_given = true;
	return 0;
}

static int
load_wire(struct cfg_doc *d, yaml_node_t *n, struct config *c)
{
	static const char *const keys[] = {"pairs", "workers", "dispatch", "rx-descriptors",
		"tx-descriptors", "mbufs", "idle-sleep-us", "verify-ipv4-checksum", NULL};
	yaml_node_t *v;
	uint32_t u;

	if (cfg_expect(d, n, YAML_MAPPING_NODE, "wire") != 0 || cfg_check_keys(d, n, keys) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "pairs")) != NULL && load_pairs(d, v, c) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "workers")) != NULL) {
		/* The key in the message: a bare range says nothing in a long file. */
		if (cfg_get_u32(d, v, 0, UINT32_MAX, &u) != 0)
			return -1;
		if (u < 1 || u > CONFIG_MAX_WORKERS)
			return cfg_error(d, v, "wire.workers: %u is out of range [1, %d]", u,
				CONFIG_MAX_WORKERS);
		c->workers = u;
		c->workers_at = pos_of(v);
	}
	if ((v = cfg_map_get(d, n, "dispatch")) != NULL) {
		if (cfg_get_enum(d, v, dispatch_names, &u) != 0)
			return -1;
		c->dispatch = (enum config_dispatch)u;
	}
	if ((v = cfg_map_get(d, n, "rx-descriptors")) != NULL) {
		if (cfg_get_u32(d, v, 64, 16384, &u) != 0)
			return -1;
		c->rx_desc = (uint16_t)u;
	}
	if ((v = cfg_map_get(d, n, "tx-descriptors")) != NULL) {
		if (cfg_get_u32(d, v, 64, 16384, &u) != 0)
			return -1;
		c->tx_desc = (uint16_t)u;
	}
	if ((v = cfg_map_get(d, n, "mbufs")) != NULL &&
		cfg_get_u32(d, v, 1024, 16u << 20, &c->mbufs) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "idle-sleep-us")) != NULL &&
		cfg_get_u32(d, v, 0, 100000, &c->idle_sleep_us) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "verify-ipv4-checksum")) != NULL &&
		cfg_get_bool(d, v, &c->verify_ip4_csum) != 0)
		return -1;
	return 0;
}

static int
load_timeouts(struct cfg_doc *d, yaml_node_t *n, struct config_timeouts *t)
{
	static const char *const keys[] = {
		"embryonic", "idle", "half-closed", "closed", "udp", NULL};
	uint32_t *fields[] = {&t->embryonic, &t->idle, &t->half_closed, &t->closed, &t->udp};
	unsigned int i;

	if (cfg_expect(d, n, YAML_MAPPING_NODE, "flows.timeouts") != 0 ||
		cfg_check_keys(d, n, keys) != 0)
		return -1;
	for (i = 0; keys[i] != NULL; i++) {
		yaml_node_t *v = cfg_map_get(d, n, keys[i]);

		if (v != NULL && cfg_get_duration(d, v, fields[i]) != 0)
			return -1;
	}
	return 0;
}

static int
load_flows(struct cfg_doc *d, yaml_node_t *n, struct config *c)
{
	static const char *const keys[] = {"max-per-worker", "midstream", "timeouts", NULL};
	yaml_node_t *v;
	uint32_t u;

	if (cfg_expect(d, n, YAML_MAPPING_NODE, "flows") != 0 || cfg_check_keys(d, n, keys) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "max-per-worker")) != NULL &&
		cfg_get_u32(d, v, 16, 64u << 20, &c->flows_per_worker) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "midstream")) != NULL) {
		if (cfg_get_enum(d, v, midstream_names, &u) != 0)
			return -1;
		c->midstream = (enum config_midstream)u;
	}
	if ((v = cfg_map_get(d, n, "timeouts")) != NULL && load_timeouts(d, v, &c->timeouts) != 0)
		return -1;
	return 0;
}

static int
load_tcp(struct cfg_doc *d, yaml_node_t *n, struct config_tcp *t)
{
	static const char *const keys[] = {"max-in-flight", "buffer-per-worker",
		"out-of-order-segments", "out-of-order-timeout", NULL};
	yaml_node_t *v;

	if (cfg_expect(d, n, YAML_MAPPING_NODE, "tcp") != 0 || cfg_check_keys(d, n, keys) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "max-in-flight")) != NULL &&
		cfg_get_size(d, v, CONFIG_TCP_IN_FLIGHT_MIN, CONFIG_TCP_IN_FLIGHT_MAX,
			&t->max_in_flight) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "buffer-per-worker")) != NULL &&
		cfg_get_size(d, v, CONFIG_TCP_BUFFER_MIN, CONFIG_TCP_BUFFER_MAX,
			&t->buffer_per_worker) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "out-of-order-segments")) != NULL &&
		cfg_get_u32(d, v, 1, CONFIG_TCP_OOO_MAX, &t->ooo_segments) != 0)
		return -1;
	if ((v = cfg_map_get(d, n, "out-of-order-timeout")) != NULL) {
		if (cfg_get_duration(d, v, &t->ooo_timeout) != 0)
			return -1;
		if (t->ooo_timeout == 0 || t->ooo_timeout > 3600)
			return cfg_error(d, v, "out-of-order-timeout must be 1 s to 1 h");
	}
	return 0;
}

int
config_load_string(
	const char *name, const char *text, size_t len, struct config *c, char *err, size_t errlen)
{
	const char *keys[24];
	struct cfg_doc d;
	struct config tmp = *c;
	struct policy *pol = NULL;
	yaml_node_t *root, *v;
	unsigned int i, n = 0;
	int rc = -1;

	keys[n++] = "wire";
	keys[n++] = "flows";
	keys[n++] = "tcp";
	for (i = 0; cfg_policy_keys[i] != NULL && n < 23; i++)
		keys[n++] = cfg_policy_keys[i];
	keys[n] = NULL;

	if (cfg_doc_parse(&d, name, text, len, err, errlen) != 0)
		return -1;
	root = cfg_root(&d);
	if (root == NULL) {
		/* An empty file is a valid file: every default applies. */
		rc = 0;
		goto out;
	}
	if (cfg_expect(&d, root, YAML_MAPPING_NODE, "the top level") != 0 ||
		cfg_check_keys(&d, root, keys) != 0)
		goto out;
	if ((v = cfg_map_get(&d, root, "wire")) != NULL && load_wire(&d, v, &tmp) != 0)
		goto out;
	if ((v = cfg_map_get(&d, root, "flows")) != NULL && load_flows(&d, v, &tmp) != 0)
		goto out;
	if ((v = cfg_map_get(&d, root, "tcp")) != NULL && load_tcp(&d, v, &tmp.tcp) != 0)
		goto out;
	/* After wire: a service policy may name a port of a pair. */
	if (cfg_policy_present(&d, root)) {
		if (cfg_policy_load(&d, root, &tmp, &pol) != 0)
			goto out;
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
