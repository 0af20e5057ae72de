/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/events.c - transcript events of the current step, and the
 * person objects events carry.
 */
#include "ceremony/run/context.h"

#include "common/err.h"

int events_append_at(struct run_ctx *rc, const char *type, const char *step, json_t *persons,
		     json_t *witnesses, json_t *details)
{
	return transcript_append(rc->t, type, step, persons, witnesses, details);
}

int run_event(struct run_ctx *rc, const char *type, json_t *persons, json_t *witnesses,
	      json_t *details)
{
	return events_append_at(rc, type, rc->cur != NULL ? rc->cur->id : NULL, persons, witnesses,
				details);
}

int run_step_detail(struct run_ctx *rc, const char *key, json_t *value)
{
	if (rc->cur == NULL || rc->step_details == NULL)
		return ce_err_set(CE_ERR_STATE, "run_step_detail outside a step");
	if (json_object_set(rc->step_details, key, value) != 0)
		return CE_ERR_NOMEM;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Person objects                                                      */

json_t *run_seat_json(const struct run_seat *s)
{
	const char *roles[2] = { role_name(s->role), NULL };

	return transcript_person(s->person->id, s->person->name, roles);
}

static json_t *seats_json(const struct run_seat *seats, size_t n)
{
	json_t *a = json_array(), *p;
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		p = run_seat_json(&seats[i]);
		if (p == NULL || json_array_append_new(a, p) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *run_seat_list_json(const struct run_seat *s)
{
	return seats_json(s, 1);
}

json_t *run_actors_json(const struct run_ctx *rc)
{
	return seats_json(rc->seats.actors, rc->seats.nactors);
}

json_t *run_witnesses_json(const struct run_ctx *rc)
{
	return seats_json(rc->seats.wits, rc->seats.nwits);
}

/* The operator with the roles they are seated in (none before attendance). */
json_t *run_operator_json(const struct run_ctx *rc)
{
	const char *roles[ROLE_COUNT + 1];
	json_t *a = json_array(), *p;
	size_t i, n = 0;

	if (a == NULL || rc->operator == NULL)
		return a;
	for (i = 0; i < rc->seats.natt && n < ROLE_COUNT; i++)
		if (rc->seats.att[i].person == rc->operator)
			roles[n++] = role_name(rc->seats.att[i].role);
	roles[n] = NULL;
	p = transcript_person(rc->operator->id, rc->operator->name, roles);
	if (p == NULL || json_array_append_new(a, p) != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}
