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
#include "admit.h"
#include "sw_log.h"
#include "policy.h"

#define PGEN_MAX_WORKERS 64

/* What worker w writes of a generation, on cache lines of its own: a
 * worker counting never invalidates another's line. */
struct pgen_worker {
	struct policy_class_counters *cnt; /* per class, an allocation of its own lines */
	uint64_t flows; /* connections of this worker using this generation */
} __attribute__((aligned(64)));

struct pgen {
	struct policy *policy;
	unsigned int n_classes, n_statics;
	uint32_t id; /* 1, 2, ...: reloads */
	struct admit *adm; /* connection limits and IOS thresholds (lib/admit) */
	/* rate-limit actions: one token bucket per inspect map and rule that
	 * every worker draws from (the rate holds for the whole box). */
	unsigned int n_imaps;
	struct log_shared_limiter *rate;
	struct pgen *retired_next;
	/* Written only by worker w; read by the control lcore. */
	struct pgen_worker wk[PGEN_MAX_WORKERS];
};

/* Worker w's counters of class c. */
static inline struct policy_class_counters *
pgen_cnt(struct pgen *g, unsigned int w, unsigned int c)
{
	return &g->wk[w].cnt[c];
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
