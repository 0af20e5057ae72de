#include "ceremony/transcript/transcript.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/version.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "pkcs11/x509/ossl.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * The version-1 vocabulary (docs/transcript-format.md section 4).
 */

enum { T_STR = 's', T_BOOL = 'b', T_INT = 'i', T_OBJ = 'o', T_ARR = 'a' };

struct field_rule {
	const char *key;
	char kind;
};

#define RULES_MAX 8

struct event_rule {
	const char *type;
	int needs_step;
	struct field_rule req[RULES_MAX]; /* terminated by key == NULL */
};

/* policy 4.4.1: the events recorded. */
static const struct event_rule event_rules[] = {
	{ "ceremony.start", 0, { { "ceremony_id", T_STR }, { "tool_version", T_STR },
				 { "exe_sha256", T_STR }, { "host", T_STR },
				 { "rehearsal", T_BOOL }, { "clock", T_OBJ },
				 { "script_sha256", T_STR }, { "roster_sha256", T_STR } } },
	{ "transcript.key", 0, { { "spki_sha256", T_STR }, { "fingerprint", T_STR },
				 { "public_key_pem", T_STR }, { "ephemeral", T_BOOL } } },
	{ "attendance", 0, { { "status", T_STR } } },
	{ "role.assign", 0, { { "role", T_STR } } },
	{ "role.revoke", 0, { { "role", T_STR } } },
	{ "step.start", 1, { { NULL, 0 } } },
	{ "step.end", 1, { { "status", T_STR } } },
	{ "witness.confirm", 1, { { NULL, 0 } } },
	{ "login", 0, { { "user", T_STR } } },
	{ "login.failed", 0, { { "user", T_STR }, { "ckr", T_STR } } },
	{ "logout", 0, { { NULL, 0 } } },
	{ "token.initialised", 1, { { "label", T_STR } } },
	{ "pin.changed", 1, { { "user", T_STR } } },
	{ "share.issued", 1, { { "set", T_STR }, { "member", T_INT }, { "holder", T_STR },
			       { "salt", T_STR }, { "commitment", T_STR } } },
	{ "share.verified", 1, { { "set", T_STR }, { "member", T_INT }, { "holder", T_STR },
				 { "result", T_STR } } },
	{ "quorum.share", 1, { { "set", T_STR }, { "member", T_INT }, { "holder", T_STR },
			       { "accepted", T_BOOL } } },
	{ "quorum.met", 1, { { "set", T_STR }, { "threshold", T_INT }, { "holders", T_ARR } } },
	{ "key.generated", 1, { { "key_type", T_STR }, { "label", T_STR }, { "id", T_STR },
				{ "public_key_sha256", T_STR } } },
	{ "key.destroyed", 1, { { "label", T_STR }, { "id", T_STR } } },
	{ "cert.created", 1, { { "file", T_STR }, { "sha256", T_STR } } },
	{ "csr.created", 1, { { "file", T_STR }, { "sha256", T_STR } } },
	{ "crl.created", 1, { { "file", T_STR }, { "sha256", T_STR } } },
	{ "output.written", 0, { { "file", T_STR }, { "sha256", T_STR }, { "size", T_INT } } },
	{ "config.changed", 0, { { "what", T_STR } } },
	{ "abort", 0, { { "reason", T_STR } } },
	{ "error", 0, { { "message", T_STR } } },
	{ "clock.held", 0, { { "observed", T_STR } } },
	{ "ceremony.end", 0, { { "status", T_STR } } },
};

static const struct event_rule *rule_find(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(event_rules) / sizeof(event_rules[0]); i++)
		if (strcmp(event_rules[i].type, type) == 0)
			return &event_rules[i];
	return NULL;
}

int transcript_type_known(const char *type)
{
	return rule_find(type) != NULL;
}

static int kind_ok(const struct tj_doc *d, int v, char kind)
{
	switch (kind) {
	case T_STR:
		return tj_is(d, v, TJ_STR);
	case T_BOOL:
		return tj_is(d, v, TJ_TRUE) || tj_is(d, v, TJ_FALSE);
	case T_INT:
		return tj_is(d, v, TJ_INT);
	case T_OBJ:
		return tj_is(d, v, TJ_OBJ);
	case T_ARR:
		return tj_is(d, v, TJ_ARR);
	default:
		return 0;
	}
}

