/* SPDX-License-Identifier: Apache-2.0 */
/* ceremony/cli/verbs.c - the verb table of the `ceremony` program, and the
 * two verbs that read it (help, version): one file, so calls go one way. The
 * auditor's `ceremony-verify` has its own table (ceremony/cli/main_verify.c). */
#include "ceremony/cli/cli.h"
#include "ceremony/version.h"
#include "common/err.h"

#include <string.h>

const struct cli_verb *const cli_verbs[] = {
	&cli_verb_help,
	&cli_verb_version,
	&cli_verb_shares,
	&cli_verb_lint,
	&cli_verb_check,
	&cli_verb_run,
	&cli_verb_roster,
	&cli_verb_hsm,
	&cli_verb_x509,
	&cli_verb_verify,
	&cli_verb_replay,
	&cli_verb_archive,
	&cli_verb_print,
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
	static const struct cli_opt opts[] = { { NULL, 0, 0 } };
	struct cli_opts p;
	const char *name = NULL;
	const struct cli_verb *v;
	int c;

	cli_opts_init(&p, &cli_verb_help, NULL, opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		if (name != NULL)
			return cli_usage_error(&cli_verb_help, "too many arguments");
		name = p.value;
	}
	if (c < 0)
		return cli_opts_status(c);
	if (name == NULL) {
		usage_all(stdout);
		return CLI_EXIT_OK;
	}
	v = cli_verb_find(name);
	if (v == NULL)
		return cli_usage_error(&cli_verb_help, "unknown verb '%s'", name);
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
	static const struct cli_opt opts[] = { { NULL, 0, 0 } };
	struct cli_opts p;
	int c;

	cli_opts_init(&p, &cli_verb_version, NULL, opts, argc, argv);
	if ((c = cli_opts_next(&p)) > 0)
		return cli_usage_error(&cli_verb_version, "takes no arguments");
	if (c < 0)
		return cli_opts_status(c);
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
