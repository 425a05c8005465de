/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `capture` (telemetry side and the writer): /smtpwall/capture,ADDRESS,FILE[,COUNT]
 * starts writing the frames of ADDRESS that the workers copy (capture.h)
 * to a pcap FILE; /smtpwall/capture,stop ends it; /smtpwall/capture says
 * how far it is. The control loop moves frames from the rings to the file
 * (capture_poll); one capture at a time, up to COUNT frames (default
 * 10,000; the ASA's buffer is bounded too).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "app.h"
#include "capture.h"
#include "ctl.h"
#include "pcap_file.h"

#define CAP_DEFAULT_COUNT 10000
#define CAP_MAX_COUNT 10000000

static pthread_mutex_t cap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pcap_writer cap_out;
static bool cap_open;
static char cap_path[256], cap_addr[64];
static uint64_t cap_written, cap_count, cap_lost_base;

static uint64_t
lost_now(void)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < CAP_MAX_WORKERS; i++) {
		struct cap_ring *r = atomic_load_explicit(&cap_rings[i], memory_order_acquire);

		if (r != NULL)
			n += atomic_load_explicit(&r->lost, memory_order_relaxed);
	}
	return n;
}

/* Moves what the rings hold to the file; with the lock held. */
static void
drain(void)
{
	unsigned int i;

	for (i = 0; i < CAP_MAX_WORKERS && cap_open; i++) {
		struct cap_ring *r = atomic_load_explicit(&cap_rings[i], memory_order_acquire);
		uint32_t t, h;

		if (r == NULL)
			continue;
		t = atomic_load_explicit(&r->tail, memory_order_relaxed);
		h = atomic_load_explicit(&r->head, memory_order_acquire);
		for (; t != h; t++) {
			const struct cap_rec *c = &r->rec[t & (CAP_SLOTS - 1)];

			if (cap_written < cap_count &&
					pcap_writer_write(&cap_out, c->data, c->caplen, c->ts_ns) ==
							0)
				cap_written++;
		}
		atomic_store_explicit(&r->tail, t, memory_order_release);
	}
}

/* Ends the capture: no more frames, the rings drained, the file closed. */
static void
finish(void)
{
	addr_watch_set(&cap_watch, 0, NULL);
	drain();
	if (cap_open)
		pcap_writer_close(&cap_out);
	cap_open = false;
}

void
capture_poll(void)
{
	pthread_mutex_lock(&cap_lock);
	if (cap_open) {
		drain();
		if (cap_written >= cap_count)
			finish();
	}
	pthread_mutex_unlock(&cap_lock);
}

void
capture_close(void)
{
	unsigned int i;

	pthread_mutex_lock(&cap_lock);
	if (cap_open)
		finish();
	pthread_mutex_unlock(&cap_lock);
	for (i = 0; i < CAP_MAX_WORKERS; i++)
		free(atomic_exchange(&cap_rings[i], NULL));
}

static int
start(const char *addr, const char *path, uint64_t count, char *err, size_t len)
{
	uint8_t a[16];
	uint8_t family;
	unsigned int i;

	if (inet_pton(AF_INET, addr, a) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, addr, a) == 1)
		family = 6;
	else
		return snprintf(err, len, "'%s' is not an address", addr), -1;
	if (cap_open)
		return snprintf(err, len, "a capture of %s to %s runs: capture stop first",
				       cap_addr, cap_path),
		       -1;
	for (i = 0; i < app.n_workers && i < CAP_MAX_WORKERS; i++) {
		if (atomic_load(&cap_rings[i]) != NULL)
			continue;
		struct cap_ring *r = aligned_alloc(64, sizeof(*r));

		if (r == NULL)
			return snprintf(err, len, "out of memory"), -1;
		memset(r, 0, sizeof(*r));
		atomic_store_explicit(&cap_rings[i], r, memory_order_release);
	}
	if (pcap_writer_open(&cap_out, path, 1 /* Ethernet */, err, len) != 0)
		return -1;
	cap_open = true;
	cap_written = 0;
	cap_count = count;
	cap_lost_base = lost_now();
	snprintf(cap_path, sizeof(cap_path), "%s", path);
	snprintf(cap_addr, sizeof(cap_addr), "%s", addr);
	addr_watch_set(&cap_watch, family, a);
	return 0;
}

static void
state(struct rte_tel_data *d, const char *what)
{
	char s[512];

	if (cap_open)
		snprintf(s, sizeof(s),
				"capture of %s to %s: %" PRIu64 " of %" PRIu64
				" frames written, %" PRIu64 " lost",
				cap_addr, cap_path, cap_written, cap_count,
				lost_now() - cap_lost_base);
	else if (cap_path[0] != '\0')
		snprintf(s, sizeof(s),
				"no capture running; the last, of %s to %s: %" PRIu64
				" frames written, %" PRIu64 " lost",
				cap_addr, cap_path, cap_written, lost_now() - cap_lost_base);
	else
		snprintf(s, sizeof(s), "no capture running");
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, what, s);
}

static int
tel_capture(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char p[512], err[640], *addr, *path, *cnt, *save = NULL;
	uint64_t count = CAP_DEFAULT_COUNT;

	RTE_SET_USED(cmd);
	snprintf(p, sizeof(p), "%s", params != NULL ? params : "");
	pthread_mutex_lock(&cap_lock);
	if (p[0] == '\0') {
		state(d, "capture");
	} else if (strcmp(p, "stop") == 0) {
		if (cap_open)
			finish();
		state(d, "capture");
	} else {
		addr = strtok_r(p, ",", &save);
		path = strtok_r(NULL, ",", &save);
		cnt = strtok_r(NULL, ",", &save);
		if (cnt != NULL) {
			char *end;

			count = strtoull(cnt, &end, 10);
			if (*end != '\0' || count == 0 || count > CAP_MAX_COUNT) {
				snprintf(err, sizeof(err), "count '%s': 1..%d frames", cnt,
						CAP_MAX_COUNT);
				count = 0;
			}
		}
		if (addr == NULL || path == NULL)
			snprintf(err, sizeof(err), "capture ADDRESS FILE [COUNT]");
		if (addr != NULL && path != NULL && count != 0 &&
				start(addr, path, count, err, sizeof(err)) == 0) {
			state(d, "capture");
		} else {
			rte_tel_data_start_dict(d);
			rte_tel_data_add_dict_string(d, "error", err);
		}
	}
	pthread_mutex_unlock(&cap_lock);
	return 0;
}

int
ctl_capture_register(void)
{
	return rte_telemetry_register_cmd("/smtpwall/capture", tel_capture,
			"capture: frames of one address to a pcap file. Parameters: ADDRESS,FILE[,COUNT] "
			"| stop (none: how far it is)");
}
