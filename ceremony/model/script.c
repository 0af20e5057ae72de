/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script.c - loading a script: the top level, tokens, roles,
 * secrets and steps, and the script object (find, parameters, free).
 */
#include "ceremony/model/script_internal.h"
#include "common/err.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A role count map or list: "actors: [a, b]" or "actors: {a: 1}". */
static void parse_role_counts(struct diag *d, const struct ynode *n, unsigned counts[ROLE_COUNT],
			      struct diag_mark marks[ROLE_COUNT], const char *what)
{
	size_t i;
	enum role r;

	if (n->type == YNODE_SEQ) {
		for (i = 0; i < n->n; i++) {
			const struct ynode *it = n->kids[i];

			if (!yfield_want(d, it, YNODE_SCALAR, what))
				continue;
			if (yfield_role(d, it, what, &r) < 0)
				continue;
			if (counts[r] == 0 && marks != NULL)
				marks[r] = it->mark;
			counts[r]++;
		}
	} else if (n->type == YNODE_MAP) {
		for (i = 0; i < n->n; i++) {
			const struct ynode *k = ynode_key(n, i);
			long v;

			if (yfield_role(d, k, what, &r) < 0)
				continue;
			if (yfield_int(d, ynode_val(n, i), 1, SCRIPT_MAX_ROLE_COUNT, "a role count", &v) < 0)
				continue;
			counts[r] = (unsigned)v;
			if (marks != NULL)
				marks[r] = k->mark;
		}
	} else {
		diag_error(d, &n->mark, "%s must be a sequence of roles or a mapping role: count", what);
	}
}

/* ---- sections --------------------------------------------------------- */

static int parse_tokens(struct script *s, const struct ynode *n, struct diag *d)
{
	size_t i;

	if (!yfield_want(d, n, YNODE_MAP, "tokens"))
		return 0;
	if (n->n == 0)
		diag_error(d, &n->mark, "tokens: at least one token (or leave 'tokens' out)");
	s->tokens = calloc(n->n ? n->n : 1, sizeof(*s->tokens));
	if (s->tokens == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < n->n; i++) {
		const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
		const char *why;
		struct script_token *t = &s->tokens[s->ntokens];

		if (yfield_name(d, k, "token name") == NULL)
			continue;
		if (yfield_scalar(d, v, "a token URI") == NULL)
			continue;
		if (script_uri_check(v->str, &why) < 0)
			diag_error(d, &v->mark, "token '%s': URI %s", k->str, why);
		t->name = k->str;
		t->uri = v->str;
		t->mark = k->mark;
		s->ntokens++;
	}
	return 0;
}

static int parse_secrets(struct script *s, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = { "kind", "token", "groups", "group-threshold", "delivery",
					    NULL };
	size_t i;

	if (!yfield_want(d, n, YNODE_MAP, "secrets"))
		return 0;
	s->secrets = calloc(n->n ? n->n : 1, sizeof(*s->secrets));
	if (s->secrets == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < n->n; i++) {
		const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
		const struct ynode *kind, *tok, *groups, *gt, *del;
		struct script_secret *sec = &s->secrets[s->nsecrets];
		char what[96];

		if (yfield_name(d, k, "secret name") == NULL)
			continue;
		snprintf(what, sizeof(what), "secret '%s'", k->str);
		if (!yfield_want(d, v, YNODE_MAP, what))
			continue;
		yfield_keys(d, v, keys, what);
		sec->name = k->str;
		sec->mark = k->mark;
		kind = yfield_need(d, v, "kind", what);
		groups = yfield_need(d, v, "groups", what);
		gt = yfield_need(d, v, "group-threshold", what);
		tok = ynode_get(v, "token");
		del = ynode_get(v, "delivery");
		if (del != NULL && yfield_scalar(d, del, "delivery") != NULL) {
			if (strcmp(del->str, "card") == 0)
				sec->delivery = DELIVERY_CARD;
			else if (strcmp(del->str, "both") == 0)
				sec->delivery = DELIVERY_BOTH;
			else if (strcmp(del->str, "words") != 0)
				diag_error(d, &del->mark, "%s: unknown delivery '%s' (words, card, both)",
					   what, del->str);
		}
		if (kind != NULL && yfield_scalar(d, kind, "kind") != NULL) {
			if (strcmp(kind->str, "pin") == 0)
				sec->kind = SECRET_PIN;
			else if (strcmp(kind->str, "so-pin") == 0)
				sec->kind = SECRET_SO_PIN;
			else if (strcmp(kind->str, "aes-128") == 0)
				sec->kind = SECRET_AES128;
			else if (strcmp(kind->str, "aes-256") == 0)
				sec->kind = SECRET_AES256;
			else
				diag_error(d, &kind->mark,
					   "%s: unknown kind '%s' (pin, so-pin, aes-128, aes-256)", what,
					   kind->str);
			if ((sec->kind == SECRET_PIN || sec->kind == SECRET_SO_PIN) && tok == NULL)
				diag_error(d, &v->mark, "%s: a %s needs 'token'", what, kind->str);
			if ((sec->kind == SECRET_AES128 || sec->kind == SECRET_AES256) && tok != NULL)
				diag_error(d, &tok->mark, "%s: a wrapping key belongs to no token", what);
		}
		if (tok != NULL && yfield_scalar(d, tok, "token") != NULL) {
			sec->token = script_token_find(s, tok->str);
			if (sec->token == NULL)
				diag_error(d, &tok->mark, "%s: unknown token '%s'", what, tok->str);
		}
		script_layout_parse(d, groups, gt, &sec->layout, what);
		s->nsecrets++;
	}
	return 0;
}

