/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/lint.c - the checks `ceremony lint` and `ceremony run` share.
 */
#include "ceremony/policy/lint.h"
#include "ceremony/policy/pinplan.h"
#include "ceremony/policy/policy.h"
#include "ceremony/policy/seal_lint.h"
#include "common/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A path parameter read by a step: does an earlier step write it? */
static int written_before(const struct script *s, size_t upto, const char *path)
{
	size_t i, j;

	for (i = 0; i < upto; i++)
		for (j = 0; j < s->steps[i].noutputs; j++)
			if (strcmp(s->steps[i].outputs[j].path, path) == 0)
				return 1;
	return 0;
}

static int join_path(const char *dir, const char *rel, char *buf, size_t cap)
{
	int w = snprintf(buf, cap, "%s/%s", dir, rel);

	return w >= 0 && (size_t)w < cap ? 0 : CE_ERR_TOO_LARGE;
}

void lint_files(const struct script *s, const char *outdir, struct diag *d)
{
	char path[4096];
	struct stat sb;
	size_t i, j, k, m;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const struct script_param_spec *ps;

		for (j = 0; j < st->noutputs; j++) {
			const struct script_output *o = &st->outputs[j];

			for (k = 0; k < i; k++)
				for (m = 0; m < s->steps[k].noutputs; m++)
					if (strcmp(s->steps[k].outputs[m].path, o->path) == 0)
						diag_error(d, &o->mark,
							   "output '%s' is also written by step '%s' (line %u)",
							   o->path, s->steps[k].id, s->steps[k].outputs[m].mark.line);
			if (join_path(outdir, o->path, path, sizeof(path)) < 0) {
				diag_error(d, &o->mark, "output path '%s' is too long", o->path);
				continue;
			}
			if (lstat(path, &sb) == 0)
				diag_error(d, &o->mark,
					   "output '%s' already exists (outputs are never overwritten)", path);
		}
		if (st->action == NULL)
			continue;
		for (ps = st->action->params; ps->key != NULL; ps++) {
			const struct ynode *v;

			if (ps->type != PT_PATH || (v = script_param(st, ps->key)) == NULL ||
			    v->type != YNODE_SCALAR)
				continue;
			if (written_before(s, i, v->str))
				continue;
			if (v->str[0] == '/')
				snprintf(path, sizeof(path), "%s", v->str);
			else if (join_path(outdir, v->str, path, sizeof(path)) < 0)
				continue;
			if (lstat(path, &sb) != 0)
				diag_warn(d, &v->mark,
					  "input '%s' is not written by an earlier step and does not exist yet",
					  v->str);
		}
	}
}

int lint_load(const char *script_path, const char *roster_path,
	      const struct roster_date *today, const char *outdir, struct script **s_out,
	      struct roster **r_out, struct diag *d)
{
	struct script *s = NULL;
	struct roster *r = NULL;
	role_set used = 0;
	int e, r_ = CE_ERR_INTERNAL;

	e = script_load(script_path, &s, d);
	if (e < 0 && e != CE_ERR_FORMAT && e != CE_ERR_TOO_LARGE && d->errors == 0) {
		r_ = e;
		goto out;
	}
	if (s != NULL) {
		if (roster_path == NULL)
			roster_path = s->roster_path;
		used = script_role_set(s);
	}
	if (roster_path != NULL) {
		e = roster_load(roster_path, &r, d);
		if (e < 0 && d->errors == 0) {
			r_ = e;
			goto out;
		}
	}
	if (r != NULL)
		/* policy 4.2.4, 4.3.2, 4.3.4 on the people this ceremony may use */
		(void)policy_check_roster_for(r, today, used, d);
	if (s != NULL && r != NULL)
		(void)policy_check_lint(s, r, today, d);
	if (s != NULL && r != NULL)
		lint_cards(s, r, today, d);
	if (s != NULL && r != NULL)
		seal_lint(s, r, d);
	if (s != NULL) {
		lint_files(s, outdir, d);
		pin_plan_lint(s, d);
	}
	*s_out = s;
	s = NULL; /* transferred */
	*r_out = r;
	r = NULL; /* transferred */
	r_ = 0;
out:
	roster_free(r);
	script_free(s);
	return r_;
}
