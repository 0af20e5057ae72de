/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/signature.c - the detached CMS signature over the whole
 * transcript (docs/transcript-format.md section 3), and that its signer is the
 * key the transcript announced. libcrypto only. The transcript itself is not
 * read here: its SHA-256 comes from the one streaming pass (frame.c), so a
 * file changed between the line checks and the signature check cannot pass.
 */
#include "ceremony/model/roster_cert.h"
#include "ceremony/verify/verify_internal.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/hex.h"

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h: PEM_read_bio_CMS */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static X509 *cert_read(const char *path)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x = NULL;

	if (b != NULL)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	return x;
}

#define PEM_HEAD "-----BEGIN CMS-----\n"
#define PEM_TAIL "\n-----END CMS-----\n"

/* Read sig_path: exactly one PEM block, as the writer makes it, holding a
 * detached SignedData of id-data. *out owned by the caller. 0, 1 (failure
 * recorded), CE_ERR_IO, CE_ERR_NOMEM. */
static int sig_read(const char *sig_path, struct verify_report *rep, CMS_ContentInfo **out)
{
	int r = CE_ERR_INTERNAL;
	BIO *sb = NULL;
	CMS_ContentInfo *cms = NULL;
	struct buf sigbuf;
	struct stat st;

	buf_init(&sigbuf, 1024 * 1024);
	if (stat(sig_path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 1024 * 1024) {
		r = verify_report_fail(rep, 0, "%s: not a signature file (missing, not a file, or over 1 MiB)", sig_path);
		goto out;
	}
	r = buf_read_file(&sigbuf, sig_path, 1024 * 1024);
	if (r < 0)
		goto out;
	/* Exactly one PEM block, as the writer makes it: nothing before or after. */
	if (sigbuf.len < sizeof(PEM_HEAD) + sizeof(PEM_TAIL) ||
	    memcmp(sigbuf.p, PEM_HEAD, sizeof(PEM_HEAD) - 1) != 0 ||
	    memcmp(sigbuf.p + sigbuf.len - (sizeof(PEM_TAIL) - 1), PEM_TAIL, sizeof(PEM_TAIL) - 1) != 0 ||
	    memmem(sigbuf.p + 1, sigbuf.len - 1, "-----BEGIN", 10) != NULL) {
		r = verify_report_fail(rep, 0, "%s: not exactly one PEM CMS block", sig_path);
		goto out;
	}
	sb = BIO_new_mem_buf(sigbuf.p, (int)sigbuf.len);
	if (sb == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory reading the signature", sig_path);
		goto out;
	}
	ERR_clear_error();
	cms = PEM_read_bio_CMS(sb, NULL, NULL, NULL);
	if (cms == NULL && (r = verify_ossl_silent(sig_path)) < 0)
		goto out;
	if (cms == NULL) {
		r = verify_report_fail(rep, 0, "%s: not a PEM CMS signature", sig_path);
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || CMS_is_detached(cms) != 1) {
		r = verify_report_fail(rep, 0, "%s: not a detached CMS SignedData", sig_path);
		goto out;
	}
	/* The content type is not covered by the signature in OpenSSL's check:
	 * insist on the one we sign, id-data. */
	if (CMS_get0_eContentType(cms) == NULL ||
	    OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
		r = verify_report_fail(rep, 0, "%s: the signed content type is not id-data", sig_path);
		goto out;
	}
	*out = cms;
	cms = NULL; /* transferred */
	r = 0;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(sb);
	buf_free(&sigbuf);
	return r;
}

/* Each signer (the transcript key's first, then the co-signers'), with the
 * algorithm pairs the writer produces. 0 or 1. */
static int sig_algs_check(CMS_ContentInfo *cms, const char *sig_path, struct verify_report *rep)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	X509_ALGOR *dig = NULL, *salg = NULL;
	const ASN1_OBJECT *o = NULL;
	int dn, sn, i;

	if (sis == NULL || sk_CMS_SignerInfo_num(sis) < 1)
		return verify_report_fail(rep, 0, "%s: the signature has no signer", sig_path);
	for (i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
		/* OpenSSL does not tie the signature algorithm identifier to the
		 * key: accept only the pairs the writer produces, with SHA-256. */
		CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, i), NULL, NULL, &dig, &salg);
		if (dig == NULL || salg == NULL)
			return verify_report_fail(rep, 0, "%s: no signature algorithm", sig_path);
		X509_ALGOR_get0(&o, NULL, NULL, dig);
		dn = OBJ_obj2nid(o);
		X509_ALGOR_get0(&o, NULL, NULL, salg);
		sn = OBJ_obj2nid(o);
		if (dn != NID_sha256 ||
		    !(sn == NID_ecdsa_with_SHA256 || sn == NID_rsaEncryption ||
		      sn == NID_sha256WithRSAEncryption || sn == NID_rsassaPss || sn == NID_ED25519 ||
		      sn == NID_ED448))
			return verify_report_fail(rep, 0, "%s: signature algorithms %s / %s are not SHA-256 with ECDSA, RSA or EdDSA",
						  sig_path, OBJ_nid2sn(dn), OBJ_nid2sn(sn));
	}
	return 0;
}

