/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One place for every list the inspector names: events, match criteria,
 * actions, command verbs, EHLO keywords and MIME encodings (the verdicts
 * are lib/insp's, shared with lib/tcp).
 * Each list is an X-macro (VPP foreach_xxx style): the enum and its strings
 * come from the same lines, so they cannot drift apart.
 */
#ifndef SMTPWALL_ESMTP_EVENTS_H
#define SMTPWALL_ESMTP_EVENTS_H

/*
 * Match criteria of an inspect map (ASA `match [not] ...`), with the event
 * each one raises.  _(ENUM, "yaml-key")
 */
#define foreach_esmtp_crit \
	_(CMD_LINE_LENGTH, "cmd-line-length") \
	_(CMD_RCPT_COUNT, "cmd-rcpt-count") \
	_(CMD_VERB, "cmd-verb") \
	_(BODY_LINE_LENGTH, "body-line-length") \
	_(BODY_LENGTH, "body-length") \
	_(HEADER_LINE_LENGTH, "header-line-length") \
	_(HEADER_LENGTH, "header-length") \
	_(HEADER_TO_FIELDS_COUNT, "header-to-fields-count") \
	_(INVALID_RECIPIENTS_COUNT, "invalid-recipients-count") \
	_(SENDER_ADDRESS_LENGTH, "sender-address-length") \
	_(SENDER_ADDRESS_REGEX, "sender-address-regex") \
	_(MIME_FILENAME_LENGTH, "mime-filename-length") \
	_(MIME_FILETYPE_REGEX, "mime-filetype-regex") \
	_(MIME_ENCODING, "mime-encoding") \
	_(EHLO_REPLY_PARAMETER, "ehlo-reply-parameter")

/*
 * Events.  The first ones are the criteria above, in the same order (a rule
 * of criterion C raises event C).  The others are parameters and anomalies
 * whose action the policy sets per event (struct esmtp_policy.ev[]).
 * _(ENUM, "yaml-key", default action, default log, fixed audit id or 0)
 * A fixed audit id of 0 means: 108004 when logged with an action other than
 * log, 108005 when the action is log alone (ASA semantics).
 */
#define foreach_esmtp_event \
	_(CMD_LINE_LENGTH, "cmd-line-length", DROP_CONN, 1, 0) \
	_(CMD_RCPT_COUNT, "cmd-rcpt-count", DROP_CONN, 1, 0) \
	_(CMD_VERB, "cmd-verb", LOG, 1, 0) \
	_(BODY_LINE_LENGTH, "body-line-length", LOG, 1, 0) \
	_(BODY_LENGTH, "body-length", LOG, 1, 0) \
	_(HEADER_LINE_LENGTH, "header-line-length", DROP_CONN, 1, 0) \
	_(HEADER_LENGTH, "header-length", LOG, 1, 0) \
	_(HEADER_TO_FIELDS_COUNT, "header-to-fields-count", LOG, 1, 0) \
	_(INVALID_RECIPIENTS_COUNT, "invalid-recipients-count", LOG, 1, 0) \
	_(SENDER_ADDRESS_LENGTH, "sender-address-length", DROP_CONN, 1, 0) \
	_(SENDER_ADDRESS_REGEX, "sender-address-regex", LOG, 1, 0) \
	_(MIME_FILENAME_LENGTH, "mime-filename-length", DROP_CONN, 1, 0) \
	_(MIME_FILETYPE_REGEX, "mime-filetype-regex", LOG, 1, 0) \
	_(MIME_ENCODING, "mime-encoding", LOG, 1, 0) \
	_(EHLO_REPLY_PARAMETER, "ehlo-reply-parameter", MASK, 0, 0) \
	_(CMD_UNKNOWN, "cmd-unknown", MASK, 0, 0) \
	_(CMD_SHORT, "cmd-short", MASK, 0, 0) \
	_(CMD_BARE_LF, "cmd-bare-lf", LOG, 1, 0) \
	_(CMD_BARE_CR, "cmd-bare-cr", LOG, 1, 0) \
	_(AUTH_LINE_LENGTH, "auth-line-length", DROP_CONN, 1, 0) \
	_(PIPELINING, "pipelining", LOG, 1, 0) \
	_(EARLY_TALKER, "early-talker", LOG, 1, 0) \
	_(STARTTLS_INJECTION, "starttls-injection", DROP_CONN, 1, 0) \
	_(TLS_STARTED, "allow-tls", BYPASS, 0, 108007) \
	_(ADDR_PIPE, "address-pipe", DROP_CONN, 1, 108003) \
	_(ADDR_SPECIAL, "special-character", MASK, 1, 108002) \
	_(MAIL_RELAY, "mail-relay", DROP_CONN, 1, 0) \
	_(DATA_BARE_LF, "data-bare-lf", LOG, 1, 0) \
	_(DATA_BARE_CR, "data-bare-cr", LOG, 1, 0) \
	_(DATA_SMUGGLING, "data-end-smuggling", LOG, 1, 0) \
	_(SIZE_EXCEEDED, "size-exceeded", LOG, 1, 108006) \
	_(MAX_DATA, "max-data", DROP_CONN, 1, 0) \
	_(MIME_UNFOLLOWABLE, "mime-unfollowable", DROP_CONN, 1, 0) \
	_(MIME_BOUNDARY_LENGTH, "mime-boundary-length", LOG, 1, 0) \
	_(BDAT_BAD, "bdat-bad", DROP_CONN, 1, 0) \
	_(BANNER_MASKED, "mask-banner", MASK, 0, 0) \
	_(REPLY_MALFORMED, "reply-malformed", LOG, 1, 0) \
	_(REPLY_UNEXPECTED, "unexpected-transition", LOG, 1, 0)

/* Actions of a rule or an event.  _(ENUM, "yaml-key") */
#define foreach_esmtp_action \
	_(NONE, "none") \
	_(LOG, "log") \
	_(MASK, "mask") \
	_(DROP_CONN, "drop-connection") \
	_(RESET, "reset") \
	_(RATE_LIMIT, "rate-limit") \
	_(BYPASS, "bypass")

/*
 * Command verbs the inspector knows.  The first seven are RFC 821's
 * mandatory set (SMTP mode); the next eight are ASA's extended set; then
 * STARTTLS and BDAT (allowed by allow-tls / chunking); the last ones are
 * known but not allowed by default.  _(ENUM, "VERB")
 */
#define foreach_esmtp_verb \
	_(HELO, "HELO") \
	_(MAIL, "MAIL") \
	_(RCPT, "RCPT") \
	_(DATA, "DATA") \
	_(RSET, "RSET") \
	_(NOOP, "NOOP") \
	_(QUIT, "QUIT") \
	_(AUTH, "AUTH") \
	_(EHLO, "EHLO") \
	_(ETRN, "ETRN") \
	_(HELP, "HELP") \
	_(SAML, "SAML") \
	_(SEND, "SEND") \
	_(SOML, "SOML") \
	_(VRFY, "VRFY") \
	_(STARTTLS, "STARTTLS") \
	_(BDAT, "BDAT") \
	_(EXPN, "EXPN") \
	_(TURN, "TURN") \
	_(ATRN, "ATRN") \
	_(VERB, "VERB") \
	_(ONEX, "ONEX")

/*
 * EHLO reply keywords the inspector names.  OTHERS stands for every keyword
 * not in the policy's RFC set (see esmtp_policy_compile()).  _(ENUM, "KEYWORD")
 */
#define foreach_esmtp_ehlo \
	_(SIZE, "SIZE") \
	_(PIPELINING, "PIPELINING") \
	_(8BITMIME, "8BITMIME") \
	_(DSN, "DSN") \
	_(ENHANCEDSTATUSCODES, "ENHANCEDSTATUSCODES") \
	_(AUTH, "AUTH") \
	_(ETRN, "ETRN") \
	_(HELP, "HELP") \
	_(VRFY, "VRFY") \
	_(DELIVERBY, "DELIVERBY") \
	_(BINARYMIME, "BINARYMIME") \
	_(CHUNKING, "CHUNKING") \
	_(STARTTLS, "STARTTLS") \
	_(SMTPUTF8, "SMTPUTF8") \
	_(EXPN, "EXPN") \
	_(REQUIRETLS, "REQUIRETLS") \
	_(OTHERS, "others")

/* MIME Content-Transfer-Encoding values (ASA `match mime encoding`). */
#define foreach_esmtp_encoding \
	_(7BIT, "7bit") \
	_(8BIT, "8bit") \
	_(BASE64, "base64") \
	_(BINARY, "binary") \
	_(QUOTED_PRINTABLE, "quoted-printable") \
	_(OTHERS, "others")

#endif /* SMTPWALL_ESMTP_EVENTS_H */
