/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission of new connections: the ASA limits and the IOS thresholds.
 * See admit.h for the contract. Runs on the workers, once per new
 * connection and once when it grows up or goes; the shared state is
 * lib/flow's counters and a few atomics, relaxed: a race between workers
 * only blurs the edge of a threshold, never admits past an exact limit
 * (flow_limits_acquire is exact).
 */
#include "admit.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "flow_limit.h"

#define SCOPE_IOS_HOST 0xf0000000u /* hashed scope of IOS per-host half-open */
#define NS_PER_MIN (60ull * 1000000000u)

struct admit {
	struct flow_limits *limits;
	uint32_t n_classes, n_statics;
	struct admit_ios ios;
	atomic_bool ios_aggressive; /* half-open count went over high */
	atomic_bool ios_rate_aggressive; /* new half-open per minute went over high */
	_Atomic uint64_t ios_minute; /* the current one-minute window */
	atomic_uint ios_minute_count; /* new half-open connections in it */
	_Atomic uint64_t *host_block_until; /* ns, by host cell (ADMIT_HOST_CELLS) */
};

/* Exact counters: two per class (conns, embryonic), two per static, then
 * the IOS global half-open counter. */
static inline uint32_t
class_idx(unsigned int class_id, bool embryonic)
{
	return 2u * class_id + (embryonic ? 1u : 0u);
}

static inline uint32_t
static_idx(const struct admit *a, unsigned int static_id, bool embryonic)
{
	return 2u * a->n_classes + 2u * static_id + (embryonic ? 1u : 0u);
}

static inline uint32_t
ios_idx(const struct admit *a)
{
	return 2u * (a->n_classes + a->n_statics);
}

struct admit *
admit_create(const struct admit_params *p)
{
	struct admit *a;

	if (p == NULL || p->n_classes > UINT16_MAX || p->n_statics > UINT16_MAX) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->n_classes = p->n_classes;
	a->n_statics = p->n_statics;
	a->ios = p->ios;
	a->limits = flow_limits_create(2 * (p->n_classes + p->n_statics) + 1, p->client_cells);
	a->host_block_until = calloc(ADMIT_HOST_CELLS, sizeof(*a->host_block_until));
	if (a->limits == NULL || a->host_block_until == NULL) {
		int e = a->limits == NULL ? errno : ENOMEM;

		admit_free(a);
		errno = e;
		return NULL;
	}
	return a;
}

void
admit_free(struct admit *a)
{
	if (a == NULL)
		return;
	flow_limits_free(a->limits);
	free(a->host_block_until);
	free(a);
}

const struct admit_ios *
admit_ios_get(const struct admit *a)
{
	return &a->ios;
}

void
admit_worker_init(
		struct admit_worker *aw, struct admit_counters *cnt, admit_delete_fn del, void *arg)
{
	aw->del = del;
	aw->del_arg = arg;
	aw->cnt = cnt;
	aw->ho_head = 0;
	aw->ho_n = 0;
	aw->ho_seq = 0;
}

uint32_t
admit_emb_cap(uint32_t emb, uint32_t conn)
{
	if (emb == 0 || conn == 0 || emb < conn)
		return emb;
	return conn / 2 != 0 ? conn / 2 : 1;
}

void
admit_release(struct admit *a, struct admit_conn *c, uint8_t which)
{
	uint8_t held = c->lim & which;

	if (held == 0)
		return;
	if (held & ADMIT_U_CLASS)
		flow_limits_release(a->limits, class_idx(c->class_id, false));
	if (held & ADMIT_U_CLASS_EMB)
		flow_limits_release(a->limits, class_idx(c->class_id, true));
	if (held & ADMIT_U_CLIENT)
		flow_limits_release(a->limits, c->client_idx);
	if (held & ADMIT_U_CLIENT_EMB)
		flow_limits_release(a->limits, c->client_emb_idx);
	if (held & ADMIT_U_STATIC)
		flow_limits_release(a->limits, static_idx(a, (unsigned int)c->stat, false));
	if (held & ADMIT_U_STATIC_EMB)
		flow_limits_release(a->limits, static_idx(a, (unsigned int)c->stat, true));
	if (held & ADMIT_U_IOS_HOST)
		flow_limits_release(a->limits, c->host_idx);
	if (held & ADMIT_U_IOS_EMB) {
		flow_limits_release(a->limits, ios_idx(a));
		/* IOS: below max-incomplete low, stop being aggressive. */
		if (atomic_load_explicit(&a->ios_aggressive, memory_order_relaxed) &&
				flow_limits_count(a->limits, ios_idx(a)) <=
						a->ios.max_incomplete_low)
			atomic_store_explicit(&a->ios_aggressive, false, memory_order_relaxed);
	}
	c->lim &= (uint8_t)~held;
}

