/* SPDX-License-Identifier: Apache-2.0 */
/* Loading modules through p11-kit (unmanaged: we own C_Initialize), listing
 * slots, formatting token URIs. */
#include "pkcs11/p11_internal.h"
#include "common/buf.h"
#include "common/err.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define P11_MODULE_FILE_MAX_BYTES (64 * 1024)
#define P11_LIBRARY_MAX_BYTES (256u * 1024 * 1024)

static char *str_dup_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s == NULL ? path : s + 1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* C_Initialize with OS locking and the module's init string. Records the
 * result in m; returns it. */
static int module_initialize(struct p11_module *m)
{
	CK_C_INITIALIZE_ARGS args;
	CK_RV rv;
	char what[PATH_MAX + 16];
	const struct p11_failure *f;

	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	args.pReserved = m->init_args;
	rv = m->fl->C_Initialize(&args);
	/* notes rule 6: some modules leave OpenSSL errors behind. */
	ERR_clear_error();
	if (rv == CKR_OK) {
		m->initialized = 1;
		return 0;
	}
	if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED)
		return 0; /* someone else in this process owns it; we do not finalize */
	snprintf(what, sizeof(what), "module %s", m->path);
	m->error = p11_rv_fail(rv, "C_Initialize", what);
	f = p11_failure_current();
	if (f != NULL)
		m->error_failure = *f;
	free(m->error_detail);
	m->error_detail = strdup(ce_err_detail());
	return m->error;
}

int p11_module_error_replay(const struct p11_module *m)
{
	int r = ce_err_set(m->error, "%s", p11_module_error_detail(m));

	p11_failure_record(m->error_failure.rv, m->error_failure.function,
			   m->error_failure.what);
	return r;
}

