/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the signed transcript path of verify_transcript: the
 * detached CMS signature, its algorithms, digest set, signed attributes, the
 * signer certificate and that its key is the one transcript.key announced
 * (ceremony/verify/signature.c), on top of every line rule.
 *
 * The fuzzer's bytes are re-chained (fuzz_transcript.h); every transcript.key
 * line gets the fixed test key's spki_sha256 and fingerprint words; the
 * result is signed as the writer signs (CMS_sign, detached, binary, PEM) with
 * that key: a software EC P-256 key and self-signed certificate made once per
 * process. A first byte below 0x08 (never the start of a transcript, so the
 * seed corpus is mode 0) picks a way to spoil the signature, and then the
 * verdict must not be OK:
 *   0 sign properly (OK is possible, and only with signature_ok)
 *   1 sign with another key (not the one announced)
 *   2 flip one bit of the signature's DER (position and bit from the next
 *     three bytes; a flip in a field no signature covers, such as a version
 *     number, may still verify, so only the general invariants apply)
 *   3 sign the bytes without their last byte (the digest does not match)
 *   4 sign without signed attributes (CMS_NOATTR)
 *   5 the PEM block with trailing junk
 */
#include "ceremony/transcript/fingerprint.h"
#include "tests/fuzz/fuzz_transcript.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_signer {
	EVP_PKEY *key;
	X509 *cert;
	char spki_hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	char words[FINGERPRINT_WORDS_MAX_LEN];
};

static struct fuzz_signer good, other;

static void signer_make(struct fuzz_signer *s, const char *cn)
{
	X509_NAME *name;
	uint8_t h[32];
	int i;

	s->key = EVP_EC_gen("P-256");
	s->cert = X509_new();
	if (s->key == NULL || s->cert == NULL)
		abort();
	name = X509_get_subject_name(s->cert);
	if (X509_set_version(s->cert, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(s->cert), 1) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
				       -1, 0) != 1 ||
	    X509_set_issuer_name(s->cert, name) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(s->cert), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(s->cert), 86400L * 365) == NULL ||
	    X509_set_pubkey(s->cert, s->key) != 1 ||
	    X509_sign(s->cert, s->key, EVP_sha256()) <= 0)
		abort();
	if (transcript_spki_sha256(s->key, h) != 0)
		abort();
	for (i = 0; i < 32; i++)
		snprintf(s->spki_hex + 2 * i, 3, "%02x", h[i]);
	if (ceremony_fingerprint_words_hex(s->spki_hex, s->words, sizeof(s->words)) != 0)
		abort();
}

static void patch_key(json_t *obj, size_t lineno0, void *ctx)
{
	json_t *det = json_object_get(obj, "details");
	const char *type = json_string_value(json_object_get(obj, "type"));

	(void)lineno0;
	(void)ctx;
	if (type == NULL || strcmp(type, "transcript.key") != 0 || !json_is_object(det))
		return;
	if (json_is_string(json_object_get(det, "spki_sha256")))
		json_object_set_new(det, "spki_sha256", json_string(good.spki_hex));
	if (json_is_string(json_object_get(det, "fingerprint")))
		json_object_set_new(det, "fingerprint", json_string(good.words));
}

/* The PEM CMS over t[0..len) in *pem (malloc'd), spoiled as mode says. */
static size_t sign(const char *t, size_t len, int mode, unsigned pos, char **pem)
{
	const struct fuzz_signer *s = mode == 1 ? &other : &good;
	unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP;
	BIO *in, *out = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms;
	unsigned char *der = NULL;
	char *p = NULL;
	long n;

	if (mode == 3 && len > 0)
		len--;
	if (mode == 4)
		flags |= CMS_NOATTR;
	in = BIO_new_mem_buf(t, (int)len);
	cms = CMS_sign(s->cert, s->key, NULL, in, flags);
	if (cms == NULL || out == NULL)
		abort();
	if (mode == 2) {
		const unsigned char *q;
		int dl = i2d_CMS_ContentInfo(cms, &der);

		if (dl <= 0)
			abort();
		der[pos % (unsigned)dl] ^= (unsigned char)(1u << (pos >> 16 & 7));
		q = der;
		CMS_ContentInfo_free(cms);
		cms = d2i_CMS_ContentInfo(NULL, &q, dl);
	}
	if (cms != NULL && PEM_write_bio_CMS(out, cms) != 1)
		abort();
	if (mode == 5)
		BIO_puts(out, "junk\n");
	n = BIO_get_mem_data(out, &p);
	*pem = malloc((size_t)n + 1);
	if (*pem == NULL)
		abort();
	if (n > 0) /* a spoiled DER that no longer parses: no PEM, an empty .p7s */
		memcpy(*pem, p, (size_t)n);
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	ERR_clear_error();
	return (size_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_opts opts = { 0 };
	struct verify_report rep;
	char path[64], sig_path[64];
	size_t len = 0, sig_len;
	unsigned pos = 0;
	int mode = 0, fd, sfd;
	char *t, *pem = NULL;

	if (good.key == NULL) {
		signer_make(&good, "ceremony transcript fuzz");
		signer_make(&other, "ceremony transcript other");
	}
	if (size > 0 && data[0] < 0x08) {
		mode = data[0] % 6;
		data++, size--;
		if (mode == 2 && size >= 3) {
			pos = (unsigned)data[0] << 8 | data[1] | (unsigned)data[2] << 16;
			data += 3, size -= 3;
		}
	}
	t = fuzz_rechain(data, size, patch_key, "transcript.key", NULL, &len);
	fd = fuzz_memfd("fuzz-transcript", t, len, path, sizeof(path));
	sig_len = sign(t, len, mode, pos, &pem);
	sfd = fuzz_memfd("fuzz-sig", pem, sig_len, sig_path, sizeof(sig_path));
	opts.sig_path = sig_path;
	if (verify_transcript(path, &opts, &rep) == 0) {
		fuzz_verdict_check(path, &rep, 1);
		if (mode != 0 && mode != 2 && (rep.verdict == VERIFY_OK || rep.signature_ok))
			abort(); /* a spoiled signature never verifies */
	}
	close(sfd);
	close(fd);
	free(pem);
	free(t);
	return 0;
}
