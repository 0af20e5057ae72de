/* SPDX-License-Identifier: Apache-2.0 */
/* ceremony/model/script_time.h - UTC times written in scripts (certificate
 * validity, CRL thisUpdate). */
#ifndef CE_CEREMONY_SCRIPT_TIME_H
#define CE_CEREMONY_SCRIPT_TIME_H

#include <time.h>

/* "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ" as a time_t, years
 * 1950..9999: 0, or -1 if malformed (2026-02-31 too). */
int script_time_parse(const char *s, time_t *out);

#endif
