/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_SHOWCONN_H
#define SMTPWALL_SHOWCONN_H

/* Registers /smtpwall/conns (ASA `show conn`) with DPDK telemetry. 0 or -errno. */
int conns_telemetry_register(void);

#endif /* SMTPWALL_SHOWCONN_H */
