/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config against broken files: every shipped policy (the .yaml files of config/
 * and config/examples/) is mutated many ways — truncated at every byte,
 * lines deleted, duplicated, re-indented, tabbed, unknown keys and key
 * typos inserted, every value replaced by wrong types, out-of-range and
 * huge numbers, bad addresses, prefixes, ports and broken regexes, bytes
 * flipped to YAML syntax characters and to non-UTF-8, values nested
 * thousands deep — and each case is loaded in-process. The loader must
 * either accept it (a sane, final configuration) or refuse it with an
 * error that starts with the file's name and a line:column inside the
 * mutated text, leaving the configuration untouched. A crash fails the
 * test (Criterion runs it in a child; the ASan build checks memory).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sw_config.h"
#include "policy.h"

#define MAX_FILES 32

struct src {
	char path[1024];
	char *text;
	size_t len;
};

struct tally {
	unsigned long cases, accepted, refused;
};

static struct src files[MAX_FILES];
static unsigned int n_files;

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static int
cmp_src(const void *a, const void *b)
{
	return strcmp(((const struct src *)a)->path, ((const struct src *)b)->path);
}

static void
add_dir(const char *rel)
{
	char dir[512];
	struct dirent *e;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/%s", SOURCE_ROOT, rel);
	dp = opendir(dir);
	cr_assert_not_null(dp, "%s", dir);
	while ((e = readdir(dp)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		cr_assert_lt(n_files, MAX_FILES);
		snprintf(files[n_files].path, sizeof(files[n_files].path), "%s/%s", dir, e->d_name);
		files[n_files].text = read_all(files[n_files].path, &files[n_files].len);
		n_files++;
	}
	closedir(dp);
}

static void
setup(void)
{
	n_files = 0;
	add_dir("config");
	add_dir("config/examples");
	qsort(files, n_files, sizeof(files[0]), cmp_src);
	cr_assert_geq(n_files, 6, "config/ and config/examples/ hold the shipped policies");
}

static void
teardown(void)
{
	unsigned int i;

	for (i = 0; i < n_files; i++)
		free(files[i].text);
}

/* Lines and the longest line of a text (a position must lie within). */
static void
measure(const char *t, size_t len, unsigned long *lines, unsigned long *longest)
{
	unsigned long cur = 0;
	size_t i;

	*lines = 1;
	*longest = 0;
	for (i = 0; i < len; i++) {
		if (t[i] == '\n') {
			(*lines)++;
			cur = 0;
		} else {
			cur++;
		}
		if (cur > *longest)
			*longest = cur;
	}
}

/*
 * Loads one mutated text under the original file's name and checks the
 * outcome. what names the case in a failure.
 */
static void
check(const struct src *s, const char *t, size_t len, struct tally *ty, const char *what)
{
	struct config c, before;
	char err[CONFIG_ERR_LEN];
	unsigned long line, col, lines, longest;
	size_t nl = strlen(s->path);
	char colon;

	config_default(&c);
	memcpy(&before, &c, sizeof(c));
	err[0] = '\0';
	ty->cases++;
	if (config_load_string(s->path, t, len, &c, err, sizeof(err)) == 0) {
		ty->accepted++;
		cr_assert(c.n_pairs >= 1 && c.n_pairs <= CONFIG_MAX_PAIRS, "%s: %s", s->path, what);
		cr_assert_geq(c.flows_per_worker, 16, "%s: %s", s->path, what);
		cr_assert(c.policy == NULL || policy_is_final(c.policy), "%s: %s", s->path, what);
		config_free(&c);
		return;
	}
	ty->refused++;
	measure(t, len, &lines, &longest);
	cr_assert(strncmp(err, s->path, nl) == 0 && err[nl] == ':',
			"%s: %s: the error does not name the file: '%s'", s->path, what, err);
	cr_assert(sscanf(err + nl + 1, "%lu:%lu%c", &line, &col, &colon) == 3 && colon == ':',
			"%s: %s: no line:column: '%s'", s->path, what, err);
	cr_assert(line >= 1 && line <= lines + 1 && col >= 1 && col <= longest + 2,
			"%s: %s: position %lu:%lu outside the text (%lu lines, longest %lu): '%s'",
			s->path, what, line, col, lines, longest, err);
	cr_assert(strlen(err) > nl + 6, "%s: %s: no message: '%s'", s->path, what, err);
	cr_assert(memcmp(&before, &c, sizeof(c)) == 0,
			"%s: %s: a refused file changed the configuration", s->path, what);
}

/* A text with [off, off + cut) replaced by ins (ins_len bytes); malloc'd. */
static char *
splice(const struct src *s, size_t off, size_t cut, const char *ins, size_t ins_len, size_t *len)
{
	char *t = malloc(s->len - cut + ins_len + 1);

	cr_assert_not_null(t);
	memcpy(t, s->text, off);
	memcpy(t + off, ins, ins_len);
	memcpy(t + off + ins_len, s->text + off + cut, s->len - off - cut);
	*len = s->len - cut + ins_len;
	t[*len] = '\0';
	return t;
}

static void
check_splice(const struct src *s, size_t off, size_t cut, const char *ins, size_t ins_len,
		struct tally *ty, const char *what)
{
	size_t len;
	char *t = splice(s, off, cut, ins, ins_len, &len);

	check(s, t, len, ty, what);
	free(t);
}

/* Offsets of the starts of the lines of s (n entries, plus s->len). */
static size_t *
line_starts(const struct src *s, unsigned int *n)
{
	size_t *v = malloc((s->len + 2) * sizeof(*v));
	size_t i;

	cr_assert_not_null(v);
	*n = 0;
	v[(*n)++] = 0;
	for (i = 0; i < s->len; i++)
		if (s->text[i] == '\n' && i + 1 < s->len)
			v[(*n)++] = i + 1;
	v[*n] = s->len;
	return v;
}

static void
report(const char *family, const struct tally *ty)
{
	cr_log_info("%s: %lu cases, %lu accepted, %lu refused", family, ty->cases, ty->accepted,
			ty->refused);
	printf("mutations %s: %lu cases, %lu accepted, %lu refused\n", family, ty->cases,
			ty->accepted, ty->refused);
	fflush(stdout);
}

TestSuite(config_mutations, .init = setup, .fini = teardown, .timeout = 600);

/* The unmutated files load (else every mutation below proves nothing). */
Test(config_mutations, originals_load)
{
	struct tally ty = {0};
	unsigned int f;

	for (f = 0; f < n_files; f++) {
		check(&files[f], files[f].text, files[f].len, &ty, "original");
		cr_assert_eq(ty.refused, 0, "%s does not load", files[f].path);
	}
}

/* Cut short at every byte. */
Test(config_mutations, truncated_at_every_byte)
{
	struct tally ty = {0};
	unsigned int f;
	size_t off;
	char what[64];

	for (f = 0; f < n_files; f++)
		for (off = 0; off < files[f].len; off++) {
			snprintf(what, sizeof(what), "truncated at byte %zu", off);
			check(&files[f], files[f].text, off, &ty, what);
		}
	report("truncate", &ty);
	cr_assert_gt(ty.refused, ty.cases / 4);
}

/* Line edits: delete, duplicate, indent, dedent, tabs, unknown keys, typos. */
Test(config_mutations, line_edits)
{
	struct tally ty = {0};
	unsigned int f, i, n;
	char what[96], ins[256];

	for (f = 0; f < n_files; f++) {
		const struct src *s = &files[f];
		size_t *ls = line_starts(s, &n);

		for (i = 0; i < n; i++) {
			size_t a = ls[i], b = ls[i + 1], ind = 0, k;
			const char *l = s->text + a;

			while (a + ind < b && (l[ind] == ' ' || l[ind] == '-'))
				ind++;
			snprintf(what, sizeof(what), "line %u deleted", i + 1);
			check_splice(s, a, b - a, "", 0, &ty, what);
			snprintf(what, sizeof(what), "line %u duplicated", i + 1);
			check_splice(s, a, 0, l, b - a, &ty, what);
			snprintf(what, sizeof(what), "line %u indented by 1", i + 1);
			check_splice(s, a, 0, " ", 1, &ty, what);
			snprintf(what, sizeof(what), "line %u indented by 3", i + 1);
			check_splice(s, a, 0, "   ", 3, &ty, what);
			snprintf(what, sizeof(what), "line %u tab-indented", i + 1);
			check_splice(s, a, 0, "\t", 1, &ty, what);
			if (l[0] == ' ') {
				snprintf(what, sizeof(what), "line %u dedented by 1", i + 1);
				check_splice(s, a, 1, "", 0, &ty, what);
				snprintf(what, sizeof(what), "line %u indent is a tab", i + 1);
				for (k = 0; a + k < b && l[k] == ' '; k++)
					;
				check_splice(s, a, k, "\t", 1, &ty, what);
			}
			/* An unknown key at this line's level, and as a list item. */
			snprintf(ins, sizeof(ins), "%.*sno-such-key-%u: 1\n", (int)ind, l, i);
			for (k = 0; k < ind; k++)
				ins[k] = ' ';
			snprintf(what, sizeof(what), "unknown key before line %u", i + 1);
			check_splice(s, a, 0, ins, strlen(ins), &ty, what);
			snprintf(ins, sizeof(ins), "%*s- {no-such-key: %u}\n", (int)ind, "", i);
			snprintf(what, sizeof(what), "unknown list item before line %u", i + 1);
			check_splice(s, a, 0, ins, strlen(ins), &ty, what);
			/* A typo in the key of "key: value" (one more letter). */
			for (k = ind; a + k < b && l[k] != ':' && l[k] != '\n'; k++)
				;
			if (a + k < b && l[k] == ':' && k > ind) {
				snprintf(what, sizeof(what), "key typo on line %u", i + 1);
				check_splice(s, a + k, 0, "x", 1, &ty, what);
			}
		}
		free(ls);
	}
	report("line edits", &ty);
	cr_assert_gt(ty.refused, ty.cases / 4);
}

/*
 * Wrong values: what follows "key:" or "- " on each line is replaced by
 * each of these (wrong types, ranges, addresses, prefixes, ports, regexes,
 * YAML oddities, non-UTF-8).
 */
static const char *const bad_values[] = {
		"-1",
		"0",
		"65536",
		"4294967296",
		"18446744073709551616",
		"99999999999999999999999999999999999999",
		"1e9",
		"0x10",
		"1.5",
		"abc",
		"yes",
		"~",
		"''",
		"[]",
		"{}",
		"[1, 2, [3]]",
		"{a: b}",
		"300.1.2.3",
		"10.0.0.0/33",
		"10.0.0.1/8",
		"2001:db8::/129",
		"::g",
		"fe80::1%eth0",
		"1.2.3.4:99999",
		"'(unclosed'",
		"'[a-'",
		"'a**'",
		"'\\\\'",
		"*no_such_anchor",
		"&anchor",
		"!!binary AAAA",
		"!!int zz",
		"\"\\xff\\u0000\"",
		"\xff\xfe",
		"\xc3\x28",
		"\xed\xa0\x80",
		"a\x01b",
		"\"unterminated",
		"[unterminated",
		"{a: 1, a: 2}",
};

Test(config_mutations, wrong_values)
{
	struct tally ty = {0};
	unsigned int f, i, n, v;
	char what[128];

	for (f = 0; f < n_files; f++) {
		const struct src *s = &files[f];
		size_t *ls = line_starts(s, &n);

		for (i = 0; i < n; i++) {
			size_t a = ls[i], b = ls[i + 1], k, vs, ve;
			const char *l = s->text + a;

			/* The value: after the first ": " (or "- " for items), to the
			 * end of the line or a comment. */
			for (k = 0; a + k < b && l[k] == ' '; k++)
				;
			if (a + k >= b || l[k] == '#' || l[k] == '\n')
				continue;
			if (l[k] == '-' && a + k + 1 < b && l[k + 1] == ' ') {
				vs = k + 2;
			} else {
				for (vs = k; a + vs < b && l[vs] != '\n' && l[vs] != ':'; vs++)
					;
				if (a + vs >= b || l[vs] != ':')
					continue;
				vs++;
				while (a + vs < b && l[vs] == ' ')
					vs++;
			}
			for (ve = vs; a + ve < b && l[ve] != '\n' && l[ve] != '#'; ve++)
				;
			while (ve > vs && l[ve - 1] == ' ')
				ve--;
			for (v = 0; v < sizeof(bad_values) / sizeof(bad_values[0]); v++) {
				const char *bv = bad_values[v];

				snprintf(what, sizeof(what), "line %u value -> bad value #%u",
						i + 1, v);
				if (ve > vs)
					check_splice(s, a + vs, ve - vs, bv, strlen(bv), &ty, what);
				else /* a mapping key: give it a scalar instead of its block */
					check_splice(s, a + vs, 0, bv, strlen(bv), &ty, what);
			}
		}
		free(ls);
	}
	report("wrong values", &ty);
	cr_assert_gt(ty.refused, ty.cases / 2);
}

/* Single bytes replaced by YAML syntax, control and non-UTF-8 bytes. */
Test(config_mutations, byte_flips)
{
	static const char flips[] = {':', '-', '[', ']', '{', '}', ',', '"', '\'', '#', '&', '*',
			'!', '|', '>', '%', '@', '`', '\t', '\r', '\0', ' ', '\n', '\x7f', '\x80',
			'\xff', '\xc0'};
	struct tally ty = {0};
	unsigned int f, j;
	size_t off;
	char what[64];

	for (f = 0; f < n_files; f++)
		for (off = 0; off < files[f].len; off += 7)
			for (j = 0; j < sizeof(flips); j++) {
				if (files[f].text[off] == flips[j])
					continue;
				snprintf(what, sizeof(what), "byte %zu -> 0x%02x", off,
						(unsigned char)flips[j]);
				check_splice(&files[f], off, 1, &flips[j], 1, &ty, what);
			}
	report("byte flips", &ty);
	cr_assert_gt(ty.refused, ty.cases / 4);
}

/*
 * Values nested thousands deep (flow and block style), and huge scalars, in
 * place of the first value of each file. libyaml is quadratic in the depth:
 * 10,000 levels for the first file only.
 */
Test(config_mutations, deep_nesting_and_huge_scalars)
{
	static const unsigned int depths[] = {10, 100, 1000, 10000};
	struct tally ty = {0};
	unsigned int f, d, i;
	char what[64];

	for (f = 0; f < n_files; f++) {
		const struct src *s = &files[f];
		const char *colon = NULL, *l = s->text, *e = NULL;
		size_t at, cut;

		/* The first "key: value" outside comments. */
		while (l != NULL && *l != '\0' && colon == NULL) {
			const char *c = strstr(l, ": ");

			e = strchr(l, '\n');
			while (*l == ' ')
				l++;
			if (*l != '#' && c != NULL && (e == NULL || c < e))
				colon = c;
			l = e != NULL ? e + 1 : NULL;
		}
		cr_assert_not_null(colon, "%s has a key: value", s->path);
		at = (size_t)(colon - s->text) + 2;
		cut = (e != NULL ? (size_t)(e - s->text) : s->len) - at;
		for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
			size_t n = depths[d], cap = n * 8 + 16, p = 0;
			char *v;

			if (n > 1000 && f > 0)
				break;
			v = malloc(cap);
			cr_assert_not_null(v);
			for (i = 0; i < n; i++)
				v[p++] = '[';
			for (i = 0; i < n; i++)
				v[p++] = ']';
			snprintf(what, sizeof(what), "flow sequences %zu deep", n);
			check_splice(s, at, cut, v, p, &ty, what);
			p = 0;
			for (i = 0; i < n; i++) {
				memcpy(v + p, "{a: ", 4);
				p += 4;
			}
			v[p++] = '1';
			for (i = 0; i < n; i++)
				v[p++] = '}';
			snprintf(what, sizeof(what), "flow mappings %zu deep", n);
			check_splice(s, at, cut, v, p, &ty, what);
			free(v);
			/* Block style: "k:" on lines one space deeper each level. */
			if (n <= 100) {
				size_t bcap = n * (n + 4) + 64, bp = 0;
				char *b = malloc(bcap);

				cr_assert_not_null(b);
				for (i = 1; i <= n; i++) {
					b[bp++] = '\n';
					memset(b + bp, ' ', i);
					bp += i;
					memcpy(b + bp, "k:", 2);
					bp += 2;
				}
				b[bp++] = ' ';
				b[bp++] = '1';
				snprintf(what, sizeof(what), "block mappings %zu deep", n);
				check_splice(s, at, cut, b, bp, &ty, what);
				free(b);
			}
		}
		/* A megabyte-long scalar and a megabyte of digits. */
		{
			size_t n = 1 << 20;
			char *v = malloc(n);

			cr_assert_not_null(v);
			memset(v, 'a', n);
			check_splice(s, at, cut, v, n, &ty, "1 MiB scalar");
			memset(v, '9', n);
			check_splice(s, at, cut, v, n, &ty, "1 MiB number");
			free(v);
		}
	}
	report("nesting", &ty);
	cr_assert_gt(ty.refused, ty.cases / 2);
}

