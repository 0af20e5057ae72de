/* SPDX-License-Identifier: Apache-2.0 */
/* ceremony/model/script_time.c - UTC times written in scripts. */
#include "ceremony/model/script_time.h"

#include <stdio.h>
#include <string.h>

int script_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
	size_t len = strlen(s);

	if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10)
		;
	else if (len == 20 && sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se,
				     &n) == 6 && n == 20)
		;
	else
		return -1;
	if (y < 1950 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm);
	if (gmtime_r(out, &tm) == NULL || tm.tm_mday != d)
		return -1; /* 2026-02-31 */
	return 0;
}
