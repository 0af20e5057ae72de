/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for shares/gf256: field axioms, inverses, known products. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shares/gf256.h"

#include <stdint.h>

/* Reference multiply: the textbook loop with branches (test only). */
static uint8_t ref_mul(uint8_t a, uint8_t b)
{
	unsigned r = 0, x = a;

	while (b) {
		if (b & 1)
			r ^= x;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11b;
		b >>= 1;
	}
	return (uint8_t)r;
}

static void test_known_products(void **state)
{
	(void)state;
	/* FIPS-197 section 4.2: {57} * {83} = {c1}, {57} * {13} = {fe} */
	assert_int_equal(gf256_mul(0x57, 0x83), 0xc1);
	assert_int_equal(gf256_mul(0x57, 0x13), 0xfe);
	assert_int_equal(gf256_mul(0x57, 0x02), 0xae);
	assert_int_equal(gf256_mul(0x80, 0x02), 0x1b);
	assert_int_equal(gf256_mul(0x53, 0xca), 0x01); /* FIPS-197 5.1.1: inverse pair */
	assert_int_equal(gf256_inv(0x53), 0xca);
	assert_int_equal(gf256_inv(0), 0);
	assert_int_equal(gf256_div(5, 0), 0);
}

static void test_all_products_match_reference(void **state)
{
	unsigned a, b;

	(void)state;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			if (gf256_mul((uint8_t)a, (uint8_t)b) != ref_mul((uint8_t)a, (uint8_t)b))
				fail_msg("%u * %u", a, b);
}

static void test_inverses(void **state)
{
	unsigned a, seen[256] = { 0 };

	(void)state;
	for (a = 1; a < 256; a++) {
		uint8_t i = gf256_inv((uint8_t)a);
		assert_int_equal(gf256_mul((uint8_t)a, i), 1);
		assert_int_not_equal(i, 0);
		seen[i]++;
		assert_int_equal(gf256_div((uint8_t)a, (uint8_t)a), 1);
	}
	for (a = 1; a < 256; a++)
		assert_int_equal(seen[a], 1); /* a permutation of the nonzero elements */
}

static void test_axioms(void **state)
{
	unsigned a, b, c;

	(void)state;
	for (a = 0; a < 256; a += 3)
		for (b = 0; b < 256; b += 5) {
			uint8_t x = (uint8_t)a, y = (uint8_t)b;
			assert_int_equal(gf256_mul(x, y), gf256_mul(y, x));
			assert_int_equal(gf256_add(x, y), gf256_add(y, x));
			assert_int_equal(gf256_add(x, x), 0);
			assert_int_equal(gf256_mul(x, 1), x);
			assert_int_equal(gf256_mul(x, 0), 0);
			for (c = 0; c < 256; c += 37) {
				uint8_t z = (uint8_t)c;
				assert_int_equal(gf256_mul(gf256_mul(x, y), z),
						 gf256_mul(x, gf256_mul(y, z)));
				assert_int_equal(gf256_mul(x, gf256_add(y, z)),
						 gf256_add(gf256_mul(x, y), gf256_mul(x, z)));
			}
		}
	/* the generator 3 has order 255 */
	{
		uint8_t g = 1;
		unsigned k;
		for (k = 1; k <= 255; k++) {
			g = gf256_mul(g, 3);
			if (k < 255)
				assert_int_not_equal(g, 1);
		}
		assert_int_equal(g, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_products),
		cmocka_unit_test(test_all_products_match_reference),
		cmocka_unit_test(test_inverses),
		cmocka_unit_test(test_axioms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
