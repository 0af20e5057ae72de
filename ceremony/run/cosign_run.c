/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/cosign_run.c - co-signatures by card (script cosigners:;
 * docs/transcript-format.md section 3): after the transcript key's
 * signature is made and verified, each co-signer, in seating order,
 * presents their card and types its PIN, and one more SignerInfo signed on
 * the card (pkcs11/card.h, p11_card_cms_cosign) is added to the SignedData.
 * A co-signer whose card fails may try again or type skip (said on the
 * console; verify --require-cosigners then names them). Nothing irreversible
 * depends on this: the ceremony has ended, and the signature file is written
 * by the caller with every co-signature made. Nothing here is secret.
 */
#include "ceremony/run/context.h"

#include "common/err.h"

#include <stdlib.h>
#include <string.h>

struct cosign_op {
	const char *pem;
	size_t pem_len;
	char *out;
	size_t out_len;
};

static int cosign_op(struct run_ctx *rc, const struct run_card *c, void *arg)
{
	struct cosign_op *o = arg;

	return p11_card_cms_cosign(c->key, c->person->cert, o->pem, o->pem_len, &o->out,
				   &o->out_len);
}

/* One co-signer: *pem replaced on success. 1: skipped (typed skip, or the
 * card pulled out and not inserted again). */
static int cosign_one(struct run_ctx *rc, const struct roster_person *p, char **pem,
		      size_t *pem_len)
{
	const struct run_card_how how = { "the co-signature of the transcript", NULL, NULL };
	char key[CONSOLE_KEY_MAX], prompt[256], ans[16];
	struct cosign_op o = { *pem, *pem_len, NULL, 0 };
	int r;

	snprintf(key, sizeof(key), "cosign.%s", p->id);
	snprintf(prompt, sizeof(prompt), "%s (%s): insert your card to co-sign the transcript, "
					 "then type \"card\" (or \"skip\"):", p->name, p->id);
	for (;;) {
		r = console_ask(rc->con, key, prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		if (strcmp(ans, "skip") == 0) {
			console_say(rc->con, "  SKIPPED: %s (%s) does not co-sign the transcript.",
				    p->name, p->id);
			return 1;
		}
		if (strcmp(ans, "card") != 0) {
			console_say(rc->con, "  Type \"card\" or \"skip\".");
			continue;
		}
		r = run_card_use(rc, p, &how, cosign_op, &o);
		if (r == 0)
			break;
		if (r == CE_ERR_ABORTED)
			return r;
		if (r == RUN_CARD_GONE) {
			console_say(rc->con, "  SKIPPED: %s (%s) does not co-sign the transcript: %s",
				    p->name, p->id, ce_err_detail());
			ce_err_clear();
			return 1;
		}
		console_say(rc->con, "  REFUSED: the co-signature of %s (%s): %s", p->name, p->id,
			    ce_err_detail()[0] ? ce_err_detail() : ce_strerror(r));
		ce_err_clear();
	}
	free(*pem);
	*pem = o.out;
	*pem_len = o.out_len;
	console_say(rc->con, "  %s (%s) co-signed the transcript.", p->name, p->id);
	return 0;
}

/* Seat k is its person's first seat in which they co-sign. */
static int cosigner_at(const struct run_ctx *rc, size_t k)
{
	const struct run_seat *s = &rc->seats.att[k];
	size_t j;

	if (!script_cosigner_is(rc->s, s->person->id, s->role))
		return 0;
	for (j = 0; j < k; j++)
		if (rc->seats.att[j].person == s->person &&
		    script_cosigner_is(rc->s, s->person->id, rc->seats.att[j].role))
			return 0;
	return 1;
}

int cosign_run(struct run_ctx *rc, char **pem, size_t *pem_len)
{
	size_t k, done = 0, skipped = 0;
	int r;

	if (!script_cosigns(rc->s) || !rc->seated)
		return 0;
	console_say(rc->con, "Co-signatures: each co-signer signs the transcript with their card.");
	for (k = 0; k < rc->seats.natt; k++) {
		if (!cosigner_at(rc, k))
			continue;
		r = cosign_one(rc, rc->seats.att[k].person, pem, pem_len);
		if (r < 0)
			return r;
		if (r == 1)
			skipped++;
		else
			done++;
	}
	console_say(rc->con, "Co-signatures: %zu made, %zu skipped.", done, skipped);
	return 0;
}
