/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for share entry at a terminal (a pseudo-terminal): raw mode
 * without echo, 4-letter prefixes, refusal at the first impossible letter,
 * Backspace and take-back, checksum corrections, automatic completion,
 * abort and Ctrl-D, and the terminal restored on every way out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shares/slip39.h"
#include "shares/ui/ui.h"
#include "shares/wordlist.h"
#include "common/err.h"
#include "common/secmem.h"

#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define SCREEN_MAX (64 * 1024)

struct feed {
	int master, slave;
	const char *keys;
	volatile int done;
	char screen[SCREEN_MAX];
	size_t screen_len;
};

static void drain(struct feed *f, int timeout_ms)
{
	struct pollfd p = { f->master, POLLIN, 0 };

	while (poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN)) {
		ssize_t k;
		if (f->screen_len >= SCREEN_MAX - 1)
			f->screen_len = 0; /* keep the tail: the test only reads messages */
		k = read(f->master, f->screen + f->screen_len, SCREEN_MAX - 1 - f->screen_len);
		if (k <= 0)
			break;
		f->screen_len += (size_t)k;
		f->screen[f->screen_len] = 0;
		timeout_ms = 0;
	}
}

/* Types the keys once the terminal is raw (typed earlier, TCSAFLUSH would
 * drop them, as it should), and reads the screen until told to stop. */
static void *typist(void *arg)
{
	struct feed *f = arg;
	struct termios tio;
	size_t len = strlen(f->keys), off = 0;

	for (;;) {
		drain(f, 1);
		if (f->done)
			return NULL;
		if (tcgetattr(f->slave, &tio) == 0 && !(tio.c_lflag & ECHO))
			break;
	}
	while (off < len) {
		ssize_t k = write(f->master, f->keys + off, len - off > 64 ? 64 : len - off);
		if (k <= 0)
			break;
		off += (size_t)k;
		drain(f, 1);
	}
	while (!f->done)
		drain(f, 10);
	drain(f, 0);
	return NULL;
}

/* Run shares_ui_enter() at a pty with keys typed; *f keeps the screen. */
static int enter_typed(struct feed *f, const char *keys, struct slip39_share *share)
{
	struct shares_ui_term t;
	struct termios tio;
	pthread_t th;
	int r;

	memset(f, 0, sizeof(*f));
	assert_int_equal(openpty(&f->master, &f->slave, NULL, NULL, NULL), 0);
	f->keys = keys;
	t.in_fd = f->slave;
	t.out = fdopen(dup(f->slave), "w");
	t.is_tty = 1;
	assert_non_null(t.out);
	assert_int_equal(pthread_create(&th, NULL, typist, f), 0);
	r = shares_ui_enter(&t, "share 1", share);
	fflush(t.out);
	/* the terminal is back as it was */
	assert_int_equal(tcgetattr(f->slave, &tio), 0);
	assert_true(tio.c_lflag & ECHO);
	assert_true(tio.c_lflag & ICANON);
	f->done = 1;
	pthread_join(th, NULL);
	fclose(t.out);
	close(f->slave);
	close(f->master);
	return r;
}

static struct feed feed; /* large: not on the stack */

static void make_share(size_t secret_len, struct slip39_share *out, uint16_t *words)
{
	uint8_t secret[32];
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	size_t i;

	for (i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)(i * 13 + 1);
	memset(&p, 0, sizeof(p));
	p.group_threshold = 1;
	p.group_count = 1;
	p.groups[0].threshold = 2;
	p.groups[0].count = 3;
	p.extendable = 1;
	assert_int_equal(slip39_split(secret, secret_len, &p, &set), 0);
	memcpy(out, &set->shares[0][2], sizeof(*out));
	slip39_share_set_free(set);
	assert_true(slip39_share_to_words(out, words) >= 20);
}

/* Keys for words [from, to), each ended by sep; prefix: first 4 letters. */
static void keys_of(char *k, const uint16_t *words, int from, int to, int prefix, char sep)
{
	int i;

	size_t len = strlen(k);

	for (i = from; i < to; i++) {
		const char *w = slip39_wordlist[words[i]];
		size_t wl = prefix ? 4 : strlen(w);
		memcpy(k + len, w, wl);
		len += wl;
		k[len++] = sep;
	}
	k[len] = 0;
}

/* No word of the share is on the screen (but those the instructions use). */
static void assert_no_echo(const char *screen, const uint16_t *words, int n)
{
	static const char *instructions =
		"Type the words of your share, each followed by Space or Enter. The first 4 "
		"letters of a word are enough. Nothing you type is shown. Backspace corrects; "
		"Backspace on an empty word takes back the previous word. Type abort to stop. "
		/* wordlist words that the entry and display messages themselves use */
		"academic again change check empty enlarge group member order short single "
		"space terminal that type valid window writing";
	int i;

	for (i = 0; i < n; i++) {
		const char *w = slip39_wordlist[words[i]];
		if (strstr(instructions, w) != NULL)
			continue;
		if (strstr(screen, w) != NULL)
			fail_msg("word %d (%s) is on the screen", i + 1, w);
	}
}

