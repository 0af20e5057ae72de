/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/policy/policy.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#define POLICY_SEARCH_MAX_NODES 2000000L

static int finish(const struct diag *d, size_t before, int failed_local)
{
	if (d != NULL)
		return d->errors > before ? CE_ERR_POLICY : 0;
	return failed_local ? CE_ERR_POLICY : 0;
}

void policy_person_status(const struct roster *r, const struct roster_person *p,
			  const struct roster_date *today, struct policy_status *out)
{
	long t = roster_date_days(today);
	long vu, tu;

	memset(out, 0, sizeof(*out));
	/* policy 4.3.2: vetting reviewed every 2 years */
	roster_age_until(&p->vetting, &r->policy.max_vetting, &out->vetting_until);
	/* policy 4.3.4: training every year */
	roster_age_until(&p->training, &r->policy.max_training, &out->training_until);
	vu = roster_date_days(&out->vetting_until);
	tu = roster_date_days(&out->training_until);
	out->vetting_stale = t > vu;
	out->training_stale = t > tu;
	out->vetting_future = roster_date_days(&p->vetting) > t;
	out->training_future = roster_date_days(&p->training) > t;
	out->vetting_soon = !out->vetting_stale && vu - t < POLICY_SOON_DAYS;
	out->training_soon = !out->training_stale && tu - t < POLICY_SOON_DAYS;
}

/* policy 4.3.2, 4.3.4: vetting and training neither stale nor dated ahead. */
static int status_eligible(const struct policy_status *st)
{
	return !st->vetting_stale && !st->training_stale && !st->vetting_future &&
	       !st->training_future;
}

int policy_person_eligible(const struct roster *r, const struct roster_person *p,
			   const struct roster_date *today)
{
	struct policy_status st;

	policy_person_status(r, p, today, &st);
	return status_eligible(&st);
}

/* policy 4.2.4: one person holding both roles of a forbidden pair. The one
 * test every pair check below makes (the four defaults are always in r). */
static int pair_within(const struct role_pair *p, role_set set)
{
	return (set & ROLE_BIT(p->a)) && (set & ROLE_BIT(p->b));
}

int policy_pair_forbidden(const struct roster *r, enum role a, enum role b)
{
	/* a pair is two different roles: {a, a} is never forbidden */
	return a != b && policy_set_conflict(r, ROLE_BIT(a) | ROLE_BIT(b), NULL);
}

int policy_set_conflict(const struct roster *r, role_set set, struct role_pair *pair)
{
	size_t i;

	for (i = 0; i < r->policy.npairs; i++) {
		const struct role_pair *p = &r->policy.pairs[i];

		if (pair_within(p, set)) {
			if (pair != NULL)
				*pair = *p;
			return 1;
		}
	}
	return 0;
}

static void report_person(const struct roster *r, const struct roster_person *p,
			  const struct roster_date *today, struct diag *d, int *failed)
{
	struct policy_status st;
	char until[16], age[16];
	size_t i;

	/* policy 4.2.4: every forbidden pair the person holds */
	for (i = 0; i < r->policy.npairs; i++) {
		const struct role_pair *pp = &r->policy.pairs[i];

		if (pair_within(pp, p->roles)) {
			diag_error(d, &p->roles_mark,
				   "policy 4.2.4: %s (%s) holds %s and %s, a forbidden pair", p->id,
				   p->name, role_name(pp->a), role_name(pp->b));
			*failed = 1;
		}
	}
	policy_person_status(r, p, today, &st);
	roster_age_format(&r->policy.max_vetting, age, sizeof(age));
	roster_date_format(&st.vetting_until, until, sizeof(until));
	if (st.vetting_future) {
		diag_error(d, &p->vetting_mark, "policy 4.3.2: %s's vetting date is in the future", p->id);
		*failed = 1;
	} else if (st.vetting_stale) {
		diag_error(d, &p->vetting_mark,
			   "policy 4.3.2: %s's vetting is older than %s (valid until %s)", p->id, age,
			   until);
		*failed = 1;
	} else if (st.vetting_soon) {
		diag_warn(d, &p->vetting_mark, "policy 4.3.2: %s's vetting goes stale after %s", p->id,
			  until);
	}
	roster_age_format(&r->policy.max_training, age, sizeof(age));
	roster_date_format(&st.training_until, until, sizeof(until));
	if (st.training_future) {
		diag_error(d, &p->training_mark, "policy 4.3.4: %s's training date is in the future",
			   p->id);
		*failed = 1;
	} else if (st.training_stale) {
		diag_error(d, &p->training_mark,
			   "policy 4.3.4: %s's training is older than %s (valid until %s)", p->id, age,
			   until);
		*failed = 1;
	} else if (st.training_soon) {
		diag_warn(d, &p->training_mark, "policy 4.3.4: %s's training goes stale after %s",
			  p->id, until);
	}
}

