/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/policy/policy.c: forbidden pairs, vetting and training
 * boundaries, attendance, steps (actor never witness), quorums, lint
 * feasibility. Each positive case has its failing twin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/model/diag.h"
#include "ceremony/policy/policy.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

static const char roster_text[] =
	"format: 1\n"
	"people:\n"
	"  - {id: alice, name: Alice, roles: [security-officer], vetting: 2024-11-27, training: 2026-01-10}\n"
	"  - {id: sam, name: Sam, roles: [system-auditor], vetting: 2026-01-10, training: 2025-11-27}\n"
	"  - {id: hugo, name: Hugo, roles: [hsm-administrator], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: hana, name: Hana, roles: [hsm-administrator, system-auditor], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: k1, name: K1, roles: [key-holder], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: k2, name: K2, roles: [key-holder], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: k3, name: K3, roles: [key-holder], vetting: 2026-01-10, training: 2026-01-10}\n"
	"  - {id: leap, name: Leap, roles: [key-holder], vetting: 2026-01-10, training: 2024-02-29}\n";

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

static int setup(void **state)
{
	(void)state;
	if (roster_load_mem("r.yaml", roster_text, strlen(roster_text), &roster, NULL) < 0)
		return -1;
	if (script_load_mem("s.yaml", script_text, strlen(script_text), &script, NULL) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	roster_free(roster);
	script_free(script);
	return 0;
}

static struct roster_date day(const char *s)
{
	struct roster_date d;

	assert_int_equal(roster_date_parse(s, &d), 0);
	return d;
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

static struct policy_seat seat(const char *id, enum role r)
{
	struct policy_seat s;

	s.person = roster_person_find(roster, id);
	s.person_id = id;
	s.role = r;
	return s;
}

static void test_forbidden_pairs(void **state)
{
	static const struct { enum role a, b; const char *text; } pairs[] = {
		{ ROLE_SECURITY_OFFICER, ROLE_SYSTEM_ADMINISTRATOR, "[security-officer, system-administrator]" },
		{ ROLE_SECURITY_OFFICER, ROLE_HSM_ADMINISTRATOR, "[security-officer, hsm-administrator]" },
		{ ROLE_SYSTEM_OPERATOR, ROLE_SYSTEM_ADMINISTRATOR, "[system-operator, system-administrator]" },
		{ ROLE_SYSTEM_OPERATOR, ROLE_HSM_ADMINISTRATOR, "[system-operator, hsm-administrator]" },
	};
	struct roster_date today = day("2026-11-27");
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		char text[512], want[128];
		struct roster *r = NULL;
		struct diag d;

		assert_true(policy_pair_forbidden(roster, pairs[i].a, pairs[i].b));
		assert_true(policy_pair_forbidden(roster, pairs[i].b, pairs[i].a));
		snprintf(text, sizeof(text),
			 "format: 1\npeople:\n  - {id: pat, name: Pat, roles: %s, vetting: 2026-01-01, training: 2026-01-01}\n",
			 pairs[i].text);
		assert_int_equal(roster_load_mem("p.yaml", text, strlen(text), &r, NULL), 0);
		diag_init(&d);
		assert_int_equal(policy_check_roster_for(r, &today, 0, &d), CE_ERR_POLICY);
		snprintf(want, sizeof(want), "policy 4.2.4: pat (Pat) holds %s and %s",
			 role_name(pairs[i].a), role_name(pairs[i].b));
		assert_true(has_msg(&d, want));
		assert_int_equal(d.items[0].line, 3);
		assert_int_equal(d.items[0].col, 33);
		diag_free(&d);
		roster_free(r);
	}
	/* allowed combinations */
	assert_false(policy_pair_forbidden(roster, ROLE_SECURITY_OFFICER, ROLE_SYSTEM_AUDITOR));
	assert_false(policy_pair_forbidden(roster, ROLE_HSM_ADMINISTRATOR, ROLE_SYSTEM_ADMINISTRATOR));
	assert_false(policy_pair_forbidden(roster, ROLE_KEY_HOLDER, ROLE_SYSTEM_AUDITOR));
	assert_false(policy_set_conflict(roster, ROLE_BIT(ROLE_HSM_ADMINISTRATOR) | ROLE_BIT(ROLE_SYSTEM_AUDITOR), NULL));
}

static void test_vetting_boundary(void **state)
{
	const struct roster_person *alice = roster_person_find(roster, "alice");
	struct roster_date ok = day("2026-11-27"), stale = day("2026-11-28");
	struct diag d;

	(void)state;
	/* vetted 2024-11-27: exactly 2 years on 2026-11-27 is still valid */
	assert_true(policy_person_eligible(roster, alice, &ok));
	assert_false(policy_person_eligible(roster, alice, &stale));
	diag_init(&d);
	assert_int_equal(policy_check_roster_for(roster, &ok, ROLE_BIT(ROLE_SECURITY_OFFICER), &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1); /* goes stale within 30 days */
	diag_free(&d);
	diag_init(&d);
	assert_int_equal(policy_check_roster_for(roster, &stale, ROLE_BIT(ROLE_SECURITY_OFFICER), &d),
			 CE_ERR_POLICY);
	assert_true(has_msg(&d, "policy 4.3.2: alice's vetting is older than 2y (valid until 2026-11-27)"));
	diag_free(&d);
}

static void test_training_boundary(void **state)
{
	const struct roster_person *sam = roster_person_find(roster, "sam");
	const struct roster_person *leap = roster_person_find(roster, "leap");
	struct roster_date ok = day("2026-11-27"), stale = day("2026-11-28");
	struct diag d;

	(void)state;
	/* trained 2025-11-27: exactly 1 year on 2026-11-27 is still valid */
	assert_true(policy_person_eligible(roster, sam, &ok));
	assert_false(policy_person_eligible(roster, sam, &stale));
	diag_init(&d);
	assert_int_equal(policy_check_roster_for(roster, &stale, ROLE_BIT(ROLE_SYSTEM_AUDITOR), &d),
			 CE_ERR_POLICY);
	assert_true(has_msg(&d, "policy 4.3.4: sam's training is older than 1y (valid until 2026-11-27)"));
	diag_free(&d);
	/* trained 29 Feb 2024: valid through 28 Feb 2025 */
	{
		struct policy_status st;

		ok = day("2025-02-28");
		stale = day("2025-03-01");
		policy_person_status(roster, leap, &ok, &st);
		assert_false(st.training_stale);
		assert_int_equal(st.training_until.m, 2);
		assert_int_equal(st.training_until.d, 28);
		policy_person_status(roster, leap, &stale, &st);
		assert_true(st.training_stale);
	}
	/* a date in the future is refused */
	ok = day("2026-01-09");
	assert_false(policy_person_eligible(roster, sam, &ok));
}

static void test_attendance(void **state)
{
	struct roster_date today = day("2026-11-27");
	struct policy_seat good[5], bad[5];
	struct diag d;

	(void)state;
	good[0] = seat("alice", ROLE_SECURITY_OFFICER);
	good[1] = seat("sam", ROLE_SYSTEM_AUDITOR);
	good[2] = seat("hugo", ROLE_HSM_ADMINISTRATOR);
	good[3] = seat("k1", ROLE_KEY_HOLDER);
	good[4] = seat("k2", ROLE_KEY_HOLDER);
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, roster, &today, good, 5, &d), 0);
	diag_free(&d);

	/* policy 4.2.3: a role not granted */
	memcpy(bad, good, sizeof(bad));
	bad[2] = seat("k3", ROLE_HSM_ADMINISTRATOR);
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, roster, &today, bad, 5, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "policy 4.2.3: k3 (K3) is not granted the role hsm-administrator"));
	diag_free(&d);

	/* stale on the day */
	today = day("2026-11-28");
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, roster, &today, good, 5, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "policy 4.3.2: alice's vetting is stale"));
	assert_true(has_msg(&d, "policy 4.3.4: sam's training is stale"));
	diag_free(&d);
	today = day("2026-11-27");

	/* not enough key holders; an unknown person; one person twice */
	memcpy(bad, good, sizeof(bad));
	bad[4].person = NULL;
	bad[4].person_id = "mallory";
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, roster, &today, bad, 5, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "'mallory' is not in the roster"));
	assert_true(has_msg(&d, "key-holder needs 2 persons, 1 attend"));
	diag_free(&d);
	memcpy(bad, good, sizeof(bad));
	bad[4] = seat("k1", ROLE_KEY_HOLDER);
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, roster, &today, bad, 5, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "k1 is seated twice as key-holder"));
	diag_free(&d);
}

