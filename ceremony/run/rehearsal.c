/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/rehearsal.c - the holder files of a rehearsal
 * (ceremony/run/rehearsal.h).
 */
#include "ceremony/run/rehearsal.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folders searched for a holder's file: OUTDIR/rehearsal and the registry's. */
#define REHEARSAL_DIRS_MAX 128

static const char rehearsal_header[] =
	"# REHEARSAL ONLY - these shares protect nothing real\n";

int rehearsal_dir_beside(const char *path, char **out)
{
	const char *slash = strrchr(path, '/');
	int k;

	if (slash == NULL)
		k = asprintf(out, "%s", REHEARSAL_DIR);
	else
		k = asprintf(out, "%.*s/%s", (int)(slash - path), path, REHEARSAL_DIR);
	if (k < 0) {
		*out = NULL;
		return CE_ERR_NOMEM;
	}
	return 0;
}

static int holder_file_path(const char *dir, const char *holder, char **out)
{
	if (asprintf(out, "%s/%s.shares", dir, holder) < 0) {
		*out = NULL;
		return CE_ERR_NOMEM;
	}
	return 0;
}

int rehearsal_dir_make(const char *outdir)
{
	char *dir = NULL;
	struct stat sb;
	int r = CE_ERR_INTERNAL;

	if (asprintf(&dir, "%s/%s", outdir, REHEARSAL_DIR) < 0) {
		dir = NULL;
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (mkdir(dir, 0700) == 0) {
		r = 0;
		goto out;
	}
	if (errno != EEXIST) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	r = ce_err_set(CE_ERR_EXISTS, "%s: already exists%s: refused, a rehearsal writes its "
		       "share files only in a folder it makes itself (remove it or choose another "
		       "--outdir)", dir, lstat(dir, &sb) == 0 && S_ISLNK(sb.st_mode) ?
		       " as a symbolic link" : "");
out:
	free(dir);
	return r;
}

int rehearsal_file_append(const char *outdir, const char *holder, const char *secret,
			  const char *set, unsigned g, unsigned m, const char *mnemonic)
{
	char *dir = NULL, *path = NULL, *line = NULL;
	const char *base;
	size_t len, cap;
	int dfd = -1, fd = -1, r = CE_ERR_INTERNAL, fresh;
	struct stat sb;

	if (asprintf(&dir, "%s/%s", outdir, REHEARSAL_DIR) < 0) {
		dir = NULL;
		r = CE_ERR_NOMEM;
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &sb) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
		r = ce_err_set(CE_ERR_EXISTS, "%s: owned by uid %u with mode %04o, not the folder "
			       "this run made (uid %u, 0700): refused", dir, (unsigned)sb.st_uid,
			       (unsigned)(sb.st_mode & 07777), (unsigned)geteuid());
		goto out;
	}
	r = holder_file_path(dir, holder, &path);
	if (r < 0)
		goto out;
	base = path + strlen(dir) + 1; /* holder ids have no '/' (roster.c) */
	fresh = fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) != 0;
	if (fresh)
		fd = openat(dfd, base, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
	else
		fd = openat(dfd, base, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	cap = sizeof(rehearsal_header) + 128 + strlen(secret) + strlen(mnemonic);
	line = secmem_alloc(cap);
	if (line == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	len = (size_t)snprintf(line, cap, "%s%s %s %u/%u %s\n", fresh ? rehearsal_header : "",
			       secret, set, g, m, mnemonic);
	if (len >= cap || write(fd, line, len) != (ssize_t)len || fsync(fd) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	secmem_free(line);
	free(path);
	free(dir);
	return r;
}

/* The last line of text[0..len) that starts with "<secret> ", cut at its
 * newline (text is changed in place), or NULL. */
static char *line_last_of(char *text, size_t len, const char *secret)
{
	size_t sl = strlen(secret);
	char *p, *nl, *best = NULL;

	for (p = text; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl == NULL)
			break;
		*nl = '\0';
		if (strncmp(p, secret, sl) == 0 && p[sl] == ' ')
			best = p;
	}
	return best;
}

/* Decode the share of a line "<secret> <set> <g>/<m> <mnemonic>". */
static int line_decode(const char *line, const char *path, const char *secret,
		       struct slip39_share *share)
{
	const char *p = line;
	size_t i;
	int r;

	for (i = 0; i < 3 && p != NULL; i++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return ce_err_set(CE_ERR_FORMAT, "%s: malformed line for %s", path, secret);
	r = slip39_mnemonic_decode(p, strlen(p), share);
	if (r < 0)
		return ce_err_prefix(r, "%s (share of %s)", path, secret);
	return 0;
}

int rehearsal_file_read(const char *outdir, const struct registry *g, const char *holder,
			const char *secret, struct slip39_share *share)
{
	const char *dirs[REHEARSAL_DIRS_MAX];
	uint8_t *text = NULL;
	char *path = NULL, *best = NULL, own[4096];
	size_t ndirs = 0, i, j, len = 0;
	int r = CE_ERR_INTERNAL;

	snprintf(own, sizeof(own), "%s/%s", outdir, REHEARSAL_DIR);
	dirs[ndirs++] = own;
	/* Newest issuance first (the registry holds them in load order): after a
	 * reshare or a rotation the holder's current share is the later one. */
	for (i = g != NULL ? g->n : 0; i > 0 && ndirs < REHEARSAL_DIRS_MAX; i--) {
		const char *dir = g->shares[i - 1].rehearsal_dir;

		if (dir == NULL)
			continue;
		for (j = 0; j < ndirs && strcmp(dirs[j], dir) != 0; j++)
			;
		if (j == ndirs)
			dirs[ndirs++] = dir;
	}
	for (i = 0; i < ndirs && best == NULL; i++) {
		free(path);
		r = holder_file_path(dirs[i], holder, &path);
		if (r < 0)
			goto out;
		secmem_free(text);
		text = NULL;
		if (buf_read_secret_file(path, REHEARSAL_FILE_MAX_BYTES, &text, &len) < 0) {
			ce_err_clear();
			continue;
		}
		best = line_last_of((char *)text, len, secret);
	}
	if (best == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no share of %s in %s's rehearsal file (%s/%s.shares)",
			       secret, holder, own, holder);
		goto out;
	}
	r = line_decode(best, path, secret, share);
out:
	secmem_free(text);
	free(path);
	return r;
}
