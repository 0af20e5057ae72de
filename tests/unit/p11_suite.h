/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/p11_suite.h - the PKCS#11 layer's test suite, run against each
 * implementation (SoftHSM, NSS softokn, p11-kit server). Included by one
 * tests/unit/test_p11_*.c per backend, which fills struct p11_backend and
 * calls p11_suite_run(). The suite adapts to what the token offers by its
 * mechanism list and the backend's declared abilities, never by vendor name.
 *
 * Test PINs are constants here and appear on pkcs11-tool's argv: acceptable
 * only because every token is a throwaway made for the test.
 */
#ifndef CE_TESTS_P11_SUITE_H
#define CE_TESTS_P11_SUITE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "pkcs11/p11.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct p11_backend {
	const char *name;
	char module[4096];     /* --module argument (.so or .module) */
	char tool_module[4096]; /* for pkcs11-tool, "" when it cannot load the module */
	char tool_env[4096];   /* environment prefix for shell commands */
	char native_list[4096]; /* the vendor's own key lister, "" when none */
	const char *uri_a;     /* token A */
	const char *label_a;
	const char *uri_b;     /* token B, or NULL: restore onto A after deleting */
	const char *ambiguous_uri; /* matches two or more tokens */
	const char *user_pin;
	const char *so_pin;
	int can_init;          /* a blank token is reachable for p11_token_init */
	int init_in_place;     /* token A is (re)initialised first, SO PIN empty (NSS) */
	char tmp[4096];        /* scratch directory */
};

static struct p11_backend *B;
static struct p11_ctx *CTX;

/* Run a shell command (in the backend's environment); returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[16384], full[24576];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if ((size_t)snprintf(full, sizeof(full), "cd '%.4000s' && %.4000s %s", B->tmp, B->tool_env,
			     cmd) >= sizeof(full))
		return -1;
	st = system(full);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[8192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", B->tmp, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *pin_dup(const char *pin)
{
	char *p = secmem_dup(pin, strlen(pin) + 1);

	assert_non_null(p);
	return p;
}

/* Open a session on uri, logged in as user. */
static struct p11_session *user_session(const char *uri, struct p11_token **tok)
{
	struct p11_session *s = NULL;
	char *pin = pin_dup(B->user_pin);
	int r;

	assert_int_equal(p11_token_find(CTX, uri, tok), 0);
	assert_int_equal(p11_session_open(*tok, &s), 0);
	r = p11_session_login(s, P11_USER_NORMAL, pin, strlen(B->user_pin));
	secmem_free(pin); /* wiped right after C_Login */
	if (r != 0)
		print_error("login: %s\n", ce_err_detail());
	assert_int_equal(r, 0);
	return s;
}

static void end_session(struct p11_session *s, struct p11_token *tok)
{
	p11_session_close(s);
	p11_token_free(tok);
}

/* ---- URIs, tokens --------------------------------------------------- */

static void test_uri_rules(void **state)
{
	struct p11_token *tok = NULL;
	char uri[512];

	(void)state;
	snprintf(uri, sizeof(uri), "%s;pin-value=1234", B->uri_a);
	assert_int_equal(p11_token_find(CTX, uri, &tok), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "pin-value"));
	assert_null(tok);
	snprintf(uri, sizeof(uri), "%s?pin-source=file:/etc/passwd", B->uri_a);
	assert_int_equal(p11_token_find(CTX, uri, &tok), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "pin-source"));
	assert_int_equal(p11_token_find(CTX, "pkcs12:token=A", &tok), CE_ERR_FORMAT);
	assert_int_equal(p11_token_find(CTX, "pkcs11:tokn=A", &tok), CE_ERR_FORMAT);
	assert_int_equal(p11_token_find(CTX, "pkcs11:token=no-such-token", &tok), CE_ERR_NOT_FOUND);
	assert_int_equal(p11_token_find(CTX, "pkcs11:slot-id=0", &tok), CE_ERR_INVALID);
	/* The positive twin. */
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok), 0);
	assert_string_equal(p11_token_info(tok)->label, B->label_a);
	assert_non_null(strstr(p11_token_uri(tok), "pkcs11:"));
	assert_true(p11_token_info(tok)->flags & P11_TOKEN_INITIALIZED);
	p11_token_free(tok);
}

static void test_ambiguous_token(void **state)
{
	struct p11_token *tok = NULL;

	(void)state;
	assert_int_equal(p11_token_find(CTX, B->ambiguous_uri, &tok), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "tokens match"));
	assert_non_null(strstr(ce_err_detail(), "serial="));
	assert_null(tok);
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok), 0);
	p11_token_free(tok);
}

static void test_module_path(void **state)
{
	const struct p11_module *m;
	uint8_t h[32];

	(void)state;
	assert_int_equal(p11_ctx_module_count(CTX), 1);
	m = p11_ctx_module(CTX, 0);
	assert_int_equal(p11_module_error(m), 0);
	assert_int_equal(p11_module_path(m)[0], '/');
	assert_int_equal(p11_module_file_sha256(m, h), 0);
	assert_null(p11_ctx_module(CTX, 1));
}

