/*
 * ceremony/verify/verify.h - the auditor's check of a ceremony transcript
 * (docs/transcript-format.md section 7, docs/auditor-guide.md).
 *
 * verify_transcript() streams the transcript once with a bounded line buffer
 * (memory does not grow with the number of events): format, sequence, hash
 * chain, times, structure, the event-level semantic rules (a step runs once,
 * an actor never witnesses their own step, quorums met by distinct holders,
 * no forbidden role pair), the outputs' hashes, and with a script the
 * script/roster checks (vsem_event below) in the same pass; then the
 * detached CMS signature and that its signer is the key the transcript
 * announced.
 *
 * Everything read is untrusted; everything reported is public.
 */
#ifndef CE_CEREMONY_VERIFY_H
#define CE_CEREMONY_VERIFY_H

#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/transcript.h"

#include <jansson.h>
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

struct verify_opts {
	const char *sig_path;    /* NULL: <transcript>.p7s */
	const char *signer_path; /* auditor's own copy of the signer cert, or NULL */
	const char *script_path; /* NULL: no script/roster checks */
	const char *roster_path; /* NULL: the script's roster: (needs script_path) */
	const char *outputs_dir; /* NULL: outputs not checked */
};

#define VERIFY_REASON_LEN 512
#define VERIFY_NAME_LEN 128

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
};

/* Verify the transcript at path. Returns 0 when a verdict was reached (read
 * it in rep->verdict, whatever it is); a negative CE_ERR_* when the check
 * could not be made: CE_ERR_IO (transcript, script or roster unreadable),
 * CE_ERR_NOMEM, CE_ERR_FORMAT / CE_ERR_TOO_LARGE (script or roster invalid:
 * the detail names FILE:LINE:COL), CE_ERR_INVALID (roster_path without
 * script_path). */
int verify_transcript(const char *path, const struct verify_opts *opts, struct verify_report *rep)
	__attribute__((warn_unused_result));

/* Exit code for a verdict. */
int verify_exit_code(enum verify_verdict v);
const char *verify_verdict_name(enum verify_verdict v);

/* The verdict as one JSON object (new reference, NULL on allocation failure). */
json_t *verify_report_json(const char *path, const struct verify_report *rep);

/* --- Event iteration, for the second passes (semantics, replay, archive) --- */

/* Called once per complete line: lineno is 1-based, ev the parsed object
 * (borrowed: valid during the call). Return 0 to go on, 1 to stop, <0 error. */
typedef int (*verify_event_fn)(void *ctx, uint64_t lineno, json_t *ev);

/* Stream the events of path through fn with the bounded line reader. Does no
 * integrity check (run verify_transcript first); a line that is not a JSON
 * object is CE_ERR_FORMAT naming path:line. A partial last line is skipped.
 * Returns 0, fn's negative code, CE_ERR_IO, CE_ERR_TOO_LARGE. */
int verify_events_each(const char *path, verify_event_fn fn, void *ctx)
	__attribute__((warn_unused_result));

/* --- The script/roster checks (ceremony/verify/verify_semantics.c) ---
 *
 * Run inside verify_transcript()'s single pass when a script is given (the
 * roster is --roster or the script's roster:): each accepted line is handed
 * to vsem_event() right after the integrity and event-level checks, so the
 * transcript is read once and the first failing line wins. Memory is bounded
 * by the script and roster (seats, one step's actors and witnesses), never by
 * the number of events. What is checked (docs/auditor-guide.md section 1):
 * the script's and roster's SHA-256 equal ceremony.start's; steps start in
 * the script's order, none skipped, all run when ceremony.end says
 * completed; the role.assign seats of the attendance step pass
 * policy_check_attendance on the ceremony's date (the UTC date of
 * ceremony.start); each step's actors (step.start persons) and witnesses
 * (witness.confirm witnesses) pass policy_check_step; each quorum.met passes
 * policy_check_quorum with the secret's layout; every role a person shows is
 * granted by the roster and no person shows a pair the roster forbids.
 * Everything here is public. */
struct vsem;

/* Load the script (and roster: roster_path, or the script's roster: when
 * NULL) into *out (vsem_free). Returns 0; script_load/roster_load's errors
 * (CE_ERR_IO, CE_ERR_FORMAT with the first problem as the detail,
 * CE_ERR_TOO_LARGE), CE_ERR_NOMEM. */
int vsem_open(const char *script_path, const char *roster_path, struct vsem **out)
	__attribute__((warn_unused_result));
/* Accepts NULL. */
void vsem_free(struct vsem *vs);

struct tj_doc;
/* One accepted line (token 0 of d is the event, already checked against the
 * format). Returns 0 to go on; 1 on a violation, with the reason (without a
 * "line N: " prefix) in why and its line in *why_line (0: not tied to a
 * line); CE_ERR_NOMEM. */
int vsem_event(struct vsem *vs, uint64_t lineno, const struct tj_doc *d, char *why, size_t cap,
	       uint64_t *why_line) __attribute__((warn_unused_result));

/* After a violation from vsem_event, refine its reason with what comes later
 * in the transcript (a step started out of order: does the skipped step run
 * later, or never?). Reads path again; only ever on a failure. why and
 * *why_line are updated in place. Returns 0 or verify_events_each's errors. */
int vsem_refine(struct vsem *vs, const char *path, char *why, size_t cap, uint64_t *why_line)
	__attribute__((warn_unused_result));

#endif