int policy_check_roster_for(const struct roster *r, const struct roster_date *today,
			    role_set used, struct diag *d)
{
	size_t before = d ? d->errors : 0, i;
	int failed = 0;

	for (i = 0; i < r->npeople; i++) {
		const struct roster_person *p = &r->people[i];

		if (used != 0 && (p->roles & used) == 0)
			continue;
		report_person(r, p, today, d, &failed);
	}
	return finish(d, before, failed);
}

/* ---- lint: can the ceremony be staffed? ------------------------------- */

struct search {
	const struct script *s;
	const struct roster *r;
	size_t np;              /* eligible persons */
	size_t *pidx;           /* roster index of each */
	role_set *filled;       /* roles each fills in the current assignment */
	unsigned char *used;    /* per eligible person, for step matching */
	enum role order[ROLE_COUNT];
	size_t norder;
	long nodes;
	int exhausted;
	size_t failing_step;    /* a step that found no distinct persons */
	int steps_failed;
};

/* Match a step's demand units (role per person needed) to distinct persons. */
static int step_match(struct search *x, const enum role *units, size_t nunits, size_t k)
{
	size_t p;

	if (k == nunits)
		return 1;
	if (++x->nodes > POLICY_SEARCH_MAX_NODES) {
		x->exhausted = 1;
		return 0;
	}
	for (p = 0; p < x->np; p++) {
		if (x->used[p] || !(x->filled[p] & ROLE_BIT(units[k])))
			continue;
		x->used[p] = 1;
		if (step_match(x, units, nunits, k + 1)) {
			x->used[p] = 0;
			return 1;
		}
		x->used[p] = 0;
	}
	return 0;
}

static int steps_ok(struct search *x)
{
	enum role units[2 * ROLE_COUNT * SCRIPT_MAX_ROLE_COUNT];
	size_t i, n;
	unsigned ro, c;

	for (i = 0; i < x->s->nsteps; i++) {
		const struct script_step *st = &x->s->steps[i];

		n = 0;
		for (ro = 0; ro < ROLE_COUNT; ro++) {
			for (c = 0; c < st->actors[ro] + st->witnesses[ro] && n < sizeof(units) / sizeof(units[0]); c++)
				units[n++] = (enum role)ro;
		}
		if (!step_match(x, units, n, 0)) {
			x->failing_step = i;
			x->steps_failed = 1;
			return 0;
		}
	}
	return 1;
}

/* Fill role x->order[oi] with need more persons, choosing eligible persons
 * from index from on (combinations, not permutations). */
static int assign(struct search *x, size_t oi, unsigned need, size_t from)
{
	enum role ro;
	size_t p;

	if (oi == x->norder)
		return steps_ok(x);
	ro = x->order[oi];
	if (need == 0)
		return assign(x, oi + 1, oi + 1 < x->norder ? x->s->roles[x->order[oi + 1]] : 0, 0);
	if (++x->nodes > POLICY_SEARCH_MAX_NODES) {
		x->exhausted = 1;
		return 0;
	}
	for (p = from; p < x->np; p++) {
		const struct roster_person *rp = &x->r->people[x->pidx[p]];
		role_set now = x->filled[p] | ROLE_BIT(ro);

		if (!(rp->roles & ROLE_BIT(ro)) || (x->filled[p] & ROLE_BIT(ro)))
			continue;
		/* policy 4.2.4: no forbidden pair among the roles one fills here */
		if (policy_set_conflict(x->r, now, NULL))
			continue;
		x->filled[p] = now;
		if (assign(x, oi, need - 1, p + 1))
			return 1;
		x->filled[p] &= ~ROLE_BIT(ro);
		if (x->exhausted)
			return 0;
	}
	return 0;
}

