#include "shares/ui/ui.h"
#include "shares/ui/ui_guard.h"
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

static void guard_on_signal(int sig)
{
	int saved_errno = errno;

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

static const int guard_signals[SHARES_UI_GUARD_NSIG] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

int shares_ui_guard_begin(struct shares_ui_guard *g, int tty_fd, int clear_fd)
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
	for (i = 0; i < SHARES_UI_GUARD_NSIG; i++)
		(void)sigaction(guard_signals[i], &sa, &g->old[i]);
	g->active = 1;
	guard_clear = clear_fd >= 0;
	if (tty_fd >= 0) {
		raw = guard_tty_orig;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
		raw.c_lflag |= ISIG;    /* Ctrl-C still interrupts (and restores) */
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
#ifdef VSUSP
		raw.c_cc[VSUSP] = _POSIX_VDISABLE; /* a stopped process would keep it raw */
#endif
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