static void test_attendance_staffing(void **state)
{
	struct roster_date today = day("2026-11-27");
	struct policy_seat seats[5];
	struct diag d;

	(void)state;
	/* hana is both the HSM administrator and the only auditor: keygen needs
	 * an HSM administrator acting and an auditor witnessing */
	seats[0] = seat("alice", ROLE_SECURITY_OFFICER);
	seats[1] = seat("hana", ROLE_SYSTEM_AUDITOR);
	seats[2] = seat("hana", ROLE_HSM_ADMINISTRATOR);
	seats[3] = seat("k1", ROLE_KEY_HOLDER);
	seats[4] = seat("k2", ROLE_KEY_HOLDER);
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, roster, &today, seats, 5, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "step 'keygen' cannot have distinct actors and witnesses"));
	diag_free(&d);
	/* the twin: hugo administers the HSM, hana audits */
	seats[2] = seat("hugo", ROLE_HSM_ADMINISTRATOR);
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, roster, &today, seats, 5, &d), 0);
	diag_free(&d);
}

static void test_attendance_pair(void **state)
{
	const char *text = "format: 1\npeople:\n"
		"  - {id: pat, name: Pat, roles: [security-officer, hsm-administrator], vetting: 2026-01-01, training: 2026-01-01}\n";
	struct roster *r = NULL;
	struct roster_date today = day("2026-11-27");
	struct policy_seat seats[2];
	struct diag d;

	(void)state;
	assert_int_equal(roster_load_mem("p.yaml", text, strlen(text), &r, NULL), 0);
	seats[0].person = roster_person_find(r, "pat");
	seats[0].person_id = "pat";
	seats[0].role = ROLE_SECURITY_OFFICER;
	seats[1] = seats[0];
	seats[1].role = ROLE_HSM_ADMINISTRATOR;
	diag_init(&d);
	assert_int_equal(policy_check_attendance(script, r, &today, seats, 2, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "policy 4.2.4: pat (Pat) would fill security-officer and hsm-administrator in this ceremony"));
	diag_free(&d);
	roster_free(r);
}

