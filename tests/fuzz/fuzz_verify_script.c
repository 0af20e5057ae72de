/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: `ceremony verify --script scripts/root-ca.yaml --roster
 * scripts/example-roster.yaml` on a fuzzed transcript. The transcript is
 * re-chained (fuzz_transcript.h) and its ceremony.start line gets the
 * SHA-256 of the fixed script and roster, so the script/roster semantics
 * (ceremony/verify/semantics.c, steps.c: step order, actions, actors and
 * witnesses against the roster, quorums, key types, profiles) are reached
 * instead of failing at "made with another script". Unsigned: never OK.
 * The script and roster are loaded once (verify_opts.script / .roster, the
 * same verification as from the paths: test_verify_rules checks it), so the
 * executions go to the transcript, not to re-reading two fixed YAML files.
 */
#include "tests/fuzz/fuzz_transcript.h"

#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"
#include "common/err.h"

#include <openssl/evp.h>

#ifndef FUZZ_TOP
#define FUZZ_TOP "."
#endif
#define FUZZ_SCRIPT FUZZ_TOP "/scripts/root-ca.yaml"
#define FUZZ_ROSTER FUZZ_TOP "/scripts/example-roster.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char script_hex[65], roster_hex[65];
static struct script *fixed_script;
static struct roster *fixed_roster;

static void file_sha256_hex(const char *path, char *hex)
{
	uint8_t h[32];
	int i;

	if (transcript_file_sha256(path, h, NULL) != 0) {
		fprintf(stderr, "fuzz_verify_script: cannot read %s\n", path);
		abort();
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

static void patch_start(json_t *obj, size_t lineno0, void *ctx)
{
	json_t *det = json_object_get(obj, "details");
	const char *type = json_string_value(json_object_get(obj, "type"));

	(void)ctx;
	if (lineno0 != 0 || type == NULL || strcmp(type, "ceremony.start") != 0 ||
	    !json_is_object(det))
		return;
	/* the fixed files' hashes, unless the fuzzer made them another type */
	if (json_is_string(json_object_get(det, "script_sha256")))
		json_object_set_new(det, "script_sha256", json_string(script_hex));
	if (json_is_string(json_object_get(det, "roster_sha256")))
		json_object_set_new(det, "roster_sha256", json_string(roster_hex));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_opts opts = { 0 };
	struct verify_report rep;
	char path[64];
	size_t len = 0;
	char *t;
	int fd, r;

	if (script_hex[0] == '\0') {
		file_sha256_hex(FUZZ_SCRIPT, script_hex);
		file_sha256_hex(FUZZ_ROSTER, roster_hex);
		if (script_load(FUZZ_SCRIPT, &fixed_script, NULL) != 0 ||
		    roster_load(FUZZ_ROSTER, &fixed_roster, NULL) != 0) {
			fprintf(stderr, "fuzz_verify_script: cannot load %s or %s\n", FUZZ_SCRIPT, FUZZ_ROSTER);
			abort();
		}
	}
	t = fuzz_rechain(data, size, patch_start, "ceremony.start", NULL, &len);
	fd = fuzz_memfd("fuzz-transcript", t, len, path, sizeof(path));
	opts.script_path = FUZZ_SCRIPT;
	opts.roster_path = FUZZ_ROSTER;
	opts.script = fixed_script;
	opts.roster = fixed_roster;
	r = verify_transcript(path, &opts, &rep);
	if (r == 0)
		fuzz_verdict_check(path, &rep, 0);
	else if (r != CE_ERR_NOMEM)
		abort(); /* the fixed script and roster are valid: a verdict is always reached */
	close(fd);
	free(t);
	return 0;
}
