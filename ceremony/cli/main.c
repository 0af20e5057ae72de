/*
 * ceremony - HSM key ceremonies. main(): harden the process, then dispatch
 * argv[1] through the verb table (ceremony/cli/verbs.c).
 */
#include "ceremony/cli/cli.h"
#include "ceremony/version.h"
#include "common/err.h"
#include "common/harden.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const struct cli_verb *v;
	int r;

	r = harden_process();
	if (r < 0) {
		ce_err_print(r);
		return CLI_EXIT_FAIL;
	}
	if (argc < 2) {
		cli_usage_all(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("ceremony %s\n", CEREMONY_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage_all(stdout);
		return CLI_EXIT_OK;
	}
	v = cli_verb_find(argv[1]);
	if (v == NULL) {
		fprintf(stderr, "ceremony: unknown verb '%s'\n\n", argv[1]);
		cli_usage_all(stderr);
		return CLI_EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		v->help(stdout);
		return CLI_EXIT_OK;
	}
	return v->run(argc - 1, argv + 1);
}
