/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parser of the policy's regexes: pattern -> rx_tree (policy_regex.h).
 *
 * It accepts a subset of PCRE2 (10.42) syntax, and every pattern it
 * accepts means exactly what it means to PCRE2 compiled with
 * PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY (| PCRE2_CASELESS for ignore-case),
 * without UTF and with PCRE2's default ("C" locale, ASCII) character
 * tables; tests/fuzz/fuzz_regex.c checks that against libpcre2.  The
 * rest is refused with the reason, never read another way: -EINVAL where
 * PCRE2 refuses the pattern too, -ENOTSUP where PCRE2 gives it a meaning
 * this engine does not implement (a '{' that is not a count, \b,
 * back-references, look-around, possessive quantifiers, (?flags) ...).
 * Escapes and [sets] are policy_regex_set.c's.
 */
#include <errno.h>
#include <string.h>

#include "policy_regex.h"

/* ---------------------------------------------------------------------- */
/* Tree                                                                   */

static int
node(struct rx_parser *p, uint8_t type, int a, int b)
{
	struct rx_tree *t = p->t;
	struct rx_node *n;

	if (t->n_nodes == RX_NODES)
		return rx_fail(p, p->s, -E2BIG, "pattern too complex");
	n = &t->nodes[t->n_nodes];
	n->type = type;
	n->pos = 0;
	n->a = (int16_t)a;
	n->b = (int16_t)b;
	return (int)t->n_nodes++;
}

static int
new_pos(struct rx_parser *p, const uint8_t *set)
{
	struct rx_tree *t = p->t;
	int n;

	if (t->n_pos == POLICY_REGEX_POSITIONS)
		return rx_fail(p, p->s, -E2BIG, "more than %d characters or sets (after {m,n})",
				POLICY_REGEX_POSITIONS);
	n = node(p, RX_POS, -1, -1);
	if (n < 0)
		return -1;
	t->nodes[n].pos = (uint8_t)t->n_pos;
	memcpy(t->sets[t->n_pos], set, 32);
	t->n_pos++;
	return n;
}

/* Deep copy of subtree n with fresh positions (for {m,n}). */
static int
clone(struct rx_parser *p, int n)
{
	struct rx_node src = p->t->nodes[n];
	int a = -1, b = -1;

	if (src.type == RX_POS)
		return new_pos(p, p->t->sets[src.pos]);
	if (src.a >= 0 && (a = clone(p, src.a)) < 0)
		return -1;
	if (src.b >= 0 && (b = clone(p, src.b)) < 0)
		return -1;
	return node(p, src.type, a, b);
}

static int
cat(struct rx_parser *p, int left, int right)
{
	return left < 0 ? right : node(p, RX_CAT, left, right);
}

/* X{min,max}: min copies of X, then max - min copies of X?; X{min,}: min - 1
 * copies, then X+ (X* when min is 0).  The first copy is X itself. */
static int
repeat(struct rx_parser *p, int x, unsigned int min, unsigned int max, bool unbounded)
{
	unsigned int i, copies = unbounded ? (min > 0 ? min : 1) : max;
	int res = -1, cur;

	if (copies == 0)
		return node(p, RX_EMPTY, -1, -1); /* X{0}: X's positions stay unused */
	for (i = 0; i < copies; i++) {
		cur = i == 0 ? x : clone(p, x);
		if (cur >= 0 && unbounded && i == copies - 1)
			cur = node(p, min > 0 ? RX_PLUS : RX_STAR, cur, -1);
		else if (cur >= 0 && i >= min)
			cur = node(p, RX_OPT, cur, -1);
		if (cur < 0 || (res = cat(p, res, cur)) < 0)
			return -1;
	}
	return res;
}

/* ---------------------------------------------------------------------- */
/* Structure                                                              */

/*
 * A quantifier at s? 1 with its counts and length, 0 when none (a '{'
 * that is not {m}, {m,} or {m,n} is no quantifier to PCRE2 10.42 either),
 * -1 on a count too large.
 */
static int
quant_at(struct rx_parser *p, const char *s, unsigned int *min, unsigned int *max, bool *unbounded,
		size_t *len)
{
	const char *q = s + 1;
	unsigned int v[2] = {0, 0}, k = 0;

	*unbounded = false;
	*min = 0;
	*max = 0;
	*len = 1;
	switch (*s) {
	case '*':
		*unbounded = true;
		return 1;
	case '+':
		*min = 1;
		*unbounded = true;
		return 1;
	case '?':
		*max = 1;
		return 1;
	case '{':
		break;
	default:
		return 0;
	}
	if (*q < '0' || *q > '9')
		return 0;
	for (; *q != '}'; q++) {
		if (*q == ',' && k == 0) {
			k = 1;
			*unbounded = q[1] == '}';
		} else if (*q >= '0' && *q <= '9') {
			if (v[k] <= RX_MAX_COUNT)
				v[k] = v[k] * 10 + (unsigned int)(*q - '0');
		} else {
			return 0;
		}
	}
	if (v[0] > RX_MAX_COUNT || v[1] > RX_MAX_COUNT)
		return rx_fail(p, s, -E2BIG, "repeat count over %d", RX_MAX_COUNT);
	*min = v[0];
	*max = k == 0 ? v[0] : v[1];
	if (!*unbounded && *max < *min)
		return rx_fail(p, s, -EINVAL, "numbers out of order in {m,n}");
	*len = (size_t)(q + 1 - s);
	return 1;
}

