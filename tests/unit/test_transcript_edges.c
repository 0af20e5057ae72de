/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the error paths of the transcript writer and the event
 * check the verifier shares with it (ceremony/transcript/transcript.c,
 * format.c): each event shape transcript_event_check refuses, with its
 * reason; a disk that fails under an open transcript (ENOSPC from /dev/full,
 * fsync refused) breaks the transcript for good; and event-level rules of
 * the verifier (ceremony/verify/rules.c) on transcripts the writer itself
 * chained, so the line checks pass and the rule is what fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/format.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/transcript/transcript.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ceremony-test-tedges.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#define ID32 "0123456789abcdef0123456789abcdef"
#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* One event line without seq/prev/time/v (transcript_event_check reads only
 * type, step, persons, witnesses, details) and the reason expected, NULL
 * when it passes. */
static const struct {
	const char *line;
	const char *why;
} event_cases[] = {
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{}}", NULL },
	{ "{\"type\":1,\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{}}", "type is not a string" },
	{ "{\"type\":\"nope\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{}}", "unknown event type" },
	{ "{\"type\":\"logout\",\"step\":7,\"persons\":[],\"witnesses\":[],\"details\":{}}", "step is not a string or null" },
	{ "{\"type\":\"logout\",\"step\":\"\",\"persons\":[],\"witnesses\":[],\"details\":{}}", "empty step id" },
	{ "{\"type\":\"step.start\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{}}", "needs a step" },
	{ "{\"type\":\"ceremony.end\",\"step\":\"s\",\"persons\":[],\"witnesses\":[],\"details\":{\"status\":\"completed\"}}", "step must be null" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":{},\"witnesses\":[],\"details\":{}}", "persons is not an array" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[1],\"witnesses\":[],\"details\":{}}", "persons[0] is not an object" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[{\"id\":1,\"roles\":[]}],\"witnesses\":[],\"details\":{}}", "persons[0].id is not a string" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[{\"id\":\"a\",\"roles\":\"x\"}],\"witnesses\":[],\"details\":{}}", "persons[0].roles is not an array" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[{\"id\":\"a\",\"roles\":[3]}],\"witnesses\":[],\"details\":{}}", "persons[0].roles[0] is not a string" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[{\"id\":\"a\",\"roles\":[],\"x\":1}],\"witnesses\":[],\"details\":{}}", "persons[0] has unknown field \"x\"" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[{\"id\":\"\",\"roles\":[]}],\"witnesses\":[],\"details\":{}}", "persons[0] has no id" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[{\"name\":\"n\",\"roles\":[]}],\"witnesses\":[],\"details\":{}}", "persons[0] has no id" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[{\"id\":\"a\"}],\"witnesses\":[],\"details\":{}}", "persons[0] has no roles" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[],\"witnesses\":[{\"id\":\"a\",\"roles\":[],\"name\":2}],\"details\":{}}", "witnesses[0].name is not a string" },
	{ "{\"type\":\"logout\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":[]}", "logout: details is not an object" },
	{ "{\"type\":\"login\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{}}", "login: details.user missing" },
	{ "{\"type\":\"login\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{\"user\":1}}", "login: details.user is not a string" },
	{ "{\"type\":\"quorum.share\",\"step\":\"s\",\"persons\":[],\"witnesses\":[],\"details\":{\"set\":\"a\",\"member\":\"1\",\"holder\":\"h\",\"accepted\":true}}", "details.member is not an integer" },
	{ "{\"type\":\"quorum.share\",\"step\":\"s\",\"persons\":[],\"witnesses\":[],\"details\":{\"set\":\"a\",\"member\":1,\"holder\":\"h\",\"accepted\":1}}", "details.accepted is not true or false" },
	{ "{\"type\":\"quorum.met\",\"step\":\"s\",\"persons\":[],\"witnesses\":[],\"details\":{\"set\":\"a\",\"threshold\":1,\"holders\":{}}}", "details.holders is not an array" },
	{ "{\"type\":\"ceremony.start\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{\"ceremony_id\":\"x\",\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,\"clock\":[],\"script_sha256\":\"" H64 "\",\"roster_sha256\":\"" H64 "\"}}", "details.clock is not an object" },
	{ "{\"type\":\"ceremony.start\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{\"ceremony_id\":\"x\",\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,\"clock\":{},\"script_sha256\":\"" H64 "\",\"roster_sha256\":\"" H64 "\"}}", "details.ceremony_id is not 32 hex digits" },
	{ "{\"type\":\"ceremony.start\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{\"ceremony_id\":\"" ID32 "\",\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,\"clock\":{},\"script_sha256\":\"" H64 "\",\"roster_sha256\":\"" H64 "\",\"issued_in\":{}}}", "details.issued_in is not an array" },
	{ "{\"type\":\"ceremony.start\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{\"ceremony_id\":\"" ID32 "\",\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,\"clock\":{},\"script_sha256\":\"" H64 "\",\"roster_sha256\":\"" H64 "\",\"issued_in\":[{\"path\":\"p\",\"sha256\":\"" H64 "\",\"signer_spki_sha256\":\"" H64 "\",\"pinned\":\"by-luck\"}]}}", "details.issued_in[0] is not" },
	{ "{\"type\":\"ceremony.start\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{\"ceremony_id\":\"" ID32 "\",\"tool_version\":\"1\",\"exe_sha256\":\"" H64 "\",\"host\":\"h\",\"rehearsal\":true,\"clock\":{},\"script_sha256\":\"" H64 "\",\"roster_sha256\":\"" H64 "\",\"issued_in\":[{\"path\":\"p\",\"sha256\":\"" H64 "\",\"signer_spki_sha256\":\"" H64 "\",\"pinned\":\"issued-in-key\"}]}}", NULL },
	{ "{\"type\":\"transcript.key\",\"step\":null,\"persons\":[],\"witnesses\":[],\"details\":{\"spki_sha256\":\"ABC\",\"fingerprint\":\"f\",\"public_key_pem\":\"p\",\"ephemeral\":true}}", "details.spki_sha256 is not a hex SHA-256" },
	{ "{\"type\":\"cert.created\",\"step\":\"s\",\"persons\":[],\"witnesses\":[],\"details\":{\"file\":\"f\",\"sha256\":\"" ID32 "\"}}", "cert.created: details.sha256 is not a hex SHA-256" },
	{ "{\"type\":\"cert.created\",\"step\":\"s\",\"persons\":[],\"witnesses\":[],\"details\":{\"file\":\"f\",\"sha256\":\"" H64 "\"}}", NULL },
};

static void test_event_check_shapes(void **state)
{
	struct tj_doc d;
	char why[512];
	size_t i;

	(void)state;
	assert_int_equal(tj_init(&d, 65536), 0);
	for (i = 0; i < sizeof(event_cases) / sizeof(event_cases[0]); i++) {
		const char *s = event_cases[i].line;
		int r;

		assert_int_equal(tj_parse(&d, s, strlen(s), why, sizeof(why)), 0);
		why[0] = '\0';
		r = transcript_event_check(&d, why, sizeof(why));
		if (event_cases[i].why == NULL) {
			if (r != 0)
				fail_msg("case %zu refused: %s", i, why);
		} else {
			if (r != CE_ERR_FORMAT || strstr(why, event_cases[i].why) == NULL)
				fail_msg("case %zu: %d \"%s\", expected \"%s\"", i, r, why, event_cases[i].why);
		}
	}
	tj_free(&d);
}

/* The descriptor transcript_open made for path (found in /proc/self/fd). */
static int fd_of(const char *path)
{
	DIR *dp = opendir("/proc/self/fd");
	struct dirent *e;
	char link[300], target[PATH_MAX];
	int found = -1;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0)
			found = atoi(e->d_name);
	}
	closedir(dp);
	assert_true(found >= 0);
	return found;
}

/* One logout event (the json is borrowed by the writer). */
static int append_logout(struct transcript *t)
{
	json_t *d = json_pack("{s:s}", "user", "user");
	int r = transcript_append(t, "logout", NULL, NULL, NULL, d);

	json_decref(d);
	return r;
}

/* type with empty details: refused by the format. */
static int append_empty(struct transcript *t, const char *type)
{
	json_t *d = json_object();
	int r = transcript_append(t, type, NULL, NULL, NULL, d);

	json_decref(d);
	return r;
}

/* ENOSPC under an open transcript: the write is refused with the reason,
 * and the transcript stays broken (nothing more is written to it). */
static void test_write_enospc(void **state)
{
	struct transcript *t = NULL;
	char path[300];
	int fd, full;

	(void)state;
	snprintf(path, sizeof(path), "%s/enospc.jsonl", dir);
	assert_int_equal(transcript_open(path, &t), 0);
	assert_int_equal(append_logout(t), 0);
	full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (full < 0)
		skip();
	fd = fd_of(path);
	assert_true(dup2(full, fd) == fd);
	close(full);
	assert_int_equal(append_logout(t), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "write"));
	assert_non_null(strstr(ce_err_detail(), "No space left"));
	/* broken: refused before any write, whatever the disk does now */
	assert_int_equal(append_logout(t), CE_ERR_STATE);
	assert_int_equal(transcript_next_seq(t), 1);
	transcript_free(t);
}

/* The bytes written but fsync refused (a pipe cannot be synced): the event
 * is reported as failed, the transcript broken; transcript_close's own fsync
 * failure is reported too. The twin: with syncing off the same pipe takes
 * the event. */
static void test_write_fsync_refused(void **state)
{
	struct transcript *t = NULL;
	char path[300];
	int fd, pfd[2];

	(void)state;
	snprintf(path, sizeof(path), "%s/fsync.jsonl", dir);
	assert_int_equal(transcript_open(path, &t), 0);
	assert_int_equal(pipe(pfd), 0);
	fd = fd_of(path);
	assert_true(dup2(pfd[1], fd) == fd);
	close(pfd[1]);
	transcript_set_sync(t, 0);
	assert_int_equal(append_logout(t), 0);
	transcript_set_sync(t, 1);
	assert_int_equal(append_logout(t), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "fsync"));
	assert_int_equal(append_logout(t), CE_ERR_STATE);
	assert_int_equal(transcript_close(t), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "fsync"));
	assert_int_equal(transcript_close(t), 0); /* closed once */
	assert_int_equal(append_logout(t), CE_ERR_STATE);
	transcript_free(t);
	close(pfd[0]);
}

/* Opening: an existing file is never overwritten; a missing folder is an
 * I/O error naming the path; an event the format refuses is not written. */
static void test_open_and_refused_event(void **state)
{
	struct transcript *t = NULL;
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/exists.jsonl", dir);
	assert_int_equal(transcript_open(path, &t), 0);
	assert_int_equal(append_empty(t, "no.such.event"), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "unknown event type"));
	assert_int_equal(append_empty(t, "login"), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "details.user missing"));
	assert_int_equal(transcript_next_seq(t), 0);
	assert_int_equal(transcript_close(t), 0);
	transcript_free(t);
	t = NULL;
	assert_int_equal(transcript_open(path, &t), CE_ERR_EXISTS);
	assert_null(t);
	snprintf(path, sizeof(path), "%s/no/such/dir/t.jsonl", dir);
	assert_int_equal(transcript_open(path, &t), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "no/such/dir"));
}

static int clock_fails(struct timespec *ts)
{
	(void)ts;
	errno = EPERM;
	return -1;
}

/* Refusals before anything is written: a line over the 1 MiB bound, a
 * string jansson cannot encode, a clock that cannot be read, hold states;
 * the transcript stays usable after each (the twin: an event then goes in). */
static void test_refused_before_writing(void **state)
{
	struct transcript *t = NULL;
	char path[300];
	char *big = malloc(TRANSCRIPT_LINE_MAX_BYTES + 2);
	json_t *d;

	(void)state;
	assert_non_null(big);
	snprintf(path, sizeof(path), "%s/refused.jsonl", dir);
	assert_int_equal(transcript_open(path, &t), 0);
	assert_string_equal(transcript_path(t), path);
	memset(big, 'a', TRANSCRIPT_LINE_MAX_BYTES + 1);
	big[TRANSCRIPT_LINE_MAX_BYTES + 1] = '\0';
	d = json_pack("{s:s}", "user", big);
	assert_int_equal(transcript_append(t, "logout", NULL, NULL, NULL, d), CE_ERR_TOO_LARGE);
	assert_non_null(strstr(ce_err_detail(), "at most"));
	json_decref(d);
	d = json_pack("{s:s}", "status", "done");
	assert_int_equal(transcript_append(t, "step.end", "\xff\xfe", NULL, NULL, d), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "cannot build the event"));
	json_decref(d);
	transcript_set_clock(t, clock_fails);
	assert_int_equal(append_logout(t), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "clock_gettime"));
	transcript_set_clock(t, NULL);
	assert_int_equal(transcript_hold_release(t, 1), CE_ERR_STATE);
	assert_int_equal(transcript_hold(t), 0);
	assert_int_equal(transcript_hold(t), CE_ERR_STATE);
	assert_int_equal(append_logout(t), 0);
	assert_int_equal(transcript_hold_release(t, 0), 0); /* forgotten */
	assert_int_equal(transcript_next_seq(t), 0);
	assert_int_equal(append_logout(t), 0);
	assert_int_equal(transcript_next_seq(t), 1);
	assert_int_equal(transcript_close(t), 0);
	assert_int_equal(transcript_hold(t), CE_ERR_STATE);
	transcript_free(t);
	free(big);
}

/* Signing what cannot be read: the transcript file gone before the held
 * lines are signed; nothing held; the hash of a folder (read refused). */
static void test_sign_unreadable(void **state)
{
	struct transcript *t = NULL;
	char path[300];
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = NULL;
	char *pem = NULL;
	size_t pem_len = 0;
	uint8_t h[32];

	(void)state;
	assert_non_null(key);
	assert_int_equal(transcript_signer_cert_create(key, "0123456789abcdef0123456789abcdef", &cert), 0);
	snprintf(path, sizeof(path), "%s/gone.jsonl", dir);
	assert_int_equal(transcript_open(path, &t), 0);
	assert_int_equal(append_logout(t), 0);
	assert_int_equal(transcript_hold_sign(t, key, NULL, cert, &pem, &pem_len), CE_ERR_STATE);
	assert_non_null(strstr(ce_err_detail(), "no held lines"));
	assert_int_equal(transcript_hold(t), 0);
	assert_int_equal(append_logout(t), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(transcript_hold_sign(t, key, NULL, cert, &pem, &pem_len), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "cannot read to sign"));
	assert_null(pem);
	assert_int_equal(transcript_hold_release(t, 0), 0);
	transcript_free(t);
	assert_int_equal(transcript_file_sha256(dir, h, NULL), CE_ERR_IO);
	assert_non_null(strstr(ce_err_detail(), "read"));
	X509_free(cert);
	EVP_PKEY_free(key);
	/* a key that cannot sign (X25519): the signer certificate is refused
	 * with OpenSSL's reason, nothing made */
	key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	assert_non_null(key);
	cert = NULL;
	assert_int_equal(transcript_signer_cert_create(key, "0123456789abcdef0123456789abcdef", &cert),
			 CE_ERR_CRYPTO);
	assert_non_null(strstr(ce_err_detail(), "failed"));
	assert_null(cert);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_check_shapes),
		cmocka_unit_test(test_write_enospc),
		cmocka_unit_test(test_write_fsync_refused),
		cmocka_unit_test(test_open_and_refused_event),
		cmocka_unit_test(test_refused_before_writing),
		cmocka_unit_test(test_sign_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
