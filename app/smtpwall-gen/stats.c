/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters, the latency histogram, the reports and the --check verdict. */
#include <inttypes.h>
#include <stdio.h>

#include "gen.h"

void
gen_lat_add(struct gen_lat *l, uint64_t ns)
{
	l->n++;
	if (ns < GEN_LAT_FINE * 100)
		l->fine[ns / 100]++;
	else if (ns < GEN_LAT_FINE * 100 + (uint64_t)GEN_LAT_COARSE * 10000)
		l->coarse[(ns - GEN_LAT_FINE * 100) / 10000]++;
	else
		l->over++;
}

uint64_t
gen_lat_pct(const struct gen_lat *l, double p)
{
	uint64_t want, seen = 0;
	uint32_t i;

	if (l->n == 0)
		return 0;
	want = (uint64_t)((double)l->n * p / 100.0);
	if (want >= l->n)
		want = l->n - 1;
	for (i = 0; i < GEN_LAT_FINE; i++) {
		seen += l->fine[i];
		if (seen > want)
			return (uint64_t)i * 100 + 50;
	}
	for (i = 0; i < GEN_LAT_COARSE; i++) {
		seen += l->coarse[i];
		if (seen > want)
			return GEN_LAT_FINE * 100 + (uint64_t)i * 10000 + 5000;
	}
	return GEN_LAT_FINE * 100 + (uint64_t)GEN_LAT_COARSE * 10000;
}

int
gen_lat_write(const struct gen_lat *l, const char *path)
{
	FILE *f = fopen(path, "w");
	uint32_t i;
	int rc;

	if (f == NULL)
		return -1;
	fprintf(f, "upper_ns,count\n");
	for (i = 0; i < GEN_LAT_FINE; i++)
		if (l->fine[i] != 0)
			fprintf(f, "%" PRIu64 ",%" PRIu64 "\n", (uint64_t)(i + 1) * 100,
					l->fine[i]);
	for (i = 0; i < GEN_LAT_COARSE; i++)
		if (l->coarse[i] != 0)
			fprintf(f, "%" PRIu64 ",%" PRIu64 "\n",
					GEN_LAT_FINE * 100 + (uint64_t)(i + 1) * 10000,
					l->coarse[i]);
	if (l->over != 0)
		fprintf(f, "inf,%" PRIu64 "\n", l->over);
	rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

#define D(f) ((double)(now->f - prev->f))

void
gen_stats_interval(
		const struct gen_ctr *now, const struct gen_ctr *prev, double secs, uint32_t active)
{
	if (secs <= 0)
		return;
	printf("tx %7.3f Mpps %6.3f Gbps | rx %7.3f Mpps %6.3f Gbps | sessions/s started %8.0f "
	       "done %8.0f cut %6.0f | lost %" PRIu64 " errors %" PRIu64 " | active %u\n",
			D(tx_pkts) / secs / 1e6, D(tx_bytes) * 8 / secs / 1e9,
			D(rx_pkts) / secs / 1e6, D(rx_bytes) * 8 / secs / 1e9,
			D(sess_started) / secs, D(sess_completed) / secs, D(sess_cut) / secs,
			now->pkts_lost,
			now->err_parse + now->err_csum + now->err_stray + now->err_port +
					now->err_order + now->err_payload + now->err_unmasked +
					now->err_not_cut + now->err_udp + now->err_queue,
			active);
	fflush(stdout);
}

static uint64_t
errors(const struct gen_ctr *c)
{
	return c->err_parse + c->err_csum + c->err_stray + c->err_port + c->err_order +
			c->err_payload + c->err_unmasked + c->err_not_cut + c->err_udp +
			c->err_queue;
}

void
gen_stats_final(const struct gen_cfg *cfg, const struct gen_ctr *c, const struct gen_lat *lat,
		const struct gen_ctr *base, const struct gen_ctr *end, double secs, double busy)
{
	unsigned int t;
	const struct gen_ctr *now = end, *prev = base;

#define GEN_CTR_PRINT(n) printf("  %-16s %" PRIu64 "\n", #n, c->n);
	printf("smtpwall-gen: totals\n");
	GEN_FOREACH_CTR(GEN_CTR_PRINT)
#undef GEN_CTR_PRINT
	for (t = 0; t < GEN_T_MAX; t++)
		if (c->started[t] != 0)
			printf("  %-16s started %" PRIu64 " completed %" PRIu64 "\n",
					gen_tmpl_name(t), c->started[t], c->completed[t]);
	printf("  latency          p50 %.1f us  p99 %.1f us  p99.9 %.1f us  (%" PRIu64
	       " samples, generator TSC send -> receive)\n",
			(double)gen_lat_pct(lat, 50) / 1e3, (double)gen_lat_pct(lat, 99) / 1e3,
			(double)gen_lat_pct(lat, 99.9) / 1e3, lat->n);
	/* One line for scripts; rates over the measured window only. */
	if (secs <= 0)
		secs = 1e-9;
	printf("RESULT tag=%s secs=%.3f tx_mpps=%.4f rx_mpps=%.4f tx_gbps=%.4f rx_gbps=%.4f "
	       "sess_per_s=%.0f done_per_s=%.0f started=%" PRIu64 " completed=%" PRIu64
	       " cut=%" PRIu64 " lost_sess=%" PRIu64 " lost_pkts=%" PRIu64 " failed=%" PRIu64
	       " errors=%" PRIu64 " banner_masked=%" PRIu64 " starttls_masked=%" PRIu64
	       " verb_masked=%" PRIu64 " lat_p50_us=%.1f lat_p99_us=%.1f lat_p999_us=%.1f"
	       " lat_n=%" PRIu64 " offered_rate=%.0f offered_udp_rate=%.0f gen_busy=%.3f\n",
			cfg->result_tag ? cfg->result_tag : "-", secs, D(tx_pkts) / secs / 1e6,
			D(rx_pkts) / secs / 1e6, D(tx_bytes) * 8 / secs / 1e9,
			D(rx_bytes) * 8 / secs / 1e9, D(sess_started) / secs,
			D(sess_completed) / secs, c->sess_started, c->sess_completed, c->sess_cut,
			c->sess_lost, c->pkts_lost, c->sess_failed, errors(c), c->banner_masked,
			c->starttls_masked, c->verb_masked, (double)gen_lat_pct(lat, 50) / 1e3,
			(double)gen_lat_pct(lat, 99) / 1e3, (double)gen_lat_pct(lat, 99.9) / 1e3,
			lat->n, cfg->rate, cfg->udp_rate, busy);
	fflush(stdout);
}

#undef D

void
gen_ctr_add(struct gen_ctr *dst, const struct gen_ctr *src)
{
	unsigned int t;

#define GEN_CTR_SUM(n) dst->n += src->n;
	GEN_FOREACH_CTR(GEN_CTR_SUM)
#undef GEN_CTR_SUM
	for (t = 0; t < GEN_T_MAX; t++) {
		dst->started[t] += src->started[t];
		dst->completed[t] += src->completed[t];
	}
}

void
gen_lat_add_all(struct gen_lat *dst, const struct gen_lat *src)
{
	unsigned int i;

	dst->n += src->n;
	dst->over += src->over;
	for (i = 0; i < GEN_LAT_FINE; i++)
		dst->fine[i] += src->fine[i];
	for (i = 0; i < GEN_LAT_COARSE; i++)
		dst->coarse[i] += src->coarse[i];
}

static int
expect_eq(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		printf("check ok:   %s = %" PRIu64 "\n", what, got);
		return 0;
	}
	printf("check FAIL: %s = %" PRIu64 ", expected %" PRIu64 "\n", what, got, want);
	return 1;
}

