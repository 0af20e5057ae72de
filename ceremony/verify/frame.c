/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/frame.c - reading a transcript line by line in constant
 * memory, and the frame of a line: one JSON object with the nine fields of
 * every event (docs/transcript-format.md sections 1 and 2).
 */
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"

#include <openssl/evp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK_BYTES (256 * 1024)
/* The buffer starts at the file's size (at least FRAME_LEAST_BYTES, at most
 * FRAME_FIRST_BYTES) and doubles when a line does not fit, up to
 * FRAME_MAX_BYTES (the longest line, its newline and a chunk): a small
 * transcript never pays for the longest line it could hold. */
#define FRAME_LEAST_BYTES 4096
#define FRAME_FIRST_BYTES (64 * 1024)
#define FRAME_MAX_BYTES (TRANSCRIPT_LINE_MAX_BYTES + 1 + READ_CHUNK_BYTES)

int verify_frame_open(struct verify_frame *fr, const char *path)
{
	int r = CE_ERR_INTERNAL;
	struct stat st;

	memset(fr, 0, sizeof(*fr));
	fr->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fr->fd < 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	fr->md = EVP_MD_CTX_new();
	if (fr->md == NULL || EVP_DigestInit_ex(fr->md, EVP_sha256(), NULL) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "%s: SHA-256 not available", path);
		goto out;
	}
	fr->cap = FRAME_FIRST_BYTES;
	if (fstat(fr->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < FRAME_FIRST_BYTES)
		fr->cap = st.st_size < FRAME_LEAST_BYTES ? FRAME_LEAST_BYTES : (size_t)st.st_size + 1;
	fr->buf = malloc(fr->cap);
	if (fr->buf == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory for a read buffer", path);
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		verify_frame_close(fr);
	return r;
}

void verify_frame_close(struct verify_frame *fr)
{
	if (fr->fd >= 0)
		close(fr->fd);
	fr->fd = -1;
	EVP_MD_CTX_free(fr->md);
	fr->md = NULL;
	free(fr->buf);
	fr->buf = NULL;
}

int verify_frame_digest(struct verify_frame *fr, uint8_t out[32])
{
	unsigned int n = 0;

	if (fr->md == NULL || !fr->eof || fr->start != fr->end)
		return ce_err_set(CE_ERR_STATE, "transcript digest taken before the end of the file");
	if (EVP_DigestFinal_ex(fr->md, out, &n) != 1 || n != 32)
		return ce_err_set(CE_ERR_CRYPTO, "transcript SHA-256 failed");
	return 0;
}

/* Read more bytes after the kept ones (at most TRANSCRIPT_LINE_MAX_BYTES of
 * them: verify_frame_next checks first), the buffer grown when they fill
 * it. 0, CE_ERR_IO, CE_ERR_NOMEM. */
static int frame_fill(struct verify_frame *fr, const char *path)
{
	ssize_t n;

	if (fr->start > 0) {
		memmove(fr->buf, fr->buf + fr->start, fr->end - fr->start);
		fr->end -= fr->start;
		fr->start = 0;
	}
	if (fr->end == fr->cap) { /* < FRAME_MAX_BYTES: the kept bytes are one line at most */
		size_t cap = fr->cap > FRAME_MAX_BYTES / 2 ? FRAME_MAX_BYTES : fr->cap * 2;
		char *b = realloc(fr->buf, cap);

		if (b == NULL)
			return ce_err_set(CE_ERR_NOMEM, "%s: out of memory for a line of %zu bytes", path, cap);
		fr->buf = b;
		fr->cap = cap;
	}
	do
		n = read(fr->fd, fr->buf + fr->end, fr->cap - fr->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ce_err_set(CE_ERR_IO, "%s: read: %s", path, strerror(errno));
	if (n == 0)
		fr->eof = 1;
	else if (EVP_DigestUpdate(fr->md, fr->buf + fr->end, (size_t)n) != 1)
		return ce_err_set(CE_ERR_CRYPTO, "%s: SHA-256 failed", path);
	fr->end += (size_t)n;
	return 0;
}

int verify_frame_next(struct verify_frame *fr, const char *path, char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(fr->buf + fr->start, '\n', fr->end - fr->start);
		int k;

		if (nl != NULL) {
			*line = fr->buf + fr->start;
			*len = (size_t)(nl - *line);
			fr->start += *len + 1;
			fr->lineno++;
			if (*len > TRANSCRIPT_LINE_MAX_BYTES)
				return CE_ERR_TOO_LARGE;
			return VERIFY_FRAME_LINE;
		}
		if (fr->end - fr->start > TRANSCRIPT_LINE_MAX_BYTES) {
			fr->lineno++;
			return CE_ERR_TOO_LARGE;
		}
		if (fr->eof) {
			if (fr->end == fr->start)
				return VERIFY_FRAME_EOF;
			*line = fr->buf + fr->start;
			*len = fr->end - fr->start;
			fr->start = fr->end;
			fr->lineno++;
			return VERIFY_FRAME_PARTIAL;
		}
		k = frame_fill(fr, path);
		if (k < 0)
			return k;
	}
}

/* Stream path's complete lines through each (one reader for both
 * iterators). */
typedef int (*frame_line_fn)(void *ctx, const char *path, uint64_t lineno, const char *line,
			     size_t len);

static int frame_each(const char *path, frame_line_fn each, void *ctx)
{
	int r = CE_ERR_INTERNAL;
	struct verify_frame fr;
	char *line;
	size_t len;
	int k;

	r = verify_frame_open(&fr, path);
	if (r < 0)
		return r;
	for (;;) {
		k = verify_frame_next(&fr, path, &line, &len);
		if (k == CE_ERR_TOO_LARGE) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "%s:%llu: line longer than %d bytes", path,
				       (unsigned long long)fr.lineno, TRANSCRIPT_LINE_MAX_BYTES);
			goto out;
		}
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k != VERIFY_FRAME_LINE)
			break;
		k = each(ctx, path, fr.lineno, line, len);
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k > 0)
			break;
	}
	r = 0;
