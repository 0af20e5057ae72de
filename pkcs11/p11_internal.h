/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/p11_internal.h - shared between the pkcs11 sources only; never included
 * above pkcs11/. Holds the concrete structs behind p11.h's opaque types.
 */
#ifndef CE_PKCS11_P11_INTERNAL_H
#define CE_PKCS11_P11_INTERNAL_H

#include "pkcs11/p11.h"

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

struct p11_name {
	unsigned long value;
	const char *name;
};
extern const struct p11_name p11_ckr_names[];
extern const struct p11_name p11_ckm_names[];

struct p11_module {
	CK_FUNCTION_LIST *fl;   /* from p11-kit (unmanaged) */
	char *path;             /* realpath of the library */
	char *name;
	char *init_args;        /* pReserved, or NULL */
	int initialized;        /* our C_Initialize returned CKR_OK: we C_Finalize */
	int error;              /* 0 or CE_ERR_* of C_Initialize */
	char *error_detail;
	struct p11_failure error_failure; /* the C_Initialize failure as data */
	int from_registry;      /* loaded by p11_kit_modules_load */
};

struct p11_ctx {
	struct p11_module *mods;
	size_t n;
	CK_FUNCTION_LIST **registered; /* p11_kit_modules_load result, or NULL */
};

struct p11_token {
	struct p11_ctx *ctx;
	struct p11_module *mod;
	CK_SLOT_ID slot;
	struct p11_token_info info;
	char *uri;
	int init_done; /* C_InitToken returned CKR_OK (p11_token_init/reinit) */
};

struct p11_session {
	struct p11_token *tok;
	CK_SESSION_HANDLE h;
};

struct p11_key {
	struct p11_session *s;
	enum p11_key_type type;
	CK_OBJECT_HANDLE priv;  /* private or secret key */
	CK_OBJECT_HANDLE pub;   /* CK_INVALID_HANDLE when absent */
	char *label;
	uint8_t *id;
	size_t id_len;
	char *uri;
	struct evp_pkey_st *pkey; /* public key, NULL for secret keys */
	struct evp_pkey_ctx_st *vctx; /* verification context for pkey (RSA, ECDSA) */
	unsigned rsa_hash_sign;   /* bit i: token has CKM_SHA{256,384,512}_RSA_PKCS (i = 0, 1, 2) */
	int raw_sign;             /* token signs with CKM_RSA_PKCS / CKM_ECDSA / CKM_EDDSA (by type) */
};

/* Trim a space-padded fixed-width field into dst (cap >= n + 1). */
void p11_trim(char *dst, size_t cap, const unsigned char *src, size_t n);

/* C_GetTokenInfo / C_GetInfo with every fixed-width text field space-padded
 * (trailing NULs become spaces: modules that pad with NULs). Use these, never
 * the raw calls, so URIs never carry %00 and match what the token says. */
CK_RV p11_get_token_info(const struct p11_module *m, CK_SLOT_ID slot, CK_TOKEN_INFO *ti);
CK_RV p11_get_info(const struct p11_module *m, CK_INFO *info);

/* Fill ours from CK_TOKEN_INFO. */
void p11_token_info_from_ck(struct p11_token_info *out, const CK_TOKEN_INFO *ti);

/* "pkcs11:model=..;manufacturer=..;serial=..;token=.." for ti (heap). */
char *p11_token_uri_format(const CK_TOKEN_INFO *ti);

/* Parse a pkcs11: URI, refusing pin-value / pin-source. *out p11_kit_uri_free. */
int p11_uri_parse(const char *uri, int for_what, P11KitUri **out);

/* RFC 7512 module-name / module-path (query) of u against m: 1 when u names
 * neither or both match (module-path: the real path; module-name: p11-kit's
 * name for the module, or the library's file name without "lib" and ".so"),
 * else 0. */
int p11_uri_module_match(const struct p11_module *m, P11KitUri *u);
/* CE_ERR_INVALID when u's module-name/module-path contradict --module (the
 * only module of ctx), CE_ERR_NOT_FOUND when no registered module has them;
 * 0 otherwise. */
int p11_uri_modules_check(const struct p11_ctx *ctx, P11KitUri *u, const char *uri);
/* CE_ERR_FORMAT for a query attribute other than module-name, module-path,
 * pin-value, pin-source (p11-kit keeps vendor ones without a word). */
int p11_uri_query_check(const char *uri);
/* u's slot-description / slot-manufacturer against the slot's info (1: they
 * match or u names neither). */
int p11_uri_slot_match(const struct p11_module *m, CK_SLOT_ID slot, P11KitUri *u);

/* Name of a CKM value ("CKM_0x..." into buf for unknown ones). */
const char *p11_mech_name(unsigned long mech, char *buf, size_t cap);

/* Whether the token has the mechanism (flags: P11_MECH_* all required). */
int p11_token_has_mech(struct p11_token *tok, CK_MECHANISM_TYPE mech, unsigned flags);

/* Describe a token for error messages: "token 'label' (serial S)". Static buffer per thread. */
const char *p11_token_what(const struct p11_token *tok);

/* Report a module's failed C_Initialize again (detail and failure data, so
 * p11_failure_current() names it); returns m->error. */
int p11_module_error_replay(const struct p11_module *m);

/* Build the EVP_PKEY for a public key object / RSA private key. */
int p11_key_load_public(struct p11_key *k);

#endif
