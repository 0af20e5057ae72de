/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_flow.c - the checks across steps, made once every step
 * is read: attendance comes first, a PIN secret is used with its own token,
 * the login state of each token (a key operation comes after a user login on
 * its token, one login kind per token), a key label or id names one key,
 * what is declared is used, and the roles steps use are declared.
 */
#include "ceremony/model/script_internal.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int action_is(const struct script_step *st, const char *name)
{
	return st->action != NULL && strcmp(st->action->name, name) == 0;
}

int script_step_needs_login(const struct script_step *st)
{
	if (st->action == NULL || script_param_str(st, "token") == NULL)
		return 0;
	return st->action->needs_login ||
	       (action_is(st, "fingerprint") && script_param(st, "key") != NULL);
}

int script_step_logs_in(const struct script_step *st)
{
	return script_param_str(st, "token") != NULL &&
	       (action_is(st, "quorum.login") || action_is(st, "pin.rotate"));
}

enum script_login script_step_login(const struct script *s, const struct script_step *st,
				    const char **token)
{
	const struct script_secret *sec;
	const char *sn = script_param_str(st, "secret");

	*token = NULL;
	if (st->action == NULL)
		return SCRIPT_LOGIN_NONE;
	/* token.init sets the PINs, then logs in as user to replace the first
	 * user PIN with one from the token's RNG: it ends logged in as user. */
	if (action_is(st, "token.init") && script_param_str(st, "token") != NULL) {
		*token = script_param_str(st, "token");
		return SCRIPT_LOGIN_USER;
	}
	if (sn == NULL || (sec = script_secret_find(s, sn)) == NULL || sec->token == NULL)
		return SCRIPT_LOGIN_NONE;
	if (script_step_logs_in(st)) {
		*token = script_param_str(st, "token");
		return sec->kind == SECRET_SO_PIN ? SCRIPT_LOGIN_SO : SCRIPT_LOGIN_USER;
	}
	/* shares.reshare checks a user PIN by logging in with it (an SO PIN is
	 * not checked: that login would shut out the user session). */
	if (action_is(st, "shares.reshare") && sec->kind == SECRET_PIN) {
		*token = sec->token->name;
		return SCRIPT_LOGIN_USER;
	}
	return SCRIPT_LOGIN_NONE;
}

static const char *login_name(enum script_login k)
{
	return k == SCRIPT_LOGIN_SO ? "SO" : "user";
}

/* A PIN secret used with a token must be that token's. */
static void check_pin_tokens(const struct script *s, struct diag *d)
{
	size_t i;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const struct script_param_spec *ps;
		const char *tok = script_param_str(st, "token");

		if (st->action == NULL || tok == NULL)
			continue;
		for (ps = st->action->params; ps->key != NULL; ps++) {
			const struct ynode *v = script_param(st, ps->key);
			const struct script_secret *sec;

			if (ps->type != PT_SECRET || v == NULL || v->type != YNODE_SCALAR ||
			    (sec = script_secret_find(s, v->str)) == NULL || sec->token == NULL)
				continue;
			if (strcmp(sec->token->name, tok) != 0)
				diag_error(d, &v->mark,
					   "step '%s': secret '%s' is a PIN of token '%s', not of '%s'",
					   st->id, sec->name, sec->token->name, tok);
		}
	}
}

/* The login state of one token while the steps are walked in order. */
struct token_login {
	enum script_login kind;         /* the one kind of login on it so far */
	const struct script_step *by;   /* the step that logged in first */
	const struct script_step *user; /* the first quorum login with the user PIN */
};

/* Where a login step is reported: its token, else its secret, else the step. */
static const struct diag_mark *login_mark(const struct script_step *st)
{
	const struct ynode *v = script_param(st, "token");

	if (v == NULL)
		v = script_param(st, "secret");
	return v != NULL ? &v->mark : &st->mark;
}

