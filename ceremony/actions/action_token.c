/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_token.c - token.init (a blank token, or with
 * reinit: true one initialised already, its current SO PIN typed) and
 * quorum.login.
 *
 * PINs are derived from 16-byte secrets (docs/share-format.md); the shares
 * hold the secrets (20 words each). Each PIN is wiped
 * on the line after the last call that needs it (quorum.login: inside
 * run_token_login_wipe, right after C_Login); the out: labels wipe too.
 */
#include "ceremony/policy/pinplan.h"
#include "ceremony/run/run.h"
#include "ceremony/transcript/jtext.h"
#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/p11.h"
#include "shares/slip39.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The blank token for the script token `tname`: refused when the script's
 * URI already finds an initialised one (only a step with reinit: true
 * re-initialises, reinit_find).
 * *out owned by the caller. */
static int blank_find(struct run_ctx *rc, const char *tname, const struct script_token *spec,
		      struct p11_token **out)
{
	struct p11_token *exists = NULL;
	char *buri = NULL;
	int r = CE_ERR_INTERNAL;

	r = p11_token_find(run_p11(rc), spec->uri, &exists);
	if (r == 0) {
		r = ce_err_set(CE_ERR_EXISTS,
			       "token '%s' (%s) is already initialised: token.init only initialises a "
			       "blank token, unless the step says reinit: true (then its current "
			       "SO PIN is typed at the console)",
			       tname, spec->uri);
		goto out;
	}
	if (r != CE_ERR_NOT_FOUND) { /* e.g. two tokens match: nothing is touched */
		r = ce_err_prefix(r, "step token.init, token '%s'", tname);
		goto out;
	}
	ce_err_clear();
	r = script_uri_without_token(spec->uri, &buri);
	if (r < 0)
		goto out;
	r = p11_token_find_blank(run_p11(rc), buri, out);
	if (r == CE_ERR_NOT_FOUND && p11_token_find(run_p11(rc), buri, &exists) == 0)
		r = ce_err_set(CE_ERR_NOT_FOUND, "no blank token for '%s' (%s), but an initialised "
						 "one, labelled '%s': if it is to be re-initialised "
						 "(a factory card or partition, a failed token-init), "
						 "the step says reinit: true", tname, buri,
			       p11_token_info(exists)->label);
	else if (r < 0)
		r = ce_err_prefix(r, "no blank token for '%s' (%s)", tname, buri);
out:
	free(buri);
	p11_token_free(exists);
	return r;
}

/* The token a step with reinit: true re-initialises: initialised already,
 * found by the script's URI (a token left by a failed token-init carries its
 * label) or else by that URI without token= (a factory card, a partition).
 * A blank token, several, or a locked SO PIN: refused, nothing touched. */
static int reinit_find(struct run_ctx *rc, const char *tname, const struct script_token *spec,
		       struct p11_token **out)
{
	struct p11_token *blank = NULL;
	char *buri = NULL;
	int r = CE_ERR_INTERNAL;

	r = p11_token_find(run_p11(rc), spec->uri, out);
	if (r == CE_ERR_NOT_FOUND) {
		ce_err_clear();
		r = script_uri_without_token(spec->uri, &buri);
		if (r < 0)
			goto out;
		r = p11_token_find(run_p11(rc), buri, out);
	}
	if (r == CE_ERR_NOT_FOUND) {
		ce_err_clear();
		if (p11_token_find_blank(run_p11(rc), buri, &blank) == 0)
			r = ce_err_set(CE_ERR_STATE, "token '%s' (%s) is blank, but the step says "
						     "reinit: true (a token initialised already): "
						     "nothing to re-initialise; run token.init without "
						     "reinit", tname, buri);
		else
			r = ce_err_set(CE_ERR_NOT_FOUND, "no initialised token for '%s' to "
							 "re-initialise (%s, then %s; see `ceremony "
							 "hsm list`)", tname, spec->uri, buri);
		goto out;
	}
	if (r < 0) {
		r = ce_err_prefix(r, "step token.init (reinit), token '%s'", tname);
		goto out;
	}
	if (p11_token_info(*out)->flags & P11_TOKEN_SO_PIN_LOCKED) {
		r = ce_err_set(CE_ERR_PIN, "the SO PIN of token '%s' (label '%s', serial %s) is "
					   "locked: it cannot be re-initialised with it (the vendor's "
					   "reset procedure is needed; see docs/runbook-hsm-admin.md)",
			       tname, p11_token_info(*out)->label, p11_token_info(*out)->serial);
		goto out;
	}
	r = 0;
out:
	if (r < 0) {
		p11_token_free(*out);
		*out = NULL;
	}
	p11_token_free(blank);
	free(buri);
	return r;
}

