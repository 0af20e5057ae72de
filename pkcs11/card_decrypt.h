/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/card_decrypt.h - a personal card opens what was sealed to it
 * (docs/share-format.md, "Sealed shares"): the card's key pair found by the
 * public key of the holder's roster certificate, then the private key used
 * on the card for RSA-OAEP key transport (C_Decrypt, CKM_RSA_PKCS_OAEP) or
 * ECDH key agreement (C_DeriveKey, CKM_ECDH1_DERIVE, CKD_NULL: the shared
 * secret Z; the KDF and key unwrap are done in software by the caller).
 *
 * What comes out (the content-encryption key, Z) is SECRET: secmem owned
 * by the caller (secmem_free). The certificate's public key and the
 * ciphertexts are public.
 */
#ifndef CE_PKCS11_CARD_DECRYPT_H
#define CE_PKCS11_CARD_DECRYPT_H

#include "pkcs11/p11.h"

#include <stddef.h>
#include <stdint.h>

#define P11_CARD_ID_MAX 64

/*
 * The id (CKA_ID) of the key pair on s's token whose public key equals want
 * (EVP_PKEY_eq): public-key objects are looked at (visible without a login),
 * then, when logged in, the private keys' public halves. 0; CE_ERR_NOT_FOUND
 * when no key on the card is want (the detail names the token); CE_ERR_PKCS11,
 * CE_ERR_NOMEM.
 */
int p11_card_key_match(struct p11_session *s, struct evp_pkey_st *want,
		       uint8_t id[P11_CARD_ID_MAX], size_t *id_len) P11_WARN;

/* The private key with that id on s (logged in), as p11_key_find. */
int p11_card_dec_key_open(struct p11_session *s, const uint8_t *id, size_t id_len,
			  struct p11_key **out) P11_WARN;

/*
 * RSA-OAEP decryption on the card: C_Decrypt with CKM_RSA_PKCS_OAEP, hash
 * and MGF1 hash both `hash` (P11_HASH_NONE stands for SHA-1, the CMS default
 * and the only one SoftHSM 2.6 takes), no label. *out: secmem, caller's.
 * 0; CE_ERR_PKCS11 naming the CKR and the token; CE_ERR_MLOCK.
 */
int p11_card_rsa_oaep_decrypt(const struct p11_key *k, enum p11_hash hash, const uint8_t *in,
			      size_t in_len, uint8_t **out, size_t *out_len) P11_WARN;

/*
 * ECDH on the card: C_DeriveKey with CKM_ECDH1_DERIVE (CKD_NULL) and the
 * peer's uncompressed point, into a session secret object (extractable,
 * not sensitive, not on the token) whose CKA_VALUE (Z, the x coordinate) is
 * read and the object destroyed. *z: secmem, caller's. 0; CE_ERR_PKCS11;
 * CE_ERR_INVALID (k is no EC key); CE_ERR_MLOCK.
 */
int p11_card_ecdh_derive(const struct p11_key *k, const uint8_t *point, size_t point_len,
			 uint8_t **z, size_t *z_len) P11_WARN;

#endif
