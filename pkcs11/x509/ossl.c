/* SPDX-License-Identifier: Apache-2.0 */
#include "pkcs11/x509/ossl.h"
#include "pkcs11/x509/x509_internal.h"
#include "common/buf.h"
#include "pkcs11/p11.h"
#include "common/err.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>

#define P11_OSSL_CONF_MAX_BYTES 8192
#define P11_OSSL_URI_MAX_BYTES 4096
#define P11_OSSL_ERR_TEXT_BYTES 640

struct p11_ossl {
	OSSL_LIB_CTX *libctx;
	UI_METHOD *ui_refuse;
	char *module; /* realpath of the module file */
};

int p11_ossl_err(int code, const char *fmt, ...)
{
	char what[256];
	char text[P11_OSSL_ERR_TEXT_BYTES];
	size_t used;
	const char *data = NULL;
	int flags = 0;
	unsigned long e;
	unsigned long p11rv = 0;
	int from_p11 = 0;
	const char *lib;
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	text[0] = '\0';
	/* The oldest error is the one closest to the cause (the provider's
	 * PKCS#11 failure); later ones are the callers' generic wrappers. */
	e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
	if (e != 0) {
		ERR_error_string_n(e, text, sizeof(text));
		/* pkcs11-provider raises the module's CK_RV as its reason code:
		 * name it the way the rest of ceremony does. */
		lib = ERR_lib_error_string(e);
		if (lib != NULL && strcmp(lib, "pkcs11") == 0) {
			const char *reason = ERR_reason_error_string(e);

			from_p11 = 1;
			p11rv = (unsigned long)ERR_GET_REASON(e);
			snprintf(text, sizeof(text), "pkcs11-provider: %s%s%s",
				 p11_rv_name((unsigned long)ERR_GET_REASON(e)), reason ? ": " : "",
				 reason ? reason : "");
		}
		used = strlen(text);
		if ((flags & ERR_TXT_STRING) && data != NULL && *data != '\0')
			snprintf(text + used, sizeof(text) - used, ": %s", data);
	}
	ERR_clear_error();
	if (text[0] == '\0')
		r = ce_err_set(code, "%s", what);
	else
		r = ce_err_set(code, "%s: %s", what, text);
	/* Kept as data too: the provider made the call, so no C_ function. */
	if (from_p11)
		p11_failure_record(p11rv, "", what);
	return r;
}

/* The provider asks the UI for a PIN only when the token is not logged in.
 * Our login is the only one allowed: refuse, so the load fails at once
 * instead of prompting on the terminal. */
static int ui_refuse_reader(UI *ui, UI_STRING *uis)
{
	(void)ui;
	(void)uis;
	return 0;
}

/* pkcs11-provider 1.0, when the callback we give it refuses, falls back to
 * OpenSSL's default UI and prompts on the terminal itself (seen on NSS
 * softokn). ceremony reads every secret itself, so the process-wide default
 * UI refuses too. Made once, kept for the life of the process. */
static pthread_once_t ui_default_once = PTHREAD_ONCE_INIT;
static UI_METHOD *ui_default_refuse;

static void ui_default_install(void)
{
	ui_default_refuse = UI_create_method("ceremony: no PIN prompt (default)");
	if (ui_default_refuse != NULL &&
	    UI_method_set_reader(ui_default_refuse, ui_refuse_reader) == 0)
		UI_set_default_method(ui_default_refuse);
}

/* Append v as an OpenSSL config value: backslash before the characters the
 * config syntax interprets (quotes, $, #, backslash, spaces); control
 * characters cannot be carried (CE_ERR_UNSUPPORTED). */
static int conf_value_append(struct buf *b, const char *what, const char *v)
{
	int r = CE_ERR_INTERNAL;
	const char *p;

	for (p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f) {
			r = ce_err_set(CE_ERR_UNSUPPORTED,
				       "%s has a control character OpenSSL's config cannot carry",
				       what);
			goto out;
		}
		if (strchr("\\\"'$# ;", c) != NULL && (r = buf_append(b, "\\", 1)) < 0)
			goto out;
		if ((r = buf_append(b, p, 1)) < 0)
			goto out;
	}
	r = buf_append(b, "\n", 1);
	if (r < 0)
		goto out;
	r = 0;
out:
	return r;
}

