/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/roster_cert.h - a person's personal-token certificate in the
 * roster (docs/script-format.md section 6: certificate:, token:).
 *
 * roster_cert_parse() reads the person's certificate: and token: fields while
 * the roster loads (a PEM file relative to the roster's directory, or
 * "spki-sha256:" and 64 hex digits), reporting a file that cannot be read or
 * parsed at the field's FILE:LINE:COL. roster_cert_check() judges it on a
 * day: validity dates, key usage digitalSignature, key type and size (RSA of
 * at least 2048 bits, EC P-256 or P-384). roster_cert_match() tells whose
 * roster certificate a public key is. Nothing here is secret.
 */
#ifndef CE_CEREMONY_ROSTER_CERT_H
#define CE_CEREMONY_ROSTER_CERT_H

#include "ceremony/model/roster.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>

/* Parse pn's certificate: and token: into p (p->cert owned by the roster). */
void roster_cert_parse(const char *roster_path, const struct ynode *pn, struct roster_person *p,
		       struct diag *d);
/* Free what roster_cert_parse kept for p. */
void roster_cert_free(struct roster_person *p);
/* Judge every person's certificate on the day today, into d. */
void roster_cert_check(const struct roster *r, const struct roster_date *today, struct diag *d);
/* The SHA-256 of a key's DER SubjectPublicKeyInfo. 0 or CE_ERR_CRYPTO. */
int roster_spki_sha256(EVP_PKEY *key, uint8_t out[32]);
/* The person whose roster certificate (or SPKI hash) is the key whose SPKI
 * SHA-256 is spki, or NULL. */
const struct roster_person *roster_cert_match(const struct roster *r, const uint8_t spki[32]);

#endif
