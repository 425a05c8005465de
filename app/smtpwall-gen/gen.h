/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-gen: a stateful SMTP traffic generator for a bump-in-the-wire
 * device under test (DUT). Port "client" (c) faces the DUT's inside port,
 * port "server" (s) its outside port. Every session is a script of steps,
 * each sent from one side; in closed loop a step is sent only after the
 * generator got the previous step back through the DUT on the other side.
 *
 * This header is shared by the files of the generator; none of it is a
 * public API.
 */
#ifndef SMTPWALL_GEN_H
#define SMTPWALL_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEN_MSS 1448 /* payload bytes per body segment */
#define GEN_WMAX 32 /* most segments of one session in flight */
#define GEN_FRAME_MAX 1600 /* largest frame built */
#define GEN_MAX_RCPT 101 /* rcpt101 sends exactly this many */
#define GEN_MAX_CONC 65536 /* the IP id carries the session slot */

/* Session templates. X(name, "what it is"). */
#define GEN_FOREACH_TMPL(X) \
	X(SHORT, "short", "handshake, banner, EHLO, MAIL, 1-N RCPT, DATA, QUIT, FIN") \
	X(DATA, "data", "one long message (DATA-heavy)") \
	X(VERB, "verb", "short, plus an unknown verb (X-ed by the DUT)") \
	X(STARTTLS, "starttls", "short, STARTTLS offered in the EHLO reply (masked)") \
	X(RCPT101, "rcpt101", "101 RCPT TO: cut at the 101st") \
	X(LONGHDR, "longhdr", "a header line over 998 bytes: cut in DATA") \
	X(CONN, "conn", "handshake and FIN close, no data (connections/s)") \
	X(IDLE, "idle", "handshake only, left open (memory per connection)")

/* clang-format off */
enum gen_tmpl {
#define GEN_TMPL_ENUM(e, name, doc) GEN_T_##e,
	GEN_FOREACH_TMPL(GEN_TMPL_ENUM)
#undef GEN_TMPL_ENUM
	GEN_T_MAX
};
/* clang-format on */

const char *gen_tmpl_name(unsigned int t);
const char *gen_tmpl_doc(unsigned int t);

/* A size distribution (message bytes). */
enum gen_dist_kind { GEN_DIST_FIXED, GEN_DIST_UNIFORM, GEN_DIST_EXP };
struct gen_dist {
	enum gen_dist_kind kind;
	uint32_t a, b; /* fixed: a; uniform: [a, b]; exp: mean a, cap b */
};

struct gen_cfg {
	const char *port_c, *port_s; /* device names or port ids */
	uint64_t sessions; /* sessions to run (0: until duration) */
	double duration; /* seconds (0: until sessions) */
	double warmup; /* seconds excluded from the RESULT line */
	uint32_t concurrency; /* sessions in flight */
	uint32_t window; /* same-direction segments in flight per session */
	uint32_t weight[GEN_T_MAX];
	uint32_t weight_sum;
	uint32_t rcpt_max; /* short sessions: 1..rcpt_max recipients */
	struct gen_dist body; /* short sessions' message size */
	struct gen_dist data_body; /* DATA-heavy sessions' message size */
	uint32_t udp_inflight; /* 64-byte UDP frames kept in flight (0: none); with
				  udp_rate, the most in flight */
	double rate; /* open loop: sessions started per second (0: as the window allows) */
	double udp_rate; /* open loop: UDP frames sent per second (0: closed loop) */
	const char *lat_out; /* --lat-out FILE: the latency histogram, CSV */
	double timeout_ms; /* a step not back by then is lost */
	double cut_wait_ms; /* a cut step not back by then was cut (good) */
	double stats_s; /* per-interval report (0: none) */
	uint64_t seed;
	bool check; /* exit 1 when the counts are wrong */
	bool plain; /* the DUT forwards unchanged (--plain, and the pcap mode) */
	bool quiet;
	bool hold; /* ports stay open after the run until a signal (--hold) */
	const char *pcap; /* --pcap FILE: write instead of sending */
	const char *result_tag; /* printed in the RESULT line */
};

/* Returns 0 to run, 1 to exit 0 (help), -1 on a bad option (message printed). */
int gen_args_parse(struct gen_cfg *cfg, int argc, char **argv);
void gen_args_usage(const char *prog);

