/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/x509/x509_internal.h - shared by the sources of pkcs11/x509/ only.
 *
 *   ossl.c     provider glue: the library context, keys, raw signatures
 *   build.c    certificate, CSR and CRL construction (x509.h's four outputs)
 *   profile.c  extensions and what a profile allows (key usages, key types)
 *   sign.c     signing an object with a token key and verifying the result
 *   pem.c      DER fingerprints, PEM files
 *   dn.c       subject names (ordered attributes, multi-valued RDNs)
 *   ext.c      policies, CRL DP, AIA, name constraints, OCSP nocheck, IDP
 *   ready.c    the ready profiles as data
 *   lint.c     RFC 5280 and profile rules (lint_crl.c: the CRL rules)
 *
 * Nothing here is secret. Objects passed in are borrowed unless a comment
 * says otherwise.
 */
#ifndef CE_PKCS11_X509_INTERNAL_H
#define CE_PKCS11_X509_INTERNAL_H

#include "pkcs11/p11.h"
#include "pkcs11/x509/x509.h"

#include <openssl/x509v3.h>

/* Properties for objects we build: hashing and verification in software. */
#define X509_PROPQ "?provider=default"

/* ---- ossl.c ---- */

/* The p11_key_sign hash for a digest name of struct p11_ossl_key ("SHA256",
 * "SHA384", "SHA512"; NULL: none, for EdDSA). */
enum p11_hash p11_ossl_md_hash(const char *md);

/* ---- profile.c ---- */

/* Validity (1..36525 days) and pathLenConstraint (CA only): CE_ERR_INVALID. */
int x509_profile_check(const struct x509_profile *p);
/* The key an issued certificate may carry: RSA >= 2048 bits, EC P-256, P-384,
 * P-521, Ed25519; CE_ERR_POLICY otherwise. */
int x509_profile_subject_key_check(const EVP_PKEY *key);
/* A self-signed CA's extensions: basicConstraints CA:TRUE (path_len >= 0:
 * pathLenConstraint), keyUsage keyCertSign+cRLSign, SKI, and AKI = SKI. */
int x509_profile_ca_extensions(X509 *x, int path_len);
/* An issued certificate's extensions from p: basicConstraints, keyUsage (the
 * default for CA or end entity when p->key_usage is NULL), extendedKeyUsage
 * when asked, SKI of x's key, AKI = issuer_ski (NULL: its own SKI, for a
 * self-signed certificate), and the rest of the profile (ext.c). */
int x509_profile_extensions(X509 *x, const struct x509_profile *p,
			    const ASN1_OCTET_STRING *issuer_ski);
/* A CRL's extensions: cRLNumber and AKI = issuer_ski. */
int x509_profile_crl_extensions(X509_CRL *crl, uint64_t crl_number,
				const ASN1_OCTET_STRING *issuer_ski);

/* ---- ext.c ---- */

int x509_ext_policies(X509 *x, const struct x509_policy *pol, size_t n);
int x509_ext_crl_dp(X509 *x, const char *const *urls, size_t n);
int x509_ext_aia(X509 *x, const char *const *ocsp, size_t n_ocsp, const char *const *ca,
		 size_t n_ca);
int x509_ext_name_constraints(X509 *x, const char *const *perm, size_t n_perm,
			      const char *const *excl, size_t n_excl);
int x509_ext_ocsp_nocheck(X509 *x);
int x509_ext_crl_idp(X509_CRL *crl, const char *url);

/* ---- lint.c ---- */

/* The DER of every extension of x, concatenated, in *der (OPENSSL_free). */
int x509_ext_der(const X509 *x, unsigned char **der, size_t *len);

/* ---- prelint.c ---- */

/* What was linted before the token signed: the extensions' DER. */
struct x509_prelint {
	unsigned char *ext_der;
	size_t ext_len;
};

/* Sign x with a throwaway software key of k's type, lint it (CE_ERR_POLICY
 * with the first finding), keep its extensions in st (x509_prelint_free). */
int x509_prelint_cert(const struct p11_ossl_key *k, X509 *x, const struct x509_profile *p,
		      const X509 *issuer, struct x509_prelint *st);
/* After the token signed x: its signature with issuer's key (x's own when
 * issuer is NULL: self-signed), the lint again, and the extensions equal to
 * st's. CE_ERR_VERIFY or CE_ERR_POLICY. */
int x509_postlint_cert(X509 *x, const struct x509_profile *p, const X509 *issuer,
		       struct x509_prelint *st);
int x509_prelint_crl(const struct p11_ossl_key *k, X509_CRL *crl,
		     const struct x509_crl_params *p, const X509 *issuer,
		     struct x509_prelint *st);
int x509_postlint_crl(X509_CRL *crl, const struct x509_crl_params *p, const X509 *issuer,
		      struct x509_prelint *st);
void x509_prelint_free(struct x509_prelint *st);

/* ---- sign.c ---- */

/*
 * Sign obj (an X509, X509_REQ or X509_CRL) with k, through the provider or
 * through p11_key_sign (k->direct), then verify its signature with k->pub.
 * noun names the object in messages ("CA certificate", "CSR"). Returns 0,
 * CE_ERR_CRYPTO (signing failed, detail prefixed "the <noun>"),
 * CE_ERR_VERIFY ("<uri>: the token signed a <noun> that does not verify"),
 * CE_ERR_NOMEM.
 */
int x509_sign_verified(const struct p11_ossl_key *k, enum x509_kind kind, void *obj,
		       const char *noun);
/* The key an output carries (got) must be want: CE_ERR_VERIFY "<what> does
 * not carry the key <uri>". */
int x509_sign_key_check(const EVP_PKEY *got, const EVP_PKEY *want, const char *what,
			const char *uri);
/* The issuer certificate carries k's key (CE_ERR_MISMATCH), is a CA whose
 * keyUsage, if any, has ku_bit (named use), and has an SKI (CE_ERR_POLICY). */
int x509_sign_issuer_check(const struct p11_ossl_key *k, const X509 *issuer, uint32_t ku_bit,
			   const char *use);

#endif
