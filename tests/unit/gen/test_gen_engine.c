/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-gen's engine over a simulated wire and DUT, on a simulated
 * nanosecond clock (no EAL, no time measured): what --check relies on.
 * - A cut session does not hold its closed-loop slot while it waits out
 *   --cut-wait: with -C 1 the next session starts at once (issue 16.1).
 * - An RST from the DUT confirms a cut at once; the other direction's RST
 *   is taken, and the slot is freed at the deadline without a second count.
 * - A frame back on another queue than its flow's is counted (err_queue),
 *   never matched to a session of the lcore that received it.
 * - A wire that takes no frame ends the run: sessions lost, none left.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "gen.h"
#include "pkt.h"
#include "rss.h"

#define WIRE_MAX 4096
#define NS_MS 1000000ULL

enum dut { DUT_PLAIN, DUT_DROP, DUT_RESET };

/* Frames the engine sent, until the DUT hands them on. */
struct wire {
	uint8_t buf[WIRE_MAX][GEN_FRAME_MAX];
	uint32_t len[WIRE_MAX];
	uint8_t side[WIRE_MAX];
	uint32_t n;
	bool refuse; /* the port takes nothing (the DUT went away) */
};

static struct wire wire;

static int
tx_wire(void *arg, enum gen_side from, const uint8_t *frame, uint32_t len)
{
	struct wire *w = arg;

	if (w->refuse || w->n == WIRE_MAX)
		return -1;
	memcpy(w->buf[w->n], frame, len);
	w->len[w->n] = len;
	w->side[w->n] = (uint8_t)from;
	w->n++;
	return 0;
}

static void
parse_cfg(struct gen_cfg *cfg, const char *const *args, int n)
{
	char *argv[32];
	int i;

	cr_assert_lt(n, 31);
	argv[0] = (char *)(uintptr_t) "smtpwall-gen";
	for (i = 0; i < n; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	argv[n + 1] = NULL;
	cr_assert_eq(gen_args_parse(cfg, n + 1, argv), 0);
}

#define CFG(cfg, ...) \
	do { \
		static const char *const a_[] = {__VA_ARGS__}; \
		parse_cfg(cfg, a_, (int)(sizeof(a_) / sizeof(a_[0]))); \
	} while (0)

/* The violating steps the default policy cuts: the 101st RCPT, the long header. */
static bool
violates(const uint8_t *f, uint32_t len)
{
	return memmem(f, len, "<user100@", 9) != NULL || memmem(f, len, "X-Long: ", 8) != NULL;
}

/* The RST a resetting DUT sends the sender of f, and the one to its peer. */
static void
send_rsts(struct gen_engine *e, const uint8_t *f, uint32_t len, enum gen_side from, uint64_t now)
{
	uint8_t rst[GEN_FRAME_MAX];
	struct pkt_info pi;
	struct gen_tuple t;
	uint32_t n;

	cr_assert_eq(pkt_parse(f, len, &pi), PKT_OK);
	cr_assert_eq(from, GEN_C, "the violations are the client's");
	t.cip = pkt_load32(pi.src);
	t.sip = pkt_load32(pi.dst);
	t.cport = pi.sport;
	t.sport = pi.dport;
	/* As from the server, to the client; then as from the client, to the server. */
	n = gen_build_tcp(rst, &t, GEN_S, 0, pi.ack, pi.seq, PKT_TCP_RST | PKT_TCP_ACK, NULL, 0);
	gen_engine_rx(e, GEN_C, rst, n, now);
	n = gen_build_tcp(rst, &t, GEN_C, 0, pi.seq, pi.ack, PKT_TCP_RST | PKT_TCP_ACK, NULL, 0);
	gen_engine_rx(e, GEN_S, rst, n, now);
}

/* An inspecting DUT masks the 220 greeting (all but code, space, CR LF). */
static void
mask_banner(uint8_t *f, uint32_t len)
{
	struct pkt_info pi;
	uint8_t *p;

	cr_assert_eq(pkt_parse(f, len, &pi), PKT_OK);
	p = f + pi.payload_off;
	if (pi.payload_len < 6 || pi.sport != 25 || memcmp(p, "220 ", 4) != 0)
		return;
	memset(p + 4, '*', pi.payload_len - 6u);
	pkt_l4_cksum_set(f, &pi);
}

/* The DUT: each frame sent comes back on the other side, to engine `to`. */
static void
dut(struct gen_engine *to, enum dut mode, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < wire.n; i++) {
		enum gen_side from = (enum gen_side)wire.side[i];

		if (mode != DUT_PLAIN && violates(wire.buf[i], wire.len[i])) {
			if (mode == DUT_RESET)
				send_rsts(to, wire.buf[i], wire.len[i], from, now);
			continue;
		}
		if (mode != DUT_PLAIN)
			mask_banner(wire.buf[i], wire.len[i]);
		gen_engine_rx(to, from == GEN_C ? GEN_S : GEN_C, wire.buf[i], wire.len[i], now);
	}
	wire.n = 0;
}

