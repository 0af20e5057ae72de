/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/verify/pin.c, the expected keys of --expect-key and
 * --issued-in-key: words as written on the paper log (any case and spacing,
 * four-letter prefixes) or hex, normalised; each with its failing twin (a
 * word not in the list, seven or nine words, short hex, another key).
 * And the PINs derived from a secret (pkcs11/p11_pin.c): the test vectors
 * of docs/share-format.md, the entropy stated, the derivation string, and
 * the decisions of ceremony/policy/pinplan.c (token range, floor). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/policy/pinplan.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "pkcs11/p11.h"

#include <string.h>

/* SPKI SHA-256 of zeros: its words are "academic" eight times. */
static const char zero_hex[] = "0000000000000000000000000000000000000000000000000000000000000000";
static const char one_hex[] = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

static void test_words_normalised(void **state)
{
	char pin[VERIFY_PIN_LEN];

	(void)state;
	assert_int_equal(verify_pin_parse("  ACADEMIC academic\tacad academic academic academic "
					  "academic   academic ", pin, sizeof(pin)), 0);
	assert_string_equal(pin, "academic academic academic academic academic academic "
				 "academic academic");
	assert_int_equal(verify_pin_matches(pin, zero_hex), 1);
	assert_int_equal(verify_pin_matches(pin, one_hex), 0);
}

static void test_hex_normalised(void **state)
{
	char pin[VERIFY_PIN_LEN];

	(void)state;
	assert_int_equal(verify_pin_parse("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
					  pin, sizeof(pin)), 0);
	assert_string_equal(pin, one_hex);
	assert_int_equal(verify_pin_matches(pin, one_hex), 1);
	assert_int_equal(verify_pin_matches(pin, zero_hex), 0);
}

static void test_not_a_key_refused(void **state)
{
	char pin[VERIFY_PIN_LEN];

	(void)state;
	assert_int_equal(verify_pin_parse("academic academic academic academic academic academic "
					  "academic", pin, sizeof(pin)), CE_ERR_FORMAT);
	assert_non_null(strstr(ce_err_detail(), "7 words"));
	assert_int_equal(verify_pin_parse("academic academic academic academic academic academic "
					  "academic academic academic", pin, sizeof(pin)),
			 CE_ERR_FORMAT);
	assert_non_null(strstr(ce_err_detail(), "one word too many"));
	assert_int_equal(verify_pin_parse("academic academic academic academic academic academic "
					  "academic zzzz", pin, sizeof(pin)), CE_ERR_FORMAT);
	assert_non_null(strstr(ce_err_detail(), "not a word of the list: \"zzzz\""));
	assert_int_equal(verify_pin_parse(zero_hex + 1, pin, sizeof(pin)), CE_ERR_FORMAT);
	assert_int_equal(verify_pin_parse("", pin, sizeof(pin)), CE_ERR_FORMAT);
}


/* docs/share-format.md, "Test vectors": secret hex, alphabet, length, PIN. */
static const struct {
	const char *secret_hex;
	enum p11_pin_alphabet a;
	size_t len;
	const char *pin;
} vectors[] = {
	{ "00000000000000000000000000000000", P11_PIN_TYPEABLE, 24, "2hMpDXKN69BMKBnxpugFQ3fD" },
	{ "000102030405060708090a0b0c0d0e0f", P11_PIN_TYPEABLE, 24, "MN7ydgxJ2dvNgqqNvujtXjny" },
	{ "000102030405060708090a0b0c0d0e0f", P11_PIN_TYPEABLE, 8, "6NA89vX5" },
	{ "000102030405060708090a0b0c0d0e0f", P11_PIN_DIGITS, 8, "94953490" },
	{ "ffffffffffffffffffffffffffffffff", P11_PIN_DIGITS, 6, "070216" },
	{ "7f3a9c01d2e4b5a69788776655443322", P11_PIN_TYPEABLE, 16, "8FQGKF768bBfFj6K" },
};

