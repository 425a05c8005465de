/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/config: the wire and flow sections, and file:line:column errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sw_config.h"
#include "esmtp.h"
#include "policy.h"

static int
load(const char *text, struct config *c, char *err)
{
	config_default(c);
	return config_load_string("t.yaml", text, strlen(text), c, err, CONFIG_ERR_LEN);
}

Test(config, defaults_are_asa_timeouts)
{
	struct config c;

	config_default(&c);
	cr_assert_eq(c.timeouts.embryonic, 30);
	cr_assert_eq(c.timeouts.idle, 3600);
	cr_assert_eq(c.timeouts.half_closed, 600);
	cr_assert_eq(c.timeouts.closed, 5);
	cr_assert_eq(c.timeouts.udp, 120);
	/* Issue 13: 25,000 connections/s x 5 s closed linger + 6,000 open. */
	cr_assert_eq(c.flows_per_worker, 131072);
	cr_assert_eq(c.n_pairs, 1);
	cr_assert_str_eq(c.pairs[0].inside.name, "0");
	cr_assert_str_eq(c.pairs[0].outside.name, "1");
	cr_assert(!c.pairs_given, "the default pair 0/1 is nobody's choice");
}

Test(config, full_file)
{
	struct config c;
	char err[CONFIG_ERR_LEN] = "";
	const char *y = "wire:\n"
			"  pairs:\n"
			"    - inside: net_tap0\n"
			"      outside: net_tap1\n"
			"    - {inside: \"0000:3b:00.0\", outside: \"0000:3b:00.1\"}\n"
			"  workers: 4\n"
			"  dispatch: software\n"
			"  idle-sleep-us: 50\n"
			"  verify-ipv4-checksum: false\n"
			"flows:\n"
			"  max-per-worker: 1024\n"
			"  midstream: drop\n"
			"  timeouts: {embryonic: 0:00:05, idle: '1:00:00', half-closed: 0, udp: 7}\n";

	cr_assert_eq(load(y, &c, err), 0, "%s", err);
	cr_assert_eq(c.n_pairs, 2);
	cr_assert_str_eq(c.pairs[0].inside.name, "net_tap0");
	cr_assert_str_eq(c.pairs[1].outside.name, "0000:3b:00.1");
	cr_assert_eq(c.workers, 4);
	cr_assert_eq(c.dispatch, CONFIG_DISPATCH_SOFTWARE);
	cr_assert_eq(c.idle_sleep_us, 50);
	cr_assert_eq(c.verify_ip4_csum, false);
	cr_assert_eq(c.flows_per_worker, 1024);
	cr_assert_eq(c.midstream, CONFIG_MIDSTREAM_DROP);
	cr_assert_eq(c.timeouts.embryonic, 5);
	cr_assert_eq(c.timeouts.idle, 3600);
	cr_assert_eq(c.timeouts.half_closed, 0);
	cr_assert_eq(c.timeouts.udp, 7);
	cr_assert_eq(c.timeouts.closed, 5, "untouched keys keep their default");
	/* Where each was named, for "file:line:column: port ... does not exist". */
	cr_assert(c.pairs_given);
	cr_assert_eq(c.pairs[0].inside.at.line, 3);
	cr_assert_eq(c.pairs[0].inside.at.col, 15);
	cr_assert_eq(c.pairs[1].outside.at.line, 5);
	cr_assert_eq(c.pairs[1].outside.at.col, 41);
	cr_assert_eq(c.workers_at.line, 6);
	cr_assert_eq(c.workers_at.col, 12);
}

Test(config, empty_file_keeps_defaults)
{
	struct config c;
	char err[CONFIG_ERR_LEN];

	cr_assert_eq(load("", &c, err), 0);
	cr_assert_eq(c.timeouts.idle, 3600);
	cr_assert_eq(load("# only a comment\n", &c, err), 0);
}

struct bad_case {
	const char *yaml;
	const char *where; /* expected "t.yaml:L:C:" prefix */
	const char *what; /* expected substring */
};

