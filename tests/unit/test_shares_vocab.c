/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for shares/ui/vocab.c and gate.c: the one name of a share, the
 * short quorum progress, the step-up gate and acknowledged messages from a
 * pipe, and the QR size check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shares/secret_text.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_share_name(void **state)
{
	struct shares_ui_position pos;
	char buf[128];

	(void)state;
	memset(&pos, 0, sizeof(pos));
	pos.identifier = 3372;
	pos.group_index = 0;
	pos.group_count = 1;
	pos.member_index = 1;
	pos.member_count = 3;
	shares_ui_share_name(buf, sizeof(buf), &pos);
	assert_string_equal(buf, "share 2 of 3, group 1 of 1, set 3372");
	pos.member_count = 0; /* unknown: a share alone */
	shares_ui_share_name(buf, sizeof(buf), &pos);
	assert_string_equal(buf, "share 2, group 1 of 1, set 3372");
	/* cut short, NUL-terminated, the length it needed returned */
	assert_int_equal(shares_ui_share_name(buf, 6, &pos), 31);
	assert_string_equal(buf, "share");
}

static void test_progress(void **state)
{
	struct slip39_share sh[4];
	struct shares_ui_progress p;
	char buf[128];

	(void)state;
	memset(sh, 0, sizeof(sh));
	sh[0].group_count = 1;
	sh[0].group_threshold = 1;
	sh[0].member_threshold = 3;
	sh[1] = sh[0];
	sh[1].member_index = 2;
	sh[2] = sh[1]; /* the same member again: counted once */
	shares_ui_progress_from_shares(&p, sh, 1);
	shares_ui_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "Quorum progress: 1/3");
	shares_ui_progress_from_shares(&p, sh, 3);
	shares_ui_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "Quorum progress: 2/3");
	/* two groups, 2 needed: group 2 known only once a share of it came */
	memset(sh, 0, sizeof(sh));
	sh[0].group_count = 2;
	sh[0].group_threshold = 2;
	sh[0].member_threshold = 3;
	shares_ui_progress_from_shares(&p, sh, 1);
	shares_ui_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf, "Quorum progress: group 1: 1/3; groups complete 0/2");
	sh[1] = sh[0];
	sh[1].group_index = 1;
	sh[1].member_threshold = 1;
	shares_ui_progress_from_shares(&p, sh, 2);
	shares_ui_progress_format(buf, sizeof(buf), &p);
	assert_string_equal(buf,
			    "Quorum progress: group 1: 1/3; group 2: 1/1; groups complete 1/2");
}

static void test_step_up_text(void **state)
{
	char buf[256];

	(void)state;
	shares_ui_step_up_text(buf, sizeof(buf), "Bob");
	assert_string_equal(buf, "Next: Bob, please step up to the keyboard. Press Enter when "
				 "the previous holder has stepped away.");
	shares_ui_step_up_text(buf, sizeof(buf), NULL);
	assert_non_null(strstr(buf, "Next key holder, please step up"));
	shares_ui_step_up_text(buf, sizeof(buf), "B\033[2Jb");
	assert_non_null(strstr(buf, "Next: B?[2Jb,"));
}

/* The gate and an acknowledged message from a pipe: Enter passes, end of
 * input aborts. */
static void gate_run(const char *input, int ack, int expect, char *out, size_t cap)
{
	struct shares_ui_term t;
	int fds[2];
	FILE *f;
	int r;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], input, strlen(input)), (ssize_t)strlen(input));
	close(fds[1]);
	memset(out, 0, cap);
	f = fmemopen(out, cap - 1, "w");
	assert_non_null(f);
	t.in_fd = fds[0];
	t.out = f;
	t.is_tty = 0;
	r = ack ? shares_ui_acknowledge(&t, "Bob: share REFUSED: set 1 is not set 2")
		: shares_ui_step_up(&t, "Bob");
	assert_int_equal(r, expect);
	fclose(f);
	close(fds[0]);
}

static void test_gate_from_pipe(void **state)
{
	char out[1024];

	(void)state;
	gate_run("\n", 0, 0, out, sizeof(out));
	assert_non_null(strstr(out, "Next: Bob, please step up"));
	gate_run("", 0, CE_ERR_ABORTED, out, sizeof(out));
	gate_run("\n", 1, 0, out, sizeof(out));
	assert_non_null(strstr(out, "Bob: share REFUSED: set 1 is not set 2\n"));
	assert_non_null(strstr(out, "Press Enter to continue."));
	gate_run("", 1, CE_ERR_ABORTED, out, sizeof(out));
}

