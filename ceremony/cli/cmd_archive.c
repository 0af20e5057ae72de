/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony archive TRANSCRIPT --to DEST --to DEST [--outputs DIR]
 *                  [--expect-key KEY]... [--allow-incomplete]
 *
 * policy 4.5.3: archives go to two servers on two sites, stored signed.
 * The transcript is verified first (ceremony/verify/verify.h): FAILED is
 * refused, and so is INCOMPLETE unless --allow-incomplete, which archives it
 * with a marker file INCOMPLETE beside it saying so and why; nothing is
 * copied when refused.
 * Each destination (a directory, maybe a mount of another host) gets a
 * subdirectory <start time>-<ceremony id> holding the transcript, its
 * signature, the signer certificate and the outputs it names. Files are
 * created O_EXCL (never overwritten), fsync'ed, then read back and re-hashed
 * against the original; the directories are fsync'ed. Every destination is
 * tried; any failure is an error naming the destination.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/transcript/transcript.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"
#include "common/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARCHIVE_DEST_MAX 16
#define ARCHIVE_FILES_MAX 1024

struct archive_files {
	char *src[ARCHIVE_FILES_MAX]; /* absolute or relative source paths */
	size_t n;
	const char *outputs_dir;
	char id[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1];
	char start[TRANSCRIPT_TIME_LEN + 1];
	const char *marker; /* INCOMPLETE marker text, or NULL */
};

/* The marker file beside an archived INCOMPLETE transcript. */
#define ARCHIVE_MARKER_NAME "INCOMPLETE"

static int add_file(struct archive_files *a, const char *path)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->src[i], path) == 0)
			return 0;
	if (a->n == ARCHIVE_FILES_MAX)
		return ce_err_set(CE_ERR_TOO_LARGE, "more than %d files to archive", ARCHIVE_FILES_MAX);
	a->src[a->n] = strdup(path);
	if (a->src[a->n] == NULL)
		return CE_ERR_NOMEM;
	a->n++;
	return 0;
}

static int collect(void *ctx, uint64_t ln, const struct tj_doc *ev)
{
	struct archive_files *a = ctx;
	int d = tj_get(ev, 0, "details");
	const char *type = tj_str(ev, tj_get(ev, 0, "type"));
	const char *file, *base;
	char path[4096];

	if (ln == 1) {
		const char *id = tj_str(ev, tj_get(ev, d, "ceremony_id"));
		const char *t = tj_str(ev, tj_get(ev, 0, "time"));

		if (id == NULL || t == NULL || strlen(id) != TRANSCRIPT_CEREMONY_ID_HEX_LEN ||
		    strlen(t) != TRANSCRIPT_TIME_LEN || strspn(id, "0123456789abcdef") != strlen(id))
			return ce_err_set(CE_ERR_FORMAT, "line 1: no ceremony.start with a ceremony id");
		memcpy(a->id, id, sizeof(a->id));
		memcpy(a->start, t, sizeof(a->start));
	}
	if (a->outputs_dir == NULL || type == NULL)
		return 0;
	if (tj_get(ev, d, "sha256") < 0 || (file = tj_str(ev, tj_get(ev, d, "file"))) == NULL)
		return 0;
	base = strrchr(file, '/');
	base = base != NULL ? base + 1 : file;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strcmp(base, ARCHIVE_MARKER_NAME) == 0)
		return ce_err_set(CE_ERR_FORMAT, "line %llu: output \"%.200s\" is not a file name",
				  (unsigned long long)ln, file);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", a->outputs_dir, base) >= sizeof(path))
		return ce_err_set(CE_ERR_TOO_LARGE, "%s: path too long", a->outputs_dir);
	return add_file(a, path);
}

/* The marker of an INCOMPLETE transcript, written O_EXCL beside it. */
static int marker_write(const char *dir, const char *text)
{
	char path[4096];
	size_t len = strlen(text), w = 0;
	int fd, r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, ARCHIVE_MARKER_NAME) >= sizeof(path))
		return ce_err_set(CE_ERR_TOO_LARGE, "%s: path too long", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ce_err_set(errno == EEXIST ? CE_ERR_EXISTS : CE_ERR_IO, "%s: %s", path,
				  strerror(errno));
	while (w < len && r == 0) {
		ssize_t k = write(fd, text + w, len - w);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			r = ce_err_set(CE_ERR_IO, "%s: write: %s", path, k < 0 ? strerror(errno) : "short");
		else
			w += (size_t)k;
	}
	if (r == 0 && fsync(fd) != 0)
		r = ce_err_set(CE_ERR_IO, "%s: fsync: %s", path, strerror(errno));
	if (close(fd) != 0 && r == 0)
		r = ce_err_set(CE_ERR_IO, "%s: close: %s", path, strerror(errno));
	return r;
}

