/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/shamir.h - Shamir secret sharing over GF(256) as SLIP-39 defines it.
 *
 * A secret of len bytes is shared byte-wise by polynomials of degree T-1.
 * For T >= 2 the polynomial passes through the secret at x = 255 and a digest
 * share at x = 254 (HMAC-SHA256(key = random part, secret)[:4] || random
 * part), so a recovered secret is checked. For T = 1 every share is a copy of
 * the secret. Share x coordinates (indices) are public; all share bytes and
 * the secret are secret, and the arithmetic on them runs in constant time.
 * Every temporary lives in secmem or is wiped before return.
 *
 * Errors: CE_ERR_INVALID (bounds: 1 <= T <= N <= 16, len 1..SHAMIR_MAX_LEN),
 * CE_ERR_DUPLICATE (an x coordinate twice), CE_ERR_QUORUM (fewer than T shares),
 * CE_ERR_DIGEST (the digest share does not match), CE_ERR_CRYPTO (OpenSSL),
 * CE_ERR_MLOCK.
 */
#ifndef CE_SHARES_SHAMIR_H
#define CE_SHARES_SHAMIR_H

#include <stddef.h>
#include <stdint.h>

#define SHAMIR_MAX_SHARES 16
#define SHAMIR_MAX_LEN 64
#define SHAMIR_DIGEST_INDEX 254
#define SHAMIR_SECRET_INDEX 255
#define SHAMIR_DIGEST_BYTES 4

/* Evaluate at x the polynomial through the n points (xs[i], ys + i*len),
 * writing len bytes to out. The xs must be distinct (CE_ERR_DUPLICATE). */
int shamir_interpolate(const uint8_t *xs, const uint8_t *ys, size_t n, size_t len, uint8_t x,
		       uint8_t *out) __attribute__((warn_unused_result));

/* Split secret (len bytes, >= SHAMIR_DIGEST_BYTES when threshold >= 2) into
 * count shares with x = 0..count-1: share i is out + i*len (out holds
 * count*len bytes, caller's memory, secret). Randomness from RAND_priv_bytes. */
int shamir_split(uint8_t threshold, uint8_t count, const uint8_t *secret, size_t len,
		 uint8_t *out) __attribute__((warn_unused_result));

/* Recover the secret from n >= threshold shares (xs, ys as in interpolate),
 * using the first threshold of them, and check the digest (threshold >= 2).
 * out holds len bytes; on failure it is zeroed. */
int shamir_recover(uint8_t threshold, const uint8_t *xs, const uint8_t *ys, size_t n, size_t len,
		   uint8_t *out) __attribute__((warn_unused_result));

#endif
