/* SPDX-License-Identifier: Apache-2.0 */
/*
 * key.destroy: after the operator types the key's label twice, the private
 * key, its public key and any certificate with the same CKA_ID are
 * destroyed; the key is then looked for again and must be gone. Event
 * key.destroyed (label, id, public_key_sha256, objects destroyed).
 */
#include "ceremony/actions/action_util.h"
#include "ceremony/run/run.h"
#include "common/err.h"
#include "common/hex.h"

#include <stdio.h>
#include <string.h>


int action_key_destroy(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *token = script_param_str(st, "token");
	const char *label = script_param_str(st, "key");
	struct p11_session *s = NULL;
	struct p11_key *key = NULL, *again = NULL;
	struct p11_object *objs = NULL;
	size_t nobjs = 0, i, kid_len = 0;
	const uint8_t *kid;
	uint8_t spki[32];
	json_t *destroyed = json_array();
	char own_tkey[64], key_name[96], prompt[256], id[2 * P11_ID_MAX_BYTES + 1], sha[65];

	if (destroyed == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (token == NULL || label == NULL) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	/* This ceremony's own transcript key is the runner's (RUNNER.md): it
	 * destroys it after signing. A transcript key left by a crashed ceremony
	 * (another id) is what the recovery ceremony destroys
	 * (scripts/recover-transcript-key.yaml, docs/runbook-hsm-admin.md 4). */
	snprintf(own_tkey, sizeof(own_tkey), "ceremony-transcript-%.8s", run_ceremony_id(rc));
	if (strcmp(label, own_tkey) == 0) {
		r = ce_err_set(CE_ERR_POLICY, "step '%s': '%s' is this ceremony's transcript key: "
				"the runner destroys it after signing", st->id, label);
		goto out;
	}
	if ((r = run_session(rc, token, &s)) < 0 || (r = run_key_find(rc, token, label, &key)) < 0 ||
	    (r = p11_key_public_fingerprint(key, spki)) < 0)
		goto out;
	action_util_key_id_hex(key, id, sizeof(id));
	hex_encode(spki, sizeof(spki), sha);
	run_say(rc, "About to destroy %s key '%s' (id %s) on %s. This cannot be undone.",
		p11_key_type_name(p11_key_type(key)), label, id, token);
	/* Double confirmation: the label typed twice. */
	snprintf(key_name, sizeof(key_name), "destroy.%s.1", st->id);
	snprintf(prompt, sizeof(prompt), "Type the label of the key to destroy:");
	r = run_confirm(rc, key_name, prompt, label);
	if (r < 0)
		goto out;
	snprintf(key_name, sizeof(key_name), "destroy.%s.2", st->id);
	snprintf(prompt, sizeof(prompt), "Type the label again to destroy '%s' for good:", label);
	r = run_confirm(rc, key_name, prompt, label);
	if (r < 0)
		goto out;
	kid = p11_key_id(key, &kid_len);
	r = p11_session_objects(s, NULL, &objs, &nobjs);
	if (r < 0)
		goto out;
	/* Certificates first, the private key last: an interruption leaves the
	 * key findable for another try. */
	for (int pass = 0; pass < 3; pass++) {
		static const char *const order[] = { "certificate", "public-key", "private-key" };

		for (i = 0; i < nobjs; i++) {
			const struct p11_object *o = &objs[i];
			int same_id = kid != NULL && o->id_len == kid_len && o->id != NULL &&
				      memcmp(o->id, kid, kid_len) == 0;

			if (strcmp(o->cls, order[pass]) != 0 || !same_id)
				continue;
			if (pass > 0 && strcmp(o->label, label) != 0)
				continue;
			r = p11_object_destroy(s, o->uri);
			if (r < 0)
				goto out;
			if (json_array_append_new(destroyed, json_string(o->cls)) != 0) {
				r = ce_err_set(CE_ERR_NOMEM, "out of memory");
				goto out;
			}
		}
	}
	p11_key_free(key);
	key = NULL;
	/* It must be gone. */
	r = run_key_find(rc, token, label, &again);
	if (r == 0) {
		r = ce_err_set(CE_ERR_STATE, "step '%s': key '%s' is still on %s after C_DestroyObject",
			       st->id, label, token);
		goto out;
	}
	if (r != CE_ERR_NOT_FOUND)
		goto out;
	ce_err_clear();
	r = action_util_event(rc, "key.destroyed", NULL,
			      json_pack("{s:s, s:s, s:s, s:s, s:O}", "label", label, "id", id,
					"public_key_sha256", sha, "token", token, "objects",
					destroyed));
	if (r < 0)
		goto out;
	run_say(rc, "Key '%s' destroyed on %s (%zu objects)", label, token,
		json_array_size(destroyed));
	r = 0;
out:
	p11_objects_free(objs, nobjs);
	p11_key_free(again);
	p11_key_free(key);
	json_decref(destroyed);
	return r;
}
