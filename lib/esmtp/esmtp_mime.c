/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header fields, streaming: header names, To: address count,
 * Content-Transfer-Encoding, Content-Type / Content-Disposition parameters
 * (boundary, name, filename, RFC 2231 name*= / filename*0*= continuations,
 * quoted strings, folded lines).  What a section says about the MIME
 * structure (multipart, boundary, message/rfc822, encoding) goes to
 * esmtp_multipart.c.  Nothing is copied but bounded prefixes (a header
 * name, a media type, a parameter name, the first bytes of a value).
 */
#include <string.h>

#include "esmtp_priv.h"

/* Parameter parser states (struct esmtp.pstate). */
enum {
	P_TYPE_WS = 0,
	P_TYPE,
	P_SEMI,
	P_NAME_WS,
	P_NAME,
	P_EQ_WS,
	P_VAL_WS,
	P_TVAL,
	P_QVAL,
	P_QESC,
	P_DONE,
};

/* Parameter kinds (struct esmtp.pkind). */
enum {
	PV_OTHER = 0,
	PV_BOUNDARY,
	PV_BOUNDARY_2231, /* boundary*= / boundary*N[*]= : not followed */
	PV_FN, /* name= / filename= */
	PV_FN_EXT, /* name*= / filename*= : charset'lang'%XX */
	PV_FN_CONT, /* name*N= */
	PV_FN_CONT_EXT, /* name*N*= ; N = 0 carries charset'lang' */
};

#define NAME_MAX_LEN 32 /* header names kept (longer ones are no field we read) */
#define TYPE_KEEP 64 /* media type bytes kept (mime-filetype-regex) */
#define PNAME_MAX 16 /* parameter names kept */
#define VALUE_KEEP ESMTP_EVENT_VALUE /* value bytes kept: the event's value */

_Static_assert(NAME_MAX_LEN <= ESMTP_SCRATCH && TYPE_KEEP <= ESMTP_SCRATCH &&
				PNAME_MAX <= ESMTP_SCRATCH &&
				VALUE_KEEP <= sizeof(((struct esmtp *)0)->val.prefix),
		"scratch too small");

static void
scratch_put(struct esmtp *s, uint8_t ch, uint32_t max)
{
	if (s->slen < max)
		s->scratch[s->slen++] = ch;
}

void
esmtp_hdr_reset(struct esmtp *s)
{
	s->hkind = HK_NONE;
	s->hstate = HS_SKIP;
	s->slen = 0;
}

static int
name_is(const struct esmtp *s, const char *n)
{
	size_t l = strlen(n);

	return s->slen == l && memcmp(s->scratch, n, l) == 0;
}

static void
type_end(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;

	if (s->hkind != HK_CTYPE)
		return;
	s->sflags |= SF_CTYPE;
	if (s->slen >= 10 && memcmp(s->scratch, "multipart/", 10) == 0) {
		s->pflags |= PF_MULTI;
		s->sflags |= SF_MULTI;
		if (name_is(s, "multipart/digest"))
			s->pflags |= PF_DIGEST;
	} else if (name_is(s, "message/rfc822") || name_is(s, "message/global") ||
			name_is(s, "message/news")) {
		/* An encapsulated message: its header section comes next. */
		s->sflags |= SF_MSG;
	}
	if (c->p->crit_n[ESMTP_CRIT_MIME_FILETYPE_REGEX] != 0)
		esmtp_rules_match(c, ESMTP_CRIT_MIME_FILETYPE_REGEX, s->scratch, s->slen);
}

