/*
 * transcript-sample: writes a sample ceremony transcript with the real writer
 * (ceremony/transcript.h), signed by a fresh software EC key and its
 * self-signed certificate, for the end-to-end tests and the benchmark.
 *
 * usage: transcript-sample [options] OUT.jsonl
 *   --outputs DIR     write root-ca.pem into DIR and record it
 *   --events N        add N filler events (config.changed) in a step
 *   --abort           the operator aborts during step keygen
 *   --no-end          stop without ceremony.end (as after a crash)
 *   --no-sign         do not sign
 *   --no-fsync        skip the fsync per event (big transcripts)
 *   --violation KIND  quorum-twice | witness-actor | step-twice | forbidden-pair
 *                     | quorum-short
 */
#include "ceremony/transcript.h"
#include "common/err.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct transcript *T;

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
	long filler = 0;
	int abort_it = 0, no_end = 0, no_sign = 0, no_fsync = 0;
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
		else if (strcmp(argv[i], "--abort") == 0)
			abort_it = 1;
		else if (strcmp(argv[i], "--no-end") == 0)
			no_end = 1;
		else if (strcmp(argv[i], "--no-sign") == 0)
			no_sign = 1;
		else if (strcmp(argv[i], "--no-fsync") == 0)
			no_fsync = 1;
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

	d = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "ceremony_id", id, "ceremony",
		      "root-ca", "rehearsal", 1, "script_sha256",
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
