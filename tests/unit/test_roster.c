/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/model/roster.c: the roster model, dates and age limits,
 * and errors at their exact line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/model/diag.h"
#include "ceremony/model/roster.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

static const char base[] =
	"format: 1\n"                                   /* 1 */
	"people:\n"                                     /* 2 */
	"  - id: alice\n"                               /* 3 */
	"    name: Alice Martin\n"                      /* 4 */
	"    roles: [security-officer, system-auditor]\n" /* 5 */
	"    vetting: 2025-03-01\n"                     /* 6 */
	"    training: 2026-06-30\n"                    /* 7 */
	"    email: alice@example.org\n"                /* 8 */
	"  - id: kate\n"                                /* 9 */
	"    name: Kate\n"                              /* 10 */
	"    roles: [key-holder]\n"                     /* 11 */
	"    vetting: 2024-02-29\n"                     /* 12 */
	"    training: 2026-01-31\n";                   /* 13 */

static struct roster *load_sub(const char *old, const char *new, struct diag *d, int *rc)
{
	char buf[4096];
	const char *at = old ? strstr(base, old) : NULL;
	struct roster *r = NULL;

	if (old != NULL) {
		assert_non_null(at);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - base), base, new, at + strlen(old));
	} else {
		snprintf(buf, sizeof(buf), "%s", base);
	}
	*rc = roster_load_mem("r.yaml", buf, strlen(buf), &r, d);
	return r;
}

static int has_error(const struct diag *d, unsigned line, unsigned col, const char *frag)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->items[i].severity == DIAG_ERROR && d->items[i].line == line &&
		    d->items[i].col == col && strstr(d->items[i].msg, frag) != NULL)
			return 1;
	for (i = 0; i < d->n; i++)
		fprintf(stderr, "  have %u:%u %s\n", d->items[i].line, d->items[i].col, d->items[i].msg);
	return 0;
}

static void expect_error(const char *old, const char *new, unsigned line, unsigned col,
			 const char *frag)
{
	struct diag d;
	int rc;
	struct roster *r;

	diag_init(&d);
	r = load_sub(old, new, &d, &rc);
	assert_null(r);
	assert_int_equal(rc, CE_ERR_FORMAT);
	assert_true(has_error(&d, line, col, frag));
	diag_free(&d);
}

static void test_model(void **state)
{
	struct diag d;
	struct roster *r;
	const struct roster_person *p;
	int rc;

	(void)state;
	diag_init(&d);
	r = load_sub(NULL, NULL, &d, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(r);
	assert_int_equal(r->npeople, 2);
	p = roster_person_find(r, "alice");
	assert_non_null(p);
	assert_string_equal(p->name, "Alice Martin");
	assert_string_equal(p->email, "alice@example.org");
	assert_null(p->notes);
	assert_int_equal(p->roles, ROLE_BIT(ROLE_SECURITY_OFFICER) | ROLE_BIT(ROLE_SYSTEM_AUDITOR));
	assert_int_equal(p->vetting.y, 2025);
	assert_int_equal(p->vetting.m, 3);
	assert_int_equal(p->vetting.d, 1);
	assert_int_equal(p->vetting_mark.line, 6);
	assert_int_equal(p->vetting_mark.col, 14);
	assert_null(roster_person_find(r, "mallory"));
	/* defaults: the four pairs, 2y, 1y */
	assert_int_equal(r->policy.npairs, 4);
	assert_int_equal(r->policy.max_vetting.n, 2);
	assert_int_equal(r->policy.max_vetting.unit, 'y');
	assert_int_equal(r->policy.max_training.n, 1);
	roster_free(r);
	diag_free(&d);
}

static void test_dates(void **state)
{
	struct roster_date a, b;
	struct roster_age two = { 2, 'y' }, six = { 6, 'm' }, days = { 30, 'd' };
	char buf[16];

	(void)state;
	assert_int_equal(roster_date_parse("2026-11-27", &a), 0);
	assert_int_equal(roster_date_days(&a) - roster_date_days(&(struct roster_date){ 2026, 11, 26 }), 1);
	assert_int_equal(roster_date_days(&(struct roster_date){ 1970, 1, 1 }), 0);
	assert_int_equal(roster_date_parse("2026-02-29", &a), CE_ERR_FORMAT);
	assert_int_equal(roster_date_parse("2024-02-29", &a), 0);
	assert_int_equal(roster_date_parse("2026-13-01", &a), CE_ERR_FORMAT);
	assert_int_equal(roster_date_parse("2026-1-01", &a), CE_ERR_FORMAT);
	assert_int_equal(roster_date_parse("2026-01-01x", &a), CE_ERR_FORMAT);
	assert_int_equal(roster_date_parse("1969-12-31", &a), CE_ERR_FORMAT);
	/* 29 Feb + 2y falls on 28 Feb */
	assert_int_equal(roster_date_parse("2024-02-29", &a), 0);
	roster_age_until(&a, &two, &b);
	roster_date_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "2026-02-28");
	/* 31 Aug + 6m falls on the last day of February */
	assert_int_equal(roster_date_parse("2025-08-31", &a), 0);
	roster_age_until(&a, &six, &b);
	roster_date_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "2026-02-28");
	assert_int_equal(roster_date_parse("2026-12-15", &a), 0);
	roster_age_until(&a, &days, &b);
	roster_date_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "2027-01-14");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("    name: Alice Martin\n", "    name: Alice Martin\n    phone: 1\n", 5, 5,
		     "unknown key 'phone' in person 'alice'");
	expect_error("    vetting: 2025-03-01\n", "", 3, 5, "missing required key 'vetting'");
	expect_error("2025-03-01", "01/03/2025", 6, 14, "vetting must be a date YYYY-MM-DD");
	expect_error("  - id: kate\n", "  - id: alice\n", 9, 9, "duplicate person id 'alice'");
	expect_error("[key-holder]", "[key-holder, keyholder]", 11, 25, "unknown role 'keyholder'");
	expect_error("[key-holder]", "[key-holder, key-holder]", 11, 25, "listed twice");
	expect_error("[key-holder]", "[]", 11, 12, "at least one role");
	expect_error("[key-holder]", "key-holder", 11, 12, "roles must be a sequence");
	expect_error("format: 1\n", "format: 2\n", 1, 9, "unsupported format 2");
	expect_error("format: 1\n", "format: 1\npolicy: {max-vetting-age: 25m}\n", 2, 27,
		     "longer than the policy's 2y");
	expect_error("format: 1\n", "format: 1\npolicy: {max-training-age: 366d}\n", 2, 28,
		     "longer than the policy's 1y");
	expect_error("format: 1\n", "format: 1\npolicy: {max-training-age: -1y}\n", 2, 28,
		     "positive number");
	expect_error("format: 1\n", "format: 1\npolicy: {forbidden-pairs: [[key-holder, boss]]}\n",
		     2, 41, "unknown role 'boss'");
}

