/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/bench_hsm.c - signatures per second on one token key, in one
 * process, four ways (used by tests/bench/bench_hsm.sh):
 *
 *   raw       C_SignInit + C_Sign in a loop, nothing else: the limit
 *   ours      p11_key_sign(): hash, sign, DER-encode, verify in software
 *   provider  p11_ossl_sign(): OpenSSL EVP_DigestSign through
 *             pkcs11-provider sharing our login, then verify
 *   verify    the software verification alone (cached EVP_PKEY)
 *
 * usage: bench_hsm MODULE TOKEN-LABEL KEY-LABEL SECONDS  (user PIN on stdin)
 * Prints one line per way: "<way>\t<ns per signature>\t<count>".
 * The PIN of a test token is read into secure memory and wiped after login.
 * Bench code may call C_* directly (the raw loop is the peer).
 */
#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/p11.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#define BENCH_PIN_MAX_BYTES 256
#define BENCH_MIN_COUNT 20UL

static const unsigned char bench_msg[] = "ceremony bench: to be signed, 64 bytes of message, more or less.";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *way, double secs, unsigned long n)
{
	printf("%s\t%.0f\t%lu\n", way, secs * 1e9 / (double)n, n);
	fflush(stdout);
}

static int label_is(const CK_UTF8CHAR *field, const char *label)
{
	size_t n = strlen(label), i;

	if (n > 32 || memcmp(field, label, n) != 0)
		return 0;
	for (i = n; i < 32; i++)
		if (field[i] != ' ')
			return 0;
	return 1;
}

/* The raw loop: same module instance (already logged in by our layer). */
static int raw_loop(const char *module, const char *token, const char *label, int ec,
		    double budget)
{
	CK_FUNCTION_LIST *f = NULL;
	CK_C_GetFunctionList gfl;
	CK_SLOT_ID slots[64];
	CK_ULONG ns = 64, i, found = 0, sig_len;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) },
				{ CKA_LABEL, (void *)label, strlen(label) } };
	CK_MECHANISM mech = { ec ? CKM_ECDSA : CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char sig[1024], md[32];
	unsigned int md_len = 0;
	unsigned long n = 0;
	double t0, t;
	void *dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);

	if (dl == NULL || (gfl = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList")) == NULL ||
	    gfl(&f) != CKR_OK || f->C_GetSlotList(CK_TRUE, slots, &ns) != CKR_OK)
		return -1;
	for (i = 0; i < ns; i++)
		if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && label_is(ti.label, token))
			break;
	if (i == ns || f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return -1;
	if (f->C_FindObjectsInit(s, tmpl, 2) != CKR_OK || f->C_FindObjects(s, &key, 1, &found) != CKR_OK ||
	    f->C_FindObjectsFinal(s) != CKR_OK || found != 1)
		return -1;
	t0 = now_s();
	do {
		CK_RV rv;

		/* ECDSA signs a digest: hashing is part of the job, as in ours. */
		if (ec && EVP_Digest(bench_msg, sizeof(bench_msg), md, &md_len, EVP_sha256(), NULL) != 1)
			return -1;
		sig_len = sizeof(sig);
		rv = f->C_SignInit(s, &mech, key);
		if (rv == CKR_OK)
			rv = ec ? f->C_Sign(s, md, md_len, sig, &sig_len)
				: f->C_Sign(s, (CK_BYTE *)bench_msg, sizeof(bench_msg), sig, &sig_len);
		if (rv != CKR_OK) {
			fprintf(stderr, "bench_hsm: raw C_Sign: %s\n", p11_rv_name(rv));
			return -1;
		}
		n++;
		t = now_s() - t0;
	} while (t < budget || n < BENCH_MIN_COUNT);
	report("raw", t, n);
	f->C_CloseSession(s);
	/* dl stays open: it is the module our layer also holds. */
	return 0;
}

static int ours_loop(const struct p11_key *k, double budget)
{
	unsigned long n = 0;
	double t0 = now_s(), t;
	enum p11_hash h = p11_key_type(k) == P11_KEY_ED25519 ? P11_HASH_NONE : P11_HASH_SHA256;

	do {
		uint8_t *sig = NULL;
		size_t len = 0;
		int r = p11_key_sign(k, h, bench_msg, sizeof(bench_msg), &sig, &len);

		free(sig);
		if (r < 0)
			return r;
		n++;
		t = now_s() - t0;
	} while (t < budget || n < BENCH_MIN_COUNT);
	report("ours", t, n);
	return 0;
}

