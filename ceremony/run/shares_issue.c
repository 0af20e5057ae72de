/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/shares_issue.c - run_shares_issue (ceremony/run/run.h): a
 * secret split into SLIP-39 shares, each shown to its holder alone,
 * committed to in the transcript (share.issued), typed back and checked
 * against the commitment (share.verified), then entered in the registry.
 *
 * Uses the runner through run.h and internal.h only.
 */
#include "ceremony/run/internal.h"

#include "ceremony/model/roster_cert.h"
#include "ceremony/policy/seal_lint.h"
#include "ceremony/run/rehearsal.h"
#include "ceremony/run/seal.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

/* Splits retried when the random set identifier is already one of the
 * secret's sets (a set is found by its identifier). */
#define ISSUE_SPLIT_TRIES 8

/* One share being issued. Everything public but share and mn. */
struct issue {
	struct run_ctx *rc;
	const struct script_secret *sec;
	const char *set;
	const char *derivation;           /* the PIN's (share.issued pin_derivation), or NULL */
	const struct slip39_share *share; /* SECRET, borrowed */
	const struct run_seat *holder;
	unsigned count, g, m; /* shares in the group; 1-based group and member */
	char *mn;             /* SECRET secmem: the share's mnemonic */
	uint8_t salt[REGISTRY_SALT_BYTES], com[REGISTRY_COMMITMENT_BYTES];
	char salt_hex[2 * REGISTRY_SALT_BYTES + 1], com_hex[2 * REGISTRY_COMMITMENT_BYTES + 1];
	char key[CONSOLE_KEY_MAX];
	char label[256];
	char name[128]; /* "share M of N, group G of K, set XXXX" (registry_share_name) */
	char sealed[SEAL_REL_MAX]; /* delivery card/both: OUTDIR/sealed/... ("" none) */
	char sealed_sha[65];
	struct shares_ui_position pos;
	json_t *persons; /* the holder */
};

/* The mnemonic, a fresh salt and the commitment. */
static int issue_commit(struct issue *is)
{
	int r = CE_ERR_INTERNAL;

	r = slip39_mnemonic_encode(is->share, is->mn, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	if (RAND_bytes(is->salt, sizeof(is->salt)) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "RAND_bytes failed");
		goto out;
	}
	r = registry_commit(is->salt, is->mn, is->com);
	if (r < 0)
		goto out;
	hex_encode(is->salt, sizeof(is->salt), is->salt_hex);
	hex_encode(is->com, sizeof(is->com), is->com_hex);
	r = 0;
out:
	return r;
}

/* Show the share to its holder: on the terminal, or (rehearsal, first time
 * only) appended to the holder's file. */
static int issue_show(struct issue *is, int tries)
{
	struct run_ctx *rc = is->rc;
	const struct shares_ui_term *t = NULL;
	int r = CE_ERR_INTERNAL;

	if (run_is_rehearsal(rc)) {
		if (tries > 0)
			return 0;
		r = rehearsal_file_append(run_outdir(rc), is->holder->person->id, is->sec->name,
					  is->set, is->g, is->m, is->mn);
		if (r < 0)
			return r;
		run_say(rc, "  REHEARSAL: %s of %s written to %s/%s/%s.shares", is->name,
			is->sec->name, run_outdir(rc), REHEARSAL_DIR, is->holder->person->id);
		return 0;
	}
	r = console_term(run_console(rc), &t);
	if (r < 0)
		return r;
	r = shares_ui_show(t, &is->pos, is->share);
	if (r == CE_ERR_ABORTED)
		r = console_abort(run_console(rc), is->key);
	return r;
}

/* share.issued of a sealed share: delivery, sealed_file, sealed_sha256,
 * sealed_to (the SPKI SHA-256 of the holder's certificate). */
static int issue_record_sealed(const struct issue *is, json_t *d)
{
	uint8_t spki[32];
	char hex[65];

	if (is->sec->delivery == DELIVERY_WORDS)
		return 0;
	if (roster_spki_sha256(X509_get0_pubkey(is->holder->person->cert), spki) < 0)
		return -1;
	hex_encode(spki, sizeof(spki), hex);
	if (json_object_set_new(d, "delivery", json_string(is->sec->delivery == DELIVERY_CARD
								   ? "card"
								   : "both")) != 0 ||
	    json_object_set_new(d, "sealed_file", json_string(is->sealed)) != 0 ||
	    json_object_set_new(d, "sealed_sha256", json_string(is->sealed_sha)) != 0 ||
	    json_object_set_new(d, "sealed_to", json_string(hex)) != 0)
		return -1;
	return 0;
}

