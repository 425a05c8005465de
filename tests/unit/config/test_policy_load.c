/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: the policy sections. Every shipped file loads and compiles to
 * what its Cisco original means; every error class is refused with its
 * exact file:line:column and message; the ASA -> YAML table of
 * docs/configuration.md holds.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "sw_config.h"
#include "policy.h"

static int
load(const char *text, struct config *c, char *err)
{
	config_default(c);
	return config_load_string("t.yaml", text, strlen(text), c, err, CONFIG_ERR_LEN);
}

static unsigned int
load_dir(const char *rel)
{
	char dir[512], path[1024], err[CONFIG_ERR_LEN];
	struct dirent *e;
	unsigned int n = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/%s", SOURCE_ROOT, rel);
	dp = opendir(dir);
	cr_assert_not_null(dp, "%s", dir);
	while ((e = readdir(dp)) != NULL) {
		struct config c;
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		config_default(&c);
		err[0] = '\0';
		cr_assert_eq(config_load(path, &c, err, sizeof(err)), 0, "%s", err);
		cr_assert_not_null(c.policy, "%s has a policy", path);
		cr_assert(policy_is_final(c.policy));
		config_free(&c);
		n++;
	}
	closedir(dp);
	return n;
}

Test(policy_files, every_shipped_file_loads)
{
	cr_assert_eq(load_dir("config"), 1);
	cr_assert_geq(load_dir("config/examples"), 5);
}

Test(policy_files, default_yaml_is_the_asa_default_exactly)
{
	struct config c;
	char path[512], err[CONFIG_ERR_LEN] = "";
	struct esmtp_policy ref;
	const struct esmtp_policy *e;
	const struct policy_class *cl;
	static const char *const labels[][2] = {
			{"cmd line length gt 512", "drop-connection log"},
			{"cmd RCPT count gt 100", "drop-connection log"},
			{"body line length gt 998", "log"},
			{"header line length gt 998", "drop-connection log"},
			{"sender-address length gt 320", "drop-connection log"},
			{"MIME filename length gt 255", "drop-connection log"},
			{"ehlo-reply-parameter others", "mask"},
	};
	unsigned int i;
	int im;

	snprintf(path, sizeof(path), "%s/config/default.yaml", SOURCE_ROOT);
	config_default(&c);
	cr_assert_eq(config_load(path, &c, err, sizeof(err)), 0, "%s", err);
	im = policy_find_imap(c.policy, "_default_esmtp_map");
	cr_assert_eq(im, 0);
	e = policy_imap_esmtp(c.policy, (unsigned int)im);
	esmtp_policy_default(&ref);
	cr_assert_eq(e->n_rules, 7);
	for (i = 0; i < 7; i++) {
		cr_assert_eq(e->rules[i].crit, ref.rules[i].crit, "rule %u", i);
		cr_assert_eq(e->rules[i].gt, ref.rules[i].gt, "rule %u", i);
		cr_assert_eq(e->rules[i].set, ref.rules[i].set, "rule %u", i);
		cr_assert_eq(e->rules[i].action, ref.rules[i].action, "rule %u", i);
		cr_assert_eq(e->rules[i].log, ref.rules[i].log, "rule %u", i);
		cr_assert_eq(e->rules[i].negate, 0);
		cr_assert_str_eq(policy_rule_label(c.policy, 0, i), labels[i][0]);
		cr_assert_str_eq(policy_rule_action_label(c.policy, 0, i), labels[i][1]);
	}
	cr_assert_eq(memcmp(e->rules, ref.rules, sizeof(ref.rules)), 0);
	cr_assert_eq(memcmp(e->ev, ref.ev, sizeof(ref.ev)), 0);
	cr_assert_eq(e->mask_banner, 1);
	cr_assert_eq(e->allow_tls, 0);
	cr_assert_eq(e->special_char, 0);
	cr_assert_eq(e->relay_domain[0], '\0');
	cr_assert_eq(e->mode, ESMTP_MODE_ESMTP);
	cr_assert_eq(e->verbs_allowed, ref.verbs_allowed);
	cr_assert_eq(policy_n_classes(c.policy), 1);
	cl = policy_class_get(c.policy, 0);
	cr_assert_str_eq(cl->name, "inspection_default");
	cr_assert_str_eq(cl->pmap_name, "global_policy");
	cr_assert_eq(cl->esmtp, e);
	cr_assert_eq(policy_service_global(c.policy), 0);
	cr_assert_eq(policy_logging_get(c.policy)->dest, POLICY_LOG_STDOUT);
	cr_assert_eq(policy_logging_get(c.policy)->level, 7);
	cr_assert_eq(policy_logging_get(c.policy)->msg_limits[0].msgid, 201012);
	cr_assert_eq(c.timeouts.idle, 3600, "the wire and flows sections still apply");
	config_free(&c);
}

