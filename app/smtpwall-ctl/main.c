/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-ctl: the operator's view of a running smtpwall, ASA style.
 * It speaks DPDK's telemetry protocol (a SOCK_SEQPACKET socket per process,
 * JSON replies) so it needs no DPDK itself:
 *
 *   smtpwall-ctl [-f PREFIX] show service-policy [inspect esmtp]
 *   smtpwall-ctl [-f PREFIX] show counters | show drops | show flows
 *   smtpwall-ctl [-f PREFIX] reload      (waits; exit 1 when the file is refused)
 *   smtpwall-ctl [-f PREFIX] raw /command[,params]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define REPLY_MAX (64 * 1024)
#define REPLY_WAIT_S 60 /* a reload waits up to 30 s for its outcome */

static int
usage(void)
{
	fprintf(stderr,
		"usage: smtpwall-ctl [-f PREFIX] show service-policy [inspect esmtp]\n"
		"       smtpwall-ctl [-f PREFIX] show counters|drops|flows\n"
		"       smtpwall-ctl [-f PREFIX] show conn [count | address ADDR]\n"
		"       smtpwall-ctl [-f PREFIX] reload\n"
		"       smtpwall-ctl [-f PREFIX] raw /command[,params]\n"
		"PREFIX is smtpwall's --file-prefix (default smtpwall).\n");
	return 2;
}

static int
tel_connect(const char *prefix)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *run = getenv("XDG_RUNTIME_DIR");
	char buf[1024];
	int fd;

	if (getuid() == 0 || run == NULL)
		snprintf(sun.sun_path, sizeof(sun.sun_path), "/var/run/dpdk/%s/dpdk_telemetry.v2",
			prefix);
	else
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk/%s/dpdk_telemetry.v2", run,
			prefix);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr,
			"smtpwall-ctl: cannot reach %s: %s (is smtpwall running with "
			"--file-prefix %s?)\n",
			sun.sun_path, strerror(errno), prefix);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* The server greets with its own info first. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){REPLY_WAIT_S, 0},
		    sizeof(struct timeval)) != 0 ||
		read(fd, buf, sizeof(buf)) <= 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends one command, returns the JSON reply (malloc'd) or NULL. */
static char *
tel_query(int fd, const char *cmd)
{
	char *reply = malloc(REPLY_MAX + 1);
	ssize_t n;

	if (reply == NULL || write(fd, cmd, strlen(cmd)) < 0) {
		free(reply);
		return NULL;
	}
	n = read(fd, reply, REPLY_MAX);
	if (n <= 0) {
		free(reply);
		return NULL;
	}
	reply[n] = '\0';
	return reply;
}

/* Copies the JSON string at *p (after its opening quote) into out, unescaped. */
static const char *
json_string(const char *p, char *out, size_t len)
{
	size_t o = 0;

	while (*p != '\0' && *p != '"') {
		char c = *p++;

		if (c == '\\' && *p != '\0') {
			c = *p++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'u') {
				p += (strlen(p) >= 4) ? 4 : strlen(p);
				c = '?';
			}
		}
		if (o + 1 < len)
			out[o++] = c;
	}
	out[o] = '\0';
	return *p == '"' ? p + 1 : p;
}

/*
 * Prints the value of {"/cmd": VALUE}: an array of strings one per line,
 * a dict as "key value" lines, anything else raw.
 */
static int
print_value(const char *json)
{
	const char *p = strchr(json, ':');
	char s[4096];

	if (p == NULL)
		return -1;
	p++;
	while (*p == ' ')
		p++;
	if (*p == '[') {
		for (p++; *p != '\0' && *p != ']';) {
			if (*p == '"') {
				p = json_string(p + 1, s, sizeof(s));
				printf("%s\n", s);
			} else {
				p++;
			}
		}
		return 0;
	}
	if (*p == '{') {
		for (p++; *p != '\0' && *p != '}';) {
			const char *v;

			if (*p != '"') {
				p++;
				continue;
			}
			p = json_string(p + 1, s, sizeof(s));
			printf("%-28s ", s);
			while (*p == ':' || *p == ' ')
				p++;
			if (*p == '"') {
				p = json_string(p + 1, s, sizeof(s));
				printf("%s\n", s);
				continue;
			}
			v = p;
			while (*p != '\0' && *p != ',' && *p != '}')
				p++;
			printf("%.*s\n", (int)(p - v), v);
		}
		return 0;
	}
	if (strncmp(p, "null", 4) == 0) {
		fprintf(stderr, "smtpwall-ctl: the command is not known to this smtpwall\n");
		return -1;
	}
	printf("%s\n", p);
	return 0;
}

