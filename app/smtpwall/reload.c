/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reload: requests are numbered (SIGHUP and telemetry alike); the control
 * lcore performs the latest one and publishes its outcome with the number
 * it served. A telemetry caller waits until that number reaches its own:
 * the reload that served it read the file after it asked.
 */
#include "reload.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_telemetry.h>

#include "app.h"
#include "audit.h"
#include "ctl.h"
#include "dbg.h"
#include "pgen.h"
#include "policy.h"

#define RELOAD_WAIT_MS 30000 /* a reload compiles regexes: seconds at worst */
#define RELOAD_CHUNK 100 /* telemetry strings hold 127 bytes: the error in pieces */

static _Atomic uint64_t requested, served;
static pthread_mutex_t outcome_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int ok;
	uint32_t generation;
	char text[CONFIG_ERR_LEN + 64];
} outcome;
static uint32_t next_id = 1;

/*
 * Publishes c's policy as a new generation with its audit destination,
 * once that destination is proven to work. New connections use it from
 * the workers' next loop; existing ones keep theirs. 0, or -1 + err.
 */
static int
publish(struct config *c, char *err, size_t len)
{
	struct policy *p = c->policy != NULL ? c->policy : policy_new_default();
	struct pgen *g;

	if (p == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (audit_prepare(policy_logging_get(p), err, len) != 0) {
		if (c->policy == NULL)
			policy_free(p);
		return -1;
	}
	/* debug esmtp: the hook on every inspect map, before any worker reads
	 * them; it runs only for connections dbg_esmtp_matches picked. */
	policy_set_esmtp_trace(p, dbg_trace, NULL);
	g = pgen_create(p, app.n_workers ? app.n_workers : 1, next_id);
	if (g == NULL) {
		audit_abort();
		if (c->policy == NULL)
			policy_free(p);
		snprintf(err, len, "out of memory");
		return -1;
	}
	c->policy = NULL; /* owned by the generation now */
	next_id++;
	pgen_publish(g);
	ctl_config_loaded(app.config_path, g->id); /* show running-config: its hash */
	audit_commit(policy_logging_get(g->policy));
	return 0;
}

int
reload_start(struct config *c)
{
	char err[CONFIG_ERR_LEN + 64];

	if (publish(c, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtpwall: %s\n", err);
		return -1;
	}
	return 0;
}

uint64_t
reload_request(void)
{
	return atomic_fetch_add(&requested, 1) + 1;
}

/* Loads the file; a bad file leaves the running policy in place. */
static int
reload_file(char *err, size_t len)
{
	struct config nc;
	int rc;

	config_default(&nc);
	if (config_load(app.config_path, &nc, err, len) != 0)
		return -1;
	rc = publish(&nc, err, len);
	config_free(&nc);
	return rc;
}

/* logrotate renamed the file and sent SIGHUP: whatever became of the
 * configuration, the audit file is opened again. */
static void
reopen_audit(void)
{
	char err[CONFIG_ERR_LEN + 64];

	if (audit_reopen(err, sizeof(err)) != 0)
		fprintf(stderr, "smtpwall: %s; the audit trail stays where it was\n", err);
}

static void
reload_run(void)
{
	char err[CONFIG_ERR_LEN + 64];
	int ok = 0;
	uint32_t gen;

	if (app.config_path == NULL) {
		/* Nothing to reload, not a failure: SIGHUP still reopens. */
		snprintf(err, sizeof(err), "no configuration file to reload (started without -c)");
		printf("smtpwall: SIGHUP: %s; audit destination opened again\n", err);
		reopen_audit();
	} else if (reload_file(err, sizeof(err)) == 0) {
		ok = 1;
		printf("smtpwall: reloaded %s (policy generation %u); wire and flows settings "
		       "apply at restart\n",
				app.config_path, atomic_load(&pgen_current)->id);
		app.reloads++;
	} else {
		fprintf(stderr, "smtpwall: reload refused, the running policy stays: %s\n", err);
		app.reloads_failed++;
		reopen_audit();
	}
	fflush(stdout);
	gen = atomic_load(&pgen_current) != NULL ? atomic_load(&pgen_current)->id : 0;
	pthread_mutex_lock(&outcome_lock);
	outcome.ok = ok;
	outcome.generation = gen;
	snprintf(outcome.text, sizeof(outcome.text), "%s", ok ? "" : err);
	pthread_mutex_unlock(&outcome_lock);
}

void
reload_poll(void)
{
	uint64_t want = atomic_load(&requested);

	if (want == atomic_load(&served))
		return;
	reload_run();
	atomic_store(&served, want);
}

/*
 * /smtpwall/reload: asks and waits for the outcome (this telemetry client's
 * own thread waits, not the data path). {"outcome": "reloaded" |
 * "refused" | "pending", "generation": N, "error": [pieces of the text]}.
 */
static int
tel_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t mine = reload_request();
	struct rte_tel_data *e;
	char text[sizeof(outcome.text)];
	unsigned int waited = 0;
	uint32_t gen;
	int ok;
	size_t i, n;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	while (atomic_load(&served) < mine && waited < RELOAD_WAIT_MS && !app_quit) {
		usleep(5000);
		waited += 5;
	}
	rte_tel_data_start_dict(d);
	if (atomic_load(&served) < mine) {
		rte_tel_data_add_dict_string(d, "outcome", "pending");
		return 0;
	}
	pthread_mutex_lock(&outcome_lock);
	ok = outcome.ok;
	gen = outcome.generation;
	memcpy(text, outcome.text, sizeof(text));
	pthread_mutex_unlock(&outcome_lock);
	rte_tel_data_add_dict_string(d, "outcome", ok ? "reloaded" : "refused");
	rte_tel_data_add_dict_u64(d, "generation", gen);
	rte_tel_data_add_dict_u64(d, "reloads", app.reloads);
	rte_tel_data_add_dict_u64(d, "reloads_failed", app.reloads_failed);
	if (ok)
		return 0;
	e = rte_tel_data_alloc();
	if (e == NULL)
		return 0;
	rte_tel_data_start_array(e, RTE_TEL_STRING_VAL);
	n = strlen(text);
	for (i = 0; i < n; i += RELOAD_CHUNK) {
		char piece[RELOAD_CHUNK + 1];

		snprintf(piece, sizeof(piece), "%.*s", RELOAD_CHUNK, text + i);
		rte_tel_data_add_array_string(e, piece);
	}
	if (rte_tel_data_add_dict_container(d, "error", e, 0) != 0)
		rte_tel_data_free(e);
	return 0;
}

int
reload_telemetry_register(void)
{
	return rte_telemetry_register_cmd("/smtpwall/reload", tel_reload,
			"Reload the configuration file (as SIGHUP) and wait for the outcome. No "
			"parameters");
}
