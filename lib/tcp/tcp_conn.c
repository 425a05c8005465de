/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-connection calls that are not on the segment path: init, free,
 * the out-of-order timer, the RST sequence numbers.
 */
#include <errno.h>
#include <string.h>

#include "tcp_priv.h"

void
tcp_conn_init(struct tcp_conn *c)
{
	memset(c, 0, sizeof(*c));
}

void
tcp_conn_free(struct tcp_ctx *x, struct tcp_conn *c, struct tcp_out *out)
{
	tcp_out_reset(c, out);
	tcp_stream_release_all(x, c, 1, TCP_DROP_FREED, out);
	tcp_conn_init(c);
}

void
tcp_conn_tick(struct tcp_ctx *x, struct tcp_conn *c, uint64_t now, struct tcp_out *out)
{
	tcp_out_reset(c, out);
	tcp_stream_expire(x, c, now, out);
}

uint64_t
tcp_conn_deadline(const struct tcp_ctx *x, const struct tcp_conn *c)
{
	uint64_t best = UINT64_MAX;
	int d;

	/* The queue head's tmin is a lower bound: a tick may come early and
	 * find nothing to do, never late. */
	for (d = 0; d < 2; d++) {
		uint32_t i = c->h[d].ooo_head;

		if (i != 0 && x->slots[i].tmin + x->ooo_timeout < best)
			best = x->slots[i].tmin + x->ooo_timeout;
	}
	return best;
}

int
tcp_conn_rst_seq(const struct tcp_conn *c, int dir, uint32_t *seq, uint32_t *ack)
{
	if (dir != 0 && dir != 1)
		return -EINVAL;
	if (!(c->h[dir].flags & TCP_H_SYN))
		return -EINVAL;
	*seq = c->h[dir].fwd;
	*ack = (c->h[!dir].flags & TCP_H_SYN) ? c->h[!dir].fwd : 0;
	return 0;
}

unsigned int
tcp_conn_held(const struct tcp_conn *c)
{
	return (unsigned int)c->h[0].held_n + c->h[0].ooo_n + c->h[1].held_n + c->h[1].ooo_n;
}
