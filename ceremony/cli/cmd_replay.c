/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony replay TRANSCRIPT: the transcript as a narrative for auditors,
 * in UTC, step by step; failures, refusals and aborts highlighted
 * (policy 4.4.2), fingerprints as words.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct replay {
	int colour;
	FILE *f;
};

static const char *S(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "?";
}

static void hi(struct replay *rp, const char *code)
{
	if (rp->colour)
		fputs(code, rp->f);
}

#define C_RED "\033[1;31m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

/* "alice (Alice Martin; security-officer), bob (key-holder)" */
static void people(struct replay *rp, const json_t *arr)
{
	size_t i, j;
	const json_t *p, *role;

	if (json_array_size(arr) == 0) {
		fputs("nobody", rp->f);
		return;
	}
	json_array_foreach(arr, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const json_t *roles = json_object_get(p, "roles");

		fprintf(rp->f, "%s%s", i ? ", " : "", S(p, "id"));
		if (name != NULL || json_array_size(roles) > 0) {
			fputs(" (", rp->f);
			if (name != NULL)
				fprintf(rp->f, "%s%s", name, json_array_size(roles) ? "; " : "");
			json_array_foreach(roles, j, role)
				fprintf(rp->f, "%s%s", j ? ", " : "", json_string_value(role));
			fputs(")", rp->f);
		}
	}
}

static void words(struct replay *rp, const char *hex)
{
	char w[FINGERPRINT_WORDS_MAX_LEN];

	if (hex != NULL && ceremony_fingerprint_words_hex(hex, w, sizeof(w)) == 0)
		fprintf(rp->f, " [%s]", w);
	else
		fputs(" [no fingerprint]", rp->f);
}

/* One event, its parts borrowed from the JSON. */
struct replay_ev {
	const char *type;
	const char *step;  /* NULL: none */
	const json_t *d;   /* details */
	const json_t *per; /* persons */
	const json_t *wit; /* witnesses */
};

/* "== step S: title ==" before a step's first event. */
static void replay_step_banner(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;

	fputc('\n', f);
	hi(rp, C_BOLD);
	fprintf(f, "== step %s", e->step != NULL ? e->step : "?");
	if (json_string_value(json_object_get(e->d, "title")) != NULL)
		fprintf(f, ": %s", S(e->d, "title"));
	fputs(" ==", f);
	hi(rp, C_OFF);
	fputc('\n', f);
}

/* Failures, refusals and aborts, highlighted (policy 4.4.2). */
static int replay_event_bad(const struct replay_ev *e)
{
	const char *type = e->type;
	const json_t *d = e->d;

	return strcmp(type, "login.failed") == 0 || strcmp(type, "abort") == 0 ||
	       strcmp(type, "error") == 0 || strcmp(type, "clock.held") == 0 ||
	       (strcmp(type, "quorum.share") == 0 && !json_is_true(json_object_get(d, "accepted"))) ||
	       (strcmp(type, "share.verified") == 0 && strcmp(S(d, "result"), "ok") != 0) ||
	       (strcmp(type, "step.end") == 0 && strcmp(S(d, "status"), "done") != 0) ||
	       (strcmp(type, "ceremony.end") == 0 && strcmp(S(d, "status"), "completed") != 0);
}

