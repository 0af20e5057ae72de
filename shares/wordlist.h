/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shares/wordlist.h - the SLIP-39 wordlist: 1024 words, 4 to 8 letters, each
 * uniquely identified by its first 4 letters.
 *
 * Words of a share are secret: slip39_word_index() scans the whole list with
 * constant-time compares, so its time does not depend on which word was typed.
 * slip39_word_suggest() is for words that are NOT in the list (typos shown back
 * to the person who typed them) and is not constant time.
 */
#ifndef CE_SHARES_WORDLIST_H
#define CE_SHARES_WORDLIST_H

#include <stddef.h>
#include <stdint.h>

#define SLIP39_WORDS 1024
#define SLIP39_WORD_MAX_LEN 8
#define SLIP39_WORD_PREFIX_LEN 4

extern const char *const slip39_wordlist[SLIP39_WORDS];

/* Index of word w (len bytes, lowercase or uppercase) in the list; the full
 * word or its unique 4-letter prefix is accepted (a 5..8 letter input must be
 * the whole word). Returns the index 0..1023, or -1 if not a word. */
int slip39_word_index(const char *w, size_t len) __attribute__((warn_unused_result));

/* Copy word idx (secret) of the list into w, zero-padded to 8 bytes, reading
 * the whole list so that neither timing nor memory access depends on idx;
 * returns the word's length, public as the length of a typed word is. */
size_t slip39_word_copy_ct(uint16_t idx, char w[SLIP39_WORD_MAX_LEN]);

/* 1 if some word of the list begins with w[0..len) (letters, either case),
 * else 0; scans the whole list the same way whatever was typed (len, the
 * count of keys, is public). An empty w is a prefix of every word. */
int slip39_word_prefix_exists(const char *w, size_t len) __attribute__((warn_unused_result));

/* Up to max nearest words (by edit distance, then alphabetical) to a word that
 * is not in the list; writes their indices to out, returns how many. */
size_t slip39_word_suggest(const char *w, size_t len, uint16_t *out, size_t max);

#endif
