/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/gf256.h - arithmetic in GF(2^8) with the Rijndael polynomial
 * x^8 + x^4 + x^3 + x + 1 (0x11b), the field of SLIP-39.
 *
 * Constant time: no tables, no branch and no memory index depends on the
 * operands, so they may be secret (share bytes).
 */
#ifndef CE_SHARES_GF256_H
#define CE_SHARES_GF256_H

#include <stdint.h>

#define GF256_POLY 0x11bu

/* a + b (and a - b): exclusive or. */
static inline uint8_t gf256_add(uint8_t a, uint8_t b)
{
	return (uint8_t)(a ^ b);
}

/* a * b mod the polynomial. */
uint8_t gf256_mul(uint8_t a, uint8_t b);

/* a^-1 (a^254); the inverse of 0 is defined as 0. */
uint8_t gf256_inv(uint8_t a);

/* a / b = a * b^-1; b == 0 gives 0. */
uint8_t gf256_div(uint8_t a, uint8_t b);

#endif
