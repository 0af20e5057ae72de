/* SPDX-License-Identifier: Apache-2.0 */
/* Signing a certificate, CSR or CRL with a token key, and verifying the
 * result in software before it is used: nothing unverified is handed back. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

/* Sign with pkcs11-provider: OpenSSL builds the AlgorithmIdentifiers and
 * asks the provider for the signature over the TBS encoding. */
static int sign_provider(const struct p11_ossl_key *k, enum x509_kind kind, void *obj)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int ok = 0;

	if (mctx == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSignInit_ex(mctx, NULL, k->md, p11_ossl_libctx(k->ctx), NULL, k->priv,
				  NULL) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: cannot start signing", k->uri);
		goto out;
	}
	switch (kind) {
	case X509_KIND_CERT:
		ok = X509_sign_ctx(obj, mctx) > 0;
		break;
	case X509_KIND_CSR:
		ok = X509_REQ_sign_ctx(obj, mctx) > 0;
		break;
	case X509_KIND_CRL:
		ok = X509_CRL_sign_ctx(obj, mctx) > 0;
		break;
	}
	if (!ok) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: signing", k->uri);
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(mctx);
	return r;
}

/* Sign through our PKCS#11 layer (p11_key_sign), for modules whose login
 * the provider cannot share (p11-kit-client). OpenSSL first signs with a
 * throwaway software key of the same algorithm, which writes both
 * AlgorithmIdentifiers exactly as the provider path would; the signature
 * value is then replaced by the token's signature over the same TBS bytes.
 * The caller verifies the result with the token's public key. */
static int sign_direct(const struct p11_ossl_key *k, enum x509_kind kind, void *obj)
{
	int r = CE_ERR_INTERNAL;
	OSSL_LIB_CTX *libctx = p11_ossl_libctx(k->ctx);
	EVP_PKEY *eph = NULL;
	EVP_MD *md = NULL;
	unsigned char *tbs = NULL;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	const ASN1_BIT_STRING *cpsig = NULL;
	ASN1_BIT_STRING *psig;
	enum p11_hash hash;
	int tbs_len = -1, ok = 0;

	if (EVP_PKEY_is_a(k->pub, "RSA"))
		eph = EVP_PKEY_Q_keygen(libctx, "provider=default", "RSA", (size_t)2048);
	else if (EVP_PKEY_is_a(k->pub, "EC"))
		eph = EVP_PKEY_Q_keygen(libctx, "provider=default", "EC", "P-256");
	else
		eph = EVP_PKEY_Q_keygen(libctx, "provider=default", "ED25519");
	if (eph == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: algorithm identifiers", k->uri);
		goto out;
	}
	if (k->md != NULL && (md = EVP_MD_fetch(libctx, k->md, "provider=default")) == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: digest %s", k->uri, k->md);
		goto out;
	}
	hash = p11_ossl_md_hash(k->md);
	switch (kind) {
	case X509_KIND_CERT:
		ok = X509_sign(obj, eph, md) > 0 && (tbs_len = i2d_re_X509_tbs(obj, &tbs)) > 0;
		if (ok)
			X509_get0_signature(&cpsig, NULL, obj);
		break;
	case X509_KIND_CSR:
		ok = X509_REQ_sign(obj, eph, md) > 0 && (tbs_len = i2d_re_X509_REQ_tbs(obj, &tbs)) > 0;
		if (ok)
			X509_REQ_get0_signature(obj, &cpsig, NULL);
		break;
	case X509_KIND_CRL:
		ok = X509_CRL_sign(obj, eph, md) > 0 && (tbs_len = i2d_re_X509_CRL_tbs(obj, &tbs)) > 0;
		if (ok)
			X509_CRL_get0_signature(obj, &cpsig, NULL);
		break;
	}
	if (!ok || cpsig == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: encoding what to sign", k->uri);
		goto out;
	}
	r = p11_key_sign(k->direct, hash, tbs, (size_t)tbs_len, &sig, &sig_len);
	if (r < 0)
		goto out;
	/* The signature value lives in the object; OpenSSL offers only a const
	 * getter for it. */
	psig = (ASN1_BIT_STRING *)cpsig;
	if (sig_len > INT_MAX || ASN1_BIT_STRING_set(psig, sig, (int)sig_len) != 1) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	psig->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	psig->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	r = 0;
out:
	free(sig);
	OPENSSL_free(tbs);
	EVP_MD_free(md);
	EVP_PKEY_free(eph);
	return r;
}

