/* SPDX-License-Identifier: Apache-2.0 */
/* Key types (names, curves, mechanisms) and key handles: what a struct
 * p11_key holds and how it is filled from the objects on the token. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const uint8_t OID_P256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t OID_P521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t OID_ED25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
const uint8_t p11_str_ed25519[14] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5',
				      '1', '9' };

static const struct {
	enum p11_key_type type;
	const char *name;
	const char *aliases[4];
	unsigned long bits;
} key_types[] = {
	{ P11_KEY_RSA_2048, "rsa2048", { "rsa:2048", "rsa-2048", NULL }, 2048 },
	{ P11_KEY_RSA_3072, "rsa3072", { "rsa:3072", "rsa-3072", NULL }, 3072 },
	{ P11_KEY_RSA_4096, "rsa4096", { "rsa:4096", "rsa-4096", NULL }, 4096 },
	{ P11_KEY_EC_P256, "p256", { "ec:p256", "secp256r1", "prime256v1", "ec:prime256v1" }, 256 },
	{ P11_KEY_EC_P384, "p384", { "ec:p384", "secp384r1", "ec:secp384r1", NULL }, 384 },
	{ P11_KEY_EC_P521, "p521", { "ec:p521", "secp521r1", "ec:secp521r1", NULL }, 521 },
	{ P11_KEY_ED25519, "ed25519", { "eddsa", "ec:edwards25519", "edwards25519", NULL }, 255 },
	{ P11_KEY_AES_256, "aes256", { "aes:32", "aes-256", NULL }, 256 },
};
#define KEY_TYPES_N (sizeof(key_types) / sizeof(key_types[0]))

int p11_key_type_parse(const char *name, enum p11_key_type *out)
{
	size_t i, j;

	for (i = 0; i < KEY_TYPES_N; i++) {
		if (strcasecmp(name, key_types[i].name) == 0)
			goto found;
		for (j = 0; j < 4 && key_types[i].aliases[j] != NULL; j++)
			if (strcasecmp(name, key_types[i].aliases[j]) == 0)
				goto found;
	}
	return ce_err_set(CE_ERR_INVALID, "unknown key type '%s' (rsa2048, rsa3072, rsa4096, "
					  "p256, p384, p521, ed25519)", name);
found:
	*out = key_types[i].type;
	return 0;
}

const char *p11_key_type_name(enum p11_key_type t)
{
	size_t i;

	for (i = 0; i < KEY_TYPES_N; i++)
		if (key_types[i].type == t)
			return key_types[i].name;
	return "unknown";
}

int p11_key_type_is_rsa(enum p11_key_type t)
{
	return t == P11_KEY_RSA_2048 || t == P11_KEY_RSA_3072 || t == P11_KEY_RSA_4096;
}

int p11_key_type_is_ec(enum p11_key_type t)
{
	return t == P11_KEY_EC_P256 || t == P11_KEY_EC_P384 || t == P11_KEY_EC_P521;
}

unsigned long p11_key_type_bits(enum p11_key_type t)
{
	size_t i;

	for (i = 0; i < KEY_TYPES_N; i++)
		if (key_types[i].type == t)
			return key_types[i].bits;
	return 0;
}

void p11_key_type_oid(enum p11_key_type t, const uint8_t **oid, size_t *len)
{
	switch (t) {
	case P11_KEY_EC_P384:
		*oid = OID_P384;
		*len = sizeof(OID_P384);
		break;
	case P11_KEY_EC_P521:
		*oid = OID_P521;
		*len = sizeof(OID_P521);
		break;
	case P11_KEY_ED25519:
		*oid = OID_ED25519;
		*len = sizeof(OID_ED25519);
		break;
	default:
		*oid = OID_P256;
		*len = sizeof(OID_P256);
		break;
	}
}

CK_KEY_TYPE p11_key_type_ckk(enum p11_key_type t)
{
	return p11_key_type_is_rsa(t) ? CKK_RSA : p11_key_type_is_ec(t) ? CKK_EC : CKK_EC_EDWARDS;
}

CK_MECHANISM_TYPE p11_key_type_keygen_mech(enum p11_key_type t)
{
	if (p11_key_type_is_rsa(t))
		return CKM_RSA_PKCS_KEY_PAIR_GEN;
	if (p11_key_type_is_ec(t))
		return CKM_EC_KEY_PAIR_GEN;
	if (t == P11_KEY_ED25519)
		return CKM_EC_EDWARDS_KEY_PAIR_GEN;
	return CKM_AES_KEY_GEN;
}

int p11_token_supports(struct p11_token *tok, enum p11_key_type t)
{
	CK_MECHANISM_TYPE m = p11_key_type_keygen_mech(t);
	char buf[32];
	unsigned need = t == P11_KEY_AES_256 ? P11_MECH_WRAP : P11_MECH_GENERATE_KEY_PAIR;

	if (t == P11_KEY_AES_256)
		m = CKM_AES_KEY_WRAP_PAD;
	if (!p11_token_has_mech(tok, m, need))
		return ce_err_set(CE_ERR_UNSUPPORTED, "%s does not offer %s: no %s keys on it "
						      "(see `ceremony hsm mechanisms`)",
				  p11_token_what(tok), p11_mech_name(m, buf, sizeof(buf)),
				  p11_key_type_name(t));
	return 0;
}

const char *p11_key_curve_name(const uint8_t *params, size_t len, enum p11_key_type *t)
{
	if (len == sizeof(OID_P256) && memcmp(params, OID_P256, len) == 0) {
		*t = P11_KEY_EC_P256;
		return "prime256v1";
	}
	if (len == sizeof(OID_P384) && memcmp(params, OID_P384, len) == 0) {
		*t = P11_KEY_EC_P384;
		return "secp384r1";
	}
	if (len == sizeof(OID_P521) && memcmp(params, OID_P521, len) == 0) {
		*t = P11_KEY_EC_P521;
		return "secp521r1";
	}
	if ((len == sizeof(OID_ED25519) && memcmp(params, OID_ED25519, len) == 0) ||
	    (len == sizeof(p11_str_ed25519) && memcmp(params, p11_str_ed25519, len) == 0)) {
		*t = P11_KEY_ED25519;
		return "ED25519";
	}
	return NULL;
}

/* ---- key handles ----------------------------------------------------- */

