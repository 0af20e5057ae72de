/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/roster.h - the roster: who may take part, in which roles, vetted
 * and trained when (docs/script-format.md section 6, format 1).
 *
 * roster_load() reads a roster (bounded, at most YTREE_MAX_BYTES), checks its
 * schema and builds the model below, reporting EVERY problem into a struct
 * diag as "FILE:LINE:COL: error: ..." (CE_ERR_FORMAT if any). Checks against a
 * date (stale vetting, stale training) and against a script are in
 * ceremony/policy/policy.h, so a roster with a stale person still loads.
 *
 * Ownership: the roster owns everything reachable from it; strings are
 * borrowed from its YAML tree. Nothing here is secret.
 */
#ifndef CE_CEREMONY_ROSTER_H
#define CE_CEREMONY_ROSTER_H

#include "ceremony/model/diag.h"
#include "ceremony/model/role.h"
#include "ceremony/model/yamltree.h"

#include <stddef.h>

#define ROSTER_FORMAT 1
#define ROSTER_MAX_PAIRS 32 /* extra forbidden pairs a roster may add */

/* A calendar date (UTC), proleptic Gregorian. */
struct roster_date {
	int y, m, d;
};

/* Parse "YYYY-MM-DD" (a real date, year >= 1970). 0 or CE_ERR_FORMAT. */
int roster_date_parse(const char *s, struct roster_date *out);
/* Today's UTC date. */
void roster_date_today(struct roster_date *out);
/* Days since 1970-01-01. */
long roster_date_days(const struct roster_date *dt);
/* "YYYY-MM-DD" into buf (at least 11 bytes). */
void roster_date_format(const struct roster_date *dt, char *buf, size_t cap);

/* An age limit: n years, months or days. */
struct roster_age {
	unsigned n;
	char unit; /* 'y', 'm' or 'd' */
};

/* The last day a date stays valid under an age limit: from + age, where a day
 * missing in the target month (29 Feb, 31st) falls on the month's last day. */
void roster_age_until(const struct roster_date *from, const struct roster_age *age,
		      struct roster_date *until);
/* "2y", "18m", "730d" into buf. */
void roster_age_format(const struct roster_age *age, char *buf, size_t cap);

struct roster_person {
	const char *id;
	const char *name;
	const char *email; /* NULL if none */
	const char *notes; /* NULL if none */
	role_set roles;    /* granted roles (policy 4.2.3) */
	struct roster_date vetting, training;
	struct diag_mark mark, roles_mark, vetting_mark, training_mark;
	/* personal token (ceremony/model/roster_cert.h): NULL/0 if none */
	const char *certificate; /* the field as written */
	const char *token;       /* a PKCS#11 URI pattern for the card, or NULL */
	struct x509_st *cert;    /* the certificate, when certificate: is a file */
	int has_spki;
	unsigned char spki_sha256[32];
	struct diag_mark cert_mark;
};

struct roster_policy {
	/* policy 4.2.4: the four default pairs first, then the roster's own */
	size_t npairs;
	struct role_pair pairs[ROLE_DEFAULT_PAIRS + ROSTER_MAX_PAIRS];
	struct roster_age max_vetting;  /* policy 4.3.2: at most (and default) 2y */
	struct roster_age max_training; /* policy 4.3.4: at most (and default) 1y */
};

struct roster {
	struct ytree *tree; /* tree->sha256: SHA-256 of the bytes parsed */
	const char *path; /* borrowed from tree */
	size_t npeople;
	struct roster_person *people;
	struct roster_policy policy;
};

/* Load and validate. 0 and *out (roster_free) on success; CE_ERR_FORMAT with
 * every problem in d (d may be NULL: the first is the ce_err detail), CE_ERR_IO,
 * CE_ERR_TOO_LARGE, CE_ERR_NOMEM. Nothing is returned on error. */
int roster_load(const char *path, struct roster **out, struct diag *d)
	__attribute__((warn_unused_result));
int roster_load_mem(const char *name, const char *data, size_t len, struct roster **out,
		    struct diag *d) __attribute__((warn_unused_result));
void roster_free(struct roster *r);

/* The person with this id, or NULL. */
const struct roster_person *roster_person_find(const struct roster *r, const char *id);

#endif
