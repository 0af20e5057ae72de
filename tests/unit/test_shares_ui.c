/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for shares/ UI: single-word fixes, entry from a pipe (words,
 * prefixes, refusals, checksum fixes, abort), the share screen, the QR code
 * (its half-block drawing decodes back to the exact mnemonic with zbarimg),
 * and the PDF card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shares/ui/qr.h"
#include "shares/rs1024.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"
#include "shares/wordlist.h"
#include "common/err.h"
#include "common/secmem.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A real share of a 2-of-3 split of a fixed 16- or 32-byte secret. */
static void make_share(size_t secret_len, struct slip39_share *out)
{
	uint8_t secret[32];
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	size_t i;

	for (i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)(i * 7 + 3);
	memset(&p, 0, sizeof(p));
	p.group_threshold = 1;
	p.group_count = 1;
	p.groups[0].threshold = 2;
	p.groups[0].count = 3;
	p.extendable = 1;
	assert_int_equal(slip39_split(secret, secret_len, &p, &set), 0);
	memcpy(out, &set->shares[0][1], sizeof(*out));
	slip39_share_set_free(set);
}

/* The words of s as text, word at position rep_pos (0-based) replaced by rep
 * (rep NULL: none), then "\n". */
static void line_of(const struct slip39_share *s, int rep_pos, const char *rep, char *line)
{
	uint16_t words[SLIP39_MAX_WORDS];
	int n, i;

	n = slip39_share_to_words(s, words);
	assert_true(n >= 20);
	line[0] = 0;
	for (i = 0; i < n; i++) {
		strcat(line, i ? " " : "");
		strcat(line, (rep != NULL && i == rep_pos) ? rep : slip39_wordlist[words[i]]);
	}
	strcat(line, "\n");
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void mnemonic_of(const struct slip39_share *s, char *text)
{
	assert_int_equal(slip39_mnemonic_encode(s, text, SLIP39_MNEMONIC_MAX_LEN), 0);
}

/* Feed input to shares_ui_enter() through a pipe; the screen text goes to
 * *screen (malloc'd, caller frees). */
static int enter_from(const char *input, struct slip39_share *share, char **screen)
{
	struct shares_ui_term t;
	size_t screen_len = 0;
	int fds[2];
	int r;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], input, strlen(input)), (ssize_t)strlen(input));
	close(fds[1]);
	t.in_fd = fds[0];
	t.out = open_memstream(screen, &screen_len);
	t.is_tty = 0;
	assert_non_null(t.out);
	r = shares_ui_enter(&t, "Share of test holder", share);
	fclose(t.out);
	close(fds[0]);
	return r;
}

static void test_fixes_find_single_word(void **state)
{
	uint16_t words[20], bad[20];
	struct shares_ui_fix fixes[8];
	size_t n, i, hit = 0;

	(void)state;
	for (i = 0; i < 17; i++)
		words[i] = (uint16_t)((i * 389 + 11) % 1024);
	rs1024_create(1, words, 17, words + 17);
	words[1] |= 1u << 4;                 /* extendable, matching the checksum */
	rs1024_create(1, words, 17, words + 17);
	assert_true(rs1024_verify(1, words, 20));
	memcpy(bad, words, sizeof(bad));
	bad[6] = (uint16_t)((bad[6] + 5) % 1024);
	assert_false(rs1024_verify(1, bad, 20));
	n = shares_ui_suggest_fixes(bad, 20, fixes, 8);
	assert_true(n >= 1);
	for (i = 0; i < n; i++)
		if (fixes[i].position == 6 && fixes[i].word == words[6])
			hit = 1;
	assert_true(hit);
	/* the input is left as it was */
	assert_int_equal(bad[6], (words[6] + 5) % 1024);
	assert_int_equal(secmem_live(), 0);
}

static void test_fixes_none_for_two_errors_or_valid(void **state)
{
	uint16_t words[20];
	struct shares_ui_fix fixes[8];
	size_t i;

	(void)state;
	for (i = 0; i < 17; i++)
		words[i] = (uint16_t)((i * 113 + 5) % 1024);
	words[1] = (uint16_t)(words[1] & ~(1u << 4));
	rs1024_create(0, words, 17, words + 17);
	/* a valid share: no other codeword is one word away (distance 4) */
	assert_int_equal(shares_ui_suggest_fixes(words, 20, fixes, 8), 0);
	/* two wrong words: no single-word correction exists */
	words[3] = (uint16_t)((words[3] + 1) % 1024);
	words[12] = (uint16_t)((words[12] + 1) % 1024);
	assert_int_equal(shares_ui_suggest_fixes(words, 20, fixes, 8), 0);
	/* too short */
	assert_int_equal(shares_ui_suggest_fixes(words, 19, fixes, 8), 0);
}

