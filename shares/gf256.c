/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/gf256.h"
#include "common/ct.h"

/* Shift-and-add multiplication: eight rounds whatever the operands. Each bit
 * of b selects through a mask, and the reduction of a's top bit is a mask
 * too, so the compiler has nothing to branch on. */
uint8_t gf256_mul(uint8_t a, uint8_t b)
{
	uint32_t x = a, y = b, r = 0;
	int i;

	for (i = 0; i < 8; i++) {
		uint32_t bit = ct_barrier_u32((y >> i) & 1);
		uint32_t top;

		r ^= x & ((uint32_t)0 - bit);
		top = ct_barrier_u32((x >> 7) & 1);
		x = ((x << 1) ^ (GF256_POLY & ((uint32_t)0 - top))) & 0xffu;
	}
	return (uint8_t)r;
}

/* a^254 by a fixed addition chain (the exponent is public). */
uint8_t gf256_inv(uint8_t a)
{
	uint8_t a2 = gf256_mul(a, a);          /* a^2 */
	uint8_t a3 = gf256_mul(a2, a);         /* a^3 */
	uint8_t a6 = gf256_mul(a3, a3);        /* a^6 */
	uint8_t a12 = gf256_mul(a6, a6);       /* a^12 */
	uint8_t a15 = gf256_mul(a12, a3);      /* a^15 */
	uint8_t a30 = gf256_mul(a15, a15);     /* a^30 */
	uint8_t a60 = gf256_mul(a30, a30);     /* a^60 */
	uint8_t a63 = gf256_mul(a60, a3);      /* a^63 */
	uint8_t a126 = gf256_mul(a63, a63);    /* a^126 */
	uint8_t a127 = gf256_mul(a126, a);     /* a^127 */
	return gf256_mul(a127, a127);          /* a^254 */
}

uint8_t gf256_div(uint8_t a, uint8_t b)
{
	return gf256_mul(a, gf256_inv(b));
}