static const char *kind_name(char kind)
{
	switch (kind) {
	case T_STR:
		return "a string";
	case T_BOOL:
		return "true or false";
	case T_INT:
		return "an integer";
	case T_OBJ:
		return "an object";
	default:
		return "an array";
	}
}

static int is_hex_of_len(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int persons_check(const struct tj_doc *d, int a, const char *field, char *why, size_t cap)
{
	uint32_t i, j, k;
	int p, q, role;

	if (!tj_is(d, a, TJ_ARR)) {
		snprintf(why, cap, "%s is not an array", field);
		return CE_ERR_FORMAT;
	}
	TJ_ARR_EACH(d, a, i, p) {
		if (!tj_is(d, p, TJ_OBJ)) {
			snprintf(why, cap, "%s[%u] is not an object", field, i);
			return CE_ERR_FORMAT;
		}
		for (k = 0, q = p + 1; k < d->t[p].size; k++, q = (int)d->t[q + 1].next) {
			const char *key = tj_str(d, q);
			int v = q + 1;

			if (strcmp(key, "id") == 0 || strcmp(key, "name") == 0) {
				if (!tj_is(d, v, TJ_STR)) {
					snprintf(why, cap, "%s[%u].%s is not a string", field, i, key);
					return CE_ERR_FORMAT;
				}
			} else if (strcmp(key, "roles") == 0) {
				if (!tj_is(d, v, TJ_ARR)) {
					snprintf(why, cap, "%s[%u].roles is not an array", field, i);
					return CE_ERR_FORMAT;
				}
				TJ_ARR_EACH(d, v, j, role) {
					if (!tj_is(d, role, TJ_STR)) {
						snprintf(why, cap, "%s[%u].roles[%u] is not a string",
							 field, i, j);
						return CE_ERR_FORMAT;
					}
				}
			} else {
				snprintf(why, cap, "%s[%u] has unknown field \"%.40s\"", field, i, key);
				return CE_ERR_FORMAT;
			}
		}
		q = tj_get(d, p, "id");
		if (q < 0 || d->t[q].slen == 0) {
			snprintf(why, cap, "%s[%u] has no id", field, i);
			return CE_ERR_FORMAT;
		}
		if (tj_get(d, p, "roles") < 0) {
			snprintf(why, cap, "%s[%u] has no roles", field, i);
			return CE_ERR_FORMAT;
		}
	}
	return 0;
}

int transcript_event_check(const struct tj_doc *d, char *why, size_t cap)
{
	const struct event_rule *rule;
	const char *type = tj_str(d, tj_get(d, 0, "type"));
	int step = tj_get(d, 0, "step");
	int details = tj_get(d, 0, "details");
	size_t i;
	int r;

	if (type == NULL) {
		snprintf(why, cap, "type is not a string");
		return CE_ERR_FORMAT;
	}
	rule = rule_find(type);
	if (rule == NULL) {
		snprintf(why, cap, "unknown event type \"%.60s\"", type);
		return CE_ERR_FORMAT;
	}
	if (!(tj_is(d, step, TJ_NULL) || tj_is(d, step, TJ_STR))) {
		snprintf(why, cap, "%s: step is not a string or null", type);
		return CE_ERR_FORMAT;
	}
	if (tj_is(d, step, TJ_STR) && d->t[step].slen == 0) {
		snprintf(why, cap, "%s: empty step id", type);
		return CE_ERR_FORMAT;
	}
	if (rule->needs_step && tj_is(d, step, TJ_NULL)) {
		snprintf(why, cap, "%s: needs a step", type);
		return CE_ERR_FORMAT;
	}
	if ((strcmp(type, "ceremony.start") == 0 || strcmp(type, "ceremony.end") == 0) &&
	    !tj_is(d, step, TJ_NULL)) {
		snprintf(why, cap, "%s: step must be null", type);
		return CE_ERR_FORMAT;
	}
	r = persons_check(d, tj_get(d, 0, "persons"), "persons", why, cap);
	if (r < 0)
		return r;
	r = persons_check(d, tj_get(d, 0, "witnesses"), "witnesses", why, cap);
	if (r < 0)
		return r;
	if (!tj_is(d, details, TJ_OBJ)) {
		snprintf(why, cap, "%s: details is not an object", type);
		return CE_ERR_FORMAT;
	}
	for (i = 0; i < RULES_MAX && rule->req[i].key != NULL; i++) {
		int v = tj_get(d, details, rule->req[i].key);

		if (v < 0) {
			snprintf(why, cap, "%s: details.%s missing", type, rule->req[i].key);
			return CE_ERR_FORMAT;
		}
		if (!kind_ok(d, v, rule->req[i].kind)) {
			snprintf(why, cap, "%s: details.%s is not %s", type, rule->req[i].key,
				 kind_name(rule->req[i].kind));
			return CE_ERR_FORMAT;
		}
	}
	if (strcmp(type, "ceremony.start") == 0 &&
	    !is_hex_of_len(tj_str(d, tj_get(d, details, "ceremony_id")),
			   TRANSCRIPT_CEREMONY_ID_HEX_LEN)) {
		snprintf(why, cap, "%s: details.ceremony_id is not 32 hex digits", type);
		return CE_ERR_FORMAT;
	}
	if (strcmp(type, "transcript.key") == 0 &&
	    !is_hex_of_len(tj_str(d, tj_get(d, details, "spki_sha256")), TRANSCRIPT_HASH_HEX_LEN)) {
		snprintf(why, cap, "%s: details.spki_sha256 is not a hex SHA-256", type);
		return CE_ERR_FORMAT;
	}
	if (tj_get(d, details, "sha256") >= 0 &&
	    !is_hex_of_len(tj_str(d, tj_get(d, details, "sha256")), TRANSCRIPT_HASH_HEX_LEN)) {
		snprintf(why, cap, "%s: details.sha256 is not a hex SHA-256", type);
		return CE_ERR_FORMAT;
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Time.
 */

void transcript_time_format(int64_t sec, long usec, char out[TRANSCRIPT_TIME_LEN + 1])
{
	struct tm tm;
	time_t tt = (time_t)sec;
	char tmp[96];

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&tt, &tm);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec % 1000000);
	memcpy(out, tmp, TRANSCRIPT_TIME_LEN);
	out[TRANSCRIPT_TIME_LEN] = '\0';
}

static int digits(const char *s, size_t n, long *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int transcript_time_parse(const char *s, int64_t *sec, long *usec)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long y, mo, d, h, mi, se, us;
	struct tm tm;
	time_t t;

	if (strlen(s) != TRANSCRIPT_TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		return CE_ERR_FORMAT;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) ||
	    digits(s + 20, 6, &us))
		return CE_ERR_FORMAT;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    se > 60)
		return CE_ERR_FORMAT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)(mo - 1);
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)se;
	t = timegm(&tm);
	if (tm.tm_mday != (int)d && se != 60) /* 29 February of a common year */
		return CE_ERR_FORMAT;
	*sec = (int64_t)t;
	*usec = us;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Writer.
 */

