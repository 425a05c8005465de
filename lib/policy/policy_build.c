/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building a policy: the ASA built-ins, the add functions the YAML loader
 * calls in file order, and policy_finalize(), which resolves everything a
 * worker's lookup needs (class ids, per-pair class chains) and freezes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"

#define BUILTIN_IMAP "_default_esmtp_map"
#define BUILTIN_CMAP "inspection_default"
#define BUILTIN_DEFAULT_CLASS "class-default"
#define BUILTIN_PMAP "global_policy"
#define IOS_PMAP "ip-inspect"

/* Per synthetic (IOS) inspect map: alert as given, resolved at finalize. */
#define ALERT_GLOBAL 0xff

int
policy_name_copy(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= POLICY_NAME_MAX)
		return -EINVAL;
	memcpy(dst, src, n + 1);
	return 0;
}

#define FIND(arr, count, name, extra) \
	do { \
		unsigned int i_; \
		for (i_ = 0; i_ < (count); i_++) \
			if (extra(&(arr)[i_]) && strcmp((arr)[i_].name, (name)) == 0) \
				return (int)i_; \
		return -1; \
	} while (0)

#define ALWAYS(x) ((void)(x), 1)
#define NOT_SYNTH(x) (!(x)->synthetic)

int
policy_find_acl(const struct policy *p, const char *name)
{
	FIND(p->acls, p->n_acls, name, ALWAYS);
}

int
policy_find_cmap(const struct policy *p, const char *name)
{
	FIND(p->cmaps, p->n_cmaps, name, NOT_SYNTH);
}

int
policy_find_imap(const struct policy *p, const char *name)
{
	FIND(p->imaps, p->n_imaps, name, NOT_SYNTH);
}

int
policy_find_pmap(const struct policy *p, const char *name)
{
	FIND(p->pmaps, p->n_pmaps, name, NOT_SYNTH);
}

int
policy_find_regex(const struct policy *p, const char *name)
{
	FIND(p->regex, p->n_regex, name, ALWAYS);
}

int
policy_find_regex_class(const struct policy *p, const char *name)
{
	FIND(p->rxclass, p->n_rxclass, name, ALWAYS);
}

static void
imap_reset(struct policy_imap *m)
{
	esmtp_policy_default(&m->esmtp);
	esmtp_policy_clear_rules(&m->esmtp);
	/* A new map on the ASA has no parameter set: mask-banner is part of
	 * _default_esmtp_map, not of every map. */
	m->esmtp.mask_banner = 0;
	memset(m->matchers, 0, sizeof(m->matchers));
	memset(m->rx_name, 0, sizeof(m->rx_name));
	memset(m->rx_class, 0, sizeof(m->rx_class));
	memset(m->label, 0, sizeof(m->label));
	memset(m->act_label, 0, sizeof(m->act_label));
	m->synthetic = 0;
}

