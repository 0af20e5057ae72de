/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/card_decrypt.h - a personal card opens what was sealed to it
 * (docs/share-format.md, "Sealed shares"): the card's private key (found,
 * matched and logged in to through pkcs11/card.h, as for signing) used on
 * the card for RSA-OAEP key transport (C_Decrypt, CKM_RSA_PKCS_OAEP) or
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
