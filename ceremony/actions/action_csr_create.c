/* SPDX-License-Identifier: Apache-2.0 */
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

/* What csr.create signs. */
struct csr_ctx {
	const char *token, *label, *subject;
	char id[2 * P11_ID_MAX_BYTES + 1]; /* the key's CKA_ID in hex */
};

/* action_util_sign_fn: the request, signed by the key. */
static int csr_sign(struct run_ctx *rc, const struct p11_ossl_key *k, const struct p11_key *key,
		    void *arg, void **obj)
{
	struct csr_ctx *cc = arg;
	X509_REQ *csr = NULL;
	int r;

	action_util_key_id_hex(key, cc->id, sizeof(cc->id));
	run_progress_begin(rc, "signing the certificate request with '%s' on %s", cc->label,
			   cc->token);
	r = x509_csr_make(k, cc->subject, &csr);
	run_progress_end(rc, r);
	if (r < 0)
		return r;
	*obj = csr;
	return 0;
}

int action_csr_create(struct run_ctx *rc, const struct script_step *st)
{
	const char *output = script_param_str(st, "output");
	struct action_util_signing sg;
	struct action_util_signed sd = { 0 };
	struct csr_ctx cc;
	char *path = NULL;
	int r = CE_ERR_INTERNAL;

	memset(&cc, 0, sizeof(cc));
	memset(&sg, 0, sizeof(sg));
	cc.token = script_param_str(st, "token");
	cc.label = script_param_str(st, "key");
	cc.subject = script_param_str(st, "subject");
	if (cc.token == NULL || cc.label == NULL || cc.subject == NULL || output == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	r = run_output_path(rc, output, &path);
	if (r < 0)
		goto out;
	sg.token = cc.token;
	sg.label = cc.label;
	sg.path = path;
	sg.kind = X509_KIND_CSR;
	sg.sign = csr_sign;
	sg.arg = &cc;
	r = action_util_sign_pem(rc, st, &sg, &sd);
	if (r < 0)
		goto out;
	r = action_util_event(rc, "csr.created", NULL,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "file",
					action_util_base(path), "sha256", sd.file_sha256,
					"der_sha256", sd.der_sha256, "subject", cc.subject, "key",
					cc.label, "id", cc.id));
	if (r < 0)
		goto out;
	r = run_output_record_x509(rc, path, &sd.file, "csr", sd.der_sha256);
	if (r < 0)
		goto out;
	run_say(rc, "Request for %s written to %s", cc.subject, path);
	r = 0;
out:
	X509_REQ_free(sd.obj);
	free(path);
	return r;
}
