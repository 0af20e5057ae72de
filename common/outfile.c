/* SPDX-License-Identifier: Apache-2.0 */
#include "common/outfile.h"
#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* No allocation here: outfile_commit calls it once the file is in place,
 * where an error for want of memory would report a made file as not made. */
int outfile_sync_dir(const char *path)
{
	int r = CE_ERR_INTERNAL;
	char copy[PATH_MAX];
	size_t n = strlen(path);
	int fd = -1;

	if (n >= sizeof(copy)) {
		r = ce_err_set(CE_ERR_INVALID, "%.200s...: path too long to sync its directory", path);
		goto out;
	}
	memcpy(copy, path, n + 1);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: sync directory: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int outfile_create(struct outfile *of, const char *path, mode_t mode)
{
	int r = CE_ERR_INTERNAL;
	struct stat st;
	unsigned int rnd = 0;
	size_t n;

	of->fd = -1;
	of->path = NULL;
	of->tmp_path = NULL;
	if (lstat(path, &st) == 0) {
		r = ce_err_set(CE_ERR_EXISTS, "%s: already exists; refusing to overwrite", path);
		goto out;
	}
	if (errno != ENOENT) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	of->path = strdup(path);
	n = strlen(path) + 32;
	of->tmp_path = malloc(n);
	if (of->path == NULL || of->tmp_path == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (unsigned int)getpid();
	snprintf(of->tmp_path, n, "%s.tmp-%08x", path, rnd);
	of->fd = open(of->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (of->fd < 0) {
		r = ce_err_set(CE_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (r < 0) {
		free(of->path);
		free(of->tmp_path);
		of->path = NULL;
		of->tmp_path = NULL;
	}
	return r;
}

int outfile_write(struct outfile *of, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(of->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ce_err_set(CE_ERR_IO, "%s: write: %s", of->path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int outfile_commit(struct outfile *of)
{
	int r = CE_ERR_INTERNAL;

	if (of->fd < 0 || of->tmp_path == NULL)
		return ce_err_set(CE_ERR_STATE, "output not open");
	if (fsync(of->fd) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: fsync: %s", of->path, strerror(errno));
		goto out;
	}
	if (close(of->fd) != 0) {
		of->fd = -1;
		r = ce_err_set(CE_ERR_IO, "%s: close: %s", of->path, strerror(errno));
		goto out;
	}
	of->fd = -1;
	if (link(of->tmp_path, of->path) != 0) {
		if (errno == EEXIST)
			r = ce_err_set(CE_ERR_EXISTS, "%s: already exists; refusing to overwrite",
				       of->path);
		else
			r = ce_err_set(CE_ERR_IO, "%s: %s", of->path, strerror(errno));
		goto out;
	}
	(void)unlink(of->tmp_path);
	r = outfile_sync_dir(of->path);
out:
	outfile_abort(of);
	return r;
}

void outfile_abort(struct outfile *of)
{
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->tmp_path != NULL)
		(void)unlink(of->tmp_path);
	free(of->tmp_path);
	free(of->path);
	of->tmp_path = NULL;
	of->path = NULL;
}

int outfile_write_all(const char *path, mode_t mode, const void *data, size_t len)
{
	struct outfile of;
	int r;

	r = outfile_create(&of, path, mode);
	if (r < 0)
		return r;
	r = outfile_write(&of, data, len);
	if (r < 0) {
		outfile_abort(&of);
		return r;
	}
	return outfile_commit(&of);
}
