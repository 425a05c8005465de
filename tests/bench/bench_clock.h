/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_BENCH_CLOCK_H
#define SMTPWALL_BENCH_CLOCK_H

/* The clocks of the microbenchmarks: wall seconds, and CPU ticks (the TSC on
 * x86-64, nanoseconds elsewhere) for cycles per operation. */

#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the calling thread: on a shared machine, time spent
 * descheduled does not count (cycles = cpu_s() x the TSC rate). */
static inline double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t
ticks(void)
{
#if defined(__x86_64__)
	return __rdtsc();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

#endif /* SMTPWALL_BENCH_CLOCK_H */
