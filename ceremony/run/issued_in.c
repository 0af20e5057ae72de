/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/issued_in.c - the share registry read from the --issued-in
 * transcripts (issued_in_load, ceremony/run/internal.h): each transcript is
 * verified whole first, then its share.issued events are read.
 */
#include "ceremony/run/internal.h"

#include "ceremony/run/rehearsal.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/transcript/transcript.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"
#include "common/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct (secret, set) pairs remembered per transcript. */
#define ISSUED_SEEN_MAX 64
#define ISSUED_NAME_MAX_LEN (REGISTRY_SET_MAX_LEN + 64)

struct load_ctx {
	struct registry *g;
	const char *path;
	char *dir; /* its rehearsal folder */
	/* (secret, set) pairs seen in this file, for generations */
	char seen[ISSUED_SEEN_MAX][2][ISSUED_NAME_MAX_LEN];
	unsigned seen_gen[ISSUED_SEEN_MAX];
	size_t nseen;
};

/* One generation per (secret, set) of a transcript: one issuance. */
static unsigned load_generation(struct load_ctx *lc, const char *secret, const char *set)
{
	size_t i;

	for (i = 0; i < lc->nseen; i++)
		if (strcmp(lc->seen[i][0], secret) == 0 && strcmp(lc->seen[i][1], set) == 0)
			return lc->seen_gen[i];
	if (lc->nseen < ISSUED_SEEN_MAX) {
		snprintf(lc->seen[lc->nseen][0], sizeof(lc->seen[0][0]), "%s", secret);
		snprintf(lc->seen[lc->nseen][1], sizeof(lc->seen[0][1]), "%s", set);
		lc->seen_gen[lc->nseen] = registry_generation_next(lc->g);
		return lc->seen_gen[lc->nseen++];
	}
	return registry_generation_next(lc->g);
}

/* A sealed share (share.issued sealed_file, sealed_sha256, delivery): its
 * file beside the transcript, under sealed/ (e->sealed_file malloc'ed). */
static int load_sealed(struct load_ctx *lc, const struct tj_doc *doc, int d, uint64_t lineno,
		       struct registry_share *e)
{
	const char *rel = tj_str(doc, tj_get(doc, d, "sealed_file"));
	const char *sha = tj_str(doc, tj_get(doc, d, "sealed_sha256"));
	const char *del = tj_str(doc, tj_get(doc, d, "delivery"));
	const char *slash = strrchr(lc->path, '/');
	int k;

	if (rel == NULL)
		return 0;
	if (sha == NULL || strlen(sha) != 64 || strncmp(rel, "sealed/", 7) != 0 ||
	    strstr(rel, "..") != NULL || strchr(rel + 7, '/') != NULL)
		return ce_err_set(CE_ERR_FORMAT, "--issued-in %s:%llu: share.issued with a "
						 "sealed_file not under sealed/ or no sealed_sha256",
				  lc->path, (unsigned long long)lineno);
	memcpy(e->sealed_sha256, sha, 65);
	e->sealed_both = del != NULL && strcmp(del, "both") == 0;
	if (slash == NULL)
		k = asprintf(&e->sealed_file, "%s", rel);
	else
		k = asprintf(&e->sealed_file, "%.*s/%s", (int)(slash - lc->path), lc->path, rel);
	if (k < 0) {
		e->sealed_file = NULL;
		return CE_ERR_NOMEM;
	}
	return 0;
}

/* The share.issued events of a verified transcript, read with the
 * verifier's reader (tjson). */
