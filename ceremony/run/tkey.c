/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/tkey.c - the transcript key: made on the token of the first
 * user login (or, when no step logs in to a token as user, an ephemeral
 * software key), its fingerprint words confirmed by witnesses, made ready to
 * sign before ceremony.end says what becomes of it, used once to sign the
 * closed transcript, destroyed in every case.
 */
#include "ceremony/run/context.h"

#include "common/err.h"
#include "common/hex.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/ossl.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Show the transcript key's words; each witness of the current step writes
 * them on the paper log and confirms. */
int tkey_words_confirm(struct run_ctx *rc)
{
	char key[CONSOLE_KEY_MAX], prompt[256];
	size_t i;
	int r;

	run_say(rc, "%s", "");
	run_say(rc, "Transcript key fingerprint (write it on the paper log):");
	run_say(rc, "    %s", rc->tkey_words);
	run_say(rc, "%s", "");
	for (i = 0; i < rc->seats.nwits; i++) {
		const struct roster_person *w = rc->seats.wits[i].person;

		snprintf(key, sizeof(key), "transcript-key.%s", w->id);
		snprintf(prompt, sizeof(prompt),
			 "%s, write the transcript key's words on the paper log, then type \"confirm\":",
			 w->name);
		r = run_confirm(rc, key, prompt, "confirm");
		if (r < 0)
			return r;
	}
	return 0;
}

/* Nothing irreversible before the tool knows it can finish: right after the
 * key is announced, it is made ready to sign (loaded through OpenSSL, the
 * signer certificate made and verified) and signs a test message through
 * the very path that will sign the transcript (OpenSSL CMS, through
 * pkcs11-provider for a token key), verified; before any share is shown. */
static int tkey_sign_test(struct run_ctx *rc)
{
	const char *path = rc->tkey_soft != NULL ? "OpenSSL CMS with the software key"
			   : rc->tkey_k.direct ? "CMS over the token's own signature (PKCS#11)"
					       : "OpenSSL CMS through pkcs11-provider";
	int r = CE_ERR_INTERNAL;

	r = tkey_sign_ready(rc);
	if (r == 0)
		r = transcript_sign_test(rc->tkey_soft, rc->tkey_soft != NULL ? NULL : &rc->tkey_k,
					 rc->tkey_cert, rc->ceremony_id);
	if (r < 0) {
		rc->tkey_ready = 0; /* it will not sign: ceremony.end says so */
		r = ce_err_prefix(r, "the transcript key cannot sign the transcript (%s): stopping "
				     "before the shares are issued",
				  path);
		goto out;
	}
	run_say(rc, "The transcript key signed a test message (%s), verified.", path);
	r = 0;
out:
	return r;
}

/* A ceremony that never logs in to a token as user (none at all, or only
 * as SO: an SO session cannot make private objects on most tokens) signs
 * its transcript with an EPHEMERAL SOFTWARE key: EC P-256 made by OpenSSL right after
 * ceremony.start, its private part in OpenSSL's secure heap (mlock'ed, wiped
 * on free) when the heap can be set up, never written anywhere, freed right
 * after signing. Announced by transcript.key (key_store "software"); the
 * attendance step's witnesses confirm its words (tkey_confirm_due). */
int tkey_soft_make(struct run_ctx *rc)
{
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL, h = 0;

	if (!CRYPTO_secure_malloc_initialized())
		h = CRYPTO_secure_malloc_init(32768, 16);
	rc->tkey_soft = EVP_EC_gen("P-256");
	if (rc->tkey_soft == NULL) {
		r = ce_err_set(CE_ERR_CRYPTO, "generating the software transcript key (EC P-256)");
		goto out;
	}
	/* locked only if the heap was set up with mlock and the key lives in it */
	rc->tkey_soft_locked = h == 1 && CRYPTO_secure_used() > 0;
	rc->tkey = 1;
	r = transcript_key_details(rc->tkey_soft, 1, &d);
	if (r < 0)
		goto out;
	if (json_object_set_new(d, "key_store", json_string("software")) != 0 ||
	    json_object_set_new(d, "locked_memory", json_boolean(rc->tkey_soft_locked)) != 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "transcript.key", NULL, NULL, d);
	if (r < 0)
		goto out;
	rc->tkey_announced = 1;
	snprintf(rc->tkey_words, sizeof(rc->tkey_words), "%s",
		 json_string_value(json_object_get(d, "fingerprint")));
	r = tkey_sign_test(rc);
	if (r < 0)
		goto out;
	run_say(rc, "This ceremony logs in to no token as user: its transcript is signed by an "
		    "ephemeral software key (EC P-256, %s memory, never written, destroyed after "
		    "signing).",
		rc->tkey_soft_locked ? "locked" : "process");
	run_say(rc, "Its words are confirmed by the witnesses of the attendance step.");
	rc->tkey_confirm_due = 1;
	r = 0;
out:
	json_decref(d);
	return r;
}

