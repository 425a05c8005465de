/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `debug esmtp ADDRESS`, `no debug esmtp`, `show debug` (telemetry side):
 * /smtpwall/debug_esmtp[,ADDRESS|off]. The address applies to
 * connections that start from then on (dbg.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "ctl.h"
#include "dbg.h"

/* The answer: what is debugged now, as `show debug` says it. */
static void
state(struct rte_tel_data *d)
{
	uint8_t a[16];
	uint8_t f = dbg_esmtp_get(a);
	char s[INET6_ADDRSTRLEN + 128];
	char t[INET6_ADDRSTRLEN];

	if (f == 0) {
		snprintf(s, sizeof(s), "debug esmtp: off");
	} else {
		inet_ntop(f == 4 ? AF_INET : AF_INET6, a, t, sizeof(t));
		snprintf(s, sizeof(s),
				"debug esmtp: new connections of %s (lines %%SMTPWALL-7-DEBUG_ESMTP in "
				"the audit trail)",
				t);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "debug", s);
}

static int
tel_debug_esmtp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint8_t a[16];

	RTE_SET_USED(cmd);
	if (params == NULL || *params == '\0') {
		/* show debug */
	} else if (strcmp(params, "off") == 0) {
		dbg_esmtp_set(0, NULL);
	} else if (inet_pton(AF_INET, params, a) == 1) {
		dbg_esmtp_set(4, a);
	} else if (inet_pton(AF_INET6, params, a) == 1) {
		dbg_esmtp_set(6, a);
	} else {
		return -EINVAL;
	}
	state(d);
	return 0;
}

int
ctl_debug_register(void)
{
	return rte_telemetry_register_cmd("/smtpwall/debug_esmtp", tel_debug_esmtp,
			"debug esmtp: trace the inspector on new connections of one address. "
			"Parameters: ADDRESS | off (none: what is debugged)");
}
