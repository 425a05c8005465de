/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/policy: ASA text forms of addresses, ports and entries; access-list
 * matching (first match wins, implicit deny, IPv6, ranges, any). */
#include <errno.h>

#include "helpers.h"

Test(text, addresses)
{
	struct policy_addr a;
	char why[128];

	cr_assert_eq(policy_parse_addr("any", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.family, 0);
	cr_assert_eq(policy_parse_addr("any6", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.family, 6);
	cr_assert_eq(a.plen, 0);
	cr_assert_eq(policy_parse_addr("host 192.168.1.1", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.family, 4);
	cr_assert_eq(a.plen, 32);
	cr_assert_eq(a.addr[3], 1);
	cr_assert_eq(policy_parse_addr("192.168.1.1", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.plen, 32);
	cr_assert_eq(policy_parse_addr("10.0.0.0/8", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.plen, 8);
	cr_assert_eq(policy_parse_addr("10.1.0.0 255.255.0.0", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.plen, 16);
	cr_assert_eq(policy_parse_addr("2001:db8::/32", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.family, 6);
	cr_assert_eq(a.plen, 32);
	cr_assert_eq(policy_parse_addr("host 2001:db8::25", &a, why, sizeof(why)), 0);
	cr_assert_eq(a.plen, 128);

	cr_assert_eq(policy_parse_addr("10.0.0.1/8", &a, why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "bits outside the prefix") != NULL, "%s", why);
	cr_assert_eq(policy_parse_addr("10.0.0.0 255.0.255.0", &a, why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "contiguous") != NULL, "%s", why);
	cr_assert_eq(policy_parse_addr("10.0.0.0/33", &a, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_addr("host", &a, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_addr("mail.example.com", &a, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_addr("1.2.3.4 extra", &a, why, sizeof(why)), -EINVAL);
}

Test(text, ports)
{
	struct policy_ports r;
	char why[128];

	cr_assert_eq(policy_parse_ports("eq smtp", &r, why, sizeof(why)), 0);
	cr_assert(r.lo == 25 && r.hi == 25);
	cr_assert_eq(policy_parse_ports("587", &r, why, sizeof(why)), 0);
	cr_assert(r.lo == 587 && r.hi == 587);
	cr_assert_eq(policy_parse_ports("range 1024 65535", &r, why, sizeof(why)), 0);
	cr_assert(r.lo == 1024 && r.hi == 65535);
	cr_assert_eq(policy_parse_ports("lt 1024", &r, why, sizeof(why)), 0);
	cr_assert(r.lo == 0 && r.hi == 1023);
	cr_assert_eq(policy_parse_ports("gt 1023", &r, why, sizeof(why)), 0);
	cr_assert(r.lo == 1024 && r.hi == 65535);
	cr_assert_eq(policy_parse_ports("any", &r, why, sizeof(why)), 0);
	cr_assert(r.lo == 0 && r.hi == 65535);
	cr_assert_eq(policy_parse_ports("range 30 20", &r, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_ports("eq 65536", &r, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_ports("eq nosuch", &r, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_ports("gt 65535", &r, why, sizeof(why)), -EINVAL);
}

Test(text, entries)
{
	struct policy_ace e;
	char why[128];

	cr_assert_eq(policy_parse_ace("permit tcp any host 172.22.1.110 eq smtp", &e, why,
				     sizeof(why)),
			0, "%s", why);
	cr_assert_eq(e.permit, 1);
	cr_assert_eq(e.proto, 6);
	cr_assert_eq(e.src.family, 0);
	cr_assert_eq(e.dst.plen, 32);
	cr_assert(e.dport.lo == 25 && e.dport.hi == 25);
	cr_assert(e.sport.lo == 0 && e.sport.hi == 65535);
	cr_assert_eq(policy_parse_ace("extended deny udp 10.0.0.0 255.0.0.0 range 1 1023 any", &e,
				     why, sizeof(why)),
			0, "%s", why);
	cr_assert_eq(e.permit, 0);
	cr_assert_eq(e.src.plen, 8);
	cr_assert(e.sport.lo == 1 && e.sport.hi == 1023);
	cr_assert_eq(policy_parse_ace("permit ip any 192.168.1.1", &e, why, sizeof(why)), 0);
	cr_assert_eq(e.proto, 0);

	cr_assert_eq(policy_parse_ace("permit ip any any eq 25", &e, why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "only for tcp and udp") != NULL, "%s", why);
	cr_assert_eq(policy_parse_ace("allow tcp any any", &e, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_ace("permit gre any any", &e, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_ace("permit tcp any any eq 25 junk", &e, why, sizeof(why)),
			-EINVAL);
	cr_assert_eq(policy_parse_ace("permit tcp any", &e, why, sizeof(why)), -EINVAL);
	cr_assert_eq(policy_parse_proto("47"), 47);
	cr_assert_eq(policy_parse_proto("256"), -EINVAL);
}

static const char *acl_yaml = "access-lists:\n"
			      "  a:\n"
			      "    - deny tcp host 10.0.0.66 any eq 25\n"
			      "    - permit tcp 10.0.0.0/8 any eq 25\n"
			      "    - permit tcp any range 1024 65535 host 192.0.2.25 range 25 26\n"
			      "    - permit ip 2001:db8::/32 any6\n"
			      "    - permit udp any any eq domain\n"
			      "    - deny ip any any\n"
			      "    - permit ip any any\n";

Test(acl, first_match_wins_and_implicit_deny)
{
	struct config c;
	struct policy *p = load_yaml(acl_yaml, &c);
	int a = policy_find_acl(p, "a");
	struct policy_key k;

	cr_assert_geq(a, 0);
	cr_assert_eq(policy_acl_len(p, (unsigned int)a), 7);
	/* the deny before the permit wins */
	k = key(6, "10.0.0.66", 40000, "198.51.100.1", 25);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 0);
	k = key(6, "10.0.0.67", 40000, "198.51.100.1", 25);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 1);
	/* wrong port: falls to "deny ip any any" before "permit ip any any" */
	k = key(6, "10.0.0.67", 40000, "198.51.100.1", 80);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 0);
	/* port ranges on both sides, both ends inclusive */
	k = key(6, "203.0.113.9", 1024, "192.0.2.25", 26);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 1);
	k = key(6, "203.0.113.9", 1023, "192.0.2.25", 25);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 0);
	k = key(6, "203.0.113.9", 65535, "192.0.2.25", 27);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 0);
	/* IPv6 prefix, any protocol */
	k = key(17, "2001:db8:1::5", 5000, "2001:db8:2::25", 9);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 1);
	k = key(6, "2001:db9::5", 5000, "2001:db8:2::25", 25);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 0);
	/* a service name as a port; udp only */
	k = key(17, "192.0.2.1", 5353, "192.0.2.53", 53);
	cr_assert_eq(policy_acl_match(p, (unsigned int)a, &k), 1);
	config_free(&c);
}

Test(acl, implicit_deny_at_the_end)
{
	struct config c;
	struct policy *p = load_yaml("access-lists:\n"
				     "  only_mx:\n"
				     "    - permit tcp any host 192.0.2.25 eq smtp\n"
				     "  empty: []\n",
			&c);
	struct policy_key k = key(6, "198.51.100.7", 1234, "192.0.2.26", 25);

	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "only_mx"), &k), 0);
	k = key(6, "198.51.100.7", 1234, "192.0.2.25", 25);
	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "only_mx"), &k), 1);
	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "empty"), &k), 0);
	cr_assert_eq(policy_acl_match(p, 999, &k), 0);
	config_free(&c);
}

