/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client -> server command lines: verb allow-list (X-out in place), short
 * commands, command line length, RCPT count, MAIL FROM / RCPT TO address
 * checks (| -> 108003, special characters -> 108002, length, regex,
 * mail-relay), SIZE=, BDAT arguments, pipelining, STARTTLS injection, SASL
 * lines and line termination anomalies.
 */
#include <string.h>

#include "esmtp_line.h"
#include "esmtp_priv.h"

/* Verbs packed as upper-case little-endian words, for one compare each. */
#define W4(a, b, c, d) \
	((uint32_t)(uint8_t)(a) | (uint32_t)(uint8_t)(b) << 8 | (uint32_t)(uint8_t)(c) << 16 | \
			(uint32_t)(uint8_t)(d) << 24)

static const uint32_t verb_words[ESMTP_VERB_MAX] = {
#define _(e, s) W4(s[0], s[1], s[2], s[3]),
		foreach_esmtp_verb
#undef _
};

/* Parameter scanner states of MAIL (SIZE=) and BDAT lines. */
enum { AS_SEP = 0, AS_KEY, AS_NUM, AS_SKIP };
enum { BS_PRE = 0, BS_NUM, BS_POST, BS_LAST, BS_LASTOK, BS_BAD };

/* The largest BDAT chunk we accept as sane (256 TiB); beyond is BDAT_BAD. */
#define BDAT_MAX (1ull << 48)

