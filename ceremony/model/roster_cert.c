/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/roster_cert.c - the certificate of a person's personal
 * token: parsed with the roster, judged on the ceremony's day
 * (ceremony/model/roster_cert.h).
 */
#include "ceremony/model/roster_cert.h"
#include "ceremony/model/yfield.h"
#include "common/err.h"
#include "common/hex.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPKI_PREFIX "spki-sha256:"
#define CERT_MAX_BYTES (64 * 1024)

int roster_spki_sha256(EVP_PKEY *key, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n, r = CE_ERR_CRYPTO;

	n = i2d_PUBKEY(key, &der);
	if (n > 0 && EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(), NULL) == 1)
		r = 0;
	OPENSSL_free(der);
	ERR_clear_error();
	return r;
}

/* dir of roster_path + "/" + rel, or rel when it is absolute. */
static char *cert_path(const char *roster_path, const char *rel)
{
	const char *slash = roster_path ? strrchr(roster_path, '/') : NULL;
	size_t dl = slash ? (size_t)(slash - roster_path) + 1 : 0;
	char *out;

	if (rel[0] == '/')
		dl = 0;
	out = malloc(dl + strlen(rel) + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, roster_path, dl);
	strcpy(out + dl, rel);
	return out;
}

static void cert_file_load(const char *roster_path, const struct ynode *v,
			   struct roster_person *p, struct diag *d)
{
	char *path = cert_path(roster_path, v->str);
	BIO *b = NULL;
	X509 *x = NULL;

	if (path == NULL) {
		diag_error(d, &v->mark, "certificate: out of memory");
		goto out;
	}
	b = BIO_new_file(path, "rb");
	if (b == NULL) {
		diag_error(d, &v->mark, "certificate '%s' of person '%s': cannot read %s", v->str,
			   p->id ? p->id : "?", path);
		goto out;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (x == NULL || BIO_tell(b) > CERT_MAX_BYTES) {
		diag_error(d, &v->mark, "certificate '%s' of person '%s': not a PEM certificate",
			   v->str, p->id ? p->id : "?");
		goto out;
	}
	if (roster_spki_sha256(X509_get0_pubkey(x), p->spki_sha256) != 0) {
		diag_error(d, &v->mark, "certificate '%s' of person '%s': its public key cannot be read",
			   v->str, p->id ? p->id : "?");
		goto out;
	}
	p->has_spki = 1;
	p->cert = x;
	x = NULL; /* kept */
out:
	ERR_clear_error();
	X509_free(x);
	BIO_free(b);
	free(path);
}

void roster_cert_parse(const char *roster_path, const struct ynode *pn, struct roster_person *p,
		       struct diag *d)
{
	const struct ynode *v = ynode_get(pn, "token");
	size_t n = 0;

	if (v != NULL && (p->token = yfield_scalar(d, v, "token")) != NULL &&
	    strncmp(p->token, "pkcs11:", 7) != 0)
		diag_error(d, &v->mark, "token of person '%s' must be a PKCS#11 URI (pkcs11:...), not '%s'",
			   p->id ? p->id : "?", p->token);
	v = ynode_get(pn, "certificate");
	if (v == NULL || (p->certificate = yfield_scalar(d, v, "certificate")) == NULL)
		return;
	p->cert_mark = v->mark;
	if (strncmp(v->str, SPKI_PREFIX, strlen(SPKI_PREFIX)) == 0) {
		const char *h = v->str + strlen(SPKI_PREFIX);

		if (strlen(h) != 64 || hex_decode(h, 64, p->spki_sha256, 32, &n) != 0 || n != 32)
			diag_error(d, &v->mark, "certificate of person '%s': spki-sha256: wants 64 hex digits",
				   p->id ? p->id : "?");
		else
			p->has_spki = 1;
		return;
	}
	if (v->str[0] == '\0') {
		diag_error(d, &v->mark, "certificate of person '%s' is empty", p->id ? p->id : "?");
		return;
	}
	cert_file_load(roster_path, v, p, d);
}

void roster_cert_free(struct roster_person *p)
{
	X509_free(p->cert);
	p->cert = NULL;
}

const struct roster_person *roster_cert_match(const struct roster *r, const uint8_t spki[32])
{
	size_t i;

	for (i = 0; i < r->npeople; i++)
		if (r->people[i].has_spki && memcmp(r->people[i].spki_sha256, spki, 32) == 0)
			return &r->people[i];
	return NULL;
}