Test(policy_files, logging_hosts_and_their_defaults)
{
	struct config c;
	char err[CONFIG_ERR_LEN];
	const struct policy_logging *lg;

	cr_assert_eq(load("logging:\n  device-id: mx-edge-1\n  hosts:\n"
			  "    - {address: 192.0.2.1}\n"
			  "    - {address: '2001:db8::5', protocol: tcp}\n"
			  "    - {address: 192.0.2.2, protocol: tcp, port: 1470, format: rfc3164}\n",
				     &c, err),
			0, "%s", err);
	lg = policy_logging_get(c.policy);
	cr_assert_eq(lg->n_hosts, 3);
	cr_assert_str_eq(lg->device_id, "mx-edge-1");
	cr_assert_eq(lg->hosts[0].addr.family, 4);
	cr_assert_eq(lg->hosts[0].proto, 0);
	cr_assert_eq(lg->hosts[0].port, 514, "UDP: 514");
	cr_assert_eq(lg->hosts[0].format, 1, "RFC 5424 by default");
	cr_assert_eq(lg->hosts[1].addr.family, 6);
	cr_assert_eq(lg->hosts[1].port, 601, "TCP: 601 (RFC 6587)");
	cr_assert_eq(lg->hosts[2].port, 1470);
	cr_assert_eq(lg->hosts[2].format, 0);
	config_free(&c);
}

Test(policy_files, metrics_listen_v4_and_v6)
{
	struct config c;
	char err[CONFIG_ERR_LEN];

	cr_assert_eq(load("metrics: {listen: '[::1]:9580', textfile: /tmp/x.prom}\n", &c, err), 0,
			"%s", err);
	cr_assert_eq(c.metrics.family, 6);
	cr_assert_eq(c.metrics.port, 9580);
	cr_assert_eq(c.metrics.addr[15], 1);
	cr_assert_str_eq(c.metrics.textfile, "/tmp/x.prom");
	cr_assert_eq(c.metrics.interval, 15, "the default");
	config_free(&c);
	cr_assert_eq(load("metrics: {listen: 192.0.2.1:80, interval: 2}\n", &c, err), 0, "%s", err);
	cr_assert_eq(c.metrics.family, 4);
	cr_assert_eq(c.metrics.addr[0], 192);
	cr_assert_eq(c.metrics.port, 80);
	cr_assert_eq(c.metrics.interval, 2);
	config_free(&c);
}

Test(policy_files, no_policy_section_leaves_policy_null)
{
	struct config c;
	char err[CONFIG_ERR_LEN];

	cr_assert_eq(load("wire: {workers: 2}\n", &c, err), 0, "%s", err);
	cr_assert_null(c.policy, "NULL means the built-in default");
	config_free(&c);
}

