/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inspector verdicts (drop connection, reset, bypass, drop packet), the
 * bounds (carry, held packets, pools), tcp_conn_free and the out list.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tcp_harness.h"

Test(tcp_verdict, drop_conn_releases_everything_as_drop)
{
	struct h *h = est(NULL);
	int a, b, q, s1, k;

	a = sends(h, 0, 0, "HEL"); /* held */
	q = sends(h, 0, 20, "NOOP\r\n"); /* queued */
	s1 = sends(h, 1, 0, "220 x"); /* held, other direction */
	b = sends(h, 0, 3, "O\r\nKILL\r\n"); /* decides HELO, then KILL */
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_INSP_DROP_CONN), 1);
	cr_assert_eq(h_ctr(h, TCP_CTR_CONN_DROPPED), 1);
	int ids[] = {a, b, q, s1};
	for (k = 0; k < 4; k++) {
		cr_assert_eq(h_fate(h, ids[k]), TCP_ACT_DROP, "%d", k);
		cr_assert_eq(h->pk[ids[k]].reason, TCP_DROP_CONN);
	}
	cr_assert_eq(tcp_conn_held(&h->c), 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->carry_used, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->rtx_used, 0);
	/* Sticky: later packets, any direction, any flags. */
	a = sends(h, 1, 5, " ok\r\n");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_CONN);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	a = h_send_raw(h, 0, ISN0, 0, NULL, 0, TCP_F_SYN, 100, 0xff, 1);
	cr_assert_eq(h->pk[a].reason, TCP_DROP_CONN);
	h_free(h);
}

Test(tcp_verdict, reset_and_rst_sequence)
{
	struct h *h = est(NULL);
	uint32_t seq, ack;
	int a;

	sends(h, 0, 0, "HELO abc\r\n");
	sends(h, 1, 0, "250 ok\r\n");
	sends(h, 0, 10, "MAIL"); /* held: the server never got it */
	a = sends(h, 0, 14, " FROM:<a>\r\nRSTX\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_DROP);
	cr_assert_eq(h->last_verdict, TCP_CONN_RESET);
	cr_assert_eq(h_ctr(h, TCP_CTR_INSP_RESET), 1);
	/* RST to the responder: seq is what it got from the initiator. */
	cr_assert_eq(tcp_conn_rst_seq(&h->c, 0, &seq, &ack), 0);
	cr_assert_eq(seq, ISN0 + 1 + 10);
	cr_assert_eq(ack, ISN1 + 1 + 8);
	cr_assert_eq(tcp_conn_rst_seq(&h->c, 1, &seq, &ack), 0);
	cr_assert_eq(seq, ISN1 + 1 + 8);
	cr_assert_eq(ack, ISN0 + 1 + 10);
	h_free(h);
}

Test(tcp_verdict, bypass)
{
	struct h *h = est(NULL);
	int a, b, s1, q, k;

	s1 = sends(h, 1, 0, "250-STA"); /* held in the other direction */
	q = sends(h, 0, 100, "late\r\n"); /* queued */
	a = sends(h, 0, 0, "XEXC a\r\nBYPA\r\nXEXC b\r\n");
	cr_assert_eq(h->last_verdict, TCP_CONN_BYPASS);
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	cr_assert(memcmp(h->pk[a].buf, "XXXXXX\r\nBYPA\r\nXEXC b\r\n", 22) == 0);
	cr_assert_eq(h_fate(h, s1), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, q), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_BYPASSED), 1);
	/* From now on: untouched, no reassembly, no checks. */
	k = h->in.pushes;
	b = sends(h, 0, 22, "XEXC c\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	b = h_send_raw(h, 0, 12345, 0, "\x16\x03\x01", 3, TCP_F_ACK, 0, 0xff, 0);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	cr_assert_eq(h->in.pushes, (uint32_t)k);
	cr_assert_eq(h->last_verdict, TCP_CONN_BYPASS);
	cr_assert_eq(tcp_ctx_stats(h->x)->rtx_used, 0);
	/* Close is still followed. */
	h_send_raw(h, 0, ISN0 + 1 + 30, ISN1 + 1 + 7, NULL, 0, TCP_F_FIN | TCP_F_ACK, 100, 0xff, 1);
	h_send_raw(h, 1, ISN1 + 1 + 7, ISN0 + 1 + 31, NULL, 0, TCP_F_FIN | TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->last_closed, 0);
	h_send_raw(h, 0, ISN0 + 1 + 31, ISN1 + 1 + 8, NULL, 0, TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->last_closed, 1);
	h_free(h);
}

