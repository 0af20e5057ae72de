/* SPDX-License-Identifier: Apache-2.0 */
/* pkcs11/x509 lint rules on certificates and CRLs built in software (no
 * token): each rule that ceremony's own builders cannot break is broken here
 * with OpenSSL directly, and its clean twin passes. Also subject parsing:
 * multi-valued RDNs, escapes, string types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/err.h"
#include "pkcs11/x509/x509.h"

#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#define DAY 86400L

static EVP_PKEY *key_ec(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	assert_non_null(k);
	return k;
}

static int has_rule(const struct x509_lint *l, const char *rule)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->f[i].rule, rule) == 0)
			return 1;
	return 0;
}

static void ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A self-signed CA: the clean twin; mutate() may break it before signing. */
static X509 *ca_make(EVP_PKEY *k, long serial, void (*mutate)(X509 *))
{
	X509 *x = X509_new();
	X509_NAME *n = NULL;

	assert_int_equal(x509_name_parse("/C=FR/O=Example TSP/CN=Lint Root", &n), 0);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, k);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3650 * DAY);
	if (mutate != NULL)
		mutate(x);
	else {
		ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
		ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
	}
	ext(x, NULL, NID_subject_key_identifier, "hash");
	ext(x, NULL, NID_authority_key_identifier, "keyid:always");
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return x;
}

static void lint_of(X509 *x, const char *profile, struct x509_lint *l)
{
	struct x509_profile p;

	memset(l, 0, sizeof(*l));
	if (profile != NULL)
		assert_int_equal(x509_profile_ready(profile, &p), 0);
	x509_lint_cert(x, profile != NULL ? &p : NULL, NULL, l);
}

static void mut_ku_noncrit(X509 *x)
{
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "keyCertSign,cRLSign");
}

static void mut_bc_noncrit(X509 *x)
{
	ext(x, NULL, NID_basic_constraints, "CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
}

static void mut_encipher(X509 *x)
{
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign,keyEncipherment");
}

static void mut_nc_noncrit(X509 *x)
{
	mut_encipher(x); /* two findings, one rule each */
	ext(x, NULL, NID_name_constraints, "permitted;DNS:example.org");
}

static void mut_eku(X509 *x)
{
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
	ext(x, NULL, NID_ext_key_usage, "serverAuth");
	ext(x, NULL, NID_crl_distribution_points, "URI:http://crl.example.org/x.crl");
}

static void test_cert_rules(void **state)
{
	EVP_PKEY *k = key_ec();
	struct x509_lint l;
	X509 *x;

	(void)state;
	x = ca_make(k, 0x1234567890abcdefL, NULL);
	lint_of(x, "root-ca", &l);
	assert_int_equal(l.n, 0); /* the clean twin */
	X509_free(x);
	x = ca_make(k, 0, NULL);
	lint_of(x, NULL, &l);
	assert_true(has_rule(&l, "serial-positive"));
	X509_free(x);
	x = ca_make(k, -5, NULL);
	lint_of(x, NULL, &l);
	assert_true(has_rule(&l, "serial-positive"));
	X509_free(x);
	x = ca_make(k, 7, mut_ku_noncrit);
	lint_of(x, NULL, &l);
	assert_true(has_rule(&l, "ku-critical"));
	X509_free(x);
	x = ca_make(k, 7, mut_bc_noncrit);
	lint_of(x, NULL, &l);
	assert_true(has_rule(&l, "bc-critical"));
	X509_free(x);
	x = ca_make(k, 7, mut_nc_noncrit);
	lint_of(x, NULL, &l);
	assert_true(has_rule(&l, "nc-critical"));
	assert_true(has_rule(&l, "ku-encipherment-key"));
	X509_free(x);
	x = ca_make(k, 7, mut_eku);
	lint_of(x, "root-ca", &l);
	assert_true(has_rule(&l, "root-no-eku"));
	X509_free(x);
	EVP_PKEY_free(k);
}

/* An end-entity certificate issued by ca: the OCSP and validity rules. */
static void test_issued_rules(void **state)
{
	EVP_PKEY *ck = key_ec(), *ek = key_ec();
	X509 *ca = ca_make(ck, 9, NULL), *x = X509_new();
	struct x509_profile p;
	struct x509_lint l = { 0 };

	(void)state;
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 77);
	X509_set_subject_name(x, X509_get_subject_name(ca));
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	X509_set_pubkey(x, ek);
	X509_gmtime_adj(X509_getm_notBefore(x), -DAY); /* before the issuer */
	X509_gmtime_adj(X509_getm_notAfter(x), 4000 * DAY); /* after the issuer */
	ext(x, ca, NID_basic_constraints, "critical,CA:FALSE");
	ext(x, ca, NID_key_usage, "critical,digitalSignature");
	ext(x, ca, NID_ext_key_usage, "OCSPSigning,serverAuth");
	ext(x, ca, NID_authority_key_identifier, "keyid:always");
	assert_true(X509_sign(x, ck, EVP_sha256()) > 0);
	assert_int_equal(x509_profile_ready("ocsp-responder", &p), 0);
	p.sig_alg = "ecdsa-with-SHA384";
	x509_lint_cert(x, &p, ca, &l);
	assert_true(has_rule(&l, "ocsp-eku"));
	assert_true(has_rule(&l, "ocsp-nocheck"));
	assert_true(has_rule(&l, "validity-issuer"));
	assert_true(has_rule(&l, "validity-issuer-start"));
	assert_true(has_rule(&l, "sig-alg-profile"));
	assert_int_equal(x509_lint_result(&l, "x"), CE_ERR_POLICY);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(ek);
}

