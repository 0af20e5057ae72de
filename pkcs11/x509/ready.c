/* SPDX-License-Identifier: Apache-2.0 */
/* The ready profiles (docs/x509.md): what each kind of certificate a trust
 * service provider publishes says by default. A script or `x509 issue`
 * overrides field by field; lint.c checks the result against the kind's
 * rules. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <string.h>

static const struct {
	const char *name;
	enum x509_prof_kind kind;
	int ca, path_len;
	const char *ku, *eku;
	int eku_critical, ocsp_nocheck, self_signed;
	unsigned int max_days;
} x509_ready[] = {
	/* Root: self-signed, CA, no EKU (CA/B BR 7.1.2.1.2), 25 years at most. */
	{ "root-ca", X509_PROF_ROOT, 1, -1, "keyCertSign,cRLSign", NULL, 0, 0, 1, 9132 },
	/* TSP issuing CA: pathLen 0; policies, CRL DP and caIssuers required. */
	{ "sub-ca", X509_PROF_SUB_CA, 1, 0, "keyCertSign,cRLSign", NULL, 0, 0, 0, 5479 },
	/* OCSP responder: id-kp-OCSPSigning, ocsp-nocheck, short validity. */
	{ "ocsp-responder", X509_PROF_OCSP, 0, -1, "digitalSignature", "OCSPSigning", 0, 1, 0,
	  366 },
	{ "ocsp-signer", X509_PROF_OCSP, 0, -1, "digitalSignature", "OCSPSigning", 0, 1, 0, 366 },
	/* Timestamping unit: id-kp-timeStamping only, critical (RFC 3161 2.3). */
	{ "tsu", X509_PROF_TSU, 0, -1, "digitalSignature", "timeStamping", 1, 0, 0, 3653 },
	/* Cross / link certificate: another CA's key, for root rollover. */
	{ "cross", X509_PROF_CROSS, 1, -1, "keyCertSign,cRLSign", NULL, 0, 0, 0, 9132 },
	{ "end-entity", X509_PROF_END_ENTITY, 0, -1, "digitalSignature", NULL, 0, 0, 0, 0 },
};

#define X509_READY_N (sizeof(x509_ready) / sizeof(x509_ready[0]))

int x509_profile_ready(const char *name, struct x509_profile *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < X509_READY_N; i++)
		if (strcmp(name, x509_ready[i].name) == 0) {
			out->name = x509_ready[i].name;
			out->kind = x509_ready[i].kind;
			out->ca = x509_ready[i].ca;
			out->path_len = x509_ready[i].path_len;
			out->key_usage = x509_ready[i].ku;
			out->ext_key_usage = x509_ready[i].eku;
			out->eku_critical = x509_ready[i].eku_critical;
			out->ocsp_nocheck = x509_ready[i].ocsp_nocheck;
			out->self_signed = x509_ready[i].self_signed;
			out->max_validity_days = x509_ready[i].max_days;
			return 0;
		}
	return ce_err_set(CE_ERR_NOT_FOUND, "unknown profile '%s' (%s)", name,
			  x509_profile_names());
}

const char *x509_profile_names(void)
{
	return "root-ca|sub-ca|ocsp-responder|ocsp-signer|tsu|cross|end-entity";
}
