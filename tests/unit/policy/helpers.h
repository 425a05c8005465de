/* SPDX-License-Identifier: BSD-3-Clause */
/* Small helpers shared by the lib/policy tests. */
#ifndef TEST_POLICY_HELPERS_H
#define TEST_POLICY_HELPERS_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sw_config.h"
#include "policy.h"

/* A connection key: "a.b.c.d" or IPv6 text; pair 0, SYN entering `side`. */
static inline struct policy_key
key(uint8_t proto, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct policy_key k;

	memset(&k, 0, sizeof(k));
	k.proto = proto;
	k.sport = sport;
	k.dport = dport;
	k.side = POLICY_SIDE_OUTSIDE;
	if (inet_pton(AF_INET, src, k.src) == 1) {
		k.family = 4;
		cr_assert_eq(inet_pton(AF_INET, dst, k.dst), 1);
	} else {
		k.family = 6;
		cr_assert_eq(inet_pton(AF_INET6, src, k.src), 1, "%s", src);
		cr_assert_eq(inet_pton(AF_INET6, dst, k.dst), 1, "%s", dst);
	}
	return k;
}

/* Loads YAML text into a fresh config; the test owns c->policy. */
static inline struct policy *
load_yaml(const char *text, struct config *c)
{
	char err[CONFIG_ERR_LEN] = "";

	config_default(c);
	cr_assert_eq(config_load_string("t.yaml", text, strlen(text), c, err, sizeof(err)), 0, "%s",
			err);
	cr_assert_not_null(c->policy);
	return c->policy;
}

#endif /* TEST_POLICY_HELPERS_H */
