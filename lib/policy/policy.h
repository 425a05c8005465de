/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/policy: the compiled inspection policy (ASA Modular Policy Framework
 * and IOS CBAC) and the lookup a worker does for a new connection.
 *
 *   access-lists -> class-maps -> policy-maps (classes: inspect esmtp MAP |
 *   inspect smtp | no inspect, connection limits, timeouts) -> service-policy
 *   (global, or per port pair), plus legacy statics (per-host limits), IOS
 *   `ip inspect` bindings and thresholds, and the audit-trail settings.
 *
 * Life cycle: policy_new() (built-ins: _default_esmtp_map, class-maps
 * inspection_default and class-default, policy-map global_policy, service
 * policy global_policy), the policy_*_add() builders (used by lib/config's
 * YAML loader and by tests), policy_finalize(), then read-only.  A
 * finalized policy is ONE allocation with no pointer outside itself: every
 * worker may read it concurrently without locks, a reload builds a new one
 * and swaps a pointer, policy_free() releases it once no flow uses it.
 *
 * Pure C11: no DPDK include, no allocation after policy_finalize().
 */
#ifndef SMTPWALL_POLICY_H
#define SMTPWALL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esmtp.h"
#include "flow.h"
#include "sw_log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Capacities of one policy (the compiled form is fixed-size). */
#define POLICY_NAME_MAX 64 /**< names, with the NUL */
#define POLICY_MAX_ACLS 256
#define POLICY_MAX_ACES 4096 /**< entries of all access-lists together */
#define POLICY_MAX_CMAPS 256
#define POLICY_MAX_IMAPS 48 /**< inspect maps, built-in and IOS ones included */
#define POLICY_MAX_PMAPS 32 /**< policy-maps, the IOS one included */
#define POLICY_MAX_PMAP_CLASSES 64
#define POLICY_MAX_CLASSES (POLICY_MAX_PMAPS * POLICY_MAX_PMAP_CLASSES)
#define POLICY_MAX_STATICS 1024
#define POLICY_MAX_REGEX 128
#define POLICY_MAX_REGEX_CLASSES 64
#define POLICY_REGEX_CLASS_MAX 16 /**< regexes in one regex class */
#define POLICY_REGEX_POSITIONS 64 /**< characters/classes in one compiled regex */
#define POLICY_MAX_PAIRS 8 /**< port pairs (CONFIG_MAX_PAIRS) */
#define POLICY_MAX_MSG_LIMITS 16 /**< per-message log rate limits */
#define POLICY_IFNAME_MAX 16
#define POLICY_PATH_MAX 256
#define POLICY_LABEL_MAX 96

#define POLICY_NONE 0xffffu /**< "no index" */
#define POLICY_TIMEOUT_UNSET UINT32_MAX /**< class timeout not set: the global one applies */

/** IP protocols an access-list entry names.  _(ENUM, "keyword", IP protocol number) */
#define foreach_policy_proto \
	_(IP, "ip", 0) \
	_(TCP, "tcp", 6) \
	_(UDP, "udp", 17) \
	_(ICMP, "icmp", 1) \
	_(ICMP6, "icmp6", 58)

/** What a class does with matching connections.  _(ENUM, "keyword") */
#define foreach_policy_inspect \
	_(NONE, "none") \
	_(ESMTP, "esmtp") \
	_(SMTP, "smtp")

/** Connection limits (ASA `set connection`).  _(ENUM, "yaml-key", ASA message, lib/log) */
#define foreach_policy_limit \
	_(CONN_MAX, "conn-max", LOG_ASA_201011) \
	_(EMBRYONIC_CONN_MAX, "embryonic-conn-max", LOG_ASA_201010) \
	_(PER_CLIENT_MAX, "per-client-max", LOG_ASA_201013) \
	_(PER_CLIENT_EMBRYONIC_MAX, "per-client-embryonic-max", LOG_ASA_201012)

/** Where the audit trail goes.  _(ENUM, "keyword") */
#define foreach_policy_log_dest \
	_(STDOUT, "stdout") \
	_(FILE, "file") \
	_(SYSLOG, "syslog") \
	_(NONE, "none")

