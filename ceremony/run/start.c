/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/start.c - the ceremony.start event: the ceremony, script and
 * roster hashes, the host, the PKCS#11 module, p11-kit and pkcs11-provider
 * as far as the start can know them, and the first initialised token.
 */
#include "ceremony/run/context.h"
#include "ceremony/transcript/jtext.h"

#include "common/err.h"
#include "common/hex.h"
#include "pkcs11/p11.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <p11-kit/p11-kit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* p11-kit has no runtime version call: the version of the headers this
 * binary was built with (mk/runner.mk). */
#if defined(P11_KIT_VERSION_MAJOR) && defined(P11_KIT_VERSION_MINOR) && \
	defined(P11_KIT_VERSION_MICRO)
#define RUN_STR2(x) #x
#define RUN_STR(x) RUN_STR2(x)
#define RUN_P11KIT_VERSION                                                            \
	RUN_STR(P11_KIT_VERSION_MAJOR) "." RUN_STR(P11_KIT_VERSION_MINOR) "." RUN_STR( \
		P11_KIT_VERSION_MICRO)
#elif defined(CE_P11KIT_BUILD_VERSION)
#define RUN_P11KIT_VERSION CE_P11KIT_BUILD_VERSION
#else
#define RUN_P11KIT_VERSION "unknown"
#endif

/* Whether dpkg's file list of pkg names `file`. */
static int dpkg_owns(const char *pkg, const char *file)
{
	static const char *const suffixes[] = { ":amd64.list", ":arm64.list", ".list", NULL };
	char path[PATH_MAX], line[1024];
	FILE *f = NULL;
	size_t i;
	int owned = 0;

	for (i = 0; suffixes[i] != NULL && !owned; i++) {
		snprintf(path, sizeof(path), "/var/lib/dpkg/info/%s%s", pkg, suffixes[i]);
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (strcmp(line, file) == 0)
				owned = 1;
		}
		fclose(f);
	}
	return owned;
}

/* The Debian package version of the package that owns `file`, from dpkg's
 * own records (/var/lib/dpkg/info/PKG:ARCH.list, /var/lib/dpkg/status).
 * 0 and out filled, or -1 (not a dpkg system, not owned, not installed). */
static int dpkg_version_of(const char *pkg, const char *file, char *out, size_t cap)
{
	char line[1024], cur[128] = "", ver[128] = "";
	FILE *f = NULL;
	int installed = 0, found = 0;

	if (!dpkg_owns(pkg, file))
		return -1;
	f = fopen("/var/lib/dpkg/status", "re");
	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0') {
			found = strcmp(cur, pkg) == 0 && installed && ver[0] != '\0';
			if (!found) {
				cur[0] = ver[0] = '\0';
				installed = 0;
			}
		} else if (strncmp(line, "Package: ", 9) == 0) {
			snprintf(cur, sizeof(cur), "%.127s", line + 9);
		} else if (strncmp(line, "Status: ", 8) == 0) {
			installed = strstr(line, " installed") != NULL;
		} else if (strncmp(line, "Version: ", 9) == 0) {
			snprintf(ver, sizeof(ver), "%.127s", line + 9);
		}
	}
	if (!found)
		found = strcmp(cur, pkg) == 0 && installed && ver[0] != '\0';
	fclose(f);
	if (!found)
		return -1;
	snprintf(out, cap, "%s", ver);
	return 0;
}

/* What the start can know of pkcs11-provider before OpenSSL loads it (it is
 * loaded at the first use of a key, after a login): the library OpenSSL
 * will load (its modules directory, pkcs11.so), its SHA-256, and the
 * version of the package that installed it. Not the version the provider
 * reports through OSSL_PROVIDER_get_params: pkcs11-provider 1.0 reports
 * there the OpenSSL version it was built with ("3.0.16"), not its own. */
static int provider_details(json_t *d)
{
	const char *dir = OPENSSL_info(OPENSSL_INFO_MODULES_DIR);
	char path[PATH_MAX], real[PATH_MAX], ver[128], hex[65];
	uint8_t h[32];
	json_t *p = NULL;
	int r = CE_ERR_NOMEM;

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/pkcs11.so", dir);
	if (realpath(path, real) == NULL)
		return 0; /* not installed: nothing to say */
	p = json_pack("{s:o}", "path", jtext(real));
	if (p == NULL)
		goto out;
	if (transcript_file_sha256(real, h, NULL) == 0) {
		hex_encode(h, 32, hex);
		if (json_object_set_new(p, "sha256", json_string(hex)) != 0)
			goto out;
	} else {
		ce_err_clear();
	}
	if (dpkg_version_of("pkcs11-provider", path, ver, sizeof(ver)) == 0 ||
	    dpkg_version_of("pkcs11-provider", real, ver, sizeof(ver)) == 0) {
		if (json_object_set_new(p, "version_source", json_string("dpkg package")) != 0 ||
		    json_object_set_new(d, "pkcs11_provider_version", json_string(ver)) != 0)
			goto out;
	}
	if (json_object_set_new(d, "pkcs11_provider", p) != 0) {
		p = NULL;
		goto out;
	}
	p = NULL;
	r = 0;
out:
	json_decref(p);
	return r;
}

