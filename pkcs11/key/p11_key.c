/* Keys: generation, lookup by URI, public key export, sign-then-verify,
 * AES wrapping keys, wrap/unwrap, destroy, listing. */
#include "pkcs11/p11_internal.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P11_ATTR_MAX_BYTES 8192  /* largest attribute value we accept from a token */
#define P11_FIND_MAX 4096        /* objects examined per search */
#define P11_SIG_MAX_BYTES 1024   /* RSA-4096 is 512 */
#define P11_CKA_NSS_DB 0xD5A0DB00UL /* NSS vendor attribute: public value of a private key */

static const uint8_t OID_P256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t OID_P521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t OID_ED25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
/* Some modules (older SoftHSM, NSS) name the curve as a PrintableString. */
static const uint8_t STR_ED25519[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9' };

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

static int is_rsa(enum p11_key_type t)
{
	return t == P11_KEY_RSA_2048 || t == P11_KEY_RSA_3072 || t == P11_KEY_RSA_4096;
}

static int is_ec(enum p11_key_type t)
{
	return t == P11_KEY_EC_P256 || t == P11_KEY_EC_P384 || t == P11_KEY_EC_P521;
}

static void ec_oid(enum p11_key_type t, const uint8_t **oid, size_t *len)
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

static CK_MECHANISM_TYPE keygen_mech(enum p11_key_type t)
{
	if (is_rsa(t))
		return CKM_RSA_PKCS_KEY_PAIR_GEN;
	if (is_ec(t))
		return CKM_EC_KEY_PAIR_GEN;
	if (t == P11_KEY_ED25519)
		return CKM_EC_EDWARDS_KEY_PAIR_GEN;
	return CKM_AES_KEY_GEN;
}

int p11_token_supports(struct p11_token *tok, enum p11_key_type t)
{
	CK_MECHANISM_TYPE m = keygen_mech(t);
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

/* ---- attributes ---------------------------------------------------- */

/* Read one attribute into fresh heap memory (at most P11_ATTR_MAX_BYTES). */
static int attr_get(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		    uint8_t **val, size_t *len)
{
	int r = CE_ERR_INTERNAL;
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;
	uint8_t *p = NULL;

	*val = NULL;
	*len = 0;
	rv = s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1);
	if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
		r = p11_rv_fail(rv == CKR_OK ? CKR_ATTRIBUTE_TYPE_INVALID : rv,
				"C_GetAttributeValue", p11_token_what(s->tok));
		goto out;
	}
	if (a.ulValueLen > P11_ATTR_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "attribute 0x%lx of an object on %s is %lu bytes "
						 "(over %u)", type, p11_token_what(s->tok),
			       a.ulValueLen, P11_ATTR_MAX_BYTES);
		goto out;
	}
	p = malloc(a.ulValueLen + 1);
	if (p == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	a.pValue = p;
	rv = s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetAttributeValue", p11_token_what(s->tok));
		goto out;
	}
	p[a.ulValueLen] = 0;
	*val = p;
	*len = a.ulValueLen;
	p = NULL; /* transferred */
	r = 0;
out:
	free(p);
	return r;
}

static int attr_bool(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = { type, &b, sizeof(b) };

	if (s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1) != CKR_OK)
		return 0;
	return b == CK_TRUE;
}

static int attr_ulong(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		      CK_ULONG *v)
{
	CK_ATTRIBUTE a = { type, v, sizeof(*v) };
	CK_RV rv = s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1);

	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_GetAttributeValue", p11_token_what(s->tok));
	return 0;
}

/* Find up to max objects matching tmpl; *n gets how many were found (the
 * search stops at max, so *n == max means "max or more"). */
static int objects_find(struct p11_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
			CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *n)
{
	CK_FUNCTION_LIST *fl = s->tok->mod->fl;
	CK_RV rv;

	*n = 0;
	rv = fl->C_FindObjectsInit(s->h, tmpl, ntmpl);
	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_FindObjectsInit", p11_token_what(s->tok));
	rv = fl->C_FindObjects(s->h, found, max, n);
	(void)fl->C_FindObjectsFinal(s->h);
	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_FindObjects", p11_token_what(s->tok));
	return 0;
}

/* ---- public keys --------------------------------------------------- */

static const char *curve_name(const uint8_t *params, size_t len, enum p11_key_type *t)
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
	    (len == sizeof(STR_ED25519) && memcmp(params, STR_ED25519, len) == 0)) {
		*t = P11_KEY_ED25519;
		return "ED25519";
	}
	return NULL;
}

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

	r = attr_ulong(k->s, o, CKA_KEY_TYPE, &kt);
	if (r < 0)
		goto out;
	if (kt == CKK_RSA) {
		r = attr_get(k->s, o, CKA_MODULUS, &a, &alen);
		if (r < 0)
			goto out;
		r = attr_get(k->s, o, CKA_PUBLIC_EXPONENT, &b, &blen);
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
		r = attr_get(k->s, o, CKA_EC_PARAMS, &a, &alen);
		if (r < 0)
			goto out;
		group = curve_name(a, alen, &t);
		if (group == NULL) {
			r = ce_err_set(CE_ERR_UNSUPPORTED, "key '%s' on %s: curve not supported (P-256, "
							   "P-384, P-521, Ed25519)", k->label,
				       p11_token_what(k->s->tok));
			goto out;
		}
		k->type = t;
		r = attr_get(k->s, o, CKA_EC_POINT, &b, &blen);
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

/* ---- key handles ----------------------------------------------------- */

static int uri_key_attrs(struct p11_key *k)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	CK_TOKEN_INFO ti;
	CK_OBJECT_CLASS cls = k->pkey != NULL ? CKO_PRIVATE_KEY : CKO_SECRET_KEY;
	CK_ATTRIBUTE attrs[3] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, k->label, strlen(k->label) },
		{ CKA_ID, k->id, k->id_len },
	};

	if (k->s->tok->mod->fl->C_GetTokenInfo(k->s->tok->slot, &ti) != CKR_OK)
		memset(&ti, ' ', sizeof(ti));
	u = p11_kit_uri_new();
	if (u == NULL || p11_kit_uri_set_attributes(u, attrs, k->id_len > 0 ? 3 : 2) !=
			      P11_KIT_URI_OK) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(p11_kit_uri_get_token_info(u), &ti, sizeof(ti));
	if (p11_kit_uri_format(u, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, &k->uri) != P11_KIT_URI_OK) {
		r = ce_err_set(CE_ERR_NOMEM, "cannot format the key's URI");
		goto out;
	}
	r = 0;
