#include "shares/ui.h"
#include "shares/qr.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define SHOW_COLUMNS 4
#define SHOW_ANSWER_MAX 64

/* The words and the mnemonic of the share being shown: secret. */
struct show_state {
	uint16_t words[SLIP39_MAX_WORDS];
	char mnemonic[SLIP39_MNEMONIC_MAX_LEN];
	char answer[SHOW_ANSWER_MAX];
};

/* Clear the screen and the scrollback, so the words cannot be scrolled back to. */
static void show_clear(const struct shares_ui_term *t)
{
	if (!t->is_tty)
		return;
	fputs("\033[H\033[2J\033[3J", t->out);
	fflush(t->out);
}

void shares_ui_position_print(FILE *out, const struct shares_ui_position *pos)
{
	if (pos->holder != NULL && pos->holder[0] != '\0')
		fprintf(out, "Share for %s\n", pos->holder);
	else
		fprintf(out, "Share %u of group %u\n", (unsigned)pos->member_index + 1,
			(unsigned)pos->group_index + 1);
	if (pos->set_label != NULL && pos->set_label[0] != '\0')
		fprintf(out, "  protects:   %s\n", pos->set_label);
	fprintf(out, "  identifier: %u\n", (unsigned)pos->identifier);
	fprintf(out, "  group:      %u of %u (%u group%s needed)\n", (unsigned)pos->group_index + 1,
		(unsigned)pos->group_count, (unsigned)pos->group_threshold,
		pos->group_threshold == 1 ? "" : "s");
	fprintf(out, "  member:     %u", (unsigned)pos->member_index + 1);
	if (pos->member_count != 0)
		fprintf(out, " of %u", (unsigned)pos->member_count);
	fprintf(out, " (%u member%s of this group needed)\n", (unsigned)pos->member_threshold,
		pos->member_threshold == 1 ? "" : "s");
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

/* Terminal lines, or 0 when unknown. */
static size_t show_term_rows(FILE *out)
{
	struct winsize ws;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
		return 0;
	return ws.ws_row;
}

enum show_view { VIEW_ALL, VIEW_WORDS, VIEW_QR };

int shares_ui_show(const struct shares_ui_term *t, const struct shares_ui_position *pos,
		   const struct slip39_share *share)
{
	int r = CE_ERR_INTERNAL;
	struct show_state *st = NULL;
	struct shares_qr q = { 0, NULL };
	enum show_view view = VIEW_ALL;
	size_t n, len, need, rows;
	int nw, split;

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
	/* only to know its height; it is drawn by shares_ui_qr_print() */
	r = shares_qr_encode(st->mnemonic, &q);
	if (r < 0)
		goto out;
	/* header 6, words, blank, QR, blank + prompt 3 */
	need = 6 + (n + SHOW_COLUMNS - 1) / SHOW_COLUMNS + 1 +
	       ((size_t)q.width + 2 * SHARES_QR_QUIET_MODULES + 1) / 2 + 4;
	rows = t->is_tty ? show_term_rows(t->out) : 0;
	split = rows != 0 && rows < need;
	if (split)
		view = VIEW_WORDS;
	for (;;) {
		show_clear(t);
		shares_ui_position_print(t->out, pos);
		fputc('\n', t->out);
		if (view != VIEW_QR)
			show_words(t->out, st->words, n);
		if (view != VIEW_WORDS) {
			if (view == VIEW_QR)
				fputs("  QR code of the words:\n", t->out);
			else
				fputc('\n', t->out);
			r = shares_ui_qr_print(t->out, st->mnemonic);
			if (r < 0)
				goto out;
		}
		fputc('\n', t->out);
		if (split)
			fprintf(t->out, "Press Enter to see the %s.\n",
				view == VIEW_WORDS ? "QR code" : "words");
		fputs("Write the words down in order and check them against the screen.\n"
		      "Type yes when they are written down and checked (abort to stop): ", t->out);
		fflush(t->out);
		for (;;) {
			r = buf_read_secret_line(t->in_fd, st->answer, sizeof(st->answer), &len);
			if (r == CE_ERR_TOO_LARGE) {
				/* the rest of the long line comes next and is refused too */
				fputs("Please type yes or abort: ", t->out);
				fflush(t->out);
				continue;
			}
			if (r < 0)
				goto out;
			if (r == 0) {
				r = ce_err_set(CE_ERR_ABORTED, "end of input before the share was "
					       "confirmed");
				goto out;
			}
			while (len > 0 && (st->answer[len - 1] == ' ' || st->answer[len - 1] == '\r'))
				st->answer[--len] = '\0';
			if (len == 3 && strcasecmp(st->answer, "yes") == 0) {
				r = 0;
				goto out;
			}
			if (len == 5 && strcasecmp(st->answer, "abort") == 0) {
				r = ce_err_set(CE_ERR_ABORTED, "aborted by the key holder");
				goto out;
			}
			if (len == 0 && split) {
				view = view == VIEW_WORDS ? VIEW_QR : VIEW_WORDS;
				break;
			}
			fputs("Please type yes or abort: ", t->out);
			fflush(t->out);
		}
	}
out:
	if (t != NULL && t->out != NULL && st != NULL)
		show_clear(t);
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
