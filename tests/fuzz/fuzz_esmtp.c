/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target of lib/esmtp.
 *
 * Input: byte 0 picks policy options; then records of one control byte
 * (bit 0: direction, bits 1-7: chunk length 0..127) followed by that many
 * stream bytes.  Two inspectors see the same streams: one pushed chunk by
 * chunk as the records say, one with consecutive chunks of a direction
 * merged.  abort() when an invariant breaks:
 *  - consumed <= len; edits inside [0, consumed), sorted, non-overlapping,
 *    fill 'X', '*' or ' '; at most ESMTP_MAX_EDITS/EVENTS;
 *  - held bytes bounded (ESMTP_HOLD_MAX client, ESMTP_REPLY_HOLD_MAX server)
 *    unless the push overflowed or asked for a retry;
 *  - DROP_CONN/RESET/BYPASS sticky, with consumed = len;
 *  - both inspectors end with the same edited streams, verdict and events.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esmtp.h"

#define MAXSTREAM (1u << 20)

struct side {
	uint8_t *in; /* bytes of the stream received so far */
	uint8_t *out; /* the same with edits applied */
	uint32_t avail; /* bytes received */
	uint32_t base; /* first undecided byte */
};

struct inst {
	struct esmtp s;
	struct side d[2];
	uint8_t sticky;
	uint32_t n_events;
	uint32_t ev_hash;
};

static int
is_sticky(int v)
{
	return v == ESMTP_DROP_CONN || v == ESMTP_RESET || v == ESMTP_BYPASS;
}

static void
feed(struct inst *x, int dir)
{
	struct esmtp_result r;
	struct side *sd = &x->d[dir];
	unsigned int guard = 0, i;

	for (;;) {
		uint32_t len = sd->avail - sd->base, prev = 0;

		if (len == 0 && !x->sticky)
			return;
		esmtp_push(&x->s, (enum esmtp_dir)dir, sd->in + sd->base, len, &r);
		if (r.consumed > len || r.n_edits > ESMTP_MAX_EDITS ||
				r.n_events > ESMTP_MAX_EVENTS)
			abort();
		if (x->sticky) {
			if (r.verdict != x->sticky || r.consumed != len || r.n_events || r.n_edits)
				abort();
			return;
		}
		for (i = 0; i < r.n_edits; i++) {
			const struct esmtp_edit *e = &r.edits[i];

			if (e->len == 0 || e->off < prev || (uint64_t)e->off + e->len > r.consumed)
				abort();
			/* X, the ASA banner '*', space, or mask-banner neutral's word */
			if (e->fill != 'X' && e->fill != '*' && e->fill != ' ' &&
					(e->fill == '\0' || strchr("ESMTP", e->fill) == NULL))
				abort();
			memset(sd->out + sd->base + e->off, e->fill, e->len);
			prev = e->off + e->len;
		}
		for (i = 0; i < r.n_events; i++) {
			if (r.events[i].id >= ESMTP_EV_MAX ||
					r.events[i].value_len > ESMTP_EVENT_VALUE)
				abort();
			x->n_events++;
			x->ev_hash = x->ev_hash * 31 + r.events[i].id * 7 + r.events[i].dir;
		}
		sd->base += r.consumed;
		if (is_sticky(r.verdict)) {
			if (r.consumed != len)
				abort();
			x->sticky = (uint8_t)r.verdict;
			return;
		}
		if (r.verdict != ESMTP_FORWARD)
			abort();
		if (r.retry_other) {
			if (dir != ESMTP_DIR_S2C)
				abort();
			feed(x, !dir);
			if (x->sticky)
				return;
		} else if (!r.overflow) {
			uint32_t held = len - r.consumed;

			if (held > (dir == ESMTP_DIR_C2S ? ESMTP_HOLD_MAX : ESMTP_REPLY_HOLD_MAX))
				abort();
			return;
		} else if (r.consumed == 0 && r.n_edits == 0 && r.n_events == 0) {
			abort(); /* overflow without progress */
		}
		if (++guard > 100000)
			abort();
	}
}

static void
add(struct inst *x, int dir, const uint8_t *p, uint32_t n)
{
	struct side *sd = &x->d[dir];

	memcpy(sd->in + sd->avail, p, n);
	memcpy(sd->out + sd->avail, p, n);
	sd->avail += n;
}

