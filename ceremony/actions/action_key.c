/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_key.c - key.generate, key.export-public, cert.self-sign.
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/model/script_profile.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/run/run.h"
#include "ceremony/transcript/transcript.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/x509.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int keygen_type(const struct script_step *st, enum p11_key_type *out)
{
	char name[32];
	int r = script_key_type_name(st, name, sizeof(name));

	if (r < 0)
		return r;
	return p11_key_type_parse(name, out);
}

int action_key_generate(struct run_ctx *rc, const struct script_step *st)
{
	const char *tname = script_param_str(st, "token"), *label = script_param_str(st, "label");
	const char *id_hex = script_param_str(st, "id");
	struct p11_session *s = NULL;
	struct p11_token *tok;
	struct p11_keygen kg;
	struct p11_key *k = NULL;
	struct p11_key_attrs at;
	uint8_t id[P11_ID_MAX_BYTES], spki[32];
	char spki_hex[65], words[FINGERPRINT_WORDS_MAX_LEN];
	size_t idl = 0;
	int ext = 0, r = CE_ERR_INTERNAL;
	json_t *d = NULL;

	memset(&kg, 0, sizeof(kg));
	r = keygen_type(st, &kg.type);
	if (r < 0)
		goto out;
	if (script_param_bool(st, "extractable", &ext) < 0)
		ext = 0;
	r = hex_decode(id_hex, strlen(id_hex), id, sizeof(id), &idl);
	if (r < 0)
		goto out;
	r = run_session(rc, tname, &s);
	if (r < 0)
		goto out;
	r = run_token(rc, tname, &tok);
	if (r < 0)
		goto out;
	r = p11_token_supports(tok, kg.type);
	if (r < 0)
		goto out;
	kg.label = label;
	kg.id = id;
	kg.id_len = idl;
	kg.extractable = ext;
	run_progress_begin(rc, "generating %s key '%s' on '%s'", p11_key_type_name(kg.type), label,
			   tname);
	r = p11_key_generate(s, &kg, &k);
	run_progress_end(rc, r);
	if (r < 0)
		goto out;
	/* what the token says it made, checked against the script */
	r = p11_key_attrs(k, &at);
	if (r < 0)
		goto out;
	if (!at.sensitive || !at.private_ || !at.token || at.extractable != (ext != 0)) {
		r = ce_err_set(CE_ERR_VERIFY,
			       "key '%s' on '%s': the token reports sensitive=%d private=%d token=%d "
			       "extractable=%d, the script asked extractable=%d",
			       label, tname, at.sensitive, at.private_, at.token, at.extractable, ext);
		goto out;
	}
	r = p11_key_public_fingerprint(k, spki);
	if (r < 0)
		goto out;
	hex_encode(spki, 32, spki_hex);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "key_type", p11_key_type_name(kg.type),
		      "label", label, "id", id_hex, "public_key_sha256", spki_hex, "token", tname,
		      "sensitive", at.sensitive, "extractable", at.extractable);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "key.generated", NULL, NULL, d);
	if (r < 0)
		goto out;
	r = ceremony_fingerprint_words(spki, words, sizeof(words));
	if (r < 0)
		goto out;
	run_say(rc, "Key '%s' (%s, id %s, %sextractable): public key SHA-256 %s", label,
		p11_key_type_name(kg.type), id_hex, ext ? "" : "non-", spki_hex);
	run_say(rc, "    %s", words);
	r = run_summary_key(rc, tname, label, id_hex, spki);
out:
	json_decref(d);
	p11_key_free(k);
	return r;
}

