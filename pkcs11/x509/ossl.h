/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/x509/ossl.h - OpenSSL 3 with pkcs11-provider, sharing our PKCS#11 login.
 *
 * The PKCS#11 layer loads the module, calls C_Initialize (CKF_OS_LOCKING_OK)
 * and logs in. p11_ossl_open() then gives OpenSSL a private library context
 * with two providers: "default" (hashing, software verification) and
 * pkcs11-provider configured, from an in-memory config text, with the SAME
 * module file (realpath) and `pkcs11-module-quirks = no-deinit
 * no-operation-state`. Loading the same file yields the same module instance,
 * so the provider finds the user already logged in and never needs the PIN:
 * no PIN is ever given to OpenSSL (no config entry, no URI attribute, no
 * callback). A UI method whose reader refuses is passed to every OSSL_STORE
 * open, and, because pkcs11-provider 1.0 falls back to OpenSSL's default UI
 * when that callback refuses, the process-wide default UI method
 * (UI_set_default_method) is replaced by a refusing one at the first
 * p11_ossl_open() and kept for the life of the process: a missing login
 * makes the load fail instead of prompting. ceremony never uses OpenSSL's UI
 * for anything else.
 *
 * Order of use (see docs/x509.md):
 *   our C_Initialize + C_OpenSession + C_Login
 *   p11_ossl_open -> p11_ossl_key_load ... (sign, verify) ... p11_ossl_key_free
 *   p11_ossl_close
 *   our C_Logout / C_CloseSession / C_Finalize (only if ours returned CKR_OK)
 * Keep at least one of our sessions open and stay logged in until
 * p11_ossl_close(): closing the last session logs the provider out too.
 *
 * Nothing here is secret: keys stay in the token; EVP_PKEYs are handles.
 */
#ifndef CE_PKCS11_OSSL_H
#define CE_PKCS11_OSSL_H

#include <openssl/evp.h>
#include <openssl/types.h>

struct p11_ossl; /* opaque: the library context and its providers */
struct p11_key;  /* pkcs11/p11.h */
struct CMS_ContentInfo_st; /* openssl/cms.h */

/* A key pair on the token, as OpenSSL sees it. */
struct p11_ossl_key {
	EVP_PKEY *priv;  /* owned: the token's private key (pkcs11-provider handle) */
	EVP_PKEY *pub;   /* owned: its public key, re-imported into the default
	                    provider from the token's public key object (or from
	                    the private key's public part when the token has no
	                    public object); used for every software verification */
	char *uri;       /* owned: the URI as given, for messages */
	const char *md;  /* static: digest name for this key type ("SHA256",
	                    "SHA384", "SHA512") or NULL for EdDSA */
	const struct p11_key *direct; /* borrowed, set by p11_ossl_key_from_p11
	                    (priv is then NULL) or p11_ossl_key_route (the token
	                    lacks hash-and-sign): when set, every signature is
	                    made through our PKCS#11 layer (p11_key_sign) */
	struct p11_ossl *ctx; /* borrowed */
};

/*
 * Create the library context for module_path (resolved with realpath(3); it
 * must be the file the PKCS#11 layer loaded: p11_module_path()). init_args
 * (may be NULL) is the module's C_Initialize pReserved string
 * (p11_module_init_args(), e.g. NSS softokn's configdir), given to the
 * provider as pkcs11-module-init-args; it is public, never a PIN. Call after
 * our C_Initialize: it also clears libcrypto's error queue, which some
 * modules leave dirty. *out is owned by the caller (p11_ossl_close).
 * Returns 0, CE_ERR_NOT_FOUND (module path), CE_ERR_UNSUPPORTED (a control
 * character in the path or init args), CE_ERR_CRYPTO (config or provider
 * load failed: detail names OpenSSL's reason), CE_ERR_NOMEM.
 */
int p11_ossl_open(const char *module_path, const char *init_args, struct p11_ossl **out)
	__attribute__((warn_unused_result));

/* Free the library context and the providers (pkcs11-provider does not
 * C_Finalize the module: no-deinit). Every key loaded from it must have been
 * freed first. Accepts NULL. */
void p11_ossl_close(struct p11_ossl *o);

/* The private library context (borrowed) for callers building OpenSSL
 * objects. */
OSSL_LIB_CTX *p11_ossl_libctx(const struct p11_ossl *o);

