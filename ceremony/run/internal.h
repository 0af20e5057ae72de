/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/internal.h - what the runner's parts share beyond run.h,
 * without the run context's layout (ceremony/run/context.h): the parts that
 * bind shares to holders (shares_issue.c, shares_collect.c) use these and
 * the public services of run.h, never struct run_ctx's fields.
 *
 * Every pointer returned is BORROWED from the run context and valid until the
 * ceremony ends.
 */
#ifndef CE_CEREMONY_RUN_INTERNAL_H
#define CE_CEREMONY_RUN_INTERNAL_H

#include "ceremony/run/console.h"
#include "ceremony/run/registry.h"
#include "ceremony/run/run.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/format.h"

#include <jansson.h>

/* A holder may try this many times to type a share back or present it. */
#define RUN_SHARE_TRIES 3

/* card_present.c: a person presents their card for one operation (the
 * attendance challenge, a co-signature, a sealed share): found by the
 * roster's token: pattern in the run's module, a module-path= module or
 * every p11-kit module, waited for (CE_CARD_WAIT_S) with a prompt, its key
 * matched to the roster certificate before login ("this is the card of X,
 * not of Y"), the PIN counters said (a final try after "yes", a locked PIN
 * refused), the PIN typed and wiped, logged in. */
struct run_card;
struct roster_person;
struct p11_key;

/* Where the PIN comes from besides the terminal: 0 (the PIN in pin, len
 * bytes), 1 (none here: typed as usual), a CE_ERR code. */
typedef int (*run_card_pin_fn)(struct run_ctx *rc, const struct roster_person *p, void *arg,
			       char *pin, size_t cap, size_t *len);
/* What is done with the card, logged in: 0 or a CE_ERR code. */
typedef int (*run_card_op_fn)(struct run_ctx *rc, const struct run_card *c, void *arg);

struct run_card_how {
	const char *what;       /* "the attendance challenge": said if the card is pulled out */
	run_card_pin_fn pin_fn; /* NULL: the terminal (rehearsal: standard input) */
	void *pin_arg;
};

/* A card pulled out during an operation is asked back at most this often. */
#define RUN_CARD_PULLS_MAX 3
/* run_card_use: the card was pulled out and not inserted again in time. */
#define RUN_CARD_GONE CE_ERR_STATE

/* p presents their card and op runs with it. The card pulled out during op
 * (op fails and the token is gone from its slot): said on the console
 * ("CARD REMOVED: the card of X (id) was pulled out during WHAT"), asked
 * back and waited for, then a fresh login and op again; not inserted
 * again: RUN_CARD_GONE naming whose card and what it was doing. Else
 * op's code, or the presentation's: CE_ERR_NOT_FOUND (no card, no key of
 * p's certificate), CE_ERR_MISMATCH (another person's card, named),
 * CE_ERR_PIN (wrong PIN, tries said; locked), CE_ERR_TTY, p11's codes. */
int run_card_use(struct run_ctx *rc, const struct roster_person *p,
		 const struct run_card_how *how, run_card_op_fn op, void *arg)
	__attribute__((warn_unused_result));
/* The private key of the roster certificate on c (logged in). */
const struct p11_key *run_card_key(const struct run_card *c);

/* The console of the ceremony (context.c). */
struct console *run_console(struct run_ctx *rc);

/* The registry of issued shares: this ceremony's and the --issued-in
 * transcripts' (context.c). */
struct registry *run_registry(struct run_ctx *rc);

/* A JSON array holding the one person s, for an event's persons (events.c).
 * New reference, NULL on allocation failure. */
json_t *run_seat_list_json(const struct run_seat *s);

/* What this ceremony relied on in an earlier transcript (--issued-in), as
 * recorded in ceremony.start details.issued_in (docs/transcript-format.md):
 * the file's SHA-256, its signer, and how that signer was pinned. Public. */
enum issued_in_pinning {
	ISSUED_IN_PIN_NONE = 0,   /* not yet: issued_in_confirm asks */
	ISSUED_IN_PIN_KEY,        /* --issued-in-key named the signer */
	ISSUED_IN_PIN_CONSOLE,    /* the words typed at the console matched */
};

struct issued_in_pin {
	const char *path; /* borrowed from run_opts */
	char sha256[TRANSCRIPT_HASH_HEX_LEN + 1];
	char signer_spki_sha256[TRANSCRIPT_HASH_HEX_LEN + 1];
	char signer_words[FINGERPRINT_WORDS_MAX_LEN];
	enum issued_in_pinning pinning;
};

/*
 * Load into g the shares issued in the --issued-in transcripts paths[0..n)
 * (issued_in.c). Each transcript must verify OK (ceremony/verify/verify.h),
 * and when keys[i] is not NULL (--issued-in-key) its signer must be that key
 * (else CE_ERR_VERIFY naming the key that signed); pins[i] (n of them,
 * caller's) gets its file SHA-256 and signer, pinning ISSUED_IN_PIN_KEY or
 * ISSUED_IN_PIN_NONE. They are read in the order of their start times, so a
 * later issuance of a secret replaces the earlier ones; within one
 * transcript each set of a secret is one issuance. The holder files of a
 * rehearsal are looked for beside each transcript. Returns 0; CE_ERR_VERIFY
 * (a transcript not OK, named with its verdict, or changed while read);
 * CE_ERR_FORMAT (a share.issued event without its fields, naming file:line);
 * registry_add's errors; the verifier's.
 */
int issued_in_load(const char *const *paths, const char *const *keys, size_t n,
		   struct registry *g, struct issued_in_pin *pins)
	__attribute__((warn_unused_result));

/*
 * Each pin still ISSUED_IN_PIN_NONE: a person at the console types the
 * transcript key's words from that ceremony's paper log (prompt key
 * "issued-in-key.N", N the 1-based --issued-in position); they must name the
 * key that signed it (then ISSUED_IN_PIN_CONSOLE). The words are not shown
 * first: they are to be read off paper, not copied off the screen. Returns
 * 0; CE_ERR_VERIFY (other words: refused, naming the signer); console_ask's
 * codes (CE_ERR_ABORTED, CE_ERR_NOT_FOUND for a missing answer).
 */
int issued_in_confirm(struct console *con, struct issued_in_pin *pins, size_t n)
	__attribute__((warn_unused_result));

#endif
