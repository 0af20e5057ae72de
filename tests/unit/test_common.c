/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for common/: errors, secure memory, constant time, hex, buffers,
 * outputs, process hardening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/esc.h"
#include "common/harden.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "common/secmem.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_err_messages(void **state)
{
	int c;

	(void)state;
	for (c = 0; c >= CE_ERR_MIN_; c--)
		assert_non_null(ce_strerror(c));
	assert_string_equal(ce_strerror(1), "unknown error");
	assert_string_equal(ce_strerror(CE_ERR_MIN_ - 1), "unknown error");
	assert_int_equal(ce_err_set(CE_ERR_FORMAT, "x.yaml:%d: bad", 3), CE_ERR_FORMAT);
	assert_string_equal(ce_err_detail(), "x.yaml:3: bad");
	ce_err_prefix(CE_ERR_FORMAT, "while loading");
	assert_string_equal(ce_err_detail(), "while loading: x.yaml:3: bad");
	ce_err_clear();
	assert_string_equal(ce_err_detail(), "");
}

static void test_secmem_basic(void **state)
{
	size_t live = secmem_live();
	uint8_t *p;
	size_t sizes[] = { 0, 1, 15, 16, 17, 4000, 4096, 10000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = secmem_alloc(sizes[i]);
		assert_non_null(p);
		assert_int_equal(((uintptr_t)p) % 16, 0);
		assert_int_equal(secmem_size(p), sizes[i]);
		assert_true(ct_is_zero(p, sizes[i]));
		memset(p, 0xa5, sizes[i]);
		secmem_free(p);
	}
	secmem_free(NULL);
	p = secmem_dup("abc", 3);
	assert_non_null(p);
	assert_memory_equal(p, "abc", 3);
	secmem_free(p);
	assert_int_equal(secmem_live(), live);
}

static int child_status(void (*fn)(void))
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		fn();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return st;
}

static void overflow_child(void)
{
	volatile uint8_t *p = secmem_alloc(32);
	p[32 + 16] = 1; /* past the rounded end: lands on the guard page */
}

static void underflow_child(void)
{
	uint8_t *p = secmem_alloc(32);
	p[-1] = 1; /* the canary */
	secmem_free(p);
}

static void test_secmem_guards(void **state)
{
	int st;

	(void)state;
	st = child_status(overflow_child);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSEGV);
	st = child_status(underflow_child);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
}

static void test_secmem_locked(void **state)
{
	/* VmLck in /proc/self/status grows while a secret is held */
	char line[256];
	long before = -1, during = -1;
	FILE *f;
	uint8_t *p;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	/* AddressSanitizer turns mlock() into a no-op: nothing to see here (the
	 * normal build runs this test, and t9002 checks a live process). */
	skip();
#endif
	f = fopen("/proc/self/status", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "VmLck: %ld", &before);
	fclose(f);
	p = secmem_alloc(100);
	assert_non_null(p);
	f = fopen("/proc/self/status", "r");
	while (fgets(line, sizeof(line), f))
		sscanf(line, "VmLck: %ld", &during);
	fclose(f);
	secmem_free(p);
	assert_true(during > before);
}

static void test_ct(void **state)
{
	(void)state;
	assert_true(ct_memeq("abcd", "abcd", 4));
	assert_false(ct_memeq("abcd", "abce", 4));
	assert_false(ct_memeq("\x80", "\x00", 1));
	assert_true(ct_memeq("", "x", 0));
	assert_true(ct_is_zero("\0\0\0", 3));
	assert_false(ct_is_zero("\0\1\0", 3));
	assert_int_equal(ct_u32_eq(5, 5), 0xffffffffu);
	assert_int_equal(ct_u32_eq(5, 6), 0);
	assert_int_equal(ct_u32_is_zero(0), 0xffffffffu);
	assert_int_equal(ct_u32_is_zero(0x80000000u), 0);
	assert_int_equal(ct_u32_lt(1, 2), 0xffffffffu);
	assert_int_equal(ct_u32_lt(2, 1), 0);
	assert_int_equal(ct_u32_lt(0, 0xffffffffu), 0xffffffffu);
	assert_int_equal(ct_u32_select(0xffffffffu, 7, 9), 7);
	assert_int_equal(ct_u32_select(0, 7, 9), 9);
	{
		uint8_t d[3] = { 1, 2, 3 };
		ct_memcpy_if(0, d, "xyz", 3);
		assert_memory_equal(d, "\1\2\3", 3);
		ct_memcpy_if(0xffffffffu, d, "xyz", 3);
		assert_memory_equal(d, "xyz", 3);
	}
}