static void test_derive_vectors(void **state)
{
	uint8_t secret[P11_PIN_SECRET_BYTES];
	size_t i, n, plen;
	char *pin = NULL;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_int_equal(hex_decode(vectors[i].secret_hex, strlen(vectors[i].secret_hex),
					    secret, sizeof(secret), &n), 0);
		assert_int_equal(n, sizeof(secret));
		assert_int_equal(p11_pin_derive(secret, n, vectors[i].a, vectors[i].len, &pin, &plen),
				 0);
		assert_int_equal(plen, vectors[i].len);
		assert_string_equal(pin, vectors[i].pin);
		secmem_free(pin);
		/* twin: one byte of the secret changed gives another PIN */
		secret[0] ^= 1;
		assert_int_equal(p11_pin_derive(secret, n, vectors[i].a, vectors[i].len, &pin, &plen),
				 0);
		assert_string_not_equal(pin, vectors[i].pin);
		secmem_free(pin);
	}
}

static void test_derive_refused(void **state)
{
	uint8_t secret[P11_PIN_SECRET_BYTES] = { 0 };
	char *pin = (char *)1;
	size_t plen = 1;

	(void)state;
	assert_int_equal(p11_pin_derive(secret, sizeof(secret), P11_PIN_TYPEABLE, 0, &pin, &plen),
			 CE_ERR_INVALID);
	assert_null(pin);
	assert_int_equal(p11_pin_derive(secret, sizeof(secret), P11_PIN_TYPEABLE,
					P11_PIN_DERIVE_MAX_LEN + 1, &pin, &plen), CE_ERR_INVALID);
	assert_int_equal(p11_pin_derive(secret, 15, P11_PIN_TYPEABLE, 8, &pin, &plen),
			 CE_ERR_INVALID);
	/* twin: the longest PIN is derived */
	assert_int_equal(p11_pin_derive(secret, sizeof(secret), P11_PIN_TYPEABLE,
					P11_PIN_DERIVE_MAX_LEN, &pin, &plen), 0);
	assert_int_equal(strlen(pin), P11_PIN_DERIVE_MAX_LEN);
	secmem_free(pin);
}

static void test_entropy(void **state)
{
	(void)state;
	/* 8 digits: 26.6 bits; 8 typeable: 46.5 bits; 24 typeable: capped at 128 */
	assert_true(p11_pin_entropy_bits(P11_PIN_DIGITS, 8) > 26.5 &&
		    p11_pin_entropy_bits(P11_PIN_DIGITS, 8) < 26.6);
	assert_true(p11_pin_entropy_bits(P11_PIN_TYPEABLE, 8) > 46.4 &&
		    p11_pin_entropy_bits(P11_PIN_TYPEABLE, 8) < 46.5);
	assert_true(p11_pin_entropy_bits(P11_PIN_TYPEABLE, 11) > 63.8 &&
		    p11_pin_entropy_bits(P11_PIN_TYPEABLE, 11) < 64.0);
	assert_true(p11_pin_entropy_bits(P11_PIN_TYPEABLE, 12) > 69.6);
	assert_true(p11_pin_entropy_bits(P11_PIN_TYPEABLE, 24) == 128.0);
	assert_true(p11_pin_entropy_bits(P11_PIN_DIGITS, 64) == 128.0);
}

static void test_derivation_string(void **state)
{
	char buf[P11_PIN_DERIVATION_MAX];
	enum p11_pin_alphabet a;
	size_t len;

	(void)state;
	p11_pin_derivation_format(P11_PIN_DIGITS, 8, buf);
	assert_string_equal(buf, "hkdf-sha256-v1 digits 8");
	assert_int_equal(p11_pin_derivation_parse(buf, &a, &len), 0);
	assert_int_equal(a, P11_PIN_DIGITS);
	assert_int_equal(len, 8);
	assert_int_equal(p11_pin_derivation_parse("hkdf-sha256-v1 typeable 24", &a, &len), 0);
	assert_int_equal(a, P11_PIN_TYPEABLE);
	assert_int_equal(len, 24);
	/* twins: another scheme, alphabet, length, spacing */
	assert_int_equal(p11_pin_derivation_parse("hkdf-sha256-v2 digits 8", &a, &len),
			 CE_ERR_FORMAT);
	assert_int_equal(p11_pin_derivation_parse("hkdf-sha256-v1 hex 8", &a, &len), CE_ERR_FORMAT);
	assert_int_equal(p11_pin_derivation_parse("hkdf-sha256-v1 digits 65", &a, &len),
			 CE_ERR_FORMAT);
	assert_int_equal(p11_pin_derivation_parse("hkdf-sha256-v1  digits 8", &a, &len),
			 CE_ERR_FORMAT);
	assert_int_equal(p11_pin_derivation_parse("hkdf-sha256-v1 digits 08", &a, &len),
			 CE_ERR_FORMAT);
}

