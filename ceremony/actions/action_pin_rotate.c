/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin.rotate: a quorum recovers the current PIN's secret and logs in; a new
 * secret is drawn from the token's RNG (XORed with OpenSSL's), its shares
 * issued to the step's key holders (each types their share back), and only
 * then the PIN derived from it set on the token (C_SetPIN), so an abort at a
 * share prompt leaves the old PIN and its shares in force. The old set is
 * void afterwards. Event pin.changed (after the shares).
 *
 * The new PIN: the step's pin-length / pin-alphabet, else the length and
 * alphabet of the PIN it replaces (a PIN of an older ceremony, issued as
 * text: its length, typeable), held against the token's range and the
 * entropy floor (ceremony/policy/pinplan.h) before any share is issued.
 */
#include "ceremony/policy/pinplan.h"
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/secmem.h"

#include <stdio.h>
#include <string.h>

/* The new PIN's plan: the step's fields over the old PIN's shape. */
static int rotate_plan(struct run_ctx *rc, const struct script_step *st, const char *token,
		       struct p11_session *s, const char *old_deriv, size_t old_len,
		       struct pin_plan *plan, char deriv[P11_PIN_DERIVATION_MAX])
{
	const struct p11_token_info *ti = p11_token_info(p11_session_token(s));
	enum p11_pin_alphabet a = P11_PIN_TYPEABLE;
	size_t len = old_len;
	char what[256], desc[160];
	int r;

	pin_plan_read(st, plan);
	if (old_deriv[0] != '\0' && p11_pin_derivation_parse(old_deriv, &a, &len) < 0)
		return ce_err_prefix(CE_ERR_FORMAT, "step '%s'", st->id);
	if (script_param_str(st, "pin-alphabet") == NULL)
		plan->alphabet = a;
	if (!plan->len_given) {
		if (len > P11_PIN_DERIVE_MAX_LEN)
			len = P11_PIN_DERIVE_MAX_LEN;
		pin_plan_set_len(plan, len);
	}
	pin_plan_token_what(token, ti, what, sizeof(what));
	r = pin_plan_fit(st, what, ti->min_pin_len, ti->max_pin_len, plan, NULL);
	if (r < 0)
		return r;
	p11_pin_derivation_format(plan->alphabet, plan->len, deriv);
	pin_plan_describe(plan, desc, sizeof(desc));
	run_say(rc, "The new PIN of '%s': %s, derived from a 128-bit secret (%s).", token, desc,
		deriv);
	return 0;
}

int action_pin_rotate(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *secname = script_param_str(st, "secret");
	const struct script_secret *sec = NULL;
	struct script_layout layout;
	struct p11_session *s = NULL;
	struct pin_plan plan;
	enum p11_user user;
	uint8_t *old_sec = NULL, *new_sec = NULL;
	char *old = NULL, *pin = NULL;
	char old_deriv[RUN_PIN_DERIVATION_MAX], deriv[P11_PIN_DERIVATION_MAX];
	size_t old_sec_len = 0, old_len = 0, pin_len = 0;
	json_t *d = NULL;

	if (token == NULL || secname == NULL ||
	    (sec = script_secret_find(run_script(rc), secname)) == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	user = sec->kind == SECRET_SO_PIN ? P11_USER_SO : P11_USER_NORMAL;
	r = run_shares_collect(rc, sec, &old_sec, &old_sec_len);
	if (r < 0)
		goto out;
	r = run_pin_from_secret(rc, sec, old_sec, old_sec_len, &old, &old_len, old_deriv);
	secmem_free(old_sec); /* the PIN is what is used from here */
	old_sec = NULL;
	if (r < 0)
		goto out;
	r = run_token_login(rc, token, user, old, old_len);
	if (r < 0)
		goto out;
	r = run_session(rc, token, &s);
	if (r < 0)
		goto out;
	r = rotate_plan(rc, st, token, s, old_deriv, old_len, &plan, deriv);
	if (r < 0)
		goto out;
	r = p11_session_pin_secret(s, &new_sec);
	if (r < 0) {
		ce_err_prefix(r, "step '%s': a new secret for the PIN of %s", st->id, token);
		goto out;
	}
	script_step_issue_layout(st, sec, &layout);
	r = run_pin_shares_issue(rc, sec, &layout, new_sec, P11_PIN_SECRET_BYTES, deriv);
	if (r < 0)
		goto out;
	r = p11_pin_derive(new_sec, P11_PIN_SECRET_BYTES, plan.alphabet, plan.len, &pin, &pin_len);
	secmem_free(new_sec); /* its last use */
	new_sec = NULL;
	if (r < 0)
		goto out;
	r = p11_session_set_pin(s, old, old_len, pin, pin_len);
	secmem_free(old); /* the last use of both: wiped before any event */
	old = NULL;
	secmem_free(pin);
	pin = NULL;
	if (r < 0) {
		ce_err_prefix(r, "step '%s': C_SetPIN on %s (the old PIN and shares stay in force)",
			      st->id, token);
		goto out;
	}
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "user", user == P11_USER_SO ? "so" : "user",
		      "token", token, "secret", sec->name, "pin_source", "token-rng+openssl",
		      "pin_derivation", deriv, "entropy_bits", (int)plan.bits);
	r = d != NULL ? run_event(rc, "pin.changed", NULL, NULL, d) : CE_ERR_NOMEM;
	if (r < 0)
		goto out;
	run_say(rc, "The %s PIN of %s is changed; the earlier shares are void",
		user == P11_USER_SO ? "SO" : "user", token);
	r = 0;
out:
	json_decref(d);
	secmem_free(old_sec);
	secmem_free(new_sec);
	secmem_free(old);
	secmem_free(pin);
	return r;
}
