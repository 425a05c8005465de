/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CONFIG_H
#define SMTPWALL_CONFIG_H

/*
 * The appliance's configuration file (YAML), compiled into plain structs
 * before any port starts. Pure C: no DPDK include. Errors are reported as
 * "file:line:column: what is wrong" (line and column from 1).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define CONFIG_MAX_PAIRS 8
#define CONFIG_MAX_WORKERS 64 /* the appliance's worker arrays (APP_MAX_WORKERS) */
#define CONFIG_PORT_NAME_LEN 64
#define CONFIG_ERR_LEN 512

struct policy; /* lib/policy: the compiled inspection policy */

enum config_dispatch {
	CONFIG_DISPATCH_AUTO = 0, /* RSS where the device has it, software otherwise */
	CONFIG_DISPATCH_RSS, /* insist on symmetric RSS */
	CONFIG_DISPATCH_SOFTWARE, /* one dispatcher lcore hashes frames to workers */
	CONFIG_DISPATCH_QUEUE, /* worker w polls queue w: the sender keeps a flow on one queue */
};

enum config_midstream {
	CONFIG_MIDSTREAM_PICKUP = 0, /* adopt a TCP connection seen without its handshake */
	CONFIG_MIDSTREAM_DROP, /* drop its packets, like a firewall */
};

/* Where a setting was read (line and column from 1); 0 when it did not come from a file. */
struct config_pos {
	unsigned int line, col;
};

/* A port is named by its DPDK device name ("net_tap0", "0000:3b:00.0") or its port id. */
struct config_port {
	char name[CONFIG_PORT_NAME_LEN];
	struct config_pos at; /* in wire.pairs, for "file:line:column: port ... does not exist" */
};

struct config_pair {
	struct config_port inside;
	struct config_port outside;
};

/*
 * Timeouts in seconds; 0 means never (ASA semantics). s[] is indexed by
 * lib/flow's one list of timeouts (FLOW_FOREACH_TIMEOUT: its keys, defaults
 * and order); the names alias it.
 */
struct config_timeouts {
	union {
		uint32_t s[FLOW_TO_MAX];
		struct {
			uint32_t embryonic; /* ASA embryonic / IOS synwait-time: 30 */
			uint32_t idle; /* ASA conn / IOS idle-time: 3600 */
			uint32_t half_closed; /* ASA half-closed: 600 */
			uint32_t closed; /* linger after close, IOS finwait-time: 5 */
			uint32_t udp; /* ASA udp: 120 */
		};
	};
};

/*
 * Flow entries per worker by default. Size a table as connections per second
 * x the closed linger (5 s) + concurrent connections: 131,072 (90 MB at
 * 687 B each) covers 25,000 connections/s with 6,000 open per worker; a
 * full table reclaims closed entries beyond that. Up to 8 workers fit the
 * 1 GiB smtpwall takes without hugepages; 64 take 5.8 GB of hugepages.
 * Every start and exit pays for the whole table (page faults, zeroing).
 */
#define CONFIG_FLOWS_PER_WORKER 131072

/* Ranges of the `tcp:` keys (lib/tcp's own limits). */
#define CONFIG_TCP_IN_FLIGHT_MIN (64ull << 10)
#define CONFIG_TCP_IN_FLIGHT_MAX (1ull << 30)
#define CONFIG_TCP_BUFFER_MIN (1ull << 20)
#define CONFIG_TCP_BUFFER_MAX (32ull << 30)
#define CONFIG_TCP_OOO_MAX 2048

/* lib/tcp's bounds for inspected connections (the `tcp:` section). */
struct config_tcp {
	uint64_t max_in_flight; /* bytes per direction; larger windows are clamped (16 MiB) */
	uint64_t buffer_per_worker; /* retransmission store of a worker (128 MiB) */
	uint32_t ooo_segments; /* out-of-order segments queued per direction (1024) */
	uint32_t ooo_timeout; /* seconds an early segment waits for the hole to fill (4) */
};

/* The `metrics` section: Prometheus text over HTTP and/or to a file. */
struct config_metrics {
	char listen[64]; /* "ADDR:PORT" as written; "" = no HTTP endpoint */
	uint8_t family; /* of listen: 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
	char textfile[256]; /* node_exporter textfile collector; "" = none */
	uint32_t interval; /* seconds between two writes of textfile */
};

struct config {
	unsigned int n_pairs;
	struct config_pair pairs[CONFIG_MAX_PAIRS];
	bool pairs_given; /* wire.pairs (or -p) named the ports: no default wire */
	unsigned int workers; /* worker lcores; 0 = derived (docs/operations.md) */
	struct config_pos workers_at; /* where wire.workers was set */
	enum config_dispatch dispatch;
	uint32_t flows_per_worker; /* flow table capacity of each worker */
	enum config_midstream midstream;
	bool verify_ip4_csum; /* drop IPv4 frames whose header checksum is wrong */
	struct config_timeouts timeouts;
	struct config_tcp tcp;
	uint32_t mbufs; /* mbuf pool size; 0 = computed from ports and queues */
	uint16_t rx_desc, tx_desc; /* descriptors per queue */
	uint32_t idle_sleep_us; /* sleep after an empty poll round; 0 = pure polling */
	struct config_metrics metrics;
	/*
	 * The inspection policy (access-lists ... service-policy, statics,
	 * ip-inspect, logging), compiled and finalized; owned by this struct
	 * (config_free). NULL when no file section set one: the built-in ASA
	 * default applies (policy_new_default()).
	 */
	struct policy *policy;
};

/* Fills the defaults: one pair of ports 0 and 1, ASA timeouts, auto dispatch. */
void config_default(struct config *c);

/*
 * Loads a YAML file over the defaults already in *c. Returns 0, or -1 with
 * a "file:line:column: message" in err. Unknown keys, wrong types and
 * out-of-range values are errors; nothing is partially applied on error
 * (c is left as it was).
 *
 * When the file holds any policy section, a new compiled policy replaces
 * c->policy and the previous one is freed: to reload while workers use a
 * policy, load into a fresh struct config (config_default) and take its
 * policy pointer.
 */
int config_load(const char *path, struct config *c, char *err, size_t errlen);

/* Same from a string (tests, fuzzing); name is used in error messages. */
int config_load_string(const char *name, const char *text, size_t len, struct config *c, char *err,
		size_t errlen);

const char *config_dispatch_name(enum config_dispatch d);

/* Frees what *c owns (its policy); c may be loaded again after config_default. */
void config_free(struct config *c);

#endif /* SMTPWALL_CONFIG_H */