static X509_CRL *crl_make(X509 *ca, EVP_PKEY *k, long next_days, int reason, int dup,
			  long revoked_at)
{
	X509_CRL *c = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	X509_REVOKED *r;
	int i;

	X509_CRL_set_version(c, X509_CRL_VERSION_2);
	X509_CRL_set_issuer_name(c, X509_get_subject_name(ca));
	X509_gmtime_adj(t, 0);
	X509_CRL_set1_lastUpdate(c, t);
	X509_gmtime_adj(t, next_days * DAY);
	if (next_days != 0) /* 0: no nextUpdate */
		X509_CRL_set1_nextUpdate(c, t);
	for (i = 0; i < 1 + dup; i++) {
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();

		r = X509_REVOKED_new();
		ASN1_INTEGER_set(sn, 0x1a2b);
		X509_REVOKED_set_serialNumber(r, sn);
		X509_gmtime_adj(t, revoked_at);
		X509_REVOKED_set_revocationDate(r, t);
		ASN1_ENUMERATED_set(e, reason);
		X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0);
		X509_CRL_add0_revoked(c, r);
		ASN1_INTEGER_free(sn);
		ASN1_ENUMERATED_free(e);
	}
	{
		X509V3_CTX ctx;
		X509_EXTENSION *e;

		X509V3_set_ctx(&ctx, ca, NULL, NULL, c, 0);
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
		X509_CRL_add_ext(c, e, -1);
		X509_EXTENSION_free(e);
	}
	{
		ASN1_INTEGER *num = ASN1_INTEGER_new();

		ASN1_INTEGER_set(num, 3);
		X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 0, 0);
		ASN1_INTEGER_free(num);
	}
	assert_true(X509_CRL_sign(c, k, EVP_sha256()) > 0);
	ASN1_TIME_free(t);
	return c;
}

static void test_crl_rules(void **state)
{
	EVP_PKEY *k = key_ec();
	X509 *ca = ca_make(k, 9, NULL);
	X509_CRL *c;
	struct x509_lint l;

	(void)state;
	c = crl_make(ca, k, 30, 1, 0, -DAY);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	assert_int_equal(l.n, 0); /* the clean twin */
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, c, 0, &l); /* itself as previous: number not greater */
	assert_true(has_rule(&l, "crl-number-increase"));
	X509_CRL_free(c);
	c = crl_make(ca, k, 400, 0, 1, DAY);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-next-update-cap"));
	assert_true(has_rule(&l, "crl-reason"));
	assert_true(has_rule(&l, "crl-serial-unique"));
	assert_true(has_rule(&l, "crl-revocation-date"));
	X509_CRL_free(c);
	c = crl_make(ca, k, 4000, 4, 0, -DAY);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 5000, &l);
	assert_true(has_rule(&l, "crl-next-update-issuer"));
	assert_false(has_rule(&l, "crl-next-update-cap"));
	X509_CRL_free(c);
	X509_free(ca);
	EVP_PKEY_free(k);
}