/* Through config_load: the error names the file that was read. */
Test(config_mutations, files_on_disk_name_themselves)
{
	struct tally ty = {0};
	unsigned int f;
	size_t off;

	for (f = 0; f < n_files; f++) {
		const struct src *s = &files[f];

		for (off = 0; off < s->len; off += 97) {
			char tmpl[] = "/tmp/smtpwall-cfgmut.XXXXXX.yaml";
			struct config c;
			char err[CONFIG_ERR_LEN] = "";
			int fd = mkstemps(tmpl, 5);
			unsigned long line, col;

			cr_assert_geq(fd, 0);
			/* Cut the file short and break the cut line's indentation. */
			cr_assert_eq(write(fd, s->text, off), (ssize_t)off);
			cr_assert_eq(write(fd, "\n x: [\n", 7), 7);
			close(fd);
			config_default(&c);
			ty.cases++;
			if (config_load(tmpl, &c, err, sizeof(err)) == 0) {
				ty.accepted++;
				config_free(&c);
			} else {
				ty.refused++;
				cr_assert(strncmp(err, tmpl, strlen(tmpl)) == 0 &&
								sscanf(err + strlen(tmpl),
										":%lu:%lu:", &line,
										&col) == 2 &&
								line >= 1 && col >= 1,
						"%s cut at %zu: '%s'", s->path, off, err);
			}
			unlink(tmpl);
		}
	}
	report("on disk", &ty);
	cr_assert_eq(ty.accepted, 0, "an unterminated '[' was accepted");
}
