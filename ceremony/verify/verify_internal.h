/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/verify_internal.h - the verifier's parts, for its own files
 * only. verify.c drives one streaming pass; each line goes through, in order:
 *
 *   frame.c      the bounded line reader; one JSON object with the nine fields
 *   chain.c      seq, prev (transcript_chain_link), times never going back
 *   rules.c      event structure (start, key, end), people and roles, quorums,
 *                outputs: the event-level rules that need no script
 *   semantics.c  with --script: the script/roster checks (vsem_*)
 *   signature.c  after the last line: the CMS signature and its signer
 *   report.c     the verdict: the first failure wins
 *
 * Calls go one way only: verify.c -> the others; semantics.c -> frame.c (a
 * second read, only on a failure); every part -> report.c. No part calls
 * verify.c or a part above it.
 *
 * Everything read is untrusted; everything here is public.
 */
#ifndef CE_CEREMONY_VERIFY_INTERNAL_H
#define CE_CEREMONY_VERIFY_INTERNAL_H

#include "ceremony/policy/policy.h"
#include "ceremony/transcript/format.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/verify/verify.h"

#include <stddef.h>
#include <stdint.h>

/* --- report.c: the verdict --- */

/* Record a FAILED verdict on rep (the first failure wins: later calls do
 * nothing). line 0: not tied to a line. Returns 1 (= stop). */
