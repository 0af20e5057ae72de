/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/key/card_decrypt.c - pkcs11/card_decrypt.h: the card's key pair
 * found by a public key, RSA-OAEP decryption and ECDH on the card.
 */
#include "pkcs11/card_decrypt.h"
#include "pkcs11/key/key_internal.h"

#include "common/err.h"
#include "common/secmem.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the object with uri have want as its public key? Its id into id. */
static int card_obj_is(struct p11_session *s, const char *uri, EVP_PKEY *want, uint8_t *id,
		       size_t *id_len)
{
	struct p11_key *k = NULL;
	EVP_PKEY *pk = NULL;
	const uint8_t *kid;
	size_t n = 0;
	int r;

	r = p11_key_find(s, uri, &k);
	if (r < 0) {
		ce_err_clear();
		return 0;
	}
	r = 0;
	if (p11_key_public_evp(k, &pk) < 0) {
		ce_err_clear();
		goto out;
	}
	kid = p11_key_id(k, &n);
	if (EVP_PKEY_eq(pk, want) == 1 && n > 0 && n <= P11_CARD_ID_MAX) {
		memcpy(id, kid, n);
		*id_len = n;
		r = 1;
	}
out:
	EVP_PKEY_free(pk);
	p11_key_free(k);
	return r;
}

int p11_card_key_match(struct p11_session *s, struct evp_pkey_st *want,
		       uint8_t id[P11_CARD_ID_MAX], size_t *id_len)
{
	static const char *const kinds[] = { "pkcs11:type=public", "pkcs11:type=private" };
	struct p11_object *objs = NULL;
	size_t n = 0, i, k;
	int r = CE_ERR_INTERNAL, hit = 0;

	*id_len = 0;
	for (k = 0; k < 2 && !hit; k++) {
		r = p11_session_objects(s, kinds[k], &objs, &n);
		if (r < 0)
			return r;
		for (i = 0; i < n && !hit; i++)
			hit = card_obj_is(s, objs[i].uri, want, id, id_len);
		p11_objects_free(objs, n);
		objs = NULL;
	}
	if (!hit)
		return ce_err_set(CE_ERR_NOT_FOUND, "%s holds no key pair with the certificate's "
						    "public key",
				  p11_token_what(s->tok));
	return 0;
}

int p11_card_dec_key_open(struct p11_session *s, const uint8_t *id, size_t id_len,
			  struct p11_key **out)
{
	char uri[32 + 3 * P11_CARD_ID_MAX];
	size_t i, off;

	off = (size_t)snprintf(uri, sizeof(uri), "pkcs11:type=private;id=");
	for (i = 0; i < id_len && i < P11_CARD_ID_MAX; i++)
		off += (size_t)snprintf(uri + off, sizeof(uri) - off, "%%%02x", id[i]);
	return p11_key_find(s, uri, out);
}

static int card_fail(const struct p11_key *k, const char *fn, CK_RV rv)
{
	char what[256];

	snprintf(what, sizeof(what), "key '%s' on %s", k->label, p11_token_what(k->s->tok));
	return p11_rv_fail(rv, fn, what);
}