enum policy_proto {
#define _(e, s, n) POLICY_PROTO_##e,
	foreach_policy_proto
#undef _
			POLICY_PROTO_MAX
};

enum policy_inspect {
#define _(e, s) POLICY_INSPECT_##e,
	foreach_policy_inspect
#undef _
			POLICY_INSPECT_MAX
};

enum policy_limit {
#define _(e, s, id) POLICY_LIMIT_##e,
	foreach_policy_limit
#undef _
			POLICY_LIMIT_MAX
};

/**
 * Per-class timeouts (ASA `set connection timeout`): the first
 * FLOW_TO_CLASS_MAX of lib/flow's one list of timeouts (FLOW_FOREACH_TIMEOUT),
 * so that a class timeout and the flow table's are indexed alike.
 */
enum policy_timeout {
#define _(e, s, dflt, cls) POLICY_TIMEOUT_##e = FLOW_TO_##e,
	FLOW_FOREACH_TIMEOUT(_)
#undef _
			POLICY_TIMEOUT_MAX = FLOW_TO_CLASS_MAX
};

enum policy_log_dest {
#define _(e, s) POLICY_LOG_##e,
	foreach_policy_log_dest
#undef _
			POLICY_LOG_DEST_MAX
};

/** Port of a pair a frame came in by (the SYN's ingress side). */
enum policy_side { POLICY_SIDE_INSIDE = 0, POLICY_SIDE_OUTSIDE = 1, POLICY_SIDE_ANY = 2 };

/** Host or prefix; family 0 is `any` (both families). IPv4 in addr[0..3]. */
struct policy_addr {
	uint8_t family; /**< 0 (any), 4 or 6 */
	uint8_t plen; /**< prefix length; 32 / 128 for a host */
	uint8_t addr[16];
};

/** Inclusive port range; any = 0..65535. */
struct policy_ports {
	uint16_t lo, hi;
};

/** One access-list entry (ACE). */
struct policy_ace {
	uint8_t permit; /**< 1 permit, 0 deny */
	uint8_t proto; /**< IP protocol number; 0 = ip (any) */
	struct policy_addr src, dst;
	struct policy_ports sport, dport; /**< only for tcp/udp; else 0..65535 */
};

/** What a class-map matches (all given conditions together). */
struct policy_cmatch {
	uint8_t any; /**< match any (class-default) */
	uint8_t side; /**< enum policy_side: ingress side of the SYN (IOS bindings) */
	uint8_t proto; /**< port condition: IP protocol (6/17), 0 = no port condition */
	uint16_t acl; /**< match access-list: index, or POLICY_NONE */
	struct policy_ports ports; /**< port condition on the destination port */
	uint8_t default_inspection; /**< match default-inspection-traffic (TCP/25) */
};

/**
 * One class of a policy-map, compiled.  A class decides one or both
 * features, as on the ASA ("a packet matches one class per feature"):
 * inspection (inspect esmtp / inspect smtp / no-inspect) and connection
 * settings (limits and timeouts).
 */
/** What crossing a class's embryonic limit does to a new connection. */
enum policy_emb_action {
	POLICY_EMB_INTERCEPT = 0, /**< TCP Intercept: SYN-cookie proxy (ASA; the default) */
	POLICY_EMB_DROP, /**< the SYN is dropped */
};

struct policy_class {
	uint16_t id; /**< counter index, 0 .. policy_n_classes() - 1 */
	uint16_t pmap; /**< policy-map index */
	uint16_t cmap; /**< class-map index */
	uint16_t imap; /**< inspect map index (policy_imap_*), or POLICY_NONE */
	uint8_t inspect; /**< enum policy_inspect (meaningful when has_inspect) */
	uint8_t has_inspect; /**< the class decides inspection (inspect or no-inspect) */
	uint8_t has_conn; /**< the class sets connection limits or timeouts */
	uint8_t ios; /**< made from an IOS `ip inspect` binding */
	uint8_t alert; /**< IOS alert: log inspection events (ASA classes: 1) */
	uint8_t audit_trail; /**< IOS audit-trail: log session start/end (ASA classes: 0) */
	uint8_t emb_action; /**< enum policy_emb_action: crossing an embryonic limit */
	uint32_t limits[POLICY_LIMIT_MAX]; /**< 0 = unlimited */
	uint32_t timeouts[POLICY_TIMEOUT_MAX]; /**< seconds, 0 = never, or POLICY_TIMEOUT_UNSET */
	const struct esmtp_policy *esmtp; /**< the inspect map to run, NULL when not inspected */
	const char *name; /**< class-map name */
	const char *pmap_name; /**< policy-map name */
	const char *imap_name; /**< inspect map name, or "" */
};

