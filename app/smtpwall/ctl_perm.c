/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --ctl-group GROUP: smtpwall-ctl for the members of a group, not only
 * root. DPDK creates its runtime directory 0700 and the telemetry socket
 * with the process's umask; after rte_eal_init this gives the directory
 * and the socket to the group (0750, 0660) and lets everyone traverse
 * /var/run/dpdk (o+x, no listing), so that other prefixes stay private.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "ctl.h"

int
ctl_group_lookup(const char *name, gid_t *gid)
{
	struct group *g = getgrnam(name);

	if (g == NULL) {
		fprintf(stderr, "smtpwall: --ctl-group: no group '%s' on this system\n", name);
		return -1;
	}
	*gid = g->gr_gid;
	return 0;
}

static int
give(const char *path, gid_t gid, mode_t mode)
{
	if (chown(path, (uid_t)-1, gid) != 0 || chmod(path, mode) != 0) {
		fprintf(stderr, "smtpwall: --ctl-group: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
ctl_group_apply(gid_t gid)
{
	const char *dir = rte_eal_get_runtime_dir();
	char sock[PATH_MAX], parent[PATH_MAX], *slash;
	struct stat st;

	snprintf(sock, sizeof(sock), "%s/dpdk_telemetry.v2", dir);
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent)
		*slash = '\0';
	if (give(dir, gid, 0750) != 0 || give(sock, gid, 0660) != 0)
		return -1;
	if (slash != NULL && stat(parent, &st) == 0 && (st.st_mode & 0011) != 0011 &&
			chmod(parent, (st.st_mode & 07777) | 0011) != 0) {
		fprintf(stderr, "smtpwall: --ctl-group: %s: %s\n", parent, strerror(errno));
		return -1;
	}
	return 0;
}
