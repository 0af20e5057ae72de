/* SPDX-License-Identifier: Apache-2.0 */
/* The profile extensions beyond the basic ones of profile.c:
 * certificatePolicies, cRLDistributionPoints, authorityInfoAccess,
 * nameConstraints, id-pkix-ocsp-nocheck, and the CRL's
 * issuingDistributionPoint. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <string.h>

#include <openssl/err.h>

static int ext_put(X509 *x, int nid, void *value, int critical, const char *what)
{
	if (X509_add1_ext_i2d(x, nid, value, critical, X509V3_ADD_REPLACE) != 1)
		return p11_ossl_err(CE_ERR_CRYPTO, "%s", what);
	return 0;
}

/* A GeneralName URI. */
static GENERAL_NAME *gn_uri(const char *uri)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (gn == NULL || s == NULL || ASN1_STRING_set(s, uri, -1) != 1) {
		GENERAL_NAME_free(gn);
		ASN1_IA5STRING_free(s);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, GEN_URI, s);
	return gn;
}

/* "dns:x", "email:x", "uri:x" or "ip:a.b.c.d/len" as a GeneralName for a
 * name constraint. */
static int gn_constraint(const char *spec, GENERAL_NAME **out)
{
	static const struct {
		const char *prefix;
		int type;
	} kinds[] = { { "dns:", GEN_DNS }, { "email:", GEN_EMAIL }, { "uri:", GEN_URI } };
	size_t i;

	*out = NULL;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(spec, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
			const char *v = spec + strlen(kinds[i].prefix);
			ASN1_IA5STRING *s = ASN1_IA5STRING_new();
			GENERAL_NAME *gn = GENERAL_NAME_new();

			if (s == NULL || gn == NULL || *v == '\0' || ASN1_STRING_set(s, v, -1) != 1) {
				ASN1_IA5STRING_free(s);
				GENERAL_NAME_free(gn);
				return ce_err_set(CE_ERR_INVALID, "name constraint '%s'", spec);
			}
			GENERAL_NAME_set0_value(gn, kinds[i].type, s);
			*out = gn;
			return 0;
		}
	if (strncmp(spec, "ip:", 3) == 0) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS_NC(spec + 3);
		GENERAL_NAME *gn;

		if (ip == NULL) {
			ERR_clear_error();
			return ce_err_set(CE_ERR_INVALID, "name constraint '%s': not address/prefix",
					  spec);
		}
		gn = GENERAL_NAME_new();
		if (gn == NULL) {
			ASN1_OCTET_STRING_free(ip);
			return CE_ERR_NOMEM;
		}
		GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
		*out = gn;
		return 0;
	}
	return ce_err_set(CE_ERR_INVALID, "name constraint '%s': dns:, email:, uri: or ip:", spec);
}

static int policy_qualifiers(POLICYINFO *pi, const struct x509_policy *p)
{
	POLICYQUALINFO *q;

	if (p->cps == NULL && p->notice == NULL)
		return 0;
	pi->qualifiers = sk_POLICYQUALINFO_new_null();
	if (pi->qualifiers == NULL)
		return CE_ERR_NOMEM;
	if (p->cps != NULL) {
		q = POLICYQUALINFO_new();
		if (q == NULL || sk_POLICYQUALINFO_push(pi->qualifiers, q) <= 0) {
			POLICYQUALINFO_free(q);
			return CE_ERR_NOMEM;
		}
		q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
		q->d.cpsuri = ASN1_IA5STRING_new();
		if (q->d.cpsuri == NULL || ASN1_STRING_set(q->d.cpsuri, p->cps, -1) != 1)
			return CE_ERR_NOMEM;
	}
	if (p->notice != NULL) {
		q = POLICYQUALINFO_new();
		if (q == NULL || sk_POLICYQUALINFO_push(pi->qualifiers, q) <= 0) {
			POLICYQUALINFO_free(q);
			return CE_ERR_NOMEM;
		}
		q->pqualid = OBJ_nid2obj(NID_id_qt_unotice);
		q->d.usernotice = USERNOTICE_new();
		if (q->d.usernotice == NULL)
			return CE_ERR_NOMEM;
		/* RFC 5280 4.2.1.4: explicitText SHOULD be a UTF8String. */
		q->d.usernotice->exptext = ASN1_UTF8STRING_new();
		if (q->d.usernotice->exptext == NULL ||
		    ASN1_STRING_set(q->d.usernotice->exptext, p->notice, -1) != 1)
			return CE_ERR_NOMEM;
	}
	return 0;
}

int x509_ext_policies(X509 *x, const struct x509_policy *pol, size_t n)
{
	int r = CE_ERR_INTERNAL;
	CERTIFICATEPOLICIES *cp = sk_POLICYINFO_new_null();
	size_t i;

	if (cp == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		POLICYINFO *pi = POLICYINFO_new();

		if (pi == NULL || sk_POLICYINFO_push(cp, pi) <= 0) {
			POLICYINFO_free(pi);
			r = CE_ERR_NOMEM;
			goto out;
		}
		ASN1_OBJECT_free(pi->policyid);
		pi->policyid = OBJ_txt2obj(pol[i].oid, 1);
		if (pi->policyid == NULL) {
			ERR_clear_error();
			r = ce_err_set(CE_ERR_INVALID, "policy '%s' is not a dotted OID", pol[i].oid);
			goto out;
		}
		r = policy_qualifiers(pi, &pol[i]);
		if (r < 0)
			goto out;
	}
	r = ext_put(x, NID_certificate_policies, cp, 0, "certificatePolicies");
out:
	sk_POLICYINFO_pop_free(cp, POLICYINFO_free);
	return r;
}

