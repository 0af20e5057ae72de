/* SPDX-License-Identifier: Apache-2.0 */
/* The signing path (docs/pkcs11.md "Signing"): the DigestInfo built for
 * CKM_RSA_PKCS (known answers for SHA-256/384/512, and the same bytes an
 * RSA PKCS#1 v1.5 signature made by OpenSSL recovers to); p11_key_sign
 * through the fault module with hash-and-sign hidden (CKM_RSA_PKCS chosen,
 * the signature verifies), with CKM_RSA_PKCS hidden too (refused naming both
 * mechanisms), ECDSA without CKM_ECDSA; and the no-priv-verify knob: a
 * module refusing C_VerifyInit with a private key, and a private key
 * without its public object, still sign and verify; a CMS SignedData built
 * through our layer (the transcript's path) verifies with OpenSSL, and not
 * over changed content. Faultmod cases run in
 * child processes (the module reads its settings once per process). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/ossl.h"
#include "tests/unit/helper_p11raw.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#define TOKEN "SignTest"
#define HASH_RSA "0x40,0x41,0x42,0x43,0x44,0x45,0x46,0x47,0x6,0xd,0xe"

static char faultmod[PATH_MAX];
static char tokdir[256];

/* ---- DigestInfo known answers ---- */

static void test_digestinfo_kat(void **state)
{
	/* RFC 8017 9.2 note 1, the DER prefixes. */
	static const char *const want[3] = {
		"3031300d060960864801650304020105000420",
		"3041300d060960864801650304020205000430",
		"3051300d060960864801650304020305000440",
	};
	static const enum p11_hash h[3] = { P11_HASH_SHA256, P11_HASH_SHA384, P11_HASH_SHA512 };
	static const size_t dl[3] = { 32, 48, 64 };
	uint8_t dig[64], out[128];
	char hex[256];
	size_t n, i, j;

	(void)state;
	for (i = 0; i < 64; i++)
		dig[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < 3; i++) {
		assert_int_equal(p11_digestinfo(h[i], dig, dl[i], out, sizeof(out), &n), 0);
		assert_int_equal(n, 19 + dl[i]);
		for (j = 0; j < 19; j++)
			snprintf(hex + 2 * j, 3, "%02x", out[j]);
		assert_string_equal(hex, want[i]);
		assert_memory_equal(out + 19, dig, dl[i]);
	}
}

