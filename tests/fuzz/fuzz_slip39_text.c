/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: SLIP-39 mnemonic text (text -> words -> share), no KDF.
 *
 * Input: lines of mnemonic text. Each line is decoded; a decoded share is
 * re-encoded and must decode to the same share (round trip), and its words
 * (slip39_share_to_words) must decode through the word-index entry point
 * share entry uses (slip39_words_decode) to the same share again. Each word
 * costs a constant-time scan of the whole wordlist (1,024 XORs of packed
 * words, shares/wordlist_lookup.c); the share logic behind the lookup is
 * fuzzed at many thousands of inputs a second by
 * fuzz_slip39_decode.c (word indices, checksum fixed). Combining:
 * fuzz_slip39_combine.c; the agreement with a reference decoder:
 * tests/tools/slip39-diff.py.
 */
#include "common/ct.h"
#include "common/secmem.h"
#include "shares/slip39.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* secmem made once: an mlock'ed mapping per input costs more than a decode */
	static struct slip39_share *s;
	static char *text;
	uint16_t w[SLIP39_MAX_WORDS + 1];
	size_t pos = 0;

	if (s == NULL) {
		s = secmem_alloc(3 * sizeof(*s));
		text = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
		if (s == NULL || text == NULL)
			abort();
	}
	while (pos <= size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl != NULL ? (size_t)(nl - (data + pos)) : size - pos;
		const char *line = (const char *)data + pos;
		int r;

		memset(s, 0, 3 * sizeof(*s));
		r = slip39_mnemonic_decode(line, len, &s[0]);
		if (r == 0) {
			if (slip39_mnemonic_encode(&s[0], text, SLIP39_MNEMONIC_MAX_LEN) != 0 ||
			    slip39_mnemonic_decode(text, strlen(text), &s[1]) != 0 ||
			    !ct_memeq(&s[1], &s[0], sizeof(s[0])))
				abort(); /* a decoded share must survive encode + decode */
		}
		/* the word-index path (share entry) agrees with the text path */
		if (r == 0) {
			int nw = slip39_share_to_words(&s[0], w);

			if (nw < SLIP39_MIN_WORDS || slip39_words_decode(w, (size_t)nw, &s[2]) != 0 ||
			    !ct_memeq(&s[2], &s[0], sizeof(s[0])))
				abort();
		}
		pos += len + 1;
		if (nl == NULL)
			break;
	}
	return 0;
}
