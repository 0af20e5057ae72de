/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/slip39.h - SLIP-39 Shamir backup: split a master secret into
 * mnemonic shares in groups, and combine them back.
 *
 * Everything here is secret except the parameters (identifier, extendable,
 * iteration exponent, group/member indices and thresholds, counts). Structures
 * holding share values or secrets must live in secmem (the *_new functions
 * allocate them there); free them with the matching *_free, which wipes.
 * Share arithmetic, checksums and the passphrase Feistel network run in
 * constant time with respect to secret values.
 *
 * Errors (negative CE_ERR_*, detail via ce_err_detail()):
 *   CE_ERR_WORD      a word is not in the wordlist (detail: word position and
 *                    the nearest words)
 *   CE_ERR_CHECKSUM  the RS1024 checksum fails
 *   CE_ERR_PADDING   bad length or nonzero padding bits
 *   CE_ERR_FORMAT    malformed (e.g. too few words, threshold > count)
 *   CE_ERR_MISMATCH  shares disagree on identifier, iteration exponent,
 *                    extendable flag, group threshold/count, member threshold,
 *                    or value length
 *   CE_ERR_DUPLICATE the same member index twice in a group (same value), or
 *                    two different values for one index
 *   CE_ERR_QUORUM    too few groups, or too few members in a group
 *   CE_ERR_DIGEST    the recovered group secret fails its digest share
 *   CE_ERR_INVALID   bad split parameters, or a passphrase that is not
 *                    printable ASCII (32..126)
 *   CE_ERR_MLOCK, CE_ERR_CRYPTO  secure memory / OpenSSL failures
 *
 * Details start with the reason ("bad checksum", "unknown word", "bad
 * padding", "mismatched <what>", "duplicate member", "too few groups or
 * members", "digest mismatch") so callers can prefix the place (a line).
 */
#ifndef CE_SHARES_SLIP39_H
#define CE_SHARES_SLIP39_H

#include <stddef.h>
#include <stdint.h>

#define SLIP39_MAX_SHARE_COUNT 16     /* groups, and members per group */
#define SLIP39_MIN_SECRET_BYTES 16
#define SLIP39_MAX_SECRET_BYTES 64    /* ceremony's bound; even lengths only */
#define SLIP39_MAX_ITERATION_EXP 15
/* longest mnemonic: 7 metadata words + value words (64 bytes -> 52 words) */
#define SLIP39_MAX_WORDS 59
#define SLIP39_MIN_WORDS 20
/* text bound: words of <= 8 letters, single spaces, NUL */
#define SLIP39_MNEMONIC_MAX_LEN (SLIP39_MAX_WORDS * 9 + 1)

/* One decoded share. value is secret. */
struct slip39_share {
	uint16_t identifier;          /* 15 bits */
	uint8_t extendable;           /* 0 or 1 */
	uint8_t iteration_exponent;   /* 0..15 */
	uint8_t group_index;          /* 0..15 */
	uint8_t group_threshold;      /* 1..16 */
	uint8_t group_count;          /* 1..16 */
	uint8_t member_index;         /* 0..15 */
	uint8_t member_threshold;     /* 1..16 */
	uint8_t value_len;            /* bytes, even, 16..64 */
	uint8_t value[SLIP39_MAX_SECRET_BYTES];
};

/* One group of a split: T of N members. */
struct slip39_group_spec {
	uint8_t threshold;
	uint8_t count;
};

/* The result of a split: shares[g][m] for g < group_count, m < member_count[g]. */
struct slip39_share_set {
	uint8_t group_count;
	uint8_t group_threshold;
	uint8_t member_count[SLIP39_MAX_SHARE_COUNT];
	struct slip39_share shares[SLIP39_MAX_SHARE_COUNT][SLIP39_MAX_SHARE_COUNT];
};

/* Parameters of a split; passphrase may be NULL with len 0 (the empty one). */
struct slip39_split_params {
	uint8_t group_threshold;
	uint8_t group_count;
	struct slip39_group_spec groups[SLIP39_MAX_SHARE_COUNT];
	uint8_t iteration_exponent;
	int extendable;                     /* new shares: 1 by default */
	const uint8_t *passphrase;          /* secret, borrowed; printable ASCII */
	size_t passphrase_len;
};

/* Split secret (len bytes: even, 16..64) into a new share set in secmem.
 * Randomness comes from OpenSSL's RAND_priv_bytes. *out is owned by the
 * caller: slip39_share_set_free(). */
int slip39_split(const uint8_t *secret, size_t len, const struct slip39_split_params *p,
		 struct slip39_share_set **out) __attribute__((warn_unused_result));

void slip39_share_set_free(struct slip39_share_set *set);

/* Combine n decoded shares (any order; extra shares allowed) back into the
 * master secret. out must hold SLIP39_MAX_SECRET_BYTES; *out_len is set.
 * Errors name shares by their 1-based position in the array
 * ("share 3: ..."). */
int slip39_combine(const struct slip39_share *shares, size_t n,
		   const uint8_t *passphrase, size_t passphrase_len,
		   uint8_t *out, size_t *out_len) __attribute__((warn_unused_result));

/* As slip39_combine, but errors name shares[i] as "<unit> <numbers[i]>"
 * (e.g. "line 7: ...") instead of "share <i+1>". unit and numbers are
 * borrowed; numbers may be NULL (1-based positions). */
int slip39_combine_named(const struct slip39_share *shares, size_t n, const char *unit,
			 const size_t *numbers, const uint8_t *passphrase, size_t passphrase_len,
			 uint8_t *out, size_t *out_len) __attribute__((warn_unused_result));

/* Decode mnemonic text (words separated by ASCII whitespace, any case) into
 * *share. Checks words, checksum, padding, parameter ranges. */
int slip39_mnemonic_decode(const char *text, size_t text_len, struct slip39_share *share)
	__attribute__((warn_unused_result));

/* Encode share as mnemonic text (lowercase words, single spaces) into out
 * (capacity cap >= SLIP39_MNEMONIC_MAX_LEN is always enough). */
int slip39_mnemonic_encode(const struct slip39_share *share, char *out, size_t cap)
	__attribute__((warn_unused_result));

/* The words of a share as wordlist indices (for display and entry):
 * out must hold SLIP39_MAX_WORDS; returns the number of words or <0. */
int slip39_share_to_words(const struct slip39_share *share, uint16_t *out)
	__attribute__((warn_unused_result));

/* Decode from wordlist indices (n words). Same checks as mnemonic_decode. */
int slip39_words_decode(const uint16_t *words, size_t n, struct slip39_share *share)
	__attribute__((warn_unused_result));

/* The extendable bit carried by the first two words (public), so a checksum
 * can be checked while a share is being typed: 1, 0, or <0 if n < 2. */
int slip39_words_extendable(const uint16_t *words, size_t n);

#endif
