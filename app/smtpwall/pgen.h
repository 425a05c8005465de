/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_PGEN_H
#define SMTPWALL_PGEN_H

/*
 * A policy generation: one compiled policy (lib/policy), its shared
 * connection-limit counters and the per-worker counter arrays of its
 * classes. Workers pick up the current generation once per burst; a new
 * connection keeps the generation it was classified with until it goes, so
 * a reload (SIGHUP) changes new connections only and loses none. A retired
 * generation is freed when no connection of any worker uses it any more.
 */

#include <stdatomic.h>
#include <stdint.h>

#include "esmtp.h"
#include "flow_limit.h"
#include "log.h"
#include "policy.h"

#define PGEN_CLIENT_CELLS (1u << 20) /* hashed per-client limit counters */
#define PGEN_HOST_CELLS (1u << 16) /* IOS per-host block timers */
#define PGEN_SCOPE_IOS_HOST 0xf0000000u /* hashed scope of IOS per-host half-open */

/* A worker's count of connections using a generation, alone on its line. */
struct pgen_flows {
	uint64_t n;
} __attribute__((aligned(64)));

struct pgen {
	struct policy *policy;
	unsigned int n_classes, n_statics;
	uint32_t id; /* 1, 2, ...: reloads */
	struct flow_limits *limits;
	/* Written only by worker w; read by the control lcore. Each worker's
	 * on cache lines of its own: no line is written by two workers. */
	struct policy_class_counters *cnt[64];
	struct pgen_flows flows[64]; /* connections of worker w using this generation */
	/* rate-limit actions: one token bucket per inspect map and rule that
	 * every worker draws from (the rate holds for the whole box). */
	unsigned int n_imaps;
	struct log_shared_limiter *rate;
	/* IOS thresholds (ip inspect max-incomplete, tcp max-incomplete host). */
	atomic_bool ios_aggressive; /* half-open count went over high */
	atomic_bool ios_rate_aggressive; /* new half-open per minute went over high */
	_Atomic uint64_t ios_minute; /* the current one-minute window */
	atomic_uint ios_minute_count; /* new half-open connections in it */
	_Atomic uint64_t *host_block_until; /* ns, by host cell (PGEN_HOST_CELLS) */
	uint64_t static_drops;
	struct pgen *retired_next;
};

/* Exact limit counters: two per class (conns, embryonic), two per static. */
static inline uint32_t
pgen_class_idx(unsigned int class_id, int embryonic)
{
	return 2u * class_id + (embryonic ? 1u : 0u);
}

static inline uint32_t
pgen_static_idx(const struct pgen *g, unsigned int static_id, int embryonic)
{
	return 2u * g->n_classes + 2u * static_id + (embryonic ? 1u : 0u);
}

/* The IOS global half-open counter, after the classes' and statics'. */
static inline uint32_t
pgen_ios_idx(const struct pgen *g)
{
	return 2u * (g->n_classes + g->n_statics);
}

/* The bucket of rule `rule` of inspect map `imap`, shared by the workers. */
static inline struct log_shared_limiter *
pgen_rate(struct pgen *g, unsigned int imap, unsigned int rule)
{
	return &g->rate[imap * ESMTP_MAX_RULES + rule];
}

/* Wraps a compiled policy (taking ownership) for n_workers. NULL on error. */
struct pgen *pgen_create(struct policy *p, unsigned int n_workers, uint32_t id);
void pgen_free(struct pgen *g);

/* The current generation (workers: once per burst). */
extern _Atomic(struct pgen *) pgen_current;

/* Publishes g as current and retires the previous one. */
void pgen_publish(struct pgen *g);

/*
 * Frees retired generations that no connection uses any more and that no
 * worker can still be holding: min_seen is the lowest generation id the
 * workers have loaded since (a worker reloads pgen_current every loop).
 */
void pgen_reap(unsigned int n_workers, uint32_t min_seen);

/*
 * Readers outside the data path (telemetry) bracket their use of
 * pgen_current with these, so that a concurrent reload cannot reap it.
 */
struct pgen *pgen_reader_enter(void);
void pgen_reader_exit(void);

/* Frees every generation (at exit, after the workers stopped). */
void pgen_free_all(void);

/* Sums the workers' class counters of g into out (n_classes entries). */
void pgen_sum(const struct pgen *g, unsigned int n_workers, struct policy_class_counters *out);

#endif /* SMTPWALL_PGEN_H */
