/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_token.c - token.init and quorum.login.
 *
 * PINs are derived from 16-byte secrets (docs/share-format.md); the shares
 * hold the secrets (20 words each). Each PIN is wiped
 * on the line after the last call that needs it (quorum.login: inside
 * run_token_login_wipe, right after C_Login); the out: labels wipe too.
 */
#include "ceremony/policy/pinplan.h"
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/p11.h"
#include "shares/slip39.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * URI already finds an initialised one (token.init never re-initialises).
 * *out owned by the caller. */
static int blank_find(struct run_ctx *rc, const char *tname, const struct script_token *spec,
		      struct p11_token **out)
{
	struct p11_token *exists = NULL;
	char *buri = NULL;
	int r = CE_ERR_INTERNAL;

	if (p11_token_find(run_p11(rc), spec->uri, &exists) == 0) {
		r = ce_err_set(CE_ERR_EXISTS,
			       "token '%s' (%s) is already initialised: token.init only initialises a "
			       "blank token",
			       tname, spec->uri);
		goto out;
	}
	ce_err_clear();
	r = blank_uri(spec->uri, &buri);
	if (r < 0)
		goto out;
	r = p11_token_find_blank(run_p11(rc), buri, out);
	if (r < 0)
		r = ce_err_prefix(r, "no blank token for '%s' (%s)", tname, buri);
out:
	free(buri);
	p11_token_free(exists);
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
	struct p11_session *sess = NULL;
	struct script_layout lay;
	struct pin_plan plan;
	char deriv[P11_PIN_DERIVATION_MAX];
	char *so_pin = NULL, *user0 = NULL, *user_pin = NULL;
	uint8_t *so_sec = NULL, *u0_sec = NULL, *u_sec = NULL;
	size_t so_len, u0_len, u_len;
	const struct p11_token_info *ti;
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	if (spec == NULL || so == NULL || up == NULL || label == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step %s: parameters not validated", st->id);
		goto out;
	}
	r = blank_find(rc, tname, spec, &tok);
	if (r < 0)
		goto out;
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
	run_progress_begin(rc, "initialising token '%s' with label '%s'", tname, label);
	r = p11_token_init(tok, so_pin, so_len, label, user0, u0_len);
	run_progress_end(rc, r);
	secmem_free(so_pin); /* its last use; its secret goes to the shares */
	so_pin = NULL;
	if (r < 0)
		goto out;
	ti = p11_token_info(tok);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "label", label, "serial", ti->serial,
		      "so_pin_source", "openssl-rand", "token", tname, "pin_derivation", deriv,
		      "entropy_bits", (int)plan.bits);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "token.initialised", NULL, NULL, d);
	if (r < 0)
		goto out;
	r = run_token_adopt(rc, tname, tok);
	tok = NULL; /* transferred */
	if (r < 0)
		goto out;
	r = run_token_login(rc, tname, P11_USER_NORMAL, user0, u0_len);
	if (r < 0)
		goto out;
	r = run_session(rc, tname, &sess);
	if (r < 0)
		goto out;
	r = p11_session_pin_secret(sess, &u_sec);
	if (r < 0)
		goto out;
	r = p11_pin_derive(u_sec, P11_PIN_SECRET_BYTES, plan.alphabet, plan.len, &user_pin, &u_len);
	if (r < 0)
		goto out;
	r = p11_session_set_pin(sess, user0, u0_len, user_pin, u_len);
	secmem_free(user0); /* its last use: wiped before any event or prompt */
	user0 = NULL;
	secmem_free(user_pin); /* its last use; its secret goes to the shares */
	user_pin = NULL;
	if (r < 0)
		goto out;
	json_decref(d);
	d = json_pack("{s:s, s:s, s:s, s:s, s:i}", "user", "user", "token", tname, "pin_source",
		      "token-rng+openssl", "pin_derivation", deriv, "entropy_bits", (int)plan.bits);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "pin.changed", NULL, NULL, d);
	if (r < 0)
		goto out;
	script_step_issue_layout(st, so, &lay);
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
	secmem_free(so_pin);
	secmem_free(user0);
	secmem_free(user_pin);
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
