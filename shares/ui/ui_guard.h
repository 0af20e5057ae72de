/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/ui/ui_guard.h - the terminal guard while a share is shown or typed
 * (display.c, entry.c); not a public contract.
 */
#ifndef CE_SHARES_UI_GUARD_H
#define CE_SHARES_UI_GUARD_H

#include <signal.h>

/*
 * A guard over the terminal while a share is on it or being typed. With
 * tty_fd >= 0 the terminal is put in raw mode (no echo, no canonical line
 * editing, Ctrl-Z disabled, Ctrl-C kept) and restored by _end. On SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT the handler restores the terminal (tty_fd >= 0),
 * clears the screen and scrollback of clear_fd (>= 0), then lets the signal
 * take its default action. On SIGTSTP (kill -TSTP, or Ctrl-Z under _noecho)
 * it restores the terminal, stops the process, and on SIGCONT puts the
 * guard's mode back. One guard at a time. Returns 0 or CE_ERR_TTY (then _end
 * must still be called).
 *
 * _noecho: the same guard with only echo turned off on tty_fd (>= 0):
 * canonical line editing (Backspace, Ctrl-U) and Ctrl-Z kept; for a PIN
 * typed as one line (shares_ui_secret_line_read). No screen to clear.
 */
#define SHARES_UI_GUARD_NSIG 5
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
int shares_ui_guard_begin_noecho(struct shares_ui_guard *g, int tty_fd)
	__attribute__((warn_unused_result));
void shares_ui_guard_end(struct shares_ui_guard *g);

#endif