/* ---- login and PINs -------------------------------------------------- */

static void test_login(void **state)
{
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	char *bad = pin_dup("wrong-pin-1");
	char *good = pin_dup(B->user_pin);

	(void)state;
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok), 0);
	assert_int_equal(p11_session_open(tok, &s), 0);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, bad, strlen(bad)), CE_ERR_PIN);
	assert_non_null(strstr(ce_err_detail(), "CKR_PIN_INCORRECT"));
	assert_non_null(strstr(ce_err_detail(), "C_Login"));
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, good, strlen(good)), 0);
	/* Already logged in counts as success (the provider may log in first). */
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, good, strlen(good)), 0);
	assert_int_equal(p11_session_logout(s), 0);
	assert_int_equal(p11_session_logout(s), 0);
	secmem_free(bad);
	secmem_free(good);
	end_session(s, tok);
}

/* A failed C_Login is kept as data (function, CKR), and only until another
 * error is reported. */
static void test_login_failure_data(void **state)
{
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	char *bad = pin_dup("wrong-pin-2");
	const struct p11_failure *f;

	(void)state;
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok), 0);
	assert_int_equal(p11_session_open(tok, &s), 0);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, bad, strlen(bad)), CE_ERR_PIN);
	secmem_free(bad);
	f = p11_failure_current();
	assert_non_null(f);
	assert_string_equal(f->function, "C_Login");
	assert_string_equal(f->ckr, "CKR_PIN_INCORRECT");
	assert_int_equal(f->rv, 0xa0); /* CKR_PIN_INCORRECT */
	assert_non_null(strstr(f->what, B->label_a));
	/* Twin: a later error that is not a PKCS#11 failure has no failure data. */
	assert_int_equal(ce_err_set(CE_ERR_INVALID, "not a token's doing"), CE_ERR_INVALID);
	assert_null(p11_failure_current());
	/* Nor has a cleared detail. */
	bad = pin_dup("wrong-pin-3");
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, bad, strlen(bad)), CE_ERR_PIN);
	secmem_free(bad);
	assert_non_null(p11_failure_current());
	ce_err_clear();
	assert_null(p11_failure_current());
	end_session(s, tok);
}

static void test_pin_generate(void **state)
{
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	char *p1 = NULL, *p2 = NULL;
	size_t l1 = 0, l2 = 0, i;
	unsigned long lo, hi;

	(void)state;
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok), 0);
	assert_int_equal(p11_session_open(tok, &s), 0);
	lo = p11_token_info(tok)->min_pin_len;
	hi = p11_token_info(tok)->max_pin_len;
	assert_int_equal(p11_session_pin_generate(s, 0, &p1, &l1), 0);
	assert_int_equal(p11_session_pin_generate(s, 0, &p2, &l2), 0);
	assert_true(l1 >= (lo ? lo : 1) && (hi == 0 || l1 <= hi));
	assert_int_equal(strlen(p1), l1);
	for (i = 0; i < l1; i++)
		assert_non_null(strchr(P11_PIN_ALPHABET, p1[i]));
	assert_true(l1 != l2 || memcmp(p1, p2, l1) != 0);
	secmem_free(p1);
	secmem_free(p2);
	p1 = NULL;
	/* Outside the token's range: refused, nothing returned. */
	if (hi > 0 && hi < 256) {
		assert_int_equal(p11_session_pin_generate(s, (size_t)hi + 1, &p1, &l1), CE_ERR_INVALID);
		assert_null(p1);
	}
	if (lo > 1) {
		assert_int_equal(p11_session_pin_generate(s, (size_t)lo - 1, &p1, &l1), CE_ERR_INVALID);
		assert_null(p1);
	}
	/* The same rule with OpenSSL's RNG (for blank tokens): alphabet, length. */
	l1 = lo > 24 ? (size_t)lo : 24;
	if (hi == 0 || l1 <= hi) {
		assert_int_equal(p11_token_pin_generate(tok, l1, &p1, &l2), 0);
		assert_int_equal(l2, l1);
		assert_int_equal(strlen(p1), l1);
		for (i = 0; i < l1; i++)
			assert_non_null(strchr(P11_PIN_ALPHABET, p1[i]));
		secmem_free(p1);
		p1 = NULL;
	}
	if (hi > 0 && hi < 256) {
		assert_int_equal(p11_token_pin_generate(tok, (size_t)hi + 1, &p1, &l1), CE_ERR_INVALID);
		assert_null(p1);
	}
	end_session(s, tok);
}