static int load_event(void *ctx, uint64_t lineno, const struct tj_doc *doc)
{
	struct load_ctx *lc = ctx;
	const char *type = tj_str(doc, tj_get(doc, 0, "type"));
	int d = tj_get(doc, 0, "details");
	const char *secret, *set, *holder, *salt_hex, *com_hex, *deriv;
	struct registry_share e;
	size_t sl = 0, cl = 0;
	int64_t group, member;
	int r;

	if (type == NULL || strcmp(type, "share.issued") != 0)
		return 0;
	memset(&e, 0, sizeof(e));
	secret = tj_str(doc, tj_get(doc, d, "secret"));
	set = tj_str(doc, tj_get(doc, d, "set"));
	holder = tj_str(doc, tj_get(doc, d, "holder"));
	salt_hex = tj_str(doc, tj_get(doc, d, "salt"));
	com_hex = tj_str(doc, tj_get(doc, d, "commitment"));
	group = tj_int(doc, tj_get(doc, d, "group"));
	member = tj_int(doc, tj_get(doc, d, "member"));
	/* absent in sets issued before derived PINs: the secret is the PIN */
	deriv = tj_str(doc, tj_get(doc, d, "pin_derivation"));
	if (deriv != NULL && strlen(deriv) >= sizeof(e.pin_derivation))
		return ce_err_set(CE_ERR_FORMAT, "--issued-in %s:%llu: pin_derivation too long",
				  lc->path, (unsigned long long)lineno);
	if (deriv != NULL)
		snprintf(e.pin_derivation, sizeof(e.pin_derivation), "%s", deriv);
	if (secret == NULL || set == NULL || holder == NULL || salt_hex == NULL ||
	    com_hex == NULL || group < 1 || group > REGISTRY_INDEX_MAX || member < 1 ||
	    member > REGISTRY_INDEX_MAX || strlen(set) >= REGISTRY_SET_MAX_LEN ||
	    hex_decode(salt_hex, strlen(salt_hex), e.salt, sizeof(e.salt), &sl) < 0 ||
	    sl != sizeof(e.salt) ||
	    hex_decode(com_hex, strlen(com_hex), e.commitment, sizeof(e.commitment), &cl) < 0 ||
	    cl != sizeof(e.commitment))
		return ce_err_set(CE_ERR_FORMAT,
				  "--issued-in %s:%llu: share.issued without secret, set, group, "
				  "member, holder, salt or commitment",
				  lc->path, (unsigned long long)lineno);
	e.secret_name = (char *)secret; /* registry_add copies */
	e.holder = (char *)holder;
	e.rehearsal_dir = lc->dir;
	r = load_sealed(lc, doc, d, lineno, &e);
	if (r < 0)
		return r;
	snprintf(e.set, sizeof(e.set), "%s", set);
	e.group = (unsigned)group;
	e.member = (unsigned)member;
	e.generation = load_generation(lc, secret, set);
	r = registry_add(lc->g, &e);
	free(e.sealed_file);
	if (r < 0)
		return ce_err_prefix(r, "--issued-in %s:%llu", lc->path, (unsigned long long)lineno);
	return 0;
}

struct issued_file {
	const char *path;
	struct issued_in_pin *pin;
	char start[TRANSCRIPT_TIME_LEN + 1];
};

static int issued_cmp(const void *a, const void *b)
{
	return strcmp(((const struct issued_file *)a)->start, ((const struct issued_file *)b)->start);
}

/* The file's SHA-256 in hex. */
static int file_sha256_hex(const char *path, char hex[TRANSCRIPT_HASH_HEX_LEN + 1])
{
	uint8_t h[32];
	int r = transcript_file_sha256(path, h, NULL);

	if (r < 0)
		return ce_err_prefix(r, "--issued-in %s", path);
	hex_encode(h, 32, hex);
	return 0;
}

/* Verify each transcript, against its --issued-in-key when given; note its
 * start time, its signer and its SHA-256. */