int p11_key_uri_format(const CK_TOKEN_INFO *ti, CK_ATTRIBUTE *attrs, CK_ULONG n, char **out)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;

	*out = NULL;
	u = p11_kit_uri_new();
	if (u == NULL || p11_kit_uri_set_attributes(u, attrs, n) != P11_KIT_URI_OK) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(p11_kit_uri_get_token_info(u), ti, sizeof(*ti));
	if (p11_kit_uri_format(u, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, out) != P11_KIT_URI_OK) {
		r = ce_err_set(CE_ERR_NOMEM, "cannot format an object URI");
		goto out;
	}
	r = 0;
out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

static int uri_key_attrs(struct p11_key *k)
{
	CK_TOKEN_INFO ti;
	CK_OBJECT_CLASS cls = k->pkey != NULL ? CKO_PRIVATE_KEY : CKO_SECRET_KEY;
	CK_ATTRIBUTE attrs[3] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, k->label, strlen(k->label) },
		{ CKA_ID, k->id, k->id_len },
	};

	if (k->s->tok->mod->fl->C_GetTokenInfo(k->s->tok->slot, &ti) != CKR_OK)
		memset(&ti, ' ', sizeof(ti));
	return p11_key_uri_format(&ti, attrs, k->id_len > 0 ? 3 : 2, &k->uri);
}

/* Bit i of rsa_hash_sign (struct p11_key): the token has rsa_hash_mechs[i]. */
static const CK_MECHANISM_TYPE rsa_hash_mechs[3] = {
	CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS,
};

