/* SPDX-License-Identifier: BSD-3-Clause */
#include "audit.h"

#include <errno.h>
#include <paths.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "app.h"
#include "audit_remote.h"
#include "policy.h"
#include "worker_state.h"

#define AUDIT_MAX_MSG_LIMITS 16

/* Where lines go: stdout or a file (f), syslog, or nowhere. */
struct audit_dest {
	FILE *f;
	bool owned; /* f is a file we opened (fclose it) */
	bool syslog;
	int facility; /* LOG_LOCALn */
};

static struct audit_dest cur, pending;
static const char *cli_spec; /* --audit, which wins over the configuration */
static struct policy_logging cur_lg; /* the configuration's, for audit_reopen */
static bool have_lg;
static uint64_t written, filtered, write_errors, unflushed;
static uint8_t trap_level = 7;
static struct log_limiter default_limit;
static unsigned int n_msg_limits;
static struct {
	uint32_t msgid;
	struct log_limiter lim;
} msg_limits[AUDIT_MAX_MSG_LIMITS];

/* ------------------------------------------------------------------ */
/* Destinations                                                         */

/* syslog(3) drops lines silently when nothing listens on /dev/log: ask
 * the way it connects (datagram, then stream) before relying on it. */
static int
syslog_reachable(char *err, size_t len)
{
	static const int types[] = {SOCK_DGRAM, SOCK_STREAM};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int e = ENOENT;
	unsigned int i;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", _PATH_LOG);
	for (i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			return 0;
		}
		e = errno;
		close(fd);
	}
	snprintf(err, len, "audit destination syslog: no syslog daemon on %s: %s", _PATH_LOG,
			strerror(e));
	return -1;
}

/* Opens spec ("-", "syslog", a file, NULL: none) into d. */
static int
dest_open(struct audit_dest *d, const char *spec, unsigned int facility, char *err, size_t len)
{
	memset(d, 0, sizeof(*d));
	if (spec == NULL)
		return 0;
	if (strcmp(spec, "-") == 0) {
		d->f = stdout;
	} else if (strcmp(spec, "syslog") == 0) {
		if (syslog_reachable(err, len) != 0)
			return -1;
		d->syslog = true;
		d->facility = LOG_LOCAL0 + (int)(facility & 7) * (LOG_LOCAL1 - LOG_LOCAL0);
	} else {
		d->f = fopen(spec, "a");
		if (d->f == NULL) {
			snprintf(err, len, "audit destination %s: %s", spec, strerror(errno));
			return -1;
		}
		d->owned = true;
	}
	return 0;
}

static void
dest_close(struct audit_dest *d)
{
	if (d->f != NULL && d->owned)
		fclose(d->f);
	else if (d->f != NULL)
		fflush(d->f);
	if (d->syslog)
		closelog();
	memset(d, 0, sizeof(*d));
}

/* The destination spec: the command line's, else the configuration's. */
static const char *
spec_of(const struct policy_logging *lg)
{
	if (cli_spec != NULL || lg == NULL)
		return cli_spec != NULL ? cli_spec : "-";
	switch (lg->dest) {
	case POLICY_LOG_FILE:
		return lg->file;
	case POLICY_LOG_SYSLOG:
		return "syslog";
	case POLICY_LOG_NONE:
		return NULL;
	default:
		return "-";
	}
}

/* The configured facility; local4 (the ASA's) before a configuration. */
static unsigned int
facility_of(const struct policy_logging *lg)
{
	return lg != NULL ? lg->facility : 4;
}

static void
dest_switch(void)
{
	audit_drain(); /* what is pending belongs to the old destination */
	if (cur.syslog && pending.syslog) {
		closelog(); /* openlog again below, maybe with another facility */
		cur.syslog = false;
	}
	dest_close(&cur);
	cur = pending;
	memset(&pending, 0, sizeof(pending));
	if (cur.syslog)
		openlog("smtpwall", LOG_NDELAY | LOG_PID, cur.facility);
}

int
audit_open(const char *spec)
{
	char err[256];

	cli_spec = spec;
	if (dest_open(&pending, spec_of(NULL), facility_of(NULL), err, sizeof(err)) != 0) {
		fprintf(stderr, "smtpwall: %s\n", err);
		return -1;
	}
	dest_switch();
	return 0;
}

void
audit_close(void)
{
	audit_drain();
	dest_close(&pending);
	dest_close(&cur);
	audit_remote_close();
	audit_remote_report(stdout, "smtpwall: ");
}

int
audit_prepare(const struct policy_logging *lg, char *err, size_t len)
{
	dest_close(&pending);
	return dest_open(&pending, spec_of(lg), facility_of(lg), err, len);
}

void
audit_abort(void)
{
	dest_close(&pending);
}

void
audit_commit(const struct policy_logging *lg)
{
	unsigned int i;

	dest_switch();
	audit_remote_apply(lg);
	cur_lg = *lg;
	have_lg = true;
	trap_level = lg->level;
	log_limiter_init(&default_limit, lg->rate, (uint64_t)lg->interval * 1000000000u, 0);
	n_msg_limits = 0;
	for (i = 0; i < lg->n_msg_limits && i < AUDIT_MAX_MSG_LIMITS; i++) {
		msg_limits[i].msgid = lg->msg_limits[i].msgid;
		log_limiter_init(&msg_limits[i].lim, lg->msg_limits[i].rate,
				(uint64_t)lg->msg_limits[i].interval * 1000000000u, 1);
		n_msg_limits++;
	}
}

int
audit_reopen(char *err, size_t len)
{
	const struct policy_logging *lg = have_lg ? &cur_lg : NULL;

	dest_close(&pending);
	if (dest_open(&pending, spec_of(lg), facility_of(lg), err, len) != 0)
		return -1;
	dest_switch();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Records                                                              */

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
	if (cur.syslog) {
		/* syslog adds its own time; the ASA severity is the priority. */
		syslog(r->severity & 7, "%s", line);
	} else if (cur.f != NULL) {
		gmtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%b %d %Y %H:%M:%S", &tm);
		if (fprintf(cur.f, "%s: %s\n", when, line) < 0)
			write_errors++;
		else
			unflushed++;
	}
	audit_remote_send(r->severity, facility_of(have_lg ? &cur_lg : NULL), r->ts_ns, r->msgid,
			line);
	written++;
}

unsigned int
audit_drain(void)
{
	struct log_rec r;
	unsigned int i, n = 0;

	audit_clock_poll();
	for (i = 0; i < app.n_workers; i++) {
		struct worker *w = app.workers[i];

		if (w == NULL || w->audit.log == NULL)
			continue;
		while (log_ring_pop(w->audit.log, &r)) {
			audit_write(&r);
			n++;
		}
	}
	audit_remote_poll();
	if (n != 0 && cur.f != NULL) {
		/* A full disk: the lines in the buffer are lost, and counted. */
		if (fflush(cur.f) != 0) {
			write_errors += unflushed;
			clearerr(cur.f);
		}
		unflushed = 0;
	}
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
audit_write_errors(void)
{
	return write_errors;
}

uint64_t
audit_ring_dropped(void)
{
	uint64_t d = 0;
	unsigned int i;

	for (i = 0; i < app.n_workers; i++)
		if (app.workers[i] != NULL && app.workers[i]->audit.log != NULL)
			d += app.workers[i]->audit.log->dropped;
	return d;
}
