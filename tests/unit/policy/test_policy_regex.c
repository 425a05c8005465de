/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/policy: the bit-parallel regex engine of sender-address and MIME
 * filetype regexes, regex classes, and its hook into lib/esmtp. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "helpers.h"

static int
rx(const char *pattern, bool icase, const char *subject)
{
	struct policy *p = policy_new();
	char why[128] = "";
	int i, r;

	cr_assert_not_null(p);
	i = policy_regex_add(p, "r", pattern, icase, why, sizeof(why));
	cr_assert_geq(i, 0, "'%s': %s", pattern, why);
	r = policy_regex_match(
			p, (unsigned int)i, false, (const uint8_t *)subject, strlen(subject));
	policy_free(p);
	return r;
}

static int
rx_error(const char *pattern, char *why, size_t whylen)
{
	struct policy *p = policy_new();
	int rc = policy_regex_add(p, "r", pattern, false, why, whylen);

	policy_free(p);
	return rc;
}

struct rx_case {
	const char *pattern;
	bool icase;
	const char *subject;
	int match;
};

/* Every expectation below is what PCRE2 10.42 answers with PCRE2_DOTALL |
 * PCRE2_DOLLAR_ENDONLY (| PCRE2_CASELESS), the meaning the engine promises
 * (tests/fuzz/fuzz_regex.c checks the same against libpcre2 itself). */
static void
check_cases(const struct rx_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cr_expect_eq(rx(c[i].pattern, c[i].icase, c[i].subject), c[i].match,
				"'%s'%s on '%s': want %s", c[i].pattern,
				c[i].icase ? " (ignore-case)" : "", c[i].subject,
				c[i].match ? "a match" : "no match");
}

#define CHECK(cases) check_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* Issue 13.6, first example: the old engine read '^' and '$' as anchors of
 * the whole pattern, so this was ^(spam|@bad\.example)$ and let
 * x@bad.example through a sender blacklist.  Fails on the old engine. */
Test(regex, issue_alternation_under_an_anchor)
{
	static const struct rx_case cases[] = {
			{"^spam|@bad\\.example$", false, "x@bad.example", 1},
			{"^spam|@bad\\.example$", false, "spam@good.example", 1},
			{"^spam|@bad\\.example$", false, "x@bad.example.org", 0},
			{"^spam|@bad\\.example$", false, "xspam@good.example", 0},
			{"^a|b", false, "xb", 1},
			{"a|b$", false, "ax", 1},
			{"(^a|b)c", false, "xbc", 1},
			{"(^a|b)c", false, "xac", 0},
			{"(a|^)b", false, "b", 1},
			{"(a|^)b", false, "cb", 0},
			{"a(b|$)", false, "xa", 1},
			{"a(b|$)", false, "xac", 0},
	};

	CHECK(cases);
}

/* Issue 13.6, second example: [[:alpha:]] was read as the set "[:alph"
 * followed by a literal ']'.  Fails on the old engine. */
Test(regex, issue_posix_class_in_a_set)
{
	static const struct rx_case cases[] = {
			{"^[[:alpha:]]+$", false, "Bad", 1},
			{"[[:alpha:]]", false, "a]", 1},
			{"[[:alpha:]]", false, ":]", 0},
			{"^[[:alpha:]]$", false, "z", 1},
			{"^[[:alpha:]]$", false, "1", 0},
	};

	CHECK(cases);
}

Test(regex, literals_and_escapes)
{
	static const struct rx_case cases[] = {
			{"user1@cisco\\.com", false, "user1@cisco.com", 1},
			{"user1@cisco\\.com", false, "xuser1@cisco.com.evil", 1},
			{"user1@cisco\\.com", false, "user1@ciscoXcom", 0},
			{"abc", false, "ab", 0},
			{"abc", false, "", 0},
			{"a]b}c", false, "a]b}c", 1},
			{"\\^\\$\\.\\[\\]\\(\\)\\{\\}\\|\\*\\+\\?\\\\\\-\\/\\@", false,
					"^$.[](){}|*+?\\-/@", 1},
			{"\\x41\\x7a", false, "Az", 1},
			{"\\x41", false, "a", 0},
			{"\\n\\r\\t\\f\\e\\a", false, "\n\r\t\f\033\007", 1},
			{"\xe9t\xe9", false, "\xe9t\xe9", 1},
			{"a b#c", false, "a b#c", 1},
			{"\\ ", false, " ", 1},
	};

	CHECK(cases);
}

