/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/hex.h - hexadecimal, constant time (safe for secrets).
 */
#ifndef CE_COMMON_HEX_H
#define CE_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write 2*n lowercase hex digits and a NUL to out (capacity >= 2*n+1). */
void hex_encode(const uint8_t *in, size_t n, char *out);

/* Decode hex text (upper or lower case, length even) into out (capacity cap).
 * Time depends only on the text's length. Returns 0 and sets *out_len, or
 * CE_ERR_FORMAT (odd length / non-hex digit) or CE_ERR_TOO_LARGE. The message
 * does not reveal which digit was bad (the input may be secret). */
int hex_decode(const char *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
	__attribute__((warn_unused_result));

#endif
