/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony roster check ROSTER [--today YYYY-MM-DD]
 *
 * The roster alone: every person well formed, no forbidden role pair, vetting
 * and training current. Prints a table of people, then the findings.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/model/diag.h"
#include "ceremony/policy/policy.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/roster_cert.h"
#include "common/hex.h"
#include "common/err.h"
#include "common/esc.h"

#include <string.h>

static void roster_help(FILE *f)
{
	fprintf(f, "usage: ceremony roster check ROSTER [--today YYYY-MM-DD]\n\n"
		   "Check a roster (docs/script-format.md, section 6) on its own: every person\n"
		   "well formed, no person holding a forbidden role pair (policy 4.2.4), vetting\n"
		   "(policy 4.3.2) and training (policy 4.3.4) current on the day. Prints a table\n"
		   "of people, roles and their vetting and training status, then every finding\n"
		   "as FILE:LINE:COL: error|warning: message and a summary. A person's\n"
		   "personal-token certificate (certificate:) is checked too: validity on the\n"
		   "day, key usage digitalSignature, RSA >= 2048 bits or EC P-256/P-384.\n\n"
		   "  --today DATE    check dates as on DATE (default: today, UTC)\n\n"
		   "Exit 0 when there is no error, 1 otherwise, 2 on a usage error.\n");
}

static const char *status_word(int stale, int future, int soon)
{
	if (future)
		return "FUTURE";
	if (stale)
		return "STALE";
	if (soon)
		return "soon";
	return "ok";
}

static void print_table(const struct roster *r, const struct roster_date *today)
{
	size_t i;
	unsigned ro;

	printf("%-12s %-22s %-44s %-24s %s\n", "ID", "NAME", "ROLES", "VETTING", "TRAINING");
	for (i = 0; i < r->npeople; i++) {
		const struct roster_person *p = &r->people[i];
		struct policy_status st;
		char roles[256], vet[48], tr[48], until[16];
		size_t off = 0;

		roles[0] = '\0';
		for (ro = 0; ro < ROLE_COUNT; ro++) {
			int w;

			if (!(p->roles & ROLE_BIT(ro)))
				continue;
			w = snprintf(roles + off, sizeof(roles) - off, "%s%s", off ? "," : "",
				     role_name((enum role)ro));
			if (w < 0 || (size_t)w >= sizeof(roles) - off)
				break;
			off += (size_t)w;
		}
		policy_person_status(r, p, today, &st);
		roster_date_format(&st.vetting_until, until, sizeof(until));
		snprintf(vet, sizeof(vet), "%s to %s", status_word(st.vetting_stale, st.vetting_future,
								    st.vetting_soon), until);
		roster_date_format(&st.training_until, until, sizeof(until));
		snprintf(tr, sizeof(tr), "%s to %s", status_word(st.training_stale, st.training_future,
								  st.training_soon), until);
		esc_fprintf(stdout, "%-12s %-22.22s %-44s %-24s %s\n", p->id, p->name, roles, vet,
			    tr);
	}
}

/* Who carries a personal-token certificate, by its SPKI SHA-256. */
static void print_cards(const struct roster *r)
{
	size_t i;
	char hex[65];

	for (i = 0; i < r->npeople; i++) {
		if (!r->people[i].has_spki)
			continue;
		hex_encode(r->people[i].spki_sha256, 32, hex);
		esc_fprintf(stdout, "card %-12s spki-sha256:%s%s%s\n", r->people[i].id, hex,
			    r->people[i].token ? " token " : "",
			    r->people[i].token ? r->people[i].token : "");
	}
}

enum { OPT_TODAY = CLI_OPT_KEY };

static const struct cli_opt roster_check_opts[] = {
	{ "today", OPT_TODAY, 1 },
	{ NULL, 0, 0 },
};

static int roster_run(int argc, char **argv)
{
	static const char *const subverbs[] = { "check", NULL };
	const char *path = NULL, *today_arg = NULL;
	struct roster *r = NULL;
	struct roster_date today;
	struct diag d;
	struct cli_opts p;
	int c, rc = CLI_EXIT_FAIL, e;

	diag_init(&d);
	c = cli_subverb_find(&cli_verb_roster, argc, argv, subverbs);
	if (c < 0) {
		rc = cli_opts_status(c);
		goto out;
	}
	cli_opts_init(&p, &cli_verb_roster, "check", roster_check_opts, argc - 1, argv + 1);
	while ((c = cli_opts_next(&p)) > 0) {
		if (c == OPT_TODAY) {
			today_arg = p.value;
		} else if (path == NULL) {
			path = p.value;
		} else {
			rc = cli_usage_error_sub(&cli_verb_roster, "check", "one roster at a time");
			goto out;
		}
	}
	if (c < 0) {
		rc = cli_opts_status(c);
		goto out;
	}
	if (path == NULL) {
		rc = cli_usage_error_sub(&cli_verb_roster, "check", "which roster?");
		goto out;
	}
	if (today_arg != NULL) {
		if (roster_date_parse(today_arg, &today) < 0) {
			rc = cli_usage_error_sub(&cli_verb_roster, "check",
						 "--today wants YYYY-MM-DD, not '%s'", today_arg);
			goto out;
		}
	} else {
		roster_date_today(&today);
	}
	e = roster_load(path, &r, &d);
	if (e < 0 && d.errors == 0) {
		rc = cli_fail(e);
		goto out;
	}
	if (r != NULL) {
		print_table(r, &today);
		print_cards(r);
		(void)policy_check_roster_for(r, &today, 0, &d);
		roster_cert_check(r, &today, &d);
	}
	diag_print(stdout, &d);
	esc_fprintf(stdout, "%s: %zu %s, %zu error%s, %zu warning%s\n", path, r ? r->npeople : 0,
		    r && r->npeople == 1 ? "person" : "people", d.errors, d.errors == 1 ? "" : "s",
		    d.warnings, d.warnings == 1 ? "" : "s");
	rc = d.errors ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	roster_free(r);
	diag_free(&d);
	return rc;
}

const struct cli_verb cli_verb_roster = {
	.name = "roster",
	.synopsis = "check ROSTER [--today DATE]",
	.summary = "check a roster: roles, forbidden pairs, vetting, training",
	.run = roster_run,
	.help = roster_help,
};
