/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/actions/backup.h: the key backup file (docs/backup-format.md)
 * round-trips, and every way a file can be wrong is refused before anything
 * reaches a token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/actions/backup.h"
#include "ceremony/transcript/transcript.h"
#include "common/err.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A P-256 public key and a 40-byte blob, as a backup would carry them. */
static int fixture(void **state)
{
	struct backup *b = calloc(1, sizeof(*b));
	EVP_PKEY *k = EVP_EC_gen("P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;
	size_t i;

	assert_non_null(b);
	assert_non_null(k);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, k), 1);
	n = BIO_get_mem_data(bio, &p);
	/* the BIO's bytes are not NUL-terminated: copy, then terminate */
	b->public_key_pem = malloc((size_t)n + 1);
	assert_non_null(b->public_key_pem);
	memcpy(b->public_key_pem, p, (size_t)n);
	b->public_key_pem[n] = '\0';
	assert_int_equal(transcript_spki_sha256(k, b->public_key_sha256), 0);
	b->key_type = P11_KEY_EC_P256;
	b->label = strdup("root-ca-2026");
	b->id[0] = 0x01;
	b->id_len = 1;
	b->wrap_secret_name = strdup("wrap-key");
	b->wrap_kind = strdup("aes-256");
	b->ceremony_id = strdup("e147ea3dd6de4e81403a57194afa13d6");
	b->created = strdup("2026-11-27T18:04:37Z");
	b->blob_len = 40;
	b->blob = malloc(b->blob_len);
	for (i = 0; i < b->blob_len; i++)
		b->blob[i] = (uint8_t)(i * 7 + 3);
	BIO_free(bio);
	EVP_PKEY_free(k);
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	backup_clear(*state);
	free(*state);
	return 0;
}

static char *encoded(const struct backup *b)
{
	char *doc = NULL;
	size_t len = 0;

	assert_int_equal(backup_encode(b, &doc, &len), 0);
	assert_int_equal(strlen(doc), len);
	return doc;
}

/* Replace the first occurrence of from by to in doc (a new string). */
static char *edited(const char *doc, const char *from, const char *to)
{
	const char *at = strstr(doc, from);
	size_t a, n;
	char *out;

	assert_non_null(at);
	a = (size_t)(at - doc);
	n = strlen(doc) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, doc, a);
	memcpy(out + a, to, strlen(to));
	strcpy(out + a + strlen(to), at + strlen(from));
	return out;
}

static int decode(const char *doc, struct backup *out)
{
	return backup_decode("t.wrapped", doc, strlen(doc), out);
}

static void test_round_trip(void **state)
{
	struct backup *b = *state, got;
	char *doc = encoded(b);

	assert_non_null(strstr(doc, "\"format\": \"ceremony-key-backup\""));
	assert_non_null(strstr(doc, "\"version\": 1"));
	assert_non_null(strstr(doc, "\"wrap_mechanism\": \"CKM_AES_KEY_WRAP_PAD\""));
	assert_int_equal(doc[strlen(doc) - 1], '\n');
	assert_int_equal(decode(doc, &got), 0);
	assert_int_equal(got.key_type, P11_KEY_EC_P256);
	assert_string_equal(got.label, "root-ca-2026");
	assert_int_equal(got.id_len, 1);
	assert_int_equal(got.id[0], 0x01);
	assert_memory_equal(got.public_key_sha256, b->public_key_sha256, 32);
	assert_string_equal(got.wrap_secret_name, "wrap-key");
	assert_int_equal(got.blob_len, b->blob_len);
	assert_memory_equal(got.blob, b->blob, b->blob_len);
	backup_clear(&got);
	/* Blob lengths that need one and two padding characters. */
	b->blob_len = 38;
	free(doc);
	doc = encoded(b);
	assert_int_equal(decode(doc, &got), 0);
	assert_int_equal(got.blob_len, 38);
	assert_memory_equal(got.blob, b->blob, 38);
	backup_clear(&got);
	b->blob_len = 37;
	free(doc);
	doc = encoded(b);
	assert_int_equal(decode(doc, &got), 0);
	assert_int_equal(got.blob_len, 37);
	backup_clear(&got);
	free(doc);
}

