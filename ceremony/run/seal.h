/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/seal.h - shares sealed to a key holder's card
 * (docs/share-format.md, "Sealed shares").
 *
 * A sealed share is a PEM "CMS" file: EnvelopedData with one recipient, the
 * holder's roster certificate (RSA: key transport with RSAES-OAEP, SHA-1 and
 * MGF1-SHA-1, the CMS defaults every PKCS#11 card takes; EC: key agreement
 * dhSinglePass-stdDH-sha256kdf-scheme with id-aes256-wrap), content
 * AES-256-CBC, the plain text being the share's SLIP-39 mnemonic. Stock
 * `openssl cms -decrypt` opens it with the card's key.
 *
 * seal_cms.c: sealing and the software half of opening (no card);
 * seal_card.c: the card's half, at the console (insert card, type PIN).
 * Mnemonics, content keys, Z: SECRET (secmem). Files, certificates: public.
 */
#ifndef CE_CEREMONY_RUN_SEAL_H
#define CE_CEREMONY_RUN_SEAL_H

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#define SEAL_DIR "sealed"
#define SEAL_FILE_MAX_BYTES (64 * 1024)

struct seal_msg;

enum seal_kind {
	SEAL_RSA_OAEP, /* key transport: the content key RSA-OAEP encrypted */
	SEAL_ECDH,     /* key agreement: Z with the originator's key, X9.63 KDF, AES key wrap */
};

/* Seal mnemonic (SECRET, borrowed) to cert: *pem heap (public), caller
 * free()s. 0; CE_ERR_UNSUPPORTED (a key neither RSA nor EC); CE_ERR_CRYPTO. */
int seal_make(X509 *cert, const char *mnemonic, char **pem, size_t *pem_len)
	__attribute__((warn_unused_result));

/* Parse a sealed file's text (path for messages). *out: seal_msg_free.
 * CE_ERR_FORMAT naming path and what is wrong (not PEM CMS, not
 * EnvelopedData, not one recipient, another content cipher...). */
int seal_parse(const char *path, const char *pem, size_t len, struct seal_msg **out)
	__attribute__((warn_unused_result));
void seal_msg_free(struct seal_msg *m);

/* 1 when m's recipient is cert (issuer and serial, or subject key id). */
int seal_msg_is_for(const struct seal_msg *m, X509 *cert);
enum seal_kind seal_msg_kind(const struct seal_msg *m);
/* RSA: the encrypted content key, and the OAEP hash (0 SHA-1, 1 SHA-256). */
const uint8_t *seal_msg_enckey(const struct seal_msg *m, size_t *len);
int seal_msg_oaep_sha256(const struct seal_msg *m);
/* ECDH: the originator's uncompressed point. */
const uint8_t *seal_msg_peer_point(const struct seal_msg *m, size_t *len);

/* ECDH: the content key from Z (SECRET, borrowed): the KDF then the key
 * unwrap. *cek secmem, caller's. CE_ERR_VERIFY (unwrap fails: not this
 * card's, or tampered), CE_ERR_CRYPTO, CE_ERR_MLOCK. */
int seal_ecdh_cek(const struct seal_msg *m, const uint8_t *z, size_t z_len, uint8_t **cek,
		  size_t *cek_len) __attribute__((warn_unused_result));

/* The content (the mnemonic) with the content key: *mn NUL-terminated
 * secmem, caller's. CE_ERR_VERIFY (bad padding: tampered or another key). */
int seal_content_open(const struct seal_msg *m, const uint8_t *cek, size_t cek_len, char **mn)
	__attribute__((warn_unused_result));

/* ---- seal_card.c: the runner's side ---- */
struct run_ctx;
struct roster_person;
struct registry_share;
struct slip39_share;

#define SEAL_REL_MAX 256

/* Seal share (g, m) of set `set` of secret, mnemonic (SECRET, borrowed), to
 * holder's certificate and write it to OUTDIR/sealed/<secret>-<holder>-<set>-
 * <g>-<m>.p7m (0644, never overwritten; the folder made 0755 if absent).
 * rel: that path under OUTDIR; sha_hex: the file's SHA-256. 0; CE_ERR_EXISTS,
 * CE_ERR_IO, CE_ERR_CRYPTO, CE_ERR_POLICY (holder has no usable card). */
int seal_share_write(struct run_ctx *rc, const struct roster_person *holder, const char *secret,
		     const char *set, unsigned g, unsigned m, const char *mnemonic,
		     char rel[SEAL_REL_MAX], char sha_hex[65]) __attribute__((warn_unused_result));

/* The holder opens e's sealed file with their card: the file read (its
 * SHA-256 the transcript's), addressed to holder's certificate, the card
 * presented as for the attendance (internal.h run_card_use: found by the
 * holder's token: pattern in any module and waited for, its key matched to
 * the certificate, tries said, the PIN typed; rehearsal: read from the
 * holder's <holder>.card-pin file in e's rehearsal folder), the content key
 * decrypted on the card (a card pulled out meanwhile asked back, the
 * opening done again), the words decoded into *share (SECRET, caller's
 * secmem). Nothing of the share is shown. 0; CE_ERR_NOT_FOUND (no file, no
 * card); CE_ERR_MISMATCH (another person's card, named); RUN_CARD_GONE
 * (pulled out, not inserted again); CE_ERR_VERIFY (sealed to another
 * person, changed file, does not open) with a sentence for the holder;
 * CE_ERR_PIN (wrong PIN, tries left said; a locked PIN refused before any
 * try; a final try only after "yes"); CE_ERR_PKCS11; CE_ERR_MLOCK. */
int seal_share_open(struct run_ctx *rc, const struct roster_person *holder,
		    const struct registry_share *e, struct slip39_share *share)
	__attribute__((warn_unused_result));

#endif
