/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/run.h - the ceremony runner (`ceremony run`) and the services it
 * gives to actions.
 *
 * The runner (ceremony/run/flow.c and the parts ceremony/run/context.h
 * lists) lints, opens the transcript, writes ceremony.start, seats the
 * persons at attendance, and for each step chooses the actors and witnesses,
 * checks policy, announces the step, writes step.start, calls the step's
 * ACTION, has each witness confirm, writes step.end. It owns everything an action uses: the console, the transcript,
 * the PKCS#11 ctx, the tokens and their logged-in sessions, the OpenSSL
 * provider context per token, the share registry, the closing summary.
 *
 * An action is one function `int fn(struct run_ctx *rc, const struct
 * script_step *st)` in ceremony/actions/action_*.c, listed in run_actions[]
 * (ceremony/run/action_table.c). It reads its parameters with script_param*() (already validated by
 * script_load), talks to people only through run_ask/run_confirm/run_say,
 * writes events only through run_event, and returns 0 or a negative CE_ERR_*
 * with the detail set (ce_err_set), naming what and where. It never writes
 * step.start/step.end/witness.confirm/error/abort: the runner does, from the
 * return code:
 *   0                 the step is done (witnesses confirm, step.end done)
 *   CE_ERR_ABORTED    someone aborted at a prompt: the console has already
 *                     asked for the reason; the runner writes `abort`,
 *                     step.end failed, ceremony.end aborted, signs if it
 *                     can, exits 3
 *   any other < 0     `error` (message = detail; function = the C_* name and
 *                     ckr = the CKR_* name of p11_failure_current()), step.end
 *                     failed, ceremony.end failed, signs if it can, exits 1
 * An action never calls exit() and leaves nothing half-written (outputs go
 * through run_output_path + common/outfile.h or x509_pem_write).
 *
 * Every pointer returned by a run_* accessor is BORROWED from the run
 * context and valid until the ceremony ends, unless said otherwise. Nothing
 * in struct run_ctx is secret except what run_shares_collect returns,
 * what run_token_login borrows and what run_token_login_wipe consumes; those
 * live in secmem.
 *
 * Thread use: none. One ceremony per process.
 */
#ifndef CE_CEREMONY_RUN_H
#define CE_CEREMONY_RUN_H

#include "ceremony/model/role.h"
#include "ceremony/model/roster.h"
#include "ceremony/model/script.h"
#include "pkcs11/p11.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct run_ctx; /* opaque: one running ceremony */
struct p11_ossl;
struct p11_ossl_key;

/* Exit codes of `ceremony run` (0, 1, 2 are the CLI's). */
#define RUN_EXIT_ABORTED 3

/* Longest answer typed at a prompt (public answers), with its NUL. */
#define RUN_ANSWER_MAX 256

/* ------------------------------------------------------------------ */
/* Options and the entry point (cmd_run.c)                             */

struct run_opts {
	const char *script_path;  /* required */
	const char *roster_path;  /* NULL: the script's roster: */
	const char *outdir;       /* NULL: "." */
	const char *module;       /* PKCS#11 module (p11_ctx_open), NULL: p11-kit's */
	const char *input_path;   /* --input answer file, NULL: interactive */
	int rehearsal;            /* --rehearsal */
	int allow_scripted_input; /* --allow-scripted-input */
	const char *today;        /* --today YYYY-MM-DD (rehearsal only), NULL: UTC date */
	const char *const *issued_in; /* --issued-in transcripts (borrowed), n_issued_in of them */
	/* --issued-in-key: issued_in_key[i] is the expected transcript key of
	 * issued_in[i] (fingerprint words or SPKI SHA-256 hex), or NULL: not
	 * pinned, its words are then typed at the console from the paper log. */
	const char *const *issued_in_key;
	size_t n_issued_in;
};

