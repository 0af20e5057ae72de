/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/run/seats.c: seating at attendance (checked by the
 * policy), choosing who acts and who witnesses a step without a terminal or
 * a token, an actor refused as their own witness (the policy's rule,
 * policy_check_step), retired seats. Each positive case has its failing
 * twin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/model/diag.h"
#include "ceremony/run/seats.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

static const char roster_text[] =
	"format: 1\n"
	"people:\n"
	"  - {id: alice, name: Alice, roles: [security-officer], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: sam, name: Sam, roles: [system-auditor], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: hugo, name: Hugo, roles: [hsm-administrator], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: hana, name: Hana, roles: [hsm-administrator, system-auditor], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: k1, name: K1, roles: [key-holder], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: k2, name: K2, roles: [key-holder], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: k3, name: K3, roles: [key-holder], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: old, name: Old, roles: [key-holder], vetting: 2020-01-10, training: 2026-01-10}\n";

static const char script_text[] =
	"format: 1\nname: T\nversion: \"1\"\nroster: r.yaml\n"
	"tokens: {main: \"pkcs11:token=Main\"}\n"
	"roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 2}\n"
	"secrets: {user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}}\n"
	"steps:\n"
	"  - {id: attendance, title: A, action: attendance, actors: [security-officer], witnesses: [system-auditor]}\n"
	"  - {id: login, title: L, action: quorum.login, with: {token: main, secret: user-pin},\n"
	"     actors: {key-holder: 2}, witnesses: [security-officer]}\n"
	"  - {id: keygen, title: K, action: key.generate,\n"
	"     with: {token: main, type: ed25519, label: k, id: \"01\"},\n"
	"     actors: [hsm-administrator], witnesses: [security-officer, system-auditor]}\n";

static struct roster *roster;
static struct script *script;
static struct roster_date today;

static int setup(void **state)
{
	(void)state;
	if (roster_load_mem("r.yaml", roster_text, strlen(roster_text), &roster, NULL) < 0)
		return -1;
	if (script_load_mem("s.yaml", script_text, strlen(script_text), &script, NULL) < 0)
		return -1;
	return roster_date_parse("2026-06-01", &today) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	roster_free(roster);
	script_free(script);
	return 0;
}

static const struct roster_person *who(const char *id)
{
	const struct roster_person *p = roster_person_find(roster, id);

	assert_non_null(p);
	return p;
}

static void sit(struct seats *ss, const char *id, enum role ro)
{
	assert_int_equal(seats_attendance_add(ss, who(id), ro), 0);
}

/* The five seats the script asks for. */
static void seat_all(struct seats *ss)
{
	seats_init(ss);
	sit(ss, "alice", ROLE_SECURITY_OFFICER);
	sit(ss, "sam", ROLE_SYSTEM_AUDITOR);
	sit(ss, "hugo", ROLE_HSM_ADMINISTRATOR);
	sit(ss, "k1", ROLE_KEY_HOLDER);
	sit(ss, "k2", ROLE_KEY_HOLDER);
}

static int has_msg(const struct diag *d, const char *frag)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->items[i].severity == DIAG_ERROR && strstr(d->items[i].msg, frag) != NULL)
			return 1;
	for (i = 0; i < d->n; i++)
		fprintf(stderr, "  have %s\n", d->items[i].msg);
	return 0;
}

static void test_attendance(void **state)
{
	struct seats ss;
	struct diag d;

	(void)state;
	seat_all(&ss);
	diag_init(&d);
	assert_int_equal(seats_attendance_check(&ss, script, roster, &today, &d), 0);
	diag_free(&d);
	/* twin: a person in a role not granted to them (policy 4.2.3) */
	seats_attendance_clear(&ss);
	assert_int_equal(ss.natt, 0);
	sit(&ss, "hugo", ROLE_SECURITY_OFFICER);
	sit(&ss, "sam", ROLE_SYSTEM_AUDITOR);
	sit(&ss, "hana", ROLE_HSM_ADMINISTRATOR);
	sit(&ss, "k1", ROLE_KEY_HOLDER);
	sit(&ss, "k2", ROLE_KEY_HOLDER);
	diag_init(&d);
	assert_int_equal(seats_attendance_check(&ss, script, roster, &today, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "hugo"));
	diag_free(&d);
	/* twin: a key holder whose vetting is stale (policy 4.3.2) */
	seat_all(&ss);
	ss.att[4].person = who("old");
	diag_init(&d);
	assert_int_equal(seats_attendance_check(&ss, script, roster, &today, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "old"));
	diag_free(&d);
}

