/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The clocks of the data path: TSC to nanoseconds on a fixed base
 * (durations, rate limits) and on a base re-synced with the real clock
 * once a second by the control lcore (record times). See tsclock.h.
 */
#include "tsclock.h"

#include <time.h>

#include <rte_cycles.h>

#include "sw_log.h"

static struct log_clock mono_clock, wall_clock;
static uint64_t last_sync_tsc;

/* One (TSC, CLOCK_REALTIME) pair read close together: a read that was
 * preempted between the two is taken again. */
static void
clock_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t hz = rte_get_tsc_hz(), a = 0, b = 0;
	struct timespec ts = {0, 0};
	int i;

	for (i = 0; i < 4; i++) {
		a = rte_rdtsc();
		clock_gettime(CLOCK_REALTIME, &ts);
		b = rte_rdtsc();
		if (b - a < hz / 100000) /* 10 us */
			break;
	}
	*tsc = a + (b - a) / 2;
	*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
audit_clock_init(void)
{
	uint64_t tsc, ns;

	clock_pair(&tsc, &ns);
	log_clock_init(&mono_clock, rte_get_tsc_hz(), tsc, ns);
	log_clock_init(&wall_clock, rte_get_tsc_hz(), tsc, ns);
	last_sync_tsc = tsc;
}

void
audit_clock_sync(void)
{
	uint64_t tsc, ns;

	clock_pair(&tsc, &ns);
	log_clock_sync(&wall_clock, tsc, ns);
	last_sync_tsc = tsc;
}

uint64_t
audit_tsc_to_ns(uint64_t tsc)
{
	return log_clock_ns(&mono_clock, tsc);
}

uint64_t
audit_tsc_to_wall_ns(uint64_t tsc)
{
	return log_clock_ns(&wall_clock, tsc);
}

void
audit_clock_poll(void)
{
	if (rte_rdtsc() - last_sync_tsc >= rte_get_tsc_hz())
		audit_clock_sync();
}