int verify_report_fail(struct verify_report *rep, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* After an OpenSSL check failed (its queue cleared before the call): 0 when
 * OpenSSL said why (a verdict), CE_ERR_NOMEM naming what when it said nothing
 * (bad input always leaves a reason; an allocation failure may not). */
int verify_ossl_silent(const char *what) __attribute__((warn_unused_result));

/* --- frame.c: reading lines --- */

struct verify_frame {
	int fd;
	EVP_MD_CTX *md; /* SHA-256 of every byte read: the bytes checked */
	char *buf;
	size_t cap;
	size_t start;
	size_t end;
	int eof;
	uint64_t lineno; /* 1-based number of the line last returned */
};

enum { VERIFY_FRAME_EOF = 0, VERIFY_FRAME_LINE = 1, VERIFY_FRAME_PARTIAL = 2 };

/* Open path for reading with a buffer that grows with the longest line, at
 * most TRANSCRIPT_LINE_MAX_BYTES plus a chunk: memory never grows with the
 * number of lines. 0, CE_ERR_IO, CE_ERR_NOMEM; on failure fr needs no
 * close. */
int verify_frame_open(struct verify_frame *fr, const char *path)
	__attribute__((warn_unused_result));
/* Accepts a zeroed frame (fd must then be -1) or a closed one. */
void verify_frame_close(struct verify_frame *fr);

/* After verify_frame_next returned VERIFY_FRAME_EOF or VERIFY_FRAME_PARTIAL
 * (every byte of the file read): the SHA-256 of exactly the bytes the lines
 * were cut from, in out. The signature is checked against this digest, so
 * the bytes checked are the bytes signed, whatever the file holds by then.
 * 0, CE_ERR_STATE (the file was not read to its end), CE_ERR_CRYPTO. */
int verify_frame_digest(struct verify_frame *fr, uint8_t out[32])
	__attribute__((warn_unused_result));

/* Next line, without its newline, in *line (borrowed: valid until the next
 * call) and *len. VERIFY_FRAME_LINE, VERIFY_FRAME_PARTIAL (last bytes without
 * a newline), VERIFY_FRAME_EOF, CE_ERR_TOO_LARGE (a line over
 * TRANSCRIPT_LINE_MAX_BYTES: fr->lineno is its number), CE_ERR_IO. */
int verify_frame_next(struct verify_frame *fr, const char *path, char **line, size_t *len)
	__attribute__((warn_unused_result));

/* The line's frame: not empty, one JSON object alone on it (no CR), valid
 * JSON parsed into d, exactly the nine fields of every event, "v" the
 * format version. 0, or 1 with the failure recorded on rep. */
int verify_frame_check(struct tj_doc *d, struct verify_report *rep, uint64_t ln, const char *line,
		       size_t len) __attribute__((warn_unused_result));

/* --- chain.c: order and links --- */

struct verify_chain {
	struct transcript_chain link;           /* the writer's own link function */
	char prev[TRANSCRIPT_HASH_HEX_LEN + 1]; /* the link of the last line accepted */
	int64_t last_sec, sec; /* time of the last line accepted, of the line checked */
	long last_usec, usec;
};

/* prev = genesis. 0 or CE_ERR_NOMEM; on failure c needs no free. */
int verify_chain_init(struct verify_chain *c) __attribute__((warn_unused_result));
void verify_chain_free(struct verify_chain *c);

/* Line ln (parsed in d, frame checked): seq is ln - 1, prev is the link of
 * the line before, time a UTC time not before the last one. 0, or 1 with the
 * failure recorded on rep. */
int verify_chain_check(struct verify_chain *c, const struct tj_doc *d, struct verify_report *rep,
		       uint64_t ln) __attribute__((warn_unused_result));

/* The line was accepted: link it and keep its time (the one
 * verify_chain_check just read). 0 or CE_ERR_CRYPTO. */
int verify_chain_accept(struct verify_chain *c, const char *line, size_t len)
	__attribute__((warn_unused_result));

/* --- rules.c: the event-level rules --- */

struct verify_rules; /* opaque: bounded tables of steps, persons, shares */

/* *out owned by the caller (verify_rules_free). 0 or CE_ERR_NOMEM. */
int verify_rules_new(struct verify_rules **out) __attribute__((warn_unused_result));
/* Accepts NULL. */
void verify_rules_free(struct verify_rules *ru);

/* Line ln (parsed in d, frame, chain and transcript_event_check passed):
 * structure (ceremony.start first and once, one transcript.key whose words
 * match, nothing after ceremony.end), a step runs once and its events come
 * while it runs, actors never witness their own step (policy 5.2.1,
 * policy_step_self_witness), quorums of distinct holders (policy 5.2.1), no
 * forbidden role pair (policy 4.2.4), and with outputs_dir the outputs'
 * SHA-256. Fills rep (ceremony id, key, end status...). 0, 1 with the
 * failure recorded on rep, CE_ERR_NOMEM. */
/* sealed.c: --outputs DIR: the sealed share file of a share.issued (det:
 * its details) is DIR/sealed_file and hashes as sealed_sha256; else a
 * failure naming the file and its holder. 0 when the share is not sealed. */
int verify_sealed_output(struct verify_report *rep, const struct tj_doc *d, uint64_t ln, int det,
			 const char *dir) __attribute__((warn_unused_result));

int verify_rules_event(struct verify_rules *ru, const struct tj_doc *d, struct verify_report *rep,
		       uint64_t ln, const char *outputs_dir) __attribute__((warn_unused_result));

/* 1 once ceremony.end was accepted. */
int verify_rules_ended(const struct verify_rules *ru);
/* The reason of the last abort event, "" if none (borrowed). */
const char *verify_rules_abort_reason(const struct verify_rules *ru);

/* --- semantics.c: the script/roster checks ---
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
/* verify/steps.c: one event against its step (called by semantics.c).
 * vsem_fail: the reason into why (cap bytes) and *why_line = line; returns 1.
 * vsem_step_quorum_secret: the secret step st enters shares of
 * (quorum.login, key.restore, shares.reshare, pin.rotate), or NULL.
 * vsem_step_event_check: an event of step cur (NULL between steps) is one
 * its action writes, with the step's parameters; vsem_tkey_place_check: the
 * transcript.key event stands in the step that makes the key. Both return
 * 0, or 1 with the reason in why and its line in *wl. */
struct script;
struct script_step;
struct script_secret;
struct tj_doc;
int vsem_fail(char *why, size_t cap, uint64_t *why_line, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
const struct script_secret *vsem_step_quorum_secret(const struct script *s,
						    const struct script_step *st);
int vsem_step_event_check(const struct script *s, const struct script_step *cur, uint64_t ln,
			  const struct tj_doc *d, const char *type, char *why, size_t cap,
			  uint64_t *wl);
int vsem_tkey_place_check(const struct script *s, const struct script_step *cur, uint64_t ln,
			  const struct tj_doc *d, char *why, size_t cap, uint64_t *wl);

struct vsem;

/* Load the script (and roster: roster_path, or the script's roster: when
 * NULL) into *out (vsem_free). script / roster, when not NULL, are used
 * instead of loading (borrowed: read only, must outlive *out; see
 * verify_opts). Returns 0; script_load/roster_load's errors (CE_ERR_IO,
 * CE_ERR_FORMAT with the first problem as the detail, CE_ERR_TOO_LARGE),
 * CE_ERR_NOMEM. */
int vsem_open(const char *script_path, const char *roster_path, const struct script *script,
	      const struct roster *roster, struct vsem **out)
	__attribute__((warn_unused_result));
/* Accepts NULL. */
void vsem_free(struct vsem *vs);

/* One accepted line (token 0 of d is the event, already checked against the
 * format). Returns 0 to go on; 1 on a violation, with the reason (without a
 * "line N: " prefix) in why and its line in *why_line (0: not tied to a
 * line); CE_ERR_NOMEM. */
int vsem_event(struct vsem *vs, uint64_t lineno, const struct tj_doc *d, char *why, size_t cap,
	       uint64_t *why_line) __attribute__((warn_unused_result));

/* After a violation from vsem_event, refine its reason with what comes later
 * in the transcript (a step started out of order: does the skipped step run
 * later, or never?). Reads path again (verify_lines_each); only ever on a
 * failure. why and *why_line are updated in place. Returns 0 or
 * verify_lines_each's errors. */
int vsem_refine(struct vsem *vs, const char *path, char *why, size_t cap, uint64_t *why_line)
	__attribute__((warn_unused_result));

/* attend.c: an attendance event's details.card (attendance by card) checked
 * against the roster certificate of its person; a script with attendance:
 * card wants one on every present. 0, or 1 with why (as vsem_event). */
struct script;
struct roster;
int vsem_attend_card(const struct script *s, const struct roster *r, const char *ceremony_id,
		     uint64_t ln, const struct tj_doc *d, char *why, size_t cap, uint64_t *wl);

/* --- signature.c --- */

/* The detached CMS signature at sig_path over the transcript whose bytes
 * have the SHA-256 digest (verify_frame_digest of the one pass: the file is
 * not read again): the SignerInfo's message-digest attribute equals digest
 * and its signature over the signed attributes verifies. Exactly one
 * PEM block, SignedData of id-data, one signer, SHA-256 with ECDSA, RSA or
 * EdDSA, verifying; its signer self-signed and the key announced by
 * transcript.key (rep->key_spki_sha256); equal to signer_path's certificate
 * when given, and to the certificate beside the transcript when one is
 * there. Sets rep->signature_ok. 0, 1 (a failure recorded on rep),
 * CE_ERR_IO (a file given could not be read), CE_ERR_NOMEM. */
int verify_signature_check(const uint8_t digest[32], const char *path, const char *sig_path,
			   const char *signer_path, struct verify_report *rep)
	__attribute__((warn_unused_result));

/* cosign.c: the co-signatures (docs/transcript-format.md section 3).
 * verify_cosign_collect: every SignerInfo after the first (the transcript
 * key's) signs the same digest with SHA-256, its certificate in the CMS;
 * each is listed in rep->cosigners. 0, 1 (failure recorded), CE_ERR_NOMEM.
 * verify_cosign_judge: with the script's roster (vs), each co-signer is a
 * roster person by certificate SPKI, and opts->require_cosigners are all
 * there (FAILED naming who is missing). 0 or 1. */
struct CMS_ContentInfo_st;
int verify_cosign_collect(struct CMS_ContentInfo_st *cms, const uint8_t digest[32],
			  const char *sig_path, struct verify_report *rep)
	__attribute__((warn_unused_result));
int verify_cosign_judge(const struct vsem *vs, const struct verify_opts *opts,
			struct verify_report *rep);
/* semantics.c: the roster and the seats taken at attendance. */
const struct roster *vsem_roster(const struct vsem *vs);
size_t vsem_nseats(const struct vsem *vs);
const struct policy_seat *vsem_seat(const struct vsem *vs, size_t i);

/* pin.c: pinned trust and what is proven.
 * verify_pin_check: expect_keys normalised into rep->expected; when given
 * and the transcript announced a key, that key must be one of them, else
 * FAILED naming the key. 0, or verify_pin_parse's CE_ERR_FORMAT,
 * CE_ERR_TOO_LARGE (more than VERIFY_EXPECT_MAX). */
int verify_pin_check(const struct verify_opts *opts, struct verify_report *rep)
	__attribute__((warn_unused_result));
/* --require-production: FAILED for a rehearsal or a scripted run. */
void verify_production_check(const struct verify_opts *opts, struct verify_report *rep);
/* rep->proof from the final verdict. */
void verify_pin_proof(struct verify_report *rep);

#endif
