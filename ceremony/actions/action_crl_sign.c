/*
 * crl.sign: the CA key signs a version 2 CRL (docs/script-format.md section
 * 5): cRLNumber, nextUpdate, revoked entries with their dates and reasons.
 * pkcs11/x509/x509.h checks the issuer certificate carries the key and allows
 * cRLSign, and verifies the signature. Event crl.created, then
 * output.written.
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/model/roster.h"
#include "ceremony/run/run.h"
#include "common/err.h"
#include "pkcs11/x509/x509.h"

#include <stdlib.h>
#include <string.h>

#define CRL_DAY_SECONDS 86400L

/* RFC 5280 5.3.1 CRLReason values of the script's names; unspecified (0) is
 * left out of the entry, as RFC 5280 asks. */
static const struct {
	const char *name;
	int code;
} crl_reasons[] = {
	{ "unspecified", 0 },         { "key-compromise", 1 },
	{ "ca-compromise", 2 },       { "affiliation-changed", 3 },
	{ "superseded", 4 },          { "cessation-of-operation", 5 },
};

static int revoked_parse(const struct script_step *st, struct x509_revoked **out, size_t *n_out,
			 json_t *list)
{
	int r = CE_ERR_INTERNAL;
	const struct ynode *seq = script_param(st, "revoked");
	struct x509_revoked *rv = NULL;
	size_t i, j;

	*out = NULL;
	*n_out = 0;
	if (seq == NULL) {
		r = 0;
		goto out;
	}
	if (seq->type != YNODE_SEQ) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': revoked is not a sequence", st->id);
		goto out;
	}
	if (seq->n == 0) {
		r = 0;
		goto out;
	}
	rv = calloc(seq->n, sizeof(*rv));
	if (rv == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->kids[i];
		const struct ynode *sn = ynode_get(it, "serial"), *dn = ynode_get(it, "date"),
				   *rn = ynode_get(it, "reason");
		struct roster_date day;

		if (sn == NULL || dn == NULL || rn == NULL || roster_date_parse(dn->str, &day) != 0) {
			r = ce_err_set(CE_ERR_FORMAT, "%s:%u:%u: revoked entry %zu is incomplete",
				       it->mark.file, it->mark.line, it->mark.col, i + 1);
			goto out;
		}
		rv[i].serial_hex = sn->str;
		rv[i].when = (time_t)(roster_date_days(&day) * CRL_DAY_SECONDS);
		rv[i].reason = -1;
		for (j = 0; j < sizeof(crl_reasons) / sizeof(crl_reasons[0]); j++)
			if (strcmp(rn->str, crl_reasons[j].name) == 0)
				rv[i].reason = crl_reasons[j].code;
		if (rv[i].reason < 0) {
			r = ce_err_set(CE_ERR_FORMAT, "%s:%u:%u: unknown revocation reason '%s'",
				       rn->mark.file, rn->mark.line, rn->mark.col, rn->str);
			goto out;
		}
		if (json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "serial", sn->str,
							  "date", dn->str, "reason", rn->str)) != 0) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	*out = rv;
	rv = NULL; /* transferred */
	*n_out = seq->n;
	r = 0;
out:
	free(rv);
	return r;
}

int action_crl_sign(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *label = script_param_str(st, "key");
	const char *issuer_rel = script_param_str(st, "issuer-cert");
	const char *output = script_param_str(st, "output");
	struct p11_ossl_key k = { 0 };
	struct p11_key *key = NULL;
	struct x509_crl_params p;
	struct x509_revoked *revoked = NULL;
	X509 *issuer = NULL;
	X509_CRL *crl = NULL;
	json_t *list = json_array();
	char *path = NULL, *issuer_path = NULL, *issuer_subject = NULL;
	char der_fpr[X509_FPR_HEX_BYTES], file_sha[65], next[32];
	long number = 0, days = 0;
	time_t now = time(NULL);

	memset(&p, 0, sizeof(p));
	if (list == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (token == NULL || label == NULL || issuer_rel == NULL || output == NULL ||
	    script_param_int(st, "crl-number", &number) != 0 ||
	    script_param_int(st, "next-update-days", &days) != 0) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	r = revoked_parse(st, &revoked, &p.n_revoked, list);
	if (r < 0)
		goto out;
	p.revoked = revoked;
	p.this_update = now;
	p.next_update = now + (time_t)days * CRL_DAY_SECONDS;
	p.crl_number = (uint64_t)number;
	r = run_output_path(rc, output, &path);
	if (r < 0)
		goto out;
	r = run_input_path(rc, issuer_rel, &issuer_path);
	if (r < 0)
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
	run_progress_begin(rc, "signing CRL %ld (%zu revoked) with '%s' on %s", number,
			   p.n_revoked, label, token);
	r = x509_crl_make(&k, issuer, &p, &crl);
	run_progress_end(rc, r);
	if (r < 0) {
		ce_err_prefix(r, "step '%s'", st->id);
		goto out;
	}
	r = x509_pem_write(path, X509_KIND_CRL, crl, der_fpr);
	if (r < 0)
		goto out;
	r = action_util_file_sha256_hex(path, file_sha);
	if (r < 0)
		goto out;
	issuer_subject = X509_NAME_oneline(X509_get_subject_name(issuer), NULL, 0);
	if (issuer_subject == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	action_util_time_str(p.next_update, next, sizeof(next));
	r = action_util_event(rc, "crl.created", NULL,
			      json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:O}", "file",
					action_util_base(path), "sha256", file_sha, "der_sha256",
					der_fpr, "number", (json_int_t)number, "issuer",
					issuer_subject, "next_update", next, "revoked", list));
	if (r < 0)
		goto out;
	r = run_output_record(rc, path);
	if (r < 0)
		goto out;
	run_say(rc, "CRL %ld of %s (%zu revoked, next update %s) written to %s", number,
		issuer_subject, p.n_revoked, next, path);
	r = 0;
out:
	OPENSSL_free(issuer_subject);
	X509_CRL_free(crl);
	X509_free(issuer);
	p11_ossl_key_free(&k);
	p11_key_free(key);
	free(revoked);
	free(path);
	free(issuer_path);
	json_decref(list);
	return r;
}