static void test_policy_section(void **state)
{
	struct diag d;
	struct roster *r;
	int rc;

	(void)state;
	diag_init(&d);
	r = load_sub("format: 1\n",
		     "format: 1\npolicy:\n  forbidden-pairs: [[system-auditor, key-holder]]\n"
		     "  max-vetting-age: 18m\n  max-training-age: 2y\n", &d, &rc);
	/* 2y training is looser than the policy's 1y: refused */
	assert_null(r);
	assert_true(has_error(&d, 5, 21, "longer than the policy's 1y"));
	diag_free(&d);
	diag_init(&d);
	r = load_sub("format: 1\n",
		     "format: 1\npolicy:\n  forbidden-pairs: [[system-auditor, key-holder]]\n"
		     "  max-vetting-age: 18m\n  max-training-age: 365d\n", &d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(r->policy.npairs, 5);
	assert_int_equal(r->policy.pairs[4].a, ROLE_SYSTEM_AUDITOR);
	assert_int_equal(r->policy.pairs[4].b, ROLE_KEY_HOLDER);
	assert_int_equal(r->policy.max_vetting.n, 18);
	assert_int_equal(r->policy.max_vetting.unit, 'm');
	assert_int_equal(r->policy.max_training.unit, 'd');
	roster_free(r);
	diag_free(&d);
}

/* role.c holds the one role table: the list in messages is built from it. */
static void test_role_table(void **state)
{
	const char *list = role_list_all();
	unsigned i, at = 0;
	enum role r;

	(void)state;
	for (i = 0; i < ROLE_COUNT; i++) {
		const char *name = role_name((enum role)i);
		const char *hit = strstr(list, name);

		assert_non_null(hit);
		assert_true((unsigned)(hit - list) >= at); /* in table order */
		at = (unsigned)(hit - list);
		assert_int_equal(role_parse(name, &r), 0);
		assert_int_equal(r, (enum role)i);
	}
	assert_string_equal(role_name(ROLE_COUNT), "?");
	/* twins: a near-miss name is not a role, and the list has nothing else */
	assert_int_equal(role_parse("security_officer", &r), CE_ERR_NOT_FOUND);
	assert_int_equal(strlen(list), strlen("security-officer, system-operator, system-auditor, "
					      "system-administrator, hsm-administrator, key-holder"));
}

/* Without a diag, the first error is the ce_err detail (diag_scope). */
static void test_no_diag_detail(void **state)
{
	static const char ok[] = "format: 1\npeople:\n  - {id: ann, name: Ann, roles: [key-holder], "
				 "vetting: 2026-01-10, training: 2026-01-10}\n";
	static const char bad[] = "format: 1\npeople:\n  - {id: ann, name: Ann, roles: [boss], "
				  "vetting: 2026-01-10, training: 2026-01-10}\n";
	struct roster *r = NULL;

	(void)state;
	assert_int_equal(roster_load_mem("ok.yaml", ok, strlen(ok), &r, NULL), 0);
	assert_non_null(r);
	roster_free(r);
	r = NULL;
	assert_int_equal(roster_load_mem("bad.yaml", bad, strlen(bad), &r, NULL), CE_ERR_FORMAT);
	assert_null(r);
	assert_non_null(strstr(ce_err_detail(), "bad.yaml:3:34: error: unknown role 'boss'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_policy_section),
		cmocka_unit_test(test_role_table),
		cmocka_unit_test(test_no_diag_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
