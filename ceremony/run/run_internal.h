/*
 * ceremony/run/run_internal.h - the run context, shared by run.c and
 * run_shares.c only (actions use ceremony/run/run.h).
 */
#ifndef CE_CEREMONY_RUN_INTERNAL_H
#define CE_CEREMONY_RUN_INTERNAL_H

#include "ceremony/run/console.h"
#include "ceremony/policy/policy.h"
#include "ceremony/run/run.h"
#include "ceremony/transcript/transcript.h"

#include <openssl/evp.h>

#define RUN_MAX_SEATS 128
#define RUN_SHARE_SALT_BYTES 16
#define RUN_SET_MAX 16

struct run_token_state {
	const struct script_token *spec;
	struct p11_token *tok;     /* owned */
	struct p11_session *sess;  /* owned, logged in when logged_in */
	int logged_in;
	enum p11_user login_user;  /* of the last login */
	json_t *login_persons;     /* who logged in (owned reference), for the logout event */
	struct p11_ossl *ossl;     /* owned, opened on first use */
};

/* One share issued (this ceremony or an --issued-in transcript). Public. */
struct run_issued {
	char *secret_name; /* the script's secret name (public) */
	char set[RUN_SET_MAX];
	unsigned group, member; /* 1-based */
	char *holder;
	uint8_t salt[RUN_SHARE_SALT_BYTES];
	uint8_t commitment[32];
	unsigned generation; /* issuance order: a later one replaces earlier sets */
	char *rehearsal_dir; /* where its holder files are (rehearsal), or NULL */
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
	struct run_token_state *toks; /* s->ntokens */

	const struct roster_person *operator; /* who runs the console */
	struct run_seat att[RUN_MAX_SEATS];
	size_t natt;
	int seated; /* attendance done */

	const struct script_step *cur;
	struct run_seat actors[RUN_MAX_SEATS], wits[RUN_MAX_SEATS];
	size_t nactors, nwits;
	json_t *step_details; /* for step.end */

	struct run_issued *reg;
	size_t nreg, capreg;
	unsigned generation;

	/* transcript key */
	int tkey; /* made */
	int tkey_soft_needed;  /* no step logs in to a token (preflight) */
	EVP_PKEY *tkey_soft;   /* the ephemeral software key, or NULL (HSM key) */
	int tkey_soft_locked;  /* its private part is in OpenSSL's locked heap */
	int tkey_confirm_due;  /* its words still to be confirmed at attendance */
	size_t tkey_tok;
	char tkey_label[64];
	char tkey_words[128];

	struct run_summary *sum;
	size_t nsum;
};

/* Registry of issued shares (run_shares.c). */
int run_registry_load(struct run_ctx *rc);
void run_registry_free(struct run_ctx *rc);

#endif
