/* SPDX-License-Identifier: Apache-2.0 */
/* ceremony/cli/verbs.c - the verb table of the `ceremony` program. The
 * auditor's `ceremony-verify` has its own (ceremony/cli/main_verify.c). */
#include "ceremony/cli/cli.h"
#include "common/err.h"

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
