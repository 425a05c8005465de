/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/esmtp: the ESMTP inspector (Cisco ASA `inspect esmtp`, open).
 *
 * Pure C11, no DPDK include, no allocation.  The TCP layer owns one
 * struct esmtp per inspected connection (embedded in its flow entry) and
 * pushes the in-order stream bytes of one direction at a time.  Each push
 * answers with how many bytes are decided (consumed), same-length edits on
 * those bytes, a verdict and events.
 *
 * Holding contract (what "consumed < len" means):
 *  - Client -> server, command phase: bytes are held only at the start of a
 *    command line while its verb is undecided (no SP/HT/CR/LF yet within the
 *    first ESMTP_VERB_HOLD bytes), and, for MAIL and RCPT, until the address
 *    is complete (closing '>' or end of line), because every address check
 *    (| -> 108003, special characters, length, regex, mail-relay) needs the
 *    whole address.  The hold never exceeds ESMTP_HOLD_MAX bytes (the 512
 *    byte command line limit plus CR LF): once that many bytes are present
 *    the inspector decides with what it has.  Once a line is decided, the
 *    rest of it streams (is consumed) while its length keeps being counted,
 *    so a 513th byte triggers `cmd line length gt 512` without buffering
 *    (AUTH and SASL lines: the byte past auth_line_max, auth-line-length).
 *  - Server -> client: bytes are held only at the start of an EHLO reply
 *    keyword line, until the keyword is complete (at most
 *    ESMTP_REPLY_HOLD_MAX bytes); banner masking is positional, no hold.
 *  - Client -> server, after DATA or AUTH (or a SASL line) and before the
 *    server's answer: the next line is held (at most ESMTP_HOLD_MAX bytes),
 *    because the answer decides whether it is message content, SASL data
 *    or a command (blind pipelining).  The push of the answer then sets
 *    retry_other (below).  At ESMTP_HOLD_MAX bytes without an answer the
 *    bytes are taken as commands (and a pipelining event is raised).
 *  - DATA / BDAT content, SASL lines and bypassed connections: never held.
 *  The caller re-presents buf[consumed..len) followed by new bytes of the
 *  same direction in the next push of that direction.
 *
 * Overflow: when the edits or events of a push do not fit in the result,
 * the inspector stops before the step that needed room, sets overflow and
 * consumed to that point; the caller applies what it got and pushes
 * buf[consumed..len) again at once (nothing is lost, nothing repeats).
 *
 * Retry: when a server reply decides client bytes the inspector holds (see
 * above), the server push stops right after that reply line with
 * retry_other set and consumed at that point.  The caller then pushes the
 * held client bytes again (no new bytes needed), and then the rest of the
 * server bytes, so both directions are judged in the order the endpoints
 * see them.
 *
 * Verdicts DROP_CONN, RESET and BYPASS are sticky: every later push of
 * either direction answers the same verdict with consumed = len.  On
 * DROP_CONN/RESET the caller drops the whole pushed segment (consumed =
 * len then only means "nothing left to re-present").
 */
#ifndef SMTPWALL_ESMTP_H
#define SMTPWALL_ESMTP_H

#include <stddef.h>
#include <stdint.h>

#include "esmtp_events.h"
#include "insp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Direction of a push. */
enum esmtp_dir { ESMTP_DIR_C2S = 0, ESMTP_DIR_S2C = 1 };

/** Verdict of a push: lib/insp's (ESMTP_FORWARD is INSP_FORWARD ...). */
enum esmtp_verdict {
#define _(e, s) ESMTP_##e = INSP_##e,
	foreach_insp_verdict
#undef _
			ESMTP_VERDICT_MAX = INSP_VERDICT_MAX
};

/** Event ids (ESMTP_EV_...). */
enum esmtp_event_id {
#define _(e, s, a, l, au) ESMTP_EV_##e,
	foreach_esmtp_event
#undef _
			ESMTP_EV_MAX
};

