/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksums (RFC 1071) and their incremental update (RFC 1624).
 *
 * The ones' complement sum does not depend on byte order (RFC 1071 2.(B)):
 * summing the data as host-order words and swapping the folded result gives
 * the sum of the big-endian words. So the inner loop adds plain 64-bit host
 * loads, split in 32-bit halves into a 64-bit accumulator (no carry to track
 * for anything below 16 GiB), and the byte order is fixed once at the end.
 */
#include <string.h>

#include "pkt.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6

static inline uint64_t
add64(uint64_t acc, const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w)); /* any alignment; one load on x86 and arm64 */
	return acc + (w & 0xffffffff) + (w >> 32);
}

/*
 * Host-order sum of buf added to acc, unfolded. Sums of buffers that each
 * start at an even offset of the checksummed data simply add up.
 */
static inline uint64_t
raw_sum(const uint8_t *p, size_t len, uint64_t acc)
{
	uint32_t w32;
	uint16_t w16;

	while (len >= 32) {
		acc = add64(acc, p);
		acc = add64(acc, p + 8);
		acc = add64(acc, p + 16);
		acc = add64(acc, p + 24);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		acc = add64(acc, p);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len != 0) {
		/* The odd byte is the high byte of a word whose low byte is zero. */
		uint8_t tail[2] = {p[0], 0};

		memcpy(&w16, tail, 2);
		acc += w16;
	}
	return acc;
}

/* Fold a raw_sum to 16 bits, as the sum of big-endian words. */
static inline uint32_t
raw_fold(uint64_t acc)
{
	/* 2^32 == 2^16 == 1 modulo 0xffff: folding keeps the sum. */
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc = __builtin_bswap16((uint16_t)acc);
#endif
	return (uint32_t)acc;
}

uint32_t
pkt_cksum_partial(const void *buf, size_t len, uint32_t sum)
{
	/* Fold the caller's sum too, so the result stays below 0x1fffe and chains. */
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum + raw_fold(raw_sum(buf, len, 0));
}

uint16_t
pkt_cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
pkt_cksum_finish(uint32_t sum)
{
	return (uint16_t)~pkt_cksum_fold(sum);
}

/*
 * "With the field taken as zero" is computed as the sum of everything minus
 * the stored field (adding its complement). That is exact, not just equal
 * modulo 0xffff, whenever the true sum cannot be zero: the IPv4 version
 * nibble and the TCP/UDP pseudo-header protocol guarantee that here. One pass
 * instead of two around the field.
 */
static inline uint16_t
cksum_without_field(uint64_t raw, uint32_t extra, const uint8_t *field)
{
	return pkt_cksum_finish(raw_fold(raw) + extra + (~pkt_load16(field) & 0xffffu));
}

uint16_t
pkt_ipv4_hdr_cksum(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0xf) * 4;

	if (ihl < 20)
		ihl = 20;
	return cksum_without_field(raw_sum(ip, ihl, 0), 0, ip + 10);
}

static inline uint32_t
l4_len(const struct pkt_info *pi)
{
	return (uint32_t)pi->payload_off + pi->payload_len - pi->l4_off;
}

/* Raw sum of the pseudo-header addresses (the rest, protocol and length, is added folded). */
static inline uint64_t
pseudo_addr_raw(const uint8_t *frame, const struct pkt_info *pi)
{
	const uint8_t *ip = frame + pi->l3_off;

	if (pi->l3 == PKT_L3_IPV4)
		return raw_sum(ip + 12, 8, 0);
	if (pi->ip6_final_dst_off == 0)
		return raw_sum(ip + 8, 32, 0);
	return raw_sum(frame + pi->ip6_final_dst_off, 16, raw_sum(ip + 8, 16, 0));
}

/* IPv6 has a 32-bit length and 24 zero bits before the protocol: the same sum. */
static inline uint32_t
pseudo_rest(const struct pkt_info *pi)
{
	return pi->l4_proto + l4_len(pi);
}

uint32_t
pkt_l4_pseudo_sum(const uint8_t *frame, const struct pkt_info *pi)
{
	return raw_fold(pseudo_addr_raw(frame, pi)) + pseudo_rest(pi);
}

uint16_t
pkt_l4_phdr_cksum(const uint8_t *frame, const struct pkt_info *pi)
{
	return pkt_cksum_fold(pkt_l4_pseudo_sum(frame, pi));
}