/* C_InitToken: on a blank token with the new SO PIN; with reinit, the
 * current SO PIN typed by the security officer first (wiped right after). */
static int token_init_or_reinit(struct run_ctx *rc, const char *tname, int reinit,
				struct p11_token *tok, const char *so_pin, size_t so_len,
				const char *label, const char *user0, size_t u0_len)
{
	char *cur = NULL;
	size_t cur_len = 0;
	int r = CE_ERR_INTERNAL;

	if (reinit) {
		r = run_token_current_so_pin(rc, tname, &cur, &cur_len);
		if (r < 0)
			goto out;
	}
	run_progress_begin(rc, "%sinitialising token '%s' with label '%s'", reinit ? "re-" : "",
			   tname, label);
	if (reinit)
		r = p11_token_reinit(tok, cur, cur_len, so_pin, so_len, label, user0, u0_len);
	else
		r = p11_token_init(tok, so_pin, so_len, label, user0, u0_len);
	secmem_free(cur); /* its last use */
	cur = NULL;
	run_progress_end(rc, r);
	if (r < 0 && reinit)
		r = ce_err_prefix(r, "re-initialising token '%s' with the current SO PIN typed "
				     "(nothing else was done)", tname);
out:
	secmem_free(cur);
	return r;
}

/* token.initialised: how the PINs are derived, their entropy; a
 * re-initialisation says so, and the label the token had (never the PIN).
 * NULL when out of memory. */
static json_t *initialised_details(const char *label, const char *serial, const char *tname,
				   const char *deriv, double bits, int reinit,
				   const char *prev_label)
{
	json_t *d = json_pack("{s:o, s:o, s:s, s:s, s:s, s:i}", "label", jtext(label), "serial",
			      jtext(serial),
			      "so_pin_source", "openssl-rand", "token", tname, "pin_derivation",
			      deriv, "entropy_bits", (int)bits);

	if (d != NULL && reinit &&
	    (json_object_set_new(d, "reinit", json_true()) < 0 ||
	     json_object_set_new(d, "previous_label", jtext(prev_label)) < 0)) {
		json_decref(d);
		d = NULL;
	}
	return d;
}

/* Log in as user with the first user PIN (*user0, CONSUMED: wiped right
 * after C_SetPIN, before any event or prompt), replace it by one derived from
 * a secret of the token's RNG (*u_sec, secmem owned by the caller: its
 * shares are issued next), write pin.changed. */
static int user_pin_replace(struct run_ctx *rc, const char *tname, const struct pin_plan *plan,
			    const char *deriv, char **user0, size_t u0_len, uint8_t **u_sec)
{
	struct p11_session *sess = NULL;
	char *user_pin = NULL;
	size_t u_len = 0;
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	r = run_token_login(rc, tname, P11_USER_NORMAL, *user0, u0_len);
	if (r < 0)
		goto out;
	r = run_session(rc, tname, &sess);
	if (r < 0)
		goto out;
	r = p11_session_pin_secret(sess, u_sec);
	if (r < 0)
		goto out;
	r = p11_pin_derive(*u_sec, P11_PIN_SECRET_BYTES, plan->alphabet, plan->len, &user_pin,
			   &u_len);
	if (r < 0)
		goto out;
	r = p11_session_set_pin(sess, *user0, u0_len, user_pin, u_len);
	secmem_free(*user0); /* its last use: wiped before any event or prompt */
	*user0 = NULL;
	secmem_free(user_pin); /* its last use; its secret goes to the shares */
	user_pin = NULL;
	if (r < 0)
		goto out;
	d = json_pack("{s:s, s:s, s:s, s:s, s:i}", "user", "user", "token", tname, "pin_source",
		      "token-rng+openssl", "pin_derivation", deriv, "entropy_bits", (int)plan->bits);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "pin.changed", NULL, NULL, d);
out:
	secmem_free(*user0);
	*user0 = NULL;
	secmem_free(user_pin);
	json_decref(d);
	return r;
}

/* The step failed (code) after C_InitToken and before the SO PIN shares were
 * issued: the new SO PIN exists only here, and without it nobody could
 * re-initialise the token (C_InitToken wants the current SO PIN). Its shares
 * are issued now (the 16-byte secret it is derived from) to the step's key holders, so that a new token-init
 * ceremony with reinit: true can start again (docs/runbook-hsm-admin.md);
 * then the failure is given back, saying so. An abort in the step (at the
 * transcript key's words) is rescued the same way; an abort while the
 * rescue shares are issued loses the SO PIN (the vendor's reset). */
