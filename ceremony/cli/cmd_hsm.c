/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony hsm list|mechanisms|objects - look at modules, tokens, mechanisms
 * and public objects without logging in. Read-only: nothing here changes a
 * token or needs a PIN.
 */
#include "ceremony/cli/cli.h"
#include "ceremony/transcript/jtext.h"
#include "common/err.h"
#include "common/esc.h"
#include "common/hex.h"
#include "pkcs11/p11.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct hsm_opts {
	const char *module;
	const char *uri;
	int json;
};

static void hsm_help(FILE *f)
{
	fprintf(f,
		"usage: ceremony hsm list [--module PATH] [--json]\n"
		"       ceremony hsm mechanisms TOKEN-URI [--module PATH] [--json]\n"
		"       ceremony hsm objects TOKEN-URI [--module PATH] [--json]\n\n"
		"Look at PKCS#11 modules and tokens (no login, nothing changed).\n\n"
		"  list        modules, slots and tokens: label, serial, model, manufacturer,\n"
		"              flags and PIN state, with each token's URI\n"
		"  mechanisms  the token's mechanisms, key sizes and flags\n"
		"  objects     the token's public objects: class, key type, label, id, URI\n"
		"              (only those matching the URI's object=, id= and type=)\n\n"
		"options:\n"
		"  --module PATH  use this module only: a shared library, or a p11-kit\n"
		"                 module file (*.module) whose x-init-reserved is passed to\n"
		"                 C_Initialize (NSS softokn). Default: the modules\n"
		"                 registered with p11-kit.\n"
		"  --json         machine-readable output\n\n"
		"TOKEN-URI is an RFC 7512 URI, e.g. 'pkcs11:token=RootCA;serial=1234'. Every\n"
		"attribute is honoured or refused: slot-description and slot-manufacturer\n"
		"select the slot, ?module-name= and ?module-path= the module (refused when\n"
		"they contradict --module); slot-id, pin-value and pin-source are refused.\n");
}

enum { OPT_MODULE = CLI_OPT_KEY, OPT_JSON };

static const struct cli_opt hsm_opts_table[] = {
	{ "module", OPT_MODULE, 1 },
	{ "json", OPT_JSON, 0 },
	{ NULL, 0, 0 },
};

/* Parse sub-verb argv[0]'s [--module PATH] [--json] and, with want_uri, one
 * TOKEN-URI. Returns CLI_OPTS_END or a negative CLI_OPTS_* (printed). */
static int hsm_parse(int argc, char **argv, int want_uri, struct hsm_opts *o)
{
	struct cli_opts p;
	int c;

	memset(o, 0, sizeof(*o));
	cli_opts_init(&p, &cli_verb_hsm, argv[0], hsm_opts_table, argc, argv);
	while ((c = cli_opts_next(&p)) > 0) {
		if (c == OPT_MODULE) {
			o->module = p.value;
		} else if (c == OPT_JSON) {
			o->json = 1;
		} else if (want_uri && o->uri == NULL) {
			o->uri = p.value;
		} else {
			return cli_opts_usage(&p, "unexpected argument '%s'", p.value);
		}
	}
	if (c == CLI_OPTS_END && want_uri && o->uri == NULL)
		return cli_opts_usage(&p, "needs a TOKEN-URI");
	return c;
}

static const struct {
	unsigned flag;
	const char *name;
} token_flags[] = {
	{ P11_TOKEN_INITIALIZED, "initialized" },
	{ P11_TOKEN_LOGIN_REQUIRED, "login-required" },
	{ P11_TOKEN_USER_PIN_INITIALIZED, "user-pin-initialized" },
	{ P11_TOKEN_PROTECTED_AUTH_PATH, "protected-auth-path" },
	{ P11_TOKEN_RNG, "rng" },
	{ P11_TOKEN_WRITE_PROTECTED, "write-protected" },
};

