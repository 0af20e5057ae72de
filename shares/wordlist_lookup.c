/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/wordlist.h"
#include "common/ct.h"
#include "common/secmem.h"

#include <strings.h>

#include <string.h>

/* Word w padded to 8 bytes, lowercased; chars outside a-z make bad all-ones. */
static void word_pad(const char *w, size_t len, uint8_t out[SLIP39_WORD_MAX_LEN], uint32_t *bad)
{
	size_t i;

	for (i = 0; i < SLIP39_WORD_MAX_LEN; i++) {
		/* read in-bounds only; i < len is public (the typed length) */
		uint32_t c = i < len ? (uint8_t)w[i] : 0;
		uint32_t lower = c | 0x20;
		uint32_t is_alpha = ~ct_u32_lt(lower, 'a') & ct_u32_lt(lower, 'z' + 1);
		if (i < len)
			*bad |= ~is_alpha;
		out[i] = (uint8_t)(lower & is_alpha);
	}
}

int slip39_word_index(const char *w, size_t len)
{
	uint8_t in[SLIP39_WORD_MAX_LEN];
	uint32_t bad = 0;
	uint32_t found = 0;
	uint32_t index = 0;
	uint32_t i;
	int r = -1;

	if (len < SLIP39_WORD_PREFIX_LEN || len > SLIP39_WORD_MAX_LEN)
		goto out;
	word_pad(w, len, in, &bad);
	for (i = 0; i < SLIP39_WORDS; i++) {
		uint8_t cand[SLIP39_WORD_MAX_LEN];
		uint32_t cand_bad = 0;
		uint32_t diff4 = 0, diff = 0;
		uint32_t match;
		size_t k;

		word_pad(slip39_wordlist[i], strlen(slip39_wordlist[i]), cand, &cand_bad);
		for (k = 0; k < SLIP39_WORD_PREFIX_LEN; k++)
			diff4 |= (uint32_t)(in[k] ^ cand[k]);
		for (k = 0; k < SLIP39_WORD_MAX_LEN; k++)
			diff |= (uint32_t)(in[k] ^ cand[k]);
		/* the 4-letter prefix alone, or the whole word */
		match = ct_u32_is_zero(diff4) &
			(ct_u32_eq((uint32_t)len, SLIP39_WORD_PREFIX_LEN) | ct_u32_is_zero(diff));
		index = ct_u32_select(match, i, index);
		found |= match;
	}
	found &= ~bad;
	r = (int)ct_u32_select(found, index, (uint32_t)-1);
out:
	ce_wipe(in, sizeof(in));
	return r;
}

static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[SLIP39_WORD_MAX_LEN * 4 + 1];
	size_t i, j;

	if (la > SLIP39_WORD_MAX_LEN * 4)
		la = SLIP39_WORD_MAX_LEN * 4;
	for (j = 0; j <= la; j++)
		d[j] = j;
	for (i = 1; i <= lb; i++) {
		size_t prev = d[0];
		d[0] = i;
		for (j = 1; j <= la; j++) {
			size_t tmp = d[j];
			size_t cost = ((a[j - 1] | 0x20) == b[i - 1]) ? 0 : 1;
			size_t best = prev + cost;
			if (d[j] + 1 < best)
				best = d[j] + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			d[j] = best;
			prev = tmp;
		}
	}
	return d[la];
}

size_t slip39_word_suggest(const char *w, size_t len, uint16_t *out, size_t max)
{
	size_t dist[SLIP39_WORDS];
	size_t n = 0, best, i;

	if (max == 0)
		return 0;
	for (i = 0; i < SLIP39_WORDS; i++) {
		const char *c = slip39_wordlist[i];
		size_t lc = strlen(c);
		dist[i] = edit_distance(w, len, c, lc);
		/* a typed prefix of a word is as near as it gets */
		if (len >= 2 && len < lc && strncasecmp(w, c, len) == 0)
			dist[i] = 0;
	}
	for (best = 0; best <= 2 && n < max; best++)
		for (i = 0; i < SLIP39_WORDS && n < max; i++)
			if (dist[i] == best)
				out[n++] = (uint16_t)i;
	return n;
}