static int so_pin_rescue(struct run_ctx *rc, const struct script_step *st,
			 const struct script_secret *so, const char *tname, const uint8_t *so_sec,
			 const char *deriv, int code)
{
	const struct p11_failure *cur = p11_failure_current();
	struct p11_failure fail = { 0 };
	struct script_layout lay;
	int have_fail = cur != NULL, r;
	char detail[1024];

	if (so_sec == NULL)
		return code;
	snprintf(detail, sizeof(detail), "%s", ce_err_detail());
	if (have_fail)
		fail = *cur;
	run_say(rc, "Token '%s' was initialised, but the step failed: %s", tname, detail);
	run_say(rc, "Its new SO PIN is issued now as shares, so that the token can be "
		    "re-initialised by a new token-init ceremony (reinit: true).");
	script_step_issue_layout(st, so, &lay);
	r = run_pin_shares_issue(rc, so, &lay, so_sec, P11_PIN_SECRET_BYTES, deriv);
	if (r < 0)
		return ce_err_set(code, "%s (and issuing its SO PIN shares failed too: %s; the SO "
					"PIN is lost, the token needs its vendor's reset)", detail,
				  ce_err_detail());
	r = ce_err_set(code, "%s (token '%s' was initialised: its SO PIN shares were issued; "
			     "start again with a token-init ceremony whose token.init step says "
			     "reinit: true, see docs/runbook-hsm-admin.md)", detail, tname);
	if (have_fail)
		p11_failure_record(fail.rv, fail.function, fail.what);
	return r;
}

/* The plan of the PINs token.init makes, held against the blank token's
 * range and the floor before anything is written to it; said on the
 * console. */
static int init_plan(struct run_ctx *rc, const struct script_step *st, const char *tname,
		     const struct p11_token *tok, struct pin_plan *plan,
		     char deriv[P11_PIN_DERIVATION_MAX])
{
	const struct p11_token_info *ti = p11_token_info(tok);
	char what[256], desc[160];
	int r;

	pin_plan_read(st, plan);
	pin_plan_token_what(tname, ti, what, sizeof(what));
	r = pin_plan_fit(st, what, ti->min_pin_len, ti->max_pin_len, plan, NULL);
	if (r < 0)
		return r;
	p11_pin_derivation_format(plan->alphabet, plan->len, deriv);
	pin_plan_describe(plan, desc, sizeof(desc));
	run_say(rc, "PINs of '%s': %s, derived from 128-bit secrets (%s); the token accepts "
		    "%lu..%lu characters.",
		tname, desc, deriv, ti->min_pin_len, ti->max_pin_len);
	return 0;
}

/* A fresh secret from OpenSSL (the blank token has no RNG yet) and its PIN. */
static int init_host_pin(const struct pin_plan *plan, uint8_t **sec, char **pin, size_t *len)
{
	int r = p11_pin_secret_host(sec);

	if (r < 0)
		return r;
	return p11_pin_derive(*sec, P11_PIN_SECRET_BYTES, plan->alphabet, plan->len, pin, len);
}