/* The old way, a whole checksum per candidate: the reference for the fast one. */
static size_t fixes_brute(const uint16_t *words, size_t n, struct shares_ui_fix *out, size_t max)
{
	uint16_t cand[SLIP39_MAX_WORDS];
	size_t found = 0, p;
	uint16_t w;

	memcpy(cand, words, n * sizeof(*cand));
	for (p = 0; p < n && found < max; p++) {
		uint16_t orig = cand[p];

		for (w = 0; w < SLIP39_WORDS && found < max; w++) {
			if (w == orig)
				continue;
			cand[p] = w;
			if (rs1024_verify(slip39_words_extendable(cand, n), cand, n)) {
				out[found].position = (uint8_t)p;
				out[found].word = w;
				found++;
			}
		}
		cand[p] = orig;
	}
	return found;
}

/* Both ways on one share: the same fixes in the same order; returns how many. */
static size_t fixes_both(const uint16_t *bad, size_t n, struct shares_ui_fix *a)
{
	struct shares_ui_fix b[8];
	size_t na = shares_ui_suggest_fixes(bad, n, a, 8), i;

	assert_int_equal(na, fixes_brute(bad, n, b, 8));
	for (i = 0; i < na; i++) {
		assert_int_equal(a[i].position, b[i].position);
		assert_int_equal(a[i].word, b[i].word);
	}
	return na;
}

/* The linear shortcut of shares_ui_suggest_fixes finds what a checksum of
 * every candidate finds, in the same order: every position of shares of
 * 20, 33 and 59 words, both flags, including a change of word 2 that flips
 * the extendable flag (checked in full), and two wrong words. */
static void test_fixes_agree_with_brute_force(void **state)
{
	static const size_t lens[] = { 20, 33, 59 };
	uint16_t words[SLIP39_MAX_WORDS], bad[SLIP39_MAX_WORDS];
	struct shares_ui_fix a[8];
	size_t li, p, i, na, cases = 0, hits = 0;
	int ext;

	(void)state;
	for (li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t n = lens[li];

		for (ext = 0; ext < 2; ext++) {
			for (i = 0; i < n - 3; i++)
				words[i] = (uint16_t)((i * 389 + 11 * n + 7 * (size_t)ext) % 1024);
			words[1] = (uint16_t)((words[1] & ~(1u << 4)) | ((unsigned)ext << 4));
			rs1024_create(ext, words, n - 3, words + n - 3);
			assert_true(rs1024_verify(ext, words, n));
			for (p = 0; p < n; p++) {
				memcpy(bad, words, n * sizeof(*bad));
				/* word 2: flip the extendable bit itself on odd lengths */
				bad[p] = (uint16_t)(p == 1 && (n & 1) ? bad[p] ^ (1u << 4) : (bad[p] + 1 + p) % 1024);
				na = fixes_both(bad, n, a);
				for (i = 0; i < na; i++)
					hits += a[i].position == p && a[i].word == words[p];
				cases++;
				/* and a second wrong word */
				bad[(p + 5) % n] = (uint16_t)((bad[(p + 5) % n] + 3) % 1024);
				(void)fixes_both(bad, n, a);
			}
		}
	}
	/* every single wrong word was found back */
	assert_int_equal(hits, cases);
	assert_int_equal(secmem_live(), 0);
}

static void test_enter_pipe_valid_share(void **state)
{
	struct slip39_share *orig = secmem_alloc(sizeof(*orig));
	struct slip39_share *got = secmem_alloc(sizeof(*got));
	char *text = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN + 2);
	char *screen = NULL;

	(void)state;
	make_share(32, orig);
	mnemonic_of(orig, text);
	strcat(text, "\n");
	assert_int_equal(enter_from(text, got, &screen), 0);
	assert_memory_equal(orig, got, sizeof(*orig));
	assert_null(strstr(screen, "refused"));
	free(screen);
	secmem_free(text);
	secmem_free(got);
	secmem_free(orig);
}

