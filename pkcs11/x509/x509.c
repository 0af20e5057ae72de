#include "pkcs11/x509/x509.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "pkcs11/p11.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define X509_VALIDITY_MAX_DAYS 36525U
#define X509_SERIAL_HEX_MAX_BYTES 40 /* 20 octets (RFC 5280 4.1.2.2) */
#define X509_LIST_MAX_BYTES 512
#define X509_SECONDS_PER_DAY 86400

/* Properties for objects we build: hashing and verification in software. */
static const char x509_propq[] = "?provider=default";

/* ---- subject names ---- */

int x509_name_parse(const char *subject, X509_NAME **out)
{
	int r = CE_ERR_INTERNAL;
	X509_NAME *name = NULL;
	char *copy = NULL;
	char *p, *w, *type, *value;
	size_t len;
	int rdn = 0;

	*out = NULL;
	len = strlen(subject);
	if (len > X509_SUBJECT_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "subject longer than %d bytes",
			       X509_SUBJECT_MAX_BYTES);
		goto out;
	}
	if (subject[0] != '/') {
		r = ce_err_set(CE_ERR_INVALID, "subject '%s': must start with '/' "
			       "(\"/C=FR/O=Example/CN=Root\")", subject);
		goto out;
	}
	copy = strdup(subject);
	name = X509_NAME_new();
	if (copy == NULL || name == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	p = copy + 1;
	while (*p != '\0') {
		rdn++;
		/* Unescape in place up to the next unescaped '/'. */
		type = w = p;
		value = NULL;
		while (*p != '\0' && *p != '/') {
			if (*p == '\\' && (p[1] == '/' || p[1] == '\\')) {
				p++;
			} else if (*p == '=' && value == NULL) {
				*w++ = '\0';
				value = w;
				p++;
				continue;
			}
			*w++ = *p++;
		}
		if (*p == '/')
			p++;
		*w = '\0';
		if (value == NULL || *type == '\0' || *value == '\0') {
			r = ce_err_set(CE_ERR_INVALID, "subject '%s': RDN %d is not type=value",
				       subject, rdn);
			goto out;
		}
		if (OBJ_txt2nid(type) == NID_undef) {
			r = ce_err_set(CE_ERR_INVALID, "subject '%s': RDN %d: unknown type '%s'",
				       subject, rdn, type);
			goto out;
		}
		if (X509_NAME_add_entry_by_txt(name, type, MBSTRING_UTF8,
					       (const unsigned char *)value, -1, -1, 0) != 1) {
			r = p11_ossl_err(CE_ERR_INVALID, "subject '%s': RDN %d (%s)", subject, rdn,
					 type);
			goto out;
		}
	}
	if (rdn == 0) {
		r = ce_err_set(CE_ERR_INVALID, "subject '%s' is empty", subject);
		goto out;
	}
	*out = name;
	name = NULL; /* transferred */
	r = 0;
out:
	X509_NAME_free(name);
	free(copy);
	return r;
}

/* ---- extensions ---- */

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
	if (X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_REPLACE) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "basicConstraints");
		goto out;
	}
	r = 0;
out:
	BASIC_CONSTRAINTS_free(bc);
	return r;
}

static int ext_key_usage(X509 *x, const char *list)
{
	int r = CE_ERR_INTERNAL;
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();

	if (bits == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = list_each(list, "keyUsage", ku_add_one, bits);
	if (r < 0)
		goto out;
	if (X509_add1_ext_i2d(x, NID_key_usage, bits, 1, X509V3_ADD_REPLACE) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "keyUsage");
		goto out;
	}
	r = 0;
out:
	ASN1_BIT_STRING_free(bits);
	return r;
}

static int ext_ext_key_usage(X509 *x, const char *list)
{
	int r = CE_ERR_INTERNAL;
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();

	if (eku == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = list_each(list, "extendedKeyUsage", eku_add_one, eku);
	if (r < 0)
		goto out;
	if (X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, X509V3_ADD_REPLACE) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "extendedKeyUsage");
		goto out;
	}
	r = 0;
out:
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return r;
}

/* RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING. */
static int key_id_of(const X509 *x, ASN1_OCTET_STRING **out)
{
	int r = CE_ERR_INTERNAL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	ASN1_OCTET_STRING *oct = NULL;

	*out = NULL;
	if (X509_pubkey_digest(x, EVP_sha1(), md, &md_len) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "key identifier");
		goto out;
	}
	oct = ASN1_OCTET_STRING_new();
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

static int ext_ski(X509 *x, ASN1_OCTET_STRING **ski_out)
{
	int r = CE_ERR_INTERNAL;
	ASN1_OCTET_STRING *ski = NULL;

	r = key_id_of(x, &ski);
	if (r < 0)
		goto out;
	if (X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, X509V3_ADD_REPLACE) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "subjectKeyIdentifier");
		goto out;
	}
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

	r = akid_new(keyid, &akid);
	if (r < 0)
		goto out;
	if (X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, X509V3_ADD_REPLACE) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "authorityKeyIdentifier");
		goto out;
	}
	r = 0;
out:
	AUTHORITY_KEYID_free(akid);
	return r;
}

/* ---- common steps ---- */

static int serial_random(X509 *x)
{
	int r = CE_ERR_INTERNAL;
	unsigned char b[X509_SERIAL_BYTES];
	BIGNUM *bn = NULL;

	if (RAND_bytes(b, sizeof(b)) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "random serial number");
		goto out;
	}
	/* Positive and exactly 16 octets in DER: top bit clear, next bit set. */
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = 0;
out:
	BN_free(bn);
	return r;
}

/* A serial given as hex: 1..40 digits, positive and not zero. */
static int serial_from_hex(X509 *x, const char *hex)
{
	int r = CE_ERR_INTERNAL;
	size_t n = strlen(hex);
	BIGNUM *bn = NULL;

	if (n == 0 || n > X509_SERIAL_HEX_MAX_BYTES ||
	    strspn(hex, "0123456789abcdefABCDEF") != n) {
		r = ce_err_set(CE_ERR_INVALID, "serial '%.48s' is not 1..%d hex digits", hex,
			       X509_SERIAL_HEX_MAX_BYTES);
		goto out;
	}
	if (BN_hex2bn(&bn, hex) == 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (BN_is_zero(bn)) {
		r = ce_err_set(CE_ERR_INVALID, "serial 0 is not allowed (RFC 5280 4.1.2.2)");
		goto out;
	}
	if (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = 0;
out:
	BN_free(bn);
	return r;
}

static int validity_set(X509 *x, time_t not_before, time_t not_after)
{
	time_t nb = not_before != 0 ? not_before : time(NULL);

	if (not_after <= nb)
		return ce_err_set(CE_ERR_INVALID, "notAfter must be later than notBefore");
	if (ASN1_TIME_set(X509_getm_notBefore(x), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), not_after) == NULL)
		return p11_ossl_err(CE_ERR_INVALID, "validity dates");
	return 0;
}

/* Sign with pkcs11-provider: OpenSSL builds the AlgorithmIdentifiers and
 * asks the provider for the signature over the TBS encoding. */
static int sign_provider(const struct p11_ossl_key *k, enum x509_kind kind, void *obj)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int ok = 0;

	if (mctx == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSignInit_ex(mctx, NULL, k->md, p11_ossl_libctx(k->ctx), NULL, k->priv,
				  NULL) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: cannot start signing", k->uri);
		goto out;
	}
	switch (kind) {
	case X509_KIND_CERT:
		ok = X509_sign_ctx(obj, mctx) > 0;
		break;
	case X509_KIND_CSR:
		ok = X509_REQ_sign_ctx(obj, mctx) > 0;
		break;
	case X509_KIND_CRL:
		ok = X509_CRL_sign_ctx(obj, mctx) > 0;
		break;
	}
	if (!ok) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: signing", k->uri);
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(mctx);
	return r;
}

/* Sign through our PKCS#11 layer (p11_key_sign), for modules whose login
 * the provider cannot share (p11-kit-client). OpenSSL first signs with a
 * throwaway software key of the same algorithm, which writes both
 * AlgorithmIdentifiers exactly as the provider path would; the signature
 * value is then replaced by the token's signature over the same TBS bytes.
 * The caller verifies the result with the token's public key. */