/* One step of a session script. */
enum gen_side { GEN_C = 0, GEN_S = 1 }; /* who sends it */
enum gen_expect {
	GEN_X_SAME = 0, /* comes back byte for byte */
	GEN_X_BANNER, /* 220 greeting: all but code, separator, CR LF as '*' */
	GEN_X_STARTTLS, /* EHLO reply: STARTTLS as XXXXXXXX */
	GEN_X_VERB, /* unknown command: line but CR LF as 'X' */
	GEN_X_CUT, /* must not come back: the DUT drops the connection */
};
struct gen_step {
	uint8_t side; /* enum gen_side */
	uint8_t tcp_flags; /* PKT_TCP_* */
	uint8_t expect; /* enum gen_expect */
	uint8_t kind; /* step kind (session.c) */
	uint32_t arg; /* recipient number, body segment number */
};

/*
 * CUTWAIT: the violating step is out and must not come back (--cut-wait);
 * the session no longer holds a closed-loop place. CUTDONE: an RST from the
 * DUT confirmed the cut; the slot stays to the deadline to take the other
 * direction's RST and to prove the step still does not come back.
 */
enum gen_sstate { GEN_SS_FREE = 0, GEN_SS_ACTIVE, GEN_SS_CUTWAIT, GEN_SS_CUTDONE };

struct gen_session {
	uint64_t id; /* global session number: gives the 5-tuple */
	uint8_t tmpl;
	uint8_t state; /* enum gen_sstate */
	uint8_t in_ready;
	uint8_t inflight; /* steps sent, not back yet */
	uint8_t run_side; /* side of the steps in flight */
	uint16_t n_rcpt;
	uint16_t slot;
	uint32_t msg_len; /* DATA content, including the final ".\r\n" */
	uint32_t n_steps;
	uint32_t next_send, next_recv; /* step numbers */
	uint32_t snd_seq[2]; /* next sequence number each side sends */
	uint32_t rcv_seq[2]; /* next sequence number expected back, per sender */
	uint64_t deadline; /* TSC: lost (or cut) when passed */
	uint64_t t_sent[GEN_WMAX]; /* TSC at send, by step number % GEN_WMAX */
};

/* session.c: scripts. */
void
gen_session_setup(struct gen_session *s, const struct gen_cfg *cfg, uint64_t id, uint64_t *rng);
/* Step number i (< s->n_steps) of the script. */
void gen_session_step(const struct gen_session *s, uint32_t i, struct gen_step *st);
/*
 * Payload of a step as the sender sends it (raw) or as it must come back
 * through a default-policy DUT (masked). Returns the length (<= GEN_MSS).
 */
uint32_t gen_session_payload(
		const struct gen_session *s, const struct gen_step *st, uint8_t *buf, bool masked);
/* Initialise the shared message buffers; 0 or -1. */
int gen_session_init(void);

/* The addresses of a session. */
struct gen_tuple {
	uint32_t cip, sip; /* host order */
	uint16_t cport, sport;
};
void gen_tuple_of(uint64_t id, struct gen_tuple *t);
/* The session id of a client->server tuple; 0, or -1 when it is none. */
int gen_tuple_id(const struct gen_tuple *t, uint64_t *id);

/* build.c: frames (pure C, checksums from lib/pkt). Returns the frame length. */
uint32_t
gen_build_tcp(uint8_t *frame, const struct gen_tuple *t, enum gen_side from, uint16_t ip_id,
		uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload, uint32_t len);
/* 60-byte UDP frame (64 on the wire with the FCS) carrying tsc and a counter. */
uint32_t
gen_build_udp(uint8_t *frame, uint32_t flow, enum gen_side from, uint64_t tsc, uint64_t counter);

/* Counters. X(name): all uint64_t, summed over the run. */
#define GEN_FOREACH_CTR(X) \
	X(tx_pkts) \
	X(tx_bytes) \
	X(tx_fail) \
	X(rx_pkts) \
	X(rx_bytes) \
	X(sess_started) \
	X(sess_completed) \
	X(sess_cut) \
	X(sess_lost) \
	X(sess_failed) \
	X(pkts_lost) \
	X(udp_tx) \
	X(udp_rx) \
	X(udp_lost) \
	X(banner_masked) \
	X(starttls_masked) \
	X(verb_masked) \
	X(err_parse) \
	X(err_csum) \
	X(err_stray) \
	X(err_port) \
	X(err_order) \
	X(err_payload) \
	X(err_unmasked) \
	X(err_not_cut) \
	X(err_udp) \
	X(err_queue) \
	X(cut_rst)