/* The signer is the announced key, self-signed, and the certificate the
 * auditor holds (signer_path) and the one beside the transcript, if any.
 * 0, 1 (failure recorded), CE_ERR_IO, CE_ERR_NOMEM. */
static int sig_signer_check(const char *path, const char *sig_path, const char *signer_path,
			    X509 *signer, struct verify_report *rep)
{
	int r = CE_ERR_INTERNAL;
	X509 *mine = NULL, *beside = NULL;
	EVP_PKEY *pk = X509_get0_pubkey(signer);
	char *beside_path = NULL;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	struct stat st;

	if (rep->key_line == 0) {
		r = verify_report_fail(rep, 0, "the transcript announces no transcript key (no transcript.key event)");
		goto out;
	}
	/* a key OpenSSL parsed encodes again unless memory or OpenSSL fails:
	 * an error (transcript_spki_sha256 says what), not a verdict */
	if (pk != NULL && (r = transcript_spki_sha256(pk, h)) < 0)
		goto out;
	if (pk == NULL || r != 0) {
		r = verify_report_fail(rep, 0, "the signer certificate's public key cannot be read");
		goto out;
	}
	hex_encode(h, 32, hex);
	/* The signer certificate is self-signed by the transcript key: a changed
	 * byte anywhere in it breaks that signature. */
	if (X509_verify(signer, pk) != 1) {
		r = verify_report_fail(rep, 0, "%s: the signer certificate's self-signature does not verify", sig_path);
		goto out;
	}
	if (strcmp(hex, rep->key_spki_sha256) != 0) {
		r = verify_report_fail(rep, 0, "signer certificate is not the key announced at line %llu (signer key %s, announced %s)",
			 (unsigned long long)rep->key_line, hex, rep->key_spki_sha256);
		goto out;
	}
	if (signer_path != NULL) {
		mine = cert_read(signer_path);
		if (mine == NULL) {
			r = ce_err_set(CE_ERR_IO, "%s: cannot read a PEM certificate", signer_path);
			goto out;
		}
		if (X509_cmp(mine, signer) != 0) {
			r = verify_report_fail(rep, 0, "the signer certificate is not the one given with --signer (%s)",
				 signer_path);
			goto out;
		}
	}
	beside_path = transcript_signer_path(path);
	if (beside_path == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if (stat(beside_path, &st) == 0) {
		beside = cert_read(beside_path);
		if (beside == NULL || X509_cmp(beside, signer) != 0) {
			r = verify_report_fail(rep, 0, "%s is not the certificate that signed the transcript",
				 beside_path);
			goto out;
		}
	}
	r = 0;
out:
	X509_free(mine);
	X509_free(beside);
	free(beside_path);
	return r;
}

/* SignedData.digestAlgorithms is exactly { sha256 }: CMS_verify would have
 * digested the content with each of them; without a second read nothing
 * else looks at the set, so a changed byte there must be caught here.
 * Walks the DER of cms (re-encoded as parsed). 0 or 1 (failure recorded),
 * CE_ERR_NOMEM. */
static int sig_digest_set_check(CMS_ContentInfo *cms, const char *sig_path,
				struct verify_report *rep)
{
	unsigned char *der = NULL;
	const unsigned char *p, *end;
	X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *o = NULL;
	long len;
	int n, tag, cls, i, r = 1;

	n = i2d_CMS_ContentInfo(cms, &der);
	if (n <= 0)
		return ce_err_set(CE_ERR_NOMEM, "signature: out of memory encoding the CMS");
	p = der;
	end = der + n;
	/* ContentInfo SEQUENCE, contentType OID, [0] EXPLICIT, SignedData
	 * SEQUENCE, version INTEGER, then the SET */
	for (i = 0; i < 5; i++) {
		const unsigned char *q = p;

		if (ASN1_get_object(&q, &len, &tag, &cls, end - p) & 0x80)
			goto out;
		if (i == 1 || i == 4)
			q += len; /* skip the value */
		p = q;
	}
	if (ASN1_get_object(&p, &len, &tag, &cls, end - p) & 0x80 || tag != V_ASN1_SET ||
	    cls != V_ASN1_UNIVERSAL)
		goto out;
	end = p + len;
	alg = d2i_X509_ALGOR(NULL, &p, end - p);
	if (alg == NULL || p != end)
		goto out;
	X509_ALGOR_get0(&o, NULL, NULL, alg);
	if (OBJ_obj2nid(o) == NID_sha256)
		r = 0;
out:
	X509_ALGOR_free(alg);
	OPENSSL_free(der);
	if (r == 1)
		r = verify_report_fail(rep, 0, "%s: the signature's digest algorithms are not exactly SHA-256",
				   sig_path);
	return r;
}

/* One DER element at *p (< end): its tag and class, *p moved to its value,
 * *vlen its length. 0, or -1 when malformed. */
static int der_next(const unsigned char **p, const unsigned char *end, int *tag, int *cls,
		    long *vlen)
{
	if (*p >= end || (ASN1_get_object(p, vlen, tag, cls, end - *p) & 0x80) ||
	    *vlen > end - *p)
		return -1;
	return 0;
}

/* An INTEGER at *p equal to 1, moved past. */
static int der_int_is_one(const unsigned char **p, const unsigned char *end)
{
	long len;
	int tag, cls;

	if (der_next(p, end, &tag, &cls, &len) < 0 || tag != V_ASN1_INTEGER || len != 1 ||
	    (*p)[0] != 1)
		return -1;
	*p += len;
	return 0;
}

/* The versions no signature checks: SignedData's and every SignerInfo's must
 * be 1 (issuerAndSerialNumber signers, as ceremony and `openssl cms` write
 * them; RFC 5652 5.1, 5.3). CMS_verify ignores them, so a changed byte there
 * would otherwise verify. Walks the DER of cms (re-encoded as parsed).
 * 0 or 1 (failure recorded), CE_ERR_NOMEM. */
static int sig_versions_check(CMS_ContentInfo *cms, const char *sig_path,
			      struct verify_report *rep)
{
	unsigned char *der = NULL;
	const unsigned char *p, *end, *set_end, *si_end;
	long len;
	int n, tag, cls, r = 1;

	n = i2d_CMS_ContentInfo(cms, &der);
	if (n <= 0)
		return ce_err_set(CE_ERR_NOMEM, "signature: out of memory encoding the CMS");
	p = der;
	end = der + n;
	/* ContentInfo SEQUENCE { contentType, [0] { SignedData SEQUENCE { */
	if (der_next(&p, end, &tag, &cls, &len) < 0 || der_next(&p, end, &tag, &cls, &len) < 0)
		goto out;
	p += len; /* contentType */
	if (der_next(&p, end, &tag, &cls, &len) < 0 || der_next(&p, end, &tag, &cls, &len) < 0)
		goto out;
	if (der_int_is_one(&p, end) < 0)
		goto out;
	/* digestAlgorithms SET, encapContentInfo SEQUENCE, [0] certificates,
	 * [1] crls: skipped up to the signerInfos SET */
	for (;;) {
		if (der_next(&p, end, &tag, &cls, &len) < 0)
			goto out;
		if (tag == V_ASN1_SET && cls == V_ASN1_UNIVERSAL && p + len == end)
			break;
		p += len;
	}
	set_end = p + len;
	while (p < set_end) {
		if (der_next(&p, set_end, &tag, &cls, &len) < 0 || tag != V_ASN1_SEQUENCE)
			goto out;
		si_end = p + len;
		if (der_int_is_one(&p, si_end) < 0)
			goto out;
		p = si_end;
	}
	r = 0;
out:
	OPENSSL_free(der);
	if (r == 1)
		r = verify_report_fail(rep, 0, "%s: the signature's SignedData or SignerInfo version is "
					   "not 1", sig_path);
	return r;
}

/* The SignerInfo si signs digest: it has signed attributes, their content
 * type is id-data, their message digest is digest (the SHA-256 the one pass
 * computed; the transcript is not read again), and the signature over them
 * verifies with the signer's key. 0 or 1 (failure recorded). */
static int sig_digest_check(CMS_ContentInfo *cms, CMS_SignerInfo *si, const uint8_t digest[32],
			    const char *sig_path, struct verify_report *rep)
{
	ASN1_OCTET_STRING *md;
	ASN1_OBJECT *ct;

	if (CMS_signed_get_attr_count(si) <= 0)
		return verify_report_fail(rep, 0, "%s: the signature has no signed attributes", sig_path);
	ct = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
	if (ct == NULL || OBJ_obj2nid(ct) != NID_pkcs7_data)
		return verify_report_fail(rep, 0, "%s: the signed content-type attribute is not id-data",
					  sig_path);
	md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					 V_ASN1_OCTET_STRING);
	if (md == NULL || ASN1_STRING_length(md) != 32 ||
	    memcmp(ASN1_STRING_get0_data(md), digest, 32) != 0)
		return verify_report_fail(rep, 0, "signature does not match the transcript (%s: its message digest is not the SHA-256 of the bytes verified)",
					  sig_path);
	if (CMS_set1_signers_certs(cms, NULL, 0) < 1)
		return verify_report_fail(rep, 0, "signature does not match the transcript (%s)", sig_path);
	ERR_clear_error();
	if (CMS_SignerInfo_verify(si) != 1) {
		int k = verify_ossl_silent(sig_path);

		return k < 0 ? k : verify_report_fail(rep, 0, "signature does not match the transcript (%s)", sig_path);
	}
	return 0;
}

