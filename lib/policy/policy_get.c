/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read access to a policy: counts, names, classes, statics and sections by
 * index (the workers, show commands and the tracer read them; nothing here
 * changes a policy).
 */
#include "policy_priv.h"

unsigned int
policy_n_classes(const struct policy *p)
{
	return p->n_classes;
}

const struct policy_class *
policy_class_get(const struct policy *p, unsigned int id)
{
	return id < p->n_classes ? p->by_id[id] : NULL;
}

unsigned int
policy_n_statics(const struct policy *p)
{
	return p->n_statics;
}

const struct policy_static *
policy_static_get(const struct policy *p, unsigned int id)
{
	return id < p->n_statics ? &p->statics[id] : NULL;
}

unsigned int
policy_n_imaps(const struct policy *p)
{
	return p->n_imaps;
}

const char *
policy_imap_name(const struct policy *p, unsigned int imap)
{
	return imap < p->n_imaps ? p->imaps[imap].name : "?";
}

const struct esmtp_policy *
policy_imap_esmtp(const struct policy *p, unsigned int imap)
{
	return imap < p->n_imaps ? &p->imaps[imap].esmtp : NULL;
}

const char *
policy_acl_name(const struct policy *p, unsigned int acl)
{
	return acl < p->n_acls ? p->acls[acl].name : "?";
}

const char *
policy_cmap_name(const struct policy *p, unsigned int cmap)
{
	return cmap < p->n_cmaps ? p->cmaps[cmap].name : "?";
}

const char *
policy_pmap_name(const struct policy *p, unsigned int pmap)
{
	return pmap < p->n_pmaps ? p->pmaps[pmap].name : "?";
}

unsigned int
policy_acl_len(const struct policy *p, unsigned int acl)
{
	return acl < p->n_acls ? p->acls[acl].n : 0;
}

const struct policy_ace *
policy_acl_entry(const struct policy *p, unsigned int acl, unsigned int i)
{
	if (acl >= p->n_acls || i >= p->acls[acl].n)
		return NULL;
	return &p->aces[p->acls[acl].first + i];
}

unsigned int
policy_service_pair(const struct policy *p, unsigned int pair)
{
	return pair < POLICY_MAX_PAIRS ? p->pair_pmap[pair] : POLICY_NONE;
}

unsigned int
policy_service_global(const struct policy *p)
{
	return p->global_pmap;
}

unsigned int
policy_pmap_len(const struct policy *p, unsigned int pmap)
{
	return pmap < p->n_pmaps ? p->pmaps[pmap].n : 0;
}

const struct policy_class *
policy_pmap_class(const struct policy *p, unsigned int pmap, unsigned int i)
{
	if (pmap >= p->n_pmaps || i >= p->pmaps[pmap].n)
		return NULL;
	return &p->pmaps[pmap].classes[i];
}

const struct policy_ios *
policy_ios_get(const struct policy *p)
{
	return &p->ios;
}

const struct policy_logging *
policy_logging_get(const struct policy *p)
{
	return &p->logging;
}
