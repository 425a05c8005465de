/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte-stream equivalence: a transcript cut at random points, sent in random
 * order with random duplicates (and dropped copies sent again, as a sender
 * retransmits), must give the inspector exactly the bytes of an in-order
 * delivery of the whole transcript, and every forwarded copy must carry the
 * same bytes (edits included) as the in-order run forwarded at that sequence.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tcp_harness.h"

#define MAXSEG 1024

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t
make_transcript(uint64_t *rs, char *t, uint32_t cap)
{
	static const char *const lines[] = {
			"EHLO client.example.org\r\n",
			"XEXC forbidden command\r\n",
			"MAIL FROM:<alice@example.org>\r\n",
			"RCPT TO:<bob@example.net>\r\n",
			"XEXCH50 1234\r\n",
			"NOOP\r\n",
			"DATA\r\n",
			"Subject: hello\r\n",
			"some body text that goes on for a while, longer than most segments here\r\n",
			".\r\n",
			"XEXC\r\n",
	};
	uint32_t n = 0;

	while (n + 100 < cap) {
		const char *l = lines[rnd(rs) % (sizeof(lines) / sizeof(lines[0]))];
		uint32_t k = (uint32_t)strlen(l);

		memcpy(t + n, l, k);
		n += k;
	}
	return n;
}

/* In-order reference: the transcript in MAXSEG pieces. */
static void
reference(const char *t, uint32_t n, uint32_t isn0, uint8_t *wire)
{
	struct h *h = h_new(NULL);
	uint32_t off;

	h_handshake(h, isn0, 77, 0xff, 0xff);
	for (off = 0; off < n; off += MAXSEG) {
		uint32_t len = n - off < MAXSEG ? n - off : MAXSEG;

		h_send(h, 0, off, t + off, len, 0);
	}
	cr_assert_eq(h_pending(h), 0);
	cr_assert_eq(h->in.nseen[0], n);
	cr_assert(memcmp(h->in.seen[0], t, n) == 0);
	memcpy(wire, h->wire[0], n);
	h_free(h);
}

/* Totals over the runs of a test: the paths under test were taken. */
static uint64_t tot_ooo, tot_held, tot_redit, tot_retrans;

static void
check_paths(void)
{
	cr_assert_gt(tot_ooo, 0);
	cr_assert_gt(tot_held, 0);
	cr_assert_gt(tot_redit, 0);
	cr_assert_gt(tot_retrans, 0);
}

struct seg {
	uint32_t off, len;
	int done; /* some copy was forwarded */
	int last; /* id of the latest copy */
	int pend; /* some copy is held or queued */
};