static int sign_direct(const struct p11_ossl_key *k, enum x509_kind kind, void *obj)
{
	int r = CE_ERR_INTERNAL;
	OSSL_LIB_CTX *libctx = p11_ossl_libctx(k->ctx);
	EVP_PKEY *eph = NULL;
	EVP_MD *md = NULL;
	unsigned char *tbs = NULL;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	const ASN1_BIT_STRING *cpsig = NULL;
	ASN1_BIT_STRING *psig;
	enum p11_hash hash;
	int tbs_len = -1, ok = 0;

	if (EVP_PKEY_is_a(k->pub, "RSA"))
		eph = EVP_PKEY_Q_keygen(libctx, "provider=default", "RSA", (size_t)2048);
	else if (EVP_PKEY_is_a(k->pub, "EC"))
		eph = EVP_PKEY_Q_keygen(libctx, "provider=default", "EC", "P-256");
	else
		eph = EVP_PKEY_Q_keygen(libctx, "provider=default", "ED25519");
	if (eph == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: algorithm identifiers", k->uri);
		goto out;
	}
	if (k->md != NULL && (md = EVP_MD_fetch(libctx, k->md, "provider=default")) == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: digest %s", k->uri, k->md);
		goto out;
	}
	hash = k->md == NULL ? P11_HASH_NONE
	       : strcmp(k->md, "SHA384") == 0 ? P11_HASH_SHA384
	       : strcmp(k->md, "SHA512") == 0 ? P11_HASH_SHA512 : P11_HASH_SHA256;
	switch (kind) {
	case X509_KIND_CERT:
		ok = X509_sign(obj, eph, md) > 0 && (tbs_len = i2d_re_X509_tbs(obj, &tbs)) > 0;
		if (ok)
			X509_get0_signature(&cpsig, NULL, obj);
		break;
	case X509_KIND_CSR:
		ok = X509_REQ_sign(obj, eph, md) > 0 && (tbs_len = i2d_re_X509_REQ_tbs(obj, &tbs)) > 0;
		if (ok)
			X509_REQ_get0_signature(obj, &cpsig, NULL);
		break;
	case X509_KIND_CRL:
		ok = X509_CRL_sign(obj, eph, md) > 0 && (tbs_len = i2d_re_X509_CRL_tbs(obj, &tbs)) > 0;
		if (ok)
			X509_CRL_get0_signature(obj, &cpsig, NULL);
		break;
	}
	if (!ok || cpsig == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: encoding what to sign", k->uri);
		goto out;
	}
	r = p11_key_sign(k->direct, hash, tbs, (size_t)tbs_len, &sig, &sig_len);
	if (r < 0)
		goto out;
	/* The signature value lives in the object; OpenSSL offers only a const
	 * getter for it. */
	psig = (ASN1_BIT_STRING *)cpsig;
	if (sig_len > INT_MAX || ASN1_BIT_STRING_set(psig, sig, (int)sig_len) != 1) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	psig->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	psig->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	r = 0;
out:
	free(sig);
	OPENSSL_free(tbs);
	EVP_MD_free(md);
	EVP_PKEY_free(eph);
	return r;
}

static int sign_obj(const struct p11_ossl_key *k, enum x509_kind kind, void *obj)
{
	ERR_clear_error();
	return k->priv != NULL ? sign_provider(k, kind, obj) : sign_direct(k, kind, obj);
}

/* The key an output carries must be the expected one (k->pub, a software
 * copy of the token's key). */
static int key_must_match(const EVP_PKEY *got, const EVP_PKEY *want, const char *what,
			  const char *uri)
{
	if (got == NULL || EVP_PKEY_eq(got, want) != 1) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_VERIFY, "%s does not carry the key %s", what, uri);
	}
	return 0;
}

/* The issuer certificate must carry the issuer key and allow the use. */
static int issuer_check(const struct p11_ossl_key *k, const X509 *issuer, uint32_t ku_bit,
			const char *use)
{
	X509 *ix = (X509 *)issuer; /* X509_check_ca/X509_get_key_usage cache flags */

	if (EVP_PKEY_eq(X509_get0_pubkey(issuer), k->pub) != 1) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_MISMATCH,
				  "the issuer certificate does not carry the key %s", k->uri);
	}
	if (X509_check_ca(ix) == 0) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_POLICY, "the issuer certificate is not a CA certificate");
	}
	if ((X509_get_extension_flags(ix) & EXFLAG_KUSAGE) != 0 &&
	    (X509_get_key_usage(ix) & ku_bit) == 0)
		return ce_err_set(CE_ERR_POLICY, "the issuer certificate's keyUsage lacks %s", use);
	if (X509_get0_subject_key_id(ix) == NULL)
		return ce_err_set(CE_ERR_POLICY,
				  "the issuer certificate has no subjectKeyIdentifier");
	return 0;
}

