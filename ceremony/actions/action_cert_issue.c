/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cert.issue: the issuer key signs a certificate for a CSR under a profile
 * (docs/script-format.md section 5). pkcs11/x509/x509.h checks the CSR's own
 * signature and key, that the issuer certificate carries the issuer key and
 * may sign certificates, that nothing outlives the issuer, and verifies the
 * result. Event cert.created, then output.written.
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/model/script_profile.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/run/run.h"
#include "ceremony/transcript/transcript.h"
#include "common/err.h"
#include "common/hex.h"
#include "pkcs11/x509/x509.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

/* What cert.issue reads and signs, kept for its event. */
struct issue_ctx {
	const struct script_step *st;
	const char *token, *label, *csr_rel;
	const char *issuer_path, *csr_path;
	struct script_profile sp; /* sp.p: what the certificate says */
	X509 *issuer;
	X509_REQ *csr;
	char csr_sha[65], spki_hex[65];
};

/* The issuer certificate and the request, read into the signing key's
 * library context; what is about to be signed shown for the witnesses to
 * compare with the requester's paper: the subject and key fingerprint. */
static int request_read(struct run_ctx *rc, const struct p11_ossl_key *k, struct issue_ctx *ic)
{
	char words[FINGERPRINT_WORDS_MAX_LEN], *subject = NULL;
	EVP_PKEY *csr_key = NULL;
	uint8_t spki[32];
	int r = CE_ERR_INTERNAL;

	r = x509_pem_read(ic->issuer_path, X509_KIND_CERT, p11_ossl_libctx(k->ctx),
			  (void **)&ic->issuer);
	if (r < 0)
		goto out;
	r = x509_pem_read(ic->csr_path, X509_KIND_CSR, p11_ossl_libctx(k->ctx), (void **)&ic->csr);
	if (r < 0)
		goto out;
	r = action_util_file_sha256_hex(ic->csr_path, ic->csr_sha);
	if (r < 0)
		goto out;
	csr_key = X509_REQ_get_pubkey(ic->csr);
	if (csr_key == NULL || transcript_spki_sha256(csr_key, spki) < 0 ||
	    ceremony_fingerprint_words(spki, words, sizeof(words)) < 0) {
		r = ce_err_set(CE_ERR_FORMAT, "%s: the request's public key cannot be read",
			       ic->csr_path);
		goto out;
	}
	hex_encode(spki, sizeof(spki), ic->spki_hex);
	subject = X509_NAME_oneline(X509_REQ_get_subject_name(ic->csr), NULL, 0);
	run_say(rc, "Request %s: subject %s", ic->csr_rel, subject != NULL ? subject : "?");
	run_say(rc, "  public key fingerprint: %s", words);
	r = 0;
out:
	OPENSSL_free(subject);
	EVP_PKEY_free(csr_key);
	return r;
}

/* action_util_sign_fn: the certificate for the request. */
static int cert_sign(struct run_ctx *rc, const struct p11_ossl_key *k, const struct p11_key *key,
		     void *arg, void **obj)
{
	struct issue_ctx *ic = arg;
	X509 *cert = NULL;
	int r;

	r = request_read(rc, k, ic);
	if (r < 0)
		return r;
	run_progress_begin(rc, "signing the %s certificate with '%s' on %s",
			   script_param_str(ic->st, "profile"), ic->label, ic->token);
	r = x509_cert_issue(k, ic->issuer, ic->csr, &ic->sp.p, &cert);
	run_progress_end(rc, r);
	if (r < 0)
		return ce_err_prefix(r, "step '%s': %s", ic->st->id, ic->csr_rel);
	*obj = cert;
	return 0;
}

/* cert.created, then output.written. */
static int cert_record(struct run_ctx *rc, const struct issue_ctx *ic, const char *path,
		       const struct action_util_signed *sd)
{
	X509 *cert = sd->obj;
	char *subject = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
	char *issuer_subject = X509_NAME_oneline(X509_get_subject_name(ic->issuer), NULL, 0);
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *serial = bn != NULL ? BN_bn2hex(bn) : NULL;
	char not_after[32];
	struct tm tm;
	int r = CE_ERR_INTERNAL;

	if (subject == NULL || issuer_subject == NULL || serial == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1 ||
	    strftime(not_after, sizeof(not_after), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(not_after, "?");
	r = action_util_event(rc, "cert.created", NULL,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
					"file", action_util_base(path), "sha256", sd->file_sha256,
					"der_sha256", sd->der_sha256, "subject", subject, "serial",
					serial, "issuer", issuer_subject, "profile",
					script_param_str(ic->st, "profile"), "not_after", not_after,
					"csr_sha256", ic->csr_sha, "public_key_sha256", ic->spki_hex));
	if (r < 0)
		goto out;
	r = run_output_record_x509(rc, path, &sd->file, "cert", sd->der_sha256);
	if (r < 0)
		goto out;
	run_say(rc, "Certificate for %s (serial %s) written to %s", subject, serial, path);
	r = 0;
out:
	BN_free(bn);
	OPENSSL_free(serial);
	OPENSSL_free(subject);
	OPENSSL_free(issuer_subject);
	return r;
}

int action_cert_issue(struct run_ctx *rc, const struct script_step *st)
{
	const char *issuer_rel = script_param_str(st, "issuer-cert");
	struct action_util_signing sg;
	struct action_util_signed sd = { 0 };
	struct issue_ctx ic;
	char *path = NULL, *issuer_path = NULL, *csr_path = NULL;
	int r = CE_ERR_INTERNAL;

	memset(&ic, 0, sizeof(ic));
	memset(&sg, 0, sizeof(sg));
	ic.st = st;
	ic.token = script_param_str(st, "token");
	ic.label = script_param_str(st, "key");
	ic.csr_rel = script_param_str(st, "csr");
	sg.path = script_param_str(st, "output");
	if (ic.token == NULL || ic.label == NULL || issuer_rel == NULL || ic.csr_rel == NULL ||
	    sg.path == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	/* The same parse and rules as `ceremony lint`; the issuer's notAfter
	 * and everything else are checked again before the HSM signs
	 * (x509_cert_issue lints the certificate with a throwaway key). */
	if ((r = script_profile_parse(st, time(NULL), &ic.sp, NULL)) < 0 ||
	    (r = script_profile_lint(st, &ic.sp, 0, NULL)) < 0)
		goto out;
	if ((r = run_output_path(rc, sg.path, &path)) < 0 ||
	    (r = run_input_path(rc, issuer_rel, &issuer_path)) < 0 ||
	    (r = run_input_path(rc, ic.csr_rel, &csr_path)) < 0)
		goto out;
	ic.issuer_path = issuer_path;
	ic.csr_path = csr_path;
	sg.token = ic.token;
	sg.label = ic.label;
	sg.path = path;
	sg.kind = X509_KIND_CERT;
	sg.sign = cert_sign;
	sg.arg = &ic;
	r = action_util_sign_pem(rc, st, &sg, &sd);
	if (r < 0)
		goto out;
	r = cert_record(rc, &ic, path, &sd);
out:
	X509_free(sd.obj);
	X509_free(ic.issuer);
	X509_REQ_free(ic.csr);
	free(path);
	free(issuer_path);
	free(csr_path);
	return r;
}