/* Classify a parameter name: boundary, (file)name and RFC 2231 forms. */
static void
name_end(struct esmtp *s)
{
	const char *n = (const char *)s->scratch;
	uint32_t l = s->plen, base, i;

	s->pkind = PV_OTHER;
	s->pflags &= (uint8_t) ~(PF_PREFIX | PF_QUOTE1 | PF_EXT);
	if (s->pflags & PF_NAMELONG)
		return;
	if (l >= 8 && memcmp(n, "boundary", 8) == 0) {
		/* RFC 2231 pieces of a boundary: some readers join them. */
		if (l == 8)
			s->pkind = PV_BOUNDARY;
		else if (n[8] == '*')
			s->pkind = PV_BOUNDARY_2231;
		return;
	}
	if (l >= 8 && memcmp(n, "filename", 8) == 0)
		base = 8;
	else if (l >= 4 && memcmp(n, "name", 4) == 0)
		base = 4;
	else
		return;
	if (l == base) {
		s->pkind = PV_FN;
		return;
	}
	if (n[base] != '*')
		return;
	if (l == base + 1) {
		s->pkind = PV_FN_EXT;
		s->pflags |= PF_PREFIX | PF_EXT;
		return;
	}
	for (i = base + 1; i < l && n[i] >= '0' && n[i] <= '9'; i++)
		;
	if (i == base + 1)
		return;
	if (i == l) {
		s->pkind = PV_FN_CONT;
	} else if (i + 1 == l && n[i] == '*') {
		s->pkind = PV_FN_CONT_EXT;
		s->pflags |= PF_EXT;
		/* only the first piece has charset'lang' */
		if (i == base + 2 && n[base + 1] == '0')
			s->pflags |= PF_PREFIX;
	}
}

static void
value_start(struct esmtp *s)
{
	s->vcount = 0;
	s->slen = 0;
	s->plen = 0; /* from here: %XX digits left to skip */
	s->val.acc = 0;
}

static void
value_char(struct esmtp *s, uint8_t ch)
{
	if (s->pkind == PV_BOUNDARY) {
		/* Hash terms as they come: a boundary of any length costs no
		 * more state (esmtp_multipart.c). */
		if (s->vcount < ESMTP_BOUNDARY_MAX)
			s->val.acc = esmtp_bnd_fold(s->val.acc +
					esmtp_bnd_term(esmtp_bnd_key(s->p, s->vcount + 1),
							ch + 1u));
		s->pflags = esmtp_is_wsp(ch) ? s->pflags | PF_BLANK
					     : s->pflags & (uint8_t)~PF_BLANK;
	}
	if (s->pflags & PF_PREFIX) {
		if (ch == '\'') {
			if (s->pflags & PF_QUOTE1)
				s->pflags &= (uint8_t) ~(PF_PREFIX | PF_QUOTE1);
			else
				s->pflags |= PF_QUOTE1;
		}
		return;
	}
	if (s->plen != 0) {
		s->plen--;
		return;
	}
	if ((s->pflags & PF_EXT) && ch == '%')
		s->plen = 2;
	s->vcount++;
	scratch_put(s, ch, VALUE_KEEP);
}

static void
value_end(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;
	uint32_t before;

	switch (s->pkind) {
	case PV_BOUNDARY:
	case PV_BOUNDARY_2231:
		if (s->hkind == HK_CTYPE && (s->pflags & PF_MULTI))
			esmtp_bnd_param(c, s->pkind == PV_BOUNDARY_2231);
		break;
	case PV_FN:
	case PV_FN_EXT:
		esmtp_rules_num_v(c, ESMTP_CRIT_MIME_FILENAME_LENGTH, 0, s->vcount, s->scratch,
				s->slen);
		esmtp_rules_final(c, ESMTP_CRIT_MIME_FILENAME_LENGTH, s->vcount);
		break;
	case PV_FN_CONT:
	case PV_FN_CONT_EXT:
		before = s->fn_cont;
		s->fn_cont += s->vcount;
		esmtp_rules_num_v(c, ESMTP_CRIT_MIME_FILENAME_LENGTH, before, s->fn_cont,
				s->scratch, s->slen);
		break;
	default:
		break;
	}
	s->pkind = PV_OTHER;
}