static void plan_make(struct pin_plan *p, size_t len, int given, enum p11_pin_alphabet a,
		      unsigned floor_bits)
{
	memset(p, 0, sizeof(*p));
	p->alphabet = a;
	p->len_given = given;
	p->floor_bits = floor_bits;
	p->floor_given = floor_bits != PIN_PLAN_FLOOR_BITS;
	p->mark.file = "s.yaml";
	p->mark.line = 7;
	p->mark.col = 5;
	pin_plan_set_len(p, len);
}

static void test_plan_range(void **state)
{
	struct script_step st;
	struct pin_plan p;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.id = "init";
	/* the script's 8 within 4..8 with the floor lowered: kept */
	plan_make(&p, 8, 1, P11_PIN_DIGITS, 20);
	assert_int_equal(pin_plan_fit(&st, "the card", 4, 8, &p, NULL), 0);
	assert_int_equal(p.len, 8);
	/* twin: the script's 16 in a range 4..8: refused, never lowered */
	plan_make(&p, 16, 1, P11_PIN_TYPEABLE, 64);
	assert_int_equal(pin_plan_fit(&st, "the card", 4, 8, &p, NULL), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "s.yaml:7:5"));
	assert_non_null(strstr(ce_err_detail(), "pin-length 16 does not fit the card"));
	assert_non_null(strstr(ce_err_detail(), "4..8"));
	assert_int_equal(p.len, 16);
	/* and 6 in 8..64: refused, never raised */
	plan_make(&p, 6, 1, P11_PIN_DIGITS, 16);
	assert_int_equal(pin_plan_fit(&st, "the token", 8, 64, &p, NULL), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "pin-length 6"));
	/* no pin-length: the default 24 brought into 4..8, then the floor refuses */
	plan_make(&p, PIN_PLAN_DEFAULT_LEN, 0, P11_PIN_TYPEABLE, 64);
	assert_int_equal(pin_plan_fit(&st, "the card", 4, 8, &p, NULL), CE_ERR_INVALID);
	assert_int_equal(p.len, 8);
	assert_non_null(strstr(ce_err_detail(), "below the entropy floor of 64 bits"));
	/* twin: same with the floor lowered to 40: accepted at 8 */
	plan_make(&p, PIN_PLAN_DEFAULT_LEN, 0, P11_PIN_TYPEABLE, 40);
	assert_int_equal(pin_plan_fit(&st, "the card", 4, 8, &p, NULL), 0);
	assert_int_equal(p.len, 8);
	/* a range of 0..0 (no maximum): the default kept */
	plan_make(&p, PIN_PLAN_DEFAULT_LEN, 0, P11_PIN_TYPEABLE, 64);
	assert_int_equal(pin_plan_fit(&st, "the token", 0, 0, &p, NULL), 0);
	assert_int_equal(p.len, 24);
	assert_true(p.bits == 128.0);
}

static void test_plan_floor(void **state)
{
	struct script_step st;
	struct pin_plan p;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.id = "init";
	/* 11 typeable characters: 63.9 bits, below 64 */
	plan_make(&p, 11, 1, P11_PIN_TYPEABLE, 64);
	assert_int_equal(pin_plan_fit(&st, "the token", 4, 255, &p, NULL), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "63.9 bits"));
	/* twin: 12 reach 69.7 */
	plan_make(&p, 12, 1, P11_PIN_TYPEABLE, 64);
	assert_int_equal(pin_plan_fit(&st, "the token", 4, 255, &p, NULL), 0);
	/* 8 digits under the default floor: refused; with 26: accepted */
	plan_make(&p, 8, 1, P11_PIN_DIGITS, 64);
	assert_int_equal(pin_plan_fit(&st, "the card", 6, 8, &p, NULL), CE_ERR_INVALID);
	plan_make(&p, 8, 1, P11_PIN_DIGITS, 26);
	assert_int_equal(pin_plan_fit(&st, "the card", 6, 8, &p, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_normalised),
		cmocka_unit_test(test_hex_normalised),
		cmocka_unit_test(test_not_a_key_refused),
		cmocka_unit_test(test_derive_vectors),
		cmocka_unit_test(test_derive_refused),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_derivation_string),
		cmocka_unit_test(test_plan_range),
		cmocka_unit_test(test_plan_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
