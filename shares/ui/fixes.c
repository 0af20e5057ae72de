/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/ui.h"
#include "shares/rs1024.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"
#include "common/secmem.h"

/*
 * Every position times every other word: 1023 * n candidates. The checksum
 * is linear (shares/rs1024.c): a candidate's residue is the typed share's
 * residue XOR the images of the changed bits at that position, so each
 * candidate costs ten masked XORs, not a checksum of the whole share. The
 * extendable flag is in word 2: a candidate that changes it changes the
 * customisation string, so its residue starts from the typed words' residue
 * under the other flag. Not constant time: the share
 * failed its checksum, and the corrections are shown to the holder who typed
 * it. The candidate copy is secret all the same and lives in secmem.
 */
size_t shares_ui_suggest_fixes(const uint16_t *words, size_t n, struct shares_ui_fix *out,
			       size_t max)
{
	uint16_t *cand = NULL;
	uint32_t basis[RS1024_WORD_BITS], res0 = 0, res1 = 0;
	size_t found = 0, p, j;
	uint16_t w;
	int ext0;

	if (words == NULL || n < SLIP39_MIN_WORDS || n > SLIP39_MAX_WORDS || out == NULL ||
	    max == 0)
		goto out;
	cand = secmem_dup(words, n * sizeof(*words));
	if (cand == NULL)
		goto out;
	ext0 = slip39_words_extendable(cand, n);
	if (ext0 < 0)
		goto out;
	res0 = rs1024_residue(ext0, cand, n);
	res1 = rs1024_residue(!ext0, cand, n); /* the typed words under the other flag */
	for (p = 0; p < n && found < max; p++) {
		uint16_t orig = cand[p];

		rs1024_position_basis(n, p, basis);
		for (w = 0; w < SLIP39_WORDS && found < max; w++) {
			uint32_t e = (uint32_t)(orig ^ w), res;
			int ext;

			if (w == orig)
				continue;
			cand[p] = w;
			ext = slip39_words_extendable(cand, n);
			res = ext == ext0 ? res0 : res1;
			for (j = 0; j < RS1024_WORD_BITS; j++)
				res ^= basis[j] & ((uint32_t)0 - ((e >> j) & 1));
			if (res == 1) {
				out[found].position = (uint8_t)p;
				out[found].word = w;
				found++;
			}
		}
		cand[p] = orig;
	}
out:
	ce_wipe(basis, sizeof(basis));
	ce_wipe(&res0, sizeof(res0));
	ce_wipe(&res1, sizeof(res1));
	secmem_free(cand);
	return found;
}
