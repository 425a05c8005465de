/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_AUDIT_REMOTE_H
#define SMTPWALL_AUDIT_REMOTE_H

/*
 * Remote syslog (ASA `logging host`): every audit record that passes the
 * level and the rate limits also goes to each configured server, over UDP
 * (one datagram a record) or TCP (RFC 6587: octet counting for RFC 5424,
 * a line feed after each RFC 3164 record), on the control lcore.
 *
 * Bounded: a TCP server that is down or slow gets at most
 * AUDIT_REMOTE_QUEUE records queued; past that a record is dropped and
 * counted. A lost connection is retried once a second; a record cut by
 * the loss is counted as dropped, the queued ones follow on the new
 * connection. Times are UTC, with the zone written out in RFC 5424.
 */

#include <stdint.h>
#include <stdio.h>

struct policy_logging;

#define AUDIT_REMOTE_QUEUE 1024 /* records queued per TCP server */

/* Takes the servers of lg (closing the ones it had: queued TCP records
 * get up to a second to leave first). */
void audit_remote_apply(const struct policy_logging *lg);

/* Sends one record: severity 0..7, facility local0..7 as 0..7, its time,
 * its ASA message id and its text ("%ASA-6-108004: ..."). */
void audit_remote_send(uint8_t severity, unsigned int facility, uint64_t ts_ns, uint32_t msgid,
		const char *text);

/* Moves queued TCP records on and reconnects lost servers (non-blocking). */
void audit_remote_poll(void);

/* Flushes for up to a second, then closes every server (its counters
 * stay for audit_remote_report). */
void audit_remote_close(void);

/* One line per server: "PREFIXaudit host 192.0.2.1 udp/514 rfc5424: N sent,
 * M dropped, R reconnects". */
void audit_remote_report(FILE *out, const char *prefix);

#endif /* SMTPWALL_AUDIT_REMOTE_H */
