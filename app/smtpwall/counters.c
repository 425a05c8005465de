/* SPDX-License-Identifier: BSD-3-Clause */
/* The names and meanings of the per-worker counters; reading them by index. */
#include "counters.h"

const char *const wk_counter_names[WK_CNT_MAX] = {
#define WK_STATS_NAME(name, help) #name,
		WK_FOREACH_COUNTER(WK_STATS_NAME)
#undef WK_STATS_NAME
};

const char *const wk_counter_help[WK_CNT_MAX] = {
#define WK_STATS_HELP(name, help) help,
		WK_FOREACH_COUNTER(WK_STATS_HELP)
#undef WK_STATS_HELP
};

uint64_t
wk_stats_get(const struct wk_stats *s, unsigned int i)
{
	const volatile uint64_t *f = (const volatile uint64_t *)s;

	return i < WK_CNT_MAX ? f[i] : 0;
}

void
wk_stats_add(struct wk_stats *dst, const struct wk_stats *src)
{
	unsigned int i;

	for (i = 0; i < WK_CNT_MAX; i++)
		((uint64_t *)dst)[i] += wk_stats_get(src, i);
	for (i = 0; i < PKT_RESULT_MAX; i++)
		dst->drop_reason[i] += ((const volatile uint64_t *)src->drop_reason)[i];
}