static void test_qr_size(void **state)
{
	size_t rows = 0, cols = 0;

	(void)state;
	assert_int_equal(shares_ui_words_for_secret(16), 20);
	assert_int_equal(shares_ui_words_for_secret(32), 33);
	assert_int_equal(shares_ui_qr_size(20, &rows, &cols), 0);
	assert_true(rows >= 25 && rows <= 40);
	assert_true(cols >= 45 && cols <= 70);
	assert_int_equal(shares_ui_qr_size(19, &rows, &cols), CE_ERR_INVALID);
	/* not a terminal: size unknown, taken as fitting */
	assert_int_equal(shares_ui_qr_fits(stderr, 20, &rows, &cols, NULL, NULL),
			 isatty(2) ? shares_ui_qr_fits(stderr, 20, NULL, NULL, NULL, NULL) : 1);
}

static void test_threshold_text(void **state)
{
	struct shares_ui_position pos;
	char buf[256];

	(void)state;
	memset(&pos, 0, sizeof(pos));
	pos.group_count = pos.group_threshold = 1;
	pos.member_threshold = 3;
	pos.member_count = 5;
	shares_ui_threshold_text(buf, sizeof(buf), &pos);
	assert_string_equal(buf, "any 3 of these 5 shares recover the secret");
	pos.member_count = 0;
	shares_ui_threshold_text(buf, sizeof(buf), &pos);
	assert_string_equal(buf, "any 3 shares recover the secret");
	pos.group_count = 3;
	pos.group_threshold = 2;
	pos.group_index = 1;
	pos.member_count = 5;
	shares_ui_threshold_text(buf, sizeof(buf), &pos);
	assert_string_equal(buf, "any 3 of the 5 shares of group 2 complete it; any 2 of the 3 "
				 "groups recover the secret");
	pos.member_threshold = pos.member_count = 1;
	shares_ui_threshold_text(buf, sizeof(buf), &pos);
	assert_string_equal(buf, "this share alone completes group 2; any 2 of the 3 groups "
				 "recover the secret");
}

/* docs/share-format.md, "Text secrets": the vector and the limits. */
static void test_secret_text(void **state)
{
	static const uint8_t pin[16] = { 4, '1', '2', '3', '4' };
	uint8_t out[SLIP39_MAX_SECRET_BYTES];
	char text[80], long_text[65];
	size_t len = 0, tl = 0;

	(void)state;
	assert_int_equal(secret_text_encode("1234", 4, out, &len), 0);
	assert_int_equal(len, 16);
	assert_memory_equal(out, pin, 16);
	assert_int_equal(secret_text_decode(out, len, text, sizeof(text), &tl), 0);
	assert_int_equal(tl, 4);
	assert_string_equal(text, "1234");
	memset(long_text, 'x', sizeof(long_text));
	assert_int_equal(secret_text_encode(long_text, 15, out, &len), 0);
	assert_int_equal(len, 16);
	assert_int_equal(secret_text_encode(long_text, 16, out, &len), 0);
	assert_int_equal(len, 18);
	assert_int_equal(secret_text_encode(long_text, 63, out, &len), 0);
	assert_int_equal(len, 64);
	/* failing twins */
	assert_int_equal(secret_text_encode(long_text, 64, out, &len), CE_ERR_TOO_LARGE);
	assert_int_equal(secret_text_encode("", 0, out, &len), CE_ERR_FORMAT);
	assert_int_equal(secret_text_encode("12\t4", 4, out, &len), CE_ERR_FORMAT);
	assert_int_equal(secret_text_encode("12\x7f" "4", 4, out, &len), CE_ERR_FORMAT);
	assert_int_equal(secret_text_encode("z\xc3\xab" "e", 4, out, &len), 0); /* UTF-8 */
	memcpy(out, pin, 16);
	out[15] = 1; /* padding not zero */
	assert_int_equal(secret_text_decode(out, 16, text, sizeof(text), &tl), CE_ERR_FORMAT);
	memcpy(out, pin, 16);
	out[0] = 16; /* longer than the secret */
	assert_int_equal(secret_text_decode(out, 16, text, sizeof(text), &tl), CE_ERR_FORMAT);
	out[0] = 0;
	assert_int_equal(secret_text_decode(out, 16, text, sizeof(text), &tl), CE_ERR_FORMAT);
	memcpy(out, pin, 16);
	out[2] = '\n';
	assert_int_equal(secret_text_decode(out, 16, text, sizeof(text), &tl), CE_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_name),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_step_up_text),
		cmocka_unit_test(test_gate_from_pipe),
		cmocka_unit_test(test_qr_size),
		cmocka_unit_test(test_threshold_text),
		cmocka_unit_test(test_secret_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
