/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/registry.c - the share registry (ceremony/run/registry.h).
 */
#include "ceremony/run/registry.h"

#include "common/ct.h"
#include "common/err.h"
#include "shares/ui/ui.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGISTRY_CAP_FIRST 16

void registry_init(struct registry *g)
{
	memset(g, 0, sizeof(*g));
}

static void share_strings_free(struct registry_share *e)
{
	free(e->secret_name);
	free(e->holder);
	free(e->rehearsal_dir);
	free(e->sealed_file);
	e->secret_name = e->holder = e->rehearsal_dir = e->sealed_file = NULL;
}

void registry_free(struct registry *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++)
		share_strings_free(&g->shares[i]);
	free(g->shares);
	registry_init(g);
}

unsigned registry_generation_next(struct registry *g)
{
	return ++g->generation;
}

static int share_valid(const struct registry_share *s)
{
	size_t setlen = strnlen(s->set, sizeof(s->set));

	return s->secret_name != NULL && s->secret_name[0] != '\0' && s->holder != NULL &&
	       s->holder[0] != '\0' && setlen > 0 && setlen < sizeof(s->set) && s->group >= 1 &&
	       s->group <= REGISTRY_INDEX_MAX && s->member >= 1 &&
	       s->member <= REGISTRY_INDEX_MAX && s->generation > 0;
}

int registry_add(struct registry *g, const struct registry_share *share)
{
	const struct registry_share *dup;
	struct registry_share e, *n;
	size_t cap;
	int r = CE_ERR_INTERNAL;

	memset(&e, 0, sizeof(e));
	if (!share_valid(share) ||
	    strnlen(share->pin_derivation, sizeof(share->pin_derivation)) >=
		    sizeof(share->pin_derivation)) {
		r = ce_err_set(CE_ERR_INVALID, "a share without secret, set, holder, group or "
					       "member in range, or generation");
		goto out;
	}
	dup = registry_find(g, share->secret_name, share->set, share->group, share->member);
	if (dup != NULL) {
		r = ce_err_set(CE_ERR_DUPLICATE,
			       "share %u, group %u, set %s of %s is issued twice (to %s and to %s)",
			       share->member, share->group, share->set, share->secret_name,
			       dup->holder, share->holder);
		goto out;
	}
	dup = registry_set_find(g, share->secret_name, share->set);
	if (dup != NULL && strcmp(dup->pin_derivation, share->pin_derivation) != 0) {
		r = ce_err_set(CE_ERR_INVALID,
			       "share %u/%u of set %s of %s records the PIN derivation '%s', "
			       "another share of its set '%s'",
			       share->group, share->member, share->set, share->secret_name,
			       share->pin_derivation, dup->pin_derivation);
		goto out;
	}
	if (g->n == g->cap) {
		cap = g->cap ? 2 * g->cap : REGISTRY_CAP_FIRST;
		n = realloc(g->shares, cap * sizeof(*n));
		if (n == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		g->shares = n;
		g->cap = cap;
	}
	e = *share;
	e.secret_name = strdup(share->secret_name);
	e.holder = strdup(share->holder);
	e.rehearsal_dir = share->rehearsal_dir != NULL ? strdup(share->rehearsal_dir) : NULL;
	e.sealed_file = share->sealed_file != NULL ? strdup(share->sealed_file) : NULL;
	if (e.secret_name == NULL || e.holder == NULL ||
	    (share->rehearsal_dir != NULL && e.rehearsal_dir == NULL) ||
	    (share->sealed_file != NULL && e.sealed_file == NULL)) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	g->shares[g->n++] = e;
	memset(&e, 0, sizeof(e)); /* transferred */
	r = 0;
out:
	share_strings_free(&e);
	return r;
}

const struct registry_share *registry_current(const struct registry *g, const char *secret)
{
	const struct registry_share *best = NULL;
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->shares[i].secret_name, secret) == 0 &&
		    (best == NULL || g->shares[i].generation > best->generation))
			best = &g->shares[i];
	return best;
}

const struct registry_share *registry_set_find(const struct registry *g, const char *secret,
					       const char *set)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->shares[i].secret_name, secret) == 0 &&
		    strcmp(g->shares[i].set, set) == 0)
			return &g->shares[i];
	return NULL;
}

