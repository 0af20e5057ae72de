/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the error paths of common/ (buf.c, outfile.c, secmem.c) and of
 * the transcript hashing (ceremony/transcript/chain.c) that the rest of the
 * suite does not reach and a plain call can (make coverage lists the rest,
 * docs/threat-model.md section 6.4). Each failure returns its code, names
 * what failed, and leaves nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/format.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/outfile.h"
#include "common/secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ce-edges-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
	static char p[4][160];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_buf_bounds(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_append(&b, "12345678", 8), 0);
	assert_int_equal(buf_append(&b, "9", 1), CE_ERR_TOO_LARGE);
	assert_int_equal(b.len, 8); /* nothing half-appended */
	assert_int_not_equal(buf_printf(&b, "%s", "more"), 0);
	buf_free(&b);
	buf_init(&b, 0);
	assert_int_equal(buf_printf(&b, "%0300d", 7), 0); /* grows past its first size */
	assert_int_equal(b.len, 300);
	buf_free(&b);
}

static void test_buf_read_errors(void **state)
{
	struct buf b;
	int fd;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_read_file(&b, at("missing"), 16), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "missing"));
	put(at("big"), "0123456789abcdefXYZ");
	assert_int_equal(buf_read_file(&b, at("big"), 16), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(ce_err_detail(), "limit of 16 bytes"));
	buf_free(&b);
	/* a directory opens but does not read */
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	buf_init(&b, 16);
	assert_int_equal(buf_read_fd(&b, fd, "a directory", 16), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "a directory: read"));
	buf_free(&b);
	close(fd);
}

static void test_buf_getline_errors(void **state)
{
	struct buf b;
	FILE *f;

	(void)state;
	put(at("lines"), "short\nthis line is too long\n");
	f = fopen(at("lines"), "r");
	assert_non_null(f);
	buf_init(&b, 0);
	assert_int_equal(buf_getline(&b, f, 8), 1);
	assert_string_equal(b.p, "short");
	assert_int_equal(buf_getline(&b, f, 8), CE_ERR_TOO_LARGE);
	fclose(f);
	/* a stream open for writing only fails to read */
	f = fopen(at("wo"), "w");
	assert_non_null(f);
	assert_int_equal(buf_getline(&b, f, 8), CE_ERR_IO);
	fclose(f);
	buf_free(&b);
}

static void test_buf_secret_errors(void **state)
{
	uint8_t *out = (uint8_t *)"sentinel";
	size_t len = 99, live = secmem_live();
	char line[8];
	int fd, p[2];

	(void)state;
	put(at("secret"), "0123456789abcdef-and-more");
	assert_int_equal(buf_read_secret_file(at("secret"), 16, &out, &len), CE_ERR_TOO_LARGE);
	assert_null(out); /* nothing returned, everything read wiped and freed */
	assert_int_equal(secmem_live(), live);
	assert_int_equal(buf_read_secret_file(at("missing"), 16, &out, &len), CE_ERR_IO);
	assert_int_equal(symlink(at("secret"), at("link")), 0);
	assert_int_equal(buf_read_secret_file(at("link"), 64, &out, &len), CE_ERR_IO); /* O_NOFOLLOW */
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(buf_read_secret_fd(fd, "dir", 16, &out, &len), CE_ERR_IO);
	assert_int_equal(secmem_live(), live);
	assert_int_equal(buf_read_secret_line(fd, line, 0, &len), CE_ERR_INVALID);
	assert_int_equal(buf_read_secret_line(fd, line, sizeof(line), &len), CE_ERR_IO);
	close(fd);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "toolongline\n", 12), 12);
	close(p[1]);
	assert_int_equal(buf_read_secret_line(p[0], line, sizeof(line), &len), CE_ERR_TOO_LARGE);
	assert_int_equal(line[0], '\0'); /* the partial line is wiped */
	close(p[0]);
}

static void test_outfile_errors(void **state)
{
	struct outfile of, of2;
	struct stat st;

	(void)state;
	memset(&of, 0, sizeof(of));
	of.fd = -1;
	assert_int_equal(outfile_commit(&of), CE_ERR_STATE);
	outfile_abort(&of); /* safe on a struct that never opened */
	put(at("exists"), "x");
	assert_int_equal(outfile_create(&of, at("exists"), 0600), CE_ERR_EXISTS);
	assert_int_equal(outfile_create(&of, at("no/such/dir/file"), 0600), CE_ERR_IO);
	assert_int_equal(outfile_write_all(at("exists"), 0600, "y", 1), CE_ERR_EXISTS);
	/* the final name appears while the output is being written: commit refuses */
	assert_int_equal(outfile_create(&of, at("race"), 0600), 0);
	assert_int_equal(outfile_write(&of, "data", 4), 0);
	assert_int_equal(outfile_create(&of2, at("race"), 0600), 0);
	assert_int_equal(outfile_commit(&of2), 0);
	assert_int_equal(outfile_commit(&of), CE_ERR_EXISTS);
	outfile_abort(&of);
	assert_int_equal(stat(at("race"), &st), 0);
	assert_int_equal(st.st_size, 0); /* the first one won; nothing overwritten */
	/* a write on a closed descriptor fails and names the file */
	assert_int_equal(outfile_create(&of, at("closed"), 0600), 0);
	close(of.fd);
	assert_int_equal(outfile_write(&of, "data", 4), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "closed: write"));
	of.fd = -1;
	outfile_abort(&of);
	assert_int_not_equal(stat(at("closed"), &st), 0); /* nothing at the final name */
	assert_int_equal(outfile_sync_dir(at("no/such/dir/file")), CE_ERR_IO);
}

static void test_secmem_edges(void **state)
{
	uint8_t *p, *q;

	(void)state;
	assert_null(secmem_alloc(SIZE_MAX / 2));
	assert_non_null(strstr(ce_err_detail(), "refused"));
	p = secmem_alloc(0); /* a zero-length request still gets a valid, freeable block */
	assert_non_null(p);
	assert_int_equal(secmem_size(p), 0);
	secmem_free(p);
	q = secmem_dup("abc", 3);
	assert_non_null(q);
	assert_memory_equal(q, "abc", 3);
	assert_int_equal(secmem_size(q), 3);
	secmem_free(q);
	secmem_free(NULL);
}

static void test_transcript_file_hash_errors(void **state)
{
	uint8_t h[32];
	uint64_t size = 7;

	(void)state;
	assert_int_equal(transcript_file_sha256(at("missing"), h, &size), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "missing"));
	assert_int_equal(transcript_file_sha256(dir, h, &size), CE_ERR_IO); /* read: EISDIR */
	assert_non_null(strstr(ce_err_detail(), "read"));
	put(at("empty"), "");
	assert_int_equal(transcript_file_sha256(at("empty"), h, NULL), 0);
	assert_int_equal(h[0], 0xe3); /* SHA-256 of nothing: e3b0c442... */
	assert_int_equal(h[1], 0xb0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_bounds),
		cmocka_unit_test(test_buf_read_errors),
		cmocka_unit_test(test_buf_getline_errors),
		cmocka_unit_test(test_buf_secret_errors),
		cmocka_unit_test(test_outfile_errors),
		cmocka_unit_test(test_secmem_edges),
		cmocka_unit_test(test_transcript_file_hash_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
