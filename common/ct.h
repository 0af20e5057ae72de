/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/ct.h - constant-time helpers for secret data.
 *
 * Masks are all-ones (true) or all-zeros (false). None of these branch on or
 * index memory by their arguments; the optimisation barrier keeps compilers
 * from turning mask arithmetic back into branches.
 */
#ifndef CE_COMMON_CT_H
#define CE_COMMON_CT_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t ct_barrier_u32(uint32_t x)
{
	__asm__("" : "+r"(x));
	return x;
}

/* 0xffffffff if x == 0, else 0. */
static inline uint32_t ct_u32_is_zero(uint32_t x)
{
	x = ct_barrier_u32(x);
	return (uint32_t)0 - (uint32_t)(1 & ((x | ((uint32_t)0 - x)) >> 31 ^ 1));
}

/* 0xffffffff if a == b, else 0. */
static inline uint32_t ct_u32_eq(uint32_t a, uint32_t b)
{
	return ct_u32_is_zero(a ^ b);
}

/* 0xffffffff if a < b (unsigned), else 0. */
static inline uint32_t ct_u32_lt(uint32_t a, uint32_t b)
{
	uint64_t d = (uint64_t)a - (uint64_t)b;
	return (uint32_t)0 - (uint32_t)(ct_barrier_u32((uint32_t)(d >> 63)) & 1);
}

/* mask ? a : b */
static inline uint32_t ct_u32_select(uint32_t mask, uint32_t a, uint32_t b)
{
	mask = ct_barrier_u32(mask);
	return (a & mask) | (b & ~mask);
}

static inline uint8_t ct_u8_select(uint32_t mask, uint8_t a, uint8_t b)
{
	return (uint8_t)ct_u32_select(mask, a, b);
}

/* 1 if the n bytes of a and b are equal, else 0; time depends only on n. */
int ct_memeq(const void *a, const void *b, size_t n) __attribute__((warn_unused_result));

/* 1 if all n bytes are zero, else 0; time depends only on n. */
int ct_is_zero(const void *p, size_t n) __attribute__((warn_unused_result));

/* Copy src to dst when mask is all-ones, leave dst when zero; constant time. */
void ct_memcpy_if(uint32_t mask, void *dst, const void *src, size_t n);

#endif