static unsigned role_counts_sum(const unsigned counts[ROLE_COUNT])
{
	unsigned sum = 0, i;

	for (i = 0; i < ROLE_COUNT; i++)
		sum += counts[i];
	return sum;
}

/* A step's actors and witnesses: who acts, who watches. */
static void parse_step_people(struct script_step *st, const struct ynode *n, const char *what,
			      struct diag *d)
{
	const struct ynode *actors = yfield_need(d, n, "actors", what);
	const struct ynode *witnesses = yfield_need(d, n, "witnesses", what);

	if (actors != NULL) {
		st->actors_mark = actors->mark;
		parse_role_counts(d, actors, st->actors, NULL, "actors");
	}
	if (witnesses != NULL) {
		st->witnesses_mark = witnesses->mark;
		parse_role_counts(d, witnesses, st->witnesses, NULL, "witnesses");
		/* policy 5.2.1: multi-person control, every step is witnessed */
		if (role_counts_sum(st->witnesses) == 0)
			diag_error(d, &witnesses->mark, "%s has no witness (policy 5.2.1)", what);
	}
	if (actors != NULL && role_counts_sum(st->actors) == 0)
		diag_error(d, &actors->mark, "%s has no actor", what);
}

/* The files a step writes: relative, no '..', each once. */
static int parse_step_outputs(struct script_step *st, const struct ynode *outputs, struct diag *d)
{
	size_t i, j;

	if (!yfield_want(d, outputs, YNODE_SEQ, "outputs"))
		return 0;
	st->outputs = calloc(outputs->n ? outputs->n : 1, sizeof(*st->outputs));
	if (st->outputs == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < outputs->n; i++) {
		const struct ynode *o = outputs->kids[i];

		if (yfield_scalar(d, o, "an output") == NULL)
			continue;
		if (o->len == 0 || o->str[0] == '/' || strstr(o->str, "..") != NULL) {
			diag_error(d, &o->mark,
				   "output '%s' must be a non-empty relative path without '..'", o->str);
			continue;
		}
		for (j = 0; j < st->noutputs; j++)
			if (strcmp(st->outputs[j].path, o->str) == 0)
				diag_error(d, &o->mark, "output '%s' listed twice", o->str);
		st->outputs[st->noutputs].path = o->str;
		st->outputs[st->noutputs].mark = o->mark;
		st->noutputs++;
	}
	return 0;
}

/* A step's action, looked up in the action table. */
static void parse_step_action(struct script_step *st, const struct ynode *n, const char *what,
			      struct diag *d)
{
	const struct ynode *action = yfield_need(d, n, "action", what);
	char list[1024];
	size_t i, off = 0;

	if (action == NULL || yfield_scalar(d, action, "action") == NULL)
		return;
	st->action = script_action_find(action->str);
	if (st->action != NULL)
		return;
	list[0] = '\0';
	for (i = 0; script_actions[i].name != NULL; i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
				 script_actions[i].name);

		if (w < 0 || (size_t)w >= sizeof(list) - off)
			break;
		off += (size_t)w;
	}
	diag_error(d, &action->mark, "unknown action '%s' (actions: %s)", action->str, list);
}

static int parse_step(struct script *s, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = { "id", "title", "action", "with", "actors",
					    "witnesses", "outputs", "note", NULL };
	struct script_step *st = &s->steps[s->nsteps];
	const struct ynode *id, *title, *outputs, *with, *note;
	size_t i;
	char what[96];
	int r;

	memset(st, 0, sizeof(*st));
	st->index = s->nsteps;
	st->mark = n->mark;
	if (!yfield_want(d, n, YNODE_MAP, "a step"))
		return 0;
	id = yfield_need(d, n, "id", "step");
	if (id != NULL)
		st->id = yfield_name(d, id, "step id");
	snprintf(what, sizeof(what), "step '%s'", st->id ? st->id : "?");
	yfield_keys(d, n, keys, what);
	if (st->id != NULL) {
		for (i = 0; i < s->nsteps; i++)
			if (s->steps[i].id != NULL && strcmp(s->steps[i].id, st->id) == 0)
				diag_error(d, &id->mark, "duplicate step id '%s' (first at line %u)", st->id,
					   s->steps[i].mark.line);
	} else {
		st->id = "?";
	}
	title = yfield_need(d, n, "title", what);
	if (title != NULL)
		st->title = yfield_scalar(d, title, "title");
	note = ynode_get(n, "note");
	if (note != NULL)
		st->note = yfield_scalar(d, note, "note");
	parse_step_people(st, n, what, d);
	outputs = ynode_get(n, "outputs");
	if (outputs != NULL && (r = parse_step_outputs(st, outputs, d)) < 0)
		return r;
	with = ynode_get(n, "with");
	if (with != NULL && yfield_want(d, with, YNODE_MAP, "with"))
		st->with = with;
	parse_step_action(st, n, what, d);
	if (st->action != NULL)
		script_params_check(s, st, d);
	s->nsteps++;
	return 0;
}