/* A SignedData's SignerInfos are a DER SET, written sorted by their bytes:
 * with co-signatures the transcript key's need not come first. Move the one
 * whose certificate holds the announced key (spki) to the front, so that
 * what follows reads "the first is the transcript key's, co-signers after";
 * none of them holding it is left to the signer check to refuse. */
static void sig_tkey_first(CMS_ContentInfo *cms, const char *spki)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	int i, j, n = sk_CMS_SignerInfo_num(sis);
	uint8_t h[32];
	char hex[65];

	for (j = 0; j < sk_X509_num(certs); j++) {
		X509 *x = sk_X509_value(certs, j);

		if (roster_spki_sha256(X509_get0_pubkey(x), h) != 0)
			continue;
		hex_encode(h, 32, hex);
		if (strcmp(hex, spki) != 0)
			continue;
		for (i = 1; i < n; i++) {
			CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i), *s0;

			if (CMS_SignerInfo_cert_cmp(si, x) != 0)
				continue;
			s0 = sk_CMS_SignerInfo_value(sis, 0);
			(void)sk_CMS_SignerInfo_set(sis, 0, si);
			(void)sk_CMS_SignerInfo_set(sis, i, s0);
			break;
		}
		break;
	}
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
}

int verify_signature_check(const uint8_t digest[32], const char *path, const char *sig_path,
			   const char *signer_path, struct verify_report *rep)
{
	int r = CE_ERR_INTERNAL;
	CMS_ContentInfo *cms = NULL;
	X509 *signer = NULL;

	r = sig_read(sig_path, rep, &cms);
	if (r != 0)
		goto out;
	r = sig_algs_check(cms, sig_path, rep);
	if (r != 0)
		goto out;
	r = sig_digest_set_check(cms, sig_path, rep);
	if (r != 0)
		goto out;
	r = sig_versions_check(cms, sig_path, rep);
	if (r != 0)
		goto out;
	sig_tkey_first(cms, rep->key_spki_sha256);
	r = sig_digest_check(cms, sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0), digest,
			     sig_path, rep);
	if (r != 0)
		goto out;
	/* the first SignerInfo is the transcript key's; co-signers follow */
	CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0), NULL,
				 &signer, NULL, NULL);
	if (signer == NULL) {
		r = verify_report_fail(rep, 0, "%s: no signer certificate in the signature", sig_path);
		goto out;
	}
	r = sig_signer_check(path, sig_path, signer_path, signer, rep);
	if (r != 0)
		goto out;
	r = verify_cosign_collect(cms, digest, sig_path, rep);
	if (r != 0)
		goto out;
	rep->signature_ok = 1;
	r = 0;
out:
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	return r;
}
