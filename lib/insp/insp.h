/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/insp: the words a stream layer and an inspector share, defined once.
 *
 * lib/tcp hands an inspector (lib/esmtp) the in-order bytes of a direction
 * and applies its answer: a verdict and same-length edits of the bytes it
 * decided.  Both libraries use these types, so the glue passes an answer on
 * as it is (no mapping), and neither library depends on the other.
 * Header only: no code, no include but <stdint.h>.
 */
#ifndef SMTPWALL_INSP_H
#define SMTPWALL_INSP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Verdicts, _(ENUM, "name"); how lib/tcp applies each one is in tcp.h
 * (tcp_inspect_fn), what lib/esmtp answers in esmtp.h.
 *  - FORWARD: the decided bytes go on, with the edits.
 *  - DROP_PACKET: the packet that brought the new bytes is dropped.
 *  - DROP_CONN: the connection is dropped, this packet and every later one.
 *  - RESET: as DROP_CONN, and both ends get an RST.
 *  - BYPASS: the edits apply, then the connection is forwarded uninspected.
 */
#define foreach_insp_verdict \
	_(FORWARD, "forward") \
	_(DROP_PACKET, "drop-packet") \
	_(DROP_CONN, "drop-connection") \
	_(RESET, "reset") \
	_(BYPASS, "bypass")

enum insp_verdict {
#define _(e, s) INSP_##e,
	foreach_insp_verdict
#undef _
			INSP_VERDICT_MAX
};

/** Most edits in one answer. */
#define INSP_MAX_EDITS 16

/**
 * One same-length edit: the len bytes at off (from the start of the pushed
 * buffer, below the bytes decided) become fill.  The edits of one answer
 * are sorted and do not overlap.
 */
struct insp_edit {
	uint32_t off;
	uint16_t len;
	uint8_t fill;
};

#ifdef __cplusplus
}
#endif

#endif /* SMTPWALL_INSP_H */
