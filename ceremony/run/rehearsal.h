/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/rehearsal.h - the holder files of a rehearsal.
 *
 * In a rehearsal (`ceremony run --rehearsal`) no share is shown on a screen:
 * each share issued is appended to OUTDIR/rehearsal/<holder>.shares (mode
 * 0600, first line "# REHEARSAL ONLY ..."), one line per share:
 *   <secret> <set> <group>/<member> <mnemonic>
 * and read back from there when typed back or presented. A later rehearsal
 * finds the files of an --issued-in transcript in the "rehearsal" folder
 * next to that transcript (the registry keeps that folder per share).
 *
 * The mnemonics are SECRET (rehearsal secrets protect nothing real, but are
 * handled as secrets all the same): read into secmem, wiped on release.
 */
#ifndef CE_CEREMONY_RUN_REHEARSAL_H
#define CE_CEREMONY_RUN_REHEARSAL_H

#include "ceremony/run/registry.h"
#include "shares/slip39.h"

#include <stddef.h>

#define REHEARSAL_DIR "rehearsal"
/* Largest holder file read back. */
#define REHEARSAL_FILE_MAX_BYTES (256 * 1024)

/* The folder of the holder files next to the file at path (the folder of
 * path, or the current folder): *out malloc'ed. 0 or CE_ERR_NOMEM. */
int rehearsal_dir_beside(const char *path, char **out) __attribute__((warn_unused_result));

/* Make OUTDIR/rehearsal (mode 0700), before anything else of a rehearsal is
 * written: the holder files go only into a folder this run made itself, so
 * nobody can have prepared it or pointed it elsewhere. 0; CE_ERR_EXISTS when
 * it exists already, as a folder or as a symbolic link (the detail names the
 * path and which); CE_ERR_IO (naming the path); CE_ERR_NOMEM. */
int rehearsal_dir_make(const char *outdir) __attribute__((warn_unused_result));

/* Append share (g, m) of set `set` of secret, mnemonic (SECRET, borrowed),
 * to OUTDIR/rehearsal/<holder>.shares, synced. The folder (made by
 * rehearsal_dir_make) is opened O_NOFOLLOW and must still be ours with mode
 * 0700; a new holder file is created O_CREAT|O_EXCL|O_NOFOLLOW (0600) with
 * its header, an existing one (this run's) opened O_APPEND|O_NOFOLLOW.
 * 0, CE_ERR_IO (naming the path), CE_ERR_EXISTS (the folder is no longer the
 * one this run made), CE_ERR_MLOCK, CE_ERR_NOMEM. */
int rehearsal_file_append(const char *outdir, const char *holder, const char *secret,
			  const char *set, unsigned g, unsigned m, const char *mnemonic)
	__attribute__((warn_unused_result));

/* The holder's last share line for secret, decoded into *share (SECRET,
 * caller's secmem): looked for in OUTDIR/rehearsal first, then in the
 * rehearsal folders of the registry's shares (g may be NULL). 0;
 * CE_ERR_NOT_FOUND when no file has one (detail names the holder's file);
 * CE_ERR_FORMAT (a malformed line); slip39_mnemonic_decode's errors;
 * CE_ERR_NOMEM. */
int rehearsal_file_read(const char *outdir, const struct registry *g, const char *holder,
			const char *secret, struct slip39_share *share)
	__attribute__((warn_unused_result));

#endif
