#include "ceremony/model/script.h"
#include "common/err.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
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

static const struct script_param_spec p_attendance[] = {
	P_OPT("identity-check", PT_STRING), P_END
};
static const struct script_param_spec p_checklist[] = {
	P_REQ("items", PT_ITEMS), P_END
};
static const struct script_param_spec p_token_init[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("label", PT_STRING),
	P_SECRET("so-pin", "so-pin", SECRET_USE_ISSUE),
	P_SECRET("user-pin", "pin", SECRET_USE_ISSUE),
	P_INT("pin-length", 0, 8, 64),
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
	P_REQ("subject", PT_STRING),
	P_INT("validity-days", 1, 1, 18250),
	P_INT("pathlen", 0, 0, 16),
	P_OPT("serial", PT_HEX),
	P_ENUM("digest", 0, DIGESTS),
	P_REQ("output", PT_OUTPUT),
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
	P_ENUM("profile", 1, "sub-ca|ocsp-signer|end-entity"),
	P_INT("validity-days", 1, 1, 18250),
	P_INT("pathlen", 0, 0, 16),
	P_OPT("serial", PT_HEX),
	P_ENUM("digest", 0, DIGESTS),
	P_REQ("output", PT_OUTPUT),
	P_END
};
static const struct script_param_spec p_crl_sign[] = {
	P_REQ("token", PT_TOKEN),
	P_REQ("key", PT_STRING),
	P_REQ("issuer-cert", PT_PATH),
	P_INT("crl-number", 1, 1, LONG_MAX),
	P_INT("next-update-days", 1, 1, 3660),
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
	{ "cert.self-sign", p_self_sign, NULL, "self-signed CA certificate", 1 },
	{ "csr.create", p_csr_create, NULL, "certificate signing request", 1 },
	{ "cert.issue", p_cert_issue, NULL, "sign a certificate from a CSR", 1 },
	{ "crl.sign", p_crl_sign, NULL, "sign a CRL", 1 },
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

/* ---- small validators ------------------------------------------------- */

int script_name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SCRIPT_NAME_MAX)
		return 0;
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!islower(c) && !isdigit(c) && c != '.' && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

int script_parse_long(const char *s, long *out)
{
	char *end = NULL;
	long v;
	size_t i = 0;

	if (s[0] == '-')
		i = 1;
	if (s[i] == '\0')
		return CE_ERR_FORMAT;
	for (; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return CE_ERR_FORMAT;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == NULL || *end != '\0')
		return CE_ERR_FORMAT;
	*out = v;
	return 0;
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

static int date_valid(const char *s)
{
	int y, m, d;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

/* RFC 7512 path attributes that name a token (or its library / slot). */
static const char *const uri_token_attrs[] = {
	"token", "manufacturer", "serial", "model", "library-manufacturer",
	"library-description", "library-version", "slot-description", "slot-manufacturer",
	"slot-id", NULL
};

static int pct_valid(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == '%') {
			if (i + 2 >= n)
				return 0;
			if (!isxdigit((unsigned char)v[i + 1]) || !isxdigit((unsigned char)v[i + 2]))
				return 0;
			i += 2;
		} else if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f) {
			return 0;
		}
	}
	return 1;
}

int script_uri_check(const char *uri, const char **why)
{
	const char *p, *q, *end;
	int names_token = 0;

	*why = NULL;
	if (strncmp(uri, "pkcs11:", 7) != 0) {
		*why = "does not start with 'pkcs11:'";
		return CE_ERR_FORMAT;
	}
	if (strstr(uri, "pin-value") != NULL || strstr(uri, "pin-source") != NULL) {
		*why = "carries a PIN (pin-value/pin-source): PINs come only from shares";
		return CE_ERR_FORMAT;
	}
	p = uri + 7;
	q = strchr(p, '?');
	end = q ? q : p + strlen(p);
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *attr_end = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(attr_end - p));
		size_t i, nlen;
		int known = 0;

		if (eq == NULL || eq == p) {
			*why = "has an attribute without 'name=value'";
			return CE_ERR_FORMAT;
		}
		nlen = (size_t)(eq - p);
		for (i = 0; uri_token_attrs[i] != NULL; i++)
			if (strlen(uri_token_attrs[i]) == nlen && strncmp(p, uri_token_attrs[i], nlen) == 0)
				known = 1;
		if (!known) {
			if ((nlen == 6 && strncmp(p, "object", 6) == 0) || (nlen == 4 && strncmp(p, "type", 4) == 0) ||
			    (nlen == 2 && strncmp(p, "id", 2) == 0))
				*why = "names an object; a token URI names a token";
			else
				*why = "has an unknown attribute";
			return CE_ERR_FORMAT;
		}
		if (!pct_valid(eq + 1, (size_t)(attr_end - eq - 1))) {
			*why = "has a badly encoded value (use %XX for spaces and reserved bytes)";
			return CE_ERR_FORMAT;
		}
		if ((nlen == 5 && strncmp(p, "token", 5) == 0) || (nlen == 6 && strncmp(p, "serial", 6) == 0) ||
		    (nlen == 5 && strncmp(p, "model", 5) == 0) ||
		    (nlen == 12 && strncmp(p, "manufacturer", 12) == 0))
			names_token = 1;
		p = semi ? semi + 1 : end;
	}
	if (!names_token) {
		*why = "does not name a token (token=, serial=, model= or manufacturer=)";
		return CE_ERR_FORMAT;
	}
	if (q != NULL) {
		p = q + 1;
		while (*p != '\0') {
			const char *amp = strchr(p, '&');
			const char *aend = amp ? amp : p + strlen(p);

			if (!(strncmp(p, "module-name=", 12) == 0 || strncmp(p, "module-path=", 12) == 0)) {
				*why = "has an unknown query attribute (module-name, module-path allowed)";
				return CE_ERR_FORMAT;
			}
			if (!pct_valid(strchr(p, '=') + 1, (size_t)(aend - strchr(p, '=') - 1))) {
				*why = "has a badly encoded value (use %XX for spaces and reserved bytes)";
				return CE_ERR_FORMAT;
			}
			p = amp ? amp + 1 : aend;
		}
	}
	return 0;
}

