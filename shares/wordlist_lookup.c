/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/wordlist.h"
#include "common/ct.h"
#include "common/ctgrind.h"
#include "common/secmem.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

/*
 * The list packed once: word i as 8 bytes in a uint64_t (letter k in bits
 * 8k..8k+7, zero after the word). A lookup is then one XOR and two masks per
 * word of the list, the same 1,024 steps whatever was typed. The table is
 * public (the list itself); building it depends on nothing secret.
 */
static const uint64_t *packed_words(void)
{
	static uint64_t t[SLIP39_WORDS];
	static int ready;
	size_t i, k;

	if (!ready) {
		for (i = 0; i < SLIP39_WORDS; i++) {
			const char *w = slip39_wordlist[i];
			uint64_t v = 0;

			for (k = 0; k < SLIP39_WORD_MAX_LEN && w[k] != '\0'; k++)
				v |= (uint64_t)(uint8_t)w[k] << (8 * k);
			t[i] = v;
		}
		ready = 1;
	}
	return t;
}

/* Word w (len public, at most 8) packed like the table, lowercased; a
 * character outside a-z makes *bad all-ones. Constant time in the letters. */
static uint64_t word_pack(const char *w, size_t len, uint32_t *bad)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < SLIP39_WORD_MAX_LEN; i++) {
		/* read in-bounds only; i < len is public (the typed length) */
		uint32_t c = i < len ? (uint8_t)w[i] : 0;
		uint32_t lower = c | 0x20;
		uint32_t is_alpha = ~ct_u32_lt(lower, 'a') & ct_u32_lt(lower, 'z' + 1);

		if (i < len)
			*bad |= ~is_alpha;
		v |= (uint64_t)(lower & is_alpha & 0xffu) << (8 * i);
	}
	return v;
}

/* all-ones if the 64-bit x is zero, else 0 */
static uint32_t ct_u64_is_zero(uint64_t x)
{
	return ct_u32_is_zero((uint32_t)x | (uint32_t)(x >> 32));
}

int slip39_word_index(const char *w, size_t len)
{
	const uint64_t *t = packed_words();
	uint64_t in;
	uint32_t bad = 0, found = 0, index = 0, whole_needed;
	uint32_t i;
	int r = -1;

	if (len < SLIP39_WORD_PREFIX_LEN || len > SLIP39_WORD_MAX_LEN)
		return -1;
	in = word_pack(w, len, &bad);
	/* the 4-letter prefix alone, or the whole word (len is public) */
	whole_needed = ~ct_u32_eq((uint32_t)len, SLIP39_WORD_PREFIX_LEN);
	for (i = 0; i < SLIP39_WORDS; i++) {
		uint64_t d = in ^ t[i];
		uint32_t match = ct_u32_is_zero((uint32_t)d) & (~whole_needed | ct_u64_is_zero(d));

		index = ct_u32_select(match, i, index);
		found |= match;
	}
	found &= ~bad;
	r = (int)ct_u32_select(found, index, (uint32_t)-1);
	ce_wipe(&in, sizeof(in));
	return r;
}

size_t slip39_word_copy_ct(uint16_t idx, char w[SLIP39_WORD_MAX_LEN])
{
	const uint64_t *t = packed_words();
	uint64_t v = 0;
	uint32_t i, len = 0;
	size_t k;

	for (i = 0; i < SLIP39_WORDS; i++) {
		uint32_t m = ct_u32_eq(i, idx);
		uint64_t m64 = ((uint64_t)m << 32) | m;

		v = (t[i] & m64) | (v & ~m64);
	}
	for (k = 0; k < SLIP39_WORD_MAX_LEN; k++) {
		uint8_t ch = (uint8_t)(v >> (8 * k));

		w[k] = (char)ch;
		len += 1u ^ (ct_u32_is_zero(ch) & 1u);
	}
	ce_wipe(&v, sizeof(v));
	CE_DECLASSIFY(&len, sizeof(len));
	return len;
}

