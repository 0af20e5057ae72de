/* SPDX-License-Identifier: Apache-2.0 */
/* pkcs11/x509/ossl.h and pkcs11/x509/x509.h on throwaway SoftHSM tokens: self-signed CA
 * certificates for each key type, CSR -> sub-CA, CRL, each cross-checked with
 * the openssl CLI; and the failing twins. Each test makes its own token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/format.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/x509.h"
#include "tests/unit/helper_p11raw.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define TOKEN "X509Test"
#define ROOT_SUBJECT "/C=FR/O=Example TSP/CN=Example Root CA"
#define SUB_SUBJECT "/C=FR/O=Example TSP/CN=Example Issuing CA 1"
#define DAY 86400

struct fx {
	char dir[256];
	struct p11_ctx *ctx;
	struct p11_token *tok;
	struct p11_session *s;
	struct p11_ossl *o;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || p11raw_token_new(TOKEN, f->dir, sizeof(f->dir)) != 0)
		return -1;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	p11_ossl_close(f->o);
	p11_session_close(f->s);
	p11_token_free(f->tok);
	p11_ctx_free(f->ctx);
	p11raw_token_rm(f->dir);
	free(f);
	return 0;
}

/* Our layer loads the module and logs in (pin NULL: no login); then OpenSSL
 * gets its context on the same module file. */
static int session_up(const char *pin, struct p11_ctx **ctx, struct p11_token **tok,
		      struct p11_session **s, struct p11_ossl **o)
{
	const struct p11_module *m;
	char *p = NULL;
	int r;

	if ((r = p11_ctx_open(P11RAW_SOFTHSM, ctx)) < 0 ||
	    (r = p11_token_find(*ctx, "pkcs11:token=" TOKEN, tok)) < 0 ||
	    (r = p11_session_open(*tok, s)) < 0)
		return r;
	if (pin != NULL) {
		p = secmem_dup(pin, strlen(pin));
		if (p == NULL)
			return CE_ERR_NOMEM;
		r = p11_session_login(*s, P11_USER_NORMAL, p, strlen(pin));
		secmem_free(p);
		if (r < 0)
			return r;
	}
	m = p11_token_module(*tok);
	return p11_ossl_open(p11_module_path(m), p11_module_init_args(m), o);
}

static void fx_login(struct fx *f)
{
	assert_int_equal(session_up(P11RAW_USER_PIN, &f->ctx, &f->tok, &f->s, &f->o), 0);
}

static void path_in(const struct fx *f, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", f->dir, name);

	assert_true(n > 0 && (size_t)n < cap);
}

/* pkcs11-tool's view of the public key object labelled label is the key in
 * the certificate at pem: the EC point (or, for RSA, the whole SPKI). */
static int cert_key_is_token_key(const struct fx *f, const char *pem, const char *label)
{
	return p11raw_sh(
		"d=%s; spki=$(openssl x509 -in %s -noout -pubkey | openssl pkey -pubin -outform DER "
		"| od -An -tx1 -v | tr -d ' \\n'); "
		"pt=$(pkcs11-tool --module %s --token-label %s --list-objects --type pubkey "
		"2>/dev/null | awk -v L=%s '/EC_POINT:/ {p = substr($2, 3, 2) == \"81\" ? substr($2, 7) : substr($2, 5)} /label:/ {if ($2 == L) print p}'); "
		"if [ -n \"$pt\" ]; then case \"$spki\" in *\"$pt\") exit 0;; *) exit 1;; esac; fi; "
		"pkcs11-tool --module %s --token-label %s --read-object --type pubkey --label %s "
		"-o $d/tok.der >/dev/null 2>&1 && "
		"openssl pkey -pubin -inform DER -in $d/tok.der -outform DER -out $d/tok.spki && "
		"openssl x509 -in %s -noout -pubkey | openssl pkey -pubin -outform DER -out $d/cert.spki && "
		"cmp $d/tok.spki $d/cert.spki",
		f->dir, pem, P11RAW_SOFTHSM, TOKEN, label, P11RAW_SOFTHSM, TOKEN, label, pem);
}

