/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Closed entries in close order, for flow_table_add_reclaim.
 *
 * A closed entry (RST, or both FINs acknowledged) lingers only to absorb
 * late FINs and ACKs; when a new connection finds the table full it takes
 * the place of the one closed longest ago. Keeping them on an intrusive
 * circular list, appended when they close, makes "the oldest" the head:
 * O(1) to find, link and unlink, and 8 bytes of the entry's spare room.
 * (The timer wheel cannot tell: its slots are lazily ordered and mix states.)
 */
#include <stdint.h>

#include "flow.h"
#include "flow_private.h"

void
flow_closed_push(struct flow_table *t, struct flow_entry *e)
{
	uint32_t i = e->priv.self;

	if (t->closed_head == FLOW_NIL) {
		t->closed_head = i;
		e->priv.cl_prev = i;
		e->priv.cl_next = i;
	} else {
		struct flow_entry *h = flow_entry_at(t, t->closed_head);

		e->priv.cl_prev = h->priv.cl_prev;
		e->priv.cl_next = t->closed_head;
		flow_entry_at(t, h->priv.cl_prev)->priv.cl_next = i;
		h->priv.cl_prev = i;
	}
}

void
flow_closed_unlink(struct flow_table *t, struct flow_entry *e)
{
	uint32_t i = e->priv.self;

	if (e->priv.cl_next == i) {
		t->closed_head = FLOW_NIL;
		return;
	}
	flow_entry_at(t, e->priv.cl_prev)->priv.cl_next = e->priv.cl_next;
	flow_entry_at(t, e->priv.cl_next)->priv.cl_prev = e->priv.cl_prev;
	if (t->closed_head == i)
		t->closed_head = e->priv.cl_next;
}