static int
is_verb_end(uint8_t ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int
esmtp_verb_lookup(const uint8_t *v, size_t n)
{
	uint32_t w;
	int i;

	if (n == 8) {
		static const char st[] = "STARTTLS";

		for (i = 0; i < 8; i++)
			if ((v[i] & 0xdf) != (uint8_t)st[i])
				return ESMTP_VERB_UNKNOWN;
		return ESMTP_VERB_STARTTLS;
	}
	if (n != 4)
		return ESMTP_VERB_UNKNOWN;
	/* & 0xdf upper-cases letters; a non-letter that becomes a letter this
	 * way (e.g. 0xc1) cannot survive the verify below. */
	w = W4(v[0] & 0xdf, v[1] & 0xdf, v[2] & 0xdf, v[3] & 0xdf);
	for (i = 0; i < ESMTP_VERB_MAX; i++) {
		if (verb_words[i] == w && i != ESMTP_VERB_STARTTLS) {
			size_t k;

			for (k = 0; k < 4; k++)
				if (v[k] < 'A' || (v[k] > 'Z' && v[k] < 'a') || v[k] > 'z')
					return ESMTP_VERB_UNKNOWN;
			return i;
		}
	}
	return ESMTP_VERB_UNKNOWN;
}

/* Characters that have no business in an address (ASA special-character).
 * '|' is handled apart (108003, always on). */
static int
is_special(uint8_t ch)
{
	if (ch < 0x20 || ch == 0x7f)
		return ch != '\r' && ch != '\n';
	return ch == '<' || ch == '>' || ch == '(' || ch == ')' || ch == ',' || ch == ';' ||
			ch == '\\' || ch == '"';
}

/*
 * Find the address of a MAIL FROM / RCPT TO line in b[0..n) (line start,
 * contiguous).  Sets the span [*a0, *a1) and returns 1 when it is complete
 * (closing '>' or end of line seen), 0 when more bytes are needed.
 */
static int
addr_find(const uint8_t *b, uint32_t n, uint32_t *a0, uint32_t *a1)
{
	uint32_t i = 4;

	while (i < n && b[i] != ':' && b[i] != '\n')
		i++;
	if (i >= n)
		return 0;
	if (b[i] == '\n') {
		*a0 = *a1 = i; /* no address at all: the server answers 501 */
		return 1;
	}
	i++;
	while (i < n && esmtp_is_wsp(b[i]))
		i++;
	if (i >= n)
		return 0;
	if (b[i] == '<') {
		*a0 = ++i;
		while (i < n && b[i] != '>' && b[i] != '\n')
			i++;
		*a1 = i;
		if (i < n && b[i] == '\n' && i > *a0 && b[i - 1] == '\r')
			*a1 = i - 1;
		return i < n;
	}
	*a0 = i;
	while (i < n && !is_verb_end(b[i]))
		i++;
	*a1 = i;
	return i < n;
}

/* mail-relay: is the domain of a recipient the local one (or below it)? */
static int
relay_local_one(const char *dom, size_t dl, const uint8_t *a, uint32_t n)
{
	size_t k;
	uint32_t at = n;

	while (at > 0 && a[at - 1] != '@')
		at--;
	if (at == 0)
		return 1; /* no domain: a local mailbox (postmaster) */
	a += at;
	n -= at;
	if (n < dl || (n > dl && a[n - dl - 1] != '.'))
		return 0;
	for (k = 0; k < dl; k++)
		if (esmtp_lower(a[n - dl + k]) != esmtp_lower((uint8_t)dom[k]))
			return 0;
	return 1;
}

/* The policy's local domains are a comma-separated list. */
static int
relay_local(const char *doms, const uint8_t *a, uint32_t n)
{
	while (*doms != '\0') {
		size_t dl = strcspn(doms, ",");

		if (dl != 0 && relay_local_one(doms, dl, a, n))
			return 1;
		doms += dl;
		if (*doms == ',')
			doms++;
	}
	return 0;
}

/* Address checks, once the whole address is in buf (held until then). */
static void
addr_checks(struct esmtp_ctx *c, const uint8_t *a, uint32_t n)
{
	struct esmtp *s = c->s;
	const struct esmtp_policy *p = c->p;
	uint32_t i;

	if (memchr(a, '|', n) != NULL) {
		esmtp_fire_ev(c, ESMTP_EV_ADDR_PIPE, a, n);
		if (c->stop)
			return;
	}
	if (p->special_char) {
		for (i = 0; i < n && !is_special(a[i]); i++)
			;
		if (i < n) {
			esmtp_fire_ev(c, ESMTP_EV_ADDR_SPECIAL, a, n);
			if (c->stop)
				return;
			if (p->ev[ESMTP_EV_ADDR_SPECIAL].action == ESMTP_ACT_MASK)
				s->cflags |= CF_SPECIAL;
		}
	}
	if (s->cverb == ESMTP_VERB_MAIL) {
		esmtp_rules_num(c, ESMTP_CRIT_SENDER_ADDRESS_LENGTH, 0, n);
		esmtp_rules_final(c, ESMTP_CRIT_SENDER_ADDRESS_LENGTH, n);
		if (p->crit_n[ESMTP_CRIT_SENDER_ADDRESS_REGEX] != 0 && !c->stop)
			esmtp_rules_match(c, ESMTP_CRIT_SENDER_ADDRESS_REGEX, a, n);
	} else if (p->relay_domain[0] != '\0' && !relay_local(p->relay_domain, a, n)) {
		esmtp_fire_ev(c, ESMTP_EV_MAIL_RELAY, a, n);
	}
}

/* RFC 2920 and its successors: commands that end a pipelined group. */
static int
ends_group(uint8_t kind)
{
	switch (kind) {
	case ESMTP_VERB_EHLO:
	case ESMTP_VERB_HELO:
	case ESMTP_VERB_DATA:
	case ESMTP_VERB_VRFY:
	case ESMTP_VERB_EXPN:
	case ESMTP_VERB_TURN:
	case ESMTP_VERB_QUIT:
	case ESMTP_VERB_NOOP:
	case ESMTP_VERB_STARTTLS:
	case ESMTP_VERB_AUTH:
	case PK_AUTH_CONT:
		return 1;
	default:
		return 0;
	}
}

enum { DECIDED = 0, HOLD = 1 };

/*
 * Decide a command line from its start: verb allowed or X-ed, address
 * checks, RCPT count, pipelining.  Holds (returns HOLD, nothing changed)
 * while the verb or the address is incomplete, within the bounds in esmtp.h.
 */
static int
decide(struct esmtp_ctx *c, uint32_t pos)
{
	struct esmtp *s = c->s;
	const struct esmtp_policy *p = c->p;
	const uint8_t *b = c->buf + pos;
	uint32_t avail = c->len - pos, lim, vlen, a0 = 0, a1 = 0, navail;
	int verb, xout = 0, acts;
	uint8_t back;
	const char *what;

	/* After DATA / AUTH / a SASL line, the answer decides what the next
	 * line is: hold it (bounded) until the answer is in. */
	back = esmtp_pending_back(s);
	if ((back == ESMTP_VERB_DATA || back == ESMTP_VERB_AUTH || back == PK_AUTH_CONT) &&
			avail < ESMTP_HOLD_MAX)
		return HOLD;
	lim = avail < ESMTP_VERB_HOLD ? avail : ESMTP_VERB_HOLD;
	for (vlen = 0; vlen < lim && !is_verb_end(b[vlen]); vlen++)
		;
	if (vlen == lim && lim < ESMTP_VERB_HOLD)
		return HOLD;
	verb = esmtp_verb_lookup(b, vlen);
	/* Known but not allowed (EXPN, STARTTLS without allow-tls, ...) is
	 * X-ed like an unknown verb. */
	if (verb != ESMTP_VERB_UNKNOWN && !(p->verbs_allowed & (1u << verb)))
		verb = ESMTP_VERB_UNKNOWN;

	if (verb == ESMTP_VERB_MAIL || verb == ESMTP_VERB_RCPT) {
		navail = avail < ESMTP_HOLD_MAX ? avail : ESMTP_HOLD_MAX;
		if (!addr_find(b, navail, &a0, &a1)) {
			if (avail < ESMTP_HOLD_MAX)
				return HOLD;
			if (a1 < a0)
				a0 = a1 = navail; /* no address start in 514 bytes */
		}
	}

	/* Decided: from here on, state changes. */
	s->cflags = CF_MID;
	s->cverb = (uint8_t)verb;
	s->astate = 0;
	s->aidx = 0;
	s->a0 = (uint16_t)a0;
	s->a1 = (uint16_t)a1;

	if (verb == ESMTP_VERB_UNKNOWN) {
		if (vlen < 4) {
			esmtp_fire_ev(c, ESMTP_EV_CMD_SHORT, b, vlen);
			xout = p->ev[ESMTP_EV_CMD_SHORT].action == ESMTP_ACT_MASK;
		} else {
			esmtp_fire_ev(c, ESMTP_EV_CMD_UNKNOWN, b, vlen);
			xout = p->ev[ESMTP_EV_CMD_UNKNOWN].action == ESMTP_ACT_MASK;
		}
	} else if (p->crit_n[ESMTP_CRIT_CMD_VERB] != 0) {
		acts = esmtp_rules_set(c, ESMTP_CRIT_CMD_VERB, 1u << verb, b, vlen);
		xout = (acts & (1 << ESMTP_ACT_MASK)) != 0;
	}
	if (c->stop)
		return DECIDED;
	if (xout)
		s->cflags |= CF_XING;

	/* A command while replies are due: the greeting (client talks
	 * first), or a pipelined group the server did not allow. */
	if (s->pend_n != 0) {
		if (esmtp_pending_front(s) == PK_GREETING)
			esmtp_fire_ev(c, ESMTP_EV_EARLY_TALKER, b, vlen);
		else if (!(s->conn & CN_PIPE_OK) || ends_group(back))
			esmtp_fire_ev(c, ESMTP_EV_PIPELINING, b, vlen);
		if (c->stop)
			return DECIDED;
	}

	switch (verb) {
	case ESMTP_VERB_MAIL:
		esmtp_txn_reset(s);
		addr_checks(c, b + a0, a1 - a0);
		break;
	case ESMTP_VERB_RCPT:
		s->rcpt_count++;
		esmtp_rules_num(c, ESMTP_CRIT_CMD_RCPT_COUNT, s->rcpt_count - 1u, s->rcpt_count);
		if (!c->stop)
			addr_checks(c, b + a0, a1 - a0);
		break;
	case ESMTP_VERB_HELO:
	case ESMTP_VERB_EHLO:
		s->conn &= (uint8_t) ~(CN_PIPE_OK | CN_CHUNK_OK);
		esmtp_txn_reset(s);
		break;
	case ESMTP_VERB_RSET:
		esmtp_txn_reset(s);
		break;
	default:
		break;
	}

	if (p->trace != NULL && (s->conn & CN_TRACE)) {
		const uint8_t *nl = memchr(b, '\n', avail);

		what = xout                                  ? "cmd x-out"
				: verb == ESMTP_VERB_UNKNOWN ? "cmd pass-unknown"
							     : "cmd allow";
		esmtp_trace(c, what, b, nl != NULL ? (size_t)(nl - b) + 1 : avail);
	}
	return DECIDED;
}

/*
 * The AUTH command line and SASL response lines: RFC 4954 4 lets them be
 * 12,288 octets (OAuth tokens), so they have their own limit instead of the
 * cmd-line-length rules (the ASA applies its 512 and drops the client).
 */
static int
is_auth_line(const struct esmtp *s)
{
	return s->cmode == CM_SASL || s->cverb == ESMTP_VERB_AUTH;
}

/* Bytes to add to the current line before a length limit is crossed. */
static uint64_t
line_len_dist(const struct esmtp_ctx *c)
{
	uint32_t n = c->s->cline_len, max = c->p->auth_line_max;

	if (is_auth_line(c->s))
		return n <= max ? (uint64_t)max - n + 1 : UINT64_MAX;
	return esmtp_cross_dist(c->p, ESMTP_CRIT_CMD_LINE_LENGTH, n);
}

/* The current line grew from before to after bytes: length limits. */
static void
line_len_grew(struct esmtp_ctx *c, uint32_t before, uint32_t after)
{
	uint32_t max = c->p->auth_line_max;

	if (is_auth_line(c->s)) {
		if (unlikely(before <= max && after > max))
			esmtp_fire_num(c, ESMTP_EV_AUTH_LINE_LENGTH, after);
	} else {
		esmtp_rules_num(c, ESMTP_CRIT_CMD_LINE_LENGTH, before, after);
	}
}

static void
cmd_eol(struct esmtp_ctx *c, int crlf)
{
	struct esmtp *s = c->s;
	uint8_t verb = s->cverb;

	if (!crlf && !(s->once & ON_CMD_BARE_LF)) {
		s->once |= ON_CMD_BARE_LF;
		esmtp_fire_ev(c, ESMTP_EV_CMD_BARE_LF, NULL, 0);
	}
	if (!is_auth_line(s))
		esmtp_rules_final(c, ESMTP_CRIT_CMD_LINE_LENGTH, s->cline_len);
	s->cflags = 0;
	s->cline_len = 0;
	if (c->stop)
		return;
	if (s->cmode == CM_SASL) {
		s->cmode = CM_CMD;
		esmtp_pending_push(s, PK_AUTH_CONT);
		return;
	}
	esmtp_pending_push(s, verb);
	if (verb == ESMTP_VERB_STARTTLS) {
		s->cmode = CM_TLS_WAIT;
	} else if (verb == ESMTP_VERB_BDAT) {
		if (s->astate != BS_NUM && s->astate != BS_POST && s->astate != BS_LASTOK) {
			s->bdat_left = 0; /* no chunk follows */
			esmtp_fire_ev(c, ESMTP_EV_BDAT_BAD, NULL, 0);
			return;
		}
		if (!(s->conn & CN_IN_MSG)) {
			esmtp_msg_begin(s);
			s->conn |= CN_IN_MSG;
		}
		if (s->astate == BS_LASTOK)
			s->conn |= CN_BDAT_LAST;
		/* bdat_left holds the size the line gave (param_byte). */
		s->cmode = CM_BDAT;
		if (s->bdat_left == 0)
			esmtp_bdat_chunk_end(c);
	}
}

static void
bare_cr(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;

	if (!(s->once & ON_CMD_BARE_CR)) {
		s->once |= ON_CMD_BARE_CR;
		esmtp_fire_ev(c, ESMTP_EV_CMD_BARE_CR, NULL, 0);
	}
}

/* One byte of a MAIL/RCPT/BDAT line (bytes before CR LF). */
static void
param_byte(struct esmtp *s, uint8_t ch, uint32_t lp)
{
	static const char size_key[] = "size=";

	if (s->cverb == ESMTP_VERB_BDAT) {
		switch (s->astate) {
		case BS_PRE:
			if (lp < 4 || esmtp_is_wsp(ch))
				break;
			if (ch >= '0' && ch <= '9') {
				s->bdat_left = (uint64_t)(ch - '0');
				s->astate = BS_NUM;
			} else {
				s->astate = BS_BAD;
			}
			break;
		case BS_NUM:
			if (ch >= '0' && ch <= '9') {
				s->bdat_left = s->bdat_left * 10 + (uint64_t)(ch - '0');
				if (s->bdat_left > BDAT_MAX)
					s->astate = BS_BAD;
			} else {
				s->astate = esmtp_is_wsp(ch) ? BS_POST : BS_BAD;
			}
			break;
		case BS_POST:
			if (esmtp_is_wsp(ch))
				break;
			s->astate = esmtp_lower(ch) == 'l' ? BS_LAST : BS_BAD;
			s->aidx = 1;
			break;
		case BS_LAST:
			if (esmtp_lower(ch) != (uint8_t) "last"[s->aidx]) {
				s->astate = BS_BAD;
			} else if (++s->aidx == 4) {
				s->astate = BS_LASTOK;
			}
			break;
		case BS_LASTOK:
			if (!esmtp_is_wsp(ch))
				s->astate = BS_BAD;
			break;
		default:
			break;
		}
		return;
	}
	if (s->cverb != ESMTP_VERB_MAIL || lp <= s->a1)
		return;
	/* ESMTP parameters after the address: SIZE= (RFC 1870). */
	switch (s->astate) {
	case AS_SEP:
		if (ch == ' ')
			break;
		s->astate = AS_KEY;
		s->aidx = 0;
		/* fall through */
	case AS_KEY:
		if (esmtp_lower(ch) == (uint8_t)size_key[s->aidx]) {
			if (++s->aidx == 5) {
				s->astate = AS_NUM;
				s->size_decl = 0;
			}
		} else {
			s->astate = ch == ' ' ? AS_SEP : AS_SKIP;
		}
		break;
	case AS_NUM:
		if (ch >= '0' && ch <= '9') {
			if (s->size_decl < (1ull << 56))
				s->size_decl = s->size_decl * 10 + (uint64_t)(ch - '0');
		} else {
			s->astate = ch == ' ' ? AS_SEP : AS_SKIP;
		}
		break;
	default:
		if (ch == ' ')
			s->astate = AS_SEP;
		break;
	}
}

/*
 * Bytes of a decided line from pos up to and including its LF (or the end
 * of buf).  Returns the new position.
 */
static uint32_t
line_bytes(struct esmtp_ctx *c, uint32_t pos)
{
	struct esmtp *s = c->s;
	const uint8_t *b = c->buf;
	struct esmtp_lcut l;
	uint32_t n, i, lp, cr;
	uint64_t d;

	if (s->cflags & CF_PEND_CR) {
		s->cflags &= (uint8_t)~CF_PEND_CR;
		if (b[pos] == '\n') {
			cmd_eol(c, 1);
			return pos + 1;
		}
		/* The CR was bare: it is a byte of the line after all. */
		bare_cr(c);
		if (s->cmode == CM_CMD && !(s->cflags & CF_XING))
			param_byte(s, '\r', s->cline_len);
		s->cline_len++;
		line_len_grew(c, s->cline_len - 1, s->cline_len);
		if (c->stop)
			return pos;
	}
	esmtp_line_cut(b, pos, c->len, &l);
	n = l.n;

	/* Byte by byte only where bytes matter one by one: special
	 * characters to blank, BDAT arguments, MAIL parameters (SIZE=). */
	if (s->cmode == CM_CMD && !(s->cflags & CF_XING) &&
			((s->cflags & CF_SPECIAL) || s->cverb == ESMTP_VERB_BDAT ||
					(s->cverb == ESMTP_VERB_MAIL &&
							s->cline_len + n > s->a1))) {
		/* Short lines with parameters: byte by byte, so that a stop
		 * for room can happen at any byte. */
		for (i = 0; i < n; i++) {
			uint8_t ch = b[pos + i];

			lp = s->cline_len;
			if ((s->cflags & CF_SPECIAL) && lp >= s->a0 && lp < s->a1 &&
					is_special(ch)) {
				if (!esmtp_room(c, 1, 0)) {
					c->r->overflow = 1;
					return pos + i;
				}
				esmtp_edit_add(c, pos + i, 1, ' ');
			}
			if (ch == '\r')
				bare_cr(c);
			param_byte(s, ch, lp);
			s->cline_len++;
			esmtp_rules_num(c, ESMTP_CRIT_CMD_LINE_LENGTH, lp, lp + 1);
			if (c->stop)
				return pos + i + 1;
		}
	} else {
		uint32_t at_cr;

		i = 0;
		cr = l.cr;
		while (i < n) {
			uint32_t k = n - i;

			if (i != 0 && !esmtp_room(c, STEP_EDITS, STEP_EVENTS)) {
				c->r->overflow = 1;
				return pos + i;
			}

			/* Split at the byte that crosses a length rule and at
			 * a bare CR, so events come in stream order. */
			d = line_len_dist(c);
			if (d < k)
				k = (uint32_t)d;
			at_cr = cr < i + k;
			if (at_cr)
				k = cr - i + 1;
			/* A CR is never X-ed: whether it is bare may only be
			 * known after this push, and the answer must not
			 * depend on where segments end. */
			if ((s->cflags & CF_XING) && k - at_cr != 0)
				esmtp_edit_add(c, pos + i, k - at_cr, 'X');
			if (at_cr)
				bare_cr(c);
			s->cline_len += k;
			line_len_grew(c, s->cline_len - k, s->cline_len);
			i += k;
			if (c->stop)
				return pos + i;
			if (at_cr)
				cr = i + esmtp_scan_cr(b + pos + i, n - i);
		}
	}
	if (l.term == LT_CR_PEND) {
		s->cflags |= CF_PEND_CR;
		return l.next;
	}
	if (l.term != LT_NONE) {
		cmd_eol(c, l.term == LT_CRLF);
		return l.next;
	}
	return pos + n;
}

uint32_t
esmtp_cmd_push(struct esmtp_ctx *c, uint32_t pos)
{
	struct esmtp *s = c->s;

	while (pos < c->len && !c->stop) {
		if (s->cmode == CM_DATA || s->cmode == CM_BDAT)
			break;
		if (!esmtp_room(c, STEP_EDITS, STEP_EVENTS)) {
			c->r->overflow = 1;
			break;
		}
		if (s->cmode == CM_TLS_WAIT) {
			/* Plaintext after STARTTLS, before the server's answer:
			 * it would be read as if it came over TLS
			 * (CVE-2011-0411 and friends). */
			esmtp_fire_ev(c, ESMTP_EV_STARTTLS_INJECTION, NULL, 0);
			s->cmode = CM_CMD;
			continue;
		}
		if (!(s->cflags & CF_MID)) {
			if (s->cmode == CM_SASL) {
				/* One SASL response line: opaque, never X-ed. */
				s->cflags = CF_MID;
				s->cverb = PK_AUTH_CONT;
				esmtp_trace(c, "sasl", c->buf + pos, c->len - pos);
			} else if (decide(c, pos) == HOLD) {
				break;
			}
			if (c->stop)
				break;
		}
		pos = line_bytes(c, pos);
	}
	return pos;
}