/* One poll round: start, send, the DUT answers, 1 us passes, timeouts. */
static void
round_trip(struct gen_engine *e, const struct gen_cfg *cfg, enum dut mode, uint64_t *now)
{
	gen_engine_poll(e, *now, gen_engine_ctr(e)->sess_started < cfg->sessions, false);
	dut(e, mode, *now);
	*now += 1000;
	gen_engine_expire(e, *now);
}

static struct gen_engine *
engine(const struct gen_cfg *cfg)
{
	struct gen_engine *e;

	cr_assert_eq(gen_session_init(), 0);
	wire.n = 0;
	wire.refuse = false;
	e = gen_engine_create(cfg, 1000000000ULL, tx_wire, &wire, 0, 1, NULL);
	cr_assert_not_null(e);
	return e;
}

static bool
done(struct gen_engine *e, const struct gen_cfg *cfg)
{
	return gen_engine_ctr(e)->sess_started == cfg->sessions && gen_engine_active(e) == 0;
}

Test(gen_engine, plain_dut_every_session_completes)
{
	struct gen_cfg cfg;
	struct gen_engine *e;
	uint64_t now = NS_MS, r;

	CFG(&cfg, "-n", "200", "-C", "16", "--plain", "--check");
	e = engine(&cfg);
	for (r = 0; r < 1000000 && !done(e, &cfg); r++)
		round_trip(e, &cfg, DUT_PLAIN, &now);
	cr_assert(done(e, &cfg));
	cr_expect_eq(gen_stats_check(&cfg, gen_engine_ctr(e)), 0);
	cr_expect_gt(gen_engine_ctr(e)->sess_cut, 0, "the default mix has violating sessions");
	gen_engine_free(e);
}

Test(gen_engine, cut_session_does_not_hold_the_closed_loop_slot)
{
	struct gen_cfg cfg;
	struct gen_engine *e;
	uint64_t now = NS_MS, t0 = NS_MS, r;
	uint32_t most = 0;

	/* Every session is cut; one in flight; a long wait (50 ms) for each cut. */
	CFG(&cfg, "-n", "4", "-C", "1", "--mix", "rcpt101", "--cut-wait", "50", "--timeout", "1000",
			"--check");
	e = engine(&cfg);
	for (r = 0; r < 10000000 && !done(e, &cfg); r++) {
		round_trip(e, &cfg, DUT_DROP, &now);
		if (gen_engine_active(e) > most)
			most = gen_engine_active(e);
	}
	cr_assert(done(e, &cfg));
	cr_expect_eq(gen_stats_check(&cfg, gen_engine_ctr(e)), 0);
	cr_expect_eq(gen_engine_ctr(e)->sess_cut, 4);
	/* The next session started while the cut ones waited... */
	cr_expect_geq(most, 2, "with -C 1, sessions waiting out a cut beside the running one");
	/* ...so the four took less than two waits, not four (simulated clock). */
	cr_expect_lt(now - t0, 2 * 50 * NS_MS, "run of %llu ns", (unsigned long long)(now - t0));
	gen_engine_free(e);
}

Test(gen_engine, rst_confirms_the_cut_at_once)
{
	struct gen_cfg cfg;
	struct gen_engine *e;
	uint64_t now = NS_MS, t0 = NS_MS, t_cut = 0, r;

	CFG(&cfg, "-n", "3", "-C", "1", "--mix", "rcpt101=1,longhdr=1", "--cut-wait", "1000",
			"--check");
	e = engine(&cfg);
	for (r = 0; r < 10000000 && !done(e, &cfg); r++) {
		round_trip(e, &cfg, DUT_RESET, &now);
		if (t_cut == 0 && gen_engine_ctr(e)->sess_cut == 3)
			t_cut = now;
	}
	cr_assert(done(e, &cfg));
	cr_expect_eq(gen_stats_check(&cfg, gen_engine_ctr(e)), 0, "both RSTs taken, no stray");
	cr_expect_eq(gen_engine_ctr(e)->cut_rst, 3);
	cr_expect_eq(gen_engine_ctr(e)->sess_cut, 3, "counted once each");
	cr_expect_lt(t_cut - t0, 100 * NS_MS, "cuts known from the RSTs, not the 1 s wait");
	cr_expect_geq(now - t0, 1000 * NS_MS, "the slots were kept until the wait ended");
	gen_engine_free(e);
}

