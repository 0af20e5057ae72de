/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/fingerprint.h - fingerprints as words, for witnesses to read aloud
 * and write on the paper log (docs/transcript-format.md section 5).
 *
 * The first 80 bits of a SHA-256 value, big-endian, cut into eight 10-bit
 * numbers, each an index into the SLIP-39 wordlist; words joined by single
 * spaces. Public data only.
 */
#ifndef CE_CEREMONY_FINGERPRINT_H
#define CE_CEREMONY_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define FINGERPRINT_WORDS 8
/* Longest result: 8 words of at most 8 letters, 7 spaces, NUL. */
#define FINGERPRINT_WORDS_MAX_LEN (FINGERPRINT_WORDS * 9)

/* Write the words for sha256 into out (capacity cap >= FINGERPRINT_WORDS_MAX_LEN
 * is always enough). Returns 0, or CE_ERR_INVALID if cap is too small (out is
 * then an empty string when cap > 0). */
int ceremony_fingerprint_words(const uint8_t sha256[32], char *out, size_t cap)
	__attribute__((warn_unused_result));

/* As ceremony_fingerprint_words for a 64-digit hex SHA-256; CE_ERR_FORMAT if
 * hex is not 64 hex digits. */
int ceremony_fingerprint_words_hex(const char *hex, char *out, size_t cap)
	__attribute__((warn_unused_result));

#endif
