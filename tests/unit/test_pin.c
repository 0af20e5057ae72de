/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/verify/pin.c, the expected keys of --expect-key and
 * --issued-in-key: words as written on the paper log (any case and spacing,
 * four-letter prefixes) or hex, normalised; each with its failing twin (a
 * word not in the list, seven or nine words, short hex, another key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/fingerprint.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_normalised),
		cmocka_unit_test(test_hex_normalised),
		cmocka_unit_test(test_not_a_key_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
