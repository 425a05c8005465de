/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CFG_YAML_H
#define SMTPWALL_CFG_YAML_H

/*
 * Small typed walker over a libyaml document: every getter reports errors
 * with the node's file:line:column so that each section's loader is a few
 * lines of "key → field" and nothing else. Private to lib/config.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define CFG_MSG_LEN 256

struct cfg_doc {
	const char *name; /* file name for messages */
	yaml_document_t doc;
	char *err;
	size_t errlen;
	bool failed;
};

/* Parses text into d->doc; on a syntax error fills err and returns -1. */
int cfg_doc_parse(struct cfg_doc *d, const char *name, const char *text, size_t len, char *err,
		size_t errlen);
void cfg_doc_free(struct cfg_doc *d);
yaml_node_t *cfg_root(struct cfg_doc *d);

/* Records the first error only ("file:line:column: msg"); returns -1. */
int cfg_error(struct cfg_doc *d, const yaml_node_t *n, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

/* A mapping's keys must all be in the NULL-terminated list `known`. */
int cfg_check_keys(struct cfg_doc *d, yaml_node_t *map, const char *const *known);
/* Value node of key in a mapping, or NULL. */
yaml_node_t *cfg_map_get(struct cfg_doc *d, yaml_node_t *map, const char *key);
int cfg_expect(struct cfg_doc *d, yaml_node_t *n, yaml_node_type_t type, const char *what);

/* Scalars. Each returns 0 or -1 (error recorded). */
int cfg_get_u32(struct cfg_doc *d, yaml_node_t *n, uint32_t min, uint32_t max, uint32_t *out);
int cfg_get_bool(struct cfg_doc *d, yaml_node_t *n, bool *out);
/* 1 and *out set when s is a boolean word (true/yes/on, false/no/off). */
int cfg_bool_word(const char *s, bool *out);
int cfg_get_str(struct cfg_doc *d, yaml_node_t *n, char *out, size_t outlen);
/* One of the NULL-terminated names; *out = its index. */
int cfg_get_enum(struct cfg_doc *d, yaml_node_t *n, const char *const *names, unsigned int *out);
/*
 * Size in bytes: a number, optionally followed by k, m or g (or kb, kib, mb,
 * mib, gb, gib; any case), all powers of 1024, within [min, max].
 */
int cfg_get_size(struct cfg_doc *d, yaml_node_t *n, uint64_t min, uint64_t max, uint64_t *out);
/* Duration: a number of seconds, or "hh:mm:ss" as on the ASA. */
int cfg_get_duration(struct cfg_doc *d, yaml_node_t *n, uint32_t *out);

#endif /* SMTPWALL_CFG_YAML_H */
