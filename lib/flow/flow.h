/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/flow: the symmetric flow key, the per-worker flow table (bulk lookup,
 * preallocated entries, timer-driven expiry) and a basic TCP connection state
 * machine with the ASA / IOS default timeouts.
 *
 * Pure C11: no DPDK include. A table belongs to one worker lcore: no call is
 * thread-safe, none takes a lock, none allocates after flow_table_create, and
 * none of lookup / add / del / track / touch / expire walks the whole table.
 *
 * Time is whatever the caller says it is: every call that needs the clock
 * takes `now` in ticks of params.hz (TSC cycles, or nanoseconds with hz = 1e9),
 * so the same code runs on a live port and on a capture replayed offline.
 * `now` is expected not to go backwards; if it does, nothing breaks, entries
 * just expire by the later of the two clocks.
 */
#ifndef SMTPWALL_FLOW_H
#define SMTPWALL_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Flow key                                                                  */

#define FLOW_PROTO_TCP 6 /* IPPROTO_TCP */
#define FLOW_PROTO_UDP 17 /* IPPROTO_UDP */

/*
 * Canonical, symmetric key: both directions of a connection give the same
 * key. Compared with memcmp, so flow_key_make zeroes every unused byte.
 */
struct flow_key {
	uint8_t addr_a[16]; /* the lower (address, port) end; IPv4 uses the first 4 bytes */
	uint8_t addr_b[16]; /* the higher end */
	uint16_t port_a, port_b; /* host order */
	uint16_t vlan; /* outer VLAN id (0 when untagged) */
	uint8_t proto; /* IPPROTO_* */
	uint8_t family; /* 4 or 6 */
};
_Static_assert(sizeof(struct flow_key) == 40, "flow_key must be 40 bytes, no padding");

/*
 * Builds the canonical key of a packet.
 *
 * The ends are ordered by address (memcmp over 4 or 16 bytes), then by port;
 * the lower end becomes 'a'. Only the low 12 bits of vlan are kept.
 *
 * @param k       key to fill (every byte written)
 * @param family  4 or 6
 * @param src     source address, 4 (IPv4) or 16 (IPv6) bytes, network order
 * @param dst     destination address, same length
 * @param sport   source port, host order (0 for protocols without ports)
 * @param dport   destination port, host order
 * @param proto   IPPROTO_*
 * @param vlan    outer VLAN id, 0 when untagged
 * @return 0 when (src, sport) is the 'a' end, 1 when it is the 'b' end (a packet
 *         from an endpoint to itself gives 0 both ways); -EINVAL when family is
 *         neither 4 nor 6 (the key is then zeroed).
 */
int flow_key_make(struct flow_key *k, uint8_t family, const uint8_t *src, const uint8_t *dst,
		uint16_t sport, uint16_t dport, uint8_t proto, uint16_t vlan);

/*
 * CRC32C over the 40 key bytes without the SSE4.2 instruction (slicing by 8),
 * then the same final mix as flow_key_hash: returns exactly what flow_key_hash
 * returns, on any CPU. flow_key_hash calls it when built without SSE4.2.
 */
uint32_t flow_key_hash_portable(const struct flow_key *k);

/* Seed of the CRC; any value, fixed so that the hash is stable across runs. */
#define FLOW_HASH_SEED 0x9e3779b9u

/* Murmur3's finaliser: every input bit reaches the low bits used to pick a bucket or a worker. */
static inline uint32_t
flow_hash_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/*
 * Hash of a key: CRC32C of its 40 bytes (the SSE4.2 instruction when the
 * caller is compiled with it, the bit-identical table version otherwise) and a
 * final mix. Symmetric because the key is; spreads in its low bits, so the app
 * may pick a worker with `hash % n`. Not a keyed hash: see flow_table_add for
 * what bounds a flood of colliding keys.
 */