static void self_sign_for(void **state, enum p11_key_type type, const char *want_sig_alg)
{
	struct x509_pem_file pf;
	uint8_t fh[32];
	uint64_t fsize = 0;
	char fhex[65];
	struct fx *f = *state;
	struct p11_ossl_key k = { 0 };
	struct x509_ca_params p = { ROOT_SUBJECT, 0, 0, 1, NULL };
	struct p11_keygen kg = { type, "root", (const uint8_t *)"\x01", 1, 0 };
	struct p11_key *key = NULL;
	EVP_PKEY *exported = NULL;
	X509 *ca = NULL;
	char pem[512], fpr[X509_FPR_HEX_BYTES];

	fx_login(f);
	assert_int_equal(p11_key_generate(f->s, &kg, &key), 0);
	assert_int_equal(p11_key_public_evp(key, &exported), 0);
	/* Two independent reads of the public key agree: our layer's and OpenSSL's. */
	assert_int_equal(p11_ossl_key_load(f->o, p11_key_uri(key), exported, &k), 0);
	p.not_after = time(NULL) + 3650L * DAY;
	assert_int_equal(x509_ca_self_sign(&k, &p, &ca), 0);
	path_in(f, "ca.pem", pem, sizeof(pem));
	assert_int_equal(x509_pem_write(pem, X509_KIND_CERT, ca, fpr, &pf), 0);
	assert_int_equal(strlen(fpr), 64);
	/* the file's hash, taken from the bytes written before the link, is
	 * the hash of the file in place; the DER fingerprint is another */
	assert_int_equal(transcript_file_sha256(pem, fh, &fsize), 0);
	assert_memory_equal(pf.sha256, fh, 32);
	assert_int_equal(pf.size, fsize);
	hex_encode(fh, 32, fhex);
	assert_string_not_equal(fhex, fpr);
	/* Written once: a second write is refused and leaves the first intact. */
	assert_int_equal(x509_pem_write(pem, X509_KIND_CERT, ca, NULL, NULL), CE_ERR_EXISTS);
	assert_int_equal(p11raw_sh("openssl verify -CAfile %s %s", pem, pem), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -text | grep -q 'Signature Algorithm: %s'",
				   pem, want_sig_alg), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -text | grep -A1 'Basic Constraints: critical' "
				   "| grep -q 'CA:TRUE, pathlen:1'", pem), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -text | grep -A1 'Key Usage: critical' "
				   "| grep -q 'Certificate Sign, CRL Sign'", pem), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -subject | grep -q "
				   "'C = FR, O = Example TSP, CN = Example Root CA'", pem), 0);
	assert_int_equal(p11raw_sh("test \"$(openssl x509 -in %s -noout -fingerprint -sha256 | "
				   "sed 's/.*=//; s/://g' | tr A-F a-f)\" = %s", pem, fpr), 0);
	/* The certificate's key is the token's public key object. */
	assert_int_equal(cert_key_is_token_key(f, pem, "root"), 0);
	X509_free(ca);
	p11_ossl_key_free(&k);
	EVP_PKEY_free(exported);
	p11_key_free(key);
}

static void test_ca_rsa3072(void **state)
{
	self_sign_for(state, P11_KEY_RSA_3072, "sha256WithRSAEncryption");
}

static void test_ca_p256(void **state)
{
	self_sign_for(state, P11_KEY_EC_P256, "ecdsa-with-SHA256");
}

static void test_ca_p384(void **state)
{
	self_sign_for(state, P11_KEY_EC_P384, "ecdsa-with-SHA384");
}

static void test_ca_p521(void **state)
{
	self_sign_for(state, P11_KEY_EC_P521, "ecdsa-with-SHA512");
}

static void test_ca_ed25519(void **state)
{
	self_sign_for(state, P11_KEY_ED25519, "ED25519");
}

/* A root CA (P-256) on the token, its certificate written to dir/root.pem. */
static void root_ca(struct fx *f, struct p11_ossl_key *rk, X509 **root)
{
	struct x509_ca_params p = { ROOT_SUBJECT, 0, 0, -1, NULL };
	char pem[512];

	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=root", NULL, rk), 0);
	p.not_after = time(NULL) + 3650L * DAY;
	assert_int_equal(x509_ca_self_sign(rk, &p, root), 0);
	path_in(f, "root.pem", pem, sizeof(pem));
	assert_int_equal(x509_pem_write(pem, X509_KIND_CERT, *root, NULL, NULL), 0);
}

