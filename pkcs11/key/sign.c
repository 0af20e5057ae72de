/* SPDX-License-Identifier: Apache-2.0 */
/* Signing on the token, then verifying in software before anything is
 * returned: a token that answers success with a wrong signature is caught. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		    (p11_key_type_is_rsa(k->type) &&
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

int p11_digestinfo(enum p11_hash hash, const uint8_t *dig, size_t dig_len, uint8_t *out,
		   size_t cap, size_t *out_len)
{
	const uint8_t *di = hash == P11_HASH_SHA256 ? DI_SHA256
			    : hash == P11_HASH_SHA384 ? DI_SHA384
			    : hash == P11_HASH_SHA512 ? DI_SHA512 : NULL;
	size_t want = hash == P11_HASH_SHA256 ? 32 : hash == P11_HASH_SHA384 ? 48 : 64;

	_Static_assert(sizeof(DI_SHA256) == sizeof(DI_SHA384) &&
		       sizeof(DI_SHA384) == sizeof(DI_SHA512), "one DigestInfo prefix length");
	*out_len = 0;
	if (di == NULL || dig_len != want)
		return ce_err_set(CE_ERR_INVALID, "DigestInfo: a %zu-byte digest for hash %d",
				  dig_len, (int)hash);
	if (cap < sizeof(DI_SHA256) + dig_len)
		return ce_err_set(CE_ERR_TOO_LARGE, "DigestInfo: %zu-byte buffer", cap);
	memcpy(out, di, sizeof(DI_SHA256));
	memcpy(out + sizeof(DI_SHA256), dig, dig_len);
	*out_len = sizeof(DI_SHA256) + dig_len;
	return 0;
}

/* The hash-and-sign mechanism for (key type, hash), 0 for none (Ed25519). */
static CK_MECHANISM_TYPE combined_mech(enum p11_key_type t, enum p11_hash hash)
{
	if (p11_key_type_is_rsa(t))
		return hash == P11_HASH_SHA256 ? CKM_SHA256_RSA_PKCS
		       : hash == P11_HASH_SHA384 ? CKM_SHA384_RSA_PKCS : CKM_SHA512_RSA_PKCS;
	if (p11_key_type_is_ec(t))
		return hash == P11_HASH_SHA256 ? CKM_ECDSA_SHA256
		       : hash == P11_HASH_SHA384 ? CKM_ECDSA_SHA384 : CKM_ECDSA_SHA512;
	return 0;
}

/* The mechanism over a locally computed digest (CKM_RSA_PKCS over the
 * DigestInfo, CKM_ECDSA over the digest), or the message itself (CKM_EDDSA). */
static CK_MECHANISM_TYPE raw_mech(enum p11_key_type t)
{
	if (p11_key_type_is_rsa(t))
		return CKM_RSA_PKCS;
	if (p11_key_type_is_ec(t))
		return CKM_ECDSA;
	return CKM_EDDSA;
}

/* The choice, given what the token has: RSA: its own hash-and-sign first;
 * ECDSA: the raw mechanism first, as nearly every token has it. label names
 * the key in the refusal (NULL: a key of type t to come). */
static int mech_choose(struct p11_token *tok, enum p11_key_type t, enum p11_hash hash,
		       int has_combined, int has_raw, const char *label, unsigned long *mech)
{
	CK_MECHANISM_TYPE c = combined_mech(t, hash), raw = raw_mech(t);
	char cb[32], rb[32], who[192];

	*mech = 0;
	if (p11_key_type_is_rsa(t))
		*mech = has_combined ? c : has_raw ? raw : 0;
	else
		*mech = has_raw ? raw : (c != 0 && has_combined) ? c : 0;
	if (*mech != 0)
		return 0;
	if (label != NULL)
		snprintf(who, sizeof(who), "key '%s' (%s)", label, p11_key_type_name(t));
	else
		snprintf(who, sizeof(who), "a %s key", p11_key_type_name(t));
	if (c == 0)
		return ce_err_set(CE_ERR_UNSUPPORTED, "%s does not offer %s: %s cannot sign",
				  p11_token_what(tok), p11_mech_name(raw, rb, sizeof(rb)), who);
	return ce_err_set(CE_ERR_UNSUPPORTED, "%s offers neither %s nor %s: %s cannot sign",
			  p11_token_what(tok), p11_mech_name(c, cb, sizeof(cb)),
			  p11_mech_name(raw, rb, sizeof(rb)), who);
}

