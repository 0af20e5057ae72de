/* SPDX-License-Identifier: Apache-2.0 */
/* Objects: listing what a session sees, and destroying exactly one. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int p11_object_destroy(struct p11_session *s, const char *uri)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 0;
	CK_RV rv;
	char what[512];

	r = p11_find_uri_parse(s, uri, "object", &u);
	if (r < 0)
		goto out;
	r = p11_find_by_uri(s, u, 0, 0, found, 2, &n);
	if (r < 0)
		goto out;
	if (n == 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no object matches '%s' on %s", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	if (n > 1) {
		r = ce_err_set(CE_ERR_INVALID, "several objects match '%s' on %s: nothing destroyed; "
					       "add type= or id=", uri, p11_token_what(s->tok));
		goto out;
	}
	snprintf(what, sizeof(what), "'%s' on %s", uri, p11_token_what(s->tok));
	rv = s->tok->mod->fl->C_DestroyObject(s->h, found[0]);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_DestroyObject", what);
		goto out;
	}
	r = 0;
out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

static const char *class_name(CK_ULONG c)
{
	switch (c) {
	case CKO_PUBLIC_KEY:
		return "public-key";
	case CKO_PRIVATE_KEY:
		return "private-key";
	case CKO_SECRET_KEY:
		return "secret-key";
	case CKO_CERTIFICATE:
		return "certificate";
	case CKO_DATA:
		return "data";
	default:
		return "other";
	}
}

static const char *key_type_name(CK_ULONG kt)
{
	switch (kt) {
	case CKK_RSA:
		return "RSA";
	case CKK_EC:
		return "EC";
	case CKK_EC_EDWARDS:
		return "EC_EDWARDS";
	case CKK_AES:
		return "AES";
	case CKK_GENERIC_SECRET:
		return "GENERIC";
	case CKK_DSA:
		return "DSA";
	default:
		return "other";
	}
}

/* Class, key type and size of h into o (what cannot be read stays empty). */
static void object_kind(struct p11_session *s, CK_OBJECT_HANDLE h, CK_ULONG *cls,
			struct p11_object *o)
{
	CK_ULONG kt = 0, vl = 0;
	uint8_t *v = NULL;
	size_t len = 0;
	enum p11_key_type t;

	if (p11_attr_ulong(s, h, CKA_CLASS, cls) < 0)
		*cls = (CK_ULONG)-1;
	snprintf(o->cls, sizeof(o->cls), "%s", class_name(*cls));
	if ((*cls != CKO_PUBLIC_KEY && *cls != CKO_PRIVATE_KEY && *cls != CKO_SECRET_KEY) ||
	    p11_attr_ulong(s, h, CKA_KEY_TYPE, &kt) < 0)
		return;
	snprintf(o->key_type, sizeof(o->key_type), "%s", key_type_name(kt));
	if (kt == CKK_RSA && p11_attr_get(s, h, CKA_MODULUS, &v, &len) == 0)
		o->bits = (unsigned long)len * 8;
	else if ((kt == CKK_EC || kt == CKK_EC_EDWARDS) &&
		 p11_attr_get(s, h, CKA_EC_PARAMS, &v, &len) == 0 &&
		 p11_key_curve_name(v, len, &t) != NULL)
		o->bits = p11_key_type_bits(t);
	else if (kt == CKK_AES && p11_attr_ulong(s, h, CKA_VALUE_LEN, &vl) == 0)
		o->bits = vl * 8;
	free(v);
}

static int object_describe(struct p11_session *s, CK_OBJECT_HANDLE h, const CK_TOKEN_INFO *ti,
			   struct p11_object *o)
{
	int r = CE_ERR_INTERNAL;
	CK_ULONG cls = 0;
	uint8_t *v = NULL;
	size_t len = 0;
	CK_ATTRIBUTE attrs[3];
	CK_ULONG na = 0;

	object_kind(s, h, &cls, o);
	if (p11_attr_get(s, h, CKA_LABEL, &v, &len) == 0) {
		o->label = (char *)v;
		v = NULL;
		attrs[na++] = (CK_ATTRIBUTE){ CKA_LABEL, o->label, len };
	} else {
		o->label = strdup("");
	}
	if (p11_attr_get(s, h, CKA_ID, &v, &len) == 0 && len > 0) {
		o->id = v;
		o->id_len = len;
		v = NULL;
		attrs[na++] = (CK_ATTRIBUTE){ CKA_ID, o->id, len };
	}
	ce_err_clear();
	if (cls != (CK_ULONG)-1)
		attrs[na++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	if (o->label == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = p11_key_uri_format(ti, attrs, na, &o->uri);
	if (r < 0)
		goto out;
	r = 0;
out:
	free(v);
	return r;
}

int p11_session_objects(struct p11_session *s, const char *uri, struct p11_object **out, size_t *n)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	CK_OBJECT_HANDLE *found = NULL;
	CK_ULONG count = 0, i;
	struct p11_object *objs = NULL;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	*out = NULL;
	*n = 0;
	found = calloc(P11_FIND_MAX, sizeof(*found));
	if (found == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (uri != NULL) {
		r = p11_find_uri_parse(s, uri, NULL, &u);
		if (r < 0)
			goto out;
		r = p11_find_by_uri(s, u, 0, 0, found, P11_FIND_MAX, &count);
	} else {
		r = p11_find_objects(s, NULL, 0, found, P11_FIND_MAX, &count);
	}
	if (r < 0)
		goto out;
	rv = p11_get_token_info(s->tok->mod, s->tok->slot, &ti);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetTokenInfo", p11_token_what(s->tok));
		goto out;
	}
	objs = calloc(count + 1, sizeof(*objs));
	if (objs == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < count; i++) {
		*n = (size_t)i + 1;
		r = object_describe(s, found[i], &ti, &objs[i]);
		if (r < 0)
			goto out;
	}
	*out = objs;
	objs = NULL; /* transferred */
	r = 0;
out:
	if (objs != NULL) {
		p11_objects_free(objs, *n);
		*n = 0;
	}
	free(found);
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

void p11_objects_free(struct p11_object *objs, size_t n)
{
	size_t i;

	if (objs == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(objs[i].label);
		free(objs[i].id);
		free(objs[i].uri);
	}
	free(objs);
}
