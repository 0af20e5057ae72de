/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/preflight_rules.c - what each step of a script needs from its
 * token, held against what the token reports (p11_token_caps). The rules
 * follow what the actions do: key.generate's mechanisms and sizes
 * (pkcs11/key), signing through pkcs11-provider or our own PKCS#11 layer
 * (RSA: CKM_SHA*_RSA_PKCS, or CKM_RSA_PKCS over a DigestInfo the tool
 * builds), AES key wrap with padding for key.backup / key.restore, the
 * token's RNG for PINs, the transcript key (EC P-256, else RSA 2048, on the
 * token of the first user login: ceremony/run/tkey.c).
 */
#include "ceremony/policy/pinplan.h"
#include "ceremony/run/preflight_internal.h"

#include "common/err.h"
#include "pkcs11/x509/ossl.h"

#include <stdio.h>
#include <string.h>


struct pf_tok *pf_tok_find(struct pf_ctx *pc, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < pc->s->ntokens; i++)
		if (strcmp(pc->toks[i].spec->name, name) == 0)
			return &pc->toks[i];
	return NULL;
}

/* What the token says of mechanism name, into buf. */
static const char *mech_offer(const struct p11_caps *c, const char *name, char *buf, size_t cap)
{
	const struct p11_mech *m = p11_caps_mech(c, name);
	char fl[160];

	if (m == NULL)
		snprintf(buf, cap, "no %s", name);
	else if (m->min_key || m->max_key)
		snprintf(buf, cap, "%s %lu..%lu (%s)", name, m->min_key, m->max_key,
			 p11_mech_flags_str(m->flags & 0xffffu, fl, sizeof(fl)));
	else
		snprintf(buf, cap, "%s (%s)", name, p11_mech_flags_str(m->flags & 0xffffu, fl,
								       sizeof(fl)));
	return buf;
}

/*
 * Need one of the mechanisms alts (by preference; NULL-terminated) with
 * flags and key size: OK naming the one that will be used (path), MISSING
 * naming what the token offers of each, UNKNOWN when the token lists no
 * mechanism at all. Nothing is added for a token that was not found (its
 * own line says MISSING).
 */
static int need_mech(struct pf_ctx *pc, const struct script_step *st, const char *action,
		     struct pf_tok *t, const char *const *alts, unsigned flags,
		     unsigned long size, const char *const *paths, const char *need)
{
	char offers[256] = "", one[128];
	size_t i, len = 0;

	if (t == NULL || t->caps == NULL)
		return 0;
	if (!t->caps->mechs_reported)
		return pf_add(pc->pf, PF_UNKNOWN, st, action, t->spec->name,
			      t->caps->mechs_error, NULL, "%s", need);
	for (i = 0; alts[i] != NULL; i++) {
		if (p11_caps_mech_can(t->caps, alts[i], flags, size))
			return pf_add(pc->pf, PF_OK, st, action, t->spec->name,
				      mech_offer(t->caps, alts[i], one, sizeof(one)),
				      paths != NULL ? paths[i] : alts[i], "%s", need);
		snprintf(offers + len, sizeof(offers) - len, "%s%s", len ? ", " : "",
			 mech_offer(t->caps, alts[i], one, sizeof(one)));
		len = strlen(offers);
	}
	return pf_add(pc->pf, PF_MISSING, st, action, t->spec->name, offers, NULL, "%s", need);
}

/* Key generation of a type named as p11_key_type_name (rsa3072, p384...). */
static int need_keygen(struct pf_ctx *pc, const struct script_step *st, const char *action,
		       struct pf_tok *t, const char *type)
{
	static const char *const rsa[] = { "CKM_RSA_PKCS_KEY_PAIR_GEN", NULL };
	static const char *const ec[] = { "CKM_EC_KEY_PAIR_GEN", NULL };
	static const char *const ed[] = { "CKM_EC_EDWARDS_KEY_PAIR_GEN", NULL };
	char need[160];
	unsigned long bits = 0;
	int r;

