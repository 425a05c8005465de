/* SPDX-License-Identifier: BSD-3-Clause */
#include "pgen.h"

#include <stdlib.h>
#include <string.h>

_Atomic(struct pgen *) pgen_current;
static struct pgen *retired;
static atomic_int readers;

struct pgen *
pgen_reader_enter(void)
{
	atomic_fetch_add(&readers, 1);
	return atomic_load(&pgen_current);
}

void
pgen_reader_exit(void)
{
	atomic_fetch_sub(&readers, 1);
}

/* The rate-limit buckets: cache-line sized each, so that workers drawing
 * from two rules never write the same line. */
static int
pgen_rates_create(struct pgen *g)
{
	size_t n = (size_t)(g->n_imaps ? g->n_imaps : 1) * ESMTP_MAX_RULES;
	unsigned int m, r;

	g->rate = aligned_alloc(_Alignof(struct log_shared_limiter), n * sizeof(*g->rate));
	if (g->rate == NULL)
		return -1;
	memset(g->rate, 0, n * sizeof(*g->rate));
	for (m = 0; m < g->n_imaps; m++) {
		const struct esmtp_policy *ep = policy_imap_esmtp(g->policy, m);

		for (r = 0; ep != NULL && r < ep->n_rules; r++)
			if (ep->rules[r].action == ESMTP_ACT_RATE_LIMIT)
				log_shared_limiter_init(pgen_rate(g, m, r), ep->rules[r].rate,
						1000000000ull, ep->rules[r].rate);
	}
	return 0;
}

/* n zeroed bytes on cache lines of their own (nothing else shares them). */
static void *
alloc_lines(size_t n)
{
	size_t size = (n + 63) & ~(size_t)63;
	void *p = aligned_alloc(64, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

/* lib/admit's view of the policy's IOS thresholds. */
static struct admit_params
admit_params_of(const struct pgen *g)
{
	const struct policy_ios *ios = policy_ios_get(g->policy);

	return (struct admit_params){
			.n_classes = g->n_classes,
			.n_statics = g->n_statics,
			.client_cells = ADMIT_CLIENT_CELLS,
			.ios =
					{
							.configured = ios->configured != 0,
							.intercept = ios->intercept != 0,
							.max_incomplete_high =
									ios->max_incomplete_high,
							.max_incomplete_low =
									ios->max_incomplete_low,
							.one_minute_high = ios->one_minute_high,
							.one_minute_low = ios->one_minute_low,
							.host_max_incomplete =
									ios->host_max_incomplete,
							.host_block_time = ios->host_block_time,
					},
	};
}

struct pgen *
pgen_create(struct policy *p, unsigned int n_workers, uint32_t id)
{
	struct pgen *g = alloc_lines(sizeof(*g));
	struct admit_params ap;
	unsigned int w;

	if (g == NULL || n_workers > PGEN_MAX_WORKERS)
		goto fail;
	g->policy = p;
	g->id = id;
	g->n_classes = policy_n_classes(p);
	g->n_statics = policy_n_statics(p);
	ap = admit_params_of(g);
	g->adm = admit_create(&ap);
	if (g->adm == NULL)
		goto fail;
	g->n_imaps = policy_n_imaps(p);
	for (w = 0; w < n_workers; w++) {
		g->wk[w].cnt = alloc_lines(
				(g->n_classes ? g->n_classes : 1) * sizeof(*g->wk[w].cnt));
		if (g->wk[w].cnt == NULL)
			goto fail;
	}
	if (pgen_rates_create(g) != 0)
		goto fail;
	return g;
fail:
	if (g != NULL) {
		g->policy = NULL; /* the caller keeps it on failure */
		pgen_free(g);
	}
	return NULL;
}

void
pgen_free(struct pgen *g)
{
	unsigned int w;

	if (g == NULL)
		return;
	for (w = 0; w < PGEN_MAX_WORKERS; w++)
		free(g->wk[w].cnt);
	free(g->rate);
	admit_free(g->adm);
	policy_free(g->policy);
	free(g);
}

void
pgen_publish(struct pgen *g)
{
	struct pgen *old = atomic_exchange_explicit(&pgen_current, g, memory_order_acq_rel);

	if (old != NULL) {
		old->retired_next = retired;
		retired = old;
	}
}

static uint64_t
pgen_flows(const struct pgen *g, unsigned int n_workers)
{
	uint64_t n = 0;
	unsigned int w;

	for (w = 0; w < n_workers; w++)
		n += *(const volatile uint64_t *)&g->wk[w].flows;
	return n;
}

void
pgen_reap(unsigned int n_workers, uint32_t min_seen)
{
	struct pgen **pp = &retired;

	if (atomic_load(&readers) != 0)
		return; /* next time */
	/* A worker takes a generation for a new flow only from pgen_current:
	 * once every worker has loaded a newer one and no flow is left on a
	 * retired generation, nothing can reach it any more. */
	while (*pp != NULL) {
		struct pgen *g = *pp;

		if (g->id < min_seen && pgen_flows(g, n_workers) == 0) {
			*pp = g->retired_next;
			pgen_free(g);
		} else {
			pp = &g->retired_next;
		}
	}
}

void
pgen_free_all(void)
{
	while (retired != NULL) {
		struct pgen *g = retired;

		retired = g->retired_next;
		pgen_free(g);
	}
	pgen_free(atomic_exchange(&pgen_current, NULL));
}

void
pgen_sum(const struct pgen *g, unsigned int n_workers, struct policy_class_counters *out)
{
	unsigned int w;

	memset(out, 0, sizeof(*out) * (g->n_classes ? g->n_classes : 1));
	for (w = 0; w < n_workers && w < PGEN_MAX_WORKERS; w++)
		if (g->wk[w].cnt != NULL)
			policy_counters_merge(out, g->wk[w].cnt, g->n_classes);
}
