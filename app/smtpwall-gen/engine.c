/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The closed loop: starts sessions up to the concurrency, sends every step
 * that may go now, and times out what did not come back. A step goes only
 * when the steps before it came back through the DUT, except that a run of
 * steps from the same side (DATA segments) may have up to `window` in flight,
 * like a TCP sender with a window. Frames are handed to a tx callback (a
 * DPDK port, or the pcap writer); the callback may refuse (TX ring full),
 * and the step is then tried again on the next poll.
 *
 * A violating step the DUT must cut cannot be seen to be cut until cut_wait
 * has passed with nothing back; that wait must not hold one of the
 * `concurrency` places of the loop (with 4 % of sessions cut and 256 places,
 * 200 ms waits were most of what a benchmark measured). The cut session
 * keeps its slot (its frames are still recognised if they do come back: an
 * error) in a second set of as many slots, and a new session takes its
 * place in the loop at once.
 *
 * Open loop (--rate, --udp-rate): sessions (UDP frames) start on a schedule,
 * rate per second from the first poll, whatever comes back; a schedule that
 * fell behind (the generator was not scheduled, or every session slot is
 * busy) catches up as soon as it can, so a stall shows up as latency, not as
 * a lower offered load. Within a session the steps stay closed loop: an SMTP
 * client waits for each reply.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pkt.h"
#include "rss.h"

#define START_PER_POLL 64
#define UDP_PER_POLL 64

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static unsigned int
queue_of(const struct rss_ctx *rss, const struct gen_tuple *t, uint8_t proto, unsigned int nq)
{
	uint8_t c[4], s[4];

	pkt_store32(c, t->cip);
	pkt_store32(s, t->sip);
	return rss_queue(rss_hash_tuple(rss, 4, c, s, proto, t->cport, t->sport), nq);
}

unsigned int
gen_queue_of_session(const struct rss_ctx *rss, uint64_t id, unsigned int nq)
{
	struct gen_tuple t;

	gen_tuple_of(id, &t);
	return queue_of(rss, &t, 6, nq);
}

unsigned int
gen_queue_of_udp(const struct rss_ctx *rss, uint32_t flow, unsigned int nq)
{
	struct gen_tuple t;

	gen_udp_tuple_of(flow, &t);
	return queue_of(rss, &t, 17, nq);
}

/* The next session number whose frames hash to this engine's queue. */
static uint64_t
next_session_id(struct gen_engine *e)
{
	while (e->rss != NULL && gen_queue_of_session(e->rss, e->next_id, e->nq) != e->q)
		e->next_id++;
	return e->next_id++;
}

/*
 * Slots beyond --concurrency for sessions waiting out a cut: at least 1,024
 * (a small -C must not make cut sessions queue for them), within the 65,536
 * IP ids that carry a slot; when they run out, a new session waits.
 */
static uint32_t
cutwait_slots(const struct gen_cfg *cfg)
{
	uint32_t want = cfg->concurrency > 1024 ? cfg->concurrency : 1024;

	return want < GEN_MAX_CONC - cfg->concurrency ? want : GEN_MAX_CONC - cfg->concurrency;
}

