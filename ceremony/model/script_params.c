/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/script_params.c - the action table and the check of each step's
 * parameters against it (docs/script-format.md section 5).
 */
#include "ceremony/model/script_internal.h"
#include "ceremony/model/roster.h"
#include "common/err.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ---- the action table ------------------------------------------------ */

#define P_END { NULL, PT_STRING, 0, NULL, 0, 0, SECRET_USE_NONE }
#define P_REQ(k, t) { k, t, 1, NULL, 0, 0, SECRET_USE_NONE }
#define P_OPT(k, t) { k, t, 0, NULL, 0, 0, SECRET_USE_NONE }
#define P_ENUM(k, req, c) { k, PT_ENUM, req, c, 0, 0, SECRET_USE_NONE }
#define P_INT(k, req, lo, hi) { k, PT_INT, req, NULL, lo, hi, SECRET_USE_NONE }
#define P_SECRET(k, kinds, use) { k, PT_SECRET, 1, kinds, 0, 0, use }
#define DIGESTS "sha256|sha384|sha512"

static void check_keygen(const struct script *s, const struct script_step *st, struct diag *d);
static void check_fingerprint(const struct script *s, const struct script_step *st, struct diag *d);
static void check_attendance(const struct script *s, const struct script_step *st, struct diag *d);
static void check_reshare(const struct script *s, const struct script_step *st, struct diag *d);
static void check_cert_issue(const struct script *s, const struct script_step *st,
			     struct diag *d);
static void check_self_sign(const struct script *s, const struct script_step *st,
			    struct diag *d);

void (*script_profile_checker)(const struct script *s, const struct script_step *st,
			       struct diag *d);

