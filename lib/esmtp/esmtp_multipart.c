/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MIME structure, streaming: the stack of multipart boundaries (up to
 * ESMTP_MIME_DEPTH levels, each up to ESMTP_BOUNDARY_MAX bytes), delimiter
 * lines, parts of a multipart/digest, and message/rfc822 parts, whose
 * enclosed message's header section is read like a part's.  What cannot be
 * followed raises mime-unfollowable: the parts it hides are parts whose
 * file names nobody checks.
 *
 * Boundaries are kept as keyed hashes, not text: 8 bytes a level however
 * long the boundary.  The hash of b[1..n] is
 *
 *	h(b) = k[0] * n + sum over i of k[i] * (b[i] + 1)   mod P = 2^61 - 1
 *
 * with the policy's secret keys k[0..ESMTP_BOUNDARY_MAX + 2] drawn
 * uniformly (esmtp_policy.c).  For two different strings h(x) - h(y) is a
 * linear form in the keys with a coefficient that is not 0 mod P: n_x -
 * n_y on k[0] when the lengths differ, x[i] - y[i] on k[i] where they do
 * not.  So each comparison of a line with a boundary collides with
 * probability at most 2^-60 (no key value is drawn with a probability over
 * 2^-60), whatever the lengths and whatever the sender chose.  A line is
 * compared at most twice with each of the 8 levels (as "--b" and as
 * "--b--"): at most 2^-56 a line, so 2^40 crafted lines (terabytes) give a
 * sender who does not know the keys, and nothing the box sends reveals
 * them, a chance under 2^-16 of one line taken for a boundary.  Being a
 * sum of terms, the hash of a line grows byte by byte and the trailing
 * "--" of a close delimiter is taken back out by subtraction: no byte of
 * the line is kept.
 */
#include <string.h>

#include "esmtp_priv.h"

/* struct esmtp.dl.f: the "--" line being read. */
#define DL_DEAD 0x01 /* no delimiter (a byte after "--" broke it) */
#define DL_DASH 0x02 /* the last byte was '-' */
#define DL_DD 0x04 /* the last non-blank bytes are "--", adjacent */

#define NO_HASH UINT64_MAX /* never a hash (they are below P) */
#define DASH_TERM ('-' + 1u)

static void
unfollowable(struct esmtp_ctx *c, const char *why)
{
	struct esmtp *s = c->s;

	/* Once a section: its parameters may repeat without bound. */
	if (s->sflags & SF_UNF)
		return;
	s->sflags |= SF_UNF;
	esmtp_fire_ev(c, ESMTP_EV_MIME_UNFOLLOWABLE, why, strlen(why));
}

static void
section_begin(struct esmtp *s, uint8_t sflags)
{
	s->dstate = DS_PHDR;
	s->sflags = sflags;
	esmtp_hdr_reset(s);
}

/* "what N": an event value with a number. */
static void
unfollowable_num(struct esmtp_ctx *c, const char *what, uint64_t v)
{
	char val[ESMTP_EVENT_VALUE];
	size_t n = strlen(what);

	memcpy(val, what, n);
	n += esmtp_u64_str(val + n, v);
	val[n] = '\0';
	unfollowable(c, val);
}

/* The boundary parameter of a multipart Content-Type just ended: its hash
 * terms in s->val.acc, its length in s->vcount. */
void
esmtp_bnd_param(struct esmtp_ctx *c, int rfc2231)
{
	struct esmtp *s = c->s;
	uint32_t n = s->vcount;
	uint64_t h = NO_HASH;

	if (n != 0 && n <= ESMTP_BOUNDARY_MAX && !rfc2231)
		h = esmtp_bnd_fold(s->val.acc + esmtp_bnd_term(esmtp_bnd_key(s->p, 0), n));
	if (s->sflags & SF_BND) {
		/* The same boundary again is harmless; another one is not:
		 * readers take the first or the last, so which parts there
		 * are would depend on whom you ask. */
		if ((s->sflags & SF_PUSHED) && h == (s->bnd[s->depth - 1] & BND_P))
			return;
		unfollowable(c, "boundary given twice");
		return;
	}
	s->sflags |= SF_BND;
	if (rfc2231)
		unfollowable(c, "boundary in RFC 2231 form");
	else if (n == 0)
		unfollowable(c, "empty boundary");
	else if (n > ESMTP_BOUNDARY_MAX)
		unfollowable_num(c, "boundary length ", n);
	else if (s->pflags & PF_BLANK)
		/* A delimiter line may end in blanks: which are the boundary's? */
		unfollowable(c, "boundary ends in a blank");
	else if (s->depth >= ESMTP_MIME_DEPTH)
		unfollowable_num(c, "multipart nesting ", s->depth + 1u);
	else {
		if (n > ESMTP_BOUNDARY_RFC)
			esmtp_fire_num(c, ESMTP_EV_MIME_BOUNDARY_LENGTH, n);
		s->bnd[s->depth++] = h | ((s->pflags & PF_DIGEST) ? UINT64_C(1) << 63 : 0);
		s->sflags |= SF_PUSHED;
	}
}

/*
 * The empty line ending a header section (the message's, a part's, or an
 * encapsulated message's): what comes next.
 */
