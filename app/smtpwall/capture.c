/* SPDX-License-Identifier: BSD-3-Clause */
/* capture: the copy of a matching frame into its worker's ring. */
#include "capture.h"

#include <string.h>

struct addr_watch cap_watch;
struct cap_ring *_Atomic cap_rings[CAP_MAX_WORKERS];

void
cap_frame(struct cap_ring *r, const struct addr_seen *seen, const struct rte_mbuf *m,
		const struct pkt_info *pi, uint64_t ts_ns)
{
	uint32_t h, t;
	struct cap_rec *c;

	if (pi->l3 == PKT_L3_NONE ||
			!addr_seen_match(seen, pi->l3 == PKT_L3_IPV4 ? 4 : 6, pi->src, pi->dst))
		return;
	h = atomic_load_explicit(&r->head, memory_order_relaxed);
	t = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (h - t >= CAP_SLOTS) {
		atomic_store_explicit(&r->lost,
				atomic_load_explicit(&r->lost, memory_order_relaxed) + 1,
				memory_order_relaxed);
		return;
	}
	c = &r->rec[h & (CAP_SLOTS - 1)];
	c->ts_ns = ts_ns;
	c->len = rte_pktmbuf_data_len(m);
	c->caplen = c->len < CAP_SNAP ? c->len : CAP_SNAP;
	memcpy(c->data, rte_pktmbuf_mtod(m, const uint8_t *), c->caplen);
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
}