/* ---- schema walking helpers ------------------------------------------ */

static int want(struct diag *d, const struct ynode *n, enum ynode_type t, const char *what)
{
	if (n->type == t)
		return 1;
	diag_error(d, &n->mark, "%s must be a %s, not a %s", what, ynode_type_name(t),
		   ynode_type_name(n->type));
	return 0;
}

/* Report every key of map m not in allowed (NULL-terminated). */
static void check_keys(struct diag *d, const struct ynode *m, const char *const *allowed,
		       const char *what)
{
	size_t i, j;
	char list[512];
	size_t off = 0;

	list[0] = '\0';
	for (j = 0; allowed[j] != NULL; j++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s", j ? ", " : "", allowed[j]);

		if (w < 0 || (size_t)w >= sizeof(list) - off)
			break;
		off += (size_t)w;
	}
	for (i = 0; i < m->n; i++) {
		const struct ynode *k = ynode_key(m, i);
		int ok = 0;

		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(k->str, allowed[j]) == 0)
				ok = 1;
		if (!ok)
			diag_error(d, &k->mark, "unknown key '%s' in %s (known: %s)", k->str, what, list);
	}
}

static const struct ynode *need(struct diag *d, const struct ynode *m, const char *key,
				const char *what)
{
	const struct ynode *v = ynode_get(m, key);

	if (v == NULL)
		diag_error(d, &m->mark, "%s: missing required key '%s'", what, key);
	return v;
}

static const char *scalar(struct diag *d, const struct ynode *n, const char *what)
{
	if (n == NULL || !want(d, n, YNODE_SCALAR, what))
		return NULL;
	return n->str;
}

static int get_int(struct diag *d, const struct ynode *n, long lo, long hi, const char *what,
		   long *out)
{
	long v;

	if (!want(d, n, YNODE_SCALAR, what))
		return CE_ERR_FORMAT;
	if (!n->plain || script_parse_long(n->str, &v) < 0) {
		diag_error(d, &n->mark, "%s must be an integer, not '%s'", what, n->str);
		return CE_ERR_FORMAT;
	}
	if (v < lo || v > hi) {
		diag_error(d, &n->mark, "%s must be between %ld and %ld, not %ld", what, lo, hi, v);
		return CE_ERR_FORMAT;
	}
	*out = v;
	return 0;
}

static const char *get_name(struct diag *d, const struct ynode *n, const char *what)
{
	const char *s = scalar(d, n, what);

	if (s == NULL)
		return NULL;
	if (!script_name_valid(s)) {
		diag_error(d, &n->mark, "%s '%s' is not a valid name ([a-z0-9][a-z0-9._-]*, at most %d)",
			   what, s, SCRIPT_NAME_MAX);
		return NULL;
	}
	return s;
}

/* A role count map or list: "actors: [a, b]" or "actors: {a: 1}". */
static void parse_role_counts(struct diag *d, const struct ynode *n, unsigned counts[ROLE_COUNT],
			      struct diag_mark marks[ROLE_COUNT], const char *what)
{
	size_t i;
	enum role r;

