/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regexes of `regex NAME "pattern"` (sender-address regex, MIME filetype
 * regex), compiled at load time into a Glushkov automaton of at most 64
 * positions and run bit-parallel: one 64-bit state word, no backtracking,
 * no allocation, time linear in the subject whatever the pattern.  That is
 * what a worker may afford per MAIL FROM; POSIX regexec() would allocate
 * and lock.
 *
 * Syntax: literals, '.', [set] with ranges and '^' negation, \d \w \s \D
 * \W \S and escaped punctuation, groups ( ), alternation |, * + ? and
 * {m} {m,} {m,n}; '^' and '$' anchor at the very start and end.  Unanchored
 * patterns match anywhere in the subject, as the ASA's do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"

#define RX_NODES 512
#define RX_DEPTH 32

enum { N_EMPTY, N_POS, N_CAT, N_ALT, N_STAR, N_PLUS, N_OPT };

struct rx_node {
	uint8_t type;
	uint8_t pos;
	int16_t a, b;
};

struct rx_build {
	const char *s; /* pattern, parse cursor */
	const char *start;
	struct rx_node nodes[RX_NODES];
	unsigned int n_nodes;
	uint8_t sets[POLICY_REGEX_POSITIONS][32];
	unsigned int n_pos;
	unsigned int depth;
	char *why;
	size_t whylen;
	int failed;
};

static int
fail(struct rx_build *b, const char *msg)
{
	if (!b->failed && b->why != NULL && b->whylen != 0)
		snprintf(b->why, b->whylen, "regex: %s at offset %u", msg,
			(unsigned int)(b->s - b->start));
	b->failed = 1;
	return -1;
}

static int
node(struct rx_build *b, uint8_t type, int a, int c)
{
	struct rx_node *n;

	if (b->n_nodes == RX_NODES)
		return fail(b, "pattern too complex");
	n = &b->nodes[b->n_nodes];
	n->type = type;
	n->a = (int16_t)a;
	n->b = (int16_t)c;
	n->pos = 0;
	return (int)b->n_nodes++;
}

static int
new_pos(struct rx_build *b, const uint8_t *set)
{
	int n;

	if (b->n_pos == POLICY_REGEX_POSITIONS)
		return fail(b, "more than 64 characters or sets");
	n = node(b, N_POS, -1, -1);
	if (n < 0)
		return -1;
	b->nodes[n].pos = (uint8_t)b->n_pos;
	memcpy(b->sets[b->n_pos], set, 32);
	b->n_pos++;
	return n;
}

static void
set_add(uint8_t *set, unsigned int c)
{
	set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static void
set_range(uint8_t *set, unsigned int lo, unsigned int hi)
{
	unsigned int c;

	for (c = lo; c <= hi; c++)
		set_add(set, c);
}

/* \d \w \s and friends into set; 0 when e is not a class letter. */
static int
class_escape(uint8_t *set, char e)
{
	uint8_t tmp[32];
	unsigned int i;
	int neg = e == 'D' || e == 'W' || e == 'S';

	memset(tmp, 0, sizeof(tmp));
	switch (e) {
	case 'd':
	case 'D':
		set_range(tmp, '0', '9');
		break;
	case 'w':
	case 'W':
		set_range(tmp, '0', '9');
		set_range(tmp, 'a', 'z');
		set_range(tmp, 'A', 'Z');
		set_add(tmp, '_');
		break;
	case 's':
	case 'S':
		set_add(tmp, ' ');
		set_range(tmp, '\t', '\r');
		break;
	default:
		return 0;
	}
	for (i = 0; i < 32; i++)
		set[i] |= neg ? (uint8_t)~tmp[i] : tmp[i];
	return 1;
}

static int
escape_char(char e)
{
	switch (e) {
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		/* Only punctuation may be escaped: \b, \1 ... are not supported
		 * and must not silently mean a letter. */
		if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9') ||
			e == '\0')
			return -1;
		return (unsigned char)e;
	}
}

static int
parse_set(struct rx_build *b, uint8_t *set)
{
	int neg = 0, first = 1;
	unsigned int i;

	b->s++; /* '[' */
	if (*b->s == '^') {
		neg = 1;
		b->s++;
	}
	for (;;) {
		int lo, hi;

		if (*b->s == '\0')
			return fail(b, "unterminated [set]");
		if (*b->s == ']' && !first)
			break;
		first = 0;
		if (*b->s == '\\') {
			b->s++;
			if (class_escape(set, *b->s)) {
				b->s++;
				continue;
			}
			if ((lo = escape_char(*b->s)) < 0)
				return fail(b, "unsupported escape");
		} else {
			lo = (unsigned char)*b->s;
		}
		b->s++;
		hi = lo;
		if (b->s[0] == '-' && b->s[1] != ']' && b->s[1] != '\0') {
			b->s++;
			if (*b->s == '\\') {
				b->s++;
				if ((hi = escape_char(*b->s)) < 0)
					return fail(b, "unsupported escape");
			} else {
				hi = (unsigned char)*b->s;
			}
			b->s++;
			if (hi < lo)
				return fail(b, "reversed range in [set]");
		}
		set_range(set, (unsigned int)lo, (unsigned int)hi);
	}
	b->s++; /* ']' */
	if (neg)
		for (i = 0; i < 32; i++)
			set[i] = (uint8_t)~set[i];
	return 0;
}

