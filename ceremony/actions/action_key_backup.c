/* SPDX-License-Identifier: Apache-2.0 */
/*
 * key.backup: wrap an extractable token key under a fresh AES-256 key drawn
 * from the token's RNG; the wrapping key exists afterwards only as shares
 * issued to the step's key holders (docs/script-format.md section 5; the
 * file: docs/backup-format.md).
 *
 * Order: the output path is checked free first; the key is wrapped in
 * memory; the shares are issued and typed back; only then is the file
 * written (no clobber). An abort at any prompt leaves no file, and a file
 * never exists without verified shares of its wrapping key.
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/actions/backup.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "common/secmem.h"

#include <stdlib.h>
#include <string.h>

/* The session object p11_key_import_aes makes (destroyed right after use). */
#define WRAP_KEY_URI "pkcs11:object=ceremony-wrapping-key;type=secret-key"

/* The wrapping key from the token's RNG (wlen bytes into *wkey, secmem
 * owned by the caller), imported into the session just long enough to wrap
 * key into b->blob, then destroyed there: only its shares will remain. */
static int backup_wrap(struct run_ctx *rc, struct p11_session *s, const char *token,
		       const char *label, const struct p11_key *key, size_t wlen, uint8_t **wkey,
		       struct backup *b)
{
	struct p11_key *wk = NULL;
	int r = CE_ERR_INTERNAL;

