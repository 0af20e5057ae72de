#include "ceremony/cli/cli.h"
#include "common/err.h"

#include <stdarg.h>
#include <string.h>

const struct cli_verb *const cli_verbs[] = {
	&cli_verb_help,
	&cli_verb_version,
	&cli_verb_shares,
	&cli_verb_lint,
	&cli_verb_run,
	&cli_verb_roster,
	&cli_verb_hsm,
	&cli_verb_x509,
	&cli_verb_verify,
	&cli_verb_replay,
	&cli_verb_archive,
	NULL
};

const struct cli_verb *cli_verb_find(const char *name)
{
	size_t i;

	for (i = 0; cli_verbs[i] != NULL; i++)
		if (strcmp(cli_verbs[i]->name, name) == 0)
			return cli_verbs[i];
	return NULL;
}

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
