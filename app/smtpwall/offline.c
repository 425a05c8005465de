/* SPDX-License-Identifier: BSD-3-Clause */
#include "offline.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "app.h"
#include "audit.h"
#include "pcap_file.h"
#include "worker.h"

#define OFFLINE_BURST_NS 1000000u /* a burst spans at most 1 ms of capture time */
#define OFFLINE_ETH_HLEN 14

#define OFFLINE_PENDING 1024

/* What left the worker during a burst; written after the burst, so that the
 * worker's busy cycles measure the data path and not the file I/O. */
struct offline_sink {
	struct pcap_writer pw;
	uint64_t now_ns;
	uint64_t write_errors;
	unsigned int n;
	struct rte_mbuf *pending[OFFLINE_PENDING];
};

static void
offline_flush(struct offline_sink *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		struct rte_mbuf *m = s->pending[i];

		if (pcap_writer_write(&s->pw, rte_pktmbuf_mtod(m, const void *),
				    rte_pktmbuf_data_len(m), s->now_ns) != 0)
			s->write_errors++;
		rte_pktmbuf_free(m);
	}
	s->n = 0;
}

static void
offline_sink(void *arg, struct rte_mbuf *m, uint16_t out_port)
{
	struct offline_sink *s = arg;

	RTE_SET_USED(out_port);
	if (s->n == OFFLINE_PENDING)
		offline_flush(s);
	s->pending[s->n++] = m;
}

/*
 * Loopback and raw-IP captures carry no Ethernet header; the appliance
 * works on Ethernet frames, so give them one (locally administered MACs,
 * the EtherType from the IP version). Returns the EtherType or 0.
 */
static uint16_t
ethertype_for(uint32_t linktype, const uint8_t *rec, uint32_t len, uint32_t *skip)
{
	uint32_t fam;

	switch (linktype) {
	case PCAP_LINKTYPE_NULL:
	case PCAP_LINKTYPE_LOOP:
		if (len < 4)
			return 0;
		*skip = 4;
		/* The family is in the capturing host's byte order (NULL) or in
		 * network order (LOOP); accept both. */
		memcpy(&fam, rec, 4);
		if (fam == 2 || fam == 0x02000000u)
			return 0x0800;
		return 0x86dd; /* AF_INET6 is 10, 24, 28 or 30 depending on the OS */
	case PCAP_LINKTYPE_RAW:
	case 228: /* LINKTYPE_IPV4 */
	case 229: /* LINKTYPE_IPV6 */
		*skip = 0;
		if (len < 1)
			return 0;
		return (rec[0] >> 4) == 6 ? 0x86dd : 0x0800;
	case PCAP_LINKTYPE_LINUX_SLL: /* 16 bytes; the protocol (EtherType) last */
		if (len < 16)
			return 0;
		*skip = 16;
		return (uint16_t)(rec[14] << 8 | rec[15]);
	case PCAP_LINKTYPE_LINUX_SLL2: /* 20 bytes; the protocol first */
		if (len < 20)
			return 0;
		*skip = 20;
		return (uint16_t)(rec[0] << 8 | rec[1]);
	default:
		return 0;
	}
}

static struct rte_mbuf *
record_to_mbuf(const struct pcap_reader *r, const uint8_t *rec, uint32_t len)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);
	uint32_t skip = 0;
	uint16_t et = 0;
	char *p;

	if (m == NULL)
		return NULL;
	if (r->linktype != PCAP_LINKTYPE_ETHERNET) {
		et = ethertype_for(r->linktype, rec, len, &skip);
		if (et == 0 || skip > len ||
				OFFLINE_ETH_HLEN + len - skip > rte_pktmbuf_tailroom(m))
			goto fail;
		p = rte_pktmbuf_append(m, (uint16_t)(OFFLINE_ETH_HLEN + len - skip));
		if (p == NULL)
			goto fail;
		memcpy(p, macs, 12);
		p[12] = (char)(et >> 8);
		p[13] = (char)(et & 0xff);
		memcpy(p + OFFLINE_ETH_HLEN, rec + skip, len - skip);
	} else {
		if (len > rte_pktmbuf_tailroom(m))
			goto fail;
		p = rte_pktmbuf_append(m, (uint16_t)len);
		if (p == NULL)
			goto fail;
		memcpy(p, rec, len);
	}
	m->port = 0; /* everything enters the "inside" port; direction comes from the flow */
	return m;
fail:
	rte_pktmbuf_free(m);
	return NULL;
}

