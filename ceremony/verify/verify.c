/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/verify.c - verify_transcript(): one streaming pass over the
 * transcript, each line through frame, chain, format, rules and (with a
 * script) semantics; then the signature; then the verdict. The parts are in
 * their own files (verify_internal.h); this file only drives them.
 */
#include "ceremony/verify/verify_internal.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct vstate {
	const char *path;
	const struct verify_opts *opts;
	struct verify_report *rep;
	struct verify_chain chain;
	struct verify_rules *rules;
	struct tj_doc doc;
	struct vsem *vs; /* script/roster checks, NULL without --script */
	int vs_failed;   /* the failure came from vs: vsem_refine it */
	uint8_t digest[32]; /* SHA-256 of the bytes read, once read to the end */
	int have_digest;
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* One complete line. Returns 0 to go on, 1 when a failure was recorded, <0. */
static int check_line(struct vstate *v, uint64_t ln, const char *line, size_t len)
{
	int r = CE_ERR_INTERNAL;
	struct verify_report *rep = v->rep;
	const struct tj_doc *d = &v->doc;
	const char *step;
	char why[VERIFY_REASON_LEN - 32];
	uint64_t wl = ln;

	r = verify_frame_check(&v->doc, rep, ln, line, len);
	if (r != 0)
		goto out;
	r = verify_chain_check(&v->chain, d, rep, ln);
	if (r != 0)
		goto out;
	if (transcript_event_check(d, why, sizeof(why)) != 0) {
		r = verify_report_fail(rep, ln, "%s", why);
		goto out;
	}
	r = verify_rules_event(v->rules, d, rep, ln, v->opts->outputs_dir);
	if (r != 0)
		goto out;
	if (v->vs != NULL) {
		r = vsem_event(v->vs, ln, d, why, sizeof(why), &wl);
		if (r < 0)
			goto out;
		if (r > 0) {
			v->vs_failed = 1;
			r = verify_report_fail(rep, wl, "%s", why);
			goto out;
		}
	}
	/* Accepted: chain on. */
	r = verify_chain_accept(&v->chain, line, len);
	if (r < 0)
		goto out;
	copy_str(rep->end_time, sizeof(rep->end_time), tj_str(d, tj_get(d, 0, "time")));
	step = tj_str(d, tj_get(d, 0, "step"));
	if (step != NULL)
		copy_str(rep->last_step, sizeof(rep->last_step), step);
	rep->events++;
	r = 0;
out:
	return r;
}

/* Every line of the file through check_line; stops at the first failure. */
static int read_lines(struct vstate *v, uint64_t *last_line)
{
	int r = CE_ERR_INTERNAL;
	struct verify_frame fr;
	char *line;
	size_t len;
	int k;

	r = verify_frame_open(&fr, v->path);
	if (r < 0)
		return r;
	for (;;) {
		k = verify_frame_next(&fr, v->path, &line, &len);
		if (k == CE_ERR_TOO_LARGE) {
			verify_report_fail(v->rep, fr.lineno, "longer than %d bytes",
					   TRANSCRIPT_LINE_MAX_BYTES);
			break;
		}
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k == VERIFY_FRAME_EOF || k == VERIFY_FRAME_PARTIAL) {
			/* One read: the signature is checked against the digest
			 * of exactly these bytes, never a second read. */
			r = verify_frame_digest(&fr, v->digest);
			if (r < 0)
				goto out;
			v->have_digest = 1;
		}
		if (k == VERIFY_FRAME_EOF)
			break;
		if (k == VERIFY_FRAME_PARTIAL) {
			v->rep->partial_line = 1;
			if (verify_rules_ended(v->rules))
				verify_report_fail(v->rep, fr.lineno, "bytes after ceremony.end");
			break;
		}
		k = check_line(v, fr.lineno, line, len);
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k > 0)
			break;
	}
	r = 0;
out:
	*last_line = fr.lineno;
	verify_frame_close(&fr);
	return r;
}

/* A failure from the script checks: refine its reason with what comes later. */
static int refine_failure(struct vstate *v)
{
	struct verify_report *rep = v->rep;
	char why[VERIFY_REASON_LEN - 32];
	uint64_t wl = rep->fail_line;
	const char *msg = rep->reason;
	int r;

	/* the reason without its "line N: " prefix */
	if (wl > 0 && (msg = strstr(rep->reason, ": ")) != NULL)
		msg += 2;
	else
		msg = rep->reason;
	snprintf(why, sizeof(why), "%.440s", msg);
	r = vsem_refine(v->vs, v->path, why, sizeof(why), &wl);
	if (r < 0)
		return r;
	rep->verdict = VERIFY_OK;
	verify_report_fail(rep, wl, "%s", why);
	return 0;
}

