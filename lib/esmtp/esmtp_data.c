/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message content (DATA after 354, BDAT chunks): line framing with the
 * SMTP-smuggling guard and dot-stuffing, header/body line lengths, header
 * and body totals, SIZE= against the actual size (108006), max-data, and
 * the hand-off of header and body bytes to the MIME parser.
 * Content is never edited and never held: every check ends in an event or
 * a verdict, and the end-of-data marker comes after every line it judges.
 */
#include <string.h>

#include "esmtp_line.h"
#include "esmtp_priv.h"

void
esmtp_txn_reset(struct esmtp *s)
{
	s->rcpt_count = 0;
	s->size_decl = 0;
	s->conn &= (uint8_t) ~(CN_IN_MSG | CN_BDAT_LAST);
}

void
esmtp_msg_begin(struct esmtp *s)
{
	s->msg_bytes = 0;
	s->body_bytes = 0;
	s->hdr_bytes = 0;
	s->to_count = 0;
	s->dline_len = 0;
	s->dflags = DF_PREV_CRLF; /* the DATA line's CR LF */
	s->dstate = DS_HDR;
	s->mflags = 0;
	s->depth = 0;
	s->sflags = 0;
	esmtp_hdr_reset(s);
}

static void
msg_end(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;
	char val[48];
	size_t n;

	if (s->dstate == DS_HDR || s->dstate == DS_PHDR) {
		esmtp_hdr_field_end(c);
		if (s->dstate == DS_HDR)
			esmtp_hdr_section_end(c);
	}
	if (s->size_decl != 0 && s->msg_bytes > s->size_decl && !c->stop) {
		/* 108006: "declared size is: N, actual size is M" */
		n = esmtp_u64_str(val, s->size_decl);
		val[n++] = ' ';
		n += esmtp_u64_str(val + n, s->msg_bytes);
		esmtp_fire_ev(c, ESMTP_EV_SIZE_EXCEEDED, val, n);
	}
	esmtp_rules_final(c, ESMTP_CRIT_BODY_LENGTH, s->body_bytes);
	esmtp_trace(c, "data end", NULL, 0);
	s->cmode = CM_CMD;
	esmtp_txn_reset(s);
}

static void
data_bare_cr(struct esmtp_ctx *c)
{
	if (!(c->s->mflags & MF_BARE_CR)) {
		c->s->mflags |= MF_BARE_CR;
		esmtp_fire_ev(c, ESMTP_EV_DATA_BARE_CR, NULL, 0);
	}
}

/* A "." line a lenient server may take for the end of DATA: reported once. */
static void
data_smuggling(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;

	if (s->cmode == CM_DATA && !(s->mflags & MF_SMUGGLE)) {
		s->mflags |= MF_SMUGGLE;
		esmtp_fire_ev(c, ESMTP_EV_DATA_SMUGGLING, NULL, 0);
	}
}

/*
 * Servers that end a line at a bare CR see a "." line where a CR, not a
 * CR LF, stands before or after the dot: CR "." CR, CR "." LF, LF "." CR,
 * CR LF "." CR. Called at the start of every content chunk (content_seg
 * splits after each bare CR) before its bytes are counted; remembers a
 * trailing bare CR, or bare CR and ".", for the next chunk or line end.
 */
static void
data_cr_dot(struct esmtp_ctx *c, const uint8_t *b, uint32_t k)
{
	struct esmtp *s = c->s;
	uint8_t f = s->dflags & (DF_CR_END | DF_CR_DOT);

	s->dflags &= (uint8_t) ~(DF_CR_END | DF_CR_DOT);
	if (s->cmode != CM_DATA || k == 0)
		return;
	if (b[0] == '\r' && (f & DF_CR_DOT))
		data_smuggling(c); /* CR "." CR */
	else if (b[0] == '\r' && (s->dflags & DF_DOT) && s->dline_len == 0)
		data_smuggling(c); /* a dot at a line start, then a bare CR */
	else if (b[0] == '.' && (f & DF_CR_END) && k > 1 && b[1] == '\r')
		data_smuggling(c); /* CR "." CR in one chunk */
	if (b[k - 1] == '\r')
		s->dflags |= DF_CR_END;
	else if (k == 1 && b[0] == '.' && (f & DF_CR_END))
		s->dflags |= DF_CR_DOT;
}

