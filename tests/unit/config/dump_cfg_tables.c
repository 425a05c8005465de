/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prints lib/config's parameter tables (cfg_root_table and every table
 * under it), one key a line:
 *   PATH <TAB> KEY <TAB> TYPE <TAB> MIN <TAB> MAX <TAB> NAMES <TAB> DEFAULT
 * check_docs.py compares them with docs/configuration.md's reference.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cfg_table.h"

#define MAX_TABLES 128

static const char *const type_names[] = {
		[CFG_U32] = "u32",
		[CFG_SIZE] = "size",
		[CFG_DURATION] = "duration",
		[CFG_BOOL] = "bool",
		[CFG_ENUM] = "enum",
		[CFG_STRING] = "string",
		[CFG_TEXT] = "text",
		[CFG_MAP] = "map",
		[CFG_LIST] = "list",
		[CFG_NAMED] = "named",
		[CFG_OTHER] = "other",
};

static const struct cfg_table *seen[MAX_TABLES];
static unsigned int n_seen;

static void
dump(const struct cfg_table *t)
{
	const struct cfg_param *p;
	unsigned int i;

	for (i = 0; i < n_seen; i++)
		if (seen[i] == t)
			return;
	if (n_seen == MAX_TABLES)
		return;
	seen[n_seen++] = t;
	for (p = t->params; p->name != NULL; p++) {
		printf("%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t", t->path, p->name,
				type_names[p->type], p->min, p->max);
		for (i = 0; p->names != NULL && p->names[i] != NULL; i++)
			printf("%s%s", i ? "," : "", p->names[i]);
		printf("\t%s\n", p->def != NULL ? p->def : "");
	}
	for (p = t->params; p->name != NULL; p++)
		if (p->sub != NULL)
			dump(p->sub);
}

int
main(void)
{
	dump(&cfg_root_table);
	return 0;
}
