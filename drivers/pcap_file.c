/* SPDX-License-Identifier: BSD-3-Clause */
#include "pcap_file.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_IO_BUF (1u << 20) /* stdio buffer of a capture file */

#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_MAX_RECORD (256u * 1024u)

struct pcap_global_hdr {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec, ts_frac, incl_len, orig_len;
};

int
pcap_reader_open(struct pcap_reader *r, const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	int dlt;

	memset(r, 0, sizeof(*r));
	r->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (r->f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One system call per PCAP_IO_BUF, not per 4 KiB: in a VM each costs
	 * more than the frames it brings. libpcap reads through this FILE. */
	r->iobuf = malloc(PCAP_IO_BUF);
	if (r->iobuf != NULL)
		(void)setvbuf(r->f, r->iobuf, _IOFBF, PCAP_IO_BUF);
	ebuf[0] = '\0';
	pc = pcap_fopen_offline_with_tstamp_precision(r->f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pc == NULL) {
		snprintf(err, errlen, "%s: %s", strcmp(path, "-") ? path : "standard input", ebuf);
		if (r->f != stdin)
			fclose(r->f);
		r->f = NULL;
		free(r->iobuf);
		r->iobuf = NULL;
		return -1;
	}
	r->pc = pc;
	dlt = pcap_datalink(pc);
	/* libpcap speaks DLT_ values; raw IP is DLT_RAW (12 here, 14 on
	 * OpenBSD) for the file's LINKTYPE_RAW (101). */
	r->linktype = dlt == DLT_RAW ? PCAP_LINKTYPE_RAW : (uint32_t)dlt;
	r->snaplen = (uint32_t)pcap_snapshot(pc);
	return 0;
}

int
pcap_reader_next(struct pcap_reader *r, uint8_t *buf, uint32_t cap, uint32_t *len, uint64_t *ts_ns,
		char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint32_t keep;
	int rc = pcap_next_ex(r->pc, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0; /* the end */
	if (rc != 1) {
		snprintf(err, errlen, "record %lu: %s", (unsigned long)r->records + 1,
				pcap_geterr(r->pc));
		return -1;
	}
	if (h->caplen > PCAP_MAX_RECORD) {
		snprintf(err, errlen, "record %lu: length %u is not plausible",
				(unsigned long)r->records + 1, h->caplen);
		return -1;
	}
	keep = h->caplen < cap ? h->caplen : cap;
	memcpy(buf, data, keep);
	*len = keep;
	/* Nanosecond precision was asked for: tv_usec holds nanoseconds. */
	*ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	r->records++;
	return 1;
}

void
pcap_reader_close(struct pcap_reader *r)
{
	if (r->pc != NULL)
		pcap_close(r->pc); /* closes r->f too */
	else if (r->f != NULL && r->f != stdin)
		fclose(r->f);
	r->pc = NULL;
	r->f = NULL;
	free(r->iobuf);
	r->iobuf = NULL;
}

int
pcap_writer_open(struct pcap_writer *w, const char *path, uint32_t linktype, char *err,
		size_t errlen)
{
	struct pcap_global_hdr h = {
			.magic = PCAP_MAGIC_NSEC,
			.version_major = 2,
			.version_minor = 4,
			.snaplen = 65535,
			.linktype = linktype,
	};

	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "wb");
	if (w->f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	w->iobuf = malloc(PCAP_IO_BUF);
	if (w->iobuf != NULL)
		(void)setvbuf(w->f, w->iobuf, _IOFBF, PCAP_IO_BUF);
	if (fwrite(&h, sizeof(h), 1, w->f) != 1) {
		snprintf(err, errlen, "%s: write failed", path);
		(void)pcap_writer_close(w);
		return -1;
	}
	return 0;
}

int
pcap_writer_write(struct pcap_writer *w, const void *buf, uint32_t len, uint64_t ts_ns)
{
	struct pcap_rec_hdr h = {
			.ts_sec = (uint32_t)(ts_ns / 1000000000u),
			.ts_frac = (uint32_t)(ts_ns % 1000000000u),
			.incl_len = len,
			.orig_len = len,
	};

	if (fwrite(&h, sizeof(h), 1, w->f) != 1 || fwrite(buf, 1, len, w->f) != len)
		return -1;
	w->records++;
	return 0;
}

int
pcap_writer_close(struct pcap_writer *w)
{
	int rc = 0;

	if (w->f != NULL && fclose(w->f) != 0)
		rc = -1;
	w->f = NULL;
	free(w->iobuf);
	w->iobuf = NULL;
	return rc;
}