/* Content-Type / Content-Disposition value bytes. */
static void
param_bytes(struct esmtp_ctx *c, const uint8_t *p, uint32_t n)
{
	struct esmtp *s = c->s;
	uint32_t i;

	for (i = 0; i < n && !c->stop; i++) {
		uint8_t ch = p[i];

	again:
		switch (s->pstate) {
		case P_TYPE_WS:
			if (esmtp_is_wsp(ch))
				break;
			s->pstate = P_TYPE;
			goto again;
		case P_TYPE:
			if (ch == ';') {
				type_end(c);
				s->pstate = P_NAME_WS;
			} else if (esmtp_is_wsp(ch) || ch == '(') {
				type_end(c);
				s->pstate = P_SEMI;
			} else {
				scratch_put(s, esmtp_lower(ch), TYPE_KEEP);
			}
			break;
		case P_SEMI:
			if (ch == ';')
				s->pstate = P_NAME_WS;
			break;
		case P_NAME_WS:
			if (esmtp_is_wsp(ch) || ch == ';')
				break;
			s->pstate = P_NAME;
			s->plen = 0;
			s->pflags &= (uint8_t)~PF_NAMELONG;
			goto again;
		case P_NAME:
			if (ch == '=') {
				name_end(s);
				s->pstate = P_VAL_WS;
			} else if (esmtp_is_wsp(ch)) {
				s->pstate = P_EQ_WS;
			} else if (ch == ';') {
				s->pstate = P_NAME_WS;
			} else if (s->plen < PNAME_MAX) {
				/* The media type before is done with: the
				 * name takes the scratch until its value. */
				s->scratch[s->plen++] = esmtp_lower(ch);
			} else {
				s->pflags |= PF_NAMELONG;
			}
			break;
		case P_EQ_WS:
			if (ch == '=') {
				name_end(s);
				s->pstate = P_VAL_WS;
			} else if (ch == ';') {
				s->pstate = P_NAME_WS;
			} else if (!esmtp_is_wsp(ch)) {
				s->pstate = P_SEMI;
			}
			break;
		case P_VAL_WS:
			if (esmtp_is_wsp(ch))
				break;
			value_start(s);
			if (ch == '"') {
				s->pstate = P_QVAL;
			} else if (ch == ';') {
				value_end(c);
				s->pstate = P_NAME_WS;
			} else {
				s->pstate = P_TVAL;
				goto again;
			}
			break;
		case P_TVAL:
			if (esmtp_is_wsp(ch)) {
				value_end(c);
				s->pstate = P_SEMI;
			} else if (ch == ';') {
				value_end(c);
				s->pstate = P_NAME_WS;
			} else {
				value_char(s, ch);
			}
			break;
		case P_QVAL:
			if (ch == '"') {
				value_end(c);
				s->pstate = P_SEMI;
			} else if (ch == '\\') {
				s->pstate = P_QESC;
			} else {
				value_char(s, ch);
			}
			break;
		case P_QESC:
			value_char(s, ch);
			s->pstate = P_QVAL;
			break;
		default:
			break;
		}
	}
}

/* To: recipients, counted at top-level commas (quotes, <>, () skipped). */
static void
to_bytes(struct esmtp_ctx *c, const uint8_t *p, uint32_t n)
{
	struct esmtp *s = c->s;
	uint32_t i;

	for (i = 0; i < n && !c->stop; i++) {
		uint8_t ch = p[i];

		switch (s->pstate) {
		case 0:
			if (ch == ',') {
				s->to_count++;
				esmtp_rules_num(c, ESMTP_CRIT_HEADER_TO_FIELDS_COUNT,
						s->to_count - 1u, s->to_count);
			} else if (ch == '"') {
				s->pstate = 1;
			} else if (ch == '<') {
				s->pstate = 2;
			} else if (ch == '(') {
				s->pstate = 3;
			}
			break;
		case 1:
			if (ch == '"')
				s->pstate = 0;
			else if (ch == '\\')
				s->pstate = 4;
			break;
		case 2:
			if (ch == '>')
				s->pstate = 0;
			break;
		case 3:
			if (ch == ')')
				s->pstate = 0;
			break;
		default:
			s->pstate = 1;
			break;
		}
	}
}

static void
field_begin(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;
	uint32_t l = s->slen;

	while (l > 0 && esmtp_is_wsp(s->scratch[l - 1]))
		l--;
	s->slen = (uint8_t)l;
	s->hstate = HS_VALUE;
	s->hkind = HK_OTHER;
	s->pstate = 0;
	s->pflags = 0;
	s->fn_cont = 0;
	if (name_is(s, "to")) {
		if (s->dstate == DS_HDR && c->p->crit_n[ESMTP_CRIT_HEADER_TO_FIELDS_COUNT] != 0) {
			s->hkind = HK_TO;
			s->to_count++;
			esmtp_rules_num(c, ESMTP_CRIT_HEADER_TO_FIELDS_COUNT, s->to_count - 1u,
					s->to_count);
		}
	} else if (name_is(s, "content-type")) {
		s->hkind = HK_CTYPE;
	} else if (name_is(s, "content-disposition")) {
		s->hkind = HK_CDISP;
	} else if (name_is(s, "content-transfer-encoding")) {
		/* Read even without a mime-encoding rule: an encoded
		 * message/rfc822 cannot be followed. */
		s->hkind = HK_CTE;
	}
	s->slen = 0;
}