static int parse_alt(struct rx_build *b);

static int
parse_atom(struct rx_build *b)
{
	uint8_t set[32];
	int n, c;

	memset(set, 0, sizeof(set));
	switch (*b->s) {
	case '(':
		if (++b->depth > RX_DEPTH)
			return fail(b, "groups nested too deep");
		b->s++;
		n = parse_alt(b);
		if (n < 0)
			return -1;
		if (*b->s != ')')
			return fail(b, "missing )");
		b->s++;
		b->depth--;
		return n;
	case '.':
		b->s++;
		memset(set, 0xff, sizeof(set));
		return new_pos(b, set);
	case '[':
		if (parse_set(b, set) != 0)
			return -1;
		return new_pos(b, set);
	case '\\':
		b->s++;
		if (class_escape(set, *b->s)) {
			b->s++;
			return new_pos(b, set);
		}
		if ((c = escape_char(*b->s)) < 0)
			return fail(b, "unsupported escape");
		b->s++;
		set_add(set, (unsigned int)c);
		return new_pos(b, set);
	case '*':
	case '+':
	case '?':
	case '{':
		return fail(b, "repetition of nothing");
	case '^':
	case '$':
		return fail(b, "'^' and '$' only at the start and the end");
	default:
		set_add(set, (unsigned char)*b->s);
		b->s++;
		return new_pos(b, set);
	}
}

/* Deep copy of subtree n with fresh positions (for {m,n}). */
static int
clone(struct rx_build *b, int n)
{
	struct rx_node src = b->nodes[n];
	int a = -1, c = -1;

	if (src.type == N_POS)
		return new_pos(b, b->sets[src.pos]);
	if (src.a >= 0 && (a = clone(b, src.a)) < 0)
		return -1;
	if (src.b >= 0 && (c = clone(b, src.b)) < 0)
		return -1;
	return node(b, src.type, a, c);
}

static int
parse_count(struct rx_build *b, unsigned int *out)
{
	unsigned int v = 0;

	if (*b->s < '0' || *b->s > '9')
		return fail(b, "bad {m,n}");
	while (*b->s >= '0' && *b->s <= '9') {
		v = v * 10 + (unsigned int)(*b->s - '0');
		if (v > POLICY_REGEX_POSITIONS)
			return fail(b, "repeat count too large");
		b->s++;
	}
	*out = v;
	return 0;
}

static int
repeat(struct rx_build *b, int atom, unsigned int min, unsigned int max, int unbounded)
{
	int res = -1, cur, i;

	/* X{m,n} = X ... X (m times) then n-m optional copies; X{m,} ends
	 * with X*.  The first copy reuses atom itself. */
	for (i = 0; i < (int)min; i++) {
		cur = i == 0 ? atom : clone(b, atom);
		if (cur < 0)
			return -1;
		res = res < 0 ? cur : node(b, N_CAT, res, cur);
		if (res < 0)
			return -1;
	}
	if (unbounded) {
		cur = min == 0 ? atom : clone(b, atom);
		if (cur < 0 || (cur = node(b, N_STAR, cur, -1)) < 0)
			return -1;
		return res < 0 ? cur : node(b, N_CAT, res, cur);
	}
	for (i = (int)min; i < (int)max; i++) {
		cur = i == 0 ? atom : clone(b, atom);
		if (cur < 0 || (cur = node(b, N_OPT, cur, -1)) < 0)
			return -1;
		res = res < 0 ? cur : node(b, N_CAT, res, cur);
		if (res < 0)
			return -1;
	}
	return res < 0 ? node(b, N_EMPTY, -1, -1) : res;
}

static int
parse_rep(struct rx_build *b)
{
	int n = parse_atom(b);

	while (n >= 0) {
		unsigned int min, max;
		int unbounded = 0;

		if (*b->s == '*')
			n = node(b, N_STAR, n, -1);
		else if (*b->s == '+')
			n = node(b, N_PLUS, n, -1);
		else if (*b->s == '?')
			n = node(b, N_OPT, n, -1);
		else if (*b->s == '{') {
			b->s++;
			if (parse_count(b, &min) != 0)
				return -1;
			max = min;
			if (*b->s == ',') {
				b->s++;
				if (*b->s == '}')
					unbounded = 1;
				else if (parse_count(b, &max) != 0)
					return -1;
			}
			if (*b->s != '}' || max < min)
				return fail(b, "bad {m,n}");
			n = repeat(b, n, min, max, unbounded);
		} else
			break;
		b->s++;
	}
	return n;
}

