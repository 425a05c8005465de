/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smtpwall-ctl: the operator's view of a running smtpwall, ASA style.
 * It speaks DPDK's telemetry protocol (a SOCK_SEQPACKET socket per process,
 * JSON replies) so it needs no DPDK itself:
 *
 *   smtpwall-ctl [-f PREFIX] show service-policy [inspect esmtp]
 *   smtpwall-ctl [-f PREFIX] show counters | show drops | show flows
 *   smtpwall-ctl [-f PREFIX] show asp drop | show version | show running-config
 *   smtpwall-ctl [-f PREFIX] clear service-policy | clear asp drop
 *   smtpwall-ctl [-f PREFIX] clear conn address A [port P] [reset|silent]
 *   smtpwall-ctl [-f PREFIX] packet-tracer [input] inside|outside tcp SRC SPORT DST DPORT
 *   smtpwall-ctl [-f PREFIX] reload      (waits; exit 1 when the file is refused)
 *   smtpwall-ctl [-f PREFIX] raw /command[,params]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
			"       smtpwall-ctl [-f PREFIX] show asp drop | version | running-config\n"
			"       smtpwall-ctl [-f PREFIX] clear service-policy | asp drop\n"
			"       smtpwall-ctl [-f PREFIX] clear conn address ADDR [port P] [reset|silent]\n"
			"       smtpwall-ctl [-f PREFIX] packet-tracer [input] inside|outside tcp|udp\n"
			"                    SRC SPORT DST DPORT [pair N]\n"
			"       smtpwall-ctl [-f PREFIX] debug esmtp ADDR | no debug esmtp | show debug\n"
			"       smtpwall-ctl [-f PREFIX] capture ADDR FILE [count N] | capture stop |\n"
			"                    show capture\n"
			"       smtpwall-ctl [-f PREFIX] reload\n"
			"       smtpwall-ctl [-f PREFIX] raw /command[,params]\n"
			"PREFIX is smtpwall's --file-prefix (default smtpwall).\n");
	return 2;
}

/*
 * Where the box's socket is: DPDK puts it under /var/run/dpdk for root and
 * under $XDG_RUNTIME_DIR for other users. A user of the control group
 * talks to a box that root runs: /var/run/dpdk when that prefix is there.
 */
static void
tel_path(const char *prefix, char *path, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char dir[256];

	int r;

	snprintf(dir, sizeof(dir), "/var/run/dpdk/%.64s", prefix);
	if (getuid() == 0 || run == NULL || stat(dir, &st) == 0 || errno == EACCES)
		r = snprintf(path, len, "%s/dpdk_telemetry.v2", dir);
	else
		r = snprintf(path, len, "%s/dpdk/%s/dpdk_telemetry.v2", run, prefix);
	if (r < 0 || (size_t)r >= len)
		path[0] = '\0'; /* too long for a socket name: connect says so */
}

/* The group that may use the socket (its own, or its directory's), or NULL. */
static const char *
tel_group(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	struct group *g;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(path, &st) != 0) {
		slash = strrchr(dir, '/');
		if (slash != NULL)
			*slash = '\0';
		if (stat(dir, &st) != 0)
			return NULL;
	}
	if (st.st_gid == 0 || !(st.st_mode & S_IRWXG))
		return NULL;
	g = getgrgid(st.st_gid);
	return g != NULL ? g->gr_name : NULL;
}