/* Line length criterion of the current section. */
static unsigned int
line_crit(const struct esmtp *s)
{
	return s->dstate == DS_HDR ? ESMTP_CRIT_HEADER_LINE_LENGTH : ESMTP_CRIT_BODY_LINE_LENGTH;
}

static uint64_t
dist(const struct esmtp_policy *p, unsigned int crit, uint64_t cur, uint64_t add)
{
	if (likely(cur + add <= p->crit_min[crit]))
		return UINT64_MAX;
	return esmtp_cross_dist(p, crit, cur);
}

/* Count t bytes of the current section (content or line terminator). */
static void
count(struct esmtp_ctx *c, uint32_t t)
{
	struct esmtp *s = c->s;
	const struct esmtp_policy *p = c->p;
	uint64_t old;

	s->msg_bytes += t;
	old = s->data_total;
	s->data_total += t;
	if (p->max_data != 0 && old <= p->max_data && s->data_total > p->max_data)
		esmtp_fire_num(c, ESMTP_EV_MAX_DATA, s->data_total);
	if (s->dstate == DS_HDR) {
		s->hdr_bytes += t;
		esmtp_rules_num(c, ESMTP_CRIT_HEADER_LENGTH, s->hdr_bytes - t, s->hdr_bytes);
	} else {
		s->body_bytes += t;
		esmtp_rules_num(c, ESMTP_CRIT_BODY_LENGTH, s->body_bytes - t, s->body_bytes);
	}
}

/*
 * n content bytes of the current line (no LF, no terminating CR), the
 * first bare CR among them at offset cr (n when none).  Split at every
 * point where a rule crosses its threshold and after every bare CR, so
 * that events come in stream order whatever the segmentation.  Returns the
 * bytes processed (< n only when events ran out of room).
 */
static uint32_t
content_seg(struct esmtp_ctx *c, const uint8_t *b, uint32_t n, uint32_t cr)
{
	struct esmtp *s = c->s;
	const struct esmtp_policy *p = c->p;
	uint32_t i = 0, k;
	uint64_t d;
	unsigned int lc;
	uint32_t at_cr;

	while (i < n && !c->stop) {
		if (i != 0 && !esmtp_room(c, 0, STEP_EVENTS)) {
			c->r->overflow = 1;
			return i;
		}
		k = n - i;
		lc = line_crit(s);
		d = dist(p, lc, s->dline_len, k);
		if (d < k)
			k = (uint32_t)d;
		if (s->dstate == DS_HDR)
			d = dist(p, ESMTP_CRIT_HEADER_LENGTH, s->hdr_bytes, k);
		else
			d = dist(p, ESMTP_CRIT_BODY_LENGTH, s->body_bytes, k);
		if (d < k)
			k = (uint32_t)d;
		if (p->max_data != 0 && s->data_total <= p->max_data &&
				p->max_data - s->data_total + 1 < k)
			k = (uint32_t)(p->max_data - s->data_total + 1);
		at_cr = cr < i + k;
		if (at_cr)
			k = cr - i + 1;

		data_cr_dot(c, b + i, k);
		if (s->dstate == DS_HDR || s->dstate == DS_PHDR)
			esmtp_hdr_bytes(c, b + i, k);
		else if (s->depth != 0)
			esmtp_body_bytes(s, b + i, k);
		s->dline_len += k;
		esmtp_rules_num(c, lc, s->dline_len - k, s->dline_len);
		count(c, k);
		i += k;
		if (at_cr) {
			data_bare_cr(c);
			cr = i + esmtp_scan_cr(b + i, n - i);
		}
	}
	return i;
}

