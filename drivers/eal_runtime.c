/* SPDX-License-Identifier: BSD-3-Clause */
#include "eal_runtime.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

static char runtime_dir[PATH_MAX];

void
eal_runtime_dir_note(int argc, char **argv)
{
	const char *d = rte_eal_get_runtime_dir();
	int i;

	runtime_dir[0] = '\0';
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (!strcmp(argv[i], "--no-shconf") || !strcmp(argv[i], "--in-memory"))
			return;
	if (d != NULL && rte_eal_process_type() == RTE_PROC_PRIMARY &&
			strlen(d) < sizeof(runtime_dir))
		memcpy(runtime_dir, d, strlen(d) + 1);
}

void
eal_runtime_dir_remove(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *dir;

	if (runtime_dir[0] == '\0')
		return;
	dir = opendir(runtime_dir);
	if (dir != NULL) {
		while ((e = readdir(dir)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", runtime_dir, e->d_name) <
					(int)sizeof(path))
				(void)unlink(path);
		}
		closedir(dir);
	}
	(void)rmdir(runtime_dir);
	runtime_dir[0] = '\0';
}
