/*
 * ceremony/verify_semantics.c - the transcript checked against its script
 * and roster (issue 5 section 1, second half).
 *
 * The event-level rules that need no script (a step runs once, actors never
 * witness their own step, quorums of distinct holders, forbidden role pairs
 * by the roles the events show) are in verify.c's integrity pass. What is
 * here needs the script and roster parsers (ceremony/script.h, roster.h,
 * policy.h): steps in the script's order, each step's roles filled by
 * distinct persons the roster allows, every required witness present,
 * forbidden pairs and stale vetting/training by the roster. This build has
 * no such parser, so a script or roster is refused with CE_ERR_UNSUPPORTED
 * rather than silently unchecked.
 */
#include "ceremony/verify.h"
#include "common/err.h"

int verify_semantics(const char *path, const struct verify_opts *opts, struct verify_report *rep)
{
	int r = CE_ERR_INTERNAL;

	(void)path;
	(void)rep;
	r = ce_err_set(CE_ERR_UNSUPPORTED,
		       "verify: checking against a %s needs the script and roster parsers, which this build lacks; verify without --script/--roster",
		       opts->script_path != NULL ? "script" : "roster");
	return r;
}
