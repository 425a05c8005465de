/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stream: in order, held bytes, 1-byte segments, edits across segments,
 * out-of-order (reversed, overlaps, duplicates, bounds, timeout),
 * retransmissions (same edits, evasion), wrap-around, ring and edit-log
 * bounds, inspector overflow.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "tcp_harness.h"

Test(tcp_stream, in_order)
{
	struct h *h = est(NULL);
	int a, b;

	a = sends(h, 0, 0, "HELO a\r\n");
	b = sends(h, 0, 8, "MAIL FROM:<a@b>\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	h_seen_is(h, 0, "HELO a\r\nMAIL FROM:<a@b>\r\n");
	cr_assert_eq(h_ctr(h, TCP_CTR_BYTES_DELIVERED), 25);
	cr_assert_eq(h_ctr(h, TCP_CTR_PUSHES), 2);
	cr_assert_eq(h->c.h[0].fwd, ISN0 + 1 + 25);
	/* Acked: the store's chunk goes back to the pool. */
	cr_assert_eq(tcp_ctx_stats(h->x)->rtx_used, 1);
	h_ack(h, 1, 25);
	cr_assert_eq(tcp_ctx_stats(h->x)->rtx_used, 0);
	h_free(h);
}

Test(tcp_stream, held_until_decided)
{
	struct h *h = est(NULL);
	int a, b;

	a = sends(h, 0, 0, "HEL");
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	cr_assert_eq(tcp_ctx_stats(h->x)->held_segs, 1);
	cr_assert_eq(tcp_ctx_stats(h->x)->held_bytes, 3);
	cr_assert_eq(tcp_ctx_stats(h->x)->carry_used, 1);
	cr_assert_eq(tcp_conn_held(&h->c), 1);
	/* The receiver cannot ack held bytes: an ACK beyond is clamped. */
	h_ack(h, 1, 3);
	cr_assert_eq(h->c.h[0].una, ISN0 + 1);
	b = sends(h, 0, 3, "O a\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	cr_assert(h->pk[a].order < h->pk[b].order);
	h_seen_is(h, 0, "HELO a\r\n");
	cr_assert_eq(tcp_ctx_stats(h->x)->held_segs, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->carry_used, 0);
	cr_assert_eq(h_ctr(h, TCP_CTR_HELD_SEGS), 1);
	cr_assert_eq(h_ctr(h, TCP_CTR_HELD_BYTES), 3);
	h_free(h);
}

Test(tcp_stream, telnet_one_byte_segments)
{
	struct h *h = est(NULL);
	const char *t = "XEXCH50\r\n";
	int id[9], k;

	for (k = 0; k < 9; k++) {
		id[k] = h_send(h, 0, (uint32_t)k, t + k, 1, TCP_F_PSH);
		if (k < 8)
			cr_assert_eq(h_fate(h, id[k]), FATE_PENDING, "byte %d", k);
	}
	for (k = 0; k < 9; k++) {
		cr_assert_eq(h_fate(h, id[k]), k < 7 ? TCP_ACT_FORWARD_EDITED : TCP_ACT_FORWARD);
		cr_assert_eq(h->pk[id[k]].order, h->pk[id[0]].order + k, "in order");
	}
	h_wire_is(h, 0, 0, "XXXXXXX\r\n");
	h_seen_is(h, 0, "XEXCH50\r\n");
	h_free(h);
}

Test(tcp_stream, edit_spans_two_segments)
{
	struct h *h = est(NULL);
	int a, b;

	a = sends(h, 0, 0, "HELO x\r\nXEX");
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	b = sends(h, 0, 11, "C foo\r\nNOOP\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD_EDITED);
	h_wire_is(h, 0, 0, "HELO x\r\nXXXXXXXX\r\nNOOP\r\n");
	h_seen_is(h, 0, "HELO x\r\nXEXC foo\r\nNOOP\r\n");
	cr_assert_eq(h_ctr(h, TCP_CTR_EDIT_BYTES), 8);
	h_free(h);
}

static const char *transcript = "EHLO client.example\r\n"
				"XEXC one two\r\n"
				"MAIL FROM:<a@example.org>\r\n"
				"RCPT TO:<b@example.net>\r\n"
				"XEXC three\r\n"
				"DATA\r\n";
static const char *edited = "EHLO client.example\r\n"
			    "XXXXXXXXXXXX\r\n"
			    "MAIL FROM:<a@example.org>\r\n"
			    "RCPT TO:<b@example.net>\r\n"
			    "XXXXXXXXXX\r\n"
			    "DATA\r\n";

Test(tcp_stream, reversed)
{
	struct h *h = est(NULL);
	uint32_t n = (uint32_t)strlen(transcript), cut[] = {0, 7, 25, 40, 66, 90, 100, n};
	int id[7], k;

	for (k = 6; k >= 0; k--) {
		id[k] = h_send(h, 0, cut[k], transcript + cut[k], cut[k + 1] - cut[k], 0);
		if (k > 0)
			cr_assert_eq(h_fate(h, id[k]), FATE_PENDING);
	}
	cr_assert_eq(h_ctr(h, TCP_CTR_OOO_QUEUED), 6);
	cr_assert_eq(h_ctr(h, TCP_CTR_OOO_RELEASED), 6);
	for (k = 0; k < 7; k++) {
		cr_assert_neq(h_fate(h, id[k]), TCP_ACT_DROP);
		if (k > 0)
			cr_assert(h->pk[id[k]].order > h->pk[id[k - 1]].order, "released in order");
	}
	h_wire_is(h, 0, 0, edited);
	h_seen_is(h, 0, transcript);
	cr_assert_eq(tcp_ctx_stats(h->x)->ooo_segs, 0);
	cr_assert_eq(tcp_ctx_stats(h->x)->ooo_bytes, 0);
	h_free(h);
}

Test(tcp_stream, duplicate_gets_same_edits)
{
	struct h *h = est(NULL);
	int a, b, c;

	a = sends(h, 0, 0, "NOOP\r\nXEXC secret\r\nNOOP\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	b = sends(h, 0, 0, "NOOP\r\nXEXC secret\r\nNOOP\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD_EDITED);
	cr_assert(memcmp(h->pk[a].buf, h->pk[b].buf, h->pk[a].len) == 0);
	/* Parts of it, straddling the edit's edges. */
	c = h_send(h, 0, 3, "P\r\nXEXC s", 9, 0);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD_EDITED);
	cr_assert(memcmp(h->pk[c].buf, "P\r\nXXXXXX", 9) == 0);
	c = h_send(h, 0, 15, "et\r\nNO", 6, 0);
	cr_assert(memcmp(h->pk[c].buf, "XX\r\nNO", 6) == 0);
	/* A part without edits leaves as FORWARD. */
	c = h_send(h, 0, 0, "NOOP", 4, 0);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_RETRANS_EDITED), 3);
	cr_assert_eq(h_ctr(h, TCP_CTR_RETRANS), 4);
	h_seen_is(h, 0, "NOOP\r\nXEXC secret\r\nNOOP\r\n");
	h_free(h);
}

