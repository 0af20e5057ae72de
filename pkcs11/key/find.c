/* SPDX-License-Identifier: Apache-2.0 */
/* Searches: objects by template, objects and keys by URI. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

/* Find up to max objects matching tmpl; *n gets how many were found (the
 * search stops at max, so *n == max means "max or more"). */
int p11_find_objects(struct p11_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
		     CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *n)
{
	CK_FUNCTION_LIST *fl = s->tok->mod->fl;
	CK_RV rv;

	*n = 0;
	rv = fl->C_FindObjectsInit(s->h, tmpl, ntmpl);
	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_FindObjectsInit", p11_token_what(s->tok));
	rv = fl->C_FindObjects(s->h, found, max, n);
	(void)fl->C_FindObjectsFinal(s->h);
	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_FindObjects", p11_token_what(s->tok));
	return 0;
}

/* Parse a URI for objects on s's token: CE_ERR_INVALID if its token
 * attributes name another token. */
int p11_find_uri_parse(struct p11_session *s, const char *uri, const char *noun,
		       P11KitUri **out)
{
	int r = CE_ERR_INTERNAL;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	*out = NULL;
	r = p11_uri_parse(uri, P11_KIT_URI_FOR_ANY, out);
	if (r < 0)
		goto out;
	rv = p11_get_token_info(s->tok->mod, s->tok->slot, &ti);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetTokenInfo", p11_token_what(s->tok));
		goto out;
	}
	if (!p11_kit_uri_match_token_info(*out, &ti)) {
		r = ce_err_set(CE_ERR_INVALID, "URI '%s' names another token than %s", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	/* RFC 7512's module and slot attributes must name this token's too:
	 * never silently ignored (docs/pkcs11.md "URI rules"). */
	if (!p11_uri_module_match(s->tok->mod, *out)) {
		r = ce_err_set(CE_ERR_INVALID, "URI '%s' names another module (module-name or "
				"module-path) than %s's, %s", uri, p11_token_what(s->tok),
			       s->tok->mod->path);
		goto out;
	}
	if (!p11_uri_slot_match(s->tok->mod, s->tok->slot, *out)) {
		r = ce_err_set(CE_ERR_INVALID, "URI '%s' names another slot (slot-description or "
				"slot-manufacturer) than %s's", uri, p11_token_what(s->tok));
		goto out;
	}
	if (noun != NULL && p11_kit_uri_get_attribute(*out, CKA_LABEL) == NULL &&
	    p11_kit_uri_get_attribute(*out, CKA_ID) == NULL) {
		r = ce_err_set(CE_ERR_INVALID, "URI '%s' names no %s: add object= or id=", uri, noun);
		goto out;
	}
	r = 0;
out:
	if (r < 0 && *out != NULL) {
		p11_kit_uri_free(*out);
		*out = NULL;
	}
	return r;
}

/* Objects matching the URI's object attributes, with cls forced when != -1. */
int p11_find_by_uri(struct p11_session *s, P11KitUri *u, CK_OBJECT_CLASS cls, int force_cls,
		    CK_OBJECT_HANDLE *found, CK_ULONG max, CK_ULONG *n)
{
	CK_ULONG na = 0, i, nt = 0;
	CK_ATTRIBUTE *attrs = p11_kit_uri_get_attributes(u, &na);
	CK_ATTRIBUTE tmpl[8];

	for (i = 0; i < na && nt < 7; i++) {
		if (force_cls && attrs[i].type == CKA_CLASS)
			continue;
		tmpl[nt++] = attrs[i];
	}
	if (force_cls)
		tmpl[nt++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	return p11_find_objects(s, tmpl, nt, found, max, n);
}

static int uri_has_class(P11KitUri *u, CK_OBJECT_CLASS *cls)
{
	CK_ATTRIBUTE *a = p11_kit_uri_get_attribute(u, CKA_CLASS);

	if (a == NULL || a->ulValueLen != sizeof(CK_OBJECT_CLASS))
		return 0;
	memcpy(cls, a->pValue, sizeof(*cls));
	return 1;
}

/* The public-key object whose attribute type (CKA_ID, CKA_LABEL) equals
 * the private key's; *pub is set only when exactly one matches. Returns 0
 * (searched), 1 (the private key has no such attribute, or an empty one:
 * nothing searched), or the search's error. */
static int pub_pair_find(struct p11_session *s, CK_OBJECT_HANDLE priv, CK_ATTRIBUTE_TYPE type,
			 CK_OBJECT_HANDLE *pub)
{
	int r = CE_ERR_INTERNAL;
	CK_OBJECT_CLASS pubcls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[2];
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 0;
	uint8_t *v = NULL;
	size_t len = 0;

	if (p11_attr_get(s, priv, type, &v, &len) < 0 || len == 0) {
		r = 1;
		goto out;
	}
	t[0] = (CK_ATTRIBUTE){ CKA_CLASS, &pubcls, sizeof(pubcls) };
	t[1] = (CK_ATTRIBUTE){ type, v, len };
	r = p11_find_objects(s, t, 2, found, 2, &n);
	if (r < 0)
		goto out;
	if (n == 1)
		*pub = found[0];
	r = 0;
out:
	free(v);
	return r;
}

int p11_key_find(struct p11_session *s, const char *uri, struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	P11KitUri *u = NULL;
	CK_OBJECT_HANDLE found[2];
	CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE, pub = CK_INVALID_HANDLE;
	CK_ULONG n = 0;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;

	*out = NULL;
	r = p11_find_uri_parse(s, uri, "key", &u);
	if (r < 0)
		goto out;
	if (uri_has_class(u, &cls)) {
		r = p11_find_by_uri(s, u, cls, 0, found, 2, &n);
	} else {
		r = p11_find_by_uri(s, u, CKO_PRIVATE_KEY, 1, found, 2, &n);
		if (r == 0 && n == 0) {
			cls = CKO_SECRET_KEY;
			r = p11_find_by_uri(s, u, CKO_SECRET_KEY, 1, found, 2, &n);
		}
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		r = ce_err_set(CE_ERR_NOT_FOUND, "no key matches '%s' on %s (logged in? see "
						 "`ceremony hsm objects`)", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	if (n > 1) {
		r = ce_err_set(CE_ERR_INVALID, "several keys match '%s' on %s: add id= or type=", uri,
			       p11_token_what(s->tok));
		goto out;
	}
	if (cls == CKO_PUBLIC_KEY)
		pub = found[0];
	else
		priv = found[0];
	if (cls == CKO_PRIVATE_KEY) {
		r = pub_pair_find(s, priv, CKA_ID, &pub);
		if (r < 0)
			goto out;
		/* No id: pair the halves by label, if that finds one. */
		if (r == 1)
			(void)pub_pair_find(s, priv, CKA_LABEL, &pub);
		ce_err_clear();
	}
	r = p11_key_from_handles(s, priv, pub, out);
	if (r < 0)
		goto out;
	r = 0;
out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}
