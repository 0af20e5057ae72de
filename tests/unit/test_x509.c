/* pkcs11/ossl.h and pkcs11/x509.h on throwaway SoftHSM tokens: self-signed CA
 * certificates for each key type, CSR -> sub-CA, CRL, each cross-checked with
 * the openssl CLI; and the failing twins. Each test makes its own token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/err.h"
#include "pkcs11/ossl.h"
#include "pkcs11/x509.h"
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
	struct p11raw raw;
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
	p11raw_close(&f->raw);
	p11raw_token_rm(f->dir);
	free(f);
	return 0;
}

/* Log in the way our layer does, then give OpenSSL its context. */
static void fx_login(struct fx *f)
{
	assert_int_equal(p11raw_open(&f->raw, P11RAW_SOFTHSM, TOKEN, P11RAW_USER_PIN), CKR_OK);
	assert_int_equal(p11_ossl_open(P11RAW_SOFTHSM, &f->o), 0);
}

static void path_in(const struct fx *f, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
}

/* pkcs11-tool's view of the public key object labelled label is the key in
 * the certificate at pem: the EC point (or, for RSA, the whole SPKI). */
static int cert_key_is_token_key(const struct fx *f, const char *pem, const char *label)
{
	return p11raw_sh(
		"d=%s; spki=$(openssl x509 -in %s -noout -pubkey | openssl pkey -pubin -outform DER "
		"| od -An -tx1 -v | tr -d ' \\n'); "
		"pt=$(pkcs11-tool --module %s --token-label %s --list-objects --type pubkey "
		"--label %s 2>/dev/null | sed -n 's/^ *EC_POINT: *04[0-9a-f][0-9a-f]//p'); "
		"if [ -n \"$pt\" ]; then case \"$spki\" in *\"$pt\") exit 0;; *) exit 1;; esac; fi; "
		"pkcs11-tool --module %s --token-label %s --read-object --type pubkey --label %s "
		"-o $d/tok.der >/dev/null 2>&1 && "
		"openssl pkey -pubin -inform DER -in $d/tok.der -outform DER -out $d/tok.spki && "
		"openssl x509 -in %s -noout -pubkey | openssl pkey -pubin -outform DER -out $d/cert.spki && "
		"cmp $d/tok.spki $d/cert.spki",
		f->dir, pem, P11RAW_SOFTHSM, TOKEN, label, P11RAW_SOFTHSM, TOKEN, label, pem);
}

static void self_sign_for(void **state, const char *type, const char *want_sig_alg)
{
	struct fx *f = *state;
	struct p11_ossl_key k = { 0 };
	struct x509_ca_params p = { ROOT_SUBJECT, 0, 0, 1 };
	X509 *ca = NULL;
	char pem[512], fpr[X509_FPR_HEX_BYTES];

	assert_int_equal(p11raw_keygen(P11RAW_SOFTHSM, TOKEN, type, "root", "01"), 0);
	fx_login(f);
	assert_int_equal(p11_ossl_key_load(f->o, "pkcs11:token=" TOKEN ";object=root", &k), 0);
	p.not_after = time(NULL) + 3650L * DAY;
	assert_int_equal(x509_ca_self_sign(&k, &p, &ca), 0);
	path_in(f, "ca.pem", pem, sizeof(pem));
	assert_int_equal(x509_pem_write(pem, X509_KIND_CERT, ca, fpr), 0);
	assert_int_equal(strlen(fpr), 64);
	/* Written once: a second write is refused and leaves the first intact. */
	assert_int_equal(x509_pem_write(pem, X509_KIND_CERT, ca, NULL), CE_ERR_EXISTS);
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
}

static void test_ca_rsa3072(void **state)
{
	self_sign_for(state, "rsa:3072", "sha256WithRSAEncryption");
}

static void test_ca_p256(void **state)
{
	self_sign_for(state, "EC:prime256v1", "ecdsa-with-SHA256");
}

static void test_ca_p384(void **state)
{
	self_sign_for(state, "EC:secp384r1", "ecdsa-with-SHA384");
}

static void test_ca_ed25519(void **state)
{
	self_sign_for(state, "EC:edwards25519", "ED25519");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ca_p256, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ca_p384, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ca_rsa3072, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ca_ed25519, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