static void test_csr_issue_subca(void **state)
{
	struct fx *f = *state;
	struct p11_ossl_key rk = { 0 }, sk = { 0 };
	struct x509_profile prof = { .validity_days = 1825, .ca = 1, .path_len = 0 };
	struct x509_profile ee = { .subject = "/CN=tsa.example.org", .validity_days = 365,
				   .path_len = -1, .key_usage = "digitalSignature",
				   .ext_key_usage = "timeStamping", .serial_hex = "1a2b3c" };
	X509 *root = NULL, *sub = NULL, *leaf = NULL;
	X509_REQ *csr = NULL, *csr2 = NULL;
	char pem[512], csrpem[512], leafpem[512], d[256];

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "root", "01"), 0);
	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:secp384r1", "sub", "02"), 0);
	fx_login(f);
	root_ca(f, &rk, &root);
	{
		/* cert.self-sign's serial: the serial asked for is the one written;
		 * twins: zero and non-hex are refused */
		struct x509_ca_params sp = { ROOT_SUBJECT, 0, 0, -1, "7e57ab1e" };
		X509 *c = NULL;
		BIGNUM *bn = NULL;
		char *hex = NULL;

		sp.not_after = time(NULL) + DAY;
		assert_int_equal(x509_ca_self_sign(&rk, &sp, &c), 0);
		bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL);
		assert_non_null(bn);
		hex = BN_bn2hex(bn);
		assert_string_equal(hex, "7E57AB1E");
		OPENSSL_free(hex);
		BN_free(bn);
		X509_free(c);
		c = NULL;
		sp.serial_hex = "00";
		assert_int_equal(x509_ca_self_sign(&rk, &sp, &c), CE_ERR_INVALID);
		sp.serial_hex = "12zz";
		assert_int_equal(x509_ca_self_sign(&rk, &sp, &c), CE_ERR_INVALID);
		assert_null(c);
	}
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=sub", NULL, &sk), 0);
	assert_int_equal(x509_csr_make(&sk, SUB_SUBJECT, &csr), 0);
	path_in(f, "sub.csr", csrpem, sizeof(csrpem));
	assert_int_equal(x509_pem_write(csrpem, X509_KIND_CSR, csr, NULL, NULL), 0);
	assert_int_equal(p11raw_sh("openssl req -in %s -noout -verify 2>&1 | grep -q 'verify OK'",
				   csrpem), 0);
	/* Read back as the ceremony runner would, then issue. */
	assert_int_equal(x509_pem_read(csrpem, X509_KIND_CSR, p11_ossl_libctx(f->o), (void **)&csr2), 0);
	assert_int_equal(x509_cert_issue(&rk, root, csr2, &prof, &sub), 0);
	path_in(f, "sub.pem", pem, sizeof(pem));
	assert_int_equal(x509_pem_write(pem, X509_KIND_CERT, sub, NULL, NULL), 0);
	path_in(f, "root.pem", d, sizeof(d));
	assert_int_equal(p11raw_sh("openssl verify -CAfile %s %s", d, pem), 0);
	/* Twin: the sub-CA is not its own trust anchor. */
	assert_int_not_equal(p11raw_sh("openssl verify -CAfile %s %s 2>/dev/null", pem, pem), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -text | grep -A1 'Basic Constraints: critical' "
				   "| grep -q 'CA:TRUE, pathlen:0'", pem), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -subject | grep -q 'CN = Example Issuing CA 1'",
				   pem), 0);
	/* AKI of the sub-CA is the root's SKI. */
	assert_int_equal(p11raw_sh("a=$(openssl x509 -in %s -noout -ext subjectKeyIdentifier | sed -n 2p); "
				   "b=$(openssl x509 -in %s -noout -ext authorityKeyIdentifier | sed -n 2p); "
				   "echo \"SKI $a AKI $b\"; test -n \"$a\" && test \"$a\" = \"$b\"",
				   d, pem), 0);
	assert_int_equal(cert_key_is_token_key(f, pem, "sub"), 0);
	assert_int_not_equal(cert_key_is_token_key(f, pem, "root"), 0); /* the check can fail */
	/* The sub-CA (P-384, SHA-384) issues an end-entity certificate. */
	assert_int_equal(x509_cert_issue(&sk, sub, csr2, &ee, &leaf), 0);
	path_in(f, "leaf.pem", leafpem, sizeof(leafpem));
	assert_int_equal(x509_pem_write(leafpem, X509_KIND_CERT, leaf, NULL, NULL), 0);
	assert_int_equal(p11raw_sh("openssl verify -CAfile %s -untrusted %s %s", d, pem, leafpem), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -text | grep -q 'ecdsa-with-SHA384' && "
				   "openssl x509 -in %s -noout -text | grep -q 'CA:FALSE' && "
				   "openssl x509 -in %s -noout -text | grep -q 'Time Stamping'",
				   leafpem, leafpem, leafpem), 0);
	/* The serial asked for is the one written. */
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -serial | grep -qx 'serial=1A2B3C'",
				   leafpem), 0);
	/* Twins: a serial of zero or that is not hex is refused. */
	X509_free(leaf);
	leaf = NULL;
	ee.serial_hex = "00";
	assert_int_equal(x509_cert_issue(&sk, sub, csr2, &ee, &leaf), CE_ERR_INVALID);
	ee.serial_hex = "12zz";
	assert_int_equal(x509_cert_issue(&sk, sub, csr2, &ee, &leaf), CE_ERR_INVALID);
	assert_null(leaf);
	ee.serial_hex = NULL;
	assert_int_equal(x509_cert_issue(&sk, sub, csr2, &ee, &leaf), 0);
	/* Twin: an end-entity profile with a pathlen is refused. */
	ee.path_len = 0;
	X509_free(leaf);
	leaf = NULL;
	assert_int_equal(x509_cert_issue(&sk, sub, csr2, &ee, &leaf), CE_ERR_INVALID);
	assert_null(leaf);
	/* Twin: the issuer certificate must carry the issuer key. */
	assert_int_equal(x509_cert_issue(&sk, root, csr2, &prof, &leaf), CE_ERR_MISMATCH);
	assert_null(leaf);
	/* Twin: nothing outlives its issuer (the sub-CA ends in 1825 days). */
	ee.path_len = -1;
	ee.validity_days = 1826;
	assert_int_equal(x509_cert_issue(&sk, sub, csr2, &ee, &leaf), CE_ERR_POLICY);
	assert_non_null(strstr(ce_err_detail(), "after its issuer"));
	ee.validity_days = 1824;
	assert_int_equal(x509_cert_issue(&sk, sub, csr2, &ee, &leaf), 0);
	X509_free(leaf);
	leaf = NULL;
	/* Twin: a weak key in the CSR is refused (RSA-1024), a good one is not. */
	X509_REQ_free(csr);
	csr = NULL;
	assert_int_equal(p11raw_sh("openssl req -new -newkey rsa:1024 -nodes -subj /CN=weak -keyout %s/w.key "
				   "-out %s/weak.csr 2>/dev/null", f->dir, f->dir), 0);
	path_in(f, "weak.csr", csrpem, sizeof(csrpem));
	assert_int_equal(x509_pem_read(csrpem, X509_KIND_CSR, NULL, (void **)&csr), 0);
	assert_int_equal(x509_cert_issue(&sk, sub, csr, &ee, &leaf), CE_ERR_POLICY);
	assert_non_null(strstr(ce_err_detail(), "1024 bits"));
	X509_REQ_free(csr);
	csr = NULL;
	assert_int_equal(p11raw_sh("openssl req -new -newkey rsa:2048 -nodes -subj /CN=ok -keyout %s/g.key "
				   "-out %s/good.csr 2>/dev/null", f->dir, f->dir), 0);
	path_in(f, "good.csr", csrpem, sizeof(csrpem));
	assert_int_equal(x509_pem_read(csrpem, X509_KIND_CSR, NULL, (void **)&csr), 0);
	assert_int_equal(x509_cert_issue(&sk, sub, csr, &ee, &leaf), 0);
	X509_free(leaf);
	leaf = NULL;
	X509_free(root);
	X509_free(sub);
	X509_REQ_free(csr);
	X509_REQ_free(csr2);
	p11_ossl_key_free(&rk);
	p11_ossl_key_free(&sk);
}

