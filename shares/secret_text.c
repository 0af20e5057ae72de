/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/secret_text.h"
#include "shares/slip39.h"
#include "common/err.h"

#include <string.h>

/* 1 for a byte a text secret may hold; no branch on the byte itself. */
static uint32_t text_byte_ok(uint8_t c)
{
	uint32_t v = c;
	uint32_t ctl = ((v - 0x20u) >> 31) & 1u;          /* v < 0x20 */
	uint32_t del = ((((v ^ 0x7fu) - 1u) >> 31) & 1u); /* v == 0x7f */

	return (ctl | del) ^ 1u;
}

int secret_text_encode(const char *text, size_t len, uint8_t *out, size_t *out_len)
{
	size_t i, total;
	uint32_t ok = 1;

	*out_len = 0;
	if (len == 0)
		return ce_err_set(CE_ERR_FORMAT, "the text secret is empty");
	if (len > SECRET_TEXT_MAX_BYTES)
		return ce_err_set(CE_ERR_TOO_LARGE, "the text secret is %zu bytes; at most %d",
				  len, SECRET_TEXT_MAX_BYTES);
	for (i = 0; i < len; i++)
		ok &= text_byte_ok((uint8_t)text[i]);
	if (!ok)
		return ce_err_set(CE_ERR_FORMAT, "the text secret holds a control character "
				  "(only printable characters are taken)");
	total = len + 1 < SLIP39_MIN_SECRET_BYTES ? SLIP39_MIN_SECRET_BYTES : len + 1;
	total += total & 1u;
	memset(out, 0, total);
	out[0] = (uint8_t)len;
	memcpy(out + 1, text, len);
	*out_len = total;
	return 0;
}

int secret_text_decode(const uint8_t *secret, size_t len, char *text, size_t cap,
		       size_t *text_len)
{
	size_t n, i;
	uint32_t ok = 1;
	uint8_t pad = 0;

	*text_len = 0;
	n = len > 0 ? secret[0] : 0;
	if (len < SLIP39_MIN_SECRET_BYTES || n == 0 || n > SECRET_TEXT_MAX_BYTES || n + 1 > len)
		return ce_err_set(CE_ERR_FORMAT, "the recovered secret is not a text secret "
				  "(bad length byte); use --secret-format hex");
	for (i = 1; i <= n; i++)
		ok &= text_byte_ok(secret[i]);
	for (i = n + 1; i < len; i++)
		pad |= secret[i];
	if (!ok || pad != 0)
		return ce_err_set(CE_ERR_FORMAT, "the recovered secret is not a text secret "
				  "(%s); use --secret-format hex",
				  pad != 0 ? "non-zero padding" : "a control character");
	if (n + 1 > cap)
		return ce_err_set(CE_ERR_TOO_LARGE, "text secret of %zu bytes", n);
	memcpy(text, secret + 1, n);
	text[n] = '\0';
	*text_len = n;
	return 0;
}
