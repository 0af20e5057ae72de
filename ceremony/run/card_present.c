/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/card_present.c - a person presents their personal token
 * (pkcs11/card.h): found by the roster's token: URI (waited for with a
 * prompt and a timeout), its key matched to the roster certificate before
 * login (another roster person's card is refused naming whose it is), the
 * PIN counters read and said before the PIN is typed (a final try needs an
 * explicit "yes", a locked PIN is refused), the PIN typed by its owner
 * without echo into locked memory and wiped right after C_Login. Used by the
 * attendance by card (attend_card.c) and the co-signatures (cosign_run.c).
 */
#include "ceremony/run/context.h"
#include "ceremony/model/roster_cert.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CARD_PIN_MAX 128
#define CARD_WAIT_DEFAULT_S 120

static unsigned card_wait_ms(void)
{
	const char *v = getenv("CE_CARD_WAIT_S"); /* a timeout, never a secret */
	char *end = NULL;
	unsigned long s;

	if (v == NULL || *v == '\0')
		return CARD_WAIT_DEFAULT_S * 1000u;
	s = strtoul(v, &end, 10);
	if (end == NULL || *end != '\0' || s > 3600)
		return CARD_WAIT_DEFAULT_S * 1000u;
	return (unsigned)s * 1000u;
}

/* One line of fd into dst (secmem, cap bytes), without its newline. */
static int pin_line_read(int fd, char *dst, size_t cap, size_t *len)
{
	int r = buf_read_secret_line(fd, dst, cap, len);

	if (r == CE_ERR_TOO_LARGE)
		return ce_err_set(r, "the card PIN is longer than %zu characters", cap - 1);
	if (r < 0) {
		char why[128];

		snprintf(why, sizeof(why), "%s", ce_err_detail());
		return ce_err_set(r, "reading the card PIN from standard input: %s", why);
	}
	if (*len > 0 && dst[*len - 1] == '\r')
		dst[--*len] = '\0';
	return 0;
}

/* The PIN of p's card: from pin_fn when it gives one (a rehearsal's PIN
 * file); else typed without echo at the terminal; in a rehearsal without
 * one, a line of standard input. Never the answer file. */
static int card_pin_read(struct run_ctx *rc, const struct roster_person *p,
			 const struct run_card_how *how, char *buf, size_t cap, size_t *n)
{
	const struct shares_ui_term *t = NULL;
	char prompt[192];
	int r;

	if (how != NULL && how->pin_fn != NULL) {
		r = how->pin_fn(rc, p, how->pin_arg, buf, cap, n);
		if (r != 1)
			return r;
	}
	r = console_term(rc->con, &t);
	if (r == 0 && t->is_tty) {
		snprintf(prompt, sizeof(prompt), "%s (%s): the PIN of your card (not shown): ",
			 p->name, p->id);
		r = shares_ui_secret_line_read(t->in_fd, prompt, buf, cap, n);
		if (r == 0)
			return ce_err_set(CE_ERR_INVALID, "no card PIN typed (end of input)");
		return r == 1 ? 0 : r;
	}
	if (run_is_rehearsal(rc) && !isatty(STDIN_FILENO)) {
		ce_err_clear();
		r = pin_line_read(STDIN_FILENO, buf, cap, n);
		if (r == 0 && *n == 0)
			r = ce_err_set(CE_ERR_INVALID, "no card PIN typed for %s (end of input)", p->id);
		return r;
	}
	return ce_err_set(CE_ERR_TTY, "the card PIN of %s is typed at a terminal, and there is none",
			  p->id);
}

/* Append n bytes of src to out (cap bytes, *used so far), after sep when
 * out does not end the part sep starts (':' for the path, '?' the query). */
static void uri_put(char *out, size_t cap, size_t *used, char sep, const char *src, size_t n)
{
	if (*used >= cap)
		return;
	if (out[*used - 1] != ':' && out[*used - 1] != '?')
		*used += (size_t)snprintf(out + *used, cap - *used, "%c", sep);
	if (*used < cap)
		*used += (size_t)snprintf(out + *used, cap - *used, "%.*s", (int)n, src);
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value v (n bytes, percent-encoded) into dst (cap bytes), decoded. */
static void uri_value_decode(const char *v, size_t n, char *dst, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (v[i] == '%' && i + 2 < n && hex_val(v[i + 1]) >= 0 && hex_val(v[i + 2]) >= 0) {
			dst[o++] = (char)(hex_val(v[i + 1]) * 16 + hex_val(v[i + 2]));
			i += 2;
		} else {
			dst[o++] = v[i];
		}
	}
	dst[o] = '\0';
}

/* uri without its module-path= (decoded into path, cap bytes) and
 * module-name= attributes, into out: the module a card ctx was opened on.
 * Both forms are read: the RFC 7512 query (?module-path=) and the path
 * attribute some tools write (;module-path=). *named is 1 when the URI
 * names a module either way (module-path= or module-name=). */
static void uri_module_split(const char *uri, char *out, size_t ocap, char *path, size_t pcap,
			     int *named)
{
	const char *q = uri + strlen("pkcs11:"), *e;
	size_t used;
	int query = 0;

	path[0] = '\0';
	*named = 0;
	used = (size_t)snprintf(out, ocap, "pkcs11:");
	while (*q != '\0' && used < ocap) {
		e = q + strcspn(q, query ? "&" : ";?");
		if (strncmp(q, "module-path=", 12) == 0 || strncmp(q, "module-name=", 12) == 0)
			*named = 1;
		if (strncmp(q, "module-path=", 12) == 0)
			uri_value_decode(q + 12, (size_t)(e - q - 12), path, pcap);
		else if (strncmp(q, "module-name=", 12) != 0 && e > q)
			uri_put(out, ocap, &used, query ? '&' : ';', q, (size_t)(e - q));
		if (*e == '?' && !query) {
			query = 1;
			if (used < ocap)
				used += (size_t)snprintf(out + used, ocap - used, "?");
		}
		q = *e != '\0' ? e + 1 : e;
	}
	if (used > 0 && used < ocap && out[used - 1] == '?')
		out[used - 1] = '\0';
}

/* The ctx for cards outside the run's module: the module the URI names
 * (module-path=, a library or a p11-kit .module file), else every module
 * registered with p11-kit. Each opened once, kept until the run ends; NULL
 * (said on the console) when it cannot be loaded or every slot is taken. */
static struct p11_ctx *cards_ctx(struct run_ctx *rc, const char *path)
{
	size_t k;

	for (k = 0; k < RUN_CARD_MODULES_MAX && rc->cards_p11[k].ctx != NULL; k++)
		if (strcmp(rc->cards_p11[k].path, path) == 0)
			return rc->cards_p11[k].ctx;
	if (k == RUN_CARD_MODULES_MAX) {
		console_say(rc->con, "  (no more than %d card modules in one ceremony: %s not loaded)",
			    RUN_CARD_MODULES_MAX, path[0] ? "this one" : "the registered ones");
		return NULL;
	}
	if (p11_ctx_open(path[0] ? path : NULL, &rc->cards_p11[k].ctx) < 0) {
		console_say(rc->con, "  (other PKCS#11 modules not loaded: %s)", ce_err_detail());
		ce_err_clear();
		rc->cards_p11[k].ctx = NULL;
		return NULL;
	}
	snprintf(rc->cards_p11[k].path, sizeof(rc->cards_p11[k].path), "%s", path);
	return rc->cards_p11[k].ctx;
}

/* One look for p's card: the run's module (unless the URI names a module),
 * then the module module-path= names, or else every module p11-kit
 * registers (a module-name= alone: among those, whatever their name; the
 * key found must still be the roster certificate's). CE_ERR_NOT_FOUND when
 * absent. */
static int card_look(struct run_ctx *rc, const struct roster_person *p, struct p11_token **tok)
{
	char uri[1024], path[512];
	int named;
	struct p11_ctx *other;
	int r = CE_ERR_NOT_FOUND;

	uri_module_split(p->token, uri, sizeof(uri), path, sizeof(path), &named);
	if (!named) { /* a module named is looked for among those p11-kit registers */
		r = p11_card_wait(run_p11(rc), p->token, 0, tok);
		if (r != CE_ERR_NOT_FOUND)
			return r;
		ce_err_clear();
	}
	other = cards_ctx(rc, path);
	if (other != NULL)
		r = p11_card_wait(other, uri, 0, tok); /* the card's key is matched by its SPKI */
	if (r == CE_ERR_NOT_FOUND)
		ce_err_clear();
	return r;
}

/* The card found, and waited for with a prompt when absent. */
static int card_find(struct run_ctx *rc, const struct roster_person *p, struct p11_token **tok)
{
	unsigned ms = card_wait_ms(), waited = 0;
	int r;

	if (p->token == NULL)
		return ce_err_set(CE_ERR_NOT_FOUND, "%s (%s) has no token: in the roster: which card?",
				  p->name, p->id);
	r = card_look(rc, p, tok);
	if (r != CE_ERR_NOT_FOUND)
		return r;
	console_say(rc->con, "Insert the card of %s (%s) ... (waiting up to %u s)", p->name, p->id,
		    ms / 1000);
	while (r == CE_ERR_NOT_FOUND && waited < ms) {
		struct timespec ts = { 0, P11_CARD_POLL_MS * 1000000L };

		while (nanosleep(&ts, &ts) != 0)
			;
		waited += P11_CARD_POLL_MS;
		r = card_look(rc, p, tok);
	}
	if (r == CE_ERR_NOT_FOUND)
		r = ce_err_set(CE_ERR_NOT_FOUND, "the card of %s (%s) was not inserted: no token "
						 "matches '%s' after %u s", p->name, p->id, p->token,
			       ms / 1000);
	return r;
}

/* The card's key that is p's roster key; another person's refused by name. */
static int card_key_match(struct run_ctx *rc, const struct roster_person *p,
			  struct p11_session *s, struct p11_card_key *mine)
{
	struct p11_card_key keys[16];
	const struct roster_person *other = NULL, *q;
	size_t n = 0, i;
	int r;

	r = p11_card_keys(s, keys, 16, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		q = roster_cert_match(rc->r, keys[i].spki_sha256);
		if (q == p) {
			*mine = keys[i];
			return 0;
		}
		if (q != NULL && other == NULL)
			other = q;
	}
	if (other != NULL)
		return ce_err_set(CE_ERR_MISMATCH, "this is the card of %s (%s), not of %s (%s)",
				  other->name, other->id, p->name, p->id);
	return ce_err_set(CE_ERR_NOT_FOUND, "the card of %s (%s) holds no key of their roster "
					    "certificate (%zu public key%s on it)", p->name, p->id, n,
			  n == 1 ? "" : "s");
}

/* Say what the PIN counters say; a locked PIN refused, a final try only
 * after an explicit "yes". */
static int card_tries_check(struct run_ctx *rc, const struct roster_person *p,
			    struct p11_token *tok)
{
	char key[CONSOLE_KEY_MAX], prompt[256], ans[16];
	unsigned fl;
	int r;

	r = p11_token_refresh(tok);
	if (r < 0)
		return r;
	fl = p11_token_info(tok)->flags;
	if (fl & P11_TOKEN_USER_PIN_LOCKED)
		return ce_err_set(CE_ERR_PIN, "the PIN of the card of %s (%s) is locked: the card "
					      "cannot be used (its owner unblocks it with the card's PUK)",
				  p->name, p->id);
	if (fl & P11_TOKEN_USER_PIN_FINAL_TRY) {
		console_say(rc->con, "WARNING: the card of %s (%s) has ONE PIN try left: a wrong PIN "
				     "now locks the card.", p->name, p->id);
		snprintf(key, sizeof(key), "card-final-try.%s", p->id);
		snprintf(prompt, sizeof(prompt), "%s: type \"yes\" to try the PIN anyway:", p->name);
		r = console_ask(rc->con, key, prompt, ans, sizeof(ans));
		if (r < 0)
			return r;
		if (strcmp(ans, "yes") != 0)
			return ce_err_set(CE_ERR_PIN, "%s (%s) did not try the last PIN try of their card",
					  p->name, p->id);
	} else if (fl & P11_TOKEN_USER_PIN_COUNT_LOW) {
		console_say(rc->con, "Warning: the card of %s (%s) reports few PIN tries left.",
			    p->name, p->id);
	}
	return 0;
}

/* Type the PIN and log in; the PIN wiped on the line after C_Login. */
static int card_login(struct run_ctx *rc, const struct roster_person *p,
		      const struct run_card_how *how, struct p11_session *s)
{
	char *pin = secmem_alloc(CARD_PIN_MAX + 1);
	size_t n = 0;
	int r = CE_ERR_INTERNAL;

	if (pin == NULL) {
		r = ce_err_set(CE_ERR_MLOCK, "no locked memory for the card PIN");
		goto out;
	}
	r = card_pin_read(rc, p, how, pin, CARD_PIN_MAX + 1, &n);
	if (r < 0)
		goto out;
	r = p11_session_login(s, P11_USER_NORMAL, pin, n);
	secmem_free(pin);
	pin = NULL;
	if (r == CE_ERR_PIN) {
		char keep[1024];
		unsigned fl = p11_token_info(p11_session_token(s))->flags;

		snprintf(keep, sizeof(keep), "%s", ce_err_detail());
		if (!(fl & (P11_TOKEN_USER_PIN_COUNT_LOW | P11_TOKEN_USER_PIN_FINAL_TRY |
			    P11_TOKEN_USER_PIN_LOCKED)))
			ce_err_set(r, "%s [tries left: the card reports no low count]", keep);
	}
out:
	secmem_free(pin);
	return r;
}

static void card_release(struct run_card *c);

static int card_present_how(struct run_ctx *rc, const struct roster_person *p,
			    const struct run_card_how *how, struct run_card *c)
{
	struct p11_card_key ck;
	int r;

	memset(c, 0, sizeof(*c));
	if (p->cert == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "%s (%s) has no certificate file in the roster "
						 "(certificate: PEM)", p->name, p->id);
		goto out;
	}
	r = card_find(rc, p, &c->tok);
	if (r < 0)
		goto out;
	r = p11_session_open(c->tok, &c->sess);
	if (r < 0)
		goto out;
	r = card_key_match(rc, p, c->sess, &ck);
	if (r < 0)
		goto out;
	r = card_tries_check(rc, p, c->tok);
	if (r < 0)
		goto out;
	r = card_login(rc, p, how, c->sess);
	if (r < 0)
		goto out;
	c->logged_in = 1;
	r = p11_card_key_open(c->sess, &ck, &c->key);
	if (r < 0)
		goto out;
	memcpy(c->spki_sha256, ck.spki_sha256, sizeof(c->spki_sha256));
	c->person = p;
	r = 0;
out:
	if (r < 0) {
		char keep[1024];

		snprintf(keep, sizeof(keep), "%s", ce_err_detail());
		card_release(c);
		ce_err_set(r, "%s", keep);
	}
	return r;
}

