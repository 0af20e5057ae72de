/* SPDX-License-Identifier: Apache-2.0 */
/* Key handles: what a struct p11_key holds and how it is filled from the
 * objects on the token (key types are in keytype.c). */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

	if (p11_get_token_info(k->s->tok->mod, k->s->tok->slot, &ti) != CKR_OK)
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
	/* The mechanism over a digest computed here (docs/pkcs11.md "Signing"). */
	if (k->pkey != NULL)
		k->raw_sign = p11_token_has_mech(k->s->tok,
						 p11_key_type_is_rsa(k->type)  ? CKM_RSA_PKCS
						 : p11_key_type_is_ec(k->type) ? CKM_ECDSA
									       : CKM_EDDSA,
						 P11_MECH_SIGN);
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
