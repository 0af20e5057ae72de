/*
 * ceremony run SCRIPT [--roster FILE] [--outdir DIR] [--module PATH]
 *     [--rehearsal] [--input FILE] [--allow-scripted-input] [--today DATE]
 *     [--issued-in TRANSCRIPT]...
 */
#include "ceremony/cli/cli.h"
#include "ceremony/run/run.h"
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
		"           [--today YYYY-MM-DD] [--issued-in TRANSCRIPT]...\n\n"
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
		"                         first; repeatable; the latest issuance of a secret wins)\n\n"
		"At any prompt, type abort (or Ctrl-C, Ctrl-D) to abort; the reason is asked and\n"
		"recorded. Exit 0 completed, 1 failed, 2 usage, 3 aborted.\n");
}

static int run_run(int argc, char **argv)
{
	struct run_opts o;
	const char *issued[RUN_MAX_ISSUED_IN];
	int i;

	memset(&o, 0, sizeof(o));
	o.issued_in = issued;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--rehearsal") == 0) {
			o.rehearsal = 1;
		} else if (strcmp(a, "--allow-scripted-input") == 0) {
			o.allow_scripted_input = 1;
		} else if (strcmp(a, "--roster") == 0 || strcmp(a, "--outdir") == 0 ||
			   strcmp(a, "--module") == 0 || strcmp(a, "--input") == 0 ||
			   strcmp(a, "--today") == 0 || strcmp(a, "--issued-in") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error(&cli_verb_run, "%s needs a value", a);
			i++;
			if (strcmp(a, "--roster") == 0)
				o.roster_path = argv[i];
			else if (strcmp(a, "--outdir") == 0)
				o.outdir = argv[i];
			else if (strcmp(a, "--module") == 0)
				o.module = argv[i];
			else if (strcmp(a, "--input") == 0)
				o.input_path = argv[i];
			else if (strcmp(a, "--today") == 0)
				o.today = argv[i];
			else if (o.n_issued_in == RUN_MAX_ISSUED_IN)
				return cli_usage_error(&cli_verb_run, "at most %d --issued-in",
						       RUN_MAX_ISSUED_IN);
			else
				issued[o.n_issued_in++] = argv[i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error(&cli_verb_run, "unknown option '%s'", a);
		} else if (o.script_path == NULL) {
			o.script_path = a;
		} else {
			return cli_usage_error(&cli_verb_run, "one script at a time");
		}
	}
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
