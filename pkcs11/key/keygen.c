/* SPDX-License-Identifier: Apache-2.0 */
/* Key pair generation on the token, refused before anything is made when
 * the label or id is taken, and undone when a check after it fails. */
#include "pkcs11/key/key_internal.h"
#include "common/err.h"
#include "common/hex.h"

#include <stdio.h>
#include <string.h>

/* CE_ERR_EXISTS if any object on the token has this label or this id. */
int p11_keygen_label_id_unused(struct p11_session *s, const char *label, const uint8_t *id,
			       size_t id_len)
{
	int r = CE_ERR_INTERNAL;
	CK_ATTRIBUTE by_label = { CKA_LABEL, (void *)label, strlen(label) };
	CK_ATTRIBUTE by_id = { CKA_ID, (void *)id, id_len };
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;
	char hex[2 * P11_ID_MAX_BYTES + 1];

	r = p11_find_objects(s, &by_label, 1, &h, 1, &n);
	if (r < 0)
		goto out;
	if (n > 0) {
		r = ce_err_set(CE_ERR_EXISTS, "an object labelled '%s' already exists on %s: "
					      "refused (labels name one key)", label,
			       p11_token_what(s->tok));
		goto out;
	}
	if (id_len > 0) {
		r = p11_find_objects(s, &by_id, 1, &h, 1, &n);
		if (r < 0)
			goto out;
		if (n > 0) {
			hex_encode(id, id_len, hex);
			r = ce_err_set(CE_ERR_EXISTS, "an object with id %s already exists on %s: "
						      "refused", hex, p11_token_what(s->tok));
			goto out;
		}
	}
	r = 0;
out:
	return r;
}

int p11_keygen_check_label_id(const char *label, const uint8_t *id, size_t id_len)
{
	if (label == NULL || label[0] == '\0' || strlen(label) > P11_LABEL_MAX_BYTES)
		return ce_err_set(CE_ERR_INVALID, "key label must be 1..%d bytes",
				  P11_LABEL_MAX_BYTES);
	if (id == NULL || id_len == 0 || id_len > P11_ID_MAX_BYTES)
		return ce_err_set(CE_ERR_INVALID, "key id must be 1..%d bytes", P11_ID_MAX_BYTES);
	return 0;
}

void p11_keygen_destroy_quietly(struct p11_session *s, CK_OBJECT_HANDLE h)
{
	if (h != CK_INVALID_HANDLE)
		(void)s->tok->mod->fl->C_DestroyObject(s->h, h);
}

void p11_keygen_undo(struct p11_session *s, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub)
{
	p11_keygen_destroy_quietly(s, priv);
	p11_keygen_destroy_quietly(s, pub);
}

/* The token refused the templates: name the attributes ceremony asked for
 * beyond the key's type and size (a token does not say which one), keeping
 * the PKCS#11 failure as recorded. Returns code. */
static int keygen_refused_attrs(int code, const struct p11_keygen *p)
{
	const struct p11_failure *cur = p11_failure_current();
	struct p11_failure fail = { 0 };
	int have = cur != NULL;
	char keep[768];

	if (have)
		fail = *cur;
	snprintf(keep, sizeof(keep), "%s", ce_err_detail());
	ce_err_set(code, "%s (asked for the private key: CKA_TOKEN=TRUE, CKA_PRIVATE=TRUE, "
			 "CKA_SENSITIVE=TRUE, CKA_SIGN=TRUE, CKA_EXTRACTABLE=%s, no decryption%s; "
			 "the token does not say which it refuses: see docs/pkcs11.md \"Token "
			 "quirks\")",
		   keep, p->extractable ? "TRUE" : "FALSE",
		   p->extractable ? " - a script without extractable: true may fit this token" : "");
	if (have)
		p11_failure_record(fail.rv, fail.function, fail.what);
	return code;
}

/* The two templates of C_GenerateKeyPair for p. */
static void keygen_templates(const struct p11_keygen *p, struct p11_attr_tmpl *pub,
			     struct p11_attr_tmpl *priv)
{
	static const CK_BYTE exponent[] = { 0x01, 0x00, 0x01 };
	const uint8_t *oid = NULL;
	size_t oid_len = 0;

