/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * New connections: classification, admission by lib/admit, the SYN
 * cookies and validated clients of TCP Intercept, class timeouts. See
 * admission.h. Runs on the worker lcore, once per new connection.
 */
#include "admission.h"

#include <string.h>

#include <rte_mbuf.h>

#include "admit.h"
#include "dbg.h"
#include "inspect.h"
#include "pgen.h"
#include "policy.h"
#include "records.h"
#include "splice.h"
#include "sw_common.h"
#include "worker_state.h"

_Static_assert((int)ADMIT_CLASS_LIMIT_MAX == (int)POLICY_LIMIT_MAX &&
				(int)ADMIT_CONN_MAX == (int)POLICY_LIMIT_CONN_MAX &&
				(int)ADMIT_EMBRYONIC_CONN_MAX ==
						(int)POLICY_LIMIT_EMBRYONIC_CONN_MAX &&
				(int)ADMIT_PER_CLIENT_MAX == (int)POLICY_LIMIT_PER_CLIENT_MAX &&
				(int)ADMIT_PER_CLIENT_EMBRYONIC_MAX ==
						(int)POLICY_LIMIT_PER_CLIENT_EMBRYONIC_MAX,
		"lib/admit's class limits are lib/policy's, in its order");

/*
 * IOS deleted a half-open connection of this worker to make room: its
 * units go back to the generation that admitted it, later packets of it
 * are dropped. The entry itself lingers (closed) so that a packet of it
 * later in this burst finds it.
 */
static void
half_open_deleted(void *arg, struct admit_conn *c)
{
	struct worker *w = arg;
	struct wk_flow *f = container_of(c, struct wk_flow, adm);

	if (f->gen != NULL)
		admit_release(f->gen->adm, c, ADMIT_U_ALL);
	if (f->mode == WK_FLOW_INSPECT)
		inspect_conn_release(w, f);
	f->mode = WK_FLOW_DROPPED;
	flow_set_state(w->ft, wk_entry_of(f), FLOW_ST_CLOSED, w->now);
}

void
admission_worker_init(struct worker *w)
{
	admit_worker_init(&w->admit, &w->st.adm, half_open_deleted, w);
}

/* What lib/admit needs of a policy match, in its own terms. */
struct adm_req {
	struct admit_class cl;
	struct admit_static st;
	struct admit_req r;
};

static void
adm_req_make(struct adm_req *q, const struct policy_match *m, const struct pkt_info *pi,
		bool validated, uint64_t now)
{
	const struct policy_class *c = m->conn;
	unsigned int i;

	memset(&q->r, 0, sizeof(q->r));
	if (c != NULL) {
		q->cl.id = c->id;
		q->cl.intercept = c->emb_action == POLICY_EMB_INTERCEPT;
		for (i = 0; i < ADMIT_CLASS_LIMIT_MAX; i++)
			q->cl.limits[i] = c->limits[i];
		q->r.cls = &q->cl;
	}
	if (m->stat != NULL) {
		q->st.id = m->stat->id;
		q->st.max_conns = m->stat->tcp_max_conns;
		q->st.em_limit = m->stat->tcp_em_limit;
		q->r.stat = &q->st;
	}
	/* IOS thresholds apply to the connections of an `ip inspect` rule. */
	q->r.ios = (m->inspect != NULL && m->inspect->ios) || (c != NULL && c->ios);
	q->r.validated = validated;
	q->r.addr_len = pi->addr_len == 4 ? 4 : 16;
	q->r.src = pi->src;
	q->r.dst = pi->dst;
	q->r.now_ns = now;
}

/* The ASA message of the limit that said no (201009..201013). */
static uint32_t
limit_msgid(uint8_t which)
{
	if (which < ADMIT_CLASS_LIMIT_MAX)
		return policy_limit_msgid(which);
	return which == ADMIT_W_STATIC_EMB ? LOG_ASA_201010 : LOG_ASA_201009;
}