static void test_enter_pipe_prefixes_and_case(void **state)
{
	struct slip39_share *orig = secmem_alloc(sizeof(*orig));
	struct slip39_share *got = secmem_alloc(sizeof(*got));
	uint16_t words[SLIP39_MAX_WORDS];
	char line[SLIP39_MNEMONIC_MAX_LEN + 2] = "";
	char *screen = NULL;
	int n, i;

	(void)state;
	make_share(16, orig);
	n = slip39_share_to_words(orig, words);
	assert_int_equal(n, 20);
	/* blank line first (skipped), then 4-letter prefixes, upper case, tabs */
	strcat(line, "\n");
	for (i = 0; i < n; i++) {
		char w[5];
		size_t k;
		for (k = 0; k < 4; k++)
			w[k] = (char)(slip39_wordlist[words[i]][k] - 32);
		w[4] = 0;
		strcat(line, i ? "\t" : "");
		strcat(line, w);
	}
	strcat(line, "\n");
	assert_int_equal(enter_from(line, got, &screen), 0);
	assert_memory_equal(orig, got, sizeof(*orig));
	free(screen);
	secmem_free(got);
	secmem_free(orig);
}

static void test_enter_pipe_unknown_word(void **state)
{
	struct slip39_share *orig = secmem_alloc(sizeof(*orig));
	struct slip39_share *got = secmem_alloc(sizeof(*got));
	char line[SLIP39_MNEMONIC_MAX_LEN + 16];
	char *screen = NULL;

	(void)state;
	make_share(16, orig);
	line_of(orig, 1, "acidx", line);
	assert_int_equal(enter_from(line, got, &screen), CE_ERR_WORD);
	assert_non_null(strstr(screen, "word 2 is not in the word list"));
	assert_non_null(strstr(screen, "nearest: acid"));
	assert_true(all_zero(got, sizeof(*got)));
	free(screen);
	secmem_free(got);
	secmem_free(orig);
}

/* One word changed: refused with the fix named; the share is not changed
 * for the holder; a second, right line is then accepted. */
static void test_enter_pipe_bad_checksum_fix(void **state)
{
	struct slip39_share *orig = secmem_alloc(sizeof(*orig));
	struct slip39_share *got = secmem_alloc(sizeof(*got));
	uint16_t words[SLIP39_MAX_WORDS];
	char line[2 * (SLIP39_MNEMONIC_MAX_LEN + 16)];
	char expect[64];
	char *screen = NULL;
	const char *wrong;

	(void)state;
	make_share(16, orig);
	assert_int_equal(slip39_share_to_words(orig, words), 20);
	wrong = slip39_wordlist[(words[6] + 1) % 1024];
	line_of(orig, 6, wrong, line);
	assert_int_equal(enter_from(line, got, &screen), CE_ERR_CHECKSUM);
	snprintf(expect, sizeof(expect), "word 7 could be '%s'", slip39_wordlist[words[6]]);
	assert_non_null(strstr(screen, "checksum"));
	assert_non_null(strstr(screen, expect));
	assert_non_null(strstr(screen, "Enter the share again"));
	assert_true(all_zero(got, sizeof(*got)));
	free(screen);
	screen = NULL;
	/* the failing twin: after the bad line, the right one is accepted */
	line_of(orig, 6, wrong, line);
	line_of(orig, -1, NULL, line + strlen(line));
	assert_int_equal(enter_from(line, got, &screen), 0);
	assert_memory_equal(orig, got, sizeof(*orig));
	assert_non_null(strstr(screen, expect));
	free(screen);
	secmem_free(got);
	secmem_free(orig);
}

static void test_enter_pipe_abort_and_eof(void **state)
{
	struct slip39_share *got = secmem_alloc(sizeof(*got));
	char *screen = NULL;

	(void)state;
	assert_int_equal(enter_from("abort\n", got, &screen), CE_ERR_ABORTED);
	free(screen);
	screen = NULL;
	assert_int_equal(enter_from("ABORT\n", got, &screen), CE_ERR_ABORTED);
	free(screen);
	screen = NULL;
	assert_int_equal(enter_from("", got, &screen), CE_ERR_ABORTED);
	free(screen);
	screen = NULL;
	/* too few words: refused, and at end of input that is the reason */
	assert_int_equal(enter_from("academic acid acne\n", got, &screen), CE_ERR_FORMAT);
	assert_non_null(strstr(screen, "at least 20"));
	free(screen);
	secmem_free(got);
	assert_int_equal(secmem_live(), 0);
}

