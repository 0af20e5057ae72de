/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/seal_cms.c - ceremony/run/seal.h: sealing a share to a
 * certificate (OpenSSL CMS), and the software half of opening one: the
 * EnvelopedData walked for what OpenSSL's CMS API does not hand out (the
 * encrypted key, the encrypted content), the ECDH KDF and key unwrap, the
 * content decryption. Knows nothing of cards, consoles or the runner.
 */
#include "ceremony/run/seal.h"

#include "common/err.h"
#include "common/secmem.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h: PEM_read_bio_CMS */
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_UKM_MAX 64

struct seal_msg {
	CMS_ContentInfo *cms;
	CMS_RecipientInfo *ri; /* borrowed from cms */
	enum seal_kind kind;
	int oaep_sha256;
	uint8_t *der; /* the whole ContentInfo: the pointers below point into it */
	const uint8_t *enckey, *point, *iv, *ct;
	size_t enckey_len, point_len, iv_len, ct_len;
	const EVP_MD *kdf_md;
	const EVP_CIPHER *wrap;
	uint8_t shared_info[160]; /* ECC-CMS-SharedInfo, DER */
	size_t shared_info_len;
};

struct der {
	const unsigned char *p;
	long n;
};

/* The next TLV of d, which must have class cls and tag (tag < 0: any;
 * the class and tag found go to got_cls and got_tag when not NULL). Definite lengths only.
 * 0 or -1. */
static int der_next(struct der *d, int cls, int tag, struct der *in, int *got_cls, int *got_tag)
{
	const unsigned char *q = d->p;
	long len = 0;
	int t = 0, c = 0, ret;

	if (d->n <= 0)
		return -1;
	ret = ASN1_get_object(&q, &len, &t, &c, d->n);
	if ((ret & 0x80) || ret == 0x21)
		return -1;
	if (tag >= 0 && (t != tag || c != cls))
		return -1;
	in->p = q;
	in->n = len;
	d->n -= (long)(q - d->p) + len;
	d->p = q + len;
	if (got_cls != NULL)
		*got_cls = c;
	if (got_tag != NULL)
		*got_tag = t;
	return 0;
}

/* d's next TLV's class and tag, not taken. */
static int der_peek(const struct der *d, int *cls, int *tag)
{
	struct der copy = *d, in;

	return der_next(&copy, 0, -1, &in, cls, tag);
}

int seal_make(X509 *cert, const char *mnemonic, char **pem, size_t *pem_len)
{
	CMS_ContentInfo *cms = NULL;
	CMS_RecipientInfo *ri;
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	BIO *in = NULL, *out = NULL;
	BUF_MEM *bm = NULL;
	unsigned flags = CMS_BINARY | CMS_PARTIAL;
	int r = CE_ERR_INTERNAL, id;

	*pem = NULL;
	*pem_len = 0;
	id = pk != NULL ? EVP_PKEY_get_base_id(pk) : 0;
	if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC) {
		r = ce_err_set(CE_ERR_UNSUPPORTED, "the certificate's key is neither RSA nor EC: "
						   "nothing can be sealed to it");
		goto out;
	}
	in = BIO_new_mem_buf(mnemonic, (int)strlen(mnemonic));
	out = BIO_new(BIO_s_mem());
	cms = CMS_encrypt(NULL, NULL, EVP_aes_256_cbc(), flags);
	if (in == NULL || out == NULL || cms == NULL)
		goto crypto;
	ri = CMS_add1_recipient_cert(cms, cert, CMS_KEY_PARAM);
	if (ri == NULL || (pctx = CMS_RecipientInfo_get0_pkey_ctx(ri)) == NULL)
		goto crypto;
	if (id == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0)
		goto crypto;
	if (id == EVP_PKEY_EC && EVP_PKEY_CTX_set_ecdh_kdf_md(pctx, EVP_sha256()) <= 0)
		goto crypto;
	if (CMS_final(cms, in, NULL, flags) != 1 || PEM_write_bio_CMS(out, cms) != 1)
		goto crypto;
	BIO_get_mem_ptr(out, &bm);
	*pem = malloc(bm->length + 1);
	if (*pem == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*pem, bm->data, bm->length);
	(*pem)[bm->length] = '\0';
	*pem_len = bm->length;
	r = 0;
	goto out;