/*
 * Issue 13.3: a copy of acknowledged bytes never leaves with what the box
 * masked. While the edit is still logged it leaves with the edit; once the
 * edit is forgotten (acknowledged entirely) the copy is refused. Copies of
 * later, unedited bytes and keepalives still pass: the session goes on.
 */
Test(tcp_stream, acked_copy_never_carries_masked_bytes)
{
	struct h *h = est(NULL);
	int c;

	sends(h, 0, 0, "NOOP\r\nXEXC secret\r\nNOOP\r\n");
	/* Acked up to the middle of the masked line: its edit is still logged. */
	h_ack(h, 1, 12);
	c = h_send(h, 0, 0, "NOOP\r\nXEXC s", 12, 0);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD_EDITED);
	cr_assert(memcmp(h->pk[c].buf, "NOOP\r\nXXXXXX", 12) == 0);
	cr_assert_eq(h_ctr(h, TCP_CTR_RETRANS_ACKED_EDITED), 1);
	/* Acked entirely: the edit is forgotten, the copy does not leave. */
	h_ack(h, 1, 25);
	c = sends(h, 0, 0, "NOOP\r\nXEXC secret\r\nNOOP\r\n");
	cr_assert_eq(h->pk[c].reason, TCP_DROP_EDIT_LOG_LOST);
	cr_assert_eq(h_ctr(h, TCP_CTR_RETRANS_ACKED), 2);
	/* The bytes after the masked line, and a keepalive, still go. */
	c = h_send(h, 0, 19, "NOOP\r\n", 6, 0);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD);
	c = h_send(h, 0, 24, "\n", 1, 0);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_KEEPALIVE), 1);
	/* The session goes on. */
	c = sends(h, 0, 25, "NOOP\r\n");
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD);
	h_free(h);
}

