/*
 * shares/ui/ui_internal.h - helpers shared by the share UI files (display.c,
 * entry.c, qr.c); not a public contract.
 *
 * Screen text that shows a share is composed in secmem and written with
 * write(2) to the stream's descriptor, so no stdio buffer (plain heap, never
 * wiped) keeps a copy of the words.
 */
#ifndef CE_SHARES_UI_INTERNAL_H
#define CE_SHARES_UI_INTERNAL_H

#include <stddef.h>
#include <signal.h>
#include <stdio.h>

/* Flush out, then write len bytes of p to its descriptor; a stream without
 * one (a memory stream in tests) gets fwrite. 0 or CE_ERR_IO. */
int shares_ui_emit(FILE *out, const char *p, size_t len) __attribute__((warn_unused_result));

/* A stream writing into buf (cap bytes, secmem), unbuffered, so the text
 * lands in buf only. NULL on failure (detail set). fclose() it, then the
 * text is buf[0 .. ftell before close). */
FILE *shares_ui_secret_stream(char *buf, size_t cap);

/* shares_ui_qr_print() with the colour choice made by the caller. */
int shares_ui_qr_draw(FILE *out, const char *text, int colour) __attribute__((warn_unused_result));

/*
 * A guard over the terminal while a share is on it or being typed. With
 * tty_fd >= 0 the terminal is put in raw mode (no echo, no canonical line
 * editing, Ctrl-Z disabled, Ctrl-C kept) and restored by _end. On SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT the handler restores the terminal (tty_fd >= 0),
 * clears the screen and scrollback of clear_fd (>= 0), then lets the signal
 * take its default action. One guard at a time. Returns 0 or CE_ERR_TTY
 * (then _end must still be called).
 */
#define SHARES_UI_GUARD_NSIG 4
struct shares_ui_guard {
	int active;
	struct sigaction old[SHARES_UI_GUARD_NSIG];
};
/* Set by the guard's SIGINT handler when shares_ui_set_interrupt_aborts(1):
 * the terminal is already restored and the screen cleared; the reading loop
 * returns CE_ERR_ABORTED. Reset by shares_ui_guard_begin. */
extern volatile sig_atomic_t shares_ui_guard_interrupted;
int shares_ui_guard_begin(struct shares_ui_guard *g, int tty_fd, int clear_fd)
	__attribute__((warn_unused_result));
void shares_ui_guard_end(struct shares_ui_guard *g);

#endif