static void test_tampered_csr_refused(void **state)
{
	struct fx *f = *state;
	struct p11_ossl_key rk = { 0 }, sk = { 0 };
	struct x509_profile prof = { .validity_days = 1825, .ca = 1, .path_len = 0 };
	X509 *root = NULL, *sub = NULL;
	X509_REQ *csr = NULL, *bad = NULL;
	unsigned char *der = NULL, *hit;
	const unsigned char *p;
	int len;

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "root", "01"), 0);
	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "sub", "02"), 0);
	fx_login(f);
	root_ca(f, &rk, &root);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=sub", NULL, &sk), 0);
	assert_int_equal(x509_csr_make(&sk, SUB_SUBJECT, &csr), 0);
	/* The untampered CSR is accepted... */
	assert_int_equal(x509_cert_issue(&rk, root, csr, &prof, &sub), 0);
	X509_free(sub);
	sub = NULL;
	/* ...one changed letter in the subject is not. */
	len = i2d_X509_REQ(csr, &der);
	assert_true(len > 0);
	hit = memmem(der, (size_t)len, "Issuing", 7);
	assert_non_null(hit);
	hit[0] = 'X';
	p = der;
	bad = d2i_X509_REQ(NULL, &p, len);
	assert_non_null(bad);
	assert_int_equal(x509_cert_issue(&rk, root, bad, &prof, &sub), CE_ERR_VERIFY);
	assert_null(sub);
	assert_non_null(strstr(ce_err_detail(), "CSR's signature does not verify"));
	OPENSSL_free(der);
	X509_REQ_free(bad);
	X509_REQ_free(csr);
	X509_free(root);
	p11_ossl_key_free(&rk);
	p11_ossl_key_free(&sk);
}

