/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: SLIP-39 mnemonic decoding, then combine of what decoded.
 *
 * Input: up to FUZZ_SHARES_MAX lines of mnemonic text. Each line is decoded;
 * a decoded share is re-encoded and must decode to the same share (round
 * trip). When every line decoded and the iteration exponent is 0 (so PBKDF2
 * stays cheap), the shares are combined. Any crash, sanitizer report or a
 * broken round trip is a finding.
 */
#include "common/ct.h"
#include "common/secmem.h"
#include "shares/slip39.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_SHARES_MAX 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slip39_share *shares = secmem_alloc(FUZZ_SHARES_MAX * sizeof(*shares));
	struct slip39_share *again = NULL;
	char *text = NULL;
	uint8_t *secret = NULL;
	size_t n = 0, decoded = 0, pos = 0, secret_len = 0;
	int expo0 = 1;

	if (shares == NULL)
		return 0;
	again = secmem_alloc(sizeof(*again));
	text = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	secret = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	if (again == NULL || text == NULL || secret == NULL)
		goto out;
	while (pos <= size && n < FUZZ_SHARES_MAX) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl != NULL ? (size_t)(nl - (data + pos)) : size - pos;

		n++;
		memset(&shares[decoded], 0, sizeof(shares[decoded]));
		memset(again, 0, sizeof(*again));
		if (slip39_mnemonic_decode((const char *)data + pos, len, &shares[decoded]) == 0) {
			if (slip39_mnemonic_encode(&shares[decoded], text, SLIP39_MNEMONIC_MAX_LEN) != 0 ||
			    slip39_mnemonic_decode(text, strlen(text), again) != 0 ||
			    !ct_memeq(again, &shares[decoded], sizeof(*again)))
				abort(); /* a decoded share must survive encode + decode */
			if (shares[decoded].iteration_exponent != 0)
				expo0 = 0;
			decoded++;
		}
		pos += len + 1;
		if (nl == NULL)
			break;
	}
	/* combine (PBKDF2, the slow part) only when the input is exactly the
	 * lines decoded: junk after them would make every mutation of a valid
	 * seed pay for it */
	if (decoded > 0 && decoded == n && expo0 && pos >= size &&
	    slip39_combine(shares, decoded, NULL, 0, secret, &secret_len) == 0 &&
	    (secret_len < SLIP39_MIN_SECRET_BYTES || secret_len > SLIP39_MAX_SECRET_BYTES))
		abort();
out:
	secmem_free(secret);
	secmem_free(text);
	secmem_free(again);
	secmem_free(shares);
	return 0;
}