static int fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	int r = 0;

	if (fd < 0 || fsync(fd) != 0)
		r = ce_err_set(CE_ERR_IO, "%s: fsync: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}

/* Copy src to dst (created O_EXCL), fsync, re-read dst and compare hashes. */
static int copy_one(const char *src, const char *dst)
{
	int r = CE_ERR_INTERNAL;
	int in = -1, out = -1;
	uint8_t buf[65536];
	uint8_t h_src[32], h_dst[32];
	EVP_MD_CTX *md = NULL;
	unsigned int hl = 0;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", src, strerror(errno));
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		r = ce_err_set(errno == EEXIST ? CE_ERR_EXISTS : CE_ERR_IO, "%s: %s%s", dst,
			       strerror(errno), errno == EEXIST ? "; refusing to overwrite" : "");
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		ssize_t w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ce_err_set(CE_ERR_IO, "%s: read: %s", src, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1) {
			r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
			goto out;
		}
		while (w < n) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				r = ce_err_set(CE_ERR_IO, "%s: write: %s", dst,
					       k < 0 ? strerror(errno) : "short write");
				goto out;
			}
			w += k;
		}
	}
	if (EVP_DigestFinal_ex(md, h_src, &hl) != 1) {
		r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
		goto out;
	}
	if (fsync(out) != 0 || close(out) != 0) {
		out = -1;
		r = ce_err_set(CE_ERR_IO, "%s: fsync: %s", dst, strerror(errno));
		goto out;
	}
	out = -1;
	r = transcript_file_sha256(dst, h_dst, NULL);
	if (r < 0)
		goto out;
	if (memcmp(h_src, h_dst, 32) != 0) {
		r = ce_err_set(CE_ERR_VERIFY, "%s: the copy does not hash as the original %s", dst, src);
		goto out;
	}
	r = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	EVP_MD_CTX_free(md);
	return r;
}

static int archive_to(const struct archive_files *a, const char *dest, const char *sub)
{
	int r = CE_ERR_INTERNAL;
	char dir[4096], dst[4096];
	size_t i;
	struct stat st;

	if (stat(dest, &st) != 0 || !S_ISDIR(st.st_mode)) {
		r = ce_err_set(CE_ERR_IO, "%s: not a directory", dest);
		goto out;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", dest, sub) >= sizeof(dir)) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "%s: path too long", dest);
		goto out;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	for (i = 0; i < a->n; i++) {
		const char *base = strrchr(a->src[i], '/');

		base = base != NULL ? base + 1 : a->src[i];
		if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, base) >= sizeof(dst)) {
			r = ce_err_set(CE_ERR_TOO_LARGE, "%s/%s: path too long", dir, base);
			goto out;
		}
		r = copy_one(a->src[i], dst);
		if (r < 0)
			goto out;
	}
	if (a->marker != NULL) {
		r = marker_write(dir, a->marker);
		if (r < 0)
			goto out;
	}
	r = fsync_path(dir, 1);
	if (r < 0)
		goto out;
	r = fsync_path(dest, 1);
	if (r < 0)
		goto out;
	r = 0;
out:
	return r;
}

static void archive_help(FILE *f)
{
	fprintf(f, "usage: ceremony archive TRANSCRIPT --to DEST --to DEST [--to DEST...]\n"
		   "                        [--outputs DIR] [--expect-key WORDS|HEX]...\n"
		   "                        [--allow-incomplete]\n\n"
		   "Copy the transcript, its signature (TRANSCRIPT.p7s), the signer certificate\n"
		   "and, with --outputs, the output files the transcript names, into a\n"
		   "subdirectory <start time>-<ceremony id> of each destination (policy 4.5.3:\n"
		   "two sites, so at least two destinations). Files are never overwritten,\n"
		   "are fsync'ed and re-hashed against the originals. Each destination's\n"
		   "result is reported; any failed destination makes the exit status 1.\n\n"
		   "The transcript is verified first, as by `ceremony verify`: a FAILED one is\n"
		   "refused (exit 4), an INCOMPLETE one too (exit 3) unless --allow-incomplete,\n"
		   "which archives it with a file INCOMPLETE beside it saying why; refused, nothing\n"
		   "is copied.\n\n"
		   "  --expect-key KEY     the ceremony's transcript key (paper-log words or hex\n"
		   "                       SPKI SHA-256), as for verify: another signer is FAILED\n"
		   "  --allow-incomplete   archive an INCOMPLETE transcript, marked as such\n");
}