static inline size_t
csum_off(const struct pkt_info *pi)
{
	return pi->l4_proto == IPPROTO_TCP_ ? TCP_CSUM_OFF : UDP_CSUM_OFF;
}

uint16_t
pkt_l4_cksum(const uint8_t *frame, const struct pkt_info *pi)
{
	const uint8_t *seg = frame + pi->l4_off;
	uint64_t raw;
	uint16_t c;

	if (!(pi->flags & PKT_F_L4))
		return 0;
	/* Addresses and segment both start at even offsets: one raw sum, one fold. */
	raw = raw_sum(seg, l4_len(pi), pseudo_addr_raw(frame, pi));
	c = cksum_without_field(raw, pseudo_rest(pi), seg + csum_off(pi));
	/* UDP: 0 means "no checksum", so a computed 0 goes out as its other form. */
	if (c == 0 && pi->l4_proto == IPPROTO_UDP_)
		c = 0xffff;
	return c;
}

bool
pkt_l4_cksum_ok(const uint8_t *frame, const struct pkt_info *pi)
{
	const uint8_t *seg = frame + pi->l4_off;
	uint64_t raw;

	if (!(pi->flags & PKT_F_L4))
		return false;
	if (pi->l4_proto == IPPROTO_UDP_ && pkt_load16(seg + UDP_CSUM_OFF) == 0)
		return pi->l3 == PKT_L3_IPV4;
	/* Summing the stored field along with the rest gives 0xffff when it is right. */
	raw = raw_sum(seg, l4_len(pi), pseudo_addr_raw(frame, pi));
	return pkt_cksum_fold(raw_fold(raw) + pseudo_rest(pi)) == 0xffff;
}

void
pkt_l4_cksum_set(uint8_t *frame, const struct pkt_info *pi)
{
	if (!(pi->flags & PKT_F_L4))
		return;
	pkt_store16(frame + pi->l4_off +
					(pi->l4_proto == IPPROTO_TCP_ ? TCP_CSUM_OFF
								      : UDP_CSUM_OFF),
			pkt_l4_cksum(frame, pi));
}

void
pkt_ipv4_cksum_set(uint8_t *frame, const struct pkt_info *pi)
{
	if (pi->l3 != PKT_L3_IPV4)
		return;
	pkt_store16(frame + pi->l3_off + 10, pkt_ipv4_hdr_cksum(frame + pi->l3_off));
}

/*
 * RFC 1624 eqn. 3. Sums of several words distribute: ~m over a run of words
 * is the complement of their sum, so one partial sum per side does. The
 * result matches a full recompute: both are congruent modulo 0xffff and,
 * as ~HC is not zero for any HC a full computation produces, both avoid the
 * 0xffff form.
 */
uint16_t
pkt_cksum_adjust(uint16_t cksum, const uint8_t *old, const uint8_t *new_, size_t len, size_t off)
{
	uint32_t m = 0, m2 = 0, sum;

	if (len == 0)
		return cksum;
	if (off & 1) {
		/* The first byte is the low byte of its word; the rest is word aligned. */
		m = old[0];
		m2 = new_[0];
		old++;
		new_++;
		len--;
	}
	m = pkt_cksum_partial(old, len, m);
	m2 = pkt_cksum_partial(new_, len, m2);
	sum = (uint32_t)(~cksum & 0xffff) + (~pkt_cksum_fold(m) & 0xffff) + pkt_cksum_fold(m2);
	return pkt_cksum_finish(sum);
}

uint16_t
pkt_cksum_adjust16(uint16_t cksum, uint16_t old, uint16_t new_)
{
	uint32_t sum = (uint32_t)(~cksum & 0xffff) + (~old & 0xffff) + new_;

	return pkt_cksum_finish(sum);
}

uint16_t
pkt_cksum_adjust32(uint16_t cksum, uint32_t old, uint32_t new_)
{
	/* ~old >> 16 and ~old & 0xffff: the complements of old's two words. */
	uint32_t sum = (uint32_t)(~cksum & 0xffff) + (~old >> 16) + (~old & 0xffff) + (new_ >> 16) +
			(new_ & 0xffff);

	return pkt_cksum_finish(sum);
}
