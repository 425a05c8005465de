/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_ADMIT_H
#define SMTPWALL_ADMIT_H

/*
 * Admission of new connections: whether a new connection may open, given
 * the connection limits that apply to it, and what it holds while it
 * lives. Pure C, no DPDK; the counters it takes units of are lib/flow's
 * flow_limits, shared by every worker (C11 atomics).
 *
 * Limits (REFERENCE.md §1.7, §1.8, §2):
 *  - ASA MPF `set connection`: conn-max, embryonic-conn-max (per class),
 *    per-client-max, per-client-embryonic-max (per class and client
 *    address, hashed cells: a collision can only make a limit stricter);
 *  - legacy `static ... tcp max_conns em_limit` (per static);
 *  - IOS CBAC thresholds of `ip inspect` bindings: max-incomplete high/low
 *    (half-open count), one-minute high/low (new half-open per minute),
 *    tcp max-incomplete host N block-time M (half-open per server).
 *
 * An embryonic limit at or above the connection limit beside it is
 * enforced at half that connection limit (admit_emb_cap): half-open flood
 * connections hold connection units too and would otherwise lock out
 * every legitimate client before the embryonic limit is crossed.
 *
 * Crossing an embryonic limit of a class that intercepts (or of a static:
 * ASA proxies them all), or an IOS threshold with `intercept: true`, asks
 * the caller to answer with a SYN cookie (ADMIT_INTERCEPT); the app does
 * that (it needs the EAL). A client that returned a valid cookie is past
 * the embryonic stage: only connection limits apply to it (validated).
 *
 * Threads: one struct admit per policy generation, shared by the workers;
 * one struct admit_worker per worker (its IOS half-open ring, never
 * shared); one struct admit_conn per connection, embedded in the caller's
 * flow state. The admit_conn memory must stay readable while an
 * admit_worker may remember it (preallocated flow tables do): a reused
 * entry is told apart by its sequence number, never dereferenced as
 * another connection's.
 */

#include <stdbool.h>
#include <stdint.h>

/* The counters lib/admit keeps per worker, as an X-macro (name, meaning):
 * the app lists them among its own (app/smtpwall/stats.h). */
#define ADMIT_FOREACH_COUNTER(X) \
	X(limit_drop, "new connections refused by a connection limit") \
	X(limit_static_drop, "... of which by a legacy static limit") \
	X(ios_aggressive_on, "IOS max-incomplete high crossed (aggressive mode entered)") \
	X(ios_aggressive_drop, "... new half-open connections refused while aggressive") \
	X(ios_host_drop, "... refused by tcp max-incomplete host") \
	X(ios_host_blocked, "... refused: host blocked (block-time)") \
	X(ios_deleted, "IOS: oldest half-open connections deleted for new ones")

struct admit_counters {
#define ADMIT_COUNTER_FIELD(name, help) uint64_t name;
	ADMIT_FOREACH_COUNTER(ADMIT_COUNTER_FIELD)
#undef ADMIT_COUNTER_FIELD
};

/* The units a connection holds (struct admit_conn.lim), one per limit. */
#define ADMIT_U_CLASS 0x01 /* class conn-max */
#define ADMIT_U_CLASS_EMB 0x02 /* class embryonic-conn-max */
#define ADMIT_U_CLIENT 0x04 /* per-client-max */
#define ADMIT_U_CLIENT_EMB 0x08 /* per-client-embryonic-max */
#define ADMIT_U_STATIC 0x10 /* static max_conns */
#define ADMIT_U_STATIC_EMB 0x20 /* static em_limit */
#define ADMIT_U_IOS_EMB 0x40 /* IOS max-incomplete (global half-open) */
#define ADMIT_U_IOS_HOST 0x80 /* IOS tcp max-incomplete host */
#define ADMIT_U_EMB_ALL \
	(ADMIT_U_CLASS_EMB | ADMIT_U_CLIENT_EMB | ADMIT_U_STATIC_EMB | ADMIT_U_IOS_EMB | \
			ADMIT_U_IOS_HOST)