/** Match criteria of rules (ESMTP_CRIT_...); criterion C raises event C. */
enum esmtp_crit {
#define _(e, s) ESMTP_CRIT_##e,
	foreach_esmtp_crit
#undef _
			ESMTP_CRIT_MAX
};

/** Actions (ESMTP_ACT_...). */
enum esmtp_action {
#define _(e, s) ESMTP_ACT_##e,
	foreach_esmtp_action
#undef _
			ESMTP_ACT_MAX
};

/** Known command verbs (ESMTP_VERB_...); bit (1u << v) in verb sets. */
enum esmtp_verb {
#define _(e, s) ESMTP_VERB_##e,
	foreach_esmtp_verb
#undef _
			ESMTP_VERB_MAX,
	ESMTP_VERB_UNKNOWN = 31
};

/** EHLO keywords (ESMTP_EHLO_...); bit (1u << k) in keyword sets. */
enum esmtp_ehlo {
#define _(e, s) ESMTP_EHLO_##e,
	foreach_esmtp_ehlo
#undef _
			ESMTP_EHLO_MAX
};

/** MIME transfer encodings (ESMTP_ENC_...); bit (1u << e) in sets. */
enum esmtp_encoding {
#define _(e, s) ESMTP_ENC_##e,
	foreach_esmtp_encoding
#undef _
			ESMTP_ENC_MAX
};

/** Operating mode: ESMTP (ASA) or SMTP (IOS `ip inspect name X smtp`). */
enum esmtp_mode { ESMTP_MODE_ESMTP = 0, ESMTP_MODE_SMTP = 1 };

/**
 * parameters: mask-banner.  MASK is the ASA's: the greeting's text becomes
 * '*', which MTAs take for a PIX/ASA and answer with workarounds (Postfix
 * sends HELO: no ESMTP at all).  NEUTRAL hides the text as well but keeps
 * an ordinary greeting: the first line's text becomes "ESMTP" then spaces
 * (a shorter text gets the start of "ESMTP"), later lines' text spaces.
 */
enum esmtp_banner {
	ESMTP_BANNER_KEEP = 0, /**< no mask-banner */
	ESMTP_BANNER_MASK = 1, /**< ASA: text -> '*' */
	ESMTP_BANNER_NEUTRAL = 2, /**< beyond ASA: text -> "ESMTP" + spaces */
};

/** RFC 4954 4: a server accepts AUTH command and SASL response lines of
 * 12,288 octets (the default of the policy's auth_line_max). */
#define ESMTP_AUTH_LINE_MAX 12288

#define ESMTP_MAX_EDITS INSP_MAX_EDITS
#define ESMTP_MAX_EVENTS 16
#define ESMTP_MAX_RULES 32
#define ESMTP_EVENT_VALUE 48
#define ESMTP_RULE_NONE 0xffff
/** Bytes of a command line start held at most to decide its verb. */
#define ESMTP_VERB_HOLD 16
/** Most bytes ever held in the client direction (512 + CR LF). */
#define ESMTP_HOLD_MAX 514
/** Most bytes ever held in the server direction (code, sep, keyword). */
#define ESMTP_REPLY_HOLD_MAX 26
/**
 * MIME multipart nesting the inspector follows (RFC 2046 boundaries);
 * message/rfc822 parts cost no level.  Deeper: mime-unfollowable.
 */
#define ESMTP_MIME_DEPTH 8
/** RFC 2046's longest boundary; a longer one is followed and reported. */
#define ESMTP_BOUNDARY_RFC 70
/** Longest boundary followed (the SMTP line limit); longer: mime-unfollowable. */
#define ESMTP_BOUNDARY_MAX 998
/** Keys of the boundary hash: one per position of "boundary--", and the length's. */
#define ESMTP_BND_KEYS (ESMTP_BOUNDARY_MAX + 3)
/** Bytes of per-connection scratch: a header name, a media type, a value's start. */
#define ESMTP_SCRATCH 64

