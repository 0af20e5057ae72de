/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the verifier's event-level rules (ceremony/verify/rules.c)
 * one by one: each case is a transcript the writer itself chains and checks
 * (so seq, prev, times and the format pass), whose events break exactly one
 * rule; verify_transcript must say FAILED with that rule's reason at that
 * line. The twin of each family is a transcript that keeps the rule and is
 * not FAILED (INCOMPLETE: unsigned). Also the limits of the rule tables
 * (steps, persons, people of a step, shares of a step), which grow with the
 * transcript up to them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/format.h"
#include "ceremony/transcript/transcript.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"
#include "common/hex.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];
static unsigned serial;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ceremony-test-vrules.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define START                                                                                      \
	"[\"ceremony.start\",null,[],[],{\"ceremony_id\":\"0123456789abcdef0123456789abcdef\","    \
	"\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,"     \
	"\"clock\":{},\"script_sha256\":\"" H64 "\",\"roster_sha256\":\"" H64 "\"}]"
#define P(id) "{\"id\":\"" id "\",\"roles\":[]}"
#define PR(id, role) "{\"id\":\"" id "\",\"roles\":[\"" role "\"]}"
#define SS(step) "[\"step.start\",\"" step "\",[],[],{}]"
#define SE(step) "[\"step.end\",\"" step "\",[],[],{\"status\":\"done\"}]"
#define QS(step, holder, member)                                                                   \
	"[\"quorum.share\",\"" step "\",[],[],{\"set\":\"k\",\"member\":" member                     \
	",\"holder\":\"" holder "\",\"accepted\":true}]"

/* Write the events (each a JSON array [type, step, persons, witnesses,
 * details], one a line of spec) as a transcript; its path in path. */