Test(tcp_verdict, drop_packet_is_inspected_again)
{
	struct h *h = est(NULL);
	int a, b;

	h->in.dpkt_once = 1;
	sends(h, 0, 0, "HELO a\r\n");
	a = sends(h, 0, 8, "DPKT\r\n");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_INSPECT);
	cr_assert_eq(h->last_verdict, TCP_CONN_OK);
	cr_assert_eq(h->c.h[0].next, ISN0 + 1 + 8);
	b = sends(h, 0, 8, "DPKT\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	h_seen_is(h, 0, "HELO a\r\nDPKT\r\n");
	cr_assert_eq(h_ctr(h, TCP_CTR_INSP_DROP_PACKET), 1);
	h_free(h);
}

Test(tcp_verdict, drop_packet_with_carry)
{
	struct h *h = est(NULL);
	int a, b, c;

	h->in.dpkt_once = 1;
	a = sends(h, 0, 0, "HEL");
	b = sends(h, 0, 3, "O\r\nDPKT\r\n");
	cr_assert_eq(h->pk[b].reason, TCP_DROP_INSPECT);
	cr_assert_eq(h_fate(h, a), FATE_PENDING, "still undecided");
	cr_assert_eq(h->c.h[0].next, ISN0 + 1 + 3);
	c = sends(h, 0, 3, "O\r\nDPKT\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD);
	h_seen_is(h, 0, "HELO\r\nDPKT\r\n");
	h_free(h);
}

Test(tcp_verdict, drop_packet_after_overflow_keeps_shown_bytes)
{
	struct h *h = est(NULL);
	int a, b;

	h->in.dpkt_once = 1;
	/* Push 1 decides up to OVFL with overflow, push 2 (same packet) is refused. */
	a = sends(h, 0, 0, "NOOP\r\nOVFL\r\nDPKT\r\n");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_INSPECT);
	/* The refused bytes were shown undecided: they stay, and come first. */
	cr_assert_eq(h->c.h[0].dec, ISN0 + 1 + 12);
	cr_assert_eq(h->c.h[0].next, ISN0 + 1 + 18);
	cr_assert_eq(tcp_ctx_stats(h->x)->carry_used, 1);
	/* The retransmission: old bytes compared, the undecided ones held with it. */
	b = sends(h, 0, 0, "NOOP\r\nOVFL\r\nDPKT\r\n");
	cr_assert_eq(h_fate(h, b), FATE_PENDING);
	b = sends(h, 0, 18, "NOOP\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	h_seen_is(h, 0, "NOOP\r\nOVFL\r\nDPKT\r\nNOOP\r\n");
	cr_assert_eq(h_pending(h), 0);
	h_free(h);
}

Test(tcp_verdict, conn_free_drops_held_and_queued)
{
	struct h *h = est(NULL);
	int a, b, c;

	a = sends(h, 0, 0, "HEL");
	b = sends(h, 0, 10, "xx");
	c = sends(h, 1, 3, "yy");
	cr_assert_eq(tcp_conn_held(&h->c), 3);
	h_conn_free(h);
	cr_assert_eq(h->pk[a].reason, TCP_DROP_FREED);
	cr_assert_eq(h->pk[b].reason, TCP_DROP_FREED);
	cr_assert_eq(h->pk[c].reason, TCP_DROP_FREED);
	cr_assert_eq(h->c.state, TCP_ST_NONE);
	cr_assert_eq(tcp_ctx_stats(h->x)->slots_used, 0);
	h_free(h);
}

static void
max_queues(struct tcp_params *p)
{
	p->held_max_segs = TCP_HELD_MAX;
	p->ooo_max_segs = TCP_OOO_MAX;
	p->slots = 2 * (TCP_HELD_MAX + TCP_OOO_MAX) + 8;
}

/* Fills both directions with TCP_HELD_MAX held and TCP_OOO_MAX queued packets. */
static void
fill(struct h *h)
{
	int d, k;

	for (d = 0; d < 2; d++) {
		for (k = 0; k < TCP_HELD_MAX; k++)
			cr_assert_eq(h_fate(h, sends(h, d, (uint32_t)k, "a")), FATE_PENDING);
		for (k = 0; k < TCP_OOO_MAX; k++)
			cr_assert_eq(h_fate(h, sends(h, d, 1000 + 2 * (uint32_t)k, "b")),
					FATE_PENDING);
	}
	cr_assert_eq(tcp_conn_held(&h->c), 2 * (TCP_HELD_MAX + TCP_OOO_MAX));
}

Test(tcp_verdict, out_list_holds_a_full_connection_free)
{
	struct h *h = est(max_queues);

	fill(h);
	h_conn_free(h);
	cr_assert_eq(h->out.n, 2 * (TCP_HELD_MAX + TCP_OOO_MAX));
	h_free(h);
}

Test(tcp_verdict, out_list_holds_a_full_connection_drop)
{
	struct h *h = est(max_queues);
	int a;

	fill(h);
	/* One more held byte: over the held limit, the connection goes. */
	a = sends(h, 0, TCP_HELD_MAX, "a");
	cr_assert_eq(h->out.n, TCP_OUT_MAX);
	cr_assert_eq(h_fate(h, a), TCP_ACT_DROP);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_HELD_FULL), 1);
	cr_assert_eq(h_pending(h), 0);
	h_free(h);
}