static const struct {
	unsigned flag;
	const char *name;
} pin_flags[] = {
	{ P11_TOKEN_USER_PIN_LOCKED, "user PIN locked" },
	{ P11_TOKEN_USER_PIN_FINAL_TRY, "user PIN final try" },
	{ P11_TOKEN_USER_PIN_COUNT_LOW, "user PIN count low" },
	{ P11_TOKEN_USER_PIN_TO_BE_CHANGED, "user PIN to be changed" },
	{ P11_TOKEN_SO_PIN_LOCKED, "SO PIN locked" },
	{ P11_TOKEN_SO_PIN_FINAL_TRY, "SO PIN final try" },
	{ P11_TOKEN_SO_PIN_COUNT_LOW, "SO PIN count low" },
	{ P11_TOKEN_SO_PIN_TO_BE_CHANGED, "SO PIN to be changed" },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void flags_text(unsigned flags, char *dst, size_t cap, int pin)
{
	size_t i, used = 0, n = pin ? N_OF(pin_flags) : N_OF(token_flags);

	dst[0] = '\0';
	for (i = 0; i < n; i++) {
		unsigned f = pin ? pin_flags[i].flag : token_flags[i].flag;
		const char *name = pin ? pin_flags[i].name : token_flags[i].name;
		int w;

		if (!(flags & f))
			continue;
		w = snprintf(dst + used, cap - used, "%s%s", used ? ", " : "", name);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
	if (pin && used == 0)
		snprintf(dst, cap, "ok");
}

static json_t *flags_json(unsigned flags, int pin)
{
	json_t *a = json_array();
	size_t i, n = pin ? N_OF(pin_flags) : N_OF(token_flags);

	for (i = 0; i < n; i++)
		if (flags & (pin ? pin_flags[i].flag : token_flags[i].flag))
			json_array_append_new(a, jtext(pin ? pin_flags[i].name
								 : token_flags[i].name));
	return a;
}

static int print_json(json_t *j)
{
	int r = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;

	fputc('\n', stdout);
	return r;
}

static void hsm_slot_json(const struct p11_slot *sl, json_t *jslots)
{
	const struct p11_token_info *t = &sl->token;
	json_t *js = json_object(), *jt;

	json_object_set_new(js, "slot", json_integer((json_int_t)sl->slot_id));
	json_object_set_new(js, "description", jtext(sl->description));
	json_object_set_new(js, "token_present", json_boolean(sl->token_present));
	json_array_append_new(jslots, js);
	if (!sl->token_present)
		return;
	jt = json_object();
	json_object_set_new(jt, "label", jtext(t->label));
	json_object_set_new(jt, "serial", jtext(t->serial));
	json_object_set_new(jt, "model", jtext(t->model));
	json_object_set_new(jt, "manufacturer", jtext(t->manufacturer));
	json_object_set_new(jt, "firmware", json_sprintf("%u.%u", t->fw_major, t->fw_minor));
	json_object_set_new(jt, "flags", flags_json(t->flags, 0));
	json_object_set_new(jt, "pin_state", flags_json(t->flags, 1));
	json_object_set_new(jt, "min_pin_len", json_integer((json_int_t)t->min_pin_len));
	json_object_set_new(jt, "max_pin_len", json_integer((json_int_t)t->max_pin_len));
	json_object_set_new(jt, "uri", jtext(sl->token_uri));
	json_object_set_new(js, "token", jt);
}

static void hsm_slot_text(const struct p11_slot *sl)
{
	const struct p11_token_info *t = &sl->token;
	char fl[256], pf[256];

	esc_fprintf(stdout, "  slot %lu: %s\n", sl->slot_id, sl->description);
	if (!sl->token_present) {
		esc_fprintf(stdout, "    (no token)\n");
		return;
	}
	flags_text(t->flags, fl, sizeof(fl), 0);
	flags_text(t->flags, pf, sizeof(pf), 1);
	esc_fprintf(stdout, "    token         %s\n",
		    t->label[0] ? t->label : "(blank: not initialised)");
	esc_fprintf(stdout, "    serial        %s\n", t->serial);
	esc_fprintf(stdout, "    model         %s\n", t->model);
	esc_fprintf(stdout, "    manufacturer  %s\n", t->manufacturer);
	esc_fprintf(stdout, "    firmware      %u.%u\n", t->fw_major, t->fw_minor);
	esc_fprintf(stdout, "    flags         %s\n", fl);
	if (t->flags & P11_TOKEN_INITIALIZED)
		esc_fprintf(stdout, "    PIN state     %s\n", pf);
	esc_fprintf(stdout, "    PIN length    %lu..%lu\n", t->min_pin_len, t->max_pin_len);
	esc_fprintf(stdout, "    uri           %s\n", sl->token_uri);
}

/* One module: its file, its info, its slots; a module that failed is shown
 * with its error, not an error of the listing. */
static void hsm_list_module(const struct hsm_opts *o, const struct p11_module *m, json_t *jmods)
{
	struct p11_module_info info;
	struct p11_slot *slots = NULL;
	size_t nslots = 0, si;
	json_t *jm = NULL, *jslots = NULL;
	uint8_t digest[32];
	char sha[65] = "";

	if (p11_module_file_sha256(m, digest) == 0)
		hex_encode(digest, sizeof(digest), sha);
	if (o->json) {
		jm = json_object();
		json_object_set_new(jm, "name", jtext(p11_module_name(m)));
		json_object_set_new(jm, "path", jtext(p11_module_path(m)));
		json_object_set_new(jm, "sha256", jtext(sha));
		json_array_append_new(jmods, jm);
	} else {
		esc_fprintf(stdout, "module %s (%s)\n", p11_module_name(m), p11_module_path(m));
		if (sha[0] != '\0')
			esc_fprintf(stdout, "  sha256 %s\n", sha);
	}
	if (p11_module_error(m) != 0) {
		if (o->json)
			json_object_set_new(jm, "error", jtext(p11_module_error_detail(m)));
		else
			esc_fprintf(stdout, "  error: %s\n", p11_module_error_detail(m));
		goto out;
	}
	if (p11_module_info(m, &info) == 0) {
		if (o->json) {
			json_object_set_new(jm, "manufacturer", jtext(info.manufacturer));
			json_object_set_new(jm, "description", jtext(info.description));
		} else {
			esc_fprintf(stdout, "  %s, %s %u.%u (PKCS#11 %u.%u)\n", info.manufacturer,
				    info.description, info.library_major, info.library_minor,
				    info.cryptoki_major, info.cryptoki_minor);
		}
	}
	if (p11_module_slots(m, &slots, &nslots) < 0) {
		if (o->json)
			json_object_set_new(jm, "error", jtext(ce_err_detail()));
		else
			esc_fprintf(stdout, "  error: %s\n", ce_err_detail());
		goto out;
	}
	if (o->json) {
		jslots = json_array();
		json_object_set_new(jm, "slots", jslots);
	} else if (nslots == 0) {
		esc_fprintf(stdout, "  (no slots)\n");
	}
	for (si = 0; si < nslots; si++) {
		if (o->json)
			hsm_slot_json(&slots[si], jslots);
		else
			hsm_slot_text(&slots[si]);
	}
out:
	p11_slots_free(slots, nslots);
}

static int hsm_list(const struct hsm_opts *o)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ctx *ctx = NULL;
	json_t *jmods = NULL;
	size_t mi;

	r = p11_ctx_open(o->module, &ctx);
	if (r < 0)
		goto out;
	if (o->json)
		jmods = json_array();
	for (mi = 0; mi < p11_ctx_module_count(ctx); mi++)
		hsm_list_module(o, p11_ctx_module(ctx, mi), jmods);
	if (o->json && print_json(jmods) < 0) {
		r = ce_err_set(CE_ERR_IO, "cannot write the JSON output");
		goto out;
	}
	r = 0;
out:
	json_decref(jmods);
	p11_ctx_free(ctx);
	return r;
}

/* An RFC 7512 object attribute (object, id, type) in uri's path: it names
 * no token, so a verb about a token refuses it rather than ignore it. */
static const char *uri_object_attr(const char *uri)
{
	static const char *const obj[] = { "object=", "id=", "type=", NULL };
	const char *p = strchr(uri, ':'), *end = strchr(uri, '?');
	size_t i;

	if (end == NULL)
		end = uri + strlen(uri);
	for (p = p != NULL ? p + 1 : uri; p < end; p = strchr(p, ';') ? strchr(p, ';') + 1 : end)
		for (i = 0; obj[i] != NULL; i++)
			if (strncmp(p, obj[i], strlen(obj[i])) == 0)
				return obj[i];
	return NULL;
}

static int hsm_mechanisms(const struct hsm_opts *o)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_mech *mechs = NULL;
	size_t n = 0, i, j;
	json_t *ja = NULL;
	static const struct {
		unsigned f;
		const char *name;
	} mf[] = {
		{ P11_MECH_HW, "hw" },           { P11_MECH_ENCRYPT, "encrypt" },
		{ P11_MECH_DECRYPT, "decrypt" }, { P11_MECH_DIGEST, "digest" },
		{ P11_MECH_SIGN, "sign" },       { P11_MECH_VERIFY, "verify" },
		{ P11_MECH_GENERATE, "generate" }, { P11_MECH_GENERATE_KEY_PAIR, "generate-key-pair" },
		{ P11_MECH_WRAP, "wrap" },       { P11_MECH_UNWRAP, "unwrap" },
		{ P11_MECH_DERIVE, "derive" },
	};

	if (uri_object_attr(o->uri) != NULL) {
		r = ce_err_set(CE_ERR_INVALID, "'%s': %s names an object, but mechanisms belong to "
				"the token: refused (drop object=, id= and type=)", o->uri,
			       uri_object_attr(o->uri));
		goto out;
	}
	r = p11_ctx_open(o->module, &ctx);
	if (r < 0)
		goto out;
	r = p11_token_find(ctx, o->uri, &tok);
	if (r < 0)
		goto out;
	r = p11_token_mechanisms(tok, &mechs, &n);
	if (r < 0)
		goto out;
	if (o->json)
		ja = json_array();
	else
		printf("%-34s %-11s %-11s %s\n", "MECHANISM", "MIN-KEY", "MAX-KEY", "FLAGS");
	for (i = 0; i < n; i++) {
		char fl[160];
		size_t used = 0;
		json_t *jf = NULL, *jm;

		fl[0] = '\0';
		if (o->json)
			jf = json_array();
		for (j = 0; j < N_OF(mf); j++) {
			if (!(mechs[i].flags & mf[j].f))
				continue;
			if (o->json) {
				json_array_append_new(jf, jtext(mf[j].name));
			} else {
				int w = snprintf(fl + used, sizeof(fl) - used, "%s%s",
						 used ? "," : "", mf[j].name);
				if (w > 0 && (size_t)w < sizeof(fl) - used)
					used += (size_t)w;
			}
		}
		if (o->json) {
			jm = json_object();
			json_object_set_new(jm, "name", jtext(mechs[i].name));
			json_object_set_new(jm, "type", json_integer((json_int_t)mechs[i].type));
			json_object_set_new(jm, "min_key", json_integer((json_int_t)mechs[i].min_key));
			json_object_set_new(jm, "max_key", json_integer((json_int_t)mechs[i].max_key));
			json_object_set_new(jm, "flags", jf);
			json_array_append_new(ja, jm);
		} else {
			printf("%-34s %-11lu %-11lu %s\n", mechs[i].name, mechs[i].min_key,
			       mechs[i].max_key, fl);
		}
	}
	if (o->json && print_json(ja) < 0) {
		r = ce_err_set(CE_ERR_IO, "cannot write the JSON output");
		goto out;
	}
	r = 0;
out:
	json_decref(ja);
	free(mechs);
	p11_token_free(tok);
	p11_ctx_free(ctx);
	return r;
}

