/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_transcript.h - what the structure-aware transcript targets
 * (fuzz_verify.c, fuzz_verify_signed.c, fuzz_verify_script.c) share.
 *
 * A random mutation of a transcript breaks the hash chain at the line it
 * touched, so the verifier would stop there and never reach its semantic
 * rules. fuzz_rechain() repairs what a mutation breaks by accident and keeps
 * what it changes on purpose: every line jansson reads as a JSON object gets
 * seq = its 0-based index and prev = the link (transcript_chain_link, the
 * writer's and verifier's own function) of the line before as rewritten,
 * written back as the writer writes (JSON_COMPACT | JSON_SORT_KEYS |
 * JSON_ENSURE_ASCII). A patch hook may fix more (the announced key, the
 * script's hashes). A line that is not a JSON object is kept byte for byte
 * (the verifier must refuse it there), as is a last line without newline
 * (a partial line). The raw reader itself is fuzzed by fuzz_tjson.c.
 *
 * jansson allocates a node per value: under ASan each malloc is a fresh
 * redzoned chunk, and the re-chaining cost more than the verification it
 * feeds. While fuzz_rechain runs (and only then: every jansson value it
 * makes is freed before it returns), jansson allocates from a bump arena
 * reset per input (fuzz_arena_*), falling back to malloc when full. Nothing
 * of the product's own allocation changes.
 *
 * Most lines take a faster path than jansson (fuzz_scan_seq_prev): the
 * values of seq and prev are replaced in place, every other byte kept.
 *
 * Header-only (static functions): each target is one .c file.
 */
#ifndef CE_FUZZ_TRANSCRIPT_H
#define CE_FUZZ_TRANSCRIPT_H

#include "ceremony/transcript/format.h"
#include "ceremony/verify/verify.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The harness's own scanning is not the code under test: no coverage
 * instrumentation (its per-byte comparisons would feed libFuzzer's
 * compare tracing, cost a third of the time and reward the fuzzer for
 * harness edges). */
#define FUZZ_HARNESS __attribute__((no_sanitize("coverage"), noinline))

/* Called for each line read as an object, before seq/prev are set. */
typedef void (*fuzz_patch_fn)(json_t *obj, size_t lineno0, void *ctx);

struct fuzz_out {
	char *p;
	size_t len, cap;
};

FUZZ_HARNESS static __attribute__((unused)) void fuzz_out_add(struct fuzz_out *o, const void *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *p = realloc(o->p, cap);

		if (p == NULL)
			abort();
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static __attribute__((unused)) struct transcript_chain *fuzz_chain(void)
{
	static struct transcript_chain c;
	static int made;

	if (!made) {
		if (transcript_chain_init(&c) != 0)
			abort();
		made = 1;
	}
	return &c;
}

#define FUZZ_ARENA_BYTES (16u << 20)
static unsigned char *fuzz_arena;
static size_t fuzz_arena_used;

static void *fuzz_arena_malloc(size_t n)
{
	size_t at = (fuzz_arena_used + 15) & ~(size_t)15;

	if (fuzz_arena == NULL || n > FUZZ_ARENA_BYTES || at > FUZZ_ARENA_BYTES - n)
		return malloc(n);
	fuzz_arena_used = at + n;
	return fuzz_arena + at;
}

static void fuzz_arena_free(void *p)
{
	if (fuzz_arena == NULL || (unsigned char *)p < fuzz_arena ||
	    (unsigned char *)p >= fuzz_arena + FUZZ_ARENA_BYTES)
		free(p);
}

/* jansson on the arena until fuzz_arena_end (fuzz_arena_end: malloc again). */
static __attribute__((unused)) void fuzz_arena_begin(void)
{
	if (fuzz_arena == NULL) {
		fuzz_arena = malloc(FUZZ_ARENA_BYTES);
		if (fuzz_arena == NULL)
			abort();
	}
	fuzz_arena_used = 0;
	json_set_alloc_funcs(fuzz_arena_malloc, fuzz_arena_free);
}

static __attribute__((unused)) void fuzz_arena_end(void)
{
	json_set_alloc_funcs(malloc, free);
}

/* The value of one top-level member of a line: bytes [off, off + len). */
struct fuzz_span {
	size_t off, len;
};

FUZZ_HARNESS static void fuzz_ws(const char *p, size_t n, size_t *i)
{
	while (*i < n && (p[*i] == ' ' || p[*i] == '\t' || p[*i] == '\r'))
		(*i)++;
}

/* Past one JSON value at p[*i] (a string, a container with its nested
 * strings, or a scalar up to the next delimiter). Lax: brackets are counted,
 * not matched; a value the verifier refuses is its business. 0 at the end
 * of the line without a value. */
FUZZ_HARNESS static int fuzz_skip_value(const char *p, size_t n, size_t *i)
{
	size_t depth = 0, start = *i;

	while (*i < n) {
		char c = p[*i];

		if (c == '"') {
			for ((*i)++; *i < n && p[*i] != '"'; (*i)++)
				if (p[*i] == '\\')
					(*i)++;
			if (*i >= n)
				return 0;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return *i > start;
			depth--;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r')) {
			return *i > start;
		}
		(*i)++;
		if (depth == 0 && (c == '"' || c == '}' || c == ']'))
			return 1;
	}
	return depth == 0 && *i > start;
}

/* The fast path of fuzz_rechain: the line is one object whose top-level
 * members "seq" and "prev" (keys without escapes) occur once each; their
 * value spans in *seq, *prev. 0 for anything else (jansson then decides). */
FUZZ_HARNESS static int fuzz_scan_seq_prev(const char *p, size_t n, struct fuzz_span *seq, struct fuzz_span *prev)
{
	size_t i = 0;
	int nseq = 0, nprev = 0;

	fuzz_ws(p, n, &i);
	if (i >= n || p[i] != '{')
		return 0;
	i++;
	for (;;) {
		size_t ks, ke, vs;

		fuzz_ws(p, n, &i);
		if (i >= n || p[i] != '"')
			return 0;
		ks = ++i;
		while (i < n && p[i] != '"' && p[i] != '\\')
			i++;
		if (i >= n || p[i] != '"')
			return 0;
		ke = i++;
		fuzz_ws(p, n, &i);
		if (i >= n || p[i] != ':')
			return 0;
		i++;
		fuzz_ws(p, n, &i);
		vs = i;
		if (!fuzz_skip_value(p, n, &i))
			return 0;
		if (ke - ks == 3 && memcmp(p + ks, "seq", 3) == 0) {
			seq->off = vs;
			seq->len = i - vs;
			nseq++;
		} else if (ke - ks == 4 && memcmp(p + ks, "prev", 4) == 0) {
			prev->off = vs;
			prev->len = i - vs;
			nprev++;
		}
		fuzz_ws(p, n, &i);
		if (i < n && p[i] == ',') {
			i++;
			continue;
		}
		if (i < n && p[i] == '}')
			break;
		return 0;
	}
	i++;
	fuzz_ws(p, n, &i);
	return i == n && nseq == 1 && nprev == 1;
}

/* The line with its seq and prev values replaced, the rest byte for byte. */
FUZZ_HARNESS static void fuzz_splice(struct fuzz_out *o, const char *line, size_t len, struct fuzz_span a,
			const char *va, struct fuzz_span b, const char *vb)
{
	if (a.off > b.off) {
		struct fuzz_span t = a;
		const char *tv = va;

		a = b, va = vb;
		b = t, vb = tv;
	}
	fuzz_out_add(o, line, a.off);
	fuzz_out_add(o, va, strlen(va));
	fuzz_out_add(o, line + a.off + a.len, b.off - (a.off + a.len));
	fuzz_out_add(o, vb, strlen(vb));
	fuzz_out_add(o, line + b.off + b.len, len - (b.off + b.len));
}

/* The re-chained transcript (malloc'd, *out_len bytes). A line goes through
 * jansson (parse, patch, seq and prev set, written back as the writer
 * writes) when patch is given and the line contains patch_when (NULL: every
 * line), or when the fast path does not apply; otherwise (most lines) the
 * fast path replaces the values of its one top-level seq and prev in place
 * and keeps every other byte as the fuzzer made it (non-canonical spacing,
 * escapes and key order reach the verifier's own reader too). Both give a
 * line whose seq and prev are right. */
FUZZ_HARNESS static __attribute__((unused)) char *fuzz_rechain(const uint8_t *data, size_t size, fuzz_patch_fn patch,
						  const char *patch_when, void *ctx, size_t *out_len)
{
	struct fuzz_out o = { 0 };
	char prev[TRANSCRIPT_HASH_HEX_LEN + 1];
	size_t pos = 0, lineno0 = 0;

	memcpy(prev, TRANSCRIPT_GENESIS_PREV, sizeof(prev));
	fuzz_out_add(&o, "", 0);
	fuzz_arena_begin();
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl != NULL ? (size_t)(nl - (data + pos)) : size - pos;
		const char *line = (const char *)data + pos;
		size_t start = o.len;
		json_t *obj = NULL;
		char *text = NULL;
		struct fuzz_span sp_seq, sp_prev;
		int patched = patch != NULL && (patch_when == NULL || memmem(line, len, patch_when, strlen(patch_when)) != NULL);

		if (nl != NULL && !patched && fuzz_scan_seq_prev(line, len, &sp_seq, &sp_prev)) {
			char seqv[24], prevv[TRANSCRIPT_HASH_HEX_LEN + 3];

			snprintf(seqv, sizeof(seqv), "%zu", lineno0);
			snprintf(prevv, sizeof(prevv), "\"%s\"", prev);
			fuzz_splice(&o, line, len, sp_seq, seqv, sp_prev, prevv);
		} else {
			if (nl != NULL)
				obj = json_loadb(line, len, 0, NULL);
			if (obj != NULL && json_is_object(obj)) {
				if (patched)
					patch(obj, lineno0, ctx);
				json_object_set_new(obj, "seq", json_integer((json_int_t)lineno0));
				json_object_set_new(obj, "prev", json_string(prev));
				text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
			}
			if (text != NULL)
				fuzz_out_add(&o, text, strlen(text));
			else
				fuzz_out_add(&o, line, len);
			fuzz_arena_free(text);
			json_decref(obj);
		}
		if (transcript_chain_link(fuzz_chain(), o.p + start, o.len - start, prev) != 0)
			abort();
		if (nl != NULL)
			fuzz_out_add(&o, "\n", 1);
		pos += len + 1;
		lineno0++;
	}
	fuzz_arena_end();
	*out_len = o.len;
	return o.p;
}

/* A memfd holding the bytes, and its /proc/self/fd path (the verifier's
 * ordinary path-based entry point). Returns the fd. */
static __attribute__((unused)) int fuzz_memfd(const char *name, const void *p, size_t n, char *path, size_t cap)
{
	int fd = memfd_create(name, 0);
	size_t done = 0;

	if (fd < 0)
		abort();
	while (done < n) {
		ssize_t w = write(fd, (const char *)p + done, n - done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

static __attribute__((unused)) int fuzz_count_line(void *ctx, uint64_t lineno, const struct tj_doc *d)
{
	(void)lineno;
	(void)d;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* What every verdict must satisfy, whatever the input. FUZZ_VERBOSE=1 in
 * the environment prints each verdict (to see what an input reaches:
 * build/fuzz/fuzz_verify_signed FILE). */
static __attribute__((unused)) void fuzz_verdict_check(const char *path, const struct verify_report *rep, int may_be_ok)
{
	static int verbose = -1;
	json_t *j;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "verdict %s, %llu events, signature_ok %d, line %llu: %s\n",
			verify_verdict_name(rep->verdict), (unsigned long long)rep->events,
			rep->signature_ok, (unsigned long long)rep->fail_line, rep->reason);

	if (rep->verdict != VERIFY_OK && rep->verdict != VERIFY_INCOMPLETE &&
	    rep->verdict != VERIFY_FAILED)
		abort();
	if (rep->verdict == VERIFY_OK && (!may_be_ok || !rep->signature_ok || rep->key_line == 0))
		abort(); /* OK needs a verified signature by the announced key */
	if (rep->verdict != VERIFY_OK && rep->reason[0] == '\0')
		abort(); /* every refusal says why */
	if (memchr(rep->reason, '\0', sizeof(rep->reason)) == NULL ||
	    memchr(rep->proof, '\0', sizeof(rep->proof)) == NULL)
		abort();
	j = verify_report_json(path, rep);
	if (j == NULL)
		abort();
	json_decref(j);
}

#endif
