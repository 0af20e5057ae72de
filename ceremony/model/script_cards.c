/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_cards.c - the script's personal-token fields
 * (docs/script-format.md): attendance: confirm | card, and cosigners: none |
 * [ROLE or PERSON-ID, ...]. The roster-dependent checks (listed ids exist,
 * certificates present and valid) are the lint's (ceremony/policy/lint.c).
 */
#include "ceremony/model/script.h"

#include <string.h>

static void cosigners_parse(struct script *s, const struct ynode *n, struct diag *d)
{
	size_t i;

	s->cosigners_mark = n->mark;
	if (n->type == YNODE_SCALAR) {
		if (strcmp(n->str, "none") == 0)
			s->cosign = SCRIPT_COSIGN_NONE;
		else
			diag_error(d, &n->mark, "cosigners: 'none' or a list of roles and person ids, not '%s'",
				   n->str);
		return;
	}
	if (!yfield_want(d, n, YNODE_SEQ, "cosigners"))
		return;
	if (n->n == 0) {
		diag_error(d, &n->mark, "cosigners: an empty list (write 'none' to co-sign with nobody)");
		return;
	}
	for (i = 0; i < n->n; i++)
		if (yfield_name(d, n->kids[i], "cosigners") == NULL)
			return;
	s->cosign = SCRIPT_COSIGN_LIST;
	s->cosigners = n;
}

void script_cards_parse(struct script *s, const struct ynode *root, struct diag *d)
{
	const struct ynode *n = ynode_get(root, "attendance");
	const char *v;

	if (n != NULL && (v = yfield_scalar(d, n, "attendance")) != NULL) {
		s->attendance_mark = n->mark;
		if (strcmp(v, "card") == 0)
			s->attendance = SCRIPT_ATTEND_CARD;
		else if (strcmp(v, "confirm") != 0)
			diag_error(d, &n->mark, "attendance: 'confirm' or 'card', not '%s'", v);
	}
	n = ynode_get(root, "cosigners");
	if (n != NULL)
		cosigners_parse(s, n, d);
}

int script_cosigns(const struct script *s)
{
	return s->cosign == SCRIPT_COSIGN_LIST ||
	       (s->cosign == SCRIPT_COSIGN_DEFAULT && s->attendance == SCRIPT_ATTEND_CARD);
}

int script_cosigner_is(const struct script *s, const char *id, enum role ro)
{
	size_t i;

	if (!script_cosigns(s))
		return 0;
	if (s->cosign == SCRIPT_COSIGN_DEFAULT)
		return 1;
	for (i = 0; i < s->cosigners->n; i++) {
		const char *e = s->cosigners->kids[i]->str;

		if (strcmp(e, id) == 0 || strcmp(e, role_name(ro)) == 0)
			return 1;
	}
	return 0;
}