static void write_events(const char *spec, char *path, size_t cap)
{
	struct transcript *t = NULL;
	const char *line = spec;

	snprintf(path, cap, "%s/t%u.jsonl", dir, serial++);
	assert_int_equal(transcript_open(path, &t), 0);
	transcript_set_sync(t, 0);
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		json_error_t err;
		json_t *ev;

		if (len == 0) { /* blank lines of the spec are not events */
			line += nl ? 1 : 0;
			continue;
		}
		ev = json_loadb(line, len, 0, &err);
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

/* Verify spec's transcript; FAILED at line with a reason holding want, or
 * (want NULL) not FAILED. */
static void expect_outputs(const char *spec, const char *outputs, uint64_t line, const char *want)
{
	struct verify_opts opts;
	struct verify_report rep;
	char path[320];

	memset(&opts, 0, sizeof(opts));
	opts.outputs_dir = outputs;
	write_events(spec, path, sizeof(path));
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	if (want == NULL) {
		if (rep.verdict == VERIFY_FAILED)
			fail_msg("FAILED: %s", rep.reason);
		return;
	}
	if (rep.verdict != VERIFY_FAILED || strstr(rep.reason, want) == NULL || rep.fail_line != line)
		fail_msg("verdict %d line %llu \"%s\", expected FAILED at %llu with \"%s\"", rep.verdict,
			 (unsigned long long)rep.fail_line, rep.reason, (unsigned long long)line, want);
}

static void expect(const char *spec, uint64_t line, const char *want)
{
	expect_outputs(spec, NULL, line, want);
}

static void test_structure(void **state)
{
	char key[1024], words[FINGERPRINT_WORDS_MAX_LEN], spec[4096];

	(void)state;
	expect(START "\n[\"logout\",null,[],[],{\"user\":\"u\"}]", 0, NULL); /* twin */
	expect("[\"logout\",null,[],[],{\"user\":\"u\"}]", 1, "the first event is logout, not ceremony.start");
	expect(START "\n" START, 2, "ceremony.start again");
	expect(START "\n[\"ceremony.end\",null,[],[],{\"status\":\"completed\"}]\n"
		     "[\"logout\",null,[],[],{\"user\":\"u\"}]",
	       3, "logout after ceremony.end");
	assert_int_equal(ceremony_fingerprint_words_hex(H64, words, sizeof(words)), 0);
	snprintf(key, sizeof(key),
		 "[\"transcript.key\",null,[],[],{\"spki_sha256\":\"" H64 "\",\"fingerprint\":\"%s\","
		 "\"public_key_pem\":\"p\",\"ephemeral\":true}]",
		 words);
	snprintf(spec, sizeof(spec), "%s\n%s", START, key);
	expect(spec, 0, NULL); /* twin: one key whose words match */
	snprintf(spec, sizeof(spec), "%s\n%s\n%s", START, key, key);
	expect(spec, 3, "a second transcript.key (the first is at line 2)");
	expect(START "\n[\"transcript.key\",null,[],[],{\"spki_sha256\":\"" H64 "\",\"fingerprint\":\"academic\","
		     "\"public_key_pem\":\"p\",\"ephemeral\":true}]",
	       2, "the fingerprint words do not match spki_sha256");
}

static void test_steps_and_people(void **state)
{
	(void)state;
	expect(START "\n" SS("a") "\n" SE("a") "\n" SS("b") "\n" SE("b"), 0, NULL);
	expect(START "\n" SS("a") "\n" SS("b"), 3, "step b starts while step a is still running");
	expect(START "\n" SS("a") "\n" SE("a") "\n" SS("a"), 4, "step a runs a second time (first at line 2)");
	expect(START "\n" SS("a") "\n" SE("a") "\n" SE("a"), 4, "step.end for step a, which is not running");
	expect(START "\n[\"step.start\",\"a\",[" P("x") "],[],{}]\n[\"witness.confirm\",\"a\",[],[" P("x") "],{}]",
	       3, "step a: x witnesses their own step (policy 5.2.1)");
	expect(START "\n[\"step.start\",\"a\",[],[" P("w") "],{}]\n"
		     "[\"login\",\"a\",[" P("w") "],[],{\"user\":\"user\"}]",
	       3, "step a: w acts in a step they witness (policy 5.2.1)");
	expect(START "\n[\"step.start\",\"a\",[" P("x") "],[" P("w") "],{}]\n"
		     "[\"login\",\"a\",[" P("x") "],[" P("w") "],{\"user\":\"user\"}]",
	       0, NULL); /* twin: the same actor and witness again */
	expect(START "\n[\"role.assign\",null,[" P("x") "],[],{\"role\":\"security-officer\"}]\n"
		     "[\"role.assign\",null,[" P("x") "],[],{\"role\":\"hsm-administrator\"}]",
	       3, "x holds both security-officer and hsm-administrator, a forbidden pair (policy 4.2.4)");
	expect(START "\n[\"role.assign\",null,[" P("x") "],[],{\"role\":\"security-officer\"}]\n"
		     "[\"role.revoke\",null,[" P("x") "],[],{\"role\":\"security-officer\"}]\n"
		     "[\"role.assign\",null,[" P("x") "],[],{\"role\":\"hsm-administrator\"}]",
	       0, NULL); /* twin: revoked before the other is assigned */
	expect(START "\n[\"attendance\",null,[" PR("x", "system-operator") "],[],{\"status\":\"present\"}]\n"
		     "[\"step.start\",\"a\",[" PR("x", "system-administrator") "],[],{}]",
	       3, "x holds both system-operator and system-administrator");
}

static void test_quorum(void **state)
{
	(void)state;
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n" QS("q", "h2", "2") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":2,\"holders\":[\"h1\",\"h2\"]}]",
	       0, NULL);
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n" QS("q", "h1", "2"), 4,
	       "step q: h1 presents a second share of set k (first at line 3)");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n" QS("q", "h2", "1"), 4,
	       "share 1, group 1, set k accepted twice (first at line 3)");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "17"), 3,
	       "quorum.share: group or member is not an integer 1..16");
	expect(START "\n" SS("q") "\n[\"quorum.share\",\"q\",[],[],{\"set\":\"k\",\"member\":1,\"group\":0,"
		     "\"holder\":\"h\",\"accepted\":true}]",
	       3, "group or member is not an integer 1..16");
	expect(START "\n" SS("q") "\n[\"quorum.share\",\"q\",[],[],{\"set\":\"k\",\"member\":1,"
		     "\"holder\":\"h1\",\"accepted\":false}]\n" QS("q", "h1", "1"),
	       0, NULL); /* twin: a refused share does not count */
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":1,\"holders\":[1]}]",
	       4, "quorum.met: holders[0] is not a string");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n" QS("q", "h2", "2") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":2,\"holders\":[\"h1\",\"h1\"]}]",
	       5, "quorum for set k counts h1 twice");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":1,\"holders\":[\"h9\"]}]",
	       4, "quorum for set k counts h9, who presented no accepted share");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":2,\"holders\":[\"h1\"]}]",
	       4, "quorum for set k met with 1 distinct holders, threshold 2");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":1,\"holders\":[\"h1\"],"
		     "\"groups\":[],\"group_threshold\":1}]",
	       4, "quorum.met: groups is not 1..16 groups");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":1,\"holders\":[\"h1\"],"
		     "\"groups\":[{\"threshold\":0,\"count\":1}],\"group_threshold\":1}]",
	       4, "quorum.met: groups[0] is not {threshold, count} of 1..16");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":1,\"holders\":[\"h1\"],"
		     "\"groups\":[{\"threshold\":3,\"count\":2}],\"group_threshold\":1}]",
	       4, "quorum.met: a share layout SLIP-39 does not allow");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":1,\"holders\":[\"h1\"],"
		     "\"groups\":[{\"threshold\":2,\"count\":3}],\"group_threshold\":1}]",
	       4, "quorum.met: threshold 1, but the smallest quorum of its groups is 2");
	expect(START "\n" SS("q") "\n" QS("q", "h1", "1") "\n"
		     "[\"quorum.met\",\"q\",[],[],{\"set\":\"k\",\"threshold\":1,\"holders\":[\"h1\"],"
		     "\"groups\":[{\"threshold\":1,\"count\":1}],\"group_threshold\":1}]",
	       0, NULL); /* twin: the layout recorded and met */
}

