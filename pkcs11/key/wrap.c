/* SPDX-License-Identifier: Apache-2.0 */
/* Backup and restore: an AES wrapping key imported for the session, a
 * private key wrapped under it (CKM_AES_KEY_WRAP_PAD), and unwrapped onto a
 * token with its public-key object, checked by a test signature. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P11_WRAP_LABEL "ceremony-wrapping-key"

int p11_key_import_aes(struct p11_session *s, const uint8_t *key, size_t key_len,
		       struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	struct p11_attr_tmpl t;
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	struct p11_key *k = NULL;
	CK_RV rv;

	*out = NULL;
	if (key_len != 16 && key_len != 32) {
		r = ce_err_set(CE_ERR_INVALID,
			       "a wrapping key is 16 (AES-128) or 32 (AES-256) bytes, not %zu", key_len);
		goto out;
	}
	r = p11_token_supports(s->tok, P11_KEY_AES_256);
	if (r < 0)
		goto out;
	p11_attr_tmpl_init(&t);
	p11_attr_tmpl_wrapping_key(&t, P11_WRAP_LABEL, key, key_len);
	r = p11_attr_tmpl_check(&t);
	if (r < 0)
		goto out;
	rv = s->tok->mod->fl->C_CreateObject(s->h, t.a, t.n, &h);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_CreateObject (AES wrapping key)", p11_token_what(s->tok));
		h = CK_INVALID_HANDLE;
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	k->s = s;
	k->type = P11_KEY_AES_256;
	k->priv = h;
	k->pub = CK_INVALID_HANDLE;
	k->label = strdup(P11_WRAP_LABEL);
	if (k->label == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = k;
	k = NULL; /* transferred */
	h = CK_INVALID_HANDLE;
	r = 0;
out:
	if (r < 0)
		p11_keygen_destroy_quietly(s, h);
	p11_key_free(k);
	return r;
}

int p11_key_wrap(const struct p11_key *wk, const struct p11_key *k, uint8_t **blob,
		 size_t *blob_len)
{
	int r = CE_ERR_INTERNAL;
	CK_FUNCTION_LIST *fl = k->s->tok->mod->fl;
	CK_MECHANISM mech = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	CK_ULONG len = 0;
	uint8_t *b = NULL;
	CK_RV rv;
	char what[256];

	*blob = NULL;
	*blob_len = 0;
	snprintf(what, sizeof(what), "key '%s' on %s", k->label, p11_token_what(k->s->tok));
	if (wk->type != P11_KEY_AES_256 || wk->s != k->s || k->priv == CK_INVALID_HANDLE) {
		r = ce_err_set(CE_ERR_INVALID, "wrap %s: needs an AES wrapping key and a private key "
					       "on the same session", what);
		goto out;
	}
	if (!p11_attr_bool(k->s, k->priv, CKA_EXTRACTABLE)) {
		r = ce_err_set(CE_ERR_INVALID, "%s is not extractable: it was made without backup "
					       "and cannot be wrapped", what);
		goto out;
	}
	rv = fl->C_WrapKey(k->s->h, &mech, wk->priv, k->priv, NULL, &len);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_WrapKey", what);
		goto out;
	}
	if (len == 0 || len > 4 * P11_ATTR_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "C_WrapKey on %s: %lu-byte blob", what, len);
		goto out;
	}
	b = malloc(len);
	if (b == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	rv = fl->C_WrapKey(k->s->h, &mech, wk->priv, k->priv, b, &len);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_WrapKey", what);
		goto out;
	}
	*blob = b;
	*blob_len = len;
	b = NULL; /* transferred */
	r = 0;
out:
	free(b);
	return r;
}

