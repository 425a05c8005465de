/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/pkt: the input is one Ethernet frame.
 *
 * Besides "no crash, no read outside the input" (ASan), it checks what the
 * app relies on: the offsets pkt_parse() reports lie inside the frame and
 * agree with each other; turning checksum verification off changes nothing
 * but the IP4_CSUM answer; a checksum pkt_l4_cksum_set() stores verifies; an
 * RFC 1624 update after a payload edit equals a full recompute; and a frame
 * with rewritten checksums parses the same. Any broken invariant aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_pkt: %s:%d: invariant broken: %s\n", __FILE__, \
					__LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static void
check_info(const struct pkt_info *pi, uint32_t len)
{
	uint32_t ip_end = (uint32_t)pi->l3_off + pi->l3_len;

	if (len > UINT16_MAX)
		len = UINT16_MAX;
	CHECK(pi->l3 <= PKT_L3_IPV6);
	CHECK(pi->n_vlan <= PKT_MAX_VLAN);
	CHECK(pi->l3_off == PKT_ETH_HLEN + 4u * pi->n_vlan);
	if (pi->l3 == PKT_L3_NONE) {
		CHECK(pi->flags == 0 && pi->addr_len == 0 && pi->payload_len == 0);
		return;
	}
	CHECK(pi->addr_len == (pi->l3 == PKT_L3_IPV4 ? 4 : 16));
	CHECK(ip_end <= len);
	CHECK(pi->l4_off >= pi->l3_off + (pi->l3 == PKT_L3_IPV4 ? 20u : 40u));
	CHECK(pi->l4_off <= pi->payload_off);
	CHECK((uint32_t)pi->payload_off + pi->payload_len <= ip_end);
	if (pi->ip6_final_dst_off != 0)
		CHECK(pi->l3 == PKT_L3_IPV6 && pi->ip6_final_dst_off + 16u <= ip_end);
	if (pi->flags & PKT_F_FRAG_LATER)
		CHECK((pi->flags & (PKT_F_FRAG | PKT_F_L4)) == PKT_F_FRAG);
	if (!(pi->flags & PKT_F_L4)) {
		CHECK(!(pi->flags & PKT_F_TCP));
		return;
	}
	CHECK(pi->l4_off < pi->payload_off);
	CHECK((uint32_t)pi->payload_off + pi->payload_len <= len);
	if (pi->flags & PKT_F_TCP) {
		CHECK(pi->l4_proto == 6);
		CHECK(pi->tcp_hlen >= 20 && pi->tcp_hlen <= 60);
		CHECK(pi->payload_off - pi->l4_off == pi->tcp_hlen);
		CHECK(pi->opts.n_sack <= 4);
		if (pi->opts.present & PKT_OPT_SACK)
			CHECK(pi->opts.n_sack >= 1 &&
					pi->opts.sack_off + 8u * pi->opts.n_sack <= pi->tcp_hlen);
	} else {
		CHECK(pi->l4_proto == 17);
		CHECK(pi->payload_off - pi->l4_off == 8);
	}
}

/* Checksums on a writable copy: set, verify, edit, adjust, compare. */
static void
check_cksums(uint8_t *b, uint32_t len, const struct pkt_info *pi)
{
	struct pkt_info again;
	uint16_t csum, full;
	uint32_t field = pi->l4_off + ((pi->flags & PKT_F_TCP) ? 16u : 6u);

	(void)pkt_l4_phdr_cksum(b, pi);
	pkt_ipv4_cksum_set(b, pi);
	pkt_l4_cksum_set(b, pi);
	CHECK(pkt_l4_cksum_ok(b, pi));
	CHECK(pkt_load16(b + field) == pkt_l4_cksum(b, pi));
	if (pi->l3 == PKT_L3_IPV4)
		CHECK(pkt_ipv4_hdr_cksum(b + pi->l3_off) == pkt_load16(b + pi->l3_off + 10));

	/* Fixing checksums must not change what the parser sees. */
	CHECK(pkt_parse(b, len, &again) == PKT_OK);
	CHECK(again.l4_off == pi->l4_off && again.payload_off == pi->payload_off &&
			again.payload_len == pi->payload_len && again.flags == pi->flags);

	/* An SMTP-style same-length rewrite somewhere in the TCP payload. */
	if ((pi->flags & PKT_F_TCP) && pi->payload_len != 0) {
		uint32_t off = b[pi->payload_off] % pi->payload_len;
		uint32_t n = 1 + b[pi->payload_off + pi->payload_len - 1] % (pi->payload_len - off);
		uint8_t old[256];

		if (n > sizeof(old))
			n = sizeof(old);
		memcpy(old, b + pi->payload_off + off, n);
		memset(b + pi->payload_off + off, 'X', n);
		csum = pkt_cksum_adjust(pkt_load16(b + field), old, b + pi->payload_off + off, n,
				pi->payload_off - pi->l4_off + off);
		full = pkt_l4_cksum(b, pi);
		CHECK(csum == full);
		csum = pkt_cksum_adjust32(full, pi->seq, pi->seq + 0x01000193u);
		pkt_store32(b + pi->l4_off + 4, pi->seq + 0x01000193u);
		CHECK(csum == pkt_l4_cksum(b, pi));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info pi, pi_nv;
	enum pkt_result r, r_nv;
	uint32_t len = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	uint8_t *copy;

	r = pkt_parse(data, len, &pi);
	CHECK((unsigned int)r < PKT_RESULT_MAX);
	CHECK(pkt_result_name(r)[0] != '\0' && pkt_result_str(r)[0] != '\0');
	r_nv = pkt_parse_ex(data, len, false, &pi_nv);
	/* Verification only ever adds the IP4_CSUM answer. */
	CHECK(r == r_nv || (r == PKT_IP4_CSUM && pi.l3 == PKT_L3_IPV4));
	if (r == PKT_OK)
		CHECK(memcmp(&pi, &pi_nv, sizeof(pi)) == 0);
	if (r_nv != PKT_OK)
		return 0;
	check_info(&pi_nv, len);

	/* A cut in the middle must not be read past either (ASan watches the copy). */
	if (len > 1) {
		struct pkt_info half;

		copy = malloc(len / 2);
		if (copy != NULL) {
			memcpy(copy, data, len / 2);
			if (pkt_parse_ex(copy, len / 2, false, &half) == PKT_OK)
				check_info(&half, len / 2);
			free(copy);
		}
	}

	if (pi_nv.l3 == PKT_L3_NONE || !(pi_nv.flags & PKT_F_L4))
		return 0;
	copy = malloc(len);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, len);
	check_cksums(copy, len, &pi_nv);
	free(copy);
	return 0;
}
