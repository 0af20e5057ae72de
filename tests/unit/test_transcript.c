/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the transcript writer (ceremony/transcript/transcript.h), the
 * fingerprint words and the verifier (ceremony/verify/verify.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/transcript.h"
#include "ceremony/verify/verify.h"
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"
#include "common/hex.h"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ceremony-test-transcript.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void test_fingerprint_words(void **state)
{
	uint8_t h[32];
	char w[FINGERPRINT_WORDS_MAX_LEN];
	char small[10];
	size_t i;

	(void)state;
	memset(h, 0, sizeof(h));
	assert_int_equal(ceremony_fingerprint_words(h, w, sizeof(w)), 0);
	assert_string_equal(w, "academic academic academic academic academic academic academic academic");
	for (i = 0; i < 32; i++)
		h[i] = (uint8_t)i;
	assert_int_equal(ceremony_fingerprint_words(h, w, sizeof(w)), 0);
	/* computed independently: first 80 bits, 10 bits per word */
	assert_string_equal(w, "academic again category ruin aircraft branch husky adjust");
	assert_int_equal(ceremony_fingerprint_words_hex(
				 "a887a519c91fe1f1cf30c0544a361b403964fc4a573543e35893e86434faa8b7", w,
				 sizeof(w)),
			 0);
	assert_string_equal(w, "pistol carbon faint imply carve lunar calcium single");
	/* failing twins */
	assert_int_equal(ceremony_fingerprint_words(h, small, sizeof(small)), CE_ERR_INVALID);
	assert_string_equal(small, "");
	assert_int_equal(ceremony_fingerprint_words_hex("a887", w, sizeof(w)), CE_ERR_FORMAT);
	assert_int_equal(ceremony_fingerprint_words_hex(
				 "g887a519c91fe1f1cf30c0544a361b403964fc4a573543e35893e86434faa8b7", w,
				 sizeof(w)),
			 CE_ERR_FORMAT);
}

static void test_time_format_parse(void **state)
{
	char t[TRANSCRIPT_TIME_LEN + 1];
	int64_t sec;
	long usec;

	(void)state;
	transcript_time_format(1795799814, 123456, t);
	assert_string_equal(t, "2026-11-27T17:16:54.123456Z");
	assert_int_equal(transcript_time_parse(t, &sec, &usec), 0);
	assert_int_equal(sec, 1795799814);
	assert_int_equal(usec, 123456);
	assert_int_equal(transcript_time_parse("2024-02-29T00:00:00.000000Z", &sec, &usec), 0);
	/* failing twins */
	assert_int_equal(transcript_time_parse("2026-02-29T00:00:00.000000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-11-27T17:16:54.123456+00:00", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-11-27T17:16:54Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-13-27T17:16:54.123456Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-11-27T24:16:54.123456Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-11-27t17:16:54.123456Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("1969-11-27T17:16:54.123456Z", &sec, &usec), CE_ERR_FORMAT);
	/* strict RFC 3339 UTC as the writer writes it: the last valid second,
	 * then no leap second, no lower-case z, no offset, no missing seconds,
	 * exactly six fraction digits */
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:59.999999Z", &sec, &usec), 0);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:60.000000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-31T23:59:60.000000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:00.000000z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:00.000000+01:00", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:00.000000-00:00", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00.000000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:00.0000000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:00.000000000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:00.00000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05 10:00:00.000000Z", &sec, &usec), CE_ERR_FORMAT);
	assert_int_equal(transcript_time_parse("2026-12-05T10:00:00.00000aZ", &sec, &usec), CE_ERR_FORMAT);
}

/* The details keys of section 4, and no other. */
static void test_details_keys(void **state)
{
	(void)state;
	assert_true(transcript_details_key_known("key.generated", "label"));
	assert_true(transcript_details_key_known("key.generated", "restored_from"));
	assert_true(transcript_details_key_known("ceremony.start", "policy_date"));
	/* failing twins: another event's key, an unknown key, a prefix, an
	 * unknown type */
	assert_false(transcript_details_key_known("key.generated", "file"));
	assert_false(transcript_details_key_known("key.generated", "colour"));
	assert_false(transcript_details_key_known("key.generated", "lab"));
	assert_false(transcript_details_key_known("key.generated", "label id"));
	assert_false(transcript_details_key_known("key.made", "label"));
}