Test(policy_files, a_new_load_replaces_the_policy)
{
	struct config c;
	char err[CONFIG_ERR_LEN];
	const char *y = "service-policy: {global: global_policy}\n";

	cr_assert_eq(load(y, &c, err), 0, "%s", err);
	cr_assert_not_null(c.policy);
	cr_assert_eq(config_load_string("t.yaml", y, strlen(y), &c, err, sizeof(err)), 0);
	cr_assert_eq(config_load_string("t.yaml", "statics: 3\n", 11, &c, err, sizeof(err)), -1);
	cr_assert_not_null(c.policy, "a failed load keeps the old policy");
	config_free(&c);
	cr_assert_null(c.policy);
}

struct bad_case {
	const char *yaml;
	const char *err; /* the whole message */
};

static const struct bad_case bad[] = {
		{"access-lists:\n  a: ['permit tcp any any eq 25']\nclass-maps:\n  c: {match: {access-list: nosuch}}\n",
				"t.yaml:4:28: unknown access-list 'nosuch'"},
		{"policy-maps:\n  p:\n    - {class: nosuch}\n",
				"t.yaml:3:15: unknown class-map 'nosuch'"},
		{"policy-maps:\n  p:\n    - {class: inspection_default, inspect: {esmtp: nosuch}}\n",
				"t.yaml:3:52: unknown inspect map 'nosuch'"},
		{"service-policy: {global: nosuch}\n", "t.yaml:1:26: unknown policy-map 'nosuch'"},
		{"policy-maps:\n  p:\n    - class: inspection_default\n      inspect: {esmtp: _default_esmtp_map, smtp: true}\n",
				"t.yaml:4:44: smtp and esmtp inspection cannot be configured on the same class"},
		{"ip-inspect:\n  names:\n    X: {smtp: true, esmtp: true}\n",
				"t.yaml:3:21: smtp and esmtp inspection cannot be configured together"},
		{"access-lists:\n  a: []\n  a: []\n",
				"t.yaml:3:3: duplicate name 'a' in access-lists"},
		{"class-maps:\n  c: {match: any, colour: red}\n",
				"t.yaml:2:19: unknown key 'colour'"},
		{"inspect-maps:\n  m:\n    rules:\n      - {match: {cmd-line-length: {gt: 512}}, action: mask}\n",
				"t.yaml:4:55: action 'mask' is only valid for cmd-verb and ehlo-reply-parameter"},
		{"inspect-maps:\n  m:\n    rules:\n      - {match: {cmd-verb: [VRFY]}, action: mask}\n      - {match: {body-length: {gt: big}}, log: true}\n",
				"t.yaml:5:36: 'big' is not a non-negative integer"},
		{"policy-maps:\n  p:\n    - class: inspection_default\n      set-connection: {conn-max: 2000001}\n",
				"t.yaml:4:34: 2000001 is out of range [0, 2000000]"},
		{"policy-maps:\n  p:\n    - class: inspection_default\n      set-connection: {timeout: {embryonic: 0:00:04}}\n",
				"t.yaml:4:45: embryonic timeout must be 0 or at least 0:00:05"},
		{"access-lists:\n  a:\n    - permit tcp any host 10.0.0.1 eq smpt\n",
				"t.yaml:3:7: 'smpt' is not a port number (0..65535) or name"},
		{"access-lists:\n  a:\n    - {action: permit, protocol: ip, destination-port: eq 25}\n",
				"t.yaml:3:56: ports are only for tcp and udp entries"},
		{"inspect-maps:\n  m:\n    rules:\n      - {match: {sender-address-regex: evil}, action: drop-connection}\n",
				"t.yaml:4:40: unknown regex 'evil'"},
		{"regex:\n  r: 'a(b'\n", "t.yaml:2:6: regex 'r': missing ')' at offset 1"},
		{"regex:\n  r: '[:alpha:]'\n",
				"t.yaml:2:6: regex 'r': a POSIX class only inside a set: write [[:name:]] at offset 0"},
		{"regex:\n  r: {pattern: 'x(?=@)'}\n",
				"t.yaml:2:16: regex 'r': (?...) is not supported (look-around, flags, named groups); only (?:...) at offset 1"},
		{"inspect-maps:\n  m:\n    rules:\n      - {match: {cmd-line-length: {gt: 512}}}\n",
				"t.yaml:4:9: a rule needs an action (drop-connection, reset, log, mask, {rate-limit: N}) or log: true"},
		{"inspect-maps:\n  m:\n    rules:\n      - {match: {cmd-line-lenght: {gt: 512}}, log: true}\n",
				"t.yaml:4:18: unknown criterion 'cmd-line-lenght' (see docs/configuration.md)"},
		{"statics:\n  - static (inside,outside) 1.1.1.1 192.168.1.1 netmask 255.255.255.255 tcp 50 2000001\n",
				"t.yaml:2:5: '2000001' is not an embryonic limit (0..2000000)"},
		/* Issue 13: a static's UDP limit was accepted and never enforced. */
		{"statics:\n  - static (inside,outside) 1.1.1.1 192.168.1.1 tcp 50 100 udp 10\n",
				"t.yaml:2:5: udp 10: smtpwall does not count UDP connections, so this limit would "
				"not be enforced (remove it, or write udp 0)"},
		{"statics:\n  - {real: 192.168.1.1, udp: {max-conns: 3}}\n",
				"t.yaml:2:42: udp 3: smtpwall does not count UDP connections, so this limit would "
				"not be enforced (remove it, or write udp 0)"},
		{"ip-inspect:\n  max-incomplete: {high: 400, low: 500}\n",
				"t.yaml:2:19: low (500) must not exceed high (400)"},
		{"ip-inspect:\n  bindings: [{name: NOPE}]\n",
				"t.yaml:2:21: unknown inspection rule 'NOPE'"},
		{"service-policy:\n  interfaces: [{interface: eth9, policy-map: global_policy}]\n",
				"t.yaml:2:28: 'eth9' is not a port of wire.pairs"},
		{"service-policy:\n  interfaces: [{pair: 1, policy-map: global_policy}]\n",
				"t.yaml:2:23: 1 is out of range [0, 0]"},
		{"policy-maps:\n  p:\n    - {class: inspection_default, inspect: esmtp}\n    - {class: inspection_default, no-inspect: esmtp}\n",
				"t.yaml:4:7: class 'inspection_default' is already in policy-map 'p'"},
		{"policy-maps:\n  p:\n    - {class: inspection_default, inspect: esmtp, no-inspect: esmtp}\n",
				"t.yaml:3:63: a class cannot both inspect and no-inspect"},
		{"logging: {destination: file}\n",
				"t.yaml:1:24: destination file needs file: PATH"},
		{"metrics:\n  listen: localhost:9580\n",
				"t.yaml:2:11: listen 'localhost:9580': ADDRESS:PORT, e.g. 127.0.0.1:9580 or [::1]:9580"},
		{"metrics:\n  listen: 127.0.0.1:0\n",
				"t.yaml:2:11: listen '127.0.0.1:0': ADDRESS:PORT, e.g. 127.0.0.1:9580 or [::1]:9580"},
		{"metrics:\n  interval: 0\n", "t.yaml:2:13: 0 is out of range [1, 3600]"},
		{"logging:\n  hosts: [{address: 10.0.0.0/8}]\n",
				"t.yaml:2:21: address '10.0.0.0/8': a host address (IPv4 or IPv6), not a prefix or any"},
		{"logging:\n  hosts: [{port: 514}]\n",
				"t.yaml:2:11: a logging host needs an address"},
		{"logging:\n  hosts: [{address: 192.0.2.1, protocol: sctp}]\n",
				"t.yaml:2:42: 'sctp' is not one of: udp, tcp"},
		{"logging:\n  device-id: \"mx edge\"\n",
				"t.yaml:2:14: device-id: printable ASCII without spaces (it is syslog's HOSTNAME)"},
		{"logging: {level: chatty}\n",
				"t.yaml:1:18: 'chatty' is not one of: emergencies, alerts, critical, errors, warnings, notifications, informational, debugging"},
		{"inspect-maps:\n  m:\n    parameters: {allow-tls: maybe}\n",
				"t.yaml:3:29: 'maybe' is not a boolean (true/false)"},
		{"inspect-maps:\n  m:\n    rules:\n      - {match: {ehlo-reply-parameter: [XFOO]}, action: mask}\n",
				"t.yaml:4:41: unknown EHLO keyword 'XFOO'"},
		{"inspect-maps:\n  m:\n    rules:\n      - {match: {cmd-rcpt-count: {gt: 5}}, action: rate-limit}\n",
				"t.yaml:4:52: rate-limit needs a rate: {rate-limit: N}"},
		{"class-maps:\n  c: {match: {port: tcp eq 99999}}\n",
				"t.yaml:2:21: '99999' is not a port number (0..65535) or name"},
		{"inspect-maps:\n  m: {parameters: {mode: lmtp}}\n",
				"t.yaml:2:26: 'lmtp' is not one of: esmtp, smtp"},
		{"access-lists: [1, 2]\n",
				"t.yaml:1:15: access-lists must be a mapping, not a list"},
		{"statics:\n  - {real: 10.0.0.1, netmask: 255.255.255.0}\n",
				"t.yaml:2:5: real address has bits outside the netmask"},
		{"policy-maps:\n  p:\n    - class: inspection_default\n      set-connection: {embryonic-action: proxy}\n",
				"t.yaml:4:42: embryonic-action must be intercept or drop"},
		{"inspect-maps:\n  m:\n    anomalies: {mime-depth: log}\n",
				"t.yaml:3:17: unknown event 'mime-depth'"},
		{"inspect-maps:\n  m:\n    parameters: {mask-banner: sometimes}\n",
				"t.yaml:3:31: 'sometimes' is not one of: true, false, neutral"},
		{"inspect-maps:\n  m:\n    parameters: {auth-line-length: 0}\n",
				"t.yaml:3:36: 0 is out of range [1, 1048576]"},
};

