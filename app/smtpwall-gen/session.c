/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session scripts: which steps a session of each template has, who sends
 * each, and its payload as sent and as it must come back through a DUT with
 * the default policy (ASA _default_esmtp_map: banner masked with '*',
 * STARTTLS in the EHLO reply masked with X, unknown verbs X-ed, 101st RCPT
 * and a header line over 998 bytes drop the connection).
 *
 * Steps are computed from a few numbers (template, recipients, message
 * length) instead of being stored, so a session costs ~400 bytes whatever
 * its length.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "pkt.h"

enum kind {
	K_SYN,
	K_SYNACK,
	K_ACK,
	K_FIN,
	K_BANNER,
	K_EHLO,
	K_EHLO_REPLY,
	K_VERB,
	K_R500,
	K_MAIL,
	K_R250_MAIL,
	K_RCPT,
	K_R250_RCPT,
	K_DATA,
	K_R354,
	K_BODY,
	K_BODY_ACK,
	K_R250_QUEUED,
	K_QUIT,
	K_R221,
};

static const char *const tmpl_names[] = {
#define GEN_TMPL_NAME(e, name, doc) name,
		GEN_FOREACH_TMPL(GEN_TMPL_NAME)
#undef GEN_TMPL_NAME
};
static const char *const tmpl_docs[] = {
#define GEN_TMPL_DOC(e, name, doc) doc,
		GEN_FOREACH_TMPL(GEN_TMPL_DOC)
#undef GEN_TMPL_DOC
};

const char *
gen_tmpl_name(unsigned int t)
{
	return t < GEN_T_MAX ? tmpl_names[t] : "unknown";
}

const char *
gen_tmpl_doc(unsigned int t)
{
	return t < GEN_T_MAX ? tmpl_docs[t] : "unknown";
}

/* The DATA content: a MIME message with a base64 attachment of N lines. */
static const char msg_head[] = "From: <sender@example.org>\r\n"
			       "To: <user0@example.com>\r\n"
			       "Subject: smtpwall-gen test message\r\n"
			       "Message-ID: <gen@example.org>\r\n"
			       "MIME-Version: 1.0\r\n"
			       "Content-Type: multipart/mixed; boundary=\"=_gen_boundary\"\r\n"
			       "\r\n"
			       "--=_gen_boundary\r\n"
			       "Content-Type: text/plain; charset=us-ascii\r\n"
			       "\r\n"
			       "Hello, this is a generated message.\r\n"
			       "\r\n"
			       "--=_gen_boundary\r\n"
			       "Content-Type: application/octet-stream; name=\"report.pdf\"\r\n"
			       "Content-Transfer-Encoding: base64\r\n"
			       "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
			       "\r\n";
static const char msg_tail[] = "--=_gen_boundary--\r\n.\r\n";
#define HEAD_LEN (sizeof(msg_head) - 1)
#define TAIL_LEN (sizeof(msg_tail) - 1)
#define LINE_LEN 78
static const char b64_line[] =
		"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
_Static_assert(sizeof(b64_line) - 1 == LINE_LEN, "base64 line length");
/* Enough repeated lines that any segment of the line region is one memcpy. */
#define LINES_REP ((GEN_MSS / LINE_LEN) + 2)
static uint8_t lines_buf[LINES_REP * LINE_LEN];

/* LONGHDR's first (and only) DATA segment: a 1,100-byte header line. */
#define LONGHDR_LEN 1100
static uint8_t longhdr_buf[LONGHDR_LEN + 16];
static uint32_t longhdr_len;

static const char banner[] = "220 mx.example.com ESMTP smtpwall-gen ready\r\n";
static const char ehlo_reply[] = "250-mx.example.com\r\n"
				 "250-PIPELINING\r\n"
				 "250-SIZE 10240000\r\n"
				 "250-ENHANCEDSTATUSCODES\r\n"
				 "250 8BITMIME\r\n";
static const char ehlo_reply_tls[] = "250-mx.example.com\r\n"
				     "250-PIPELINING\r\n"
				     "250-SIZE 10240000\r\n"
				     "250-STARTTLS\r\n"
				     "250-ENHANCEDSTATUSCODES\r\n"
				     "250 8BITMIME\r\n";
static const char verb_line[] = "XYZZY frobnicate\r\n";

static uint32_t g_window = 8;

