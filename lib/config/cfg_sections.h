/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CFG_SECTIONS_H
#define SMTPWALL_CFG_SECTIONS_H

/* The appliance's sections (cfg_wire.c, cfg_flows.c). Private to lib/config. */

#include "cfg_table.h"
#include "sw_config.h"

extern const struct cfg_table cfg_wire_table, cfg_flows_table, cfg_tcp_table, cfg_metrics_table;

#endif /* SMTPWALL_CFG_SECTIONS_H */