static void test_actor_never_witness(void **state)
{
	const struct script_step *st = script_step_find(script, "keygen");
	struct policy_seat att[4], actors[1], wit[2];
	struct diag d;

	(void)state;
	att[0] = seat("alice", ROLE_SECURITY_OFFICER);
	att[1] = seat("hana", ROLE_SYSTEM_AUDITOR);
	att[2] = seat("hana", ROLE_HSM_ADMINISTRATOR);
	att[3] = seat("sam", ROLE_SYSTEM_AUDITOR);
	actors[0] = seat("hana", ROLE_HSM_ADMINISTRATOR);
	wit[0] = seat("alice", ROLE_SECURITY_OFFICER);
	wit[1] = seat("sam", ROLE_SYSTEM_AUDITOR);
	diag_init(&d);
	assert_int_equal(policy_check_step(st, att, 4, actors, 1, wit, 2, &d), 0);
	diag_free(&d);
	/* hana acts as HSM admin and would witness as auditor: refused */
	wit[1] = seat("hana", ROLE_SYSTEM_AUDITOR);
	diag_init(&d);
	assert_int_equal(policy_check_step(st, att, 4, actors, 1, wit, 2, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "hana cannot witness a step they act in (policy 5.2.1)"));
	diag_free(&d);
	/* a witness short, and an actor not seated in that role */
	actors[0] = seat("hugo", ROLE_HSM_ADMINISTRATOR);
	diag_init(&d);
	assert_int_equal(policy_check_step(st, att, 4, actors, 1, wit, 1, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "needs 1 system-auditor witnessing, has 0"));
	assert_true(has_msg(&d, "actor hugo is not seated as hsm-administrator"));
	diag_free(&d);
}

