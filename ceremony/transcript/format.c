/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/format.c - the reader's side of the format
 * (docs/transcript-format.md): the version-1 event table and the check of one
 * parsed event, UTC times, and the names of the files beside a transcript.
 * Only libc and the tjson reader: the auditor's ceremony-verify links this
 * without any PKCS#11 code.
 */
#include "ceremony/transcript/format.h"
#include "ceremony/transcript/tjson.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ceremony.start details.issued_in (optional): the earlier transcripts the
 * ceremony relied on, each {path, sha256, signer_spki_sha256, pinned}. */
static int issued_in_check(const struct tj_doc *d, int details, char *why, size_t cap)
{
	int a = tj_get(d, details, "issued_in"), o;
	const char *pinned;
	uint32_t i;

	if (a < 0)
		return 0;
	if (!tj_is(d, a, TJ_ARR)) {
		snprintf(why, cap, "ceremony.start: details.issued_in is not an array");
		return CE_ERR_FORMAT;
	}
	TJ_ARR_EACH(d, a, i, o) {
		pinned = tj_str(d, tj_get(d, o, "pinned"));
		if (!tj_is(d, o, TJ_OBJ) || tj_str(d, tj_get(d, o, "path")) == NULL ||
		    !is_hex_of_len(tj_str(d, tj_get(d, o, "sha256")), TRANSCRIPT_HASH_HEX_LEN) ||
		    !is_hex_of_len(tj_str(d, tj_get(d, o, "signer_spki_sha256")),
				   TRANSCRIPT_HASH_HEX_LEN) ||
		    pinned == NULL ||
		    (strcmp(pinned, "issued-in-key") != 0 && strcmp(pinned, "paper-log-at-console") != 0)) {
			snprintf(why, cap, "ceremony.start: details.issued_in[%u] is not {path, sha256, "
					   "signer_spki_sha256, pinned: issued-in-key | paper-log-at-console}",
				 i);
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
	if (strcmp(type, "ceremony.start") == 0 && issued_in_check(d, details, why, cap) != 0)
		return CE_ERR_FORMAT;
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

/* The details keys each event type may hold (docs/transcript-format.md
 * section 4: the required ones and those written when known). */
static const struct {
	const char *type, *keys; /* keys: space-separated, with spaces around */
} details_known[] = {
	{ "ceremony.start", " ceremony_id ceremony tool_version exe_sha256 host rehearsal clock "
			    "script_sha256 roster_sha256 policy_date script script_version "
			    "scripted_input openssl_version p11kit_version pkcs11_provider_version "
			    "pkcs11_provider module module_sha256 token issued_in " },
	{ "transcript.key", " spki_sha256 fingerprint public_key_pem ephemeral key_type uri key_store "
			    "locked_memory " },
	{ "attendance", " status card " },
	{ "role.assign", " role change acknowledged roster_sha256 " },
	{ "role.revoke", " role change acknowledged roster_sha256 " },
	{ "step.start", " title action " },
	{ "step.end", " status records identity_check fingerprint backup " },
	{ "witness.confirm", " " },
	{ "login", " user token " },
	{ "login.failed", " user ckr token " },
	{ "logout", " user token when " },
	{ "token.initialised", " label serial token so_pin_source pin_derivation entropy_bits reinit previous_label " },
	{ "pin.changed", " user token pin_source secret pin_derivation entropy_bits " },
	{ "share.issued", " set member group holder salt commitment secret pin_derivation "
			  "delivery sealed_file sealed_sha256 sealed_to " },
	{ "share.verified", " set member group holder result secret " },
	{ "quorum.share", " set member group holder accepted reason secret delivery " },
	{ "quorum.met", " set threshold holders secret group_threshold groups " },
	{ "key.generated", " key_type label id public_key_sha256 token sensitive extractable "
			   "restored_from backup_sha256 backup_ceremony_id " },
	{ "key.destroyed", " label id public_key_sha256 token objects " },
	{ "cert.created", " file sha256 der_sha256 subject serial issuer profile not_after csr_sha256 "
			  "public_key_sha256 " },
	{ "csr.created", " file sha256 der_sha256 subject key id " },
	{ "crl.created", " file sha256 der_sha256 number issuer next_update revoked " },
	{ "output.written", " file sha256 size " },
	{ "config.changed", " what from to " },
	{ "abort", " reason at_step " },
	{ "error", " message function ckr " },
	{ "clock.held", " observed " },
	{ "ceremony.end", " status transcript_key " },
};

int transcript_details_key_known(const char *type, const char *key)
{
	char word[72];
	size_t i;

	if (strlen(key) > 64 || strchr(key, ' ') != NULL)
		return 0;
	snprintf(word, sizeof(word), " %s ", key);
	for (i = 0; i < sizeof(details_known) / sizeof(details_known[0]); i++)
		if (strcmp(details_known[i].type, type) == 0)
			return strstr(details_known[i].keys, word) != NULL;
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
	/* No leap second: the writer's gmtime_r never gives :60, and a time
	 * the writer cannot write is not one of its times. */
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    se > 59)
		return CE_ERR_FORMAT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)(mo - 1);
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)se;
	t = timegm(&tm);
	if (tm.tm_mday != (int)d) /* 29 February of a common year */
		return CE_ERR_FORMAT;
	*sec = (int64_t)t;
	*usec = us;
	return 0;
}

/* ---------------------------------------------------------------------------
 * The files beside a transcript.
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