/* ceremony.start and transcript.key: the frame. Returns 1 when told. */
static int replay_tell_frame(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;
	const json_t *d = e->d;

	if (strcmp(e->type, "ceremony.start") == 0) {
		const json_t *clock = json_object_get(d, "clock");
		const json_t *tok = json_object_get(d, "token");

		fprintf(f, "ceremony %s started on host %s by ",
			json_string_value(json_object_get(d, "ceremony")) ? S(d, "ceremony") : "(unnamed)",
			S(d, "host"));
		people(rp, e->per);
		fprintf(f, "%s\n", json_is_true(json_object_get(d, "rehearsal")) ? "  -- REHEARSAL" : "");
		fprintf(f, "       id %s; ceremony %s (executable SHA-256 %s)\n", S(d, "ceremony_id"),
			S(d, "tool_version"), S(d, "exe_sha256"));
		fprintf(f, "       clock %s; %s\n",
			json_is_true(json_object_get(clock, "synchronised")) ? "synchronised" :
									 "NOT synchronised (policy 5.5)",
			json_string_value(json_object_get(d, "openssl_version")) ?
				S(d, "openssl_version") : "?");
		if (json_object_get(d, "module") != NULL)
			fprintf(f, "       PKCS#11 module %s (SHA-256 %s)\n", S(d, "module"),
				S(d, "module_sha256"));
		if (tok != NULL)
			fprintf(f, "       token %s %s serial %s firmware %s\n", S(tok, "manufacturer"),
				S(tok, "model"), S(tok, "serial"), S(tok, "firmware"));
		fprintf(f, "       script SHA-256 %s\n       roster SHA-256 %s", S(d, "script_sha256"),
			S(d, "roster_sha256"));
	} else if (strcmp(e->type, "transcript.key") == 0) {
		fprintf(f, "transcript key announced (%s%s), fingerprint:\n       %s",
			json_string_value(json_object_get(d, "key_type")) ? S(d, "key_type") : "key",
			json_is_true(json_object_get(d, "ephemeral")) ? ", ephemeral" : "",
			S(d, "fingerprint"));
	} else {
		return 0;
	}
	return 1;
}

/* Who is there, acts, witnesses, logs in. Returns 1 when told. */
static int replay_tell_people(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;
	const char *type = e->type;
	const json_t *d = e->d;

	if (strcmp(type, "attendance") == 0) {
		people(rp, e->per);
		fprintf(f, ": %s", S(d, "status"));
	} else if (strcmp(type, "role.assign") == 0 || strcmp(type, "role.revoke") == 0) {
		people(rp, e->per);
		fprintf(f, strcmp(type, "role.assign") == 0 ? " given role %s" : " loses role %s",
			S(d, "role"));
	} else if (strcmp(type, "step.start") == 0) {
		fputs("step starts; actors: ", f);
		people(rp, e->per);
		if (json_array_size(e->wit) > 0) {
			fputs("; witnesses: ", f);
			people(rp, e->wit);
		}
	} else if (strcmp(type, "step.end") == 0) {
		fprintf(f, "step %s: %s", e->step != NULL ? e->step : "?", S(d, "status"));
	} else if (strcmp(type, "witness.confirm") == 0) {
		people(rp, e->wit);
		fputs(" witnessed the actions of ", f);
		people(rp, e->per);
	} else if (strcmp(type, "login") == 0 || strcmp(type, "login.failed") == 0 ||
		   strcmp(type, "logout") == 0) {
		people(rp, e->per);
		if (strcmp(type, "login") == 0)
			fprintf(f, " logged in as %s", S(d, "user"));
		else if (strcmp(type, "logout") == 0)
			fputs(" logged out", f);
		else
			fprintf(f, " FAILED to log in as %s: %s", S(d, "user"), S(d, "ckr"));
		if (json_object_get(d, "token") != NULL)
			fprintf(f, " (token %s)", S(d, "token"));
		if (json_is_string(json_object_get(d, "when")))
			fprintf(f, " [%s]", S(d, "when"));
	} else {
		return 0;
	}
	return 1;
}

/* "share M of group G" (just "share M" when the event names no group: a
 * transcript written before groups were recorded). */
static void share_pos(FILE *f, const json_t *d)
{
	fprintf(f, "share %lld", (long long)json_integer_value(json_object_get(d, "member")));
	if (json_is_integer(json_object_get(d, "group")))
		fprintf(f, " of group %lld",
			(long long)json_integer_value(json_object_get(d, "group")));
}

/* The layout of quorum.met: " (2 of the groups 3-of-5, 2-of-2)"; nothing
 * when it records none. */
static void met_layout(FILE *f, const json_t *d)
{
	const json_t *g, *groups = json_object_get(d, "groups");
	size_t i;

	if (!json_is_array(groups) || !json_is_integer(json_object_get(d, "group_threshold")))
		return;
	fprintf(f, ", %lld of the groups",
		(long long)json_integer_value(json_object_get(d, "group_threshold")));
	json_array_foreach(groups, i, g)
		fprintf(f, "%s %lld-of-%lld", i ? "," : "",
			(long long)json_integer_value(json_object_get(g, "threshold")),
			(long long)json_integer_value(json_object_get(g, "count")));
}

