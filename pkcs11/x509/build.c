/* SPDX-License-Identifier: Apache-2.0 */
/* Building the four outputs of x509.h: a self-signed CA certificate, a
 * CSR, an issued certificate and a CRL, each signed and verified (sign.c)
 * before it is returned. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define X509_SERIAL_HEX_MAX_BYTES 40 /* 20 octets (RFC 5280 4.1.2.2) */
#define X509_SECONDS_PER_DAY 86400

/* ---- fields ---- */

/* hex is 1..X509_SERIAL_HEX_MAX_BYTES hex digits. */
static int serial_hex_valid(const char *hex)
{
	size_t n = hex != NULL ? strlen(hex) : 0;

	return n > 0 && n <= X509_SERIAL_HEX_MAX_BYTES &&
	       strspn(hex, "0123456789abcdefABCDEF") == n;
}

/* 16 random bytes, positive and exactly 16 octets in DER: top bit clear,
 * next bit set. *bn owned by the caller. */
static int serial_random(BIGNUM **bn)
{
	unsigned char b[X509_SERIAL_BYTES];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return p11_ossl_err(CE_ERR_CRYPTO, "random serial number");
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	*bn = BN_bin2bn(b, sizeof(b), NULL);
	return *bn != NULL ? 0 : CE_ERR_NOMEM;
}

/* A serial given as hex: 1..40 digits, positive and not zero. */
static int serial_from_hex(const char *hex, BIGNUM **bn)
{
	if (!serial_hex_valid(hex))
		return ce_err_set(CE_ERR_INVALID, "serial '%.48s' is not 1..%d hex digits", hex,
				  X509_SERIAL_HEX_MAX_BYTES);
	if (BN_hex2bn(bn, hex) == 0)
		return CE_ERR_NOMEM;
	if (BN_is_zero(*bn))
		return ce_err_set(CE_ERR_INVALID, "serial 0 is not allowed (RFC 5280 4.1.2.2)");
	return 0;
}

/* x's serial: from hex, or random when hex is NULL. */
static int serial_set(X509 *x, const char *hex)
{
	int r = CE_ERR_INTERNAL;
	BIGNUM *bn = NULL;

	r = hex != NULL ? serial_from_hex(hex, &bn) : serial_random(&bn);
	if (r < 0)
		goto out;
	if (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = 0;
out:
	BN_free(bn);
	return r;
}

static int validity_set(X509 *x, time_t not_before, time_t not_after)
{
	time_t nb = not_before != 0 ? not_before : time(NULL);

	if (not_after <= nb)
		return ce_err_set(CE_ERR_INVALID, "notAfter must be later than notBefore");
	if (ASN1_TIME_set(X509_getm_notBefore(x), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), not_after) == NULL)
		return p11_ossl_err(CE_ERR_INVALID, "validity dates");
	return 0;
}

/* A version 3 certificate with the names, the key, the serial (hex, or NULL
 * for a random one) and the validity. *out owned by the caller. */
static int cert_new(const struct p11_ossl_key *k, const X509_NAME *subject,
		    const X509_NAME *issuer, EVP_PKEY *pub, const char *serial_hex,
		    time_t not_before, time_t not_after, X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;

	*out = NULL;
	x = X509_new_ex(p11_ossl_libctx(k->ctx), X509_PROPQ);
	if (x == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer) != 1 || X509_set_pubkey(x, pub) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "certificate fields");
		goto out;
	}
	if ((r = serial_set(x, serial_hex)) < 0 ||
	    (r = validity_set(x, not_before, not_after)) < 0)
		goto out;
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	X509_free(x);
	return r;
}

/* ---- the four outputs ---- */

/* The time an ASN1_TIME says, or 0. */
static time_t asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		return 0;
	}
	return timegm(&tm);
}

/* The root profile's own rules (validity cap) on a self-signed certificate. */
static int root_validity_check(struct x509_profile *rp, const X509 *x)
{
	struct x509_lint l = { 0 };

	rp->not_before = asn1_time_t(X509_get0_notBefore(x));
	rp->not_after = asn1_time_t(X509_get0_notAfter(x));
	x509_lint_profile(rp, 0, &l);
	return x509_lint_result(&l, "the root certificate");
}

