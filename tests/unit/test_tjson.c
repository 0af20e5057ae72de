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
#include <stdint.h>
#include <stdlib.h>
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

/* docs/transcript-format.md section 1: integers within the 64-bit signed
 * range, both ends included (INT64_MIN was once refused: its magnitude does
 * not fit an int64); one past either end is refused. */
static void test_int64_range(void **state)
{
	struct tj_doc d;
	char why[128];
	const char *s = "{\"lo\":-9223372036854775808,\"hi\":9223372036854775807,\"z\":-0}";

	(void)state;
	assert_int_equal(tj_init(&d, 4096), 0);
	assert_int_equal(tj_parse(&d, s, strlen(s), why, sizeof(why)), 0);
	assert_true(tj_int(&d, tj_get(&d, 0, "lo")) == INT64_MIN);
	assert_true(tj_int(&d, tj_get(&d, 0, "hi")) == INT64_MAX);
	assert_true(tj_int(&d, tj_get(&d, 0, "z")) == 0);
	assert_int_equal(tj_parse(&d, "-9223372036854775808", 20, why, sizeof(why)), 0);
	assert_true(d.t[0].type == TJ_INT && d.t[0].v.i == INT64_MIN);
	assert_int_equal(tj_parse(&d, "-9223372036854775809", 20, why, sizeof(why)), CE_ERR_FORMAT);
	assert_non_null(strstr(why, "integer too big"));
	assert_int_equal(tj_parse(&d, "9223372036854775808", 19, why, sizeof(why)), CE_ERR_FORMAT);
	assert_non_null(strstr(why, "integer too big"));
	assert_int_equal(tj_parse(&d, "-92233720368547758080", 21, why, sizeof(why)), CE_ERR_FORMAT);
	tj_free(&d);
}

/* The buffers start small and grow with the line: a line of many values
 * and long strings parses the same as a short one, the document is reused
 * after it, and the limits stay those of the maximum (TJ_TOKENS_MAX values,
 * max_len bytes of strings). */
static void test_growth(void **state)
{
	struct tj_doc d;
	char why[128];
	size_t n = 3 * 20000 + 2, i;
	char *s = malloc(n + 1);
	char *big = malloc(TJ_TOKENS_MAX * 2 + 2);

	(void)state;
	assert_non_null(s);
	assert_non_null(big);
	/* 20,000 one-digit values: far past the first token array */
	s[0] = '[';
	for (i = 0; i < 20000; i++)
		memcpy(s + 1 + 3 * i, "7, ", 3);
	s[n - 3] = ' ';
	s[n - 2] = ' ';
	s[n - 1] = ']';
	s[n - 4] = '7';
	s[n] = '\0';
	assert_int_equal(tj_init(&d, n + 16), 0);
	assert_int_equal(tj_parse(&d, s, n, why, sizeof(why)), 0);
	assert_int_equal(d.t[0].size, 20000);
	assert_true(tj_int(&d, 20000) == 7);
	/* a long string after it, then a short line again */
	memset(s, 'a', n);
	s[0] = '"';
	s[n - 1] = '"';
	assert_int_equal(tj_parse(&d, s, n, why, sizeof(why)), 0);
	assert_int_equal(d.t[0].slen, n - 2);
	assert_int_equal(tj_parse(&d, "{\"k\":1}", 7, why, sizeof(why)), 0);
	assert_int_equal(tj_int(&d, tj_get(&d, 0, "k")), 1);
	tj_free(&d);
	/* strings past max_len are refused as before */
	assert_int_equal(tj_init(&d, 8), 0);
	assert_int_equal(tj_parse(&d, "\"aaaaaaaaaaaaaaaa\"", 18, why, sizeof(why)), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(why, "strings too long"));
	tj_free(&d);
	/* one value more than TJ_TOKENS_MAX: refused, not grown past it */
	big[0] = '[';
	for (i = 0; i < TJ_TOKENS_MAX; i++) {
		big[1 + 2 * i] = '0';
		big[2 + 2 * i] = ',';
	}
	big[2 * TJ_TOKENS_MAX] = ']';
	assert_int_equal(tj_init(&d, 4 * TJ_TOKENS_MAX), 0);
	assert_int_equal(tj_parse(&d, big, 2 * TJ_TOKENS_MAX + 1, why, sizeof(why)), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(why, "too many JSON values"));
	big[2 * TJ_TOKENS_MAX - 2] = ']'; /* 65,535 elements: the array and them fit */
	assert_int_equal(tj_parse(&d, big, 2 * TJ_TOKENS_MAX - 1, why, sizeof(why)), 0);
	assert_int_equal(d.t[0].size, TJ_TOKENS_MAX - 1);
	tj_free(&d);
	free(s);
	free(big);
}

