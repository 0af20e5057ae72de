/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/ui.h"
#include "shares/ui/ui_guard.h"
#include "common/buf.h"
#include "common/err.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/*
 * What the signal handler undoes, in async-signal-safe form: the terminal
 * settings to put back, and the descriptor whose screen to clear. One guard
 * is active at a time (a process shows or takes one share at a time).
 */
static volatile sig_atomic_t guard_restore_tty;
static volatile sig_atomic_t guard_clear;
static int guard_tty_fd = -1;
static int guard_clear_fd = -1;
static struct termios guard_tty_orig;
static struct termios guard_tty_set; /* the guard's mode, put back on SIGCONT */
static struct sigaction guard_sa;

static const char guard_clear_seq[] = "\033[H\033[2J\033[3J";

/* shares_ui_set_interrupt_aborts: SIGINT under a guard sets
 * shares_ui_guard_interrupted instead of ending the process. */
static volatile sig_atomic_t guard_interrupt_aborts;
volatile sig_atomic_t shares_ui_guard_interrupted;

void shares_ui_set_interrupt_aborts(int on)
{
	guard_interrupt_aborts = on != 0;
}

static void guard_undo(void)
{
	if (guard_restore_tty)
		(void)tcsetattr(guard_tty_fd, TCSAFLUSH, &guard_tty_orig);
	if (guard_clear)
		(void)!write(guard_clear_fd, guard_clear_seq, sizeof(guard_clear_seq) - 1);
	guard_restore_tty = 0;
	guard_clear = 0;
}

/* SIGTSTP: the terminal as it was while stopped (a stopped process must
 * not leave the shell without echo), the guard's mode again once continued.
 * The pending read sees EINTR and retries. */
static void guard_on_stop(void)
{
	int restore = guard_restore_tty;
	sigset_t tstp;

	if (restore)
		(void)tcsetattr(guard_tty_fd, TCSAFLUSH, &guard_tty_orig);
	(void)!write(STDERR_FILENO, "\n", 1);
	signal(SIGTSTP, SIG_DFL);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	(void)sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	raise(SIGTSTP); /* stopped here until SIGCONT */
	(void)sigaction(SIGTSTP, &guard_sa, NULL);
	if (restore && guard_restore_tty)
		(void)tcsetattr(guard_tty_fd, TCSAFLUSH, &guard_tty_set);
}

static void guard_on_signal(int sig)
{
	int saved_errno = errno;

	if (sig == SIGTSTP) {
		guard_on_stop();
		errno = saved_errno;
		return;
	}
	guard_undo();
	/* a newline so the shell prompt starts clean, then die as asked */
	(void)!write(STDERR_FILENO, "\n", 1);
	if (sig == SIGINT && guard_interrupt_aborts) {
		/* the blocked read returns EINTR and its loop sees the flag */
		shares_ui_guard_interrupted = 1;
		errno = saved_errno;
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved_errno;
}

static const int guard_signals[SHARES_UI_GUARD_NSIG] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
							   SIGTSTP };

static int guard_begin(struct shares_ui_guard *g, int tty_fd, int clear_fd, int raw_mode)
{
	int r = CE_ERR_INTERNAL;
	struct termios raw;
	struct sigaction sa;
	size_t i;

	memset(g, 0, sizeof(*g));
	shares_ui_guard_interrupted = 0;
	if (tty_fd >= 0 && tcgetattr(tty_fd, &guard_tty_orig) != 0) {
		r = ce_err_set(CE_ERR_TTY, "terminal: %s", strerror(errno));
		goto out;
	}
	guard_tty_fd = tty_fd;
	guard_clear_fd = clear_fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_on_signal;
	sa.sa_flags = 0; /* no SA_RESTART: a read in progress returns EINTR */
	sigemptyset(&sa.sa_mask);
	guard_sa = sa;
	for (i = 0; i < SHARES_UI_GUARD_NSIG; i++)
		(void)sigaction(guard_signals[i], &sa, &g->old[i]);
	g->active = 1;
	guard_clear = clear_fd >= 0;
	if (tty_fd >= 0) {
		raw = guard_tty_orig;
		if (raw_mode) {
			raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
			raw.c_cc[VMIN] = 1;
			raw.c_cc[VTIME] = 0;
#ifdef VSUSP
			/* Ctrl-Z off: a share's screen is not left behind a job */
			raw.c_cc[VSUSP] = _POSIX_VDISABLE;
#endif
		} else {
			raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		}
		raw.c_lflag |= ISIG; /* Ctrl-C still interrupts (and restores) */
		guard_tty_set = raw;
		guard_restore_tty = 1;
		if (tcsetattr(tty_fd, TCSAFLUSH, &raw) != 0) {
			r = ce_err_set(CE_ERR_TTY, "terminal: %s", strerror(errno));
			goto out;
		}
	}
	r = 0;
out:
	return r;
}

int shares_ui_guard_begin(struct shares_ui_guard *g, int tty_fd, int clear_fd)
{
	return guard_begin(g, tty_fd, clear_fd, 1);
}

int shares_ui_guard_begin_noecho(struct shares_ui_guard *g, int tty_fd)
{
	return guard_begin(g, tty_fd, -1, 0);
}

int shares_ui_secret_line_read(int tty_fd, const char *prompt, char *dst, size_t cap,
			       size_t *len)
{
	struct shares_ui_guard guard = { 0 };
	size_t plen = strlen(prompt);
	int r = CE_ERR_INTERNAL;

	*len = 0;
	r = shares_ui_guard_begin_noecho(&guard, tty_fd);
	if (r < 0) {
		r = ce_err_prefix(r, "cannot turn the terminal's echo off");
		goto out;
	}
	if (write(tty_fd, prompt, plen) != (ssize_t)plen) {
		r = ce_err_set(CE_ERR_TTY, "cannot write to the terminal");
		goto out;
	}
	r = buf_read_secret_line_stop(tty_fd, dst, cap, len, &shares_ui_guard_interrupted);
	if (r == CE_ERR_ABORTED)
		r = ce_err_set(CE_ERR_ABORTED, "interrupted (Ctrl-C)");
out:
	if (guard.active) {
		shares_ui_guard_end(&guard);
		/* cosmetic: the Enter typed was not echoed */
		(void)!write(tty_fd, "\n", 1);
	}
	return r;
}

void shares_ui_guard_end(struct shares_ui_guard *g)
{
	size_t i;

	if (!g->active)
		return;
	/* the caller clears the screen itself on its normal way out */
	guard_clear = 0;
	guard_undo();
	for (i = 0; i < SHARES_UI_GUARD_NSIG; i++)
		(void)sigaction(guard_signals[i], &g->old[i], NULL);
	g->active = 0;
}
