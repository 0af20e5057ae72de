/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the co-signature writer (ceremony/transcript/cosign.h):
 * the SignerInfo added signs the same bytes as the transcript key's and
 * OpenSSL's own CMS_verify accepts every signer; wrong inputs are refused and
 * leave nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/cosign.h"
#include "ceremony/transcript/transcript.h"
#include "common/err.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

static const char content[] = "{\"seq\":0}\n{\"seq\":1}\n";

static EVP_PKEY *ec_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static X509 *self_cert(EVP_PKEY *k)
{
	X509 *x = NULL;

	assert_int_equal(transcript_signer_cert_create(k, "00112233445566778899aabbccddeeff", &x), 0);
	return x;
}

/* The transcript key's detached signature over content, as PEM. */
static char *transcript_sig(EVP_PKEY *k, X509 *x, size_t *len)
{
	BIO *in = BIO_new_mem_buf(content, (int)strlen(content)), *mem = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms = CMS_sign(x, k, NULL, in, CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP);
	char *p = NULL, *out;
	long pl;

	assert_non_null(cms);
	assert_int_equal(PEM_write_bio_CMS(mem, cms), 1);
	pl = BIO_get_mem_data(mem, &p);
	out = malloc((size_t)pl + 1); /* the BIO's bytes are not NUL-terminated */
	assert_non_null(out);
	memcpy(out, p, (size_t)pl);
	out[pl] = '\0';
	*len = (size_t)pl;
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(mem);
	return out;
}

/* CMS_verify of pem over data: 1 when every signer verifies. */
static int all_verify(const char *pem, size_t len, const char *data, int *nsigners)
{
	BIO *pb = BIO_new_mem_buf(pem, (int)len), *cb = BIO_new_mem_buf(data, (int)strlen(data));
	CMS_ContentInfo *cms = PEM_read_bio_CMS(pb, NULL, NULL, NULL);
	int ok;

	assert_non_null(cms);
	*nsigners = sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms));
	ok = CMS_verify(cms, NULL, NULL, cb, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY);
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	BIO_free(pb);
	BIO_free(cb);
	return ok;
}

static void test_cosign_two_cards(void **state)
{
	EVP_PKEY *t = ec_key(), *a = ec_key(), *b = ec_key();
	X509 *tx = self_cert(t), *ax = self_cert(a), *bx = self_cert(b);
	size_t l0, l1 = 0, l2 = 0;
	char *s0 = transcript_sig(t, tx, &l0), *s1 = NULL, *s2 = NULL;
	int n = 0;

	(void)state;
	assert_int_equal(transcript_cosign_add(s0, l0, a, ax, &s1, &l1), 0);
	assert_int_equal(transcript_cosign_add(s1, l1, b, bx, &s2, &l2), 0);
	assert_int_equal(all_verify(s2, l2, content, &n), 1);
	assert_int_equal(n, 3);
	assert_memory_equal(s2, "-----BEGIN CMS-----\n", 20);
	/* failing twin: other bytes do not verify under any signer */
	assert_int_equal(all_verify(s2, l2, "{\"seq\":0}\n", &n), 0);
	free(s0);
	free(s1);
	free(s2);
	X509_free(tx);
	X509_free(ax);
	X509_free(bx);
	EVP_PKEY_free(t);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void test_cosign_refusals(void **state)
{
	EVP_PKEY *t = ec_key(), *a = ec_key();
	X509 *tx = self_cert(t), *ax = self_cert(a);
	size_t l0, l1 = 0;
	char *s0 = transcript_sig(t, tx, &l0), *s1 = NULL;

	(void)state;
	/* a card certificate that is not the card's key */
	assert_int_equal(transcript_cosign_add(s0, l0, a, tx, &s1, &l1), CE_ERR_INVALID);
	assert_null(s1);
	/* not a signature */
	assert_int_equal(transcript_cosign_add("junk", 4, a, ax, &s1, &l1), CE_ERR_FORMAT);
	assert_null(s1);
	free(s0);
	X509_free(tx);
	X509_free(ax);
	EVP_PKEY_free(t);
	EVP_PKEY_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cosign_two_cards),
		cmocka_unit_test(test_cosign_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
