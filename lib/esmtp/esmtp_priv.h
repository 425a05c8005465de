/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/esmtp: the per-push context, state bits, and the entry
 * points of each role file (commands, replies, content, MIME).
 */
#ifndef SMTPWALL_ESMTP_PRIV_H
#define SMTPWALL_ESMTP_PRIV_H

#include <stdint.h>
#include <string.h>

#include "esmtp.h"
#include "sw_common.h"

/* Room one processing step may need; checked before the step starts so
 * that a step never has to stop half-way for lack of room. */
#define STEP_EDITS 3
#define STEP_EVENTS 6

/* The prime field of the MIME boundary hashes (esmtp_multipart.c); the
 * policy's keys are points of it (esmtp_policy.c). */
#define BND_P ((UINT64_C(1) << 61) - 1)

/* Client modes. */
enum {
	CM_CMD = 0, /* command lines */
	CM_SASL, /* one SASL line after a 334 */
	CM_DATA, /* message content after 354 */
	CM_BDAT, /* bdat_left bytes of chunk */
	CM_TLS_WAIT, /* after STARTTLS\r\n, before the server's answer */
};

/* Pending reply kinds: verbs (enum esmtp_verb, ESMTP_VERB_UNKNOWN) and: */
enum {
	PK_GREETING = 32,
	PK_DATA_END, /* the reply to a message's final dot */
	PK_AUTH_CONT, /* the reply to a SASL line */
	PK_NONE = 0xff,
};

/* struct esmtp.conn */
#define CN_GREETED 0x01
#define CN_PIPE_OK 0x02 /* PIPELINING advertised and not masked */
#define CN_CHUNK_OK 0x04 /* CHUNKING advertised and not masked */
#define CN_IN_MSG 0x08 /* a BDAT message is open */
#define CN_BDAT_LAST 0x10
#define CN_C2S_HELD 0x20 /* the last client push left bytes held */
#define CN_TRACE 0x40 /* the policy's trace hook sees this connection */

/* struct esmtp.once: events raised once per connection */
#define ON_CMD_BARE_LF 0x01
#define ON_CMD_BARE_CR 0x02

/* struct esmtp.cflags */
#define CF_MID 0x01 /* the current line is decided */
#define CF_XING 0x02 /* overwrite the rest of the line with 'X' */
#define CF_PEND_CR 0x04 /* the last byte seen was CR (not yet known bare) */
#define CF_ANY 0x08 /* the line had at least one byte */
#define CF_SPECIAL 0x10 /* a special character event was raised on this line */

/* struct esmtp.dflags */
#define DF_MID 0x01
#define DF_DOT 0x02 /* leading dot removed from this line */
#define DF_PEND_CR 0x04
#define DF_PREV_CRLF 0x08 /* the previous line ended with CR LF */
#define DF_DASH 0x10 /* a line starting with '-' followed as a possible delimiter (dl) */
#define DF_CR_END 0x20 /* the last content byte was a bare CR */
#define DF_CR_DOT 0x40 /* the last content bytes were a bare CR and "." */

/* struct esmtp.mflags: once per message */
#define MF_BARE_LF 0x01
#define MF_BARE_CR 0x02
#define MF_SMUGGLE 0x08

/* struct esmtp.rflags */
#define RF_MID 0x01
#define RF_PEND_CR 0x02
#define RF_MASK 0x04 /* banner: mask from column 4 */
#define RF_BAD 0x08
#define RF_KW_MASK 0x10 /* masking a keyword longer than the hold */

/* struct esmtp.pflags: the Content-Type / -Disposition field being read */
#define PF_MULTI 0x01 /* media type multipart/... */
#define PF_PREFIX 0x04 /* skipping an RFC 2231 charset'lang' prefix */
#define PF_QUOTE1 0x08 /* one ' of the prefix seen */
#define PF_EXT 0x10 /* %XX decoding */
#define PF_NAMELONG 0x20
#define PF_DIGEST 0x40 /* media type multipart/digest */
#define PF_BLANK 0x80 /* the (boundary) value so far ends in a blank */

/* struct esmtp.sflags: what the current MIME header section said; cleared
 * when a section starts (message, part, encapsulated message). */
#define SF_MULTI 0x01 /* a multipart Content-Type */
#define SF_BND 0x02 /* ... with a boundary parameter (followed or reported) */
#define SF_PUSHED 0x04 /* ... followed: its boundary is on the stack */
#define SF_MSG 0x08 /* a message/rfc822 (global, news) Content-Type */
#define SF_CTYPE 0x10 /* a Content-Type with a media type */
#define SF_DIGEST 0x20 /* a part of a multipart/digest: message/rfc822 by default */
#define SF_ENC 0x40 /* a Content-Transfer-Encoding other than 7bit, 8bit, binary */
#define SF_UNF 0x80 /* mime-unfollowable was raised for this section */

/* Content sections (struct esmtp.dstate). */
enum { DS_HDR = 0, DS_BODY, DS_PHDR, DS_PBODY };

/* Header fields (struct esmtp.hkind). */
enum { HK_NONE = 0, HK_OTHER, HK_TO, HK_CTYPE, HK_CDISP, HK_CTE };

/* Header line states (struct esmtp.hstate). */
enum { HS_NAME = 0, HS_VALUE, HS_SKIP };

struct esmtp_ctx {
	struct esmtp *s;
	const struct esmtp_policy *p;
	struct esmtp_result *r;
	const uint8_t *buf;
	uint32_t len;
	uint8_t dir;
	uint8_t stop; /* a terminal verdict was reached */
	uint8_t yield; /* a reply decided held client bytes: stop, retry_other */
};