/* The signature of obj verifies with pub: 1, else 0. */
static int obj_verify(enum x509_kind kind, void *obj, EVP_PKEY *pub)
{
	int ok = 0;

	switch (kind) {
	case X509_KIND_CERT:
		ok = X509_verify(obj, pub) == 1;
		break;
	case X509_KIND_CSR:
		ok = X509_REQ_verify(obj, pub) == 1;
		break;
	case X509_KIND_CRL:
		ok = X509_CRL_verify(obj, pub) == 1;
		break;
	}
	ERR_clear_error();
	return ok;
}

int x509_sign_verified(const struct p11_ossl_key *k, enum x509_kind kind, void *obj,
		       const char *noun)
{
	int r = CE_ERR_INTERNAL;

	ERR_clear_error();
	/* The provider hashes and signs on its own; without the token's
	 * hash-and-sign (p11_ossl_key_route), our layer builds the DigestInfo. */
	r = k->direct == NULL ? sign_provider(k, kind, obj) : sign_direct(k, kind, obj);
	if (r < 0) {
		ce_err_prefix(r, "the %s", noun);
		goto out;
	}
	/* Every signature the HSM makes is verified before it is used. */
	if (!obj_verify(kind, obj, k->pub)) {
		r = ce_err_set(CE_ERR_VERIFY, "%s: the token signed a %s that does not verify",
			       k->uri, noun);
		goto out;
	}
	r = 0;
out:
	return r;
}

/* The key an output carries must be the expected one (k->pub, a software
 * copy of the token's key). */
int x509_sign_key_check(const EVP_PKEY *got, const EVP_PKEY *want, const char *what,
			const char *uri)
{
	if (got == NULL || EVP_PKEY_eq(got, want) != 1) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_VERIFY, "%s does not carry the key %s", what, uri);
	}
	return 0;
}

/* The issuer certificate must carry the issuer key and allow the use. */
int x509_sign_issuer_check(const struct p11_ossl_key *k, const X509 *issuer, uint32_t ku_bit,
			   const char *use)
{
	X509 *ix = (X509 *)issuer; /* X509_check_ca/X509_get_key_usage cache flags */

	if (EVP_PKEY_eq(X509_get0_pubkey(issuer), k->pub) != 1) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_MISMATCH,
				  "the issuer certificate does not carry the key %s", k->uri);
	}
	if (X509_check_ca(ix) == 0) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_POLICY, "the issuer certificate is not a CA certificate");
	}
	if ((X509_get_extension_flags(ix) & EXFLAG_KUSAGE) != 0 &&
	    (X509_get_key_usage(ix) & ku_bit) == 0)
		return ce_err_set(CE_ERR_POLICY, "the issuer certificate's keyUsage lacks %s", use);
	if (X509_get0_subject_key_id(ix) == NULL)
		return ce_err_set(CE_ERR_POLICY,
				  "the issuer certificate has no subjectKeyIdentifier");
	return 0;
}

int p11_ossl_sign_obj(const struct p11_ossl_key *k, int kind, void *obj, const char *noun)
{
	if (kind != X509_KIND_CERT && kind != X509_KIND_CSR && kind != X509_KIND_CRL)
		return ce_err_set(CE_ERR_INTERNAL, "p11_ossl_sign_obj: kind %d", kind);
	return x509_sign_verified(k, (enum x509_kind)kind, obj, noun);
}