int p11_ossl_open(const char *module_path, const char *init_args, struct p11_ossl **out)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ossl *o = NULL;
	struct buf conf_text;
	CONF *conf = NULL;
	BIO *bio = NULL;
	long eline = -1;
	char real[PATH_MAX];

	buf_init(&conf_text, P11_OSSL_CONF_MAX_BYTES);
	*out = NULL;
	/* Our C_Initialize ran already; SoftHSM leaves errors in the queue. */
	ERR_clear_error();
	if (realpath(module_path, real) == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "%s: PKCS#11 module: %s", module_path,
			       strerror(errno));
		goto out;
	}
	/* Before the provider loads: it must never find a prompting UI. */
	if (pthread_once(&ui_default_once, ui_default_install) != 0 ||
	    UI_get_default_method() != ui_default_refuse) {
		r = ce_err_set(CE_ERR_INTERNAL, "cannot turn OpenSSL's PIN prompt off");
		goto out;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL || (o->module = strdup(real)) == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	/* no-deinit: the module belongs to our layer, which finalizes it (and
	 * SoftHSM crashes at exit otherwise). no-operation-state: contexts are
	 * never duplicated through C_GetOperationState. login-behavior never:
	 * the provider relies on our login for public objects too.
	 * load-behavior early: the provider initialises the module and reads its
	 * slots now, so a module failure surfaces here, named, rather than as an
	 * unknown "pkcs11:" scheme at the first key load. */
	if ((r = buf_printf(&conf_text,
			    "openssl_conf = ceremony_init\n"
			    "[ceremony_init]\n"
			    "providers = ceremony_providers\n"
			    "[ceremony_providers]\n"
			    "default = ceremony_default\n"
			    "pkcs11 = ceremony_pkcs11\n"
			    "[ceremony_default]\n"
			    "activate = 1\n"
			    "[ceremony_pkcs11]\n"
			    "activate = 1\n"
			    "pkcs11-module-quirks = no-deinit no-operation-state\n"
			    "pkcs11-module-login-behavior = never\n"
			    "pkcs11-module-load-behavior = early\n"
			    "pkcs11-module-path = ")) < 0 ||
	    (r = conf_value_append(&conf_text, "the module path", real)) < 0)
		goto out;
	if (init_args != NULL &&
	    ((r = buf_printf(&conf_text, "pkcs11-module-init-args = ")) < 0 ||
	     (r = conf_value_append(&conf_text, "the module's init arguments", init_args)) < 0))
		goto out;
	o->libctx = OSSL_LIB_CTX_new();
	if (o->libctx == NULL) {
		r = p11_ossl_err(CE_ERR_NOMEM, "OSSL_LIB_CTX_new");
		goto out;
	}
	conf = NCONF_new_ex(o->libctx, NULL);
	bio = BIO_new_mem_buf(conf_text.p, (int)conf_text.len);
	if (conf == NULL || bio == NULL) {
		r = p11_ossl_err(CE_ERR_NOMEM, "OpenSSL configuration");
		goto out;
	}
	if (NCONF_load_bio(conf, bio, &eline) <= 0) {
		r = p11_ossl_err(CE_ERR_INTERNAL, "OpenSSL configuration line %ld", eline);
		goto out;
	}
	if (CONF_modules_load(conf, NULL, 0) <= 0) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "loading pkcs11-provider for %s", real);
		goto out;
	}
	if (!OSSL_PROVIDER_available(o->libctx, "pkcs11") ||
	    !OSSL_PROVIDER_available(o->libctx, "default")) {
		r = p11_ossl_err(CE_ERR_CRYPTO,
				 "pkcs11-provider for %s did not load (the module failed to "
				 "initialise or to list its slots and tokens)", real);
		goto out;
	}
	o->ui_refuse = UI_create_method("ceremony: no PIN prompt");
	if (o->ui_refuse == NULL || UI_method_set_reader(o->ui_refuse, ui_refuse_reader) != 0) {
		r = p11_ossl_err(CE_ERR_NOMEM, "UI method");
		goto out;
	}
	ERR_clear_error();
	*out = o;
	o = NULL; /* transferred */
	r = 0;
out:
	BIO_free(bio);
	NCONF_free(conf);
	buf_free(&conf_text);
	p11_ossl_close(o);
	return r;
}

void p11_ossl_close(struct p11_ossl *o)
{
	if (o == NULL)
		return;
	OSSL_LIB_CTX_free(o->libctx);
	if (o->ui_refuse != NULL)
		UI_destroy_method(o->ui_refuse);
	free(o->module);
	free(o);
}