crypto:
	r = ce_err_set(CE_ERR_CRYPTO, "sealing to the certificate failed (OpenSSL CMS)");
out:
	CMS_ContentInfo_free(cms);
	if (in != NULL)
		BIO_free(in); /* its buffer is the caller's: nothing to wipe here */
	BIO_free(out);
	return r;
}

/* The KARI's algorithms and the SharedInfo (RFC 5753 7.2). */
static int parse_kari(struct seal_msg *m)
{
	X509_ALGOR *alg = NULL, *wrap = NULL;
	ASN1_OCTET_STRING *ukm = NULL;
	X509_ALGOR *pubalg = NULL;
	ASN1_BIT_STRING *pub = NULL;
	const ASN1_OBJECT *obj = NULL;
	const unsigned char *q;
	int nid, type = 0;
	size_t off = 0, wlen, ulen;
	const void *pval = NULL;

	if (CMS_RecipientInfo_kari_get0_alg(m->ri, &alg, &ukm) != 1 ||
	    CMS_RecipientInfo_kari_get0_orig_id(m->ri, &pubalg, &pub, NULL, NULL, NULL) != 1 ||
	    pub == NULL)
		return -1;
	m->point = ASN1_STRING_get0_data(pub);
	m->point_len = (size_t)ASN1_STRING_length(pub);
	X509_ALGOR_get0(&obj, &type, &pval, alg);
	nid = OBJ_obj2nid(obj);
	m->kdf_md = nid == NID_dhSinglePass_stdDH_sha256kdf_scheme   ? EVP_sha256()
		    : nid == NID_dhSinglePass_stdDH_sha384kdf_scheme ? EVP_sha384()
		    : nid == NID_dhSinglePass_stdDH_sha1kdf_scheme   ? EVP_sha1()
								     : NULL;
	if (m->kdf_md == NULL || type != V_ASN1_SEQUENCE)
		return -1;
	wlen = (size_t)ASN1_STRING_length(pval);
	q = ASN1_STRING_get0_data(pval);
	ulen = ukm != NULL ? (size_t)ASN1_STRING_length(ukm) : 0;
	if (wlen + ulen + 16 > sizeof(m->shared_info) || ulen > SEAL_UKM_MAX || wlen > 100)
		return -1;
	wrap = d2i_X509_ALGOR(NULL, &q, (long)wlen);
	if (wrap == NULL)
		return -1;
	X509_ALGOR_get0(&obj, NULL, NULL, wrap);
	nid = OBJ_obj2nid(obj);
	X509_ALGOR_free(wrap);
	m->wrap = nid == NID_id_aes256_wrap   ? EVP_aes_256_wrap()
		  : nid == NID_id_aes192_wrap ? EVP_aes_192_wrap()
		  : nid == NID_id_aes128_wrap ? EVP_aes_128_wrap()
					      : NULL;
	if (m->wrap == NULL)
		return -1;
	/* SEQUENCE { keyInfo, [0] ukm OPTIONAL, [2] key bits } */
	m->shared_info[off++] = 0x30;
	m->shared_info[off++] = (uint8_t)(wlen + (ulen ? ulen + 4 : 0) + 8);
	memcpy(m->shared_info + off, ASN1_STRING_get0_data(pval), wlen);
	off += wlen;
	if (ulen) {
		m->shared_info[off++] = 0xa0;
		m->shared_info[off++] = (uint8_t)(ulen + 2);
		m->shared_info[off++] = 0x04;
		m->shared_info[off++] = (uint8_t)ulen;
		memcpy(m->shared_info + off, ASN1_STRING_get0_data(ukm), ulen);
		off += ulen;
	}
	{
		unsigned bits = (unsigned)EVP_CIPHER_get_key_length(m->wrap) * 8u;
		const uint8_t tail[] = { 0xa2, 0x06, 0x04, 0x04, 0, 0, (uint8_t)(bits >> 8),
					 (uint8_t)bits };

		memcpy(m->shared_info + off, tail, sizeof(tail));
		off += sizeof(tail);
	}
	m->shared_info_len = off;
	return 0;
}

