/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/transcript.h - the ceremony transcript writer
 * (format: docs/transcript-format.md, version 1).
 *
 * One event per line, JSON, hash-chained, fsync'ed before transcript_append()
 * returns, so a crash leaves a valid prefix. At the end the whole file is
 * signed as a detached CMS by the transcript key (an HSM key through
 * pkcs11-provider in production; this API only sees EVP_PKEY and X509).
 *
 * Secrecy: everything written is public. The caller never passes a PIN,
 * share, passphrase or key in persons, witnesses or details (share events
 * carry a salted commitment computed by the caller, never the share).
 *
 * Usage:
 *   transcript_open(path, &t);
 *   transcript_append(t, "ceremony.start", NULL, persons, NULL, details);
 *   ...
 *   transcript_append(t, "ceremony.end", NULL, persons, NULL, details);
 *   transcript_close(t);
 *   transcript_sign(t, key, cert);   (verifies before writing .p7s)
 *   transcript_free(t);
 *
 * The reader's side (event table, event check, times, the chain link, file
 * names) is ceremony/transcript/format.h, included here: the writer runs the
 * verifier's own check and link on every line it writes.
 */
#ifndef CE_CEREMONY_TRANSCRIPT_H
#define CE_CEREMONY_TRANSCRIPT_H

#include "ceremony/transcript/format.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TRANSCRIPT_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)

struct transcript;

/* Create a new transcript at path (O_CREAT|O_EXCL|O_NOFOLLOW|O_APPEND, mode
 * 0600; the directory is fsync'ed). *out is owned by the caller
 * (transcript_free). CE_ERR_EXISTS if path exists, CE_ERR_IO, CE_ERR_NOMEM. */
int transcript_open(const char *path, struct transcript **out) __attribute__((warn_unused_result));

/* Tests and benchmark generators only: sync = 0 skips the fsync after each
 * event (no user option reaches this). Default 1. */
void transcript_set_sync(struct transcript *t, int sync);

/* Tests only: read the time from now() instead of CLOCK_REALTIME (NULL
 * restores the real clock). */
void transcript_set_clock(struct transcript *t, int (*now)(struct timespec *ts));

/* Append one event. type must be a version-1 event type; step is a step id or
 * NULL; persons and witnesses are arrays of person objects or NULL (empty);
 * details an object or NULL (empty). All json arguments are borrowed. The
 * event is checked against the format (required details, person shape) before
 * anything is written, so the verifier never rejects what the writer wrote.
 * The time is the UTC clock, held at the previous event's time if the clock
 * went back (a clock.held event is written first). One write(2), then fsync.
 * Returns 0; CE_ERR_INVALID (event does not fit the format: detail says why),
 * CE_ERR_TOO_LARGE (line over TRANSCRIPT_LINE_MAX_BYTES), CE_ERR_IO (the
 * transcript is then unusable: further appends give CE_ERR_STATE),
 * CE_ERR_STATE (closed or broken), CE_ERR_NOMEM, CE_ERR_CRYPTO. */
int transcript_append(struct transcript *t, const char *type, const char *step, json_t *persons,
		      json_t *witnesses, json_t *details) __attribute__((warn_unused_result));

/* fsync and close the file; no more appends. Idempotent. CE_ERR_IO. */
int transcript_close(struct transcript *t) __attribute__((warn_unused_result));

/* Sign the closed transcript: detached CMS (SHA-256, signer cert included)
 * over the file's bytes, verified against cert before anything is written,
 * then written (PEM, no clobber) to <path>.p7s, and cert to the signer path
 * (transcript_signer_path). key and cert are borrowed; key is a software key.
 * CE_ERR_STATE if not closed, CE_ERR_CRYPTO (signing failed),
 * CE_ERR_VERIFY (the signature did not verify: nothing written),
 * CE_ERR_EXISTS, CE_ERR_IO. */
int transcript_sign(struct transcript *t, EVP_PKEY *key, X509 *cert)
	__attribute__((warn_unused_result));
/* hold_sign and sign_test take a software key (key, tk NULL) or a token
 * key (tk, pkcs11/x509/ossl.h; key NULL): signed through pkcs11-provider,
 * or through ceremony's PKCS#11 layer when the token lacks hash-and-sign
 * (p11_ossl_key_route; docs/pkcs11.md "Signing"); always verified in
 * software with cert before anything is used. */
struct p11_ossl_key;

