/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/transcript/fingerprint.h"
#include "common/err.h"
#include "common/hex.h"
#include "shares/wordlist.h"

#include <string.h>

int ceremony_fingerprint_words(const uint8_t sha256[32], char *out, size_t cap)
{
	int r = CE_ERR_INTERNAL;
	size_t pos = 0;
	unsigned int i;

	if (cap > 0)
		out[0] = '\0';
	for (i = 0; i < FINGERPRINT_WORDS; i++) {
		/* 10 bits starting at bit 10*i: they span bytes b and b+1. */
		unsigned int bit = 10 * i;
		unsigned int b = bit / 8;
		unsigned int two = ((unsigned int)sha256[b] << 8) | sha256[b + 1];
		unsigned int idx = (two >> (6 - bit % 8)) & 0x3ff;
		const char *w = slip39_wordlist[idx];
		size_t wl = strlen(w);

		if (pos + (i > 0) + wl + 1 > cap) {
			if (cap > 0)
				out[0] = '\0';
			r = ce_err_set(CE_ERR_INVALID, "fingerprint: buffer too small");
			goto out;
		}
		if (i > 0)
			out[pos++] = ' ';
		memcpy(out + pos, w, wl);
		pos += wl;
		out[pos] = '\0';
	}
	r = 0;
out:
	return r;
}

int ceremony_fingerprint_words_hex(const char *hex, char *out, size_t cap)
{
	int r = CE_ERR_INTERNAL;
	uint8_t h[32];
	size_t n = 0;

	if (cap > 0)
		out[0] = '\0';
	if (strlen(hex) != 64 || hex_decode(hex, 64, h, sizeof(h), &n) != 0 || n != 32) {
		r = ce_err_set(CE_ERR_FORMAT, "fingerprint: not a hex SHA-256");
		goto out;
	}
	r = ceremony_fingerprint_words(h, out, cap);
out:
	return r;
}