Test(regex, dot_is_any_byte)
{
	static const struct rx_case cases[] = {
			{"user1@cisco.com", false, "user1@ciscoXcom", 1},
			{"a.c", false, "a\nc", 1},
			{"a.c", false,
					"a\xff"
					"c",
					1},
			{"a.c", false, "ac", 0},
	};

	CHECK(cases);
}

Test(regex, class_escapes)
{
	static const struct rx_case cases[] = {
			{"^\\d+$", false, "0123456789", 1},
			{"\\d", false, "x", 0},
			{"^\\D$", false, "x", 1},
			{"^\\D$", false, "5", 0},
			{"^\\w+$", false, "az_AZ09", 1},
			{"\\w", false, "-", 0},
			{"\\w", false, "\xe9", 0},
			{"^\\W$", false, "@", 1},
			{"^\\s+$", false, " \t\n\v\f\r", 1},
			{"\\s", false, "\xa0", 0},
			{"^\\S$", false, " ", 0},
	};

	CHECK(cases);
}

Test(regex, sets)
{
	static const struct rx_case cases[] = {
			{"^[a-z0-9._-]+@example\\.(com|org)$", false, "john.doe-1@example.org", 1},
			{"^[a-z0-9._-]+@example\\.(com|org)$", false, "John@example.org", 0},
			{"^[^@]+@[^@]+$", false, "a@b", 1},
			{"^[^@]+@[^@]+$", false, "a@b@c", 0},
			{"[]x]", false, "]", 1},
			{"[^]x]", false, "]", 0},
			{"[^]x]", false, "y", 1},
			{"^[a-]$", false, "-", 1},
			{"^[-a]$", false, "-", 1},
			{"^[a-c-e]$", false, "-", 1},
			{"^[a-c-e]$", false, "d", 0},
			{"^[%--]$", false, ",", 1},
			{"^[\\d-]$", false, "-", 1},
			{"^[\\w.]$", false, ".", 1},
			{"^[\\]\\\\]$", false, "\\", 1},
			{"^[\\x41-\\x43]$", false, "B", 1},
			{"^[.]$", false, "x", 0},
			{"^[[]$", false, "[", 1},
			{"^[:a]$", false, ":", 1},
			{"^[\\n]$", false, "\n", 1},
	};

	CHECK(cases);
}

/* Every POSIX class, in and out, negated, as PCRE2's C-locale tables say. */
Test(regex, posix_classes)
{
	static const struct rx_case cases[] = {
			{"^[[:alpha:]]+$", false, "aZ", 1},
			{"[[:alpha:]]", false, "\xe9", 0},
			{"^[[:lower:]]+$", false, "az", 1},
			{"[[:lower:]]", false, "A", 0},
			{"^[[:upper:]]+$", false, "AZ", 1},
			{"[[:upper:]]", false, "a", 0},
			{"^[[:alnum:]]+$", false, "a1Z", 1},
			{"[[:alnum:]]", false, "_", 0},
			{"^[[:ascii:]]+$", false, "\x01\x7f", 1},
			{"[[:ascii:]]", false, "\x80", 0},
			{"^[[:blank:]]+$", false, " \t", 1},
			{"[[:blank:]]", false, "\n", 0},
			{"^[[:cntrl:]]+$", false, "\x01\x1f\x7f", 1},
			{"[[:cntrl:]]", false, " ", 0},
			{"^[[:digit:]]+$", false, "09", 1},
			{"[[:digit:]]", false, "a", 0},
			{"^[[:graph:]]+$", false, "!~a", 1},
			{"[[:graph:]]", false, " ", 0},
			{"^[[:print:]]+$", false, " ~", 1},
			{"[[:print:]]", false, "\x7f", 0},
			{"^[[:punct:]]+$", false, "!/:@[`{~", 1},
			{"[[:punct:]]", false, "a0", 0},
			{"^[[:space:]]+$", false, " \t\n\v\f\r", 1},
			{"[[:space:]]", false, "_", 0},
			{"^[[:word:]]+$", false, "a_0", 1},
			{"[[:word:]]", false, "-", 0},
			{"^[[:xdigit:]]+$", false, "09afAF", 1},
			{"[[:xdigit:]]", false, "g", 0},
			{"^[[:^digit:]]+$", false, "ab", 1},
			{"[[:^digit:]]", false, "5", 0},
			{"^[[:digit:][:punct:]]+$", false, "1.", 1},
			{"^[^[:digit:]x]$", false, "x", 0},
			{"^[^[:digit:]x]$", false, "y", 1},
			{"^[[:alpha:]-]+$", false, "a-b", 1},
	};

	CHECK(cases);
}