int p11_card_rsa_oaep_decrypt(const struct p11_key *k, enum p11_hash hash, const uint8_t *in,
			      size_t in_len, uint8_t **out, size_t *out_len)
{
	CK_FUNCTION_LIST *fl = k->s->tok->mod->fl;
	CK_RSA_PKCS_OAEP_PARAMS op;
	CK_MECHANISM mech;
	CK_ULONG len = 512;
	uint8_t *buf = NULL;
	CK_RV rv;
	int r = CE_ERR_INTERNAL;

	*out = NULL;
	*out_len = 0;
	if (!p11_key_type_is_rsa(k->type)) {
		r = ce_err_set(CE_ERR_INVALID, "key '%s' is not an RSA key", k->label);
		goto out;
	}
	memset(&op, 0, sizeof(op));
	op.hashAlg = hash == P11_HASH_SHA256 ? CKM_SHA256 : CKM_SHA_1;
	op.mgf = hash == P11_HASH_SHA256 ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1;
	op.source = CKZ_DATA_SPECIFIED;
	mech.mechanism = CKM_RSA_PKCS_OAEP;
	mech.pParameter = &op;
	mech.ulParameterLen = sizeof(op);
	buf = secmem_alloc(len);
	if (buf == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	rv = fl->C_DecryptInit(k->s->h, &mech, k->priv);
	if (rv != CKR_OK) {
		r = card_fail(k, "C_DecryptInit (CKM_RSA_PKCS_OAEP)", rv);
		goto out;
	}
	rv = fl->C_Decrypt(k->s->h, (CK_BYTE_PTR)in, (CK_ULONG)in_len, buf, &len);
	if (rv != CKR_OK) {
		r = card_fail(k, "C_Decrypt (CKM_RSA_PKCS_OAEP)", rv);
		goto out;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	r = 0;
out:
	secmem_free(buf);
	return r;
}

int p11_card_ecdh_derive(const struct p11_key *k, const uint8_t *point, size_t point_len,
			 uint8_t **z, size_t *z_len)
{
	CK_FUNCTION_LIST *fl = k->s->tok->mod->fl;
	CK_ECDH1_DERIVE_PARAMS ep;
	CK_MECHANISM mech;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG vlen;
	CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;
	CK_ATTRIBUTE val;
	uint8_t *buf = NULL;
	CK_RV rv;
	int r = CE_ERR_INTERNAL;

	*z = NULL;
	*z_len = 0;
	if (k->type != P11_KEY_EC_P256 && k->type != P11_KEY_EC_P384 &&
	    k->type != P11_KEY_EC_P521) {
		r = ce_err_set(CE_ERR_INVALID, "key '%s' is not an EC key", k->label);
		goto out;
	}
	vlen = k->type == P11_KEY_EC_P256 ? 32 : k->type == P11_KEY_EC_P384 ? 48 : 66;
	{
		CK_ATTRIBUTE tmpl[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_KEY_TYPE, &kt, sizeof(kt) },
			{ CKA_TOKEN, &no, sizeof(no) },
			{ CKA_SENSITIVE, &no, sizeof(no) },
			{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
			{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
		};

		memset(&ep, 0, sizeof(ep));
		ep.kdf = CKD_NULL;
		ep.pPublicData = (CK_BYTE_PTR)point;
		ep.ulPublicDataLen = (CK_ULONG)point_len;
		mech.mechanism = CKM_ECDH1_DERIVE;
		mech.pParameter = &ep;
		mech.ulParameterLen = sizeof(ep);
		rv = fl->C_DeriveKey(k->s->h, &mech, k->priv, tmpl, sizeof(tmpl) / sizeof(tmpl[0]),
				     &obj);
	}
	if (rv != CKR_OK) {
		r = card_fail(k, "C_DeriveKey (CKM_ECDH1_DERIVE)", rv);
		goto out;
	}
	buf = secmem_alloc(vlen);
	if (buf == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	val.type = CKA_VALUE;
	val.pValue = buf;
	val.ulValueLen = vlen;
	rv = fl->C_GetAttributeValue(k->s->h, obj, &val, 1);
	if (rv != CKR_OK || val.ulValueLen != vlen) {
		r = card_fail(k, "C_GetAttributeValue (CKA_VALUE of the ECDH secret)",
			      rv != CKR_OK ? rv : CKR_ATTRIBUTE_VALUE_INVALID);
		goto out;
	}
	*z = buf;
	*z_len = vlen;
	buf = NULL;
	r = 0;
out:
	if (obj != CK_INVALID_HANDLE)
		(void)fl->C_DestroyObject(k->s->h, obj);
	secmem_free(buf);
	return r;
}