static void test_tty_prefixes_no_echo_autocomplete(void **state)
{
	struct slip39_share *s = secmem_alloc(sizeof(*s)), *got = secmem_alloc(sizeof(*s));
	uint16_t words[SLIP39_MAX_WORDS];
	static char keys[2048];

	(void)state;
	make_share(32, s, words);
	keys[0] = 0;
	keys_of(keys, words, 0, 16, 1, ' ');
	keys_of(keys, words, 16, 33, 0, '\r');
	assert_int_equal(enter_typed(&feed, keys, got), 0);
	assert_memory_equal(s, got, sizeof(*s));
	assert_non_null(strstr(feed.screen, "word 32 ok"));
	assert_non_null(strstr(feed.screen, "33 words entered"));
	assert_no_echo(feed.screen, words, 33);
	secmem_free(got);
	secmem_free(s);
}

/* 1 if a word of the share is among the suggestions for typo. */
static int share_has_near(const uint16_t *words, int n, const char *typo)
{
	uint16_t near[32];
	size_t k = slip39_word_suggest(typo, strlen(typo), near, 32), j;
	int i;

	for (i = 0; i < n; i++)
		for (j = 0; j < k; j++)
			if (words[i] == near[j])
				return 1;
	return 0;
}

static void test_tty_refused_at_once_backspace_takeback(void **state)
{
	struct slip39_share *s = secmem_alloc(sizeof(*s)), *got = secmem_alloc(sizeof(*s));
	uint16_t words[SLIP39_MAX_WORDS];
	static char keys[2048];

	(void)state;
	/* The typed mistakes show "acid" and its neighbours on screen: use a share
	 * without those words, so the no-echo check only sees the share's own. */
	do
		make_share(16, s, words);
	while (share_has_near(words, 20, "acidx"));
	keys[0] = 0;
	keys_of(keys, words, 0, 2, 0, ' ');
	strcat(keys, "acidx\x7f\x7f\x7f\x7f\x7f");  /* refused at x, then erased */
	strcat(keys, "zz\x15");                    /* Ctrl-U drops the word */
	strcat(keys, "\x1b[A");                    /* an arrow key is ignored */
	strcat(keys, "acid \x7f");                 /* a wrong word taken back */
	keys_of(keys, words, 2, 20, 0, ' ');
	assert_int_equal(enter_typed(&feed, keys, got), 0);
	assert_memory_equal(s, got, sizeof(*s));
	assert_non_null(strstr(feed.screen, "word 3: no word begins like that; nearest: acid"));
	assert_non_null(strstr(feed.screen, "word 3 taken back"));
	assert_no_echo(feed.screen, words, 20);
	secmem_free(got);
	secmem_free(s);
}

static void test_tty_bad_checksum_lists_fix_then_retype(void **state)
{
	struct slip39_share *s = secmem_alloc(sizeof(*s)), *got = secmem_alloc(sizeof(*s));
	uint16_t words[SLIP39_MAX_WORDS], wrong[SLIP39_MAX_WORDS];
	static char keys[4096];
	char expect[64];

	(void)state;
	make_share(16, s, words);
	memcpy(wrong, words, sizeof(wrong));
	wrong[6] = (uint16_t)((words[6] + 3) % 1024);
	keys[0] = 0;
	strcat(keys, "\r");                     /* Enter on nothing: ignored */
	keys_of(keys, wrong, 0, 20, 1, ' ');
	strcat(keys, "\r");                     /* 20 words, no valid checksum: Enter ends */
	keys_of(keys, words, 0, 20, 1, ' ');
	assert_int_equal(enter_typed(&feed, keys, got), 0);
	assert_memory_equal(s, got, sizeof(*s));
	snprintf(expect, sizeof(expect), "word 7 could be '%s'", slip39_wordlist[words[6]]);
	assert_non_null(strstr(feed.screen, "checksum of these 20 words is wrong"));
	assert_non_null(strstr(feed.screen, expect));
	assert_non_null(strstr(feed.screen, "Type the share again from word 1"));
	secmem_free(got);
	secmem_free(s);
}

static void test_tty_too_few_words_hint(void **state)
{
	struct slip39_share *got = secmem_alloc(sizeof(*got));

	(void)state;
	/* Enter ends "acid"; the second Enter, on an empty word, is too early */
	assert_int_equal(enter_typed(&feed, "academic acid\r\r\x04", got), CE_ERR_ABORTED);
	assert_non_null(strstr(feed.screen, "2 words so far: a share has at least 20"));
	secmem_free(got);
}

static void test_tty_abort_and_ctrl_d(void **state)
{
	struct slip39_share *got = secmem_alloc(sizeof(*got));

	(void)state;
	assert_int_equal(enter_typed(&feed, "academic ABORT ", got), CE_ERR_ABORTED);
	assert_non_null(strstr(feed.screen, "Aborted"));
	/* "abo" is no word's start, but "abort" is not refused while typed */
	assert_null(strstr(feed.screen, "no word begins like that"));
	assert_int_equal(enter_typed(&feed, "acad \x04", got), CE_ERR_ABORTED);
	secmem_free(got);
	assert_int_equal(secmem_live(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tty_prefixes_no_echo_autocomplete),
		cmocka_unit_test(test_tty_refused_at_once_backspace_takeback),
		cmocka_unit_test(test_tty_bad_checksum_lists_fix_then_retype),
		cmocka_unit_test(test_tty_too_few_words_hint),
		cmocka_unit_test(test_tty_abort_and_ctrl_d),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