/* The half-block drawing (no terminal: no escapes) as a module matrix. */
static int qr_parse(const char *text, uint8_t *m, int cap, int *side)
{
	int row = 0, col = 0, width = -1;
	const char *p = text;

	while (*p) {
		int top = 0, bottom = 0;
		if (*p == '\n') {
			if (width < 0)
				width = col;
			else if (col != width)
				return -1;
			row += 2;
			col = 0;
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
		} else if (strncmp(p, "\u2588", 3) == 0) {
			top = bottom = 1;
			p += 3;
		} else if (strncmp(p, "\u2580", 3) == 0) {
			top = 1;
			p += 3;
		} else if (strncmp(p, "\u2584", 3) == 0) {
			bottom = 1;
			p += 3;
		} else {
			return -1;
		}
		if (col >= cap || row + 1 >= cap)
			return -1;
		m[row * cap + col] = (uint8_t)top;
		m[(row + 1) * cap + col] = (uint8_t)bottom;
		col++;
	}
	*side = width;
	return row;
}

/* Write the matrix 4x scaled as a PGM (inverted if asked), run zbarimg on
 * it: its exit status, and the text read (newline stripped) in got. */
static int qr_scan(const uint8_t *m, int side, int inverted, char *got, size_t cap)
{
	char pgm[] = "/tmp/ceremony-qr-XXXXXX", cmd[256];
	size_t got_len;
	FILE *f, *z;
	int fd, x, y, rc;

	fd = mkstemp(pgm);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "P5 %d %d 255\n", side * 4, side * 4);
	for (y = 0; y < side * 4; y++)
		for (x = 0; x < side * 4; x++)
			fputc((m[(y / 4) * 200 + x / 4] != 0) != (inverted != 0) ? 0 : 255, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q %s 2>/dev/null", pgm);
	z = popen(cmd, "r");
	assert_non_null(z);
	got_len = fread(got, 1, cap - 1, z);
	got[got_len] = 0;
	rc = pclose(z);
	unlink(pgm);
	while (got_len > 0 && got[got_len - 1] == '\n')
		got[--got_len] = 0;
	return rc;
}

static void test_qr_drawing_matches_matrix_and_scans(void **state)
{
	struct slip39_share *orig = secmem_alloc(sizeof(*orig));
	char *text = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	struct shares_qr q = { 0, NULL };
	static uint8_t m[200 * 200];
	char *drawn = NULL, got[1024];
	size_t drawn_len = 0;
	FILE *f;
	int side = 0, rows, x, y;

	(void)state;
	make_share(32, orig);
	mnemonic_of(orig, text);
	f = open_memstream(&drawn, &drawn_len);
	assert_int_equal(shares_ui_qr_print(f, text), 0);
	fclose(f);
	assert_null(strchr(drawn, '\033')); /* not a terminal: no colour escapes */
	assert_int_equal(shares_qr_encode(text, &q), 0);
	memset(m, 0, sizeof(m));
	rows = qr_parse(drawn, m, 200, &side);
	assert_int_equal(side, q.width + 2 * SHARES_QR_QUIET_MODULES);
	assert_true(rows >= side);
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++) {
			int qx = x - SHARES_QR_QUIET_MODULES, qy = y - SHARES_QR_QUIET_MODULES;
			int want = (qx >= 0 && qy >= 0 && qx < q.width && qy < q.width) ?
					   q.dark[qy * q.width + qx] : 0;
			assert_int_equal(m[y * 200 + x], want);
		}
	/* scale 4x into a PGM, dark = 0, and let zbarimg read it */
	assert_int_equal(qr_scan(m, side, 0, got, sizeof(got)), 0);
	assert_string_equal(got, text);
	/* the failing twin: drawn light-on-dark (a dark terminal without the
	 * colours we force), zbar finds no code at all */
	assert_true(qr_scan(m, side, 1, got, sizeof(got)) != 0);
	free(drawn);
	shares_qr_free(&q);
	secmem_free(text);
	secmem_free(orig);
}

