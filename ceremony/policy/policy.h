/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/policy.h - the policy checks (/work/shared/POLICY.md clauses):
 *   4.2.1 trusted roles           4.2.3 nobody acts in a role not granted
 *   4.2.4 forbidden role pairs    4.3.2 vetting at most 2 years old
 *   4.3.4 training at most 1 year old
 *   5.2.1 multi-person control: an actor never witnesses their own step,
 *         quorum shares come from distinct key holders.
 *
 * Every check reports all it finds into a struct diag (d may be NULL: then
 * the first error is the ce_err detail) and returns 0 when clean or
 * CE_ERR_POLICY when it found at least one error (CE_ERR_NOMEM if a report
 * could not be recorded). Warnings (e.g. vetting going stale within
 * POLICY_SOON_DAYS) never make a check fail. Messages cite the clause:
 * "policy 4.2.4: alice holds security-officer and hsm-administrator".
 *
 * "today" is passed in so tests and rehearsals can fix the date; the CLI
 * uses roster_date_today() unless told --today.
 *
 * Who calls what:
 *   lint:     policy_check_roster_for(), policy_check_lint()
 *   roster check: policy_check_roster_for(r, today, NULL, ...) (all roles)
 *   runner at attendance:     policy_check_attendance()
 *   runner at each step:      policy_check_step()
 *   runner at quorum entry:   policy_check_quorum()
 *   verifier on a transcript: the same three, with the persons it read.
 * All pointers are borrowed; nothing is secret.
 */
#ifndef CE_CEREMONY_POLICY_H
#define CE_CEREMONY_POLICY_H

#include "ceremony/model/diag.h"
#include "ceremony/model/role.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"

#include <stddef.h>

#define POLICY_SOON_DAYS 30

/* Whether a person may act on a day, and until when. */
struct policy_status {
	struct roster_date vetting_until, training_until; /* last valid day */
	int vetting_stale, training_stale;   /* today is after the last valid day */
	int vetting_future, training_future; /* the date is after today */
	int vetting_soon, training_soon;     /* stale within POLICY_SOON_DAYS */
};

void policy_person_status(const struct roster *r, const struct roster_person *p,
			  const struct roster_date *today, struct policy_status *out);

/* True when the person may take part today: vetting and training valid. */
int policy_person_eligible(const struct roster *r, const struct roster_person *p,
			   const struct roster_date *today);

/* policy 4.2.4: is {a, b} forbidden for one person under r's policy? */
int policy_pair_forbidden(const struct roster *r, enum role a, enum role b);

/* The first forbidden pair within set, 1 and *pair set, or 0 if none. */
int policy_set_conflict(const struct roster *r, role_set set, struct role_pair *pair);

/* Check the roster's people: forbidden pairs among their granted roles
 * (4.2.4), vetting (4.3.2) and training (4.3.4) on today (errors; warnings
 * when going stale soon or dated in the future is an error). With used != 0,
 * only persons holding at least one role in used are checked. */
int policy_check_roster_for(const struct roster *r, const struct roster_date *today,
			    role_set used, struct diag *d);

/* Everything lint can know before the ceremony: each role slot fillable by
 * enough eligible persons; each step's actors and witnesses distinct persons
 * (5.2.1) within the declared roles; quorums feasible (enough eligible key
 * holders for each secret's layout, quorum steps with enough key-holder
 * actors, issuing steps with a key holder per share); and one assignment of
 * eligible persons to all role slots with no forbidden pair (4.2.4) in which
 * every step finds distinct actors and witnesses. Errors point at the script
 * (or the roster for a person). */
int policy_check_lint(const struct script *s, const struct roster *r,
		      const struct roster_date *today, struct diag *d);

/* A person in a role slot. */
struct policy_seat {
	const struct roster_person *person; /* from r; NULL = unknown person */
	const char *person_id;              /* the id as entered, for messages */
	enum role role;
};

/* At attendance: seats is who fills which role in this ceremony. Checks each
 * person is known, holds the role (4.2.3), is vetted and trained (4.3.2,
 * 4.3.4), sits at most once per role, has no forbidden pair among the roles
 * they fill here (4.2.4), that every role the script needs has at least its
 * count, that no seat is for a role the script does not use, and that with
 * these persons every step of the script can have distinct actors and
 * witnesses (5.2.1), so the ceremony cannot get stuck half-way. */
int policy_check_attendance(const struct script *s, const struct roster *r,
			    const struct roster_date *today, const struct policy_seat *seats,
			    size_t nseats, struct diag *d);

/* At a step: actors and witnesses are seats taken from the attendance. Checks
 * each is seated in attendance in that role (4.2.3), the counts per role meet
 * the step's, actors are distinct persons, witnesses are distinct persons and
 * no actor is a witness (5.2.1). */
int policy_check_step(const struct script_step *st, const struct policy_seat *attendance,
		      size_t natt, const struct policy_seat *actors, size_t nactors,
		      const struct policy_seat *witnesses, size_t nwitnesses, struct diag *d);

/* policy 5.2.1, the rule itself: 1 when person is one of the nactors
 * actors (same person id), i.e. would witness a step they act in; else 0.
 * Symmetric: with the witnesses as "actors" it tells whether an actor already
 * witnesses. policy_check_step applies it to each witness; the verifier to
 * each person as a transcript line shows them. */
int policy_step_self_witness(const struct policy_seat *actors, size_t nactors,
			     const struct policy_seat *person);

/* At quorum entry for secret sec: holder_ids are the persons who entered
 * shares. Checks they are distinct (5.2.1), each seated as key-holder in the
 * attendance, and at least the layout's smallest quorum. (That each share is
 * the one issued to its holder is checked against the transcript's
 * commitments by the runner.) */
int policy_check_quorum(const struct script_secret *sec, const struct script_layout *layout,
			const char *const *holder_ids, size_t nholders,
			const struct policy_seat *attendance, size_t natt, struct diag *d);

#endif
