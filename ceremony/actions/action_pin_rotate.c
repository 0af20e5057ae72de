/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin.rotate: a quorum recovers the current PIN and logs in; a new PIN is
 * drawn from the token's RNG, split and issued to the step's key holders
 * (each types their share back), and only then set on the token (C_SetPIN),
 * so an abort at a share prompt leaves the old PIN and its shares in force.
 * The old set is void afterwards. Event pin.changed (after the shares).
 */
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/secmem.h"

#include <string.h>

/* SLIP-39 needs an even secret of at least 16 bytes. */
#define PIN_MIN_LEN 16

int action_pin_rotate(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *secname = script_param_str(st, "secret");
	const struct script_secret *sec = NULL;
	struct script_layout layout;
	struct p11_session *s = NULL;
	enum p11_user user;
	uint8_t *old = NULL;
	char *pin = NULL;
	size_t old_len = 0, pin_len = 0, want;
	json_t *d = NULL;

	if (token == NULL || secname == NULL ||
	    (sec = script_secret_find(run_script(rc), secname)) == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	user = sec->kind == SECRET_SO_PIN ? P11_USER_SO : P11_USER_NORMAL;
	r = run_shares_collect(rc, sec, &old, &old_len);
	if (r < 0)
		goto out;
	r = run_token_login(rc, token, user, (const char *)old, old_len);
	if (r < 0)
		goto out;
	r = run_session(rc, token, &s);
	if (r < 0)
		goto out;
	/* The new PIN as long as the old one (even, >= 16 for SLIP-39). */
	want = old_len < PIN_MIN_LEN ? PIN_MIN_LEN : old_len + (old_len & 1u);
	r = p11_session_pin_generate(s, want, &pin, &pin_len);
	if (r < 0) {
		ce_err_prefix(r, "step '%s': a new %zu-character PIN on %s", st->id, want, token);
		goto out;
	}
	script_step_issue_layout(st, sec, &layout);
	r = run_shares_issue(rc, sec, &layout, (const uint8_t *)pin, pin_len);
	if (r < 0)
		goto out;
	r = p11_session_set_pin(s, (const char *)old, old_len, pin, pin_len);
	secmem_free(old); /* the last use of both: wiped before any event */
	old = NULL;
	secmem_free(pin);
	pin = NULL;
	if (r < 0) {
		ce_err_prefix(r, "step '%s': C_SetPIN on %s (the old PIN and shares stay in force)",
			      st->id, token);
		goto out;
	}
	d = json_pack("{s:s, s:s, s:s, s:s}", "user", user == P11_USER_SO ? "so" : "user",
		      "token", token, "secret", sec->name, "pin_source",
		      "token-rng+openssl");
	r = d != NULL ? run_event(rc, "pin.changed", NULL, NULL, d) : CE_ERR_NOMEM;
	if (r < 0)
		goto out;
	run_say(rc, "The %s PIN of %s is changed; the earlier shares are void",
		user == P11_USER_SO ? "SO" : "user", token);
	r = 0;
out:
	json_decref(d);
	secmem_free(old);
	secmem_free(pin);
	return r;
}
