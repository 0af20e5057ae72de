/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/steps.c - verify --script, one event against its step:
 * the events an action writes, with the step's parameters, and where the
 * transcript key is announced (docs/transcript-format.md section 5). Called
 * by semantics.c, which keeps the running state; calls nothing back.
 */
#include "ceremony/model/script.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int vsem_fail(char *why, size_t cap, uint64_t *why_line, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	*why_line = line;
	return 1;
}

const struct script_secret *vsem_step_quorum_secret(const struct script *s,
						    const struct script_step *st)
{
	const struct script_param_spec *ps;
	const char *name;

	if (st->action == NULL)
		return NULL;
	for (ps = st->action->params; ps->key != NULL; ps++)
		if (ps->type == PT_SECRET && (ps->use & SECRET_USE_QUORUM) &&
		    (name = script_param_str(st, ps->key)) != NULL)
			return script_secret_find(s, name);
	return NULL;
}

/* Events only some actions write (docs/transcript-format.md section 4):
 * the type, and the actions whose steps may hold it ("|"-separated). A
 * share.* event belongs to a step that issues shares (share.issued,
 * share.verified) or enters them (quorum.share): see step_event_check. */
static const struct {
	const char *type, *actions;
} step_events[] = {
	{ "token.initialised", "token.init" },
	{ "pin.changed", "token.init|pin.rotate" },
	{ "key.generated", "key.generate|key.restore" },
	{ "key.destroyed", "key.destroy" },
	{ "cert.created", "cert.self-sign|cert.issue" },
	{ "csr.created", "csr.create" },
	{ "crl.created", "crl.sign" },
};

