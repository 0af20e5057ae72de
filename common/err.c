/* SPDX-License-Identifier: Apache-2.0 */
#include "common/err.h"
#include "common/esc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CE_ERR_DETAIL_BYTES 1024

static __thread char err_detail[CE_ERR_DETAIL_BYTES];
/* Counts ce_err_set() calls: lets a layer tie data it kept about a failure
 * to the detail it set (see ce_err_serial()). */
static __thread unsigned long err_serial;

static const char *const err_messages[] = {
	[0] = "success",
	[1] = "internal error",
	[2] = "out of memory",
	[3] = "cannot lock secure memory",
	[4] = "usage error",
	[5] = "input/output error",
	[6] = "input too large",
	[7] = "malformed input",
	[8] = "output already exists",
	[9] = "invalid argument",
	[10] = "invalid share checksum",
	[11] = "word not in the wordlist",
	[12] = "invalid share padding or length",
	[13] = "shares do not belong together",
	[14] = "duplicate share",
	[15] = "not enough shares",
	[16] = "recovered secret fails its digest",
	[17] = "PKCS#11 call failed",
	[18] = "cryptographic operation failed",
	[19] = "verification failed",
	[20] = "refused by policy",
	[21] = "aborted",
	[22] = "not found",
	[23] = "PIN refused",
	[24] = "a terminal is required",
	[25] = "not supported",
	[26] = "incomplete",
	[27] = "invalid state",
};

_Static_assert(sizeof(err_messages) / sizeof(err_messages[0]) == (size_t)(-CE_ERR_MIN_) + 1,
	       "one message per error code");

const char *ce_strerror(int code)
{
	if (code > 0 || code < CE_ERR_MIN_)
		return "unknown error";
	return err_messages[-code];
}

int ce_err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_detail, sizeof(err_detail), fmt, ap);
	va_end(ap);
	err_serial++;
	return code;
}

unsigned long ce_err_serial(void)
{
	return err_serial;
}

int ce_err_prefix(int code, const char *fmt, ...)
{
	char prefix[256];
	char old[CE_ERR_DETAIL_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err_detail, sizeof(old));
	if (old[0] == '\0')
		snprintf(err_detail, sizeof(err_detail), "%s: %s", prefix, ce_strerror(code));
	else
		snprintf(err_detail, sizeof(err_detail), "%s: %.*s", prefix,
			 (int)(sizeof(err_detail) - strlen(prefix) - 3), old);
	return code;
}

const char *ce_err_detail(void)
{
	return err_detail;
}

void ce_err_clear(void)
{
	err_detail[0] = '\0';
	err_serial++; /* data kept about the old failure no longer applies */
}

void ce_err_print(int code)
{
	if (err_detail[0] != '\0')
		esc_fprintf(stderr, "ceremony: %s\n", err_detail); /* quotes untrusted text */
	else
		fprintf(stderr, "ceremony: %s\n", ce_strerror(code));
}