out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

/* Fill a key handle from its objects: label, id, public key, URI. */
static int key_complete(struct p11_key *k)
{
	int r = CE_ERR_INTERNAL;
	CK_OBJECT_HANDLE o = k->priv != CK_INVALID_HANDLE ? k->priv : k->pub;
	uint8_t *v = NULL;
	size_t len = 0;
	CK_ULONG cls = 0;

	if (attr_get(k->s, o, CKA_LABEL, &v, &len) == 0) {
		k->label = (char *)v;
		v = NULL;
	} else {
		k->label = strdup("");
	}
	if (attr_get(k->s, o, CKA_ID, &v, &len) == 0) {
		k->id = v;
		k->id_len = len;
		v = NULL;
	}
	ce_err_clear();
	if (k->label == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = attr_ulong(k->s, o, CKA_CLASS, &cls);
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
	if (is_rsa(k->type)) {
		k->rsa_hash_sign |= p11_token_has_mech(k->s->tok, CKM_SHA256_RSA_PKCS, P11_MECH_SIGN) ? 1u : 0u;
		k->rsa_hash_sign |= p11_token_has_mech(k->s->tok, CKM_SHA384_RSA_PKCS, P11_MECH_SIGN) ? 2u : 0u;
		k->rsa_hash_sign |= p11_token_has_mech(k->s->tok, CKM_SHA512_RSA_PKCS, P11_MECH_SIGN) ? 4u : 0u;
	}
	r = uri_key_attrs(k);
	if (r < 0)
		goto out;
	r = 0;
out:
	free(v);
	return r;
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
	out->token = attr_bool(k->s, o, CKA_TOKEN);
	out->private_ = attr_bool(k->s, o, CKA_PRIVATE);
	out->sensitive = attr_bool(k->s, o, CKA_SENSITIVE);
	out->extractable = attr_bool(k->s, o, CKA_EXTRACTABLE);
	out->always_sensitive = attr_bool(k->s, o, CKA_ALWAYS_SENSITIVE);
	out->never_extractable = attr_bool(k->s, o, CKA_NEVER_EXTRACTABLE);
	out->sign = attr_bool(k->s, o, CKA_SIGN);
	out->decrypt = attr_bool(k->s, o, CKA_DECRYPT);
	out->wrap = attr_bool(k->s, o, CKA_WRAP);
	out->unwrap = attr_bool(k->s, o, CKA_UNWRAP);
	return 0;
}

/* ---- public key export ---------------------------------------------- */

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

/* ---- generation ---------------------------------------------------- */

/* CE_ERR_EXISTS if any object on the token has this label or this id. */
static int label_id_unused(struct p11_session *s, const char *label, const uint8_t *id,
			   size_t id_len)
{
	int r = CE_ERR_INTERNAL;
	CK_ATTRIBUTE by_label = { CKA_LABEL, (void *)label, strlen(label) };
	CK_ATTRIBUTE by_id = { CKA_ID, (void *)id, id_len };
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;
	char hex[2 * P11_ID_MAX_BYTES + 1];

	r = objects_find(s, &by_label, 1, &h, 1, &n);
	if (r < 0)
		goto out;
	if (n > 0) {
		r = ce_err_set(CE_ERR_EXISTS, "an object labelled '%s' already exists on %s: "
					      "refused (labels name one key)", label,
			       p11_token_what(s->tok));
		goto out;
	}
	if (id_len > 0) {
		r = objects_find(s, &by_id, 1, &h, 1, &n);
		if (r < 0)
			goto out;
		if (n > 0) {
			hex_encode(id, id_len, hex);
			r = ce_err_set(CE_ERR_EXISTS, "an object with id %s already exists on %s: "
						      "refused", hex, p11_token_what(s->tok));
			goto out;
		}
	}
	r = 0;
out:
	return r;
}

static int check_label_id(const char *label, const uint8_t *id, size_t id_len)
{
	if (label == NULL || label[0] == '\0' || strlen(label) > P11_LABEL_MAX_BYTES)
		return ce_err_set(CE_ERR_INVALID, "key label must be 1..%d bytes",
				  P11_LABEL_MAX_BYTES);
	if (id == NULL || id_len == 0 || id_len > P11_ID_MAX_BYTES)
		return ce_err_set(CE_ERR_INVALID, "key id must be 1..%d bytes", P11_ID_MAX_BYTES);
	return 0;
}

static void destroy_quietly(struct p11_session *s, CK_OBJECT_HANDLE h)
{
	if (h != CK_INVALID_HANDLE)
		(void)s->tok->mod->fl->C_DestroyObject(s->h, h);
}

int p11_key_generate(struct p11_session *s, const struct p11_keygen *p, struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL extractable = p->extractable ? CK_TRUE : CK_FALSE;
	CK_ULONG bits = 0;
	CK_BYTE exponent[] = { 0x01, 0x00, 0x01 };
	const uint8_t *oid = NULL;
	size_t oid_len = 0, i;
	CK_MECHANISM mech = { 0, NULL, 0 };
	CK_ATTRIBUTE pub[8], priv[10];
	CK_ULONG npub = 0, npriv = 0;
	CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
	struct p11_key *k = NULL;
	CK_RV rv;
	char what[256];

	*out = NULL;
	if (p->type == P11_KEY_AES_256) {
		r = ce_err_set(CE_ERR_INVALID, "p11_key_generate makes key pairs; aes256 is not one");
		goto out;
	}
	r = check_label_id(p->label, p->id, p->id_len);
	if (r < 0)
		goto out;
	r = p11_token_supports(s->tok, p->type);
	if (r < 0)
		goto out;
	r = label_id_unused(s, p->label, p->id, p->id_len);
	if (r < 0)
		goto out;
	mech.mechanism = keygen_mech(p->type);
#define ADD(t, a, ty, v, l) ((t)[(a)++] = (CK_ATTRIBUTE){ (ty), (void *)(v), (CK_ULONG)(l) })
	ADD(pub, npub, CKA_TOKEN, &yes, sizeof(yes));
	ADD(pub, npub, CKA_PRIVATE, &no, sizeof(no));
	ADD(pub, npub, CKA_VERIFY, &yes, sizeof(yes));
	ADD(pub, npub, CKA_LABEL, p->label, strlen(p->label));
	ADD(pub, npub, CKA_ID, p->id, p->id_len);
	ADD(priv, npriv, CKA_TOKEN, &yes, sizeof(yes));
	ADD(priv, npriv, CKA_PRIVATE, &yes, sizeof(yes));
	ADD(priv, npriv, CKA_SENSITIVE, &yes, sizeof(yes));
	ADD(priv, npriv, CKA_EXTRACTABLE, &extractable, sizeof(extractable));
	ADD(priv, npriv, CKA_SIGN, &yes, sizeof(yes));
	ADD(priv, npriv, CKA_LABEL, p->label, strlen(p->label));
	ADD(priv, npriv, CKA_ID, p->id, p->id_len);
	if (is_rsa(p->type)) {
		for (i = 0; i < KEY_TYPES_N; i++)
			if (key_types[i].type == p->type)
				bits = key_types[i].bits;
		ADD(pub, npub, CKA_MODULUS_BITS, &bits, sizeof(bits));
		ADD(pub, npub, CKA_PUBLIC_EXPONENT, exponent, sizeof(exponent));
		ADD(priv, npriv, CKA_DECRYPT, &no, sizeof(no));
	} else {
		ec_oid(p->type, &oid, &oid_len);
		ADD(pub, npub, CKA_EC_PARAMS, oid, oid_len);
	}
	snprintf(what, sizeof(what), "%s key '%s' on %s", p11_key_type_name(p->type), p->label,
		 p11_token_what(s->tok));
	rv = s->tok->mod->fl->C_GenerateKeyPair(s->h, &mech, pub, npub, priv, npriv, &hpub, &hpriv);
	if (p->type == P11_KEY_ED25519 &&
	    (rv == CKR_ATTRIBUTE_VALUE_INVALID || rv == CKR_DOMAIN_PARAMS_INVALID ||
	     rv == CKR_CURVE_NOT_SUPPORTED)) {
		/* Some modules name the curve only as PrintableString "edwards25519". */
		for (i = 0; i < npub; i++)
			if (pub[i].type == CKA_EC_PARAMS) {
				pub[i].pValue = (void *)STR_ED25519;
				pub[i].ulValueLen = sizeof(STR_ED25519);
			}
		rv = s->tok->mod->fl->C_GenerateKeyPair(s->h, &mech, pub, npub, priv, npriv, &hpub,
							&hpriv);
	}
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GenerateKeyPair", what);
		hpub = hpriv = CK_INVALID_HANDLE;
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	k->s = s;
	k->priv = hpriv;
	k->pub = hpub;
	r = key_complete(k);
	if (r < 0)
		goto out;
	if (k->type != p->type) {
		r = ce_err_set(CE_ERR_STATE, "%s: the token made a %s key", what,
			       p11_key_type_name(k->type));
		goto out;
	}
	*out = k;
	k = NULL; /* transferred */
	r = 0;
out:
	if (r < 0) {
		/* Leave nothing half-made on the token. */
		destroy_quietly(s, hpriv);
		destroy_quietly(s, hpub);
	}
	p11_key_free(k);
	return r;
#undef ADD
}

/* ---- lookup by URI -------------------------------------------------- */

/* Parse a URI for objects on s's token: CE_ERR_INVALID if its token
 * attributes name another token. */
static int object_uri(struct p11_session *s, const char *uri, P11KitUri **out)
{
	int r = CE_ERR_INTERNAL;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	*out = NULL;
	r = p11_uri_parse(uri, P11_KIT_URI_FOR_ANY, out);
	if (r < 0)
		goto out;
	rv = s->tok->mod->fl->C_GetTokenInfo(s->tok->slot, &ti);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetTokenInfo", p11_token_what(s->tok));
		goto out;
	}
	if (!p11_kit_uri_match_token_info(*out, &ti)) {
		r = ce_err_set(CE_ERR_INVALID, "URI '%s' names another token than %s", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	r = 0;
out:
	if (r < 0 && *out != NULL) {
		p11_kit_uri_free(*out);
		*out = NULL;
	}
	return r;
}

/* Objects matching the URI's object attributes, with cls forced when != -1. */
static int uri_find(struct p11_session *s, P11KitUri *u, CK_OBJECT_CLASS cls, int force_cls,
		    CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *n)
{
	CK_ULONG na = 0, i, nt = 0;
	CK_ATTRIBUTE *attrs = p11_kit_uri_get_attributes(u, &na);
	CK_ATTRIBUTE tmpl[8];

	for (i = 0; i < na && nt < 7; i++) {
		if (force_cls && attrs[i].type == CKA_CLASS)
			continue;
		tmpl[nt++] = attrs[i];
	}
	if (force_cls)
		tmpl[nt++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	return objects_find(s, tmpl, nt, found, max, n);
}

static int uri_has_class(P11KitUri *u, CK_OBJECT_CLASS *cls)
{
	CK_ATTRIBUTE *a = p11_kit_uri_get_attribute(u, CKA_CLASS);

	if (a == NULL || a->ulValueLen != sizeof(CK_OBJECT_CLASS))
		return 0;
	memcpy(cls, a->pValue, sizeof(*cls));
	return 1;
}

int p11_key_find(struct p11_session *s, const char *uri, struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 0;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	struct p11_key *k = NULL;
	uint8_t *id = NULL;
	size_t id_len = 0;
	CK_OBJECT_CLASS pubcls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE pubt[2];

	*out = NULL;
	r = object_uri(s, uri, &u);
	if (r < 0)
		goto out;
	if (p11_kit_uri_get_attribute(u, CKA_LABEL) == NULL &&
	    p11_kit_uri_get_attribute(u, CKA_ID) == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "URI '%s' names no key: add object= or id=", uri);
		goto out;
	}
	if (uri_has_class(u, &cls)) {
		r = uri_find(s, u, cls, 0, found, 2, &n);
	} else {
		r = uri_find(s, u, CKO_PRIVATE_KEY, 1, found, 2, &n);
		if (r == 0 && n == 0) {
			cls = CKO_SECRET_KEY;
			r = uri_find(s, u, CKO_SECRET_KEY, 1, found, 2, &n);
		}
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no key matches '%s' on %s (logged in? see "
						 "`ceremony hsm objects`)", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	if (n > 1) {
		r = ce_err_set(CE_ERR_INVALID, "several keys match '%s' on %s: add id= or type=", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	k->s = s;
	k->priv = CK_INVALID_HANDLE;
	k->pub = CK_INVALID_HANDLE;
	if (cls == CKO_PUBLIC_KEY) {
		k->pub = found[0];
	} else {
		k->priv = found[0];
		if (cls == CKO_PRIVATE_KEY && attr_get(s, k->priv, CKA_ID, &id, &id_len) == 0 &&
		    id_len > 0) {
			pubt[0] = (CK_ATTRIBUTE){ CKA_CLASS, &pubcls, sizeof(pubcls) };
			pubt[1] = (CK_ATTRIBUTE){ CKA_ID, id, id_len };
			r = objects_find(s, pubt, 2, found, 2, &n);
			if (r < 0)
				goto out;
			if (n == 1)
				k->pub = found[0];
		} else if (cls == CKO_PRIVATE_KEY) {
			/* No id: pair the halves by label. */
			uint8_t *label = NULL;
			size_t label_len = 0;

			if (attr_get(s, k->priv, CKA_LABEL, &label, &label_len) == 0 && label_len > 0) {
				pubt[0] = (CK_ATTRIBUTE){ CKA_CLASS, &pubcls, sizeof(pubcls) };
				pubt[1] = (CK_ATTRIBUTE){ CKA_LABEL, label, label_len };
				if (objects_find(s, pubt, 2, found, 2, &n) == 0 && n == 1)
					k->pub = found[0];
			}
			free(label);
		}
		ce_err_clear();
	}
	r = key_complete(k);
	if (r < 0)
		goto out;
	*out = k;
	k = NULL; /* transferred */
	r = 0;
out:
	free(id);
	p11_key_free(k);
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

/* ---- signing -------------------------------------------------------- */

static const EVP_MD *hash_md(enum p11_hash h)
{
	switch (h) {
	case P11_HASH_SHA256:
		return EVP_sha256();
	case P11_HASH_SHA384:
		return EVP_sha384();
	case P11_HASH_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* DER DigestInfo prefixes (RFC 8017 9.2 note 1). */
static const uint8_t DI_SHA256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t DI_SHA384[] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				     0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
static const uint8_t DI_SHA512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				     0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };

/* Error detail for a failed signing call (built only on failure: signing is
 * the hot path). */
static int sign_fail(const struct p11_key *k, CK_MECHANISM_TYPE mt, const char *fn, CK_RV rv)
{
	char what[256];
	char mbuf[32];

	snprintf(what, sizeof(what), "key '%s' (%s) on %s", k->label,
		 p11_mech_name(mt, mbuf, sizeof(mbuf)), p11_token_what(k->s->tok));
	return p11_rv_fail(rv, fn, what);
}

static int raw_sign(const struct p11_key *k, CK_MECHANISM_TYPE mt, const uint8_t *in,
		    size_t in_len, uint8_t *sig, size_t *sig_len)
{
	CK_FUNCTION_LIST *fl = k->s->tok->mod->fl;
	CK_MECHANISM mech = { mt, NULL, 0 };
	CK_ULONG len;
	CK_RV rv;

	rv = fl->C_SignInit(k->s->h, &mech, k->priv);
	if (rv != CKR_OK)
		return sign_fail(k, mt, "C_SignInit", rv);
	/* One call with a buffer big enough for any key we support. */
	len = P11_SIG_MAX_BYTES;
	rv = fl->C_Sign(k->s->h, (CK_BYTE_PTR)in, (CK_ULONG)in_len, sig, &len);
	if (rv != CKR_OK)
		return sign_fail(k, mt, "C_Sign", rv);
	if (len > P11_SIG_MAX_BYTES)
		return ce_err_set(CE_ERR_TOO_LARGE, "C_Sign with key '%s': %lu-byte signature",
				  k->label, len);
	*sig_len = len;
	return 0;
}

static int ecdsa_raw_to_der(const uint8_t *raw, size_t len, uint8_t **der, size_t *der_len)
{
	int r = CE_ERR_INTERNAL;
	ECDSA_SIG *es = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *p = NULL;
	int n;

	*der = NULL;
	if (len == 0 || len % 2 != 0) {
		r = ce_err_set(CE_ERR_FORMAT, "ECDSA signature from the token has odd length %zu", len);
		goto out;
	}
	es = ECDSA_SIG_new();
	br = BN_bin2bn(raw, (int)(len / 2), NULL);
	bs = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if (es == NULL || br == NULL || bs == NULL || ECDSA_SIG_set0(es, br, bs) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "cannot encode the ECDSA signature");
		goto out;
	}
	br = bs = NULL; /* transferred */
	n = i2d_ECDSA_SIG(es, &p);
	if (n <= 0) {
		r = ce_err_set(CE_ERR_CRYPTO, "cannot encode the ECDSA signature");
		goto out;
	}
	*der = malloc((size_t)n);
	if (*der == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*der, p, (size_t)n);
	*der_len = (size_t)n;
	r = 0;
out:
	OPENSSL_free(p);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);
	return r;
}

/* Verify sig: Ed25519 over msg; RSA and ECDSA over the digest dig with the
 * key's cached verification context (set up once: signing is the hot path). */
static int verify_sig(const struct p11_key *k, const EVP_MD *md, const uint8_t *msg,
		      size_t msg_len, const uint8_t *dig, size_t dig_len, const uint8_t *sig,
		      size_t sig_len)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *mc = NULL;
	int ok;

	if (k->type == P11_KEY_ED25519) {
		mc = EVP_MD_CTX_new();
		if (mc == NULL || EVP_DigestVerifyInit(mc, NULL, NULL, NULL, k->pkey) != 1) {
			r = ce_err_set(CE_ERR_CRYPTO, "cannot set up verification for key '%s'",
				       k->label);
			goto out;
		}
		ok = EVP_DigestVerify(mc, sig, sig_len, msg, msg_len);
	} else {
		if (k->vctx == NULL ||
		    (is_rsa(k->type) &&
		     (EVP_PKEY_CTX_set_rsa_padding(k->vctx, RSA_PKCS1_PADDING) != 1 ||
		      EVP_PKEY_CTX_set_signature_md(k->vctx, md) != 1))) {
			r = ce_err_set(CE_ERR_CRYPTO, "cannot set up verification for key '%s'",
				       k->label);
			goto out;
		}
		ok = EVP_PKEY_verify(k->vctx, sig, sig_len, dig, dig_len);
	}
	if (ok != 1) {
		r = ce_err_set(CE_ERR_VERIFY, "the signature made by key '%s' on %s does not verify "
					      "against its public key: discarded", k->label,
			       p11_token_what(k->s->tok));
		goto out;
	}
	r = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(mc);
	return r;
}

int p11_key_sign(const struct p11_key *k, enum p11_hash hash, const uint8_t *msg, size_t msg_len,
		 uint8_t **sig, size_t *sig_len)
{
	int r = CE_ERR_INTERNAL;
	const EVP_MD *md = hash_md(hash);
	uint8_t raw[P11_SIG_MAX_BYTES];
	uint8_t in[64 + 19], dig[EVP_MAX_MD_SIZE];
	size_t raw_len = 0, in_len = 0;
	unsigned int dlen = 0;
	uint8_t *out_sig = NULL;
	size_t out_len = 0;
	CK_MECHANISM_TYPE hs = 0;
	const uint8_t *di = NULL;
	size_t di_len = 0;

	*sig = NULL;
	*sig_len = 0;
	if (k->priv == CK_INVALID_HANDLE || k->pkey == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "key '%s' is not a private key: cannot sign", k->label);
		goto out;
	}
	if ((k->type == P11_KEY_ED25519) != (md == NULL)) {
		r = ce_err_set(CE_ERR_INVALID, "key '%s' (%s): %s", k->label,
			       p11_key_type_name(k->type),
			       md == NULL ? "a hash is required" : "Ed25519 signs the message itself (no hash)");
		goto out;
	}
	if (md != NULL && EVP_Digest(msg, msg_len, dig, &dlen, md, NULL) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "digest failed");
		goto out;
	}
	if (is_rsa(k->type)) {
		hs = hash == P11_HASH_SHA256 ? CKM_SHA256_RSA_PKCS
		     : hash == P11_HASH_SHA384 ? CKM_SHA384_RSA_PKCS : CKM_SHA512_RSA_PKCS;
		if (k->rsa_hash_sign & (hash == P11_HASH_SHA256 ? 1u : hash == P11_HASH_SHA384 ? 2u : 4u)) {
			r = raw_sign(k, hs, msg, msg_len, raw, &raw_len);
		} else {
			/* No hash-and-sign: build the DigestInfo ourselves. */
			di = hash == P11_HASH_SHA256 ? DI_SHA256
			     : hash == P11_HASH_SHA384 ? DI_SHA384 : DI_SHA512;
			di_len = sizeof(DI_SHA256);
			memcpy(in, di, di_len);
			memcpy(in + di_len, dig, dlen);
			in_len = di_len + dlen;
			r = raw_sign(k, CKM_RSA_PKCS, in, in_len, raw, &raw_len);
		}
		if (r < 0)
			goto out;
		out_sig = malloc(raw_len);
		if (out_sig == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(out_sig, raw, raw_len);
		out_len = raw_len;
	} else if (is_ec(k->type)) {
		r = raw_sign(k, CKM_ECDSA, dig, dlen, raw, &raw_len);
		if (r < 0)
			goto out;
		r = ecdsa_raw_to_der(raw, raw_len, &out_sig, &out_len);
		if (r < 0)
			goto out;
	} else {
		r = raw_sign(k, CKM_EDDSA, msg, msg_len, raw, &raw_len);
		if (r < 0)
			goto out;
		out_sig = malloc(raw_len);
		if (out_sig == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(out_sig, raw, raw_len);
		out_len = raw_len;
	}
	/* Never trust an HSM result unchecked. */
	r = verify_sig(k, md, msg, msg_len, dig, dlen, out_sig, out_len);
	if (r < 0)
		goto out;
	*sig = out_sig;
	*sig_len = out_len;
	out_sig = NULL; /* transferred */
	r = 0;
out:
	free(out_sig);
	return r;
}

/* ---- AES wrapping keys, wrap, unwrap ---------------------------------- */

int p11_key_import_aes(struct p11_session *s, const uint8_t *key, size_t key_len,
		       struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static const char label[] = "ceremony-wrapping-key";
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_WRAP, &yes, sizeof(yes) },
		{ CKA_UNWRAP, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &no, sizeof(no) },
		{ CKA_DECRYPT, &no, sizeof(no) },
		{ CKA_LABEL, (void *)label, sizeof(label) - 1 },
		{ CKA_VALUE, (void *)key, (CK_ULONG)key_len },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	struct p11_key *k = NULL;
	CK_RV rv;

	*out = NULL;
	/* CKA_VALUE_LEN is not given: PKCS#11 forbids it in C_CreateObject for
	 * CKK_AES (the token derives it from CKA_VALUE). */
	if (key_len != 16 && key_len != 32) {
		r = ce_err_set(CE_ERR_INVALID,
			       "a wrapping key is 16 (AES-128) or 32 (AES-256) bytes, not %zu", key_len);
		goto out;
	}
	r = p11_token_supports(s->tok, P11_KEY_AES_256);
	if (r < 0)
		goto out;
	rv = s->tok->mod->fl->C_CreateObject(s->h, t, sizeof(t) / sizeof(t[0]), &h);
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
	k->label = strdup(label);
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
		destroy_quietly(s, h);
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
	if (!attr_bool(k->s, k->priv, CKA_EXTRACTABLE)) {
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

/* The raw public point (EC: uncompressed, Ed25519: 32 bytes). */
static int ec_public_raw(EVP_PKEY *pkey, enum p11_key_type t, uint8_t *out, size_t cap,
			 size_t *len)
{
	*len = cap;
	if (t == P11_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(pkey, out, len) != 1)
			return ce_err_set(CE_ERR_CRYPTO, "cannot read the Ed25519 public key");
		return 0;
	}
	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, out, cap, len) != 1)
		return ce_err_set(CE_ERR_CRYPTO, "cannot read the EC public point");
	return 0;
}

/* Create the public-key object for pkey on s with label and id. */
static int public_object_create(struct p11_session *s, EVP_PKEY *pkey, enum p11_key_type t,
				const char *label, const uint8_t *id, size_t id_len,
				CK_OBJECT_HANDLE *out)
{
	int r = CE_ERR_INTERNAL;
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = is_rsa(t) ? CKK_RSA : is_ec(t) ? CKK_EC : CKK_EC_EDWARDS;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE tmpl[10];
	CK_ULONG nt = 0;
	BIGNUM *bn = NULL, *be = NULL;
	uint8_t nbuf[512], ebuf[16], point[2 + 133];
	size_t nlen = 0, elen = 0, plen = 0, pt = 0;
	const uint8_t *oid;
	size_t oid_len;
	CK_RV rv;

	*out = CK_INVALID_HANDLE;
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof(kt) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_TOKEN, &yes, sizeof(yes) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_PRIVATE, &no, sizeof(no) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_VERIFY, &yes, sizeof(yes) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)label, strlen(label) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_ID, (void *)id, id_len };
	if (is_rsa(t)) {
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &bn) != 1 ||
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &be) != 1 ||
		    BN_num_bytes(bn) > (int)sizeof(nbuf) || BN_num_bytes(be) > (int)sizeof(ebuf)) {
			r = ce_err_set(CE_ERR_CRYPTO, "cannot read the RSA public key");
			goto out;
		}
		nlen = (size_t)BN_bn2bin(bn, nbuf);
		elen = (size_t)BN_bn2bin(be, ebuf);
		tmpl[nt++] = (CK_ATTRIBUTE){ CKA_MODULUS, nbuf, nlen };
		tmpl[nt++] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, ebuf, elen };
	} else {
		ec_oid(t, &oid, &oid_len);
		tmpl[nt++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)oid, oid_len };
		if (t == P11_KEY_ED25519) {
			plen = 32;
			if (EVP_PKEY_get_raw_public_key(pkey, point + 2, &plen) != 1 || plen != 32) {
				r = ce_err_set(CE_ERR_CRYPTO, "cannot read the Ed25519 public key");
				goto out;
			}
		} else if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point + 2,
							   sizeof(point) - 2, &plen) != 1) {
			r = ce_err_set(CE_ERR_CRYPTO, "cannot read the EC public point");
			goto out;
		}
		/* DER OCTET STRING around the point, as PKCS#11 specifies. */
		point[0] = 0x04;
		if (plen < 0x80) {
			point[1] = (uint8_t)plen;
			pt = 2 + plen;
			tmpl[nt++] = (CK_ATTRIBUTE){ CKA_EC_POINT, point, pt };
		} else {
			memmove(point + 3, point + 2, plen);
			point[1] = 0x81;
			point[2] = (uint8_t)plen;
			pt = 3 + plen;
			tmpl[nt++] = (CK_ATTRIBUTE){ CKA_EC_POINT, point, pt };
		}
	}
	rv = s->tok->mod->fl->C_CreateObject(s->h, tmpl, nt, out);
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

