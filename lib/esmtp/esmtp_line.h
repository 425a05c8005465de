/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/esmtp: the one line splitter of commands, replies and
 * message content.  A line ends at LF (CR LF, or a bare LF); a CR not
 * followed by LF is a byte of the line (each role judges it), and a CR that
 * ends the buffer is left pending: the next push of that direction says
 * whether its LF follows.  One scan finds CR and LF together, 16 bytes at a
 * time with SSE2 (every x86-64), byte by byte elsewhere.
 */
#ifndef SMTPWALL_ESMTP_LINE_H
#define SMTPWALL_ESMTP_LINE_H

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Offset of the first CR or LF in b[0..n), or n. */
static inline uint32_t
esmtp_scan_crlf(const uint8_t *b, uint32_t n)
{
	uint32_t i = 0;

#ifdef __SSE2__
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
	__m128i v, w;
	uint32_t m;

	/* 32 bytes a round (a 78-byte line in 3), then 16. */
	for (; i + 32 <= n; i += 32) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		w = _mm_loadu_si128((const __m128i *)(const void *)(b + i + 16));
		v = _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf));
		w = _mm_or_si128(_mm_cmpeq_epi8(w, cr), _mm_cmpeq_epi8(w, lf));
		m = (uint32_t)_mm_movemask_epi8(v) | (uint32_t)_mm_movemask_epi8(w) << 16;
		if (m != 0)
			return i + (uint32_t)__builtin_ctz(m);
	}
	if (i + 16 <= n) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		m = (uint32_t)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
		if (m != 0)
			return i + (uint32_t)__builtin_ctz(m);
		i += 16;
	}
#endif
	for (; i < n; i++)
		if (b[i] == '\r' || b[i] == '\n')
			return i;
	return n;
}

/* Offset of the first CR in b[0..n), or n (after a bare CR: they are rare). */
static inline uint32_t
esmtp_scan_cr(const uint8_t *b, uint32_t n)
{
	const uint8_t *cr = memchr(b, '\r', n);

	return cr != NULL ? (uint32_t)(cr - b) : n;
}

/* How the piece esmtp_line_cut() found ends. */
enum esmtp_lterm {
	LT_NONE = 0, /* the buffer ends inside the line */
	LT_LF, /* a bare LF */
	LT_CRLF, /* CR LF */
	LT_CR_PEND, /* a CR ends the buffer: LF or not, the next push says */
};

/* The rest of the current line in a buffer. */
struct esmtp_lcut {
	uint32_t n; /* content bytes from pos (no terminator, no pending CR) */
	uint32_t cr; /* offset from pos of the first bare CR in them, n when none */
	uint32_t next; /* position after the piece (after its LF, or its pending CR) */
	uint8_t term; /* enum esmtp_lterm */
};

/* Cuts b[pos..end) (pos < end) at the end of the current line. */
static inline void
esmtp_line_cut(const uint8_t *b, uint32_t pos, uint32_t end, struct esmtp_lcut *l)
{
	uint32_t i = pos + esmtp_scan_crlf(b + pos, end - pos);

	l->cr = UINT32_MAX;
	for (;;) {
		if (i == end) {
			l->term = LT_NONE;
			l->next = end;
			break;
		}
		if (b[i] == '\n') {
			l->term = LT_LF;
			l->next = i + 1;
			break;
		}
		if (i + 1 == end) {
			l->term = LT_CR_PEND;
			l->next = end;
			break;
		}
		if (b[i + 1] == '\n') {
			l->term = LT_CRLF;
			l->next = i + 2;
			break;
		}
		/* A bare CR: a byte of the line. */
		if (l->cr == UINT32_MAX)
			l->cr = i - pos;
		i++;
		i += esmtp_scan_crlf(b + i, end - i);
	}
	l->n = i - pos;
	if (l->cr == UINT32_MAX)
		l->cr = l->n;
}

#endif /* SMTPWALL_ESMTP_LINE_H */