/* A key operation on a token (policy 5.2.1: multi-person control) runs in
 * the session the key holders' quorum opened with the user PIN: an earlier
 * quorum.login or pin.rotate of a `pin` secret on that token (token.init's
 * own user login is the tool's, with a PIN nobody holds: not a quorum). An
 * SO session cannot use keys (CKR_USER_NOT_LOGGED_IN). */
static void check_key_operation(const struct script_step *st, const struct token_login *tl,
				struct diag *d)
{
	const char *tok = script_param_str(st, "token");

	if (tl->kind == SCRIPT_LOGIN_SO)
		diag_error(d, &script_param(st, "token")->mark,
			   "step '%s': %s on token '%s' needs a user login, but step '%s' logged in "
			   "to it as SO (key operations need the user PIN's quorum; an SO session "
			   "cannot use keys: CKR_USER_NOT_LOGGED_IN)",
			   st->id, st->action->name, tok, tl->by->id);
	else if (tl->user == NULL)
		diag_error(d, &script_param(st, "token")->mark,
			   "step '%s': %s on token '%s' needs an earlier quorum.login step on it "
			   "(with the user PIN)",
			   st->id, st->action->name, tok);
}

/* One login kind per token per ceremony: a session logged in as user cannot
 * log in as SO (nor the other way round) before a logout, and no step logs
 * out (the token refuses: CKR_USER_ANOTHER_ALREADY_LOGGED_IN). token.init
 * needs its token blank, so before any login on it. */
static void check_login_step(const struct script_step *st, enum script_login k, const char *tok,
			     struct token_login *tl, struct diag *d)
{
	if (action_is(st, "token.init") && tl->kind != SCRIPT_LOGIN_NONE)
		diag_error(d, login_mark(st),
			   "step '%s': token.init on token '%s' after step '%s' logged in to it as "
			   "%s (token.init initialises a blank token, before any login on it)",
			   st->id, tok, tl->by->id, login_name(tl->kind));
	else if (tl->kind != SCRIPT_LOGIN_NONE && tl->kind != k)
		diag_error(d, login_mark(st),
			   "step '%s': %s logs in to token '%s' as %s after step '%s' logged in to "
			   "it as %s (one login kind per token per ceremony: no step logs out, and "
			   "the token refuses the second with CKR_USER_ANOTHER_ALREADY_LOGGED_IN)",
			   st->id, st->action->name, tok, login_name(k), tl->by->id,
			   login_name(tl->kind));
	if (tl->kind == SCRIPT_LOGIN_NONE) {
		tl->kind = k;
		tl->by = st;
	}
	if (k == SCRIPT_LOGIN_USER && tl->kind == SCRIPT_LOGIN_USER && tl->user == NULL &&
	    script_step_logs_in(st))
		tl->user = st;
}

/* Walk the steps in order with the login state of every token. */
static void check_logins(const struct script *s, struct diag *d)
{
	struct token_login *tls;
	size_t i;

	if (s->ntokens == 0 || s->nsteps == 0)
		return;
	tls = calloc(s->ntokens, sizeof(*tls));
	if (tls == NULL) {
		diag_error(d, &s->steps[0].mark, "out of memory checking the logins");
		return;
	}
	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const struct script_token *t;
		const char *tok = NULL;
		enum script_login k;

		if (script_step_needs_login(st) &&
		    (t = script_token_find(s, script_param_str(st, "token"))) != NULL)
			check_key_operation(st, &tls[t - s->tokens], d);
		k = script_step_login(s, st, &tok);
		if (k != SCRIPT_LOGIN_NONE && (t = script_token_find(s, tok)) != NULL)
			check_login_step(st, k, tok, &tls[t - s->tokens], d);
	}
	free(tls);
}

/* A step that makes a key on a token: key.generate (label and id), and
 * key.restore when it names the label (else the original's, unknown here). */
static int step_makes_key(const struct script_step *st)
{
	return script_param_str(st, "token") != NULL &&
	       (action_is(st, "key.generate") ||
		(action_is(st, "key.restore") && script_param_str(st, "label") != NULL));
}