	if (n->type == YNODE_SEQ) {
		for (i = 0; i < n->n; i++) {
			const struct ynode *it = n->kids[i];

			if (!want(d, it, YNODE_SCALAR, what))
				continue;
			if (role_parse(it->str, &r) < 0) {
				diag_error(d, &it->mark, "unknown role '%s' in %s (roles: %s)", it->str,
					   what, role_list_all());
				continue;
			}
			if (counts[r] == 0 && marks != NULL)
				marks[r] = it->mark;
			counts[r]++;
		}
	} else if (n->type == YNODE_MAP) {
		for (i = 0; i < n->n; i++) {
			const struct ynode *k = ynode_key(n, i);
			long v;

			if (role_parse(k->str, &r) < 0) {
				diag_error(d, &k->mark, "unknown role '%s' in %s (roles: %s)", k->str,
					   what, role_list_all());
				continue;
			}
			if (get_int(d, ynode_val(n, i), 1, SCRIPT_MAX_ROLE_COUNT, "a role count", &v) < 0)
				continue;
			counts[r] = (unsigned)v;
			if (marks != NULL)
				marks[r] = k->mark;
		}
	} else {
		diag_error(d, &n->mark, "%s must be a sequence of roles or a mapping role: count", what);
	}
}

static void parse_layout(struct diag *d, const struct ynode *groups, const struct ynode *gt,
			 struct script_layout *l, const char *what)
{
	size_t i;
	long v;

	memset(l, 0, sizeof(*l));
	if (groups != NULL && want(d, groups, YNODE_SEQ, "groups")) {
		if (groups->n == 0 || groups->n > SCRIPT_MAX_GROUPS)
			diag_error(d, &groups->mark, "%s: groups must have 1 to %d entries", what,
				   SCRIPT_MAX_GROUPS);
		for (i = 0; i < groups->n && i < SCRIPT_MAX_GROUPS; i++) {
			static const char *const gkeys[] = { "threshold", "count", NULL };
			const struct ynode *g = groups->kids[i];
			const struct ynode *th, *ct;
			long t = 0, c = 0;

			if (!want(d, g, YNODE_MAP, "a group"))
				continue;
			check_keys(d, g, gkeys, "a group");
			th = need(d, g, "threshold", "group");
			ct = need(d, g, "count", "group");
			if (th == NULL || ct == NULL)
				continue;
			if (get_int(d, th, 1, SCRIPT_MAX_SHARES, "threshold", &t) < 0 ||
			    get_int(d, ct, 1, SCRIPT_MAX_SHARES, "count", &c) < 0)
				continue;
			if (t > c)
				diag_error(d, &th->mark, "threshold %ld is larger than count %ld", t, c);
			else if (t == 1 && c > 1)
				diag_error(d, &th->mark,
					   "threshold 1 needs count 1 (SLIP-39: a 1-of-n group is n copies of one share)");
			l->groups[i].threshold = (unsigned)t;
			l->groups[i].count = (unsigned)c;
		}
		l->ngroups = groups->n < SCRIPT_MAX_GROUPS ? groups->n : SCRIPT_MAX_GROUPS;
	}
	if (gt != NULL && get_int(d, gt, 1, SCRIPT_MAX_GROUPS, "group-threshold", &v) == 0) {
		l->group_threshold = (unsigned)v;
		if (l->ngroups > 0 && v > (long)l->ngroups)
			diag_error(d, &gt->mark, "group-threshold %ld is larger than the %zu groups", v,
				   l->ngroups);
	}
}

unsigned script_layout_quorum(const struct script_layout *l)
{
	unsigned th[SCRIPT_MAX_GROUPS];
	unsigned sum = 0, i, j, tmp;
	size_t n = l->ngroups;

	for (i = 0; i < n; i++)
		th[i] = l->groups[i].threshold;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (th[j] < th[i]) {
				tmp = th[i];
				th[i] = th[j];
				th[j] = tmp;
			}
	for (i = 0; i < l->group_threshold && i < n; i++)
		sum += th[i];
	return sum;
}

unsigned script_layout_total(const struct script_layout *l)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < l->ngroups; i++)
		sum += l->groups[i].count;
	return sum;
}

/* ---- sections --------------------------------------------------------- */

static int parse_tokens(struct script *s, const struct ynode *n, struct diag *d)
{
	size_t i;

	if (!want(d, n, YNODE_MAP, "tokens"))
		return 0;
	if (n->n == 0)
		diag_error(d, &n->mark, "tokens: at least one token (or leave 'tokens' out)");
	s->tokens = calloc(n->n ? n->n : 1, sizeof(*s->tokens));
	if (s->tokens == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < n->n; i++) {
		const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
		const char *why;
		struct script_token *t = &s->tokens[s->ntokens];

		if (get_name(d, k, "token name") == NULL)
			continue;
		if (scalar(d, v, "a token URI") == NULL)
			continue;
		if (script_uri_check(v->str, &why) < 0)
			diag_error(d, &v->mark, "token '%s': URI %s", k->str, why);
		t->name = k->str;
		t->uri = v->str;
		t->mark = k->mark;
		s->ntokens++;
	}
	return 0;
}

