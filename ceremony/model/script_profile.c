/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_profile.c - a cert.issue or cert.self-sign step's profile from the
 * script's YAML into struct x509_profile, and its lint with places.
 */
#include "ceremony/model/script_profile.h"
#include "ceremony/model/script_internal.h"
#include "ceremony/model/script_time.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY 86400

/* A sequence of scalars into out[max]; *n the count. */
static void str_list(const struct ynode *v, const char *what, const char **out, size_t max,
		     size_t *n, struct diag *d)
{
	size_t i;

	*n = 0;
	if (!yfield_want(d, v, YNODE_SEQ, what))
		return;
	if (v->n == 0 || v->n > max) {
		diag_error(d, &v->mark, "%s: 1 to %zu entries", what, max);
		return;
	}
	for (i = 0; i < v->n; i++) {
		const char *s = yfield_scalar(d, v->kids[i], what);

		if (s == NULL)
			return;
		if (s[0] == '\0') {
			diag_error(d, &v->kids[i]->mark, "%s: empty entry", what);
			return;
		}
		out[(*n)++] = s;
	}
}

/* A list of names joined with commas into buf (keyUsage, EKU). */
static const char *name_list(const struct ynode *v, const char *what, char *buf, size_t cap,
			     struct diag *d)
{
	const char *items[16];
	size_t n = 0, i, used = 0;

	str_list(v, what, items, 16, &n, d);
	if (n == 0)
		return NULL;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(buf + used, cap - used, "%s%s", i ? "," : "", items[i]);

		if (w < 0 || (size_t)w >= cap - used) {
			diag_error(d, &v->mark, "%s: too long", what);
			return NULL;
		}
		used += (size_t)w;
	}
	return buf;
}

/* subject: a string "/C=FR/O=x/CN=y" (with '+' for multi-valued RDNs), or
 * a sequence of maps, each map one RDN: [{C: FR}, {O: x}, {CN: y, OU: z}]. */
static void subject_parse(const struct ynode *v, struct script_profile *sp, struct diag *d)
{
	size_t i, j, n = 0;

	if (v->type == YNODE_SCALAR) {
		X509_NAME *name = NULL;

		sp->p.subject = v->str;
		if (x509_name_parse(v->str, &name) < 0)
			diag_error(d, &v->mark, "subject: %s", ce_err_detail());
		X509_NAME_free(name);
		return;
	}
	if (!yfield_want(d, v, YNODE_SEQ, "subject"))
		return;
	for (i = 0; i < v->n; i++) {
		const struct ynode *rdn = v->kids[i];

		if (!yfield_want(d, rdn, YNODE_MAP, "a subject RDN"))
			return;
		for (j = 0; j < rdn->n; j++) {
			const struct ynode *k = rdn->kids[2 * j], *val = rdn->kids[2 * j + 1];

			if (n >= SP_MAX_ATTRS) {
				diag_error(d, &k->mark, "subject: more than %d attributes", SP_MAX_ATTRS);
				return;
			}
			if (yfield_scalar(d, val, "a subject attribute") == NULL)
				return;
			sp->attrs[n].type = k->str;
			sp->attrs[n].value = val->str;
			sp->attrs[n].same_rdn = j > 0;
			n++;
		}
	}
	{
		X509_NAME *name = NULL;

		if (x509_name_build(sp->attrs, n, &name) < 0)
			diag_error(d, &v->mark, "subject: %s", ce_err_detail());
		X509_NAME_free(name);
	}
	sp->p.subject_attrs = sp->attrs;
	sp->p.n_subject_attrs = n;
}

static void policies_parse(const struct ynode *v, struct script_profile *sp, struct diag *d)
{
	static const char *const keys[] = { "oid", "cps", "notice", NULL };
	size_t i;

	if (!yfield_want(d, v, YNODE_SEQ, "policies"))
		return;
	if (v->n == 0 || v->n > SP_MAX_POLICIES) {
		diag_error(d, &v->mark, "policies: 1 to %d entries", SP_MAX_POLICIES);
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i], *x;

		if (!yfield_want(d, it, YNODE_MAP, "a policy"))
			return;
		yfield_keys(d, it, keys, "a policy");
		x = yfield_need(d, it, "oid", "policy");
		if (x == NULL || yfield_scalar(d, x, "oid") == NULL)
			return;
		sp->pol[i].oid = x->str;
		x = ynode_get(it, "cps");
		sp->pol[i].cps = x != NULL ? yfield_scalar(d, x, "cps") : NULL;
		x = ynode_get(it, "notice");
		sp->pol[i].notice = x != NULL ? yfield_scalar(d, x, "notice") : NULL;
	}
	sp->p.policies = sp->pol;
	sp->p.n_policies = v->n;
}