struct policy *
policy_new(void)
{
	struct policy *p = calloc(1, sizeof(*p));
	struct policy_class c;
	struct policy_imap *im;
	unsigned int i;

	if (p == NULL)
		return NULL;
	p->magic = POLICY_MAGIC;
	p->global_pmap = POLICY_NONE;
	p->ios_pmap = POLICY_NONE;
	for (i = 0; i < POLICY_MAX_PAIRS; i++)
		p->pair_pmap[i] = POLICY_NONE;

	/* policy-map type inspect esmtp _default_esmtp_map (REFERENCE.md 1.2) */
	im = &p->imaps[p->n_imaps++];
	imap_reset(im);
	strcpy(im->name, BUILTIN_IMAP);
	im->builtin = 1;
	esmtp_policy_default(&im->esmtp);
	for (i = 0; i < im->esmtp.n_rules; i++)
		policy_rule_labels(p, 0, i);

	/* class-map inspection_default / match default-inspection-traffic */
	strcpy(p->cmaps[p->n_cmaps].name, BUILTIN_CMAP);
	p->cmaps[p->n_cmaps].builtin = 1;
	p->cmaps[p->n_cmaps].m.default_inspection = 1;
	p->cmaps[p->n_cmaps].m.side = POLICY_SIDE_ANY;
	p->cmaps[p->n_cmaps].m.acl = POLICY_NONE;
	p->n_cmaps++;
	/* class-default: match any */
	strcpy(p->cmaps[p->n_cmaps].name, BUILTIN_DEFAULT_CLASS);
	p->cmaps[p->n_cmaps].builtin = 1;
	p->cmaps[p->n_cmaps].m.any = 1;
	p->cmaps[p->n_cmaps].m.side = POLICY_SIDE_ANY;
	p->cmaps[p->n_cmaps].m.acl = POLICY_NONE;
	p->n_cmaps++;

	/* policy-map global_policy / class inspection_default / inspect esmtp */
	strcpy(p->pmaps[0].name, BUILTIN_PMAP);
	p->pmaps[0].builtin = 1;
	p->n_pmaps = 1;
	memset(&c, 0, sizeof(c));
	c.cmap = 0;
	c.imap = 0;
	c.inspect = POLICY_INSPECT_ESMTP;
	c.has_inspect = 1;
	c.alert = 1;
	for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
		c.timeouts[i] = POLICY_TIMEOUT_UNSET;
	policy_pmap_class_add(p, 0, &c);
	/* service-policy global_policy global */
	p->global_pmap = 0;

	/* IOS defaults (REFERENCE.md 2.2): thresholds 500/400, 50 per host,
	 * block-time 0, alert on, audit-trail off. */
	p->ios.alert = 1;
	p->ios.audit_trail = 0;
	p->ios.max_incomplete_high = 500;
	p->ios.max_incomplete_low = 400;
	p->ios.one_minute_high = 500;
	p->ios.one_minute_low = 400;
	p->ios.host_max_incomplete = 50;
	p->ios.host_block_time = 0;

	/* Audit trail: stdout, everything up to debugging, facility local4
	 * (the ASA's default 20), 201012 at most once per 10 s as on the ASA. */
	p->logging.dest = POLICY_LOG_STDOUT;
	p->logging.level = 7;
	p->logging.facility = 4;
	p->logging.rate = 0;
	p->logging.interval = 1;
	p->logging.n_msg_limits = 1;
	p->logging.msg_limits[0].msgid = 201012;
	p->logging.msg_limits[0].rate = 1;
	p->logging.msg_limits[0].interval = 10;
	return p;
}

struct policy *
policy_new_default(void)
{
	struct policy *p = policy_new();

	if (p != NULL && policy_finalize(p) != 0) {
		policy_free(p);
		errno = EINVAL;
		return NULL;
	}
	return p;
}

void
policy_free(struct policy *p)
{
	if (p != NULL)
		p->magic = 0;
	free(p);
}

bool
policy_is_final(const struct policy *p)
{
	return p->final != 0;
}

#define BUILDING(p) \
	do { \
		if ((p)->final) \
			return -EINVAL; \
	} while (0)

int
policy_regex_add(struct policy *p, const char *name, const char *pattern, bool icase, char *why,
		size_t whylen)
{
	struct policy_regex *re;
	int rc;

	BUILDING(p);
	if (policy_find_regex(p, name) >= 0)
		return -EEXIST;
	if (p->n_regex == POLICY_MAX_REGEX)
		return -ENOSPC;
	re = &p->regex[p->n_regex];
	if (policy_name_copy(re->name, name) != 0)
		return -EINVAL;
	rc = policy_regex_compile(re, pattern, icase, why, whylen);
	if (rc != 0) {
		memset(re, 0, sizeof(*re));
		return rc;
	}
	return p->n_regex++;
}

int
policy_regex_class_add(struct policy *p, const char *name)
{
	struct policy_rxclass *c;

	BUILDING(p);
	if (policy_find_regex_class(p, name) >= 0)
		return -EEXIST;
	if (p->n_rxclass == POLICY_MAX_REGEX_CLASSES)
		return -ENOSPC;
	c = &p->rxclass[p->n_rxclass];
	if (policy_name_copy(c->name, name) != 0)
		return -EINVAL;
	c->n = 0;
	return p->n_rxclass++;
}

int
policy_regex_class_member(struct policy *p, unsigned int rclass, unsigned int regex)
{
	struct policy_rxclass *c;

	BUILDING(p);
	if (rclass >= p->n_rxclass || regex >= p->n_regex)
		return -EINVAL;
	c = &p->rxclass[rclass];
	if (c->n == POLICY_REGEX_CLASS_MAX)
		return -ENOSPC;
	c->members[c->n++] = (uint16_t)regex;
	return 0;
}

int
policy_acl_add(struct policy *p, const char *name)
{
	struct policy_acl *a;

	BUILDING(p);
	if (policy_find_acl(p, name) >= 0)
		return -EEXIST;
	if (p->n_acls == POLICY_MAX_ACLS)
		return -ENOSPC;
	a = &p->acls[p->n_acls];
	if (policy_name_copy(a->name, name) != 0)
		return -EINVAL;
	a->first = p->n_aces;
	a->n = 0;
	return p->n_acls++;
}

