/* SPDX-License-Identifier: Apache-2.0 */
/* Encodings: SHA-256 fingerprints of the DER, PEM files written through
 * common/outfile.h (never overwritten) and read back with a bound. */
#include "pkcs11/x509/x509_internal.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

static int der_of(enum x509_kind kind, const void *obj, unsigned char **der)
{
	switch (kind) {
	case X509_KIND_CERT:
		return i2d_X509((const X509 *)obj, der);
	case X509_KIND_CSR:
		return i2d_X509_REQ((const X509_REQ *)obj, der);
	case X509_KIND_CRL:
		return i2d_X509_CRL((const X509_CRL *)obj, der);
	}
	return -1;
}

int x509_fingerprint(enum x509_kind kind, const void *obj, char fpr[X509_FPR_HEX_BYTES])
{
	int r = CE_ERR_INTERNAL;
	unsigned char *der = NULL;
	unsigned char md[32];
	int len;

	len = der_of(kind, obj, &der);
	if (len <= 0 || EVP_Digest(der, (size_t)len, md, NULL, EVP_sha256(), NULL) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "fingerprint");
		goto out;
	}
	hex_encode(md, sizeof(md), fpr);
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

int x509_pem_write(const char *path, enum x509_kind kind, const void *obj,
		   char fpr[X509_FPR_HEX_BYTES], struct x509_pem_file *file)
{
	int r = CE_ERR_INTERNAL;
	BIO *mem = NULL;
	char *data = NULL;
	long len;
	int ok;

	mem = BIO_new(BIO_s_mem());
	if (mem == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	switch (kind) {
	case X509_KIND_CERT:
		ok = PEM_write_bio_X509(mem, (const X509 *)obj);
		break;
	case X509_KIND_CSR:
		ok = PEM_write_bio_X509_REQ(mem, (const X509_REQ *)obj);
		break;
	case X509_KIND_CRL:
		ok = PEM_write_bio_X509_CRL(mem, (const X509_CRL *)obj);
		break;
	default:
		ok = 0;
	}
	if (ok != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: PEM encoding", path);
		goto out;
	}
	if (fpr != NULL && (r = x509_fingerprint(kind, obj, fpr)) < 0)
		goto out;
	len = BIO_get_mem_data(mem, &data);
	if (len <= 0) {
		r = ce_err_set(CE_ERR_INTERNAL, "%s: empty PEM", path);
		goto out;
	}
	/* the hash of the bytes handed to the descriptor, taken before the
	 * file is linked into place: never a second read by name */
	if (file != NULL) {
		if (EVP_Digest(data, (size_t)len, file->sha256, NULL, EVP_sha256(), NULL) != 1) {
			r = p11_ossl_err(CE_ERR_CRYPTO, "%s: SHA-256", path);
			goto out;
		}
		file->size = (uint64_t)len;
	}
	r = outfile_write_all(path, 0644, data, (size_t)len);
	if (r < 0)
		goto out;
	r = 0;
out:
	BIO_free(mem);
	return r;
}

int x509_pem_read(const char *path, enum x509_kind kind, OSSL_LIB_CTX *libctx, void **out)
{
	int r = CE_ERR_INTERNAL;
	struct buf b;
	BIO *mem = NULL;
	void *obj = NULL;
	const char *what = kind == X509_KIND_CERT ? "CERTIFICATE"
			   : kind == X509_KIND_CSR ? "CERTIFICATE REQUEST" : "X509 CRL";

	*out = NULL;
	buf_init(&b, X509_PEM_MAX_BYTES);
	r = buf_read_file(&b, path, X509_PEM_MAX_BYTES);
	if (r < 0)
		goto out;
	mem = BIO_new_mem_buf(b.p, (int)b.len);
	if (mem == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	ERR_clear_error();
	switch (kind) {
	case X509_KIND_CERT:
		obj = X509_new_ex(libctx, X509_PROPQ);
		if (obj != NULL && PEM_read_bio_X509(mem, (X509 **)&obj, NULL, NULL) == NULL) {
			X509_free(obj);
			obj = NULL;
		}
		break;
	case X509_KIND_CSR:
		obj = X509_REQ_new_ex(libctx, X509_PROPQ);
		if (obj != NULL && PEM_read_bio_X509_REQ(mem, (X509_REQ **)&obj, NULL, NULL) == NULL) {
			X509_REQ_free(obj);
			obj = NULL;
		}
		break;
	case X509_KIND_CRL:
		obj = X509_CRL_new_ex(libctx, X509_PROPQ);
		if (obj != NULL && PEM_read_bio_X509_CRL(mem, (X509_CRL **)&obj, NULL, NULL) == NULL) {
			X509_CRL_free(obj);
			obj = NULL;
		}
		break;
	}
	if (obj == NULL) {
		r = p11_ossl_err(CE_ERR_FORMAT, "%s: no PEM %s", path, what);
		goto out;
	}
	*out = obj;
	r = 0;
out:
	BIO_free(mem);
	buf_free(&b);
	return r;
}