void
esmtp_hdr_field_end(struct esmtp_ctx *c)
{
	struct esmtp *s = c->s;
	static const char *const enc[] = {"7bit", "8bit", "base64", "binary", "quoted-printable"};
	unsigned int e;

	switch (s->hkind) {
	case HK_CTYPE:
	case HK_CDISP:
		if (s->pstate == P_TYPE)
			type_end(c);
		else if (s->pstate == P_TVAL || s->pstate == P_QVAL || s->pstate == P_QESC)
			value_end(c);
		if (s->fn_cont != 0)
			esmtp_rules_final(c, ESMTP_CRIT_MIME_FILENAME_LENGTH, s->fn_cont);
		break;
	case HK_CTE:
		for (e = 0; e < ESMTP_ENC_OTHERS; e++)
			if (name_is(s, enc[e]))
				break;
		if (e != ESMTP_ENC_7BIT && e != ESMTP_ENC_8BIT && e != ESMTP_ENC_BINARY &&
				s->slen != 0)
			s->sflags |= SF_ENC;
		if (c->p->crit_n[ESMTP_CRIT_MIME_ENCODING] != 0)
			esmtp_rules_set(c, ESMTP_CRIT_MIME_ENCODING, 1u << e, s->scratch, s->slen);
		break;
	default:
		break;
	}
	s->hkind = HK_NONE;
	s->hstate = HS_SKIP;
	s->slen = 0;
}

void
esmtp_hdr_section_end(struct esmtp_ctx *c)
{
	esmtp_rules_final(c, ESMTP_CRIT_HEADER_TO_FIELDS_COUNT, c->s->to_count);
	esmtp_rules_final(c, ESMTP_CRIT_HEADER_LENGTH, c->s->hdr_bytes);
}

void
esmtp_hdr_bytes(struct esmtp_ctx *c, const uint8_t *p, uint32_t n)
{
	struct esmtp *s = c->s;
	const uint8_t *colon;
	uint32_t i = 0, k;

	if (n == 0)
		return;
	if (s->dline_len == 0 && !esmtp_is_wsp(p[0])) {
		/* A new field; a line starting with blanks continues one. */
		esmtp_hdr_field_end(c);
		if (s->dstate == DS_PHDR && p[0] == '-') {
			/* No field we read; maybe the delimiter of an enclosing
			 * multipart, which ends a part even in its header
			 * section (a message/rfc822 with no empty line). */
			esmtp_body_bytes(s, p, n);
			return;
		}
		s->hstate = HS_NAME;
		s->slen = 0;
	}
	if (s->dflags & DF_DASH) {
		esmtp_body_bytes(s, p, n);
		return;
	}
	if (s->hstate == HS_NAME) {
		colon = memchr(p, ':', n);
		k = colon != NULL ? (uint32_t)(colon - p) : n;
		for (i = 0; i < k; i++)
			scratch_put(s, esmtp_lower(p[i]), NAME_MAX_LEN);
		if (colon == NULL)
			return;
		i++;
		field_begin(c);
	}
	if (s->hstate != HS_VALUE || c->stop)
		return;
	switch (s->hkind) {
	case HK_TO:
		to_bytes(c, p + i, n - i);
		break;
	case HK_CTYPE:
	case HK_CDISP:
		param_bytes(c, p + i, n - i);
		break;
	case HK_CTE:
		for (; i < n; i++) {
			if (s->pstate == 0 && esmtp_is_wsp(p[i]))
				continue;
			if (s->pstate == 2 || esmtp_is_wsp(p[i]) || p[i] == ';' || p[i] == '(') {
				s->pstate = 2;
				continue;
			}
			s->pstate = 1;
			scratch_put(s, esmtp_lower(p[i]), 32);
		}
		break;
	default:
		break;
	}
}
