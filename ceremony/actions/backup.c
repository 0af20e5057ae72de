/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/actions/backup.h"

#include "ceremony/model/script.h"
#include "ceremony/transcript/transcript.h"
#include "common/err.h"
#include "common/hex.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

static const char *const backup_fields[] = {
	"format",         "version",           "ceremony_id",    "created",
	"key_type",       "label",             "id",             "public_key_pem",
	"public_key_sha256", "wrap_mechanism", "wrap_key_kind",  "wrap_key_secret",
	"wrapped_key",    NULL,
};

static int b64_encode(const uint8_t *in, size_t n, char **out)
{
	size_t cap = 4 * ((n + 2) / 3) + 1;
	char *s = malloc(cap);

	*out = NULL;
	if (s == NULL || n > (size_t)INT32_MAX / 2) {
		free(s);
		return ce_err_set(CE_ERR_NOMEM, "out of memory");
	}
	EVP_EncodeBlock((unsigned char *)s, in, (int)n);
	*out = s;
	return 0;
}

static int b64_decode(const char *name, const char *in, uint8_t **out, size_t *out_len)
{
	size_t n = strlen(in), pad = 0, i;
	uint8_t *b = NULL;
	int got;

	*out = NULL;
	*out_len = 0;
	for (i = 0; i < n; i++) {
		char c = in[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 c == '+' || c == '/' || (c == '=' && i + 2 >= n);

		if (!ok)
			break;
	}
	if (n == 0 || n % 4 != 0 || i != n)
		return ce_err_set(CE_ERR_FORMAT, "%s: wrapped_key is not base64", name);
	pad = (in[n - 1] == '=') + (in[n - 2] == '=');
	if (in[n - 2] == '=' && in[n - 1] != '=')
		return ce_err_set(CE_ERR_FORMAT, "%s: wrapped_key is not base64", name);
	b = malloc(n / 4 * 3 + 1);
	if (b == NULL)
		return ce_err_set(CE_ERR_NOMEM, "out of memory");
	got = EVP_DecodeBlock(b, (const unsigned char *)in, (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(b);
		return ce_err_set(CE_ERR_FORMAT, "%s: wrapped_key is not base64", name);
	}
	*out = b;
	*out_len = (size_t)got - pad;
	return 0;
}

static int spki_sha256_of_pem(const char *pem, uint8_t out[32])
{
	int r = CE_ERR_INTERNAL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pk = NULL;

	if (bio == NULL || (pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL) {
		r = CE_ERR_FORMAT;
		goto out;
	}
	r = transcript_spki_sha256(pk, out);
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	return r;
}

int backup_encode(const struct backup *b, char **out, size_t *len)
{
	int r = CE_ERR_INTERNAL;
	json_t *o = NULL;
	char *blob64 = NULL, *s = NULL;
	char id[2 * P11_ID_MAX_BYTES + 1], sha[65];

	*out = NULL;
	*len = 0;
	if (b->label == NULL || b->public_key_pem == NULL || b->wrap_secret_name == NULL ||
	    b->wrap_kind == NULL || b->ceremony_id == NULL || b->created == NULL ||
	    b->blob == NULL || b->id_len == 0 || b->id_len > P11_ID_MAX_BYTES) {
		r = ce_err_set(CE_ERR_INVALID, "backup: a field is missing");
		goto out;
	}
	r = b64_encode(b->blob, b->blob_len, &blob64);
	if (r < 0)
		goto out;
	hex_encode(b->id, b->id_len, id);
	hex_encode(b->public_key_sha256, 32, sha);
	o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		      "format", BACKUP_FORMAT_NAME, "version", BACKUP_VERSION, "ceremony_id",
		      b->ceremony_id, "created", b->created, "key_type",
		      p11_key_type_name(b->key_type), "label", b->label, "id", id,
		      "public_key_pem", b->public_key_pem, "public_key_sha256", sha,
		      "wrap_mechanism", BACKUP_MECHANISM, "wrap_key_kind", b->wrap_kind,
		      "wrap_key_secret", b->wrap_secret_name, "wrapped_key", blob64);
	if (o == NULL || (s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS |
					     JSON_ENSURE_ASCII)) == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	*len = strlen(s);
	/* One newline at the end, like every text file. */
	{
		char *t = realloc(s, *len + 2);

		if (t == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
		s = t;
		s[(*len)++] = '\n';
		s[*len] = '\0';
	}
	*out = s;
	s = NULL; /* transferred */
	r = 0;
out:
	free(s);
	free(blob64);
	json_decref(o);
	return r;
}

static const char *field_str(const char *name, json_t *o, const char *key, int *r)
{
	json_t *v = json_object_get(o, key);

	if (*r < 0)
		return NULL;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		*r = ce_err_set(CE_ERR_FORMAT, "%s: field %s missing or not a non-empty string", name,
				key);
		return NULL;
	}
	return json_string_value(v);
}

static char *dup_or_fail(const char *s, int *r)
{
	char *d;

	if (*r < 0 || s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*r = ce_err_set(CE_ERR_NOMEM, "out of memory");
	return d;
}

int backup_decode(const char *name, const char *data, size_t len, struct backup *out)
{
	int r = CE_ERR_INTERNAL;
	struct backup b;
	json_t *o = NULL, *ver;
	json_error_t jerr;
	const char *key, *s;
	json_t *val;
	uint8_t sha[32], want[32];
	size_t n = 0, i;

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	if (len > BACKUP_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "%s: larger than %u bytes", name, BACKUP_MAX_BYTES);
		goto out;
	}
	o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		r = ce_err_set(CE_ERR_FORMAT, "%s:%d:%d: not a key backup document: %s", name,
			       o == NULL ? jerr.line : 1, o == NULL ? jerr.column : 1,
			       o == NULL ? jerr.text : "not a JSON object");
		goto out;
	}
	json_object_foreach(o, key, val) {
		for (i = 0; backup_fields[i] != NULL; i++)
			if (strcmp(key, backup_fields[i]) == 0)
				break;
		if (backup_fields[i] == NULL) {
			r = ce_err_set(CE_ERR_FORMAT, "%s: unknown field \"%.40s\"", name, key);
			goto out;
		}
	}
	r = 0;
	s = field_str(name, o, "format", &r);
	if (r == 0 && strcmp(s, BACKUP_FORMAT_NAME) != 0)
		r = ce_err_set(CE_ERR_FORMAT, "%s: format is \"%.40s\", not %s", name, s,
			       BACKUP_FORMAT_NAME);
	ver = json_object_get(o, "version");
	if (r == 0 && !json_is_integer(ver))
		r = ce_err_set(CE_ERR_FORMAT, "%s: field version missing or not an integer", name);
	if (r == 0 && json_integer_value(ver) != BACKUP_VERSION)
		r = ce_err_set(CE_ERR_UNSUPPORTED, "%s: backup format version %lld (this build reads %d)",
			       name, (long long)json_integer_value(ver), BACKUP_VERSION);
	s = field_str(name, o, "wrap_mechanism", &r);
	if (r == 0 && strcmp(s, BACKUP_MECHANISM) != 0)
		r = ce_err_set(CE_ERR_UNSUPPORTED, "%s: wrapped with %.40s (this build unwraps %s)",
			       name, s, BACKUP_MECHANISM);
	s = field_str(name, o, "key_type", &r);
	if (r == 0 && (p11_key_type_parse(s, &b.key_type) != 0 || b.key_type == P11_KEY_AES_256))
		r = ce_err_set(CE_ERR_FORMAT, "%s: key_type \"%.40s\" is not a key-pair type", name, s);
	b.label = dup_or_fail(field_str(name, o, "label", &r), &r);
	if (r == 0 && strlen(b.label) > P11_LABEL_MAX_BYTES)
		r = ce_err_set(CE_ERR_FORMAT, "%s: label longer than %d bytes", name,
			       P11_LABEL_MAX_BYTES);
	s = field_str(name, o, "id", &r);
	if (r == 0 && hex_decode(s, strlen(s), b.id, sizeof(b.id), &b.id_len) != 0)
		r = ce_err_set(CE_ERR_FORMAT, "%s: id is not hex (1..%d bytes)", name,
			       P11_ID_MAX_BYTES);
	b.public_key_pem = dup_or_fail(field_str(name, o, "public_key_pem", &r), &r);
	s = field_str(name, o, "public_key_sha256", &r);
	if (r == 0 && (strlen(s) != 64 || hex_decode(s, 64, want, sizeof(want), &n) != 0))
		r = ce_err_set(CE_ERR_FORMAT, "%s: public_key_sha256 is not 64 hex digits", name);
	if (r == 0 && spki_sha256_of_pem(b.public_key_pem, sha) != 0)
		r = ce_err_set(CE_ERR_FORMAT, "%s: public_key_pem is not a PEM public key", name);
	if (r == 0 && memcmp(sha, want, 32) != 0)
		r = ce_err_set(CE_ERR_VERIFY, "%s: public_key_sha256 is not the SHA-256 of "
					      "public_key_pem", name);
	if (r == 0)
		memcpy(b.public_key_sha256, sha, 32);
	b.wrap_kind = dup_or_fail(field_str(name, o, "wrap_key_kind", &r), &r);
	b.wrap_secret_name = dup_or_fail(field_str(name, o, "wrap_key_secret", &r), &r);
	if (r == 0 && !script_name_valid(b.wrap_secret_name))
		r = ce_err_set(CE_ERR_FORMAT, "%s: wrap_key_secret is not a name", name);
	b.ceremony_id = dup_or_fail(field_str(name, o, "ceremony_id", &r), &r);
	b.created = dup_or_fail(field_str(name, o, "created", &r), &r);
	s = field_str(name, o, "wrapped_key", &r);
	if (r == 0)
		r = b64_decode(name, s, &b.blob, &b.blob_len);
	if (r < 0)
		goto out;
	if (b.blob_len < 16) {
		r = ce_err_set(CE_ERR_FORMAT, "%s: wrapped_key is too short", name);
		goto out;
	}
	*out = b;
	memset(&b, 0, sizeof(b)); /* transferred */
	r = 0;
out:
	backup_clear(&b);
	json_decref(o);
	return r;
}

void backup_clear(struct backup *b)
{
	free(b->label);
	free(b->public_key_pem);
	free(b->wrap_secret_name);
	free(b->wrap_kind);
	free(b->ceremony_id);
	free(b->created);
	free(b->blob);
	memset(b, 0, sizeof(*b));
}