	p11_attr_tmpl_init(pub);
	p11_attr_tmpl_init(priv);
	p11_attr_tmpl_public_key(pub, p->label, p->id, p->id_len);
	p11_attr_tmpl_private_key(priv, p->type, p->label, p->id, p->id_len, p->extractable);
	if (p11_key_type_is_rsa(p->type)) {
		pub->bits = p11_key_type_bits(p->type);
		p11_attr_tmpl_add(pub, CKA_MODULUS_BITS, &pub->bits, sizeof(pub->bits));
		p11_attr_tmpl_add(pub, CKA_PUBLIC_EXPONENT, exponent, sizeof(exponent));
	} else {
		p11_key_type_oid(p->type, &oid, &oid_len);
		p11_attr_tmpl_add(pub, CKA_EC_PARAMS, oid, oid_len);
	}
}

int p11_key_generate(struct p11_session *s, const struct p11_keygen *p, struct p11_key **out)
{
	int r = CE_ERR_INTERNAL;
	CK_MECHANISM mech = { 0, NULL, 0 };
	struct p11_attr_tmpl pub, priv;
	CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
	CK_FUNCTION_LIST *fl = s->tok->mod->fl;
	struct p11_key *k = NULL;
	CK_RV rv;
	char what[256];

	*out = NULL;
	if (p->type == P11_KEY_AES_256) {
		r = ce_err_set(CE_ERR_INVALID, "p11_key_generate makes key pairs; aes256 is not one");
		goto out;
	}
	if ((r = p11_keygen_check_label_id(p->label, p->id, p->id_len)) < 0 ||
	    (r = p11_token_supports(s->tok, p->type)) < 0 ||
	    (r = p11_keygen_label_id_unused(s, p->label, p->id, p->id_len)) < 0)
		goto out;
	mech.mechanism = p11_key_type_keygen_mech(p->type);
	keygen_templates(p, &pub, &priv);
	if ((r = p11_attr_tmpl_check(&pub)) < 0 || (r = p11_attr_tmpl_check(&priv)) < 0)
		goto out;
	p11_key_what(what, sizeof(what), s, p->type, p->label);
	rv = fl->C_GenerateKeyPair(s->h, &mech, pub.a, pub.n, priv.a, priv.n, &hpub, &hpriv);
	if (p->type == P11_KEY_ED25519 &&
	    (rv == CKR_ATTRIBUTE_VALUE_INVALID || rv == CKR_DOMAIN_PARAMS_INVALID ||
	     rv == CKR_CURVE_NOT_SUPPORTED)) {
		/* Some modules name the curve only as PrintableString "edwards25519". */
		p11_attr_tmpl_set(&pub, CKA_EC_PARAMS, p11_str_ed25519, sizeof(p11_str_ed25519));
		rv = fl->C_GenerateKeyPair(s->h, &mech, pub.a, pub.n, priv.a, priv.n, &hpub, &hpriv);
	}
	if (rv != CKR_OK) {
		r = p11_rv_fail(rv, "C_GenerateKeyPair", what);
		if (rv == CKR_TEMPLATE_INCONSISTENT || rv == CKR_ATTRIBUTE_VALUE_INVALID)
			r = keygen_refused_attrs(r, p);
		hpub = hpriv = CK_INVALID_HANDLE;
		goto out;
	}
	r = p11_key_from_handles(s, hpriv, hpub, &k);
	if (r < 0)
		goto out;
	if (k->type != p->type) {
		r = ce_err_set(CE_ERR_STATE, "%s: the token made a %s key", what,
			       p11_key_type_name(k->type));
		goto out;
	}
	*out = k;
	k = NULL; /* transferred */
	r = 0;
out:
	if (r < 0) {
		/* Leave nothing half-made on the token. */
		p11_keygen_undo(s, hpriv, hpub);
	}
	p11_key_free(k);
	return r;
}