static void test_token_init_and_pin_rotation(void **state)
{
	struct p11_token *tok = NULL, *again = NULL;
	struct p11_session *s = NULL;
	char *so = NULL, *user = NULL, *user2 = NULL;
	size_t so_len = 0, user_len = 0, user2_len = 0;

	(void)state;
	if (!B->can_init)
		skip();
	if (p11_token_find_blank(CTX, "pkcs11:", &tok) != 0)
		print_error("blank token: %s\n", ce_err_detail());
	assert_non_null(tok);
	/* A blank SoftHSM token has no RNG yet: its SO PIN comes from OpenSSL
	 * within the blank token's range (as token.init does), the user PINs
	 * from token A's RNG. */
	assert_int_equal(p11_token_pin_generate(tok, 0, &so, &so_len), 0);
	assert_int_equal(strlen(so), so_len);
	assert_int_equal(p11_token_find(CTX, B->uri_a, &again), 0);
	assert_int_equal(p11_session_open(again, &s), 0);
	assert_int_equal(p11_session_pin_generate(s, 0, &user, &user_len), 0);
	assert_int_equal(p11_session_pin_generate(s, 0, &user2, &user2_len), 0);
	p11_session_close(s);
	s = NULL;
	p11_token_free(again);
	again = NULL;
	/* Failing twin first: an empty label is refused before anything happens. */
	assert_int_equal(p11_token_init(tok, so, so_len, "", user, user_len), CE_ERR_INVALID);
	assert_int_equal(p11_token_init(tok, so, so_len, "Inited", user, user_len), 0);
	assert_string_equal(p11_token_info(tok)->label, "Inited");
	assert_true(p11_token_info(tok)->flags & P11_TOKEN_USER_PIN_INITIALIZED);
	assert_int_equal(p11_token_find(CTX, "pkcs11:token=Inited", &again), 0);
	/* The user PIN works, the SO PIN is not the user PIN. */
	assert_int_equal(p11_session_open(again, &s), 0);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, so, so_len), CE_ERR_PIN);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, user, user_len), 0);
	/* Rotation: old PIN out, new PIN in. */
	assert_int_equal(p11_session_set_pin(s, so, so_len, user2, user2_len), CE_ERR_PIN);
	assert_int_equal(p11_session_set_pin(s, user, user_len, user2, user2_len), 0);
	assert_int_equal(p11_session_logout(s), 0);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, user, user_len), CE_ERR_PIN);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, user2, user2_len), 0);
	assert_int_equal(p11_session_logout(s), 0);
	/* A PIN outside the length range: CE_ERR_PIN naming CKR_PIN_LEN_RANGE. */
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, user2, user2_len), 0);
	assert_int_equal(p11_session_set_pin(s, user2, user2_len, "12", 2), CE_ERR_PIN);
	assert_non_null(strstr(ce_err_detail(), "CKR_PIN_LEN_RANGE"));
	secmem_free(so);
	secmem_free(user);
	secmem_free(user2);
	p11_session_close(s);
	p11_token_free(again);
	p11_token_free(tok);
}

/* NSS softokn: the key token is initialised in place; its SO "PIN" is empty
 * and C_InitPIN sets the database password (the user PIN). */
static void test_token_init_in_place(void **state)
{
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	char *user = pin_dup(B->user_pin);
	char *bad = pin_dup("not-the-pin");

	(void)state;
	if (!B->init_in_place) {
		secmem_free(user);
		secmem_free(bad);
		skip();
	}
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok), 0);
	assert_int_equal(p11_token_init(tok, "", 0, "", user, strlen(user)), CE_ERR_INVALID);
	assert_int_equal(p11_token_init(tok, "", 0, B->label_a, user, strlen(user)), 0);
	assert_true(p11_token_info(tok)->flags & P11_TOKEN_USER_PIN_INITIALIZED);
	assert_int_equal(p11_session_open(tok, &s), 0);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, bad, strlen(bad)), CE_ERR_PIN);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, user, strlen(user)), 0);
	/* Rotation there and back: the old PIN stops working in between. */
	assert_int_equal(p11_session_set_pin(s, bad, strlen(bad), bad, strlen(bad)), CE_ERR_PIN);
	assert_int_equal(p11_session_set_pin(s, user, strlen(user), bad, strlen(bad)), 0);
	assert_int_equal(p11_session_logout(s), 0);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, user, strlen(user)), CE_ERR_PIN);
	assert_int_equal(p11_session_login(s, P11_USER_NORMAL, bad, strlen(bad)), 0);
	assert_int_equal(p11_session_set_pin(s, bad, strlen(bad), user, strlen(user)), 0);
	assert_int_equal(p11_session_logout(s), 0);
	secmem_free(user);
	secmem_free(bad);
	end_session(s, tok);
}

/* ---- keys ------------------------------------------------------------ */

static const enum p11_key_type ALL_TYPES[] = {
	P11_KEY_EC_P256, P11_KEY_EC_P384, P11_KEY_EC_P521, P11_KEY_ED25519,
	P11_KEY_RSA_2048, P11_KEY_RSA_3072, P11_KEY_RSA_4096,
};

