/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script.h - ceremony scripts (docs/script-format.md, format 1).
 *
 * script_load() reads a script (bounded, at most YTREE_MAX_BYTES), checks the
 * whole schema - top-level keys, tokens and their pkcs11: URIs, roles,
 * secrets and their share layouts, steps, and every action's parameters
 * against the action table - and builds the model below. It reports EVERY
 * problem into a struct diag as "FILE:LINE:COL: error: ..." and returns
 * CE_ERR_FORMAT if there was any; checks that need the roster are in
 * ceremony/policy/policy.h.
 *
 * Ownership: the script owns everything reachable from it. Strings are
 * borrowed from its YAML tree and live as long as the script. Every node
 * keeps its place (struct diag_mark) so the runner and the verifier can point
 * at the line of the script a problem comes from.
 */
#ifndef CE_CEREMONY_SCRIPT_H
#define CE_CEREMONY_SCRIPT_H

#include "ceremony/model/diag.h"
#include "ceremony/model/role.h"
#include "ceremony/model/yamltree.h"
#include "ceremony/model/yfield.h"

#include <stddef.h>

#define SCRIPT_FORMAT 1
#define SCRIPT_MAX_GROUPS 16
#define SCRIPT_MAX_SHARES 16   /* per group (SLIP-39) */
#define SCRIPT_MAX_ROLE_COUNT 32
#define SCRIPT_NAME_MAX YFIELD_NAME_MAX

enum secret_kind { SECRET_PIN, SECRET_SO_PIN, SECRET_AES128, SECRET_AES256 };

const char *secret_kind_name(enum secret_kind k);

struct script_token {
	const char *name;
	const char *uri; /* validated: pkcs11:, names a token, no PIN */
	struct diag_mark mark;
};

struct script_group {
	unsigned threshold, count;
};

/* A share layout: SLIP-39 groups and group threshold. */
struct script_layout {
	size_t ngroups;
	struct script_group groups[SCRIPT_MAX_GROUPS];
	unsigned group_threshold;
};

/* Fewest shares (each from a distinct key holder) that recover the secret:
 * the group_threshold smallest group thresholds added up. */
unsigned script_layout_quorum(const struct script_layout *l);
/* Shares issued: the sum of the group counts. */
unsigned script_layout_total(const struct script_layout *l);

/* How a secret's shares reach their holders (delivery:, docs/script-format.md):
 * words shown on the screen; sealed to the holder's card (a file only that
 * card opens); both. */
enum secret_delivery { DELIVERY_WORDS = 0, DELIVERY_CARD, DELIVERY_BOTH };

struct script_secret {
	const char *name;
	enum secret_kind kind;
	enum secret_delivery delivery;
	const struct script_token *token; /* NULL for wrapping keys */
	struct script_layout layout;
	struct diag_mark mark;
};

/* How a step uses a secret parameter. */
enum secret_use {
	SECRET_USE_NONE = 0,
	SECRET_USE_ISSUE = 1,  /* new shares are issued to key holders */
	SECRET_USE_QUORUM = 2, /* a quorum of holders enters shares */
};

enum param_type {
	PT_STRING, /* any scalar */
	PT_INT,    /* decimal integer within [min, max] */
	PT_BOOL,   /* true / false */
	PT_NAME,   /* [a-z0-9][a-z0-9._-]* */
	PT_TOKEN,  /* a name in tokens: */
	PT_SECRET, /* a name in secrets:, kind among choices ("pin|so-pin") */
	PT_PATH,   /* an input file path */
	PT_OUTPUT, /* a relative output path, listed in the step's outputs */
	PT_HEX,    /* hex digits, even length */
	PT_ENUM,   /* one of choices ("a|b|c") */
	PT_ROLE,   /* a role name */
	PT_ITEMS,  /* checklist items: strings or {text, record} */
	PT_GROUPS, /* share layout groups: [{threshold, count}] */
	PT_REVOKED, /* CRL entries: [{serial, date, reason}] */
	PT_PROFILE  /* a certificate profile field: checked by the action's check
	               (ceremony/model/script_profile.h) */
};