/* ---- rules only a crafted file breaks (docs/x509.md "none yet" rows) ---- */

/* A fresh copy of x through DER: no cached extension data. */
static X509 *reload(X509 *x)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	int n = i2d_X509(x, &der);
	X509 *y;

	assert_true(n > 0);
	q = der;
	y = d2i_X509(NULL, &q, n);
	assert_non_null(y);
	OPENSSL_free(der);
	X509_free(x);
	return y;
}

static void mut_serial_long(X509 *x)
{
	BIGNUM *bn = NULL;

	/* 21 octets, positive */
	assert_true(BN_hex2bn(&bn, "0102030405060708090a0b0c0d0e0f101112131415") > 0);
	assert_non_null(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
	BN_free(bn);
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
}

static void mut_ext_twice(X509 *x)
{
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign");
}

static void mut_issuer_other(X509 *x)
{
	X509_NAME *n = NULL;

	assert_int_equal(x509_name_parse("/C=FR/O=Example TSP/CN=Someone Else", &n), 0);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
}

/* notBefore in 2026 as GeneralizedTime: RFC 5280 wants UTCTime. */
static void mut_gentime(X509 *x)
{
	ASN1_GENERALIZEDTIME *g = ASN1_GENERALIZEDTIME_set(NULL, time(NULL));

	assert_non_null(g);
	assert_int_equal(X509_set1_notBefore(x, g), 1);
	ASN1_GENERALIZEDTIME_free(g);
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
}

/* rule broken by mutate, linted with profile (NULL: none). */
static void cert_breaks(EVP_PKEY *k, void (*mutate)(X509 *), const char *profile,
			const char *rule)
{
	struct x509_lint l;
	X509 *x = reload(ca_make(k, 7, mutate));

	lint_of(x, profile, &l);
	if (!has_rule(&l, rule))
		fail_msg("rule %s not reported", rule);
	X509_free(x);
}

static void test_crafted_cert_rules(void **state)
{
	EVP_PKEY *k = key_ec();
	struct x509_lint l;
	X509 *x;
	X509_ALGOR *alg = NULL;
	int loc;

	(void)state;
	cert_breaks(k, mut_serial_long, NULL, "serial-length");
	cert_breaks(k, mut_ext_twice, NULL, "ext-unique");
	cert_breaks(k, mut_issuer_other, "root-ca", "root-self-signed");
	cert_breaks(k, mut_gentime, NULL, "time-encoding");
	/* the clean twin has none of them */
	x = reload(ca_make(k, 0x1234567890abcdefL, NULL));
	lint_of(x, "root-ca", &l);
	assert_int_equal(l.n, 0);
	/* a CA without SKI */
	loc = X509_get_ext_by_NID(x, NID_subject_key_identifier, -1);
	assert_true(loc >= 0);
	X509_EXTENSION_free(X509_delete_ext(x, loc));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	x = reload(x);
	lint_of(x, NULL, &l);
	assert_true(has_rule(&l, "ski-ca"));
	X509_free(x);
	/* outer signatureAlgorithm not the TBS one */
	x = ca_make(k, 0x1234567890abcdefL, NULL);
	X509_get0_signature(NULL, (const X509_ALGOR **)&alg, x);
	X509_ALGOR_set0(alg, OBJ_nid2obj(NID_ecdsa_with_SHA384), V_ASN1_UNDEF, NULL);
	x = reload(x);
	lint_of(x, NULL, &l);
	assert_true(has_rule(&l, "sig-alg-match"));
	X509_free(x);
	EVP_PKEY_free(k);
}

/* A fresh copy of c through DER. */
static X509_CRL *crl_reload(X509_CRL *c)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	int n = i2d_X509_CRL(c, &der);
	X509_CRL *y;

	assert_true(n > 0);
	q = der;
	y = d2i_X509_CRL(NULL, &q, n);
	assert_non_null(y);
	OPENSSL_free(der);
	X509_CRL_free(c);
	return y;
}