static void test_crl(void **state)
{
	struct fx *f = *state;
	struct p11_ossl_key rk = { 0 };
	X509 *root = NULL;
	X509_CRL *crl = NULL;
	struct x509_revoked rev[2];
	struct x509_crl_params cp;
	char pem[512], rootpem[512], fpr[X509_FPR_HEX_BYTES];

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "rsa:3072", "root", "01"), 0);
	fx_login(f);
	root_ca(f, &rk, &root);
	rev[0] = (struct x509_revoked){ "7f00aa", time(NULL) - DAY, 1 };
	rev[1] = (struct x509_revoked){ "01", time(NULL) - 2 * DAY, 0 };
	cp = (struct x509_crl_params){ .next_update = time(NULL) + 30L * DAY, .crl_number = 7,
				      .revoked = rev, .n_revoked = 2 };
	assert_int_equal(x509_crl_make(&rk, root, &cp, &crl), 0);
	path_in(f, "root.crl", pem, sizeof(pem));
	path_in(f, "root.pem", rootpem, sizeof(rootpem));
	assert_int_equal(x509_pem_write(pem, X509_KIND_CRL, crl, fpr, NULL), 0);
	assert_int_equal(p11raw_sh("openssl crl -in %s -CAfile %s -noout -verify 2>&1 | grep -q 'verify OK'",
				   pem, rootpem), 0);
	assert_int_equal(p11raw_sh("t=$(openssl crl -in %s -noout -text) && "
				   "echo \"$t\" | grep -q 'Version 2' && "
				   "echo \"$t\" | grep -A1 'CRL Number' | grep -q ' 7$' && "
				   "echo \"$t\" | grep -q 'Serial Number: 7F00AA' && "
				   "echo \"$t\" | grep -q 'Serial Number: 01' && "
				   "echo \"$t\" | grep -q 'Key Compromise' && "
				   "test $(echo \"$t\" | grep -c 'CRL Reason Code') = 1 && "
				   "echo \"$t\" | grep -q 'Authority Key Identifier'",
				   pem), 0);
	/* Twin: the CRL does not verify under another CA. */
	assert_int_equal(p11raw_sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
				   "-keyout %s/o.key -subj /CN=Other -out %s/other.pem 2>/dev/null", f->dir,
				   f->dir), 0);
	assert_int_not_equal(p11raw_sh("openssl crl -in %s -CAfile %s/other.pem -noout -verify 2>/dev/null "
				       "| grep -q 'verify OK'", pem, f->dir), 0);
	/* Twins: bad reason code, bad serial, nextUpdate before thisUpdate. */
	X509_CRL_free(crl);
	crl = NULL;
	rev[0].reason = 7;
	assert_int_equal(x509_crl_make(&rk, root, &cp, &crl), CE_ERR_INVALID);
	rev[0].reason = 1;
	rev[1].serial_hex = "xyz";
	assert_int_equal(x509_crl_make(&rk, root, &cp, &crl), CE_ERR_INVALID);
	rev[1].serial_hex = "01";
	cp.next_update = time(NULL) - DAY;
	assert_int_equal(x509_crl_make(&rk, root, &cp, &crl), CE_ERR_INVALID);
	assert_null(crl);
	X509_free(root);
	p11_ossl_key_free(&rk);
}

