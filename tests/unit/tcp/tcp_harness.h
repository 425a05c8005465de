/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness for lib/tcp: one connection, fake packets (each owns its
 * payload), a toy line inspector, and bookkeeping of what every packet
 * became (each packet must come out exactly once).
 *
 * The toy inspector decides complete lines (up to the last "\r\n") and
 * holds the rest; a line that starts with
 *   "XEXC" is masked with 'X' (all but its CR LF),
 *   "KILL" answers DROP_CONN, "RSTX" RESET, "BYPA" BYPASS (after the line),
 *   "DPKT" DROP_PACKET (the push is refused, nothing recorded),
 *   "OVFL" ends the answer after it with overflow set,
 *   "WAIT" (dir 0) holds the bytes after it until a "GO" line from dir 1,
 *   whose answer then asks for a retry of dir 0 (retry_other).
 * A partial line of hold_max bytes or more is decided as it is.
 * It records the decided bytes of each direction (raw, before edits).
 */
#ifndef TCP_HARNESS_H
#define TCP_HARNESS_H

#include <stdint.h>

#include "tcp.h"

#define H_MAXP 16384
#define H_PAYLOAD 1600
#define H_STREAM (1 << 21)

enum { FATE_PENDING = -1 };

struct h_pkt {
	uint8_t buf[H_PAYLOAD];
	uint8_t raw[H_PAYLOAD];
	uint32_t len;
	uint32_t seq;
	uint8_t dir;
	uint8_t flags;
	int fate; /* FATE_PENDING or enum tcp_act */
	int reason; /* enum tcp_drop_reason when dropped */
	int order; /* position in the output sequence */
	uint32_t acked_at; /* h->ack[!dir] when it came out (bytes below may be raw) */
	uint8_t th[20]; /* its TCP header: window (14) and checksum (16) are real */
};

struct h_insp {
	uint8_t seen[2][H_STREAM]; /* decided bytes */
	uint32_t nseen[2];
	uint32_t pushes;
	uint32_t hold_max; /* decide a partial line at this length (default 600) */
	uint32_t max_edits; /* edits per answer before overflow (default 16) */
	int never_decide; /* hold everything */
	int dpkt_once; /* DPKT answers DROP_PACKET only once */
	int dpkt_done;
	int waiting; /* "WAIT" from dir 0: its next bytes wait for "GO" from dir 1 */
};

struct h {
	struct tcp_ctx *x;
	struct tcp_conn c;
	struct tcp_params p;
	struct h_insp in;
	uint32_t isn[2];
	uint32_t ack[2]; /* ack offset each side sends (relative to the other's isn + 1) */
	uint16_t win[2];
	uint64_t now;
	int np;
	int norder;
	struct h_pkt *pk; /* H_MAXP */
	struct tcp_out out;
	int last_verdict;
	int last_closed;
	int no_th; /* give lib/tcp no TCP header (it cannot clamp windows) */
	/* Wire: bytes forwarded per direction, by offset from isn + 1. */
	uint8_t *wire[2];
	uint8_t *wire_set[2];
};

/* ISNs of the established connections most tests start from. */
#define ISN0 1000u
#define ISN1 5000000u

/* A harness whose connection is established (ISN0/ISN1, no window scale). */
struct h *est(void (*tweak)(struct tcp_params *p));

/* The window field of packet id's header as it left (lib/tcp may clamp it). */
uint16_t h_win_out(const struct h *h, int id);
/* Whether packet id's header still sums to its checksum. */
int h_th_csum_ok(const struct h *h, int id);

/* Sends the string s from dir at stream offset off; returns the packet id. */
int sends(struct h *h, int dir, uint32_t off, const char *s);

/* Creates the harness; tweak (may be NULL) edits the params before create. */
struct h *h_new(void (*tweak)(struct tcp_params *p));
void h_free(struct h *h);

/* SYN / SYN-ACK / ACK with the given ISNs and window scales (TCP_WSCALE_NONE). */
void h_handshake(struct h *h, uint32_t isn0, uint32_t isn1, uint8_t ws0, uint8_t ws1);

/*
 * Sends one segment from dir: payload at stream offset off (from isn + 1),
 * flags (ACK added unless noack), ack = h->ack[dir]. Returns the packet id.
 */
int h_send(struct h *h, int dir, uint32_t off, const void *data, uint32_t len, uint8_t flags);
/* Same with a raw sequence number and ack. */
int h_send_raw(struct h *h, int dir, uint32_t seq, uint32_t ack, const void *data, uint32_t len,
		uint8_t flags, uint16_t win, uint8_t wscale, int csum_ok);
/* A pure ACK from dir acknowledging off bytes of the other direction. */
int h_ack(struct h *h, int dir, uint32_t off);
/* tcp_conn_tick at h->now. */
void h_tick(struct h *h);
/* tcp_conn_free. */
void h_conn_free(struct h *h);

/* Fate helpers. */
int h_fate(const struct h *h, int id);
/* Number of packets still pending (held by lib/tcp). */
int h_pending(const struct h *h);
/* Checks the counters every test must keep (no out overflow). */
void h_check_sane(const struct h *h);
uint64_t h_ctr(const struct h *h, enum tcp_counter c);
uint64_t h_drops(const struct h *h, enum tcp_drop_reason r);

/* Asserts that the forwarded bytes of dir at [off, off + strlen(s)) are s. */
void h_wire_is(const struct h *h, int dir, uint32_t off, const char *s);
/* Asserts that the inspector saw exactly s in dir (decided bytes). */
void h_seen_is(const struct h *h, int dir, const char *s);
#endif /* TCP_HARNESS_H */