/* Run a ceremony from start to end. Returns the process exit status:
 * 0 completed, 1 failed (error printed, naming what and where; the
 * transcript, if it was opened, ends with `error` and ceremony.end failed),
 * 2 usage (bad option combination, printed), RUN_EXIT_ABORTED (3: aborted
 * at a prompt, reason recorded). Lint errors refuse the run before anything
 * is written (exit 1). */
int run_ceremony(const struct run_opts *opts);

/* ------------------------------------------------------------------ */
/* What is running                                                     */

const struct script *run_script(const struct run_ctx *rc);
const struct roster *run_roster(const struct run_ctx *rc);
const struct roster_date *run_today(const struct run_ctx *rc);
int run_is_rehearsal(const struct run_ctx *rc);
/* The output directory as given ("." by default). */
const char *run_outdir(const struct run_ctx *rc);
/* 32 hex digits. */
const char *run_ceremony_id(const struct run_ctx *rc);
/* The step being run, or NULL outside steps. */
const struct script_step *run_step(const struct run_ctx *rc);

/* ------------------------------------------------------------------ */
/* People of the step                                                  */

/* A seated person: who, in which role (public). */
struct run_seat {
	const struct roster_person *person; /* from run_roster(); never NULL once seated */
	enum role role;
};

/* The actors / witnesses chosen for the current step, in the order of the
 * step's roles (role enum order), then seating order. *n set; the array is
 * borrowed (valid during the step). */
const struct run_seat *run_step_actors(const struct run_ctx *rc, size_t *n);
const struct run_seat *run_step_witnesses(const struct run_ctx *rc, size_t *n);
/* The step's actors in role `role`, in order: up to max seats copied into
 * out; returns how many the step has (may exceed max). Key holders of an
 * issuing step receive shares in this order. */
size_t run_step_actors_in(const struct run_ctx *rc, enum role role, const struct run_seat **out,
			  size_t max);
/* Everyone seated at attendance (less the seats retired since). */
const struct run_seat *run_attendance(const struct run_ctx *rc, size_t *n);

/* Remove the seat of `person` in `role` (roster.change retire): from the
 * next step on that person cannot act or witness in that role (a retired key
 * holder presents no share). Returns 1 if a seat was removed, 0 if the person
 * was not seated in that role. Pointers from run_attendance() taken before
 * the call are invalid after it. */
int run_seat_retire(struct run_ctx *rc, const struct roster_person *person, enum role role);

/* Person objects for transcript events (new references, NULL on allocation
 * failure): one seat; the step's actors; the step's witnesses; the operator
 * (the person who seated the others: the attendance step's first actor, or
 * an empty-roles object with id "operator" before attendance). */
json_t *run_seat_json(const struct run_seat *s);
json_t *run_actors_json(const struct run_ctx *rc);
json_t *run_witnesses_json(const struct run_ctx *rc);
json_t *run_operator_json(const struct run_ctx *rc);

/* ------------------------------------------------------------------ */
/* Console                                                             */
/*
 * Every prompt has a stable KEY (see docs/ceremony.1, ANSWER FILES), e.g.
 * "record.unseal.hsm-bag-serial". Interactive: asked on /dev/tty. Scripted
 * (--input): the key's next answer from the file, echoed with the prompt.
 * Typing "abort" (or Ctrl-C / Ctrl-D) at any prompt asks for a reason (key
 * "abort.reason") and returns CE_ERR_ABORTED: the action must return it
 * unchanged. Answers are PUBLIC (they may be written to the transcript):
 * never ask for a secret with these.
 */

