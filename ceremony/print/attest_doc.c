/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/print/attest_doc.c - print_attest_pdf (ceremony/print/print.h):
 * what a run did, on paper, for the persons present to sign.
 */
#include "ceremony/print/pdf.h"
#include "ceremony/print/print.h"

#include "ceremony/model/role.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/tjson.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTEST_LINE_MAX 1024
#define ATTEST_SIGNERS_MAX 64

/* The fingerprints of the run, gathered in a pass over the transcript: a
 * line each, and the ids of the persons present (who sign). */
struct attest_pass {
	struct print_pdf *p;
	char ids[ATTEST_SIGNERS_MAX][64];
	char roles[ATTEST_SIGNERS_MAX][64];
	char names[ATTEST_SIGNERS_MAX][128];
	size_t nids;
	unsigned nfp;
};

/* The SHA-256 fields of an event's details that name what it made, with
 * what they are of. */
static const struct {
	const char *type, *key, *of, *what;
} attest_fp[] = {
	{ "cert.created", "der_sha256", "file", "certificate" },
	{ "csr.created", "sha256", "file", "request" },
	{ "crl.created", "sha256", "file", "CRL" },
	{ "output.written", "sha256", "file", "file" },
	{ "key.generated", "public_key_sha256", "label", "public key" },
};

static void attest_person_add(struct attest_pass *ap, const struct tj_doc *d, int per)
{
	const char *id = tj_str(d, tj_get(d, per, "id"));
	int roles = tj_get(d, per, "roles"), role;
	size_t i;
	uint32_t k;

	if (id == NULL)
		return;
	for (i = 0; i < ap->nids; i++)
		if (strcmp(ap->ids[i], id) == 0)
			return;
	if (ap->nids == ATTEST_SIGNERS_MAX)
		return;
	snprintf(ap->ids[ap->nids], sizeof(ap->ids[0]), "%s", id);
	snprintf(ap->names[ap->nids], sizeof(ap->names[0]), "%s",
		 tj_str(d, tj_get(d, per, "name")) != NULL ? tj_str(d, tj_get(d, per, "name")) : id);
	ap->roles[ap->nids][0] = '\0';
	if (tj_is(d, roles, TJ_ARR))
		TJ_ARR_EACH(d, roles, k, role) {
			if (tj_str(d, role) != NULL) {
				snprintf(ap->roles[ap->nids], sizeof(ap->roles[0]), "%s", tj_str(d, role));
				break;
			}
		}
	ap->nids++;
}

static int attest_line(void *ctx, uint64_t ln, const struct tj_doc *d)
{
	struct attest_pass *ap = ctx;
	const char *type = tj_str(d, tj_get(d, 0, "type")), *hex, *of;
	int det = tj_get(d, 0, "details"), fp, per;
	char words[FINGERPRINT_WORDS_MAX_LEN], line[ATTEST_LINE_MAX];
	uint32_t k;
	size_t i;

	if (type == NULL)
		return 0;
	if (strcmp(type, "attendance") == 0 && tj_is(d, tj_get(d, 0, "persons"), TJ_ARR))
		TJ_ARR_EACH(d, tj_get(d, 0, "persons"), k, per)
			attest_person_add(ap, d, per);
	for (i = 0; i < sizeof(attest_fp) / sizeof(attest_fp[0]); i++) {
		if (strcmp(type, attest_fp[i].type) != 0)
			continue;
		hex = tj_str(d, tj_get(d, det, attest_fp[i].key));
		of = tj_str(d, tj_get(d, det, attest_fp[i].of));
		if (hex == NULL || ceremony_fingerprint_words_hex(hex, words, sizeof(words)) != 0)
			continue;
		snprintf(line, sizeof(line), "line %llu, %s %s: %s", (unsigned long long)ln,
			 attest_fp[i].what, of != NULL ? of : "", words);
		print_pdf_text(ap->p, 0, line);
		ap->nfp++;
	}
	/* what a fingerprint step read aloud */
	fp = tj_get(d, det, "fingerprint");
	if (strcmp(type, "step.end") == 0 && tj_is(d, fp, TJ_OBJ) &&
	    tj_str(d, tj_get(d, fp, "words")) != NULL) {
		of = tj_str(d, tj_get(d, fp, "of"));
		snprintf(line, sizeof(line), "line %llu, read aloud, %s: %s", (unsigned long long)ln,
			 of != NULL ? of : "", tj_str(d, tj_get(d, fp, "words")));
		print_pdf_text(ap->p, 0, line);
		ap->nfp++;
	}
	return 0;
}

