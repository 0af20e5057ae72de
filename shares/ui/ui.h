/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/ui.h - showing shares to key holders and taking them back, at a
 * terminal. Used by `ceremony shares split|combine` and by the ceremony runner.
 *
 * All text of a share is secret: it lives in secmem, is written only to the
 * terminal (never to a log), and every function wipes its copies on exit.
 * The terminal is /dev/tty opened by the caller as in_fd/out (or, in
 * rehearsal and tests, any fd/FILE: then no echo control is attempted when
 * in_fd is not a terminal).
 *
 * Text that shows share words (the share screen, the QR code, corrections)
 * is composed in secmem and written with write(2) to fileno(out) after
 * flushing out, so the stream's own buffer never holds it; a stream without
 * a descriptor (a memory stream in tests) is written with fwrite. libqrencode
 * and cairo keep transient heap copies while encoding; those cannot be wiped.
 */
#ifndef CE_SHARES_UI_H
#define CE_SHARES_UI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shares/slip39.h"

struct shares_ui_term {
	int in_fd;     /* where keystrokes come from */
	FILE *out;     /* where the screen goes */
	int is_tty;    /* in_fd is a terminal: no-echo and clear-screen apply */
};

/* Where a share stands, shown to its holder (public). */
struct shares_ui_position {
	const char *holder;      /* person's name, or NULL */
	const char *set_label;   /* what this share protects, e.g. "user PIN of RootCA" */
	uint16_t identifier;
	uint8_t group_index, group_count, group_threshold;
	uint8_t member_index, member_count, member_threshold;
	const char *ceremony;    /* the ceremony's name, or NULL (card only) */
	const char *date;        /* the date it was issued, or NULL (card only) */
};

/* Print the position (public): "Share for <holder>", set label, identifier,
 * group g of G (threshold), member m of M (threshold). */
void shares_ui_position_print(FILE *out, const struct shares_ui_position *pos);

/* Runner mode (on != 0): Ctrl-C (SIGINT) while a share is shown or typed
 * no longer ends the process after restoring the terminal: the terminal is
 * restored, the screen and scrollback cleared, and shares_ui_show /
 * shares_ui_enter return CE_ERR_ABORTED ("interrupted (Ctrl-C)"), so the
 * caller can end cleanly (`ceremony run` asks for the abort reason).
 * SIGTERM, SIGHUP, SIGQUIT keep their default action. Off by default. */
void shares_ui_set_interrupt_aborts(int on);

/* Read one secret line (a PIN) typed at the terminal tty_fd (borrowed):
 * prompt written to it, then the line read with echo off under the guard
 * of share entry (shares/ui/ui_guard.h): on SIGINT, SIGTERM, SIGHUP or
 * SIGQUIT the terminal is restored before the signal's default action (SIGINT
 * under shares_ui_set_interrupt_aborts(1): CE_ERR_ABORTED returned), on
 * SIGTSTP it is restored while the process is stopped and echo turned off
 * again on SIGCONT; line editing is the terminal's own. dst: cap bytes of
 * the caller's secmem, NUL-terminated. Returns 1 (*len bytes read), 0 (end
 * of input), CE_ERR_TTY (not a terminal, or the prompt cannot be written),
 * CE_ERR_TOO_LARGE (the line does not fit: wiped), CE_ERR_IO. */
int shares_ui_secret_line_read(int tty_fd, const char *prompt, char *dst, size_t cap,
			       size_t *len) __attribute__((warn_unused_result));

/* Show one share to its holder alone: clear the screen, the position, the
 * words numbered in columns, a QR code of the mnemonic, then wait for the
 * holder's explicit confirmation that it is written down and checked, then
 * clear the screen. The holder answers a line on in_fd: "yes" confirms,
 * "abort" aborts, anything else asks again. When the terminal is too short
 * for words and QR code together, they are shown one at a time and an empty
 * line switches between them. The screen and scrollback are cleared (when
 * is_tty) on every way out. Returns 0, CE_ERR_ABORTED (holder typed "abort",
 * or end of input), CE_ERR_IO, CE_ERR_MLOCK, or the codec's error for a
 * share that cannot be encoded. */
int shares_ui_show(const struct shares_ui_term *t, const struct shares_ui_position *pos,
		   const struct slip39_share *share) __attribute__((warn_unused_result));