/* The clean CRL with extension nid removed (0: none), re-signed, linted. */
static void crl_without(X509 *ca, EVP_PKEY *k, int nid, const char *rule)
{
	X509_CRL *c = crl_make(ca, k, 30, 1, 0, -DAY);
	struct x509_lint l;

	if (nid != 0) {
		int loc = X509_CRL_get_ext_by_NID(c, nid, -1);

		assert_true(loc >= 0);
		X509_EXTENSION_free(X509_CRL_delete_ext(c, loc));
	}
	assert_true(X509_CRL_sign(c, k, EVP_sha256()) > 0);
	c = crl_reload(c);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	if (rule == NULL)
		assert_int_equal(l.n, 0);
	else if (!has_rule(&l, rule))
		fail_msg("rule %s not reported", rule);
	X509_CRL_free(c);
}

static void test_crafted_crl_rules(void **state)
{
	EVP_PKEY *k = key_ec();
	X509 *ca = ca_make(k, 9, NULL);
	X509_CRL *c;
	struct x509_lint l;

	(void)state;
	crl_without(ca, k, 0, NULL); /* the clean twin */
	crl_without(ca, k, NID_crl_number, "crl-number");
	crl_without(ca, k, NID_authority_key_identifier, "crl-aki");
	/* version 1 */
	c = crl_make(ca, k, 30, 1, 0, -DAY);
	X509_CRL_set_version(c, 0);
	assert_true(X509_CRL_sign(c, k, EVP_sha256()) > 0);
	c = crl_reload(c);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-version-2"));
	X509_CRL_free(c);
	/* an issuingDistributionPoint that is not critical */
	c = crl_make(ca, k, 30, 1, 0, -DAY);
	{
		ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();
		GENERAL_NAME *gn = a2i_GENERAL_NAME(NULL, NULL, NULL, GEN_URI,
						    "http://crl.example.org/x.crl", 0);

		assert_non_null(idp);
		assert_non_null(gn);
		idp->distpoint = DIST_POINT_NAME_new();
		assert_non_null(idp->distpoint);
		idp->distpoint->type = 0;
		idp->distpoint->name.fullname = sk_GENERAL_NAME_new_null();
		assert_true(sk_GENERAL_NAME_push(idp->distpoint->name.fullname, gn) > 0);
		/* not critical */
		assert_int_equal(X509_CRL_add1_ext_i2d(c, NID_issuing_distribution_point, idp, 0, 0),
				 1);
		ISSUING_DIST_POINT_free(idp);
	}
	assert_true(X509_CRL_sign(c, k, EVP_sha256()) > 0);
	c = crl_reload(c);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-idp-critical"));
	X509_CRL_free(c);
	X509_free(ca);
	EVP_PKEY_free(k);
}

static void mut_subject_empty(X509 *x)
{
	X509_NAME *n = X509_NAME_new();

	assert_non_null(n);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
}

static void mut_cn_empty(X509 *x)
{
	X509_NAME *n = X509_NAME_dup(X509_get_subject_name(x));
	X509_NAME_ENTRY *e = X509_NAME_ENTRY_new();

	assert_non_null(n);
	assert_non_null(e);
	/* V_ASN1_UTF8STRING directly: the string table refuses an empty OU */
	assert_int_equal(X509_NAME_ENTRY_set_object(e, OBJ_nid2obj(NID_organizationalUnitName)), 1);
	assert_int_equal(X509_NAME_ENTRY_set_data(e, V_ASN1_UTF8STRING,
						  (const unsigned char *)"", 0), 1);
	assert_int_equal(X509_NAME_add_entry(n, e, -1, 0), 1);
	X509_NAME_ENTRY_free(e);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
}

static void mut_no_crlsign(X509 *x)
{
	ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	ext(x, NULL, NID_key_usage, "critical,keyCertSign");
}

