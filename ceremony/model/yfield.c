/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/model/yfield.h"
#include "common/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yfield_want(struct diag *d, const struct ynode *n, enum ynode_type t, const char *what)
{
	if (n->type == t)
		return 1;
	diag_error(d, &n->mark, "%s must be a %s, not a %s", what, ynode_type_name(t),
		   ynode_type_name(n->type));
	return 0;
}

const struct ynode *yfield_need(struct diag *d, const struct ynode *m, const char *key,
				const char *what)
{
	const struct ynode *v = ynode_get(m, key);

	if (v == NULL)
		diag_error(d, &m->mark, "%s: missing required key '%s'", what, key);
	return v;
}

void yfield_keys(struct diag *d, const struct ynode *m, const char *const *allowed,
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

const char *yfield_scalar(struct diag *d, const struct ynode *n, const char *what)
{
	if (n == NULL || !yfield_want(d, n, YNODE_SCALAR, what))
		return NULL;
	return n->str;
}

int yfield_long_parse(const char *s, long *out)
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

int yfield_int(struct diag *d, const struct ynode *n, long lo, long hi, const char *what,
	       long *out)
{
	long v;

	if (!yfield_want(d, n, YNODE_SCALAR, what))
		return CE_ERR_FORMAT;
	if (!n->plain || yfield_long_parse(n->str, &v) < 0) {
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

int yfield_name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > YFIELD_NAME_MAX)
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

const char *yfield_name(struct diag *d, const struct ynode *n, const char *what)
{
	const char *s = yfield_scalar(d, n, what);

	if (s == NULL)
		return NULL;
	if (!yfield_name_valid(s)) {
		diag_error(d, &n->mark, "%s '%s' is not a valid name ([a-z0-9][a-z0-9._-]*, at most %d)",
			   what, s, YFIELD_NAME_MAX);
		return NULL;
	}
	return s;
}

int yfield_role(struct diag *d, const struct ynode *n, const char *in, enum role *out)
{
	if (role_parse(n->str, out) == 0)
		return 0;
	diag_error(d, &n->mark, "unknown role '%s'%s%s (roles: %s)", n->str, in ? " in " : "",
		   in ? in : "", role_list_all());
	return CE_ERR_NOT_FOUND;
}
