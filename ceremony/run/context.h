/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/context.h - the run context (the state of one running
 * ceremony) and the functions the runner's own parts call on one another.
 *
 * Included by the parts that own a piece of that state, each file one
 * concern:
 *   flow.c      run_ceremony: start, the steps, the end (calls all below)
 *   start.c     ceremony.start and what it records of the host and modules
 *   cosign_run.c the co-signatures by card after the transcript key's
 *   people.c    the prompts that seat persons and choose a step's people
 *   attend_card.c the attendance by card (challenge signed, checked)
 *   card_present.c a person presents their card: found, matched, PIN, login
 *   login.c     run_token_login: tokens.c's login, then tkey.c's key
 *   tkey.c      the transcript key: made, confirmed, signs, destroyed
 *   tokens.c    tokens, sessions, OpenSSL contexts, keys, logouts
 *   outputs.c   input and output paths, output.written, the summary
 *   events.c    transcript events of the current step, person objects
 *   context.c   accessors and the console services of run.h
 * Each calls only the ones listed after it (and seats.c, registry.c,
 * console.c, issued_in.c): no two parts call each other. flow.c also calls
 * the actions (action_table.c), which call the parts above through run.h.
 * The parts that bind shares to holders (shares_issue.c, shares_collect.c,
 * rehearsal.c) do not see this struct: they use run.h and internal.h; nor
 * does the capability preflight (preflight*.c: the script and the tokens'
 * caps only), which flow.c and `ceremony check` call.
 *
 * Nothing in struct run_ctx is secret except tkey_soft's private half
 * (OpenSSL's secure heap when it could be set up; freed, which wipes it,
 * right after signing).
 */
#ifndef CE_CEREMONY_RUN_CONTEXT_H
#define CE_CEREMONY_RUN_CONTEXT_H

#include "ceremony/run/internal.h"
#include "ceremony/run/seats.h"
#include "ceremony/transcript/transcript.h"
#include "pkcs11/card.h"
#include "pkcs11/x509/ossl.h"

#include <openssl/evp.h>

struct run_token_state {
	const struct script_token *spec;
	struct p11_token *tok;     /* owned */
	struct p11_session *sess;  /* owned, logged in when logged_in */
	int logged_in;
	enum p11_user login_user;  /* of the last login */
	json_t *login_persons;     /* who logged in (owned reference), for the logout event */
	struct p11_ossl *ossl;     /* owned, opened on first use */
};

/* Card modules one run may load besides its own (card_present.c). */
#define RUN_CARD_MODULES_MAX 8

/* A person's card, presented and logged in (card_present.c; run_card_use
 * in internal.h). */
struct run_card {
	const struct roster_person *person;
	struct p11_token *tok;    /* owned */
	struct p11_session *sess; /* owned */
	int logged_in;
	struct p11_key *key;      /* owned: the private key of the roster certificate */
	uint8_t spki_sha256[32];
};

struct run_summary {
	char *line;
};

struct run_ctx {
	const struct run_opts *opts;
	struct script *s;
	struct roster *r;
	struct roster_date today;
	struct console *con;
	struct transcript *t;
	char ceremony_id[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1];
	const char *outdir;
	struct p11_ctx *p11;
	/* other modules, for personal tokens (card_present.c): one per module a
	 * roster token: names (module-path=), "" for every module p11-kit
	 * registers; opened on first use, kept until the run ends */
	struct {
		char path[512];
		struct p11_ctx *ctx;
	} cards_p11[RUN_CARD_MODULES_MAX];
	struct run_token_state *toks; /* s->ntokens */

	const struct roster_person *operator; /* who runs the console */
	struct seats seats;                   /* attendance and the step's people */
	int seated;                           /* attendance done */

	const struct script_step *cur;
	json_t *step_details; /* for step.end */

	struct registry reg;
	struct issued_in_pin *issued_pins; /* one per --issued-in, recorded in ceremony.start */

	/* transcript key */
	int tkey;              /* made (destroyed at the end in every case) */
	int tkey_announced;    /* its transcript.key event is written: it may sign */
	int tkey_tried;        /* tkey_sign_ready was called */
	int tkey_ready;        /* loaded, signer certificate made: it will sign */
	int tkey_destroyed;
	struct p11_ossl_key tkey_k; /* the token key through OpenSSL, when ready */
	struct p11_key *tkey_pk;    /* and as our PKCS#11 layer found it */
	X509 *tkey_cert;            /* the signer certificate, when ready */
	int tkey_soft_needed;  /* no step logs in to a token as user (preflight) */
	EVP_PKEY *tkey_soft;   /* the ephemeral software key, or NULL (HSM key) */
	int tkey_soft_locked;  /* its private part is in OpenSSL's locked heap */
	int tkey_confirm_due;  /* its words still to be confirmed at attendance */
	size_t tkey_tok;
	char tkey_label[64];
	char tkey_words[128];

	struct run_summary *sum;
	size_t nsum;

	json_t *att_card[SEATS_MAX]; /* attendance by card: details.card per seat */
};

/* events.c: append an event with an explicit step id (NULL: outside steps);
 * transcript_append's codes. Arguments borrowed. */
int events_append_at(struct run_ctx *rc, const char *type, const char *step, json_t *persons,
		     json_t *witnesses, json_t *details) __attribute__((warn_unused_result));

/* outputs.c: print the closing summary; free its lines. */
void outputs_summary_print(struct run_ctx *rc);
void outputs_summary_free(struct run_ctx *rc);