static const struct script_param_spec p_attendance[] = {
	P_OPT("identity-check", PT_STRING), P_END
};
static const struct script_param_spec p_checklist[] = {
	P_REQ("items", PT_ITEMS), P_END
};
static const struct script_param_spec p_token_init[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("label", PT_STRING),
	P_OPT("reinit", PT_BOOL),
	P_SECRET("so-pin", "so-pin", SECRET_USE_ISSUE),
	P_SECRET("user-pin", "pin", SECRET_USE_ISSUE),
	P_INT("pin-length", 0, 4, 64),
	P_ENUM("pin-alphabet", 0, "typeable|digits"),
	P_INT("min-pin-entropy-bits", 0, 1, 128),
	P_END
};
static const struct script_param_spec p_quorum_login[] = {
	P_REQ("token", PT_TOKEN),
	P_SECRET("secret", "pin|so-pin", SECRET_USE_QUORUM),
	P_END
};
static const struct script_param_spec p_key_generate[] = {
	P_REQ("token", PT_TOKEN),
	P_ENUM("type", 1, "rsa|ec|ed25519"),
	P_INT("size", 0, 2048, 4096),
	P_ENUM("curve", 0, "p-256|p-384|p-521"),
	P_REQ("label", PT_STRING),
	P_REQ("id", PT_HEX),
	P_OPT("extractable", PT_BOOL),
	P_END
};
static const struct script_param_spec p_export_public[] = {
	P_REQ("token", PT_TOKEN), P_REQ("key", PT_STRING), P_REQ("output", PT_OUTPUT), P_END
};
static const struct script_param_spec p_self_sign[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("key", PT_STRING),
	P_REQ("subject", PT_PROFILE),
	P_OPT("profile", PT_PROFILE), /* default root-ca */
	P_INT("validity-days", 0, 1, 18250),
	P_INT("pathlen", 0, 0, 16),
	P_OPT("serial", PT_HEX),
	P_ENUM("digest", 0, DIGESTS),
	P_REQ("output", PT_OUTPUT),
	/* profile fields (script_profile.c), as cert.issue */
	P_OPT("not-before", PT_PROFILE),
	P_OPT("not-after", PT_PROFILE),
	P_OPT("signature-algorithm", PT_PROFILE),
	P_OPT("ca", PT_PROFILE),
	P_OPT("key-usage", PT_PROFILE),
	P_OPT("ext-key-usage", PT_PROFILE),
	P_OPT("ext-key-usage-critical", PT_PROFILE),
	P_OPT("policies", PT_PROFILE),
	P_OPT("crl-urls", PT_PROFILE),
	P_OPT("ocsp-urls", PT_PROFILE),
	P_OPT("ca-issuers-urls", PT_PROFILE),
	P_OPT("name-constraints", PT_PROFILE),
	P_OPT("ocsp-nocheck", PT_PROFILE),
	P_OPT("ski-method", PT_PROFILE),
	P_END
};
static const struct script_param_spec p_csr_create[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("key", PT_STRING),
	P_REQ("subject", PT_STRING),
	P_ENUM("digest", 0, DIGESTS),
	P_REQ("output", PT_OUTPUT),
	P_END
};
static const struct script_param_spec p_cert_issue[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("key", PT_STRING),
	P_REQ("issuer-cert", PT_PATH),
	P_REQ("csr", PT_PATH),
	P_REQ("profile", PT_PROFILE),
	P_INT("validity-days", 0, 1, 18250),
	P_INT("pathlen", 0, 0, 16),
	P_OPT("serial", PT_HEX),
	P_ENUM("digest", 0, DIGESTS),
	P_REQ("output", PT_OUTPUT),
	/* profile fields (script_profile.c) */
	P_OPT("not-before", PT_PROFILE),
	P_OPT("not-after", PT_PROFILE),
	P_OPT("signature-algorithm", PT_PROFILE),
	P_OPT("subject", PT_PROFILE),
	P_OPT("ca", PT_PROFILE),
	P_OPT("key-usage", PT_PROFILE),
	P_OPT("ext-key-usage", PT_PROFILE),
	P_OPT("ext-key-usage-critical", PT_PROFILE),
	P_OPT("policies", PT_PROFILE),
	P_OPT("crl-urls", PT_PROFILE),
	P_OPT("ocsp-urls", PT_PROFILE),
	P_OPT("ca-issuers-urls", PT_PROFILE),
	P_OPT("name-constraints", PT_PROFILE),
	P_OPT("ocsp-nocheck", PT_PROFILE),
	P_OPT("ski-method", PT_PROFILE),
	P_END
};
static const struct script_param_spec p_crl_sign[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("key", PT_STRING),
	P_REQ("issuer-cert", PT_PATH),
	P_INT("crl-number", 1, 1, LONG_MAX),
	P_INT("next-update-days", 1, 1, 3660),
	P_INT("max-next-update-days", 0, 1, 365),
	P_OPT("this-update", PT_STRING),
	P_OPT("previous-crl", PT_PATH),
	P_OPT("idp-url", PT_STRING),
	P_OPT("revoked", PT_REVOKED),
	P_ENUM("digest", 0, DIGESTS),
	P_REQ("output", PT_OUTPUT),
	P_END
};
static const struct script_param_spec p_key_backup[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("key", PT_STRING),
	P_SECRET("wrap-key", "aes-128|aes-256", SECRET_USE_ISSUE),
	P_REQ("output", PT_OUTPUT),
	P_END
};
static const struct script_param_spec p_key_restore[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("input", PT_PATH),
	P_SECRET("wrap-key", "aes-128|aes-256", SECRET_USE_QUORUM),
	P_OPT("label", PT_STRING),
	P_END
};
static const struct script_param_spec p_reshare[] = {
	P_SECRET("secret", "pin|so-pin|aes-128|aes-256", SECRET_USE_QUORUM | SECRET_USE_ISSUE),
	P_OPT("groups", PT_GROUPS),
	P_INT("group-threshold", 0, 1, SCRIPT_MAX_GROUPS),
	P_END
};
static const struct script_param_spec p_pin_rotate[] = {
	P_REQ("token", PT_TOKEN),
	P_SECRET("secret", "pin|so-pin", SECRET_USE_QUORUM | SECRET_USE_ISSUE),
	P_INT("pin-length", 0, 4, 64),
	P_ENUM("pin-alphabet", 0, "typeable|digits"),
	P_INT("min-pin-entropy-bits", 0, 1, 128),
	P_END
};
static const struct script_param_spec p_key_destroy[] = {
	P_REQ("token", PT_TOKEN), P_REQ("key", PT_STRING), P_END
};
static const struct script_param_spec p_fingerprint[] = {
	P_OPT("token", PT_TOKEN), P_OPT("key", PT_STRING), P_OPT("file", PT_PATH), P_END
};
static const struct script_param_spec p_roster_change[] = {
	P_ENUM("change", 1, "add|retire"), P_REQ("person", PT_NAME), P_REQ("role", PT_ROLE), P_END
};

