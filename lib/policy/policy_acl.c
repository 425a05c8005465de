/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access-lists: the ASA text forms of addresses, ports and entries, and the
 * first-match scan a new connection goes through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_priv.h"

#define WHY(...) \
	do { \
		if (why != NULL && whylen != 0) \
			snprintf(why, whylen, __VA_ARGS__); \
	} while (0)

static const struct {
	const char *name;
	uint8_t number;
} protos[] = {
#define _(e, s, n) {s, n},
	foreach_policy_proto
#undef _
};

/* The service names an SMTP appliance's operators write (ASA/IOS keywords). */
static const struct {
	const char *name;
	uint16_t port;
} services[] = {
	{"smtp", 25},
	{"submission", 587},
	{"smtps", 465},
	{"domain", 53},
	{"http", 80},
	{"www", 80},
	{"https", 443},
	{"pop3", 110},
	{"imap4", 143},
};

const char *
policy_proto_name(unsigned int proto_number)
{
	unsigned int i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].number == proto_number)
			return protos[i].name;
	return "?";
}

int
policy_parse_proto(const char *s)
{
	unsigned int i;
	char *end;
	unsigned long v;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(s, protos[i].name) == 0)
			return protos[i].number;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 255)
		return -EINVAL;
	return (int)v;
}

/* Splits s into at most max blank-separated tokens (s is a copy we own). */
static unsigned int
tokens(char *s, char **tok, unsigned int max)
{
	unsigned int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		tok[n++] = t;
	}
	return n;
}

static int
mask_len4(const uint8_t *m)
{
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	int len = 0;

	while (len < 32 && (v & (1u << (31 - len))) != 0)
		len++;
	/* Contiguous: nothing set after the first zero bit. */
	if (len < 32 && (v & ((1u << (31 - len)) * 2 - 1)) != 0)
		return -1;
	return len;
}

static int
host_bits_zero(const struct policy_addr *a)
{
	unsigned int bytes = a->family == 4 ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned int bit = i * 8;
		uint8_t keep;

		if (bit + 8 <= a->plen)
			continue;
		keep = bit >= a->plen ? 0 : (uint8_t)(0xff << (8 - (a->plen - bit)));
		if ((a->addr[i] & (uint8_t)~keep) != 0)
			return 0;
	}
	return 1;
}

static int
parse_ip(const char *s, struct policy_addr *a)
{
	memset(a->addr, 0, sizeof(a->addr));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = 4;
		a->plen = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = 6;
		a->plen = 128;
		return 0;
	}
	return -EINVAL;
}

/* Address from tok[0..n); returns tokens used (1 or 2) or -EINVAL. */
static int
addr_tokens(char **tok, unsigned int n, struct policy_addr *a, char *why, size_t whylen)
{
	char buf[64];
	char *slash;

	memset(a, 0, sizeof(*a));
	if (n == 0) {
		WHY("missing address");
		return -EINVAL;
	}
	if (strcmp(tok[0], "any") == 0)
		return 1;
	if (strcmp(tok[0], "any4") == 0 || strcmp(tok[0], "any6") == 0) {
		a->family = tok[0][3] == '4' ? 4 : 6;
		return 1;
	}
	if (strcmp(tok[0], "host") == 0) {
		if (n < 2 || parse_ip(tok[1], a) != 0) {
			WHY("'host' needs an IPv4 or IPv6 address");
			return -EINVAL;
		}
		return 2;
	}
	if (strlen(tok[0]) >= sizeof(buf)) {
		WHY("'%.40s' is not an address", tok[0]);
		return -EINVAL;
	}
	strcpy(buf, tok[0]);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		char *end;
		unsigned long len;

		*slash = '\0';
		if (parse_ip(buf, a) != 0 || slash[1] < '0' || slash[1] > '9') {
			WHY("'%s' is not an address/prefix-length", tok[0]);
			return -EINVAL;
		}
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > a->plen) {
			WHY("'%s': prefix length out of range [0, %u]", tok[0], a->plen);
			return -EINVAL;
		}
		a->plen = (uint8_t)len;
	} else {
		struct policy_addr m;

		if (parse_ip(buf, a) != 0) {
			WHY("'%s' is not an address (any, host A, A, A/len, A MASK)", tok[0]);
			return -EINVAL;
		}
		/* "A MASK": a dotted IPv4 netmask as the next token. */
		if (a->family == 4 && n >= 2 && strchr(tok[1], '.') != NULL) {
			int len;

			if (parse_ip(tok[1], &m) != 0 || m.family != 4 ||
				(len = mask_len4(m.addr)) < 0) {
				WHY("'%s' is not a contiguous IPv4 netmask", tok[1]);
				return -EINVAL;
			}
			a->plen = (uint8_t)len;
			if (!host_bits_zero(a)) {
				WHY("'%s %s': address has bits outside the netmask", tok[0],
					tok[1]);
				return -EINVAL;
			}
			return 2;
		}
	}
	if (!host_bits_zero(a)) {
		WHY("'%s': address has bits outside the prefix", tok[0]);
		return -EINVAL;
	}
	return 1;
}