struct transcript {
	int fd;
	int sync;
	int broken;
	int closed;
	char *path;
	uint64_t seq;
	int64_t last_sec;
	long last_usec;
	char prev[TRANSCRIPT_HASH_HEX_LEN + 1];
	EVP_MD_CTX *md;
	int (*now)(struct timespec *ts);
	struct tj_doc doc; /* the written line parsed back for the format check */
};

static int sha256_hex(EVP_MD_CTX *md, const void *p, size_t n, char out[TRANSCRIPT_HASH_HEX_LEN + 1])
{
	uint8_t h[32];
	unsigned int hl = 0;

	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(md, p, n) != 1 ||
	    EVP_DigestFinal_ex(md, h, &hl) != 1 || hl != 32)
		return ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
	hex_encode(h, 32, out);
	return 0;
}

int transcript_open(const char *path, struct transcript **out)
{
	int r = CE_ERR_INTERNAL;
	struct transcript *t = NULL;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	t->fd = -1;
	t->sync = 1;
	t->path = strdup(path);
	t->md = EVP_MD_CTX_new();
	if (t->path == NULL || t->md == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	memcpy(t->prev, TRANSCRIPT_GENESIS_PREV, sizeof(t->prev));
	r = tj_init(&t->doc, TRANSCRIPT_LINE_MAX_BYTES);
	if (r < 0)
		goto out;
	/* policy 4.4.4: the log is readable by authorised staff only. */
	t->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0600);
	if (t->fd < 0) {
		r = ce_err_set(errno == EEXIST ? CE_ERR_EXISTS : CE_ERR_IO,
			       "%s: cannot create transcript: %s", path, strerror(errno));
		goto out;
	}
	r = outfile_sync_dir(path);
	if (r < 0)
		goto out;
	*out = t;
	t = NULL; /* transferred */
	r = 0;
out:
	transcript_free(t);
	return r;
}

