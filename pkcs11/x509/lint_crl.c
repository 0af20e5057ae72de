/* SPDX-License-Identifier: Apache-2.0 */
/* Lint of a CRL (RFC 5280 section 5, CA/B BR 4.9.7 and 7.2, Boulder's
 * crl.go caps): docs/x509.md has the table. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>

#define DAY 86400
#define X509_CRL_DEFAULT_MAX_DAYS 365U

static void lint_crl_times(const X509_CRL *crl, const X509 *issuer, unsigned int max_days,
			   struct x509_lint *l)
{
	const ASN1_TIME *tu = X509_CRL_get0_lastUpdate(crl), *nu = X509_CRL_get0_nextUpdate(crl);
	int days = 0, secs = 0;

	if (nu == NULL) {
		x509_lint_add(l, "crl-next-update", "RFC 5280 5.1.2.5; CA/B BR 7.2.2", "next-update",
			      "no nextUpdate");
		return;
	}
	if (ASN1_TIME_diff(&days, &secs, tu, nu) != 1 || days < 0 || (days == 0 && secs <= 0)) {
		x509_lint_add(l, "crl-time-order", "RFC 5280 5.1.2.5", "next-update",
			      "nextUpdate is not later than thisUpdate");
		ERR_clear_error();
		return;
	}
	if (max_days == 0)
		max_days = X509_CRL_DEFAULT_MAX_DAYS;
	if ((unsigned int)days > max_days || ((unsigned int)days == max_days && secs > 0))
		x509_lint_add(l, "crl-next-update-cap", "CA/B BR 4.9.7; Boulder crl.go", "next-update",
			      "nextUpdate is %d days after thisUpdate (at most %u)", days, max_days);
	if (issuer != NULL && ASN1_TIME_compare(nu, X509_get0_notAfter(issuer)) > 0)
		x509_lint_add(l, "crl-next-update-issuer", "RFC 5280 5.1.2.5; Boulder crl.go",
			      "next-update", "nextUpdate is after the issuer certificate's notAfter");
}

/* The cRLNumber as a BIGNUM (NULL if absent). */
static BIGNUM *crl_number(const X509_CRL *crl)
{
	ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	BIGNUM *bn = n != NULL ? ASN1_INTEGER_to_BN(n, NULL) : NULL;

	ASN1_INTEGER_free(n);
	return bn;
}

static void lint_crl_number(const X509_CRL *crl, const X509_CRL *previous, struct x509_lint *l)
{
	BIGNUM *n = crl_number(crl), *pn = NULL;

	if (n == NULL) {
		x509_lint_add(l, "crl-number", "RFC 5280 5.2.3; CA/B BR 7.2.2", "crl-number",
			      "no cRLNumber");
		goto out;
	}
	if (BN_is_negative(n) || BN_num_bytes(n) > 20)
		x509_lint_add(l, "crl-number-range", "RFC 5280 5.2.3", "crl-number",
			      "cRLNumber is negative or longer than 20 octets");
	if (previous == NULL)
		goto out;
	pn = crl_number(previous);
	if (pn != NULL && BN_cmp(n, pn) <= 0)
		x509_lint_add(l, "crl-number-increase", "RFC 5280 5.2.3", "crl-number",
			      "cRLNumber is not greater than the previous CRL's");
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_CRL_get_issuer(previous)) != 0)
		x509_lint_add(l, "crl-previous-issuer", "RFC 5280 5.2.3", "previous",
			      "the previous CRL has another issuer");
out:
	BN_free(n);
	BN_free(pn);
}

static void lint_crl_entries(const X509_CRL *crl, struct x509_lint *l)
{
	STACK_OF(X509_REVOKED) *rs = X509_CRL_get_REVOKED((X509_CRL *)crl);
	int i, j, n = rs != NULL ? sk_X509_REVOKED_num(rs) : 0;

	for (i = 0; i < n; i++) {
		const X509_REVOKED *r = sk_X509_REVOKED_value(rs, i);
		ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
		long code = reason != NULL ? ASN1_ENUMERATED_get(reason) : -1;

		ASN1_ENUMERATED_free(reason);
		for (j = 0; j < i; j++)
			if (ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(r),
					     X509_REVOKED_get0_serialNumber(
						     sk_X509_REVOKED_value(rs, j))) == 0)
				x509_lint_add(l, "crl-serial-unique", "RFC 5280 5.1.2.6", "revoked",
					      "serial listed twice (entries %d and %d)", j + 1, i + 1);
		if (code == 0 || code == 7 || code == 8 || code > 10)
			x509_lint_add(l, "crl-reason", "RFC 5280 5.3.1; CA/B BR 7.2.2", "revoked",
				      "entry %d: reason code %ld (unspecified is left out; 7 is "
				      "unused; removeFromCRL is for delta CRLs)", i + 1, code);
		if (ASN1_TIME_compare(X509_REVOKED_get0_revocationDate(r),
				      X509_CRL_get0_lastUpdate(crl)) > 0)
			x509_lint_add(l, "crl-revocation-date", "RFC 5280 5.1.2.6; Boulder crl.go",
				      "revoked", "entry %d: revocation date after thisUpdate", i + 1);
	}
}

void x509_lint_crl(const X509_CRL *crl, const X509 *issuer, const X509_CRL *previous,
		   unsigned int max_next_days, struct x509_lint *l)
{
	int idp = X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1);

	if (X509_CRL_get_version(crl) != X509_CRL_VERSION_2)
		x509_lint_add(l, "crl-version-2", "RFC 5280 5.1.2.1", "crl", "not a version 2 CRL");
	lint_crl_times(crl, issuer, max_next_days, l);
	lint_crl_number(crl, previous, l);
	lint_crl_entries(crl, l);
	if (X509_CRL_get_ext_by_NID(crl, NID_authority_key_identifier, -1) < 0)
		x509_lint_add(l, "crl-aki", "RFC 5280 5.2.1", "crl", "no authorityKeyIdentifier");
	if (idp >= 0 && X509_EXTENSION_get_critical(X509_CRL_get_ext(crl, idp)) != 1)
		x509_lint_add(l, "crl-idp-critical", "RFC 5280 5.2.5", "idp",
			      "issuingDistributionPoint is not critical");
	if (issuer == NULL)
		return;
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
		x509_lint_add(l, "crl-issuer-name", "RFC 5280 5.1.2.3", "issuer-cert",
			      "the CRL's issuer is not the issuer certificate's subject");
	if ((X509_get_extension_flags((X509 *)issuer) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage((X509 *)issuer) & KU_CRL_SIGN))
		x509_lint_add(l, "crl-issuer-crlsign", "RFC 5280 4.2.1.3", "issuer-cert",
			      "the issuer certificate does not allow cRLSign");
}