static void
policy_from(struct esmtp_policy *p, uint8_t o)
{
	esmtp_policy_default(p);
	if (o & 0x01)
		esmtp_policy_set_allow_tls(p, 1, 1);
	if (o & 0x02)
		esmtp_policy_set_chunking(p, 1);
	if (o & 0x04)
		esmtp_policy_set_special_char(p, 1, ESMTP_ACT_MASK);
	if (o & 0x08)
		esmtp_policy_set_mode(p, ESMTP_MODE_SMTP);
	if (o & 0x10)
		esmtp_policy_set_mask_banner(
				p, (o & 0x80) ? ESMTP_BANNER_NEUTRAL : ESMTP_BANNER_KEEP);
	if (o & 0x20) {
		/* small limits, log only: the slow paths run on every line */
		esmtp_policy_clear_rules(p);
		esmtp_policy_add_gt(p, ESMTP_CRIT_CMD_LINE_LENGTH, 20, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_HEADER_LINE_LENGTH, 10, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_BODY_LINE_LENGTH, 10, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_MIME_FILENAME_LENGTH, 5, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_HEADER_LENGTH, 30, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_BODY_LENGTH, 30, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_HEADER_TO_FIELDS_COUNT, 1, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_CMD_RCPT_COUNT, 2, ESMTP_ACT_LOG, 1);
		esmtp_policy_add_gt(p, ESMTP_CRIT_SENDER_ADDRESS_LENGTH, 5, ESMTP_ACT_LOG, 1);
		esmtp_policy_set_auth_line_max(p, 20);
		esmtp_policy_set_event(p, ESMTP_EV_AUTH_LINE_LENGTH, ESMTP_ACT_LOG, 1);
	}
	if (o & 0x40) {
		struct esmtp_rule r = {0};

		r.crit = ESMTP_CRIT_MIME_ENCODING;
		r.set = 1u << ESMTP_ENC_OTHERS;
		r.action = ESMTP_ACT_LOG;
		esmtp_policy_add_rule(p, &r);
		r.crit = ESMTP_CRIT_MIME_FILETYPE_REGEX;
		r.glob = "*/x-*";
		esmtp_policy_add_rule(p, &r);
		r.crit = ESMTP_CRIT_BODY_LENGTH;
		r.negate = 1;
		r.gt = 100;
		esmtp_policy_add_rule(p, &r);
		esmtp_policy_set_max_data(p, 200, ESMTP_ACT_LOG);
	}
	if (o & 0x80)
		esmtp_policy_set_event(p, ESMTP_EV_DATA_SMUGGLING, ESMTP_ACT_DROP_CONN, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct esmtp_policy pol;
	static struct inst a, b;
	size_t i = 1;
	int d, last_dir = -1;

	if (size < 1 || size > MAXSTREAM)
		return 0;
	policy_from(&pol, data[0]);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (d = 0; d < 2; d++) {
		a.d[d].in = malloc(size);
		a.d[d].out = malloc(size);
		b.d[d].in = malloc(size);
		b.d[d].out = malloc(size);
		if (!a.d[d].in || !a.d[d].out || !b.d[d].in || !b.d[d].out)
			abort();
	}
	esmtp_init(&a.s, &pol);
	esmtp_init(&b.s, &pol);
	while (i < size) {
		uint8_t c = data[i++];
		uint32_t n = c >> 1;

		d = c & 1;
		if (n > size - i)
			n = (uint32_t)(size - i);
		/* b pushes a direction's bytes only when the direction changes
		 * (before the other direction's new bytes exist for it) */
		if (last_dir != -1 && last_dir != d)
			feed(&b, last_dir);
		add(&a, d, data + i, n);
		add(&b, d, data + i, n);
		i += n;
		feed(&a, d);
		last_dir = d;
	}
	if (last_dir != -1)
		feed(&b, last_dir);

	if (a.sticky != b.sticky || a.n_events != b.n_events || a.ev_hash != b.ev_hash)
		abort();
	for (d = 0; d < 2; d++)
		if (memcmp(a.d[d].out, b.d[d].out, a.d[d].avail) != 0)
			abort();
	for (d = 0; d < 2; d++) {
		free(a.d[d].in);
		free(a.d[d].out);
		free(b.d[d].in);
		free(b.d[d].out);
	}
	return 0;
}