/**
 * One same-length edit: lib/insp's struct insp_edit (the name is kept for
 * callers).  off is the offset from the start of THIS push's buf (always <
 * consumed); the len bytes from there become fill ('X' for commands and
 * EHLO keywords, '*' for the banner, ' ' for address characters, and
 * "ESMTP" byte by byte then ' ' for a neutral banner).  Edits of one push
 * are sorted and do not overlap.
 */
#define esmtp_edit insp_edit

/** Event flag: the event is to be logged (audit != 0). */
#define ESMTP_EVF_LOG 0x01

/**
 * One event: what an ASA syslog (108002..108007) or a counter needs.
 */
struct esmtp_event {
	uint16_t id; /**< ESMTP_EV_* */
	uint16_t rule; /**< index of the match rule that fired, or ESMTP_RULE_NONE */
	uint8_t action; /**< ESMTP_ACT_* taken */
	uint8_t flags; /**< ESMTP_EVF_* */
	uint8_t dir; /**< enum esmtp_dir of the push that raised it */
	uint32_t audit; /**< ASA message id 108002..108007, or 0 when not logged */
	uint32_t value_len; /**< bytes in value (truncated copy) */
	char value[ESMTP_EVENT_VALUE]; /**< offending value, truncated, not NUL-terminated */
};

/** The answer to one push. */
struct esmtp_result {
	uint32_t consumed; /**< bytes decided from the start of buf */
	enum esmtp_verdict verdict; /**< sticky after DROP_CONN/RESET/BYPASS */
	uint8_t n_edits;
	uint8_t n_events;
	uint8_t overflow; /**< edits/events did not fit: push buf[consumed..] again now */
	uint8_t retry_other; /**< push the other direction's held bytes, then buf[consumed..] */
	struct insp_edit edits[ESMTP_MAX_EDITS];
	struct esmtp_event events[ESMTP_MAX_EVENTS];
};

/**
 * Compiled-matcher callback for regex criteria (sender-address regex,
 * MIME filetype regex): return non-zero when s[0..n) matches.  When a rule
 * has no callback, its glob (case-insensitive, '*' and '?') is used.
 */
typedef int (*esmtp_match_fn)(void *arg, const uint8_t *s, size_t n);

/** Debug trace hook (`debug ip inspect smtp`): one call per decision. */
typedef void (*esmtp_trace_fn)(
		void *arg, enum esmtp_dir dir, const char *what, const uint8_t *line, size_t len);

/**
 * One `match [not] <criterion> ...` rule with its action.
 * Numeric criteria fire when the value becomes greater than gt (so exactly
 * gt passes); negated numeric rules fire when the value ends <= gt.
 * Set criteria (cmd-verb: verb bits, mime-encoding: encoding bits,
 * ehlo-reply-parameter: keyword bits) fire when the value is in set.
 * Regex criteria fire on a match of match()/glob.
 */
struct esmtp_rule {
	uint8_t crit; /**< enum esmtp_crit */
	uint8_t negate; /**< `match not` */
	uint8_t action; /**< ESMTP_ACT_LOG, MASK, DROP_CONN, RESET or RATE_LIMIT */
	uint8_t log; /**< `... log` */
	uint32_t gt; /**< threshold of numeric criteria */
	uint32_t rate; /**< rate-limit: messages per second (enforced by the caller) */
	uint32_t set; /**< bit set of set criteria */
	const char *glob; /**< regex criteria without match(): glob pattern */
	esmtp_match_fn match; /**< regex criteria: compiled matcher, or NULL */
	void *match_arg;
};

/** Action and log flag of one event kind (parameters and anomalies). */
struct esmtp_ev_action {
	uint8_t action;
	uint8_t log;
};