Test(tcp_verdict, out_list_holds_a_full_bypass)
{
	struct h *h = est(max_queues);
	int k;

	fill(h);
	/* The gap of dir 1 fills with a line that decides and bypasses. */
	k = h_send(h, 1, TCP_HELD_MAX, "\r\nBYPA\r\n", 8, 0);
	cr_assert_eq(h->last_verdict, TCP_CONN_BYPASS);
	cr_assert_leq(h->out.n, TCP_OUT_MAX);
	cr_assert_eq(h_fate(h, k), TCP_ACT_FORWARD);
	cr_assert_eq(h_pending(h), 0);
	h_free(h);
}

static void
tiny_carry_pool(struct tcp_params *p)
{
	p->carry_blocks = 1;
}

Test(tcp_verdict, carry_pool_empty_drops_the_connection)
{
	struct h *h = est(tiny_carry_pool);
	int a, b;

	a = sends(h, 0, 0, "HEL");
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	b = sends(h, 1, 0, "220");
	cr_assert_eq(h_fate(h, b), TCP_ACT_DROP);
	cr_assert_eq(h_fate(h, a), TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_CARRY_POOL_EMPTY), 1);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	h_free(h);
}

Test(tcp_verdict, carry_full_drops_the_connection)
{
	struct h *h = est(NULL);
	char buf[100];
	int k, id = 0;

	h->in.never_decide = 1;
	memset(buf, 'a', sizeof(buf));
	for (k = 0; k < 10; k++) {
		id = h_send(h, 0, (uint32_t)k * 100, buf, 100, 0);
		cr_assert_eq(h_fate(h, id), FATE_PENDING);
	}
	id = h_send(h, 0, 1000, buf, 100, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_CARRY_FULL), 1);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	h_free(h);
}