/* config/examples/modern-esmtp.yaml: the ASA limits, a neutral banner, the
 * modern EHLO keywords kept, RFC 4954 AUTH lines; the default map stays. */
Test(policy_files, modern_esmtp_profile)
{
	char path[512], err[CONFIG_ERR_LEN] = "";
	const struct esmtp_policy *e;
	const struct esmtp_rule *r;
	struct config c;
	int m;

	snprintf(path, sizeof(path), "%s/config/examples/modern-esmtp.yaml", SOURCE_ROOT);
	config_default(&c);
	cr_assert_eq(config_load(path, &c, err, sizeof(err)), 0, "%s", err);
	m = policy_find_imap(c.policy, "modern_esmtp_map");
	cr_assert_geq(m, 0);
	e = policy_imap_esmtp(c.policy, (unsigned int)m);
	cr_assert_eq(e->mask_banner, ESMTP_BANNER_NEUTRAL);
	cr_assert_eq(e->auth_line_max, ESMTP_AUTH_LINE_MAX);
	cr_assert_eq(e->allow_tls, 1);
	cr_assert_eq(e->chunking, 1);
	cr_assert_eq(e->n_rules, 7);
	r = &e->rules[6];
	cr_assert_eq(r->crit, ESMTP_CRIT_EHLO_REPLY_PARAMETER);
	cr_assert_eq(r->negate, 1);
	cr_assert_eq(r->action, ESMTP_ACT_MASK);
	cr_assert(r->set & (1u << ESMTP_EHLO_SMTPUTF8));
	cr_assert(r->set & (1u << ESMTP_EHLO_REQUIRETLS));
	cr_assert_not(r->set & (1u << ESMTP_EHLO_VRFY));
	e = policy_imap_esmtp(
			c.policy, (unsigned int)policy_find_imap(c.policy, "_default_esmtp_map"));
	cr_assert_eq(e->mask_banner, ESMTP_BANNER_MASK, "the ASA default is kept");
	config_free(&c);
}

