/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy constructor (exactly ASA _default_esmtp_map), setters, names,
 * counters, glob, state size.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "esmtp.h"

Test(api, default_policy_is_asa_default_esmtp_map)
{
	struct esmtp_policy p;
	static const struct {
		uint8_t crit, action, log;
		uint32_t gt;
	} want[] = {
			{ESMTP_CRIT_CMD_LINE_LENGTH, ESMTP_ACT_DROP_CONN, 1, 512},
			{ESMTP_CRIT_CMD_RCPT_COUNT, ESMTP_ACT_DROP_CONN, 1, 100},
			{ESMTP_CRIT_BODY_LINE_LENGTH, ESMTP_ACT_LOG, 1, 998},
			{ESMTP_CRIT_HEADER_LINE_LENGTH, ESMTP_ACT_DROP_CONN, 1, 998},
			{ESMTP_CRIT_SENDER_ADDRESS_LENGTH, ESMTP_ACT_DROP_CONN, 1, 320},
			{ESMTP_CRIT_MIME_FILENAME_LENGTH, ESMTP_ACT_DROP_CONN, 1, 255},
			{ESMTP_CRIT_EHLO_REPLY_PARAMETER, ESMTP_ACT_MASK, 0, 0},
	};
	unsigned int i;

	esmtp_policy_default(&p);
	cr_assert_eq(p.mode, ESMTP_MODE_ESMTP);
	cr_assert_eq(p.mask_banner, 1);
	cr_assert_eq(p.allow_tls, 0);
	cr_assert_eq(p.special_char, 0);
	cr_assert_eq(p.chunking, 0);
	cr_assert_eq(p.relay_domain[0], '\0');
	cr_assert_eq(p.max_data, 0);
	cr_assert_eq(p.n_rules, 7);
	for (i = 0; i < 7; i++) {
		cr_assert_eq(p.rules[i].crit, want[i].crit, "rule %u", i);
		cr_assert_eq(p.rules[i].action, want[i].action, "rule %u", i);
		cr_assert_eq(p.rules[i].log, want[i].log, "rule %u", i);
		cr_assert_eq(p.rules[i].gt, want[i].gt, "rule %u", i);
		cr_assert_eq(p.rules[i].negate, 0);
	}
	cr_assert_eq(p.rules[6].set, 1u << ESMTP_EHLO_OTHERS);
	/* 15 verbs: RFC 821's seven and eight extended; no STARTTLS, BDAT */
	cr_assert_eq(__builtin_popcount(p.verbs_allowed), 15);
	cr_assert_eq(p.verbs_allowed & (1u << ESMTP_VERB_STARTTLS), 0);
	cr_assert_eq(p.verbs_allowed & (1u << ESMTP_VERB_BDAT), 0);
	cr_assert_eq(p.crit_min[ESMTP_CRIT_CMD_LINE_LENGTH], 512);
	cr_assert_eq(p.crit_min[ESMTP_CRIT_BODY_LENGTH], UINT32_MAX);
}

Test(api, setters)
{
	struct esmtp_policy p;
	struct esmtp_rule r = {0};
	int i;

	esmtp_policy_default(&p);
	esmtp_policy_set_allow_tls(&p, 1, 1);
	cr_assert(p.verbs_allowed & (1u << ESMTP_VERB_STARTTLS));
	cr_assert(p.ehlo_rfc & (1u << ESMTP_EHLO_STARTTLS));
	cr_assert_eq(p.ev[ESMTP_EV_TLS_STARTED].log, 1);
	esmtp_policy_set_chunking(&p, 1);
	cr_assert(p.verbs_allowed & (1u << ESMTP_VERB_BDAT));
	esmtp_policy_set_mode(&p, ESMTP_MODE_SMTP);
	cr_assert_eq(__builtin_popcount(p.verbs_allowed), 7);
	{
		/* Longer than the list field (256 bytes) is refused. */
		char longdom[300];

		memset(longdom, 'a', sizeof(longdom) - 1);
		longdom[sizeof(longdom) - 1] = '\0';
		cr_assert_eq(esmtp_policy_set_mail_relay(&p, longdom, ESMTP_ACT_LOG), -EINVAL);
	}
	r.crit = ESMTP_CRIT_MAX;
	cr_assert_eq(esmtp_policy_add_rule(&p, &r), -EINVAL);
	r.crit = ESMTP_CRIT_BODY_LENGTH;
	r.action = ESMTP_ACT_LOG;
	for (i = 7; i < ESMTP_MAX_RULES; i++)
		cr_assert_eq(esmtp_policy_add_rule(&p, &r), i);
	cr_assert_eq(esmtp_policy_add_rule(&p, &r), -ENOSPC);
	esmtp_policy_clear_rules(&p);
	cr_assert_eq(p.n_rules, 0);
	cr_assert_eq(p.crit_n[ESMTP_CRIT_BODY_LENGTH], 0);
}