const struct registry_share *registry_find(const struct registry *g, const char *secret,
					   const char *set, unsigned group, unsigned member)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->shares[i].group == group && g->shares[i].member == member &&
		    strcmp(g->shares[i].secret_name, secret) == 0 &&
		    strcmp(g->shares[i].set, set) == 0)
			return &g->shares[i];
	return NULL;
}

const struct registry_share *registry_holder_find(const struct registry *g, const char *secret,
						  const char *holder)
{
	const struct registry_share *cur = registry_current(g, secret);
	size_t i;

	if (cur == NULL)
		return NULL;
	for (i = 0; i < g->n; i++)
		if (g->shares[i].generation == cur->generation &&
		    strcmp(g->shares[i].secret_name, secret) == 0 &&
		    strcmp(g->shares[i].holder, holder) == 0)
			return &g->shares[i];
	return NULL;
}

int registry_is_void(const struct registry *g, const struct registry_share *share)
{
	const struct registry_share *cur = registry_current(g, share->secret_name);

	return cur != NULL && cur->generation != share->generation;
}

int registry_commit(const uint8_t salt[REGISTRY_SALT_BYTES], const char *mnemonic,
		    uint8_t out[REGISTRY_COMMITMENT_BYTES])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int ol = 0;
	int r = CE_ERR_INTERNAL;

	if (md == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, salt, REGISTRY_SALT_BYTES) != 1 ||
	    EVP_DigestUpdate(md, mnemonic, strlen(mnemonic)) != 1 ||
	    EVP_DigestFinal_ex(md, out, &ol) != 1 || ol != REGISTRY_COMMITMENT_BYTES) {
		r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(md); /* wipes its state */
	return r;
}

int registry_share_check(const struct registry *g, const char *secret, const char *set,
			 unsigned group, unsigned member, const char *holder, const char *mnemonic,
			 char *why, size_t cap)
{
	const struct registry_share *cur = registry_current(g, secret);
	const struct registry_share *any = registry_set_find(g, secret, set);
	const struct registry_share *e = registry_find(g, secret, set, group, member);
	uint8_t com[REGISTRY_COMMITMENT_BYTES];
	int r = CE_ERR_INTERNAL;

	if (any == NULL) {
		if (cur != NULL)
			snprintf(why, cap, "set %s is not a share set of %s (its shares are of set "
					   "%s)", set, secret, cur->set);
		else
			snprintf(why, cap, "set %s is not a share set of %s", set, secret);
		r = CE_ERR_VERIFY;
		goto out;
	}
	if (cur != NULL && any->generation != cur->generation) {
		snprintf(why, cap, "set %s of %s was replaced by set %s: these shares are void", set,
			 secret, cur->set);
		r = CE_ERR_VERIFY;
		goto out;
	}
	if (e == NULL) {
		snprintf(why, cap, "share %u, group %u, set %s was never issued", member, group,
			 set);
		r = CE_ERR_VERIFY;
		goto out;
	}
	if (strcmp(e->holder, holder) != 0) {
		snprintf(why, cap, "it was issued to %s, not %s", e->holder, holder);
		r = CE_ERR_VERIFY;
		goto out;
	}
	r = registry_commit(e->salt, mnemonic, com);
	if (r < 0)
		goto out;
	if (!ct_memeq(com, e->commitment, sizeof(com))) {
		snprintf(why, cap, "this is not the share issued to %s (commitment does not match)",
			 holder);
		r = CE_ERR_VERIFY;
		goto out;
	}
	r = 0;
out:
	return r;
}

void registry_share_name(char *buf, size_t cap, unsigned m, unsigned n, unsigned g, unsigned k,
			 const char *set)
{
	struct shares_ui_position pos;
	unsigned long id = strtoul(set, NULL, 10);

	memset(&pos, 0, sizeof(pos));
	pos.identifier = (uint16_t)id;
	pos.member_index = (uint8_t)(m - 1u);
	pos.member_count = (uint8_t)n;
	pos.group_index = (uint8_t)(g - 1u);
	pos.group_count = (uint8_t)k;
	(void)shares_ui_share_name(buf, cap, &pos); /* the one vocabulary (shares/ui) */
}