/* "kate, ken; not eligible: kim (training stale)" for a role, into buf. */
static void list_names(const struct roster *r, const struct roster_date *today, enum role ro,
		       char *buf, size_t cap)
{
	size_t i, off = 0;
	int pass, w, any_ineligible = 0;

	buf[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < r->npeople; i++) {
			const struct roster_person *p = &r->people[i];
			struct policy_status st;
			int ok;

			if (!(p->roles & ROLE_BIT(ro)))
				continue;
			policy_person_status(r, p, today, &st);
			ok = status_eligible(&st);
			if (ok != (pass == 0))
				continue;
			if (pass == 0)
				w = snprintf(buf + off, cap - off, "%s%s", off ? ", " : "", p->id);
			else
				w = snprintf(buf + off, cap - off, "%s%s (%s)",
					     any_ineligible++ ? ", " : off ? "; not eligible: " : "not eligible: ",
					     p->id,
					     st.vetting_stale ? "vetting stale" :
					     st.vetting_future ? "vetting in the future" :
					     st.training_stale ? "training stale" : "training in the future");
			if (w < 0 || (size_t)w >= cap - off)
				return;
			off += (size_t)w;
		}
	}
	if (off == 0)
		snprintf(buf, cap, "nobody holds the role");
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static unsigned eligible_count(const struct roster *r, const struct roster_date *today,
			       enum role ro)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < r->npeople; i++)
		if ((r->people[i].roles & ROLE_BIT(ro)) &&
		    policy_person_eligible(r, &r->people[i], today))
			n++;
	return n;
}

static void check_step_secrets(const struct script *s, const struct roster *r,
			       const struct roster_date *today, const struct script_step *st,
			       struct diag *d)
{
	const struct script_param_spec *ps;
	unsigned kh_roster = eligible_count(r, today, ROLE_KEY_HOLDER);

	if (st->action == NULL)
		return;
	for (ps = st->action->params; ps->key != NULL; ps++) {
		const char *name;
		const struct script_secret *sec;
		struct script_layout l;
		unsigned q, total;

		if (ps->type != PT_SECRET || (name = script_param_str(st, ps->key)) == NULL ||
		    (sec = script_secret_find(s, name)) == NULL)
			continue;
		if (ps->use & SECRET_USE_QUORUM) {
			q = script_layout_quorum(&sec->layout);
			/* policy 5.2.1: a quorum of distinct key holders */
			if (st->actors[ROLE_KEY_HOLDER] < q)
				diag_error(d, &st->actors_mark,
					   "step '%s': %s of secret '%s' needs a quorum of %u key holders, actors give %u (policy 5.2.1)",
					   st->id, st->action->name, sec->name, q,
					   st->actors[ROLE_KEY_HOLDER]);
		}
		if (ps->use & SECRET_USE_ISSUE) {
			script_step_issue_layout(st, sec, &l);
			total = script_layout_total(&l);
			if (st->actors[ROLE_KEY_HOLDER] < total)
				diag_error(d, &st->actors_mark,
					   "step '%s': %s issues %u shares of '%s', one per key holder, but actors give %u key holders",
					   st->id, st->action->name, total, sec->name,
					   st->actors[ROLE_KEY_HOLDER]);
			if (kh_roster < total)
				diag_error(d, &st->mark,
					   "step '%s': %u shares of '%s' need %u distinct key holders, the roster has %u eligible",
					   st->id, total, sec->name, total, kh_roster);
		}
	}
}

/* policy 4.2.1/4.2.3: enough eligible persons granted each role. Returns 0
 * when a role is short (no assignment can be searched then). */
static int lint_role_slots(const struct script *s, const struct roster *r,
			   const struct roster_date *today, struct diag *d)
{
	char names[512];
	unsigned ro, have;
	int ok = 1;

	for (ro = 0; ro < ROLE_COUNT; ro++) {
		if (s->roles[ro] == 0)
			continue;
		have = eligible_count(r, today, (enum role)ro);
		if (have < s->roles[ro]) {
			list_names(r, today, (enum role)ro, names, sizeof(names));
			diag_error(d, &s->role_marks[ro],
				   "roles: %s needs %u %s, the roster has %u eligible (%s) (policy 4.2.3)",
				   role_name((enum role)ro), s->roles[ro],
				   plural(s->roles[ro], "person", "persons"), have, names);
			ok = 0;
		}
	}
	return ok;
}