/* ---- the four outputs ---- */

int x509_ca_self_sign(const struct p11_ossl_key *k, const struct x509_ca_params *p, X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	ASN1_OCTET_STRING *ski = NULL;

	*out = NULL;
	ERR_clear_error();
	if (p->subject == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "a CA certificate needs a subject");
		goto out;
	}
	r = x509_name_parse(p->subject, &name);
	if (r < 0)
		goto out;
	x = X509_new_ex(p11_ossl_libctx(k->ctx), x509_propq);
	if (x == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, k->pub) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "certificate fields");
		goto out;
	}
	if ((r = p->serial_hex != NULL ? serial_from_hex(x, p->serial_hex) : serial_random(x)) < 0 ||
	    (r = validity_set(x, p->not_before, p->not_after)) < 0 ||
	    (r = ext_basic_constraints(x, 1, p->path_len)) < 0 ||
	    (r = ext_key_usage(x, "keyCertSign,cRLSign")) < 0 || (r = ext_ski(x, &ski)) < 0 ||
	    (r = ext_aki(x, ski)) < 0)
		goto out;
	r = sign_obj(k, X509_KIND_CERT, x);
	if (r < 0) {
		ce_err_prefix(r, "the CA certificate");
		goto out;
	}
	/* Every signature the HSM makes is verified before it is used. */
	if (X509_verify(x, k->pub) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY,
				 "%s: the token signed a CA certificate that does not verify",
				 k->uri);
		goto out;
	}
	r = key_must_match(X509_get0_pubkey(x), k->pub, "the CA certificate", k->uri);
	if (r < 0)
		goto out;
	if (k->priv != NULL && EVP_PKEY_eq(k->priv, X509_get0_pubkey(x)) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the CA certificate does not carry the key %s",
			       k->uri);
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	ASN1_OCTET_STRING_free(ski);
	X509_NAME_free(name);
	X509_free(x);
	return r;
}

int x509_csr_make(const struct p11_ossl_key *k, const char *subject, X509_REQ **out)
{
	int r = CE_ERR_INTERNAL;
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;

	*out = NULL;
	ERR_clear_error();
	if (subject == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "a CSR needs a subject");
		goto out;
	}
	r = x509_name_parse(subject, &name);
	if (r < 0)
		goto out;
	req = X509_REQ_new_ex(p11_ossl_libctx(k->ctx), x509_propq);
	if (req == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, k->pub) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "CSR fields");
		goto out;
	}
	r = sign_obj(k, X509_KIND_CSR, req);
	if (r < 0) {
		ce_err_prefix(r, "the CSR");
		goto out;
	}
	if (X509_REQ_verify(req, k->pub) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "%s: the token signed a CSR that does not verify",
				 k->uri);
		goto out;
	}
	r = key_must_match(X509_REQ_get0_pubkey(req), k->pub, "the CSR", k->uri);
	if (r < 0)
		goto out;
	*out = req;
	req = NULL; /* transferred */
	r = 0;
out:
	X509_NAME_free(name);
	X509_REQ_free(req);
	return r;
}

/* The subject key of an issued certificate: RSA of at least 2048 bits, EC on
 * P-256/P-384/P-521, or Ed25519. */
static int subject_key_check(const EVP_PKEY *key)
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

