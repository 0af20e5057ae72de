/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/outputs.c - input and output paths under the output
 * directory, output.written, and the closing summary.
 */
#include "ceremony/run/context.h"

#include "ceremony/transcript/fingerprint.h"
#include "common/err.h"
#include "common/hex.h"
#include "pkcs11/x509/x509.h"

#include <openssl/evp.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ */
/* Files                                                               */

static int join(const char *dir, const char *rel, char **out)
{
	if (rel[0] == '/')
		*out = strdup(rel);
	else if (asprintf(out, "%s/%s", dir, rel) < 0)
		*out = NULL;
	return *out == NULL ? CE_ERR_NOMEM : 0;
}

int run_output_path(struct run_ctx *rc, const char *rel, char **out)
{
	struct stat sb;
	char *p = NULL;
	int r;

	*out = NULL;
	r = join(rc->outdir, rel, &p);
	if (r < 0)
		return r;
	if (lstat(p, &sb) == 0) {
		r = ce_err_set(CE_ERR_EXISTS, "%s: already exists; outputs are never overwritten", p);
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

int run_input_path(struct run_ctx *rc, const char *rel, char **out)
{
	struct stat sb;
	char *p = NULL;
	int r;

	*out = NULL;
	r = join(rc->outdir, rel, &p);
	if (r < 0)
		return r;
	if (stat(p, &sb) != 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "%s: %s", p, strerror(errno));
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/* output.written for path, and its summary lines: with der_hex (a
 * certificate, CSR or CRL), first the DER SHA-256 as words under kind (the
 * fingerprint a fingerprint step reads aloud, and replay and verify show),
 * then the file's own SHA-256 under "file sha256". */
static int output_record(struct run_ctx *rc, const char *path, const uint8_t h[32],
			 uint64_t size, const char *kind, const char *der_hex)
{
	char hex[65], words[FINGERPRINT_WORDS_MAX_LEN];
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	hex_encode(h, 32, hex);
	d = json_pack("{s:s, s:s, s:I}", "file", base_name(path), "sha256", hex, "size",
		      (json_int_t)size);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "output.written", NULL, NULL, d);
	if (r < 0)
		goto out;
	if (der_hex != NULL) {
		r = ceremony_fingerprint_words_hex(der_hex, words, sizeof(words));
		if (r < 0)
			goto out;
		r = run_summary_add(rc, "%-5s %s: %s (DER SHA-256 %s)", kind, path, words, der_hex);
		if (r < 0)
			goto out;
	}
	r = ceremony_fingerprint_words(h, words, sizeof(words));
	if (r < 0)
		goto out;
	r = run_summary_add(rc, "file  %s: %s (file SHA-256 %s)", path, words, hex);
out:
	json_decref(d);
	return r;
}

int run_output_record(struct run_ctx *rc, const char *path, const void *data, size_t len)
{
	uint8_t h[32];

	/* the bytes handed to the output's descriptor, hashed before the file
	 * was linked into place: never the file read back by name */
	if (EVP_Digest(data, len, h, NULL, EVP_sha256(), NULL) != 1)
		return ce_err_set(CE_ERR_CRYPTO, "%s: SHA-256 failed", path);
	return output_record(rc, path, h, (uint64_t)len, NULL, NULL);
}

int run_output_record_x509(struct run_ctx *rc, const char *path, const struct x509_pem_file *file,
			   const char *kind, const char *der_sha256_hex)
{
	return output_record(rc, path, file->sha256, file->size, kind, der_sha256_hex);
}

/* ------------------------------------------------------------------ */
/* The closing summary                                                 */

int run_summary_add(struct run_ctx *rc, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	struct run_summary *n;
	int k;

	va_start(ap, fmt);
	k = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (k < 0)
		return CE_ERR_NOMEM;
	n = realloc(rc->sum, (rc->nsum + 1) * sizeof(*n));
	if (n == NULL) {
		free(line);
		return CE_ERR_NOMEM;
	}
	rc->sum = n;
	rc->sum[rc->nsum++].line = line;
	return 0;
}

int run_summary_key(struct run_ctx *rc, const char *token, const char *label, const char *id_hex,
		    const uint8_t spki_sha256[32])
{
	char words[FINGERPRINT_WORDS_MAX_LEN];
	int r;

	r = ceremony_fingerprint_words(spki_sha256, words, sizeof(words));
	if (r < 0)
		return r;
	return run_summary_add(rc, "key   %s on '%s' (id %s): %s", label, token, id_hex, words);
}

void outputs_summary_print(struct run_ctx *rc)
{
	size_t i;

	console_say(rc->con, "%s", "");
	console_say(rc->con, "Summary of ceremony %s (%s):", rc->s->name, rc->ceremony_id);
	for (i = 0; i < rc->nsum; i++)
		console_say(rc->con, "  %s", rc->sum[i].line);
	if (rc->tkey)
		console_say(rc->con, "  transcript key: %s", rc->tkey_words);
	console_say(rc->con, "  transcript: %s", transcript_path(rc->t));
}

void outputs_summary_free(struct run_ctx *rc)
{
	size_t i;

	for (i = 0; i < rc->nsum; i++)
		free(rc->sum[i].line);
	free(rc->sum);
	rc->sum = NULL;
	rc->nsum = 0;
}