static int parse_alt(struct rx_parser *p);

/* ( ... ) or (?: ... ) at p->s. */
static int
parse_group(struct rx_parser *p)
{
	const char *open = p->s++;
	int n;

	if (*p->s == '?') {
		if (p->s[1] != ':')
			return rx_fail(p, open, -ENOTSUP,
					"(?...) is not supported (look-around, flags, named groups); "
					"only (?:...)");
		p->s += 2;
	} else if (*p->s == '*') {
		return rx_fail(p, open, -ENOTSUP, "(*VERB) is not supported");
	}
	if (++p->depth > RX_DEPTH)
		return rx_fail(p, open, -E2BIG, "groups nested deeper than %d", RX_DEPTH);
	n = parse_alt(p);
	if (n < 0)
		return -1;
	if (*p->s != ')')
		return rx_fail(p, open, -EINVAL, "missing ')'");
	p->s++;
	p->depth--;
	return n;
}

/* One atom at p->s; *anchor when it is '^', '$', \A or \z. */
static int
parse_atom(struct rx_parser *p, bool *anchor)
{
	uint8_t set[32];
	const char *at = p->s;
	unsigned int c, min, max;
	bool unb;
	size_t len;
	int r;

	*anchor = false;
	memset(set, 0, sizeof(set));
	switch (*p->s) {
	case '(':
		return parse_group(p);
	case '^':
	case '$':
		*anchor = true;
		p->s++;
		return node(p, *at == '^' ? RX_BOL : RX_EOL, -1, -1);
	case '.':
		p->s++;
		memset(set, 0xff, sizeof(set)); /* any byte, '\n' too (PCRE2_DOTALL) */
		return new_pos(p, set);
	case '[':
		if (rx_parse_set(p, set) != 0)
			return -1;
		return new_pos(p, set);
	case '\\':
		p->s++;
		if ((r = rx_parse_escape(p, false, &c, set)) < 0)
			return -1;
		if (r == ESC_BOL || r == ESC_EOL) {
			*anchor = true;
			return node(p, r == ESC_BOL ? RX_BOL : RX_EOL, -1, -1);
		}
		if (r == ESC_CHAR)
			rx_add_char(p, set, c);
		return new_pos(p, set);
	case '*':
	case '+':
	case '?':
		return rx_fail(p, at, -EINVAL, "'%c' with nothing to repeat", *at);
	case '{':
		if ((r = quant_at(p, at, &min, &max, &unb, &len)) < 0)
			return -1;
		if (r > 0)
			return rx_fail(p, at, -EINVAL, "{m,n} with nothing to repeat");
		return rx_fail(p, at, -ENOTSUP,
				"a '{' that does not start {m}, {m,} or {m,n}: "
				"write \\{");
	default:
		rx_add_char(p, set, (unsigned char)*p->s++);
		return new_pos(p, set);
	}
}

/* An atom and its quantifier: * + ? {m} {m,} {m,n}, each maybe lazy ('?'
 * after it: the same strings match).  Possessive ('+' after it) is
 * refused; so is a quantifier after a quantifier or an anchor, as PCRE2
 * does. */
static int
parse_rep(struct rx_parser *p)
{
	unsigned int min, max, min2, max2;
	bool anchor, unb, unb2;
	size_t len;
	int n = parse_atom(p, &anchor), q;

	if (n < 0 || (q = quant_at(p, p->s, &min, &max, &unb, &len)) == 0)
		return n;
	if (q < 0)
		return -1;
	if (anchor)
		return rx_fail(p, p->s, -EINVAL, "an anchor cannot be repeated");
	p->s += len;
	if (*p->s == '+')
		return rx_fail(p, p->s, -ENOTSUP, "possessive quantifiers are not supported");
	if (*p->s == '?')
		p->s++;
	if ((q = quant_at(p, p->s, &min2, &max2, &unb2, &len)) != 0)
		return q < 0 ? -1 : rx_fail(p, p->s, -EINVAL, "a quantifier after a quantifier");
	return repeat(p, n, min, max, unb);
}

static int
parse_cat(struct rx_parser *p)
{
	int res = -1;

	while (*p->s != '\0' && *p->s != '|' && *p->s != ')') {
		int n = parse_rep(p);

		if (n < 0 || (res = cat(p, res, n)) < 0)
			return -1;
	}
	return res < 0 ? node(p, RX_EMPTY, -1, -1) : res;
}

static int
parse_alt(struct rx_parser *p)
{
	int res = parse_cat(p);

	while (res >= 0 && *p->s == '|') {
		int n;

		p->s++;
		if ((n = parse_cat(p)) < 0)
			return -1;
		res = node(p, RX_ALT, res, n);
	}
	return res;
}

int
rx_parse(struct rx_tree *t, const char *pattern, bool icase, char *why, size_t whylen)
{
	struct rx_parser p = {
			.t = t,
			.s = pattern,
			.start = pattern,
			.icase = icase,
			.why = why,
			.whylen = whylen,
	};

	t->n_nodes = 0;
	t->n_pos = 0;
	t->root = parse_alt(&p);
	if (t->root >= 0 && *p.s != '\0') /* only ')' stops the top level early */
		t->root = rx_fail(&p, p.s, -EINVAL, "unmatched ')'");
	return t->root < 0 ? p.err : 0;
}
