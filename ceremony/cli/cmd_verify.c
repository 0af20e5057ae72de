/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony verify TRANSCRIPT [--signer CERT] [--signature P7S] [--script S]
 *                 [--roster R] [--outputs DIR] [--expect-key KEY]...
 *                 [--require-production] [--require-cosigners all|ROLE]...
 *                 [--json]
 */
#include "ceremony/cli/cli.h"
#include "ceremony/model/role.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"
#include "common/esc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void verify_help(FILE *f)
{
	fprintf(f,
		"usage: ceremony verify TRANSCRIPT [--signer CERT] [--signature P7S]\n"
		"                       [--script S] [--roster R] [--outputs DIR]\n"
		"                       [--expect-key WORDS|HEX]... [--require-production]\n"
		"                       [--require-cosigners all|ROLE]... [--json]\n\n"
		"Check a ceremony transcript offline: format, sequence numbers, hash chain,\n"
		"UTC times never going back, a step run once, no actor witnessing their own\n"
		"step, quorums met by distinct holders, no forbidden role pair (policy 4.2.4),\n"
		"and the detached CMS signature TRANSCRIPT.p7s, whose signer must be the key\n"
		"the transcript announced (transcript.key).\n\n"
		"  --signer CERT     your own copy of the signer certificate: must be the signer\n"
		"  --signature P7S   the signature file (default TRANSCRIPT.p7s)\n"
		"  --script S        also check against the ceremony script: its SHA-256 and\n"
		"                    the roster's are those recorded at the start; steps in\n"
		"                    the script's order, none skipped; seats, actors,\n"
		"                    witnesses and quorums by the policy, on the ceremony's date\n"
		"  --roster R        the roster (default: the script's roster:)\n"
		"  --outputs DIR     the outputs' SHA-256 must match the files in DIR\n"
		"  --expect-key KEY  the ceremony's transcript key, as on the paper log: its\n"
		"                    eight fingerprint words in one argument (\"word word ...\")\n"
		"                    or its SPKI SHA-256 in hex; repeatable, any one matches;\n"
		"                    FAILED when another key signed. Without it, OK proves only\n"
		"                    that the file is unchanged since signing by the key shown\n"
		"  --require-production  FAILED for a rehearsal or a run answered from a file\n"
		"  --require-cosigners all|ROLE  every person seated (all) or seated in ROLE\n"
		"                    must have co-signed with their roster certificate;\n"
		"                    FAILED naming who is missing; repeatable; needs --script.\n"
		"                    Co-signers are listed (checked against the roster with\n"
		"                    --script)\n"
		"  --json            print the verdict as one JSON object\n\n"
		"exit status: 0 OK, 3 INCOMPLETE (a valid prefix: the ceremony did not\n"
		"complete), 4 FAILED (first failing line and reason), 1 error (could not\n"
		"check), 2 usage.\n");
}

enum {
	OPT_JSON = CLI_OPT_KEY, OPT_SIGNER, OPT_SIGNATURE, OPT_SCRIPT, OPT_ROSTER, OPT_OUTPUTS,
	OPT_EXPECT_KEY, OPT_REQUIRE_PRODUCTION, OPT_REQUIRE_COSIGNERS
};

static const struct cli_opt verify_opts[] = {
	{ "json", OPT_JSON, 0 },
	{ "signer", OPT_SIGNER, 1 },
	{ "signature", OPT_SIGNATURE, 1 },
	{ "script", OPT_SCRIPT, 1 },
	{ "roster", OPT_ROSTER, 1 },
	{ "outputs", OPT_OUTPUTS, 1 },
	{ "expect-key", OPT_EXPECT_KEY, 1 },
	{ "require-production", OPT_REQUIRE_PRODUCTION, 0 },
	{ "require-cosigners", OPT_REQUIRE_COSIGNERS, 1 },
	{ NULL, 0, 0 },
};