static void
one_run(uint64_t seed, uint32_t maxlen, int acks, uint32_t size)
{
	static char t[6000];
	static uint8_t ref[6000];
	static struct seg sg[6000];
	uint64_t rs = seed * 2654435761u + 1;
	uint32_t isn0 = (uint32_t)rnd(&rs);
	uint32_t n, off = 0, ns = 0, k, round;
	uint32_t order[6000];
	static int seg_of[H_MAXP];
	struct h *h;
	int left;

	n = make_transcript(&rs, t, size);
	reference(t, n, isn0, ref);
	while (off < n) {
		uint32_t len = 1 + (uint32_t)(rnd(&rs) % maxlen);

		if (len > n - off)
			len = n - off;
		sg[ns].off = off;
		sg[ns].len = len;
		sg[ns].done = 0;
		sg[ns].last = -1;
		ns++;
		off += len;
	}
	h = h_new(NULL);
	h_handshake(h, isn0, 77, 0xff, 0xff);
	for (k = 0; k < H_MAXP; k++)
		seg_of[k] = -1;
	for (round = 0; round < 2000; round++) {
		uint32_t m = 0;

		left = 0;
		/* What became of every copy sent so far. */
		for (k = 0; k < ns; k++)
			sg[k].pend = 0;
		for (k = 0; k < (uint32_t)h->np; k++) {
			if (seg_of[k] < 0)
				continue;
			if (h_fate(h, (int)k) == FATE_PENDING)
				sg[seg_of[k]].pend = 1;
			else if (h_fate(h, (int)k) != TCP_ACT_DROP)
				sg[seg_of[k]].done = 1;
		}
		for (k = 0; k < ns; k++) {
			int pend = sg[k].pend;

			/* A sender's window: the first 12 segments not through yet. */
			if (!sg[k].done && !pend && m < 12)
				order[m++] = k;
			if (!sg[k].done)
				left = 1;
		}
		if (!left)
			break;
		/* Random duplicates of anything, then shuffle. */
		for (k = 0; k < 3 && ns > 0; k++)
			order[m++] = (uint32_t)(rnd(&rs) % ns);
		for (k = m; k > 1; k--) {
			uint32_t j = (uint32_t)(rnd(&rs) % k), tmp = order[k - 1];

			order[k - 1] = order[j];
			order[j] = tmp;
		}
		for (k = 0; k < m; k++) {
			struct seg *s = &sg[order[k]];
			int id = h_send(h, 0, s->off, t + s->off, s->len, 0);

			s->last = id;
			seg_of[id] = (int)order[k];
			if (acks && rnd(&rs) % 4 == 0) {
				/* The receiver acks what it has in order. */
				uint32_t a = 0;

				while (a < n && h->wire_set[0][a])
					a++;
				if (a > h->ack[1])
					h_ack(h, 1, a);
			}
		}
	}
	cr_assert(!left, "seed %llu: never finished", (unsigned long long)seed);
	cr_assert_eq(h_ctr(h, TCP_CTR_EVASION), 0);
	cr_assert_eq(h->last_verdict, TCP_CONN_OK);
	/* The inspector saw the transcript exactly once. */
	cr_assert_eq(h->in.nseen[0], n, "seed %llu", (unsigned long long)seed);
	cr_assert(memcmp(h->in.seen[0], t, n) == 0, "seed %llu", (unsigned long long)seed);
	/* Every forwarded copy above the receiver's ACK at that time equals the reference. */
	for (k = 0; k < (uint32_t)h->np; k++) {
		const struct h_pkt *p = &h->pk[k];
		uint32_t j;

		if (p->dir != 0 || p->len == 0 || p->fate == TCP_ACT_DROP)
			continue;
		cr_assert_neq(p->fate, FATE_PENDING);
		for (j = 0; j < p->len; j++) {
			uint32_t o = p->seq + j - (isn0 + 1);

			if (o < p->acked_at)
				continue;
			cr_assert_eq(p->buf[j], ref[o], "seed %llu pkt %u byte %u",
					(unsigned long long)seed, k, o);
		}
	}
	for (k = 0; k < n; k++)
		cr_assert_eq(h->wire_set[0][k], 1);
	tot_ooo += h_ctr(h, TCP_CTR_OOO_RELEASED);
	tot_held += h_ctr(h, TCP_CTR_HELD_SEGS);
	tot_redit += h_ctr(h, TCP_CTR_RETRANS_EDITED);
	tot_retrans += h_ctr(h, TCP_CTR_RETRANS);
	h_free(h);
}

Test(tcp_random, equivalence_small_segments)
{
	uint64_t seed;

	for (seed = 1; seed <= 30; seed++)
		one_run(seed, 40, 0, 4000);
	check_paths();
}

Test(tcp_random, equivalence_large_segments_with_acks)
{
	uint64_t seed;

	for (seed = 100; seed <= 130; seed++)
		one_run(seed, 600, 1, 5000);
	check_paths();
}

Test(tcp_random, equivalence_tiny_segments_with_acks)
{
	uint64_t seed;

	for (seed = 200; seed <= 210; seed++)
		one_run(seed, 4, 1, 1500);
	check_paths();
}