/* share.issued: the commitment, before the share is typed back. */
static int issue_record(struct issue *is)
{
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	d = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "secret", is->sec->name, "set",
		      is->set, "group", (int)is->g, "member", (int)is->m, "holder",
		      is->holder->person->id, "salt", is->salt_hex, "commitment", is->com_hex);
	if (d == NULL || (is->derivation != NULL &&
			  json_object_set_new(d, "pin_derivation", json_string(is->derivation)) != 0) ||
	    issue_record_sealed(is, d) < 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(is->rc, "share.issued", is->persons, NULL, d);
out:
	json_decref(d);
	return r;
}

/* The holder types the share back (rehearsal: read back from the file);
 * it is checked against the commitment and share.verified written. *same:
 * whether it matched. */
static int issue_type_back(struct issue *is, int *same)
{
	struct run_ctx *rc = is->rc;
	const struct shares_ui_term *t = NULL;
	struct slip39_share *back = NULL;
	char *mn2 = NULL, prompt[512];
	uint8_t com2[REGISTRY_COMMITMENT_BYTES];
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	*same = 0;
	back = secmem_alloc(sizeof(*back));
	mn2 = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	if (back == NULL || mn2 == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if (run_is_rehearsal(rc)) {
		r = rehearsal_file_read(run_outdir(rc), run_registry(rc), is->holder->person->id,
					is->sec->name, back);
	} else {
		r = console_term(run_console(rc), &t);
		if (r < 0)
			goto out;
		snprintf(prompt, sizeof(prompt), "%s: type %s of %s back",
			 is->holder->person->name, is->name, is->sec->name);
		r = shares_ui_enter(t, prompt, back);
		if (r == CE_ERR_ABORTED)
			r = console_abort(run_console(rc), is->key);
	}
	if (r < 0)
		goto out;
	r = slip39_mnemonic_encode(back, mn2, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	r = registry_commit(is->salt, mn2, com2);
	if (r < 0)
		goto out;
	*same = ct_memeq(is->com, com2, sizeof(com2));
	d = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}", "secret", is->sec->name, "set", is->set,
		      "group", (int)is->g, "member", (int)is->m, "holder", is->holder->person->id,
		      "result", *same ? "ok" : "failed");
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "share.verified", is->persons, NULL, d);
	if (r < 0)
		goto out;
	if (!run_is_rehearsal(rc))
		console_clear(run_console(rc));
	r = 0;
out:
	secmem_free(back);
	secmem_free(mn2);
	ce_wipe(com2, sizeof(com2));
	json_decref(d);
	return r;
}

/* The holder steps up alone: types their id. */
static int issue_step_up(struct issue *is)
{
	const struct run_seat *h = is->holder;
	char prompt[512];

	int r;

	snprintf(is->key, sizeof(is->key), "issue.%s.%s.%s", run_step(is->rc)->id, is->sec->name,
		 h->person->id);
	/* the gate: nothing of the previous holder is left on the screen */
	r = console_gate(run_console(is->rc), is->key, h->person->name);
	if (r < 0)
		return r;
	snprintf(prompt, sizeof(prompt),
		 "%s: step up alone to the keyboard to receive %s of %s; type your id:",
		 h->person->name, is->name, is->sec->name);
	return run_confirm(is->rc, is->key, prompt, h->person->id);
}

/* Enter the share, checked back, in the registry. */
static int issue_register(struct issue *is, unsigned generation)
{
	struct registry_share e;
	char own[4096];

	char sealed[4096 + SEAL_REL_MAX];

	memset(&e, 0, sizeof(e));
	snprintf(own, sizeof(own), "%s/%s", run_outdir(is->rc), REHEARSAL_DIR);
	if (is->sealed[0] != '\0') {
		snprintf(sealed, sizeof(sealed), "%s/%s", run_outdir(is->rc), is->sealed);
		e.sealed_file = sealed;
		memcpy(e.sealed_sha256, is->sealed_sha, sizeof(e.sealed_sha256));
		e.sealed_both = is->sec->delivery == DELIVERY_BOTH;
	}
	e.secret_name = (char *)is->sec->name; /* registry_add copies */
	e.holder = (char *)is->holder->person->id;
	e.rehearsal_dir = run_is_rehearsal(is->rc) ? own : NULL;
	snprintf(e.set, sizeof(e.set), "%s", is->set);
	e.group = is->g;
	e.member = is->m;
	memcpy(e.salt, is->salt, sizeof(e.salt));
	memcpy(e.commitment, is->com, sizeof(e.commitment));
	e.generation = generation;
	if (is->derivation != NULL)
		snprintf(e.pin_derivation, sizeof(e.pin_derivation), "%s", is->derivation);
	return registry_add(run_registry(is->rc), &e);
}

/* delivery card: the share sealed to the holder's card is its only copy;
 * share.verified says "sealed" (the file was read back and is addressed to
 * the holder's certificate: nobody typed anything back). */
