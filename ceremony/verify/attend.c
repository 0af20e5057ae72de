/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/attend.c - the attendance by card (docs/transcript-format.md,
 * attendance details.card), checked with the roster: the challenge is the one
 * the event names (this ceremony's id, the event's own seq, its person, the
 * recorded nonce), the key is the person's roster certificate's, and the card's
 * signature over the challenge verifies with it. A script saying
 * attendance: card wants a card on every attendance event marked present.
 */
#include "ceremony/model/roster_cert.h"
#include "ceremony/verify/verify_internal.h"
#include "common/hex.h"
#include "common/err.h"

#include <inttypes.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTEND_SIG_MAX 1024

/* sig over msg (SHA-256) verifies with pub: 1, else 0. */
static int sig_ok(EVP_PKEY *pub, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sl)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	int ok = mc != NULL && EVP_DigestVerifyInit(mc, NULL, EVP_sha256(), NULL, pub) == 1 &&
		 EVP_DigestVerify(mc, sig, sl, msg, len) == 1;

	EVP_MD_CTX_free(mc);
	ERR_clear_error();
	return ok;
}

static int sig_decode(const char *b64, uint8_t *out, size_t *len)
{
	size_t n = strlen(b64);
	int k;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > ATTEND_SIG_MAX)
		return -1;
	k = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (k < 0)
		return -1;
	*len = (size_t)k;
	if (n >= 1 && b64[n - 1] == '=')
		(*len)--;
	if (n >= 2 && b64[n - 2] == '=')
		(*len)--;
	return 0;
}

int vsem_attend_card(const struct script *s, const struct roster *r, const char *ceremony_id,
		     uint64_t ln, const struct tj_doc *d, char *why, size_t cap, uint64_t *wl)
{
	int det = tj_get(d, 0, "details"), card = tj_get(d, det, "card");
	int p0 = tj_first(d, tj_get(d, 0, "persons"));
	const char *id = tj_str(d, tj_get(d, p0, "id"));
	const char *status = tj_str(d, tj_get(d, det, "status"));
	const char *spki, *nonce, *chal, *sig;
	const struct roster_person *rp = id != NULL ? roster_person_find(r, id) : NULL;
	char want[512], hex[2 * sizeof(want) + 1], mine[65];
	uint8_t sb[ATTEND_SIG_MAX + 3];
	size_t sl = 0;

	if (card < 0) {
		if (s->attendance == SCRIPT_ATTEND_CARD && status != NULL &&
		    strcmp(status, "present") == 0)
			return vsem_fail(why, cap, wl, ln, "attendance of %s: the script seats by card, and no card signed",
					 id != NULL ? id : "?");
		return 0;
	}
	spki = tj_str(d, tj_get(d, card, "spki_sha256"));
	nonce = tj_str(d, tj_get(d, card, "nonce"));
	chal = tj_str(d, tj_get(d, card, "challenge"));
	sig = tj_str(d, tj_get(d, card, "signature"));
	if (rp == NULL || spki == NULL || nonce == NULL || chal == NULL || sig == NULL ||
	    strlen(nonce) != 64)
		return vsem_fail(why, cap, wl, ln, "attendance of %s: details.card is incomplete",
				 id != NULL ? id : "?");
	if (rp->cert == NULL)
		return vsem_fail(why, cap, wl, ln, "attendance of %s (%s): signed by card, and the roster has no certificate file for them",
				 rp->name, rp->id);
	if (roster_spki_sha256(X509_get0_pubkey(rp->cert), (uint8_t *)sb) != 0)
		return vsem_fail(why, cap, wl, ln, "attendance of %s: the roster certificate's key cannot be read", rp->id);
	hex_encode(sb, 32, mine);
	if (strcmp(mine, spki) != 0)
		return vsem_fail(why, cap, wl, ln, "attendance of %s (%s): signed by card key %.64s, not the key of their roster certificate",
				 rp->name, rp->id, spki);
	snprintf(want, sizeof(want), "ceremony attendance v1 %s %" PRId64 " %s %s", ceremony_id,
		 tj_int(d, tj_get(d, 0, "seq")), rp->id, nonce);
	hex_encode((const uint8_t *)want, strlen(want), hex);
	if (strcmp(hex, chal) != 0)
		return vsem_fail(why, cap, wl, ln, "attendance of %s (%s): the challenge signed is not this event's (ceremony, seq, person, nonce)",
				 rp->name, rp->id);
	if (sig_decode(sig, sb, &sl) != 0 ||
	    !sig_ok(X509_get0_pubkey(rp->cert), (const uint8_t *)want, strlen(want), sb, sl)) {
		return vsem_fail(why, cap, wl, ln, "attendance of %s (%s): the card signature does not verify with their roster certificate",
				 rp->name, rp->id);
	}
	return 0;
}
