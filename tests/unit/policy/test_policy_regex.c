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

Test(regex, literals_match_anywhere)
{
	cr_assert(rx("user1@cisco\\.com", false, "user1@cisco.com"));
	cr_assert(rx("user1@cisco\\.com", false, "xuser1@cisco.com.evil"));
	cr_assert_not(rx("user1@cisco\\.com", false, "user1@ciscoXcom"));
	cr_assert(rx("user1@cisco.com", false, "user1@ciscoXcom"), "'.' is any byte");
	cr_assert_not(rx("abc", false, "ab"));
	cr_assert_not(rx("abc", false, ""));
}

Test(regex, anchors)
{
	cr_assert(rx("^user", false, "user@x"));
	cr_assert_not(rx("^user", false, "auser@x"));
	cr_assert(rx("@spam\\.example$", false, "a@spam.example"));
	cr_assert_not(rx("@spam\\.example$", false, "a@spam.example.org"));
	cr_assert(rx("^a@b$", false, "a@b"));
	cr_assert_not(rx("^a@b$", false, "a@bb"));
	cr_assert(rx("^$", false, ""));
	cr_assert_not(rx("^$", false, "x"));
	cr_assert(rx("x*$", false, "abc"), "empty suffix");
	cr_assert(rx("a\\$", false, "a$"), "escaped dollar is a literal");
}

Test(regex, sets_classes_alternation_repetition)
{
	cr_assert(rx("^[a-z0-9._-]+@example\\.(com|org)$", false, "john.doe-1@example.org"));
	cr_assert_not(rx("^[a-z0-9._-]+@example\\.(com|org)$", false, "John@example.org"));
	cr_assert(rx("^[a-z0-9._-]+@example\\.(com|org)$", true, "John@EXAMPLE.org"));
	cr_assert(rx("^[^@]+@[^@]+$", false, "a@b"));
	cr_assert_not(rx("^[^@]+@[^@]+$", false, "a@b@c"));
	cr_assert(rx("^\\d{3}-\\d{2,4}$", false, "123-4567"));
	cr_assert_not(rx("^\\d{3}-\\d{2,4}$", false, "123-45678"));
	cr_assert_not(rx("^\\d{3}-\\d{2,4}$", false, "12-45"));
	cr_assert(rx("^(ab)+$", false, "ababab"));
	cr_assert_not(rx("^(ab)+$", false, "ababa"));
	cr_assert(rx("^colou?r$", false, "color"));
	cr_assert(rx("^colou?r$", false, "colour"));
	cr_assert(rx("^a{2,}$", false, "aaaaa"));
	cr_assert_not(rx("^a{2,}$", false, "a"));
	cr_assert(rx("^\\w+\\s\\S$", false, "ab_9 x"));
	cr_assert(rx("[]x]", false, "]"), "']' first in a set is a literal");
	cr_assert(rx("^(|a)b$", false, "b"));
	cr_assert(rx("\\.(exe|scr|pif)$", true, "invoice.PDF.EXE"));
}

Test(regex, errors)
{
	char why[128] = "";

	cr_assert_eq(rx_error("(ab", why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "missing )") != NULL, "%s", why);
	cr_assert_eq(rx_error("ab)", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("[ab", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("*a", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("a^b", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("\\1", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("a{3,2}", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("[z-a]", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("a{65}", why, sizeof(why)), -EINVAL);
	cr_assert_eq(rx_error("(a{8}){9}", why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "64") != NULL, "%s", why);
	cr_assert_eq(
		rx_error("((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
			why, sizeof(why)),
		-EINVAL);
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