static int
port_value(const char *s, uint16_t *out)
{
	unsigned int i;
	unsigned long v;
	char *end;

	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(s, services[i].name) == 0) {
			*out = services[i].port;
			return 0;
		}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int
is_port_op(const char *s)
{
	return strcmp(s, "eq") == 0 || strcmp(s, "range") == 0 || strcmp(s, "lt") == 0 ||
		strcmp(s, "gt") == 0;
}

/* Ports from tok[0..n); returns tokens used or -EINVAL. */
static int
port_tokens(char **tok, unsigned int n, struct policy_ports *r, char *why, size_t whylen)
{
	uint16_t a, b;

	r->lo = 0;
	r->hi = 65535;
	if (n == 0)
		return 0;
	if (strcmp(tok[0], "any") == 0)
		return 1;
	if (!is_port_op(tok[0])) {
		if (port_value(tok[0], &a) != 0) {
			WHY("'%s' is not a port (any, N, eq N, range A B, lt N, gt N)", tok[0]);
			return -EINVAL;
		}
		r->lo = r->hi = a;
		return 1;
	}
	if (n < 2) {
		WHY("'%s' needs a port number or name", tok[0]);
		return -EINVAL;
	}
	if (port_value(tok[1], &a) != 0) {
		WHY("'%s' is not a port number (0..65535) or name", tok[1]);
		return -EINVAL;
	}
	if (strcmp(tok[0], "eq") == 0) {
		r->lo = r->hi = a;
		return 2;
	}
	if (strcmp(tok[0], "lt") == 0 || strcmp(tok[0], "gt") == 0) {
		if ((tok[0][0] == 'l' && a == 0) || (tok[0][0] == 'g' && a == 65535)) {
			WHY("'%s %s' matches no port", tok[0], tok[1]);
			return -EINVAL;
		}
		if (tok[0][0] == 'l')
			r->hi = (uint16_t)(a - 1);
		else
			r->lo = (uint16_t)(a + 1);
		return 2;
	}
	if (n < 3 || port_value(tok[2], &b) != 0 || b < a) {
		WHY("'range' needs two ports, low then high");
		return -EINVAL;
	}
	r->lo = a;
	r->hi = b;
	return 3;
}

#define MAX_TOK 12

int
policy_parse_addr(const char *s, struct policy_addr *a, char *why, size_t whylen)
{
	char buf[128];
	char *tok[MAX_TOK];
	unsigned int n;
	int used;

	if (strlen(s) >= sizeof(buf)) {
		WHY("address too long");
		return -EINVAL;
	}
	strcpy(buf, s);
	n = tokens(buf, tok, MAX_TOK);
	used = addr_tokens(tok, n > MAX_TOK ? MAX_TOK : n, a, why, whylen);
	if (used < 0)
		return used;
	if ((unsigned int)used != n) {
		WHY("'%s' is not one address", s);
		return -EINVAL;
	}
	return 0;
}

int
policy_parse_ports(const char *s, struct policy_ports *r, char *why, size_t whylen)
{
	char buf[64];
	char *tok[MAX_TOK];
	unsigned int n;
	int used;

	if (strlen(s) >= sizeof(buf)) {
		WHY("port too long");
		return -EINVAL;
	}
	strcpy(buf, s);
	n = tokens(buf, tok, MAX_TOK);
	if (n == 0) {
		WHY("empty port");
		return -EINVAL;
	}
	used = port_tokens(tok, n > MAX_TOK ? MAX_TOK : n, r, why, whylen);
	if (used < 0)
		return used;
	if ((unsigned int)used != n) {
		WHY("'%s' is not one port condition", s);
		return -EINVAL;
	}
	return 0;
}