Test(tcp_stream, overlap_same_bytes)
{
	struct h *h = est(NULL);
	int ids[6], k;

	ids[0] = h_send(h, 0, 0, transcript, 10, 0);
	ids[1] = h_send(h, 0, 5, transcript + 5, 20, 0); /* old part + new */
	ids[2] = h_send(h, 0, 40, transcript + 40, 20, 0); /* queued */
	ids[3] = h_send(h, 0, 50, transcript + 50, 20, 0); /* queued, overlaps the one above */
	ids[4] = h_send(h, 0, 45, transcript + 45, 5, 0); /* all queued already: dup */
	cr_assert_eq(h_fate(h, ids[4]), TCP_ACT_DROP);
	cr_assert_eq(h->pk[ids[4]].reason, TCP_DROP_OOO_DUP);
	ids[5] = h_send(h, 0, 20, transcript + 20, (uint32_t)strlen(transcript) - 20, 0);
	for (k = 0; k < 6; k++)
		if (k != 4)
			cr_assert_neq(h_fate(h, ids[k]), TCP_ACT_DROP, "%d", k);
	h_seen_is(h, 0, transcript);
	h_wire_is(h, 0, 0, edited);
	cr_assert_eq(h_ctr(h, TCP_CTR_EVASION), 0);
	h_free(h);
}

Test(tcp_stream, retransmission_with_other_bytes_is_evasion)
{
	struct h *h = est(NULL);
	int a, b, c;

	a = sends(h, 0, 0, "HELO abc\r\n");
	c = sends(h, 0, 10, "MAIL"); /* held */
	b = sends(h, 0, 0, "HELO xyz\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, b), TCP_ACT_DROP);
	cr_assert_eq(h_fate(h, c), TCP_ACT_DROP);
	cr_assert_eq(h->pk[c].reason, TCP_DROP_CONN);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_EVASION), 1);
	b = sends(h, 0, 14, " FROM:<a>\r\n");
	cr_assert_eq(h->pk[b].reason, TCP_DROP_CONN);
	h_free(h);
}

Test(tcp_stream, overlap_in_queue_with_other_bytes_is_evasion)
{
	struct h *h = est(NULL);
	int a, b;

	a = sends(h, 0, 10, "RCPT TO:<x>\r\n");
	b = sends(h, 0, 14, "XTO:<x>\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_DROP);
	cr_assert_eq(h_fate(h, b), TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_EVASION), 1);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	h_free(h);
}

