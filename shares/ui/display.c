/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/ui.h"
#include "shares/ui/qr.h"
#include "shares/ui/screen.h"
#include "shares/ui/ui_guard.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"

#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define SHOW_COLUMNS 4
#define SHOW_ANSWER_MAX 64
#define SHOW_SCREEN_MAX (80u << 10)   /* header, words and the largest QR code */

/* The words, the mnemonic and the screen showing them: secret. */
struct show_state {
	uint16_t words[SLIP39_MAX_WORDS];
	char mnemonic[SLIP39_MNEMONIC_MAX_LEN];
	char answer[SHOW_ANSWER_MAX];
	char screen[SHOW_SCREEN_MAX];
};

/* Clear the screen and the scrollback, so the words cannot be scrolled back to. */
static void show_clear(const struct shares_ui_term *t, FILE *f)
{
	if (t->is_tty)
		fputs("\033[H\033[2J\033[3J", f);
}

/* Names and labels come from the command line or a roster: control
 * characters (escape sequences could redraw the screen) are shown as '?'. */
static void show_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s, out);
}

void shares_ui_position_print(FILE *out, const struct shares_ui_position *pos)
{
	char line[256];

	shares_ui_share_name(line, sizeof(line), pos);
	if (pos->holder != NULL && pos->holder[0] != '\0') {
		fputs("Share for ", out);
		show_text(out, pos->holder);
		fprintf(out, ": %s\n", line);
	} else {
		fprintf(out, "This is %s\n", line);
	}
	if (pos->set_label != NULL && pos->set_label[0] != '\0') {
		fputs("  protects: ", out);
		show_text(out, pos->set_label);
		fputc('\n', out);
	}
	shares_ui_threshold_text(line, sizeof(line), pos);
	fprintf(out, "  needed:   %s\n", line);
}

/* Words numbered in columns, down then across: "1. academic". */
static void show_words(FILE *out, const uint16_t *words, size_t n)
{
	size_t rows = (n + SHOW_COLUMNS - 1) / SHOW_COLUMNS;
	size_t row, col;

	for (row = 0; row < rows; row++) {
		for (col = 0; col < SHOW_COLUMNS; col++) {
			size_t i = col * rows + row;
			if (i >= n)
				break;
			fprintf(out, "  %2zu. %-9s", i + 1, slip39_wordlist[words[i]]);
		}
		fputc('\n', out);
	}
}

/* Terminal lines and columns, or 0 when unknown. */
static size_t show_term_size(FILE *out, size_t *cols)
{
	struct winsize ws;

	*cols = 0;
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
		return 0;
	*cols = ws.ws_col;
	return ws.ws_row;
}

/*
 * What fits: everything on one screen; else the words and the QR code one at
 * a time (an empty answer switches); else, when even the QR code alone does
 * not fit (it needs about 30 lines for 20 words), the words only, with a
 * note saying how tall the terminal must be. The size is read again at each
 * empty answer, so a holder may enlarge the window and press Enter.
 */
enum show_view { VIEW_ALL, VIEW_WORDS, VIEW_QR, VIEW_WORDS_ONLY };

static enum show_view show_pick(const struct shares_ui_term *t, size_t n_words, int qr_width,
				enum show_view current, size_t *qr_lines)
{
	size_t side = (size_t)qr_width + 2 * SHARES_QR_QUIET_MODULES;
	size_t qr = (side + 1) / 2;
	size_t all = 6 + (n_words + SHOW_COLUMNS - 1) / SHOW_COLUMNS + 1 + qr + 4;
	size_t cols = 0;
	size_t rows = t->is_tty ? show_term_size(t->out, &cols) : 0;

	*qr_lines = qr + 3;
	if (rows == 0)
		return VIEW_ALL;
	if (rows < qr + 3 || cols < side)
		return VIEW_WORDS_ONLY;
	if (rows >= all)
		return VIEW_ALL;
	return current == VIEW_QR ? VIEW_QR : VIEW_WORDS;
}

/* Compose one view of the share into st->screen (secret); *len_out its
 * length. qr_width and qr_lines size the QR code (show_pick). */
static int show_compose(const struct shares_ui_term *t, const struct shares_ui_position *pos,
			struct show_state *st, size_t n, enum show_view view, int qr_width,
			size_t qr_lines, size_t *len_out)
{
	int r = CE_ERR_INTERNAL;
	FILE *f = NULL;
	long len;

	f = shares_screen_open(st->screen, sizeof(st->screen));
	if (f == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	show_clear(t, f);
	if (view != VIEW_QR) {
		shares_ui_position_print(f, pos);
		fputc('\n', f);
		show_words(f, st->words, n);
	}
	r = 0;
	if (view == VIEW_ALL || view == VIEW_QR) {
		if (view == VIEW_ALL)
			fputc('\n', f);
		r = shares_qr_draw(f, st->mnemonic, t->is_tty);
	}
	fputc('\n', f);
	if (view == VIEW_WORDS || view == VIEW_QR)
		fprintf(f, "Press Enter to see the %s.\n", view == VIEW_WORDS ? "QR code" : "words");
	if (view == VIEW_WORDS_ONLY)
		fprintf(f, "(The QR code needs a terminal of %zu lines and %zu columns; "
			   "enlarge the window and press Enter to see it.)\n", qr_lines,
			(size_t)qr_width + 2 * SHARES_QR_QUIET_MODULES);
	fputs("Write the words down in order and check them against the screen.\n"
	      "Type yes when they are written down and checked (abort to stop): ", f);
	len = ferror(f) ? -1 : ftell(f);
	if (r < 0)
		goto out;
	if (len < 0 || (size_t)len >= sizeof(st->screen)) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "share screen over %zu bytes", sizeof(st->screen));
		goto out;
	}
	*len_out = (size_t)len;
	r = 0;