int p11_key_unwrap(struct p11_session *s, const struct p11_key *wk, const uint8_t *blob,
		   size_t blob_len, const struct p11_unwrap *p, struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	CK_MECHANISM mech = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL extractable = p->extractable ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE tmpl[12];
	CK_ULONG nt = 0;
	CK_OBJECT_HANDLE hpriv = CK_INVALID_HANDLE, hpub = CK_INVALID_HANDLE;
	uint8_t point[133];
	size_t point_len = 0;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	struct p11_key *k = NULL;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	static const uint8_t probe[] = "ceremony: restored key check";
	CK_RV rv;
	char what[256];

	*out = NULL;
	if (p->type == P11_KEY_AES_256 || p->public_pem == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "unwrap needs a key-pair type and the public key PEM");
		goto out;
	}
	r = check_label_id(p->label, p->id, p->id_len);
	if (r < 0)
		goto out;
	if (wk->type != P11_KEY_AES_256 || wk->s != s) {
		r = ce_err_set(CE_ERR_INVALID, "unwrap needs an AES wrapping key on the same session");
		goto out;
	}
	bio = BIO_new_mem_buf(p->public_pem, -1);
	if (bio == NULL || (pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL) {
		r = ce_err_set(CE_ERR_FORMAT, "the public key given for '%s' is not a PEM "
					      "SubjectPublicKeyInfo", p->label);
		goto out;
	}
	r = label_id_unused(s, p->label, p->id, p->id_len);
	if (r < 0)
		goto out;
	kt = is_rsa(p->type) ? CKK_RSA : is_ec(p->type) ? CKK_EC : CKK_EC_EDWARDS;
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof(kt) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_TOKEN, &yes, sizeof(yes) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_PRIVATE, &yes, sizeof(yes) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &yes, sizeof(yes) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, &extractable, sizeof(extractable) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_SIGN, &yes, sizeof(yes) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)p->label, strlen(p->label) };
	tmpl[nt++] = (CK_ATTRIBUTE){ CKA_ID, (void *)p->id, p->id_len };
	if (is_rsa(p->type))
		tmpl[nt++] = (CK_ATTRIBUTE){ CKA_DECRYPT, &no, sizeof(no) };
	snprintf(what, sizeof(what), "%s key '%s' on %s", p11_key_type_name(p->type), p->label,
		 p11_token_what(s->tok));
	rv = s->tok->mod->fl->C_UnwrapKey(s->h, &mech, wk->priv, (CK_BYTE_PTR)blob,
					  (CK_ULONG)blob_len, tmpl, nt, &hpriv);
	if (rv == CKR_TEMPLATE_INCOMPLETE && !is_rsa(p->type)) {
		/* NSS softokn keeps the public value beside a private EC key
		 * (CKA_NSS_DB) and wants it given when the PKCS#8 blob lacks it. */
		r = ec_public_raw(pkey, p->type, point, sizeof(point), &point_len);
		if (r < 0)
			goto out;
		tmpl[nt++] = (CK_ATTRIBUTE){ P11_CKA_NSS_DB, point, point_len };
		rv = s->tok->mod->fl->C_UnwrapKey(s->h, &mech, wk->priv, (CK_BYTE_PTR)blob,
						  (CK_ULONG)blob_len, tmpl, nt, &hpriv);
	}
	if (rv != CKR_OK) {
		hpriv = CK_INVALID_HANDLE;
		r = p11_rv_fail(rv, "C_UnwrapKey", what);
		goto out;
	}
	r = public_object_create(s, pkey, p->type, p->label, p->id, p->id_len, &hpub);
	if (r < 0)
		goto out;
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	k->s = s;
	k->priv = hpriv;
	k->pub = hpub;
	r = key_complete(k);
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
		destroy_quietly(s, hpriv);
		destroy_quietly(s, hpub);
	}
	free(sig);
	p11_key_free(k);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return r;
}

