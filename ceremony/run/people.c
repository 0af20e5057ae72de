/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/people.c - the prompts that seat persons at attendance and
 * choose each step's actors and witnesses, and the run.h accessors for them.
 * Whether a person may sit, act or witness is decided by ceremony/run/seats.c
 * with the policy's checks; this file asks, shows the refusals and records
 * the events.
 */
#include "ceremony/run/context.h"

#include "common/err.h"
#include "shares/ui/ui.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* People of the step (run.h)                                          */

const struct run_seat *run_step_actors(const struct run_ctx *rc, size_t *n)
{
	*n = rc->seats.nactors;
	return rc->seats.actors;
}

const struct run_seat *run_step_witnesses(const struct run_ctx *rc, size_t *n)
{
	*n = rc->seats.nwits;
	return rc->seats.wits;
}

size_t run_step_actors_in(const struct run_ctx *rc, enum role role, const struct run_seat **out,
			  size_t max)
{
	return seats_actors_in(&rc->seats, role, out, max);
}

const struct run_seat *run_attendance(const struct run_ctx *rc, size_t *n)
{
	*n = rc->seats.natt;
	return rc->seats.att;
}

int run_seat_retire(struct run_ctx *rc, const struct roster_person *person, enum role role)
{
	return seats_retire(&rc->seats, person, role);
}

/* ------------------------------------------------------------------ */
/* Attendance                                                          */

static void diag_show(struct run_ctx *rc, const struct diag *d)
{
	char line[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], line, sizeof(line));
		console_say(rc->con, "  %s", line);
	}
}

