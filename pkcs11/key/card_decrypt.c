/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/key/card_decrypt.c - pkcs11/card_decrypt.h: RSA-OAEP decryption
 * and ECDH on the card (the card and its key are found by pkcs11/card.c).
 */
#include "pkcs11/card_decrypt.h"
#include "pkcs11/key/key_internal.h"

#include "common/err.h"
#include "common/secmem.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