/* Take one share from a holder, word by word, without echo: each word is
 * accepted in full or by its unique 4-letter prefix, an unknown word is
 * refused at once (nearest words suggested), the checksum is checked when the
 * share is complete, and on a bad checksum the single-word corrections that
 * would make it valid are listed (never applied silently) and the holder
 * re-enters. prompt names whose share it is (NULL: a generic one).
 *
 * At a terminal (is_tty): raw keystrokes, echo off, restored on every exit
 * and on SIGINT/SIGTERM/SIGHUP/SIGQUIT (restore, then the signal's default
 * action). A word ends at Space or Enter; only "word N ok" is shown, never
 * letters or their count. The share is complete when 20 or more words carry
 * a valid checksum, or on Enter at an empty word after 20 or more words.
 * Backspace on an empty word takes back the previous word. The word "abort"
 * or Ctrl-D aborts.
 * Not a terminal: one whole mnemonic per line (blank lines skipped), the
 * same checks and messages; a refused line is followed by the next one.
 *
 * On success *share is filled (secret: the caller's memory should be secmem).
 * Returns 0; CE_ERR_ABORTED ("abort", Ctrl-D, or end of input with no
 * attempt); at end of input after refused lines, the last refusal's code
 * (CE_ERR_WORD, CE_ERR_CHECKSUM, CE_ERR_FORMAT, CE_ERR_PADDING...); CE_ERR_IO,
 * CE_ERR_TTY (terminal settings failed), CE_ERR_TOO_LARGE (a line over 1023
 * bytes), CE_ERR_MLOCK. On failure *share is wiped. */
int shares_ui_enter(const struct shares_ui_term *t, const char *prompt,
		    struct slip39_share *share) __attribute__((warn_unused_result));

/* Single-word corrections of a share whose checksum fails: fills out with
 * (position, word index) pairs, at most max, in position order; returns how
 * many (0 also when n is outside SLIP39_MIN_WORDS..SLIP39_MAX_WORDS). Not
 * constant time (the share is wrong, and the result is shown to its holder).
 * words is borrowed and left unchanged. */
struct shares_ui_fix {
	uint8_t position;   /* 0-based word position */
	uint16_t word;      /* replacement word index */
};
size_t shares_ui_suggest_fixes(const uint16_t *words, size_t n, struct shares_ui_fix *out,
			       size_t max);

/* Draw a QR code of text (the mnemonic) to out with Unicode half blocks
 * (two module rows per line, 4-module quiet zone), byte mode, level M (see
 * shares/ui/qr.h). When out is a terminal it is drawn black on white with ANSI
 * colours; otherwise plain characters, where U+2588 is dark. Returns 0,
 * CE_ERR_TOO_LARGE, CE_ERR_IO, CE_ERR_NOMEM, CE_ERR_MLOCK. */
int shares_ui_qr_print(FILE *out, const char *text) __attribute__((warn_unused_result));

/* Render a printable A4 PDF share card into *pdf (secmem, owned by the
 * caller: secmem_free; *len its length), a card a holder can use alone years
 * later: title, holder, ceremony and date (when given), what it protects,
 * the share's name (shares_ui_share_name) and "member m of M", the threshold
 * in words (shares_ui_threshold_text), the word count and how to enter it
 * (the first 4 letters of each word suffice), the numbered words, a QR code
 * of the mnemonic, places for the envelope number and a signature, and a
 * reminder that the card is secret. cairo
 * (libcairo.so.2) is opened on the first call, not linked. Returns 0,
 * CE_ERR_UNSUPPORTED (libcairo.so.2 missing, or lacking a function: the
 * detail names it), CE_ERR_IO (cairo failed), CE_ERR_MLOCK, CE_ERR_NOMEM, or
 * the codec's error. */
int shares_card_render_pdf(const struct shares_ui_position *pos, const struct slip39_share *share,
			   uint8_t **pdf, size_t *len) __attribute__((warn_unused_result));

/* Write the card to path with mode 0600, never overwriting (CE_ERR_EXISTS)
 * and never half-written (common/outfile.h). Returns 0 or the errors of
 * shares_card_render_pdf() and outfile_write_all(). */
int shares_card_write_pdf(const char *path, const struct shares_ui_position *pos,
			  const struct slip39_share *share) __attribute__((warn_unused_result));

/* The position of a decoded share, for display (holder and set_label NULL). */
void shares_ui_position_from_share(struct shares_ui_position *pos,
				   const struct slip39_share *share);

/*
 * One vocabulary for a share, everywhere (screen, card, transcript text,
 * errors): "share M of N, group G of K, set XXXX", where XXXX is the SLIP-39
 * set identifier in decimal, as the registry and the transcript write it
 * (e.g. "set 3372"). All of this is public.
 */

/* The name of the share at pos into buf (cap bytes, NUL-terminated, cut
 * short if too small): "share M of N, group G of K, set XXXX"; when the
 * member count is unknown (pos->member_count 0: a share alone does not carry
 * it) "share M, group G of K, set XXXX". Returns the length it needed
 * (snprintf's count). */
int shares_ui_share_name(char *buf, size_t cap, const struct shares_ui_position *pos);