/* policy 4.5.3: two servers on two sites, so two distinct destinations at
 * least. Returns 0 or CLI_EXIT_USAGE (printed). */
static int archive_dests_check(const char *const *dests, size_t ndest)
{
	size_t i, j;

	if (ndest < 2)
		return cli_usage_error(&cli_verb_archive,
				       "at least two destinations (--to DEST --to DEST), policy 4.5.3");
	for (i = 0; i < ndest; i++)
		for (j = 0; j < i; j++) {
			struct stat s1, s2;

			if (strcmp(dests[i], dests[j]) == 0 ||
			    (stat(dests[i], &s1) == 0 && stat(dests[j], &s2) == 0 &&
			     s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino))
				return cli_usage_error(&cli_verb_archive,
						       "%s and %s are the same destination", dests[j],
						       dests[i]);
		}
	return 0;
}

enum { OPT_TO = CLI_OPT_KEY, OPT_OUTPUTS, OPT_EXPECT_KEY, OPT_ALLOW_INCOMPLETE };

static const struct cli_opt archive_opts[] = {
	{ "to", OPT_TO, 1 },
	{ "outputs", OPT_OUTPUTS, 1 },
	{ "expect-key", OPT_EXPECT_KEY, 1 },
	{ "allow-incomplete", OPT_ALLOW_INCOMPLETE, 0 },
	{ NULL, 0, 0 },
};

/* policy 4.5.3: archives with integrity - verify before copying anything.
 * Returns 0 to archive (a->marker set for
 * an INCOMPLETE one), a verify exit code (> 0: refused, printed), or < 0. */
static int archive_verify(const char *path, const struct verify_opts *vo, int allow_incomplete,
			  char *marker, size_t cap, struct archive_files *a)
{
	struct verify_report rep;
	int r;

	r = verify_transcript(path, vo, &rep);
	if (r < 0)
		return r;
	if (rep.verdict == VERIFY_OK)
		return 0;
	if (rep.verdict == VERIFY_INCOMPLETE && allow_incomplete) {
		snprintf(marker, cap,
			 "INCOMPLETE: this transcript was archived with --allow-incomplete.\n"
			 "verdict: %s\nreason: %s\nproven: %s\nsigner key: %s\n",
			 verify_verdict_name(rep.verdict), rep.reason, rep.proof,
			 rep.key_words[0] ? rep.key_words : "(none announced)");
		a->marker = marker;
		printf("%s: INCOMPLETE, archived as such (--allow-incomplete): %s\n", path,
		       rep.reason);
		return 0;
	}
	fprintf(stderr, "ceremony: archive: %s: %s: %s\n", path, verify_verdict_name(rep.verdict),
		rep.reason);
	fprintf(stderr, "ceremony: archive: %s\n", rep.proof);
	fprintf(stderr, "ceremony: archive: refused, nothing copied%s\n",
		rep.verdict == VERIFY_INCOMPLETE ? " (--allow-incomplete archives it, marked)" : "");
	return verify_exit_code(rep.verdict);
}

/* The transcript, its signature, the signer certificate; the outputs it
 * names. */
static int archive_files_collect(const char *path, int allow_unsigned, struct archive_files *a)
{
	int r = CE_ERR_INTERNAL;
	char *sig = NULL, *signer = NULL;
	struct stat st;

	r = add_file(a, path);
	if (r < 0)
		goto out;
	sig = transcript_sig_path(path);
	signer = transcript_signer_path(path);
	if (sig == NULL || signer == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (stat(sig, &st) == 0) {
		r = add_file(a, sig);
		if (r < 0)
			goto out;
	} else if (!allow_unsigned) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "%s: no signature; policy 4.5.3 archives are signed",
			       sig);
		goto out;
	}
	if (stat(signer, &st) == 0) {
		r = add_file(a, signer);
		if (r < 0)
			goto out;
	}
	r = verify_lines_each(path, collect, a);
	if (r < 0)
		goto out;
	if (a->id[0] == '\0') {
		r = ce_err_set(CE_ERR_FORMAT, "%s: empty transcript", path);
		goto out;
	}
	r = 0;
