/*
 * csr.create: a PKCS#10 request signed by a token key (docs/script-format.md
 * section 5). The request is verified before it is written (pkcs11/x509/x509.h);
 * event csr.created, then output.written.
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/run/run.h"
#include "common/err.h"
#include "pkcs11/x509/x509.h"

#include <stdlib.h>

int action_csr_create(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *label = script_param_str(st, "key");
	const char *subject = script_param_str(st, "subject");
	const char *output = script_param_str(st, "output");
	struct p11_ossl_key k = { 0 };
	struct p11_key *key = NULL;
	X509_REQ *csr = NULL;
	char *path = NULL;
	char der_fpr[X509_FPR_HEX_BYTES], file_sha[65], id[2 * P11_ID_MAX_BYTES + 1];

	if (token == NULL || label == NULL || subject == NULL || output == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	r = run_output_path(rc, output, &path);
	if (r < 0)
		goto out;
	r = run_key_load(rc, token, label, &k, &key);
	if (r < 0)
		goto out;
	r = action_util_digest_check(st, label, &k);
	if (r < 0)
		goto out;
	run_progress_begin(rc, "signing the certificate request with '%s' on %s", label, token);
	r = x509_csr_make(&k, subject, &csr);
	run_progress_end(rc, r);
	if (r < 0)
		goto out;
	r = x509_pem_write(path, X509_KIND_CSR, csr, der_fpr);
	if (r < 0)
		goto out;
	r = action_util_file_sha256_hex(path, file_sha);
	if (r < 0)
		goto out;
	action_util_key_id_hex(key, id, sizeof(id));
	r = action_util_event(rc, "csr.created", NULL,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "file",
					action_util_base(path), "sha256", file_sha, "der_sha256",
					der_fpr, "subject", subject, "key", label, "id", id));
	if (r < 0)
		goto out;
	r = run_output_record(rc, path);
	if (r < 0)
		goto out;
	run_say(rc, "Request for %s written to %s", subject, path);
	r = 0;
out:
	X509_REQ_free(csr);
	p11_ossl_key_free(&k);
	p11_key_free(key);
	free(path);
	return r;
}
