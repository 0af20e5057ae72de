/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/jtext.c - untrusted text as a JSON string (jtext.h).
 */
#include "ceremony/transcript/jtext.h"

#include "common/esc.h"

#include <stdlib.h>
#include <string.h>

json_t *jtext(const char *s)
{
	json_t *j;
	size_t cap;
	char *e;

	if (s == NULL)
		return NULL;
	j = json_string(s);
	if (j != NULL)
		return j;
	/* not UTF-8 (or out of memory). An escape is at most 4 bytes a byte
	 * of s: "\xHH" for one, "\\" for one, "\uHHHH" for a character of 2
	 * or 3 bytes. */
	cap = strlen(s) * 4 + 1;
	e = malloc(cap);
	if (e == NULL)
		return NULL;
	esc_str(e, cap, s);
	j = json_string(e);
	free(e);
	return j;
}
