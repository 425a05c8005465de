/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --pcap FILE: the same sessions, written to a capture instead of a port
 * (for tcpreplay, pktgen's pcap mode, or smtpwall's offline mode). The
 * engine runs in loopback: every frame written "comes back" unchanged on
 * the other side at once, so the capture holds both directions in a
 * causally plausible order, `--concurrency` sessions interleaved. Violating
 * sessions end at their violating frame (what a default-policy DUT cuts).
 * No EAL: a synthetic nanosecond clock, one microsecond per frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "pcap_file.h"

struct frame_q {
	uint8_t (*buf)[GEN_FRAME_MAX];
	uint32_t *len;
	uint8_t *side;
	uint32_t n, cap;
};

struct pcap_ctx {
	struct pcap_writer w;
	struct frame_q q;
	uint64_t now_ns;
	int err;
};

static int
tx_pcap(void *arg, enum gen_side from, const uint8_t *frame, uint32_t len)
{
	struct pcap_ctx *ctx = arg;
	struct frame_q *q = &ctx->q;

	if (q->n == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 1024;
		void *b = realloc(q->buf, (size_t)cap * GEN_FRAME_MAX);
		void *l = realloc(q->len, (size_t)cap * sizeof(*q->len));
		void *s = realloc(q->side, cap);

		if (b != NULL)
			q->buf = b;
		if (l != NULL)
			q->len = l;
		if (s != NULL)
			q->side = s;
		if (b == NULL || l == NULL || s == NULL) {
			ctx->err = 1;
			return -1;
		}
		q->cap = cap;
	}
	ctx->now_ns += 1000;
	if (pcap_writer_write(&ctx->w, frame, len, ctx->now_ns) != 0) {
		ctx->err = 1;
		return -1;
	}
	memcpy(q->buf[q->n], frame, len);
	q->len[q->n] = len;
	q->side[q->n] = (uint8_t)from;
	q->n++;
	return 0;
}

int
gen_pcap_run(const struct gen_cfg *user_cfg)
{
	struct gen_cfg cfg = *user_cfg;
	struct pcap_ctx ctx;
	struct gen_engine *e;
	char err[256];
	int rc = 0;

	cfg.plain = true;
	cfg.udp_inflight = 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.now_ns = 1700000000ULL * 1000000000ULL;
	if (gen_session_init() != 0)
		return 2;
	if (pcap_writer_open(&ctx.w, cfg.pcap, PCAP_LINKTYPE_ETHERNET, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtpwall-gen: %s\n", err);
		return 2;
	}
	e = gen_engine_create(&cfg, 1000000000ULL, tx_pcap, &ctx, 0, 1, NULL);
	if (e == NULL) {
		pcap_writer_close(&ctx.w);
		return 2;
	}
	for (;;) {
		uint32_t i;

		gen_engine_poll(e, ctx.now_ns, gen_engine_ctr(e)->sess_started < cfg.sessions,
				false);
		if (ctx.err)
			break;
		if (ctx.q.n == 0 && gen_engine_active(e) == 0 &&
				gen_engine_ctr(e)->sess_started >= cfg.sessions)
			break;
		for (i = 0; i < ctx.q.n; i++)
			gen_engine_rx(e, ctx.q.side[i] == GEN_C ? GEN_S : GEN_C, ctx.q.buf[i],
					ctx.q.len[i], ctx.now_ns);
		ctx.q.n = 0;
	}
	if (ctx.err) {
		fprintf(stderr, "smtpwall-gen: writing %s failed\n", cfg.pcap);
		rc = 2;
	}
	printf("smtpwall-gen: wrote %llu frames of %llu sessions (%llu cut at the violation) to %s\n",
			(unsigned long long)ctx.w.records,
			(unsigned long long)gen_engine_ctr(e)->sess_started,
			(unsigned long long)gen_engine_ctr(e)->sess_cut, cfg.pcap);
	if (cfg.check && gen_stats_check(&cfg, gen_engine_ctr(e)) != 0)
		rc = 1;
	if (pcap_writer_close(&ctx.w) != 0)
		rc = 2;
	gen_engine_free(e);
	free(ctx.q.buf);
	free(ctx.q.len);
	free(ctx.q.side);
	return rc;
}
