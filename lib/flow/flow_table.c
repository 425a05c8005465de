/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table: preallocated entries in one array (entry + user area in one
 * stride), found through cache-line buckets of 16-bit signatures.
 *
 * A lookup costs one bucket line and, on a signature match, the entry's first
 * line; a miss usually costs the bucket line alone. Buckets are indexed by the
 * low bits of the hash and signed by its high 16 bits. The table has a main
 * bucket per 4 entries of capacity (rounded up to a power of two, so 2..4
 * keys per bucket when full and ~2 % of buckets overflowing at worst).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow.h"
#include "flow_private.h"

#if defined(__GNUC__) || defined(__clang__)
#define flow_prefetch(p) __builtin_prefetch((p), 0, 3)
#define flow_ctz(x) ((unsigned int)__builtin_ctz(x))
#else
#define flow_prefetch(p) ((void)(p))
static inline unsigned int
flow_ctz(uint32_t x)
{
	unsigned int n = 0;

	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}
#endif

/* Keys are compared as five words: no call, no early exit. */
static inline int
key_eq(const struct flow_key *a, const struct flow_key *b)
{
	uint64_t x[5], y[5];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}

static inline uint16_t
hash_sig(uint32_t hash)
{
	return (uint16_t)(hash >> 16);
}

/*
 * Four 16-bit lanes equal to zero, as bits 0..3: SWAR, exact (the add cannot
 * carry out of a lane), then one multiply gathers the lanes' top bits.
 */
static inline uint32_t
zero_lanes16(uint64_t x)
{
	const uint64_t low15 = 0x7fff7fff7fff7fffull;
	uint64_t z = ~(((x & low15) + low15) | x | low15); /* bit 15 of each lane: lane == 0 */

	return (uint32_t)(((z >> 15) * 0x0001000200040008ull) >> 48) & 0xf;
}

