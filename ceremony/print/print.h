/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/print/print.h - the ceremony on paper (`ceremony print`):
 *
 * - the script as the room follows it: each step with its action and
 *   parameters, the persons who act and witness with a name line and an
 *   initials box each, and the values read aloud at the console (fingerprint
 *   words, set identifiers, serials) left blank, to be written in by hand;
 * - the attestation of a run: the verdict of `ceremony verify`, every event
 *   as `ceremony replay` tells it, the fingerprint words, the transcript
 *   key's words, a QR code of the transcript's SHA-256 and signature lines.
 *
 * Both are A4 PDFs drawn with cairo (ceremony/print/pdf.h) into memory, for
 * the caller to write (common/outfile.h: never over an existing file).
 * Everything printed is PUBLIC; text from the script or the transcript is
 * drawn with control characters shown as '?'.
 */
#ifndef CE_CEREMONY_PRINT_H
#define CE_CEREMONY_PRINT_H

#include "ceremony/model/script.h"
#include "ceremony/verify/verify.h"

#include <stddef.h>
#include <stdint.h>

/* The script s as paper. *pdf malloc'd (owned by the caller), *len its
 * length. Returns 0, CE_ERR_UNSUPPORTED (no cairo), CE_ERR_IO, CE_ERR_NOMEM. */
int print_script_pdf(const struct script *s, uint8_t **pdf, size_t *len)
	__attribute__((warn_unused_result));

/* What the attestation shows. All borrowed. */
struct print_attest {
	const char *path;              /* the transcript as given */
	const struct verify_report *rep; /* its verdict (verify_transcript) */
	const char *narrative;         /* replay's lines, '\n'-separated */
	const char *sha256_hex;        /* SHA-256 of the transcript file, 64 hex */
	const struct script *script;   /* --script, or NULL */
};

/* The attestation as paper; the fingerprints are read from the transcript
 * at a->path (verify_lines_each). Returns as print_script_pdf, and the
 * reader's errors (CE_ERR_IO, CE_ERR_FORMAT, CE_ERR_TOO_LARGE). */
int print_attest_pdf(const struct print_attest *a, uint8_t **pdf, size_t *len)
	__attribute__((warn_unused_result));

#endif