struct gen_ctr {
#define GEN_CTR_FIELD(n) uint64_t n;
	GEN_FOREACH_CTR(GEN_CTR_FIELD)
#undef GEN_CTR_FIELD
	uint64_t started[GEN_T_MAX];
	uint64_t completed[GEN_T_MAX];
};

/* Latency histogram: 100 ns buckets to 100 us, then 10 us buckets to 10 ms. */
#define GEN_LAT_FINE 1000
#define GEN_LAT_COARSE 1000
struct gen_lat {
	uint64_t n;
	uint64_t fine[GEN_LAT_FINE];
	uint64_t coarse[GEN_LAT_COARSE];
	uint64_t over;
};

/* stats.c */
void gen_lat_add(struct gen_lat *l, uint64_t ns);
/* Percentile p (0..100) in nanoseconds; 0 when empty. */
uint64_t gen_lat_pct(const struct gen_lat *l, double p);
/* Writes the non-empty buckets as CSV "upper_ns,count" lines; 0 or -1. */
int gen_lat_write(const struct gen_lat *l, const char *path);
void gen_stats_interval(const struct gen_ctr *now, const struct gen_ctr *prev, double secs,
		uint32_t active);
/*
 * Totals from c; the RESULT rates from end - base over secs (the measured
 * window); busy: the busiest lcore's share of its cycles spent on polls that
 * moved frames (0..1), so a benchmark can tell whether the generator was the
 * bottleneck.
 */
void gen_stats_final(const struct gen_cfg *cfg, const struct gen_ctr *c, const struct gen_lat *lat,
		const struct gen_ctr *base, const struct gen_ctr *end, double secs, double busy);
/* dst += src (counters; latency histograms). */
void gen_ctr_add(struct gen_ctr *dst, const struct gen_ctr *src);
void gen_lat_add_all(struct gen_lat *dst, const struct gen_lat *src);
/* Checks the counts for --check; prints every failure; returns failures. */
int gen_stats_check(const struct gen_cfg *cfg, const struct gen_ctr *c);

/* The engine (engine.c): sessions, receive checks, timeouts. */
struct gen_engine;
struct rss_ctx;
typedef int (*gen_tx_fn)(void *arg, enum gen_side from, const uint8_t *frame, uint32_t len);
/*
 * One engine per lcore. With nq > 1 (rss set) the engine is queue q of nq:
 * it runs only sessions (and UDP flows) whose addresses and ports hash, with
 * the symmetric Toeplitz key smtpwall programs into NICs, to queue q, so
 * both directions of each travel on queue q as a NIC's RSS would put them;
 * the lcores' sessions are disjoint. cfg's counts are this engine's share.
 */
struct gen_engine *gen_engine_create(const struct gen_cfg *cfg, uint64_t hz, gen_tx_fn tx,
		void *tx_arg, unsigned int q, unsigned int nq, const struct rss_ctx *rss);
/* The queue among nq a session's (or a UDP flow's) frames hash to. */
unsigned int gen_queue_of_session(const struct rss_ctx *rss, uint64_t id, unsigned int nq);
unsigned int gen_queue_of_udp(const struct rss_ctx *rss, uint32_t flow, unsigned int nq);
/* The UDP flow gen_build_udp uses for flow number `flow`: its addresses. */
void gen_udp_tuple_of(uint32_t flow, struct gen_tuple *t);
void gen_engine_free(struct gen_engine *e);
/* Starts sessions and sends what may be sent now. Returns frames sent. */
uint32_t gen_engine_poll(struct gen_engine *e, uint64_t now, bool may_start, bool udp_on);
/* One frame came back through the DUT on side `at`. */
void gen_engine_rx(struct gen_engine *e, enum gen_side at, const uint8_t *frame, uint32_t len,
		uint64_t now);
/* Times out lost steps and finishes cut sessions. */
void gen_engine_expire(struct gen_engine *e, uint64_t now);
uint32_t gen_engine_active(const struct gen_engine *e);
uint64_t gen_engine_udp_inflight(const struct gen_engine *e);
/* Gives up on every UDP frame still out (end of run). */
void gen_engine_udp_flush(struct gen_engine *e);
struct gen_ctr *gen_engine_ctr(struct gen_engine *e);
struct gen_lat *gen_engine_lat(struct gen_engine *e);

/* pcap_out.c: --pcap FILE. Returns the exit status. */
int gen_pcap_run(const struct gen_cfg *cfg);

#endif /* SMTPWALL_GEN_H */
