/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The inspect map: ASA defaults, setters, compilation into the fast-path
 * fields, names of every enum, counters and the glob matcher.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "esmtp_priv.h"

static const char *const event_names[] = {
#define _(e, s, a, l, au) s,
		foreach_esmtp_event
#undef _
};

static const char *const crit_names[] = {
#define _(e, s) s,
		foreach_esmtp_crit
#undef _
};

static const char *const action_names[] = {
#define _(e, s) s,
		foreach_esmtp_action
#undef _
};

static const char *const verdict_names[] = {
#define _(e, s) s,
		foreach_insp_verdict
#undef _
};

static const char *const verb_names[] = {
#define _(e, s) s,
		foreach_esmtp_verb
#undef _
};

static const char *const ehlo_names[] = {
#define _(e, s) s,
		foreach_esmtp_ehlo
#undef _
};

static const char *const encoding_names[] = {
#define _(e, s) s,
		foreach_esmtp_encoding
#undef _
};

static const struct esmtp_ev_action ev_defaults[] = {
#define _(e, s, a, l, au) {ESMTP_ACT_##a, l},
		foreach_esmtp_event
#undef _
};

/* Criterion i raises event i: the two lists must start alike. */
#define _(e, s) _Static_assert((int)ESMTP_CRIT_##e == (int)ESMTP_EV_##e, "crit/event order");
foreach_esmtp_crit
#undef _

		_Static_assert(ESMTP_VERB_MAX <= 31, "verb bits fit a uint32_t");
_Static_assert(ESMTP_EHLO_MAX <= 32, "keyword bits fit a uint32_t");
_Static_assert(ESMTP_MAX_RULES <= 255, "rule indexes fit a uint8_t");

#define NAME(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) ? tab[i] : "?")

const char *
esmtp_event_name(unsigned int id)
{
	return NAME(event_names, id);
}

const char *
esmtp_crit_name(unsigned int crit)
{
	return NAME(crit_names, crit);
}

const char *
esmtp_action_name(unsigned int action)
{
	return NAME(action_names, action);
}

const char *
esmtp_verdict_name(unsigned int verdict)
{
	return NAME(verdict_names, verdict);
}

const char *
esmtp_verb_name(unsigned int verb)
{
	return NAME(verb_names, verb);
}

const char *
esmtp_ehlo_name(unsigned int kw)
{
	return NAME(ehlo_names, kw);
}

const char *
esmtp_encoding_name(unsigned int enc)
{
	return NAME(encoding_names, enc);
}

static int
crit_is_numeric(unsigned int crit)
{
	switch (crit) {
	case ESMTP_CRIT_CMD_VERB:
	case ESMTP_CRIT_SENDER_ADDRESS_REGEX:
	case ESMTP_CRIT_MIME_FILETYPE_REGEX:
	case ESMTP_CRIT_MIME_ENCODING:
	case ESMTP_CRIT_EHLO_REPLY_PARAMETER:
		return 0;
	default:
		return 1;
	}
}