const struct script_action script_actions[] = {
	{ "attendance", p_attendance, check_attendance, "attendance and identity check", 0 },
	{ "checklist", p_checklist, NULL, "items read out and witnessed", 0 },
	{ "token.init", p_token_init, NULL, "initialise a token, PINs split into shares", 0 },
	{ "quorum.login", p_quorum_login, NULL, "key holders enter shares, then login", 0 },
	{ "key.generate", p_key_generate, check_keygen, "generate a key pair on the token", 1 },
	{ "key.export-public", p_export_public, NULL, "write the public key", 1 },
	{ "cert.self-sign", p_self_sign, check_self_sign, "self-signed CA certificate", 1 },
	{ "csr.create", p_csr_create, NULL, "certificate signing request", 1 },
	{ "cert.issue", p_cert_issue, check_cert_issue, "sign a certificate from a CSR", 1 },
	{ "crl.sign", p_crl_sign, script_crl_check, "sign a CRL", 1 },
	{ "key.backup", p_key_backup, NULL, "wrap a key under a split wrapping key", 1 },
	{ "key.restore", p_key_restore, NULL, "unwrap a backed-up key onto a token", 1 },
	{ "shares.reshare", p_reshare, check_reshare, "new shares for a new holder set", 0 },
	{ "pin.rotate", p_pin_rotate, NULL, "new PIN, new shares, old shares void", 0 },
	{ "key.destroy", p_key_destroy, NULL, "destroy a key (double confirmation)", 1 },
	{ "fingerprint", p_fingerprint, check_fingerprint, "SHA-256 read out as words", 0 },
	{ "roster.change", p_roster_change, NULL, "personnel change, witnessed", 0 },
	{ NULL, NULL, NULL, NULL, 0 }
};

const struct script_action *script_action_find(const char *name)
{
	size_t i;

	for (i = 0; script_actions[i].name != NULL; i++)
		if (strcmp(script_actions[i].name, name) == 0)
			return &script_actions[i];
	return NULL;
}

const char *secret_kind_name(enum secret_kind k)
{
	switch (k) {
	case SECRET_PIN:
		return "pin";
	case SECRET_SO_PIN:
		return "so-pin";
	case SECRET_AES128:
		return "aes-128";
	case SECRET_AES256:
		return "aes-256";
	}
	return "?";
}

static int is_hex(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n % 2 != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int choice_has(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* PT_ITEMS: checklist items, each a string or {text, record}. */
static void check_items(const struct ynode *v, const char *what, struct diag *d)
{
	static const char *const ikeys[] = { "text", "record", NULL };
	size_t i;

	if (!yfield_want(d, v, YNODE_SEQ, what))
		return;
	if (v->n == 0)
		diag_error(d, &v->mark, "%s: at least one item", what);
	for (i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i], *t, *rec;

		if (it->type == YNODE_SCALAR)
			continue;
		if (!yfield_want(d, it, YNODE_MAP, "a checklist item"))
			continue;
		yfield_keys(d, it, ikeys, "a checklist item");
		t = yfield_need(d, it, "text", "checklist item");
		if (t != NULL)
			(void)yfield_scalar(d, t, "text");
		rec = ynode_get(it, "record");
		if (rec != NULL)
			(void)yfield_name(d, rec, "record");
	}
}

/* PT_REVOKED: CRL entries, each {serial, date, reason}. */
static void check_revoked(const struct ynode *v, const char *what, struct diag *d)
{
	static const char *const rkeys[] = { "serial", "date", "reason", NULL };
	static const char *const reasons =
		"unspecified|key-compromise|ca-compromise|affiliation-changed|superseded|"
		"cessation-of-operation|privilege-withdrawn";
	size_t i;

	if (!yfield_want(d, v, YNODE_SEQ, what))
		return;
	for (i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i], *x;
		struct roster_date day;

		if (!yfield_want(d, it, YNODE_MAP, "a revoked entry"))
			continue;
		yfield_keys(d, it, rkeys, "a revoked entry");
		x = yfield_need(d, it, "serial", "revoked entry");
		if (x != NULL && yfield_scalar(d, x, "serial") != NULL && !is_hex(x->str))
			diag_error(d, &x->mark, "serial must be hex digits of even length, not '%s'",
				   x->str);
		x = yfield_need(d, it, "date", "revoked entry");
		if (x != NULL && yfield_scalar(d, x, "date") != NULL &&
		    roster_date_parse(x->str, &day) < 0)
			diag_error(d, &x->mark, "date must be YYYY-MM-DD, not '%s'", x->str);
		x = yfield_need(d, it, "reason", "revoked entry");
		if (x != NULL && yfield_scalar(d, x, "reason") != NULL && !choice_has(reasons, x->str))
			diag_error(d, &x->mark, "reason '%s' is not one of %s", x->str, reasons);
	}
}