Test(tcp_stream, overlap_in_order_vs_queued_is_evasion)
{
	struct h *h = est(NULL);
	int a, b;

	/* Queued "XEXC\r\n" at 10; the in-order copy says "NOOP" there. */
	a = sends(h, 0, 10, "XEXC\r\n");
	b = sends(h, 0, 0, "HELO abc\r\nNOOP\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_EVASION), 1);
	(void)b;
	h_free(h);
}

Test(tcp_stream, retransmission_of_held_bytes)
{
	struct h *h = est(NULL);
	int a, b, c;

	a = sends(h, 0, 0, "NOOP\r\nXEX");
	b = sends(h, 0, 6, "XEX"); /* a copy of held bytes only: the original goes */
	cr_assert_eq(h->pk[b].reason, TCP_DROP_HELD_DUP);
	b = sends(h, 0, 3, "P\r\nXEX"); /* decided bytes too: held with the original */
	cr_assert_eq(h_fate(h, b), FATE_PENDING);
	c = sends(h, 0, 9, "C\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD_EDITED);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD_EDITED);
	cr_assert(memcmp(h->pk[b].buf, "P\r\nXXX", 6) == 0);
	h_seen_is(h, 0, "NOOP\r\nXEXC\r\n");
	cr_assert_eq(h_ctr(h, TCP_CTR_HELD_DUP), 1);
	/* With other bytes it is evasion even while held. */
	a = sends(h, 0, 12, "HEL");
	b = sends(h, 0, 12, "HAL");
	cr_assert_eq(h_fate(h, b), TCP_ACT_DROP);
	cr_assert_eq(h_fate(h, a), TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_EVASION), 1);
	h_free(h);
}

Test(tcp_stream, wrap_around)
{
	struct h *h = h_new(NULL);
	uint32_t n = (uint32_t)strlen(transcript);
	int a, b, c, d;

	/* 0xfffffff0 + 1 + 15 = 0: the XEXC line straddles 2^32. */
	h_handshake(h, 0xfffffff0u, 0xffffffffu, 0xff, 0xff);
	c = h_send(h, 0, 40, transcript + 40, n - 40, 0);
	b = h_send(h, 0, 18, transcript + 18, 22, 0);
	a = h_send(h, 0, 0, transcript, 18, 0);
	cr_assert_neq(h_fate(h, a), FATE_PENDING);
	cr_assert_neq(h_fate(h, b), FATE_PENDING);
	cr_assert_neq(h_fate(h, c), FATE_PENDING);
	h_wire_is(h, 0, 0, edited);
	h_seen_is(h, 0, transcript);
	/* A retransmission across the wrap gets the same edits. */
	d = h_send(h, 0, 10, transcript + 10, 20, 0);
	cr_assert_eq(h_fate(h, d), TCP_ACT_FORWARD_EDITED);
	cr_assert(memcmp(h->pk[d].buf, edited + 10, 20) == 0);
	/* The responder (ISN 2^32 - 1: its data starts at 0). */
	a = sends(h, 1, 0, "250 ok\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	h_ack(h, 1, n);
	h_ack(h, 0, 8);
	cr_assert_eq(tcp_ctx_stats(h->x)->rtx_used, 0);
	h_free(h);
}

Test(tcp_stream, ooo_queue_limit)
{
	struct h *h = est(NULL);
	int id[17], k, first;

	for (k = 0; k < 17; k++)
		id[k] = h_send(h, 0, 10 + 2 * (uint32_t)k, "a\n", 2, 0);
	for (k = 0; k < 16; k++)
		cr_assert_eq(h_fate(h, id[k]), FATE_PENDING);
	cr_assert_eq(h->pk[id[16]].reason, TCP_DROP_OOO_FULL);
	cr_assert_eq(h_ctr(h, TCP_CTR_OOO_FULL), 1);
	cr_assert_eq(tcp_ctx_stats(h->x)->ooo_segs, 16);
	first = sends(h, 0, 0, "HELO abc\r\n");
	cr_assert_eq(h_fate(h, first), TCP_ACT_FORWARD);
	for (k = 0; k < 16; k++)
		cr_assert_eq(h_fate(h, id[k]), FATE_PENDING, "held: no CRLF yet");
	k = sends(h, 0, 42, "\r\n");
	cr_assert_eq(h_fate(h, k), TCP_ACT_FORWARD);
	cr_assert_eq(h_pending(h), 0);
	h_free(h);
}

static void
small_ooo_bytes(struct tcp_params *p)
{
	p->ooo_max_bytes = 100;
}

Test(tcp_stream, ooo_byte_cap)
{
	struct h *h = est(small_ooo_bytes);
	char buf[60];
	int a, b;

	memset(buf, 'a', sizeof(buf));
	a = h_send(h, 0, 10, buf, 60, 0);
	b = h_send(h, 0, 70, buf, 60, 0);
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	cr_assert_eq(h->pk[b].reason, TCP_DROP_OOO_BYTES);
	cr_assert_eq(h_ctr(h, TCP_CTR_OOO_BYTES), 1);
	h_free(h);
}

Test(tcp_stream, ooo_timeout)
{
	struct h *h = est(NULL);
	int a, b;

	h->now = 5000;
	a = sends(h, 0, 10, "abc\r\n");
	cr_assert_eq(tcp_conn_deadline(h->x, &h->c), 5000 + 4000000000ull);
	h->now = 5000 + 4000000000ull - 1;
	h_tick(h);
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	h->now++;
	h_tick(h);
	cr_assert_eq(h->pk[a].reason, TCP_DROP_OOO_TIMEOUT);
	cr_assert_eq(h_ctr(h, TCP_CTR_OOO_TIMEOUT), 1);
	cr_assert_eq(tcp_conn_deadline(h->x, &h->c), UINT64_MAX);
	/* The gap fills, the sender retransmits. */
	b = sends(h, 0, 0, "HELO abc\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	b = sends(h, 0, 10, "abc\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	h_seen_is(h, 0, "HELO abc\r\nabc\r\n");
	h_free(h);
}

Test(tcp_stream, ooo_timeout_on_input)
{
	struct h *h = est(NULL);
	int a, b;

	a = sends(h, 0, 10, "abc\r\n");
	h->now += 5000000000ull;
	b = sends(h, 1, 0, "250 ok\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	cr_assert_eq(h->pk[a].reason, TCP_DROP_OOO_TIMEOUT);
	h_free(h);
}

static void
cap_64k(struct tcp_params *p)
{
	p->unacked_max = 64u << 10;
	p->ooo_max_segs = 1024; /* the bound here is unacked_max alone */
}

/* Scale 7 both ways: the harness's 65535 is a window of 8 MiB. */
static struct h *
est_scaled(void)
{
	struct h *h = h_new(cap_64k);

	h_handshake(h, ISN0, ISN1, 7, 7);
	return h;
}

static char kline[1024];

static int
send_kline(struct h *h, uint32_t k)
{
	memset(kline, 'a', sizeof(kline));
	kline[1022] = '\r';
	kline[1023] = '\n';
	return h_send(h, 0, k * 1024, kline, 1024, 0);
}

Test(tcp_stream, window_is_clamped_to_what_the_box_holds)
{
	struct h *h = est_scaled();
	int a, k, id;

	/* The receiver offers 8 MiB: the sender is told 64 KiB (512 << 7),
	 * with a checksum that still verifies. */
	a = h_ack(h, 1, 0);
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_win_out(h, a), 512);
	cr_assert(h_th_csum_ok(h, a));
	cr_assert_geq(h_ctr(h, TCP_CTR_WIN_CLAMPED), 1);
	/* 64 KiB in flight all pass: no in-window byte is dropped. */
	for (k = 0; k < 64; k++) {
		id = send_kline(h, (uint32_t)k);
		cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	}
	/* Beyond the edge the sender was given: outside the window. */
	id = send_kline(h, 64);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_WINDOW);
	cr_assert_eq(h_ctr(h, TCP_CTR_UNACKED_CAP), 0);
	/* The ACK moves the clamped edge on. */
	a = h_ack(h, 1, 1024);
	cr_assert_eq(h_win_out(h, a), 512);
	cr_assert(h_th_csum_ok(h, a));
	id = send_kline(h, 64);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h->in.nseen[0], 65 * 1024);
	h_free(h);
}

Test(tcp_stream, small_windows_are_not_touched)
{
	struct h *h = est(cap_64k);
	int a;

	a = h_ack(h, 1, 0);
	cr_assert_eq(h_win_out(h, a), 65535);
	cr_assert_eq(h_ctr(h, TCP_CTR_WIN_CLAMPED), 0);
	h_free(h);
}

Test(tcp_stream, unacked_cap_drops_a_sender_that_ignores_the_window)
{
	struct h *h = h_new(cap_64k);
	int k, id;

	/* No header to clamp: the cap itself is the bound. */
	h->no_th = 1;
	h_handshake(h, ISN0, ISN1, 7, 7);
	h_ack(h, 1, 0);
	for (k = 0; k < 64; k++) {
		id = send_kline(h, (uint32_t)k);
		cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	}
	id = send_kline(h, 64);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_UNACKED_CAP);
	h_ack(h, 1, 1024);
	id = send_kline(h, 64);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_UNACKED_CAP), 1);
	cr_assert_eq(h->in.nseen[0], 65 * 1024);
	h_free(h);
}