static void test_paths(void **state)
{
	char *p;

	(void)state;
	p = transcript_signer_path("var/demo/out/transcript.jsonl");
	assert_string_equal(p, "var/demo/out/transcript-signer.pem");
	free(p);
	p = transcript_signer_path("t.log");
	assert_string_equal(p, "t.log-signer.pem");
	free(p);
	p = transcript_sig_path("t.jsonl");
	assert_string_equal(p, "t.jsonl.p7s");
	free(p);
}

static json_t *start_details(void)
{
	char id[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1];
	json_t *d;

	assert_int_equal(transcript_ceremony_id(id), 0);
	d = json_pack("{s:s, s:b, s:s, s:s}", "ceremony_id", id, "rehearsal", 1, "script_sha256",
		      "00", "roster_sha256", "00");
	assert_non_null(d);
	assert_int_equal(transcript_host_details(d), 0);
	return d;
}

static void test_writer_refuses_bad_events(void **state)
{
	char p[300];
	struct transcript *t = NULL;
	json_t *d;

	(void)state;
	path_in(p, sizeof(p), "bad.jsonl");
	assert_int_equal(transcript_open(p, &t), 0);
	d = json_object();
	assert_int_equal(transcript_append(t, "no.such.type", NULL, NULL, NULL, d), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "unknown event type"));
	/* ceremony.start without its required details */
	assert_int_equal(transcript_append(t, "ceremony.start", NULL, NULL, NULL, d), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "details.ceremony_id missing"));
	json_decref(d);
	/* a step event without a step */
	d = json_pack("{s:s}", "status", "done");
	assert_int_equal(transcript_append(t, "step.end", NULL, NULL, NULL, d), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "needs a step"));
	json_decref(d);
	/* a person without an id */
	d = json_pack("[{s:[]}]", "roles");
	assert_int_equal(transcript_append(t, "logout", NULL, d, NULL, NULL), CE_ERR_INVALID);
	json_decref(d);
	/* wrong detail type */
	d = json_pack("{s:s}", "status", "present");
	assert_int_equal(transcript_append(t, "attendance", NULL, NULL, NULL, d), 0);
	json_decref(d);
	d = json_pack("{s:i}", "status", 3);
	assert_int_equal(transcript_append(t, "attendance", NULL, NULL, NULL, d), CE_ERR_INVALID);
	assert_non_null(strstr(ce_err_detail(), "details.status is not a string"));
	json_decref(d);
	assert_int_equal(transcript_next_seq(t), 1); /* only the good one was written */
	assert_int_equal(transcript_close(t), 0);
	assert_int_equal(transcript_append(t, "logout", NULL, NULL, NULL, NULL), CE_ERR_STATE);
	transcript_free(t);
	/* never clobbers */
	t = NULL;
	assert_int_equal(transcript_open(p, &t), CE_ERR_EXISTS);
	assert_null(t);
}