int x509_ca_self_sign(const struct p11_ossl_key *k, const struct x509_ca_params *p, X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	struct x509_profile rp;
	struct x509_prelint pl = { 0 };

	*out = NULL;
	ERR_clear_error();
	if (p->subject == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "a CA certificate needs a subject");
		goto out;
	}
	if ((r = x509_profile_ready("root-ca", &rp)) < 0)
		goto out;
	rp.path_len = p->path_len;
	if ((r = x509_name_parse(p->subject, &name)) < 0 ||
	    (r = cert_new(k, name, name, k->pub, p->serial_hex, p->not_before, p->not_after,
			  &x)) < 0 ||
	    (r = x509_profile_ca_extensions(x, p->path_len)) < 0 ||
	    (r = root_validity_check(&rp, x)) < 0 ||
	    (r = x509_prelint_cert(k, x, &rp, NULL, &pl)) < 0 ||
	    (r = x509_sign_verified(k, X509_KIND_CERT, x, "CA certificate")) < 0 ||
	    (r = x509_postlint_cert(x, &rp, NULL, &pl)) < 0 ||
	    (r = x509_sign_key_check(X509_get0_pubkey(x), k->pub, "the CA certificate",
				     k->uri)) < 0)
		goto out;
	if (k->priv != NULL && EVP_PKEY_eq(k->priv, X509_get0_pubkey(x)) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the CA certificate does not carry the key %s",
			       k->uri);
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	x509_prelint_free(&pl);
	X509_NAME_free(name);
	X509_free(x);
	return r;
}

/* The subject of a self-signed certificate: the profile's RDN list, else its
 * string. */
static int self_subject(const struct x509_profile *p, X509_NAME **name)
{
	*name = NULL;
	if (p->n_subject_attrs > 0)
		return x509_name_build(p->subject_attrs, p->n_subject_attrs, name);
	if (p->subject != NULL)
		return x509_name_parse(p->subject, name);
	return ce_err_set(CE_ERR_INVALID, "a self-signed certificate needs a subject");
}

int x509_self_sign(const struct p11_ossl_key *k, const struct x509_profile *p, X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	struct x509_prelint pl = { 0 };
	struct x509_lint l = { 0 };
	time_t nb, na;

	*out = NULL;
	ERR_clear_error();
	if ((r = x509_profile_check(p)) < 0)
		goto out;
	/* The profile's own rules, before anything is built. */
	x509_lint_profile(p, 0, &l);
	if ((r = x509_lint_result(&l, "the profile")) < 0)
		goto out;
	nb = p->not_before != 0 ? p->not_before : time(NULL);
	na = p->not_after != 0 ? p->not_after
			       : nb + (time_t)p->validity_days * X509_SECONDS_PER_DAY;
	if ((r = self_subject(p, &name)) < 0 ||
	    (r = cert_new(k, name, name, k->pub, p->serial_hex, nb, na, &x)) < 0 ||
	    (r = x509_profile_extensions(x, p, NULL)) < 0 ||
	    (r = x509_prelint_cert(k, x, p, NULL, &pl)) < 0 ||
	    (r = x509_sign_verified(k, X509_KIND_CERT, x, "self-signed certificate")) < 0 ||
	    (r = x509_postlint_cert(x, p, NULL, &pl)) < 0 ||
	    (r = x509_sign_key_check(X509_get0_pubkey(x), k->pub, "the self-signed certificate",
				     k->uri)) < 0)
		goto out;
	if (k->priv != NULL && EVP_PKEY_eq(k->priv, X509_get0_pubkey(x)) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the self-signed certificate does not carry the key %s",
			       k->uri);
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	x509_prelint_free(&pl);
	X509_NAME_free(name);
	X509_free(x);
	return r;
}

int x509_csr_make(const struct p11_ossl_key *k, const char *subject, X509_REQ **out)
{
	int r = CE_ERR_INTERNAL;
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;

	*out = NULL;
	ERR_clear_error();
	if (subject == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "a CSR needs a subject");
		goto out;
	}
	r = x509_name_parse(subject, &name);
	if (r < 0)
		goto out;
	req = X509_REQ_new_ex(p11_ossl_libctx(k->ctx), X509_PROPQ);
	if (req == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, k->pub) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "CSR fields");
		goto out;
	}
	if ((r = x509_sign_verified(k, X509_KIND_CSR, req, "CSR")) < 0 ||
	    (r = x509_sign_key_check(X509_REQ_get0_pubkey(req), k->pub, "the CSR", k->uri)) < 0)
		goto out;
	*out = req;
	req = NULL; /* transferred */
	r = 0;
