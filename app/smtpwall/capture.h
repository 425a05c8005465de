/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CAPTURE_H
#define SMTPWALL_CAPTURE_H

/*
 * `capture ADDRESS FILE` (ASA `capture NAME match ip host A any`), the
 * workers' side: while on, every frame received with ADDRESS as source or
 * destination is copied (up to CAP_SNAP bytes) into its worker's ring;
 * the control lcore writes the rings to the file (ctl_capture.c). Off, a
 * worker pays one load per burst. A full ring loses frames, counted.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "addrwatch.h"
#include "pkt.h"
#include "sw_common.h"

#define CAP_MAX_WORKERS 128
#define CAP_SLOTS 512 /* frames per worker ring (a power of two) */
#define CAP_SNAP 1600 /* bytes kept of a frame: an Ethernet frame with two tags */

struct cap_rec {
	uint64_t ts_ns;
	uint32_t len; /* the frame's length */
	uint32_t caplen; /* bytes kept */
	uint8_t data[CAP_SNAP];
};

/* One worker's frames for the control lcore (single producer, single consumer). */
struct cap_ring {
	_Atomic uint32_t head __attribute__((aligned(64))); /* the worker's */
	_Atomic uint64_t lost; /* frames the full ring refused (the worker's) */
	_Atomic uint32_t tail __attribute__((aligned(64))); /* the control lcore's */
	struct cap_rec rec[CAP_SLOTS];
};

/* The address captured, and the rings (allocated at the first capture,
 * kept until exit). */
extern struct addr_watch cap_watch;
extern struct cap_ring *_Atomic cap_rings[CAP_MAX_WORKERS];

/* Copies m (parsed as pi) into ring r when it has the address of seen. */
void cap_frame(struct cap_ring *r, const struct addr_seen *seen, const struct rte_mbuf *m,
		const struct pkt_info *pi, uint64_t ts_ns);

/* Once per burst: the ring of worker wid while a capture runs, else NULL. */
static inline struct cap_ring *
cap_burst(unsigned int wid, struct addr_seen *seen)
{
	if (likely(atomic_load_explicit(&cap_watch.seq, memory_order_relaxed) == 0))
		return NULL; /* no capture ever: the common case */
	if (!addr_watch_sync(&cap_watch, seen) || wid >= CAP_MAX_WORKERS)
		return NULL;
	return atomic_load_explicit(&cap_rings[wid], memory_order_acquire);
}

#endif /* SMTPWALL_CAPTURE_H */
