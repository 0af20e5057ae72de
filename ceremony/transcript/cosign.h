/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/cosign.h - a co-signature on the transcript's detached
 * CMS SignedData (docs/transcript-format.md section 3, "Co-signatures").
 *
 * transcript_cosign_add() appends one SignerInfo, made with key (a card key
 * through pkcs11-provider, or any EVP_PKEY) and cert, to the SignedData in
 * pem: SHA-256, the message digest reused from the transcript key's
 * SignerInfo (the same bytes are signed; the transcript is not read again),
 * its certificate included. The new SignerInfo is verified before the new
 * PEM is returned; pem itself is never changed. This is what
 * `openssl cms -resign -md sha256` does, so stock OpenSSL checks it.
 * Nothing here is secret.
 */
#ifndef CE_CEREMONY_TRANSCRIPT_COSIGN_H
#define CE_CEREMONY_TRANSCRIPT_COSIGN_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

/* *out (malloc'ed, NUL-terminated; *out_len bytes) owned by the caller.
 * 0; CE_ERR_FORMAT (pem is not one detached SignedData), CE_ERR_INVALID (cert
 * is not for key), CE_ERR_CRYPTO (signing failed: detail says why),
 * CE_ERR_VERIFY (the co-signature made does not verify), CE_ERR_NOMEM. */
int transcript_cosign_add(const char *pem, size_t pem_len, EVP_PKEY *key, X509 *cert, char **out,
			  size_t *out_len) __attribute__((warn_unused_result));

#endif
