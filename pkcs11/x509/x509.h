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
 * values UTF-8, "\/" and "\\" escape a slash and a backslash.
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

#endif
