/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/buf.h - bounded buffers and readers for untrusted bytes.
 *
 * Every read of outside input (share text, scripts, rosters, transcripts,
 * HSM attribute values) goes through one of these with an explicit maximum.
 * Going over the maximum is CE_ERR_TOO_LARGE, with the source named.
 *
 * Public buffers (struct buf) use the ordinary heap. Secret input uses the
 * *_secret variants, which read with read(2) straight into secmem (no stdio
 * buffer ever holds the bytes) and return memory the caller frees with
 * secmem_free().
 */
#ifndef CE_COMMON_BUF_H
#define CE_COMMON_BUF_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A growable public byte buffer, always NUL-terminated after len. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max; /* 0: no bound beyond SIZE_MAX/2 */
};

void buf_init(struct buf *b, size_t max);
/* Append n bytes. CE_ERR_TOO_LARGE past max, CE_ERR_NOMEM. */
int buf_append(struct buf *b, const void *data, size_t n) __attribute__((warn_unused_result));
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));
/* Release; the struct is reset and may be reused. */
void buf_free(struct buf *b);

/* Read the whole file at path (public data) into b, at most max bytes. Errors
 * name the path. */
int buf_read_file(struct buf *b, const char *path, size_t max) __attribute__((warn_unused_result));

/* Read all of fd (public data) into b, at most max bytes; name is for errors. */
int buf_read_fd(struct buf *b, int fd, const char *name, size_t max)
	__attribute__((warn_unused_result));

/* Read one line from a stdio stream into b (reset first), without the newline.
 * Returns 1 for a line, 0 at end of file, <0 on error. A line over max bytes is
 * CE_ERR_TOO_LARGE naming name:lineno. */
int buf_getline(struct buf *b, FILE *f, size_t max) __attribute__((warn_unused_result));

/* Secret input. Read all of fd into fresh secmem (at most max bytes); *out is
 * owned by the caller (secmem_free), *out_len its length. On error nothing is
 * returned and everything read is wiped. */
int buf_read_secret_fd(int fd, const char *name, size_t max, uint8_t **out, size_t *out_len)
	__attribute__((warn_unused_result));

/* As buf_read_secret_fd, for a file path (opened O_NOFOLLOW). */
int buf_read_secret_file(const char *path, size_t max, uint8_t **out, size_t *out_len)
	__attribute__((warn_unused_result));

/* Read one line of secret input from fd into dst (capacity cap, secmem),
 * without the newline, NUL-terminated; *len its length. Returns 1 for a line,
 * 0 at end of input with nothing read, <0 on error (CE_ERR_TOO_LARGE if the
 * line does not fit; the partial line is wiped). Nothing past the line is
 * consumed or buffered outside dst: a pipe or terminal is read one byte at a
 * time; a file that can seek is read a block at a time into dst, the bytes
 * after the line wiped and the offset set back to just after the line. */
int buf_read_secret_line(int fd, char *dst, size_t cap, size_t *len)
	__attribute__((warn_unused_result));

/* As buf_read_secret_line, but a read interrupted by a signal while *stop is
 * non-zero (set by the signal's handler) returns CE_ERR_ABORTED, the partial
 * line wiped; stop NULL: interrupted reads are retried (as
 * buf_read_secret_line). */
int buf_read_secret_line_stop(int fd, char *dst, size_t cap, size_t *len,
			      const volatile sig_atomic_t *stop) __attribute__((warn_unused_result));

#endif