/* splitmix64: spreads a seed when the kernel has no entropy yet. */
static uint64_t
mix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * The secret keys of the boundary hashes (esmtp_multipart.c): points of
 * the field 2^61 - 1, the first (the length's) never 0, which also marks
 * the policy as keyed.  Drawn once per policy: connections keep their
 * policy, so their hashes stay comparable across recompiles and reloads.
 */
static void
bnd_keys_new(struct esmtp_policy *p)
{
	uint8_t *b = (uint8_t *)p->bnd_key;
	size_t want = sizeof(p->bnd_key), got = 0;
	struct timespec ts;
	uint64_t seed;
	ssize_t n;
	unsigned int i;

	while (got < want) {
		n = getrandom(b + got, want - got, GRND_NONBLOCK);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < want) {
		/* No entropy yet (early boot): still not guessable from outside. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)p;
		for (i = 0; i < ESMTP_BND_KEYS; i++)
			p->bnd_key[i] ^= mix64(&seed);
	}
	p->bnd_key[0] = p->bnd_key[0] % (BND_P - 1) + 1;
	for (i = 1; i < ESMTP_BND_KEYS; i++)
		p->bnd_key[i] %= BND_P;
}

int
esmtp_policy_compile(struct esmtp_policy *p)
{
	uint32_t verbs;
	unsigned int i, c;

	if (p->bnd_key[0] == 0)
		bnd_keys_new(p);
	if (p->auth_line_max == 0)
		p->auth_line_max = ESMTP_AUTH_LINE_MAX;

	/* The ASA's 15 verbs (RFC 821's seven plus eight extended), or the
	 * seven alone in SMTP mode. */
	verbs = p->mode == ESMTP_MODE_SMTP ? (1u << (ESMTP_VERB_QUIT + 1)) - 1
					   : (1u << (ESMTP_VERB_VRFY + 1)) - 1;
	if (p->allow_tls && p->mode != ESMTP_MODE_SMTP)
		verbs |= 1u << ESMTP_VERB_STARTTLS;
	if (p->chunking && p->mode != ESMTP_MODE_SMTP)
		verbs |= 1u << ESMTP_VERB_BDAT;
	p->verbs_allowed = (verbs | p->verbs_add) & ~p->verbs_remove;

	/* The keywords "noted in the RFCs" that ASA lets through; the rest
	 * are "others". */
	p->ehlo_rfc = (1u << (ESMTP_EHLO_DELIVERBY + 1)) - 1;
	if (p->allow_tls)
		p->ehlo_rfc |= 1u << ESMTP_EHLO_STARTTLS;
	if (p->chunking)
		p->ehlo_rfc |= (1u << ESMTP_EHLO_CHUNKING) | (1u << ESMTP_EHLO_BINARYMIME);

	memset(p->crit_n, 0, sizeof(p->crit_n));
	for (c = 0; c < ESMTP_CRIT_MAX; c++)
		p->crit_min[c] = UINT32_MAX;
	if (p->n_rules > ESMTP_MAX_RULES)
		return -EINVAL;
	for (i = 0; i < p->n_rules; i++) {
		const struct esmtp_rule *r = &p->rules[i];

		if (r->crit >= ESMTP_CRIT_MAX || r->action >= ESMTP_ACT_MAX)
			return -EINVAL;
		c = r->crit;
		p->crit_rules[c][p->crit_n[c]++] = (uint8_t)i;
		/* Negated numeric rules are decided at the end of the value,
		 * so they need every value: min 0 keeps the slow path on. */
		if (crit_is_numeric(c) && (r->negate || r->gt < p->crit_min[c]))
			p->crit_min[c] = r->negate ? 0 : r->gt;
	}
	return 0;
}

void
esmtp_policy_clear_rules(struct esmtp_policy *p)
{
	p->n_rules = 0;
	memset(p->rules, 0, sizeof(p->rules));
	esmtp_policy_compile(p);
}

int
esmtp_policy_add_rule(struct esmtp_policy *p, const struct esmtp_rule *rule)
{
	if (rule->crit >= ESMTP_CRIT_MAX || rule->action >= ESMTP_ACT_MAX)
		return -EINVAL;
	if (p->n_rules >= ESMTP_MAX_RULES)
		return -ENOSPC;
	p->rules[p->n_rules] = *rule;
	p->n_rules++;
	esmtp_policy_compile(p);
	return p->n_rules - 1;
}

int
esmtp_policy_add_gt(struct esmtp_policy *p, enum esmtp_crit crit, uint32_t gt,
		enum esmtp_action action, int log)
{
	struct esmtp_rule r;

	memset(&r, 0, sizeof(r));
	r.crit = (uint8_t)crit;
	r.gt = gt;
	r.action = (uint8_t)action;
	r.log = log != 0;
	return esmtp_policy_add_rule(p, &r);
}

void
esmtp_policy_default(struct esmtp_policy *p)
{
	struct esmtp_rule r;

	memset(p, 0, sizeof(*p));
	p->mode = ESMTP_MODE_ESMTP;
	p->mask_banner = ESMTP_BANNER_MASK;
	/* Beyond ASA: RFC 4954's AUTH line, not the 512-byte command line
	 * (OAuth tokens are kilobytes long). */
	p->auth_line_max = ESMTP_AUTH_LINE_MAX;
	memcpy(p->ev, ev_defaults, sizeof(p->ev));

	/* _default_esmtp_map, in its order (REFERENCE.md 1.2). */
	esmtp_policy_add_gt(p, ESMTP_CRIT_CMD_LINE_LENGTH, 512, ESMTP_ACT_DROP_CONN, 1);
	esmtp_policy_add_gt(p, ESMTP_CRIT_CMD_RCPT_COUNT, 100, ESMTP_ACT_DROP_CONN, 1);
	esmtp_policy_add_gt(p, ESMTP_CRIT_BODY_LINE_LENGTH, 998, ESMTP_ACT_LOG, 1);
	esmtp_policy_add_gt(p, ESMTP_CRIT_HEADER_LINE_LENGTH, 998, ESMTP_ACT_DROP_CONN, 1);
	esmtp_policy_add_gt(p, ESMTP_CRIT_SENDER_ADDRESS_LENGTH, 320, ESMTP_ACT_DROP_CONN, 1);
	esmtp_policy_add_gt(p, ESMTP_CRIT_MIME_FILENAME_LENGTH, 255, ESMTP_ACT_DROP_CONN, 1);
	memset(&r, 0, sizeof(r));
	r.crit = ESMTP_CRIT_EHLO_REPLY_PARAMETER;
	r.set = 1u << ESMTP_EHLO_OTHERS;
	r.action = ESMTP_ACT_MASK;
	esmtp_policy_add_rule(p, &r);
}

void
esmtp_policy_set_mode(struct esmtp_policy *p, enum esmtp_mode mode)
{
	p->mode = (uint8_t)mode;
	esmtp_policy_compile(p);
}

void
esmtp_policy_set_mask_banner(struct esmtp_policy *p, enum esmtp_banner mode)
{
	p->mask_banner = mode <= ESMTP_BANNER_NEUTRAL ? (uint8_t)mode : ESMTP_BANNER_MASK;
}

void
esmtp_policy_set_auth_line_max(struct esmtp_policy *p, uint32_t n)
{
	p->auth_line_max = n != 0 ? n : ESMTP_AUTH_LINE_MAX;
}

void
esmtp_policy_set_allow_tls(struct esmtp_policy *p, int on, int log)
{
	p->allow_tls = on != 0;
	p->ev[ESMTP_EV_TLS_STARTED].log = log != 0;
	esmtp_policy_compile(p);
}

void
esmtp_policy_set_special_char(struct esmtp_policy *p, int on, enum esmtp_action action)
{
	p->special_char = on != 0;
	p->ev[ESMTP_EV_ADDR_SPECIAL].action = (uint8_t)action;
	p->ev[ESMTP_EV_ADDR_SPECIAL].log = 1;
}

void
esmtp_policy_set_chunking(struct esmtp_policy *p, int on)
{
	p->chunking = on != 0;
	esmtp_policy_compile(p);
}

void
esmtp_policy_set_max_data(struct esmtp_policy *p, uint64_t bytes, enum esmtp_action action)
{
	p->max_data = bytes;
	p->ev[ESMTP_EV_MAX_DATA].action = (uint8_t)action;
}

int
esmtp_policy_set_mail_relay(struct esmtp_policy *p, const char *domain, enum esmtp_action action)
{
	size_t n = domain != NULL ? strlen(domain) : 0;

	if (n >= sizeof(p->relay_domain))
		return -EINVAL;
	memset(p->relay_domain, 0, sizeof(p->relay_domain));
	if (n != 0)
		memcpy(p->relay_domain, domain, n);
	p->ev[ESMTP_EV_MAIL_RELAY].action = (uint8_t)action;
	p->ev[ESMTP_EV_MAIL_RELAY].log = 1;
	esmtp_policy_compile(p);
	return 0;
}

void
esmtp_policy_set_verb(struct esmtp_policy *p, enum esmtp_verb verb, int on)
{
	if ((unsigned int)verb >= ESMTP_VERB_MAX)
		return;
	if (on) {
		p->verbs_add |= 1u << verb;
		p->verbs_remove &= ~(1u << verb);
	} else {
		p->verbs_remove |= 1u << verb;
		p->verbs_add &= ~(1u << verb);
	}
	esmtp_policy_compile(p);
}

void
esmtp_policy_set_event(
		struct esmtp_policy *p, enum esmtp_event_id ev, enum esmtp_action action, int log)
{
	if ((unsigned int)ev >= ESMTP_EV_MAX)
		return;
	p->ev[ev].action = (uint8_t)action;
	p->ev[ev].log = log != 0;
}

void
esmtp_policy_set_trace(struct esmtp_policy *p, esmtp_trace_fn fn, void *arg)
{
	p->trace = fn;
	p->trace_arg = arg;
}

void
esmtp_set_trace(struct esmtp *s, int on)
{
	if (on)
		s->conn |= CN_TRACE;
	else
		s->conn &= (uint8_t)~CN_TRACE;
}

void
esmtp_counters_add(struct esmtp_counters *c, enum esmtp_dir dir, uint32_t len,
		const struct esmtp_result *r)
{
	unsigned int i;

	c->pushes++;
	c->bytes[dir & 1] += r->consumed <= len ? r->consumed : len;
	if (r->consumed < len && !r->overflow)
		c->held++;
	if ((unsigned int)r->verdict < ESMTP_VERDICT_MAX)
		c->verdicts[r->verdict]++;
	c->edits += r->n_edits;
	for (i = 0; i < r->n_edits; i++)
		c->edited_bytes += r->edits[i].len;
	for (i = 0; i < r->n_events; i++) {
		const struct esmtp_event *e = &r->events[i];

		if (e->id < ESMTP_EV_MAX)
			c->events[e->id]++;
		if (e->rule < ESMTP_MAX_RULES)
			c->rules[e->rule]++;
	}
}

void
esmtp_counters_merge(struct esmtp_counters *dst, const struct esmtp_counters *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;
	size_t i;

	/* The struct is nothing but uint64_t fields. */
	for (i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

int
esmtp_glob(const char *pattern, const uint8_t *s, size_t n)
{
	const uint8_t *pat = (const uint8_t *)pattern;
	const uint8_t *star = NULL;
	size_t si = 0, back = 0;

	/* Iterative, with one backtrack point: linear in practice, no
	 * recursion a hostile pattern could exploit. */
	while (si < n) {
		if (*pat == '*') {
			star = ++pat;
			back = si;
		} else if (*pat != '\0' &&
				(*pat == '?' || esmtp_lower(*pat) == esmtp_lower(s[si]))) {
			pat++;
			si++;
		} else if (star != NULL) {
			pat = star;
			si = ++back;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}
