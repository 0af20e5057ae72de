/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/action_table.c - the actions this build implements
 * (run_actions[], ceremony/run/run.h): one entry per action of
 * ceremony/actions/action_*.c.
 */
#include "ceremony/run/run.h"

#include <string.h>

const struct run_action run_actions[] = {
	{ "attendance", action_attendance },
	{ "checklist", action_checklist },
	{ "token.init", action_token_init },
	{ "quorum.login", action_quorum_login },
	{ "key.generate", action_key_generate },
	{ "key.export-public", action_key_export_public },
	{ "cert.self-sign", action_cert_self_sign },
	{ "fingerprint", action_fingerprint },
	{ "csr.create", action_csr_create },
	{ "cert.issue", action_cert_issue },
	{ "crl.sign", action_crl_sign },
	{ "key.backup", action_key_backup },
	{ "key.restore", action_key_restore },
	{ "shares.reshare", action_shares_reshare },
	{ "pin.rotate", action_pin_rotate },
	{ "key.destroy", action_key_destroy },
	{ "roster.change", action_roster_change },
	{ NULL, NULL }
};

const struct run_action *run_action_find(const char *name)
{
	size_t i;

	for (i = 0; run_actions[i].name != NULL; i++)
		if (strcmp(run_actions[i].name, name) == 0)
			return &run_actions[i];
	return NULL;
}
