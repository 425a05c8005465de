/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp: per-connection TCP stream tracking for an inline inspector.
 *
 * Pure C11: no DPDK include, no allocation after tcp_ctx_create, no lock, no
 * system call. A struct tcp_ctx belongs to one worker lcore (pools, counters,
 * the inspector callback); a struct tcp_conn is fixed-size state the glue
 * embeds in its per-flow user area.
 *
 * What it does, per inspected connection (ASA TCP normaliser + IOS `ip inspect
 * tcp reassembly`):
 *  - validates the handshake (SYN, SYN-ACK, ACK), flag combinations, the
 *    acknowledgement field, the receiver's window and RSTs (RFC 5961: exact
 *    sequence accepted, in-window RST dropped as a "challenge", the rest
 *    dropped), tracks FINs;
 *  - hands the inspector the stream bytes of each direction in order, each
 *    byte decided exactly once; early segments wait in a bounded per-direction
 *    out-of-order queue (16 segments, 1 MiB, 4 s by default);
 *  - holds the packets that carry bytes the inspector has not decided yet and
 *    re-presents those bytes (from a small carry copy) with the next bytes;
 *  - applies the inspector's same-length edits to the payload of the packets
 *    that carry the bytes, and keeps an edit log so that a retransmission of
 *    already inspected bytes leaves with exactly the same edits;
 *  - compares retransmitted and overlapping bytes with what was inspected and
 *    drops the connection when they differ (ASA `check-retransmission`).
 *
 * The glue parses the frame, verifies (or not) the TCP checksum, fills a
 * struct tcp_seg and calls tcp_input; it gets back an ordered list of packets
 * to act on NOW (struct tcp_out). A packet given to tcp_input and not listed
 * in that call's out is HELD by lib/tcp: it appears in the out of a later call
 * (tcp_input, tcp_conn_tick or tcp_conn_free) exactly once. lib/tcp never
 * looks inside seg.pkt (the mbuf); it reads and writes seg.payload only, which
 * must stay valid and writable while the packet is held.
 *
 * Retransmission check, design: lib/tcp keeps its own copy of the bytes that
 * were inspected and are not acknowledged yet, per direction, in fixed chunks
 * (TCP_RTX_CHUNK bytes) taken from a per-worker pool as the bytes arrive and
 * given back as the peer acknowledges them (an idle connection holds none).
 * It does not retain transmitted mbufs: a copy costs one memcpy of each byte
 * the inspector reads anyway, needs no mbuf refcount callbacks, and keeps the
 * comparison independent of what the NIC does with a sent buffer. Memory
 * follows what is really in flight, so a bulk transfer with a window of
 * megabytes and a thousand idle SMTP sessions share one pool. Comparison is
 * on the raw bytes (before edits): a retransmission must carry exactly what
 * the first copy carried. The edit log lives in blocks of its own, taken on
 * the first edit and given back once its edits are acknowledged.
 *
 * Window clamp: the bytes a direction may have in flight are bounded
 * (params.unacked_max, ooo_max_bytes, and ooo_max_segs segments of the
 * largest size the sender has sent, rounded down to 64 bytes, 1,408 until
 * it has sent one: a window behind one lost segment must fit the
 * out-of-order queue). Where a receiver advertises more, lib/tcp lowers the
 * window field of the ACKs it forwards to the sender (and updates the TCP
 * checksum incrementally), so a conforming sender never sends beyond what the
 * box will hold; it does not drop in-window data for that bound. A sender
 * that ignores the window gets its excess dropped (WINDOW).
 *
 * Bounds and choices (every one counted):
 *  - Out-of-order queue per direction: ooo_max_segs segments, ooo_max_bytes
 *    bytes, ooo_timeout_ms; over a bound the NEW early segment is dropped
 *    (the sender retransmits). A segment whose bytes are all queued already
 *    is dropped as a duplicate; a queued segment whose bytes a new one
 *    carries too (with the same bytes) gives way to it, so the queue is
 *    sorted by start and by end and the common case (a hole, then the rest
 *    of the window in order) appends at the tail in constant time.
 *  - Held packets per direction: held_max_segs. A segment that would leave
 *    more held packets than that drops the connection (the inspector needs
 *    more bytes and no more can be held). A retransmission that only repeats
 *    undecided bytes whose original is held is dropped (the original goes);
 *    one that also repeats decided bytes is held with it while the held list
 *    is at most half full.
 *  - Carry: TCP_CARRY_SIZE bytes per direction from a pool of carry_blocks;
 *    more undecided bytes than that, or an empty pool, drops the connection.
 *  - Retransmission store: a segment with new bytes that finds too few free
 *    chunks is dropped before the inspector sees it (RTX_POOL), as is one
 *    that would put more than unacked_max bytes in flight (a sender that
 *    ignored the clamped window). Segment slots likewise.
 *  - Edit log: edit_log entries per block, elog_blocks blocks per worker
 *    (runs of one fill merged). An edit leaves the log once acknowledged,
 *    or when a newer one needs its place (the log keeps the newest), or is
 *    never logged when the pool is empty: it is "forgotten", and every
 *    later copy that starts below the end of a forgotten edit is dropped,
 *    acknowledged or not, so no copy ever leaves with bytes the box masked.
 *  - Data the receiver has acknowledged (entirely below its last ACK, not
 *    before the ISN) is not inspected again: the receiver discards it and
 *    answers with an ACK, which a sender whose ACK was lost beyond the box
 *    needs (keepalives are the 1-byte case). It leaves with the logged edits
 *    of its bytes, or not at all when an edit of its bytes was forgotten.
 *  - A FIN behind undecided bytes waits with them: they can only be decided
 *    by more bytes, which cannot come, so the packets stay held until the
 *    glue frees the connection (idle timeout); they never leave undecided.
 *
 * Time: every call that needs the clock takes `now` in ticks of params.hz.
 */
