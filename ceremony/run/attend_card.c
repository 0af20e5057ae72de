/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/attend_card.c - attendance by card (script attendance: card;
 * docs/transcript-format.md, attendance details.card): the person's card
 * signs a fresh challenge naming the ceremony, the sequence number of their
 * attendance event, their id and a 32-byte random nonce; the signature is
 * checked against the roster certificate (pkcs11/card.h) and kept for the
 * attendance event. Nothing here is secret (the PIN is card_present.c's).
 */
#include "ceremony/run/context.h"
#include "ceremony/transcript/jtext.h"

#include "common/err.h"
#include "common/hex.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The signature in base64 (no newlines); heap, NULL on failure. */
static char *b64(const uint8_t *in, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

static int card_json(struct run_ctx *rc, size_t k, const struct run_card *c, const char *chal,
		     const char *nonce_hex, const uint8_t *sig, size_t sig_len)
{
	char spki[65], *chal_hex = NULL, *sig_b64 = NULL;
	size_t cl = strlen(chal);
	const struct p11_token_info *ti = p11_token_info(c->tok);
	int r = CE_ERR_NOMEM;

	hex_encode(c->spki_sha256, 32, spki);
	chal_hex = malloc(2 * cl + 1);
	sig_b64 = b64(sig, sig_len);
	if (chal_hex == NULL || sig_b64 == NULL)
		goto out;
	hex_encode((const uint8_t *)chal, cl, chal_hex);
	/* the card's own strings: not always UTF-8 (jtext.h) */
	rc->att_card[k] = json_pack("{s:s, s:s, s:s, s:s, s:{s:o, s:o}}", "spki_sha256", spki,
				    "nonce", nonce_hex, "challenge", chal_hex, "signature", sig_b64,
				    "token", "label", jtext(ti->label), "serial",
				    jtext(ti->serial));
	if (rc->att_card[k] != NULL)
		r = 0;
out:
	free(chal_hex);
	free(sig_b64);
	return r;
}

/* The challenge, signed on the card and checked (one try of run_card_use). */
struct attend_op {
	size_t k;
	const char *chal, *nonce_hex;
};

static int attend_op(struct run_ctx *rc, const struct run_card *c, void *arg)
{
	const struct attend_op *a = arg;
	const struct roster_person *p = c->person;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	int r;

	r = p11_card_sign(c->key, X509_get0_pubkey(p->cert), (const uint8_t *)a->chal,
			  strlen(a->chal), &sig, &sig_len);
	if (r < 0)
		goto out;
	json_decref(rc->att_card[a->k]);
	rc->att_card[a->k] = NULL;
	r = card_json(rc, a->k, c, a->chal, a->nonce_hex, sig, sig_len);
out:
	free(sig);
	return r;
}

int attend_card_check(struct run_ctx *rc, size_t k, uint64_t seq)
{
	const struct roster_person *p = rc->seats.att[k].person;
	const struct run_card_how how = { "the attendance (signing its challenge)", NULL, NULL };
	struct attend_op a;
	uint8_t nonce[32];
	char nonce_hex[65], chal[ATTEND_CHALLENGE_MAX];
	int r;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return ce_err_set(CE_ERR_CRYPTO, "no random nonce for the attendance challenge");
	hex_encode(nonce, sizeof(nonce), nonce_hex);
	snprintf(chal, sizeof(chal), "ceremony attendance v1 %s %" PRIu64 " %s %s",
		 rc->ceremony_id, seq, p->id, nonce_hex);
	a.k = k;
	a.chal = chal;
	a.nonce_hex = nonce_hex;
	r = run_card_use(rc, p, &how, attend_op, &a);
	if (r < 0)
		return r;
	console_say(rc->con, "  %s (%s): card checked (challenge signed with the key of the roster "
			     "certificate).", p->name, p->id);
	return 0;
}
