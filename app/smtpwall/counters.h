/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_COUNTERS_H
#define SMTPWALL_COUNTERS_H

/*
 * Per-worker counters. Each worker writes only its own block (no atomics,
 * no sharing on the hot path); the control lcore and the telemetry thread
 * sum them (stats.c). One X-macro gives the fields, their names and their
 * meaning; lib/admit's own counters sit among them as a block it writes.
 */

#include <stdint.h>

#include <rte_common.h>

#include "admit.h"
#include "pkt.h"

#define WK_FOREACH_COUNTER_PKT(X) \
	X(rx_pkts, "frames received") \
	X(rx_bytes, "bytes received") \
	X(tx_pkts, "frames sent") \
	X(tx_bytes, "bytes sent") \
	X(tx_drop, "frames dropped: TX queue full and its backlog too") \
	X(tx_backlog, "frames the TX queue refused at first, sent later from the backlog") \
	X(rx_nombuf, "frames lost: no mbuf to receive them (offline: capture records)") \
	X(non_ip, "non-IP frames forwarded (ARP, LLDP, ...)") \
	X(ipv4, "IPv4 frames") \
	X(ipv6, "IPv6 frames") \
	X(vlan, "VLAN-tagged frames") \
	X(tcp, "TCP segments") \
	X(udp, "UDP datagrams") \
	X(other_l4, "IP frames of other protocols, forwarded") \
	X(ip_frag, "IP fragments") \
	X(ip_frag_tcp_drop, "... of TCP, dropped (inspection on): no bypass by fragmenting") \
	X(malformed, "frames dropped: malformed (see drop reasons)") \
	X(nonlinear, "frames dropped: chained mbuf that could not be linearised") \
	X(flow_new, "connections created") \
	X(flow_full, "new connections dropped: flow table full, none of it closed") \
	X(flow_full_midstream, "segments of unknown TCP connections (no SYN) dropped: table full") \
	X(flow_expired, "connections expired by timeout") \
	X(flow_reused, "closed connections replaced by a new SYN on the same 5-tuple") \
	X(flow_reclaimed, "closed connections whose entry a new one took (table or chain full)") \
	X(conn_cleared, "connections ended by smtpwall-ctl clear conn") \
	X(flow_midstream, "TCP connections picked up without a handshake") \
	X(midstream_drop, "TCP segments dropped: unknown connection (midstream: drop)") \
	X(wrong_queue, "frames of a connection that belongs to another worker's queue (dropped)") \
	X(dispatch_drop, "frames dropped: worker ring full (software dispatch)") \
	X(dispatch_busy_cycles, \
			"TSC cycles the software dispatcher spent on polls that moved frames") \
	X(dispatch_polls, "software dispatcher poll rounds") \
	X(dispatch_idle_polls, "software dispatcher poll rounds that moved nothing") \
	X(insp_conns, "connections inspected (ESMTP)") \
	X(insp_midstream, "connections on an inspected port picked up uninspected") \
	X(insp_edited_pkts, "inspected packets forwarded with edits (checksum recomputed)") \
	X(insp_cksum_offload, "edited packets whose TCP checksum the NIC fills") \
	X(insp_drop_pkts, "inspected packets dropped (see tcp drops)") \
	X(insp_conn_dropped, "inspected connections dropped (verdict)") \
	X(insp_conn_reset, "inspected connections reset (verdict)") \
	X(insp_conn_bypassed, "inspected connections bypassed (TLS allowed)") \
	X(insp_rst_sent, "RSTs sent") \
	X(insp_tick_full, "connections with queued segments not timed (tick list full)") \
	X(insp_rate_limited, "connections dropped by a rate-limit rule over its rate") \
	X(insp_rst_nombuf, "RSTs not sent: no mbuf")

#define WK_FOREACH_COUNTER_IC(X) \
	X(ic_cookie_sent, "TCP Intercept: SYN cookies sent (embryonic limit crossed)") \
	X(ic_cookie_ok, "... ACKs with a valid cookie (server connection opened)") \
	X(ic_cookie_bad, "... ACKs of intercepted classes with a wrong or old cookie, dropped") \
	X(ic_spliced, "... connections spliced (server answered)") \
	X(ic_srv_refused, "... server refused (RST): client reset") \
	X(ic_srv_timeout, "... server never answered: client reset") \
	X(ic_held_full, "... client segments dropped while the server side opens") \
	X(ic_nombuf, "... SYNs to the server not sent: no mbuf") \
	X(ic_syn_retx, "... SYNs to the server sent again (no answer in 1, 3, 7 s)") \
	X(ic_conn_limit, "... validated clients refused by a connection limit") \
	X(audit_suppressed, "audit records suppressed by the rate limit") \
	X(audit_ring_full, "audit records lost: log ring full") \
	X(busy_cycles, "TSC cycles spent on received bursts") \
	X(busy_preempted, "bursts left out of busy_cycles: over 1 ms (lcore descheduled)") \
	X(polls, "RX poll rounds") \
	X(idle_polls, "RX poll rounds that found nothing")

#define WK_FOREACH_COUNTER(X) \
	WK_FOREACH_COUNTER_PKT(X) \
	ADMIT_FOREACH_COUNTER(X) \
	WK_FOREACH_COUNTER_IC(X)

struct wk_stats {
#define WK_STATS_FIELD(name, help) uint64_t name;
	WK_FOREACH_COUNTER_PKT(WK_STATS_FIELD)
	struct admit_counters adm; /* lib/admit's, in the list's order */
	WK_FOREACH_COUNTER_IC(WK_STATS_FIELD)
#undef WK_STATS_FIELD
	uint64_t drop_reason[PKT_RESULT_MAX]; /* malformed frames by reason */
} __rte_cache_aligned;

enum wk_counter_id {
#define WK_STATS_ID(name, help) WK_CNT_##name,
	WK_FOREACH_COUNTER(WK_STATS_ID)
#undef WK_STATS_ID
			WK_CNT_MAX
};

/* Read by index: every counter is a uint64_t, in the list's order. */
_Static_assert(__builtin_offsetof(struct wk_stats, drop_reason) == WK_CNT_MAX * sizeof(uint64_t),
		"struct wk_stats: the counters are one array of uint64_t");

extern const char *const wk_counter_names[WK_CNT_MAX];
extern const char *const wk_counter_help[WK_CNT_MAX];

/* Reads counter i of a block (by index, for printing and telemetry). */
uint64_t wk_stats_get(const struct wk_stats *s, unsigned int i);
/* dst += src, field by field. */
void wk_stats_add(struct wk_stats *dst, const struct wk_stats *src);

#endif /* SMTPWALL_COUNTERS_H */