/** Legacy `static (real_ifc,mapped_ifc) mapped real netmask M tcp max_conns em_limit`. */
struct policy_static {
	uint16_t id; /**< counter index, 0 .. policy_n_statics() - 1 */
	uint8_t family; /**< 4 or 6 */
	uint8_t plen; /**< from the netmask */
	uint8_t real[16]; /**< matched against the destination (smtpwall does no NAT) */
	uint8_t mapped[16]; /**< informational (the address the outside sees) */
	uint32_t tcp_max_conns; /**< 0 = unlimited (201009 / 201011) */
	uint32_t tcp_em_limit; /**< embryonic, 0 = unlimited (201010) */
	uint32_t udp_max_conns; /**< 0 = unlimited */
	char real_if[POLICY_IFNAME_MAX];
	char mapped_if[POLICY_IFNAME_MAX];
};

/** IOS CBAC global thresholds (`ip inspect ...`), enforced by the app. */
struct policy_ios {
	uint8_t configured; /**< an ip-inspect section was given */
	uint8_t alert; /**< global alert switch (default on) */
	uint8_t audit_trail; /**< global audit-trail switch (default off) */
	uint32_t max_incomplete_high; /**< half-open count that starts deletion (500) */
	uint32_t max_incomplete_low; /**< ... that stops it (400) */
	uint32_t one_minute_high; /**< new half-open per minute that starts deletion (500) */
	uint32_t one_minute_low; /**< ... that stops it (400) */
	uint32_t host_max_incomplete; /**< half-open per destination host (50) */
	uint32_t host_block_time; /**< minutes; 0: delete the oldest half-open, >0: block */
	uint8_t intercept; /**< over max-incomplete: SYN cookies instead of deleting (smtpwall) */
};

/** One per-message log rate limit (ASA `logging rate-limit N S message ID`). */
struct policy_msg_limit {
	uint32_t msgid;
	uint32_t rate; /**< records per interval, 0 = unlimited */
	uint32_t interval; /**< seconds */
};

#define POLICY_MAX_LOG_HOSTS 4
#define POLICY_DEVICE_ID_MAX 64

/** A remote syslog server (ASA `logging host IFC ADDR [17|6/PORT] [format emblem]`). */
struct policy_log_host {
	struct policy_addr addr; /**< a host address (family 4 or 6) */
	uint16_t port; /**< 514 for UDP, 601 for TCP by default */
	uint8_t proto; /**< 0: UDP, 1: TCP (RFC 6587 framing) */
	uint8_t format; /**< 0: RFC 3164 (BSD), 1: RFC 5424 */
};

/** Audit-trail settings (the `logging` section). */
struct policy_logging {
	uint8_t dest; /**< enum policy_log_dest */
	uint8_t level; /**< records of severity <= level are written (ASA trap level), 0..7 */
	uint8_t facility; /**< syslog facility local0..7 as 0..7 */
	uint8_t n_msg_limits;
	uint32_t rate; /**< default limit: records per interval, 0 = unlimited */
	uint32_t interval; /**< seconds */
	char file[POLICY_PATH_MAX];
	struct policy_msg_limit msg_limits[POLICY_MAX_MSG_LIMITS];
	/** Remote syslog servers, besides dest; every record goes to each. */
	uint8_t n_hosts;
	struct policy_log_host hosts[POLICY_MAX_LOG_HOSTS];
	/** The HOSTNAME field of remote records (ASA `logging device-id`);
	 *  empty: the machine's host name. */
	char device_id[POLICY_DEVICE_ID_MAX];
};

