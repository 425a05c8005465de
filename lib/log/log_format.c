/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ASA syslog formats (REFERENCE.md §1.6, §1.8), reproduced so that an
 * operator's existing parsers and searches keep working.
 */
#include "sw_log.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

uint8_t
log_severity(uint32_t msgid)
{
	switch (msgid) {
#define LOG_ASA_SEVERITY(id, sev, args, fmt) \
	case id: \
		return sev;
		LOG_FOREACH_ASA(LOG_ASA_SEVERITY)
#undef LOG_ASA_SEVERITY
	default:
		return 3;
	}
}

void
log_rec_set_text(struct log_rec *r, const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = 0;

	if (alen > LOG_TEXT_MAX - 2)
		alen = LOG_TEXT_MAX - 2;
	memcpy(r->text, a, alen);
	n = alen;
	r->text[n++] = '\0';
	if (b != NULL) {
		if (blen > LOG_TEXT_MAX - 1 - n)
			blen = LOG_TEXT_MAX - 1 - n;
		memcpy(r->text + n, b, blen);
		n += blen;
	}
	r->text[n] = '\0';
	r->text_len = (uint8_t)n;
}

void
log_rec_set_numbers(struct log_rec *r, const char *v, size_t len)
{
	uint64_t *out[2] = {&r->n1, &r->n2};
	size_t i = 0;
	unsigned int k;

	r->n1 = r->n2 = 0;
	for (k = 0; k < 2; k++) {
		while (i < len && v[i] == ' ')
			i++;
		/* Saturates instead of wrapping: a size is never shown smaller. */
		for (; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			*out[k] = *out[k] > (UINT64_MAX - 9) / 10
					? UINT64_MAX
					: *out[k] * 10 + (uint64_t)(v[i] - '0');
	}
}

static const char *
addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* The second text part (after the first NUL), or "". */
static const char *
text2(const struct log_rec *r)
{
	size_t l = strnlen(r->text, LOG_TEXT_MAX);

	return l + 1 < LOG_TEXT_MAX && l < r->text_len ? r->text + l + 1 : "";
}

/* Printable copy of a value that came off the wire (mail addresses). */
static void
printable(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '.';
	out[i] = '\0';
}

int
log_format(const struct log_rec *r, char *buf, size_t len)
{
	const struct log_conn *c = &r->conn;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], v[LOG_TEXT_MAX];
	bool src_out = strcmp(c->src_if, "outside") == 0;
	int n;

	if (r->msgid == LOG_RAW)
		return snprintf(buf, len, "%s", r->text);
	addr_str(c->family, c->src, s, sizeof(s));
	addr_str(c->family, c->dst, d, sizeof(d));
	printable(r->text, v, sizeof(v)); /* a mail address came off the wire */
	n = snprintf(buf, len, "%%ASA-%u-%u: ", r->severity, r->msgid);
	if (n < 0 || (size_t)n >= len)
		return n;
	buf += n;
	len -= (size_t)n;

	/* What the formats of LOG_FOREACH_ASA print, by their ARGS. */
#define LOG_ARGS_CONN c->src_if, s, c->sport, c->dst_if, d, c->dport
#define LOG_ARGS_REPLACED src_out ? s : d, src_out ? d : s, v /* "out <outside> in <inside>" */
#define LOG_ARGS_ADDRESS LOG_ARGS_CONN, v
#define LOG_ARGS_CLASSIFIED r->text, r->response ? "Response" : "Request", LOG_ARGS_CONN, text2(r)
#define LOG_ARGS_SIZE LOG_ARGS_CONN, r->n1, r->n2
#define LOG_ARGS_HOST_LIMIT r->n2, d, c->dst_if
#define LOG_ARGS_LIMIT r->n1, r->n2, s, c->sport, d, c->dport, c->src_if
#define LOG_ARGS_NOCONN s, c->sport, d, c->dport, v, c->src_if
	switch (r->msgid) {
#define LOG_ASA_FORMAT(id, sev, args, fmt) \
	case id: \
		return n + snprintf(buf, len, fmt, LOG_ARGS_##args);
		LOG_FOREACH_ASA(LOG_ASA_FORMAT)
#undef LOG_ASA_FORMAT
	default:
		return n + snprintf(buf, len, "%s", r->text);
	}
}
