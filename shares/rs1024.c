/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/rs1024.h"
#include "common/ct.h"

static const uint32_t rs1024_gen[10] = {
	0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
	0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120,
};

static const char rs1024_cs_plain[] = "shamir";
static const char rs1024_cs_ext[] = "shamir_extendable";

static uint32_t polymod_step(uint32_t chk, uint32_t v)
{
	uint32_t b = chk >> 20;
	int i;

	chk = ((chk & 0xFFFFF) << 10) ^ v;
	for (i = 0; i < 10; i++)
		chk ^= rs1024_gen[i] & ((uint32_t)0 - ((b >> i) & 1));
	return chk;
}

/* The customisation string is public (the extendable flag is not secret). */
static uint32_t polymod_prefix(int extendable)
{
	const char *s = extendable ? rs1024_cs_ext : rs1024_cs_plain;
	uint32_t chk = 1;

	for (; *s; s++)
		chk = polymod_step(chk, (uint8_t)*s);
	return chk;
}

void rs1024_create(int extendable, const uint16_t *data, size_t n, uint16_t cs[RS1024_CHECKSUM_WORDS])
{
	uint32_t chk = polymod_prefix(extendable);
	size_t i;

	for (i = 0; i < n; i++)
		chk = polymod_step(chk, data[i]);
	for (i = 0; i < RS1024_CHECKSUM_WORDS; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < RS1024_CHECKSUM_WORDS; i++)
		cs[i] = (uint16_t)((chk >> (10 * (2 - i))) & 1023);
}

uint32_t rs1024_residue(int extendable, const uint16_t *words, size_t n)
{
	uint32_t chk = polymod_prefix(extendable);
	size_t i;

	for (i = 0; i < n; i++)
		chk = polymod_step(chk, words[i]);
	return chk;
}

int rs1024_verify(int extendable, const uint16_t *words, size_t n)
{
	if (n < RS1024_CHECKSUM_WORDS)
		return 0;
	return (int)(ct_u32_eq(rs1024_residue(extendable, words, n), 1) & 1);
}

/*
 * polymod_step is linear over GF(2) in (chk, v): the residue of a string is
 * the prefix's part, shifted through n steps, XOR the part of each word.
 * Word p's part is word p shifted through the n - 1 - p steps after it with
 * zero input, so XORing e into word p XORs into the residue the images of
 * e's bits: basis[j], bit j of word p shifted through those steps.
 */
void rs1024_position_basis(size_t n, size_t p, uint32_t basis[RS1024_WORD_BITS])
{
	size_t j, k;

	for (j = 0; j < RS1024_WORD_BITS; j++) {
		uint32_t x = (uint32_t)1 << j;

		for (k = p + 1; k < n; k++)
			x = polymod_step(x, 0);
		basis[j] = x;
	}
}
