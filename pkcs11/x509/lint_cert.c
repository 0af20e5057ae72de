/* SPDX-License-Identifier: Apache-2.0 */
/* Lint of a certificate as built (or read from a file): RFC 5280 and the
 * kind's rules (lint.c has the profile's own; docs/x509.md the table). */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <string.h>

#include <openssl/err.h>

static void lint_serial(const X509 *x, struct x509_lint *l)
{
	const ASN1_INTEGER *s = X509_get0_serialNumber(x);

	if (ASN1_STRING_type(s) == V_ASN1_NEG_INTEGER)
		x509_lint_add(l, "serial-positive", "RFC 5280 4.1.2.2", "serial",
			      "the serial number is negative");
	else if (ASN1_STRING_length(s) == 0 ||
		 (ASN1_STRING_length(s) == 1 && ASN1_STRING_get0_data(s)[0] == 0))
		x509_lint_add(l, "serial-positive", "RFC 5280 4.1.2.2", "serial",
			      "the serial number is zero");
	if (ASN1_STRING_length(s) > 20)
		x509_lint_add(l, "serial-length", "RFC 5280 4.1.2.2", "serial",
			      "the serial number is longer than 20 octets");
}

/* UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
static void lint_time(const ASN1_TIME *t, const char *what, struct x509_lint *l)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		x509_lint_add(l, "time-format", "RFC 5280 4.1.2.5", "not-after", "%s unreadable",
			      what);
		return;
	}
	if ((tm.tm_year + 1900 < 2050) != (ASN1_STRING_type(t) == V_ASN1_UTCTIME))
		x509_lint_add(l, "time-encoding", "RFC 5280 4.1.2.5", "not-after",
			      "%s: UTCTime through 2049, GeneralizedTime from 2050", what);
}

static void lint_name(const X509_NAME *n, const char *what, struct x509_lint *l)
{
	int i;

	for (i = 0; i < X509_NAME_entry_count(n); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
		int t = ASN1_STRING_type(v);

		if (nid == NID_countryName) {
			if (t != V_ASN1_PRINTABLESTRING || ASN1_STRING_length(v) != 2)
				x509_lint_add(l, "dn-country", "RFC 5280 appendix A; CA/B BR 7.1.4.2",
					      "subject", "%s countryName is not a 2-letter PrintableString",
					      what);
		} else if (nid == NID_serialNumber || nid == NID_dnQualifier) {
			if (t != V_ASN1_PRINTABLESTRING)
				x509_lint_add(l, "dn-printable", "RFC 5280 appendix A", "subject",
					      "%s %s is not a PrintableString", what, OBJ_nid2sn(nid));
		} else if (nid != NID_pkcs9_emailAddress && nid != NID_domainComponent &&
			   t != V_ASN1_UTF8STRING && t != V_ASN1_PRINTABLESTRING) {
			x509_lint_add(l, "dn-utf8", "RFC 5280 4.1.2.6", "subject",
				      "%s %s is neither UTF8String nor PrintableString", what,
				      OBJ_nid2sn(nid));
		}
		if (ASN1_STRING_length(v) == 0)
			x509_lint_add(l, "dn-empty-value", "RFC 5280 4.1.2.6", "subject",
				      "%s %s is empty", what, OBJ_nid2sn(nid));
	}
}

/* No extension twice (RFC 5280 4.2). */
static void lint_ext_unique(const X509 *x, struct x509_lint *l)
{
	int i, j, n = X509_get_ext_count(x);

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (OBJ_cmp(X509_EXTENSION_get_object(X509_get_ext(x, i)),
				    X509_EXTENSION_get_object(X509_get_ext(x, j))) == 0)
				x509_lint_add(l, "ext-unique", "RFC 5280 4.2", "extensions",
					      "an extension appears twice");
}