/* policy 5.2.1: an actor never witnesses their own step, so a step needs as
 * many distinct persons of a role as it has actors and witnesses of it.
 * Returns 0 when a step asks more than roles: declares. */
static int lint_step_slots(const struct script *s, const struct script_step *st, struct diag *d)
{
	unsigned ro;
	int ok = 1;

	for (ro = 0; ro < ROLE_COUNT; ro++) {
		unsigned needp = st->actors[ro] + st->witnesses[ro];

		if (s->roles[ro] == 0 || needp <= s->roles[ro])
			continue;
		ok = 0;
		if (st->actors[ro] > 0 && st->witnesses[ro] > 0)
			diag_error(d, &st->witnesses_mark,
				   "step '%s': %s both acts and witnesses: needs %u distinct %s persons, roles has %u (policy 5.2.1: an actor never witnesses their own step)",
				   st->id, role_name((enum role)ro), needp, role_name((enum role)ro),
				   s->roles[ro]);
		else
			diag_error(d, st->actors[ro] ? &st->actors_mark : &st->witnesses_mark,
				   "step '%s': needs %u %s %s, roles has %u", st->id, needp,
				   role_name((enum role)ro), plural(needp, "person", "persons"),
				   s->roles[ro]);
	}
	return ok;
}

/* policy 4.4.1: a personnel change names a person of the roster (and one
 * retired from a role holds it). */
static void lint_roster_change(const struct roster *r, const struct script_step *st,
			       struct diag *d)
{
	const struct ynode *pn = script_param(st, "person");
	const char *change = script_param_str(st, "change");
	const char *rname = script_param_str(st, "role");
	const struct roster_person *p;
	enum role pr;

	if (st->action == NULL || strcmp(st->action->name, "roster.change") != 0 || pn == NULL ||
	    pn->type != YNODE_SCALAR)
		return;
	p = roster_person_find(r, pn->str);
	if (p == NULL)
		diag_error(d, &pn->mark, "step '%s': '%s' is not in the roster %s", st->id, pn->str,
			   r->path);
	else if (change != NULL && strcmp(change, "retire") == 0 && rname != NULL &&
		 role_parse(rname, &pr) == 0 && !(p->roles & ROLE_BIT(pr)))
		diag_error(d, &pn->mark, "step '%s': %s does not hold the role %s to retire", st->id,
			   p->id, rname);
}

/* policy 5.2.1: each secret's quorum is at all possible with the roster. */
static void lint_quorums(const struct script *s, const struct roster *r,
			 const struct roster_date *today, struct diag *d)
{
	unsigned kh = eligible_count(r, today, ROLE_KEY_HOLDER);
	size_t i;

	for (i = 0; i < s->nsecrets; i++) {
		const struct script_secret *sec = &s->secrets[i];
		unsigned q = script_layout_quorum(&sec->layout);

		if (q > kh)
			diag_error(d, &sec->mark,
				   "secret '%s': a quorum needs %u distinct key holders, the roster has %u eligible (policy 5.2.1)",
				   sec->name, q, kh);
	}
}

/* One whole assignment: eligible persons to role slots, no forbidden pair
 * (policy 4.2.4), every step staffed by distinct persons (policy 5.2.1).
 * Reports why there is none; CE_ERR_NOMEM, else 0. */