Test(api, names_from_one_list)
{
	cr_assert_str_eq(esmtp_event_name(ESMTP_EV_ADDR_PIPE), "address-pipe");
	cr_assert_str_eq(esmtp_event_name(ESMTP_EV_CMD_LINE_LENGTH), "cmd-line-length");
	cr_assert_str_eq(esmtp_event_name(ESMTP_EV_MAX), "?");
	cr_assert_str_eq(esmtp_crit_name(ESMTP_CRIT_MIME_FILENAME_LENGTH), "mime-filename-length");
	cr_assert_str_eq(esmtp_action_name(ESMTP_ACT_DROP_CONN), "drop-connection");
	cr_assert_str_eq(esmtp_verdict_name(ESMTP_BYPASS), "bypass");
	cr_assert_str_eq(esmtp_verb_name(ESMTP_VERB_STARTTLS), "STARTTLS");
	cr_assert_str_eq(esmtp_ehlo_name(ESMTP_EHLO_8BITMIME), "8BITMIME");
	cr_assert_str_eq(esmtp_encoding_name(ESMTP_ENC_QUOTED_PRINTABLE), "quoted-printable");
}

Test(api, state_is_small_and_fixed)
{
	cr_assert_leq(sizeof(struct esmtp), ESMTP_STATE_MAX);
	cr_assert_geq(ESMTP_MIME_DEPTH, 8, "nesting that real mail uses");
	cr_log_info("sizeof(struct esmtp) = %zu", sizeof(struct esmtp));
}

Test(api, counters_add_and_merge)
{
	struct esmtp_policy p;
	struct esmtp s;
	struct esmtp_result r;
	struct esmtp_counters a, b;
	static const uint8_t greet[] = "220 x\r\n";
	static const uint8_t cmd[] = "ZZZZ\r\nNOOP\r\n";

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	esmtp_policy_default(&p);
	esmtp_init(&s, &p);
	esmtp_push(&s, ESMTP_DIR_S2C, greet, 7, &r);
	esmtp_counters_add(&a, ESMTP_DIR_S2C, 7, &r);
	esmtp_push(&s, ESMTP_DIR_C2S, cmd, 12, &r);
	esmtp_counters_add(&a, ESMTP_DIR_C2S, 12, &r);
	cr_assert_eq(a.pushes, 2);
	cr_assert_eq(a.bytes[0], 12);
	cr_assert_eq(a.bytes[1], 7);
	cr_assert_eq(a.edits, 2);
	cr_assert_eq(a.edited_bytes, 5);
	cr_assert_eq(a.events[ESMTP_EV_BANNER_MASKED], 1);
	cr_assert_eq(a.events[ESMTP_EV_CMD_UNKNOWN], 1);
	cr_assert_eq(a.events[ESMTP_EV_PIPELINING], 1);
	esmtp_counters_merge(&b, &a);
	esmtp_counters_merge(&b, &a);
	cr_assert_eq(b.pushes, 4);
	cr_assert_eq(b.events[ESMTP_EV_CMD_UNKNOWN], 2);
	cr_assert_eq(b.verdicts[ESMTP_FORWARD], 4);
}

Test(api, glob)
{
	const uint8_t *s = (const uint8_t *)"User1@Cisco.COM";

	cr_assert(esmtp_glob("user1@cisco.com", s, 15));
	cr_assert(esmtp_glob("*@cisco.com", s, 15));
	cr_assert(esmtp_glob("u?er1@*", s, 15));
	cr_assert(esmtp_glob("*", s, 0));
	cr_assert_not(esmtp_glob("*@cisco.org", s, 15));
	cr_assert_not(esmtp_glob("user1", s, 15));
	cr_assert_not(esmtp_glob("", s, 15));
	cr_assert(esmtp_glob("a*b*c*d", (const uint8_t *)"aXbXXcXd", 8));
	cr_assert_not(esmtp_glob("a*b*c*d", (const uint8_t *)"aXbXXcXe", 8));
}