/* roster: as written, and resolved against the script's directory. */
static int parse_roster_path(struct script *s, const struct ynode *n, struct diag *d)
{
	const char *slash = strrchr(s->path, '/');
	size_t dlen = slash ? (size_t)(slash - s->path) + 1 : 0;

	if ((s->roster = yfield_scalar(d, n, "roster")) == NULL)
		return 0;
	s->roster_mark = n->mark;
	if (n->len == 0) {
		diag_error(d, &n->mark, "roster path is empty");
		return 0;
	}
	s->roster_path = malloc(dlen + n->len + 1);
	if (s->roster_path == NULL)
		return CE_ERR_NOMEM;
	if (s->roster[0] == '/')
		dlen = 0;
	memcpy(s->roster_path, s->path, dlen);
	memcpy(s->roster_path + dlen, s->roster, n->len + 1);
	return 0;
}

static int script_parse(struct script *s, struct diag *d)
{
	static const char *const keys[] = { "format", "name", "version", "description", "roster",
					    "tokens", "roles", "secrets", "steps", "attendance",
					    "cosigners", NULL };
	const struct ynode *root = s->tree->root, *n;
	long v;
	size_t i;
	int r;

	if (!yfield_want(d, root, YNODE_MAP, "a ceremony script"))
		return 0;
	yfield_keys(d, root, keys, "the script");
	n = yfield_need(d, root, "format", "script");
	if (n != NULL && yfield_int(d, n, LONG_MIN, LONG_MAX, "format", &v) == 0 && v != SCRIPT_FORMAT)
		diag_error(d, &n->mark, "unsupported format %ld (this ceremony reads format %d)", v,
			   SCRIPT_FORMAT);
	n = yfield_need(d, root, "name", "script");
	if (n != NULL)
		s->name = yfield_scalar(d, n, "name");
	n = yfield_need(d, root, "version", "script");
	if (n != NULL)
		s->version = yfield_scalar(d, n, "version");
	n = ynode_get(root, "description");
	if (n != NULL)
		s->description = yfield_scalar(d, n, "description");
	n = yfield_need(d, root, "roster", "script");
	if (n != NULL && (r = parse_roster_path(s, n, d)) < 0)
		return r;
	script_cards_parse(s, root, d);
	n = ynode_get(root, "tokens");
	if (n != NULL && (r = parse_tokens(s, n, d)) < 0)
		return r;
	n = yfield_need(d, root, "roles", "script");
	if (n != NULL) {
		s->roles_mark = n->mark;
		if (yfield_want(d, n, YNODE_MAP, "roles"))
			parse_role_counts(d, n, s->roles, s->role_marks, "roles");
	}
	n = ynode_get(root, "secrets");
	if (n != NULL && (r = parse_secrets(s, n, d)) < 0)
		return r;
	n = yfield_need(d, root, "steps", "script");
	if (n != NULL && yfield_want(d, n, YNODE_SEQ, "steps")) {
		if (n->n == 0)
			diag_error(d, &n->mark, "steps: at least one step is needed");
		s->steps = calloc(n->n ? n->n : 1, sizeof(*s->steps));
		if (s->steps == NULL)
			return CE_ERR_NOMEM;
		for (i = 0; i < n->n; i++)
			if ((r = parse_step(s, n->kids[i], d)) < 0)
				return r;
	}
	script_flow_check(s, d);
	return 0;
}

static int script_from_tree(struct ytree *t, struct script **out, struct diag *d)
{
	int r = CE_ERR_INTERNAL;
	struct script *s = NULL;
	struct diag_scope sc;
	struct diag *dd = diag_scope_begin(&sc, d);

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	s->tree = t;
	t = NULL; /* transferred */
	s->path = s->tree->path;
	r = script_parse(s, dd);
	if (r < 0 || dd->errors > sc.before)
		goto out;
	*out = s;
	s = NULL; /* transferred */
	r = 0;
out:
	r = diag_scope_end(&sc, r, CE_ERR_FORMAT);
	ytree_free(t);
	script_free(s);
	return r;
}

int script_load(const char *path, struct script **out, struct diag *d)
{
	struct ytree *t = NULL;
	int r = ytree_load_file(path, &t, d);

	if (r < 0)
		return r;
	return script_from_tree(t, out, d);
}

int script_load_mem(const char *name, const char *data, size_t len, struct script **out,
		    struct diag *d)
{
	struct ytree *t = NULL;
	int r = ytree_load_mem(name, data, len, &t, d);

	if (r < 0)
		return r;
	return script_from_tree(t, out, d);
}

void script_free(struct script *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsteps; i++)
		free(s->steps[i].outputs);
	free(s->steps);
	free(s->secrets);
	free(s->tokens);
	free(s->roster_path);
	ytree_free(s->tree);
	free(s);
}