#define SI(member, deriv)                                                                          \
	"[\"share.issued\",\"s\",[],[],{\"set\":\"k\",\"member\":" member ",\"holder\":\"h" member   \
	"\",\"salt\":\"00\",\"commitment\":\"00\"" deriv "}]"

static void test_share_issued(void **state)
{
	(void)state;
	expect(START "\n" SS("s") "\n" SI("1", ",\"pin_derivation\":\"hkdf-sha256-v1 digits 8\"") "\n"
		     SI("2", ",\"pin_derivation\":\"hkdf-sha256-v1 digits 8\""),
	       0, NULL);
	expect(START "\n" SS("s") "\n" SI("1", ",\"pin_derivation\":\"hkdf-sha256-v1 digits 0\""), 3,
	       "share.issued: pin_derivation is not");
	expect(START "\n" SS("s") "\n" SI("1", ",\"pin_derivation\":\"hkdf-sha256-v2 typeable 8\""), 3,
	       "share.issued: pin_derivation is not");
	expect(START "\n" SS("s") "\n" SI("1", ",\"pin_derivation\":\"hkdf-sha256-v1 hex 8\""), 3,
	       "share.issued: pin_derivation is not");
	expect(START "\n" SS("s") "\n" SI("1", ",\"pin_derivation\":\"hkdf-sha256-v1 typeable 65\""), 3,
	       "share.issued: pin_derivation is not");
	expect(START "\n" SS("s") "\n" SI("1", ",\"pin_derivation\":7"), 3,
	       "share.issued: pin_derivation is not");
	expect(START "\n" SS("s") "\n" SI("1", ",\"pin_derivation\":\"hkdf-sha256-v1 typeable 12\"") "\n"
		     SI("2", ""),
	       4, "share.issued: set k records the PIN derivation '', an earlier share of it 'hkdf-sha256-v1 typeable 12'");
}

