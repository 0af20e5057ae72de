/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares.reshare: a quorum of the current holders recovers the secret, which
 * is split again for the step's key holders with the step's layout; the old
 * set is void from then on (run_shares_issue replaces it in the registry).
 * A user PIN is first checked against its token by logging in with it, so a
 * PIN no longer in force is never handed out again (an SO PIN is not: an SO
 * login would shut out the user session other steps rely on).
 */
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/secmem.h"

#include <string.h>

int action_shares_reshare(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *secname = script_param_str(st, "secret");
	const struct script_secret *sec = NULL;
	struct script_layout layout;
	uint8_t *secret = NULL;
	char *pin = NULL, deriv[RUN_PIN_DERIVATION_MAX];
	size_t len = 0, pin_len = 0;

	if (secname == NULL || (sec = script_secret_find(run_script(rc), secname)) == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	r = run_shares_collect(rc, sec, &secret, &len);
	if (r < 0)
		goto out;
	deriv[0] = '\0';
	if (sec->kind == SECRET_PIN || sec->kind == SECRET_SO_PIN) {
		/* the same secret again, with the derivation its set records */
		r = run_pin_from_secret(rc, sec, secret, len, &pin, &pin_len, deriv);
		if (r < 0)
			goto out;
	}
	if (sec->kind == SECRET_PIN && sec->token != NULL) {
		r = run_token_login(rc, sec->token->name, P11_USER_NORMAL, pin, pin_len);
		if (r < 0) {
			ce_err_prefix(r, "step '%s': the recovered PIN of %s", st->id, sec->token->name);
			goto out;
		}
	}
	secmem_free(pin); /* its last use */
	pin = NULL;
	script_step_issue_layout(st, sec, &layout);
	if (sec->kind == SECRET_PIN || sec->kind == SECRET_SO_PIN)
		r = run_pin_shares_issue(rc, sec, &layout, secret, len, deriv);
	else
		r = run_shares_issue(rc, sec, &layout, secret, len);
	if (r < 0)
		goto out;
	run_say(rc, "New shares of '%s' issued; the earlier shares are void", sec->name);
	r = 0;
out:
	secmem_free(secret);
	secmem_free(pin);
	return r;
}
