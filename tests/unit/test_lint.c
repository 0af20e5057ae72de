/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the login state lint reasons about across steps
 * (ceremony/model/script_flow.c, reached through lint_load in
 * ceremony/policy/lint.c): a step that needs a session on its token
 * (key.generate, key.export-public, cert.self-sign, csr.create, cert.issue,
 * crl.sign, key.backup, key.restore, key.destroy, a fingerprint of a key)
 * comes after a quorum.login or pin.rotate step with the user PIN on that
 * same token, never after an SO login on it; one login kind per token per
 * ceremony (token.init ends logged in as user, shares.reshare of a user PIN
 * logs in as user); token.init before any login on its token; a session,
 * once opened, lasts for the rest of the script. And a key label or id
 * names one key per token. Each positive case has its failing twin. */
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
#define LOGIN_SO "  - {id: login-so, title: L, action: quorum.login, with: {token: main, secret: so}, " WHO "}\n"
#define ROTATE_SO "  - {id: rotate-so, title: R, action: pin.rotate, with: {token: main, secret: so}, " WHO "}\n"
#define RESHARE "  - {id: reshare, title: S, action: shares.reshare, with: {secret: pin}, " WHO "}\n"
#define RESHARE_SPARE "  - {id: reshare, title: S, action: shares.reshare, with: {secret: spin}, " WHO "}\n"
#define KEYGEN_AS(id, tok, label, kid) "  - {id: " id ", title: K, action: key.generate, with: {token: " tok ", type: ed25519, label: " label ", id: \"" kid "\"}, " ADMIN "}\n"
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

/* The steps are refused with exactly one error holding frag, for step id
 * at line, its message holding `names` too (e.g. the earlier step it names). */
static void expect_error(const char *steps, const char *frag, const char *id, unsigned line,
			 const char *names)
{
	char want[96], other[96];
	struct diag d;
	size_t i, n = 0;
	int found = 0;
	int rc = load(steps, &d);

	snprintf(want, sizeof(want), "step '%s': ", id);
	snprintf(other, sizeof(other), "%s", names);
	for (i = 0; i < d.n; i++) {
		const struct diag_item *it = &d.items[i];

		if (it->severity != DIAG_ERROR || strstr(it->msg, frag) == NULL)
			continue;
		n++;
		if (strncmp(it->msg, want, strlen(want)) == 0 && it->line == line &&
		    strstr(it->msg + strlen(want), other) != NULL)
			found = 1;
	}
	if (rc != CE_ERR_FORMAT || n != 1 || !found) {
		fprintf(stderr, "  want one '%s' for step %s at line %u\n", frag, id, line);
		dump(&d);
	}
	assert_int_equal(rc, CE_ERR_FORMAT);
	assert_int_equal(n, 1);
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
	/* twin: token.init ends logged in as user, but with a PIN nobody
	 * holds: key operations wait for the key holders' quorum login */
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
	static const char text[] = INIT LOGIN("main", "pin") ROTATE KEYGEN("main") FP_KEY;
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

#define SO_THEN_USER "needs a user login, but step"
#define KIND_TWICE "one login kind per token per ceremony"

static void test_so_login_opens_no_key_session(void **state)
{
	(void)state;
	/* an SO session cannot use keys (CKR_USER_NOT_LOGGED_IN) */
	expect_error(LOGIN_SO KEYGEN("main"), SO_THEN_USER, "keygen", FIRST_STEP_LINE + 1,
		     "step 'login-so'");
	expect_error(ROTATE_SO FP_KEY, SO_THEN_USER, "fp", FIRST_STEP_LINE + 1, "step 'rotate-so'");
	/* twin: the user PIN's quorum login is what key operations need */
	expect_clean(LOGIN("main", "pin") KEYGEN("main"));
	/* an SO login on another token does not get in the way */
	expect_clean(LOGIN("main", "pin") LOGIN("spare", "spin") KEYGEN("main"));
}

static void test_so_only_ceremony_is_clean(void **state)
{
	(void)state;
	/* an SO quorum login, then the SO PIN rotated: no key operation */
	expect_clean(LOGIN_SO ROTATE_SO);
	expect_clean(ROTATE_SO);
	/* twin: a key operation after it is refused, naming the SO login */
	expect_error(LOGIN_SO ROTATE_SO KEYGEN("main"), SO_THEN_USER, "keygen",
		     FIRST_STEP_LINE + 2, "step 'login-so'");
}

static void test_one_login_kind_per_token(void **state)
{
	(void)state;
	/* user then SO, SO then user: no step logs out in between */
	expect_error(LOGIN("main", "pin") LOGIN_SO, KIND_TWICE, "login-so", FIRST_STEP_LINE + 1,
		     "step 'login-main'");
	expect_error(LOGIN_SO LOGIN("main", "pin"), KIND_TWICE, "login-main",
		     FIRST_STEP_LINE + 1, "step 'login-so'");
	expect_error(LOGIN("main", "pin") ROTATE_SO, KIND_TWICE, "rotate-so", FIRST_STEP_LINE + 1,
		     "step 'login-main'");
	expect_error(LOGIN_SO ROTATE, KIND_TWICE, "rotate", FIRST_STEP_LINE + 1, "step 'login-so'");
	/* shares.reshare of the user PIN logs in as user */
	expect_error(LOGIN_SO RESHARE, KIND_TWICE, "reshare", FIRST_STEP_LINE + 1, "step 'login-so'");
	/* token.init ends logged in as user: an SO login after it is refused */
	expect_error(INIT LOGIN_SO, KIND_TWICE, "login-so", FIRST_STEP_LINE + 1, "step 'init'");
	/* twins: the same kind twice is one session; another token is apart */
	expect_clean(LOGIN("main", "pin") ROTATE);
	expect_clean(LOGIN_SO ROTATE_SO);
	expect_clean(INIT LOGIN("main", "pin"));
	expect_clean(LOGIN_SO RESHARE_SPARE);
	expect_clean(LOGIN_SO LOGIN("spare", "spin"));
}

static void test_token_init_comes_first(void **state)
{
	(void)state;
	/* token.init needs a blank token: no login on it before */
	expect_error(LOGIN("main", "pin") INIT, "token.init on token 'main' after step",
		     "init", FIRST_STEP_LINE + 1, "step 'login-main'");
	expect_error(LOGIN_SO INIT, "token.init on token 'main' after step", "init",
		     FIRST_STEP_LINE + 1, "step 'login-so'");
	/* twin: a login on another token is no matter */
	expect_clean(LOGIN("spare", "spin") INIT);
}

/* script_step_login: the kind and token of each step's login, each step
 * loaded in a clean script of its own. */
static void test_step_login_kinds(void **state)
{
	static const struct {
		const char *steps, *id, *token;
		enum script_login kind;
	} want[] = {
		{ "", "attendance", NULL, SCRIPT_LOGIN_NONE },
		{ INIT, "init", "main", SCRIPT_LOGIN_USER },
		{ LOGIN("spare", "spin"), "login-spare", "spare", SCRIPT_LOGIN_USER },
		{ LOGIN_SO, "login-so", "main", SCRIPT_LOGIN_SO },
		{ ROTATE_SO, "rotate-so", "main", SCRIPT_LOGIN_SO },
		{ ROTATE, "rotate", "main", SCRIPT_LOGIN_USER },
		{ RESHARE, "reshare", "main", SCRIPT_LOGIN_USER },
		{ LOGIN("main", "pin") KEYGEN("main"), "keygen", NULL, SCRIPT_LOGIN_NONE },
		{ FP_FILE, "fp", NULL, SCRIPT_LOGIN_NONE },
	};
	char buf[8192];
	struct script *s = NULL;
	struct diag d;
	const char *tok;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", head, want[i].steps);
		diag_init(&d);
		if (script_load_mem("k.yaml", buf, strlen(buf), &s, &d) != 0)
			dump(&d);
		assert_non_null(s);
		assert_int_equal(script_step_login(s, script_step_find(s, want[i].id), &tok),
				 want[i].kind);
		if (want[i].token == NULL)
			assert_null(tok);
		else
			assert_string_equal(tok, want[i].token);
		script_free(s);
		s = NULL;
		diag_free(&d);
	}
}

