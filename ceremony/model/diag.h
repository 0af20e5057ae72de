/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/diag.h - a list of diagnostics (errors and warnings) with places.
 *
 * Parsers and checkers report every problem they find, not just the first, so
 * `ceremony lint` can show them all. An item is "FILE:LINE:COL: error: msg";
 * FILE may be NULL for checks made on real persons at run time (then only
 * "error: msg" is printed). Line and column are 1-based; 0 means unknown.
 * Messages never contain secrets.
 */
#ifndef CE_CEREMONY_DIAG_H
#define CE_CEREMONY_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

/* A place in an input file. file is borrowed: it points at the path kept by
 * the model (script or roster) that owns the node. */
struct diag_mark {
	const char *file;
	unsigned line;
	unsigned col;
};

struct diag_item {
	enum diag_severity severity;
	char *file; /* owned copy, NULL if none */
	unsigned line, col;
	char *msg; /* owned */
};

struct diag {
	struct diag_item *items;
	size_t n, cap;
	size_t errors, warnings;
};

void diag_init(struct diag *d);
/* Release all items; d may be reused. Accepts NULL. */
void diag_free(struct diag *d);

/* Add an item. m may be NULL (no place). Returns CE_ERR_NOMEM if it could not
 * be recorded (the counts are still incremented so a failure is never lost),
 * else 0. d may be NULL: then only ce_err_set() is done for errors. The first
 * error of d (every error when d is NULL) also becomes the ce_err detail, as
 * "FILE:LINE:COL: error: msg" (or just msg without a place). */
int diag_add(struct diag *d, enum diag_severity sev, const struct diag_mark *m,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define diag_error(d, m, ...) diag_add((d), DIAG_ERROR, (m), __VA_ARGS__)
#define diag_warn(d, m, ...) diag_add((d), DIAG_WARNING, (m), __VA_ARGS__)

/* Print every item, one per line, "FILE:LINE:COL: error: msg". */
void diag_print(FILE *f, const struct diag *d);

/* Format one item the way diag_print does, into buf (truncated). */
void diag_format(const struct diag_item *it, char *buf, size_t cap);

/* When d holds an item, make the first one the ce_err detail (for callers
 * that passed no diag of their own). */
void diag_err_first(const struct diag *d, int code);

/* The frame of a check that reports into the caller's diag or, when the
 * caller passed none, into a local one whose first error becomes the ce_err
 * detail (script and roster loading, policy_check_lint):
 *
 *	struct diag_scope sc;
 *	struct diag *dd = diag_scope_begin(&sc, d);
 *	... report into dd; r < 0 if the check itself could not be made ...
 *	return diag_scope_end(&sc, r, CE_ERR_FORMAT);
 *
 * diag_scope_end returns r when r < 0, else code when dd gained an error
 * since begin, else 0; when that is code and the diag is the local one, its
 * first error becomes the detail. The local diag is freed. */
struct diag_scope {
	struct diag local;
	struct diag *d;
	size_t before;
};
struct diag *diag_scope_begin(struct diag_scope *sc, struct diag *d);
int diag_scope_end(struct diag_scope *sc, int r, int code);

#endif
