/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/lint.h - the checks `ceremony lint` makes, shared with
 * `ceremony run` (which lints first and refuses to start on any error).
 */
#ifndef CE_CEREMONY_LINT_H
#define CE_CEREMONY_LINT_H

#include "ceremony/model/diag.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"

/*
 * Load the script and its roster (roster_path NULL: the script's roster:)
 * and run every lint check (schema, roster, policy on today, outputs absent
 * from outdir, inputs present), reporting each finding into d (never NULL).
 * Returns 0 when the checks could be made: *s and *r are what loaded (either
 * may be NULL when it failed to load; d then holds why), owned by the caller
 * (script_free, roster_free); the verdict is d->errors. Returns a negative
 * CE_ERR_* (CE_ERR_IO, CE_ERR_NOMEM) when a file could not be read at all and
 * d holds nothing: nothing is returned then.
 */
int lint_load(const char *script_path, const char *roster_path,
	      const struct roster_date *today, const char *outdir, struct script **s,
	      struct roster **r, struct diag *d) __attribute__((warn_unused_result));

/* The file checks alone: outputs already present in outdir (errors),
 * inputs not written by an earlier step and absent (warnings). */
/* Personal tokens (lint_cards.c): cosigners: names, certificates present and
 * valid on today, when the script seats by card or co-signs. */
void lint_cards(const struct script *s, const struct roster *r, const struct roster_date *today,
		struct diag *d);
void lint_files(const struct script *s, const char *outdir, struct diag *d);

#endif
