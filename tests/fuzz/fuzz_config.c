/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: any bytes as a configuration file, through the whole loader
 * (wire, flows and every policy section). Never a crash; an error always
 * carries a "name:line:column:" prefix; success leaves a sane config and,
 * when a policy section was given, a finalized policy whose lookup,
 * labels and show output work on any key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_config.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
has_position(const char *err)
{
	unsigned int line, col;
	char colon;

	return strncmp(err, "f.yaml:", 7) == 0 &&
			sscanf(err + 7, "%u:%u%c", &line, &col, &colon) == 3 && colon == ':' &&
			line >= 1 && col >= 1;
}

static void
exercise(const struct policy *p, const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct policy_match m;
	struct policy_key k;
	unsigned int i, j, n = policy_n_classes(p);

	if (!policy_is_final(p))
		abort();
	/* Keys made from the input itself, so corpus addresses get hit. */
	memset(&k, 0, sizeof(k));
	for (i = 0; i < 8; i++) {
		k.family = (i & 1) ? 6 : 4;
		k.proto = (i & 2) ? 17 : 6;
		k.pair = (uint8_t)(i % POLICY_MAX_PAIRS);
		k.side = (uint8_t)((i >> 2) & 1);
		k.sport = (uint16_t)(1024 + i);
		k.dport = (i & 4) ? 587 : 25;
		if (size >= 32) {
			memcpy(k.src, data + (i * 3) % (size - 15), 16);
			memcpy(k.dst, data + (i * 7) % (size - 15), 16);
		}
		policy_classify(p, &k, &m);
		if (m.inspect != NULL && policy_class_get(p, m.inspect->id) != m.inspect)
			abort();
		if (m.conn != NULL && m.conn->id >= n)
			abort();
		if (m.esmtp != NULL && (m.inspect == NULL || m.esmtp != m.inspect->esmtp))
			abort();
	}
	for (i = 0; i < policy_n_imaps(p); i++) {
		const struct esmtp_policy *e = policy_imap_esmtp(p, i);

		for (j = 0; j < e->n_rules; j++)
			if (strlen(policy_rule_label(p, i, j)) == 0 ||
					strlen(policy_rule_action_label(p, i, j)) == 0)
				abort();
	}
	if (policy_format_service_policy(p, NULL, false, buf, sizeof(buf)) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[CONFIG_ERR_LEN];

	config_default(&c);
	err[0] = '\0';
	if (config_load_string("f.yaml", (const char *)data, size, &c, err, sizeof(err)) != 0) {
		if (!has_position(err) || c.policy != NULL)
			abort();
		return 0;
	}
	if (c.n_pairs == 0 || c.n_pairs > CONFIG_MAX_PAIRS || c.flows_per_worker < 16)
		abort();
	if (c.policy != NULL)
		exercise(c.policy, data, size);
	config_free(&c);
	return 0;
}
