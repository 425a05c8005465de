/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_PCAP_FILE_H
#define SMTPWALL_PCAP_FILE_H

/*
 * The offline mode's "ports". Reading: anything libpcap reads (already a
 * dependency, through DPDK's pcap driver): classic pcap in either byte
 * order and precision, pcapng, from a file or standard input ("-").
 * Writing: classic nanosecond pcap, our own few lines.
 */

#include <stdint.h>
#include <stdio.h>

#define PCAP_LINKTYPE_NULL 0 /* BSD loopback: 4-byte address family */
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_LINKTYPE_LOOP 108 /* OpenBSD loopback: family in network order */
#define PCAP_LINKTYPE_RAW 101 /* raw IPv4 or IPv6 */
#define PCAP_LINKTYPE_LINUX_SLL 113 /* Linux cooked capture (tcpdump -i any) */
#define PCAP_LINKTYPE_LINUX_SLL2 276 /* Linux cooked capture v2 */

struct pcap_reader {
	void *pc; /* pcap_t */
	FILE *f;
	char *iobuf; /* its stdio buffer (glibc ignores a size without one) */
	uint32_t linktype;
	uint32_t snaplen;
	uint64_t records;
};

struct pcap_writer {
	FILE *f;
	char *iobuf;
	uint64_t records;
};

/* Opens path ("-": standard input) and reads its header. 0, or -1 with a
 * message in err. */
int pcap_reader_open(struct pcap_reader *r, const char *path, char *err, size_t errlen);
/*
 * Next record into buf (at most cap bytes; longer records are cut and
 * *len says what was kept). Returns 1 for a record, 0 at the end, -1 on a
 * damaged file (message in err).
 */
int pcap_reader_next(struct pcap_reader *r, uint8_t *buf, uint32_t cap, uint32_t *len,
		uint64_t *ts_ns, char *err, size_t errlen);
void pcap_reader_close(struct pcap_reader *r);

/* Creates a nanosecond pcap file of the given linktype; 0 or -1. */
int pcap_writer_open(struct pcap_writer *w, const char *path, uint32_t linktype, char *err,
		size_t errlen);
int pcap_writer_write(struct pcap_writer *w, const void *buf, uint32_t len, uint64_t ts_ns);
int pcap_writer_close(struct pcap_writer *w);

#endif /* SMTPWALL_PCAP_FILE_H */