/** The connection a lookup is about (its first packet, the SYN). */
struct policy_key {
	uint8_t family; /**< 4 or 6 */
	uint8_t proto; /**< IP protocol number */
	uint8_t pair; /**< port pair index */
	uint8_t side; /**< enum policy_side the packet came in by */
	uint16_t sport, dport; /**< host byte order */
	uint8_t src[16], dst[16]; /**< IPv4 in the first 4 bytes */
};

/** The answer of policy_classify(). */
struct policy_match {
	const struct policy_class *inspect; /**< class that decided inspection, or NULL */
	const struct policy_class *conn; /**< class whose limits/timeouts apply, or NULL */
	const struct esmtp_policy *esmtp; /**< inspect map to run, or NULL: forward untouched */
	const struct policy_static *stat; /**< legacy static covering the destination, or NULL */
};

/**
 * Per-class counters (`show service-policy`).  A worker keeps an array of
 * policy_n_classes() of them for the policy its flows use; the control
 * lcore sums the workers' arrays with policy_counters_merge().
 */
struct policy_class_counters {
	uint64_t conns; /**< connections classified into the class */
	uint64_t packets; /**< inspected pushes (segments) */
	uint64_t drop; /**< pushes answered drop-packet or drop-connection */
	uint64_t reset_drop; /**< pushes answered reset */
	uint64_t limit_drops[POLICY_LIMIT_MAX]; /**< SYNs refused per limit */
	uint64_t intercepts; /**< SYNs answered with a cookie (embryonic limit crossed) */
	uint64_t rules[ESMTP_MAX_RULES]; /**< hits per match rule */
	uint64_t events[ESMTP_EV_MAX]; /**< parameter and anomaly events */
};

struct policy;

/* ------------------------------------------------------------------ */
/* Lookup (workers; no allocation, no lock, read-only)                 */

/**
 * Classify a new connection: walk the classes that apply to k->pair (the
 * pair's service policy, then the global one; IOS bindings first) and fill
 * m with the first class deciding each feature, and the static covering
 * k->dst.  Linear in the classes and access-list entries it tests (fine
 * for the tens of entries such policies hold; see docs/configuration.md).
 * Returns m->esmtp: the inspect map to run, or NULL (forward untouched).
 */
const struct esmtp_policy *
policy_classify(const struct policy *p, const struct policy_key *k, struct policy_match *m);

/** First static whose real address/netmask holds k->dst, or NULL (linear scan). */
const struct policy_static *
policy_static_lookup(const struct policy *p, const struct policy_key *k);

/** First entry of access-list acl matching k: 1 permit, 0 deny or no entry (implicit deny). */
int policy_acl_match(const struct policy *p, unsigned int acl, const struct policy_key *k);

/** Does class-map cmap match k? */
bool policy_cmap_match(const struct policy *p, unsigned int cmap, const struct policy_key *k);

/* ------------------------------------------------------------------ */
/* Text forms (ASA syntax), shared by the YAML loader and tests         */

/**
 * Address: "any", "any4", "any6", "host A", "A" (a host), "A/len", or
 * "A MASK" (IPv4 dotted netmask, contiguous).  Host bits of a prefix must
 * be zero.  0 or -EINVAL (why says what is wrong).
 */
int policy_parse_addr(const char *s, struct policy_addr *a, char *why, size_t whylen);
/**
 * Ports: "any", "N", "eq N", "range A B", "lt N", "gt N"; N may be a
 * service name (smtp, submission, smtps, domain, http/www, https).
 * 0 or -EINVAL.
 */
int policy_parse_ports(const char *s, struct policy_ports *r, char *why, size_t whylen);
/** Protocol keyword (ip, tcp, udp, icmp, icmp6) or number 0..255 -> number; -EINVAL. */
int policy_parse_proto(const char *s);
/**
 * One ASA access-list entry line: "[extended] permit|deny PROTO SRC [SPORT]
 * DST [DPORT]", e.g. "permit tcp any host 172.22.1.110 eq smtp".  0 or -EINVAL.
 */