static void card_release(struct run_card *c)
{
	p11_key_free(c->key);
	if (c->logged_in && p11_session_logout(c->sess) < 0)
		ce_err_clear();
	p11_session_close(c->sess);
	p11_token_free(c->tok);
	memset(c, 0, sizeof(*c));
}

/* After op failed with r: 1 when the card is no longer in its slot
 * (C_GetTokenInfo fails: pulled out); the operation's error kept. */
static int card_gone(struct run_card *c, int r)
{
	char keep[1024];
	int gone;

	if (r != CE_ERR_PKCS11)
		return 0;
	snprintf(keep, sizeof(keep), "%s", ce_err_detail());
	gone = p11_token_refresh(c->tok) < 0;
	ce_err_set(r, "%s", keep);
	return gone;
}

const struct p11_key *run_card_key(const struct run_card *c)
{
	return c->key;
}

int run_card_use(struct run_ctx *rc, const struct roster_person *p,
		 const struct run_card_how *how, run_card_op_fn op, void *arg)
{
	struct run_card c;
	char why[1024];
	int r, pulls;

	for (pulls = 0;; pulls++) {
		r = card_present_how(rc, p, how, &c);
		if (r < 0) {
			if (pulls > 0 && r == CE_ERR_NOT_FOUND) {
				snprintf(why, sizeof(why), "%s", ce_err_detail());
				r = ce_err_set(RUN_CARD_GONE, "the card of %s (%s) was removed during %s and not "
						  "inserted again (%s)", p->name, p->id, how->what,
					       why);
			}
			return r;
		}
		r = op(rc, &c, arg);
		if (r == 0 || r == CE_ERR_ABORTED || !card_gone(&c, r) ||
		    pulls + 1 >= RUN_CARD_PULLS_MAX) {
			card_release(&c);
			return r;
		}
		snprintf(why, sizeof(why), "%s", ce_err_detail());
		card_release(&c);
		ce_err_clear();
		console_say(rc->con, "CARD REMOVED: the card of %s (%s) was pulled out during %s "
				     "(%s).", p->name, p->id, how->what, why);
		console_say(rc->con, "  Insert the card of %s (%s) again: %s starts again with a "
				     "fresh login (nothing of the interrupted try is kept).",
			    p->name, p->id, how->what);
	}
}
