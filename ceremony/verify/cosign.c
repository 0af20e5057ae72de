/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/cosign.c - the co-signatures of a transcript: one more
 * SignerInfo per participant in the transcript's detached CMS SignedData,
 * made with the key on their personal token (docs/transcript-format.md
 * section 3). Each is checked over the same digest as the transcript key's;
 * with the roster, each co-signer is named by the certificate the roster
 * holds for them, and --require-cosigners FAILS a transcript missing one.
 */
#include "ceremony/model/roster_cert.h"
#include "ceremony/transcript/jtext.h"
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"
#include "common/esc.h"
#include "common/hex.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

/* The co-signer si signs digest (content type id-data, message digest the
 * transcript's SHA-256, signature over the signed attributes). 0 or 1. */
static int cosign_digest_check(CMS_SignerInfo *si, const uint8_t digest[32], size_t n,
			       const char *sig_path, struct verify_report *rep)
{
	ASN1_OCTET_STRING *md;
	ASN1_OBJECT *ct;

	if (CMS_signed_get_attr_count(si) <= 0)
		return verify_report_fail(rep, 0, "%s: co-signature %zu has no signed attributes",
					  sig_path, n);
	ct = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
	md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					 V_ASN1_OCTET_STRING);
	if (ct == NULL || OBJ_obj2nid(ct) != NID_pkcs7_data || md == NULL ||
	    ASN1_STRING_length(md) != 32 || memcmp(ASN1_STRING_get0_data(md), digest, 32) != 0)
		return verify_report_fail(rep, 0, "co-signature %zu does not match the transcript (%s: its message digest is not the SHA-256 of the bytes verified)",
					  n, sig_path);
	ERR_clear_error();
	if (CMS_SignerInfo_verify(si) != 1) {
		int k = verify_ossl_silent(sig_path);

		return k < 0 ? k : verify_report_fail(rep, 0, "co-signature %zu does not verify (%s)", n, sig_path);
	}
	return 0;
}

int verify_cosign_collect(struct CMS_ContentInfo_st *cms, const uint8_t digest[32],
			  const char *sig_path, struct verify_report *rep)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	int i, n = sk_CMS_SignerInfo_num(sis);
	uint8_t h[32];
	size_t j;

	if (n - 1 > VERIFY_COSIGN_MAX)
		return verify_report_fail(rep, 0, "%s: %d co-signatures (at most %d)", sig_path, n - 1,
					  VERIFY_COSIGN_MAX);
	for (i = 1; i < n; i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
		struct verify_cosigner *c = &rep->cosigners[rep->n_cosigners];
		X509 *x = NULL;

		CMS_SignerInfo_get0_algs(si, NULL, &x, NULL, NULL);
		if (x == NULL)
			return verify_report_fail(rep, 0, "%s: co-signature %d carries no certificate",
						  sig_path, i);
		if (cosign_digest_check(si, digest, (size_t)i, sig_path, rep) != 0)
			return 1;
		if (roster_spki_sha256(X509_get0_pubkey(x), h) != 0)
			return verify_report_fail(rep, 0, "%s: co-signer %d's public key cannot be read",
						  sig_path, i);
		memset(c, 0, sizeof(*c));
		hex_encode(h, 32, c->spki_sha256);
		X509_NAME_oneline(X509_get_subject_name(x), c->subject, sizeof(c->subject));
		if (strcmp(c->spki_sha256, rep->key_spki_sha256) == 0)
			return verify_report_fail(rep, 0, "%s: the transcript key signs twice", sig_path);
		for (j = 0; j < rep->n_cosigners; j++)
			if (strcmp(rep->cosigners[j].spki_sha256, c->spki_sha256) == 0)
				return verify_report_fail(rep, 0, "%s: the key %s co-signs twice",
							  sig_path, c->spki_sha256);
		rep->n_cosigners++;
	}
	ERR_clear_error();
	return 0;
}

/* The roles p was seated in, comma-separated, into buf. */
static void seated_roles(const struct vsem *vs, const struct roster_person *p, char *buf,
			 size_t cap)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < vsem_nseats(vs); i++) {
		const struct policy_seat *s = vsem_seat(vs, i);
		int w;

		if (s->person != p)
			continue;
		w = snprintf(buf + off, cap - off, "%s%s", off ? "," : "", role_name(s->role));
		if (w < 0 || (size_t)w >= cap - off)
			return;
		off += (size_t)w;
	}
}

