/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/preflight.h - the capability preflight: every requirement of
 * a script (key types and sizes, curves and their encoding, the mechanisms
 * to sign, wrap and unwrap, random numbers, login kinds, PIN lengths,
 * attributes, the transcript key and its signing path through OpenSSL),
 * derived from the script and held against what each token reports
 * (p11_token_caps: read-only calls, nothing written to any token).
 * `ceremony check` prints it; `ceremony run` refuses on any MISSING before
 * attendance and before the transcript is opened (docs/pkcs11.md,
 * "Preflight").
 */
#ifndef CE_CEREMONY_RUN_PREFLIGHT_H
#define CE_CEREMONY_RUN_PREFLIGHT_H

#include "ceremony/model/script.h"

#include <jansson.h>
#include <stdio.h>

struct p11_ctx;

enum pf_status {
	PF_OK,
	PF_MISSING, /* the token does not offer it: the ceremony cannot finish */
	PF_UNKNOWN, /* the token does not say before the step tries it */
};

struct pf_req {
	enum pf_status status;
	char step[64];    /* the step id, or "-" (the whole ceremony) */
	char action[32];  /* the step's action, or "transcript" / "token" */
	char token[64];   /* the script token name, or "" */
	char need[256];   /* what the script needs */
	char offers[1024]; /* what the token offers (or "unknown: ..."); room for a
			    * PKCS#11 error detail whole, with its remedy */
	char path[160];   /* how it will be done, when there is a choice, or "" */
};

struct preflight {
	struct pf_req *reqs;
	size_t n, cap;
	size_t missing, unknown;
};

/* Derive every requirement of s and hold it against the tokens of ctx.
 * 0 with *pf filled (read its missing count); CE_ERR_NOMEM, CE_ERR_PKCS11
 * (a token's info could not be read). Free with preflight_free. */
int preflight_run(struct p11_ctx *ctx, const struct script *s, struct preflight *pf)
	__attribute__((warn_unused_result));
void preflight_free(struct preflight *pf);
/* One line per requirement, "STATUS  step (action) token: need; token
 * offers: ...[; path]", then a summary line. External text escaped. */
void preflight_print(FILE *f, const struct preflight *pf);
/* The same as JSON: {"result", "missing", "unknown", "requirements": [...]};
 * new reference or NULL (no memory). */
json_t *preflight_json(const struct preflight *pf, const char *script, const char *module);

#endif
