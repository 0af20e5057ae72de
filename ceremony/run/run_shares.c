/*
 * ceremony/run/run_shares.c - shares bound to their holders: issuing with
 * commitments, typing back, quorum entry checked against the registry of
 * issued shares (this ceremony's and the --issued-in transcripts').
 *
 * The commitment is SHA-256(salt || mnemonic), the mnemonic as
 * slip39_mnemonic_encode writes it (lowercase, single spaces): a share typed
 * in any case or spacing is re-encoded before it is committed to.
 */
#include "ceremony/run/run_internal.h"

#include "ceremony/verify/verify.h"
#include "common/buf.h"
#include "common/ct.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REHEARSAL_DIR "rehearsal"
#define HOLDER_FILE_MAX_BYTES (256 * 1024)
#define SHARE_TRIES 3

static const char rehearsal_header[] =
	"# REHEARSAL ONLY - these shares protect nothing real\n";

/* ------------------------------------------------------------------ */
/* Registry                                                            */

static int reg_add(struct run_ctx *rc, const char *secret, const char *set, unsigned group,
		   unsigned member, const char *holder, const uint8_t salt[RUN_SHARE_SALT_BYTES],
		   const uint8_t commitment[32], unsigned generation, const char *dir)
{
	struct run_issued *n, *e;

	if (rc->nreg == rc->capreg) {
		size_t cap = rc->capreg ? 2 * rc->capreg : 16;

		n = realloc(rc->reg, cap * sizeof(*n));
		if (n == NULL)
			return CE_ERR_NOMEM;
		rc->reg = n;
		rc->capreg = cap;
	}
	e = &rc->reg[rc->nreg];
	memset(e, 0, sizeof(*e));
	snprintf(e->set, sizeof(e->set), "%s", set);
	e->group = group;
	e->member = member;
	memcpy(e->salt, salt, RUN_SHARE_SALT_BYTES);
	memcpy(e->commitment, commitment, 32);
	e->generation = generation;
	e->secret_name = strdup(secret);
	e->holder = strdup(holder);
	e->rehearsal_dir = dir != NULL ? strdup(dir) : NULL;
	if (e->secret_name == NULL || e->holder == NULL || (dir != NULL && e->rehearsal_dir == NULL)) {
		free(e->secret_name);
		free(e->holder);
		free(e->rehearsal_dir);
		return CE_ERR_NOMEM;
	}
	rc->nreg++;
	return 0;
}

void run_registry_free(struct run_ctx *rc)
{
	size_t i;

	for (i = 0; i < rc->nreg; i++) {
		free(rc->reg[i].secret_name);
		free(rc->reg[i].holder);
		free(rc->reg[i].rehearsal_dir);
	}
	free(rc->reg);
	rc->reg = NULL;
	rc->nreg = rc->capreg = 0;
}

struct load_ctx {
	struct run_ctx *rc;
	const char *path;
	char *dir;
	/* (secret, set) pairs seen in this file, for generations */
	char seen[64][2][RUN_SET_MAX + 64];
	unsigned seen_gen[64];
	size_t nseen;
};

static unsigned load_generation(struct load_ctx *lc, const char *secret, const char *set)
{
	size_t i;

	for (i = 0; i < lc->nseen; i++)
		if (strcmp(lc->seen[i][0], secret) == 0 && strcmp(lc->seen[i][1], set) == 0)
			return lc->seen_gen[i];
	if (lc->nseen < 64) {
		snprintf(lc->seen[lc->nseen][0], sizeof(lc->seen[0][0]), "%s", secret);
		snprintf(lc->seen[lc->nseen][1], sizeof(lc->seen[0][1]), "%s", set);
		lc->seen_gen[lc->nseen] = ++lc->rc->generation;
		return lc->seen_gen[lc->nseen++];
	}
	return ++lc->rc->generation;
}

