/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/seal_lint.c - ceremony/policy/seal_lint.h.
 */
#include "ceremony/policy/seal_lint.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

int seal_lint_person(const struct roster_person *p, char *why, size_t cap)
{
	EVP_PKEY *pk;
	char curve[64] = "";
	int id, bits;

	if (p->cert == NULL) {
		snprintf(why, cap, "%s", p->certificate != NULL
						 ? "its certificate: is an SPKI hash, not a certificate "
						   "file (a share is sealed to a certificate)"
						 : "no certificate: in the roster");
		return 1;
	}
	if (p->token == NULL) {
		snprintf(why, cap, "no token: in the roster (the URI pattern of the card)");
		return 1;
	}
	pk = X509_get0_pubkey(p->cert);
	id = pk != NULL ? EVP_PKEY_get_base_id(pk) : 0;
	bits = pk != NULL ? EVP_PKEY_get_bits(pk) : 0;
	if (id == EVP_PKEY_RSA && bits >= 2048)
		return 0;
	if (id == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(pk, "group", curve, sizeof(curve), NULL) == 1 &&
	    (strcmp(curve, "prime256v1") == 0 || strcmp(curve, "secp384r1") == 0))
		return 0;
	snprintf(why, cap, "its certificate's key cannot open a sealed share (RSA of at least "
			   "2048 bits, or EC P-256 or P-384)");
	return 1;
}

void seal_lint(const struct script *s, const struct roster *r, struct diag *d)
{
	size_t i, k;
	char why[160];

	for (i = 0; i < s->nsecrets; i++) {
		const struct script_secret *sec = &s->secrets[i];

		if (sec->delivery == DELIVERY_WORDS)
			continue;
		for (k = 0; k < r->npeople; k++) {
			const struct roster_person *p = &r->people[k];

			if (!(p->roles & ROLE_BIT(ROLE_KEY_HOLDER)) ||
			    !seal_lint_person(p, why, sizeof(why)))
				continue;
			diag_error(d, &p->mark, "secret '%s' is delivered to cards (delivery: %s) but "
						"key holder '%s' (%s): %s",
				   sec->name, sec->delivery == DELIVERY_CARD ? "card" : "both", p->id,
				   p->name, why);
		}
	}
}