#ifndef SMTPWALL_TCP_H
#define SMTPWALL_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "insp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */

/** Largest out-of-order queue per direction (params.ooo_max_segs). */
#define TCP_OOO_MAX 2048
/** Largest number of held packets per direction (params.held_max_segs). */
#define TCP_HELD_MAX 64
/**
 * Most packets one call can list: every packet a connection can own (held and
 * queued, both directions) plus the one being input.
 */
#define TCP_OUT_MAX (2 * (TCP_OOO_MAX + TCP_HELD_MAX) + 1)
/** Bytes of one carry block (undecided bytes of one direction). */
#define TCP_CARRY_SIZE 1024
/** Bytes of one retransmission-store chunk (a power of two). */
#define TCP_RTX_CHUNK 2048
/** Edits per inspector answer (lib/insp's bound). */
#define TCP_INSP_MAX_EDITS INSP_MAX_EDITS

/** TCP flag bits of struct tcp_seg.flags. */
#define TCP_F_FIN 0x01
#define TCP_F_SYN 0x02
#define TCP_F_RST 0x04
#define TCP_F_PSH 0x08
#define TCP_F_ACK 0x10
#define TCP_F_URG 0x20
#define TCP_F_ECE 0x40
#define TCP_F_CWR 0x80

/** tcp_seg.wscale when the segment has no window scale option. */
#define TCP_WSCALE_NONE 0xff

/** Sequence arithmetic modulo 2^32. */
#define TCP_SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define TCP_SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define TCP_SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define TCP_SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* ------------------------------------------------------------------------ */
/* Counters and drop reasons (X-macros: enum and names from one list)        */

/** Why lib/tcp dropped a packet (struct tcp_out entries with TCP_ACT_DROP). */
#define foreach_tcp_drop \
	_(NONE, "none") \
	_(BAD_CSUM, "bad TCP checksum") \
	_(BAD_FLAGS, "invalid flag combination") \
	_(HANDSHAKE, "invalid or unexpected handshake segment") \
	_(NO_HANDSHAKE, "segment before the handshake") \
	_(WINDOW, "outside the receiver's window") \
	_(BAD_ACK, "acknowledges data never sent") \
	_(RST_WINDOW, "RST outside the window") \
	_(RST_CHALLENGE, "RST in window but not at the expected sequence") \
	_(AFTER_FIN, "data beyond the FIN") \
	_(BAD_FIN, "FIN at another sequence than the first FIN") \
	_(OOO_FULL, "out-of-order queue full") \
	_(OOO_BYTES, "out-of-order queue byte cap") \
	_(OOO_TIMEOUT, "out-of-order segment not filled in time") \
	_(OOO_DUP, "duplicate of queued out-of-order data") \
	_(SLOT_POOL, "segment slot pool empty") \
	_(RTX_POOL, "retransmission store pool empty") \
	_(UNACKED_CAP, "more unacknowledged bytes than the clamped window allows") \
	_(HELD_DUP, "retransmission of held bytes (the held copy goes later)") \
	_(EDIT_LOG_LOST, "retransmission of bytes whose edits are forgotten") \
	_(INSPECT, "inspector dropped the packet") \
	_(CONN, "connection dropped") \
	_(CLOSED, "connection closed by RST") \
	_(FREED, "connection state freed")

