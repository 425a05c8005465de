/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the appliance's whole worker path in offline mode — a
 * sequence of frames in, through parsing, the flow table, connection
 * limits, TCP Intercept, lib/tcp, lib/esmtp, the edits and the RSTs, and
 * out to the offline sink — with the real DPDK mbufs and a real policy
 * (config/default.yaml or one of config/examples/). Needs the DPDK EAL
 * (initialised once: --no-huge, no PCI, a private file prefix).
 *
 * Input (tests/fuzz/pcap_to_worker.py writes it from a capture):
 *   byte 0      options: bits 0-3 the policy (index, modulo the number of
 *               policies; 0 = config/default.yaml), bit 6 verify TCP
 *               checksums, bit 7 midstream pickup (else drop)
 *   then frames, each: u8 flags, u16 length (big endian), the Ethernet
 *               frame (a short last frame takes what is left)
 *     flags bit 0     the port it arrives on: 0 inside, 1 outside
 *     flags bits 1-7  d, capture time before it: 0 the same time,
 *                     1-63 d x 100 us, 64-126 (d - 63) s, 127 3601 s
 * Frames are grouped into bursts as the offline mode does (32 frames or
 * 1 ms of capture time), the timers run at each burst; after the last
 * frame two hours pass and every flow is flushed.
 *
 * Every input gets a fresh policy generation and an empty flow table, so
 * a crash replays alone. Aborts when: a frame that
 * leaves the box does not parse (a malformed frame must never be
 * forwarded); the worker's rx counter is not the number of frames handed
 * in; an mbuf is not back in the pool once the flows are gone (a leak).
 */
#include <dirent.h>
#include <inttypes.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "eal_runtime.h"
#include "app.h"
#include "audit.h"
#include "sw_config.h"
#include "pgen.h"
#include "pkt.h"
#include "policy.h"
#include "worker.h"

#ifndef SMTPWALL_CONFIG_DIR
#define SMTPWALL_CONFIG_DIR "config"
#endif

#define FZ_MBUFS 511 /* a pool of 2^n - 1 mbufs, as DPDK recommends */
#define FZ_FLOWS 1024 /* flow table capacity: small, so that it can fill */
#define FZ_T0 1000000000000000000ull /* capture time of the first frame, ns (2001) */
#define FZ_BURST_NS 1000000u /* as the offline mode */
#define FZ_MAX_POLICIES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What main.c defines for the appliance. */
struct app app;
volatile bool app_quit;

struct policy_text {
	char name[512];
	char *text;
	size_t len;
};

static struct policy_text policies[FZ_MAX_POLICIES];
static unsigned int n_policies;
static uint64_t out_frames;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_worker: %s\n", what);
	abort();
}

