/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/format.h - the transcript format as a reader sees it
 * (docs/transcript-format.md, version 1): limits, the version-1 event check,
 * UTC times, the hash chain's link, the SHA-256 of what a transcript records,
 * and the names of the files beside it. Shared by the writer
 * (ceremony/transcript/transcript.h) and the verifier; implemented in
 * format.c and chain.c with libc and libcrypto only, never PKCS#11.
 *
 * Everything here is public data; all pointers are borrowed.
 */
#ifndef CE_CEREMONY_TRANSCRIPT_FORMAT_H
#define CE_CEREMONY_TRANSCRIPT_FORMAT_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define TRANSCRIPT_VERSION 1
/* Longest line, without its newline (writer refuses, verifier fails). */
#define TRANSCRIPT_LINE_MAX_BYTES (1024 * 1024)
#define TRANSCRIPT_HASH_HEX_LEN 64
#define TRANSCRIPT_TIME_LEN 27 /* YYYY-MM-DDTHH:MM:SS.ffffffZ */
#define TRANSCRIPT_CEREMONY_ID_HEX_LEN 32
/* prev of the first line. */
#define TRANSCRIPT_GENESIS_PREV "0000000000000000000000000000000000000000000000000000000000000000"

/* --- The event check (format.c) --- */

/* 1 if type is a version-1 event type, else 0. */
int transcript_type_known(const char *type);

/* Check one parsed event (token 0 of d, see ceremony/transcript/tjson.h) against the
 * version-1 rules: type known, step required for step events, persons and
 * witnesses shape, required details and their JSON types. The writer runs it
 * on every line it writes, the verifier on every line it reads. Returns 0, or
 * CE_ERR_FORMAT with a reason (no line number) in why. */
struct tj_doc;
int transcript_event_check(const struct tj_doc *d, char *why, size_t cap)
	__attribute__((warn_unused_result));

/* 1 if key is a details key events of type may hold (section 4: required
 * or written when known), else 0 (also for an unknown type). verify
 * --script fails an event holding any other key. */
int transcript_details_key_known(const char *type, const char *key);

/* Format a UTC time as TRANSCRIPT_TIME_LEN characters + NUL. */
void transcript_time_format(int64_t sec, long usec, char out[TRANSCRIPT_TIME_LEN + 1]);

/* Parse a time written by transcript_time_format (strict RFC 3339 UTC: the
 * exact shape YYYY-MM-DDTHH:MM:SS.ffffffZ, six fraction digits, upper-case T
 * and Z, no offset, field ranges, no leap second :60). Returns 0 and seconds/microseconds since the epoch, or
 * CE_ERR_FORMAT. */
int transcript_time_parse(const char *s, int64_t *sec, long *usec)
	__attribute__((warn_unused_result));

/* Fresh malloc'ed paths: <path>.p7s, and the signer certificate path
 * (<stem>-signer.pem when path ends in .jsonl, else <path>-signer.pem).
 * Return NULL on allocation failure. */
char *transcript_sig_path(const char *path);
char *transcript_signer_path(const char *path);

/* --- The chain (chain.c) --- */

/* A SHA-256 context kept for a whole file (one fetch, not one per line). */
struct transcript_chain {
	EVP_MD_CTX *md;
	EVP_MD *sha256;
};

/* 0 or CE_ERR_NOMEM; on failure c needs no free. */
int transcript_chain_init(struct transcript_chain *c) __attribute__((warn_unused_result));
/* Accepts a zeroed or freed c. */
void transcript_chain_free(struct transcript_chain *c);

/* The link: the `prev` the line after this one must carry, lowercase hex
 * SHA-256 of line[0..len) (the line's exact bytes, without its newline).
 * The writer computes it for each line it writes, the verifier for each line
 * it accepts: one function, so the two can never disagree. 0 or
 * CE_ERR_CRYPTO. */
int transcript_chain_link(struct transcript_chain *c, const char *line, size_t len,
			  char out[TRANSCRIPT_HASH_HEX_LEN + 1]) __attribute__((warn_unused_result));

/* SHA-256 of a file (public data) and its size; size may be NULL. CE_ERR_IO
 * names the path. */
int transcript_file_sha256(const char *path, uint8_t out[32], uint64_t *size)
	__attribute__((warn_unused_result));

/* SHA-256 of the DER SubjectPublicKeyInfo of key (public part only). */
int transcript_spki_sha256(EVP_PKEY *key, uint8_t out[32]) __attribute__((warn_unused_result));

#endif
