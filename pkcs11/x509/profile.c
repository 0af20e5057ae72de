/* SPDX-License-Identifier: Apache-2.0 */
/* Profiles: the extensions ceremony writes into certificates and CRLs, and
 * what an issued certificate may be (validity, key types, key usages). */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#define X509_VALIDITY_MAX_DAYS 36525U
#define X509_LIST_MAX_BYTES 512

static const struct {
	const char *name;
	int bit; /* bit number in the KeyUsage BIT STRING */
} x509_ku_names[] = {
	{ "digitalSignature", 0 }, { "nonRepudiation", 1 }, { "contentCommitment", 1 },
	{ "keyEncipherment", 2 },  { "dataEncipherment", 3 }, { "keyAgreement", 4 },
	{ "keyCertSign", 5 },      { "cRLSign", 6 },
};

/* Split a comma list into items (spaces around items ignored), calling fn on
 * each; what names the list in errors. */
static int list_each(const char *list, const char *what, int (*fn)(const char *, void *),
		     void *arg)
{
	int r = CE_ERR_INTERNAL;
	char item[128];
	const char *p = list, *e;
	size_t n;
	int count = 0;

	if (strlen(list) > X509_LIST_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "%s list too long", what);
		goto out;
	}
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= sizeof(item)) {
			r = ce_err_set(CE_ERR_INVALID, "%s: item too long", what);
			goto out;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		r = fn(item, arg);
		if (r < 0)
			goto out;
		count++;
		p = e;
	}
	if (count == 0) {
		r = ce_err_set(CE_ERR_INVALID, "%s list is empty", what);
		goto out;
	}
	r = 0;
out:
	return r;
}

static int ku_add_one(const char *item, void *arg)
{
	ASN1_BIT_STRING *bits = arg;
	size_t i;

	for (i = 0; i < sizeof(x509_ku_names) / sizeof(x509_ku_names[0]); i++)
		if (strcmp(item, x509_ku_names[i].name) == 0) {
			if (ASN1_BIT_STRING_set_bit(bits, x509_ku_names[i].bit, 1) != 1)
				return CE_ERR_NOMEM;
			return 0;
		}
	return ce_err_set(CE_ERR_INVALID,
			  "keyUsage '%s' unknown (digitalSignature, nonRepudiation, "
			  "keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign)",
			  item);
}

static int eku_add_one(const char *item, void *arg)
{
	EXTENDED_KEY_USAGE *eku = arg;
	ASN1_OBJECT *obj = OBJ_txt2obj(item, 0);

	if (obj == NULL) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_INVALID, "extendedKeyUsage '%s' unknown", item);
	}
	if (sk_ASN1_OBJECT_push(eku, obj) <= 0) {
		ASN1_OBJECT_free(obj);
		return CE_ERR_NOMEM;
	}
	return 0;
}

/* Add (or replace) extension nid of x; what names it in errors. */
static int ext_add(X509 *x, int nid, void *value, int critical, const char *what)
{
	if (X509_add1_ext_i2d(x, nid, value, critical, X509V3_ADD_REPLACE) != 1)
		return p11_ossl_err(CE_ERR_CRYPTO, "%s", what);
	return 0;
}

