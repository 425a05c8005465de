/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transcript harness: see harness.h.  It also checks, on every push, the
 * invariants the TCP layer relies on (consumed <= len, edits inside the
 * consumed range, sorted, same length, known fill bytes; sticky verdicts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

static void
add_event(struct h_run *run, const struct esmtp_event *e, int dir)
{
	if (run->n_ev == run->cap_ev) {
		run->cap_ev = run->cap_ev ? run->cap_ev * 2 : 64;
		run->ev = realloc(run->ev, run->cap_ev * sizeof(*run->ev));
		cr_assert_not_null(run->ev);
	}
	run->ev[run->n_ev].ev = *e;
	run->ev[run->n_ev].dir = dir;
	run->n_ev++;
}

static int
sticky(int v)
{
	return v == ESMTP_DROP_CONN || v == ESMTP_RESET || v == ESMTP_BYPASS;
}

/* Push the newly available bytes of one direction (up to avail[dir]). */
static int
feed(struct esmtp *s, struct h_run *run, int dir, size_t *bases, const size_t *avails)
{
	size_t *base = &bases[dir];
	size_t avail = avails[dir];
	struct esmtp_result r;
	unsigned int i, guard = 0;

	for (;;) {
		const uint8_t *buf = run->in[dir] + *base;
		uint32_t len = (uint32_t)(avail - *base);
		uint32_t prev_end = 0;

		if (len == 0)
			return ESMTP_FORWARD;
		memset(&r, 0xa5, sizeof(r));
		esmtp_push(s, (enum esmtp_dir)dir, buf, len, &r);
		run->pushes++;
		esmtp_counters_add(&run->counters, (enum esmtp_dir)dir, len, &r);
		cr_assert_leq(r.consumed, len, "consumed %u > len %u", r.consumed, len);
		cr_assert_leq(r.n_edits, ESMTP_MAX_EDITS);
		cr_assert_leq(r.n_events, ESMTP_MAX_EVENTS);
		for (i = 0; i < r.n_edits; i++) {
			const struct esmtp_edit *e = &r.edits[i];

			cr_assert_gt(e->len, 0);
			cr_assert_leq((uint64_t)e->off + e->len, r.consumed,
					"edit %u+%u beyond consumed %u", e->off, e->len,
					r.consumed);
			cr_assert_geq(e->off, prev_end, "edits overlap or unsorted");
			/* X, the ASA banner '*', space, or mask-banner neutral's word */
			cr_assert(e->fill == 'X' || e->fill == '*' || e->fill == ' ' ||
					(e->fill != '\0' && strchr("ESMTP", e->fill) != NULL));
			memset(run->out[dir] + *base + e->off, e->fill, e->len);
			prev_end = e->off + e->len;
		}
		for (i = 0; i < r.n_events; i++) {
			cr_assert_lt(r.events[i].id, ESMTP_EV_MAX);
			cr_assert_leq(r.events[i].value_len, ESMTP_EVENT_VALUE);
			add_event(run, &r.events[i], dir);
		}
		*base += r.consumed;
		if (len - r.consumed > run->max_held)
			run->max_held = len - r.consumed;
		if (sticky(r.verdict)) {
			cr_assert_eq(r.consumed, len);
			return r.verdict;
		}
		cr_assert(r.verdict == ESMTP_FORWARD || r.verdict == ESMTP_DROP_PACKET);
		if (r.retry_other) {
			int v;

			cr_assert_eq(dir, ESMTP_DIR_S2C);
			run->retries++;
			v = feed(s, run, !dir, bases, avails);
			if (sticky(v))
				return v;
			cr_assert_lt(++guard, 1000000u, "retry loop");
			continue;
		}
		if (!r.overflow)
			return r.verdict;
		cr_assert(r.consumed > 0 || r.n_edits > 0 || r.n_events > 0,
				"overflow without progress");
		cr_assert_lt(++guard, 1000000u, "overflow loop");
	}
}

void
h_run(const struct esmtp_policy *p, const struct h_step *steps, size_t n, int split, size_t at,
		struct h_run *run)
{
	struct esmtp s;
	size_t k, d, base[2] = {0, 0}, avail[2] = {0, 0}, global = 0;
	int v = ESMTP_FORWARD;

	memset(run, 0, sizeof(*run));
	for (k = 0; k < n; k++)
		run->len[steps[k].dir] += steps[k].len;
	for (d = 0; d < 2; d++) {
		run->in[d] = malloc(run->len[d] + 1);
		run->out[d] = malloc(run->len[d] + 1);
		cr_assert(run->in[d] != NULL && run->out[d] != NULL);
	}
	for (k = 0; k < n; k++) {
		memcpy(run->in[steps[k].dir] + avail[steps[k].dir], steps[k].data, steps[k].len);
		avail[steps[k].dir] += steps[k].len;
	}
	for (d = 0; d < 2; d++)
		memcpy(run->out[d], run->in[d], run->len[d]);
	avail[0] = avail[1] = 0;

	esmtp_init(&s, p);
	if (split & H_TRACE)
		esmtp_set_trace(&s, 1);
	split &= ~H_TRACE;
	run->verdict = ESMTP_FORWARD;
	run->stop_step = n;
	for (k = 0; k < n && !sticky(v); k++) {
		int dir = steps[k].dir;
		size_t len = steps[k].len, i;

		if (split == H_BYTES) {
			for (i = 0; i < len && !sticky(v); i++) {
				avail[dir]++;
				v = feed(&s, run, dir, base, avail);
			}
		} else if (split == H_SPLIT && at > global && at < global + len) {
			avail[dir] += at - global;
			v = feed(&s, run, dir, base, avail);
			if (!sticky(v)) {
				avail[dir] += len - (at - global);
				v = feed(&s, run, dir, base, avail);
			}
		} else {
			avail[dir] += len;
			v = feed(&s, run, dir, base, avail);
		}
		global += len;
		if (sticky(v))
			run->stop_step = k;
	}
	run->verdict = v;
	run->decided[0] = base[0];
	run->decided[1] = base[1];
}

void
h_free(struct h_run *run)
{
	free(run->in[0]);
	free(run->in[1]);
	free(run->out[0]);
	free(run->out[1]);
	free(run->ev);
	memset(run, 0, sizeof(*run));
}

static void
same(const struct h_run *a, const struct h_run *b, const char *how, size_t at)
{
	size_t i, d;

	cr_assert_eq(a->verdict, b->verdict, "%s@%zu: verdict %d vs %d", how, at, a->verdict,
			b->verdict);
	cr_assert_eq(a->stop_step, b->stop_step, "%s@%zu: stop step", how, at);
	for (d = 0; d < 2; d++) {
		/* After a sticky verdict the rest of the segment is moot. */
		if (!sticky(a->verdict))
			cr_assert_eq(a->decided[d], b->decided[d], "%s@%zu: held bytes dir %zu",
					how, at, d);
		cr_assert(memcmp(a->out[d], b->out[d], a->len[d]) == 0,
				"%s@%zu: edited stream dir %zu differs", how, at, d);
	}
	cr_assert_eq(a->n_ev, b->n_ev, "%s@%zu: %zu events vs %zu", how, at, a->n_ev, b->n_ev);
	for (i = 0; i < a->n_ev; i++) {
		const struct esmtp_event *x = &a->ev[i].ev, *y = &b->ev[i].ev;

		cr_assert(x->id == y->id && x->rule == y->rule && x->action == y->action &&
						x->audit == y->audit && x->flags == y->flags &&
						x->value_len == y->value_len &&
						memcmp(x->value, y->value, x->value_len) == 0 &&
						a->ev[i].dir == b->ev[i].dir,
				"%s@%zu: event %zu differs (%s vs %s)", how, at, i,
				esmtp_event_name(x->id), esmtp_event_name(y->id));
	}
}

void
h_check(const struct esmtp_policy *p, const struct h_step *steps, size_t n, struct h_run *run)
{
	struct h_run other;
	size_t total = 0, k, at, stride;

	for (k = 0; k < n; k++)
		total += steps[k].len;
	h_run(p, steps, n, H_WHOLE, 0, run);
	if (total <= 200000) {
		h_run(p, steps, n, H_BYTES, 0, &other);
		same(run, &other, "bytes", 0);
		h_free(&other);
	}
	stride = total <= 6000 ? 1 : total <= 1000000 ? total / 997 + 1 : total / 37 + 1;
	for (at = 1; at < total; at += stride) {
		h_run(p, steps, n, H_SPLIT, at, &other);
		same(run, &other, "split", at);
		h_free(&other);
	}
}

const char *
h_out(const struct h_run *run, int dir)
{
	static char *buf;

	free(buf);
	buf = malloc(run->len[dir] + 1);
	memcpy(buf, run->out[dir], run->len[dir]);
	buf[run->len[dir]] = '\0';
	return buf;
}

size_t
h_count(const struct h_run *run, unsigned int id)
{
	size_t i, n = 0;

	for (i = 0; i < run->n_ev; i++)
		n += run->ev[i].ev.id == id;
	return n;
}

const struct esmtp_event *
h_find(const struct h_run *run, unsigned int id, size_t k)
{
	size_t i;

	for (i = 0; i < run->n_ev; i++)
		if (run->ev[i].ev.id == id && k-- == 0)
			return &run->ev[i].ev;
	return NULL;
}

const char *
h_events(const struct h_run *run)
{
	static char buf[8192];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < run->n_ev && o < sizeof(buf) - 64; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "," : "",
				esmtp_event_name(run->ev[i].ev.id));
	return buf;
}
