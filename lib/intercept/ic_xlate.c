/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sequence translation of an intercepted connection: the server's numbers
 * differ from the cookie the client saw by a constant, so every segment
 * gets seq, ack and SACK edges shifted, and its window rescaled when the
 * two sides were offered different scales. Checksums by RFC 1624 only.
 */
#include <string.h>

#include "intercept.h"

#define TCP_SEQ 4
#define TCP_ACK 8
#define TCP_WIN 14
#define TCP_CSUM 16
#define WS_MAX 14

/* RFC 7323 2.3: a shift above 14 is used as 14 (and no option means 0). */
static inline unsigned int
ws_shift(uint8_t ws)
{
	return ws == IC_WSCALE_NONE ? 0 : ws > WS_MAX ? WS_MAX : ws;
}

/* Adds d to the 32-bit field at p; returns the new value, *csum follows. */
static inline uint32_t
add32(uint8_t *p, uint32_t d, uint16_t *csum)
{
	uint32_t old = pkt_load32(p), v = old + d;

	*csum = pkt_cksum_adjust32(*csum, old, v);
	pkt_store32(p, v);
	return v;
}

/*
 * The SACK option can start at any byte (after one NOP, say), so its blocks
 * are not always word aligned in the segment: one byte-wise adjust over
 * all of them, whose offset parity handles that.
 */
static uint16_t
xlate_sack(uint8_t *th, struct pkt_tcp_opts *o, uint32_t dsack, uint16_t csum)
{
	uint8_t old[8 * PKT_MAX_SACK];
	uint8_t *b = th + o->sack_off;
	size_t len = 8u * o->n_sack;
	unsigned int i;

	memcpy(old, b, len);
	for (i = 0; i < o->n_sack; i++) {
		o->sack[i][0] = pkt_load32(b + 8 * i) + dsack;
		o->sack[i][1] = pkt_load32(b + 8 * i + 4) + dsack;
		pkt_store32(b + 8 * i, o->sack[i][0]);
		pkt_store32(b + 8 * i + 4, o->sack[i][1]);
	}
	return pkt_cksum_adjust(csum, old, b, len, o->sack_off);
}

void
ic_xlate(uint8_t *frame, struct pkt_info *pi, uint32_t dseq, uint32_t dack, uint32_t dsack,
		uint8_t ws_from, uint8_t ws_to)
{
	uint8_t *th = frame + pi->l4_off;
	uint16_t csum;
	unsigned int from = ws_shift(ws_from), to = ws_shift(ws_to);

	if (!(pi->flags & PKT_F_TCP))
		return;
	csum = pkt_load16(th + TCP_CSUM);
	/*
	 * The old values come from the frame, not pi, so the checksum follows
	 * the bytes. A zero delta leaves its field (and the checksum's form) alone.
	 */
	if (dseq != 0)
		pi->seq = add32(th + TCP_SEQ, dseq, &csum);
	if (dack != 0 && (pi->tcp_flags & PKT_TCP_ACK))
		pi->ack = add32(th + TCP_ACK, dack, &csum);
	if (dsack != 0 && (pi->opts.present & PKT_OPT_SACK) && pi->opts.n_sack != 0)
		csum = xlate_sack(th, &pi->opts, dsack, csum);
	/* A SYN's window is never scaled (RFC 7323 2.2). */
	if (from != to && !(pi->tcp_flags & PKT_TCP_SYN)) {
		uint16_t ow = pkt_load16(th + TCP_WIN);
		uint32_t w = ((uint32_t)ow << from) >> to;
		uint16_t nw = w > UINT16_MAX ? UINT16_MAX : (uint16_t)w;

		csum = pkt_cksum_adjust16(csum, ow, nw);
		pkt_store16(th + TCP_WIN, nw);
		pi->win = nw;
	}
	pkt_store16(th + TCP_CSUM, csum);
}