static int ext_basic_constraints(X509 *x, int ca, int path_len)
{
	int r = CE_ERR_INTERNAL;
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

	if (bc == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	bc->ca = ca ? 0xff : 0;
	if (ca && path_len >= 0) {
		bc->pathlen = ASN1_INTEGER_new();
		if (bc->pathlen == NULL || ASN1_INTEGER_set(bc->pathlen, path_len) != 1) {
			r = CE_ERR_NOMEM;
			goto out;
		}
	}
	r = ext_add(x, NID_basic_constraints, bc, 1, "basicConstraints");
out:
	BASIC_CONSTRAINTS_free(bc);
	return r;
}

/* keyUsage, always critical. */
static int ext_key_usage(X509 *x, const char *list)
{
	int r = CE_ERR_INTERNAL;
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();

	if (bits == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if ((r = list_each(list, "keyUsage", ku_add_one, bits)) < 0 ||
	    (r = ext_add(x, NID_key_usage, bits, 1, "keyUsage")) < 0)
		goto out;
	r = 0;
out:
	ASN1_BIT_STRING_free(bits);
	return r;
}

/* extendedKeyUsage, critical when asked (RFC 3161 2.3 for a TSU). */
static int ext_ext_key_usage(X509 *x, const char *list, int critical)
{
	int r = CE_ERR_INTERNAL;
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();

	if (eku == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if ((r = list_each(list, "extendedKeyUsage", eku_add_one, eku)) < 0 ||
	    (r = ext_add(x, NID_ext_key_usage, eku, critical, "extendedKeyUsage")) < 0)
		goto out;
	r = 0;
out:
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return r;
}

/* RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING; or
 * RFC 7093 section 2 method 1: SHA-256 of it, leftmost 160 bits. */
static int key_id_of(const X509 *x, enum x509_ski_method method, ASN1_OCTET_STRING **out)
{
	int r = CE_ERR_INTERNAL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	ASN1_OCTET_STRING *oct = NULL;

	*out = NULL;
	if (X509_pubkey_digest(x, method == X509_SKI_SHA256 ? EVP_sha256() : EVP_sha1(), md,
			       &md_len) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "key identifier");
		goto out;
	}
	oct = ASN1_OCTET_STRING_new();
	if (md_len > 20)
		md_len = 20;
	if (oct == NULL || ASN1_OCTET_STRING_set(oct, md, (int)md_len) != 1) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	*out = oct;
	oct = NULL; /* transferred */
	r = 0;
out:
	ASN1_OCTET_STRING_free(oct);
	return r;
}

/* subjectKeyIdentifier of x's key; *ski_out (may be NULL) gets a copy,
 * owned by the caller. */
static int ext_ski(X509 *x, enum x509_ski_method method, ASN1_OCTET_STRING **ski_out)
{
	int r = CE_ERR_INTERNAL;
	ASN1_OCTET_STRING *ski = NULL;

	if ((r = key_id_of(x, method, &ski)) < 0 ||
	    (r = ext_add(x, NID_subject_key_identifier, ski, 0, "subjectKeyIdentifier")) < 0)
		goto out;
	if (ski_out != NULL) {
		*ski_out = ski;
		ski = NULL; /* transferred */
	}
	r = 0;
out:
	ASN1_OCTET_STRING_free(ski);
	return r;
}

static int akid_new(const ASN1_OCTET_STRING *keyid, AUTHORITY_KEYID **out)
{
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();

	*out = NULL;
	if (akid == NULL)
		return CE_ERR_NOMEM;
	akid->keyid = ASN1_OCTET_STRING_dup(keyid);
	if (akid->keyid == NULL) {
		AUTHORITY_KEYID_free(akid);
		return CE_ERR_NOMEM;
	}
	*out = akid;
	return 0;
}

static int ext_aki(X509 *x, const ASN1_OCTET_STRING *keyid)
{
	int r = CE_ERR_INTERNAL;
	AUTHORITY_KEYID *akid = NULL;

	if ((r = akid_new(keyid, &akid)) < 0 ||
	    (r = ext_add(x, NID_authority_key_identifier, akid, 0, "authorityKeyIdentifier")) < 0)
		goto out;
	r = 0;
out:
	AUTHORITY_KEYID_free(akid);
	return r;
}

/* ---- profiles ------------------------------------------------------- */

int x509_profile_check(const struct x509_profile *p)
{
	if (p->not_after != 0 && p->validity_days != 0)
		return ce_err_set(CE_ERR_INVALID, "give either not-after or a validity in days");
	if (p->not_after != 0)
		return 0;
	if (p->validity_days == 0 || p->validity_days > X509_VALIDITY_MAX_DAYS)
		return ce_err_set(CE_ERR_INVALID, "validity of %u days out of range (1..%u)",
				  p->validity_days, X509_VALIDITY_MAX_DAYS);
	if (!p->ca && p->path_len >= 0)
		return ce_err_set(CE_ERR_INVALID, "pathLenConstraint is only for CA certificates");
	return 0;
}

/* The subject key of an issued certificate: RSA of at least 2048 bits, EC on
 * P-256/P-384/P-521, or Ed25519. */
int x509_profile_subject_key_check(const EVP_PKEY *key)
{
	char group[64];

	if (EVP_PKEY_is_a(key, "RSA")) {
		if (EVP_PKEY_get_bits(key) < 2048)
			return ce_err_set(CE_ERR_POLICY, "the CSR's RSA key has %d bits (at least "
					  "2048 are required)", EVP_PKEY_get_bits(key));
		return 0;
	}
	if (EVP_PKEY_is_a(key, "ED25519"))
		return 0;
	if (EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) == 1 &&
	    (strcmp(group, "prime256v1") == 0 || strcmp(group, "secp384r1") == 0 ||
	     strcmp(group, "secp521r1") == 0))
		return 0;
	ERR_clear_error();
	return ce_err_set(CE_ERR_POLICY, "the CSR's key type (%s) is not accepted (RSA >= 2048, "
			  "EC P-256/P-384/P-521, Ed25519)",
			  EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "?");
}

int x509_profile_ca_extensions(X509 *x, int path_len)
{
	int r = CE_ERR_INTERNAL;
	ASN1_OCTET_STRING *ski = NULL;

	if ((r = ext_basic_constraints(x, 1, path_len)) < 0 ||
	    (r = ext_key_usage(x, "keyCertSign,cRLSign")) < 0 ||
	    (r = ext_ski(x, X509_SKI_SHA1, &ski)) < 0 ||
	    (r = ext_aki(x, ski)) < 0)
		goto out;
	r = 0;
out:
	ASN1_OCTET_STRING_free(ski);
	return r;
}

/* The profile's extensions beyond basicConstraints, keyUsage and the key
 * identifiers (ext.c). */
static int profile_more_extensions(X509 *x, const struct x509_profile *p)
{
	int r = 0;

	if (p->n_policies > 0 && (r = x509_ext_policies(x, p->policies, p->n_policies)) < 0)
		return r;
	if (p->n_crl_urls > 0 && (r = x509_ext_crl_dp(x, p->crl_urls, p->n_crl_urls)) < 0)
		return r;
	if ((p->n_ocsp_urls > 0 || p->n_ca_issuers_urls > 0) &&
	    (r = x509_ext_aia(x, p->ocsp_urls, p->n_ocsp_urls, p->ca_issuers_urls,
			      p->n_ca_issuers_urls)) < 0)
		return r;
	if ((p->n_nc_permitted > 0 || p->n_nc_excluded > 0) &&
	    (r = x509_ext_name_constraints(x, p->nc_permitted, p->n_nc_permitted, p->nc_excluded,
					   p->n_nc_excluded)) < 0)
		return r;
	if (p->ocsp_nocheck && (r = x509_ext_ocsp_nocheck(x)) < 0)
		return r;
	return 0;
}

int x509_profile_extensions(X509 *x, const struct x509_profile *p,
			    const ASN1_OCTET_STRING *issuer_ski)
{
	int r = CE_ERR_INTERNAL;
	ASN1_OCTET_STRING *ski = NULL;
	const char *ku = p->key_usage != NULL ? p->key_usage
			 : p->ca ? "keyCertSign,cRLSign" : "digitalSignature";

	if ((r = ext_basic_constraints(x, p->ca, p->path_len)) < 0 ||
	    (r = ext_key_usage(x, ku)) < 0 ||
	    (p->ext_key_usage != NULL &&
	     (r = ext_ext_key_usage(x, p->ext_key_usage, p->eku_critical)) < 0) ||
	    (r = ext_ski(x, p->ski_method, &ski)) < 0 ||
	    (r = ext_aki(x, issuer_ski != NULL ? issuer_ski : ski)) < 0 ||
	    (r = profile_more_extensions(x, p)) < 0)
		goto out;
	r = 0;
out:
	ASN1_OCTET_STRING_free(ski);
	return r;
}

int x509_profile_crl_extensions(X509_CRL *crl, uint64_t crl_number,
				const ASN1_OCTET_STRING *issuer_ski)
{
	int r = CE_ERR_INTERNAL;
	ASN1_INTEGER *number = NULL;
	AUTHORITY_KEYID *akid = NULL;

	number = ASN1_INTEGER_new();
	if (number == NULL || ASN1_INTEGER_set_uint64(number, crl_number) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "cRLNumber");
		goto out;
	}
	r = akid_new(issuer_ski, &akid);
	if (r < 0)
		goto out;
	if (X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, 0) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "authorityKeyIdentifier");
		goto out;
	}
	r = 0;
out:
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(number);
	return r;
}
