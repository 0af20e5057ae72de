/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/transcript/jtext.h: text the tool does not control
 * (a token's label, a file name, a typed answer) as a JSON string. UTF-8 is
 * kept as it is; anything else is escaped as common/esc.h does for a
 * terminal, and never lost (jansson alone refuses it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/jtext.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* jtext(in) is a string whose value is want; the one jansson writes of it
 * reads back the same. */
static void expect(const char *in, const char *want)
{
	json_t *j = jtext(in), *back;
	char *dump;

	assert_non_null(j);
	assert_true(json_is_string(j));
	assert_string_equal(json_string_value(j), want);
	dump = json_dumps(j, JSON_ENCODE_ANY);
	assert_non_null(dump);
	back = json_loads(dump, JSON_DECODE_ANY, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(back), want);
	json_decref(back);
	free(dump);
	json_decref(j);
}

static void test_utf8_kept(void **state)
{
	(void)state;
	expect("", "");
	expect("Root CA 2026", "Root CA 2026");
	expect("Cl\xc3\xa9 \xc3\xbc \xe6\x97\xa5\xe6\x9c\xac", "Cl\xc3\xa9 \xc3\xbc \xe6\x97\xa5\xe6\x9c\xac");
	expect("\xf0\x9f\x94\x91 key", "\xf0\x9f\x94\x91 key");
	/* valid UTF-8 with controls and a backslash: JSON escapes them itself,
	 * the value is kept exactly */
	expect("a\\b\x1b[2J\tc", "a\\b\x1b[2J\tc");
}

static void test_not_utf8_escaped(void **state)
{
	(void)state;
	/* Latin-1 "Schlüssel", as a vendor tool may have written the label */
	expect("Schl\xfcssel", "Schl\\xfcssel");
	/* a label cut at 32 bytes inside a character */
	expect("Cl\xc3\xa9 racine \xc3", "Cl\xc3\xa9 racine \\xc3");
	/* once escaping, a backslash is escaped too: never ambiguous */
	expect("a\\b\xff", "a\\\\b\\xff");
	/* overlong form, surrogate, beyond U+10FFFF, a control among them */
	expect("\xc0\xaf", "\\xc0\\xaf");
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect("\x1b\xfe", "\\x1b\\xfe");
}

static void test_long_all_escaped(void **state)
{
	/* the longest escape of every byte still fits: 4 bytes a byte */
	char in[1025];
	char want[4 * 1024 + 1];
	size_t i;

	(void)state;
	for (i = 0; i < 1024; i++) {
		in[i] = (char)0xff;
		memcpy(want + 4 * i, "\\xff", 4);
	}
	in[1024] = '\0';
	want[4 * 1024] = '\0';
	expect(in, want);
}

static void test_null(void **state)
{
	(void)state;
	assert_null(jtext(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_not_utf8_escaped),
		cmocka_unit_test(test_long_all_escaped),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
