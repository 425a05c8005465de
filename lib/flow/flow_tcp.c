/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Basic TCP connection state from the flags of each packet, and the timeout
 * that applies in each state (ASA / IOS defaults).
 *
 * This is the firewall's coarse view, deliberately without sequence numbers
 * (lib/tcp checks those): it only decides which timeout an entry lives under.
 */
#include <stdint.h>

#include "flow.h"
#include "flow_private.h"

static const char *const flow_state_names[FLOW_ST_MAX] = {
#define FLOW_STATE_NAME(name, str) [FLOW_ST_##name] = str,
		FLOW_FOREACH_STATE(FLOW_STATE_NAME)
#undef FLOW_STATE_NAME
};

static const char *const flow_timeout_names[FLOW_TO_MAX] = {
#define FLOW_TIMEOUT_NAME(name, str, dflt, cls) [FLOW_TO_##name] = str,
		FLOW_FOREACH_TIMEOUT(FLOW_TIMEOUT_NAME)
#undef FLOW_TIMEOUT_NAME
};

static const uint8_t flow_state_to[FLOW_ST_MAX] = {
		[FLOW_ST_NEW] = FLOW_TO_EMBRYONIC,
		[FLOW_ST_SYN_SENT] = FLOW_TO_EMBRYONIC,
		[FLOW_ST_SYN_RCVD] = FLOW_TO_EMBRYONIC,
		[FLOW_ST_ESTABLISHED] = FLOW_TO_IDLE,
		[FLOW_ST_FIN_WAIT] = FLOW_TO_HALF_CLOSED,
		[FLOW_ST_CLOSING] = FLOW_TO_CLOSED,
		[FLOW_ST_CLOSED] = FLOW_TO_CLOSED,
		[FLOW_ST_OTHER] = FLOW_TO_OTHER,
};

const char *
flow_state_name(enum flow_state s)
{
	if ((unsigned int)s >= FLOW_ST_MAX)
		return "invalid";
	return flow_state_names[s];
}

const char *
flow_timeout_name(enum flow_timeout to)
{
	if ((unsigned int)to >= FLOW_TO_MAX)
		return "invalid";
	return flow_timeout_names[to];
}

enum flow_timeout
flow_state_timeout(enum flow_state s)
{
	if ((unsigned int)s >= FLOW_ST_MAX)
		return FLOW_TO_OTHER;
	return (enum flow_timeout)flow_state_to[s];
}

void
flow_set_state(struct flow_table *t, struct flow_entry *e, enum flow_state s, uint64_t now)
{
	if ((unsigned int)s >= FLOW_ST_MAX)
		return;
	if (e->state == FLOW_ST_CLOSED)
		flow_closed_unlink(t, e);
	t->st.by_state[e->state]--;
	t->st.by_state[s]++;
	e->state = (uint8_t)s;
	if (s == FLOW_ST_CLOSED)
		flow_closed_push(t, e); /* its linger starts now: the young end */
	flow_timer_set(t, e, flow_deadline(t, s, now));
}

/* The new state for a packet with flags `f` from direction `dir` (updates fin bookkeeping). */
static enum flow_state
tcp_next(struct flow_entry *e, unsigned int dir, uint8_t f)
{
	enum flow_state s = (enum flow_state)e->state;

	if (f & FLOW_TCP_RST)
		return FLOW_ST_CLOSED;
	if (s == FLOW_ST_CLOSED)
		return s;

	if (f & FLOW_TCP_SYN) {
		if (!(f & FLOW_TCP_ACK)) {
			if (s == FLOW_ST_NEW) {
				e->init_dir = (uint8_t)dir;
				s = FLOW_ST_SYN_SENT;
			} else if (s == FLOW_ST_SYN_SENT && dir != e->init_dir) {
				s = FLOW_ST_SYN_RCVD; /* simultaneous open */
			}
		} else if (s == FLOW_ST_NEW) {
			/* The SYN went by before the entry existed: the receiver initiated. */
			e->init_dir = (uint8_t)(dir ^ 1);
			s = FLOW_ST_SYN_RCVD;
		} else if (s == FLOW_ST_SYN_SENT && dir != e->init_dir) {
			s = FLOW_ST_SYN_RCVD;
		}
	} else if (f & FLOW_TCP_ACK) {
		if (s == FLOW_ST_SYN_RCVD && dir == e->init_dir)
			s = FLOW_ST_ESTABLISHED;
		else if (s == FLOW_ST_CLOSING && !(f & FLOW_TCP_FIN) && dir != e->priv.fin_last)
			s = FLOW_ST_CLOSED; /* acknowledges the second FIN */
	}

	if (f & FLOW_TCP_FIN) {
		if (!(e->fin_seen & (1u << dir))) {
			e->fin_seen |= (uint8_t)(1u << dir);
			e->priv.fin_last = (uint8_t)dir;
		}
		/* Before the handshake completes a FIN is only recorded (see flow.h). */
		if (s == FLOW_ST_ESTABLISHED || s == FLOW_ST_FIN_WAIT)
			s = e->fin_seen == 3 ? FLOW_ST_CLOSING : FLOW_ST_FIN_WAIT;
	}
	return s;
}

enum flow_state
flow_tcp_track(struct flow_table *t, struct flow_entry *e, int dir, uint8_t tcp_flags, uint64_t now)
{
	enum flow_state old = (enum flow_state)e->state;
	enum flow_state s;

	if (old == FLOW_ST_OTHER) {
		flow_touch(t, e, now);
		return old;
	}
	s = tcp_next(e, (unsigned int)dir & 1, tcp_flags);
	if (s != old)
		flow_set_state(t, e, s, now);
	else if (s != FLOW_ST_CLOSED)
		flow_touch(t, e,
				now); /* a closed flow lingers from its close, not its last packet */
	return s;
}

enum flow_state
flow_tcp_pickup(struct flow_table *t, struct flow_entry *e, uint64_t now)
{
	if (e->state == FLOW_ST_NEW || e->state == FLOW_ST_SYN_SENT || e->state == FLOW_ST_SYN_RCVD)
		flow_set_state(t, e, FLOW_ST_ESTABLISHED, now);
	return (enum flow_state)e->state;
}