enum tcp_drop_reason {
#define _(e, s) TCP_DROP_##e,
	foreach_tcp_drop
#undef _
			TCP_DROP_MAX
};

/** Event counters of a tcp_ctx (monotonic). */
#define foreach_tcp_counter \
	_(SEG_IN, "segments in") \
	_(SEG_FORWARD, "packets forwarded unchanged") \
	_(SEG_FORWARD_EDITED, "packets forwarded with edited payload") \
	_(SEG_DROP, "packets dropped") \
	_(BYTES_DELIVERED, "stream bytes delivered to the inspector (first time)") \
	_(PUSHES, "inspector calls") \
	_(EDITS, "edits applied (from the inspector)") \
	_(EDIT_BYTES, "payload bytes rewritten by inspector edits") \
	_(SYN, "SYN accepted") \
	_(SYNACK, "SYN-ACK accepted") \
	_(ESTABLISHED, "handshakes completed") \
	_(HS_RETRANS, "SYN or SYN-ACK retransmissions forwarded") \
	_(HS_BAD_FLAGS, "bad handshake: invalid flag combination") \
	_(HS_SYN_DATA, "bad handshake: SYN or SYN-ACK with payload") \
	_(HS_SYNACK_ACK, "bad handshake: SYN-ACK ack is not client ISN + 1") \
	_(HS_ACK, "bad handshake: third ACK does not acknowledge the SYN-ACK") \
	_(HS_UNEXPECTED, "bad handshake: SYN or SYN-ACK in the wrong state or with another ISN") \
	_(NO_HANDSHAKE, "segments before the handshake") \
	_(NO_ACK, "segments without ACK after the handshake") \
	_(WINDOW_LEFT, "segments entirely before the window (already acknowledged)") \
	_(WINDOW_RIGHT, "segments entirely beyond the window") \
	_(BAD_ACK, "segments acknowledging data never sent") \
	_(KEEPALIVE, "keepalive probes forwarded") \
	_(RST_ACCEPTED, "RSTs accepted") \
	_(RST_WINDOW, "RSTs outside the window") \
	_(RST_CHALLENGE, "RSTs in window, not exact (challenge)") \
	_(FIN, "FINs reached in order") \
	_(AFTER_FIN, "segments with data beyond the FIN") \
	_(BAD_FIN, "FINs at a different sequence") \
	_(CLOSED, "connections closed (both FINs acknowledged, or RST)") \
	_(OOO_QUEUED, "segments queued out of order") \
	_(OOO_RELEASED, "queued segments taken in order") \
	_(OOO_DUP, "out-of-order duplicates dropped") \
	_(OOO_FULL, "out-of-order drops: queue full") \
	_(OOO_BYTES, "out-of-order drops: byte cap") \
	_(OOO_TIMEOUT, "out-of-order drops: timeout") \
	_(HELD_SEGS, "packets held for undecided bytes") \
	_(HELD_BYTES, "payload bytes of packets held") \
	_(HELD_FULL, "held packet limit reached (connection dropped)") \
	_(HELD_DUP, "retransmissions of held bytes dropped") \
	_(CARRY_ALLOC, "carry blocks taken") \
	_(CARRY_POOL_EMPTY, "carry pool empty (connection dropped)") \
	_(CARRY_FULL, "undecided bytes over the carry block (connection dropped)") \
	_(SLOT_POOL_EMPTY, "segment slot pool empty") \
	_(RTX_CHUNKS, "retransmission store chunks taken") \
	_(RTX_POOL_EMPTY, "retransmission store pool empty") \
	_(UNACKED_CAP, "new data over the unacknowledged cap (window ignored)") \
	_(WIN_CLAMPED, "windows clamped in ACKs to the sender") \
	_(RETRANS, "retransmitted segments replayed") \
	_(RETRANS_BYTES, "retransmitted bytes compared") \
	_(RETRANS_EDITED, "retransmissions with logged edits re-applied") \
	_(RETRANS_ACKED, "retransmissions of acknowledged bytes forwarded") \
	_(RETRANS_ACKED_EDITED, "... of those, with logged edits re-applied") \
	_(EVASION, "retransmissions or overlaps with different bytes (connection dropped)") \
	_(BAD_CSUM, "segments with a bad checksum") \
	_(EDIT_LOG_FULL, "edits that did not fit the edit log") \
	_(ELOG_POOL_EMPTY, "edit log pool empty (edits not logged)") \
	_(EDIT_LOG_LOST, "retransmissions dropped: their edits are forgotten") \
	_(BAD_RESULT, "inspector answers out of range (clamped)") \
	_(INSP_DROP_PACKET, "inspector verdicts: drop packet") \
	_(INSP_DROP_CONN, "inspector verdicts: drop connection") \
	_(INSP_RESET, "inspector verdicts: reset") \
	_(BYPASSED, "connections bypassed") \
	_(CONN_DROPPED, "connections dropped (verdict DROP or RESET)") \
	_(RETRY_OTHER, "pushes that re-presented the other direction's held bytes") \
	_(OUT_OVERFLOW, "internal error: out list full (must stay 0)")

