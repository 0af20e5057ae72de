/* SPDX-License-Identifier: Apache-2.0 */
/* pkcs11/x509/ossl.h + pkcs11/x509/x509.h on NSS softokn (a second implementation),
 * loaded by our layer through a p11-kit module file whose x-init-reserved
 * line gives softokn its database; pkcs11-provider gets the same string as
 * pkcs11-module-init-args. Self-signed CA (P-256, RSA-2048: NSS 3.87 has no
 * Ed25519), sub-CA from a CSR, CRL, each checked with the openssl CLI; twins:
 * a missing key, no login. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/x509.h"
#include "tests/unit/helper_p11raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NSS_TOKEN_URI "pkcs11:token=NSS%20Certificate%20DB"
#define NSS_PIN "nss-x509-PIN-1"
#define DAY 86400

static char nss_dir[256];
static char nss_module[512];

struct fx {
	struct p11_ctx *ctx;
	struct p11_token *tok;
	struct p11_session *s;
	struct p11_ossl *o;
};

static int group_setup(void **state)
{
	const char *lib = "/usr/lib/x86_64-linux-gnu/libsoftokn3.so";
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	(void)state;
	if (access(lib, R_OK) != 0) {
		fprintf(stderr, "%s missing (libnss3)\n", lib);
		return -1;
	}
	snprintf(nss_dir, sizeof(nss_dir), "%s/ceremony-x509-nss.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(nss_dir) == NULL)
		return -1;
	/* The database password is the user PIN (a test constant). */
	if (p11raw_sh("cd %s && printf '%%s\\n' %s >pw && mkdir db && "
		      "certutil -N -d sql:db -f pw >/dev/null && rm pw", nss_dir, NSS_PIN) != 0)
		return -1;
	snprintf(nss_module, sizeof(nss_module), "%s/nss.module", nss_dir);
	f = fopen(nss_module, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "module: %s\nx-init-reserved: configdir='sql:%s/db' certPrefix='' "
		   "keyPrefix='' secmod='secmod.db' flags=\n", lib, nss_dir);
	fclose(f);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (getenv("TEST_KEEP") == NULL)
		p11raw_token_rm(nss_dir);
	return 0;
}

static int up(struct fx *f, int login)
{
	const struct p11_module *m;
	char *pin;
	int r;

	if ((r = p11_ctx_open(nss_module, &f->ctx)) < 0 ||
	    (r = p11_token_find(f->ctx, NSS_TOKEN_URI, &f->tok)) < 0 ||
	    (r = p11_session_open(f->tok, &f->s)) < 0)
		return r;
	if (login) {
		pin = secmem_dup(NSS_PIN, strlen(NSS_PIN));
		if (pin == NULL)
			return CE_ERR_NOMEM;
		r = p11_session_login(f->s, P11_USER_NORMAL, pin, strlen(NSS_PIN));
		secmem_free(pin);
		if (r < 0)
			return r;
	}
	m = p11_token_module(f->tok);
	return p11_ossl_open(p11_module_path(m), p11_module_init_args(m), &f->o);
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
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
	free(f);
	return 0;
}

static void keygen(struct fx *f, enum p11_key_type t, const char *label, uint8_t id,
		   EVP_PKEY **exported)
{
	struct p11_keygen kg = { t, label, &id, 1, 0 };
	struct p11_key *k = NULL;

	assert_int_equal(p11_key_generate(f->s, &kg, &k), 0);
	assert_int_equal(p11_key_public_evp(k, exported), 0);
	p11_key_free(k);
}

