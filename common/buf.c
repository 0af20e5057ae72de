/* SPDX-License-Identifier: Apache-2.0 */
#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_MAX_DEFAULT (SIZE_MAX / 4)
#define BUF_READ_CHUNK_BYTES 65536

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
}

static int buf_reserve(struct buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (need > b->max)
		return CE_ERR_TOO_LARGE;
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		return ce_err_set(CE_ERR_NOMEM, "out of memory (%zu bytes)", cap);
	b->p = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t n)
{
	int r;

	if (n > b->max - b->len)
		return CE_ERR_TOO_LARGE;
	r = buf_reserve(b, b->len + n);
	if (r < 0)
		return r;
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	int r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return CE_ERR_INTERNAL;
	r = buf_reserve(b, b->len + (size_t)n);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_free(struct buf *b)
{
	size_t max = b->max;

	free(b->p);
	buf_init(b, max);
}

int buf_read_fd(struct buf *b, int fd, const char *name, size_t max)
{
	char chunk[BUF_READ_CHUNK_BYTES];
	int r = CE_ERR_INTERNAL;
	ssize_t n;

	b->len = 0;
	b->max = max;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ce_err_set(CE_ERR_IO, "%s: read: %s", name, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		r = buf_append(b, chunk, (size_t)n);
		if (r == CE_ERR_TOO_LARGE) {
			r = ce_err_set(r, "%s: larger than the limit of %zu bytes", name, max);
			goto out;
		}
		if (r < 0)
			goto out;
	}
	if (b->p == NULL && (r = buf_reserve(b, 0)) < 0)
		goto out;
	r = 0;
out:
	return r;
}

int buf_read_file(struct buf *b, const char *path, size_t max)
{
	int r = CE_ERR_INTERNAL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
	r = buf_read_fd(b, fd, path, max);
	close(fd);
	return r;
}

int buf_getline(struct buf *b, FILE *f, size_t max)
{
	int c;

	b->len = 0;
	if (b->p == NULL && buf_reserve(b, 0) < 0)
		return CE_ERR_NOMEM;
	b->p[0] = '\0';
	c = getc(f);
	if (c == EOF)
		return ferror(f) ? ce_err_set(CE_ERR_IO, "read: %s", strerror(errno)) : 0;
	while (c != EOF && c != '\n') {
		char ch = (char)c;
		if (b->len >= max)
			return ce_err_set(CE_ERR_TOO_LARGE, "line longer than %zu bytes", max);
		if (buf_append(b, &ch, 1) < 0)
			return CE_ERR_NOMEM;
		c = getc(f);
	}
	return 1;
}

int buf_read_secret_fd(int fd, const char *name, size_t max, uint8_t **out, size_t *out_len)
{
	int r = CE_ERR_INTERNAL;
	uint8_t *s = NULL;
	size_t len = 0;
	ssize_t n;

	*out = NULL;
	*out_len = 0;
	/* One byte of room past max tells "exactly max" from "more than max". */
	s = secmem_alloc(max + 1);
	if (s == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	for (;;) {
		n = read(fd, s + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ce_err_set(CE_ERR_IO, "%s: read: %s", name, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "%s: larger than the limit of %zu bytes",
				       name, max);
			goto out;
		}
	}
	*out = s;
	*out_len = len;
	s = NULL; /* transferred */
	r = 0;
out:
	secmem_free(s);
	return r;
}

int buf_read_secret_file(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
	int r = CE_ERR_INTERNAL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
	r = buf_read_secret_fd(fd, path, max, out, out_len);
	close(fd);
	return r;
}

/*
 * A regular file (a share file given as --share-fd, a memfd) is read a block
 * at a time straight into dst, and the offset set back to just after the
 * line: the same line and the same offset as the byte-at-a-time loop below,
 * without a system call per byte. Returns 1 (a line), 0 (end of input), <0
 * (error), or 2 when fd cannot seek (a pipe, a terminal): then nothing was
 * read and the loop below reads it.
 */
static int line_from_seekable(int fd, char *dst, size_t cap, size_t *len)
{
	off_t off = lseek(fd, 0, SEEK_CUR);
	size_t got = 0, n;
	char *nl;

	if (off < 0)
		return 2;
	while (got < cap) {
		ssize_t k = read(fd, dst + got, cap - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return ce_err_set(CE_ERR_IO, "read: %s", strerror(errno));
		if (k == 0)
			break;
		got += (size_t)k;
		if (memchr(dst + got - (size_t)k, '\n', (size_t)k) != NULL)
			break;
	}
	nl = memchr(dst, '\n', got);
	n = nl != NULL ? (size_t)(nl - dst) : got;
	if (nl == NULL && got == cap)
		return ce_err_set(CE_ERR_TOO_LARGE, "input line longer than %zu bytes", cap - 1);
	if (nl != NULL && lseek(fd, off + (off_t)n + 1, SEEK_SET) < 0)
		return ce_err_set(CE_ERR_IO, "seek: %s", strerror(errno));
	ce_wipe(dst + n, got - n);
	dst[n] = '\0';
	*len = n;
	return got > 0 ? 1 : 0;
}

int buf_read_secret_line(int fd, char *dst, size_t cap, size_t *len)
{
	return buf_read_secret_line_stop(fd, dst, cap, len, NULL);
}

int buf_read_secret_line_stop(int fd, char *dst, size_t cap, size_t *len,
			      const volatile sig_atomic_t *stop)
{
	int r = CE_ERR_INTERNAL;
	size_t n = 0;
	int got_any = 0;
	char c;

	*len = 0;
	if (cap == 0)
		return ce_err_set(CE_ERR_INVALID, "no room for a line");
	r = line_from_seekable(fd, dst, cap, len);
	if (r != 2)
		goto out;
	r = CE_ERR_INTERNAL;
	for (;;) {
		ssize_t k = read(fd, &c, 1);
		if (k < 0 && errno == EINTR && stop != NULL && *stop) {
			r = ce_err_set(CE_ERR_ABORTED, "interrupted (Ctrl-C)");
			goto out;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = ce_err_set(CE_ERR_IO, "read: %s", strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		got_any = 1;
		if (c == '\n')
			break;
		if (n + 1 >= cap) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "input line longer than %zu bytes", cap - 1);
			goto out;
		}
		dst[n++] = c;
	}
	dst[n] = '\0';
	*len = n;
	r = got_any ? 1 : 0;
out:
	c = 0;
	if (r < 0)
		ce_wipe(dst, cap);
	return r;
}
