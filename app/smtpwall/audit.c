/* SPDX-License-Identifier: BSD-3-Clause */
#include "audit.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <rte_cycles.h>

#include "app.h"
#include "policy.h"
#include "worker.h"

static FILE *audit_file;
static int audit_syslog;
static uint64_t written, filtered;
static uint8_t trap_level = 7;
static struct log_limiter default_limit;
static unsigned int n_msg_limits;
static struct {
	uint32_t msgid;
	struct log_limiter lim;
} msg_limits[16];
static uint64_t clock_tsc0, clock_ns0, clock_hz;

void
audit_clock_init(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	clock_ns0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	clock_tsc0 = rte_rdtsc();
	clock_hz = rte_get_tsc_hz();
}

uint64_t
audit_tsc_to_ns(uint64_t tsc)
{
	uint64_t d = tsc - clock_tsc0;

	if (clock_hz == 0)
		return clock_ns0;
	/* Split to avoid overflowing 64 bits after a few hours at GHz rates. */
	return clock_ns0 + d / clock_hz * 1000000000u + (d % clock_hz) * 1000000000u / clock_hz;
}

int
audit_open(const char *spec)
{
	if (spec == NULL || strcmp(spec, "-") == 0) {
		audit_file = stdout;
	} else if (strcmp(spec, "syslog") == 0) {
		openlog("smtpwall", LOG_NDELAY | LOG_PID, LOG_LOCAL4);
		audit_syslog = 1;
	} else {
		audit_file = fopen(spec, "a");
		if (audit_file == NULL) {
			perror(spec);
			return -1;
		}
	}
	return 0;
}

void
audit_close(void)
{
	audit_drain();
	if (audit_file != NULL && audit_file != stdout)
		fclose(audit_file);
	else if (audit_file != NULL)
		fflush(audit_file);
	if (audit_syslog)
		closelog();
	audit_file = NULL;
	audit_syslog = 0;
}

int
audit_configure(const struct policy_logging *lg, int cli_dest)
{
	unsigned int i;

	if (!cli_dest) {
		const char *spec = "-";

		if (lg->dest == POLICY_LOG_FILE)
			spec = lg->file;
		else if (lg->dest == POLICY_LOG_SYSLOG)
			spec = "syslog";
		audit_close();
		if (lg->dest == POLICY_LOG_NONE) {
			audit_file = NULL;
			audit_syslog = 0;
		} else if (audit_open(spec) != 0) {
			return -1;
		}
	}
	trap_level = lg->level;
	log_limiter_init(&default_limit, lg->rate, (uint64_t)lg->interval * 1000000000u, 0);
	n_msg_limits = 0;
	for (i = 0; i < lg->n_msg_limits && i < 16; i++) {
		msg_limits[i].msgid = lg->msg_limits[i].msgid;
		log_limiter_init(&msg_limits[i].lim, lg->msg_limits[i].rate,
			(uint64_t)lg->msg_limits[i].interval * 1000000000u, 1);
		n_msg_limits++;
	}
	return 0;
}

/* Level and rate limits, on the control lcore (the workers only cap the
 * total they push, so a flood cannot fill the rings). */
static bool
audit_pass(const struct log_rec *r)
{
	unsigned int i;

	if (r->severity > trap_level)
		return false;
	for (i = 0; i < n_msg_limits; i++)
		if (msg_limits[i].msgid == r->msgid)
			return log_limiter_allow(&msg_limits[i].lim, r->ts_ns);
	return log_limiter_allow(&default_limit, r->ts_ns);
}

static void
audit_write(const struct log_rec *r)
{
	char line[512], when[32];
	struct tm tm;
	time_t sec = (time_t)(r->ts_ns / 1000000000u);

	if (!audit_pass(r)) {
		filtered++;
		return;
	}
	log_format(r, line, sizeof(line));
	if (audit_syslog) {
		/* syslog adds its own time; the ASA severity is the priority. */
		syslog(r->severity & 7, "%s", line);
	} else if (audit_file != NULL) {
		gmtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%b %d %Y %H:%M:%S", &tm);
		fprintf(audit_file, "%s: %s\n", when, line);
	}
	written++;
}

unsigned int
audit_drain(void)
{
	struct log_rec r;
	unsigned int i, n = 0;

	for (i = 0; i < app.n_workers; i++) {
		struct worker *w = app.workers[i];

		if (w == NULL || w->log == NULL)
			continue;
		while (log_ring_pop(w->log, &r)) {
			audit_write(&r);
			n++;
		}
	}
	if (n != 0 && audit_file != NULL)
		fflush(audit_file);
	return n;
}

uint64_t
audit_filtered(void)
{
	return filtered;
}

uint64_t
audit_written(void)
{
	return written;
}

uint64_t
audit_ring_dropped(void)
{
	uint64_t d = 0;
	unsigned int i;

	for (i = 0; i < app.n_workers; i++)
		if (app.workers[i] != NULL && app.workers[i]->log != NULL)
			d += app.workers[i]->log->dropped;
	return d;
}
