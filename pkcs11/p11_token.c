/* SPDX-License-Identifier: Apache-2.0 */
/* Tokens found by URI, mechanisms, sessions, login, PIN change, token init.
 * PIN generation is in p11_pin.c. */
#include "pkcs11/p11_internal.h"
#include "common/err.h"
#include "common/secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P11_TOKEN_LIST_MAX 16 /* ambiguous matches named in the error */

const char *p11_token_what(const struct p11_token *tok)
{
	static __thread char what[128];

	snprintf(what, sizeof(what), "token '%s' (serial %s)", tok->info.label,
		 tok->info.serial[0] != '\0' ? tok->info.serial : "none");
	return what;
}

int p11_uri_parse(const char *uri, int for_what, P11KitUri **out)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	int pr;

	*out = NULL;
	u = p11_kit_uri_new();
	if (u == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	pr = p11_kit_uri_parse(uri, (P11KitUriType)for_what, u);
	if (pr != P11_KIT_URI_OK) {
		r = ce_err_set(CE_ERR_FORMAT, "bad PKCS#11 URI '%s': %s (RFC 7512: pkcs11:token=LABEL;object=NAME)",
			       uri, p11_kit_uri_message(pr));
		goto out;
	}
	/* PINs never travel in URIs: they would end up in argv, logs, history. */
	if (p11_kit_uri_get_pin_value(u) != NULL) {
		r = ce_err_set(CE_ERR_INVALID, "PKCS#11 URI carries pin-value: refused (PINs are "
					       "entered at the console, never in a URI)");
		goto out;
	}
	if (p11_kit_uri_get_pin_source(u) != NULL) {
		r = ce_err_set(CE_ERR_INVALID, "PKCS#11 URI carries pin-source: refused (PINs are "
					       "entered at the console, never in a URI)");
		goto out;
	}
	if (p11_kit_uri_get_slot_id(u) != (CK_SLOT_ID)-1) {
		r = ce_err_set(CE_ERR_INVALID, "PKCS#11 URI '%s' names a slot-id: slot numbers "
					       "change; select the token by token= and serial=", uri);
		goto out;
	}
	r = p11_uri_query_check(uri); /* unknown query attributes: never ignored */
	if (r < 0)
		goto out;
	/* ... also as p11-kit understood them: text it files under the query
	 * (";odel=x" after "pkcs11:;") shows in its canonical form only */
	{
		char *canon = NULL;

		if (p11_kit_uri_format(u, P11_KIT_URI_FOR_ANY, &canon) == P11_KIT_URI_OK &&
		    canon != NULL) {
			r = p11_uri_query_check(canon);
			free(canon);
			if (r < 0)
				goto out;
		}
	}
	/* A misspelt attribute would otherwise match every token. */
	if (p11_kit_uri_any_unrecognized(u)) {
		r = ce_err_set(CE_ERR_FORMAT, "PKCS#11 URI '%s' has an attribute p11-kit does not "
					      "know (misspelt?)", uri);
		goto out;
	}
	*out = u;
	u = NULL; /* transferred */
	r = 0;
out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

/* Search every usable module for tokens matching u; initialized selects
 * initialised (1) or blank (0) tokens. Fills *found with the single match. */
static int token_search(struct p11_ctx *ctx, P11KitUri *u, const char *uri, int initialized,
			struct p11_token **found)
{
	int r = CE_ERR_INTERNAL;
	size_t mi, si, nslots = 0, matches = 0;
	struct p11_slot *slots = NULL;
	struct p11_token *tok = NULL;
	char list[1024], first_serial[sizeof(slots->token.serial)];
	size_t used = 0;
	int same_serial = 1;

	list[0] = '\0';
	first_serial[0] = '\0';
	*found = NULL;
	for (mi = 0; mi < ctx->n; mi++) {
		struct p11_module *m = &ctx->mods[mi];
		CK_INFO info;

		if (m->error != 0)
			continue;
		if (p11_get_info(m, &info) != CKR_OK || !p11_kit_uri_match_module_info(u, &info))
			continue;
		if (!p11_uri_module_match(m, u)) /* module-name, module-path */
			continue;
		r = p11_module_slots(m, &slots, &nslots);
		if (r < 0)
			goto out;
		for (si = 0; si < nslots; si++) {
			struct p11_slot *sl = &slots[si];
			CK_TOKEN_INFO ti;

			if (!sl->token_present)
				continue;
			if (!!(sl->token.flags & P11_TOKEN_INITIALIZED) != !!initialized)
				continue;
			if (p11_get_token_info(m, sl->slot_id, &ti) != CKR_OK)
				continue;
			if (!p11_kit_uri_match_token_info(u, &ti))
				continue;
			if (!p11_uri_slot_match(m, sl->slot_id, u)) /* slot-description, -manufacturer */
				continue;
			matches++;
			if (matches == 1)
				snprintf(first_serial, sizeof(first_serial), "%s", sl->token.serial);
			else if (strcmp(first_serial, sl->token.serial) != 0)
				same_serial = 0;
			if (matches <= P11_TOKEN_LIST_MAX && used < sizeof(list)) {
				int w = snprintf(list + used, sizeof(list) - used,
						 "%s'%s' serial %s in %s", matches > 1 ? "; " : "",
						 sl->token.label, sl->token.serial, m->name);
				if (w > 0)
					used += (size_t)w;
			}
			if (matches == 1) {
				tok = calloc(1, sizeof(*tok));
				if (tok == NULL) {
					r = ce_err_set(CE_ERR_NOMEM, "out of memory");
					goto out;
				}
				tok->ctx = ctx;
				tok->mod = m;
				tok->slot = sl->slot_id;
				tok->info = sl->token;
				tok->uri = sl->token_uri;
				sl->token_uri = NULL; /* transferred */
			}
		}
		p11_slots_free(slots, nslots);
		slots = NULL;
		nslots = 0;
	}
	if (matches == 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no %stoken matches '%s' (see `ceremony hsm list`)",
			       initialized ? "initialised " : "blank (uninitialised) ", uri);
		goto out;
	}
	if (matches > 1) {
		r = ce_err_set(CE_ERR_INVALID, "%zu tokens match '%s': %s%s; %s", matches, uri, list,
			       used >= sizeof(list) ? "..." : "",
			       same_serial ? "they report the same serial (the module gives every "
					     "token one serial), so serial= cannot tell them apart: "
					     "give each token its own label, or add model= or "
					     "manufacturer= to the URI"
					   : "add serial= to the URI");
		goto out;
	}
	*found = tok;
	tok = NULL; /* transferred */
	r = 0;
out:
	p11_slots_free(slots, nslots);
	p11_token_free(tok);
	return r;
}