#define TWICE "on token 'main' is already used by step"

static void test_key_label_and_id_name_one_key(void **state)
{
	(void)state;
	/* the same label twice on one token: at the second, naming the first */
	expect_error(LOGIN("main", "pin") KEYGEN_AS("k1", "main", "ca", "01")
		     KEYGEN_AS("k2", "main", "ca", "02"),
		     "key label 'ca' " TWICE, "k2", FIRST_STEP_LINE + 2,
		     "step 'k1' (line 15)");
	/* the same id twice (hex, whatever the case) */
	expect_error(LOGIN("main", "pin") KEYGEN_AS("k1", "main", "ca", "0a")
		     KEYGEN_AS("k2", "main", "ocsp", "0A"),
		     "key id '0A' " TWICE, "k2", FIRST_STEP_LINE + 2,
		     "step 'k1' (line 15)");
	/* twins: distinct labels and ids; the same on another token */
	expect_clean(LOGIN("main", "pin") KEYGEN_AS("k1", "main", "ca", "01")
		     KEYGEN_AS("k2", "main", "ocsp", "02"));
	expect_clean(LOGIN("main", "pin") LOGIN("spare", "spin")
		     KEYGEN_AS("k1", "main", "ca", "01") KEYGEN_AS("k2", "spare", "ca", "01"));
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
	lint_case("case-login-so-key-operation.yaml", 1);
	lint_case("case-login-so-after-init.yaml", 1);
	lint_case("case-login-user-after-so.yaml", 1);
	lint_case("case-key-label-twice.yaml", 1);
	lint_case("case-key-id-twice.yaml", 1);
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
		cmocka_unit_test(test_so_login_opens_no_key_session),
		cmocka_unit_test(test_so_only_ceremony_is_clean),
		cmocka_unit_test(test_one_login_kind_per_token),
		cmocka_unit_test(test_token_init_comes_first),
		cmocka_unit_test(test_step_login_kinds),
		cmocka_unit_test(test_key_label_and_id_name_one_key),
		cmocka_unit_test(test_lint_load_login_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
