/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/console.h - the ceremony console: prompts with stable keys, read
 * at the terminal or from an answer file, abort anywhere, progress lines.
 *
 * Interactive: prompts and answers on /dev/tty (echoed: answers are public).
 * Typing "abort", Ctrl-C or Ctrl-D at any prompt asks for a reason (key
 * "abort.reason") and the prompt returns CE_ERR_ABORTED; the reason is kept
 * (console_abort_reason).
 * Scripted (--input FILE): "KEY = ANSWER" lines, '#' comments and blank lines
 * ignored; each prompt takes its key's next unused answer, and the prompt and
 * answer are printed on stdout so a rehearsal reads like the real thing. The
 * answer "abort" aborts (reason: the next "abort.reason" answer).
 *
 * Everything here is PUBLIC: never read a secret through console_ask
 * (shares go through shares/ui/ui.h on console_term()).
 */
#ifndef CE_CEREMONY_CONSOLE_H
#define CE_CEREMONY_CONSOLE_H

#include "shares/ui/ui.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define CONSOLE_INPUT_MAX_BYTES (1024 * 1024)
#define CONSOLE_REASON_MAX 256
#define CONSOLE_KEY_MAX 128

struct console;

/* Open the console. input_path NULL: interactive on /dev/tty (CE_ERR_TTY
 * without one); else the answer file is read whole (bounded) and parsed:
 * CE_ERR_FORMAT naming FILE:LINE for a line that is not "KEY = ANSWER" or a
 * key that is not [a-z0-9._-]+, CE_ERR_IO, CE_ERR_TOO_LARGE. Interactive mode
 * catches SIGINT (Ctrl-C aborts the prompt) until console_free. *out owned by
 * the caller (console_free). */
int console_open(const char *input_path, struct console **out)
	__attribute__((warn_unused_result));
/* Restore signal handlers, close the terminal. Accepts NULL. */
void console_free(struct console *c);

int console_is_scripted(const struct console *c);
/* Where text goes (the terminal, or stdout when scripted). Borrowed. */
FILE *console_out(const struct console *c);
/* The terminal for shares/ui/ui.h (interactive: /dev/tty, is_tty 1). Scripted:
 * /dev/tty when there is one (shares are never read from the answer file),
 * else CE_ERR_TTY. Borrowed. */
int console_term(struct console *c, const struct shares_ui_term **out)
	__attribute__((warn_unused_result));

/* Print a line (a newline is added). */
void console_say(struct console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Clear the screen and scrollback (terminal only; scripted: a separator). */
void console_clear(struct console *c);

/* Show "[KEY] prompt " and read one trimmed line into out (cap bytes). An
 * empty answer asks again. Returns 0; CE_ERR_ABORTED (the reason was asked
 * and is kept); CE_ERR_NOT_FOUND (scripted: no answer left for KEY; the
 * detail names KEY and the file; the reason is set to that); CE_ERR_TOO_LARGE
 * (answer longer than cap - 1: asked again interactively); CE_ERR_IO. */
int console_ask(struct console *c, const char *key, const char *prompt, char *out, size_t cap)
	__attribute__((warn_unused_result));

/* As console_ask, but an empty answer (Enter alone) is returned as "". */
int console_ask_empty(struct console *c, const char *key, const char *prompt, char *out,
		      size_t cap) __attribute__((warn_unused_result));

/* Someone aborted outside console_ask (e.g. "abort" typed at a share
 * prompt): ask the reason (key "abort.reason") and return CE_ERR_ABORTED. */
int console_abort(struct console *c, const char *where);

/* Why the ceremony was aborted (typed by the operator), "" if not aborted. */
const char *console_abort_reason(const struct console *c);
/* Set the abort reason (e.g. "no answer for KEY in FILE"). */
void console_set_abort_reason(struct console *c, const char *reason);

/* Progress of a slow operation: "text... " then "done (3.2 s)". */
void console_progress_begin(struct console *c, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void console_progress_end(struct console *c, int r);

/* A message that must be read before it goes (a refused share): text (its
 * control characters shown as '?') stays on screen until Enter, then the
 * screen and scrollback are cleared (shares_ui_acknowledge). Scripted: text
 * is printed and it returns at once. Returns 0, or CE_ERR_ABORTED (Ctrl-C,
 * Ctrl-D: the reason was asked under KEY, as console_abort), CE_ERR_IO. */
int console_ack(struct console *c, const char *key, const char *text)
	__attribute__((warn_unused_result));

/* The step-up gate between key holders (shares_ui_step_up): "Next: HOLDER,
 * please step up ..." under what is on the screen (public lines only: the
 * share screens clear themselves), until Enter, then the screen and
 * scrollback are cleared. holder NULL: "Next key holder". Scripted: the text
 * only. Returns as console_ack. */
int console_gate(struct console *c, const char *key, const char *holder)
	__attribute__((warn_unused_result));

/* Answers of the file never used (scripted), for a closing warning: the
 * count, and the first one's key and line (key may be NULL). */
size_t console_unused(const struct console *c, const char **key, size_t *line);

#endif