static void test_missing_key_and_bad_uris(void **state)
{
	struct fx *f = *state;
	struct p11_ossl_key k = { 0 };

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "root", "01"), 0);
	fx_login(f);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=nope", NULL, &k),
			 CE_ERR_NOT_FOUND);
	assert_non_null(strstr(ce_err_detail(), "object=nope"));
	assert_null(k.priv);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=NoSuchToken;object=root", NULL, &k),
			 CE_ERR_NOT_FOUND);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=root?pin-value=1234",
					   NULL, &k), CE_ERR_INVALID);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=root;pin-source=/tmp/p",
					   NULL, &k), CE_ERR_INVALID);
	assert_int_equal(p11_ossl_key_load(f->o, "file:/etc/passwd", NULL, &k), CE_ERR_INVALID);
	/* A type= in the URI is replaced, not trusted. */
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";type=public;object=root",
					   NULL, &k), 0);
	p11_ossl_key_free(&k);
}

static void test_two_keys_must_agree(void **state)
{
	struct fx *f = *state;
	struct p11_ossl_key a = { 0 }, b = { 0 }, c = { 0 };

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "a", "01"), 0);
	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "b", "02"), 0);
	fx_login(f);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=a", NULL, &a), 0);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=b", NULL, &b), 0);
	/* The exported key of a matches a; b's does not. */
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=a", a.pub, &c), 0);
	p11_ossl_key_free(&c);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=a", b.pub, &c),
			 CE_ERR_MISMATCH);
	/* A URI naming two keys is ambiguous. */
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN, NULL, &c), CE_ERR_INVALID);
	p11_ossl_key_free(&a);
	p11_ossl_key_free(&b);
}

static void test_sign_verifies(void **state)
{
	struct fx *f = *state;
	struct p11_ossl_key k = { 0 };
	unsigned char *sig = NULL;
	size_t sig_len = 0;

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "rsa:2048", "k", "01"), 0);
	fx_login(f);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=k", NULL, &k), 0);
	assert_int_equal(p11_ossl_sign(&k, (const unsigned char *)"hello", 5, &sig, &sig_len), 0);
	assert_int_equal(sig_len, 256);
	free(sig);
	p11_ossl_key_free(&k);
}

/* Child: not logged in, stdin closed, no controlling terminal. Loading the
 * private key must fail at once rather than prompt. */
static void no_prompt_child(const char *dir)
{
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_ossl *o = NULL;
	struct p11_ossl_key k = { 0 };
	int r;

	char errf[512];

	snprintf(errf, sizeof(errf), "%s/prompt.txt", dir);
	setsid();
	close(0);
	if (freopen(errf, "w", stderr) == NULL)
		_exit(9);
	alarm(60);
	if (session_up(NULL, &ctx, &tok, &s, &o) != 0)
		_exit(10);
	r = p11_ossl_key_load(o, "pkcs11:token=" TOKEN ";object=root", NULL, &k);
	fprintf(stderr, "load without login: %d: %s\n", r, ce_err_detail());
	fflush(stderr);
	p11_ossl_close(o);
	p11_session_close(s);
	p11_token_free(tok);
	p11_ctx_free(ctx);
	exit(r == CE_ERR_NOT_FOUND ? 0 : 11);
}