/* The DigestInfo is what OpenSSL's own PKCS#1 v1.5 signature carries. */
static void test_digestinfo_matches_openssl(void **state)
{
	static const enum p11_hash h[3] = { P11_HASH_SHA256, P11_HASH_SHA384, P11_HASH_SHA512 };
	const EVP_MD *md[3] = { EVP_sha256(), EVP_sha384(), EVP_sha512() };
	EVP_PKEY *key = EVP_RSA_gen(2048);
	uint8_t dig[64], sig[256], rec[256], di[128];
	size_t sl, rl, dil, i;
	unsigned int dlen;
	EVP_PKEY_CTX *c;

	(void)state;
	assert_non_null(key);
	for (i = 0; i < 3; i++) {
		assert_int_equal(EVP_Digest("abc", 3, dig, &dlen, md[i], NULL), 1);
		c = EVP_PKEY_CTX_new(key, NULL);
		sl = sizeof(sig);
		assert_int_equal(EVP_PKEY_sign_init(c), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_signature_md(c, md[i]), 1);
		assert_int_equal(EVP_PKEY_sign(c, sig, &sl, dig, dlen), 1);
		EVP_PKEY_CTX_free(c);
		c = EVP_PKEY_CTX_new(key, NULL);
		rl = sizeof(rec);
		assert_int_equal(EVP_PKEY_verify_recover_init(c), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
		assert_int_equal(EVP_PKEY_verify_recover(c, rec, &rl, sig, sl), 1);
		EVP_PKEY_CTX_free(c);
		assert_int_equal(p11_digestinfo(h[i], dig, dlen, di, sizeof(di), &dil), 0);
		assert_int_equal(rl, dil);
		assert_memory_equal(rec, di, dil);
	}
	EVP_PKEY_free(key);
}

static void test_digestinfo_refusals(void **state)
{
	uint8_t dig[64] = { 0 }, out[128];
	size_t n = 99;

	(void)state;
	assert_int_equal(p11_digestinfo(P11_HASH_SHA256, dig, 48, out, sizeof(out), &n),
			 CE_ERR_INVALID);
	assert_int_equal(n, 0);
	assert_int_equal(p11_digestinfo(P11_HASH_NONE, dig, 32, out, sizeof(out), &n),
			 CE_ERR_INVALID);
	assert_int_equal(p11_digestinfo(P11_HASH_SHA512, dig, 64, out, 82, &n), CE_ERR_TOO_LARGE);
}

/* ---- p11_key_sign through the fault module ---- */

/* In a child: log in through faultmod with env settings, sign with label,
 * expect want (0 or a CE_ERR_*) and, when grep is set, a detail holding it;
 * with want 0, the mechanism chosen must be mech. */
static int sign_child(const char *label, enum p11_hash hash, int want, unsigned long mech,
		      const char *grep)
{
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_key *k = NULL;
	char uri[128], *pin = secmem_dup(P11RAW_USER_PIN, strlen(P11RAW_USER_PIN));
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	unsigned long m = 0;
	int r, ok = 0;

	snprintf(uri, sizeof(uri), "pkcs11:token=" TOKEN ";object=%s", label);
	if (pin == NULL || p11_ctx_open(faultmod, &ctx) != 0 ||
	    p11_token_find(ctx, "pkcs11:token=" TOKEN, &tok) != 0 ||
	    p11_session_open(tok, &s) != 0 ||
	    p11_session_login(s, P11_USER_NORMAL, pin, strlen(P11RAW_USER_PIN)) != 0 ||
	    p11_key_find(s, uri, &k) != 0) {
		fprintf(stderr, "set-up: %s\n", ce_err_detail());
		goto out;
	}
	r = p11_key_sign(k, hash, (const uint8_t *)"message", 7, &sig, &sig_len);
	if (r != want) {
		fprintf(stderr, "p11_key_sign -> %d (want %d): %s\n", r, want, ce_err_detail());
		goto out;
	}
	if (grep != NULL && strstr(ce_err_detail(), grep) == NULL) {
		fprintf(stderr, "detail lacks '%s': %s\n", grep, ce_err_detail());
		goto out;
	}
	if (want == 0 && (p11_key_sign_mech(k, hash, &m) != 0 || m != mech)) {
		fprintf(stderr, "mechanism 0x%lx, want 0x%lx\n", m, mech);
		goto out;
	}
	/* the token-level answer (preflight's) is the same */
	m = 0;
	r = p11_token_sign_mech(tok, p11_key_type(k), hash, &m);
	if (r != want || (want == 0 && m != mech) ||
	    (grep != NULL && strstr(ce_err_detail(), grep) == NULL)) {
		fprintf(stderr, "p11_token_sign_mech -> %d, 0x%lx: %s\n", r, m, ce_err_detail());
		goto out;
	}
	ok = 1;
out:
	free(sig);
	secmem_free(pin);
	p11_key_free(k);
	p11_session_close(s);
	p11_token_free(tok);
	p11_ctx_free(ctx);
	return ok;
}

static int in_child(const char *hide, const char *quirks, const char *label, enum p11_hash hash,
		    int want, unsigned long mech, const char *grep)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		alarm(60);
		setenv("FAULTMOD_MODULE", P11RAW_SOFTHSM, 1);
		if (hide != NULL)
			setenv("FAULTMOD_HIDE_MECHS", hide, 1);
		if (quirks != NULL)
			setenv("FAULTMOD_QUIRKS", quirks, 1);
		_exit(sign_child(label, hash, want, mech, grep) ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_rsa_digestinfo_path(void **state)
{
	(void)state;
	/* the token's own hash-and-sign when it has it */
	assert_int_equal(in_child(NULL, NULL, "rsa", P11_HASH_SHA256, 0, CKM_SHA256_RSA_PKCS, NULL),
			 0);
	/* hidden: CKM_RSA_PKCS over the DigestInfo, for each hash */
	assert_int_equal(in_child(HASH_RSA, NULL, "rsa", P11_HASH_SHA256, 0, CKM_RSA_PKCS, NULL), 0);
	assert_int_equal(in_child(HASH_RSA, NULL, "rsa", P11_HASH_SHA384, 0, CKM_RSA_PKCS, NULL), 0);
	assert_int_equal(in_child(HASH_RSA, NULL, "rsa", P11_HASH_SHA512, 0, CKM_RSA_PKCS, NULL), 0);
}

static void test_rsa_neither_refused(void **state)
{
	(void)state;
	assert_int_equal(in_child(HASH_RSA ",0x1", NULL, "rsa", P11_HASH_SHA384, CE_ERR_UNSUPPORTED,
				  0, "offers neither CKM_SHA384_RSA_PKCS nor CKM_RSA_PKCS"),
			 0);
}

static void test_ecdsa_mechanisms(void **state)
{
	(void)state;
	assert_int_equal(in_child(NULL, NULL, "ec", P11_HASH_SHA256, 0, CKM_ECDSA, NULL), 0);
	/* SoftHSM 2.6 has no CKM_ECDSA_SHA256: without CKM_ECDSA, nothing */
	assert_int_equal(in_child("0x1041", NULL, "ec", P11_HASH_SHA256, CE_ERR_UNSUPPORTED, 0,
				  "offers neither CKM_ECDSA_SHA256 nor CKM_ECDSA"),
			 0);
}

/* Verification never goes through the token: a module refusing
 * C_VerifyInit with a private key, and a private key whose public object is
 * gone (its public key read from its own attributes). */
static void test_no_priv_verify(void **state)
{
	(void)state;
	assert_int_equal(in_child(HASH_RSA, "no-priv-verify", "rsa", P11_HASH_SHA256, 0,
				  CKM_RSA_PKCS, NULL),
			 0);
	assert_int_equal(in_child(NULL, "no-priv-verify", "ec", P11_HASH_SHA256, 0, CKM_ECDSA, NULL),
			 0);
	assert_int_equal(in_child(HASH_RSA, "no-priv-verify", "lonely", P11_HASH_SHA256, 0,
				  CKM_RSA_PKCS, NULL),
			 0);
}

/* Failing twin: the knob does refuse C_VerifyInit with a private key (and
 * only with one). */
static void test_no_priv_verify_knob(void **state)
{
	CK_C_GetFunctionList gfl;
	CK_FUNCTION_LIST *fl = NULL;
	CK_SLOT_ID slots[8];
	CK_ULONG ns = 8, n = 0;
	CK_SESSION_HANDLE sh;
	CK_OBJECT_CLASS cls[2] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY };
	CK_RV want[2] = { CKR_KEY_TYPE_INCONSISTENT, CKR_OK };
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE o;
	void *dl;
	int i;

	(void)state;
	setenv("FAULTMOD_MODULE", P11RAW_SOFTHSM, 1);
	setenv("FAULTMOD_QUIRKS", "no-priv-verify", 1);
	dl = dlopen(faultmod, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(dl);
	gfl = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	assert_non_null(gfl);
	assert_int_equal(gfl(&fl), CKR_OK);
	assert_int_equal(fl->C_Initialize(NULL), CKR_OK);
	assert_int_equal(fl->C_GetSlotList(CK_TRUE, slots, &ns), CKR_OK);
	assert_true(ns >= 1);
	assert_int_equal(fl->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &sh), CKR_OK);
	assert_int_equal(fl->C_Login(sh, CKU_USER, (CK_UTF8CHAR_PTR)P11RAW_USER_PIN,
				     strlen(P11RAW_USER_PIN)),
			 CKR_OK);
	for (i = 0; i < 2; i++) {
		CK_ATTRIBUTE t[2] = { { CKA_CLASS, &cls[i], sizeof(cls[i]) },
				      { CKA_LABEL, "rsa", 3 } };

		assert_int_equal(fl->C_FindObjectsInit(sh, t, 2), CKR_OK);
		assert_int_equal(fl->C_FindObjects(sh, &o, 1, &n), CKR_OK);
		assert_int_equal(fl->C_FindObjectsFinal(sh), CKR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(fl->C_VerifyInit(sh, &mech, o), want[i]);
	}
	fl->C_Finalize(NULL);
	unsetenv("FAULTMOD_QUIRKS");
}

/* ---- the transcript's path: CMS through our layer (k->direct) ---- */

/* A self-signed certificate for k (p11_ossl_sign_obj), then a detached CMS
 * over content (p11_ossl_cms_sign), verified by OpenSSL with the
 * certificate; with tamper, one content byte changes before verifying (the
 * failing twin: the verification must then fail). Returns 1 when the
 * outcome is the expected one. */
static int cms_child(const char *label, int tamper)
{
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_key *k = NULL;
	struct p11_ossl *o = NULL;
	struct p11_ossl_key ok = { 0 };
	const struct p11_module *m;
	char uri[128], *pin = secmem_dup(P11RAW_USER_PIN, strlen(P11RAW_USER_PIN));
	char content[] = "the transcript, line 1\nline 2\n";
	X509 *x = NULL;
	X509_NAME *n = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *check = NULL;
	int good = 0, v;

	snprintf(uri, sizeof(uri), "pkcs11:token=" TOKEN ";object=%s", label);
	if (pin == NULL || p11_ctx_open(faultmod, &ctx) != 0 ||
	    p11_token_find(ctx, "pkcs11:token=" TOKEN, &tok) != 0 ||
	    p11_session_open(tok, &s) != 0 ||
	    p11_session_login(s, P11_USER_NORMAL, pin, strlen(P11RAW_USER_PIN)) != 0 ||
	    p11_key_find(s, uri, &k) != 0 || (m = p11_token_module(tok)) == NULL ||
	    p11_ossl_open(p11_module_path(m), p11_module_init_args(m), &o) != 0 ||
	    p11_ossl_key_from_p11(o, k, &ok) != 0) {
		fprintf(stderr, "set-up: %s\n", ce_err_detail());
		goto out;
	}
	x = X509_new();
	n = X509_NAME_new();
	if (x == NULL || n == NULL || X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 7) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"t", -1, -1,
				       0) != 1 ||
	    X509_set_subject_name(x, n) != 1 || X509_set_issuer_name(x, n) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 3600) == NULL || X509_set_pubkey(x, ok.pub) != 1 ||
	    p11_ossl_sign_obj(&ok, 0, x, "test certificate") != 0) {
		fprintf(stderr, "certificate: %s\n", ce_err_detail());
		goto out;
	}
	in = BIO_new_mem_buf(content, (int)strlen(content));
	if (in == NULL || p11_ossl_cms_sign(&ok, x, in, &cms) != 0) {
		fprintf(stderr, "cms: %s\n", ce_err_detail());
		goto out;
	}
	if (tamper)
		content[0] ^= 1;
	check = BIO_new_mem_buf(content, (int)strlen(content));
	v = CMS_verify(cms, NULL, NULL, check, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY);
	ERR_clear_error();
	good = tamper ? v != 1 : v == 1;
	if (!good)
		fprintf(stderr, "CMS_verify -> %d (tamper %d)\n", v, tamper);
