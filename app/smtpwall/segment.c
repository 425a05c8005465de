/* SPDX-License-Identifier: BSD-3-Clause */
/* Segments the box sends itself; see segment.h. */
#include <string.h>

#include "segment.h"

struct rte_mbuf *
segment_new(struct rte_mempool *pool, const struct rte_mbuf *tmpl, const struct pkt_info *pi,
		const struct pkt_tcp_spec *s)
{
	struct rte_mbuf *r = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	uint16_t len;

	if (r == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(r, PKT_BUILD_TCP_MAX);
	len = p == NULL ? 0
			: pkt_build_tcp(p, PKT_BUILD_TCP_MAX,
					  rte_pktmbuf_mtod(tmpl, const uint8_t *), pi, s);
	if (len == 0) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	rte_pktmbuf_trim(r, (uint16_t)(PKT_BUILD_TCP_MAX - len));
	return r;
}

int
segment_rewrite(struct rte_mbuf *m, const struct pkt_info *pi, const struct pkt_tcp_spec *s)
{
	uint8_t buf[PKT_BUILD_TCP_MAX];
	uint16_t port = m->port;
	uint16_t len = pkt_build_tcp(buf, sizeof(buf), rte_pktmbuf_mtod(m, const uint8_t *), pi, s);
	uint8_t *p;

	if (len == 0)
		return -1;
	/* The template is read: the mbuf can start over. */
	rte_pktmbuf_reset(m);
	m->port = port;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL)
		return -1;
	memcpy(p, buf, len);
	return 0;
}
