/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/ui.h"
#include "shares/rs1024.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"
#include "common/secmem.h"

/*
 * Every position times every other word: 1023 * n checksums. Not constant
 * time: the share failed its checksum, and the corrections are shown to the
 * holder who typed it. The candidate copy is secret all the same and lives in
 * secmem. The extendable flag is in word 2, so a change there changes which
 * customisation string the checksum uses: it is read from each candidate.
 */
size_t shares_ui_suggest_fixes(const uint16_t *words, size_t n, struct shares_ui_fix *out,
			       size_t max)
{
	uint16_t *cand = NULL;
	size_t found = 0, p;
	uint16_t w;

	if (words == NULL || n < SLIP39_MIN_WORDS || n > SLIP39_MAX_WORDS || out == NULL ||
	    max == 0)
		goto out;
	cand = secmem_dup(words, n * sizeof(*words));
	if (cand == NULL)
		goto out;
	for (p = 0; p < n && found < max; p++) {
		uint16_t orig = cand[p];
		for (w = 0; w < SLIP39_WORDS && found < max; w++) {
			int ext;
			if (w == orig)
				continue;
			cand[p] = w;
			ext = slip39_words_extendable(cand, n);
			if (ext >= 0 && rs1024_verify(ext, cand, n)) {
				out[found].position = (uint8_t)p;
				out[found].word = w;
				found++;
			}
		}
		cand[p] = orig;
	}
out:
	secmem_free(cand);
	return found;
}
