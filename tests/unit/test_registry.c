/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/run/registry.c, the share registry: add and look
 * up, a share issued twice, a set voided by a later issuance, a share of an
 * unknown set, the commitment check, one PIN derivation per set. Each
 * positive case has its failing twin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/run/registry.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

static const char mn_alice[] = "academic acid acrobat romp chubby";
static const char mn_bob[] = "academic acid beard romp chubby";

/* A share of secret `secret`, set `set`, (g, m) for holder, committed to
 * mnemonic with a salt made of byte `salt`. */
static struct registry_share share(const char *secret, const char *set, unsigned g, unsigned m,
				   const char *holder, const char *mnemonic, uint8_t salt,
				   unsigned generation)
{
	struct registry_share e;

	memset(&e, 0, sizeof(e));
	e.secret_name = (char *)secret;
	e.holder = (char *)holder;
	snprintf(e.set, sizeof(e.set), "%s", set);
	e.group = g;
	e.member = m;
	memset(e.salt, salt, sizeof(e.salt));
	assert_int_equal(registry_commit(e.salt, mnemonic, e.commitment), 0);
	e.generation = generation;
	return e;
}

/* One issuance of user-pin, set 1234: alice 1/1, bob 1/2. */
static void issue_first(struct registry *g, unsigned *gen)
{
	struct registry_share a, b;

	*gen = registry_generation_next(g);
	a = share("user-pin", "1234", 1, 1, "alice", mn_alice, 1, *gen);
	b = share("user-pin", "1234", 1, 2, "bob", mn_bob, 2, *gen);
	assert_int_equal(registry_add(g, &a), 0);
	assert_int_equal(registry_add(g, &b), 0);
}

static void test_add_and_lookup(void **state)
{
	struct registry g;
	const struct registry_share *e;
	unsigned gen;

	(void)state;
	registry_init(&g);
	assert_null(registry_current(&g, "user-pin"));
	issue_first(&g, &gen);
	assert_int_equal(g.n, 2);
	/* by set, group and member */
	e = registry_find(&g, "user-pin", "1234", 1, 2);
	assert_non_null(e);
	assert_string_equal(e->holder, "bob");
	/* twin: a member never issued, another secret, another set */
	assert_null(registry_find(&g, "user-pin", "1234", 1, 3));
	assert_null(registry_find(&g, "so-pin", "1234", 1, 1));
	assert_null(registry_find(&g, "user-pin", "4321", 1, 1));
	/* by set */
	assert_non_null(registry_set_find(&g, "user-pin", "1234"));
	assert_null(registry_set_find(&g, "user-pin", "999"));
	/* by holder, in the current set */
	e = registry_holder_find(&g, "user-pin", "alice");
	assert_non_null(e);
	assert_int_equal(e->member, 1);
	assert_null(registry_holder_find(&g, "user-pin", "carol"));
	assert_null(registry_holder_find(&g, "so-pin", "alice"));
	/* the current set */
	e = registry_current(&g, "user-pin");
	assert_non_null(e);
	assert_string_equal(e->set, "1234");
	assert_int_equal(registry_is_void(&g, e), 0);
	/* the strings were copied */
	assert_true(e->secret_name != NULL && strcmp(e->secret_name, "user-pin") == 0);
	registry_free(&g);
	assert_int_equal(g.n, 0);
	registry_free(&g); /* twice is harmless */
	registry_free(NULL);
}

static void test_duplicate_refused(void **state)
{
	struct registry g;
	struct registry_share again, other;
	unsigned gen;

	(void)state;
	registry_init(&g);
	issue_first(&g, &gen);
	/* the same (secret, set, group, member) again, even to another holder */
	again = share("user-pin", "1234", 1, 2, "carol", mn_bob, 3, gen);
	assert_int_equal(registry_add(&g, &again), CE_ERR_DUPLICATE);
	assert_non_null(strstr(ce_err_detail(), "share 2, group 1, set 1234 of user-pin is issued twice"));
	assert_non_null(strstr(ce_err_detail(), "to bob and to carol"));
	assert_int_equal(g.n, 2);
	/* twin: the same place in another secret's set is not a duplicate */
	other = share("so-pin", "1234", 1, 2, "carol", mn_bob, 3, registry_generation_next(&g));
	assert_int_equal(registry_add(&g, &other), 0);
	assert_int_equal(g.n, 3);
	registry_free(&g);
}

/* A set's shares record one PIN derivation: a share of the set recording
 * another (or none) is refused; twin: the same derivation is accepted, and
 * a set issued before derived PINs ("") keeps "". */