/*
 * The end of a signed transcript, so that a transcript that is not signed
 * never claims it was (ceremony.end's transcript_key):
 *   transcript_hold(t);         later appends are held in memory (linked,
 *                               checked, not written)
 *   transcript_hold_sign(...);  CMS over the file's bytes and the held lines,
 *                               verified, into memory (nothing written)
 *   transcript_hold_release(t, 1) writes the held lines (signed) - or
 *   transcript_hold_release(t, 0) forgets them (seq, prev and time as before
 *                               the hold), to write a different end;
 *   transcript_close(t); transcript_sig_write(t, pem, len, cert).
 * hold: CE_ERR_STATE (closed, broken, already holding). hold_sign: as
 * transcript_sign's codes, CE_ERR_STATE when not holding. release:
 * CE_ERR_IO on writing. sig_write: .p7s and signer PEM, no clobber;
 * CE_ERR_STATE if not closed, CE_ERR_EXISTS, CE_ERR_IO.
 */
int transcript_hold(struct transcript *t) __attribute__((warn_unused_result));
int transcript_hold_sign(struct transcript *t, EVP_PKEY *key, const struct p11_ossl_key *tk,
			 X509 *cert, char **pem, size_t *pem_len) __attribute__((warn_unused_result));
int transcript_hold_release(struct transcript *t, int commit) __attribute__((warn_unused_result));
int transcript_sig_write(struct transcript *t, const char *pem, size_t pem_len, X509 *cert)
	__attribute__((warn_unused_result));

/* A detached CMS signature of a test message naming the ceremony, made
 * with key and cert exactly as the transcript will be signed (same flags,
 * same provider), read back and verified; nothing written. Before any
 * share is issued: a key that cannot sign the transcript is found while
 * the ceremony can still stop cleanly. CE_ERR_CRYPTO, CE_ERR_VERIFY,
 * CE_ERR_INVALID (cert not for key), CE_ERR_NOMEM. */
int transcript_sign_test(EVP_PKEY *key, const struct p11_ossl_key *tk, X509 *cert,
			 const char *ceremony_id)
	__attribute__((warn_unused_result));

/* Accepts NULL. Closes the file if still open (without error reporting). */
void transcript_free(struct transcript *t);

/* Path given to transcript_open (borrowed). */
const char *transcript_path(const struct transcript *t);
/* seq the next event will get (= number of events written). */
uint64_t transcript_next_seq(const struct transcript *t);

/* --- Helpers for the runner and the tests --- */

/* A person object {"id", "name"?, "roles": [...]}: new reference, NULL on
 * allocation failure. name may be NULL; roles is NULL-terminated or NULL. */
json_t *transcript_person(const char *id, const char *name, const char *const *roles);

/* A fresh random ceremony id: 32 lowercase hex digits and NUL into out. */
int transcript_ceremony_id(char out[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1])
	__attribute__((warn_unused_result));

/* Add to details (an object) what ceremony.start needs about this host:
 * tool_version, exe_sha256 (of /proc/self/exe), host, openssl_version and
 * clock (adjtimex(2): synchronised, maxerror_us, esterror_us, source;
 * policy 5.5). The caller adds ceremony_id, script/roster hashes, rehearsal,
 * module and token facts. CE_ERR_IO, CE_ERR_NOMEM. */
int transcript_host_details(json_t *details) __attribute__((warn_unused_result));

/* details for the transcript.key event: spki_sha256, fingerprint (words),
 * public_key_pem, ephemeral, key_type. *out is a new reference. */
int transcript_key_details(EVP_PKEY *key, int ephemeral, json_t **out)
	__attribute__((warn_unused_result));

/* A self-signed certificate for the transcript key, subject
 * "CN=ceremony transcript <ceremony_id>", valid from now to 9999-12-31 (an
 * auditor verifies it years later), keyUsage digitalSignature, CA:FALSE. The
 * self-signature is verified before it is returned (key is a software key;
 * transcript_signer_cert_create_tok for a token key).
 * *out owned by the caller (X509_free). CE_ERR_CRYPTO, CE_ERR_VERIFY. */
int transcript_signer_cert_create(EVP_PKEY *key, const char *ceremony_id, X509 **out)
	__attribute__((warn_unused_result));
/* The same for a token key: its public key read back from the token, signed
 * as p11_ossl_sign_obj does, verified with that public key. */
int transcript_signer_cert_create_tok(const struct p11_ossl_key *tk, const char *ceremony_id,
				      X509 **out)
	__attribute__((warn_unused_result));

#endif