static void test_outputs(void **state)
{
	char out[300], cmd[400];
	FILE *f;

	(void)state;
	snprintf(out, sizeof(out), "%s/outputs", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", out);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/o.pem", out);
	f = fopen(cmd, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
	/* SHA-256 of "x\n" */
#define XSHA "73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac"
	expect_outputs(START "\n[\"output.written\",null,[],[],{\"file\":\"o.pem\",\"sha256\":\"" XSHA "\",\"size\":2}]",
		       out, 0, NULL);
	expect_outputs(START "\n[\"output.written\",null,[],[],{\"file\":\"o.pem\",\"sha256\":\"" H64 "\",\"size\":2}]",
		       out, 2, "output o.pem in");
	expect_outputs(START "\n[\"output.written\",null,[],[],{\"file\":\"gone.pem\",\"sha256\":\"" H64 "\",\"size\":2}]",
		       out, 2, "output gone.pem: ");
	expect_outputs(START "\n[\"output.written\",null,[],[],{\"file\":\"a/..\",\"sha256\":\"" H64 "\",\"size\":2}]",
		       out, 2, "output file name \"a/..\" is not a file name");
	expect_outputs(START "\n[\"output.written\",null,[],[],{\"file\":\"a/\",\"sha256\":\"" H64 "\",\"size\":2}]",
		       out, 2, "is not a file name");
}

/* A transcript of n repetitions of the event made by each(i), after
 * ceremony.start (and its prefix); verified. */
static void expect_many(const char *prefix, size_t n, void (*each)(char *buf, size_t cap, size_t i),
			const char *suffix, uint64_t line, const char *want)
{
	size_t cap = 200 * (n + 10), off, i;
	char *spec = malloc(cap);

	assert_non_null(spec);
	off = (size_t)snprintf(spec, cap, "%s\n%s", START, prefix);
	for (i = 0; i < n; i++) {
		spec[off++] = '\n';
		each(spec + off, cap - off, i);
		off += strlen(spec + off);
	}
	snprintf(spec + off, cap - off, "%s", suffix);
	expect(spec, line, want);
	free(spec);
}

static void one_step(char *buf, size_t cap, size_t i)
{
	snprintf(buf, cap, "[\"step.start\",\"s%zu\",[],[],{}]\n[\"step.end\",\"s%zu\",[],[],{\"status\":\"done\"}]",
		 i, i);
}

static void one_person(char *buf, size_t cap, size_t i)
{
	snprintf(buf, cap, "[\"attendance\",null,[{\"id\":\"p%zu\",\"roles\":[]}],[],{\"status\":\"present\"}]", i);
}

static void one_actor(char *buf, size_t cap, size_t i)
{
	snprintf(buf, cap, "[\"login\",\"a\",[{\"id\":\"p%zu\",\"roles\":[]}],[],{\"user\":\"user\"}]", i);
}

static void one_witness(char *buf, size_t cap, size_t i)
{
	snprintf(buf, cap, "[\"witness.confirm\",\"a\",[],[{\"id\":\"p%zu\",\"roles\":[]}],{}]", i);
}

static void one_share(char *buf, size_t cap, size_t i)
{
	snprintf(buf, cap,
		 "[\"quorum.share\",\"a\",[],[],{\"set\":\"k%zu\",\"member\":1,\"holder\":\"h%zu\",\"accepted\":true}]",
		 i, i);
}

/* The tables grow with the transcript up to their limits, and the limits
 * still hold: one more is FAILED, exactly as many is not. */
static void test_table_limits(void **state)
{
	(void)state;
	/* steps: 10,000 (each a start and an end: lines 2..20001) */
	expect_many("", 10000, one_step, "", 0, NULL);
	expect_many("", 10000, one_step, "\n" SS("last"), 20002, "more than 10000 steps");
	/* persons: 1,024 */
	expect_many("", 1024, one_person, "", 0, NULL);
	expect_many("", 1025, one_person, "", 1026, "more than 1024 persons");
	/* people of one step: 256 actors, 256 witnesses */
	expect_many(SS("a"), 256, one_actor, "", 0, NULL);
	expect_many(SS("a"), 257, one_actor, "", 259, "more than 256 people in step a");
	expect_many(SS("a"), 257, one_witness, "", 259, "more than 256 people in step a");
	/* shares of one step: 256 */
	expect_many(SS("a"), 256, one_share, "", 0, NULL);
	expect_many(SS("a"), 257, one_share, "", 259, "more than 256 shares in step a");
}

static void write_file(const char *path, const char *a, size_t alen, const char *b)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(a, 1, alen, f), alen);
	fputs(b, f);
	fclose(f);
}

static int count_lines(void *ctx, uint64_t lineno, const struct tj_doc *d)
{
	(void)lineno;
	(void)d;
	(*(int *)ctx)++;
	return 0;
}