/* esmtp_core.c */
void esmtp_edit_add(struct esmtp_ctx *c, uint32_t off, uint32_t n, uint8_t fill);
void esmtp_fire(struct esmtp_ctx *c, unsigned int ev, unsigned int rule, unsigned int action,
		unsigned int log, const void *val, size_t vlen);
void esmtp_fire_ev(struct esmtp_ctx *c, unsigned int ev, const void *val, size_t vlen);
void esmtp_fire_num(struct esmtp_ctx *c, unsigned int ev, uint64_t v);
uint64_t esmtp_cross_dist(const struct esmtp_policy *p, unsigned int crit, uint64_t cur);
void esmtp_rules_num_v(struct esmtp_ctx *c, unsigned int crit, uint64_t before, uint64_t after,
		const void *val, size_t vlen);
void esmtp_rules_final_slow(struct esmtp_ctx *c, unsigned int crit, uint64_t value);
int esmtp_rules_match(struct esmtp_ctx *c, unsigned int crit, const uint8_t *v, size_t n);
int
esmtp_rules_set(struct esmtp_ctx *c, unsigned int crit, uint32_t bit, const uint8_t *v, size_t n);
void esmtp_pending_push(struct esmtp *s, uint8_t kind);
uint8_t esmtp_pending_front(const struct esmtp *s);
uint8_t esmtp_pending_back(const struct esmtp *s);
void esmtp_pending_pop(struct esmtp *s);
void esmtp_trace(struct esmtp_ctx *c, const char *what, const uint8_t *line, size_t n);
size_t esmtp_u64_str(char *out, uint64_t v);

/* esmtp_cmd.c */
uint32_t esmtp_cmd_push(struct esmtp_ctx *c, uint32_t pos);
int esmtp_verb_lookup(const uint8_t *v, size_t n);

/* esmtp_reply.c */
uint32_t esmtp_reply_push(struct esmtp_ctx *c, uint32_t pos);

/* esmtp_data.c */
uint32_t esmtp_data_push(struct esmtp_ctx *c, uint32_t pos);
void esmtp_bdat_chunk_end(struct esmtp_ctx *c);
void esmtp_msg_begin(struct esmtp *s);
void esmtp_txn_reset(struct esmtp *s);

/* esmtp_mime.c */
void esmtp_hdr_bytes(struct esmtp_ctx *c, const uint8_t *p, uint32_t n);
void esmtp_hdr_field_end(struct esmtp_ctx *c);
void esmtp_hdr_reset(struct esmtp *s);
void esmtp_hdr_section_end(struct esmtp_ctx *c);

/* esmtp_multipart.c */
void esmtp_bnd_param(struct esmtp_ctx *c, int rfc2231);
void esmtp_mime_section_end(struct esmtp_ctx *c);
void esmtp_body_line_end(struct esmtp_ctx *c);
void esmtp_body_bytes(struct esmtp *s, const uint8_t *p, uint32_t n);

/* Is there room for a step that may add this many edits and events? */
static inline int
esmtp_room(const struct esmtp_ctx *c, unsigned int edits, unsigned int events)
{
	return c->r->n_edits + edits <= ESMTP_MAX_EDITS &&
			c->r->n_events + events <= ESMTP_MAX_EVENTS;
}

/* Numeric rules of crit crossed by a value going from before to after;
 * the common case (below every threshold) costs one compare. */
static inline void
esmtp_rules_num(struct esmtp_ctx *c, unsigned int crit, uint64_t before, uint64_t after)
{
	if (unlikely(after > c->p->crit_min[crit]))
		esmtp_rules_num_v(c, crit, before, after, NULL, 0);
}

/* Negated numeric rules of crit, for a value that is final. */
static inline void
esmtp_rules_final(struct esmtp_ctx *c, unsigned int crit, uint64_t value)
{
	if (unlikely(c->p->crit_min[crit] == 0))
		esmtp_rules_final_slow(c, crit, value);
}

/* x mod BND_P, for any x. */
static inline uint64_t
esmtp_bnd_fold(uint64_t x)
{
	x = (x & BND_P) + (x >> 61);
	return x >= BND_P ? x - BND_P : x;
}

/* x mod BND_P, for x below 2^125. */
static inline uint64_t
esmtp_bnd_fold128(__uint128_t x)
{
	return esmtp_bnd_fold(((uint64_t)x & BND_P) + esmtp_bnd_fold((uint64_t)(x >> 61)));
}

/* key * v mod BND_P, for key < BND_P. */
static inline uint64_t
esmtp_bnd_term(uint64_t key, uint32_t v)
{
	__uint128_t x = (__uint128_t)key * v;

	return esmtp_bnd_fold((uint64_t)(x & BND_P) + (uint64_t)(x >> 61));
}

/* Key i of the boundary hash (esmtp_multipart.c); a policy that was never
 * compiled has none drawn and hashes with fixed, public ones. */
static inline uint64_t
esmtp_bnd_key(const struct esmtp_policy *p, uint32_t i)
{
	if (likely(p->bnd_key[0] != 0))
		return p->bnd_key[i];
	return esmtp_bnd_fold((i + 1) * UINT64_C(0x9e3779b97f4a7c15));
}

static inline uint8_t
esmtp_lower(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
}

static inline int
esmtp_is_wsp(uint8_t ch)
{
	return ch == ' ' || ch == '\t';
}

#endif /* SMTPWALL_ESMTP_PRIV_H */
