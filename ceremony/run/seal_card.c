/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/seal_card.c - the runner's side of sealed shares
 * (ceremony/run/seal.h): writing a share sealed to its holder's card when it
 * is issued, and opening it with the card at a quorum.
 *
 * Uses the runner through run.h and internal.h, the card through
 * pkcs11/card_decrypt.h (found and logged in to by card_present.c, as for
 * the attendance and the co-signatures), the CMS through seal_cms.c.
 */
#include "ceremony/run/internal.h"

#include "ceremony/model/roster_cert.h"
#include "ceremony/policy/seal_lint.h"
#include "ceremony/run/seal.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "common/secmem.h"
#include "pkcs11/card_decrypt.h"
#include "shares/slip39.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* OUTDIR/sealed, made 0755 when absent; a symbolic link or a file refused. */
static int seal_dir(struct run_ctx *rc)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", run_outdir(rc), SEAL_DIR);
	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
	if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return ce_err_set(CE_ERR_EXISTS, "%s exists and is not a folder", path);
	return 0;
}

int seal_share_write(struct run_ctx *rc, const struct roster_person *holder, const char *secret,
		     const char *set, unsigned g, unsigned m, const char *mnemonic,
		     char rel[SEAL_REL_MAX], char sha_hex[65])
{
	struct seal_msg *msg = NULL;
	char *pem = NULL, *path = NULL, why[160];
	size_t len = 0;
	uint8_t dig[32];
	unsigned dl = 0;
	int r = CE_ERR_INTERNAL;

	if (seal_lint_person(holder, why, sizeof(why))) {
		r = ce_err_set(CE_ERR_POLICY, "%s cannot be sealed to %s (%s): %s", secret,
			       holder->name, holder->id, why);
		goto out;
	}
	snprintf(rel, SEAL_REL_MAX, "%s/%s-%s-%s-%u-%u.p7m", SEAL_DIR, secret, holder->id, set, g,
		 m);
	r = seal_make(holder->cert, mnemonic, &pem, &len);
	if (r < 0)
		goto out;
	/* read back: what the holder's card will be asked to open */
	r = seal_parse(rel, pem, len, &msg);
	if (r < 0)
		goto out;
	if (!seal_msg_is_for(msg, holder->cert)) {
		r = ce_err_set(CE_ERR_INTERNAL, "%s: not addressed to %s's certificate", rel,
			       holder->id);
		goto out;
	}
	r = seal_dir(rc);
	if (r < 0)
		goto out;
	r = run_output_path(rc, rel, &path);
	if (r < 0)
		goto out;
	r = outfile_write_all(path, 0644, pem, len);
	if (r < 0)
		goto out;
	if (EVP_Digest(pem, len, dig, &dl, EVP_sha256(), NULL) != 1 || dl != 32) {
		r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 of %s", path);
		goto out;
	}
	hex_encode(dig, 32, sha_hex);
	r = 0;
out:
	seal_msg_free(msg);
	free(pem);
	free(path);
	return r;
}