OSSL_LIB_CTX *p11_ossl_libctx(const struct p11_ossl *o)
{
	return o->libctx;
}

/* "pkcs11:a=1;type=x;b=2?q" -> "pkcs11:a=1;b=2;type=<type>?q" */
static int uri_with_type(const char *uri, const char *type, struct buf *b)
{
	int r = CE_ERR_INTERNAL;
	const char *path = uri + strlen("pkcs11:");
	const char *query = strchr(path, '?');
	const char *end = query ? query : path + strlen(path);
	const char *p = path;
	int first = 1;

	r = buf_append(b, "pkcs11:", 7);
	if (r < 0)
		goto out;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *attr_end = semi ? semi : end;
		size_t n = (size_t)(attr_end - p);

		if (n > 0 && !(n >= 5 && strncasecmp(p, "type=", 5) == 0)) {
			if (!first && (r = buf_append(b, ";", 1)) < 0)
				goto out;
			if ((r = buf_append(b, p, n)) < 0)
				goto out;
			first = 0;
		}
		p = semi ? semi + 1 : end;
	}
	r = buf_printf(b, "%stype=%s%s", first ? "" : ";", type, query ? query : "");
	if (r < 0)
		goto out;
	r = 0;
out:
	return r;
}

static int uri_check(const char *uri)
{
	if (strncasecmp(uri, "pkcs11:", 7) != 0)
		return ce_err_set(CE_ERR_INVALID, "'%s': not a pkcs11: URI", uri);
	if (strlen(uri) > P11_OSSL_URI_MAX_BYTES)
		return ce_err_set(CE_ERR_TOO_LARGE, "pkcs11: URI longer than %d bytes",
				  P11_OSSL_URI_MAX_BYTES);
	/* A PIN never travels in a URI (RFC 7512 pin-value / pin-source). */
	if (strcasestr(uri, "pin-value") != NULL || strcasestr(uri, "pin-source") != NULL)
		return ce_err_set(CE_ERR_INVALID,
				  "a pkcs11: URI carrying pin-value or pin-source is refused");
	return 0;
}

/* Load exactly one key of the expected kind (OSSL_STORE_INFO_PKEY or
 * OSSL_STORE_INFO_PUBKEY). *found is NULL when there is none. */
static int store_load_one(struct p11_ossl *o, const char *uri, int expect, const char *what,
			  EVP_PKEY **found)
{
	int r = CE_ERR_INTERNAL;
	OSSL_STORE_CTX *sc = NULL;
	OSSL_STORE_INFO *info = NULL;
	EVP_PKEY *key = NULL;

	*found = NULL;
	ERR_clear_error();
	sc = OSSL_STORE_open_ex(uri, o->libctx, "?provider=pkcs11", o->ui_refuse, NULL, NULL,
				NULL, NULL);
	if (sc == NULL) {
		r = p11_ossl_err(CE_ERR_NOT_FOUND, "%s: cannot open the %s", uri, what);
		goto out;
	}
	if (OSSL_STORE_expect(sc, expect) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: OSSL_STORE_expect", uri);
		goto out;
	}
	while (!OSSL_STORE_eof(sc)) {
		info = OSSL_STORE_load(sc);
		if (info == NULL) {
			if (OSSL_STORE_error(sc))
				break;
			continue;
		}
		if (OSSL_STORE_INFO_get_type(info) == expect) {
			if (key != NULL) {
				r = ce_err_set(CE_ERR_INVALID,
					       "%s: names more than one %s; add object= or id=",
					       uri, what);
				goto out;
			}
			key = expect == OSSL_STORE_INFO_PKEY ? OSSL_STORE_INFO_get1_PKEY(info)
							     : OSSL_STORE_INFO_get1_PUBKEY(info);
			if (key == NULL) {
				r = p11_ossl_err(CE_ERR_NOMEM, "%s", uri);
				goto out;
			}
		}
		OSSL_STORE_INFO_free(info);
		info = NULL;
	}
	if (key == NULL && ERR_peek_error() != 0) {
		/* Nothing found, and the provider said why (a token failure, not
		 * an absent object). */
		r = p11_ossl_err(CE_ERR_NOT_FOUND, "%s: cannot load the %s", uri, what);
		goto out;
	}
	ERR_clear_error();
	*found = key;
	key = NULL; /* transferred */
	r = 0;
out:
	OSSL_STORE_INFO_free(info);
	EVP_PKEY_free(key);
	OSSL_STORE_close(sc);
	return r;
}