/* The RSA-OAEP parameters: SHA-1 or SHA-256, MGF1 with the same hash. */
static int parse_ktri(struct seal_msg *m)
{
	X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	RSA_OAEP_PARAMS *op = NULL;
	int type = 0, r = -1, h = NID_sha1;
	const void *pval = NULL;

	if (CMS_RecipientInfo_ktri_get0_algs(m->ri, NULL, NULL, &alg) != 1)
		return -1;
	X509_ALGOR_get0(&obj, &type, &pval, alg);
	if (OBJ_obj2nid(obj) != NID_rsaesOaep)
		return -1;
	if (type == V_ASN1_SEQUENCE) {
		op = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_OAEP_PARAMS), alg->parameter);
		if (op == NULL)
			return -1;
		if (op->hashFunc != NULL)
			h = OBJ_obj2nid(op->hashFunc->algorithm);
		if (op->pSourceFunc != NULL)
			goto out; /* a label: never written by us */
		if (op->maskHash != NULL) {
			X509_ALGOR_get0(&obj, NULL, NULL, op->maskHash);
			if (OBJ_obj2nid(obj) != h)
				goto out;
		} else if (h != NID_sha1) {
			goto out;
		}
	}
	if (h != NID_sha1 && h != NID_sha256)
		goto out;
	m->oaep_sha256 = h == NID_sha256;
	r = 0;
out:
	RSA_OAEP_PARAMS_free(op);
	return r;
}

/* The encrypted key of the one recipient, and the encrypted content. */
static int walk(struct seal_msg *m, long len)
{
	struct der top = { m->der, len }, ci, oid, ex, env, x, ris, ri, eci, alg, ivs, reks, rek;
	int cls = 0, tag = 0;
	X509_ALGOR *ca = NULL;
	const unsigned char *q;
	const ASN1_OBJECT *obj = NULL;
	int ok;

	if (der_next(&top, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &ci, NULL, NULL) < 0 ||
	    der_next(&ci, V_ASN1_UNIVERSAL, V_ASN1_OBJECT, &oid, NULL, NULL) < 0 ||
	    der_next(&ci, V_ASN1_CONTEXT_SPECIFIC, 0, &ex, NULL, NULL) < 0 ||
	    der_next(&ex, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &env, NULL, NULL) < 0 ||
	    der_next(&env, V_ASN1_UNIVERSAL, V_ASN1_INTEGER, &x, NULL, NULL) < 0 ||
	    der_peek(&env, &cls, &tag) < 0)
		return -1;
	if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0 &&
	    der_next(&env, V_ASN1_CONTEXT_SPECIFIC, 0, &x, NULL, NULL) < 0)
		return -1;
	if (der_next(&env, V_ASN1_UNIVERSAL, V_ASN1_SET, &ris, NULL, NULL) < 0 ||
	    der_next(&ris, 0, -1, &ri, &cls, &tag) < 0 || ris.n != 0)
		return -1;
	if (m->kind == SEAL_RSA_OAEP) {
		if (cls != V_ASN1_UNIVERSAL || tag != V_ASN1_SEQUENCE ||
		    der_next(&ri, V_ASN1_UNIVERSAL, V_ASN1_INTEGER, &x, NULL, NULL) < 0 ||
		    der_next(&ri, 0, -1, &x, NULL, NULL) < 0 ||
		    der_next(&ri, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &x, NULL, NULL) < 0 ||
		    der_next(&ri, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING, &x, NULL, NULL) < 0)
			return -1;
	} else {
		if (cls != V_ASN1_CONTEXT_SPECIFIC || tag != 1 ||
		    der_next(&ri, V_ASN1_UNIVERSAL, V_ASN1_INTEGER, &x, NULL, NULL) < 0 ||
		    der_next(&ri, V_ASN1_CONTEXT_SPECIFIC, 0, &x, NULL, NULL) < 0 ||
		    der_peek(&ri, &cls, &tag) < 0)
			return -1;
		if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 1 &&
		    der_next(&ri, V_ASN1_CONTEXT_SPECIFIC, 1, &x, NULL, NULL) < 0)
			return -1;
		if (der_next(&ri, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &x, NULL, NULL) < 0 ||
		    der_next(&ri, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &reks, NULL, NULL) < 0 ||
		    der_next(&reks, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &rek, NULL, NULL) < 0 ||
		    reks.n != 0 || der_next(&rek, 0, -1, &x, NULL, NULL) < 0 ||
		    der_next(&rek, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING, &x, NULL, NULL) < 0)
			return -1;
	}
	m->enckey = x.p;
	m->enckey_len = (size_t)x.n;
	if (der_next(&env, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &eci, NULL, NULL) < 0 ||
	    der_next(&eci, V_ASN1_UNIVERSAL, V_ASN1_OBJECT, &x, NULL, NULL) < 0)
		return -1;
	q = eci.p;
	if (der_next(&eci, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, &alg, NULL, NULL) < 0)
		return -1;
	ca = d2i_X509_ALGOR(NULL, &q, (long)(eci.p - q));
	if (ca == NULL)
		return -1;
	X509_ALGOR_get0(&obj, NULL, NULL, ca);
	ok = OBJ_obj2nid(obj) == NID_aes_256_cbc;
	X509_ALGOR_free(ca);
	if (!ok || der_next(&alg, V_ASN1_UNIVERSAL, V_ASN1_OBJECT, &x, NULL, NULL) < 0 ||
	    der_next(&alg, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING, &ivs, NULL, NULL) < 0 ||
	    ivs.n != 16 || der_next(&eci, V_ASN1_CONTEXT_SPECIFIC, 0, &x, NULL, NULL) < 0 ||
	    x.n <= 0 || x.n % 16 != 0)
		return -1;
	m->iv = ivs.p;
	m->iv_len = 16;
	m->ct = x.p;
	m->ct_len = (size_t)x.n;
	return 0;
}