/* tokens.c */
/* One state per script token (rc->toks). 0 or CE_ERR_NOMEM. */
int tokens_open(struct run_ctx *rc) __attribute__((warn_unused_result));
/* Close every session and token and free rc->toks. */
void tokens_free(struct run_ctx *rc);
/* The state of script token `name`, or NULL (detail set: CE_ERR_NOT_FOUND). */
struct run_token_state *tokens_state_find(struct run_ctx *rc, const char *name);
/* The pkcs11: URI of the object labelled label (type: "private", "public"
 * or NULL for any) on token `name`: *out malloc'ed. run_token's codes,
 * CE_ERR_INVALID (label too long), CE_ERR_NOMEM. */
int tokens_key_uri(struct run_ctx *rc, const char *name, const char *label, const char *type,
		   char **out) __attribute__((warn_unused_result));
/* run_token_login less the transcript key: *ti is the token's index in
 * rc->toks. pin BORROWED secmem. wipe: NULL, or the secmem block holding pin,
 * which is secmem_free'd (and *wipe set to NULL) on the line after C_Login
 * returns, before any event is written, and on every other path. */
int tokens_login(struct run_ctx *rc, const char *name, enum p11_user user, const char *pin,
		 size_t pin_len, void **wipe, size_t *ti) __attribute__((warn_unused_result));
/* policy 4.4.1: the logout events, written before ceremony.end; when says
 * when the logouts happen ("after-signing", or "at-end" for a transcript
 * that will not be signed). */
int tokens_logout_record(struct run_ctx *rc, const char *when)
	__attribute__((warn_unused_result));
/* The logouts themselves, after signing (never fails: warns). */
void tokens_logout_all(struct run_ctx *rc);

/* tkey.c */
/* The ephemeral software transcript key (no step logs in). */
int tkey_soft_make(struct run_ctx *rc) __attribute__((warn_unused_result));
/* The transcript key on token rc->toks[ti], after its first user login;
 * its words confirmed by the step's witnesses. */
int tkey_token_make(struct run_ctx *rc, size_t ti) __attribute__((warn_unused_result));
/* The step's witnesses confirm the transcript key's words. */
int tkey_words_confirm(struct run_ctx *rc) __attribute__((warn_unused_result));
/* Before ceremony.end is written: make the transcript key ready to sign
 * (the token key loaded through OpenSSL, the signer certificate made: the
 * key's first signature, verified), so that ceremony.end claims a signature
 * only from a key that has just made one. 0 (also when already ready);
 * CE_ERR_STATE (no key made, or made and never announced, or an earlier
 * call failed), run_key_load's and transcript_signer_cert_create's codes:
 * the transcript will not be signed. */
int tkey_sign_ready(struct run_ctx *rc) __attribute__((warn_unused_result));
/* What ceremony.end says of the key (transcript_key): "destroyed-after-
 * signing" when ready, "destroyed-unsigned" when made but not ready, "none"
 * when no key was made. Static string. */
const char *tkey_end_claim(const struct run_ctx *rc);
/* Sign, in memory, the transcript with its held end (transcript_hold: the
 * logouts and ceremony.end claiming the signature) with the ready key:
 * *pem (heap) verified; nothing written. CE_ERR_STATE if not ready,
 * transcript_hold_sign's codes. The key is kept (tkey_sig_write or
 * tkey_destroy follows). */
int tkey_sign_held(struct run_ctx *rc, char **pem, size_t *pem_len)
	__attribute__((warn_unused_result));
/* Write that signature next to the closed transcript, then destroy the key
 * (in every case); transcript_sig_write's codes. */
int tkey_sig_write(struct run_ctx *rc, const char *pem, size_t pem_len)
	__attribute__((warn_unused_result));
/* Destroy the key without signing (idempotent; warns, never fails). Before
 * the logouts: the token key is destroyed in its user session. */
void tkey_destroy(struct run_ctx *rc);

/* people.c */
/* Attendance: seat a person in every role slot, checked by the policy, each
 * person confirms presence; attendance and role.assign events. */
int people_attendance_seat(struct run_ctx *rc) __attribute__((warn_unused_result));
/* Choose the actors and witnesses of st (asked again until the policy
 * accepts them; scripted input: refused the second time). */
int people_step_choose(struct run_ctx *rc, const struct script_step *st)
	__attribute__((warn_unused_result));
/* Print the step's title and people. */
void people_step_announce(struct run_ctx *rc, const struct script_step *st);
/* Each witness of st confirms: witness.confirm events. */
int people_witnesses_confirm(struct run_ctx *rc, const struct script_step *st)
	__attribute__((warn_unused_result));
/* Who runs the console (asked before the transcript opens). */
int people_operator_ask(struct run_ctx *rc) __attribute__((warn_unused_result));

/* cosign_run.c: after tkey_sign_held made *pem (heap, verified), each
 * co-signer of the script in seating order presents their card and adds a
 * SignerInfo; a co-signer may retry or type skip. *pem is replaced. Never
 * fails for a co-signer's card (said on the console); CE_ERR_ABORTED. */
int cosign_run(struct run_ctx *rc, char **pem, size_t *pem_len)
	__attribute__((warn_unused_result));

/* attend_card.c: seat k's person signs a challenge for the attendance event
 * of sequence seq with their card; on success rc->att_card[k] is set.
 * Refusals: card_present's codes, CE_ERR_VERIFY. */
int attend_card_check(struct run_ctx *rc, size_t k, uint64_t seq)
	__attribute__((warn_unused_result));
/* The challenge signed: "ceremony attendance v1 ID SEQ PERSON NONCEHEX". */
#define ATTEND_CHALLENGE_MAX 512

/* start.c: the ceremony.start event. */
int start_event_write(struct run_ctx *rc) __attribute__((warn_unused_result));

#endif