/* The value of "key" in a JSON reply (past its colon and blanks), or NULL. */
static const char *
json_key(const char *json, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\"", key);
	p = strstr(json, k);
	if (p == NULL)
		return NULL;
	for (p += strlen(k); *p == ' ' || *p == ':'; p++)
		;
	return p;
}

/*
 * The outcome of /smtpwall/reload: "reloaded: generation N" (0), or
 * "reload refused: FILE:LINE:COL: message" on stderr (1). The error comes
 * in pieces (telemetry strings are short): joined again here.
 */
static int
print_reload(const char *json)
{
	const char *o = json_key(json, "outcome"), *g = json_key(json, "generation");
	const char *e = json_key(json, "error");
	char outcome[32], piece[256], text[2048] = "";

	if (o == NULL || *o != '"') {
		if (strstr(json, "null") != NULL)
			fprintf(stderr,
				"smtpwall-ctl: the command is not known to this smtpwall\n");
		else
			fprintf(stderr, "smtpwall-ctl: unexpected reply %s\n", json);
		return 1;
	}
	json_string(o + 1, outcome, sizeof(outcome));
	if (strcmp(outcome, "reloaded") == 0) {
		printf("reloaded: generation %lu\n", g != NULL ? strtoul(g, NULL, 10) : 0ul);
		return 0;
	}
	if (strcmp(outcome, "refused") != 0) {
		fprintf(stderr, "reload requested, no outcome yet (%s): see smtpwall's log\n",
			outcome);
		return 1;
	}
	if (e != NULL && *e == '[') {
		for (e++; *e != '\0' && *e != ']';) {
			if (*e != '"') {
				e++;
				continue;
			}
			e = json_string(e + 1, piece, sizeof(piece));
			strncat(text, piece, sizeof(text) - strlen(text) - 1);
		}
	}
	fprintf(stderr, "reload refused: %s\n", text[0] ? text : "(no reason given)");
	return 1;
}

/* The parameter of /smtpwall/conns for `show conn [count | address A]`
 * (n words after "conn"), or NULL when they are not that. */
static const char *
conn_param(int n, char **w)
{
	if (n == 0)
		return "";
	if (n == 1 && strcmp(w[0], "count") == 0)
		return "count";
	if (n == 2 && strcmp(w[0], "address") == 0 && strlen(w[1]) < 64)
		return w[1];
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *prefix = "smtpwall", *conn;
	char cmd[256];
	char *reply;
	int fd, i = 1, rc;

	if (argc > 2 && strcmp(argv[1], "-f") == 0) {
		prefix = argv[2];
		i = 3;
	}
	if (i >= argc)
		return usage();
	if (strcmp(argv[i], "show") == 0 && i + 1 < argc) {
		const char *what = argv[i + 1];

		if (strcmp(what, "service-policy") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/service_policy%s",
				i + 2 < argc && strcmp(argv[i + 2], "inspect") == 0 ? ",inspect"
										    : "");
		else if (strcmp(what, "counters") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/stats");
		else if (strcmp(what, "drops") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/drops");
		else if (strcmp(what, "flows") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/flows");
		else if (strcmp(what, "conn") == 0 &&
			(conn = conn_param(argc - i - 2, argv + i + 2)) != NULL)
			snprintf(cmd, sizeof(cmd), "/smtpwall/conns%s%s", *conn ? "," : "", conn);
		else
			return usage();
	} else if (strcmp(argv[i], "reload") == 0) {
		snprintf(cmd, sizeof(cmd), "/smtpwall/reload");
	} else if (strcmp(argv[i], "raw") == 0 && i + 1 < argc) {
		snprintf(cmd, sizeof(cmd), "%s", argv[i + 1]);
	} else {
		return usage();
	}
	fd = tel_connect(prefix);
	if (fd < 0)
		return 1;
	reply = tel_query(fd, cmd);
	close(fd);
	if (reply == NULL) {
		fprintf(stderr, "smtpwall-ctl: no reply to %s\n", cmd);
		return 1;
	}
	if (strcmp(argv[i], "raw") == 0) {
		printf("%s\n", reply);
		rc = 0;
	} else if (strcmp(argv[i], "reload") == 0) {
		rc = print_reload(reply);
	} else {
		rc = print_value(reply);
	}
	free(reply);
	return rc == 0 ? 0 : 1;
}
