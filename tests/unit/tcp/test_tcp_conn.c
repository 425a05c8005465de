/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection-level checks: handshake, flag combinations, window (with and
 * without scaling), acknowledgement field, RST (RFC 5961), FIN and close,
 * checksum, parameters.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tcp_harness.h"

Test(tcp_conn, handshake_ok)
{
	struct h *h = h_new(NULL);

	h_handshake(h, ISN0, ISN1, TCP_WSCALE_NONE, TCP_WSCALE_NONE);
	cr_assert_eq(h_ctr(h, TCP_CTR_SYN), 1);
	cr_assert_eq(h_ctr(h, TCP_CTR_SYNACK), 1);
	cr_assert_eq(h_ctr(h, TCP_CTR_ESTABLISHED), 1);
	cr_assert_eq(h->c.ws_ok, 0);
	/* SYN and SYN-ACK retransmissions with the same ISN pass. */
	cr_assert_eq(h_fate(h, h_send_raw(h, 0, ISN0, 0, NULL, 0, TCP_F_SYN, 100, 0xff, 1)),
			TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h,
				     h_send_raw(h, 1, ISN1, ISN0 + 1, NULL, 0,
						     TCP_F_SYN | TCP_F_ACK, 100, 0xff, 1)),
			TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_HS_RETRANS), 2);
	/* A SYN with another ISN does not. */
	cr_assert_eq(h_fate(h, h_send_raw(h, 0, ISN0 + 7, 0, NULL, 0, TCP_F_SYN, 100, 0xff, 1)),
			TCP_ACT_DROP);
	cr_assert_eq(h_ctr(h, TCP_CTR_HS_UNEXPECTED), 1);
	h_free(h);
}

Test(tcp_conn, bad_flag_combinations)
{
	struct h *h = h_new(NULL);
	static const uint8_t bad[] = {
			TCP_F_SYN | TCP_F_FIN,
			TCP_F_SYN | TCP_F_RST,
			TCP_F_SYN | TCP_F_FIN | TCP_F_ACK,
			0,
			TCP_F_PSH,
			TCP_F_URG | TCP_F_PSH | TCP_F_FIN, /* xmas without ACK */
			TCP_F_FIN,
			TCP_F_FIN | TCP_F_RST | TCP_F_ACK,
	};
	unsigned int k;
	int id;

	for (k = 0; k < sizeof(bad); k++) {
		id = h_send_raw(h, 0, ISN0, 0, NULL, 0, bad[k], 100, 0xff, 1);
		cr_assert_eq(h_fate(h, id), TCP_ACT_DROP, "flags %#x", bad[k]);
		cr_assert_eq(h->pk[id].reason, TCP_DROP_BAD_FLAGS);
	}
	cr_assert_eq(h_ctr(h, TCP_CTR_HS_BAD_FLAGS), sizeof(bad));
	cr_assert_eq(h->c.state, TCP_ST_NONE);
	/* After the handshake too, and FIN without ACK. */
	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	id = h_send_raw(h, 0, ISN0 + 1, 0, NULL, 0, TCP_F_FIN, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_BAD_FLAGS);
	id = h_send_raw(h, 0, ISN0 + 1, 0, "ab", 2, TCP_F_PSH, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_BAD_FLAGS);
	cr_assert_eq(h->in.pushes, 0);
	h_free(h);
}