/* ---- destroy, list ------------------------------------------------- */

int p11_object_destroy(struct p11_session *s, const char *uri)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 0;
	CK_RV rv;
	char what[512];

	r = object_uri(s, uri, &u);
	if (r < 0)
		goto out;
	if (p11_kit_uri_get_attribute(u, CKA_LABEL) == NULL &&
	    p11_kit_uri_get_attribute(u, CKA_ID) == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "URI '%s' names no object: add object= or id=", uri);
		goto out;
	}
	r = uri_find(s, u, 0, 0, found, 2, &n);
	if (r < 0)
		goto out;
	if (n == 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no object matches '%s' on %s", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	if (n > 1) {
		r = ce_err_set(CE_ERR_INVALID, "several objects match '%s' on %s: nothing destroyed; "
					       "add type= or id=", uri, p11_token_what(s->tok));
		goto out;
	}
	snprintf(what, sizeof(what), "'%s' on %s", uri, p11_token_what(s->tok));
	rv = s->tok->mod->fl->C_DestroyObject(s->h, found[0]);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_DestroyObject", what);
		goto out;
	}
	r = 0;
out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

static const char *class_name(CK_ULONG c)
{
	switch (c) {
	case CKO_PUBLIC_KEY:
		return "public-key";
	case CKO_PRIVATE_KEY:
		return "private-key";
	case CKO_SECRET_KEY:
		return "secret-key";
	case CKO_CERTIFICATE:
		return "certificate";
	case CKO_DATA:
		return "data";
	default:
		return "other";
	}
}

