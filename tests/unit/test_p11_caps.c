/* SPDX-License-Identifier: Apache-2.0 */
/* p11_token_caps (pkcs11/p11_caps.c) on SoftHSM: the mechanism list with
 * sizes and flags, token info and flags, on an initialised token and on the
 * blank slot SoftHSM keeps free; lookups by name; and a module that hides
 * mechanisms (tests/faultmod) is believed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/err.h"
#include "pkcs11/p11.h"
#include "tests/unit/helper_p11raw.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "CapsTest"

static char dir[256];

static int caps_of(const char *module, const char *uri, int blank, struct p11_ctx **ctx,
		   struct p11_token **tok, struct p11_caps **c)
{
	int r = p11_ctx_open(module, ctx);

	if (r == 0)
		r = blank ? p11_token_find_blank(*ctx, uri, tok) : p11_token_find(*ctx, uri, tok);
	if (r == 0)
		r = p11_token_caps(*tok, c);
	return r;
}

static void caps_done(struct p11_ctx *ctx, struct p11_token *tok, struct p11_caps *c)
{
	p11_caps_free(c);
	p11_token_free(tok);
	p11_ctx_free(ctx);
}

static void test_initialised_token(void **state)
{
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_caps *c = NULL;
	const struct p11_mech *m;
	char buf[256];

	(void)state;
	assert_int_equal(caps_of(P11RAW_SOFTHSM, "pkcs11:token=" TOKEN, 0, &ctx, &tok, &c), 0);
	assert_true(c->mechs_reported);
	assert_true(c->nmechs > 10);
	assert_string_equal(c->info.label, TOKEN);
	assert_true(c->info.flags & P11_TOKEN_RNG);
	assert_true(c->info.flags & P11_TOKEN_INITIALIZED);
	assert_true(c->info.flags & P11_TOKEN_LOGIN_REQUIRED);
	assert_true(c->info.flags & P11_TOKEN_USER_PIN_INITIALIZED);
	assert_false(c->info.flags & P11_TOKEN_WRITE_PROTECTED);
	assert_false(c->info.flags & P11_TOKEN_PROTECTED_AUTH_PATH);
	assert_true(c->info.min_pin_len >= 4);
	assert_true(c->info.max_pin_len >= 64);
	p11_token_flags_str(c->info.flags, buf, sizeof(buf));
	assert_non_null(strstr(buf, "rng"));
	assert_non_null(strstr(buf, "token_initialized"));

	/* EC key generation: sizes in bits, the EC parameter flags */
	m = p11_caps_mech(c, "CKM_EC_KEY_PAIR_GEN");
	assert_non_null(m);
	assert_true(m->flags & P11_MECH_GENERATE_KEY_PAIR);
	assert_true(m->flags & P11_MECH_EC_NAMEDCURVE);
	assert_true(m->min_key <= 256 && m->max_key >= 521);
	/* the older name of the same mechanism finds it too */
	assert_ptr_equal(p11_caps_mech(c, "CKM_ECDSA_KEY_PAIR_GEN"), m);
	assert_true(p11_caps_mech_can(c, "CKM_EC_KEY_PAIR_GEN", P11_MECH_GENERATE_KEY_PAIR, 384));
	assert_false(p11_caps_mech_can(c, "CKM_EC_KEY_PAIR_GEN", P11_MECH_GENERATE_KEY_PAIR, 8));
	assert_false(p11_caps_mech_can(c, "CKM_EC_KEY_PAIR_GEN", P11_MECH_WRAP, 0));
	p11_mech_flags_str(m->flags, buf, sizeof(buf));
	assert_non_null(strstr(buf, "generate_key_pair"));
	assert_non_null(strstr(buf, "ec_named_curve"));

	assert_true(p11_caps_mech_can(c, "CKM_RSA_PKCS_KEY_PAIR_GEN", P11_MECH_GENERATE_KEY_PAIR,
				      4096));
	assert_true(p11_caps_mech_can(c, "CKM_ECDSA", P11_MECH_SIGN | P11_MECH_VERIFY, 0));
	assert_true(p11_caps_mech_can(c, "CKM_SHA256_RSA_PKCS", P11_MECH_SIGN, 2048));
	assert_true(p11_caps_mech_can(c, "CKM_RSA_PKCS", P11_MECH_SIGN, 2048));
	assert_true(p11_caps_mech_can(c, "CKM_AES_KEY_WRAP_PAD", P11_MECH_WRAP | P11_MECH_UNWRAP,
				      0));
	assert_true(p11_caps_mech_can(c, "CKM_SHA256", P11_MECH_DIGEST, 0));
	assert_true(p11_caps_mech_can(c, "CKM_AES_KEY_GEN", P11_MECH_GENERATE, 32));
	assert_true(p11_caps_mech_can(c, "CKM_AES_CBC", P11_MECH_ENCRYPT | P11_MECH_DECRYPT, 0));
	/* unknown names and mechanisms not listed */
	assert_null(p11_caps_mech(c, "CKM_NO_SUCH_THING"));
	assert_false(p11_caps_mech_can(c, "CKM_NO_SUCH_THING", 0, 0));
	p11_mech_flags_str(0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	caps_done(ctx, tok, c);
}

/* SoftHSM's free slot: not initialised, mechanisms listed all the same. */
static void test_blank_token(void **state)
{
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_caps *c = NULL;

	(void)state;
	assert_int_equal(caps_of(P11RAW_SOFTHSM, "pkcs11:model=SoftHSM%20v2", 1, &ctx, &tok, &c),
			 0);
	assert_false(c->info.flags & P11_TOKEN_INITIALIZED);
	assert_false(c->info.flags & P11_TOKEN_USER_PIN_INITIALIZED);
	assert_true(c->mechs_reported);
	assert_true(p11_caps_mech_can(c, "CKM_EC_KEY_PAIR_GEN", P11_MECH_GENERATE_KEY_PAIR, 256));
	caps_done(ctx, tok, c);
}

/* A module that hides EC key generation and AES key wrap with padding: the
 * caps say so (the preflight's MISSING comes from here). */
static void test_hidden_mechanisms(void **state)
{
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_caps *c = NULL;
	char self[PATH_MAX], fm[PATH_MAX + 32];

	(void)state;
	assert_non_null(realpath("/proc/self/exe", self));
	snprintf(fm, sizeof(fm), "%s/libfaultmod.so", dirname(self));
	setenv("FAULTMOD_MODULE", P11RAW_SOFTHSM, 1);
	setenv("FAULTMOD_HIDE_MECHS", "0x1040,0x210a", 1);
	assert_int_equal(caps_of(fm, "pkcs11:token=" TOKEN, 0, &ctx, &tok, &c), 0);
	assert_null(p11_caps_mech(c, "CKM_EC_KEY_PAIR_GEN"));
	assert_null(p11_caps_mech(c, "CKM_AES_KEY_WRAP_PAD"));
	assert_non_null(p11_caps_mech(c, "CKM_ECDSA"));
	assert_true(p11_caps_mech_can(c, "CKM_AES_KEY_WRAP", P11_MECH_WRAP, 0));
	caps_done(ctx, tok, c);
	unsetenv("FAULTMOD_HIDE_MECHS");
}

static int setup(void **state)
{
	(void)state;
	return p11raw_token_new(TOKEN, dir, sizeof(dir));
}

static int teardown(void **state)
{
	(void)state;
	p11raw_token_rm(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initialised_token),
		cmocka_unit_test(test_blank_token),
		cmocka_unit_test(test_hidden_mechanisms),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
