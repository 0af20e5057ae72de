/* SPDX-License-Identifier: Apache-2.0 */
/* Lint before the HSM signs, and again after: the to-be-signed certificate or
 * CRL is signed with a throwaway software key of the same type (same curve,
 * same digest), linted (lint.c, lint_cert.c, lint_crl.c), and its extensions
 * kept; after the token signed, the signature is verified with the issuer's
 * public key, the lint is run again and every extension must be byte-equal
 * to what was linted. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <string.h>

#include <openssl/err.h>

/* A software key of k's type: RSA 2048 (the signature algorithm does not
 * depend on the size), the same EC curve, or Ed25519. */
static EVP_PKEY *throwaway_key(const struct p11_ossl_key *k)
{
	OSSL_LIB_CTX *libctx = p11_ossl_libctx(k->ctx);
	char group[64];

	if (EVP_PKEY_is_a(k->pub, "RSA"))
		return EVP_PKEY_Q_keygen(libctx, "provider=default", "RSA", (size_t)2048);
	if (EVP_PKEY_is_a(k->pub, "EC") &&
	    EVP_PKEY_get_group_name(k->pub, group, sizeof(group), NULL) == 1)
		return EVP_PKEY_Q_keygen(libctx, "provider=default", "EC", group);
	return EVP_PKEY_Q_keygen(libctx, "provider=default", "ED25519");
}

static int throwaway_sign(const struct p11_ossl_key *k, enum x509_kind kind, void *obj)
{
	int r = CE_ERR_INTERNAL, ok = 0;
	EVP_PKEY *eph = throwaway_key(k);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();

	if (eph == NULL || mctx == NULL ||
	    EVP_DigestSignInit_ex(mctx, NULL, k->md, p11_ossl_libctx(k->ctx), "provider=default",
				  eph, NULL) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "lint: throwaway key");
		goto out;
	}
	if (kind == X509_KIND_CERT)
		ok = X509_sign_ctx(obj, mctx) > 0;
	else
		ok = X509_CRL_sign_ctx(obj, mctx) > 0;
	if (!ok) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "lint: signing with the throwaway key");
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(eph);
	return r;
}

int x509_prelint_cert(const struct p11_ossl_key *k, X509 *x, const struct x509_profile *p,
		      const X509 *issuer, struct x509_prelint *st)
{
	struct x509_lint l = { 0 };
	int r;

	memset(st, 0, sizeof(*st));
	r = throwaway_sign(k, X509_KIND_CERT, x);
	if (r < 0)
		return r;
	x509_lint_cert(x, p, issuer, &l);
	r = x509_lint_result(&l, "lint before signing");
	if (r < 0)
		return r;
	return x509_ext_der(x, &st->ext_der, &st->ext_len);
}

/* After the token signed: signature with the issuer's key, lint, extensions
 * byte-equal. issuer NULL: self-signed. */
int x509_postlint_cert(X509 *x, const struct x509_profile *p, const X509 *issuer,
		       struct x509_prelint *st)
{
	struct x509_lint l = { 0 };
	unsigned char *der = NULL;
	size_t len = 0;
	EVP_PKEY *pub = X509_get0_pubkey(issuer != NULL ? issuer : x);
	int r = CE_ERR_INTERNAL;

	if (pub == NULL || X509_verify(x, pub) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "after signing: the signature does not verify with "
			       "the issuer's public key");
		goto out;
	}
	x509_lint_cert(x, p, issuer, &l);
	if ((r = x509_lint_result(&l, "lint after signing")) < 0 ||
	    (r = x509_ext_der(x, &der, &len)) < 0)
		goto out;
	if (len != st->ext_len || memcmp(der, st->ext_der, len) != 0) {
		r = ce_err_set(CE_ERR_VERIFY, "after signing: the extensions differ from the "
			       "ones linted");
		goto out;
	}
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

static int crl_ext_der(const X509_CRL *crl, unsigned char **der, size_t *len)
{
	int n = i2d_X509_EXTENSIONS((STACK_OF(X509_EXTENSION) *)X509_CRL_get0_extensions(crl),
				    der);

	if (n < 0)
		return p11_ossl_err(CE_ERR_CRYPTO, "CRL extensions DER");
	*len = (size_t)n;
	return 0;
}

int x509_prelint_crl(const struct p11_ossl_key *k, X509_CRL *crl,
		     const struct x509_crl_params *p, const X509 *issuer,
		     struct x509_prelint *st)
{
	struct x509_lint l = { 0 };
	int r;

	memset(st, 0, sizeof(*st));
	r = throwaway_sign(k, X509_KIND_CRL, crl);
	if (r < 0)
		return r;
	x509_lint_crl(crl, issuer, p->previous, p->max_next_days, &l);
	r = x509_lint_result(&l, "lint before signing the CRL");
	if (r < 0)
		return r;
	return crl_ext_der(crl, &st->ext_der, &st->ext_len);
}

int x509_postlint_crl(X509_CRL *crl, const struct x509_crl_params *p, const X509 *issuer,
		      struct x509_prelint *st)
{
	struct x509_lint l = { 0 };
	unsigned char *der = NULL;
	size_t len = 0;
	int r = CE_ERR_INTERNAL;

	if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "after signing: the CRL's signature does not verify "
			       "with the issuer's public key");
		goto out;
	}
	x509_lint_crl(crl, issuer, p->previous, p->max_next_days, &l);
	if ((r = x509_lint_result(&l, "lint after signing the CRL")) < 0 ||
	    (r = crl_ext_der(crl, &der, &len)) < 0)
		goto out;
	if (len != st->ext_len || memcmp(der, st->ext_der, len) != 0) {
		r = ce_err_set(CE_ERR_VERIFY, "after signing: the CRL's extensions differ from the "
			       "ones linted");
		goto out;
	}
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

void x509_prelint_free(struct x509_prelint *st)
{
	OPENSSL_free(st->ext_der);
	memset(st, 0, sizeof(*st));
}