int action_token_init(struct run_ctx *rc, const struct script_step *st)
{
	const struct script *s = run_script(rc);
	const char *tname = script_param_str(st, "token"), *label = script_param_str(st, "label");
	const struct script_secret *so = script_secret_find(s, script_param_str(st, "so-pin"));
	const struct script_secret *up = script_secret_find(s, script_param_str(st, "user-pin"));
	const struct script_token *spec = script_token_find(s, tname);
	struct p11_token *tok = NULL;
	struct script_layout lay;
	struct pin_plan plan;
	char deriv[P11_PIN_DERIVATION_MAX];
	char *so_pin = NULL, *user0 = NULL;
	uint8_t *so_sec = NULL, *u0_sec = NULL, *u_sec = NULL;
	size_t so_len, u0_len;
	int reinit = 0, initialised = 0, so_issued = 0;
	char prev_label[sizeof(((struct p11_token_info *)0)->label)];
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	if (spec == NULL || so == NULL || up == NULL || label == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step %s: parameters not validated", st->id);
		goto out;
	}
	if (script_param_bool(st, "reinit", &reinit) < 0)
		reinit = 0;
	r = reinit ? reinit_find(rc, tname, spec, &tok) : blank_find(rc, tname, spec, &tok);
	if (r < 0)
		goto out;
	snprintf(prev_label, sizeof(prev_label), "%s", p11_token_info(tok)->label);
	r = init_plan(rc, st, tname, tok, &plan, deriv);
	if (r < 0)
		goto out;
	/* The blank token may not give random before init: the SO PIN and a first
	 * user PIN come from OpenSSL; the user PIN is then replaced by one from
	 * the token's RNG. Each PIN is derived from a secret (the shares hold
	 * the secret). */
	r = init_host_pin(&plan, &so_sec, &so_pin, &so_len);
	if (r < 0)
		goto out;
	r = init_host_pin(&plan, &u0_sec, &user0, &u0_len);
	secmem_free(u0_sec); /* the first user PIN is never shared */
	u0_sec = NULL;
	if (r < 0)
		goto out;
	r = token_init_or_reinit(rc, tname, reinit, tok, so_pin, so_len, label, user0, u0_len);
	secmem_free(so_pin); /* its last use; its secret goes to the shares */
	so_pin = NULL;
	initialised = p11_token_init_done(tok);
	if (r < 0 && !initialised)
		goto out;
	/* C_InitToken done: recorded even when a later call of the init failed. */
	d = initialised_details(label, p11_token_info(tok)->serial, tname, deriv, plan.bits, reinit,
				prev_label);
	if (d == NULL) {
		r = r < 0 ? r : CE_ERR_NOMEM;
		goto out;
	}
	if (r < 0) {
		const struct p11_failure *cur = p11_failure_current();
		struct p11_failure fail = { 0 };
		int have_fail = cur != NULL;
		char keep[1024];

		if (have_fail)
			fail = *cur;
		snprintf(keep, sizeof(keep), "%s", ce_err_detail());
		if (run_event(rc, "token.initialised", NULL, NULL, d) == 0) {
			ce_err_set(r, "%s", keep);
			if (have_fail)
				p11_failure_record(fail.rv, fail.function, fail.what);
		}
		goto out;
	}
	r = run_event(rc, "token.initialised", NULL, NULL, d);
	if (r < 0)
		goto out;
	r = run_token_adopt(rc, tname, tok);
	tok = NULL; /* transferred */
	if (r < 0)
		goto out;
	r = user_pin_replace(rc, tname, &plan, deriv, &user0, u0_len, &u_sec);
	if (r < 0)
		goto out;
	script_step_issue_layout(st, so, &lay);
	so_issued = 1;
	r = run_pin_shares_issue(rc, so, &lay, so_sec, P11_PIN_SECRET_BYTES, deriv);
	secmem_free(so_sec); /* its last use */
	so_sec = NULL;
	if (r < 0)
		goto out;
	script_step_issue_layout(st, up, &lay);
	r = run_pin_shares_issue(rc, up, &lay, u_sec, P11_PIN_SECRET_BYTES, deriv);
	secmem_free(u_sec); /* its last use */
	u_sec = NULL;
	if (r < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && initialised && !so_issued)
		r = so_pin_rescue(rc, st, so, tname, so_sec, deriv, r);
	secmem_free(so_pin);
	secmem_free(user0);
	secmem_free(so_sec);
	secmem_free(u0_sec);
	secmem_free(u_sec);
	json_decref(d);
	p11_token_free(tok);
	return r;
}

int action_quorum_login(struct run_ctx *rc, const struct script_step *st)
{
	const char *tname = script_param_str(st, "token");
	const struct script_secret *sec =
		script_secret_find(run_script(rc), script_param_str(st, "secret"));
	uint8_t *secret = NULL, *pin = NULL;
	char *p = NULL;
	size_t len = 0, plen = 0;
	int r = CE_ERR_INTERNAL;

	if (sec == NULL || tname == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step %s: parameters not validated", st->id);
		goto out;
	}
	r = run_shares_collect(rc, sec, &secret, &len);
	if (r < 0)
		goto out;
	r = run_pin_from_secret(rc, sec, secret, len, &p, &plen, NULL);
	secmem_free(secret); /* its last use */
	secret = NULL;
	if (r < 0)
		goto out;
	pin = (uint8_t *)p;
	p = NULL; /* transferred */
	/* The PIN is wiped inside, on the line after C_Login. */
	r = run_token_login_wipe(rc, tname,
				 sec->kind == SECRET_SO_PIN ? P11_USER_SO : P11_USER_NORMAL, &pin, plen);
out:
	secmem_free(secret);
	secmem_free(p);
	secmem_free(pin);
	return r;
}
