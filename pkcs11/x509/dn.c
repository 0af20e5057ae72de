/* SPDX-License-Identifier: Apache-2.0 */
/* Subject names: ordered attributes, multi-valued RDNs, and the string types
 * RFC 5280 4.1.2.6 asks for (countryName PrintableString, the rest of the
 * DirectoryString attributes UTF8String). Never openssl's -subj parser. */
#include "pkcs11/x509/x509_internal.h"
#include "common/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#define X509_NAME_MAX_ATTRS 64

/* The ASN.1 string type an attribute is written with. */
static int attr_string_type(int nid)
{
	switch (nid) {
	case NID_countryName:
	case NID_serialNumber:
	case NID_dnQualifier:
		return V_ASN1_PRINTABLESTRING;
	case NID_pkcs9_emailAddress:
	case NID_domainComponent:
		return V_ASN1_IA5STRING;
	default:
		return V_ASN1_UTF8STRING;
	}
}

/* PrintableString's alphabet (X.680 41.4). */
static int printable_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && strchr(" '()+,-./:=?", *v) == NULL)
			return 0;
	return 1;
}

static int ia5_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v > 0x7f)
			return 0;
	return 1;
}

/* s is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), as a UTF8String must be. */
static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	int n, k;

	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			n = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			n = 2, cp = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			n = 3, cp = *p & 0x07;
		else
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int attr_add(X509_NAME *name, const struct x509_name_attr *a, size_t i)
{
	int nid = OBJ_txt2nid(a->type), type;
	ASN1_OBJECT *obj = NULL;
	int ok;

	if (nid == NID_undef) {
		ERR_clear_error();
		return ce_err_set(CE_ERR_INVALID, "subject attribute %zu: unknown type '%s'", i + 1,
				  a->type);
	}
	if (a->value == NULL || a->value[0] == '\0')
		return ce_err_set(CE_ERR_INVALID, "subject attribute %zu (%s): empty value", i + 1,
				  a->type);
	if (!utf8_ok(a->value))
		return ce_err_set(CE_ERR_INVALID, "subject attribute %zu (%s): not valid UTF-8", i + 1,
				  a->type);
	if (i == 0 && a->same_rdn)
		return ce_err_set(CE_ERR_INVALID, "subject attribute 1 cannot join a previous RDN");
	type = attr_string_type(nid);
	if (nid == NID_countryName &&
	    (strlen(a->value) != 2 || !isupper((unsigned char)a->value[0]) ||
	     !isupper((unsigned char)a->value[1])))
		return ce_err_set(CE_ERR_INVALID, "subject countryName '%s' is not two capital "
				  "letters (ISO 3166, RFC 5280 appendix A)", a->value);
	if ((type == V_ASN1_PRINTABLESTRING && !printable_ok(a->value)) ||
	    (type == V_ASN1_IA5STRING && !ia5_ok(a->value)))
		return ce_err_set(CE_ERR_INVALID, "subject attribute %zu (%s): '%s' has characters "
				  "its string type cannot hold", i + 1, a->type, a->value);
	obj = OBJ_nid2obj(nid);
	ok = X509_NAME_add_entry_by_OBJ(name, obj, type, (const unsigned char *)a->value, -1, -1,
					a->same_rdn ? -1 : 0);
	if (ok != 1)
		return p11_ossl_err(CE_ERR_INVALID, "subject attribute %zu (%s)", i + 1, a->type);
	return 0;
}

int x509_name_build(const struct x509_name_attr *a, size_t n, X509_NAME **out)
{
	int r = CE_ERR_INTERNAL;
	X509_NAME *name = NULL;
	size_t i;

	*out = NULL;
	if (n == 0) {
		r = ce_err_set(CE_ERR_INVALID, "the subject is empty");
		goto out;
	}
	name = X509_NAME_new();
	if (name == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = attr_add(name, &a[i], i);
		if (r < 0)
			goto out;
	}
	*out = name;
	name = NULL; /* transferred */
	r = 0;
out:
	X509_NAME_free(name);
	return r;
}

/* Split one "/type=value+type=value" RDN text (already cut at its '/', in
 * place, escapes "\/", "\\", "\+" honoured) into attributes. */
static int rdn_split(char *p, const char *subject, int rdn, struct x509_name_attr *a,
		     size_t *n)
{
	char *w = p, *type = p, *value = NULL;
	char end;
	int first = 1;

	for (;;) {
		if (*p == '\\' && (p[1] == '/' || p[1] == '\\' || p[1] == '+')) {
			p++;
			*w++ = *p++;
			continue;
		}
		if (*p == '=' && value == NULL) {
			*w++ = '\0';
			value = w;
			p++;
			continue;
		}
		if (*p != '\0' && *p != '+') {
			*w++ = *p++;
			continue;
		}
		/* end of one attribute */
		if (value == NULL || *type == '\0' || *value == '\0')
			return ce_err_set(CE_ERR_INVALID, "subject '%s': RDN %d is not type=value",
					  subject, rdn);
		if (*n >= X509_NAME_MAX_ATTRS)
			return ce_err_set(CE_ERR_TOO_LARGE, "subject '%s': too many attributes",
					  subject);
		end = *p; /* w may be p: read before writing the terminator */
		*w++ = '\0';
		a[*n].type = type;
		a[*n].value = value;
		a[*n].same_rdn = !first;
		(*n)++;
		first = 0;
		if (end == '\0')
			return 0;
		p++;
		type = w;
		value = NULL;
	}
}

int x509_name_parse(const char *subject, X509_NAME **out)
{
	int r = CE_ERR_INTERNAL;
	struct x509_name_attr a[X509_NAME_MAX_ATTRS];
	char *copy = NULL, *p, *end;
	size_t n = 0;
	int rdn = 0;

	*out = NULL;
	if (strlen(subject) > X509_SUBJECT_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "subject longer than %d bytes",
			       X509_SUBJECT_MAX_BYTES);
		goto out;
	}
	if (subject[0] != '/') {
		r = ce_err_set(CE_ERR_INVALID, "subject '%s': must start with '/' "
			       "(\"/C=FR/O=Example/CN=Root\")", subject);
		goto out;
	}
	copy = strdup(subject);
	if (copy == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	p = copy + 1;
	while (*p != '\0') {
		rdn++;
		/* find the next unescaped '/' */
		for (end = p; *end != '\0' && *end != '/'; end++)
			if (*end == '\\' && end[1] != '\0')
				end++;
		if (*end == '/')
			*end++ = '\0';
		r = rdn_split(p, subject, rdn, a, &n);
		if (r < 0)
			goto out;
		p = end;
	}
	if (n == 0) {
		r = ce_err_set(CE_ERR_INVALID, "subject '%s' is empty", subject);
		goto out;
	}
	r = x509_name_build(a, n, out);
	if (r < 0)
		r = ce_err_prefix(r, "subject '%s'", subject);
out:
	free(copy);
	return r;
}