static void test_hex(void **state)
{
	uint8_t out[8];
	char txt[17];
	size_t n;

	(void)state;
	hex_encode((const uint8_t *)"\x00\x09\x0a\xff\x5c", 5, txt);
	assert_string_equal(txt, "00090aff5c");
	assert_int_equal(hex_decode("00090AfF5c", 10, out, sizeof(out), &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "\x00\x09\x0a\xff\x5c", 5);
	assert_int_equal(hex_decode("abc", 3, out, sizeof(out), &n), CE_ERR_FORMAT);
	assert_int_equal(hex_decode("zz", 2, out, sizeof(out), &n), CE_ERR_FORMAT);
	assert_int_equal(hex_decode("0g", 2, out, sizeof(out), &n), CE_ERR_FORMAT);
	assert_int_equal(hex_decode("@0", 2, out, sizeof(out), &n), CE_ERR_FORMAT);
	assert_int_equal(hex_decode("000000000000000000", 18, out, sizeof(out), &n),
			 CE_ERR_TOO_LARGE);
}

static void test_buf(void **state)
{
	struct buf b;
	int fds[2];
	uint8_t *s = NULL;
	size_t n = 0;
	char line[8];

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "hello", 5), 0);
	assert_int_equal(buf_printf(&b, "%d", 12345), 0);
	assert_string_equal(b.p, "hello12345");
	assert_int_equal(buf_append(&b, "x", 1), CE_ERR_TOO_LARGE);
	buf_free(&b);

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "0123456789", 10), 10);
	close(fds[1]);
	assert_int_equal(buf_read_secret_fd(fds[0], "stdin", 9, &s, &n), CE_ERR_TOO_LARGE);
	assert_null(s);
	close(fds[0]);

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "ab\ncdefghijk\n", 13), 13);
	close(fds[1]);
	assert_int_equal(buf_read_secret_line(fds[0], line, sizeof(line), &n), 1);
	assert_string_equal(line, "ab");
	assert_int_equal(buf_read_secret_line(fds[0], line, sizeof(line), &n), CE_ERR_TOO_LARGE);
	assert_true(ct_is_zero(line, sizeof(line)));
	close(fds[0]);

	assert_int_equal(buf_read_file(&b, "/nonexistent/x", 100), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "/nonexistent/x"));
}

/* One reader's results for input through a pipe (byte at a time) and from a
 * file (blocks, offset set back): the same lines, codes and offsets. */
static void read_lines_both(const char *in, size_t cap, int *codes, char (*lines)[16], off_t *offs,
			    int from_file, size_t count)
{
	char *line = secmem_alloc(cap);
	size_t i, n;
	int fd, p[2];

	assert_non_null(line);
	if (from_file) {
		FILE *f = tmpfile();

		assert_non_null(f);
		fd = dup(fileno(f));
		fclose(f);
		assert_int_equal(write(fd, in, strlen(in)), (ssize_t)strlen(in));
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	} else {
		assert_int_equal(pipe(p), 0);
		assert_int_equal(write(p[1], in, strlen(in)), (ssize_t)strlen(in));
		close(p[1]);
		fd = p[0];
	}
	for (i = 0; i < count; i++) {
		codes[i] = buf_read_secret_line(fd, line, cap, &n);
		snprintf(lines[i], 16, "%s", codes[i] == 1 ? line : "-");
		offs[i] = from_file ? lseek(fd, 0, SEEK_CUR) : -1;
		if (codes[i] < 0)
			assert_true(ct_is_zero(line, cap));
	}
	close(fd);
	secmem_free(line);
}

