/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/tokens.c - the script's tokens as the ceremony holds them:
 * found by URI, sessions logged in until the transcript is signed, the
 * OpenSSL context sharing each login, keys by label, and the logouts.
 */
#include "ceremony/run/context.h"
#include "ceremony/run/internal.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"
#include "pkcs11/p11.h"
#include "pkcs11/x509/ossl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct p11_ctx *run_p11(struct run_ctx *rc)
{
	return rc->p11;
}

int tokens_open(struct run_ctx *rc)
{
	size_t i;

	rc->toks = calloc(rc->s->ntokens ? rc->s->ntokens : 1, sizeof(*rc->toks));
	if (rc->toks == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < rc->s->ntokens; i++)
		rc->toks[i].spec = &rc->s->tokens[i];
	return 0;
}

static void state_release(struct run_token_state *ts)
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

void tokens_free(struct run_ctx *rc)
{
	size_t i;

	if (rc->toks != NULL)
		for (i = 0; i < rc->s->ntokens; i++)
			state_release(&rc->toks[i]);
	free(rc->toks);
	rc->toks = NULL;
}

struct run_token_state *tokens_state_find(struct run_ctx *rc, const char *name)
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
	struct run_token_state *ts = tokens_state_find(rc, name);
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

int run_token_adopt(struct run_ctx *rc, const char *name, struct p11_token *tok)
{
	struct run_token_state *ts = tokens_state_find(rc, name);

	if (ts == NULL) {
		p11_token_free(tok);
		return CE_ERR_NOT_FOUND;
	}
	state_release(ts);
	ts->tok = tok;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Login                                                               */

/* A refused login: login.failed with the CKR, then the login's own error
 * (detail and PKCS#11 failure) restored for the caller. */
static int login_failed_record(struct run_ctx *rc, const char *name, const char *uname,
			       json_t *persons, int code)
{
	const struct p11_failure *cur = p11_failure_current();
	struct p11_failure fail = { 0 };
	int have_fail = cur != NULL, r = CE_ERR_INTERNAL;
	char detail[512];
	json_t *d = NULL;

	/* Kept before the event is written: writing may set a new detail. */
	snprintf(detail, sizeof(detail), "%s", ce_err_detail());
	if (have_fail)
		fail = *cur;
	d = json_pack("{s:s, s:s, s:s}", "user", uname, "ckr", have_fail ? fail.ckr : "unknown",
		      "token", name);
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = run_event(rc, "login.failed", persons, NULL, d);
	if (r < 0)
		goto out;
	r = ce_err_set(code, "%s", detail);
	if (have_fail)
		p11_failure_record(fail.rv, fail.function, fail.what);
out:
	json_decref(d);
	return r;
}

int tokens_login(struct run_ctx *rc, const char *name, enum p11_user user, const char *pin,
		 size_t pin_len, void **wipe, size_t *ti)
{
	struct run_token_state *ts;
	struct p11_token *tok;
	json_t *d = NULL, *persons = NULL;
	const char *uname = user == P11_USER_SO ? "so" : "user";
	int r = CE_ERR_INTERNAL;

	r = run_token(rc, name, &tok);
	if (r < 0)
		goto out;
	ts = tokens_state_find(rc, name);
	if (ts->sess == NULL) {
		r = p11_session_open(tok, &ts->sess);
		if (r < 0)
			goto out;
	}
	persons = run_actors_json(rc);
	if (persons == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = p11_session_login(ts->sess, user, pin, pin_len);
	/* As OpenSSH does after C_Login: the PIN goes before anything else runs
	 * (the login event, login.failed, the transcript key's prompts). */
	if (wipe != NULL) {
		secmem_free(*wipe);
		*wipe = NULL;
		pin = NULL;
	}
	if (r < 0) {
		r = login_failed_record(rc, name, uname, persons, r);
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
	*ti = (size_t)(ts - rc->toks);
	r = 0;
out:
	if (wipe != NULL) {
		secmem_free(*wipe);
		*wipe = NULL;
	}
	json_decref(d);
	json_decref(persons);
	return r;
}

int run_session(struct run_ctx *rc, const char *name, struct p11_session **out)
{
	struct run_token_state *ts = tokens_state_find(rc, name);

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
	struct run_token_state *ts = tokens_state_find(rc, name);
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

/* ------------------------------------------------------------------ */
/* Keys                                                                */

int tokens_key_uri(struct run_ctx *rc, const char *name, const char *label, const char *type,
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
	r = tokens_key_uri(rc, name, label, NULL, &uri);
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
	r = tokens_key_uri(rc, name, label, NULL, &uri);
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
	/* The provider, or our layer where the token lacks hash-and-sign; a
	 * token that cannot sign with the key at all is named here. */
	if (key_out != NULL && (r = p11_ossl_key_route(out, k)) < 0) {
		p11_ossl_key_free(out);
		goto out;
	}
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
/* Logouts                                                             */

/* policy 4.4.1 (logins and logouts): the logins last until the transcript
 * is signed, after ceremony.end, so each logged-in token's logout is written
 * just before ceremony.end, saying when it happens (tokens_logout_all does
 * it). */
int tokens_logout_record(struct run_ctx *rc, const char *when)
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
			      "when", when);
		if (d == NULL)
			return CE_ERR_NOMEM;
		r = events_append_at(rc, "logout", NULL, ts->login_persons, NULL, d);
		json_decref(d);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The logouts announced by tokens_logout_record, after the transcript is
 * signed (and the transcript key destroyed): OpenSSL's context first, then
 * our C_Logout. */
void tokens_logout_all(struct run_ctx *rc)
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

/* ------------------------------------------------------------------ */
/* The current SO PIN (token.init with reinit: true)                   */

#define RUN_SO_PIN_MAX 256

/* One line of fd (not a terminal: a rehearsal's standard input) into dst
 * (cap bytes of secmem), without its end of line. */
static int fd_line_read(int fd, char *dst, size_t cap, size_t *len)
{
	int r = buf_read_secret_line(fd, dst, cap, len);

	if (r == CE_ERR_TOO_LARGE)
		return ce_err_set(r, "the current SO PIN typed is longer than %zu characters", cap - 1);
	if (r < 0) {
		char why[128];

		snprintf(why, sizeof(why), "%s", ce_err_detail());
		return ce_err_set(r, "reading the current SO PIN from standard input: %s", why);
	}
	if (*len > 0 && dst[*len - 1] == '\r')
		dst[--*len] = '\0';
	return 0;
}

int run_token_current_so_pin(struct run_ctx *rc, const char *name, char **pin, size_t *len)
{
	const struct shares_ui_term *t = NULL;
	char *buf = NULL, prompt[192];
	size_t n = 0;
	int r = CE_ERR_INTERNAL;

	*pin = NULL;
	*len = 0;
	buf = secmem_alloc(RUN_SO_PIN_MAX + 1);
	if (buf == NULL) {
		r = ce_err_set(CE_ERR_MLOCK, "no locked memory for the current SO PIN");
		goto out;
	}
	console_say(rc->con, "Token '%s' is initialised already: re-initialising it needs its "
			     "current SO PIN (the factory default, or the one its last "
			     "initialisation set). The security officer types it; it is not shown.",
		    name);
	r = console_term(rc->con, &t);
	if (r == 0 && t->is_tty) {
		snprintf(prompt, sizeof(prompt), "Current SO PIN of token '%s' (not shown): ", name);
		r = shares_ui_secret_line_read(t->in_fd, prompt, buf, RUN_SO_PIN_MAX + 1, &n);
		if (r == 0)
			r = ce_err_set(CE_ERR_INVALID, "no current SO PIN typed (end of input)");
		else if (r == 1)
			r = 0;
	} else if (run_is_rehearsal(rc) && !isatty(STDIN_FILENO)) {
		ce_err_clear();
		r = fd_line_read(STDIN_FILENO, buf, RUN_SO_PIN_MAX + 1, &n);
	} else if (r == 0 || r == CE_ERR_TTY) {
		r = ce_err_set(CE_ERR_TTY, "the current SO PIN of token '%s' is typed at a terminal, "
					   "and there is none", name);
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		r = ce_err_set(CE_ERR_INVALID, "no current SO PIN typed for token '%s'", name);
		goto out;
	}
	*pin = buf;
	*len = n;
	buf = NULL; /* transferred */
	r = 0;
out:
	secmem_free(buf);
	return r;
}
