/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Remote syslog servers of the audit trail (see audit_remote.h). Control
 * lcore only: sockets are non-blocking, nothing here ever waits except
 * audit_remote_close.
 */
#include "audit_remote.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "policy.h"
#include "tsclock.h"

#define REC_MAX 1024 /* bytes of one framed record (an ASA line is at most 512) */
#define RETRY_NS 1000000000ull /* a lost TCP server is tried again after a second */
#define CLOSE_WAIT_MS 1000 /* queued records get this long to leave at close */

enum host_state { H_DOWN, H_CONNECTING, H_UP };

struct host {
	struct policy_log_host cfg;
	int fd;
	enum host_state st;
	uint64_t retry_at; /* monotonic ns: next connection attempt (TCP) */
	uint64_t sent, dropped, reconnects;
	/* TCP: queued framed records, a ring of AUDIT_REMOTE_QUEUE */
	char (*rec)[REC_MAX];
	uint16_t *len;
	uint32_t head, count, off; /* off: bytes of the head record already sent */
};

static struct host hosts[POLICY_MAX_LOG_HOSTS];
static unsigned int n_hosts;
static struct policy_log_host cur_cfg[POLICY_MAX_LOG_HOSTS];
static char cur_device_id[POLICY_DEVICE_ID_MAX];
static char hostname[256] = "-";
static bool shut; /* audit_remote_close: counters kept for the report */