static int stop_at_once(void *ctx, uint64_t lineno, const struct tj_doc *d)
{
	(void)ctx;
	(void)lineno;
	(void)d;
	return ce_err_set(CE_ERR_INVALID, "stopped by the callback");
}

/* The line reader: a line longer than the bound (the buffer grows to it,
 * not past it), a line that is not an object, a callback error; the frame
 * of a line (a field missing, another version); option refusals; an empty
 * file. */
static void test_frame_and_options(void **state)
{
	struct verify_opts opts;
	struct verify_report rep;
	char path[300], spec[2048];
	char *big = malloc(TRANSCRIPT_LINE_MAX_BYTES + 2);
	int n = 0;

	(void)state;
	assert_non_null(big);
	snprintf(path, sizeof(path), "%s/frame.jsonl", dir);
	/* a line of exactly the bound is read; one byte more is refused */
	memset(big, ' ', TRANSCRIPT_LINE_MAX_BYTES);
	big[0] = '{';
	big[TRANSCRIPT_LINE_MAX_BYTES - 1] = '}';
	write_file(path, big, TRANSCRIPT_LINE_MAX_BYTES, "\n{}\n");
	assert_int_equal(verify_lines_each(path, count_lines, &n), 0);
	assert_int_equal(n, 2);
	big[TRANSCRIPT_LINE_MAX_BYTES - 1] = ' ';
	big[TRANSCRIPT_LINE_MAX_BYTES] = '}';
	write_file(path, big, TRANSCRIPT_LINE_MAX_BYTES + 1, "\n");
	assert_int_equal(verify_lines_each(path, count_lines, &n), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(ce_err_detail(), ":1: line longer than"));
	memset(&opts, 0, sizeof(opts));
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_FAILED);
	assert_non_null(strstr(rep.reason, "longer than"));
	write_file(path, "{}\n[1]\n", 8, "");
	assert_int_equal(verify_lines_each(path, count_lines, &n), CE_ERR_FORMAT);
	assert_non_null(strstr(ce_err_detail(), ":2: not a JSON object"));
	assert_int_equal(verify_lines_each(path, stop_at_once, NULL), CE_ERR_INVALID);
	/* the frame: eight of the nine fields; a version 2 line */
	snprintf(spec, sizeof(spec),
		 "{\"details\":{},\"persons\":[],\"prev\":\"%s\",\"seq\":0,\"step\":null,"
		 "\"time\":\"2026-01-01T00:00:00.000000Z\",\"type\":\"logout\",\"v\":1}\n",
		 TRANSCRIPT_GENESIS_PREV);
	write_file(path, spec, strlen(spec), "");
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_FAILED);
	assert_non_null(strstr(rep.reason, "field \"witnesses\" missing"));
	snprintf(spec, sizeof(spec),
		 "{\"details\":{},\"persons\":[],\"prev\":\"%s\",\"seq\":0,\"step\":null,"
		 "\"time\":\"2026-01-01T00:00:00.000000Z\",\"type\":\"logout\",\"v\":2,\"witnesses\":[]}\n",
		 TRANSCRIPT_GENESIS_PREV);
	write_file(path, spec, strlen(spec), "");
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_FAILED);
	assert_non_null(strstr(rep.reason, "format version is not 1"));
	/* empty: nothing proven */
	write_file(path, "", 0, "");
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_INCOMPLETE);
	assert_non_null(strstr(rep.reason, "stopped before the first event"));
	/* options that need a script */
	opts.roster_path = "r.yaml";
	assert_int_equal(verify_transcript(path, &opts, &rep), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "--roster needs --script"));
	opts.roster_path = NULL;
	opts.n_require_cosigners = 1;
	assert_int_equal(verify_transcript(path, &opts, &rep), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "--require-cosigners needs --script"));
	free(big);
}

/* The same verification with the script and roster loaded once by the
 * caller (verify_opts.script / .roster, as the fuzz target uses them): the
 * same verdict, line and reason as from the paths, and the loaded copies
 * unchanged (a second run gives it again). */