out:
	verify_frame_close(&fr);
	return r;
}

struct tj_each {
	verify_line_fn fn;
	void *ctx;
	struct tj_doc doc;
};

static int tj_line(void *ctx, const char *path, uint64_t lineno, const char *line, size_t len)
{
	struct tj_each *te = ctx;
	char why[128];

	int k = tj_parse(&te->doc, line, len, why, sizeof(why));

	if (k == CE_ERR_NOMEM)
		return ce_err_set(k, "%s:%llu: %s", path, (unsigned long long)lineno, why);
	if (k != 0 || !tj_is(&te->doc, 0, TJ_OBJ))
		return ce_err_set(CE_ERR_FORMAT, "%s:%llu: not a JSON object", path,
				  (unsigned long long)lineno);
	return te->fn(te->ctx, lineno, &te->doc);
}

int verify_lines_each(const char *path, verify_line_fn fn, void *ctx)
{
	int r = CE_ERR_INTERNAL;
	struct tj_each te;

	memset(&te, 0, sizeof(te));
	te.fn = fn;
	te.ctx = ctx;
	r = tj_init(&te.doc, TRANSCRIPT_LINE_MAX_BYTES);
	if (r < 0)
		goto out;
	r = frame_each(path, tj_line, &te);
out:
	tj_free(&te.doc);
	return r;
}

static const char *const frame_fields[] = { "details", "persons", "prev", "seq", "step",
					    "time", "type", "v", "witnesses" };
#define FRAME_FIELDS (sizeof(frame_fields) / sizeof(frame_fields[0]))

/* The first key of the top object that is not one of the nine, or NULL. */
static const char *frame_unknown_field(const struct tj_doc *d)
{
	uint32_t k;
	size_t f;
	int q;

	for (k = 0, q = 1; k < d->t[0].size; k++, q = (int)d->t[q + 1].next) {
		for (f = 0; f < FRAME_FIELDS; f++)
			if (strcmp(tj_str(d, q), frame_fields[f]) == 0)
				break;
		if (f == FRAME_FIELDS)
			return tj_str(d, q);
	}
	return NULL;
}

int verify_frame_check(struct tj_doc *d, struct verify_report *rep, uint64_t ln, const char *line,
		       size_t len)
{
	char why[256];
	const char *unknown;
	size_t i;
	int val, k;

	if (len == 0 || line[0] != '{' || line[len - 1] != '}' || memchr(line, '\r', len) != NULL)
		return verify_report_fail(rep, ln, len == 0 ? "empty line" :
							      "not one JSON object on the line");
	k = tj_parse(d, line, len, why, sizeof(why));
	if (k == CE_ERR_NOMEM) /* not a verdict on the line */
		return ce_err_set(k, "verify: line %llu: %s", (unsigned long long)ln, why);
	if (k != 0)
		return verify_report_fail(rep, ln, "not valid JSON (%s)", why);
	/* Keys are unique, so all nine present and nine in all means no other. */
	for (i = 0; i < FRAME_FIELDS; i++)
		if (tj_get(d, 0, frame_fields[i]) < 0)
			break;
	if (i < FRAME_FIELDS || d->t[0].size != FRAME_FIELDS) {
		unknown = frame_unknown_field(d);
		if (unknown != NULL)
			return verify_report_fail(rep, ln, "unknown field \"%.60s\"", unknown);
		return verify_report_fail(rep, ln, "field \"%s\" missing", frame_fields[i]);
	}
	val = tj_get(d, 0, "v");
	if (!tj_is(d, val, TJ_INT) || d->t[val].v.i != TRANSCRIPT_VERSION)
		return verify_report_fail(rep, ln, "format version is not %d", TRANSCRIPT_VERSION);
	return 0;
}