/* Escapes and raw UTF-8 of every length, and the refusals of each malformed
 * shape (overlong, surrogate, past U+10FFFF, cut short); an object of
 * TJ_KEYS_MAX keys and one more. */
static void test_utf8_and_keys(void **state)
{
	static const struct {
		const char *s, *want; /* want: the decoded string, NULL refused */
	} cases[] = {
		{ "\"\\u00C9\\u20ac\"", "\xc3\x89\xe2\x82\xac" },
		{ "\"\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9\"", "\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9" },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
		{ "\"\xe0\x80\xaf\"", NULL },     /* overlong */
		{ "\"\xed\xa0\x80\"", NULL },     /* a surrogate in UTF-8 */
		{ "\"\xf0\x80\x80\x80\"", NULL }, /* overlong 4 bytes */
		{ "\"\xf4\x90\x80\x80\"", NULL }, /* past U+10FFFF */
		{ "\"\xe2\x82\"", NULL },          /* cut short */
		{ "\"\xf0\x9f\x98\"", NULL },
		{ "\"\xc0\xaf\"", NULL },
		{ "\"\\u00G0\"", NULL },
		{ "\"abc\\", NULL },                /* ends on a backslash */
	};
	struct tj_doc d;
	char why[128];
	char *obj = malloc(16 * (TJ_KEYS_MAX + 2));
	size_t i, off;

	(void)state;
	assert_non_null(obj);
	assert_int_equal(tj_init(&d, 1 << 16), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = tj_parse(&d, cases[i].s, strlen(cases[i].s), why, sizeof(why));

		if (cases[i].want == NULL) {
			if (r != CE_ERR_FORMAT)
				fail_msg("case %zu accepted", i);
		} else {
			if (r != 0)
				fail_msg("case %zu refused: %s", i, why);
			assert_string_equal(tj_str(&d, 0), cases[i].want);
		}
	}
	off = (size_t)sprintf(obj, "{");
	for (i = 0; i < TJ_KEYS_MAX; i++)
		off += (size_t)sprintf(obj + off, "%s\"k%zu\":0", i ? "," : "", i);
	strcpy(obj + off, "}");
	assert_int_equal(tj_parse(&d, obj, off + 1, why, sizeof(why)), 0);
	assert_int_equal(d.t[0].size, TJ_KEYS_MAX);
	sprintf(obj + off, ",\"k%d\":0}", TJ_KEYS_MAX);
	assert_int_equal(tj_parse(&d, obj, strlen(obj), why, sizeof(why)), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(why, "too many keys"));
	tj_free(&d);
	/* raw UTF-8 past max_len: refused, not written past the buffer */
	assert_int_equal(tj_init(&d, 4), 0);
	assert_int_equal(tj_parse(&d, "\"\xe2\x82\xac\xe2\x82\xac\"", 8, why, sizeof(why)), CE_ERR_TOO_LARGE);
	tj_free(&d);
	free(obj);
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
		cmocka_unit_test(test_int64_range),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_utf8_and_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