static int load_event(void *ctx, uint64_t lineno, json_t *ev)
{
	struct load_ctx *lc = ctx;
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *d = json_object_get(ev, "details");
	const char *secret, *set, *holder, *salt_hex, *com_hex;
	uint8_t salt[RUN_SHARE_SALT_BYTES], com[32];
	size_t sl = 0, cl = 0;
	json_int_t group, member;

	if (type == NULL || strcmp(type, "share.issued") != 0)
		return 0;
	secret = json_string_value(json_object_get(d, "secret"));
	set = json_string_value(json_object_get(d, "set"));
	holder = json_string_value(json_object_get(d, "holder"));
	salt_hex = json_string_value(json_object_get(d, "salt"));
	com_hex = json_string_value(json_object_get(d, "commitment"));
	group = json_integer_value(json_object_get(d, "group"));
	member = json_integer_value(json_object_get(d, "member"));
	if (secret == NULL || set == NULL || holder == NULL || salt_hex == NULL ||
	    com_hex == NULL || group < 1 || group > 16 || member < 1 || member > 16 ||
	    strlen(set) >= RUN_SET_MAX ||
	    hex_decode(salt_hex, strlen(salt_hex), salt, sizeof(salt), &sl) < 0 ||
	    sl != sizeof(salt) || hex_decode(com_hex, strlen(com_hex), com, sizeof(com), &cl) < 0 ||
	    cl != sizeof(com))
		return ce_err_set(CE_ERR_FORMAT,
				  "--issued-in %s:%llu: share.issued without secret, set, group, "
				  "member, holder, salt or commitment",
				  lc->path, (unsigned long long)lineno);
	return reg_add(lc->rc, secret, set, (unsigned)group, (unsigned)member, holder, salt, com,
		       load_generation(lc, secret, set), lc->dir);
}

struct issued_file {
	const char *path;
	char start[TRANSCRIPT_TIME_LEN + 1];
};

static int issued_cmp(const void *a, const void *b)
{
	return strcmp(((const struct issued_file *)a)->start, ((const struct issued_file *)b)->start);
}

