/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/context.c - what is running (run.h accessors) and the
 * console services actions use (run_say, run_ask, run_confirm, progress).
 */
#include "ceremony/run/context.h"

#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* What is running                                                     */

const struct script *run_script(const struct run_ctx *rc)
{
	return rc->s;
}

const struct roster *run_roster(const struct run_ctx *rc)
{
	return rc->r;
}

const struct roster_date *run_today(const struct run_ctx *rc)
{
	return &rc->today;
}

int run_is_rehearsal(const struct run_ctx *rc)
{
	return rc->opts->rehearsal;
}

const char *run_outdir(const struct run_ctx *rc)
{
	return rc->outdir;
}

const char *run_ceremony_id(const struct run_ctx *rc)
{
	return rc->ceremony_id;
}

const struct script_step *run_step(const struct run_ctx *rc)
{
	return rc->cur;
}

struct console *run_console(struct run_ctx *rc)
{
	return rc->con;
}

struct registry *run_registry(struct run_ctx *rc)
{
	return &rc->reg;
}

/* ------------------------------------------------------------------ */
/* Console                                                             */

void run_say(struct run_ctx *rc, const char *fmt, ...)
{
	va_list ap;
	char line[2048];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_say(rc->con, "%s", line);
}

int run_ask(struct run_ctx *rc, const char *key, const char *prompt, char *out, size_t cap)
{
	return console_ask(rc->con, key, prompt, out, cap);
}

int run_confirm(struct run_ctx *rc, const char *key, const char *prompt, const char *word)
{
	char ans[RUN_ANSWER_MAX];
	int r, tries;

	for (tries = 0; tries < 3; tries++) {
		r = console_ask(rc->con, key, prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		if (strcmp(ans, word) == 0)
			return 0;
		console_say(rc->con, "  '%s' is not '%s'.", ans, word);
	}
	return ce_err_set(CE_ERR_INVALID, "[%s]: expected '%s' three times, got '%s'", key, word,
			  ans);
}

void run_progress_begin(struct run_ctx *rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_progress_begin(rc->con, fmt, ap);
	va_end(ap);
}

void run_progress_end(struct run_ctx *rc, int r)
{
	console_progress_end(rc->con, r);
}