static inline uint32_t
flow_key_hash(const struct flow_key *k)
{
#ifdef __SSE4_2__
	uint64_t w[5];
	uint64_t c = FLOW_HASH_SEED;

	memcpy(w, k, sizeof(w));
	c = _mm_crc32_u64(c, w[0]);
	c = _mm_crc32_u64(c, w[1]);
	c = _mm_crc32_u64(c, w[2]);
	c = _mm_crc32_u64(c, w[3]);
	c = _mm_crc32_u64(c, w[4]);
	return flow_hash_mix((uint32_t)c);
#else
	return flow_key_hash_portable(k);
#endif
}

/* ------------------------------------------------------------------------ */
/* States and timeouts                                                       */

/* TCP flag bits as in the TCP header's flags byte. */
#define FLOW_TCP_FIN 0x01
#define FLOW_TCP_SYN 0x02
#define FLOW_TCP_RST 0x04
#define FLOW_TCP_PSH 0x08
#define FLOW_TCP_ACK 0x10

/* X(NAME, "name"): one list gives the enum and flow_state_name. */
#define FLOW_FOREACH_STATE(X) \
	X(NEW, "new") /* created, nothing tracked yet */ \
	X(SYN_SENT, "syn-sent") /* SYN seen from the initiator */ \
	X(SYN_RCVD, "syn-rcvd") /* SYN-ACK seen from the responder */ \
	X(ESTABLISHED, "established") /* the initiator's ACK of the SYN-ACK seen */ \
	X(FIN_WAIT, "fin-wait") /* one side sent FIN (half-closed) */ \
	X(CLOSING, "closing") /* both sides sent FIN */ \
	X(CLOSED, "closed") /* RST seen, or the final ACK after both FINs */ \
	X(OTHER, "other") /* non-TCP flow */

/* clang-format off */
enum flow_state {
#define FLOW_STATE_ENUM(name, str) FLOW_ST_##name,
	FLOW_FOREACH_STATE(FLOW_STATE_ENUM)
#undef FLOW_STATE_ENUM
	FLOW_ST_MAX
};
/* clang-format on */

/* Name of a state ("established"); "invalid" when s is out of range. */
const char *flow_state_name(enum flow_state s);

/*
 * The one list of timeouts (docs/configuration.md): the flow table's, the
 * `flows.timeouts` keys of the configuration and, for those with a class
 * minimum (>= 0), the per-class `set-connection timeout` keys of lib/policy
 * (POLICY_TIMEOUT_*), which come first.
 * X(NAME, "configuration key", default seconds, per-class minimum or -1)
 */
#define FLOW_FOREACH_TIMEOUT(X) \
	X(EMBRYONIC, "embryonic", 30, 5) /* NEW/SYN_*: ASA embryonic, IOS synwait-time */ \
	X(IDLE, "idle", 3600, 0) /* ESTABLISHED: ASA conn, IOS idle-time */ \
	X(HALF_CLOSED, "half-closed", 600, 30) /* FIN_WAIT: ASA half-closed */ \
	X(CLOSED, "closed", 5, -1) /* CLOSING/CLOSED linger: IOS finwait-time */ \
	X(OTHER, "udp", 120, -1) /* non-TCP: ASA udp */

/* clang-format off */
enum flow_timeout {
#define FLOW_TIMEOUT_ENUM(name, str, dflt, cls) FLOW_TO_##name,
	FLOW_FOREACH_TIMEOUT(FLOW_TIMEOUT_ENUM)
#undef FLOW_TIMEOUT_ENUM
	FLOW_TO_MAX
};

/* How many timeouts a policy class may set (the first ones of the list). */
enum {
#define FLOW_TIMEOUT_CLASS(name, str, dflt, cls) + ((cls) >= 0)
	FLOW_TO_CLASS_MAX = 0 FLOW_FOREACH_TIMEOUT(FLOW_TIMEOUT_CLASS)
#undef FLOW_TIMEOUT_CLASS
};
/* clang-format on */