static const char *key_type_name(CK_ULONG kt)
{
	switch (kt) {
	case CKK_RSA:
		return "RSA";
	case CKK_EC:
		return "EC";
	case CKK_EC_EDWARDS:
		return "EC_EDWARDS";
	case CKK_AES:
		return "AES";
	case CKK_GENERIC_SECRET:
		return "GENERIC";
	case CKK_DSA:
		return "DSA";
	default:
		return "other";
	}
}

static int object_describe(struct p11_session *s, CK_OBJECT_HANDLE h, const CK_TOKEN_INFO *ti,
			   struct p11_object *o)
{
	int r = CE_ERR_INTERNAL;
	CK_ULONG cls = 0, kt = 0;
	uint8_t *v = NULL;
	size_t len = 0;
	P11KitUri *u = NULL;
	CK_ATTRIBUTE attrs[3];
	CK_ULONG na = 0;
	enum p11_key_type t;

	if (attr_ulong(s, h, CKA_CLASS, &cls) < 0)
		cls = (CK_ULONG)-1;
	snprintf(o->cls, sizeof(o->cls), "%s", class_name(cls));
	if ((cls == CKO_PUBLIC_KEY || cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY) &&
	    attr_ulong(s, h, CKA_KEY_TYPE, &kt) == 0) {
		snprintf(o->key_type, sizeof(o->key_type), "%s", key_type_name(kt));
		if (kt == CKK_RSA && attr_get(s, h, CKA_MODULUS, &v, &len) == 0) {
			o->bits = (unsigned long)len * 8;
		} else if ((kt == CKK_EC || kt == CKK_EC_EDWARDS) &&
			   attr_get(s, h, CKA_EC_PARAMS, &v, &len) == 0 && curve_name(v, len, &t)) {
			o->bits = t == P11_KEY_EC_P256 ? 256 : t == P11_KEY_EC_P384 ? 384
							: t == P11_KEY_EC_P521 ? 521 : 255;
		} else if (kt == CKK_AES) {
			CK_ULONG vl = 0;
			if (attr_ulong(s, h, CKA_VALUE_LEN, &vl) == 0)
				o->bits = vl * 8;
		}
		free(v);
		v = NULL;
	}
	if (attr_get(s, h, CKA_LABEL, &v, &len) == 0) {
		o->label = (char *)v;
		v = NULL;
		attrs[na++] = (CK_ATTRIBUTE){ CKA_LABEL, o->label, len };
	} else {
		o->label = strdup("");
	}
	if (attr_get(s, h, CKA_ID, &v, &len) == 0 && len > 0) {
		o->id = v;
		o->id_len = len;
		v = NULL;
		attrs[na++] = (CK_ATTRIBUTE){ CKA_ID, o->id, len };
	}
	ce_err_clear();
	if (cls != (CK_ULONG)-1)
		attrs[na++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	u = p11_kit_uri_new();
	if (o->label == NULL || u == NULL || p11_kit_uri_set_attributes(u, attrs, na) != P11_KIT_URI_OK) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(p11_kit_uri_get_token_info(u), ti, sizeof(*ti));
	if (p11_kit_uri_format(u, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, &o->uri) != P11_KIT_URI_OK) {
		r = ce_err_set(CE_ERR_NOMEM, "cannot format an object URI");
		goto out;
	}
	r = 0;
out:
	free(v);
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

int p11_session_objects(struct p11_session *s, const char *uri, struct p11_object **out, size_t *n)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	CK_OBJECT_HANDLE *found = NULL;
	CK_ULONG count = 0, i;
	struct p11_object *objs = NULL;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	*out = NULL;
	*n = 0;
	found = calloc(P11_FIND_MAX, sizeof(*found));
	if (found == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (uri != NULL) {
		r = object_uri(s, uri, &u);
		if (r < 0)
			goto out;
		r = uri_find(s, u, 0, 0, found, P11_FIND_MAX, &count);
	} else {
		r = objects_find(s, NULL, 0, found, P11_FIND_MAX, &count);
	}
	if (r < 0)
		goto out;
	rv = s->tok->mod->fl->C_GetTokenInfo(s->tok->slot, &ti);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetTokenInfo", p11_token_what(s->tok));
		goto out;
	}
	objs = calloc(count + 1, sizeof(*objs));
	if (objs == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < count; i++) {
		*n = (size_t)i + 1;
		r = object_describe(s, found[i], &ti, &objs[i]);
		if (r < 0)
			goto out;
	}
	*out = objs;
	objs = NULL; /* transferred */
	r = 0;
out:
	if (objs != NULL) {
		p11_objects_free(objs, *n);
		*n = 0;
	}
	free(found);
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

void p11_objects_free(struct p11_object *objs, size_t n)
{
	size_t i;

	if (objs == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(objs[i].label);
		free(objs[i].id);
		free(objs[i].uri);
	}
	free(objs);
}
