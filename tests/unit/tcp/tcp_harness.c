/* SPDX-License-Identifier: BSD-3-Clause */
/* Test harness for lib/tcp (see tcp_harness.h). */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tcp_harness.h"

static const uint8_t *
find_crlf(const uint8_t *p, uint32_t n)
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
	struct h_insp *in = arg;
	uint32_t pos = 0;

	(void)c;
	in->pushes++;
	if (in->never_decide)
		return;
	while (pos < len) {
		if (dir == 0 && in->waiting)
			break; /* held until the other side's "GO" */
		const uint8_t *line = buf + pos;
		const uint8_t *cr = find_crlf(line, len - pos);
		uint32_t llen, body;

		if (cr == NULL) {
			if (len - pos < in->hold_max)
				break;
			llen = len - pos;
			body = llen;
		} else {
			llen = (uint32_t)(cr - line) + 2;
			body = llen - 2;
		}
		if (llen >= 4 && memcmp(line, "KILL", 4) == 0) {
			r->verdict = TCP_INSP_DROP_CONN;
			r->consumed = len;
			r->n_edits = 0;
			return;
		}
		if (llen >= 4 && memcmp(line, "RSTX", 4) == 0) {
			r->verdict = TCP_INSP_RESET;
			r->consumed = len;
			r->n_edits = 0;
			return;
		}
		if (llen >= 4 && memcmp(line, "DPKT", 4) == 0 &&
				!(in->dpkt_once && in->dpkt_done)) {
			in->dpkt_done = 1;
			r->verdict = TCP_INSP_DROP_PACKET;
			r->consumed = 0;
			r->n_edits = 0;
			return;
		}
		if (llen >= 4 && memcmp(line, "OVFL", 4) == 0) {
			/* The answer stops after this line: the rest comes again at once. */
			pos += llen;
			r->overflow = 1;
			break;
		}
		if (llen >= 4 && memcmp(line, "XEXC", 4) == 0) {
			if (r->n_edits == in->max_edits) {
				r->overflow = 1;
				break;
			}
			r->edits[r->n_edits].off = pos;
			r->edits[r->n_edits].len = (uint16_t)body;
			r->edits[r->n_edits].fill = 'X';
			r->n_edits++;
		}
		pos += llen;
		if (dir == 0 && llen >= 4 && memcmp(line, "WAIT", 4) == 0)
			in->waiting = 1;
		if (dir == 1 && llen >= 2 && memcmp(line, "GO", 2) == 0 && in->waiting) {
			in->waiting = 0;
			r->retry_other = 1;
			break;
		}
		if (llen >= 4 && memcmp(line, "BYPA", 4) == 0) {
			r->verdict = TCP_INSP_BYPASS;
			break;
		}
	}
	r->consumed = pos;
	/* Commit: only an answer that decides records what it decided. */
	cr_assert(in->nseen[dir] + pos <= H_STREAM);
	memcpy(in->seen[dir] + in->nseen[dir], buf, pos);
	in->nseen[dir] += pos;
}

struct h *
h_new(void (*tweak)(struct tcp_params *p))
{
	struct h *h = calloc(1, sizeof(*h));
	int d;

	cr_assert_not_null(h);
	h->pk = calloc(H_MAXP, sizeof(*h->pk));
	cr_assert_not_null(h->pk);
	for (d = 0; d < 2; d++) {
		h->wire[d] = calloc(1, H_STREAM);
		h->wire_set[d] = calloc(1, H_STREAM);
		cr_assert(h->wire[d] != NULL && h->wire_set[d] != NULL);
		h->win[d] = 65535;
	}
	h->in.hold_max = 600;
	h->in.max_edits = TCP_INSP_MAX_EDITS;
	tcp_params_default(&h->p);
	h->p.slots = 1024;
	h->p.carry_blocks = 16;
	/* The bounds these tests were written for: 64 KiB in flight per
	 * direction, room for 8 such directions, a queue of 16 (1 MiB). */
	h->p.unacked_max = 64u << 10;
	h->p.rtx_chunks = 8 * ((64u << 10) / TCP_RTX_CHUNK + 1);
	h->p.elog_blocks = 8;
	h->p.ooo_max_segs = 16;
	h->p.ooo_max_bytes = 1u << 20;
	h->p.inspect = toy_inspect;
	h->p.inspect_arg = &h->in;
	if (tweak != NULL)
		tweak(&h->p);
	h->x = tcp_ctx_create(&h->p);
	cr_assert_not_null(h->x);
	tcp_conn_init(&h->c);
	h->now = 1000;
	return h;
}

