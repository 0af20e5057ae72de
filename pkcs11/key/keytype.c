/* SPDX-License-Identifier: Apache-2.0 */
/* Key types: names, aliases, sizes, curve OIDs and the mechanisms a token
 * needs for them. Pure data and lookups: everything else in key/ uses this,
 * it uses nothing of key/. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const uint8_t OID_P256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t OID_P521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t OID_ED25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
const uint8_t p11_str_ed25519[14] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5',
				      '1', '9' };

static const struct {
	enum p11_key_type type;
	const char *name;
	const char *aliases[4];
	unsigned long bits;
} key_types[] = {
	{ P11_KEY_RSA_2048, "rsa2048", { "rsa:2048", "rsa-2048", NULL }, 2048 },
	{ P11_KEY_RSA_3072, "rsa3072", { "rsa:3072", "rsa-3072", NULL }, 3072 },
	{ P11_KEY_RSA_4096, "rsa4096", { "rsa:4096", "rsa-4096", NULL }, 4096 },
	{ P11_KEY_EC_P256, "p256", { "ec:p256", "secp256r1", "prime256v1", "ec:prime256v1" }, 256 },
	{ P11_KEY_EC_P384, "p384", { "ec:p384", "secp384r1", "ec:secp384r1", NULL }, 384 },
	{ P11_KEY_EC_P521, "p521", { "ec:p521", "secp521r1", "ec:secp521r1", NULL }, 521 },
	{ P11_KEY_ED25519, "ed25519", { "eddsa", "ec:edwards25519", "edwards25519", NULL }, 255 },
	{ P11_KEY_AES_256, "aes256", { "aes:32", "aes-256", NULL }, 256 },
};
#define KEY_TYPES_N (sizeof(key_types) / sizeof(key_types[0]))

int p11_key_type_parse(const char *name, enum p11_key_type *out)
{
	size_t i, j;

	for (i = 0; i < KEY_TYPES_N; i++) {
		if (strcasecmp(name, key_types[i].name) == 0)
			goto found;
		for (j = 0; j < 4 && key_types[i].aliases[j] != NULL; j++)
			if (strcasecmp(name, key_types[i].aliases[j]) == 0)
				goto found;
	}
	return ce_err_set(CE_ERR_INVALID, "unknown key type '%s' (rsa2048, rsa3072, rsa4096, "
					  "p256, p384, p521, ed25519)", name);
found:
	*out = key_types[i].type;
	return 0;
}

const char *p11_key_type_name(enum p11_key_type t)
{
	size_t i;

	for (i = 0; i < KEY_TYPES_N; i++)
		if (key_types[i].type == t)
			return key_types[i].name;
	return "unknown";
}

int p11_key_type_is_rsa(enum p11_key_type t)
{
	return t == P11_KEY_RSA_2048 || t == P11_KEY_RSA_3072 || t == P11_KEY_RSA_4096;
}

int p11_key_type_is_ec(enum p11_key_type t)
{
	return t == P11_KEY_EC_P256 || t == P11_KEY_EC_P384 || t == P11_KEY_EC_P521;
}

unsigned long p11_key_type_bits(enum p11_key_type t)
{
	size_t i;

	for (i = 0; i < KEY_TYPES_N; i++)
		if (key_types[i].type == t)
			return key_types[i].bits;
	return 0;
}

void p11_key_type_oid(enum p11_key_type t, const uint8_t **oid, size_t *len)
{
	switch (t) {
	case P11_KEY_EC_P384:
		*oid = OID_P384;
		*len = sizeof(OID_P384);
		break;
	case P11_KEY_EC_P521:
		*oid = OID_P521;
		*len = sizeof(OID_P521);
		break;
	case P11_KEY_ED25519:
		*oid = OID_ED25519;
		*len = sizeof(OID_ED25519);
		break;
	default:
		*oid = OID_P256;
		*len = sizeof(OID_P256);
		break;
	}
}

CK_KEY_TYPE p11_key_type_ckk(enum p11_key_type t)
{
	return p11_key_type_is_rsa(t) ? CKK_RSA : p11_key_type_is_ec(t) ? CKK_EC : CKK_EC_EDWARDS;
}

CK_MECHANISM_TYPE p11_key_type_keygen_mech(enum p11_key_type t)
{
	if (p11_key_type_is_rsa(t))
		return CKM_RSA_PKCS_KEY_PAIR_GEN;
	if (p11_key_type_is_ec(t))
		return CKM_EC_KEY_PAIR_GEN;
	if (t == P11_KEY_ED25519)
		return CKM_EC_EDWARDS_KEY_PAIR_GEN;
	return CKM_AES_KEY_GEN;
}

int p11_token_supports(struct p11_token *tok, enum p11_key_type t)
{
	CK_MECHANISM_TYPE m = p11_key_type_keygen_mech(t);
	char buf[32];
	unsigned need = t == P11_KEY_AES_256 ? P11_MECH_WRAP : P11_MECH_GENERATE_KEY_PAIR;

	if (t == P11_KEY_AES_256)
		m = CKM_AES_KEY_WRAP_PAD;
	if (!p11_token_has_mech(tok, m, need))
		return ce_err_set(CE_ERR_UNSUPPORTED, "%s does not offer %s: no %s keys on it "
						      "(see `ceremony hsm mechanisms`)",
				  p11_token_what(tok), p11_mech_name(m, buf, sizeof(buf)),
				  p11_key_type_name(t));
	return 0;
}

const char *p11_key_curve_name(const uint8_t *params, size_t len, enum p11_key_type *t)
{
	if (len == sizeof(OID_P256) && memcmp(params, OID_P256, len) == 0) {
		*t = P11_KEY_EC_P256;
		return "prime256v1";
	}
	if (len == sizeof(OID_P384) && memcmp(params, OID_P384, len) == 0) {
		*t = P11_KEY_EC_P384;
		return "secp384r1";
	}
	if (len == sizeof(OID_P521) && memcmp(params, OID_P521, len) == 0) {
		*t = P11_KEY_EC_P521;
		return "secp521r1";
	}
	if ((len == sizeof(OID_ED25519) && memcmp(params, OID_ED25519, len) == 0) ||
	    (len == sizeof(p11_str_ed25519) && memcmp(params, p11_str_ed25519, len) == 0)) {
		*t = P11_KEY_ED25519;
		return "ED25519";
	}
	return NULL;
}
