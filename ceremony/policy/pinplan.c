/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/pinplan.c - the PIN a step will make, held against the
 * script, the token's range and the entropy floor (pinplan.h).
 */
#include "ceremony/policy/pinplan.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pin_plan_set_len(struct pin_plan *p, size_t len)
{
	p->len = len;
	p->bits = p11_pin_entropy_bits(p->alphabet, len);
}

void pin_plan_read(const struct script_step *st, struct pin_plan *p)
{
	const struct ynode *n = script_param(st, "pin-length");
	const char *alpha = script_param_str(st, "pin-alphabet");
	long v = 0;

	memset(p, 0, sizeof(*p));
	p->mark = st->mark;
	p->alphabet = P11_PIN_TYPEABLE;
	if (alpha != NULL && p11_pin_alphabet_parse(alpha, &p->alphabet) < 0)
		ce_err_clear(); /* the schema allows only the two */
	p->floor_bits = PIN_PLAN_FLOOR_BITS;
	if (script_param_int(st, "min-pin-entropy-bits", &v) == 0 && v > 0) {
		p->floor_bits = (unsigned)v;
		p->floor_given = 1;
	}
	if (n != NULL && script_param_int(st, "pin-length", &v) == 0 && v > 0) {
		p->len_given = 1;
		p->mark = n->mark;
		pin_plan_set_len(p, (size_t)v);
	} else {
		pin_plan_set_len(p, PIN_PLAN_DEFAULT_LEN);
	}
}

void pin_plan_describe(const struct pin_plan *p, char *buf, size_t cap)
{
	size_t n;

	(void)p11_pin_alphabet_chars(p->alphabet, &n);
	snprintf(buf, cap, "%zu %s characters (%zu symbols): %.1f bits (floor %u%s)", p->len,
		 p11_pin_alphabet_name(p->alphabet), n, p->bits, p->floor_bits,
		 p->floor_given ? ", the script's" : "");
}

/* Below the floor: an error at the plan's mark. policy: docs/share-format.md
 * "How long a PIN" (the floor and who may lower it). */
static void floor_check(const struct script_step *st, const struct pin_plan *p, struct diag *d)
{
	char what[160];

	if (p->bits >= (double)p->floor_bits)
		return;
	pin_plan_describe(p, what, sizeof(what));
	diag_error(d, &p->mark,
		   "step '%s': the PIN would be %s, below the entropy floor of %u bits: make "
		   "pin-length longer, or lower the floor explicitly with min-pin-entropy-bits",
		   st->id, what, p->floor_bits);
}

static int makes_pin(const struct script_step *st)
{
	return st->action != NULL && (strcmp(st->action->name, "token.init") == 0 ||
				      strcmp(st->action->name, "pin.rotate") == 0);
}

void pin_plan_lint(const struct script *s, struct diag *d)
{
	struct pin_plan p;
	const struct ynode *fn;
	size_t i;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];

		if (!makes_pin(st))
			continue;
		pin_plan_read(st, &p);
		fn = script_param(st, "min-pin-entropy-bits");
		if (p.floor_given && p.floor_bits < PIN_PLAN_FLOOR_BITS)
			diag_warn(d, fn != NULL ? &fn->mark : &st->mark,
				  "step '%s': min-pin-entropy-bits %u lowers the entropy floor below "
				  "the default of %d bits",
				  st->id, p.floor_bits, PIN_PLAN_FLOOR_BITS);
		/* without pin-length, pin.rotate keeps the length of the PIN it
		 * replaces and token.init fits the default to the token: both are
		 * held to the floor when the token is known */
		if (p.len_given)
			floor_check(st, &p, d);
	}
}