static int lint_assignment(const struct script *s, const struct roster *r,
			   const struct roster_date *today, struct diag *d)
{
	int res = CE_ERR_INTERNAL;
	role_set want = script_role_set(s);
	struct search x;
	size_t i;
	unsigned ro;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.r = r;
	x.pidx = calloc(r->npeople ? r->npeople : 1, sizeof(*x.pidx));
	x.filled = calloc(r->npeople ? r->npeople : 1, sizeof(*x.filled));
	x.used = calloc(r->npeople ? r->npeople : 1, 1);
	if (x.pidx == NULL || x.filled == NULL || x.used == NULL) {
		res = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < r->npeople; i++)
		if ((r->people[i].roles & want) && policy_person_eligible(r, &r->people[i], today))
			x.pidx[x.np++] = i;
	for (ro = 0; ro < ROLE_COUNT; ro++)
		if (s->roles[ro])
			x.order[x.norder++] = (enum role)ro;
	if (x.norder == 0 || assign(&x, 0, s->roles[x.order[0]], 0)) {
		res = 0;
		goto out;
	}
	if (x.exhausted) {
		diag_warn(d, &s->roles_mark,
			  "could not decide whether the roster can staff this ceremony (search too large)");
	} else if (x.steps_failed) {
		const struct script_step *st = &s->steps[x.failing_step];

		diag_error(d, &st->mark,
			   "step '%s': no choice of attending persons gives distinct actors and witnesses (policy 5.2.1)",
			   st->id);
	} else {
		diag_error(d, &s->roles_mark,
			   "roles: no assignment of the roster's eligible persons fills every role slot without one person holding a forbidden pair (policy 4.2.4)");
	}
	res = 0;
out:
	free(x.pidx);
	free(x.filled);
	free(x.used);
	return res;
}

int policy_check_lint(const struct script *s, const struct roster *r,
		      const struct roster_date *today, struct diag *d)
{
	int res = CE_ERR_INTERNAL;
	struct diag_scope sc;
	struct diag *dd = diag_scope_begin(&sc, d);
	size_t i;
	int slots_ok;

	slots_ok = lint_role_slots(s, r, today, dd);
	for (i = 0; i < s->nsteps; i++) {
		if (!lint_step_slots(s, &s->steps[i], dd))
			slots_ok = 0;
		check_step_secrets(s, r, today, &s->steps[i], dd);
	}
	for (i = 0; i < s->nsteps; i++)
		lint_roster_change(r, &s->steps[i], dd);
	lint_quorums(s, r, today, dd);
	res = 0;
	if (slots_ok && dd->errors == sc.before)
		res = lint_assignment(s, r, today, dd);
	return diag_scope_end(&sc, res, CE_ERR_POLICY);
}

/* ---- runtime checks (runner at the console, verifier on a transcript) -- */

static const char *seat_id(const struct policy_seat *s)
{
	if (s->person != NULL)
		return s->person->id;
	return s->person_id != NULL ? s->person_id : "?";
}

static int same_person(const struct policy_seat *a, const struct policy_seat *b)
{
	return strcmp(seat_id(a), seat_id(b)) == 0;
}

/* With the persons seated, can every step find distinct actors and
 * witnesses? Caught at attendance rather than half-way through. Returns 1
 * when it reported a step that cannot be staffed. */
static int check_staffing(const struct script *s, const struct policy_seat *seats, size_t nseats,
			  struct diag *d)
{
	struct search x;
	const char **ids = NULL;
	size_t i, j;
	int bad = 0;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.filled = calloc(nseats ? nseats : 1, sizeof(*x.filled));
	x.used = calloc(nseats ? nseats : 1, 1);
	ids = calloc(nseats ? nseats : 1, sizeof(*ids));
	if (x.filled == NULL || x.used == NULL || ids == NULL) {
		diag_error(d, NULL, "attendance: out of memory checking the steps");
		bad = 1;
		goto out;
	}
	for (i = 0; i < nseats; i++) {
		const char *id = seat_id(&seats[i]);

		for (j = 0; j < x.np && strcmp(ids[j], id) != 0; j++)
			;
		if (j == x.np)
			ids[x.np++] = id;
		x.filled[j] |= ROLE_BIT(seats[i].role);
	}
	if (!steps_ok(&x) && !x.exhausted) {
		const struct script_step *st = &s->steps[x.failing_step];

		diag_error(d, &st->mark,
			   "attendance: with the persons seated, step '%s' cannot have distinct actors and witnesses (policy 5.2.1: an actor never witnesses their own step)",
			   st->id);
		bad = 1;
	}
out:
	free(ids);
	free(x.filled);
	free(x.used);
	return bad;
}