static void bool_field(const struct ynode *v, const char *what, int *out, struct diag *d)
{
	if (yfield_scalar(d, v, what) == NULL)
		return;
	if (strcmp(v->str, "true") == 0)
		*out = 1;
	else if (strcmp(v->str, "false") == 0)
		*out = 0;
	else
		diag_error(d, &v->mark, "%s must be true or false, not '%s'", what, v->str);
}

static void time_field(const struct ynode *v, const char *what, time_t *out, struct diag *d)
{
	if (yfield_scalar(d, v, what) == NULL)
		return;
	if (script_time_parse(v->str, out) < 0)
		diag_error(d, &v->mark, "%s must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), "
			   "not '%s'", what, v->str);
}

/* The extension fields (lists, constraints, flags). */
static void ext_fields(const struct script_step *st, struct script_profile *sp, struct diag *d)
{
	const struct ynode *v;
	struct x509_profile *p = &sp->p;

	if ((v = script_param(st, "key-usage")) != NULL)
		p->key_usage = name_list(v, "key-usage", sp->ku, sizeof(sp->ku), d);
	if ((v = script_param(st, "ext-key-usage")) != NULL)
		p->ext_key_usage = name_list(v, "ext-key-usage", sp->eku, sizeof(sp->eku), d);
	if ((v = script_param(st, "ext-key-usage-critical")) != NULL)
		bool_field(v, "ext-key-usage-critical", &p->eku_critical, d);
	if ((v = script_param(st, "policies")) != NULL)
		policies_parse(v, sp, d);
	if ((v = script_param(st, "crl-urls")) != NULL) {
		str_list(v, "crl-urls", sp->crl, SP_MAX_URLS, &p->n_crl_urls, d);
		p->crl_urls = sp->crl;
	}
	if ((v = script_param(st, "ocsp-urls")) != NULL) {
		str_list(v, "ocsp-urls", sp->ocsp, SP_MAX_URLS, &p->n_ocsp_urls, d);
		p->ocsp_urls = sp->ocsp;
	}
	if ((v = script_param(st, "ca-issuers-urls")) != NULL) {
		str_list(v, "ca-issuers-urls", sp->cai, SP_MAX_URLS, &p->n_ca_issuers_urls, d);
		p->ca_issuers_urls = sp->cai;
	}
	if ((v = script_param(st, "name-constraints")) != NULL &&
	    yfield_want(d, v, YNODE_MAP, "name-constraints")) {
		static const char *const keys[] = { "permitted", "excluded", NULL };
		const struct ynode *x;

		yfield_keys(d, v, keys, "name-constraints");
		if ((x = ynode_get(v, "permitted")) != NULL)
			str_list(x, "permitted", sp->perm, SP_MAX_URLS, &p->n_nc_permitted, d);
		if ((x = ynode_get(v, "excluded")) != NULL)
			str_list(x, "excluded", sp->excl, SP_MAX_URLS, &p->n_nc_excluded, d);
		p->nc_permitted = sp->perm;
		p->nc_excluded = sp->excl;
	}
	if ((v = script_param(st, "ocsp-nocheck")) != NULL)
		bool_field(v, "ocsp-nocheck", &p->ocsp_nocheck, d);
	if ((v = script_param(st, "ski-method")) != NULL && yfield_scalar(d, v, "ski-method")) {
		if (strcmp(v->str, "sha1") == 0)
			p->ski_method = X509_SKI_SHA1;
		else if (strcmp(v->str, "sha256") == 0)
			p->ski_method = X509_SKI_SHA256;
		else
			diag_error(d, &v->mark, "ski-method must be sha1 (RFC 5280 4.2.1.2) or "
				   "sha256 (RFC 7093 2), not '%s'", v->str);
	}
}

int script_profile_parse(const struct script_step *st, time_t now, struct script_profile *sp,
			 struct diag *d)
{
	struct diag_scope sc;
	struct diag *dd = diag_scope_begin(&sc, d);
	const struct ynode *v, *name = script_param(st, "profile");
	long n;

