/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony-verify - the auditor's program: `ceremony verify` and `ceremony
 * replay`, the very same verbs (ceremony/cli/cmd_verify.c, cmd_replay.c),
 * linked against libcrypto, jansson and libyaml only. No PKCS#11, no cairo,
 * no qrencode: mk/verify.mk links it without them, so any verify code that
 * reached for the HSM side would fail to link.
 *
 * main(): harden the process as ceremony does (common/harden.h), then
 * dispatch argv[1] through the two-verb table below.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/version.h"
#include "common/err.h"
#include "common/harden.h"

#include <stdio.h>
#include <string.h>

static const struct cli_verb *const verify_verbs[] = {
	&cli_verb_verify,
	&cli_verb_replay,
	NULL,
};

static void verify_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ceremony-verify VERB [OPTIONS] TRANSCRIPT\n"
		   "       ceremony-verify VERB --help\n"
		   "       ceremony-verify --version\n\n"
		   "Check a ceremony transcript offline, for auditors: the same code as\n"
		   "`ceremony verify` and `ceremony replay`, without any PKCS#11 code.\n\n"
		   "verbs:\n");
	for (i = 0; verify_verbs[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", verify_verbs[i]->name, verify_verbs[i]->summary);
	fprintf(f, "\nSee ceremony(1), VERIFY and REPLAY, and docs/auditor-guide.md.\n");
}

static const struct cli_verb *verify_verb_find(const char *name)
{
	size_t i;

	for (i = 0; verify_verbs[i] != NULL; i++)
		if (strcmp(verify_verbs[i]->name, name) == 0)
			return verify_verbs[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_verb *v;
	int r;

	cli_program = "ceremony-verify"; /* in usage errors and their Try line */
	r = harden_process();
	if (r < 0) {
		ce_err_print(r);
		return CLI_EXIT_FAIL;
	}
	if (argc < 2) {
		verify_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("ceremony-verify %s\n", CEREMONY_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		verify_usage(stdout);
		return CLI_EXIT_OK;
	}
	v = verify_verb_find(argv[1]);
	if (v == NULL) {
		fprintf(stderr, "ceremony-verify: unknown verb '%s'\n", argv[1]);
		fprintf(stderr, "Try 'ceremony-verify --help'.\n");
		return CLI_EXIT_USAGE;
	}
	return v->run(argc - 1, argv + 1);
}
