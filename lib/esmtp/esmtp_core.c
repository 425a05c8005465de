/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The push entry point and what every role shares: edits, events, rule
 * evaluation and the ring of commands waiting for their reply.
 */
#include <string.h>

#include "esmtp_priv.h"

/* Keep the flow entry small: the TCP layer embeds this struct per
 * connection (app/smtpwall/inspect.h keeps its flow entry at 512 bytes). */
_Static_assert(sizeof(struct esmtp) <= ESMTP_STATE_MAX, "struct esmtp too large");
_Static_assert(ESMTP_MAX_EDITS >= 2 * STEP_EDITS, "edits array too small for a step");
_Static_assert(ESMTP_MAX_EVENTS >= 2 * STEP_EVENTS, "events array too small for a step");

static const uint32_t ev_audit[] = {
#define _(e, s, a, l, au) au,
		foreach_esmtp_event
#undef _
};

void
esmtp_init(struct esmtp *s, const struct esmtp_policy *p)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->verdict = ESMTP_FORWARD;
	s->dflags = DF_PREV_CRLF;
	/* The server speaks first: the greeting is the first reply due. */
	esmtp_pending_push(s, PK_GREETING);
}

void
esmtp_edit_add(struct esmtp_ctx *c, uint32_t off, uint32_t n, uint8_t fill)
{
	struct esmtp_result *r = c->r;

	while (n != 0) {
		struct insp_edit *last = r->n_edits ? &r->edits[r->n_edits - 1] : NULL;
		uint32_t k;

		/* Adjacent runs of the same fill merge: one edit per line and
		 * push in the common case. */
		if (last != NULL && last->fill == fill && last->off + last->len == off &&
				last->len < UINT16_MAX) {
			k = UINT16_MAX - last->len;
			k = k < n ? k : n;
			last->len = (uint16_t)(last->len + k);
		} else {
			if (r->n_edits >= ESMTP_MAX_EDITS)
				return; /* unreachable: steps check room first */
			k = n < UINT16_MAX ? n : UINT16_MAX;
			r->edits[r->n_edits].off = off;
			r->edits[r->n_edits].len = (uint16_t)k;
			r->edits[r->n_edits].fill = fill;
			r->n_edits++;
		}
		off += k;
		n -= k;
	}
}

static void
set_verdict(struct esmtp_ctx *c, uint8_t v)
{
	c->s->verdict = v;
	c->stop = 1;
}

void
esmtp_fire(struct esmtp_ctx *c, unsigned int ev, unsigned int rule, unsigned int action,
		unsigned int log, const void *val, size_t vlen)
{
	struct esmtp_result *r = c->r;
	struct esmtp_event *e;

	if (action == ESMTP_ACT_NONE || c->stop)
		return;
	if (r->n_events < ESMTP_MAX_EVENTS) {
		e = &r->events[r->n_events++];
		memset(e, 0, sizeof(*e));
		e->id = (uint16_t)ev;
		e->rule = (uint16_t)rule;
		e->action = (uint8_t)action;
		e->dir = c->dir;
		if (log) {
			e->flags = ESMTP_EVF_LOG;
			e->audit = ev_audit[ev] != 0              ? ev_audit[ev]
					: action == ESMTP_ACT_LOG ? 108005
								  : 108004;
		}
		vlen = vlen < ESMTP_EVENT_VALUE ? vlen : ESMTP_EVENT_VALUE;
		if (vlen != 0)
			memcpy(e->value, val, vlen);
		e->value_len = (uint32_t)vlen;
	}
	if (action == ESMTP_ACT_DROP_CONN)
		set_verdict(c, ESMTP_DROP_CONN);
	else if (action == ESMTP_ACT_RESET)
		set_verdict(c, ESMTP_RESET);
	else if (action == ESMTP_ACT_BYPASS)
		set_verdict(c, ESMTP_BYPASS);
}

void
esmtp_fire_ev(struct esmtp_ctx *c, unsigned int ev, const void *val, size_t vlen)
{
	esmtp_fire(c, ev, ESMTP_RULE_NONE, c->p->ev[ev].action, c->p->ev[ev].log, val, vlen);
}

size_t
esmtp_u64_str(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

void
esmtp_fire_num(struct esmtp_ctx *c, unsigned int ev, uint64_t v)
{
	char num[24];

	esmtp_fire_ev(c, ev, num, esmtp_u64_str(num, v));
}

uint64_t
esmtp_cross_dist(const struct esmtp_policy *p, unsigned int crit, uint64_t cur)
{
	uint64_t best = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < p->crit_n[crit]; i++) {
		const struct esmtp_rule *r = &p->rules[p->crit_rules[crit][i]];

		if (!r->negate && r->gt >= cur && r->gt - cur + 1 < best)
			best = r->gt - cur + 1;
	}
	return best;
}

void
esmtp_rules_num_v(struct esmtp_ctx *c, unsigned int crit, uint64_t before, uint64_t after,
		const void *val, size_t vlen)
{
	const struct esmtp_policy *p = c->p;
	unsigned int i;
	char num[24];

	if (likely(after <= p->crit_min[crit]) || after == before)
		return;
	if (val == NULL) {
		vlen = esmtp_u64_str(num, after);
		val = num;
	}
	for (i = 0; i < p->crit_n[crit] && !c->stop; i++) {
		unsigned int idx = p->crit_rules[crit][i];
		const struct esmtp_rule *r = &p->rules[idx];

		if (!r->negate && before <= r->gt && after > r->gt)
			esmtp_fire(c, crit, idx, r->action, r->log, val, vlen);
	}
}