/* term: 0 = none (end of a BDAT message), 1 = bare LF, 2 = CR LF. */
static void
line_end(struct esmtp_ctx *c, unsigned int term)
{
	struct esmtp *s = c->s;
	unsigned int lc = line_crit(s);

	if (s->cmode == CM_DATA && (s->dflags & DF_DOT) && s->dline_len == 0) {
		/* Only CR LF "." CR LF ends DATA.  "." ending in a bare LF,
		 * or after a line that did, is what a lenient server may take
		 * for the end (SMTP smuggling): never for us, and reported. */
		if (term == 2 && (s->dflags & DF_PREV_CRLF)) {
			s->dflags = DF_PREV_CRLF;
			msg_end(c);
			esmtp_pending_push(s, PK_DATA_END);
			return;
		}
		data_smuggling(c);
	}
	if (s->dflags & DF_CR_DOT)
		data_smuggling(c); /* CR "." LF, CR "." CR LF */
	if (term == 1 && !(s->mflags & MF_BARE_LF)) {
		s->mflags |= MF_BARE_LF;
		esmtp_fire_ev(c, ESMTP_EV_DATA_BARE_LF, NULL, 0);
	}
	esmtp_rules_final(c, lc, s->dline_len);
	if (s->dstate == DS_HDR || s->dstate == DS_PHDR) {
		if (s->dline_len == 0 && term != 0) {
			/* The empty line: end of a header section. */
			esmtp_hdr_field_end(c);
			if (s->dstate == DS_HDR)
				esmtp_hdr_section_end(c);
			esmtp_mime_section_end(c);
			s->msg_bytes += term;
			s->data_total += term;
		} else {
			if (s->dflags & DF_DASH)
				esmtp_body_line_end(c);
			count(c, term);
		}
	} else {
		esmtp_body_line_end(c);
		count(c, term);
	}
	s->dline_len = 0;
	s->dflags = term == 2 ? DF_PREV_CRLF : 0;
}

void
esmtp_bdat_chunk_end(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;
	static const uint8_t cr = '\r';

	s->cmode = CM_CMD;
	if (!(s->conn & CN_BDAT_LAST))
		return;
	/* BDAT LAST: the message ends with its last byte, whatever it is. */
	if (s->dflags & DF_PEND_CR) {
		s->dflags &= (uint8_t)~DF_PEND_CR;
		content_seg(c, &cr, 1, 0);
	}
	if (s->dflags & DF_MID)
		line_end(c, 0);
	msg_end(c);
}

/*
 * Body bytes that can decide nothing: DATA body lines (not a header
 * section) with no CR inside, ended by CR LF, or by the end of the buffer
 * (the rest comes next push), not starting with "." (dot-stuffing, end of
 * data) or, inside MIME, "-" (a boundary candidate), under every numeric
 * threshold (line length, body length, max data) and with no negated rule
 * to evaluate at the end of a line.  They only count their bytes: the
 * general path would fire no event and set no flag but DF_MID, or
 * DF_PREV_CRLF at the end of a line.  Returns the new position (pos when
 * the bytes at pos are not such).  Most of a message body goes this way,
 * lines cut by segment ends included.
 */