static int parse_secrets(struct script *s, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = { "kind", "token", "groups", "group-threshold", NULL };
	size_t i;

	if (!want(d, n, YNODE_MAP, "secrets"))
		return 0;
	s->secrets = calloc(n->n ? n->n : 1, sizeof(*s->secrets));
	if (s->secrets == NULL)
		return CE_ERR_NOMEM;
	for (i = 0; i < n->n; i++) {
		const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
		const struct ynode *kind, *tok, *groups, *gt;
		struct script_secret *sec = &s->secrets[s->nsecrets];
		char what[96];

		if (get_name(d, k, "secret name") == NULL)
			continue;
		snprintf(what, sizeof(what), "secret '%s'", k->str);
		if (!want(d, v, YNODE_MAP, what))
			continue;
		check_keys(d, v, keys, what);
		sec->name = k->str;
		sec->mark = k->mark;
		kind = need(d, v, "kind", what);
		groups = need(d, v, "groups", what);
		gt = need(d, v, "group-threshold", what);
		tok = ynode_get(v, "token");
		if (kind != NULL && scalar(d, kind, "kind") != NULL) {
			if (strcmp(kind->str, "pin") == 0)
				sec->kind = SECRET_PIN;
			else if (strcmp(kind->str, "so-pin") == 0)
				sec->kind = SECRET_SO_PIN;
			else if (strcmp(kind->str, "aes-128") == 0)
				sec->kind = SECRET_AES128;
			else if (strcmp(kind->str, "aes-256") == 0)
				sec->kind = SECRET_AES256;
			else
				diag_error(d, &kind->mark,
					   "%s: unknown kind '%s' (pin, so-pin, aes-128, aes-256)", what,
					   kind->str);
			if ((sec->kind == SECRET_PIN || sec->kind == SECRET_SO_PIN) && tok == NULL)
				diag_error(d, &v->mark, "%s: a %s needs 'token'", what, kind->str);
			if ((sec->kind == SECRET_AES128 || sec->kind == SECRET_AES256) && tok != NULL)
				diag_error(d, &tok->mark, "%s: a wrapping key belongs to no token", what);
		}
		if (tok != NULL && scalar(d, tok, "token") != NULL) {
			sec->token = script_token_find(s, tok->str);
			if (sec->token == NULL)
				diag_error(d, &tok->mark, "%s: unknown token '%s'", what, tok->str);
		}
		parse_layout(d, groups, gt, &sec->layout, what);
		s->nsecrets++;
	}
	return 0;
}

