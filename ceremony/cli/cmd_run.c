/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony run SCRIPT [--roster FILE] [--outdir DIR] [--module PATH]
 *     [--rehearsal] [--input FILE] [--allow-scripted-input] [--today DATE]
 *     [--issued-in TRANSCRIPT [--issued-in-key WORDS|HEX]]...
 */
#include "ceremony/cli/cli.h"
#include "ceremony/run/run.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_MAX_ISSUED_IN 64

static void run_help(FILE *f)
{
	fprintf(f,
		"usage: ceremony run SCRIPT [--roster FILE] [--outdir DIR] [--module PATH]\n"
		"           [--rehearsal] [--input FILE] [--allow-scripted-input]\n"
		"           [--today YYYY-MM-DD]\n"
		"           [--issued-in TRANSCRIPT [--issued-in-key WORDS|HEX]]...\n\n"
		"Run a ceremony at the console: lint first (refused on any error), then\n"
		"attendance, each step announced with who acts and who witnesses, witness\n"
		"confirmations, quorum entry one key holder at a time, a signed transcript\n"
		"OUTDIR/transcript.jsonl (+ .p7s, -signer.pem) and a closing summary.\n\n"
		"  --roster FILE          the roster (default: the script's 'roster')\n"
		"  --outdir DIR           transcript and outputs (default: .); never overwritten\n"
		"  --module PATH          PKCS#11 module (default: p11-kit's registered modules)\n"
		"  --rehearsal            a rehearsal: recorded as such; shares go to\n"
		"                         OUTDIR/rehearsal/<holder>.shares, not to the screen\n"
		"  --input FILE           answer prompts from FILE (KEY = ANSWER lines)\n"
		"  --allow-scripted-input allow --input in a production (non-rehearsal) run\n"
		"  --today DATE           policy date (rehearsal only; default: today, UTC)\n"
		"  --issued-in TRANSCRIPT a transcript that issued shares used here (verified\n"
		"                         first; repeatable; the latest issuance of a secret wins)\n"
		"  --issued-in-key KEY    the transcript key of the --issued-in before it, as\n"
		"                         on that ceremony's paper log: its eight words (one\n"
		"                         argument) or SPKI SHA-256 hex; another signer is\n"
		"                         refused. Without it, the words are typed at the\n"
		"                         console from the paper log (answer issued-in-key.N)\n\n"
		"At any prompt, type abort (or Ctrl-C, Ctrl-D) to abort; the reason is asked and\n"
		"recorded. Exit 0 completed, 1 failed, 2 usage, 3 aborted.\n");
}

enum {
	OPT_REHEARSAL = CLI_OPT_KEY, OPT_ALLOW_SCRIPTED, OPT_ROSTER, OPT_OUTDIR, OPT_MODULE,
	OPT_INPUT, OPT_TODAY, OPT_ISSUED_IN, OPT_ISSUED_IN_KEY
};

static const struct cli_opt run_opts[] = {
	{ "rehearsal", OPT_REHEARSAL, 0 },
	{ "allow-scripted-input", OPT_ALLOW_SCRIPTED, 0 },
	{ "roster", OPT_ROSTER, 1 },
	{ "outdir", OPT_OUTDIR, 1 },
	{ "module", OPT_MODULE, 1 },
	{ "input", OPT_INPUT, 1 },
	{ "today", OPT_TODAY, 1 },
	{ "issued-in", OPT_ISSUED_IN, 1 },
	{ "issued-in-key", OPT_ISSUED_IN_KEY, 1 },
	{ NULL, 0, 0 },
};

static int run_run(int argc, char **argv)
{
	struct run_opts o;
	const char *issued[RUN_MAX_ISSUED_IN], *issued_key[RUN_MAX_ISSUED_IN];
	char pin[VERIFY_PIN_LEN];
	struct cli_opts p;
	int c;

	memset(&o, 0, sizeof(o));
	o.issued_in = issued;
	o.issued_in_key = issued_key;
	cli_opts_init(&p, &cli_verb_run, NULL, run_opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		switch (c) {
		case OPT_REHEARSAL:
			o.rehearsal = 1;
			break;
		case OPT_ALLOW_SCRIPTED:
			o.allow_scripted_input = 1;
			break;
		case OPT_ROSTER:
			o.roster_path = p.value;
			break;
		case OPT_OUTDIR:
			o.outdir = p.value;
			break;
		case OPT_MODULE:
			o.module = p.value;
			break;
		case OPT_INPUT:
			o.input_path = p.value;
			break;
		case OPT_TODAY:
			o.today = p.value;
			break;
		case OPT_ISSUED_IN:
			if (o.n_issued_in == RUN_MAX_ISSUED_IN)
				return cli_usage_error(&cli_verb_run, "at most %d --issued-in",
						       RUN_MAX_ISSUED_IN);
			issued_key[o.n_issued_in] = NULL;
			issued[o.n_issued_in++] = p.value;
			break;
		case OPT_ISSUED_IN_KEY:
			/* pins the --issued-in just before it */
			if (o.n_issued_in == 0 || issued_key[o.n_issued_in - 1] != NULL)
				return cli_usage_error(&cli_verb_run,
						       "--issued-in-key follows the --issued-in it pins "
						       "(one key each)");
			if (verify_pin_parse(p.value, pin, sizeof(pin)) < 0)
				return cli_usage_error(&cli_verb_run, "--issued-in-key: %s",
						       ce_err_detail());
			issued_key[o.n_issued_in - 1] = p.value;
			break;
		default: /* CLI_OPT_OPERAND */
			if (o.script_path != NULL)
				return cli_usage_error(&cli_verb_run, "one script at a time");
			o.script_path = p.value;
			break;
		}
	}
	if (c < 0)
		return cli_opts_status(c);
	if (o.script_path == NULL)
		return cli_usage_error(&cli_verb_run, "which script?");
	if (o.today != NULL && !o.rehearsal)
		return cli_usage_error(&cli_verb_run,
				       "--today is for rehearsals only (production uses today's UTC date)");
	if (o.input_path != NULL && !o.rehearsal && !o.allow_scripted_input)
		return cli_usage_error(&cli_verb_run,
				       "--input in a production run needs --allow-scripted-input "
				       "(or rehearse with --rehearsal)");
	return run_ceremony(&o);
}

const struct cli_verb cli_verb_run = {
	.name = "run",
	.synopsis = "SCRIPT [--outdir DIR] [--module PATH] [--rehearsal] [--input FILE] ...",
	.summary = "run a ceremony at the console, with a signed transcript",
	.run = run_run,
	.help = run_help,
};