void
esmtp_mime_section_end(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;
	uint8_t f = s->sflags;

	if ((f & SF_MULTI) && !(f & SF_BND))
		unfollowable(c, "multipart without boundary");
	if (!(f & SF_PUSHED) && ((f & SF_MSG) || ((f & SF_DIGEST) && !(f & SF_CTYPE)))) {
		/* message/rfc822: the body is a message, its header section
		 * next (it costs no level: the enclosing delimiter ends it). */
		if (f & SF_ENC)
			/* RFC 2046 forbids it: readers that decode it see parts
			 * we cannot; those that ignore the label read it as it
			 * stands, and so do we. */
			unfollowable(c, "encoded message/rfc822");
		section_begin(s, 0);
		return;
	}
	s->dstate = s->dstate == DS_HDR ? DS_BODY : DS_PBODY;
}

/* Hash terms of len bytes at index q (after "--") on; a sum below 2^79. */
static __uint128_t
hash_run(const struct esmtp_policy *pol, __uint128_t acc, uint32_t q, const uint8_t *p,
		uint32_t len)
{
	const uint64_t *k;
	uint32_t j;

	if (q >= ESMTP_BOUNDARY_MAX + 2)
		return acc;
	if (len > ESMTP_BOUNDARY_MAX + 2 - q)
		len = ESMTP_BOUNDARY_MAX + 2 - q; /* blanks past any boundary */
	if (likely(pol->bnd_key[0] != 0)) {
		k = pol->bnd_key + q + 1;
		for (j = 0; j < len; j++)
			acc += (__uint128_t)k[j] * (p[j] + 1u);
	} else {
		for (j = 0; j < len; j++)
			acc += (__uint128_t)esmtp_bnd_key(pol, q + j + 1) * (p[j] + 1u);
	}
	return acc;
}

/*
 * Bytes of a line that may be a delimiter ("--" boundary ["--"] blanks):
 * called from the line's first byte on, n bytes at a time.  Keeps the hash
 * terms of the bytes after "--" up to the last non-blank one, and whether
 * those end in "--".
 */
void
esmtp_body_bytes(struct esmtp *s, const uint8_t *p, uint32_t n)
{
	uint32_t at = s->dline_len, i = 0, last, q;
	__uint128_t acc;
	uint8_t f;

	if (at == 0) {
		if (p[0] != '-')
			return;
		s->dflags |= DF_DASH;
		s->dl.acc = 0;
		s->dl.h1 = 0;
		s->dl.n1 = 0;
		s->dl.f = 0;
	}
	if (!(s->dflags & DF_DASH) || (s->dl.f & DL_DEAD))
		return;
	f = s->dl.f;
	for (; i < n && at + i < 2; i++)
		if (p[i] != '-') {
			s->dl.f = f | DL_DEAD;
			return;
		}
	if (i == n)
		return;
	q = at + i - 2; /* index after "--" of p[i] */
	acc = s->dl.acc;
	for (last = n; last > i && esmtp_is_wsp(p[last - 1]); last--)
		;
	if (last > i) {
		/* p[last - 1], the last non-blank byte, ends the candidate. */
		if (q + (last - 1 - i) >= ESMTP_BOUNDARY_MAX + 2) {
			s->dl.f = f | DL_DEAD; /* longer than any boundary and "--" */
			return;
		}
		acc = hash_run(s->p, acc, q, p + i, last - i);
		s->dl.h1 = esmtp_bnd_fold128(acc);
		s->dl.n1 = (uint16_t)(q + last - i);
		f &= (uint8_t)~DL_DD;
		if (p[last - 1] == '-' && (last - 1 > i ? p[last - 2] == '-' : (f & DL_DASH)))
			f |= DL_DD;
	}
	acc = hash_run(s->p, acc, q + (last - i), p + last, n - last);
	s->dl.acc = esmtp_bnd_fold128(acc);
	s->dl.f = (uint8_t)((f & ~DL_DASH) | (p[n - 1] == '-' ? DL_DASH : 0));
}

/* The end of a line esmtp_body_bytes() followed: a delimiter of a level
 * opens its next part (an outer level's closes the inner ones too); a
 * close delimiter ends the level's multipart. */
void
esmtp_body_line_end(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;
	const struct esmtp_policy *p = s->p;
	uint64_t open = NO_HASH, close = NO_HASH, v;
	uint32_t n1 = s->dl.n1;
	int l;

	if (s->depth == 0 || !(s->dflags & DF_DASH) || (s->dl.f & DL_DEAD) || n1 == 0)
		return;
	if (n1 <= ESMTP_BOUNDARY_MAX)
		open = esmtp_bnd_fold(s->dl.h1 + esmtp_bnd_term(esmtp_bnd_key(p, 0), n1));
	if ((s->dl.f & DL_DD) && n1 >= 3) {
		/* The same line without its trailing "--". */
		v = s->dl.h1 + 2 * BND_P - esmtp_bnd_term(esmtp_bnd_key(p, n1), DASH_TERM) -
				esmtp_bnd_term(esmtp_bnd_key(p, n1 - 1), DASH_TERM);
		close = esmtp_bnd_fold(
				esmtp_bnd_fold(v) + esmtp_bnd_term(esmtp_bnd_key(p, 0), n1 - 2));
	}
	/* Innermost first. */
	for (l = s->depth - 1; l >= 0; l--) {
		v = s->bnd[l] & BND_P;
		if (v == open) {
			s->depth = (uint8_t)(l + 1);
			section_begin(s, (s->bnd[l] >> 63) ? SF_DIGEST : 0);
			return;
		}
		if (v == close) {
			s->depth = (uint8_t)l;
			s->dstate = DS_PBODY;
			return;
		}
	}
}
