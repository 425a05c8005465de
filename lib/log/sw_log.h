/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_LOG_H
#define SMTPWALL_LOG_H

/*
 * Audit records (ASA-style message ids) and their transport from a worker
 * to the control lcore. A worker fills a fixed-size record and pushes it
 * into its own single-producer/single-consumer ring: no allocation, no
 * lock, no system call on the data path. The control lcore pops, formats
 * (log_format) and writes. A full ring or an exhausted rate limit is a
 * counter, never a stall. Pure C11 (stdatomic); no DPDK include.
 */

#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The one list of the ASA messages smtpwall emits (REFERENCE.md §1.6, §1.8):
 * X(id, severity, ARGS, "format"). ARGS names what the format prints, in
 * order (log_format.c): CONN = client if:addr/port, server if:addr/port.
 * The ids are LOG_ASA_<id>; log_severity() and log_format() follow the list.
 */
#define LOG_FOREACH_ASA(X) \
	X(106015, 6, NOCONN, \
			"Deny TCP (no connection) from %s/%u to %s/%u flags %s on interface %s") \
	X(108002, 2, REPLACED, "SMTP replaced string: out %s in %s data: %s") \
	X(108003, 2, ADDRESS, \
			"Terminating ESMTP connection; malicious pattern detected in the mail address " \
			"from %s:%s/%u to %s:%s/%u. Mail Address:%s") \
	X(108004, 4, CLASSIFIED, "%s ESMTP %s from %s:%s/%u to %s:%s/%u; %s") \
	X(108005, 6, CLASSIFIED, "%s:Received ESMTP %s from %s:%s/%u to %s:%s/%u; %s") \
	X(108006, 7, SIZE, \
			"Detected ESMTP size violation from %s:%s/%u to %s:%s/%u; declared size is: " \
			"%" PRIu64 ", actual size is %" PRIu64) \
	X(108007, 6, CONN, \
			"TLS started on ESMTP session between client %s:%s/%u and server %s:%s/%u") \
	X(201009, 3, HOST_LIMIT, "TCP connection limit of %" PRIu64 " for host %s on %s exceeded") \
	X(201010, 6, LIMIT, \
			"Embryonic connection limit exceeded %" PRIu64 "/%" PRIu64 \
			" for input packet from %s/%u to %s/%u on interface %s") \
	X(201011, 3, LIMIT, \
			"Connection limit exceeded %" PRIu64 "/%" PRIu64 \
			" for input packet from %s/%u to %s/%u on interface %s") \
	X(201012, 6, LIMIT, \
			"Per-client embryonic connection limit exceeded %" PRIu64 "/%" PRIu64 \
			" for input packet from %s/%u to %s/%u on interface %s") \
	X(201013, 3, LIMIT, \
			"Per-client connection limit exceeded %" PRIu64 "/%" PRIu64 \
			" for input packet from %s/%u to %s/%u on interface %s")

/* clang-format off */
enum log_asa_id {
#define LOG_ASA_ID(id, sev, args, fmt) LOG_ASA_##id = id,
	LOG_FOREACH_ASA(LOG_ASA_ID)
#undef LOG_ASA_ID
};
/* clang-format on */

/* Not an ASA message: the record's text is the whole line (IOS %FW-...). */
#define LOG_RAW 1u

#define LOG_TEXT_MAX 192
#define LOG_IFNAME_MAX 16

/* The connection a record is about: client is the initiator. */
struct log_conn {
	uint8_t family; /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	char src_if[LOG_IFNAME_MAX]; /* "inside" / "outside" */
	char dst_if[LOG_IFNAME_MAX];
};

/* One audit record: fixed size, copied by value through the ring. */
struct log_rec {
	uint32_t msgid; /* LOG_ASA_* */
	uint8_t severity; /* syslog level 0..7 (ASA's per message) */
	uint8_t response; /* 108004/5: 0 = Request (client), 1 = Response (server) */
	uint8_t text_len;
	uint8_t pad;
	uint64_t n1, n2; /* numbers: sizes (108006, 64-bit), counts/limits (2010xx) */
	uint64_t ts_ns; /* when it happened (wall clock or capture time) */
	struct log_conn conn;
	/* Free text, by message: the action class and action (108004/5:
	 * "ESMTP Classification: Dropped connection for"), then after a NUL
	 * the further info ("matched Class 2: cmd RCPT count gt 100"); the mail
	 * address (108003); the replaced string (108002). */
	char text[LOG_TEXT_MAX];
};