int p11_key_sign_mech(const struct p11_key *k, enum p11_hash hash, unsigned long *mech)
{
	unsigned bit = hash == P11_HASH_SHA256 ? 1u : hash == P11_HASH_SHA384 ? 2u : 4u;
	CK_MECHANISM_TYPE c = combined_mech(k->type, hash);
	/* looked up at load for RSA and the raw one (signing is the hot path) */
	int has_c = p11_key_type_is_rsa(k->type) ? (k->rsa_hash_sign & bit) != 0
		    : c != 0 && !k->raw_sign && p11_token_has_mech(k->s->tok, c, P11_MECH_SIGN);

	return mech_choose(k->s->tok, k->type, hash, has_c, k->raw_sign, k->label, mech);
}

int p11_token_sign_mech(struct p11_token *tok, enum p11_key_type t, enum p11_hash hash,
			unsigned long *mech)
{
	CK_MECHANISM_TYPE c = combined_mech(t, hash);

	return mech_choose(tok, t, hash, c != 0 && p11_token_has_mech(tok, c, P11_MECH_SIGN),
			   p11_token_has_mech(tok, raw_mech(t), P11_MECH_SIGN), NULL, mech);
}

int p11_key_sign_combined(const struct p11_key *k, enum p11_hash hash)
{
	unsigned long m;
	int r = p11_key_sign_mech(k, hash, &m);

	if (r < 0)
		return r;
	return m != CKM_RSA_PKCS;
}

/* Sign with the mechanism p11_key_sign_mech chose: hash-and-sign over msg,
 * CKM_RSA_PKCS over the DigestInfo of dig, CKM_ECDSA over dig, CKM_EDDSA
 * over msg. */
static int mech_sign(const struct p11_key *k, enum p11_hash hash, const uint8_t *msg,
		     size_t msg_len, const uint8_t *dig, size_t dig_len, uint8_t *sig,
		     size_t *sig_len)
{
	uint8_t in[sizeof(DI_SHA256) + EVP_MAX_MD_SIZE];
	unsigned long m;
	size_t in_len = 0;
	int r;

	r = p11_key_sign_mech(k, hash, &m);
	if (r < 0)
		return r;
	if (m == CKM_RSA_PKCS) {
		/* No hash-and-sign: build the DigestInfo ourselves. */
		r = p11_digestinfo(hash, dig, dig_len, in, sizeof(in), &in_len);
		if (r < 0)
			return r;
		return raw_sign(k, m, in, in_len, sig, sig_len);
	}
	if (m == CKM_ECDSA)
		return raw_sign(k, m, dig, dig_len, sig, sig_len);
	return raw_sign(k, m, msg, msg_len, sig, sig_len);
}

/* The signature in its final encoding (heap): DER for ECDSA, as made for
 * RSA and Ed25519. */
static int sig_encode(const struct p11_key *k, const uint8_t *raw, size_t raw_len,
		      uint8_t **out, size_t *out_len)
{
	*out = NULL;
	if (p11_key_type_is_ec(k->type))
		return ecdsa_raw_to_der(raw, raw_len, out, out_len);
	*out = malloc(raw_len);
	if (*out == NULL)
		return ce_err_set(CE_ERR_NOMEM, "out of memory");
	memcpy(*out, raw, raw_len);
	*out_len = raw_len;
	return 0;
}

int p11_key_sign(const struct p11_key *k, enum p11_hash hash, const uint8_t *msg, size_t msg_len,
		 uint8_t **sig, size_t *sig_len)
{
	int r = CE_ERR_INTERNAL;
	const EVP_MD *md = hash_md(hash);
	uint8_t raw[P11_SIG_MAX_BYTES];
	uint8_t dig[EVP_MAX_MD_SIZE];
	size_t raw_len = 0;
	unsigned int dlen = 0;
	uint8_t *out_sig = NULL;
	size_t out_len = 0;

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
	r = mech_sign(k, hash, msg, msg_len, dig, dlen, raw, &raw_len);
	if (r < 0)
		goto out;
	r = sig_encode(k, raw, raw_len, &out_sig, &out_len);
	if (r < 0)
		goto out;
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
