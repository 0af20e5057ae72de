/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/verify.h - the auditor's check of a ceremony transcript
 * (docs/transcript-format.md section 7, docs/auditor-guide.md).
 *
 * verify_transcript() streams the transcript once with a bounded line buffer
 * (memory does not grow with the number of events): format, sequence, hash
 * chain, times, structure, the event-level semantic rules (a step runs once,
 * an actor never witnesses their own step, quorums met by distinct holders,
 * no forbidden role pair), the outputs' hashes, and with a script the
 * script/roster checks (ceremony/verify/semantics.c) in the same pass; then
 * the detached CMS signature and that its signer is the key the transcript
 * announced; with --expect-key, that this key is one the auditor expects
 * (FAILED otherwise); with --require-production, that the run was neither a
 * rehearsal nor answered from a file (FAILED otherwise). rep->proof says
 * what the verdict proves and what it does not. The parts and their order: ceremony/verify/verify_internal.h.
 *
 * Everything read is untrusted; everything reported is public.
 */
#ifndef CE_CEREMONY_VERIFY_H
#define CE_CEREMONY_VERIFY_H

#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/format.h"

#include <jansson.h>
#include <stdio.h>
#include <stdint.h>

enum verify_verdict {
	VERIFY_OK = 0,
	VERIFY_INCOMPLETE = 1, /* a valid prefix of a ceremony that did not complete */
	VERIFY_FAILED = 2,     /* not a genuine transcript, or a rule broken */
};

/* Exit codes of `ceremony verify` (1 and 2 are the CLI's failure/usage). */
#define VERIFY_EXIT_OK 0
#define VERIFY_EXIT_INCOMPLETE 3
#define VERIFY_EXIT_FAILED 4

struct script; /* ceremony/model/script.h */
struct roster; /* ceremony/model/roster.h */

struct verify_opts {
	const char *sig_path;    /* NULL: <transcript>.p7s */
	const char *signer_path; /* auditor's own copy of the signer cert, or NULL */
	const char *script_path; /* NULL: no script/roster checks */
	const char *roster_path; /* NULL: the script's roster: (needs script_path) */
	/* The script and roster already loaded (script_load, roster_load):
	 * used instead of reading script_path and roster_path again, for a
	 * caller checking many transcripts against one script (the fuzz target
	 * tests/fuzz/fuzz_verify_script.c). Borrowed and only read; script_path
	 * must still be set (the script checks are on, and messages name it).
	 * NULL: loaded from the paths. */
	const struct script *script;
	const struct roster *roster;
	const char *outputs_dir; /* NULL: outputs not checked */
	/* --expect-key: the keys one of which must have signed, each as the
	 * fingerprint words read off the paper log or the 64-hex SPKI SHA-256
	 * (verify_pin_parse); n_expect_keys of them (borrowed). */
	const char *const *expect_keys;
	size_t n_expect_keys;
	int require_production; /* --require-production: a rehearsal or scripted run FAILS */
	/* --require-cosigners: "all" or role names (borrowed), each seated
	 * person of them must have co-signed with their roster certificate
	 * (ceremony/verify/cosign.c; needs script_path) */
	const char *const *require_cosigners;
	size_t n_require_cosigners;
};


/* At most this many --expect-key. */
#define VERIFY_EXPECT_MAX 16
/* An expected key, normalised: 64 hex digits or the eight words, with NUL. */
#define VERIFY_PIN_LEN FINGERPRINT_WORDS_MAX_LEN

#define VERIFY_REASON_LEN 512
#define VERIFY_NAME_LEN 128

/* At most this many co-signers are listed (more is FAILED). */
#define VERIFY_COSIGN_MAX 32

/* A co-signature (a SignerInfo after the transcript key's). */
struct verify_cosigner {
	char spki_sha256[TRANSCRIPT_HASH_HEX_LEN + 1];
	char subject[VERIFY_NAME_LEN];   /* the certificate's subject, one line */
	char person_id[VERIFY_NAME_LEN]; /* roster person, "" when not matched */
	char name[VERIFY_NAME_LEN];
	char roles[VERIFY_NAME_LEN];     /* roles seated in, comma-separated */
};