struct gen_engine *
gen_engine_create(const struct gen_cfg *cfg, uint64_t hz, gen_tx_fn tx, void *tx_arg,
		unsigned int q, unsigned int nq, const struct rss_ctx *rss)
{
	struct gen_engine *e;
	uint32_t i, f;

	if (cfg->concurrency == 0 || cfg->concurrency > GEN_MAX_CONC || cfg->window == 0 ||
			cfg->window > GEN_WMAX) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->cfg = cfg;
	e->q = q;
	e->nq = nq ? nq : 1;
	e->rss = e->nq > 1 ? rss : NULL;
	for (i = 0, f = 0; i < GEN_UDP_FLOWS; f++)
		if (e->rss == NULL || gen_queue_of_udp(e->rss, f, e->nq) == q)
			e->udp_flow[i++] = f;
	e->hz = hz;
	e->tx = tx;
	e->tx_arg = tx_arg;
	e->n_slots = cfg->concurrency + cutwait_slots(cfg);
	e->sess = calloc(e->n_slots, sizeof(*e->sess));
	e->free_slots = calloc(e->n_slots, sizeof(*e->free_slots));
	e->ready_mask = pow2_at_least(e->n_slots) - 1;
	e->ready = calloc(e->ready_mask + 1, sizeof(*e->ready));
	if (e->sess == NULL || e->free_slots == NULL || e->ready == NULL) {
		gen_engine_free(e);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < e->n_slots; i++) {
		e->sess[i].slot = (uint16_t)i;
		/* Pop order 0, 1, 2...: the lowest slots are used first. */
		e->free_slots[i] = e->n_slots - 1 - i;
	}
	e->n_free = e->n_slots;
	e->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ULL;
	e->timeout_tsc = (uint64_t)(cfg->timeout_ms * (double)hz / 1e3);
	e->cutwait_tsc = (uint64_t)(cfg->cut_wait_ms * (double)hz / 1e3);
	return e;
}

void
gen_engine_free(struct gen_engine *e)
{
	if (e == NULL)
		return;
	free(e->sess);
	free(e->free_slots);
	free(e->ready);
	free(e);
}

void
engine_session_end(struct gen_engine *e, struct gen_session *s)
{
	if (s->state == GEN_SS_CUTWAIT || s->state == GEN_SS_CUTDONE)
		e->n_cutwait--;
	s->state = GEN_SS_FREE;
	e->free_slots[e->n_free++] = s->slot;
	e->active--;
}

/* Sends what the session may send now. */
static void
send_steps(struct gen_engine *e, struct gen_session *s, uint64_t now)
{
	const struct gen_cfg *cfg = e->cfg;
	struct gen_tuple t;
	struct gen_step st;

	gen_tuple_of(s->id, &t);
	while (s->state == GEN_SS_ACTIVE && s->next_send < s->n_steps) {
		uint32_t len, flen, i = s->next_send;
		enum gen_side side, peer;

		gen_session_step(s, i, &st);
		side = (enum gen_side)st.side;
		peer = side == GEN_C ? GEN_S : GEN_C;
		if (s->inflight > 0 && (st.side != s->run_side || s->inflight >= cfg->window))
			return; /* wait for what is out to come back */
		len = gen_session_payload(s, &st, e->payload, false);
		flen = gen_build_tcp(e->frame, &t, side, s->slot, s->snd_seq[side],
				s->snd_seq[peer], st.tcp_flags, e->payload, len);
		if (e->tx(e->tx_arg, side, e->frame, flen) != 0) {
			e->ctr.tx_fail++;
			engine_ready(e, s); /* TX ring full: again next poll */
			return;
		}
		e->ctr.tx_pkts++;
		e->ctr.tx_bytes += flen;
		s->t_sent[i % GEN_WMAX] = now;
		s->inflight++;
		s->run_side = st.side;
		s->next_send++;
		s->snd_seq[side] += len + ((st.tcp_flags & (PKT_TCP_SYN | PKT_TCP_FIN)) ? 1 : 0);
		s->deadline = now + e->timeout_tsc;
		if (st.expect == GEN_X_CUT && !cfg->plain) {
			/* The DUT must drop this one and the connection. */
			s->state = GEN_SS_CUTWAIT;
			e->n_cutwait++; /* its place in the loop goes to a new session */
			s->deadline = now + e->cutwait_tsc;
		}
	}
}

/* How many of rate per second are due by now (open loop), counted from pace_t0. */
static uint64_t
pace_due(const struct gen_engine *e, double rate, uint64_t now)
{
	return (uint64_t)((double)(now - e->pace_t0) * rate / (double)e->hz) + 1;
}

