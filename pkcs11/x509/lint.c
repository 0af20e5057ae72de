/* SPDX-License-Identifier: Apache-2.0 */
/* Lint: the rules a certificate must meet before the HSM signs it (RFC 5280,
 * CA/Browser Forum Baseline Requirements, ETSI EN 319 412, RFC 3161, RFC
 * 6960) and the profile's own. Each rule has an id and a source; the table is
 * docs/x509.md. lint_crl.c has the CRL rules. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#define DAY 86400

void x509_lint_add(struct x509_lint *l, const char *rule, const char *source, const char *field,
		   const char *fmt, ...)
{
	va_list ap;
	struct x509_lint_finding *f;

	if (l->n >= X509_LINT_MAX)
		return;
	f = &l->f[l->n++];
	f->rule = rule;
	f->source = source;
	f->field = field;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

int x509_lint_result(const struct x509_lint *l, const char *what)
{
	if (l->n == 0)
		return 0;
	return ce_err_set(CE_ERR_POLICY, "%s: %s [%s, %s]%s", what, l->f[0].msg, l->f[0].rule,
			  l->f[0].source, l->n > 1 ? " (and more: ceremony x509 lint)" : "");
}

static int ku_has(const char *list, const char *name)
{
	const char *p = list;
	size_t n = strlen(name);

	while (p != NULL && (p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

static int url_http(const char *u)
{
	return strncmp(u, "http://", 7) == 0 && u[7] != '\0';
}

static void lint_urls(const char *const *u, size_t n, const char *field, struct x509_lint *l)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!url_http(u[i]))
			x509_lint_add(l, "url-http", "CA/B BR 7.1.2.10.3, 7.1.2.11.2", field,
				      "'%s' is not an http:// URL", u[i]);
}

static void lint_policies(const struct x509_profile *p, struct x509_lint *l)
{
	size_t i, j;

	for (i = 0; i < p->n_policies; i++) {
		ASN1_OBJECT *o = OBJ_txt2obj(p->policies[i].oid, 1);

		if (o == NULL) {
			ERR_clear_error();
			x509_lint_add(l, "policy-oid", "RFC 5280 4.2.1.4", "policies",
				      "policy '%s' is not a dotted OID", p->policies[i].oid);
		}
		ASN1_OBJECT_free(o);
		for (j = 0; j < i; j++)
			if (strcmp(p->policies[i].oid, p->policies[j].oid) == 0)
				x509_lint_add(l, "policy-unique", "RFC 5280 4.2.1.4", "policies",
					      "policy %s appears twice", p->policies[i].oid);
		if (p->policies[i].notice != NULL && strlen(p->policies[i].notice) > 200)
			x509_lint_add(l, "policy-notice-length", "RFC 5280 4.2.1.4", "policies",
				      "user notice longer than 200 characters");
		if (p->policies[i].cps != NULL && !url_http(p->policies[i].cps) &&
		    strncmp(p->policies[i].cps, "https://", 8) != 0)
			x509_lint_add(l, "policy-cps-uri", "RFC 5280 4.2.1.4", "policies",
				      "CPS '%s' is not an http(s) URI", p->policies[i].cps);
	}
}

/* basicConstraints, keyUsage and EKU against each other and the kind. */
static void lint_profile_usage(const struct x509_profile *p, struct x509_lint *l)
{
	const char *ku = p->key_usage != NULL ? p->key_usage
			 : p->ca ? "keyCertSign,cRLSign" : "digitalSignature";

	if (!p->ca && p->path_len >= 0)
		x509_lint_add(l, "bc-pathlen-leaf", "RFC 5280 4.2.1.9", "pathlen",
			      "pathLenConstraint on a certificate that is not a CA");
	if (!p->ca && ku_has(ku, "keyCertSign"))
		x509_lint_add(l, "ku-certsign-not-ca", "RFC 5280 4.2.1.3, 4.2.1.9", "key-usage",
			      "keyCertSign on a certificate with CA:FALSE");
	if (p->ca && !ku_has(ku, "keyCertSign"))
		x509_lint_add(l, "bc-ca-certsign", "RFC 5280 4.2.1.9; CA/B BR 7.1.2.10.7",
			      "key-usage", "a CA certificate without keyCertSign");
	if (p->ca && p->kind != X509_PROF_LEGACY && !ku_has(ku, "cRLSign"))
		x509_lint_add(l, "ca-crlsign", "CA/B BR 7.1.2.10.7; ETSI EN 319 412-2 4.3.2",
			      "key-usage", "a CA certificate without cRLSign");
	if ((p->kind == X509_PROF_ROOT || p->kind == X509_PROF_CROSS) && p->ext_key_usage != NULL)
		x509_lint_add(l, "root-no-eku", "CA/B BR 7.1.2.1.2", "ext-key-usage",
			      "an extendedKeyUsage on a root or cross certificate");
	if ((p->kind == X509_PROF_ROOT || p->kind == X509_PROF_SUB_CA ||
	     p->kind == X509_PROF_CROSS) && !p->ca)
		x509_lint_add(l, "ca-profile-ca", "RFC 5280 4.2.1.9", "ca",
			      "profile %s is for a CA but says CA:FALSE", p->name ? p->name : "?");
	if ((p->kind == X509_PROF_OCSP || p->kind == X509_PROF_TSU) && p->ca)
		x509_lint_add(l, "leaf-profile-ca", "RFC 5280 4.2.1.9", "ca",
			      "profile %s is for a leaf but says CA:TRUE", p->name);
	if (p->kind == X509_PROF_TSU &&
	    (p->ext_key_usage == NULL || strcmp(p->ext_key_usage, "timeStamping") != 0 ||
	     !p->eku_critical))
		x509_lint_add(l, "tsu-eku", "RFC 3161 2.3; ETSI EN 319 422 (TSU certificate)",
			      "ext-key-usage", "a TSU needs exactly id-kp-timeStamping, critical");
	if (p->kind == X509_PROF_TSU && (!ku_has(ku, "digitalSignature") || ku_has(ku, "keyCertSign") ||
					 ku_has(ku, "cRLSign") || ku_has(ku, "keyEncipherment")))
		x509_lint_add(l, "tsu-ku", "ETSI EN 319 412-2 4.3.2; RFC 3161 2.3", "key-usage",
			      "a TSU signs time-stamps: digitalSignature (nonRepudiation allowed) only");
	if (p->kind == X509_PROF_OCSP &&
	    (p->ext_key_usage == NULL || strcmp(p->ext_key_usage, "OCSPSigning") != 0))
		x509_lint_add(l, "ocsp-eku", "RFC 6960 4.2.2.2", "ext-key-usage",
			      "an OCSP responder needs exactly id-kp-OCSPSigning");
	if (p->kind == X509_PROF_OCSP && !p->ocsp_nocheck)
		x509_lint_add(l, "ocsp-nocheck", "RFC 6960 4.2.2.2.1; CA/B BR 4.9.9", "ocsp-nocheck",
			      "an OCSP responder needs id-pkix-ocsp-nocheck");
	if (p->ocsp_nocheck && p->kind != X509_PROF_OCSP && p->kind != X509_PROF_LEGACY)
		x509_lint_add(l, "nocheck-ocsp-only", "RFC 6960 4.2.2.2.1", "ocsp-nocheck",
			      "id-pkix-ocsp-nocheck is for OCSP responders only");
	if (!p->ca && (p->n_nc_permitted > 0 || p->n_nc_excluded > 0))
		x509_lint_add(l, "nc-ca-only", "RFC 5280 4.2.1.10", "name-constraints",
			      "nameConstraints on a certificate that is not a CA");
}

