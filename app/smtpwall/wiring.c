/* SPDX-License-Identifier: BSD-3-Clause */
/* The one place where the control plane's struct app becomes the data
 * path's read-only wiring (wiring.h). */
#include "wiring.h"

#include <string.h>

#include "app.h"

const struct wiring *
wiring_get(void)
{
	static struct wiring wr;

	wr.cfg = &app.cfg;
	wr.pool = app.pool;
	wr.quit = &app_quit;
	wr.no_inspect = app.no_inspect;
	wr.verify_tcp_csum = app.verify_tcp_csum;
	memcpy(wr.ic_master, app.ic_master, sizeof(wr.ic_master));
	memcpy(wr.peer, app.peer, sizeof(wr.peer));
	memcpy(wr.port_inside, app.port_inside, sizeof(wr.port_inside));
	memcpy(wr.port_tx_tcp_cksum, app.port_tx_tcp_cksum, sizeof(wr.port_tx_tcp_cksum));
	memcpy(wr.port_pair, app.port_pair, sizeof(wr.port_pair));
	wr.rss = app.rxq_check ? app.rss : NULL;
	wr.n_queues = (uint16_t)app.n_workers;
	return &wr;
}