static void check_param(const struct script *s, const struct script_step *st,
			const struct script_param_spec *ps, const struct ynode *v, struct diag *d)
{
	char what[128];
	long iv;
	size_t i;

	snprintf(what, sizeof(what), "%s parameter '%s'", st->action->name, ps->key);
	switch (ps->type) {
	case PT_INT:
		(void)get_int(d, v, ps->min, ps->max, what, &iv);
		return;
	case PT_ITEMS:
	case PT_GROUPS:
	case PT_REVOKED:
		break;
	default:
		if (scalar(d, v, what) == NULL)
			return;
		if (v->len == 0) {
			diag_error(d, &v->mark, "%s is empty", what);
			return;
		}
	}
	switch (ps->type) {
	case PT_STRING:
	case PT_INT:
		break;
	case PT_BOOL:
		if (!v->plain || (strcmp(v->str, "true") != 0 && strcmp(v->str, "false") != 0))
			diag_error(d, &v->mark, "%s must be true or false, not '%s'", what, v->str);
		break;
	case PT_NAME:
		(void)get_name(d, v, what);
		break;
	case PT_TOKEN:
		if (script_token_find(s, v->str) == NULL)
			diag_error(d, &v->mark, "%s: unknown token '%s'", what, v->str);
		break;
	case PT_SECRET: {
		const struct script_secret *sec = script_secret_find(s, v->str);

		if (sec == NULL)
			diag_error(d, &v->mark, "%s: unknown secret '%s'", what, v->str);
		else if (!choice_has(ps->choices, secret_kind_name(sec->kind)))
			diag_error(d, &v->mark, "%s: secret '%s' is a %s, expected %s", what, v->str,
				   secret_kind_name(sec->kind), ps->choices);
		break;
	}
	case PT_PATH:
		break;
	case PT_OUTPUT: {
		int listed = 0;

		if (v->str[0] == '/' || strstr(v->str, "..") != NULL) {
			diag_error(d, &v->mark, "%s: output '%s' must be a relative path without '..'",
				   what, v->str);
			break;
		}
		for (i = 0; i < st->noutputs; i++)
			if (strcmp(st->outputs[i].path, v->str) == 0)
				listed = 1;
		if (!listed)
			diag_error(d, &v->mark, "%s: '%s' is not listed in the step's outputs", what,
				   v->str);
		break;
	}
	case PT_HEX:
		if (!is_hex(v->str))
			diag_error(d, &v->mark, "%s must be hex digits of even length, not '%s'", what,
				   v->str);
		break;
	case PT_ENUM:
		if (!choice_has(ps->choices, v->str))
			diag_error(d, &v->mark, "%s: '%s' is not one of %s", what, v->str, ps->choices);
		break;
	case PT_ROLE: {
		enum role r;

		if (role_parse(v->str, &r) < 0)
			diag_error(d, &v->mark, "%s: unknown role '%s' (roles: %s)", what, v->str,
				   role_list_all());
		break;
	}
	case PT_ITEMS:
		if (!want(d, v, YNODE_SEQ, what))
			break;
		if (v->n == 0)
			diag_error(d, &v->mark, "%s: at least one item", what);
		for (i = 0; i < v->n; i++) {
			static const char *const ikeys[] = { "text", "record", NULL };
			const struct ynode *it = v->kids[i], *t, *rec;

			if (it->type == YNODE_SCALAR)
				continue;
			if (!want(d, it, YNODE_MAP, "a checklist item"))
				continue;
			check_keys(d, it, ikeys, "a checklist item");
			t = need(d, it, "text", "checklist item");
			if (t != NULL)
				(void)scalar(d, t, "text");
			rec = ynode_get(it, "record");
			if (rec != NULL)
				(void)get_name(d, rec, "record");
		}
		break;
	case PT_GROUPS: {
		struct script_layout l;

		parse_layout(d, v, NULL, &l, what);
		break;
	}
	case PT_REVOKED:
		if (!want(d, v, YNODE_SEQ, what))
			break;
		for (i = 0; i < v->n; i++) {
			static const char *const rkeys[] = { "serial", "date", "reason", NULL };
			static const char *const reasons =
				"unspecified|key-compromise|ca-compromise|affiliation-changed|superseded|cessation-of-operation";
			const struct ynode *it = v->kids[i], *x;

			if (!want(d, it, YNODE_MAP, "a revoked entry"))
				continue;
			check_keys(d, it, rkeys, "a revoked entry");
			x = need(d, it, "serial", "revoked entry");
			if (x != NULL && scalar(d, x, "serial") != NULL && !is_hex(x->str))
				diag_error(d, &x->mark, "serial must be hex digits of even length, not '%s'",
					   x->str);
			x = need(d, it, "date", "revoked entry");
			if (x != NULL && scalar(d, x, "date") != NULL && !date_valid(x->str))
				diag_error(d, &x->mark, "date must be YYYY-MM-DD, not '%s'", x->str);
			x = need(d, it, "reason", "revoked entry");
			if (x != NULL && scalar(d, x, "reason") != NULL && !choice_has(reasons, x->str))
				diag_error(d, &x->mark, "reason '%s' is not one of %s", x->str, reasons);
		}
		break;
	}
}