/* Shares issued, typed back, presented to a quorum. Returns 1 when told. */
static int replay_tell_shares(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;
	const char *type = e->type;
	const json_t *d = e->d;

	if (strcmp(type, "share.issued") == 0) {
		share_pos(f, d);
		fprintf(f, " of set %s issued to %s, commitment", S(d, "set"), S(d, "holder"));
		words(rp, json_string_value(json_object_get(d, "commitment")));
	} else if (strcmp(type, "share.verified") == 0) {
		fprintf(f, "%s typed ", S(d, "holder"));
		share_pos(f, d);
		fprintf(f, " of set %s back: %s", S(d, "set"), S(d, "result"));
	} else if (strcmp(type, "quorum.share") == 0) {
		int ok = json_is_true(json_object_get(d, "accepted"));

		fprintf(f, "%s presents ", S(d, "holder"));
		share_pos(f, d);
		fprintf(f, " of set %s: %s", S(d, "set"), ok ? "accepted" : "REFUSED");
		if (!ok && json_object_get(d, "reason") != NULL)
			fprintf(f, " (%s)", S(d, "reason"));
	} else if (strcmp(type, "quorum.met") == 0) {
		const json_t *h;
		size_t i;

		fprintf(f, "quorum met for set %s (threshold %lld", S(d, "set"),
			(long long)json_integer_value(json_object_get(d, "threshold")));
		met_layout(f, d);
		fprintf(f, "):");
		json_array_foreach(json_object_get(d, "holders"), i, h)
			fprintf(f, " %s", json_string_value(h) ? json_string_value(h) : "?");
	} else {
		return 0;
	}
	return 1;
}

/* What the ceremony did to keys, tokens and files. Returns 1 when told. */
static int replay_tell_objects(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;
	const char *type = e->type;
	const json_t *d = e->d;

	if (strcmp(type, "key.generated") == 0) {
		fprintf(f, "key generated: %s, label %s, id %s, public key", S(d, "key_type"),
			S(d, "label"), S(d, "id"));
		words(rp, json_string_value(json_object_get(d, "public_key_sha256")));
	} else if (strcmp(type, "key.destroyed") == 0) {
		fprintf(f, "key destroyed: label %s, id %s", S(d, "label"), S(d, "id"));
	} else if (strcmp(type, "cert.created") == 0 || strcmp(type, "csr.created") == 0 ||
		   strcmp(type, "crl.created") == 0 || strcmp(type, "output.written") == 0) {
		fprintf(f, "%s %s, SHA-256 %s",
			type[1] == 'e' ? "certificate" : type[1] == 's' ? "CSR" : type[1] == 'r' ? "CRL" : "output",
			S(d, "file"), S(d, "sha256"));
		/* a certificate's fingerprint is its DER's, as read aloud */
		words(rp, json_string_value(json_object_get(d, json_object_get(d, "der_sha256") ?
								  "der_sha256" : "sha256")));
	} else if (strcmp(type, "config.changed") == 0) {
		fprintf(f, "configuration changed: %s", S(d, "what"));
	} else if (strcmp(type, "token.initialised") == 0) {
		fprintf(f, "token initialised, label %s", S(d, "label"));
	} else if (strcmp(type, "pin.changed") == 0) {
		fprintf(f, "%s PIN changed", S(d, "user"));
	} else {
		return 0;
	}
	return 1;
}

/* Aborts, errors, the clock held, the end. Returns 1 when told. */
static int replay_tell_ending(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;
	const char *type = e->type;
	const json_t *d = e->d;

	if (strcmp(type, "abort") == 0) {
		fputs("ABORTED by ", f);
		people(rp, e->per);
		fprintf(f, ": %s", S(d, "reason"));
	} else if (strcmp(type, "error") == 0) {
		fprintf(f, "ERROR: %s", S(d, "message"));
		if (json_object_get(d, "ckr") != NULL)
			fprintf(f, " (%s%s%s)", json_object_get(d, "function") ? S(d, "function") : "",
				json_object_get(d, "function") ? ": " : "", S(d, "ckr"));
	} else if (strcmp(type, "clock.held") == 0) {
		fprintf(f, "the host clock went back (read %s); times held", S(d, "observed"));
	} else if (strcmp(type, "ceremony.end") == 0) {
		fprintf(f, "ceremony ends: %s", S(d, "status"));
	} else {
		return 0;
	}
	return 1;
}