static int action_in(const char *name, const char *list)
{
	size_t n = strlen(name);
	const char *p = list;

	for (;;) {
		if (strncmp(p, name, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return 1;
		p = strchr(p, '|');
		if (p == NULL)
			return 0;
		p++;
	}
}

/* 1 if step st issues shares (a secret parameter used to issue). */
static int step_issues_shares(const struct script_step *st)
{
	const struct script_param_spec *ps;

	if (st->action == NULL)
		return 0;
	for (ps = st->action->params; ps->key != NULL; ps++)
		if (ps->type == PT_SECRET && (ps->use & SECRET_USE_ISSUE) &&
		    script_param_str(st, ps->key) != NULL)
			return 1;
	return 0;
}

/* A details string equal to the step's parameter (when the step sets it). */
static int param_match(const struct script *s, const struct script_step *cur, uint64_t ln,
		       const struct tj_doc *d, const char *type,
		       const char *dkey, const char *pkey, int base, char *why, size_t cap,
		       uint64_t *wl)
{
	const char *want = script_param_str(cur, pkey);
	const char *got = tj_str(d, tj_get(d, tj_get(d, 0, "details"), dkey));
	const char *slash;

	if (want == NULL || got == NULL)
		return 0;
	if (base && (slash = strrchr(want, '/')) != NULL)
		want = slash + 1;
	if (strcasecmp(want, got) != 0)
		return vsem_fail(why, cap, wl, ln,
			     "step %s: %s %s \"%.64s\", but the script's %s is \"%.64s\" (script line %u)",
			     cur->id, type, dkey, got, pkey, want, cur->mark.line);
	return 0;
}

/* key.generated's key_type (type, size, curve) is the one the step asks for
 * (script_key_type_name: the same reading of the script as the runner's). */
static int key_type_match(const struct script *s, const struct script_step *cur, uint64_t ln,
			  const struct tj_doc *d, char *why,
			  size_t cap, uint64_t *wl)
{
	const char *got = tj_str(d, tj_get(d, tj_get(d, 0, "details"), "key_type"));
	char want[32];

	if (script_key_type_name(cur, want, sizeof(want)) < 0)
		return 0; /* lint refuses such a step; nothing to compare */
	if (got == NULL || strcmp(got, want) != 0)
		return vsem_fail(why, cap, wl, ln,
			     "step %s: key.generated key_type \"%.32s\", but the script asks for "
			     "%s (script line %u)",
			     cur->id, got != NULL ? got : "(none)", want, cur->mark.line);
	return 0;
}

/* token.initialised says reinit: true exactly when its step says reinit:
 * true: a re-initialisation (the current SO PIN typed) is one the script
 * planned, and a planned one is recorded as such. */
static int reinit_match(const struct script_step *cur, uint64_t ln, const struct tj_doc *d,
			char *why, size_t cap, uint64_t *wl)
{
	int want = 0, got = tj_is(d, tj_get(d, tj_get(d, 0, "details"), "reinit"), TJ_TRUE);

	if (script_param_bool(cur, "reinit", &want) < 0)
		want = 0;
	if (!!want != !!got)
		return vsem_fail(why, cap, wl, ln,
			     "step %s: token.initialised %s, but the script's step %s (script "
			     "line %u)", cur->id, got ? "says reinit: true" : "is no re-initialisation",
			     want ? "says reinit: true" : "initialises a blank token", cur->mark.line);
	return 0;
}

/* The transcript key is announced where the runner makes it: a software key
 * (no user login in the script) right after ceremony.start, outside any step,
 * its words confirmed by the attendance witnesses; a token key in the first
 * step that logs in as user (script_step_login), whose witnesses confirm its
 * words. */
int vsem_tkey_place_check(const struct script *s, const struct script_step *cur, uint64_t ln,
			  const struct tj_doc *d, char *why,
			    size_t cap, uint64_t *wl)
{
	const char *store = tj_str(d, tj_get(d, tj_get(d, 0, "details"), "key_store"));
	const struct script_step *first = NULL;
	const char *tok = NULL;
	size_t i;

	for (i = 0; i < s->nsteps && first == NULL; i++)
		if (script_step_login(s, &s->steps[i], &tok) == SCRIPT_LOGIN_USER)
			first = &s->steps[i];
	if (store != NULL && strcmp(store, "software") == 0) {
		if (first != NULL)
			return vsem_fail(why, cap, wl, ln,
				     "transcript.key: a software key, but step %s (script line %u) "
				     "logs in as user: the key is made on that token",
				     first->id, first->mark.line);
		if (cur != NULL)
			return vsem_fail(why, cap, wl, ln,
				     "transcript.key: a software key announced inside step %s: it is "
				     "announced before attendance, whose witnesses confirm it",
				     cur->id);
		return 0;
	}
	if (first == NULL)
		return vsem_fail(why, cap, wl, ln,
			     "transcript.key: a token key, but no step of the script logs in as user");
	if (cur != first)
		return vsem_fail(why, cap, wl, ln,
			     "transcript.key: announced %s%s, but it is made in step %s (script line "
			     "%u), the first user login, whose witnesses confirm it",
			     cur != NULL ? "in step " : "outside any step",
			     cur != NULL ? cur->id : "", first->id, first->mark.line);
	return 0;
}

/* An event of the running step is one its action writes, with the step's
 * parameters: the line and the reason otherwise. */
int vsem_step_event_check(const struct script *s, const struct script_step *cur, uint64_t ln,
			  const struct tj_doc *d,
			    const char *type, char *why, size_t cap, uint64_t *wl)
{
	const char *action = cur->action != NULL ? cur->action->name : "?";
	size_t i;
	int k = 0;

	if (strcmp(type, "share.issued") == 0 || strcmp(type, "share.verified") == 0) {
		if (!step_issues_shares(cur))
			return vsem_fail(why, cap, wl, ln, "step %s: %s, but its action %s issues no shares",
				     cur->id, type, action);
		return 0;
	}
	if (strcmp(type, "quorum.share") == 0) {
		if (vsem_step_quorum_secret(s, cur) == NULL)
			return vsem_fail(why, cap, wl, ln, "step %s: %s, but its action %s enters no shares",
				     cur->id, type, action);
		return 0;
	}
	for (i = 0; i < sizeof(step_events) / sizeof(step_events[0]); i++)
		if (strcmp(type, step_events[i].type) == 0)
			break;
	if (i == sizeof(step_events) / sizeof(step_events[0]))
		return 0;
	if (!action_in(action, step_events[i].actions))
		return vsem_fail(why, cap, wl, ln, "step %s: %s belongs to no %s step (its action is %s)",
			     cur->id, type, step_events[i].actions, action);
	if (strcmp(type, "key.generated") == 0 && strcmp(action, "key.generate") == 0)
		k = param_match(s, cur, ln, d, type, "label", "label", 0, why, cap, wl) ||
		    param_match(s, cur, ln, d, type, "id", "id", 0, why, cap, wl) ||
		    param_match(s, cur, ln, d, type, "token", "token", 0, why, cap, wl) ||
		    key_type_match(s, cur, ln, d, why, cap, wl);
	else if (strcmp(type, "cert.created") == 0 && strcmp(action, "cert.issue") == 0)
		k = param_match(s, cur, ln, d, type, "file", "output", 1, why, cap, wl) ||
		    param_match(s, cur, ln, d, type, "profile", "profile", 0, why, cap, wl);
	else if (strcmp(type, "key.destroyed") == 0)
		k = param_match(s, cur, ln, d, type, "token", "token", 0, why, cap, wl);
	else if (strcmp(type, "token.initialised") == 0)
		k = param_match(s, cur, ln, d, type, "token", "token", 0, why, cap, wl) ||
		    reinit_match(cur, ln, d, why, cap, wl);
	else if (strstr(type, ".created") != NULL)
		k = param_match(s, cur, ln, d, type, "file", "output", 1, why, cap, wl);
	return k;
}