/**
 * An inspect map, compiled.  Fill it with esmtp_policy_default() and the
 * setters (or fields, then esmtp_policy_compile()); it is read-only while
 * connections use it and may be shared by every worker.
 */
struct esmtp_policy {
	uint8_t mode; /**< enum esmtp_mode */
	uint8_t mask_banner; /**< parameters: mask-banner (enum esmtp_banner) */
	uint8_t allow_tls; /**< parameters: allow-tls (log: ev[TLS_STARTED].log) */
	uint8_t special_char; /**< parameters: special-character (action: ev[ADDR_SPECIAL]) */
	uint8_t chunking; /**< allow BDAT / CHUNKING / BINARYMIME (beyond ASA) */
	uint32_t verbs_add; /**< verbs allowed on top of the mode's set */
	uint32_t verbs_remove; /**< verbs removed from the mode's set */
	uint32_t auth_line_max; /**< AUTH and SASL lines: longest (auth-line-length) */
	uint64_t max_data; /**< IOS max-data: DATA bytes per connection, 0 = off */
	char relay_domain
			[256]; /**< parameters: mail-relay local domains, comma-separated ("" = off) */
	struct esmtp_ev_action ev[ESMTP_EV_MAX];
	uint8_t n_rules;
	struct esmtp_rule rules[ESMTP_MAX_RULES];
	esmtp_trace_fn trace; /**< NULL: no trace */
	void *trace_arg;

	/* Filled by esmtp_policy_compile(); do not set by hand. */
	uint32_t verbs_allowed;
	uint32_t ehlo_rfc; /**< keywords that are not "others" */
	uint32_t crit_min[ESMTP_CRIT_MAX];
	uint8_t crit_n[ESMTP_CRIT_MAX];
	uint8_t crit_rules[ESMTP_CRIT_MAX][ESMTP_MAX_RULES];
	uint64_t bnd_key[ESMTP_BND_KEYS]; /**< secret keys of the boundary hashes (random, once) */
};

/** Most bytes of struct esmtp, the per-connection state (a compile-time check). */
#define ESMTP_STATE_MAX 264

/** Pending-reply ring entries (commands waiting for their reply). */
#define ESMTP_PENDING 8

/**
 * Per-connection state.  Fixed size, embedded by the caller; every field is
 * private to the library.
 */
