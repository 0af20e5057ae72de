/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/outfile.h - outputs that are never clobbered and never half-written.
 *
 * outfile_create() refuses an existing path (CE_ERR_EXISTS) and writes to a
 * temporary file beside it (O_CREAT|O_EXCL|O_NOFOLLOW, the given mode).
 * outfile_commit() fsyncs and links it into place atomically with link(2),
 * which itself refuses an existing target, then removes the temporary name and
 * fsyncs the directory. outfile_abort() removes the temporary file. Until
 * commit, nothing exists at the final path.
 *
 * Outputs are public data (certificates, transcripts, cards); secret data is
 * never written to disk except in rehearsal mode, where the caller says so.
 */
#ifndef CE_COMMON_OUTFILE_H
#define CE_COMMON_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

struct outfile {
	int fd;
	char *path;     /* final name (owned) */
	char *tmp_path; /* temporary name (owned) */
};

int outfile_create(struct outfile *of, const char *path, mode_t mode)
	__attribute__((warn_unused_result));
int outfile_write(struct outfile *of, const void *data, size_t len)
	__attribute__((warn_unused_result));
int outfile_commit(struct outfile *of) __attribute__((warn_unused_result));
/* Safe to call after commit or on a zeroed/failed struct. */
void outfile_abort(struct outfile *of);

/* Create path with the whole of data in one go (create + write + commit). */
int outfile_write_all(const char *path, mode_t mode, const void *data, size_t len)
	__attribute__((warn_unused_result));

/* fsync the directory that holds path. */
int outfile_sync_dir(const char *path) __attribute__((warn_unused_result));

#endif
