/* SPDX-License-Identifier: BSD-3-Clause */
#include "pcap_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_IO_BUF (1u << 20) /* stdio buffer of a capture file */

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_MAGIC_NG 0x0a0d0d0au
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

static uint32_t
swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

int
pcap_reader_open(struct pcap_reader *r, const char *path, char *err, size_t errlen)
{
	struct pcap_global_hdr h;

	memset(r, 0, sizeof(*r));
	r->f = fopen(path, "rb");
	if (r->f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One system call per PCAP_IO_BUF, not per 4 KiB: in a VM each costs
	 * more than the frames it brings. */
	r->iobuf = malloc(PCAP_IO_BUF);
	if (r->iobuf != NULL)
		(void)setvbuf(r->f, r->iobuf, _IOFBF, PCAP_IO_BUF);
	if (fread(&h, sizeof(h), 1, r->f) != 1) {
		snprintf(err, errlen, "%s: too short for a pcap file", path);
		goto fail;
	}
	if (h.magic == PCAP_MAGIC_USEC || h.magic == PCAP_MAGIC_NSEC) {
		r->nsec = h.magic == PCAP_MAGIC_NSEC;
	} else if (swap32(h.magic) == PCAP_MAGIC_USEC || swap32(h.magic) == PCAP_MAGIC_NSEC) {
		r->swapped = 1;
		r->nsec = swap32(h.magic) == PCAP_MAGIC_NSEC;
		h.snaplen = swap32(h.snaplen);
		h.linktype = swap32(h.linktype);
	} else if (h.magic == PCAP_MAGIC_NG) {
		snprintf(err, errlen,
			"%s: pcapng is not supported; convert it with "
			"'editcap -F pcap %s out.pcap'",
			path, path);
		goto fail;
	} else {
		snprintf(err, errlen, "%s: not a pcap file (magic 0x%08x)", path, h.magic);
		goto fail;
	}
	r->linktype = h.linktype & 0xffff;
	r->snaplen = h.snaplen;
	return 0;
fail:
	pcap_reader_close(r);
	return -1;
}

int
pcap_reader_next(struct pcap_reader *r, uint8_t *buf, uint32_t cap, uint32_t *len, uint64_t *ts_ns,
	char *err, size_t errlen)
{
	struct pcap_rec_hdr h;
	uint32_t keep;
	size_t got = fread(&h, 1, sizeof(h), r->f);

	if (got == 0 && feof(r->f))
		return 0;
	if (got != sizeof(h)) {
		snprintf(err, errlen, "record %lu: truncated record header",
			(unsigned long)r->records + 1);
		return -1;
	}
	if (r->swapped) {
		h.ts_sec = swap32(h.ts_sec);
		h.ts_frac = swap32(h.ts_frac);
		h.incl_len = swap32(h.incl_len);
		h.orig_len = swap32(h.orig_len);
	}
	if (h.incl_len > PCAP_MAX_RECORD) {
		snprintf(err, errlen, "record %lu: length %u is not plausible",
			(unsigned long)r->records + 1, h.incl_len);
		return -1;
	}
	keep = h.incl_len < cap ? h.incl_len : cap;
	if (fread(buf, 1, keep, r->f) != keep ||
		(h.incl_len > keep && fseek(r->f, (long)(h.incl_len - keep), SEEK_CUR) != 0)) {
		snprintf(err, errlen, "record %lu: truncated data", (unsigned long)r->records + 1);
		return -1;
	}
	*len = keep;
	*ts_ns = (uint64_t)h.ts_sec * 1000000000u +
		(r->nsec ? h.ts_frac : (uint64_t)h.ts_frac * 1000u);
	r->records++;
	return 1;
}

void
pcap_reader_close(struct pcap_reader *r)
{
	if (r->f != NULL)
		fclose(r->f);
	r->f = NULL;
	free(r->iobuf);
	r->iobuf = NULL;
}

int
pcap_writer_open(
	struct pcap_writer *w, const char *path, uint32_t linktype, char *err, size_t errlen)
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
