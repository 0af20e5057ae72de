/*
 * cert.issue: the issuer key signs a certificate for a CSR under a profile
 * (docs/script-format.md section 5). pkcs11/x509/x509.h checks the CSR's own
 * signature and key, that the issuer certificate carries the issuer key and
 * may sign certificates, that nothing outlives the issuer, and verifies the
 * result. Event cert.created, then output.written.
 */
#include "ceremony/actions/action_util.h"
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

/* The profiles of script-format.md: what each certificate may do. */
static int profile_set(const struct script_step *st, struct x509_profile *p)
{
	const char *name = script_param_str(st, "profile");
	long pathlen = -1;
	int has_pathlen = script_param_int(st, "pathlen", &pathlen) == 0;

	if (name == NULL)
		return ce_err_set(CE_ERR_INTERNAL, "step '%s': no profile", st->id);
	p->path_len = -1;
	p->key_usage = NULL;
	p->ext_key_usage = NULL;
	if (strcmp(name, "sub-ca") == 0) {
		p->ca = 1;
		p->path_len = has_pathlen ? (int)pathlen : -1;
		return 0;
	}
	if (has_pathlen)
		return ce_err_set(CE_ERR_INVALID,
				  "step '%s': pathlen is only for the sub-ca profile, not %s", st->id,
				  name);
	p->ca = 0;
	p->key_usage = "digitalSignature";
	if (strcmp(name, "ocsp-signer") == 0) {
		p->ext_key_usage = "OCSPSigning";
		return 0;
	}
	if (strcmp(name, "end-entity") == 0)
		return 0;
	return ce_err_set(CE_ERR_INVALID, "step '%s': unknown profile '%s'", st->id, name);
}

int action_cert_issue(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *label = script_param_str(st, "key");
	const char *issuer_rel = script_param_str(st, "issuer-cert");
	const char *csr_rel = script_param_str(st, "csr");
	const char *output = script_param_str(st, "output");
	struct x509_profile prof;
	struct p11_ossl_key k = { 0 };
	struct p11_key *key = NULL;
	X509 *issuer = NULL, *cert = NULL;
	X509_REQ *csr = NULL;
	EVP_PKEY *csr_key = NULL;
	char *path = NULL, *issuer_path = NULL, *csr_path = NULL;
	char *subject = NULL, *issuer_subject = NULL, *serial = NULL;
	BIGNUM *bn = NULL;
	char der_fpr[X509_FPR_HEX_BYTES], file_sha[65], csr_sha[65], spki_hex[65];
	char words[FINGERPRINT_WORDS_MAX_LEN], not_after[32];
	uint8_t spki[32];
	long days = 0;

	memset(&prof, 0, sizeof(prof));
	if (token == NULL || label == NULL || issuer_rel == NULL || csr_rel == NULL ||
	    output == NULL || script_param_int(st, "validity-days", &days) != 0) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	r = profile_set(st, &prof);
	if (r < 0)
		goto out;
	prof.validity_days = (unsigned int)days;
	prof.serial_hex = script_param_str(st, "serial");
	r = run_output_path(rc, output, &path);
	if (r < 0)
		goto out;
	if ((r = run_input_path(rc, issuer_rel, &issuer_path)) < 0 ||
	    (r = run_input_path(rc, csr_rel, &csr_path)) < 0)
		goto out;
	r = run_key_load(rc, token, label, &k, &key);
	if (r < 0)
		goto out;
	r = action_util_digest_check(st, label, &k);
	if (r < 0)
		goto out;
	r = x509_pem_read(issuer_path, X509_KIND_CERT, p11_ossl_libctx(k.ctx), (void **)&issuer);
	if (r < 0)
		goto out;
	r = x509_pem_read(csr_path, X509_KIND_CSR, p11_ossl_libctx(k.ctx), (void **)&csr);
	if (r < 0)
		goto out;
	r = action_util_file_sha256_hex(csr_path, csr_sha);
	if (r < 0)
		goto out;
	/* What is about to be signed, for the witnesses to compare with the
	 * requester's paper: the request's subject and key fingerprint. */
	csr_key = X509_REQ_get_pubkey(csr);
	if (csr_key == NULL || transcript_spki_sha256(csr_key, spki) < 0 ||
	    ceremony_fingerprint_words(spki, words, sizeof(words)) < 0) {
		r = ce_err_set(CE_ERR_FORMAT, "%s: the request's public key cannot be read", csr_path);
		goto out;
	}
	subject = X509_NAME_oneline(X509_REQ_get_subject_name(csr), NULL, 0);
	run_say(rc, "Request %s: subject %s", csr_rel, subject != NULL ? subject : "?");
	run_say(rc, "  public key fingerprint: %s", words);
	run_progress_begin(rc, "signing the %s certificate with '%s' on %s",
			   script_param_str(st, "profile"), label, token);
	r = x509_cert_issue(&k, issuer, csr, &prof, &cert);
	run_progress_end(rc, r);
	if (r < 0) {
		ce_err_prefix(r, "step '%s': %s", st->id, csr_rel);
		goto out;
	}
	r = x509_pem_write(path, X509_KIND_CERT, cert, der_fpr);
	if (r < 0)
		goto out;
	r = action_util_file_sha256_hex(path, file_sha);
	if (r < 0)
		goto out;
	OPENSSL_free(subject);
	subject = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
	issuer_subject = X509_NAME_oneline(X509_get_subject_name(issuer), NULL, 0);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	serial = bn != NULL ? BN_bn2hex(bn) : NULL;
	if (subject == NULL || issuer_subject == NULL || serial == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	{
		struct tm tm;

		if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1 ||
		    strftime(not_after, sizeof(not_after), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			strcpy(not_after, "?");
	}
	hex_encode(spki, sizeof(spki), spki_hex);
	r = action_util_event(rc, "cert.created", NULL,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
					"file", action_util_base(path), "sha256", file_sha,
					"der_sha256", der_fpr, "subject", subject, "serial", serial,
					"issuer", issuer_subject, "profile",
					script_param_str(st, "profile"), "not_after", not_after,
					"csr_sha256", csr_sha, "public_key_sha256", spki_hex));
	if (r < 0)
		goto out;
	r = run_output_record(rc, path);
	if (r < 0)
		goto out;
	run_say(rc, "Certificate for %s (serial %s) written to %s", subject, serial, path);
	r = 0;
out:
	BN_free(bn);
	OPENSSL_free(serial);
	OPENSSL_free(subject);
	OPENSSL_free(issuer_subject);
	EVP_PKEY_free(csr_key);
	X509_free(cert);
	X509_free(issuer);
	X509_REQ_free(csr);
	p11_ossl_key_free(&k);
	p11_key_free(key);
	free(path);
	free(issuer_path);
	free(csr_path);
	return r;
}
