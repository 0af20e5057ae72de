/* SPDX-License-Identifier: Apache-2.0 */
/* ceremony/cli/cli.c - what every verb shares: the option parser, usage
 * errors, failures, help detection. Nothing here names a verb, so a program
 * may link only the verbs it has (ceremony-verify). */
#include "ceremony/cli/cli.h"
#include "common/err.h"
#include "common/esc.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

const char *cli_program = "ceremony";

static void usage_vprint(const struct cli_verb *v, const char *sub, const char *fmt, va_list ap)
{
	if (v == NULL)
		fprintf(stderr, "%s: ", cli_program);
	else if (sub == NULL)
		fprintf(stderr, "%s: %s: ", cli_program, v->name);
	else
		fprintf(stderr, "%s: %s %s: ", cli_program, v->name, sub);
	esc_vfprintf(stderr, fmt, ap); /* may quote argv */
	fputc('\n', stderr);
	if (v == NULL)
		fprintf(stderr, "Try '%s help'.\n", cli_program);
	else if (sub == NULL)
		fprintf(stderr, "Try '%s %s --help'.\n", cli_program, v->name);
	else
		fprintf(stderr, "Try '%s %s %s --help'.\n", cli_program, v->name, sub);
}

int cli_usage_error(const struct cli_verb *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	usage_vprint(v, NULL, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

int cli_usage_error_sub(const struct cli_verb *v, const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	usage_vprint(v, sub, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

int cli_fail(int code)
{
	ce_err_print(code);
	return CLI_EXIT_FAIL;
}


int cli_opts_usage(const struct cli_opts *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	usage_vprint(p->verb, p->sub, fmt, ap);
	va_end(ap);
	return CLI_OPTS_USAGE;
}

/* getopt_long's key for --help and -h. */
#define CLI_OPT_HELP 'h'

void cli_opts_init(struct cli_opts *p, const struct cli_verb *v, const char *sub,
		   const struct cli_opt *table, int argc, char **argv)
{
	size_t i, s = 0;

	memset(p, 0, sizeof(*p));
	p->verb = v;
	p->sub = sub;
	p->help = v != NULL ? v->help : NULL;
	p->table = table;
	p->argc = argc;
	p->argv = argv;
	p->rest = -1;
	/* "-": operands come back in order (whatever POSIXLY_CORRECT says),
	 * ":": a missing value is told apart from an unknown option. */
	p->shortopts[s++] = '-';
	p->shortopts[s++] = ':';
	p->shortopts[s++] = CLI_OPT_HELP;
	for (i = 0; table[i].name != NULL; i++) {
		if (i == CLI_OPTS_MAX)
			return; /* table_ok stays 0: cli_opts_next says so */
		p->longopts[i].name = table[i].name;
		p->longopts[i].has_arg = table[i].has_value ? required_argument : no_argument;
		p->longopts[i].val = table[i].key;
		if (table[i].key < CLI_OPT_KEY && table[i].key != CLI_OPT_OPERAND) {
			p->shortopts[s++] = (char)table[i].key;
			if (table[i].has_value)
				p->shortopts[s++] = ':';
		}
	}
	p->longopts[i].name = "help";
	p->longopts[i].val = CLI_OPT_HELP;
	p->shortopts[s] = '\0';
	p->table_ok = 1;
	optind = 0; /* GNU: start afresh (a sub-verb parses after its verb) */
	opterr = 0; /* our messages, not getopt's */
}

/* arg is "--NAME=VALUE" and NAME is a flag (takes no value). */
static int opts_flag_given_value(const struct cli_opts *p, const char *arg)
{
	size_t i, n;

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	arg += 2;
	n = strcspn(arg, "=");
	if (arg[n] != '=')
		return 0;
	if (n == 4 && strncmp(arg, "help", 4) == 0)
		return 1;
	for (i = 0; p->table[i].name != NULL; i++)
		if (strlen(p->table[i].name) == n && strncmp(p->table[i].name, arg, n) == 0)
			return !p->table[i].has_value;
	return 0;
}

/* getopt_long said '?' (an unknown option, or a value given to a flag) or
 * ':' (a value missing): name the option as it was written. A long option's
 * word is argv[optind - 1]; a short one is optopt. */
static int opts_error(const struct cli_opts *p, int c)
{
	const char *arg = optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "";
	int n = (int)strcspn(arg, "=");

	if (c == ':' && strncmp(arg, "--", 2) == 0)
		return cli_opts_usage(p, "option '%s' needs a value", arg);
	if (c == ':')
		return cli_opts_usage(p, "option '-%c' needs a value", optopt);
	if (optopt != 0 && opts_flag_given_value(p, arg))
		return cli_opts_usage(p, "option '%.*s' takes no value", n, arg);
	if (optopt == 0 || optopt >= CLI_OPT_KEY)
		return cli_opts_usage(p, "unknown option '%.*s'", n, arg);
	return cli_opts_usage(p, "unknown option '-%c'", optopt);
}

int cli_opts_next(struct cli_opts *p)
{
	int c, idx = -1;

	p->value = NULL;
	if (!p->table_ok) {
		ce_err_print(ce_err_set(CE_ERR_INTERNAL, "%s: more than %d options in a table",
					p->verb != NULL ? p->verb->name : cli_program, CLI_OPTS_MAX));
		return CLI_OPTS_FAIL;
	}
	if (p->rest >= 0) {
		if (p->rest >= p->argc)
			return CLI_OPTS_END;
		p->value = p->argv[p->rest++];
		return CLI_OPT_OPERAND;
	}
	c = getopt_long(p->argc, p->argv, p->shortopts, p->longopts, &idx);
	if (c == -1) {
		/* the end, or "--": what follows are operands */
		p->rest = optind;
		return cli_opts_next(p);
	}
	if (c == '?' || c == ':')
		return opts_error(p, c);
	if (idx >= 0) {
		/* getopt_long takes a unique prefix (--rost for --roster): ours
		 * are spelt whole, so adding an option never breaks a script. */
		const char *arg = optarg != NULL && optarg == p->argv[optind - 1] ?
					  p->argv[optind - 2] : p->argv[optind - 1];
		size_t n = strcspn(arg, "=");

		if (n != 2 + strlen(p->longopts[idx].name))
			return cli_opts_usage(p, "unknown option '%.*s'", (int)n, arg);
	}
	if (c == CLI_OPT_HELP) {
		if (p->help != NULL)
			p->help(stdout);
		return CLI_OPTS_HELP;
	}
	p->value = optarg;
	return c;
}

int cli_opts_status(int c)
{
	switch (c) {
	case CLI_OPTS_HELP:
		return CLI_EXIT_OK;
	case CLI_OPTS_USAGE:
		return CLI_EXIT_USAGE;
	default:
		return CLI_EXIT_FAIL;
	}
}

int cli_subverb_find(const struct cli_verb *v, int argc, char **argv, const char *const *names)
{
	static const struct cli_opt none[] = { { NULL, 0, 0 } };
	struct cli_opts p;
	char list[256];
	size_t i, used = 0;
	int c;

	list[0] = '\0';
	for (i = 0; names[i] != NULL; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);

		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	cli_opts_init(&p, v, NULL, none, argc < 2 ? argc : 2, argv);
	if (argc < 2)
		return cli_opts_usage(&p, "needs a sub-command: %s", list);
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(argv[1], names[i]) == 0)
			return (int)i;
	if (argv[1][0] == '-' && argv[1][1] != '\0') {
		/* --help, or an option where the sub-verb belongs */
		c = cli_opts_next(&p);
		if (c < 0)
			return c;
	}
	return cli_opts_usage(&p, "unknown sub-command '%s' (%s)", argv[1], list);
}