int
policy_ace_add(struct policy *p, unsigned int acl, const struct policy_ace *e)
{
	BUILDING(p);
	/* Entries of one list are contiguous: only the last list grows. */
	if (acl >= p->n_acls || acl + 1u != p->n_acls)
		return -EINVAL;
	if ((e->src.family != 0 && e->src.family != 4 && e->src.family != 6) ||
			(e->dst.family != 0 && e->dst.family != 4 && e->dst.family != 6))
		return -EINVAL;
	if (p->n_aces == POLICY_MAX_ACES)
		return -ENOSPC;
	p->aces[p->n_aces++] = *e;
	return (int)p->acls[acl].n++;
}

int
policy_cmap_add(struct policy *p, const char *name, const struct policy_cmatch *m)
{
	struct policy_cmap *c;
	int i;

	BUILDING(p);
	if (m->acl != POLICY_NONE && m->acl >= p->n_acls)
		return -ENOENT;
	if (m->side > POLICY_SIDE_ANY)
		return -EINVAL;
	i = policy_find_cmap(p, name);
	if (i >= 0 && !p->cmaps[i].builtin)
		return -EEXIST;
	if (i < 0) {
		if (p->n_cmaps == POLICY_MAX_CMAPS)
			return -ENOSPC;
		i = p->n_cmaps;
		if (policy_name_copy(p->cmaps[i].name, name) != 0)
			return -EINVAL;
		p->n_cmaps++;
	}
	c = &p->cmaps[i];
	c->builtin = 0;
	c->synthetic = 0;
	c->m = *m;
	return i;
}

int
policy_imap_add(struct policy *p, const char *name)
{
	int i;

	BUILDING(p);
	i = policy_find_imap(p, name);
	if (i >= 0 && !p->imaps[i].builtin)
		return -EEXIST;
	if (i < 0) {
		if (p->n_imaps == POLICY_MAX_IMAPS)
			return -ENOSPC;
		i = p->n_imaps;
		if (policy_name_copy(p->imaps[i].name, name) != 0)
			return -EINVAL;
		p->n_imaps++;
	}
	imap_reset(&p->imaps[i]);
	p->imaps[i].builtin = 0;
	return i;
}

int
policy_imap_add_smtp(struct policy *p, const char *label, enum policy_inspect mode, int alert,
		uint64_t max_data)
{
	struct policy_imap *m;
	size_t n = strlen(label);

	BUILDING(p);
	if (mode != POLICY_INSPECT_SMTP && mode != POLICY_INSPECT_ESMTP)
		return -EINVAL;
	if (p->n_imaps == POLICY_MAX_IMAPS)
		return -ENOSPC;
	m = &p->imaps[p->n_imaps];
	imap_reset(m);
	if (n >= POLICY_NAME_MAX)
		n = POLICY_NAME_MAX - 1;
	memcpy(m->name, label, n);
	m->name[n] = '\0';
	m->builtin = 0;
	m->synthetic = alert < 0 ? ALERT_GLOBAL : (alert ? 2 : 1);
	esmtp_policy_set_mode(&m->esmtp,
			mode == POLICY_INSPECT_SMTP ? ESMTP_MODE_SMTP : ESMTP_MODE_ESMTP);
	esmtp_policy_set_max_data(&m->esmtp, max_data, ESMTP_ACT_DROP_CONN);
	return p->n_imaps++;
}

struct esmtp_policy *
policy_imap_mut(struct policy *p, unsigned int imap)
{
	if (p->final || imap >= p->n_imaps)
		return NULL;
	return &p->imaps[imap].esmtp;
}

static int
crit_is_regex(unsigned int crit)
{
	return crit == ESMTP_CRIT_SENDER_ADDRESS_REGEX || crit == ESMTP_CRIT_MIME_FILETYPE_REGEX;
}

int
policy_imap_add_rule(struct policy *p, unsigned int imap, const struct esmtp_rule *r,
		unsigned int rx, bool rx_class)
{
	struct policy_imap *m;
	struct esmtp_rule copy = *r;
	int i;

	BUILDING(p);
	if (imap >= p->n_imaps)
		return -EINVAL;
	m = &p->imaps[imap];
	if (m->esmtp.n_rules >= ESMTP_MAX_RULES)
		return -ENOSPC;
	i = m->esmtp.n_rules;
	if (crit_is_regex(r->crit)) {
		if (rx >= (rx_class ? p->n_rxclass : p->n_regex))
			return -ENOENT;
		/* p never moves (one allocation), so the matcher may point
		 * back at it: the compiled form stays self-contained. */
		m->matchers[i].p = p;
		m->matchers[i].idx = (uint16_t)rx;
		m->matchers[i].is_class = rx_class;
		copy.match = policy_matcher_fn;
		copy.match_arg = &m->matchers[i];
		copy.glob = NULL;
		strcpy(m->rx_name[i], rx_class ? p->rxclass[rx].name : p->regex[rx].name);
		m->rx_class[i] = rx_class;
	} else {
		copy.match = NULL;
		copy.match_arg = NULL;
		copy.glob = NULL;
	}
	i = esmtp_policy_add_rule(&m->esmtp, &copy);
	if (i < 0)
		return i;
	policy_rule_labels(p, imap, (unsigned int)i);
	return i;
}

