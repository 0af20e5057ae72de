/* SPDX-License-Identifier: Apache-2.0 */
/*
 * key.restore: a quorum of wrapping-key holders recovers the AES key; the
 * backup file's blob is unwrapped onto the target token with the public key
 * the file carries (docs/script-format.md section 5, docs/backup-format.md).
 * p11_key_unwrap checks the restored key by a test signature against that
 * public key and leaves nothing on the token on any failure; the public key
 * is then checked against the file's public_key_sha256 (and its words shown
 * for the witnesses to compare with the backup ceremony's paper log).
 * Event: key.generated with restored_from (the file) and backup_ceremony_id.
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/actions/backup.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/run/run.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"

#include <stdlib.h>
#include <string.h>

#define WRAP_KEY_URI "pkcs11:object=ceremony-wrapping-key;type=secret-key"

/* Remove a restored key pair (its private and public objects, by id). */
static int restored_remove(struct p11_session *s, const struct p11_key *key)
{
	int r = CE_ERR_INTERNAL;
	size_t id_len = 0, i;
	const uint8_t *id = p11_key_id(key, &id_len);
	char pct[3 * P11_ID_MAX_BYTES + 1], uri[3 * P11_ID_MAX_BYTES + 64];

	if (id == NULL || id_len == 0 || id_len > P11_ID_MAX_BYTES) {
		r = ce_err_set(CE_ERR_STATE, "the restored key has no id");
		goto out;
	}
	/* RFC 7512: the id percent-encoded byte by byte. */
	for (i = 0; i < id_len; i++)
		snprintf(pct + 3 * i, 4, "%%%02x", id[i]);
	snprintf(uri, sizeof(uri), "pkcs11:type=private;id=%s", pct);
	r = p11_object_destroy(s, uri);
	if (r < 0)
		goto out;
	snprintf(uri, sizeof(uri), "pkcs11:type=public;id=%s", pct);
	r = p11_object_destroy(s, uri);
out:
	return r;
}

/* The backup file at path read and decoded into *b, checked against the
 * step's secret (its name and kind), its SHA-256 into file_sha; what it
 * holds is said for the witnesses. */
static int restore_file_load(struct run_ctx *rc, const struct script_step *st, const char *path,
			     const char *input, const struct script_secret *sec, struct backup *b,
			     char file_sha[65])
{
	char words[FINGERPRINT_WORDS_MAX_LEN];
	struct buf file;
	int r = CE_ERR_INTERNAL;

	buf_init(&file, BACKUP_MAX_BYTES);
	if ((r = buf_read_file(&file, path, BACKUP_MAX_BYTES)) < 0 ||
	    (r = backup_decode(path, file.p, file.len, b)) < 0 ||
	    (r = action_util_file_sha256_hex(path, file_sha)) < 0)
		goto out;
	if (strcmp(b->wrap_secret_name, sec->name) != 0) {
		r = ce_err_set(CE_ERR_MISMATCH, "step '%s': %s was wrapped under the shares of '%s', "
				"the step names '%s'", st->id, path, b->wrap_secret_name, sec->name);
		goto out;
	}
	if ((sec->kind != SECRET_AES256 && sec->kind != SECRET_AES128) ||
	    strcmp(b->wrap_kind, secret_kind_name(sec->kind)) != 0) {
		r = ce_err_set(CE_ERR_MISMATCH, "step '%s': secret '%s' is %s, the file says it was "
				"wrapped under %s", st->id, sec->name,
				secret_kind_name(sec->kind), b->wrap_kind);
		goto out;
	}
	if (ceremony_fingerprint_words(b->public_key_sha256, words, sizeof(words)) < 0)
		words[0] = '\0';
	run_say(rc, "Backup %s: %s key '%s', made in ceremony %s at %s", input,
		p11_key_type_name(b->key_type), b->label, b->ceremony_id, b->created);
	run_say(rc, "  public key fingerprint: %s", words);
	r = 0;
out:
	buf_free(&file);
	return r;
}

/* The wrapping key from a quorum of its holders, imported into s (*wk).
 * The recovered bytes are wiped before return. */