void
h_check_sane(const struct h *h)
{
	cr_assert_eq(h_ctr(h, TCP_CTR_OUT_OVERFLOW), 0, "out list overflowed");
}

void
h_free(struct h *h)
{
	int d;

	h_check_sane(h);
	h_conn_free(h);
	cr_assert_eq(h_pending(h), 0, "packets never came out");
	cr_assert_eq(tcp_ctx_stats(h->x)->slots_used, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->carry_used, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->rtx_used, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->elog_used, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->held_segs, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->ooo_segs, 0);
	tcp_ctx_free(h->x);
	for (d = 0; d < 2; d++) {
		free(h->wire[d]);
		free(h->wire_set[d]);
	}
	free(h->pk);
	free(h);
}

static void
take_out(struct h *h)
{
	uint16_t k;

	cr_assert_leq(h->out.n, TCP_OUT_MAX);
	for (k = 0; k < h->out.n; k++) {
		struct h_pkt *p = h->out.v[k].pkt;
		int id = (int)(p - h->pk);
		uint32_t j;

		cr_assert(id >= 0 && id < h->np, "unknown packet in out");
		cr_assert_eq(p->fate, FATE_PENDING, "packet %d came out twice", id);
		p->fate = h->out.v[k].act;
		p->reason = h->out.v[k].reason;
		p->order = h->norder++;
		p->acked_at = h->ack[!p->dir];
		if (p->fate == TCP_ACT_DROP) {
			cr_assert_neq(p->reason, TCP_DROP_NONE);
			continue;
		}
		if (p->fate == TCP_ACT_FORWARD)
			cr_assert(memcmp(p->buf, p->raw, p->len) == 0,
					"FORWARD but payload changed");
		for (j = 0; j < p->len; j++) {
			uint32_t off = p->seq + j - (h->isn[p->dir] + 1);

			if (off < H_STREAM) {
				h->wire[p->dir][off] = p->buf[j];
				h->wire_set[p->dir][off] = 1;
			}
		}
	}
	h->last_verdict = h->out.conn_verdict;
	h->last_closed = h->out.closed;
	h_check_sane(h);
}

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

static void
th_csum_set(uint8_t *th)
{
	uint16_t ck;

	th[16] = th[17] = 0;
	ck = (uint16_t)~th_sum(th);
	th[16] = (uint8_t)(ck >> 8);
	th[17] = (uint8_t)ck;
}

uint16_t
h_win_out(const struct h *h, int id)
{
	return (uint16_t)(h->pk[id].th[14] << 8 | h->pk[id].th[15]);
}

int
h_th_csum_ok(const struct h *h, int id)
{
	return th_sum(h->pk[id].th) == 0xffff;
}

int
h_send_raw(struct h *h, int dir, uint32_t seq, uint32_t ack, const void *data, uint32_t len,
		uint8_t flags, uint16_t win, uint8_t wscale, int csum_ok)
{
	struct h_pkt *p;
	struct tcp_seg s;
	int id = h->np++;

	cr_assert_lt(id, H_MAXP);
	cr_assert_leq(len, H_PAYLOAD);
	p = &h->pk[id];
	memset(p, 0, sizeof(*p));
	if (len != 0)
		memcpy(p->buf, data, len);
	memcpy(p->raw, p->buf, len);
	p->len = len;
	p->seq = seq;
	p->dir = (uint8_t)dir;
	p->flags = flags;
	p->fate = FATE_PENDING;
	/* A header whose window and checksum are real; the other fields are
	 * whatever the checksum covers. */
	p->th[0] = (uint8_t)id;
	p->th[4] = (uint8_t)(seq >> 24);
	p->th[7] = (uint8_t)seq;
	p->th[13] = flags;
	p->th[14] = (uint8_t)(win >> 8);
	p->th[15] = (uint8_t)win;
	th_csum_set(p->th);
	memset(&s, 0, sizeof(s));
	s.pkt = p;
	s.payload = p->buf;
	s.th = h->no_th ? NULL : p->th;
	s.len = len;
	s.seq = seq;
	s.ack = ack;
	s.win = win;
	s.flags = flags;
	s.dir = (uint8_t)dir;
	s.wscale = wscale;
	s.csum_ok = (uint8_t)csum_ok;
	tcp_input(h->x, &h->c, &s, h->now, &h->out);
	take_out(h);
	return id;
}