/* Whether the seat s is one --require-cosigners names. */
static int seat_required(const struct policy_seat *s, const struct verify_opts *opts)
{
	size_t i;

	for (i = 0; i < opts->n_require_cosigners; i++)
		if (strcmp(opts->require_cosigners[i], "all") == 0 ||
		    strcmp(opts->require_cosigners[i], role_name(s->role)) == 0)
			return 1;
	return 0;
}

static int cosigned(const struct verify_report *rep, const struct roster_person *p)
{
	size_t i;

	for (i = 0; i < rep->n_cosigners; i++)
		if (strcmp(rep->cosigners[i].person_id, p->id) == 0)
			return 1;
	return 0;
}

/* Who of the required is missing, "name (id, role)" joined, into buf. */
static size_t missing_list(const struct vsem *vs, const struct verify_opts *opts,
			   const struct verify_report *rep, char *buf, size_t cap)
{
	size_t i, j, n = 0, off = 0;

	buf[0] = '\0';
	for (i = 0; i < vsem_nseats(vs); i++) {
		const struct policy_seat *s = vsem_seat(vs, i);
		int w, seen = 0;

		if (s->person == NULL || !seat_required(s, opts) || cosigned(rep, s->person))
			continue;
		for (j = 0; j < i; j++)
			if (vsem_seat(vs, j)->person == s->person && seat_required(vsem_seat(vs, j), opts))
				seen = 1;
		if (seen)
			continue;
		n++;
		w = snprintf(buf + off, cap - off, "%s%s (%s, %s%s)", off ? "; " : "", s->person->name,
			     s->person->id, role_name(s->role),
			     s->person->has_spki ? "" : ", no certificate in the roster");
		if (w < 0 || (size_t)w >= cap - off)
			break;
		off += (size_t)w;
	}
	return n;
}

int verify_cosign_judge(const struct vsem *vs, const struct verify_opts *opts,
			struct verify_report *rep)
{
	const struct roster *r;
	char miss[VERIFY_REASON_LEN - 64];
	size_t i, n;

	if (vs == NULL || rep->verdict == VERIFY_FAILED)
		return 0;
	r = vsem_roster(vs);
	rep->cosigners_checked = 1;
	for (i = 0; i < rep->n_cosigners; i++) {
		struct verify_cosigner *c = &rep->cosigners[i];
		const struct roster_person *p;
		uint8_t h[32];
		size_t hn = 0;

		if (hex_decode(c->spki_sha256, 64, h, 32, &hn) != 0 || hn != 32)
			return verify_report_fail(rep, 0, "co-signer %zu: bad SPKI", i + 1);
		p = roster_cert_match(r, h);
		if (p == NULL)
			return verify_report_fail(rep, 0, "co-signer %s (key %s) is not a roster person's certificate",
						  c->subject, c->spki_sha256);
		snprintf(c->person_id, sizeof(c->person_id), "%s", p->id);
		snprintf(c->name, sizeof(c->name), "%s", p->name);
		seated_roles(vs, p, c->roles, sizeof(c->roles));
	}
	if (opts->n_require_cosigners == 0)
		return 0;
	n = missing_list(vs, opts, rep, miss, sizeof(miss));
	if (n > 0)
		return verify_report_fail(rep, 0, "missing co-signature%s (--require-cosigners): %s",
					  n == 1 ? "" : "s", miss);
	return 0;
}

void verify_cosign_print(FILE *f, const struct verify_report *rep)
{
	size_t i;

	if (rep->n_cosigners == 0) {
		fprintf(f, "  co-signed:   by nobody (the transcript key alone)\n");
		return;
	}
	for (i = 0; i < rep->n_cosigners; i++) {
		const struct verify_cosigner *c = &rep->cosigners[i];

		if (rep->cosigners_checked)
			esc_fprintf(f, "  co-signed:   %s (%s, %s) card key %s\n", c->name, c->person_id,
				    c->roles[0] ? c->roles : "not seated", c->spki_sha256);
		else
			esc_fprintf(f, "  co-signed:   %s card key %s (not checked against a roster: --script)\n",
				    c->subject, c->spki_sha256);
	}
}

json_t *verify_cosign_json(const struct verify_report *rep)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < rep->n_cosigners; i++) {
		const struct verify_cosigner *c = &rep->cosigners[i];

		o = json_pack("{s:o, s:o}", "spki_sha256", jtext(c->spki_sha256), "subject",
			      jtext(c->subject));
		if (o != NULL && rep->cosigners_checked &&
		    json_object_update_new(o, json_pack("{s:o, s:o, s:o}", "id", jtext(c->person_id),
							"name", jtext(c->name), "roles",
							jtext(c->roles))) != 0) {
			json_decref(o);
			o = NULL;
		}
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