static void test_crafted_more(void **state)
{
	EVP_PKEY *k = key_ec(), *weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	X509 *ca, *x;
	X509_CRL *c;
	struct x509_lint l;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *big;
	int loc;

	(void)state;
	assert_non_null(weak);
	cert_breaks(k, mut_subject_empty, NULL, "subject-present");
	cert_breaks(k, mut_cn_empty, NULL, "dn-empty-value");
	cert_breaks(weak, mut_issuer_other, NULL, "subject-key"); /* not self-signed */
	/* CRLs: no nextUpdate; nextUpdate before thisUpdate; a 21-octet
	 * cRLNumber; an issuer without cRLSign; another issuer's name */
	ca = ca_make(k, 9, NULL);
	c = crl_make(ca, k, 0, 1, 0, -DAY);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-next-update"));
	X509_CRL_free(c);
	c = crl_make(ca, k, -2, 1, 0, -3 * DAY);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-time-order"));
	X509_CRL_free(c);
	c = crl_make(ca, k, 30, 1, 0, -DAY);
	loc = X509_CRL_get_ext_by_NID(c, NID_crl_number, -1);
	assert_true(loc >= 0);
	X509_EXTENSION_free(X509_CRL_delete_ext(c, loc));
	assert_true(BN_hex2bn(&bn, "0102030405060708090a0b0c0d0e0f101112131415") > 0);
	big = BN_to_ASN1_INTEGER(bn, NULL);
	assert_non_null(big);
	assert_int_equal(X509_CRL_add1_ext_i2d(c, NID_crl_number, big, 0, 0), 1);
	assert_true(X509_CRL_sign(c, k, EVP_sha256()) > 0);
	c = crl_reload(c);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, ca, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-number-range"));
	X509_CRL_free(c);
	ASN1_INTEGER_free(big);
	BN_free(bn);
	x = reload(ca_make(k, 9, mut_no_crlsign));
	c = crl_make(ca, k, 30, 1, 0, -DAY);
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, x, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-issuer-crlsign"));
	X509_free(x);
	x = reload(ca_make(k, 9, mut_subject_empty)); /* same key, another name */
	memset(&l, 0, sizeof(l));
	x509_lint_crl(c, x, NULL, 0, &l);
	assert_true(has_rule(&l, "crl-issuer-name"));
	X509_free(x);
	X509_CRL_free(c);
	X509_free(ca);
	EVP_PKEY_free(weak);
	EVP_PKEY_free(k);
}

static void test_names(void **state)
{
	X509_NAME *n = NULL;
	char buf[256];

	(void)state;
	assert_int_equal(x509_name_parse("/C=FR/CN=x+O=y", &n), 0);
	assert_int_equal(X509_NAME_entry_count(n), 3);
	/* the second and third attributes share one RDN */
	assert_int_equal(X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 1)),
			 X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 2)));
	assert_int_equal(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 0))),
			 V_ASN1_PRINTABLESTRING);
	assert_int_equal(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 1))),
			 V_ASN1_UTF8STRING);
	X509_NAME_free(n);
	n = NULL;
	assert_int_equal(x509_name_parse("/CN=a\\+b\\/c", &n), 0);
	assert_int_equal(X509_NAME_entry_count(n), 1);
	X509_NAME_get_text_by_NID(n, NID_commonName, buf, sizeof(buf));
	assert_string_equal(buf, "a+b/c");
	X509_NAME_free(n);
	n = NULL;
	/* twins: a bad country, an empty value, a first attribute joining nothing */
	assert_int_equal(x509_name_parse("/C=fr/CN=x", &n), CE_ERR_INVALID);
	assert_int_equal(x509_name_parse("/CN=x+O=", &n), CE_ERR_INVALID);
	{
		struct x509_name_attr a[] = { { "CN", "x", 1 } };

		assert_int_equal(x509_name_build(a, 1, &n), CE_ERR_INVALID);
	}
	assert_null(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_rules),
		cmocka_unit_test(test_issued_rules),
		cmocka_unit_test(test_crl_rules),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_crafted_cert_rules),
		cmocka_unit_test(test_crafted_crl_rules),
		cmocka_unit_test(test_crafted_more),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