static int files_verify(const char *const *paths, const char *const *keys, size_t n,
			struct issued_file *files, struct issued_in_pin *pins)
{
	struct verify_opts vo;
	struct verify_report rep;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		memset(&vo, 0, sizeof(vo));
		memset(&pins[i], 0, sizeof(pins[i]));
		vo.expect_keys = keys != NULL && keys[i] != NULL ? &keys[i] : NULL;
		vo.n_expect_keys = vo.expect_keys != NULL ? 1 : 0;
		r = verify_transcript(paths[i], &vo, &rep);
		if (r < 0)
			return ce_err_prefix(r, "--issued-in %s", paths[i]);
		if (rep.verdict != VERIFY_OK)
			return ce_err_set(CE_ERR_VERIFY, "--issued-in %s: %s: %s", paths[i],
					  verify_verdict_name(rep.verdict), rep.reason);
		files[i].path = paths[i];
		files[i].pin = &pins[i];
		memcpy(files[i].start, rep.start_time, sizeof(files[i].start));
		pins[i].path = paths[i];
		pins[i].pinning = vo.n_expect_keys ? ISSUED_IN_PIN_KEY : ISSUED_IN_PIN_NONE;
		memcpy(pins[i].signer_spki_sha256, rep.key_spki_sha256,
		       sizeof(pins[i].signer_spki_sha256));
		memcpy(pins[i].signer_words, rep.key_words, sizeof(pins[i].signer_words));
		r = file_sha256_hex(paths[i], pins[i].sha256);
		if (r < 0)
			return r;
	}
	return 0;
}

int issued_in_load(const char *const *paths, const char *const *keys, size_t n,
		   struct registry *g, struct issued_in_pin *pins)
{
	struct issued_file *files = NULL;
	struct load_ctx *lc = NULL;
	char again[TRANSCRIPT_HASH_HEX_LEN + 1];
	size_t i;
	int r = CE_ERR_INTERNAL;

	if (n == 0)
		return 0;
	files = calloc(n, sizeof(*files));
	lc = calloc(1, sizeof(*lc));
	if (files == NULL || lc == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = files_verify(paths, keys, n, files, pins);
	if (r < 0)
		goto out;
	/* a later issuance of a secret replaces the earlier ones */
	qsort(files, n, sizeof(*files), issued_cmp);
	for (i = 0; i < n; i++) {
		memset(lc, 0, sizeof(*lc));
		lc->g = g;
		lc->path = files[i].path;
		r = rehearsal_dir_beside(files[i].path, &lc->dir);
		if (r < 0)
			goto out;
		r = verify_lines_each(files[i].path, load_event, lc);
		free(lc->dir);
		lc->dir = NULL;
		if (r < 0)
			goto out;
		/* what was read is what was verified and is recorded */
		r = file_sha256_hex(files[i].path, again);
		if (r < 0)
			goto out;
		if (strcmp(again, files[i].pin->sha256) != 0) {
			r = ce_err_set(CE_ERR_VERIFY, "--issued-in %s: changed while it was read",
				       files[i].path);
			goto out;
		}
	}
	r = 0;
out:
	free(files);
	free(lc);
	return r;
}

int issued_in_confirm(struct console *con, struct issued_in_pin *pins, size_t n)
{
	char key[CONSOLE_KEY_MAX], prompt[512], ans[RUN_ANSWER_MAX], pin[VERIFY_PIN_LEN];
	size_t i;
	int r = CE_ERR_INTERNAL;

	for (i = 0; i < n; i++) {
		if (pins[i].pinning != ISSUED_IN_PIN_NONE)
			continue;
		console_say(con, "--issued-in %s: its signer key is not pinned (no --issued-in-key).",
			    pins[i].path);
		snprintf(key, sizeof(key), "issued-in-key.%zu", i + 1);
		snprintf(prompt, sizeof(prompt),
			 "Read the transcript key's eight words on the paper log of the ceremony "
			 "that wrote %.200s, and type them:", pins[i].path);
		r = console_ask(con, key, prompt, ans, sizeof(ans));
		if (r < 0)
			goto out;
		if (verify_pin_parse(ans, pin, sizeof(pin)) < 0 ||
		    !verify_pin_matches(pin, pins[i].signer_spki_sha256)) {
			r = ce_err_set(CE_ERR_VERIFY,
				       "--issued-in %s: the words typed are not those of the key that "
				       "signed it (%s, SPKI SHA-256 %s): refused; not the transcript "
				       "written at that ceremony, or the words were misread",
				       pins[i].path, pins[i].signer_words, pins[i].signer_spki_sha256);
			goto out;
		}
		pins[i].pinning = ISSUED_IN_PIN_CONSOLE;
		console_say(con, "--issued-in %s: signer confirmed from the paper log.", pins[i].path);
	}
	r = 0;
out:
	return r;
}
