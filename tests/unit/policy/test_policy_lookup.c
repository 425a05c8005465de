/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/policy: what a new connection gets (policy_classify): the ASA
 * default, the gateway exemption of REFERENCE.md section 0, features
 * decided per class, per-pair policies, IOS bindings, statics. */
#include <stdio.h>

#include "helpers.h"

static struct policy *
load_file(const char *rel, struct config *c)
{
	char path[512], err[CONFIG_ERR_LEN] = "";

	snprintf(path, sizeof(path), "%s/%s", SOURCE_ROOT, rel);
	config_default(c);
	cr_assert_eq(config_load(path, c, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(c->policy, "%s has policy sections", rel);
	return c->policy;
}

static void
assert_default_map(const struct esmtp_policy *e)
{
	struct esmtp_policy ref;

	esmtp_policy_default(&ref);
	cr_assert_not_null(e);
	cr_assert_eq(e->n_rules, ref.n_rules);
	cr_assert_eq(memcmp(e->rules, ref.rules, sizeof(ref.rules)), 0);
	cr_assert_eq(e->mask_banner, 1);
	cr_assert_eq(e->allow_tls, 0);
}

Test(lookup, builtin_default_inspects_tcp_25_only)
{
	struct policy *p = policy_new_default();
	struct policy_match m;
	struct policy_key k = key(6, "198.51.100.1", 40000, "192.0.2.25", 25);

	cr_assert_not_null(p);
	cr_assert_eq(policy_n_classes(p), 1);
	cr_assert_not_null(policy_classify(p, &k, &m));
	assert_default_map(m.esmtp);
	cr_assert_str_eq(m.inspect->name, "inspection_default");
	cr_assert_str_eq(m.inspect->imap_name, "_default_esmtp_map");
	cr_assert_str_eq(m.inspect->pmap_name, "global_policy");
	cr_assert_null(m.conn);
	cr_assert_null(m.stat);
	k.dport = 587;
	cr_assert_null(policy_classify(p, &k, &m));
	cr_assert_null(m.inspect);
	k = key(17, "198.51.100.1", 40000, "192.0.2.25", 25);
	cr_assert_null(policy_classify(p, &k, &m), "UDP/25 is not default-inspection-traffic");
	k = key(6, "2001:db8::1", 40000, "2001:db8::25", 25);
	cr_assert_not_null(policy_classify(p, &k, &m), "IPv6 too");
	policy_free(p);
}

Test(lookup, gateway_exemption_reference_section_0)
{
	struct config c;
	struct policy *p = load_file("config/examples/tac-gateway-exemption.yaml", &c);
	struct policy_match m;
	struct policy_key k;

	/* to the gateway: exempt */
	k = key(6, "203.0.113.5", 51000, "192.168.1.1", 25);
	cr_assert_null(policy_classify(p, &k, &m));
	cr_assert_not_null(m.inspect);
	cr_assert_str_eq(m.inspect->name, "ironport_esa");
	cr_assert_eq(m.inspect->inspect, POLICY_INSPECT_NONE);
	/* from the gateway (it delivers outbound): exempt */
	k = key(6, "192.168.1.1", 51000, "198.51.100.9", 25);
	cr_assert_null(policy_classify(p, &k, &m));
	cr_assert_str_eq(m.inspect->name, "ironport_esa");
	/* everyone else: the default map */
	k = key(6, "192.168.1.2", 51000, "198.51.100.9", 25);
	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_str_eq(m.inspect->name, "inspection_default");
	assert_default_map(m.esmtp);
	k = key(6, "203.0.113.5", 51000, "192.168.1.10", 25);
	cr_assert_not_null(policy_classify(p, &k, &m));
	config_free(&c);
}

Test(lookup, features_are_decided_separately)
{
	struct config c;
	struct policy *p = load_file("config/examples/tac-static-limits.yaml", &c);
	struct policy_match m;
	struct policy_key k = key(6, "203.0.113.5", 51000, "192.168.1.1", 25);

	/* esa_smtp sets limits only: inspection still comes from
	 * inspection_default, as on the ASA (one class per feature). */
	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_str_eq(m.conn->name, "esa_smtp");
	cr_assert_eq(m.conn->limits[POLICY_LIMIT_CONN_MAX], 50);
	cr_assert_eq(m.conn->limits[POLICY_LIMIT_EMBRYONIC_CONN_MAX], 100);
	cr_assert_eq(m.conn->limits[POLICY_LIMIT_PER_CLIENT_MAX], 0);
	cr_assert_str_eq(m.inspect->name, "inspection_default");
	cr_assert_neq(m.conn->id, m.inspect->id);
	/* and the legacy static covers the same host */
	cr_assert_not_null(m.stat);
	cr_assert_eq(m.stat->tcp_max_conns, 50);
	cr_assert_eq(m.stat->tcp_em_limit, 100);
	k = key(6, "203.0.113.5", 51000, "192.168.1.2", 25);
	policy_classify(p, &k, &m);
	cr_assert_null(m.conn);
	cr_assert_null(m.stat);
	config_free(&c);
}

Test(lookup, statics)
{
	struct config c;
	struct policy *p = load_yaml(
			"statics:\n"
			"  - static (inside,outside) 1.1.1.1 192.168.1.1 netmask 255.255.255.255 tcp 50 100\n"
			"  - static (dmz,outside) 1.1.2.0 10.9.0.0 netmask 255.255.255.0 70 udp 0\n"
			"  - {real: '2001:db8::/64', mapped: '2001:db8:f::', tcp: {max-conns: 7}}\n"
			"  - {real: 192.168.1.0/24, tcp: {embryonic-limit: 3}}\n",
			&c);
	const struct policy_static *s;
	struct policy_key k;

	cr_assert_eq(policy_n_statics(p), 4);
	k = key(6, "203.0.113.5", 1, "192.168.1.1", 25);
	s = policy_static_lookup(p, &k);
	cr_assert_not_null(s);
	cr_assert_eq(s->id, 0, "first match, even when a later static covers it too");
	cr_assert_str_eq(s->real_if, "inside");
	cr_assert_str_eq(s->mapped_if, "outside");
	cr_assert_eq(s->mapped[3], 1);
	k = key(6, "203.0.113.5", 1, "192.168.1.9", 25);
	cr_assert_eq(policy_static_lookup(p, &k)->id, 3);
	cr_assert_eq(policy_static_lookup(p, &k)->tcp_em_limit, 3);
	k = key(6, "203.0.113.5", 1, "10.9.0.200", 25);
	s = policy_static_lookup(p, &k);
	cr_assert_eq(s->tcp_max_conns, 70);
	cr_assert_eq(s->tcp_em_limit, 0);
	cr_assert_eq(s->udp_max_conns, 0, "udp 0: unlimited, the only UDP limit accepted");
	cr_assert_str_eq(s->real_if, "dmz");
	k = key(6, "2001:db8:1::1", 1, "2001:db8::abcd", 25);
	cr_assert_eq(policy_static_lookup(p, &k)->tcp_max_conns, 7);
	k = key(6, "2001:db8:1::1", 1, "2001:db8:1::abcd", 25);
	cr_assert_null(policy_static_lookup(p, &k));
	k = key(6, "192.168.1.1", 1, "203.0.113.5", 25);
	cr_assert_null(policy_static_lookup(p, &k), "the real address is matched as destination");
	config_free(&c);
}

Test(lookup, pair_policy_wins_per_feature)
{
	struct config c;
	struct policy *p = load_file("config/examples/mpf-connection-limits.yaml", &c);
	struct policy_match m;
	struct policy_key k = key(6, "2001:db8:1::7", 40000, "2001:db8:25::10", 25);

	/* pair 0: the global policy only */
	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_str_eq(m.inspect->pmap_name, "global_policy");
	cr_assert_null(m.conn);
	/* pair 1 (net_tap2/net_tap3): dmz_policy first */
	k.pair = 1;
	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_str_eq(m.inspect->pmap_name, "dmz_policy");
	cr_assert_str_eq(m.inspect->name, "mx");
	cr_assert_eq(m.conn, m.inspect);
	cr_assert_eq(m.conn->limits[POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX], 5);
	cr_assert_eq(m.conn->timeouts[POLICY_TIMEOUT_EMBRYONIC], 10);
	cr_assert_eq(m.conn->timeouts[POLICY_TIMEOUT_IDLE], 1800);
	cr_assert_eq(m.conn->timeouts[POLICY_TIMEOUT_HALF_CLOSED], 30);
	/* submission is exempt on the DMZ pair */
	k.dport = 587;
	cr_assert_null(policy_classify(p, &k, &m));
	cr_assert_str_eq(m.inspect->name, "submission");
	/* IPv4 mask form of the same list */
	k = key(6, "203.0.113.1", 40000, "198.51.100.77", 25);
	k.pair = 1;
	policy_classify(p, &k, &m);
	cr_assert_str_eq(m.inspect->name, "mx");
	/* not in mx on pair 1: the global inspection_default still applies */
	k = key(6, "203.0.113.1", 40000, "203.0.113.2", 25);
	k.pair = 1;
	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_str_eq(m.inspect->name, "inspection_default");
	cr_assert_eq(policy_service_pair(p, 1), (unsigned int)policy_find_pmap(p, "dmz_policy"));
	cr_assert_eq(policy_service_pair(p, 0), POLICY_NONE);
	config_free(&c);
}

Test(lookup, ios_binding_inspects_inbound_smtp_only)
{
	struct config c;
	struct policy *p = load_file("config/examples/ios-cbac-smtp.yaml", &c);
	const struct policy_ios *ios = policy_ios_get(p);
	struct policy_match m;
	struct policy_key k = key(6, "203.0.113.5", 40000, "172.22.1.110", 25);

	cr_assert(ios->configured);
	cr_assert_eq(ios->alert, 1);
	cr_assert_eq(ios->audit_trail, 0);
	cr_assert_eq(ios->max_incomplete_high, 500);
	cr_assert_eq(ios->max_incomplete_low, 400);
	cr_assert_eq(ios->one_minute_high, 500);
	cr_assert_eq(ios->one_minute_low, 400);
	cr_assert_eq(ios->host_max_incomplete, 50);
	cr_assert_eq(ios->host_block_time, 0);
	cr_assert_eq(c.timeouts.embryonic, 30);
	cr_assert_eq(c.timeouts.closed, 5);

	k.side = POLICY_SIDE_OUTSIDE;
	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert(m.inspect->ios);
	cr_assert_eq(m.inspect->inspect, POLICY_INSPECT_SMTP);
	cr_assert_eq(m.esmtp->mode, ESMTP_MODE_SMTP);
	cr_assert_eq(m.esmtp->max_data, 20000000);
	cr_assert_eq(m.esmtp->mask_banner, 0, "IOS does not mask the banner");
	cr_assert_eq(m.esmtp->n_rules, 0);
	cr_assert_eq(m.inspect->alert, 1);
	cr_assert_eq(m.inspect->audit_trail, 0);
	cr_assert_eq(m.conn->timeouts[POLICY_TIMEOUT_IDLE], 3600);
	/* entering the inside port: not what `ip inspect OUT-IN in` on outside sees */
	k.side = POLICY_SIDE_INSIDE;
	cr_assert_null(policy_classify(p, &k, &m));
	/* denied by access-list 101 */
	k = key(6, "203.0.113.5", 40000, "172.22.1.111", 25);
	cr_assert_null(policy_classify(p, &k, &m));
	cr_assert_eq(policy_service_global(p), POLICY_NONE);
	config_free(&c);
}

Test(lookup, ios_alert_off_silences_the_map)
{
	struct config c;
	struct policy *p =
			load_yaml("ip-inspect:\n"
				  "  alert: off\n"
				  "  audit-trail: on\n"
				  "  names: {X: {esmtp: {max-data: 100}}, Y: {smtp: {alert: on}}}\n"
				  "  bindings: [{name: X}, {name: Y, interface: inside}]\n",
					&c);
	struct policy_match m;
	struct policy_key k = key(6, "203.0.113.5", 40000, "172.22.1.110", 25);
	unsigned int i;

	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_eq(m.inspect->inspect, POLICY_INSPECT_ESMTP);
	cr_assert_eq(m.inspect->alert, 0);
	cr_assert_eq(m.inspect->audit_trail, 1, "the global switch");
	for (i = 0; i < ESMTP_EV_MAX; i++)
		cr_assert_eq(m.esmtp->ev[i].log, 0, "event %u", i);
	k.side = POLICY_SIDE_INSIDE;
	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_eq(m.inspect->alert, 1);
	cr_assert_eq(m.esmtp->ev[ESMTP_EV_MAX_DATA].log, 1);
	config_free(&c);
}

Test(lookup, smtp_class_and_class_default)
{
	struct config c;
	struct policy *p = load_yaml("policy-maps:\n"
				     "  global_policy:\n"
				     "    - {class: inspection_default, inspect: smtp}\n"
				     "    - class: class-default\n"
				     "      set-connection: {per-client-max: 3}\n",
			&c);
	struct policy_match m;
	struct policy_key k = key(6, "203.0.113.5", 40000, "192.0.2.1", 25);

	cr_assert_not_null(policy_classify(p, &k, &m));
	cr_assert_eq(m.esmtp->mode, ESMTP_MODE_SMTP);
	cr_assert_str_eq(m.conn->name, "class-default");
	k = key(17, "203.0.113.5", 40000, "192.0.2.1", 53);
	cr_assert_null(policy_classify(p, &k, &m));
	cr_assert_null(m.inspect);
	cr_assert_eq(m.conn->limits[POLICY_LIMIT_PER_CLIENT_MAX], 3);
	config_free(&c);
}

Test(lookup, class_ids_index_counters)
{
	struct config c;
	struct policy *p = load_file("config/examples/mpf-connection-limits.yaml", &c);
	unsigned int i, n = policy_n_classes(p);

	cr_assert_eq(n, 3);
	for (i = 0; i < n; i++) {
		const struct policy_class *cl = policy_class_get(p, i);

		cr_assert_not_null(cl);
		cr_assert_eq(cl->id, i);
		cr_assert_eq(policy_pmap_class(p, cl->pmap, 0)->pmap, cl->pmap);
	}
	cr_assert_null(policy_class_get(p, n));
	config_free(&c);
}

Test(lookup, no_service_policy_means_no_inspection)
{
	struct config c;
	struct policy *p = load_yaml("service-policy: {global: none}\n", &c);
	struct policy_match m;
	struct policy_key k = key(6, "203.0.113.5", 40000, "192.0.2.1", 25);

	cr_assert_null(policy_classify(p, &k, &m));
	cr_assert_null(m.inspect);
	config_free(&c);
}