/* The class that sets embryonic-conn-max 5. */
static const struct policy_class *
class_with_emb_limit(const struct policy *p)
{
	unsigned int i;

	for (i = 0; i < policy_n_classes(p); i++)
		if (policy_class_get(p, i)->limits[POLICY_LIMIT_EMBRYONIC_CONN_MAX] == 5)
			return policy_class_get(p, i);
	cr_assert_fail("no class with embryonic-conn-max 5");
	return NULL;
}

Test(policy_files, embryonic_action_intercept_by_default_or_drop)
{
	struct config c;
	char err[CONFIG_ERR_LEN] = "";

	cr_assert_eq(load("policy-maps:\n  p:\n    - class: inspection_default\n"
			  "      set-connection: {embryonic-conn-max: 5}\n"
			  "service-policy: {global: p}\n",
				     &c, err),
			0, "%s", err);
	cr_assert_eq(class_with_emb_limit(c.policy)->emb_action, POLICY_EMB_INTERCEPT);
	config_free(&c);
	cr_assert_eq(load("policy-maps:\n  p:\n    - class: inspection_default\n"
			  "      set-connection: {embryonic-conn-max: 5, embryonic-action: drop}\n"
			  "service-policy: {global: p}\n",
				     &c, err),
			0, "%s", err);
	cr_assert_eq(class_with_emb_limit(c.policy)->emb_action, POLICY_EMB_DROP);
	config_free(&c);
}

