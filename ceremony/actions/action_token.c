/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_token.c - token.init (a blank token, or with
 * reinit: true one initialised already, its current SO PIN typed) and
 * quorum.login.
 *
 * PINs are SLIP-39 master secrets as bytes: typeable characters of
 * P11_PIN_ALPHABET, an even number of them, at least 16. Each PIN is wiped
 * on the line after the last call that needs it (quorum.login: inside
 * run_token_login_wipe, right after C_Login); the out: labels wipe too.
 */
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/p11.h"
#include "shares/slip39.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_INIT_PIN_DEFAULT_LEN 24

/* The script's URI without its token= attribute: matches the blank token
 * of the same model/manufacturer/serial. */
static int blank_uri(const char *uri, char **out)
{
	const char *p = uri + strlen("pkcs11:"), *e;
	size_t n;
	char *b;

	b = malloc(strlen(uri) + 1);
	if (b == NULL)
		return CE_ERR_NOMEM;
	strcpy(b, "pkcs11:");
	n = strlen(b);
	while (*p) {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		if (strncmp(p, "token=", 6) != 0) {
			if (b[n - 1] != ':')
				b[n++] = ';';
			memcpy(b + n, p, (size_t)(e - p));
			n += (size_t)(e - p);
		}
		p = *e ? e + 1 : e;
	}
	b[n] = '\0';
	*out = b;
	return 0;
}

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
	r = blank_uri(spec->uri, &buri);
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
		r = blank_uri(spec->uri, &buri);
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

/* token.initialised: a re-initialisation says so, and the label the token
 * had (never the PIN). NULL when out of memory. */
static json_t *initialised_details(const char *label, const char *serial, const char *tname,
				   int reinit, const char *prev_label)
{
	json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "label", label, "serial", serial,
			      "so_pin_source", "openssl-rand", "token", tname);

	if (d != NULL && reinit &&
	    (json_object_set_new(d, "reinit", json_true()) < 0 ||
	     json_object_set_new(d, "previous_label", json_string(prev_label)) < 0)) {
		json_decref(d);
		d = NULL;
	}
	return d;
}

/* The step failed (code) after C_InitToken and before the SO PIN shares were
 * issued: the new SO PIN exists only here, and without it nobody could
 * re-initialise the token (C_InitToken wants the current SO PIN). Its shares
 * are issued now to the step's key holders, so that a new token-init
 * ceremony with reinit: true can start again (docs/runbook-hsm-admin.md);
 * then the failure is given back, saying so. An abort in the step (at the
 * transcript key's words) is rescued the same way; an abort while the
 * rescue shares are issued loses the SO PIN (the vendor's reset). */
