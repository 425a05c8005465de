/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show conn` and `clear conn` (ASA): the telemetry thread asks every worker for the
 * connections in its flow table; each worker answers between bursts,
 * walking its table a slice at a time so that the data path never stalls
 * for long, and the telemetry thread formats the rows. Nothing is locked on
 * the data path: when nobody asks, a worker pays one load per loop.
 */
#ifndef SMTPWALL_CONNS_H
#define SMTPWALL_CONNS_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_branch_prediction.h>

#include "flow.h"

/* Connections listed per request (and rows per worker): two lines each,
 * and a telemetry reply holds 16 KB. */
#define CONNS_ROWS_MAX 80
/* Table slots a worker walks per loop while answering. */
#define CONNS_SLICE 1024

struct conn_row {
	struct flow_key key;
	uint64_t created, deadline; /* the worker's ticks */
	uint64_t bytes[2]; /* per key direction */
	uint8_t state; /* enum flow_state */
	uint8_t init_dir; /* key direction of the initiator */
	uint8_t mode; /* enum wk_flow_mode */
	uint8_t ic_state; /* enum wk_ic_state */
	uint16_t init_port;
};

/* What a request does with the connections it matches. */
enum conn_action {
	CONN_ACT_LIST = 0, /* show conn */
	CONN_ACT_CLEAR_SILENT, /* clear conn: freed, nothing sent */
	CONN_ACT_CLEAR_RESET, /* clear conn ... reset: an RST to each end, then freed */
};

/* Which connections a request wants: all, or those with one address
 * (and one port at either end). */
struct conn_filter {
	uint8_t family; /* 0: every connection; 4 or 6: addr must be an end */
	uint8_t has_port;
	uint8_t action; /* enum conn_action */
	uint16_t port; /* with has_port: an end's port */
	uint8_t addr[16];
};

/* A worker's side of the exchange (in struct worker). */
struct conns_req {
	_Atomic uint32_t asked; /* telemetry: number of the latest request */
	_Atomic uint32_t answered; /* worker: the request the rows answer */
	struct conn_filter filter; /* telemetry: written before asked */
	/* The worker's progress on the request it is answering. */
	uint32_t working, cursor, n_rows;
	struct conn_filter wfilter; /* its copy of filter */
	uint64_t matched; /* connections that pass the filter, listed or not */
	uint64_t rst_sent, rst_unknown; /* clear conn ... reset: RSTs, ended silently */
	struct conn_row rows[CONNS_ROWS_MAX];
	/* clear conn: the matches of the slice walked, ended right after it. */
	uint32_t n_kill;
	struct flow_entry *kill[CONNS_SLICE];
};

/* What every worker answered to one request (showconn.c, conns_ask). */
struct conns_sum {
	uint64_t matched, rst_sent, rst_unknown;
	unsigned int silent; /* workers that did not answer in time */
};

/*
 * Ends the connections of c->kill (a clear request), then empties it. The
 * owner of the table does it (ctl_reset.c, the worker): a table walk must
 * not delete, so it runs after each slice, before the answer is published.
 */
typedef void (*conns_clear_fn)(void *arg, struct conns_req *c);

/* Walks one more slice of ft for the pending request (the slow part). */
void conns_answer(struct flow_table *ft, struct conns_req *c, conns_clear_fn clear, void *arg);

/* Called once per worker loop: answers a pending `show conn`, if any. */
static inline void
conns_poll(struct flow_table *ft, struct conns_req *c, conns_clear_fn clear, void *arg)
{
	if (unlikely(atomic_load_explicit(&c->asked, memory_order_relaxed) !=
			    atomic_load_explicit(&c->answered, memory_order_relaxed)))
		conns_answer(ft, c, clear, arg);
}

#endif /* SMTPWALL_CONNS_H */
