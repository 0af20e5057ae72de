/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/x509/x509.h - certificates, CSRs and CRLs signed by a token key.
 *
 * Every function signs with the token's private key through pkcs11-provider
 * (struct p11_ossl_key from pkcs11/x509/ossl.h) using the key's digest: SHA-256
 * for RSA and P-256, SHA-384 for P-384, SHA-512 for P-521, none for Ed25519.
 * RSA signatures are PKCS#1 v1.5.
 *
 * Every output is verified before it is returned: its signature with the
 * software copy of the signer's public key (k->pub, re-imported from the
 * token's public key object into the default provider), and its public key
 * against the key it must carry (EVP_PKEY_eq). A token that returns an
 * invalid signature with success (pkcs11-provider's fallback on tokens
 * without hash-and-sign RSA mechanisms) is caught here: CE_ERR_VERIFY naming
 * the key URI. Nothing unverified is ever handed back.
 *
 * Subject names are written "/C=FR/O=Example TSP/CN=Example Root CA": each
 * RDN "/type=value" in order, type a short or long name or a dotted OID
 * (C, ST, L, O, OU, CN, serialNumber, organizationIdentifier, 2.5.4.97...),
 * values UTF-8, "\/", "\+" and "\\" escape a slash, a plus and a backslash;
 * "+" joins a multi-valued RDN ("/CN=x+O=y" is one RDN of two attributes).
 *
 * Before the token signs a certificate or CRL, it is built, signed with a
 * throwaway software key of the same type and linted (RFC 5280 and the
 * profile's rules: x509_lint_* below, docs/x509.md); after, its signature is
 * verified with the issuer certificate's key, the lint runs again and its
 * extensions must be byte-equal to the linted ones. A broken rule is
 * CE_ERR_POLICY naming the rule and its source; nothing reaches the token.
 *
 * Times are time_t (UTC); 0 for not_before / this_update means "now".
 * Returned objects are owned by the caller (X509_free, X509_REQ_free,
 * X509_CRL_free). Key arguments are borrowed. Nothing here is secret.
 */
#ifndef CE_PKCS11_X509_H
#define CE_PKCS11_X509_H

#include "pkcs11/x509/ossl.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#define X509_FPR_HEX_BYTES 65        /* SHA-256 in hex and a NUL */
#define X509_SUBJECT_MAX_BYTES 2048  /* a subject string */
#define X509_PEM_MAX_BYTES (1 << 20) /* a PEM file read back */
#define X509_SERIAL_BYTES 16         /* random serials: 16 bytes, positive */

/* A self-signed CA certificate. */
struct x509_ca_params {
	const char *subject;  /* required */
	time_t not_before;    /* 0: now */
	time_t not_after;     /* required, after not_before */
	int path_len;         /* pathLenConstraint, or -1 for none */
	/* Serial number as hex digits (1..40, not zero: RFC 5280 4.1.2.2), or
	 * NULL for 16 random bytes (CE_ERR_INVALID for a bad one). */
	const char *serial_hex;
};

/* Which ready profile's rules a certificate is checked against
 * (x509_profile_ready, docs/x509.md). 0: the legacy profile (no extra rule). */
enum x509_prof_kind {
	X509_PROF_LEGACY = 0,
	X509_PROF_ROOT,      /* root-ca */
	X509_PROF_SUB_CA,    /* sub-ca: TSP issuing CA */
	X509_PROF_OCSP,      /* ocsp-responder */
	X509_PROF_TSU,       /* tsu: timestamping unit */
	X509_PROF_CROSS,     /* cross: another CA's key (root rollover links) */
	X509_PROF_END_ENTITY /* end-entity */
};

/* subjectKeyIdentifier: RFC 5280 4.2.1.2 method 1 (SHA-1 of the key BIT
 * STRING) or RFC 7093 section 2 method 1 (SHA-256 of it, leftmost 160 bits). */
enum x509_ski_method { X509_SKI_SHA1 = 0, X509_SKI_SHA256 };

/* One attribute of a subject name, in order: type a short/long name or a
 * dotted OID, value UTF-8; same_rdn 1 joins the previous attribute's RDN (a
 * multi-valued RDN). countryName, serialNumber and dnQualifier are written
 * as PrintableString, emailAddress and domainComponent IA5String, the rest
 * UTF8String (RFC 5280 4.1.2.6). */
struct x509_name_attr {
	const char *type;
	const char *value;
	int same_rdn;
};

/* One certificatePolicies entry: a dotted OID, and optional CPS URI and
 * user notice explicitText (at most 200 characters, RFC 5280 4.2.1.4). */
struct x509_policy {
	const char *oid;
	const char *cps;
	const char *notice;
};

/* What an issued certificate says. */
struct x509_profile {
	const char *subject;       /* NULL: the CSR's subject */
	time_t not_before;         /* 0: now */
	unsigned int validity_days; /* 1 .. 36525 */
	int ca;                    /* 1: basicConstraints CA:TRUE; 0: CA:FALSE */
	int path_len;              /* with ca: pathLenConstraint, or -1 for none */
	/* Comma-separated keyUsage names (digitalSignature, nonRepudiation,
	 * keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign),
	 * always critical. NULL: "keyCertSign,cRLSign" for a CA, else
	 * "digitalSignature". */
	const char *key_usage;
	/* Comma-separated extendedKeyUsage names or dotted OIDs (serverAuth,
	 * clientAuth, codeSigning, emailProtection, timeStamping, OCSPSigning),
	 * not critical, or NULL for none. */
	const char *ext_key_usage;
	/* Serial number as hex digits (1..40, not zero: RFC 5280 4.1.2.2), or
	 * NULL for 16 random bytes. */
	const char *serial_hex;
	/* ---- profiles as data (docs/x509.md); all zero: the legacy profile ---- */
	enum x509_prof_kind kind;   /* which ready profile's rules apply */
	const char *name;           /* profile name for messages, or NULL */
	time_t not_after;           /* explicit notAfter (validity_days then 0) */
	const struct x509_name_attr *subject_attrs; /* ordered; overrides subject */
	size_t n_subject_attrs;
	const char *sig_alg;        /* expected signature algorithm (OpenSSL short
	                               name, "ecdsa-with-SHA384"), NULL: the key's */
	int eku_critical;           /* extendedKeyUsage critical (tsu: 1) */
	const struct x509_policy *policies; /* certificatePolicies */
	size_t n_policies;
	const char *const *crl_urls; /* cRLDistributionPoints fullName URIs */
	size_t n_crl_urls;
	const char *const *ocsp_urls; /* authorityInfoAccess id-ad-ocsp */
	size_t n_ocsp_urls;
	const char *const *ca_issuers_urls; /* authorityInfoAccess id-ad-caIssuers */
	size_t n_ca_issuers_urls;
	const char *const *nc_permitted; /* nameConstraints: "dns:x", "email:x", */
	size_t n_nc_permitted;           /* "uri:x", "ip:10.0.0.0/8" */
	const char *const *nc_excluded;
	size_t n_nc_excluded;
	int ocsp_nocheck;           /* id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1) */
	enum x509_ski_method ski_method;
	unsigned int max_validity_days; /* the profile's cap, 0: none but 36525 */
	int self_signed;            /* the root-ca profile: issuer == subject */
};

/* One revoked certificate in a CRL. */
struct x509_revoked {
	const char *serial_hex; /* the certificate's serial number in hex */
	time_t when;            /* revocationDate */
	int reason;             /* CRLReason 1..10 but 7 (RFC 5280 5.3.1), or 0 for
	                           none (unspecified is left out, as RFC 5280 asks) */
};

struct x509_crl_params {
	time_t this_update;       /* 0: now */
	time_t next_update;       /* required, after this_update */
	uint64_t crl_number;      /* cRLNumber, monotonic per issuer */
	const struct x509_revoked *revoked; /* borrowed, n_revoked entries */
	size_t n_revoked;
	/* ---- CRL rules (docs/x509.md) ---- */
	unsigned int max_next_days; /* nextUpdate cap: 0 means 365 days */
	const X509_CRL *previous;   /* the issuer's previous CRL, or NULL: the new
	                               cRLNumber must be greater */
	const char *idp_url;        /* issuingDistributionPoint fullName, or NULL */
};

/* Which object a PEM file or fingerprint is about. */
enum x509_kind { X509_KIND_CERT, X509_KIND_CSR, X509_KIND_CRL };

/*
 * Self-signed CA certificate for the token key k: version 3, 16-byte random
 * positive serial, subject == issuer, basicConstraints critical CA:TRUE
 * (pathLenConstraint if p->path_len >= 0), keyUsage critical
 * keyCertSign+cRLSign, subjectKeyIdentifier (SHA-1 of the public key, RFC 5280
 * method 1) and authorityKeyIdentifier (the same key id).
 * Returns 0 and *out, or CE_ERR_INVALID (subject syntax, times, path_len),
 * CE_ERR_CRYPTO (signing failed: detail has the provider's reason),
 * CE_ERR_VERIFY (the signature or the key check failed), CE_ERR_NOMEM.
 */
int x509_ca_self_sign(const struct p11_ossl_key *k, const struct x509_ca_params *p, X509 **out)
	__attribute__((warn_unused_result));

/*
 * Self-signed certificate for the token key k under profile p (a ready
 * profile with the caller's overrides, normally root-ca): subject ==
 * issuer from p->subject_attrs or p->subject, the profile's extensions, AKI
 * equal to the SKI. The profile's rules run first (x509_lint_profile, no
 * issuer), then the certificate is linted with a throwaway key before k
 * signs and checked again after (prelint.c). Returns as x509_ca_self_sign,
 * and CE_ERR_POLICY for a broken lint rule.
 */
int x509_self_sign(const struct p11_ossl_key *k, const struct x509_profile *p, X509 **out)
	__attribute__((warn_unused_result));

/* PKCS#10 request for the token key k with the given subject, no attributes.
 * Returns as x509_ca_self_sign. */
int x509_csr_make(const struct p11_ossl_key *k, const char *subject, X509_REQ **out)
	__attribute__((warn_unused_result));

/*
 * Certificate for csr's key, issued by issuer_key whose certificate is
 * issuer_cert. Checks first: the CSR's own signature (CE_ERR_VERIFY), its
 * key (RSA >= 2048 bits, EC P-256/P-384/P-521 or Ed25519: CE_ERR_POLICY), that
 * issuer_cert carries issuer_key's public key (CE_ERR_MISMATCH), is a CA
 * allowed to sign certificates and outlives the new certificate
 * (CE_ERR_POLICY). Then signs with serial, the
 * profile's extensions, SKI from the CSR key and AKI from issuer_cert's SKI;
 * verifies the signature and that the certificate carries the CSR's key.
 * Returns 0 and *out, or the codes above, CE_ERR_INVALID (profile, serial),
 * CE_ERR_CRYPTO, CE_ERR_NOMEM.
 */
int x509_cert_issue(const struct p11_ossl_key *issuer_key, const X509 *issuer_cert,
		    const X509_REQ *csr, const struct x509_profile *p, X509 **out)
	__attribute__((warn_unused_result));

/*
 * Version 2 CRL by issuer_key for issuer_cert (issuer name, AKI from its SKI),
 * with cRLNumber, revoked entries sorted by serial, reason codes as
 * entry extensions. Checks that issuer_cert carries issuer_key's public key
 * (CE_ERR_MISMATCH) and allows cRLSign (CE_ERR_POLICY); verifies the
 * signature after signing. Returns 0 and *out, or those codes,
 * CE_ERR_INVALID (times, serial, reason), CE_ERR_CRYPTO, CE_ERR_VERIFY,
 * CE_ERR_NOMEM.
 */
int x509_crl_make(const struct p11_ossl_key *issuer_key, const X509 *issuer_cert,
		  const struct x509_crl_params *p, X509_CRL **out)
	__attribute__((warn_unused_result));

/* SHA-256 of the object's DER as 64 lowercase hex digits and a NUL.
 * Returns 0 or CE_ERR_CRYPTO. */
int x509_fingerprint(enum x509_kind kind, const void *obj, char fpr[X509_FPR_HEX_BYTES])
	__attribute__((warn_unused_result));

/* What x509_pem_write wrote: the SHA-256 and size of the very bytes written
 * through the temporary file's descriptor before it was linked into place
 * (never the file read back by name). */
struct x509_pem_file {
	uint8_t sha256[32];
	uint64_t size;
};

/* Write obj as PEM to path through common/outfile.h (never overwrites:
 * CE_ERR_EXISTS; never half-written), mode 0644; fpr (may be NULL) receives
 * the SHA-256 fingerprint of the DER, file (may be NULL) the file's. Returns 0, CE_ERR_EXISTS, CE_ERR_IO,
 * CE_ERR_CRYPTO, CE_ERR_NOMEM. */
int x509_pem_write(const char *path, enum x509_kind kind, const void *obj,
		   char fpr[X509_FPR_HEX_BYTES], struct x509_pem_file *file)
	__attribute__((warn_unused_result));

/* Read one PEM object of the given kind from path (at most
 * X509_PEM_MAX_BYTES) into libctx (may be NULL). *out is the X509, X509_REQ
 * or X509_CRL, owned by the caller. Returns 0, CE_ERR_IO, CE_ERR_TOO_LARGE,
 * CE_ERR_FORMAT (no such PEM object in the file: detail names the path). */
int x509_pem_read(const char *path, enum x509_kind kind, OSSL_LIB_CTX *libctx, void **out)
	__attribute__((warn_unused_result));

/* Parse a subject string (syntax above) into *out (caller frees with
 * X509_NAME_free). Returns 0, CE_ERR_INVALID naming the offending RDN,
 * CE_ERR_TOO_LARGE, CE_ERR_NOMEM. */
int x509_name_parse(const char *subject, X509_NAME **out) __attribute__((warn_unused_result));

/* Build a name from ordered attributes (struct x509_name_attr). Returns 0,
 * CE_ERR_INVALID naming the attribute (unknown type, empty value, country not
 * two letters, a same_rdn first attribute), CE_ERR_NOMEM. */
int x509_name_build(const struct x509_name_attr *a, size_t n, X509_NAME **out)
	__attribute__((warn_unused_result));

/* The ready profile called name ("root-ca", "sub-ca", "ocsp-responder",
 * "tsu", "cross", "end-entity"; "ocsp-signer" is ocsp-responder's old name)
 * into *out (zeroed first; then override fields). Returns 0 or
 * CE_ERR_NOT_FOUND. x509_profile_names: "root-ca|sub-ca|...". */
int x509_profile_ready(const char *name, struct x509_profile *out)
	__attribute__((warn_unused_result));
const char *x509_profile_names(void);

/* ---- lint (pkcs11/x509/lint.c, rule table in docs/x509.md) ---- */

#define X509_LINT_MAX 32
#define X509_LINT_MSG_BYTES 320

/* One broken rule: its id ("bc-ca-keycertsign"), its source ("RFC 5280
 * 4.2.1.9"), the profile field it is about ("key-usage", "pathlen", ...,
 * for the script's line:col) and a sentence. */
struct x509_lint_finding {
	const char *rule;
	const char *source;
	const char *field;
	char msg[X509_LINT_MSG_BYTES];
};

struct x509_lint {
	size_t n;
	struct x509_lint_finding f[X509_LINT_MAX];
};

/* The profile alone: malformed or contradictory fields (CA:FALSE with
 * keyCertSign, pathLen on a leaf, an EKU on a root, validity past the
 * issuer's notAfter when issuer_not_after is not 0, ...). Appends to l. */
void x509_lint_profile(const struct x509_profile *p, time_t issuer_not_after,
		       struct x509_lint *l);

/* A certificate: RFC 5280 and, when p is not NULL, the profile's rules;
 * issuer (may be NULL: self-signed or unknown) for name chaining, AKI and
 * validity. Appends to l. */
void x509_lint_cert(const X509 *x, const struct x509_profile *p, const X509 *issuer,
		    struct x509_lint *l);

/* A CRL: RFC 5280 5, nextUpdate cap (max_next_days, 0: 365), issuer's
 * notAfter and cRLSign, duplicate serials, reasons, cRLNumber greater than
 * previous's (may be NULL). issuer may be NULL. Appends to l. */
void x509_lint_crl(const X509_CRL *crl, const X509 *issuer, const X509_CRL *previous,
		   unsigned int max_next_days, struct x509_lint *l);

/* Append a finding to l (dropped past X509_LINT_MAX); field may be NULL. */
void x509_lint_add(struct x509_lint *l, const char *rule, const char *source, const char *field,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* 0 if l is empty, else CE_ERR_POLICY with the first finding (and the count)
 * in the error detail: "<what>: <msg> [<rule>, <source>]". */
int x509_lint_result(const struct x509_lint *l, const char *what);

#endif
