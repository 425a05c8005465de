/* SPDX-License-Identifier: BSD-3-Clause */
/* The `wire` section: port pairs, workers, dispatch, queues. */
#include <stdio.h>
#include <string.h>

#include "cfg_sections.h"

static const char *const dispatch_names[] = {"auto", "rss", "software", "queue", NULL};

const char *
config_dispatch_name(enum config_dispatch d)
{
	return (unsigned int)d < 4 ? dispatch_names[d] : "?";
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
load_pairs(struct cfg_walk *w, yaml_node_t *seq, const struct cfg_param *prm)
{
	static const char *const keys[] = {"inside", "outside", NULL};
	struct cfg_doc *d = w->d;
	struct config *c = w->target;
	yaml_node_item_t *it;

	(void)prm;
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
							"port '%s' is already in another pair",
							names[j]);
		}
		c->n_pairs++;
	}
	if (c->n_pairs == 0)
		return cfg_error(d, seq, "wire.pairs is empty");
	c->pairs_given = true;
	return 0;
}

static int
load_workers(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p)
{
	struct config *c = w->target;
	uint32_t u;

	(void)p;
	/* The key in the message: a bare range says nothing in a long file. */
	if (cfg_get_u32(w->d, v, 0, UINT32_MAX, &u) != 0)
		return -1;
	if (u < 1 || u > CONFIG_MAX_WORKERS)
		return cfg_error(w->d, v, "wire.workers: %u is out of range [1, %d]", u,
				CONFIG_MAX_WORKERS);
	c->workers = u;
	c->workers_at = pos_of(v);
	return 0;
}

static const struct cfg_param wire_params[] = {
		{
				.name = "pairs",
				.type = CFG_LIST,
				.help = "[{inside: PORT, outside: PORT}]: a DPDK device name or a port id",
				.load = load_pairs,
		},
		{
				.name = "workers",
				.type = CFG_U32,
				.min = 1,
				.max = CONFIG_MAX_WORKERS,
				.help = "worker lcores",
				.load = load_workers,
		},
		{
				.name = "dispatch",
				.type = CFG_ENUM,
				.names = dispatch_names,
				.def = "auto",
				CFG_FIELD(struct config, dispatch),
		},
		{
				.name = "rx-descriptors",
				.type = CFG_U32,
				.min = 64,
				.max = 16384,
				.def = "1024",
				CFG_FIELD(struct config, rx_desc),
		},
		{
				.name = "tx-descriptors",
				.type = CFG_U32,
				.min = 64,
				.max = 16384,
				.def = "1024",
				CFG_FIELD(struct config, tx_desc),
		},
		{
				.name = "mbufs",
				.type = CFG_U32,
				.min = 1024,
				.max = 16u << 20,
				.def = "computed",
				CFG_FIELD(struct config, mbufs),
		},
		{
				.name = "idle-sleep-us",
				.type = CFG_U32,
				.min = 0,
				.max = 100000,
				.def = "0",
				CFG_FIELD(struct config, idle_sleep_us),
		},
		{
				.name = "verify-ipv4-checksum",
				.type = CFG_BOOL,
				.def = "true",
				CFG_FIELD(struct config, verify_ip4_csum),
		},
		CFG_END,
};

const struct cfg_table cfg_wire_table = {
		.path = "wire",
		.what = "wire",
		.params = wire_params,
};
