/* SPDX-License-Identifier: BSD-3-Clause */
#include "cfg_yaml.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
cfg_doc_parse(struct cfg_doc *d, const char *name, const char *text, size_t len, char *err,
		size_t errlen)
{
	yaml_parser_t parser;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->err = err;
	d->errlen = errlen;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &d->doc)) {
		/* libyaml marks are 0-based; editors count from 1. */
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1,
				parser.problem_mark.column + 1,
				parser.problem ? parser.problem : "syntax error",
				parser.context ? " " : "", parser.context ? parser.context : "");
		d->failed = true;
		rc = -1;
	}
	yaml_parser_delete(&parser);
	if (rc == 0)
		d->failed = false;
	return rc;
}

void
cfg_doc_free(struct cfg_doc *d)
{
	yaml_document_delete(&d->doc);
}

yaml_node_t *
cfg_root(struct cfg_doc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

int
cfg_error(struct cfg_doc *d, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[CFG_MSG_LEN];
	va_list ap;

	if (d->failed)
		return -1;
	d->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n != NULL)
		snprintf(d->err, d->errlen, "%s:%zu:%zu: %s", d->name, n->start_mark.line + 1,
				n->start_mark.column + 1, msg);
	else
		snprintf(d->err, d->errlen, "%s:1:1: %s", d->name, msg);
	return -1;
}

static const char *
node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

int
cfg_expect(struct cfg_doc *d, yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	if (n->type == type)
		return 0;
	return cfg_error(d, n, "%s must be %s, not %s", what,
			type == YAML_MAPPING_NODE                    ? "a mapping"
					: type == YAML_SEQUENCE_NODE ? "a list"
								     : "a scalar",
			node_kind(n));
}

int
cfg_check_keys(struct cfg_doc *d, yaml_node_t *map, const char *const *known)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		const char *const *kn;
		yaml_node_pair_t *q;

		if (k == NULL || k->type != YAML_SCALAR_NODE)
			return cfg_error(d, k, "mapping keys must be scalars");
		for (kn = known; *kn != NULL; kn++)
			if (strcmp(*kn, (const char *)k->data.scalar.value) == 0)
				break;
		if (*kn == NULL)
			return cfg_error(d, k, "unknown key '%s'",
					(const char *)k->data.scalar.value);
		/* A repeated key would silently override the first: refuse it. */
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(&d->doc, q->key);

			if (k2 != NULL && k2->type == YAML_SCALAR_NODE &&
					strcmp((const char *)k2->data.scalar.value,
							(const char *)k->data.scalar.value) == 0)
				return cfg_error(d, k, "duplicate key '%s'",
						(const char *)k->data.scalar.value);
		}
	}
	return 0;
}

yaml_node_t *
cfg_map_get(struct cfg_doc *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
				strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(&d->doc, p->value);
	}
	return NULL;
}

static const char *
scalar(struct cfg_doc *d, yaml_node_t *n, const char *what)
{
	if (cfg_expect(d, n, YAML_SCALAR_NODE, what) != 0)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int
cfg_get_u32(struct cfg_doc *d, yaml_node_t *n, uint32_t min, uint32_t max, uint32_t *out)
{
	const char *s = scalar(d, n, "a number");
	unsigned long long v;
	char *end;

	if (s == NULL)
		return -1;
	if (*s < '0' || *s > '9')
		return cfg_error(d, n, "'%s' is not a non-negative integer", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return cfg_error(d, n, "'%s' is not a non-negative integer", s);
	if (v < min || v > max)
		return cfg_error(d, n, "%llu is out of range [%u, %u]", v, min, max);
	*out = (uint32_t)v;
	return 0;
}

int
cfg_get_size(struct cfg_doc *d, yaml_node_t *n, uint64_t min, uint64_t max, uint64_t *out)
{
	static const struct {
		const char *suffix;
		unsigned int shift;
	} units[] = {{"", 0}, {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20}, {"mb", 20},
			{"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}};
	const char *s = scalar(d, n, "a size");
	unsigned long long v;
	unsigned int i;
	char *end;

	if (s == NULL)
		return -1;
	if (*s < '0' || *s > '9')
		return cfg_error(d, n, "'%s' is not a size (a number, k, m or g)", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].suffix) == 0)
			break;
	if (errno != 0 || i == sizeof(units) / sizeof(units[0]) ||
			v > (UINT64_MAX >> units[i].shift))
		return cfg_error(d, n, "'%s' is not a size (a number, k, m or g)", s);
	v <<= units[i].shift;
	if (v < min || v > max)
		return cfg_error(d, n, "%s is out of range [%" PRIu64 ", %" PRIu64 "] bytes", s,
				min, max);
	*out = v;
	return 0;
}

int
cfg_bool_word(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", NULL};
	static const char *const no[] = {"false", "no", "off", NULL};
	unsigned int i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 1;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 1;
		}
	}
	return 0;
}

int
cfg_get_bool(struct cfg_doc *d, yaml_node_t *n, bool *out)
{
	const char *s = scalar(d, n, "a boolean");

	if (s == NULL)
		return -1;
	if (cfg_bool_word(s, out))
		return 0;
	return cfg_error(d, n, "'%s' is not a boolean (true/false)", s);
}

int
cfg_get_str(struct cfg_doc *d, yaml_node_t *n, char *out, size_t outlen)
{
	const char *s = scalar(d, n, "a string");

	if (s == NULL)
		return -1;
	if (n->data.scalar.length == 0)
		return cfg_error(d, n, "empty string");
	if (n->data.scalar.length >= outlen)
		return cfg_error(d, n, "'%.40s...' is longer than %zu characters", s, outlen - 1);
	memcpy(out, s, n->data.scalar.length + 1);
	return 0;
}

int
cfg_get_enum(struct cfg_doc *d, yaml_node_t *n, const char *const *names, unsigned int *out)
{
	char list[CFG_MSG_LEN / 2];
	const char *s = scalar(d, n, "a keyword");
	size_t used = 0;
	unsigned int i;

	if (s == NULL)
		return -1;
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; names[i] != NULL && used < sizeof(list); i++)
		used += (size_t)snprintf(
				list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
	return cfg_error(d, n, "'%s' is not one of: %s", s, list);
}

int
cfg_get_duration(struct cfg_doc *d, yaml_node_t *n, uint32_t *out)
{
	const char *s = scalar(d, n, "a duration");
	unsigned int h, m, sec;
	char tail;

	if (s == NULL)
		return -1;
	if (strchr(s, ':') == NULL)
		return cfg_get_u32(d, n, 0, 1193u * 3600u, out);
	if (sscanf(s, "%u:%u:%u%c", &h, &m, &sec, &tail) != 3 || m > 59 || sec > 59 || h > 1193)
		return cfg_error(d, n,
				"'%s' is not a duration (seconds or hh:mm:ss up to 1193:0:0)", s);
	*out = h * 3600u + m * 60u + sec;
	return 0;
}