	if (strncmp(type, "rsa", 3) == 0) {
		bits = strtoul(type + 3, NULL, 10);
		snprintf(need, sizeof(need), "RSA %lu key pair generation", bits);
		return need_mech(pc, st, action, t, rsa, P11_MECH_GENERATE_KEY_PAIR, bits, NULL,
				 need);
	}
	if (strcmp(type, "ed25519") == 0)
		return need_mech(pc, st, action, t, ed, P11_MECH_GENERATE_KEY_PAIR, 0, NULL,
				 "Ed25519 key pair generation");
	bits = strtoul(type + 1, NULL, 10);
	snprintf(need, sizeof(need), "EC %s key pair generation (%lu bits)", type, bits);
	r = need_mech(pc, st, action, t, ec, P11_MECH_GENERATE_KEY_PAIR, bits, NULL, need);
	if (r < 0 || t == NULL || t->caps == NULL || !t->caps->mechs_reported ||
	    p11_caps_mech(t->caps, ec[0]) == NULL)
		return r;
	/* CKA_EC_PARAMS is sent as a named curve (an OID) */
	{
		const struct p11_mech *m = p11_caps_mech(t->caps, ec[0]);
		unsigned ecf = m->flags & (P11_MECH_EC_NAMEDCURVE | P11_MECH_EC_ECPARAMETERS);
		char fl[160];

		p11_mech_flags_str(m->flags & ~0xffffu, fl, sizeof(fl));
		return pf_add(pc->pf,
			      (m->flags & P11_MECH_EC_NAMEDCURVE) ? PF_OK
			      : ecf ? PF_MISSING : PF_UNKNOWN,
			      st, action, t->spec->name,
			      ecf ? fl : "no EC parameter encoding flag reported", NULL,
			      "EC parameters of %s given as a named curve (OID)", type);
	}
}

/* Signing with a key of type (p11_key_type_name) or "" when unknown. */
static int need_sign(struct pf_ctx *pc, const struct script_step *st, const char *action,
		     struct pf_tok *t, const char *type, const char *key)
{
	static const char *const ecdsa[] = { "CKM_ECDSA", NULL };
	static const char *const eddsa[] = { "CKM_EDDSA", NULL };
	static const char *const rsa[] = { "CKM_SHA256_RSA_PKCS", "CKM_RSA_PKCS", NULL };
	static const char *const rsa_paths[] = {
		"hash-and-sign CKM_SHA256_RSA_PKCS",
		"CKM_RSA_PKCS over a DigestInfo built by the tool", NULL
	};
	static const char *const any[] = { "CKM_ECDSA", "CKM_SHA256_RSA_PKCS", "CKM_RSA_PKCS",
					   "CKM_EDDSA", NULL };
	char need[200];
	unsigned long bits;

	if (type[0] == '\0') {
		snprintf(need, sizeof(need), "signing with key '%s' (its type is not known before "
			 "the step: any signing mechanism)", key);
		return need_mech(pc, st, action, t, any, P11_MECH_SIGN, 0, NULL, need);
	}
	if (strncmp(type, "rsa", 3) == 0) {
		bits = strtoul(type + 3, NULL, 10);
		snprintf(need, sizeof(need), "RSA %lu PKCS#1 v1.5 signature with SHA-256 (key '%s')",
			 bits, key);
		return need_mech(pc, st, action, t, rsa, P11_MECH_SIGN, bits, rsa_paths, need);
	}
	if (strcmp(type, "ed25519") == 0) {
		snprintf(need, sizeof(need), "Ed25519 signature (key '%s')", key);
		return need_mech(pc, st, action, t, eddsa, P11_MECH_SIGN, 0, NULL, need);
	}
	bits = strtoul(type + 1, NULL, 10);
	snprintf(need, sizeof(need), "ECDSA %s signature over a digest made by OpenSSL (key '%s')",
		 type, key);
	return need_mech(pc, st, action, t, ecdsa, P11_MECH_SIGN, bits, NULL, need);
}

/* The type of the key labelled key on token tname, from an earlier
 * key.generate of the script, into buf ("" when not known). */
static void key_type_of(struct pf_ctx *pc, const struct script_step *upto, const char *tname,
			const char *key, char *buf, size_t cap)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; key != NULL && i < upto->index; i++) {
		const struct script_step *g = &pc->s->steps[i];
		const char *gl = script_param_str(g, "label"), *gt = script_param_str(g, "token");

		if (strcmp(g->action->name, "key.generate") == 0 && gl != NULL && gt != NULL &&
		    strcmp(gl, key) == 0 && strcmp(gt, tname) == 0 &&
		    script_key_type_name(g, buf, cap) < 0)
			buf[0] = '\0';
	}
}

/* The transcript key on the token of the first user login: EC P-256, else
 * RSA 2048 (tkey.c); it signs the transcript through pkcs11-provider. */