static const struct bad_case bad[] = {
		{"wire:\n  pairz: []\n", "t.yaml:2:3:", "unknown key 'pairz'"},
		{"wire:\n  workers: four\n", "t.yaml:2:12:", "not a non-negative integer"},
		{"wire:\n  workers: 0\n", "t.yaml:2:12:", "out of range"},
		{"wire:\n  workers: 999\n", "t.yaml:2:12:", "out of range"},
		/* Past the appliance's worker arrays: the key in the line (it was
	 * accepted up to 128, and smtpwall then exited without a word). */
		{"wire:\n  workers: 66\n",
				"t.yaml:2:12:", "wire.workers: 66 is out of range [1, 64]"},
		{"wire:\n  dispatch: magic\n", "t.yaml:2:13:", "not one of: auto, rss, software"},
		{"wire:\n  pairs:\n    - inside: a\n", "t.yaml:3:7:", "needs both"},
		{"wire:\n  pairs:\n    - {inside: a, outside: a}\n",
				"t.yaml:3:28:", "both inside and outside"},
		{"wire:\n  pairs:\n    - {inside: a, outside: b}\n    - {inside: b, outside: c}\n",
				"t.yaml:4:16:", "already in another pair"},
		{"wire:\n  pairs: []\n", "t.yaml:2:10:", "empty"},
		{"wire:\n  pairs: {inside: a}\n", "t.yaml:2:10:", "must be a list"},
		{"wire: [1, 2]\n", "t.yaml:1:7:", "must be a mapping"},
		{"flows:\n  timeouts:\n    idle: 1:99:00\n", "t.yaml:3:11:", "not a duration"},
		{"flows:\n  timeouts:\n    idle: -3\n", "t.yaml:3:11:", "not a non-negative"},
		{"flows:\n  midstream: maybe\n", "t.yaml:2:14:", "not one of: pickup, drop"},
		{"wire:\n  verify-ipv4-checksum: perhaps\n", "t.yaml:2:25:", "not a boolean"},
		{"wire:\n  workers: 2\n  workers: 3\n", "t.yaml:3:3:", "duplicate key 'workers'"},
		{"wire: {workers: [2}\n", "t.yaml:1:", ""},
		{"policy: 3\n", "t.yaml:1:1:", "unknown key 'policy'"},
		{"- a\n- b\n", "t.yaml:1:1:", "must be a mapping"},
};

Test(config, errors_carry_file_line_column)
{
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config c;
		char err[CONFIG_ERR_LEN] = "";

		cr_assert_eq(load(bad[i].yaml, &c, err), -1, "case %u accepted", i);
		cr_assert(strncmp(err, bad[i].where, strlen(bad[i].where)) == 0,
				"case %u: '%s' does not start with '%s'", i, err, bad[i].where);
		cr_assert(strstr(err, bad[i].what) != NULL, "case %u: '%s' lacks '%s'", i, err,
				bad[i].what);
	}
}

Test(config, error_leaves_config_untouched)
{
	struct config c;
	char err[CONFIG_ERR_LEN];

	config_default(&c);
	cr_assert_eq(config_load_string("t.yaml", "wire:\n  workers: 3\n  dispatch: x\n", 31, &c,
				     err, sizeof(err)),
			-1);
	cr_assert_eq(c.workers, 0, "a failed load must not apply half the file");
}

Test(config, missing_file)
{
	struct config c;
	char err[CONFIG_ERR_LEN];

	config_default(&c);
	cr_assert_eq(config_load("/nonexistent/x.yaml", &c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/x.yaml") != NULL);
}

Test(config, shipped_default_yaml_loads)
{
	struct config c;
	char err[CONFIG_ERR_LEN];
	char path[512];

	snprintf(path, sizeof(path), "%s/config/default.yaml", SOURCE_ROOT);
	config_default(&c);
	cr_assert_eq(config_load(path, &c, err, sizeof(err)), 0, "%s", err);
	/* No pair named: the default wire (docs/operations.md). */
	cr_assert(!c.pairs_given);
	cr_assert_eq(c.timeouts.embryonic, 30);
	cr_assert_eq(c.timeouts.half_closed, 600);
	cr_assert_eq(c.flows_per_worker, 131072,
			"the shipped file and the built-in default disagree");
	config_free(&c);
}

Test(config, mail_relay_domain_list)
{
	struct config c;
	char err[CONFIG_ERR_LEN] = "";
	const char *y = "inspect-maps:\n"
			"  m:\n"
			"    parameters:\n"
			"      mail-relay: {domain: [example.com, example.org], action: log}\n"
			"policy-maps:\n"
			"  global_policy:\n"
			"    - class: inspection_default\n"
			"      inspect: {esmtp: m}\n";
	const struct esmtp_policy *e;

	cr_assert_eq(load(y, &c, err), 0, "%s", err);
	cr_assert_not_null(c.policy);
	e = policy_imap_esmtp(c.policy, (unsigned int)policy_find_imap(c.policy, "m"));
	cr_assert_not_null(e);
	cr_assert_str_eq(e->relay_domain, "example.com,example.org");
	config_free(&c);
	cr_assert_eq(load("inspect-maps:\n  m:\n    parameters:\n      mail-relay: {domain: []}\n",
				     &c, err),
			-1);
	cr_assert(strstr(err, "t.yaml:4:") != NULL && strstr(err, "empty") != NULL, "%s", err);
}
