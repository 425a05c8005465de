/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access-lists, class-maps and statics: the first-match scans a new
 * connection goes through (their text forms are read by policy_cmdtext.c).
 */
#include <string.h>

#include "policy_priv.h"

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