/*
 * Load the key pair named by a `pkcs11:` URI (token and object/id; a `type=`
 * attribute is not needed and is replaced). A URI with pin-value or
 * pin-source is refused (CE_ERR_INVALID): PINs never travel in URIs.
 * The private key and the public key are each loaded through OSSL_STORE with
 * `?provider=pkcs11`; the public key is then exported (SubjectPublicKeyInfo)
 * and re-imported into the default provider, and checked to match the
 * private key (EVP_PKEY_eq) and, when expect is not NULL, the public key our
 * PKCS#11 layer exported by its own path (p11_key_public_evp): two
 * independent reads of the token must agree.
 * On success *out is filled (caller frees with p11_ossl_key_free).
 * Returns 0, CE_ERR_INVALID (not a pkcs11: URI, or carries a PIN),
 * CE_ERR_NOT_FOUND (no such private key: not present, or not logged in),
 * CE_ERR_MISMATCH (the public key object does not match the private key or
 * expect),
 * CE_ERR_UNSUPPORTED (key type other than RSA, EC P-256/P-384/P-521,
 * Ed25519), CE_ERR_CRYPTO, CE_ERR_NOMEM.
 */
int p11_ossl_key_load(struct p11_ossl *o, const char *uri, const EVP_PKEY *expect,
		      struct p11_ossl_key *out)
	__attribute__((warn_unused_result));

/*
 * The same, for a key our PKCS#11 layer found (p11_key_find or
 * p11_key_generate), signing through p11_key_sign() instead of the provider:
 * for modules whose login the provider cannot share in process, such as
 * p11-kit-client.so (each load is its own connection to p11-kit server).
 * out->priv is NULL, out->direct = key (borrowed: keep key, its session and
 * login alive until p11_ossl_key_free), out->pub the key's exported public
 * key in the default provider. pkcs11/x509/x509.h signs with either kind and
 * verifies the same way. Returns 0, CE_ERR_UNSUPPORTED (key type),
 * CE_ERR_CRYPTO, CE_ERR_NOMEM.
 */
int p11_ossl_key_from_p11(struct p11_ossl *o, const struct p11_key *key, struct p11_ossl_key *out)
	__attribute__((warn_unused_result));

/*
 * Choose how k signs (docs/pkcs11.md "Signing"): key is the same key found
 * through our PKCS#11 layer (borrowed: keep it alive until
 * p11_ossl_key_free). When the token offers what pkcs11-provider needs for
 * k->md (CKM_SHA<n>_RSA_PKCS, CKM_ECDSA, CKM_EDDSA) the provider signs;
 * otherwise k->direct = key and signatures are made by p11_key_sign (RSA:
 * CKM_RSA_PKCS over a DigestInfo built here). Returns 0, or
 * CE_ERR_UNSUPPORTED naming the mechanisms the token lacks (before anything
 * is signed).
 */
int p11_ossl_key_route(struct p11_ossl_key *k, const struct p11_key *key)
	__attribute__((warn_unused_result));

/*
 * Sign a CMS SignedData (detached, binary, no S/MIME capabilities) over the
 * content read from in, with k and its certificate cert: through the
 * provider (CMS_sign) or, when k->direct is set, by building the signed
 * attributes here and signing their DER with p11_key_sign. The caller
 * verifies the result (CMS_verify with cert). *out owned by the caller.
 * Returns 0, CE_ERR_CRYPTO, CE_ERR_UNSUPPORTED, CE_ERR_NOMEM, or
 * p11_key_sign's codes.
 */
int p11_ossl_cms_sign(const struct p11_ossl_key *k, X509 *cert, BIO *in,
		      struct CMS_ContentInfo_st **out) __attribute__((warn_unused_result));

/*
 * Sign an X509 (kind 0), X509_REQ (1) or X509_CRL (2) built by the caller
 * with k (the provider, or p11_key_sign when k->direct), then verify it
 * with k->pub (software). noun names it in messages. Returns 0,
 * CE_ERR_CRYPTO, CE_ERR_VERIFY, CE_ERR_NOMEM.
 */
int p11_ossl_sign_obj(const struct p11_ossl_key *k, int kind, void *obj, const char *noun)
	__attribute__((warn_unused_result));

/* Release what p11_ossl_key_load filled; the struct is zeroed. Accepts a
 * zeroed struct. */
void p11_ossl_key_free(struct p11_ossl_key *k);

/*
 * Sign msg with the token key (EVP_DigestSign, the key's digest) and verify
 * the signature in software with k->pub before returning it. *sig is malloc'd
 * (caller frees), *sig_len its length. Returns 0, CE_ERR_CRYPTO (the signing
 * failed: detail names the provider's reason), CE_ERR_VERIFY (the token
 * returned a signature that does not verify: detail names the key),
 * CE_ERR_NOMEM.
 */
int p11_ossl_sign(const struct p11_ossl_key *k, const unsigned char *msg, size_t msg_len,
		  unsigned char **sig, size_t *sig_len) __attribute__((warn_unused_result));

/* Record libcrypto's most recent error (and clear the queue) in the error
 * detail as "<what>: <openssl reason>"; returns code. For pkcs11/ only. */
int p11_ossl_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