static int replay_event(void *ctx, uint64_t ln, json_t *ev)
{
	struct replay *rp = ctx;
	FILE *f = rp->f;
	const char *time_s = S(ev, "time");
	struct replay_ev e = {
		.type = S(ev, "type"),
		.step = json_string_value(json_object_get(ev, "step")),
		.d = json_object_get(ev, "details"),
		.per = json_object_get(ev, "persons"),
		.wit = json_object_get(ev, "witnesses"),
	};
	int bad = replay_event_bad(&e);

	if (strcmp(e.type, "step.start") == 0)
		replay_step_banner(rp, &e);
	/* "2026-11-27T17:16:54.123456Z" shown as "2026-11-27 17:16:54Z" */
	fprintf(f, "%5llu  %.10s %.8sZ  ", (unsigned long long)ln, time_s,
		strlen(time_s) >= 19 ? time_s + 11 : "");
	if (bad) {
		hi(rp, C_RED);
		fputs("!! ", f);
	}
	if (!replay_tell_frame(rp, &e) && !replay_tell_people(rp, &e) &&
	    !replay_tell_shares(rp, &e) && !replay_tell_objects(rp, &e) &&
	    !replay_tell_ending(rp, &e))
		fprintf(f, "%s", e.type);
	if (bad)
		hi(rp, C_OFF);
	fputc('\n', f);
	return 0;
}

static void replay_help(FILE *f)
{
	fprintf(f, "usage: ceremony replay TRANSCRIPT\n\n"
		   "Tell the ceremony recorded in TRANSCRIPT step by step, in UTC: who acted,\n"
		   "who witnessed, failed logins, refused shares and aborts highlighted,\n"
		   "fingerprints as words. The verdict of `ceremony verify` comes first.\n"
		   "Colour only on a terminal (not with NO_COLOR set).\n");
}

static int replay_run(int argc, char **argv)
{
	static const struct cli_opt opts[] = { { NULL, 0, 0 } };
	struct verify_opts o;
	struct verify_report rep;
	struct replay rp;
	struct cli_opts p;
	const char *path = NULL;
	int c, r;

	cli_opts_init(&p, &cli_verb_replay, NULL, opts, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		if (path != NULL)
			return cli_usage_error(&cli_verb_replay, "one transcript at a time");
		path = p.value;
	}
	if (c < 0)
		return cli_opts_status(c);
	if (path == NULL)
		return cli_usage_error(&cli_verb_replay, "no transcript given");
	memset(&o, 0, sizeof(o));
	rp.f = stdout;
	rp.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
		    (getenv("TERM") == NULL || strcmp(getenv("TERM"), "dumb") != 0);
	r = verify_transcript(path, &o, &rep);
	if (r < 0)
		return cli_fail(r);
	if (rep.verdict != VERIFY_OK)
		hi(&rp, C_RED);
	printf("%s: %s%s%s\n", path, verify_verdict_name(rep.verdict), rep.reason[0] ? ": " : "",
	       rep.reason);
	if (rep.verdict != VERIFY_OK)
		hi(&rp, C_OFF);
	if (rep.key_line)
		printf("transcript key fingerprint: %s\n", rep.key_words);
	if (rep.events > 0)
		printf("production: %s\n", verify_production_text(&rep));
	printf("proven: %s\n", rep.proof);
	printf("times are UTC\n\n");
	r = verify_events_each(path, replay_event, &rp);
	fflush(stdout);
	if (r < 0)
		return cli_fail(r);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_replay = {
	.name = "replay",
	.synopsis = "TRANSCRIPT",
	.summary = "tell a ceremony transcript as a narrative",
	.run = replay_run,
	.help = replay_help,
};
