/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/run/seal_cms.c: a share sealed to an RSA and to an
 * EC P-256 certificate and opened again, the card's half done here in
 * software with the private key (RSA-OAEP decryption, ECDH); failing twins:
 * another certificate is not the recipient, a wrong ECDH secret does not
 * unwrap, a file that is no CMS or is cut short is refused, a key neither RSA
 * nor EC cannot be sealed to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/run/seal.h"
#include "common/err.h"
#include "common/secmem.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static const char mn[] = "academic acid acrobat romp chubby wolf exact";

static X509 *cert_for(EVP_PKEY *k)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(rand() & 0xffff) + 1), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
						    (const unsigned char *)"card", -1, -1, 0),
			 1);
	assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(x)), 1);
	assert_int_equal(X509_set_pubkey(x, k), 1);
	assert_true(X509_sign(x, k, EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519 ? NULL
										: EVP_sha256()) > 0);
	return x;
}

static struct seal_msg *sealed(X509 *x, char **pem, size_t *len)
{
	struct seal_msg *m = NULL;

	assert_int_equal(seal_make(x, mn, pem, len), 0);
	assert_non_null(strstr(*pem, "-----BEGIN CMS-----"));
	assert_int_equal(seal_parse("t.p7m", *pem, *len, &m), 0);
	return m;
}

static void opened(const struct seal_msg *m, const uint8_t *cek, size_t cek_len)
{
	char *out = NULL;

	assert_int_equal(seal_content_open(m, cek, cek_len, &out), 0);
	assert_string_equal(out, mn);
	secmem_free(out);
}

static void test_rsa(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048), *k2 = EVP_RSA_gen(2048);
	X509 *x = cert_for(k), *x2 = cert_for(k2);
	struct seal_msg *m;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
	const uint8_t *ek;
	uint8_t cek[512];
	size_t n = 0, cl = sizeof(cek), len = 0;
	char *pem = NULL;

	(void)state;
	m = sealed(x, &pem, &len);
	assert_int_equal(seal_msg_kind(m), SEAL_RSA_OAEP);
	assert_int_equal(seal_msg_oaep_sha256(m), 0);
	assert_true(seal_msg_is_for(m, x));
	assert_false(seal_msg_is_for(m, x2)); /* failing twin */
	ek = seal_msg_enckey(m, &n);
	assert_int_equal(n, 256);
	assert_int_equal(EVP_PKEY_decrypt_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING), 1);
	assert_int_equal(EVP_PKEY_decrypt(c, cek, &cl, ek, n), 1);
	assert_int_equal(cl, 32);
	opened(m, cek, cl);
	seal_msg_free(m);
	free(pem);
	EVP_PKEY_CTX_free(c);
	X509_free(x);
	X509_free(x2);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
}

/* Z = ECDH(k, the originator's point). */
static size_t ecdh(EVP_PKEY *k, const struct seal_msg *m, uint8_t *z, size_t cap)
{
	const uint8_t *pt;
	size_t n = 0, zl = cap;
	OSSL_PARAM p[3];
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL), *dc;

	pt = seal_msg_peer_point(m, &n);
	assert_int_equal(n, 65);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, n);
	p[2] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_PKEY_fromdata_init(fc), 1);
	assert_int_equal(EVP_PKEY_fromdata(fc, &peer, EVP_PKEY_PUBLIC_KEY, p), 1);
	dc = EVP_PKEY_CTX_new(k, NULL);
	assert_int_equal(EVP_PKEY_derive_init(dc), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(dc, peer), 1);
	assert_int_equal(EVP_PKEY_derive(dc, z, &zl), 1);
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_CTX_free(fc);
	EVP_PKEY_free(peer);
	return zl;
}

static void test_ec(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256"), *k2 = EVP_EC_gen("P-256");
	X509 *x = cert_for(k), *x2 = cert_for(k2);
	struct seal_msg *m;
	uint8_t z[66], *cek = NULL;
	size_t zl, cl = 0, len = 0;
	char *pem = NULL;

	(void)state;
	m = sealed(x, &pem, &len);
	assert_int_equal(seal_msg_kind(m), SEAL_ECDH);
	assert_true(seal_msg_is_for(m, x));
	assert_false(seal_msg_is_for(m, x2));
	zl = ecdh(k, m, z, sizeof(z));
	assert_int_equal(zl, 32);
	assert_int_equal(seal_ecdh_cek(m, z, zl, &cek, &cl), 0);
	opened(m, cek, cl);
	secmem_free(cek);
	/* failing twin: another card's Z does not unwrap the content key */
	zl = ecdh(k2, m, z, sizeof(z));
	cek = NULL;
	assert_int_equal(seal_ecdh_cek(m, z, zl, &cek, &cl), CE_ERR_VERIFY);
	assert_null(cek);
	seal_msg_free(m);
	free(pem);
	X509_free(x);
	X509_free(x2);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
}

static void test_refused(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256"), *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x = cert_for(k), *xe = cert_for(ed);
	struct seal_msg *m = NULL;
	char *pem = NULL, bad[] = "-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n";
	size_t len = 0;

	(void)state;
	assert_int_equal(seal_parse("bad.p7m", bad, strlen(bad), &m), CE_ERR_FORMAT);
	assert_null(m);
	assert_non_null(strstr(ce_err_detail(), "bad.p7m"));
	assert_int_equal(seal_make(x, mn, &pem, &len), 0);
	/* cut short: the last base64 lines gone */
	assert_int_equal(seal_parse("cut.p7m", pem, len / 2, &m), CE_ERR_FORMAT);
	free(pem);
	pem = NULL;
	assert_int_equal(seal_make(xe, mn, &pem, &len), CE_ERR_UNSUPPORTED);
	assert_null(pem);
	X509_free(x);
	X509_free(xe);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_ec),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
