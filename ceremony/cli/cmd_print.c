/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony print: the ceremony on paper (ceremony/print/print.h).
 *   ceremony print SCRIPT -o FILE                      the script the room follows
 *   ceremony print --transcript T [--script S] -o FILE the attestation of a run
 * The PDF is written with common/outfile.h: never over an existing file,
 * never half-written.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/cli/cmd_replay.h"
#include "ceremony/model/diag.h"
#include "ceremony/print/print.h"
#include "ceremony/transcript/format.h"
#include "common/err.h"
#include "common/esc.h"
#include "common/hex.h"
#include "common/outfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_OUTPUT = 'o', OPT_TRANSCRIPT = CLI_OPT_KEY, OPT_SCRIPT };

static const struct cli_opt print_opts[] = {
	{ "output", OPT_OUTPUT, 1 },
	{ "transcript", OPT_TRANSCRIPT, 1 },
	{ "script", OPT_SCRIPT, 1 },
	{ NULL, 0, 0 },
};

static void print_help(FILE *f)
{
	fputs("usage: ceremony print SCRIPT -o FILE\n"
	      "       ceremony print --transcript TRANSCRIPT [--script SCRIPT] -o FILE\n\n"
	      "Render the ceremony as a PDF (A4) for the room:\n"
	      "  SCRIPT          the script as the paper the room follows: each step, its\n"
	      "                  actors and witnesses with a name line and an initials box,\n"
	      "                  the values read aloud at the console left blank\n"
	      "  --transcript T  the attestation of a run: the verdict of `ceremony verify`,\n"
	      "                  every event as `ceremony replay` tells it, the fingerprint\n"
	      "                  words, the transcript key's words, a QR code of the\n"
	      "                  transcript's SHA-256, signature lines for those present\n"
	      "  --script S      with --transcript: verify against the script too, and name it\n"
	      "  -o, --output F  the PDF to write (never over an existing file)\n\n"
	      "Printing needs cairo (libcairo.so.2), opened when a page is drawn.\n"
	      "exit status: 0 written, 1 failure (nothing written), 2 usage error\n", f);
}

static int print_script_file(const char *path, const char *out)
{
	struct script *s = NULL;
	struct diag d;
	uint8_t *pdf = NULL;
	size_t len = 0;
	int r = CE_ERR_INTERNAL;

	diag_init(&d);
	r = script_load(path, &s, &d);
	if (r < 0) {
		diag_print(stderr, &d);
		goto out;
	}
	r = print_script_pdf(s, &pdf, &len);
	if (r < 0)
		goto out;
	r = outfile_write_all(out, 0644, pdf, len);
out:
	free(pdf);
	script_free(s);
	diag_free(&d);
	return r;
}

/* replay's narrative of path, into *text (malloc'd). */
static int print_narrative(const char *path, char **text)
{
	size_t n = 0;
	FILE *f = open_memstream(text, &n);
	int r;

	if (f == NULL)
		return CE_ERR_NOMEM;
	r = replay_narrative(path, f, 0);
	if (fclose(f) != 0 && r == 0)
		r = CE_ERR_NOMEM;
	return r;
}

static int print_transcript_file(const char *path, const char *script_path, const char *out)
{
	struct verify_opts o;
	struct verify_report rep;
	struct print_attest a;
	struct script *s = NULL;
	struct diag d;
	uint8_t h[32], *pdf = NULL;
	char hex[65], *text = NULL;
	size_t len = 0;
	int r = CE_ERR_INTERNAL;

	diag_init(&d);
	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	o.script_path = script_path;
	if (script_path != NULL) {
		r = script_load(script_path, &s, &d);
		if (r < 0) {
			diag_print(stderr, &d);
			goto out;
		}
	}
	r = verify_transcript(path, &o, &rep);
	if (r < 0)
		goto out;
	r = transcript_file_sha256(path, h, NULL);
	if (r < 0)
		goto out;
	hex_encode(h, sizeof(h), hex);
	r = print_narrative(path, &text);
	if (r < 0)
		goto out;
	a.path = path;
	a.rep = &rep;
	a.narrative = text;
	a.sha256_hex = hex;
	a.script = s;
	r = print_attest_pdf(&a, &pdf, &len);
	if (r < 0)
		goto out;
	r = outfile_write_all(out, 0644, pdf, len);
	if (r < 0)
		goto out;
	esc_fprintf(stdout, "%s: %s%s%s\n", path, verify_verdict_name(rep.verdict),
		    rep.reason[0] ? ": " : "", rep.reason);
out:
	free(pdf);
	free(text);
	script_free(s);
	diag_free(&d);
	return r;
}

static int print_run(int argc, char **argv)
{
	struct cli_opts p;
	const char *out = NULL, *transcript = NULL, *script = NULL, *operand = NULL;
	int c, r;

	cli_opts_init(&p, &cli_verb_print, NULL, print_opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0)
		switch (c) {
		case OPT_OUTPUT:
			out = p.value;
			break;
		case OPT_TRANSCRIPT:
			transcript = p.value;
			break;
		case OPT_SCRIPT:
			script = p.value;
			break;
		case CLI_OPT_OPERAND:
			if (operand != NULL)
				return cli_usage_error(&cli_verb_print, "one script at a time");
			operand = p.value;
			break;
		}
	if (c < 0)
		return cli_opts_status(c);
	if (out == NULL)
		return cli_usage_error(&cli_verb_print, "no output file (-o FILE)");
	if (transcript == NULL && script != NULL)
		return cli_usage_error(&cli_verb_print, "--script goes with --transcript; "
							"print a script as: ceremony print SCRIPT -o FILE");
	if ((transcript == NULL) == (operand == NULL))
		return cli_usage_error(&cli_verb_print, transcript == NULL
								? "no script given"
								: "a script or --transcript, not both");
	r = transcript != NULL ? print_transcript_file(transcript, script, out)
			       : print_script_file(operand, out);
	if (r < 0)
		return cli_fail(r);
	esc_fprintf(stdout, "wrote %s\n", out);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_print = {
	.name = "print",
	.synopsis = "SCRIPT -o FILE | --transcript T [--script S] -o FILE",
	.summary = "render a script, or the attestation of a run, as a PDF",
	.run = print_run,
	.help = print_help,
};