int policy_check_attendance(const struct script *s, const struct roster *r,
			    const struct roster_date *today, const struct policy_seat *seats,
			    size_t nseats, struct diag *d)
{
	size_t before = d ? d->errors : 0, i, j;
	unsigned count[ROLE_COUNT];
	unsigned ro;
	int failed = 0;

	memset(count, 0, sizeof(count));
	for (i = 0; i < nseats; i++) {
		const struct policy_seat *st = &seats[i];
		role_set here = 0;
		struct role_pair pair;
		int dup = 0;

		if ((unsigned)st->role >= ROLE_COUNT) {
			diag_error(d, NULL, "attendance: invalid role for %s", seat_id(st));
			failed = 1;
			continue;
		}
		if (st->person == NULL) {
			diag_error(d, NULL, "attendance: '%s' is not in the roster (policy 4.2.3)",
				   seat_id(st));
			failed = 1;
			continue;
		}
		if (s->roles[st->role] == 0) {
			diag_error(d, NULL, "attendance: %s seated as %s, a role this ceremony does not use",
				   seat_id(st), role_name(st->role));
			failed = 1;
		}
		/* policy 4.2.3: nobody acts in a role not granted */
		if (!(st->person->roles & ROLE_BIT(st->role))) {
			diag_error(d, NULL, "policy 4.2.3: %s (%s) is not granted the role %s",
				   seat_id(st), st->person->name, role_name(st->role));
			failed = 1;
		}
		for (j = 0; j < i; j++) {
			if (!same_person(&seats[j], st))
				continue;
			here |= ROLE_BIT(seats[j].role);
			if (seats[j].role == st->role)
				dup = 1;
		}
		if (dup) {
			diag_error(d, NULL, "attendance: %s is seated twice as %s", seat_id(st),
				   role_name(st->role));
			failed = 1;
			continue;
		}
		count[st->role]++;
		/* policy 4.2.4: forbidden pairs across the roles filled here */
		if (!(here & ROLE_BIT(st->role)) &&
		    policy_set_conflict(r, here | ROLE_BIT(st->role), &pair) &&
		    !policy_set_conflict(r, here, NULL)) {
			diag_error(d, NULL,
				   "policy 4.2.4: %s (%s) would fill %s and %s in this ceremony, a forbidden pair",
				   seat_id(st), st->person->name, role_name(pair.a), role_name(pair.b));
			failed = 1;
		}
		if (here == 0) {
			/* first seat of this person: vetting and training once */
			struct policy_status ps;
			char until[16];

			policy_person_status(r, st->person, today, &ps);
			if (ps.vetting_stale || ps.vetting_future) {
				roster_date_format(&ps.vetting_until, until, sizeof(until));
				diag_error(d, NULL, "policy 4.3.2: %s's vetting is %s (valid until %s)",
					   seat_id(st), ps.vetting_future ? "dated in the future" : "stale",
					   until);
				failed = 1;
			}
			if (ps.training_stale || ps.training_future) {
				roster_date_format(&ps.training_until, until, sizeof(until));
				diag_error(d, NULL, "policy 4.3.4: %s's training is %s (valid until %s)",
					   seat_id(st), ps.training_future ? "dated in the future" : "stale",
					   until);
				failed = 1;
			}
		}
	}
	if (!failed)
		failed = check_staffing(s, seats, nseats, d);
	for (ro = 0; ro < ROLE_COUNT; ro++) {
		if (count[ro] < s->roles[ro]) {
			diag_error(d, &s->role_marks[ro],
				   "attendance: %s needs %u %s, %u %s", role_name((enum role)ro),
				   s->roles[ro], plural(s->roles[ro], "person", "persons"), count[ro],
				   plural(count[ro], "attends", "attend"));
			failed = 1;
		}
	}
	return finish(d, before, failed);
}

static int seated(const struct policy_seat *att, size_t natt, const struct policy_seat *who)
{
	size_t i;

	for (i = 0; i < natt; i++)
		if (att[i].role == who->role && same_person(&att[i], who))
			return 1;
	return 0;
}

/* policy 5.2.1: an actor never witnesses their own step */
int policy_step_self_witness(const struct policy_seat *actors, size_t nactors,
			     const struct policy_seat *person)
{
	size_t j;

	for (j = 0; j < nactors; j++)
		if (same_person(person, &actors[j]))
			return 1;
	return 0;
}