static void attest_front(struct print_pdf *p, const struct print_attest *a)
{
	const struct verify_report *rep = a->rep;
	char line[ATTEST_LINE_MAX];

	snprintf(line, sizeof(line), "Ceremony attestation: %s",
		 rep->ceremony[0] ? rep->ceremony : "(unnamed)");
	print_pdf_heading(p, 1, line);
	snprintf(line, sizeof(line), "Transcript %s: %s%s%s", a->path,
		 verify_verdict_name(rep->verdict), rep->reason[0] ? " - " : "", rep->reason);
	print_pdf_text(p, 0, line);
	snprintf(line, sizeof(line), "Ceremony id %s; %s to %s (UTC); ended: %s", rep->ceremony_id,
		 rep->start_time, rep->end_time, rep->end_status[0] ? rep->end_status : "no end");
	print_pdf_text(p, 0, line);
	if (rep->events > 0) {
		snprintf(line, sizeof(line), "Production: %s", verify_production_text(rep));
		print_pdf_text(p, 0, line);
	}
	if (rep->clock_unsynchronised || rep->clock_held)
		print_pdf_text(p, 0, "Clock: NOT synchronised, or went back during the run "
				     "(policy 5.5): the times are the host's own.");
	snprintf(line, sizeof(line), "Proven: %s", rep->proof);
	print_pdf_text(p, 0, line);
	if (a->script != NULL) {
		snprintf(line, sizeof(line), "Script: %s, version %s", a->script->name,
			 a->script->version);
		print_pdf_text(p, 0, line);
	}
}

static int attest_keys(struct print_pdf *p, const struct print_attest *a)
{
	char line[ATTEST_LINE_MAX], words[FINGERPRINT_WORDS_MAX_LEN];

	print_pdf_heading(p, 2, "The transcript and its key");
	if (ceremony_fingerprint_words_hex(a->sha256_hex, words, sizeof(words)) != 0)
		words[0] = '\0';
	snprintf(line, sizeof(line), "Transcript SHA-256: %s", a->sha256_hex);
	print_pdf_text(p, 1, line);
	snprintf(line, sizeof(line), "Transcript SHA-256 as words: %s", words);
	print_pdf_text(p, 0, line);
	if (a->rep->key_line) {
		snprintf(line, sizeof(line), "Transcript key fingerprint (compare with the paper "
					     "log): %s", a->rep->key_words);
		print_pdf_text(p, 0, line);
		snprintf(line, sizeof(line), "Transcript key SPKI SHA-256: %s",
			 a->rep->key_spki_sha256);
		print_pdf_text(p, 1, line);
	} else {
		print_pdf_text(p, 0, "Transcript key: none announced");
	}
	snprintf(line, sizeof(line), "Signature: %s",
		 a->rep->signature_ok ? "valid, by the announced key"
		 : a->rep->signed_ ? "present, NOT valid" : "none");
	print_pdf_text(p, 0, line);
	print_pdf_space(p, 6);
	return print_pdf_qr(p, a->sha256_hex, 120,
			    "QR code: the transcript's SHA-256 (sha256sum of the file)");
}

/* Every event as replay tells it, a line each. */
static void attest_narrative(struct print_pdf *p, const char *text)
{
	char line[ATTEST_LINE_MAX];
	const char *s = text, *e;
	size_t n;

	print_pdf_heading(p, 2, "Every step as it happened (ceremony replay)");
	while (*s != '\0') {
		e = strchr(s, '\n');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, s, n);
		line[n] = '\0';
		if (line[0] != '\0')
			print_pdf_text(p, 1, line);
		else
			print_pdf_space(p, 4);
		s = e != NULL ? e + 1 : s + strlen(s);
	}
}

int print_attest_pdf(const struct print_attest *a, uint8_t **pdf, size_t *len)
{
	int r = CE_ERR_INTERNAL;
	struct print_pdf *p = NULL;
	struct attest_pass *ap = NULL;
	char footer[256], label[256];
	size_t i;

	ap = calloc(1, sizeof(*ap));
	if (ap == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	snprintf(footer, sizeof(footer), "ceremony attestation: %s, id %s", a->rep->ceremony,
		 a->rep->ceremony_id);
	r = print_pdf_open(a->rep->ceremony, footer, &p);
	if (r < 0)
		goto out;
	ap->p = p;
	attest_front(p, a);
	r = attest_keys(p, a);
	if (r < 0)
		goto out;
	print_pdf_heading(p, 2, "Fingerprints");
	r = verify_lines_each(a->path, attest_line, ap);
	if (r < 0)
		goto out;
	if (ap->nfp == 0)
		print_pdf_text(p, 0, "(none recorded)");
	attest_narrative(p, a->narrative);
	print_pdf_heading(p, 2, "Signatures");
	print_pdf_text(p, 0, "We were present and attest that the ceremony ran as told above.");
	for (i = 0; i < ap->nids; i++) {
		snprintf(label, sizeof(label), "%s (%s, %s)", ap->names[i], ap->ids[i],
			 ap->roles[i][0] ? ap->roles[i] : "present");
		print_pdf_signature(p, label);
	}
	if (ap->nids == 0)
		for (i = 0; i < 3; i++)
			print_pdf_signature(p, "name and role");
	r = print_pdf_finish(p, pdf, len);
out:
	print_pdf_free(p);
	free(ap);
	return r;
}