static int hsm_objects(const struct hsm_opts *o)
{
	int r = CE_ERR_INTERNAL;
	struct p11_ctx *ctx = NULL;
	struct p11_token *tok = NULL;
	struct p11_session *s = NULL;
	struct p11_object *objs = NULL;
	size_t n = 0, i;
	json_t *ja = NULL;
	char id[2 * P11_ID_MAX_BYTES + 1];

	r = p11_ctx_open(o->module, &ctx);
	if (r < 0)
		goto out;
	r = p11_token_find(ctx, o->uri, &tok);
	if (r < 0)
		goto out;
	r = p11_session_open(tok, &s);
	if (r < 0)
		goto out;
	/* the URI's object attributes (object, id, type) filter the list */
	r = p11_session_objects(s, o->uri, &objs, &n);
	if (r < 0)
		goto out;
	if (o->json)
		ja = json_array();
	else if (n == 0)
		esc_fprintf(stdout, "(no public objects on token '%s' match '%s')\n",
			    p11_token_info(tok)->label, o->uri);
	else
		printf("%-12s %-11s %-5s %-24s %-16s %s\n", "CLASS", "KEY-TYPE", "BITS", "LABEL",
		       "ID", "URI");
	for (i = 0; i < n; i++) {
		const struct p11_object *ob = &objs[i];

		if (ob->id_len <= P11_ID_MAX_BYTES)
			hex_encode(ob->id, ob->id_len, id);
		else
			snprintf(id, sizeof(id), "(%zu bytes)", ob->id_len);
		if (o->json) {
			json_t *jo = json_object();

			json_object_set_new(jo, "class", jtext(ob->cls));
			json_object_set_new(jo, "key_type", jtext(ob->key_type));
			json_object_set_new(jo, "bits", json_integer((json_int_t)ob->bits));
			json_object_set_new(jo, "label", jtext(ob->label));
			json_object_set_new(jo, "id", jtext(id));
			json_object_set_new(jo, "uri", jtext(ob->uri));
			json_array_append_new(ja, jo);
		} else {
			esc_fprintf(stdout, "%-12s %-11s %-5lu %-24s %-16s %s\n", ob->cls,
				    ob->key_type[0] ? ob->key_type : "-", ob->bits,
				    ob->label[0] ? ob->label : "-", id[0] ? id : "-", ob->uri);
		}
	}
	if (o->json && print_json(ja) < 0) {
		r = ce_err_set(CE_ERR_IO, "cannot write the JSON output");
		goto out;
	}
	r = 0;
out:
	json_decref(ja);
	p11_objects_free(objs, n);
	p11_session_close(s);
	p11_token_free(tok);
	p11_ctx_free(ctx);
	return r;
}

static int hsm_run(int argc, char **argv)
{
	static const char *const subverbs[] = { "list", "mechanisms", "objects", NULL };
	static int (*const actions[])(const struct hsm_opts *) = { hsm_list, hsm_mechanisms,
								   hsm_objects };
	struct hsm_opts o;
	int which, c, r;

	which = cli_subverb_find(&cli_verb_hsm, argc, argv, subverbs);
	if (which < 0)
		return cli_opts_status(which);
	/* mechanisms and objects look at one token */
	c = hsm_parse(argc - 1, argv + 1, actions[which] != hsm_list, &o);
	if (c < 0)
		return cli_opts_status(c);
	r = actions[which](&o);
	if (r < 0)
		return cli_fail(r);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_hsm = {
	.name = "hsm",
	.synopsis = "list|mechanisms|objects [TOKEN-URI] [--module PATH] [--json]",
	.summary = "show PKCS#11 modules, tokens, mechanisms and public objects",
	.run = hsm_run,
	.help = hsm_help,
};
