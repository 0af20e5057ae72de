/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/quorum.c - is this quorum met (ceremony/policy/quorum.h).
 */
#include "ceremony/policy/quorum.h"

#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void say(char *why, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

/* SLIP-39's limits on a layout (docs/script-format.md section 3). */
int quorum_layout_valid(const struct script_layout *l)
{
	size_t g;

	if (l == NULL || l->ngroups < 1 || l->ngroups > SCRIPT_MAX_GROUPS ||
	    l->group_threshold < 1 || l->group_threshold > l->ngroups)
		return 0;
	for (g = 0; g < l->ngroups; g++) {
		const struct script_group *gr = &l->groups[g];

		if (gr->threshold < 1 || gr->threshold > gr->count ||
		    gr->count > SCRIPT_MAX_SHARES || (gr->threshold == 1 && gr->count != 1))
			return 0;
	}
	return 1;
}

/* policy 5.2.1: a quorum of distinct shares, group threshold groups each at
 * their member threshold (SLIP-39 two-level sharing). */
int quorum_check(const struct script_layout *l, const struct quorum_share *s, size_t n,
		 char *why, size_t cap)
{
	unsigned have[SCRIPT_MAX_GROUPS];
	unsigned complete = 0, short_g = 0;
	size_t i, j, g;

	if (!quorum_layout_valid(l)) {
		say(why, cap, "a share layout SLIP-39 does not allow");
		return CE_ERR_INVALID;
	}
	memset(have, 0, sizeof(have));
	for (i = 0; i < n; i++) {
		if (s[i].group < 1 || s[i].group > l->ngroups || s[i].member < 1 ||
		    s[i].member > l->groups[s[i].group - 1].count) {
			say(why, cap, "share %u of group %u is outside the layout (%u groups)",
			    s[i].member, s[i].group, (unsigned)l->ngroups);
			return CE_ERR_INVALID;
		}
		for (j = 0; j < i; j++)
			if (s[j].group == s[i].group && s[j].member == s[i].member) {
				say(why, cap, "share %u of group %u counted twice", s[i].member,
				    s[i].group);
				return CE_ERR_DUPLICATE;
			}
		have[s[i].group - 1]++;
	}
	for (g = 0; g < l->ngroups; g++) {
		if (have[g] >= l->groups[g].threshold)
			complete++;
		else if (short_g == 0 && have[g] > 0)
			short_g = (unsigned)g + 1;
	}
	if (complete >= l->group_threshold)
		return 0;
	if (short_g != 0)
		say(why, cap,
		    "%u of %u groups complete, %u needed; group %u has %u of the %u shares it "
		    "needs",
		    complete, (unsigned)l->ngroups, l->group_threshold, short_g, have[short_g - 1],
		    l->groups[short_g - 1].threshold);
	else
		say(why, cap, "%u of %u groups complete, %u needed", complete,
		    (unsigned)l->ngroups, l->group_threshold);
	return CE_ERR_QUORUM;
}
