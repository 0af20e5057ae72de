/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: SLIP-39 share decoding, words -> share
 * (slip39_words_decode: what share entry calls once the words are looked
 * up), no KDF. The input is word indices, two bytes a word (10 bits used);
 * the harness writes the right RS1024 checksum into the last three words
 * (rs1024_create), as fuzz_verify.c re-chains: a random mutation would fail
 * the checksum, so this is how the padding, parameter, length and
 * extendable-bit checks behind it are reached. A share that decodes must be
 * exactly its words again (slip39_share_to_words -> slip39_words_decode).
 * Mnemonic text (the word lookup): fuzz_slip39_text.c; combining:
 * fuzz_slip39_combine.c; the agreement with a reference decoder:
 * tests/tools/slip39-diff.py.
 */
#include "common/ct.h"
#include "common/secmem.h"
#include "shares/rs1024.h"
#include "shares/slip39.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void word_mode(const uint8_t *data, size_t size, struct slip39_share *s)
{
	uint16_t w[SLIP39_MAX_WORDS], again[SLIP39_MAX_WORDS];
	size_t n = size / 2, i;
	int ext, nw;

	if (n > SLIP39_MAX_WORDS)
		n = SLIP39_MAX_WORDS;
	if (n <= RS1024_CHECKSUM_WORDS)
		return;
	for (i = 0; i < n; i++)
		w[i] = (uint16_t)((data[2 * i] << 8 | data[2 * i + 1]) & 0x3ff);
	ext = slip39_words_extendable(w, n);
	if (ext < 0)
		return;
	rs1024_create(ext, w, n - RS1024_CHECKSUM_WORDS, w + n - RS1024_CHECKSUM_WORDS);
	memset(s, 0, 2 * sizeof(*s));
	if (slip39_words_decode(w, n, &s[0]) != 0)
		return;
	nw = slip39_share_to_words(&s[0], again);
	if (nw < SLIP39_MIN_WORDS || (size_t)nw != n || memcmp(again, w, n * sizeof(*w)) != 0 ||
	    slip39_words_decode(again, (size_t)nw, &s[1]) != 0 || !ct_memeq(&s[1], &s[0], sizeof(s[0])))
		abort(); /* a decoded share is exactly its words */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* secmem made once: an mlock'ed mapping per input costs more than a decode */
	static struct slip39_share *s;

	if (s == NULL) {
		s = secmem_alloc(2 * sizeof(*s));
		if (s == NULL)
			abort();
	}
	word_mode(data, size, s);
	return 0;
}
