/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/actions/action_basic.c - actions that touch no HSM: attendance (the
 * identity check; the runner seats the persons before the step), checklist,
 * fingerprint.
 */
#include "ceremony/run/console.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/jtext.h"
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/hex.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/x509.h"
#include "ceremony/transcript/transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int action_attendance(struct run_ctx *rc, const struct script_step *st)
{
	const char *check = script_param_str(st, "identity-check");
	const struct run_seat *att, *actors;
	json_t *v = NULL;
	char key[CONSOLE_KEY_MAX], prompt[512];
	size_t n, na, i;
	int r = CE_ERR_INTERNAL;

	if (check == NULL)
		check = "photo ID";
	att = run_attendance(rc, &n);
	actors = run_step_actors(rc, &na);
	run_say(rc, "Present:");
	for (i = 0; i < n; i++)
		run_say(rc, "  %-12s %-24s %s", att[i].person->id, att[i].person->name,
			role_name(att[i].role));
	for (i = 0; i < na; i++) {
		snprintf(key, sizeof(key), "identity.%s.%s", st->id, actors[i].person->id);
		snprintf(prompt, sizeof(prompt),
			 "%s: every person's %s checked against the roster? type \"confirm\":",
			 actors[i].person->name, check);
		r = run_confirm(rc, key, prompt, "confirm");
		if (r < 0)
			goto out;
	}
	v = json_string(check);
	r = v == NULL ? CE_ERR_NOMEM : run_step_detail(rc, "identity_check", v);
out:
	json_decref(v);
	return r;
}

int action_checklist(struct run_ctx *rc, const struct script_step *st)
{
	const struct ynode *items = script_param(st, "items"), *it, *text, *rec;
	json_t *records = NULL, *v = NULL;
	char key[CONSOLE_KEY_MAX], prompt[1024], ans[RUN_ANSWER_MAX];
	size_t i;
	int r = CE_ERR_INTERNAL;

	records = json_object();
	if (records == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; items != NULL && i < items->n; i++) {
		it = items->kids[i];
		text = it->type == YNODE_SCALAR ? it : ynode_get(it, "text");
		rec = it->type == YNODE_MAP ? ynode_get(it, "record") : NULL;
		run_say(rc, "  %zu/%zu. %s", i + 1, items->n, text != NULL ? text->str : "");
		if (rec != NULL) {
			snprintf(key, sizeof(key), "record.%s.%s", st->id, rec->str);
			snprintf(prompt, sizeof(prompt), "%s?", text != NULL ? text->str : rec->str);
			r = run_ask(rc, key, prompt, ans, sizeof(ans));
			if (r < 0)
				goto out;
			v = jtext(ans); /* typed: a terminal may send Latin-1 */
			if (v == NULL || json_object_set_new(records, rec->str, v) != 0) {
				r = CE_ERR_NOMEM;
				goto out;
			}
		} else {
			snprintf(key, sizeof(key), "item.%s.%zu", st->id, i + 1);
			r = run_confirm(rc, key, "Done and seen by the witnesses? type \"confirm\":",
					"confirm");
			if (r < 0)
				goto out;
		}
	}
	r = 0;
	if (json_object_size(records) > 0)
		r = run_step_detail(rc, "records", records);
out:
	json_decref(records);
	return r;
}

/* SHA-256 of what the fingerprint step names: a certificate's DER (PEM
 * file holding a certificate), any other file's bytes, or a token key's
 * public key (DER SPKI). */
static int fingerprint_of(struct run_ctx *rc, const struct script_step *st, uint8_t h[32],
			  char *what, size_t cap, const char **kind)
{
	const char *file = script_param_str(st, "file"), *key = script_param_str(st, "key");
	const char *tok = script_param_str(st, "token");
	char *path = NULL, fpr[X509_FPR_HEX_BYTES];
	void *x = NULL;
	struct p11_key *k = NULL;
	size_t hl = 0;
	int r = CE_ERR_INTERNAL;

	if (file != NULL) {
		r = run_input_path(rc, file, &path);
		if (r < 0)
			goto out;
		snprintf(what, cap, "%s", file);
		if (x509_pem_read(path, X509_KIND_CERT, NULL, &x) == 0) {
			r = x509_fingerprint(X509_KIND_CERT, x, fpr);
			if (r < 0)
				goto out;
			r = hex_decode(fpr, 64, h, 32, &hl);
			*kind = "certificate";
		} else {
			ce_err_clear();
			r = transcript_file_sha256(path, h, NULL);
			*kind = "file";
		}
		goto out;
	}
	if (key == NULL || tok == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "step %s: fingerprint needs file, or token and key",
			       st->id);
		goto out;
	}
	r = run_key_find(rc, tok, key, &k);
	if (r < 0)
		goto out;
	r = p11_key_public_fingerprint(k, h);
	snprintf(what, cap, "%s on %s", key, tok);
	*kind = "public key";
out:
	X509_free(x);
	p11_key_free(k);
	free(path);
	return r;
}

int action_fingerprint(struct run_ctx *rc, const struct script_step *st)
{
	uint8_t h[32];
	char hex[65], words[FINGERPRINT_WORDS_MAX_LEN], what[512], key[CONSOLE_KEY_MAX],
		prompt[512];
	const char *kind = "";
	const struct run_seat *w;
	json_t *d = NULL;
	size_t nw, i;
	int r = CE_ERR_INTERNAL;

	r = fingerprint_of(rc, st, h, what, sizeof(what), &kind);
	if (r < 0)
		goto out;
	hex_encode(h, 32, hex);
	r = ceremony_fingerprint_words(h, words, sizeof(words));
	if (r < 0)
		goto out;
	run_say(rc, "SHA-256 of the %s %s:", kind, what);
	run_say(rc, "    %s", hex);
	run_say(rc, "Read aloud and written on the paper log:");
	run_say(rc, "    %s", words);
	w = run_step_witnesses(rc, &nw);
	for (i = 0; i < nw; i++) {
		snprintf(key, sizeof(key), "fingerprint.%s.%s", st->id, w[i].person->id);
		snprintf(prompt, sizeof(prompt),
			 "%s: the words read aloud match the screen and are on the paper log? type "
			 "\"confirm\":",
			 w[i].person->name);
		r = run_confirm(rc, key, prompt, "confirm");
		if (r < 0)
			goto out;
	}
	d = json_pack("{s:s, s:s, s:s, s:s}", "of", what, "kind", kind, "sha256", hex, "words",
		      words);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_step_detail(rc, "fingerprint", d);
	if (r < 0)
		goto out;
	r = run_summary_add(rc, "fingerprint %s %s: %s", kind, what, words) < 0 ? CE_ERR_NOMEM : 0;
out:
	json_decref(d);
	return r;
}