struct script_param_spec {
	const char *key;
	enum param_type type;
	int required;
	const char *choices;    /* PT_ENUM values, PT_SECRET kinds; "|"-separated */
	long min, max;          /* PT_INT bounds */
	enum secret_use use;    /* PT_SECRET only */
};

struct script_step;
struct script;

/* One action: its name, its parameters (terminated by key == NULL), an
 * optional cross-field check (e.g. rsa needs size) reporting into d, and
 * whether it needs a user session on its token opened by an earlier
 * quorum.login (or pin.rotate) step of the same script. */
struct script_action {
	const char *name;
	const struct script_param_spec *params;
	void (*check)(const struct script *s, const struct script_step *st, struct diag *d);
	const char *summary;
	int needs_login;
};

/* The check of cert.issue's certificate profile (script_profile_check of
 * ceremony/model/script_profile.h), set by the ceremony program; NULL in
 * programs that do not link pkcs11/ (ceremony-verify): then only the
 * parameters' types are checked. */
extern void (*script_profile_checker)(const struct script *s, const struct script_step *st,
				      struct diag *d);

/* The action table (NULL-name terminated) and a lookup; NULL if unknown. */
extern const struct script_action script_actions[];
const struct script_action *script_action_find(const char *name);

struct script_output {
	const char *path;
	struct diag_mark mark;
};

struct script_step {
	size_t index; /* 0-based position in steps */
	const char *id;
	const char *title;
	const char *note; /* NULL if none */
	const struct script_action *action;
	const struct ynode *with; /* parameter map, NULL if absent (validated) */
	unsigned actors[ROLE_COUNT];    /* persons per role acting */
	unsigned witnesses[ROLE_COUNT]; /* persons per role witnessing */
	size_t noutputs;
	struct script_output *outputs;
	struct diag_mark mark, actors_mark, witnesses_mark;
};

/* attendance: (ceremony/model/script_cards.c) */
enum script_attendance { SCRIPT_ATTEND_CONFIRM = 0, SCRIPT_ATTEND_CARD };
/* cosigners: absent (everyone who acted or witnessed when attendance is by
 * card, else nobody), none, or a list of roles and person ids. */
enum script_cosign { SCRIPT_COSIGN_DEFAULT = 0, SCRIPT_COSIGN_NONE, SCRIPT_COSIGN_LIST };

struct script {
	struct ytree *tree;      /* tree->sha256: SHA-256 of the bytes parsed */
	const char *path;        /* as given to script_load (borrowed from tree) */
	const char *name;
	const char *version;
	const char *description; /* NULL if none */
	const char *roster;      /* as written in the script */
	char *roster_path;       /* resolved against the script's directory (owned) */
	struct diag_mark roster_mark, roles_mark;
	size_t ntokens;
	struct script_token *tokens;
	unsigned roles[ROLE_COUNT]; /* persons required per role; 0 = role not used */
	struct diag_mark role_marks[ROLE_COUNT];
	size_t nsecrets;
	struct script_secret *secrets;
	size_t nsteps;
	struct script_step *steps;
	enum script_attendance attendance;
	enum script_cosign cosign;
	const struct ynode *cosigners; /* the list (SCRIPT_COSIGN_LIST), else NULL */
	struct diag_mark attendance_mark, cosigners_mark;
};

/* Parse attendance: and cosigners: of the script's root map (script_cards.c). */
void script_cards_parse(struct script *s, const struct ynode *root, struct diag *d);
/* 1 when the script co-signs (cosigners: a list, or absent with attendance:
 * card), else 0. */
int script_cosigns(const struct script *s);
/* 1 when the person `id` seated in role ro is a co-signer (every seated
 * person by default; a listed role or id), else 0. */
int script_cosigner_is(const struct script *s, const char *id, enum role ro);

/* Load and validate path. On success *out is the model (script_free) and 0 is
 * returned. On a schema error returns CE_ERR_FORMAT with every problem in d
 * (d may be NULL: then only the first is kept, as the ce_err detail);
 * CE_ERR_IO if unreadable, CE_ERR_TOO_LARGE above YTREE_MAX_BYTES,
 * CE_ERR_NOMEM. Nothing is returned on error. */
int script_load(const char *path, struct script **out, struct diag *d)
	__attribute__((warn_unused_result));

