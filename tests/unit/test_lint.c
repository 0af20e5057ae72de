/* Unit tests for the login state lint reasons about across steps
 * (ceremony/model/script_flow.c, reached through lint_load in
 * ceremony/policy/lint.c): a step that needs a session on its token
 * (key.generate, key.export-public, cert.self-sign, csr.create, cert.issue,
 * crl.sign, key.backup, key.restore, key.destroy, a fingerprint of a key)
 * comes after a quorum.login or pin.rotate step on that same token; a
 * session, once opened, lasts for the rest of the script. Each positive case
 * has its failing twin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/model/diag.h"
#include "ceremony/model/script.h"
#include "ceremony/policy/lint.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NEEDS_LOGIN "needs an earlier quorum.login step on it"

/* Two tokens with their PINs and a wrapping key; steps are appended. */
static const char head[] =
	"format: 1\n"                                                       /* 1 */
	"name: Login state\n"                                               /* 2 */
	"version: \"1\"\n"                                                  /* 3 */
	"roster: roster.yaml\n"                                             /* 4 */
	"tokens: {main: \"pkcs11:token=Main\", spare: \"pkcs11:token=Spare\"}\n" /* 5 */
	"roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 3}\n" /* 6 */
	"secrets:\n"                                                        /* 7 */
	"  pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"
	"  so: {kind: so-pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"
	"  spin: {kind: pin, token: spare, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"
	"  wrap: {kind: aes-256, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"
	"steps:\n"                                                          /* 12 */
	"  - {id: attendance, title: A, action: attendance, actors: [security-officer], witnesses: [system-auditor]}\n";
#define FIRST_STEP_LINE 14 /* the first appended step */

#define WHO "actors: {key-holder: 3}, witnesses: [security-officer]"
#define ADMIN "actors: [hsm-administrator], witnesses: [system-auditor]"
#define LOGIN(tok, sec) "  - {id: login-" tok ", title: L, action: quorum.login, with: {token: " tok ", secret: " sec "}, " WHO "}\n"
#define ROTATE "  - {id: rotate, title: R, action: pin.rotate, with: {token: main, secret: pin}, " WHO "}\n"
#define INIT "  - {id: init, title: I, action: token.init, with: {token: main, label: M, so-pin: so, user-pin: pin}, " WHO "}\n"
#define KEYGEN(tok) "  - {id: keygen, title: K, action: key.generate, with: {token: " tok ", type: ed25519, label: k, id: \"01\"}, " ADMIN "}\n"
#define DESTROY "  - {id: destroy, title: D, action: key.destroy, with: {token: main, key: k}, " ADMIN "}\n"
#define FP_KEY "  - {id: fp, title: F, action: fingerprint, with: {token: main, key: k}, " ADMIN "}\n"
#define FP_FILE "  - {id: fp, title: F, action: fingerprint, with: {file: x.pem}, " ADMIN "}\n"
#define BACKUP "  - {id: backup, title: B, action: key.backup, with: {token: main, key: k, wrap-key: wrap, output: k.wrapped}, " ADMIN ", outputs: [k.wrapped]}\n"

/* Load head + steps; the diag is left in d (diag_free by the caller). */
static int load(const char *steps, struct diag *d)
{
	char buf[8192];
	struct script *s = NULL;
	int rc;

	assert_true((size_t)snprintf(buf, sizeof(buf), "%s%s", head, steps) < sizeof(buf));
	diag_init(d);
	rc = script_load_mem("login.yaml", buf, strlen(buf), &s, d);
	script_free(s);
	return rc;
}

/* The number of "needs a login" errors, and whether step id has one at line
 * (0: any line). */
static size_t login_errors(const struct diag *d, const char *id, unsigned line, int *found)
{
	char frag[96];
	size_t i, n = 0;

	snprintf(frag, sizeof(frag), "step '%s': ", id ? id : "");
	*found = 0;
	for (i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];

		if (it->severity != DIAG_ERROR || strstr(it->msg, NEEDS_LOGIN) == NULL)
			continue;
		n++;
		if (id != NULL && strstr(it->msg, frag) != NULL && (line == 0 || it->line == line))
			*found = 1;
	}
	return n;
}

static void dump(const struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "  have %u:%u %s\n", d->items[i].line, d->items[i].col, d->items[i].msg);
}