static void
tiny_elog(struct tcp_params *p)
{
	p->edit_log = 2;
}

Test(tcp_stream, edit_log_full)
{
	struct h *h = est(tiny_elog);
	int a, k;

	sends(h, 0, 0, "XEXC\r\n");
	sends(h, 0, 6, "NOOP\r\n");
	sends(h, 0, 12, "XEXC\r\n");
	sends(h, 0, 18, "NOOP\r\n");
	sends(h, 0, 24, "XEXC\r\n");
	cr_assert_eq(h_ctr(h, TCP_CTR_EDIT_LOG_FULL), 1);
	/* The log keeps the newest edits: their bytes replay edited. */
	a = sends(h, 0, 12, "XEXC\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	a = sends(h, 0, 24, "XEXC\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	a = sends(h, 0, 6, "NOOP\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	/* The oldest edit made room: a copy from before its end is refused. */
	a = sends(h, 0, 0, "XEXC\r\nNOOP\r\n");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_EDIT_LOG_LOST);
	a = sends(h, 0, 2, "XC\r\n");
	cr_assert_eq(h->pk[a].reason, TCP_DROP_EDIT_LOG_LOST);
	/* Acked: the log has room again. */
	h_ack(h, 1, 30);
	for (k = 0; k < 2; k++)
		sends(h, 0, 30 + 6 * (uint32_t)k, "XEXC\r\n");
	a = sends(h, 0, 30, "XEXC\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	cr_assert_eq(h_ctr(h, TCP_CTR_EDIT_LOG_LOST), 2);
	cr_assert_eq(h_ctr(h, TCP_CTR_EDIT_LOG_FULL), 1);
	h_free(h);
}

static void
two_edits(struct tcp_params *p)
{
	(void)p;
}

Test(tcp_stream, inspector_overflow)
{
	struct h *h = est(two_edits);
	const char *s = "XEXC 1\r\nXEXC 2\r\nXEXC 3\r\nXEXC 4\r\nXEXC 5\r\nNOOP\r\n";
	int a;

	h->in.max_edits = 2;
	a = sends(h, 0, 0, s);
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	h_wire_is(h, 0, 0, "XXXXXX\r\nXXXXXX\r\nXXXXXX\r\nXXXXXX\r\nXXXXXX\r\nNOOP\r\n");
	h_seen_is(h, 0, s);
	cr_assert_eq(h_ctr(h, TCP_CTR_PUSHES), 3);
	h_free(h);
}

Test(tcp_stream, inspector_overflow_in_carry)
{
	struct h *h = est(NULL);
	int a, b;

	h->in.max_edits = 1;
	a = sends(h, 0, 0, "XEXC 1\r\nXEX");
	b = sends(h, 0, 11, "C 2\r\nXEXC 3\r\nXEXC 4\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD_EDITED);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD_EDITED);
	h_wire_is(h, 0, 0, "XXXXXX\r\nXXXXXX\r\nXXXXXX\r\nXXXXXX\r\n");
	h_seen_is(h, 0, "XEXC 1\r\nXEXC 2\r\nXEXC 3\r\nXEXC 4\r\n");
	h_free(h);
}

static void
no_inspector(struct tcp_params *p)
{
	p->inspect = NULL;
}

Test(tcp_stream, no_inspector)
{
	struct h *h = est(no_inspector);
	int a;

	a = sends(h, 0, 0, "XEXC");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_BYTES_DELIVERED), 4);
	h_free(h);
}

Test(tcp_stream, both_directions)
{
	struct h *h = est(NULL);
	int a, b, c;

	a = sends(h, 1, 0, "220 mx ESMTP\r\n250-XEX");
	b = sends(h, 0, 0, "EHLO x\r\n");
	c = sends(h, 1, 21, "C\r\n");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	sends(h, 1, 24, "250 XEXC\r\n");
	/* Line "250-XEXC" does not start with XEXC: no edit; the last line neither. */
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, c), TCP_ACT_FORWARD);
	h_seen_is(h, 1, "220 mx ESMTP\r\n250-XEXC\r\n250 XEXC\r\n");
	h_seen_is(h, 0, "EHLO x\r\n");
	h_free(h);
}