static void test_quorum(void **state)
{
	const struct script_secret *sec = script_secret_find(script, "user-pin");
	struct policy_seat att[3];
	const char *two[] = { "k1", "k2" }, *twice[] = { "k1", "k1" }, *stranger[] = { "k1", "k3" };
	struct diag d;

	(void)state;
	att[0] = seat("k1", ROLE_KEY_HOLDER);
	att[1] = seat("k2", ROLE_KEY_HOLDER);
	att[2] = seat("alice", ROLE_SECURITY_OFFICER);
	diag_init(&d);
	assert_int_equal(policy_check_quorum(sec, NULL, two, 2, att, 3, &d), 0);
	diag_free(&d);
	diag_init(&d);
	assert_int_equal(policy_check_quorum(sec, NULL, twice, 2, att, 3, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "k1 entered a share twice"));
	assert_true(has_msg(&d, "1 distinct key holders, the quorum is 2"));
	diag_free(&d);
	diag_init(&d);
	assert_int_equal(policy_check_quorum(sec, NULL, two, 1, att, 3, &d), CE_ERR_POLICY);
	diag_free(&d);
	diag_init(&d);
	assert_int_equal(policy_check_quorum(sec, NULL, stranger, 2, att, 3, &d), CE_ERR_POLICY);
	assert_true(has_msg(&d, "k3 is not seated as key-holder"));
	diag_free(&d);
}

static void lint_text(const char *old, const char *new, int want, const char *frag)
{
	char buf[4096];
	const char *at = strstr(script_text, old);
	struct script *s = NULL;
	struct roster_date today = day("2026-11-27");
	struct diag d;

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - script_text), script_text, new,
		 at + strlen(old));
	diag_init(&d);
	assert_int_equal(script_load_mem("s.yaml", buf, strlen(buf), &s, &d), 0);
	assert_int_equal(policy_check_lint(s, roster, &today, &d), want);
	if (frag != NULL)
		assert_true(has_msg(&d, frag));
	diag_free(&d);
	script_free(s);
}

static void test_lint(void **state)
{
	struct roster_date today = day("2026-11-27");
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(policy_check_lint(script, roster, &today, &d), 0);
	diag_free(&d);
	/* quorum infeasible: 4-of-5 with three eligible key holders (leap's training is stale) */
	lint_text("{threshold: 2, count: 3}", "{threshold: 4, count: 5}", CE_ERR_POLICY,
		  "a quorum needs 4 distinct key holders, the roster has 3 eligible");
	/* its twin: 3-of-5 can be met by the three */
	lint_text("{threshold: 2, count: 3}", "{threshold: 3, count: 5}", CE_ERR_POLICY,
		  "needs a quorum of 3 key holders, actors give 2");
	/* quorum step with too few key-holder actors */
	lint_text("actors: {key-holder: 2}", "actors: {key-holder: 1}", CE_ERR_POLICY,
		  "needs a quorum of 2 key holders, actors give 1");
	/* actor as own witness with one HSM admin slot */
	lint_text("witnesses: [security-officer, system-auditor]}",
		  "witnesses: [security-officer, hsm-administrator]}", CE_ERR_POLICY,
		  "hsm-administrator both acts and witnesses");
	/* two HSM admin slots, two HSM admins in the roster: feasible */
	lint_text("hsm-administrator: 1", "hsm-administrator: 2", 0, NULL);
	/* more slots than eligible persons */
	lint_text("key-holder: 2}", "key-holder: 5}", CE_ERR_POLICY,
		  "key-holder needs 5 persons, the roster has 3 eligible (k1, k2, k3; not eligible: leap (training stale))");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forbidden_pairs),
		cmocka_unit_test(test_vetting_boundary),
		cmocka_unit_test(test_training_boundary),
		cmocka_unit_test(test_attendance),
		cmocka_unit_test(test_attendance_staffing),
		cmocka_unit_test(test_attendance_pair),
		cmocka_unit_test(test_actor_never_witness),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_lint),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