static int key_md(const EVP_PKEY *pub, const char *uri, const char **md)
{
	char group[64];

	if (EVP_PKEY_is_a(pub, "RSA")) {
		*md = "SHA256";
		return 0;
	}
	if (EVP_PKEY_is_a(pub, "ED25519")) {
		*md = NULL;
		return 0;
	}
	if (EVP_PKEY_is_a(pub, "EC") &&
	    EVP_PKEY_get_group_name(pub, group, sizeof(group), NULL) == 1) {
		if (strcmp(group, "prime256v1") == 0) {
			*md = "SHA256";
			return 0;
		}
		if (strcmp(group, "secp384r1") == 0) {
			*md = "SHA384";
			return 0;
		}
		if (strcmp(group, "secp521r1") == 0) {
			*md = "SHA512";
			return 0;
		}
	}
	return ce_err_set(CE_ERR_UNSUPPORTED,
			  "%s: key type %s not supported (RSA, EC P-256/P-384/P-521, Ed25519)", uri,
			  EVP_PKEY_get0_type_name(pub) ? EVP_PKEY_get0_type_name(pub) : "?");
}

/* A software copy of the public key of k (any provider) in the default
 * provider, through its SubjectPublicKeyInfo. */
static int pub_to_default(struct p11_ossl *o, EVP_PKEY *k, const char *uri, EVP_PKEY **out)
{
	int r = CE_ERR_INTERNAL;
	unsigned char *der = NULL;
	const unsigned char *p;
	int len;

	*out = NULL;
	len = i2d_PUBKEY(k, &der);
	if (len <= 0) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: cannot export the public key", uri);
		goto out;
	}
	p = der;
	*out = d2i_PUBKEY_ex(NULL, &p, len, o->libctx, "provider=default");
	if (*out == NULL) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: cannot import the public key", uri);
		goto out;
	}
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

int p11_ossl_key_load(struct p11_ossl *o, const char *uri, const EVP_PKEY *expect,
		      struct p11_ossl_key *out)
{
	int r = CE_ERR_INTERNAL;
	struct buf priv_uri, pub_uri;
	EVP_PKEY *token_pub = NULL;
	struct p11_ossl_key k = { 0 };
	int eq;

	buf_init(&priv_uri, P11_OSSL_URI_MAX_BYTES + 32);
	buf_init(&pub_uri, P11_OSSL_URI_MAX_BYTES + 32);
	memset(out, 0, sizeof(*out));
	r = uri_check(uri);
	if (r < 0)
		goto out;
	k.ctx = o;
	k.uri = strdup(uri);
	if (k.uri == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if ((r = uri_with_type(uri, "private", &priv_uri)) < 0 ||
	    (r = uri_with_type(uri, "public", &pub_uri)) < 0)
		goto out;
	r = store_load_one(o, priv_uri.p, OSSL_STORE_INFO_PKEY, "private key", &k.priv);
	if (r < 0)
		goto out;
	if (k.priv == NULL) {
		r = ce_err_set(CE_ERR_NOT_FOUND,
			       "%s: no such private key on the token, or OpenSSL's provider does "
			       "not see our login (not logged in, or a module that is not shared "
			       "in process, such as p11-kit-client)",
			       uri);
		goto out;
	}
	r = store_load_one(o, pub_uri.p, OSSL_STORE_INFO_PUBKEY, "public key", &token_pub);
	if (r < 0)
		goto out;
	/* The public key object when there is one; else the private key's public
	 * part as the provider reads it from the token. */
	r = pub_to_default(o, token_pub != NULL ? token_pub : k.priv, uri, &k.pub);
	if (r < 0)
		goto out;
	eq = EVP_PKEY_eq(k.priv, k.pub);
	if (eq < 0) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: cannot compare the private key with its "
				 "public key", uri);
		goto out;
	}
	if (eq != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_MISMATCH,
			       "%s: the public key object does not match the private key (or the "
			       "token could not read them)", uri);
		goto out;
	}
	if (expect != NULL && EVP_PKEY_eq(k.pub, expect) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_MISMATCH,
			       "%s: OpenSSL's view of the public key differs from the exported one",
			       uri);
		goto out;
	}
	r = key_md(k.pub, uri, &k.md);
	if (r < 0)
		goto out;
	*out = k;
	memset(&k, 0, sizeof(k)); /* transferred */
	r = 0;