/* The steps load clean: no login error, no error at all. */
static void expect_clean(const char *steps)
{
	struct diag d;
	int found;
	int rc = load(steps, &d);

	if (rc != 0)
		dump(&d);
	assert_int_equal(rc, 0);
	assert_int_equal(login_errors(&d, NULL, 0, &found), 0);
	diag_free(&d);
}

/* The steps are refused with exactly n login errors, one for step id at line. */
static void expect_login_error(const char *steps, size_t n, const char *id, unsigned line)
{
	struct diag d;
	int found;
	int rc = load(steps, &d);

	assert_int_equal(rc, CE_ERR_FORMAT);
	if (login_errors(&d, id, line, &found) != n || !found)
		dump(&d);
	assert_int_equal(login_errors(&d, id, line, &found), n);
	assert_true(found);
	diag_free(&d);
}

static void test_login_before_key_operation(void **state)
{
	(void)state;
	expect_clean(LOGIN("main", "pin") KEYGEN("main"));
	/* twin: no login at all */
	expect_login_error(KEYGEN("main"), 1, "keygen", FIRST_STEP_LINE);
}

static void test_login_after_use(void **state)
{
	(void)state;
	/* the order of the steps is what counts: a later login is too late */
	expect_login_error(KEYGEN("main") LOGIN("main", "pin"), 1, "keygen", FIRST_STEP_LINE);
	/* twin: the same two steps the other way round */
	expect_clean(LOGIN("main", "pin") KEYGEN("main"));
}

static void test_login_is_per_token(void **state)
{
	(void)state;
	/* a session on spare opens nothing on main */
	expect_login_error(LOGIN("spare", "spin") KEYGEN("main"), 1, "keygen", FIRST_STEP_LINE + 1);
	/* twin: each token logged in before its own key operation */
	expect_clean(LOGIN("spare", "spin") LOGIN("main", "pin") KEYGEN("main"));
	expect_clean(LOGIN("main", "pin") KEYGEN("main") LOGIN("spare", "spin")
		     "  - {id: keygen2, title: K, action: key.generate, with: {token: spare, type: ed25519, label: k, id: \"02\"}, " ADMIN "}\n");
}

static void test_pin_rotate_opens_a_session(void **state)
{
	(void)state;
	/* pin.rotate logs in (with the old PIN) and the session stays */
	expect_clean(ROTATE KEYGEN("main"));
	/* twin: token.init sets the PINs but opens no session */
	expect_login_error(INIT KEYGEN("main"), 1, "keygen", FIRST_STEP_LINE + 1);
	/* and after token.init, a quorum.login is what opens one */
	expect_clean(INIT LOGIN("main", "pin") KEYGEN("main"));
}

static void test_session_lasts_the_ceremony(void **state)
{
	(void)state;
	/* one login covers every later key operation on the token: no step
	 * closes a session (logout is the runner's, at the end) */
	expect_clean(LOGIN("main", "pin") KEYGEN("main") BACKUP DESTROY);
	/* twin: without it, each key operation is reported, each at its line */
	expect_login_error(KEYGEN("main") BACKUP DESTROY, 3, "keygen", FIRST_STEP_LINE);
	expect_login_error(KEYGEN("main") BACKUP DESTROY, 3, "backup", FIRST_STEP_LINE + 1);
	expect_login_error(KEYGEN("main") BACKUP DESTROY, 3, "destroy", FIRST_STEP_LINE + 2);
}

static void test_fingerprint_of_a_key_needs_login(void **state)
{
	(void)state;
	/* a file's fingerprint is read off the disk: no session */
	expect_clean(FP_FILE);
	/* twin: a key's fingerprint is read off the token */
	expect_login_error(FP_KEY, 1, "fp", FIRST_STEP_LINE);
	expect_clean(LOGIN("main", "pin") FP_KEY);
}

/* The two predicates behind the rule, on each action of the table. */
static void test_action_table_login_flags(void **state)
{
	static const char *const needs[] = { "key.generate", "key.export-public", "cert.self-sign",
					     "csr.create", "cert.issue", "crl.sign", "key.backup",
					     "key.restore", "key.destroy", NULL };
	struct script_step st;
	size_t i, j;

	(void)state;
	for (i = 0; script_actions[i].name != NULL; i++) {
		int need = 0;

		for (j = 0; needs[j] != NULL; j++)
			need |= strcmp(needs[j], script_actions[i].name) == 0;
		if (script_actions[i].needs_login != need)
			fprintf(stderr, "  action %s\n", script_actions[i].name);
		assert_int_equal(script_actions[i].needs_login, need);
		/* a step without a token parameter neither needs nor opens one */
		memset(&st, 0, sizeof(st));
		st.action = &script_actions[i];
		assert_false(script_step_needs_login(&st));
		assert_false(script_step_logs_in(&st));
	}
}