struct esmtp {
	const struct esmtp_policy *p;
	uint64_t msg_bytes; /* message bytes (unstuffed, with CR LF) */
	uint64_t body_bytes; /* bytes after the header section */
	uint64_t data_total; /* DATA/BDAT bytes of the connection (max-data) */
	uint64_t size_decl; /* SIZE= of MAIL FROM, 0 = none */
	/* Bytes left in the current BDAT chunk; while a BDAT line is parsed
	 * (no chunk is open then), the size it gives. */
	uint64_t bdat_left;
	/* The multipart boundaries in use, outermost first, as keyed hashes
	 * (esmtp_multipart.c): 8 bytes each however long the boundary is.
	 * Bit 63: the multipart is a digest (its parts default to
	 * message/rfc822). */
	uint64_t bnd[ESMTP_MIME_DEPTH];
	uint32_t cline_len; /* client command line length so far */
	uint32_t dline_len; /* content line length so far (unstuffed) */
	uint32_t rline_len; /* server reply line length so far */
	uint32_t hdr_bytes; /* header section bytes */
	uint32_t fn_cont; /* RFC 2231 continued file name length */
	uint32_t vcount; /* current MIME parameter value length (decoded) */
	uint16_t a0, a1; /* address span of a MAIL/RCPT line (line positions) */
	uint16_t rcpt_count;
	uint16_t bad_rcpt;
	uint16_t to_count;
	uint16_t rcode; /* code of the current reply */
	uint16_t rlcode; /* code of the current reply line */
	uint16_t rlines; /* line index in the current reply */
	uint16_t pend_cnt[ESMTP_PENDING];
	uint8_t pend_kind[ESMTP_PENDING];
	uint8_t pend_head;
	uint8_t pend_n;
	uint8_t verdict; /* sticky verdict */
	uint8_t conn; /* connection flags */
	uint8_t once; /* once-per-connection event flags */
	uint8_t cmode; /* client mode */
	uint8_t cverb; /* verb of the current command line */
	uint8_t cflags; /* command line flags */
	uint8_t astate; /* parameter scanner state of the current command */
	uint8_t aidx;
	uint8_t dflags; /* content line flags */
	uint8_t dstate; /* content section: header, body, part header, part body */
	uint8_t mflags; /* message flags */
	uint8_t hkind; /* current header field */
	uint8_t hstate;
	uint8_t pstate; /* MIME parameter parser state */
	uint8_t pkind; /* kind of the parameter being parsed */
	uint8_t pflags;
	uint8_t plen;
	uint8_t slen; /* bytes in scratch */
	uint8_t rflags; /* reply line flags */
	uint8_t rsep;
	uint8_t depth; /* MIME boundaries in use */
	uint8_t sflags; /* what the current MIME header section said */
	/* Bounded prefixes, one at a time: a header name, a media type, a
	 * parameter name, a parameter value's start (with the running hash of
	 * a boundary value), or the running hashes of a "--" line. */
	union {
		uint8_t scratch[ESMTP_SCRATCH];
		struct {
			uint8_t prefix[ESMTP_EVENT_VALUE];
			uint64_t acc;
		} val;
		struct {
			uint64_t acc; /* hash terms of the bytes after "--" so far */
			uint64_t h1; /* ... up to the last non-blank byte */
			uint16_t n1; /* bytes after "--" up to the last non-blank */
			uint8_t f; /* DL_* (esmtp_multipart.c) */
		} dl;
	};
};

/** Initialise s for a new connection inspected with p (kept by pointer). */
void esmtp_init(struct esmtp *s, const struct esmtp_policy *p);

/**
 * Inspect len bytes of direction dir.  buf holds the bytes held back by the
 * previous push of that direction (buf[consumed..] of its result) followed
 * by the new ones.  buf is not modified: apply r->edits to the bytes that
 * leave.  r is fully overwritten.
 */
void esmtp_push(struct esmtp *s, enum esmtp_dir dir, const uint8_t *buf, uint32_t len,
		struct esmtp_result *r);

/** Counters a worker keeps and the control lcore sums. */
struct esmtp_counters {
	uint64_t pushes;
	uint64_t bytes[2];
	uint64_t edits;
	uint64_t edited_bytes;
	uint64_t held; /**< pushes that left bytes undecided (consumed < len) */
	uint64_t verdicts[ESMTP_VERDICT_MAX];
	uint64_t events[ESMTP_EV_MAX];
	uint64_t rules[ESMTP_MAX_RULES]; /**< hits per match rule (`show service-policy`) */
};

/** Account one push (its direction, length and result) in c. */
void esmtp_counters_add(struct esmtp_counters *c, enum esmtp_dir dir, uint32_t len,
		const struct esmtp_result *r);
/** dst += src, field by field. */
void esmtp_counters_merge(struct esmtp_counters *dst, const struct esmtp_counters *src);

/**
 * Fill p with exactly ASA's `_default_esmtp_map`: mask-banner, no
 * mail-relay, no special-character, no allow-tls, and the seven match rules
 * (cmd line length gt 512, cmd RCPT count gt 100, body line length gt 998,
 * header line length gt 998, sender-address length gt 320, MIME filename
 * length gt 255, ehlo-reply-parameter others mask), ESMTP mode, no
 * chunking, no max-data.  AUTH and SASL lines get their own limit of
 * ESMTP_AUTH_LINE_MAX (RFC 4954) instead of the command line rule.  p is
 * compiled on return.
 */