Test(tcp_conn, bad_handshakes)
{
	struct h *h = h_new(NULL);
	int id;

	h->isn[0] = ISN0;
	h->isn[1] = ISN1;
	/* Nothing but a SYN opens. */
	id = h_send_raw(h, 0, ISN0 + 1, ISN1, "x", 1, TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_NO_HANDSHAKE);
	id = h_send_raw(h, 1, ISN1, ISN0 + 1, NULL, 0, TCP_F_SYN | TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_NO_HANDSHAKE);
	/* SYN with payload; SYN from the responder. */
	id = h_send_raw(h, 0, ISN0, 0, "GET", 3, TCP_F_SYN, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_HANDSHAKE);
	cr_assert_eq(h_ctr(h, TCP_CTR_HS_SYN_DATA), 1);
	id = h_send_raw(h, 1, ISN1, 0, NULL, 0, TCP_F_SYN, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_HANDSHAKE);
	/* Good SYN. */
	id = h_send_raw(h, 0, ISN0, 0, NULL, 0, TCP_F_SYN, 100, 0xff, 1);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	/* Data from the initiator before the SYN-ACK. */
	id = h_send_raw(h, 0, ISN0 + 1, 0, "x", 1, TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_NO_HANDSHAKE);
	/* SYN-ACK acking the wrong number, SYN-ACK with data, SYN-ACK from the initiator. */
	id = h_send_raw(h, 1, ISN1, ISN0 + 2, NULL, 0, TCP_F_SYN | TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_HANDSHAKE);
	cr_assert_eq(h_ctr(h, TCP_CTR_HS_SYNACK_ACK), 1);
	id = h_send_raw(h, 1, ISN1, ISN0 + 1, "220", 3, TCP_F_SYN | TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_HANDSHAKE);
	id = h_send_raw(h, 0, ISN1, ISN0 + 1, NULL, 0, TCP_F_SYN | TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_HANDSHAKE);
	cr_assert_eq(h->c.state, TCP_ST_SYN_SENT);
	id = h_send_raw(h, 1, ISN1, ISN0 + 1, NULL, 0, TCP_F_SYN | TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	/* A third ACK that does not ack the SYN-ACK. */
	id = h_send_raw(h, 0, ISN0 + 1, ISN1 + 5, NULL, 0, TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_HANDSHAKE);
	cr_assert_eq(h_ctr(h, TCP_CTR_HS_ACK), 1);
	cr_assert_eq(h->c.state, TCP_ST_SYN_RCVD);
	/* The third ACK may carry data. */
	id = h_send_raw(h, 0, ISN0 + 1, ISN1 + 1, "HELO\r\n", 6, TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h->c.state, TCP_ST_EST);
	cr_assert_eq(h->in.nseen[0], 6);
	h_free(h);
}

static int
window_case(uint8_t ws0, uint8_t ws1, uint32_t off)
{
	struct h *h = h_new(NULL);
	int id, fate;

	h->win[1] = 1000;
	h_handshake(h, ISN0, ISN1, ws0, ws1);
	/* The responder advertises 1000 (<< 2 when scaling is on). */
	h_ack(h, 1, 0);
	id = h_send(h, 0, off, "abcd\r\n", 6, 0);
	fate = h_fate(h, id);
	h_free(h);
	return fate;
}

Test(tcp_conn, window_scale_both_or_none)
{
	/* 3000 is inside 1000 << 2 only when both ends sent the option. */
	cr_assert_eq(window_case(7, 2, 3000), FATE_PENDING);
	cr_assert_eq(window_case(0xff, 2, 3000), TCP_ACT_DROP);
	cr_assert_eq(window_case(7, 0xff, 3000), TCP_ACT_DROP);
	cr_assert_eq(window_case(0xff, 0xff, 900), FATE_PENDING);
	cr_assert_eq(window_case(0xff, 0xff, 1000), TCP_ACT_DROP);
}

Test(tcp_conn, window_violations)
{
	struct h *h = h_new(NULL);
	int id;

	h->win[1] = 100;
	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	h_ack(h, 1, 0);
	/* Beyond the right edge. */
	id = h_send(h, 0, 100, "x", 1, 0);
	cr_assert_eq(h_fate(h, id), FATE_PENDING,
			"a 1-byte zero-window probe at the edge is queued");
	id = h_send(h, 0, 101, "y", 1, 0);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_WINDOW);
	id = h_send(h, 0, 5000, "zzzz", 4, 0);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_WINDOW);
	cr_assert_eq(h_ctr(h, TCP_CTR_WINDOW_RIGHT), 2);
	/* Straddling the right edge is fine (the receiver trims). */
	id = h_send(h, 0, 0, "ab\r\n", 4, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	h_ack(h, 1, 4);
	/* Acknowledged data again: forwarded untouched (its ACK may have been lost). */
	id = h_send(h, 0, 0, "zz\r\n", 4, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_RETRANS_ACKED), 1);
	/* A keepalive (una - 1). */
	id = h_send(h, 0, 3, "\0", 1, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_KEEPALIVE), 1);
	/* Before the ISN: left of the window. */
	id = h_send_raw(h, 0, ISN0 - 4000, ISN1 + 1, "abcd", 4, TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_WINDOW);
	cr_assert_eq(h_ctr(h, TCP_CTR_WINDOW_LEFT), 1);
	/* An ACK for data never sent. */
	id = h_send_raw(h, 1, ISN1 + 1, ISN0 + 1 + 5000, NULL, 0, TCP_F_ACK, 100, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_BAD_ACK);
	cr_assert_eq(h_ctr(h, TCP_CTR_BAD_ACK), 1);
	/* Not one of these reached the inspector. */
	cr_assert_eq(h->in.nseen[0], 4);
	h_free(h);
}