static int provider_loops(const struct p11_module *m, const char *uri, double budget)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ossl *o = NULL;
	struct p11_ossl_key k = { 0 };
	EVP_MD_CTX *vctx = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	unsigned long n = 0;
	double t0, t;

	if ((r = p11_ossl_open(p11_module_path(m), p11_module_init_args(m), &o)) < 0 ||
	    (r = p11_ossl_key_load(o, uri, NULL, &k)) < 0)
		goto out;
	t0 = now_s();
	do {
		free(sig);
		sig = NULL;
		r = p11_ossl_sign(&k, bench_msg, sizeof(bench_msg), &sig, &sig_len);
		if (r < 0)
			goto out;
		n++;
		t = now_s() - t0;
	} while (t < budget || n < BENCH_MIN_COUNT);
	report("provider", t, n);
	/* The verification alone, with the cached public key. */
	vctx = EVP_MD_CTX_new();
	if (vctx == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	n = 0;
	t0 = now_s();
	do {
		if (EVP_DigestVerifyInit_ex(vctx, NULL, k.md, p11_ossl_libctx(o), "provider=default",
					    k.pub, NULL) != 1 ||
		    EVP_DigestVerify(vctx, sig, sig_len, bench_msg, sizeof(bench_msg)) != 1) {
			r = ce_err_set(CE_ERR_VERIFY, "bench: verify");
			goto out;
		}
		n++;
		t = now_s() - t0;
	} while (t < budget / 2 || n < BENCH_MIN_COUNT);
	report("verify", t, n);
	/* The same with everything fetched once: digest + EVP_PKEY_verify on a
	 * context made once (what p11_ossl_sign does). */
	{
		EVP_MD *md = EVP_MD_fetch(p11_ossl_libctx(o), k.md ? k.md : "SHA256",
					  "provider=default");
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(p11_ossl_libctx(o), k.pub,
							      "provider=default");
		unsigned char dg[64];
		unsigned int dg_len = 0;

		if (md == NULL || pc == NULL || EVP_PKEY_verify_init(pc) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(pc, md) != 1) {
			EVP_MD_free(md);
			EVP_PKEY_CTX_free(pc);
			r = ce_err_set(CE_ERR_CRYPTO, "bench: verify set-up");
			goto out;
		}
		n = 0;
		t0 = now_s();
		do {
			if (EVP_Digest(bench_msg, sizeof(bench_msg), dg, &dg_len, md, NULL) != 1 ||
			    EVP_PKEY_verify(pc, sig, sig_len, dg, dg_len) != 1) {
				EVP_MD_free(md);
				EVP_PKEY_CTX_free(pc);
				r = ce_err_set(CE_ERR_VERIFY, "bench: verify (cached)");
				goto out;
			}
			n++;
			t = now_s() - t0;
		} while (t < budget / 2 || n < BENCH_MIN_COUNT);
		report("verify_cached", t, n);
		EVP_MD_free(md);
		EVP_PKEY_CTX_free(pc);
	}
	r = 0;
out:
	free(sig);
	EVP_MD_CTX_free(vctx);
	p11_ossl_key_free(&k);
	p11_ossl_close(o);
	return r;
}

int main(int argc, char **argv)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_key *k = NULL;
	char *pin = NULL;
	size_t pin_len = 0;
	char turi[256], kuri[512];
	double budget;
	int ec;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_hsm MODULE TOKEN-LABEL KEY-LABEL SECONDS (PIN on stdin)\n");
		return 2;
	}
	budget = atof(argv[4]);
	snprintf(turi, sizeof(turi), "pkcs11:token=%s", argv[2]);
	snprintf(kuri, sizeof(kuri), "pkcs11:token=%s;object=%s", argv[2], argv[3]);
	pin = secmem_alloc(BENCH_PIN_MAX_BYTES);
	if (pin == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	if ((r = buf_read_secret_line(0, pin, BENCH_PIN_MAX_BYTES, &pin_len)) != 1) {
		r = ce_err_set(CE_ERR_PIN, "bench: no PIN on stdin");
		goto out;
	}
	if ((r = p11_ctx_open(argv[1], &ctx)) < 0 || (r = p11_token_find(ctx, turi, &tok)) < 0 ||
	    (r = p11_session_open(tok, &s)) < 0 ||
	    (r = p11_session_login(s, P11_USER_NORMAL, pin, pin_len)) < 0)
		goto out;
	secmem_free(pin);
	pin = NULL;
	if ((r = p11_key_find(s, kuri, &k)) < 0)
		goto out;
	ec = p11_key_type(k) == P11_KEY_EC_P256 || p11_key_type(k) == P11_KEY_EC_P384 ||
	     p11_key_type(k) == P11_KEY_EC_P521;
	/* Twice each, interleaved: the machine is shared; the bench script
	 * takes the better of the two. */
	if (raw_loop(p11_module_path(p11_token_module(tok)), argv[2], argv[3], ec, budget) != 0) {
		r = ce_err_set(CE_ERR_PKCS11, "bench: raw loop failed");
		goto out;
	}
	if ((r = ours_loop(k, budget)) < 0)
		goto out;
	if (raw_loop(p11_module_path(p11_token_module(tok)), argv[2], argv[3], ec, budget) != 0) {
		r = ce_err_set(CE_ERR_PKCS11, "bench: raw loop failed");
		goto out;
	}
	if ((r = ours_loop(k, budget)) < 0)
		goto out;
	r = provider_loops(p11_token_module(tok), kuri, budget);
	if (r < 0)
		goto out;
	r = 0;
out:
	if (r < 0)
		ce_err_print(r);
	secmem_free(pin);
	p11_key_free(k);
	p11_session_close(s);
	p11_token_free(tok);
	p11_ctx_free(ctx);
	return r < 0 ? 1 : 0;
}