/* Required extensions of the kind (Boulder's intermediate rules, BR). */
static void lint_profile_required(const struct x509_profile *p, struct x509_lint *l)
{
	if (p->kind == X509_PROF_SUB_CA || p->kind == X509_PROF_TSU) {
		if (p->n_policies == 0)
			x509_lint_add(l, "policies-required", "CA/B BR 7.1.2.10.5; ETSI EN 319 412-2 4.3.3",
				      "policies", "profile %s needs certificatePolicies", p->name);
		if (p->n_ca_issuers_urls == 0)
			x509_lint_add(l, "aia-ca-issuers", "CA/B BR 7.1.2.10.3; ETSI EN 319 412-2 4.4.1",
				      "ca-issuers-urls", "profile %s needs an AIA caIssuers URL", p->name);
	}
	if ((p->kind == X509_PROF_SUB_CA || p->kind == X509_PROF_CROSS) && p->n_crl_urls == 0)
		x509_lint_add(l, "crldp-required", "CA/B BR 7.1.2.10.6; ETSI EN 319 412-2 4.3.11",
			      "crl-urls", "profile %s needs a cRLDistributionPoints URL", p->name);
	if (p->kind == X509_PROF_TSU && p->n_crl_urls == 0 && p->n_ocsp_urls == 0)
		x509_lint_add(l, "revocation-info", "ETSI EN 319 412-2 4.3.11",
			      "crl-urls", "profile tsu needs a CRL or OCSP URL");
	if (p->kind == X509_PROF_ROOT && (p->n_crl_urls > 0 || p->n_ocsp_urls > 0 ||
					  p->n_ca_issuers_urls > 0))
		x509_lint_add(l, "root-no-aia-crldp", "CA/B BR 7.1.2.1.2", "crl-urls",
			      "a root certificate carries no CRL DP nor AIA");
}