int
offline_check_paths(const char *in, const char *out)
{
	struct stat si, so;

	if (strcmp(in, out) == 0 ||
			(stat(in, &si) == 0 && stat(out, &so) == 0 && si.st_dev == so.st_dev &&
					si.st_ino == so.st_ino)) {
		fprintf(stderr, "smtpwall: -o %s is the capture -r reads; it is not overwritten\n",
				out);
		return -1;
	}
	return 0;
}

int
offline_run(void)
{
	static uint8_t rec[UINT16_MAX];
	struct rte_mbuf *burst[WK_BURST];
	static struct offline_sink sink;
	struct pcap_reader r;
	struct worker *w;
	char err[256];
	uint64_t first_ns = 0, dropped_in = 0;
	uint16_t n = 0;
	int rc;

	if (pcap_reader_open(&r, app.read_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtpwall: %s\n", err);
		return -1;
	}
	if (r.linktype != PCAP_LINKTYPE_ETHERNET && r.linktype != PCAP_LINKTYPE_NULL &&
			r.linktype != PCAP_LINKTYPE_LOOP && r.linktype != PCAP_LINKTYPE_RAW &&
			r.linktype != 228 && r.linktype != 229 &&
			r.linktype != PCAP_LINKTYPE_LINUX_SLL &&
			r.linktype != PCAP_LINKTYPE_LINUX_SLL2) {
		fprintf(stderr, "smtpwall: %s: link type %u is not supported\n", app.read_path,
				r.linktype);
		pcap_reader_close(&r);
		return -1;
	}
	memset(&sink, 0, sizeof(sink));
	if (pcap_writer_open(&sink.pw, app.write_path, PCAP_LINKTYPE_ETHERNET, err, sizeof(err)) !=
			0) {
		fprintf(stderr, "smtpwall: %s\n", err);
		pcap_reader_close(&r);
		return -1;
	}
	w = worker_create(0, WK_MODE_OFFLINE, 1000000000u, (int)rte_socket_id());
	if (w == NULL) {
		fprintf(stderr, "smtpwall: cannot create the offline worker\n");
		pcap_writer_close(&sink.pw);
		pcap_reader_close(&r);
		return -1;
	}
	w->sink = offline_sink;
	w->sink_arg = &sink;
	worker_load_gen(w);
	app.workers[0] = w;

	for (;;) {
		uint64_t ts;
		uint32_t len;
		struct rte_mbuf *m;

		rc = pcap_reader_next(&r, rec, sizeof(rec), &len, &ts, err, sizeof(err));
		/* Close the burst at the end, when full, or when capture time has
		 * moved on: timers see the time of the frames they follow. */
		if (n != 0 &&
				(rc != 1 || n == WK_BURST || ts - first_ns > OFFLINE_BURST_NS ||
						ts < first_ns)) {
			worker_process_burst(w, burst, n, sink.now_ns);
			offline_flush(&sink);
			audit_drain();
			n = 0;
		}
		if (rc != 1)
			break;
		if (n == 0) {
			first_ns = ts;
			sink.now_ns = ts;
			worker_expire(w, ts);
		}
		sink.now_ns = ts > sink.now_ns ? ts : sink.now_ns;
		m = record_to_mbuf(&r, rec, len);
		if (m == NULL) {
			/* The pool is dry (held and queued segments own it) or the
			 * record does not fit a frame: lost, as a NIC without
			 * mbufs loses frames, and counted. */
			dropped_in++;
			w->st.rx_nombuf++;
			continue;
		}
		burst[n++] = m;
	}
	offline_flush(&sink);
	if (rc < 0)
		fprintf(stderr, "smtpwall: %s: %s\n", app.read_path, err);
	if (dropped_in != 0)
		fprintf(stderr, "smtpwall: %" PRIu64 " records could not be read into a frame\n",
				dropped_in);
	printf("offline: %" PRIu64 " busy cycles, %.1f cycles/frame, %.2f Mpps of worker time\n",
			w->st.busy_cycles,
			r.records ? (double)w->st.busy_cycles / (double)r.records : 0.0,
			w->st.busy_cycles ? (double)r.records * (double)rte_get_tsc_hz() /
							(double)w->st.busy_cycles / 1e6
					  : 0.0);
	printf("offline: %" PRIu64 " frames read from %s, %" PRIu64 " written to %s\n", r.records,
			app.read_path, sink.pw.records, app.write_path);
	pcap_reader_close(&r);
	if (pcap_writer_close(&sink.pw) != 0 || sink.write_errors != 0) {
		fprintf(stderr, "smtpwall: %s: write failed\n", app.write_path);
		rc = -1;
	}
	return rc < 0 ? -1 : 0;
}