static void test_one_derivation_per_set(void **state)
{
	struct registry g;
	struct registry_share a, b;
	unsigned gen;

	(void)state;
	registry_init(&g);
	gen = registry_generation_next(&g);
	a = share("user-pin", "77", 1, 1, "alice", mn_alice, 1, gen);
	snprintf(a.pin_derivation, sizeof(a.pin_derivation), "hkdf-sha256-v1 typeable 24");
	assert_int_equal(registry_add(&g, &a), 0);
	b = share("user-pin", "77", 1, 2, "bob", mn_bob, 2, gen);
	snprintf(b.pin_derivation, sizeof(b.pin_derivation), "hkdf-sha256-v1 digits 8");
	assert_int_equal(registry_add(&g, &b), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "records the PIN derivation 'hkdf-sha256-v1 "
						"digits 8', another share of its set "
						"'hkdf-sha256-v1 typeable 24'"));
	b.pin_derivation[0] = '\0';
	assert_int_equal(registry_add(&g, &b), CE_ERR_INVALID);
	snprintf(b.pin_derivation, sizeof(b.pin_derivation), "hkdf-sha256-v1 typeable 24");
	assert_int_equal(registry_add(&g, &b), 0);
	assert_string_equal(registry_current(&g, "user-pin")->pin_derivation,
			    "hkdf-sha256-v1 typeable 24");
	/* an older set: no derivation, the secret is the PIN */
	issue_first(&g, &gen);
	assert_string_equal(registry_current(&g, "user-pin")->pin_derivation, "");
	registry_free(&g);
}

static void test_invalid_refused(void **state)
{
	struct registry g;
	struct registry_share e;

	(void)state;
	registry_init(&g);
	e = share("user-pin", "1234", 0, 1, "alice", mn_alice, 1, 1);
	assert_int_equal(registry_add(&g, &e), CE_ERR_INVALID);
	e = share("user-pin", "1234", 1, 17, "alice", mn_alice, 1, 1);
	assert_int_equal(registry_add(&g, &e), CE_ERR_INVALID);
	e = share("user-pin", "", 1, 1, "alice", mn_alice, 1, 1);
	assert_int_equal(registry_add(&g, &e), CE_ERR_INVALID);
	e = share("user-pin", "1234", 1, 1, "", mn_alice, 1, 1);
	assert_int_equal(registry_add(&g, &e), CE_ERR_INVALID);
	e = share("user-pin", "1234", 1, 1, "alice", mn_alice, 1, 0);
	assert_int_equal(registry_add(&g, &e), CE_ERR_INVALID);
	assert_int_equal(g.n, 0);
	/* twin: the same with every field in range */
	e = share("user-pin", "1234", 16, 16, "alice", mn_alice, 1, 1);
	assert_int_equal(registry_add(&g, &e), 0);
	registry_free(&g);
}

static void test_void_by_later_issuance(void **state)
{
	struct registry g;
	struct registry_share a2;
	const struct registry_share *old;
	char why[256];
	unsigned gen, gen2;

	(void)state;
	registry_init(&g);
	issue_first(&g, &gen);
	old = registry_find(&g, "user-pin", "1234", 1, 1);
	assert_int_equal(registry_is_void(&g, old), 0);
	/* before the reshare, alice's share is good */
	assert_int_equal(registry_share_check(&g, "user-pin", "1234", 1, 1, "alice", mn_alice, why,
					      sizeof(why)),
			 0);
	/* a later issuance (a reshare) replaces set 1234 */
	gen2 = registry_generation_next(&g);
	assert_true(gen2 > gen);
	a2 = share("user-pin", "777", 1, 1, "alice", mn_bob, 9, gen2);
	assert_int_equal(registry_add(&g, &a2), 0);
	assert_string_equal(registry_current(&g, "user-pin")->set, "777");
	old = registry_find(&g, "user-pin", "1234", 1, 1);
	assert_int_equal(registry_is_void(&g, old), 1);
	assert_int_equal(registry_share_check(&g, "user-pin", "1234", 1, 1, "alice", mn_alice, why,
					      sizeof(why)),
			 CE_ERR_VERIFY);
	assert_string_equal(why, "set 1234 of user-pin was replaced by set 777: these shares are void");
	/* the holder lookup follows the current set */
	assert_string_equal(registry_holder_find(&g, "user-pin", "alice")->set, "777");
	assert_null(registry_holder_find(&g, "user-pin", "bob"));
	/* twin: the new share is accepted */
	assert_int_equal(registry_share_check(&g, "user-pin", "777", 1, 1, "alice", mn_bob, why,
					      sizeof(why)),
			 0);
	registry_free(&g);
}

