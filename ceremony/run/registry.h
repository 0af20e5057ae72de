/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/registry.h - the share registry: the shares issued for each
 * script secret (in this ceremony, or read from an --issued-in transcript),
 * with the commitment each holder's share must match.
 *
 * A plain data structure: it knows nothing of the runner, the console or the
 * transcript. The runner fills it (ceremony/run/issued_in.c from transcripts,
 * ceremony/run/shares_issue.c as shares are issued) and asks it whether a
 * presented share is the one issued to its holder
 * (ceremony/run/shares_collect.c).
 *
 * Issuances: every issuance of a secret (one set) has a generation number,
 * larger for a later issuance. The current set of a secret is the one with
 * the largest generation; every earlier set of that secret is void.
 *
 * The commitment of a share is SHA-256(salt || mnemonic), the mnemonic as
 * slip39_mnemonic_encode writes it (lowercase words, single spaces).
 *
 * Everything stored here is PUBLIC (it is in the transcript): names, set
 * identifiers, salts, commitments. The only secret that passes through is
 * the mnemonic given to registry_commit / registry_share_check, BORROWED and
 * not kept. Every pointer returned is borrowed from the registry and valid
 * until the next registry_add or registry_free.
 */
#ifndef CE_CEREMONY_RUN_REGISTRY_H
#define CE_CEREMONY_RUN_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#define REGISTRY_SALT_BYTES 16
#define REGISTRY_COMMITMENT_BYTES 32
/* A set identifier as decimal text (SLIP-39: 15 bits), with its NUL. */
#define REGISTRY_SET_MAX_LEN 16
/* A PIN derivation as text ("hkdf-sha256-v1 typeable 24"), with its NUL. */
#define REGISTRY_DERIVATION_MAX 48
/* Group and member numbers are 1-based, at most SLIP-39's 16. */
#define REGISTRY_INDEX_MAX 16

/* One issued share. Public. */
struct registry_share {
	char *secret_name;                     /* the script's secret name */
	char set[REGISTRY_SET_MAX_LEN];        /* the set identifier, decimal */
	unsigned group, member;                /* 1-based */
	char *holder;                          /* the holder's roster id */
	uint8_t salt[REGISTRY_SALT_BYTES];
	uint8_t commitment[REGISTRY_COMMITMENT_BYTES];
	unsigned generation;                   /* of its issuance */
	char *rehearsal_dir;                   /* where its holder files are, or NULL */
	/* how the PIN is derived from the set's secret (share.issued
	 * pin_derivation); "" when the secret is the PIN itself (sets issued
	 * before derived PINs) or not a PIN. The same for every share of a set. */
	char pin_derivation[REGISTRY_DERIVATION_MAX];
	/* a share sealed to its holder's card (ceremony/run/seal.h): the
	 * sealed file's path as this run finds it, or NULL (words only), and
	 * its SHA-256 as the transcript recorded it (hex); both: the holder
	 * may also enter the words (delivery both) */
	char *sealed_file;
	char sealed_sha256[65];
	int sealed_both;
};

/* The registry. Read the fields, change them only through registry_*. */
struct registry {
	struct registry_share *shares; /* n of them, in the order added */
	size_t n, cap;
	unsigned generation; /* the last generation handed out */
};

/* An empty registry (a zeroed struct registry is one too). */
void registry_init(struct registry *g);

/* Free everything the registry holds; g is empty afterwards. NULL accepted. */
void registry_free(struct registry *g);

/* The generation number for a new issuance: larger than every one before. */
unsigned registry_generation_next(struct registry *g);

/*
 * Add a copy of *share (its strings are copied; share is borrowed).
 * Returns 0; CE_ERR_INVALID (empty secret or holder, a group or member
 * outside 1..REGISTRY_INDEX_MAX, a set identifier that is empty or too long,
 * generation 0); CE_ERR_DUPLICATE when the same (secret, set, group, member)
 * is already registered (detail names it and both holders: a share is issued
 * once); CE_ERR_INVALID also when another share of the same set records
 * another pin_derivation; CE_ERR_NOMEM.
 */
int registry_add(struct registry *g, const struct registry_share *share)
	__attribute__((warn_unused_result));

/* The current (latest) issuance of secret: one of its shares, or NULL when
 * no share of it was ever issued. */
const struct registry_share *registry_current(const struct registry *g, const char *secret);

/* A share of set `set` of secret (the first added), or NULL: the set is not a
 * set of that secret. */
const struct registry_share *registry_set_find(const struct registry *g, const char *secret,
					       const char *set);

/* The share (group, member) of set `set` of secret, or NULL. */
const struct registry_share *registry_find(const struct registry *g, const char *secret,
					   const char *set, unsigned group, unsigned member);

/* The share of secret's current set issued to holder, or NULL. */
const struct registry_share *registry_holder_find(const struct registry *g, const char *secret,
						  const char *holder);

/* 1 when share's set was replaced by a later issuance of its secret. */
int registry_is_void(const struct registry *g, const struct registry_share *share);

/* The commitment SHA-256(salt || mnemonic). mnemonic: SECRET, borrowed, a
 * NUL-terminated string; nothing of it is kept (the digest state is wiped).
 * 0, CE_ERR_NOMEM, CE_ERR_CRYPTO. */
int registry_commit(const uint8_t salt[REGISTRY_SALT_BYTES], const char *mnemonic,
		    uint8_t out[REGISTRY_COMMITMENT_BYTES]) __attribute__((warn_unused_result));

/*
 * Is the share (set, group, member) with this mnemonic the one issued to
 * holder for secret, in its current set? mnemonic: SECRET, borrowed, as
 * slip39_mnemonic_encode writes it. Returns 0 when it is; CE_ERR_VERIFY when
 * it is not, with the reason (public text, naming no secret) in why: the set
 * is not a set of secret, the set was replaced (void), that share was never
 * issued, it was issued to another holder, or the commitment does not match
 * (compared in constant time). CE_ERR_NOMEM, CE_ERR_CRYPTO.
 */
/* The one name of a share, on screen, in refusals and in the transcript's
 * text: "share M of N, group G of K, set XXXX" (shares_ui_share_name; n 0:
 * unknown, "share M, group G of K, set XXXX"). m, g 1-based; set the decimal
 * identifier. Public. */
void registry_share_name(char *buf, size_t cap, unsigned m, unsigned n, unsigned g, unsigned k,
			 const char *set);

int registry_share_check(const struct registry *g, const char *secret, const char *set,
			 unsigned group, unsigned member, const char *holder, const char *mnemonic,
			 char *why, size_t cap) __attribute__((warn_unused_result));

#endif