static int token_find(struct p11_ctx *ctx, const char *uri, int initialized,
		      struct p11_token **out)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;

	*out = NULL;
	r = p11_uri_parse(uri, P11_KIT_URI_FOR_ANY, &u);
	if (r < 0)
		goto out;
	r = p11_uri_modules_check(ctx, u, uri);
	if (r < 0)
		goto out;
	r = token_search(ctx, u, uri, initialized, out);
	if (r < 0)
		goto out;
	r = 0;
out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

int p11_token_find(struct p11_ctx *ctx, const char *uri, struct p11_token **out)
{
	return token_find(ctx, uri, 1, out);
}

int p11_token_find_blank(struct p11_ctx *ctx, const char *uri, struct p11_token **out)
{
	return token_find(ctx, uri, 0, out);
}

void p11_token_free(struct p11_token *tok)
{
	if (tok == NULL)
		return;
	free(tok->uri);
	free(tok);
}

const struct p11_token_info *p11_token_info(const struct p11_token *tok)
{
	return &tok->info;
}

const struct p11_module *p11_token_module(const struct p11_token *tok)
{
	return tok->mod;
}

const char *p11_token_uri(const struct p11_token *tok)
{
	return tok->uri;
}

int p11_token_refresh(struct p11_token *tok)
{
	CK_TOKEN_INFO ti;
	CK_RV rv;
	char *uri;

	rv = p11_get_token_info(tok->mod, tok->slot, &ti);
	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_GetTokenInfo", p11_token_what(tok));
	p11_token_info_from_ck(&tok->info, &ti);
	uri = p11_token_uri_format(&ti);
	if (uri == NULL)
		return ce_err_set(CE_ERR_NOMEM, "out of memory");
	free(tok->uri);
	tok->uri = uri;
	return 0;
}