/* As script_load for bytes in memory; name is used in messages and to resolve
 * the roster path. */
int script_load_mem(const char *name, const char *data, size_t len, struct script **out,
		    struct diag *d) __attribute__((warn_unused_result));

void script_free(struct script *s);

const struct script_token *script_token_find(const struct script *s, const char *name);
const struct script_secret *script_secret_find(const struct script *s, const char *name);
const struct script_step *script_step_find(const struct script *s, const char *id);

/* Parameters of a step (already validated against the action table).
 * script_param: the value node or NULL. script_param_str: the scalar or NULL.
 * script_param_int / _bool: 0 and *out set, or CE_ERR_NOT_FOUND if absent
 * (the default applies). */
const struct ynode *script_param(const struct script_step *st, const char *key);
const char *script_param_str(const struct script_step *st, const char *key);
int script_param_int(const struct script_step *st, const char *key, long *out);
int script_param_bool(const struct script_step *st, const char *key, int *out);

/* The layout new shares are issued with by step st for secret sec: the
 * secret's own, or the one given by shares.reshare's groups/group-threshold. */
void script_step_issue_layout(const struct script_step *st, const struct script_secret *sec,
			      struct script_layout *out);

/* The layout a quorum of sec needs at step st of s: the secret's own, or the
 * one the last earlier step issuing it gave it (shares.reshare with groups or
 * group-threshold). The runner collects with it; the verifier (--script)
 * checks quorum.met against it. */
void script_quorum_layout(const struct script *s, const struct script_step *st,
			  const struct script_secret *sec, struct script_layout *out);

/* The login state across steps, checked at load per token (sessions are
 * never closed by a step: there is no logout step, the runner logs out at
 * the end):
 * - a step that needs a login (an action marked needs_login, or a
 *   fingerprint of a key, with a token parameter) comes after a quorum login
 *   with the USER PIN on its token (quorum.login or pin.rotate of a `pin`
 *   secret), and not after an SO login on it;
 * - one login kind per token per ceremony: an SO login never follows a user
 *   login on the same token, nor the other way round (token.init ends
 *   logged in as user, shares.reshare of a user PIN logs in as user);
 * - token.init comes before any login on its token.
 * script_step_needs_login: the step needs a user session on its token.
 * script_step_logs_in: quorum.login or pin.rotate with a token (of either
 * kind). script_step_login: the login the step leaves its token in, and
 * that token's name in *token (borrowed from the script; NULL with
 * SCRIPT_LOGIN_NONE); the runner uses it to know before the start whether
 * any user login will make the transcript key on a token. */
enum script_login { SCRIPT_LOGIN_NONE = 0, SCRIPT_LOGIN_USER, SCRIPT_LOGIN_SO };
int script_step_needs_login(const struct script_step *st);
int script_step_logs_in(const struct script_step *st);
enum script_login script_step_login(const struct script *s, const struct script_step *st,
				    const char **token);

/* The key type a key.generate step asks for, by its canonical name
 * ("rsa3072", "p384", "ed25519": pkcs11/'s p11_key_type_name), into buf:
 * `type: rsa` with `size` (default 3072), `type: ec` with `curve` (default
 * p-256), or the type itself. The runner generates it and the verifier
 * checks the key.generated event against it: one reading of the script.
 * 0, CE_ERR_NOT_FOUND (no type), CE_ERR_TOO_LARGE (buf too small). */
int script_key_type_name(const struct script_step *st, char *buf, size_t cap);

/* The roles the script uses (roles: with a count above 0). */
role_set script_role_set(const struct script *s);

/* Validation helpers for the verifier and actions (yfield_name_valid,
 * yfield_long_parse under the script's names). */
int script_name_valid(const char *s);
/* pkcs11: URI naming a token, without PIN; on error *why says what. */
int script_uri_check(const char *uri, const char **why);
/* The script's token URI without its token= attribute: it finds the blank
 * (or factory) token of the same model/manufacturer/serial that token.init
 * initialises. *out malloc'ed (caller frees). 0 or CE_ERR_NOMEM. */
int script_uri_without_token(const char *uri, char **out);
/* Parse a decimal integer scalar; 0 or CE_ERR_FORMAT. */
int script_parse_long(const char *s, long *out);

#endif
