/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regexes of `regex NAME "pattern"` (sender-address regex, MIME filetype
 * regex), compiled at load time into a Glushkov automaton of at most 64
 * positions and run bit-parallel: one 64-bit state word, no backtracking,
 * no allocation, time linear in the subject whatever the pattern.  That is
 * what a worker may afford per MAIL FROM; POSIX regexec() would allocate
 * and lock.
 *
 * The syntax (policy_regex_parse.c, docs/configuration.md) is a subset of
 * PCRE2's, with PCRE2's meaning: a match anywhere in the subject, '.' any
 * byte, '^' / '$' (anywhere in the pattern) the very start / end of the
 * subject.  Those two are zero-width, so the automaton keeps them apart:
 * a path through a '^' may only start at offset 0 (first_bol), one through
 * a '$' may only end at the end (last_eol), and a transition through
 * either between two bytes can never be taken.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"
#include "policy_regex.h"

/* Requirements of a path that consumes nothing: bit 0 at the start, bit 1
 * at the end of the subject.  glu.empty has bit (1 << r) when such a path
 * with requirements r exists. */
#define REQ_BOL 1
#define REQ_EOL 2
#define EMPTY(r) (1u << (r))

struct glu {
	unsigned int empty;
	uint64_t first, first_bol, last, last_eol;
};

static void
add_follow(struct policy_regex *re, uint64_t from, uint64_t to)
{
	while (from != 0) {
		unsigned int p = (unsigned int)__builtin_ctzll(from);

		re->follow[p] |= to;
		from &= from - 1;
	}
}

static unsigned int
empty_cat(unsigned int l, unsigned int m)
{
	unsigned int r1, r2, res = 0;

	for (r1 = 0; r1 < 4; r1++)
		for (r2 = 0; r2 < 4; r2++)
			if ((l & EMPTY(r1)) && (m & EMPTY(r2)))
				res |= EMPTY(r1 | r2);
	return res;
}

static struct glu
glushkov(const struct rx_tree *t, struct policy_regex *re, int n)
{
	const struct rx_node *x = &t->nodes[n];
	struct glu r = {0, 0, 0, 0, 0}, l, m;

	switch (x->type) {
	case RX_EMPTY:
		r.empty = EMPTY(0);
		break;
	case RX_BOL:
		r.empty = EMPTY(REQ_BOL);
		break;
	case RX_EOL:
		r.empty = EMPTY(REQ_EOL);
		break;
	case RX_POS:
		r.first = r.last = 1ull << x->pos;
		break;
	case RX_CAT:
		l = glushkov(t, re, x->a);
		m = glushkov(t, re, x->b);
		/* Only l.last -> m.first: a '^' or '$' between two bytes never holds. */
		add_follow(re, l.last, m.first);
		r.empty = empty_cat(l.empty, m.empty);
		r.first = l.first | ((l.empty & EMPTY(0)) ? m.first : 0);
		r.first_bol = l.first_bol | ((l.empty & EMPTY(0)) ? m.first_bol : 0) |
				((l.empty & EMPTY(REQ_BOL)) ? m.first | m.first_bol : 0);
		r.last = m.last | ((m.empty & EMPTY(0)) ? l.last : 0);
		r.last_eol = m.last_eol | ((m.empty & EMPTY(0)) ? l.last_eol : 0) |
				((m.empty & EMPTY(REQ_EOL)) ? l.last | l.last_eol : 0);
		break;
	case RX_ALT:
		l = glushkov(t, re, x->a);
		m = glushkov(t, re, x->b);
		r.empty = l.empty | m.empty;
		r.first = l.first | m.first;
		r.first_bol = l.first_bol | m.first_bol;
		r.last = l.last | m.last;
		r.last_eol = l.last_eol | m.last_eol;
		break;
	default: /* STAR, PLUS, OPT */
		r = glushkov(t, re, x->a);
		/* Repeating an empty path only adds stronger requirements: none
		 * is needed beyond x's own. */
		if (x->type != RX_OPT)
			add_follow(re, r.last, r.first);
		if (x->type != RX_PLUS)
			r.empty |= EMPTY(0);
		break;
	}
	return r;
}

int
policy_regex_compile(
		struct policy_regex *re, const char *pattern, bool icase, char *why, size_t whylen)
{
	struct rx_tree *t;
	struct glu g;
	unsigned int p, c;
	int rc;

	/* The tree is ~6 KiB: on the heap of the loader, not its stack. */
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	rc = rx_parse(t, pattern, icase, why, whylen);
	if (rc != 0) {
		free(t);
		return rc;
	}
	memset(re->follow, 0, sizeof(re->follow));
	memset(re->cmask, 0, sizeof(re->cmask));
	g = glushkov(t, re, t->root);
	re->n_pos = (uint8_t)t->n_pos;
	re->empty = (uint8_t)g.empty;
	re->first = g.first;
	re->first_bol = g.first_bol & ~g.first;
	re->last = g.last;
	re->last_eol = g.last_eol & ~g.last;
	for (p = 0; p < t->n_pos; p++)
		for (c = 0; c < 256; c++)
			if ((t->sets[p][c >> 3] >> (c & 7)) & 1)
				re->cmask[c] |= 1ull << p;
	free(t);
	return 0;
}

int
policy_regex_run(const struct policy_regex *re, const uint8_t *s, size_t n)
{
	uint64_t d = 0;
	size_t i;

	/* An empty match: unconditional, at offset 0, at offset n, or both
	 * at once (an empty subject). */
	if ((re->empty & (EMPTY(0) | EMPTY(REQ_BOL) | EMPTY(REQ_EOL))) != 0)
		return 1;
	if (n == 0)
		return re->empty != 0;
	for (i = 0; i < n; i++) {
		uint64_t reach = re->first | (i == 0 ? re->first_bol : 0);
		uint64_t x = d;

		while (x != 0) {
			reach |= re->follow[__builtin_ctzll(x)];
			x &= x - 1;
		}
		d = reach & re->cmask[s[i]];
		if ((d & re->last) != 0)
			return 1;
		if (d == 0 && re->first == 0)
			return 0; /* nothing alive, and nothing may start after offset 0 */
	}
	return (d & re->last_eol) != 0;
}

int
policy_matcher_fn(void *arg, const uint8_t *s, size_t n)
{
	const struct policy_matcher *m = arg;

	return policy_regex_match(m->p, m->idx, m->is_class != 0, s, n);
}

int
policy_regex_match(
		const struct policy *p, unsigned int idx, bool is_class, const uint8_t *s, size_t n)
{
	const struct policy_rxclass *c;
	unsigned int i;

	if (!is_class)
		return idx < p->n_regex && policy_regex_run(&p->regex[idx], s, n);
	if (idx >= p->n_rxclass)
		return 0;
	c = &p->rxclass[idx];
	/* class-map type regex match-any */
	for (i = 0; i < c->n; i++)
		if (policy_regex_run(&p->regex[c->members[i]], s, n))
			return 1;
	return 0;
}
