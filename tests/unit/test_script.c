/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ceremony/model/script.c and ceremony/model/yamltree.c: the model, the
 * action table, and errors at their exact line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/model/diag.h"
#include "ceremony/model/script.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

static const char base[] =
	"format: 1\n"                                         /* 1 */
	"name: Test\n"                                        /* 2 */
	"version: \"1\"\n"                                    /* 3 */
	"roster: roster.yaml\n"                               /* 4 */
	"tokens:\n"                                           /* 5 */
	"  main: \"pkcs11:token=Main%20CA;serial=01\"\n"      /* 6 */
	"roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 3}\n" /* 7 */
	"secrets:\n"                                          /* 8 */
	"  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"
	"  wrap: {kind: aes-256, groups: [{threshold: 2, count: 3}, {threshold: 1, count: 1}], group-threshold: 2}\n"
	"steps:\n"                                            /* 11 */
	"  - id: attendance\n"                                /* 12 */
	"    title: Attendance\n"                             /* 13 */
	"    action: attendance\n"                            /* 14 */
	"    actors: [security-officer]\n"                    /* 15 */
	"    witnesses: [system-auditor]\n"                   /* 16 */
	"  - {id: login, title: L, action: quorum.login, with: {token: main, secret: user-pin}, actors: {key-holder: 2}, witnesses: [security-officer]}\n" /* 17 */
	"  - id: keygen\n"                                    /* 18 */
	"    title: Keygen\n"                                 /* 18 */
	"    action: key.generate\n"                          /* 19 */
	"    with: {token: main, type: rsa, size: 3072, label: k1, id: \"0a\", extractable: true}\n"
	"    actors: {hsm-administrator: 1}\n"                /* 21 */
	"    witnesses: [security-officer, system-auditor]\n" /* 22 */
	"    outputs: [a.pem]\n";                             /* 23 */

/* Load text with one substitution; returns the script or NULL with d filled. */
static struct script *load_sub(const char *old, const char *new, struct diag *d, int *rc)
{
	char buf[8192];
	const char *at = old ? strstr(base, old) : NULL;
	struct script *s = NULL;

	if (old != NULL) {
		assert_non_null(at);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - base), base, new, at + strlen(old));
	} else {
		snprintf(buf, sizeof(buf), "%s", base);
	}
	*rc = script_load_mem("dir/t.yaml", buf, strlen(buf), &s, d);
	return s;
}

/* The diag has an error at line:col whose message contains frag. */
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
	struct script *s;

	diag_init(&d);
	s = load_sub(old, new, &d, &rc);
	assert_null(s);
	assert_int_equal(rc, CE_ERR_FORMAT);
	assert_true(has_error(&d, line, col, frag));
	diag_free(&d);
}

