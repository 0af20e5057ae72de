#include "ceremony/cli/cli.h"
#include "ceremony/version.h"

#include <string.h>

static void usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ceremony VERB [OPTIONS] [ARGS]\n"
		   "       ceremony VERB --help\n"
		   "       ceremony --version\n\n"
		   "Runs HSM key ceremonies: PKCS#11 tokens, Shamir (SLIP-39) shares for key\n"
		   "holders, role separation, and a signed, hash-chained transcript.\n\n"
		   "verbs:\n");
	for (i = 0; cli_verbs[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", cli_verbs[i]->name, cli_verbs[i]->summary);
	fprintf(f, "\nSee ceremony(1) for the whole manual.\n");
}

static void help_help(FILE *f)
{
	fprintf(f, "usage: ceremony help [VERB]\n\n"
		   "Without VERB, list the verbs; with VERB, show its usage.\n");
}

static int help_run(int argc, char **argv)
{
	const struct cli_verb *v;

	if (argc == 1) {
		usage_all(stdout);
		return CLI_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error(&cli_verb_help, "too many arguments");
	if (cli_wants_help(argc, argv)) {
		help_help(stdout);
		return CLI_EXIT_OK;
	}
	v = cli_verb_find(argv[1]);
	if (v == NULL)
		return cli_usage_error(&cli_verb_help, "unknown verb '%s'", argv[1]);
	v->help(stdout);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_help = {
	.name = "help",
	.synopsis = "[VERB]",
	.summary = "list the verbs, or show one verb's usage",
	.run = help_run,
	.help = help_help,
};

static void version_help(FILE *f)
{
	fprintf(f, "usage: ceremony version\n       ceremony --version\n\n"
		   "Print the version of ceremony.\n");
}

static int version_run(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		version_help(stdout);
		return CLI_EXIT_OK;
	}
	if (argc != 1)
		return cli_usage_error(&cli_verb_version, "takes no arguments");
	printf("ceremony %s\n", CEREMONY_VERSION);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_version = {
	.name = "version",
	.synopsis = "",
	.summary = "print the version",
	.run = version_run,
	.help = version_help,
};

void cli_usage_all(FILE *f)
{
	usage_all(f);
}