/* Two scalar parameters equal: hex ids compare without case ("0A" = "0a"). */
static int param_same(const struct script_step *a, const struct script_step *b, const char *key)
{
	const char *x = script_param_str(a, key), *y = script_param_str(b, key);

	if (x == NULL || y == NULL)
		return 0;
	return strcmp(key, "id") == 0 ? strcasecmp(x, y) == 0 : strcmp(x, y) == 0;
}

/* A key label, or a key id, names one key on its token: the steps after
 * (cert, csr, backup, destroy, fingerprint) find the key by its label, the
 * certificate and public halves by its id. Reported at the second use,
 * naming the first. */
static void check_key_names(const struct script *s, struct diag *d)
{
	static const char *const keys[] = { "label", "id" };
	size_t i, j, k;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];

		if (!step_makes_key(st))
			continue;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			for (j = 0; j < i; j++) {
				const struct script_step *p = &s->steps[j];

				if (!step_makes_key(p) || !param_same(st, p, "token") ||
				    !param_same(st, p, keys[k]))
					continue;
				diag_error(d, &script_param(st, keys[k])->mark,
					   "step '%s': key %s '%s' on token '%s' is already used by "
					   "step '%s' (line %u): one %s names one key",
					   st->id, keys[k], script_param_str(st, keys[k]),
					   script_param_str(st, "token"), p->id,
					   script_param(p, keys[k])->mark.line, keys[k]);
				break;
			}
		}
	}
}

static int secret_used(const struct script *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const struct script_param_spec *ps;

		if (st->action == NULL)
			continue;
		for (ps = st->action->params; ps->key != NULL; ps++) {
			const char *v = script_param_str(st, ps->key);

			if (ps->type == PT_SECRET && v != NULL && strcmp(v, name) == 0)
				return 1;
		}
	}
	return 0;
}

/* Every token and secret declared is used (else a warning: a typo elsewhere?). */
static void check_unused(const struct script *s, struct diag *d)
{
	size_t i, j;

	for (j = 0; j < s->ntokens; j++) {
		int used = 0;

		for (i = 0; i < s->nsecrets; i++)
			if (s->secrets[i].token == &s->tokens[j])
				used = 1;
		for (i = 0; i < s->nsteps && !used; i++) {
			const char *tok = script_param_str(&s->steps[i], "token");

			if (tok != NULL && strcmp(tok, s->tokens[j].name) == 0)
				used = 1;
		}
		if (!used)
			diag_warn(d, &s->tokens[j].mark, "token '%s' is not used by any step",
				  s->tokens[j].name);
	}
	for (j = 0; j < s->nsecrets; j++)
		if (!secret_used(s, s->secrets[j].name))
			diag_warn(d, &s->secrets[j].mark, "secret '%s' is not used by any step",
				  s->secrets[j].name);
}

/* Every role a step uses must be declared in roles (what attendance fills). */
static void check_roles_declared(const struct script *s, struct diag *d)
{
	size_t i;
	unsigned ro;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];

		for (ro = 0; ro < ROLE_COUNT; ro++) {
			if (st->actors[ro] > 0 && s->roles[ro] == 0)
				diag_error(d, &st->actors_mark, "step '%s': actor role %s is not in roles",
					   st->id, role_name((enum role)ro));
			if (st->witnesses[ro] > 0 && s->roles[ro] == 0)
				diag_error(d, &st->witnesses_mark,
					   "step '%s': witness role %s is not in roles", st->id,
					   role_name((enum role)ro));
		}
	}
}

void script_flow_check(const struct script *s, struct diag *d)
{
	/* Attendance seats the persons every later check is made on. */
	if (s->nsteps > 0 && !action_is(&s->steps[0], "attendance"))
		diag_error(d, &s->steps[0].mark, "the first step must be an attendance step (policy 4.2.3: persons are seated in their roles before anything else)");
	check_pin_tokens(s, d);
	check_logins(s, d);
	check_key_names(s, d);
	check_unused(s, d);
	check_roles_declared(s, d);
}