/*
 * The other direction decides held bytes (a server's 354 after pipelined
 * client data): the held client packet goes out in the same call that
 * brought the server's answer, and the server's rest is inspected after.
 */
Test(tcp_stream, retry_other_releases_the_held_direction)
{
	struct h *h = est(NULL);
	int a, b;

	a = sends(h, 0, 0, "WAIT\r\nDATA1\r\nDATA2\r\n");
	cr_assert_eq(h_fate(h, a), FATE_PENDING, "client bytes after WAIT must be held");
	h_seen_is(h, 0, "WAIT\r\n");
	b = sends(h, 1, 0, "GO\r\nMORE\r\n");
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD, "the retry must release the held packet");
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	h_seen_is(h, 0, "WAIT\r\nDATA1\r\nDATA2\r\n");
	h_seen_is(h, 1, "GO\r\nMORE\r\n");
	cr_assert_eq(h_ctr(h, TCP_CTR_RETRY_OTHER), 1);
	cr_assert_eq(tcp_conn_held(&h->c), 0);
	h_free(h);
}

/*
 * An out-of-order segment the full queue refuses tells nothing about its
 * sender: an injected in-window FIN dropped that way must not make the
 * sender's later data "after the FIN", nor an RST at its end acceptable.
 */
Test(tcp_stream, refused_ooo_fin_is_not_learnt)
{
	struct h *h = est(NULL);
	int id[16], k, inj, data, rst;

	for (k = 0; k < 16; k++)
		id[k] = h_send(h, 0, 10 + 2 * (uint32_t)k, "a\n", 2, 0);
	for (k = 0; k < 16; k++)
		cr_assert_eq(h_fate(h, id[k]), FATE_PENDING);
	inj = h_send(h, 0, 100, "xx", 2, TCP_F_FIN);
	cr_assert_eq(h->pk[inj].reason, TCP_DROP_OOO_FULL);
	/* An RST at the injected FIN's end is not exact: a challenge at most. */
	rst = h_send(h, 0, 103, NULL, 0, TCP_F_RST);
	cr_assert_eq(h_fate(h, rst), TCP_ACT_DROP);
	/* The sender's genuine stream goes on past where the FIN was. */
	k = sends(h, 0, 0, "HELO abc\r\n");
	cr_assert_eq(h_fate(h, k), TCP_ACT_FORWARD);
	data = sends(h, 0, 42,
			"\r\nMAIL FROM:<a@b.example> and more than a hundred bytes of it "
			"so that it runs well past the refused FIN's sequence number\r\n");
	cr_assert_neq(h_fate(h, data), TCP_ACT_DROP, "data after a refused FIN is not dropped");
	cr_assert_eq(h_drops(h, TCP_DROP_AFTER_FIN), 0);
	cr_assert_eq(h_ctr(h, TCP_CTR_BAD_FIN), 0);
	h_free(h);
}

