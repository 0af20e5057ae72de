/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/flow.c - `ceremony run` (run_ceremony, ceremony/run/run.h):
 * lint, open, ceremony.start, each step (people, step.start, the action,
 * witnesses, step.end), then ceremony.end, signing and the logouts; or, when
 * a step fails or is aborted, the end of a stopped ceremony.
 */
#include "ceremony/run/context.h"

#include "ceremony/cli/cli.h"
#include "ceremony/policy/lint.h"
#include "ceremony/run/preflight.h"
#include "ceremony/policy/pinplan.h"
#include "ceremony/run/rehearsal.h"
#include "ceremony/transcript/jtext.h"
#include "common/err.h"
#include "common/esc.h"
#include "pkcs11/p11.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* A step                                                              */

/* A fresh step: nobody chosen, empty step.end details. */
static int step_reset(struct run_ctx *rc)
{
	rc->cur = NULL;
	seats_step_clear(&rc->seats);
	json_decref(rc->step_details);
	rc->step_details = json_object();
	return rc->step_details == NULL ? CE_ERR_NOMEM : 0;
}

/* What follows a successful action: the software transcript key's words
 * (at the first step), each witness confirms, step.end done. */
static int step_finish(struct run_ctx *rc, const struct script_step *st, json_t *persons)
{
	int r = CE_ERR_INTERNAL;

	if (rc->tkey_confirm_due) {
		/* the software transcript key announced at the start */
		r = tkey_words_confirm(rc);
		if (r < 0)
			goto out;
		rc->tkey_confirm_due = 0;
	}
	r = people_witnesses_confirm(rc, st);
	if (r < 0)
		goto out;
	if (json_object_set_new(rc->step_details, "status", json_string("done")) != 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "step.end", persons, NULL, rc->step_details);
out:
	return r;
}

static int step_run(struct run_ctx *rc, const struct script_step *st, int *started)
{
	const struct run_action *ra = run_action_find(st->action->name);
	json_t *persons = NULL, *d = NULL;
	int r = CE_ERR_INTERNAL;

	*started = 0;
	r = step_reset(rc);
	if (r < 0)
		goto out;
	if (strcmp(st->action->name, "attendance") == 0 && !rc->seated) {
		r = people_attendance_seat(rc);
		if (r < 0)
			goto out;
	}
	r = people_step_choose(rc, st);
	if (r < 0)
		goto out;
	people_step_announce(rc, st);
	rc->cur = st;
	persons = run_actors_json(rc);
	d = json_pack("{s:s, s:s}", "title", st->title, "action", st->action->name);
	if (persons == NULL || d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "step.start", persons, NULL, d);
	if (r < 0)
		goto out;
	*started = 1;
	r = ra->fn(rc, st);
	if (r < 0)
		goto out;
	r = step_finish(rc, st, persons);
	if (r < 0)
		goto out;
	*started = 0;
	r = 0;
out:
	json_decref(persons);
	json_decref(d);
	return r;
}

/* ------------------------------------------------------------------ */
/* The end                                                             */

/* The `error` event: the message, and the PKCS#11 failure as data, kept
 * where it happened. */
static int error_record(struct run_ctx *rc, const char *detail)
{
	const struct p11_failure *fail = p11_failure_current();
	json_t *d = json_pack("{s:o}", "message", jtext(detail));
	int r = CE_ERR_INTERNAL;

	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (fail != NULL && fail->function[0] != '\0')
		json_object_set_new(d, "function", json_string(fail->function));
	if (fail != NULL)
		json_object_set_new(d, "ckr", json_string(fail->ckr));
	r = run_event(rc, "error", NULL, NULL, d);
out:
	json_decref(d);
	return r;
}

/* step.end failed for the step that was running. */
static int step_failed_record(struct run_ctx *rc)
{
	json_t *persons = run_actors_json(rc), *d = json_pack("{s:s}", "status", "failed");
	int r = CE_ERR_INTERNAL;

	if (persons == NULL || d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "step.end", persons, NULL, d);
out:
	json_decref(persons);
	json_decref(d);
	return r;
}

