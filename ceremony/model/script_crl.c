/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_crl.c - the CRL rules `ceremony lint` checks on a
 * crl.sign step (docs/x509.md, CRL table): nextUpdate capped (default 365
 * days, max-next-update-days lower), an explicit this-update well formed,
 * each serial listed once, revocation dates not after this-update. The
 * runner checks the same again on the CRL built (pkcs11/x509 lint) before
 * the HSM signs, with the issuer's notAfter and the previous CRL's number.
 * Also cert.self-sign's validity cap (the root-ca profile's).
 */
#include "ceremony/model/script_internal.h"
#include "ceremony/model/script_time.h"
#include "ceremony/model/roster.h"

#include <ctype.h>
#include <string.h>

#define CRL_DEFAULT_MAX_DAYS 365L
#define SCRIPT_ROOT_MAX_DAYS 9132 /* pkcs11/x509/ready.c, root-ca */

/* Serial hex without leading zeros, lower case, into buf. */
static void serial_norm(const char *s, char *buf, size_t cap)
{
	size_t i = 0;

	while (s[0] == '0' && s[1] != '\0')
		s++;
	for (; *s != '\0' && i + 1 < cap; s++)
		buf[i++] = (char)tolower((unsigned char)*s);
	buf[i] = '\0';
}

static void crl_revoked_check(const struct script_step *st, time_t this_update, struct diag *d)
{
	const struct ynode *seq = script_param(st, "revoked");
	char a[96], b[96];
	size_t i, j;

	if (seq == NULL || seq->type != YNODE_SEQ)
		return;
	for (i = 0; i < seq->n; i++) {
		const struct ynode *si = ynode_get(seq->kids[i], "serial");
		const struct ynode *di = ynode_get(seq->kids[i], "date");
		struct roster_date day;

		if (si == NULL || si->type != YNODE_SCALAR)
			continue;
		serial_norm(si->str, a, sizeof(a));
		for (j = 0; j < i; j++) {
			const struct ynode *sj = ynode_get(seq->kids[j], "serial");

			if (sj == NULL || sj->type != YNODE_SCALAR)
				continue;
			serial_norm(sj->str, b, sizeof(b));
			if (strcmp(a, b) == 0)
				diag_error(d, &si->mark, "step '%s': serial %s is listed twice "
					   "(entries %zu and %zu) [crl-serial-unique, RFC 5280 5.1.2.6]",
					   st->id, si->str, j + 1, i + 1);
		}
		if (this_update != 0 && di != NULL && di->type == YNODE_SCALAR &&
		    roster_date_parse(di->str, &day) == 0 &&
		    (time_t)roster_date_days(&day) * 86400 > this_update)
			diag_error(d, &di->mark, "step '%s': revocation date %s is after this-update "
				   "[crl-revocation-date, RFC 5280 5.1.2.6]", st->id, di->str);
	}
}

/* The validity in days of the issuer certificate when an earlier step of s
 * writes it with validity-days (counted, like the CRL's, from the day the
 * script runs), else -1. */
static long issuer_days(const struct script *s, const struct script_step *st)
{
	const char *issuer = script_param_str(st, "issuer-cert");
	long days = -1, v;
	size_t i;

	for (i = 0; issuer != NULL && i < st->index; i++) {
		const char *o = script_param_str(&s->steps[i], "output");

		if (o != NULL && strcmp(o, issuer) == 0)
			days = script_param_int(&s->steps[i], "validity-days", &v) == 0 ? v : -1;
	}
	return days;
}

void script_crl_check(const struct script *s, const struct script_step *st, struct diag *d)
{
	const struct ynode *nu = script_param(st, "next-update-days");
	const struct ynode *tu = script_param(st, "this-update");
	long days = 0, max = CRL_DEFAULT_MAX_DAYS;
	time_t this_update = 0;

	(void)s;
	(void)script_param_int(st, "max-next-update-days", &max);
	if (nu != NULL && script_param_int(st, "next-update-days", &days) == 0 && days > max)
		diag_error(d, &nu->mark, "step '%s': nextUpdate %ld days after thisUpdate, at most "
			   "%ld [crl-next-update-cap, CA/B BR 4.9.7; Boulder crl.go]", st->id, days,
			   max);
	if (tu != NULL && tu->type == YNODE_SCALAR &&
	    script_time_parse(tu->str, &this_update) < 0)
		diag_error(d, &tu->mark, "this-update must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ "
			   "(UTC), not '%s'", tu->str);
	if (nu != NULL && days > 0 && issuer_days(s, st) > 0 && days > issuer_days(s, st))
		diag_error(d, &nu->mark, "step '%s': nextUpdate would be after the issuer "
			   "certificate's notAfter [crl-next-update-issuer, RFC 5280 5.1.2.5; "
			   "Boulder crl.go]", st->id);
	crl_revoked_check(st, this_update, d);
}

/* cert.self-sign makes a root: the root-ca profile's validity cap. */
void script_self_sign_check(const struct script *s, const struct script_step *st,
			    struct diag *d)
{
	const struct ynode *v = script_param(st, "validity-days");
	long days = 0;

	(void)s;
	if (v != NULL && script_param_int(st, "validity-days", &days) == 0 &&
	    days > SCRIPT_ROOT_MAX_DAYS)
		diag_error(d, &v->mark, "step '%s': validity of %ld days exceeds profile root-ca's "
			   "%d [validity-max, profile (docs/x509.md); CA/B BR 6.3.2]", st->id, days,
			   SCRIPT_ROOT_MAX_DAYS);
}