/* Create the public-key object for pkey on s with label and id. */
static int public_object_create(struct p11_session *s, EVP_PKEY *pkey, enum p11_key_type t,
				const char *label, const uint8_t *id, size_t id_len,
				CK_OBJECT_HANDLE *out)
{
	int r = CE_ERR_INTERNAL;
	struct p11_attr_tmpl tmpl;
	BIGNUM *bn = NULL, *be = NULL;
	uint8_t nbuf[512], ebuf[16], point[3 + P11_EC_POINT_MAX_BYTES];
	size_t nlen = 0, elen = 0, plen = 0;
	const uint8_t *oid;
	size_t oid_len;
	CK_RV rv;

	*out = CK_INVALID_HANDLE;
	p11_attr_tmpl_init(&tmpl);
	p11_attr_tmpl_class(&tmpl, CKO_PUBLIC_KEY, p11_key_type_ckk(t));
	p11_attr_tmpl_public_key(&tmpl, label, id, id_len);
	if (p11_key_type_is_rsa(t)) {
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &bn) != 1 ||
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &be) != 1 ||
		    BN_num_bytes(bn) > (int)sizeof(nbuf) || BN_num_bytes(be) > (int)sizeof(ebuf)) {
			r = ce_err_set(CE_ERR_CRYPTO, "cannot read the RSA public key");
			goto out;
		}
		nlen = (size_t)BN_bn2bin(bn, nbuf);
		elen = (size_t)BN_bn2bin(be, ebuf);
		p11_attr_tmpl_add(&tmpl, CKA_MODULUS, nbuf, nlen);
		p11_attr_tmpl_add(&tmpl, CKA_PUBLIC_EXPONENT, ebuf, elen);
	} else {
		p11_key_type_oid(t, &oid, &oid_len);
		p11_attr_tmpl_add(&tmpl, CKA_EC_PARAMS, oid, oid_len);
		r = p11_pubkey_point_der(pkey, t, point, sizeof(point), &plen);
		if (r < 0)
			goto out;
		p11_attr_tmpl_add(&tmpl, CKA_EC_POINT, point, plen);
	}
	r = p11_attr_tmpl_check(&tmpl);
	if (r < 0)
		goto out;
	rv = s->tok->mod->fl->C_CreateObject(s->h, tmpl.a, tmpl.n, out);
	if (rv != CKR_OK) {
		*out = CK_INVALID_HANDLE;
		r = p11_rv_fail(rv, "C_CreateObject (public key)", p11_token_what(s->tok));
		goto out;
	}
	r = 0;
out:
	BN_free(bn);
	BN_free(be);
	return r;
}

/* The checks before anything is made: parameters, wrapping key, the public
 * key PEM (*pkey, caller frees), label and id unused. */
static int unwrap_check(struct p11_session *s, const struct p11_key *wk,
			const struct p11_unwrap *p, EVP_PKEY **pkey)
{
	int r = CE_ERR_INTERNAL;
	BIO *bio = NULL;

	*pkey = NULL;
	if (p->type == P11_KEY_AES_256 || p->public_pem == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "unwrap needs a key-pair type and the public key PEM");
		goto out;
	}
	r = p11_keygen_check_label_id(p->label, p->id, p->id_len);
	if (r < 0)
		goto out;
	if (wk->type != P11_KEY_AES_256 || wk->s != s) {
		r = ce_err_set(CE_ERR_INVALID, "unwrap needs an AES wrapping key on the same session");
		goto out;
	}
	bio = BIO_new_mem_buf(p->public_pem, -1);
	if (bio == NULL || (*pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL) {
		r = ce_err_set(CE_ERR_FORMAT, "the public key given for '%s' is not a PEM "
					      "SubjectPublicKeyInfo", p->label);
		goto out;
	}
	r = p11_keygen_label_id_unused(s, p->label, p->id, p->id_len);
	if (r < 0)
		goto out;
	r = 0;
out:
	BIO_free(bio);
	return r;
}

