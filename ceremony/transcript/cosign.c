/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/cosign.c - one more SignerInfo on the transcript's
 * signature (ceremony/transcript/cosign.h).
 */
#include "ceremony/transcript/cosign.h"
#include "common/err.h"

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h: PEM_read_bio_CMS */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

static int cosign_ossl_fail(const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return ce_err_set(CE_ERR_CRYPTO, "co-signature: %s failed%s%s", what, buf[0] ? ": " : "",
			  buf);
}

int transcript_cosign_add(const char *pem, size_t pem_len, EVP_PKEY *key, X509 *cert, char **out,
			  size_t *out_len)
{
	int r = CE_ERR_INTERNAL;
	BIO *in = NULL, *mem = NULL;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	char *p = NULL;
	long pl;

	*out = NULL;
	if (pem_len > 1024 * 1024 || X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_INVALID, "co-signature: the certificate is not for the key");
		goto out;
	}
	in = BIO_new_mem_buf(pem, (int)pem_len);
	mem = BIO_new(BIO_s_mem());
	if (in == NULL || mem == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "co-signature: out of memory");
		goto out;
	}
	cms = PEM_read_bio_CMS(in, NULL, NULL, NULL);
	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_is_detached(cms) != 1 || sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) < 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_FORMAT, "co-signature: the transcript signature is not a detached CMS SignedData");
		goto out;
	}
	/* CMS_REUSE_DIGEST: the message digest of the first signer, signed now */
	si = CMS_add1_signer(cms, cert, key, EVP_sha256(),
			     CMS_BINARY | CMS_NOSMIMECAP | CMS_REUSE_DIGEST);
	if (si == NULL) {
		r = cosign_ossl_fail("signing");
		goto out;
	}
	if (CMS_SignerInfo_verify(si) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "co-signature: the signature made does not verify");
		goto out;
	}
	if (PEM_write_bio_CMS(mem, cms) != 1 || (pl = BIO_get_mem_data(mem, &p)) <= 0) {
		r = cosign_ossl_fail("encoding");
		goto out;
	}
	*out = malloc((size_t)pl + 1);
	if (*out == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "co-signature: out of memory");
		goto out;
	}
	memcpy(*out, p, (size_t)pl);
	(*out)[pl] = '\0';
	*out_len = (size_t)pl;
	r = 0;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(mem);
	return r;
}
