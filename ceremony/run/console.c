/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/console.c - prompts with keys, at the terminal or from an answer
 * file (ceremony/run/console.h).
 */
#include "ceremony/run/console.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/esc.h"
#include "shares/ui/ui.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct answer {
	char *key;
	char *value;
	size_t line;
	int used;
};

struct console {
	int scripted;
	const char *input_path; /* owned copy in path_copy */
	char *path_copy;
	struct answer *answers;
	size_t nanswers;
	int tty_fd;          /* /dev/tty or -1 */
	FILE *tty;           /* on tty_fd, or NULL */
	FILE *out;           /* tty, or stdout when scripted */
	struct shares_ui_term term;
	int sig_installed;
	struct sigaction old_int;
	struct timespec progress_t0;
	char reason[CONSOLE_REASON_MAX];
};

static volatile sig_atomic_t console_interrupted;

static void console_on_sigint(int sig)
{
	(void)sig;
	console_interrupted = 1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

static int key_valid(const char *k)
{
	if (*k == '\0' || strlen(k) >= CONSOLE_KEY_MAX)
		return 0;
	for (; *k; k++)
		if (!(islower((unsigned char)*k) || isdigit((unsigned char)*k) || *k == '.' ||
		      *k == '-' || *k == '_'))
			return 0;
	return 1;
}

static int answers_parse(struct console *c, char *text)
{
	int r = CE_ERR_INTERNAL;
	size_t lineno = 0, n = 0, i;
	char *p = text, *nl, *eq, *key, *val;

	for (i = 0; text[i]; i++)
		if (text[i] == '\n')
			n++;
	c->answers = calloc(n + 1, sizeof(*c->answers));
	if (c->answers == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	while (*p) {
		lineno++;
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		key = trim(p);
		p = nl != NULL ? nl + 1 : p + strlen(p);
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL) {
			r = ce_err_set(CE_ERR_FORMAT, "%s:%zu: expected 'KEY = ANSWER'", c->input_path,
				       lineno);
			goto out;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		if (!key_valid(key)) {
			r = ce_err_set(CE_ERR_FORMAT,
				       "%s:%zu: bad key '%s' (lowercase letters, digits, '.', '-', '_')",
				       c->input_path, lineno, key);
			goto out;
		}
		c->answers[c->nanswers].key = strdup(key);
		c->answers[c->nanswers].value = strdup(val);
		c->answers[c->nanswers].line = lineno;
		if (c->answers[c->nanswers].key == NULL || c->answers[c->nanswers].value == NULL) {
			free(c->answers[c->nanswers].key);
			free(c->answers[c->nanswers].value);
			r = CE_ERR_NOMEM;
			goto out;
		}
		c->nanswers++;
	}
	r = 0;
out:
	return r;
}

static int tty_open(struct console *c)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return ce_err_set(CE_ERR_TTY, "/dev/tty: %s (interactive ceremonies need a terminal; "
					      "rehearse with --rehearsal --input FILE)",
				  strerror(errno));
	c->tty = fdopen(fd, "w");
	if (c->tty == NULL) {
		close(fd);
		return ce_err_set(CE_ERR_TTY, "/dev/tty: %s", strerror(errno));
	}
	c->tty_fd = fd;
	c->term.in_fd = fd;
	c->term.out = c->tty;
	c->term.is_tty = isatty(fd);
	return 0;
}

int console_open(const char *input_path, struct console **out)
{
	int r = CE_ERR_INTERNAL;
	struct console *c = NULL;
	struct buf b;
	struct sigaction sa;

	buf_init(&b, CONSOLE_INPUT_MAX_BYTES);
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	c->tty_fd = -1;
	c->term.in_fd = -1;
	if (input_path != NULL) {
		c->scripted = 1;
		c->path_copy = strdup(input_path);
		if (c->path_copy == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		c->input_path = c->path_copy;
		r = buf_read_file(&b, input_path, CONSOLE_INPUT_MAX_BYTES);
		if (r < 0)
			goto out;
		r = buf_append(&b, "", 1);
		if (r < 0)
			goto out;
		if (memchr(b.p, '\0', b.len - 1) != NULL) {
			r = ce_err_set(CE_ERR_FORMAT, "%s: NUL byte in the answer file", input_path);
			goto out;
		}
		r = answers_parse(c, b.p);
		if (r < 0)
			goto out;
		c->out = stdout;
	} else {
		r = tty_open(c);
		if (r < 0)
			goto out;
		c->out = c->tty;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = console_on_sigint;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0; /* no SA_RESTART: a read at the prompt returns EINTR */
		if (sigaction(SIGINT, &sa, &c->old_int) == 0)
			c->sig_installed = 1;
		/* Ctrl-C at a share screen aborts like at any prompt */
		shares_ui_set_interrupt_aborts(1);
	}
	*out = c;
	c = NULL; /* transferred */
	r = 0;
out:
	buf_free(&b);
	console_free(c);
	return r;
}

void console_free(struct console *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->sig_installed) {
		shares_ui_set_interrupt_aborts(0);
		(void)sigaction(SIGINT, &c->old_int, NULL);
	}
	if (c->tty != NULL)
		fclose(c->tty);
	for (i = 0; i < c->nanswers; i++) {
		free(c->answers[i].key);
		free(c->answers[i].value);
	}
	free(c->answers);
	free(c->path_copy);
	free(c);
}

int console_is_scripted(const struct console *c)
{
	return c->scripted;
}

FILE *console_out(const struct console *c)
{
	return c->out;
}

int console_term(struct console *c, const struct shares_ui_term **out)
{
	int r;

	if (c->tty == NULL) {
		r = tty_open(c);
		if (r < 0)
			return r;
	}
	*out = &c->term;
	return 0;
}

void console_say(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	esc_vfprintf(c->out, fmt, ap); /* names, titles, labels: common/esc.h */
	va_end(ap);
	fputc('\n', c->out);
	fflush(c->out);
}

void console_clear(struct console *c)
{
	if (!c->scripted && c->term.is_tty)
		fputs("\033[H\033[2J\033[3J", c->out);
	else
		fputs("\n", c->out);
	fflush(c->out);
}

/* One line from the terminal, echoed by the terminal itself. 1 line read,
 * 0 end of input (Ctrl-D), CE_ERR_ABORTED on Ctrl-C, CE_ERR_TOO_LARGE. */
static int tty_line(struct console *c, char *out, size_t cap)
{
	size_t n = 0;
	int too_long = 0;
	char ch;
	ssize_t k;

	if (console_interrupted) { /* Ctrl-C while no prompt was up */
		console_interrupted = 0;
		fputc('\n', c->out);
		return CE_ERR_ABORTED;
	}
	for (;;) {
		k = read(c->tty_fd, &ch, 1);
		if (k < 0 && errno == EINTR) {
			if (console_interrupted) {
				console_interrupted = 0;
				fputc('\n', c->out);
				return CE_ERR_ABORTED;
			}
			continue;
		}
		if (k < 0)
			return ce_err_set(CE_ERR_IO, "/dev/tty: %s", strerror(errno));
		if (k == 0)
			return n == 0 ? 0 : 1;
		if (ch == '\n')
			break;
		if (n + 1 < cap)
			out[n++] = ch;
		else
			too_long = 1;
	}
	out[n] = '\0';
	if (too_long)
		return ce_err_set(CE_ERR_TOO_LARGE, "answer longer than %zu characters", cap - 1);
	return 1;
}

static struct answer *answer_next(struct console *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->nanswers; i++)
		if (!c->answers[i].used && strcmp(c->answers[i].key, key) == 0)
			return &c->answers[i];
	return NULL;
}