/* No failure in the lines and none in the signature: OK or INCOMPLETE. */
static void verdict_unfailed(struct vstate *v, int sig_exists, const char *sig_path)
{
	struct verify_report *rep = v->rep;
	const char *abort_reason = verify_rules_abort_reason(v->rules);

	if (!sig_exists && strcmp(rep->end_status, "completed") == 0) {
		/* A run killed between ceremony.end and its signature (t9004-crash)
		 * leaves exactly this: unproven, like every unsigned prefix, so
		 * INCOMPLETE (never OK); a deleted signature reads the same. */
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason),
			 "the ceremony completed but the transcript is not signed (%.400s missing): "
			 "stopped before signing, nothing is proven", sig_path);
	} else if (rep->events == 0) {
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason), "stopped before the first event%s",
			 rep->partial_line ? " (partial line)" : "");
	} else if (rep->end_status[0] == '\0') {
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason),
			 "stopped after event %llu (line %llu%s%s), no ceremony.end%s%s",
			 (unsigned long long)(rep->events - 1), (unsigned long long)rep->events,
			 rep->last_step[0] ? ", step " : "", rep->last_step,
			 rep->partial_line ? "; a partial last line was ignored" : "",
			 sig_exists ? "" : "; not signed");
	} else if (strcmp(rep->end_status, "completed") != 0) {
		rep->verdict = VERIFY_INCOMPLETE;
		snprintf(rep->reason, sizeof(rep->reason), "%s%s%s%s%s%s", rep->end_status,
			 rep->last_step[0] ? " at step " : "", rep->last_step,
			 abort_reason[0] ? ": " : "", abort_reason, sig_exists ? "" : " (not signed)");
	}
}

/* Set up v: options checked, script loaded, buffers allocated. */
static int vstate_open(struct vstate *v, const char *path, const struct verify_opts *opts,
		       struct verify_report *rep)
{
	int r = CE_ERR_INTERNAL;
	struct stat st;

	v->path = path;
	v->opts = opts;
	v->rep = rep;
	r = verify_chain_init(&v->chain);
	if (r < 0)
		goto out;
	r = verify_rules_new(&v->rules);
	if (r < 0)
		goto out;
	r = tj_init(&v->doc, TRANSCRIPT_LINE_MAX_BYTES);
	if (r < 0)
		goto out;
	if (opts->roster_path != NULL && opts->script_path == NULL) {
		r = ce_err_set(CE_ERR_INVALID,
			       "verify: --roster needs --script (the roster is checked through the script's roles and steps)");
		goto out;
	}
	if (opts->n_require_cosigners > 0 && opts->script_path == NULL) {
		r = ce_err_set(CE_ERR_INVALID,
			       "verify: --require-cosigners needs --script (who was seated, and the roster's certificates)");
		goto out;
	}
	if (opts->script_path != NULL) {
		r = vsem_open(opts->script_path, opts->roster_path, opts->script, opts->roster, &v->vs);
		if (r < 0)
			goto out;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		r = ce_err_set(CE_ERR_IO, "%s: not a regular file", path);
		goto out;
	}
	r = 0;
out:
	return r;
}

static void vstate_close(struct vstate *v)
{
	verify_chain_free(&v->chain);
	verify_rules_free(v->rules);
	vsem_free(v->vs);
	tj_free(&v->doc);
}

int verify_transcript(const char *path, const struct verify_opts *opts, struct verify_report *rep)
{
	int r = CE_ERR_INTERNAL;
	struct vstate v;
	char *sig_path = NULL;
	struct stat st;
	uint64_t last_line = 0;
	int sig_exists;

	memset(rep, 0, sizeof(*rep));
	memset(&v, 0, sizeof(v));
	rep->verdict = VERIFY_OK;
	sig_path = opts->sig_path != NULL ? strdup(opts->sig_path) : transcript_sig_path(path);
	if (sig_path == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	r = vstate_open(&v, path, opts, rep);
	if (r < 0)
		goto out;
	r = read_lines(&v, &last_line);
	if (r < 0)
		goto out;
	if (rep->verdict == VERIFY_FAILED) {
		r = v.vs_failed ? refine_failure(&v) : 0;
		goto out;
	}
	sig_exists = lstat(sig_path, &st) == 0;
	rep->signed_ = sig_exists;
	if (rep->partial_line && sig_exists) {
		verify_report_fail(rep, last_line, "partial last line (no newline) in a signed transcript");
		r = 0;
		goto out;
	}
	if (sig_exists) {
		if (!v.have_digest) {
			r = ce_err_set(CE_ERR_INTERNAL, "%s: not read to its end", path);
			goto out;
		}
		r = verify_signature_check(v.digest, path, sig_path, opts->signer_path, rep);
		if (r < 0)
			goto out;
		if (rep->verdict != VERIFY_FAILED)
			(void)verify_cosign_judge(v.vs, opts, rep);
		if (rep->verdict == VERIFY_FAILED) {
			r = 0;
			goto out;
		}
	}
	verdict_unfailed(&v, sig_exists, sig_path);
	r = 0;
out:
	if (r == 0)
		r = verify_pin_check(opts, rep);
	if (r == 0) {
		verify_production_check(opts, rep);
		verify_pin_proof(rep);
	}
	vstate_close(&v);
	free(sig_path);
	return r;
}