int x509_cert_issue(const struct p11_ossl_key *issuer_key, const X509 *issuer_cert,
		    const X509_REQ *csr, const struct x509_profile *p, X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	EVP_PKEY *csr_key = NULL;
	const ASN1_OCTET_STRING *issuer_ski;
	time_t nb, na;
	int cmp;
	const char *ku;

	*out = NULL;
	ERR_clear_error();
	if (p->validity_days == 0 || p->validity_days > X509_VALIDITY_MAX_DAYS) {
		r = ce_err_set(CE_ERR_INVALID, "validity of %u days out of range (1..%u)",
			       p->validity_days, X509_VALIDITY_MAX_DAYS);
		goto out;
	}
	if (!p->ca && p->path_len >= 0) {
		r = ce_err_set(CE_ERR_INVALID, "pathLenConstraint is only for CA certificates");
		goto out;
	}
	csr_key = X509_REQ_get_pubkey((X509_REQ *)csr);
	if (csr_key == NULL) {
		r = p11_ossl_err(CE_ERR_FORMAT, "the CSR's public key cannot be read");
		goto out;
	}
	/* The requester proves possession of the key: the CSR's own signature. */
	if (X509_REQ_verify((X509_REQ *)csr, csr_key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the CSR's signature does not verify");
		goto out;
	}
	r = subject_key_check(csr_key);
	if (r < 0)
		goto out;
	r = issuer_check(issuer_key, issuer_cert, KU_KEY_CERT_SIGN, "keyCertSign");
	if (r < 0)
		goto out;
	issuer_ski = X509_get0_subject_key_id((X509 *)issuer_cert);
	if (p->subject != NULL) {
		r = x509_name_parse(p->subject, &name);
		if (r < 0)
			goto out;
	} else {
		name = X509_NAME_dup(X509_REQ_get_subject_name(csr));
		if (name == NULL || X509_NAME_entry_count(name) == 0) {
			r = ce_err_set(CE_ERR_INVALID, "the CSR has an empty subject");
			goto out;
		}
	}
	x = X509_new_ex(p11_ossl_libctx(issuer_key->ctx), x509_propq);
	if (x == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(issuer_cert)) != 1 ||
	    X509_set_pubkey(x, csr_key) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "certificate fields");
		goto out;
	}
	nb = p->not_before != 0 ? p->not_before : time(NULL);
	na = nb + (time_t)p->validity_days * X509_SECONDS_PER_DAY;
	/* Nothing outlives its issuer. */
	cmp = X509_cmp_time(X509_get0_notAfter(issuer_cert), &na);
	if (cmp == 0) {
		r = p11_ossl_err(CE_ERR_FORMAT, "the issuer certificate's notAfter");
		goto out;
	}
	if (cmp < 0) {
		r = ce_err_set(CE_ERR_POLICY, "the certificate would end after its issuer's "
			       "certificate (shorten the validity)");
		goto out;
	}
	ku = p->key_usage != NULL ? p->key_usage : p->ca ? "keyCertSign,cRLSign"
							 : "digitalSignature";
	if ((r = p->serial_hex != NULL ? serial_from_hex(x, p->serial_hex) : serial_random(x)) < 0 ||
	    (r = validity_set(x, nb, na)) < 0 ||
	    (r = ext_basic_constraints(x, p->ca, p->path_len)) < 0 ||
	    (r = ext_key_usage(x, ku)) < 0 ||
	    (p->ext_key_usage != NULL && (r = ext_ext_key_usage(x, p->ext_key_usage)) < 0) ||
	    (r = ext_ski(x, NULL)) < 0 || (r = ext_aki(x, issuer_ski)) < 0)
		goto out;
	r = sign_obj(issuer_key, X509_KIND_CERT, x);
	if (r < 0) {
		ce_err_prefix(r, "the certificate");
		goto out;
	}
	if (X509_verify(x, issuer_key->pub) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY,
				 "%s: the token signed a certificate that does not verify",
				 issuer_key->uri);
		goto out;
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(x), csr_key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the issued certificate does not carry the CSR's key");
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	EVP_PKEY_free(csr_key);
	X509_NAME_free(name);
	X509_free(x);
	return r;
}

