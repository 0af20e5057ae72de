/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_layout.c - SLIP-39 share layouts: read from a secret or a
 * reshare step, and the quorum and share count they give.
 */
#include "ceremony/model/script_internal.h"
#include "common/err.h"

#include <string.h>

void script_layout_parse(struct diag *d, const struct ynode *groups, const struct ynode *gt,
			 struct script_layout *l, const char *what)
{
	size_t i;
	long v;

	memset(l, 0, sizeof(*l));
	if (groups != NULL && yfield_want(d, groups, YNODE_SEQ, "groups")) {
		if (groups->n == 0 || groups->n > SCRIPT_MAX_GROUPS)
			diag_error(d, &groups->mark, "%s: groups must have 1 to %d entries", what,
				   SCRIPT_MAX_GROUPS);
		for (i = 0; i < groups->n && i < SCRIPT_MAX_GROUPS; i++) {
			static const char *const gkeys[] = { "threshold", "count", NULL };
			const struct ynode *g = groups->kids[i];
			const struct ynode *th, *ct;
			long t = 0, c = 0;

			if (!yfield_want(d, g, YNODE_MAP, "a group"))
				continue;
			yfield_keys(d, g, gkeys, "a group");
			th = yfield_need(d, g, "threshold", "group");
			ct = yfield_need(d, g, "count", "group");
			if (th == NULL || ct == NULL)
				continue;
			if (yfield_int(d, th, 1, SCRIPT_MAX_SHARES, "threshold", &t) < 0 ||
			    yfield_int(d, ct, 1, SCRIPT_MAX_SHARES, "count", &c) < 0)
				continue;
			if (t > c)
				diag_error(d, &th->mark, "threshold %ld is larger than count %ld", t, c);
			else if (t == 1 && c > 1)
				diag_error(d, &th->mark,
					   "threshold 1 needs count 1 (SLIP-39: a 1-of-n group is n copies of one share)");
			l->groups[i].threshold = (unsigned)t;
			l->groups[i].count = (unsigned)c;
		}
		l->ngroups = groups->n < SCRIPT_MAX_GROUPS ? groups->n : SCRIPT_MAX_GROUPS;
	}
	if (gt != NULL && yfield_int(d, gt, 1, SCRIPT_MAX_GROUPS, "group-threshold", &v) == 0) {
		l->group_threshold = (unsigned)v;
		if (l->ngroups > 0 && v > (long)l->ngroups)
			diag_error(d, &gt->mark, "group-threshold %ld is larger than the %zu groups", v,
				   l->ngroups);
	}
}


unsigned script_layout_quorum(const struct script_layout *l)
{
	unsigned th[SCRIPT_MAX_GROUPS];
	unsigned sum = 0, i, j, tmp;
	size_t n = l->ngroups;

	for (i = 0; i < n; i++)
		th[i] = l->groups[i].threshold;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (th[j] < th[i]) {
				tmp = th[i];
				th[i] = th[j];
				th[j] = tmp;
			}
	for (i = 0; i < l->group_threshold && i < n; i++)
		sum += th[i];
	return sum;
}

unsigned script_layout_total(const struct script_layout *l)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < l->ngroups; i++)
		sum += l->groups[i].count;
	return sum;
}

void script_quorum_layout(const struct script *s, const struct script_step *st,
			  const struct script_secret *sec, struct script_layout *out)
{
	size_t i;

	*out = sec->layout;
	for (i = 0; i < st->index; i++) {
		const struct script_step *e = &s->steps[i];
		const struct script_param_spec *ps;
		const char *name;

		if (e->action == NULL)
			continue;
		for (ps = e->action->params; ps->key != NULL; ps++)
			if (ps->type == PT_SECRET && (ps->use & SECRET_USE_ISSUE) &&
			    (name = script_param_str(e, ps->key)) != NULL && strcmp(name, sec->name) == 0)
				script_step_issue_layout(e, sec, out);
	}
}

void script_step_issue_layout(const struct script_step *st, const struct script_secret *sec,
			      struct script_layout *out)
{
	const struct ynode *groups = NULL, *gt = NULL;
	struct script_layout l;

	*out = sec->layout;
	if (st->action == NULL || strcmp(st->action->name, "shares.reshare") != 0)
		return;
	groups = script_param(st, "groups");
	gt = script_param(st, "group-threshold");
	if (groups == NULL && gt == NULL)
		return;
	script_layout_parse(NULL, groups, gt, &l, "reshare");
	if (groups != NULL) {
		out->ngroups = l.ngroups;
		memcpy(out->groups, l.groups, sizeof(l.groups));
	}
	if (gt != NULL)
		out->group_threshold = l.group_threshold;
}