enum tcp_counter {
#define _(e, s) TCP_CTR_##e,
	foreach_tcp_counter
#undef _
			TCP_CTR_MAX
};

/** Counters of one tcp_ctx (one worker). Read by the control lcore. */
struct tcp_stats {
	uint64_t ctr[TCP_CTR_MAX]; /**< enum tcp_counter */
	uint64_t drops[TCP_DROP_MAX]; /**< packets dropped, by enum tcp_drop_reason */
	/* Gauges (current values). */
	uint64_t held_segs; /**< packets held now (undecided bytes) */
	uint64_t held_bytes; /**< payload bytes of those packets */
	uint64_t ooo_segs; /**< packets in out-of-order queues now */
	uint64_t ooo_bytes; /**< payload bytes of those packets */
	uint64_t slots_used; /**< segment slots in use (held + queued) */
	uint64_t carry_used; /**< carry blocks in use */
	uint64_t rtx_used; /**< retransmission store chunks in use */
	uint64_t elog_used; /**< edit log blocks in use */
};

/** Name of a drop reason ("bad TCP checksum"), "?" when out of range. */
const char *tcp_drop_reason_str(unsigned int r);

/** Description of a counter ("segments in"), "?" when out of range. */
const char *tcp_counter_str(unsigned int c);

/* ------------------------------------------------------------------------ */
/* Inspector callback                                                        */

/**
 * Inspector verdicts and edits are lib/insp's (enum insp_verdict, struct
 * insp_edit), the inspector's own: an answer passes through the glue as it
 * is.  TCP_INSP_* name the same values.
 */
#define TCP_INSP_FORWARD INSP_FORWARD
#define TCP_INSP_DROP_PACKET INSP_DROP_PACKET
#define TCP_INSP_DROP_CONN INSP_DROP_CONN
#define TCP_INSP_RESET INSP_RESET
#define TCP_INSP_BYPASS INSP_BYPASS

/** The inspector's answer to one push (lib/tcp zeroes it before the call). */
struct tcp_insp_result {
	uint32_t consumed; /**< bytes decided from the start of buf (<= len) */
	uint8_t verdict; /**< enum insp_verdict */
	uint8_t n_edits;
	uint8_t overflow; /**< edits did not fit: lib/tcp pushes buf[consumed..] again at once */
	/**
	 * This push decided bytes the inspector holds in the OTHER direction
	 * (e.g. a server's 354 decides whether pipelined client bytes are
	 * message content): lib/tcp pushes the other direction's undecided
	 * bytes again at once (no new bytes), releases the packets they
	 * decide, then pushes buf[consumed..] of this direction.
	 */
	uint8_t retry_other;
	struct insp_edit edits[INSP_MAX_EDITS]; /**< off + len <= consumed */
};