static int revoked_add(X509_CRL *crl, const struct x509_revoked *rv, size_t i)
{
	int r = CE_ERR_INTERNAL;
	X509_REVOKED *rev = NULL;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *reason = NULL;
	size_t n;

	n = rv->serial_hex != NULL ? strlen(rv->serial_hex) : 0;
	if (n == 0 || n > X509_SERIAL_HEX_MAX_BYTES || strspn(rv->serial_hex,
	    "0123456789abcdefABCDEF") != n) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entry %zu: serial '%s' is not 1..%d hex digits",
			       i + 1, rv->serial_hex ? rv->serial_hex : "", X509_SERIAL_HEX_MAX_BYTES);
		goto out;
	}
	if (rv->reason < 0 || rv->reason > 10 || rv->reason == 7) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entry %zu: reason code %d invalid "
			       "(RFC 5280 CRLReason 0..10 but 7)", i + 1, rv->reason);
		goto out;
	}
	if (rv->when == 0) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entry %zu: revocation time missing", i + 1);
		goto out;
	}
	rev = X509_REVOKED_new();
	when = ASN1_TIME_set(NULL, rv->when);
	if (rev == NULL || when == NULL || BN_hex2bn(&bn, rv->serial_hex) == 0 ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL) {
		r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu", i + 1);
		goto out;
	}
	if (X509_REVOKED_set_serialNumber(rev, serial) != 1 ||
	    X509_REVOKED_set_revocationDate(rev, when) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu", i + 1);
		goto out;
	}
	if (rv->reason != 0) {
		reason = ASN1_ENUMERATED_new();
		if (reason == NULL || ASN1_ENUMERATED_set(reason, rv->reason) != 1 ||
		    X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) != 1) {
			r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu: reason", i + 1);
			goto out;
		}
	}
	if (X509_CRL_add0_revoked(crl, rev) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "revoked entry %zu", i + 1);
		goto out;
	}
	rev = NULL; /* transferred to the CRL */
	r = 0;
out:
	ASN1_ENUMERATED_free(reason);
	ASN1_TIME_free(when);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_REVOKED_free(rev);
	return r;
}

int x509_crl_make(const struct p11_ossl_key *issuer_key, const X509 *issuer_cert,
		  const struct x509_crl_params *p, X509_CRL **out)
{
	int r = CE_ERR_INTERNAL;
	X509_CRL *crl = NULL;
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *number = NULL;
	AUTHORITY_KEYID *akid = NULL;
	time_t tu;
	size_t i;

	*out = NULL;
	ERR_clear_error();
	r = issuer_check(issuer_key, issuer_cert, KU_CRL_SIGN, "cRLSign");
	if (r < 0)
		goto out;
	tu = p->this_update != 0 ? p->this_update : time(NULL);
	if (p->next_update <= tu) {
		r = ce_err_set(CE_ERR_INVALID, "nextUpdate must be later than thisUpdate");
		goto out;
	}
	if (p->n_revoked > 0 && p->revoked == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "revoked entries missing");
		goto out;
	}
	crl = X509_CRL_new_ex(p11_ossl_libctx(issuer_key->ctx), x509_propq);
	if (crl == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer_cert)) != 1 ||
	    (t = ASN1_TIME_set(NULL, tu)) == NULL || X509_CRL_set1_lastUpdate(crl, t) != 1 ||
	    ASN1_TIME_set(t, p->next_update) == NULL || X509_CRL_set1_nextUpdate(crl, t) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "CRL fields");
		goto out;
	}
	for (i = 0; i < p->n_revoked; i++) {
		r = revoked_add(crl, &p->revoked[i], i);
		if (r < 0)
			goto out;
	}
	number = ASN1_INTEGER_new();
	if (number == NULL || ASN1_INTEGER_set_uint64(number, p->crl_number) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "cRLNumber");
		goto out;
	}
	r = akid_new(X509_get0_subject_key_id((X509 *)issuer_cert), &akid);
	if (r < 0)
		goto out;
	if (X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, 0) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "authorityKeyIdentifier");
		goto out;
	}
	if (X509_CRL_sort(crl) != 1) {
		r = p11_ossl_err(CE_ERR_NOMEM, "sorting the CRL");
		goto out;
	}
	r = sign_obj(issuer_key, X509_KIND_CRL, crl);
	if (r < 0) {
		ce_err_prefix(r, "the CRL");
		goto out;
	}
	if (X509_CRL_verify(crl, issuer_key->pub) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "%s: the token signed a CRL that does not verify",
				 issuer_key->uri);
		goto out;
	}
	*out = crl;
	crl = NULL; /* transferred */
	r = 0;
out:
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(number);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return r;
}

/* ---- encodings ---- */

