/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/card_cms.c - p11_card_cms_cosign (pkcs11/card.h): one more
 * SignerInfo on a detached CMS SignedData, its signed attributes signed on
 * the card through p11_key_sign (CKM_RSA_PKCS over a DigestInfo or
 * CKM_ECDSA: what every card offers), as `openssl cms -resign` would.
 */
#include "pkcs11/card.h"
#include "common/err.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h: PEM_read_bio_CMS */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>

static int cms_fail(int code, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return ce_err_set(code, "card co-signature: %s%s%s", what, buf[0] ? ": " : "", buf);
}

/* The DER of the signed attributes as RFC 5652 5.4 signs them. */
static int attrs_der(CMS_SignerInfo *si, unsigned char **der, int *len)
{
	STACK_OF(X509_ATTRIBUTE) *st = sk_X509_ATTRIBUTE_new_null();
	int i, n = CMS_signed_get_attr_count(si), r = 0;

	*der = NULL;
	if (st == NULL)
		return ce_err_set(CE_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (sk_X509_ATTRIBUTE_push(st, CMS_signed_get_attr(si, i)) <= 0) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
	*len = ASN1_item_i2d((ASN1_VALUE *)st, der, ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
	if (*len <= 0)
		r = cms_fail(CE_ERR_CRYPTO, "encoding the signed attributes");
out:
	sk_X509_ATTRIBUTE_free(st); /* the attributes are the SignerInfo's */
	return r;
}

/* signingTime, then the attributes' DER signed on the card, set in si. */
static int si_sign(const struct p11_key *k, X509 *cert, CMS_SignerInfo *si)
{
	ASN1_TIME *now = X509_gmtime_adj(NULL, 0);
	unsigned char *der = NULL;
	int der_len = 0, r;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	ASN1_OCTET_STRING *sv, *mdv, *md = NULL;

	/* contentType, signingTime, messageDigest: the DER order of the SET (the
	 * order it is written in and verified from once read back) */
	mdv = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					  V_ASN1_OCTET_STRING);
	md = mdv != NULL ? ASN1_OCTET_STRING_dup(mdv) : NULL;
	if (now == NULL || md == NULL) {
		r = cms_fail(CE_ERR_CRYPTO, "no message digest to co-sign");
		goto out;
	}
	while (CMS_signed_get_attr_count(si) > 0)
		X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, 0));
	if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
					OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(now), now,
					-1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
					ASN1_STRING_get0_data(md), ASN1_STRING_length(md)) != 1) {
		r = cms_fail(CE_ERR_CRYPTO, "signed attributes");
		goto out;
	}
	r = attrs_der(si, &der, &der_len);
	if (r < 0)
		goto out;
	r = p11_card_sign(k, X509_get0_pubkey(cert), der, (size_t)der_len, &sig, &sig_len);
	if (r < 0)
		goto out;
	sv = CMS_SignerInfo_get0_signature(si);
	if (sv == NULL || sig_len > INT_MAX || ASN1_STRING_set(sv, sig, (int)sig_len) != 1) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (CMS_SignerInfo_verify(si) != 1) {
		r = cms_fail(CE_ERR_VERIFY, "the SignerInfo made does not verify");
		goto out;
	}
	r = 0;
out:
	free(sig);
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(md);
	ASN1_TIME_free(now);
	return r;
}

static int pem_out(CMS_ContentInfo *cms, char **out, size_t *out_len)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *p = NULL;
	long pl;
	int r = 0;

	if (mem == NULL || PEM_write_bio_CMS(mem, cms) != 1 || (pl = BIO_get_mem_data(mem, &p)) <= 0) {
		r = cms_fail(CE_ERR_CRYPTO, "encoding");
		goto out;
	}
	*out = malloc((size_t)pl + 1);
	if (*out == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*out, p, (size_t)pl);
	(*out)[pl] = '\0';
	*out_len = (size_t)pl;
out:
	BIO_free(mem);
	return r;
}

int p11_card_cms_cosign(const struct p11_key *k, X509 *cert, const char *pem, size_t pem_len,
			char **out, size_t *out_len)
{
	BIO *in = NULL;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	int r = CE_ERR_INTERNAL;

	*out = NULL;
	ERR_clear_error();
	if (pem_len > 1024 * 1024 || pem_len > INT_MAX) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "card co-signature: the signature file is too large");
		goto out;
	}
	in = BIO_new_mem_buf(pem, (int)pem_len);
	if (in == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	cms = PEM_read_bio_CMS(in, NULL, NULL, NULL);
	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_is_detached(cms) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_FORMAT, "card co-signature: not a detached CMS SignedData");
		goto out;
	}
	/* the certificate's public key: CMS_add1_signer checks it against the
	 * certificate and writes the identifiers; PARTIAL: no signing here;
	 * REUSE_DIGEST: messageDigest and contentType copied in */
	si = CMS_add1_signer(cms, cert, X509_get0_pubkey(cert), EVP_sha256(),
			     CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL | CMS_REUSE_DIGEST);
	if (si == NULL) {
		r = cms_fail(CE_ERR_INVALID, "adding the signer (the certificate, the key, or no "
					     "SHA-256 signer to take the digest from)");
		goto out;
	}
	r = si_sign(k, cert, si);
	if (r < 0)
		goto out;
	r = pem_out(cms, out, out_len);
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return r;
}