/* C_UnwrapKey of the private half with the attributes of a generated key. */
static int unwrap_private(struct p11_session *s, const struct p11_key *wk, const uint8_t *blob,
			  size_t blob_len, const struct p11_unwrap *p, EVP_PKEY *pkey,
			  const char *what, CK_OBJECT_HANDLE *hpriv)
{
	int r = CE_ERR_INTERNAL;
	CK_MECHANISM mech = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	CK_FUNCTION_LIST *fl = s->tok->mod->fl;
	struct p11_attr_tmpl t;
	uint8_t point[P11_EC_POINT_MAX_BYTES];
	size_t point_len = 0;
	CK_RV rv;

	*hpriv = CK_INVALID_HANDLE;
	p11_attr_tmpl_init(&t);
	p11_attr_tmpl_class(&t, CKO_PRIVATE_KEY, p11_key_type_ckk(p->type));
	p11_attr_tmpl_private_key(&t, p->type, p->label, p->id, p->id_len, p->extractable);
	r = p11_attr_tmpl_check(&t);
	if (r < 0)
		goto out;
	rv = fl->C_UnwrapKey(s->h, &mech, wk->priv, (CK_BYTE_PTR)blob, (CK_ULONG)blob_len, t.a,
			     t.n, hpriv);
	if (rv == CKR_TEMPLATE_INCOMPLETE && !p11_key_type_is_rsa(p->type)) {
		/* NSS softokn keeps the public value beside a private EC key
		 * (CKA_NSS_DB) and wants it given when the PKCS#8 blob lacks it. */
		r = p11_pubkey_point(pkey, p->type, point, sizeof(point), &point_len);
		if (r < 0)
			goto out;
		p11_attr_tmpl_add(&t, P11_CKA_NSS_DB, point, point_len);
		r = p11_attr_tmpl_check(&t);
		if (r < 0)
			goto out;
		rv = fl->C_UnwrapKey(s->h, &mech, wk->priv, (CK_BYTE_PTR)blob, (CK_ULONG)blob_len,
				     t.a, t.n, hpriv);
	}
	if (rv != CKR_OK) {
		*hpriv = CK_INVALID_HANDLE;
		r = p11_rv_fail(rv, "C_UnwrapKey", what);
		goto out;
	}
	r = 0;
out:
	return r;
}

int p11_key_unwrap(struct p11_session *s, const struct p11_key *wk, const uint8_t *blob,
		   size_t blob_len, const struct p11_unwrap *p, struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	CK_OBJECT_HANDLE hpriv = CK_INVALID_HANDLE, hpub = CK_INVALID_HANDLE;
	EVP_PKEY *pkey = NULL;
	struct p11_key *k = NULL;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	static const uint8_t probe[] = "ceremony: restored key check";
	char what[256];

	*out = NULL;
	r = unwrap_check(s, wk, p, &pkey);
	if (r < 0)
		goto out;
	p11_key_what(what, sizeof(what), s, p->type, p->label);
	r = unwrap_private(s, wk, blob, blob_len, p, pkey, what, &hpriv);
	if (r < 0)
		goto out;
	r = public_object_create(s, pkey, p->type, p->label, p->id, p->id_len, &hpub);
	if (r < 0)
		goto out;
	r = p11_key_from_handles(s, hpriv, hpub, &k);
	if (r < 0)
		goto out;
	if (k->type != p->type) {
		r = ce_err_set(CE_ERR_MISMATCH, "%s: the backup holds a %s key", what,
			       p11_key_type_name(k->type));
		goto out;
	}
	/* The restored private key must match the public key given. */
	r = p11_key_sign(k, k->type == P11_KEY_ED25519 ? P11_HASH_NONE : P11_HASH_SHA256, probe,
			 sizeof(probe) - 1, &sig, &sig_len);
	if (r < 0) {
		if (r == CE_ERR_VERIFY)
			ce_err_set(r, "%s: the restored private key does not match the public key "
				      "given: restore undone", what);
		goto out;
	}
	*out = k;
	k = NULL; /* transferred */
	r = 0;
out:
	if (r < 0) {
		p11_keygen_undo(s, hpriv, hpub);
	}
	free(sig);
	p11_key_free(k);
	EVP_PKEY_free(pkey);
	return r;
}