/* Sets text from up to two parts separated by a NUL (truncated to fit). */
void log_rec_set_text(struct log_rec *r, const char *a, size_t alen, const char *b, size_t blen);

/*
 * Sets n1 and n2 from up to two decimal numbers separated by a space (the
 * inspector's "declared actual" of 108006), 64-bit; a missing one is 0.
 */
void log_rec_set_numbers(struct log_rec *r, const char *v, size_t len);

/*
 * Formats a record as the ASA prints it, e.g.
 * "%ASA-4-108004: ESMTP Classification: Dropped connection for ESMTP Request
 * from inside:198.18.0.1/40000 to outside:198.18.0.2/25; matched Class 2: ..."
 * Returns the length written (snprintf semantics), without a newline.
 */
int log_format(const struct log_rec *r, char *buf, size_t len);

/* Severity that the ASA uses for a message id (3 for unknown ids). */
uint8_t log_severity(uint32_t msgid);

/*
 * Single-producer single-consumer ring of records: one per worker, the
 * worker pushes, the control lcore pops. Capacity is a power of two.
 */
struct log_ring {
	_Alignas(64) _Atomic uint32_t head; /* producer writes */
	_Alignas(64) _Atomic uint32_t tail; /* consumer writes */
	_Alignas(64) uint32_t mask;
	uint64_t dropped; /* pushes refused because the ring was full (producer) */
	struct log_rec *slots;
};

/* Allocates a ring of `size` (power of two, >= 2) records. NULL + errno. */
struct log_ring *log_ring_create(uint32_t size);
void log_ring_free(struct log_ring *r);
/* Producer: copies rec in; false (and dropped++) when full. */
bool log_ring_push(struct log_ring *r, const struct log_rec *rec);
/* Consumer: copies the oldest record out; false when empty. */
bool log_ring_pop(struct log_ring *r, struct log_rec *out);
uint32_t log_ring_count(const struct log_ring *r);

/*
 * Token bucket: at most `rate` records per `period_ns`, bursts of `burst`.
 * ASA rate-limits e.g. 201012 to one per 10 s. rate 0 = unlimited.
 */
struct log_limiter {
	uint64_t period_ns;
	uint32_t rate, burst;
	uint64_t tokens_x; /* tokens scaled by period_ns */
	uint64_t last_ns;
	uint64_t suppressed;
};

void log_limiter_init(struct log_limiter *l, uint32_t rate, uint64_t period_ns, uint32_t burst);
/* True when a record may go now; false counts it as suppressed. */
bool log_limiter_allow(struct log_limiter *l, uint64_t now_ns);

/*
 * A token bucket several threads share (a `rate-limit` rule holds its rate
 * for the whole box, whichever worker sees the message): GCRA, one atomic
 * word updated by compare-and-swap, no lock. On a cache line of its own.
 * Same contract as log_limiter: `rate` per `period_ns`, bursts of `burst`.
 */
struct log_shared_limiter {
	_Alignas(64) _Atomic uint64_t tat; /* theoretical arrival time of the next token, ns */
	uint64_t interval_ns; /* period_ns / rate; 0: unlimited */
	uint64_t tolerance_ns; /* (burst - 1) * interval_ns */
};

void log_shared_limiter_init(
		struct log_shared_limiter *l, uint32_t rate, uint64_t period_ns, uint32_t burst);
/* True when one more may go at now_ns; safe from any number of threads. */
bool log_shared_limiter_allow(struct log_shared_limiter *l, uint64_t now_ns);

/*
 * TSC -> wall clock for record times. DPDK's TSC rate is an estimate (it
 * rounds to 10 MHz), so one base taken at start drifts by seconds an hour;
 * the control lcore re-syncs the base with the real clock (log_clock_sync,
 * e.g. every second) and workers convert with the latest one. A seqlock:
 * one writer, readers never wait (they retry across a concurrent sync).
 */
struct log_clock {
	_Atomic uint32_t seq; /* odd while a sync is writing */
	_Atomic uint64_t tsc0, ns0; /* the base: TSC value and its wall-clock ns */
	uint64_t hz; /* TSC ticks per second */
};

void log_clock_init(struct log_clock *c, uint64_t hz, uint64_t tsc, uint64_t ns);
/* New base (the writer: one thread). */
void log_clock_sync(struct log_clock *c, uint64_t tsc, uint64_t ns);
/* Wall-clock ns of a TSC value (before or after the base). */
uint64_t log_clock_ns(const struct log_clock *c, uint64_t tsc);

#endif /* SMTPWALL_LOG_H */