static void
send_udp(struct gen_engine *e, uint64_t now)
{
	uint32_t n = 0, flen;
	uint64_t due = e->cfg->udp_rate > 0 ? pace_due(e, e->cfg->udp_rate, now) : UINT64_MAX;

	while (n < UDP_PER_POLL && e->udp_sent - e->udp_recv < e->cfg->udp_inflight &&
			e->udp_sent < due) {
		enum gen_side side = (e->udp_sent & 1) ? GEN_S : GEN_C;

		flen = gen_build_udp(e->frame, e->udp_flow[e->udp_sent % GEN_UDP_FLOWS], side, now,
				e->udp_sent);
		if (e->tx(e->tx_arg, side, e->frame, flen) != 0) {
			e->ctr.tx_fail++;
			return;
		}
		if (e->udp_sent == e->udp_recv)
			e->udp_last_rx = now; /* the loss clock starts with the first frame out */
		e->udp_sent++;
		e->ctr.udp_tx++;
		e->ctr.tx_pkts++;
		e->ctr.tx_bytes += flen;
		n++;
	}
}

uint32_t
gen_engine_poll(struct gen_engine *e, uint64_t now, bool may_start, bool udp_on)
{
	const struct gen_cfg *cfg = e->cfg;
	uint64_t before = e->ctr.tx_pkts, due = UINT64_MAX;
	uint32_t n, started = 0;

	if (e->pace_t0 == 0)
		e->pace_t0 = now;
	if (cfg->rate > 0)
		due = pace_due(e, cfg->rate, now);
	while (may_start && e->n_free > 0 && engine_running(e) < cfg->concurrency &&
			started < START_PER_POLL && e->ctr.sess_started < due &&
			(cfg->sessions == 0 || e->ctr.sess_started < cfg->sessions) &&
			cfg->weight_sum > 0) {
		struct gen_session *s = &e->sess[e->free_slots[--e->n_free]];

		gen_session_setup(s, cfg, next_session_id(e), &e->rng);
		s->deadline = now + e->timeout_tsc; /* to send its first step */
		e->active++;
		e->ctr.sess_started++;
		e->ctr.started[s->tmpl]++;
		engine_ready(e, s);
		started++;
	}
	/* Only what is queued now: a session re-queued below waits for the next poll. */
	n = e->ready_tail - e->ready_head;
	while (n-- > 0) {
		struct gen_session *s = &e->sess[e->ready[e->ready_head++ & e->ready_mask]];

		s->in_ready = 0;
		if (s->state == GEN_SS_ACTIVE)
			send_steps(e, s, now);
	}
	if (udp_on && cfg->udp_inflight > 0)
		send_udp(e, now);
	return (uint32_t)(e->ctr.tx_pkts - before);
}

void
gen_engine_expire(struct gen_engine *e, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < e->n_slots && e->active > 0; i++) {
		struct gen_session *s = &e->sess[i];

		if (s->state == GEN_SS_FREE || now < s->deadline)
			continue;
		if (s->inflight == 0) {
			/* Nothing out, and the port refused its next step since the
			 * deadline: the wire is gone (the DUT went away). */
			e->ctr.sess_lost++;
		} else if (s->state == GEN_SS_CUTDONE) {
			/* cut by an RST (counted then); nothing came back since */
		} else if (s->state == GEN_SS_CUTWAIT && s->inflight == 1) {
			e->ctr.sess_cut++; /* the violating step never came back: good */
		} else {
			e->ctr.pkts_lost += s->inflight;
			e->ctr.sess_lost++;
		}
		engine_session_end(e, s);
	}
	if (e->udp_sent != e->udp_recv && now - e->udp_last_rx > e->timeout_tsc)
		gen_engine_udp_flush(e);
}

void
gen_engine_udp_flush(struct gen_engine *e)
{
	e->ctr.udp_lost += e->udp_sent - e->udp_recv;
	e->ctr.pkts_lost += e->udp_sent - e->udp_recv;
	e->udp_recv = e->udp_sent;
}

uint32_t
gen_engine_active(const struct gen_engine *e)
{
	return e->active;
}

uint64_t
gen_engine_udp_inflight(const struct gen_engine *e)
{
	return e->udp_sent - e->udp_recv;
}

struct gen_ctr *
gen_engine_ctr(struct gen_engine *e)
{
	return &e->ctr;
}

struct gen_lat *
gen_engine_lat(struct gen_engine *e)
{
	return &e->lat;
}