/* The predicates on loaded steps, with their token parameter. */
static void test_step_login_predicates(void **state)
{
	static const char text[] = LOGIN("main", "pin") ROTATE KEYGEN("main") FP_KEY INIT;
	char buf[8192];
	struct script *s = NULL;
	struct diag d;

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s", head, text);
	diag_init(&d);
	assert_int_equal(script_load_mem("p.yaml", buf, strlen(buf), &s, &d), 0);
	assert_true(script_step_logs_in(script_step_find(s, "login-main")));
	assert_true(script_step_logs_in(script_step_find(s, "rotate")));
	assert_false(script_step_logs_in(script_step_find(s, "init")));
	assert_false(script_step_logs_in(script_step_find(s, "keygen")));
	assert_true(script_step_needs_login(script_step_find(s, "keygen")));
	assert_true(script_step_needs_login(script_step_find(s, "fp")));
	assert_false(script_step_needs_login(script_step_find(s, "login-main")));
	assert_false(script_step_needs_login(script_step_find(s, "init")));
	assert_false(script_step_needs_login(script_step_find(s, "attendance")));
	script_free(s);
	diag_free(&d);
}

/* lint_load on a case of tests/data/lint: every "# expect:" line of the file
 * is reported at its FILE:LINE:COL (the way t3001 reads them). */
static void lint_case(const char *name, int want_errors)
{
	char path[256], line[512], have[1024], outdir[] = "/tmp/test_lint.XXXXXX";
	struct roster_date today = { 2026, 11, 27 };
	struct script *s = NULL;
	struct roster *r = NULL;
	struct diag d;
	FILE *f;
	size_t i, nexp = 0;

	assert_non_null(mkdtemp(outdir));
	snprintf(path, sizeof(path), "tests/data/lint/%s", name);
	diag_init(&d);
	assert_int_equal(lint_load(path, "tests/data/lint/roster.yaml", &today, outdir, &s, &r, &d), 0);
	assert_non_null(r);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		int found = 0;

		if (strncmp(line, "# expect: ", 10) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		nexp++;
		for (i = 0; i < d.n && !found; i++) {
			const char *base;

			diag_format(&d.items[i], have, sizeof(have));
			base = strstr(have, name);
			/* "case.yaml:26:19: step ..." against "case.yaml:26:19: error: step ..." */
			if (base != NULL && d.items[i].severity == DIAG_ERROR &&
			    strncmp(base, line + 10, strcspn(line + 10, " ")) == 0 &&
			    strstr(base, line + 10 + strcspn(line + 10, " ") + 1) != NULL)
				found = 1;
		}
		if (!found) {
			fprintf(stderr, "  missing %s\n", line + 10);
			dump(&d);
		}
		assert_true(found);
	}
	fclose(f);
	if (want_errors) {
		assert_true(nexp > 0);
		assert_true(d.errors > 0);
	} else {
		if (d.errors != 0)
			dump(&d);
		assert_int_equal(d.errors, 0);
	}
	assert_int_equal(rmdir(outdir), 0);
	diag_free(&d);
	script_free(s);
	roster_free(r);
}

static void test_lint_load_login_cases(void **state)
{
	(void)state;
	/* the valid base logs in before its key operations */
	lint_case("ok-base.yaml", 0);
	/* twins: no login step, and the login step after the key operations */
	lint_case("case-login-missing.yaml", 1);
	lint_case("case-login-after-use.yaml", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_before_key_operation),
		cmocka_unit_test(test_login_after_use),
		cmocka_unit_test(test_login_is_per_token),
		cmocka_unit_test(test_pin_rotate_opens_a_session),
		cmocka_unit_test(test_session_lasts_the_ceremony),
		cmocka_unit_test(test_fingerprint_of_a_key_needs_login),
		cmocka_unit_test(test_action_table_login_flags),
		cmocka_unit_test(test_step_login_predicates),
		cmocka_unit_test(test_lint_load_login_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