struct tcp_conn;

/**
 * Inspects the next bytes of direction dir of connection c.
 *
 * buf starts with the bytes left undecided by the previous push of that
 * direction (buf[consumed..len) of its result), followed by new bytes. buf is
 * only valid during the call. The glue finds its per-flow state from c: the
 * struct tcp_conn sits inside the glue's per-flow struct, so
 * container_of(c, struct my_flow, tcp) gives it.
 *
 * Verdicts, as lib/tcp applies them:
 *  - FORWARD: bytes [0, consumed) are decided, the edits apply to them.
 *  - DROP_PACKET: the push is undone. Its edits and consumed are ignored, the
 *    packet that brought the new bytes is dropped and `next` is set back by
 *    the bytes that push added, so the sender's retransmission of them is
 *    inspected again (bytes shown undecided by an earlier push stay in the
 *    carry and come first next time). Sound only if the inspector did not
 *    change its state during that push (lib/esmtp never answers DROP_PACKET
 *    alone today).
 *  - DROP_CONN: this packet, every held and queued packet of both directions
 *    and every later packet are dropped; out.conn_verdict = TCP_CONN_DROP.
 *  - RESET: as DROP_CONN, with out.conn_verdict = TCP_CONN_RESET (the glue
 *    sends RSTs, see tcp_conn_rst_seq).
 *  - BYPASS: the edits apply, then every held and queued packet is released
 *    as it is, and everything later is forwarded untouched, without
 *    reassembly (out.conn_verdict = TCP_CONN_BYPASS).
 */
typedef void (*tcp_inspect_fn)(void *arg, struct tcp_conn *c, int dir, const uint8_t *buf,
		uint32_t len, struct tcp_insp_result *r);

/* ------------------------------------------------------------------------ */
/* Per-worker context                                                        */

struct tcp_params {
	uint64_t hz; /**< ticks per second of the `now` values (default 1e9) */
	uint32_t ooo_max_segs; /**< early segments queued per direction (1024, 1..TCP_OOO_MAX) */
	uint32_t ooo_max_bytes; /**< payload bytes queued per direction (16 MiB) */
	uint32_t ooo_timeout_ms; /**< an early segment not put in order in time is dropped (4000) */
	uint32_t held_max_segs; /**< held packets per direction (64, 1..TCP_HELD_MAX) */
	uint32_t slots; /**< segment slots per worker, held + queued (16384) */
	uint32_t carry_blocks; /**< carry blocks (TCP_CARRY_SIZE bytes) per worker (4096) */
	uint32_t unacked_max; /**< bytes in flight per direction: windows are clamped to it
				       (16 MiB, 64 KiB..1 GiB) */
	uint32_t rtx_chunks; /**< retransmission store chunks (TCP_RTX_CHUNK bytes) per
				      worker (65536: 128 MiB, touched as used) */
	uint32_t elog_blocks; /**< edit log blocks per worker (4096) */
	uint32_t edit_log; /**< edits logged per block (a direction's log) (256, 1..65536) */
	tcp_inspect_fn inspect; /**< NULL: every byte is decided at once, no edits */
	void *inspect_arg; /**< first argument of inspect */
};

/** Fills p with the defaults listed in struct tcp_params. */
void tcp_params_default(struct tcp_params *p);

struct tcp_ctx;

/**
 * Creates a worker context: every pool is allocated here, nothing later.
 *
 * @return the context, or NULL with errno EINVAL (p NULL, hz 0, a limit out
 *         of range) or ENOMEM.
 */
struct tcp_ctx *tcp_ctx_create(const struct tcp_params *p);

/** Frees a context (NULL is fine). Free (tcp_conn_free) its connections first. */
void tcp_ctx_free(struct tcp_ctx *x);

/** The context's counters (live; summed by the control lcore). */
const struct tcp_stats *tcp_ctx_stats(const struct tcp_ctx *x);

/** The context's parameters as validated by tcp_ctx_create. */
const struct tcp_params *tcp_ctx_params(const struct tcp_ctx *x);