static int wrap_key_recover(struct run_ctx *rc, struct p11_session *s,
			    const struct script_secret *sec, struct p11_key **wk)
{
	uint8_t *wkey = NULL;
	size_t wlen = 0;
	int r = CE_ERR_INTERNAL;

	r = run_shares_collect(rc, sec, &wkey, &wlen);
	if (r < 0)
		goto out;
	if (wlen != (sec->kind == SECRET_AES128 ? 16u : 32u)) {
		r = ce_err_set(CE_ERR_FORMAT, "secret '%s' is %zu bytes, not an %s key", sec->name,
			       wlen, secret_kind_name(sec->kind));
		goto out;
	}
	r = p11_key_import_aes(s, wkey, wlen, wk);
out:
	secmem_free(wkey);
	return r;
}

/* key.generated with where it was restored from, the summary line. */
static int restore_record(struct run_ctx *rc, const char *token, const char *path,
			  const char *file_sha, const struct backup *b, const struct p11_unwrap *u,
			  const struct p11_key *key, const uint8_t got[32])
{
	char sha[65], words[FINGERPRINT_WORDS_MAX_LEN], id[2 * P11_ID_MAX_BYTES + 1];
	int r = CE_ERR_INTERNAL;

	hex_encode(got, 32, sha);
	action_util_key_id_hex(key, id, sizeof(id));
	r = action_util_event(rc, "key.generated", NULL,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
					"key_type", p11_key_type_name(b->key_type), "label", u->label,
					"id", id, "public_key_sha256", sha, "restored_from",
					action_util_base(path), "backup_sha256", file_sha,
					"backup_ceremony_id", b->ceremony_id, "token", token,
					"extractable", 0));
	if (r < 0)
		goto out;
	r = run_summary_key(rc, token, u->label, id, got);
	if (r < 0)
		goto out;
	if (ceremony_fingerprint_words(b->public_key_sha256, words, sizeof(words)) < 0)
		words[0] = '\0';
	run_say(rc, "Key '%s' restored on %s: public key %s", u->label, token, words);
	r = 0;
out:
	return r;
}

int action_key_restore(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *input = script_param_str(st, "input");
	const char *secname = script_param_str(st, "wrap-key");
	const char *label = script_param_str(st, "label");
	const struct script_secret *sec = NULL;
	struct p11_session *s = NULL;
	struct p11_key *wk = NULL, *key = NULL;
	struct p11_unwrap u;
	struct backup b;
	uint8_t got[32];
	char *path = NULL, file_sha[65];

	memset(&b, 0, sizeof(b));
	memset(&u, 0, sizeof(u));
	if (token == NULL || input == NULL || secname == NULL ||
	    (sec = script_secret_find(run_script(rc), secname)) == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	if ((r = run_input_path(rc, input, &path)) < 0 ||
	    (r = restore_file_load(rc, st, path, input, sec, &b, file_sha)) < 0 ||
	    (r = run_session(rc, token, &s)) < 0 || (r = wrap_key_recover(rc, s, sec, &wk)) < 0)
		goto out;
	u.type = b.key_type;
	u.label = label != NULL ? label : b.label;
	u.id = b.id;
	u.id_len = b.id_len;
	/* The restored copy stays in its token: back up again from the file. */
	u.extractable = 0;
	u.public_pem = b.public_key_pem;
	run_progress_begin(rc, "unwrapping '%s' onto %s", u.label, token);
	r = p11_key_unwrap(s, wk, b.blob, b.blob_len, &u, &key);
	run_progress_end(rc, r);
	if (r < 0) {
		ce_err_prefix(r, "step '%s': %s", st->id, input);
		goto out;
	}
	r = p11_key_public_fingerprint(key, got);
	if (r < 0)
		goto out;
	if (memcmp(got, b.public_key_sha256, 32) != 0) {
		/* p11_key_unwrap checked the key against the PEM, and backup_decode
		 * the PEM against the hash: this is a broken token. */
		if (restored_remove(s, key) < 0)
			run_say(rc, "warning: could not remove the restored key: %s", ce_err_detail());
		r = ce_err_set(CE_ERR_VERIFY, "step '%s': the restored key's public key is not the "
				"one in %s", st->id, input);
		goto out;
	}
	r = restore_record(rc, token, path, file_sha, &b, &u, key, got);
out:
	if (wk != NULL) {
		if (p11_object_destroy(s, WRAP_KEY_URI) < 0)
			run_say(rc, "warning: the wrapping key could not be destroyed; it goes when "
				    "the session closes");
		p11_key_free(wk);
	}
	p11_key_free(key);
	backup_clear(&b);
	free(path);
	return r;
}