static int so_pin_rescue(struct run_ctx *rc, const struct script_step *st,
			 const struct script_secret *so, const char *tname, const char *so_pin,
			 size_t so_len, int code)
{
	const struct p11_failure *cur = p11_failure_current();
	struct p11_failure fail = { 0 };
	struct script_layout lay;
	int have_fail = cur != NULL, r;
	char detail[1024];

	if (so_pin == NULL)
		return code;
	snprintf(detail, sizeof(detail), "%s", ce_err_detail());
	if (have_fail)
		fail = *cur;
	run_say(rc, "Token '%s' was initialised, but the step failed: %s", tname, detail);
	run_say(rc, "Its new SO PIN is issued now as shares, so that the token can be "
		    "re-initialised by a new token-init ceremony (reinit: true).");
	script_step_issue_layout(st, so, &lay);
	r = run_shares_issue(rc, so, &lay, (const uint8_t *)so_pin, so_len);
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

/* Log in as user with the first user PIN (*user0, CONSUMED: wiped right
 * after C_SetPIN, before any event or prompt), replace it by one from the
 * token's RNG (*user_pin, secmem owned by the caller), write pin.changed. */
static int user_pin_replace(struct run_ctx *rc, const char *tname, size_t plen, char **user0,
			    size_t u0_len, char **user_pin, size_t *u_len)
{
	struct p11_session *sess = NULL;
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	r = run_token_login(rc, tname, P11_USER_NORMAL, *user0, u0_len);
	if (r < 0)
		goto out;
	r = run_session(rc, tname, &sess);
	if (r < 0)
		goto out;
	r = p11_session_pin_generate(sess, plen, user_pin, u_len);
	if (r < 0)
		goto out;
	r = p11_session_set_pin(sess, *user0, u0_len, *user_pin, *u_len);
	secmem_free(*user0); /* its last use: wiped before any event or prompt */
	*user0 = NULL;
	if (r < 0)
		goto out;
	d = json_pack("{s:s, s:s, s:s}", "user", "user", "token", tname, "pin_source",
		      "token-rng+openssl");
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "pin.changed", NULL, NULL, d);
out:
	secmem_free(*user0);
	*user0 = NULL;
	json_decref(d);
	return r;
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
	char *so_pin = NULL, *user0 = NULL, *user_pin = NULL;
	size_t so_len, u0_len, u_len;
	long plen = TOKEN_INIT_PIN_DEFAULT_LEN;
	int reinit = 0, initialised = 0, so_issued = 0;
	char prev_label[sizeof(((struct p11_token_info *)0)->label)];
	const struct p11_token_info *ti;
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	if (spec == NULL || so == NULL || up == NULL || label == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step %s: parameters not validated", st->id);
		goto out;
	}
	if (script_param_int(st, "pin-length", &plen) < 0)
		plen = TOKEN_INIT_PIN_DEFAULT_LEN;
	/* SLIP-39 master secrets: even, at least 16 bytes */
	if (plen < SLIP39_MIN_SECRET_BYTES)
		plen = SLIP39_MIN_SECRET_BYTES;
	if (plen % 2)
		plen++;
	if (script_param_bool(st, "reinit", &reinit) < 0)
		reinit = 0;
	r = reinit ? reinit_find(rc, tname, spec, &tok) : blank_find(rc, tname, spec, &tok);
	if (r < 0)
		goto out;
	ti = p11_token_info(tok);
	snprintf(prev_label, sizeof(prev_label), "%s", ti->label);
	if ((unsigned long)plen < ti->min_pin_len || (unsigned long)plen > ti->max_pin_len) {
		r = ce_err_set(CE_ERR_INVALID, "pin-length %ld is outside the token's range %lu..%lu",
			       plen, ti->min_pin_len, ti->max_pin_len);
		goto out;
	}
	/* The blank token may not give random before init: the SO PIN and a first
	 * user PIN come from OpenSSL; the user PIN is then replaced by one from
	 * the token's RNG. */
	r = p11_token_pin_generate(tok, (size_t)plen, &so_pin, &so_len);
	if (r < 0)
		goto out;
	r = p11_token_pin_generate(tok, (size_t)plen, &user0, &u0_len);
	if (r < 0)
		goto out;
	r = token_init_or_reinit(rc, tname, reinit, tok, so_pin, so_len, label, user0, u0_len);
	initialised = p11_token_init_done(tok);
	if (r < 0 && !initialised)
		goto out;
	/* C_InitToken done: recorded even when a later call of the init failed. */
	d = initialised_details(label, p11_token_info(tok)->serial, tname, reinit, prev_label);
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
	r = user_pin_replace(rc, tname, (size_t)plen, &user0, u0_len, &user_pin, &u_len);
	if (r < 0)
		goto out;
	script_step_issue_layout(st, so, &lay);
	so_issued = 1;
	r = run_shares_issue(rc, so, &lay, (const uint8_t *)so_pin, so_len);
	secmem_free(so_pin); /* its last use */
	so_pin = NULL;
	if (r < 0)
		goto out;
	script_step_issue_layout(st, up, &lay);
	r = run_shares_issue(rc, up, &lay, (const uint8_t *)user_pin, u_len);
	secmem_free(user_pin); /* its last use */
	user_pin = NULL;
	if (r < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && initialised && !so_issued)
		r = so_pin_rescue(rc, st, so, tname, so_pin, so_len, r);
	secmem_free(so_pin);
	secmem_free(user0);
	secmem_free(user_pin);
	json_decref(d);
	p11_token_free(tok);
	return r;
}

int action_quorum_login(struct run_ctx *rc, const struct script_step *st)
{
	const char *tname = script_param_str(st, "token");
	const struct script_secret *sec =
		script_secret_find(run_script(rc), script_param_str(st, "secret"));
	uint8_t *pin = NULL;
	size_t len = 0;
	int r = CE_ERR_INTERNAL;

	if (sec == NULL || tname == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step %s: parameters not validated", st->id);
		goto out;
	}
	r = run_shares_collect(rc, sec, &pin, &len);
	if (r < 0)
		goto out;
	/* The PIN is wiped inside, on the line after C_Login. */
	r = run_token_login_wipe(rc, tname,
				 sec->kind == SECRET_SO_PIN ? P11_USER_SO : P11_USER_NORMAL, &pin, len);
out:
	secmem_free(pin);
	return r;
}