int action_key_export_public(struct run_ctx *rc, const struct script_step *st)
{
	const char *tname = script_param_str(st, "token"), *label = script_param_str(st, "key");
	const char *output = script_param_str(st, "output");
	struct p11_key *k = NULL;
	char *pem = NULL, *path = NULL;
	int r = CE_ERR_INTERNAL;

	r = run_output_path(rc, output, &path);
	if (r < 0)
		goto out;
	r = run_key_find(rc, tname, label, &k);
	if (r < 0)
		goto out;
	r = p11_key_public_pem(k, &pem);
	if (r < 0)
		goto out;
	r = outfile_write_all(path, 0644, pem, strlen(pem));
	if (r < 0)
		goto out;
	run_say(rc, "Public key of '%s' written to %s.", label, path);
	r = run_output_record(rc, path, pem, strlen(pem));
out:
	free(pem);
	free(path);
	p11_key_free(k);
	return r;
}

/* What cert.self-sign signs: the step's profile (root-ca unless named). */
struct self_sign_ctx {
	struct script_profile sp;
	const char *label, *profile;
};

/* action_util_sign_fn: the self-signed certificate, linted with a throwaway
 * key before the token signs and checked again after (x509_self_sign). */
static int ca_sign(struct run_ctx *rc, const struct p11_ossl_key *k, const struct p11_key *key,
		   void *arg, void **obj)
{
	const struct self_sign_ctx *sc = arg;
	X509 *cert = NULL;
	int r;

	(void)key;
	run_progress_begin(rc, "self-signing the %s certificate with key '%s'", sc->profile,
			   sc->label);
	r = x509_self_sign(k, &sc->sp.p, &cert);
	run_progress_end(rc, r);
	if (r < 0)
		return r;
	*obj = cert;
	return 0;
}

/* cert.created, then output.written. */
static int self_sign_record(struct run_ctx *rc, const char *path,
			    const struct action_util_signed *sd)
{
	char *subject = X509_NAME_oneline(X509_get_subject_name(sd->obj), NULL, 0);
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(sd->obj), NULL);
	char *serial = bn != NULL ? BN_bn2hex(bn) : NULL;
	int r = CE_ERR_INTERNAL;

	if (subject == NULL || serial == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = action_util_event(rc, "cert.created", NULL,
			      json_pack("{s:s, s:s, s:s, s:s, s:s}", "file", action_util_base(path),
					"sha256", sd->file_sha256, "der_sha256", sd->der_sha256,
					"subject", subject, "serial", serial));
	if (r < 0)
		goto out;
	run_say(rc, "Certificate written to %s (SHA-256 %s).", path, sd->der_sha256);
	r = run_output_record_x509(rc, path, &sd->file, "cert", sd->der_sha256);
out:
	OPENSSL_free(serial);
	BN_free(bn);
	OPENSSL_free(subject);
	return r;
}

int action_cert_self_sign(struct run_ctx *rc, const struct script_step *st)
{
	const char *output = script_param_str(st, "output");
	struct action_util_signing sg;
	struct action_util_signed sd = { 0 };
	struct self_sign_ctx sc;
	char *path = NULL;
	int r = CE_ERR_INTERNAL;

	memset(&sg, 0, sizeof(sg));
	memset(&sc, 0, sizeof(sc));
	/* The same parse and rules as `ceremony lint` (script_profile.c). */
	if ((r = script_profile_parse(st, time(NULL), &sc.sp, NULL)) < 0 ||
	    (r = script_profile_lint(st, &sc.sp, 0, NULL)) < 0)
		goto out;
	r = run_output_path(rc, output, &path);
	if (r < 0)
		goto out;
	sc.label = script_param_str(st, "key");
	sc.profile = sc.sp.p.name != NULL ? sc.sp.p.name : "root-ca";
	sg.token = script_param_str(st, "token");
	sg.label = sc.label;
	sg.path = path;
	sg.kind = X509_KIND_CERT;
	sg.sign = ca_sign;
	sg.arg = &sc;
	r = action_util_sign_pem(rc, st, &sg, &sd);
	if (r < 0)
		goto out;
	r = self_sign_record(rc, path, &sd);
out:
	X509_free(sd.obj);
	free(path);
	return r;
}