int slip39_word_prefix_exists(const char *w, size_t len)
{
	const uint64_t *t = packed_words();
	uint64_t in, mask;
	uint32_t bad = 0, any = 0;
	size_t i;

	if (len == 0 || len > SLIP39_WORD_MAX_LEN)
		return len == 0;
	in = word_pack(w, len, &bad);
	mask = len == SLIP39_WORD_MAX_LEN ? ~(uint64_t)0 : ((uint64_t)1 << (8 * len)) - 1;
	for (i = 0; i < SLIP39_WORDS; i++)
		any |= ct_u64_is_zero((in ^ t[i]) & mask);
	any &= ~bad;
	ce_wipe(&in, sizeof(in));
	return (int)(any & 1);
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
		size_t prev = d[0], row_min;

		d[0] = i;
		row_min = d[0];
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
			if (best < row_min)
				row_min = best;
		}
		/* a row never goes below the one before: past 2, nothing is near */
		if (row_min > 2)
			return row_min;
	}
	return d[la];
}

/*
 * The length and the letters (a 26-bit set) of each word of the list, built
 * once. An edit (change, insertion, deletion) brings at most one new letter
 * into a word and takes at most one out, so the edit distance between a
 * typed word and a word of the list is at least the number of letters either
 * has and the other lacks: past 2, the distance need not be computed.
 */
static uint32_t letter_masks[SLIP39_WORDS];
static uint8_t word_lens[SLIP39_WORDS];
static pthread_once_t letter_masks_once = PTHREAD_ONCE_INIT;

static void letter_masks_build(void)
{
	size_t i, k;

	for (i = 0; i < SLIP39_WORDS; i++) {
		const char *c = slip39_wordlist[i];
		uint32_t m = 0;

		for (k = 0; c[k] != '\0'; k++)
			m |= (uint32_t)1 << ((c[k] | 0x20) - 'a');
		letter_masks[i] = m;
		word_lens[i] = (uint8_t)k;
	}
}

/* The letter set of w (a-z in either case); *other is 1 if w has any other
 * byte. Such a byte equals no letter in edit_distance ((x | 0x20) is then
 * not in a-z), so it is one more symbol that no word of the list has. */
static uint32_t letter_mask(const char *w, size_t len, unsigned *other)
{
	uint32_t m = 0;
	size_t k;

	*other = 0;
	for (k = 0; k < len; k++) {
		unsigned lower = (uint8_t)w[k] | 0x20u;

		if (lower >= 'a' && lower <= 'z')
			m |= (uint32_t)1 << (lower - 'a');
		else
			*other = 1;
	}
	return m;
}

/* 1 if the symbols alone put the typed word (letters mw, and other bytes if
 * other) more than 2 edits from the word of the list with letters mc: each
 * symbol one has and the other lacks takes an edit, which adds at most one
 * symbol and takes at most one away. */
static int letters_too_far(uint32_t mw, unsigned other, uint32_t mc)
{
	return (unsigned)__builtin_popcount(mw & ~mc) + other > 2 ||
	       __builtin_popcount(mc & ~mw) > 2;
}

size_t slip39_word_suggest(const char *w, size_t len, uint16_t *out, size_t max)
{
	size_t dist[SLIP39_WORDS];
	size_t n = 0, best, i;
	uint32_t mw;
	unsigned other;

	if (max == 0)
		return 0;
	if (pthread_once(&letter_masks_once, letter_masks_build) != 0)
		letter_masks_build(); /* not expected; the same table either way */
	mw = letter_mask(w, len, &other);
	for (i = 0; i < SLIP39_WORDS; i++) {
		const char *c = slip39_wordlist[i];
		size_t lc = word_lens[i];
		/* a typed prefix of a word is as near as it gets; a length
		 * difference over 2 is already further than any suggestion
		 * (the edit distance is at least the difference), and so is a
		 * difference of more than 2 letters either way. An ASCII first
		 * byte that is not the word's first letter in either case is
		 * no prefix: strncasecmp is only asked otherwise. */
		if (len >= 2 && len < lc &&
		    ((uint8_t)w[0] >= 0x80 || ((uint8_t)w[0] | 0x20) == (uint8_t)c[0]) &&
		    strncasecmp(w, c, len) == 0)
			dist[i] = 0;
		else if (len > lc + 2 || lc > len + 2)
			dist[i] = 3;
		else if (letters_too_far(mw, other, letter_masks[i]))
			dist[i] = 3;
		else
			dist[i] = edit_distance(w, len, c, lc);
	}
	for (best = 0; best <= 2 && n < max; best++)
		for (i = 0; i < SLIP39_WORDS && n < max; i++)
			if (dist[i] == best)
				out[n++] = (uint16_t)i;
	/* derived from the typed word, a word of a share */
	ce_wipe(dist, sizeof(dist));
	ce_wipe(&mw, sizeof(mw));
	return n;
}