/* Name of a timeout ("half-closed", as in the configuration); "invalid" when out of range. */
const char *flow_timeout_name(enum flow_timeout to);

/* The timeout that applies in state s (FLOW_TO_OTHER for an out-of-range s). */
enum flow_timeout flow_state_timeout(enum flow_state s);

/* ------------------------------------------------------------------------ */
/* Entries                                                                   */

/* flow_entry.flags: free for the app, never read or written by the library after add. */
#define FLOW_F_APP0 0x01
#define FLOW_F_APP1 0x02
#define FLOW_F_APP2 0x04
#define FLOW_F_APP3 0x08
#define FLOW_F_APP4 0x10
#define FLOW_F_APP5 0x20
#define FLOW_F_APP6 0x40
#define FLOW_F_APP7 0x80

/* Deadline of an entry in a state whose timeout is 0 (never expires). */
#define FLOW_DEADLINE_NEVER UINT64_MAX

/* Library-private part of an entry: do not read or write. */
struct flow_entry_priv {
	uint32_t self; /* index of this entry in the table */
	uint32_t tm_prev; /* timer wheel slot list, circular, by entry index */
	uint32_t tm_next; /* (also the free-list link of a free entry) */
	uint32_t tm_slot; /* wheel slot this entry is listed in, or FLOW_TM_NONE */
	uint32_t cl_prev; /* closed entries in close order, circular, by entry index */
	uint32_t cl_next; /* (meaningful in state CLOSED only) */
	uint8_t live; /* 1 while allocated */
	uint8_t fin_last; /* direction that sent the second FIN */
};

/*
 * One flow. The first cache line holds what a lookup and the state machine
 * touch (key, hash, state, deadline); the app's user area (params.user_size
 * bytes, zeroed by flow_table_add) follows the entry, 64-byte aligned.
 */
struct flow_entry {
	_Alignas(64) struct flow_key key;
	uint32_t hash; /* flow_key_hash(&key) */
	uint8_t state; /* enum flow_state */
	uint8_t init_dir; /* direction (as returned by flow_key_make) of the initiator */
	uint8_t fin_seen; /* bit d set when direction d sent FIN */
	uint8_t flags; /* FLOW_F_APP* bits, the app's */
	uint64_t deadline; /* tick at which the entry expires (FLOW_DEADLINE_NEVER: never) */
	uint64_t created; /* tick of flow_table_add */
	uint64_t pkts[2]; /* per direction, the app updates them */
	uint64_t bytes[2]; /* per direction, the app updates them */
	struct flow_entry_priv priv;
};
_Static_assert(sizeof(struct flow_entry) == 128, "flow_entry must stay two cache lines");

/*
 * The user area of an entry: params.user_size bytes, 64-byte aligned, zeroed
 * by flow_table_add. Meaningless when user_size is 0.
 */
static inline void *
flow_entry_user(struct flow_entry *e)
{
	return e + 1;
}

/* The entry whose user area u is (the inverse of flow_entry_user). */
static inline struct flow_entry *
flow_entry_of_user(const void *u)
{
	return (struct flow_entry *)(uintptr_t)u - 1;
}

/* ------------------------------------------------------------------------ */
/* Table                                                                     */

struct flow_table;

/* A callback handed an entry that is about to be freed (expiry, reclaim, flush), or walked. */
typedef void (*flow_expire_cb)(struct flow_entry *e, void *arg);

/* Largest capacity and user area accepted by flow_table_create. */
#define FLOW_TABLE_MAX_CAPACITY (1u << 28)
#define FLOW_TABLE_MAX_USER_SIZE (1u << 16)
/* Most keys one flow_table_lookup_bulk call compares at once (larger n is done in chunks). */
#define FLOW_BULK_MAX 64

