/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_SW_COMMON_H
#define SMTPWALL_SW_COMMON_H

/*
 * The few helpers every part of smtpwall wants and C does not have:
 * branch hints and container_of. Header only, no DPDK: lib/ uses it as it
 * is; beside DPDK's rte_branch_prediction.h and rte_common.h (which guard
 * theirs the same way) whichever comes first defines them, identically.
 */

#include <stddef.h>
#include <stdint.h>

#ifndef likely
#if defined(__GNUC__)
#define likely(x) __builtin_expect(!!(x), 1)
#else
#define likely(x) (x)
#endif
#endif

#ifndef unlikely
#if defined(__GNUC__)
#define unlikely(x) __builtin_expect(!!(x), 0)
#else
#define unlikely(x) (x)
#endif
#endif

/* The struct of type `type` whose member `member` is at ptr. */
#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)(uintptr_t)((uintptr_t)(ptr)-offsetof(type, member)))
#endif

#endif /* SMTPWALL_SW_COMMON_H */