struct verify_report {
	enum verify_verdict verdict;
	uint64_t events;    /* complete lines accepted */
	uint64_t fail_line; /* 1-based line of the failure, 0 if not tied to a line */
	char reason[VERIFY_REASON_LEN]; /* why FAILED / INCOMPLETE; "" when OK */
	char ceremony_id[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1];
	char ceremony[VERIFY_NAME_LEN];
	char start_time[TRANSCRIPT_TIME_LEN + 1];
	char end_time[TRANSCRIPT_TIME_LEN + 1]; /* time of the last accepted event */
	char end_status[32];                    /* ceremony.end status, "" if none */
	char last_step[VERIFY_NAME_LEN];        /* step of the last event that had one */
	int rehearsal;
	int partial_line;     /* a partial last line (no newline) was found */
	int signed_;          /* a signature file was found */
	int signature_ok;     /* it verified and its signer is the announced key */
	uint64_t key_line;    /* line of transcript.key, 0 if none */
	char key_spki_sha256[TRANSCRIPT_HASH_HEX_LEN + 1];
	char key_words[FINGERPRINT_WORDS_MAX_LEN];
	uint64_t outputs_checked;
	int scripted_input; /* ceremony.start scripted_input: true (--input) */
	int production;     /* ceremony.start records rehearsal and scripted_input both false */
	size_t n_expected;  /* --expect-key given, normalised in expected[] */
	char expected[VERIFY_EXPECT_MAX][VERIFY_PIN_LEN];
	int signer_matched; /* the announced (and, signed, signing) key is one of expected[] */
	int clock_unsynchronised; /* ceremony.start clock.synchronised false (policy 5.5) */
	uint64_t clock_held;      /* clock.held events: the host clock went back */
	/* What the verdict proves and what it does not, one sentence (always set). */
	char proof[VERIFY_REASON_LEN];
	/* co-signatures, each verified over the same bytes (cosign.c) */
	size_t n_cosigners;
	struct verify_cosigner cosigners[VERIFY_COSIGN_MAX];
	int cosigners_checked; /* matched against a roster */
};

/* The co-signers of rep for people (after the verdict line). */
void verify_cosign_print(FILE *f, const struct verify_report *rep);
/* The co-signers as a JSON array (new reference, NULL on allocation failure):
 * spki_sha256, subject, and with a roster id, name, roles. */
json_t *verify_cosign_json(const struct verify_report *rep);

/* Verify the transcript at path. Returns 0 when a verdict was reached (read
 * it in rep->verdict, whatever it is); a negative CE_ERR_* when the check
 * could not be made: CE_ERR_IO (transcript, script or roster unreadable),
 * CE_ERR_NOMEM, CE_ERR_FORMAT / CE_ERR_TOO_LARGE (script or roster invalid:
 * the detail names FILE:LINE:COL), CE_ERR_INVALID (roster_path without
 * script_path). */
int verify_transcript(const char *path, const struct verify_opts *opts, struct verify_report *rep)
	__attribute__((warn_unused_result));

/* An expected key as given (--expect-key, --issued-in-key) into out (cap >=
 * VERIFY_PIN_LEN): 64 hex digits (any case) -> lowercase hex; else exactly
 * eight fingerprint words separated by blanks (any case, a word's unique
 * four-letter prefix accepted) -> the words, lowercase, single spaces.
 * Returns 0; CE_ERR_FORMAT naming the value and what is wrong. */
int verify_pin_parse(const char *in, char *out, size_t cap) __attribute__((warn_unused_result));

/* Whether the normalised pin (verify_pin_parse) names the key whose SPKI
 * SHA-256 is spki_hex (64 hex digits). 1 or 0. */
int verify_pin_matches(const char *pin, const char *spki_hex);

/* Whether the run was production, for people: "yes (...)", "NO: a
 * rehearsal", "NO: prompts answered from a file (--input)", ... (static). */
const char *verify_production_text(const struct verify_report *rep);

/* Exit code for a verdict. */
int verify_exit_code(enum verify_verdict v);
const char *verify_verdict_name(enum verify_verdict v);

/* The verdict as one JSON object (new reference, NULL on allocation failure).
 * Its strings go through jtext (ceremony/transcript/jtext.h): a reason
 * quoting a value cut inside a UTF-8 character keeps its verdict. */
json_t *verify_report_json(const char *path, const struct verify_report *rep);

/* --- Event iteration, for the second passes (replay, archive, --issued-in) --- */

/* Stream the lines of path through fn with the bounded line reader and the
 * verifier's own JSON reader (ceremony/transcript/tjson.h): the one reader of
 * transcript lines, used by replay, archive and --issued-in (about ten
 * times faster than a jansson tree: make bench). Each complete line is
 * parsed into d (borrowed: valid during the call; strings are in d's
 * buffer). Does no integrity check (run verify_transcript first). fn returns
 * 0 to go on, 1 to stop, < 0 an error. A line that is not a JSON object is
 * CE_ERR_FORMAT naming path:line; a partial last line is skipped. Returns 0,
 * fn's negative code, CE_ERR_IO, CE_ERR_TOO_LARGE, CE_ERR_NOMEM. */
struct tj_doc;
typedef int (*verify_line_fn)(void *ctx, uint64_t lineno, const struct tj_doc *d);
int verify_lines_each(const char *path, verify_line_fn fn, void *ctx)
	__attribute__((warn_unused_result));

#endif