Test(policy_errors, exact_file_line_column_and_message)
{
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config c;
		char err[CONFIG_ERR_LEN] = "";

		cr_assert_eq(load(bad[i].yaml, &c, err), -1, "case %u accepted", i);
		cr_assert_str_eq(err, bad[i].err, "case %u: %s", i, err);
		cr_assert_null(c.policy, "case %u: nothing applied", i);
	}
}

/* docs/configuration.md's ASA / IOS -> YAML table, one row at a time. */
Test(policy_table, asa_and_ios_commands)
{
	struct config c;
	char err[CONFIG_ERR_LEN] = "";
	const struct esmtp_policy *e;
	const struct policy_ace *ace;
	int m;

	/* access-list X extended permit tcp any host 172.22.1.110 eq smtp */
	cr_assert_eq(load("access-lists:\n  X: ['extended permit tcp any host 172.22.1.110 eq smtp']\n"
			  "  Y: [{action: permit, protocol: tcp, destination: host 172.22.1.110,"
			  " destination-port: eq smtp}]\n",
				     &c, err),
			0, "%s", err);
	ace = policy_acl_entry(c.policy, 0, 0);
	cr_assert_eq(memcmp(ace, policy_acl_entry(c.policy, 1, 0), sizeof(*ace)), 0,
			"the line and the mapping are the same entry");
	config_free(&c);

	/* parameters: allow-tls action log / special-character action log /
	 * mail-relay example.com action drop-connection / no mask-banner */
	cr_assert_eq(load("inspect-maps:\n  m:\n    parameters:\n"
			  "      allow-tls: {log: true}\n"
			  "      special-character: {action: log}\n"
			  "      mail-relay: example.com\n"
			  "      mask-banner: false\n"
			  "      chunking: true\n"
			  "      max-data: {bytes: 1000, action: reset}\n"
			  "      verbs: {allow: [EXPN], deny: [HELP]}\n"
			  "    anomalies: {cmd-bare-lf: drop-connection, pipelining: {log: false},\n"
			  "                mime-unfollowable: log}\n",
				     &c, err),
			0, "%s", err);
	m = policy_find_imap(c.policy, "m");
	e = policy_imap_esmtp(c.policy, (unsigned int)m);
	cr_assert_eq(e->allow_tls, 1);
	cr_assert_eq(e->ev[ESMTP_EV_TLS_STARTED].log, 1);
	cr_assert_eq(e->special_char, 1);
	cr_assert_eq(e->ev[ESMTP_EV_ADDR_SPECIAL].action, ESMTP_ACT_LOG);
	cr_assert_str_eq(e->relay_domain, "example.com");
	cr_assert_eq(e->ev[ESMTP_EV_MAIL_RELAY].action, ESMTP_ACT_DROP_CONN);
	cr_assert_eq(e->mask_banner, 0);
	cr_assert_eq(e->chunking, 1);
	cr_assert_eq(e->max_data, 1000);
	cr_assert_eq(e->ev[ESMTP_EV_MAX_DATA].action, ESMTP_ACT_RESET);
	cr_assert(e->verbs_allowed & (1u << ESMTP_VERB_EXPN));
	cr_assert_not(e->verbs_allowed & (1u << ESMTP_VERB_HELP));
	cr_assert(e->verbs_allowed & (1u << ESMTP_VERB_BDAT), "chunking allows BDAT");
	cr_assert_eq(e->ev[ESMTP_EV_CMD_BARE_LF].action, ESMTP_ACT_DROP_CONN);
	cr_assert_eq(e->ev[ESMTP_EV_PIPELINING].log, 0);
	cr_assert_eq(e->ev[ESMTP_EV_MIME_UNFOLLOWABLE].action, ESMTP_ACT_LOG);
	cr_assert_eq(e->ev[ESMTP_EV_MIME_UNFOLLOWABLE].log, 1);
	e = policy_imap_esmtp(
			c.policy, (unsigned int)policy_find_imap(c.policy, "_default_esmtp_map"));
	cr_assert_eq(e->ev[ESMTP_EV_MIME_UNFOLLOWABLE].action, ESMTP_ACT_DROP_CONN,
			"MIME nobody can follow drops by default");
	cr_assert_eq(e->ev[ESMTP_EV_MIME_BOUNDARY_LENGTH].action, ESMTP_ACT_LOG);
	e = policy_imap_esmtp(c.policy, (unsigned int)m);
	cr_assert_eq(e->n_rules, 0, "a new map starts without rules");
	config_free(&c);

	/* match not header to-fields count gt 5 / drop-connection log */
	cr_assert_eq(load("inspect-maps:\n  m:\n    rules:\n"
			  "      - {match: {header-to-fields-count: {gt: 5}}, not: true,"
			  " action: drop-connection, log: true}\n",
				     &c, err),
			0, "%s", err);
	e = policy_imap_esmtp(c.policy, (unsigned int)policy_find_imap(c.policy, "m"));
	cr_assert_eq(e->rules[0].crit, ESMTP_CRIT_HEADER_TO_FIELDS_COUNT);
	cr_assert_eq(e->rules[0].negate, 1);
	cr_assert_eq(e->rules[0].gt, 5);
	cr_assert_eq(e->rules[0].action, ESMTP_ACT_DROP_CONN);
	cr_assert_eq(e->rules[0].log, 1);
	config_free(&c);

	/* inspect esmtp (no map): _default_esmtp_map; service-policy per port name */
	cr_assert_eq(load("wire: {pairs: [{inside: a, outside: b}, {inside: c, outside: d}]}\n"
			  "policy-maps:\n  strict: [{class: class-default, inspect: esmtp}]\n"
			  "service-policy: {interfaces: [{interface: d, policy-map: strict}]}\n",
				     &c, err),
			0, "%s", err);
	cr_assert_eq(policy_service_pair(c.policy, 1),
			(unsigned int)policy_find_pmap(c.policy, "strict"));
	cr_assert_eq(policy_pmap_class(c.policy, (unsigned int)policy_find_pmap(c.policy, "strict"),
				     0)
					->esmtp,
			policy_imap_esmtp(c.policy, 0));
	config_free(&c);
}
