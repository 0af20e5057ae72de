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

/* Compute the 3 checksum words for data (n 10-bit words) into cs. */
void rs1024_create(int extendable, const uint16_t *data, size_t n, uint16_t cs[RS1024_CHECKSUM_WORDS]);

/* 1 if words (n >= 3, checksum last) carry a valid checksum, else 0. */
int rs1024_verify(int extendable, const uint16_t *words, size_t n) __attribute__((warn_unused_result));

#endif
