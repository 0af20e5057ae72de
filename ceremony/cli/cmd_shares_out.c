/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/cli/cmd_shares_out.c - the secret `ceremony shares combine`
 * recovered, as it is printed: hex, the text it was split from
 * (--secret-format text), or the PIN derived from it (--pin-derivation, the
 * string a transcript's share.issued or token.initialised records:
 * docs/share-format.md). Called by cmd_shares.c (--batch) and
 * cmd_shares_tty.c (at a terminal), never the reverse.
 */
#include "ceremony/cli/cmd_shares.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "shares/secret_text.h"

#include <string.h>

int shares_secret_render(const struct shares_opts *o, const uint8_t *secret, size_t secret_len,
			 char *txt, size_t cap, size_t *len)
{
	char *pin = NULL;
	size_t plen = 0;
	int r = CE_ERR_INTERNAL;

	*len = 0;
	if (o->pin_derivation != NULL) {
		if (secret_len != P11_PIN_SECRET_BYTES) {
			r = ce_err_set(CE_ERR_FORMAT,
				       "the recovered secret is %zu bytes, not the %d of a PIN's "
				       "secret: these shares are not of a derived PIN (a set whose "
				       "share.issued has no pin_derivation holds the PIN as text: "
				       "--secret-format text, without --pin-derivation)",
				       secret_len, P11_PIN_SECRET_BYTES);
			goto out;
		}
		r = p11_pin_derive(secret, secret_len, o->pin_alphabet, o->pin_len, &pin, &plen);
		if (r < 0)
			goto out;
		if (plen + 2 > cap) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "a PIN of %zu characters", plen);
			goto out;
		}
		memcpy(txt, pin, plen);
		*len = plen;
	} else if (o->format == SHARES_SECRET_TEXT) {
		r = secret_text_decode(secret, secret_len, txt, cap - 1, len);
		if (r < 0)
			goto out;
	} else {
		if (2 * secret_len + 2 > cap) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "a secret of %zu bytes", secret_len);
			goto out;
		}
		hex_encode(secret, secret_len, txt);
		*len = 2 * secret_len;
	}
	r = 0;
out:
	secmem_free(pin);
	return r;
}