out:
	X509_NAME_free(name);
	X509_REQ_free(req);
	return r;
}

/* The CSR's key (*key, caller frees): readable, proven by the CSR's own
 * signature, and of a type the profile accepts. */
static int csr_key_check(const X509_REQ *csr, EVP_PKEY **key)
{
	int r = CE_ERR_INTERNAL;

	*key = X509_REQ_get_pubkey((X509_REQ *)csr);
	if (*key == NULL) {
		r = p11_ossl_err(CE_ERR_FORMAT, "the CSR's public key cannot be read");
		goto out;
	}
	/* The requester proves possession of the key: the CSR's own signature. */
	if (X509_REQ_verify((X509_REQ *)csr, *key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the CSR's signature does not verify");
		goto out;
	}
	r = x509_profile_subject_key_check(*key);
	if (r < 0)
		goto out;
	r = 0;
out:
	return r;
}

/* The subject of an issued certificate: the profile's, else the CSR's. */
static int issued_subject(const struct x509_profile *p, const X509_REQ *csr, X509_NAME **name)
{
	*name = NULL;
	if (p->n_subject_attrs > 0)
		return x509_name_build(p->subject_attrs, p->n_subject_attrs, name);
	if (p->subject != NULL)
		return x509_name_parse(p->subject, name);
	*name = X509_NAME_dup(X509_REQ_get_subject_name(csr));
	if (*name == NULL || X509_NAME_entry_count(*name) == 0)
		return ce_err_set(CE_ERR_INVALID, "the CSR has an empty subject");
	return 0;
}

/* The validity of an issued certificate, inside its issuer's. */
static int issued_validity(const struct x509_profile *p, const X509 *issuer_cert, time_t *nb,
			   time_t *na)
{
	int cmp;

	struct x509_lint l = { 0 };

	*nb = p->not_before != 0 ? p->not_before : time(NULL);
	*na = p->not_after != 0 ? p->not_after
				: *nb + (time_t)p->validity_days * X509_SECONDS_PER_DAY;
	/* The profile's own rules, before anything is built. */
	x509_lint_profile(p, asn1_time_t(X509_get0_notAfter(issuer_cert)), &l);
	if (l.n > 0)
		return x509_lint_result(&l, "the profile");
	/* Nothing outlives its issuer. */
	cmp = X509_cmp_time(X509_get0_notAfter(issuer_cert), na);
	if (cmp == 0)
		return p11_ossl_err(CE_ERR_FORMAT, "the issuer certificate's notAfter");
	if (cmp < 0)
		return ce_err_set(CE_ERR_POLICY, "the certificate would end after its issuer's "
				  "certificate (shorten the validity)");
	return 0;
}

int x509_cert_issue(const struct p11_ossl_key *issuer_key, const X509 *issuer_cert,
		    const X509_REQ *csr, const struct x509_profile *p, X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	EVP_PKEY *csr_key = NULL;
	struct x509_prelint pl = { 0 };
	time_t nb, na;

	*out = NULL;
	ERR_clear_error();
	if ((r = x509_profile_check(p)) < 0 || (r = csr_key_check(csr, &csr_key)) < 0 ||
	    (r = x509_sign_issuer_check(issuer_key, issuer_cert, KU_KEY_CERT_SIGN,
					"keyCertSign")) < 0 ||
	    (r = issued_subject(p, csr, &name)) < 0 ||
	    (r = issued_validity(p, issuer_cert, &nb, &na)) < 0 ||
	    (r = cert_new(issuer_key, name, X509_get_subject_name(issuer_cert), csr_key,
			  p->serial_hex, nb, na, &x)) < 0 ||
	    (r = x509_profile_extensions(x, p, X509_get0_subject_key_id((X509 *)issuer_cert))) < 0 ||
	    (r = x509_prelint_cert(issuer_key, x, p, issuer_cert, &pl)) < 0 ||
	    (r = x509_sign_verified(issuer_key, X509_KIND_CERT, x, "certificate")) < 0 ||
	    (r = x509_postlint_cert(x, p, issuer_cert, &pl)) < 0)
		goto out;
	if (EVP_PKEY_eq(X509_get0_pubkey(x), csr_key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the issued certificate does not carry the CSR's key");
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	x509_prelint_free(&pl);
	EVP_PKEY_free(csr_key);
	X509_NAME_free(name);
	X509_free(x);
	return r;
}

static int revoked_add(X509_CRL *crl, const struct x509_revoked *rv, size_t i)
{
	int r = CE_ERR_INTERNAL;
	X509_REVOKED *rev = NULL;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *reason = NULL;

	if (!serial_hex_valid(rv->serial_hex)) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entry %zu: serial '%s' is not 1..%d hex digits",
			       i + 1, rv->serial_hex ? rv->serial_hex : "", X509_SERIAL_HEX_MAX_BYTES);
		goto out;
	}
	if (rv->reason < 0 || rv->reason > 10 || rv->reason == 7) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entry %zu: reason code %d invalid "
			       "(RFC 5280 CRLReason 0..10 but 7)", i + 1, rv->reason);
		goto out;
	}
	if (rv->when == 0) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entry %zu: revocation time missing", i + 1);
		goto out;
	}
	rev = X509_REVOKED_new();
	when = ASN1_TIME_set(NULL, rv->when);
	if (rev == NULL || when == NULL || BN_hex2bn(&bn, rv->serial_hex) == 0 ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL) {
		r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu", i + 1);
		goto out;
	}
	if (X509_REVOKED_set_serialNumber(rev, serial) != 1 ||
	    X509_REVOKED_set_revocationDate(rev, when) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu", i + 1);
		goto out;
	}
	if (rv->reason != 0) {
		reason = ASN1_ENUMERATED_new();
		if (reason == NULL || ASN1_ENUMERATED_set(reason, rv->reason) != 1 ||
		    X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) != 1) {
			r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu: reason", i + 1);
			goto out;
		}
	}
	if (X509_CRL_add0_revoked(crl, rev) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu", i + 1);
		goto out;
	}
	rev = NULL; /* transferred to the CRL */
	r = 0;