int seal_parse(const char *path, const char *pem, size_t len, struct seal_msg **out)
{
	struct seal_msg *m = NULL;
	STACK_OF(CMS_RecipientInfo) *ris;
	BIO *b = NULL;
	unsigned char *p;
	int r = CE_ERR_INTERNAL, dlen, t;
	const char *why = "not a PEM CMS file";

	*out = NULL;
	m = calloc(1, sizeof(*m));
	b = BIO_new_mem_buf(pem, (int)len);
	if (m == NULL || b == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	m->cms = PEM_read_bio_CMS(b, NULL, NULL, NULL);
	if (m->cms == NULL)
		goto bad;
	why = "not CMS EnvelopedData";
	if (OBJ_obj2nid(CMS_get0_type(m->cms)) != NID_pkcs7_enveloped)
		goto bad;
	ris = CMS_get0_RecipientInfos(m->cms);
	why = "not sealed to exactly one recipient";
	if (ris == NULL || sk_CMS_RecipientInfo_num(ris) != 1)
		goto bad;
	m->ri = sk_CMS_RecipientInfo_value(ris, 0);
	t = CMS_RecipientInfo_type(m->ri);
	why = "an unsupported key transport or agreement (RSA-OAEP or ECDH with SHA-1/256/384 "
	      "KDF and AES key wrap expected)";
	if (t == CMS_RECIPINFO_TRANS) {
		m->kind = SEAL_RSA_OAEP;
		if (parse_ktri(m) < 0)
			goto bad;
	} else if (t == CMS_RECIPINFO_AGREE) {
		m->kind = SEAL_ECDH;
		if (parse_kari(m) < 0)
			goto bad;
	} else {
		goto bad;
	}
	dlen = i2d_CMS_ContentInfo(m->cms, NULL);
	why = "its structure cannot be read (AES-256-CBC content expected)";
	if (dlen <= 0 || (m->der = malloc((size_t)dlen)) == NULL)
		goto bad;
	p = m->der;
	if (i2d_CMS_ContentInfo(m->cms, &p) != dlen || walk(m, dlen) < 0)
		goto bad;
	*out = m;
	m = NULL;
	r = 0;
	goto out;
bad:
	r = ce_err_set(CE_ERR_FORMAT, "%s: %s", path, why);
out:
	BIO_free(b);
	seal_msg_free(m);
	return r;
}

void seal_msg_free(struct seal_msg *m)
{
	if (m == NULL)
		return;
	CMS_ContentInfo_free(m->cms);
	free(m->der);
	free(m);
}

int seal_msg_is_for(const struct seal_msg *m, X509 *cert)
{
	STACK_OF(CMS_RecipientEncryptedKey) *reks;

	if (m->kind == SEAL_RSA_OAEP)
		return CMS_RecipientInfo_ktri_cert_cmp(m->ri, cert) == 0;
	reks = CMS_RecipientInfo_kari_get0_reks(m->ri);
	return reks != NULL && sk_CMS_RecipientEncryptedKey_num(reks) == 1 &&
	       CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(reks, 0),
						  cert) == 0;
}