int policy_parse_ace(const char *line, struct policy_ace *e, char *why, size_t whylen);

/** `tcp eq 25`, `udp range 53 54`: a class-map port match.  0 or -EINVAL (why). */
int policy_parse_port_match(
		const char *s, uint8_t *proto, struct policy_ports *r, char *why, size_t whylen);
/** One host address ("A", "host A", "A/32" ...) into a.  0 or -EINVAL. */
int policy_parse_host(const char *s, struct policy_addr *a);
/** A contiguous dotted IPv4 netmask -> its prefix length.  0 or -EINVAL. */
int policy_parse_netmask(const char *s, unsigned int *plen);
/**
 * Sets s->plen; the real address (of s->family) must have no bit outside
 * the prefix.  0 or -EINVAL (why).
 */
int policy_static_prefix(struct policy_static *s, const struct policy_addr *real, unsigned int plen,
		char *why, size_t whylen);
/**
 * One ASA `static (real_ifc,mapped_ifc) mapped real [netmask M] [tcp]
 * [max_conns [em_limit]] [udp udp_max]` line (the leading `static` is
 * optional) into s (zeroed by the caller).  0 or -EINVAL (why).
 */
int policy_parse_static(const char *line, struct policy_static *s, char *why, size_t whylen);

/** Largest connection limit (ASA `set connection`, `static`): 0..2000000. */
#define POLICY_CONN_LIMIT_MAX 2000000u
/*
 * A static's UDP limit is refused rather than accepted and ignored:
 * smtpwall applies no policy to UDP (it forwards it as a plain bridge), so
 * it would count nothing. udp 0 (unlimited) is what it does.  (%u: the limit)
 */
#define POLICY_STATIC_UDP_REFUSED \
	"udp %u: smtpwall does not count UDP connections, so this limit would not be " \
	"enforced (remove it, or write udp 0)"

/* ------------------------------------------------------------------ */
/* Read access (control plane, app wiring)                             */

/** Number of classes (size of a per-class counter array). */
unsigned int policy_n_classes(const struct policy *p);
/** Class by counter index, or NULL. */
const struct policy_class *policy_class_get(const struct policy *p, unsigned int id);
/** Number of statics (size of a per-static counter array) and one of them. */
unsigned int policy_n_statics(const struct policy *p);
const struct policy_static *policy_static_get(const struct policy *p, unsigned int id);
/** Inspect maps: count, name, compiled esmtp policy (NULL when out of range). */
unsigned int policy_n_imaps(const struct policy *p);
const char *policy_imap_name(const struct policy *p, unsigned int imap);
const struct esmtp_policy *policy_imap_esmtp(const struct policy *p, unsigned int imap);
/** Index of a name (-1 when unknown): access-list, class-map, inspect map, policy-map. */
int policy_find_acl(const struct policy *p, const char *name);
int policy_find_cmap(const struct policy *p, const char *name);
int policy_find_imap(const struct policy *p, const char *name);
int policy_find_pmap(const struct policy *p, const char *name);
/** Names by index ("?" when out of range). */
const char *policy_acl_name(const struct policy *p, unsigned int acl);
const char *policy_cmap_name(const struct policy *p, unsigned int cmap);
const char *policy_pmap_name(const struct policy *p, unsigned int pmap);
/** Entries of an access-list (count, and one of them or NULL). */
unsigned int policy_acl_len(const struct policy *p, unsigned int acl);
const struct policy_ace *policy_acl_entry(const struct policy *p, unsigned int acl, unsigned int i);
/** Policy-map applied to a pair (POLICY_NONE: none) and the global one. */
unsigned int policy_service_pair(const struct policy *p, unsigned int pair);
unsigned int policy_service_global(const struct policy *p);
/** Classes of a policy-map, in order. */
unsigned int policy_pmap_len(const struct policy *p, unsigned int pmap);
const struct policy_class *
policy_pmap_class(const struct policy *p, unsigned int pmap, unsigned int i);
/** IOS thresholds and audit-trail settings. */
const struct policy_ios *policy_ios_get(const struct policy *p);
const struct policy_logging *policy_logging_get(const struct policy *p);