int pin_plan_fit(const struct script_step *st, const char *token_what, unsigned long lo,
		 unsigned long hi, struct pin_plan *p, struct diag *d)
{
	struct diag_scope sc;
	struct diag *dd = diag_scope_begin(&sc, d);

	if (lo == 0)
		lo = 1;
	if (hi == 0 || hi > P11_PIN_DERIVE_MAX_LEN)
		hi = P11_PIN_DERIVE_MAX_LEN;
	if (lo > hi) {
		diag_error(dd, &p->mark,
			   "step '%s': %s accepts PINs of %lu..%lu characters, none of which "
			   "ceremony can make (1..%d)",
			   st->id, token_what, lo, hi, P11_PIN_DERIVE_MAX_LEN);
	} else if (p->len_given && (p->len < lo || p->len > hi)) {
		diag_error(dd, &p->mark,
			   "step '%s': pin-length %zu does not fit %s, whose PIN range is %lu..%lu "
			   "characters: write a pin-length in that range",
			   st->id, p->len, token_what, lo, hi);
	} else {
		if (!p->len_given)
			pin_plan_set_len(p, p->len < lo ? lo : p->len > hi ? hi : p->len);
		floor_check(st, p, dd);
	}
	return diag_scope_end(&sc, 0, CE_ERR_INVALID);
}

/* The token a PIN-making step acts on, as the module reports it, or NULL
 * (not found: a warning in d). */
static int step_token(const struct script *s, const struct script_step *st, struct p11_ctx *ctx,
		      struct p11_token **tok, struct diag *d)
{
	const struct script_token *spec = script_token_find(s, script_param_str(st, "token"));
	char *buri = NULL;
	int r = CE_ERR_INTERNAL;

	*tok = NULL;
	if (spec == NULL) {
		r = 0; /* the schema said so already */
		goto out;
	}
	if (p11_token_find(ctx, spec->uri, tok) == 0) {
		r = 0;
		goto out;
	}
	ce_err_clear();
	if (strcmp(st->action->name, "token.init") == 0) {
		r = script_uri_without_token(spec->uri, &buri);
		if (r < 0)
			goto out;
		if (p11_token_find_blank(ctx, buri, tok) == 0) {
			r = 0;
			goto out;
		}
		ce_err_clear();
	}
	diag_warn(d, &spec->mark,
		  "step '%s': no token for '%s' (%s) on the module: its PIN range is checked "
		  "when the ceremony runs",
		  st->id, spec->name, spec->uri);
	r = 0;
out:
	free(buri);
	return r;
}

int pin_plan_lint_module(const struct script *s, struct p11_ctx *ctx, struct diag *d)
{
	struct p11_token *tok = NULL;
	const struct p11_token_info *ti;
	struct pin_plan p;
	char what[256];
	size_t i;
	int r = CE_ERR_INTERNAL;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];

		if (!makes_pin(st))
			continue;
		p11_token_free(tok);
		r = step_token(s, st, ctx, &tok, d);
		if (r < 0)
			goto out;
		pin_plan_read(st, &p);
		/* pin.rotate without pin-length keeps the old PIN's length,
		 * known only from the shares' transcript */
		if (tok == NULL || (!p.len_given && strcmp(st->action->name, "pin.rotate") == 0))
			continue;
		ti = p11_token_info(tok);
		pin_plan_token_what(script_param_str(st, "token"), ti, what, sizeof(what));
		if (pin_plan_fit(st, what, ti->min_pin_len, ti->max_pin_len, &p, d) < 0)
			ce_err_clear(); /* the finding is in d */
	}
	r = 0;
out:
	p11_token_free(tok);
	return r;
}

int pin_plan_check(const struct script *s, struct p11_ctx *ctx)
{
	struct diag d;
	int r = CE_ERR_INTERNAL;

	diag_init(&d);
	r = pin_plan_lint_module(s, ctx, &d);
	if (r < 0)
		goto out;
	if (d.errors) {
		r = CE_ERR_INVALID;
		diag_err_first(&d, r);
		ce_err_prefix(r, "refusing to run, nothing is written to any token");
		goto out;
	}
	ce_err_clear();
	r = 0;
out:
	diag_free(&d);
	return r;
}

void pin_plan_token_what(const char *tname, const struct p11_token_info *ti, char *buf,
			 size_t cap)
{
	if (ti->serial[0] != '\0')
		snprintf(buf, cap, "the token for '%s' (model %s, serial %s)", tname, ti->model,
			 ti->serial);
	else
		snprintf(buf, cap, "the token for '%s' (model %s)", tname, ti->model);
}