Test(tcp_conn, generous_window_before_first_ack)
{
	struct h *h = h_new(NULL);
	int id;

	h->isn[0] = ISN0;
	h->isn[1] = ISN1;
	h->win[1] = 10;
	h_send_raw(h, 0, ISN0, 0, NULL, 0, TCP_F_SYN, 10, 0xff, 1);
	h_send_raw(h, 1, ISN1, ISN0 + 1, NULL, 0, TCP_F_SYN | TCP_F_ACK, 10, 0xff, 1);
	/* The responder's banner before the initiator's first ACK: any sane offset. */
	id = h_send(h, 1, 0, "220 x\r\n", 7, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	id = h_send(h, 1, 100000, "250 x\r\n", 7, 0);
	cr_assert_eq(h_fate(h, id), FATE_PENDING);
	/* The initiator's data is limited by the SYN-ACK's window (10). */
	id = h_send(h, 0, 10, "x", 1, 0);
	cr_assert_eq(h_fate(h, id), FATE_PENDING);
	id = h_send(h, 0, 11, "x", 1, 0);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_WINDOW);
	h_free(h);
}

Test(tcp_conn, rst_rfc5961)
{
	struct h *h = h_new(NULL);
	int id, a;

	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	a = h_send(h, 0, 0, "HEL", 3, 0); /* held: undecided */
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	/* Out of window. */
	id = h_send_raw(h, 1, ISN1 + 1 + 100000, 0, NULL, 0, TCP_F_RST, 0, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_RST_WINDOW);
	/* In window, not exact: challenge. */
	id = h_send_raw(h, 1, ISN1 + 1 + 10, 0, NULL, 0, TCP_F_RST, 0, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_RST_CHALLENGE);
	cr_assert_eq(h_ctr(h, TCP_CTR_RST_WINDOW), 1);
	cr_assert_eq(h_ctr(h, TCP_CTR_RST_CHALLENGE), 1);
	cr_assert_eq(h->last_closed, 0);
	/* Exact. */
	id = h_send_raw(h, 1, ISN1 + 1, 0, NULL, 0, TCP_F_RST | TCP_F_ACK, 0, 0xff, 1);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h->last_closed, 1);
	/* The held bytes never leave. */
	cr_assert_eq(h_fate(h, a), TCP_ACT_DROP);
	cr_assert_eq(h->pk[a].reason, TCP_DROP_CLOSED);
	/* Later packets are dropped. */
	id = h_send(h, 0, 3, "O\r\n", 3, 0);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_CLOSED);
	h_free(h);
}

Test(tcp_conn, rst_during_handshake)
{
	struct h *h = h_new(NULL);
	int id;

	h->isn[0] = ISN0;
	h_send_raw(h, 0, ISN0, 0, NULL, 0, TCP_F_SYN, 100, 0xff, 1);
	id = h_send_raw(h, 1, 77, ISN0 + 5, NULL, 0, TCP_F_RST | TCP_F_ACK, 0, 0xff, 1);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_RST_WINDOW);
	id = h_send_raw(h, 1, 0, ISN0 + 1, NULL, 0, TCP_F_RST | TCP_F_ACK, 0, 0xff, 1);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h->last_closed, 1);
	h_free(h);
}

Test(tcp_conn, fin_both_ways)
{
	struct h *h = h_new(NULL);
	int id;

	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	id = h_send(h, 0, 0, "QUIT\r\n", 6, TCP_F_FIN);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h_ctr(h, TCP_CTR_FIN), 1);
	/* Data beyond the FIN, a FIN elsewhere. */
	id = h_send(h, 0, 7, "x", 1, 0);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_AFTER_FIN);
	id = h_send(h, 0, 2, NULL, 0, TCP_F_FIN);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_BAD_FIN);
	/* The responder acks the FIN (7 = 6 bytes + FIN), answers and closes. */
	h_ack(h, 1, 7);
	cr_assert(h->c.h[0].flags & TCP_H_FIN_ACKED);
	cr_assert_eq(h->last_closed, 0);
	id = h_send(h, 1, 0, "221 bye\r\n", 9, TCP_F_FIN);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h->last_closed, 0);
	/* A retransmitted FIN is fine. */
	id = h_send(h, 1, 0, "221 bye\r\n", 9, TCP_F_FIN);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	h_ack(h, 0, 10);
	cr_assert_eq(h->last_closed, 1);
	cr_assert_eq(h_ctr(h, TCP_CTR_CLOSED), 1);
	h_free(h);
}

Test(tcp_conn, fin_out_of_order)
{
	struct h *h = h_new(NULL);
	int a, b;

	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	b = h_send(h, 0, 6, NULL, 0, TCP_F_FIN);
	cr_assert_eq(h_fate(h, b), FATE_PENDING);
	a = h_send(h, 0, 0, "QUIT\r\n", 6, 0);
	cr_assert_eq(h_fate(h, a), TCP_ACT_FORWARD);
	cr_assert_eq(h_fate(h, b), TCP_ACT_FORWARD);
	cr_assert(h->pk[a].order < h->pk[b].order);
	cr_assert(h->c.h[0].flags & TCP_H_FIN_FWD);
	h_free(h);
}

