/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/sealed.c - verify --outputs: each sealed share file a
 * share.issued names (details sealed_file, under the output folder) must be
 * there and hash as its sealed_sha256 records (docs/transcript-format.md).
 * A sealed file is public; only its holder's card opens it.
 */
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"
#include "common/hex.h"

#include <stdio.h>
#include <string.h>

/* "sealed/NAME" and NAME a plain file name: the only form the runner writes. */
static int sealed_name_ok(const char *rel)
{
	const char *base = rel + strlen("sealed/");

	return strncmp(rel, "sealed/", strlen("sealed/")) == 0 && base[0] != '\0' &&
	       strchr(base, '/') == NULL && strcmp(base, ".") != 0 && strcmp(base, "..") != 0;
}

int verify_sealed_output(struct verify_report *rep, const struct tj_doc *d, uint64_t ln, int det,
			 const char *dir)
{
	const char *rel = tj_str(d, tj_get(d, det, "sealed_file"));
	const char *want = tj_str(d, tj_get(d, det, "sealed_sha256"));
	const char *holder = tj_str(d, tj_get(d, det, "holder"));
	char path[4096], hex[65];
	uint8_t h[32];

	if (rel == NULL || want == NULL)
		return 0;
	if (holder == NULL)
		holder = "?";
	if (!sealed_name_ok(rel))
		return verify_report_fail(rep, ln, "sealed share file name \"%.100s\" is not "
						   "sealed/FILE", rel);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		return verify_report_fail(rep, ln, "sealed share %.100s: path too long", rel);
	if (transcript_file_sha256(path, h, NULL) < 0) {
		ce_err_clear();
		return verify_report_fail(rep, ln, "sealed share %s of %.64s is missing from %s "
						   "(the holder's card opens only that file)",
					  rel, holder, dir);
	}
	hex_encode(h, 32, hex);
	if (strcmp(hex, want) != 0)
		return verify_report_fail(rep, ln, "sealed share %s of %.64s in %s has SHA-256 %s, "
						   "the transcript says %s (changed after it was sealed)",
					  rel, holder, dir, hex, want);
	rep->outputs_checked++;
	return 0;
}
