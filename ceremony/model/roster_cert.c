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

/* The date (UTC) of an ASN1_TIME. 0 or -1. */
static int asn1_date(const ASN1_TIME *t, struct roster_date *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	out->y = tm.tm_year + 1900;
	out->m = tm.tm_mon + 1;
	out->d = tm.tm_mday;
	return 0;
}

static void check_dates(const struct roster_person *p, const struct roster_date *today,
			struct diag *d)
{
	struct roster_date nb, na;
	char b1[16], b2[16];
	long t = roster_date_days(today);

	if (asn1_date(X509_get0_notBefore(p->cert), &nb) != 0 ||
	    asn1_date(X509_get0_notAfter(p->cert), &na) != 0) {
		diag_error(d, &p->cert_mark, "certificate of person '%s': validity dates cannot be read",
			   p->id);
		return;
	}
	roster_date_format(&nb, b1, sizeof(b1));
	roster_date_format(&na, b2, sizeof(b2));
	if (t < roster_date_days(&nb))
		diag_error(d, &p->cert_mark, "certificate of person '%s' is not yet valid (from %s)",
			   p->id, b1);
	else if (t > roster_date_days(&na))
		diag_error(d, &p->cert_mark, "certificate of person '%s' expired on %s", p->id, b2);
	else if (t + 30 > roster_date_days(&na))
		diag_warn(d, &p->cert_mark, "certificate of person '%s' expires on %s", p->id, b2);
}

static void check_key(const struct roster_person *p, struct diag *d)
{
	EVP_PKEY *k = X509_get0_pubkey(p->cert);
	char grp[64];
	size_t gl = 0;
	uint32_t ku = X509_get_key_usage(p->cert);

	if (ku == UINT32_MAX)
		diag_warn(d, &p->cert_mark, "certificate of person '%s' has no key usage (digitalSignature expected)",
			  p->id);
	else if (!(ku & KU_DIGITAL_SIGNATURE))
		diag_error(d, &p->cert_mark, "certificate of person '%s': key usage lacks digitalSignature",
			   p->id);
	if (k == NULL) {
		diag_error(d, &p->cert_mark, "certificate of person '%s': no public key", p->id);
	} else if (EVP_PKEY_is_a(k, "RSA")) {
		if (EVP_PKEY_get_bits(k) < 2048)
			diag_error(d, &p->cert_mark, "certificate of person '%s': RSA key of %d bits (at least 2048)",
				   p->id, EVP_PKEY_get_bits(k));
	} else if (EVP_PKEY_is_a(k, "EC")) {
		if (EVP_PKEY_get_utf8_string_param(k, "group", grp, sizeof(grp), &gl) != 1 ||
		    (strcmp(grp, "prime256v1") != 0 && strcmp(grp, "P-256") != 0 &&
		     strcmp(grp, "secp384r1") != 0 && strcmp(grp, "P-384") != 0))
			diag_error(d, &p->cert_mark, "certificate of person '%s': EC key not on P-256 or P-384",
				   p->id);
	} else {
		diag_error(d, &p->cert_mark, "certificate of person '%s': key type %s (RSA or EC expected)",
			   p->id, EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "?");
	}
	ERR_clear_error();
}

void roster_cert_check(const struct roster *r, const struct roster_date *today, struct diag *d)
{
	size_t i;

	for (i = 0; i < r->npeople; i++) {
		const struct roster_person *p = &r->people[i];

		if (p->cert == NULL)
			continue;
		check_dates(p, today, d);
		check_key(p, d);
	}
}

const struct roster_person *roster_cert_match(const struct roster *r, const uint8_t spki[32])
{
	size_t i;

	for (i = 0; i < r->npeople; i++)
		if (r->people[i].has_spki && memcmp(r->people[i].spki_sha256, spki, 32) == 0)
			return &r->people[i];
	return NULL;
}