static int tkey_token(struct pf_ctx *pc, const struct script_step *st, struct pf_tok *t)
{
	static const char *const gen[] = { "CKM_EC_KEY_PAIR_GEN", "CKM_RSA_PKCS_KEY_PAIR_GEN",
					   NULL };
	static const char *const gen_paths[] = { "EC P-256", "RSA 2048", NULL };
	struct p11_ossl *o = NULL;
	const struct p11_module *m;
	const char *type;
	int r;

	pc->tkey_done = 1;
	if (t == NULL || t->caps == NULL)
		return 0;
	type = p11_caps_mech_can(t->caps, gen[0], P11_MECH_GENERATE_KEY_PAIR, 256) ? "p256"
										     : "rsa2048";
	r = need_mech(pc, st, "transcript", t, gen, P11_MECH_GENERATE_KEY_PAIR,
		      type[0] == 'p' ? 256 : 2048, gen_paths,
		      "the transcript key: EC P-256 (or RSA 2048) key pair generation");
	if (r == 0)
		r = need_sign(pc, st, "transcript", t, type, "transcript key");
	if (r < 0)
		return r;
	/* the transcript is signed by OpenSSL's CMS through pkcs11-provider */
	m = p11_token_module(t->tok);
	if (p11_ossl_open(p11_module_path(m), p11_module_init_args(m), &o) == 0) {
		p11_ossl_close(o);
		return pf_add(pc->pf, PF_OK, st, "transcript", t->spec->name,
			      "pkcs11-provider loads the module", "OpenSSL CMS via pkcs11-provider",
			      "the transcript signed through OpenSSL (pkcs11-provider)");
	}
	r = pf_add(pc->pf, PF_MISSING, st, "transcript", t->spec->name, ce_err_detail(), NULL,
		   "the transcript signed through OpenSSL (pkcs11-provider)");
	ce_err_clear();
	return r;
}

int pf_rules_tkey_soft(struct pf_ctx *pc)
{
	pc->tkey_done = 1;
	return pf_add(pc->pf, PF_OK, NULL, "transcript", NULL, "no token needed",
		      "OpenSSL CMS, software key",
		      "the transcript key: an ephemeral software EC P-256 key (no user login)");
}

/* The token's RNG, for PINs made by the tool. */
static int need_rng(struct pf_ctx *pc, const struct script_step *st, struct pf_tok *t,
		    const char *what)
{
	int rng;

	if (t == NULL || t->caps == NULL)
		return 0;
	rng = (t->caps->info.flags & P11_TOKEN_RNG) != 0;
	/* a blank token may say nothing of its RNG before init: not proof */
	return pf_add(pc->pf, rng ? PF_OK : t->blank ? PF_UNKNOWN : PF_MISSING, st, NULL,
		      t->spec->name,
		      rng ? "CKF_RNG (C_GenerateRandom)"
			  : t->blank ? "no RNG flag before initialisation (tried after init)"
				     : "no RNG flag (CKF_RNG unset)",
		      "token RNG XORed with OpenSSL's", "random numbers from the token (%s)", what);
}

/* The PINs the step makes (pinplan.h: the script's pin-length, never raised
 * or lowered, or the default brought into the range; the alphabet; the
 * entropy floor) within the token's range. */
static int need_pin_len(struct pf_ctx *pc, const struct script_step *st, struct pf_tok *t,
			const char *what)
{
	const struct p11_token_info *i;
	struct pin_plan plan;
	char offers[96], desc[128];
	int ok;

	if (t == NULL || t->caps == NULL)
		return 0;
	i = &t->caps->info;
	snprintf(offers, sizeof(offers), "PIN length %lu..%lu", i->min_pin_len, i->max_pin_len);
	pin_plan_read(st, &plan);
	ok = pin_plan_fit(st, t->spec->name, i->min_pin_len, i->max_pin_len, &plan, NULL) == 0;
	ce_err_clear();
	pin_plan_describe(&plan, desc, sizeof(desc));
	return pf_add(pc->pf, ok ? PF_OK : PF_MISSING, st, NULL, t->spec->name, offers, NULL,
		      "%s: %s", what, desc);
}

/* A login of kind so (1) or user (0) on token t. */
static int need_login(struct pf_ctx *pc, const struct script_step *st, struct pf_tok *t, int so)
{
	const struct p11_token_info *i;
	char fl[256];
	int ok;

	if (t == NULL || t->caps == NULL)
		return 0;
	i = &t->caps->info;
	p11_token_flags_str(i->flags & 0x3fu, fl, sizeof(fl));
	ok = t->inited || ((i->flags & P11_TOKEN_INITIALIZED) &&
			   (so || (i->flags & P11_TOKEN_USER_PIN_INITIALIZED)));
	return pf_add(pc->pf, ok ? PF_OK : PF_MISSING, st, NULL, t->spec->name, fl,
		      (i->flags & P11_TOKEN_PROTECTED_AUTH_PATH)
			      ? "PIN typed by the tool (the token also has a PIN pad)"
			      : "PIN typed by the tool",
		      "%s login (C_Login %s) with a PIN from shares", so ? "SO" : "user",
		      so ? "CKU_SO" : "CKU_USER");
}