static int
parse_cat(struct rx_build *b)
{
	int res = -1;

	while (*b->s != '\0' && *b->s != '|' && *b->s != ')' &&
		!(*b->s == '$' && b->s[1] == '\0')) {
		int n = parse_rep(b);

		if (n < 0)
			return -1;
		res = res < 0 ? n : node(b, N_CAT, res, n);
		if (res < 0)
			return -1;
	}
	return res < 0 ? node(b, N_EMPTY, -1, -1) : res;
}

static int
parse_alt(struct rx_build *b)
{
	int res = parse_cat(b);

	while (res >= 0 && *b->s == '|') {
		int n;

		b->s++;
		if ((n = parse_cat(b)) < 0)
			return -1;
		res = node(b, N_ALT, res, n);
	}
	return res;
}

struct glu {
	int nullable;
	uint64_t first, last;
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

static struct glu
glushkov(const struct rx_build *b, struct policy_regex *re, int n)
{
	const struct rx_node *x = &b->nodes[n];
	struct glu r = {0, 0, 0}, l, m;

	switch (x->type) {
	case N_EMPTY:
		r.nullable = 1;
		break;
	case N_POS:
		r.first = r.last = 1ull << x->pos;
		break;
	case N_CAT:
		l = glushkov(b, re, x->a);
		m = glushkov(b, re, x->b);
		add_follow(re, l.last, m.first);
		r.nullable = l.nullable && m.nullable;
		r.first = l.nullable ? l.first | m.first : l.first;
		r.last = m.nullable ? l.last | m.last : m.last;
		break;
	case N_ALT:
		l = glushkov(b, re, x->a);
		m = glushkov(b, re, x->b);
		r.nullable = l.nullable || m.nullable;
		r.first = l.first | m.first;
		r.last = l.last | m.last;
		break;
	default: /* STAR, PLUS, OPT */
		r = glushkov(b, re, x->a);
		if (x->type != N_OPT)
			add_follow(re, r.last, r.first);
		if (x->type != N_PLUS)
			r.nullable = 1;
		break;
	}
	return r;
}

int
policy_regex_compile(
	struct policy_regex *re, const char *pattern, bool icase, char *why, size_t whylen)
{
	struct rx_build *b;
	struct glu g;
	unsigned int p, c;
	size_t len = strlen(pattern);
	int root;

	/* The builder is ~20 KiB: on the heap of the loader, not its stack. */
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	b->start = b->s = pattern;
	b->why = why;
	b->whylen = whylen;
	memset(re->follow, 0, sizeof(re->follow));
	memset(re->cmask, 0, sizeof(re->cmask));
	re->anch_start = re->anch_end = 0;
	if (*b->s == '^') {
		re->anch_start = 1;
		b->s++;
	}
	if (len > 0 && pattern[len - 1] == '$' && (len < 2 || pattern[len - 2] != '\\'))
		re->anch_end = 1;
	root = parse_alt(b);
	if (root >= 0 && *b->s == '$' && re->anch_end && b->s[1] == '\0')
		b->s++;
	if (root >= 0 && *b->s != '\0')
		root = fail(b, *b->s == ')' ? "unbalanced )" : "unexpected character");
	if (root < 0) {
		free(b);
		return -EINVAL;
	}
	g = glushkov(b, re, root);
	re->n_pos = (uint8_t)b->n_pos;
	re->nullable = (uint8_t)g.nullable;
	re->first = g.first;
	re->last = g.last;
	for (p = 0; p < b->n_pos; p++) {
		uint8_t *set = b->sets[p];

		if (icase)
			for (c = 'a'; c <= 'z'; c++)
				if (((set[c >> 3] >> (c & 7)) & 1) ||
					((set[(c - 32) >> 3] >> ((c - 32) & 7)) & 1)) {
					set_add(set, c);
					set_add(set, c - 32);
				}
		for (c = 0; c < 256; c++)
			if ((set[c >> 3] >> (c & 7)) & 1)
				re->cmask[c] |= 1ull << p;
	}
	free(b);
	return 0;
}

int
policy_regex_run(const struct policy_regex *re, const uint8_t *s, size_t n)
{
	uint64_t d = 0;
	size_t i;

	if (re->nullable && !re->anch_end)
		return 1; /* the empty match at the start */
	for (i = 0; i < n; i++) {
		uint64_t reach = re->anch_start ? (i == 0 ? re->first : 0) : re->first;
		uint64_t x = d;

		while (x != 0) {
			reach |= re->follow[__builtin_ctzll(x)];
			x &= x - 1;
		}
		d = reach & re->cmask[s[i]];
		if (!re->anch_end && (d & re->last) != 0)
			return 1;
		if (d == 0 && re->anch_start)
			return 0;
	}
	if ((d & re->last) != 0)
		return 1;
	/* A nullable anchored-at-end pattern matches the empty suffix; with
	 * '^' too, only an empty subject. */
	return re->nullable && (!re->anch_start || n == 0);
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
