/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/card.h - a person's personal token (a smart card; a SoftHSM token
 * in tests): found by its roster URI pattern and waited for, its keys listed
 * by the SHA-256 of their SubjectPublicKeyInfo (readable before login), and
 * its private key used to sign a challenge or to add a SignerInfo to a CMS
 * SignedData. Every signature is verified in software against the key the
 * caller expects (the roster certificate's) before it is returned.
 *
 * Built on pkcs11/p11.h only (this file calls no C_* itself). The PIN is
 * the caller's (p11_session_login, BORROWED secmem). Nothing here is secret.
 */
#ifndef CE_PKCS11_CARD_H
#define CE_PKCS11_CARD_H

#include "pkcs11/p11.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#define P11_CARD_POLL_MS 500

/*
 * The one token matching uri (p11_token_find), polled every
 * P11_CARD_POLL_MS until timeout_ms have passed (0: one look). Returns 0;
 * CE_ERR_NOT_FOUND after the timeout ("no card matching URI after N s");
 * p11_token_find's other codes at once (several tokens match, bad URI).
 */
int p11_card_wait(struct p11_ctx *ctx, const char *uri, unsigned timeout_ms,
		  struct p11_token **out) P11_WARN;

/* A key pair on the card as seen before login: its public-key object. */
struct p11_card_key {
	uint8_t spki_sha256[32];
	uint8_t id[P11_ID_MAX_BYTES];
	size_t id_len;
};

/* The keys visible on s without login, at most cap of them: each public-key
 * object, then each certificate object's key (PIV cards, NSS softokn), each
 * key once. 0; p11_session_objects' codes. A key of a type we do not read
 * is left out. */
int p11_card_keys(struct p11_session *s, struct p11_card_key *out, size_t cap,
		  size_t *n) P11_WARN;

/* After login: the private key of ck (same CKA_ID). p11_key_find's codes. */
int p11_card_key_open(struct p11_session *s, const struct p11_card_key *ck,
		      struct p11_key **out) P11_WARN;

/* Sign msg with k (SHA-256; RSA PKCS#1 v1.5 or ECDSA, DER), then verify the
 * signature in software with expect (the roster certificate's key).
 * *sig heap, caller free()s. 0; p11_key_sign's codes; CE_ERR_VERIFY. */
int p11_card_sign(const struct p11_key *k, EVP_PKEY *expect, const uint8_t *msg, size_t len,
		  uint8_t **sig, size_t *sig_len) P11_WARN;

/* Verify sig over msg (SHA-256) with pub: 0 or CE_ERR_VERIFY. */
int p11_card_verify(EVP_PKEY *pub, const uint8_t *msg, size_t len, const uint8_t *sig,
		    size_t sig_len) P11_WARN;

/*
 * Add one SignerInfo made with card key k and its certificate cert to the
 * detached CMS SignedData in pem (PEM, pem_len bytes): SHA-256, the message
 * digest reused from a signer using SHA-256 (the same content is signed),
 * contentType and signingTime, the signed attributes' DER signed on the card
 * (CKM_RSA_PKCS over a DigestInfo, or CKM_ECDSA: p11_key_sign), the
 * certificate included. The new SignerInfo is verified with cert's key
 * before *out (malloc'ed PEM, NUL-terminated) is returned. 0;
 * CE_ERR_FORMAT (not a detached SignedData), CE_ERR_INVALID (cert is not
 * for k), CE_ERR_CRYPTO, CE_ERR_VERIFY, p11_key_sign's codes, CE_ERR_NOMEM.
 */
int p11_card_cms_cosign(const struct p11_key *k, X509 *cert, const char *pem, size_t pem_len,
			char **out, size_t *out_len) P11_WARN;

#endif
