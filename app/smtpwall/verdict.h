/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_VERDICT_H
#define SMTPWALL_VERDICT_H

/*
 * The inspector callback lib/tcp calls with a connection's in-order bytes
 * (tcp_params.inspect, arg: the worker): lib/esmtp decides, rate-limit
 * rules are applied, the events are counted and recorded, and the verdict
 * and edits (lib/insp's, the same for both libraries) are passed back.
 */

#include <stdint.h>

#include "tcp.h"

void verdict_inspect(void *arg, struct tcp_conn *c, int dir, const uint8_t *buf, uint32_t len,
		struct tcp_insp_result *r);

#endif /* SMTPWALL_VERDICT_H */
