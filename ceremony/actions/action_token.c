/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_token.c - token.init and quorum.login.
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
 * URI already finds an initialised one (token.init never re-initialises).
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
			       "blank token",
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
	if (r < 0)
		r = ce_err_prefix(r, "no blank token for '%s' (%s)", tname, buri);
out:
	free(buri);
	p11_token_free(exists);
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
	struct p11_session *sess = NULL;
	struct script_layout lay;
	char *so_pin = NULL, *user0 = NULL, *user_pin = NULL;
	size_t so_len, u0_len, u_len;
	long plen = TOKEN_INIT_PIN_DEFAULT_LEN;
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
	r = blank_find(rc, tname, spec, &tok);
	if (r < 0)
		goto out;
	ti = p11_token_info(tok);
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
	run_progress_begin(rc, "initialising token '%s' with label '%s'", tname, label);
	r = p11_token_init(tok, so_pin, so_len, label, user0, u0_len);
	run_progress_end(rc, r);
	if (r < 0)
		goto out;
	ti = p11_token_info(tok);
	d = json_pack("{s:s, s:s, s:s, s:s}", "label", label, "serial", ti->serial, "so_pin_source",
		      "openssl-rand", "token", tname);
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
	r = p11_session_pin_generate(sess, (size_t)plen, &user_pin, &u_len);
	if (r < 0)
		goto out;
	r = p11_session_set_pin(sess, user0, u0_len, user_pin, u_len);
	secmem_free(user0); /* its last use: wiped before any event or prompt */
	user0 = NULL;
	if (r < 0)
		goto out;
	json_decref(d);
	d = json_pack("{s:s, s:s, s:s}", "user", "user", "token", tname, "pin_source",
		       "token-rng+openssl");
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "pin.changed", NULL, NULL, d);
	if (r < 0)
		goto out;
	script_step_issue_layout(st, so, &lay);
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