/* ------------------------------------------------------------------------ */
/* Per-connection state                                                      */

/** State of one direction (sender dir: 0 initiator -> responder, 1 back). */
struct tcp_half {
	uint32_t isn; /**< sender's initial sequence number */
	uint32_t next; /**< first stream byte not yet given to the inspector */
	uint32_t dec; /**< first byte not decided yet; [dec, next) is the carry */
	uint32_t una; /**< highest ACK of these bytes seen from the peer (<= fwd) */
	uint32_t fwd; /**< all bytes below were forwarded (the receiver's RCV.NXT) */
	uint32_t wend; /**< right edge of the peer's advertised window */
	uint32_t snd_max; /**< highest sequence (+ FIN) seen from the sender */
	uint32_t fin_seq; /**< sequence of the FIN (valid with TCP_H_FIN_SEEN) */
	uint32_t forget_hi; /**< bytes below may have forgotten edits (TCP_H_FORGOT) */
	uint32_t ooo_bytes; /**< payload bytes queued */
	uint32_t ooo_head; /**< out-of-order queue, sorted by seq and by end (slot, 0 = none) */
	uint32_t ooo_tail; /**< its last segment */
	uint32_t held_head; /**< held packets in arrival order (slot index, 0 = none) */
	uint32_t rtx_tail; /**< last chunk of the retransmission store (its next is the
				    first: a ring of chunks), 0 = none */
	uint32_t elog; /**< edit log block (index, 0 = none) */
	uint32_t carry; /**< carry block (index, 0 = none) */
	uint16_t win; /**< raw window last advertised by the sender */
	uint16_t ooo_n; /**< segments queued */
	uint8_t wscale; /**< window scale the sender announced (TCP_WSCALE_NONE: none) */
	uint8_t flags; /**< TCP_H_* */
	uint8_t held_n; /**< packets held */
	uint8_t seg64; /**< largest payload the sender sent, in 64-byte units (255 at most) */
};

/** struct tcp_half.flags */
#define TCP_H_SYN 0x01 /**< the sender's SYN was seen (isn valid) */
#define TCP_H_ACKED 0x02 /**< the peer has acknowledged (una, wend valid) */
#define TCP_H_FIN_SEEN 0x04 /**< a FIN was seen at fin_seq (maybe still queued) */
#define TCP_H_FIN_IN 0x08 /**< the FIN was reached in order */
#define TCP_H_FIN_FWD 0x10 /**< the FIN was forwarded */
#define TCP_H_FIN_ACKED 0x20 /**< the peer acknowledged the FIN */
#define TCP_H_FORGOT 0x40 /**< an edit below forget_hi is no longer logged */

/** Connection states (struct tcp_conn.state). */
enum tcp_conn_state {
	TCP_ST_NONE = 0, /**< nothing seen: a SYN from dir 0 is expected */
	TCP_ST_SYN_SENT, /**< SYN seen */
	TCP_ST_SYN_RCVD, /**< SYN-ACK seen */
	TCP_ST_EST, /**< handshake complete */
	TCP_ST_CLOSED, /**< both FINs acknowledged or RST: later packets dropped */
};

/** Connection verdicts (struct tcp_out.conn_verdict, struct tcp_conn.verdict). */
enum tcp_conn_verdict {
	TCP_CONN_OK = 0, /**< go on */
	TCP_CONN_DROP, /**< drop this and every later packet, free the state */
	TCP_CONN_RESET, /**< as DROP, and send an RST to both ends (tcp_conn_rst_seq) */
	TCP_CONN_BYPASS, /**< forward untouched from now on (tcp_input still may be called) */
};

/**
 * One inspected connection. Zeroed memory is a valid fresh connection (as is
 * tcp_conn_init). Embed it in the per-flow user area; the inspector callback
 * gets its address and can find the enclosing struct with container_of.
 */
struct tcp_conn {
	struct tcp_half h[2]; /**< by sender direction */
	uint8_t state; /**< enum tcp_conn_state */
	uint8_t verdict; /**< enum tcp_conn_verdict, sticky */
	uint8_t ws_ok; /**< both SYNs carried a window scale option */
	uint8_t closed; /**< both FINs acknowledged or RST */
	uint8_t rel_other; /**< bit d: a retry decided held bytes of direction d (internal) */
	uint8_t pad[3];
};
_Static_assert(sizeof(struct tcp_conn) <= 160, "tcp_conn must stay small");