/* PT_OUTPUT: a relative path the step lists in its outputs. */
static void check_output(const struct script_step *st, const struct ynode *v, const char *what,
			 struct diag *d)
{
	size_t i;
	int listed = 0;

	if (v->str[0] == '/' || strstr(v->str, "..") != NULL) {
		diag_error(d, &v->mark, "%s: output '%s' must be a relative path without '..'", what,
			   v->str);
		return;
	}
	for (i = 0; i < st->noutputs; i++)
		if (strcmp(st->outputs[i].path, v->str) == 0)
			listed = 1;
	if (!listed)
		diag_error(d, &v->mark, "%s: '%s' is not listed in the step's outputs", what, v->str);
}

/* The parameter types held in one non-empty scalar. */
static void check_scalar(const struct script *s, const struct script_step *st,
			 const struct script_param_spec *ps, const struct ynode *v,
			 const char *what, struct diag *d)
{
	const struct script_secret *sec;
	enum role r;

	switch (ps->type) {
	case PT_BOOL:
		if (!v->plain || (strcmp(v->str, "true") != 0 && strcmp(v->str, "false") != 0))
			diag_error(d, &v->mark, "%s must be true or false, not '%s'", what, v->str);
		break;
	case PT_NAME:
		(void)yfield_name(d, v, what);
		break;
	case PT_TOKEN:
		if (script_token_find(s, v->str) == NULL)
			diag_error(d, &v->mark, "%s: unknown token '%s'", what, v->str);
		break;
	case PT_SECRET:
		sec = script_secret_find(s, v->str);
		if (sec == NULL)
			diag_error(d, &v->mark, "%s: unknown secret '%s'", what, v->str);
		else if (!choice_has(ps->choices, secret_kind_name(sec->kind)))
			diag_error(d, &v->mark, "%s: secret '%s' is a %s, expected %s", what, v->str,
				   secret_kind_name(sec->kind), ps->choices);
		break;
	case PT_OUTPUT:
		check_output(st, v, what, d);
		break;
	case PT_HEX:
		if (!is_hex(v->str))
			diag_error(d, &v->mark, "%s must be hex digits of even length, not '%s'", what,
				   v->str);
		break;
	case PT_ENUM:
		if (!choice_has(ps->choices, v->str))
			diag_error(d, &v->mark, "%s: '%s' is not one of %s", what, v->str, ps->choices);
		break;
	case PT_ROLE:
		if (role_parse(v->str, &r) < 0)
			diag_error(d, &v->mark, "%s: unknown role '%s' (roles: %s)", what, v->str,
				   role_list_all());
		break;
	default: /* PT_STRING, PT_PATH: any non-empty scalar */
		break;
	}
}

static void check_param(const struct script *s, const struct script_step *st,
			const struct script_param_spec *ps, const struct ynode *v, struct diag *d)
{
	char what[128];
	long iv;
	struct script_layout l;

	snprintf(what, sizeof(what), "%s parameter '%s'", st->action->name, ps->key);
	switch (ps->type) {
	case PT_INT:
		(void)yfield_int(d, v, ps->min, ps->max, what, &iv);
		return;
	case PT_ITEMS:
		check_items(v, what, d);
		return;
	case PT_GROUPS:
		script_layout_parse(d, v, NULL, &l, what);
		return;
	case PT_REVOKED:
		check_revoked(v, what, d);
		return;
	case PT_PROFILE:
		return; /* the action's check parses the whole profile */
	default:
		break;
	}
	if (yfield_scalar(d, v, what) == NULL)
		return;
	if (v->len == 0) {
		diag_error(d, &v->mark, "%s is empty", what);
		return;
	}
	check_scalar(s, st, ps, v, what, d);
}