/* Bit s set when slot s of b is used and carries signature sig. */
static inline uint32_t
sig_match(const struct flow_bucket *b, uint16_t sig)
{
	const uint64_t bcast = sig * 0x0001000100010001ull;
	uint64_t w[2];
	uint32_t m;

	memcpy(w, b->sig, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = zero_lanes16(w[0] ^ bcast) | zero_lanes16(w[1] ^ bcast) << 4;
#else
	unsigned int s;

	(void)bcast;
	m = 0;
	for (s = 0; s < FLOW_BUCKET_SLOTS; s++)
		m |= (uint32_t)(b->sig[s] == sig) << s;
#endif
	return m & ((1u << b->count) - 1);
}

static inline struct flow_bucket *
main_bucket(const struct flow_table *t, uint32_t hash)
{
	return &t->buckets[hash & t->bmask];
}

static inline struct flow_bucket *
next_bucket(const struct flow_table *t, const struct flow_bucket *b)
{
	return b->next == FLOW_NIL ? NULL : &t->ext[b->next];
}

/* Searches a chain from bucket b on. */
static struct flow_entry *
chain_lookup(const struct flow_table *t, const struct flow_bucket *b, const struct flow_key *k,
		uint32_t hash)
{
	uint16_t sig = hash_sig(hash);

	for (; b != NULL; b = next_bucket(t, b)) {
		uint32_t m = sig_match(b, sig);

		while (m != 0) {
			struct flow_entry *e = flow_entry_at(t, b->idx[flow_ctz(m)]);

			if (e->hash == hash && key_eq(&e->key, k))
				return e;
			m &= m - 1;
		}
	}
	return NULL;
}

void
flow_table_params_default(struct flow_table_params *p)
{
	memset(p, 0, sizeof(*p));
	p->capacity = 65536;
	p->user_size = 0;
	p->hz = 1000000000ull;
#define FLOW_TIMEOUT_DEFAULT(name, str, dflt, cls) p->timeout_s[FLOW_TO_##name] = dflt;
	FLOW_FOREACH_TIMEOUT(FLOW_TIMEOUT_DEFAULT)
#undef FLOW_TIMEOUT_DEFAULT
	p->socket = -1;
}

/* Arrays this big go on 2 MiB boundaries, where transparent huge pages can back them. */
#define FLOW_HUGE_PAGE (2u << 20)

/*
 * size bytes aligned for the table (huge-page aligned when that large), not
 * zeroed, not touched: the app's allocator, or aligned_alloc with a hint
 * for transparent huge pages.
 */
void *
flow_mem_raw(const struct flow_mem *m, size_t size)
{
	size_t align = size >= FLOW_HUGE_PAGE ? FLOW_HUGE_PAGE : 64;
	void *p;

	/* aligned_alloc wants a multiple of the alignment. */
	size = (size + align - 1) & ~(align - 1);
	if (m->alloc != NULL)
		return m->alloc(size, align, m->socket, m->arg);
	p = aligned_alloc(align, size);
#ifdef MADV_HUGEPAGE
	if (p != NULL && align == FLOW_HUGE_PAGE)
		(void)madvise(p, size, MADV_HUGEPAGE); /* a hint: fine if refused */
#endif
	return p;
}

void *
flow_mem_zalloc(const struct flow_mem *m, size_t size)
{
	void *p = flow_mem_raw(m, size);

	/* Zeroing also faults every page in now, not on the data path (a
	 * zeroing allocator has done both). */
	if (p != NULL && !m->zeroed)
		memset(p, 0, size);
	return p;
}

void
flow_mem_free(const struct flow_mem *m, void *p)
{
	if (p == NULL)
		return;
	if (m->alloc != NULL)
		m->free(p, m->arg);
	else
		free(p);
}

struct flow_table *
flow_table_create(const struct flow_table_params *p)
{
	struct flow_table *t;
	uint32_t nb, i;
	struct flow_mem mem;
	size_t user;
	int i_st;

	if (p == NULL || p->capacity == 0 || p->capacity > FLOW_TABLE_MAX_CAPACITY ||
			p->user_size > FLOW_TABLE_MAX_USER_SIZE || p->hz == 0 ||
			(p->mem_alloc != NULL && p->mem_free == NULL)) {
		errno = EINVAL;
		return NULL;
	}
	mem.alloc = p->mem_alloc;
	mem.free = p->mem_free;
	mem.arg = p->mem_arg;
	mem.socket = p->socket;
	mem.zeroed = p->mem_alloc != NULL && p->mem_zeroed;
	t = flow_mem_zalloc(&mem, sizeof(*t));
	if (t == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->mem = mem;
	t->reclaim_cb = p->reclaim_cb;
	t->reclaim_arg = p->reclaim_arg;
	t->closed_head = FLOW_NIL;
	t->capacity = p->capacity;
	t->user_size = p->user_size;
	user = ((size_t)p->user_size + 63) & ~(size_t)63;
	t->stride = (uint32_t)(sizeof(struct flow_entry) + user);

	nb = 1;
	while (nb < (p->capacity + 3) / 4)
		nb <<= 1;
	t->bmask = nb - 1;
	t->n_ext = p->capacity / FLOW_BUCKET_SLOTS + 1;

	t->buckets = flow_mem_zalloc(&t->mem, (size_t)nb * sizeof(struct flow_bucket));
	t->ext = flow_mem_zalloc(&t->mem, (size_t)t->n_ext * sizeof(struct flow_bucket));
	t->entries = p->lazy_entries ? flow_mem_raw(&t->mem, (size_t)t->capacity * t->stride)
				     : flow_mem_zalloc(&t->mem, (size_t)t->capacity * t->stride);
	if (t->buckets == NULL || t->ext == NULL || t->entries == NULL ||
			flow_timer_init(t, p->hz) != 0) {
		flow_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < nb; i++)
		t->buckets[i].next = FLOW_NIL;
	for (i = 0; i < t->n_ext; i++)
		t->ext[i].next = i + 1 < t->n_ext ? i + 1 : FLOW_NIL;
	t->ext_free = 0;
	/* Free list in index order, so a fresh table fills its array front to back. */
	t->fresh = p->lazy_entries ? 0 : t->capacity;
	for (i = 0; i < t->fresh; i++) {
		struct flow_entry *e = flow_entry_at(t, i);

		e->priv.self = i;
		e->priv.tm_slot = FLOW_TM_NONE;
		e->priv.tm_next = i + 1 < t->capacity ? i + 1 : FLOW_NIL;
	}
	t->free_head = t->fresh != 0 ? 0 : FLOW_NIL;

	for (i_st = 0; i_st < FLOW_ST_MAX; i_st++) {
		uint64_t s = p->timeout_s[flow_state_timeout((enum flow_state)i_st)];

		/* Saturate: a timeout past 2^64 ticks is never. */
		if (s != 0 && p->hz > UINT64_MAX / s)
			t->st_ticks[i_st] = 0;
		else
			t->st_ticks[i_st] = s * p->hz;
	}
	return t;
}

void
flow_table_free(struct flow_table *t)
{
	struct flow_mem mem;

	if (t == NULL)
		return;
	mem = t->mem;
	flow_timer_fini(t);
	flow_mem_free(&mem, t->entries);
	flow_mem_free(&mem, t->ext);
	flow_mem_free(&mem, t->buckets);
	flow_mem_free(&mem, t);
}

struct flow_entry *
flow_table_lookup(struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
	struct flow_entry *e = chain_lookup(t, main_bucket(t, hash), k, hash);

	t->st.lookups++;
	if (e != NULL)
		t->st.hits++;
	else
		t->st.misses++;
	return e;
}

/* Up to FLOW_BULK_MAX keys: bucket prefetch, signature match + entry prefetch, compare. */
static unsigned int
lookup_bulk_chunk(struct flow_table *t, const struct flow_key *keys, const uint32_t *hashes,
		unsigned int n, struct flow_entry **out)
{
	const struct flow_bucket *bkt[FLOW_BULK_MAX];
	uint32_t match[FLOW_BULK_MAX];
	unsigned int i, hits = 0;

	for (i = 0; i < n; i++) {
		bkt[i] = main_bucket(t, hashes[i]);
		flow_prefetch(bkt[i]);
	}
	for (i = 0; i < n; i++) {
		match[i] = sig_match(bkt[i], hash_sig(hashes[i]));
		if (match[i] != 0)
			flow_prefetch(flow_entry_at(t, bkt[i]->idx[flow_ctz(match[i])]));
	}
	for (i = 0; i < n; i++) {
		const struct flow_bucket *b = bkt[i];
		uint32_t m = match[i];
		struct flow_entry *e = NULL;

		while (m != 0) {
			struct flow_entry *c = flow_entry_at(t, b->idx[flow_ctz(m)]);

			if (c->hash == hashes[i] && key_eq(&c->key, &keys[i])) {
				e = c;
				break;
			}
			m &= m - 1;
		}
		/* Overflow chains are rare: walk them one key at a time. */
		if (e == NULL && b->next != FLOW_NIL)
			e = chain_lookup(t, &t->ext[b->next], &keys[i], hashes[i]);
		out[i] = e;
		hits += e != NULL;
	}
	return hits;
}

void
flow_table_lookup_bulk(struct flow_table *t, const struct flow_key *keys, const uint32_t *hashes,
		unsigned int n, struct flow_entry **out)
{
	unsigned int done, hits = 0;

	for (done = 0; done < n; done += FLOW_BULK_MAX) {
		unsigned int c = n - done < FLOW_BULK_MAX ? n - done : FLOW_BULK_MAX;

		hits += lookup_bulk_chunk(t, keys + done, hashes + done, c, out + done);
	}
	t->st.lookups += n;
	t->st.hits += hits;
	t->st.misses += n - hits;
}

/* The last bucket of the chain from mb: the only one that can have room (chains are packed). */
static struct flow_bucket *
chain_tail(const struct flow_table *t, struct flow_bucket *mb)
{
	struct flow_bucket *b = mb;

	while (b->next != FLOW_NIL)
		b = &t->ext[b->next];
	return b;
}

/*
 * No room in the chain and no overflow bucket for it: the pool cannot run
 * dry (flow_private.h), but a chain may not grow without bound.
 */
static int
chain_full(const struct flow_table *t, const struct flow_bucket *mb, const struct flow_bucket *tail)
{
	return tail->count == FLOW_BUCKET_SLOTS &&
			(mb->n_ext >= FLOW_BUCKET_MAX_EXT || t->ext_free == FLOW_NIL);
}

/* The chain's closed entry nearest its deadline (closed longest ago), or NULL: 64 at most. */
static struct flow_entry *
chain_oldest_closed(const struct flow_table *t, const struct flow_bucket *b)
{
	struct flow_entry *best = NULL;
	unsigned int s;

	for (; b != NULL; b = next_bucket(t, b)) {
		for (s = 0; s < b->count; s++) {
			struct flow_entry *e = flow_entry_at(t, b->idx[s]);

			if (e->state == FLOW_ST_CLOSED &&
					(best == NULL || e->deadline < best->deadline))
				best = e;
		}
	}
	return best;
}

/* Frees closed entry e for a new key: the app's callback first, as on expiry. */
static void
reclaim(struct flow_table *t, struct flow_entry *e)
{
	if (t->reclaim_cb != NULL)
		t->reclaim_cb(e, t->reclaim_arg);
	if (!e->priv.live)
		return; /* the callback deleted it (counted as a del) */
	flow_entry_release(t, e);
	t->st.reclaimed++;
}

/*
 * Finds room for a key of bucket mb: its chain's last bucket, with a free
 * entry behind it; with may_reclaim, a closed entry makes the room when
 * there is none. NULL (counted) when there is no room.
 */
/* An entry is free on the list, or was never handed out. */
static inline int
has_free(const struct flow_table *t)
{
	return t->free_head != FLOW_NIL || t->fresh < t->capacity;
}

static struct flow_bucket *
make_room(struct flow_table *t, struct flow_bucket *mb, int may_reclaim)
{
	struct flow_bucket *b;
	struct flow_entry *v;

	if (!has_free(t) && (!may_reclaim || t->closed_head == FLOW_NIL))
		goto table_full;
	b = chain_tail(t, mb);
	if (chain_full(t, mb, b)) {
		v = may_reclaim ? chain_oldest_closed(t, mb) : NULL;
		if (v == NULL)
			goto bucket_full;
		reclaim(t, v); /* an entry and a slot of this chain */
		b = chain_tail(t, mb);
	}
	if (!has_free(t) && t->closed_head != FLOW_NIL) {
		reclaim(t, flow_entry_at(t, t->closed_head)); /* the one closed longest ago */
		b = chain_tail(t, mb);
	}
	/* Only a callback that broke its contract (it added entries) fails these. */
	if (!has_free(t))
		goto table_full;
	if (chain_full(t, mb, b))
		goto bucket_full;
	return b;
table_full:
	t->st.table_full++;
	return NULL;
bucket_full:
	t->st.bucket_full++;
	return NULL;
}

static struct flow_entry *
table_add(struct flow_table *t, const struct flow_key *k, uint32_t hash, int dir, uint64_t now,
		int may_reclaim)
{
	struct flow_bucket *mb = main_bucket(t, hash);
	struct flow_bucket *b = make_room(t, mb, may_reclaim);
	struct flow_entry *e;
	uint32_t i;

	if (b == NULL)
		return NULL;
	if (b->count == FLOW_BUCKET_SLOTS) {
		uint32_t x = t->ext_free;

		t->ext_free = t->ext[x].next;
		t->ext[x].next = FLOW_NIL;
		t->ext[x].count = 0;
		b->next = x;
		mb->n_ext++;
		b = &t->ext[x];
	}

	if (t->free_head != FLOW_NIL) {
		i = t->free_head;
		e = flow_entry_at(t, i);
		t->free_head = e->priv.tm_next;
	} else {
		i = t->fresh++; /* never used: touched for the first time */
		e = flow_entry_at(t, i);
	}
	b->sig[b->count] = hash_sig(hash);
	b->idx[b->count] = i;
	b->count++;

	memset(e, 0, sizeof(*e) + t->user_size);
	e->key = *k;
	e->hash = hash;
	e->state = k->proto == FLOW_PROTO_TCP ? FLOW_ST_NEW : FLOW_ST_OTHER;
	e->init_dir = (uint8_t)(dir & 1);
	e->created = now;
	e->priv.self = i;
	e->priv.tm_slot = FLOW_TM_NONE;
	e->priv.live = 1;
	flow_timer_set(t, e, flow_deadline(t, (enum flow_state)e->state, now));

	t->st.adds++;
	t->st.count++;
	t->st.by_state[e->state]++;
	return e;
}

struct flow_entry *
flow_table_add(struct flow_table *t, const struct flow_key *k, uint32_t hash, int dir, uint64_t now)
{
	return table_add(t, k, hash, dir, now, 0);
}

struct flow_entry *
flow_table_add_reclaim(struct flow_table *t, const struct flow_key *k, uint32_t hash, int dir,
		uint64_t now)
{
	return table_add(t, k, hash, dir, now, 1);
}

void
flow_entry_release(struct flow_table *t, struct flow_entry *e)
{
	struct flow_bucket *mb = main_bucket(t, e->hash);
	struct flow_bucket *b, *prev = NULL, *hole = NULL, *last;
	uint32_t i = e->priv.self;
	unsigned int hs = 0, s;

	flow_timer_unlink(t, e);
	if (e->state == FLOW_ST_CLOSED)
		flow_closed_unlink(t, e);

	/* Find e's slot and the chain's last bucket in one walk. */
	for (b = mb; b != NULL; b = next_bucket(t, b)) {
		if (hole == NULL) {
			for (s = 0; s < b->count; s++) {
				if (b->idx[s] == i) {
					hole = b;
					hs = s;
					break;
				}
			}
		}
		if (b->next == FLOW_NIL)
			break;
		prev = b;
	}
	last = b;
	if (hole != NULL) {
		/* Keep the chain packed: the last pair fills the hole. */
		last->count--;
		hole->sig[hs] = last->sig[last->count];
		hole->idx[hs] = last->idx[last->count];
		if (last->count == 0 && last != mb) {
			uint32_t x = prev->next;

			prev->next = FLOW_NIL;
			t->ext[x].next = t->ext_free;
			t->ext_free = x;
			mb->n_ext--;
		}
	}

	t->st.count--;
	t->st.by_state[e->state]--;
	e->priv.live = 0;
	e->priv.tm_next = t->free_head;
	t->free_head = i;
}

void
flow_table_del(struct flow_table *t, struct flow_entry *e)
{
	if (e == NULL || !e->priv.live)
		return;
	flow_entry_release(t, e);
	t->st.dels++;
}

void
flow_table_stats_get(const struct flow_table *t, struct flow_table_stats *s)
{
	*s = t->st;
}

uint32_t
flow_table_count(const struct flow_table *t)
{
	return t->st.count;
}

void
flow_table_walk(struct flow_table *t, flow_expire_cb cb, void *arg)
{
	flow_table_walk_slice(t, 0, t->capacity, cb, arg);
}

uint32_t
flow_table_walk_slice(
		struct flow_table *t, uint32_t start, uint32_t n, flow_expire_cb cb, void *arg)
{
	uint32_t i, end;

	if (start >= t->capacity)
		return t->capacity;
	end = n < t->capacity - start ? start + n : t->capacity;
	for (i = start; i < end && i < t->fresh; i++) {
		struct flow_entry *e = flow_entry_at(t, i);

		if (e->priv.live)
			cb(e, arg);
	}
	return end;
}

uint32_t
flow_table_capacity(const struct flow_table *t)
{
	return t->capacity;
}

void
flow_table_flush(struct flow_table *t, flow_expire_cb cb, void *arg)
{
	uint32_t i;

	/* Stops at the last live entry: a second flush, or a sparse table, costs little. */
	for (i = 0; i < t->fresh && t->st.count != 0; i++) {
		struct flow_entry *e = flow_entry_at(t, i);

		if (!e->priv.live)
			continue;
		if (cb != NULL)
			cb(e, arg);
		flow_table_del(t, e);
	}
}
