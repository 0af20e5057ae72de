/* SPDX-License-Identifier: Apache-2.0 */
/* Public keys: rebuilt in OpenSSL from the token's attributes (never trusted
 * blindly: every signature is checked against them), exported as PEM and
 * fingerprinted, and written back as a CKA_EC_POINT. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdlib.h>
#include <string.h>

/* CKA_EC_POINT is a DER OCTET STRING around the point (the spec), but some
 * modules return the bare point: accept both, by the expected length. */
static int ec_point_unwrap(const uint8_t *v, size_t len, size_t raw_len, const uint8_t **pt,
			   size_t *pt_len)
{
	if (len == raw_len) {
		*pt = v;
		*pt_len = len;
		return 0;
	}
	if (len >= 2 && v[0] == 0x04 && v[1] < 0x80 && (size_t)v[1] + 2 == len && v[1] == raw_len) {
		*pt = v + 2;
		*pt_len = v[1];
		return 0;
	}
	if (len >= 3 && v[0] == 0x04 && v[1] == 0x81 && (size_t)v[2] + 3 == len &&
	    v[2] == raw_len) {
		*pt = v + 3;
		*pt_len = v[2];
		return 0;
	}
	return ce_err_set(CE_ERR_FORMAT, "CKA_EC_POINT of %zu bytes is neither a %zu-byte point "
					 "nor a DER OCTET STRING around one", len, raw_len);
}

static size_t ec_raw_len(enum p11_key_type t)
{
	switch (t) {
	case P11_KEY_EC_P256:
		return 65;
	case P11_KEY_EC_P384:
		return 97;
	case P11_KEY_EC_P521:
		return 133;
	case P11_KEY_ED25519:
		return 32;
	default:
		return 0;
	}
}

static int pkey_from_rsa(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
			 EVP_PKEY **out)
{
	int r = CE_ERR_INTERNAL;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;

	*out = NULL;
	bn = BN_bin2bn(n, (int)nlen, NULL);
	be = BN_bin2bn(e, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn == NULL || be == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "cannot build the RSA public key from the token's "
					      "modulus and exponent");
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return r;
}

static int pkey_from_ec(const char *group, const uint8_t *pt, size_t pt_len, EVP_PKEY **out)
{
	int r = CE_ERR_INTERNAL;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *pc = NULL;

	*out = NULL;
	if (strcmp(group, "ED25519") == 0) {
		*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pt, pt_len);
		if (*out == NULL) {
			r = ce_err_set(CE_ERR_CRYPTO, "cannot build the Ed25519 public key");
			goto out;
		}
		r = 0;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, pt_len);
	params[2] = OSSL_PARAM_construct_end();
	if ((pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "cannot build the %s public key from CKA_EC_POINT", group);
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_CTX_free(pc);
	return r;
}

/* Determine the key's type from its attributes and build k->pkey from the
 * public object (or, for RSA, the private object's public attributes). */
int p11_key_load_public(struct p11_key *k)
{
	int r = CE_ERR_INTERNAL;
	CK_OBJECT_HANDLE o = k->pub != CK_INVALID_HANDLE ? k->pub : k->priv;
	CK_ULONG kt = 0;
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0, pt_len = 0;
	const uint8_t *pt = NULL;
	const char *group;
	enum p11_key_type t = P11_KEY_EC_P256;

	r = p11_attr_ulong(k->s, o, CKA_KEY_TYPE, &kt);
	if (r < 0)
		goto out;
	if (kt == CKK_RSA) {
		r = p11_attr_get(k->s, o, CKA_MODULUS, &a, &alen);
		if (r < 0)
			goto out;
		r = p11_attr_get(k->s, o, CKA_PUBLIC_EXPONENT, &b, &blen);
		if (r < 0)
			goto out;
		while (alen > 0 && a[0] == 0) { /* some modules pad the modulus */
			memmove(a, a + 1, --alen);
		}
		if (alen == 256)
			k->type = P11_KEY_RSA_2048;
		else if (alen == 384)
			k->type = P11_KEY_RSA_3072;
		else if (alen == 512)
			k->type = P11_KEY_RSA_4096;
		else {
			r = ce_err_set(CE_ERR_UNSUPPORTED, "RSA key of %zu bits on %s: only 2048, "
							   "3072 and 4096 are supported", alen * 8,
				       p11_token_what(k->s->tok));
			goto out;
		}
		r = pkey_from_rsa(a, alen, b, blen, &k->pkey);
		if (r < 0)
			goto out;
	} else if (kt == CKK_EC || kt == CKK_EC_EDWARDS) {
		if (k->pub == CK_INVALID_HANDLE) {
			r = ce_err_set(CE_ERR_NOT_FOUND, "key '%s' on %s has no public-key object "
							 "(same id): cannot check its signatures",
				       k->label, p11_token_what(k->s->tok));
			goto out;
		}
		r = p11_attr_get(k->s, o, CKA_EC_PARAMS, &a, &alen);
		if (r < 0)
			goto out;
		group = p11_key_curve_name(a, alen, &t);
		if (group == NULL) {
			r = ce_err_set(CE_ERR_UNSUPPORTED, "key '%s' on %s: curve not supported (P-256, "
							   "P-384, P-521, Ed25519)", k->label,
				       p11_token_what(k->s->tok));
			goto out;
		}
		k->type = t;
		r = p11_attr_get(k->s, o, CKA_EC_POINT, &b, &blen);
		if (r < 0)
			goto out;
		r = ec_point_unwrap(b, blen, ec_raw_len(t), &pt, &pt_len);
		if (r < 0)
			goto out;
		r = pkey_from_ec(group, pt, pt_len, &k->pkey);
		if (r < 0)
			goto out;
	} else {
		r = ce_err_set(CE_ERR_UNSUPPORTED, "key '%s' on %s: key type 0x%lx not supported",
			       k->label, p11_token_what(k->s->tok), kt);
		goto out;
	}
	r = 0;
out:
	free(a);
	free(b);
	return r;
}