/* Fill a key handle from its objects: label, id, public key, URI. */
static int key_complete(struct p11_key *k)
{
	int r = CE_ERR_INTERNAL;
	CK_OBJECT_HANDLE o = k->priv != CK_INVALID_HANDLE ? k->priv : k->pub;
	uint8_t *v = NULL;
	size_t len = 0;
	CK_ULONG cls = 0;
	unsigned i;

	if (p11_attr_get(k->s, o, CKA_LABEL, &v, &len) == 0) {
		k->label = (char *)v;
		v = NULL;
	} else {
		k->label = strdup("");
	}
	if (p11_attr_get(k->s, o, CKA_ID, &v, &len) == 0) {
		k->id = v;
		k->id_len = len;
		v = NULL;
	}
	ce_err_clear();
	if (k->label == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = p11_attr_ulong(k->s, o, CKA_CLASS, &cls);
	if (r < 0)
		goto out;
	if (cls == CKO_SECRET_KEY) {
		k->type = P11_KEY_AES_256;
	} else {
		r = p11_key_load_public(k);
		if (r < 0)
			goto out;
	}
	/* A verification context made once here, not per signature. */
	if (k->pkey != NULL && k->type != P11_KEY_ED25519) {
		k->vctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
		if (k->vctx == NULL || EVP_PKEY_verify_init(k->vctx) != 1) {
			r = ce_err_set(CE_ERR_CRYPTO, "cannot set up verification for key '%s'",
				       k->label);
			goto out;
		}
	}
	/* Looked up once here, not per signature. */
	for (i = 0; p11_key_type_is_rsa(k->type) && i < 3; i++)
		if (p11_token_has_mech(k->s->tok, rsa_hash_mechs[i], P11_MECH_SIGN))
			k->rsa_hash_sign |= 1u << i;
	r = uri_key_attrs(k);
	if (r < 0)
		goto out;
	r = 0;
out:
	free(v);
	return r;
}

int p11_key_from_handles(struct p11_session *s, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub,
			 struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	struct p11_key *k = NULL;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	k->s = s;
	k->priv = priv;
	k->pub = pub;
	r = key_complete(k);
	if (r < 0)
		goto out;
	*out = k;
	k = NULL; /* transferred */
	r = 0;
out:
	p11_key_free(k);
	return r;
}

void p11_key_what(char *what, size_t cap, struct p11_session *s, enum p11_key_type t,
		  const char *label)
{
	snprintf(what, cap, "%s key '%s' on %s", p11_key_type_name(t), label,
		 p11_token_what(s->tok));
}

void p11_key_free(struct p11_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->vctx);
	EVP_PKEY_free(k->pkey);
	free(k->label);
	free(k->id);
	free(k->uri);
	free(k);
}

enum p11_key_type p11_key_type(const struct p11_key *k)
{
	return k->type;
}

const char *p11_key_label(const struct p11_key *k)
{
	return k->label;
}

const uint8_t *p11_key_id(const struct p11_key *k, size_t *len)
{
	*len = k->id_len;
	return k->id;
}

const char *p11_key_uri(const struct p11_key *k)
{
	return k->uri;
}

int p11_key_attrs(const struct p11_key *k, struct p11_key_attrs *out)
{
	CK_OBJECT_HANDLE o = k->priv;

	memset(out, 0, sizeof(*out));
	if (o == CK_INVALID_HANDLE)
		return ce_err_set(CE_ERR_STATE, "key '%s' has no private object", k->label);
	out->token = p11_attr_bool(k->s, o, CKA_TOKEN);
	out->private_ = p11_attr_bool(k->s, o, CKA_PRIVATE);
	out->sensitive = p11_attr_bool(k->s, o, CKA_SENSITIVE);
	out->extractable = p11_attr_bool(k->s, o, CKA_EXTRACTABLE);
	out->always_sensitive = p11_attr_bool(k->s, o, CKA_ALWAYS_SENSITIVE);
	out->never_extractable = p11_attr_bool(k->s, o, CKA_NEVER_EXTRACTABLE);
	out->sign = p11_attr_bool(k->s, o, CKA_SIGN);
	out->decrypt = p11_attr_bool(k->s, o, CKA_DECRYPT);
	out->wrap = p11_attr_bool(k->s, o, CKA_WRAP);
	out->unwrap = p11_attr_bool(k->s, o, CKA_UNWRAP);
	return 0;
}