out:
	BIO_free(in);
	BIO_free(check);
	CMS_ContentInfo_free(cms);
	X509_NAME_free(n);
	X509_free(x);
	secmem_free(pin);
	p11_ossl_key_free(&ok);
	p11_ossl_close(o);
	p11_key_free(k);
	p11_session_close(s);
	p11_token_free(tok);
	p11_ctx_free(ctx);
	return good;
}

static int cms_in_child(const char *hide, const char *label, int tamper)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		alarm(60);
		setenv("FAULTMOD_MODULE", P11RAW_SOFTHSM, 1);
		if (hide != NULL)
			setenv("FAULTMOD_HIDE_MECHS", hide, 1);
		setenv("FAULTMOD_QUIRKS", "no-priv-verify", 1);
		_exit(cms_child(label, tamper) ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* RSA through the DigestInfo, ECDSA's DER signature, each in a CMS that
 * OpenSSL verifies; and the failing twin: changed content does not. */
static void test_cms_direct(void **state)
{
	(void)state;
	assert_int_equal(cms_in_child(HASH_RSA, "rsa", 0), 0);
	assert_int_equal(cms_in_child(NULL, "ec", 0), 0);
	assert_int_equal(cms_in_child(HASH_RSA, "rsa", 1), 0);
	assert_int_equal(cms_in_child(NULL, "ec", 1), 0);
}

static int setup(void **state)
{
	char self[PATH_MAX];

	(void)state;
	if (realpath("/proc/self/exe", self) == NULL)
		return -1;
	snprintf(faultmod, sizeof(faultmod), "%s/libfaultmod.so", dirname(self));
	if (access(faultmod, R_OK) != 0) {
		fprintf(stderr, "%s missing: make build/tests/libfaultmod.so\n", faultmod);
		return -1;
	}
	if (p11raw_token_new(TOKEN, tokdir, sizeof(tokdir)) != 0 ||
	    p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "rsa:2048", "rsa", "01") != 0 ||
	    p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "ec", "02") != 0 ||
	    p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "rsa:2048", "lonely", "03") != 0)
		return -1;
	/* a private key without its public object */
	return p11raw_sh("pkcs11-tool --module %s --token-label %s --login --pin %s "
			 "--delete-object --type pubkey --label lonely >/dev/null 2>&1",
			 P11RAW_SOFTHSM, TOKEN, P11RAW_USER_PIN) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	p11raw_token_rm(tokdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digestinfo_kat),
		cmocka_unit_test(test_digestinfo_matches_openssl),
		cmocka_unit_test(test_digestinfo_refusals),
		cmocka_unit_test(test_rsa_digestinfo_path),
		cmocka_unit_test(test_rsa_neither_refused),
		cmocka_unit_test(test_ecdsa_mechanisms),
		cmocka_unit_test(test_no_priv_verify),
		cmocka_unit_test(test_no_priv_verify_knob),
		cmocka_unit_test(test_cms_direct),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
