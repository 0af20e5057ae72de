/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/vocab.c - one vocabulary for a share and for quorum progress
 * (shares/ui/ui.h). Public text only; calls nothing else of shares/ui/.
 */
#include "shares/ui/ui.h"

#include <stdarg.h>
#include <string.h>

int shares_ui_share_name(char *buf, size_t cap, const struct shares_ui_position *pos)
{
	if (pos->member_count != 0)
		return snprintf(buf, cap, "share %u of %u, group %u of %u, set %u",
				(unsigned)pos->member_index + 1u, (unsigned)pos->member_count,
				(unsigned)pos->group_index + 1u, (unsigned)pos->group_count,
				(unsigned)pos->identifier);
	return snprintf(buf, cap, "share %u, group %u of %u, set %u",
			(unsigned)pos->member_index + 1u, (unsigned)pos->group_index + 1u,
			(unsigned)pos->group_count, (unsigned)pos->identifier);
}

int shares_ui_threshold_text(char *buf, size_t cap, const struct shares_ui_position *pos)
{
	char members[64];
	int alone = pos->member_threshold == 1; /* SLIP-39: only in a group of 1 */

	if (alone)
		snprintf(members, sizeof(members), "this share alone");
	else if (pos->member_count != 0)
		snprintf(members, sizeof(members), "any %u of %s %u shares",
			 (unsigned)pos->member_threshold, pos->group_count <= 1 ? "these" : "the",
			 (unsigned)pos->member_count);
	else
		snprintf(members, sizeof(members), "any %u shares",
			 (unsigned)pos->member_threshold);
	if (pos->group_count <= 1)
		return snprintf(buf, cap, "%s recover%s the secret", members, alone ? "s" : "");
	if (alone)
		return snprintf(buf, cap, "this share alone completes group %u; any %u of the %u "
				"groups recover the secret", (unsigned)pos->group_index + 1u,
				(unsigned)pos->group_threshold, (unsigned)pos->group_count);
	return snprintf(buf, cap, "%s of group %u complete it; any %u of the %u groups recover "
			"the secret", members, (unsigned)pos->group_index + 1u,
			(unsigned)pos->group_threshold, (unsigned)pos->group_count);
}

void shares_ui_progress_from_shares(struct shares_ui_progress *p,
				    const struct slip39_share *shares, size_t n)
{
	uint32_t seen[SLIP39_MAX_SHARE_COUNT];
	size_t i;

	memset(p, 0, sizeof(*p));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		const struct slip39_share *s = &shares[i];
		if (s->group_index >= SLIP39_MAX_SHARE_COUNT ||
		    s->member_index >= SLIP39_MAX_SHARE_COUNT)
			continue;
		p->group_count = s->group_count;
		p->group_threshold = s->group_threshold;
		p->member_threshold[s->group_index] = s->member_threshold;
		if (seen[s->group_index] & (1u << s->member_index))
			continue;
		seen[s->group_index] |= 1u << s->member_index;
		p->have[s->group_index]++;
	}
}

/* snprintf appended at *off, keeping *off the length needed. */
static void progress_add(char *buf, size_t cap, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void progress_add(char *buf, size_t cap, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(*off < cap ? buf + *off : NULL, *off < cap ? cap - *off : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		*off += (size_t)k;
}

int shares_ui_progress_format(char *buf, size_t cap, const struct shares_ui_progress *p)
{
	size_t off = 0, g, complete = 0;
	const char *sep = "";

	if (cap > 0)
		buf[0] = '\0';
	if (p->group_count <= 1) {
		progress_add(buf, cap, &off, "Quorum progress: %u/%u", (unsigned)p->have[0],
			     (unsigned)p->member_threshold[0]);
		return (int)off;
	}
	progress_add(buf, cap, &off, "Quorum progress: ");
	for (g = 0; g < p->group_count && g < SLIP39_MAX_SHARE_COUNT; g++) {
		if (p->member_threshold[g] == 0)
			continue; /* nothing known of this group yet */
		progress_add(buf, cap, &off, "%sgroup %zu: %u/%u", sep, g + 1,
			     (unsigned)p->have[g], (unsigned)p->member_threshold[g]);
		sep = "; ";
		if (p->have[g] >= p->member_threshold[g])
			complete++;
	}
	progress_add(buf, cap, &off, "%sgroups complete %zu/%u", sep, complete,
		     (unsigned)p->group_threshold);
	return (int)off;
}
