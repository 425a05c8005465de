/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/esmtp behind lib/tcp: the inspector callback. Both libraries speak
 * lib/insp's verdicts and edits, so the answer passes on unmapped.
 */
#include "verdict.h"

#include <string.h>

#include <rte_branch_prediction.h>

#include "dbg.h"
#include "flowstate.h"
#include "pgen.h"
#include "policy.h"
#include "records.h"
#include "sw_common.h"
#include "worker_state.h"

/*
 * ASA `rate-limit N`: a rule whose action is rate-limit lets N matching
 * messages a second through the box (one bucket for all workers); past
 * that the connection is dropped (the sender's MTA retries later), counted
 * as a drop of that rule.
 */
static void
rate_limit(struct worker *w, struct wk_flow *f, struct esmtp_result *er)
{
	unsigned int i;

	for (i = 0; i < er->n_events; i++) {
		const struct esmtp_event *ev = &er->events[i];

		if (ev->action != ESMTP_ACT_RATE_LIMIT || ev->rule == ESMTP_RULE_NONE ||
				f->imap >= f->gen->n_imaps || ev->rule >= ESMTP_MAX_RULES)
			continue;
		if (log_shared_limiter_allow(pgen_rate(f->gen, f->imap, ev->rule), wk_now_ns(w)))
			continue;
		w->st.insp_rate_limited++;
		if (er->verdict == ESMTP_FORWARD || er->verdict == ESMTP_DROP_PACKET)
			er->verdict = ESMTP_DROP_CONN;
	}
}

void
verdict_inspect(void *arg, struct tcp_conn *c, int dir, const uint8_t *buf, uint32_t len,
		struct tcp_insp_result *r)
{
	struct worker *w = arg;
	struct wk_flow *f = container_of(c, struct wk_flow, tcp);
	struct esmtp_result *er = &w->insp.eres;
	enum esmtp_dir edir = dir == 0 ? ESMTP_DIR_C2S : ESMTP_DIR_S2C;
	unsigned int i;

	dbg_esmtp_enter(w, f); /* the context of the trace hook, if f is traced */
	esmtp_push(&f->esmtp, edir, buf, len, er);
	if (unlikely(er->n_events != 0) && f->gen != NULL)
		rate_limit(w, f, er);
	esmtp_counters_add(&w->insp.ecnt, edir, len, er);
	if (f->gen != NULL && f->class_insp != WK_NO_CLASS)
		policy_counters_account(pgen_cnt(f->gen, w->id, f->class_insp), er);
	for (i = 0; i < er->n_events; i++)
		rec_event(w, f, &er->events[i]);

	/* Verdict and edits are lib/insp's on both sides: passed on as they are. */
	r->consumed = er->consumed;
	r->verdict = (uint8_t)er->verdict;
	r->overflow = er->overflow;
	r->retry_other = er->retry_other;
	r->n_edits = er->n_edits;
	memcpy(r->edits, er->edits, er->n_edits * sizeof(r->edits[0]));
}