static void check_params(const struct script *s, const struct script_step *st, struct diag *d)
{
	const struct script_param_spec *ps;
	char what[96];
	const char *known[32];
	size_t nk = 0;

	for (ps = st->action->params; ps->key != NULL && nk < 31; ps++)
		known[nk++] = ps->key;
	known[nk] = NULL;
	snprintf(what, sizeof(what), "'with' of %s", st->action->name);
	if (st->with != NULL)
		check_keys(d, st->with, known, what);
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

static int parse_step(struct script *s, const struct ynode *n, struct diag *d)
{
	static const char *const keys[] = { "id", "title", "action", "with", "actors",
					    "witnesses", "outputs", "note", NULL };
	struct script_step *st = &s->steps[s->nsteps];
	const struct ynode *id, *title, *action, *actors, *witnesses, *outputs, *with, *note;
	size_t i, j;
	char what[96];

	memset(st, 0, sizeof(*st));
	st->index = s->nsteps;
	st->mark = n->mark;
	if (!want(d, n, YNODE_MAP, "a step"))
		return 0;
	id = need(d, n, "id", "step");
	if (id != NULL)
		st->id = get_name(d, id, "step id");
	snprintf(what, sizeof(what), "step '%s'", st->id ? st->id : "?");
	check_keys(d, n, keys, what);
	if (st->id != NULL) {
		for (i = 0; i < s->nsteps; i++)
			if (s->steps[i].id != NULL && strcmp(s->steps[i].id, st->id) == 0)
				diag_error(d, &id->mark, "duplicate step id '%s' (first at line %u)", st->id,
					   s->steps[i].mark.line);
	} else {
		st->id = "?";
	}
	title = need(d, n, "title", what);
	if (title != NULL)
		st->title = scalar(d, title, "title");
	note = ynode_get(n, "note");
	if (note != NULL)
		st->note = scalar(d, note, "note");
	actors = need(d, n, "actors", what);
	witnesses = need(d, n, "witnesses", what);
	if (actors != NULL) {
		st->actors_mark = actors->mark;
		parse_role_counts(d, actors, st->actors, NULL, "actors");
	}
	if (witnesses != NULL) {
		unsigned sum = 0;

		st->witnesses_mark = witnesses->mark;
		parse_role_counts(d, witnesses, st->witnesses, NULL, "witnesses");
		for (i = 0; i < ROLE_COUNT; i++)
			sum += st->witnesses[i];
		/* policy 5.2.1: multi-person control, every step is witnessed */
		if (sum == 0)
			diag_error(d, &witnesses->mark, "%s has no witness (policy 5.2.1)", what);
	}
	if (actors != NULL) {
		unsigned sum = 0;

		for (i = 0; i < ROLE_COUNT; i++)
			sum += st->actors[i];
		if (sum == 0)
			diag_error(d, &actors->mark, "%s has no actor", what);
	}
	outputs = ynode_get(n, "outputs");
	if (outputs != NULL && want(d, outputs, YNODE_SEQ, "outputs")) {
		st->outputs = calloc(outputs->n ? outputs->n : 1, sizeof(*st->outputs));
		if (st->outputs == NULL)
			return CE_ERR_NOMEM;
		for (i = 0; i < outputs->n; i++) {
			const struct ynode *o = outputs->kids[i];

			if (scalar(d, o, "an output") == NULL)
				continue;
			if (o->len == 0 || o->str[0] == '/' || strstr(o->str, "..") != NULL) {
				diag_error(d, &o->mark,
					   "output '%s' must be a non-empty relative path without '..'", o->str);
				continue;
			}
			for (j = 0; j < st->noutputs; j++)
				if (strcmp(st->outputs[j].path, o->str) == 0)
					diag_error(d, &o->mark, "output '%s' listed twice", o->str);
			st->outputs[st->noutputs].path = o->str;
			st->outputs[st->noutputs].mark = o->mark;
			st->noutputs++;
		}
	}
	with = ynode_get(n, "with");
	if (with != NULL && want(d, with, YNODE_MAP, "with"))
		st->with = with;
	action = need(d, n, "action", what);
	if (action != NULL && scalar(d, action, "action") != NULL) {
		st->action = script_action_find(action->str);
		if (st->action == NULL) {
			char list[1024];
			size_t off = 0;

			list[0] = '\0';
			for (i = 0; script_actions[i].name != NULL; i++) {
				int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
						 script_actions[i].name);

				if (w < 0 || (size_t)w >= sizeof(list) - off)
					break;
				off += (size_t)w;
			}
			diag_error(d, &action->mark, "unknown action '%s' (actions: %s)", action->str, list);
		}
	}
	if (st->action != NULL)
		check_params(s, st, d);
	s->nsteps++;
	return 0;
}

/* A PIN secret used with a token must be that token's; every token and
 * secret declared is used by some step (else a warning: a typo elsewhere?). */