static void expect_same_preloaded(const char *path, const struct verify_opts *by_path,
				  const struct verify_report *want)
{
	struct verify_opts opts = *by_path;
	struct verify_report rep;
	struct script *s = NULL;
	struct roster *r = NULL;
	int round;

	assert_int_equal(script_load(by_path->script_path, &s, NULL), 0);
	assert_int_equal(roster_load(by_path->roster_path, &r, NULL), 0);
	opts.script = s;
	opts.roster = r;
	for (round = 0; round < 2; round++) {
		assert_int_equal(verify_transcript(path, &opts, &rep), 0);
		if (rep.verdict != want->verdict || rep.fail_line != want->fail_line ||
		    strcmp(rep.reason, want->reason) != 0)
			fail_msg("preloaded script, round %d: verdict %d line %llu \"%s\"; from the paths: %d line %llu \"%s\"",
				 round, rep.verdict, (unsigned long long)rep.fail_line, rep.reason,
				 want->verdict, (unsigned long long)want->fail_line, want->reason);
	}
	script_free(s);
	roster_free(r);
}

/* With --script (tests/data/verify/script.yaml and its roster): the
 * ceremony's policy date, seats the roster does not grant, the step's
 * people. ceremony.start carries the two files' real hashes. */
static void expect_script(const char *start_extra, const char *events, uint64_t line, const char *want)
{
	static const char *const script = "tests/data/verify/script.yaml";
	static const char *const roster = "tests/data/verify/roster.yaml";
	struct verify_opts opts;
	struct verify_report rep;
	char path[320], sh[65], rh[65], *spec = malloc(16384);
	uint8_t h[32];

	assert_non_null(spec);
	assert_int_equal(transcript_file_sha256(script, h, NULL), 0);
	hex_encode(h, 32, sh);
	assert_int_equal(transcript_file_sha256(roster, h, NULL), 0);
	hex_encode(h, 32, rh);
	snprintf(spec, 16384,
		 "[\"ceremony.start\",null,[],[],{\"ceremony_id\":\"0123456789abcdef0123456789abcdef\","
		 "\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,"
		 "\"clock\":{},\"script_sha256\":\"%s\",\"roster_sha256\":\"%s\"%s}]\n%s",
		 sh, rh, start_extra, events);
	write_events(spec, path, sizeof(path));
	memset(&opts, 0, sizeof(opts));
	opts.script_path = script;
	opts.roster_path = roster;
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	if (rep.verdict != VERIFY_FAILED || strstr(rep.reason, want) == NULL ||
	    (line != 0 && rep.fail_line != line))
		fail_msg("verdict %d line %llu \"%s\", expected FAILED at %llu with \"%s\"", rep.verdict,
			 (unsigned long long)rep.fail_line, rep.reason, (unsigned long long)line, want);
	expect_same_preloaded(path, &opts, &rep);
	free(spec);
}

#define ATT "[\"step.start\",\"attendance\",[" PR("alice", "security-officer") "],[],{}]\n"
#define SEAT(id, role) "[\"role.assign\",\"attendance\",[" PR(id, role) "],[],{\"role\":\"" role "\"}]\n"

static void test_script_seats(void **state)
{
	(void)state;
	expect_script(",\"policy_date\":7", "", 1, "details.policy_date is not a string");
	expect_script(",\"policy_date\":\"2026-13-45\"", "", 1, "is not YYYY-MM-DD");
	expect_script(",\"policy_date\":\"2026-01-01\"", ATT SEAT("zed", "security-officer"), 3,
		      "zed is not in the roster");
	expect_script(",\"policy_date\":\"2026-01-01\"", ATT SEAT("bob", "security-officer"), 3,
		      "bob is not a security-officer in the roster (policy 4.2.3)");
	expect_script(",\"policy_date\":\"2026-01-01\"", ATT SEAT("carol", "system-operator"), 3,
		      "a role this script does not use");
	expect_script(",\"policy_date\":\"2026-01-01\"",
		      ATT SEAT("alice", "security-officer") SEAT("alice", "security-officer"), 4,
		      "alice is seated twice as security-officer");
	expect_script(",\"policy_date\":\"2026-01-01\"",
		      "[\"step.start\",\"attendance\",[" PR("zed", "security-officer") "],[],{}]", 2,
		      "zed is not in the roster");
	expect_script(",\"policy_date\":\"2026-01-01\"",
		      "[\"step.start\",\"attendance\",[" P("zed") "],[],{}]", 2,
		      "step attendance: actor zed is not in the roster");
	expect_script(",\"policy_date\":\"2026-01-01\"",
		      "[\"step.start\",\"attendance\",[" P("alice") "],[],{}]", 2,
		      "step attendance: actor alice shows no role");
	{
		char words[FINGERPRINT_WORDS_MAX_LEN], ev[1024];

		assert_int_equal(ceremony_fingerprint_words_hex(H64, words, sizeof(words)), 0);
		snprintf(ev, sizeof(ev),
			 "%s[\"transcript.key\",\"attendance\",[],[],{\"spki_sha256\":\"" H64 "\","
			 "\"fingerprint\":\"%s\",\"public_key_pem\":\"p\",\"ephemeral\":true,"
			 "\"key_store\":\"software\"}]",
			 ATT, words);
		/* the script logs in as user (step login): its key is made on the token */
		expect_script(",\"policy_date\":\"2026-01-01\"", ev, 3,
			      "transcript.key: a software key, but step login (script line 17) logs in as user");
	}
}

