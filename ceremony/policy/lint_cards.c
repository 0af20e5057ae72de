/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/lint_cards.c - lint of a script that uses personal tokens
 * (attendance: card, cosigners:) against its roster: every listed co-signer
 * is a role of the script or a roster id, every person who may be asked for
 * a card has a certificate:, and the certificates are valid on the day
 * (roster_cert_check: an expired one is an error).
 */
#include "ceremony/model/roster_cert.h"
#include "ceremony/policy/lint.h"

#include <string.h>

/* Does someone who may be asked for a card have no certificate? */
static void certs_present(const struct script *s, const struct roster *r, struct diag *d)
{
	size_t i;
	unsigned ro;

	for (i = 0; i < r->npeople; i++) {
		const struct roster_person *p = &r->people[i];
		int asked = 0;

		if (p->certificate != NULL)
			continue;
		for (ro = 0; ro < ROLE_COUNT; ro++)
			if (s->roles[ro] != 0 && (p->roles & ROLE_BIT(ro)) &&
			    (s->attendance == SCRIPT_ATTEND_CARD ||
			     script_cosigner_is(s, p->id, (enum role)ro)))
				asked = 1;
		if (asked)
			diag_warn(d, &p->mark, "person '%s' has no certificate: (the script %s)", p->id,
				   s->attendance == SCRIPT_ATTEND_CARD ? "seats persons by card"
								       : "asks them to co-sign");
	}
}

void lint_cards(const struct script *s, const struct roster *r, const struct roster_date *today,
		struct diag *d)
{
	const struct roster_person *q;
	size_t i;
	enum role ro;

	if (s->attendance != SCRIPT_ATTEND_CARD && !script_cosigns(s))
		return;
	if (s->cosign == SCRIPT_COSIGN_LIST)
		for (i = 0; i < s->cosigners->n; i++) {
			const struct ynode *n = s->cosigners->kids[i];

			if (role_parse(n->str, &ro) == 0) {
				if (s->roles[ro] == 0)
					diag_error(d, &n->mark, "cosigners: role '%s' is not one of the script's roles",
						   n->str);
			} else if ((q = roster_person_find(r, n->str)) == NULL) {
				diag_error(d, &n->mark, "cosigners: '%s' is neither a role nor a person of the roster",
					   n->str);
			} else if (q->certificate == NULL) {
				diag_error(d, &n->mark, "cosigners: person '%s' has no certificate: in the roster",
					   n->str);
			}
		}
	certs_present(s, r, d);
	roster_cert_check(r, today, d);
}