/* Print a line to the console (and nothing else: not the transcript). */
void run_say(struct run_ctx *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ask: show "[KEY] prompt" and read one line (trimmed) into out (cap bytes,
 * NUL-terminated). An empty answer asks again. Returns 0; CE_ERR_ABORTED;
 * CE_ERR_NOT_FOUND (scripted: no answer left for KEY: detail names KEY and
 * the file; the runner treats it as an abort with that reason);
 * CE_ERR_TOO_LARGE (answer longer than cap - 1); CE_ERR_IO. */
int run_ask(struct run_ctx *rc, const char *key, const char *prompt, char *out, size_t cap)
	__attribute__((warn_unused_result));

/* Ask until the answer is exactly `word` (e.g. "confirm", a person's id, a
 * key label for a double confirmation). A different answer is refused and
 * asked again, at most 3 times in all (then CE_ERR_INVALID naming KEY).
 * Returns 0, or run_ask's errors. */
int run_confirm(struct run_ctx *rc, const char *key, const char *prompt, const char *word)
	__attribute__((warn_unused_result));

/* Progress for a slow operation: run_progress_begin prints
 * "generating RSA-4096 key on 'Root CA'... " and starts a clock;
 * run_progress_end prints "done (3.2 s)" or "failed (3.2 s)" when r < 0. */
void run_progress_begin(struct run_ctx *rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void run_progress_end(struct run_ctx *rc, int r);

/* ------------------------------------------------------------------ */
/* Transcript                                                          */

/* Append an event for the current step (step = the current step id, or null
 * outside steps). persons, witnesses, details: borrowed (NULL = empty). Do
 * not use for step.start/step.end/witness.confirm/abort/error/ceremony.*
 * (the runner's). Returns transcript_append's codes (CE_ERR_INVALID: the
 * event does not fit docs/transcript-format.md; CE_ERR_IO ...). */
int run_event(struct run_ctx *rc, const char *type, json_t *persons, json_t *witnesses,
	      json_t *details) __attribute__((warn_unused_result));

/* Add key = value (borrowed; a new reference is taken) to the details of the
 * current step's step.end event (e.g. checklist records, a fingerprint read
 * out). CE_ERR_STATE outside a step, CE_ERR_NOMEM. */
int run_step_detail(struct run_ctx *rc, const char *key, json_t *value)
	__attribute__((warn_unused_result));

/* ------------------------------------------------------------------ */
/* Tokens, sessions, OpenSSL                                           */

/* The PKCS#11 ctx of the ceremony (opened at start with --module). */
struct p11_ctx *run_p11(struct run_ctx *rc);

/* The token named `name` in the script's tokens: (found by its URI the first
 * time, kept). Returns 0 and *out (borrowed); CE_ERR_NOT_FOUND (no token
 * matches the URI: detail names the token and URI), p11_token_find's errors. */
int run_token(struct run_ctx *rc, const char *name, struct p11_token **out)
	__attribute__((warn_unused_result));

/* The current SO PIN of token `name`, to re-initialise it (token.init with
 * reinit: true): typed by the security officer at the terminal, without
 * echo, under the share-entry guard (shares_ui_secret_line_read); in a
 * rehearsal without a terminal, one line of standard input. Never from the
 * script, the answer file, argv or the environment. *pin: secmem OWNED by
 * the caller (NUL-terminated, *len bytes), to be wiped right after
 * C_InitToken. 0; CE_ERR_TTY (no terminal outside a rehearsal);
 * CE_ERR_INVALID (an empty line, end of input); CE_ERR_TOO_LARGE;
 * CE_ERR_IO; CE_ERR_MLOCK. */
int run_token_current_so_pin(struct run_ctx *rc, const char *name, char **pin, size_t *len)
	__attribute__((warn_unused_result));

/* Hand the runner a token found another way (token.init finds a blank token
 * with p11_token_find_blank and initialises it): ownership of tok is
 * TRANSFERRED to the runner on every return (freed on error). Any session
 * already held for `name` is closed first. 0, CE_ERR_NOT_FOUND (no such
 * script token), CE_ERR_NOMEM. */
int run_token_adopt(struct run_ctx *rc, const char *name, struct p11_token *tok)
	__attribute__((warn_unused_result));

/* Log in to token `name` as `user` with pin (BORROWED secmem, not kept: wipe
 * it after the call). Opens the token's session if needed and keeps it open
 * and logged in until the ceremony ends (the module logs out when the runner
 * closes its sessions, after signing the transcript). Writes `login`
 * (persons: the step's actors; details user, token) or `login.failed` (with
 * the CKR name) and returns the error: a retry within the same step would
 * repeat quorum.share events, which the verifier refuses. After the first successful
 * user login of the ceremony it creates the transcript key on that token
 * (event transcript.key; its fingerprint words shown and confirmed by the
 * step's witnesses). Returns 0; CE_ERR_PIN (wrong PIN: the quorum may retry);
 * CE_ERR_PKCS11; CE_ERR_ABORTED (at the fingerprint confirmation); the
 * transcript's errors. */
int run_token_login(struct run_ctx *rc, const char *name, enum p11_user user, const char *pin,
		    size_t pin_len)
	__attribute__((warn_unused_result));

/* run_token_login for a caller that has no further use for the PIN
 * (quorum.login): *pin (secmem from run_shares_collect, pin_len bytes) is
 * CONSUMED: wiped and freed on the line after C_Login returns, before the
 * login event, login.failed or the transcript key's prompts, and on every
 * other path; *pin is NULL on return. Same returns as run_token_login. */
int run_token_login_wipe(struct run_ctx *rc, const char *name, enum p11_user user, uint8_t **pin,
			 size_t pin_len)
	__attribute__((warn_unused_result));

/* The open logged-in session on token `name` (borrowed). CE_ERR_STATE if no
 * earlier step logged in (lint prevents it), CE_ERR_NOT_FOUND. */
int run_session(struct run_ctx *rc, const char *name, struct p11_session **out)
	__attribute__((warn_unused_result));

/* The OpenSSL context (pkcs11-provider sharing our login) for token `name`,
 * opened on first use, closed by the runner at the end (borrowed). Needs the
 * token logged in (CE_ERR_STATE otherwise); p11_ossl_open's errors. */
int run_ossl(struct run_ctx *rc, const char *name, struct p11_ossl **out)
	__attribute__((warn_unused_result));

/* Find the key labelled `label` (the script's `key:` value) on token `name`'s
 * session: *out owned by the caller (p11_key_free). p11_key_find's errors. */
int run_key_find(struct run_ctx *rc, const char *name, const char *label, struct p11_key **out)
	__attribute__((warn_unused_result));

/* The key labelled `label` as OpenSSL sees it (p11_ossl_key_load with the
 * public key our layer reads as `expect`; falls back to
 * p11_ossl_key_from_p11 when the provider cannot share the login). *out
 * filled, freed by the caller with p11_ossl_key_free; *key_out (may be NULL)
 * receives the p11 key, which must be freed AFTER *out (p11_key_free). */
int run_key_load(struct run_ctx *rc, const char *name, const char *label,
		 struct p11_ossl_key *out, struct p11_key **key_out)
	__attribute__((warn_unused_result));

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* OUTDIR/rel for an output the step writes (malloc'ed, caller frees).
 * CE_ERR_EXISTS (naming the path) if it already exists: outputs are never
 * overwritten; CE_ERR_NOMEM. The file itself must be written with no clobber
 * (outfile.h / x509_pem_write). */
int run_output_path(struct run_ctx *rc, const char *rel, char **out)
	__attribute__((warn_unused_result));

/* OUTDIR/rel for an input (issuer-cert, csr, input, file): malloc'ed, caller
 * frees. CE_ERR_NOT_FOUND naming the path if absent; CE_ERR_NOMEM. */
int run_input_path(struct run_ctx *rc, const char *rel, char **out)
	__attribute__((warn_unused_result));

/* Record a written output: `output.written` (file = base name, sha256,
 * size) and a line in the closing summary (file, SHA-256 as words). data,
 * len: exactly the bytes written to path through its descriptor (outfile),
 * hashed here, never read back by name. CE_ERR_CRYPTO, transcript errors. */
int run_output_record(struct run_ctx *rc, const char *path, const void *data, size_t len)
	__attribute__((warn_unused_result));

/* The same for a certificate, CSR or CRL (kind "cert", "csr", "crl"): the
 * summary shows first its DER SHA-256 as words under kind (the fingerprint a
 * fingerprint step reads aloud, and what replay and verify show), then the
 * PEM file's SHA-256 under "file" (file: as x509_pem_write wrote it, hashed
 * before it was linked into place). der_sha256_hex: 64 lowercase hex
 * (borrowed). CE_ERR_IO, CE_ERR_FORMAT (not hex), transcript errors. */
struct x509_pem_file;
int run_output_record_x509(struct run_ctx *rc, const char *path, const struct x509_pem_file *file,
			   const char *kind, const char *der_sha256_hex)
	__attribute__((warn_unused_result));

/* Add a key to the closing summary (label, CKA_ID hex, SPKI SHA-256 shown as
 * words). CE_ERR_NOMEM. */
int run_summary_key(struct run_ctx *rc, const char *token, const char *label, const char *id_hex,
		    const uint8_t spki_sha256[32]) __attribute__((warn_unused_result));

/* Add a free-form line to the closing summary (public). CE_ERR_NOMEM. */
int run_summary_add(struct run_ctx *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Shares bound to holders                                             */

/*
 * Issue shares of secret (BORROWED secmem, len bytes: even, 16..64) for the
 * script secret `sec` with layout (script_step_issue_layout): split with
 * slip39_split; share (g, m) goes to the step's key-holder actors in order
 * (group by group). Each holder steps up (prompt "issue.<step>.<secret>.<id>":
 * types their id), then alone: the share shown (interactive:
 * shares_ui_show on /dev/tty, screen cleared before and after; rehearsal: the
 * mnemonic appended to OUTDIR/rehearsal/<holder>.shares, mode 0600, marked
 * REHEARSAL ONLY), `share.issued` (set, group, member, holder, salt,
 * commitment = SHA-256(salt || mnemonic), secret = sec->name), then typed back
 * (rehearsal: read back from the file) and checked against the commitment:
 * `share.verified` ok/failed, 3 tries (rehearsal: 1), then CE_ERR_VERIFY
 * naming the holder. The new set
 * replaces every earlier set of sec in the registry (old shares are void).
 * Fewer key-holder actors than shares: CE_ERR_POLICY. Returns 0,
 * CE_ERR_ABORTED, CE_ERR_VERIFY, CE_ERR_IO, CE_ERR_MLOCK, slip39 errors,
 * transcript errors. Every copy of a share is wiped before return.
 */
int run_shares_issue(struct run_ctx *rc, const struct script_secret *sec,
		     const struct script_layout *layout, const uint8_t *secret, size_t len)
	__attribute__((warn_unused_result));

/*
 * Collect a quorum for secret `sec` from the step's key-holder actors: each
 * holder steps up (prompt "holder.<step>.<n>": types their id), enters their
 * share (shares_ui_enter; rehearsal: their file's line for sec). A share is
 * refused, naming the holder, when its set is not the current set of sec in
 * the registry (this ceremony's and the --issued-in transcripts'
 * share.issued), its (group, member) was issued to another holder, or its
 * commitment does not match; each presentation writes `quorum.share`
 * (accepted or refused with the reason). A refused share asks the same
 * holder again (3 tries, then CE_ERR_VERIFY naming the holder; in rehearsal
 * the file cannot change, so the first refusal is final). A rehearsal holder
 * without a share for sec is skipped (said on the console, no event). When
 * slip39_combine succeeds: policy_check_quorum on the holders, `quorum.met`.
 * Runs out of holders before the quorum: CE_ERR_QUORUM.
 * On success *secret is the master secret in secmem OWNED by the caller
 * (secmem_free, which wipes) and *len its length. Returns 0, CE_ERR_ABORTED,
 * CE_ERR_QUORUM, CE_ERR_VERIFY, CE_ERR_POLICY, CE_ERR_NOT_FOUND (no issued
 * set known for sec: pass --issued-in), slip39 errors, CE_ERR_MLOCK.
 */
int run_shares_collect(struct run_ctx *rc, const struct script_secret *sec, uint8_t **secret,
		       size_t *len) __attribute__((warn_unused_result));

/*
 * PINs held as shares of a secret (docs/share-format.md, "PINs derived from
 * an activation secret").
 *
 * run_pin_shares_issue: run_shares_issue for a PIN's secret; every
 * share.issued records derivation (p11_pin_derivation_format: how the PIN is
 * derived from the secret), and so does the registry. derivation NULL or ""
 * issues the secret as the PIN itself (re-issuing a set of an older
 * ceremony: reshare). Same returns as run_shares_issue.
 *
 * run_pin_from_secret: the PIN of a secret collected for sec
 * (run_shares_collect): derived as the current set of sec records, or, for a
 * set issued without a derivation, the secret itself as text. secret is
 * BORROWED. *pin: NUL-terminated secmem OWNED by the caller, *pin_len its
 * length. derivation (may be NULL) receives the set's derivation ("" when
 * none), for re-issuing. 0, CE_ERR_FORMAT (a derivation this version does
 * not know), CE_ERR_CRYPTO, CE_ERR_MLOCK.
 */
int run_pin_shares_issue(struct run_ctx *rc, const struct script_secret *sec,
			 const struct script_layout *layout, const uint8_t *secret, size_t len,
			 const char *derivation) __attribute__((warn_unused_result));
#define RUN_PIN_DERIVATION_MAX 48
int run_pin_from_secret(struct run_ctx *rc, const struct script_secret *sec,
			const uint8_t *secret, size_t len, char **pin, size_t *pin_len,
			char derivation[RUN_PIN_DERIVATION_MAX]) __attribute__((warn_unused_result));

/* ------------------------------------------------------------------ */
/* Actions                                                             */

typedef int (*run_action_fn)(struct run_ctx *rc, const struct script_step *st);

struct run_action {
	const char *name; /* as in script_actions[] */
	run_action_fn fn;
};

/* The table (NULL-name terminated) and a lookup (NULL: this build does not
 * implement the action; the runner refuses such a script before starting). */
extern const struct run_action run_actions[];
const struct run_action *run_action_find(const char *name);

/* The actions (ceremony/action_*.c). Each returns 0 or CE_ERR_* as above. */
int action_attendance(struct run_ctx *rc, const struct script_step *st);
int action_checklist(struct run_ctx *rc, const struct script_step *st);
int action_token_init(struct run_ctx *rc, const struct script_step *st);
int action_quorum_login(struct run_ctx *rc, const struct script_step *st);
int action_key_generate(struct run_ctx *rc, const struct script_step *st);
int action_key_export_public(struct run_ctx *rc, const struct script_step *st);
int action_cert_self_sign(struct run_ctx *rc, const struct script_step *st);
int action_fingerprint(struct run_ctx *rc, const struct script_step *st);
/* Written on branch runner-actions: */
int action_csr_create(struct run_ctx *rc, const struct script_step *st);
int action_cert_issue(struct run_ctx *rc, const struct script_step *st);
int action_crl_sign(struct run_ctx *rc, const struct script_step *st);
int action_key_backup(struct run_ctx *rc, const struct script_step *st);
int action_key_restore(struct run_ctx *rc, const struct script_step *st);
int action_shares_reshare(struct run_ctx *rc, const struct script_step *st);
int action_pin_rotate(struct run_ctx *rc, const struct script_step *st);
int action_key_destroy(struct run_ctx *rc, const struct script_step *st);
int action_roster_change(struct run_ctx *rc, const struct script_step *st);

#endif