/* Read an answer without the abort handling. 0, 1 = abort asked (typed
 * "abort", Ctrl-C, Ctrl-D), or <0. */
static int ask_raw(struct console *c, const char *key, const char *prompt, char *out, size_t cap,
		   int empty_ok)
{
	struct answer *a;
	char *t;
	int k;

	for (;;) {
		if (c->scripted) {
			a = answer_next(c, key);
			if (a == NULL)
				return ce_err_set(CE_ERR_NOT_FOUND, "no answer for [%s] in %s", key,
						  c->input_path);
			a->used = 1;
			esc_fprintf(c->out, "[%s] %s %s\n", key, prompt, a->value);
			fflush(c->out);
			if (strlen(a->value) >= cap)
				return ce_err_set(CE_ERR_TOO_LARGE, "%s:%zu: answer for [%s] longer than %zu characters",
						  c->input_path, a->line, key, cap - 1);
			memcpy(out, a->value, strlen(a->value) + 1);
		} else {
			esc_fprintf(c->out, "[%s] %s ", key, prompt);
			fflush(c->out);
			k = tty_line(c, out, cap);
			if (k == CE_ERR_ABORTED || k == 0)
				return 1;
			if (k == CE_ERR_TOO_LARGE) {
				esc_fprintf(c->out, "  %s\n", ce_err_detail());
				continue;
			}
			if (k < 0)
				return k;
		}
		t = trim(out);
		memmove(out, t, strlen(t) + 1);
		if (strcmp(out, "abort") == 0)
			return 1;
		if (out[0] != '\0' || empty_ok)
			return 0;
		if (c->scripted)
			return ce_err_set(CE_ERR_FORMAT, "empty answer for [%s] in %s", key,
					  c->input_path);
	}
}

