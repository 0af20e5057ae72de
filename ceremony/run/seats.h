/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/seats.h - who sits where: the attendance (the person seated in
 * each role slot) and the actors and witnesses of the current step, as plain
 * data with the policy's checks on them (ceremony/policy/policy.h).
 *
 * No console, no token, no transcript: the runner's prompts
 * (ceremony/run/people.c) ask who, these functions decide whether that person
 * may sit, act or witness. The rules themselves are the policy's
 * (policy_check_attendance, policy_check_step, policy_check_quorum): nothing
 * here has a copy of them.
 *
 * Everything here is public. Person pointers are borrowed from the roster the
 * seats were filled from and must outlive the struct seats.
 */
#ifndef CE_CEREMONY_RUN_SEATS_H
#define CE_CEREMONY_RUN_SEATS_H

#include "ceremony/model/diag.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"
#include "ceremony/policy/policy.h"
#include "ceremony/run/run.h"

#include <stddef.h>

#define SEATS_MAX 128

/* Which side of a step a seat is chosen for. */
enum seats_side { SEATS_ACTORS, SEATS_WITNESSES };

struct seats {
	struct run_seat att[SEATS_MAX]; /* attendance, in seating order */
	size_t natt;
	struct run_seat actors[SEATS_MAX]; /* the current step's */
	size_t nactors;
	struct run_seat wits[SEATS_MAX];
	size_t nwits;
};

/* Empty attendance, empty step. */
void seats_init(struct seats *ss);

/* ------------------------------------------------------------------ */
/* Attendance                                                          */

/* Forget the attendance (and the step). */
void seats_attendance_clear(struct seats *ss);

/* Seat person p in role ro. 0, or CE_ERR_TOO_LARGE past SEATS_MAX seats. */
int seats_attendance_add(struct seats *ss, const struct roster_person *p, enum role ro)
	__attribute__((warn_unused_result));

/* The policy's attendance check (policy 4.2.3, 4.2.4, 4.3.2, 4.3.4, 5.2.1)
 * on the persons seated: policy_check_attendance's codes and report. */
int seats_attendance_check(const struct seats *ss, const struct script *s, const struct roster *r,
			   const struct roster_date *today, struct diag *d)
	__attribute__((warn_unused_result));

/* 1 when seat k of the attendance is its person's first seat (a person in
 * two roles confirms presence once), else 0. */
int seats_attendance_first(const struct seats *ss, size_t k);

/* How many seats of the attendance are in role ro. */
size_t seats_seated_in(const struct seats *ss, enum role ro);

/* The attendance seat of person `id` in role ro (borrowed), or NULL. */
const struct run_seat *seats_find(const struct seats *ss, const char *id, enum role ro);

/* The ids seated in role ro, ", "-separated, into buf (cut with "..." when
 * longer than cap - 1): the choices a prompt shows. */
void seats_ids_in(const struct seats *ss, enum role ro, char *buf, size_t cap);

/* Remove person's seat in role ro: from then on they cannot act or witness
 * in that role. 1 if a seat was removed, 0 if there was none. */
int seats_retire(struct seats *ss, const struct roster_person *person, enum role ro);

/* ------------------------------------------------------------------ */
/* A step                                                              */

/* Forget the current step's actors and witnesses. */
void seats_step_clear(struct seats *ss);

/* Forget one side of the current step. */
void seats_side_clear(struct seats *ss, enum seats_side side);

/* The number of seats in role ro that side of step st needs. */
unsigned seats_side_need(const struct script_step *st, enum seats_side side, enum role ro);

/* When exactly as many persons are seated in role ro as that side of st
 * needs, there is nothing to choose: they are all added to that side and 1
 * is returned. Otherwise nothing changes and 0 is returned. */
int seats_side_fill_all(struct seats *ss, const struct script_step *st, enum seats_side side,
			enum role ro);

/* Add the person `id` to a side of the step in role ro. 0; CE_ERR_NOT_FOUND
 * when `id` is not seated in role ro (nobody acts or witnesses in a role
 * they were not seated in); CE_ERR_TOO_LARGE. The step check below judges
 * the whole step (distinct persons, no actor witnessing). */
int seats_side_add(struct seats *ss, enum seats_side side, enum role ro, const char *id)
	__attribute__((warn_unused_result));

/* The policy's step check (policy 4.2.3, 5.2.1: seated roles, counts,
 * distinct actors, distinct witnesses, an actor never witnesses their own
 * step): policy_check_step's codes and report. */
int seats_step_check(const struct seats *ss, const struct script_step *st, struct diag *d)
	__attribute__((warn_unused_result));

/* The step's actors in role ro, in order: up to max copied into out;
 * returns how many there are (may exceed max). */
size_t seats_actors_in(const struct seats *ss, enum role ro, const struct run_seat **out,
		       size_t max);

/* ------------------------------------------------------------------ */
/* For the policy                                                      */

/* The seats in[0..n) as the policy's seats, into out (n entries). */
void seats_policy_fill(const struct run_seat *in, size_t n, struct policy_seat *out);

#endif