/* The `abort` event, after the step's end: the operator who aborts may be
 * one of its witnesses, and within a step nobody both acts and witnesses. */
static int abort_record(struct run_ctx *rc, json_t *op)
{
	json_t *d = json_pack("{s:o}", "reason", jtext(console_abort_reason(rc->con)));
	int r = CE_ERR_INTERNAL;

	if (d == NULL ||
	    (rc->cur != NULL && json_object_set_new(d, "at_step", json_string(rc->cur->id)) != 0)) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = events_append_at(rc, "abort", NULL, op, NULL, d);
out:
	json_decref(d);
	return r;
}

/* The logout events, then ceremony.end with status and what becomes of the
 * transcript key (tkey_end_claim: a signature is claimed only by a key made
 * ready to sign just before). */
static int end_record(struct run_ctx *rc, json_t *op, const char *status)
{
	json_t *d = json_pack("{s:s, s:s}", "status", status, "transcript_key",
			      tkey_end_claim(rc));
	int r = CE_ERR_INTERNAL;

	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = tokens_logout_record(rc, rc->tkey_ready ? "after-signing" : "at-end");
	if (r < 0)
		goto out;
	r = events_append_at(rc, "ceremony.end", NULL, op, NULL, d);
out:
	json_decref(d);
	return r;
}

/* ceremony.end and the signature, so that a transcript that is not signed
 * never says destroyed-after-signing: with a ready key, the logouts and
 * ceremony.end (claiming the signature) are held in memory, the transcript
 * with them is signed in memory and verified, and only then is the end
 * written, closed, and the signature written next to it. If that signature
 * fails, the held end is forgotten and written again without the claim
 * (logouts at-end, transcript_key destroyed-unsigned; a "completed" end
 * becomes an error event and "failed", as for a key that is not ready).
 * *signed_ok says
 * which; why receives the signature's failure. The transcript is closed on
 * return 0; an error writing the end is returned. */
static int end_write(struct run_ctx *rc, json_t *op, const char *status, int *signed_ok,
		     char *why, size_t cap)
{
	char *pem = NULL;
	size_t pl = 0;
	int r = CE_ERR_INTERNAL;

	*signed_ok = 0;
	why[0] = '\0';
	if (rc->tkey_ready) {
		r = transcript_hold(rc->t);
		if (r == 0)
			r = end_record(rc, op, status);
		if (r == 0)
			r = tkey_sign_held(rc, &pem, &pl);
		if (r == 0) {
			r = transcript_hold_release(rc->t, 1);
			if (r == 0)
				r = transcript_close(rc->t);
			if (r == 0 && cosign_run(rc, &pem, &pl) < 0) {
				/* an abort among the co-signers: the signature is written
				 * with the co-signatures made so far */
				console_say(rc->con, "Co-signatures stopped: %s", ce_err_detail());
				ce_err_clear();
			}
			if (r == 0)
				r = tkey_sig_write(rc, pem, pl);
			if (r == 0)
				*signed_ok = 1;
			goto out;
		}
		snprintf(why, cap, "%s", ce_err_detail()[0] ? ce_err_detail() : ce_strerror(r));
		ce_err_clear();
		rc->tkey_ready = 0; /* it did not sign: the end says so */
		r = transcript_hold_release(rc->t, 0);
		if (r < 0)
			goto out;
		if (strcmp(status, "completed") == 0) {
			/* as a key that is not ready: an error, and not completed */
			char msg[1200];

			snprintf(msg, sizeof(msg), "every step is done, but the transcript "
						   "signature failed: %s", why);
			r = error_record(rc, msg);
			if (r < 0)
				goto out;
			status = "failed";
		}
	}
	r = end_record(rc, op, status);
	if (r == 0)
		r = transcript_close(rc->t);
out:
	free(pem);
	return r;
}

/* Write the end of a ceremony that stopped: abort or error (detail), then
 * step.end failed if a step was running, then ceremony.end. */