/* Check the signature over msg with the openssl CLI; returns its status. */
static int openssl_verify(enum p11_key_type t, const char *pem_file, const char *msg_file,
			  const char *sig_file)
{
	if (t == P11_KEY_ED25519)
		return sh("openssl pkeyutl -verify -pubin -inkey %s -rawin -in %s -sigfile %s "
			  ">/dev/null 2>&1", pem_file, msg_file, sig_file);
	return sh("openssl dgst -sha256 -verify %s -signature %s %s >/dev/null 2>&1", pem_file,
		  sig_file, msg_file);
}

static void keygen_one(struct p11_session *s, enum p11_key_type t, uint8_t idb)
{
	struct p11_key *k = NULL, *k2 = NULL;
	struct p11_keygen g;
	struct p11_key_attrs a;
	char label[64], other[80], pem_file[96], uri[1024];
	char *pem = NULL;
	uint8_t *sig = NULL, fp[32];
	char fphex[65];
	size_t sig_len = 0;
	uint8_t id[2] = { 0xc0, idb };
	static const char msg[] = "ceremony test message";
	enum p11_hash h = t == P11_KEY_ED25519 ? P11_HASH_NONE : P11_HASH_SHA256;
	int r;

	snprintf(label, sizeof(label), "%s-%s", B->name, p11_key_type_name(t));
	memset(&g, 0, sizeof(g));
	g.type = t;
	g.label = label;
	g.id = id;
	g.id_len = sizeof(id);
	r = p11_key_generate(s, &g, &k);
	if (r != 0)
		print_error("keygen %s: %s\n", label, ce_err_detail());
	assert_int_equal(r, 0);
	assert_int_equal(p11_key_type(k), t);
	/* The attributes we promise. */
	assert_int_equal(p11_key_attrs(k, &a), 0);
	assert_true(a.token && a.private_ && a.sensitive && a.sign);
	assert_false(a.extractable);
	assert_true(a.never_extractable && a.always_sensitive);
	/* Reuse of the label or the id is refused and makes nothing. */
	assert_int_equal(p11_key_generate(s, &g, &k2), CE_ERR_EXISTS);
	assert_non_null(strstr(ce_err_detail(), label));
	snprintf(other, sizeof(other), "%s-other", label);
	g.label = other;
	assert_int_equal(p11_key_generate(s, &g, &k2), CE_ERR_EXISTS);
	assert_non_null(strstr(ce_err_detail(), "id"));
	assert_null(k2);
	/* Public key export, the fingerprint, and lookup by URI. */
	assert_int_equal(p11_key_public_pem(k, &pem), 0);
	assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----"));
	assert_int_equal(p11_key_public_fingerprint(k, fp), 0);
	snprintf(pem_file, sizeof(pem_file), "%s.pem", label);
	write_file(pem_file, pem, strlen(pem));
	/* The fingerprint is SHA-256 over the DER SubjectPublicKeyInfo. */
	hex_encode(fp, sizeof(fp), fphex);
	assert_int_equal(sh("openssl pkey -pubin -in %s -outform DER | sha256sum | grep -q '^%s '",
			    pem_file, fphex), 0);
	fphex[0] = fphex[0] == '0' ? '1' : '0';
	assert_int_not_equal(sh("openssl pkey -pubin -in %s -outform DER | sha256sum | "
				"grep -q '^%s '", pem_file, fphex), 0);
	snprintf(uri, sizeof(uri), "%s;object=%s", B->uri_a, label);
	assert_int_equal(p11_key_find(s, uri, &k2), 0);
	assert_string_equal(p11_key_label(k2), label);
	assert_non_null(strstr(p11_key_uri(k2), "type=private"));
	p11_key_free(k2);
	k2 = NULL;
	/* Sign, and check with the openssl CLI; a changed message fails. */
	r = p11_key_sign(k, h, (const uint8_t *)msg, sizeof(msg) - 1, &sig, &sig_len);
	if (r != 0)
		print_error("sign %s: %s\n", label, ce_err_detail());
	assert_int_equal(r, 0);
	write_file("msg", msg, sizeof(msg) - 1);
	write_file("msg.bad", "ceremony test messagE", sizeof(msg) - 1);
	write_file("sig", sig, sig_len);
	assert_int_equal(openssl_verify(t, pem_file, "msg", "sig"), 0);
	assert_int_not_equal(openssl_verify(t, pem_file, "msg.bad", "sig"), 0);
	/* Hash rules: Ed25519 takes none, the others need one. */
	free(sig);
	sig = NULL;
	assert_int_equal(p11_key_sign(k, t == P11_KEY_ED25519 ? P11_HASH_SHA256 : P11_HASH_NONE,
				      (const uint8_t *)msg, 3, &sig, &sig_len), CE_ERR_INVALID);
	assert_null(sig);
	if (B->native_list[0] != '\0') {
		/* The vendor's own tool sees the key with its id and label. */
		char idhex[5];

		hex_encode(id, sizeof(id), idhex);
		assert_int_equal(sh("%s 2>/dev/null | grep -q ' %s  *%s$'", B->native_list, idhex,
				    label), 0);
		assert_int_not_equal(sh("%s 2>/dev/null | grep -q ' %s  *%s-other$'", B->native_list,
					idhex, label), 0);
	}
	if (B->tool_module[0] != '\0') {
		/* pkcs11-tool sees the same objects and the same public key. */
		assert_int_equal(sh("pkcs11-tool --module %s --token-label '%s' --login --pin '%s' "
				    "--list-objects --type privkey 2>/dev/null >objs && "
				    "grep -A4 'label: *%s$' objs | grep -q 'Access: *sensitive, always sensitive, never extractable'",
				    B->tool_module, B->label_a, B->user_pin, label), 0);
		/* pkcs11-tool 0.23 cannot read P-384/P-521 public keys back
		 * ("cannot create EVP_PKEY"): then compare the EC point it lists
		 * with the one in our SubjectPublicKeyInfo. */
		assert_int_equal(sh("if pkcs11-tool --module %s --token-label '%s' --read-object "
				    "--type pubkey --label '%s' -o pub.der >/dev/null 2>&1 && "
				    "openssl pkey -pubin -inform DER -in pub.der -out tool.pem 2>/dev/null; "
				    "then cmp -s tool.pem %s; else "
				    "pt=$(pkcs11-tool --module %s --token-label '%s' --list-objects "
				    "--type pubkey 2>/dev/null | grep -B3 'label: *%s$' | "
				    "sed -n 's/.*EC_POINT: *04\\(81..\\|..\\)//p') && [ -n \"$pt\" ] && "
				    "openssl pkey -pubin -in %s -outform DER | od -An -tx1 | tr -d ' \\n' "
				    ">spki.hex && grep -q \"$pt\" spki.hex; fi",
				    B->tool_module, B->label_a, label, pem_file, B->tool_module,
				    B->label_a, label, pem_file), 0);
	}
	free(sig);
	free(pem);
	p11_key_free(k);
}

