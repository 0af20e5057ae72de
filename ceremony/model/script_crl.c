/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_crl.c - the CRL rules `ceremony lint` checks on a
 * crl.sign step (docs/x509.md, CRL table): nextUpdate capped (default 365
 * days, max-next-update-days lower), an explicit this-update well formed,
 * each serial listed once, revocation dates not after this-update. The
 * runner checks the same again on the CRL built (pkcs11/x509 lint) before
 * the HSM signs, with the issuer's notAfter and the previous CRL's number.
 */
#include "ceremony/model/script_internal.h"
#include "ceremony/model/script_time.h"
#include "ceremony/model/roster.h"

#include <ctype.h>
#include <string.h>

#define CRL_DEFAULT_MAX_DAYS 365L

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
	crl_revoked_check(st, this_update, d);
}