void x509_lint_profile(const struct x509_profile *p, time_t issuer_not_after, struct x509_lint *l)
{
	time_t nb = p->not_before != 0 ? p->not_before : time(NULL);
	time_t na = p->not_after != 0 ? p->not_after : nb + (time_t)p->validity_days * DAY;

	lint_profile_usage(p, l);
	lint_profile_required(p, l);
	lint_policies(p, l);
	lint_urls(p->crl_urls, p->n_crl_urls, "crl-urls", l);
	lint_urls(p->ocsp_urls, p->n_ocsp_urls, "ocsp-urls", l);
	lint_urls(p->ca_issuers_urls, p->n_ca_issuers_urls, "ca-issuers-urls", l);
	if (p->not_after != 0 && p->validity_days != 0)
		x509_lint_add(l, "validity-one-way", "docs/x509.md", "validity-days",
			      "give either not-after or validity-days, not both");
	if (na <= nb)
		x509_lint_add(l, "validity-order", "RFC 5280 4.1.2.5", "not-after",
			      "notAfter is not later than notBefore");
	if (p->max_validity_days != 0 && na - nb > (time_t)p->max_validity_days * DAY)
		x509_lint_add(l, "validity-max", "profile (docs/x509.md); CA/B BR 6.3.2", "not-after",
			      "validity of %lld days exceeds profile %s's %u",
			      (long long)((na - nb) / DAY), p->name ? p->name : "?",
			      p->max_validity_days);
	if (issuer_not_after != 0 && na > issuer_not_after)
		x509_lint_add(l, "validity-issuer", "RFC 5280 6.1.3 (a)(2); ETSI EN 319 411-1 6.3.1",
			      "not-after", "the certificate would end after its issuer's notAfter");
	if (p->serial_hex != NULL && p->kind != X509_PROF_LEGACY && strlen(p->serial_hex) < 18)
		x509_lint_add(l, "serial-entropy", "CA/B BR 7.1", "serial",
			      "serial '%s' has fewer than 64 bits (give 9 octets or more, or none "
			      "for 16 random octets)", p->serial_hex);
	if (p->sig_alg != NULL && OBJ_sn2nid(p->sig_alg) == NID_undef &&
	    OBJ_ln2nid(p->sig_alg) == NID_undef)
		x509_lint_add(l, "sig-alg-known", "RFC 5280 4.1.1.2", "signature-algorithm",
			      "signature algorithm '%s' unknown", p->sig_alg);
}