/* The human verdict: what was checked, what is proven. */
static void verify_print(const char *path, const struct verify_opts *o,
			 const struct verify_report *rep)
{
	size_t i;

	esc_fprintf(stdout, "%s: %s\n", path, verify_verdict_name(rep->verdict));
	if (rep->reason[0])
		esc_fprintf(stdout, "  %s\n", rep->reason);
	if (rep->ceremony_id[0])
		esc_fprintf(stdout, "  ceremony:    %s%sid %s%s%s\n", rep->ceremony,
			    rep->ceremony[0] ? ", " : "", rep->ceremony_id,
			    rep->rehearsal ? ", REHEARSAL" : "",
			    rep->scripted_input ? ", SCRIPTED INPUT" : "");
	if (rep->events > 0)
		printf("  production:  %s\n", verify_production_text(rep));
	printf("  events:      %llu", (unsigned long long)rep->events);
	if (rep->start_time[0])
		esc_fprintf(stdout, ", %s to %s", rep->start_time, rep->end_time);
	printf("\n");
	/* what replay flags, verify says too: times are only as good as the clock */
	if (rep->clock_unsynchronised || rep->clock_held)
		printf("  clock:       %s%s%s\n",
		       rep->clock_unsynchronised ? "NOT synchronised at the start (policy 5.5): "
						   "the times are the host's own" : "",
		       rep->clock_unsynchronised && rep->clock_held ? "; " : "",
		       rep->clock_held ? "the host clock went back during the run (clock.held): "
					 "times held" : "");
	if (rep->key_line)
		printf("  signer key:  announced at line %llu, SPKI SHA-256 %s\n"
		       "  fingerprint: %s\n",
		       (unsigned long long)rep->key_line, rep->key_spki_sha256, rep->key_words);
	for (i = 0; i < rep->n_expected; i++)
		esc_fprintf(stdout, "  expected:    %s%s\n", rep->expected[i],
		       rep->signer_matched && verify_pin_matches(rep->expected[i], rep->key_spki_sha256) ?
			       " (matches)" : "");
	printf("  signature:   %s%s\n",
	       rep->signature_ok			     ? "valid, by the announced key" :
	       rep->verdict == VERIFY_FAILED && rep->fail_line ? "not checked (a line failed first)" :
	       rep->signed_				     ? "present, NOT valid" :
								       "none",
	       !rep->signature_ok	? "" :
	       rep->signer_matched	? ", an expected key" :
	       rep->n_expected		? ", NOT an expected key" :
					  " (not pinned: see below)");
	if (rep->signature_ok)
		verify_cosign_print(stdout, rep);
	if (o->outputs_dir != NULL)
		esc_fprintf(stdout, "  outputs:     %llu checked in %s\n",
			    (unsigned long long)rep->outputs_checked, o->outputs_dir);
	esc_fprintf(stdout, "  proven:      %s\n", rep->proof);
	if (rep->verdict == VERIFY_OK && rep->key_line && rep->n_expected == 0)
		printf("Compare the fingerprint words with those on the paper log.\n");
}

static int verify_run(int argc, char **argv)
{
	const char *expect[VERIFY_EXPECT_MAX];
	const char *cosigners[ROLE_COUNT + 1];
	char pin[VERIFY_PIN_LEN];
	struct verify_opts o;
	struct verify_report rep;
	struct cli_opts p;
	const char *path = NULL;
	int json = 0;
	int c, r;

	memset(&o, 0, sizeof(o));
	o.expect_keys = expect;
	o.require_cosigners = cosigners;
	cli_opts_init(&p, &cli_verb_verify, NULL, verify_opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		switch (c) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_SIGNER:
			o.signer_path = p.value;
			break;
		case OPT_SIGNATURE:
			o.sig_path = p.value;
			break;
		case OPT_SCRIPT:
			o.script_path = p.value;
			break;
		case OPT_ROSTER:
			o.roster_path = p.value;
			break;
		case OPT_OUTPUTS:
			o.outputs_dir = p.value;
			break;
		case OPT_EXPECT_KEY:
			if (o.n_expect_keys == VERIFY_EXPECT_MAX)
				return cli_usage_error(&cli_verb_verify, "at most %d --expect-key",
						       VERIFY_EXPECT_MAX);
			if (verify_pin_parse(p.value, pin, sizeof(pin)) < 0)
				return cli_usage_error(&cli_verb_verify, "--expect-key: %s",
						       ce_err_detail());
			expect[o.n_expect_keys++] = p.value;
			break;
		case OPT_REQUIRE_PRODUCTION:
			o.require_production = 1;
			break;
		case OPT_REQUIRE_COSIGNERS: {
			enum role ro;

			if (strcmp(p.value, "all") != 0 && role_parse(p.value, &ro) < 0)
				return cli_usage_error(&cli_verb_verify,
						       "--require-cosigners wants all or a role (%s), not '%s'",
						       role_list_all(), p.value);
			if (o.n_require_cosigners == ROLE_COUNT + 1)
				return cli_usage_error(&cli_verb_verify, "too many --require-cosigners");
			cosigners[o.n_require_cosigners++] = p.value;
			break;
		}
		default: /* CLI_OPT_OPERAND */
			if (path != NULL)
				return cli_usage_error(&cli_verb_verify, "one transcript at a time");
			path = p.value;
			break;
		}
	}
	if (c < 0)
		return cli_opts_status(c);
	if (path == NULL)
		return cli_usage_error(&cli_verb_verify, "no transcript given");
	if (o.roster_path != NULL && o.script_path == NULL)
		return cli_usage_error(&cli_verb_verify, "--roster needs --script");
	if (o.n_require_cosigners > 0 && o.script_path == NULL)
		return cli_usage_error(&cli_verb_verify, "--require-cosigners needs --script");
	r = verify_transcript(path, &o, &rep);
	if (r < 0)
		return cli_fail(r);
	if (json) {
		json_t *j = verify_report_json(path, &rep);

		if (j != NULL && json_object_set_new(j, "cosigners", verify_cosign_json(&rep)) != 0) {
			json_decref(j);
			j = NULL;
		}
		char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

		json_decref(j);
		if (s == NULL)
			return cli_fail(CE_ERR_NOMEM);
		printf("%s\n", s);
		free(s);
	} else {
		verify_print(path, &o, &rep);
	}
	fflush(stdout);
	return verify_exit_code(rep.verdict);
}

const struct cli_verb cli_verb_verify = {
	.name = "verify",
	.synopsis = "TRANSCRIPT [--expect-key KEY] [--script S] [--outputs DIR] [--json] ...",
	.summary = "check a ceremony transcript: chain, signature, rules",
	.run = verify_run,
	.help = verify_help,
};
