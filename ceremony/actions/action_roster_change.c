/* SPDX-License-Identifier: Apache-2.0 */
/*
 * roster.change: a personnel change (policy 4.4.1) witnessed and written to
 * the transcript. The roster FILE is edited by people under change control,
 * not by this tool: an `add` records a grant the roster already carries (so
 * the person can act in later ceremonies), a `retire` records a withdrawal
 * the security officer then makes in the roster. The acting officer types
 * the person's id and the role; the person, when present, acknowledges.
 * Event role.assign (add) or role.revoke (retire) for the person. A retire
 * also removes the person's seat in that role for the rest of the ceremony.
 */
#include "ceremony/policy/policy.h"
#include "ceremony/run/run.h"
#include "ceremony/transcript/transcript.h"
#include "common/err.h"
#include "common/hex.h"

#include <stdio.h>
#include <string.h>

int action_roster_change(struct run_ctx *rc, const struct script_step *st)
{
	int r = CE_ERR_INTERNAL;
	const char *change = script_param_str(st, "change");
	const char *pid = script_param_str(st, "person");
	const char *rname = script_param_str(st, "role");
	const struct roster *ro = run_roster(rc);
	const struct roster_person *p;
	const struct run_seat *att;
	size_t natt = 0, i;
	int add, present = 0;
	enum role role;
	json_t *persons = NULL, *d = NULL;
	const char *roles[2] = { NULL, NULL };
	char key[96], prompt[256], sha[2 * YTREE_SHA256_BYTES + 1];

	if (change == NULL || pid == NULL || rname == NULL || role_parse(rname, &role) != 0) {
		r = ce_err_set(CE_ERR_INTERNAL, "step '%s': parameters missing", st->id);
		goto out;
	}
	add = strcmp(change, "add") == 0;
	p = roster_person_find(ro, pid);
	if (p == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "step '%s': '%s' is not in the roster %s", st->id,
			       pid, ro->path);
		goto out;
	}
	/* policy 4.2.3: the roster is the record of who holds which role. */
	if (add && !(p->roles & ROLE_BIT(role))) {
		r = ce_err_set(CE_ERR_POLICY, "step '%s': the roster %s does not grant %s the role "
				"%s: update the roster under change control first, then run this "
				"ceremony to witness the change", st->id, ro->path, pid, rname);
		goto out;
	}
	/* policy 4.3.2, 4.3.4: a new role holder is vetted and trained. */
	if (add && !policy_person_eligible(ro, p, run_today(rc))) {
		r = ce_err_set(CE_ERR_POLICY, "step '%s': %s's vetting or training is not current "
				"(policy 4.3.2, 4.3.4): the role cannot be granted", st->id, pid);
		goto out;
	}
	if (!add && !(p->roles & ROLE_BIT(role))) {
		r = ce_err_set(CE_ERR_POLICY, "step '%s': %s does not hold the role %s to retire",
			       st->id, pid, rname);
		goto out;
	}
	run_say(rc, "Personnel change: %s (%s) %s the role %s", p->name, pid,
		add ? "is granted" : "gives up", rname);
	snprintf(key, sizeof(key), "change.%s.person", st->id);
	snprintf(prompt, sizeof(prompt), "Type the id of the person whose role %s is %s:", rname,
		 add ? "granted" : "withdrawn");
	if ((r = run_confirm(rc, key, prompt, pid)) < 0)
		goto out;
	snprintf(key, sizeof(key), "change.%s.role", st->id);
	snprintf(prompt, sizeof(prompt), "Type the role %s %s:", add ? "granted to" : "withdrawn from",
		 pid);
	if ((r = run_confirm(rc, key, prompt, rname)) < 0)
		goto out;
	att = run_attendance(rc, &natt);
	for (i = 0; i < natt; i++)
		if (att[i].person == p)
			present = 1;
	if (present) {
		snprintf(key, sizeof(key), "ack.%s.%s", st->id, pid);
		snprintf(prompt, sizeof(prompt), "%s: type your id to acknowledge the change:", p->name);
		if ((r = run_confirm(rc, key, prompt, pid)) < 0)
			goto out;
	} else {
		run_say(rc, "%s is not present: the change is recorded without their acknowledgement",
			p->name);
	}
	if (add)
		roles[0] = rname;
	persons = json_array();
	if (persons == NULL ||
	    json_array_append_new(persons, transcript_person(p->id, p->name, roles)) != 0) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	hex_encode(ro->tree->sha256, YTREE_SHA256_BYTES, sha);
	d = json_pack("{s:s, s:s, s:b, s:s}", "role", rname, "change", change, "acknowledged",
		      present, "roster_sha256", sha);
	r = d != NULL ? run_event(rc, add ? "role.assign" : "role.revoke", persons, NULL, d)
		      : CE_ERR_NOMEM;
	if (r < 0)
		goto out;
	if (!add) {
		/* policy 4.2.3: the seat goes with the role, for the rest of this
		 * ceremony too (a retired key holder presents no share) */
		if (run_seat_retire(rc, p, role))
			run_say(rc, "%s no longer sits as %s in this ceremony.", p->name, rname);
		run_say(rc, "Remove %s from %s's roles in the roster %s (change control)", rname, pid,
			ro->path);
	}
	r = 0;
out:
	json_decref(persons);
	json_decref(d);
	return r;
}
