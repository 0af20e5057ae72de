/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/shares_collect.c - run_shares_collect (ceremony/run/run.h):
 * the key holders of the step present their shares one at a time; each is
 * checked against the registry (the share issued to that holder, in the
 * current set: registry_share_check) and recorded (quorum.share) until they
 * meet the quorum (quorum_check, the verifier's own rule) and combine; then
 * the policy's quorum check and quorum.met.
 *
 * Uses the runner through run.h and internal.h only.
 */
#include "ceremony/run/internal.h"

#include "ceremony/policy/quorum.h"
#include "ceremony/run/rehearsal.h"
#include "ceremony/run/seal.h"
#include "ceremony/run/seats.h"
#include "common/err.h"
#include "common/secmem.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"

#include <stdio.h>
#include <string.h>

_Static_assert(RUN_PIN_DERIVATION_MAX == REGISTRY_DERIVATION_MAX &&
		       P11_PIN_DERIVATION_MAX == REGISTRY_DERIVATION_MAX,
	       "one size for a PIN derivation string");

/* A quorum being collected. shares and out are SECRET (secmem). */
struct collect {
	struct run_ctx *rc;
	const struct script_secret *sec;
	const struct script_step *st;
	struct slip39_share *shares; /* accepted ones: n of them */
	const char *ids[SEATS_MAX];  /* their holders */
	struct quorum_share pos[SEATS_MAX]; /* their (group, member) */
	size_t n, presented, nh;
	unsigned need;
	struct script_layout layout; /* the secret's at this step (script_quorum_layout) */
	char set[REGISTRY_SET_MAX_LEN]; /* of the last share presented */
	char key[CONSOLE_KEY_MAX];      /* of the current holder's prompt */
	char name[128];                 /* of the last share presented (registry_share_name) */
	int by_card;                    /* the last share was opened with the holder's card */
};

/* The key-holder actor of the step with this id, or NULL. */
static const struct run_seat *holder_seat(struct run_ctx *rc, const char *id)
{
	size_t i, n;
	const struct run_seat *a = run_step_actors(rc, &n);

	for (i = 0; i < n; i++)
		if (a[i].role == ROLE_KEY_HOLDER && strcmp(a[i].person->id, id) == 0)
			return &a[i];
	return NULL;
}

/* Has holder id already entered an accepted share? */
static int holder_done(const struct collect *c, const char *id)
{
	size_t k;

	for (k = 0; k < c->n; k++)
		if (strcmp(c->ids[k], id) == 0)
			return 1;
	return 0;
}

/* The key holders of the step who may still present a share, ", "-separated
 * (the prompt's list and the refusals'). */
static void holder_eligible(const struct collect *c, char *buf, size_t cap)
{
	size_t i, n, len = 0;
	const struct run_seat *a = run_step_actors(c->rc, &n);

	buf[0] = '\0';
	for (i = 0; i < n && len < cap; i++)
		if (a[i].role == ROLE_KEY_HOLDER && !holder_done(c, a[i].person->id))
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
						a[i].person->id);
	if (len >= cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

/* Why ans may not present a share now, into why. */
static void holder_refusal(const struct collect *c, const char *ans, const char *eligible,
			   char *why, size_t cap)
{
	struct run_ctx *rc = c->rc;
	const struct run_seat *att;
	size_t i, n;
	int seated = 0;

	if (holder_seat(rc, ans) != NULL) {
		snprintf(why, cap, "'%s' has already entered a share of %s (who may still: %s)", ans,
			 c->sec->name, eligible);
		return;
	}
	if (roster_person_find(run_roster(rc), ans) == NULL) {
		snprintf(why, cap, "'%s' is not in the roster (who may: %s)", ans, eligible);
		return;
	}
	att = run_attendance(rc, &n);
	for (i = 0; i < n; i++)
		if (att[i].role == ROLE_KEY_HOLDER && strcmp(att[i].person->id, ans) == 0)
			seated = 1;
	if (seated)
		snprintf(why, cap, "'%s' is seated as key holder today but does not act in step %s "
				   "(who may: %s)", ans, c->st->id, eligible);
	else
		snprintf(why, cap, "'%s' is not seated today as key holder; the key holders of step "
				   "%s are: %s", ans, c->st->id, eligible);
}

/* The step-up gate: the screen is cleared, the next holder steps up alone and
 * types their id: a key holder of the step who has not entered a share yet. */
static int holder_ask(struct collect *c, const struct run_seat **out)
{
	struct run_ctx *rc = c->rc;
	char ans[RUN_ANSWER_MAX], eligible[256], prompt[512], why[640];
	const struct run_seat *seat;
	int r;

	snprintf(c->key, sizeof(c->key), "holder.%s.%zu", c->st->id, c->presented + 1);
	holder_eligible(c, eligible, sizeof(eligible));
	snprintf(prompt, sizeof(prompt), "Key holder at the keyboard: type your id (%s):",
		 eligible);
	r = console_gate(run_console(rc), c->key, NULL);
	if (r < 0)
		return r;
	for (;;) {
		r = run_ask(rc, c->key, prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		seat = holder_seat(rc, ans);
		if (seat != NULL && !holder_done(c, seat->person->id)) {
			*out = seat;
			return 0;
		}
		holder_refusal(c, ans, eligible, why, sizeof(why));
		run_say(rc, "  %s.", why);
		if (console_is_scripted(run_console(rc)))
			return ce_err_set(CE_ERR_POLICY, "[%s]: %s", c->key, why);
	}
}

/* The holder's share of the current set is sealed to their card: 1 when it
 * is opened with the card (delivery both: the holder chooses), else 0. */
static int share_sealed(struct collect *c, const struct run_seat *seat,
			const struct registry_share **out)
{
	const struct registry_share *e;
	char key[CONSOLE_KEY_MAX], prompt[512], ans[RUN_ANSWER_MAX];
	int r;

	e = registry_holder_find(run_registry(c->rc), c->sec->name, seat->person->id);
	*out = e;
	if (e == NULL || e->sealed_file == NULL)
		return 0;
	if (!e->sealed_both)
		return 1;
	snprintf(key, sizeof(key), "delivery.%s.%s", c->st->id, seat->person->id);
	snprintf(prompt, sizeof(prompt), "%s: present your share of %s with your card or as "
					 "words? (card/words)", seat->person->name, c->sec->name);
	for (;;) {
		r = run_ask(c->rc, key, prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		if (strcmp(ans, "card") == 0 || strcmp(ans, "words") == 0)
			return strcmp(ans, "card") == 0;
		run_say(c->rc, "  Answer card or words.");
		if (console_is_scripted(run_console(c->rc)))
			return ce_err_set(CE_ERR_FORMAT, "[%s]: answer card or words", key);
	}
}

/* The holder enters their share into *share (rehearsal: from their file;
 * sealed: opened with their card). */
static int share_enter(struct collect *c, const struct run_seat *seat,
		       struct slip39_share *share)
{
	struct run_ctx *rc = c->rc;
	const struct shares_ui_term *t = NULL;
	const struct registry_share *e = NULL;
	char prompt[512];
	int r;

	c->by_card = 0;
	r = share_sealed(c, seat, &e);
	if (r < 0)
		return r;
	if (r == 1) {
		c->by_card = 1;
		return seal_share_open(rc, seat->person, e, share);
	}
	if (run_is_rehearsal(rc))
		return rehearsal_file_read(run_outdir(rc), run_registry(rc), seat->person->id,
					   c->sec->name, share);
	r = console_term(run_console(rc), &t);
	if (r < 0)
		return r;
	console_clear(run_console(rc));
	snprintf(prompt, sizeof(prompt), "%s: enter your share of %s (%u of the %u shares "
					 "needed are in)", seat->person->name, c->sec->name,
		 (unsigned)c->n, c->need);
	r = shares_ui_enter(t, prompt, share);
	console_clear(run_console(rc));
	if (r == CE_ERR_ABORTED)
		r = console_abort(run_console(rc), c->key);
	return r;
}

/* Is the share split with the secret's layout? 0, or CE_ERR_VERIFY with why:
 * its groups are counted against that layout (quorum_check). */
static int share_layout_check(const struct collect *c, const struct slip39_share *share,
			      char *why, size_t cap)
{
	const struct script_layout *l = &c->layout;

	if (share->group_count == l->ngroups && share->group_threshold == l->group_threshold &&
	    share->group_index < l->ngroups &&
	    share->member_threshold == l->groups[share->group_index].threshold &&
	    share->member_index < l->groups[share->group_index].count)
		return 0;
	snprintf(why, cap, "it is from a split %u of %u groups, not the layout of %s (%u of %zu "
			   "groups)",
		 share->group_threshold, share->group_count, c->sec->name, l->group_threshold,
		 l->ngroups);
	return CE_ERR_VERIFY;
}

/* Is share the one issued to holder? 0, or CE_ERR_VERIFY with why. */
static int share_check(struct collect *c, const struct slip39_share *share, const char *holder,
		       char *why, size_t cap)
{
	char *mn = NULL;
	int r = CE_ERR_INTERNAL;

	snprintf(c->set, sizeof(c->set), "%u", (unsigned)share->identifier);
	/* the member count is the layout's (a share does not carry it) */
	registry_share_name(c->name, sizeof(c->name), share->member_index + 1u,
			    share->group_index < c->layout.ngroups
				    ? c->layout.groups[share->group_index].count
				    : 0u,
			    share->group_index + 1u, share->group_count, c->set);
	r = share_layout_check(c, share, why, cap);
	if (r < 0)
		goto out;
	mn = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	if (mn == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = slip39_mnemonic_encode(share, mn, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	r = registry_share_check(run_registry(c->rc), c->sec->name, c->set,
				 share->group_index + 1u, share->member_index + 1u, holder, mn, why,
				 cap);
out:
	secmem_free(mn);
	return r;
}

/* quorum.share: the presentation, accepted (verdict 0) or refused with why. */
static int share_record(struct collect *c, const struct run_seat *seat,
			const struct slip39_share *share, int verdict, const char *why)
{
	json_t *persons = run_seat_list_json(seat), *d = NULL;
	int r = CE_ERR_INTERNAL;

	d = json_pack("{s:s, s:s, s:i, s:i, s:s, s:b}", "secret", c->sec->name, "set", c->set,
		      "group", (int)(share->group_index + 1u), "member",
		      (int)(share->member_index + 1u), "holder", seat->person->id, "accepted",
		      verdict == 0);
	if (persons == NULL || d == NULL ||
	    (verdict != 0 && json_object_set_new(d, "reason", json_string(why)) != 0) ||
	    (c->by_card && json_object_set_new(d, "delivery", json_string("card")) != 0)) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(c->rc, "quorum.share", persons, NULL, d);
out:
	json_decref(persons);
	json_decref(d);
	return r;
}

/* A refused share: the reason and the tries left stay on the screen until
 * the holder presses Enter, then the screen is cleared. */
static int share_refused(struct collect *c, const struct run_seat *seat, const char *why,
			 int tries_left)
{
	struct run_ctx *rc = c->rc;
	char text[1024];

	if (run_is_rehearsal(rc) || tries_left <= 0) {
		run_say(rc, "  %s: %s REFUSED: %s.", seat->person->name, c->name, why);
		return 0;
	}
	snprintf(text, sizeof(text), "%s: %s REFUSED: %s. You may present your share again: "
				     "%d tr%s left.",
		 seat->person->name, c->name, why, tries_left, tries_left == 1 ? "y" : "ies");
	return console_ack(run_console(rc), c->key, text);
}

/* A sealed share the card did not open (code, the detail says why): final in
 * a rehearsal and at the last try (the error returned as it came); else the
 * reason stays on the screen and the holder presents the card again. */
static int share_card_refused(struct collect *c, const struct run_seat *seat, int code,
			      int tries)
{
	struct run_ctx *rc = c->rc;
	char why[768], text[1024];
	int left = RUN_SHARE_TRIES - (tries + 1);

	snprintf(why, sizeof(why), "%s", ce_err_detail());
	if (run_is_rehearsal(rc) || left <= 0)
		return ce_err_set(code, "%s", why);
	ce_err_clear();
	snprintf(text, sizeof(text), "%s: the card did not open the share: %s. Present your "
				     "card again: %d tr%s left.",
		 seat->person->name, why, left, left == 1 ? "y" : "ies");
	return console_ack(run_console(rc), c->key, text);
}

/* "Quorum progress: 1/3" (shares_ui_progress_format), into buf. */
static void share_progress(const struct collect *c, char *buf, size_t cap)
{
	struct shares_ui_progress p;

	shares_ui_progress_from_shares(&p, c->shares, c->n);
	shares_ui_progress_format(buf, cap, &p);
}

/* One holder presents a share, again after a refusal (3 tries; a rehearsal
 * file cannot change: the first refusal is final). An accepted share is
 * kept as c->shares[c->n++]. A rehearsal holder without a share is skipped. */
static int share_present(struct collect *c, const struct run_seat *seat)
{
	struct run_ctx *rc = c->rc;
	struct slip39_share *share = &c->shares[c->n];
	char why[512], full[768];
	int r = CE_ERR_INTERNAL, tries, verdict;

	for (tries = 0;; tries++) {
		r = share_enter(c, seat, share);
		if (c->by_card && (r == CE_ERR_PIN || r == CE_ERR_VERIFY || r == CE_ERR_NOT_FOUND ||
				  r == CE_ERR_MISMATCH || r == RUN_CARD_GONE)) {
			r = share_card_refused(c, seat, r, tries);
			if (r < 0)
				return r;
			continue;
		}
		if (r == CE_ERR_NOT_FOUND && run_is_rehearsal(rc)) {
			run_say(rc, "  %s has no share to present: %s", seat->person->name,
				ce_err_detail());
			ce_err_clear();
			return 0;
		}
		if (r < 0)
			return r;
		verdict = share_check(c, share, seat->person->id, why, sizeof(why));
		if (verdict < 0 && verdict != CE_ERR_VERIFY)
			return verdict;
		snprintf(full, sizeof(full), "%s: %s", c->name, why);
		r = share_record(c, seat, share, verdict, full);
		if (r < 0)
			return r;
		if (verdict == 0) {
			c->ids[c->n] = seat->person->id;
			c->pos[c->n].group = share->group_index + 1u;
			c->pos[c->n].member = share->member_index + 1u;
			c->n++;
			/* stays above the next holder's gate, which clears it */
			share_progress(c, why, sizeof(why));
			run_say(rc, "  %s: %s %saccepted. %s", seat->person->name, c->name,
				c->by_card ? "opened with the card and " : "", why);
			return 0;
		}
		ce_wipe(share, sizeof(*share));
		r = share_refused(c, seat, why,
				  run_is_rehearsal(rc) ? 0 : RUN_SHARE_TRIES - (tries + 1));
		if (r < 0)
			return r;
		if (run_is_rehearsal(rc) || tries + 1 >= RUN_SHARE_TRIES)
			return ce_err_set(CE_ERR_VERIFY, "%s of %s presented by %s refused: %s",
					  c->name, c->sec->name, seat->person->id, why);
	}
}

/* The layout as quorum.met records it: [{threshold, count}, ...]. NULL when
 * out of memory. */
static json_t *layout_json(const struct script_layout *l)
{
	json_t *a = json_array(), *g;
	size_t i;

	for (i = 0; a != NULL && i < l->ngroups; i++) {
		g = json_pack("{s:i, s:i}", "threshold", (int)l->groups[i].threshold, "count",
			      (int)l->groups[i].count);
		if (g == NULL || json_array_append_new(a, g) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* policy 5.2.1: the shares come from distinct seated key holders; then
 * quorum.met. */
static int quorum_record(struct collect *c)
{
	struct run_ctx *rc = c->rc;
	struct policy_seat att[SEATS_MAX];
	const struct run_seat *attendance;
	json_t *persons = json_array(), *holders = json_array(), *d = NULL;
	json_t *groups = layout_json(&c->layout);
	struct diag dg;
	size_t k, att_n;
	int r = CE_ERR_INTERNAL;

	diag_init(&dg);
	attendance = run_attendance(rc, &att_n);
	seats_policy_fill(attendance, att_n, att);
	r = policy_check_quorum(c->sec, &c->layout, c->ids, c->n, att, att_n, &dg);
	if (r < 0)
		goto out;
	if (persons == NULL || holders == NULL || groups == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (k = 0; k < c->n; k++)
		if (json_array_append_new(persons, run_seat_json(holder_seat(rc, c->ids[k]))) != 0 ||
		    json_array_append_new(holders, json_string(c->ids[k])) != 0) {
			r = CE_ERR_NOMEM;
			goto out;
		}
	d = json_pack("{s:s, s:s, s:i, s:i, s:O, s:O}", "secret", c->sec->name, "set", c->set,
		      "threshold", (int)c->need, "group_threshold",
		      (int)c->layout.group_threshold, "groups", groups, "holders", holders);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "quorum.met", persons, NULL, d);
	if (r < 0)
		goto out;
	run_say(rc, "Quorum met for %s (%zu key holders).", c->sec->name, c->n);
	r = 0;
out:
	json_decref(persons);
	json_decref(holders);
	json_decref(groups);
	json_decref(d);
	diag_free(&dg);
	return r;
}

/* Holders present shares until they combine into out (*met set). */
static int quorum_gather(struct collect *c, uint8_t *out, size_t *out_len, int *met)
{
	const struct run_seat *seat = NULL;
	char why[256];
	int r = CE_ERR_INTERNAL;

	*met = 0;
	while (!*met && c->presented < c->nh) {
		r = holder_ask(c, &seat);
		if (r < 0)
			return r;
		c->presented++;
		r = share_present(c, seat);
		if (r < 0)
			return r;
		r = quorum_check(&c->layout, c->pos, c->n, why, sizeof(why));
		if (r == CE_ERR_DUPLICATE || r == CE_ERR_INVALID)
			return ce_err_set(r, "the shares of %s accepted do not fit its layout: %s",
					  c->sec->name, why);
		if (r == 0) {
			r = slip39_combine(c->shares, c->n, NULL, 0, out, out_len);
			if (r == 0)
				*met = 1;
			else if (r != CE_ERR_QUORUM)
				return r;
			ce_err_clear();
		}
	}
	return 0;
}

int run_shares_collect(struct run_ctx *rc, const struct script_secret *sec, uint8_t **secret,
		       size_t *len)
{
	const struct run_seat *hs[SEATS_MAX];
	struct collect c;
	uint8_t *out = NULL;
	size_t out_len = 0;
	char why[256];
	int r = CE_ERR_INTERNAL, met = 0;

	memset(&c, 0, sizeof(c));
	*secret = NULL;
	*len = 0;
	if (registry_current(run_registry(rc), sec->name) == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND,
			       "no shares of %s were issued in this ceremony: give the transcript of "
			       "the ceremony that issued them with --issued-in",
			       sec->name);
		goto out;
	}
	c.rc = rc;
	c.sec = sec;
	c.st = run_step(rc);
	script_quorum_layout(run_script(rc), c.st, sec, &c.layout);
	c.need = script_layout_quorum(&c.layout);
	c.nh = run_step_actors_in(rc, ROLE_KEY_HOLDER, hs, SEATS_MAX);
	if (c.nh > SEATS_MAX)
		c.nh = SEATS_MAX;
	c.shares = secmem_alloc(SEATS_MAX * sizeof(*c.shares));
	out = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	if (c.shares == NULL || out == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	run_say(rc, "Quorum for %s: %u shares are needed; the key holders enter them one at a "
		    "time. Quorum progress: 0/%u", sec->name, c.need, c.need);
	r = quorum_gather(&c, out, &out_len, &met);
	if (r < 0)
		goto out;
	if (!met) {
		/* policy 5.2.1: say which group is short */
		if (quorum_check(&c.layout, c.pos, c.n, why, sizeof(why)) == 0)
			snprintf(why, sizeof(why), "the shares do not combine");
		r = ce_err_set(CE_ERR_QUORUM, "quorum not met for %s: %zu share%s accepted, at least "
					      "%u needed; %s",
			       sec->name, c.n, c.n == 1 ? "" : "s", c.need, why);
		goto out;
	}
	r = quorum_record(&c);
	if (r < 0)
		goto out;
	*secret = out;
	out = NULL; /* transferred */
	*len = out_len;
	r = 0;
out:
	secmem_free(c.shares);
	secmem_free(out);
	return r;
}

int run_pin_from_secret(struct run_ctx *rc, const struct script_secret *sec,
			const uint8_t *secret, size_t len, char **pin, size_t *pin_len,
			char derivation[RUN_PIN_DERIVATION_MAX])
{
	const struct registry_share *cur = registry_current(run_registry(rc), sec->name);
	enum p11_pin_alphabet a;
	size_t plen = 0;
	char *p = NULL;
	int r = CE_ERR_INTERNAL;

	*pin = NULL;
	*pin_len = 0;
	if (derivation != NULL)
		derivation[0] = '\0';
	if (cur == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "%s: no issued set", sec->name);
		goto out;
	}
	if (cur->pin_derivation[0] == '\0') {
		/* issued before derived PINs: the secret is the PIN as text */
		p = secmem_alloc(len + 1);
		if (p == NULL) {
			r = CE_ERR_MLOCK;
			goto out;
		}
		memcpy(p, secret, len);
		plen = len;
	} else {
		r = p11_pin_derivation_parse(cur->pin_derivation, &a, &plen);
		if (r < 0) {
			ce_err_prefix(r, "set %s of %s", cur->set, sec->name);
			goto out;
		}
		r = p11_pin_derive(secret, len, a, plen, &p, &plen);
		if (r < 0)
			goto out;
	}
	if (derivation != NULL)
		memcpy(derivation, cur->pin_derivation, REGISTRY_DERIVATION_MAX);
	*pin = p;
	*pin_len = plen;
	p = NULL; /* transferred */
	r = 0;
out:
	secmem_free(p);
	return r;
}