static void
big_window(struct tcp_params *p)
{
	p->unacked_max = 4u << 20;
	p->ooo_max_segs = 1600;
	p->ooo_max_bytes = 4u << 20;
	p->slots = 2048;
	p->rtx_chunks = 2048;
}

static char wseg[1000];

static int
send_wseg(struct h *h, uint32_t k)
{
	memset(wseg, 'a' + (int)(k % 26), sizeof(wseg));
	wseg[998] = '\r';
	wseg[999] = '\n';
	return h_send(h, 0, k * 1000, wseg, 1000, 0);
}

/*
 * Issue 19: a real sender's window (1.5 MB, scale 7) behind one lost
 * segment. Every segment behind the hole waits, appended at the queue's
 * tail; the retransmission of the hole delivers all of them in order, and
 * nothing is dropped for a bound. The store follows what is in flight and
 * gives every chunk back when the peer acknowledges.
 */
Test(tcp_stream, window_behind_a_hole_waits_whole)
{
	struct h *h = h_new(big_window);
	const uint32_t n = 1500;
	uint32_t k;
	int id;

	h_handshake(h, ISN0, ISN1, 7, 7);
	h_ack(h, 1, 0);
	for (k = 1; k < n; k++)
		cr_assert_eq(h_fate(h, send_wseg(h, k)), FATE_PENDING);
	cr_assert_eq(h->c.h[0].ooo_n, n - 1);
	id = send_wseg(h, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h_pending(h), 0);
	cr_assert_eq(h_ctr(h, TCP_CTR_SEG_DROP), 0);
	cr_assert_eq(h->in.nseen[0], n * 1000);
	for (k = 0; k < n; k++)
		cr_assert_eq(h->in.seen[0][k * 1000], 'a' + (int)(k % 26));
	cr_assert_geq(tcp_ctx_stats(h->x)->rtx_used, n * 1000 / TCP_RTX_CHUNK);
	h_ack(h, 1, 700000);
	cr_assert_leq(tcp_ctx_stats(h->x)->rtx_used, (n * 1000 - 700000) / TCP_RTX_CHUNK + 2);
	h_ack(h, 1, n * 1000);
	cr_assert_eq(tcp_ctx_stats(h->x)->rtx_used, 0);
	h_free(h);
}