int
h_send(struct h *h, int dir, uint32_t off, const void *data, uint32_t len, uint8_t flags)
{
	return h_send_raw(h, dir, h->isn[dir] + 1 + off, h->isn[!dir] + 1 + h->ack[dir], data, len,
			(uint8_t)(flags | TCP_F_ACK), h->win[dir], TCP_WSCALE_NONE, 1);
}

int
h_ack(struct h *h, int dir, uint32_t off)
{
	h->ack[dir] = off;
	return h_send_raw(h, dir, h->c.h[dir].snd_max, h->isn[!dir] + 1 + off, NULL, 0, TCP_F_ACK,
			h->win[dir], TCP_WSCALE_NONE, 1);
}

void
h_handshake(struct h *h, uint32_t isn0, uint32_t isn1, uint8_t ws0, uint8_t ws1)
{
	int a, b, c;

	h->isn[0] = isn0;
	h->isn[1] = isn1;
	a = h_send_raw(h, 0, isn0, 0, NULL, 0, TCP_F_SYN, h->win[0], ws0, 1);
	b = h_send_raw(h, 1, isn1, isn0 + 1, NULL, 0, TCP_F_SYN | TCP_F_ACK, h->win[1], ws1, 1);
	c = h_send_raw(h, 0, isn0 + 1, isn1 + 1, NULL, 0, TCP_F_ACK, h->win[0], TCP_WSCALE_NONE, 1);
	cr_assert_eq(h->pk[a].fate, TCP_ACT_FORWARD);
	cr_assert_eq(h->pk[b].fate, TCP_ACT_FORWARD);
	cr_assert_eq(h->pk[c].fate, TCP_ACT_FORWARD);
	cr_assert_eq(h->c.state, TCP_ST_EST);
}

void
h_tick(struct h *h)
{
	tcp_conn_tick(h->x, &h->c, h->now, &h->out);
	take_out(h);
}

void
h_conn_free(struct h *h)
{
	tcp_conn_free(h->x, &h->c, &h->out);
	take_out(h);
}

int
h_fate(const struct h *h, int id)
{
	return h->pk[id].fate;
}

int
h_pending(const struct h *h)
{
	int i, n = 0;

	for (i = 0; i < h->np; i++)
		n += h->pk[i].fate == FATE_PENDING;
	return n;
}

uint64_t
h_ctr(const struct h *h, enum tcp_counter c)
{
	return tcp_ctx_stats(h->x)->ctr[c];
}

uint64_t
h_drops(const struct h *h, enum tcp_drop_reason r)
{
	return tcp_ctx_stats(h->x)->drops[r];
}

void
h_wire_is(const struct h *h, int dir, uint32_t off, const char *s)
{
	uint32_t n = (uint32_t)strlen(s), k;

	for (k = 0; k < n; k++) {
		cr_assert(h->wire_set[dir][off + k], "dir %d byte %u never forwarded", dir,
				off + k);
		cr_assert_eq(h->wire[dir][off + k], (uint8_t)s[k], "dir %d byte %u: %c, want %c",
				dir, off + k, h->wire[dir][off + k], s[k]);
	}
}

void
h_seen_is(const struct h *h, int dir, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);

	cr_assert_eq(h->in.nseen[dir], n, "inspector saw %u bytes, want %u", h->in.nseen[dir], n);
	cr_assert(memcmp(h->in.seen[dir], s, n) == 0, "inspector saw other bytes");
}

struct h *
est(void (*tweak)(struct tcp_params *p))
{
	struct h *h = h_new(tweak);

	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	return h;
}

int
sends(struct h *h, int dir, uint32_t off, const char *s)
{
	return h_send(h, dir, off, s, (uint32_t)strlen(s), 0);
}