#define ADMIT_U_ALL 0xff

/* The limits of a class, in lib/policy's order (enum policy_limit). */
enum admit_class_limit {
	ADMIT_CONN_MAX = 0,
	ADMIT_EMBRYONIC_CONN_MAX,
	ADMIT_PER_CLIENT_MAX,
	ADMIT_PER_CLIENT_EMBRYONIC_MAX,
	ADMIT_CLASS_LIMIT_MAX,
};

/* Which limit refused (or intercepted): a class limit (enum
 * admit_class_limit), a static one, or an IOS threshold. */
enum admit_which {
	ADMIT_W_STATIC = ADMIT_CLASS_LIMIT_MAX, /* static max_conns */
	ADMIT_W_STATIC_EMB, /* static em_limit */
	ADMIT_W_IOS, /* an IOS threshold (no per-limit audit line) */
};

/* IOS CBAC global thresholds (0: that threshold is off). */
struct admit_ios {
	bool configured; /* an ip-inspect section was given: the rest applies */
	bool intercept; /* over a threshold: SYN cookies instead of deleting */
	uint32_t max_incomplete_high, max_incomplete_low;
	uint32_t one_minute_high, one_minute_low;
	uint32_t host_max_incomplete;
	uint32_t host_block_time; /* minutes: 0 deletes the host's oldest, > 0 blocks */
};

#define ADMIT_CLIENT_CELLS (1u << 20) /* hashed per-client counters */
#define ADMIT_HOST_CELLS (1u << 16) /* IOS per-host block timers */

/* One generation's limits: the counters' layout and the IOS thresholds. */
struct admit_params {
	uint32_t n_classes, n_statics;
	uint32_t client_cells; /* hashed cells, a power of two (ADMIT_CLIENT_CELLS) */
	struct admit_ios ios;
};

struct admit;

/* Creates the shared state of one generation. NULL + errno (EINVAL, ENOMEM). */
struct admit *admit_create(const struct admit_params *p);
void admit_free(struct admit *a);

/* The IOS thresholds a was created with. */
const struct admit_ios *admit_ios_get(const struct admit *a);

/* What a connection holds; embedded in the caller's per-flow state,
 * zeroed by admit_conn_init before admit_new. */
struct admit_conn {
	uint32_t client_idx; /* per-client cells (connections, embryonic) */
	uint32_t client_emb_idx;
	uint32_t host_idx; /* IOS per-host half-open cell */
	uint32_t ho_seq; /* its entry in its worker's half-open ring, 0: none */
	uint16_t class_id; /* class whose limits apply, or ADMIT_NO_CLASS */
	int16_t stat; /* static covering the server, or -1 */
	uint8_t lim; /* ADMIT_U_* units held */
};

#define ADMIT_NO_CLASS 0xffff

static inline void
admit_conn_init(struct admit_conn *c)
{
	*c = (struct admit_conn){.class_id = ADMIT_NO_CLASS, .stat = -1};
}

/*
 * An IOS half-open connection is deleted to make room (aggressive mode,
 * the host limit): lib/admit already gave back its units and forgot it;
 * the caller drops the connection (its later packets, its state).
 */
typedef void (*admit_delete_fn)(void *arg, struct admit_conn *c);

#define ADMIT_HO_MAX 4096 /* IOS half-open connections a worker remembers */

struct admit_half_open {
	struct admit_conn *c;
	uint32_t seq;
	uint32_t cell; /* IOS per-host cell of its server */
};

/* One worker's part: its IOS half-open connections, oldest first (a
 * ring; the oldest is forgotten when full). Zeroed, then admit_worker_init. */
struct admit_worker {
	admit_delete_fn del;
	void *del_arg;
	struct admit_counters *cnt;
	uint32_t ho_head, ho_n, ho_seq;
	struct admit_half_open ho[ADMIT_HO_MAX];
};

