/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony check SCRIPT --module M [--roster FILE] [--json]
 *
 * The capability preflight without the ceremony (ceremony/run/preflight.h):
 * every requirement of the script held against what the tokens of module M
 * report. Read-only: no session is opened, nobody logs in, nothing is
 * written to any token. `ceremony run` does the same first.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/model/diag.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"
#include "ceremony/run/preflight.h"
#include "common/err.h"
#include "common/esc.h"
#include "pkcs11/p11.h"

#include <jansson.h>
#include <stdlib.h>

static void check_help(FILE *f)
{
	fprintf(f, "usage: ceremony check SCRIPT --module M [--roster FILE] [--json]\n\n"
		   "Hold every requirement of a ceremony script against what the token(s) of\n"
		   "module M report, without touching them (no session, no login, nothing\n"
		   "written): each step's key types, sizes and curves, the mechanisms to sign,\n"
		   "wrap and unwrap, random numbers, login kinds, PIN lengths, attributes asked\n"
		   "for, the transcript key and its signing path through OpenSSL. A blank token\n"
		   "that the script initialises is checked through what it reports before init.\n"
		   "Run it the day before the ceremony; `ceremony run` does the same first.\n\n"
		   "  --module M      the PKCS#11 module (library path or p11-kit .module file)\n"
		   "  --roster FILE   the roster (checked to load; default: the script's)\n"
		   "  --json          print the result as JSON instead of lines\n\n"
		   "Prints one line per requirement: OK|MISSING|UNKNOWN, the step and its\n"
		   "action, the token, what the script needs, what the token offers, and the\n"
		   "path that will be used. UNKNOWN: the token does not say before the step\n"
		   "tries it. Exit 0 when nothing is MISSING, 1 when something is (or the\n"
		   "script or module cannot be loaded), 2 on a usage error.\n");
}

enum { OPT_MODULE = CLI_OPT_KEY, OPT_ROSTER, OPT_JSON };

static const struct cli_opt check_opts[] = {
	{ "module", OPT_MODULE, 1 },
	{ "roster", OPT_ROSTER, 1 },
	{ "json", OPT_JSON, 0 },
	{ NULL, 0, 0 },
};

/* The script (schema only: the roster's policy is `lint`'s) and the roster
 * when one is given; diagnostics printed. */
static int check_load(const char *path, const char *roster_arg, struct script **s)
{
	struct roster *r = NULL;
	struct diag d;
	int e;

	diag_init(&d);
	e = script_load(path, s, &d);
	if (e == 0 && roster_arg != NULL)
		e = roster_load(roster_arg, &r, &d);
	if (d.n)
		diag_print(stderr, &d);
	roster_free(r);
	diag_free(&d);
	return e;
}

static int check_run(int argc, char **argv)
{
	const char *script_path = NULL, *roster_arg = NULL, *module = NULL;
	struct script *s = NULL;
	struct p11_ctx *ctx = NULL;
	struct preflight pf = { 0 };
	struct cli_opts p;
	json_t *j = NULL;
	int c, rc = CLI_EXIT_FAIL, e, json = 0;

	cli_opts_init(&p, &cli_verb_check, NULL, check_opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		if (c == OPT_MODULE) {
			module = p.value;
		} else if (c == OPT_ROSTER) {
			roster_arg = p.value;
		} else if (c == OPT_JSON) {
			json = 1;
		} else if (script_path == NULL) {
			script_path = p.value;
		} else {
			rc = cli_usage_error(&cli_verb_check, "one script at a time");
			goto out;
		}
	}
	if (c < 0) {
		rc = cli_opts_status(c);
		goto out;
	}
	if (script_path == NULL) {
		rc = cli_usage_error(&cli_verb_check, "which script?");
		goto out;
	}
	if (module == NULL) {
		rc = cli_usage_error(&cli_verb_check, "--module M is required (the tokens to check)");
		goto out;
	}
	e = check_load(script_path, roster_arg, &s);
	if (e == 0)
		e = p11_ctx_open(module, &ctx);
	if (e == 0)
		e = preflight_run(ctx, s, &pf);
	if (e < 0) {
		rc = cli_fail(e);
		goto out;
	}
	if (json) {
		j = preflight_json(&pf, script_path, module);
		if (j == NULL || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
			rc = cli_fail(CE_ERR_NOMEM);
			goto out;
		}
		fputc('\n', stdout);
	} else {
		preflight_print(stdout, &pf);
	}
	rc = pf.missing ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	json_decref(j);
	preflight_free(&pf);
	script_free(s);
	p11_ctx_free(ctx);
	return rc;
}

const struct cli_verb cli_verb_check = {
	.name = "check",
	.synopsis = "SCRIPT --module M [--roster FILE] [--json]",
	.summary = "hold a script's requirements against what the tokens offer",
	.run = check_run,
	.help = check_help,
};
