/* ceremony/cli/cli.c - what every verb shares: usage errors, failures, help
 * detection. Nothing here names a verb, so a program may link only the verbs
 * it has (ceremony-verify). */
#include "ceremony/cli/cli.h"
#include "common/err.h"

#include <stdarg.h>
#include <string.h>

int cli_usage_error(const struct cli_verb *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ceremony: %s: ", v->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputc('\n', stderr);
	v->help(stderr);
	return CLI_EXIT_USAGE;
}

int cli_fail(int code)
{
	ce_err_print(code);
	return CLI_EXIT_FAIL;
}

int cli_wants_help(int argc, char **argv)
{
	return argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}
