/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony - HSM key ceremonies. main(): harden the process, then dispatch
 * argv[1] through the verb table (ceremony/cli/verbs.c).
 */
#include "ceremony/model/script_profile.h"
#include "ceremony/cli/cli.h"
#include "ceremony/version.h"
#include "common/err.h"
#include "common/harden.h"

#include <stdio.h>

/* Options before the verb: --help, --version. Returns the exit status, or
 * -1 when argv[1] is the verb. */
static int main_options(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "version", 'V', 0 },
		{ NULL, 0, 0 },
	};
	struct cli_opts p;
	int c;

	if (argv[1][0] != '-' || argv[1][1] == '\0')
		return -1;
	/* argv[1] only: what follows the verb is the verb's */
	cli_opts_init(&p, NULL, NULL, opts, 2, argv);
	p.help = cli_usage_all;
	c = cli_opts_next(&p);
	if (c == 'V') {
		printf("ceremony %s\n", CEREMONY_VERSION);
		return CLI_EXIT_OK;
	}
	if (c < 0)
		return cli_opts_status(c);
	return -1; /* "--": no verb, said by the caller */
}

int main(int argc, char **argv)
{
	const struct cli_verb *v;
	int r;

	/* cert.issue profiles are checked with pkcs11/x509's rules, which
	 * ceremony-verify does not link (ceremony/model/script_profile.h). */
	script_profile_checker = script_profile_check;
	r = harden_process();
	if (r < 0) {
		ce_err_print(r);
		return CLI_EXIT_FAIL;
	}
	if (argc < 2) {
		cli_usage_all(stderr);
		return CLI_EXIT_USAGE;
	}
	r = main_options(argc, argv);
	if (r >= 0)
		return r;
	v = cli_verb_find(argv[1]);
	if (v == NULL)
		return cli_usage_error_sub(NULL, NULL, "unknown verb '%s'", argv[1]);
	return v->run(argc - 1, argv + 1);
}