/* The ceremony and how it is run. */
static int ceremony_details(struct run_ctx *rc, json_t *d)
{
	char day[16];

	/* policy 4.3.2, 4.3.4: the date vetting and training were checked on
	 * (--today in a rehearsal, else today's UTC date), so verify --roster
	 * checks them on the same date */
	roster_date_format(run_today(rc), day, sizeof(day));
	if (json_object_set_new(d, "policy_date", json_string(day)) != 0 ||
	    json_object_set_new(d, "ceremony_id", json_string(rc->ceremony_id)) != 0 ||
	    json_object_set_new(d, "ceremony", json_string(rc->s->name)) != 0 ||
	    json_object_set_new(d, "script", jtext(rc->s->path)) != 0 ||
	    json_object_set_new(d, "script_version", json_string(rc->s->version)) != 0 ||
	    json_object_set_new(d, "rehearsal", json_boolean(rc->opts->rehearsal)) != 0 ||
	    json_object_set_new(d, "scripted_input",
				json_boolean(rc->opts->input_path != NULL)) != 0 ||
	    json_object_set_new(d, "p11kit_version",
				json_string(RUN_P11KIT_VERSION " (built with)")) != 0)
		return CE_ERR_NOMEM;
	return 0;
}

/* What was loaded: the script, the roster, the module (SHA-256 of each),
 * and the first script token already initialised (manufacturer, model,
 * serial, firmware, label). */
static int loaded_details(struct run_ctx *rc, json_t *d)
{
	const struct p11_module *m;
	const struct p11_token_info *ti;
	struct p11_token *tok;
	json_t *tokd = NULL;
	char hex[65], fw[32];
	uint8_t h[32];
	size_t i;

	hex_encode(rc->s->tree->sha256, 32, hex);
	if (json_object_set_new(d, "script_sha256", json_string(hex)) != 0)
		return CE_ERR_NOMEM;
	hex_encode(rc->r->tree->sha256, 32, hex);
	if (json_object_set_new(d, "roster_sha256", json_string(hex)) != 0)
		return CE_ERR_NOMEM;
	if (p11_ctx_module_count(rc->p11) > 0) {
		m = p11_ctx_module(rc->p11, 0);
		if (json_object_set_new(d, "module", jtext(p11_module_path(m))) != 0)
			return CE_ERR_NOMEM;
		if (p11_module_file_sha256(m, h) == 0) {
			hex_encode(h, 32, hex);
			if (json_object_set_new(d, "module_sha256", json_string(hex)) != 0)
				return CE_ERR_NOMEM;
		}
	}
	for (i = 0; i < rc->s->ntokens; i++) {
		if (run_token(rc, rc->s->tokens[i].name, &tok) < 0) {
			ce_err_clear();
			continue;
		}
		ti = p11_token_info(tok);
		snprintf(fw, sizeof(fw), "%u.%u", ti->fw_major, ti->fw_minor);
		/* the token's own strings: not always UTF-8 (jtext.h) */
		tokd = json_pack("{s:o, s:o, s:o, s:s, s:o}", "manufacturer",
				 jtext(ti->manufacturer), "model", jtext(ti->model), "serial",
				 jtext(ti->serial), "firmware", fw, "label", jtext(ti->label));
		if (tokd == NULL || json_object_set_new(d, "token", tokd) != 0)
			return CE_ERR_NOMEM;
		break;
	}
	return 0;
}

/* The earlier transcripts relied on (--issued-in): path, file SHA-256,
 * signer, how the signer was pinned (docs/transcript-format.md). */
static int issued_in_details(struct run_ctx *rc, json_t *d)
{
	json_t *arr = NULL, *o;
	size_t i;

	if (rc->opts->n_issued_in == 0)
		return 0;
	arr = json_array();
	if (arr == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < rc->opts->n_issued_in; i++) {
		const struct issued_in_pin *p = &rc->issued_pins[i];

		o = json_pack("{s:o, s:s, s:s, s:s}", "path", jtext(p->path), "sha256", p->sha256,
			      "signer_spki_sha256", p->signer_spki_sha256, "pinned",
			      p->pinning == ISSUED_IN_PIN_KEY ? "issued-in-key" : "paper-log-at-console");
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return CE_ERR_NOMEM;
		}
	}
	if (json_object_set_new(d, "issued_in", arr) != 0)
		return CE_ERR_NOMEM;
	return 0;
}

int start_event_write(struct run_ctx *rc)
{
	json_t *d = NULL, *op = NULL;
	int r = CE_ERR_INTERNAL;

	d = json_object();
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = transcript_host_details(d);
	if (r < 0)
		goto out;
	r = ceremony_details(rc, d);
	if (r < 0)
		goto out;
	r = provider_details(d);
	if (r < 0)
		goto out;
	r = loaded_details(rc, d);
	if (r < 0)
		goto out;
	r = issued_in_details(rc, d);
	if (r < 0)
		goto out;
	op = run_operator_json(rc);
	if (op == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = events_append_at(rc, "ceremony.start", NULL, op, NULL, d);
out:
	json_decref(op);
	json_decref(d);
	return r;
}
