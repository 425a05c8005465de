/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ASA / IOS command text smtpwall reads, all in one place: protocols,
 * addresses, ports, access-list entries (`permit tcp any host A eq 25`),
 * class-map port matches (`tcp eq 25`) and `static` lines. lib/config hands
 * a line over and reports `why` at the line's position.
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
/* Class-map port matches and statics                                     */

int
policy_parse_port_match(
		const char *s, uint8_t *proto, struct policy_ports *r, char *why, size_t whylen)
{
	char buf[64];
	char *sp;
	int pr;

	if (strlen(s) >= sizeof(buf)) {
		WHY("port condition too long");
		return -EINVAL;
	}
	strcpy(buf, s);
	sp = strchr(buf, ' ');
	if (sp != NULL)
		*sp++ = '\0';
	pr = policy_parse_proto(buf);
	if ((pr != 6 && pr != 17) || sp == NULL) {
		WHY("'%s' is not a port match (tcp|udp eq N, range A B ...)", s);
		return -EINVAL;
	}
	if (policy_parse_ports(sp, r, why, whylen) != 0)
		return -EINVAL;
	*proto = (uint8_t)pr;
	return 0;
}

int
policy_parse_host(const char *s, struct policy_addr *a)
{
	char why[8];

	if (policy_parse_addr(s, a, why, sizeof(why)) != 0 || a->family == 0 ||
			a->plen != (a->family == 4 ? 32 : 128))
		return -EINVAL;
	return 0;
}

int
policy_parse_netmask(const char *s, unsigned int *plen)
{
	struct policy_addr m;
	uint32_t v;

	if (policy_parse_host(s, &m) != 0 || m.family != 4)
		return -EINVAL;
	v = (uint32_t)m.addr[0] << 24 | (uint32_t)m.addr[1] << 16 | (uint32_t)m.addr[2] << 8 |
			m.addr[3];
	*plen = 0;
	while (*plen < 32 && (v & (1u << (31 - *plen))) != 0)
		(*plen)++;
	if (*plen < 32 && (v << *plen) != 0)
		return -EINVAL;
	return 0;
}

int
policy_static_prefix(struct policy_static *s, const struct policy_addr *real, unsigned int plen,
		char *why, size_t whylen)
{
	unsigned int i;

	s->plen = (uint8_t)plen;
	for (i = plen; i < (s->family == 4 ? 32u : 128u); i++)
		if (real->addr[i / 8] & (0x80 >> (i % 8))) {
			WHY("real address has bits outside the netmask");
			return -EINVAL;
		}
	return 0;
}

static int
u32_tok(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "static (inside,outside) 1.1.1.1 192.168.1.1 netmask 255.255.255.255 tcp 50 100 udp 10" */
int
policy_parse_static(const char *line, struct policy_static *s, char *why, size_t whylen)
{
	const uint32_t max = POLICY_CONN_LIMIT_MAX;
	char buf[256];
	char *tok[16], *save = NULL, *t, *comma;
	unsigned int nt = 0, i = 0, plen;
	struct policy_addr real, mapped;

	if (strlen(line) >= sizeof(buf)) {
		WHY("static line too long");
		return -EINVAL;
	}
	strcpy(buf, line);
	for (t = strtok_r(buf, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (nt == 16) {
			WHY("too many words for a static");
			return -EINVAL;
		}
		tok[nt++] = t;
	}
	if (i < nt && strcmp(tok[i], "static") == 0)
		i++;
	if (i >= nt || tok[i][0] != '(' || tok[i][strlen(tok[i]) - 1] != ')' ||
			(comma = strchr(tok[i], ',')) == NULL) {
		WHY("a static starts with (real_ifc,mapped_ifc)");
		return -EINVAL;
	}
	tok[i][strlen(tok[i]) - 1] = '\0';
	*comma = '\0';
	if (strlen(tok[i] + 1) == 0 || strlen(tok[i] + 1) >= POLICY_IFNAME_MAX ||
			strlen(comma + 1) == 0 || strlen(comma + 1) >= POLICY_IFNAME_MAX) {
		WHY("bad interface names in a static");
		return -EINVAL;
	}
	strcpy(s->real_if, tok[i] + 1);
	strcpy(s->mapped_if, comma + 1);
	i++;
	if (i + 1 >= nt || policy_parse_host(tok[i], &mapped) != 0 ||
			policy_parse_host(tok[i + 1], &real) != 0 || mapped.family != real.family) {
		WHY("a static needs a mapped and a real address");
		return -EINVAL;
	}
	s->family = real.family;
	memcpy(s->real, real.addr, 16);
	memcpy(s->mapped, mapped.addr, 16);
	plen = real.family == 4 ? 32 : 128;
	i += 2;
	if (i < nt && strcmp(tok[i], "netmask") == 0) {
		if (i + 1 >= nt || real.family != 4 ||
				policy_parse_netmask(tok[i + 1], &plen) != 0) {
			WHY("netmask needs a contiguous IPv4 mask");
			return -EINVAL;
		}
		i += 2;
	}
	if (policy_static_prefix(s, &real, plen, why, whylen) != 0)
		return -EINVAL;
	/* [tcp] [max_conns [em_limit]] [udp udp_max_conns] */
	if (i < nt && strcmp(tok[i], "tcp") == 0)
		i++;
	if (i < nt && strcmp(tok[i], "udp") != 0) {
		if (u32_tok(tok[i], max, &s->tcp_max_conns) != 0) {
			WHY("'%s' is not a connection limit (0..%u)", tok[i], max);
			return -EINVAL;
		}
		i++;
		if (i < nt && strcmp(tok[i], "udp") != 0) {
			if (u32_tok(tok[i], max, &s->tcp_em_limit) != 0) {
				WHY("'%s' is not an embryonic limit (0..%u)", tok[i], max);
				return -EINVAL;
			}
			i++;
		}
	}
	if (i < nt && strcmp(tok[i], "udp") == 0) {
		if (i + 1 >= nt || u32_tok(tok[i + 1], max, &s->udp_max_conns) != 0) {
			WHY("udp needs a connection limit (0..%u)", max);
			return -EINVAL;
		}
		if (s->udp_max_conns != 0) {
			WHY(POLICY_STATIC_UDP_REFUSED, s->udp_max_conns);
			return -EINVAL;
		}
		i += 2;
	}
	if (i != nt) {
		WHY("unexpected '%s' in a static", tok[i]);
		return -EINVAL;
	}
	return 0;
}