int
policy_pmap_add(struct policy *p, const char *name)
{
	int i;

	BUILDING(p);
	i = policy_find_pmap(p, name);
	if (i >= 0 && !p->pmaps[i].builtin)
		return -EEXIST;
	if (i < 0) {
		if (p->n_pmaps == POLICY_MAX_PMAPS)
			return -ENOSPC;
		i = p->n_pmaps;
		if (policy_name_copy(p->pmaps[i].name, name) != 0)
			return -EINVAL;
		p->n_pmaps++;
	}
	p->pmaps[i].builtin = 0;
	p->pmaps[i].synthetic = 0;
	p->pmaps[i].n = 0;
	return i;
}

int
policy_pmap_class_add(struct policy *p, unsigned int pmap, const struct policy_class *c)
{
	struct policy_pmap *pm;
	unsigned int i;

	BUILDING(p);
	if (pmap >= p->n_pmaps || c->cmap >= p->n_cmaps || c->inspect >= POLICY_INSPECT_MAX)
		return -EINVAL;
	if (c->has_inspect && c->inspect != POLICY_INSPECT_NONE && c->imap >= p->n_imaps)
		return -ENOENT;
	pm = &p->pmaps[pmap];
	for (i = 0; i < pm->n; i++)
		if (pm->classes[i].cmap == c->cmap)
			return -EEXIST;
	if (pm->n == POLICY_MAX_PMAP_CLASSES)
		return -ENOSPC;
	pm->classes[pm->n] = *c;
	if (!c->has_inspect || c->inspect == POLICY_INSPECT_NONE)
		pm->classes[pm->n].imap = POLICY_NONE;
	return pm->n++;
}

int
policy_service_set(struct policy *p, int pair, unsigned int pmap)
{
	BUILDING(p);
	if (pmap != POLICY_NONE && pmap >= p->n_pmaps)
		return -ENOENT;
	if (pair >= POLICY_MAX_PAIRS)
		return -EINVAL;
	if (pair < 0)
		p->global_pmap = (uint16_t)pmap;
	else
		p->pair_pmap[pair] = (uint16_t)pmap;
	return 0;
}

int
policy_static_add(struct policy *p, const struct policy_static *s)
{
	struct policy_static *d;

	BUILDING(p);
	if ((s->family != 4 && s->family != 6) || s->plen > (s->family == 4 ? 32 : 128))
		return -EINVAL;
	if (p->n_statics == POLICY_MAX_STATICS)
		return -ENOSPC;
	d = &p->statics[p->n_statics];
	*d = *s;
	d->id = (uint16_t)p->n_statics;
	d->real_if[POLICY_IFNAME_MAX - 1] = '\0';
	d->mapped_if[POLICY_IFNAME_MAX - 1] = '\0';
	return (int)p->n_statics++;
}

struct policy_ios *
policy_ios_mut(struct policy *p)
{
	return p->final ? NULL : &p->ios;
}

void
policy_set_esmtp_trace(struct policy *p, esmtp_trace_fn fn, void *arg)
{
	unsigned int i;

	for (i = 0; i < p->n_imaps; i++)
		esmtp_policy_set_trace(&p->imaps[i].esmtp, fn, arg);
}

struct policy_logging *
policy_logging_mut(struct policy *p)
{
	return p->final ? NULL : &p->logging;
}