	const char *act = st->action != NULL ? st->action->name : "cert.issue";
	/* cert.self-sign makes a root unless it names another profile. */
	const char *pname = name != NULL ? (name->type == YNODE_SCALAR ? name->str : NULL)
			    : strcmp(act, "cert.self-sign") == 0 ? "root-ca" : NULL;

	memset(sp, 0, sizeof(*sp));
	if (pname == NULL || x509_profile_ready(pname, &sp->p) < 0) {
		diag_error(dd, name ? &name->mark : &st->mark, "profile: one of %s",
			   x509_profile_names());
		return diag_scope_end(&sc, 0, CE_ERR_FORMAT);
	}
	sp->p.not_before = now;
	if ((v = script_param(st, "not-before")) != NULL)
		time_field(v, "not-before", &sp->p.not_before, dd);
	if ((v = script_param(st, "not-after")) != NULL)
		time_field(v, "not-after", &sp->p.not_after, dd);
	if (script_param_int(st, "validity-days", &n) == 0)
		sp->p.validity_days = (unsigned int)n;
	if (sp->p.not_after == 0 && sp->p.validity_days == 0)
		diag_error(dd, &st->mark, "step '%s': %s needs not-after or validity-days",
			   st->id, act);
	if ((v = script_param(st, "signature-algorithm")) != NULL)
		sp->p.sig_alg = yfield_scalar(dd, v, "signature-algorithm");
	if ((v = script_param(st, "subject")) != NULL)
		subject_parse(v, sp, dd);
	if ((v = script_param(st, "ca")) != NULL)
		bool_field(v, "ca", &sp->p.ca, dd);
	if (script_param_int(st, "pathlen", &n) == 0)
		sp->p.path_len = (int)n;
	sp->p.serial_hex = script_param_str(st, "serial");
	ext_fields(st, sp, dd);
	return diag_scope_end(&sc, 0, CE_ERR_FORMAT);
}

/* Where a finding's field is in the step: its parameter, else the profile. */
static const struct diag_mark *field_mark(const struct script_step *st, const char *field)
{
	const struct ynode *v = NULL;

	if (field != NULL) {
		v = script_param(st, field);
		if (v == NULL && strcmp(field, "not-after") == 0)
			v = script_param(st, "validity-days");
		if (v == NULL && strcmp(field, "ca") == 0)
			v = script_param(st, "profile");
	}
	if (v == NULL)
		v = script_param(st, "profile");
	return v != NULL ? &v->mark : &st->mark;
}

int script_profile_lint(const struct script_step *st, const struct script_profile *sp,
			time_t issuer_not_after, struct diag *d)
{
	struct diag_scope sc;
	struct diag *dd = diag_scope_begin(&sc, d);
	struct x509_lint l = { 0 };
	size_t i;

	x509_lint_profile(&sp->p, issuer_not_after, &l);
	for (i = 0; i < l.n; i++)
		diag_error(dd, field_mark(st, l.f[i].field), "step '%s': %s [%s, %s]", st->id,
			   l.f[i].msg, l.f[i].rule, l.f[i].source);
	return diag_scope_end(&sc, 0, CE_ERR_FORMAT);
}

/* The notAfter of the issuer certificate when an earlier step of s writes
 * it (cert.self-sign or cert.issue with validity-days, counted from now),
 * else 0. */
static time_t issuer_not_after(const struct script *s, const struct script_step *st,
			       time_t now)
{
	const char *issuer = script_param_str(st, "issuer-cert");
	time_t na = 0;
	size_t i;
	long days;

	for (i = 0; issuer != NULL && i < st->index; i++) {
		const struct script_step *e = &s->steps[i];
		const char *o = script_param_str(e, "output");

		if (o == NULL || strcmp(o, issuer) != 0)
			continue;
		na = 0;
		if (script_param_str(e, "not-after") != NULL)
			(void)script_time_parse(script_param_str(e, "not-after"), &na);
		else if (script_param_int(e, "validity-days", &days) == 0)
			na = now + (time_t)days * DAY;
	}
	return na;
}

void script_profile_check(const struct script *s, const struct script_step *st, struct diag *d)
{
	struct script_profile sp;
	time_t now = time(NULL);

	if (script_profile_parse(st, now, &sp, d) < 0)
		return;
	(void)script_profile_lint(st, &sp, issuer_not_after(s, st, now), d);
}