static int der_of(enum x509_kind kind, const void *obj, unsigned char **der)
{
	switch (kind) {
	case X509_KIND_CERT:
		return i2d_X509((const X509 *)obj, der);
	case X509_KIND_CSR:
		return i2d_X509_REQ((const X509_REQ *)obj, der);
	case X509_KIND_CRL:
		return i2d_X509_CRL((const X509_CRL *)obj, der);
	}
	return -1;
}

int x509_fingerprint(enum x509_kind kind, const void *obj, char fpr[X509_FPR_HEX_BYTES])
{
	int r = CE_ERR_INTERNAL;
	unsigned char *der = NULL;
	unsigned char md[32];
	int len;

	len = der_of(kind, obj, &der);
	if (len <= 0 || EVP_Digest(der, (size_t)len, md, NULL, EVP_sha256(), NULL) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "fingerprint");
		goto out;
	}
	hex_encode(md, sizeof(md), fpr);
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

int x509_pem_write(const char *path, enum x509_kind kind, const void *obj,
		   char fpr[X509_FPR_HEX_BYTES])
{
	int r = CE_ERR_INTERNAL;
	BIO *mem = NULL;
	char *data = NULL;
	long len;
	int ok;

	mem = BIO_new(BIO_s_mem());
	if (mem == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	switch (kind) {
	case X509_KIND_CERT:
		ok = PEM_write_bio_X509(mem, (const X509 *)obj);
		break;
	case X509_KIND_CSR:
		ok = PEM_write_bio_X509_REQ(mem, (const X509_REQ *)obj);
		break;
	case X509_KIND_CRL:
		ok = PEM_write_bio_X509_CRL(mem, (const X509_CRL *)obj);
		break;
	default:
		ok = 0;
	}
	if (ok != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: PEM encoding", path);
		goto out;
	}
	if (fpr != NULL && (r = x509_fingerprint(kind, obj, fpr)) < 0)
		goto out;
	len = BIO_get_mem_data(mem, &data);
	if (len <= 0) {
		r = ce_err_set(CE_ERR_INTERNAL, "%s: empty PEM", path);
		goto out;
	}
	r = outfile_write_all(path, 0644, data, (size_t)len);
	if (r < 0)
		goto out;
	r = 0;
out:
	BIO_free(mem);
	return r;
}

int x509_pem_read(const char *path, enum x509_kind kind, OSSL_LIB_CTX *libctx, void **out)
{
	int r = CE_ERR_INTERNAL;
	struct buf b;
	BIO *mem = NULL;
	void *obj = NULL;
	const char *what = kind == X509_KIND_CERT ? "CERTIFICATE"
			   : kind == X509_KIND_CSR ? "CERTIFICATE REQUEST" : "X509 CRL";

	*out = NULL;
	buf_init(&b, X509_PEM_MAX_BYTES);
	r = buf_read_file(&b, path, X509_PEM_MAX_BYTES);
	if (r < 0)
		goto out;
	mem = BIO_new_mem_buf(b.p, (int)b.len);
	if (mem == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	ERR_clear_error();
	switch (kind) {
	case X509_KIND_CERT:
		obj = X509_new_ex(libctx, x509_propq);
		if (obj != NULL && PEM_read_bio_X509(mem, (X509 **)&obj, NULL, NULL) == NULL) {
			X509_free(obj);
			obj = NULL;
		}
		break;
	case X509_KIND_CSR:
		obj = X509_REQ_new_ex(libctx, x509_propq);
		if (obj != NULL && PEM_read_bio_X509_REQ(mem, (X509_REQ **)&obj, NULL, NULL) == NULL) {
			X509_REQ_free(obj);
			obj = NULL;
		}
		break;
	case X509_KIND_CRL:
		obj = X509_CRL_new_ex(libctx, x509_propq);
		if (obj != NULL && PEM_read_bio_X509_CRL(mem, (X509_CRL **)&obj, NULL, NULL) == NULL) {
			X509_CRL_free(obj);
			obj = NULL;
		}
		break;
	}
	if (obj == NULL) {
		r = p11_ossl_err(CE_ERR_FORMAT, "%s: no PEM %s", path, what);
		goto out;
	}
	*out = obj;
	r = 0;
out:
	BIO_free(mem);
	buf_free(&b);
	return r;
}
