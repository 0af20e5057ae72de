/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/run/console.c: answer files (KEY = ANSWER), answers
 * taken in order per key, a missing answer, abort with and without a reason,
 * malformed files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/run/console.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static struct console *open_with(const char *text, int *rc)
{
	struct console *c = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_console.XXXXXX");
	{
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		f = fdopen(fd, "w");
	}
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	*rc = console_open(path, &c);
	unlink(path);
	return c;
}

static void test_answers_in_order(void **state)
{
	struct console *c;
	char a[64];
	const char *key;
	size_t line;
	int rc;

	(void)state;
	c = open_with("# a comment\n\nseat.key-holder.1 = bob\n  witness.x.y=confirm  \n"
		      "seat.key-holder.1 = carol\nunused.key = 1\n", &rc);
	assert_int_equal(rc, 0);
	assert_true(console_is_scripted(c));
	assert_int_equal(console_ask(c, "seat.key-holder.1", "who?", a, sizeof(a)), 0);
	assert_string_equal(a, "bob");
	assert_int_equal(console_ask(c, "seat.key-holder.1", "who?", a, sizeof(a)), 0);
	assert_string_equal(a, "carol");
	assert_int_equal(console_ask(c, "witness.x.y", "ok?", a, sizeof(a)), 0);
	assert_string_equal(a, "confirm");
	/* failing twin: no answer left for that key */
	assert_int_equal(console_ask(c, "seat.key-holder.1", "who?", a, sizeof(a)), CE_ERR_NOT_FOUND);
	assert_non_null(strstr(console_abort_reason(c), "no answer for [seat.key-holder.1]"));
	assert_int_equal(console_unused(c, &key, &line), 1);
	assert_string_equal(key, "unused.key");
	assert_int_equal(line, 6);
	console_free(c);
}

static void test_abort(void **state)
{
	struct console *c;
	char a[64];
	int rc;

	(void)state;
	c = open_with("a.b = abort\nabort.reason = bag torn\nc.d = abort\n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(console_ask(c, "a.b", "?", a, sizeof(a)), CE_ERR_ABORTED);
	assert_string_equal(console_abort_reason(c), "bag torn");
	assert_string_equal(a, "");
	/* no reason left: one is made up naming the prompt */
	assert_int_equal(console_ask(c, "c.d", "?", a, sizeof(a)), CE_ERR_ABORTED);
	assert_non_null(strstr(console_abort_reason(c), "aborted at [c.d]"));
	console_free(c);
}

static void test_bad_files(void **state)
{
	struct console *c;
	char a[8];
	int rc;

	(void)state;
	c = open_with("seat.a.1 bob\n", &rc);
	assert_int_equal(rc, CE_ERR_FORMAT);
	assert_null(c);
	assert_non_null(strstr(ce_err_detail(), ":1: expected 'KEY = ANSWER'"));
	c = open_with("ok.key = 1\nBad Key = 2\n", &rc);
	assert_int_equal(rc, CE_ERR_FORMAT);
	assert_non_null(strstr(ce_err_detail(), ":2: bad key"));
	c = open_with("k = a-much-too-long-answer\nk = \n", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(console_ask(c, "k", "?", a, sizeof(a)), CE_ERR_TOO_LARGE);
	assert_int_equal(console_ask(c, "k", "?", a, sizeof(a)), CE_ERR_FORMAT);
	console_free(c);
	assert_int_equal(console_open("/nonexistent/answers", &c), CE_ERR_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_in_order),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