static void test_attendance_bounds_and_presence(void **state)
{
	struct seats ss;
	size_t i;

	(void)state;
	seats_init(&ss);
	sit(&ss, "hana", ROLE_HSM_ADMINISTRATOR);
	sit(&ss, "sam", ROLE_SYSTEM_AUDITOR);
	sit(&ss, "hana", ROLE_SYSTEM_AUDITOR);
	/* a person in two roles confirms presence once: at their first seat */
	assert_int_equal(seats_attendance_first(&ss, 0), 1);
	assert_int_equal(seats_attendance_first(&ss, 1), 1);
	assert_int_equal(seats_attendance_first(&ss, 2), 0);
	assert_int_equal(seats_seated_in(&ss, ROLE_SYSTEM_AUDITOR), 2);
	assert_int_equal(seats_seated_in(&ss, ROLE_KEY_HOLDER), 0);
	/* seats are bounded */
	for (i = ss.natt; i < SEATS_MAX; i++)
		sit(&ss, "k1", ROLE_KEY_HOLDER);
	assert_int_equal(seats_attendance_add(&ss, who("k2"), ROLE_KEY_HOLDER), CE_ERR_TOO_LARGE);
	assert_int_equal(ss.natt, SEATS_MAX);
}

static void test_choose_without_asking(void **state)
{
	const struct script_step *st = script_step_find(script, "login");
	const struct run_seat *hs[4];
	struct seats ss;

	(void)state;
	seat_all(&ss);
	/* two key holders seated, two needed: nothing to choose */
	assert_int_equal(seats_side_need(st, SEATS_ACTORS, ROLE_KEY_HOLDER), 2);
	assert_int_equal(seats_side_fill_all(&ss, st, SEATS_ACTORS, ROLE_KEY_HOLDER), 1);
	assert_int_equal(ss.nactors, 2);
	assert_int_equal(seats_actors_in(&ss, ROLE_KEY_HOLDER, hs, 4), 2);
	assert_string_equal(hs[0]->person->id, "k1");
	assert_string_equal(hs[1]->person->id, "k2");
	/* at most max copied, the count still told */
	assert_int_equal(seats_actors_in(&ss, ROLE_KEY_HOLDER, hs, 1), 2);
	assert_int_equal(seats_actors_in(&ss, ROLE_SECURITY_OFFICER, hs, 4), 0);
	/* twin: three seated for two places: someone must choose */
	seat_all(&ss);
	sit(&ss, "k3", ROLE_KEY_HOLDER);
	assert_int_equal(seats_side_fill_all(&ss, st, SEATS_ACTORS, ROLE_KEY_HOLDER), 0);
	assert_int_equal(ss.nactors, 0);
}

static void test_choose_by_id(void **state)
{
	const struct script_step *st = script_step_find(script, "login");
	struct seats ss;
	struct diag d;
	char list[64];

	(void)state;
	seat_all(&ss);
	sit(&ss, "k3", ROLE_KEY_HOLDER);
	seats_ids_in(&ss, ROLE_KEY_HOLDER, list, sizeof(list));
	assert_string_equal(list, "k1, k2, k3");
	seats_ids_in(&ss, ROLE_KEY_HOLDER, list, 8);
	assert_string_equal(list, "k1, ...");
	assert_int_equal(seats_side_add(&ss, SEATS_ACTORS, ROLE_KEY_HOLDER, "k3"), 0);
	assert_int_equal(seats_side_add(&ss, SEATS_ACTORS, ROLE_KEY_HOLDER, "k1"), 0);
	assert_int_equal(seats_side_add(&ss, SEATS_WITNESSES, ROLE_SECURITY_OFFICER, "alice"), 0);
	diag_init(&d);
	assert_int_equal(seats_step_check(&ss, st, &d), 0);
	diag_free(&d);
	/* twins: a person seated in another role, a person not seated at all */
	assert_int_equal(seats_side_add(&ss, SEATS_ACTORS, ROLE_KEY_HOLDER, "sam"), CE_ERR_NOT_FOUND);
	assert_non_null(strstr(ce_err_detail(), "'sam' is not seated as key-holder"));
	assert_int_equal(seats_side_add(&ss, SEATS_WITNESSES, ROLE_SECURITY_OFFICER, "hugo"),
			 CE_ERR_NOT_FOUND);
	assert_int_equal(ss.nactors, 2);
	assert_int_equal(ss.nwits, 1);
	/* twin: the same key holder twice is not two actors */
	seats_side_clear(&ss, SEATS_ACTORS);
	assert_int_equal(ss.nwits, 1);
	assert_int_equal(seats_side_add(&ss, SEATS_ACTORS, ROLE_KEY_HOLDER, "k1"), 0);
	assert_int_equal(seats_side_add(&ss, SEATS_ACTORS, ROLE_KEY_HOLDER, "k1"), 0);
	diag_init(&d);
	assert_int_equal(seats_step_check(&ss, st, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "k1 appears twice among the actors (policy 5.2.1)"));
	diag_free(&d);
}