static void test_writer_chain_and_mode(void **state)
{
	char p[300];
	struct transcript *t = NULL;
	json_t *d;
	FILE *f;
	char line[4096];
	char prev[65] = TRANSCRIPT_GENESIS_PREV;
	uint8_t h[32];
	int n = 0;
	struct stat st;

	(void)state;
	path_in(p, sizeof(p), "chain.jsonl");
	assert_int_equal(transcript_open(p, &t), 0);
	d = start_details();
	assert_int_equal(transcript_append(t, "ceremony.start", NULL, NULL, NULL, d), 0);
	json_decref(d);
	d = json_pack("{s:s}", "status", "present");
	assert_int_equal(transcript_append(t, "attendance", NULL, NULL, NULL, d), 0);
	assert_int_equal(transcript_append(t, "attendance", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(transcript_close(t), 0);
	transcript_free(t);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	f = fopen(p, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		char want[80];

		assert_true(len > 1 && line[len - 1] == '\n');
		line[--len] = '\0';
		snprintf(want, sizeof(want), "\"prev\":\"%s\"", prev);
		assert_non_null(strstr(line, want));
		snprintf(want, sizeof(want), "\"seq\":%d,", n);
		assert_non_null(strstr(line, want));
		assert_non_null(strstr(line, "\"v\":1"));
		assert_int_equal(EVP_Digest(line, len, h, NULL, EVP_sha256(), NULL), 1);
		hex_encode(h, 32, prev);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 3);
}

/* The one link writer and verifier compute: SHA-256 (FIPS 180-2 "abc") of
 * the line's bytes, lowercase hex; the context is reused line after line. */
static void test_chain_link(void **state)
{
	struct transcript_chain c;
	char out[TRANSCRIPT_HASH_HEX_LEN + 1];

	(void)state;
	assert_int_equal(transcript_chain_init(&c), 0);
	assert_int_equal(transcript_chain_link(&c, "abc", 3, out), 0);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(transcript_chain_link(&c, "abc\n", 3, out), 0); /* newline not linked */
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(transcript_chain_link(&c, "", 0, out), 0);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	transcript_chain_free(&c);
	transcript_chain_free(&c); /* a freed chain may be freed again */
}

/* A complete, signed transcript; returns the software key via *key. */
static void make_signed(const char *p, int complete, EVP_PKEY **key_out, X509 **cert_out)
{
	struct transcript *t = NULL;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = NULL;
	json_t *d;

	assert_non_null(key);
	assert_int_equal(transcript_signer_cert_create(key, "00112233445566778899aabbccddeeff", &cert), 0);
	assert_int_equal(transcript_open(p, &t), 0);
	d = start_details();
	assert_int_equal(transcript_append(t, "ceremony.start", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(transcript_key_details(key, 1, &d), 0);
	assert_int_equal(transcript_append(t, "transcript.key", NULL, NULL, NULL, d), 0);
	json_decref(d);
	d = json_pack("{s:s}", "status", complete ? "completed" : "aborted");
	assert_int_equal(transcript_append(t, "ceremony.end", NULL, NULL, NULL, d), 0);
	json_decref(d);
	/* signing needs a closed transcript */
	assert_int_equal(transcript_sign(t, key, cert), CE_ERR_STATE);
	assert_int_equal(transcript_close(t), 0);
	assert_int_equal(transcript_sign(t, key, cert), 0);
	/* a second signature never clobbers the first */
	assert_int_equal(transcript_sign(t, key, cert), CE_ERR_EXISTS);
	transcript_free(t);
	*key_out = key;
	*cert_out = cert;
}

static void test_sign_and_verify(void **state)
{
	char p[300], sig[300];
	EVP_PKEY *key;
	X509 *cert;
	struct verify_opts o;
	struct verify_report rep;
	int fd;

	(void)state;
	memset(&o, 0, sizeof(o));
	path_in(p, sizeof(p), "s.jsonl");
	make_signed(p, 1, &key, &cert);
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_OK);
	assert_int_equal(rep.events, 3);
	assert_int_equal(rep.key_line, 2);
	assert_true(rep.signature_ok);
	assert_int_equal(verify_exit_code(rep.verdict), 0);

	/* failing twin: one byte appended */
	fd = open(p, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_FAILED);
	assert_int_equal(verify_exit_code(rep.verdict), 4);
	assert_non_null(strstr(rep.reason, "line 4: empty line"));
	EVP_PKEY_free(key);
	X509_free(cert);

	/* aborted but signed: INCOMPLETE; unsigned: INCOMPLETE too */
	path_in(p, sizeof(p), "a.jsonl");
	make_signed(p, 0, &key, &cert);
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_INCOMPLETE);
	assert_int_equal(verify_exit_code(rep.verdict), 3);
	assert_non_null(strstr(rep.reason, "aborted"));
	path_in(sig, sizeof(sig), "a.jsonl.p7s");
	assert_int_equal(unlink(sig), 0);
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_INCOMPLETE);
	assert_non_null(strstr(rep.reason, "not signed"));
	EVP_PKEY_free(key);
	X509_free(cert);
}

/* The held end (transcript_hold): appended lines stay in memory, signed
 * with the file in memory, written only on commit; a forgotten hold leaves
 * the file and the chain as before, so a different end can follow. The
 * sign test signs and verifies a message without writing anything; a
 * certificate of another key is refused. */
static void test_hold_sign_commit_and_forget(void **state)
{
	char p[300], sig[300], *pem = NULL;
	struct transcript *t = NULL;
	EVP_PKEY *key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
	X509 *cert = NULL;
	struct verify_opts o;
	struct verify_report rep;
	struct stat sb;
	size_t pl = 0;
	off_t size;
	json_t *d;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_non_null(key);
	assert_non_null(other);
	assert_int_equal(transcript_signer_cert_create(key, "00112233445566778899aabbccddeeff", &cert), 0);
	assert_int_equal(transcript_sign_test(key, NULL, cert, "00112233445566778899aabbccddeeff"), 0);
	assert_int_equal(transcript_sign_test(other, NULL, cert, "00112233445566778899aabbccddeeff"),
			 CE_ERR_INVALID);
	path_in(p, sizeof(p), "h.jsonl");
	assert_int_equal(transcript_open(p, &t), 0);
	d = start_details();
	assert_int_equal(transcript_append(t, "ceremony.start", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(transcript_key_details(key, 1, &d), 0);
	assert_int_equal(transcript_append(t, "transcript.key", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(stat(p, &sb), 0);
	size = sb.st_size;
	/* held, then forgotten: nothing written, seq as before */
	assert_int_equal(transcript_hold(t), 0);
	assert_int_equal(transcript_hold(t), CE_ERR_STATE);
	d = json_pack("{s:s, s:s}", "status", "completed", "transcript_key",
		      "destroyed-after-signing");
	assert_int_equal(transcript_append(t, "ceremony.end", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(transcript_next_seq(t), 3);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, size);
	assert_int_equal(transcript_hold_release(t, 0), 0);
	assert_int_equal(transcript_next_seq(t), 2);
	assert_int_equal(transcript_hold_sign(t, key, NULL, cert, &pem, &pl), CE_ERR_STATE);
	/* held, signed in memory, committed, closed, signature written */
	assert_int_equal(transcript_hold(t), 0);
	d = json_pack("{s:s, s:s}", "status", "completed", "transcript_key",
		      "destroyed-after-signing");
	assert_int_equal(transcript_append(t, "ceremony.end", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(transcript_hold_sign(t, key, NULL, cert, &pem, &pl), 0);
	assert_non_null(pem);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, size);
	assert_int_equal(transcript_sig_write(t, pem, pl, cert), CE_ERR_STATE); /* not closed */
	assert_int_equal(transcript_hold_release(t, 1), 0);
	assert_int_equal(transcript_close(t), 0);
	assert_int_equal(transcript_sig_write(t, pem, pl, cert), 0);
	assert_int_equal(transcript_sig_write(t, pem, pl, cert), CE_ERR_EXISTS);
	transcript_free(t);
	free(pem);
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_OK);
	assert_int_equal(rep.events, 3);
	assert_true(rep.signature_ok);
	/* failing twin: the signature without the held end does not verify */
	path_in(sig, sizeof(sig), "h.jsonl");
	assert_int_equal(truncate(sig, size), 0);
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_not_equal(rep.verdict, VERIFY_OK);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	X509_free(cert);
}

/* One read: the signature is checked against the digest of the bytes the
 * pass read, never the file read again. The right digest passes; a digest
 * of other bytes (the file changed between the two reads) is FAILED. */
static void test_signature_against_digest(void **state)
{
	char p[300], sig[300];
	EVP_PKEY *key;
	X509 *cert;
	struct verify_opts o;
	struct verify_report rep;
	uint8_t h[32];

	(void)state;
	memset(&o, 0, sizeof(o));
	path_in(p, sizeof(p), "d.jsonl");
	path_in(sig, sizeof(sig), "d.jsonl.p7s");
	make_signed(p, 1, &key, &cert);
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_OK);
	assert_int_equal(transcript_file_sha256(p, h, NULL), 0);
	rep.signature_ok = 0;
	assert_int_equal(verify_signature_check(h, p, sig, NULL, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_OK);
	assert_true(rep.signature_ok);
	/* failing twin: the same file, a digest of other bytes */
	h[31] ^= 1;
	rep.signature_ok = 0;
	assert_int_equal(verify_signature_check(h, p, sig, NULL, &rep), 1);
	assert_int_equal(rep.verdict, VERIFY_FAILED);
	assert_false(rep.signature_ok);
	assert_non_null(strstr(rep.reason, "its message digest is not the SHA-256 of the bytes verified"));
	EVP_PKEY_free(key);
	X509_free(cert);
}

static void test_sign_refuses_wrong_cert(void **state)
{
	char p[300];
	struct transcript *t = NULL;
	EVP_PKEY *key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
	X509 *cert = NULL;
	json_t *d;

	(void)state;
	assert_int_equal(transcript_signer_cert_create(other, "00112233445566778899aabbccddeeff", &cert), 0);
	path_in(p, sizeof(p), "w.jsonl");
	assert_int_equal(transcript_open(p, &t), 0);
	d = start_details();
	assert_int_equal(transcript_append(t, "ceremony.start", NULL, NULL, NULL, d), 0);
	json_decref(d);
	assert_int_equal(transcript_close(t), 0);
	assert_int_equal(transcript_sign(t, key, cert), CE_ERR_INVALID);
	transcript_free(t);
	path_in(p, sizeof(p), "w.jsonl.p7s");
	assert_int_equal(access(p, F_OK), -1); /* nothing written */
	X509_free(cert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_verify_unreadable(void **state)
{
	struct verify_opts o;
	struct verify_report rep;
	char p[300];

	(void)state;
	memset(&o, 0, sizeof(o));
	path_in(p, sizeof(p), "missing.jsonl");
	assert_int_equal(verify_transcript(p, &o, &rep), CE_ERR_IO);
	assert_int_equal(verify_transcript(dir, &o, &rep), CE_ERR_IO);
}

static time_t fake_sec;

static int fake_now(struct timespec *ts)
{
	ts->tv_sec = fake_sec;
	ts->tv_nsec = 500000000;
	return 0;
}

static void test_clock_never_goes_back(void **state)
{
	char p[300];
	struct transcript *t = NULL;
	json_t *d;
	struct verify_opts o;
	struct verify_report rep;
	FILE *f;
	char line[4096];
	int n = 0, held = 0;

	(void)state;
	path_in(p, sizeof(p), "clock.jsonl");
	assert_int_equal(transcript_open(p, &t), 0);
	transcript_set_sync(t, 0);
	transcript_set_clock(t, fake_now);
	fake_sec = 1795799814;
	d = start_details();
	assert_int_equal(transcript_append(t, "ceremony.start", NULL, NULL, NULL, d), 0);
	json_decref(d);
	fake_sec -= 3600; /* someone sets the clock back an hour, as a step starts */
	assert_int_equal(transcript_append(t, "step.start", "s1", NULL, NULL, NULL), 0);
	assert_int_equal(transcript_next_seq(t), 3); /* clock.held came first */
	assert_int_equal(transcript_close(t), 0);
	transcript_free(t);
	f = fopen(p, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		assert_non_null(strstr(line, "\"time\":\"2026-11-27T17:16:54.500000Z\""));
		if (strstr(line, "\"type\":\"clock.held\"") != NULL) {
			held = n;
			assert_non_null(strstr(line, "\"observed\":\"2026-11-27T16:16:54.500000Z\""));
		}
	}
	fclose(f);
	assert_int_equal(n, 3);
	assert_int_equal(held, 2);
	memset(&o, 0, sizeof(o));
	assert_int_equal(verify_transcript(p, &o, &rep), 0);
	assert_int_equal(rep.verdict, VERIFY_INCOMPLETE); /* no end, unsigned: but valid */
	assert_int_equal(rep.events, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_words),
		cmocka_unit_test(test_time_format_parse),
		cmocka_unit_test(test_details_keys),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_writer_refuses_bad_events),
		cmocka_unit_test(test_writer_chain_and_mode),
		cmocka_unit_test(test_chain_link),
		cmocka_unit_test(test_sign_and_verify),
		cmocka_unit_test(test_hold_sign_commit_and_forget),
		cmocka_unit_test(test_signature_against_digest),
		cmocka_unit_test(test_sign_refuses_wrong_cert),
		cmocka_unit_test(test_verify_unreadable),
		cmocka_unit_test(test_clock_never_goes_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
