/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/ui.h"
#include "shares/rs1024.h"
#include "shares/slip39.h"
#include "shares/wordlist.h"
#include "common/ct.h"
#include "common/secmem.h"

/*
 * A fix is one word changed at one position p. The checksum is linear
 * (shares/rs1024.c): changing word p by the 10-bit error e = orig ^ w XORs
 * into the typed share's residue the images basis[j] of e's bits j, so the
 * candidates that pass are the solutions e of res ^ XOR basis[j] == 1, a
 * linear system over GF(2). The extendable flag is in word 2 (bit 4 of word
 * index 1): a candidate that changes it changes the customisation string, so
 * at that position its residue starts from the typed words' residue under
 * the other flag (res1), and only an e that flips bit 4 counts for it.
 *
 * The basis depends only on n and p (public): it is reduced to echelon form
 * with branches. Solving for the secret target is a fixed sequence of masked
 * XORs; only the verdict "this word is a fix" is declassified (by a branch),
 * as the old candidate-by-candidate search did, since the fixes are shown to
 * the holder who typed the share. A dependent basis (not expected for RS1024
 * with n <= 59, but not assumed) falls back to trying every word at p.
 */

/* One position's basis in echelon form: v[j] has no bit at piv[k] for k < j,
 * and is the XOR of the original columns in comb[j]. */
struct fix_echelon {
	uint32_t v[RS1024_WORD_BITS];
	uint32_t comb[RS1024_WORD_BITS];
	unsigned piv[RS1024_WORD_BITS];
};

/* 0 if the columns are independent, -1 if not. Public data only. */
static int echelon_reduce(const uint32_t basis[RS1024_WORD_BITS], struct fix_echelon *ech)
{
	size_t j, k;

	for (j = 0; j < RS1024_WORD_BITS; j++) {
		uint32_t v = basis[j], comb = (uint32_t)1 << j;

		for (k = 0; k < j; k++)
			if ((v >> ech->piv[k]) & 1) {
				v ^= ech->v[k];
				comb ^= ech->comb[k];
			}
		if (v == 0)
			return -1;
		ech->piv[j] = (unsigned)__builtin_ctz(v);
		ech->v[j] = v;
		ech->comb[j] = comb;
	}
	return 0;
}

/* The e with XOR of basis[j] over e's bits == t, in constant time; *ok is 1
 * if there is one, else 0 (then e is meaningless). */
static uint32_t echelon_solve(const struct fix_echelon *ech, uint32_t t, uint32_t *ok)
{
	uint32_t x = t, e = 0, m;
	size_t j;

	for (j = 0; j < RS1024_WORD_BITS; j++) {
		m = (uint32_t)0 - ((x >> ech->piv[j]) & 1);
		x ^= ech->v[j] & m;
		e ^= ech->comb[j] & m;
	}
	*ok = ct_u32_is_zero(x) & 1;
	ce_wipe(&x, sizeof(x));
	return e;
}

/*
 * Every position's basis at once. One checksum step on a zero word is a
 * linear map M of the 30-bit state, and position p's columns are the unit
 * vectors shifted through n - 1 - p steps: bases[n - 1] is the identity and
 * bases[p] = M bases[p + 1], n * 10 products in all instead of a fresh
 * shift per position. M's columns come from rs1024_position_basis on 4
 * words: the state whose three 10-bit parts are words a, b, c (high to low)
 * is what feeding a, b, c gives, and one more step maps it to the images of
 * a, b, c at positions 0, 1, 2 of a 4-word string. All public.
 */
static void fix_bases(size_t n, uint32_t bases[][RS1024_WORD_BITS])
{
	uint32_t m[3 * RS1024_WORD_BITS], col[RS1024_WORD_BITS];
	size_t w, j, i, p;

	for (w = 0; w < 3; w++) {
		rs1024_position_basis(4, w, col);
		for (j = 0; j < RS1024_WORD_BITS; j++)
			m[(2 - w) * RS1024_WORD_BITS + j] = col[j];
	}
	for (j = 0; j < RS1024_WORD_BITS; j++)
		bases[n - 1][j] = (uint32_t)1 << j;
	for (p = n - 1; p-- > 0;)
		for (j = 0; j < RS1024_WORD_BITS; j++) {
			uint32_t x = bases[p + 1][j], y = 0;

			for (i = 0; i < 3 * RS1024_WORD_BITS; i++)
				y ^= m[i] & ((uint32_t)0 - ((x >> i) & 1));
			bases[p][j] = y;
		}
}

/* The old way for one position: every other word, ten masked XORs each. */
static size_t fixes_enumerate(uint16_t *cand, size_t n, size_t p, int ext0, uint32_t res0,
			      uint32_t res1, const uint32_t basis[RS1024_WORD_BITS],
			      struct shares_ui_fix *out, size_t found, size_t max)
{
	uint16_t orig = cand[p], w;
	size_t j;

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
	return found;
}

static size_t fix_add(struct shares_ui_fix *out, size_t found, size_t max, size_t p, uint16_t w)
{
	if (found < max) {
		out[found].position = (uint8_t)p;
		out[found].word = w;
		found++;
	}
	return found;
}

size_t shares_ui_suggest_fixes(const uint16_t *words, size_t n, struct shares_ui_fix *out,
			       size_t max)
{
	uint16_t *cand = NULL;
	uint32_t bases[SLIP39_MAX_WORDS][RS1024_WORD_BITS], res0 = 0, res1 = 0, e0 = 0, e1 = 0, ok0 = 0, ok1 = 0;
	struct fix_echelon ech;
	size_t found = 0, p;
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
	fix_bases(n, bases);
	for (p = 0; p < n && found < max; p++) {
		/* the words are 10 bits; w = low ^ e runs over all 1,024 as
		 * the old search did, skipping only w == orig */
		uint16_t orig = cand[p], low = (uint16_t)(orig & (SLIP39_WORDS - 1)), w0, w1;
		int have0, have1;

		if (echelon_reduce(bases[p], &ech) != 0) {
			found = fixes_enumerate(cand, n, p, ext0, res0, res1, bases[p], out, found,
						max);
			continue;
		}
		e0 = echelon_solve(&ech, res0 ^ 1, &ok0);
		/* only at word 2 can a change flip the flag: there e0 must keep
		 * bit 4 and e1 (the other flag's residue) must flip it */
		e1 = p == 1 ? echelon_solve(&ech, res1 ^ 1, &ok1) : 0;
		ok0 &= p != 1 || ((e0 >> 4) & 1) == 0;
		ok1 &= p == 1 && ((e1 >> 4) & 1) == 1;
		w0 = (uint16_t)(low ^ e0);
		w1 = (uint16_t)(low ^ e1);
		/* the verdicts are shown to the holder (a fix or not) */
		have0 = ok0 && w0 != orig;
		have1 = ok1 && w1 != orig;
		if (have0 && have1 && w1 < w0) {
			found = fix_add(out, found, max, p, w1);
			have1 = 0;
		}
		if (have0)
			found = fix_add(out, found, max, p, w0);
		if (have1)
			found = fix_add(out, found, max, p, w1);
	}
out:
	ce_wipe(bases, sizeof(bases));
	ce_wipe(&res0, sizeof(res0));
	ce_wipe(&res1, sizeof(res1));
	ce_wipe(&e0, sizeof(e0));
	ce_wipe(&e1, sizeof(e1));
	ce_wipe(&ok0, sizeof(ok0));
	ce_wipe(&ok1, sizeof(ok1));
	secmem_free(cand);
	return found;
}
