/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/roster_cert_check.c - a roster certificate judged on the
 * ceremony's day: validity, key usage, key type and size
 * (ceremony/model/roster_cert.h). Apart from roster_cert.c, which roster.c
 * calls, so that calls go one way.
 */
#include "ceremony/model/roster_cert.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