struct flow_table_params {
	uint32_t capacity; /* max entries, preallocated */
	uint32_t user_size; /* bytes of app state per entry */
	uint64_t hz; /* ticks per second of the `now` values passed */
	uint32_t timeout_s[FLOW_TO_MAX]; /* seconds; 0 = never expire in that state */
	int socket; /* NUMA socket, passed to mem_alloc; else unused */
	/*
	 * Optional allocator for everything the table allocates (the app passes
	 * rte_zmalloc_socket / rte_free wrappers to get hugepage memory on its
	 * socket). It returns `size` bytes aligned to `align` (a power of two,
	 * 64 or more), or NULL. When mem_alloc is NULL the table uses
	 * aligned_alloc and asks the kernel for transparent huge pages on its big
	 * arrays: a lookup then costs cache misses, not TLB misses too.
	 */
	void *(*mem_alloc)(size_t size, size_t align, int socket, void *arg);
	void (*mem_free)(void *ptr, void *arg);
	void *mem_arg;
	/*
	 * Non-zero: mem_alloc returns zeroed memory (rte_zmalloc_socket does), so
	 * the table does not zero its arrays a second time at create (for a table
	 * of millions of entries, that is gigabytes written once instead of twice).
	 */
	int mem_zeroed;
	/*
	 * Non-zero: the entries are not touched at create (no free list through
	 * them, not zeroed); each is taken in index order the first time it is
	 * needed. For a reader of captures, which should pay for the entries it
	 * uses, not for a table sized for a live box. Zero (live): every page is
	 * faulted in at create, none on the data path.
	 */
	int lazy_entries;
	/*
	 * Optional: called with the closed entry flow_table_add_reclaim frees to
	 * make room, before it is reused, as flow_table_expire's callback is
	 * called with an expired one: the app frees its per-flow resources
	 * there. It must not add or delete entries.
	 */
	flow_expire_cb reclaim_cb;
	void *reclaim_arg;
};

/*
 * Fills p with the defaults: capacity 65536, user_size 0, hz 1e9 (nanoseconds),
 * timeouts 30 / 3600 / 600 / 5 / 120 s, socket -1 (any), the default allocator.
 */
void flow_table_params_default(struct flow_table_params *p);

struct flow_table_stats {
	uint64_t lookups; /* keys looked up (single and bulk) */
	uint64_t hits;
	uint64_t misses;
	uint64_t adds; /* successful flow_table_add */
	uint64_t dels; /* flow_table_del (and flow_table_flush) */
	uint64_t expired; /* freed by flow_table_expire */
	uint64_t reclaimed; /* closed entries freed by flow_table_add_reclaim for a new key */
	uint64_t table_full; /* add refused: capacity entries live (none closed, for _reclaim) */
	uint64_t bucket_full; /* add refused: too many keys with one bucket hash (none closed) */
	uint64_t relinked; /* timer work: entries moved to a later wheel slot by the sweep */
	uint32_t count; /* live entries */
	uint32_t by_state[FLOW_ST_MAX];
};

/*
 * Creates a table: every entry, bucket and timer slot is allocated here, and
 * nothing is allocated afterwards.
 *
 * @return the table, or NULL with errno EINVAL (p NULL, capacity 0 or above
 *         FLOW_TABLE_MAX_CAPACITY, user_size above FLOW_TABLE_MAX_USER_SIZE,
 *         hz 0, mem_alloc without mem_free) or ENOMEM.
 */
struct flow_table *flow_table_create(const struct flow_table_params *p);

/* Frees a table (NULL is fine). Entries are not handed to any callback: flush first. */
void flow_table_free(struct flow_table *t);

/*
 * Looks up n keys at once: prefetches every bucket, then every candidate entry,
 * before comparing, so the memory latency of the keys overlaps (as DPDK's
 * rte_hash_lookup_bulk).
 *
 * @param keys    n keys
 * @param hashes  hashes[i] = flow_key_hash(&keys[i])
 * @param n       number of keys; FLOW_BULK_MAX (64) or fewer per pass, more are done in chunks
 * @param out     out[i] = the entry of keys[i], or NULL
 */
