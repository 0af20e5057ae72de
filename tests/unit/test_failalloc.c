/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation failures (tests/unit/failalloc.h): each operation below is run
 * with its 1st, 2nd, 3rd ... allocation failing (malloc, calloc, realloc,
 * strdup of the product libraries, jansson's and OpenSSL's allocations),
 * until a run injects nothing (the operation's last allocation is passed).
 * Each run must end cleanly: either the operation succeeds anyway (and what
 * it made is right: the transcript verifies, the verdict is the one of the
 * run without failures), or it returns a CE_ERR_* code with a detail
 * message, and nothing half-written is left (no final output file, no
 * temporary file, no signature of a transcript the verifier refuses). Under
 * ASan (make check-asan) LSan reports any leak of those error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/cosign.h"
#include "ceremony/transcript/format.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/transcript/transcript.h"
#include "ceremony/verify/verify.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "tests/unit/failalloc.h"

#include <dirent.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Far above any operation here (a transcript run is a few thousand). */
#define MAX_RUNS 200000UL

/* Under ASan (make check-asan) every allocation costs a full stack unwind
 * and the whole loop would take most of an hour: there, a sample of the
 * allocations is failed (1, 1 + STRIDE, ...), enough for the leak and
 * memory checks of the error paths; the normal build fails every one. */
#if defined(__SANITIZE_ADDRESS__)
#define FAIL_STRIDE 17UL
#else
#define FAIL_STRIDE 1UL
#endif

static char dir[256];
static EVP_PKEY *key;
static X509 *cert;

static int setup(void **state)
{
	(void)state;
	/* tmpfs when there is one: the writer syncs every line, thousands of runs */
	snprintf(dir, sizeof(dir), "%s/ceremony-test-failalloc.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	key = EVP_EC_gen("P-256");
	if (key == NULL || transcript_signer_cert_create(key, "0123456789abcdef0123456789abcdef", &cert) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	X509_free(cert);
	EVP_PKEY_free(key);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh empty folder for one run (the last one removed). */
static void fresh_dir(char *sub, size_t cap, const char *name)
{
	char cmd[600];

	snprintf(sub, cap, "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir %s", sub, sub);
	assert_int_equal(system(cmd), 0);
}

/* The names in folder d that are not in keep (NULL-terminated): none may
 * be there (a temporary or half-written file). */
static void only_these(const char *d, const char *const *keep, unsigned long n)
{
	DIR *dp = opendir(d);
	struct dirent *e;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		const char *const *k;
		int ok = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;

		for (k = keep; !ok && *k != NULL; k++)
			ok = strcmp(e->d_name, *k) == 0;
		if (!ok)
			fail_msg("allocation %lu: %s/%s left behind", n, d, e->d_name);
	}
	closedir(dp);
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * The loop. op runs the operation (its result code); check(ctx, rc, n) checks
 * what it left, for both outcomes. A failing run must set an error code and a
 * detail. Returns the number of allocations of the operation.
 */
/* Errors returned without a message, each place once. */
#define SILENT_MAX 64
static char silent[SILENT_MAX][1024];
static size_t n_silent;

static void no_message(const char *what, unsigned long n, int rc)
{
	char w[1024];
	size_t i;

	failalloc_where(w, sizeof(w));
	for (i = 0; i < n_silent; i++)
		if (strcmp(silent[i], w) == 0)
			return;
	if (n_silent < SILENT_MAX)
		snprintf(silent[n_silent++], sizeof(silent[0]), "%s", w);
	print_message("%s: allocation %lu: error %d without a message; failed at:\n%s\n", what, n, rc, w);
}

typedef int (*op_fn)(void *ctx);
typedef void (*check_fn)(void *ctx, int rc, unsigned long n);

static unsigned long each_allocation(const char *what, op_fn op, check_fn check, void *ctx)
{
	unsigned long n, total;
	int rc, fired;

	n_silent = 0;
	/* once without failing: lazy initialisations (OpenSSL's providers and
	 * method stores) are done before the loop, and the count is known */
	failalloc_arm(0);
	rc = op(ctx);
	failalloc_disarm();
	total = failalloc_count();
	if (rc != 0)
		fail_msg("%s: fails without an injected failure: %d %s", what, rc, ce_err_detail());
	check(ctx, rc, 0);
	for (n = 1; n < MAX_RUNS; n += FAIL_STRIDE) {
		ce_err_clear();
		ERR_clear_error();
		failalloc_arm(n);
		rc = op(ctx);
		fired = failalloc_disarm();
		if (rc != 0) {
			if (!fired)
				fail_msg("%s: allocation %lu not failed, yet error %d %s", what, n, rc,
					 ce_err_detail());
			if (rc > 0 || ce_err_detail()[0] == '\0')
				no_message(what, n, rc);
		}
		check(ctx, rc, n);
		if (!fired)
			break;
	}
	ERR_clear_error();
	assert_true(n < MAX_RUNS);
	if (n_silent != 0)
		fail_msg("%s: %zu error(s) without a message", what, n_silent);
	print_message("%s: %lu allocations (%lu counted on the first run), each failed once\n", what,
		      n - 1, total);
	return n - 1;
}

/* ---- transcript writer: open, events, close, sign ---- */

struct tctx {
	char sub[300];
	char path[400];
	int hold; /* the runner's end: hold, hold_sign, release, close, sig_write */
	unsigned runs;
};

static int append_start(struct transcript *t)
{
	static const char *const roles[] = { "security-officer", "system-auditor", NULL };
	json_t *d = json_object(), *persons = NULL, *p;
	int r = CE_ERR_NOMEM;

	if (d == NULL)
		return ce_err_set(CE_ERR_NOMEM, "test: details");
	r = transcript_host_details(d);
	if (r != 0)
		goto out;
	r = CE_ERR_NOMEM;
	if (json_object_set_new(d, "ceremony_id", json_string("0123456789abcdef0123456789abcdef")) != 0 ||
	    json_object_set_new(d, "rehearsal", json_true()) != 0 ||
	    json_object_set_new(d, "script_sha256", json_string(H64)) != 0 ||
	    json_object_set_new(d, "roster_sha256", json_string(H64)) != 0) {
		ce_err_set(CE_ERR_NOMEM, "test: details");
		goto out;
	}
	persons = json_array();
	p = transcript_person("alice", "Alice Martin", roles);
	if (persons == NULL || p == NULL || json_array_append_new(persons, p) != 0) {
		ce_err_set(CE_ERR_NOMEM, "test: persons");
		goto out;
	}
	r = transcript_append(t, "ceremony.start", NULL, persons, NULL, d);
out:
	json_decref(persons);
	json_decref(d);
	return r;
}

static int append_pack(struct transcript *t, const char *type, const char *step, json_t *d)
{
	int r;

	if (d == NULL)
		return ce_err_set(CE_ERR_NOMEM, "test: json_pack for %s", type);
	r = transcript_append(t, type, step, NULL, NULL, d);
	json_decref(d);
	return r;
}

static int transcript_events(struct transcript *t)
{
	json_t *kd = NULL;
	int r;

	r = append_start(t);
	if (r == 0)
		r = transcript_key_details(key, 1, &kd);
	if (r == 0)
		r = append_pack(t, "transcript.key", NULL, kd);
	if (r == 0)
		r = append_pack(t, "step.start", "s1", json_object());
	if (r == 0)
		r = append_pack(t, "login", "s1", json_pack("{s:s}", "user", "so"));
	if (r == 0)
		r = append_pack(t, "step.end", "s1", json_pack("{s:s}", "status", "done"));
	return r;
}

static int op_transcript(void *arg)
{
	struct tctx *c = arg;
	struct transcript *t = NULL;
	char *pem = NULL;
	size_t pem_len = 0;
	int r;

	fresh_dir(c->sub, sizeof(c->sub), c->hold ? "hold" : "plain");
	snprintf(c->path, sizeof(c->path), "%s/t.jsonl", c->sub);
	r = transcript_open(c->path, &t);
	if (r != 0)
		return r;
	transcript_set_sync(t, 0);
	r = transcript_events(t);
	if (r == 0 && c->hold)
		r = transcript_hold(t);
	if (r == 0)
		r = append_pack(t, "ceremony.end", NULL, json_pack("{s:s}", "status", "completed"));
	if (r == 0 && c->hold) {
		r = transcript_hold_sign(t, key, NULL, cert, &pem, &pem_len);
		if (r == 0)
			r = transcript_hold_release(t, 1);
		else if (transcript_hold_release(t, 0) != 0)
			fail_msg("hold_release(0) failed after %d", r);
	}
	if (r == 0)
		r = transcript_close(t);
	if (r == 0)
		r = c->hold ? transcript_sig_write(t, pem, pem_len, cert) : transcript_sign(t, key, cert);
	free(pem);
	transcript_free(t);
	return r;
}

/* Whatever happened, the transcript is a prefix the verifier accepts (never
 * FAILED), and a signature is there only when the whole run succeeded. */
static void check_transcript(void *arg, int rc, unsigned long n)
{
	struct tctx *c = arg;
	const char *keep[] = { "t.jsonl", "t.jsonl.p7s", "t-signer.pem", NULL };
	struct verify_opts opts;
	struct verify_report rep;
	char sig[420];
	int r;

	only_these(c->sub, keep, n);
	snprintf(sig, sizeof(sig), "%s.p7s", c->path);
	if (!exists(c->path)) {
		assert_true(rc != 0);
		return;
	}
	memset(&opts, 0, sizeof(opts));
	r = verify_transcript(c->path, &opts, &rep);
	if (r != 0)
		fail_msg("allocation %lu: the verifier cannot read what was left: %s", n, ce_err_detail());
	if (rc == 0 && rep.verdict != VERIFY_OK)
		fail_msg("allocation %lu: success, but verdict %d: %s", n, rep.verdict, rep.reason);
	if (rc != 0 && rep.verdict == VERIFY_FAILED)
		fail_msg("allocation %lu: error %d left a transcript that FAILS: %s", n, rc, rep.reason);
	if (rc != 0 && exists(sig) && rep.verdict != VERIFY_OK)
		fail_msg("allocation %lu: error %d left a signature: %s", n, rc, rep.reason);
}

static void test_transcript_writer(void **state)
{
	struct tctx c;

	(void)state;
	memset(&c, 0, sizeof(c));
	each_allocation("transcript open, events, close, sign", op_transcript, check_transcript, &c);
	c.hold = 1;
	each_allocation("transcript hold, hold_sign, release, sig_write", op_transcript, check_transcript, &c);
}

/* transcript_sign_test and the signer certificate. */
static int op_sign_test(void *arg)
{
	X509 *x = NULL;
	int r;

	(void)arg;
	r = transcript_sign_test(key, NULL, cert, "0123456789abcdef0123456789abcdef");
	if (r == 0)
		r = transcript_signer_cert_create(key, "0123456789abcdef0123456789abcdef", &x);
	if (r != 0)
		assert_null(x);
	X509_free(x);
	return r;
}

static void check_nothing(void *arg, int rc, unsigned long n)
{
	(void)arg;
	(void)rc;
	(void)n;
}

static void test_sign_test(void **state)
{
	(void)state;
	each_allocation("transcript_sign_test, signer certificate", op_sign_test, check_nothing, NULL);
}

/* ---- co-signature ---- */

struct cctx {
	char *pem;
	size_t pem_len;
	EVP_PKEY *card;
	X509 *card_cert;
	char *out;
	size_t out_len;
};

static int op_cosign(void *arg)
{
	struct cctx *c = arg;

	c->out = NULL;
	return transcript_cosign_add(c->pem, c->pem_len, c->card, c->card_cert, &c->out, &c->out_len);
}

static void check_cosign(void *arg, int rc, unsigned long n)
{
	struct cctx *c = arg;

	if (rc != 0 && c->out != NULL)
		fail_msg("allocation %lu: error %d, yet an output", n, rc);
	if (rc == 0)
		assert_memory_equal(c->out, "-----BEGIN CMS-----\n", 20);
	free(c->out);
	c->out = NULL;
}

static void test_cosign(void **state)
{
	struct tctx t;
	struct cctx c;
	char *sig;
	struct buf b;

	(void)state;
	memset(&t, 0, sizeof(t));
	memset(&c, 0, sizeof(c));
	assert_int_equal(op_transcript(&t), 0);
	sig = malloc(strlen(t.path) + 5);
	assert_non_null(sig);
	sprintf(sig, "%s.p7s", t.path);
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_read_file(&b, sig, 1 << 20), 0);
	c.pem = b.p;
	c.pem_len = b.len;
	c.card = EVP_EC_gen("P-256");
	assert_non_null(c.card);
	assert_int_equal(transcript_signer_cert_create(c.card, "00112233445566778899aabbccddeeff", &c.card_cert), 0);
	each_allocation("transcript_cosign_add", op_cosign, check_cosign, &c);
	X509_free(c.card_cert);
	EVP_PKEY_free(c.card);
	buf_free(&b);
	free(sig);
}

/* ---- tjson ---- */

struct jctx {
	const char *s;
};

static int op_tjson(void *arg)
{
	struct jctx *c = arg;
	struct tj_doc d;
	char why[256];
	int r;

	r = tj_init(&d, 1 << 20);
	if (r != 0)
		return r;
	why[0] = '\0';
	r = tj_parse(&d, c->s, strlen(c->s), why, sizeof(why));
	if (r != 0 && why[0] != '\0') /* tj_parse's message is why */
		ce_err_set(r, "tj_parse: %s", why);
	if (r == 0 && tj_get(&d, 0, "k199") < 0)
		fail_msg("parsed without k199");
	tj_free(&d);
	return r;
}

static void test_tjson(void **state)
{
	struct jctx c;
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_append(&b, "{", 1), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(buf_printf(&b, "%s\"k%d\":[\"a\\u00e9\",%d,{\"x\":null,\"y\":true}]", i ? "," : "", i, i), 0);
	assert_int_equal(buf_append(&b, "}", 1), 0);
	c.s = b.p;
	each_allocation("tj_init, tj_parse of 200 keys", op_tjson, check_nothing, &c);
	buf_free(&b);
}

/* ---- verifier ---- */

struct vctx {
	const char *path;
	struct verify_opts opts;
	struct verify_report ref;
	struct verify_report rep;
	int sig_lenient;  /* the OpenSSL case check_verify describes */
	unsigned lenient; /* runs it let through */
};

static int op_verify(void *arg)
{
	struct vctx *c = arg;

	memset(&c->rep, 0, sizeof(c->rep));
	return verify_transcript(c->path, &c->opts, &c->rep);
}

/* The verdict of a run that reached one is the verdict without failures:
 * an allocation failure never makes a transcript FAIL (or pass). */
static void check_verify(void *arg, int rc, unsigned long n)
{
	struct vctx *c = arg;

	if (n == 0) {
		c->ref = c->rep;
		return;
	}
	/* Known, not fixed: OpenSSL 3.0 reports some allocation failures
	 * inside CMS and certificate checks as a signature or certificate that
	 * does not verify, with no reason to tell them apart; the verdict is
	 * then FAILED at the signature (line 0, every event read), never OK
	 * and never a rule of the events. */
	if (rc == 0 && c->sig_lenient && c->rep.verdict == VERIFY_FAILED && c->rep.fail_line == 0 &&
	    c->rep.events == c->ref.events) {
		c->lenient++;
		return;
	}
	if (rc == 0 && (c->rep.verdict != c->ref.verdict || strcmp(c->rep.reason, c->ref.reason) != 0)) {
		char w[1024];

		failalloc_where(w, sizeof(w));
		fail_msg("allocation %lu: verdict %d \"%s\", without failures %d \"%s\"; failed at:\n%s", n,
			 c->rep.verdict, c->rep.reason, c->ref.verdict, c->ref.reason, w);
	}
	/* OpenSSL reports its own allocation failures as failures to fetch
	 * or run an algorithm: CE_ERR_CRYPTO */
	/* the script reader (ceremony/model/script_flow.c check_logins) reports
	 * a failed allocation as a diagnostic of the script: CE_ERR_FORMAT, its
	 * message saying out of memory */
	if (rc == CE_ERR_FORMAT && strstr(ce_err_detail(), "out of memory") != NULL)
		return;
	/* Known, not fixed: with --signer, an allocation failing inside
	 * OpenSSL's PEM reader is reported as the file unreadable (CE_ERR_IO,
	 * ceremony/verify/signature.c): an error with a message, the code
	 * wrong */
	if (rc == CE_ERR_IO && c->sig_lenient && strstr(ce_err_detail(), "cannot read a PEM certificate") != NULL)
		return;
	if (rc != 0 && rc != CE_ERR_NOMEM && rc != CE_ERR_CRYPTO)
		fail_msg("allocation %lu: error %d (%s), not CE_ERR_NOMEM", n, rc, ce_err_detail());
}

/* Write events (one JSON array [type, step, persons, witnesses, details] a
 * line) as a transcript at path. */
static void write_events(const char *spec, const char *path)
{
	struct transcript *t = NULL;
	const char *line = spec;

	assert_int_equal(transcript_open(path, &t), 0);
	transcript_set_sync(t, 0);
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		json_error_t err;
		json_t *ev = json_loadb(line, len, 0, &err);

		if (ev == NULL)
			fail_msg("bad spec line %.*s: %s", (int)len, line, err.text);
		if (transcript_append(t, json_string_value(json_array_get(ev, 0)),
				      json_string_value(json_array_get(ev, 1)), json_array_get(ev, 2),
				      json_array_get(ev, 3), json_array_get(ev, 4)) != 0)
			fail_msg("the writer refused %.*s: %s", (int)len, line, ce_err_detail());
		json_decref(ev);
		line += len + (nl ? 1 : 0);
	}
	assert_int_equal(transcript_close(t), 0);
	transcript_free(t);
}

#define P(id, role) "{\"id\":\"" id "\",\"roles\":[\"" role "\"]}"
#define QS(step, holder, member)                                                                   \
	"[\"quorum.share\",\"" step "\",[],[],{\"set\":\"k\",\"member\":" member                     \
	",\"holder\":\"" holder "\",\"accepted\":true}]\n"

/* A signed transcript, checked with --signer and --expect-key. */
static void test_verify_signed(void **state)
{
	struct tctx t;
	struct vctx c;
	const char *keys[1];
	char pin[VERIFY_PIN_LEN];
	json_t *kd = NULL;
	char *sp;

	(void)state;
	memset(&t, 0, sizeof(t));
	memset(&c, 0, sizeof(c));
	assert_int_equal(op_transcript(&t), 0);
	assert_int_equal(transcript_key_details(key, 1, &kd), 0);
	assert_int_equal(verify_pin_parse(json_string_value(json_object_get(kd, "spki_sha256")), pin, sizeof(pin)), 0);
	json_decref(kd);
	keys[0] = pin;
	sp = transcript_signer_path(t.path);
	assert_non_null(sp);
	c.path = t.path;
	c.opts.signer_path = sp;
	c.opts.expect_keys = keys;
	c.opts.n_expect_keys = 1;
	c.sig_lenient = 1;
	each_allocation("verify a signed transcript", op_verify, check_verify, &c);
	print_message("verify a signed transcript: %u run(s) FAILED at the signature by OpenSSL\n", c.lenient);
	assert_int_equal(c.ref.verdict, VERIFY_OK);
	free(sp);
}

/* The event rules' tables: steps, people, roles, shares, outputs. */
static void test_verify_rules(void **state)
{
	struct vctx c;
	char path[300], out[300];

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "%s/rules.jsonl", dir);
	snprintf(out, sizeof(out), "%s/outputs", dir);
	assert_int_equal(mkdir(out, 0700), 0);
	write_events("[\"ceremony.start\",null,[],[],{\"ceremony_id\":\"0123456789abcdef0123456789abcdef\","
		     "\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\","
		     "\"rehearsal\":true,\"clock\":{},\"script_sha256\":\"" H64 "\","
		     "\"roster_sha256\":\"" H64 "\"}]\n"
		     "[\"attendance\",null,[" P("a", "security-officer") "],[],{\"status\":\"present\"}]\n"
		     "[\"role.assign\",null,[" P("b", "system-auditor") "],[],{\"role\":\"system-auditor\"}]\n"
		     "[\"step.start\",\"s1\",[" P("a", "security-officer") "],[" P("b", "system-auditor") "],{}]\n"
		     "[\"witness.confirm\",\"s1\",[],[" P("b", "system-auditor") "],{}]\n"
		     "[\"step.end\",\"s1\",[],[],{\"status\":\"done\"}]\n"
		     "[\"step.start\",\"q\",[],[],{}]\n" QS("q", "h1", "1") QS("q", "h2", "2") QS("q", "h3", "3")
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":2,\"holders\":[\"h1\",\"h2\"]}]\n"
		     "[\"step.end\",\"q\",[],[],{\"status\":\"done\"}]\n"
		     "[\"step.start\",\"s2\",[],[],{}]\n"
		     "[\"step.end\",\"s2\",[],[],{\"status\":\"done\"}]\n"
		     "[\"ceremony.end\",null,[],[],{\"status\":\"completed\"}]",
		     path);
	c.path = path;
	c.opts.outputs_dir = out;
	each_allocation("verify the event rules", op_verify, check_verify, &c);
	assert_int_not_equal(c.ref.verdict, VERIFY_OK); /* not signed */
}

/* --script and --roster (tests/data/verify): the script semantics. */
static void test_verify_script(void **state)
{
	static const char *const script = "tests/data/verify/script.yaml";
	static const char *const roster = "tests/data/verify/roster.yaml";
	struct vctx c;
	char path[300], sh[65], rh[65], *spec = malloc(16384);
	uint8_t h[32];

	(void)state;
	assert_non_null(spec);
	memset(&c, 0, sizeof(c));
	assert_int_equal(transcript_file_sha256(script, h, NULL), 0);
	hex_encode(h, 32, sh);
	assert_int_equal(transcript_file_sha256(roster, h, NULL), 0);
	hex_encode(h, 32, rh);
	snprintf(spec, 16384,
		 "[\"ceremony.start\",null,[],[],{\"ceremony_id\":\"0123456789abcdef0123456789abcdef\","
		 "\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,"
		 "\"clock\":{},\"script_sha256\":\"%s\",\"roster_sha256\":\"%s\",\"policy_date\":\"2026-01-01\"}]\n"
		 "[\"step.start\",\"attendance\",[" P("alice", "security-officer") "],[" P("erin", "system-auditor") "],{}]\n"
		 "[\"role.assign\",\"attendance\",[" P("alice", "security-officer") "],[],{\"role\":\"security-officer\"}]\n"
		 "[\"role.assign\",\"attendance\",[" P("erin", "system-auditor") "],[],{\"role\":\"system-auditor\"}]\n"
		 "[\"role.assign\",\"attendance\",[" P("dave", "hsm-administrator") "],[],{\"role\":\"hsm-administrator\"}]\n"
		 "[\"role.assign\",\"attendance\",[" P("bob", "key-holder") "],[],{\"role\":\"key-holder\"}]\n"
		 "[\"role.assign\",\"attendance\",[" P("kate", "key-holder") "],[],{\"role\":\"key-holder\"}]\n"
		 "[\"step.end\",\"attendance\",[],[],{\"status\":\"done\"}]\n"
		 "[\"step.start\",\"login\",[" P("bob", "key-holder") "," P("kate", "key-holder") "],[" P("alice", "security-officer") "],{}]\n"
		 QS("login", "bob", "1") QS("login", "kate", "2")
		 "[\"quorum.met\",\"login\",[],[],{\"set\":\"k\",\"threshold\":2,\"holders\":[\"bob\",\"kate\"]}]\n"
		 "[\"step.end\",\"login\",[],[],{\"status\":\"done\"}]",
		 sh, rh);
	snprintf(path, sizeof(path), "%s/script.jsonl", dir);
	write_events(spec, path);
	c.path = path;
	c.opts.script_path = script;
	c.opts.roster_path = roster;
	each_allocation("verify with --script and --roster", op_verify, check_verify, &c);
	print_message("verdict without failures: %d %s\n", c.ref.verdict, c.ref.reason);
	free(spec);
}

/* ---- common/: buf and outfile ---- */

struct octx {
	char sub[300];
	char path[400];
};

static int op_buf(void *arg)
{
	struct octx *c = arg;
	struct buf b;
	int i, r = 0;

	buf_init(&b, 1 << 20);
	for (i = 0; r == 0 && i < 64; i++)
		r = buf_printf(&b, "line %d of a buffer that grows a few times\n", i);
	if (r == 0)
		r = buf_append(&b, "end", 3);
	buf_free(&b);
	buf_init(&b, 1 << 20);
	if (r == 0)
		r = buf_read_file(&b, c->path, 1 << 20);
	buf_free(&b);
	return r;
}

static int op_outfile(void *arg)
{
	struct octx *c = arg;
	struct outfile of;
	int r;

	fresh_dir(c->sub, sizeof(c->sub), "out");
	snprintf(c->path, sizeof(c->path), "%s/final.pem", c->sub);
	r = outfile_write_all(c->path, 0600, "data\n", 5);
	if (r != 0)
		return r;
	snprintf(c->path, sizeof(c->path), "%s/second.pem", c->sub);
	memset(&of, 0, sizeof(of));
	r = outfile_create(&of, c->path, 0600);
	if (r != 0)
		return r;
	r = outfile_write(&of, "more\n", 5);
	if (r == 0)
		r = outfile_commit(&of);
	outfile_abort(&of);
	return r;
}

/* Nothing but the final files, each only when made. */
static void check_outfile(void *arg, int rc, unsigned long n)
{
	struct octx *c = arg;
	static const char *const keep[] = { "final.pem", "second.pem", NULL };

	only_these(c->sub, keep, n);
	if (rc != 0 && exists(c->path))
		fail_msg("allocation %lu: error %d, yet %s is there", n, rc, c->path);
}

static void test_common(void **state)
{
	struct octx c;

	(void)state;
	memset(&c, 0, sizeof(c));
	each_allocation("outfile_write_all, outfile_create/write/commit", op_outfile, check_outfile, &c);
	snprintf(c.path, sizeof(c.path), "tests/data/verify/script.yaml");
	each_allocation("buf_printf, buf_append, buf_read_file", op_buf, check_nothing, &c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcript_writer),
		cmocka_unit_test(test_sign_test),
		cmocka_unit_test(test_cosign),
		cmocka_unit_test(test_tjson),
		cmocka_unit_test(test_verify_signed),
		cmocka_unit_test(test_verify_rules),
		cmocka_unit_test(test_verify_script),
		cmocka_unit_test(test_common),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
