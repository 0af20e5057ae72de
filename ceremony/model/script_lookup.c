/* SPDX-License-Identifier: Apache-2.0 */
/* ceremony/model/script_lookup.c - looking things up in a loaded script:
 * tokens, secrets, steps, a step's parameters, the roles it names. Every
 * other model/script*.c file calls these and none is called back, so calls
 * between the script files go one way (script.c loads, the others check). */
#include "ceremony/model/script_internal.h"
#include "common/err.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int script_name_valid(const char *s)
{
	return yfield_name_valid(s);
}

int script_parse_long(const char *s, long *out)
{
	return yfield_long_parse(s, out);
}

role_set script_role_set(const struct script *s)
{
	role_set set = 0;
	unsigned ro;

	for (ro = 0; ro < ROLE_COUNT; ro++)
		if (s->roles[ro] != 0)
			set |= ROLE_BIT(ro);
	return set;
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

int script_key_type_name(const struct script_step *st, char *buf, size_t cap)
{
	const char *type = script_param_str(st, "type"), *curve = script_param_str(st, "curve");
	long size = 0;
	int n;

	if (type == NULL)
		return CE_ERR_NOT_FOUND;
	if (strcmp(type, "rsa") == 0) {
		if (script_param_int(st, "size", &size) < 0)
			size = 3072;
		n = snprintf(buf, cap, "rsa%ld", size);
	} else if (strcmp(type, "ec") == 0) {
		if (curve == NULL)
			curve = "p-256";
		/* "p-384" -> "p384" */
		n = snprintf(buf, cap, "%c%s", curve[0], curve[0] != '\0' && curve[1] == '-' ?
							  curve + 2 : curve + (curve[0] != '\0'));
	} else {
		n = snprintf(buf, cap, "%s", type);
	}
	if (n < 0 || (size_t)n >= cap)
		return CE_ERR_TOO_LARGE;
	return 0;
}