static int ask_one(struct console *c, const char *key, const char *prompt, char *out, size_t cap,
		   int empty_ok)
{
	int r = CE_ERR_INTERNAL, k;

	if (cap < 2) {
		r = ce_err_set(CE_ERR_INVALID, "console_ask: no room for an answer");
		goto out;
	}
	k = ask_raw(c, key, prompt, out, cap, empty_ok);
	if (k == CE_ERR_NOT_FOUND) {
		console_set_abort_reason(c, ce_err_detail());
		r = k;
		goto out;
	}
	if (k < 0) {
		r = k;
		goto out;
	}
	if (k == 1) {
		r = console_abort(c, key);
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		out[0] = '\0';
	return r;
}

int console_ask(struct console *c, const char *key, const char *prompt, char *out, size_t cap)
{
	return ask_one(c, key, prompt, out, cap, 0);
}

int console_ask_empty(struct console *c, const char *key, const char *prompt, char *out,
		      size_t cap)
{
	return ask_one(c, key, prompt, out, cap, 1);
}

int console_abort(struct console *c, const char *where)
{
	int k;

	k = ask_raw(c, "abort.reason", "Abort: why? (one line, written to the transcript)",
		    c->reason, sizeof(c->reason), 0);
	if (k != 0)
		snprintf(c->reason, sizeof(c->reason), "aborted at [%s], no reason given", where);
	return ce_err_set(CE_ERR_ABORTED, "aborted at [%s]: %s", where, c->reason);
}

const char *console_abort_reason(const struct console *c)
{
	return c->reason;
}

void console_set_abort_reason(struct console *c, const char *reason)
{
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

void console_progress_begin(struct console *c, const char *fmt, va_list ap)
{
	esc_vfprintf(c->out, fmt, ap);
	fputs("... ", c->out);
	fflush(c->out);
	clock_gettime(CLOCK_MONOTONIC, &c->progress_t0);
}

void console_progress_end(struct console *c, int r)
{
	struct timespec t1;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - c->progress_t0.tv_sec) +
	    (double)(t1.tv_nsec - c->progress_t0.tv_nsec) / 1e9;
	fprintf(c->out, "%s (%.1f s)\n", r < 0 ? "failed" : "done", s);
	fflush(c->out);
}

size_t console_unused(const struct console *c, const char **key, size_t *line)
{
	size_t i, n = 0;

	*key = NULL;
	*line = 0;
	for (i = 0; i < c->nanswers; i++)
		if (!c->answers[i].used) {
			if (n++ == 0) {
				*key = c->answers[i].key;
				*line = c->answers[i].line;
			}
		}
	return n;
}

int console_ack(struct console *c, const char *key, const char *text)
{
	int r;

	if (c->scripted) {
		console_say(c, "%s", text); /* nobody to wait for: the rehearsal reads on */
		return 0;
	}
	r = shares_ui_acknowledge(&c->term, text);
	if (r == CE_ERR_ABORTED)
		r = console_abort(c, key);
	return r;
}

int console_gate(struct console *c, const char *key, const char *holder)
{
	char text[512];
	int r;

	if (c->scripted) {
		shares_ui_step_up_text(text, sizeof(text), holder);
		console_say(c, "%s", text);
		return 0;
	}
	r = shares_ui_step_up(&c->term, holder);
	if (r == CE_ERR_ABORTED)
		r = console_abort(c, key);
	return r;
}