out:
	ASN1_ENUMERATED_free(reason);
	ASN1_TIME_free(when);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_REVOKED_free(rev);
	return r;
}

int x509_crl_make(const struct p11_ossl_key *issuer_key, const X509 *issuer_cert,
		  const struct x509_crl_params *p, X509_CRL **out)
{
	int r = CE_ERR_INTERNAL;
	X509_CRL *crl = NULL;
	ASN1_TIME *t = NULL;
	struct x509_prelint pl = { 0 };
	time_t tu;
	size_t i;

	*out = NULL;
	ERR_clear_error();
	r = x509_sign_issuer_check(issuer_key, issuer_cert, KU_CRL_SIGN, "cRLSign");
	if (r < 0)
		goto out;
	tu = p->this_update != 0 ? p->this_update : time(NULL);
	if (p->next_update <= tu) {
		r = ce_err_set(CE_ERR_INVALID, "nextUpdate must be later than thisUpdate");
		goto out;
	}
	if (p->n_revoked > 0 && p->revoked == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entries missing");
		goto out;
	}
	crl = X509_CRL_new_ex(p11_ossl_libctx(issuer_key->ctx), X509_PROPQ);
	if (crl == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer_cert)) != 1 ||
	    (t = ASN1_TIME_set(NULL, tu)) == NULL || X509_CRL_set1_lastUpdate(crl, t) != 1 ||
	    ASN1_TIME_set(t, p->next_update) == NULL || X509_CRL_set1_nextUpdate(crl, t) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "CRL fields");
		goto out;
	}
	for (i = 0; i < p->n_revoked; i++) {
		r = revoked_add(crl, &p->revoked[i], i);
		if (r < 0)
			goto out;
	}
	r = x509_profile_crl_extensions(crl, p->crl_number,
					X509_get0_subject_key_id((X509 *)issuer_cert));
	if (r < 0)
		goto out;
	if (p->idp_url != NULL && (r = x509_ext_crl_idp(crl, p->idp_url)) < 0)
		goto out;
	if (X509_CRL_sort(crl) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "sorting the CRL");
		goto out;
	}
	if ((r = x509_prelint_crl(issuer_key, crl, p, issuer_cert, &pl)) < 0 ||
	    (r = x509_sign_verified(issuer_key, X509_KIND_CRL, crl, "CRL")) < 0 ||
	    (r = x509_postlint_crl(crl, p, issuer_cert, &pl)) < 0)
		goto out;
	*out = crl;
	crl = NULL; /* transferred */
	r = 0;
out:
	x509_prelint_free(&pl);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return r;
}