static void test_model(void **state)
{
	struct diag d;
	struct script *s;
	int rc;
	long v;
	int b;
	const struct script_step *st;

	(void)state;
	diag_init(&d);
	s = load_sub(NULL, NULL, &d, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	assert_int_equal(d.errors, 0);
	assert_string_equal(s->name, "Test");
	assert_string_equal(s->roster_path, "dir/roster.yaml");
	assert_int_equal(s->ntokens, 1);
	assert_string_equal(s->tokens[0].uri, "pkcs11:token=Main%20CA;serial=01");
	assert_int_equal(s->tokens[0].mark.line, 6);
	assert_int_equal(s->tokens[0].mark.col, 3);
	assert_int_equal(s->roles[ROLE_KEY_HOLDER], 3);
	assert_int_equal(s->roles[ROLE_SYSTEM_OPERATOR], 0);
	assert_int_equal(s->nsecrets, 2);
	assert_int_equal(script_layout_quorum(&script_secret_find(s, "user-pin")->layout), 2);
	assert_int_equal(script_layout_total(&script_secret_find(s, "user-pin")->layout), 3);
	/* two groups, both needed: 2 + 1 */
	assert_int_equal(script_layout_quorum(&script_secret_find(s, "wrap")->layout), 3);
	assert_int_equal(script_layout_total(&script_secret_find(s, "wrap")->layout), 4);
	assert_null(script_secret_find(s, "nope"));
	assert_int_equal(s->nsteps, 3);
	st = script_step_find(s, "keygen");
	assert_non_null(st);
	assert_int_equal(st->index, 2);
	assert_string_equal(st->action->name, "key.generate");
	assert_int_equal(st->mark.line, 18);
	assert_int_equal(st->mark.col, 5);
	assert_int_equal(st->actors[ROLE_HSM_ADMINISTRATOR], 1);
	assert_int_equal(st->witnesses[ROLE_SECURITY_OFFICER], 1);
	assert_int_equal(st->witnesses[ROLE_SYSTEM_AUDITOR], 1);
	assert_int_equal(script_param_int(st, "size", &v), 0);
	assert_int_equal(v, 3072);
	assert_int_equal(script_param_bool(st, "extractable", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(script_param_int(st, "absent", &v), CE_ERR_NOT_FOUND);
	assert_string_equal(script_param_str(st, "id"), "0a");
	assert_int_equal(st->noutputs, 1);
	assert_string_equal(st->outputs[0].path, "a.pem");
	assert_null(script_step_find(s, "nope"));
	script_free(s);
	diag_free(&d);
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("    title: Keygen\n", "    title: Keygen\n    colour: red\n", 20, 5,
		     "unknown key 'colour' in step 'keygen'");
	expect_error("name: Test\n", "name: Test\nnmae: Test\n", 3, 1, "unknown key 'nmae'");
	expect_error("extractable: true}", "extractable: true, bits: 1}", 21, 88,
		     "unknown key 'bits'");
}

static void test_wrong_type(void **state)
{
	(void)state;
	expect_error("name: Test", "name: {a: 1}", 2, 7, "name must be a scalar, not a mapping");
	expect_error("size: 3072", "size: big", 21, 42, "must be an integer");
	expect_error("extractable: true", "extractable: yes", 21, 82, "must be true or false");
	expect_error("steps:\n", "steps: {}\nx:\n", 11, 8, "steps must be a sequence");
}

static void test_missing_field(void **state)
{
	(void)state;
	expect_error("    title: Keygen\n", "", 18, 5, "missing required key 'title'");
	expect_error("version: \"1\"\n", "", 1, 1, "missing required key 'version'");
	expect_error("label: k1, ", "", 21, 11, "key.generate needs parameter 'label'");
}

static void test_unknown_action(void **state)
{
	(void)state;
	expect_error("action: key.generate", "action: key.generat", 20, 13,
		     "unknown action 'key.generat'");
}

static void test_duplicate_id(void **state)
{
	(void)state;
	expect_error("  - id: keygen\n", "  - id: attendance\n", 18, 9,
		     "duplicate step id 'attendance' (first at line 12)");
}

static void test_uri(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(script_uri_check("pkcs11:token=A%20B", &why), 0);
	assert_int_equal(script_uri_check("pkcs11:model=SoftHSM%20v2;serial=1?module-path=/x.so", &why), 0);
	assert_int_equal(script_uri_check("pkcs11:token=A?pin-value=1", &why), CE_ERR_FORMAT);
	assert_non_null(strstr(why, "PIN"));
	assert_int_equal(script_uri_check("pkcs11:token=A?pin-source=x", &why), CE_ERR_FORMAT);
	assert_int_equal(script_uri_check("pkcs11:", &why), CE_ERR_FORMAT);
	assert_int_equal(script_uri_check("pkcs11:token=A;id=%01", &why), CE_ERR_FORMAT);
	assert_int_equal(script_uri_check("pkcs11:token=A%", &why), CE_ERR_FORMAT);
	assert_int_equal(script_uri_check("pkcs11:token=A%zz", &why), CE_ERR_FORMAT);
	assert_int_equal(script_uri_check("pkcs12:token=A", &why), CE_ERR_FORMAT);
	expect_error("pkcs11:token=Main%20CA;serial=01", "pkcs11:token=Main?pin-value=1", 6, 9,
		     "carries a PIN");
}

static void test_bad_counts(void **state)
{
	(void)state;
	expect_error("key-holder: 3}", "key-holder: 0}", 7, 83, "between 1 and 32");
	expect_error("{threshold: 2, count: 3}], group-threshold: 1}",
		     "{threshold: 3, count: 2}], group-threshold: 1}", 9, 59, "larger than count");
	expect_error("actors: {hsm-administrator: 1}", "actors: {hsm-administrator: -1}", 22, 33,
		     "between 1 and 32");
}

static void test_oversized(void **state)
{
	char *big;
	struct script *s = NULL;
	struct diag d;
	size_t n = YTREE_MAX_BYTES + 1;
	char path[] = "/tmp/ceremony-test-script-XXXXXX";
	int fd;

	(void)state;
	big = malloc(n);
	assert_non_null(big);
	memset(big, '#', n);
	diag_init(&d);
	assert_int_equal(script_load_mem("big.yaml", big, n, &s, &d), CE_ERR_TOO_LARGE);
	assert_null(s);
	assert_true(has_error(&d, 1, 1, "larger than"));
	diag_free(&d);
	/* the same through a file; and exactly at the bound it is read */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, n), (ssize_t)n);
	close(fd);
	diag_init(&d);
	assert_int_equal(script_load(path, &s, &d), CE_ERR_TOO_LARGE);
	assert_true(has_error(&d, 1, 1, "larger than"));
	diag_free(&d);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, n - 1), (ssize_t)(n - 1));
	close(fd);
	diag_init(&d);
	/* all comment: an empty document, a format error, not a size error */
	assert_int_equal(script_load(path, &s, &d), CE_ERR_FORMAT);
	assert_true(has_error(&d, 1, 1, "empty document"));
	diag_free(&d);
	unlink(path);
	free(big);
}

