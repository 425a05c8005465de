/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compiled policy, private to lib/policy.  Everything lives in one
 * fixed-size struct (one allocation): objects refer to each other by index
 * or by pointers into the same struct, so the whole thing is freed with
 * one free() and may be shared read-only by every worker.
 */
#ifndef SMTPWALL_POLICY_PRIV_H
#define SMTPWALL_POLICY_PRIV_H

#include "policy.h"

#define POLICY_MAGIC 0x504f4c59u /* "POLY" */
/* Classes one pair may walk: IOS bindings, the pair's policy, the global one. */
#define POLICY_MAX_CHAIN (3 * POLICY_MAX_PMAP_CLASSES)
#define POLICY_ACT_LABEL_MAX 32

/* Glushkov automaton of a regex: a bit per position, simulated bit-parallel
 * (policy_regex.c). */
struct policy_regex {
	char name[POLICY_NAME_MAX];
	uint8_t n_pos;
	uint8_t empty; /* empty matches, by what they need (policy_regex.c) */
	uint64_t first; /* positions a match may start with */
	uint64_t first_bol; /* ... only at offset 0 (after a '^') */
	uint64_t last; /* positions a match may end with */
	uint64_t last_eol; /* ... only at the end of the subject (before a '$') */
	uint64_t follow[POLICY_REGEX_POSITIONS];
	uint64_t cmask[256]; /* positions that accept byte c */
};

struct policy_rxclass {
	char name[POLICY_NAME_MAX];
	uint8_t n;
	uint16_t members[POLICY_REGEX_CLASS_MAX];
};

/* match_arg of a regex rule: what esmtp calls back with. */
struct policy_matcher {
	const struct policy *p;
	uint16_t idx;
	uint8_t is_class;
};

struct policy_acl {
	char name[POLICY_NAME_MAX];
	uint32_t first, n; /* entries aces[first .. first + n) */
};

struct policy_cmap {
	char name[POLICY_NAME_MAX];
	uint8_t builtin; /* may be replaced by a definition of the same name */
	uint8_t synthetic; /* made for an IOS binding: not found by name */
	struct policy_cmatch m;
};

struct policy_imap {
	char name[POLICY_NAME_MAX];
	uint8_t builtin;
	uint8_t synthetic;
	struct esmtp_policy esmtp;
	struct policy_matcher matchers[ESMTP_MAX_RULES];
	char rx_name[ESMTP_MAX_RULES][POLICY_NAME_MAX]; /* regex (class) a rule names */
	uint8_t rx_class[ESMTP_MAX_RULES];
	char label[ESMTP_MAX_RULES][POLICY_LABEL_MAX];
	char act_label[ESMTP_MAX_RULES][POLICY_ACT_LABEL_MAX];
};

struct policy_pmap {
	char name[POLICY_NAME_MAX];
	uint8_t builtin;
	uint8_t synthetic;
	uint16_t n;
	struct policy_class classes[POLICY_MAX_PMAP_CLASSES];
};

struct policy {
	uint32_t magic;
	uint8_t final;
	uint16_t n_acls, n_cmaps, n_imaps, n_pmaps, n_regex, n_rxclass;
	uint32_t n_aces, n_statics, n_classes;
	uint16_t global_pmap; /* POLICY_NONE: no global policy */
	uint16_t pair_pmap[POLICY_MAX_PAIRS]; /* POLICY_NONE: the global one only */
	uint16_t ios_pmap; /* POLICY_NONE until an IOS binding */
	struct policy_ios ios;
	struct policy_logging logging;

	/* Filled by policy_finalize(). */
	uint16_t chain_len[POLICY_MAX_PAIRS];
	const struct policy_class *chain[POLICY_MAX_PAIRS][POLICY_MAX_CHAIN];
	const struct policy_class *by_id[POLICY_MAX_CLASSES];

	struct policy_ace aces[POLICY_MAX_ACES];
	struct policy_acl acls[POLICY_MAX_ACLS];
	struct policy_cmap cmaps[POLICY_MAX_CMAPS];
	struct policy_imap imaps[POLICY_MAX_IMAPS];
	struct policy_pmap pmaps[POLICY_MAX_PMAPS];
	struct policy_static statics[POLICY_MAX_STATICS];
	struct policy_regex regex[POLICY_MAX_REGEX];
	struct policy_rxclass rxclass[POLICY_MAX_REGEX_CLASSES];
};

/* policy_regex.c */
int policy_regex_compile(
		struct policy_regex *re, const char *pattern, bool icase, char *why, size_t whylen);
int policy_regex_run(const struct policy_regex *re, const uint8_t *s, size_t n);
int policy_matcher_fn(void *arg, const uint8_t *s, size_t n);

/* policy_format.c */
void policy_rule_labels(struct policy *p, unsigned int imap, unsigned int rule);

/* Copies a name; -EINVAL when empty or too long. */
int policy_name_copy(char *dst, const char *src);

/* snprintf-style text writer that keeps counting past the end of buf
 * (show service-policy, show running-config). */
struct out {
	char *buf;
	size_t len;
	size_t need;
};
void policy_put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* SMTPWALL_POLICY_PRIV_H */