Test(tcp_verdict, carry_full_in_one_segment)
{
	struct h *h = est(NULL);
	static char buf[1500];
	int id;

	h->in.never_decide = 1;
	memset(buf, 'a', sizeof(buf));
	id = h_send(h, 0, 0, buf, sizeof(buf), 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_CARRY_FULL), 1);
	h_free(h);
}

Test(tcp_verdict, long_line_decided_at_hold_max)
{
	struct h *h = est(NULL);
	static char buf[700];
	int a, b;

	memset(buf, 'a', sizeof(buf));
	a = h_send(h, 0, 0, buf, 300, 0);
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	b = h_send(h, 0, 300, buf, 400, 0);
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	cr_assert_eq(h->in.nseen[0], 700);
	h_free(h);
}

static void
tiny_slots(struct tcp_params *p)
{
	p->slots = 3;
}

Test(tcp_verdict, slot_pool_empty)
{
	struct h *h = est(tiny_slots);
	int a;

	sends(h, 0, 10, "a");
	sends(h, 0, 20, "b");
	sends(h, 0, 30, "c");
	a = sends(h, 0, 40, "d");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_SLOT_POOL);
	cr_assert_eq(h_ctr(h, TCP_CTR_SLOT_POOL_EMPTY), 1);
	/* In-order data without a slot is refused before the inspector sees it. */
	a = sends(h, 0, 0, "HELO\r\n");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_SLOT_POOL);
	cr_assert_eq(h->in.pushes, 0);
	cr_assert_eq(h->last_verdict, TCP_CONN_OK);
	h_free(h);
}

static void
one_chunk(struct tcp_params *p)
{
	p->rtx_chunks = 1;
}

Test(tcp_verdict, rtx_pool_empty)
{
	struct h *h = est(one_chunk);
	int a;

	sends(h, 0, 0, "HELO\r\n");
	a = sends(h, 1, 0, "250 ok\r\n");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_RTX_POOL);
	cr_assert_eq(h->in.nseen[1], 0);
	h_ack(h, 1, 6); /* frees the initiator's chunk */
	a = sends(h, 1, 0, "250 ok\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_RTX_POOL_EMPTY), 1);
	h_free(h);
}

static void
bad_inspect(void *arg, struct tcp_conn *c, int dir, const uint8_t *buf, uint32_t len,
		struct tcp_insp_result *r)
{
	struct h_insp *in = arg;

	(void)c;
	(void)dir;
	(void)buf;
	in->pushes++;
	switch (in->pushes) {
	case 1: /* consumed beyond len, an edit beyond consumed */
		r->consumed = len + 10;
		r->n_edits = 2;
		r->edits[0].off = 0;
		r->edits[0].len = 1000;
		r->edits[0].fill = '#';
		r->edits[1].off = len + 5;
		r->edits[1].len = 1;
		r->edits[1].fill = '#';
		break;
	case 2: /* overflow without progress */
		r->consumed = 0;
		r->overflow = 1;
		break;
	default: /* unknown verdict */
		r->consumed = len;
		r->verdict = 77;
		break;
	}
}

static void
use_bad_inspect(struct tcp_params *p)
{
	p->inspect = bad_inspect;
}

Test(tcp_verdict, bad_inspector_answers)
{
	struct h *h = est(use_bad_inspect);
	int a, b;

	a = sends(h, 0, 0, "abcd");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	cr_assert(memcmp(h->pk[a].buf, "####", 4) == 0, "clamped to the payload");
	cr_assert_eq(h_ctr(h, TCP_CTR_BAD_RESULT), 3);
	b = sends(h, 0, 4, "efgh");
	cr_assert_eq(h_fate(h, b), FATE_PENDING);
	b = sends(h, 0, 8, "ijkl");
	cr_assert_eq(h_fate(h, b), TCP_ACT_DROP);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	h_free(h);
}
