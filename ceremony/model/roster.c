/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/model/roster.h"
#include "ceremony/model/roster_cert.h"
#include "ceremony/model/yfield.h"
#include "common/err.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The policy's age limits: the default, and the most a roster may set. */
static const struct roster_age roster_vetting_limit = { 2, 'y' };  /* policy 4.3.2 */
static const struct roster_age roster_training_limit = { 1, 'y' }; /* policy 4.3.4 */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

int roster_date_parse(const char *s, struct roster_date *out)
{
	size_t i;
	struct roster_date dt;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return CE_ERR_FORMAT;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return CE_ERR_FORMAT;
	dt.y = atoi(s);
	dt.m = atoi(s + 5);
	dt.d = atoi(s + 8);
	if (dt.y < 1970 || dt.m < 1 || dt.m > 12 || dt.d < 1 || dt.d > month_days(dt.y, dt.m))
		return CE_ERR_FORMAT;
	*out = dt;
	return 0;
}

void roster_date_today(struct roster_date *out)
{
	time_t now = time(NULL);
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&now, &tm);
	out->y = tm.tm_year + 1900;
	out->m = tm.tm_mon + 1;
	out->d = tm.tm_mday;
}

long roster_date_days(const struct roster_date *dt)
{
	/* days_from_civil (H. Hinnant) */
	long y = dt->y - (dt->m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long mp = (dt->m + 9) % 12;
	long doy = (153 * mp + 2) / 5 + dt->d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void date_from_days(long z, struct roster_date *out)
{
	long era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->m = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->y = (int)(y + (out->m <= 2));
}

void roster_date_format(const struct roster_date *dt, char *buf, size_t cap)
{
	snprintf(buf, cap, "%04d-%02d-%02d", dt->y, dt->m, dt->d);
}

void roster_age_until(const struct roster_date *from, const struct roster_age *age,
		      struct roster_date *until)
{
	struct roster_date t = *from;
	long months;

	if (age->unit == 'd') {
		date_from_days(roster_date_days(from) + (long)age->n, until);
		return;
	}
	months = (long)t.m - 1 + (long)age->n * (age->unit == 'y' ? 12 : 1);
	t.y += (int)(months / 12);
	t.m = (int)(months % 12) + 1;
	if (t.d > month_days(t.y, t.m))
		t.d = month_days(t.y, t.m);
	*until = t;
}

void roster_age_format(const struct roster_age *age, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u%c", age->n, age->unit);
}

static void parse_date(struct diag *d, const struct ynode *n, const char *what,
		       struct roster_date *out)
{
	if (yfield_scalar(d, n, what) == NULL)
		return;
	if (roster_date_parse(n->str, out) < 0)
		diag_error(d, &n->mark, "%s must be a date YYYY-MM-DD, not '%s'", what, n->str);
}

static void parse_age(struct diag *d, const struct ynode *n, const char *what,
		      const struct roster_age *limit, struct roster_age *out)
{
	long v;
	char *end = NULL;
	unsigned long cap;
	struct roster_age a;
	char lim[16];

	if (yfield_scalar(d, n, what) == NULL)
		return;
	v = strtol(n->str, &end, 10);
	if (end == n->str || v <= 0 || v > 100000 || end == NULL ||
	    (strcmp(end, "y") != 0 && strcmp(end, "m") != 0 && strcmp(end, "d") != 0) ||
	    !isdigit((unsigned char)n->str[0])) {
		diag_error(d, &n->mark, "%s must be a positive number followed by y, m or d, not '%s'",
			   what, n->str);
		return;
	}
	a.n = (unsigned)v;
	a.unit = end[0];
	/* A roster may tighten the policy's limit, never loosen it. */
	cap = limit->n;
	if (a.unit == 'm')
		cap = limit->n * 12u;
	else if (a.unit == 'd')
		cap = limit->n * 365u;
	if ((unsigned long)a.n > cap) {
		roster_age_format(limit, lim, sizeof(lim));
		diag_error(d, &n->mark, "%s %s is longer than the policy's %s (it may only be shorter)",
			   what, n->str, lim);
		return;
	}
	*out = a;
}

static void parse_roles(struct diag *d, const struct ynode *n, role_set *out)
{
	size_t i;
	enum role r;

	if (!yfield_want(d, n, YNODE_SEQ, "roles"))
		return;
	if (n->n == 0)
		diag_error(d, &n->mark, "roles: at least one role");
	for (i = 0; i < n->n; i++) {
		const struct ynode *it = n->kids[i];

		if (yfield_scalar(d, it, "a role") == NULL)
			continue;
		if (yfield_role(d, it, NULL, &r) < 0)
			continue;
		if (*out & ROLE_BIT(r))
			diag_error(d, &it->mark, "role '%s' listed twice", it->str);
		*out |= ROLE_BIT(r);
	}
}

static int parse_people(struct roster *ro, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = { "id", "name", "roles", "vetting", "training",
					    "email", "notes", "certificate", "token", NULL };
	size_t i, j;

	if (!yfield_want(d, n, YNODE_SEQ, "people"))
		return 0;
	if (n->n == 0)
		diag_error(d, &n->mark, "people: at least one person");
	ro->people = calloc(n->n ? n->n : 1, sizeof(*ro->people));
	if (ro->people == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < n->n; i++) {
		const struct ynode *pn = n->kids[i], *v;
		struct roster_person *p = &ro->people[ro->npeople];
		char what[96];

		if (!yfield_want(d, pn, YNODE_MAP, "a person"))
			continue;
		p->mark = pn->mark;
		v = yfield_need(d, pn, "id", "person");
		if (v != NULL && yfield_scalar(d, v, "id") != NULL) {
			if (!yfield_name_valid(v->str))
				diag_error(d, &v->mark, "person id '%s' is not a valid name ([a-z0-9][a-z0-9._-]*)",
					   v->str);
			for (j = 0; j < ro->npeople; j++)
				if (ro->people[j].id != NULL && strcmp(ro->people[j].id, v->str) == 0)
					diag_error(d, &v->mark, "duplicate person id '%s' (first at line %u)",
						   v->str, ro->people[j].mark.line);
			p->id = v->str;
		}
		snprintf(what, sizeof(what), "person '%s'", p->id ? p->id : "?");
		yfield_keys(d, pn, keys, what);
		v = yfield_need(d, pn, "name", what);
		if (v != NULL)
			p->name = yfield_scalar(d, v, "name");
		v = yfield_need(d, pn, "roles", what);
		if (v != NULL) {
			p->roles_mark = v->mark;
			parse_roles(d, v, &p->roles);
		}
		v = yfield_need(d, pn, "vetting", what);
		if (v != NULL) {
			p->vetting_mark = v->mark;
			parse_date(d, v, "vetting", &p->vetting);
		}
		v = yfield_need(d, pn, "training", what);
		if (v != NULL) {
			p->training_mark = v->mark;
			parse_date(d, v, "training", &p->training);
		}
		v = ynode_get(pn, "email");
		if (v != NULL)
			p->email = yfield_scalar(d, v, "email");
		v = ynode_get(pn, "notes");
		if (v != NULL)
			p->notes = yfield_scalar(d, v, "notes");
		roster_cert_parse(ro->path, pn, p, d);
		if (p->id == NULL)
			p->id = "?";
		if (p->name == NULL)
			p->name = "?";
		ro->npeople++;
	}
	return 0;
}

static void parse_policy(struct roster *ro, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = { "forbidden-pairs", "max-vetting-age",
					    "max-training-age", NULL };
	const struct ynode *v;
	size_t i;

	if (!yfield_want(d, n, YNODE_MAP, "policy"))
		return;
	yfield_keys(d, n, keys, "policy");
	v = ynode_get(n, "max-vetting-age");
	if (v != NULL)
		parse_age(d, v, "max-vetting-age", &roster_vetting_limit, &ro->policy.max_vetting);
	v = ynode_get(n, "max-training-age");
	if (v != NULL)
		parse_age(d, v, "max-training-age", &roster_training_limit, &ro->policy.max_training);
	v = ynode_get(n, "forbidden-pairs");
	if (v == NULL || !yfield_want(d, v, YNODE_SEQ, "forbidden-pairs"))
		return;
	if (v->n > ROSTER_MAX_PAIRS) {
		diag_error(d, &v->mark, "forbidden-pairs: at most %d pairs", ROSTER_MAX_PAIRS);
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct ynode *p = v->kids[i];
		enum role a, b;

		if (!yfield_want(d, p, YNODE_SEQ, "a forbidden pair"))
			continue;
		if (p->n != 2 || p->kids[0]->type != YNODE_SCALAR || p->kids[1]->type != YNODE_SCALAR) {
			diag_error(d, &p->mark, "a forbidden pair is [role, role]");
			continue;
		}
		if (yfield_role(d, p->kids[0], NULL, &a) < 0 || yfield_role(d, p->kids[1], NULL, &b) < 0)
			continue;
		if (a == b) {
			diag_error(d, &p->mark, "a forbidden pair needs two different roles");
			continue;
		}
		ro->policy.pairs[ro->policy.npairs].a = a;
		ro->policy.pairs[ro->policy.npairs].b = b;
		ro->policy.npairs++;
	}
}

static int roster_parse(struct roster *ro, struct diag *d)
{
	static const char *const keys[] = { "format", "people", "policy", NULL };
	const struct ynode *root = ro->tree->root, *n;
	long v;
	int r;

	if (!yfield_want(d, root, YNODE_MAP, "a roster"))
		return 0;
	yfield_keys(d, root, keys, "the roster");
	n = yfield_need(d, root, "format", "roster");
	if (n != NULL && yfield_int(d, n, LONG_MIN, LONG_MAX, "format", &v) == 0 &&
	    v != ROSTER_FORMAT)
		diag_error(d, &n->mark, "unsupported format %ld (this ceremony reads format %d)", v,
			   ROSTER_FORMAT);
	n = ynode_get(root, "policy");
	if (n != NULL)
		parse_policy(ro, n, d);
	n = yfield_need(d, root, "people", "roster");
	if (n != NULL && (r = parse_people(ro, n, d)) < 0)
		return r;
	return 0;
}

static int roster_from_tree(struct ytree *t, struct roster **out, struct diag *d)
{
	int r = CE_ERR_INTERNAL;
	struct roster *ro = NULL;
	struct diag_scope sc;
	struct diag *dd = diag_scope_begin(&sc, d);
	size_t i;

	ro = calloc(1, sizeof(*ro));
	if (ro == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	ro->tree = t;
	t = NULL; /* transferred */
	ro->path = ro->tree->path;
	for (i = 0; i < ROLE_DEFAULT_PAIRS; i++)
		ro->policy.pairs[i] = role_default_forbidden[i];
	ro->policy.npairs = ROLE_DEFAULT_PAIRS;
	ro->policy.max_vetting = roster_vetting_limit;
	ro->policy.max_training = roster_training_limit;
	r = roster_parse(ro, dd);
	if (r < 0 || dd->errors > sc.before)
		goto out;
	*out = ro;
	ro = NULL; /* transferred */
	r = 0;
out:
	r = diag_scope_end(&sc, r, CE_ERR_FORMAT);
	ytree_free(t);
	roster_free(ro);
	return r;
}

int roster_load(const char *path, struct roster **out, struct diag *d)
{
	struct ytree *t = NULL;
	int r = ytree_load_file(path, &t, d);

	if (r < 0)
		return r;
	return roster_from_tree(t, out, d);
}

int roster_load_mem(const char *name, const char *data, size_t len, struct roster **out,
		    struct diag *d)
{
	struct ytree *t = NULL;
	int r = ytree_load_mem(name, data, len, &t, d);

	if (r < 0)
		return r;
	return roster_from_tree(t, out, d);
}

void roster_free(struct roster *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; r->people != NULL && i < r->npeople; i++)
		roster_cert_free(&r->people[i]);
	free(r->people);
	ytree_free(r->tree);
	free(r);
}

const struct roster_person *roster_person_find(const struct roster *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->npeople; i++)
		if (strcmp(r->people[i].id, id) == 0)
			return &r->people[i];
	return NULL;
}
