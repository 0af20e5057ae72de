/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crl.sign: the CA key signs a version 2 CRL (docs/script-format.md section
 * 5): cRLNumber, nextUpdate, revoked entries with their dates and reasons.
 * pkcs11/x509/x509.h checks the issuer certificate carries the key and allows
 * cRLSign, lints the CRL before the HSM signs (nextUpdate capped and within
 * the issuer's notAfter, serials once, cRLNumber above previous-crl's) and
 * verifies the signature. Event crl.created, then
 * output.written.
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script_time.h"
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
	{ "privilege-withdrawn", 9 },
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

/* What crl.sign reads and signs. */
struct crl_ctx {
	const struct script_step *st;
	const char *token, *label, *issuer_path, *previous_path;
	X509_CRL *previous;
	struct x509_crl_params p;
	X509 *issuer;
	long number;
};

/* action_util_sign_fn: the CRL, for the issuer certificate read into the
 * key's library context. */
static int crl_sign(struct run_ctx *rc, const struct p11_ossl_key *k, const struct p11_key *key,
		    void *arg, void **obj)
{
	struct crl_ctx *cc = arg;
	X509_CRL *crl = NULL;
	int r;

	r = x509_pem_read(cc->issuer_path, X509_KIND_CERT, p11_ossl_libctx(k->ctx),
			  (void **)&cc->issuer);
	if (r < 0)
		return r;
	/* The previous CRL: the new cRLNumber must be greater (RFC 5280 5.2.3). */
	if (cc->previous_path != NULL) {
		r = x509_pem_read(cc->previous_path, X509_KIND_CRL, p11_ossl_libctx(k->ctx),
				  (void **)&cc->previous);
		if (r < 0)
			return r;
		cc->p.previous = cc->previous;
	}
	run_progress_begin(rc, "signing CRL %ld (%zu revoked) with '%s' on %s", cc->number,
			   cc->p.n_revoked, cc->label, cc->token);
	r = x509_crl_make(k, cc->issuer, &cc->p, &crl);
	run_progress_end(rc, r);
	if (r < 0)
		return ce_err_prefix(r, "step '%s'", cc->st->id);
	*obj = crl;
	return 0;
}

/* crl.created, then output.written. list: the revoked entries (borrowed). */
static int crl_record(struct run_ctx *rc, const struct crl_ctx *cc, const char *path,
		      const struct action_util_signed *sd, json_t *list)
{
	char *issuer_subject = NULL, next[32];
	int r = CE_ERR_INTERNAL;

	issuer_subject = X509_NAME_oneline(X509_get_subject_name(cc->issuer), NULL, 0);
	if (issuer_subject == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	action_util_time_str(cc->p.next_update, next, sizeof(next));
	r = action_util_event(rc, "crl.created", NULL,
			      json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:O}", "file",
					action_util_base(path), "sha256", sd->file_sha256,
					"der_sha256", sd->der_sha256, "number",
					(json_int_t)cc->number, "issuer", issuer_subject,
					"next_update", next, "revoked", list));
	if (r < 0)
		goto out;
	r = run_output_record_x509(rc, path, &sd->file, "crl", sd->der_sha256);
	if (r < 0)
		goto out;
	run_say(rc, "CRL %ld of %s (%zu revoked, next update %s) written to %s", cc->number,
		issuer_subject, cc->p.n_revoked, next, path);
	r = 0;
out:
	OPENSSL_free(issuer_subject);
	return r;
}

int action_crl_sign(struct run_ctx *rc, const struct script_step *st)
{
	const char *issuer_rel = script_param_str(st, "issuer-cert");
	const char *output = script_param_str(st, "output");
	struct action_util_signing sg;
	struct action_util_signed sd = { 0 };
	struct crl_ctx cc;
	struct x509_revoked *revoked = NULL;
	json_t *list = json_array();
	char *path = NULL, *issuer_path = NULL, *previous_path = NULL;
	long days = 0, max_days = 0;
	time_t now = time(NULL);
	int r = CE_ERR_INTERNAL;

	memset(&cc, 0, sizeof(cc));
	memset(&sg, 0, sizeof(sg));
	cc.st = st;
	cc.token = script_param_str(st, "token");
	cc.label = script_param_str(st, "key");
	if (list == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (cc.token == NULL || cc.label == NULL || issuer_rel == NULL || output == NULL ||
	    script_param_int(st, "crl-number", &cc.number) != 0 ||
	    script_param_int(st, "next-update-days", &days) != 0) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	r = revoked_parse(st, &revoked, &cc.p.n_revoked, list);
	if (r < 0)
		goto out;
	cc.p.revoked = revoked;
	cc.p.this_update = now;
	if (script_param_str(st, "this-update") != NULL &&
	    script_time_parse(script_param_str(st, "this-update"), &cc.p.this_update) < 0) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': this-update", st->id);
		goto out;
	}
	cc.p.next_update = cc.p.this_update + (time_t)days * CRL_DAY_SECONDS;
	cc.p.crl_number = (uint64_t)cc.number;
	if (script_param_int(st, "max-next-update-days", &max_days) == 0)
		cc.p.max_next_days = (unsigned int)max_days;
	cc.p.idp_url = script_param_str(st, "idp-url");
	if ((r = run_output_path(rc, output, &path)) < 0 ||
	    (r = run_input_path(rc, issuer_rel, &issuer_path)) < 0)
		goto out;
	if (script_param_str(st, "previous-crl") != NULL &&
	    (r = run_input_path(rc, script_param_str(st, "previous-crl"), &previous_path)) < 0)
		goto out;
	cc.previous_path = previous_path;
	cc.issuer_path = issuer_path;
	sg.token = cc.token;
	sg.label = cc.label;
	sg.path = path;
	sg.kind = X509_KIND_CRL;
	sg.sign = crl_sign;
	sg.arg = &cc;
	r = action_util_sign_pem(rc, st, &sg, &sd);
	if (r < 0)
		goto out;
	r = crl_record(rc, &cc, path, &sd, list);
out:
	X509_CRL_free(sd.obj);
	X509_free(cc.issuer);
	X509_CRL_free(cc.previous);
	free(previous_path);
	free(revoked);
	free(path);
	free(issuer_path);
	json_decref(list);
	return r;
}
