/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server -> client replies: banner masking, EHLO keyword masking, reply
 * syntax and sequence validation, and the state changes replies drive
 * (354 -> DATA, 334 -> SASL, 220 to STARTTLS -> bypass, 5xx to RCPT).
 */
#include <string.h>

#include "esmtp_line.h"
#include "esmtp_priv.h"

static const char *const ehlo_words[] = {
#define _(e, s) s,
		foreach_esmtp_ehlo
#undef _
};

/* Longest keyword in the table (ENHANCEDSTATUSCODES); a longer one is
 * "others" without waiting for its end. */
#define KW_MAX 19

static int
kw_lookup(const uint8_t *k, uint32_t n)
{
	unsigned int i;
	size_t j;

	for (i = 0; i < ESMTP_EHLO_OTHERS; i++) {
		const char *w = ehlo_words[i];

		if (strlen(w) != n)
			continue;
		for (j = 0; j < n; j++)
			if (esmtp_lower(k[j]) != esmtp_lower((uint8_t)w[j]))
				break;
		if (j == n)
			return (int)i;
	}
	return ESMTP_EHLO_OTHERS;
}

enum { DECIDED = 0, HOLD = 1 };

/*
 * An EHLO reply keyword line ("250-KEYWORD params"): decided when its
 * keyword is complete, so the mask covers exactly the keyword.
 */
static int
ehlo_line(struct esmtp_ctx *c, uint32_t pos)
{
	struct esmtp *s = c->s;
	const struct esmtp_policy *p = c->p;
	const uint8_t *b = c->buf + pos;
	uint32_t avail = c->len - pos, lim, t;
	uint32_t bit;
	int kw, mask = 0, acts;

	lim = avail < ESMTP_REPLY_HOLD_MAX ? avail : ESMTP_REPLY_HOLD_MAX;
	for (t = 0; t < lim && b[t] != '\n'; t++)
		if (t >= 4 && (b[t] == ' ' || b[t] == '=' || b[t] == '\r'))
			break;
	if (t == lim && lim < ESMTP_REPLY_HOLD_MAX)
		return HOLD;
	if (t <= 4 || (b[3] != '-' && b[3] != ' '))
		return DECIDED; /* not a keyword line */

	kw = t - 4 > KW_MAX ? ESMTP_EHLO_OTHERS : kw_lookup(b + 4, t - 4);
	if (kw == ESMTP_EHLO_STARTTLS && !p->allow_tls) {
		/* no allow-tls: the STARTTLS indication is removed */
		esmtp_fire_ev(c, ESMTP_EV_EHLO_REPLY_PARAMETER, b + 4, t - 4);
		mask = 1;
	} else if ((kw == ESMTP_EHLO_CHUNKING || kw == ESMTP_EHLO_BINARYMIME) && !p->chunking) {
		esmtp_fire_ev(c, ESMTP_EV_EHLO_REPLY_PARAMETER, b + 4, t - 4);
		mask = 1;
	} else if (p->crit_n[ESMTP_CRIT_EHLO_REPLY_PARAMETER] != 0) {
		bit = kw == ESMTP_EHLO_OTHERS ? 0 : 1u << kw;
		if (!(p->ehlo_rfc & bit))
			bit |= 1u << ESMTP_EHLO_OTHERS;
		acts = esmtp_rules_set(c, ESMTP_CRIT_EHLO_REPLY_PARAMETER, bit, b + 4, t - 4);
		mask = (acts & (1 << ESMTP_ACT_MASK)) != 0;
	}
	if (c->stop)
		return DECIDED;
	if (mask) {
		esmtp_edit_add(c, pos + 4, t - 4, 'X');
		if (t == lim && b[t - 1] != '\n')
			s->rflags |= RF_KW_MASK; /* longer than the hold: mask on */
		esmtp_trace(c, "ehlo mask", b, t);
	} else if (kw == ESMTP_EHLO_PIPELINING) {
		s->conn |= CN_PIPE_OK;
	} else if (kw == ESMTP_EHLO_CHUNKING) {
		s->conn |= CN_CHUNK_OK;
	}
	return DECIDED;
}

static void
unexpected(struct esmtp_ctx *c, unsigned int code)
{
	esmtp_fire_num(c, ESMTP_EV_REPLY_UNEXPECTED, code);
}

