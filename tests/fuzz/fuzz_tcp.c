/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/tcp: the input is a sequence of segments of one
 * connection, run against a toy line inspector.
 *
 * Input: 4 header bytes, then records.
 *   h[0]: bit 0 skip the automatic handshake; bits 1-2 ISN choice (fixed,
 *         near 2^32, from h[2..3], zero); bits 3-4 max edits per answer
 *         (16, 1, 2, 4); bits 5-6 window scale (none, both, client only,
 *         server only); bit 7 no inspector.
 *   h[1]: bits 0-2 ooo_max_segs - 1 (1..8; 7 means TCP_OOO_MAX); bits 3-5
 *         held_max_segs (2^k); bit 6 edit_log 2 (else 256); bit 7 two
 *         carry blocks (else 64).
 *   h[2..3]: ISN material.
 *   h[2] bit 7: ooo_max_bytes 1024 (else 8192); bit 6: the toy never
 *         decides a line without CR LF (else at 300 bytes); h[3] bit 7: one
 *         retransmission-store chunk and one edit log block (else 128 and
 *         4); bit 6: 8 segment slots (else 512). At most 64 KiB in flight:
 *         windows of 64 KiB or more (scaled) are clamped.
 * Record: b0 bit 0 dir; bits 1-3 kind (0 data, 1 data+FIN, 2 pure ACK,
 *         3 RST, 4 raw flags from b4, 5 tick, 6 data with a bad checksum,
 *         7 data with PSH); bit 4 with kinds 0, 1, 7: a big segment of
 *         b3 * 8 bytes repeating the next (up to) 16 input bytes; b1 b2
 *         sequence offset (little endian) from isn + 1, or the ACK offset
 *         (kind 2), or the time step (kind 5); b3 payload length; then the
 *         payload (kind 4: b4 is the flags byte first).
 * Toy inspector lines: XEXC (masked), KILL, RSTX, BYPA, DPKT (drop packet),
 * OVFL (overflow: the answer stops after it), others decided at CR LF or
 * at 300 bytes.
 *
 * Invariants (abort() when broken): every packet comes out exactly once
 * (counting tcp_conn_free at the end); the out list never exceeds
 * TCP_OUT_MAX and OUT_OVERFLOW stays 0; FORWARD packets are unchanged, no
 * write lands outside a payload (guard bytes); every header still verifies
 * against its checksum (window clamps update it); the inspector is always
 * re-presented its undecided bytes first; every pool and gauge is back to
 * zero after tcp_conn_free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define MAXP 2048
#define GUARD 8
#define ARENA (1 << 20)

struct fpkt {
	uint8_t *buf;
	uint8_t *orig;
	uint32_t len;
	int fate; /* -1 pending */
	uint8_t th[20]; /* TCP header: window and checksum are real */
};

struct toy {
	uint8_t tail[2][4096]; /* bytes this direction left undecided */
	uint32_t ntail[2];
	uint32_t max_edits;
	uint32_t hold_max;
	int dead;
};

static struct fpkt pk[MAXP];
static uint8_t arena[ARENA];
static uint32_t arena_used;
static int np;
static struct toy toy;
static uint8_t big[255 * 8];

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