/* ------------------------------------------------------------------ */
/* IOS half-open connections of one worker                              */

#define HO_ANY UINT32_MAX

static bool
ho_valid(const struct admit_half_open *h)
{
	return h->c->ho_seq == h->seq && (h->c->lim & ADMIT_U_IOS_EMB);
}

/* Remembers a new IOS half-open connection (the oldest is forgotten when full). */
static void
ho_push(struct admit_worker *aw, struct admit_conn *c, uint32_t cell)
{
	uint32_t i;

	if (aw->ho_n == ADMIT_HO_MAX) {
		aw->ho_head = (aw->ho_head + 1) % ADMIT_HO_MAX;
		aw->ho_n--;
	}
	i = (aw->ho_head + aw->ho_n) % ADMIT_HO_MAX;
	aw->ho_seq = aw->ho_seq + 1 ? aw->ho_seq + 1 : 1;
	aw->ho[i] = (struct admit_half_open){c, aw->ho_seq, cell};
	c->ho_seq = aw->ho_seq;
	aw->ho_n++;
}

/*
 * IOS deletes a half-open session: its units go (to the generation it was
 * admitted by: the caller's callback gives them back), then the caller
 * drops it.
 */
static void
ho_delete(struct admit_worker *aw, struct admit_conn *c)
{
	aw->cnt->ios_deleted++;
	aw->del(aw->del_arg, c);
	c->ho_seq = 0;
}

/*
 * Deletes this worker's oldest half-open connection (to host `cell`, or
 * any); all of them to that host when `all`. Returns how many it deleted.
 */