enum seal_kind seal_msg_kind(const struct seal_msg *m)
{
	return m->kind;
}

const uint8_t *seal_msg_enckey(const struct seal_msg *m, size_t *len)
{
	*len = m->enckey_len;
	return m->enckey;
}

int seal_msg_oaep_sha256(const struct seal_msg *m)
{
	return m->oaep_sha256;
}

const uint8_t *seal_msg_peer_point(const struct seal_msg *m, size_t *len)
{
	*len = m->point_len;
	return m->point;
}

int seal_ecdh_cek(const struct seal_msg *m, const uint8_t *z, size_t z_len, uint8_t **cek,
		  size_t *cek_len)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	EVP_CIPHER_CTX *c = NULL;
	OSSL_PARAM params[4];
	uint8_t *kek = NULL, *buf = NULL;
	size_t klen = (size_t)EVP_CIPHER_get_key_length(m->wrap);
	int r = CE_ERR_INTERNAL, n1 = 0, n2 = 0;

	*cek = NULL;
	*cek_len = 0;
	kek = secmem_alloc(klen);
	buf = secmem_alloc(m->enckey_len + 16);
	if (kek == NULL || buf == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL);
	kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)EVP_MD_get0_name(m->kdf_md), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, z_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						      (void *)m->shared_info, m->shared_info_len);
	params[3] = OSSL_PARAM_construct_end();
	if (kctx == NULL || EVP_KDF_derive(kctx, kek, klen, params) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "the X9.63 KDF failed");
		goto out;
	}
	c = EVP_CIPHER_CTX_new();
	if (c == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_DecryptInit_ex(c, m->wrap, NULL, kek, NULL) != 1 ||
	    EVP_DecryptUpdate(c, buf, &n1, m->enckey, (int)m->enckey_len) != 1 ||
	    EVP_DecryptFinal_ex(c, buf + n1, &n2) != 1 || n1 + n2 != 32) {
		r = ce_err_set(CE_ERR_VERIFY, "the content key does not unwrap (AES key wrap "
					      "integrity check failed)");
		goto out;
	}
	*cek = buf;
	*cek_len = 32;
	buf = NULL;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	secmem_free(kek);
	secmem_free(buf);
	return r;
}

int seal_content_open(const struct seal_msg *m, const uint8_t *cek, size_t cek_len, char **mn)
{
	EVP_CIPHER_CTX *c = NULL;
	char *buf = NULL;
	int r = CE_ERR_INTERNAL, n1 = 0, n2 = 0;

	*mn = NULL;
	buf = secmem_alloc(m->ct_len + 17);
	c = EVP_CIPHER_CTX_new();
	if (buf == NULL || c == NULL) {
		r = buf == NULL ? CE_ERR_MLOCK : ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (cek_len != 32 || EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), NULL, cek, m->iv) != 1 ||
	    EVP_DecryptUpdate(c, (unsigned char *)buf, &n1, m->ct, (int)m->ct_len) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)buf + n1, &n2) != 1) {
		r = ce_err_set(CE_ERR_VERIFY, "the sealed content does not decrypt (changed, or "
					      "sealed with another key)");
		goto out;
	}
	buf[n1 + n2] = '\0';
	if (strlen(buf) != (size_t)(n1 + n2)) {
		r = ce_err_set(CE_ERR_VERIFY, "the sealed content is not a share's words");
		goto out;
	}
	*mn = buf;
	buf = NULL;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	secmem_free(buf);
	return r;
}
