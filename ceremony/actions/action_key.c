/*
 * ceremony/actions/action_key.c - key.generate, key.export-public, cert.self-sign.
 */
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/run/run.h"
#include "ceremony/transcript/transcript.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/x509.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_SECONDS 86400

static int keygen_type(const struct script_step *st, enum p11_key_type *out)
{
	const char *type = script_param_str(st, "type"), *curve = script_param_str(st, "curve");
	long size = 0;
	char name[32];

	if (strcmp(type, "rsa") == 0) {
		if (script_param_int(st, "size", &size) < 0)
			size = 3072;
		snprintf(name, sizeof(name), "rsa%ld", size);
	} else if (strcmp(type, "ec") == 0) {
		snprintf(name, sizeof(name), "%s", curve != NULL ? curve : "p-256");
		if (name[0] == 'p' && name[1] == '-')
			memmove(name + 1, name + 2, strlen(name + 2) + 1);
	} else {
		snprintf(name, sizeof(name), "%s", type);
	}
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
	r = run_output_record(rc, path);
out:
	free(pem);
	free(path);
	p11_key_free(k);
	return r;
}

static const char *key_digest(const struct p11_ossl_key *k)
{
	if (k->md == NULL)
		return "none";
	if (strcmp(k->md, "SHA256") == 0)
		return "sha256";
	if (strcmp(k->md, "SHA384") == 0)
		return "sha384";
	return "sha512";
}

int action_cert_self_sign(struct run_ctx *rc, const struct script_step *st)
{
	const char *tname = script_param_str(st, "token"), *label = script_param_str(st, "key");
	const char *subject = script_param_str(st, "subject"), *output = script_param_str(st, "output");
	const char *digest = script_param_str(st, "digest"), *serial = script_param_str(st, "serial");
	struct p11_ossl_key k = { 0 };
	struct p11_key *pk = NULL;
	struct x509_ca_params p;
	X509 *cert = NULL;
	char *path = NULL, fpr[X509_FPR_HEX_BYTES], serial_hex[80] = "";
	long days = 0, pathlen = -1;
	time_t now = time(NULL);
	json_t *d = NULL;
	BIGNUM *bn = NULL;
	char *bnhex = NULL, fh_hex[65];
	uint8_t fh[32];
	int r = CE_ERR_INTERNAL;

	r = run_output_path(rc, output, &path);
	if (r < 0)
		goto out;
	if (script_param_int(st, "validity-days", &days) < 0 || days < 1) {
		r = ce_err_set(CE_ERR_INVALID, "step %s: validity-days missing", st->id);
		goto out;
	}
	if (script_param_int(st, "pathlen", &pathlen) < 0)
		pathlen = -1;
	r = run_key_load(rc, tname, label, &k, &pk);
	if (r < 0)
		goto out;
	if (digest != NULL && strcmp(digest, key_digest(&k)) != 0) {
		r = ce_err_set(CE_ERR_UNSUPPORTED,
			       "step %s: digest %s: key '%s' signs with %s", st->id, digest, label,
			       key_digest(&k));
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.subject = subject;
	p.serial_hex = serial; /* NULL: 16 random bytes */
	p.not_before = now;
	p.not_after = now + (time_t)days * DAY_SECONDS;
	p.path_len = (int)pathlen;
	run_progress_begin(rc, "self-signing '%s' with key '%s'", subject, label);
	r = x509_ca_self_sign(&k, &p, &cert);
	run_progress_end(rc, r);
	if (r < 0)
		goto out;
	r = x509_pem_write(path, X509_KIND_CERT, cert, fpr);
	if (r < 0)
		goto out;
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	if (bn != NULL && (bnhex = BN_bn2hex(bn)) != NULL)
		snprintf(serial_hex, sizeof(serial_hex), "%s", bnhex);
	r = transcript_file_sha256(path, fh, NULL);
	if (r < 0)
		goto out;
	hex_encode(fh, 32, fh_hex);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s}", "file",
		      strrchr(path, '/') ? strrchr(path, '/') + 1 : path, "sha256", fh_hex,
		      "der_sha256", fpr, "subject", subject, "serial", serial_hex);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "cert.created", NULL, NULL, d);
	if (r < 0)
		goto out;
	run_say(rc, "Certificate written to %s (SHA-256 %s).", path, fpr);
	r = run_output_record(rc, path);
out:
	OPENSSL_free(bnhex);
	BN_free(bn);
	json_decref(d);
	X509_free(cert);
	p11_ossl_key_free(&k);
	p11_key_free(pk);
	free(path);
	return r;
}