void flow_table_lookup_bulk(struct flow_table *t, const struct flow_key *keys,
		const uint32_t *hashes, unsigned int n, struct flow_entry **out);

/* Looks up one key (hash = flow_key_hash(k)). Returns the entry, or NULL. */
struct flow_entry *flow_table_lookup(struct flow_table *t, const struct flow_key *k, uint32_t hash);

/*
 * Adds an entry for a key the caller has just looked up and not found (a key
 * added twice gets two entries; lookups then find either).
 *
 * The entry starts in state NEW (OTHER when k->proto is not TCP), with
 * init_dir = dir, counters, flags and user area zeroed, created = now and
 * deadline = now + the embryonic (or other) timeout.
 *
 * @return the entry, or NULL when the table holds capacity entries
 *         (stats.table_full) or when the keys already sharing this key's bucket
 *         fill its whole overflow chain (stats.bucket_full: 64 keys, which only a
 *         flood of crafted colliding keys reaches; it bounds the lookup cost such
 *         a flood can cause). Never evicts.
 */
struct flow_entry *flow_table_add(struct flow_table *t, const struct flow_key *k, uint32_t hash,
		int dir, uint64_t now);

/*
 * flow_table_add for a new connection: where flow_table_add would refuse
 * because the table or the key's bucket chain is full, the new key takes
 * the place of a closed entry (state CLOSED: lingering only to absorb late
 * FINs and ACKs). A full table gives up the entry closed longest ago (the
 * table keeps closed entries in close order: O(1)); a full chain gives up
 * its own closed entry nearest its deadline (the oldest: a closed entry's
 * deadline is its close plus the closed timeout; at most 64 entries looked
 * at). params.reclaim_cb is called with that entry before it is freed;
 * stats.reclaimed counts it. No allocation.
 *
 * @return the entry, or NULL when no closed entry could make room
 *         (stats.table_full, stats.bucket_full as for flow_table_add).
 */
struct flow_entry *flow_table_add_reclaim(struct flow_table *t, const struct flow_key *k,
		uint32_t hash, int dir, uint64_t now);

/* Deletes an entry at once (no callback). Deleting an entry already freed is ignored. */
void flow_table_del(struct flow_table *t, struct flow_entry *e);

/*
 * Tracks the TCP flags of a packet of direction dir and moves the state:
 *   SYN from NEW → SYN_SENT (the sender becomes init_dir);
 *   SYN+ACK from the other side in SYN_SENT → SYN_RCVD (on NEW too, the SYN
 *     having been missed: the receiver becomes init_dir); a SYN from the other
 *     side in SYN_SENT (simultaneous open) → SYN_RCVD;
 *   ACK from init_dir in SYN_RCVD → ESTABLISHED;
 *   FIN in ESTABLISHED → FIN_WAIT, the other side's FIN → CLOSING (fin_seen
 *     records every FIN; before the handshake completes a FIN is recorded but
 *     the entry stays embryonic, so stray FINs cannot buy 600 s);
 *   in CLOSING, an ACK (without FIN) from the side that did not send the
 *     second FIN → CLOSED;
 *   RST in any state → CLOSED.
 * Other packets leave the state alone (a SYN on a CLOSING or CLOSED entry does
 * not reopen it: the caller deletes and re-adds the flow to reuse the tuple).
 * The deadline becomes now + timeout(new state), except that packets on an
 * entry already CLOSED do not extend its linger. A midstream flow (no SYN
 * seen) stays NEW until the caller decides to flow_tcp_pickup it.
 * A non-TCP (OTHER) entry is only touched.
 *
 * @return the new state.
 */
enum flow_state flow_tcp_track(struct flow_table *t, struct flow_entry *e, int dir,
		uint8_t tcp_flags, uint64_t now);

/*
 * Midstream pickup: an entry in NEW, SYN_SENT or SYN_RCVD becomes ESTABLISHED
 * (its deadline now + idle); other states are left alone. init_dir keeps the
 * direction of the first packet unless the caller changes it.
 *
 * @return the new state.
 */