int
policy_ios_bind(struct policy *p, const char *name, enum policy_inspect mode, unsigned int acl,
		enum policy_side side, int alert, int audit_trail, uint64_t max_data,
		uint32_t timeout)
{
	struct policy_class c;
	struct policy_cmap *cm;
	unsigned int i;
	int imap;

	BUILDING(p);
	if (acl != POLICY_NONE && acl >= p->n_acls)
		return -ENOENT;
	if (side > POLICY_SIDE_ANY || strlen(name) == 0 || strlen(name) >= POLICY_NAME_MAX)
		return -EINVAL;
	if (p->ios_pmap == POLICY_NONE) {
		if (p->n_pmaps == POLICY_MAX_PMAPS)
			return -ENOSPC;
		p->ios_pmap = p->n_pmaps++;
		strcpy(p->pmaps[p->ios_pmap].name, IOS_PMAP);
		p->pmaps[p->ios_pmap].synthetic = 1;
	}
	if (p->pmaps[p->ios_pmap].n == POLICY_MAX_PMAP_CLASSES || p->n_cmaps == POLICY_MAX_CMAPS)
		return -ENOSPC;
	imap = policy_imap_add_smtp(p, name, mode, alert, max_data);
	if (imap < 0)
		return imap;
	/* The binding's traffic: TCP/25 entering `side`, permitted by acl. */
	cm = &p->cmaps[p->n_cmaps];
	memset(cm, 0, sizeof(*cm));
	strcpy(cm->name, name);
	cm->synthetic = 1;
	cm->m.side = (uint8_t)side;
	cm->m.acl = (uint16_t)acl;
	cm->m.default_inspection = 1;
	memset(&c, 0, sizeof(c));
	c.cmap = p->n_cmaps++;
	c.imap = (uint16_t)imap;
	c.inspect = (uint8_t)mode;
	c.has_inspect = 1;
	c.ios = 1;
	c.alert = alert < 0 ? ALERT_GLOBAL : alert != 0;
	c.audit_trail = audit_trail < 0 ? ALERT_GLOBAL : audit_trail != 0;
	for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
		c.timeouts[i] = POLICY_TIMEOUT_UNSET;
	if (timeout != POLICY_TIMEOUT_UNSET) {
		c.timeouts[POLICY_TIMEOUT_IDLE] = timeout;
		c.has_conn = 1;
	}
	return policy_pmap_class_add(p, p->ios_pmap, &c);
}

static void
chain_add(struct policy *p, unsigned int pair, unsigned int pmap)
{
	const struct policy_pmap *pm;
	unsigned int i;

	if (pmap == POLICY_NONE)
		return;
	pm = &p->pmaps[pmap];
	for (i = 0; i < pm->n && p->chain_len[pair] < POLICY_MAX_CHAIN; i++)
		p->chain[pair][p->chain_len[pair]++] = &pm->classes[i];
}

int
policy_finalize(struct policy *p)
{
	unsigned int i, j, k;

	BUILDING(p);
	p->n_classes = 0;
	for (i = 0; i < p->n_imaps; i++) {
		struct policy_imap *m = &p->imaps[i];

		if (m->synthetic != 0) {
			int alert = m->synthetic == ALERT_GLOBAL ? p->ios.alert : m->synthetic == 2;

			/* IOS `alert off`: the inspection acts, but says nothing. */
			if (!alert) {
				for (k = 0; k < ESMTP_EV_MAX; k++)
					m->esmtp.ev[k].log = 0;
				for (k = 0; k < m->esmtp.n_rules; k++)
					m->esmtp.rules[k].log = 0;
			}
		}
		if (esmtp_policy_compile(&m->esmtp) != 0)
			return -EINVAL;
	}
	for (i = 0; i < p->n_pmaps; i++) {
		struct policy_pmap *pm = &p->pmaps[i];

		for (j = 0; j < pm->n; j++) {
			struct policy_class *c = &pm->classes[j];

			c->id = (uint16_t)p->n_classes;
			c->pmap = (uint16_t)i;
			c->name = p->cmaps[c->cmap].name;
			c->pmap_name = pm->name;
			c->imap_name = c->imap != POLICY_NONE ? p->imaps[c->imap].name : "";
			c->esmtp = c->imap != POLICY_NONE && c->inspect != POLICY_INSPECT_NONE
					? &p->imaps[c->imap].esmtp
					: NULL;
			if (c->alert == ALERT_GLOBAL)
				c->alert = p->ios.alert;
			if (c->audit_trail == ALERT_GLOBAL)
				c->audit_trail = p->ios.audit_trail;
			p->by_id[p->n_classes++] = c;
		}
	}
	/* Per pair, the order a lookup walks: IOS bindings (interface
	 * inspection), the pair's own service policy (an interface policy
	 * wins over the global one per feature, as on the ASA), the global. */
	for (i = 0; i < POLICY_MAX_PAIRS; i++) {
		p->chain_len[i] = 0;
		chain_add(p, i, p->ios_pmap);
		if (p->pair_pmap[i] != p->global_pmap)
			chain_add(p, i, p->pair_pmap[i]);
		chain_add(p, i, p->global_pmap);
	}
	p->final = 1;
	return 0;
}