void script_params_check(const struct script *s, const struct script_step *st, struct diag *d)
{
	const struct script_param_spec *ps;
	char what[96];
	const char *known[40];
	size_t nk = 0;

	for (ps = st->action->params; ps->key != NULL && nk < 39; ps++)
		known[nk++] = ps->key;
	known[nk] = NULL;
	snprintf(what, sizeof(what), "'with' of %s", st->action->name);
	if (st->with != NULL)
		yfield_keys(d, st->with, known, what);
	for (ps = st->action->params; ps->key != NULL; ps++) {
		const struct ynode *v = ynode_get(st->with, ps->key);

		if (v == NULL) {
			if (ps->required)
				diag_error(d, st->with ? &st->with->mark : &st->mark,
					   "step '%s': %s needs parameter '%s'", st->id, st->action->name,
					   ps->key);
			continue;
		}
		check_param(s, st, ps, v, d);
	}
	if (st->action->check != NULL)
		st->action->check(s, st, d);
}

static void check_keygen(const struct script *s, const struct script_step *st, struct diag *d)
{
	const char *type = script_param_str(st, "type");
	const struct ynode *size = script_param(st, "size"), *curve = script_param(st, "curve");
	long v;

	(void)s;
	if (type == NULL)
		return;
	if (strcmp(type, "rsa") == 0) {
		if (size == NULL)
			diag_error(d, &script_param(st, "type")->mark, "an rsa key needs 'size'");
		else if (script_param_int(st, "size", &v) == 0 && v != 2048 && v != 3072 && v != 4096)
			diag_error(d, &size->mark, "rsa size must be 2048, 3072 or 4096, not %ld", v);
		if (curve != NULL)
			diag_error(d, &curve->mark, "an rsa key takes no 'curve'");
	} else if (strcmp(type, "ec") == 0) {
		if (curve == NULL)
			diag_error(d, &script_param(st, "type")->mark, "an ec key needs 'curve'");
		if (size != NULL)
			diag_error(d, &size->mark, "an ec key takes no 'size' (the curve sets it)");
	} else if (strcmp(type, "ed25519") == 0) {
		if (size != NULL)
			diag_error(d, &size->mark, "an %s key takes no 'size'", type);
		if (curve != NULL)
			diag_error(d, &curve->mark, "an %s key takes no 'curve'", type);
	}
}

static void check_fingerprint(const struct script *s, const struct script_step *st, struct diag *d)
{
	const struct ynode *key = script_param(st, "key"), *file = script_param(st, "file");
	const struct ynode *tok = script_param(st, "token");

	(void)s;
	if ((key == NULL) == (file == NULL))
		diag_error(d, st->with ? &st->with->mark : &st->mark,
			   "step '%s': fingerprint needs exactly one of 'key' or 'file'", st->id);
	else if (key != NULL && tok == NULL)
		diag_error(d, &key->mark, "step '%s': fingerprint of a key needs 'token'", st->id);
	else if (file != NULL && tok != NULL)
		diag_error(d, &tok->mark, "step '%s': fingerprint of a file takes no 'token'", st->id);
}

static void check_attendance(const struct script *s, const struct script_step *st, struct diag *d)
{
	(void)s;
	if (st->index != 0)
		diag_error(d, &st->mark, "step '%s': attendance must be the first step", st->id);
}

static void check_reshare(const struct script *s, const struct script_step *st, struct diag *d)
{
	const struct script_secret *sec;
	struct script_layout l;
	const struct ynode *gt = script_param(st, "group-threshold");

	sec = script_secret_find(s, script_param_str(st, "secret") ? script_param_str(st, "secret") : "");
	if (sec == NULL || gt == NULL)
		return;
	script_step_issue_layout(st, sec, &l);
	if (l.group_threshold > l.ngroups)
		diag_error(d, &gt->mark, "group-threshold %u is larger than the %zu groups",
			   l.group_threshold, l.ngroups);
}

/* The profile of cert.issue: parsed and linted by script_profile_checker
 * when the program set it (ceremony does; ceremony-verify, which links no
 * pkcs11/ code, does not). */
static void check_cert_issue(const struct script *s, const struct script_step *st,
			     struct diag *d)
{
	if (script_profile_checker != NULL)
		script_profile_checker(s, st, d);
}

/* cert.self-sign: the same profile parse and lint as cert.issue (profile
 * root-ca unless named); without the checker, the root-ca validity cap. */
static void check_self_sign(const struct script *s, const struct script_step *st,
			    struct diag *d)
{
	if (script_profile_checker != NULL)
		script_profile_checker(s, st, d);
	else
		script_self_sign_check(s, st, d);
}