static void test_keygen_sign(void **state)
{
	struct p11_token *tok = NULL;
	struct p11_session *s = user_session(B->uri_a, &tok);
	size_t i, done = 0;

	(void)state;
	for (i = 0; i < sizeof(ALL_TYPES) / sizeof(ALL_TYPES[0]); i++) {
		if (p11_token_supports(tok, ALL_TYPES[i]) != 0) {
			/* The failing twin: a clear refusal naming the mechanism. */
			struct p11_key *k = NULL;
			struct p11_keygen g = { ALL_TYPES[i], "nope", (const uint8_t *)"\x99", 1, 0 };

			assert_int_equal(p11_key_generate(s, &g, &k), CE_ERR_UNSUPPORTED);
			assert_non_null(strstr(ce_err_detail(), "CKM_"));
			print_message("  %s: %s lacks the mechanism (refused cleanly)\n", B->name,
				      p11_key_type_name(ALL_TYPES[i]));
			continue;
		}
		keygen_one(s, ALL_TYPES[i], (uint8_t)i);
		done++;
	}
	assert_true(done >= 4);
	end_session(s, tok);
}

static void test_keygen_refusals(void **state)
{
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_key *k = NULL;
	struct p11_keygen g = { P11_KEY_EC_P256, "x", (const uint8_t *)"\x01", 1, 0 };
	enum p11_key_type t;

	(void)state;
	assert_int_equal(p11_key_type_parse("secp384r1", &t), 0);
	assert_int_equal(t, P11_KEY_EC_P384);
	assert_int_equal(p11_key_type_parse("dsa1024", &t), CE_ERR_INVALID);
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok), 0);
	assert_int_equal(p11_session_open(tok, &s), 0);
	/* Not logged in: the token refuses a private key; nothing is left. */
	g.label = "not-logged-in";
	g.id = (const uint8_t *)"\x42\x42";
	g.id_len = 2;
	assert_true(p11_key_generate(s, &g, &k) < 0);
	assert_non_null(strstr(ce_err_detail(), "CKR_"));
	g.label = "";
	assert_int_equal(p11_key_generate(s, &g, &k), CE_ERR_INVALID);
	g.label = "no-id";
	g.id_len = 0;
	assert_int_equal(p11_key_generate(s, &g, &k), CE_ERR_INVALID);
	assert_null(k);
	end_session(s, tok);
}

