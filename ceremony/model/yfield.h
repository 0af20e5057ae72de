/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/yfield.h - reading the fields of a YAML tree (yamltree.h) into a
 * model, with every problem reported at its place as "FILE:LINE:COL: error: ...".
 *
 * The one set of field readers the script (script*.c) and the roster (roster.c)
 * share: each reports into d (may be NULL: see diag.h) and carries on, so a
 * loader shows every problem in one pass. `what` names the field in messages
 * ("a step", "format", "person 'ann'"). Nodes and strings are borrowed from
 * the tree; nothing here is secret.
 */
#ifndef CE_CEREMONY_YFIELD_H
#define CE_CEREMONY_YFIELD_H

#include "ceremony/model/diag.h"
#include "ceremony/model/role.h"
#include "ceremony/model/yamltree.h"

#define YFIELD_NAME_MAX 64

/* 1 when n is of type t, else 0 and "WHAT must be a T, not a U". */
int yfield_want(struct diag *d, const struct ynode *n, enum ynode_type t, const char *what);

/* The value for key in map m, or NULL and "WHAT: missing required key 'KEY'". */
const struct ynode *yfield_need(struct diag *d, const struct ynode *m, const char *key,
				const char *what);

/* Every key of map m not in allowed (NULL-terminated) is an error
 * "unknown key 'K' in WHAT (known: a, b, c)". */
void yfield_keys(struct diag *d, const struct ynode *m, const char *const *allowed,
		 const char *what);

/* The scalar's string, or NULL (n NULL, or not a scalar: reported). */
const char *yfield_scalar(struct diag *d, const struct ynode *n, const char *what);

/* An unquoted decimal integer scalar within [lo, hi]: 0 and *out, or
 * CE_ERR_FORMAT (reported). */
int yfield_int(struct diag *d, const struct ynode *n, long lo, long hi, const char *what,
	       long *out);

/* A name scalar ([a-z0-9][a-z0-9._-]*, at most YFIELD_NAME_MAX): the string,
 * or NULL (reported). */
const char *yfield_name(struct diag *d, const struct ynode *n, const char *what);

/* A role name in scalar n (the caller has checked it is one): 0 and *out, or
 * CE_ERR_NOT_FOUND, reported as "unknown role 'X' in IN (roles: ...)", without
 * " in IN" when in is NULL. */
int yfield_role(struct diag *d, const struct ynode *n, const char *in, enum role *out);

/* The checks behind the readers, on a plain string. */
int yfield_name_valid(const char *s);
/* Decimal integer, optional leading '-', digits only: 0 or CE_ERR_FORMAT. */
int yfield_long_parse(const char *s, long *out);

#endif
