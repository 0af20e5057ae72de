/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_profile.h - a cert.issue step's certificate profile
 * (docs/script-format.md section 5, docs/x509.md): the ready profile named
 * by `profile`, then every field the step overrides, parsed from the YAML
 * into struct x509_profile (pkcs11/x509/x509.h). Every malformed field is
 * reported at its FILE:LINE:COL; then the profile's rules (x509_lint_profile)
 * run and each broken rule is reported at the field it is about, with its
 * source. `ceremony lint` and the runner use the same parse, so nothing the
 * lint refused reaches the HSM.
 */
#ifndef CE_CEREMONY_SCRIPT_PROFILE_H
#define CE_CEREMONY_SCRIPT_PROFILE_H

#include "ceremony/model/script.h"
#include "pkcs11/x509/x509.h"

#define SP_MAX_ATTRS 32
#define SP_MAX_POLICIES 8
#define SP_MAX_URLS 8

/* The parsed profile; strings are borrowed from the script's tree. */
struct script_profile {
	struct x509_profile p;
	struct x509_name_attr attrs[SP_MAX_ATTRS];
	struct x509_policy pol[SP_MAX_POLICIES];
	const char *crl[SP_MAX_URLS], *ocsp[SP_MAX_URLS], *cai[SP_MAX_URLS];
	const char *perm[SP_MAX_URLS], *excl[SP_MAX_URLS];
	char ku[256], eku[256];
};

/* Parse st's profile fields into *sp; now is the time validity-days and a
 * missing not-before count from. Reports into d (may be NULL); returns 0, or
 * CE_ERR_FORMAT when d gained an error. */
int script_profile_parse(const struct script_step *st, time_t now, struct script_profile *sp,
			 struct diag *d);

/* Run the profile's rules (x509_lint_profile) with the issuer's notAfter
 * (0: unknown) and report each finding at its field's place in st, with the
 * rule and its source. Returns 0 or CE_ERR_FORMAT. */
int script_profile_lint(const struct script_step *st, const struct script_profile *sp,
			time_t issuer_not_after, struct diag *d);

/* The action check of cert.issue (script_params.c's table). */
void script_profile_check(const struct script *s, const struct script_step *st, struct diag *d);

#endif