/* ignore-case folds ASCII letters only, before a set is negated; [:lower:]
 * and [:upper:] (negated too) then mean [:alpha:], as in PCRE2. */
Test(regex, ignore_case)
{
	static const struct rx_case cases[] = {
			{"^[a-z0-9._-]+@example\\.(com|org)$", true, "John@EXAMPLE.org", 1},
			{"\\.(exe|scr|pif)$", true, "invoice.PDF.EXE", 1},
			{"^[^a-z]$", true, "A", 0},
			{"^[^a-z]$", true, "1", 1},
			{"^[^x]$", true, "X", 0},
			{"^[[:lower:]]$", true, "A", 1},
			{"^[[:^lower:]]$", true, "A", 0},
			{"^[[:^upper:]]$", true, "a", 0},
			{"^[[:^upper:]]$", false, "a", 1},
			{"^\\x41$", true, "a", 1},
			{"^[Z-a]$", true, "z", 1},
			{"^[Z-a]$", true, "_", 1},
			{"\xe9", true, "\xc9", 0},
			{"^\\W$", true, "a", 0},
	};

	CHECK(cases);
}

/* '^' / '$' anywhere: the very start / end of the subject (no multiline;
 * '$' does not match before a final newline: PCRE2_DOLLAR_ENDONLY). */
Test(regex, anchors)
{
	static const struct rx_case cases[] = {
			{"^user", false, "user@x", 1},
			{"^user", false, "auser@x", 0},
			{"@spam\\.example$", false, "a@spam.example", 1},
			{"@spam\\.example$", false, "a@spam.example.org", 0},
			{"a$", false, "a\n", 0},
			{"^a@b$", false, "a@b", 1},
			{"^a@b$", false, "a@bb", 0},
			{"^$", false, "", 1},
			{"^$", false, "x", 0},
			{"$^", false, "", 1},
			{"x*$", false, "abc", 1},
			{"a\\$", false, "a$", 1},
			{"a^b", false, "a^b", 0},
			{"a$b", false, "a$b", 0},
			{"(^)*a", false, "ba", 1},
			{"(^|x)$", false, "", 1},
			{"(^|x)$", false, "ax", 1},
			{"(^|x)$", false, "a", 0},
			{"\\Aab\\z", false, "ab", 1},
			{"\\Aab\\z", false, "xab", 0},
			{"^(a|b$)", false, "b", 1},
			{"^(a|b$)", false, "bc", 0},
			{"(a$|b)+", false, "xba", 1},
			{"(a$|b)+c", false, "ac", 0},
	};

	CHECK(cases);
}

Test(regex, groups_alternation_repetition)
{
	static const struct rx_case cases[] = {
			{"^\\d{3}-\\d{2,4}$", false, "123-4567", 1},
			{"^\\d{3}-\\d{2,4}$", false, "123-45678", 0},
			{"^\\d{3}-\\d{2,4}$", false, "12-45", 0},
			{"^(ab)+$", false, "ababab", 1},
			{"^(ab)+$", false, "ababa", 0},
			{"^(?:ab)*$", false, "", 1},
			{"^colou?r$", false, "color", 1},
			{"^colou?r$", false, "colour", 1},
			{"^a{2,}$", false, "aaaaa", 1},
			{"^a{2,}$", false, "a", 0},
			{"^a{0}b$", false, "b", 1},
			{"^a{0,1}b$", false, "ab", 1},
			{"^(a|bc){2}$", false, "bca", 1},
			{"^(|a)b$", false, "b", 1},
			{"^a|", false, "x", 1},
			{"^(a*)*b", false, "aab", 1},
			{"^a*?b+?c??d{1,2}?$", false, "aabbdd", 1},
			{"^ab|cd$", false, "xcd", 1},
			{"^(ab|cd)$", false, "xcd", 0},
	};

	CHECK(cases);
}

struct rx_bad {
	const char *pattern;
	int rc;
	const char *why;
};

/* Outside the subset: refused with the reason, never read another way.
 * -EINVAL: PCRE2 refuses it too; -ENOTSUP: PCRE2 means something we do
 * not implement; -E2BIG: over the engine's bounds. */