	*wkey = secmem_alloc(wlen);
	if (*wkey == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if ((r = p11_session_random(s, *wkey, wlen)) < 0 ||
	    (r = p11_key_import_aes(s, *wkey, wlen, &wk)) < 0)
		goto out;
	run_progress_begin(rc, "wrapping '%s' on %s under a new %s key", label, token,
			   wlen == 16 ? "AES-128" : "AES-256");
	r = p11_key_wrap(wk, key, &b->blob, &b->blob_len);
	run_progress_end(rc, r);
	if (r < 0)
		goto out;
	/* The wrapping key leaves the token's session now: only shares remain. */
	r = p11_object_destroy(s, WRAP_KEY_URI);
	p11_key_free(wk);
	wk = NULL;
out:
	if (wk != NULL) {
		/* Failed between import and destroy: do not leave it in the session. */
		if (p11_object_destroy(s, WRAP_KEY_URI) < 0)
			run_say(rc, "warning: the wrapping key could not be destroyed; it goes when "
				    "the session closes");
		p11_key_free(wk);
	}
	return r;
}

/* The backup file's fields but the blob: the key's type, id, public key,
 * label, the wrapping secret, this ceremony, now. */
static int backup_fill(struct run_ctx *rc, const struct p11_key *key, const char *label,
		       const char *token, const struct script_secret *sec, struct backup *b)
{
	const uint8_t *idp;
	int r = CE_ERR_INTERNAL;

	b->key_type = p11_key_type(key);
	idp = p11_key_id(key, &b->id_len);
	if (idp == NULL || b->id_len == 0 || b->id_len > sizeof(b->id)) {
		r = ce_err_set(CE_ERR_FORMAT, "key '%s' on %s has no usable CKA_ID", label, token);
		goto out;
	}
	memcpy(b->id, idp, b->id_len);
	if ((r = p11_key_public_pem(key, &b->public_key_pem)) < 0 ||
	    (r = p11_key_public_fingerprint(key, b->public_key_sha256)) < 0)
		goto out;
	b->label = strdup(label);
	b->wrap_secret_name = strdup(sec->name);
	b->wrap_kind = strdup(secret_kind_name(sec->kind));
	b->ceremony_id = strdup(run_ceremony_id(rc));
	b->created = malloc(32);
	if (b->label == NULL || b->wrap_secret_name == NULL || b->wrap_kind == NULL ||
	    b->ceremony_id == NULL || b->created == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	action_util_time_str(time(NULL), b->created, 32);
	r = 0;
out:
	return r;
}

/* The file recorded: output.written, the step's `backup` detail, the words
 * of the public key said. */
static int backup_record(struct run_ctx *rc, const char *path, const struct p11_key *key,
			 const char *label, const struct script_secret *sec,
			 const struct backup *b, const char *doc, size_t doc_len)
{
	char sha[65], words[FINGERPRINT_WORDS_MAX_LEN], id[2 * P11_ID_MAX_BYTES + 1];
	json_t *detail = NULL;
	int r = CE_ERR_INTERNAL;

	r = run_output_record(rc, path, doc, doc_len);
	if (r < 0)
		goto out;
	hex_encode(b->public_key_sha256, 32, sha);
	action_util_key_id_hex(key, id, sizeof(id));
	if (ceremony_fingerprint_words(b->public_key_sha256, words, sizeof(words)) < 0)
		words[0] = '\0';
	detail = json_pack("{s:s, s:s, s:s, s:s, s:s}", "file", action_util_base(path), "label",
			   label, "id", id, "public_key_sha256", sha, "wrap_key_secret", sec->name);
	r = detail != NULL ? run_step_detail(rc, "backup", detail) : CE_ERR_NOMEM;
	if (r < 0)
		goto out;
	run_say(rc, "Key '%s' (public key %s) wrapped into %s", label, words, path);
	r = 0;
out:
	json_decref(detail);
	return r;
}

/* The step's secret, which must be an AES key. */
static int wrap_secret(struct run_ctx *rc, const struct script_step *st,
		       const struct script_secret **out)
{
	const struct script_secret *sec = script_secret_find(run_script(rc),
							     script_param_str(st, "wrap-key"));

	if (sec == NULL)
		return ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
	if (sec->kind != SECRET_AES256 && sec->kind != SECRET_AES128)
		return ce_err_set(CE_ERR_UNSUPPORTED, "step '%s': secret '%s' is %s: a wrapping key "
				  "is aes-128 or aes-256", st->id, sec->name,
				  secret_kind_name(sec->kind));
	*out = sec;
	return 0;
}

int action_key_backup(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *label = script_param_str(st, "key");
	const char *output = script_param_str(st, "output");
	const struct script_secret *sec = NULL;
	struct script_layout layout;
	struct p11_session *s = NULL;
	struct p11_key *key = NULL;
	struct p11_key_attrs attrs;
	struct backup b;
	uint8_t *wkey = NULL;
	size_t wlen, doc_len = 0; /* wlen: the secret's size: 16 (aes-128) or 32 (aes-256) */
	char *path = NULL, *doc = NULL;

	memset(&b, 0, sizeof(b));
	if (token == NULL || label == NULL || script_param_str(st, "wrap-key") == NULL ||
	    output == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	r = wrap_secret(rc, st, &sec);
	if (r < 0)
		goto out;
	wlen = sec->kind == SECRET_AES128 ? 16 : 32;
	if ((r = run_output_path(rc, output, &path)) < 0 || (r = run_session(rc, token, &s)) < 0 ||
	    (r = run_key_find(rc, token, label, &key)) < 0 || (r = p11_key_attrs(key, &attrs)) < 0)
		goto out;
	if (!attrs.extractable) {
		r = ce_err_set(CE_ERR_POLICY, "step '%s': key '%s' on %s is not extractable: only a "
				"key generated with `extractable: true` can be backed up", st->id,
				label, token);
		goto out;
	}
	if ((r = backup_wrap(rc, s, token, label, key, wlen, &wkey, &b)) < 0 ||
	    (r = backup_fill(rc, key, label, token, sec, &b)) < 0 ||
	    (r = backup_encode(&b, &doc, &doc_len)) < 0)
		goto out;
	/* The shares of the wrapping key, each typed back by its holder. */
	script_step_issue_layout(st, sec, &layout);
	r = run_shares_issue(rc, sec, &layout, wkey, wlen);
	if (r < 0)
		goto out;
	secmem_free(wkey);
	wkey = NULL;
	r = outfile_write_all(path, 0600, doc, doc_len);
	if (r < 0)
		goto out;
	r = backup_record(rc, path, key, label, sec, &b, doc, doc_len);
out:
	secmem_free(wkey);
	p11_key_free(key);
	backup_clear(&b);
	free(doc);
	free(path);
	return r;
}
