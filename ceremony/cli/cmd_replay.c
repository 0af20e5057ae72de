/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony replay TRANSCRIPT: the transcript as a narrative for auditors,
 * in UTC, step by step; failures, refusals and aborts highlighted
 * (policy 4.4.2), fingerprints as words. Every string of the transcript is
 * printed through common/esc.h (a label or a reason cannot steer the
 * terminal); lines are read with the verifier's reader (verify_lines_each).
 */
#include "ceremony/cli/cli.h"
#include "ceremony/cli/cmd_replay.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/verify/verify.h"
#include "common/err.h"
#include "common/esc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a first pass learnt of a share set: its groups (K) and each group's
 * members (N), from share.issued and quorum.met, so every share is named
 * "share M of N, group G of K, set XXXX" (0: not known). */
#define REPLAY_SETS_MAX 64
struct replay_set {
	char set[32];
	unsigned groups;
	unsigned members[16];
};

struct replay {
	int colour;
	FILE *f;
	const struct tj_doc *doc; /* the event being told (borrowed) */
	struct replay_set sets[REPLAY_SETS_MAX];
	size_t nsets;
};

/* String member k of object o, "?" when absent or not a string. */
static const char *S(const struct replay *rp, int o, const char *k)
{
	const char *s = tj_str(rp->doc, tj_get(rp->doc, o, k));

	return s != NULL ? s : "?";
}

/* String member k of object o, NULL when absent or not a string. */
static const char *STR(const struct replay *rp, int o, const char *k)
{
	return tj_str(rp->doc, tj_get(rp->doc, o, k));
}

static int HAS(const struct replay *rp, int o, const char *k)
{
	return tj_get(rp->doc, o, k) >= 0;
}

static int TRUE_(const struct replay *rp, int o, const char *k)
{
	return tj_is(rp->doc, tj_get(rp->doc, o, k), TJ_TRUE);
}

static long long INT(const struct replay *rp, int o, const char *k)
{
	return (long long)tj_int(rp->doc, tj_get(rp->doc, o, k));
}

