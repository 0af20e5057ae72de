/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony lint SCRIPT [--roster FILE] [--today YYYY-MM-DD] [--outdir DIR]
 *                      [--module PATH]
 *
 * Everything that can be known before the HSM is touched: the script's
 * schema, the roster, the policy (roles, forbidden pairs, vetting, training,
 * quorums, actors never witnessing), outputs not already there. Every finding
 * is printed as "FILE:LINE:COL: error: ..." then a summary; exit 1 on any
 * error. With --module, the PINs the script makes are also held against the
 * PIN range of its tokens as that module reports them.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/model/diag.h"
#include "ceremony/policy/lint.h"
#include "ceremony/policy/pinplan.h"
#include "ceremony/policy/policy.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"
#include "common/err.h"
#include "common/esc.h"
#include "pkcs11/p11.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void lint_help(FILE *f)
{
	fprintf(f, "usage: ceremony lint SCRIPT [--roster FILE] [--today YYYY-MM-DD] [--outdir DIR]\n"
		   "                     [--module PATH]\n\n"
		   "Check a ceremony script before anything touches the HSM: its schema\n"
		   "(docs/script-format.md), token URIs, that the roster can fill every role\n"
		   "slot with eligible persons (roles granted, vetting at most 2 years and\n"
		   "training at most 1 year old, no forbidden role pair, an actor never witnessing\n"
		   "their own step), that every quorum can be met, and that no output exists.\n\n"
		   "  --roster FILE   the roster (default: the script's 'roster', relative to it)\n"
		   "  --today DATE    check dates as on DATE (rehearsals, tests; default: today, UTC)\n"
		   "  --outdir DIR    where outputs will be written (default: .)\n"
		   "  --module PATH   also hold each PIN the script makes (pin-length,\n"
		   "                  pin-alphabet) against its token's PIN range, read from\n"
		   "                  this PKCS#11 module; nothing is written to the token\n\n"
		   "Prints every finding as FILE:LINE:COL: error|warning: message, then a\n"
		   "summary. Exit 0 when there is no error (warnings allowed), 1 otherwise,\n"
		   "2 on a usage error.\n");
}

enum { OPT_ROSTER = CLI_OPT_KEY, OPT_TODAY, OPT_OUTDIR, OPT_MODULE };

static const struct cli_opt lint_opts[] = {
	{ "roster", OPT_ROSTER, 1 },
	{ "today", OPT_TODAY, 1 },
	{ "outdir", OPT_OUTDIR, 1 },
	{ "module", OPT_MODULE, 1 },
	{ NULL, 0, 0 },
};

static int lint_run(int argc, char **argv)
{
	const char *script_path = NULL, *roster_arg = NULL, *today_arg = NULL, *outdir = ".";
	const char *module = NULL;
	struct p11_ctx *ctx = NULL;
	struct script *s = NULL;
	struct roster *r = NULL;
	struct roster_date today;
	struct diag d;
	struct cli_opts p;
	int c, rc = CLI_EXIT_FAIL, e;

	diag_init(&d);
	cli_opts_init(&p, &cli_verb_lint, NULL, lint_opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		if (c == OPT_ROSTER) {
			roster_arg = p.value;
		} else if (c == OPT_TODAY) {
			today_arg = p.value;
		} else if (c == OPT_OUTDIR) {
			outdir = p.value;
		} else if (c == OPT_MODULE) {
			module = p.value;
		} else if (script_path == NULL) {
			script_path = p.value;
		} else {
			rc = cli_usage_error(&cli_verb_lint, "one script at a time");
			goto out;
		}
	}
	if (c < 0) {
		rc = cli_opts_status(c);
		goto out;
	}
	if (script_path == NULL) {
		rc = cli_usage_error(&cli_verb_lint, "which script?");
		goto out;
	}
	if (today_arg != NULL) {
		if (roster_date_parse(today_arg, &today) < 0) {
			rc = cli_usage_error(&cli_verb_lint, "--today wants YYYY-MM-DD, not '%s'",
					     today_arg);
			goto out;
		}
	} else {
		roster_date_today(&today);
	}
	e = lint_load(script_path, roster_arg, &today, outdir, &s, &r, &d);
	if (e < 0) {
		rc = cli_fail(e);
		goto out;
	}
	if (module != NULL && s != NULL) {
		e = p11_ctx_open(module, &ctx);
		if (e == 0)
			e = pin_plan_lint_module(s, ctx, &d);
		if (e < 0) {
			rc = cli_fail(e);
			goto out;
		}
	}
	diag_print(stdout, &d);
	esc_fprintf(stdout, "%s: %zu error%s, %zu warning%s%s\n", script_path, d.errors,
		    d.errors == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s",
		    d.errors ? "" : s != NULL ? " - ready to run" : "");
	rc = d.errors ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	p11_ctx_free(ctx);
	roster_free(r);
	script_free(s);
	diag_free(&d);
	return rc;
}

const struct cli_verb cli_verb_lint = {
	.name = "lint",
	.synopsis = "SCRIPT [--roster FILE] [--today DATE] [--outdir DIR] [--module PATH]",
	.summary = "check a ceremony script against its roster and the policy",
	.run = lint_run,
	.help = lint_help,
};