int policy_check_step(const struct script_step *st, const struct policy_seat *attendance,
		      size_t natt, const struct policy_seat *actors, size_t nactors,
		      const struct policy_seat *witnesses, size_t nwitnesses, struct diag *d)
{
	size_t before = d ? d->errors : 0, i, j;
	unsigned na[ROLE_COUNT], nw[ROLE_COUNT];
	unsigned ro;
	int failed = 0;

	memset(na, 0, sizeof(na));
	memset(nw, 0, sizeof(nw));
	for (i = 0; i < nactors; i++) {
		if ((unsigned)actors[i].role >= ROLE_COUNT)
			continue;
		/* policy 4.2.3: only in a role granted and seated at attendance */
		if (!seated(attendance, natt, &actors[i])) {
			diag_error(d, &st->actors_mark, "step '%s': actor %s is not seated as %s at attendance (policy 4.2.3)",
				   st->id, seat_id(&actors[i]), role_name(actors[i].role));
			failed = 1;
		}
		na[actors[i].role]++;
		for (j = 0; j < i; j++)
			if (same_person(&actors[i], &actors[j])) {
				diag_error(d, &st->actors_mark,
					   "step '%s': %s appears twice among the actors (policy 5.2.1)",
					   st->id, seat_id(&actors[i]));
				failed = 1;
			}
	}
	for (i = 0; i < nwitnesses; i++) {
		if ((unsigned)witnesses[i].role >= ROLE_COUNT)
			continue;
		if (!seated(attendance, natt, &witnesses[i])) {
			diag_error(d, &st->witnesses_mark, "step '%s': witness %s is not seated as %s at attendance (policy 4.2.3)",
				   st->id, seat_id(&witnesses[i]), role_name(witnesses[i].role));
			failed = 1;
		}
		nw[witnesses[i].role]++;
		for (j = 0; j < i; j++)
			if (same_person(&witnesses[i], &witnesses[j])) {
				diag_error(d, &st->witnesses_mark,
					   "step '%s': %s appears twice among the witnesses", st->id,
					   seat_id(&witnesses[i]));
				failed = 1;
			}
		if (policy_step_self_witness(actors, nactors, &witnesses[i])) {
			diag_error(d, &st->witnesses_mark,
				   "step '%s': %s cannot witness a step they act in (policy 5.2.1)",
				   st->id, seat_id(&witnesses[i]));
			failed = 1;
		}
	}
	for (ro = 0; ro < ROLE_COUNT; ro++) {
		if (na[ro] < st->actors[ro]) {
			diag_error(d, &st->actors_mark, "step '%s': needs %u %s acting, has %u", st->id,
				   st->actors[ro], role_name((enum role)ro), na[ro]);
			failed = 1;
		}
		if (nw[ro] < st->witnesses[ro]) {
			diag_error(d, &st->witnesses_mark, "step '%s': needs %u %s witnessing, has %u",
				   st->id, st->witnesses[ro], role_name((enum role)ro), nw[ro]);
			failed = 1;
		}
	}
	return finish(d, before, failed);
}

int policy_check_quorum(const struct script_secret *sec, const struct script_layout *layout,
			const char *const *holder_ids, size_t nholders,
			const struct policy_seat *attendance, size_t natt, struct diag *d)
{
	size_t before = d ? d->errors : 0, i, j;
	unsigned q = script_layout_quorum(layout ? layout : &sec->layout);
	unsigned distinct = 0;
	int failed = 0;

	for (i = 0; i < nholders; i++) {
		struct policy_seat who;
		int dup = 0;

		memset(&who, 0, sizeof(who));
		who.person_id = holder_ids[i];
		who.role = ROLE_KEY_HOLDER;
		for (j = 0; j < i; j++)
			if (strcmp(holder_ids[i], holder_ids[j]) == 0)
				dup = 1;
		/* policy 5.2.1: shares of one quorum from distinct key holders */
		if (dup) {
			diag_error(d, &sec->mark,
				   "secret '%s': %s entered a share twice; a quorum needs distinct key holders (policy 5.2.1)",
				   sec->name, holder_ids[i]);
			failed = 1;
			continue;
		}
		if (!seated(attendance, natt, &who)) {
			diag_error(d, &sec->mark,
				   "secret '%s': %s is not seated as key-holder at attendance (policy 4.2.3)",
				   sec->name, holder_ids[i]);
			failed = 1;
			continue;
		}
		distinct++;
	}
	if (distinct < q) {
		diag_error(d, &sec->mark,
			   "secret '%s': %u distinct key holders, the quorum is %u (policy 5.2.1)",
			   sec->name, distinct, q);
		failed = 1;
	}
	return finish(d, before, failed);
}
