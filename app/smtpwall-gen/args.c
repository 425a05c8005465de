/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line of smtpwall-gen (the part after the EAL's "--"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void
gen_args_usage(const char *prog)
{
	unsigned int t;

	printf("Usage: %s [EAL options] -- [options]\n"
	       "  -p, --ports C/S         client-side and server-side port (name or id; 0/1)\n"
	       "  -n, --sessions N        sessions to run (0: until --duration)\n"
	       "  -d, --duration SECS     stop starting sessions after SECS (0: until -n)\n"
	       "      --warmup SECS       leave the first SECS out of the RESULT rates (0)\n"
	       "  -C, --concurrency N     sessions in flight (256; at most 65536)\n"
	       "      --window N          DATA segments in flight per session (8; 1..32)\n"
	       "  -m, --mix LIST          template weights, e.g. short=90,verb=3,starttls=3,\n"
	       "                          rcpt101=2,longhdr=2 (the default); 'none' for no sessions\n"
	       "      --rcpt N            short sessions: 1..N recipients (3)\n"
	       "      --body DIST         message size of short sessions (exp:4096)\n"
	       "      --data-body DIST    message size of data sessions (fixed:1048576)\n"
	       "                          DIST: N | fixed:N | uniform:A-B | exp:MEAN (k, m suffixes)\n"
	       "      --udp N             keep N 64-byte UDP frames in flight (background; 0)\n"
	       "      --rate R            open loop: start R sessions per second (0: as many as\n"
	       "                          -C allows, closed loop)\n"
	       "      --udp-rate R        open loop: send R UDP frames per second, at most --udp N\n"
	       "                          in flight (0: closed loop)\n"
	       "      --lat-out FILE      write the latency histogram (upper_ns,count) to FILE\n"
	       "      --timeout MS        a frame not back after MS is lost (1000)\n"
	       "      --cut-wait MS       a violating frame not back after MS was cut (200);\n"
	       "                          the wait does not hold a place of -C\n"
	       "  -s, --stats SECS        print rates every SECS (1; 0: never)\n"
	       "      --seed N            random seed (mix, recipients, sizes)\n"
	       "      --check             exit 1 unless every count is right\n"
	       "      --plain             the DUT does not inspect (testpmd, --no-inspect):\n"
	       "                          expect every frame back unchanged; a violating session\n"
	       "                          ends at its violating frame\n"
	       "      --pcap FILE         write the sessions (-n) to FILE instead of sending\n"
	       "      --tag STR           label of the RESULT line\n"
	       "      --hold              after the RESULT line keep the ports open until\n"
	       "                          SIGINT/SIGTERM, so the DUT can stop first\n"
	       "  -q, --quiet             no per-interval lines\n"
	       "Templates:\n",
			prog);
	for (t = 0; t < GEN_T_MAX; t++)
		printf("  %-10s %s\n", gen_tmpl_name(t), gen_tmpl_doc(t));
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 0);

	if (end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		x *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		x *= 1024 * 1024, end++;
	if (*end != '\0')
		return -1;
	*v = x;
	return 0;
}

static int
parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (parse_u64(s, &x) != 0 || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int
parse_dist(const char *s, struct gen_dist *d)
{
	char buf[64], *dash;

	if (strncmp(s, "fixed:", 6) == 0) {
		d->kind = GEN_DIST_FIXED;
		return parse_u32(s + 6, &d->a);
	}
	if (strncmp(s, "exp:", 4) == 0) {
		d->kind = GEN_DIST_EXP;
		if (parse_u32(s + 4, &d->a) != 0 || d->a == 0)
			return -1;
		d->b = d->a > UINT32_MAX / 16 ? UINT32_MAX : d->a * 16;
		return 0;
	}
	if (strncmp(s, "uniform:", 8) == 0) {
		if (strlen(s + 8) >= sizeof(buf))
			return -1;
		strcpy(buf, s + 8);
		dash = strchr(buf, '-');
		if (dash == NULL)
			return -1;
		*dash = '\0';
		d->kind = GEN_DIST_UNIFORM;
		if (parse_u32(buf, &d->a) != 0 || parse_u32(dash + 1, &d->b) != 0 || d->b < d->a)
			return -1;
		return 0;
	}
	d->kind = GEN_DIST_FIXED;
	return parse_u32(s, &d->a);
}

static int
parse_mix(const char *s, struct gen_cfg *cfg)
{
	char buf[256], *save = NULL, *tok;
	unsigned int t;

	memset(cfg->weight, 0, sizeof(cfg->weight));
	cfg->weight_sum = 0;
	if (strcmp(s, "none") == 0)
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		uint32_t w = 1;

		if (eq != NULL) {
			*eq = '\0';
			if (parse_u32(eq + 1, &w) != 0 || w > 1000000)
				return -1;
		}
		for (t = 0; t < GEN_T_MAX; t++)
			if (strcmp(tok, gen_tmpl_name(t)) == 0)
				break;
		if (t == GEN_T_MAX)
			return -1;
		cfg->weight[t] = w;
	}
	for (t = 0; t < GEN_T_MAX; t++)
		cfg->weight_sum += cfg->weight[t];
	return 0;
}

static int
parse_ports(const char *s, struct gen_cfg *cfg)
{
	static char buf[256];
	char *sep;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	sep = strchr(buf, '/');
	if (sep == NULL)
		sep = strchr(buf, ':');
	if (sep == NULL || sep == buf || sep[1] == '\0')
		return -1;
	*sep = '\0';
	cfg->port_c = buf;
	cfg->port_s = sep + 1;
	return 0;
}

int
gen_args_parse(struct gen_cfg *cfg, int argc, char **argv)
{
	enum {
		O_WARMUP = 256,
		O_WINDOW,
		O_RCPT,
		O_BODY,
		O_DATA_BODY,
		O_UDP,
		O_TIMEOUT,
		O_CUT_WAIT,
		O_SEED,
		O_CHECK,
		O_PCAP,
		O_TAG,
		O_PLAIN,
		O_HOLD,
		O_RATE,
		O_UDP_RATE,
		O_LAT_OUT,
	};
	static const struct option opts[] = {
			{"ports", required_argument, NULL, 'p'},
			{"sessions", required_argument, NULL, 'n'},
			{"duration", required_argument, NULL, 'd'},
			{"warmup", required_argument, NULL, O_WARMUP},
			{"concurrency", required_argument, NULL, 'C'},
			{"window", required_argument, NULL, O_WINDOW},
			{"mix", required_argument, NULL, 'm'},
			{"rcpt", required_argument, NULL, O_RCPT},
			{"body", required_argument, NULL, O_BODY},
			{"data-body", required_argument, NULL, O_DATA_BODY},
			{"udp", required_argument, NULL, O_UDP},
			{"timeout", required_argument, NULL, O_TIMEOUT},
			{"cut-wait", required_argument, NULL, O_CUT_WAIT},
			{"stats", required_argument, NULL, 's'},
			{"seed", required_argument, NULL, O_SEED},
			{"check", no_argument, NULL, O_CHECK},
			{"pcap", required_argument, NULL, O_PCAP},
			{"tag", required_argument, NULL, O_TAG},
			{"plain", no_argument, NULL, O_PLAIN},
			{"hold", no_argument, NULL, O_HOLD},
			{"rate", required_argument, NULL, O_RATE},
			{"udp-rate", required_argument, NULL, O_UDP_RATE},
			{"lat-out", required_argument, NULL, O_LAT_OUT},
			{"quiet", no_argument, NULL, 'q'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	const char *bad = NULL;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port_c = "0";
	cfg->port_s = "1";
	cfg->concurrency = 256;
	cfg->window = 8;
	cfg->rcpt_max = 3;
	cfg->body = (struct gen_dist){GEN_DIST_EXP, 4096, 4096 * 16};
	cfg->data_body = (struct gen_dist){GEN_DIST_FIXED, 1048576, 0};
	cfg->timeout_ms = 1000;
	cfg->cut_wait_ms = 200;
	cfg->stats_s = 1;
	cfg->seed = 1;
	parse_mix("short=90,verb=3,starttls=3,rcpt101=2,longhdr=2", cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:n:d:C:m:s:qh", opts, NULL)) != -1) {
		uint32_t u = 0;

		switch (c) {
		case 'p':
			if (parse_ports(optarg, cfg) != 0)
				bad = "--ports C/S";
			break;
		case 'n':
			if (parse_u64(optarg, &cfg->sessions) != 0)
				bad = "--sessions N";
			break;
		case 'd':
			cfg->duration = atof(optarg);
			break;
		case O_WARMUP:
			cfg->warmup = atof(optarg);
			break;
		case 'C':
			if (parse_u32(optarg, &cfg->concurrency) != 0 || cfg->concurrency == 0 ||
					cfg->concurrency > GEN_MAX_CONC)
				bad = "--concurrency 1..65536";
			break;
		case O_WINDOW:
			if (parse_u32(optarg, &cfg->window) != 0 || cfg->window == 0 ||
					cfg->window > GEN_WMAX)
				bad = "--window 1..32";
			break;
		case 'm':
			if (parse_mix(optarg, cfg) != 0)
				bad = "--mix NAME=WEIGHT,... (see the templates below)";
			break;
		case O_RCPT:
			if (parse_u32(optarg, &u) != 0 || u == 0 || u > 100)
				bad = "--rcpt 1..100";
			cfg->rcpt_max = u;
			break;
		case O_BODY:
			if (parse_dist(optarg, &cfg->body) != 0)
				bad = "--body DIST";
			break;
		case O_DATA_BODY:
			if (parse_dist(optarg, &cfg->data_body) != 0)
				bad = "--data-body DIST";
			break;
		case O_UDP:
			if (parse_u32(optarg, &cfg->udp_inflight) != 0)
				bad = "--udp N";
			break;
		case O_TIMEOUT:
			cfg->timeout_ms = atof(optarg);
			break;
		case O_CUT_WAIT:
			cfg->cut_wait_ms = atof(optarg);
			break;
		case 's':
			cfg->stats_s = atof(optarg);
			break;
		case O_SEED:
			if (parse_u64(optarg, &cfg->seed) != 0)
				bad = "--seed N";
			break;
		case O_CHECK:
			cfg->check = true;
			break;
		case O_PCAP:
			cfg->pcap = optarg;
			break;
		case O_PLAIN:
			cfg->plain = true;
			break;
		case O_HOLD:
			cfg->hold = true;
			break;
		case O_TAG:
			cfg->result_tag = optarg;
			break;
		case O_RATE:
			cfg->rate = atof(optarg);
			if (cfg->rate < 0)
				bad = "--rate R (sessions per second, >= 0)";
			break;
		case O_UDP_RATE:
			cfg->udp_rate = atof(optarg);
			if (cfg->udp_rate < 0)
				bad = "--udp-rate R (frames per second, >= 0)";
			break;
		case O_LAT_OUT:
			cfg->lat_out = optarg;
			break;
		case 'q':
			cfg->quiet = true;
			break;
		case 'h':
			gen_args_usage(argv[0]);
			return 1;
		default:
			gen_args_usage(argv[0]);
			return -1;
		}
		if (bad != NULL) {
			fprintf(stderr, "smtpwall-gen: bad option: %s\n", bad);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "smtpwall-gen: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (cfg->sessions == 0 && cfg->duration <= 0) {
		fprintf(stderr, "smtpwall-gen: give --sessions N or --duration SECS\n");
		return -1;
	}
	if (cfg->weight_sum == 0 && cfg->udp_inflight == 0) {
		fprintf(stderr, "smtpwall-gen: nothing to send (--mix none and no --udp)\n");
		return -1;
	}
	if (cfg->udp_rate > 0 && cfg->udp_inflight == 0) {
		fprintf(stderr, "smtpwall-gen: --udp-rate needs --udp N (the most in flight)\n");
		return -1;
	}
	if (cfg->pcap != NULL && cfg->sessions == 0) {
		fprintf(stderr, "smtpwall-gen: --pcap needs --sessions N\n");
		return -1;
	}
	return 0;
}