static unsigned int
ho_delete_oldest(struct admit_worker *aw, uint32_t cell, bool all)
{
	unsigned int k, n = 0;

	/* Stale entries at the head go first: keeps the scans short. */
	while (aw->ho_n != 0 && !ho_valid(&aw->ho[aw->ho_head])) {
		aw->ho_head = (aw->ho_head + 1) % ADMIT_HO_MAX;
		aw->ho_n--;
	}
	for (k = 0; k < aw->ho_n; k++) {
		struct admit_half_open *h = &aw->ho[(aw->ho_head + k) % ADMIT_HO_MAX];

		if (!ho_valid(h) || (cell != HO_ANY && h->cell != cell))
			continue;
		ho_delete(aw, h->c);
		n++;
		if (!all)
			break;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* IOS thresholds                                                       */

/* one-minute high/low: the rate of new half-open connections. A new
 * window decides from the last one's count whether to calm down; workers
 * race on the roll-over, which only blurs the edge of a minute. */
static void
ios_rate(struct admit *a, struct admit_worker *aw, uint64_t now)
{
	uint64_t minute = now / NS_PER_MIN;
	uint64_t cur = atomic_load_explicit(&a->ios_minute, memory_order_relaxed);

	if (minute != cur && atomic_compare_exchange_strong(&a->ios_minute, &cur, minute)) {
		unsigned int last = atomic_exchange(&a->ios_minute_count, 0);

		if (last < a->ios.one_minute_low || minute != cur + 1)
			atomic_store(&a->ios_rate_aggressive, false);
	}
	if (atomic_fetch_add(&a->ios_minute_count, 1) + 1 > a->ios.one_minute_high &&
			!atomic_exchange(&a->ios_rate_aggressive, true))
		aw->cnt->ios_aggressive_on++;
}

/*
 * IOS CBAC thresholds for connections of an `ip inspect` binding:
 *  - one-minute high/low: over `high` new half-open connections in a
 *    minute, the same aggressive mode, until a minute with fewer than `low`;
 *  - max-incomplete high/low: over `high` half-open connections the
 *    firewall turns aggressive until the count falls to `low`: each new
 *    connection request deletes the oldest half-open session (a worker
 *    reaches only its own; with none, the newcomer is refused);
 *  - tcp max-incomplete host N block-time M: over N half-open connections
 *    to one host, the new one is refused, and with M > 0 the host is
 *    blocked for M minutes.
 * Units taken stay in c->lim whatever the verdict (the caller gives back).
 */
static enum admit_verdict
admit_ios(struct admit *a, struct admit_worker *aw, struct admit_conn *c, const struct admit_req *r)
{
	const struct admit_ios *ios = &a->ios;
	uint64_t now = r->now_ns;
	_Atomic uint64_t *block;
	uint32_t cell, count = 0;

	if (!ios->configured)
		return ADMIT_OK;
	cell = flow_limits_hashed(a->limits, SCOPE_IOS_HOST, r->dst, r->addr_len);
	block = &a->host_block_until[cell & (ADMIT_HOST_CELLS - 1)];
	if (ios->host_block_time && atomic_load_explicit(block, memory_order_relaxed) > now) {
		aw->cnt->ios_host_blocked++;
		return ADMIT_REFUSE;
	}
	if (ios->one_minute_high)
		ios_rate(a, aw, now);
	flow_limits_acquire(a->limits, ios_idx(a), 0, &count);
	c->lim |= ADMIT_U_IOS_EMB;
	if (ios->max_incomplete_high && count + 1 > ios->max_incomplete_high &&
			!atomic_exchange_explicit(&a->ios_aggressive, true, memory_order_relaxed))
		aw->cnt->ios_aggressive_on++;
	if (admit_ios_aggressive(a)) {
		/* `intercept: true`: the newcomer gets a SYN cookie and the
		 * half-open sessions stay. */
		if (ios->intercept)
			return ADMIT_INTERCEPT;
		/* Aggressive: each new connection request deletes the oldest
		 * half-open session (of this worker; none here: refused). */
		if (ho_delete_oldest(aw, HO_ANY, false) == 0) {
			aw->cnt->ios_aggressive_drop++;
			return ADMIT_REFUSE;
		}
	}
	if (ios->host_max_incomplete) {
		if (!flow_limits_acquire(a->limits, cell, ios->host_max_incomplete, &count)) {
			if (ios->intercept)
				return ADMIT_INTERCEPT;
			if (ios->host_block_time) {
				/* block-time > 0: delete the host's half-open sessions
				 * and block new ones for block-time minutes. */
				ho_delete_oldest(aw, cell, true);
				atomic_store_explicit(block,
						now + (uint64_t)ios->host_block_time * NS_PER_MIN,
						memory_order_relaxed);
				aw->cnt->ios_host_drop++;
				return ADMIT_REFUSE;
			}
			/* block-time 0: the oldest half-open session to the host goes. */
			if (ho_delete_oldest(aw, cell, false) == 0 ||
					!flow_limits_acquire(a->limits, cell,
							ios->host_max_incomplete, &count)) {
				aw->cnt->ios_host_drop++;
				return ADMIT_REFUSE;
			}
		}
		c->host_idx = cell;
		c->lim |= ADMIT_U_IOS_HOST;
	}
	ho_push(aw, c, cell);
	return ADMIT_OK;
}

/* ------------------------------------------------------------------ */
/* ASA limits                                                           */

struct step {
	uint8_t bit; /* ADMIT_U_* */
	uint8_t which; /* enum admit_class_limit or enum admit_which */
	uint32_t idx, max;
	uint32_t shown; /* the configured limit, for the audit line */
};

/*
 * One limit to check: `configured` is what the operator set (and what the
 * audit line shows); an embryonic one is enforced at admit_emb_cap() of it
 * and the connection limit beside it (`conn`, 0 for a connection limit).
 */
static struct step
step(uint8_t bit, uint8_t which, uint32_t idx, uint32_t configured, uint32_t conn)
{
	bool emb = (bit & ADMIT_U_EMB_ALL) != 0;

	return (struct step){
			.bit = bit,
			.which = which,
			.idx = idx,
			.max = emb ? admit_emb_cap(configured, conn) : configured,
			.shown = configured,
	};
}

enum admit_verdict
admit_new(struct admit *a, struct admit_worker *aw, struct admit_conn *c, const struct admit_req *r,
		struct admit_result *res)
{
	const struct admit_class *cl = r->cls;
	uint32_t count = 0;
	struct step steps[6];
	unsigned int n = 0, i;
	enum admit_verdict v;

	if (cl != NULL) {
		const uint32_t *lim = cl->limits;

		c->class_id = cl->id;
		c->client_idx = flow_limits_hashed(a->limits, 2u * cl->id, r->src, r->addr_len);
		c->client_emb_idx =
				flow_limits_hashed(a->limits, 2u * cl->id + 1, r->src, r->addr_len);
		steps[n++] = step(ADMIT_U_CLASS, ADMIT_CONN_MAX, class_idx(cl->id, false),
				lim[ADMIT_CONN_MAX], 0);
		steps[n++] = step(ADMIT_U_CLASS_EMB, ADMIT_EMBRYONIC_CONN_MAX,
				class_idx(cl->id, true), lim[ADMIT_EMBRYONIC_CONN_MAX],
				lim[ADMIT_CONN_MAX]);
		steps[n++] = step(ADMIT_U_CLIENT, ADMIT_PER_CLIENT_MAX, c->client_idx,
				lim[ADMIT_PER_CLIENT_MAX], 0);
		steps[n++] = step(ADMIT_U_CLIENT_EMB, ADMIT_PER_CLIENT_EMBRYONIC_MAX,
				c->client_emb_idx, lim[ADMIT_PER_CLIENT_EMBRYONIC_MAX],
				lim[ADMIT_PER_CLIENT_MAX]);
	}
	if (r->stat != NULL) {
		c->stat = (int16_t)r->stat->id;
		steps[n++] = step(ADMIT_U_STATIC, ADMIT_W_STATIC, static_idx(a, r->stat->id, false),
				r->stat->max_conns, 0);
		steps[n++] = step(ADMIT_U_STATIC_EMB, ADMIT_W_STATIC_EMB,
				static_idx(a, r->stat->id, true), r->stat->em_limit,
				r->stat->max_conns);
	}
	for (i = 0; i < n; i++) {
		/* Unlimited counters are not counted: they could not refuse,
		 * and the SYN path stays short. */
		if (steps[i].max == 0 || (r->validated && (steps[i].bit & ADMIT_U_EMB_ALL)))
			continue;
		if (!flow_limits_acquire(a->limits, steps[i].idx, steps[i].max, &count)) {
			admit_release(a, c, ADMIT_U_ALL);
			res->which = steps[i].which;
			res->count = count;
			res->limit = steps[i].shown;
			if ((steps[i].bit & ADMIT_U_EMB_ALL) &&
					(steps[i].which >= ADMIT_W_STATIC || cl->intercept))
				return ADMIT_INTERCEPT;
			if (steps[i].which >= ADMIT_W_STATIC)
				aw->cnt->limit_static_drop++;
			aw->cnt->limit_drop++;
			return ADMIT_REFUSE;
		}
		c->lim |= steps[i].bit;
	}
	/* IOS thresholds apply to the connections of an `ip inspect` binding. */
	if (r->validated || !r->ios)
		return ADMIT_OK;
	v = admit_ios(a, aw, c, r);
	if (v != ADMIT_OK) {
		admit_release(a, c, ADMIT_U_ALL);
		res->which = ADMIT_W_IOS;
		res->count = 0;
		res->limit = 0;
		if (v == ADMIT_REFUSE)
			aw->cnt->limit_drop++;
	}
	return v;
}

bool
admit_may_intercept(const struct admit *a, const struct admit_req *r)
{
	const struct admit_class *cl = r->cls;

	if (r->stat != NULL && r->stat->em_limit != 0)
		return true;
	if (r->ios && a->ios.intercept)
		return true;
	return cl != NULL && cl->intercept &&
			(cl->limits[ADMIT_EMBRYONIC_CONN_MAX] != 0 ||
					cl->limits[ADMIT_PER_CLIENT_EMBRYONIC_MAX] != 0);
}

bool
admit_ios_aggressive(const struct admit *a)
{
	return atomic_load_explicit(&a->ios_aggressive, memory_order_relaxed) ||
			atomic_load_explicit(&a->ios_rate_aggressive, memory_order_relaxed);
}

uint32_t
admit_count_class(const struct admit *a, uint16_t class_id, bool embryonic)
{
	return flow_limits_count(a->limits, class_idx(class_id, embryonic));
}

uint32_t
admit_count_static(const struct admit *a, uint16_t static_id, bool embryonic)
{
	return flow_limits_count(a->limits, static_idx(a, static_id, embryonic));
}

uint32_t
admit_count_client(const struct admit *a, const struct admit_conn *c, bool embryonic)
{
	return flow_limits_count(a->limits, embryonic ? c->client_emb_idx : c->client_idx);
}

uint32_t
admit_count_ios(const struct admit *a)
{
	return flow_limits_count(a->limits, ios_idx(a));
}

uint32_t
admit_count_host(const struct admit *a, const struct admit_conn *c)
{
	return flow_limits_count(a->limits, c->host_idx);
}
