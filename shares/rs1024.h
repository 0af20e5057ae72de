/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/rs1024.h - the RS1024 checksum of SLIP-39 (three 10-bit words over
 * GF(1024), customised with "shamir" or, for extendable shares,
 * "shamir_extendable"). Constant time: share words are secret.
 */
#ifndef CE_SHARES_RS1024_H
#define CE_SHARES_RS1024_H

#include <stddef.h>
#include <stdint.h>

#define RS1024_CHECKSUM_WORDS 3
#define RS1024_WORD_BITS 10

/* Compute the 3 checksum words for data (n 10-bit words) into cs. */
void rs1024_create(int extendable, const uint16_t *data, size_t n, uint16_t cs[RS1024_CHECKSUM_WORDS]);

/* The polymod residue of words (checksum last): 1 when the checksum holds. */
uint32_t rs1024_residue(int extendable, const uint16_t *words, size_t n);

/* The change to the residue of an n-word string made by flipping each bit
 * j of word p: basis[j]. XORing e into word p XORs the basis[j] of e's set
 * bits into the residue (the checksum is linear), under the same flag. */
void rs1024_position_basis(size_t n, size_t p, uint32_t basis[RS1024_WORD_BITS]);

/* 1 if words (n >= 3, checksum last) carry a valid checksum, else 0. */
int rs1024_verify(int extendable, const uint16_t *words, size_t n) __attribute__((warn_unused_result));

#endif
