/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_util.h - small helpers shared by the actions of
 * ceremony/actions/action_*.c (not a service of the runner: see ceremony/run/run.h).
 * Nothing here is secret.
 */
#ifndef CE_CEREMONY_ACTION_UTIL_H
#define CE_CEREMONY_ACTION_UTIL_H

#include "ceremony/run/run.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/x509/x509.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The base name of a path (borrowed from path): what `file` holds in events. */
const char *action_util_base(const char *path);

/* The step's `digest` parameter (sha256, sha384, sha512; absent: accepted)
 * against the digest the key signs with (pkcs11/x509/x509.h: SHA-256 for RSA and
 * P-256, SHA-384 for P-384, SHA-512 for P-521, none for Ed25519). 0, or
 * CE_ERR_UNSUPPORTED naming the step, the key and both digests. */
int action_util_digest_check(const struct script_step *st, const char *label,
			     const struct p11_ossl_key *k) __attribute__((warn_unused_result));

/* The CKA_ID of k as lowercase hex into out (cap >= 2 * P11_ID_MAX_BYTES + 1). */
void action_util_key_id_hex(const struct p11_key *k, char *out, size_t cap);

/* The SHA-256 of the file at path as 64 hex digits and a NUL. CE_ERR_IO. */
int action_util_file_sha256_hex(const char *path, char out[65])
	__attribute__((warn_unused_result));

/* run_event(rc, type, persons, NULL, details) where details is STOLEN (its
 * reference is released on every path; NULL, from a failed json_pack, is
 * CE_ERR_NOMEM) and persons borrowed (may be NULL). run_event's codes. */
int action_util_event(struct run_ctx *rc, const char *type, json_t *persons, json_t *details)
	__attribute__((warn_unused_result));

/* The time t (UTC) as YYYY-MM-DDTHH:MM:SSZ into out (cap >= 21). */
void action_util_time_str(time_t t, char *out, size_t cap);

/* ------------------------------------------------------------------ */
/* Signing steps: load the key, sign, write the PEM, hash it           */

/* Makes the object the key signs: called with the key loaded and the
 * step's digest checked. k and key are borrowed (valid during the call);
 * arg is the action's. Shows its own progress (run_progress_*). *obj: the
 * X509, X509_REQ or X509_CRL of the signing's kind, owned by the caller of
 * action_util_sign_pem. Returns 0 or CE_ERR_*. */
typedef int (*action_util_sign_fn)(struct run_ctx *rc, const struct p11_ossl_key *k,
				   const struct p11_key *key, void *arg, void **obj);

struct action_util_signing {
	const char *token, *label; /* the signing key: the step's `token`, `key` */
	const char *path;          /* the output, from run_output_path */
	enum x509_kind kind;       /* what sign makes and path receives */
	action_util_sign_fn sign;
	void *arg; /* passed to sign */
};

/* What action_util_sign_pem made. */
struct action_util_signed {
	void *obj; /* the signed object, owned by the caller: action_util_x509_free */
	char der_sha256[X509_FPR_HEX_BYTES]; /* SHA-256 of its DER */
	char file_sha256[65];                /* SHA-256 of the PEM file */
	struct x509_pem_file file;           /* the same, as written, and its size */
};

/* The steps of every signing action, in order: the key `label` loaded from
 * token (run_key_load), the step's `digest` checked against it
 * (action_util_digest_check), the object made (sg->sign), written as PEM to
 * sg->path (x509_pem_write: never clobbers, never half-written), the file
 * hashed. Returns 0 with *out filled; on error out->obj is NULL (freed) and
 * the codes are those of the steps named. The key is released before
 * return. */
int action_util_sign_pem(struct run_ctx *rc, const struct script_step *st,
			 const struct action_util_signing *sg, struct action_util_signed *out)
	__attribute__((warn_unused_result));

/* Free an X509, X509_REQ or X509_CRL by kind (NULL accepted). */
void action_util_x509_free(enum x509_kind kind, void *obj);

#endif
