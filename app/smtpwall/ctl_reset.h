/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CTL_RESET_H
#define SMTPWALL_CTL_RESET_H

/*
 * `clear conn`, the worker's part: frees the connections its `show conn`
 * walk (conns.c) collected in c->kill, after sending an RST to each end
 * when the request asks for it and the box knows their sequence numbers
 * and MACs (the worker's neighbour cache, nbrcache.h).
 */

struct conns_req;

/* conns_clear_fn (conns.h) of a worker (arg: its struct worker). */
void ctl_clear_flows(void *arg, struct conns_req *c);

#endif /* SMTPWALL_CTL_RESET_H */
