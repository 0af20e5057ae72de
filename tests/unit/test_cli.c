/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/cli/cli.c: the option parser every verb uses
 * (cli_opts_*), the sub-verb picker, the one-line usage errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_LONG = CLI_OPT_KEY, OPT_FLAG, OPT_ROSTER, OPT_REHEARSAL };

static const struct cli_opt table[] = {
	{ "all", 'a', 0 },
	{ "brief", 'b', 0 },
	{ "value", 'v', 1 },
	{ "long", OPT_LONG, 1 },
	{ "flag", OPT_FLAG, 0 },
	{ "roster", OPT_ROSTER, 1 },
	{ "rehearsal", OPT_REHEARSAL, 0 },
	{ NULL, 0, 0 },
};

static int help_printed;

static void demo_help(FILE *f)
{
	(void)f;
	help_printed++;
}

static const struct cli_verb demo = {
	.name = "demo", .synopsis = "", .summary = "", .run = NULL, .help = demo_help,
};

/* What one parse of argv saw: "k=value" per option, "@operand", then the
 * final result, space-separated. */
static char seen[1024];

static int parse(int argc, char **argv)
{
	struct cli_opts p;
	int c;

	seen[0] = '\0';
	cli_opts_init(&p, &demo, NULL, table, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		size_t n = strlen(seen);

		if (c == CLI_OPT_OPERAND)
			snprintf(seen + n, sizeof(seen) - n, "@%s ", p.value);
		else
			snprintf(seen + n, sizeof(seen) - n, "%d=%s ", c, p.value ? p.value : "-");
	}
	return c;
}

#define ARGV(...) ((char *[]){ "demo", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "demo", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_values_both_ways(void **state)
{
	char want[128];

	(void)state;
	assert_int_equal(PARSE("--long", "x", "--long=y", "--long=", "--roster", "--"), CLI_OPTS_END);
	snprintf(want, sizeof(want), "%d=x %d=y %d= %d=-- ", OPT_LONG, OPT_LONG, OPT_LONG,
		 OPT_ROSTER);
	assert_string_equal(seen, want);
	assert_int_equal(PARSE("-vX", "-v", "Y"), CLI_OPTS_END);
	assert_string_equal(seen, "118=X 118=Y ");
}

static void test_short_options_combine(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-ab", "-bav", "V"), CLI_OPTS_END);
	assert_string_equal(seen, "97=- 98=- 98=- 97=- 118=V ");
}

static void test_operands_anywhere_and_after_dashdash(void **state)
{
	char want[128];

	(void)state;
	assert_int_equal(PARSE("one", "--flag", "two", "-", "--", "--flag", "-a"), CLI_OPTS_END);
	snprintf(want, sizeof(want), "@one %d=- @two @- @--flag @-a ", OPT_FLAG);
	assert_string_equal(seen, want);
	/* POSIXLY_CORRECT does not stop options at the first operand */
	setenv("POSIXLY_CORRECT", "1", 1);
	assert_int_equal(PARSE("one", "--flag"), CLI_OPTS_END);
	unsetenv("POSIXLY_CORRECT");
	snprintf(want, sizeof(want), "@one %d=- ", OPT_FLAG);
	assert_string_equal(seen, want);
}

