/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transcript harness for the ESMTP inspector tests.
 *
 * A transcript is a list of steps (direction, bytes).  h_run() plays it
 * through esmtp_push() the way the TCP layer will: held bytes are
 * re-presented with the next bytes of their direction, overflowing results
 * are pushed again at once, edits are applied to a copy of each stream (at
 * stream offsets) and events are accumulated.  h_check() plays a
 * transcript whole, byte by byte and cut at every 2-way split point, and
 * fails unless the edited streams, events, verdict and held bytes are
 * identical; it returns the whole run for exact assertions.
 */
#ifndef SMTPWALL_TEST_ESMTP_HARNESS_H
#define SMTPWALL_TEST_ESMTP_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "esmtp.h"

struct h_step {
	int dir; /* ESMTP_DIR_C2S or ESMTP_DIR_S2C */
	const uint8_t *data;
	size_t len;
};

#define C(str) \
	{ \
		ESMTP_DIR_C2S, (const uint8_t *)(str), sizeof(str) - 1 \
	}
#define S(str) \
	{ \
		ESMTP_DIR_S2C, (const uint8_t *)(str), sizeof(str) - 1 \
	}
#define NSTEPS(a) (sizeof(a) / sizeof((a)[0]))

struct h_event {
	struct esmtp_event ev;
	int dir;
};

struct h_run {
	uint8_t *out[2]; /* edited copy of each direction's stream */
	uint8_t *in[2]; /* the stream as sent */
	size_t len[2]; /* stream lengths */
	size_t decided[2]; /* bytes consumed per direction when the run ended */
	int verdict; /* final verdict */
	size_t stop_step; /* index of the step that ended the run with a sticky verdict */
	struct h_event *ev;
	size_t n_ev, cap_ev;
	uint64_t pushes;
	uint64_t max_held; /* most bytes ever held undecided */
	uint64_t retries; /* pushes answered with retry_other */
	struct esmtp_counters counters;
};

/* Split modes of h_run(). */
#define H_WHOLE 0
#define H_BYTES 1
#define H_SPLIT 2 /* cut the whole transcript at byte offset `at` (global) */
#define H_TRACE 0x100 /* or-ed in: the connection's trace is on (esmtp_set_trace) */

/* Play steps once; split picks H_WHOLE, H_BYTES or H_SPLIT at `at`. */
void h_run(const struct esmtp_policy *p, const struct h_step *steps, size_t n, int split, size_t at,
		struct h_run *run);
void h_free(struct h_run *run);

/*
 * Play whole, byte by byte and at every split point (every `stride`-th
 * point when the transcript is longer than 6000 bytes); assert they agree;
 * return the whole run in *run (h_free() it).
 */
void h_check(const struct esmtp_policy *p, const struct h_step *steps, size_t n, struct h_run *run);

/* Edited stream of dir as a NUL-terminated string (static buffer reused). */
const char *h_out(const struct h_run *run, int dir);
/* Number of events with id (any rule). */
size_t h_count(const struct h_run *run, unsigned int id);
/* The i-th event with id, or NULL. */
const struct esmtp_event *h_find(const struct h_run *run, unsigned int id, size_t i);
/* Events as "name,name,..." (static buffer reused), for readable asserts. */
const char *h_events(const struct h_run *run);

#endif /* SMTPWALL_TEST_ESMTP_HARNESS_H */