out:
	free(sig);
	free(signer);
	return r;
}

/* Copy to every destination; the exit status. */
static int archive_all(const struct archive_files *a, const char *const *dests, size_t ndest)
{
	size_t i, failed = 0;
	char sub[128];
	int r;

	/* 2026-11-27T17:16:54.123456Z -> 20261127T171654Z-<id> */
	snprintf(sub, sizeof(sub), "%.4s%.2s%.2sT%.2s%.2s%.2sZ-%s", a->start, a->start + 5,
		 a->start + 8, a->start + 11, a->start + 14, a->start + 17, a->id);
	for (i = 0; i < ndest; i++) {
		ce_err_clear();
		r = archive_to(a, dests[i], sub);
		if (r < 0) {
			failed++;
			printf("%s: FAILED: %s\n", dests[i],
			       ce_err_detail()[0] ? ce_err_detail() : ce_strerror(r));
		} else {
			printf("%s: ok, %zu files in %s/%s, each re-hashed%s\n", dests[i], a->n,
			       dests[i], sub, a->marker != NULL ? ", marked " ARCHIVE_MARKER_NAME : "");
		}
	}
	fflush(stdout);
	if (failed == 0)
		return CLI_EXIT_OK;
	fprintf(stderr, "ceremony: archive: %zu of %zu destinations failed\n", failed, ndest);
	return CLI_EXIT_FAIL;
}

static int archive_run(int argc, char **argv)
{
	int r = CE_ERR_INTERNAL;
	const char *dests[ARCHIVE_DEST_MAX], *expect[VERIFY_EXPECT_MAX];
	char pin[VERIFY_PIN_LEN], marker[2048];
	size_t ndest = 0, i;
	const char *path = NULL;
	struct archive_files a;
	struct verify_opts vo;
	struct cli_opts p;
	int c, allow_incomplete = 0, status = CLI_EXIT_FAIL;

	memset(&a, 0, sizeof(a));
	memset(&vo, 0, sizeof(vo));
	vo.expect_keys = expect;
	cli_opts_init(&p, &cli_verb_archive, NULL, archive_opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		if (c == OPT_OUTPUTS) {
			a.outputs_dir = p.value;
		} else if (c == OPT_ALLOW_INCOMPLETE) {
			allow_incomplete = 1;
		} else if (c == OPT_EXPECT_KEY) {
			if (vo.n_expect_keys == VERIFY_EXPECT_MAX)
				return cli_usage_error(&cli_verb_archive, "at most %d --expect-key",
						       VERIFY_EXPECT_MAX);
			if (verify_pin_parse(p.value, pin, sizeof(pin)) < 0)
				return cli_usage_error(&cli_verb_archive, "--expect-key: %s",
						       ce_err_detail());
			expect[vo.n_expect_keys++] = p.value;
		} else if (c == OPT_TO) {
			if (ndest == ARCHIVE_DEST_MAX)
				return cli_usage_error(&cli_verb_archive, "at most %d destinations",
						       ARCHIVE_DEST_MAX);
			dests[ndest++] = p.value;
		} else if (path != NULL) {
			return cli_usage_error(&cli_verb_archive, "one transcript at a time");
		} else {
			path = p.value;
		}
	}
	if (c < 0)
		return cli_opts_status(c);
	if (path == NULL)
		return cli_usage_error(&cli_verb_archive, "no transcript given");
	c = archive_dests_check(dests, ndest);
	if (c != 0)
		return c;
	vo.outputs_dir = a.outputs_dir; /* the outputs copied are the ones recorded */
	r = archive_verify(path, &vo, allow_incomplete, marker, sizeof(marker), &a);
	if (r != 0) {
		status = r;
		goto out;
	}
	r = archive_files_collect(path, a.marker != NULL, &a);
	if (r < 0)
		goto out;
	status = archive_all(&a, dests, ndest);
	r = 0;
out:
	for (i = 0; i < a.n; i++)
		free(a.src[i]);
	if (r < 0)
		return cli_fail(r);
	return status;
}

const struct cli_verb cli_verb_archive = {
	.name = "archive",
	.synopsis = "TRANSCRIPT --to DEST --to DEST [--outputs DIR] [--expect-key KEY] ...",
	.summary = "copy a signed transcript and its outputs to two or more sites",
	.run = archive_run,
	.help = archive_help,
};