static void test_show_pipe_confirms_and_reasks(void **state)
{
	struct slip39_share *s = secmem_alloc(sizeof(*s));
	struct shares_ui_position pos;
	struct shares_ui_term t;
	uint16_t words[SLIP39_MAX_WORDS];
	char *screen = NULL, expect[64];
	size_t len = 0;
	int fds[2];
	const char *answers[] = { "ok\nyes\n", "abort\n", "" };
	int want[] = { 0, CE_ERR_ABORTED, CE_ERR_ABORTED };
	size_t k;

	(void)state;
	make_share(16, s);
	assert_int_equal(slip39_share_to_words(s, words), 20);
	shares_ui_position_from_share(&pos, s);
	pos.holder = "Alice Example";
	pos.set_label = "user PIN of RootCA";
	pos.member_count = 3;
	for (k = 0; k < 3; k++) {
		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], answers[k], strlen(answers[k])),
				 (ssize_t)strlen(answers[k]));
		close(fds[1]);
		t.in_fd = fds[0];
		t.out = open_memstream(&screen, &len);
		t.is_tty = 0;
		assert_int_equal(shares_ui_show(&t, &pos, s), want[k]);
		fclose(t.out);
		close(fds[0]);
		assert_non_null(strstr(screen, "Share for Alice Example"));
		assert_non_null(strstr(screen, "user PIN of RootCA"));
		assert_non_null(strstr(screen, "Share for Alice Example: share 2 of 3, group 1 of 1, "
						"set "));
		assert_non_null(strstr(screen, "needed:   any 2 of these 3 shares recover the "
						"secret"));
		snprintf(expect, sizeof(expect), " 1. %s", slip39_wordlist[words[0]]);
		assert_non_null(strstr(screen, expect));
		snprintf(expect, sizeof(expect), "20. %s", slip39_wordlist[words[19]]);
		assert_non_null(strstr(screen, expect));
		assert_non_null(strstr(screen, "\u2588"));
		assert_null(strstr(screen, "\033[2J")); /* not a terminal: nothing cleared */
		if (k == 0)
			assert_non_null(strstr(screen, "Please type yes or abort"));
		if (k == 1)
			assert_null(strstr(screen, "Please type yes or abort"));
		free(screen);
		screen = NULL;
	}
	secmem_free(s);
}

static void test_position_names_cannot_drive_the_terminal(void **state)
{
	struct shares_ui_position pos;
	char *screen = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	memset(&pos, 0, sizeof(pos));
	pos.holder = "Mallory\033[2J\033]0;x\a";
	pos.set_label = "line\nbreak";
	pos.group_count = pos.group_threshold = pos.member_count = pos.member_threshold = 1;
	f = open_memstream(&screen, &len);
	shares_ui_position_print(f, &pos);
	fclose(f);
	assert_null(strchr(screen, '\033'));
	assert_null(strchr(screen, '\a'));
	assert_non_null(strstr(screen, "Share for Mallory?[2J?]0;x?: share 1 of 1"));
	assert_non_null(strstr(screen, "protects: line?break\n"));
	/* the failing twin: a plain name is shown as it is */
	free(screen);
	pos.holder = "Zoë Example";
	f = open_memstream(&screen, &len);
	shares_ui_position_print(f, &pos);
	fclose(f);
	assert_non_null(strstr(screen, "Share for Zoë Example: share 1 of 1, group 1 of 1, set 0\n"));
	assert_non_null(strstr(screen, "needed:   this share alone recovers the secret"));
	free(screen);
}

static void test_card_pdf_written_once(void **state)
{
	struct slip39_share *s = secmem_alloc(sizeof(*s));
	struct shares_ui_position pos;
	char dir[] = "/tmp/ceremony-card-XXXXXX", path[128];
	struct stat st;
	uint8_t *pdf = NULL;
	size_t len = 0;

	(void)state;
	make_share(32, s);
	shares_ui_position_from_share(&pos, s);
	pos.holder = "Bob";
	assert_int_equal(shares_card_render_pdf(&pos, s, &pdf, &len), 0);
	assert_true(len > 1000);
	assert_memory_equal(pdf, "%PDF-", 5);
	secmem_free(pdf);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/card.pdf", dir);
	assert_int_equal(shares_card_write_pdf(path, &pos, s), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never overwritten */
	assert_int_equal(shares_card_write_pdf(path, &pos, s), CE_ERR_EXISTS);
	unlink(path);
	rmdir(dir);
	secmem_free(s);
	assert_int_equal(secmem_live(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixes_find_single_word),
		cmocka_unit_test(test_fixes_none_for_two_errors_or_valid),
		cmocka_unit_test(test_fixes_agree_with_brute_force),
		cmocka_unit_test(test_enter_pipe_valid_share),
		cmocka_unit_test(test_enter_pipe_prefixes_and_case),
		cmocka_unit_test(test_enter_pipe_unknown_word),
		cmocka_unit_test(test_enter_pipe_bad_checksum_fix),
		cmocka_unit_test(test_enter_pipe_abort_and_eof),
		cmocka_unit_test(test_qr_drawing_matches_matrix_and_scans),
		cmocka_unit_test(test_show_pipe_confirms_and_reasks),
		cmocka_unit_test(test_position_names_cannot_drive_the_terminal),
		cmocka_unit_test(test_card_pdf_written_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