/*
 * lib/admit's answer, counted per class and recorded (ASA 201009..201013;
 * the IOS thresholds have counters only). A validated client is past the
 * embryonic stage: only the connection limits apply.
 */
static enum admit_verdict
admit(struct worker *w, struct wk_flow *f, const struct policy_match *m, const struct pkt_info *pi,
		uint16_t in_port, bool validated)
{
	struct pgen *g = f->gen;
	struct admit_result res;
	struct adm_req q;
	enum admit_verdict v;

	adm_req_make(&q, m, pi, validated, wk_now_ns(w));
	v = admit_new(g->adm, &w->admit, &f->adm, &q.r, &res);
	if (v == ADMIT_OK || res.which == ADMIT_W_IOS)
		return v;
	rec_limit(w, pi, in_port, limit_msgid(res.which), res.count, res.limit);
	if (m->conn != NULL) {
		struct policy_class_counters *cnt = pgen_cnt(g, w->id, m->conn->id);

		if (v == ADMIT_INTERCEPT)
			cnt->intercepts++;
		else if (res.which < ADMIT_CLASS_LIMIT_MAX)
			cnt->limit_drops[res.which]++;
	}
	return v;
}

/*
 * A connection the policy matched (m): its generation, class, limits and
 * inspection. validated: the client returned a SYN cookie.
 */
static enum admit_verdict
flow_setup(struct worker *w, struct wk_flow *f, const struct policy_match *m,
		const struct pkt_info *pi, uint16_t in_port, bool validated)
{
	struct pgen *g = w->gen;
	enum admit_verdict v;

	f->gen = g;
	g->wk[w->id].flows++;
	if (m->conn != NULL) {
		unsigned int i;

		f->adm.class_id = m->conn->id;
		for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
			if (m->conn->timeouts[i] != POLICY_TIMEOUT_UNSET)
				f->own_timeouts = 1;
	}
	v = admit(w, f, m, pi, in_port, validated);
	if (v != ADMIT_OK) {
		g->wk[w->id].flows--;
		f->gen = NULL;
		return v;
	}
	if (m->inspect != NULL) {
		f->class_insp = m->inspect->id;
		pgen_cnt(g, w->id, m->inspect->id)->conns++;
	}
	if (m->esmtp == NULL)
		return ADMIT_OK;
	f->mode = WK_FLOW_INSPECT;
	f->imap = m->inspect != NULL ? m->inspect->imap : 0;
	f->alert = m->inspect != NULL ? m->inspect->alert : 1;
	f->audit_trail = m->inspect != NULL && m->inspect->audit_trail;
	if (f->audit_trail)
		rec_session(w, f, 0);
	tcp_conn_init(&f->tcp);
	esmtp_init(&f->esmtp, m->esmtp); /* the inspect map: f->esmtp keeps it */
	if (unlikely(dbg_esmtp_matches(&wk_entry_of(f)->key)))
		esmtp_set_trace(&f->esmtp, 1); /* debug esmtp ADDRESS */
	w->st.insp_conns++;
	return ADMIT_OK;
}

/* Whether SYNs of this match may have been answered with cookies. */
static bool
intercepts(const struct pgen *g, const struct policy_match *m, const struct pkt_info *pi)
{
	struct adm_req q;

	adm_req_make(&q, m, pi, false, 0);
	return admit_may_intercept(g->adm, &q.r);
}