static int rules_token_init(struct pf_ctx *pc, const struct script_step *st, struct pf_tok *t)
{
	int r;

	if (t == NULL || t->caps == NULL)
		return 0;
	r = pf_add(pc->pf,
		   (t->caps->info.flags & P11_TOKEN_WRITE_PROTECTED) ? PF_MISSING : PF_OK, st, NULL,
		   t->spec->name,
		   (t->caps->info.flags & P11_TOKEN_WRITE_PROTECTED) ? "write-protected"
		   : t->reinit ? "initialised, writable"
			       : "blank, writable",
		   NULL, t->reinit ? "C_InitToken with the current SO PIN (typed), then C_InitPIN"
				   : "C_InitToken and C_InitPIN on a blank token");
	if (r == 0)
		r = need_pin_len(pc, st, t, "SO and user PINs");
	if (r == 0)
		r = need_rng(pc, st, t, "the user PIN, after initialisation");
	return r;
}

static int rules_wrap(struct pf_ctx *pc, const struct script_step *st, struct pf_tok *t,
		      int unwrap)
{
	static const char *const pad[] = { "CKM_AES_KEY_WRAP_PAD", NULL };
	const struct script_secret *w =
		script_secret_find(pc->s, script_param_str(st, "wrap-key"));
	unsigned long bytes = w != NULL && w->kind == SECRET_AES128 ? 16 : 32;
	char need[160];

	snprintf(need, sizeof(need), "AES key %s with padding (RFC 5649) under an AES-%lu key",
		 unwrap ? "unwrap" : "wrap", bytes * 8);
	return need_mech(pc, st, NULL, t, pad, unwrap ? P11_MECH_UNWRAP : P11_MECH_WRAP, bytes,
			 NULL, need);
}

/* key.generate: the mechanism and size, the curve's encoding, the
 * attributes asked for (no token says before a key is made). */
static int rules_keygen(struct pf_ctx *pc, const struct script_step *st, struct pf_tok *t)
{
	char type[32];
	int ext = 0, r;

	if (script_key_type_name(st, type, sizeof(type)) < 0)
		return 0;
	r = need_keygen(pc, st, NULL, t, type);
	if (r < 0 || t == NULL || t->caps == NULL)
		return r;
	if (script_param_bool(st, "extractable", &ext) < 0)
		ext = 0;
	return pf_add(pc->pf, PF_UNKNOWN, st, NULL, t->spec->name,
		      "not reported before a key is made (tried at the step, before any object "
		      "is kept)",
		      NULL, "attributes CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE=TRUE, "
		      "CKA_EXTRACTABLE=%s on the %s private key", ext ? "TRUE" : "FALSE", type);
}

int pf_rules_step(struct pf_ctx *pc, const struct script_step *st)
{
	const char *a = st->action->name, *tname = script_param_str(st, "token"), *ltok = NULL;
	enum script_login lk = script_step_login(pc->s, st, &ltok);
	struct pf_tok *t = pf_tok_find(pc, tname), *lt = pf_tok_find(pc, ltok);
	char type[32];
	int r = 0;

	if (strcmp(a, "token.init") == 0) {
		r = rules_token_init(pc, st, t);
		lt = t;
	} else if (lk != SCRIPT_LOGIN_NONE) {
		/* quorum.login, pin.rotate, shares.reshare of a PIN */
		r = need_login(pc, st, lt, lk == SCRIPT_LOGIN_SO);
		if (r == 0 && strcmp(a, "pin.rotate") == 0)
			r = need_rng(pc, st, lt, "the new PIN");
	} else if (strcmp(a, "key.generate") == 0) {
		r = rules_keygen(pc, st, t);
	} else if (strcmp(a, "cert.self-sign") == 0 || strcmp(a, "csr.create") == 0 ||
		   strcmp(a, "cert.issue") == 0 || strcmp(a, "crl.sign") == 0) {
		key_type_of(pc, st, tname, script_param_str(st, "key"), type, sizeof(type));
		r = need_sign(pc, st, NULL, t, type, script_param_str(st, "key"));
	} else if (strcmp(a, "key.backup") == 0) {
		r = rules_wrap(pc, st, t, 0);
	} else if (strcmp(a, "key.restore") == 0) {
		r = rules_wrap(pc, st, t, 1);
	}
	if (r < 0)
		return r;
	/* the transcript key is made at the first user login (login.c); a
	 * token.init ends logged in as user */
	if (!pc->tkey_done && lt != NULL && (lk == SCRIPT_LOGIN_USER || strcmp(a, "token.init") == 0))
		r = tkey_token(pc, st, lt);
	return r;
}