static int issue_sealed_only(struct issue *is, unsigned generation)
{
	json_t *d = NULL;
	int r;

	r = issue_record(is);
	if (r < 0)
		goto out;
	d = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}", "secret", is->sec->name, "set", is->set,
		      "group", (int)is->g, "member", (int)is->m, "holder",
		      is->holder->person->id, "result", "sealed");
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(is->rc, "share.verified", is->persons, NULL, d);
	if (r < 0)
		goto out;
	r = issue_register(is, generation);
	if (r < 0)
		goto out;
	run_say(is->rc, "  %s: %s of %s sealed to their card: %s/%s (safe to store anywhere: "
			"only that card opens it).",
		is->holder->person->name, is->name, is->sec->name, run_outdir(is->rc), is->sealed);
out:
	json_decref(d);
	return r;
}

static int issue_one(struct issue *is, unsigned generation)
{
	struct run_ctx *rc = is->rc;
	int r = CE_ERR_INTERNAL, tries, same = 0;

	is->mn = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	if (is->mn == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = issue_commit(is);
	if (r < 0)
		goto out;
	is->persons = run_seat_list_json(is->holder);
	if (is->persons == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (is->sec->delivery != DELIVERY_WORDS) {
		r = seal_share_write(rc, is->holder->person, is->sec->name, is->set, is->g, is->m,
				     is->mn, is->sealed, is->sealed_sha);
		if (r < 0)
			goto out;
	}
	if (is->sec->delivery == DELIVERY_CARD) {
		r = issue_sealed_only(is, generation);
		goto out;
	}
	r = issue_step_up(is);
	if (r < 0)
		goto out;
	snprintf(is->label, sizeof(is->label), "%s of %s (ceremony %s)", is->sec->name,
		 is->sec->token != NULL ? is->sec->token->name : "wrapping", run_script(rc)->name);
	shares_ui_position_from_share(&is->pos, is->share);
	is->pos.holder = is->holder->person->name;
	is->pos.set_label = is->label;
	for (tries = 0;; tries++) {
		r = issue_show(is, tries);
		if (r < 0)
			goto out;
		if (tries == 0 && (r = issue_record(is)) < 0)
			goto out;
		r = issue_type_back(is, &same);
		if (r < 0)
			goto out;
		if (same)
			break;
		run_say(rc, "  %s: the share typed back is not the one shown.",
			is->holder->person->name);
		if (tries + 1 >= RUN_SHARE_TRIES || run_is_rehearsal(rc)) {
			r = ce_err_set(CE_ERR_VERIFY, "%s could not type %s of %s back",
				       is->holder->person->id, is->name, is->sec->name);
			goto out;
		}
		run_say(rc, "  The share is shown again.");
	}
	r = issue_register(is, generation);
	if (r < 0)
		goto out;
	/* stays above the next holder's gate, which clears it */
	run_say(rc, "  %s: %s of %s typed back and checked.", is->holder->person->name, is->name,
		is->sec->name);
out:
	secmem_free(is->mn);
	is->mn = NULL;
	json_decref(is->persons);
	is->persons = NULL;
	return r;
}

/* The issuance of a PIN's shares stopped half-way: the token holds a PIN
 * whose shares nobody (or not a quorum) holds. Say so, and what to do. */
static void issue_stopped_warn(struct run_ctx *rc, const struct script_secret *sec)
{
	const char *tok = sec->token != NULL ? sec->token->name : NULL;

	if (tok == NULL) {
		run_say(rc, "WARNING: the shares of %s were not all issued: the shares issued so far "
			    "cannot be relied on; run the step again in a new ceremony.", sec->name);
		return;
	}
	if (strcmp(run_step(rc)->action->name, "token.init") == 0)
		run_say(rc, "WARNING: token '%s' is now initialised with %s that nobody holds: the "
			    "shares of %s were not all issued. The token cannot be used: "
			    "re-initialise it with a new token-init ceremony (see "
			    "docs/runbook-hsm-admin.md, \"recover from a failed token init\").", tok,
			sec->kind == SECRET_SO_PIN ? "an SO PIN and a user PIN" : "a user PIN",
			sec->name);
	else
		run_say(rc, "WARNING: the PIN %s of token '%s' was changed but its shares were not "
			    "all issued: nobody holds the new PIN. Recover it as "
			    "docs/runbook-hsm-admin.md says (\"recover from a failed token init\").",
			sec->name, tok);
}

/* slip39_split with the layout, into a set whose identifier is not already
 * a set of the secret in the registry. */
static int issue_split(struct run_ctx *rc, const struct script_secret *sec,
		       const struct script_layout *layout, const uint8_t *secret, size_t len,
		       struct slip39_share_set **set, char set_id[REGISTRY_SET_MAX_LEN])
{
	struct slip39_split_params p;
	size_t g;
	int r = CE_ERR_INTERNAL, tries;

	memset(&p, 0, sizeof(p));
	p.group_threshold = (uint8_t)layout->group_threshold;
	p.group_count = (uint8_t)layout->ngroups;
	for (g = 0; g < layout->ngroups; g++) {
		p.groups[g].threshold = (uint8_t)layout->groups[g].threshold;
		p.groups[g].count = (uint8_t)layout->groups[g].count;
	}
	p.iteration_exponent = 1;
	p.extendable = 1;
	for (tries = 0; tries < ISSUE_SPLIT_TRIES; tries++) {
		slip39_share_set_free(*set);
		*set = NULL;
		r = slip39_split(secret, len, &p, set);
		if (r < 0)
			return r;
		snprintf(set_id, REGISTRY_SET_MAX_LEN, "%u",
			 (unsigned)(*set)->shares[0][0].identifier);
		if (registry_set_find(run_registry(rc), sec->name, set_id) == NULL)
			return 0;
	}
	return ce_err_set(CE_ERR_INTERNAL, "%s: no fresh set identifier after %d splits",
			  sec->name, ISSUE_SPLIT_TRIES);
}

/* delivery card/both: every holder who gets a share has a card to seal it
 * to, before anything is issued. */
static int issue_cards_check(struct run_ctx *rc, const struct script_secret *sec,
			     const struct run_seat *const *hs, size_t n)
{
	char why[160];
	size_t i;

	if (sec->delivery == DELIVERY_WORDS)
		return 0;
	for (i = 0; i < n; i++)
		if (seal_lint_person(hs[i]->person, why, sizeof(why)))
			return ce_err_set(CE_ERR_POLICY, "%s is delivered to cards but key holder "
							 "%s (%s): %s",
					  sec->name, hs[i]->person->name, hs[i]->person->id, why);
	return 0;
}

static int issue_all(struct run_ctx *rc, const struct script_secret *sec,
		     const struct script_layout *layout, const uint8_t *secret, size_t len,
		     const char *derivation)
{
	const struct run_seat *hs[SLIP39_MAX_SHARE_COUNT * SLIP39_MAX_SHARE_COUNT];
	struct slip39_share_set *set = NULL;
	struct issue is;
	size_t nh, total, k = 0, g, m;
	unsigned generation;
	char set_id[REGISTRY_SET_MAX_LEN];
	int r = CE_ERR_INTERNAL;

	nh = run_step_actors_in(rc, ROLE_KEY_HOLDER, hs, sizeof(hs) / sizeof(hs[0]));
	total = script_layout_total(layout);
	if (nh < total) {
		r = ce_err_set(CE_ERR_POLICY, "%s: %zu shares to issue but %zu key holders act in "
					      "step %s",
			       sec->name, total, nh, run_step(rc)->id);
		goto out;
	}
	r = issue_cards_check(rc, sec, hs, total);
	if (r < 0)
		goto out;
	r = issue_split(rc, sec, layout, secret, len, &set, set_id);
	if (r < 0)
		goto out;
	generation = registry_generation_next(run_registry(rc));
	run_say(rc, "Issuing %zu shares of %s (set %s) to the key holders, one at a time.", total,
		sec->name, set_id);
	for (g = 0; g < set->group_count; g++)
		for (m = 0; m < set->member_count[g]; m++) {
			memset(&is, 0, sizeof(is));
			is.rc = rc;
			is.sec = sec;
			is.set = set_id;
			is.derivation = derivation;
			is.share = &set->shares[g][m];
			is.holder = hs[k++];
			is.count = set->member_count[g];
			is.g = is.share->group_index + 1u;
			is.m = is.share->member_index + 1u;
			registry_share_name(is.name, sizeof(is.name), is.m, is.count, is.g,
					    (unsigned)set->group_count, set_id);
			r = issue_one(&is, generation);
			if (r < 0)
				goto out;
		}
	r = 0;
out:
	if (r < 0 && set != NULL)
		issue_stopped_warn(rc, sec);
	slip39_share_set_free(set);
	return r;
}

int run_shares_issue(struct run_ctx *rc, const struct script_secret *sec,
		     const struct script_layout *layout, const uint8_t *secret, size_t len)
{
	return issue_all(rc, sec, layout, secret, len, NULL);
}

int run_pin_shares_issue(struct run_ctx *rc, const struct script_secret *sec,
			 const struct script_layout *layout, const uint8_t *secret, size_t len,
			 const char *derivation)
{
	if (derivation != NULL && derivation[0] == '\0')
		derivation = NULL; /* a set of an older ceremony: the secret is the PIN */
	if (derivation != NULL && strlen(derivation) >= REGISTRY_DERIVATION_MAX)
		return ce_err_set(CE_ERR_INTERNAL, "%s: PIN derivation too long", sec->name);
	return issue_all(rc, sec, layout, secret, len, derivation);
}