int p11_token_has_mech(struct p11_token *tok, CK_MECHANISM_TYPE mech, unsigned flags)
{
	CK_MECHANISM_INFO mi;
	CK_FLAGS need = 0;

	/* SoftHSM 2.6 ORs flags into the caller's struct: start from zero. */
	memset(&mi, 0, sizeof(mi));
	if (tok->mod->fl->C_GetMechanismInfo(tok->slot, mech, &mi) != CKR_OK)
		return 0;
	if (flags & P11_MECH_SIGN)
		need |= CKF_SIGN;
	if (flags & P11_MECH_GENERATE_KEY_PAIR)
		need |= CKF_GENERATE_KEY_PAIR;
	if (flags & P11_MECH_WRAP)
		need |= CKF_WRAP;
	if (flags & P11_MECH_UNWRAP)
		need |= CKF_UNWRAP;
	return (mi.flags & need) == need;
}

static unsigned mech_flags_from_ck(CK_FLAGS f)
{
	unsigned o = 0;

	o |= (f & CKF_HW) ? P11_MECH_HW : 0;
	o |= (f & CKF_ENCRYPT) ? P11_MECH_ENCRYPT : 0;
	o |= (f & CKF_DECRYPT) ? P11_MECH_DECRYPT : 0;
	o |= (f & CKF_DIGEST) ? P11_MECH_DIGEST : 0;
	o |= (f & CKF_SIGN) ? P11_MECH_SIGN : 0;
	o |= (f & CKF_VERIFY) ? P11_MECH_VERIFY : 0;
	o |= (f & CKF_GENERATE) ? P11_MECH_GENERATE : 0;
	o |= (f & CKF_GENERATE_KEY_PAIR) ? P11_MECH_GENERATE_KEY_PAIR : 0;
	o |= (f & CKF_WRAP) ? P11_MECH_WRAP : 0;
	o |= (f & CKF_UNWRAP) ? P11_MECH_UNWRAP : 0;
	o |= (f & CKF_DERIVE) ? P11_MECH_DERIVE : 0;
	return o;
}

int p11_token_mechanisms(struct p11_token *tok, struct p11_mech **out, size_t *n)
{
	int r = CE_ERR_INTERNAL;
	CK_MECHANISM_TYPE *types = NULL;
	CK_ULONG count = 0, i;
	struct p11_mech *mechs = NULL;
	CK_RV rv;

	*out = NULL;
	*n = 0;
	rv = tok->mod->fl->C_GetMechanismList(tok->slot, NULL, &count);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetMechanismList", p11_token_what(tok));
		goto out;
	}
	types = calloc(count + 1, sizeof(*types));
	mechs = calloc(count + 1, sizeof(*mechs));
	if (types == NULL || mechs == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	rv = tok->mod->fl->C_GetMechanismList(tok->slot, types, &count);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetMechanismList", p11_token_what(tok));
		goto out;
	}
	for (i = 0; i < count; i++) {
		CK_MECHANISM_INFO mi;
		const char *name;

		memset(&mi, 0, sizeof(mi)); /* SoftHSM ORs into it */
		mechs[i].type = types[i];
		name = p11_mech_name(types[i], mechs[i].name, sizeof(mechs[i].name));
		if (name != mechs[i].name)
			snprintf(mechs[i].name, sizeof(mechs[i].name), "%s", name);
		rv = tok->mod->fl->C_GetMechanismInfo(tok->slot, types[i], &mi);
		if (rv != CKR_OK) {
			r = p11_rv_fail(rv, "C_GetMechanismInfo", mechs[i].name);
			goto out;
		}
		mechs[i].min_key = mi.ulMinKeySize;
		mechs[i].max_key = mi.ulMaxKeySize;
		mechs[i].flags = mech_flags_from_ck(mi.flags);
	}
	*out = mechs;
	*n = (size_t)count;
	mechs = NULL; /* transferred */
	r = 0;