int
gen_stats_check(const struct gen_cfg *cfg, const struct gen_ctr *c)
{
	const uint64_t *st = c->started;
	uint64_t smtp = st[GEN_T_SHORT] + st[GEN_T_DATA] + st[GEN_T_VERB] + st[GEN_T_STARTTLS] +
			st[GEN_T_RCPT101] + st[GEN_T_LONGHDR];
	uint64_t cut = st[GEN_T_RCPT101] + st[GEN_T_LONGHDR];
	int f = 0;

	f += expect_eq("errors (parse, checksum, stray, order, payload, unmasked, not cut, queue)",
			errors(c), 0);
	f += expect_eq("frames back on another queue than their flow's", c->err_queue, 0);
	f += expect_eq("sessions lost", c->sess_lost, 0);
	f += expect_eq("sessions failed", c->sess_failed, 0);
	f += expect_eq("packets lost", c->pkts_lost, 0);
	f += expect_eq("sessions completed (all but the violating ones)", c->sess_completed,
			c->sess_started - cut);
	f += expect_eq("sessions cut (rcpt101 + longhdr)", c->sess_cut, cut);
	if (!cfg->plain) {
		f += expect_eq("banners masked (one per SMTP session)", c->banner_masked, smtp);
		f += expect_eq("STARTTLS masked (starttls sessions)", c->starttls_masked,
				st[GEN_T_STARTTLS]);
		f += expect_eq("unknown verbs X-ed (verb sessions)", c->verb_masked,
				st[GEN_T_VERB]);
	}
	if (cfg->udp_inflight > 0)
		f += expect_eq("UDP frames back", c->udp_rx, c->udp_tx);
	return f;
}