Test(gen_engine, rst_without_violation_fails_the_session)
{
	struct gen_cfg cfg;
	struct gen_engine *e;
	uint64_t now = NS_MS;
	uint8_t rst[GEN_FRAME_MAX];
	struct gen_tuple t;
	uint32_t n;

	CFG(&cfg, "-n", "1", "-C", "1", "--mix", "short", "--check");
	e = engine(&cfg);
	gen_engine_poll(e, now, true, false); /* the SYN */
	dut(e, DUT_PLAIN, now);
	gen_tuple_of(0, &t);
	n = gen_build_tcp(rst, &t, GEN_S, 0, 0, 0, PKT_TCP_RST | PKT_TCP_ACK, NULL, 0);
	gen_engine_rx(e, GEN_C, rst, n, now);
	cr_expect_eq(gen_engine_ctr(e)->sess_failed, 1);
	cr_expect_eq(gen_engine_ctr(e)->err_order, 1);
	cr_expect_eq(gen_engine_ctr(e)->cut_rst, 0);
	cr_expect_eq(gen_engine_active(e), 0);
	gen_engine_free(e);
}

Test(gen_engine, frame_on_the_wrong_queue_is_counted_not_matched)
{
	static struct rss_ctx rss;
	struct gen_cfg cfg;
	struct gen_engine *e0, *e1;
	uint64_t now = NS_MS, r, sent;

	rss_ctx_init(&rss, rss_sym_key);
	CFG(&cfg, "-n", "20", "-C", "4", "--mix", "short", "--plain", "--check");
	cr_assert_eq(gen_session_init(), 0);
	wire.n = 0;
	wire.refuse = false;
	e0 = gen_engine_create(&cfg, 1000000000ULL, tx_wire, &wire, 0, 2, &rss);
	e1 = gen_engine_create(&cfg, 1000000000ULL, tx_wire, &wire, 1, 2, &rss);
	cr_assert(e0 != NULL && e1 != NULL);
	/* e0's first frames come back to the lcore of queue 1. */
	gen_engine_poll(e0, now, true, false);
	sent = wire.n;
	cr_assert_gt(sent, 0);
	dut(e1, DUT_PLAIN, now);
	cr_expect_eq(gen_engine_ctr(e1)->err_queue, sent);
	cr_expect_eq(gen_engine_ctr(e1)->err_stray + gen_engine_ctr(e1)->sess_failed, 0);
	/* Back on the right queue, the others complete; the first four are lost. */
	for (r = 0; r < 10000000 && !done(e0, &cfg); r++)
		round_trip(e0, &cfg, DUT_PLAIN, &now);
	cr_assert(done(e0, &cfg));
	cr_expect_eq(gen_engine_ctr(e0)->err_queue, 0);
	cr_expect_eq(gen_engine_ctr(e0)->sess_completed + gen_engine_ctr(e0)->sess_lost, 20);
	cr_expect_eq(gen_engine_ctr(e0)->sess_lost, 4, "the four whose SYN went astray");
	gen_engine_free(e0);
	gen_engine_free(e1);
}

Test(gen_engine, wire_that_takes_nothing_ends_the_run)
{
	struct gen_cfg cfg;
	struct gen_engine *e;
	uint64_t now = NS_MS, r;

	CFG(&cfg, "-n", "3", "-C", "3", "--timeout", "10");
	e = engine(&cfg);
	wire.refuse = true;
	for (r = 0; r < 100000 && !done(e, &cfg); r++)
		round_trip(e, &cfg, DUT_PLAIN, &now);
	cr_assert(done(e, &cfg), "%u sessions still active", gen_engine_active(e));
	cr_expect_eq(gen_engine_ctr(e)->sess_lost, 3);
	cr_expect_gt(gen_engine_ctr(e)->tx_fail, 0);
	gen_engine_free(e);
}
