/* SPDX-License-Identifier: Apache-2.0 */
/* Attributes: reading them from the token with a bound, and the templates
 * we write when making keys (docs/pkcs11.md, "Key attributes we set"). */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading -------------------------------------------------------- */

int p11_attr_get(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		 uint8_t **val, size_t *len)
{
	int r = CE_ERR_INTERNAL;
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;
	uint8_t *p = NULL;

	*val = NULL;
	*len = 0;
	rv = s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1);
	if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
		r = p11_rv_fail(rv == CKR_OK ? CKR_ATTRIBUTE_TYPE_INVALID : rv,
				"C_GetAttributeValue", p11_token_what(s->tok));
		goto out;
	}
	if (a.ulValueLen > P11_ATTR_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "attribute 0x%lx of an object on %s is %lu bytes "
						 "(over %u)", type, p11_token_what(s->tok),
			       a.ulValueLen, P11_ATTR_MAX_BYTES);
		goto out;
	}
	p = malloc(a.ulValueLen + 1);
	if (p == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "out of memory");
		goto out;
	}
	a.pValue = p;
	rv = s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1);
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GetAttributeValue", p11_token_what(s->tok));
		goto out;
	}
	p[a.ulValueLen] = 0;
	*val = p;
	*len = a.ulValueLen;
	p = NULL; /* transferred */
	r = 0;
out:
	free(p);
	return r;
}

int p11_attr_bool(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = { type, &b, sizeof(b) };

	if (s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1) != CKR_OK)
		return 0;
	return b == CK_TRUE;
}

int p11_attr_ulong(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		   CK_ULONG *v)
{
	CK_ATTRIBUTE a = { type, v, sizeof(*v) };
	CK_RV rv = s->tok->mod->fl->C_GetAttributeValue(s->h, o, &a, 1);

	if (rv != CKR_OK)
		return p11_rv_fail(rv, "C_GetAttributeValue", p11_token_what(s->tok));
	return 0;
}

/* ---- the templates we write ----------------------------------------- */

void p11_attr_tmpl_init(struct p11_attr_tmpl *t)
{
	memset(t, 0, sizeof(*t));
	t->yes = CK_TRUE;
	t->no = CK_FALSE;
}

void p11_attr_tmpl_add(struct p11_attr_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *v,
		       size_t len)
{
	if (t->n >= P11_TMPL_MAX) {
		t->overflow = 1;
		return;
	}
	t->a[t->n++] = (CK_ATTRIBUTE){ type, (void *)v, (CK_ULONG)len };
}

void p11_attr_tmpl_set(struct p11_attr_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *v,
		       size_t len)
{
	CK_ULONG i;

	for (i = 0; i < t->n; i++)
		if (t->a[i].type == type) {
			t->a[i].pValue = (void *)v;
			t->a[i].ulValueLen = (CK_ULONG)len;
		}
}

void p11_attr_tmpl_class(struct p11_attr_tmpl *t, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt)
{
	t->cls = cls;
	t->kt = kt;
	p11_attr_tmpl_add(t, CKA_CLASS, &t->cls, sizeof(t->cls));
	p11_attr_tmpl_add(t, CKA_KEY_TYPE, &t->kt, sizeof(t->kt));
}

/* policy 5.1: private keys stay in the HSM: sensitive always, extractable only
 * when a backup by wrapping is asked for, never a decryption key. */
void p11_attr_tmpl_private_key(struct p11_attr_tmpl *t, enum p11_key_type type,
			       const char *label, const uint8_t *id, size_t id_len,
			       int extractable)
{
	t->extractable = extractable ? CK_TRUE : CK_FALSE;
	p11_attr_tmpl_add(t, CKA_TOKEN, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_PRIVATE, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_SENSITIVE, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_EXTRACTABLE, &t->extractable, sizeof(t->extractable));
	p11_attr_tmpl_add(t, CKA_SIGN, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_LABEL, label, strlen(label));
	p11_attr_tmpl_add(t, CKA_ID, id, id_len);
	if (p11_key_type_is_rsa(type))
		p11_attr_tmpl_add(t, CKA_DECRYPT, &t->no, sizeof(t->no));
}

void p11_attr_tmpl_public_key(struct p11_attr_tmpl *t, const char *label, const uint8_t *id,
			      size_t id_len)
{
	p11_attr_tmpl_add(t, CKA_TOKEN, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_PRIVATE, &t->no, sizeof(t->no));
	p11_attr_tmpl_add(t, CKA_VERIFY, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_LABEL, label, strlen(label));
	p11_attr_tmpl_add(t, CKA_ID, id, id_len);
}

/* A session object only: gone when the session closes, never extractable,
 * used for nothing but wrapping. */
void p11_attr_tmpl_wrapping_key(struct p11_attr_tmpl *t, const char *label, const uint8_t *key,
				size_t key_len)
{
	p11_attr_tmpl_class(t, CKO_SECRET_KEY, CKK_AES);
	p11_attr_tmpl_add(t, CKA_TOKEN, &t->no, sizeof(t->no));
	p11_attr_tmpl_add(t, CKA_PRIVATE, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_SENSITIVE, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_EXTRACTABLE, &t->no, sizeof(t->no));
	p11_attr_tmpl_add(t, CKA_WRAP, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_UNWRAP, &t->yes, sizeof(t->yes));
	p11_attr_tmpl_add(t, CKA_ENCRYPT, &t->no, sizeof(t->no));
	p11_attr_tmpl_add(t, CKA_DECRYPT, &t->no, sizeof(t->no));
	p11_attr_tmpl_add(t, CKA_LABEL, label, strlen(label));
	/* No CKA_VALUE_LEN: PKCS#11 forbids it in C_CreateObject for CKK_AES
	 * (the token derives it from CKA_VALUE). */
	p11_attr_tmpl_add(t, CKA_VALUE, key, key_len);
}

int p11_attr_tmpl_check(const struct p11_attr_tmpl *t)
{
	if (t->overflow)
		return ce_err_set(CE_ERR_INTERNAL, "an attribute template outgrew %d entries",
				  P11_TMPL_MAX);
	return 0;
}