static socklen_t
host_sockaddr(const struct policy_log_host *c, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (c->addr.family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(c->port);
		memcpy(&s4->sin_addr, c->addr.addr, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(c->port);
	memcpy(&s6->sin6_addr, c->addr.addr, 16);
	return sizeof(*s6);
}

static void
host_down(struct host *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	h->st = H_DOWN;
	h->retry_at = audit_tsc_to_ns(rte_rdtsc()) + RETRY_NS;
	if (h->off != 0 && h->count != 0) {
		/* The record cut by the loss cannot be finished on a new
		 * connection: dropped; the queued ones follow. */
		h->head = (h->head + 1) % AUDIT_REMOTE_QUEUE;
		h->count--;
		h->dropped++;
	}
	h->off = 0;
}

/* A socket to h's server: UDP connected (send() reports ICMP refusals),
 * TCP connecting. */
static void
host_connect(struct host *h)
{
	struct sockaddr_storage ss;
	socklen_t sl = host_sockaddr(&h->cfg, &ss);
	int tcp = h->cfg.proto != 0;

	h->fd = socket(ss.ss_family,
			(tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		host_down(h);
		return;
	}
	if (connect(h->fd, (struct sockaddr *)&ss, sl) == 0)
		h->st = H_UP;
	else if (errno == EINPROGRESS)
		h->st = H_CONNECTING;
	else
		host_down(h);
}

/* "<PRI>..." framed for h's transport into out; its length, or 0. */
static size_t
format_rec(const struct host *h, uint8_t sev, unsigned int fac, uint64_t ts_ns, uint32_t msgid,
		const char *text, char *out, size_t cap)
{
	char body[REC_MAX], when[48], mid[16];
	time_t sec = (time_t)(ts_ns / 1000000000u);
	unsigned int pri = (16u + (fac & 7)) * 8u + (sev & 7u);
	struct tm tm;
	int n;

	gmtime_r(&sec, &tm);
	if (h->cfg.format != 0) {
		/* RFC 5424: version 1, UTC with its zone, APP-NAME, PROCID, MSGID. */
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		if (msgid != 0)
			snprintf(mid, sizeof(mid), "ASA-%u", msgid);
		else
			snprintf(mid, sizeof(mid), "-");
		n = snprintf(body, sizeof(body), "<%u>1 %s.%06uZ %s smtpwall %d %s - %s", pri, when,
				(unsigned int)(ts_ns / 1000u % 1000000u), hostname, (int)getpid(),
				mid, text);
	} else {
		/* RFC 3164: "Mmm dd hh:mm:ss" (UTC: the format has no zone). */
		strftime(when, sizeof(when), "%b %e %H:%M:%S", &tm);
		n = snprintf(body, sizeof(body), "<%u>%s %s %s", pri, when, hostname, text);
	}
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(body))
		n = sizeof(body) - 1;
	if (h->cfg.proto == 0) {
		n = snprintf(out, cap, "%s", body);
	} else if (h->cfg.format != 0) {
		n = snprintf(out, cap, "%d %s", n, body); /* RFC 6587 octet counting */
	} else {
		n = snprintf(out, cap, "%s\n", body); /* non-transparent framing */
	}
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Sends what the TCP queue holds until the socket pushes back. */
static void
host_flush(struct host *h)
{
	while (h->count != 0) {
		const char *r = h->rec[h->head];
		ssize_t n = send(h->fd, r + h->off, h->len[h->head] - h->off,
				MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				host_down(h);
			return;
		}
		h->off += (uint32_t)n;
		if (h->off < h->len[h->head])
			return;
		h->off = 0;
		h->head = (h->head + 1) % AUDIT_REMOTE_QUEUE;
		h->count--;
		h->sent++;
	}
}

static void
host_poll(struct host *h)
{
	struct pollfd p = {.fd = h->fd, .events = POLLIN | POLLOUT};

	if (h->cfg.proto == 0)
		return;
	if (h->st == H_DOWN) {
		if (audit_tsc_to_ns(rte_rdtsc()) >= h->retry_at) {
			h->reconnects++;
			host_connect(h);
		}
		return;
	}
	if (poll(&p, 1, 0) <= 0)
		return;
	if (h->st == H_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (!(p.revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
			host_down(h);
			return;
		}
		h->st = H_UP;
	}
	if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
		char buf[256];
		ssize_t n = recv(h->fd, buf, sizeof(buf), MSG_DONTWAIT);

		/* A syslog server says nothing: end of stream or an error is a loss. */
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			host_down(h);
			return;
		}
	}
	host_flush(h);
}

void
audit_remote_send(uint8_t severity, unsigned int facility, uint64_t ts_ns, uint32_t msgid,
		const char *text)
{
	unsigned int i;

	for (i = 0; i < n_hosts && !shut; i++) {
		struct host *h = &hosts[i];

		if (h->cfg.proto == 0) {
			char out[REC_MAX];
			size_t n = format_rec(h, severity, facility, ts_ns, msgid, text, out,
					sizeof(out));

			if (n != 0 && h->fd >= 0 && send(h->fd, out, n, MSG_DONTWAIT) == (ssize_t)n)
				h->sent++;
			else
				h->dropped++;
			continue;
		}
		if (h->count == AUDIT_REMOTE_QUEUE) {
			h->dropped++;
			continue;
		}
		uint32_t slot = (h->head + h->count) % AUDIT_REMOTE_QUEUE;
		size_t n = format_rec(
				h, severity, facility, ts_ns, msgid, text, h->rec[slot], REC_MAX);

		if (n == 0) {
			h->dropped++;
			continue;
		}
		h->len[slot] = (uint16_t)n;
		h->count++;
	}
}

void
audit_remote_poll(void)
{
	unsigned int i;

	for (i = 0; i < n_hosts && !shut; i++)
		host_poll(&hosts[i]);
}

static bool
queued(void)
{
	unsigned int i;

	for (i = 0; i < n_hosts; i++)
		if (hosts[i].count != 0 && hosts[i].st != H_DOWN)
			return true;
	return false;
}

void
audit_remote_close(void)
{
	unsigned int i, ms;

	for (ms = 0; ms < CLOSE_WAIT_MS && !shut && queued(); ms++) {
		audit_remote_poll();
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	for (i = 0; i < n_hosts && !shut; i++) {
		struct host *h = &hosts[i];

		h->dropped += h->count; /* still queued: lost */
		h->count = 0;
		if (h->fd >= 0)
			close(h->fd);
		h->fd = -1;
		free(h->rec);
		free(h->len);
		h->rec = NULL;
		h->len = NULL;
	}
	shut = true;
}

void
audit_remote_apply(const struct policy_logging *lg)
{
	unsigned int i;

	if (!shut && lg->n_hosts == n_hosts && memcmp(cur_cfg, lg->hosts, sizeof(cur_cfg)) == 0 &&
			strcmp(cur_device_id, lg->device_id) == 0)
		return; /* a reload that kept them: connections and queues stay */
	audit_remote_close();
	memset(hosts, 0, sizeof(hosts));
	n_hosts = 0;
	shut = false;
	memcpy(cur_cfg, lg->hosts, sizeof(cur_cfg));
	snprintf(cur_device_id, sizeof(cur_device_id), "%s", lg->device_id);
	if (lg->device_id[0] != '\0')
		snprintf(hostname, sizeof(hostname), "%s", lg->device_id);
	else if (gethostname(hostname, sizeof(hostname)) != 0 || hostname[0] == '\0')
		snprintf(hostname, sizeof(hostname), "-");
	hostname[sizeof(hostname) - 1] = '\0';
	for (i = 0; i < lg->n_hosts && i < POLICY_MAX_LOG_HOSTS; i++) {
		struct host *h = &hosts[n_hosts];

		memset(h, 0, sizeof(*h));
		h->fd = -1;
		h->cfg = lg->hosts[i];
		if (h->cfg.proto != 0) {
			h->rec = malloc((size_t)AUDIT_REMOTE_QUEUE * REC_MAX);
			h->len = malloc(AUDIT_REMOTE_QUEUE * sizeof(*h->len));
			if (h->rec == NULL || h->len == NULL) {
				free(h->rec);
				free(h->len);
				fprintf(stderr, "smtpwall: logging host %u: no memory, skipped\n",
						i);
				continue;
			}
		}
		host_connect(h);
		n_hosts++;
	}
}

void
audit_remote_report(FILE *out, const char *prefix)
{
	unsigned int i;

	for (i = 0; i < n_hosts; i++) {
		const struct host *h = &hosts[i];
		char a[INET6_ADDRSTRLEN];

		inet_ntop(h->cfg.addr.family == 4 ? AF_INET : AF_INET6, h->cfg.addr.addr, a,
				sizeof(a));
		fprintf(out,
				"%saudit host %s %s/%u %s: %" PRIu64 " sent, %" PRIu64
				" dropped, %" PRIu64 " reconnects%s\n",
				prefix, a, h->cfg.proto ? "tcp" : "udp", h->cfg.port,
				h->cfg.format ? "rfc5424" : "rfc3164", h->sent, h->dropped,
				h->reconnects,
				!shut && h->cfg.proto && h->st != H_UP ? " (not connected)" : "");
	}
}