Test(acl, any_matches_both_families_any4_only_v4)
{
	struct config c;
	struct policy *p = load_yaml("access-lists:\n"
				     "  v4: ['permit tcp any4 any eq 25']\n"
				     "  both: ['permit tcp any any eq 25']\n"
				     "  prefix: ['permit tcp any 192.168.0.0/23 eq 25']\n",
			&c);
	struct policy_key k6 = key(6, "2001:db8::1", 1234, "2001:db8::25", 25);
	struct policy_key k4 = key(6, "192.0.2.1", 1234, "192.168.1.200", 25);
	struct policy_key k4b = key(6, "192.0.2.1", 1234, "192.168.2.1", 25);

	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "v4"), &k6), 0);
	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "v4"), &k4), 1);
	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "both"), &k6), 1);
	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "prefix"), &k4), 1);
	cr_assert_eq(policy_acl_match(p, (unsigned int)policy_find_acl(p, "prefix"), &k4b), 0);
	config_free(&c);
}

Test(builder, refuses_what_is_wrong)
{
	struct policy *p = policy_new();
	struct policy_ace e;
	struct policy_cmatch m;
	char why[64];
	int a, b;

	cr_assert_not_null(p);
	a = policy_acl_add(p, "a");
	cr_assert_eq(a, 0);
	cr_assert_eq(policy_acl_add(p, "a"), -EEXIST);
	b = policy_acl_add(p, "b");
	cr_assert_eq(policy_parse_ace("permit tcp any any", &e, why, sizeof(why)), 0);
	cr_assert_eq(policy_ace_add(p, (unsigned int)a, &e), -EINVAL, "only the last list grows");
	cr_assert_eq(policy_ace_add(p, (unsigned int)b, &e), 0);
	memset(&m, 0, sizeof(m));
	m.acl = 77;
	cr_assert_eq(policy_cmap_add(p, "x", &m), -ENOENT);
	m.acl = POLICY_NONE;
	m.any = 1;
	cr_assert_geq(policy_cmap_add(p, "x", &m), 0);
	cr_assert_eq(policy_cmap_add(p, "x", &m), -EEXIST);
	/* built-ins may be redefined once */
	cr_assert_eq(policy_cmap_add(p, "inspection_default", &m), 0);
	cr_assert_eq(policy_cmap_add(p, "inspection_default", &m), -EEXIST);
	cr_assert_eq(policy_imap_add(p, "_default_esmtp_map"), 0);
	cr_assert_eq(policy_imap_add(p, "_default_esmtp_map"), -EEXIST);
	cr_assert_eq(policy_acl_add(p, ""), -EINVAL);
	cr_assert_eq(policy_finalize(p), 0);
	cr_assert(policy_is_final(p));
	cr_assert_eq(policy_acl_add(p, "late"), -EINVAL, "a finalized policy is read-only");
	cr_assert_null(policy_imap_mut(p, 0));
	policy_free(p);
	policy_free(NULL);
}

Test(builder, capacity_is_an_error_not_a_crash)
{
	struct policy *p = policy_new();
	struct policy_ace e;
	char name[32], why[64];
	unsigned int i;
	int rc = 0;

	cr_assert_eq(policy_parse_ace("permit tcp any any", &e, why, sizeof(why)), 0);
	cr_assert_eq(policy_acl_add(p, "big"), 0);
	for (i = 0; i <= POLICY_MAX_ACES && rc >= 0; i++)
		rc = policy_ace_add(p, 0, &e);
	cr_assert_eq(rc, -ENOSPC);
	cr_assert_eq(i, POLICY_MAX_ACES + 1);
	for (i = 1; i <= POLICY_MAX_ACLS; i++) {
		snprintf(name, sizeof(name), "l%u", i);
		rc = policy_acl_add(p, name);
	}
	cr_assert_eq(rc, -ENOSPC);
	policy_free(p);
}