out:
	EVP_PKEY_free(token_pub);
	p11_ossl_key_free(&k);
	buf_free(&priv_uri);
	buf_free(&pub_uri);
	return r;
}

int p11_ossl_key_from_p11(struct p11_ossl *o, const struct p11_key *key, struct p11_ossl_key *out)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ossl_key k = { 0 };
	EVP_PKEY *exported = NULL;

	memset(out, 0, sizeof(*out));
	k.ctx = o;
	k.direct = key;
	k.uri = strdup(p11_key_uri(key));
	if (k.uri == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if ((r = p11_key_public_evp(key, &exported)) < 0 ||
	    (r = pub_to_default(o, exported, k.uri, &k.pub)) < 0 ||
	    (r = key_md(k.pub, k.uri, &k.md)) < 0)
		goto out;
	*out = k;
	memset(&k, 0, sizeof(k)); /* transferred */
	r = 0;
out:
	EVP_PKEY_free(exported);
	p11_ossl_key_free(&k);
	return r;
}

int p11_ossl_key_route(struct p11_ossl_key *k, const struct p11_key *key)
{
	int r = p11_key_sign_combined(key, p11_ossl_md_hash(k->md));

	if (r < 0)
		return ce_err_prefix(r, "%s", k->uri);
	if (r == 0 || k->priv == NULL)
		k->direct = key;
	return 0;
}

void p11_ossl_key_free(struct p11_ossl_key *k)
{
	EVP_PKEY_free(k->priv);
	EVP_PKEY_free(k->pub);
	free(k->uri);
	memset(k, 0, sizeof(*k));
}

enum p11_hash p11_ossl_md_hash(const char *md)
{
	if (md == NULL)
		return P11_HASH_NONE;
	if (strcmp(md, "SHA384") == 0)
		return P11_HASH_SHA384;
	if (strcmp(md, "SHA512") == 0)
		return P11_HASH_SHA512;
	return P11_HASH_SHA256;
}

/* EVP_DigestSign through pkcs11-provider; *s malloc'd. */
static int sign_with_provider(const struct p11_ossl_key *k, const unsigned char *msg,
			      size_t msg_len, unsigned char **out, size_t *out_len)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *sctx = EVP_MD_CTX_new();
	unsigned char *s = NULL;
	size_t len = 0;

	if (sctx == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSignInit_ex(sctx, NULL, k->md, k->ctx->libctx, NULL, k->priv, NULL) != 1 ||
	    EVP_DigestSign(sctx, NULL, &len, msg, msg_len) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: signing", k->uri);
		goto out;
	}
	s = malloc(len);
	if (s == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSign(sctx, s, &len, msg, msg_len) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: signing", k->uri);
		goto out;
	}
	*out = s;
	s = NULL; /* transferred */
	*out_len = len;
	r = 0;
out:
	free(s);
	EVP_MD_CTX_free(sctx);
	return r;
}

int p11_ossl_sign(const struct p11_ossl_key *k, const unsigned char *msg, size_t msg_len,
		  unsigned char **sig, size_t *sig_len)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *vctx = NULL;
	unsigned char *s = NULL;
	size_t len = 0;

	*sig = NULL;
	*sig_len = 0;
	ERR_clear_error();
	vctx = EVP_MD_CTX_new();
	if (vctx == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (k->direct == NULL)
		r = sign_with_provider(k, msg, msg_len, &s, &len);
	else
		r = p11_key_sign(k->direct, p11_ossl_md_hash(k->md), msg, msg_len, &s, &len);
	if (r < 0)
		goto out;
	/* Every signature the HSM makes is verified before it is used. */
	if (EVP_DigestVerifyInit_ex(vctx, NULL, k->md, k->ctx->libctx, "provider=default", k->pub,
				    NULL) != 1) {
		r = p11_ossl_err(CE_ERR_CRYPTO, "%s: verification set-up", k->uri);
		goto out;
	}
	if (EVP_DigestVerify(vctx, s, len, msg, msg_len) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "%s: the token returned a signature that does not "
			       "verify", k->uri);
		goto out;
	}
	*sig = s;
	s = NULL; /* transferred */
	*sig_len = len;
	r = 0;
out:
	free(s);
	EVP_MD_CTX_free(vctx);
	return r;
}
