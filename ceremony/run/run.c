/*
 * ceremony/run/run.c - `ceremony run`: the ceremony flow (ceremony/run/run.h) and the
 * services actions use.
 */
#include "ceremony/run/run_internal.h"

#include "ceremony/cli/cli.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/policy/lint.h"
#include "ceremony/version.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "pkcs11/x509/ossl.h"
#include "pkcs11/p11.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <p11-kit/p11-kit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const struct run_action run_actions[] = {
	{ "attendance", action_attendance },
	{ "checklist", action_checklist },
	{ "token.init", action_token_init },
	{ "quorum.login", action_quorum_login },
	{ "key.generate", action_key_generate },
	{ "key.export-public", action_key_export_public },
	{ "cert.self-sign", action_cert_self_sign },
	{ "fingerprint", action_fingerprint },
	{ "csr.create", action_csr_create },
	{ "cert.issue", action_cert_issue },
	{ "crl.sign", action_crl_sign },
	{ "key.backup", action_key_backup },
	{ "key.restore", action_key_restore },
	{ "shares.reshare", action_shares_reshare },
	{ "pin.rotate", action_pin_rotate },
	{ "key.destroy", action_key_destroy },
	{ "roster.change", action_roster_change },
	{ NULL, NULL }
};

const struct run_action *run_action_find(const char *name)
{
	size_t i;

	for (i = 0; run_actions[i].name != NULL; i++)
		if (strcmp(run_actions[i].name, name) == 0)
			return &run_actions[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

const struct script *run_script(const struct run_ctx *rc)
{
	return rc->s;
}

const struct roster *run_roster(const struct run_ctx *rc)
{
	return rc->r;
}

const struct roster_date *run_today(const struct run_ctx *rc)
{
	return &rc->today;
}

int run_is_rehearsal(const struct run_ctx *rc)
{
	return rc->opts->rehearsal;
}

const char *run_outdir(const struct run_ctx *rc)
{
	return rc->outdir;
}

const char *run_ceremony_id(const struct run_ctx *rc)
{
	return rc->ceremony_id;
}

const struct script_step *run_step(const struct run_ctx *rc)
{
	return rc->cur;
}

const struct run_seat *run_step_actors(const struct run_ctx *rc, size_t *n)
{
	*n = rc->nactors;
	return rc->actors;
}

const struct run_seat *run_step_witnesses(const struct run_ctx *rc, size_t *n)
{
	*n = rc->nwits;
	return rc->wits;
}

size_t run_step_actors_in(const struct run_ctx *rc, enum role role, const struct run_seat **out,
			  size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < rc->nactors; i++)
		if (rc->actors[i].role == role) {
			if (n < max)
				out[n] = &rc->actors[i];
			n++;
		}
	return n;
}

const struct run_seat *run_attendance(const struct run_ctx *rc, size_t *n)
{
	*n = rc->natt;
	return rc->att;
}

int run_seat_retire(struct run_ctx *rc, const struct roster_person *person, enum role role)
{
	size_t i;

	for (i = 0; i < rc->natt; i++)
		if (rc->att[i].person == person && rc->att[i].role == role) {
			memmove(&rc->att[i], &rc->att[i + 1], (rc->natt - i - 1) * sizeof(rc->att[0]));
			rc->natt--;
			return 1;
		}
	return 0;
}

json_t *run_seat_json(const struct run_seat *s)
{
	const char *roles[2] = { role_name(s->role), NULL };

	return transcript_person(s->person->id, s->person->name, roles);
}

static json_t *seats_json(const struct run_seat *seats, size_t n)
{
	json_t *a = json_array(), *p;
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		p = run_seat_json(&seats[i]);
		if (p == NULL || json_array_append_new(a, p) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *run_actors_json(const struct run_ctx *rc)
{
	return seats_json(rc->actors, rc->nactors);
}

json_t *run_witnesses_json(const struct run_ctx *rc)
{
	return seats_json(rc->wits, rc->nwits);
}

/* The operator with the roles they are seated in (none before attendance). */
json_t *run_operator_json(const struct run_ctx *rc)
{
	const char *roles[ROLE_COUNT + 1];
	json_t *a = json_array(), *p;
	size_t i, n = 0;

	if (a == NULL || rc->operator == NULL)
		return a;
	for (i = 0; i < rc->natt && n < ROLE_COUNT; i++)
		if (rc->att[i].person == rc->operator)
			roles[n++] = role_name(rc->att[i].role);
	roles[n] = NULL;
	p = transcript_person(rc->operator->id, rc->operator->name, roles);
	if (p == NULL || json_array_append_new(a, p) != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* Console                                                             */

void run_say(struct run_ctx *rc, const char *fmt, ...)
{
	va_list ap;
	char line[2048];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_say(rc->con, "%s", line);
}

int run_ask(struct run_ctx *rc, const char *key, const char *prompt, char *out, size_t cap)
{
	return console_ask(rc->con, key, prompt, out, cap);
}

int run_confirm(struct run_ctx *rc, const char *key, const char *prompt, const char *word)
{
	char ans[RUN_ANSWER_MAX];
	int r, tries;

	for (tries = 0; tries < 3; tries++) {
		r = console_ask(rc->con, key, prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		if (strcmp(ans, word) == 0)
			return 0;
		console_say(rc->con, "  '%s' is not '%s'.", ans, word);
	}
	return ce_err_set(CE_ERR_INVALID, "[%s]: expected '%s' three times, got '%s'", key, word,
			  ans);
}

void run_progress_begin(struct run_ctx *rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_progress_begin(rc->con, fmt, ap);
	va_end(ap);
}

void run_progress_end(struct run_ctx *rc, int r)
{
	console_progress_end(rc->con, r);
}

/* ------------------------------------------------------------------ */
/* Transcript                                                          */

static int event_at(struct run_ctx *rc, const char *type, const char *step, json_t *persons,
		    json_t *witnesses, json_t *details)
{
	return transcript_append(rc->t, type, step, persons, witnesses, details);
}

int run_event(struct run_ctx *rc, const char *type, json_t *persons, json_t *witnesses,
	      json_t *details)
{
	return event_at(rc, type, rc->cur != NULL ? rc->cur->id : NULL, persons, witnesses,
			details);
}

int run_step_detail(struct run_ctx *rc, const char *key, json_t *value)
{
	if (rc->cur == NULL || rc->step_details == NULL)
		return ce_err_set(CE_ERR_STATE, "run_step_detail outside a step");
	if (json_object_set(rc->step_details, key, value) != 0)
		return CE_ERR_NOMEM;
	return 0;
}

int run_summary_add(struct run_ctx *rc, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	struct run_summary *n;
	int k;

	va_start(ap, fmt);
	k = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (k < 0)
		return CE_ERR_NOMEM;
	n = realloc(rc->sum, (rc->nsum + 1) * sizeof(*n));
	if (n == NULL) {
		free(line);
		return CE_ERR_NOMEM;
	}
	rc->sum = n;
	rc->sum[rc->nsum++].line = line;
	return 0;
}

int run_summary_key(struct run_ctx *rc, const char *token, const char *label, const char *id_hex,
		    const uint8_t spki_sha256[32])
{
	char words[FINGERPRINT_WORDS_MAX_LEN];
	int r;

	r = ceremony_fingerprint_words(spki_sha256, words, sizeof(words));
	if (r < 0)
		return r;
	return run_summary_add(rc, "key   %s on '%s' (id %s): %s", label, token, id_hex, words);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static int join(const char *dir, const char *rel, char **out)
{
	if (rel[0] == '/')
		*out = strdup(rel);
	else if (asprintf(out, "%s/%s", dir, rel) < 0)
		*out = NULL;
	return *out == NULL ? CE_ERR_NOMEM : 0;
}

int run_output_path(struct run_ctx *rc, const char *rel, char **out)
{
	struct stat sb;
	char *p = NULL;
	int r;

	*out = NULL;
	r = join(rc->outdir, rel, &p);
	if (r < 0)
		return r;
	if (lstat(p, &sb) == 0) {
		r = ce_err_set(CE_ERR_EXISTS, "%s: already exists; outputs are never overwritten", p);
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

int run_input_path(struct run_ctx *rc, const char *rel, char **out)
{
	struct stat sb;
	char *p = NULL;
	int r;

	*out = NULL;
	r = join(rc->outdir, rel, &p);
	if (r < 0)
		return r;
	if (stat(p, &sb) != 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "%s: %s", p, strerror(errno));
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

int run_output_record(struct run_ctx *rc, const char *path)
{
	uint8_t h[32];
	uint64_t size = 0;
	char hex[65], words[FINGERPRINT_WORDS_MAX_LEN];
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL;

	r = transcript_file_sha256(path, h, &size);
	if (r < 0)
		goto out;
	hex_encode(h, 32, hex);
	d = json_pack("{s:s, s:s, s:I}", "file", base_name(path), "sha256", hex, "size",
		      (json_int_t)size);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "output.written", NULL, NULL, d);
	if (r < 0)
		goto out;
	r = ceremony_fingerprint_words(h, words, sizeof(words));
	if (r < 0)
		goto out;
	r = run_summary_add(rc, "file  %s: %s", path, words);
out:
	json_decref(d);
	return r;
}

/* ------------------------------------------------------------------ */
/* Tokens                                                              */

struct p11_ctx *run_p11(struct run_ctx *rc)
{
	return rc->p11;
}

static struct run_token_state *tok_state(struct run_ctx *rc, const char *name)
{
	size_t i;

	for (i = 0; i < rc->s->ntokens; i++)
		if (strcmp(rc->s->tokens[i].name, name) == 0)
			return &rc->toks[i];
	ce_err_set(CE_ERR_NOT_FOUND, "no token '%s' in the script's tokens", name);
	return NULL;
}

int run_token(struct run_ctx *rc, const char *name, struct p11_token **out)
{
	struct run_token_state *ts = tok_state(rc, name);
	int r;

	if (ts == NULL)
		return CE_ERR_NOT_FOUND;
	if (ts->tok == NULL) {
		r = p11_token_find(rc->p11, ts->spec->uri, &ts->tok);
		if (r < 0)
			return ce_err_prefix(r, "token '%s' (%s)", name, ts->spec->uri);
	}
	*out = ts->tok;
	return 0;
}

static void tok_release(struct run_token_state *ts)
{
	json_decref(ts->login_persons);
	ts->login_persons = NULL;
	p11_ossl_close(ts->ossl);
	ts->ossl = NULL;
	p11_session_close(ts->sess);
	ts->sess = NULL;
	ts->logged_in = 0;
	p11_token_free(ts->tok);
	ts->tok = NULL;
}

int run_token_adopt(struct run_ctx *rc, const char *name, struct p11_token *tok)
{
	struct run_token_state *ts = tok_state(rc, name);

	if (ts == NULL) {
		p11_token_free(tok);
		return CE_ERR_NOT_FOUND;
	}
	tok_release(ts);
	ts->tok = tok;
	return 0;
}

static json_t *token_person_list(struct run_ctx *rc)
{
	return run_actors_json(rc);
}

static int transcript_key_make(struct run_ctx *rc, size_t ti);

int run_token_login(struct run_ctx *rc, const char *name, enum p11_user user, const char *pin,
		    size_t pin_len)
{
	struct run_token_state *ts;
	struct p11_token *tok;
	json_t *d = NULL, *persons = NULL;
	const char *uname = user == P11_USER_SO ? "so" : "user";
	const struct p11_failure *cur;
	struct p11_failure fail = { 0 };
	int have_fail = 0;
	char detail[512];
	int r = CE_ERR_INTERNAL, e;

	r = run_token(rc, name, &tok);
	if (r < 0)
		goto out;
	ts = tok_state(rc, name);
	if (ts->sess == NULL) {
		r = p11_session_open(tok, &ts->sess);
		if (r < 0)
			goto out;
	}
	persons = token_person_list(rc);
	if (persons == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = p11_session_login(ts->sess, user, pin, pin_len);
	if (r < 0) {
		/* Kept before the event is written: writing may set a new detail. */
		snprintf(detail, sizeof(detail), "%s", ce_err_detail());
		cur = p11_failure_current();
		if (cur != NULL) {
			fail = *cur;
			have_fail = 1;
		}
		d = json_pack("{s:s, s:s, s:s}", "user", uname, "ckr",
			      have_fail ? fail.ckr : "unknown", "token", name);
		if (d == NULL || (e = run_event(rc, "login.failed", persons, NULL, d)) < 0) {
			r = d == NULL ? CE_ERR_NOMEM : e;
			goto out;
		}
		r = ce_err_set(r, "%s", detail);
		if (have_fail)
			p11_failure_record(fail.rv, fail.function, fail.what);
		goto out;
	}
	ts->logged_in = 1;
	ts->login_user = user;
	json_decref(ts->login_persons);
	ts->login_persons = json_incref(persons);
	d = json_pack("{s:s, s:s}", "user", uname, "token", name);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "login", persons, NULL, d);
	if (r < 0)
		goto out;
	run_say(rc, "Logged in to '%s' as %s.", name, uname);
	if (user == P11_USER_NORMAL && !rc->tkey) {
		r = transcript_key_make(rc, (size_t)(ts - rc->toks));
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	json_decref(d);
	json_decref(persons);
	return r;
}

int run_session(struct run_ctx *rc, const char *name, struct p11_session **out)
{
	struct run_token_state *ts = tok_state(rc, name);

	if (ts == NULL)
		return CE_ERR_NOT_FOUND;
	if (ts->sess == NULL || !ts->logged_in)
		return ce_err_set(CE_ERR_STATE, "token '%s' is not logged in (a quorum.login step "
						"must come first)", name);
	*out = ts->sess;
	return 0;
}

int run_ossl(struct run_ctx *rc, const char *name, struct p11_ossl **out)
{
	struct run_token_state *ts = tok_state(rc, name);
	const struct p11_module *m;
	int r;

	if (ts == NULL)
		return CE_ERR_NOT_FOUND;
	if (ts->sess == NULL || !ts->logged_in)
		return ce_err_set(CE_ERR_STATE, "token '%s' is not logged in", name);
	if (ts->ossl == NULL) {
		m = p11_token_module(ts->tok);
		r = p11_ossl_open(p11_module_path(m), p11_module_init_args(m), &ts->ossl);
		if (r < 0)
			return r;
	}
	*out = ts->ossl;
	return 0;
}

static int key_uri(struct run_ctx *rc, const char *name, const char *label, const char *type,
		   char **out)
{
	struct p11_token *tok;
	char enc[3 * P11_LABEL_MAX_BYTES + 1];
	size_t i, n = 0;
	int r;

	r = run_token(rc, name, &tok);
	if (r < 0)
		return r;
	if (strlen(label) > P11_LABEL_MAX_BYTES)
		return ce_err_set(CE_ERR_INVALID, "key label '%s' too long", label);
	for (i = 0; label[i]; i++) {
		unsigned char c = (unsigned char)label[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			enc[n++] = (char)c;
		else
			n += (size_t)snprintf(enc + n, 4, "%%%02X", c);
	}
	enc[n] = '\0';
	if (asprintf(out, "%s;object=%s%s%s", p11_token_uri(tok), enc, type ? ";type=" : "",
		     type ? type : "") < 0)
		return CE_ERR_NOMEM;
	return 0;
}

int run_key_find(struct run_ctx *rc, const char *name, const char *label, struct p11_key **out)
{
	struct p11_session *s = NULL;
	char *uri = NULL;
	int r;

	r = run_session(rc, name, &s);
	if (r < 0)
		return r;
	r = key_uri(rc, name, label, NULL, &uri);
	if (r < 0)
		return r;
	r = p11_key_find(s, uri, out);
	if (r < 0)
		r = ce_err_prefix(r, "key '%s' on token '%s'", label, name);
	free(uri);
	return r;
}

int run_key_load(struct run_ctx *rc, const char *name, const char *label,
		 struct p11_ossl_key *out, struct p11_key **key_out)
{
	struct p11_ossl *o;
	struct p11_key *k = NULL;
	EVP_PKEY *expect = NULL;
	char *uri = NULL;
	int r = CE_ERR_INTERNAL;

	if (key_out != NULL)
		*key_out = NULL;
	r = run_ossl(rc, name, &o);
	if (r < 0)
		goto out;
	r = run_key_find(rc, name, label, &k);
	if (r < 0)
		goto out;
	r = p11_key_public_evp(k, &expect);
	if (r < 0)
		goto out;
	r = key_uri(rc, name, label, NULL, &uri);
	if (r < 0)
		goto out;
	r = p11_ossl_key_load(o, uri, expect, out);
	if (r == CE_ERR_NOT_FOUND) {
		/* the provider does not share our login (remote module) */
		ce_err_clear();
		r = p11_ossl_key_from_p11(o, k, out);
		if (r == 0 && key_out == NULL) {
			p11_ossl_key_free(out);
			r = ce_err_set(CE_ERR_UNSUPPORTED,
				       "OpenSSL's provider does not see the login on '%s'", name);
		}
	}
	if (r < 0)
		goto out;
	if (key_out != NULL) {
		*key_out = k;
		k = NULL; /* transferred */
	}
	r = 0;
out:
	EVP_PKEY_free(expect);
	free(uri);
	p11_key_free(k);
	return r;
}

/* ------------------------------------------------------------------ */
/* Transcript key                                                      */

/* Show the transcript key's words; each witness of the current step writes
 * them on the paper log and confirms. */
static int tkey_words_confirm(struct run_ctx *rc)
{
	char key[CONSOLE_KEY_MAX], prompt[256];
	size_t i;
	int r;

	run_say(rc, "%s", "");
	run_say(rc, "Transcript key fingerprint (write it on the paper log):");
	run_say(rc, "    %s", rc->tkey_words);
	run_say(rc, "%s", "");
	for (i = 0; i < rc->nwits; i++) {
		snprintf(key, sizeof(key), "transcript-key.%s", rc->wits[i].person->id);
		snprintf(prompt, sizeof(prompt),
			 "%s, write the transcript key's words on the paper log, then type \"confirm\":",
			 rc->wits[i].person->name);
		r = run_confirm(rc, key, prompt, "confirm");
		if (r < 0)
			return r;
	}
	return 0;
}

/* A ceremony that never logs in to a token signs its transcript with an
 * EPHEMERAL SOFTWARE key: EC P-256 made by OpenSSL right after
 * ceremony.start, its private part in OpenSSL's secure heap (mlock'ed, wiped
 * on free) when the heap can be set up, never written anywhere, freed right
 * after signing. Announced by transcript.key (key_store "software"); the
 * attendance step's witnesses confirm its words (tkey_confirm_due). */
static int transcript_key_soft_make(struct run_ctx *rc)
{
	json_t *d = NULL;
	int r = CE_ERR_INTERNAL, h = 0;

	if (!CRYPTO_secure_malloc_initialized())
		h = CRYPTO_secure_malloc_init(32768, 16);
	rc->tkey_soft = EVP_EC_gen("P-256");
	if (rc->tkey_soft == NULL) {
		r = ce_err_set(CE_ERR_CRYPTO, "generating the software transcript key (EC P-256)");
		goto out;
	}
	/* locked only if the heap was set up with mlock and the key lives in it */
	rc->tkey_soft_locked = h == 1 && CRYPTO_secure_used() > 0;
	rc->tkey = 1;
	r = transcript_key_details(rc->tkey_soft, 1, &d);
	if (r < 0)
		goto out;
	if (json_object_set_new(d, "key_store", json_string("software")) != 0 ||
	    json_object_set_new(d, "locked_memory", json_boolean(rc->tkey_soft_locked)) != 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "transcript.key", NULL, NULL, d);
	if (r < 0)
		goto out;
	snprintf(rc->tkey_words, sizeof(rc->tkey_words), "%s",
		 json_string_value(json_object_get(d, "fingerprint")));
	run_say(rc, "This ceremony logs in to no token: its transcript is signed by an ephemeral "
		    "software key (EC P-256, %s memory, never written, destroyed after signing).",
		rc->tkey_soft_locked ? "locked" : "process");
	run_say(rc, "Its words are confirmed by the witnesses of the attendance step.");
	rc->tkey_confirm_due = 1;
	r = 0;
out:
	json_decref(d);
	return r;
}

static int transcript_key_make(struct run_ctx *rc, size_t ti)
{
	struct run_token_state *ts = &rc->toks[ti];
	struct p11_keygen kg;
	struct p11_key *k = NULL;
	EVP_PKEY *pub = NULL;
	json_t *d = NULL, *wits = NULL;
	uint8_t id[8];
	size_t idl = 0;
	char *uri = NULL;
	int r = CE_ERR_INTERNAL;

	memset(&kg, 0, sizeof(kg));
	kg.type = P11_KEY_EC_P256;
	if (p11_token_supports(ts->tok, kg.type) < 0) {
		ce_err_clear();
		kg.type = P11_KEY_RSA_2048;
	}
	snprintf(rc->tkey_label, sizeof(rc->tkey_label), "ceremony-transcript-%.8s",
		 rc->ceremony_id);
	r = hex_decode(rc->ceremony_id, 16, id, sizeof(id), &idl);
	if (r < 0)
		goto out;
	kg.label = rc->tkey_label;
	kg.id = id;
	kg.id_len = idl;
	kg.extractable = 0;
	run_progress_begin(rc, "generating the transcript key (%s) on '%s'",
			   p11_key_type_name(kg.type), ts->spec->name);
	r = p11_key_generate(ts->sess, &kg, &k);
	run_progress_end(rc, r);
	if (r < 0)
		goto out;
	rc->tkey = 1;
	rc->tkey_tok = ti;
	r = p11_key_public_evp(k, &pub);
	if (r < 0)
		goto out;
	r = transcript_key_details(pub, 1, &d);
	if (r < 0)
		goto out;
	r = key_uri(rc, ts->spec->name, rc->tkey_label, NULL, &uri);
	if (r < 0)
		goto out;
	if (json_object_set_new(d, "uri", json_string(uri)) != 0 ||
	    json_object_set_new(d, "key_store", json_string("token")) != 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	wits = run_witnesses_json(rc);
	if (wits == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "transcript.key", NULL, wits, d);
	if (r < 0)
		goto out;
	snprintf(rc->tkey_words, sizeof(rc->tkey_words), "%s",
		 json_string_value(json_object_get(d, "fingerprint")));
	r = tkey_words_confirm(rc);
out:
	free(uri);
	EVP_PKEY_free(pub);
	json_decref(d);
	json_decref(wits);
	p11_key_free(k);
	return r;
}

/* Sign the closed transcript with the transcript key, then destroy the key.
 * Prints what it did; returns 0 or the error (the transcript stays valid
 * and unsigned). */
static int transcript_key_soft_sign(struct run_ctx *rc)
{
	X509 *cert = NULL;
	char *sig = NULL;
	int r = CE_ERR_INTERNAL;

	r = transcript_signer_cert_create(rc->tkey_soft, rc->ceremony_id, &cert);
	if (r < 0)
		goto out;
	r = transcript_sign(rc->t, rc->tkey_soft, cert);
	if (r < 0)
		goto out;
	sig = transcript_sig_path(transcript_path(rc->t));
	console_say(rc->con, "Transcript signed: %s", sig != NULL ? sig : "");
	r = 0;
out:
	X509_free(cert);
	free(sig);
	/* Destroyed in every case (the private key is wiped as it is freed). */
	EVP_PKEY_free(rc->tkey_soft);
	rc->tkey_soft = NULL;
	console_say(rc->con, "Transcript key (software) destroyed.");
	return r;
}

static int transcript_key_sign(struct run_ctx *rc)
{
	struct run_token_state *ts = &rc->toks[rc->tkey_tok];
	struct p11_ossl_key k = { 0 };
	struct p11_key *pk = NULL;
	X509 *cert = NULL;
	char *uri = NULL;
	int r = CE_ERR_INTERNAL, e;
	char *sig = NULL;

	if (rc->tkey_soft != NULL)
		return transcript_key_soft_sign(rc);
	r = run_key_load(rc, ts->spec->name, rc->tkey_label, &k, &pk);
	if (r < 0)
		goto out;
	if (k.priv == NULL) {
		r = ce_err_set(CE_ERR_UNSUPPORTED,
			       "the transcript key cannot be used through OpenSSL on this module");
		goto out;
	}
	r = transcript_signer_cert_create(k.priv, rc->ceremony_id, &cert);
	if (r < 0)
		goto out;
	r = transcript_sign(rc->t, k.priv, cert);
	if (r < 0)
		goto out;
	sig = transcript_sig_path(transcript_path(rc->t));
	console_say(rc->con, "Transcript signed: %s", sig != NULL ? sig : "");
	r = 0;
out:
	p11_ossl_key_free(&k);
	p11_key_free(pk);
	X509_free(cert);
	free(sig);
	/* Destroyed in every case: no later transcript can be signed with it. */
	if (ts->sess != NULL && ts->logged_in) {
		if (key_uri(rc, ts->spec->name, rc->tkey_label, "private", &uri) == 0) {
			e = p11_object_destroy(ts->sess, uri);
			free(uri);
			uri = NULL;
			if (e == 0 &&
			    key_uri(rc, ts->spec->name, rc->tkey_label, "public", &uri) == 0) {
				e = p11_object_destroy(ts->sess, uri);
				free(uri);
			}
			if (e == 0)
				console_say(rc->con, "Transcript key destroyed on '%s'.",
					    ts->spec->name);
			else
				console_say(rc->con, "WARNING: the transcript key '%s' could not be "
						     "destroyed: %s", rc->tkey_label, ce_err_detail());
		}
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* Attendance                                                          */

static const struct run_seat *seat_find(const struct run_ctx *rc, const char *id, enum role ro)
{
	size_t i;

	for (i = 0; i < rc->natt; i++)
		if (rc->att[i].role == ro && strcmp(rc->att[i].person->id, id) == 0)
			return &rc->att[i];
	return NULL;
}

static void diag_show(struct run_ctx *rc, const struct diag *d)
{
	char line[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], line, sizeof(line));
		console_say(rc->con, "  %s", line);
	}
}

/* The roster's persons granted role, for the seat prompt. */
static void role_candidates(const struct run_ctx *rc, enum role ro, char *buf, size_t cap)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < rc->r->npeople && len + 1 < cap; i++)
		if (rc->r->people[i].roles & ROLE_BIT(ro))
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
						rc->r->people[i].id);
	if (len >= cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

static int persons_seat(struct run_ctx *rc)
{
	struct policy_seat ps[RUN_MAX_SEATS];
	struct diag d;
	char key[CONSOLE_KEY_MAX], prompt[512], ans[RUN_ANSWER_MAX], cands[256];
	const struct roster_person *p;
	unsigned ro, i;
	size_t k;
	int r = CE_ERR_INTERNAL;

	diag_init(&d);
	for (;;) {
		rc->natt = 0;
		console_say(rc->con, "Attendance: the operator seats a person in every role slot.");
		for (ro = 0; ro < ROLE_COUNT; ro++)
			for (i = 1; i <= rc->s->roles[ro]; i++) {
				if (rc->natt == RUN_MAX_SEATS) {
					r = ce_err_set(CE_ERR_TOO_LARGE, "more than %d seats", RUN_MAX_SEATS);
					goto out;
				}
				snprintf(key, sizeof(key), "seat.%s.%u", role_name((enum role)ro), i);
				role_candidates(rc, (enum role)ro, cands, sizeof(cands));
				snprintf(prompt, sizeof(prompt), "%s %u of %u - id? (%s)",
					 role_name((enum role)ro), i, rc->s->roles[ro], cands);
				for (;;) {
					r = run_ask(rc, key, prompt, ans, sizeof(ans));
					if (r < 0)
						goto out;
					p = roster_person_find(rc->r, ans);
					if (p != NULL)
						break;
					console_say(rc->con, "  '%s' is not in the roster %s.", ans,
						    rc->r->path);
					if (console_is_scripted(rc->con)) {
						r = ce_err_set(CE_ERR_NOT_FOUND,
							       "[%s]: '%s' is not in the roster %s", key,
							       ans, rc->r->path);
						goto out;
					}
				}
				rc->att[rc->natt].person = p;
				rc->att[rc->natt].role = (enum role)ro;
				rc->natt++;
			}
		for (k = 0; k < rc->natt; k++) {
			ps[k].person = rc->att[k].person;
			ps[k].person_id = rc->att[k].person->id;
			ps[k].role = rc->att[k].role;
		}
		diag_free(&d);
		diag_init(&d);
		/* policy 4.2.3, 4.2.4, 4.3.2, 4.3.4, 5.2.1 on the real persons */
		r = policy_check_attendance(rc->s, rc->r, &rc->today, ps, rc->natt, &d);
		if (r == 0)
			break;
		if (r != CE_ERR_POLICY)
			goto out;
		console_say(rc->con, "These persons cannot hold these seats:");
		diag_show(rc, &d);
		if (console_is_scripted(rc->con)) {
			/* an answer file does not change its mind: refuse */
			r = ce_err_set(CE_ERR_POLICY, "attendance refused: %s",
				       d.n ? d.items[0].msg : "policy");
			goto out;
		}
		console_say(rc->con, "Seat the persons again (or type abort).");
	}
	/* Each person confirms presence, once per person. */
	for (k = 0; k < rc->natt; k++) {
		size_t j;
		int first = 1;

		for (j = 0; j < k; j++)
			if (rc->att[j].person == rc->att[k].person)
				first = 0;
		if (!first)
			continue;
		snprintf(key, sizeof(key), "present.%s", rc->att[k].person->id);
		snprintf(prompt, sizeof(prompt), "%s: type your id to confirm you are present:",
			 rc->att[k].person->name);
		r = run_confirm(rc, key, prompt, rc->att[k].person->id);
		if (r < 0)
			goto out;
	}
	/* Recorded before the attendance step starts, so the persons present are
	 * not counted among its actors. */
	for (k = 0; k < rc->natt; k++) {
		json_t *persons = json_array(), *d1 = NULL;
		size_t j;
		int first = 1;

		for (j = 0; j < k; j++)
			if (rc->att[j].person == rc->att[k].person)
				first = 0;
		if (persons == NULL || json_array_append_new(persons, run_seat_json(&rc->att[k])) != 0)
			r = CE_ERR_NOMEM;
		else if (first && (d1 = json_pack("{s:s}", "status", "present")) == NULL)
			r = CE_ERR_NOMEM;
		else if (first)
			r = event_at(rc, "attendance", NULL, persons, NULL, d1);
		else
			r = 0;
		json_decref(d1);
		d1 = NULL;
		if (r == 0 && (d1 = json_pack("{s:s}", "role", role_name(rc->att[k].role))) == NULL)
			r = CE_ERR_NOMEM;
		if (r == 0)
			r = event_at(rc, "role.assign", NULL, persons, NULL, d1);
		json_decref(d1);
		json_decref(persons);
		if (r < 0)
			goto out;
	}
	rc->seated = 1;
	r = 0;
out:
	diag_free(&d);
	return r;
}

/* ------------------------------------------------------------------ */
/* Actors and witnesses of a step                                      */

static size_t seated_in(const struct run_ctx *rc, enum role ro)
{
	size_t i, n = 0;

	for (i = 0; i < rc->natt; i++)
		if (rc->att[i].role == ro)
			n++;
	return n;
}

/* Fill one side (actors or witnesses) of the step. */
static int choose_side(struct run_ctx *rc, const struct script_step *st, int witness, int force)
{
	const unsigned *need = witness ? st->witnesses : st->actors;
	struct run_seat *out = witness ? rc->wits : rc->actors;
	size_t *n = witness ? &rc->nwits : &rc->nactors;
	char key[CONSOLE_KEY_MAX], prompt[512], ans[RUN_ANSWER_MAX], list[256];
	const struct run_seat *seat;
	unsigned ro, i;
	size_t k, len;
	int r;

	*n = 0;
	for (ro = 0; ro < ROLE_COUNT; ro++) {
		if (need[ro] == 0)
			continue;
		if (!force && seated_in(rc, (enum role)ro) == need[ro]) {
			for (k = 0; k < rc->natt; k++)
				if (rc->att[k].role == (enum role)ro)
					out[(*n)++] = rc->att[k];
			continue;
		}
		len = 0;
		list[0] = '\0';
		for (k = 0; k < rc->natt && len + 1 < sizeof(list); k++)
			if (rc->att[k].role == (enum role)ro)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							len ? ", " : "", rc->att[k].person->id);
		for (i = 1; i <= need[ro]; i++) {
			snprintf(key, sizeof(key), "%s.%s.%s.%u", witness ? "witness-of" : "actor-of",
				 st->id, role_name((enum role)ro), i);
			snprintf(prompt, sizeof(prompt), "Who %s step %s as %s (%u of %u)? id (%s):",
				 witness ? "witnesses" : "acts in", st->id, role_name((enum role)ro), i,
				 need[ro], list);
			for (;;) {
				r = run_ask(rc, key, prompt, ans, sizeof(ans));
				if (r < 0)
					return r;
				seat = seat_find(rc, ans, (enum role)ro);
				if (seat != NULL)
					break;
				console_say(rc->con, "  '%s' is not seated as %s.", ans,
					    role_name((enum role)ro));
				if (console_is_scripted(rc->con))
					return ce_err_set(CE_ERR_POLICY, "[%s]: '%s' is not seated as %s",
							  key, ans, role_name((enum role)ro));
			}
			out[(*n)++] = *seat;
		}
	}
	return 0;
}

static int choose_people(struct run_ctx *rc, const struct script_step *st)
{
	struct policy_seat att[RUN_MAX_SEATS], ac[RUN_MAX_SEATS], wi[RUN_MAX_SEATS];
	struct diag d;
	size_t k;
	int r = CE_ERR_INTERNAL, force = 0;

	diag_init(&d);
	for (;;) {
		r = choose_side(rc, st, 0, force);
		if (r < 0)
			goto out;
		r = choose_side(rc, st, 1, force);
		if (r < 0)
			goto out;
		for (k = 0; k < rc->natt; k++) {
			att[k].person = rc->att[k].person;
			att[k].person_id = rc->att[k].person->id;
			att[k].role = rc->att[k].role;
		}
		for (k = 0; k < rc->nactors; k++) {
			ac[k].person = rc->actors[k].person;
			ac[k].person_id = rc->actors[k].person->id;
			ac[k].role = rc->actors[k].role;
		}
		for (k = 0; k < rc->nwits; k++) {
			wi[k].person = rc->wits[k].person;
			wi[k].person_id = rc->wits[k].person->id;
			wi[k].role = rc->wits[k].role;
		}
		diag_free(&d);
		diag_init(&d);
		/* policy 4.2.3, 5.2.1: seated roles, distinct actors, no actor witnessing */
		r = policy_check_step(st, att, rc->natt, ac, rc->nactors, wi, rc->nwits, &d);
		if (r == 0)
			break;
		if (r != CE_ERR_POLICY)
			goto out;
		console_say(rc->con, "Step %s cannot go on with these persons:", st->id);
		diag_show(rc, &d);
		if (console_is_scripted(rc->con) && force) {
			r = ce_err_set(CE_ERR_POLICY, "step %s refused: %s", st->id,
				       d.n ? d.items[0].msg : "policy");
			goto out;
		}
		console_say(rc->con, "Choose the actors and witnesses of step %s again.", st->id);
		force = 1;
	}
	r = 0;
out:
	diag_free(&d);
	return r;
}

static void announce(struct run_ctx *rc, const struct script_step *st)
{
	char line[2048];
	size_t i, len;

	len = (size_t)snprintf(line, sizeof(line), "Step %zu/%zu [%s] %s - acting: ", st->index + 1,
			       rc->s->nsteps, st->id, st->title);
	for (i = 0; i < rc->nactors && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s (%s)", i ? ", " : "",
					rc->actors[i].person->name, role_name(rc->actors[i].role));
	if (len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len, "; witnessing: ");
	for (i = 0; i < rc->nwits && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s (%s)", i ? ", " : "",
					rc->wits[i].person->name, role_name(rc->wits[i].role));
	console_say(rc->con, "%s", "");
	console_say(rc->con, "%s", line);
	if (st->note != NULL)
		console_say(rc->con, "  Note: %s", st->note);
}

static int witnesses_confirm(struct run_ctx *rc, const struct script_step *st)
{
	char key[CONSOLE_KEY_MAX], prompt[512];
	json_t *actors = NULL, *w = NULL;
	size_t i;
	int r = CE_ERR_INTERNAL;

	actors = run_actors_json(rc);
	if (actors == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < rc->nwits; i++) {
		snprintf(key, sizeof(key), "witness.%s.%s", st->id, rc->wits[i].person->id);
		snprintf(prompt, sizeof(prompt), "%s, witness of step %s: type \"confirm\":",
			 rc->wits[i].person->name, st->id);
		r = run_confirm(rc, key, prompt, "confirm");
		if (r < 0)
			goto out;
		w = json_array();
		if (w == NULL || json_array_append_new(w, run_seat_json(&rc->wits[i])) != 0) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		r = run_event(rc, "witness.confirm", actors, w, NULL);
		if (r < 0)
			goto out;
		json_decref(w);
		w = NULL;
	}
	r = 0;
out:
	json_decref(actors);
	json_decref(w);
	return r;
}

/* ------------------------------------------------------------------ */
/* The flow                                                            */

/* p11-kit has no runtime version call: the version of the headers this
 * binary was built with (mk/runner.mk). */
#if defined(P11_KIT_VERSION_MAJOR) && defined(P11_KIT_VERSION_MINOR) && \
	defined(P11_KIT_VERSION_MICRO)
#define RUN_STR2(x) #x
#define RUN_STR(x) RUN_STR2(x)
#define RUN_P11KIT_VERSION                                                            \
	RUN_STR(P11_KIT_VERSION_MAJOR) "." RUN_STR(P11_KIT_VERSION_MINOR) "." RUN_STR( \
		P11_KIT_VERSION_MICRO)
#elif defined(CE_P11KIT_BUILD_VERSION)
#define RUN_P11KIT_VERSION CE_P11KIT_BUILD_VERSION
#else
#define RUN_P11KIT_VERSION "unknown"
#endif

/* The Debian package version of the package that owns `file`, from dpkg's
 * own records (/var/lib/dpkg/info/PKG:ARCH.list, /var/lib/dpkg/status).
 * 0 and out filled, or -1 (not a dpkg system, not owned, not installed). */
static int dpkg_version_of(const char *pkg, const char *file, char *out, size_t cap)
{
	static const char *const suffixes[] = { ":amd64.list", ":arm64.list", ".list", NULL };
	char path[PATH_MAX], line[1024], cur[128] = "", ver[128] = "";
	FILE *f = NULL;
	size_t i, n;
	int owned = 0, installed = 0, found = 0;

	for (i = 0; suffixes[i] != NULL && !owned; i++) {
		snprintf(path, sizeof(path), "/var/lib/dpkg/info/%s%s", pkg, suffixes[i]);
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			n = strcspn(line, "\n");
			line[n] = '\0';
			if (strcmp(line, file) == 0)
				owned = 1;
		}
		fclose(f);
	}
	if (!owned)
		return -1;
	f = fopen("/var/lib/dpkg/status", "re");
	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0') {
			found = strcmp(cur, pkg) == 0 && installed && ver[0] != '\0';
			if (!found) {
				cur[0] = ver[0] = '\0';
				installed = 0;
			}
		} else if (strncmp(line, "Package: ", 9) == 0) {
			snprintf(cur, sizeof(cur), "%.127s", line + 9);
		} else if (strncmp(line, "Status: ", 8) == 0) {
			installed = strstr(line, " installed") != NULL;
		} else if (strncmp(line, "Version: ", 9) == 0) {
			snprintf(ver, sizeof(ver), "%.127s", line + 9);
		}
	}
	if (!found)
		found = strcmp(cur, pkg) == 0 && installed && ver[0] != '\0';
	fclose(f);
	if (!found)
		return -1;
	snprintf(out, cap, "%s", ver);
	return 0;
}

/* What the start can know of pkcs11-provider before OpenSSL loads it (it is
 * loaded at the first use of a key, after a login): the library OpenSSL
 * will load (its modules directory, pkcs11.so), its SHA-256, and the
 * version of the package that installed it. Not the version the provider
 * reports through OSSL_PROVIDER_get_params: pkcs11-provider 1.0 reports
 * there the OpenSSL version it was built with ("3.0.16"), not its own. */
static int provider_details(json_t *d)
{
	const char *dir = OPENSSL_info(OPENSSL_INFO_MODULES_DIR);
	char path[PATH_MAX], real[PATH_MAX], ver[128], hex[65];
	uint8_t h[32];
	json_t *p = NULL;
	int r = CE_ERR_NOMEM;

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/pkcs11.so", dir);
	if (realpath(path, real) == NULL)
		return 0; /* not installed: nothing to say */
	p = json_pack("{s:s}", "path", real);
	if (p == NULL)
		goto out;
	if (transcript_file_sha256(real, h, NULL) == 0) {
		hex_encode(h, 32, hex);
		if (json_object_set_new(p, "sha256", json_string(hex)) != 0)
			goto out;
	} else {
		ce_err_clear();
	}
	if (dpkg_version_of("pkcs11-provider", path, ver, sizeof(ver)) == 0 ||
	    dpkg_version_of("pkcs11-provider", real, ver, sizeof(ver)) == 0) {
		if (json_object_set_new(p, "version_source", json_string("dpkg package")) != 0 ||
		    json_object_set_new(d, "pkcs11_provider_version", json_string(ver)) != 0)
			goto out;
	}
	if (json_object_set_new(d, "pkcs11_provider", p) != 0) {
		p = NULL;
		goto out;
	}
	p = NULL;
	r = 0;
out:
	json_decref(p);
	return r;
}

static int start_event(struct run_ctx *rc)
{
	json_t *d = NULL, *tokd = NULL, *op = NULL;
	const struct p11_module *m;
	char hex[65];
	uint8_t h[32];
	size_t i;
	int r = CE_ERR_INTERNAL;

	d = json_object();
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = transcript_host_details(d);
	if (r < 0)
		goto out;
	r = CE_ERR_NOMEM;
	if (json_object_set_new(d, "ceremony_id", json_string(rc->ceremony_id)) != 0 ||
	    json_object_set_new(d, "ceremony", json_string(rc->s->name)) != 0 ||
	    json_object_set_new(d, "script", json_string(rc->s->path)) != 0 ||
	    json_object_set_new(d, "script_version", json_string(rc->s->version)) != 0 ||
	    json_object_set_new(d, "rehearsal", json_boolean(rc->opts->rehearsal)) != 0 ||
	    json_object_set_new(d, "scripted_input",
				json_boolean(rc->opts->input_path != NULL)) != 0)
		goto out;
	if (json_object_set_new(d, "p11kit_version",
				json_string(RUN_P11KIT_VERSION " (built with)")) != 0)
		goto out;
	r = provider_details(d);
	if (r < 0)
		goto out;
	r = CE_ERR_NOMEM;
	hex_encode(rc->s->tree->sha256, 32, hex);
	if (json_object_set_new(d, "script_sha256", json_string(hex)) != 0)
		goto out;
	hex_encode(rc->r->tree->sha256, 32, hex);
	if (json_object_set_new(d, "roster_sha256", json_string(hex)) != 0)
		goto out;
	if (p11_ctx_module_count(rc->p11) > 0) {
		m = p11_ctx_module(rc->p11, 0);
		if (json_object_set_new(d, "module", json_string(p11_module_path(m))) != 0)
			goto out;
		if (p11_module_file_sha256(m, h) == 0) {
			hex_encode(h, 32, hex);
			if (json_object_set_new(d, "module_sha256", json_string(hex)) != 0)
				goto out;
		}
	}
	/* The first script token already initialised. */
	for (i = 0; i < rc->s->ntokens; i++) {
		struct p11_token *tok;
		const struct p11_token_info *ti;
		char fw[32];

		if (run_token(rc, rc->s->tokens[i].name, &tok) < 0) {
			ce_err_clear();
			continue;
		}
		ti = p11_token_info(tok);
		snprintf(fw, sizeof(fw), "%u.%u", ti->fw_major, ti->fw_minor);
		tokd = json_pack("{s:s, s:s, s:s, s:s, s:s}", "manufacturer", ti->manufacturer,
				 "model", ti->model, "serial", ti->serial, "firmware", fw, "label",
				 ti->label);
		if (tokd == NULL || json_object_set_new(d, "token", tokd) != 0)
			goto out;
		tokd = NULL;
		break;
	}
	op = run_operator_json(rc);
	if (op == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = event_at(rc, "ceremony.start", NULL, op, NULL, d);
out:
	json_decref(op);
	json_decref(tokd);
	json_decref(d);
	return r;
}

static int step_run(struct run_ctx *rc, const struct script_step *st, int *started)
{
	const struct run_action *ra = run_action_find(st->action->name);
	json_t *persons = NULL, *d = NULL;
	int r = CE_ERR_INTERNAL;

	*started = 0;
	rc->cur = NULL;
	rc->nactors = rc->nwits = 0;
	json_decref(rc->step_details);
	rc->step_details = json_object();
	if (rc->step_details == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (strcmp(st->action->name, "attendance") == 0 && !rc->seated) {
		r = persons_seat(rc);
		if (r < 0)
			goto out;
	}
	r = choose_people(rc, st);
	if (r < 0)
		goto out;
	announce(rc, st);
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
	if (rc->tkey_confirm_due) {
		/* the software transcript key announced at the start */
		r = tkey_words_confirm(rc);
		if (r < 0)
			goto out;
		rc->tkey_confirm_due = 0;
	}
	r = witnesses_confirm(rc, st);
	if (r < 0)
		goto out;
	if (json_object_set_new(rc->step_details, "status", json_string("done")) != 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "step.end", persons, NULL, rc->step_details);
	if (r < 0)
		goto out;
	*started = 0;
	r = 0;
out:
	json_decref(persons);
	json_decref(d);
	return r;
}

/* policy 4.4.1 (logins and logouts): the logins last until the transcript
 * is signed, after ceremony.end, so each logged-in token's logout is written
 * just before ceremony.end, saying when it happens (logout_all does it). */
static int logout_events(struct run_ctx *rc)
{
	json_t *d;
	size_t i;
	int r;

	for (i = 0; i < rc->s->ntokens; i++) {
		struct run_token_state *ts = &rc->toks[i];

		if (ts->sess == NULL || !ts->logged_in)
			continue;
		d = json_pack("{s:s, s:s, s:s}", "user",
			      ts->login_user == P11_USER_SO ? "so" : "user", "token", ts->spec->name,
			      "when", "after-signing");
		if (d == NULL)
			return CE_ERR_NOMEM;
		r = event_at(rc, "logout", NULL, ts->login_persons, NULL, d);
		json_decref(d);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The logouts announced by logout_events, after the transcript is signed
 * (and the transcript key destroyed): OpenSSL's context first, then our
 * C_Logout. */
static void logout_all(struct run_ctx *rc)
{
	size_t i;

	for (i = 0; i < rc->s->ntokens; i++) {
		struct run_token_state *ts = &rc->toks[i];

		if (ts->sess == NULL || !ts->logged_in)
			continue;
		p11_ossl_close(ts->ossl);
		ts->ossl = NULL;
		if (p11_session_logout(ts->sess) < 0) {
			console_say(rc->con, "warning: logging out of '%s': %s (the session is "
					     "closed now, which logs out)", ts->spec->name,
				    ce_err_detail());
			ce_err_clear();
		} else {
			console_say(rc->con, "Logged out of '%s'.", ts->spec->name);
		}
		ts->logged_in = 0;
	}
}

/* Write the end of a ceremony that stopped: abort or error, then step.end
 * failed if a step was running, then ceremony.end. */
static int end_stopped(struct run_ctx *rc, int code, int started, int aborted)
{
	json_t *d = NULL, *op = NULL, *persons = NULL;
	const struct p11_failure *fail;
	char detail[1024];
	int r = CE_ERR_INTERNAL;

	snprintf(detail, sizeof(detail), "%s",
		 ce_err_detail()[0] ? ce_err_detail() : ce_strerror(code));
	op = run_operator_json(rc);
	if (op == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (!aborted) {
		d = json_pack("{s:s}", "message", detail);
		if (d == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		/* The PKCS#11 failure as data, kept where it happened. */
		fail = p11_failure_current();
		if (fail != NULL && fail->function[0] != '\0')
			json_object_set_new(d, "function", json_string(fail->function));
		if (fail != NULL)
			json_object_set_new(d, "ckr", json_string(fail->ckr));
		r = run_event(rc, "error", NULL, NULL, d);
		if (r < 0)
			goto out;
		json_decref(d);
		d = NULL;
	}
	if (started && rc->cur != NULL) {
		persons = run_actors_json(rc);
		d = json_pack("{s:s}", "status", "failed");
		if (persons == NULL || d == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		r = run_event(rc, "step.end", persons, NULL, d);
		if (r < 0)
			goto out;
		json_decref(d);
		d = NULL;
	}
	if (aborted) {
		/* After the step's end: the operator who aborts may be one of its
		 * witnesses, and within a step nobody both acts and witnesses. */
		d = json_pack("{s:s}", "reason", console_abort_reason(rc->con));
		if (d == NULL || (rc->cur != NULL &&
				  json_object_set_new(d, "at_step", json_string(rc->cur->id)) != 0)) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		r = event_at(rc, "abort", NULL, op, NULL, d);
		if (r < 0)
			goto out;
		json_decref(d);
		d = NULL;
	}
	rc->cur = NULL;
	r = logout_events(rc);
	if (r < 0)
		goto out;
	d = json_pack("{s:s, s:s}", "status", aborted ? "aborted" : "failed", "transcript_key",
		      rc->tkey ? "destroyed-after-signing" : "none");
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = event_at(rc, "ceremony.end", NULL, op, NULL, d);
out:
	json_decref(d);
	json_decref(op);
	json_decref(persons);
	return r;
}

/* Who runs the console: recorded in ceremony.start and ceremony.end. Asked
 * before the transcript opens: an abort here leaves nothing behind. */
static int operator_ask(struct run_ctx *rc)
{
	char ans[RUN_ANSWER_MAX];
	int r;

	for (;;) {
		r = run_ask(rc, "operator", "Console operator - your roster id?", ans, sizeof(ans));
		if (r < 0)
			return r;
		rc->operator = roster_person_find(rc->r, ans);
		if (rc->operator != NULL)
			return 0;
		console_say(rc->con, "  '%s' is not in the roster %s.", ans, rc->r->path);
		if (console_is_scripted(rc->con))
			return ce_err_set(CE_ERR_NOT_FOUND, "[operator]: '%s' is not in the roster %s",
					  ans, rc->r->path);
	}
}

static void summary_print(struct run_ctx *rc)
{
	size_t i;

	console_say(rc->con, "%s", "");
	console_say(rc->con, "Summary of ceremony %s (%s):", rc->s->name, rc->ceremony_id);
	for (i = 0; i < rc->nsum; i++)
		console_say(rc->con, "  %s", rc->sum[i].line);
	if (rc->tkey)
		console_say(rc->con, "  transcript key: %s", rc->tkey_words);
	console_say(rc->con, "  transcript: %s", transcript_path(rc->t));
}

static void rc_free(struct run_ctx *rc)
{
	size_t i;

	if (rc->toks != NULL)
		for (i = 0; i < rc->s->ntokens; i++)
			tok_release(&rc->toks[i]);
	free(rc->toks);
	for (i = 0; i < rc->nsum; i++)
		free(rc->sum[i].line);
	free(rc->sum);
	run_registry_free(rc);
	EVP_PKEY_free(rc->tkey_soft);
	json_decref(rc->step_details);
	transcript_free(rc->t);
	p11_ctx_free(rc->p11);
	console_free(rc->con);
	roster_free(rc->r);
	script_free(rc->s);
}

/* Refuse early what the flow would trip on, before anything is written. */
static int preflight(struct run_ctx *rc)
{
	size_t i;
	int logs_in = 0;

	for (i = 0; i < rc->s->nsteps; i++) {
		const char *a = rc->s->steps[i].action->name;

		if (run_action_find(a) == NULL)
			return ce_err_set(CE_ERR_UNSUPPORTED,
					  "%s:%u: step '%s': action %s is not available in this build",
					  rc->s->path, rc->s->steps[i].mark.line, rc->s->steps[i].id, a);
		if (strcmp(a, "token.init") == 0 || strcmp(a, "quorum.login") == 0 ||
		    strcmp(a, "pin.rotate") == 0)
			logs_in = 1;
		if (strcmp(a, "shares.reshare") == 0) {
			/* a user PIN is checked by logging in with it (action_shares_reshare) */
			const char *sn = script_param_str(&rc->s->steps[i], "secret");
			const struct script_secret *sec =
				sn != NULL ? script_secret_find(rc->s, sn) : NULL;

			if (sec != NULL && sec->kind == SECRET_PIN && sec->token != NULL)
				logs_in = 1;
		}
	}
	if (rc->s->nsteps == 0 || strcmp(rc->s->steps[0].action->name, "attendance") != 0)
		return ce_err_set(CE_ERR_FORMAT, "%s: the first step must be attendance",
				  rc->s->path);
	rc->tkey_soft_needed = !logs_in;
	return 0;
}

int run_ceremony(const struct run_opts *opts)
{
	struct run_ctx rc;
	struct diag d;
	char *tpath = NULL;
	const char *ukey;
	size_t i, uline;
	int r = CE_ERR_INTERNAL, exit_code = 1, started = 0, e, aborted;
	struct stat sb;

	memset(&rc, 0, sizeof(rc));
	diag_init(&d);
	rc.opts = opts;
	rc.outdir = opts->outdir != NULL ? opts->outdir : ".";
	if (opts->today != NULL) {
		if (roster_date_parse(opts->today, &rc.today) < 0) {
			r = ce_err_set(CE_ERR_USAGE, "--today wants YYYY-MM-DD, not '%s'", opts->today);
			goto out;
		}
	} else {
		roster_date_today(&rc.today);
	}
	/* a missing output directory is made (its parent must exist) */
	if (stat(rc.outdir, &sb) != 0 && errno == ENOENT && mkdir(rc.outdir, 0700) != 0) {
		r = ce_err_set(CE_ERR_IO, "output directory %s: %s", rc.outdir, strerror(errno));
		goto out;
	}
	if (stat(rc.outdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "output directory %s: %s", rc.outdir,
			       stat(rc.outdir, &sb) != 0 ? strerror(errno) : "not a directory");
		goto out;
	}
	/* 1. lint, exactly as `ceremony lint` */
	r = lint_load(opts->script_path, opts->roster_path, &rc.today, rc.outdir, &rc.s, &rc.r,
		      &d);
	if (r < 0)
		goto out;
	if (d.n)
		diag_print(stdout, &d);
	if (d.errors) {
		r = ce_err_set(CE_ERR_FORMAT, "%s: %zu lint error%s: refusing to run", opts->script_path,
			       d.errors, d.errors == 1 ? "" : "s");
		goto out;
	}
	if (asprintf(&tpath, "%s/transcript.jsonl", rc.outdir) < 0) {
		tpath = NULL;
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (lstat(tpath, &sb) == 0) {
		r = ce_err_set(CE_ERR_EXISTS, "%s: already exists; a transcript is never overwritten "
					      "(choose another --outdir)", tpath);
		goto out;
	}
	r = console_open(opts->input_path, &rc.con);
	if (r < 0)
		goto out;
	r = preflight(&rc);
	if (r < 0)
		goto out;
	rc.toks = calloc(rc.s->ntokens ? rc.s->ntokens : 1, sizeof(*rc.toks));
	if (rc.toks == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < rc.s->ntokens; i++)
		rc.toks[i].spec = &rc.s->tokens[i];
	r = run_registry_load(&rc);
	if (r < 0)
		goto out;
	r = p11_ctx_open(opts->module, &rc.p11);
	if (r < 0)
		goto out;
	r = operator_ask(&rc);
	if (r < 0)
		goto out;
	r = transcript_ceremony_id(rc.ceremony_id);
	if (r < 0)
		goto out;
	/* 2. the transcript */
	r = transcript_open(tpath, &rc.t);
	if (r < 0)
		goto out;
	console_say(rc.con, "Ceremony: %s (version %s)%s", rc.s->name, rc.s->version,
		    opts->rehearsal ? " - REHEARSAL" : "");
	console_say(rc.con, "Ceremony id: %s", rc.ceremony_id);
	console_say(rc.con, "Transcript: %s", tpath);
	r = start_event(&rc);
	if (r < 0)
		goto out;
	if (rc.tkey_soft_needed) {
		r = transcript_key_soft_make(&rc);
		if (r < 0)
			goto out;
	}
	/* 3. the steps */
	for (i = 0; i < rc.s->nsteps; i++) {
		r = step_run(&rc, &rc.s->steps[i], &started);
		if (r < 0)
			break;
	}
	if (r < 0) {
		e = r;
		aborted = console_abort_reason(rc.con)[0] != '\0';
		if (aborted)
			console_say(rc.con, "ABORTED: %s", console_abort_reason(rc.con));
		else
			ce_err_print(e);
		r = end_stopped(&rc, e, started, aborted);
		exit_code = aborted ? RUN_EXIT_ABORTED : CLI_EXIT_FAIL;
		if (r < 0)
			goto out;
		r = transcript_close(rc.t);
		if (r == 0 && rc.tkey && transcript_key_sign(&rc) < 0)
			ce_err_print(CE_ERR_CRYPTO);
		logout_all(&rc);
		console_say(rc.con, "The transcript %s is kept: `ceremony verify` reports it as "
				    "INCOMPLETE.", tpath);
		r = 0;
		goto out;
	}
	{
		json_t *op = run_operator_json(&rc), *ed;

		ed = json_pack("{s:s, s:s}", "status", "completed", "transcript_key",
			       rc.tkey ? "destroyed-after-signing" : "none");
		r = op == NULL || ed == NULL ? CE_ERR_NOMEM : logout_events(&rc);
		if (r == 0)
			r = event_at(&rc, "ceremony.end", NULL, op, NULL, ed);
		json_decref(op);
		json_decref(ed);
		if (r < 0)
			goto out;
	}
	r = transcript_close(rc.t);
	if (r < 0)
		goto out;
	if (rc.tkey) {
		r = transcript_key_sign(&rc);
		if (r < 0)
			goto out;
	}
	logout_all(&rc);
	summary_print(&rc);
	if (console_unused(rc.con, &ukey, &uline) > 0)
		console_say(rc.con, "warning: %zu answer%s of %s not used (first: [%s] at line %zu)",
			    console_unused(rc.con, &ukey, &uline),
			    console_unused(rc.con, &ukey, &uline) == 1 ? "" : "s", opts->input_path,
			    ukey, uline);
	console_say(rc.con, "Ceremony completed.");
	exit_code = 0;
	r = 0;
out:
	if (r < 0) {
		if (d.errors == 0 || r != CE_ERR_FORMAT)
			ce_err_print(r);
		else
			fprintf(stderr, "ceremony: run: %s\n", ce_err_detail());
		/* aborted before the transcript was opened: nothing written */
		exit_code = rc.con != NULL && console_abort_reason(rc.con)[0] != '\0'
				    ? RUN_EXIT_ABORTED
				    : CLI_EXIT_FAIL;
	}
	free(tpath);
	diag_free(&d);
	rc_free(&rc);
	return exit_code;
}