static void test_objects_and_destroy(void **state)
{
	struct p11_token *tok = NULL, *tok2 = NULL;
	struct p11_session *s = user_session(B->uri_a, &tok), *pub = NULL;
	struct p11_key *k = NULL;
	struct p11_keygen g = { P11_KEY_EC_P256, "to-destroy", (const uint8_t *)"\xd0\x01", 2, 0 };
	struct p11_object *objs = NULL;
	size_t n = 0, i, seen_pub = 0, seen_priv = 0;
	char uri[1024];

	(void)state;
	assert_int_equal(p11_key_generate(s, &g, &k), 0);
	p11_key_free(k);
	/* A session without login sees the public half only. */
	assert_int_equal(p11_token_find(CTX, B->uri_a, &tok2), 0);
	assert_int_equal(p11_session_open(tok2, &pub), 0);
	assert_int_equal(p11_session_logout(s), 0);
	assert_int_equal(p11_session_objects(pub, NULL, &objs, &n), 0);
	for (i = 0; i < n; i++) {
		if (strcmp(objs[i].label, "to-destroy") != 0)
			continue;
		if (strcmp(objs[i].cls, "public-key") == 0) {
			seen_pub++;
			assert_string_equal(objs[i].key_type, "EC");
			assert_int_equal(objs[i].bits, 256);
			assert_non_null(strstr(objs[i].uri, "object=to-destroy"));
			assert_non_null(strstr(objs[i].uri, "id=%D0%01"));
		} else if (strcmp(objs[i].cls, "private-key") == 0) {
			seen_priv++;
		}
	}
	assert_int_equal(seen_pub, 1);
	assert_int_equal(seen_priv, 0);
	p11_objects_free(objs, n);
	objs = NULL;
	/* Filtered by URI: the public half only, found by label and by id. */
	snprintf(uri, sizeof(uri), "%s;object=to-destroy", B->uri_a);
	assert_int_equal(p11_session_objects(pub, uri, &objs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(objs[0].cls, "public-key");
	p11_objects_free(objs, n);
	assert_int_equal(p11_session_objects(pub, "pkcs11:id=%D0%01", &objs, &n), 0);
	assert_int_equal(n, 1);
	p11_objects_free(objs, n);
	assert_int_equal(p11_session_objects(pub, "pkcs11:object=nothing-like-it", &objs, &n), 0);
	assert_int_equal(n, 0);
	p11_objects_free(objs, n);
	/* Without login the private key is not found; by id after login it is. */
	assert_int_equal(p11_key_find(pub, "pkcs11:id=%D0%01;type=private", &k), CE_ERR_NOT_FOUND);
	assert_null(k);
	p11_session_close(pub);
	p11_token_free(tok2);
	end_session(s, tok);
	s = user_session(B->uri_a, &tok);
	assert_int_equal(p11_key_find(s, "pkcs11:id=%D0%01", &k), 0);
	assert_string_equal(p11_key_label(k), "to-destroy");
	assert_int_equal(p11_key_type(k), P11_KEY_EC_P256);
	p11_key_free(k);
	k = NULL;
	assert_int_equal(p11_key_find(s, B->uri_a, &k), CE_ERR_INVALID); /* names no key */
	/* Two objects carry the label: destroying by label alone is refused. */
	snprintf(uri, sizeof(uri), "%s;object=to-destroy", B->uri_a);
	assert_int_equal(p11_object_destroy(s, uri), CE_ERR_INVALID);
	snprintf(uri, sizeof(uri), "%s;object=to-destroy;type=public", B->uri_a);
	assert_int_equal(p11_object_destroy(s, uri), 0);
	assert_int_equal(p11_object_destroy(s, uri), CE_ERR_NOT_FOUND);
	snprintf(uri, sizeof(uri), "%s;object=to-destroy;type=private", B->uri_a);
	assert_int_equal(p11_object_destroy(s, uri), 0);
	/* A URI for another token is refused. */
	assert_int_equal(p11_object_destroy(s, "pkcs11:token=some-other;object=x"), CE_ERR_INVALID);
	assert_int_equal(p11_key_find(s, "pkcs11:object=to-destroy", &k), CE_ERR_NOT_FOUND);
	end_session(s, tok);
}

static void test_wrap_unwrap(void **state)
{
	struct p11_token *ta = NULL, *tb = NULL;
	struct p11_session *sa = user_session(B->uri_a, &ta), *sb = NULL;
	struct p11_key *k = NULL, *plain = NULL, *wa = NULL, *wb = NULL, *restored = NULL;
	struct p11_key *other = NULL, *twice = NULL;
	struct p11_keygen g = { P11_KEY_EC_P256, "backed-up", (const uint8_t *)"\xb0\x01", 2, 1 };
	struct p11_keygen g2 = { P11_KEY_EC_P256, "not-backed-up", (const uint8_t *)"\xb0\x02", 2, 0 };
	struct p11_keygen g3 = { P11_KEY_EC_P256, "someone-else", (const uint8_t *)"\xb0\x03", 2, 0 };
	struct p11_unwrap u;
	struct p11_key_attrs a;
	uint8_t *aes = secmem_alloc(32);
	uint8_t *blob = NULL, *sig = NULL;
	size_t blob_len = 0, sig_len = 0;
	char *pem = NULL, *other_pem = NULL;
	char uri[1024];
	static const char msg[] = "restored key signs";
	int r;

	(void)state;
	assert_non_null(aes);
	if (p11_token_supports(ta, P11_KEY_AES_256) != 0) {
		print_message("  %s: no CKM_AES_KEY_WRAP_PAD: wrap refused cleanly\n", B->name);
		assert_int_equal(p11_key_import_aes(sa, aes, 32, &wa), CE_ERR_UNSUPPORTED);
		secmem_free(aes);
		end_session(sa, ta);
		return;
	}
	assert_int_equal(p11_session_random(sa, aes, 32), 0);
	assert_int_equal(p11_key_generate(sa, &g, &k), 0);
	assert_int_equal(p11_key_generate(sa, &g2, &plain), 0);
	assert_int_equal(p11_key_generate(sa, &g3, &other), 0);
	assert_int_equal(p11_key_attrs(k, &a), 0);
	assert_true(a.extractable && a.sensitive);
	assert_int_equal(p11_key_public_pem(k, &pem), 0);
	assert_int_equal(p11_key_public_pem(other, &other_pem), 0);
	assert_int_equal(p11_key_import_aes(sa, aes, 31, &wa), CE_ERR_INVALID);
	assert_int_equal(p11_key_import_aes(sa, aes, 32, &wa), 0);
	/* A non-extractable key cannot be backed up. */
	assert_int_equal(p11_key_wrap(wa, plain, &blob, &blob_len), CE_ERR_INVALID);
	assert_int_equal(p11_key_wrap(wa, k, &blob, &blob_len), 0);
	assert_true(blob_len > 32);
	if (B->uri_b != NULL) {
		sb = user_session(B->uri_b, &tb);
	} else {
		/* One token only: restore in place after deleting the original. */
		snprintf(uri, sizeof(uri), "%s;object=backed-up;type=private", B->uri_a);
		assert_int_equal(p11_object_destroy(sa, uri), 0);
		snprintf(uri, sizeof(uri), "%s;object=backed-up;type=public", B->uri_a);
		assert_int_equal(p11_object_destroy(sa, uri), 0);
		p11_key_free(k);
		k = NULL;
		sb = sa;
	}
	assert_int_equal(p11_key_import_aes(sb, aes, 32, &wb), 0);
	secmem_free(aes);
	aes = NULL;
	memset(&u, 0, sizeof(u));
	u.type = P11_KEY_EC_P256;
	u.label = "backed-up";
	u.id = (const uint8_t *)"\xb0\x01";
	u.id_len = 2;
	u.extractable = 0;
	/* Failing twins: a tampered blob, and a public key that is not this key's;
	 * each leaves nothing behind. */
	blob[blob_len / 2] ^= 1;
	u.public_pem = pem;
	assert_true(p11_key_unwrap(sb, wb, blob, blob_len, &u, &restored) < 0);
	blob[blob_len / 2] ^= 1;
	u.public_pem = other_pem;
	r = p11_key_unwrap(sb, wb, blob, blob_len, &u, &restored);
	if (r != CE_ERR_VERIFY)
		print_error("unwrap with another public key: %s\n", ce_err_detail());
	assert_int_equal(r, CE_ERR_VERIFY);
	snprintf(uri, sizeof(uri), "%s;object=backed-up", B->uri_b ? B->uri_b : B->uri_a);
	assert_int_equal(p11_key_find(sb, uri, &restored), CE_ERR_NOT_FOUND);
	u.public_pem = pem;
	assert_int_equal(p11_key_unwrap(sb, wb, blob, blob_len, &u, &restored), 0);
	assert_int_equal(p11_key_attrs(restored, &a), 0);
	assert_true(a.token && a.private_ && a.sensitive && a.sign);
	assert_false(a.extractable);
	assert_string_equal(p11_key_label(restored), "backed-up");
	/* Label reuse on restore is refused too. */
	assert_int_equal(p11_key_unwrap(sb, wb, blob, blob_len, &u, &twice), CE_ERR_EXISTS);
	assert_null(twice);
	/* The restored key signs; A's public key verifies it (openssl CLI). */
	assert_int_equal(p11_key_sign(restored, P11_HASH_SHA256, (const uint8_t *)msg,
				      sizeof(msg) - 1, &sig, &sig_len), 0);
	write_file("a.pem", pem, strlen(pem));
	write_file("other.pem", other_pem, strlen(other_pem));
	write_file("rmsg", msg, sizeof(msg) - 1);
	write_file("rsig", sig, sig_len);
	assert_int_equal(openssl_verify(P11_KEY_EC_P256, "a.pem", "rmsg", "rsig"), 0);
	assert_int_not_equal(openssl_verify(P11_KEY_EC_P256, "other.pem", "rmsg", "rsig"), 0);
	free(sig);
	free(blob);
	free(pem);
	free(other_pem);
	p11_key_free(restored);
	p11_key_free(wb);
	p11_key_free(wa);
	p11_key_free(k);
	p11_key_free(plain);
	p11_key_free(other);
	if (sb != sa)
		end_session(sb, tb);
	end_session(sa, ta);
}

/* A token whose public half does not belong to the private key (as a
 * misbehaving HSM or a tampered object store would give): the signature is
 * made but refused, CE_ERR_VERIFY, never returned. */
static void test_sign_refuses_unverifiable(void **state)
{
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_key *k1 = NULL, *k2 = NULL, *mixed = NULL;
	struct p11_keygen g1 = { P11_KEY_EC_P256, "mm-1", (const uint8_t *)"\x71", 1, 0 };
	struct p11_keygen g2 = { P11_KEY_EC_P256, "mm-2", (const uint8_t *)"\x72", 1, 0 };
	char *pem = NULL;
	char uri[1024];
	uint8_t *sig = NULL;
	size_t sig_len = 0;

	(void)state;
	if (B->tool_module[0] == '\0')
		skip();
	s = user_session(B->uri_a, &tok);
	assert_int_equal(p11_key_generate(s, &g1, &k1), 0);
	assert_int_equal(p11_key_generate(s, &g2, &k2), 0);
	/* The twin that must pass: k1 signs and verifies. */
	assert_int_equal(p11_key_sign(k1, P11_HASH_SHA256, (const uint8_t *)"x", 1, &sig, &sig_len), 0);
	free(sig);
	sig = NULL;
	assert_int_equal(p11_key_public_pem(k2, &pem), 0);
	write_file("mm2.pem", pem, strlen(pem));
	snprintf(uri, sizeof(uri), "%s;id=%%71;type=public", B->uri_a);
	assert_int_equal(p11_object_destroy(s, uri), 0);
	assert_int_equal(sh("openssl pkey -pubin -in mm2.pem -outform DER -out mm2.der && "
			    "pkcs11-tool --module %s --token-label '%s' --login --pin '%s' "
			    "--write-object mm2.der --type pubkey --id 71 --label mm-1 >/dev/null 2>&1",
			    B->tool_module, B->label_a, B->user_pin), 0);
	snprintf(uri, sizeof(uri), "%s;id=%%71;type=private", B->uri_a);
	assert_int_equal(p11_key_find(s, uri, &mixed), 0);
	assert_int_equal(p11_key_sign(mixed, P11_HASH_SHA256, (const uint8_t *)"x", 1, &sig,
				      &sig_len), CE_ERR_VERIFY);
	assert_non_null(strstr(ce_err_detail(), "does not verify"));
	assert_null(sig);
	free(pem);
	p11_key_free(mixed);
	p11_key_free(k1);
	p11_key_free(k2);
	end_session(s, tok);
}

static void test_rv_names(void **state)
{
	(void)state;
	assert_string_equal(p11_rv_name(0xa0), "CKR_PIN_INCORRECT");
	assert_string_equal(p11_rv_name(0x7fffffffUL), "CKR_0x7fffffff");
	assert_int_equal(p11_rv_code(0xa4), CE_ERR_PIN); /* CKR_PIN_LOCKED */
	assert_int_equal(p11_rv_code(0xe0), CE_ERR_PKCS11); /* CKR_TOKEN_NOT_PRESENT */
	assert_true(strlen(p11_rv_advice(0xe0)) > 10);
	assert_true(strlen(p11_rv_advice(0x32)) > 10); /* CKR_DEVICE_REMOVED */
	assert_true(strlen(p11_rv_advice(0xb3)) > 10); /* CKR_SESSION_HANDLE_INVALID */
	assert_true(strlen(p11_rv_advice(0xa2)) > 10); /* CKR_PIN_LEN_RANGE */
	assert_int_equal(p11_rv_fail(0xa4, "C_Login", "token 'X'"), CE_ERR_PIN);
	assert_non_null(strstr(ce_err_detail(), "C_Login on token 'X': CKR_PIN_LOCKED: "));
}

static int suite_setup(void **state)
{
	int r;

	(void)state;
	r = p11_ctx_open(B->module, &CTX);
	if (r != 0)
		print_error("%s: %s\n", B->module, ce_err_detail());
	return r;
}

static int suite_teardown(void **state)
{
	(void)state;
	p11_ctx_free(CTX);
	CTX = NULL;
	return 0;
}

static int p11_suite_run(struct p11_backend *backend)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rv_names),
		cmocka_unit_test(test_token_init_in_place),
		cmocka_unit_test(test_module_path),
		cmocka_unit_test(test_uri_rules),
		cmocka_unit_test(test_ambiguous_token),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_login_failure_data),
		cmocka_unit_test(test_pin_generate),
		cmocka_unit_test(test_token_init_and_pin_rotation),
		cmocka_unit_test(test_keygen_refusals),
		cmocka_unit_test(test_keygen_sign),
		cmocka_unit_test(test_objects_and_destroy),
		cmocka_unit_test(test_wrap_unwrap),
		cmocka_unit_test(test_sign_refuses_unverifiable),
	};

	B = backend;
	return cmocka_run_group_tests_name(backend->name, tests, suite_setup, suite_teardown);
}

#endif