int
policy_parse_ace(const char *line, struct policy_ace *e, char *why, size_t whylen)
{
	char buf[256];
	char *tok[MAX_TOK];
	unsigned int n, i = 0;
	int used, proto;

	memset(e, 0, sizeof(*e));
	e->sport.hi = e->dport.hi = 65535;
	if (strlen(line) >= sizeof(buf)) {
		WHY("access-list entry too long");
		return -EINVAL;
	}
	strcpy(buf, line);
	n = tokens(buf, tok, MAX_TOK);
	if (n > MAX_TOK) {
		WHY("too many words for an access-list entry");
		return -EINVAL;
	}
	if (i < n && strcmp(tok[i], "extended") == 0)
		i++;
	if (i >= n || (strcmp(tok[i], "permit") != 0 && strcmp(tok[i], "deny") != 0)) {
		WHY("an access-list entry starts with permit or deny");
		return -EINVAL;
	}
	e->permit = tok[i][0] == 'p';
	i++;
	if (i >= n || (proto = policy_parse_proto(tok[i])) < 0) {
		WHY("'%s' is not a protocol (ip, tcp, udp, icmp, icmp6 or 0..255)",
			i < n ? tok[i] : "");
		return -EINVAL;
	}
	e->proto = (uint8_t)proto;
	i++;
	if ((used = addr_tokens(tok + i, n - i, &e->src, why, whylen)) < 0)
		return used;
	i += (unsigned int)used;
	if (i < n && is_port_op(tok[i])) {
		if ((used = port_tokens(tok + i, n - i, &e->sport, why, whylen)) < 0)
			return used;
		i += (unsigned int)used;
	}
	if ((used = addr_tokens(tok + i, n - i, &e->dst, why, whylen)) < 0)
		return used;
	i += (unsigned int)used;
	if (i < n && is_port_op(tok[i])) {
		if ((used = port_tokens(tok + i, n - i, &e->dport, why, whylen)) < 0)
			return used;
		i += (unsigned int)used;
	}
	if (i != n) {
		WHY("unexpected '%s' in access-list entry", tok[i]);
		return -EINVAL;
	}
	if (e->proto != 6 && e->proto != 17 &&
		(e->sport.lo != 0 || e->sport.hi != 65535 || e->dport.lo != 0 ||
			e->dport.hi != 65535)) {
		WHY("ports are only for tcp and udp entries");
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Matching (hot path of a new connection)                                */

static inline int
addr_match(const struct policy_addr *a, uint8_t family, const uint8_t *ip)
{
	unsigned int full, rest;

	if (a->family == 0)
		return 1;
	if (a->family != family)
		return 0;
	full = a->plen >> 3;
	rest = a->plen & 7;
	if (full != 0 && memcmp(a->addr, ip, full) != 0)
		return 0;
	if (rest != 0) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		if (((a->addr[full] ^ ip[full]) & m) != 0)
			return 0;
	}
	return 1;
}

static inline int
ace_match(const struct policy_ace *e, const struct policy_key *k)
{
	if (e->proto != 0 && e->proto != k->proto)
		return 0;
	if (!addr_match(&e->src, k->family, k->src) || !addr_match(&e->dst, k->family, k->dst))
		return 0;
	if (e->proto == 6 || e->proto == 17)
		return k->sport >= e->sport.lo && k->sport <= e->sport.hi &&
			k->dport >= e->dport.lo && k->dport <= e->dport.hi;
	return 1;
}

int
policy_acl_match(const struct policy *p, unsigned int acl, const struct policy_key *k)
{
	const struct policy_acl *a;
	uint32_t i;

	if (acl >= p->n_acls)
		return 0;
	a = &p->acls[acl];
	/* First match wins; a linear scan is fine for the tens of entries an
	 * SMTP policy holds and runs once per new connection only. */
	for (i = a->first; i < a->first + a->n; i++)
		if (ace_match(&p->aces[i], k))
			return p->aces[i].permit;
	return 0; /* implicit deny */
}

bool
policy_cmap_match(const struct policy *p, unsigned int cmap, const struct policy_key *k)
{
	const struct policy_cmatch *m;

	if (cmap >= p->n_cmaps)
		return false;
	m = &p->cmaps[cmap].m;
	if (m->any)
		return true;
	if (m->side != POLICY_SIDE_ANY && m->side != k->side)
		return false;
	if (m->default_inspection && (k->proto != 6 || k->dport != 25))
		return false;
	if (m->proto != 0 &&
		(k->proto != m->proto || k->dport < m->ports.lo || k->dport > m->ports.hi))
		return false;
	if (m->acl != POLICY_NONE && !policy_acl_match(p, m->acl, k))
		return false;
	return true;
}

const struct policy_static *
policy_static_lookup(const struct policy *p, const struct policy_key *k)
{
	uint32_t i;

	/* Linear: statics are a legacy feature with a handful of entries. */
	for (i = 0; i < p->n_statics; i++) {
		const struct policy_static *s = &p->statics[i];
		struct policy_addr a;

		if (s->family != k->family)
			continue;
		a.family = s->family;
		a.plen = s->plen;
		memcpy(a.addr, s->real, sizeof(a.addr));
		if (addr_match(&a, k->family, k->dst))
			return s;
	}
	return NULL;
}

const struct esmtp_policy *
policy_classify(const struct policy *p, const struct policy_key *k, struct policy_match *m)
{
	unsigned int pair = k->pair < POLICY_MAX_PAIRS ? k->pair : 0;
	const struct policy_class *const *chain = p->chain[pair];
	unsigned int i, n = p->chain_len[pair];

	m->inspect = NULL;
	m->conn = NULL;
	m->esmtp = NULL;
	/* ASA: a connection matches one class per feature; the first class in
	 * order that configures a feature and matches decides it. */
	for (i = 0; i < n; i++) {
		const struct policy_class *c = chain[i];
		bool want_i = m->inspect == NULL && c->has_inspect;
		bool want_c = m->conn == NULL && c->has_conn;

		if (!want_i && !want_c)
			continue;
		if (!policy_cmap_match(p, c->cmap, k))
			continue;
		if (want_i)
			m->inspect = c;
		if (want_c)
			m->conn = c;
		if (m->inspect != NULL && m->conn != NULL)
			break;
	}
	if (m->inspect != NULL && k->proto == 6)
		m->esmtp = m->inspect->esmtp;
	m->stat = policy_static_lookup(p, k);
	return m->esmtp;
}