static int
tel_connect(const char *prefix)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char buf[1024];
	int fd;

	tel_path(prefix, sun.sun_path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int err = errno;
		const char *grp;

		if (err == EACCES || err == EPERM) {
			grp = tel_group(sun.sun_path);
			if (grp != NULL)
				fprintf(stderr,
						"smtpwall-ctl: permission denied on %s (run as root or a "
						"member of group %s)\n",
						sun.sun_path, grp);
			else
				fprintf(stderr,
						"smtpwall-ctl: permission denied on %s (run as root, or "
						"start smtpwall with --ctl-group GROUP and join that group)\n",
						sun.sun_path);
		} else {
			fprintf(stderr,
					"smtpwall-ctl: cannot reach %s: %s (is smtpwall running with "
					"--file-prefix %s?)\n",
					sun.sun_path, strerror(err), prefix);
		}
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* The server greets with its own info first. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){REPLY_WAIT_S, 0},
			    sizeof(struct timeval)) != 0 ||
			read(fd, buf, sizeof(buf)) <= 0) {
		fprintf(stderr, "smtpwall-ctl: %s accepted but did not greet\n", sun.sun_path);
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
			fprintf(stderr, "smtpwall-ctl: the command is not known to this smtpwall\n");
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

/*
 * Prints a paged text reply (ctl_text_reply in smtpwall): ' ' starts a
 * line, '+' continues it, "~N" asks for the rest from line N (cmd,N or,
 * when at, cmd,@N). 0, or 1 with a line on stderr.
 */
static int
print_paged(int fd, const char *cmd, bool at)
{
	char q[640], s[256];
	unsigned long from = 0;
	bool more = true, first = true;

	while (more) {
		char *reply;
		const char *p;

		if (from == 0)
			snprintf(q, sizeof(q), "%s", cmd);
		else
			snprintf(q, sizeof(q), "%s,%s%lu", cmd, at ? "@" : "", from);
		reply = tel_query(fd, q);
		if (reply == NULL) {
			fprintf(stderr, "smtpwall-ctl: no reply to %s\n", q);
			return 1;
		}
		p = strchr(reply, ':');
		for (p = p != NULL ? p + 1 : reply; *p == ' '; p++)
			;
		if (*p != '[') {
			fprintf(stderr, "smtpwall-ctl: %s\n",
					strncmp(p, "null", 4) == 0
							? "the command is not known to this smtpwall, or it refused "
							  "the parameters"
							: reply);
			free(reply);
			return 1;
		}
		more = false;
		for (p++; *p != '\0' && *p != ']';) {
			if (*p != '"') {
				p++;
				continue;
			}
			p = json_string(p + 1, s, sizeof(s));
			if (s[0] == '~') {
				unsigned long next = strtoul(s + 1, NULL, 10);

				if (next <= from) {
					fprintf(stderr, "smtpwall-ctl: %s: the reply does not move on\n",
							cmd);
					free(reply);
					return 1;
				}
				from = next;
				more = true;
			} else if (s[0] == '+') {
				fputs(s + 1, stdout);
			} else {
				if (!first)
					putchar('\n');
				fputs(s[0] == ' ' ? s + 1 : s, stdout);
				first = false;
			}
		}
		free(reply);
	}
	if (!first)
		putchar('\n');
	return 0;
}

/* `clear conn address A [port P] [reset|silent]` (n words after "conn"). */
static int
clear_conn_cmd(int n, char **w, char *cmd, size_t len)
{
	unsigned char a[16];
	const char *how = "";
	unsigned long port = 0;
	int i;

	if (n < 2 || strcmp(w[0], "address") != 0 || strlen(w[1]) >= 64)
		return -1;
	if (inet_pton(AF_INET, w[1], a) != 1 && inet_pton(AF_INET6, w[1], a) != 1) {
		fprintf(stderr, "smtpwall-ctl: clear conn: '%s' is not an IPv4 or IPv6 address\n",
				w[1]);
		return -2;
	}
	for (i = 2; i < n; i++) {
		if (strcmp(w[i], "port") == 0 && i + 1 < n && port == 0) {
			char *end;

			port = strtoul(w[++i], &end, 10);
			if (*end != '\0' || port == 0 || port > 65535) {
				fprintf(stderr, "smtpwall-ctl: clear conn: port must be 1..65535\n");
				return -2;
			}
		} else if (strcmp(w[i], "reset") == 0 || strcmp(w[i], "silent") == 0) {
			how = w[i];
		} else {
			return -1;
		}
	}
	if (port != 0)
		snprintf(cmd, len, "/smtpwall/clear_conn,%s,%lu%s%s", w[1], port, *how ? "," : "",
				how);
	else
		snprintf(cmd, len, "/smtpwall/clear_conn,%s%s%s", w[1], *how ? "," : "", how);
	return 0;
}

/* `packet-tracer [input] inside|outside tcp|udp SRC SPORT DST DPORT [pair N]`. */
static int
tracer_cmd(int n, char **w, char *cmd, size_t len)
{
	unsigned char a[16], b[16];
	const char *pair = "0";
	int i;

	if (n > 0 && strcmp(w[0], "input") == 0) {
		n--;
		w++;
	}
	if (n != 6 && !(n == 8 && strcmp(w[6], "pair") == 0))
		return -1;
	if (strcmp(w[0], "inside") != 0 && strcmp(w[0], "outside") != 0) {
		fprintf(stderr,
				"smtpwall-ctl: packet-tracer: the interface is inside or outside, "
				"not '%s'\n",
				w[0]);
		return -2;
	}
	if (strcmp(w[1], "tcp") != 0 && strcmp(w[1], "udp") != 0) {
		fprintf(stderr, "smtpwall-ctl: packet-tracer: protocol tcp or udp, not '%s'\n",
				w[1]);
		return -2;
	}
	if (!((inet_pton(AF_INET, w[2], a) == 1 && inet_pton(AF_INET, w[4], b) == 1) ||
			    (inet_pton(AF_INET6, w[2], a) == 1 &&
					    inet_pton(AF_INET6, w[4], b) == 1))) {
		fprintf(stderr,
				"smtpwall-ctl: packet-tracer: '%s' and '%s' are not two addresses "
				"of one family\n",
				w[2], w[4]);
		return -2;
	}
	for (i = 3; i <= 5; i += 2) {
		char *end;
		unsigned long v = strtoul(w[i], &end, 10);

		if (*end != '\0' || w[i][0] == '\0' || v > 65535) {
			fprintf(stderr, "smtpwall-ctl: packet-tracer: port '%s' is not 0..65535\n",
					w[i]);
			return -2;
		}
	}
	if (n == 8)
		pair = w[7];
	if (strlen(pair) > 2 || strspn(pair, "0123456789") != strlen(pair)) {
		fprintf(stderr, "smtpwall-ctl: packet-tracer: pair is a number\n");
		return -2;
	}
	snprintf(cmd, len, "/smtpwall/packet_tracer,%s,%s,%s,%s,%s,%s,%s", w[0], w[1], w[2], w[3],
			w[4], w[5], pair);
	return 0;
}

enum out_kind { OUT_VALUE, OUT_PAGED, OUT_PAGED_AT, OUT_RELOAD, OUT_RAW, OUT_CLEARED, OUT_DEBUG };

int
main(int argc, char **argv)
{
	const char *prefix = "smtpwall", *conn;
	enum out_kind kind = OUT_VALUE;
	char cmd[512];
	char *reply;
	int fd, i = 1, rc, n;
	char **w;

	if (argc > 2 && strcmp(argv[1], "-f") == 0) {
		prefix = argv[2];
		i = 3;
	}
	if (i >= argc)
		return usage();
	w = argv + i + 1;
	n = argc - i - 1;
	if (strcmp(argv[i], "show") == 0 && n >= 1) {
		const char *what = w[0];

		if (strcmp(what, "service-policy") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/service_policy%s",
					n >= 2 && strcmp(w[1], "inspect") == 0 ? ",inspect" : "");
		else if (strcmp(what, "counters") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/stats");
		else if (strcmp(what, "drops") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/drops");
		else if (strcmp(what, "flows") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/flows");
		else if (strcmp(what, "conn") == 0 && (conn = conn_param(n - 1, w + 1)) != NULL)
			snprintf(cmd, sizeof(cmd), "/smtpwall/conns%s%s", *conn ? "," : "", conn);
		else if (strcmp(what, "asp") == 0 && n == 2 && strcmp(w[1], "drop") == 0)
			snprintf(cmd, sizeof(cmd), "/smtpwall/asp_drop");
		else if (strcmp(what, "version") == 0 && n == 1)
			snprintf(cmd, sizeof(cmd), "/smtpwall/version");
		else if (strcmp(what, "running-config") == 0 && n == 1)
			snprintf(cmd, sizeof(cmd), "/smtpwall/running_config");
		else if (strcmp(what, "debug") == 0 && n == 1)
			snprintf(cmd, sizeof(cmd), "/smtpwall/debug_esmtp");
		else if (strcmp(what, "capture") == 0 && n == 1)
			snprintf(cmd, sizeof(cmd), "/smtpwall/capture");
		else
			return usage();
		if (strcmp(cmd, "/smtpwall/debug_esmtp") == 0 ||
				strcmp(cmd, "/smtpwall/capture") == 0)
			kind = OUT_DEBUG;
		if (strncmp(cmd, "/smtpwall/asp_drop", 18) == 0 ||
				strcmp(cmd, "/smtpwall/version") == 0 ||
				strcmp(cmd, "/smtpwall/running_config") == 0)
			kind = OUT_PAGED;
	} else if (strcmp(argv[i], "clear") == 0 && n >= 1) {
		kind = OUT_CLEARED;
		if (strcmp(w[0], "service-policy") == 0 && n == 1) {
			snprintf(cmd, sizeof(cmd), "/smtpwall/clear_service_policy");
		} else if (strcmp(w[0], "asp") == 0 && n == 2 && strcmp(w[1], "drop") == 0) {
			snprintf(cmd, sizeof(cmd), "/smtpwall/clear_asp_drop");
		} else if (strcmp(w[0], "conn") == 0) {
			rc = clear_conn_cmd(n - 1, w + 1, cmd, sizeof(cmd));
			if (rc == -2)
				return 2;
			if (rc != 0)
				return usage();
			kind = OUT_VALUE;
		} else {
			return usage();
		}
	} else if (strcmp(argv[i], "packet-tracer") == 0) {
		rc = tracer_cmd(n, w, cmd, sizeof(cmd));
		if (rc == -2)
			return 2;
		if (rc != 0)
			return usage();
		kind = OUT_PAGED_AT;
	} else if (strcmp(argv[i], "debug") == 0 && n == 2 && strcmp(w[0], "esmtp") == 0) {
		/* IOS debug ip inspect smtp, for one address */
		struct in6_addr a;

		if (inet_pton(AF_INET, w[1], &a) != 1 && inet_pton(AF_INET6, w[1], &a) != 1) {
			fprintf(stderr, "smtpwall-ctl: debug esmtp: '%s' is not an address\n",
					w[1]);
			return 2;
		}
		snprintf(cmd, sizeof(cmd), "/smtpwall/debug_esmtp,%s", w[1]);
		kind = OUT_DEBUG;
	} else if ((strcmp(argv[i], "no") == 0 && n == 2 && strcmp(w[0], "debug") == 0 &&
				   strcmp(w[1], "esmtp") == 0) ||
			(strcmp(argv[i], "undebug") == 0 && n == 1 && strcmp(w[0], "all") == 0)) {
		snprintf(cmd, sizeof(cmd), "/smtpwall/debug_esmtp,off");
		kind = OUT_DEBUG;
	} else if (strcmp(argv[i], "capture") == 0 && n == 1 && strcmp(w[0], "stop") == 0) {
		snprintf(cmd, sizeof(cmd), "/smtpwall/capture,stop");
		kind = OUT_DEBUG;
	} else if (strcmp(argv[i], "capture") == 0 &&
			(n == 2 || (n == 4 && strcmp(w[2], "count") == 0))) {
		/* capture ADDR FILE [count N]: the box writes FILE, so a relative
		 * path is made absolute here, where the operator is */
		char path[PATH_MAX];

		if (w[1][0] == '/')
			snprintf(path, sizeof(path), "%s", w[1]);
		else if (getcwd(path, sizeof(path)) == NULL ||
				strlen(path) + 1 + strlen(w[1]) >= sizeof(path))
			return usage();
		else
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", w[1]);
		if (strchr(path, ',') != NULL) {
			fprintf(stderr, "smtpwall-ctl: capture: a file name without ','\n");
			return 2;
		}
		if ((size_t)snprintf(cmd, sizeof(cmd), "/smtpwall/capture,%s,%s%s%s", w[0], path,
				    n == 4 ? "," : "", n == 4 ? w[3] : "") >= sizeof(cmd)) {
			fprintf(stderr, "smtpwall-ctl: capture: the path is too long\n");
			return 2;
		}
		kind = OUT_DEBUG;
	} else if (strcmp(argv[i], "reload") == 0) {
		snprintf(cmd, sizeof(cmd), "/smtpwall/reload");
		kind = OUT_RELOAD;
	} else if (strcmp(argv[i], "raw") == 0 && n >= 1) {
		snprintf(cmd, sizeof(cmd), "%s", w[0]);
		kind = OUT_RAW;
	} else {
		return usage();
	}
	fd = tel_connect(prefix);
	if (fd < 0)
		return 1;
	if (kind == OUT_PAGED || kind == OUT_PAGED_AT) {
		rc = print_paged(fd, cmd, kind == OUT_PAGED_AT);
		close(fd);
		return rc;
	}
	reply = tel_query(fd, cmd);
	close(fd);
	if (reply == NULL) {
		fprintf(stderr, "smtpwall-ctl: no reply to %s\n", cmd);
		return 1;
	}
	switch (kind) {
	case OUT_RAW:
		printf("%s\n", reply);
		rc = 0;
		break;
	case OUT_RELOAD:
		rc = print_reload(reply);
		break;
	case OUT_DEBUG: {
		/* {"/smtpwall/...": {"debug"|"capture": "a sentence"}} or {"error": "why"} */
		const char *v = json_key(reply, "error");
		char line[1024];

		rc = v == NULL ? 0 : 1;
		if (v == NULL && (v = json_key(reply, "debug")) == NULL)
			v = json_key(reply, "capture");
		if (v != NULL && *v == '"') {
			json_string(v + 1, line, sizeof(line));
			fprintf(rc == 0 ? stdout : stderr, "%s%s\n",
					rc == 0 ? "" : "smtpwall-ctl: ", line);
		} else {
			fprintf(stderr, "smtpwall-ctl: unexpected reply %s\n", reply);
			rc = 1;
		}
		break;
	}
	case OUT_CLEARED:
		/* {"cleared": "what", ...}: silent when it worked, as the ASA. */
		rc = json_key(reply, "cleared") != NULL ? 0 : 1;
		if (rc != 0 && print_value(reply) == 0)
			fprintf(stderr, "smtpwall-ctl: unexpected reply %s\n", reply);
		break;
	default:
		rc = print_value(reply);
		break;
	}
	free(reply);
	return rc == 0 ? 0 : 1;
}
