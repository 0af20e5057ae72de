/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/preflight.c - preflight_run (ceremony/run/preflight.h): find
 * each token of the script the way the run will (the token the URI names,
 * or for a token.init the blank token of the same model), read what it
 * reports (p11_token_caps: no session, no login, nothing written), then
 * each step's requirements (preflight_rules.c).
 */
#include "ceremony/run/preflight_internal.h"

#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first step that names token `name` or logs in to it (shares.reshare
 * of its PIN), or NULL. */
static const struct script_step *first_use(const struct script *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsteps; i++) {
		const char *t = script_param_str(&s->steps[i], "token"), *l = NULL;

		if (script_step_login(s, &s->steps[i], &l) == SCRIPT_LOGIN_NONE)
			l = NULL;
		if ((t != NULL && strcmp(t, name) == 0) || (l != NULL && strcmp(l, name) == 0))
			return &s->steps[i];
	}
	return NULL;
}

/* token.init with reinit: true: an initialised token, found by the script's
 * URI or by that URI without token= (as action_token.c finds it), whose SO
 * PIN is not locked. *found 1 when t->tok was set. */
static int tok_find_reinit(struct pf_ctx *pc, struct pf_tok *t, const struct script_step *st,
			   int *found)
{
	char *buri = NULL;
	int r = 0;

	*found = 0;
	if (p11_token_find(pc->p11, t->spec->uri, &t->tok) != 0) {
		ce_err_clear();
		(void)script_uri_without_token(t->spec->uri, &buri);
		if (buri == NULL)
			return ce_err_set(CE_ERR_NOMEM, "out of memory");
		if (p11_token_find(pc->p11, buri, &t->tok) != 0) {
			struct p11_token *blank = NULL;
			char offers[512];

			/* as the step says it (action_token.c reinit_find) */
			snprintf(offers, sizeof(offers), "%s", ce_err_detail());
			ce_err_clear();
			if (p11_token_find_blank(pc->p11, buri, &blank) == 0)
				snprintf(offers, sizeof(offers),
					 "token '%s' (%s) is blank, but the step says reinit: true: "
					 "nothing to re-initialise; token.init without reinit "
					 "initialises it", t->spec->name, buri);
			ce_err_clear();
			p11_token_free(blank);
			r = pf_add(pc->pf, PF_MISSING, st, "token", t->spec->name, offers, NULL,
				   "an initialised token to re-initialise for %s (%s)",
				   t->spec->uri, buri);
			goto out;
		}
	}
	if (p11_token_info(t->tok)->flags & P11_TOKEN_SO_PIN_LOCKED) {
		r = pf_add(pc->pf, PF_MISSING, st, "token", t->spec->name, "its SO PIN is locked",
			   NULL, "an initialised token to re-initialise with its current SO PIN");
		p11_token_free(t->tok);
		t->tok = NULL;
		goto out;
	}
	*found = 1;
out:
	free(buri);
	return r;
}

/* token.init without reinit finds no blank token by buri (the script's URI
 * without token=): MISSING, and when an initialised token is found there
 * (a factory card or partition, a failed token-init), said as the step says
 * it (action_token.c blank_find): reinit: true re-initialises it. */
static int no_blank(struct pf_ctx *pc, struct pf_tok *t, const struct script_step *st,
		    const char *buri)
{
	struct p11_token *exists = NULL;
	char offers[512];
	int r;

	snprintf(offers, sizeof(offers), "%s", ce_err_detail());
	ce_err_clear();
	if (p11_token_find(pc->p11, buri, &exists) == 0)
		snprintf(offers, sizeof(offers),
			 "no blank token for '%s' (%s), but an initialised one, labelled '%s': "
			 "to re-initialise it, the step says reinit: true",
			 t->spec->name, buri, p11_token_info(exists)->label);
	ce_err_clear();
	p11_token_free(exists);
	r = pf_add(pc->pf, PF_MISSING, st, "token", t->spec->name, offers, NULL,
		   "a blank token for %s (%s)", t->spec->uri, buri);
	return r;
}