static void
add_policy(const char *path)
{
	struct policy_text *p = &policies[n_policies];
	FILE *f;
	long n;

	if (n_policies == FZ_MAX_POLICIES)
		return;
	f = fopen(path, "rb");
	if (f == NULL)
		die(path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p->text = malloc((size_t)n + 1);
	if (p->text == NULL || fread(p->text, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	p->len = (size_t)n;
	snprintf(p->name, sizeof(p->name), "%s", path);
	n_policies++;
}

static int
cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
load_policies(void)
{
	const char *dir = getenv("SMTPWALL_FUZZ_CONFIG_DIR");
	char path[1024];
	struct dirent **names;
	int n, i;

	if (dir == NULL)
		dir = SMTPWALL_CONFIG_DIR;
	snprintf(path, sizeof(path), "%s/default.yaml", dir);
	add_policy(path); /* index 0 */
	snprintf(path, sizeof(path), "%s/examples", dir);
	n = scandir(path, &names, NULL, cmp_name);
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);

		if (l > 5 && strcmp(names[i]->d_name + l - 5, ".yaml") == 0) {
			snprintf(path, sizeof(path), "%s/examples/%s", dir, names[i]->d_name);
			add_policy(path);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* The first CPU this process may run on: EAL's main lcore. */
static int
first_cpu(void)
{
	cpu_set_t set;
	int i;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				return i;
	return 0;
}

static void
init_once(void)
{
	/* EAL may permute argv: writable copies. */
	static char args[][32] = {"fuzz_worker", "--no-huge", "-m", "256", "--no-pci",
			"--no-telemetry", "--log-level", "*:error", "--file-prefix", "", "--lcores",
			""};
	char *argv[sizeof(args) / sizeof(args[0]) + 1];
	int argc = (int)(sizeof(args) / sizeof(args[0])), i;

	snprintf(args[9], sizeof(args[9]), "fzw%d", (int)getpid());
	snprintf(args[11], sizeof(args[11]), "0@%d", first_cpu());
	for (i = 0; i < argc; i++)
		argv[i] = args[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0)
		die("rte_eal_init failed");
	/* Nothing left in /var/run/dpdk when the process goes. */
	eal_runtime_dir_note(argc, argv);
	atexit(eal_runtime_dir_remove);
	/* Offline mbufs take the largest IP packet, as in offline.c. */
	app.pool = rte_pktmbuf_pool_create("fz_mbufs", FZ_MBUFS, 0, 0, UINT16_MAX, SOCKET_ID_ANY);
	if (app.pool == NULL)
		die("mbuf pool");
	load_policies();
	if (n_policies == 0)
		die("no policy");
	/* The wire: port 0 inside, port 1 outside, one pair. */
	app.n_ports = 2;
	app.ports[0] = 0;
	app.ports[1] = 1;
	memset(app.peer, 0xff, sizeof(app.peer));
	app.peer[0] = 1;
	app.peer[1] = 0;
	app.port_inside[0] = true;
	app.offline = true;
	app.n_workers = 1;
	audit_clock_init();
	/* Records are formatted and thrown away. */
	if (audit_open("/dev/null") != 0)
		die("audit_open");
}

/* The offline sink: what would leave the box must parse. */
static void
fz_sink(void *arg, struct rte_mbuf *m, uint16_t out_port)
{
	struct pkt_info pi;

	(void)arg;
	if (out_port > 1)
		die("a frame left by a port that is not on the wire");
	if (pkt_parse_ex(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), false,
			    &pi) != PKT_OK)
		die("a frame that does not parse left the box");
	out_frames++;
	rte_pktmbuf_free(m);
}

static uint64_t
advance_ns(unsigned int d)
{
	if (d == 0)
		return 0;
	if (d < 64)
		return (uint64_t)d * 100000u;
	if (d < 127)
		return (uint64_t)(d - 63) * 1000000000u;
	return 3601ull * 1000000000u;
}

/*
 * The worker is made once: its lib/tcp pools alone are 256 MiB of address
 * space, too slow to map for every input. Capture time never goes back
 * (each input starts where the previous one ended, two hours on), so its
 * flow table and timers see one long capture; the flows are gone between
 * inputs. It is made again when the clock nears its end.
 */
static struct worker *the_worker;

/* At exit: the worker lives in DPDK memory, which LeakSanitizer does not
 * scan, so what it malloc'd (lib/tcp pools, audit ring) would show as a
 * leak unless it is freed. */
static void
worker_fini(void)
{
	worker_free(the_worker);
	the_worker = NULL;
	app.workers[0] = NULL;
}

static struct worker *
worker_get(uint64_t *clock_ns)
{
	struct worker *w = the_worker;

	if (w != NULL && *clock_ns < (1ull << 63))
		return w;
	if (w != NULL)
		worker_free(w);
	else
		atexit(worker_fini);
	/* Flow-table settings are the defaults whatever the policy file says. */
	config_default(&app.cfg);
	app.cfg.flows_per_worker = FZ_FLOWS;
	w = worker_create(0, WK_MODE_OFFLINE, 1000000000u, SOCKET_ID_ANY);
	if (w == NULL)
		die("worker_create");
	w->sink = fz_sink;
	w->sink_arg = NULL;
	app.workers[0] = w;
	the_worker = w;
	*clock_ns = FZ_T0;
	return w;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint64_t clock_ns;
	struct rte_mbuf *burst[WK_BURST];
	const struct policy_text *pt;
	struct config c;
	struct pgen *g;
	struct worker *w;
	struct policy *p;
	char err[CONFIG_ERR_LEN];
	uint64_t now, first = 0, frames = 0, rx0;
	size_t off = 1;
	uint16_t n = 0;
	unsigned int i;

	if (size < 1)
		return 0;
	if (!ready) {
		init_once();
		ready = true;
	}
	w = worker_get(&clock_ns);
	now = clock_ns;

	/* The policy (a new generation) and the options of this input. */
	pt = &policies[(data[0] & 0x0f) % n_policies];
	config_default(&c);
	if (config_load_string(pt->name, pt->text, pt->len, &c, err, sizeof(err)) != 0)
		die(err);
	p = c.policy != NULL ? c.policy : policy_new_default();
	c.policy = NULL;
	config_free(&c);
	if (p == NULL)
		die("policy");
	g = pgen_create(p, 1, 1);
	if (g == NULL)
		die("pgen_create");
	atomic_store(&pgen_current, g);
	if (audit_prepare(policy_logging_get(g->policy), err, sizeof(err)) != 0)
		die(err);
	audit_commit(policy_logging_get(g->policy));
	w->midstream_drop = (data[0] & 0x80) == 0;
	w->verify_tcp_csum = (data[0] & 0x40) != 0;
	app.verify_tcp_csum = w->verify_tcp_csum;
	worker_load_gen(w);
	rx0 = w->st.rx_pkts;

	/* The frames, in bursts as offline_run() makes them. */
	out_frames = 0;
	while (off + 3 <= size) {
		uint8_t flags = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		struct rte_mbuf *m;
		char *dst;

		off += 3;
		if (len > size - off)
			len = size - off;
		now += advance_ns(flags >> 1);
		if (n != 0 && (n == WK_BURST || now - first > FZ_BURST_NS)) {
			worker_process_burst(w, burst, n, now);
			audit_drain();
			n = 0;
		}
		if (n == 0) {
			first = now;
			worker_expire(w, now);
		}
		m = rte_pktmbuf_alloc(app.pool);
		if (m != NULL) {
			dst = rte_pktmbuf_append(m, (uint16_t)len);
			if (dst == NULL) {
				rte_pktmbuf_free(m);
			} else {
				memcpy(dst, data + off, len);
				m->port = flags & 1;
				burst[n++] = m;
				frames++;
			}
		}
		off += len;
	}
	if (n != 0) {
		worker_process_burst(w, burst, n, now);
		audit_drain();
	}
	if (w->st.rx_pkts - rx0 != frames)
		die("rx_pkts is not the number of frames handed in");
	if (getenv("FUZZ_WORKER_VERBOSE") != NULL)
		printf("fuzz_worker: policy %s: %" PRIu64 " frames in, %" PRIu64
		       " out, %u flows open at the end\n",
				pt->name, frames, out_frames, flow_table_count(w->ft));

	/* Two hours later: every timer runs, then the rest is flushed. */
	now += 7200ull * 1000000000u;
	for (i = 0; i < 4 * FZ_FLOWS / 64 + 4 && flow_table_count(w->ft) != 0; i++) {
		worker_expire(w, now);
		now += 2 * FZ_BURST_NS;
	}
	worker_flush_flows(w);
	audit_drain();
	clock_ns = now + 7200ull * 1000000000u;
	if (rte_mempool_avail_count(app.pool) != app.pool->size)
		die("mbufs are missing from the pool after every flow went (a leak)");
	atomic_store(&pgen_current, NULL);
	w->gen = NULL;
	pgen_free(g);
	return 0;
}
