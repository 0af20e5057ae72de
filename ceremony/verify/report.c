/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/verify/report.c - the verdict: the first failure wins, its line
 * and reason; exit codes and the JSON form (docs/transcript-format.md
 * section 7).
 */
#include "ceremony/verify/verify_internal.h"

#include "ceremony/transcript/jtext.h"
#include "common/err.h"

#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when OpenSSL's error queue holds an allocation failure (the queue is
 * emptied): the check that failed said nothing about the transcript. */
static int ossl_out_of_memory(void)
{
	unsigned long e;
	int nomem = 0;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_REASON(e) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE))
			nomem = 1;
	return nomem;
}

int verify_report_fail(struct verify_report *rep, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	char msg[VERIFY_REASON_LEN - 32];

	if (rep->verdict == VERIFY_FAILED)
		return 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ossl_out_of_memory()) {
		/* no verdict: an error; FAILED only for a caller that would
		 * not look at it, never OK */
		rep->verdict = VERIFY_FAILED;
		snprintf(rep->reason, sizeof(rep->reason), "out of memory while checking (%.300s)", msg);
		return ce_err_set(CE_ERR_NOMEM, "verify: out of memory in OpenSSL while checking (%s)", msg);
	}
	rep->verdict = VERIFY_FAILED;
	rep->fail_line = line;
	if (line > 0)
		snprintf(rep->reason, sizeof(rep->reason), "line %llu: %s", (unsigned long long)line,
			 msg);
	else
		snprintf(rep->reason, sizeof(rep->reason), "%s", msg);
	return 1;
}

int verify_ossl_silent(const char *what)
{
	if (ERR_peek_error() != 0)
		return 0;
	return ce_err_set(CE_ERR_NOMEM, "%s: OpenSSL failed and gave no reason (out of memory)", what);
}

int verify_exit_code(enum verify_verdict v)
{
	switch (v) {
	case VERIFY_OK:
		return VERIFY_EXIT_OK;
	case VERIFY_INCOMPLETE:
		return VERIFY_EXIT_INCOMPLETE;
	default:
		return VERIFY_EXIT_FAILED;
	}
}

const char *verify_verdict_name(enum verify_verdict v)
{
	switch (v) {
	case VERIFY_OK:
		return "OK";
	case VERIFY_INCOMPLETE:
		return "INCOMPLETE";
	default:
		return "FAILED";
	}
}

json_t *verify_report_json(const char *path, const struct verify_report *rep)
{
	json_t *o = json_object();
	size_t i;

	if (o == NULL)
		return NULL;
#define SETN(k, v)                                        \
	do {                                              \
		if (json_object_set_new(o, k, v) != 0)    \
			goto fail;                        \
	} while (0)
#define STR_OR_NULL(s) ((s)[0] ? jtext(s) : json_null())
	SETN("transcript", jtext(path));
	SETN("verdict", json_string(verify_verdict_name(rep->verdict)));
	SETN("exit", json_integer(verify_exit_code(rep->verdict)));
	SETN("reason", STR_OR_NULL(rep->reason));
	SETN("line", rep->fail_line ? json_integer((json_int_t)rep->fail_line) : json_null());
	SETN("events", json_integer((json_int_t)rep->events));
	SETN("ceremony_id", STR_OR_NULL(rep->ceremony_id));
	SETN("ceremony", STR_OR_NULL(rep->ceremony));
	SETN("start", STR_OR_NULL(rep->start_time));
	SETN("end", STR_OR_NULL(rep->end_time));
	SETN("status", STR_OR_NULL(rep->end_status));
	SETN("last_step", STR_OR_NULL(rep->last_step));
	SETN("rehearsal", json_boolean(rep->rehearsal));
	SETN("partial_line", json_boolean(rep->partial_line));
	SETN("signed", json_boolean(rep->signed_));
	SETN("signature_ok", json_boolean(rep->signature_ok));
	SETN("key_line", rep->key_line ? json_integer((json_int_t)rep->key_line) : json_null());
	SETN("signer_spki_sha256", STR_OR_NULL(rep->key_spki_sha256));
	SETN("signer_fingerprint", STR_OR_NULL(rep->key_words));
	SETN("outputs_checked", json_integer((json_int_t)rep->outputs_checked));
	SETN("scripted_input", json_boolean(rep->scripted_input));
	SETN("production", json_boolean(rep->production));
	SETN("expected_keys", json_array());
	for (i = 0; i < rep->n_expected; i++)
		if (json_array_append_new(json_object_get(o, "expected_keys"),
					  jtext(rep->expected[i])) != 0)
			goto fail;
	SETN("signer_matched", rep->n_expected ? json_boolean(rep->signer_matched) : json_null());
	SETN("proven", STR_OR_NULL(rep->proof));
#undef SETN
#undef STR_OR_NULL
	return o;
fail:
	json_decref(o);
	return NULL;
}