enum admission
admission_flow_new(struct worker *w, struct flow_entry *e, struct rte_mbuf *pkt,
		const struct pkt_info *pi, int dir)
{
	struct wk_flow *f = wk_flow_of(e);
	bool syn = (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
	uint16_t in_port = pkt->port;
	const struct wiring *wr = w->wire;
	struct pgen *g = w->gen;
	struct policy_match m;
	struct policy_key k;
	struct ic_opts o;

	f->init_port = in_port;
	f->mode = WK_FLOW_FORWARD;
	f->class_insp = WK_NO_CLASS;
	admit_conn_init(&f->adm);
	if (!(pi->flags & PKT_F_TCP) || g == NULL || wr->no_inspect)
		return ADMISSION_OK;
	memset(&k, 0, sizeof(k));
	k.family = pi->addr_len == 4 ? 4 : 6;
	k.proto = IPPROTO_TCP;
	k.pair = wr->port_pair[in_port];
	k.side = wr->port_inside[in_port] ? POLICY_SIDE_INSIDE : POLICY_SIDE_OUTSIDE;
	k.sport = pi->sport;
	k.dport = pi->dport;
	memcpy(k.src, pi->src, pi->addr_len);
	memcpy(k.dst, pi->dst, pi->addr_len);
	policy_classify(g->policy, &k, &m);
	if (syn) {
		switch (flow_setup(w, f, &m, pi, in_port, false)) {
		case ADMIT_OK:
			return ADMISSION_OK;
		case ADMIT_INTERCEPT:
			splice_answer_syn(w, pkt, pi, in_port);
			return ADMISSION_CONSUMED;
		default:
			return ADMISSION_REFUSED;
		}
	}
	if (intercepts(g, &m, pi) && splice_check_ack(w, pi, &o) == 0) {
		/* A client that came back with its cookie: open the server side. */
		if (flow_setup(w, f, &m, pi, in_port, true) != ADMIT_OK) {
			/* It believes it is connected: tell it it is not. */
			w->st.ic_conn_limit++;
			splice_reset_client(w, pkt);
			return ADMISSION_CONSUMED;
		}
		if (f->mode == WK_FLOW_FORWARD)
			f->mode = WK_FLOW_BYPASS; /* uninspected, but translated */
		inspect_splice_open(w, e, pkt, pi, dir, &o);
		return ADMISSION_SPLICED;
	}
	/* A connection we did not see open. Where it would be inspected
	 * (either way round), like a firewall: drop, unless told to pick it
	 * up (uninspected). */
	if (m.esmtp == NULL) {
		memcpy(k.src, pi->dst, pi->addr_len);
		memcpy(k.dst, pi->src, pi->addr_len);
		k.sport = pi->dport;
		k.dport = pi->sport;
		k.side = k.side == POLICY_SIDE_INSIDE ? POLICY_SIDE_OUTSIDE : POLICY_SIDE_INSIDE;
		policy_classify(g->policy, &k, &m);
	}
	if (m.esmtp == NULL)
		return ADMISSION_OK;
	if (w->midstream_drop)
		return ADMISSION_DROP;
	w->st.insp_midstream++;
	return ADMISSION_OK;
}

void
admission_settle(struct worker *w, struct flow_entry *e, uint8_t units)
{
	struct wk_flow *f = wk_flow_of(e);

	RTE_SET_USED(w);
	if (f->gen != NULL)
		admit_release(f->gen->adm, &f->adm, units);
}

void
admission_flow_timeout(struct worker *w, struct flow_entry *e, uint64_t now)
{
	const struct wk_flow *f = wk_flow_of(e);
	/* Looked up, not stored: 8 bytes less per connection, and a flow
	 * keeps its policy generation (f->gen) for its whole life. */
	const uint32_t *t = policy_class_get(f->gen->policy, f->adm.class_id)->timeouts;
	uint32_t s;

	switch (e->state) {
	case FLOW_ST_NEW:
	case FLOW_ST_SYN_SENT:
	case FLOW_ST_SYN_RCVD:
		s = t[POLICY_TIMEOUT_EMBRYONIC];
		break;
	case FLOW_ST_ESTABLISHED:
		s = t[POLICY_TIMEOUT_IDLE];
		break;
	case FLOW_ST_FIN_WAIT:
		s = t[POLICY_TIMEOUT_HALF_CLOSED];
		break;
	default:
		return; /* closing, closed: the table's linger */
	}
	if (s == POLICY_TIMEOUT_UNSET)
		return;
	flow_set_deadline(w->ft, e, s == 0 ? FLOW_DEADLINE_NEVER : now + (uint64_t)s * w->hz);
}
