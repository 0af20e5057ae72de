/*
 * ceremony/cli/cli.h - the command table.
 *
 * Each verb lives in its own ceremony/cmd_<verb>.c and exports one
 * struct cli_verb. main() dispatches on argv[1]. A verb's run() gets argv with
 * argv[0] == the verb name and returns the process exit status:
 *   0  success
 *   1  failure (the error was printed, naming what and where)
 *   2  usage error (usage printed)
 * Verbs may document further exit codes in their help and the man page.
 */
#ifndef CE_CEREMONY_CLI_H
#define CE_CEREMONY_CLI_H

#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

struct cli_verb {
	const char *name;
	const char *synopsis; /* one line: arguments after the verb name */
	const char *summary;  /* one line: what it does */
	int (*run)(int argc, char **argv);
	void (*help)(FILE *f); /* full usage of the verb */
};

/* The table, NULL-name terminated (ceremony/cli/verbs.c). */
extern const struct cli_verb *const cli_verbs[];

const struct cli_verb *cli_verb_find(const char *name);

/* Print "ceremony: VERB: message" and the verb's usage to stderr; returns 2. */
int cli_usage_error(const struct cli_verb *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print the error for code (< 0) and return CLI_EXIT_FAIL. */
int cli_fail(int code);

/* Print the list of verbs (main usage). */
void cli_usage_all(FILE *f);

/* True when argv has -h or --help at argv[1]. */
int cli_wants_help(int argc, char **argv);

/* The verbs. Add one line here and one in verbs.c per verb. */
extern const struct cli_verb cli_verb_help;
extern const struct cli_verb cli_verb_version;
extern const struct cli_verb cli_verb_shares;
extern const struct cli_verb cli_verb_lint;
extern const struct cli_verb cli_verb_run;
extern const struct cli_verb cli_verb_roster;
extern const struct cli_verb cli_verb_hsm;
extern const struct cli_verb cli_verb_x509;
extern const struct cli_verb cli_verb_verify;
extern const struct cli_verb cli_verb_replay;
extern const struct cli_verb cli_verb_archive;

#endif
