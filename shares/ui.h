/*
 * shares/ui.h - showing shares to key holders and taking them back, at a
 * terminal. Used by `ceremony shares split|combine` and by the ceremony runner.
 *
 * All text of a share is secret: it lives in secmem, is written only to the
 * terminal (never to a log), and every function wipes its copies on exit.
 * The terminal is /dev/tty opened by the caller as in_fd/out (or, in
 * rehearsal and tests, any fd/FILE: then no echo control is attempted when
 * in_fd is not a terminal).
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
};

/* Show one share to its holder alone: clear the screen, the position, the
 * words numbered in columns, a QR code of the mnemonic, then wait for the
 * holder's explicit confirmation that it is written down and checked, then
 * clear the screen. Returns 0, CE_ERR_ABORTED (holder typed "abort"), or an
 * I/O error. */
int shares_ui_show(const struct shares_ui_term *t, const struct shares_ui_position *pos,
		   const struct slip39_share *share) __attribute__((warn_unused_result));

/* Take one share from a holder, word by word, without echo: each word is
 * accepted in full or by its unique 4-letter prefix, an unknown word is
 * refused at once (nearest words suggested), the checksum is checked when the
 * share is complete, and on a bad checksum the single-word corrections that
 * would make it valid are listed (never applied silently) and the holder
 * re-enters. prompt names whose share it is. On success *share is filled.
 * Returns 0, CE_ERR_ABORTED, or an I/O error. */
int shares_ui_enter(const struct shares_ui_term *t, const char *prompt,
		    struct slip39_share *share) __attribute__((warn_unused_result));

/* Single-word corrections of a share whose checksum fails: fills out with
 * (position, word index) pairs, at most max; returns how many. */
struct shares_ui_fix {
	uint8_t position;   /* 0-based word position */
	uint16_t word;      /* replacement word index */
};
size_t shares_ui_suggest_fixes(const uint16_t *words, size_t n, struct shares_ui_fix *out,
			       size_t max);

/* Draw a QR code of text (the mnemonic) to out with Unicode half blocks. */
int shares_ui_qr_print(FILE *out, const char *text) __attribute__((warn_unused_result));

/* Write a printable PDF share card to path (never overwrites): holder, set
 * label and identifier, group/member position, numbered words, QR code. */
int shares_card_write_pdf(const char *path, const struct shares_ui_position *pos,
			  const struct slip39_share *share) __attribute__((warn_unused_result));

#endif
