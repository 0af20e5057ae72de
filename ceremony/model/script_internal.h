/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_internal.h - what the files of the script loader share
 * (script.c, script_params.c, script_layout.c, script_flow.c); not for use
 * outside ceremony/model/. Every function reports into d (may be NULL) and
 * borrows all it is given.
 */
#ifndef CE_CEREMONY_SCRIPT_INTERNAL_H
#define CE_CEREMONY_SCRIPT_INTERNAL_H

#include "ceremony/model/script.h"
#include "ceremony/model/yfield.h"

/* Check a step's 'with' against its action's parameter table, then the
 * action's own cross-field check. st->action must be set. */
void script_params_check(const struct script *s, const struct script_step *st, struct diag *d);

/* Read a share layout from groups ([{threshold, count}]) and gt
 * (group-threshold); either may be NULL (left zero). what names the owner in
 * messages. */
void script_layout_parse(struct diag *d, const struct ynode *groups, const struct ynode *gt,
			 struct script_layout *l, const char *what);

/* The checks across steps, once every step is read: attendance first, the
 * roles steps use are declared, a PIN secret is its token's, the login state
 * of each token (script.h, script_step_login), a key label or id names one
 * key per token, and what is declared is used. */
void script_flow_check(const struct script *s, struct diag *d);

/* crl.sign's CRL rules (script_crl.c). */
void script_crl_check(const struct script *s, const struct script_step *st, struct diag *d);
/* cert.self-sign's root-ca validity cap (script_crl.c). */
void script_self_sign_check(const struct script *s, const struct script_step *st,
			    struct diag *d);

#endif
