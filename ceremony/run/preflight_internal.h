/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/preflight_internal.h - shared by the preflight's parts only:
 *   preflight.c         preflight_run: the tokens, then each step's rules
 *   preflight_rules.c   what each action needs, held against the caps
 *   preflight_report.c  the requirement list, printed and as JSON
 * Calls go down that list, never up.
 */
#ifndef CE_CEREMONY_RUN_PREFLIGHT_INTERNAL_H
#define CE_CEREMONY_RUN_PREFLIGHT_INTERNAL_H

#include "ceremony/run/preflight.h"
#include "pkcs11/p11.h"

/* One script token as the preflight found it. */
struct pf_tok {
	const struct script_token *spec;
	struct p11_token *tok;   /* owned, NULL when none was found */
	struct p11_caps *caps;   /* owned, NULL when none was found */
	int blank;               /* found as the blank token token.init needs */
	int inited;              /* a token.init step of the script makes it */
	int reinit;              /* ... re-initialising it (reinit: true) */
};

struct pf_ctx {
	struct p11_ctx *p11;
	const struct script *s;
	struct preflight *pf;
	struct pf_tok *toks;     /* s->ntokens */
	int tkey_done;           /* the transcript key's requirements are listed */
};

/* preflight_report.c: add one requirement (printf-style need). */
int pf_add(struct preflight *pf, enum pf_status st, const struct script_step *step,
	   const char *action, const char *token, const char *offers, const char *path,
	   const char *need_fmt, ...) __attribute__((format(printf, 8, 9)));

/* preflight_rules.c */
struct pf_tok *pf_tok_find(struct pf_ctx *pc, const char *name);
/* The requirements of step st (and the transcript key's, at the first user
 * login). 0 or CE_ERR_NOMEM. */
int pf_rules_step(struct pf_ctx *pc, const struct script_step *st);
/* The transcript key when no step logs in as user: the software key. */
int pf_rules_tkey_soft(struct pf_ctx *pc);

#endif