out:
	free(types);
	free(mechs);
	return r;
}

int p11_session_open(struct p11_token *tok, struct p11_session **out)
{
	int r = CE_ERR_INTERNAL;
	struct p11_session *s = NULL;
	CK_RV rv;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	s->tok = tok;
	rv = tok->mod->fl->C_OpenSession(tok->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
					 NULL, &s->h);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_OpenSession", p11_token_what(tok));
		goto out;
	}
	*out = s;
	s = NULL; /* transferred */
	r = 0;
out:
	free(s);
	return r;
}

void p11_session_close(struct p11_session *s)
{
	if (s == NULL)
		return;
	(void)s->tok->mod->fl->C_CloseSession(s->h);
	free(s);
}

struct p11_token *p11_session_token(const struct p11_session *s)
{
	return s->tok;
}

static const char *user_name(enum p11_user user)
{
	return user == P11_USER_SO ? "Security Officer" : "user";
}

/* Append to detail what the token's counter flags say about the tries left
 * for user's PIN (re-read from the token). always: say it also when the
 * token reports no warning. */
static void tries_note(struct p11_token *tok, enum p11_user user, char *detail, size_t cap,
		       int always)
{
	size_t used = strlen(detail);
	unsigned fl;

	if (p11_token_refresh(tok) < 0) {
		ce_err_clear();
		return;
	}
	fl = tok->info.flags;
	if (user == P11_USER_SO)
		fl >>= 4; /* SO flags sit 4 bits above the user ones */
	if (fl & P11_TOKEN_USER_PIN_LOCKED)
		snprintf(detail + used, cap - used, " [the PIN is now locked]");
	else if (fl & P11_TOKEN_USER_PIN_FINAL_TRY)
		snprintf(detail + used, cap - used, " [one try left before the PIN locks]");
	else if (fl & P11_TOKEN_USER_PIN_COUNT_LOW)
		snprintf(detail + used, cap - used, " [few tries left]");
	else if (always)
		snprintf(detail + used, cap - used, " [tries left: the token reports no low count]");
}

int p11_session_login(struct p11_session *s, enum p11_user user, const char *pin, size_t pin_len)
{
	int r = CE_ERR_INTERNAL;
	CK_RV rv;
	char what[192];
	char detail[1024];

	snprintf(what, sizeof(what), "%s as %s", p11_token_what(s->tok), user_name(user));
	rv = s->tok->mod->fl->C_Login(s->h, user == P11_USER_SO ? CKU_SO : CKU_USER,
				      (CK_UTF8CHAR_PTR)pin, pin != NULL ? (CK_ULONG)pin_len : 0);
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
		/* Counters reset on success; a failed re-read changes nothing. */
		if (p11_token_refresh(s->tok) < 0)
			ce_err_clear();
		r = 0;
		goto out;
	}
	r = p11_rv_fail(rv, "C_Login", what);
	snprintf(detail, sizeof(detail), "%s", ce_err_detail());
	tries_note(s->tok, user, detail, sizeof(detail), 0);
	ce_err_set(r, "%s", detail);
	p11_failure_record(rv, "C_Login", what);
out:
	return r;
}

int p11_session_logout(struct p11_session *s)
{
	CK_RV rv = s->tok->mod->fl->C_Logout(s->h);

	if (rv == CKR_OK || rv == CKR_USER_NOT_LOGGED_IN)
		return 0;
	return p11_rv_fail(rv, "C_Logout", p11_token_what(s->tok));
}

int p11_session_random(struct p11_session *s, uint8_t *buf, size_t len)
{
	CK_RV rv = s->tok->mod->fl->C_GenerateRandom(s->h, buf, (CK_ULONG)len);

	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_GenerateRandom", p11_token_what(s->tok));
	return 0;
}

int p11_session_set_pin(struct p11_session *s, const char *old_pin, size_t old_len,
			const char *new_pin, size_t new_len)
{
	CK_RV rv = s->tok->mod->fl->C_SetPIN(s->h, (CK_UTF8CHAR_PTR)old_pin, (CK_ULONG)old_len,
					     (CK_UTF8CHAR_PTR)new_pin, (CK_ULONG)new_len);

	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_SetPIN", p11_token_what(s->tok));
	return 0;
}