/* The transcript.key event of a token key: its details, where it is, and the
 * step's witnesses. */
static int token_key_announce(struct run_ctx *rc, struct run_token_state *ts,
			      const struct p11_key *k)
{
	EVP_PKEY *pub = NULL;
	json_t *d = NULL, *wits = NULL;
	char *uri = NULL;
	int r = CE_ERR_INTERNAL;

	r = p11_key_public_evp(k, &pub);
	if (r < 0)
		goto out;
	r = transcript_key_details(pub, 1, &d);
	if (r < 0)
		goto out;
	r = tokens_key_uri(rc, ts->spec->name, rc->tkey_label, NULL, &uri);
	if (r < 0)
		goto out;
	if (json_object_set_new(d, "uri", json_string(uri)) != 0 ||
	    json_object_set_new(d, "key_store", json_string("token")) != 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	wits = run_witnesses_json(rc);
	if (wits == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "transcript.key", NULL, wits, d);
	if (r < 0)
		goto out;
	snprintf(rc->tkey_words, sizeof(rc->tkey_words), "%s",
		 json_string_value(json_object_get(d, "fingerprint")));
	r = 0;
out:
	free(uri);
	EVP_PKEY_free(pub);
	json_decref(d);
	json_decref(wits);
	return r;
}

int tkey_token_make(struct run_ctx *rc, size_t ti)
{
	struct run_token_state *ts = &rc->toks[ti];
	struct p11_keygen kg;
	struct p11_key *k = NULL;
	uint8_t id[8];
	size_t idl = 0;
	int r = CE_ERR_INTERNAL;

	memset(&kg, 0, sizeof(kg));
	kg.type = P11_KEY_EC_P256;
	if (p11_token_supports(ts->tok, kg.type) < 0) {
		ce_err_clear();
		kg.type = P11_KEY_RSA_2048;
	}
	snprintf(rc->tkey_label, sizeof(rc->tkey_label), "ceremony-transcript-%.8s",
		 rc->ceremony_id);
	r = hex_decode(rc->ceremony_id, 16, id, sizeof(id), &idl);
	if (r < 0)
		goto out;
	kg.label = rc->tkey_label;
	kg.id = id;
	kg.id_len = idl;
	kg.extractable = 0;
	run_progress_begin(rc, "generating the transcript key (%s) on '%s'",
			   p11_key_type_name(kg.type), ts->spec->name);
	r = p11_key_generate(ts->sess, &kg, &k);
	run_progress_end(rc, r);
	if (r < 0)
		goto out;
	rc->tkey = 1;
	rc->tkey_tok = ti;
	r = token_key_announce(rc, ts, k);
	if (r < 0)
		goto out;
	rc->tkey_announced = 1;
	r = tkey_sign_test(rc);
	if (r < 0)
		goto out;
	r = tkey_words_confirm(rc);
out:
	p11_key_free(k);
	return r;
}

/* Destroy the token transcript key (private, then public object). */
static void token_key_destroy(struct run_ctx *rc, struct run_token_state *ts)
{
	char *uri = NULL;
	int e;

	if (ts->sess == NULL || !ts->logged_in) {
		console_say(rc->con, "WARNING: the transcript key '%s' could not be destroyed: "
				     "token '%s' is no longer logged in",
			    rc->tkey_label, ts->spec->name);
		return;
	}
	if (tokens_key_uri(rc, ts->spec->name, rc->tkey_label, "private", &uri) != 0)
		return;
	e = p11_object_destroy(ts->sess, uri);
	free(uri);
	uri = NULL;
	if (e == 0 && tokens_key_uri(rc, ts->spec->name, rc->tkey_label, "public", &uri) == 0) {
		e = p11_object_destroy(ts->sess, uri);
		free(uri);
	}
	if (e == 0)
		console_say(rc->con, "Transcript key destroyed on '%s'.", ts->spec->name);
	else
		console_say(rc->con, "WARNING: the transcript key '%s' could not be destroyed: %s",
			    rc->tkey_label, ce_err_detail());
}

int tkey_sign_ready(struct run_ctx *rc)
{
	EVP_PKEY *key = NULL;
	int r = CE_ERR_INTERNAL;

	if (rc->tkey_ready) {
		r = 0;
		goto out;
	}
	if (rc->tkey_tried) {
		r = ce_err_set(CE_ERR_STATE, "the transcript key could not be made ready to sign");
		goto out;
	}
	rc->tkey_tried = 1;
	if (!rc->tkey) {
		r = ce_err_set(CE_ERR_STATE, "no transcript key was made (no user login on a token, "
					     "and no software key)");
		goto out;
	}
	if (!rc->tkey_announced) {
		/* a key no transcript.key event names would sign for nobody */
		r = ce_err_set(CE_ERR_STATE, "the transcript key was made but never announced "
					     "(no transcript.key event): it may not sign");
		goto out;
	}
	if (rc->tkey_soft != NULL) {
		key = rc->tkey_soft;
	} else {
		r = run_key_load(rc, rc->toks[rc->tkey_tok].spec->name, rc->tkey_label, &rc->tkey_k,
				 &rc->tkey_pk);
		if (r < 0)
			goto out;
	}
	/* The signer certificate is the key's first signature, made through the
	 * same path as the transcript's (docs/pkcs11.md "Signing") and verified
	 * with the public key read back: a key that cannot sign is found here,
	 * before ceremony.end is written. */
	if (key != NULL)
		r = transcript_signer_cert_create(key, rc->ceremony_id, &rc->tkey_cert);
	else
		r = transcript_signer_cert_create_tok(&rc->tkey_k, rc->ceremony_id, &rc->tkey_cert);
	if (r < 0)
		goto out;
	rc->tkey_ready = 1;
	r = 0;
out:
	return r;
}

const char *tkey_end_claim(const struct run_ctx *rc)
{
	if (rc->tkey_ready)
		return "destroyed-after-signing";
	return rc->tkey ? "destroyed-unsigned" : "none";
}

int tkey_sign_held(struct run_ctx *rc, char **pem, size_t *pem_len)
{
	*pem = NULL;
	if (!rc->tkey_ready)
		return ce_err_set(CE_ERR_STATE, "the transcript key is not ready to sign");
	return transcript_hold_sign(rc->t, rc->tkey_soft, rc->tkey_soft != NULL ? NULL : &rc->tkey_k,
				    rc->tkey_cert, pem, pem_len);
}

int tkey_sig_write(struct run_ctx *rc, const char *pem, size_t pem_len)
{
	char *sig = NULL;
	int r = CE_ERR_INTERNAL;

	r = transcript_sig_write(rc->t, pem, pem_len, rc->tkey_cert);
	if (r < 0)
		goto out;
	sig = transcript_sig_path(transcript_path(rc->t));
	console_say(rc->con, "Transcript signed: %s", sig != NULL ? sig : "");
	r = 0;
out:
	free(sig);
	/* Destroyed in every case: no later transcript can be signed with it. */
	tkey_destroy(rc);
	return r;
}

void tkey_destroy(struct run_ctx *rc)
{
	X509_free(rc->tkey_cert);
	rc->tkey_cert = NULL;
	p11_ossl_key_free(&rc->tkey_k);
	p11_key_free(rc->tkey_pk);
	rc->tkey_pk = NULL;
	rc->tkey_ready = 0;
	if (!rc->tkey || rc->tkey_destroyed)
		return;
	rc->tkey_destroyed = 1;
	if (rc->tkey_soft != NULL) {
		/* the private key is wiped as it is freed */
		EVP_PKEY_free(rc->tkey_soft);
		rc->tkey_soft = NULL;
		console_say(rc->con, "Transcript key (software) destroyed.");
	} else {
		token_key_destroy(rc, &rc->toks[rc->tkey_tok]);
	}
}