/* cnt: where this worker's counters are kept (the caller's stats block). */
void admit_worker_init(struct admit_worker *aw, struct admit_counters *cnt, admit_delete_fn del,
		void *arg);

/* The limits of a class, as lib/policy compiled them. */
struct admit_class {
	uint16_t id;
	bool intercept; /* crossing an embryonic limit answers with a cookie */
	uint32_t limits[ADMIT_CLASS_LIMIT_MAX]; /* 0 = unlimited */
};

/* A legacy static's limits. */
struct admit_static {
	uint16_t id;
	uint32_t max_conns, em_limit; /* 0 = unlimited */
};

/* A new connection. */
struct admit_req {
	const struct admit_class *cls; /* the class whose limits apply, or NULL */
	const struct admit_static *stat; /* the static covering the server, or NULL */
	bool ios; /* an IOS `ip inspect` binding: the IOS thresholds apply */
	bool validated; /* the client returned a valid SYN cookie */
	uint8_t addr_len; /* 4 or 16 */
	const uint8_t *src, *dst; /* client, server */
	uint64_t now_ns; /* a clock that never steps back */
};

enum admit_verdict {
	ADMIT_OK = 0, /* admitted: c holds its units */
	ADMIT_REFUSE, /* refused (counted): drop the SYN */
	ADMIT_INTERCEPT, /* answer with a SYN cookie (the connection is not opened) */
};

/* Why a connection was not admitted (for the audit line and the class counters). */
struct admit_result {
	uint8_t which; /* enum admit_class_limit or enum admit_which */
	uint32_t count; /* units held when refused */
	uint32_t limit; /* the configured limit (an enforced one may be lower) */
};

/*
 * Takes one unit of every limit that applies to the new connection c
 * (class, client, static; the lower one wins where several apply: each is
 * checked), then the IOS thresholds. ADMIT_OK: c holds its units (give
 * them back with admit_release). Otherwise c holds nothing and res says
 * which limit said no; ADMIT_REFUSE is counted in the worker's counters.
 * An IOS threshold may delete older half-open connections of this worker
 * (aw->del) to make room.
 */
enum admit_verdict admit_new(struct admit *a, struct admit_worker *aw, struct admit_conn *c,
		const struct admit_req *r, struct admit_result *res);

/* Gives back the units `which` of c (ADMIT_U_ALL: all). IOS: below
 * max-incomplete low, aggressive mode ends. */
void admit_release(struct admit *a, struct admit_conn *c, uint8_t which);

/*
 * The units a connection can give back in its state: its embryonic ones
 * once established, all of them once closed (a closed connection lingers
 * a few seconds but no longer counts). Inline: asked on every packet of a
 * limited connection.
 */
static inline uint8_t
admit_settle_units(const struct admit_conn *c, bool established, bool closed)
{
	if (closed)
		return c->lim;
	return established ? (uint8_t)(c->lim & ADMIT_U_EMB_ALL) : 0;
}

/*
 * Whether SYNs of a connection like r may have been answered with cookies
 * (so that an ACK without a connection may carry one): a static with an
 * embryonic limit, an IOS binding with `intercept`, a class that
 * intercepts and has an embryonic limit.
 */
bool admit_may_intercept(const struct admit *a, const struct admit_req *r);

/* The enforced embryonic limit beside a connection limit (see above). */
uint32_t admit_emb_cap(uint32_t emb, uint32_t conn);

/* Units held on the counters (tests, show commands). */
uint32_t admit_count_class(const struct admit *a, uint16_t class_id, bool embryonic);
uint32_t admit_count_static(const struct admit *a, uint16_t static_id, bool embryonic);
uint32_t admit_count_client(const struct admit *a, const struct admit_conn *c, bool embryonic);
uint32_t admit_count_ios(const struct admit *a);
uint32_t admit_count_host(const struct admit *a, const struct admit_conn *c);

/* Whether IOS aggressive mode is on (half-open count, or the one-minute rate). */
bool admit_ios_aggressive(const struct admit *a);

#endif /* SMTPWALL_ADMIT_H */