static void test_usage_errors(void **state)
{
	(void)state;
	/* each: one line and the Try line (checked end to end in t0001) */
	assert_int_equal(PARSE("--frob"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("--frob=1"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("-x"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("-ax"), CLI_OPTS_USAGE);
	assert_string_equal(seen, "97=- ");
	assert_int_equal(PARSE("--long"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("-v"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("--flag=1"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("--help=1"), CLI_OPTS_USAGE);
	/* no abbreviations, even unique ones: a new option never breaks a script */
	assert_int_equal(PARSE("--fl"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("--ro", "x"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("--r"), CLI_OPTS_USAGE);
	assert_int_equal(PARSE("--he"), CLI_OPTS_USAGE);
	/* the twins */
	assert_int_equal(PARSE("--flag"), CLI_OPTS_END);
	assert_int_equal(PARSE("--roster", "x"), CLI_OPTS_END);
}

static void test_help(void **state)
{
	(void)state;
	help_printed = 0;
	assert_int_equal(PARSE("x", "--help", "--frob"), CLI_OPTS_HELP);
	assert_int_equal(PARSE("-ah"), CLI_OPTS_HELP);
	assert_int_equal(help_printed, 2);
	assert_int_equal(PARSE("--", "--help"), CLI_OPTS_END);
	assert_int_equal(help_printed, 2);
	assert_int_equal(cli_opts_status(CLI_OPTS_HELP), CLI_EXIT_OK);
	assert_int_equal(cli_opts_status(CLI_OPTS_USAGE), CLI_EXIT_USAGE);
	assert_int_equal(cli_opts_status(CLI_OPTS_FAIL), CLI_EXIT_FAIL);
}

/* A sub-verb parses after its verb: the getopt state starts afresh. */
static void test_parse_again(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-a", "x", "-b"), CLI_OPTS_END);
	assert_int_equal(PARSE("-b"), CLI_OPTS_END);
	assert_string_equal(seen, "98=- ");
	assert_int_equal(PARSE("-ab"), CLI_OPTS_END);
	assert_int_equal(PARSE("-ba"), CLI_OPTS_END);
	assert_string_equal(seen, "98=- 97=- ");
}

static void test_table_too_large(void **state)
{
	struct cli_opt big[CLI_OPTS_MAX + 2];
	struct cli_opts p;
	size_t i;

	(void)state;
	for (i = 0; i <= CLI_OPTS_MAX; i++)
		big[i] = (struct cli_opt){ "x", CLI_OPT_KEY + (int)i, 0 };
	big[CLI_OPTS_MAX + 1] = (struct cli_opt){ NULL, 0, 0 };
	cli_opts_init(&p, &demo, NULL, big, 1, ARGV("demo"));
	assert_int_equal(cli_opts_next(&p), CLI_OPTS_FAIL);
}

static const char *const names[] = { "list", "show", NULL };

static void test_subverb_find(void **state)
{

	(void)state;
	help_printed = 0;
	assert_int_equal(cli_subverb_find(&demo, ARGC("show"), ARGV("show"), names), 1);
	assert_int_equal(cli_subverb_find(&demo, ARGC("list", "--x"), ARGV("list", "--x"), names), 0);
	assert_int_equal(cli_subverb_find(&demo, 1, ARGV("demo"), names), CLI_OPTS_USAGE);
	assert_int_equal(cli_subverb_find(&demo, ARGC("frob"), ARGV("frob"), names), CLI_OPTS_USAGE);
	assert_int_equal(cli_subverb_find(&demo, ARGC("--frob"), ARGV("--frob"), names), CLI_OPTS_USAGE);
	assert_int_equal(cli_subverb_find(&demo, ARGC("--"), ARGV("--"), names), CLI_OPTS_USAGE);
	assert_int_equal(cli_subverb_find(&demo, ARGC("-h", "x"), ARGV("-h", "x"), names), CLI_OPTS_HELP);
	assert_int_equal(help_printed, 1);
}

/* The usage error is exactly two lines on stderr. */
static void test_usage_error_lines(void **state)
{
	char buf[512];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_true(dup2(fileno(f), 2) >= 0);
	assert_int_equal(cli_usage_error(&demo, "bad '%s'", "x"), CLI_EXIT_USAGE);
	assert_int_equal(cli_usage_error_sub(&demo, "show", "worse"), CLI_EXIT_USAGE);
	assert_int_equal(cli_usage_error_sub(NULL, NULL, "unknown verb '%s'", "y"), CLI_EXIT_USAGE);
	assert_int_equal(PARSE("--frob=2"), CLI_OPTS_USAGE);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "ceremony: demo: bad 'x'\n"
				 "Try 'ceremony demo --help'.\n"
				 "ceremony: demo show: worse\n"
				 "Try 'ceremony demo show --help'.\n"
				 "ceremony: unknown verb 'y'\n"
				 "Try 'ceremony help'.\n"
				 "ceremony: demo: unknown option '--frob'\n"
				 "Try 'ceremony demo --help'.\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_both_ways),
		cmocka_unit_test(test_short_options_combine),
		cmocka_unit_test(test_operands_anywhere_and_after_dashdash),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_parse_again),
		cmocka_unit_test(test_table_too_large),
		cmocka_unit_test(test_subverb_find),
		cmocka_unit_test(test_usage_error_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
