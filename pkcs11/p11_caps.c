/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/p11_caps.c - what a token says it can do (p11_token_caps, p11.h):
 * token info, the mechanism list, each mechanism's key sizes and flags,
 * including the EC parameter flags. Only calls that change nothing on the
 * token: C_GetTokenInfo, C_GetMechanismList, C_GetMechanismInfo (a
 * mechanism listed but CKR_MECHANISM_INVALID is not offered; any other
 * failure is an error naming the function and the CKR). The
 * ceremony's preflight holds a script's requirements against it.
 */
#include "pkcs11/p11_internal.h"

#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned caps_flags_from_ck(CK_FLAGS f)
{
	static const struct {
		CK_FLAGS ck;
		unsigned ours;
	} map[] = {
		{ CKF_HW, P11_MECH_HW },
		{ CKF_ENCRYPT, P11_MECH_ENCRYPT },
		{ CKF_DECRYPT, P11_MECH_DECRYPT },
		{ CKF_DIGEST, P11_MECH_DIGEST },
		{ CKF_SIGN, P11_MECH_SIGN },
		{ CKF_VERIFY, P11_MECH_VERIFY },
		{ CKF_GENERATE, P11_MECH_GENERATE },
		{ CKF_GENERATE_KEY_PAIR, P11_MECH_GENERATE_KEY_PAIR },
		{ CKF_WRAP, P11_MECH_WRAP },
		{ CKF_UNWRAP, P11_MECH_UNWRAP },
		{ CKF_DERIVE, P11_MECH_DERIVE },
		{ 0x00100000UL, P11_MECH_EC_F_P },        /* CKF_EC_F_P */
		{ 0x00400000UL, P11_MECH_EC_ECPARAMETERS }, /* CKF_EC_ECPARAMETERS */
		{ 0x00800000UL, P11_MECH_EC_NAMEDCURVE },  /* CKF_EC_NAMEDCURVE, CKF_EC_OID */
		{ 0x01000000UL, P11_MECH_EC_UNCOMPRESS },  /* CKF_EC_UNCOMPRESS */
		{ 0x02000000UL, P11_MECH_EC_COMPRESS },    /* CKF_EC_COMPRESS */
	};
	unsigned o = 0;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (f & map[i].ck)
			o |= map[i].ours;
	return o;
}

/* The mechanism list and each one's info into c (failures kept as text). */
static int caps_mechs_read(struct p11_token *tok, struct p11_caps *c)
{
	CK_FUNCTION_LIST *fl = tok->mod->fl;
	CK_MECHANISM_TYPE *types = NULL;
	CK_ULONG count = 0, i, k = 0;
	CK_RV rv;
	int r = CE_ERR_INTERNAL;

	rv = fl->C_GetMechanismList(tok->slot, NULL, &count);
	if (rv == CKR_OK && count > 0) {
		types = calloc(count, sizeof(*types));
		c->mechs = calloc(count, sizeof(*c->mechs));
		if (types == NULL || c->mechs == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
		rv = fl->C_GetMechanismList(tok->slot, types, &count);
	}
	if (rv != CKR_OK) {
		snprintf(c->mechs_error, sizeof(c->mechs_error), "C_GetMechanismList: %s",
			 p11_rv_name(rv));
		r = 0;
		goto out;
	}
	if (count == 0) {
		snprintf(c->mechs_error, sizeof(c->mechs_error),
			 "C_GetMechanismList: no mechanism listed");
		r = 0;
		goto out;
	}
	for (i = 0; i < count; i++) {
		CK_MECHANISM_INFO mi;
		struct p11_mech *m = &c->mechs[k];
		const char *name;

		memset(&mi, 0, sizeof(mi)); /* SoftHSM ORs into it */
		m->type = types[i];
		name = p11_mech_name(types[i], m->name, sizeof(m->name));
		if (name != m->name)
			snprintf(m->name, sizeof(m->name), "%s", name);
		rv = fl->C_GetMechanismInfo(tok->slot, types[i], &mi);
		if (rv == CKR_MECHANISM_INVALID)
			continue; /* listed but refused: not offered */
		if (rv != CKR_OK) {
			r = p11_rv_fail(rv, "C_GetMechanismInfo", m->name);
			goto out;
		}
		m->min_key = mi.ulMinKeySize;
		m->max_key = mi.ulMaxKeySize;
		m->flags = caps_flags_from_ck(mi.flags);
		k++;
	}
	c->nmechs = k;
	c->mechs_reported = 1;
	r = 0;
out:
	free(types);
	return r;
}

int p11_token_caps(struct p11_token *tok, struct p11_caps **out)
{
	struct p11_caps *c = NULL;
	CK_TOKEN_INFO ti;
	CK_RV rv;
	int r = CE_ERR_INTERNAL;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memset(&ti, 0, sizeof(ti));
	rv = tok->mod->fl->C_GetTokenInfo(tok->slot, &ti);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetTokenInfo", p11_token_what(tok));
		goto out;
	}
	p11_token_info_from_ck(&c->info, &ti);
	r = caps_mechs_read(tok, c);
	if (r < 0)
		goto out;
	*out = c;
	c = NULL;
	r = 0;
out:
	p11_caps_free(c);
	return r;
}

void p11_caps_free(struct p11_caps *c)
{
	if (c == NULL)
		return;
	free(c->mechs);
	free(c);
}

const struct p11_mech *p11_caps_mech(const struct p11_caps *c, const char *name)
{
	size_t i, j;

	for (j = 0; p11_ckm_names[j].name != NULL; j++) {
		if (strcmp(p11_ckm_names[j].name, name) != 0)
			continue;
		for (i = 0; i < c->nmechs; i++)
			if (c->mechs[i].type == p11_ckm_names[j].value)
				return &c->mechs[i];
		return NULL;
	}
	return NULL;
}

int p11_caps_mech_can(const struct p11_caps *c, const char *name, unsigned flags,
		      unsigned long key_size)
{
	const struct p11_mech *m = p11_caps_mech(c, name);

	if (m == NULL || (m->flags & flags) != flags)
		return 0;
	if (key_size == 0)
		return 1;
	if (key_size < m->min_key)
		return 0;
	return m->max_key == 0 || key_size <= m->max_key;
}

static const char *flags_str(unsigned flags, const char *const *names, size_t n, char *buf,
			     size_t cap)
{
	size_t i, len = 0;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w;

		if (!(flags & (1u << i)) || names[i] == NULL)
			continue;
		w = snprintf(buf + len, cap - len, "%s%s", len ? "," : "", names[i]);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
	if (buf[0] == '\0')
		snprintf(buf, cap, "none");
	return buf;
}

const char *p11_mech_flags_str(unsigned flags, char *buf, size_t cap)
{
	static const char *const names[21] = {
		"hw", "encrypt", "decrypt", "digest", "sign", "verify", "generate",
		"generate_key_pair", "wrap", "unwrap", "derive", NULL, NULL, NULL, NULL, NULL,
		"ec_f_p", "ec_ecparameters", "ec_named_curve", "ec_uncompress", "ec_compress",
	};

	return flags_str(flags, names, 21, buf, cap);
}

const char *p11_token_flags_str(unsigned flags, char *buf, size_t cap)
{
	static const char *const names[14] = {
		"rng", "write_protected", "login_required", "user_pin_initialized",
		"protected_authentication_path", "token_initialized", "user_pin_count_low",
		"user_pin_final_try", "user_pin_locked", "user_pin_to_be_changed",
		"so_pin_count_low", "so_pin_final_try", "so_pin_locked", "so_pin_to_be_changed",
	};

	return flags_str(flags, names, 14, buf, cap);
}
