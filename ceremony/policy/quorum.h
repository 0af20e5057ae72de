/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/quorum.h - is this quorum met? The one rule, used by the
 * runner (ceremony/run/shares_collect.c, before it combines) and by the
 * verifier (ceremony/verify/rules.c, at each quorum.met).
 *
 * policy 5.2.1 with SLIP-39 groups: a share is identified by (group, member)
 * within its set, both 1-based; a set is split into layout->ngroups groups
 * (1..16), group g of groups[g-1].count members (1..16) of which
 * groups[g-1].threshold are needed; the secret is recovered when at least
 * layout->group_threshold groups each have at least their threshold of
 * distinct members. A share counted twice proves nothing: the same
 * (group, member) twice is refused, even when both are in one quorum.
 *
 * Pure: no I/O, no allocation. Everything here is public (positions and
 * numbers, never a share). All pointers are borrowed.
 */
#ifndef CE_CEREMONY_POLICY_QUORUM_H
#define CE_CEREMONY_POLICY_QUORUM_H

#include "ceremony/model/script.h"

#include <stddef.h>

/* The position of one share in its set. 1-based. */
struct quorum_share {
	unsigned group, member;
};

/*
 * Do the n shares meet layout's quorum? Returns
 *   0                 met: group_threshold groups each reach their threshold;
 *   CE_ERR_QUORUM     not met (why: how many groups are complete, and the
 *                     first group short of its threshold);
 *   CE_ERR_DUPLICATE  the same (group, member) appears twice (why names it);
 *   CE_ERR_INVALID    a layout SLIP-39 does not allow (1..16 groups, group
 *                     threshold 1..ngroups, 1 <= threshold <= count <= 16,
 *                     threshold 1 only with count 1), or a share outside it
 *                     (group 0 or over ngroups, member 0 or over its count).
 * why (cap bytes, may be NULL when cap is 0) gets a public sentence on every
 * failure; ce_err is not touched.
 */
int quorum_check(const struct script_layout *layout, const struct quorum_share *shares, size_t n,
		 char *why, size_t cap) __attribute__((warn_unused_result));

/* 1 when layout is one SLIP-39 allows (as quorum_check checks it), else 0. */
int quorum_layout_valid(const struct script_layout *layout);

#endif