Test(tcp_conn, bad_checksum_never_inspected)
{
	struct h *h = h_new(NULL);
	int id;

	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	id = h_send_raw(h, 0, ISN0 + 1, ISN1 + 1, "XEXC\r\n", 6, TCP_F_ACK, 100, 0xff, 0);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_BAD_CSUM);
	cr_assert_eq(h_ctr(h, TCP_CTR_BAD_CSUM), 1);
	cr_assert_eq(h->in.pushes, 0);
	/* The good copy is then new data. */
	id = h_send(h, 0, 0, "HELO a\r\n", 8, 0);
	cr_assert_eq(h_fate(h, id), TCP_ACT_FORWARD);
	cr_assert_eq(h->in.nseen[0], 8);
	cr_assert(memcmp(h->in.seen[0], "HELO a\r\n", 8) == 0);
	/* Even a bad-checksum SYN is dropped. */
	id = h_send_raw(h, 0, ISN0, 0, NULL, 0, TCP_F_SYN, 100, 0xff, 0);
	cr_assert_eq(h->pk[id].reason, TCP_DROP_BAD_CSUM);
	h_free(h);
}

Test(tcp_conn, params_and_strings)
{
	struct tcp_params p;
	struct tcp_ctx *x;
	struct tcp_conn c;
	uint32_t seq, ack;
	unsigned int k;

	tcp_params_default(&p);
	cr_assert_eq(p.ooo_max_segs, 1024);
	cr_assert_eq(p.ooo_max_bytes, 16u << 20);
	cr_assert_eq(p.ooo_timeout_ms, 4000);
	cr_assert_eq(p.unacked_max, 16u << 20);
	cr_assert_null(tcp_ctx_create(NULL));
	cr_assert_eq(errno, EINVAL);
	p.unacked_max = 32u << 10;
	cr_assert_null(tcp_ctx_create(&p));
	tcp_params_default(&p);
	p.rtx_chunks = 0;
	cr_assert_null(tcp_ctx_create(&p));
	tcp_params_default(&p);
	p.ooo_max_segs = TCP_OOO_MAX + 1;
	cr_assert_null(tcp_ctx_create(&p));
	tcp_params_default(&p);
	p.held_max_segs = 0;
	cr_assert_null(tcp_ctx_create(&p));
	tcp_params_default(&p);
	p.hz = 0;
	cr_assert_null(tcp_ctx_create(&p));
	tcp_params_default(&p);
	p.slots = 64;
	p.carry_blocks = 4;
	p.rtx_chunks = 2;
	p.elog_blocks = 2;
	x = tcp_ctx_create(&p);
	cr_assert_not_null(x);
	cr_assert_eq(tcp_ctx_params(x)->slots, 64);
	tcp_ctx_free(x);
	tcp_ctx_free(NULL);
	for (k = 0; k < TCP_DROP_MAX; k++)
		cr_assert_neq(strcmp(tcp_drop_reason_str(k), "?"), 0);
	for (k = 0; k < TCP_CTR_MAX; k++)
		cr_assert_neq(strcmp(tcp_counter_str(k), "?"), 0);
	cr_assert_str_eq(tcp_drop_reason_str(TCP_DROP_MAX), "?");
	cr_assert_str_eq(tcp_counter_str(TCP_CTR_MAX), "?");
	tcp_conn_init(&c);
	cr_assert_eq(tcp_conn_rst_seq(&c, 0, &seq, &ack), -EINVAL);
	cr_assert_eq(tcp_conn_rst_seq(&c, 2, &seq, &ack), -EINVAL);
	cr_assert_eq(tcp_conn_held(&c), 0);
	cr_assert(TCP_SEQ_LT(0xfffffff0u, 5u));
	cr_assert(TCP_SEQ_GT(5u, 0xfffffff0u));
	cr_assert(TCP_SEQ_LEQ(7u, 7u) && TCP_SEQ_GEQ(7u, 7u));
}

Test(tcp_conn, fin_waits_behind_undecided_bytes)
{
	struct h *h = h_new(NULL);
	int a, b, c, d;

	h_handshake(h, ISN0, ISN1, 0xff, 0xff);
	a = h_send(h, 0, 0, "QUI", 3, 0);
	b = h_send(h, 0, 3, NULL, 0, TCP_F_FIN);
	cr_assert_eq(h_fate(h, a), FATE_PENDING);
	cr_assert_eq(h_fate(h, b), FATE_PENDING, "the FIN is held behind undecided bytes");
	c = h_send(h, 0, 3, NULL, 0, TCP_F_FIN);
	cr_assert_eq(h->pk[c].reason, TCP_DROP_HELD_DUP);
	/* A FIN with data completing the line would be refused (another FIN seq). */
	d = h_send(h, 0, 3, "T\r\n", 3, TCP_F_FIN);
	cr_assert_eq(h->pk[d].reason, TCP_DROP_BAD_FIN);
	cr_assert_eq(tcp_conn_held(&h->c), 2);
	h_free(h);
}
