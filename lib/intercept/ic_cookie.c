/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies: per-epoch keys derived from a master secret, and the 32-bit
 * cookie of intercept.h (23 bits of MAC over everything the cookie stands
 * for, 9 bits of state in the clear but under the MAC).
 */
#include <string.h>

#include "intercept.h"

/*
 * Classes: the 536 default (RFC 9293, also "no option"), common tunnel and
 * PPPoE sizes, Ethernet's 1460, and a jumbo frame. Rounding down never
 * offers the server more than the client can take.
 */
const uint16_t ic_mss_table[IC_MSS_CLASSES] = {536, 1200, 1300, 1360, 1400, 1440, 1460, 8960};

#define BITS_STATE 9
#define WS_FIELD_NONE 15
#define WS_MAX 14

/* "icKEY" tag: epoch keys can never collide with a cookie MAC (other lengths too). */
#define KEY_TAG 0x59454b6369ull

static void
store_le64(uint8_t *p, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
derive(const struct ic_secrets *s, uint64_t epoch, uint64_t k[2])
{
	uint8_t msg[16];
	unsigned int h;

	store_le64(msg, epoch);
	for (h = 0; h < 2; h++) {
		store_le64(msg + 8, KEY_TAG << 8 | h);
		k[h] = ic_siphash24(s->master, msg, sizeof(msg));
	}
}

void
ic_secrets_init(struct ic_secrets *s, const uint8_t master[16], uint64_t now_ns)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++) {
		s->master[0] |= (uint64_t)master[i] << (8 * i);
		s->master[1] |= (uint64_t)master[8 + i] << (8 * i);
	}
	s->epoch = now_ns / IC_EPOCH_NS;
	derive(s, s->epoch, s->k[0]);
	derive(s, s->epoch - 1, s->k[1]); /* epoch 0: wraps, still just a derivation input */
}

void
ic_secrets_update(struct ic_secrets *s, uint64_t now_ns)
{
	uint64_t e = now_ns / IC_EPOCH_NS;

	/* Backwards (a clock step) keeps the keys: cookies already out stay valid. */
	if (e <= s->epoch)
		return;
	if (e == s->epoch + 1) {
		s->k[1][0] = s->k[0][0];
		s->k[1][1] = s->k[0][1];
	} else {
		derive(s, e - 1, s->k[1]);
	}
	derive(s, e, s->k[0]);
	s->epoch = e;
}

/* The top 23 bits of the MAC, in place above the 9 state bits. */
static uint32_t
mac(const uint64_t key[2], const struct ic_tuple *t, uint32_t isn, uint32_t state)
{
	uint8_t m[44];
	size_t alen = t->family == 4 ? 4 : 16;

	/* Family first: an IPv4 and an IPv6 tuple never hash the same bytes. */
	m[0] = t->family;
	m[1] = (uint8_t)(state >> 8);
	m[2] = (uint8_t)state;
	m[3] = 0;
	pkt_store32(m + 4, isn);
	memcpy(m + 8, t->src, alen);
	memcpy(m + 8 + alen, t->dst, alen);
	pkt_store16(m + 8 + 2 * alen, t->sport);
	pkt_store16(m + 10 + 2 * alen, t->dport);
	return (uint32_t)(ic_siphash24(key, m, 12 + 2 * alen) >> 41) << BITS_STATE;
}

static unsigned int
mss_class(uint16_t mss)
{
	unsigned int c = IC_MSS_CLASSES - 1;

	while (c > 0 && ic_mss_table[c] > mss)
		c--;
	return c;
}

/* RFC 7323 2.3: a shift above 14 is taken as 14; 15 in the cookie means none. */
static unsigned int
ws_field(uint8_t ws)
{
	if (ws == IC_WSCALE_NONE)
		return WS_FIELD_NONE;
	return ws > WS_MAX ? WS_MAX : ws;
}

uint32_t
ic_cookie_make(const struct ic_secrets *s, const struct ic_tuple *t, uint32_t isn,
		const struct ic_opts *in, struct ic_opts *granted)
{
	unsigned int cls = mss_class(in->mss), ws = ws_field(in->wscale);
	unsigned int sack = in->sack_ok != 0;
	uint32_t state = (uint32_t)(s->epoch & 1) << 8 | cls << 5 | ws << 1 | sack;

	/* in and granted may be the same struct: in is read in full above. */
	if (granted != NULL) {
		granted->mss = ic_mss_table[cls];
		granted->wscale = ws == WS_FIELD_NONE ? IC_WSCALE_NONE : (uint8_t)ws;
		granted->sack_ok = (uint8_t)sack;
	}
	return mac(s->k[0], t, isn, state) | state;
}

int
ic_cookie_check(const struct ic_secrets *s, const struct ic_tuple *t, uint32_t isn, uint32_t cookie,
		struct ic_opts *out)
{
	uint32_t state = cookie & ((1u << BITS_STATE) - 1);
	/* The parity names the key: one MAC per check, never two. */
	const uint64_t *key = ((state >> 8) & 1) == (s->epoch & 1) ? s->k[0] : s->k[1];
	unsigned int ws = (state >> 1) & 0xf;

	if ((cookie & ~((1u << BITS_STATE) - 1)) != mac(key, t, isn, state))
		return -1;
	if (out != NULL) {
		out->mss = ic_mss_table[(state >> 5) & 7];
		out->wscale = ws == WS_FIELD_NONE ? IC_WSCALE_NONE : (uint8_t)ws;
		out->sack_ok = state & 1;
	}
	return 0;
}

void
ic_tuple_from_pkt(struct ic_tuple *t, const struct pkt_info *pi)
{
	memset(t, 0, sizeof(*t));
	t->family = pi->addr_len == 4 ? 4 : 6;
	memcpy(t->src, pi->src, sizeof(t->src));
	memcpy(t->dst, pi->dst, sizeof(t->dst));
	t->sport = pi->sport;
	t->dport = pi->dport;
}
