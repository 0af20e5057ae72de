/*
 * ceremony/model/script_flow.c - the checks across steps, made once every step
 * is read: attendance comes first, a PIN secret is used with its own token, a
 * key operation comes after a login on its token, what is declared is used,
 * and the roles steps use are declared.
 */
#include "ceremony/model/script_internal.h"
#include "common/err.h"

#include <string.h>

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

/* A key operation needs a session on its token, opened by an earlier
 * quorum.login or pin.rotate step on that token. Sessions last the whole
 * ceremony: a step never closes one (logout is the runner's, at the end). */
static void check_logins(const struct script *s, struct diag *d)
{
	size_t i, j;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const char *tok = script_param_str(st, "token");
		int logged_in = 0;

		if (!script_step_needs_login(st))
			continue;
		for (j = 0; j < i; j++) {
			const struct script_step *p = &s->steps[j];

			if (script_step_logs_in(p) && strcmp(script_param_str(p, "token"), tok) == 0)
				logged_in = 1;
		}
		if (!logged_in)
			diag_error(d, &script_param(st, "token")->mark,
				   "step '%s': %s on token '%s' needs an earlier quorum.login step on it",
				   st->id, st->action->name, tok);
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
	check_unused(s, d);
	check_roles_declared(s, d);
}