/* The last line of a reply: pair it with the command it answers. */
static void
reply_done(struct esmtp_ctx *c, unsigned int code)
{
	struct esmtp *s = c->s;
	uint8_t kind = esmtp_pending_front(s);

	if (kind == PK_NONE) {
		/* A server that talks unasked; 421 may come at any time. */
		if (code != 421)
			unexpected(c, code);
		return;
	}
	esmtp_pending_pop(s);
	/* Client bytes held until this answer can be decided now. */
	if ((s->conn & CN_C2S_HELD) &&
			(kind == ESMTP_VERB_DATA || kind == ESMTP_VERB_AUTH ||
					kind == PK_AUTH_CONT))
		c->yield = 1;
	if (code == 354 && kind != ESMTP_VERB_DATA)
		unexpected(c, code);
	else if (code == 334 && kind != ESMTP_VERB_AUTH && kind != PK_AUTH_CONT)
		unexpected(c, code);
	if (c->stop)
		return;

	switch (kind) {
	case PK_GREETING:
		s->conn |= CN_GREETED;
		if (c->p->mask_banner)
			esmtp_fire_ev(c, ESMTP_EV_BANNER_MASKED, NULL, 0);
		break;
	case ESMTP_VERB_EHLO:
		if (code / 100 != 2)
			s->conn &= (uint8_t) ~(CN_PIPE_OK | CN_CHUNK_OK);
		break;
	case ESMTP_VERB_STARTTLS:
		if (code == 220) {
			/* TLS from here on: nothing left to inspect (108007). */
			esmtp_fire_ev(c, ESMTP_EV_TLS_STARTED, NULL, 0);
			s->verdict = ESMTP_BYPASS;
			c->stop = 1;
		} else if (s->cmode == CM_TLS_WAIT) {
			s->cmode = CM_CMD;
		}
		break;
	case ESMTP_VERB_AUTH:
	case PK_AUTH_CONT:
		if (code == 334 && s->cmode == CM_CMD && !(s->cflags & CF_MID))
			s->cmode = CM_SASL;
		break;
	case ESMTP_VERB_DATA:
		if (code == 354) {
			if (s->cmode == CM_CMD && !(s->cflags & CF_MID)) {
				s->cmode = CM_DATA;
				esmtp_msg_begin(s);
			} else {
				unexpected(c, code);
			}
		}
		break;
	case ESMTP_VERB_RCPT:
		if (code / 100 == 5) {
			s->bad_rcpt++;
			esmtp_rules_num(c, ESMTP_CRIT_INVALID_RECIPIENTS_COUNT, s->bad_rcpt - 1u,
					s->bad_rcpt);
		}
		break;
	default:
		break;
	}
}

static void
reply_eol(struct esmtp_ctx *c, int crlf)
{
	struct esmtp *s = c->s;
	int bad = (s->rflags & RF_BAD) || s->rline_len < 3 ||
			(s->rline_len > 3 && s->rsep != ' ' && s->rsep != '-') || !crlf;
	int last;

	if (c->p->trace != NULL && (s->conn & CN_TRACE)) {
		char what[16] = "reply ";

		esmtp_u64_str(what + 6, s->rlcode % 1000);
		esmtp_trace(c, what, NULL, 0);
	}
	if (bad) {
		/* Not "ddd[ -]text CR LF": nothing to pair it with. */
		esmtp_fire_num(c, ESMTP_EV_REPLY_MALFORMED, s->rlcode);
		s->rflags = 0;
		s->rline_len = 0;
		s->rlcode = 0;
		return;
	}
	if (s->rlines == 0) {
		s->rcode = s->rlcode;
	} else if (s->rlcode != s->rcode) {
		/* A multi-line reply must keep its code (RFC 5321 4.2.1). */
		esmtp_fire_num(c, ESMTP_EV_REPLY_MALFORMED, s->rlcode);
	}
	last = s->rline_len == 3 || s->rsep == ' ';
	s->rflags = 0;
	s->rline_len = 0;
	s->rlcode = 0;
	if (c->stop)
		return;
	if (last) {
		s->rlines = 0;
		reply_done(c, s->rcode);
	} else if (s->rlines < UINT16_MAX) {
		s->rlines++;
	}
}

/* Banner text: every byte but CR (a CR is never edited, see cmd X-out). */
static uint32_t
mask_banner(struct esmtp_ctx *c, uint32_t off, uint32_t n)
{
	const uint8_t *b = c->buf;
	const uint8_t *cr;
	uint32_t done = 0, k;

	while (done < n) {
		if (!esmtp_room(c, 1, 0))
			return done; /* a line full of bare CRs: go on next push */
		cr = memchr(b + off + done, '\r', n - done);
		if (cr == NULL) {
			esmtp_edit_add(c, off + done, n - done, '*');
			return n;
		}
		k = (uint32_t)(cr - (b + off + done));
		if (k != 0)
			esmtp_edit_add(c, off + done, k, '*');
		done += k + 1;
	}
	return n;
}

/*
 * mask-banner neutral: the greeting without its host, software and version
 * but still an ordinary one.  Postfix (smtp_proto.c) takes a greeting made
 * of nothing but "2", "0", " ", "*", TAB and LF for a PIX and turns ESMTP
 * off; "ESMTP" keeps it on, and says what the server speaks.  The text of
 * the first line becomes "ESMTP" then spaces, that of later lines spaces;
 * CRs stay (see mask_banner).  col is the column of b[off] in its line.
 */
static const char neutral_word[] = "ESMTP";
#define NEUTRAL_LEN (sizeof(neutral_word) - 1)

