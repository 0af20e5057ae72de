/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cmd_shares_tty.c - `ceremony shares split|combine` at a
 * terminal, one key holder at a time, the same flow as `ceremony run`
 * (ceremony/run/shares_issue.c): a step-up gate and a cleared screen and
 * scrollback at every holder change, each share shown to its holder alone
 * and typed back, refusals held on screen until acknowledged.
 */
#include "ceremony/cli/cmd_shares.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "shares/secret_text.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#define TTY_SECRET_LINE_MAX (2 * SLIP39_MAX_SECRET_BYTES + 64)
#define TTY_SECRET_TRIES 5   /* secret entries refused before split gives up */
#define TTY_TYPE_BACK_TRIES 3 /* as RUN_SHARE_TRIES */
#define TTY_SHARE_NAME_MAX 128
#define TTY_TEXT_MAX 1024

static volatile sig_atomic_t tty_sigint;
static struct sigaction tty_old_sigint;
static int tty_handler_set;

static void tty_on_sigint(int sig)
{
	(void)sig;
	tty_sigint = 1;
}

int shares_tty_interrupted(void)
{
	return tty_sigint != 0;
}

int shares_tty_open(struct shares_ui_term *t)
{
	struct sigaction sa;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return ce_err_set(CE_ERR_TTY, "/dev/tty: %s", strerror(errno));
	t->out = fdopen(fd, "w");
	if (t->out == NULL) {
		close(fd);
		return ce_err_set(CE_ERR_TTY, "/dev/tty: %s", strerror(errno));
	}
	t->in_fd = fd;
	t->is_tty = 1;
	/* Ctrl-C ends with status 1 and a message (docs/runbook-key-holder.md),
	 * the screen cleared: at a share screen or entry the guard does it,
	 * between them this handler notes it for the next check */
	shares_ui_set_interrupt_aborts(1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_sigint;
	sigemptyset(&sa.sa_mask);
	tty_sigint = 0;
	tty_handler_set = sigaction(SIGINT, &sa, &tty_old_sigint) == 0;
	return 0;
}

void shares_tty_close(struct shares_ui_term *t)
{
	if (t->out != NULL) {
		fflush(t->out);
		fclose(t->out); /* closes in_fd too */
	}
	t->out = NULL;
	t->in_fd = -1;
	shares_ui_set_interrupt_aborts(0);
	if (tty_handler_set)
		(void)sigaction(SIGINT, &tty_old_sigint, NULL);
	tty_handler_set = 0;
}

/* CE_ERR_ABORTED if Ctrl-C came between share screens, else r. */
static int tty_check(int r)
{
	if (r >= 0 && tty_sigint)
		return ce_err_set(CE_ERR_ABORTED, "interrupted (Ctrl-C)");
	return r;
}

/* A typed secret line as the master secret: hex (blanks around allowed,
 * 16..64 bytes, even) or text (shares/secret_text.h). */
static int tty_secret_parse(enum shares_secret_format fmt, const char *line, size_t len,
			    uint8_t *secret, size_t *secret_len)
{
	size_t a = 0, b = len;
	int r;

	while (b > 0 && (line[b - 1] == '\r' || line[b - 1] == '\n'))
		b--;
	if (fmt == SHARES_SECRET_TEXT)
		return secret_text_encode(line, b, secret, secret_len);
	while (a < b && (line[a] == ' ' || line[a] == '\t'))
		a++;
	while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
		b--;
	if (a == b)
		return ce_err_set(CE_ERR_FORMAT, "nothing was typed");
	r = hex_decode(line + a, b - a, secret, SLIP39_MAX_SECRET_BYTES, secret_len);
	if (r < 0 || *secret_len < SLIP39_MIN_SECRET_BYTES || (*secret_len & 1u))
		return ce_err_set(CE_ERR_FORMAT, "a hex secret is %d to %d bytes, an even count "
				  "(%d to %d hex digits); a PIN or passphrase is split with "
				  "--secret-format text", SLIP39_MIN_SECRET_BYTES,
				  SLIP39_MAX_SECRET_BYTES, 2 * SLIP39_MIN_SECRET_BYTES,
				  2 * SLIP39_MAX_SECRET_BYTES);
	return 0;
}

/* One secret line read without echo and parsed. 1 parsed, 0 refused (said
 * why: ask again), <0 stop (Ctrl-C, Ctrl-D, I/O). */
static int tty_secret_once(const struct shares_ui_term *t, enum shares_secret_format fmt,
			   const char *prompt, char *line, uint8_t *secret, size_t *secret_len)
{
	size_t len = 0;
	int r;

	fflush(t->out);
	r = shares_ui_secret_line_read(t->in_fd, prompt, line, TTY_SECRET_LINE_MAX, &len);
	if (r == 0)
		return ce_err_set(CE_ERR_ABORTED, "end of input (Ctrl-D)");
	if (r == CE_ERR_TOO_LARGE) {
		fprintf(t->out, "Not taken: that is longer than %d characters.\n",
			TTY_SECRET_LINE_MAX - 1);
		return 0;
	}
	r = tty_check(r);
	if (r < 0)
		return r;
	r = tty_secret_parse(fmt, line, len, secret, secret_len);
	ce_wipe(line, TTY_SECRET_LINE_MAX);
	if (r < 0) {
		fprintf(t->out, "Not taken: %s.\n", ce_err_detail());
		ce_err_clear();
		return 0;
	}
	return 1;
}

/* The secret typed twice, without echo; asked again on bad input or when
 * the two differ. */
static int tty_secret_read(const struct shares_ui_term *t, enum shares_secret_format fmt,
			   uint8_t *secret, size_t *secret_len)
{
	int r = CE_ERR_INTERNAL, tries;
	char *line = NULL;
	uint8_t *again = NULL;
	size_t again_len = 0;
	const char *prompt = fmt == SHARES_SECRET_TEXT
				     ? "Secret to split (text, e.g. a PIN; not shown): "
				     : "Secret to split (hex, 32 to 128 digits; not shown): ";

	line = secmem_alloc(TTY_SECRET_LINE_MAX);
	again = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	if (line == NULL || again == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	for (tries = 0; tries < TTY_SECRET_TRIES; tries++) {
		r = tty_secret_once(t, fmt, prompt, line, secret, secret_len);
		if (r < 0)
			goto out;
		if (r == 0)
			continue;
		r = tty_secret_once(t, fmt, "Type it again to confirm (not shown): ", line, again,
				    &again_len);
		if (r < 0)
			goto out;
		if (r == 1 && again_len == *secret_len && ct_memeq(secret, again, again_len)) {
			r = 0;
			goto out;
		}
		if (r == 1)
			fputs("The two entries differ; nothing was kept. Type the secret again.\n",
			      t->out);
		ce_wipe(secret, SLIP39_MAX_SECRET_BYTES);
	}
	r = ce_err_set(CE_ERR_FORMAT, "no secret taken after %d tries", TTY_SECRET_TRIES);
out:
	secmem_free(line);
	secmem_free(again);
	return r;
}

/* Say at the start when the terminal is too small for the QR codes; the
 * words alone are shown then, and the window may still be enlarged. */
static int tty_qr_check(const struct shares_ui_term *t, size_t secret_len)
{
	size_t rows = 0, cols = 0, hr = 0, hc = 0;
	char text[TTY_TEXT_MAX];
	int fits;

	fits = shares_ui_qr_fits(t->out, shares_ui_words_for_secret(secret_len), &rows, &cols, &hr,
				 &hc);
	if (fits < 0) { /* a length SLIP-39 refuses: slip39_split() says why */
		ce_err_clear();
		return 0;
	}
	if (fits != 0)
		return 0;
	snprintf(text, sizeof(text), "This terminal is %zu lines by %zu columns: the QR code of "
		 "each share\nneeds up to %zu lines and %zu columns. Enlarge the window now, or "
		 "the words\nwill be shown without the QR code.", hr, hc, rows, cols);
	return tty_check(shares_ui_acknowledge(t, text));
}

/* The share's position for its screen; *name its one name. */
static void tty_position(const struct shares_opts *o, const struct slip39_share_set *set,
			 const struct slip39_share *s, size_t k, struct shares_ui_position *pos,
			 char *name, size_t cap)
{
	shares_ui_position_from_share(pos, s);
	pos->member_count = set->member_count[s->group_index];
	pos->holder = o->holder_count ? o->holders[k] : NULL;
	pos->set_label = o->label;
	shares_ui_share_name(name, cap, pos);
}

/* The holder types the share back: *same says whether it is the one shown. */
static int tty_type_back(const struct shares_ui_term *t, const struct shares_ui_position *pos,
			 const char *name, const struct slip39_share *s, int *same)
{
	int r = CE_ERR_INTERNAL;
	struct slip39_share *back = NULL;
	char *mn = NULL, *mn2 = NULL;
	char prompt[TTY_TEXT_MAX];

	*same = 0;
	back = secmem_alloc(sizeof(*back));
	mn = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	mn2 = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	if (back == NULL || mn == NULL || mn2 == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	snprintf(prompt, sizeof(prompt), "%s%stype your share back from what you wrote (%s).",
		 pos->holder != NULL ? pos->holder : "", pos->holder != NULL ? ": " : "", name);
	r = tty_check(shares_ui_enter(t, prompt, back));
	if (r < 0)
		goto out;
	r = slip39_mnemonic_encode(s, mn, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	r = slip39_mnemonic_encode(back, mn2, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	*same = strlen(mn) == strlen(mn2) && ct_memeq(mn, mn2, strlen(mn));
	r = 0;
out:
	secmem_free(back);
	secmem_free(mn);
	secmem_free(mn2);
	return r;
}

/* One share to its holder: gate, share screen, typed back (shown again on a
 * mismatch, TTY_TYPE_BACK_TRIES times), screen cleared. done: the line of
 * the previous holder, shown above the gate (public). */
static int tty_issue_one(const struct shares_ui_term *t, const struct shares_ui_position *pos,
			 const char *name, const struct slip39_share *s, const char *done)
{
	int r = CE_ERR_INTERNAL, tries, same = 0;
	char text[TTY_TEXT_MAX];

	r = shares_ui_clear(t);
	if (r < 0)
		goto out;
	if (done[0] != '\0')
		fprintf(t->out, "%s\n\n", done);
	fprintf(t->out, "Next share: %s.\n", name);
	r = tty_check(shares_ui_step_up(t, pos->holder));
	if (r < 0)
		goto out;
	for (tries = 0;; tries++) {
		r = tty_check(shares_ui_show(t, pos, s));
		if (r < 0)
			goto out;
		r = tty_type_back(t, pos, name, s, &same);
		if (r < 0)
			goto out;
		r = shares_ui_clear(t); /* the entry's hints go */
		if (r < 0 || same)
			goto out;
		if (tries + 1 >= TTY_TYPE_BACK_TRIES) {
			r = ce_err_set(CE_ERR_VERIFY, "%s was not typed back as shown (%d tries); "
				       "no share set was completed", name, TTY_TYPE_BACK_TRIES);
			goto out;
		}
		snprintf(text, sizeof(text), "The share typed back is not the one shown (%s).\nIt "
			 "is shown again: check what you wrote.", name);
		r = tty_check(shares_ui_acknowledge(t, text));
		if (r < 0)
			goto out;
	}
out:
	return r;
}

int shares_tty_split(const struct shares_opts *o, const uint8_t *pass, size_t pass_len)
{
	int r = CE_ERR_INTERNAL;
	struct shares_ui_term t = { -1, NULL, 0 };
	struct slip39_split_params p = o->p;
	struct slip39_share_set *set = NULL;
	struct shares_ui_position pos;
	uint8_t *secret = NULL;
	size_t secret_len = 0, g, m, k = 0;
	char name[TTY_SHARE_NAME_MAX], done[TTY_TEXT_MAX] = "";

	secret = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	if (secret == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = shares_tty_open(&t);
	if (r < 0)
		goto out;
	if (o->random_bytes != 0) {
		if (RAND_priv_bytes(secret, (int)o->random_bytes) != 1) {
			r = ce_err_set(CE_ERR_CRYPTO, "RAND_priv_bytes failed");
			goto out;
		}
		secret_len = o->random_bytes;
	} else {
		r = tty_secret_read(&t, o->format, secret, &secret_len);
		if (r < 0)
			goto out;
	}
	r = tty_qr_check(&t, secret_len);
	if (r < 0)
		goto out;
	p.passphrase = pass;
	p.passphrase_len = pass_len;
	r = slip39_split(secret, secret_len, &p, &set);
	secmem_free(secret);
	secret = NULL; /* split: the shares hold it now */
	if (r < 0)
		goto out;
	for (g = 0; g < set->group_count; g++)
		for (m = 0; m < set->member_count[g]; m++, k++) {
			tty_position(o, set, &set->shares[g][m], k, &pos, name, sizeof(name));
			r = tty_issue_one(&t, &pos, name, &set->shares[g][m], done);
			if (r < 0)
				goto out;
			snprintf(done, sizeof(done), "%s%s%s typed back and checked.",
				 pos.holder != NULL ? pos.holder : "", pos.holder != NULL ? ": " : "",
				 name);
		}
	r = shares_ui_clear(&t);
	if (r < 0)
		goto out;
	fprintf(t.out, "%s %zu share%s of set %u %s shown and typed back. Any %u of the %zu "
		"group%s recover the secret", k == 1 ? "The" : "All", k, k == 1 ? "" : "s",
		(unsigned)set->shares[0][0].identifier, k == 1 ? "was" : "were",
		(unsigned)set->group_threshold, (size_t)set->group_count,
		set->group_count == 1 ? "" : "s");
	for (g = 0; g < set->group_count; g++)
		fprintf(t.out, "%s group %zu: any %u of its %u shares", g ? ";" : ":", g + 1,
			(unsigned)set->shares[g][0].member_threshold, (unsigned)set->member_count[g]);
	fputs(".\n", t.out);
	r = 0;
out:
	if (r < 0 && t.out != NULL)
		(void)shares_ui_clear(&t); /* nothing of a holder left behind a stop */
	shares_tty_close(&t);
	slip39_share_set_free(set);
	secmem_free(secret);
	return r;
}

/* Why the share just entered (sh[n]) cannot join sh[0..n): NULL when it
 * can; checked here so the refusal names both sets and the share. */
static const char *tty_refusal(const struct slip39_share *sh, size_t n, char *why, size_t cap)
{
	struct shares_ui_position pos;
	char name[TTY_SHARE_NAME_MAX];
	size_t i;

	shares_ui_position_from_share(&pos, &sh[n]);
	shares_ui_share_name(name, sizeof(name), &pos);
	if (n > 0 && sh[n].identifier != sh[0].identifier) {
		snprintf(why, cap, "%s is of another set:\nthe shares entered so far are of set %u",
			 name, (unsigned)sh[0].identifier);
		return why;
	}
	for (i = 0; i < n; i++)
		if (sh[i].group_index == sh[n].group_index &&
		    sh[i].member_index == sh[n].member_index) {
			snprintf(why, cap, "%s was already entered", name);
			return why;
		}
	return NULL;
}

/* The secret recovered: printed (--print-secret), its PIN printed
 * (--pin-derivation), or only announced. */
static int tty_combine_done(const struct shares_ui_term *t, const struct shares_opts *o,
			    const uint8_t *secret, size_t secret_len, unsigned set, size_t n)
{
	int r = CE_ERR_INTERNAL;
	char *txt = NULL;
	size_t len = 0;

	txt = secmem_alloc(2 * SLIP39_MAX_SECRET_BYTES + 2);
	if (txt == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = shares_ui_clear(t);
	if (r < 0)
		goto out;
	r = shares_secret_render(o, secret, secret_len, txt, 2 * SLIP39_MAX_SECRET_BYTES + 2,
				 &len);
	if (r < 0)
		goto out;
	fprintf(t->out, "Quorum reached: the secret of set %u was recovered from %zu shares%s%s%s\n",
		set, n,
		o->pin_derivation != NULL ? "; the PIN derived from it (" : "",
		o->pin_derivation != NULL ? o->pin_derivation : "",
		o->pin_derivation != NULL ? ") follows:"
		: o->print_secret ? "." : " (not shown; --print-secret prints it).");
	fflush(t->out);
	if (o->print_secret || o->pin_derivation != NULL) {
		txt[len++] = '\n';
		while (len > 0) {
			ssize_t k = write(STDOUT_FILENO, txt, len);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				r = ce_err_set(CE_ERR_IO, "standard output: %s", strerror(errno));
				goto out;
			}
			memmove(txt, txt + k, len - (size_t)k);
			len -= (size_t)k;
		}
	}
	r = 0;
out:
	secmem_free(txt);
	return r;
}

/* Enter one share as sh[*n]; accepted: *n grows and status says so with the
 * progress; refused: held on screen until Enter. 1 when the quorum is met
 * (secret filled), 0 to go on, <0 to stop. */
static int tty_combine_one(const struct shares_ui_term *t, struct slip39_share *sh, size_t *n,
			   const uint8_t *pass, size_t pass_len, uint8_t *secret,
			   size_t *secret_len, char *status, size_t cap)
{
	struct shares_ui_position pos;
	struct shares_ui_progress pg;
	char prompt[TTY_SHARE_NAME_MAX], name[TTY_SHARE_NAME_MAX], why[TTY_TEXT_MAX];
	char text[TTY_TEXT_MAX + 64];
	const char *refused;
	int r;

	snprintf(prompt, sizeof(prompt), "Key holder %zu: enter your share.", *n + 1);
	r = tty_check(shares_ui_enter(t, prompt, &sh[*n]));
	if (r < 0)
		return r;
	r = shares_ui_clear(t); /* the entry's hints go */
	if (r < 0)
		return r;
	shares_ui_position_from_share(&pos, &sh[*n]);
	shares_ui_share_name(name, sizeof(name), &pos);
	refused = tty_refusal(sh, *n, why, sizeof(why));
	if (refused == NULL) {
		r = slip39_combine(sh, *n + 1, pass, pass_len, secret, secret_len);
		if (r == 0) {
			(*n)++;
			return 1;
		}
		if (r == CE_ERR_QUORUM) {
			(*n)++;
			shares_ui_progress_from_shares(&pg, sh, *n);
			snprintf(status, cap, "Share accepted: %s. ", name);
			shares_ui_progress_format(status + strlen(status), cap - strlen(status), &pg);
			ce_err_clear();
			return 0;
		}
		if (r != CE_ERR_MISMATCH && r != CE_ERR_DUPLICATE && r != CE_ERR_FORMAT)
			return r;
		snprintf(why, sizeof(why), "%s: %s", name, ce_err_detail());
		refused = why;
		ce_err_clear();
	}
	ce_wipe(&sh[*n], sizeof(sh[*n]));
	snprintf(text, sizeof(text), "Share REFUSED: %s.\nNothing of it was kept.", refused);
	status[0] = '\0';
	if (*n > 0) {
		shares_ui_progress_from_shares(&pg, sh, *n);
		shares_ui_progress_format(status, cap, &pg);
	}
	return tty_check(shares_ui_acknowledge(t, text));
}

int shares_tty_combine(const struct shares_opts *o, const uint8_t *pass, size_t pass_len)
{
	int r = CE_ERR_INTERNAL;
	struct shares_ui_term t = { -1, NULL, 0 };
	struct slip39_share *sh = NULL;
	uint8_t *secret = NULL;
	size_t n = 0, secret_len = 0;
	char status[TTY_TEXT_MAX] = "";

	sh = secmem_alloc(SHARES_MAX_INPUT_SHARES * sizeof(*sh));
	secret = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	if (sh == NULL || secret == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = shares_tty_open(&t);
	if (r < 0)
		goto out;
	for (;;) {
		if (n >= SHARES_MAX_INPUT_SHARES) {
			r = ce_err_set(CE_ERR_QUORUM, "%zu shares entered without a quorum", n);
			goto out;
		}
		r = shares_ui_clear(&t);
		if (r < 0)
			goto out;
		if (status[0] != '\0')
			fprintf(t.out, "%s\n\n", status);
		r = tty_check(shares_ui_step_up(&t, NULL));
		if (r < 0)
			goto out;
		r = tty_combine_one(&t, sh, &n, pass, pass_len, secret, &secret_len, status,
				    sizeof(status));
		if (r < 0)
			goto out;
		if (r == 1)
			break;
	}
	r = tty_combine_done(&t, o, secret, secret_len, (unsigned)sh[0].identifier, n);
out:
	if (r < 0 && t.out != NULL)
		(void)shares_ui_clear(&t); /* nothing of a holder left behind a stop */
	shares_tty_close(&t);
	secmem_free(sh);
	secmem_free(secret);
	return r;
}