void transcript_set_clock(struct transcript *t, int (*now)(struct timespec *ts))
{
	t->now = now;
}

void transcript_set_sync(struct transcript *t, int sync)
{
	t->sync = sync;
}

const char *transcript_path(const struct transcript *t)
{
	return t->path;
}

uint64_t transcript_next_seq(const struct transcript *t)
{
	return t->seq;
}

static int write_line(struct transcript *t, const char *type, const char *step, json_t *persons,
		      json_t *witnesses, json_t *details, int64_t sec, long usec)
{
	int r = CE_ERR_INTERNAL;
	json_t *ev = NULL;
	json_t *empty_p = NULL, *empty_w = NULL, *empty_d = NULL;
	char *line = NULL;
	char tbuf[TRANSCRIPT_TIME_LEN + 1];
	char why[256];
	size_t len;
	const char *p;
	size_t left;

	if (persons == NULL)
		persons = empty_p = json_array();
	if (witnesses == NULL)
		witnesses = empty_w = json_array();
	if (details == NULL)
		details = empty_d = json_object();
	if (persons == NULL || witnesses == NULL || details == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	transcript_time_format(sec, usec, tbuf);
	ev = json_object();
	if (ev == NULL || json_object_set_new(ev, "v", json_integer(TRANSCRIPT_VERSION)) != 0 ||
	    json_object_set_new(ev, "seq", json_integer((json_int_t)t->seq)) != 0 ||
	    json_object_set_new(ev, "time", json_string(tbuf)) != 0 ||
	    json_object_set_new(ev, "type", json_string(type)) != 0 ||
	    json_object_set_new(ev, "step", step != NULL ? json_string(step) : json_null()) != 0 ||
	    json_object_set(ev, "persons", persons) != 0 ||
	    json_object_set(ev, "witnesses", witnesses) != 0 ||
	    json_object_set(ev, "details", details) != 0 ||
	    json_object_set_new(ev, "prev", json_string(t->prev)) != 0) {
		r = ce_err_set(CE_ERR_INVALID, "transcript: %s: cannot build the event (bad UTF-8?)",
			       type);
		goto out;
	}
	line = json_dumps(ev, TRANSCRIPT_JSON_FLAGS);
	if (line == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	len = strlen(line);
	if (len > TRANSCRIPT_LINE_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "transcript: %s event is %zu bytes (at most %d)",
			       type, len, TRANSCRIPT_LINE_MAX_BYTES);
		goto out;
	}
	/* The verifier's own check, on the very bytes about to be written. */
	r = tj_parse(&t->doc, line, len, why, sizeof(why));
	if (r == 0)
		r = transcript_event_check(&t->doc, why, sizeof(why));
	if (r < 0) {
		r = ce_err_set(CE_ERR_INVALID, "transcript: %s", why);
		goto out;
	}
	/* Hash before the newline goes on: prev covers the line's bytes only. */
	r = sha256_hex(t->md, line, len, why);
	if (r < 0)
		goto out;
	line[len] = '\n'; /* json_dumps' NUL; the buffer holds len+1 bytes */
	p = line;
	left = len + 1;
	while (left > 0) {
		ssize_t n = write(t->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			t->broken = 1;
			r = ce_err_set(CE_ERR_IO, "%s: write: %s", t->path,
				       n < 0 ? strerror(errno) : "short write");
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	if (t->sync && fsync(t->fd) != 0) {
		t->broken = 1;
		r = ce_err_set(CE_ERR_IO, "%s: fsync: %s", t->path, strerror(errno));
		goto out;
	}
	memcpy(t->prev, why, sizeof(t->prev));
	t->seq++;
	t->last_sec = sec;
	t->last_usec = usec;
	r = 0;
out:
	free(line);
	json_decref(ev);
	json_decref(empty_p);
	json_decref(empty_w);
	json_decref(empty_d);
	return r;
}

int transcript_append(struct transcript *t, const char *type, const char *step, json_t *persons,
		      json_t *witnesses, json_t *details)
{
	int r = CE_ERR_INTERNAL;
	struct timespec ts;
	int64_t sec;
	long usec;
	json_t *held = NULL;

	if (t == NULL || t->closed || t->broken || t->fd < 0) {
		r = ce_err_set(CE_ERR_STATE, "transcript: not open for writing");
		goto out;
	}
	if ((t->now != NULL ? t->now(&ts) : clock_gettime(CLOCK_REALTIME, &ts)) != 0) {
		r = ce_err_set(CE_ERR_IO, "transcript: clock_gettime: %s", strerror(errno));
		goto out;
	}
	sec = (int64_t)ts.tv_sec;
	usec = ts.tv_nsec / 1000;
	if (t->seq > 0 && (sec < t->last_sec || (sec == t->last_sec && usec < t->last_usec))) {
		/* The clock went back: never write a time that goes back; say so. */
		char obs[TRANSCRIPT_TIME_LEN + 1];

		transcript_time_format(sec, usec, obs);
		held = json_pack("{s:s}", "observed", obs);
		if (held == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		sec = t->last_sec;
		usec = t->last_usec;
		r = write_line(t, "clock.held", NULL, NULL, NULL, held, sec, usec);
		if (r < 0)
			goto out;
	}
	r = write_line(t, type, step, persons, witnesses, details, sec, usec);
	if (r < 0)
		goto out;
	r = 0;
out:
	json_decref(held);
	return r;
}

int transcript_close(struct transcript *t)
{
	int r = CE_ERR_INTERNAL;

	if (t->closed) {
		r = 0;
		goto out;
	}
	t->closed = 1;
	if (t->fd >= 0 && fsync(t->fd) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: fsync: %s", t->path, strerror(errno));
		close(t->fd);
		t->fd = -1;
		goto out;
	}
	if (t->fd >= 0 && close(t->fd) != 0) {
		t->fd = -1;
		r = ce_err_set(CE_ERR_IO, "%s: close: %s", t->path, strerror(errno));
		goto out;
	}
	t->fd = -1;
	r = 0;
out:
	return r;
}

void transcript_free(struct transcript *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	EVP_MD_CTX_free(t->md);
	tj_free(&t->doc);
	free(t->path);
	free(t);
}

/* ---------------------------------------------------------------------------
 * Signature.
 */

char *transcript_sig_path(const char *path)
{
	size_t n = strlen(path) + 5;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s.p7s", path);
	return p;
}

char *transcript_signer_path(const char *path)
{
	size_t l = strlen(path);
	size_t n = l + sizeof("-signer.pem");
	char *p = malloc(n);

	if (p == NULL)
		return NULL;
	if (l > 6 && strcmp(path + l - 6, ".jsonl") == 0)
		snprintf(p, n, "%.*s-signer.pem", (int)(l - 6), path);
	else
		snprintf(p, n, "%s-signer.pem", path);
	return p;
}

static int crypto_fail(const char *what)
{
	unsigned long e, last = 0;
	const char *lib;
	int flags;

	/* A PKCS#11 failure under OpenSSL (the transcript key signing through
	 * pkcs11-provider) is named by its CKR (p11_ossl_err); otherwise the
	 * latest OpenSSL error, the one closest to what failed here. */
	while ((e = ERR_peek_error_all(NULL, NULL, NULL, NULL, &flags)) != 0) {
		lib = ERR_lib_error_string(e);
		if (lib != NULL && strcmp(lib, "pkcs11") == 0) {
			return p11_ossl_err(CE_ERR_CRYPTO, "%s failed", what);
		}
		last = e;
		(void)ERR_get_error(); /* the oldest left is the next one looked at */
	}
	{
		char buf[256];

		buf[0] = '\0';
		if (last != 0)
			ERR_error_string_n(last, buf, sizeof(buf));
		ERR_clear_error();
		return ce_err_set(CE_ERR_CRYPTO, "%s failed%s%s", what, buf[0] ? ": " : "", buf);
	}
}

/* Verify the PEM CMS in pem against the file at path; the signer must be cert. */
static int sig_check(const char *pem, size_t pem_len, const char *path, X509 *cert)
{
	int r = CE_ERR_INTERNAL;
	BIO *pb = NULL, *content = NULL;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *signers = NULL;

	pb = BIO_new_mem_buf(pem, (int)pem_len);
	content = BIO_new_file(path, "rb");
	if (pb == NULL || content == NULL) {
		r = ce_err_set(CE_ERR_IO, "%s: cannot read back for verification", path);
		goto out;
	}
	cms = PEM_read_bio_CMS(pb, NULL, NULL, NULL);
	if (cms == NULL) {
		r = crypto_fail("reading back the transcript signature");
		goto out;
	}
	if (CMS_verify(cms, NULL, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "%s: the new transcript signature does not verify",
			       path);
		goto out;
	}
	signers = CMS_get0_signers(cms);
	if (signers == NULL || sk_X509_num(signers) != 1 ||
	    X509_cmp(sk_X509_value(signers, 0), cert) != 0) {
		r = ce_err_set(CE_ERR_VERIFY, "%s: the signature's signer is not the transcript key",
			       path);
		goto out;
	}
	r = 0;
out:
	sk_X509_free(signers);
	CMS_ContentInfo_free(cms);
	BIO_free(pb);
	BIO_free(content);
	return r;
}

int transcript_sign(struct transcript *t, EVP_PKEY *key, X509 *cert)
{
	int r = CE_ERR_INTERNAL;
	BIO *in = NULL, *mem = NULL, *cmem = NULL;
	CMS_ContentInfo *cms = NULL;
	char *sig_path = NULL, *signer_path = NULL;
	char *pem = NULL, *cpem = NULL;
	long pem_len, cpem_len;

	if (!t->closed || t->broken) {
		r = ce_err_set(CE_ERR_STATE, "transcript: sign needs a closed, intact transcript");
		goto out;
	}
	sig_path = transcript_sig_path(t->path);
	signer_path = transcript_signer_path(t->path);
	if (sig_path == NULL || signer_path == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_INVALID, "transcript: the signer certificate is not for the key");
		goto out;
	}
	in = BIO_new_file(t->path, "rb");
	if (in == NULL) {
		r = ce_err_set(CE_ERR_IO, "%s: cannot read to sign", t->path);
		goto out;
	}
	cms = CMS_sign(cert, key, NULL, in, CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP);
	if (cms == NULL) {
		r = crypto_fail("signing the transcript");
		goto out;
	}
	mem = BIO_new(BIO_s_mem());
	cmem = BIO_new(BIO_s_mem());
	if (mem == NULL || cmem == NULL || PEM_write_bio_CMS(mem, cms) != 1 ||
	    PEM_write_bio_X509(cmem, cert) != 1) {
		r = crypto_fail("encoding the transcript signature");
		goto out;
	}
	pem_len = BIO_get_mem_data(mem, &pem);
	cpem_len = BIO_get_mem_data(cmem, &cpem);
	if (pem_len <= 0 || cpem_len <= 0) {
		r = crypto_fail("encoding the transcript signature");
		goto out;
	}
	/* Every signature the HSM makes is verified before it is used. */
	r = sig_check(pem, (size_t)pem_len, t->path, cert);
	if (r < 0)
		goto out;
	r = outfile_write_all(sig_path, 0600, pem, (size_t)pem_len);
	if (r < 0)
		goto out;
	r = outfile_write_all(signer_path, 0600, cpem, (size_t)cpem_len);
	if (r < 0)
		goto out;
	r = 0;
out:
	BIO_free(in);
	BIO_free(mem);
	BIO_free(cmem);
	CMS_ContentInfo_free(cms);
	free(sig_path);
	free(signer_path);
	return r;
}

/* ---------------------------------------------------------------------------
 * Helpers.
 */

json_t *transcript_person(const char *id, const char *name, const char *const *roles)
{
	json_t *p = NULL, *ra = NULL;
	size_t i;

	p = json_object();
	ra = json_array();
	if (p == NULL || ra == NULL)
		goto fail;
	for (i = 0; roles != NULL && roles[i] != NULL; i++)
		if (json_array_append_new(ra, json_string(roles[i])) != 0)
			goto fail;
	if (json_object_set_new(p, "id", json_string(id)) != 0)
		goto fail;
	if (name != NULL && json_object_set_new(p, "name", json_string(name)) != 0)
		goto fail;
	if (json_object_set_new(p, "roles", ra) != 0) {
		ra = NULL;
		goto fail;
	}
	return p;
fail:
	json_decref(ra);
	json_decref(p);
	return NULL;
}

int transcript_ceremony_id(char out[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1])
{
	uint8_t b[TRANSCRIPT_CEREMONY_ID_HEX_LEN / 2];

	if (RAND_bytes(b, (int)sizeof(b)) != 1)
		return crypto_fail("random ceremony id");
	hex_encode(b, sizeof(b), out);
	return 0;
}

int transcript_file_sha256(const char *path, uint8_t out[32], uint64_t *size)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *md = NULL;
	int fd = -1;
	uint8_t buf[65536];
	uint64_t total = 0;
	unsigned int hl = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		r = crypto_fail("SHA-256");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ce_err_set(CE_ERR_IO, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1) {
			r = crypto_fail("SHA-256");
			goto out;
		}
		total += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(md, out, &hl) != 1 || hl != 32) {
		r = crypto_fail("SHA-256");
		goto out;
	}
	if (size != NULL)
		*size = total;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	return r;
}

int transcript_spki_sha256(EVP_PKEY *key, uint8_t out[32])
{
	int r = CE_ERR_INTERNAL;
	unsigned char *der = NULL;
	int n;

	n = i2d_PUBKEY(key, &der);
	if (n <= 0) {
		r = crypto_fail("encoding the public key");
		goto out;
	}
	if (EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(), NULL) != 1) {
		r = crypto_fail("SHA-256");
		goto out;
	}
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

int transcript_key_details(EVP_PKEY *key, int ephemeral, json_t **out)
{
	int r = CE_ERR_INTERNAL;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	char words[FINGERPRINT_WORDS_MAX_LEN];
	BIO *mem = NULL;
	char *pem = NULL;
	long pl;
	json_t *d = NULL;

	*out = NULL;
	r = transcript_spki_sha256(key, h);
	if (r < 0)
		goto out;
	hex_encode(h, 32, hex);
	r = ceremony_fingerprint_words(h, words, sizeof(words));
	if (r < 0)
		goto out;
	mem = BIO_new(BIO_s_mem());
	if (mem == NULL || PEM_write_bio_PUBKEY(mem, key) != 1) {
		r = crypto_fail("encoding the public key");
		goto out;
	}
	pl = BIO_get_mem_data(mem, &pem);
	d = json_pack("{s:s, s:s, s:s%, s:b, s:s}", "spki_sha256", hex, "fingerprint", words,
		      "public_key_pem", pem, (size_t)pl, "ephemeral", ephemeral, "key_type",
		      EVP_PKEY_get0_type_name(key) != NULL ? EVP_PKEY_get0_type_name(key) : "unknown");
	if (d == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	*out = d;
	d = NULL; /* transferred */
	r = 0;
out:
	BIO_free(mem);
	json_decref(d);
	return r;
}

int transcript_signer_cert_create(EVP_PKEY *key, const char *ceremony_id, X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	X509_EXTENSION *ext = NULL;
	X509V3_CTX ctx;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	ASN1_TIME *na = NULL;
	char cn[96];
	const EVP_MD *md = EVP_sha256();
	int nid = 0;

	*out = NULL;
	snprintf(cn, sizeof(cn), "ceremony transcript %.40s", ceremony_id);
	x = X509_new();
	name = X509_NAME_new();
	bn = BN_new();
	if (x == NULL || name == NULL || bn == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 || BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || X509_set_serialNumber(x, serial) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_subject_name(x, name) != 1 || X509_set_issuer_name(x, name) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    (na = ASN1_TIME_new()) == NULL || ASN1_TIME_set_string(na, "99991231235959Z") != 1 ||
	    X509_set1_notAfter(x, na) != 1 || X509_set_pubkey(x, key) != 1) {
		r = crypto_fail("building the transcript signer certificate");
		goto out;
	}
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:FALSE");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		r = crypto_fail("certificate extension");
		goto out;
	}
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,digitalSignature");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		r = crypto_fail("certificate extension");
		goto out;
	}
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		r = crypto_fail("certificate extension");
		goto out;
	}
	/* EdDSA keys take no separate digest. */
	if (EVP_PKEY_get_default_digest_nid(key, &nid) == 2 && nid == NID_undef)
		md = NULL;
	if (X509_sign(x, key, md) <= 0) {
		r = crypto_fail("signing the transcript signer certificate");
		goto out;
	}
	if (X509_verify(x, key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the transcript signer certificate does not verify");
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	X509_EXTENSION_free(ext);
	X509_NAME_free(name);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(na);
	BN_free(bn);
	X509_free(x);
	return r;
}

/* ---------------------------------------------------------------------------
 * Host facts for ceremony.start.
 */

static int hostname_get(char *out, size_t cap)
{
	if (gethostname(out, cap) != 0)
		return ce_err_set(CE_ERR_IO, "gethostname: %s", strerror(errno));
	out[cap - 1] = '\0';
	return 0;
}

int transcript_host_details(json_t *details)
{
	int r = CE_ERR_INTERNAL;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	char host[256];
	struct timex tx;
	int state;
	json_t *clock = NULL;

	r = transcript_file_sha256("/proc/self/exe", h, NULL);
	if (r < 0)
		goto out;
	hex_encode(h, 32, hex);
	r = hostname_get(host, sizeof(host));
	if (r < 0)
		goto out;
	/* policy 5.5: record whether the host clock is synchronised to a UTC source. */
	memset(&tx, 0, sizeof(tx));
	state = adjtimex(&tx);
	if (state < 0) {
		clock = json_pack("{s:b, s:s, s:s}", "synchronised", 0, "source", "adjtimex",
				  "error", strerror(errno));
	} else {
		int synced = state != TIME_ERROR && !(tx.status & STA_UNSYNC);

		clock = json_pack("{s:b, s:I, s:I, s:s}", "synchronised", synced, "maxerror_us",
				  (json_int_t)tx.maxerror, "esterror_us", (json_int_t)tx.esterror,
				  "source", "adjtimex");
	}
	if (clock == NULL || json_object_set_new(details, "clock", clock) != 0) {
		clock = NULL;
		r = CE_ERR_NOMEM;
		goto out;
	}
	clock = NULL;
	if (json_object_set_new(details, "tool_version", json_string(CEREMONY_VERSION)) != 0 ||
	    json_object_set_new(details, "exe_sha256", json_string(hex)) != 0 ||
	    json_object_set_new(details, "host", json_string(host)) != 0 ||
	    json_object_set_new(details, "openssl_version",
				json_string(OpenSSL_version(OPENSSL_VERSION))) != 0) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = 0;
out:
	json_decref(clock);
	return r;
}