static int run_child(void (*fn)(const char *), const char *dir)
{
	int st = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		fn(dir);
		_exit(12);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (!WIFEXITED(st)) {
		fprintf(stderr, "child died with signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		return -1;
	}
	return WEXITSTATUS(st);
}

static void test_never_prompts(void **state)
{
	struct fx *f = *state;

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "root", "01"), 0);
	assert_int_equal(run_child(no_prompt_child, f->dir), 0);
	/* Where OpenSSL's default UI would have written "Enter PIN for ...". */
	assert_int_not_equal(p11raw_sh("grep -q Enter %s/prompt.txt", f->dir), 0);
	assert_int_equal(p11raw_sh("grep -q 'load without login: -22' %s/prompt.txt", f->dir), 0);
}

/* Child: use the provider on SoftHSM, then exit the ordinary way (atexit
 * handlers, OpenSSL's cleanup) with (clean) or without (!clean) our teardown. */
static void exit_child(const char *dir, int clean)
{
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_ossl *o = NULL;
	struct p11_ossl_key k = { 0 };
	struct x509_ca_params p = { ROOT_SUBJECT, 0, 0, -1, NULL };
	X509 *ca = NULL;

	(void)dir;
	p.not_after = time(NULL) + DAY;
	if (session_up(P11RAW_USER_PIN, &ctx, &tok, &s, &o) != 0 ||
	    p11_ossl_key_load(o, "pkcs11:token=" TOKEN ";object=root", NULL, &k) != 0 ||
	    x509_ca_self_sign(&k, &p, &ca) != 0)
		_exit(10);
	if (clean) {
		X509_free(ca);
		p11_ossl_key_free(&k);
		p11_ossl_close(o);
		p11_session_close(s);
		p11_token_free(tok);
		p11_ctx_free(ctx);
	}
	exit(0);
}

static void exit_clean(const char *dir)
{
	exit_child(dir, 1);
}

static void exit_unclean(const char *dir)
{
	exit_child(dir, 0);
}

static void test_exit_without_crash(void **state)
{
	struct fx *f = *state;

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, "EC:prime256v1", "root", "01"), 0);
	assert_int_equal(run_child(exit_clean, f->dir), 0);
	assert_int_equal(run_child(exit_unclean, f->dir), 0);
}

static void test_name_parse(void **state)
{
	X509_NAME *n = NULL;
	char buf[256];

	(void)state;
	assert_int_equal(x509_name_parse("/C=FR/O=A\\/B/CN=Root \\\\ CA/2.5.4.97=VATFR-123", &n), 0);
	X509_NAME_oneline(n, buf, sizeof(buf));
	assert_string_equal(buf, "/C=FR/O=A\\/B/CN=Root \\ CA/organizationIdentifier=VATFR-123");
	X509_NAME_free(n);
	n = NULL;
	assert_int_equal(x509_name_parse("C=FR/CN=x", &n), CE_ERR_INVALID);
	assert_int_equal(x509_name_parse("/", &n), CE_ERR_INVALID);
	assert_int_equal(x509_name_parse("/CN", &n), CE_ERR_INVALID);
	assert_int_equal(x509_name_parse("/CN=", &n), CE_ERR_INVALID);
	assert_int_equal(x509_name_parse("/XX=a", &n), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "unknown type 'XX'"));
	assert_int_equal(x509_name_parse("/C=FRA", &n), CE_ERR_INVALID);
	assert_null(n);
}

/* The path for modules whose login the provider cannot share: our layer
 * signs (p11_key_sign), OpenSSL only encodes. Same checks as the provider
 * path, for each key type, and a CSR -> certificate -> CRL round. */