/* What a token looked like before C_InitToken: its slot (and the serial and
 * label there when it was initialised). */
struct p11_before {
	CK_SLOT_ID slot;
	int initialised;
};

/* After C_InitToken the token may sit in another slot (SoftHSM moves it).
 * Found again without trusting the serial (some modules give every token the
 * same one): a present token of this module with the new label and the
 * manufacturer and model of the token initialised, either in the slot that
 * was initialised, or in a slot that held no initialised token before. Two
 * such tokens: refused, naming them, never a guess. */
static int token_relocate(struct p11_token *tok, const char *label,
			  const struct p11_before *before, size_t nbefore)
{
	int r = CE_ERR_INTERNAL;
	struct p11_slot *slots = NULL;
	size_t n = 0, i, j, found = 0, used = 0;
	struct p11_slot *hit = NULL, *same = NULL;
	char list[512];

	list[0] = '\0';
	r = p11_module_slots(tok->mod, &slots, &n);
	if (r < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct p11_slot *sl = &slots[i];
		int was_initialised = 0;

		/* Some modules (NSS softokn) report the token initialised only once
		 * the user PIN is set: the initialised flag is not asked for. */
		if (!sl->token_present || strcmp(sl->token.label, label) != 0 ||
		    strcmp(sl->token.manufacturer, tok->info.manufacturer) != 0 ||
		    strcmp(sl->token.model, tok->info.model) != 0)
			continue;
		if (sl->slot_id == tok->slot) {
			same = sl;
			continue;
		}
		for (j = 0; j < nbefore; j++)
			if (before[j].slot == sl->slot_id && before[j].initialised)
				was_initialised = 1;
		if (was_initialised)
			continue;
		hit = sl;
		found++;
		if (used < sizeof(list)) {
			int w = snprintf(list + used, sizeof(list) - used, "%sslot %lu serial %s",
					 found > 1 ? "; " : "", sl->slot_id, sl->token.serial);
			if (w > 0)
				used += (size_t)w;
		}
	}
	if (same != NULL) { /* initialised where it was */
		hit = same;
		found = 1;
	}
	if (found > 1) {
		r = ce_err_set(CE_ERR_STATE, "token '%s' initialised, but %zu tokens of this module "
					     "now carry that label in slots that held no initialised "
					     "token before (%s%s): the tool cannot tell which one it "
					     "initialised; nothing more is done to it. Remove the other "
					     "tokens and run `ceremony hsm list`", label, found, list,
			       used >= sizeof(list) ? "..." : "");
		goto out;
	}
	if (found == 0) {
		r = ce_err_set(CE_ERR_STATE, "token '%s' initialised but not found again (no token "
					     "of this module with that label, manufacturer '%s' and "
					     "model '%s' in the slot initialised or in a slot that was "
					     "blank): run `ceremony hsm list`", label,
			       tok->info.manufacturer, tok->info.model);
		goto out;
	}
	tok->slot = hit->slot_id;
	tok->info = hit->token;
	free(tok->uri);
	tok->uri = hit->token_uri;
	hit->token_uri = NULL; /* transferred */
	r = 0;
out:
	p11_slots_free(slots, n);
	return r;
}

/* C_InitToken with init_pin (the SO PIN to set, or the current one when the
 * token is initialised already and wants it), found again, then as SO:
 * C_SetPIN(init_pin -> so_pin) when they differ, C_InitPIN(user_pin). */