static int end_stopped(struct run_ctx *rc, const char *detail, int started, int aborted,
		       int *signed_ok, char *why, size_t cap)
{
	json_t *op = NULL;
	int r = CE_ERR_INTERNAL;

	op = run_operator_json(rc);
	if (op == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (!aborted) {
		r = error_record(rc, detail);
		if (r < 0)
			goto out;
	}
	if (started && rc->cur != NULL) {
		r = step_failed_record(rc);
		if (r < 0)
			goto out;
	}
	if (aborted) {
		r = abort_record(rc, op);
		if (r < 0)
			goto out;
	}
	rc->cur = NULL;
	/* A stopped ceremony is signed too, when its key can (after the error
	 * event: that keeps the step's PKCS#11 failure, not this one's). */
	if (rc->tkey && !rc->tkey_tried && tkey_sign_ready(rc) < 0)
		console_say(rc->con, "WARNING: the transcript will not be signed: %s",
			    ce_err_detail());
	r = end_write(rc, op, aborted ? "aborted" : "failed", signed_ok, why, cap);
out:
	json_decref(op);
	return r;
}

/* A step failed or was aborted, or every step is done but the transcript
 * key cannot sign: say so, end the transcript, sign it if the key can,
 * destroy the key, log out. 0 with *exit_code set, or an error writing the
 * end. */
static int ceremony_stopped(struct run_ctx *rc, int e, int started, const char *tpath,
			    int *exit_code)
{
	int r = CE_ERR_INTERNAL, aborted = console_abort_reason(rc->con)[0] != '\0', signed_ok = 0;
	int had_key = rc->tkey;
	char detail[1024], why[1024];

	snprintf(detail, sizeof(detail), "%s",
		 ce_err_detail()[0] ? ce_err_detail() : ce_strerror(e));
	if (aborted)
		console_say(rc->con, "ABORTED: %s", console_abort_reason(rc->con));
	else
		ce_err_print(e);
	*exit_code = aborted ? RUN_EXIT_ABORTED : CLI_EXIT_FAIL;
	r = end_stopped(rc, detail, started, aborted, &signed_ok, why, sizeof(why));
	if (r < 0)
		goto out;
	if (why[0] != '\0')
		console_say(rc->con, "WARNING: the transcript %s is NOT signed: %s", tpath, why);
	else if (!had_key)
		console_say(rc->con, "The transcript %s is NOT signed: the ceremony stopped "
				     "before its transcript key was made.", tpath);
	else if (!signed_ok)
		console_say(rc->con, "The transcript %s is NOT signed: its transcript key could "
				     "not sign (above).", tpath);
	console_say(rc->con, "The transcript %s is kept: `ceremony verify` reports it as "
			     "INCOMPLETE.", tpath);
	r = 0;
out:
	tkey_destroy(rc);
	tokens_logout_all(rc);
	return r;
}

/* Every step done and the key ready to sign: ceremony.end completed, sign,
 * log out, the summary. "Ceremony completed." only once the transcript is
 * signed: a signature that fails fails the run. */
static int ceremony_completed(struct run_ctx *rc)
{
	json_t *op = run_operator_json(rc);
	const char *ukey;
	size_t uline, unused;
	char why[1024];
	int r = CE_ERR_INTERNAL, signed_ok = 0;

	r = op == NULL ? CE_ERR_NOMEM
		       : end_write(rc, op, "completed", &signed_ok, why, sizeof(why));
	if (r < 0)
		goto out;
	if (!signed_ok) {
		r = ce_err_set(CE_ERR_CRYPTO, "the transcript %s is NOT signed: the ceremony is not "
					      "completed (`ceremony verify` reports it as INCOMPLETE; "
					      "its ceremony.end says failed, destroyed-unsigned): %s",
			       transcript_path(rc->t), why);
		goto out;
	}
	tokens_logout_all(rc);
	outputs_summary_print(rc);
	unused = console_unused(rc->con, &ukey, &uline);
	if (unused > 0)
		console_say(rc->con, "warning: %zu answer%s of %s not used (first: [%s] at line %zu)",
			    unused, unused == 1 ? "" : "s", rc->opts->input_path, ukey, uline);
	console_say(rc->con, "Ceremony completed.");
	r = 0;
out:
	tkey_destroy(rc);
	tokens_logout_all(rc);
	json_decref(op);
	return r;
}

/* ------------------------------------------------------------------ */
/* The start                                                           */

/* Refuse early what the flow would trip on, before anything is written; and
 * know whether a step logs in to a token as user (the transcript key is then
 * made on that token, tkey.c), else the software key is made at the start:
 * an SO-only ceremony is signed too. */
/* Whether step st issues new shares of a secret (a PT_SECRET parameter
 * with SECRET_USE_ISSUE). */
static int step_issues(const struct script_step *st)
{
	const struct script_param_spec *p;

	for (p = st->action->params; p != NULL && p->key != NULL; p++)
		if (p->type == PT_SECRET && (p->use & SECRET_USE_ISSUE) &&
		    script_param(st, p->key) != NULL)
			return 1;
	return 0;
}

static int preflight(struct run_ctx *rc)
{
	const struct script_step *issues_first = NULL;
	const char *tok;
	size_t i;
	int user_login = 0;

	for (i = 0; i < rc->s->nsteps; i++) {
		const char *a = rc->s->steps[i].action->name;

		if (run_action_find(a) == NULL)
			return ce_err_set(CE_ERR_UNSUPPORTED,
					  "%s:%u: step '%s': action %s is not available in this build",
					  rc->s->path, rc->s->steps[i].mark.line, rc->s->steps[i].id, a);
		/* a step that logs in as user makes the key before it issues */
		if (script_step_login(rc->s, &rc->s->steps[i], &tok) == SCRIPT_LOGIN_USER)
			user_login = 1;
		else if (!user_login && issues_first == NULL && step_issues(&rc->s->steps[i]))
			issues_first = &rc->s->steps[i];
	}
	/* Nothing irreversible before the transcript key has signed its test
	 * message (tkey.c): with a token key, made at the first user login, no
	 * share may be issued before that login. */
	if (user_login && issues_first != NULL)
		return ce_err_set(CE_ERR_POLICY,
				  "%s:%u: step '%s' issues shares before the first user login, where "
				  "the transcript key is made and proves it can sign: refused (no "
				  "share is issued before the tool knows the transcript can be "
				  "signed; move the step after the user login)",
				  rc->s->path, issues_first->mark.line, issues_first->id);
	if (rc->s->nsteps == 0 || strcmp(rc->s->steps[0].action->name, "attendance") != 0)
		return ce_err_set(CE_ERR_FORMAT, "%s: the first step must be attendance",
				  rc->s->path);
	rc->tkey_soft_needed = !user_login;
	return 0;
}

/* The signature and signer certificate paths of the transcript must not
 * exist either: the signature is never written over one, and a run that
 * could not write it would end unsigned after ceremony.end claimed it. */
static int sig_paths_free(const char *tpath)
{
	char *p[2] = { transcript_sig_path(tpath), transcript_signer_path(tpath) };
	struct stat sb;
	size_t i;
	int r = CE_ERR_INTERNAL;

	for (i = 0; i < 2; i++) {
		if (p[i] == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		if (lstat(p[i], &sb) == 0) {
			r = ce_err_set(CE_ERR_EXISTS, "%s: already exists; a transcript signature is "
						      "never overwritten (choose another --outdir)",
				       p[i]);
			goto out;
		}
	}
	r = 0;
out:
	free(p[0]);
	free(p[1]);
	return r;
}

/* The date, the output directory (made if missing, its parent must exist;
 * refused unless owned by us and writable by nobody else), the lint exactly
 * as `ceremony lint` (printed), the transcript path (*tpath, malloc'ed),
 * which must not exist, nor its signature files, and in a rehearsal
 * OUTDIR/rehearsal, which must not exist either: the only thing written
 * here, made empty (0700). */
static int ctx_prepare(struct run_ctx *rc, const struct run_opts *opts, struct diag *d,
		       char **tpath)
{
	struct stat sb;
	int r = CE_ERR_INTERNAL;

	if (opts->today != NULL) {
		if (roster_date_parse(opts->today, &rc->today) < 0)
			return ce_err_set(CE_ERR_USAGE, "--today wants YYYY-MM-DD, not '%s'",
					  opts->today);
	} else {
		roster_date_today(&rc->today);
	}
	if (stat(rc->outdir, &sb) != 0 && errno == ENOENT && mkdir(rc->outdir, 0700) != 0)
		return ce_err_set(CE_ERR_IO, "output directory %s: %s", rc->outdir, strerror(errno));
	if (stat(rc->outdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return ce_err_set(CE_ERR_NOT_FOUND, "output directory %s: %s", rc->outdir,
				  stat(rc->outdir, &sb) != 0 ? strerror(errno) : "not a directory");
	/* policy 4.4.4: logs readable only by authorised staff - nobody else may
	 * add, swap or remove what is written there. */
	if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return ce_err_set(CE_ERR_POLICY, "output directory %s is owned by uid %u with mode "
				  "%04o: refused, it must be owned by the user running ceremony "
				  "(uid %u) and writable by nobody else (chmod go-w)", rc->outdir,
				  (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777),
				  (unsigned)geteuid());
	r = lint_load(opts->script_path, opts->roster_path, &rc->today, rc->outdir, &rc->s, &rc->r,
		      d);
	if (r < 0)
		return r;
	if (d->n)
		diag_print(stdout, d);
	if (d->errors)
		return ce_err_set(CE_ERR_FORMAT, "%s: %zu lint error%s: refusing to run",
				  opts->script_path, d->errors, d->errors == 1 ? "" : "s");
	if (asprintf(tpath, "%s/transcript.jsonl", rc->outdir) < 0) {
		*tpath = NULL;
		return CE_ERR_NOMEM;
	}
	if (lstat(*tpath, &sb) == 0)
		return ce_err_set(CE_ERR_EXISTS, "%s: already exists; a transcript is never "
						 "overwritten (choose another --outdir)", *tpath);
	r = sig_paths_free(*tpath);
	if (r < 0)
		return r;
	/* Before any token is touched: the holder files' folder is ours. */
	if (opts->rehearsal)
		return rehearsal_dir_make(rc->outdir);
	return 0;
}

/* The capability preflight (ceremony/run/preflight.h, as `ceremony check`):
 * on any MISSING requirement, its lines and a refusal, before attendance and
 * before the transcript is opened: nothing is written anywhere. */
static int caps_preflight(struct run_ctx *rc)
{
	struct preflight pf = { 0 };
	int r = CE_ERR_INTERNAL;

	r = preflight_run(rc->p11, rc->s, &pf);
	if (r < 0)
		goto out;
	if (pf.missing) {
		preflight_print(stdout, &pf);
		fflush(stdout);
		r = ce_err_set(CE_ERR_UNSUPPORTED,
			       "%s: preflight: %zu requirement%s MISSING on the token (listed above, "
			       "as `ceremony check` shows them): refusing to start; nothing was "
			       "written to the token or the output directory",
			       rc->s->path, pf.missing, pf.missing == 1 ? "" : "s");
		goto out;
	}
	r = 0;
out:
	preflight_free(&pf);
	return r;
}

/* The console, the preflight, the tokens, the --issued-in registry, the
 * PKCS#11 module, the capability preflight, the operator and the ceremony
 * id: everything before the transcript opens. */
static int ctx_open(struct run_ctx *rc)
{
	int r = CE_ERR_INTERNAL;

	r = console_open(rc->opts->input_path, &rc->con);
	if (r < 0)
		goto out;
	r = preflight(rc);
	if (r < 0)
		goto out;
	r = tokens_open(rc);
	if (r < 0)
		goto out;
	/* Before the module is loaded: an earlier transcript is relied on only
	 * when its signer is pinned (--issued-in-key) or confirmed here. */
	rc->issued_pins = calloc(rc->opts->n_issued_in + 1, sizeof(*rc->issued_pins));
	if (rc->issued_pins == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = issued_in_load(rc->opts->issued_in, rc->opts->issued_in_key, rc->opts->n_issued_in,
			   &rc->reg, rc->issued_pins);
	if (r < 0)
		goto out;
	r = issued_in_confirm(rc->con, rc->issued_pins, rc->opts->n_issued_in);
	if (r < 0)
		goto out;
	r = p11_ctx_open(rc->opts->module, &rc->p11);
	if (r < 0)
		goto out;
	/* the PINs the script makes fit their tokens' ranges (pinplan.h): the
	 * refusal names the script line; then every other requirement */
	r = pin_plan_check(rc->s, rc->p11);
	if (r < 0)
		goto out;
	r = caps_preflight(rc);
	if (r < 0)
		goto out;
	r = people_operator_ask(rc);
	if (r < 0)
		goto out;
	r = transcript_ceremony_id(rc->ceremony_id);
out:
	return r;
}

/* The transcript, ceremony.start and, when no step logs in to a token as
 * user, the software transcript key. */
static int transcript_start(struct run_ctx *rc, const char *tpath)
{
	int r = CE_ERR_INTERNAL;

	r = transcript_open(tpath, &rc->t);
	if (r < 0)
		goto out;
	console_say(rc->con, "Ceremony: %s (version %s)%s", rc->s->name, rc->s->version,
		    rc->opts->rehearsal ? " - REHEARSAL" : "");
	console_say(rc->con, "Ceremony id: %s", rc->ceremony_id);
	console_say(rc->con, "Transcript: %s", tpath);
	r = start_event_write(rc);
	if (r < 0)
		goto out;
	if (rc->tkey_soft_needed)
		r = tkey_soft_make(rc);
out:
	return r;
}

static void ctx_free(struct run_ctx *rc)
{
	X509_free(rc->tkey_cert);
	p11_ossl_key_free(&rc->tkey_k);
	p11_key_free(rc->tkey_pk);
	tokens_free(rc);
	outputs_summary_free(rc);
	registry_free(&rc->reg);
	free(rc->issued_pins);
	EVP_PKEY_free(rc->tkey_soft);
	json_decref(rc->step_details);
	for (size_t k = 0; k < SEATS_MAX; k++)
		json_decref(rc->att_card[k]);
	transcript_free(rc->t);
	for (size_t k = 0; k < RUN_CARD_MODULES_MAX; k++) /* first: they never finalize */
		p11_ctx_free(rc->cards_p11[k].ctx);       /* a module the run's ctx holds */
	p11_ctx_free(rc->p11);
	console_free(rc->con);
	roster_free(rc->r);
	script_free(rc->s);
}

int run_ceremony(const struct run_opts *opts)
{
	struct run_ctx rc;
	struct diag d;
	char *tpath = NULL;
	size_t i;
	int r = CE_ERR_INTERNAL, exit_code = 1, started = 0;

	memset(&rc, 0, sizeof(rc));
	diag_init(&d);
	rc.opts = opts;
	rc.outdir = opts->outdir != NULL ? opts->outdir : ".";
	r = ctx_prepare(&rc, opts, &d, &tpath);
	if (r < 0)
		goto out;
	r = ctx_open(&rc);
	if (r < 0)
		goto out;
	r = transcript_start(&rc, tpath);
	if (r < 0)
		goto out;
	for (i = 0; i < rc.s->nsteps; i++) {
		r = step_run(&rc, &rc.s->steps[i], &started);
		if (r < 0)
			break;
	}
	if (r == 0) {
		/* no step runs now: what fails here is the ceremony's, not a step's */
		rc.cur = NULL;
		/* before ceremony.end says the key signs: it proves it can */
		r = tkey_sign_ready(&rc);
		if (r < 0)
			r = ce_err_prefix(r, "every step is done, but the transcript cannot be "
					     "signed: the ceremony is not completed");
	}
	if (r < 0)
		r = ceremony_stopped(&rc, r, started, tpath, &exit_code);
	else if ((r = ceremony_completed(&rc)) == 0)
		exit_code = 0;
out:
	if (r < 0) {
		if (d.errors == 0 || r != CE_ERR_FORMAT)
			ce_err_print(r);
		else
			esc_fprintf(stderr, "ceremony: run: %s\n", ce_err_detail());
		/* aborted before the transcript was opened: nothing written */
		exit_code = rc.con != NULL && console_abort_reason(rc.con)[0] != '\0'
				    ? RUN_EXIT_ABORTED
				    : CLI_EXIT_FAIL;
	}
	free(tpath);
	diag_free(&d);
	ctx_free(&rc);
	return exit_code;
}
