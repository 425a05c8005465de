/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy sections of the configuration file, ASA Modular Policy
 * Framework and IOS CBAC in YAML (docs/configuration.md):
 *
 *   regex, regex-classes -> access-lists -> class-maps -> inspect-maps ->
 *   policy-maps -> service-policy; statics; ip-inspect; logging.
 *
 * Sections are read in that order whatever their order in the file, so a
 * reference is resolved (or refused, with the referring node's position)
 * the moment it is read.  Every object goes straight into a struct policy
 * through lib/policy's builders; nothing points into the YAML document.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_policy.h"
#include "policy.h"

const char *const cfg_policy_keys[] = {"regex", "regex-classes", "access-lists", "class-maps",
	"inspect-maps", "policy-maps", "service-policy", "statics", "ip-inspect", "logging", NULL};

#define WHY_LEN 160
#define LIMIT_MAX 2000000u /* ASA set connection: 0..2000000 */

struct ld {
	struct cfg_doc *d;
	struct policy *p;
	const struct config *c;
};

static yaml_node_t *
node_of(struct cfg_doc *d, int idx)
{
	return yaml_document_get_node(&d->doc, idx);
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool
cfg_policy_present(struct cfg_doc *d, yaml_node_t *root)
{
	const char *const *k;

	if (root == NULL || root->type != YAML_MAPPING_NODE)
		return false;
	for (k = cfg_policy_keys; *k != NULL; k++)
		if (cfg_map_get(d, root, *k) != NULL)
			return true;
	return false;
}

/* A scalar that names something: non-empty, shorter than POLICY_NAME_MAX. */
static int
get_name(struct cfg_doc *d, yaml_node_t *n, char *out, const char *what)
{
	if (cfg_expect(d, n, YAML_SCALAR_NODE, what) != 0)
		return -1;
	if (n->data.scalar.length == 0 || strlen(sval(n)) != n->data.scalar.length)
		return cfg_error(d, n, "%s must be a non-empty name", what);
	if (n->data.scalar.length >= POLICY_NAME_MAX)
		return cfg_error(d, n, "%s '%.40s...' is longer than %d characters", what, sval(n),
			POLICY_NAME_MAX - 1);
	memcpy(out, sval(n), n->data.scalar.length + 1);
	return 0;
}

/* A mapping of NAME -> definition: keys are unique names. */
static int
check_names(struct cfg_doc *d, yaml_node_t *map, const char *section)
{
	yaml_node_pair_t *pr, *q;
	char name[POLICY_NAME_MAX];

	if (cfg_expect(d, map, YAML_MAPPING_NODE, section) != 0)
		return -1;
	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node_of(d, pr->key);

		if (k == NULL)
			return cfg_error(d, map, "%s: bad key", section);
		if (get_name(d, k, name, "a name") != 0)
			return -1;
		for (q = map->data.mapping.pairs.start; q < pr; q++) {
			yaml_node_t *k2 = node_of(d, q->key);

			if (k2 != NULL && k2->type == YAML_SCALAR_NODE &&
				strcmp(sval(k2), name) == 0)
				return cfg_error(d, k, "duplicate name '%s' in %s", name, section);
		}
	}
	return 0;
}

#define FOR_PAIRS(pr, map) \
	for (pr = (map)->data.mapping.pairs.start; pr < (map)->data.mapping.pairs.top; pr++)
#define FOR_ITEMS(it, seq) \
	for (it = (seq)->data.sequence.items.start; it < (seq)->data.sequence.items.top; it++)

/* Calls fn on n (a scalar) or on each scalar of n (a list). */
static int
each_scalar(struct cfg_doc *d, yaml_node_t *n, const char *what,
	int (*fn)(struct cfg_doc *d, yaml_node_t *s, void *arg), void *arg)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE)
		return fn(d, n, arg);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_expect(d, n, YAML_SEQUENCE_NODE, what);
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		return cfg_error(d, n, "%s is empty", what);
	FOR_ITEMS(it, n)
	{
		yaml_node_t *s = node_of(d, *it);

		if (cfg_expect(d, s, YAML_SCALAR_NODE, what) != 0 || fn(d, s, arg) != 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* regex, regex-classes                                                   */

static int
load_regex(struct ld *l, yaml_node_t *map)
{
	static const char *const keys[] = {"pattern", "ignore-case", NULL};
	struct cfg_doc *d = l->d;
	yaml_node_pair_t *pr;

	if (check_names(d, map, "regex") != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		yaml_node_t *k = node_of(d, pr->key), *v = node_of(d, pr->value), *pat = v;
		char why[WHY_LEN] = "";
		bool icase = false;
		int rc;

		if (v->type == YAML_MAPPING_NODE) {
			yaml_node_t *ic;

			if (cfg_check_keys(d, v, keys) != 0)
				return -1;
			if ((pat = cfg_map_get(d, v, "pattern")) == NULL)
				return cfg_error(d, v, "regex '%s' needs a pattern", sval(k));
			if ((ic = cfg_map_get(d, v, "ignore-case")) != NULL &&
				cfg_get_bool(d, ic, &icase) != 0)
				return -1;
		}
		if (cfg_expect(d, pat, YAML_SCALAR_NODE, "a regex pattern") != 0)
			return -1;
		if (pat->data.scalar.length == 0 || strlen(sval(pat)) != pat->data.scalar.length)
			return cfg_error(d, pat, "regex '%s': empty pattern", sval(k));
		rc = policy_regex_add(l->p, sval(k), sval(pat), icase, why, sizeof(why));
		if (rc == -ENOSPC)
			return cfg_error(d, k, "more than %d regexes", POLICY_MAX_REGEX);
		if (rc < 0)
			return cfg_error(
				d, pat, "regex '%s': %s", sval(k), why[0] ? why : "invalid");
	}
	return 0;
}

struct rxc_arg {
	struct ld *l;
	unsigned int cls;
};

static int
rxc_member(struct cfg_doc *d, yaml_node_t *s, void *arg)
{
	struct rxc_arg *a = arg;
	int r = policy_find_regex(a->l->p, sval(s));

	if (r < 0)
		return cfg_error(d, s, "unknown regex '%s'", sval(s));
	if (policy_regex_class_member(a->l->p, a->cls, (unsigned int)r) != 0)
		return cfg_error(
			d, s, "more than %d regexes in one regex class", POLICY_REGEX_CLASS_MAX);
	return 0;
}

static int
load_regex_classes(struct ld *l, yaml_node_t *map)
{
	struct cfg_doc *d = l->d;
	yaml_node_pair_t *pr;

	if (check_names(d, map, "regex-classes") != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		yaml_node_t *k = node_of(d, pr->key), *v = node_of(d, pr->value);
		struct rxc_arg a = {l, 0};
		int rc = policy_regex_class_add(l->p, sval(k));

		if (rc < 0)
			return cfg_error(
				d, k, "more than %d regex classes", POLICY_MAX_REGEX_CLASSES);
		a.cls = (unsigned int)rc;
		if (each_scalar(d, v, "a regex class (list of regex names)", rxc_member, &a) != 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* access-lists                                                           */

static int
load_ace_map(struct cfg_doc *d, yaml_node_t *m, struct policy_ace *e)
{
	static const char *const keys[] = {"action", "protocol", "source", "destination",
		"source-port", "destination-port", NULL};
	static const char *const actions[] = {"deny", "permit", NULL};
	char why[WHY_LEN] = "";
	yaml_node_t *v;
	unsigned int u;
	int proto;

	if (cfg_check_keys(d, m, keys) != 0)
		return -1;
	memset(e, 0, sizeof(*e));
	e->sport.hi = e->dport.hi = 65535;
	if ((v = cfg_map_get(d, m, "action")) == NULL)
		return cfg_error(d, m, "an access-list entry needs an action (permit or deny)");
	if (cfg_get_enum(d, v, actions, &u) != 0)
		return -1;
	e->permit = (uint8_t)u;
	if ((v = cfg_map_get(d, m, "protocol")) != NULL) {
		if (cfg_expect(d, v, YAML_SCALAR_NODE, "protocol") != 0)
			return -1;
		if ((proto = policy_parse_proto(sval(v))) < 0)
			return cfg_error(d, v,
				"'%s' is not a protocol (ip, tcp, udp, icmp, icmp6 or 0..255)",
				sval(v));
		e->proto = (uint8_t)proto;
	}
	if ((v = cfg_map_get(d, m, "source")) != NULL) {
		if (cfg_expect(d, v, YAML_SCALAR_NODE, "source") != 0)
			return -1;
		if (policy_parse_addr(sval(v), &e->src, why, sizeof(why)) != 0)
			return cfg_error(d, v, "%s", why);
	}
	if ((v = cfg_map_get(d, m, "destination")) != NULL) {
		if (cfg_expect(d, v, YAML_SCALAR_NODE, "destination") != 0)
			return -1;
		if (policy_parse_addr(sval(v), &e->dst, why, sizeof(why)) != 0)
			return cfg_error(d, v, "%s", why);
	}
	if ((v = cfg_map_get(d, m, "source-port")) != NULL) {
		if (cfg_expect(d, v, YAML_SCALAR_NODE, "source-port") != 0)
			return -1;
		if (e->proto != 6 && e->proto != 17)
			return cfg_error(d, v, "ports are only for tcp and udp entries");
		if (policy_parse_ports(sval(v), &e->sport, why, sizeof(why)) != 0)
			return cfg_error(d, v, "%s", why);
	}
	if ((v = cfg_map_get(d, m, "destination-port")) != NULL) {
		if (cfg_expect(d, v, YAML_SCALAR_NODE, "destination-port") != 0)
			return -1;
		if (e->proto != 6 && e->proto != 17)
			return cfg_error(d, v, "ports are only for tcp and udp entries");
		if (policy_parse_ports(sval(v), &e->dport, why, sizeof(why)) != 0)
			return cfg_error(d, v, "%s", why);
	}
	if (e->src.family != 0 && e->dst.family != 0 && e->src.family != e->dst.family)
		return cfg_error(d, m, "source and destination are of different IP versions");
	return 0;
}

static int
load_acls(struct ld *l, yaml_node_t *map)
{
	struct cfg_doc *d = l->d;
	yaml_node_pair_t *pr;

	if (check_names(d, map, "access-lists") != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		yaml_node_t *k = node_of(d, pr->key), *v = node_of(d, pr->value);
		yaml_node_item_t *it;
		int acl;

		if (cfg_expect(d, v, YAML_SEQUENCE_NODE, "an access-list") != 0)
			return -1;
		if ((acl = policy_acl_add(l->p, sval(k))) < 0)
			return cfg_error(d, k, "more than %d access-lists", POLICY_MAX_ACLS);
		FOR_ITEMS(it, v)
		{
			yaml_node_t *e = node_of(d, *it);
			struct policy_ace ace;
			char why[WHY_LEN] = "";

			if (e->type == YAML_SCALAR_NODE) {
				if (policy_parse_ace(sval(e), &ace, why, sizeof(why)) != 0)
					return cfg_error(d, e, "%s", why);
				if (ace.src.family != 0 && ace.dst.family != 0 &&
					ace.src.family != ace.dst.family)
					return cfg_error(d, e,
						"source and destination are of different IP versions");
			} else if (e->type == YAML_MAPPING_NODE) {
				if (load_ace_map(d, e, &ace) != 0)
					return -1;
			} else {
				return cfg_error(d, e,
					"an access-list entry is a line ('permit tcp any host A eq 25') or a mapping");
			}
			if (policy_ace_add(l->p, (unsigned int)acl, &ace) < 0)
				return cfg_error(d, e, "more than %d access-list entries in all",
					POLICY_MAX_ACES);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* class-maps                                                             */

/* "tcp eq 25", "tcp range 25 587", "udp 53" */
static int
load_port_match(struct cfg_doc *d, yaml_node_t *v, struct policy_cmatch *m)
{
	char buf[64], why[WHY_LEN] = "";
	char *sp;
	int proto;

	if (cfg_expect(d, v, YAML_SCALAR_NODE, "port") != 0)
		return -1;
	if (v->data.scalar.length >= sizeof(buf))
		return cfg_error(d, v, "port condition too long");
	strcpy(buf, sval(v));
	sp = strchr(buf, ' ');
	if (sp != NULL)
		*sp++ = '\0';
	proto = policy_parse_proto(buf);
	if ((proto != 6 && proto != 17) || sp == NULL)
		return cfg_error(
			d, v, "'%s' is not a port match (tcp|udp eq N, range A B ...)", sval(v));
	if (policy_parse_ports(sp, &m->ports, why, sizeof(why)) != 0)
		return cfg_error(d, v, "%s", why);
	m->proto = (uint8_t)proto;
	return 0;
}

static int
load_cmatch(struct ld *l, yaml_node_t *v, struct policy_cmatch *m)
{
	static const char *const keys[] = {
		"access-list", "port", "default-inspection-traffic", "any", NULL};
	struct cfg_doc *d = l->d;
	yaml_node_t *x;
	bool b;

	if (v->type == YAML_SCALAR_NODE) {
		if (strcmp(sval(v), "any") == 0)
			m->any = 1;
		else if (strcmp(sval(v), "default-inspection-traffic") == 0)
			m->default_inspection = 1;
		else
			return cfg_error(d, v,
				"'%s' is not a match (any, default-inspection-traffic, or a mapping)",
				sval(v));
		return 0;
	}
	if (cfg_expect(d, v, YAML_MAPPING_NODE, "match") != 0 || cfg_check_keys(d, v, keys) != 0)
		return -1;
	if (v->data.mapping.pairs.start == v->data.mapping.pairs.top)
		return cfg_error(d, v, "empty match");
	if ((x = cfg_map_get(d, v, "access-list")) != NULL) {
		char name[POLICY_NAME_MAX];
		int acl;

		if (get_name(d, x, name, "access-list") != 0)
			return -1;
		if ((acl = policy_find_acl(l->p, name)) < 0)
			return cfg_error(d, x, "unknown access-list '%s'", name);
		m->acl = (uint16_t)acl;
	}
	if ((x = cfg_map_get(d, v, "port")) != NULL && load_port_match(d, x, m) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "default-inspection-traffic")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		m->default_inspection = b;
	}
	if ((x = cfg_map_get(d, v, "any")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		if (b && v->data.mapping.pairs.top - v->data.mapping.pairs.start > 1)
			return cfg_error(d, x, "'any' cannot be combined with another match");
		m->any = b;
	}
	return 0;
}

static int
load_cmaps(struct ld *l, yaml_node_t *map)
{
	static const char *const keys[] = {"description", "match", NULL};
	struct cfg_doc *d = l->d;
	yaml_node_pair_t *pr;

	if (check_names(d, map, "class-maps") != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		yaml_node_t *k = node_of(d, pr->key), *v = node_of(d, pr->value), *mv;
		struct policy_cmatch m;
		int rc;

		memset(&m, 0, sizeof(m));
		m.acl = POLICY_NONE;
		m.side = POLICY_SIDE_ANY;
		if (cfg_expect(d, v, YAML_MAPPING_NODE, "a class-map") != 0 ||
			cfg_check_keys(d, v, keys) != 0)
			return -1;
		if ((mv = cfg_map_get(d, v, "match")) == NULL)
			return cfg_error(d, v, "class-map '%s' needs a match", sval(k));
		if (load_cmatch(l, mv, &m) != 0)
			return -1;
		rc = policy_cmap_add(l->p, sval(k), &m);
		if (rc == -ENOSPC)
			return cfg_error(d, k, "more than %d class-maps", POLICY_MAX_CMAPS);
		if (rc < 0)
			return cfg_error(d, k, "class-map '%s' cannot be defined", sval(k));
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* inspect-maps                                                           */

static int
get_action(struct cfg_doc *d, yaml_node_t *v, const char *const *allowed, enum esmtp_action *out)
{
	unsigned int i, a;

	if (cfg_expect(d, v, YAML_SCALAR_NODE, "an action") != 0)
		return -1;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(sval(v), allowed[i]) == 0)
			break;
	if (allowed[i] == NULL)
		return cfg_get_enum(d, v, allowed, &a);
	for (a = 0; a < ESMTP_ACT_MAX; a++)
		if (strcmp(esmtp_action_name(a), sval(v)) == 0) {
			*out = (enum esmtp_action)a;
			return 0;
		}
	return cfg_error(d, v, "'%s' is not an action", sval(v));
}

static int
load_params(struct ld *l, yaml_node_t *v, struct esmtp_policy *e)
{
	static const char *const keys[] = {"mask-banner", "mail-relay", "special-character",
		"allow-tls", "mode", "chunking", "max-data", "verbs", "auth-line-length", NULL};
	static const char *const relay_keys[] = {"domain", "action", NULL};
	static const char *const drop_log[] = {"drop-connection", "log", NULL};
	static const char *const sc_actions[] = {"drop-connection", "log", "mask", NULL};
	static const char *const sc_keys[] = {"enabled", "action", NULL};
	static const char *const tls_keys[] = {"log", NULL};
	static const char *const md_keys[] = {"bytes", "action", NULL};
	static const char *const md_actions[] = {"drop-connection", "reset", "log", NULL};
	static const char *const modes[] = {"esmtp", "smtp", NULL};
	static const char *const verb_keys[] = {"allow", "deny", NULL};
	struct cfg_doc *d = l->d;
	yaml_node_t *x, *y;
	bool b;
	unsigned int u;

	if (cfg_expect(d, v, YAML_MAPPING_NODE, "parameters") != 0 ||
		cfg_check_keys(d, v, keys) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "mode")) != NULL) {
		if (cfg_get_enum(d, x, modes, &u) != 0)
			return -1;
		esmtp_policy_set_mode(e, u ? ESMTP_MODE_SMTP : ESMTP_MODE_ESMTP);
	}
	if ((x = cfg_map_get(d, v, "mask-banner")) != NULL) {
		/* true (the ASA's '*'), false, or neutral (beyond ASA) */
		if (cfg_expect(d, x, YAML_SCALAR_NODE, "mask-banner") != 0)
			return -1;
		if (strcasecmp(sval(x), "neutral") == 0)
			esmtp_policy_set_mask_banner(e, ESMTP_BANNER_NEUTRAL);
		else if (cfg_bool_word(sval(x), &b))
			esmtp_policy_set_mask_banner(e, b ? ESMTP_BANNER_MASK : ESMTP_BANNER_KEEP);
		else
			return cfg_error(d, x, "'%s' is not one of: true, false, neutral", sval(x));
	}
	if ((x = cfg_map_get(d, v, "auth-line-length")) != NULL) {
		if (cfg_get_u32(d, x, 1, 1u << 20, &u) != 0)
			return -1;
		esmtp_policy_set_auth_line_max(e, u);
	}
	if ((x = cfg_map_get(d, v, "mail-relay")) != NULL) {
		enum esmtp_action act = ESMTP_ACT_DROP_CONN;
		char dom[sizeof(e->relay_domain)];

		if (x->type == YAML_SCALAR_NODE) {
			/* `false` is ASA's `no mail-relay`; any other scalar a domain. */
			if (strcasecmp(sval(x), "false") == 0 || strcasecmp(sval(x), "no") == 0 ||
				strcasecmp(sval(x), "off") == 0)
				goto relay_done;
			y = x;
		} else {
			if (cfg_expect(d, x, YAML_MAPPING_NODE, "mail-relay") != 0 ||
				cfg_check_keys(d, x, relay_keys) != 0)
				return -1;
			if ((y = cfg_map_get(d, x, "action")) != NULL &&
				get_action(d, y, drop_log, &act) != 0)
				return -1;
			if ((y = cfg_map_get(d, x, "domain")) == NULL)
				return cfg_error(d, x, "mail-relay needs a domain");
		}
		if (y->type == YAML_SEQUENCE_NODE) {
			/* Several local domains: kept as a comma-separated list. */
			yaml_node_item_t *it;
			size_t used = 0;

			dom[0] = '\0';
			for (it = y->data.sequence.items.start; it < y->data.sequence.items.top;
				it++) {
				yaml_node_t *item = yaml_document_get_node(&d->doc, *it);
				char one[64];
				size_t ol;

				if (cfg_get_str(d, item, one, sizeof(one)) != 0)
					return -1;
				ol = strlen(one);
				if (strchr(one, ',') != NULL || used + ol + 2 > sizeof(dom))
					return cfg_error(
						d, item, "bad or too many mail-relay domains");
				if (used != 0)
					dom[used++] = ',';
				memcpy(dom + used, one, ol + 1);
				used += ol;
			}
			if (used == 0)
				return cfg_error(d, y, "mail-relay domain list is empty");
		} else if (cfg_get_str(d, y, dom, sizeof(dom)) != 0) {
			return -1;
		}
		if (esmtp_policy_set_mail_relay(e, dom, act) != 0)
			return cfg_error(d, y, "bad mail-relay domain");
	}
relay_done:
	if ((x = cfg_map_get(d, v, "special-character")) != NULL) {
		enum esmtp_action act = (enum esmtp_action)e->ev[ESMTP_EV_ADDR_SPECIAL].action;

		if (x->type == YAML_SCALAR_NODE) {
			if (cfg_get_bool(d, x, &b) != 0)
				return -1;
		} else {
			b = true;
			if (cfg_expect(d, x, YAML_MAPPING_NODE, "special-character") != 0 ||
				cfg_check_keys(d, x, sc_keys) != 0)
				return -1;
			if ((y = cfg_map_get(d, x, "action")) != NULL &&
				get_action(d, y, sc_actions, &act) != 0)
				return -1;
			if ((y = cfg_map_get(d, x, "enabled")) != NULL &&
				cfg_get_bool(d, y, &b) != 0)
				return -1;
		}
		esmtp_policy_set_special_char(e, b, act);
	}
	if ((x = cfg_map_get(d, v, "allow-tls")) != NULL) {
		bool log = false;

		if (x->type == YAML_SCALAR_NODE) {
			if (cfg_get_bool(d, x, &b) != 0)
				return -1;
		} else {
			b = true;
			if (cfg_expect(d, x, YAML_MAPPING_NODE, "allow-tls") != 0 ||
				cfg_check_keys(d, x, tls_keys) != 0)
				return -1;
			if ((y = cfg_map_get(d, x, "log")) != NULL && cfg_get_bool(d, y, &log) != 0)
				return -1;
		}
		esmtp_policy_set_allow_tls(e, b, log);
	}
	if ((x = cfg_map_get(d, v, "chunking")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		esmtp_policy_set_chunking(e, b);
	}
	if ((x = cfg_map_get(d, v, "max-data")) != NULL) {
		enum esmtp_action act = ESMTP_ACT_DROP_CONN;
		uint32_t bytes;

		y = x;
		if (x->type == YAML_MAPPING_NODE) {
			if (cfg_check_keys(d, x, md_keys) != 0)
				return -1;
			if ((y = cfg_map_get(d, x, "action")) != NULL &&
				get_action(d, y, md_actions, &act) != 0)
				return -1;
			if ((y = cfg_map_get(d, x, "bytes")) == NULL)
				return cfg_error(d, x, "max-data needs bytes");
		}
		if (cfg_get_u32(d, y, 0, UINT32_MAX, &bytes) != 0)
			return -1;
		esmtp_policy_set_max_data(e, bytes, act);
	}
	if ((x = cfg_map_get(d, v, "verbs")) != NULL) {
		unsigned int side;

		if (cfg_expect(d, x, YAML_MAPPING_NODE, "verbs") != 0 ||
			cfg_check_keys(d, x, verb_keys) != 0)
			return -1;
		for (side = 0; side < 2; side++) {
			yaml_node_item_t *it;

			if ((y = cfg_map_get(d, x, verb_keys[side])) == NULL)
				continue;
			if (cfg_expect(d, y, YAML_SEQUENCE_NODE, "a list of verbs") != 0)
				return -1;
			FOR_ITEMS(it, y)
			{
				yaml_node_t *s = node_of(d, *it);

				if (cfg_expect(d, s, YAML_SCALAR_NODE, "a verb") != 0)
					return -1;
				for (u = 0; u < ESMTP_VERB_MAX; u++)
					if (strcasecmp(esmtp_verb_name(u), sval(s)) == 0)
						break;
				if (u == ESMTP_VERB_MAX)
					return cfg_error(d, s, "unknown verb '%s'", sval(s));
				esmtp_policy_set_verb(e, (enum esmtp_verb)u, side == 0);
			}
		}
	}
	return 0;
}

/* anomalies: {EVENT: ACTION | {action: A, log: B}} for the non-criterion events. */
static int
load_anomalies(struct cfg_doc *d, yaml_node_t *x, struct esmtp_policy *e)
{
	static const char *const ev_keys[] = {"action", "log", NULL};
	static const char *const ev_actions[] = {
		"drop-connection", "reset", "log", "mask", "none", NULL};
	yaml_node_t *y;
	unsigned int u;

	yaml_node_pair_t *pr;

	if (cfg_expect(d, x, YAML_MAPPING_NODE, "anomalies") != 0)
		return -1;
	FOR_PAIRS(pr, x)
	{
		yaml_node_t *k = node_of(d, pr->key), *ev = node_of(d, pr->value);
		enum esmtp_action act;
		bool log;

		if (cfg_expect(d, k, YAML_SCALAR_NODE, "an event name") != 0)
			return -1;
		/* The criteria are rules (`rules:`); the other events are
		 * parameters and anomalies. */
		for (u = ESMTP_CRIT_MAX; u < ESMTP_EV_MAX; u++)
			if (strcmp(esmtp_event_name(u), sval(k)) == 0)
				break;
		if (u == ESMTP_EV_MAX)
			return cfg_error(d, k, "unknown event '%s'", sval(k));
		act = (enum esmtp_action)e->ev[u].action;
		log = e->ev[u].log;
		if (ev->type == YAML_SCALAR_NODE) {
			if (get_action(d, ev, ev_actions, &act) != 0)
				return -1;
		} else {
			if (cfg_expect(d, ev, YAML_MAPPING_NODE, "an event") != 0 ||
				cfg_check_keys(d, ev, ev_keys) != 0)
				return -1;
			if ((y = cfg_map_get(d, ev, "action")) != NULL &&
				get_action(d, y, ev_actions, &act) != 0)
				return -1;
			if ((y = cfg_map_get(d, ev, "log")) != NULL &&
				cfg_get_bool(d, y, &log) != 0)
				return -1;
		}
		esmtp_policy_set_event(e, (enum esmtp_event_id)u, act, log);
	}
	return 0;
}

struct set_arg {
	unsigned int n;
	const char *(*name)(unsigned int);
	const char *what;
	uint32_t set;
};

static int
set_member(struct cfg_doc *d, yaml_node_t *s, void *arg)
{
	struct set_arg *a = arg;
	unsigned int i;

	for (i = 0; i < a->n; i++)
		if (strcasecmp(a->name(i), sval(s)) == 0) {
			a->set |= 1u << i;
			return 0;
		}
	return cfg_error(d, s, "unknown %s '%s'", a->what, sval(s));
}

static int
crit_kind(unsigned int crit)
{
	switch (crit) {
	case ESMTP_CRIT_CMD_VERB:
	case ESMTP_CRIT_MIME_ENCODING:
	case ESMTP_CRIT_EHLO_REPLY_PARAMETER:
		return 1; /* set */
	case ESMTP_CRIT_SENDER_ADDRESS_REGEX:
	case ESMTP_CRIT_MIME_FILETYPE_REGEX:
		return 2; /* regex */
	default:
		return 0; /* numeric */
	}
}

static int
load_rule(struct ld *l, unsigned int imap, yaml_node_t *rn)
{
	static const char *const keys[] = {"match", "not", "action", "log", "description", NULL};
	static const char *const gt_keys[] = {"gt", NULL};
	static const char *const rx_keys[] = {"regex", "class", NULL};
	static const char *const actions[] = {
		"drop-connection", "reset", "log", "mask", "rate-limit", NULL};
	static const char *const rate_keys[] = {"rate-limit", NULL};
	struct cfg_doc *d = l->d;
	struct esmtp_rule r;
	yaml_node_t *m, *ck, *cv, *x;
	unsigned int crit, rx = 0;
	bool b, rx_class = false, have_action = false;
	enum esmtp_action act = ESMTP_ACT_LOG;
	int rc;

	memset(&r, 0, sizeof(r));
	if (cfg_expect(d, rn, YAML_MAPPING_NODE, "a match rule") != 0 ||
		cfg_check_keys(d, rn, keys) != 0)
		return -1;
	if ((m = cfg_map_get(d, rn, "match")) == NULL)
		return cfg_error(d, rn, "a rule needs a match");
	if (cfg_expect(d, m, YAML_MAPPING_NODE, "match") != 0)
		return -1;
	if (m->data.mapping.pairs.top - m->data.mapping.pairs.start != 1)
		return cfg_error(d, m, "a rule matches exactly one criterion");
	ck = node_of(d, m->data.mapping.pairs.start->key);
	cv = node_of(d, m->data.mapping.pairs.start->value);
	if (cfg_expect(d, ck, YAML_SCALAR_NODE, "a criterion") != 0)
		return -1;
	for (crit = 0; crit < ESMTP_CRIT_MAX; crit++)
		if (strcmp(esmtp_crit_name(crit), sval(ck)) == 0)
			break;
	if (crit == ESMTP_CRIT_MAX)
		return cfg_error(
			d, ck, "unknown criterion '%s' (see docs/configuration.md)", sval(ck));
	r.crit = (uint8_t)crit;
	switch (crit_kind(crit)) {
	case 0:
		x = cv;
		if (cv->type == YAML_MAPPING_NODE) {
			if (cfg_check_keys(d, cv, gt_keys) != 0)
				return -1;
			if ((x = cfg_map_get(d, cv, "gt")) == NULL)
				return cfg_error(d, cv, "%s needs gt", sval(ck));
		}
		if (cfg_get_u32(d, x, 0, UINT32_MAX - 1, &r.gt) != 0)
			return -1;
		break;
	case 1: {
		struct set_arg a = {0, NULL, NULL, 0};

		if (crit == ESMTP_CRIT_CMD_VERB) {
			a.n = ESMTP_VERB_MAX;
			a.name = esmtp_verb_name;
			a.what = "verb";
		} else if (crit == ESMTP_CRIT_MIME_ENCODING) {
			a.n = ESMTP_ENC_MAX;
			a.name = esmtp_encoding_name;
			a.what = "MIME encoding";
		} else {
			a.n = ESMTP_EHLO_MAX;
			a.name = esmtp_ehlo_name;
			a.what = "EHLO keyword";
		}
		if (each_scalar(d, cv, sval(ck), set_member, &a) != 0)
			return -1;
		r.set = a.set;
		break;
	}
	default: {
		char name[POLICY_NAME_MAX];
		int i;

		x = cv;
		if (cv->type == YAML_MAPPING_NODE) {
			if (cfg_check_keys(d, cv, rx_keys) != 0)
				return -1;
			if (cv->data.mapping.pairs.top - cv->data.mapping.pairs.start != 1)
				return cfg_error(d, cv, "give either regex or class");
			x = cfg_map_get(d, cv, "class");
			rx_class = x != NULL;
			if (x == NULL)
				x = cfg_map_get(d, cv, "regex");
		}
		if (get_name(d, x, name, "a regex name") != 0)
			return -1;
		i = rx_class ? policy_find_regex_class(l->p, name) : policy_find_regex(l->p, name);
		if (i < 0)
			return cfg_error(
				d, x, "unknown regex%s '%s'", rx_class ? " class" : "", name);
		rx = (unsigned int)i;
		break;
	}
	}
	if ((x = cfg_map_get(d, rn, "not")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		r.negate = b;
	}
	if ((x = cfg_map_get(d, rn, "action")) != NULL) {
		have_action = true;
		if (x->type == YAML_MAPPING_NODE) {
			yaml_node_t *rate;

			if (cfg_check_keys(d, x, rate_keys) != 0)
				return -1;
			if ((rate = cfg_map_get(d, x, "rate-limit")) == NULL)
				return cfg_error(d, x, "empty action");
			if (cfg_get_u32(d, rate, 1, 1000000, &r.rate) != 0)
				return -1;
			act = ESMTP_ACT_RATE_LIMIT;
		} else {
			if (get_action(d, x, actions, &act) != 0)
				return -1;
			if (act == ESMTP_ACT_RATE_LIMIT)
				return cfg_error(d, x, "rate-limit needs a rate: {rate-limit: N}");
		}
		/* ASA: mask only where a portion can be masked out. */
		if (act == ESMTP_ACT_MASK && crit != ESMTP_CRIT_CMD_VERB &&
			crit != ESMTP_CRIT_EHLO_REPLY_PARAMETER)
			return cfg_error(d, x,
				"action 'mask' is only valid for cmd-verb and ehlo-reply-parameter");
	}
	if ((x = cfg_map_get(d, rn, "log")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		r.log = b;
	}
	if (!have_action && !r.log)
		return cfg_error(d, rn,
			"a rule needs an action (drop-connection, reset, log, mask, {rate-limit: N}) or log: true");
	if (act == ESMTP_ACT_LOG)
		r.log = 1;
	r.action = (uint8_t)act;
	rc = policy_imap_add_rule(l->p, imap, &r, rx, rx_class);
	if (rc == -ENOSPC)
		return cfg_error(
			d, rn, "more than %d match rules in one inspect map", ESMTP_MAX_RULES);
	if (rc < 0)
		return cfg_error(d, rn, "bad match rule");
	return 0;
}

static int
load_imaps(struct ld *l, yaml_node_t *map)
{
	static const char *const keys[] = {"description", "parameters", "rules", "anomalies", NULL};
	struct cfg_doc *d = l->d;
	yaml_node_pair_t *pr;

	if (check_names(d, map, "inspect-maps") != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		yaml_node_t *k = node_of(d, pr->key), *v = node_of(d, pr->value), *x;
		int imap;

		if (cfg_expect(d, v, YAML_MAPPING_NODE, "an inspect map") != 0 ||
			cfg_check_keys(d, v, keys) != 0)
			return -1;
		if ((imap = policy_imap_add(l->p, sval(k))) < 0)
			return cfg_error(d, k, "more than %d inspect maps", POLICY_MAX_IMAPS);
		if ((x = cfg_map_get(d, v, "parameters")) != NULL &&
			load_params(l, x, policy_imap_mut(l->p, (unsigned int)imap)) != 0)
			return -1;
		if ((x = cfg_map_get(d, v, "anomalies")) != NULL &&
			load_anomalies(d, x, policy_imap_mut(l->p, (unsigned int)imap)) != 0)
			return -1;
		if ((x = cfg_map_get(d, v, "rules")) != NULL) {
			yaml_node_item_t *it;

			if (cfg_expect(d, x, YAML_SEQUENCE_NODE, "rules") != 0)
				return -1;
			FOR_ITEMS(it, x)
			{
				if (load_rule(l, (unsigned int)imap, node_of(d, *it)) != 0)
					return -1;
			}
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* policy-maps                                                            */

struct smtp_opts {
	int alert, audit_trail; /* -1: the IOS global switch */
	uint32_t max_data;
	uint32_t timeout; /* POLICY_TIMEOUT_UNSET */
};

static int
load_smtp_opts(struct cfg_doc *d, yaml_node_t *v, struct smtp_opts *o)
{
	static const char *const keys[] = {"alert", "audit-trail", "max-data", "timeout", NULL};
	yaml_node_t *x;
	bool b;

	o->alert = o->audit_trail = -1;
	o->max_data = 0;
	o->timeout = POLICY_TIMEOUT_UNSET;
	if (v->type == YAML_SCALAR_NODE) {
		if (cfg_get_bool(d, v, &b) != 0)
			return -1;
		if (!b)
			return cfg_error(d, v, "use no-inspect to turn inspection off");
		return 0;
	}
	if (cfg_expect(d, v, YAML_MAPPING_NODE, "inspection options") != 0 ||
		cfg_check_keys(d, v, keys) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "alert")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		o->alert = b;
	}
	if ((x = cfg_map_get(d, v, "audit-trail")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		o->audit_trail = b;
	}
	if ((x = cfg_map_get(d, v, "max-data")) != NULL &&
		cfg_get_u32(d, x, 0, UINT32_MAX, &o->max_data) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "timeout")) != NULL && cfg_get_duration(d, x, &o->timeout) != 0)
		return -1;
	return 0;
}

static int
load_inspect(struct ld *l, yaml_node_t *v, struct policy_class *c, const char *label)
{
	struct cfg_doc *d = l->d;
	yaml_node_t *es, *sm;
	char name[POLICY_NAME_MAX];
	int i;

	c->has_inspect = 1;
	if (v->type == YAML_SCALAR_NODE) {
		/* `inspect esmtp` alone: _default_esmtp_map; `inspect smtp`. */
		if (strcmp(sval(v), "esmtp") == 0) {
			c->inspect = POLICY_INSPECT_ESMTP;
			c->imap = (uint16_t)policy_find_imap(l->p, "_default_esmtp_map");
			return 0;
		}
		if (strcmp(sval(v), "smtp") != 0)
			return cfg_error(d, v, "'%s' is not an inspection (esmtp, smtp)", sval(v));
		c->inspect = POLICY_INSPECT_SMTP;
		i = policy_imap_add_smtp(l->p, label, POLICY_INSPECT_SMTP, -1, 0);
		if (i < 0)
			return cfg_error(d, v, "more than %d inspect maps", POLICY_MAX_IMAPS);
		c->imap = (uint16_t)i;
		return 0;
	}
	if (cfg_expect(d, v, YAML_MAPPING_NODE, "inspect") != 0)
		return -1;
	if (v->data.mapping.pairs.start == v->data.mapping.pairs.top)
		return cfg_error(d, v, "inspect: name esmtp or smtp");
	{
		static const char *const keys[] = {"esmtp", "smtp", NULL};

		if (cfg_check_keys(d, v, keys) != 0)
			return -1;
	}
	es = cfg_map_get(d, v, "esmtp");
	sm = cfg_map_get(d, v, "smtp");
	if (es != NULL && sm != NULL) {
		/* IOS: "SMTP and ESMTP inspection cannot be configured together". */
		yaml_node_t *second = node_of(d, v->data.mapping.pairs.start[1].key);

		return cfg_error(d, second,
			"smtp and esmtp inspection cannot be configured on the same class");
	}
	if (es != NULL) {
		c->inspect = POLICY_INSPECT_ESMTP;
		if (es->type == YAML_SCALAR_NODE &&
			(strcmp(sval(es), "true") == 0 || strcmp(sval(es), "yes") == 0)) {
			c->imap = (uint16_t)policy_find_imap(l->p, "_default_esmtp_map");
			return 0;
		}
		if (get_name(d, es, name, "an inspect map") != 0)
			return -1;
		if ((i = policy_find_imap(l->p, name)) < 0)
			return cfg_error(d, es, "unknown inspect map '%s'", name);
		c->imap = (uint16_t)i;
		return 0;
	}
	{
		struct smtp_opts o;

		if (load_smtp_opts(d, sm, &o) != 0)
			return -1;
		c->inspect = POLICY_INSPECT_SMTP;
		i = policy_imap_add_smtp(l->p, label, POLICY_INSPECT_SMTP, o.alert, o.max_data);
		if (i < 0)
			return cfg_error(d, sm, "more than %d inspect maps", POLICY_MAX_IMAPS);
		c->imap = (uint16_t)i;
		c->alert = o.alert < 0 ? 0xff : (uint8_t)o.alert;
		c->audit_trail = o.audit_trail < 0 ? 0xff : (uint8_t)o.audit_trail;
		if (o.timeout != POLICY_TIMEOUT_UNSET) {
			c->timeouts[POLICY_TIMEOUT_IDLE] = o.timeout;
			c->has_conn = 1;
		}
	}
	return 0;
}

static int
no_inspect_item(struct cfg_doc *d, yaml_node_t *s, void *arg)
{
	(void)arg;
	if (strcmp(sval(s), "esmtp") != 0 && strcmp(sval(s), "smtp") != 0)
		return cfg_error(d, s, "'%s' is not an inspection (esmtp, smtp)", sval(s));
	return 0;
}

static int
load_set_connection(struct cfg_doc *d, yaml_node_t *v, struct policy_class *c)
{
	static const char *const keys[] = {"conn-max", "embryonic-conn-max", "per-client-max",
		"per-client-embryonic-max", "embryonic-action", "timeout", NULL};
	static const char *const tkeys[] = {"embryonic", "idle", "half-closed", NULL};
	yaml_node_t *x;
	unsigned int i;

	if (cfg_expect(d, v, YAML_MAPPING_NODE, "set-connection") != 0 ||
		cfg_check_keys(d, v, keys) != 0)
		return -1;
	c->has_conn = 1;
	for (i = 0; i < POLICY_LIMIT_MAX; i++)
		if ((x = cfg_map_get(d, v, policy_limit_name(i))) != NULL &&
			cfg_get_u32(d, x, 0, LIMIT_MAX, &c->limits[i]) != 0)
			return -1;
	if ((x = cfg_map_get(d, v, "embryonic-action")) != NULL) {
		/* ASA always intercepts; drop is for servers behind their own SYN cookies. */
		if (x->type != YAML_SCALAR_NODE ||
			(strcmp(sval(x), "intercept") != 0 && strcmp(sval(x), "drop") != 0))
			return cfg_error(d, x, "embryonic-action must be intercept or drop");
		c->emb_action =
			strcmp(sval(x), "drop") == 0 ? POLICY_EMB_DROP : POLICY_EMB_INTERCEPT;
	}
	if ((x = cfg_map_get(d, v, "timeout")) == NULL)
		return 0;
	if (cfg_expect(d, x, YAML_MAPPING_NODE, "timeout") != 0 || cfg_check_keys(d, x, tkeys) != 0)
		return -1;
	for (i = 0; i < POLICY_TIMEOUT_MAX; i++) {
		yaml_node_t *t = cfg_map_get(d, x, policy_timeout_name(i));
		uint32_t s;

		if (t == NULL)
			continue;
		if (cfg_get_duration(d, t, &s) != 0)
			return -1;
		/* ASA minimums: embryonic 0:0:5, half-closed 0:0:30 (0 = never). */
		if (i == POLICY_TIMEOUT_EMBRYONIC && s != 0 && s < 5)
			return cfg_error(d, t, "embryonic timeout must be 0 or at least 0:00:05");
		if (i == POLICY_TIMEOUT_HALF_CLOSED && s != 0 && s < 30)
			return cfg_error(d, t, "half-closed timeout must be 0 or at least 0:00:30");
		c->timeouts[i] = s;
	}
	return 0;
}

static int
load_class(struct ld *l, unsigned int pmap, const char *pmap_name, yaml_node_t *cn)
{
	static const char *const keys[] = {
		"class", "description", "inspect", "no-inspect", "set-connection", NULL};
	struct cfg_doc *d = l->d;
	struct policy_class c;
	yaml_node_t *x, *ins, *noins;
	char name[POLICY_NAME_MAX], label[POLICY_NAME_MAX];
	unsigned int i;
	int cm, rc;

	memset(&c, 0, sizeof(c));
	c.alert = 1;
	c.imap = POLICY_NONE;
	for (i = 0; i < POLICY_TIMEOUT_MAX; i++)
		c.timeouts[i] = POLICY_TIMEOUT_UNSET;
	if (cfg_expect(d, cn, YAML_MAPPING_NODE, "a class") != 0 ||
		cfg_check_keys(d, cn, keys) != 0)
		return -1;
	if ((x = cfg_map_get(d, cn, "class")) == NULL)
		return cfg_error(d, cn, "a policy-map entry needs a class");
	if (get_name(d, x, name, "a class-map") != 0)
		return -1;
	if ((cm = policy_find_cmap(l->p, name)) < 0)
		return cfg_error(d, x, "unknown class-map '%s'", name);
	c.cmap = (uint16_t)cm;
	snprintf(label, sizeof(label), "%.30s/%.30s", pmap_name, name);
	ins = cfg_map_get(d, cn, "inspect");
	noins = cfg_map_get(d, cn, "no-inspect");
	if (ins != NULL && noins != NULL)
		return cfg_error(d, noins, "a class cannot both inspect and no-inspect");
	if (ins != NULL && load_inspect(l, ins, &c, label) != 0)
		return -1;
	if (noins != NULL) {
		if (each_scalar(d, noins, "no-inspect", no_inspect_item, NULL) != 0)
			return -1;
		c.has_inspect = 1;
		c.inspect = POLICY_INSPECT_NONE;
	}
	if ((x = cfg_map_get(d, cn, "set-connection")) != NULL &&
		load_set_connection(d, x, &c) != 0)
		return -1;
	rc = policy_pmap_class_add(l->p, pmap, &c);
	if (rc == -EEXIST)
		return cfg_error(
			d, cn, "class '%s' is already in policy-map '%s'", name, pmap_name);
	if (rc == -ENOSPC)
		return cfg_error(
			d, cn, "more than %d classes in one policy-map", POLICY_MAX_PMAP_CLASSES);
	if (rc < 0)
		return cfg_error(d, cn, "bad class");
	return 0;
}

static int
load_pmaps(struct ld *l, yaml_node_t *map)
{
	static const char *const keys[] = {"description", "classes", NULL};
	struct cfg_doc *d = l->d;
	yaml_node_pair_t *pr;

	if (check_names(d, map, "policy-maps") != 0)
		return -1;
	FOR_PAIRS(pr, map)
	{
		yaml_node_t *k = node_of(d, pr->key), *v = node_of(d, pr->value), *cl = v;
		yaml_node_item_t *it;
		int pm;

		if (v->type == YAML_MAPPING_NODE) {
			if (cfg_check_keys(d, v, keys) != 0)
				return -1;
			if ((cl = cfg_map_get(d, v, "classes")) == NULL)
				return cfg_error(d, v, "policy-map '%s' needs classes", sval(k));
		}
		if (cfg_expect(d, cl, YAML_SEQUENCE_NODE, "classes") != 0)
			return -1;
		if ((pm = policy_pmap_add(l->p, sval(k))) < 0)
			return cfg_error(d, k, "more than %d policy-maps", POLICY_MAX_PMAPS - 1);
		FOR_ITEMS(it, cl)
		{
			if (load_class(l, (unsigned int)pm, sval(k), node_of(d, *it)) != 0)
				return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* service-policy                                                         */

static int
pmap_ref(struct ld *l, yaml_node_t *v, unsigned int *out)
{
	char name[POLICY_NAME_MAX];
	int i;

	if (get_name(l->d, v, name, "a policy-map") != 0)
		return -1;
	if (strcmp(name, "none") == 0) {
		*out = POLICY_NONE;
		return 0;
	}
	if ((i = policy_find_pmap(l->p, name)) < 0)
		return cfg_error(l->d, v, "unknown policy-map '%s'", name);
	*out = (unsigned int)i;
	return 0;
}

static int
load_service(struct ld *l, yaml_node_t *v)
{
	static const char *const keys[] = {"global", "interfaces", NULL};
	static const char *const ikeys[] = {"pair", "interface", "policy-map", NULL};
	struct cfg_doc *d = l->d;
	yaml_node_t *x;
	yaml_node_item_t *it;
	unsigned int pm;

	if (cfg_expect(d, v, YAML_MAPPING_NODE, "service-policy") != 0 ||
		cfg_check_keys(d, v, keys) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "global")) != NULL) {
		if (pmap_ref(l, x, &pm) != 0)
			return -1;
		policy_service_set(l->p, -1, pm);
	}
	if ((x = cfg_map_get(d, v, "interfaces")) == NULL)
		return 0;
	if (cfg_expect(d, x, YAML_SEQUENCE_NODE, "service-policy.interfaces") != 0)
		return -1;
	FOR_ITEMS(it, x)
	{
		yaml_node_t *e = node_of(d, *it), *pn, *in, *pmn;
		uint32_t pair = 0;
		unsigned int i;

		if (cfg_expect(d, e, YAML_MAPPING_NODE, "an interface service policy") != 0 ||
			cfg_check_keys(d, e, ikeys) != 0)
			return -1;
		pn = cfg_map_get(d, e, "pair");
		in = cfg_map_get(d, e, "interface");
		if ((pn == NULL) == (in == NULL))
			return cfg_error(
				d, e, "give either pair (an index) or interface (a port name)");
		if ((pmn = cfg_map_get(d, e, "policy-map")) == NULL)
			return cfg_error(d, e, "an interface service policy needs a policy-map");
		if (pn != NULL && cfg_get_u32(d, pn, 0, l->c->n_pairs - 1, &pair) != 0)
			return -1;
		if (in != NULL) {
			if (cfg_expect(d, in, YAML_SCALAR_NODE, "interface") != 0)
				return -1;
			for (i = 0; i < l->c->n_pairs; i++)
				if (strcmp(l->c->pairs[i].inside.name, sval(in)) == 0 ||
					strcmp(l->c->pairs[i].outside.name, sval(in)) == 0)
					break;
			if (i == l->c->n_pairs)
				return cfg_error(
					d, in, "'%s' is not a port of wire.pairs", sval(in));
			pair = i;
		}
		if (pmap_ref(l, pmn, &pm) != 0)
			return -1;
		if (policy_service_set(l->p, (int)pair, pm) != 0)
			return cfg_error(d, e, "bad service policy");
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* statics                                                                */

static int
parse_ip(const char *s, struct policy_addr *a)
{
	char why[8];

	if (policy_parse_addr(s, a, why, sizeof(why)) != 0 || a->family == 0 ||
		a->plen != (a->family == 4 ? 32 : 128))
		return -1;
	return 0;
}

static int
netmask_len(const char *s, unsigned int *len)
{
	struct policy_addr m;
	uint32_t v;

	if (parse_ip(s, &m) != 0 || m.family != 4)
		return -1;
	v = (uint32_t)m.addr[0] << 24 | (uint32_t)m.addr[1] << 16 | (uint32_t)m.addr[2] << 8 |
		m.addr[3];
	*len = 0;
	while (*len < 32 && (v & (1u << (31 - *len))) != 0)
		(*len)++;
	if (*len < 32 && (v << *len) != 0)
		return -1;
	return 0;
}

static int
u32_tok(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
static_mask(struct cfg_doc *d, yaml_node_t *n, struct policy_static *s, const struct policy_addr *r,
	unsigned int plen)
{
	unsigned int i;

	s->plen = (uint8_t)plen;
	for (i = plen; i < (s->family == 4 ? 32u : 128u); i++)
		if (r->addr[i / 8] & (0x80 >> (i % 8)))
			return cfg_error(d, n, "real address has bits outside the netmask");
	return 0;
}

/*
 * A static's UDP limit is refused rather than accepted and ignored:
 * smtpwall applies no policy to UDP (it forwards it as a plain bridge), so
 * it would count nothing. udp 0 (unlimited) is what it does.
 */
#define UDP_REFUSED \
	"udp %u: smtpwall does not count UDP connections, so this limit would not be " \
	"enforced (remove it, or write udp 0)"

/* "static (inside,outside) 1.1.1.1 192.168.1.1 netmask 255.255.255.255 tcp 50 100 udp 10" */
static int
load_static_line(struct cfg_doc *d, yaml_node_t *n, struct policy_static *s)
{
	char buf[256];
	char *tok[16], *save = NULL, *t, *comma;
	unsigned int nt = 0, i = 0, plen;
	struct policy_addr real, mapped;

	if (n->data.scalar.length >= sizeof(buf))
		return cfg_error(d, n, "static line too long");
	strcpy(buf, sval(n));
	for (t = strtok_r(buf, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (nt == 16)
			return cfg_error(d, n, "too many words for a static");
		tok[nt++] = t;
	}
	if (i < nt && strcmp(tok[i], "static") == 0)
		i++;
	if (i >= nt || tok[i][0] != '(' || tok[i][strlen(tok[i]) - 1] != ')' ||
		(comma = strchr(tok[i], ',')) == NULL)
		return cfg_error(d, n, "a static starts with (real_ifc,mapped_ifc)");
	tok[i][strlen(tok[i]) - 1] = '\0';
	*comma = '\0';
	if (strlen(tok[i] + 1) == 0 || strlen(tok[i] + 1) >= POLICY_IFNAME_MAX ||
		strlen(comma + 1) == 0 || strlen(comma + 1) >= POLICY_IFNAME_MAX)
		return cfg_error(d, n, "bad interface names in a static");
	strcpy(s->real_if, tok[i] + 1);
	strcpy(s->mapped_if, comma + 1);
	i++;
	if (i + 1 >= nt || parse_ip(tok[i], &mapped) != 0 || parse_ip(tok[i + 1], &real) != 0 ||
		mapped.family != real.family)
		return cfg_error(d, n, "a static needs a mapped and a real address");
	s->family = real.family;
	memcpy(s->real, real.addr, 16);
	memcpy(s->mapped, mapped.addr, 16);
	plen = real.family == 4 ? 32 : 128;
	i += 2;
	if (i < nt && strcmp(tok[i], "netmask") == 0) {
		if (i + 1 >= nt || real.family != 4 || netmask_len(tok[i + 1], &plen) != 0)
			return cfg_error(d, n, "netmask needs a contiguous IPv4 mask");
		i += 2;
	}
	if (static_mask(d, n, s, &real, plen) != 0)
		return -1;
	/* [tcp] [max_conns [em_limit]] [udp udp_max_conns] */
	if (i < nt && strcmp(tok[i], "tcp") == 0)
		i++;
	if (i < nt && strcmp(tok[i], "udp") != 0) {
		if (u32_tok(tok[i], LIMIT_MAX, &s->tcp_max_conns) != 0)
			return cfg_error(
				d, n, "'%s' is not a connection limit (0..%u)", tok[i], LIMIT_MAX);
		i++;
		if (i < nt && strcmp(tok[i], "udp") != 0) {
			if (u32_tok(tok[i], LIMIT_MAX, &s->tcp_em_limit) != 0)
				return cfg_error(d, n, "'%s' is not an embryonic limit (0..%u)",
					tok[i], LIMIT_MAX);
			i++;
		}
	}
	if (i < nt && strcmp(tok[i], "udp") == 0) {
		if (i + 1 >= nt || u32_tok(tok[i + 1], LIMIT_MAX, &s->udp_max_conns) != 0)
			return cfg_error(d, n, "udp needs a connection limit (0..%u)", LIMIT_MAX);
		if (s->udp_max_conns != 0)
			return cfg_error(d, n, UDP_REFUSED, s->udp_max_conns);
		i += 2;
	}
	if (i != nt)
		return cfg_error(d, n, "unexpected '%s' in a static", tok[i]);
	return 0;
}

static int
load_static_map(struct cfg_doc *d, yaml_node_t *m, struct policy_static *s)
{
	static const char *const keys[] = {"real-interface", "mapped-interface", "mapped", "real",
		"netmask", "tcp", "udp", NULL};
	static const char *const tcp_keys[] = {"max-conns", "embryonic-limit", NULL};
	static const char *const udp_keys[] = {"max-conns", NULL};
	struct policy_addr real, mapped;
	char why[WHY_LEN] = "";
	yaml_node_t *x, *y;
	unsigned int plen;

	if (cfg_check_keys(d, m, keys) != 0)
		return -1;
	strcpy(s->real_if, "inside");
	strcpy(s->mapped_if, "outside");
	if ((x = cfg_map_get(d, m, "real-interface")) != NULL &&
		cfg_get_str(d, x, s->real_if, sizeof(s->real_if)) != 0)
		return -1;
	if ((x = cfg_map_get(d, m, "mapped-interface")) != NULL &&
		cfg_get_str(d, x, s->mapped_if, sizeof(s->mapped_if)) != 0)
		return -1;
	if ((x = cfg_map_get(d, m, "real")) == NULL)
		return cfg_error(d, m, "a static needs a real address");
	if (cfg_expect(d, x, YAML_SCALAR_NODE, "real") != 0)
		return -1;
	if (policy_parse_addr(sval(x), &real, why, sizeof(why)) != 0 || real.family == 0)
		return cfg_error(d, x, "%s", why[0] ? why : "the real address must be an address");
	s->family = real.family;
	plen = real.plen;
	memcpy(s->real, real.addr, 16);
	if ((x = cfg_map_get(d, m, "mapped")) != NULL) {
		if (cfg_expect(d, x, YAML_SCALAR_NODE, "mapped") != 0)
			return -1;
		if (parse_ip(sval(x), &mapped) != 0 || mapped.family != real.family)
			return cfg_error(d, x, "the mapped address must be a %s host address",
				real.family == 4 ? "IPv4" : "IPv6");
		memcpy(s->mapped, mapped.addr, 16);
	}
	if ((x = cfg_map_get(d, m, "netmask")) != NULL) {
		if (cfg_expect(d, x, YAML_SCALAR_NODE, "netmask") != 0)
			return -1;
		if (real.family != 4 || netmask_len(sval(x), &plen) != 0)
			return cfg_error(d, x, "netmask needs a contiguous IPv4 mask");
	}
	if (static_mask(d, m, s, &real, plen) != 0)
		return -1;
	if ((x = cfg_map_get(d, m, "tcp")) != NULL) {
		if (cfg_expect(d, x, YAML_MAPPING_NODE, "tcp") != 0 ||
			cfg_check_keys(d, x, tcp_keys) != 0)
			return -1;
		if ((y = cfg_map_get(d, x, "max-conns")) != NULL &&
			cfg_get_u32(d, y, 0, LIMIT_MAX, &s->tcp_max_conns) != 0)
			return -1;
		if ((y = cfg_map_get(d, x, "embryonic-limit")) != NULL &&
			cfg_get_u32(d, y, 0, LIMIT_MAX, &s->tcp_em_limit) != 0)
			return -1;
	}
	if ((x = cfg_map_get(d, m, "udp")) != NULL) {
		if (cfg_expect(d, x, YAML_MAPPING_NODE, "udp") != 0 ||
			cfg_check_keys(d, x, udp_keys) != 0)
			return -1;
		if ((y = cfg_map_get(d, x, "max-conns")) != NULL &&
			cfg_get_u32(d, y, 0, LIMIT_MAX, &s->udp_max_conns) != 0)
			return -1;
		if (s->udp_max_conns != 0)
			return cfg_error(d, y, UDP_REFUSED, s->udp_max_conns);
	}
	return 0;
}

static int
load_statics(struct ld *l, yaml_node_t *v)
{
	struct cfg_doc *d = l->d;
	yaml_node_item_t *it;

	if (cfg_expect(d, v, YAML_SEQUENCE_NODE, "statics") != 0)
		return -1;
	FOR_ITEMS(it, v)
	{
		yaml_node_t *e = node_of(d, *it);
		struct policy_static s;

		memset(&s, 0, sizeof(s));
		if (e->type == YAML_SCALAR_NODE) {
			if (load_static_line(d, e, &s) != 0)
				return -1;
		} else if (e->type == YAML_MAPPING_NODE) {
			if (load_static_map(d, e, &s) != 0)
				return -1;
		} else {
			return cfg_error(d, e, "a static is a line or a mapping");
		}
		if (policy_static_add(l->p, &s) < 0)
			return cfg_error(d, e, "more than %d statics", POLICY_MAX_STATICS);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* ip-inspect (IOS CBAC)                                                  */

static int
load_high_low(struct cfg_doc *d, yaml_node_t *v, uint32_t *high, uint32_t *low)
{
	static const char *const keys[] = {"high", "low", NULL};
	yaml_node_t *x;

	if (cfg_expect(d, v, YAML_MAPPING_NODE, "thresholds") != 0 ||
		cfg_check_keys(d, v, keys) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "high")) != NULL && cfg_get_u32(d, x, 1, UINT32_MAX, high) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "low")) != NULL && cfg_get_u32(d, x, 1, UINT32_MAX, low) != 0)
		return -1;
	if (*low > *high)
		return cfg_error(d, v, "low (%u) must not exceed high (%u)", *low, *high);
	return 0;
}

static int
load_ip_inspect(struct ld *l, yaml_node_t *v)
{
	static const char *const keys[] = {"alert", "audit-trail", "max-incomplete", "one-minute",
		"tcp-max-incomplete-host", "intercept", "names", "bindings", NULL};
	static const char *const host_keys[] = {"limit", "block-time", NULL};
	static const char *const bkeys[] = {"name", "interface", "direction", "access-list", NULL};
	static const char *const sides[] = {"inside", "outside", NULL};
	static const char *const dirs[] = {"in", "out", NULL};
	struct cfg_doc *d = l->d;
	struct policy_ios *ios = policy_ios_mut(l->p);
	yaml_node_t *x, *y, *names;
	yaml_node_item_t *it;
	bool b;

	if (cfg_expect(d, v, YAML_MAPPING_NODE, "ip-inspect") != 0 ||
		cfg_check_keys(d, v, keys) != 0)
		return -1;
	ios->configured = 1;
	if ((x = cfg_map_get(d, v, "alert")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		ios->alert = b;
	}
	if ((x = cfg_map_get(d, v, "audit-trail")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		ios->audit_trail = b;
	}
	if ((x = cfg_map_get(d, v, "intercept")) != NULL) {
		if (cfg_get_bool(d, x, &b) != 0)
			return -1;
		ios->intercept = b;
	}
	if ((x = cfg_map_get(d, v, "max-incomplete")) != NULL &&
		load_high_low(d, x, &ios->max_incomplete_high, &ios->max_incomplete_low) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "one-minute")) != NULL &&
		load_high_low(d, x, &ios->one_minute_high, &ios->one_minute_low) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "tcp-max-incomplete-host")) != NULL) {
		if (cfg_expect(d, x, YAML_MAPPING_NODE, "tcp-max-incomplete-host") != 0 ||
			cfg_check_keys(d, x, host_keys) != 0)
			return -1;
		if ((y = cfg_map_get(d, x, "limit")) != NULL &&
			cfg_get_u32(d, y, 1, 250, &ios->host_max_incomplete) != 0)
			return -1;
		if ((y = cfg_map_get(d, x, "block-time")) != NULL &&
			cfg_get_u32(d, y, 0, 35791, &ios->host_block_time) != 0)
			return -1;
	}
	names = cfg_map_get(d, v, "names");
	if (names != NULL && check_names(d, names, "ip-inspect.names") != 0)
		return -1;
	if (names != NULL) {
		yaml_node_pair_t *pr;

		/* Checked now, so that an unbound name is still validated. */
		FOR_PAIRS(pr, names)
		{
			static const char *const pk[] = {"smtp", "esmtp", NULL};
			yaml_node_t *r = node_of(d, pr->value);
			struct smtp_opts o;

			if (cfg_expect(d, r, YAML_MAPPING_NODE, "an inspection rule") != 0 ||
				cfg_check_keys(d, r, pk) != 0)
				return -1;
			if (r->data.mapping.pairs.top == r->data.mapping.pairs.start)
				return cfg_error(d, r, "an inspection rule names smtp or esmtp");
			if (r->data.mapping.pairs.top - r->data.mapping.pairs.start > 1)
				return cfg_error(d, node_of(d, r->data.mapping.pairs.start[1].key),
					"smtp and esmtp inspection cannot be configured together");
			if (load_smtp_opts(d, node_of(d, r->data.mapping.pairs.start->value), &o) !=
				0)
				return -1;
		}
	}
	if ((x = cfg_map_get(d, v, "bindings")) == NULL)
		return 0;
	if (cfg_expect(d, x, YAML_SEQUENCE_NODE, "ip-inspect.bindings") != 0)
		return -1;
	FOR_ITEMS(it, x)
	{
		yaml_node_t *e = node_of(d, *it), *nm, *rule, *rk;
		char name[POLICY_NAME_MAX];
		unsigned int side = POLICY_SIDE_OUTSIDE, dir = 0;
		unsigned int acl = POLICY_NONE;
		struct smtp_opts o;
		int rc;

		if (cfg_expect(d, e, YAML_MAPPING_NODE, "a binding") != 0 ||
			cfg_check_keys(d, e, bkeys) != 0)
			return -1;
		if ((nm = cfg_map_get(d, e, "name")) == NULL)
			return cfg_error(d, e, "a binding needs the name of an inspection rule");
		if (get_name(d, nm, name, "an inspection rule") != 0)
			return -1;
		if ((rule = cfg_map_get(d, names, name)) == NULL)
			return cfg_error(d, nm, "unknown inspection rule '%s'", name);
		if ((y = cfg_map_get(d, e, "interface")) != NULL &&
			cfg_get_enum(d, y, sides, &side) != 0)
			return -1;
		if ((y = cfg_map_get(d, e, "direction")) != NULL &&
			cfg_get_enum(d, y, dirs, &dir) != 0)
			return -1;
		if ((y = cfg_map_get(d, e, "access-list")) != NULL) {
			char an[POLICY_NAME_MAX];
			int a;

			if (get_name(d, y, an, "access-list") != 0)
				return -1;
			if ((a = policy_find_acl(l->p, an)) < 0)
				return cfg_error(d, y, "unknown access-list '%s'", an);
			acl = (unsigned int)a;
		}
		/* `ip inspect X in` on an interface inspects what enters it;
		 * `out`, what leaves it, i.e. enters the other port. */
		if (dir == 1)
			side ^= 1;
		rk = node_of(d, rule->data.mapping.pairs.start->key);
		if (load_smtp_opts(d, node_of(d, rule->data.mapping.pairs.start->value), &o) != 0)
			return -1;
		rc = policy_ios_bind(l->p, name,
			strcmp(sval(rk), "smtp") == 0 ? POLICY_INSPECT_SMTP : POLICY_INSPECT_ESMTP,
			acl, (enum policy_side)side, o.alert, o.audit_trail, o.max_data, o.timeout);
		if (rc < 0)
			return cfg_error(d, e, "too many IOS bindings");
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* logging                                                                */

static int
load_rate(struct cfg_doc *d, yaml_node_t *v, uint32_t *rate, uint32_t *interval)
{
	static const char *const keys[] = {"rate", "interval", NULL};
	yaml_node_t *x;

	if (cfg_expect(d, v, YAML_MAPPING_NODE, "a rate limit") != 0 ||
		cfg_check_keys(d, v, keys) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "rate")) != NULL && cfg_get_u32(d, x, 0, 1000000, rate) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "interval")) != NULL &&
		cfg_get_u32(d, x, 1, 86400, interval) != 0)
		return -1;
	return 0;
}

static int
load_logging(struct ld *l, yaml_node_t *v)
{
	static const char *const keys[] = {"destination", "file", "facility", "level", "rate-limit",
		"message-rate-limits", NULL};
	static const char *const dests[] = {
#define _(e, s) s,
		foreach_policy_log_dest
#undef _
			NULL};
	static const char *const levels[] = {"emergencies", "alerts", "critical", "errors",
		"warnings", "notifications", "informational", "debugging", NULL};
	static const char *const facilities[] = {"local0", "local1", "local2", "local3", "local4",
		"local5", "local6", "local7", NULL};
	static const char *const mkeys[] = {"message", "rate", "interval", NULL};
	struct cfg_doc *d = l->d;
	struct policy_logging *g = policy_logging_mut(l->p);
	yaml_node_t *x;
	yaml_node_item_t *it;
	unsigned int u;

	if (cfg_expect(d, v, YAML_MAPPING_NODE, "logging") != 0 || cfg_check_keys(d, v, keys) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "destination")) != NULL) {
		if (cfg_get_enum(d, x, dests, &u) != 0)
			return -1;
		g->dest = (uint8_t)u;
	}
	if ((x = cfg_map_get(d, v, "file")) != NULL &&
		cfg_get_str(d, x, g->file, sizeof(g->file)) != 0)
		return -1;
	if (g->dest == POLICY_LOG_FILE && g->file[0] == '\0')
		return cfg_error(
			d, cfg_map_get(d, v, "destination"), "destination file needs file: PATH");
	if ((x = cfg_map_get(d, v, "facility")) != NULL) {
		if (cfg_get_enum(d, x, facilities, &u) != 0)
			return -1;
		g->facility = (uint8_t)u;
	}
	if ((x = cfg_map_get(d, v, "level")) != NULL) {
		uint32_t lv;

		if (x->type == YAML_SCALAR_NODE && sval(x)[0] >= '0' && sval(x)[0] <= '9') {
			if (cfg_get_u32(d, x, 0, 7, &lv) != 0)
				return -1;
			u = lv;
		} else if (cfg_get_enum(d, x, levels, &u) != 0) {
			return -1;
		}
		g->level = (uint8_t)u;
	}
	if ((x = cfg_map_get(d, v, "rate-limit")) != NULL &&
		load_rate(d, x, &g->rate, &g->interval) != 0)
		return -1;
	if ((x = cfg_map_get(d, v, "message-rate-limits")) == NULL)
		return 0;
	if (cfg_expect(d, x, YAML_SEQUENCE_NODE, "message-rate-limits") != 0)
		return -1;
	g->n_msg_limits = 0;
	FOR_ITEMS(it, x)
	{
		yaml_node_t *e = node_of(d, *it), *y;
		struct policy_msg_limit *ml;
		unsigned int i;

		if (g->n_msg_limits == POLICY_MAX_MSG_LIMITS)
			return cfg_error(
				d, e, "more than %d message rate limits", POLICY_MAX_MSG_LIMITS);
		if (cfg_expect(d, e, YAML_MAPPING_NODE, "a message rate limit") != 0 ||
			cfg_check_keys(d, e, mkeys) != 0)
			return -1;
		ml = &g->msg_limits[g->n_msg_limits];
		ml->rate = 0;
		ml->interval = 1;
		if ((y = cfg_map_get(d, e, "message")) == NULL)
			return cfg_error(d, e, "a message rate limit needs a message id");
		if (cfg_get_u32(d, y, 100000, 999999, &ml->msgid) != 0)
			return -1;
		for (i = 0; i < g->n_msg_limits; i++)
			if (g->msg_limits[i].msgid == ml->msgid)
				return cfg_error(d, y, "message %u is already limited", ml->msgid);
		if ((y = cfg_map_get(d, e, "rate")) != NULL &&
			cfg_get_u32(d, y, 0, 1000000, &ml->rate) != 0)
			return -1;
		if ((y = cfg_map_get(d, e, "interval")) != NULL &&
			cfg_get_u32(d, y, 1, 86400, &ml->interval) != 0)
			return -1;
		g->n_msg_limits++;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */

int
cfg_policy_load(struct cfg_doc *d, yaml_node_t *root, const struct config *c, struct policy **out)
{
	struct ld l = {d, NULL, c};
	yaml_node_t *v;

	l.p = policy_new();
	if (l.p == NULL)
		return cfg_error(d, root, "out of memory");
	if ((v = cfg_map_get(d, root, "regex")) != NULL && load_regex(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "regex-classes")) != NULL && load_regex_classes(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "access-lists")) != NULL && load_acls(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "class-maps")) != NULL && load_cmaps(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "inspect-maps")) != NULL && load_imaps(&l, v) != 0)
		goto fail;
	/* ip-inspect's switches are global; its bindings are classes. */
	if ((v = cfg_map_get(d, root, "ip-inspect")) != NULL && load_ip_inspect(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "policy-maps")) != NULL && load_pmaps(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "service-policy")) != NULL && load_service(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "statics")) != NULL && load_statics(&l, v) != 0)
		goto fail;
	if ((v = cfg_map_get(d, root, "logging")) != NULL && load_logging(&l, v) != 0)
		goto fail;
	if (policy_finalize(l.p) != 0) {
		cfg_error(d, root, "the policy does not compile");
		goto fail;
	}
	*out = l.p;
	return 0;
fail:
	policy_free(l.p);
	return -1;
}