int
gen_session_init(void)
{
	uint32_t i;

	for (i = 0; i < LINES_REP; i++)
		memcpy(lines_buf + i * LINE_LEN, b64_line, LINE_LEN);
	memcpy(longhdr_buf, "X-Long: ", 8);
	memset(longhdr_buf + 8, 'a', LONGHDR_LEN - 8);
	memcpy(longhdr_buf + LONGHDR_LEN, "\r\n", 2);
	longhdr_len = LONGHDR_LEN + 2;
	return 0;
}

static uint64_t
rng_next(uint64_t *s)
{
	/* xorshift64* */
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint32_t
dist_draw(const struct gen_dist *d, uint64_t *rng)
{
	uint64_t r = rng_next(rng);
	uint64_t v;
	double u;

	switch (d->kind) {
	case GEN_DIST_UNIFORM:
		return d->a + (uint32_t)(r % ((uint64_t)d->b - d->a + 1));
	case GEN_DIST_EXP:
		/* Inverse CDF without libm: -ln(u) by a short series is not
		 * worth it; a geometric draw in 1/16ths of the mean is. */
		u = (double)(r >> 11) / (double)(1ULL << 53);
		v = 0;
		while (u < 15.0 / 16.0 && v < (uint64_t)d->b) {
			v += d->a / 16 + 1;
			u = u * 16.0 / 15.0;
		}
		return (uint32_t)(v < d->b ? v : d->b);
	case GEN_DIST_FIXED:
	default:
		return d->a;
	}
}

static uint32_t
msg_len_for(uint32_t want)
{
	uint32_t lines = 0;

	if (want > HEAD_LEN + TAIL_LEN)
		lines = (want - HEAD_LEN - TAIL_LEN + LINE_LEN - 1) / LINE_LEN;
	return (uint32_t)(HEAD_LEN + (uint64_t)lines * LINE_LEN + TAIL_LEN);
}

static uint32_t
body_segs(const struct gen_session *s)
{
	if (s->tmpl == GEN_T_LONGHDR)
		return 1;
	return (s->msg_len + GEN_MSS - 1) / GEN_MSS;
}

/* Body phase steps: segments plus a server ACK after every full window. */
static uint32_t
body_steps(const struct gen_session *s)
{
	uint32_t n = body_segs(s);

	return n + (n - 1) / g_window;
}

void
gen_tuple_of(uint64_t id, struct gen_tuple *t)
{
	t->cip = 0x0A000000u | (uint32_t)((id / 60000) & 0xFFFFFF); /* 10/8 */
	t->cport = (uint16_t)(1024 + id % 60000);
	t->sip = 0xC0000219u; /* 192.0.2.25 */
	t->sport = 25;
}

int
gen_tuple_id(const struct gen_tuple *t, uint64_t *id)
{
	if ((t->cip >> 24) != 10 || t->sip != 0xC0000219u || t->sport != 25 || t->cport < 1024 ||
			t->cport >= 1024 + 60000)
		return -1;
	*id = (uint64_t)(t->cip & 0xFFFFFF) * 60000 + (uint64_t)(t->cport - 1024);
	return 0;
}

static uint32_t
mix32(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

void
gen_session_setup(struct gen_session *s, const struct gen_cfg *cfg, uint64_t id, uint64_t *rng)
{
	uint32_t pick = (uint32_t)(rng_next(rng) % cfg->weight_sum);
	uint32_t t, n;
	uint16_t slot = s->slot;
	uint8_t in_ready = s->in_ready; /* a stale entry may still sit in the ready queue */

	memset(s, 0, offsetof(struct gen_session, t_sent));
	s->slot = slot;
	s->in_ready = in_ready;
	g_window = cfg->window;
	for (t = 0; t < GEN_T_MAX - 1; t++) {
		if (pick < cfg->weight[t])
			break;
		pick -= cfg->weight[t];
	}
	s->id = id;
	s->tmpl = (uint8_t)t;
	s->state = GEN_SS_ACTIVE;
	s->n_rcpt = 1;
	if (t == GEN_T_SHORT || t == GEN_T_VERB || t == GEN_T_STARTTLS)
		s->n_rcpt = (uint16_t)(1 + rng_next(rng) % cfg->rcpt_max);
	else if (t == GEN_T_RCPT101)
		s->n_rcpt = GEN_MAX_RCPT;
	s->msg_len = msg_len_for(dist_draw(t == GEN_T_DATA ? &cfg->data_body : &cfg->body, rng));
	s->snd_seq[GEN_C] = s->rcv_seq[GEN_C] = mix32(id);
	s->snd_seq[GEN_S] = s->rcv_seq[GEN_S] = mix32(id ^ 0x5bd1e995u);

	switch (t) {
	case GEN_T_IDLE:
		n = 3;
		break;
	case GEN_T_CONN:
		n = 6;
		break;
	case GEN_T_RCPT101:
		/* handshake, banner/EHLO/reply, MAIL/250, 100 RCPT/250, RCPT 101 */
		n = 3 + 3 + 2 + 2 * (GEN_MAX_RCPT - 1) + 1;
		break;
	case GEN_T_LONGHDR:
		n = 3 + 3 + 2 + 2 * s->n_rcpt + 2 + 1;
		break;
	default:
		n = 3 + 3 + (t == GEN_T_VERB ? 2 : 0) + 2 + 2 * s->n_rcpt + 2 + body_steps(s) + 3 +
				3;
		break;
	}
	s->n_steps = n;
}

static void
set(struct gen_step *st, enum gen_side side, uint8_t flags, enum kind k, uint32_t arg)
{
	st->side = (uint8_t)side;
	st->tcp_flags = flags;
	st->kind = (uint8_t)k;
	st->arg = arg;
	st->expect = GEN_X_SAME;
}

#define DATA_FLAGS (PKT_TCP_PSH | PKT_TCP_ACK)

static void
closing(uint32_t j, struct gen_step *st)
{
	if (j == 0)
		set(st, GEN_C, PKT_TCP_FIN | PKT_TCP_ACK, K_FIN, 0);
	else if (j == 1)
		set(st, GEN_S, PKT_TCP_FIN | PKT_TCP_ACK, K_FIN, 0);
	else
		set(st, GEN_C, PKT_TCP_ACK, K_ACK, 0);
}

void
gen_session_step(const struct gen_session *s, uint32_t i, struct gen_step *st)
{
	uint32_t nb;

	if (i < 3) {
		if (i == 0)
			set(st, GEN_C, PKT_TCP_SYN, K_SYN, 0);
		else if (i == 1)
			set(st, GEN_S, PKT_TCP_SYN | PKT_TCP_ACK, K_SYNACK, 0);
		else
			set(st, GEN_C, PKT_TCP_ACK, K_ACK, 0);
		return;
	}
	i -= 3;
	if (s->tmpl == GEN_T_CONN) {
		closing(i, st);
		return;
	}
	if (i < 3) {
		if (i == 0) {
			set(st, GEN_S, DATA_FLAGS, K_BANNER, 0);
			st->expect = GEN_X_BANNER;
		} else if (i == 1) {
			set(st, GEN_C, DATA_FLAGS, K_EHLO, 0);
		} else {
			set(st, GEN_S, DATA_FLAGS, K_EHLO_REPLY, 0);
			if (s->tmpl == GEN_T_STARTTLS)
				st->expect = GEN_X_STARTTLS;
		}
		return;
	}
	i -= 3;
	if (s->tmpl == GEN_T_VERB) {
		if (i < 2) {
			if (i == 0) {
				set(st, GEN_C, DATA_FLAGS, K_VERB, 0);
				st->expect = GEN_X_VERB;
			} else {
				set(st, GEN_S, DATA_FLAGS, K_R500, 0);
			}
			return;
		}
		i -= 2;
	}
	if (i < 2) {
		set(st, i == 0 ? GEN_C : GEN_S, DATA_FLAGS, i == 0 ? K_MAIL : K_R250_MAIL, 0);
		return;
	}
	i -= 2;
	if (i < 2u * s->n_rcpt) {
		if (i % 2 == 0) {
			set(st, GEN_C, DATA_FLAGS, K_RCPT, i / 2);
			if (s->tmpl == GEN_T_RCPT101 && i / 2 == GEN_MAX_RCPT - 1)
				st->expect = GEN_X_CUT;
		} else {
			set(st, GEN_S, DATA_FLAGS, K_R250_RCPT, i / 2);
		}
		return;
	}
	i -= 2u * s->n_rcpt;
	if (i < 2) {
		set(st, i == 0 ? GEN_C : GEN_S, DATA_FLAGS, i == 0 ? K_DATA : K_R354, 0);
		return;
	}
	i -= 2;
	nb = body_steps(s);
	if (i < nb) {
		uint32_t g = i / (g_window + 1), r = i % (g_window + 1);

		if (r == g_window) {
			set(st, GEN_S, PKT_TCP_ACK, K_BODY_ACK, g);
		} else {
			set(st, GEN_C, DATA_FLAGS, K_BODY, g * g_window + r);
			if (s->tmpl == GEN_T_LONGHDR)
				st->expect = GEN_X_CUT;
		}
		return;
	}
	i -= nb;
	if (i < 3) {
		static const enum kind k[3] = {K_R250_QUEUED, K_QUIT, K_R221};

		set(st, i == 1 ? GEN_C : GEN_S, DATA_FLAGS, k[i], 0);
		return;
	}
	closing(i - 3, st);
}

/* Message bytes [off, off + len) into buf. */
static void
msg_copy(uint32_t msg_len, uint32_t off, uint32_t len, uint8_t *buf)
{
	uint32_t lines_end = msg_len - TAIL_LEN;

	while (len > 0) {
		uint32_t n;

		if (off < HEAD_LEN) {
			n = (uint32_t)HEAD_LEN - off;
			n = n < len ? n : len;
			memcpy(buf, msg_head + off, n);
		} else if (off < lines_end) {
			n = lines_end - off;
			n = n < len ? n : len;
			memcpy(buf, lines_buf + (off - HEAD_LEN) % LINE_LEN, n);
		} else {
			n = len;
			memcpy(buf, msg_tail + (off - lines_end), n);
		}
		buf += n;
		off += n;
		len -= n;
	}
}

static uint32_t
put(uint8_t *buf, const char *s, size_t n)
{
	memcpy(buf, s, n);
	return (uint32_t)n;
}

#define PUT(buf, lit) put(buf, lit, sizeof(lit) - 1)

uint32_t
gen_session_payload(
		const struct gen_session *s, const struct gen_step *st, uint8_t *buf, bool masked)
{
	uint32_t len = 0, i;
	char *c = (char *)buf;

	switch ((enum kind)st->kind) {
	case K_SYN:
	case K_SYNACK:
	case K_ACK:
	case K_FIN:
	case K_BODY_ACK:
		return 0;
	case K_BANNER:
		len = PUT(buf, banner);
		if (masked)
			memset(buf + 4, '*', len - 6);
		return len;
	case K_EHLO:
		return (uint32_t)snprintf(c, GEN_MSS, "EHLO client%llu.example.org\r\n",
				(unsigned long long)s->id);
	case K_EHLO_REPLY:
		if (s->tmpl != GEN_T_STARTTLS)
			return PUT(buf, ehlo_reply);
		len = PUT(buf, ehlo_reply_tls);
		if (masked) {
			char *p = memmem(c, len, "STARTTLS", 8);

			if (p != NULL)
				memset(p, 'X', 8);
		}
		return len;
	case K_VERB:
		len = PUT(buf, verb_line);
		if (masked)
			memset(buf, 'X', len - 2);
		return len;
	case K_R500:
		return PUT(buf, "500 5.5.2 Error: command not recognized\r\n");
	case K_MAIL:
		return (uint32_t)snprintf(c, GEN_MSS, "MAIL FROM:<sender%llu@example.org>\r\n",
				(unsigned long long)s->id);
	case K_R250_MAIL:
		return PUT(buf, "250 2.1.0 Ok\r\n");
	case K_RCPT:
		return (uint32_t)snprintf(c, GEN_MSS, "RCPT TO:<user%u@example.com>\r\n", st->arg);
	case K_R250_RCPT:
		return PUT(buf, "250 2.1.5 Ok\r\n");
	case K_DATA:
		return PUT(buf, "DATA\r\n");
	case K_R354:
		return PUT(buf, "354 End data with <CR><LF>.<CR><LF>\r\n");
	case K_BODY:
		if (s->tmpl == GEN_T_LONGHDR) {
			memcpy(buf, longhdr_buf, longhdr_len);
			return longhdr_len;
		}
		i = st->arg * GEN_MSS;
		len = s->msg_len - i < GEN_MSS ? s->msg_len - i : GEN_MSS;
		msg_copy(s->msg_len, i, len, buf);
		return len;
	case K_R250_QUEUED:
		return (uint32_t)snprintf(c, GEN_MSS, "250 2.0.0 Ok: queued as %llX\r\n",
				(unsigned long long)s->id);
	case K_QUIT:
		return PUT(buf, "QUIT\r\n");
	case K_R221:
		return PUT(buf, "221 2.0.0 Bye\r\n");
	}
	return 0;
}
