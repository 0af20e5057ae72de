/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/transcript/tjson.h: the strict JSON reader of the verifier,
 * checked case by case and against jansson (same accept/reject). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/tjson.h"
#include "common/err.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const good[] = {
	"{}", "[]", "{\"a\":1}", " {\"a\" : [1, -2, 3.5e3, true, false, null, \"x\"]} ",
	"{\"a\":{\"b\":{\"c\":[]}}}", "\"caf\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\xc3\xa9\"",
	"\"\xf0\x9f\x98\x80\"", "0", "-0", "9223372036854775807", "-9223372036854775807",
	"1.0", "1e5", "1E-5", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "{\"a\":1,\"b\":2}",
};

static const char *const bad[] = {
	"", "{", "}", "{\"a\":1,}", "[1,]", "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}",
	"{a:1}", "'x'", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u0000\"",
	"\"\x01\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"",
	"\"\xe0\x80\xaf\"", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "[1 2]",
	"{} {}", "{\"a\" 1}", "9223372036854775808", "\"abc", "[\"a\"]]", "NaN",
};

static void test_good_and_bad(void **state)
{
	struct tj_doc d;
	char why[128];
	size_t i;

	(void)state;
	assert_int_equal(tj_init(&d, 4096), 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = tj_parse(&d, good[i], strlen(good[i]), why, sizeof(why));

		if (r != 0)
			fail_msg("refused %s: %s", good[i], why);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tj_parse(&d, bad[i], strlen(bad[i]), why, sizeof(why)) == 0)
			fail_msg("accepted %s", bad[i]);
	}
	tj_free(&d);
}

static void test_same_as_jansson(void **state)
{
	struct tj_doc d;
	char why[128];
	size_t i;
	const char *const *lists[2] = { good, bad };
	size_t counts[2] = { sizeof(good) / sizeof(good[0]), sizeof(bad) / sizeof(bad[0]) };
	int l;

	(void)state;
	assert_int_equal(tj_init(&d, 4096), 0);
	for (l = 0; l < 2; l++)
		for (i = 0; i < counts[l]; i++) {
			const char *s = lists[l][i];
			json_error_t e;
			json_t *j = json_loadb(s, strlen(s), JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
			int ours = tj_parse(&d, s, strlen(s), why, sizeof(why)) == 0;

			if (ours != (j != NULL))
				fail_msg("%s: tjson %s, jansson %s", s, ours ? "accepts" : "refuses",
					 j != NULL ? "accepts" : "refuses");
			json_decref(j);
		}
	tj_free(&d);
}

static void test_access(void **state)
{
	struct tj_doc d;
	char why[128];
	const char *s = "{\"k\":\"v\\u00e9\",\"n\":-42,\"a\":[\"x\",{\"y\":true}],\"z\":null}";
	int a, c;
	uint32_t i, n = 0;

	(void)state;
	assert_int_equal(tj_init(&d, 4096), 0);
	assert_int_equal(tj_parse(&d, s, strlen(s), why, sizeof(why)), 0);
	assert_string_equal(tj_str(&d, tj_get(&d, 0, "k")), "v\xc3\xa9");
	assert_true(tj_is(&d, tj_get(&d, 0, "n"), TJ_INT));
	assert_int_equal(d.t[tj_get(&d, 0, "n")].v.i, -42);
	assert_true(tj_is(&d, tj_get(&d, 0, "z"), TJ_NULL));
	assert_int_equal(tj_get(&d, 0, "missing"), -1);
	assert_null(tj_str(&d, tj_get(&d, 0, "n")));
	a = tj_get(&d, 0, "a");
	TJ_ARR_EACH(&d, a, i, c)
		n++;
	assert_int_equal(n, 2);
	assert_true(tj_is(&d, tj_get(&d, tj_first(&d, a) + 1, "y"), TJ_TRUE));
	assert_int_equal(tj_get(&d, a, "x"), -1); /* not an object */
	tj_free(&d);
}

static void test_limits(void **state)
{
	struct tj_doc d;
	char why[128];
	char deep[200];
	size_t i;

	(void)state;
	assert_int_equal(tj_init(&d, 4096), 0);
	for (i = 0; i < 40; i++)
		deep[i] = '[';
	for (i = 0; i < 40; i++)
		deep[40 + i] = ']';
	assert_int_equal(tj_parse(&d, deep, 80, why, sizeof(why)), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(why, "nested too deep"));
	assert_int_equal(tj_parse(&d, deep + 40 - TJ_DEPTH_MAX, 2 * TJ_DEPTH_MAX, why, sizeof(why)), 0);
	tj_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_and_bad),
		cmocka_unit_test(test_same_as_jansson),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