static int ext_critical(const X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static void lint_ca_bits(X509 *x, int self_signed, struct x509_lint *l)
{
	uint32_t ef = X509_get_extension_flags(x), ku = X509_get_key_usage(x);
	int is_ca = X509_check_ca(x) != 0 && (ef & EXFLAG_BCONS) && (ef & EXFLAG_CA);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(x);

	if (is_ca && ext_critical(x, NID_basic_constraints) != 1)
		x509_lint_add(l, "bc-critical", "RFC 5280 4.2.1.9", "ca",
			      "basicConstraints of a CA is not critical");
	if (!is_ca && X509_get_pathlen(x) >= 0)
		x509_lint_add(l, "bc-pathlen-leaf", "RFC 5280 4.2.1.9", "pathlen",
			      "pathLenConstraint on a certificate that is not a CA");
	if (is_ca && !(ef & EXFLAG_KUSAGE))
		x509_lint_add(l, "ku-ca-present", "RFC 5280 4.2.1.3; CA/B BR 7.1.2.10.7",
			      "key-usage", "a CA certificate without keyUsage");
	if ((ef & EXFLAG_KUSAGE) && ext_critical(x, NID_key_usage) != 1 && is_ca)
		x509_lint_add(l, "ku-critical", "RFC 5280 4.2.1.3; CA/B BR 7.1.2.10.7",
			      "key-usage", "keyUsage of a CA is not critical");
	if ((ef & EXFLAG_KUSAGE) && (ku & KU_KEY_CERT_SIGN) && !is_ca)
		x509_lint_add(l, "ku-certsign-not-ca", "RFC 5280 4.2.1.3, 4.2.1.9", "key-usage",
			      "keyCertSign on a certificate with CA:FALSE");
	if (is_ca && (ef & EXFLAG_KUSAGE) && !(ku & KU_KEY_CERT_SIGN))
		x509_lint_add(l, "bc-ca-certsign", "RFC 5280 4.2.1.9; CA/B BR 7.1.2.10.7",
			      "key-usage", "a CA certificate without keyCertSign");
	if (is_ca && ski == NULL)
		x509_lint_add(l, "ski-ca", "RFC 5280 4.2.1.2", "ski",
			      "a CA certificate without subjectKeyIdentifier");
	if (!self_signed && aki == NULL)
		x509_lint_add(l, "aki-present", "RFC 5280 4.2.1.1", "aki",
			      "no authorityKeyIdentifier keyIdentifier");
	if (ext_critical(x, NID_name_constraints) == 0)
		x509_lint_add(l, "nc-critical", "RFC 5280 4.2.1.10", "name-constraints",
			      "nameConstraints is not critical");
	if ((ef & EXFLAG_KUSAGE) && (ku & (KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT)) &&
	    !EVP_PKEY_is_a(X509_get0_pubkey(x), "RSA"))
		x509_lint_add(l, "ku-encipherment-key", "RFC 8813 3; RFC 8410 5", "key-usage",
			      "key or data encipherment with a key that cannot encrypt");
}

/* The rules the kind adds, on the certificate itself. */
static void lint_kind(X509 *x, const struct x509_profile *p, struct x509_lint *l)
{
	uint32_t ef = X509_get_extension_flags(x), xku = X509_get_extended_key_usage(x);
	int eku_crit = ext_critical(x, NID_ext_key_usage);
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	int n_eku = eku != NULL ? sk_ASN1_OBJECT_num(eku) : 0;

	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	if ((p->kind == X509_PROF_ROOT || p->kind == X509_PROF_CROSS) && (ef & EXFLAG_XKUSAGE))
		x509_lint_add(l, "root-no-eku", "CA/B BR 7.1.2.1.2", "ext-key-usage",
			      "an extendedKeyUsage on a root or cross certificate");
	if (p->kind == X509_PROF_TSU && (n_eku != 1 || !(xku & XKU_TIMESTAMP) || eku_crit != 1))
		x509_lint_add(l, "tsu-eku", "RFC 3161 2.3; ETSI EN 319 422 (TSU certificate)",
			      "ext-key-usage", "a TSU needs exactly id-kp-timeStamping, critical");
	if (p->kind == X509_PROF_OCSP) {
		if (n_eku != 1 || !(xku & XKU_OCSP_SIGN))
			x509_lint_add(l, "ocsp-eku", "RFC 6960 4.2.2.2", "ext-key-usage",
				      "an OCSP responder needs exactly id-kp-OCSPSigning");
		if (X509_get_ext_by_NID(x, NID_id_pkix_OCSP_noCheck, -1) < 0)
			x509_lint_add(l, "ocsp-nocheck", "RFC 6960 4.2.2.2.1; CA/B BR 4.9.9",
				      "ocsp-nocheck", "an OCSP responder needs id-pkix-ocsp-nocheck");
	}
	if (p->kind == X509_PROF_SUB_CA || p->kind == X509_PROF_TSU) {
		if (X509_get_ext_by_NID(x, NID_certificate_policies, -1) < 0)
			x509_lint_add(l, "policies-required", "CA/B BR 7.1.2.10.5; ETSI EN 319 412-2 4.3.3",
				      "policies", "no certificatePolicies");
		if (X509_get_ext_by_NID(x, NID_info_access, -1) < 0)
			x509_lint_add(l, "aia-ca-issuers", "CA/B BR 7.1.2.10.3; ETSI EN 319 412-2 4.4.1",
				      "ca-issuers-urls", "no authorityInfoAccess");
	}
	if ((p->kind == X509_PROF_SUB_CA || p->kind == X509_PROF_CROSS) &&
	    X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) < 0)
		x509_lint_add(l, "crldp-required", "CA/B BR 7.1.2.10.6; ETSI EN 319 412-2 4.3.11",
			      "crl-urls", "no cRLDistributionPoints");
}