static void test_read_line_file_and_pipe(void **state)
{
	/* cap 8: 7 letters fit, 8 do not; an empty line; a last line without \n */
	static const char *const inputs[] = { "ab\n\nabcdefg\nxyz", "abcdefgh\nz\n", "\n\n", "", "q" };
	static const off_t want_offs[][6] = {
		{ 3, 4, 12, 15, 15, 15 }, { 8, 8, 8, 8, 8, 8 }, { 1, 2, 2, 2, 2, 2 }, { 0, 0, 0, 0, 0, 0 },
		{ 1, 1, 1, 1, 1, 1 },
	};
	int ca[6], cb[6];
	char la[6][16], lb[6][16];
	off_t oa[6], ob[6];
	size_t t, i;

	(void)state;
	for (t = 0; t < sizeof(inputs) / sizeof(inputs[0]); t++) {
		read_lines_both(inputs[t], 8, ca, la, oa, 0, 6);
		read_lines_both(inputs[t], 8, cb, lb, ob, 1, 6);
		for (i = 0; i < 6; i++) {
			assert_int_equal(ca[i], cb[i]);
			assert_string_equal(la[i], lb[i]);
			if (cb[i] >= 0)
				assert_int_equal(ob[i], want_offs[t][i]);
			if (ca[i] < 0)
				break; /* a refused line: the caller stops there */
		}
	}
	read_lines_both(inputs[0], 8, cb, lb, ob, 1, 4);
	assert_string_equal(lb[2], "abcdefg");
	assert_string_equal(lb[3], "xyz");
	read_lines_both(inputs[1], 8, cb, lb, ob, 1, 1);
	assert_int_equal(cb[0], CE_ERR_TOO_LARGE);
}