/**
 * ASA text of match rule `rule` of inspect map imap, as 108004 ("matched
 * Class N: <this>") and `show service-policy` print it, e.g.
 * "cmd line length gt 512", "not sender-address regex class blacklist",
 * "ehlo-reply-parameter others".  "?" when out of range.
 */
const char *policy_rule_label(const struct policy *p, unsigned int imap, unsigned int rule);
/** Action of a rule as ASA prints it: "drop-connection log", "mask", "rate-limit 10". */
const char *policy_rule_action_label(const struct policy *p, unsigned int imap, unsigned int rule);

/** Names of the enums ("?" when out of range); protocol by number ("ip" for 0). */
const char *policy_proto_name(unsigned int proto_number);
const char *policy_inspect_name(unsigned int inspect);
const char *policy_limit_name(unsigned int limit);
uint32_t policy_limit_msgid(unsigned int limit);
const char *policy_timeout_name(unsigned int timeout);
const char *policy_log_dest_name(unsigned int dest);

/* ------------------------------------------------------------------ */
/* Counters                                                            */

/** Account one esmtp push of a connection of this class (packets, drops, rules, events). */
void policy_counters_account(struct policy_class_counters *c, const struct esmtp_result *r);
/** dst[i] += src[i] for n counter sets. */
void policy_counters_merge(struct policy_class_counters *dst,
		const struct policy_class_counters *src, unsigned int n);

/**
 * `show service-policy [inspect esmtp]` in the ASA layout:
 *   Global policy:
 *     Service-policy: global_policy
 *       Class-map: inspection_default
 *         Inspect: esmtp _default_esmtp_map, packet N, drop N, reset-drop N
 *           mask-banner, count N
 *           match cmd line length gt 512            drop-connection log, packet N
 * then per-pair policies ("Interface pair 1:") and IOS bindings.  c holds
 * policy_n_classes() summed counter sets, or NULL (all zero).  When
 * inspect_only, classes that do not inspect are left out, as ASA's
 * `inspect esmtp` filter does.  snprintf semantics (returns the length the
 * whole text needs; buf may be NULL with len 0).
 */
int policy_format_service_policy(const struct policy *p, const struct policy_class_counters *c,
		bool inspect_only, char *buf, size_t len);

/**
 * `show running-config`: the policy in ASA syntax after defaults (logging,
 * regex names, access-lists, statics, class-maps, inspect maps,
 * policy-maps, service-policy, IOS thresholds and bindings).  snprintf
 * semantics, as policy_format_service_policy().
 */
int policy_format_running_config(const struct policy *p, char *buf, size_t len);

/**
 * packet-tracer: the classes policy_classify() walks for a pair, in order
 * (IOS bindings, the pair's policy, the global one), and what a class-map
 * matches as one line of text ("match access-list SMTP; ...") in buf.
 */
unsigned int policy_chain_get(const struct policy *p, unsigned int pair,
		const struct policy_class *const **chain);
