/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transcript-sample: writes a sample ceremony transcript with the real writer
 * (ceremony/transcript/transcript.h), signed by a fresh software EC key and its
 * self-signed certificate, for the end-to-end tests and the benchmark.
 *
 * usage: transcript-sample [options] OUT.jsonl
 *   --outputs DIR     write root-ca.pem into DIR and record it
 *   --events N        add N filler events (config.changed) in a step
 *   --abort           the operator aborts during step keygen
 *   --no-end          stop without ceremony.end (as after a crash)
 *   --no-sign         do not sign
 *   --no-fsync        skip the fsync per event (big transcripts)
 *   --production      a production run: rehearsal and scripted_input false
 *   --violation KIND  quorum-twice | witness-actor | step-twice | forbidden-pair
 *                     | quorum-short
 *
 * or, for hand-written ceremonies checked against a script and roster:
 *   transcript-sample --from EVENTS [--script S] [--roster R] [--date YYYY-MM-DD]
 *                     [--no-sign] OUT.jsonl
 * EVENTS holds one event a line, {"type", "step", "persons", "witnesses",
 * "details"} (blank lines and lines starting with # skipped); a person may be
 * written "id:role" (or "id" for no role). ceremony.start gets the host
 * details, a fresh ceremony id and the SHA-256 of --script / --roster (unless
 * its details give them); a transcript.key event gets the signing key's
 * details (a "clock" its details give is kept). --date starts the clock at that day, 09:00:00 UTC, one second per
 * event.
 */
#include "ceremony/transcript/transcript.h"
#include "common/err.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static struct transcript *T;
static int64_t clock_base = -1;
static int64_t clock_ticks;

static int fake_now(struct timespec *ts)
{
	ts->tv_sec = (time_t)(clock_base + clock_ticks++);
	ts->tv_nsec = 0;
	return 0;
}

/* "id:role" -> person object; objects pass through (new reference). */
static json_t *person_expand(json_t *p)
{
	const char *s = json_string_value(p);
	const char *colon;
	char id[128];
	const char *roles[2] = { NULL, NULL };

	if (s == NULL)
		return json_incref(p);
	colon = strchr(s, ':');
	snprintf(id, sizeof(id), "%.*s", colon != NULL ? (int)(colon - s) : (int)strlen(s), s);
	roles[0] = colon != NULL ? colon + 1 : NULL;
	return transcript_person(id, NULL, roles);
}

static json_t *people_expand(json_t *arr)
{
	json_t *out = json_array();
	size_t i;
	json_t *p;

	json_array_foreach(arr, i, p)
		json_array_append_new(out, person_expand(p));
	return out;
}

static int hash_hex(const char *path, char hex[65])
{
	uint8_t h[32];
	static const char hx[] = "0123456789abcdef";
	int j;

	if (transcript_file_sha256(path, h, NULL) != 0)
		return -1;
	for (j = 0; j < 32; j++) {
		hex[2 * j] = hx[h[j] >> 4];
		hex[2 * j + 1] = hx[h[j] & 15];
	}
	hex[64] = '\0';
	return 0;
}

static void ev(const char *type, const char *step, json_t *persons, json_t *wits, json_t *d);

/* Events from a file (see the header). */
static int from_file(const char *events, const char *script, const char *roster, EVP_PKEY *key,
		     const char *id)
{
	char line[65536];
	FILE *f = fopen(events, "r");
	unsigned long n = 0;

	if (f == NULL) {
		perror(events);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		json_error_t jerr;
		json_t *e, *d, *kept_clock;
		const char *type;
		json_t *step;

		n++;
		if (line[0] == '#' || line[strspn(line, " \t\n")] == '\0')
			continue;
		e = json_loads(line, 0, &jerr);
		type = json_string_value(json_object_get(e, "type"));
		if (e == NULL || type == NULL) {
			fprintf(stderr, "transcript-sample: %s:%lu: %s\n", events, n,
				e == NULL ? jerr.text : "no type");
			return 1;
		}
		d = json_object_get(e, "details");
		d = d != NULL ? json_deep_copy(d) : json_object();
		if (strcmp(type, "ceremony.start") == 0) {
			char hex[65];

			if (json_object_get(d, "ceremony_id") == NULL)
				json_object_set_new(d, "ceremony_id", json_string(id));
			if (json_object_get(d, "rehearsal") == NULL)
				json_object_set_new(d, "rehearsal", json_true());
			if (json_object_get(d, "script_sha256") == NULL) {
				if (script == NULL || hash_hex(script, hex) != 0)
					return 1;
				json_object_set_new(d, "script_sha256", json_string(hex));
			}
			if (json_object_get(d, "roster_sha256") == NULL) {
				if (roster == NULL || hash_hex(roster, hex) != 0)
					return 1;
				json_object_set_new(d, "roster_sha256", json_string(hex));
			}
			/* a clock given in EVENTS is kept (tests of what verify says of it) */
			kept_clock = json_incref(json_object_get(d, "clock"));
			if (transcript_host_details(d) != 0)
				return 1;
			if (kept_clock != NULL)
				json_object_set_new(d, "clock", kept_clock);
		} else if (strcmp(type, "transcript.key") == 0) {
			json_decref(d);
			if (transcript_key_details(key, 1, &d) != 0)
				return 1;
		}
		step = json_object_get(e, "step");
		ev(type, json_string_value(step), people_expand(json_object_get(e, "persons")),
		   people_expand(json_object_get(e, "witnesses")), d);
		json_decref(e);
	}
	fclose(f);
	return 0;
}

static json_t *P(const char *id, const char *name, const char *role)
{
	const char *roles[2] = { role, NULL };

	return transcript_person(id, name, role != NULL ? roles : NULL);
}

static json_t *A1(json_t *a)
{
	json_t *arr = json_array();

	json_array_append_new(arr, a);
	return arr;
}

static void ev(const char *type, const char *step, json_t *persons, json_t *wits, json_t *d)
{
	int r = transcript_append(T, type, step, persons, wits, d);

	json_decref(persons);
	json_decref(wits);
	json_decref(d);
	if (r < 0) {
		fprintf(stderr, "transcript-sample: %s: %s\n", type, ce_err_detail());
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *out = NULL, *outputs = NULL, *violation = "";
	const char *from = NULL, *script = NULL, *roster = NULL;
	long filler = 0;
	int abort_it = 0, no_end = 0, no_sign = 0, no_fsync = 0, production = 0;
	char id[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	json_t *d;
	int i;
	long n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--outputs") == 0 && i + 1 < argc)
			outputs = argv[++i];
		else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
			filler = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--violation") == 0 && i + 1 < argc)
			violation = argv[++i];
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			from = argv[++i];
		else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
			script = argv[++i];
		else if (strcmp(argv[i], "--roster") == 0 && i + 1 < argc)
			roster = argv[++i];
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
			struct tm tm;

			memset(&tm, 0, sizeof(tm));
			if (strptime(argv[++i], "%Y-%m-%d", &tm) == NULL) {
				fprintf(stderr, "transcript-sample: bad date %s\n", argv[i]);
				return 2;
			}
			tm.tm_hour = 9;
			clock_base = (int64_t)timegm(&tm);
		} else if (strcmp(argv[i], "--abort") == 0)
			abort_it = 1;
		else if (strcmp(argv[i], "--no-end") == 0)
			no_end = 1;
		else if (strcmp(argv[i], "--no-sign") == 0)
			no_sign = 1;
		else if (strcmp(argv[i], "--no-fsync") == 0)
			no_fsync = 1;
		else if (strcmp(argv[i], "--production") == 0)
			production = 1;
		else if (argv[i][0] != '-' && out == NULL)
			out = argv[i];
		else {
			fprintf(stderr, "transcript-sample: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	if (out == NULL) {
		fprintf(stderr, "usage: transcript-sample [options] OUT.jsonl\n");
		return 2;
	}
	key = EVP_EC_gen("P-256");
	if (key == NULL || transcript_ceremony_id(id) != 0 ||
	    transcript_signer_cert_create(key, id, &cert) != 0) {
		fprintf(stderr, "transcript-sample: key: %s\n", ce_err_detail());
		return 1;
	}
	if (transcript_open(out, &T) != 0) {
		fprintf(stderr, "transcript-sample: %s\n", ce_err_detail());
		return 1;
	}
	if (no_fsync)
		transcript_set_sync(T, 0);
	if (clock_base >= 0)
		transcript_set_clock(T, fake_now);
	if (from != NULL) {
		if (from_file(from, script, roster, key, id) != 0) {
			fprintf(stderr, "transcript-sample: %s: %s\n", from, ce_err_detail());
			return 1;
		}
		goto finish;
	}

	d = json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:s}", "ceremony_id", id, "ceremony",
		      "root-ca", "rehearsal", !production, "scripted_input", !production, "script_sha256",
		      "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
		      "roster_sha256",
		      "9a271f2a916b0b6ee6cecb2426f0b3206ef074578be55d9bc94f6f3fe3ab86aa", "module",
		      "/usr/lib/softhsm/libsofthsm2.so", "module_sha256",
		      "0000000000000000000000000000000000000000000000000000000000000001");
	if (transcript_host_details(d) != 0) {
		fprintf(stderr, "transcript-sample: %s\n", ce_err_detail());
		return 1;
	}
	json_object_set_new(d, "token", json_pack("{s:s,s:s,s:s,s:s}", "manufacturer", "SoftHSM project",
						 "model", "SoftHSM v2", "serial", "1a2b3c4d5e6f7081",
						 "firmware", "2.6"));
	ev("ceremony.start", NULL, A1(P("carol", "Carol Operator", "system-operator")), NULL, d);
	ev("attendance", NULL, A1(P("alice", "Alice Martin", "security-officer")), NULL,
	   json_pack("{s:s}", "status", "present"));
	ev("attendance", NULL, A1(P("bob", "Bob Keeper", "key-holder")), NULL,
	   json_pack("{s:s}", "status", "present"));
	ev("attendance", NULL, A1(P("dave", "Dave Keeper", "key-holder")), NULL,
	   json_pack("{s:s}", "status", "present"));
	ev("attendance", NULL, A1(P("erin", "Erin Audit", "system-auditor")), NULL,
	   json_pack("{s:s}", "status", "present"));
	ev("role.assign", NULL, A1(P("alice", NULL, "security-officer")), NULL,
	   json_pack("{s:s}", "role", "security-officer"));
	if (strcmp(violation, "forbidden-pair") == 0)
		ev("role.assign", NULL, A1(P("alice", NULL, "hsm-administrator")), NULL,
		   json_pack("{s:s}", "role", "hsm-administrator"));

	ev("step.start", "login", A1(P("alice", NULL, "security-officer")), NULL,
	   json_pack("{s:s}", "title", "Security Officer logs in"));
	ev("login.failed", "login", A1(P("alice", NULL, "security-officer")), NULL,
	   json_pack("{s:s, s:s, s:s}", "user", "user", "ckr", "CKR_PIN_INCORRECT", "token", "root"));
	ev("login", "login", A1(P("alice", NULL, "security-officer")), NULL,
	   json_pack("{s:s, s:s}", "user", "user", "token", "root"));
	if (transcript_key_details(key, 1, &d) != 0) {
		fprintf(stderr, "transcript-sample: %s\n", ce_err_detail());
		return 1;
	}
	ev("transcript.key", "login", NULL, NULL, d);
	ev("witness.confirm", "login", A1(P("alice", NULL, "security-officer")),
	   A1(P(strcmp(violation, "witness-actor") == 0 ? "alice" : "erin", NULL, "system-auditor")),
	   json_object());
	ev("step.end", "login", A1(P("alice", NULL, "security-officer")), NULL,
	   json_pack("{s:s}", "status", "done"));

	ev("step.start", "quorum", NULL, A1(P("erin", NULL, "system-auditor")), NULL);
	ev("quorum.share", "quorum", A1(P("bob", NULL, "key-holder")), NULL,
	   json_pack("{s:s, s:i, s:s, s:b}", "set", "pin-1", "member", 1, "holder", "bob",
		     "accepted", 1));
	ev("quorum.share", "quorum", A1(P("dave", NULL, "key-holder")), NULL,
	   json_pack("{s:s, s:i, s:s, s:b, s:s}", "set", "pin-1", "member", 3, "holder", "dave",
		     "accepted", 0, "reason", "checksum"));
	if (strcmp(violation, "quorum-twice") == 0) {
		ev("quorum.share", "quorum", A1(P("bob", NULL, "key-holder")), NULL,
		   json_pack("{s:s, s:i, s:s, s:b}", "set", "pin-1", "member", 2, "holder", "bob",
			     "accepted", 1));
		ev("quorum.met", "quorum", NULL, NULL,
		   json_pack("{s:s, s:i, s:[s,s]}", "set", "pin-1", "threshold", 2, "holders",
			     "bob", "bob"));
	} else if (strcmp(violation, "quorum-short") == 0) {
		ev("quorum.met", "quorum", NULL, NULL,
		   json_pack("{s:s, s:i, s:[s]}", "set", "pin-1", "threshold", 2, "holders", "bob"));
	} else {
		ev("quorum.share", "quorum", A1(P("dave", NULL, "key-holder")), NULL,
		   json_pack("{s:s, s:i, s:s, s:b}", "set", "pin-1", "member", 2, "holder", "dave",
			     "accepted", 1));
		ev("quorum.met", "quorum", NULL, NULL,
		   json_pack("{s:s, s:i, s:[s,s]}", "set", "pin-1", "threshold", 2, "holders",
			     "bob", "dave"));
	}
	ev("step.end", "quorum", NULL, NULL, json_pack("{s:s}", "status", "done"));

	if (strcmp(violation, "step-twice") == 0) {
		ev("step.start", "login", A1(P("alice", NULL, "security-officer")), NULL, NULL);
		ev("step.end", "login", NULL, NULL, json_pack("{s:s}", "status", "done"));
	}
	ev("step.start", "keygen", A1(P("alice", NULL, "security-officer")),
	   A1(P("erin", NULL, "system-auditor")), json_pack("{s:s}", "title", "Generate the root key"));
	ev("key.generated", "keygen", A1(P("alice", NULL, "security-officer")), NULL,
	   json_pack("{s:s, s:s, s:s, s:s}", "key_type", "EC P-384", "label", "root-2026", "id",
		     "01", "public_key_sha256",
		     "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"));
	if (abort_it) {
		ev("abort", "keygen", A1(P("carol", NULL, "system-operator")), NULL,
		   json_pack("{s:s}", "reason", "the auditor left the room"));
		ev("step.end", "keygen", NULL, NULL, json_pack("{s:s}", "status", "failed"));
		if (!no_end)
			ev("ceremony.end", NULL, NULL, NULL, json_pack("{s:s}", "status", "aborted"));
		goto finish;
	}
	if (outputs != NULL) {
		char path[4096];
		FILE *f;
		uint8_t h[32];
		uint64_t size;
		char hex[65];
		static const char hx[] = "0123456789abcdef";
		int j;

		mkdir(outputs, 0700);
		snprintf(path, sizeof(path), "%s/root-ca.pem", outputs);
		f = fopen(path, "w");
		if (f == NULL) {
			perror(path);
			return 1;
		}
		fprintf(f, "-----BEGIN CERTIFICATE-----\nMIIBsample%s\n-----END CERTIFICATE-----\n", id);
		fclose(f);
		if (transcript_file_sha256(path, h, &size) != 0)
			return 1;
		for (j = 0; j < 32; j++) {
			hex[2 * j] = hx[h[j] >> 4];
			hex[2 * j + 1] = hx[h[j] & 15];
		}
		hex[64] = '\0';
		ev("cert.created", "keygen", NULL, NULL,
		   json_pack("{s:s, s:s, s:s}", "file", "root-ca.pem", "sha256", hex, "subject",
			     "CN=Sample Root CA"));
		ev("output.written", "keygen", NULL, NULL,
		   json_pack("{s:s, s:s, s:I}", "file", "root-ca.pem", "sha256", hex, "size",
			     (json_int_t)size));
	}
	ev("witness.confirm", "keygen", A1(P("alice", NULL, "security-officer")),
	   A1(P("erin", NULL, "system-auditor")), NULL);
	ev("step.end", "keygen", NULL, NULL, json_pack("{s:s}", "status", "done"));
	if (filler > 0) {
		ev("step.start", "bulk", NULL, NULL, NULL);
		for (n = 0; n < filler; n++)
			ev("config.changed", "bulk", A1(P("carol", "Carol Operator", "system-operator")),
			   NULL,
			   json_pack("{s:s, s:I, s:s}", "what", "token.object.attribute", "from", (json_int_t)n,
				     "to", "CKA_LABEL=root-2026-backup-copy-for-the-second-site"));
		ev("step.end", "bulk", NULL, NULL, json_pack("{s:s}", "status", "done"));
	}
	ev("logout", NULL, A1(P("alice", NULL, "security-officer")), NULL,
	   json_pack("{s:s}", "user", "user"));
	if (!no_end)
		ev("ceremony.end", NULL, A1(P("carol", NULL, "system-operator")), NULL,
		   json_pack("{s:s, s:s}", "status", "completed", "transcript_key",
			     "destroyed-after-signing"));
finish:
	if (transcript_close(T) != 0) {
		fprintf(stderr, "transcript-sample: %s\n", ce_err_detail());
		return 1;
	}
	if (!no_sign && transcript_sign(T, key, cert) != 0) {
		fprintf(stderr, "transcript-sample: sign: %s\n", ce_err_detail());
		return 1;
	}
	transcript_free(T);
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}
