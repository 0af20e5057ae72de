/* SPDX-License-Identifier: Apache-2.0 */
#include "common/ct.h"

int ct_memeq(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint32_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (uint32_t)(x[i] ^ y[i]);
	return (int)(ct_u32_is_zero(d) & 1);
}

int ct_is_zero(const void *p, size_t n)
{
	const volatile uint8_t *x = p;
	uint32_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i];
	return (int)(ct_u32_is_zero(d) & 1);
}

void ct_memcpy_if(uint32_t mask, void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = ct_u8_select(mask, s[i], d[i]);
}
