/* SPDX-License-Identifier: BSD-3-Clause */
/* `debug esmtp`: the address, and the hook that turns decisions into lines. */
#include "dbg.h"

#include "addrwatch.h"
#include "records.h"

static struct addr_watch target;

/* The context of the push lib/esmtp is reading (one per worker lcore). */
static __thread struct worker *cur_w;
static __thread const struct wk_flow *cur_f;

void
dbg_esmtp_set(uint8_t family, const uint8_t *addr)
{
	addr_watch_set(&target, family, addr);
}

uint8_t
dbg_esmtp_get(uint8_t addr[16])
{
	return addr_watch_get(&target, addr);
}

bool
dbg_esmtp_matches(const struct flow_key *k)
{
	static __thread struct addr_seen seen;

	return addr_watch_sync(&target, &seen) &&
			addr_seen_match(&seen, k->family, k->addr_a, k->addr_b);
}

void
dbg_esmtp_enter(struct worker *w, const struct wk_flow *f)
{
	cur_w = w;
	cur_f = f;
}

void
dbg_trace(void *arg, enum esmtp_dir dir, const char *what, const uint8_t *line, size_t len)
{
	(void)arg;
	if (cur_w != NULL && cur_f != NULL)
		rec_debug(cur_w, cur_f, dir == ESMTP_DIR_C2S, what, line, len);
}
