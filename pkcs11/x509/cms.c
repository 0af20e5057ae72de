/* SPDX-License-Identifier: Apache-2.0 */
/* CMS SignedData with a token key: through pkcs11-provider (CMS_sign), or,
 * when the token lacks hash-and-sign (p11_ossl_key_route), with the signed
 * attributes built here and their DER signed by p11_key_sign. The caller
 * verifies the result with the signer certificate in software. */
#include "pkcs11/x509/ossl.h"
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <limits.h>
#include <stdlib.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#define CMS_READ_CHUNK 65536

/* The digest of everything in (read to its end). */
static int content_digest(const EVP_MD *md, BIO *in, unsigned char *dig, unsigned int *dlen)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	unsigned char *buf = malloc(CMS_READ_CHUNK);
	int n;

	if (mc == NULL || buf == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestInit_ex(mc, md, NULL) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "digest of the content");
		goto out;
	}
	while ((n = BIO_read(in, buf, CMS_READ_CHUNK)) > 0)
		if (EVP_DigestUpdate(mc, buf, (size_t)n) != 1) {
			r = p11_ossl_err(CE_ERR_CRYPTO, "digest of the content");
			goto out;
		}
	if (n < 0 && !BIO_eof(in)) {
		r = ce_err_set(CE_ERR_IO, "reading the content to sign");
		goto out;
	}
	if (EVP_DigestFinal_ex(mc, dig, dlen) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "digest of the content");
		goto out;
	}
	r = 0;
out:
	free(buf);
	EVP_MD_CTX_free(mc);
	return r;
}

/* contentType, signingTime and messageDigest, as CMS_sign writes them. */
static int signed_attrs_add(CMS_SignerInfo *si, const unsigned char *dig, unsigned int dlen)
{
	int r = CE_ERR_INTERNAL;
	ASN1_TIME *now = X509_gmtime_adj(NULL, 0);

	if (now == NULL ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
					OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(now), now,
					-1) != 1 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, dig,
					(int)dlen) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "CMS signed attributes");
		goto out;
	}
	r = 0;
out:
	ASN1_TIME_free(now);
	return r;
}

/* The DER of the signed attributes as RFC 5652 5.4 signs them: a SET OF
 * (universal tag, DER order). */
static int signed_attrs_der(CMS_SignerInfo *si, unsigned char **der, int *len)
{
	int r = CE_ERR_INTERNAL;
	STACK_OF(X509_ATTRIBUTE) *st = sk_X509_ATTRIBUTE_new_null();
	int i, n = CMS_signed_get_attr_count(si);

	*der = NULL;
	if (st == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (sk_X509_ATTRIBUTE_push(st, CMS_signed_get_attr(si, i)) <= 0) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
	*len = ASN1_item_i2d((ASN1_VALUE *)st, der, ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
	if (*len <= 0) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "encoding the CMS signed attributes");
		goto out;
	}
	r = 0;
out:
	sk_X509_ATTRIBUTE_free(st); /* the attributes are the SignerInfo's */
	return r;
}

/* CMS_add1_signer with the public key: it checks the certificate against it
 * and writes the identifiers; the signature value is set here after. */
static int sign_direct(const struct p11_ossl_key *k, X509 *cert, BIO *in, CMS_ContentInfo **out)
{
	int r = CE_ERR_INTERNAL;
	OSSL_LIB_CTX *libctx = p11_ossl_libctx(k->ctx);
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	EVP_MD *md = NULL;
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	unsigned char *der = NULL;
	int der_len = 0;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	ASN1_OCTET_STRING *sv;

	if (k->md == NULL) {
		r = ce_err_set(CE_ERR_UNSUPPORTED, "%s: CMS signing through ceremony's PKCS#11 "
				"layer needs an RSA or ECDSA key", k->uri);
		goto out;
	}
	md = EVP_MD_fetch(libctx, k->md, "provider=default");
	cms = CMS_sign_ex(NULL, NULL, NULL, NULL, CMS_DETACHED | CMS_BINARY | CMS_PARTIAL, libctx,
			  NULL);
	if (md == NULL || cms == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: CMS set-up", k->uri);
		goto out;
	}
	si = CMS_add1_signer(cms, cert, k->pub, md, CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL);
	if (si == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: CMS signer", k->uri);
		goto out;
	}
	if ((r = content_digest(md, in, dig, &dlen)) < 0 ||
	    (r = signed_attrs_add(si, dig, dlen)) < 0 ||
	    (r = signed_attrs_der(si, &der, &der_len)) < 0)
		goto out;
	r = p11_key_sign(k->direct, p11_ossl_md_hash(k->md), der, (size_t)der_len, &sig, &sig_len);
	if (r < 0)
		goto out;
	sv = CMS_SignerInfo_get0_signature(si);
	if (sv == NULL || sig_len > INT_MAX || ASN1_STRING_set(sv, sig, (int)sig_len) != 1) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = cms;
	cms = NULL; /* transferred */
	r = 0;
out:
	free(sig);
	OPENSSL_free(der);
	EVP_MD_free(md);
	CMS_ContentInfo_free(cms);
	return r;
}

int p11_ossl_cms_sign(const struct p11_ossl_key *k, X509 *cert, BIO *in, CMS_ContentInfo **out)
{
	*out = NULL;
	ERR_clear_error();
	if (k->direct != NULL)
		return sign_direct(k, cert, in, out);
	*out = CMS_sign(cert, k->priv, NULL, in, CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP);
	if (*out == NULL)
		return p11_ossl_err(CE_ERR_CRYPTO, "%s: signing", k->uri);
	return 0;
}
