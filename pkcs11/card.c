/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/card.c - a person's personal token: wait for it, list its keys by
 * SPKI SHA-256, sign and verify (pkcs11/card.h). The CMS co-signature is in
 * pkcs11/card_cms.c.
 */
#include "pkcs11/card.h"
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void card_sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

int p11_card_wait(struct p11_ctx *ctx, const char *uri, unsigned timeout_ms,
		  struct p11_token **out)
{
	unsigned waited = 0;
	int r;

	for (;;) {
		r = p11_token_find(ctx, uri, out);
		if (r != CE_ERR_NOT_FOUND)
			return r;
		if (waited >= timeout_ms)
			break;
		ce_err_clear();
		card_sleep_ms(P11_CARD_POLL_MS);
		waited += P11_CARD_POLL_MS;
	}
	return ce_err_set(CE_ERR_NOT_FOUND, "no card matching '%s' after %u s", uri,
			  timeout_ms / 1000);
}

/* 1 when spki is listed in out[0..n) already. */
static int card_key_listed(const struct p11_card_key *out, size_t n, const uint8_t spki[32])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(out[i].spki_sha256, spki, 32) == 0)
			return 1;
	return 0;
}

/* The certificates on the card (public objects, as PIV cards and NSS
 * softokn keep them, where a public-key object may be missing): their key's
 * SPKI SHA-256 and CKA_ID, appended to out. */
static void card_cert_keys(struct p11_session *s, struct p11_card_key *out, size_t cap,
			   size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE t[1] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE found[16];
	CK_ULONG nf = 0, i;

	if (p11_find_objects(s, t, 1, found, 16, &nf) < 0) {
		ce_err_clear();
		return;
	}
	for (i = 0; i < nf && *n < cap; i++) {
		uint8_t *val = NULL, *id = NULL, *der = NULL, h[32];
		size_t vl = 0, il = 0;
		const unsigned char *p;
		X509 *x = NULL;
		int dl;

		if (p11_attr_get(s, found[i], CKA_VALUE, &val, &vl) == 0 &&
		    p11_attr_get(s, found[i], CKA_ID, &id, &il) == 0 && il > 0 &&
		    il <= P11_ID_MAX_BYTES && (p = val, x = d2i_X509(NULL, &p, (long)vl)) != NULL &&
		    (dl = i2d_PUBKEY(X509_get0_pubkey(x), &der)) > 0) {
			SHA256(der, (size_t)dl, h);
			if (!card_key_listed(out, *n, h)) {
				memcpy(out[*n].spki_sha256, h, 32);
				memcpy(out[*n].id, id, il);
				out[*n].id_len = il;
				(*n)++;
			}
		}
		ce_err_clear();
		ERR_clear_error();
		OPENSSL_free(der);
		X509_free(x);
		free(val);
		free(id);
	}
}

int p11_card_keys(struct p11_session *s, struct p11_card_key *out, size_t cap, size_t *n)
{
	struct p11_object *objs = NULL;
	struct p11_key *k = NULL;
	size_t no = 0, i;
	int r;

	*n = 0;
	r = p11_session_objects(s, "pkcs11:type=public", &objs, &no);
	if (r < 0)
		return r;
	for (i = 0; i < no && *n < cap; i++) {
		if (strcmp(objs[i].cls, "public-key") != 0 || objs[i].id_len == 0 ||
		    objs[i].id_len > P11_ID_MAX_BYTES)
			continue;
		if (p11_key_find(s, objs[i].uri, &k) < 0 ||
		    p11_key_public_fingerprint(k, out[*n].spki_sha256) < 0) {
			ce_err_clear(); /* a key type we do not read: not a roster key */
			p11_key_free(k);
			k = NULL;
			continue;
		}
		p11_key_free(k);
		k = NULL;
		if (card_key_listed(out, *n, out[*n].spki_sha256))
			continue;
		memcpy(out[*n].id, objs[i].id, objs[i].id_len);
		out[*n].id_len = objs[i].id_len;
		(*n)++;
	}
	p11_objects_free(objs, no);
	card_cert_keys(s, out, cap, n);
	return 0;
}

int p11_card_key_open(struct p11_session *s, const struct p11_card_key *ck, struct p11_key **out)
{
	char uri[64 + 3 * P11_ID_MAX_BYTES];
	size_t i, used;

	used = (size_t)snprintf(uri, sizeof(uri), "pkcs11:type=private;id=");
	for (i = 0; i < ck->id_len; i++)
		used += (size_t)snprintf(uri + used, sizeof(uri) - used, "%%%02x", ck->id[i]);
	return p11_key_find(s, uri, out);
}

int p11_card_verify(EVP_PKEY *pub, const uint8_t *msg, size_t len, const uint8_t *sig,
		    size_t sig_len)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	int ok;

	ok = mc != NULL && EVP_DigestVerifyInit(mc, NULL, EVP_sha256(), NULL, pub) == 1 &&
	     EVP_DigestVerify(mc, sig, sig_len, msg, len) == 1;
	EVP_MD_CTX_free(mc);
	ERR_clear_error();
	if (!ok)
		return ce_err_set(CE_ERR_VERIFY, "the card's signature does not verify with the "
						 "roster certificate's key");
	return 0;
}

int p11_card_sign(const struct p11_key *k, EVP_PKEY *expect, const uint8_t *msg, size_t len,
		  uint8_t **sig, size_t *sig_len)
{
	int r;

	*sig = NULL;
	r = p11_key_sign(k, P11_HASH_SHA256, msg, len, sig, sig_len);
	if (r < 0)
		return r;
	r = p11_card_verify(expect, msg, len, *sig, *sig_len);
	if (r < 0) {
		free(*sig);
		*sig = NULL;
	}
	return r;
}