static void test_unknown_set(void **state)
{
	struct registry g;
	char why[256];
	unsigned gen;

	(void)state;
	registry_init(&g);
	issue_first(&g, &gen);
	assert_int_equal(registry_share_check(&g, "user-pin", "4321", 1, 1, "alice", mn_alice, why,
					      sizeof(why)),
			 CE_ERR_VERIFY);
	assert_string_equal(why, "set 4321 is not a share set of user-pin (its shares are of set 1234)");
	/* a set of another secret is not a set of this one */
	assert_int_equal(registry_share_check(&g, "so-pin", "1234", 1, 1, "alice", mn_alice, why,
					      sizeof(why)),
			 CE_ERR_VERIFY);
	assert_string_equal(why, "set 1234 is not a share set of so-pin");
	/* twin: the known set */
	assert_int_equal(registry_share_check(&g, "user-pin", "1234", 1, 1, "alice", mn_alice, why,
					      sizeof(why)),
			 0);
	registry_free(&g);
}

static void test_check_failing_twins(void **state)
{
	struct registry g;
	char why[256];
	unsigned gen;

	(void)state;
	registry_init(&g);
	issue_first(&g, &gen);
	/* the right holder with the right share */
	assert_int_equal(registry_share_check(&g, "user-pin", "1234", 1, 2, "bob", mn_bob, why,
					      sizeof(why)),
			 0);
	/* another holder presents bob's share */
	assert_int_equal(registry_share_check(&g, "user-pin", "1234", 1, 2, "alice", mn_bob, why,
					      sizeof(why)),
			 CE_ERR_VERIFY);
	assert_string_equal(why, "it was issued to bob, not alice");
	/* a member that was never issued */
	assert_int_equal(registry_share_check(&g, "user-pin", "1234", 1, 3, "bob", mn_bob, why,
					      sizeof(why)),
			 CE_ERR_VERIFY);
	assert_string_equal(why, "share 3, group 1, set 1234 was never issued");
	/* bob at his place with other words: the commitment does not match */
	assert_int_equal(registry_share_check(&g, "user-pin", "1234", 1, 2, "bob", mn_alice, why,
					      sizeof(why)),
			 CE_ERR_VERIFY);
	assert_string_equal(why, "this is not the share issued to bob (commitment does not match)");
	registry_free(&g);
}

/* One name for a share (shares_ui_share_name); the member count left out
 * when unknown, never a number made up. */
static void test_share_name(void **state)
{
	char buf[128];

	(void)state;
	registry_share_name(buf, sizeof(buf), 2, 3, 1, 2, "3372");
	assert_string_equal(buf, "share 2 of 3, group 1 of 2, set 3372");
	registry_share_name(buf, sizeof(buf), 2, 0, 1, 2, "3372");
	assert_string_equal(buf, "share 2, group 1 of 2, set 3372");
	registry_share_name(buf, sizeof(buf), 16, 16, 16, 16, "32767");
	assert_string_equal(buf, "share 16 of 16, group 16 of 16, set 32767");
}

static void test_commit(void **state)
{
	uint8_t salt[REGISTRY_SALT_BYTES], c1[REGISTRY_COMMITMENT_BYTES],
		c2[REGISTRY_COMMITMENT_BYTES];

	(void)state;
	memset(salt, 7, sizeof(salt));
	assert_int_equal(registry_commit(salt, mn_alice, c1), 0);
	assert_int_equal(registry_commit(salt, mn_alice, c2), 0);
	assert_memory_equal(c1, c2, sizeof(c1));
	/* twins: another salt, another mnemonic */
	salt[0] = 8;
	assert_int_equal(registry_commit(salt, mn_alice, c2), 0);
	assert_memory_not_equal(c1, c2, sizeof(c1));
	salt[0] = 7;
	assert_int_equal(registry_commit(salt, mn_bob, c2), 0);
	assert_memory_not_equal(c1, c2, sizeof(c1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_lookup),
		cmocka_unit_test(test_duplicate_refused),
		cmocka_unit_test(test_invalid_refused),
		cmocka_unit_test(test_void_by_later_issuance),
		cmocka_unit_test(test_unknown_set),
		cmocka_unit_test(test_check_failing_twins),
		cmocka_unit_test(test_commit),
		cmocka_unit_test(test_one_derivation_per_set),
		cmocka_unit_test(test_share_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