static void check_references(const struct script *s, struct diag *d)
{
	size_t i, j;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const struct script_param_spec *ps;
		const char *tok = script_param_str(st, "token");

		if (st->action == NULL || tok == NULL)
			continue;
		for (ps = st->action->params; ps->key != NULL; ps++) {
			const struct ynode *v = script_param(st, ps->key);
			const struct script_secret *sec;

			if (ps->type != PT_SECRET || v == NULL || v->type != YNODE_SCALAR ||
			    (sec = script_secret_find(s, v->str)) == NULL || sec->token == NULL)
				continue;
			if (strcmp(sec->token->name, tok) != 0)
				diag_error(d, &v->mark,
					   "step '%s': secret '%s' is a PIN of token '%s', not of '%s'",
					   st->id, sec->name, sec->token->name, tok);
		}
	}
	/* A key operation needs a session opened by an earlier quorum login. */
	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const char *tok = script_param_str(st, "token");
		int logged_in = 0;

		if (st->action == NULL || tok == NULL || !(st->action->needs_login ||
		    (strcmp(st->action->name, "fingerprint") == 0 && script_param(st, "key") != NULL)))
			continue;
		for (j = 0; j < i; j++) {
			const struct script_step *p = &s->steps[j];
			const char *ptok = script_param_str(p, "token");

			if (p->action != NULL && ptok != NULL && strcmp(ptok, tok) == 0 &&
			    (strcmp(p->action->name, "quorum.login") == 0 ||
			     strcmp(p->action->name, "pin.rotate") == 0))
				logged_in = 1;
		}
		if (!logged_in)
			diag_error(d, &script_param(st, "token")->mark,
				   "step '%s': %s on token '%s' needs an earlier quorum.login step on it",
				   st->id, st->action->name, tok);
	}
	for (j = 0; j < s->ntokens; j++) {
		int used = 0;

		for (i = 0; i < s->nsecrets; i++)
			if (s->secrets[i].token == &s->tokens[j])
				used = 1;
		for (i = 0; i < s->nsteps && !used; i++) {
			const char *tok = script_param_str(&s->steps[i], "token");

			if (tok != NULL && strcmp(tok, s->tokens[j].name) == 0)
				used = 1;
		}
		if (!used)
			diag_warn(d, &s->tokens[j].mark, "token '%s' is not used by any step",
				  s->tokens[j].name);
	}
	for (j = 0; j < s->nsecrets; j++) {
		int used = 0;

		for (i = 0; i < s->nsteps && !used; i++) {
			const struct script_step *st = &s->steps[i];
			const struct script_param_spec *ps;

			if (st->action == NULL)
				continue;
			for (ps = st->action->params; ps->key != NULL; ps++) {
				const char *v = script_param_str(st, ps->key);

				if (ps->type == PT_SECRET && v != NULL && strcmp(v, s->secrets[j].name) == 0)
					used = 1;
			}
		}
		if (!used)
			diag_warn(d, &s->secrets[j].mark, "secret '%s' is not used by any step",
				  s->secrets[j].name);
	}
}

static int script_parse(struct script *s, struct diag *d)
{
	static const char *const keys[] = { "format", "name", "version", "description", "roster",
					    "tokens", "roles", "secrets", "steps", NULL };
	const struct ynode *root = s->tree->root, *n;
	long v;
	size_t i;
	int r;

	if (!want(d, root, YNODE_MAP, "a ceremony script"))
		return 0;
	check_keys(d, root, keys, "the script");
	n = need(d, root, "format", "script");
	if (n != NULL && get_int(d, n, LONG_MIN, LONG_MAX, "format", &v) == 0 && v != SCRIPT_FORMAT)
		diag_error(d, &n->mark, "unsupported format %ld (this ceremony reads format %d)", v,
			   SCRIPT_FORMAT);
	n = need(d, root, "name", "script");
	if (n != NULL)
		s->name = scalar(d, n, "name");
	n = need(d, root, "version", "script");
	if (n != NULL)
		s->version = scalar(d, n, "version");
	n = ynode_get(root, "description");
	if (n != NULL)
		s->description = scalar(d, n, "description");
	n = need(d, root, "roster", "script");
	if (n != NULL && (s->roster = scalar(d, n, "roster")) != NULL) {
		const char *slash = strrchr(s->path, '/');
		size_t dlen = slash ? (size_t)(slash - s->path) + 1 : 0;

		s->roster_mark = n->mark;
		if (n->len == 0) {
			diag_error(d, &n->mark, "roster path is empty");
		} else {
			s->roster_path = malloc(dlen + n->len + 1);
			if (s->roster_path == NULL)
				return CE_ERR_NOMEM;
			if (s->roster[0] == '/')
				dlen = 0;
			memcpy(s->roster_path, s->path, dlen);
			memcpy(s->roster_path + dlen, s->roster, n->len + 1);
		}
	}
	n = ynode_get(root, "tokens");
	if (n != NULL && (r = parse_tokens(s, n, d)) < 0)
		return r;
	n = need(d, root, "roles", "script");
	if (n != NULL) {
		s->roles_mark = n->mark;
		if (want(d, n, YNODE_MAP, "roles"))
			parse_role_counts(d, n, s->roles, s->role_marks, "roles");
	}
	n = ynode_get(root, "secrets");
	if (n != NULL && (r = parse_secrets(s, n, d)) < 0)
		return r;
	n = need(d, root, "steps", "script");
	if (n != NULL && want(d, n, YNODE_SEQ, "steps")) {
		if (n->n == 0)
			diag_error(d, &n->mark, "steps: at least one step is needed");
		s->steps = calloc(n->n ? n->n : 1, sizeof(*s->steps));
		if (s->steps == NULL)
			return CE_ERR_NOMEM;
		for (i = 0; i < n->n; i++)
			if ((r = parse_step(s, n->kids[i], d)) < 0)
				return r;
	}
	/* Attendance seats the persons every later check is made on. */
	if (s->nsteps > 0 && (s->steps[0].action == NULL ||
			      strcmp(s->steps[0].action->name, "attendance") != 0))
		diag_error(d, &s->steps[0].mark, "the first step must be an attendance step (policy 4.2.3: persons are seated in their roles before anything else)");
	check_references(s, d);
	/* Every role a step uses must be declared in roles (what attendance fills). */
	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		unsigned ro;

		for (ro = 0; ro < ROLE_COUNT; ro++) {
			if (st->actors[ro] > 0 && s->roles[ro] == 0)
				diag_error(d, &st->actors_mark, "step '%s': actor role %s is not in roles",
					   st->id, role_name((enum role)ro));
			if (st->witnesses[ro] > 0 && s->roles[ro] == 0)
				diag_error(d, &st->witnesses_mark,
					   "step '%s': witness role %s is not in roles", st->id,
					   role_name((enum role)ro));
		}
	}
	return 0;
}