static uint32_t
body_lines_fast(struct esmtp_ctx *c, uint32_t pos, uint32_t end)
{
	struct esmtp *s = c->s;
	const struct esmtp_policy *p = c->p;
	const uint8_t *b = c->buf;
	uint64_t line_max = p->crit_min[ESMTP_CRIT_BODY_LINE_LENGTH];
	uint64_t body_max = p->crit_min[ESMTP_CRIT_BODY_LENGTH];
	uint64_t room, used = 0, dlen = s->dline_len;
	uint8_t fl = s->dflags;
	/* A line may not start with '.', nor inside MIME with '-'. */
	uint8_t c2 = s->depth != 0 ? '-' : '.';
	uint32_t i, start = pos;

	if (s->cmode != CM_DATA || s->dstate == DS_HDR || s->dstate == DS_PHDR ||
			(fl & (uint8_t) ~(DF_PREV_CRLF | DF_MID)) != 0 || line_max == 0 ||
			body_max == 0 || s->body_bytes >= body_max ||
			(!(fl & DF_MID) && (b[pos] == '.' || b[pos] == c2)))
		return pos;
	/* Bytes that cross neither the body length nor max-data. */
	room = body_max - s->body_bytes;
	if (p->max_data != 0 && s->data_total <= p->max_data && p->max_data - s->data_total < room)
		room = p->max_data - s->data_total;
	while (pos < end) {
		i = pos + esmtp_scan_crlf(b + pos, end - pos);
		if (i == end) {
			/* The line goes on in the next push. */
			if (dlen + (end - pos) > line_max || used + (end - pos) > room)
				break;
			dlen += end - pos;
			used += end - pos;
			fl |= DF_MID;
			pos = end;
			break;
		}
		if (b[i] != '\r' || i + 1 == end || b[i + 1] != '\n' ||
				dlen + (i - pos) > line_max || used + (i - pos) + 2 > room)
			break;
		used += i - pos + 2;
		dlen = 0;
		fl = DF_PREV_CRLF;
		pos = i + 2;
		if (pos < end && (b[pos] == '.' || b[pos] == c2))
			break;
	}
	if (pos != start) {
		s->msg_bytes += used;
		s->data_total += used;
		s->body_bytes += used;
		s->dline_len = (uint32_t)dlen;
		s->dflags = fl;
	}
	return pos;
}

uint32_t
esmtp_data_push(struct esmtp_ctx *c, uint32_t pos)
{
	struct esmtp *s = c->s;
	const uint8_t *b = c->buf;
	struct esmtp_lcut l;
	uint32_t end, done, start;
	static const uint8_t cr = '\r';

	while (pos < c->len && !c->stop && (s->cmode == CM_DATA || s->cmode == CM_BDAT)) {
		if (!esmtp_room(c, 0, STEP_EVENTS)) {
			c->r->overflow = 1;
			break;
		}
		start = pos;
		end = c->len;
		if (s->cmode == CM_BDAT && s->bdat_left < (uint64_t)(end - pos))
			end = pos + (uint32_t)s->bdat_left;
		pos = body_lines_fast(c, pos, end);
		if (pos == end)
			continue;
		if (s->dflags & DF_PEND_CR) {
			s->dflags &= (uint8_t)~DF_PEND_CR;
			if (b[pos] == '\n') {
				pos++;
				line_end(c, 2);
				goto account;
			}
			/* The CR was bare: content after all. */
			content_seg(c, &cr, 1, 0);
			continue;
		}
		if (!(s->dflags & DF_MID)) {
			s->dflags |= DF_MID;
			if (s->cmode == CM_DATA && b[pos] == '.') {
				/* Dot-stuffing: the server removes it; so do we. */
				s->dflags |= DF_DOT;
				pos++;
				goto account;
			}
		}
		esmtp_line_cut(b, pos, end, &l);
		done = content_seg(c, b + pos, l.n, l.cr);
		pos += done;
		if (done < l.n || c->stop)
			goto account;
		pos = l.next;
		if (l.term == LT_CR_PEND)
			s->dflags |= DF_PEND_CR;
		else if (l.term != LT_NONE)
			line_end(c, l.term == LT_CRLF ? 2 : 1);
	account:
		if (s->cmode == CM_BDAT) {
			s->bdat_left -= pos - start;
			if (s->bdat_left == 0)
				esmtp_bdat_chunk_end(c);
		}
		if (c->r->overflow)
			break;
	}
	return pos;
}
