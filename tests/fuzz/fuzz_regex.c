/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential fuzz target of the policy's regex engine (lib/policy,
 * policy_regex*.c) against PCRE2, the meaning it promises: PCRE2 10.42,
 * 8-bit, no UTF, default tables, PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, plus
 * PCRE2_CASELESS for ignore-case.  PCRE2 is a test-only dependency.
 *
 * Input: byte 0 (bit 0: ignore-case), the pattern up to the first NUL
 * byte, then the subject (any bytes, at most 256).  Every prefix of the
 * subject up to 64 bytes is matched too, so '$' is tried at every length.
 * abort() when:
 *  - our compiler accepts a pattern PCRE2 refuses;
 *  - it calls a pattern a syntax error (-EINVAL) that PCRE2 accepts
 *    (-ENOTSUP, valid PCRE2 outside our subset, and -E2BIG, over our
 *    bounds, may be either);
 *  - a refusal has another code or no "at offset N" reason;
 *  - both accept and one matches a subject the other does not.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "policy_priv.h"

#define SUBJECT_MAX 256
#define PREFIX_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
dump(const char *what, const uint8_t *b, size_t n)
{
	size_t i;

	fprintf(stderr, "%s (%zu): \"", what, n);
	for (i = 0; i < n; i++)
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\')
			fputc(b[i], stderr);
		else
			fprintf(stderr, "\\x%02x", b[i]);
	fprintf(stderr, "\"\n");
}

static void
mismatch(const char *msg, const char *pat, bool icase, const uint8_t *s, size_t n)
{
	fprintf(stderr, "fuzz_regex: %s (ignore-case %d)\n", msg, icase);
	dump("pattern", (const uint8_t *)pat, strlen(pat));
	if (s != NULL)
		dump("subject", s, n);
	abort();
}

/*
 * PCRE2's answer for subj[0..n): 1, 0, or -1 when it has none.  The
 * backtracking matcher (pcre2_match, the reference) runs under a small
 * match limit, since a pattern like (a*)*b makes it exponential; where
 * it gives up, PCRE2's other matcher (pcre2_dfa_match: every path at once,
 * no backtracking; the same yes/no for the constructs we accept) answers.
 */
static int
pcre2_says(const pcre2_code *code, pcre2_match_data *md, const uint8_t *subj, size_t n)
{
	static pcre2_match_context *mc;
	static int ws[4096];
	int r;

	if (mc == NULL) {
		mc = pcre2_match_context_create(NULL);
		if (mc == NULL)
			abort();
		pcre2_set_match_limit(mc, 20000);
	}
	r = pcre2_match(code, subj, n, 0, 0, md, mc);
	if (r == PCRE2_ERROR_MATCHLIMIT || r == PCRE2_ERROR_DEPTHLIMIT ||
			r == PCRE2_ERROR_HEAPLIMIT || r == PCRE2_ERROR_NOMEMORY)
		r = pcre2_dfa_match(code, subj, n, 0, 0, md, NULL, ws, sizeof(ws) / sizeof(ws[0]));
	if (r >= 0) /* 0: a match, more than md has room for (DFA) */
		return 1;
	return r == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_regex re;
	static char pat[4096];
	char why[160];
	const uint8_t *nul, *subj;
	size_t plen, slen, n;
	pcre2_code *code;
	pcre2_match_data *md;
	PCRE2_SIZE erroff;
	bool icase;
	int rc, err;

	if (size < 1)
		return 0;
	icase = data[0] & 1;
	data++;
	size--;
	nul = memchr(data, 0, size);
	plen = nul != NULL ? (size_t)(nul - data) : size;
	if (plen >= sizeof(pat))
		return 0;
	memcpy(pat, data, plen);
	pat[plen] = '\0';
	subj = nul != NULL ? nul + 1 : data + size;
	slen = size - (size_t)(subj - data);
	if (slen > SUBJECT_MAX)
		slen = SUBJECT_MAX;

	why[0] = '\0';
	rc = policy_regex_compile(&re, pat, icase, why, sizeof(why));
	code = pcre2_compile((PCRE2_SPTR)pat, plen,
			PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | (icase ? PCRE2_CASELESS : 0), &err,
			&erroff, NULL);
	if (rc != 0) {
		if (rc != -EINVAL && rc != -ENOTSUP && rc != -E2BIG)
			mismatch("unexpected error code", pat, icase, NULL, 0);
		if (strstr(why, " at offset ") == NULL)
			mismatch("refusal without a reason and offset", pat, icase, NULL, 0);
		if (rc == -EINVAL && code != NULL) {
			fprintf(stderr, "ours: %s\n", why);
			mismatch("called a syntax error, PCRE2 accepts it", pat, icase, NULL, 0);
		}
		pcre2_code_free(code);
		return 0;
	}
	if (code == NULL) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(err, msg, sizeof(msg));
		fprintf(stderr, "PCRE2: %s at %zu\n", (const char *)msg, (size_t)erroff);
		mismatch("accepted a pattern PCRE2 refuses", pat, icase, NULL, 0);
	}
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		abort();
	for (n = 0; n <= slen; n++) {
		int ours, theirs;

		if (n > PREFIX_MAX && n < slen)
			n = slen;
		ours = policy_regex_run(&re, subj, n);
		theirs = pcre2_says(code, md, subj, n);
		if (theirs < 0)
			continue; /* neither matcher of the oracle could answer */
		if (ours != theirs)
			mismatch(ours ? "we match, PCRE2 does not" : "PCRE2 matches, we do not",
					pat, icase, subj, n);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return 0;
}