int run_registry_load(struct run_ctx *rc)
{
	struct issued_file *files = NULL;
	struct verify_opts vo;
	struct verify_report rep;
	struct load_ctx *lc = NULL;
	size_t i, n = rc->opts->n_issued_in;
	char *slash;
	int r = CE_ERR_INTERNAL;

	if (n == 0)
		return 0;
	files = calloc(n, sizeof(*files));
	lc = calloc(1, sizeof(*lc));
	if (files == NULL || lc == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		memset(&vo, 0, sizeof(vo));
		r = verify_transcript(rc->opts->issued_in[i], &vo, &rep);
		if (r < 0) {
			r = ce_err_prefix(r, "--issued-in %s", rc->opts->issued_in[i]);
			goto out;
		}
		if (rep.verdict != VERIFY_OK) {
			r = ce_err_set(CE_ERR_VERIFY, "--issued-in %s: %s: %s", rc->opts->issued_in[i],
				       verify_verdict_name(rep.verdict), rep.reason);
			goto out;
		}
		files[i].path = rc->opts->issued_in[i];
		memcpy(files[i].start, rep.start_time, sizeof(files[i].start));
	}
	/* policy: a later issuance of a secret replaces the earlier ones */
	qsort(files, n, sizeof(*files), issued_cmp);
	for (i = 0; i < n; i++) {
		memset(lc, 0, sizeof(*lc));
		lc->rc = rc;
		lc->path = files[i].path;
		slash = strrchr(files[i].path, '/');
		if (slash == NULL)
			r = asprintf(&lc->dir, "%s", REHEARSAL_DIR);
		else
			r = asprintf(&lc->dir, "%.*s/%s", (int)(slash - files[i].path), files[i].path,
				     REHEARSAL_DIR);
		if (r < 0) {
			lc->dir = NULL;
			r = CE_ERR_NOMEM;
			goto out;
		}
		r = verify_events_each(files[i].path, load_event, lc);
		free(lc->dir);
		lc->dir = NULL;
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	free(files);
	free(lc);
	return r;
}

/* The current (latest) set of a secret, or NULL. */
static const struct run_issued *current_of(const struct run_ctx *rc, const char *secret)
{
	const struct run_issued *best = NULL;
	size_t i;

	for (i = 0; i < rc->nreg; i++)
		if (strcmp(rc->reg[i].secret_name, secret) == 0 &&
		    (best == NULL || rc->reg[i].generation > best->generation))
			best = &rc->reg[i];
	return best;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static int commit(const uint8_t salt[RUN_SHARE_SALT_BYTES], const char *mnemonic,
		  uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int ol = 0;
	int ok;

	if (md == NULL)
		return CE_ERR_NOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(md, salt, RUN_SHARE_SALT_BYTES) == 1 &&
	     EVP_DigestUpdate(md, mnemonic, strlen(mnemonic)) == 1 &&
	     EVP_DigestFinal_ex(md, out, &ol) == 1;
	EVP_MD_CTX_free(md); /* wipes its state */
	return ok ? 0 : ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
}

static int holder_file_path(const char *dir, const char *holder, char **out)
{
	if (asprintf(out, "%s/%s.shares", dir, holder) < 0) {
		*out = NULL;
		return CE_ERR_NOMEM;
	}
	return 0;
}

/* Rehearsal: append the share's line to the holder's file. */
static int holder_file_append(struct run_ctx *rc, const char *holder, const char *secret,
			      const char *set, unsigned g, unsigned m, const char *mnemonic)
{
	char *dir = NULL, *path = NULL, *line = NULL;
	size_t len, cap;
	int fd = -1, r = CE_ERR_INTERNAL, fresh;
	struct stat sb;

	if (asprintf(&dir, "%s/%s", rc->outdir, REHEARSAL_DIR) < 0) {
		dir = NULL;
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	r = holder_file_path(dir, holder, &path);
	if (r < 0)
		goto out;
	fresh = lstat(path, &sb) != 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	cap = sizeof(rehearsal_header) + 128 + strlen(secret) + strlen(mnemonic);
	line = secmem_alloc(cap);
	if (line == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	len = (size_t)snprintf(line, cap, "%s%s %s %u/%u %s\n", fresh ? rehearsal_header : "",
			       secret, set, g, m, mnemonic);
	if (len >= cap || write(fd, line, len) != (ssize_t)len || fsync(fd) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	secmem_free(line);
	free(path);
	free(dir);
	return r;
}

/* Rehearsal: the holder's last share line for secret, decoded into *share.
 * CE_ERR_NOT_FOUND (detail names the file) when there is none. */
static int holder_file_read(struct run_ctx *rc, const char *holder, const char *secret,
			    struct slip39_share *share)
{
	const char *dirs[RUN_MAX_SEATS + 1];
	uint8_t *text = NULL;
	char *path = NULL, *p, *nl, *best = NULL;
	size_t ndirs = 0, i, j, len = 0, sl = strlen(secret);
	int r = CE_ERR_INTERNAL;
	char own[4096];

	snprintf(own, sizeof(own), "%s/%s", rc->outdir, REHEARSAL_DIR);
	dirs[ndirs++] = own;
	for (i = 0; i < rc->nreg && ndirs < RUN_MAX_SEATS; i++) {
		if (rc->reg[i].rehearsal_dir == NULL)
			continue;
		for (j = 0; j < ndirs; j++)
			if (strcmp(dirs[j], rc->reg[i].rehearsal_dir) == 0)
				break;
		if (j == ndirs)
			dirs[ndirs++] = rc->reg[i].rehearsal_dir;
	}
	for (i = 0; i < ndirs; i++) {
		free(path);
		r = holder_file_path(dirs[i], holder, &path);
		if (r < 0)
			goto out;
		secmem_free(text);
		text = NULL;
		r = buf_read_secret_file(path, HOLDER_FILE_MAX_BYTES, &text, &len);
		if (r < 0) {
			ce_err_clear();
			continue;
		}
		/* buf_read_secret_file NUL-terminates within its allocation? be explicit */
		best = NULL;
		for (p = (char *)text; p < (char *)text + len; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)((char *)text + len - p));
			if (nl == NULL)
				break;
			*nl = '\0';
			if (strncmp(p, secret, sl) == 0 && p[sl] == ' ')
				best = p;
		}
		if (best != NULL)
			break;
	}
	if (best == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no share of %s in %s's rehearsal file (%s/%s.shares)",
			       secret, holder, own, holder);
		goto out;
	}
	/* "<secret> <set> <g>/<m> <mnemonic>": skip three fields */
	p = best;
	for (i = 0; i < 3 && p != NULL; i++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL) {
		r = ce_err_set(CE_ERR_FORMAT, "%s: malformed line for %s", path, secret);
		goto out;
	}
	r = slip39_mnemonic_decode(p, strlen(p), share);
	if (r < 0) {
		r = ce_err_prefix(r, "%s (share of %s)", path, secret);
		goto out;
	}
	r = 0;
out:
	secmem_free(text);
	free(path);
	return r;
}

static const struct run_seat *holder_seat(struct run_ctx *rc, const char *id)
{
	size_t i, n;
	const struct run_seat *a = run_step_actors(rc, &n);

	for (i = 0; i < n; i++)
		if (a[i].role == ROLE_KEY_HOLDER && strcmp(a[i].person->id, id) == 0)
			return &a[i];
	return NULL;
}

static json_t *one_person(const struct run_seat *s)
{
	json_t *a = json_array();

	if (a != NULL && json_array_append_new(a, run_seat_json(s)) != 0) {
		json_decref(a);
		a = NULL;
	}
	return a;
}

static int term_get(struct run_ctx *rc, const struct shares_ui_term **t)
{
	return console_term(rc->con, t);
}

/* ------------------------------------------------------------------ */
/* Issuing                                                             */

static int issue_one(struct run_ctx *rc, const struct script_secret *sec, const char *set,
		     const struct slip39_share *share, unsigned count,
		     const struct run_seat *holder, unsigned generation)
{
	const struct script_step *st = run_step(rc);
	const struct shares_ui_term *t = NULL;
	struct shares_ui_position pos;
	struct slip39_share *back = NULL;
	char *mn = NULL, *mn2 = NULL;
	uint8_t salt[RUN_SHARE_SALT_BYTES], com[32], com2[32];
	char salt_hex[2 * RUN_SHARE_SALT_BYTES + 1], com_hex[65], key[CONSOLE_KEY_MAX],
		prompt[512], label[256], own[4096];
	json_t *persons = NULL, *d = NULL;
	unsigned g = share->group_index + 1u, m = share->member_index + 1u;
	int r = CE_ERR_INTERNAL, tries, same;

	mn = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	mn2 = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	back = secmem_alloc(sizeof(*back));
	if (mn == NULL || mn2 == NULL || back == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = slip39_mnemonic_encode(share, mn, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "RAND_bytes failed");
		goto out;
	}
	r = commit(salt, mn, com);
	if (r < 0)
		goto out;
	hex_encode(salt, sizeof(salt), salt_hex);
	hex_encode(com, sizeof(com), com_hex);
	persons = one_person(holder);
	if (persons == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	snprintf(key, sizeof(key), "issue.%s.%s.%s", st->id, sec->name, holder->person->id);
	snprintf(prompt, sizeof(prompt),
		 "%s: step up alone to receive share %u of %u (group %u) of %s, set %s; type your "
		 "id:",
		 holder->person->name, m, count, g, sec->name, set);
	r = run_confirm(rc, key, prompt, holder->person->id);
	if (r < 0)
		goto out;
	snprintf(label, sizeof(label), "%s of %s (ceremony %s)", sec->name,
		 sec->token != NULL ? sec->token->name : "wrapping", rc->s->name);
	shares_ui_position_from_share(&pos, share);
	pos.holder = holder->person->name;
	pos.set_label = label;
	for (tries = 0;; tries++) {
		/* show */
		if (rc->opts->rehearsal) {
			if (tries == 0) {
				r = holder_file_append(rc, holder->person->id, sec->name, set, g, m, mn);
				if (r < 0)
					goto out;
				console_say(rc->con, "  REHEARSAL: share %u of %u of %s written to %s/%s/%s.shares",
					    m, count, sec->name, rc->outdir, REHEARSAL_DIR,
					    holder->person->id);
			}
		} else {
			r = term_get(rc, &t);
			if (r < 0)
				goto out;
			r = shares_ui_show(t, &pos, share);
			if (r == CE_ERR_ABORTED)
				r = console_abort(rc->con, key);
			if (r < 0)
				goto out;
		}
		if (tries == 0) {
			d = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "secret", sec->name, "set",
				      set, "group", (int)g, "member", (int)m, "holder",
				      holder->person->id, "salt", salt_hex, "commitment", com_hex);
			if (d == NULL) {
				r = CE_ERR_NOMEM;
				goto out;
			}
			r = run_event(rc, "share.issued", persons, NULL, d);
			if (r < 0)
				goto out;
			json_decref(d);
			d = NULL;
		}
		/* typed back, checked against the commitment */
		if (rc->opts->rehearsal) {
			r = holder_file_read(rc, holder->person->id, sec->name, back);
		} else {
			snprintf(prompt, sizeof(prompt), "%s: type share %u of %u of %s back",
				 holder->person->name, m, count, sec->name);
			r = shares_ui_enter(t, prompt, back);
			if (r == CE_ERR_ABORTED)
				r = console_abort(rc->con, key);
		}
		if (r < 0)
			goto out;
		r = slip39_mnemonic_encode(back, mn2, SLIP39_MNEMONIC_MAX_LEN);
		if (r < 0)
			goto out;
		r = commit(salt, mn2, com2);
		if (r < 0)
			goto out;
		same = ct_memeq(com, com2, sizeof(com));
		d = json_pack("{s:s, s:s, s:i, s:s, s:s}", "secret", sec->name, "set", set, "member",
			      (int)m, "holder", holder->person->id, "result", same ? "ok" : "failed");
		if (d == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		r = run_event(rc, "share.verified", persons, NULL, d);
		if (r < 0)
			goto out;
		json_decref(d);
		d = NULL;
		if (!rc->opts->rehearsal)
			console_clear(rc->con);
		if (same)
			break;
		console_say(rc->con, "  %s: the share typed back is not the one shown.",
			    holder->person->name);
		if (tries + 1 >= SHARE_TRIES || rc->opts->rehearsal) {
			r = ce_err_set(CE_ERR_VERIFY, "%s could not type share %u/%u of %s back",
				       holder->person->id, g, m, sec->name);
			goto out;
		}
		console_say(rc->con, "  The share is shown again.");
	}
	console_say(rc->con, "  %s: share %u of %u of %s typed back and checked.",
		    holder->person->name, m, count, sec->name);
	snprintf(own, sizeof(own), "%s/%s", rc->outdir, REHEARSAL_DIR);
	r = reg_add(rc, sec->name, set, g, m, holder->person->id, salt, com, generation,
		    rc->opts->rehearsal ? own : NULL);
out:
	secmem_free(mn);
	secmem_free(mn2);
	secmem_free(back);
	ce_wipe(com2, sizeof(com2));
	json_decref(persons);
	json_decref(d);
	return r;
}

int run_shares_issue(struct run_ctx *rc, const struct script_secret *sec,
		     const struct script_layout *layout, const uint8_t *secret, size_t len)
{
	const struct run_seat *hs[SLIP39_MAX_SHARE_COUNT * SLIP39_MAX_SHARE_COUNT];
	struct slip39_split_params p;
	struct slip39_share_set *set = NULL;
	size_t nh, total, k = 0, g, m;
	unsigned generation;
	char set_id[RUN_SET_MAX];
	int r = CE_ERR_INTERNAL;

	nh = run_step_actors_in(rc, ROLE_KEY_HOLDER, hs, sizeof(hs) / sizeof(hs[0]));
	total = script_layout_total(layout);
	if (nh < total) {
		r = ce_err_set(CE_ERR_POLICY, "%s: %zu shares to issue but %zu key holders act in "
					      "step %s",
			       sec->name, total, nh, run_step(rc)->id);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.group_threshold = (uint8_t)layout->group_threshold;
	p.group_count = (uint8_t)layout->ngroups;
	for (g = 0; g < layout->ngroups; g++) {
		p.groups[g].threshold = (uint8_t)layout->groups[g].threshold;
		p.groups[g].count = (uint8_t)layout->groups[g].count;
	}
	p.iteration_exponent = 1;
	p.extendable = 1;
	r = slip39_split(secret, len, &p, &set);
	if (r < 0)
		goto out;
	snprintf(set_id, sizeof(set_id), "%u", (unsigned)set->shares[0][0].identifier);
	generation = ++rc->generation;
	console_say(rc->con, "Issuing %zu shares of %s (set %s) to the key holders, one at a time.",
		    total, sec->name, set_id);
	for (g = 0; g < set->group_count; g++)
		for (m = 0; m < set->member_count[g]; m++) {
			r = issue_one(rc, sec, set_id, &set->shares[g][m], set->member_count[g],
				      hs[k++], generation);
			if (r < 0)
				goto out;
		}
	r = 0;
out:
	slip39_share_set_free(set);
	return r;
}

/* ------------------------------------------------------------------ */
/* Quorum                                                              */

/* Is this share the one issued to holder? 0, or CE_ERR_VERIFY with why. */
static int share_check(struct run_ctx *rc, const struct script_secret *sec,
		       const struct slip39_share *share, const char *holder, char *why, size_t cap,
		       char set[RUN_SET_MAX], unsigned *member)
{
	const struct run_issued *cur = current_of(rc, sec->name), *e = NULL, *any = NULL;
	char *mn = NULL;
	uint8_t com[32];
	unsigned g = share->group_index + 1u, m = share->member_index + 1u;
	size_t i;
	int r = CE_ERR_INTERNAL;

	snprintf(set, RUN_SET_MAX, "%u", (unsigned)share->identifier);
	*member = m;
	for (i = 0; i < rc->nreg; i++) {
		if (strcmp(rc->reg[i].secret_name, sec->name) != 0 || strcmp(rc->reg[i].set, set) != 0)
			continue;
		any = &rc->reg[i];
		if (rc->reg[i].group == g && rc->reg[i].member == m)
			e = &rc->reg[i];
	}
	if (any == NULL) {
		snprintf(why, cap, "set %s is not a share set of %s", set, sec->name);
		r = CE_ERR_VERIFY;
		goto out;
	}
	if (cur != NULL && any->generation != cur->generation) {
		snprintf(why, cap, "set %s of %s was replaced by set %s: these shares are void", set,
			 sec->name, cur->set);
		r = CE_ERR_VERIFY;
		goto out;
	}
	if (e == NULL) {
		snprintf(why, cap, "share %u/%u of set %s was never issued", g, m, set);
		r = CE_ERR_VERIFY;
		goto out;
	}
	if (strcmp(e->holder, holder) != 0) {
		snprintf(why, cap, "share %u/%u of set %s was issued to %s, not %s", g, m, set,
			 e->holder, holder);
		r = CE_ERR_VERIFY;
		goto out;
	}
	mn = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	if (mn == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	r = slip39_mnemonic_encode(share, mn, SLIP39_MNEMONIC_MAX_LEN);
	if (r < 0)
		goto out;
	r = commit(e->salt, mn, com);
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
	secmem_free(mn);
	return r;
}

int run_shares_collect(struct run_ctx *rc, const struct script_secret *sec, uint8_t **secret,
		       size_t *len)
{
	const struct script_step *st = run_step(rc);
	const struct run_seat *hs[RUN_MAX_SEATS], *seat;
	const struct shares_ui_term *t = NULL;
	struct policy_seat att[RUN_MAX_SEATS];
	const char *ids[RUN_MAX_SEATS];
	struct slip39_share *shares = NULL;
	uint8_t *out = NULL;
	size_t nh, n = 0, k, att_n, out_len = 0, presented = 0;
	const struct run_seat *attendance;
	char key[CONSOLE_KEY_MAX], prompt[512], ans[RUN_ANSWER_MAX], why[512], set[RUN_SET_MAX];
	unsigned member, need;
	json_t *persons = NULL, *d = NULL, *holders = NULL;
	struct diag dg;
	int r = CE_ERR_INTERNAL, tries, met = 0, done;

	diag_init(&dg);
	*secret = NULL;
	*len = 0;
	if (current_of(rc, sec->name) == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND,
			       "no shares of %s were issued in this ceremony: give the transcript of "
			       "the ceremony that issued them with --issued-in",
			       sec->name);
		goto out;
	}
	need = script_layout_quorum(&sec->layout);
	nh = run_step_actors_in(rc, ROLE_KEY_HOLDER, hs, RUN_MAX_SEATS);
	if (nh > RUN_MAX_SEATS)
		nh = RUN_MAX_SEATS;
	shares = secmem_alloc(RUN_MAX_SEATS * sizeof(*shares));
	out = secmem_alloc(SLIP39_MAX_SECRET_BYTES);
	if (shares == NULL || out == NULL) {
		r = CE_ERR_MLOCK;
		goto out;
	}
	console_say(rc->con, "Quorum for %s: %u of the key holders enter their shares, one at a time.",
		    sec->name, need);
	while (!met && presented < nh) {
		snprintf(key, sizeof(key), "holder.%s.%zu", st->id, presented + 1);
		snprintf(prompt, sizeof(prompt), "Next key holder: type your id");
		for (;;) {
			r = run_ask(rc, key, prompt, ans, sizeof(ans));
			if (r < 0)
				goto out;
			seat = holder_seat(rc, ans);
			for (k = 0; seat != NULL && k < n; k++)
				if (strcmp(ids[k], seat->person->id) == 0)
					seat = NULL;
			if (seat != NULL)
				break;
			console_say(rc->con, "  '%s' is not a key holder of step %s, or has already "
					     "entered a share.", ans, st->id);
			if (console_is_scripted(rc->con)) {
				r = ce_err_set(CE_ERR_POLICY, "[%s]: '%s' is not a key holder acting in "
							      "step %s (or entered twice)",
					       key, ans, st->id);
				goto out;
			}
		}
		presented++;
		for (tries = 0, done = 0; !done; tries++) {
			if (rc->opts->rehearsal) {
				r = holder_file_read(rc, seat->person->id, sec->name, &shares[n]);
				if (r == CE_ERR_NOT_FOUND) {
					console_say(rc->con, "  %s has no share to present: %s",
						    seat->person->name, ce_err_detail());
					ce_err_clear();
					break;
				}
			} else {
				r = term_get(rc, &t);
				if (r < 0)
					goto out;
				console_clear(rc->con);
				snprintf(prompt, sizeof(prompt), "%s: enter your share of %s",
					 seat->person->name, sec->name);
				r = shares_ui_enter(t, prompt, &shares[n]);
				console_clear(rc->con);
				if (r == CE_ERR_ABORTED)
					r = console_abort(rc->con, key);
			}
			if (r < 0)
				goto out;
			r = share_check(rc, sec, &shares[n], seat->person->id, why, sizeof(why), set,
					&member);
			if (r < 0 && r != CE_ERR_VERIFY)
				goto out;
			persons = one_person(seat);
			d = json_pack("{s:s, s:s, s:i, s:s, s:b}", "secret", sec->name, "set", set,
				      "member", (int)member, "holder", seat->person->id, "accepted",
				      r == 0);
			if (persons == NULL || d == NULL ||
			    (r != 0 && json_object_set_new(d, "reason", json_string(why)) != 0)) {
				r = CE_ERR_NOMEM;
				goto out;
			}
			{
				int e = run_event(rc, "quorum.share", persons, NULL, d);

				json_decref(persons);
				json_decref(d);
				persons = d = NULL;
				if (e < 0) {
					r = e;
					goto out;
				}
			}
			if (r == 0) {
				console_say(rc->con, "  %s: share accepted.", seat->person->name);
				ids[n++] = seat->person->id;
				done = 1;
				break;
			}
			console_say(rc->con, "  %s: share REFUSED: %s", seat->person->name, why);
			ce_wipe(&shares[n], sizeof(shares[n]));
			if (rc->opts->rehearsal || tries + 1 >= SHARE_TRIES) {
				r = ce_err_set(CE_ERR_VERIFY, "share of %s presented by %s refused: %s",
					       sec->name, seat->person->id, why);
				goto out;
			}
		}
		if (n >= need) {
			r = slip39_combine(shares, n, NULL, 0, out, &out_len);
			if (r == 0)
				met = 1;
			else if (r != CE_ERR_QUORUM)
				goto out;
			ce_err_clear();
		}
	}
	if (!met) {
		r = ce_err_set(CE_ERR_QUORUM, "quorum not met for %s: %zu share%s accepted, at least "
					      "%u needed",
			       sec->name, n, n == 1 ? "" : "s", need);
		goto out;
	}
	attendance = run_attendance(rc, &att_n);
	for (k = 0; k < att_n; k++) {
		att[k].person = attendance[k].person;
		att[k].person_id = attendance[k].person->id;
		att[k].role = attendance[k].role;
	}
	/* policy 5.2.1: the shares come from distinct seated key holders */
	r = policy_check_quorum(sec, &sec->layout, ids, n, att, att_n, &dg);
	if (r < 0)
		goto out;
	persons = json_array();
	holders = json_array();
	if (persons == NULL || holders == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (k = 0; k < n; k++) {
		seat = holder_seat(rc, ids[k]);
		if (json_array_append_new(persons, run_seat_json(seat)) != 0 ||
		    json_array_append_new(holders, json_string(ids[k])) != 0) {
			r = CE_ERR_NOMEM;
			goto out;
		}
	}
	d = json_pack("{s:s, s:s, s:i, s:O}", "secret", sec->name, "set", set, "threshold",
		      (int)need, "holders", holders);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "quorum.met", persons, NULL, d);
	if (r < 0)
		goto out;
	console_say(rc->con, "Quorum met for %s (%zu key holders).", sec->name, n);
	*secret = out;
	out = NULL; /* transferred */
	*len = out_len;
	r = 0;
out:
	secmem_free(shares);
	secmem_free(out);
	json_decref(persons);
	json_decref(holders);
	json_decref(d);
	diag_free(&dg);
	return r;
}