void
esmtp_rules_final_slow(struct esmtp_ctx *c, unsigned int crit, uint64_t value)
{
	const struct esmtp_policy *p = c->p;
	unsigned int i;
	char num[24];
	size_t n;

	if (likely(p->crit_min[crit] != 0))
		return; /* no negated rule */
	n = esmtp_u64_str(num, value);
	for (i = 0; i < p->crit_n[crit] && !c->stop; i++) {
		unsigned int idx = p->crit_rules[crit][i];
		const struct esmtp_rule *r = &p->rules[idx];

		if (r->negate && value <= r->gt)
			esmtp_fire(c, crit, idx, r->action, r->log, num, n);
	}
}

int
esmtp_rules_match(struct esmtp_ctx *c, unsigned int crit, const uint8_t *v, size_t n)
{
	const struct esmtp_policy *p = c->p;
	unsigned int i;
	int acts = 0;

	for (i = 0; i < p->crit_n[crit] && !c->stop; i++) {
		unsigned int idx = p->crit_rules[crit][i];
		const struct esmtp_rule *r = &p->rules[idx];
		int m;

		if (r->match != NULL)
			m = r->match(r->match_arg, v, n) != 0;
		else
			m = r->glob != NULL && esmtp_glob(r->glob, v, n);
		if (m != (r->negate != 0)) {
			esmtp_fire(c, crit, idx, r->action, r->log, v, n);
			acts |= 1 << r->action;
		}
	}
	return acts;
}

int
esmtp_rules_set(struct esmtp_ctx *c, unsigned int crit, uint32_t bit, const uint8_t *v, size_t n)
{
	const struct esmtp_policy *p = c->p;
	unsigned int i;
	int acts = 0;

	for (i = 0; i < p->crit_n[crit] && !c->stop; i++) {
		unsigned int idx = p->crit_rules[crit][i];
		const struct esmtp_rule *r = &p->rules[idx];

		if (((r->set & bit) != 0) != (r->negate != 0)) {
			esmtp_fire(c, crit, idx, r->action, r->log, v, n);
			acts |= 1 << r->action;
		}
	}
	return acts;
}

void
esmtp_pending_push(struct esmtp *s, uint8_t kind)
{
	unsigned int back;

	/* Runs of one kind share an entry (a PIPELINING burst of 100 RCPT is
	 * one entry); a full ring lets the last entry absorb the rest, so a
	 * flood costs accuracy of pairing, never memory. */
	if (s->pend_n != 0) {
		back = (s->pend_head + s->pend_n - 1) % ESMTP_PENDING;
		if (s->pend_kind[back] == kind || s->pend_n == ESMTP_PENDING) {
			if (s->pend_cnt[back] < UINT16_MAX)
				s->pend_cnt[back]++;
			return;
		}
	}
	back = (s->pend_head + s->pend_n) % ESMTP_PENDING;
	s->pend_kind[back] = kind;
	s->pend_cnt[back] = 1;
	s->pend_n++;
}

uint8_t
esmtp_pending_front(const struct esmtp *s)
{
	return s->pend_n != 0 ? s->pend_kind[s->pend_head] : PK_NONE;
}

uint8_t
esmtp_pending_back(const struct esmtp *s)
{
	if (s->pend_n == 0)
		return PK_NONE;
	return s->pend_kind[(s->pend_head + s->pend_n - 1) % ESMTP_PENDING];
}

void
esmtp_pending_pop(struct esmtp *s)
{
	if (s->pend_n == 0)
		return;
	if (--s->pend_cnt[s->pend_head] == 0) {
		s->pend_head = (uint8_t)((s->pend_head + 1) % ESMTP_PENDING);
		s->pend_n--;
	}
}

void
esmtp_trace(struct esmtp_ctx *c, const char *what, const uint8_t *line, size_t n)
{
	if (c->p->trace != NULL && (c->s->conn & CN_TRACE))
		c->p->trace(c->p->trace_arg, (enum esmtp_dir)c->dir, what, line, n);
}

void
esmtp_push(struct esmtp *s, enum esmtp_dir dir, const uint8_t *buf, uint32_t len,
		struct esmtp_result *r)
{
	struct esmtp_ctx c;
	uint32_t pos = 0, next;
	uint8_t mode;

	r->consumed = 0;
	r->verdict = ESMTP_FORWARD;
	r->n_edits = 0;
	r->n_events = 0;
	r->overflow = 0;
	r->retry_other = 0;
	if (s->verdict != ESMTP_FORWARD) {
		r->verdict = (enum esmtp_verdict)s->verdict;
		r->consumed = len;
		return;
	}
	c.s = s;
	c.p = s->p;
	c.r = r;
	c.buf = buf;
	c.len = len;
	c.dir = (uint8_t)dir;
	c.stop = 0;
	c.yield = 0;

	if (dir == ESMTP_DIR_S2C) {
		pos = esmtp_reply_push(&c, 0);
	} else {
		/* Each role returns when it is done with the buffer or when
		 * the client mode changes (end of data, BDAT chunk, ...). */
		while (pos < len && !c.stop && !r->overflow) {
			mode = s->cmode;
			if (mode == CM_DATA || mode == CM_BDAT)
				next = esmtp_data_push(&c, pos);
			else
				next = esmtp_cmd_push(&c, pos);
			if (next == pos && s->cmode == mode)
				break; /* held */
			pos = next;
		}
		if (pos < len && !c.stop && !r->overflow)
			s->conn |= CN_C2S_HELD;
		else
			s->conn &= (uint8_t)~CN_C2S_HELD;
	}
	if (c.stop) {
		r->verdict = (enum esmtp_verdict)s->verdict;
		r->consumed = len;
	} else {
		r->consumed = pos;
	}
}