/* Find token t and read its caps; one requirement line says what was found. */
static int tok_open(struct pf_ctx *pc, struct pf_tok *t)
{
	const struct script_step *st = first_use(pc->s, t->spec->name);
	const struct p11_token_info *i;
	char offers[256], *buri = NULL;
	int r = CE_ERR_INTERNAL, fr = 0;

	if (st == NULL) {
		r = 0; /* named by no step: nothing needed of it */
		goto out;
	}
	t->inited = strcmp(st->action->name, "token.init") == 0;
	if (t->inited && script_param_bool(st, "reinit", &t->reinit) < 0)
		t->reinit = 0;
	if (t->reinit) {
		int found = 0;

		r = tok_find_reinit(pc, t, st, &found);
		if (r < 0 || !found)
			goto out;
	} else if ((fr = p11_token_find(pc->p11, t->spec->uri, &t->tok)) == 0) {
		if (t->inited) {
			r = pf_add(pc->pf, PF_MISSING, st, "token", t->spec->name,
				   "that token is already initialised: token.init only initialises "
				   "a blank token, unless the step says reinit: true (its current SO "
				   "PIN typed at the console)",
				   NULL, "a blank token for %s", t->spec->uri);
			p11_token_free(t->tok);
			t->tok = NULL;
			goto out;
		}
	} else if (t->inited && fr != CE_ERR_NOT_FOUND) {
		/* e.g. two tokens match (the same label and serial): nothing touched */
		r = pf_add(pc->pf, PF_MISSING, st, "token", t->spec->name, ce_err_detail(), NULL,
			   "no token yet for %s, and a blank one to initialise", t->spec->uri);
		ce_err_clear();
		goto out;
	} else if (t->inited) {
		ce_err_clear();
		(void)script_uri_without_token(t->spec->uri, &buri);
		if (buri == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
		if (p11_token_find_blank(pc->p11, buri, &t->tok) == 0) {
			t->blank = 1;
		} else {
			r = no_blank(pc, t, st, buri);
			goto out;
		}
	} else {
		r = pf_add(pc->pf, PF_MISSING, st, "token", t->spec->name, ce_err_detail(), NULL,
			   "the token %s", t->spec->uri);
		ce_err_clear();
		goto out;
	}
	r = p11_token_caps(t->tok, &t->caps);
	if (r < 0)
		goto out;
	i = &t->caps->info;
	snprintf(offers, sizeof(offers), "%s%s%s, model %s, manufacturer %s, serial %s",
		 t->blank ? "blank token" : "token '", t->blank ? "" : i->label,
		 t->blank ? "" : "'", i->model, i->manufacturer, i->serial);
	r = pf_add(pc->pf, PF_OK, st, "token", t->spec->name, offers, p11_token_uri(t->tok),
		   t->blank ? "a blank token for %s" : "the token %s", t->spec->uri);
out:
	free(buri);
	return r;
}

int preflight_run(struct p11_ctx *ctx, const struct script *s, struct preflight *pf)
{
	struct pf_ctx pc;
	const char *tn;
	size_t i;
	int r = CE_ERR_INTERNAL, user_login = 0;

	memset(pf, 0, sizeof(*pf));
	memset(&pc, 0, sizeof(pc));
	pc.p11 = ctx;
	pc.s = s;
	pc.pf = pf;
	pc.toks = calloc(s->ntokens + 1, sizeof(*pc.toks));
	if (pc.toks == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < s->nsteps; i++)
		if (script_step_login(s, &s->steps[i], &tn) == SCRIPT_LOGIN_USER)
			user_login = 1;
	if (!user_login) {
		r = pf_rules_tkey_soft(&pc);
		if (r < 0)
			goto out;
	}
	for (i = 0; i < s->ntokens; i++) {
		pc.toks[i].spec = &s->tokens[i];
		r = tok_open(&pc, &pc.toks[i]);
		if (r < 0)
			goto out;
	}
	for (i = 0; i < s->nsteps; i++) {
		r = pf_rules_step(&pc, &s->steps[i]);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	for (i = 0; pc.toks != NULL && i < s->ntokens; i++) {
		p11_caps_free(pc.toks[i].caps);
		p11_token_free(pc.toks[i].tok);
	}
	free(pc.toks);
	if (r < 0)
		preflight_free(pf);
	return r;
}
