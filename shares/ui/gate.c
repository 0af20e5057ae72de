/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/gate.c - between key holders (shares/ui/ui.h): the step-up gate,
 * a message held until acknowledged, clearing the screen and scrollback, and
 * whether the terminal can show a share's QR code. Uses qr.c, screen.c and
 * ui_guard.c; display.c and entry.c do not call it.
 */
#include "shares/ui/ui.h"
#include "shares/ui/qr.h"
#include "shares/ui/screen.h"
#include "shares/ui/ui_guard.h"
#include "common/buf.h"
#include "common/err.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define GATE_LINE_MAX 256
#define GATE_TEXT_MAX 1024

int shares_ui_clear(const struct shares_ui_term *t)
{
	static const char clear[] = "\033[H\033[2J\033[3J";

	if (!t->is_tty)
		return fputc('\n', t->out) == EOF || fflush(t->out) != 0
			       ? ce_err_set(CE_ERR_IO, "writing the screen")
			       : 0;
	return shares_screen_emit(t->out, clear, sizeof(clear) - 1);
}

/* s with control characters shown as '?' (escape sequences could redraw the
 * screen), newlines kept when lines != 0, appended to buf at *off. */
static void gate_text_lines_add(char *buf, size_t cap, size_t *off, const char *s, int lines)
{
	for (; *s != '\0'; s++, (*off)++)
		if (*off + 1 < cap)
			buf[*off] = (*s == '\n' && lines) ? '\n'
				    : ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?'
									 : *s;
	if (cap > 0)
		buf[*off < cap ? *off : cap - 1] = '\0';
}

static void gate_text_add(char *buf, size_t cap, size_t *off, const char *s)
{
	gate_text_lines_add(buf, cap, off, s, 0);
}

int shares_ui_step_up_text(char *buf, size_t cap, const char *holder)
{
	size_t off = 0;

	if (holder == NULL || holder[0] == '\0') {
		gate_text_add(buf, cap, &off, "Next key holder");
	} else {
		gate_text_add(buf, cap, &off, "Next: ");
		gate_text_add(buf, cap, &off, holder);
	}
	gate_text_add(buf, cap, &off, ", please step up to the keyboard. Press Enter when the "
				      "previous holder has stepped away.");
	return (int)off;
}

/* Show text, wait for Enter (not echoed), clear. */
static int gate_wait(const struct shares_ui_term *t, const char *text)
{
	int r = CE_ERR_INTERNAL;
	struct shares_ui_guard guard = { 0 };
	char line[GATE_LINE_MAX];
	size_t len = 0;

	if (fputs(text, t->out) == EOF || fputc(' ', t->out) == EOF || fflush(t->out) != 0) {
		r = ce_err_set(CE_ERR_IO, "writing the screen");
		goto out;
	}
	if (t->is_tty) {
		r = shares_ui_guard_begin_noecho(&guard, t->in_fd);
		if (r < 0)
			goto out;
	}
	do
		r = buf_read_secret_line_stop(t->in_fd, line, sizeof(line), &len,
					      &shares_ui_guard_interrupted);
	while (r == CE_ERR_TOO_LARGE);
	if (r == 0) {
		fputc('\n', t->out); /* Ctrl-D: the shell prompt starts on its own line */
		r = ce_err_set(CE_ERR_ABORTED, "end of input (Ctrl-D)");
		goto out;
	}
	if (r == CE_ERR_ABORTED)
		r = ce_err_set(CE_ERR_ABORTED, "interrupted (Ctrl-C)");
	if (r < 0)
		goto out;
	shares_ui_guard_end(&guard);
	r = shares_ui_clear(t);
out:
	shares_ui_guard_end(&guard);
	memset(line, 0, sizeof(line));
	fflush(t->out);
	return r;
}

int shares_ui_step_up(const struct shares_ui_term *t, const char *holder)
{
	char text[GATE_TEXT_MAX];
	char *press;

	shares_ui_step_up_text(text, sizeof(text), holder);
	/* two lines on the screen: the call, then what to press */
	press = strstr(text, ". Press Enter");
	if (press != NULL)
		press[1] = '\n';
	return gate_wait(t, text);
}

int shares_ui_acknowledge(const struct shares_ui_term *t, const char *text)
{
	char buf[GATE_TEXT_MAX];
	size_t off = 0;

	gate_text_lines_add(buf, sizeof(buf), &off, text, 1);
	fprintf(t->out, "%s\n", buf);
	return gate_wait(t, "Press Enter to continue.");
}

size_t shares_ui_words_for_secret(size_t secret_bytes)
{
	/* 7 words of metadata and checksum, the value in 10-bit words */
	return 7 + (secret_bytes * 8 + 9) / 10;
}

int shares_ui_qr_size(size_t n_words, size_t *rows, size_t *cols)
{
	char text[SLIP39_MNEMONIC_MAX_LEN];
	struct shares_qr q = { 0, NULL };
	size_t k, side;
	int r;

	if (n_words < SLIP39_MIN_WORDS || n_words > SLIP39_MAX_WORDS)
		return ce_err_set(CE_ERR_INVALID, "a share has %d to %d words, not %zu",
				  SLIP39_MIN_WORDS, SLIP39_MAX_WORDS, n_words);
	/* the longest mnemonic of n_words words: 8 letters each, one space
	 * between; public text, the same QR version as the longest real one */
	for (k = 0; k < n_words * 9 - 1; k++)
		text[k] = (k % 9 == 8) ? ' ' : 'a';
	text[k] = '\0';
	r = shares_qr_encode(text, &q);
	if (r < 0)
		return r;
	side = (size_t)q.width + 2 * SHARES_QR_QUIET_MODULES;
	shares_qr_free(&q);
	/* as the share screen lays out its QR view: two module rows a line,
	 * a blank line and two lines of prompt (display.c, show_pick) */
	*rows = (side + 1) / 2 + 3;
	*cols = side;
	return 0;
}

int shares_ui_qr_fits(FILE *out, size_t n_words, size_t *rows, size_t *cols,
		      size_t *have_rows, size_t *have_cols)
{
	struct winsize ws;
	size_t need_r = 0, need_c = 0;
	int r;

	if (have_rows != NULL)
		*have_rows = 0;
	if (have_cols != NULL)
		*have_cols = 0;
	r = shares_ui_qr_size(n_words, &need_r, &need_c);
	if (r < 0)
		return r;
	if (rows != NULL)
		*rows = need_r;
	if (cols != NULL)
		*cols = need_c;
	if (out == NULL || fileno(out) < 0 || !isatty(fileno(out)) ||
	    ioctl(fileno(out), TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
		return 1;
	if (have_rows != NULL)
		*have_rows = ws.ws_row;
	if (have_cols != NULL)
		*have_cols = ws.ws_col;
	return ws.ws_row >= need_r && ws.ws_col >= need_c;
}