static int script_from_tree(struct ytree *t, struct script **out, struct diag *d)
{
	int r = CE_ERR_INTERNAL;
	struct script *s = NULL;
	struct diag local;
	struct diag *dd = d;
	size_t before;

	diag_init(&local);
	if (dd == NULL)
		dd = &local;
	before = dd->errors;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	s->tree = t;
	t = NULL; /* transferred */
	s->path = s->tree->path;
	r = script_parse(s, dd);
	if (r < 0)
		goto out;
	if (dd->errors > before) {
		r = CE_ERR_FORMAT;
		goto out;
	}
	*out = s;
	s = NULL; /* transferred */
	r = 0;
out:
	if (r == CE_ERR_FORMAT && dd == &local)
		diag_err_first(&local, CE_ERR_FORMAT);
	diag_free(&local);
	ytree_free(t);
	script_free(s);
	return r;
}

int script_load(const char *path, struct script **out, struct diag *d)
{
	struct ytree *t = NULL;
	int r = ytree_load_file(path, &t, d);

	if (r < 0)
		return r;
	return script_from_tree(t, out, d);
}

int script_load_mem(const char *name, const char *data, size_t len, struct script **out,
		    struct diag *d)
{
	struct ytree *t = NULL;
	int r = ytree_load_mem(name, data, len, &t, d);

	if (r < 0)
		return r;
	return script_from_tree(t, out, d);
}

void script_free(struct script *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsteps; i++)
		free(s->steps[i].outputs);
	free(s->steps);
	free(s->secrets);
	free(s->tokens);
	free(s->roster_path);
	ytree_free(s->tree);
	free(s);
}

const struct script_token *script_token_find(const struct script *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntokens; i++)
		if (s->tokens[i].name != NULL && strcmp(s->tokens[i].name, name) == 0)
			return &s->tokens[i];
	return NULL;
}

const struct script_secret *script_secret_find(const struct script *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsecrets; i++)
		if (s->secrets[i].name != NULL && strcmp(s->secrets[i].name, name) == 0)
			return &s->secrets[i];
	return NULL;
}

const struct script_step *script_step_find(const struct script *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nsteps; i++)
		if (s->steps[i].id != NULL && strcmp(s->steps[i].id, id) == 0)
			return &s->steps[i];
	return NULL;
}

const struct ynode *script_param(const struct script_step *st, const char *key)
{
	return ynode_get(st->with, key);
}

const char *script_param_str(const struct script_step *st, const char *key)
{
	const struct ynode *v = ynode_get(st->with, key);

	return v != NULL && v->type == YNODE_SCALAR ? v->str : NULL;
}

int script_param_int(const struct script_step *st, const char *key, long *out)
{
	const char *v = script_param_str(st, key);

	if (v == NULL)
		return CE_ERR_NOT_FOUND;
	return script_parse_long(v, out);
}

int script_param_bool(const struct script_step *st, const char *key, int *out)
{
	const char *v = script_param_str(st, key);

	if (v == NULL)
		return CE_ERR_NOT_FOUND;
	*out = strcmp(v, "true") == 0;
	return 0;
}

void script_step_issue_layout(const struct script_step *st, const struct script_secret *sec,
			      struct script_layout *out)
{
	const struct ynode *groups = NULL, *gt = NULL;
	struct script_layout l;

	*out = sec->layout;
	if (st->action == NULL || strcmp(st->action->name, "shares.reshare") != 0)
		return;
	groups = script_param(st, "groups");
	gt = script_param(st, "group-threshold");
	if (groups == NULL && gt == NULL)
		return;
	parse_layout(NULL, groups, gt, &l, "reshare");
	if (groups != NULL) {
		out->ngroups = l.ngroups;
		memcpy(out->groups, l.groups, sizeof(l.groups));
	}
	if (gt != NULL)
		out->group_threshold = l.group_threshold;
}