/* What recovers the secret, in words, into buf (cap bytes; cut short if too
 * small): one group: "any 2 of these 3 shares recover the secret"; several:
 * "any 2 of the 3 shares of group 1 complete it; any 2 of the 3 groups
 * recover the secret"; member count unknown: "any 2 shares of group 1 ...";
 * a threshold of 1: "this share alone recovers the secret".
 * Returns the length it needed. */
int shares_ui_threshold_text(char *buf, size_t cap, const struct shares_ui_position *pos);

/* Quorum progress of a secret (public): per group, how many distinct members
 * were accepted and how many are needed (0 = not known yet). */
struct shares_ui_progress {
	uint8_t group_count;                         /* K */
	uint8_t group_threshold;                     /* groups needed */
	uint8_t member_threshold[SLIP39_MAX_SHARE_COUNT];
	uint8_t have[SLIP39_MAX_SHARE_COUNT];        /* distinct members accepted */
};

/* The progress of n accepted shares (only their public fields are read;
 * shares is borrowed). A member index counted once per group. */
void shares_ui_progress_from_shares(struct shares_ui_progress *p,
				    const struct slip39_share *shares, size_t n);

/* The short form into buf (cap bytes, NUL-terminated, cut short if too
 * small). One group: "Quorum progress: 1/3". Several: each group with an
 * accepted share or a known threshold, then the groups, e.g.
 * "Quorum progress: group 1: 1/3; groups complete 0/2". Returns the length
 * it needed. */
int shares_ui_progress_format(char *buf, size_t cap, const struct shares_ui_progress *p);

/*
 * Between key holders (shares/ui/gate.c). Nothing of one holder is left on
 * the screen or in the scrollback for the next: every holder change passes
 * a step-up gate, and the screen is cleared after it.
 */

/* Clear the screen and the terminal's scrollback (t->is_tty; otherwise a
 * newline). Returns 0 or CE_ERR_IO. */
int shares_ui_clear(const struct shares_ui_term *t);

/* The gate's text into buf (cap bytes; cut short if too small): "Next:
 * <holder>, please step up to the keyboard. Press Enter when the previous
 * holder has stepped away." (holder NULL or "": "Next key holder, ..."),
 * holder's control characters shown as '?'. Returns the length it needed. */
int shares_ui_step_up_text(char *buf, size_t cap, const char *holder);

/* The gate: show the gate's text, wait for Enter on t->in_fd (what is typed
 * is not echoed, and ignored), then clear the screen and scrollback. The
 * screen is not cleared before: the caller clears it (shares_ui_clear) and
 * may put public lines above the gate (e.g. "Share accepted: ... Quorum
 * progress: 1/3"). Not a terminal: the text, then one line
 * read. Returns 0; CE_ERR_ABORTED at end of input (Ctrl-D: a newline is
 * printed first) or on Ctrl-C under shares_ui_set_interrupt_aborts(1);
 * CE_ERR_IO, CE_ERR_TTY. */
int shares_ui_step_up(const struct shares_ui_term *t, const char *holder)
	__attribute__((warn_unused_result));

/* A message that must be read before it goes (a refused share's reason):
 * text (public; control characters but newlines shown as '?'), then
 * "Press Enter to continue.", wait for Enter (not echoed), then clear the
 * screen and scrollback. The screen is not cleared before (as above). Returns as shares_ui_step_up(). */
int shares_ui_acknowledge(const struct shares_ui_term *t, const char *text)
	__attribute__((warn_unused_result));

/* Lines and columns a share screen needs to show the QR code of a share of
 * n_words words (the QR code alone, with its prompt; the words then come on
 * their own screen). Public; no share needed. Returns 0, or the codec's
 * error for n_words outside SLIP39_MIN_WORDS..SLIP39_MAX_WORDS. */
int shares_ui_qr_size(size_t n_words, size_t *rows, size_t *cols)
	__attribute__((warn_unused_result));

/* The words of a share of a secret of secret_bytes bytes (16 -> 20, 32 -> 33). */
size_t shares_ui_words_for_secret(size_t secret_bytes);

/* Is the terminal out (its current size) big enough for the QR code of a
 * share of n_words words? 1 yes (or out is not a terminal: size unknown),
 * 0 no: then *rows and *cols say what is needed, and a caller says so at
 * the start (e.g. "The QR codes need a terminal of 36 lines and 65 columns;
 * this one is 24x80."). *have_rows, *have_cols: the terminal's (0 unknown);
 * any of the four pointers may be NULL. <0: n_words out of range. */
int shares_ui_qr_fits(FILE *out, size_t n_words, size_t *rows, size_t *cols,
		      size_t *have_rows, size_t *have_cols);

#endif