void esmtp_policy_default(struct esmtp_policy *p);
/** Recompute the compiled fields after editing p by hand; 0 or -EINVAL. */
int esmtp_policy_compile(struct esmtp_policy *p);
/** Remove every match rule (then add rules); p is compiled on return. */
void esmtp_policy_clear_rules(struct esmtp_policy *p);
/** Append a rule; returns its index, or -ENOSPC / -EINVAL. Compiles p. */
int esmtp_policy_add_rule(struct esmtp_policy *p, const struct esmtp_rule *rule);
/** Shorthand for a numeric rule `match crit gt N` + action [log]. */
int esmtp_policy_add_gt(struct esmtp_policy *p, enum esmtp_crit crit, uint32_t gt,
		enum esmtp_action action, int log);
/** SMTP (RFC 821 verbs only) or ESMTP mode. Compiles p. */
void esmtp_policy_set_mode(struct esmtp_policy *p, enum esmtp_mode mode);
/** parameters: [no] mask-banner, or mask-banner neutral. */
void esmtp_policy_set_mask_banner(struct esmtp_policy *p, enum esmtp_banner mode);
/**
 * parameters: auth-line-length N.  The AUTH command line and each SASL
 * response line may be N bytes (CR LF excluded); the byte past N raises
 * auth-line-length (default drop-connection log).  The cmd-line-length
 * rules do not apply to them.  N = 0 keeps the default.
 */
void esmtp_policy_set_auth_line_max(struct esmtp_policy *p, uint32_t n);
/** parameters: [no] allow-tls [action log]. Compiles p. */
void esmtp_policy_set_allow_tls(struct esmtp_policy *p, int on, int log);
/** parameters: [no] special-character [action drop-connection|log]; action
 * ESMTP_ACT_MASK replaces the character with a space (108002). */
void esmtp_policy_set_special_char(struct esmtp_policy *p, int on, enum esmtp_action action);
/** Allow BDAT / CHUNKING / BINARYMIME. Compiles p. */
void esmtp_policy_set_chunking(struct esmtp_policy *p, int on);
/** IOS max-data: DATA bytes per connection (0 = off) and its action. */
void esmtp_policy_set_max_data(struct esmtp_policy *p, uint64_t bytes, enum esmtp_action action);
/** parameters: mail-relay <domain> action ...; NULL or "" turns it off. Compiles p. */
int
esmtp_policy_set_mail_relay(struct esmtp_policy *p, const char *domain, enum esmtp_action action);
/** Allow (on) or forbid (off) one verb on top of the mode's set. Compiles p. */
void esmtp_policy_set_verb(struct esmtp_policy *p, enum esmtp_verb verb, int on);
/** Action and log flag of a parameter/anomaly event. */
void esmtp_policy_set_event(
		struct esmtp_policy *p, enum esmtp_event_id ev, enum esmtp_action action, int log);
/** Debug trace hook (NULL to turn it off). It is called for the
 *  connections whose trace is on (esmtp_set_trace), and only for those. */
void esmtp_policy_set_trace(struct esmtp_policy *p, esmtp_trace_fn fn, void *arg);
/** Turns the trace of one connection on or off (off after esmtp_init). */
void esmtp_set_trace(struct esmtp *s, int on);

/** Names (YAML keys) of the enum values; "?" when out of range. */
const char *esmtp_event_name(unsigned int id);
const char *esmtp_crit_name(unsigned int crit);
const char *esmtp_action_name(unsigned int action);
const char *esmtp_verdict_name(unsigned int verdict);
const char *esmtp_verb_name(unsigned int verb);
const char *esmtp_ehlo_name(unsigned int kw);
const char *esmtp_encoding_name(unsigned int enc);

/**
 * Case-insensitive glob ('*' any run, '?' one byte) over s[0..n); the
 * fallback matcher of regex criteria. Returns 1 on match.
 */
int esmtp_glob(const char *pattern, const uint8_t *s, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_ESMTP_H */
