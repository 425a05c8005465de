/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/policy: `show running-config` (the policy written back in ASA
 * syntax) and what packet-tracer reads: the class chain of a pair and a
 * class-map's match as text. */
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

static char *
running(const struct policy *p)
{
	int n = policy_format_running_config(p, NULL, 0);
	char *buf = malloc((size_t)n + 1);

	cr_assert_not_null(buf);
	cr_assert_eq(policy_format_running_config(p, buf, (size_t)n + 1), n);
	cr_assert_eq(strlen(buf), (size_t)n);
	return buf;
}

static void
has_line(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	cr_assert_not_null(strstr(text, want), "no line '%s' in:\n%s", line, text);
}

Test(running, default_policy)
{
	struct policy *p = policy_new_default();
	char *t = running(p);

	has_line(t, "class-map inspection_default");
	has_line(t, " match default-inspection-traffic");
	has_line(t, "policy-map type inspect esmtp _default_esmtp_map");
	has_line(t, "  mask-banner");
	has_line(t, " match cmd line length gt 512");
	has_line(t, "  drop-connection log");
	has_line(t, "policy-map global_policy");
	has_line(t, " class inspection_default");
	has_line(t, "  inspect esmtp _default_esmtp_map");
	has_line(t, "service-policy global_policy global");
	free(t);
	policy_free(p);
}

Test(running, every_section)
{
	struct config c;
	struct policy *p = load_yaml(
			"regex: {bad: '@evil[.]example'}\n"
			"access-lists:\n"
			"  mx:\n"
			"    - permit tcp any host 192.0.2.25 eq smtp\n"
			"    - deny ip 10.0.0.0 255.0.0.0 any\n"
			"class-maps:\n"
			"  mx: {match: {access-list: mx}}\n"
			"  submission: {match: {port: tcp eq 587}}\n"
			"inspect-maps:\n"
			"  strict:\n"
			"    parameters: {mask-banner: neutral, allow-tls: {log: true}}\n"
			"    rules:\n"
			"      - {match: {sender-address-regex: bad}, action: reset, log: true}\n"
			"policy-maps:\n"
			"  global_policy:\n"
			"    - class: mx\n"
			"      inspect: {esmtp: strict}\n"
			"      set-connection:\n"
			"        conn-max: 100\n"
			"        embryonic-conn-max: 20\n"
			"        timeout: {idle: 0:30:00}\n"
			"    - class: submission\n"
			"      no-inspect: [esmtp]\n"
			"statics:\n"
			"  - static (inside,outside) 1.1.1.1 192.168.1.1 netmask 255.255.255.255 tcp 50 100\n"
			"ip-inspect:\n"
			"  names: {OUT-IN: {smtp: {max-data: 20000000, timeout: 3600}}}\n"
			"  bindings: [{name: OUT-IN, interface: outside, direction: in}]\n",
			&c);
	char *t = running(p);
	int n;

	has_line(t, "regex bad (compiled: 13 positions)");
	has_line(t, "access-list mx extended permit tcp any host 192.0.2.25 eq 25");
	has_line(t, "access-list mx extended deny ip 10.0.0.0 255.0.0.0 any");
	has_line(t, "class-map mx");
	has_line(t, " match access-list mx");
	has_line(t, " match port tcp eq 587");
	has_line(t, "policy-map type inspect esmtp strict");
	has_line(t, "  mask-banner neutral");
	has_line(t, "  allow-tls action log");
	has_line(t, " match sender-address regex bad");
	has_line(t, "  reset log");
	has_line(t, " class mx");
	has_line(t, "  inspect esmtp strict");
	has_line(t, "  set connection conn-max 100");
	has_line(t, "  set connection embryonic-conn-max 20");
	has_line(t, "  set connection embryonic-action intercept");
	has_line(t, "  set connection timeout idle 0:30:00");
	has_line(t, " class submission");
	has_line(t, "  no inspect esmtp");
	has_line(t, "static (inside,outside) 1.1.1.1 192.168.1.1/32 tcp 50 100 udp 0");
	has_line(t, "ip inspect max-incomplete high 500");
	cr_assert_not_null(
			strstr(t,
					"\nip inspect name OUT-IN smtp alert on max-data 20000000 "
					"timeout 3600 (class "),
			"%s", t);
	/* snprintf semantics */
	n = (int)strlen(t);
	cr_assert_eq(policy_format_running_config(p, t, 8), n);
	cr_assert_eq(strlen(t), 7);
	free(t);
	config_free(&c);
}

Test(running, chain_and_class_text)
{
	struct config c;
	struct policy *p = load_yaml("access-lists: {mx: [permit tcp any host 192.0.2.25]}\n"
				     "class-maps:\n"
				     "  mx: {match: {access-list: mx, port: tcp eq 25}}\n"
				     "policy-maps:\n"
				     "  global_policy:\n"
				     "    - {class: mx, set-connection: {conn-max: 5}}\n"
				     "    - {class: inspection_default, inspect: esmtp}\n",
			&c);
	const struct policy_class *const *chain;
	char why[256];
	unsigned int n = policy_chain_get(p, 0, &chain);

	cr_assert_eq(n, 2);
	cr_assert_str_eq(chain[0]->name, "mx");
	cr_assert_str_eq(chain[1]->name, "inspection_default");
	cr_assert_str_eq(policy_cmap_describe(p, chain[0]->cmap, why, sizeof(why)),
			"match access-list mx; match port tcp 25-25");
	cr_assert_str_eq(policy_cmap_describe(p, chain[1]->cmap, why, sizeof(why)),
			"match default-inspection-traffic (tcp/25)");
	config_free(&c);
}