/* A signed transcript (the writer's own signing) whose key event announces
 * announced (NULL: no transcript.key); its path in path. */
static void write_signed(EVP_PKEY *signer, EVP_PKEY *announced, char *path, size_t cap)
{
	struct transcript *t = NULL;
	json_t *d = NULL, *st;
	X509 *cert = NULL;
	json_error_t err;

	snprintf(path, cap, "%s/s%u.jsonl", dir, serial++);
	assert_int_equal(transcript_open(path, &t), 0);
	transcript_set_sync(t, 0);
	st = json_loadb(START, strlen(START), 0, &err);
	assert_non_null(st);
	assert_int_equal(transcript_append(t, "ceremony.start", NULL, NULL, NULL, json_array_get(st, 4)), 0);
	json_decref(st);
	if (announced != NULL) {
		assert_int_equal(transcript_key_details(announced, 1, &d), 0);
		assert_int_equal(transcript_append(t, "transcript.key", NULL, NULL, NULL, d), 0);
		json_decref(d);
	}
	d = json_pack("{s:s}", "status", "completed");
	assert_int_equal(transcript_append(t, "ceremony.end", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(transcript_close(t), 0);
	assert_int_equal(transcript_signer_cert_create(signer, "0123456789abcdef0123456789abcdef", &cert), 0);
	assert_int_equal(transcript_sign(t, signer, cert), 0);
	transcript_free(t);
	X509_free(cert);
}

static void verify_signed_case(const char *path, const struct verify_opts *opts, int verdict, const char *want)
{
	struct verify_report rep;

	assert_int_equal(verify_transcript(path, opts, &rep), 0);
	if ((int)rep.verdict != verdict || (want != NULL && strstr(rep.reason, want) == NULL))
		fail_msg("verdict %d \"%s\", expected %d with \"%s\"", rep.verdict, rep.reason, verdict,
			 want != NULL ? want : "");
}

/* The signature's own refusals: what is at the .p7s path, the announced key,
 * the auditor's copy of the signer certificate (--signer). */
static void test_signature_shapes(void **state)
{
	EVP_PKEY *k1 = EVP_EC_gen("P-256"), *k2 = EVP_EC_gen("P-256");
	struct verify_opts opts;
	char path[320], sig[340], copy[340];
	char *pem = NULL;
	size_t n;
	FILE *f;

	(void)state;
	assert_non_null(k1);
	assert_non_null(k2);
	memset(&opts, 0, sizeof(opts));
	write_signed(k1, k1, path, sizeof(path));
	verify_signed_case(path, &opts, VERIFY_OK, NULL); /* the twin of them all */
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	f = fopen(sig, "rb");
	assert_non_null(f);
	pem = malloc(1 << 16);
	n = fread(pem, 1, 1 << 16, f);
	fclose(f);
	/* --signer: the right copy; another certificate; an unreadable one */
	snprintf(copy, sizeof(copy), "%s/signer-copy.pem", dir);
	{
		char *sp = transcript_signer_path(path);

		assert_non_null(sp);
		opts.signer_path = sp;
		verify_signed_case(path, &opts, VERIFY_OK, NULL);
		free(sp);
	}
	opts.signer_path = copy;
	write_file(copy, "not a certificate\n", 18, "");
	{
		struct verify_report rep;

		assert_int_equal(verify_transcript(path, &opts, &rep), CE_ERR_IO);
		assert_non_null(strstr(ce_err_detail(), "cannot read a PEM certificate"));
	}
	{
		char other[320], *sp;

		write_signed(k2, k2, other, sizeof(other));
		sp = transcript_signer_path(other);
		opts.signer_path = sp;
		verify_signed_case(path, &opts, VERIFY_FAILED, "is not the one given with --signer");
		free(sp);
	}
	opts.signer_path = NULL;
	/* what is at the .p7s path */
	opts.sig_path = dir;
	verify_signed_case(path, &opts, VERIFY_FAILED, "not a signature file");
	opts.sig_path = copy;
	write_file(copy, pem, n, pem); /* two PEM blocks */
	verify_signed_case(path, &opts, VERIFY_FAILED, "not exactly one PEM CMS block");
	write_file(copy, "-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n", 43, "");
	verify_signed_case(path, &opts, VERIFY_FAILED, "not a PEM CMS signature");
	opts.sig_path = NULL;
	/* signed by k2, announcing k1; announcing none */
	write_signed(k2, k1, path, sizeof(path));
	verify_signed_case(path, &opts, VERIFY_FAILED, "is not the key announced at line 2");
	write_signed(k1, NULL, path, sizeof(path));
	verify_signed_case(path, &opts, VERIFY_FAILED, "announces no transcript key");
	free(pem);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

/* --expect-key and --require-production refusals. */
static void test_pins_and_production(void **state)
{
	struct verify_opts opts;
	struct verify_report rep;
	char path[320];
	const char *keys[VERIFY_EXPECT_MAX + 1];
	size_t i;

	(void)state;
	write_events(START "\n[\"logout\",null,[],[],{\"user\":\"u\"}]", path, sizeof(path));
	memset(&opts, 0, sizeof(opts));
	keys[0] = "not eight fingerprint words";
	opts.expect_keys = keys;
	opts.n_expect_keys = 1;
	assert_int_equal(verify_transcript(path, &opts, &rep), CE_ERR_FORMAT);
	for (i = 0; i <= VERIFY_EXPECT_MAX; i++)
		keys[i] = H64;
	opts.n_expect_keys = VERIFY_EXPECT_MAX + 1;
	assert_int_equal(verify_transcript(path, &opts, &rep), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(ce_err_detail(), "more than 16 expected keys"));
	opts.n_expect_keys = VERIFY_EXPECT_MAX; /* the twin: 16 are read */
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	memset(&opts, 0, sizeof(opts));
	opts.require_production = 1;
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_FAILED);
	assert_non_null(strstr(rep.reason, "a rehearsal (ceremony.start rehearsal: true)"));
	write_events("[\"ceremony.start\",null,[],[],{\"ceremony_id\":\"0123456789abcdef0123456789abcdef\","
		     "\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":false,"
		     "\"clock\":{},\"script_sha256\":\"" H64 "\",\"roster_sha256\":\"" H64 "\"}]",
		     path, sizeof(path));
	assert_int_equal(verify_transcript(path, &opts, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_FAILED);
	assert_non_null(strstr(rep.reason, "does not record rehearsal: false and scripted_input: false"));
	/* the parser's own bounds, and a pin against no key or a bad one */
	{
		char small[8], pin[VERIFY_PIN_LEN];

		assert_int_equal(verify_pin_parse(H64, small, sizeof(small)), CE_ERR_INVALID);
		assert_int_equal(verify_pin_parse(H64, pin, sizeof(pin)), 0);
		assert_int_equal(verify_pin_matches(pin, H64), 1);
		assert_int_equal(verify_pin_matches(pin, ""), 0);
		assert_int_equal(verify_pin_matches("academic academic academic academic academic academic academic academic", "xyz"), 0);
		assert_int_equal(verify_pin_matches("", H64), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_steps_and_people),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_share_issued),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_table_limits),
		cmocka_unit_test(test_frame_and_options),
		cmocka_unit_test(test_script_seats),
		cmocka_unit_test(test_signature_shapes),
		cmocka_unit_test(test_pins_and_production),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