static void test_no_detail_without_diag(void **state)
{
	struct script *s = NULL;
	const char *bad = "format: 1\nname: x\nbogus: 1\n";

	(void)state;
	ce_err_clear();
	assert_int_equal(script_load_mem("x.yaml", bad, strlen(bad), &s, NULL), CE_ERR_FORMAT);
	assert_null(s);
	/* the first error becomes the detail, with its place */
	assert_non_null(strstr(ce_err_detail(), "x.yaml:3:1: error: unknown key 'bogus'"));
}

static void test_aliases_refused(void **state)
{
	(void)state;
	expect_error("    actors: {hsm-administrator: 1}\n", "    actors: &x {hsm-administrator: 1}\n",
		     22, 13, "anchors are not allowed");
}

static void test_sha256_of_bytes_read(void **state)
{
	struct script *s = NULL, *s2 = NULL;
	unsigned char want[32];
	char copy[sizeof(base)];

	(void)state;
	assert_int_equal(script_load_mem("t.yaml", base, strlen(base), &s, NULL), 0);
	assert_true(EVP_Digest(base, strlen(base), want, NULL, EVP_sha256(), NULL));
	assert_memory_equal(s->tree->sha256, want, 32);
	/* one byte changed (the last newline): another digest */
	memcpy(copy, base, sizeof(base));
	copy[strlen(base) - 1] = '#';
	assert_int_equal(script_load_mem("t.yaml", copy, strlen(copy), &s2, NULL), 0);
	assert_memory_not_equal(s2->tree->sha256, want, 32);
	script_free(s);
	script_free(s2);
}

static void test_action_table(void **state)
{
	static const char *const want[] = {
		"attendance", "checklist", "token.init", "quorum.login", "key.generate",
		"key.export-public", "cert.self-sign", "csr.create", "cert.issue", "crl.sign",
		"key.backup", "key.restore", "shares.reshare", "pin.rotate", "key.destroy",
		"fingerprint", "roster.change", NULL
	};
	size_t i;
	const struct script_param_spec *p;

	(void)state;
	for (i = 0; want[i] != NULL; i++)
		assert_non_null(script_action_find(want[i]));
	assert_null(script_action_find("key.levitate"));
	/* every parameter spec is sane */
	for (i = 0; script_actions[i].name != NULL; i++)
		for (p = script_actions[i].params; p->key != NULL; p++) {
			if (p->type == PT_ENUM || p->type == PT_SECRET)
				assert_non_null(p->choices);
			if (p->type == PT_INT)
				assert_true(p->min <= p->max);
		}
}

static void test_reshare_layout(void **state)
{
	struct diag d;
	struct script *s;
	int rc;
	struct script_layout l;

	(void)state;
	diag_init(&d);
	s = load_sub("    outputs: [a.pem]\n",
		     "    outputs: [a.pem]\n  - id: re\n    title: Re\n    action: shares.reshare\n"
		     "    with: {secret: user-pin, groups: [{threshold: 3, count: 5}]}\n"
		     "    actors: {key-holder: 3}\n    witnesses: [security-officer]\n", &d, &rc);
	assert_int_equal(rc, 0);
	script_step_issue_layout(script_step_find(s, "re"), script_secret_find(s, "user-pin"), &l);
	assert_int_equal(script_layout_total(&l), 5);
	assert_int_equal(script_layout_quorum(&l), 3);
	script_free(s);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_missing_field),
		cmocka_unit_test(test_unknown_action),
		cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_bad_counts),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_no_detail_without_diag),
		cmocka_unit_test(test_aliases_refused),
		cmocka_unit_test(test_sha256_of_bytes_read),
		cmocka_unit_test(test_action_table),
		cmocka_unit_test(test_reshare_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