static uint32_t
th_sum(const uint8_t *th)
{
	uint32_t sum = 0;
	int k;

	for (k = 0; k < 20; k += 2)
		sum += (uint32_t)(th[k] << 8 | th[k + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static const uint8_t *
crlf(const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n')
			return p + i;
	return NULL;
}

static void
toy_inspect(void *arg, struct tcp_conn *c, int dir, const uint8_t *buf, uint32_t len,
		struct tcp_insp_result *r)
{
	struct toy *t = arg;
	uint32_t pos = 0;

	(void)c;
	CHECK(dir == 0 || dir == 1);
	CHECK(!t->dead);
	CHECK(len >= t->ntail[dir] && len > 0);
	CHECK(memcmp(buf, t->tail[dir], t->ntail[dir]) == 0);
	while (pos < len) {
		const uint8_t *line = buf + pos;
		const uint8_t *cr = crlf(line, len - pos);
		uint32_t llen, body;

		if (cr == NULL) {
			if (len - pos < t->hold_max)
				break;
			llen = body = len - pos;
		} else {
			llen = (uint32_t)(cr - line) + 2;
			body = llen - 2;
		}
		if (llen >= 4 && memcmp(line, "KILL", 4) == 0) {
			r->verdict = TCP_INSP_DROP_CONN;
			r->consumed = len;
			t->dead = 1;
			return;
		}
		if (llen >= 4 && memcmp(line, "RSTX", 4) == 0) {
			r->verdict = TCP_INSP_RESET;
			r->consumed = len;
			t->dead = 1;
			return;
		}
		if (llen >= 4 && memcmp(line, "DPKT", 4) == 0) {
			/* Refused: nothing changes, the same bytes come first again. */
			r->verdict = TCP_INSP_DROP_PACKET;
			r->consumed = 0;
			r->n_edits = 0;
			if (pos > 0)
				r->verdict = TCP_INSP_FORWARD; /* decide up to it first */
			else
				return;
			break;
		}
		if (llen >= 4 && memcmp(line, "OVFL", 4) == 0) {
			/* An answer cut short after this line: the rest comes again at once. */
			pos += llen;
			r->overflow = 1;
			break;
		}
		if (llen >= 4 && memcmp(line, "XEXC", 4) == 0) {
			if (r->n_edits == t->max_edits) {
				r->overflow = 1;
				break;
			}
			r->edits[r->n_edits].off = pos;
			r->edits[r->n_edits].len = (uint16_t)(body > 0xffff ? 0xffff : body);
			r->edits[r->n_edits].fill = 'X';
			r->n_edits++;
		}
		pos += llen;
		if (llen >= 4 && memcmp(line, "BYPA", 4) == 0) {
			r->verdict = TCP_INSP_BYPASS;
			t->dead = 1;
			break;
		}
	}
	r->consumed = pos;
	CHECK(len - pos <= sizeof(t->tail[dir]));
	memmove(t->tail[dir], buf + pos, len - pos);
	t->ntail[dir] = len - pos;
}

static void
take(struct tcp_ctx *x, const struct tcp_out *out)
{
	uint16_t k;

	CHECK(out->n <= TCP_OUT_MAX);
	CHECK(tcp_ctx_stats(x)->ctr[TCP_CTR_OUT_OVERFLOW] == 0);
	for (k = 0; k < out->n; k++) {
		struct fpkt *p = out->v[k].pkt;
		int id = (int)(p - pk);

		CHECK(id >= 0 && id < np);
		CHECK(p->fate == -1);
		CHECK(out->v[k].act <= TCP_ACT_DROP);
		p->fate = out->v[k].act;
		if (p->fate == TCP_ACT_DROP)
			CHECK(out->v[k].reason != TCP_DROP_NONE && out->v[k].reason < TCP_DROP_MAX);
		if (p->fate == TCP_ACT_FORWARD)
			CHECK(memcmp(p->buf, p->orig, p->len) == 0);
		CHECK(th_sum(p->th) == 0xffff);
	}
}

static void
fsend(struct tcp_ctx *x, struct tcp_conn *c, int dir, uint32_t seq, uint32_t ack, const uint8_t *d,
		uint32_t len, uint8_t flags, uint8_t ws, int csum_ok, uint64_t now)
{
	struct tcp_seg s;
	struct tcp_out out;
	struct fpkt *p;

	if (np >= MAXP || arena_used + 2 * len + GUARD > ARENA)
		return;
	p = &pk[np++];
	p->buf = arena + arena_used;
	arena_used += len + GUARD;
	p->orig = arena + arena_used;
	arena_used += len;
	if (len != 0) {
		memcpy(p->buf, d, len);
		memcpy(p->orig, d, len);
	}
	memset(p->buf + len, 0xa5, GUARD);
	p->len = len;
	p->fate = -1;
	memset(p->th, 0, sizeof(p->th));
	p->th[4] = (uint8_t)(seq >> 24);
	p->th[7] = (uint8_t)seq;
	p->th[13] = flags;
	p->th[14] = p->th[15] = 0xff;
	{
		uint16_t ck = (uint16_t)~th_sum(p->th);

		p->th[16] = (uint8_t)(ck >> 8);
		p->th[17] = (uint8_t)ck;
	}
	memset(&s, 0, sizeof(s));
	s.th = p->th;
	s.pkt = p;
	s.payload = p->buf;
	s.len = len;
	s.seq = seq;
	s.ack = ack;
	s.win = 65535;
	s.flags = flags;
	s.dir = (uint8_t)dir;
	s.wscale = ws;
	s.csum_ok = (uint8_t)csum_ok;
	tcp_input(x, c, &s, now, &out);
	take(x, &out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t wsc[4][2] = {{0xff, 0xff}, {7, 3}, {7, 0xff}, {0xff, 3}};
	static const uint32_t edits[4] = {16, 1, 2, 4};
	struct tcp_params p;
	struct tcp_ctx *x;
	struct tcp_conn c;
	struct tcp_out out;
	uint32_t isn[2], ackoff[2] = {0, 0};
	uint64_t now = 1;
	size_t pos = 4;
	uint8_t h0, h1;
	int i;

	if (size < 4)
		return 0;
	h0 = data[0];
	h1 = data[1];
	switch ((h0 >> 1) & 3) {
	case 0:
		isn[0] = 1000;
		isn[1] = 7000000;
		break;
	case 1:
		isn[0] = 0xffffff00u + data[2];
		isn[1] = 0xfffffff0u + (data[3] & 15);
		break;
	case 2:
		isn[0] = (uint32_t)data[2] << 24 | (uint32_t)data[3] << 8;
		isn[1] = ~isn[0];
		break;
	default:
		isn[0] = 0;
		isn[1] = 0xffffffffu;
		break;
	}
	memset(&toy, 0, sizeof(toy));
	toy.max_edits = edits[(h0 >> 3) & 3];
	toy.hold_max = (data[2] & 0x40) ? 100000 : 300;
	tcp_params_default(&p);
	p.hz = 1000;
	p.ooo_max_segs = (h1 & 7) == 7 ? TCP_OOO_MAX : (uint32_t)(h1 & 7) + 1;
	p.held_max_segs = 1u << ((h1 >> 3) & 7);
	if (p.held_max_segs > TCP_HELD_MAX)
		p.held_max_segs = TCP_HELD_MAX;
	p.edit_log = (h1 & 0x40) ? 2 : 256;
	p.carry_blocks = (h1 & 0x80) ? 2 : 64;
	p.slots = (data[3] & 0x40) ? 8 : 512;
	p.unacked_max = 64u << 10;
	p.rtx_chunks = (data[3] & 0x80) ? 1 : 128;
	p.elog_blocks = (data[3] & 0x80) ? 1 : 4;
	p.ooo_max_bytes = (data[2] & 0x80) ? 1024 : 8192;
	if (!(h0 & 0x80)) {
		p.inspect = toy_inspect;
		p.inspect_arg = &toy;
	}
	x = tcp_ctx_create(&p);
	if (x == NULL)
		abort();
	tcp_conn_init(&c);
	np = 0;
	arena_used = 0;
	if (!(h0 & 1)) {
		const uint8_t *w = wsc[(h0 >> 5) & 3];

		fsend(x, &c, 0, isn[0], 0, NULL, 0, TCP_F_SYN, w[0], 1, now);
		fsend(x, &c, 1, isn[1], isn[0] + 1, NULL, 0, TCP_F_SYN | TCP_F_ACK, w[1], 1, now);
		fsend(x, &c, 0, isn[0] + 1, isn[1] + 1, NULL, 0, TCP_F_ACK, 0xff, 1, now);
	}
	while (pos + 4 <= size) {
		uint8_t b0 = data[pos];
		int dir = b0 & 1, kind = (b0 >> 1) & 7;
		uint32_t off = (uint32_t)data[pos + 1] | (uint32_t)data[pos + 2] << 8;
		uint32_t len = data[pos + 3];
		uint32_t seq = isn[dir] + 1 + off;
		uint32_t ack = isn[!dir] + 1 + ackoff[dir];
		uint8_t flags = TCP_F_ACK;

		pos += 4;
		if (kind == 4) {
			if (pos >= size)
				break;
			flags = data[pos++];
		}
		if ((kind == 0 || kind == 1 || kind == 7) && (b0 & 0x10)) {
			/* A big segment: len * 8 bytes repeating up to 16 input bytes. */
			uint32_t pat = (uint32_t)(size - pos) < 16 ? (uint32_t)(size - pos) : 16, k;

			len *= 8;
			for (k = 0; k < len; k++)
				big[k] = pat != 0 ? data[pos + k % pat] : 'a';
			fsend(x, &c, dir, seq, ack, big, len,
					kind == 1 ? TCP_F_ACK | TCP_F_FIN : flags, 0xff, 1, now);
			pos += pat;
			continue;
		}
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		switch (kind) {
		case 1:
			flags |= TCP_F_FIN;
			break;
		case 2:
			ackoff[dir] = off;
			ack = isn[!dir] + 1 + off;
			seq = c.h[dir].snd_max;
			len = 0;
			break;
		case 3:
			flags = TCP_F_RST | ((b0 & 0x10) ? TCP_F_ACK : 0);
			if (b0 & 0x20)
				seq = c.h[dir].next;
			break;
		case 5:
			now += (uint64_t)off * 10;
			tcp_conn_tick(x, &c, now, &out);
			take(x, &out);
			CHECK(tcp_conn_deadline(x, &c) > now);
			continue;
		case 7:
			flags |= TCP_F_PSH;
			break;
		default:
			break;
		}
		fsend(x, &c, dir, seq, ack, data + pos, len, flags, 0xff, kind != 6, now);
		pos += len;
		CHECK(tcp_conn_held(&c) <= TCP_OUT_MAX - 1);
	}
	tcp_conn_free(x, &c, &out);
	take(x, &out);
	for (i = 0; i < np; i++) {
		uint32_t g;

		CHECK(pk[i].fate != -1);
		for (g = 0; g < GUARD; g++)
			CHECK(pk[i].buf[pk[i].len + g] == 0xa5);
	}
	CHECK(tcp_ctx_stats(x)->slots_used == 0);
	CHECK(tcp_ctx_stats(x)->carry_used == 0);
	CHECK(tcp_ctx_stats(x)->rtx_used == 0);
	CHECK(tcp_ctx_stats(x)->elog_used == 0);
	CHECK(tcp_ctx_stats(x)->held_segs == 0 && tcp_ctx_stats(x)->held_bytes == 0);
	CHECK(tcp_ctx_stats(x)->ooo_segs == 0 && tcp_ctx_stats(x)->ooo_bytes == 0);
	tcp_ctx_free(x);
	return 0;
}