Test(regex, refused_with_the_reason)
{
	static const struct rx_bad cases[] = {
			{"(ab", -EINVAL, "missing ')' at offset 0"},
			{"ab)", -EINVAL, "unmatched ')' at offset 2"},
			{"[ab", -EINVAL, "missing ']' at offset 0"},
			{"a\\", -EINVAL, "'\\' at the end of the pattern at offset 1"},
			{"*a", -EINVAL, "nothing to repeat at offset 0"},
			{"a|+", -EINVAL, "nothing to repeat at offset 2"},
			{"{2}", -EINVAL, "nothing to repeat at offset 0"},
			{"a**", -EINVAL, "a quantifier after a quantifier at offset 2"},
			{"a{2}{3}", -EINVAL, "a quantifier after a quantifier at offset 4"},
			{"a*??", -EINVAL, "a quantifier after a quantifier at offset 3"},
			{"^*", -EINVAL, "an anchor cannot be repeated at offset 1"},
			{"a$?", -EINVAL, "an anchor cannot be repeated at offset 2"},
			{"a{3,2}", -EINVAL, "numbers out of order in {m,n} at offset 1"},
			{"[z-a]", -EINVAL, "range out of order in a set at offset 2"},
			{"[\\d-z]", -EINVAL, "a range cannot start at \\d \\w \\s at offset 3"},
			{"[a-\\d]", -EINVAL, "a range cannot end at \\d \\w \\s at offset 2"},
			{"[[:alpha:]-z]", -EINVAL,
					"a range cannot start at a POSIX class at offset 10"},
			{"[a-[:digit:]]", -EINVAL,
					"a range cannot end at a POSIX class at offset 2"},
			{"[:alpha:]", -EINVAL,
					"a POSIX class only inside a set: write [[:name:]] at offset 0"},
			{"[[:foo:]]", -EINVAL, "unknown POSIX class [:foo:] at offset 1"},
			{"[[.a.]]", -EINVAL,
					"POSIX collating elements are not supported at offset 1"},
			{"[[=a=]]", -EINVAL,
					"POSIX collating elements are not supported at offset 1"},
			{"\\1", -ENOTSUP, "\\1 (back-reference or octal) is not supported"},
			{"\\0", -ENOTSUP, "(back-reference or octal)"},
			{"a\\bc", -ENOTSUP, "\\b (word boundary) is not supported at offset 1"},
			{"\\B", -ENOTSUP, "word boundary"},
			{"[\\b]", -ENOTSUP, "\\b is not supported in a set at offset 1"},
			{"\\Z", -ENOTSUP, "\\Z is not supported at offset 0"},
			{"\\Qa\\E", -ENOTSUP, "\\Q is not supported"},
			{"\\x4", -ENOTSUP, "only \\xhh with two hex digits"},
			{"\\x{41}", -ENOTSUP, "only \\xhh with two hex digits"},
			{"\\p{L}", -ENOTSUP, "\\p is not supported"},
			{"\\h\\v\\R\\N\\K\\G", -ENOTSUP, "\\h is not supported"},
			{"[\\A]", -ENOTSUP, "\\A is not supported in a set"},
			{"(?=a)", -ENOTSUP, "(?...) is not supported"},
			{"(?<!a)b", -ENOTSUP, "(?...) is not supported"},
			{"(?i)a", -ENOTSUP, "(?...) is not supported"},
			{"(?<n>a)", -ENOTSUP, "(?...) is not supported"},
			{"(*FAIL)", -ENOTSUP, "(*VERB) is not supported"},
			{"a*+", -ENOTSUP, "possessive quantifiers are not supported at offset 2"},
			{"a{2}+", -ENOTSUP, "possessive"},
			{"a{", -ENOTSUP,
					"a '{' that does not start {m}, {m,} or {m,n}: write \\{ at offset 1"},
			{"a{,3}", -ENOTSUP, "does not start {m}"},
			{"a{x}", -ENOTSUP, "does not start {m}"},
			{"[[:<:]]", -ENOTSUP, "unknown POSIX class [:<:]"},
			{"a{65}", -E2BIG, "repeat count over 64 at offset 1"},
			{"(a{8}){9}", -E2BIG, "more than 64 characters or sets"},
			{"((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
					-E2BIG, "groups nested deeper than 32"},
	};
	char why[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		cr_expect_eq(rx_error(cases[i].pattern, why, sizeof(why)), cases[i].rc, "'%s': %s",
				cases[i].pattern, why);
		cr_expect(strstr(why, cases[i].why) != NULL, "'%s': '%s' lacks '%s'",
				cases[i].pattern, why, cases[i].why);
	}
}

Test(regex, hostile_pattern_is_linear)
{
	static uint8_t s[1 << 16];
	struct policy *p = policy_new();
	char why[64];
	clock_t t0;
	int i = policy_regex_add(p, "r", "(a*)*(a|aa)*b", false, why, sizeof(why));

	cr_assert_geq(i, 0, "%s", why);
	memset(s, 'a', sizeof(s));
	t0 = clock();
	cr_assert_eq(policy_regex_match(p, (unsigned int)i, false, s, sizeof(s)), 0);
	/* Backtracking engines take exponential time here; ours is one pass. */
	cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 1.0);
	policy_free(p);
}