static void test_actor_never_witnesses(void **state)
{
	const struct script_step *st = script_step_find(script, "keygen");
	struct seats ss;
	struct diag d;

	(void)state;
	seats_init(&ss);
	sit(&ss, "alice", ROLE_SECURITY_OFFICER);
	sit(&ss, "hana", ROLE_SYSTEM_AUDITOR);
	sit(&ss, "hana", ROLE_HSM_ADMINISTRATOR);
	sit(&ss, "sam", ROLE_SYSTEM_AUDITOR);
	/* hana acts as HSM administrator, sam witnesses as auditor */
	assert_int_equal(seats_side_fill_all(&ss, st, SEATS_ACTORS, ROLE_HSM_ADMINISTRATOR), 1);
	assert_int_equal(seats_side_fill_all(&ss, st, SEATS_WITNESSES, ROLE_SECURITY_OFFICER), 1);
	assert_int_equal(seats_side_fill_all(&ss, st, SEATS_WITNESSES, ROLE_SYSTEM_AUDITOR), 0);
	assert_int_equal(seats_side_add(&ss, SEATS_WITNESSES, ROLE_SYSTEM_AUDITOR, "sam"), 0);
	diag_init(&d);
	assert_int_equal(seats_step_check(&ss, st, &d), 0);
	diag_free(&d);
	/* twin: hana would witness, as auditor, the step she acts in */
	seats_side_clear(&ss, SEATS_WITNESSES);
	assert_int_equal(ss.nactors, 1);
	assert_int_equal(seats_side_add(&ss, SEATS_WITNESSES, ROLE_SECURITY_OFFICER, "alice"), 0);
	assert_int_equal(seats_side_add(&ss, SEATS_WITNESSES, ROLE_SYSTEM_AUDITOR, "hana"), 0);
	diag_init(&d);
	assert_int_equal(seats_step_check(&ss, st, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "hana cannot witness a step they act in (policy 5.2.1)"));
	diag_free(&d);
	/* and a witness short is refused too */
	seats_side_clear(&ss, SEATS_WITNESSES);
	assert_int_equal(seats_side_add(&ss, SEATS_WITNESSES, ROLE_SECURITY_OFFICER, "alice"), 0);
	diag_init(&d);
	assert_int_equal(seats_step_check(&ss, st, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "needs 1 system-auditor witnessing, has 0"));
	diag_free(&d);
	seats_step_clear(&ss);
	assert_int_equal(ss.nactors + ss.nwits, 0);
	assert_int_equal(ss.natt, 4);
}

static void test_retire(void **state)
{
	const struct script_step *st = script_step_find(script, "login");
	struct seats ss;

	(void)state;
	seat_all(&ss);
	sit(&ss, "k3", ROLE_KEY_HOLDER);
	assert_non_null(seats_find(&ss, "k1", ROLE_KEY_HOLDER));
	assert_null(seats_find(&ss, "k1", ROLE_SECURITY_OFFICER));
	assert_int_equal(seats_retire(&ss, who("k1"), ROLE_KEY_HOLDER), 1);
	assert_null(seats_find(&ss, "k1", ROLE_KEY_HOLDER));
	assert_int_equal(ss.natt, 5);
	/* the retired key holder cannot act any more; the two left need no choice */
	assert_int_equal(seats_side_add(&ss, SEATS_ACTORS, ROLE_KEY_HOLDER, "k1"), CE_ERR_NOT_FOUND);
	assert_int_equal(seats_side_fill_all(&ss, st, SEATS_ACTORS, ROLE_KEY_HOLDER), 1);
	assert_string_equal(ss.actors[0].person->id, "k2");
	assert_string_equal(ss.actors[1].person->id, "k3");
	/* twin: nothing to retire */
	assert_int_equal(seats_retire(&ss, who("k1"), ROLE_KEY_HOLDER), 0);
	assert_int_equal(seats_retire(&ss, who("alice"), ROLE_KEY_HOLDER), 0);
	assert_int_equal(ss.natt, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attendance),
		cmocka_unit_test(test_attendance_bounds_and_presence),
		cmocka_unit_test(test_choose_without_asking),
		cmocka_unit_test(test_choose_by_id),
		cmocka_unit_test(test_actor_never_witnesses),
		cmocka_unit_test(test_retire),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
