/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_util.c - helpers shared by the actions
 * (ceremony/actions/action_util.h).
 */
#include "ceremony/actions/action_util.h"

#include "ceremony/transcript/transcript.h"
#include "common/err.h"
#include "common/hex.h"
#include "pkcs11/p11.h"

#include <string.h>

const char *action_util_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

int action_util_digest_check(const struct script_step *st, const char *label,
			     const struct p11_ossl_key *k)
{
	const char *want = script_param_str(st, "digest");
	const char *has = k->md != NULL ? k->md : "none (EdDSA)";
	char up[8];
	size_t i;

	if (want == NULL)
		return 0;
	for (i = 0; want[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = (char)(want[i] >= 'a' && want[i] <= 'z' ? want[i] - 'a' + 'A' : want[i]);
	up[i] = '\0';
	if (k->md != NULL && strcmp(up, k->md) == 0)
		return 0;
	return ce_err_set(CE_ERR_UNSUPPORTED,
			  "step '%s': digest %s asked, but key '%s' signs with %s (the digest "
			  "follows the key: drop `digest` or make it match)",
			  st->id, want, label, has);
}

void action_util_key_id_hex(const struct p11_key *k, char *out, size_t cap)
{
	size_t n = 0;
	const uint8_t *id = p11_key_id(k, &n);

	if (cap == 0)
		return;
	if (id == NULL || 2 * n + 1 > cap)
		n = 0;
	hex_encode(id != NULL ? id : (const uint8_t *)"", n, out);
}

int action_util_file_sha256_hex(const char *path, char out[65])
{
	uint8_t h[32];
	int r = transcript_file_sha256(path, h, NULL);

	if (r < 0)
		return r;
	hex_encode(h, sizeof(h), out);
	return 0;
}

int action_util_event(struct run_ctx *rc, const char *type, json_t *persons, json_t *details)
{
	int r = CE_ERR_INTERNAL;

	if (details == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory building the %s event", type);
		goto out;
	}
	r = run_event(rc, type, persons, NULL, details);
out:
	json_decref(details);
	return r;
}

void action_util_time_str(time_t t, char *out, size_t cap)
{
	struct tm tm;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (gmtime_r(&t, &tm) != NULL)
		strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void action_util_x509_free(enum x509_kind kind, void *obj)
{
	if (kind == X509_KIND_CSR)
		X509_REQ_free(obj);
	else if (kind == X509_KIND_CRL)
		X509_CRL_free(obj);
	else
		X509_free(obj);
}

int action_util_sign_pem(struct run_ctx *rc, const struct script_step *st,
			 const struct action_util_signing *sg, struct action_util_signed *out)
{
	struct p11_ossl_key k = { 0 };
	struct p11_key *key = NULL;
	void *obj = NULL;
	int r = CE_ERR_INTERNAL;

	memset(out, 0, sizeof(*out));
	r = run_key_load(rc, sg->token, sg->label, &k, &key);
	if (r < 0)
		goto out;
	r = action_util_digest_check(st, sg->label, &k);
	if (r < 0)
		goto out;
	r = sg->sign(rc, &k, key, sg->arg, &obj);
	if (r < 0)
		goto out;
	r = x509_pem_write(sg->path, sg->kind, obj, out->der_sha256, &out->file);
	if (r < 0)
		goto out;
	hex_encode(out->file.sha256, 32, out->file_sha256);
	out->obj = obj;
	obj = NULL; /* transferred */
	r = 0;
out:
	action_util_x509_free(sg->kind, obj);
	p11_ossl_key_free(&k);
	p11_key_free(key);
	return r;
}