static int token_init(struct p11_token *tok, const char *init_pin, size_t init_len,
		      const char *so_pin, size_t so_len, const char *label, const char *user_pin,
		      size_t user_len)
{
	int r = CE_ERR_INTERNAL;
	CK_UTF8CHAR padded[32];
	struct p11_slot *slots = NULL;
	size_t n = 0, i, nbefore = 0;
	struct p11_before *before = NULL;
	struct p11_session *s = NULL;
	int logged_in = 0;
	CK_RV rv;

	if (label == NULL || label[0] == '\0' || strlen(label) > sizeof(padded)) {
		r = ce_err_set(CE_ERR_INVALID, "token label must be 1..%zu bytes", sizeof(padded));
		goto out;
	}
	memset(padded, ' ', sizeof(padded));
	memcpy(padded, label, strlen(label));
	r = p11_module_slots(tok->mod, &slots, &n);
	if (r < 0)
		goto out;
	before = calloc(n + 1, sizeof(*before));
	if (before == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		before[nbefore].slot = slots[i].slot_id;
		before[nbefore++].initialised =
			slots[i].token_present && (slots[i].token.flags & P11_TOKEN_INITIALIZED);
	}
	rv = tok->mod->fl->C_InitToken(tok->slot, (CK_UTF8CHAR_PTR)init_pin, (CK_ULONG)init_len,
				       padded);
	if (rv != CKR_OK) {
		char detail[1024];

		r = p11_rv_fail(rv, "C_InitToken", p11_token_what(tok));
		if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED) {
			snprintf(detail, sizeof(detail), "%s", ce_err_detail());
			tries_note(tok, P11_USER_SO, detail, sizeof(detail), 1);
			ce_err_set(r, "%s", detail);
			p11_failure_record(rv, "C_InitToken", p11_token_what(tok));
		}
		goto out;
	}
	tok->init_done = 1; /* irreversible from here: the caller must know */
	r = token_relocate(tok, label, before, nbefore);
	if (r < 0)
		goto out;
	r = p11_session_open(tok, &s);
	if (r < 0)
		goto out;
	r = p11_session_login(s, P11_USER_SO, init_pin, init_len);
	if (r < 0)
		goto out;
	logged_in = 1;
	if (init_pin != so_pin) {
		r = p11_session_set_pin(s, init_pin, init_len, so_pin, so_len);
		if (r < 0)
			goto out;
	}
	rv = tok->mod->fl->C_InitPIN(s->h, (CK_UTF8CHAR_PTR)user_pin, (CK_ULONG)user_len);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_InitPIN", p11_token_what(tok));
		goto out;
	}
	r = p11_session_logout(s);
	logged_in = 0;
	if (r < 0)
		goto out;
	r = p11_token_refresh(tok);
	if (r < 0)
		goto out;
	r = 0;
out:
	if (logged_in) {
		/* The first failure is the one to report. */
		char keep[1024];
		const struct p11_failure *cur = p11_failure_current();
		struct p11_failure f = { 0 };
		int had = cur != NULL;

		if (had)
			f = *cur;
		snprintf(keep, sizeof(keep), "%s", ce_err_detail());
		if (p11_session_logout(s) < 0) {
			ce_err_set(r, "%s", keep);
			if (had)
				p11_failure_record(f.rv, f.function, f.what);
		}
	}
	p11_session_close(s);
	p11_slots_free(slots, n);
	free(before);
	return r;
}

int p11_token_init(struct p11_token *tok, const char *so_pin, size_t so_len, const char *label,
		   const char *user_pin, size_t user_len)
{
	return token_init(tok, so_pin, so_len, so_pin, so_len, label, user_pin, user_len);
}

int p11_token_init_done(const struct p11_token *tok)
{
	return tok != NULL && tok->init_done;
}

int p11_token_reinit(struct p11_token *tok, const char *cur_so, size_t cur_len, const char *so_pin,
		     size_t so_len, const char *label, const char *user_pin, size_t user_len)
{
	if (cur_so == NULL || cur_len == 0 || cur_so == so_pin)
		return ce_err_set(CE_ERR_INVALID, "re-initialising %s needs its current SO PIN",
				  p11_token_what(tok));
	/* An initialised token may have sessions of this process open:
	 * pkcs11-provider, loaded by the preflight (the same module instance,
	 * no-deinit), leaves the one it opened on it, and C_InitToken then says
	 * CKR_SESSION_EXISTS. None of ours is open on it here, and the token is
	 * about to lose every object: close them. A failure here is left to
	 * C_InitToken to name. */
	(void)tok->mod->fl->C_CloseAllSessions(tok->slot);
	return token_init(tok, cur_so, cur_len, so_pin, so_len, label, user_pin, user_len);
}
