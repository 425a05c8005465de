/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The syntax tree of one regex, from the parser (policy_regex_parse.c) to
 * the automaton builder (policy_regex.c).  Private to lib/policy.
 *
 * Each position (a character, a [set], '.', an escape) consumes one byte
 * of the subject and carries the 256-bit set of bytes it accepts, with
 * ignore-case already applied as PCRE2 applies it.  '^' and '$' are
 * zero-width nodes.
 */
#ifndef SMTPWALL_POLICY_REGEX_H
#define SMTPWALL_POLICY_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define RX_NODES 512
#define RX_DEPTH 32 /* nested groups */
#define RX_MAX_COUNT POLICY_REGEX_POSITIONS /* largest m or n of {m,n} */

enum rx_type {
	RX_EMPTY, /* the empty string */
	RX_POS, /* one byte of sets[pos] */
	RX_BOL, /* '^' and \A: the start of the subject */
	RX_EOL, /* '$' and \z: the end of the subject */
	RX_CAT,
	RX_ALT,
	RX_STAR,
	RX_PLUS,
	RX_OPT,
};

struct rx_node {
	uint8_t type;
	uint8_t pos;
	int16_t a, b; /* operands: a for all but RX_CAT/RX_ALT, -1 when none */
};

struct rx_tree {
	struct rx_node nodes[RX_NODES];
	unsigned int n_nodes;
	uint8_t sets[POLICY_REGEX_POSITIONS][32];
	unsigned int n_pos;
	int root;
};

/* State of one parse (policy_regex_parse.c, policy_regex_set.c). */
struct rx_parser {
	struct rx_tree *t;
	const char *s; /* cursor */
	const char *start;
	bool icase;
	unsigned int depth;
	char *why;
	size_t whylen;
	int err; /* first error: -EINVAL, -ENOTSUP or -E2BIG */
};

/* What an escape is (rx_parse_escape). */
enum { ESC_CHAR, ESC_SET, ESC_BOL, ESC_EOL };

/* policy_regex_set.c */
/* Records the first error (err, "msg at offset N" in why); returns -1. */
__attribute__((format(printf, 4, 5))) int
rx_fail(struct rx_parser *p, const char *at, int err, const char *fmt, ...);
/* Adds byte c to set, and its other case under ignore-case. */
void rx_add_char(const struct rx_parser *p, uint8_t *set, unsigned int c);
/* The escape whose letter is at p->s: ESC_CHAR with *c, ESC_SET with set,
 * ESC_BOL / ESC_EOL (\A, \z; not in a set), or -1. */
int rx_parse_escape(struct rx_parser *p, bool in_set, unsigned int *c, uint8_t *set);
/* The [set] at p->s into set (zeroed by the caller); 0 or -1. */
int rx_parse_set(struct rx_parser *p, uint8_t *set);

/* policy_regex_parse.c */
/*
 * Parse pattern into t.  0, or -EINVAL (PCRE2 refuses it too: a syntax
 * error), -ENOTSUP (valid PCRE2 outside our subset) or -E2BIG (over the
 * size bounds); why receives "reason at offset N".
 */
int rx_parse(struct rx_tree *t, const char *pattern, bool icase, char *why, size_t whylen);

#endif