/* The sealed file of e, read whole (public): *pem malloc'ed. */
static int seal_read(const struct registry_share *e, char **pem, size_t *len, char sha_hex[65])
{
	uint8_t dig[32];
	unsigned dl = 0;
	ssize_t k;
	int fd, r = CE_ERR_INTERNAL;

	*pem = NULL;
	fd = open(e->sealed_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ce_err_set(errno == ENOENT ? CE_ERR_NOT_FOUND : CE_ERR_IO,
				  "the sealed share of %s is not readable at %s: %s (copy the "
				  "holder's sealed file there)",
				  e->holder, e->sealed_file, strerror(errno));
	*pem = malloc(SEAL_FILE_MAX_BYTES + 1);
	if (*pem == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	*len = 0;
	while ((k = read(fd, *pem + *len, SEAL_FILE_MAX_BYTES + 1 - *len)) > 0)
		*len += (size_t)k;
	if (k < 0 || *len > SEAL_FILE_MAX_BYTES) {
		r = ce_err_set(k < 0 ? CE_ERR_IO : CE_ERR_TOO_LARGE, "%s: %s", e->sealed_file,
			       k < 0 ? strerror(errno) : "larger than a sealed share");
		goto out;
	}
	(*pem)[*len] = '\0';
	if (EVP_Digest(*pem, *len, dig, &dl, EVP_sha256(), NULL) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 of %s", e->sealed_file);
		goto out;
	}
	hex_encode(dig, 32, sha_hex);
	r = 0;
out:
	close(fd);
	if (r < 0) {
		free(*pem);
		*pem = NULL;
	}
	return r;
}

/* The roster person whose certificate msg is sealed to, or NULL. */
static const struct roster_person *seal_recipient(struct run_ctx *rc, const struct seal_msg *msg)
{
	const struct roster *ro = run_roster(rc);
	size_t i;

	for (i = 0; i < ro->npeople; i++)
		if (ro->people[i].cert != NULL && seal_msg_is_for(msg, ro->people[i].cert))
			return &ro->people[i];
	return NULL;
}

/* The file, parsed, addressed to holder and unchanged since it was sealed. */
static int seal_check_file(struct run_ctx *rc, const struct roster_person *holder,
			   const struct registry_share *e, struct seal_msg **msg)
{
	const struct roster_person *to;
	char *pem = NULL, sha[65];
	size_t len = 0;
	int r;

	r = seal_read(e, &pem, &len, sha);
	if (r < 0)
		goto out;
	r = seal_parse(e->sealed_file, pem, len, msg);
	if (r < 0)
		goto out;
	if (!seal_msg_is_for(*msg, holder->cert)) {
		to = seal_recipient(rc, *msg);
		if (to == NULL && strcmp(sha, e->sealed_sha256) != 0)
			r = ce_err_set(CE_ERR_VERIFY, "%s was changed after it was sealed: it is no "
						      "longer addressed to anyone in the roster",
				       e->sealed_file);
		else if (to != NULL)
			r = ce_err_set(CE_ERR_VERIFY, "%s: this share is sealed to %s (%s), not to "
						      "the card presented (%s's)",
				       e->sealed_file, to->name, to->id, holder->id);
		else
			r = ce_err_set(CE_ERR_VERIFY, "%s: this share is sealed to nobody in the "
						      "roster, not to the card presented (%s's)",
				       e->sealed_file, holder->id);
		goto out;
	}
	if (strcmp(sha, e->sealed_sha256) != 0) {
		r = ce_err_set(CE_ERR_VERIFY, "%s was changed after it was sealed: its SHA-256 is "
					      "%.16s..., the transcript records %.16s...",
			       e->sealed_file, sha, e->sealed_sha256);
		goto out;
	}
	r = 0;
out:
	free(pem);
	return r;
}

/* REHEARSAL: the first line of DIR/<holder>.card-pin into pin; 0, or
 * CE_ERR_NOT_FOUND when there is no such file. */
static int seal_pin_file(const char *dir, const char *holder, char *pin, size_t cap,
			 size_t *len)
{
	char path[4096];
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.card-pin", dir, holder);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return CE_ERR_NOT_FOUND;
	k = read(fd, pin, cap - 1);
	close(fd);
	if (k <= 0)
		return ce_err_set(CE_ERR_IO, "REHEARSAL: %s is empty", path);
	while (k > 0 && (pin[k - 1] == '\n' || pin[k - 1] == '\r'))
		k--;
	pin[k] = '\0';
	*len = (size_t)k;
	return 0;
}

/* REHEARSAL: the card PIN (run_card_pin_fn) from <holder>.card-pin in the
 * rehearsal folder of the share, else of any share the registry knows (a
 * share issued in this run: this run's folder cannot have been prepared).
 * Not a rehearsal: 1, the PIN is typed at the card's prompt. */
static int seal_pin_read(struct run_ctx *rc, const struct roster_person *holder, void *arg,
			 char *pin, size_t cap, size_t *len)
{
	const struct registry_share *e = arg;
	const struct registry *g = run_registry(rc);
	size_t i;
	int r;

	*len = 0;
	if (!run_is_rehearsal(rc))
		return 1;
	r = e->rehearsal_dir != NULL ? seal_pin_file(e->rehearsal_dir, holder->id, pin, cap, len)
				     : CE_ERR_NOT_FOUND;
	for (i = 0; r == CE_ERR_NOT_FOUND && i < g->n; i++)
		if (g->shares[i].rehearsal_dir != NULL)
			r = seal_pin_file(g->shares[i].rehearsal_dir, holder->id, pin, cap, len);
	if (r == CE_ERR_NOT_FOUND)
		r = ce_err_set(CE_ERR_NOT_FOUND, "REHEARSAL: no %s.card-pin for %s in the rehearsal "
						 "folders of the shares",
			       holder->id, holder->id);
	return r;
}

/* The content key, decrypted (RSA) or agreed (ECDH) on the card. */
static int seal_cek(const struct seal_msg *msg, const struct p11_key *k, uint8_t **cek,
		    size_t *cek_len)
{
	const uint8_t *in;
	uint8_t *z = NULL;
	size_t n = 0, zl = 0;
	int r;

	if (seal_msg_kind(msg) == SEAL_RSA_OAEP) {
		in = seal_msg_enckey(msg, &n);
		return p11_card_rsa_oaep_decrypt(k, seal_msg_oaep_sha256(msg) ? P11_HASH_SHA256
									       : P11_HASH_NONE,
						 in, n, cek, cek_len);
	}
	in = seal_msg_peer_point(msg, &n);
	r = p11_card_ecdh_derive(k, in, n, &z, &zl);
	if (r == 0)
		r = seal_ecdh_cek(msg, z, zl, cek, cek_len);
	secmem_free(z);
	return r;
}

/* The opening (a run_card_use operation): the file of o->e, parsed in
 * o->msg, opened with the card's key into o->share. */
struct seal_op {
	const struct registry_share *e;
	const struct seal_msg *msg;
	struct slip39_share *share;
};

static int seal_op(struct run_ctx *rc, const struct run_card *c, void *arg)
{
	const struct seal_op *o = arg;
	uint8_t *cek = NULL;
	size_t cek_len = 0;
	char *mn = NULL;
	int r;

	r = seal_cek(o->msg, run_card_key(c), &cek, &cek_len);
	if (r < 0)
		goto out;
	r = seal_content_open(o->msg, cek, cek_len, &mn);
	if (r < 0)
		goto out;
	r = slip39_mnemonic_decode(mn, strlen(mn), o->share);
	if (r < 0)
		r = ce_err_prefix(CE_ERR_VERIFY, "%s opened but holds no share", o->e->sealed_file);
out:
	secmem_free(cek);
	secmem_free(mn);
	return r;
}

int seal_share_open(struct run_ctx *rc, const struct roster_person *holder,
		    const struct registry_share *e, struct slip39_share *share)
{
	struct seal_msg *msg = NULL;
	struct run_card_how how = { NULL, seal_pin_read, (void *)e };
	struct seal_op o;
	char what[256];
	int r = CE_ERR_INTERNAL;

	if (holder->cert == NULL || holder->token == NULL) {
		r = ce_err_set(CE_ERR_POLICY, "%s's share is sealed but the roster gives %s no "
					      "certificate: and token:",
			       holder->id, holder->id);
		goto out;
	}
	r = seal_check_file(rc, holder, e, &msg);
	if (r < 0)
		goto out;
	run_say(rc, "  %s (%s): insert your card and type its PIN.", holder->name, holder->id);
	snprintf(what, sizeof(what), "the opening of their sealed share of %s", e->secret_name);
	how.what = what;
	o.e = e;
	o.msg = msg;
	o.share = share;
	r = run_card_use(rc, holder, &how, seal_op, &o);
	if (r == CE_ERR_PIN)
		r = ce_err_prefix(r, "%s's card PIN refused", holder->id);
out:
	seal_msg_free(msg);
	return r;
}
