/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_SPLICE_H
#define SMTPWALL_SPLICE_H

/*
 * TCP Intercept in the worker (ASA, REFERENCE.md §1.8): a SYN over an
 * embryonic limit is answered by the box with a SYN cookie and forgotten;
 * an ACK that returns a valid cookie opens the server side with the
 * client's parameters, its segments held until the server answers; then
 * both sides are spliced, every segment translated by the difference of
 * the two initial sequence numbers (and windows rescaled where the two
 * handshakes negotiated different scales). lib/tcp and the inspector see
 * the server's numbers: client segments are translated on the way in,
 * server segments on the way out.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "flow.h"
#include "intercept.h"
#include "pkt.h"

struct worker;
struct wk_flow;

/* The window scale the box offers clients in its cookie SYN-ACKs. */
#define SPLICE_WSCALE 7

/*
 * Answers the SYN m (no state kept) with a cookie SYN-ACK: m itself is
 * rewritten and sent back out of in_port. Takes ownership of m.
 */
void splice_answer_syn(
		struct worker *w, struct rte_mbuf *m, const struct pkt_info *pi, uint16_t in_port);

/* A stateless ACK from a client: 0 and the cookie's options when it
 * returns a valid cookie, -1 otherwise. */
int splice_check_ack(struct worker *w, const struct pkt_info *pi, struct ic_opts *o);

/*
 * The client's ACK m validated: holds m, and returns the SYN that opens
 * the server side (the client's sequence number and options, parsed into
 * spi) for the caller to send on through lib/tcp. NULL when it could not
 * be made: the client was reset, the caller drops the flow. Takes
 * ownership of m.
 */
struct rte_mbuf *splice_open(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir, const struct ic_opts *o, struct pkt_info *spi);

/* SYNs to a silent server are sent again 1, 3 and 7 s after the first. */
#define SPLICE_SYN_RETRIES 3

/* The SYN to the server again when its time has come (tick list), for the
 * caller to send on as splice_open's; NULL when not now. */
struct rte_mbuf *splice_retransmit(struct worker *w, struct flow_entry *e, struct pkt_info *spi);

enum splice_step {
	SPLICE_DONE, /* m was held or dropped */
	SPLICE_KILL, /* m was dropped, the client reset where needed: drop the flow */
	SPLICE_ACCEPTED, /* m is the server's SYN-ACK, translation set: the caller
			  * gives m to lib/tcp (inspected) or frees it, then takes
			  * the held client segments (splice_take_held) */
};

/* A segment of a connection whose server side is opening. */
enum splice_step splice_connecting(struct worker *w, struct flow_entry *e, struct rte_mbuf *m,
		const struct pkt_info *pi, int dir);

/*
 * The connection is spliced (established): the client segments held
 * while the server side opened, in order, into held[] (WK_IC_HELD at
 * most); returns how many. The caller translates (splice_c2s) and passes
 * them on.
 */
unsigned int
splice_take_held(struct worker *w, struct flow_entry *e, struct rte_mbuf **held, uint64_t now);

/* Client to server, on the way in: the acknowledgement and SACK numbers
 * into the server's space, the window into its scale. */
void splice_c2s(const struct wk_flow *f, struct rte_mbuf *m, struct pkt_info *pi);

/*
 * A segment of an intercepted connection leaves the box: the server's are
 * translated into the client's numbers and scale; -1 when it must not
 * leave (the server's SYN-ACK: the client had the box's).
 */
int splice_egress(const struct wk_flow *f, struct rte_mbuf *m);

/*
 * Turns h, a segment the client sent, into an RST back to it (in the
 * numbers the client knows) and sends it. Takes ownership of h.
 */
void splice_reset_client(struct worker *w, struct rte_mbuf *h);

/* Seconds without a cookie after which a worker says intercept stopped. */
#define SPLICE_QUIET_S 10

/* Ends a worker's intercept episode after SPLICE_QUIET_S without a cookie
 * (a stop notice with what it did). */
void splice_tick(struct worker *w);

/* The flow goes: held segments are freed; a client whose server never
 * answered gets an RST when reset_client. */
void splice_free(struct worker *w, struct wk_flow *f, bool reset_client);

#endif /* SMTPWALL_SPLICE_H */