static void test_nss_chain_and_crl(void **state)
{
	struct fx *f = *state;
	struct p11_ossl_key rk = { 0 }, sk = { 0 };
	struct x509_ca_params cp = { "/C=FR/O=Example TSP/CN=NSS Root CA", 0, 0, 1, NULL };
	struct x509_profile prof = { .validity_days = 1825, .ca = 1, .path_len = 0 };
	struct x509_revoked rev = { "1234abcd", 0, 5 };
	struct x509_crl_params crlp = { .crl_number = 1, .revoked = &rev, .n_revoked = 1 };
	EVP_PKEY *rpub = NULL, *spub = NULL;
	X509 *root = NULL, *sub = NULL;
	X509_REQ *csr = NULL;
	X509_CRL *crl = NULL;
	char root_pem[512], sub_pem[512], crl_pem[512];

	assert_int_equal(up(f, 1), 0);
	keygen(f, P11_KEY_EC_P256, "nss-root", 0x31, &rpub);
	keygen(f, P11_KEY_RSA_2048, "nss-sub", 0x32, &spub);
	assert_int_equal(p11_ossl_key_load(f->o, NSS_TOKEN_URI ";object=nss-root", rpub, &rk), 0);
	assert_int_equal(p11_ossl_key_load(f->o, NSS_TOKEN_URI ";object=nss-sub", spub, &sk), 0);
	cp.not_after = time(NULL) + 3650L * DAY;
	assert_int_equal(x509_ca_self_sign(&rk, &cp, &root), 0);
	assert_int_equal(x509_csr_make(&sk, "/C=FR/O=Example TSP/CN=NSS Sub CA", &csr), 0);
	assert_int_equal(x509_cert_issue(&rk, root, csr, &prof, &sub), 0);
	rev.when = time(NULL) - DAY;
	crlp.next_update = time(NULL) + 7L * DAY;
	assert_int_equal(x509_crl_make(&rk, root, &crlp, &crl), 0);
	snprintf(root_pem, sizeof(root_pem), "%s/root-%d.pem", nss_dir, (int)getpid());
	snprintf(sub_pem, sizeof(sub_pem), "%s/sub-%d.pem", nss_dir, (int)getpid());
	snprintf(crl_pem, sizeof(crl_pem), "%s/root-%d.crl", nss_dir, (int)getpid());
	assert_int_equal(x509_pem_write(root_pem, X509_KIND_CERT, root, NULL, NULL), 0);
	assert_int_equal(x509_pem_write(sub_pem, X509_KIND_CERT, sub, NULL, NULL), 0);
	assert_int_equal(x509_pem_write(crl_pem, X509_KIND_CRL, crl, NULL, NULL), 0);
	assert_int_equal(p11raw_sh("openssl verify -CAfile %s %s", root_pem, root_pem), 0);
	assert_int_equal(p11raw_sh("openssl verify -CAfile %s %s", root_pem, sub_pem), 0);
	assert_int_not_equal(p11raw_sh("openssl verify -CAfile %s %s 2>/dev/null", sub_pem, sub_pem), 0);
	assert_int_equal(p11raw_sh("openssl crl -in %s -CAfile %s -noout -verify 2>&1 | grep -q 'verify OK'",
				   crl_pem, root_pem), 0);
	assert_int_equal(p11raw_sh("openssl x509 -in %s -noout -text | grep -q sha256WithRSAEncryption || "
				   "openssl x509 -in %s -noout -text | grep -q 'Public-Key: (2048 bit)'",
				   sub_pem, sub_pem), 0);
	/* Twin: a key that is not there. */
	p11_ossl_key_free(&sk);
	assert_int_equal(p11_ossl_key_load(f->o, NSS_TOKEN_URI ";object=nss-nope", NULL, &sk),
			 CE_ERR_NOT_FOUND);
	X509_free(root);
	X509_free(sub);
	X509_REQ_free(csr);
	X509_CRL_free(crl);
	EVP_PKEY_free(rpub);
	EVP_PKEY_free(spub);
	p11_ossl_key_free(&rk);
}

/* Twin of the above: without our login the provider finds no private key
 * and never prompts. Run in a child with no controlling terminal, stdin
 * closed, stderr to a file (where OpenSSL's default UI would write its
 * "Enter PIN for ..." prompt). */
static void test_nss_no_login_no_prompt(void **state)
{
	struct fx *f = *state;
	char errf[512];
	int st = 0;
	pid_t pid;

	snprintf(errf, sizeof(errf), "%s/prompt-%d.txt", nss_dir, (int)getpid());
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct p11_ossl_key k = { 0 };
		int r;

		setsid();
		close(0);
		if (freopen(errf, "w", stderr) == NULL)
			_exit(3);
		alarm(60);
		if (up(f, 0) != 0)
			_exit(4);
		r = p11_ossl_key_load(f->o, NSS_TOKEN_URI ";object=nss-root", NULL, &k);
		fprintf(stderr, "\nload: %d: %s\n", r, ce_err_detail());
		fflush(stderr);
		_exit(r == CE_ERR_NOT_FOUND ? 0 : 5);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	p11raw_sh("cat %s >&2", errf);
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_not_equal(p11raw_sh("grep -q 'Enter' %s", errf), 0);
	assert_int_equal(p11raw_sh("grep -q 'load: -22' %s", errf), 0); /* the grep can match */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nss_chain_and_crl, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_nss_no_login_no_prompt, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