/* The roster's persons granted role, for the seat prompt. */
static void role_candidates(const struct run_ctx *rc, enum role ro, char *buf, size_t cap)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < rc->r->npeople && len + 1 < cap; i++)
		if (rc->r->people[i].roles & ROLE_BIT(ro))
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
						rc->r->people[i].id);
	if (len >= cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

/* Ask who sits in slot i of role ro until the answer is a roster person. */
static int slot_ask(struct run_ctx *rc, enum role ro, unsigned i,
		    const struct roster_person **out)
{
	char key[CONSOLE_KEY_MAX], prompt[512], ans[RUN_ANSWER_MAX], cands[256];
	int r;

	snprintf(key, sizeof(key), "seat.%s.%u", role_name(ro), i);
	role_candidates(rc, ro, cands, sizeof(cands));
	snprintf(prompt, sizeof(prompt), "%s %u of %u - id? (%s)", role_name(ro), i,
		 rc->s->roles[ro], cands);
	for (;;) {
		r = run_ask(rc, key, prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		*out = roster_person_find(rc->r, ans);
		if (*out != NULL)
			return 0;
		console_say(rc->con, "  '%s' is not in the roster %s.", ans, rc->r->path);
		if (console_is_scripted(rc->con))
			return ce_err_set(CE_ERR_NOT_FOUND, "[%s]: '%s' is not in the roster %s", key,
					  ans, rc->r->path);
	}
}

/* Fill every role slot of the script, in role order. */
static int slots_fill(struct run_ctx *rc)
{
	const struct roster_person *p;
	unsigned ro, i;
	int r;

	seats_attendance_clear(&rc->seats);
	console_say(rc->con, "Attendance: the operator seats a person in every role slot.");
	for (ro = 0; ro < ROLE_COUNT; ro++)
		for (i = 1; i <= rc->s->roles[ro]; i++) {
			if (rc->seats.natt == SEATS_MAX)
				return ce_err_set(CE_ERR_TOO_LARGE, "more than %d seats", SEATS_MAX);
			r = slot_ask(rc, (enum role)ro, i, &p);
			if (r < 0)
				return r;
			r = seats_attendance_add(&rc->seats, p, (enum role)ro);
			if (r < 0)
				return r;
		}
	return 0;
}

/* attendance: card: seat k's person presents their card until it is
 * accepted (each refusal said; the person is not seated until then). seq:
 * the sequence number their attendance event will have. */
static int presence_card(struct run_ctx *rc, size_t k, uint64_t seq, const char *key,
			 const char *prompt)
{
	const struct roster_person *p = rc->seats.att[k].person;
	int r;

	for (;;) {
		r = attend_card_check(rc, k, seq);
		if (r == 0 || r == CE_ERR_ABORTED)
			return r;
		console_say(rc->con, "  REFUSED: %s is not seated: %s", p->id,
			    ce_err_detail()[0] ? ce_err_detail() : ce_strerror(r));
		ce_err_clear();
		r = run_confirm(rc, key, prompt, p->id);
		if (r < 0)
			return r;
	}
}

/* Each person confirms presence, once per person (by card when the script
 * says attendance: card). */
static int presence_confirm(struct run_ctx *rc)
{
	char key[CONSOLE_KEY_MAX], prompt[512];
	const struct roster_person *p;
	uint64_t seq = transcript_next_seq(rc->t);
	size_t k;
	int r, card = rc->s->attendance == SCRIPT_ATTEND_CARD;

	for (k = 0; k < rc->seats.natt; k++) {
		if (!seats_attendance_first(&rc->seats, k)) {
			seq++; /* its role.assign */
			continue;
		}
		p = rc->seats.att[k].person;
		snprintf(key, sizeof(key), "present.%s", p->id);
		snprintf(prompt, sizeof(prompt), card ? "%s: insert your card, then type your id:"
						      : "%s: type your id to confirm you are present:",
			 p->name);
		r = run_confirm(rc, key, prompt, p->id);
		if (r == 0 && card)
			r = presence_card(rc, k, seq, key, prompt);
		if (r < 0)
			return r;
		seq += 2; /* attendance, role.assign */
	}
	return 0;
}

/* attendance (once per person) and role.assign (per seat). Recorded before
 * the attendance step starts, so the persons present are not counted among
 * its actors. */
static int attendance_record(struct run_ctx *rc)
{
	json_t *persons = NULL, *d = NULL;
	size_t k;
	int r = CE_ERR_INTERNAL;

	for (k = 0; k < rc->seats.natt; k++) {
		persons = run_seat_list_json(&rc->seats.att[k]);
		if (persons == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		if (seats_attendance_first(&rc->seats, k)) {
			d = json_pack("{s:s}", "status", "present");
			if (d != NULL && rc->att_card[k] != NULL &&
			    json_object_set(d, "card", rc->att_card[k]) != 0) {
				json_decref(d);
				d = NULL;
			}
			r = d == NULL ? CE_ERR_NOMEM
				      : events_append_at(rc, "attendance", NULL, persons, NULL, d);
			json_decref(d);
			d = NULL;
			if (r < 0)
				goto out;
		}
		d = json_pack("{s:s}", "role", role_name(rc->seats.att[k].role));
		r = d == NULL ? CE_ERR_NOMEM : events_append_at(rc, "role.assign", NULL, persons, NULL, d);
		if (r < 0)
			goto out;
		json_decref(d);
		json_decref(persons);
		d = persons = NULL;
	}
	r = 0;
out:
	json_decref(d);
	json_decref(persons);
	return r;
}

int people_attendance_seat(struct run_ctx *rc)
{
	struct diag d;
	int r = CE_ERR_INTERNAL;

	diag_init(&d);
	for (;;) {
		r = slots_fill(rc);
		if (r < 0)
			goto out;
		diag_free(&d);
		diag_init(&d);
		r = seats_attendance_check(&rc->seats, rc->s, rc->r, &rc->today, &d);
		if (r == 0)
			break;
		if (r != CE_ERR_POLICY)
			goto out;
		console_say(rc->con, "These persons cannot hold these seats:");
		diag_show(rc, &d);
		if (console_is_scripted(rc->con)) {
			/* an answer file does not change its mind: refuse */
			r = ce_err_set(CE_ERR_POLICY, "attendance refused: %s",
				       d.n ? d.items[0].msg : "policy");
			goto out;
		}
		console_say(rc->con, "Seat the persons again (or type abort).");
	}
	r = presence_confirm(rc);
	if (r < 0)
		goto out;
	r = attendance_record(rc);
	if (r < 0)
		goto out;
	rc->seated = 1;
	r = 0;
out:
	diag_free(&d);
	return r;
}

/* ------------------------------------------------------------------ */
/* Actors and witnesses of a step                                      */

/* Ask for the `need` persons of role ro on one side of st. */
static int side_role_ask(struct run_ctx *rc, const struct script_step *st, enum seats_side side,
			 enum role ro)
{
	const int wit = side == SEATS_WITNESSES;
	const unsigned need = seats_side_need(st, side, ro);
	char key[CONSOLE_KEY_MAX], prompt[512], ans[RUN_ANSWER_MAX], list[256];
	unsigned i;
	int r;

	seats_ids_in(&rc->seats, ro, list, sizeof(list));
	for (i = 1; i <= need; i++) {
		snprintf(key, sizeof(key), "%s.%s.%s.%u", wit ? "witness-of" : "actor-of", st->id,
			 role_name(ro), i);
		snprintf(prompt, sizeof(prompt), "Who %s step %s as %s (%u of %u)? id (%s):",
			 wit ? "witnesses" : "acts in", st->id, role_name(ro), i, need, list);
		for (;;) {
			r = run_ask(rc, key, prompt, ans, sizeof(ans));
			if (r < 0)
				return r;
			r = seats_side_add(&rc->seats, side, ro, ans);
			if (r == 0)
				break;
			if (r != CE_ERR_NOT_FOUND)
				return r;
			ce_err_clear();
			console_say(rc->con, "  '%s' is not seated as %s.", ans, role_name(ro));
			if (console_is_scripted(rc->con))
				return ce_err_set(CE_ERR_POLICY, "[%s]: '%s' is not seated as %s", key,
						  ans, role_name(ro));
		}
	}
	return 0;
}

/* Fill one side (actors or witnesses) of the step: a role with exactly as
 * many persons seated as needed is filled without asking, unless force. */
static int side_choose(struct run_ctx *rc, const struct script_step *st, enum seats_side side,
		       int force)
{
	unsigned ro;
	int r;

	seats_side_clear(&rc->seats, side);
	for (ro = 0; ro < ROLE_COUNT; ro++) {
		if (seats_side_need(st, side, (enum role)ro) == 0)
			continue;
		if (!force && seats_side_fill_all(&rc->seats, st, side, (enum role)ro))
			continue;
		r = side_role_ask(rc, st, side, (enum role)ro);
		if (r < 0)
			return r;
	}
	return 0;
}

int people_step_choose(struct run_ctx *rc, const struct script_step *st)
{
	struct diag d;
	int r = CE_ERR_INTERNAL, force = 0;

	diag_init(&d);
	for (;;) {
		r = side_choose(rc, st, SEATS_ACTORS, force);
		if (r < 0)
			goto out;
		r = side_choose(rc, st, SEATS_WITNESSES, force);
		if (r < 0)
			goto out;
		diag_free(&d);
		diag_init(&d);
		r = seats_step_check(&rc->seats, st, &d);
		if (r == 0)
			break;
		if (r != CE_ERR_POLICY)
			goto out;
		console_say(rc->con, "Step %s cannot go on with these persons:", st->id);
		diag_show(rc, &d);
		if (console_is_scripted(rc->con) && force) {
			r = ce_err_set(CE_ERR_POLICY, "step %s refused: %s", st->id,
				       d.n ? d.items[0].msg : "policy");
			goto out;
		}
		console_say(rc->con, "Choose the actors and witnesses of step %s again.", st->id);
		force = 1;
	}
	r = 0;
out:
	diag_free(&d);
	return r;
}

void people_step_announce(struct run_ctx *rc, const struct script_step *st)
{
	const struct seats *ss = &rc->seats;
	char line[2048];
	size_t i, len;

	len = (size_t)snprintf(line, sizeof(line), "Step %zu/%zu [%s] %s - acting: ", st->index + 1,
			       rc->s->nsteps, st->id, st->title);
	for (i = 0; i < ss->nactors && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s (%s)", i ? ", " : "",
					ss->actors[i].person->name, role_name(ss->actors[i].role));
	if (len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len, "; witnessing: ");
	for (i = 0; i < ss->nwits && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s (%s)", i ? ", " : "",
					ss->wits[i].person->name, role_name(ss->wits[i].role));
	console_say(rc->con, "%s", "");
	console_say(rc->con, "%s", line);
	if (st->note != NULL)
		console_say(rc->con, "  Note: %s", st->note);
}

int people_witnesses_confirm(struct run_ctx *rc, const struct script_step *st)
{
	char key[CONSOLE_KEY_MAX], prompt[512];
	json_t *actors = NULL, *w = NULL;
	size_t i;
	int r = CE_ERR_INTERNAL;

	actors = run_actors_json(rc);
	if (actors == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < rc->seats.nwits; i++) {
		const struct run_seat *ws = &rc->seats.wits[i];

		snprintf(key, sizeof(key), "witness.%s.%s", st->id, ws->person->id);
		snprintf(prompt, sizeof(prompt), "%s, witness of step %s: type \"confirm\":",
			 ws->person->name, st->id);
		r = run_confirm(rc, key, prompt, "confirm");
		if (r < 0)
			goto out;
		w = run_seat_list_json(ws);
		if (w == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		r = run_event(rc, "witness.confirm", actors, w, NULL);
		if (r < 0)
			goto out;
		json_decref(w);
		w = NULL;
	}
	r = 0;
out:
	json_decref(actors);
	json_decref(w);
	return r;
}

/* ------------------------------------------------------------------ */
/* The terminal's size for the share screens                          */

/* The largest secret whose shares the script issues on screen, in bytes;
 * 0 when it issues none. */
static size_t issued_secret_bytes(const struct script *s)
{
	const struct script_param_spec *ps;
	const struct script_secret *sec;
	size_t i, max = 0, b;

	for (i = 0; i < s->nsteps; i++)
		for (ps = s->steps[i].action->params; ps != NULL && ps->key != NULL; ps++) {
			if (ps->type != PT_SECRET || !(ps->use & SECRET_USE_ISSUE))
				continue;
			sec = script_secret_find(s, script_param_str(&s->steps[i], ps->key)
							    ? script_param_str(&s->steps[i], ps->key)
							    : "");
			if (sec == NULL)
				continue;
			if (sec->kind == SECRET_AES256)
				b = 32;
			else /* AES-128, and a PIN: the 16-byte secret it is derived from */
				b = P11_PIN_SECRET_BYTES;
			if (b > max)
				max = b;
		}
	return max;
}

/* When shares will be shown with their QR code and the terminal is too small
 * for it: say so now, at the start, not at the first share screen; the
 * operator enlarges the window or goes on without QR codes. */
static int people_terminal_check(struct run_ctx *rc)
{
	char ans[RUN_ANSWER_MAX], prompt[512];
	size_t bytes = rc->opts->rehearsal ? 0 : issued_secret_bytes(rc->s);
	size_t words = shares_ui_words_for_secret(bytes), need_r = 0, need_c = 0, rows, cols;
	int r;

	if (bytes == 0 || console_is_scripted(rc->con))
		return 0;
	while ((r = shares_ui_qr_fits(console_out(rc->con), words, &need_r, &need_c, &rows,
				      &cols)) == 0) {
		snprintf(prompt, sizeof(prompt),
			 "The QR codes of the shares need a terminal of %zu lines and %zu columns; "
			 "this one is %zux%zu. Enlarge the window and press Enter, or type no-qr to "
			 "go on without the QR codes (the words alone are shown):",
			 need_r, need_c, rows, cols);
		r = console_ask_empty(rc->con, "terminal", prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		if (strcmp(ans, "no-qr") == 0) {
			console_say(rc->con, "  Going on without QR codes: the share screens show "
					     "the words only.");
			return 0;
		}
	}
	return r < 0 ? r : 0;
}

/* The roster's ids, for the operator's prompt. */
static void roster_ids(const struct roster *ro, char *buf, size_t cap)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ro->npeople && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
					ro->people[i].id);
	if (len >= cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

/* Who runs the console: recorded in ceremony.start and ceremony.end. Asked
 * before the transcript opens: an abort here leaves nothing behind. */
int people_operator_ask(struct run_ctx *rc)
{
	char ans[RUN_ANSWER_MAX], ids[256], prompt[384];
	int r;

	r = people_terminal_check(rc);
	if (r < 0)
		return r;
	roster_ids(rc->r, ids, sizeof(ids));
	snprintf(prompt, sizeof(prompt), "Console operator - your roster id? (%s)", ids);
	for (;;) {
		r = run_ask(rc, "operator", prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		rc->operator = roster_person_find(rc->r, ans);
		if (rc->operator != NULL)
			return 0;
		console_say(rc->con, "  '%s' is not in the roster %s (its ids: %s).", ans,
			    rc->r->path, ids);
		if (console_is_scripted(rc->con))
			return ce_err_set(CE_ERR_NOT_FOUND, "[operator]: '%s' is not in the roster %s",
					  ans, rc->r->path);
	}
}