out:
	if (f != NULL)
		fclose(f);
	return r;
}

/*
 * The holder's answer to a shown view: SHOW_CONFIRMED for "yes",
 * SHOW_SWITCH for an empty line at a terminal (*view flipped between words
 * and QR code), CE_ERR_ABORTED for "abort" or end of input; anything else is
 * asked again.
 */
#define SHOW_CONFIRMED 0
#define SHOW_SWITCH 1

static int show_answer(const struct shares_ui_term *t, struct show_state *st,
		       enum show_view *view)
{
	int r = CE_ERR_INTERNAL;
	size_t len;

	for (;;) {
		r = buf_read_secret_line_stop(t->in_fd, st->answer, sizeof(st->answer), &len,
					      &shares_ui_guard_interrupted);
		if (r == CE_ERR_TOO_LARGE) {
			/* the rest of the long line comes next and is refused too */
			fputs("Please type yes or abort: ", t->out);
			fflush(t->out);
			continue;
		}
		if (r < 0)
			goto out;
		if (r == 0) {
			r = ce_err_set(CE_ERR_ABORTED, "end of input before the share was confirmed");
			goto out;
		}
		while (len > 0 && (st->answer[len - 1] == ' ' || st->answer[len - 1] == '\r'))
			st->answer[--len] = '\0';
		if (len == 3 && strcasecmp(st->answer, "yes") == 0) {
			r = SHOW_CONFIRMED;
			goto out;
		}
		if (len == 5 && strcasecmp(st->answer, "abort") == 0) {
			r = ce_err_set(CE_ERR_ABORTED, "aborted by the key holder");
			goto out;
		}
		if (len == 0 && t->is_tty) {
			if (*view == VIEW_WORDS)
				*view = VIEW_QR;
			else if (*view == VIEW_QR)
				*view = VIEW_WORDS;
			r = SHOW_SWITCH;
			goto out;
		}
		fputs("Please type yes or abort: ", t->out);
		fflush(t->out);
	}
out:
	return r;
}

/* policy 4.2.1: a key holder keeps the confidentiality of their share, so it
 * is shown to its holder alone: cleared screen and scrollback before and
 * after, and the holder's explicit confirmation before the next one. */
int shares_ui_show(const struct shares_ui_term *t, const struct shares_ui_position *pos,
		   const struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	struct show_state *st = NULL;
	struct shares_qr q = { 0, NULL };
	enum show_view view = VIEW_WORDS;
	struct shares_ui_guard guard = { 0 };
	size_t n, len = 0, qr_lines = 0;
	int nw;

	if (t == NULL || t->out == NULL || pos == NULL || share == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "shares_ui_show: no terminal, position or share");
		goto out;
	}
	st = secmem_alloc(sizeof(*st));
	if (st == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	nw = slip39_share_to_words(share, st->words);
	if (nw < 0) {
		r = nw;
		goto out;
	}
	n = (size_t)nw;
	r = slip39_mnemonic_encode(share, st->mnemonic, sizeof(st->mnemonic));
	if (r < 0)
		goto out;
	/* only to know its height; show_compose() draws it */
	r = shares_qr_encode(st->mnemonic, &q);
	if (r < 0)
		goto out;
	/* interrupted with the words on the screen: clear them on the way out */
	if (t->is_tty && fileno(t->out) >= 0) {
		r = shares_ui_guard_begin(&guard, -1, fileno(t->out));
		if (r < 0)
			goto out;
	}
	do {
		view = show_pick(t, n, q.width, view, &qr_lines);
		r = show_compose(t, pos, st, n, view, q.width, qr_lines, &len);
		if (r < 0)
			goto out;
		r = shares_screen_emit(t->out, st->screen, len);
		if (r < 0)
			goto out;
		r = show_answer(t, st, &view);
		if (r < 0)
			goto out;
	} while (r == SHOW_SWITCH);
	r = 0;
out:
	shares_ui_guard_end(&guard);
	if (t != NULL && t->out != NULL && st != NULL && t->is_tty) {
		static const char clear[] = "\033[H\033[2J\033[3J";
		if (shares_screen_emit(t->out, clear, sizeof(clear) - 1) < 0 && r == 0)
			r = CE_ERR_IO;
	}
	shares_qr_free(&q);
	secmem_free(st);
	return r;
}

void shares_ui_position_from_share(struct shares_ui_position *pos,
				   const struct slip39_share *share)
{
	memset(pos, 0, sizeof(*pos));
	pos->identifier = share->identifier;
	pos->group_index = share->group_index;
	pos->group_count = share->group_count;
	pos->group_threshold = share->group_threshold;
	pos->member_index = share->member_index;
	pos->member_threshold = share->member_threshold;
	/* a share does not carry its group's member count */
	pos->member_count = 0;
}