static void test_outfile(void **state)
{
	char dir[] = "/tmp/ce-outfile-XXXXXX";
	char path[256];
	struct outfile of;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.pem", dir);
	assert_int_equal(outfile_create(&of, path, 0600), 0);
	assert_int_equal(outfile_write(&of, "data", 4), 0);
	assert_int_not_equal(stat(path, &st), 0); /* nothing at the final path yet */
	assert_int_equal(outfile_commit(&of), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never clobbered */
	assert_int_equal(outfile_write_all(path, 0600, "new", 3), CE_ERR_EXISTS);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	/* abort leaves nothing */
	snprintf(path, sizeof(path), "%s/b.pem", dir);
	assert_int_equal(outfile_create(&of, path, 0600), 0);
	assert_int_equal(outfile_write(&of, "partial", 7), 0);
	outfile_abort(&of);
	assert_int_not_equal(stat(path, &st), 0);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s | grep -v a.pem)\" && rm -rf %s",
			 dir, dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_harden(void **state)
{
	struct rlimit rl;
	mode_t old;

	int saved_stderr = dup(2);

	(void)state;
	close(2); /* harden must reopen it */
	assert_int_equal(harden_process(), 0);
	assert_int_not_equal(fcntl(2, F_GETFD), -1);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
	assert_int_equal(rl.rlim_max, 0);
	old = umask(022);
	assert_int_equal(old, 077);
}

/* esc_str / esc_fprintf: untrusted text never reaches a terminal raw. */
static void esc_expect(const char *in, size_t len, const char *want)
{
	char out[256];

	esc_mem(out, sizeof(out), in, len);
	assert_string_equal(out, want);
}

static void test_esc(void **state)
{
	char out[64], *mem = NULL;
	size_t memlen = 0, i;
	FILE *f;

	(void)state;
	/* plain ASCII and well-formed UTF-8 unchanged: the twin */
	esc_expect("Alice Martin", 12, "Alice Martin");
	esc_expect("\xc3\xa9\xc3\xbc \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91", 16,
		   "\xc3\xa9\xc3\xbc \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91");
	/* C0, DEL, ESC sequences, CR overwrite, backslash */
	esc_expect("\x1b[2Jx", 5, "\\x1b[2Jx");
	esc_expect("\x1b]0;t\a", 6, "\\x1b]0;t\\x07");
	esc_expect("ok\rFAILED\n\t", 11, "ok\\x0dFAILED\\x0a\\x09");
	esc_expect("a\x7f" "b", 3, "a\\x7fb");
	esc_expect("a\\x1b", 5, "a\\\\x1b");
	esc_expect("a\0b", 3, "a\\x00b");
	/* C1 controls: raw (invalid UTF-8) and encoded; bidi overrides */
	esc_expect("\x9b" "2J", 3, "\\x9b2J");
	esc_expect("\xc2\x9b" "2J", 4, "\\u009b2J");
	esc_expect("\xc2\x85", 2, "\\u0085");
	esc_expect("\xe2\x80\xae" "txt", 6, "\\u202etxt");
	esc_expect("\xc2\xa0", 2, "\xc2\xa0"); /* U+00A0 is printable */
	/* invalid UTF-8: overlong, surrogate, truncated, above U+10FFFF, stray */
	esc_expect("\xc0\xaf", 2, "\\xc0\\xaf");
	esc_expect("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	esc_expect("\xe6\x97", 2, "\\xe6\\x97");
	esc_expect("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");
	esc_expect("\xbf" "a\xff", 3, "\\xbfa\\xff");
	/* truncation never cuts an escape or a character */
	assert_int_equal(esc_mem(out, 6, "ab\x1b" "cd", 5), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(esc_mem(out, 4, "a\xc3\xa9\xc3\xa9", 5), 3);
	assert_string_equal(out, "a\xc3\xa9");
	assert_int_equal(esc_mem(out, 0, "abc", 3), 0);
	assert_string_equal(esc_str(out, sizeof(out), NULL), "(null)");
	/* esc_fprintf: the format as is, %s and %c escaped, numbers as printf */
	f = open_memstream(&mem, &memlen);
	assert_non_null(f);
	assert_true(esc_fprintf(f, "[%s] %-6s|%4s|%.3s %c%c %d %05llu %zu %lx %.1f %% %p\n",
				"\x1b[2J", "\xc3\xa9", "a\n", "abc\x1b", 'x', 0x1b, -3, 42ULL,
				(size_t)7, 255UL, 1.25, (void *)0) > 0);
	assert_true(esc_fprintf(f, "%*s|%-*.*s|\n", 3, "a", 4, 2, "\x07xyz") > 0);
	assert_true(esc_fprintf(f, "%.3s|%.2s|\n", "ab\xc3\xa9", "\xbf\xbf\xbf") > 0);
	fclose(f);
	assert_string_equal(mem, "[\\x1b[2J] \xc3\xa9    |a\\x0a|abc x\\x1b "
				 "-3 00042 7 ff 1.2 % (nil)\n"
				 "  a|\\x07x|\n"
				 "ab|\\xbf\\xbf|\n");
	for (i = 0; i < memlen; i++)
		assert_false(mem[i] == 0x1b || mem[i] == '\r');
	free(mem);
	/* wide strings are refused, not printed unescaped */
	mem = NULL;
	f = open_memstream(&mem, &memlen);
	assert_non_null(f);
	assert_int_equal(esc_fprintf(f, "a%lsb", L"\x1b"), -1);
	fclose(f);
	assert_null(strchr(mem, 0x1b));
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_line_file_and_pipe),
		cmocka_unit_test(test_err_messages),
		cmocka_unit_test(test_secmem_basic),
		cmocka_unit_test(test_secmem_guards),
		cmocka_unit_test(test_secmem_locked),
		cmocka_unit_test(test_ct),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_outfile),
		cmocka_unit_test(test_harden),
		cmocka_unit_test(test_esc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
