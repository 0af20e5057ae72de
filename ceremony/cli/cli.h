/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cli.h - the command table.
 *
 * Each verb lives in its own ceremony/cli/cmd_<verb>.c and exports one
 * struct cli_verb. main() dispatches on argv[1]. A verb's run() gets argv with
 * argv[0] == the verb name and returns the process exit status:
 *   0  success (or --help: the usage was printed to stdout)
 *   1  failure (the error was printed, naming what and where)
 *   2  usage error: one line naming the mistake, then "Try 'ceremony VERB
 *      --help'." (stderr)
 * Verbs may document further exit codes in their help and the man page.
 *
 * Every verb and sub-verb reads its options with cli_opts_next (one parser,
 * getopt_long underneath): --opt VALUE and --opt=VALUE, -h and --help, "--"
 * ending the options, operands anywhere among the options, long names spelt
 * whole (no abbreviations).
 */
#ifndef CE_CEREMONY_CLI_H
#define CE_CEREMONY_CLI_H

#include <getopt.h>
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

/* The program's name in messages: "ceremony" unless a program (the auditor's
 * ceremony-verify) sets its own before parsing. */
extern const char *cli_program;

/* Print "ceremony: VERB: message" then "Try 'ceremony VERB --help'." to
 * stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_verb *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same for a sub-verb: "ceremony: VERB SUB: message" then "Try 'ceremony
 * VERB SUB --help'.". sub NULL is cli_usage_error; v NULL (no verb yet) says
 * "ceremony: message" then "Try 'ceremony help'.". Returns CLI_EXIT_USAGE. */
int cli_usage_error_sub(const struct cli_verb *v, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The option parser. A verb describes its options in a table:
 *
 *   static const struct cli_opt lint_opts[] = {
 *           { "roster", OPT_ROSTER, 1 },
 *           { "today", OPT_TODAY, 1 },
 *           { NULL, 0, 0 },
 *   };
 *
 * and reads argv with
 *
 *   cli_opts_init(&p, &cli_verb_lint, NULL, lint_opts, argc, argv);
 *   while ((c = cli_opts_next(&p)) > 0)
 *           switch (c) { case OPT_ROSTER: roster = p.value; break; ...
 *                        case CLI_OPT_OPERAND: script = p.value; break; }
 *   if (c < 0)
 *           return cli_opts_status(c);
 *
 * -h and --help are in every table: the parser prints p.help to stdout and
 * returns CLI_OPTS_HELP. Unknown options, missing values, a value given to an
 * option that takes none: one line and the "Try" line (cli_usage_error_sub),
 * and CLI_OPTS_USAGE. getopt's own messages are off (opterr = 0), and its
 * state is reset by cli_opts_init (optind = 0), so sub-verbs parse again.
 */

/* Keys: a letter key is also the short option -LETTER (combinable: -ab);
 * a long-only option takes a key from CLI_OPT_KEY up. */
#define CLI_OPT_KEY 256
/* What cli_opts_next returns for an operand (p->value), in argv order. */
#define CLI_OPT_OPERAND 1
/* cli_opts_next's results other than a key. */
#define CLI_OPTS_END 0
#define CLI_OPTS_HELP (-1)  /* usage printed to stdout: exit CLI_EXIT_OK */
#define CLI_OPTS_USAGE (-2) /* usage error printed: exit CLI_EXIT_USAGE */
#define CLI_OPTS_FAIL (-3)  /* a failure (a table over CLI_OPTS_MAX), printed: exit 1 */

/* Options in one table, -h/--help not counted. */
#define CLI_OPTS_MAX 40

struct cli_opt {
	const char *name; /* long name, without the "--"; NULL ends the table */
	int key;	  /* returned for it: a letter, or >= CLI_OPT_KEY */
	int has_value;	  /* 1: --name VALUE or --name=VALUE; 0: a flag */
};

struct cli_opts {
	const struct cli_verb *verb; /* named in messages; NULL: before the verb */
	const char *sub;	     /* the sub-verb, or NULL */
	void (*help)(FILE *f);	     /* printed on -h/--help: verb->help unless set */
	char *value;		     /* the last option's value or operand: borrowed from argv */
	/* private */
	const struct cli_opt *table;
	int argc;
	char **argv;
	int rest; /* after "--" or the end: the next operand's index */
	int table_ok;
	struct option longopts[CLI_OPTS_MAX + 2];
	char shortopts[3 + 2 * CLI_OPTS_MAX + 2];
};

/* Start reading argv[1..argc) (argv[0]: the verb or sub-verb name) with
 * table (borrowed, must outlive p). */
void cli_opts_init(struct cli_opts *p, const struct cli_verb *v, const char *sub,
		   const struct cli_opt *table, int argc, char **argv);

/* The next option's key (its value in p->value), CLI_OPT_OPERAND (p->value),
 * CLI_OPTS_END, or a negative CLI_OPTS_* with its message printed. */
int cli_opts_next(struct cli_opts *p);

/* The exit status for a negative cli_opts_next or cli_subverb_find result. */
int cli_opts_status(int c);

/* A usage error found while reading p's options (a bad value, options that do
 * not go together): printed as cli_usage_error_sub for p's verb and sub-verb.
 * Returns CLI_OPTS_USAGE, so a verb's own parse function returns 0 or a
 * negative CLI_OPTS_* like cli_opts_next. */
int cli_opts_usage(const struct cli_opts *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A verb with sub-verbs: the index of argv[1] in names (NULL-terminated),
 * or a negative CLI_OPTS_* (-h/--help, an option, no or an unknown sub-verb:
 * printed). */
int cli_subverb_find(const struct cli_verb *v, int argc, char **argv,
		     const char *const *names);

/* Print the error for code (< 0) and return CLI_EXIT_FAIL. */
int cli_fail(int code);

/* Print the list of verbs (main usage). */
void cli_usage_all(FILE *f);

/* The verbs. Add one line here and one in verbs.c per verb. */
extern const struct cli_verb cli_verb_help;
extern const struct cli_verb cli_verb_version;
extern const struct cli_verb cli_verb_shares;
extern const struct cli_verb cli_verb_lint;
extern const struct cli_verb cli_verb_check;
extern const struct cli_verb cli_verb_run;
extern const struct cli_verb cli_verb_roster;
extern const struct cli_verb cli_verb_hsm;
extern const struct cli_verb cli_verb_x509;
extern const struct cli_verb cli_verb_verify;
extern const struct cli_verb cli_verb_replay;
extern const struct cli_verb cli_verb_print;
extern const struct cli_verb cli_verb_archive;

#endif
