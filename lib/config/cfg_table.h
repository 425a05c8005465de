/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_CFG_TABLE_H
#define SMTPWALL_CFG_TABLE_H

/*
 * Parameter tables, after Snort 3's: every YAML mapping the loader reads is
 * one table of keys with type, range, default and help. One walker checks a
 * mapping's keys against its table, reads them in table order (so that of
 * two errors the same one is always reported) and stores each value in its
 * field or hands it to the key's own reader. The tables form one tree from
 * cfg_root_table (through `sub`): tests/unit/config checks
 * docs/configuration.md against it. Private to lib/config.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg_yaml.h"

enum cfg_type {
	CFG_U32, /* an integer in [min, max] */
	CFG_SIZE, /* bytes: N, Nk, Nm or Ng (powers of 1024) in [min, max] */
	CFG_DURATION, /* seconds or hh:mm:ss */
	CFG_BOOL,
	CFG_ENUM, /* one of names; stored as its index */
	CFG_STRING, /* copied into a char array of `size` bytes */
	CFG_TEXT, /* free text, not read (description) */
	CFG_MAP, /* a mapping read by sub */
	CFG_LIST, /* a list, read by load */
	CFG_NAMED, /* a mapping of NAME -> sub, read by load */
	CFG_OTHER, /* read by load; the documentation says what it takes */
};

struct cfg_walk;
struct cfg_param;
struct cfg_table;

/* Reads v (the value of key p); 0 or -1 with the error recorded. */
typedef int (*cfg_load_fn)(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p);
/* A check on the whole mapping (before or after a key); 0 or -1. */
typedef int (*cfg_check_fn)(struct cfg_walk *w, yaml_node_t *map);

struct cfg_param {
	const char *name;
	enum cfg_type type;
	uint64_t min, max; /* CFG_U32, CFG_SIZE */
	const char *const *names; /* CFG_ENUM, NULL-terminated */
	const char *def; /* the default as the documentation gives it; NULL: none */
	const char *help;
	size_t off; /* the field in the walk's target (CFG_MAP: the sub-walk's target) */
	unsigned int size; /* its bytes (1, 2, 4 or 8; a string's capacity) */
	cfg_load_fn load; /* a reader of its own instead of storing */
	const struct cfg_table *sub; /* CFG_MAP, CFG_NAMED: the table of the value */
	const char *missing; /* required: the error when absent (%s: the object's name) */
	cfg_check_fn after; /* run after this key, given or not */
};

struct cfg_table {
	const char *path; /* "wire", "flows.timeouts", "class-maps.NAME" */
	const char *what; /* in "X must be a mapping" */
	const struct cfg_param *params; /* ends with a NULL name */
	/*
	 * The short form (cfg_walk_short): a scalar -- or, with short_unless_map,
	 * anything but a mapping -- is read as this key; a mapping by the table.
	 */
	const struct cfg_param *scalar;
	bool short_unless_map;
	cfg_check_fn pre; /* run after the keys are checked, before any is read */
};

struct cfg_walk {
	struct cfg_doc *d;
	void *target; /* where the offsets point */
	void *ctx; /* the section loader's state */
	const char *obj; /* the name of the object read, for messages */
};

/* The whole configuration file (config.c). */
extern const struct cfg_table cfg_root_table;

/* A mapping's keys are all keys of t, none twice. */
int cfg_check_table_keys(struct cfg_doc *d, yaml_node_t *map, const struct cfg_table *t);
/* A mapping: its type, its keys (unknown, duplicate), then each key in order. */
int cfg_walk_map(struct cfg_walk *w, yaml_node_t *map, const struct cfg_table *t);
/* A value in the short form (a scalar, see struct cfg_table) or the long one. */
int cfg_walk_short(struct cfg_walk *w, yaml_node_t *v, const struct cfg_table *t);
/* One key's value: its reader, or read by type and stored. */
int cfg_walk_param(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p);
/* Reads a number, size, duration, boolean or enum index by p's type and range. */
int cfg_read(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p, uint64_t *out);
/* Stores u in p's field of the target. */
void cfg_store(const struct cfg_walk *w, const struct cfg_param *p, uint64_t u);
/* The key's field in the target. */
void *cfg_field(const struct cfg_walk *w, const struct cfg_param *p);

/* A reader that keeps the node itself in the field (a yaml_node_t *), read later. */
int cfg_take_node(struct cfg_walk *w, yaml_node_t *v, const struct cfg_param *p);

/* Helpers of the table definitions. */
#define CFG_FIELD(type, f) .off = offsetof(type, f), .size = sizeof(((type *)0)->f)
#define CFG_END \
	{ \
		.name = NULL \
	}

#endif /* SMTPWALL_CFG_TABLE_H */