static void test_direct_path(void **state)
{
	struct fx *f = *state;
	static const struct {
		enum p11_key_type type;
		const char *alg;
	} types[] = {
		{ P11_KEY_EC_P256, "ecdsa-with-SHA256" }, { P11_KEY_EC_P384, "ecdsa-with-SHA384" },
		{ P11_KEY_ED25519, "ED25519" },          { P11_KEY_RSA_2048, "sha256WithRSAEncryption" },
	};
	struct p11_ossl_key k[4], sub = { 0 };
	struct p11_key *key[4] = { NULL }, *subkey = NULL;
	struct p11_keygen kg = { P11_KEY_EC_P256, "sub", (const uint8_t *)"\x20", 1, 0 };
	struct x509_ca_params p = { ROOT_SUBJECT, 0, 0, 0, NULL };
	struct x509_profile prof = { .validity_days = 365, .ca = 1, .path_len = -1 };
	struct x509_revoked rev = { "99", 0, 4 };
	struct x509_crl_params crlp = { .crl_number = 9, .revoked = &rev, .n_revoked = 1 };
	X509 *ca = NULL, *cert = NULL;
	X509_REQ *csr = NULL;
	X509_CRL *crl = NULL;
	char pem[512], name[64], cpem[512], crlpem[512];
	size_t i;
	uint8_t id;

	fx_login(f);
	p.not_after = time(NULL) + 3650L * DAY;
	memset(k, 0, sizeof(k));
	for (i = 0; i < 4; i++) {
		struct p11_keygen g = { types[i].type, NULL, &id, 1, 0 };

		snprintf(name, sizeof(name), "direct%zu", i);
		g.label = name;
		id = (uint8_t)(0x10 + i);
		assert_int_equal(p11_key_generate(f->s, &g, &key[i]), 0);
		assert_int_equal(p11_ossl_key_from_p11(f->o, key[i], &k[i]), 0);
		assert_null(k[i].priv);
		assert_int_equal(x509_ca_self_sign(&k[i], &p, &ca), 0);
		snprintf(name, sizeof(name), "direct%zu.pem", i);
		path_in(f, name, pem, sizeof(pem));
		assert_int_equal(x509_pem_write(pem, X509_KIND_CERT, ca, NULL, NULL), 0);
		assert_int_equal(p11raw_sh("openssl verify -CAfile %s %s >/dev/null && openssl x509 -in %s "
					   "-noout -text | grep -q 'Signature Algorithm: %s'",
					   pem, pem, pem, types[i].alg), 0);
		if (i < 3) {
			X509_free(ca);
			ca = NULL;
		}
	}
	/* The RSA root (last) issues a sub-CA for a CSR made the same way, and
	 * a CRL. */
	assert_int_equal(p11_key_generate(f->s, &kg, &subkey), 0);
	assert_int_equal(p11_ossl_key_from_p11(f->o, subkey, &sub), 0);
	assert_int_equal(x509_csr_make(&sub, SUB_SUBJECT, &csr), 0);
	assert_int_equal(x509_cert_issue(&k[3], ca, csr, &prof, &cert), 0);
	path_in(f, "direct-sub.pem", cpem, sizeof(cpem));
	assert_int_equal(x509_pem_write(cpem, X509_KIND_CERT, cert, NULL, NULL), 0);
	assert_int_equal(p11raw_sh("openssl verify -CAfile %s %s >/dev/null", pem, cpem), 0);
	rev.when = time(NULL);
	crlp.next_update = time(NULL) + DAY;
	assert_int_equal(x509_crl_make(&k[3], ca, &crlp, &crl), 0);
	path_in(f, "direct.crl", crlpem, sizeof(crlpem));
	assert_int_equal(x509_pem_write(crlpem, X509_KIND_CRL, crl, NULL, NULL), 0);
	assert_int_equal(p11raw_sh("openssl crl -in %s -CAfile %s -noout -verify 2>&1 | grep -q 'verify OK'",
				   crlpem, pem), 0);
	/* Twin: the sub-CA's key cannot issue under the RSA root's certificate. */
	X509_free(cert);
	cert = NULL;
	assert_int_equal(x509_cert_issue(&sub, ca, csr, &prof, &cert), CE_ERR_MISMATCH);
	X509_CRL_free(crl);
	X509_REQ_free(csr);
	X509_free(ca);
	p11_ossl_key_free(&sub);
	p11_key_free(subkey);
	for (i = 0; i < 4; i++) {
		p11_ossl_key_free(&k[i]);
		p11_key_free(key[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ca_p256, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ca_p384, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ca_rsa3072, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ca_p521, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ca_ed25519, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_csr_issue_subca, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tampered_csr_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_crl, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_key_and_bad_uris, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_two_keys_must_agree, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sign_verifies, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_never_prompts, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exit_without_crash, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_direct_path, fx_setup, fx_teardown),
		cmocka_unit_test(test_name_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
