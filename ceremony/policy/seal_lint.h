/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/seal_lint.h - a secret delivered to cards (delivery: card
 * or both, docs/script-format.md) needs every key holder of the roster to
 * have a card that can open a sealed share: a certificate: file (an SPKI
 * hash alone cannot be sealed to) whose key is RSA of at least 2048 bits or
 * EC P-256/P-384, and a token: URI pattern to find the card by.
 */
#ifndef CE_CEREMONY_POLICY_SEAL_LINT_H
#define CE_CEREMONY_POLICY_SEAL_LINT_H

#include "ceremony/model/diag.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"

/* Errors into d at each key holder's roster line, naming the secret. */
void seal_lint(const struct script *s, const struct roster *r, struct diag *d);

/* Why person p cannot receive sealed shares, into why (cap bytes), or 0 when
 * they can: 1 otherwise. */
int seal_lint_person(const struct roster_person *p, char *why, size_t cap);

#endif