/* The store across chunk boundaries and the 2^32 wrap: copies that straddle
 * chunks are compared whole, a changed byte in the second chunk is caught. */
Test(tcp_stream, store_compares_across_chunks_and_wrap)
{
	struct h *h = h_new(big_window);
	static char buf[3000];
	int id;

	h_handshake(h, 0xffffffffu - 2500, ISN1, 7, 7);
	h_ack(h, 1, 0);
	memset(buf, 'q', sizeof(buf));
	buf[2998] = '\r';
	buf[2999] = '\n';
	id = h_send(h, 0, 0, buf, 1500, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	id = h_send(h, 0, 1500, buf + 1500, 1500, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	/* Same bytes, across two chunks and the wrap: replayed. */
	id = h_send(h, 0, 1000, buf + 1000, 1500, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_RETRANS_BYTES), 1500);
	/* One byte other in the later chunk: evasion. */
	buf[2400] = 'Z';
	id = h_send(h, 0, 1000, buf + 1000, 1500, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_EVASION), 1);
	cr_assert_eq(h->last_verdict, TCP_CONN_DROP);
	h_free(h);
}

static void
ooo_16(struct tcp_params *p)
{
	p->unacked_max = 4u << 20;
	p->ooo_max_segs = 16;
	p->ooo_max_bytes = 4u << 20;
}

/*
 * Issue 19 (a 27 MB mail with 30 ms of RTT lost 1,286 segments to a full
 * out-of-order queue): the window the sender is given fits the queue, so a
 * window behind one lost segment waits whole. 16 segments of the largest
 * size sent (1000 B, 960 in 64-byte units) is 15,360 bytes: raw 120 at
 * scale 7; before the sender sent anything, 16 segments of 1,408.
 */
Test(tcp_stream, window_fits_the_out_of_order_queue)
{
	struct h *h = h_new(ooo_16);
	uint32_t k, n;
	int a, id;

	h_handshake(h, ISN0, ISN1, 7, 7);
	a = h_ack(h, 1, 0);
	cr_assert_eq(h_win_out(h, a), 16 * 1408 >> 7);
	cr_assert(h_th_csum_ok(h, a));
	id = send_wseg(h, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	a = h_ack(h, 1, 1000);
	cr_assert_eq(h_win_out(h, a), 16 * 960 >> 7);
	cr_assert(h_th_csum_ok(h, a));
	/* Segment 1 is lost; the rest of the window (up to 1000 + 15,360)
	 * arrives and waits, none dropped for a bound. */
	n = (1000 + 16 * 960) / 1000;
	for (k = 2; k < n; k++)
		cr_assert_eq(h_fate(h, send_wseg(h, k)), FATE_PENDING, "segment %u", k);
	cr_assert_eq(h_ctr(h, TCP_CTR_SEG_DROP), 0);
	cr_assert_leq(h->c.h[0].ooo_n, 16);
	id = send_wseg(h, 1);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h_pending(h), 0);
	cr_assert_eq(h->in.nseen[0], n * 1000);
	/* Beyond the edge the first ACK gave (16 x 1,408; an edge never moves
	 * back): outside the window, not an overflow. */
	id = send_wseg(h, 23);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_WINDOW);
	h_free(h);
}