/** Makes c a fresh connection (same as zeroing it). */
void tcp_conn_init(struct tcp_conn *c);

/* ------------------------------------------------------------------------ */
/* Segments in, packets out                                                  */

/** One TCP segment as the glue parsed it. */
struct tcp_seg {
	void *pkt; /**< opaque (the mbuf): lib/tcp only hands it back */
	uint8_t *payload; /**< writable payload; edits are applied here, in place */
	uint8_t *th; /**< writable TCP header (window clamp), or NULL: never clamped */
	uint32_t len; /**< payload bytes */
	uint32_t seq, ack; /**< host order */
	uint16_t win; /**< raw window field */
	uint8_t flags; /**< TCP_F_* */
	uint8_t dir; /**< 0 = from the initiator, 1 = from the responder */
	uint8_t wscale; /**< window scale option of a SYN / SYN-ACK, else TCP_WSCALE_NONE */
	uint8_t csum_ok; /**< the glue verified the TCP checksum (or verification is off) */
};

/** What the glue does with a listed packet. */
enum tcp_act {
	TCP_ACT_FORWARD = 0, /**< send as it is */
	TCP_ACT_FORWARD_EDITED, /**< payload was changed: fix the checksum, send */
	TCP_ACT_DROP, /**< free it; reason says why */
};

/** Packets to act on now, in this order, and the connection's fate. */
struct tcp_out {
	uint16_t n;
	uint8_t conn_verdict; /**< enum tcp_conn_verdict after this call (sticky) */
	uint8_t closed; /**< both FINs acknowledged or RST: free the entry after linger */
	struct {
		void *pkt;
		uint8_t act; /**< enum tcp_act */
		uint8_t reason; /**< enum tcp_drop_reason when act is TCP_ACT_DROP */
	} v[TCP_OUT_MAX];
};

/**
 * Takes one segment of connection c. out is overwritten: the packets to send
 * or free now, in order (the input's own packet among them unless held).
 * c must be the same connection for every segment of the flow, and x the
 * context that created the blocks c holds. The inspector is called from here.
 *
 * With out.conn_verdict DROP or RESET the glue frees c after calling
 * tcp_conn_free (every held packet was already listed as DROP); later
 * tcp_input calls would just drop. With BYPASS later calls forward.
 */
void tcp_input(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_seg *s, uint64_t now,
		struct tcp_out *out);

/**
 * Timer: drops queued out-of-order segments older than params.ooo_timeout_ms
 * (listed in out as DROP, reason OOO_TIMEOUT). Call it at least as often as
 * tcp_conn_deadline asks.
 */
void tcp_conn_tick(struct tcp_ctx *x, struct tcp_conn *c, uint64_t now, struct tcp_out *out);

/**
 * The tick at which tcp_conn_tick has work for c (the oldest queued segment's
 * expiry), or UINT64_MAX when nothing is queued.
 */
uint64_t tcp_conn_deadline(const struct tcp_ctx *x, const struct tcp_conn *c);

/**
 * Frees c's state: every packet still held or queued is listed in out as DROP
 * (reason FREED) so the glue can free the mbufs, and the pool blocks return to
 * x. c is then a fresh connection.
 */
void tcp_conn_free(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_out *out);

/**
 * Sequence and ACK for an RST (flags RST|ACK) travelling in direction dir
 * (dir 0: sent to the responder as if from the initiator; 1: the reverse):
 * seq is what the receiver expects next from that sender (the bytes forwarded
 * in order, so RFC 5961's exact match accepts it), ack what the sender got.
 *
 * @return 0, or -EINVAL when dir is not 0 or 1 or the handshake was not seen
 *         far enough for that direction to have an ISN.
 */
int tcp_conn_rst_seq(const struct tcp_conn *c, int dir, uint32_t *seq, uint32_t *ack);

/** Packets c holds now (held + queued, both directions). */
unsigned int tcp_conn_held(const struct tcp_conn *c);

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_TCP_H */
