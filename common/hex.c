/* SPDX-License-Identifier: Apache-2.0 */
#include "common/hex.h"
#include "common/ct.h"
#include "common/ctgrind.h"
#include "common/err.h"

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t hi = in[i] >> 4, lo = in[i] & 15u;
		/* digit + ('0') or + ('a' - 10) chosen without a branch */
		out[2 * i] = (char)(hi + '0' + (ct_u32_lt(9, hi) & ('a' - '0' - 10)));
		out[2 * i + 1] = (char)(lo + '0' + (ct_u32_lt(9, lo) & ('a' - '0' - 10)));
	}
	out[2 * n] = '\0';
}

/* value of a hex digit, and *bad |= all-ones when c is not one; no branches */
static uint8_t hex_digit(uint8_t c, uint32_t *bad)
{
	uint32_t x = c;
	uint32_t is_dig = ~ct_u32_lt(x, '0') & ct_u32_lt(x, '9' + 1);
	uint32_t lower = x | 0x20;
	uint32_t is_alpha = ~ct_u32_lt(lower, 'a') & ct_u32_lt(lower, 'f' + 1);
	uint32_t v = (is_dig & (x - '0')) | (is_alpha & (lower - 'a' + 10));

	*bad |= ~(is_dig | is_alpha);
	return (uint8_t)v;
}

int hex_decode(const char *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint32_t bad = 0;
	size_t i;

	*out_len = 0;
	if (in_len % 2 != 0)
		return ce_err_set(CE_ERR_FORMAT, "hex text has an odd number of digits (%zu)", in_len);
	if (in_len / 2 > cap)
		return ce_err_set(CE_ERR_TOO_LARGE, "hex text longer than %zu bytes", cap);
	for (i = 0; i < in_len / 2; i++) {
		uint8_t hi = hex_digit((uint8_t)in[2 * i], &bad);
		uint8_t lo = hex_digit((uint8_t)in[2 * i + 1], &bad);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	CE_DECLASSIFY(&bad, sizeof(bad)); /* "not hex" is told, not where */
	if (bad != 0) {
		for (i = 0; i < in_len / 2; i++)
			out[i] = 0;
		return ce_err_set(CE_ERR_FORMAT, "not hexadecimal");
	}
	*out_len = in_len / 2;
	return 0;
}
