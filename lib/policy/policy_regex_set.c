/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte sets of the policy's regexes (see policy_regex_parse.c for the
 * syntax and its meaning): escapes, [sets] with ranges and POSIX classes,
 * ignore-case.  The set parser follows PCRE2's parse_regex() and
 * check_posix_syntax() closely, so that the corner cases ([]a], [a-c-e],
 * [:x], [\d-], [[:alpha:]-] ...) mean the same, and refuses what PCRE2
 * refuses with -EINVAL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy_regex.h"

int
rx_fail(struct rx_parser *p, const char *at, int err, const char *fmt, ...)
{
	char msg[128];
	va_list ap;

	if (p->err != 0)
		return -1;
	p->err = err;
	if (p->why != NULL && p->whylen != 0) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		snprintf(p->why, p->whylen, "%s at offset %u", msg, (unsigned int)(at - p->start));
	}
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Byte sets                                                              */

static void
set_add(uint8_t *set, unsigned int c)
{
	set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static void
set_or(uint8_t *dst, const uint8_t *src)
{
	unsigned int i;

	for (i = 0; i < 32; i++)
		dst[i] |= src[i];
}

static void
set_not(uint8_t *set)
{
	unsigned int i;

	for (i = 0; i < 32; i++)
		set[i] = (uint8_t)~set[i];
}

/* c, and under ignore-case its other case: PCRE2's default tables know the
 * case of ASCII letters only. */
void
rx_add_char(const struct rx_parser *p, uint8_t *set, unsigned int c)
{
	set_add(set, c);
	if (p->icase && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		set_add(set, c ^ 0x20);
}

#define POSIX_CLASSES(_) \
	_(ALPHA, "alpha") \
	_(LOWER, "lower") \
	_(UPPER, "upper") \
	_(ALNUM, "alnum") \
	_(ASCII, "ascii") \
	_(BLANK, "blank") \
	_(CNTRL, "cntrl") \
	_(DIGIT, "digit") \
	_(GRAPH, "graph") \
	_(PRINT, "print") \
	_(PUNCT, "punct") \
	_(SPACE, "space") \
	_(WORD, "word") \
	_(XDIGIT, "xdigit")

#define PX_ENUM(e, s) PX_##e,
enum { POSIX_CLASSES(PX_ENUM) PX_COUNT };
#undef PX_ENUM

static int
posix_lookup(const char *name, size_t len)
{
#define PX_NAME(e, s) s,
	static const char *const names[] = {POSIX_CLASSES(PX_NAME)};
#undef PX_NAME
	int i;

	for (i = 0; i < PX_COUNT; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return i;
	return -1;
}

static bool
posix_has(int cls, unsigned int c)
{
	bool lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
	bool digit = c >= '0' && c <= '9', graph = c >= 33 && c <= 126;

	switch (cls) {
	case PX_ALPHA:
		return lower || upper;
	case PX_LOWER:
		return lower;
	case PX_UPPER:
		return upper;
	case PX_ALNUM:
		return lower || upper || digit;
	case PX_ASCII:
		return c < 128;
	case PX_BLANK:
		return c == ' ' || c == '\t';
	case PX_CNTRL:
		return c < 32 || c == 127;
	case PX_DIGIT:
		return digit;
	case PX_GRAPH:
		return graph;
	case PX_PRINT:
		return graph || c == ' ';
	case PX_PUNCT:
		return graph && !lower && !upper && !digit;
	case PX_SPACE:
		return c == ' ' || (c >= '\t' && c <= '\r');
	case PX_WORD:
		return lower || upper || digit || c == '_';
	default: /* PX_XDIGIT */
		return digit || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
	}
}

/* The bytes of class cls, or of all others when neg. */
static void
posix_set(uint8_t *set, int cls, bool neg)
{
	unsigned int c;

	memset(set, 0, 32);
	for (c = 0; c < 256; c++)
		if (posix_has(cls, c) != neg)
			set_add(set, c);
}

/* ---------------------------------------------------------------------- */
/* Escapes and sets                                                       */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The escape whose letter is at p->s (the '\' before it).  ESC_CHAR with
 * *c, ESC_SET with set (\d \w \s and their negations), ESC_BOL / ESC_EOL
 * (\A, \z; not in a set), or -1.
 */
int
rx_parse_escape(struct rx_parser *p, bool in_set, unsigned int *c, uint8_t *set)
{
	static const char controls[] = "n\nr\rt\tf\fe\033a\007";
	const char *at = p->s - 1, *k;
	unsigned char e = (unsigned char)*p->s;
	int h1, h2;

	if (e == '\0')
		return rx_fail(p, at, -EINVAL, "'\\' at the end of the pattern");
	p->s++;
	if (!((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))) {
		*c = e; /* an escaped non-alphanumeric byte is itself */
		return ESC_CHAR;
	}
	switch (e) {
	case 'd':
	case 'D':
		posix_set(set, PX_DIGIT, e == 'D');
		return ESC_SET;
	case 'w':
	case 'W':
		posix_set(set, PX_WORD, e == 'W');
		return ESC_SET;
	case 's':
	case 'S':
		posix_set(set, PX_SPACE, e == 'S');
		return ESC_SET;
	case 'x':
		h1 = hexval(p->s[0]);
		h2 = h1 < 0 ? -1 : hexval(p->s[1]);
		if (h2 < 0)
			return rx_fail(p, at, -ENOTSUP,
					"only \\xhh with two hex digits is supported");
		p->s += 2;
		*c = (unsigned int)(h1 << 4 | h2);
		return ESC_CHAR;
	case 'A':
	case 'z':
		if (in_set)
			break;
		return e == 'A' ? ESC_BOL : ESC_EOL;
	case 'b':
	case 'B':
		if (in_set)
			break;
		return rx_fail(p, at, -ENOTSUP, "\\%c (word boundary) is not supported", e);
	default:
		if (e >= '0' && e <= '9')
			return rx_fail(p, at, -ENOTSUP,
					"\\%c (back-reference or octal) is not supported: write \\xhh",
					e);
		k = strchr(controls, e);
		if (k != NULL && (k - controls) % 2 == 0) {
			*c = (unsigned char)k[1];
			return ESC_CHAR;
		}
		break;
	}
	return rx_fail(p, at, -ENOTSUP, "\\%c is not supported%s", e, in_set ? " in a set" : "");
}

/* PCRE2's check_posix_syntax(): s is just after a '[' and at ':', '.' or
 * '='; true when a matching ":]" (".]", "=]") comes first, *end on it. */
static bool
posix_syntax(const char *s, const char **end)
{
	char term = *s++;

	for (; s[0] != '\0' && s[1] != '\0'; s++) {
		if (s[0] == '\\' && (s[1] == ']' || s[1] == '\\'))
			s++;
		else if ((s[0] == '[' && s[1] == term) || s[0] == ']')
			return false;
		else if (s[0] == term && s[1] == ']') {
			*end = s;
			return true;
		}
	}
	return false;
}

static bool
posix_at(const char *s, const char **end)
{
	return s[0] == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=') &&
			posix_syntax(s + 1, end);
}

/* A '-' at p->s that starts a range (not last in the set). */
static bool
dash_range(const struct rx_parser *p)
{
	return p->s[0] == '-' && p->s[1] != ']' && p->s[1] != '\0';
}

/* [:name:] or [:^name:] inside a set, at p->s; into set. */
static int
parse_posix(struct rx_parser *p, uint8_t *set, const char *end)
{
	const char *at = p->s, *name = p->s + 2;
	uint8_t tmp[32];
	bool neg = *name == '^';
	int cls;

	if (p->s[1] != ':')
		return rx_fail(p, at, -EINVAL, "POSIX collating elements are not supported");
	name += neg;
	cls = posix_lookup(name, (size_t)(end - name));
	if (cls < 0)
		return rx_fail(p, at, *name == '<' || *name == '>' ? -ENOTSUP : -EINVAL,
				"unknown POSIX class [:%.*s:]", (int)(end - name), name);
	/* PCRE2: under ignore-case, lower and upper (negated too) mean alpha. */
	if (p->icase && (cls == PX_LOWER || cls == PX_UPPER))
		cls = PX_ALPHA;
	posix_set(tmp, cls, neg);
	set_or(set, tmp);
	p->s = end + 2;
	if (dash_range(p))
		return rx_fail(p, p->s, -EINVAL, "a range cannot start at a POSIX class");
	return 0;
}

/* One member of a set at p->s: a byte, an escape, a range, a POSIX class. */
static int
parse_member(struct rx_parser *p, uint8_t *set)
{
	uint8_t tmp[32];
	const char *end;
	unsigned int lo, hi, c;
	int r = ESC_CHAR;

	if (posix_at(p->s, &end))
		return parse_posix(p, set, end);
	if (*p->s == '\\') {
		p->s++;
		if ((r = rx_parse_escape(p, true, &lo, tmp)) < 0)
			return -1;
		if (r == ESC_SET) {
			set_or(set, tmp);
			if (dash_range(p))
				return rx_fail(p, p->s, -EINVAL,
						"a range cannot start at \\d \\w \\s");
			return 0;
		}
	} else {
		lo = (unsigned char)*p->s++;
	}
	hi = lo;
	if (dash_range(p)) {
		const char *dash = p->s++;

		if (posix_at(p->s, &end))
			return rx_fail(p, dash, -EINVAL, "a range cannot end at a POSIX class");
		if (*p->s == '\\') {
			p->s++;
			if ((r = rx_parse_escape(p, true, &hi, tmp)) < 0)
				return -1;
			if (r == ESC_SET)
				return rx_fail(p, dash, -EINVAL,
						"a range cannot end at \\d \\w \\s");
		} else {
			hi = (unsigned char)*p->s++;
		}
		if (hi < lo)
			return rx_fail(p, dash, -EINVAL, "range out of order in a set");
	}
	for (c = lo; c <= hi; c++)
		rx_add_char(p, set, c);
	return 0;
}

/* [set] at p->s into set.  A ']' first (after '^') is a member. */
int
rx_parse_set(struct rx_parser *p, uint8_t *set)
{
	const char *open = p->s, *end;
	bool neg = false;

	if (posix_at(p->s, &end))
		return rx_fail(p, open, -EINVAL,
				p->s[1] == ':' ? "a POSIX class only inside a set: write [[:name:]]"
					       : "POSIX collating elements are not supported");
	p->s++;
	if (*p->s == '^') {
		neg = true;
		p->s++;
	}
	do {
		if (*p->s == '\0')
			return rx_fail(p, open, -EINVAL, "missing ']'");
		if (parse_member(p, set) != 0)
			return -1;
	} while (*p->s != ']');
	p->s++;
	if (neg)
		set_not(set);
	return 0;
}