enum flow_state flow_tcp_pickup(struct flow_table *t, struct flow_entry *e, uint64_t now);

/*
 * deadline = now + timeout(state). Cheap enough for every packet: it only
 * writes the deadline unless the deadline moved earlier than the timer slot
 * the entry waits in.
 */
void flow_touch(struct flow_table *t, struct flow_entry *e, uint64_t now);
/*
 * Sets the entry's deadline explicitly (ticks; FLOW_DEADLINE_NEVER for none)
 * instead of the table's timeout of its state: for connections whose
 * policy class sets its own timeouts. Earlier or later, it takes effect.
 */
void flow_set_deadline(struct flow_table *t, struct flow_entry *e, uint64_t deadline);

/*
 * Sets the state (counted in stats.by_state) and deadline = now + timeout(s).
 * Setting CLOSED (again, too) puts the entry at the young end of the closed
 * entries flow_table_add_reclaim takes from. Ignores s >= FLOW_ST_MAX.
 */
void flow_set_state(struct flow_table *t, struct flow_entry *e, enum flow_state s, uint64_t now);

/*
 * Expires entries whose deadline <= now, calling cb(e, arg) (cb may be NULL)
 * before each is freed: the app frees its per-flow resources there.
 *
 * Work is bounded: `budget` counts every entry the timer sweep visits (expired,
 * or moved to the slot of a deadline that was pushed later), and the sweep
 * advances over at most one lap of timer slots; where it stops, the next call
 * goes on. So a call returns at most `budget`, and when the calls keep coming
 * every entry expires no later than its deadline as soon as the sweep's
 * backlog is drained; a call with a budget of at least twice the number of live
 * entries expires every entry due at now (an entry is visited at most twice).
 *
 * cb may look up, add, delete or touch other entries; it must not delete e
 * (if it does, e is not counted twice).
 *
 * @return the number of entries expired, at most budget (0 does not mean that
 *         nothing is due: the budget may have gone on moving entries).
 */
unsigned int flow_table_expire(struct flow_table *t, uint64_t now, unsigned int budget,
		flow_expire_cb cb, void *arg);

/* Copies the counters. */
void flow_table_stats_get(const struct flow_table *t, struct flow_table_stats *s);

/* Live entries. */
uint32_t flow_table_count(const struct flow_table *t);

/*
 * Slow path (telemetry, shutdown): calls cb(e, arg) for every live entry, in
 * no particular order, walking the whole entry array. cb must not add or
 * delete entries.
 */
void flow_table_walk(struct flow_table *t, flow_expire_cb cb, void *arg);

/*
 * The same walk in slices, so that a worker can answer between bursts:
 * calls cb(e, arg) for every live entry among the n slots from start and
 * returns the slot to go on from, flow_table_capacity(t) once the walk is
 * complete. Entries added or deleted between slices may be missed or seen.
 */
uint32_t flow_table_walk_slice(
		struct flow_table *t, uint32_t start, uint32_t n, flow_expire_cb cb, void *arg);

/* Slots in the table (params.capacity). */
uint32_t flow_table_capacity(const struct flow_table *t);

/*
 * Slow path (shutdown, reconfiguration): deletes every entry, calling
 * cb(e, arg) (may be NULL) before each is freed. Walks the whole table.
 * Counted in stats.dels.
 */
void flow_table_flush(struct flow_table *t, flow_expire_cb cb, void *arg);

/*
 * Debugging (tests, fuzzing, debug builds): checks every structural invariant
 * of the table (buckets, free lists, timer wheel, counters). Allocates, walks
 * everything, slow.
 *
 * @param why  if not NULL, set to a static description of the first broken
 *             invariant, NULL when all hold
 * @return 0 when consistent, -EFAULT when not, -ENOMEM.
 */
int flow_table_check(const struct flow_table *t, const char **why);

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_FLOW_H */
