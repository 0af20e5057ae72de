/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/seats.c - the attendance and the people of a step
 * (ceremony/run/seats.h).
 */
#include "ceremony/run/seats.h"

#include "common/err.h"

#include <stdio.h>
#include <string.h>

void seats_init(struct seats *ss)
{
	memset(ss, 0, sizeof(*ss));
}

void seats_attendance_clear(struct seats *ss)
{
	ss->natt = 0;
	seats_step_clear(ss);
}

int seats_attendance_add(struct seats *ss, const struct roster_person *p, enum role ro)
{
	if (ss->natt == SEATS_MAX)
		return ce_err_set(CE_ERR_TOO_LARGE, "more than %d seats", SEATS_MAX);
	ss->att[ss->natt].person = p;
	ss->att[ss->natt].role = ro;
	ss->natt++;
	return 0;
}

void seats_policy_fill(const struct run_seat *in, size_t n, struct policy_seat *out)
{
	size_t k;

	for (k = 0; k < n; k++) {
		out[k].person = in[k].person;
		out[k].person_id = in[k].person->id;
		out[k].role = in[k].role;
	}
}

int seats_attendance_check(const struct seats *ss, const struct script *s, const struct roster *r,
			   const struct roster_date *today, struct diag *d)
{
	struct policy_seat ps[SEATS_MAX];

	seats_policy_fill(ss->att, ss->natt, ps);
	/* policy 4.2.3, 4.2.4, 4.3.2, 4.3.4, 5.2.1 on the real persons */
	return policy_check_attendance(s, r, today, ps, ss->natt, d);
}

int seats_attendance_first(const struct seats *ss, size_t k)
{
	size_t j;

	for (j = 0; j < k && j < ss->natt; j++)
		if (ss->att[j].person == ss->att[k].person)
			return 0;
	return 1;
}

size_t seats_seated_in(const struct seats *ss, enum role ro)
{
	size_t i, n = 0;

	for (i = 0; i < ss->natt; i++)
		if (ss->att[i].role == ro)
			n++;
	return n;
}

const struct run_seat *seats_find(const struct seats *ss, const char *id, enum role ro)
{
	size_t i;

	for (i = 0; i < ss->natt; i++)
		if (ss->att[i].role == ro && strcmp(ss->att[i].person->id, id) == 0)
			return &ss->att[i];
	return NULL;
}

void seats_ids_in(const struct seats *ss, enum role ro, char *buf, size_t cap)
{
	size_t k, len = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	for (k = 0; k < ss->natt && len + 1 < cap; k++)
		if (ss->att[k].role == ro)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
						ss->att[k].person->id);
	if (len >= cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

int seats_retire(struct seats *ss, const struct roster_person *person, enum role ro)
{
	size_t i;

	for (i = 0; i < ss->natt; i++)
		if (ss->att[i].person == person && ss->att[i].role == ro) {
			memmove(&ss->att[i], &ss->att[i + 1], (ss->natt - i - 1) * sizeof(ss->att[0]));
			ss->natt--;
			return 1;
		}
	return 0;
}

void seats_step_clear(struct seats *ss)
{
	ss->nactors = ss->nwits = 0;
}

void seats_side_clear(struct seats *ss, enum seats_side side)
{
	if (side == SEATS_WITNESSES)
		ss->nwits = 0;
	else
		ss->nactors = 0;
}

unsigned seats_side_need(const struct script_step *st, enum seats_side side, enum role ro)
{
	return side == SEATS_WITNESSES ? st->witnesses[ro] : st->actors[ro];
}

static int side_push(struct seats *ss, enum seats_side side, const struct run_seat *seat)
{
	struct run_seat *out = side == SEATS_WITNESSES ? ss->wits : ss->actors;
	size_t *n = side == SEATS_WITNESSES ? &ss->nwits : &ss->nactors;

	if (*n == SEATS_MAX)
		return ce_err_set(CE_ERR_TOO_LARGE, "more than %d persons on one side of a step",
				  SEATS_MAX);
	out[(*n)++] = *seat;
	return 0;
}

int seats_side_fill_all(struct seats *ss, const struct script_step *st, enum seats_side side,
			enum role ro)
{
	size_t k;

	if (seats_seated_in(ss, ro) != seats_side_need(st, side, ro))
		return 0;
	for (k = 0; k < ss->natt; k++)
		if (ss->att[k].role == ro && side_push(ss, side, &ss->att[k]) < 0)
			return 0; /* cannot happen: at most SEATS_MAX seated */
	return 1;
}

int seats_side_add(struct seats *ss, enum seats_side side, enum role ro, const char *id)
{
	const struct run_seat *seat = seats_find(ss, id, ro);

	/* policy 4.2.3: only a person seated in the role acts or witnesses in it */
	if (seat == NULL)
		return ce_err_set(CE_ERR_NOT_FOUND, "'%s' is not seated as %s", id, role_name(ro));
	return side_push(ss, side, seat);
}

int seats_step_check(const struct seats *ss, const struct script_step *st, struct diag *d)
{
	struct policy_seat att[SEATS_MAX], ac[SEATS_MAX], wi[SEATS_MAX];

	seats_policy_fill(ss->att, ss->natt, att);
	seats_policy_fill(ss->actors, ss->nactors, ac);
	seats_policy_fill(ss->wits, ss->nwits, wi);
	/* policy 4.2.3, 5.2.1: seated roles, distinct actors, no actor witnessing */
	return policy_check_step(st, att, ss->natt, ac, ss->nactors, wi, ss->nwits, d);
}

size_t seats_actors_in(const struct seats *ss, enum role ro, const struct run_seat **out,
		       size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < ss->nactors; i++)
		if (ss->actors[i].role == ro) {
			if (n < max)
				out[n] = &ss->actors[i];
			n++;
		}
	return n;
}
