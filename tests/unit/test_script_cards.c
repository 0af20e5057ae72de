/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/model/script_cards.c: attendance: and cosigners:
 * (docs/script-format.md, "Personal tokens"), each refusal at its place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/model/diag.h"
#include "ceremony/model/script.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

static const char head[] =
	"format: 1\n"
	"name: Test\n"
	"version: \"1\"\n"
	"roster: roster.yaml\n"
	"roles: {security-officer: 1, system-auditor: 1, key-holder: 2}\n"
	"steps:\n"
	"  - {id: attendance, title: A, action: attendance, actors: [security-officer], witnesses: [system-auditor]}\n";

/* head then extra lines (line 8 on); rc and the script (or NULL). */
static struct script *load(const char *extra, struct diag *d, int *rc)
{
	char buf[4096];
	struct script *s = NULL;

	snprintf(buf, sizeof(buf), "%s%s", head, extra);
	*rc = script_load_mem("t.yaml", buf, strlen(buf), &s, d);
	return s;
}

static int has_error(const struct diag *d, unsigned line, const char *frag)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->items[i].severity == DIAG_ERROR && d->items[i].line == line &&
		    strstr(d->items[i].msg, frag) != NULL)
			return 1;
	for (i = 0; i < d->n; i++)
		fprintf(stderr, "  have %u:%u %s\n", d->items[i].line, d->items[i].col, d->items[i].msg);
	return 0;
}

static void expect_error(const char *extra, unsigned line, const char *frag)
{
	struct diag d;
	int rc;

	diag_init(&d);
	assert_null(load(extra, &d, &rc));
	assert_int_equal(rc, CE_ERR_FORMAT);
	assert_true(has_error(&d, line, frag));
	diag_free(&d);
}

static void test_defaults(void **state)
{
	struct diag d;
	struct script *s;
	int rc;

	(void)state;
	diag_init(&d);
	s = load("", &d, &rc);
	assert_non_null(s);
	assert_int_equal(s->attendance, SCRIPT_ATTEND_CONFIRM);
	assert_int_equal(script_cosigns(s), 0); /* no cards: nobody co-signs */
	assert_int_equal(script_cosigner_is(s, "alice", ROLE_SECURITY_OFFICER), 0);
	script_free(s);
	s = load("attendance: card\n", &d, &rc);
	assert_non_null(s);
	assert_int_equal(s->attendance, SCRIPT_ATTEND_CARD);
	assert_int_equal(script_cosigns(s), 1); /* by card: every seated person */
	assert_int_equal(script_cosigner_is(s, "bob", ROLE_KEY_HOLDER), 1);
	script_free(s);
	s = load("attendance: card\ncosigners: none\n", &d, &rc);
	assert_non_null(s);
	assert_int_equal(script_cosigns(s), 0);
	script_free(s);
	diag_free(&d);
}

static void test_list(void **state)
{
	struct diag d;
	struct script *s;
	int rc;

	(void)state;
	diag_init(&d);
	s = load("cosigners: [key-holder, alice]\n", &d, &rc);
	assert_non_null(s);
	assert_int_equal(script_cosigns(s), 1);
	assert_int_equal(script_cosigner_is(s, "bob", ROLE_KEY_HOLDER), 1);
	assert_int_equal(script_cosigner_is(s, "alice", ROLE_SECURITY_OFFICER), 1);
	assert_int_equal(script_cosigner_is(s, "sam", ROLE_SYSTEM_AUDITOR), 0);
	script_free(s);
	diag_free(&d);
}

static void test_refused(void **state)
{
	(void)state;
	expect_error("attendance: badge\n", 8, "attendance: 'confirm' or 'card', not 'badge'");
	expect_error("cosigners: all\n", 8, "cosigners: 'none' or a list");
	expect_error("cosigners: []\n", 8, "an empty list");
	expect_error("cosigners: {a: 1}\n", 8, "cosigners");
	expect_error("cosigners: [Bad Name]\n", 8, "cosigners");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
