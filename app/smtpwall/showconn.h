/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_SHOWCONN_H
#define SMTPWALL_SHOWCONN_H

#include "conns.h"

struct rte_tel_data;

/*
 * Telemetry side of `clear conn`: asks every worker for flt, adds the rows
 * they listed to d (an array of strings already started), sums their
 * answers. Serialised with `show conn`.
 */
void conns_ask(const struct conn_filter *flt, struct rte_tel_data *d, struct conns_sum *sum);

/* Registers /smtpwall/conns (ASA `show conn`) with DPDK telemetry. 0 or -errno. */
int conns_telemetry_register(void);

#endif /* SMTPWALL_SHOWCONN_H */