Test(regex, classes_match_any_member)
{
	struct config c;
	struct policy *p = load_yaml("regex:\n"
				     "  user1: 'user1@cisco\\.com'\n"
				     "  spammer: {pattern: '@SPAM\\.example$', ignore-case: true}\n"
				     "regex-classes:\n"
				     "  black: [user1, spammer]\n",
			&c);
	int cls = policy_find_regex_class(p, "black");

	cr_assert_geq(cls, 0);
	cr_assert(policy_regex_match(
			p, (unsigned int)cls, true, (const uint8_t *)"x@spam.example", 14));
	cr_assert(policy_regex_match(
			p, (unsigned int)cls, true, (const uint8_t *)"user1@cisco.com", 15));
	cr_assert_not(policy_regex_match(
			p, (unsigned int)cls, true, (const uint8_t *)"user2@cisco.com", 15));
	cr_assert_not(policy_regex_match(p, 99, true, (const uint8_t *)"x", 1));
	config_free(&c);
}

/* The compiled map drives lib/esmtp: a blacklisted sender drops the
 * connection (REFERENCE.md 1.3's senders_black_list example). */
static enum esmtp_verdict
push(struct esmtp *s, enum esmtp_dir dir, const char *text)
{
	struct esmtp_result r;
	const uint8_t *b = (const uint8_t *)text;
	uint32_t len = (uint32_t)strlen(text);

	esmtp_push(s, dir, b, len, &r);
	return r.verdict;
}

Test(regex, sender_regex_drops_the_connection_through_esmtp)
{
	struct config c;
	char path[512], err[CONFIG_ERR_LEN] = "";
	struct policy_match m;
	struct policy_key k = key(6, "203.0.113.5", 40000, "192.0.2.25", 25);
	static struct esmtp s;

	snprintf(path, sizeof(path), "%s/config/examples/custom-esmtp-map.yaml", SOURCE_ROOT);
	config_default(&c);
	cr_assert_eq(config_load(path, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(policy_classify(c.policy, &k, &m));
	esmtp_init(&s, m.esmtp);
	push(&s, ESMTP_DIR_S2C, "220 mx.example.com ESMTP\r\n");
	push(&s, ESMTP_DIR_C2S, "HELO client\r\n");
	push(&s, ESMTP_DIR_S2C, "250 mx\r\n");
	cr_assert_eq(push(&s, ESMTP_DIR_C2S, "MAIL FROM:<ok@example.org>\r\n"), ESMTP_FORWARD);
	push(&s, ESMTP_DIR_S2C, "250 ok\r\n");
	cr_assert_eq(push(&s, ESMTP_DIR_C2S, "MAIL FROM:<bob@Spam.Example>\r\n"), ESMTP_DROP_CONN);
	config_free(&c);
}

/* Issue 13.6 end to end: the blacklist regex of the issue, loaded from YAML,
 * drops MAIL FROM:<x@bad.example> (the old engine let it through). */
Test(regex, issue_blacklist_drops_the_sender)
{
	struct config c;
	struct policy_match m;
	struct policy_key k = key(6, "203.0.113.5", 40000, "192.0.2.25", 25);
	static struct esmtp s;

	load_yaml("regex:\n"
		  "  bad: '^spam|@bad\\.example$'\n"
		  "inspect-maps:\n"
		  "  m:\n"
		  "    rules:\n"
		  "      - {match: {sender-address-regex: bad}, action: drop-connection}\n"
		  "policy-maps:\n"
		  "  global_policy:\n"
		  "    - {class: inspection_default, inspect: {esmtp: m}}\n",
			&c);
	cr_assert_not_null(policy_classify(c.policy, &k, &m));
	esmtp_init(&s, m.esmtp);
	push(&s, ESMTP_DIR_S2C, "220 mx.example.com ESMTP\r\n");
	push(&s, ESMTP_DIR_C2S, "HELO client\r\n");
	push(&s, ESMTP_DIR_S2C, "250 mx\r\n");
	cr_assert_eq(push(&s, ESMTP_DIR_C2S, "MAIL FROM:<ok@good.example>\r\n"), ESMTP_FORWARD);
	push(&s, ESMTP_DIR_S2C, "250 ok\r\n");
	cr_assert_eq(push(&s, ESMTP_DIR_C2S, "MAIL FROM:<x@bad.example>\r\n"), ESMTP_DROP_CONN);
	config_free(&c);
}
