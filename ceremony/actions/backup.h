/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/backup.h - the key backup file written by key.backup and read by
 * key.restore (docs/backup-format.md, version 1).
 *
 * A small JSON document: what key (type, label, id, public key), what
 * wrapped it (mechanism, the script secret whose shares hold the wrapping
 * key, the ceremony that issued them) and the wrapped blob (base64). The
 * blob is ciphertext: nothing in the file is secret. The file is read as
 * untrusted input: bounded (BACKUP_MAX_BYTES), strict (unknown or missing
 * fields, duplicate keys, wrong types and bad encodings are refused, naming
 * the file and the field).
 */
#ifndef CE_CEREMONY_BACKUP_H
#define CE_CEREMONY_BACKUP_H

#include "pkcs11/p11.h"

#include <stddef.h>
#include <stdint.h>

#define BACKUP_FORMAT_NAME "ceremony-key-backup"
#define BACKUP_VERSION 1
#define BACKUP_MAX_BYTES (256u * 1024u)
#define BACKUP_MECHANISM "CKM_AES_KEY_WRAP_PAD"

struct backup {
	enum p11_key_type key_type;
	char *label;          /* owned */
	uint8_t id[P11_ID_MAX_BYTES];
	size_t id_len;
	char *public_key_pem; /* owned, NUL-terminated PEM SubjectPublicKeyInfo */
	uint8_t public_key_sha256[32]; /* SHA-256 of the DER SPKI */
	char *wrap_secret_name;    /* owned: the script secret's name */
	char *wrap_kind;      /* owned: "aes-256" */
	char *ceremony_id;    /* owned: the ceremony that wrote the backup */
	char *created;        /* owned: UTC time, YYYY-MM-DDTHH:MM:SSZ */
	uint8_t *blob;        /* owned: the wrapped private key */
	size_t blob_len;
};

/* Serialise b (all fields set) as the version-1 document: *out is a
 * NUL-terminated heap string (free()), *len its length. CE_ERR_NOMEM,
 * CE_ERR_INVALID (a field missing). */
int backup_encode(const struct backup *b, char **out, size_t *len)
	__attribute__((warn_unused_result));

/* Parse a document (name is used in messages). *out filled (backup_clear).
 * The public key PEM must parse and its SHA-256 equal public_key_sha256.
 * CE_ERR_FORMAT naming name and the field, CE_ERR_UNSUPPORTED (another
 * version or mechanism), CE_ERR_TOO_LARGE, CE_ERR_NOMEM. Nothing is returned
 * on error. */
int backup_decode(const char *name, const char *data, size_t len, struct backup *out)
	__attribute__((warn_unused_result));

/* Release the owned fields; the struct is zeroed. */
void backup_clear(struct backup *b);

#endif