/* Elements of array a, 0 when a is not an array. */
static uint32_t NARR(const struct replay *rp, int a)
{
	return tj_is(rp->doc, a, TJ_ARR) ? rp->doc->t[a].size : 0;
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
static void people(struct replay *rp, int arr)
{
	const struct tj_doc *d = rp->doc;
	uint32_t i, j;
	int p, role;

	if (NARR(rp, arr) == 0) {
		fputs("nobody", rp->f);
		return;
	}
	TJ_ARR_EACH(d, arr, i, p) {
		const char *name = STR(rp, p, "name");
		int roles = tj_get(d, p, "roles");

		esc_fprintf(rp->f, "%s%s", i ? ", " : "", S(rp, p, "id"));
		if (name != NULL || NARR(rp, roles) > 0) {
			fputs(" (", rp->f);
			if (name != NULL)
				esc_fprintf(rp->f, "%s%s", name, NARR(rp, roles) ? "; " : "");
			if (NARR(rp, roles) > 0)
				TJ_ARR_EACH(d, roles, j, role)
					esc_fprintf(rp->f, "%s%s", j ? ", " : "", tj_str(d, role));
			fputs(")", rp->f);
		}
	}
}

static void words(struct replay *rp, const char *hex)
{
	char w[FINGERPRINT_WORDS_MAX_LEN];

	if (hex != NULL && ceremony_fingerprint_words_hex(hex, w, sizeof(w)) == 0)
		esc_fprintf(rp->f, " [%s]", w);
	else
		fputs(" [no fingerprint]", rp->f);
}

/* One event, its parts borrowed from the JSON. */
struct replay_ev {
	const char *type;
	const char *step; /* NULL: none */
	int d;            /* details (token index in rp->doc, -1: none) */
	int per;          /* persons */
	int wit;          /* witnesses */
};

/* "== step S: title ==" before a step's first event. */
static void replay_step_banner(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;

	fputc('\n', f);
	hi(rp, C_BOLD);
	esc_fprintf(f, "== step %s", e->step != NULL ? e->step : "?");
	if (STR(rp, e->d, "title") != NULL)
		esc_fprintf(f, ": %s", S(rp, e->d, "title"));
	fputs(" ==", f);
	hi(rp, C_OFF);
	fputc('\n', f);
}

/* Failures, refusals and aborts, highlighted (policy 4.4.2). */
static int replay_event_bad(const struct replay *rp, const struct replay_ev *e)
{
	const char *type = e->type;
	int d = e->d;

	return strcmp(type, "login.failed") == 0 || strcmp(type, "abort") == 0 ||
	       strcmp(type, "error") == 0 || strcmp(type, "clock.held") == 0 ||
	       (strcmp(type, "quorum.share") == 0 && !TRUE_(rp, d, "accepted")) ||
	       (strcmp(type, "share.verified") == 0 && strcmp(S(rp, d, "result"), "ok") != 0) ||
	       (strcmp(type, "step.end") == 0 && strcmp(S(rp, d, "status"), "done") != 0) ||
	       (strcmp(type, "ceremony.end") == 0 && strcmp(S(rp, d, "status"), "completed") != 0);
}

/* ceremony.start and transcript.key: the frame. Returns 1 when told. */
static int replay_tell_frame(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;
	int d = e->d;

	if (strcmp(e->type, "ceremony.start") == 0) {
		int clock = tj_get(rp->doc, d, "clock");
		int tok = tj_get(rp->doc, d, "token");

		esc_fprintf(f, "ceremony %s started on host %s by ",
			    STR(rp, d, "ceremony") ? S(rp, d, "ceremony") : "(unnamed)",
			    S(rp, d, "host"));
		people(rp, e->per);
		esc_fprintf(f, "%s\n", TRUE_(rp, d, "rehearsal") ? "  -- REHEARSAL" : "");
		esc_fprintf(f, "       id %s; ceremony %s (executable SHA-256 %s)\n",
			    S(rp, d, "ceremony_id"), S(rp, d, "tool_version"),
			    S(rp, d, "exe_sha256"));
		esc_fprintf(f, "       clock %s; %s\n",
			    TRUE_(rp, clock, "synchronised") ? "synchronised"
							     : "NOT synchronised (policy 5.5)",
			    STR(rp, d, "openssl_version") ? S(rp, d, "openssl_version") : "?");
		if (HAS(rp, d, "module"))
			esc_fprintf(f, "       PKCS#11 module %s (SHA-256 %s)\n",
				    S(rp, d, "module"), S(rp, d, "module_sha256"));
		if (tok >= 0)
			esc_fprintf(f, "       token %s %s serial %s firmware %s\n",
				    S(rp, tok, "manufacturer"), S(rp, tok, "model"),
				    S(rp, tok, "serial"), S(rp, tok, "firmware"));
		esc_fprintf(f, "       script SHA-256 %s\n       roster SHA-256 %s",
			    S(rp, d, "script_sha256"), S(rp, d, "roster_sha256"));
	} else if (strcmp(e->type, "transcript.key") == 0) {
		esc_fprintf(f, "transcript key announced (%s%s), fingerprint:\n       %s",
			    STR(rp, d, "key_type") ? S(rp, d, "key_type") : "key",
			    TRUE_(rp, d, "ephemeral") ? ", ephemeral" : "",
			    S(rp, d, "fingerprint"));
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
	int d = e->d;

	if (strcmp(type, "attendance") == 0) {
		people(rp, e->per);
		esc_fprintf(f, ": %s", S(rp, d, "status"));
	} else if (strcmp(type, "role.assign") == 0 || strcmp(type, "role.revoke") == 0) {
		people(rp, e->per);
		esc_fprintf(f,
			    strcmp(type, "role.assign") == 0 ? " given role %s" : " loses role %s",
			    S(rp, d, "role"));
	} else if (strcmp(type, "step.start") == 0) {
		fputs("step starts; actors: ", f);
		people(rp, e->per);
		if (NARR(rp, e->wit) > 0) {
			fputs("; witnesses: ", f);
			people(rp, e->wit);
		}
	} else if (strcmp(type, "step.end") == 0) {
		esc_fprintf(f, "step %s: %s", e->step != NULL ? e->step : "?", S(rp, d, "status"));
	} else if (strcmp(type, "witness.confirm") == 0) {
		people(rp, e->wit);
		fputs(" witnessed the actions of ", f);
		people(rp, e->per);
	} else if (strcmp(type, "login") == 0 || strcmp(type, "login.failed") == 0 ||
		   strcmp(type, "logout") == 0) {
		people(rp, e->per);
		if (strcmp(type, "login") == 0)
			esc_fprintf(f, " logged in as %s", S(rp, d, "user"));
		else if (strcmp(type, "logout") == 0)
			fputs(" logged out", f);
		else
			esc_fprintf(f, " FAILED to log in as %s: %s", S(rp, d, "user"),
				    S(rp, d, "ckr"));
		if (HAS(rp, d, "token"))
			esc_fprintf(f, " (token %s)", S(rp, d, "token"));
		if (STR(rp, d, "when") != NULL)
			esc_fprintf(f, " [%s]", S(rp, d, "when"));
	} else {
		return 0;
	}
	return 1;
}

/* "share M of group G" (just "share M" when the event names no group: a
 * transcript written before groups were recorded). */
static struct replay_set *set_find(struct replay *rp, const char *set, int add)
{
	size_t i;

	for (i = 0; i < rp->nsets; i++)
		if (strcmp(rp->sets[i].set, set) == 0)
			return &rp->sets[i];
	if (!add || rp->nsets == REPLAY_SETS_MAX || strlen(set) >= sizeof(rp->sets[0].set))
		return NULL;
	memset(&rp->sets[rp->nsets], 0, sizeof(rp->sets[0]));
	snprintf(rp->sets[rp->nsets].set, sizeof(rp->sets[0].set), "%s", set);
	return &rp->sets[rp->nsets++];
}

/* First pass: the layout of each set, from the shares issued (the largest
 * group and member seen) and from quorum.met (its groups, when recorded). */
static int replay_learn(void *ctx, uint64_t ln, const struct tj_doc *doc)
{
	struct replay *rp = ctx;
	const char *type = tj_str(doc, tj_get(doc, 0, "type"));
	int d = tj_get(doc, 0, "details"), groups, g;
	const char *set = tj_str(doc, tj_get(doc, d, "set"));
	struct replay_set *rs;
	int64_t gi, mi;
	uint32_t i;

	(void)ln;
	if (type == NULL || set == NULL || (rs = set_find(rp, set, 1)) == NULL)
		return 0;
	if (strcmp(type, "share.issued") == 0) {
		gi = tj_is(doc, tj_get(doc, d, "group"), TJ_INT) ? tj_int(doc, tj_get(doc, d, "group"))
								: 1;
		mi = tj_is(doc, tj_get(doc, d, "member"), TJ_INT)
			     ? tj_int(doc, tj_get(doc, d, "member")) : 0;
		if (gi >= 1 && gi <= 16 && mi >= 1 && mi <= 16) {
			if ((unsigned)gi > rs->groups)
				rs->groups = (unsigned)gi;
			if ((unsigned)mi > rs->members[gi - 1])
				rs->members[gi - 1] = (unsigned)mi;
		}
	} else if (strcmp(type, "quorum.met") == 0 &&
		   tj_is(doc, (groups = tj_get(doc, d, "groups")), TJ_ARR)) {
		TJ_ARR_EACH(doc, groups, i, g) {
			if (i >= 16 || !tj_is(doc, tj_get(doc, g, "count"), TJ_INT))
				break;
			rs->members[i] = (unsigned)tj_int(doc, tj_get(doc, g, "count"));
			rs->groups = i + 1;
		}
	}
	return 0;
}

/* "share M of N, group G of K, set XXXX": the one vocabulary for a share
 * (shares/ui/ui.h shares_ui_share_name), counts left out when unknown; a
 * transcript without groups has one. */
static void share_pos(struct replay *rp, int d)
{
	const char *set = S(rp, d, "set");
	const struct replay_set *rs = set_find(rp, set, 0);
	long long g = tj_is(rp->doc, tj_get(rp->doc, d, "group"), TJ_INT) ? INT(rp, d, "group") : 1;
	unsigned n = rs != NULL && g >= 1 && g <= 16 ? rs->members[g - 1] : 0;
	unsigned k = rs != NULL && rs->groups ? rs->groups : 1;

	esc_fprintf(rp->f, "share %lld", INT(rp, d, "member"));
	if (n)
		esc_fprintf(rp->f, " of %u", n);
	esc_fprintf(rp->f, ", group %lld of %u, set %s", g, k, set);
}

/* The layout of quorum.met: " (2 of the groups 3-of-5, 2-of-2)"; nothing
 * when it records none. */
static void met_layout(struct replay *rp, int d)
{
	int groups = tj_get(rp->doc, d, "groups"), g;
	uint32_t i;

	if (!tj_is(rp->doc, groups, TJ_ARR) ||
	    !tj_is(rp->doc, tj_get(rp->doc, d, "group_threshold"), TJ_INT))
		return;
	esc_fprintf(rp->f, ", %lld of the groups", INT(rp, d, "group_threshold"));
	if (NARR(rp, groups) > 0)
		TJ_ARR_EACH(rp->doc, groups, i, g)
			esc_fprintf(rp->f, "%s %lld-of-%lld", i ? "," : "", INT(rp, g, "threshold"),
				    INT(rp, g, "count"));
}

/* Shares issued, typed back, presented to a quorum. Returns 1 when told. */
static int replay_tell_shares(struct replay *rp, const struct replay_ev *e)
{
	FILE *f = rp->f;
	const char *type = e->type;
	int d = e->d;

	if (strcmp(type, "share.issued") == 0) {
		share_pos(rp, d);
		esc_fprintf(f, " issued to %s, commitment", S(rp, d, "holder"));
		words(rp, STR(rp, d, "commitment"));
	} else if (strcmp(type, "share.verified") == 0) {
		esc_fprintf(f, "%s typed ", S(rp, d, "holder"));
		share_pos(rp, d);
		esc_fprintf(f, " back: %s", S(rp, d, "result"));
	} else if (strcmp(type, "quorum.share") == 0) {
		int ok = TRUE_(rp, d, "accepted");

		esc_fprintf(f, "%s presents ", S(rp, d, "holder"));
		share_pos(rp, d);
		esc_fprintf(f, ": %s", ok ? "accepted" : "REFUSED");
		if (!ok && HAS(rp, d, "reason"))
			esc_fprintf(f, " (%s)", S(rp, d, "reason"));
	} else if (strcmp(type, "quorum.met") == 0) {
		int holders = tj_get(rp->doc, d, "holders"), h;
		uint32_t i;

		esc_fprintf(f, "quorum met for set %s (threshold %lld", S(rp, d, "set"),
			    INT(rp, d, "threshold"));
		met_layout(rp, d);
		fputs("):", f);
		if (NARR(rp, holders) > 0)
			TJ_ARR_EACH(rp->doc, holders, i, h)
				esc_fprintf(f, " %s",
					    tj_str(rp->doc, h) ? tj_str(rp->doc, h) : "?");
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
	int d = e->d;

	if (strcmp(type, "key.generated") == 0) {
		esc_fprintf(f, "key generated: %s, label %s, id %s, public key",
			    S(rp, d, "key_type"), S(rp, d, "label"), S(rp, d, "id"));
		words(rp, STR(rp, d, "public_key_sha256"));
	} else if (strcmp(type, "key.destroyed") == 0) {
		esc_fprintf(f, "key destroyed: label %s, id %s", S(rp, d, "label"), S(rp, d, "id"));
	} else if (strcmp(type, "cert.created") == 0 || strcmp(type, "csr.created") == 0 ||
		   strcmp(type, "crl.created") == 0 || strcmp(type, "output.written") == 0) {
		esc_fprintf(f, "%s %s, SHA-256 %s",
			    type[1] == 'e'   ? "certificate"
			    : type[1] == 's' ? "CSR"
			    : type[1] == 'r' ? "CRL"
					     : "output",
			    S(rp, d, "file"), S(rp, d, "sha256"));
		/* a certificate's fingerprint is its DER's, as read aloud */
		words(rp, HAS(rp, d, "der_sha256") ? STR(rp, d, "der_sha256") : STR(rp, d, "sha256"));
	} else if (strcmp(type, "config.changed") == 0) {
		esc_fprintf(f, "configuration changed: %s", S(rp, d, "what"));
	} else if (strcmp(type, "token.initialised") == 0) {
		esc_fprintf(f, "token initialised, label %s", S(rp, d, "label"));
	} else if (strcmp(type, "pin.changed") == 0) {
		esc_fprintf(f, "%s PIN changed", S(rp, d, "user"));
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
	int d = e->d;

	if (strcmp(type, "abort") == 0) {
		fputs("ABORTED by ", f);
		people(rp, e->per);
		esc_fprintf(f, ": %s", S(rp, d, "reason"));
	} else if (strcmp(type, "error") == 0) {
		esc_fprintf(f, "ERROR: %s", S(rp, d, "message"));
		if (HAS(rp, d, "ckr"))
			esc_fprintf(f, " (%s%s%s)",
				    HAS(rp, d, "function") ? S(rp, d, "function") : "",
				    HAS(rp, d, "function") ? ": " : "", S(rp, d, "ckr"));
	} else if (strcmp(type, "clock.held") == 0) {
		esc_fprintf(f, "the host clock went back (read %s); times held",
			    S(rp, d, "observed"));
	} else if (strcmp(type, "ceremony.end") == 0) {
		esc_fprintf(f, "ceremony ends: %s", S(rp, d, "status"));
	} else {
		return 0;
	}
	return 1;
}

static int replay_event(void *ctx, uint64_t ln, const struct tj_doc *doc)
{
	struct replay *rp = ctx;
	FILE *f = rp->f;
	const char *time_s;
	struct replay_ev e;
	int bad;

	rp->doc = doc;
	time_s = S(rp, 0, "time");
	e.type = S(rp, 0, "type");
	e.step = STR(rp, 0, "step");
	e.d = tj_get(doc, 0, "details");
	e.per = tj_get(doc, 0, "persons");
	e.wit = tj_get(doc, 0, "witnesses");
	bad = replay_event_bad(rp, &e);

	if (strcmp(e.type, "step.start") == 0)
		replay_step_banner(rp, &e);
	/* "2026-11-27T17:16:54.123456Z" shown as "2026-11-27 17:16:54Z" */
	esc_fprintf(f, "%5llu  %.10s %.8sZ  ", (unsigned long long)ln, time_s,
		strlen(time_s) >= 19 ? time_s + 11 : "");
	if (bad) {
		hi(rp, C_RED);
		fputs("!! ", f);
	}
	if (!replay_tell_frame(rp, &e) && !replay_tell_people(rp, &e) &&
	    !replay_tell_shares(rp, &e) && !replay_tell_objects(rp, &e) &&
	    !replay_tell_ending(rp, &e))
		esc_fprintf(f, "%s", e.type);
	if (bad)
		hi(rp, C_OFF);
	fputc('\n', f);
	return 0;
}

int replay_narrative(const char *path, FILE *f, int colour)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	int r;

	if (rp == NULL)
		return CE_ERR_NOMEM;
	rp->f = f;
	rp->colour = colour;
	r = verify_lines_each(path, replay_learn, rp);
	if (r == 0)
		r = verify_lines_each(path, replay_event, rp);
	free(rp);
	return r;
}

static void replay_help(FILE *f)
{
	esc_fprintf(f, "usage: ceremony replay TRANSCRIPT\n\n"
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
	memset(&rp, 0, sizeof(rp));
	rp.f = stdout;
	rp.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
		    (getenv("TERM") == NULL || strcmp(getenv("TERM"), "dumb") != 0);
	r = verify_transcript(path, &o, &rep);
	if (r < 0)
		return cli_fail(r);
	if (rep.verdict != VERIFY_OK)
		hi(&rp, C_RED);
	esc_fprintf(stdout, "%s: %s%s%s\n", path, verify_verdict_name(rep.verdict),
		    rep.reason[0] ? ": " : "", rep.reason);
	if (rep.verdict != VERIFY_OK)
		hi(&rp, C_OFF);
	if (rep.key_line)
		esc_fprintf(stdout, "transcript key fingerprint: %s\n", rep.key_words);
	if (rep.events > 0)
		printf("production: %s\n", verify_production_text(&rep));
	esc_fprintf(stdout, "proven: %s\n", rep.proof);
	printf("times are UTC\n\n");
	r = replay_narrative(path, stdout, rp.colour);
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