/* ---- export --------------------------------------------------------- */

int p11_key_public_evp(const struct p11_key *k, EVP_PKEY **out)
{
	*out = NULL;
	if (k->pkey == NULL)
		return ce_err_set(CE_ERR_INVALID, "key '%s' is a secret key: it has no public key",
				  k->label);
	if (EVP_PKEY_up_ref(k->pkey) != 1)
		return ce_err_set(CE_ERR_CRYPTO, "EVP_PKEY_up_ref failed");
	*out = k->pkey;
	return 0;
}

int p11_key_public_pem(const struct p11_key *k, char **pem)
{
	int r = CE_ERR_INTERNAL;
	BIO *bio = NULL;
	char *data = NULL;
	long len;

	*pem = NULL;
	if (k->pkey == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "key '%s' is a secret key: it has no public key",
			       k->label);
		goto out;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || PEM_write_bio_PUBKEY(bio, k->pkey) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "cannot write the public key of '%s' as PEM", k->label);
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	*pem = malloc((size_t)len + 1);
	if (*pem == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*pem, data, (size_t)len);
	(*pem)[len] = '\0';
	r = 0;
out:
	BIO_free(bio);
	return r;
}

int p11_key_public_fingerprint(const struct p11_key *k, uint8_t out[32])
{
	int r = CE_ERR_INTERNAL;
	unsigned char *der = NULL;
	int len;
	unsigned int mdlen = 0;

	if (k->pkey == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "key '%s' is a secret key: it has no public key",
			       k->label);
		goto out;
	}
	len = i2d_PUBKEY(k->pkey, &der);
	if (len <= 0 || EVP_Digest(der, (size_t)len, out, &mdlen, EVP_sha256(), NULL) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "cannot hash the public key of '%s'", k->label);
		goto out;
	}
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

/* ---- back to the token ------------------------------------------------ */

int p11_pubkey_point(EVP_PKEY *pkey, enum p11_key_type t, uint8_t *out, size_t cap,
		     size_t *len)
{
	*len = cap;
	if (t == P11_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(pkey, out, len) != 1 || *len != 32)
			return ce_err_set(CE_ERR_CRYPTO, "cannot read the Ed25519 public key");
		return 0;
	}
	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, out, cap, len) != 1)
		return ce_err_set(CE_ERR_CRYPTO, "cannot read the EC public point");
	return 0;
}

int p11_pubkey_point_der(EVP_PKEY *pkey, enum p11_key_type t, uint8_t *out, size_t cap,
			 size_t *len)
{
	int r = CE_ERR_INTERNAL;
	size_t plen = 0;

	*len = 0;
	if (cap < 3) {
		r = ce_err_set(CE_ERR_INTERNAL, "no room for a CKA_EC_POINT");
		goto out;
	}
	r = p11_pubkey_point(pkey, t, out + 3, cap - 3, &plen);
	if (r < 0)
		goto out;
	/* DER OCTET STRING around the point, as PKCS#11 specifies. */
	out[0] = 0x04;
	if (plen < 0x80) {
		out[1] = (uint8_t)plen;
		memmove(out + 2, out + 3, plen);
		*len = 2 + plen;
	} else {
		out[1] = 0x81;
		out[2] = (uint8_t)plen;
		*len = 3 + plen;
	}
	r = 0;
out:
	return r;
}
