/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/key/key_internal.h - shared by the sources of pkcs11/key/ only.
 *
 *   key.c      key types, key handles, accessors
 *   attr.c     reading attributes; the attribute templates we write
 *   pubkey.c   public keys rebuilt from attributes, and their export
 *   find.c     searches, lookup by URI
 *   keygen.c   key pair generation
 *   sign.c     sign, then verify
 *   wrap.c     AES wrapping keys, wrap, unwrap (backup and restore)
 *   objects.c  object listing and destroy
 *
 * Nothing here is secret but the AES key given to p11_key_import_aes (wrap.c,
 * borrowed, never copied). Handles and session pointers are borrowed.
 */
#ifndef CE_PKCS11_KEY_INTERNAL_H
#define CE_PKCS11_KEY_INTERNAL_H

#include "pkcs11/p11_internal.h"

#include <openssl/evp.h>

#define P11_ATTR_MAX_BYTES 8192     /* largest attribute value we accept from a token */
#define P11_FIND_MAX 4096           /* objects examined per search */
#define P11_SIG_MAX_BYTES 1024      /* RSA-4096 is 512 */
#define P11_CKA_NSS_DB 0xD5A0DB00UL /* NSS vendor attribute: public value of a private key */
#define P11_EC_POINT_MAX_BYTES 133  /* P-521 uncompressed */
#define P11_TMPL_MAX 16             /* attributes in one template we write */

/* ---- key.c: types and handles ---- */

/* Some modules (older SoftHSM, NSS) name the Ed25519 curve as this
 * PrintableString instead of its OID. */
extern const uint8_t p11_str_ed25519[14];

int p11_key_type_is_rsa(enum p11_key_type t);
int p11_key_type_is_ec(enum p11_key_type t);
/* The size of t: RSA modulus bits, curve bits (255 for Ed25519), AES key
 * bits. */
unsigned long p11_key_type_bits(enum p11_key_type t);
/* DER OID of the curve of an EC or Ed25519 type (P-256 for others). */
void p11_key_type_oid(enum p11_key_type t, const uint8_t **oid, size_t *len);
/* CKK_RSA, CKK_EC or CKK_EC_EDWARDS for a key-pair type. */
CK_KEY_TYPE p11_key_type_ckk(enum p11_key_type t);
/* The mechanism that generates t (CKM_AES_KEY_GEN for AES). */
CK_MECHANISM_TYPE p11_key_type_keygen_mech(enum p11_key_type t);
/* The curve named by CKA_EC_PARAMS: OpenSSL's group name ("ED25519" for
 * Ed25519) and *t, or NULL for a curve we do not support. */
const char *p11_key_curve_name(const uint8_t *params, size_t len, enum p11_key_type *t);

/* A handle for objects already on the token (pub may be CK_INVALID_HANDLE;
 * priv too, for a public key alone): reads label, id, public key, URI, and
 * sets up verification. *out owned by the caller (p11_key_free); the objects
 * stay the caller's to destroy on failure. */
int p11_key_from_handles(struct p11_session *s, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub,
			 struct p11_key **out);
/* An object's URI: the token's attributes and attrs (CKA_CLASS, CKA_LABEL,
 * CKA_ID). *out heap, caller free()s. CE_ERR_NOMEM. */
int p11_key_uri_format(const CK_TOKEN_INFO *ti, CK_ATTRIBUTE *attrs, CK_ULONG n, char **out);
/* "<type> key '<label>' on <token>" into what (for messages). */
void p11_key_what(char *what, size_t cap, struct p11_session *s, enum p11_key_type t,
		  const char *label);

/* ---- attr.c: reading ---- */

/* One attribute into fresh heap memory (at most P11_ATTR_MAX_BYTES, with a
 * NUL after it), caller free()s. CE_ERR_PKCS11, CE_ERR_TOO_LARGE,
 * CE_ERR_NOMEM. */
int p11_attr_get(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		 uint8_t **val, size_t *len);
/* A CK_BBOOL attribute; 0 when it cannot be read. */
int p11_attr_bool(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type);
/* A CK_ULONG attribute. CE_ERR_PKCS11. */
int p11_attr_ulong(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		   CK_ULONG *v);

