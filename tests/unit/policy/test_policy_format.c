/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/policy: rule labels (108004's "matched Class N: ..."), counters and
 * the ASA-like `show service-policy inspect esmtp` of REFERENCE.md section 0. */
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

Test(format, reference_section_0_layout)
{
	struct policy *p = policy_new_default();
	struct policy_class_counters cnt[1], w2[1];
	static const char expect[] =
			"Global policy:\n"
			"  Service-policy: global_policy\n"
			"    Class-map: inspection_default\n"
			"      Inspect: esmtp _default_esmtp_map, packet 104468, drop 0, reset-drop 0\n"
			"        mask-banner, count 639\n"
			"        match cmd line length gt 512           drop-connection log, packet 0\n"
			"        match cmd RCPT count gt 100            drop-connection log, packet 0\n"
			"        match body line length gt 998          log, packet 0\n"
			"        match header line length gt 998        drop-connection log, packet 41\n"
			"        match sender-address length gt 320     drop-connection log, packet 0\n"
			"        match MIME filename length gt 255      drop-connection log, packet 0\n"
			"        match ehlo-reply-parameter others      mask, packet 2555\n";
	char buf[4096];
	int n;

	memset(cnt, 0, sizeof(cnt));
	memset(w2, 0, sizeof(w2));
	/* two workers' arrays, summed by the control lcore */
	cnt[0].packets = 100000;
	w2[0].packets = 4468;
	cnt[0].events[ESMTP_EV_BANNER_MASKED] = 600;
	w2[0].events[ESMTP_EV_BANNER_MASKED] = 39;
	cnt[0].rules[3] = 41;
	w2[0].rules[6] = 2555;
	policy_counters_merge(cnt, w2, 1);
	n = policy_format_service_policy(p, cnt, true, buf, sizeof(buf));
	cr_assert_eq((size_t)n, strlen(expect));
	cr_assert_str_eq(buf, expect);
	/* snprintf semantics */
	cr_assert_eq(policy_format_service_policy(p, cnt, true, NULL, 0), n);
	cr_assert_eq(policy_format_service_policy(p, cnt, true, buf, 10), n);
	cr_assert_eq(strlen(buf), 9);
	policy_free(p);
}

Test(format, labels_of_every_criterion)
{
	struct config c;
	struct policy *p = load_yaml(
			"regex: {r1: 'a', r2: 'b'}\n"
			"regex-classes: {rc: [r1, r2]}\n"
			"inspect-maps:\n"
			"  m:\n"
			"    rules:\n"
			"      - {match: {cmd-line-length: 512}, action: drop-connection, log: true}\n"
			"      - {match: {cmd-rcpt-count: {gt: 100}}, action: reset}\n"
			"      - {match: {cmd-verb: [vrfy, EXPN]}, action: mask, log: true}\n"
			"      - {match: {body-line-length: {gt: 998}}, action: log}\n"
			"      - {match: {body-length: {gt: 1000000}}, action: {rate-limit: 5}}\n"
			"      - {match: {header-line-length: {gt: 998}}, log: true}\n"
			"      - {match: {header-length: {gt: 4096}}, action: drop-connection}\n"
			"      - {match: {header-to-fields-count: {gt: 10}}, log: true}\n"
			"      - {match: {invalid-recipients-count: {gt: 3}}, action: reset, log: true}\n"
			"      - {match: {sender-address-length: {gt: 320}}, log: true}\n"
			"      - {match: {sender-address-regex: r1}, action: drop-connection}\n"
			"      - {match: {sender-address-regex: {class: rc}}, not: true, log: true}\n"
			"      - {match: {mime-filename-length: {gt: 255}}, log: true}\n"
			"      - {match: {mime-filetype-regex: {regex: r2}}, log: true}\n"
			"      - {match: {mime-encoding: [base64, others]}, log: true}\n"
			"      - {match: {ehlo-reply-parameter: [others, CHUNKING]}, action: mask}\n"
			"policy-maps:\n"
			"  global_policy: [{class: inspection_default, inspect: {esmtp: m}}]\n",
			&c);
	static const char *const labels[][2] = {
			{"cmd line length gt 512", "drop-connection log"},
			{"cmd RCPT count gt 100", "reset"},
			{"cmd verb VRFY EXPN", "mask log"},
			{"body line length gt 998", "log"},
			{"body length gt 1000000", "rate-limit 5"},
			{"header line length gt 998", "log"},
			{"header length gt 4096", "drop-connection"},
			{"header to-fields count gt 10", "log"},
			{"invalid-recipients count gt 3", "reset log"},
			{"sender-address length gt 320", "log"},
			{"sender-address regex r1", "drop-connection"},
			{"not sender-address regex class rc", "log"},
			{"MIME filename length gt 255", "log"},
			{"MIME filetype regex r2", "log"},
			{"MIME encoding base64 others", "log"},
			{"ehlo-reply-parameter CHUNKING others", "mask"},
	};
	int m = policy_find_imap(p, "m");
	unsigned int i;

	cr_assert_geq(m, 0);
	cr_assert_eq(policy_imap_esmtp(p, (unsigned int)m)->n_rules, 16);
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		cr_assert_str_eq(policy_rule_label(p, (unsigned int)m, i), labels[i][0]);
		cr_assert_str_eq(policy_rule_action_label(p, (unsigned int)m, i), labels[i][1]);
	}
	cr_assert_str_eq(policy_rule_label(p, (unsigned int)m, 16), "?");
	cr_assert_str_eq(policy_rule_label(p, 99, 0), "?");
	config_free(&c);
}