static uint32_t
neutral_banner(struct esmtp_ctx *c, uint32_t off, uint32_t n, uint32_t col)
{
	const uint8_t *b = c->buf + off;
	uint32_t done = 0, t, k;
	const uint8_t *cr;

	while (done < n) {
		if (b[done] == '\r') {
			done++;
			continue;
		}
		if (!esmtp_room(c, 1, 0))
			return done;
		t = col + done - 4; /* column in the text */
		if (c->s->rlines == 0 && t < NEUTRAL_LEN) {
			esmtp_edit_add(c, off + done, 1, (uint8_t)neutral_word[t]);
			done++;
			continue;
		}
		cr = memchr(b + done, '\r', n - done);
		k = cr != NULL ? (uint32_t)(cr - b) : n;
		esmtp_edit_add(c, off + done, k - done, ' ');
		done = k;
	}
	return n;
}

/* The text of a banner line (b[off..off+n), no CR LF) of mask-banner. */
static uint32_t
banner_text(struct esmtp_ctx *c, uint32_t off, uint32_t n)
{
	if (c->p->mask_banner == ESMTP_BANNER_NEUTRAL)
		return neutral_banner(c, off, n, c->s->rline_len);
	return mask_banner(c, off, n);
}

/* The rest of a masked keyword longer than the hold, up to its end. */
static void
kw_mask_more(struct esmtp_ctx *c, uint32_t off, uint32_t n)
{
	struct esmtp *s = c->s;
	const uint8_t *b = c->buf;
	uint32_t skip = 0, k;

	if (s->rline_len < ESMTP_REPLY_HOLD_MAX) {
		skip = ESMTP_REPLY_HOLD_MAX - s->rline_len; /* edited by ehlo_line() */
		if (skip >= n)
			return;
	}
	for (k = skip; k < n; k++) {
		if (b[off + k] == ' ' || b[off + k] == '=' || b[off + k] == '\r') {
			s->rflags &= (uint8_t)~RF_KW_MASK;
			break;
		}
	}
	if (k > skip)
		esmtp_edit_add(c, off + skip, k - skip, 'X');
}

/* Columns 0-3 of a reply line: three digits and the separator. */
static void
code_byte(struct esmtp *s, uint8_t ch)
{
	if (s->rline_len == 3)
		s->rsep = ch;
	else if (ch >= '0' && ch <= '9')
		s->rlcode = (uint16_t)(s->rlcode * 10 + (ch - '0'));
	else
		s->rflags |= RF_BAD;
}

static uint32_t
reply_bytes(struct esmtp_ctx *c, uint32_t pos)
{
	struct esmtp *s = c->s;
	const uint8_t *b = c->buf;
	struct esmtp_lcut l;
	uint32_t n, i = 0;

	if (s->rflags & RF_PEND_CR) {
		s->rflags &= (uint8_t)~RF_PEND_CR;
		if (b[pos] == '\n') {
			reply_eol(c, 1);
			return pos + 1;
		}
		/* A bare CR is reply text (not a terminator, not an error:
		 * the same whether or not it ends a segment); it ends a
		 * keyword. */
		if (s->rline_len < 4)
			code_byte(s, '\r');
		s->rline_len++;
		s->rflags &= (uint8_t)~RF_KW_MASK;
	}
	esmtp_line_cut(b, pos, c->len, &l);
	n = l.n;
	/* Reply code and separator, byte by byte. */
	for (; i < n && s->rline_len < 4; i++, s->rline_len++)
		code_byte(s, b[pos + i]);
	if (i < n) {
		if (s->rflags & RF_MASK) {
			uint32_t k = banner_text(c, pos + i, n - i);

			if (k < n - i) {
				s->rline_len += k;
				c->r->overflow = 1;
				return pos + i + k;
			}
		}
		if (s->rflags & RF_KW_MASK)
			kw_mask_more(c, pos + i, n - i);
		s->rline_len += n - i;
	}
	if (l.term == LT_CR_PEND) {
		s->rflags |= RF_PEND_CR;
		return l.next;
	}
	if (l.term != LT_NONE) {
		reply_eol(c, l.term == LT_CRLF);
		return l.next;
	}
	return pos + n;
}

uint32_t
esmtp_reply_push(struct esmtp_ctx *c, uint32_t pos)
{
	struct esmtp *s = c->s;
	uint8_t front;

	while (pos < c->len && !c->stop) {
		if (!esmtp_room(c, STEP_EDITS, STEP_EVENTS)) {
			c->r->overflow = 1;
			break;
		}
		if (!(s->rflags & RF_MID)) {
			front = esmtp_pending_front(s);
			if (front == PK_GREETING && c->p->mask_banner) {
				s->rflags |= RF_MASK;
			} else if (front == ESMTP_VERB_EHLO && s->rlines != 0 &&
					s->rcode / 100 == 2) {
				if (ehlo_line(c, pos) == HOLD)
					break;
				if (c->stop)
					break;
			}
			s->rflags |= RF_MID;
		}
		pos = reply_bytes(c, pos);
		if (c->yield && !c->stop) {
			c->r->retry_other = 1;
			break;
		}
	}
	return pos;
}