static void lint_issuer(X509 *x, const X509 *issuer, struct x509_lint *l)
{
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(x);
	const ASN1_OCTET_STRING *iski = X509_get0_subject_key_id((X509 *)issuer);

	if (X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(issuer)) != 0)
		x509_lint_add(l, "issuer-name", "RFC 5280 4.1.2.4, 6.1", "subject",
			      "the issuer name is not the issuer certificate's subject");
	if (aki != NULL && iski != NULL && ASN1_OCTET_STRING_cmp(aki, iski) != 0)
		x509_lint_add(l, "aki-issuer-ski", "RFC 5280 4.2.1.1", "aki",
			      "authorityKeyIdentifier is not the issuer's subjectKeyIdentifier");
	if (ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(issuer)) > 0)
		x509_lint_add(l, "validity-issuer", "RFC 5280 6.1.3 (a)(2); ETSI EN 319 411-1 6.3.1",
			      "not-after", "the certificate ends after its issuer's notAfter");
	if (ASN1_TIME_compare(X509_get0_notBefore(x), X509_get0_notBefore(issuer)) < 0)
		x509_lint_add(l, "validity-issuer-start", "RFC 5280 6.1.3 (a)(2)", "not-before",
			      "the certificate starts before its issuer's notBefore");
}

void x509_lint_cert(const X509 *cx, const struct x509_profile *p, const X509 *issuer,
		    struct x509_lint *l)
{
	X509 *x = (X509 *)cx;
	const X509_ALGOR *outer = NULL, *inner = X509_get0_tbs_sigalg(x);
	int self_signed = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;

	X509_get0_signature(NULL, &outer, x);
	if (X509_get_version(x) != X509_VERSION_3)
		x509_lint_add(l, "version-3", "RFC 5280 4.1.2.1", "extensions",
			      "not a version 3 certificate");
	lint_serial(x, l);
	if (outer != NULL && X509_ALGOR_cmp(outer, inner) != 0)
		x509_lint_add(l, "sig-alg-match", "RFC 5280 4.1.1.2", "signature-algorithm",
			      "signatureAlgorithm differs from the TBS signature field");
	if (p != NULL && p->sig_alg != NULL) {
		int want = OBJ_sn2nid(p->sig_alg) != NID_undef ? OBJ_sn2nid(p->sig_alg)
							       : OBJ_ln2nid(p->sig_alg);

		if (OBJ_obj2nid(inner->algorithm) != want)
			x509_lint_add(l, "sig-alg-profile", "profile (Boulder signature-algorithm)",
				      "signature-algorithm", "signed with %s, the profile says %s",
				      OBJ_nid2sn(OBJ_obj2nid(inner->algorithm)), p->sig_alg);
	}
	lint_time(X509_get0_notBefore(x), "notBefore", l);
	lint_time(X509_get0_notAfter(x), "notAfter", l);
	if (ASN1_TIME_compare(X509_get0_notBefore(x), X509_get0_notAfter(x)) >= 0)
		x509_lint_add(l, "validity-order", "RFC 5280 4.1.2.5", "not-after",
			      "notAfter is not later than notBefore");
	if (X509_NAME_entry_count(X509_get_subject_name(x)) == 0)
		x509_lint_add(l, "subject-present", "RFC 5280 4.1.2.6", "subject",
			      "the subject is empty");
	lint_name(X509_get_subject_name(x), "subject", l);
	lint_ext_unique(x, l);
	lint_ca_bits(x, self_signed, l);
	if (!self_signed && X509_get0_pubkey(x) != NULL &&
	    x509_profile_subject_key_check(X509_get0_pubkey(x)) < 0)
		x509_lint_add(l, "subject-key", "CA/B BR 6.1.5, 6.1.6", "key",
			      "%s", ce_err_detail() ? ce_err_detail() : "subject key refused");
	if (p != NULL)
		lint_kind(x, p, l);
	if (p != NULL && p->kind == X509_PROF_ROOT && !self_signed)
		x509_lint_add(l, "root-self-signed", "RFC 5280 3.2", "subject",
			      "a root certificate's issuer is its subject");
	if (issuer != NULL)
		lint_issuer(x, issuer, l);
}

int x509_ext_der(const X509 *x, unsigned char **der, size_t *len)
{
	const STACK_OF(X509_EXTENSION) *exts = X509_get0_extensions(x);
	int n;

	*der = NULL;
	*len = 0;
	n = i2d_X509_EXTENSIONS((STACK_OF(X509_EXTENSION) *)exts, der);
	if (n < 0)
		return p11_ossl_err(CE_ERR_CRYPTO, "extensions DER");
	*len = (size_t)n;
	return 0;
}