static int dist_point_uris(DIST_POINT_NAME **out, const char *const *urls, size_t n)
{
	DIST_POINT_NAME *dpn = DIST_POINT_NAME_new();
	size_t i;

	*out = dpn;
	if (dpn == NULL)
		return CE_ERR_NOMEM;
	dpn->type = 0;
	dpn->name.fullname = GENERAL_NAMES_new();
	if (dpn->name.fullname == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		GENERAL_NAME *gn = gn_uri(urls[i]);

		if (gn == NULL || sk_GENERAL_NAME_push(dpn->name.fullname, gn) <= 0) {
			GENERAL_NAME_free(gn);
			return CE_ERR_NOMEM;
		}
	}
	return 0;
}

int x509_ext_crl_dp(X509 *x, const char *const *urls, size_t n)
{
	int r = CE_ERR_INTERNAL;
	CRL_DIST_POINTS *dps = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();

	if (dps == NULL || dp == NULL || sk_DIST_POINT_push(dps, dp) <= 0) {
		DIST_POINT_free(dp);
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = dist_point_uris(&dp->distpoint, urls, n);
	if (r < 0)
		goto out;
	r = ext_put(x, NID_crl_distribution_points, dps, 0, "cRLDistributionPoints");
out:
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return r;
}

static int aia_add(AUTHORITY_INFO_ACCESS *aia, int method, const char *const *urls, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();

		if (ad == NULL || sk_ACCESS_DESCRIPTION_push(aia, ad) <= 0) {
			ACCESS_DESCRIPTION_free(ad);
			return CE_ERR_NOMEM;
		}
		ASN1_OBJECT_free(ad->method);
		ad->method = OBJ_nid2obj(method);
		GENERAL_NAME_free(ad->location);
		ad->location = gn_uri(urls[i]);
		if (ad->location == NULL)
			return CE_ERR_NOMEM;
	}
	return 0;
}

int x509_ext_aia(X509 *x, const char *const *ocsp, size_t n_ocsp, const char *const *ca,
		 size_t n_ca)
{
	int r = CE_ERR_INTERNAL;
	AUTHORITY_INFO_ACCESS *aia = sk_ACCESS_DESCRIPTION_new_null();

	if (aia == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if ((r = aia_add(aia, NID_ad_OCSP, ocsp, n_ocsp)) < 0 ||
	    (r = aia_add(aia, NID_ad_ca_issuers, ca, n_ca)) < 0)
		goto out;
	r = ext_put(x, NID_info_access, aia, 0, "authorityInfoAccess");
out:
	sk_ACCESS_DESCRIPTION_pop_free(aia, ACCESS_DESCRIPTION_free);
	return r;
}

static int subtrees(STACK_OF(GENERAL_SUBTREE) **out, const char *const *specs, size_t n)
{
	size_t i;
	int r;

	*out = NULL;
	if (n == 0)
		return 0;
	*out = sk_GENERAL_SUBTREE_new_null();
	if (*out == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		GENERAL_SUBTREE *st = GENERAL_SUBTREE_new();

		if (st == NULL || sk_GENERAL_SUBTREE_push(*out, st) <= 0) {
			GENERAL_SUBTREE_free(st);
			return CE_ERR_NOMEM;
		}
		GENERAL_NAME_free(st->base);
		st->base = NULL;
		r = gn_constraint(specs[i], &st->base);
		if (r < 0)
			return r;
	}
	return 0;
}

/* nameConstraints, critical (RFC 5280 4.2.1.10). */
int x509_ext_name_constraints(X509 *x, const char *const *perm, size_t n_perm,
			      const char *const *excl, size_t n_excl)
{
	int r = CE_ERR_INTERNAL;
	NAME_CONSTRAINTS *nc = NAME_CONSTRAINTS_new();

	if (nc == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if ((r = subtrees(&nc->permittedSubtrees, perm, n_perm)) < 0 ||
	    (r = subtrees(&nc->excludedSubtrees, excl, n_excl)) < 0)
		goto out;
	r = ext_put(x, NID_name_constraints, nc, 1, "nameConstraints");
out:
	NAME_CONSTRAINTS_free(nc);
	return r;
}

/* id-pkix-ocsp-nocheck: NULL value, not critical (RFC 6960 4.2.2.2.1). */
int x509_ext_ocsp_nocheck(X509 *x)
{
	int r;
	ASN1_NULL *null = ASN1_NULL_new();

	if (null == NULL)
		return CE_ERR_NOMEM;
	r = ext_put(x, NID_id_pkix_OCSP_noCheck, null, 0, "id-pkix-ocsp-nocheck");
	ASN1_NULL_free(null);
	return r;
}

/* issuingDistributionPoint with one fullName URI, critical (RFC 5280 5.2.5). */
int x509_ext_crl_idp(X509_CRL *crl, const char *url)
{
	int r = CE_ERR_INTERNAL;
	ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();

	if (idp == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = dist_point_uris(&idp->distpoint, &url, 1);
	if (r < 0)
		goto out;
	if (X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "issuingDistributionPoint");
		goto out;
	}
	r = 0;
out:
	ISSUING_DIST_POINT_free(idp);
	return r;
}
