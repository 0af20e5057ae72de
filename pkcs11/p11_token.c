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
	char list[1024];
	size_t used = 0;

	list[0] = '\0';
	*found = NULL;
	for (mi = 0; mi < ctx->n; mi++) {
		struct p11_module *m = &ctx->mods[mi];
		CK_INFO info;

		if (m->error != 0)
			continue;
		if (m->fl->C_GetInfo(&info) != CKR_OK || !p11_kit_uri_match_module_info(u, &info))
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
			if (m->fl->C_GetTokenInfo(sl->slot_id, &ti) != CKR_OK)
				continue;
			if (!p11_kit_uri_match_token_info(u, &ti))
				continue;
			if (!p11_uri_slot_match(m, sl->slot_id, u)) /* slot-description, -manufacturer */
				continue;
			matches++;
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
		r = ce_err_set(CE_ERR_INVALID, "%zu tokens match '%s': %s%s; add serial= to the URI",
			       matches, uri, list, used >= sizeof(list) ? "..." : "");
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

	rv = tok->mod->fl->C_GetTokenInfo(tok->slot, &ti);
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

int p11_session_login(struct p11_session *s, enum p11_user user, const char *pin, size_t pin_len)
{
	int r = CE_ERR_INTERNAL;
	CK_RV rv;
	char what[192];
	char detail[1024];
	unsigned fl;

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
	/* The counter state tells the operator how careful to be next. */
	if (p11_token_refresh(s->tok) == 0) {
		fl = s->tok->info.flags;
		if (user == P11_USER_SO)
			fl >>= 4; /* SO flags sit 4 bits above the user ones */
		if (fl & P11_TOKEN_USER_PIN_LOCKED)
			snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
				 " [the PIN is now locked]");
		else if (fl & P11_TOKEN_USER_PIN_FINAL_TRY)
			snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
				 " [one try left before the PIN locks]");
		else if (fl & P11_TOKEN_USER_PIN_COUNT_LOW)
			snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
				 " [few tries left]");
	}
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

/* After C_InitToken the token may sit in another slot (SoftHSM): find the
 * token of this module with the label whose serial is not in before[] (or
 * equal to old_serial when it was initialised already). */
static int token_relocate(struct p11_token *tok, const char *label, const char *old_serial,
			  char (*before)[17], size_t nbefore)
{
	int r = CE_ERR_INTERNAL;
	struct p11_slot *slots = NULL;
	size_t n = 0, i, j, found = 0;
	struct p11_slot *hit = NULL;

	r = p11_module_slots(tok->mod, &slots, &n);
	if (r < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct p11_slot *sl = &slots[i];
		int known = 0;

		/* Some modules (NSS softokn) report the token initialised only once
		 * the user PIN is set: match on the label alone. */
		if (!sl->token_present || strcmp(sl->token.label, label) != 0)
			continue;
		if (old_serial[0] != '\0' && strcmp(sl->token.serial, old_serial) == 0) {
			hit = sl;
			found = 1;
			break;
		}
		for (j = 0; j < nbefore; j++)
			if (strcmp(before[j], sl->token.serial) == 0)
				known = 1;
		if (!known) {
			hit = sl;
			found++;
		}
	}
	if (found != 1) {
		r = ce_err_set(CE_ERR_STATE, "token '%s' initialised but not found again "
					     "(%zu candidates): run `ceremony hsm list`", label, found);
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

int p11_token_init(struct p11_token *tok, const char *so_pin, size_t so_len, const char *label,
		   const char *user_pin, size_t user_len)
{
	int r = CE_ERR_INTERNAL;
	CK_UTF8CHAR padded[32];
	struct p11_slot *slots = NULL;
	size_t n = 0, i, nbefore = 0;
	char (*before)[17] = NULL;
	char old_serial[17];
	struct p11_session *s = NULL;
	int logged_in = 0;
	CK_RV rv;

	if (label == NULL || label[0] == '\0' || strlen(label) > sizeof(padded)) {
		r = ce_err_set(CE_ERR_INVALID, "token label must be 1..%zu bytes", sizeof(padded));
		goto out;
	}
	memset(padded, ' ', sizeof(padded));
	memcpy(padded, label, strlen(label));
	snprintf(old_serial, sizeof(old_serial), "%s",
		 (tok->info.flags & P11_TOKEN_INITIALIZED) ? tok->info.serial : "");
	r = p11_module_slots(tok->mod, &slots, &n);
	if (r < 0)
		goto out;
	before = calloc(n + 1, sizeof(*before));
	if (before == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (slots[i].token_present && (slots[i].token.flags & P11_TOKEN_INITIALIZED))
			memcpy(before[nbefore++], slots[i].token.serial, 17);
	rv = tok->mod->fl->C_InitToken(tok->slot, (CK_UTF8CHAR_PTR)so_pin, (CK_ULONG)so_len,
				       padded);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_InitToken", p11_token_what(tok));
		goto out;
	}
	r = token_relocate(tok, label, old_serial, before, nbefore);
	if (r < 0)
		goto out;
	r = p11_session_open(tok, &s);
	if (r < 0)
		goto out;
	r = p11_session_login(s, P11_USER_SO, so_pin, so_len);
	if (r < 0)
		goto out;
	logged_in = 1;
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
