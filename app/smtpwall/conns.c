/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show conn` and `clear conn`, the worker's side: between bursts, a slice
 * of its flow table at a time into the rows of the request, and the
 * matches of a clear handed to the table's owner (showconn.c asks and
 * prints).
 */
#include "conns.h"

#include <string.h>

#include "flowstate.h"

static bool
filter_pass(const struct conn_filter *flt, const struct flow_key *k)
{
	size_t n;

	if (flt->family == 0)
		return true;
	if (flt->family != k->family)
		return false;
	n = k->family == 4 ? 4 : 16;
	if (flt->has_port)
		return (memcmp(k->addr_a, flt->addr, n) == 0 && k->port_a == flt->port) ||
				(memcmp(k->addr_b, flt->addr, n) == 0 && k->port_b == flt->port);
	return memcmp(k->addr_a, flt->addr, n) == 0 || memcmp(k->addr_b, flt->addr, n) == 0;
}

static void
row_cb(struct flow_entry *e, void *arg)
{
	struct conns_req *c = arg;
	const struct wk_flow *f = flow_entry_user(e);
	struct conn_row *r;

	if (!filter_pass(&c->wfilter, &e->key))
		return;
	c->matched++;
	if (c->wfilter.action != CONN_ACT_LIST)
		c->kill[c->n_kill++] = e; /* at most CONNS_SLICE per slice */
	if (c->n_rows >= CONNS_ROWS_MAX)
		return;
	r = &c->rows[c->n_rows++];
	r->key = e->key;
	r->created = e->created;
	r->deadline = e->deadline;
	r->bytes[0] = e->bytes[0];
	r->bytes[1] = e->bytes[1];
	r->state = e->state;
	r->init_dir = e->init_dir;
	r->mode = f->mode;
	r->ic_state = f->ic_state;
	r->init_port = f->init_port;
}

void
conns_answer(struct flow_table *ft, struct conns_req *c, conns_clear_fn clear, void *arg)
{
	uint32_t asked = atomic_load_explicit(&c->asked, memory_order_acquire);

	if (c->working != asked) {
		/* A new request (or the telemetry thread gave up on the last). */
		c->working = asked;
		c->wfilter = c->filter;
		c->cursor = 0;
		c->n_rows = 0;
		c->matched = 0;
		c->rst_sent = 0;
		c->rst_unknown = 0;
		c->n_kill = 0;
	}
	c->cursor = flow_table_walk_slice(ft, c->cursor, CONNS_SLICE, row_cb, c);
	if (c->n_kill != 0)
		clear(arg, c); /* the walk must not delete: after it */
	if (c->cursor >= flow_table_capacity(ft))
		atomic_store_explicit(&c->answered, asked, memory_order_release);
}