const char *policy_cmap_describe(const struct policy *p, unsigned int cmap, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Building (loaders, tests).  Each returns an index or 0, or -errno:  */
/* -EEXIST duplicate name, -ENOSPC capacity, -EINVAL bad argument,     */
/* -ENOENT unknown reference.  Not after policy_finalize().            */

/** New policy holding the built-ins (ASA defaults); NULL with errno on failure. */
struct policy *policy_new(void);
/** New finalized built-in default policy (what an empty configuration means). */
struct policy *policy_new_default(void);
/** Release a policy (NULL is fine). */
void policy_free(struct policy *p);
/** The policy is finalized (read-only). */
bool policy_is_final(const struct policy *p);

/** `regex NAME "pattern"`; why receives the reason of a bad pattern. */
int policy_regex_add(struct policy *p, const char *name, const char *pattern, bool icase, char *why,
		size_t whylen);
int policy_find_regex(const struct policy *p, const char *name);
/** `class-map type regex match-any NAME` and its `match regex R` lines. */
int policy_regex_class_add(struct policy *p, const char *name);
int policy_regex_class_member(struct policy *p, unsigned int rclass, unsigned int regex);
int policy_find_regex_class(const struct policy *p, const char *name);
/** Does regex (or regex class, when is_class) match s[0..n)?  1 / 0. */
int policy_regex_match(const struct policy *p, unsigned int idx, bool is_class, const uint8_t *s,
		size_t n);

/** `access-list NAME`; entries are appended in order. */
int policy_acl_add(struct policy *p, const char *name);
int policy_ace_add(struct policy *p, unsigned int acl, const struct policy_ace *e);

/** `class-map NAME` with its match; a built-in of that name is replaced. */
int policy_cmap_add(struct policy *p, const char *name, const struct policy_cmatch *m);

/**
 * `policy-map type inspect esmtp NAME`: a new inspect map holding
 * esmtp_policy_default()'s parameters and no match rule (a built-in of the
 * same name is replaced).  Fill it with policy_imap_mut() and the esmtp
 * setters, and rules with policy_imap_add_rule().
 */
int policy_imap_add(struct policy *p, const char *name);
struct esmtp_policy *policy_imap_mut(struct policy *p, unsigned int imap);
/**
 * Append `match [not] ...` with its action.  For regex criteria, rx is the
 * regex (or regex class when rx_class) index; otherwise ignored.  Returns
 * the rule index.
 */
int policy_imap_add_rule(struct policy *p, unsigned int imap, const struct esmtp_rule *r,
		unsigned int rx, bool rx_class);

/**
 * An inspect map for IOS-style inspection (`ip inspect name X smtp|esmtp`,
 * or a policy-map class `inspect: {smtp: ...}`): no banner masking, no
 * match rule, SMTP (RFC 821 verbs) or ESMTP mode, max-data bytes per
 * connection (0 = off; drop-connection when exceeded), logging when alert
 * is on (alert -1: the global IOS switch, resolved by policy_finalize()).
 * label names it in `show` output; it is not found by name.
 */
int policy_imap_add_smtp(struct policy *p, const char *label, enum policy_inspect mode, int alert,
		uint64_t max_data);

/** `policy-map NAME` (a built-in of that name is replaced). */
int policy_pmap_add(struct policy *p, const char *name);
/**
 * Append a class to a policy-map: c->cmap, inspect, has_inspect, has_conn,
 * imap, limits, timeouts, alert, audit_trail are read; the rest is filled
 * by policy_finalize().  The same class-map twice in one policy-map is
 * -EEXIST.
 */
int policy_pmap_class_add(struct policy *p, unsigned int pmap, const struct policy_class *c);

/** `service-policy NAME global` (pair < 0) or for one pair; POLICY_NONE removes it. */
int policy_service_set(struct policy *p, int pair, unsigned int pmap);

/** `static (...) ...`. */
int policy_static_add(struct policy *p, const struct policy_static *s);

/** IOS thresholds and switches; writable until finalized. */
struct policy_ios *policy_ios_mut(struct policy *p);
/**
 * IOS `ip inspect name NAME smtp|esmtp [alert] [audit-trail] [max-data N]
 * [timeout S]` bound to traffic entering `side` and permitted by access-list
 * acl (POLICY_NONE: all TCP/25): becomes a class of the IOS policy-map,
 * evaluated before every service policy.  alert/audit_trail: 0, 1, or -1
 * for the global switch.  timeout: idle seconds or POLICY_TIMEOUT_UNSET.
 */
int policy_ios_bind(struct policy *p, const char *name, enum policy_inspect mode, unsigned int acl,
		enum policy_side side, int alert, int audit_trail, uint64_t max_data,
		uint32_t timeout);
/** Audit-trail settings; writable until finalized. */
struct policy_logging *policy_logging_mut(struct policy *p);

/**
 * Installs lib/esmtp's trace hook on every inspect map (esmtp_trace_fn:
 * called only for connections with their trace on). Allowed on a final
 * policy, before any worker uses it.
 */
void policy_set_esmtp_trace(struct policy *p, esmtp_trace_fn fn, void *arg);

/** Resolve and freeze: class ids, chains, labels. 0 or -errno. */
int policy_finalize(struct policy *p);

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_POLICY_H */