/* ---- attr.c: the templates we write (docs/pkcs11.md "Key attributes") ---- */

/* A template and the values it points to: keep it in place while the
 * template is in use (the attributes point into it). Values added with
 * p11_attr_tmpl_add are borrowed. */
struct p11_attr_tmpl {
	CK_ATTRIBUTE a[P11_TMPL_MAX];
	CK_ULONG n;
	int overflow;            /* an add beyond P11_TMPL_MAX: a bug, see p11_attr_tmpl_check */
	CK_BBOOL yes, no, extractable;
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE kt;
	CK_ULONG bits;
};

void p11_attr_tmpl_init(struct p11_attr_tmpl *t);
void p11_attr_tmpl_add(struct p11_attr_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *v,
		       size_t len);
/* Replace the value of an attribute already in the template. */
void p11_attr_tmpl_set(struct p11_attr_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *v,
		       size_t len);
/* CKA_CLASS and CKA_KEY_TYPE, for C_CreateObject / C_UnwrapKey. */
void p11_attr_tmpl_class(struct p11_attr_tmpl *t, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt);
/* A private half: token, private, sensitive, extractable as asked, sign,
 * label, id; no decrypt for RSA. */
void p11_attr_tmpl_private_key(struct p11_attr_tmpl *t, enum p11_key_type type,
			       const char *label, const uint8_t *id, size_t id_len,
			       int extractable);
/* A public half: token, public, verify, label, id. */
void p11_attr_tmpl_public_key(struct p11_attr_tmpl *t, const char *label, const uint8_t *id,
			      size_t id_len);
/* The AES wrapping key: a session object, sensitive, not extractable, wrap
 * and unwrap only. key is the secret value, BORROWED: the template only
 * points to it. */
void p11_attr_tmpl_wrapping_key(struct p11_attr_tmpl *t, const char *label, const uint8_t *key,
				size_t key_len);
/* CE_ERR_INTERNAL if an add overflowed the template. */
int p11_attr_tmpl_check(const struct p11_attr_tmpl *t);

/* ---- pubkey.c ---- */

/* Read the raw public point of pkey (EC: uncompressed; Ed25519: 32 bytes). */
int p11_pubkey_point(EVP_PKEY *pkey, enum p11_key_type t, uint8_t *out, size_t cap,
		     size_t *len);
/* The same as CKA_EC_POINT: a DER OCTET STRING around the point (cap of
 * P11_EC_POINT_MAX_BYTES + 3 fits every curve). */
int p11_pubkey_point_der(EVP_PKEY *pkey, enum p11_key_type t, uint8_t *out, size_t cap,
			 size_t *len);

/* ---- find.c ---- */

/* Up to max objects matching tmpl; *n how many (*n == max: max or more). */
int p11_find_objects(struct p11_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
		     CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *n);
/* Parse a URI for objects on s's token: CE_ERR_INVALID if its token
 * attributes name another token, or, when noun is not NULL, if it names no
 * object= or id= ("URI '...' names no <noun>"). *out p11_kit_uri_free. */
int p11_find_uri_parse(struct p11_session *s, const char *uri, const char *noun,
		       P11KitUri **out);
/* Objects matching the URI's object attributes, with CKA_CLASS cls when
 * force_cls. */
int p11_find_by_uri(struct p11_session *s, P11KitUri *u, CK_OBJECT_CLASS cls, int force_cls,
		    CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *n);

/* ---- keygen.c, shared with wrap.c ---- */

/* Label 1..P11_LABEL_MAX_BYTES and id 1..P11_ID_MAX_BYTES: CE_ERR_INVALID. */
int p11_keygen_check_label_id(const char *label, const uint8_t *id, size_t id_len);
/* CE_ERR_EXISTS if any object on the token has this label or this id. */
int p11_keygen_label_id_unused(struct p11_session *s, const char *label, const uint8_t *id,
			       size_t id_len);
/* C_DestroyObject, errors ignored (undoing a half-made key). */
void p11_keygen_destroy_quietly(struct p11_session *s, CK_OBJECT_HANDLE h);
/* Both halves of a key made by this call, so nothing half-made stays. */
void p11_keygen_undo(struct p11_session *s, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub);

#endif