static void test_refused(void **state)
{
	struct backup *b = *state, got;
	char *doc = encoded(b), *bad;
	char wrapped[128];
	const char *w = strstr(doc, "\"wrapped_key\": \"");
	static const struct {
		const char *from, *to;
		int code;
		const char *why;
	} cases[] = {
		{ "\"version\": 1", "\"version\": 2", CE_ERR_UNSUPPORTED, "version 2" },
		{ "\"version\": 1", "\"version\": \"1\"", CE_ERR_FORMAT, "version" },
		{ "CKM_AES_KEY_WRAP_PAD", "CKM_AES_KEY_WRAP", CE_ERR_UNSUPPORTED, "CKM_AES_KEY_WRAP" },
		{ "ceremony-key-backup", "ceremony-key-backpu", CE_ERR_FORMAT, "format" },
		{ "\"p256\"", "\"aes256\"", CE_ERR_FORMAT, "key_type" },
		{ "\"id\": \"01\"", "\"id\": \"0g\"", CE_ERR_FORMAT, "id is not hex" },
		{ "\"label\":", "\"lable\":", CE_ERR_FORMAT, "unknown field" },
		{ "\"label\": \"root-ca-2026\"", "\"label\": 7", CE_ERR_FORMAT, "label" },
		{ "\"wrap_key_secret\": \"wrap-key\"", "\"wrap_key_secret\": \"Wrap Key\"",
		  CE_ERR_FORMAT, "wrap_key_secret" },
		{ "{", "{\"label\": \"x\",", CE_ERR_FORMAT, "t.wrapped" },
		{ "{", "[", CE_ERR_FORMAT, "t.wrapped" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = edited(doc, cases[i].from, cases[i].to);
		assert_int_equal(decode(bad, &got), cases[i].code);
		if (strstr(ce_err_detail(), cases[i].why) == NULL)
			fail_msg("case %zu: '%s' not in '%s'", i, cases[i].why, ce_err_detail());
		assert_null(got.label);
		assert_null(got.blob);
		free(bad);
	}
	/* A public key that is not the one hashed. */
	bad = edited(doc, "\"public_key_sha256\": \"", "\"public_key_sha256\": \"0");
	{
		char *cut = strstr(bad, "\"public_key_sha256\": \"") + 22 + 64;

		memmove(cut, cut + 1, strlen(cut + 1) + 1);
	}
	assert_int_equal(decode(bad, &got), CE_ERR_VERIFY);
	assert_non_null(strstr(ce_err_detail(), "not the SHA-256 of public_key_pem"));
	free(bad);
	/* wrapped_key: a character outside base64, and a length not a multiple of 4. */
	assert_non_null(w);
	snprintf(wrapped, sizeof(wrapped), "%.20s", w + 16);
	{
		char to[40];

		snprintf(to, sizeof(to), "%.19s!", wrapped);
		bad = edited(doc, wrapped, to);
		assert_int_equal(decode(bad, &got), CE_ERR_FORMAT);
		assert_non_null(strstr(ce_err_detail(), "base64"));
		free(bad);
		snprintf(to, sizeof(to), "%.19s", wrapped);
		bad = edited(doc, wrapped, to);
		assert_int_equal(decode(bad, &got), CE_ERR_FORMAT);
		free(bad);
	}
	/* Too large. */
	{
		size_t n = BACKUP_MAX_BYTES + 1;
		char *big = malloc(n + 1);

		memset(big, ' ', n);
		big[n] = '\0';
		assert_int_equal(backup_decode("t.wrapped", big, n, &got), CE_ERR_TOO_LARGE);
		free(big);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, fixture, teardown),
		cmocka_unit_test_setup_teardown(test_refused, fixture, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