/* Read "module:" and "x-init-reserved:" from a p11-kit module file. */
static int module_file_parse(const char *file, char **lib, char **init_args)
{
	int r = CE_ERR_INTERNAL;
	struct buf b;
	char *line, *save = NULL, *val, *end;
	size_t lineno = 0;

	buf_init(&b, P11_MODULE_FILE_MAX_BYTES);
	*lib = NULL;
	*init_args = NULL;
	r = buf_read_file(&b, file, P11_MODULE_FILE_MAX_BYTES);
	if (r < 0)
		goto out;
	for (line = strtok_r(b.p, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == '\0')
			continue;
		val = strchr(line, ':');
		if (val == NULL) {
			r = ce_err_set(CE_ERR_FORMAT, "%s: line %zu: expected 'name: value'", file,
				       lineno);
			goto out;
		}
		*val++ = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		end = val + strlen(val);
		while (end > val && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		end = line + strlen(line);
		while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (strcmp(line, "module") == 0) {
			free(*lib);
			*lib = strdup(val);
		} else if (strcmp(line, "x-init-reserved") == 0) {
			free(*init_args);
			*init_args = strdup(val);
		}
	}
	if (*lib == NULL) {
		r = ce_err_set(CE_ERR_FORMAT, "%s: no 'module:' line naming the library", file);
		goto out;
	}
	r = 0;
out:
	if (r < 0) {
		free(*lib);
		free(*init_args);
		*lib = NULL;
		*init_args = NULL;
	}
	buf_free(&b);
	return r;
}

static int ctx_open_path(struct p11_ctx *ctx, const char *arg)
{
	int r = CE_ERR_INTERNAL;
	char *lib = NULL, *init_args = NULL;
	char real[PATH_MAX];
	struct p11_module *m;

	if (ends_with(arg, ".module")) {
		r = module_file_parse(arg, &lib, &init_args);
		if (r < 0)
			goto out;
	} else {
		lib = strdup(arg);
		if (lib == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (realpath(lib, real) == NULL) {
		r = ce_err_set(errno == ENOENT ? CE_ERR_NOT_FOUND : CE_ERR_IO,
			       "PKCS#11 module %s: %s", lib, strerror(errno));
		goto out;
	}
	ctx->mods = calloc(1, sizeof(*ctx->mods));
	if (ctx->mods == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	m = &ctx->mods[0];
	ctx->n = 1;
	m->path = strdup(real);
	m->name = strdup(base_name(real));
	m->init_args = init_args;
	init_args = NULL; /* transferred */
	if (m->path == NULL || m->name == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	m->fl = p11_kit_module_load(real, P11_KIT_MODULE_UNMANAGED);
	if (m->fl == NULL) {
		r = ce_err_set(CE_ERR_PKCS11, "PKCS#11 module %s: cannot load: %s", real,
			       p11_kit_message() != NULL ? p11_kit_message() : "unknown reason");
		goto out;
	}
	r = module_initialize(m);
	if (r < 0)
		goto out;
	r = 0;
out:
	free(lib);
	free(init_args);
	return r;
}

static int ctx_open_registered(struct p11_ctx *ctx)
{
	int r = CE_ERR_INTERNAL;
	size_t n = 0, i;
	char *file;

	ctx->registered = p11_kit_modules_load(NULL, P11_KIT_MODULE_UNMANAGED);
	if (ctx->registered == NULL) {
		r = ce_err_set(CE_ERR_PKCS11, "p11-kit: cannot load the registered modules: %s",
			       p11_kit_message() != NULL ? p11_kit_message() : "unknown reason");
		goto out;
	}
	while (ctx->registered[n] != NULL)
		n++;
	if (n == 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no PKCS#11 module is registered with p11-kit "
						 "(see /usr/share/p11-kit/modules): use --module PATH");
		goto out;
	}
	ctx->mods = calloc(n, sizeof(*ctx->mods));
	if (ctx->mods == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct p11_module *m = &ctx->mods[i];
		char real[PATH_MAX];

		ctx->n = i + 1;
		m->fl = ctx->registered[i];
		m->from_registry = 1;
		file = p11_kit_module_get_filename(m->fl);
		if (file != NULL && realpath(file, real) != NULL)
			m->path = strdup(real);
		else
			m->path = str_dup_or_null(file != NULL ? file : "(unknown)");
		free(file);
		m->name = p11_kit_module_get_name(m->fl);
		if (m->name == NULL && m->path != NULL)
			m->name = strdup(base_name(m->path));
		m->init_args = p11_kit_config_option(m->fl, "x-init-reserved");
		if (m->path == NULL || m->name == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
		/* A module that fails to initialise is listed with its error. */
		(void)module_initialize(m);
	}
	ce_err_clear();
	r = 0;
out:
	return r;
}

int p11_ctx_open(const char *module, struct p11_ctx **out)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ctx *ctx = NULL;

	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = module != NULL ? ctx_open_path(ctx, module) : ctx_open_registered(ctx);
	if (r < 0)
		goto out;
	*out = ctx;
	ctx = NULL; /* transferred */
	r = 0;
out:
	p11_ctx_free(ctx);
	return r;
}

void p11_ctx_free(struct p11_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->n; i++) {
		struct p11_module *m = &ctx->mods[i];

		if (m->fl != NULL && m->initialized)
			m->fl->C_Finalize(NULL);
		if (m->fl != NULL && !m->from_registry)
			p11_kit_module_release(m->fl);
		free(m->path);
		free(m->name);
		free(m->init_args);
		free(m->error_detail);
	}
	if (ctx->registered != NULL)
		p11_kit_modules_release(ctx->registered);
	free(ctx->mods);
	free(ctx);
}

size_t p11_ctx_module_count(const struct p11_ctx *ctx)
{
	return ctx->n;
}

const struct p11_module *p11_ctx_module(const struct p11_ctx *ctx, size_t i)
{
	return i < ctx->n ? &ctx->mods[i] : NULL;
}

const char *p11_module_path(const struct p11_module *m)
{
	return m->path;
}

const char *p11_module_name(const struct p11_module *m)
{
	return m->name;
}

const char *p11_module_init_args(const struct p11_module *m)
{
	return m->init_args;
}

int p11_module_error(const struct p11_module *m)
{
	return m->error;
}

const char *p11_module_error_detail(const struct p11_module *m)
{
	return m->error_detail != NULL ? m->error_detail : "";
}

int p11_module_file_sha256(const struct p11_module *m, uint8_t out[32])
{
	int r = CE_ERR_INTERNAL;
	struct buf b;
	unsigned int len = 0;

	buf_init(&b, P11_LIBRARY_MAX_BYTES);
	r = buf_read_file(&b, m->path, P11_LIBRARY_MAX_BYTES);
	if (r < 0)
		goto out;
	if (EVP_Digest(b.p, b.len, out, &len, EVP_sha256(), NULL) != 1 || len != 32) {
		r = ce_err_set(CE_ERR_CRYPTO, "SHA-256 of %s failed", m->path);
		goto out;
	}
	r = 0;
out:
	buf_free(&b);
	return r;
}

int p11_module_info(const struct p11_module *m, struct p11_module_info *out)
{
	CK_INFO info;
	CK_RV rv;

	memset(out, 0, sizeof(*out));
	if (m->error != 0)
		return p11_module_error_replay(m);
	rv = m->fl->C_GetInfo(&info);
	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_GetInfo", m->path);
	p11_trim(out->manufacturer, sizeof(out->manufacturer), info.manufacturerID,
		 sizeof(info.manufacturerID));
	p11_trim(out->description, sizeof(out->description), info.libraryDescription,
		 sizeof(info.libraryDescription));
	out->cryptoki_major = info.cryptokiVersion.major;
	out->cryptoki_minor = info.cryptokiVersion.minor;
	out->library_major = info.libraryVersion.major;
	out->library_minor = info.libraryVersion.minor;
	return 0;
}

void p11_token_info_from_ck(struct p11_token_info *out, const CK_TOKEN_INFO *ti)
{
	static const struct {
		CK_FLAGS ck;
		unsigned ours;
	} map[] = {
		{ CKF_RNG, P11_TOKEN_RNG },
		{ CKF_WRITE_PROTECTED, P11_TOKEN_WRITE_PROTECTED },
		{ CKF_LOGIN_REQUIRED, P11_TOKEN_LOGIN_REQUIRED },
		{ CKF_USER_PIN_INITIALIZED, P11_TOKEN_USER_PIN_INITIALIZED },
		{ CKF_PROTECTED_AUTHENTICATION_PATH, P11_TOKEN_PROTECTED_AUTH_PATH },
		{ CKF_TOKEN_INITIALIZED, P11_TOKEN_INITIALIZED },
		{ CKF_USER_PIN_COUNT_LOW, P11_TOKEN_USER_PIN_COUNT_LOW },
		{ CKF_USER_PIN_FINAL_TRY, P11_TOKEN_USER_PIN_FINAL_TRY },
		{ CKF_USER_PIN_LOCKED, P11_TOKEN_USER_PIN_LOCKED },
		{ CKF_USER_PIN_TO_BE_CHANGED, P11_TOKEN_USER_PIN_TO_BE_CHANGED },
		{ CKF_SO_PIN_COUNT_LOW, P11_TOKEN_SO_PIN_COUNT_LOW },
		{ CKF_SO_PIN_FINAL_TRY, P11_TOKEN_SO_PIN_FINAL_TRY },
		{ CKF_SO_PIN_LOCKED, P11_TOKEN_SO_PIN_LOCKED },
		{ CKF_SO_PIN_TO_BE_CHANGED, P11_TOKEN_SO_PIN_TO_BE_CHANGED },
	};
	size_t i;

	memset(out, 0, sizeof(*out));
	p11_trim(out->label, sizeof(out->label), ti->label, sizeof(ti->label));
	p11_trim(out->manufacturer, sizeof(out->manufacturer), ti->manufacturerID,
		 sizeof(ti->manufacturerID));
	p11_trim(out->model, sizeof(out->model), ti->model, sizeof(ti->model));
	p11_trim(out->serial, sizeof(out->serial), ti->serialNumber, sizeof(ti->serialNumber));
	out->hw_major = ti->hardwareVersion.major;
	out->hw_minor = ti->hardwareVersion.minor;
	out->fw_major = ti->firmwareVersion.major;
	out->fw_minor = ti->firmwareVersion.minor;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (ti->flags & map[i].ck)
			out->flags |= map[i].ours;
	out->min_pin_len = ti->ulMinPinLen;
	out->max_pin_len = ti->ulMaxPinLen;
}

char *p11_token_uri_format(const CK_TOKEN_INFO *ti)
{
	P11KitUri *uri = p11_kit_uri_new();
	char *s = NULL;

	if (uri == NULL)
		return NULL;
	memcpy(p11_kit_uri_get_token_info(uri), ti, sizeof(*ti));
	if (p11_kit_uri_format(uri, P11_KIT_URI_FOR_TOKEN, &s) != P11_KIT_URI_OK)
		s = NULL;
	p11_kit_uri_free(uri);
	return s;
}

int p11_module_slots(const struct p11_module *m, struct p11_slot **out, size_t *n)
{
	int r = CE_ERR_INTERNAL;
	CK_SLOT_ID *ids = NULL;
	CK_ULONG count = 0, i;
	struct p11_slot *slots = NULL;
	CK_RV rv;

	*out = NULL;
	*n = 0;
	if (m->error != 0) {
		r = p11_module_error_replay(m);
		goto out;
	}
	rv = m->fl->C_GetSlotList(CK_FALSE, NULL, &count);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetSlotList", m->path);
		goto out;
	}
	ids = calloc(count + 1, sizeof(*ids));
	slots = calloc(count + 1, sizeof(*slots));
	if (ids == NULL || slots == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	rv = m->fl->C_GetSlotList(CK_FALSE, ids, &count);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetSlotList", m->path);
		goto out;
	}
	for (i = 0; i < count; i++) {
		CK_SLOT_INFO si;
		CK_TOKEN_INFO ti;
		struct p11_slot *sl = &slots[i];

		*n = (size_t)i + 1;
		sl->module = m;
		sl->slot_id = ids[i];
		rv = m->fl->C_GetSlotInfo(ids[i], &si);
		if (rv != CKR_OK) {
			r = p11_rv_fail(rv, "C_GetSlotInfo", m->path);
			goto out;
		}
		p11_trim(sl->description, sizeof(sl->description), si.slotDescription,
			 sizeof(si.slotDescription));
		p11_trim(sl->manufacturer, sizeof(sl->manufacturer), si.manufacturerID,
			 sizeof(si.manufacturerID));
		sl->token_present = (si.flags & CKF_TOKEN_PRESENT) != 0;
		sl->removable = (si.flags & CKF_REMOVABLE_DEVICE) != 0;
		sl->hardware = (si.flags & CKF_HW_SLOT) != 0;
		if (!sl->token_present)
			continue;
		rv = p11_get_token_info(m, ids[i], &ti);
		if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED) {
			sl->token_present = 0;
			continue;
		}
		if (rv != CKR_OK) {
			r = p11_rv_fail(rv, "C_GetTokenInfo", m->path);
			goto out;
		}
		p11_token_info_from_ck(&sl->token, &ti);
		sl->token_uri = p11_token_uri_format(&ti);
		if (sl->token_uri == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	*out = slots;
	slots = NULL; /* transferred */
	r = 0;
out:
	if (slots != NULL) {
		p11_slots_free(slots, *n);
		*n = 0;
	}
	free(ids);
	return r;
}

void p11_slots_free(struct p11_slot *slots, size_t n)
{
	size_t i;

	if (slots == NULL)
		return;
	for (i = 0; i < n; i++)
		free(slots[i].token_uri);
	free(slots);
}

/* ---- RFC 7512 module and slot attributes (docs/pkcs11.md "URI rules") ---- */

/* RFC 7512 2.3's module-name: the library's file name without "lib" and
 * the ".so" suffix ("/usr/lib/softhsm/libsofthsm2.so" -> "softhsm2"). */
static void rfc_module_name(const char *path, char *out, size_t cap)
{
	const char *b = base_name(path);
	const char *so;
	size_t n;

	if (strncmp(b, "lib", 3) == 0 && b[3] != '\0')
		b += 3;
	so = strstr(b, ".so");
	n = so != NULL ? (size_t)(so - b) : strlen(b);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, b, n);
	out[n] = '\0';
}

int p11_uri_module_match(const struct p11_module *m, P11KitUri *u)
{
	const char *name = p11_kit_uri_get_module_name(u);
	const char *path = p11_kit_uri_get_module_path(u);
	char real[PATH_MAX], rfc[256];

	if (path != NULL) {
		/* a path names the file: compare real paths (symlinks, ..) */
		if (m->path == NULL)
			return 0;
		if (strcmp(path, m->path) != 0 &&
		    (realpath(path, real) == NULL || strcmp(real, m->path) != 0))
			return 0;
	}
	if (name != NULL) {
		if (m->name != NULL && strcmp(name, m->name) == 0)
			return 1;
		if (m->path == NULL)
			return 0;
		rfc_module_name(m->path, rfc, sizeof(rfc));
		return strcmp(name, rfc) == 0 || strcmp(name, base_name(m->path)) == 0;
	}
	return 1;
}

int p11_uri_modules_check(const struct p11_ctx *ctx, P11KitUri *u, const char *uri)
{
	const char *name = p11_kit_uri_get_module_name(u);
	const char *path = p11_kit_uri_get_module_path(u);
	size_t i;

	if (name == NULL && path == NULL)
		return 0;
	for (i = 0; i < ctx->n; i++)
		if (p11_uri_module_match(&ctx->mods[i], u))
			return 0;
	if (ctx->n == 1 && !ctx->mods[0].from_registry)
		return ce_err_set(CE_ERR_INVALID,
				  "PKCS#11 URI '%s' names %s%s%s, which contradicts --module %s "
				  "(module name '%s'): refused; drop the attribute or the option",
				  uri, path != NULL ? "module-path=" : "module-name=",
				  path != NULL ? path : name,
				  path != NULL && name != NULL ? " (and a module-name)" : "",
				  ctx->mods[0].path, ctx->mods[0].name);
	return ce_err_set(CE_ERR_NOT_FOUND,
			  "PKCS#11 URI '%s' names %s%s, but no module registered with p11-kit "
			  "has it (see `ceremony hsm list`)",
			  uri, path != NULL ? "module-path=" : "module-name=",
			  path != NULL ? path : name);
}

int p11_uri_slot_match(const struct p11_module *m, CK_SLOT_ID slot, P11KitUri *u)
{
	CK_SLOT_INFO si;
	size_t i;

	/* Only when the URI names a slot attribute: one call less otherwise. */
	if (p11_kit_uri_get_slot_info(u)->slotDescription[0] == 0 &&
	    p11_kit_uri_get_slot_info(u)->manufacturerID[0] == 0)
		return 1;
	if (m->fl->C_GetSlotInfo(slot, &si) != CKR_OK)
		return 0;
	/* Modules that pad with NULs instead of spaces (docs/pkcs11.md). */
	for (i = 0; i < sizeof(si.slotDescription); i++)
		if (si.slotDescription[i] == 0)
			si.slotDescription[i] = ' ';
	for (i = 0; i < sizeof(si.manufacturerID); i++)
		if (si.manufacturerID[i] == 0)
			si.manufacturerID[i] = ' ';
	return p11_kit_uri_match_slot_info(u, &si);
}

int p11_uri_query_check(const char *uri)
{
	static const char *const known[] = { "module-name", "module-path", "pin-value",
					     "pin-source", NULL };
	const char *q = strchr(uri, '?');
	const char *p, *end, *amp, *eq;
	size_t n, i;

	if (q == NULL)
		return 0;
	for (p = q + 1; *p != '\0'; p = *end == '&' ? end + 1 : end) {
		amp = strchr(p, '&');
		end = amp != NULL ? amp : p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		n = eq != NULL ? (size_t)(eq - p) : (size_t)(end - p);
		for (i = 0; known[i] != NULL; i++)
			if (strlen(known[i]) == n && strncmp(p, known[i], n) == 0)
				break;
		if (known[i] == NULL)
			return ce_err_set(CE_ERR_FORMAT,
					  "PKCS#11 URI '%s' has a query attribute '%.*s' ceremony "
					  "does not honour (RFC 7512 defines module-name and "
					  "module-path; pin-value and pin-source are refused)",
					  uri, (int)(n > 64 ? 64 : n), p);
	}
	return 0;
}