Test(format, counters_account_verdicts_rules_events)
{
	struct policy_class_counters c;
	struct esmtp_result r;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	r.verdict = ESMTP_FORWARD;
	r.n_events = 1;
	r.events[0].id = ESMTP_EV_BANNER_MASKED;
	r.events[0].rule = ESMTP_RULE_NONE;
	policy_counters_account(&c, &r);
	r.verdict = ESMTP_DROP_CONN;
	r.events[0].id = ESMTP_EV_CMD_LINE_LENGTH;
	r.events[0].rule = 0;
	policy_counters_account(&c, &r);
	r.verdict = ESMTP_RESET;
	r.n_events = 0;
	policy_counters_account(&c, &r);
	cr_assert_eq(c.packets, 3);
	cr_assert_eq(c.drop, 1);
	cr_assert_eq(c.reset_drop, 1);
	cr_assert_eq(c.rules[0], 1);
	cr_assert_eq(c.events[ESMTP_EV_BANNER_MASKED], 1);
	cr_assert_eq(c.events[ESMTP_EV_CMD_LINE_LENGTH], 1);
}

Test(format, whole_show_with_limits_exemptions_and_ios)
{
	struct config c;
	char path[512], err[CONFIG_ERR_LEN] = "";
	char *buf;
	int n;

	snprintf(path, sizeof(path), "%s/config/examples/mpf-connection-limits.yaml", SOURCE_ROOT);
	config_default(&c);
	cr_assert_eq(config_load(path, &c, err, sizeof(err)), 0, "%s", err);
	n = policy_format_service_policy(c.policy, NULL, false, NULL, 0);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(policy_format_service_policy(c.policy, NULL, false, buf, (size_t)n + 1), n);
	cr_assert(strstr(buf, "Interface pair 1:\n  Service-policy: dmz_policy\n") != NULL, "%s",
			buf);
	cr_assert(strstr(buf,
				  "      Set connection policy: conn-max 1000 embryonic-conn-max 200 "
				  "per-client-max 20 per-client-embryonic-max 5 embryonic-action intercept\n"
				  "        connections 0, drop 0, intercept 0\n") != NULL,
			"%s", buf);
	cr_assert(strstr(buf, "embryonic 0:00:10 idle 0:30:00 half-closed 0:00:30") != NULL);
	cr_assert(strstr(buf, "    Class-map: submission\n      No inspection") != NULL);
	free(buf);
	/* inspect_only leaves the exemption out */
	buf = malloc(8192);
	policy_format_service_policy(c.policy, NULL, true, buf, 8192);
	cr_assert(strstr(buf, "submission") == NULL);
	free(buf);
	config_free(&c);
}

Test(format, enum_names)
{
	cr_assert_str_eq(policy_proto_name(6), "tcp");
	cr_assert_str_eq(policy_proto_name(0), "ip");
	cr_assert_str_eq(policy_proto_name(200), "?");
	cr_assert_str_eq(policy_inspect_name(POLICY_INSPECT_SMTP), "smtp");
	cr_assert_str_eq(policy_limit_name(POLICY_LIMIT_PER_CLIENT_MAX), "per-client-max");
	cr_assert_eq(policy_limit_msgid(POLICY_LIMIT_PER_CLIENT_MAX), 201013);
	cr_assert_eq(policy_limit_msgid(POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX), 201012);
	cr_assert_str_eq(policy_timeout_name(POLICY_TIMEOUT_HALF_CLOSED), "half-closed");
	cr_assert_str_eq(policy_log_dest_name(POLICY_LOG_SYSLOG), "syslog");
	cr_assert_str_eq(policy_limit_name(99), "?");
}
